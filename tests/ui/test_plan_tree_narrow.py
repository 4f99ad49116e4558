"""The plan on a small screen (1024×600 at 150 %: a window of 667×352 pixels of Qt):
the Status column kept the width of its longest words ("▼ Hors trajectoire"), half
the plan's, and the titles read "PA1.1* · Appuyer les p…", "PA1.2* · Renforcer les
s…". There, the column shows the statuses' symbols, their words in its tooltip and
for a screen reader; with room, the words again."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan.i18n import STATUS_SYMBOLS, _, status_label
from tests.ui.conftest import wait_idle
from tests.ui.test_editor_in_sight import SMALL
from tests.ui.test_window_fit import as_on_screen
from ui.office_view import ACTION_ROLE
from ui.qtcompat import ACCESSIBLE_TEXT_ROLE

#: the languages each test given ``in_language`` runs in (tests/ui/conftest.py)
LANGUAGES = ("fr", "ar")


@pytest.fixture
def reported(office_db):
    """The office with two reports in 2026-S1."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="at-risk", percent=35)
        record_progress(rep, "PA2.1", "2026-S1", status="off-track", percent=5)
    return office_db


def status_cell(tree, code: str):
    """The row of ``code``'s action."""
    for i in range(tree.topLevelItemCount()):
        area = tree.topLevelItem(i)
        for j in range(area.childCount()):
            item = area.child(j)
            action = item.data(0, ACTION_ROLE)
            if action is not None and action.code == code:
                return item
    raise AssertionError(code)


def plan_at(open_window, qtbot, db, size):
    window = open_window(db)
    qtbot.waitUntil(lambda: window.painted, timeout=10_000)
    window.set_period("2026-S1")
    as_on_screen(qtbot, window, size)
    wait_idle(qtbot, window.session)
    QApplication.processEvents()
    return window, window.office_view.tree.tree


def test_on_a_small_screen_the_titles_keep_their_room_beside_the_statuses_symbols(
        open_window, qtbot, reported, in_language, tmp_path):
    window, tree = plan_at(open_window, qtbot, reported, SMALL)
    room = tree.columnWidth(0) - 2 * tree.indentation()
    assert room >= 22 * tree.fontMetrics().averageCharWidth()  # (ui.office_view.TITLE_LINE)
    item = status_cell(tree, "PA1.1")
    assert item.text(1) == STATUS_SYMBOLS["at-risk"]
    # its words: where the pointer rests, and what a screen reader says
    assert item.toolTip(1) == item.data(1, ACCESSIBLE_TEXT_ROLE) == status_label("at-risk")
    assert status_cell(tree, "PA2.1").text(1) == STATUS_SYMBOLS["off-track"]
    # the column's heading is read, whole, as a screen reader names it: it was blank
    # (its word only in a tooltip) where the column had room for the symbols alone
    heading = tree.headerItem()
    assert heading.text(1) == _("Status")
    assert heading.data(1, ACCESSIBLE_TEXT_ROLE) in (None, _("Status"))
    margin = 2 * tree.style().pixelMetric(tree.style().PixelMetric.PM_HeaderMargin)
    assert (tree.header().fontMetrics().horizontalAdvance(heading.text(1)) + margin
            <= tree.columnWidth(1))
    window.office_view.grab().save(str(tmp_path / f"narrow-plan-{in_language}.png"))


def test_with_room_again_the_statuses_words_come_back(open_window, qtbot, reported):
    window, tree = plan_at(open_window, qtbot, reported, SMALL)
    assert status_cell(tree, "PA1.1").text(1) == STATUS_SYMBOLS["at-risk"]
    window.setMinimumSize(0, 0)
    as_on_screen(qtbot, window, (1024, 600))
    item = status_cell(tree, "PA1.1")
    qtbot.waitUntil(lambda: item.text(1) == f"{STATUS_SYMBOLS['at-risk']} At risk")
    assert item.data(1, ACCESSIBLE_TEXT_ROLE) is None and item.toolTip(1) == ""
    assert tree.headerItem().text(1) == "Status"
