"""Locked periods in the window: the period chooser and the status bar say which are
locked, the Period menu offers only what applies (Lock or Unlock), the lock dialog
says what the lock would leave stuck, and a conflict in a locked period is refused on
the Conflicts page as a save is."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from fieldplan import progress, store
from fieldplan.replica import open_replica
from tests.scenes import laptops_in_conflict
from tests.ui.conftest import wait_idle
from tests.ui.test_hq_office import _receive, _set_lock, export_from, send_to_hq

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S1"


def offered(window) -> dict[str, str]:
    combo = window.period_combo
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}


@pytest.fixture
def today(monkeypatch):
    """today(2026, 7, 1): the day the lock check judges a period's end by (this
    computer's, by the clock writes are stamped with: ``events.local_today``)."""
    import datetime as dt

    from fieldplan import events

    def set_today(*ymd: int) -> None:
        monkeypatch.setattr(events, "local_today", lambda: dt.date(*ymd))

    return set_today


def lock_dialog(window, qtbot, locked: bool = True) -> QDialog:
    window.lock_dialog(locked)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is not None,
                    timeout=5000)
    return window.findChild(QDialog, "lock-dialog")


def test_headquarters_sees_which_periods_are_locked_and_is_offered_what_applies(
        open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    assert offered(window)[PERIOD] == "1st semester 2026"
    assert window.period_label.text() == "1st semester 2026"
    assert window.lock_action.isEnabled() and not window.unlock_action.isEnabled()
    assert window.submit_action.isEnabled()
    # the one offered says nothing more; the other why it is not (it said its name)
    assert "locked." not in window.lock_action.toolTip()  # (Qt's: its own name)
    assert window.unlock_action.toolTip() == "1st semester 2026 is not locked."

    _set_lock(window, qtbot, True)
    assert offered(window)[PERIOD] == "1st semester 2026 · locked"
    combo = window.period_combo
    assert combo.currentText() == "1st semester 2026 · locked"
    # wide enough for it (it was sized for the words without the mark)
    qtbot.waitUntil(lambda: combo.width() > combo.fontMetrics().horizontalAdvance(
        combo.currentText()), timeout=5000)
    assert offered(window)["2026-S2"] == "2nd semester 2026"  # only that one
    assert window.period_label.text() == "1st semester 2026 · locked"
    # to headquarters, which locked it: where to unlock it (it read "Headquarters has
    # locked this period.", as an office reads it)
    assert window.period_label.toolTip() == (
        "This period is locked: its reports cannot be changed unless you unlock it "
        "(Period ▸ Unlock period…).")
    assert not window.lock_action.isEnabled() and window.unlock_action.isEnabled()
    assert window.lock_action.toolTip() == "1st semester 2026 is already locked."
    assert not window.submit_action.isEnabled()  # the core refuses it: not offered
    # another period: its own state
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    assert window.period_label.text() == "2nd semester 2026"
    assert window.period_label.toolTip() == ""
    assert window.lock_action.isEnabled() and not window.unlock_action.isEnabled()
    assert window.submit_action.isEnabled()

    _set_lock(window, qtbot, False)  # (it shows 2026-S1 again)
    assert offered(window)[PERIOD] == "1st semester 2026"
    assert window.lock_action.isEnabled() and not window.unlock_action.isEnabled()


def test_the_lock_state_is_read_on_the_worker(open_window, qtbot, hq_db, monkeypatch):
    threads = []
    real = progress.locked_periods

    def spy(rep):
        threads.append(threading.current_thread())
        return real(rep)

    monkeypatch.setattr(progress, "locked_periods", spy)
    window = open_window(hq_db)
    wait_idle(qtbot, window.session)
    assert threads and threading.main_thread() not in threads


def test_a_lock_made_elsewhere_shows_after_a_plan_change(open_window, qtbot, hq_db):
    """The chooser is made again for a new plan (set_identity): with the locks as the
    database holds them then."""
    window = open_window(hq_db)
    with open_replica(hq_db) as rep:
        progress.set_period_lock(rep, PERIOD)  # `fieldplan period lock`, meanwhile
    assert offered(window)[PERIOD] == "1st semester 2026"
    window.set_identity(window.identity)
    wait_idle(qtbot, window.session)
    assert offered(window)[PERIOD] == "1st semester 2026 · locked"


def test_the_office_sees_the_lock_it_received(open_window, qtbot, hq, make_office, tmp_path):
    sn = make_office("SN")
    code = sn.plan().actions_of(level="national")[0].code
    progress.record_progress(sn, code, PERIOD, status="on-track", percent=20)
    send_to_hq(sn, hq, tmp_path)
    hq_path, sn_path = hq.path, sn.path
    hq.close()
    sn.close()
    hq_window = open_window(hq_path)
    office = open_window(sn_path)
    office.set_period(PERIOD)
    wait_idle(qtbot, office.session)
    assert not hasattr(office, "lock_action")  # HQ's alone
    assert offered(office)[PERIOD] == "1st semester 2026"

    _set_lock(hq_window, qtbot, True)
    _receive(office, qtbot, export_from(hq_window, qtbot, tmp_path / "lock", "SN"))
    # as the report editor says it (its fields are read-only)
    assert offered(office)[PERIOD] == "1st semester 2026 · locked"
    assert office.period_label.text() == "1st semester 2026 · locked"
    assert office.period_label.toolTip() == "Headquarters has locked this period."
    assert not office.submit_action.isEnabled()

    _set_lock(hq_window, qtbot, False)
    _receive(office, qtbot, export_from(hq_window, qtbot, tmp_path / "unlock", "SN"))
    assert offered(office)[PERIOD] == "1st semester 2026"
    assert office.submit_action.isEnabled()


def quarantined_sn(hq, make_office, tmp_path: Path) -> None:
    """A bundle of SN's with a report of 2026-S1, in HQ's quarantine (HQ no longer
    knows the enrolment it came with)."""
    sn = make_office("SN", "sn")
    with store.write_transaction(sn.conn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(sn, sn.plan().actions_of(level="national")[0].code, PERIOD,
                             status="on-track")
    out = tmp_path / "sn-out"
    out.mkdir()
    assert sync.import_bundle(hq, sync.export_bundle(sn, out_dir=out).path).outcome \
        == "quarantined"


def test_the_lock_dialog_says_what_the_lock_leaves_stuck(clock, open_window, qtbot, hq,
                                                         make_office, tmp_path, today):
    today(2026, 7, 1)  # the period is over (its offices enrolled in February: clock)
    laptops_in_conflict(hq, make_office, tmp_path, told="")
    quarantined_sn(hq, make_office, tmp_path)
    path = hq.path
    hq.close()
    window = open_window(path)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    dialog = lock_dialog(window, qtbot)
    assert dialog.text.text() == (
        "Lock 1st semester 2026? Offices can no longer change their reports for it once "
        "they receive the lock.\n\n"
        "None of the 2 offices has submitted anything for this period.\n\n"
        "Headquarters has submitted none of its own reports on the global actions for "
        "this period.\n\n"
        "1 report of this period is still a draft: once its office receives the lock, it "
        "can no longer be submitted.\n\n"
        "1 open conflict in this period: no one can settle it while the period is "
        "locked.\n\n"
        "1 bundle waiting in quarantine holds reports of this period: trusted after the "
        "lock, it brings changes to the locked period.")
    assert dialog.cancel_button.isDefault()  # Enter does not lock over them
    dialog.accept()  # still allowed: HQ decides
    qtbot.waitUntil(lambda: window.unlock_action.isEnabled(), timeout=5000)
    with open_replica(path) as rep:
        assert progress.is_locked(rep, PERIOD)
    # another period: nothing stuck, nothing said
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    dialog = lock_dialog(window, qtbot)
    assert "conflict" not in dialog.text.text() and "quarantine" not in dialog.text.text()
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_locking_a_period_not_over_with_reports_unsubmitted_says_so_and_enter_cancels(
        open_window, qtbot, hq_db, today):
    """The window opens on the semester in progress: locking it would stop offices
    submitting. Said, as 'fieldplan period lock' says it; Cancel is the default."""
    from PySide6.QtCore import Qt

    today(2026, 6, 20)
    window = open_window(hq_db)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    dialog = lock_dialog(window, qtbot)
    assert dialog.text.text() == (
        "Lock 1st semester 2026? Offices can no longer change their reports for it once "
        "they receive the lock.\n\n"
        "This period has not ended: it runs until 30 Jun 2026. Offices that receive the "
        "lock can no longer record or submit reports for it.\n\n"
        "Headquarters has submitted none of its own reports on the global actions for "
        "this period.\n\n"
        "2 of headquarters' own reports of this period are still drafts: once the period "
        "is locked, they cannot be submitted unless the period is unlocked.")
    assert dialog.cancel_button.isDefault() and not dialog.ok_button.isDefault()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is None)  # closed
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:
        assert not progress.is_locked(rep, PERIOD)
    # over and submitted: nothing to warn of, Lock is the default
    with open_replica(hq_db) as rep:
        progress.submit_period(rep, PERIOD)
    today(2026, 7, 1)
    dialog = lock_dialog(window, qtbot)
    assert dialog.text.text() == (
        "Lock 1st semester 2026? Offices can no longer change their reports for it once "
        "they receive the lock.")
    assert dialog.ok_button.isDefault()
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_the_lock_dialog_says_the_period_is_locked_already(open_window, qtbot, hq_db):
    with open_replica(hq_db) as rep:
        progress.set_period_lock(rep, PERIOD)
    window = open_window(hq_db)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    dialog = lock_dialog(window, qtbot, True)
    assert dialog.text.text() == "1st semester 2026 is already locked."
    dialog.accept()
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    dialog = lock_dialog(window, qtbot, False)
    assert dialog.text.text() == "2nd semester 2026 is not locked."
    dialog.accept()
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:
        assert progress.locked_periods(rep) == [PERIOD]


def test_a_conflict_in_a_locked_period_cannot_be_kept_and_says_to_ask_headquarters(
        open_window, qtbot, hq, make_office, tmp_path):
    """Keep was offered and then refused ("locked by headquarters"): the page now says
    the period is locked and whom to ask, and offers no Keep until it is unlocked."""
    a, _b, _code, out = laptops_in_conflict(hq, make_office, tmp_path, told="")
    progress.set_period_lock(hq, PERIOD)
    sync.import_bundle(a, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    [conflict] = sync.list_conflicts(a)
    path = a.path
    a.close()
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    assert not any(button.isEnabled() for button in page.keep_buttons)
    assert page.message.text().splitlines()[1:] == [
        "1st semester 2026 is locked by headquarters: ask headquarters to unlock it to "
        "settle this conflict."]
    # the core refuses it too (as a save is), should a Keep be pressed all the same
    page.resolve(conflict.id, conflict.candidates[1].value_id)
    qtbot.waitUntil(lambda: "only headquarters" in page.message.text(), timeout=5000)
    # (the refusal first, kept above the conflict read again: ui.hq_desk, rconflicts)
    assert page.message.text().splitlines()[0] == (
        "1st semester 2026 is locked by headquarters; only headquarters can unlock it")
    wait_idle(qtbot, window.session)
    assert page.model.rowCount() == 1
    with open_replica(path) as rep:
        assert [c.id for c in sync.list_conflicts(rep)] == [conflict.id]


def test_headquarters_is_told_to_unlock_so_that_the_office_can_settle(
        open_window, qtbot, hq, make_office, tmp_path):
    laptops_in_conflict(hq, make_office, tmp_path, told="")
    progress.set_period_lock(hq, PERIOD)
    path = hq.path
    hq.close()
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    assert not any(button.isEnabled() for button in page.keep_buttons)
    assert ("1st semester 2026 is locked: unlock it so that ML's computers can settle "
            "this conflict.") in page.message.text().splitlines()


def test_the_editor_still_says_a_locked_reports_values_are_in_conflict(
        open_window, qtbot, hq, make_office, tmp_path):
    """The editor fell silent about the conflict once the period was locked, while the
    printed sheet said "Values in conflict": it says it, and whom to ask to settle it
    (as the Conflicts page)."""
    from tests.ui.test_hq_office import _choose

    a, _b, code, out = laptops_in_conflict(hq, make_office, tmp_path, told="")
    progress.set_period_lock(hq, PERIOD)
    sync.import_bundle(a, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    path = a.path
    a.close()
    window = open_window(path)
    editor = _choose(window, qtbot, code)
    lines = editor.notice.text().splitlines()
    assert lines[:2] == [
        "Headquarters has locked this period: this draft will not be submitted unless "
        "headquarters unlocks the period.",
        "Changed on two computers, neither seeing the other's change: Status. Both "
        "versions are kept; ask headquarters to unlock the period to choose one in "
        "Conflicts."]
    # and whose status it shows, when the other laptop's won (its clock later)
    assert all(line.startswith("Shown here for Status: what \u2068tester\u2069 wrote on "
                               "computer ") for line in lines[2:]) and len(lines) <= 3


def test_a_lock_lost_with_a_restore_can_be_undone_from_the_period_menu(
        open_window, qtbot, hq, make_office, tmp_path):
    """Restored from a backup older than its lock, HQ shows the period unlocked while
    ML holds it locked: Unlock was greyed out (and "not locked" if asked). It is
    offered, says why, and reaches ML."""
    from tests.scenes import send

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, PERIOD,
                             status="on-track")
    send(ml, hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, PERIOD)
    send(hq, ml, tmp_path)
    path = hq.path
    hq.close()
    store.restore_backup(path, backup, force=True)
    window = open_window(path)
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.unlock_action.isEnabled(), timeout=5000)
    assert window.lock_action.isEnabled()  # (HQ shows it unlocked)
    dialog = lock_dialog(window, qtbot, False)
    assert dialog.text.text().split("\n\n") == [
        "Unlock 1st semester 2026? Offices can change their reports for it again.",
        "Offices may still hold 1st semester 2026 locked: its lock was lost with the "
        "restore from a backup. Unlocking it again reaches them."]
    dialog.accept()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: not window.unlock_action.isEnabled(), timeout=5000)
    with open_replica(path) as rep:
        send(rep, ml, tmp_path)
    assert not progress.is_locked(ml, PERIOD)


def test_a_conflict_of_a_locked_period_the_plan_no_longer_covers_is_unlocked_from_it(
        open_window, qtbot, hq, make_office, tmp_path):
    """An amendment ended the plan before a locked period: the Period menu cannot
    show it, and its conflicts said "unlock it" with no way to. The Conflicts page
    offers Unlock for the conflict's period."""
    from tests.scenes import locked_then_left_outside

    locked_then_left_outside(hq, make_office, tmp_path)
    path = hq.path
    hq.close()
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: page.unlock_button.isVisibleTo(page), timeout=5000)
    assert page.unlock_button.text() == "&Unlock 2nd semester 2026…"
    assert page.unlock_button.isEnabled()
    page.unlock_button.click()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is not None,
                    timeout=5000)
    dialog = window.findChild(QDialog, "lock-dialog")
    assert dialog.text.text() == ("Unlock 2nd semester 2026? Offices can change their "
                                  "reports for it again.")
    dialog.accept()
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert not progress.is_locked(rep, "2026-S2")
    qtbot.waitUntil(lambda: not page.unlock_button.isVisibleTo(page), timeout=5000)
