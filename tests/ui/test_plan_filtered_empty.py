"""A Level or Show filter that lets no action through says so under the plan: the
tree was a blank box, "No action matches these filters." said to a screen reader
alone, once, as the filter was chosen (headquarters' Overview writes its own)."""

from __future__ import annotations

from tests.ui.conftest import wait_idle


def test_a_plan_filtered_to_nothing_says_so(in_language, open_window, qtbot, office_db,
                                            tmp_path):
    from fieldplan.i18n import _

    window = open_window(office_db)
    view = window.office_view
    window.show_page(view)
    tree = view.tree
    assert not tree.nothing.isVisible()
    tree.status.setCurrentIndex(tree.status.findData("off-track"))  # none is
    wait_idle(qtbot, window.session)
    assert tree.tree.topLevelItemCount() == 0
    assert tree.nothing.isVisible()
    assert tree.nothing.text() == _("No action matches these filters.")
    window.grab().save(str(tmp_path / f"plan-nothing-{in_language}.png"))
    tree.status.setCurrentIndex(tree.status.findData(""))
    assert tree.tree.topLevelItemCount() and not tree.nothing.isVisible()
