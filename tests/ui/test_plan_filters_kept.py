"""The plan's Level and Show filters, and the areas a person folded, are where the
person left them after a language change: the window made again showed every status
of the office's level, every area open."""

from __future__ import annotations

from tests.ui.conftest import wait_idle
from tests.ui.test_language_change import _opened
from tests.ui.test_office_work import choose
from tests.ui.test_plan_tree_folded import _areas


def test_a_language_change_keeps_the_plans_filters_and_folds(shell, qtbot, office_db,
                                                            tmp_path):
    window = _opened(shell, qtbot, office_db)
    editor = choose(window, qtbot, "PA2.1")
    editor.status.setCurrentIndex(editor.status.findData("at-risk"))
    window.save_action.trigger()
    wait_idle(qtbot, shell.session)
    tree = window.office_view.tree
    tree.tree.collapseItem(_areas(tree)["PA3"])
    tree.level.setCurrentIndex(tree.level.findData(""))
    tree.status.setCurrentIndex(tree.status.findData("at-risk"))
    assert list(_areas(tree)) == ["PA2"]
    try:
        for lang in ("fr", "ar"):
            shell.change_language(lang)
            wait_idle(qtbot, shell.session)
            tree = shell.window.office_view.tree
            assert tree.status.currentData() == "at-risk"
            assert tree.level.currentData() == ""
            assert list(_areas(tree)) == ["PA2"]
            assert tree.current_action().code == "PA2.1"
    finally:
        shell.change_language("en")
    tree = shell.window.office_view.tree
    assert tree.status.currentData() == "at-risk"
    tree.status.setCurrentIndex(tree.status.findData(""))
    areas = _areas(tree)
    assert not areas["PA3"].isExpanded()
    assert all(areas[code].isExpanded() for code in ("PA1", "PA2", "PA4"))
    tree.grab().save(str(tmp_path / "tree.png"))
