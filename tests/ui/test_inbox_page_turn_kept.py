"""Older bundles pressed while the Inbox is read again (an import ending meanwhile):
the older page asked for is the one listed, read as the database is then."""

from __future__ import annotations

from fieldplan.replica import Changes
from fieldplan.sync.exchange import INBOX_SHOWN
from tests.ui.conftest import wait_idle
from tests.ui.test_inbox_older import _inbox, _received
from ui.qtcompat import emit


def test_older_bundles_pressed_as_an_import_ends_stay_listed(open_window, qtbot, hq_db):
    """The reading of the newest page the import's end asked for came after the older
    page's, and put the newest page back over it: the click on Older bundles undone,
    with both buttons usable as if the page had never been asked."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    page.older_button.click()
    emit(page.session.changes_did_happen, Changes(entities=(("inbox", "*"),)))
    wait_idle(qtbot, page.session)
    assert page.model.rowCount() == 3
    assert page.older.text() == "Bundles 1,001 to 1,003 of 1,003 are listed, the newest first."
    # and the newest page once asked, as before
    page.newer_button.click()
    wait_idle(qtbot, page.session)
    assert page.model.rowCount() == INBOX_SHOWN
