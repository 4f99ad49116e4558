"""An area of the plan a person folded stays folded: the tree is built again at each
save of a report (its statuses), each import and each change of filter, and each
rebuild opened every area again."""

from __future__ import annotations

from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose
from ui.office_view import ACTION_ROLE


def _areas(tree) -> dict[str, object]:
    """The tree's area rows by their code (marked "PA1*" or not)."""
    widget = tree.tree
    return {widget.topLevelItem(i).text(0).split(" · ")[0].rstrip("*"):
            widget.topLevelItem(i) for i in range(widget.topLevelItemCount())}


def _status_text(tree, code: str) -> str:
    for area in _areas(tree).values():
        for j in range(area.childCount()):
            action = area.child(j).data(0, ACTION_ROLE)
            if action is not None and action.code == code:
                return area.child(j).text(1)
    return ""


def test_an_area_folded_stays_folded_through_saves_and_filters(open_window, qtbot,
                                                                office_db) -> None:
    window = open_window(office_db)
    tree = window.office_view.tree
    editor = choose(window, qtbot, "PA2.1")
    areas = _areas(tree)
    assert all(item.isExpanded() for item in areas.values())
    # PA1 and PA3 folded, as a click on their arrows does
    tree.tree.collapseItem(areas["PA1"])
    tree.tree.collapseItem(areas["PA3"])
    # a report saved: the tree shows its new status
    editor.status.setCurrentIndex(editor.status.findData("at-risk"))
    qtbot.waitUntil(lambda: "At risk" in _status_text(tree, "PA2.1"), timeout=5000)
    wait_idle(qtbot, window.session)
    areas = _areas(tree)
    assert not areas["PA1"].isExpanded() and not areas["PA3"].isExpanded()
    assert areas["PA2"].isExpanded() and areas["PA4"].isExpanded()
    assert tree.current_action().code == "PA2.1"
    # a filter that leaves PA1 out of the tree, then all of it again: still folded
    tree.status.setCurrentIndex(tree.status.findData("at-risk"))
    assert list(_areas(tree)) == ["PA2"]
    tree.status.setCurrentIndex(tree.status.findData(""))
    areas = _areas(tree)
    assert not areas["PA1"].isExpanded() and not areas["PA3"].isExpanded()
    # opened again by the person: open at the next save
    tree.tree.expandItem(areas["PA1"])
    editor.status.setCurrentIndex(editor.status.findData("off-track"))
    qtbot.waitUntil(lambda: "Off track" in _status_text(tree, "PA2.1"), timeout=5000)
    wait_idle(qtbot, window.session)
    areas = _areas(tree)
    assert areas["PA1"].isExpanded() and not areas["PA3"].isExpanded()
    assert tree.tree.currentItem().data(0, ACTION_ROLE).code == "PA2.1"
