"""A regional office through its window: it reports on the plan's regional actions,
and an action of another level it opens from the tree says which it reports on."""

from __future__ import annotations

import pytest

from tests.ui.conftest import wait_idle

pytest.importorskip("fieldplan.sync")


#: what the editor says in each language: the levels in lower case, the office's own
SAID = {
    "en": ("PA1.1 is a national action; office RO-Dakar reports on regional actions",),
    "fr": ("action de niveau national", "RO-Dakar", "actions de niveau régional"),
    "ar": ("وطني", "RO-Dakar", "إقليمي"),
}


def test_an_action_of_another_level_says_the_level_the_office_reports_on(
        open_window, qtbot, hq, make_office, in_language):
    """A regional office that chose "National" in the tree and opened PA1.1 read "This
    is a National action: RO-Dakar does not report on it" ("de niveau National" in
    French): the level capitalised in the sentence, and not a word of what it does
    report on. It reads the refusal a write gets: the levels in lower case, its own
    named."""
    office = make_office("RO-Dakar")
    path = office.path
    office.close()
    window = open_window(path)
    tree, editor = window.office_view.tree, window.office_view.editor
    tree.level.setCurrentIndex(tree.level.findData("national"))
    assert tree.select("PA1.1")
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: "PA1.1" in editor.notice.text())
    said = editor.notice.text()
    if in_language == "en":
        assert said == SAID["en"][0]
    else:
        assert all(part in said for part in SAID[in_language]), said
    assert "National" not in said and "does not report" not in said
