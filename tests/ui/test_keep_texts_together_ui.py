"""The Conflicts page of an office: two laptops' narratives kept one after the other
with one button, which a status conflict does not offer; the focus stays on the page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.scenes import laptop_holding_a_conflict
from tests.ui.conftest import wait_idle

sync = pytest.importorskip("fieldplan.sync")


def _laptop_a(hq, make_office, tmp_path):
    """Laptop A of ML, holding both laptops' status and achievements of one report."""
    held = laptop_holding_a_conflict(
        hq, make_office, tmp_path,
        {"status": "on-track", "achievements": "Workshop held in Bamako."},
        {"status": "at-risk", "achievements": "Consultations in Kayes."})
    return held.path, held.code


def _choose(page, qtbot, field: str) -> None:
    for row in range(page.model.rowCount()):
        page.view.selectRow(row)
        if page.message.text().endswith(field) or field in page.message.text().split("\n")[0]:
            return
    raise AssertionError(field)


def test_both_texts_are_kept_with_one_button(open_window, qtbot, hq, make_office, tmp_path):
    path, code = _laptop_a(hq, make_office, tmp_path)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and len(page.keep_buttons) == 2,
                    timeout=5000)
    _choose(page, qtbot, "Status")
    assert page.together_button.isHidden()  # (a status is one or the other)
    _choose(page, qtbot, "Achievements")
    button = page.together_button
    assert not button.isHidden() and button.isEnabled()
    assert "nothing either computer wrote is lost" in button.accessibleDescription()
    # its tip too, on a hover (allow_writes had set it to none)
    assert button.toolTip() == button.accessibleDescription()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    wait_idle(qtbot, window.session)
    # the status conflict left, its first Keep has the focus (the button pressed is gone)
    assert QApplication.focusWidget() is page.keep_buttons[0]
    assert page.together_button.isHidden()
    with open_replica(path) as rep:
        assert progress.get_report(rep, code, "2026-S1").achievements == (
            "Workshop held in Bamako.\n\nConsultations in Kayes.")
        assert [c.field for c in sync.list_conflicts(rep)] == ["status"]


def test_tab_reaches_keep_both_after_the_versions(open_window, qtbot, hq, make_office,
                                                  tmp_path):
    """Tab goes down the pane as it is read: the heading, each version's text and its
    Keep, then Keep both texts under them (it went from the heading down to the button,
    before either text, then back up to the versions)."""
    path, _code = _laptop_a(hq, make_office, tmp_path)
    window = open_window(path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 and len(page.keep_buttons) == 2,
                    timeout=5000)
    _choose(page, qtbot, "Status")
    _choose(page, qtbot, "Achievements")  # (its versions made after the first's)
    wait_idle(qtbot, window.session)
    page.view.setFocus()
    reached = []
    for _step in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
        if reached[-1] is page.together_button:
            break
    assert page.together_button in reached
    assert reached.index(page.keep_buttons[-1]) < reached.index(page.together_button)
    assert reached.index(page.keep_buttons[0]) < reached.index(page.keep_buttons[-1])


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_keep_all_three_texts_says_how_many(open_window, qtbot, hq, make_office, tmp_path,
                                            lang):
    """Three laptops' texts: the button said "Keep both texts"; it counts them now,
    and goes back to "both" for a conflict of two."""
    from fieldplan import i18n
    from tests.core.test_keep_texts_together import three_laptops

    a, _code = three_laptops(hq, make_office, tmp_path)
    path = a.path
    a.close()
    i18n.set_language(lang)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and len(page.keep_buttons) == 3,
                    timeout=5000)
    with i18n.speaking(lang):
        three = i18n.counted("Keep &all {n} texts", "Keep &all {n} texts", 3)
    for row in range(page.model.rowCount()):
        page.view.selectRow(row)
        if not page.together_button.isHidden():
            break
    assert page.together_button.text() == three
    if lang == "en":
        assert three == "Keep &all 3 texts"
        # its tooltip said "nothing either computer wrote is lost" of three computers
        said = page.together_button.accessibleDescription()
        assert "either" not in said and "any of the 3 computers" in said
        assert page.together_button.toolTip() == said
    window.resize(1100, 700)
    wait_idle(qtbot, window.session)
    window.grab().save(str(tmp_path.parent / f"keep-all-3-{lang}.png"))


def test_a_short_answer_inside_a_word_of_the_other_is_offered(open_window, qtbot, hq,
                                                              make_office, tmp_path):
    """Laptop A wrote "No", laptop B "None of the trainers came.": Keep both texts was
    hidden, "No" taken for held in "None"."""
    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, {"status": "on-track", "achievements": "No"},
        {"status": "on-track", "achievements": "None of the trainers came."}, told="ab").path
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and len(page.keep_buttons) == 2,
                    timeout=5000)
    page.view.selectRow(0)
    assert not page.together_button.isHidden()
    assert page.together_button.text() == "Keep &both texts"


def test_texts_too_long_together_are_not_offered_to_keep_both(open_window, qtbot, hq,
                                                              make_office, tmp_path):
    """Two texts of 12,000 characters make one of 24,002, beyond the 20,000 a
    narrative holds: Keep both texts was offered, and pressed said only then that it
    could not. It is shown disabled, its tip and the words above the versions saying
    why and what to do instead; the Keep of each text still keeps it."""
    first, second = "Workshop held. " * 800, "Consultations. " * 800
    held = laptop_holding_a_conflict(hq, make_office, tmp_path, {"achievements": first},
                                     {"achievements": second})
    window = open_window(held.path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and len(page.keep_buttons) == 2,
                    timeout=5000)
    button = page.together_button
    why = ("The texts together are longer than 20,000 characters: keep one, then add "
           "what the other says to it in the report.")
    assert not button.isHidden() and not button.isEnabled()
    assert button.toolTip() == why and button.accessibleDescription() == why
    assert why in page.message.text()
    assert all(keep.isEnabled() for keep in page.keep_buttons)


def test_texts_that_fit_together_are_offered_to_keep_both(open_window, qtbot, hq,
                                                          make_office, tmp_path):
    first, second = "Workshop held. " * 600, "Consultations. " * 600  # (18,002 together)
    held = laptop_holding_a_conflict(hq, make_office, tmp_path, {"achievements": first},
                                     {"achievements": second})
    window = open_window(held.path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and len(page.keep_buttons) == 2,
                    timeout=5000)
    assert not page.together_button.isHidden() and page.together_button.isEnabled()
    assert "longer than" not in page.message.text()
