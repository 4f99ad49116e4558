"""The dashboard names the reports still in conflict, in the submit dialog's words:
it showed "On track, 100%" alone while the printed sheet said "Values in conflict" and
the status bar counted the conflicts."""

from __future__ import annotations

from tests.ui.conftest import wait_idle
from tests.ui.test_submit_conflicts import laptop_with_conflict


def test_the_dashboard_says_which_reports_are_in_conflict_until_settled(
        open_window, qtbot, hq, make_office, tmp_path):
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    window = open_window(path)
    window.set_period("2026-S1")
    dashboard = window.dashboard
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: dashboard.summary is not None
                    and dashboard.summary.period == "2026-S1", timeout=5000)
    wait_idle(qtbot, window.session)
    assert dashboard.conflicts_box.isVisible()
    assert dashboard.conflicts_box.title() == "Still in conflict"
    lines = dashboard.conflicts.text().split("\n")
    line = next(x for x in lines if code in x)
    assert "in conflict" in line and "Status" in line and "Achievements" in line
    assert not any(other in x for x in lines)
    assert "Conflicts tab" in lines[-1]
    # settled on the Conflicts tab: the dashboard says no more of them
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    for left in (1, 0):
        qtbot.waitUntil(lambda: bool(page.keep_buttons), timeout=5000)
        page.keep_buttons[0].click()
        qtbot.waitUntil(lambda left=left: page.model.rowCount() == left, timeout=5000)
        wait_idle(qtbot, window.session)
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: not dashboard.conflicts_box.isVisibleTo(dashboard), timeout=5000)
    assert dashboard.conflicts.text() == ""
