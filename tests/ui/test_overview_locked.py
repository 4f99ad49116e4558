"""The Overview's legend of a period headquarters locked: its "✎1" counts the drafts
left when the period was locked, not drafts "not yet submitted" (they will not be,
unless headquarters unlocks the period), as ``status`` and the review pack say."""

from __future__ import annotations

from tests.ui.conftest import wait_idle

NOT_YET = "✎1: draft reports, not yet submitted"
LEFT = "✎1: draft reports left when the period was locked"


def _legend(page) -> str:
    return page.legend.text().replace("\u00a0", " ")


def overview_with_a_draft(open_window, qtbot, hq, make_office, tmp_path):
    """Headquarters' window on its Overview of 2026-S1, holding ML's draft of its first
    national action (imported from ML's bundle): the window, the page, the action."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0]
    progress.record_progress(ml, action.code, "2026-S1", status="on-track")
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    path = hq.path
    hq.close()
    window = open_window(path)
    window.set_period("2026-S1")
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    return window, page, action


def test_the_legend_of_a_locked_period_says_its_drafts_were_left(
        open_window, qtbot, hq, make_office, tmp_path):
    from fieldplan import progress
    from ui.ops import DbOp

    window, page, _action = overview_with_a_draft(open_window, qtbot, hq, make_office,
                                                  tmp_path)
    assert NOT_YET in _legend(page) and LEFT not in _legend(page)
    # headquarters locks the period with the Overview open, then unlocks it
    DbOp(window.session, None, lambda rep: progress.set_period_lock(rep, "2026-S1")).run()
    qtbot.waitUntil(lambda: LEFT in _legend(page), timeout=10_000)
    assert NOT_YET not in _legend(page)
    DbOp(window.session, None,
         lambda rep: progress.set_period_lock(rep, "2026-S1", locked=False)).run()
    qtbot.waitUntil(lambda: NOT_YET in _legend(page), timeout=10_000)
    wait_idle(qtbot, window.session)
    # another period, not locked, after a locked one
    DbOp(window.session, None, lambda rep: progress.set_period_lock(rep, "2026-S1")).run()
    qtbot.waitUntil(lambda: LEFT in _legend(page), timeout=10_000)
    window.set_period("2026-S2")
    qtbot.waitUntil(lambda: NOT_YET in _legend(page), timeout=10_000)


def test_a_cell_of_a_locked_period_says_its_drafts_were_left(
        open_window, qtbot, hq, make_office, tmp_path):
    """A cell's tooltip and spoken text said "1 draft not yet submitted" in a period
    headquarters locked, under the legend saying its drafts were left when it was
    locked (the review pack's cover says "1 draft left when the period was locked")."""
    from PySide6.QtCore import Qt

    from fieldplan import progress
    from ui.ops import DbOp

    window, page, action = overview_with_a_draft(open_window, qtbot, hq, make_office,
                                                 tmp_path)
    model = page.model

    def cell():
        row = next(r for r in range(model.rowCount()) if model.office_at(r) == "ML")
        column = next(c for c in range(1, model.columnCount())
                      if model.area_at(c) == action.area)
        return model.index(row, column)

    assert "1 draft not yet submitted" in cell().data(Qt.ItemDataRole.ToolTipRole)
    DbOp(window.session, None, lambda rep: progress.set_period_lock(rep, "2026-S1")).run()
    qtbot.waitUntil(lambda: LEFT in _legend(page), timeout=10_000)
    wait_idle(qtbot, window.session)
    for role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
        text = cell().data(role)
        assert "1 draft left when the period was locked" in text
        assert "not yet submitted" not in text
    DbOp(window.session, None,
         lambda rep: progress.set_period_lock(rep, "2026-S1", locked=False)).run()
    qtbot.waitUntil(lambda: NOT_YET in _legend(page), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert "1 draft not yet submitted" in cell().data(Qt.ItemDataRole.ToolTipRole)
