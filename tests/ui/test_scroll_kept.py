"""The HQ pages' tables stay scrolled where the person left them when the page is
read again (after each import, each save)."""

from __future__ import annotations

from fieldplan.replica import Changes
from tests.ui.conftest import wait_idle
from tests.ui.test_inbox_older import _inbox, _received
from ui.hq_desk import select_row
from ui.qtcompat import emit


def _read_again(page, qtbot) -> None:
    """As an import does: every page told, the Inbox read again at once (in sight)."""
    emit(page.session.changes_did_happen, Changes(entities=(("inbox", "*"),)))
    wait_idle(qtbot, page.session)


def test_the_inbox_stays_scrolled_where_it_was(open_window, qtbot, hq_db):
    """Scrolled halfway down 500 bundles, the table was back at its top after the
    next import, the row it had made current as it took the keyboard pulled back in
    sight."""
    _received(hq_db, 500)
    page = _inbox(open_window, qtbot, hq_db)
    page.view.setFocus()
    qtbot.waitUntil(lambda: page.view.currentIndex().isValid())
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    where = bar.value()
    assert where > 0
    _read_again(page, qtbot)
    assert bar.value() == where
    assert page.view.currentIndex().row() == 0  # (chosen still, out of sight)


def test_a_bundle_chosen_in_sight_stays_where_it_is_shown(open_window, qtbot, hq_db):
    _received(hq_db, 500)
    page = _inbox(open_window, qtbot, hq_db)
    select_row(page.view, 300)
    bar = page.view.verticalScrollBar()
    where = bar.value()
    shown_at = page.view.visualRect(page.view.currentIndex()).top()
    _read_again(page, qtbot)
    assert page.view.currentIndex().row() == 300
    assert bar.value() == where
    assert page.view.visualRect(page.view.currentIndex()).top() == shown_at
