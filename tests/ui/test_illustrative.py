"""The plan's placeholders are said to be so (resources/plan/README.md: "the app shows
it as such"): an illustrative area's or action's code is marked in the plan tree,
explained under it and in its tooltip, and its report says "illustrative"; the signed
text HQ installs is not marked."""

from __future__ import annotations

import dataclasses

from fieldplan.plan import default_plan
from tests.ui.test_office_work import choose
from ui.context import Identity
from ui.office_view import ACTION_ROLE, PlanTree

TIP = "Illustrative: this text is a placeholder until headquarters installs the signed plan's text."
NOTE = "* illustrative: placeholder text until headquarters installs the signed plan's text"


def _rows(tree: PlanTree) -> dict[str, object]:
    """Each row of the tree by its code as shown ("PA1*", "PA1.2"): the item."""
    widget = tree.tree
    rows = {}
    for i in range(widget.topLevelItemCount()):
        area = widget.topLevelItem(i)
        rows[area.text(0).split(" · ")[0]] = area
        for j in range(area.childCount()):
            rows[area.child(j).text(0).split(" · ")[0]] = area.child(j)
    return rows


def test_the_built_in_plan_is_marked_illustrative_throughout(open_window, qtbot, office_db):
    window = open_window(office_db)
    tree = window.office_view.tree
    rows = _rows(tree)
    assert rows and all(code.endswith("*") for code in rows)
    assert rows["PA1*"].toolTip(0) == TIP
    title = rows["PA1.1*"].data(0, ACTION_ROLE).title.en
    assert rows["PA1.1*"].toolTip(0) == f"{title}\n{TIP}"  # the whole title, then why
    assert tree.illustrative_note.isVisibleTo(tree) and tree.illustrative_note.text() == NOTE
    editor = choose(window, qtbot, "PA1.1")
    assert editor.meta.text().endswith(" · illustrative") and editor.meta.toolTip() == TIP


def test_only_what_hq_left_illustrative_is_marked(qtbot):
    """HQ's real plan, with one action still a placeholder: that one alone is marked
    (the plan's own flag, still true, does not mark the rest); a plan with none shows
    no mark and no note."""
    plan = default_plan()
    real = dataclasses.replace(
        plan, areas=tuple(dataclasses.replace(a, illustrative=False) for a in plan.areas),
        actions=tuple(dataclasses.replace(a, illustrative=a.code == "PA1.2")
                      for a in plan.actions))
    assert real.illustrative
    tree = PlanTree(Identity("office", "SN", "r1", real, ":memory:"))
    qtbot.addWidget(tree)
    rows = _rows(tree)
    assert [code for code in rows if code.endswith("*")] == ["PA1.2*"]
    assert "PA1" in rows and rows["PA1"].toolTip(0) == ""
    assert rows["PA1.1"].toolTip(0) == rows["PA1.1"].data(0, ACTION_ROLE).title.en
    assert tree.illustrative_note.isVisibleTo(tree)
    # filtered to the regional actions, none of them marked: no note
    tree.level.setCurrentIndex(tree.level.findData("regional"))
    assert not any(code.endswith("*") for code in _rows(tree))
    assert not tree.illustrative_note.isVisibleTo(tree)

    signed = dataclasses.replace(
        real, illustrative=False,
        actions=tuple(dataclasses.replace(a, illustrative=False) for a in real.actions))
    tree = PlanTree(Identity("office", "SN", "r1", signed, ":memory:"))
    qtbot.addWidget(tree)
    assert not any(code.endswith("*") for code in _rows(tree))
    assert not tree.illustrative_note.isVisibleTo(tree)
