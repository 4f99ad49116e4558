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


def test_a_plan_with_no_action_at_the_offices_level_says_so(language, open_window, qtbot,
                                                            hq, make_office, tmp_path):
    """An amendment dropped the national actions: the office's plan was blank (its
    dashboard said why); it says what the dashboard says, not that a filter is wrong."""
    from fieldplan.i18n import _
    from tests.scenes import amend_plan, send

    ml = make_office("ML")
    amend_plan(hq, tmp_path, drop=tuple(a.code for a in hq.plan().actions
                                        if a.level == "national"))
    send(hq, ml, tmp_path)
    path = ml.path
    ml.close()
    for lang in ("en", "fr", "ar"):
        language(lang)
        window = open_window(path)
        tree = window.office_view.tree
        assert tree.tree.topLevelItemCount() == 0
        assert tree.nothing.isVisible()
        assert tree.nothing.text() == window.identity.no_action_text()
        if lang == "en":
            assert tree.nothing.text() == (
                "The current plan has no action at this office's level (National): "
                "there is nothing to report here.")
        window.grab().save(str(tmp_path / f"plan-none-{lang}.png"))
        # another level chosen, then none of its statuses: the filters' doing
        tree.level.setCurrentIndex(tree.level.findData("regional"))
        assert tree.tree.topLevelItemCount() and not tree.nothing.isVisible()
        tree.status.setCurrentIndex(tree.status.findData("off-track"))
        assert tree.nothing.isVisible()
        assert tree.nothing.text() == _("No action matches these filters.")
        window.close()
