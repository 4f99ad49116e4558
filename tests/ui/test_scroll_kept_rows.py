"""The HQ pages read again after an import keep the rows the person was reading in
sight, where they were, also when the import added rows above them (the Inbox lists
the newest bundles first: every import puts its bundles at the top)."""

from __future__ import annotations

import sqlite3

from fieldplan.replica import Changes
from tests.ui.conftest import wait_idle
from tests.ui.test_inbox_older import _inbox, _received
from ui.hq_desk import select_row
from ui.qtcompat import emit

NEW = 57  # (an import of every office's bundle)


def _arrive(db, count: int) -> None:
    """``count`` bundles newer than every other, as an import of them lists them."""
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO inbox (file_name, sha256, office, received_at, outcome, reason) "
            "VALUES (?, ?, 'SN', '2027-01-01T10:00:00Z', 'rejected', 'damaged')",
            [(f"SN-{i}.fieldplan", f"{i + 10**6:064x}") for i in range(count)])
    conn.close()


def _read_again(page, qtbot) -> None:
    emit(page.session.changes_did_happen, Changes(entities=(("inbox", "*"),)))
    wait_idle(qtbot, page.session)


def _top_file(page) -> str:
    return page.view.indexAt(page.view.viewport().rect().topLeft()).siblingAtColumn(
        page.model.FILE).data()


def test_the_bundles_read_stay_in_sight_when_new_ones_come_above(open_window, qtbot,
                                                                   hq_db):
    """Scrolled halfway down 500 bundles, an import of 57 put 57 other bundles where
    the person was reading: the table kept its scroll bar's value, not its rows."""
    _received(hq_db, 500)
    page = _inbox(open_window, qtbot, hq_db)
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    reading = _top_file(page)
    _arrive(hq_db, NEW)
    _read_again(page, qtbot)
    assert page.model.rowCount() == 500 + NEW
    assert _top_file(page) == reading


def test_a_bundle_chosen_in_sight_stays_where_it_is_shown(open_window, qtbot, hq_db):
    """The bundle chosen, in sight, was pulled back into sight at the table's edge."""
    _received(hq_db, 500)
    page = _inbox(open_window, qtbot, hq_db)
    select_row(page.view, 300)
    bar = page.view.verticalScrollBar()
    bar.setValue(bar.value() + 3)  # (in the middle of what is shown, not at its edge)
    chosen = page.view.currentIndex().siblingAtColumn(page.model.FILE).data()
    shown_at = page.view.visualRect(page.view.currentIndex()).top()
    _arrive(hq_db, NEW)
    _read_again(page, qtbot)
    current = page.view.currentIndex()
    assert current.siblingAtColumn(page.model.FILE).data() == chosen
    assert page.view.visualRect(current).top() == shown_at
