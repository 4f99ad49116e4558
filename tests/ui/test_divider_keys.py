"""The divider between a page's list and its report moves by keyboard too (View ▸
Larger list, Smaller list, with arrows pointing where it goes): Qt's splitters move by
mouse only, and a keyboard user could not give the plan, the reports or a narrative
more room."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle, wait_painted

ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier


def shoot(widget, name: str) -> None:
    if os.environ.get("FIELDPLAN_SHOTS"):
        widget.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], name))


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_plan_is_widened_by_the_arrow_towards_the_report(open_window, qtbot, hq_db,
                                                             language, lang):
    """The plan is on the left, on the right in Arabic: the arrow that widens it points
    where the divider goes, towards the report."""
    language(lang)
    window = open_window(hq_db)
    window.activateWindow()
    # the actions take their keys once the window is first painted (FirstPaint): a
    # test before this one that left the machine busy could come here before it
    wait_painted(qtbot, window)
    splitter, tree = window.office_view.splitter, window.office_view.tree
    wider, narrower = ((Qt.Key.Key_Left, Qt.Key.Key_Right) if lang == "ar"
                       else (Qt.Key.Key_Right, Qt.Key.Key_Left))
    assert window.larger_list_action.isEnabled()
    assert window.larger_list_action.shortcut().toString() == (
        "Alt+Shift+Left" if lang == "ar" else "Alt+Shift+Right")
    tree.setFocus()
    before = splitter.sizes()
    qtbot.keyClick(QApplication.focusWidget(), wider, ALT_SHIFT)
    widened = splitter.sizes()
    assert widened[0] > before[0] and sum(widened) == sum(before)
    shoot(window, f"divider-progress-{lang}.png")
    qtbot.keyClick(QApplication.focusWidget(), narrower, ALT_SHIFT)
    assert splitter.sizes() == before
    # from the menu too, and never past what the report needs, nor the plan
    for _ in range(40):
        window.larger_list_action.trigger()
    report = window.office_view.pane
    assert splitter.sizes()[1] >= report.minimumSizeHint().width()
    assert not window.move_divider(larger=True)  # (no further)
    for _ in range(40):
        window.smaller_list_action.trigger()
    assert splitter.sizes()[0] >= tree.minimumSizeHint().width()


def test_the_reports_get_more_rows_and_the_narrative_keeps_two_lines(open_window, qtbot,
                                                                     hq_db):
    window = open_window(hq_db)
    window.activateWindow()
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert window.larger_list_action.shortcut().toString() == "Alt+Shift+Down"
    page.search.setFocus()
    before = page.sizes()
    qtbot.keyClick(page.search, Qt.Key.Key_Down, ALT_SHIFT)
    assert page.sizes()[0] > before[0]
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down, ALT_SHIFT)
    lines = page.detail.fontMetrics().lineSpacing()
    assert page.detail.viewport().height() >= 2 * lines  # (its minimum: it scrolls)
    shoot(window, "divider-reports-down.png")
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up, ALT_SHIFT)
    rows = page.view.verticalHeader().defaultSectionSize()
    assert page.view.viewport().height() // rows >= 3  # (its minimum)
    assert page.sizes()[1] > before[1]


def test_a_page_without_a_divider_leaves_the_actions_off(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.show_page(window.dashboard)
    wait_idle(qtbot, window.session)
    assert not window.larger_list_action.isEnabled()
    assert not window.smaller_list_action.isEnabled()
    assert not window.move_divider(larger=True)
    window.show_page(window.office_view)
    assert window.smaller_list_action.isEnabled()


def test_the_actions_follow_the_conflicts_list_as_it_comes_and_goes(open_window, qtbot,
                                                                    hq_db):
    """The Conflicts page shows its list and the divider only while it has conflicts:
    the actions (and with them their keys) were set when the page was shown, and a
    conflict that came in while it was shown (an import) left Alt+Shift+Down doing
    nothing until the View menu was opened; found by review."""
    window = open_window(hq_db)
    page = window.conflicts  # (built: no conflicts, the sentence instead of the list)
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.empty.is_empty()
    assert not window.larger_list_action.isEnabled()
    page.empty.set_empty(False)  # a conflict came in (ConflictsPage._loaded)
    assert window.larger_list_action.isEnabled()
    assert window.larger_list_action.shortcut().toString() == "Alt+Shift+Down"
    page.empty.set_empty(True)  # settled
    assert not window.larger_list_action.isEnabled()
