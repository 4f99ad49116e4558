"""A line of the dashboard's missing list opens its report, whatever the plan's filters
hide: with "Show: Off track" chosen in the plan, Enter on "PA1.3 · …: no report" showed
the Progress tab with the report chosen before still in the editor, the keyboard in
its first field, so that what was typed next went into another report."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose


def test_a_missing_line_opens_its_report_through_the_plans_filters(open_window, qtbot,
                                                                     office_db) -> None:
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.1")
    tree = window.office_view.tree
    # the plan filtered to what is off track (nothing yet), and to regional actions
    tree.status.setCurrentIndex(tree.status.findData("off-track"))
    tree.level.setCurrentIndex(tree.level.findData("regional"))
    window.tabs.setCurrentWidget(window.dashboard)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    item = next(dash.missing.item(row) for row in range(dash.missing.count())
                if dash.missing.item(row).data(Qt.ItemDataRole.UserRole) == "PA1.3")
    dash.missing.setCurrentItem(item)
    dash.missing.setFocus()
    qtbot.keyClick(dash.missing, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA1.3",
                    timeout=5000)
    wait_idle(qtbot, window.session)
    assert tree.current_action().code == "PA1.3"
    assert window.tabs.currentWidget() is not window.dashboard
    # the filters that hid it let it through now (and it is highlighted in the plan)
    assert tree.level.currentData() in ("", "national")
    assert tree.status.currentData() == ""
    assert tree.tree.currentItem().isSelected()
