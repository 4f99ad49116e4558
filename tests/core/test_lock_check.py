"""What headquarters is told before it locks a period: whether it is locked, whether
it has ended, its drafts and the offices that submitted nothing, its open conflicts
and the quarantined bundles holding its reports (sync.lock_check)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import progress, store
from fieldplan.errors import FieldplanError
from fieldplan.sync import list_quarantine, lock_check
from tests.core.test_locked_conflicts import PERIOD, two_laptops


def test_lock_check_counts_the_periods_open_conflicts_and_quarantined_bundles(
        clock, hq, make_office, tmp_path: Path) -> None:
    # (the offices enrolled during the period: clock's February)
    two_laptops(hq, make_office, tmp_path)
    check = lock_check(hq, PERIOD)
    assert (check.period, check.locked, check.conflicts, check.quarantined) == (
        PERIOD, False, 1, 0)
    # another period's conflicts are not this one's
    assert lock_check(hq, "2026-S2").conflicts == 0
    # a new laptop whose enrolment HQ no longer knows: its bundle waits in quarantine
    sn = make_office("SN")
    with store.write_transaction(sn.conn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(sn, national(sn), PERIOD, status="on-track")
    assert send(sn, hq, tmp_path)[1].outcome == "quarantined"
    assert len(list_quarantine(hq)) == 1
    assert lock_check(hq, PERIOD).quarantined == 1
    assert lock_check(hq, "2026-S2").quarantined == 0  # it holds no report of that one
    progress.set_period_lock(hq, PERIOD)
    after = date(2026, 7, 1)
    assert lock_check(hq, "2026-s1", after) == type(check)(
        PERIOD, True, 1, 1, drafts=1, offices=2, unsubmitted=2, hq_unsubmitted=True,
        ends=date(2026, 6, 30))
    assert lock_check(hq, PERIOD, after).to_dict() == {
        "period": PERIOD, "locked": True, "conflicts": 1, "quarantined": 1, "drafts": 1,
        "hq_drafts": 0, "offices": 2, "unsubmitted": 2, "hq_unsubmitted": True,
        "ends": "2026-06-30", "ongoing": False, "lost_other": False}


def test_a_quarantined_bundle_that_cannot_be_read_is_counted(hq, tmp_path: Path) -> None:
    """It was whole when it came; if it cannot be read now, it may hold the period."""
    with store.write_transaction(hq.conn):
        hq.conn.execute("INSERT INTO quarantine VALUES ('b', 'k', 'p', 'ML', 's', 'f', "
                        "'2026-01-01T00:00:00Z', 1, x'00')")
    assert lock_check(hq, PERIOD).quarantined == 1


def test_lock_check_counts_drafts_silent_offices_and_whether_the_period_has_ended(
        clock, hq, make_office, tmp_path: Path) -> None:
    """As the review pack counts them: the offices expected (those HQ knows, enrolled
    before the period ended: clock's February), a report submitted or not,
    headquarters' own reports on the global actions said apart (it is no office that
    reports to itself: '3 of 4 offices' counted it); and the period's end in the
    plan."""
    ml, sn = make_office("ML"), make_office("SN")
    make_office("NE", "ne-1")  # enrolled, nothing sent
    for rep in (ml, sn):
        progress.record_progress(rep, national(rep), PERIOD, status="on-track")
        progress.record_progress(rep, national(rep, 1), PERIOD, status="at-risk")
    progress.record_progress(ml, national(ml), "2026-S2", status="on-track")  # not this one
    progress.submit_period(ml, PERIOD)
    for rep in (ml, sn):
        send(rep, hq, tmp_path)
    check = lock_check(hq, PERIOD, today=date(2026, 6, 30))  # its last day
    assert (check.drafts, check.offices, check.unsubmitted) == (2, 3, 2)  # NE, SN
    assert check.hq_unsubmitted
    assert (check.ends, check.ongoing) == (date(2026, 6, 30), True)
    assert check.warnings() == (
        "This period has not ended: it runs until 30 Jun 2026. Offices that receive the "
        "lock can no longer record or submit reports for it.",
        "2 of 3 offices have submitted nothing for this period.",
        "Headquarters has submitted none of its own reports on the global actions for "
        "this period.",
        "2 reports of this period are still drafts: once their offices receive the lock, "
        "they can no longer be submitted.",
    )
    assert not lock_check(hq, PERIOD, today=date(2026, 7, 1)).ongoing
    # everything submitted, the period over: nothing to warn of
    progress.submit_period(sn, PERIOD)
    send(sn, hq, tmp_path)
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, PERIOD,
                             status="on-track")
    progress.submit_period(hq, PERIOD)
    assert not lock_check(hq, PERIOD).hq_unsubmitted
    ne = make_office("NE", "ne-2")
    progress.record_progress(ne, national(ne), PERIOD, status="on-track")
    progress.submit_period(ne, PERIOD)
    send(ne, hq, tmp_path)
    assert lock_check(hq, PERIOD, today=date(2026, 7, 1)).warnings() == ()


def test_headquarters_drafts_are_said_apart_from_the_offices(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters' own drafts were counted in "N reports of this period are still
    drafts: once their offices receive the lock…", and no office receives the lock for
    them: headquarters, which locks, can no longer submit them unless it unlocks."""
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), PERIOD, status="on-track")
    send(ml, hq, tmp_path)
    for code in [a.code for a in hq.plan().actions_of(level="global")][:2]:
        progress.record_progress(hq, code, PERIOD, status="on-track")
    check = lock_check(hq, PERIOD, today=date(2026, 7, 1))
    assert (check.drafts, check.hq_drafts) == (1, 2)
    assert check.warnings()[-2:] == (
        "1 report of this period is still a draft: once its office receives the lock, "
        "it can no longer be submitted.",
        "2 of headquarters' own reports of this period are still drafts: once the period "
        "is locked, they cannot be submitted unless the period is unlocked.",
    )
    # and what it says is so: locked, headquarters' drafts are refused
    progress.set_period_lock(hq, PERIOD)
    with pytest.raises(FieldplanError, match="locked"):
        progress.submit_period(hq, PERIOD)
    progress.set_period_lock(hq, PERIOD, locked=False)
    progress.submit_period(hq, PERIOD)
    check = lock_check(hq, PERIOD, today=date(2026, 7, 1))
    assert (check.drafts, check.hq_drafts, check.hq_unsubmitted) == (1, 0, False)
    assert not any("headquarters" in w.lower() for w in check.warnings())


def test_lock_check_counts_what_the_review_pack_counts(hq) -> None:
    """One count for both (sync.export.period_reports): a draft of an office code this
    version does not know, or one the plan hides, is in neither."""
    from fieldplan import events
    from tests.core.test_reports import _pack
    from tests.fixtures.reports.seed import write_progress

    write_progress(hq, "ML", PERIOD, state="draft", only=3)
    write_progress(hq, "SN", PERIOD, only=2)
    national_code = hq.plan().actions_of(level="national")[0].code
    with store.write_transaction(hq.conn):
        # a code this version does not know, and a report on an action no plan has
        events.append(hq.conn, "progress", f"ZZ|{national_code}|{PERIOD}",
                      {"status": "on-track", "state": "draft"}, author="zz.officer")
        events.append(hq.conn, "progress", f"SN|PA9.99|{PERIOD}",
                      {"status": "on-track", "state": "draft"}, author="sn.officer")
    check, pack = lock_check(hq, PERIOD), _pack(hq)
    assert check.drafts == pack.drafts == 3
    # headquarters' own drafts: in the pack's count, said apart by the lock check
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, PERIOD,
                             status="on-track")
    check, pack = lock_check(hq, PERIOD), _pack(hq)
    assert (check.drafts, check.hq_drafts) == (3, 1) and pack.drafts == 4
    assert (pack.hidden, pack.unknown) == (1, {"ZZ": 1})
    assert check.offices == len(pack.offices_reported) + len(pack.not_reported_offices) == 2
    assert check.unsubmitted == len(pack.not_reported_offices) == 1  # ML
    assert check.hq_unsubmitted and pack.hq_not_reported  # HQ, apart


def test_lock_check_of_a_period_outside_the_plan(hq) -> None:
    """Nothing held for it: nothing to count, no error (its lock is refused apart)."""
    check = lock_check(hq, "2031-S1")
    assert (check.drafts, check.unsubmitted, check.ends) == (0, check.offices, None)


def test_the_lock_check_and_the_sync_state_count_conflicts_without_listing_them(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """They counted the conflicts by listing them, each with its values, authors,
    times and report's state: seconds at a headquarters of many conflicts, at every
    save (the window's sync state) and before the Lock dialog opened. The count is
    the listing's, of the period asked (lock_check) or of all (sync_state)."""
    from fieldplan.sync import conflicts as conflicts_module
    from fieldplan.sync import list_conflicts, locking, sync_state
    from fieldplan.sync.conflicts import count_conflicts

    two_laptops(hq, make_office, tmp_path)
    listed = list_conflicts(hq)
    assert count_conflicts(hq) == len(listed) == 1
    assert count_conflicts(hq, PERIOD) == 1 and count_conflicts(hq, "2026-S2") == 0

    def listing(rep):
        raise AssertionError("conflicts listed to be counted")

    monkeypatch.setattr(conflicts_module, "list_conflicts", listing)
    monkeypatch.setattr(locking, "list_conflicts", listing, raising=False)
    assert lock_check(hq, PERIOD).conflicts == 1
    assert lock_check(hq, "2026-S2").conflicts == 0
    assert sync_state(hq).conflicts == 1


def test_the_periods_end_is_judged_by_the_clock_writes_are_stamped_with(
        hq, monkeypatch) -> None:
    """A clock moved past the period's end (as tests and a computer ahead have it)."""
    import datetime as dt

    from fieldplan import events

    monkeypatch.setattr(events, "wall_ms", lambda: int(
        dt.datetime(2026, 6, 30, 12).timestamp() * 1000))
    assert lock_check(hq, PERIOD).ongoing
    monkeypatch.setattr(events, "wall_ms", lambda: int(
        dt.datetime(2026, 7, 1, 12).timestamp() * 1000))
    assert not lock_check(hq, PERIOD).ongoing


def test_the_warning_says_none_has_submitted_when_none_has() -> None:
    """"58 of 58 offices have submitted nothing for this period." was said when none
    had: it says none of them has; one of several, and a lone office, as before or in
    its own words."""
    from fieldplan.sync.locking import LockCheck

    def said(offices: int, unsubmitted: int) -> str:
        return LockCheck(PERIOD, False, 0, 0, offices=offices,
                         unsubmitted=unsubmitted).warnings()[0]

    assert said(58, 58) == "None of the 58 offices has submitted anything for this period."
    assert said(1234, 1234) == (
        "None of the 1,234 offices has submitted anything for this period.")
    assert said(58, 57) == "57 of 58 offices have submitted nothing for this period."
    assert said(2, 1) == "1 of 2 offices has submitted nothing for this period."
    assert said(1, 1) == (
        "The one office awaited on this period has submitted nothing for it.")
    assert LockCheck(PERIOD, False, 0, 0, offices=3).warnings() == ()
