"""Headquarters' Overview page: cells that fit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle

from fieldplan.model import STATUSES, ProgressReport
from fieldplan.offices import all_offices
from tests.ui.conftest import wait_idle


def report(office: str, action: str, period: str, *, status: str = "on-track",
           percent: int | None = 50, state: str = "draft") -> ProgressReport:
    return ProgressReport(office, action, period, status, percent, (), "", "", "", state,
                          "2026-03-01T10:00:00Z", "x")


@pytest.fixture
def language(qapp):
    """Switch the client's language for one test."""
    from ui.app import apply_language

    def switch(code: str) -> None:
        apply_language(qapp, code)

    yield switch
    apply_language(qapp, "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_overview_cells_fit_at_1280_pixels(lang, open_window, qtbot, hq_db, language):
    """In French at 1280×720, "● En bonne voie · rapports : 3 sur 3 · …" was cut before
    its mean percent: a cell with the longest status, drafts and 100 % fits its column
    in every language, and the tooltip has the mean too."""
    language(lang)
    window = open_window(hq_db)
    window.resize(1280, 720)
    from fieldplan.i18n import status_label

    metrics = window.fontMetrics()
    longest = max(STATUSES, key=lambda s: metrics.horizontalAdvance(status_label(s)))
    period = window.period
    reports = [report("ML", f"PA{area}.{n}", period, status=longest, percent=100,
                      state="submitted" if n == 1 else "draft")
               for area in range(1, 5) for n in (1, 2, 3)]
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    # every member state, as the reviewer's headquarters: the office column as wide
    page._loaded((reports, [o for o in all_offices() if not o.startswith("RO-")]))
    QApplication.processEvents()
    view, model = page.view, page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "ML")
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
                  + 1)
    for column in range(1, model.columnCount()):
        index = page.proxy.mapFromSource(model.index(row, column))
        text = index.data()
        room = view.visualRect(index).width() - margin
        assert view.fontMetrics().horizontalAdvance(text) <= room, (text, room)
        assert "✎" in text and text.count("·") == 2, text  # the drafts and the mean
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert tip.splitlines()[-1].endswith(index.data().rsplit("·", 1)[1].strip())
