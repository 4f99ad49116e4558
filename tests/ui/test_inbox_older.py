"""The HQ Inbox lists the newest bundles only (``list_inbox``'s limit): the ones it
leaves out are said under the list, counted in the reader's language."""

from __future__ import annotations

import sqlite3

from fieldplan.sync.exchange import INBOX_SHOWN
from tests.ui.conftest import wait_idle


def _received(db, count: int) -> None:
    """``count`` rejected bundles in ``db``'s inbox, ML's, one a minute."""
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO inbox (file_name, sha256, office, received_at, outcome, reason) "
            "VALUES (?, ?, 'ML', ?, 'rejected', 'damaged')",
            [(f"ML-{i}.fieldplan", f"{i:064x}",
              f"2026-{1 + i // 40000:02d}-{1 + i // 1440 % 28:02d}T"
              f"{i // 60 % 24:02d}:{i % 60:02d}:00Z") for i in range(count)])
    conn.close()


def _inbox(open_window, qtbot, db):
    window = open_window(db)
    page = window.inbox
    window.show_page(page)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    return page


def test_the_bundles_left_out_of_the_inbox_are_said(open_window, qtbot, hq_db):
    """After two years at 57 offices the Inbox listed its newest 1,000 bundles and the
    older ones were gone from sight with no word of it."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    assert page.model.rowCount() == INBOX_SHOWN
    assert page.older.isVisibleTo(page)
    assert page.older.text() == "The 1,000 newest bundles are listed; 3 older bundles are not."


def test_one_bundle_left_out_is_said_as_one(open_window, qtbot, hq_db):
    _received(hq_db, INBOX_SHOWN + 1)
    page = _inbox(open_window, qtbot, hq_db)
    assert page.older.text() == "The 1,000 newest bundles are listed; 1 older bundle is not."


def test_nothing_is_said_when_every_bundle_is_listed(open_window, qtbot, hq_db):
    _received(hq_db, INBOX_SHOWN)
    page = _inbox(open_window, qtbot, hq_db)
    assert page.model.rowCount() == INBOX_SHOWN
    assert not page.older.isVisibleTo(page)


def test_the_older_bundles_are_reached_a_page_at_a_time(open_window, qtbot, hq_db, tmp_path):
    """The older bundles were counted under the list but no user could reach them: Older
    bundles lists the next page (read in SQL, a page in the model at a time), Newer
    bundles goes back."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    assert page.newer_button.isVisibleTo(page) and not page.newer_button.isEnabled()
    assert page.older_button.isEnabled()
    newest = page.model.data(page.model.index(0, page.model.FILE))
    page.older_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    files = [page.model.data(page.model.index(r, page.model.FILE)) for r in range(3)]
    assert files == ["ML-2.fieldplan", "ML-1.fieldplan", "ML-0.fieldplan"]  # the oldest
    assert page.older.text() == "Bundles 1,001 to 1,003 of 1,003 are listed, the newest first."
    assert page.newer_button.isEnabled() and not page.older_button.isEnabled()
    page.window().grab().save(str(tmp_path / "inbox-older-page.png"))
    page.newer_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == INBOX_SHOWN)
    assert page.model.data(page.model.index(0, page.model.FILE)) == newest
    assert page.older.text() == "The 1,000 newest bundles are listed; 3 older bundles are not."


def test_an_older_page_stays_when_the_inbox_is_read_again(open_window, qtbot, hq_db):
    """A change (an import on another tab) reads the Inbox again: the page of older
    bundles being read stays, not the newest put back under the reader."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    page.older_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    page.refresh()
    wait_idle(qtbot, page.session)
    assert page.model.rowCount() == 3 and page.start == INBOX_SHOWN


def _files(page) -> list[str]:
    return [page.model.data(page.model.index(r, page.model.FILE))
            for r in range(page.model.rowCount())]


def test_an_older_page_keeps_its_bundles_when_new_ones_arrive(open_window, qtbot, hq_db):
    """The page was read by its place from the newest: bundles merged while a person read
    the older ones pushed that many of them off the page's foot and put as many of the
    page before at its head, under the reader's eyes."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    page.older_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    with sqlite3.connect(hq_db) as conn:  # two bundles arrive
        conn.executemany(
            "INSERT INTO inbox (file_name, sha256, office, received_at, outcome, reason) "
            "VALUES (?, ?, 'SN', '2026-12-01T10:00:00Z', 'rejected', 'damaged')",
            [(f"SN-{i}.fieldplan", f"{i + 10**6:064x}") for i in range(2)])
    conn.close()
    page.refresh()
    wait_idle(qtbot, page.session)
    assert _files(page) == ["ML-2.fieldplan", "ML-1.fieldplan", "ML-0.fieldplan"]
    assert page.older.text() == "Bundles 1,003 to 1,005 of 1,005 are listed, the newest first."
    page.newer_button.click()  # the page before it: the 1,000 bundles above, up to ML-3
    qtbot.waitUntil(lambda: page.model.rowCount() == INBOX_SHOWN
                    and _files(page)[-1] == "ML-3.fieldplan")
    assert _files(page)[0] == "ML-1002.fieldplan"
    assert page.older.text() == "Bundles 3 to 1,002 of 1,005 are listed, the newest first."
    page.newer_button.click()  # fewer than a page above: the newest page
    qtbot.waitUntil(lambda: _files(page)[0] == "SN-1.fieldplan")
    assert page.model.rowCount() == INBOX_SHOWN and page.upto is None
