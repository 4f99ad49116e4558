"""A report the plan hides (its action moved to another level) is the hidden reports'
group's, not a status of the action's row too: with "All levels" the moved action's
row read "▲ At risk", and "Show: At risk" listed it twice, where the dashboard, the
status sheet and 'progress list' count no report at risk."""

from __future__ import annotations

from fieldplan.progress import record_progress
from tests.ui.conftest import wait_idle
from ui.office_view import ACTION_ROLE, HIDDEN_ROLE


def _rows(tree) -> list[tuple[str, str]]:
    """(what the row is, its status cell) of each action and hidden report shown."""
    rows = []
    widget = tree.tree
    for i in range(widget.topLevelItemCount()):
        group = widget.topLevelItem(i)
        for j in range(group.childCount()):
            item = group.child(j)
            action, hidden = item.data(0, ACTION_ROLE), item.data(0, HIDDEN_ROLE)
            name = action.code if action is not None else f"hidden {hidden.report.action}"
            rows.append((name, item.text(1)))
    return rows


def test_a_report_on_an_action_moved_to_another_level_is_not_its_rows_status(
        open_window, qtbot, hq, make_office, tmp_path):
    from tests.scenes import amend_plan, send

    ml = make_office("ML")
    period = ml.plan().periods()[2]
    record_progress(ml, "PA2.1", str(period), status="at-risk", percent=20)
    amend_plan(hq, tmp_path, regional=("PA2.1",))
    send(hq, ml, tmp_path)
    path = ml.path
    ml.close()
    window = open_window(path)
    window.set_period(str(period))
    wait_idle(qtbot, window.session)
    tree = window.office_view.tree
    tree.level.setCurrentIndex(tree.level.findData(""))
    rows = dict(_rows(tree))
    assert rows["PA2.1"] == "—"  # no report the plan shows
    assert "At risk" in rows["hidden PA2.1"]
    tree.status.setCurrentIndex(tree.status.findData("at-risk"))
    assert [name for name, _status in _rows(tree)] == ["hidden PA2.1"]
    dashboard = window.dashboard
    wait_idle(qtbot, window.session)
    assert dict(dashboard.summary.counts)["at-risk"] == 0
