"""The HQ Inbox when the database cannot be read: the error said once, in place of
what was read before, and the page's buttons left as they were."""

from __future__ import annotations

import sqlite3

from fieldplan.sync.exchange import INBOX_SHOWN
from tests.ui.conftest import wait_idle
from tests.ui.test_inbox_older import _inbox, _received


def _locked(monkeypatch) -> None:
    import fieldplan.sync as sync

    def list_inbox(*_a, **_k):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(sync, "list_inbox", list_inbox)


def _lines(page) -> list[str]:
    return [page.gaps.item(i).text() for i in range(page.gaps.count())]


def test_a_failed_reading_is_said_once_in_place_of_the_gaps(
        open_window, qtbot, hq_db, monkeypatch):
    """Each failed reading added its error under the lines already there: under "No
    gaps: every office's events arrived in order.", as if that still held, and once
    more at each change while the database stayed locked."""
    _received(hq_db, 3)
    page = _inbox(open_window, qtbot, hq_db)
    assert _lines(page) == ["No gaps: every office's events arrived in order."]
    _locked(monkeypatch)
    for _ in range(2):
        page.refresh()
        wait_idle(qtbot, page.session)
    lines = _lines(page)
    assert len(lines) == 1 and "database is locked" in lines[0]
    assert page.model.rowCount() == 3  # (what was read stays listed)


def test_older_bundles_can_be_pressed_again_after_a_failed_reading(
        open_window, qtbot, hq_db, monkeypatch):
    """Older bundles is off until its page is read: a reading that failed left it and
    Newer bundles off for good, and the older bundles out of reach."""
    _received(hq_db, INBOX_SHOWN + 3)
    page = _inbox(open_window, qtbot, hq_db)
    _locked(monkeypatch)
    page.older_button.click()
    wait_idle(qtbot, page.session)
    assert page.older_button.isEnabled() and not page.newer_button.isEnabled()
    monkeypatch.undo()
    page.older_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
