"""The window's own reads in the background (the minute's poll, a change heard) that
fail are not errors to click away: a database on a drive that stopped answering said
"disk I/O error" in a new warning box every minute, one over the other, until the
window was closed."""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QDialog

from fieldplan.replica import Replica
from tests.ui.conftest import wait_idle, wait_painted


def error_boxes(window) -> list[QDialog]:
    return [d for d in window.findChildren(QDialog, "error-box") if d.isVisible()]


def test_a_plan_not_read_again_says_no_box(open_window, qtbot, office_db, monkeypatch):
    window = open_window(office_db)
    wait_painted(qtbot, window)
    wait_idle(qtbot, window.session)
    shown = window.identity

    def plan(self):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Replica, "plan", plan)
    for _ in range(3):  # three minutes of polls
        window.poll()
        wait_idle(qtbot, window.session)
    assert error_boxes(window) == []
    assert window.identity is shown  # what was shown stays
    monkeypatch.undo()  # the drive answers again: the next poll reads as before
    window.poll()
    wait_idle(qtbot, window.session)
    assert error_boxes(window) == []
    assert window.identity.plan == shown.plan


def test_a_window_found_damaged_stops_looking_at_its_closed_database(shell, qtbot, hq_db):
    """Kept behind the cannot-open dialog, the window of a database found damaged went
    on asking its closed database every 2 seconds (and every minute, and each time
    fieldplan came back in front): jobs that no worker would ever run, piling up with
    what they hold of the window for as long as the dialog waited for a restore."""
    from tests.ui.test_cannot_open import backed_up_then_damaged
    from ui.qtcompat import Qt

    backed_up_then_damaged(hq_db, "events")
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.damaged_window is not None, timeout=10_000)
    window = shell.damaged_window
    wait_painted(qtbot, window)
    assert not window._outside_timer.isActive()
    assert not window._sync_timer.isActive()
    queued = window.session.pending
    window._application_state_changed(Qt.ApplicationState.ApplicationInactive)
    window._application_state_changed(Qt.ApplicationState.ApplicationActive)
    window.poll()
    window.check_outside()
    assert window.session.pending == queued
    assert not window._outside_timer.isActive()
