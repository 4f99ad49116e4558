"""An area's heading made current in the plan (Left from an action) stays current
through a rebuild of the tree, the action whose report is shown still highlighted:
after an import, or a save made by another program, the tree had no current row, no
row highlighted, and Down went to the plan's first area."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.test_office_work import choose
from tests.ui.test_outside_writes import checked


def test_a_heading_made_current_stays_so_through_an_outside_write(open_window, qtbot,
                                                                  office_db, tmp_path):
    window = open_window(office_db)
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    editor = choose(window, qtbot, "PA2.2")
    tree = window.office_view.tree
    tree.tree.setFocus()
    qtbot.keyClick(tree.tree, Qt.Key.Key_Left)
    assert tree.tree.currentItem().text(0).startswith("PA2")
    assert tree.current_action() is None
    with open_replica(office_db) as rep:  # `fieldplan progress set`, the window open
        progress.record_progress(rep, "PA3.1", "2026-S1", status="at-risk",
                                 challenges="Roads cut by the rains")
    checked(window, qtbot)
    qtbot.waitUntil(lambda: "PA3.1" in tree._reports, timeout=5000)
    current = tree.tree.currentItem()
    assert current is not None and current.text(0).startswith("PA2")
    assert [item.text(0).split(" · ")[0] for item in tree.tree.selectedItems()] == ["PA2.2*"]
    assert editor.action.code == "PA2.2"
    tree.grab().save(str(tmp_path / "tree.png"))
    qtbot.keyClick(tree.tree, Qt.Key.Key_Down)
    assert tree.current_action().code == "PA2.1"
