"""Headquarters' Overview and Reports pages mark the reports an office changed after
the period was locked, as the review pack and the table export do: the Reports row
says it in its State, a filter lists them, the narrative pane says how often and
when, and the Overview cell's tooltip and spoken text name them. Before, the cell
only moved from 29 % to 30 %."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fieldplan import events, progress
from tests.scenes import send
from tests.ui.conftest import wait_idle
from ui.models import AFTER_LOCK, ReportTableModel

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2025-S2"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock a second further at each reading: every write is later than the one
    before, whichever replica makes it."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


@pytest.fixture
def late_hq(hq, make_office, tmp_path) -> tuple[Path, str, str]:
    """ML submits two reports of 2025-S2; headquarters merges them and locks the
    period; ML, not knowing, reopens the first and sets 60 %, and its bundle is merged.
    Returns headquarters' database, the action changed and the one left alone."""
    ml = make_office("ML")
    first, second = (ml.plan().actions_of(level="national")[i].code for i in (0, 1))
    for act in (first, second):
        progress.record_progress(ml, act, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    progress.reopen_report(ml, first, PERIOD)
    progress.record_progress(ml, first, PERIOD, percent=60,
                             achievements="<b>Trained 40 staff</b>")
    send(ml, hq, tmp_path)
    assert [c.action for c in progress.changed_after_lock(hq)[PERIOD]] == [first]
    path = hq.path
    hq.close()
    return path, first, second


def _row(model: ReportTableModel, office: str, action: str) -> int:
    row = model.row_of((office, action, PERIOD))
    assert row is not None
    return row


def test_the_reports_page_marks_and_filters_reports_changed_after_the_lock(
        open_window, qtbot, late_hq):
    path, first, second = late_hq
    window = open_window(path)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    model = page.model
    changed, untouched = _row(model, "ML", first), _row(model, "ML", second)
    state = model.index(changed, ReportTableModel.STATE)
    # said in words in the State column, as the review pack heads its list
    assert state.data() == "Draft · after the lock"
    assert model.index(untouched, ReportTableModel.STATE).data() == "Submitted"
    assert state.data(Qt.ItemDataRole.FontRole).bold()
    for role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
        said = model.index(changed, ReportTableModel.OFFICE).data(role)
        assert ("Changed or received after the period was locked: 2 changes since the "
                "lock, the last made on ") in said and ", received on " in said
        assert "after the period" not in (
            model.index(untouched, ReportTableModel.OFFICE).data(role) or "")
    # a narrative's markup shown as written, made HTML-safe once (twice, its tags
    # showed as "&lt;b&gt;")
    tip = model.index(changed, ReportTableModel.ACHIEVEMENTS).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Trained 40 staff&lt;/b&gt;" in tip and "&amp;" not in tip
    # the whole mark fits its column
    width = page.view.fontMetrics().horizontalAdvance
    assert page.view.columnWidth(ReportTableModel.STATE) > width(state.data())
    # the narrative pane says it above the narratives
    page.view.setCurrentIndex(model.index(changed, 0))
    assert page.after_lock_note.isVisibleTo(page)
    assert page.after_lock_note.text().startswith(
        "Changed or received after the period was locked: 2 changes since the lock, the "
        "last made on ")
    assert page.after_lock_note.text() in page.detail.accessibleDescription()
    page.view.setCurrentIndex(model.index(untouched, 0))
    assert not page.after_lock_note.isVisibleTo(page)
    # a filter lists them alone, apart from the statuses
    combo = page.status
    index = combo.findData(AFTER_LOCK)
    assert combo.itemText(index) == "Changed or received after the lock"
    assert combo.itemText(index - 1) == ""  # (a separator)
    combo.setCurrentIndex(index)
    assert [(r.office, r.action) for r in model.rows()] == [("ML", first)]
    # and a language change keeps the filter chosen
    assert page.filters()["status"] == AFTER_LOCK
    # unlocked: nothing is changed after a lock any more (the page reads it again)
    from ui.ops import DbOp

    DbOp(window.session, window, lambda rep: progress.set_period_lock(
        rep, PERIOD, locked=False)).run()
    wait_idle(qtbot, window.session)
    assert model.rows() == []
    combo.setCurrentIndex(0)
    assert model.index(_row(model, "ML", first), ReportTableModel.STATE).data() == "Draft"

def test_the_overview_cell_names_the_reports_changed_after_the_lock(
        open_window, qtbot, late_hq):
    path, first, _second = late_hq
    window = open_window(path)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "ML")
    area = window.identity.plan.action(first).area
    column = next(c for c in range(1, model.columnCount()) if model.area_at(c) == area)
    index = model.index(row, column)
    line = f"1 report changed or received after the period was locked: {first}"
    assert line in index.data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert line in index.data(Qt.ItemDataRole.AccessibleTextRole)
    # the other areas' cells say nothing of it
    others = [model.index(row, c).data(Qt.ItemDataRole.ToolTipRole) or ""
              for c in range(1, model.columnCount()) if c != column]
    assert not any("locked" in tip for tip in others)
