"""What an accessibility review found, kept fixed: the report editor never cut off
beside the plan (French at the window's smallest width, large fonts), the status of a
report that cannot be edited still reached with Tab and read aloud, an indicator's
target and unit said with its field, symbols said in words, dialogs and filters as
wide as their text at large fonts."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.ui.conftest import wait_idle


@pytest.fixture
def language(qapp):
    from ui.app import apply_language

    yield lambda code: apply_language(qapp, code)
    apply_language(qapp, "en")


@pytest.fixture
def font_size(qapp):
    """Set the application's font size in points, for one test."""
    before = QFont(qapp.font())

    def size(points: float) -> None:
        font = QFont(before)
        font.setPointSizeF(points)
        qapp.setFont(font)

    yield size
    qapp.setFont(before)


def _settle(qtbot, window, width: int) -> None:
    window.resize(width, 600)
    qtbot.waitUntil(lambda: window.width() == width)
    QApplication.processEvents()  # the layouts' requests after the resize


# --- large fonts --------------------------------------------------------------------


def test_the_report_dialog_is_as_wide_as_its_labels(open_window, qtbot, hq_db, language,
                                                    font_size):
    """Its own minimum width (420) stopped Qt keeping it as wide as its content:
    "Date limi…" at 17 pt in French."""
    from ui.report_preview import ReportDialog

    language("fr")
    font_size(17)
    window = open_window(hq_db)
    window.report_dialog("pack")
    dialog = window.findChild(ReportDialog, "report-dialog-pack")
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.minimumSizeHint().width() > 420  # (what this test is about)
    assert dialog.width() >= dialog.minimumSizeHint().width()
    dialog.reject()


def test_the_report_dialog_keeps_its_width_at_the_usual_font(open_window, qtbot, hq_db):
    from ui.report_preview import ReportDialog

    window = open_window(hq_db)
    window.report_dialog("sheet")
    dialog = window.findChild(ReportDialog, "report-dialog-sheet")
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.width() >= 420
    dialog.reject()


def test_the_overview_office_filter_keeps_room_at_a_large_font(open_window, qtbot, hq_db,
                                                                language, font_size):
    language("fr")
    font_size(17)
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    _settle(qtbot, window, 1366)
    field = page.office
    assert isinstance(field, QLineEdit)
    assert field.width() >= field.fontMetrics().horizontalAdvance(field.placeholderText())
