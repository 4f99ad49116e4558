"""Which offices a period awaits (sync.export.expected_offices), the one rule the review
pack (its cover's "of N", its offices that have not reported), the lock check ("N of M
offices") and headquarters' Overview share. An office is awaited from the period in
which headquarters first enrolled it: one set up in December 2026 was listed as
"never" having reported on 2025 while the period was not locked. Headquarters is
awaited on its global actions whenever they are due; an office whose enrolment is
unknown is awaited; one that reported on a period anyway is counted for it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.reports import build_review_pack
from fieldplan.sync import enroll_office, lock_check
from fieldplan.sync.export import enrolled_too_late, enrolment_times, expected_offices
from tests.core.test_reports import _pack, pdf_text
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"  # January to June 2026


def _enrol(hq, office: str, when: str, tmp_path: Path) -> None:
    """Enrol ``office`` at ``when`` (ISO UTC), as headquarters' clock stamps it."""
    enroll_office(hq, office, tmp_path / f"{office}-{when[:10]}.fieldplan")
    with hq.conn:
        hq.conn.execute("UPDATE enrolments SET created_at = ? WHERE office = ? AND "
                        "created_at = (SELECT max(created_at) FROM enrolments WHERE "
                        "office = ?)", (when, office, office))


def test_an_office_enrolled_after_the_period_ended_is_not_awaited_on_it(
        clock, hq, tmp_path: Path, capsys) -> None:
    """The period is not locked: SN, enrolled on its last day, is awaited on it; JO and
    RO-Dakar, enrolled in December, are not, in the pack (cover and table), the lock
    check and ``period lock``'s warning; the next period awaits all three. TN,
    enrolled in December too, reported on the period all the same: it is counted."""
    write_progress(hq, "ML", PERIOD)  # known by its reports only: awaited
    _enrol(hq, "SN", "2026-06-30T12:00:00Z", tmp_path)  # the period's last day
    for office in ("JO", "RO-Dakar", "TN"):
        _enrol(hq, office, "2026-12-01T09:00:00Z", tmp_path)
    write_progress(hq, "TN", PERIOD)
    clock("2026-12-06")
    plan = hq.plan()

    assert enrolled_too_late(hq, plan, PERIOD) == ["JO", "RO-Dakar", "TN"]
    assert expected_offices(hq, plan, PERIOD) == ["HQ", "ML", "SN"]
    assert expected_offices(hq, plan, PERIOD, {"TN"}) == ["HQ", "ML", "SN", "TN"]
    assert set(expected_offices(hq, plan, "2026-S2")) == {
        "HQ", "ML", "SN", "JO", "RO-Dakar", "TN"}

    pack = _pack(hq)
    assert sorted(pack.reported) == ["ML", "TN"] and pack.not_reported_offices == ["SN"]
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "Offices that reported: 2 of 3" in text
    # in no count nor table: named once, as not awaited (test_offices_enrolled_too_late…)
    for name in ("Jordan (JO)", "Regional Office, Dakar (RO-Dakar)"):
        assert text.count(name) == 1
    assert ("Not awaited on this period, as they were enrolled after the period ended: "
            "Regional Office, Dakar (RO-Dakar), Jordan (JO).") in text
    # the table is of the offices awaited, not of all "known here (enrolled, or with
    # data for another period)": JO and RO-Dakar are known, and not in it
    assert ("Offices that have not reported Offices awaited on this period that have "
            "submitted no report for it:") in text
    assert "Offices known here" not in text

    check = lock_check(hq, PERIOD, today=date(2026, 12, 6))
    assert (check.offices, check.unsubmitted) == (3, 1)  # SN of ML, SN and TN
    assert check.hq_unsubmitted  # headquarters: never enrolled, always awaited
    later = lock_check(hq, "2026-S2", today=date(2026, 12, 6))
    assert (later.offices, later.unsubmitted) == (5, 5)

    db = str(tmp_path / "hq.sqlite3")
    hq.close()
    assert main(["--db", db, "--json", "period", "lock", PERIOD]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "1 of 3 offices has submitted nothing for this period." in out["warnings"]


def test_a_period_locked_before_its_end_does_not_await_an_office_enrolled_after_the_lock(
        clock, hq, tmp_path: Path) -> None:
    """Headquarters locked 2026-S1 early, in May; an office enrolled in June cannot
    report on it (its setup bundle brings the lock). Unlocked, the period awaits it:
    it was enrolled before the period ended. (In June by headquarters' clock too: a
    setup bundle stamped later than now is of a clock that was ahead.)"""
    clock("2026-05-20")
    progress.set_period_lock(hq, PERIOD)
    clock("2026-06-10")
    _enrol(hq, "SN", "2026-06-10T09:00:00Z", tmp_path)
    plan = hq.plan()
    assert "SN" not in expected_offices(hq, plan, PERIOD)
    assert lock_check(hq, PERIOD).offices == 0
    progress.set_period_lock(hq, PERIOD, locked=False)
    assert "SN" in expected_offices(hq, hq.plan(), PERIOD)
    assert lock_check(hq, PERIOD).offices == 1


def test_the_pack_says_whether_an_office_came_after_the_period_ended_or_was_locked(
        clock, hq, tmp_path: Path) -> None:
    """Why an office is not awaited, said truly: the pack said "enrolled after the
    period ended or was locked" of a period not locked. 2026-S1, locked in May: SN,
    enrolled in June, came after the lock (the period had not ended); TD, enrolled in
    August, after both, the lock first. 2025-S2, locked in February 2026, after it
    ended: TD came after its end. Found by QA."""
    from fieldplan.sync.export import AFTER_END, AFTER_LOCK, enrolled_too_late_why

    clock("2026-02-10")
    progress.set_period_lock(hq, "2025-S2")
    clock("2026-05-20")
    progress.set_period_lock(hq, PERIOD)
    clock("2026-06-10")
    _enrol(hq, "SN", "2026-06-10T09:00:00Z", tmp_path)
    clock("2026-08-12")
    _enrol(hq, "TD", "2026-08-12T09:00:00Z", tmp_path)
    write_progress(hq, "ML", PERIOD)
    clock("2026-08-20")
    plan = hq.plan()
    assert enrolled_too_late_why(hq, plan, PERIOD) == {"SN": AFTER_LOCK, "TD": AFTER_LOCK}
    assert enrolled_too_late_why(hq, plan, "2025-S2") == {"SN": AFTER_END, "TD": AFTER_END}
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert ("Not awaited on this period, as they were enrolled after the period was "
            "locked: Chad (TD), Senegal (SN).") in text
    assert "after the period ended" not in text
    text = pdf_text(build_review_pack(hq, "2025-S2", tmp_path / "q.pdf"))
    assert ("Not awaited on this period, as they were enrolled after the period ended: "
            "Chad (TD), Senegal (SN).") in text
    # unlocked, 2026-S1 awaits SN (enrolled before its end), and TD came after its end
    progress.set_period_lock(hq, PERIOD, locked=False)
    assert enrolled_too_late_why(hq, hq.plan(), PERIOD) == {"TD": AFTER_END}
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "r.pdf"))
    assert ("Not awaited on this period, as it was enrolled after the period ended: "
            "Chad (TD).") in text and "was locked" not in text


def test_the_first_enrolment_counts_and_an_unknown_one_is_awaited(
        clock, hq, make_office, tmp_path: Path) -> None:
    """An office enrolled again in December (a second laptop) was awaited from its
    first enrolment on. A key registered late (its first bundle arrived in
    December) does not move an enrolment known earlier; with no enrolment recorded
    here (another computer of headquarters wrote it), the key's registration dates
    it. An office headquarters holds reports of, but no enrolment or key (an older
    database), is awaited."""
    from tests.core.test_sync import send

    ml = make_office("ML")  # in February (clock)
    clock("2026-12-01")
    _enrol(hq, "ML", "2026-12-01T09:00:00Z", tmp_path)  # again
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S2", status="on-track")
    send(ml, hq, tmp_path)  # its key registered now
    write_progress(hq, "SN", "2026-S2")  # known by its reports (of another period)

    assert enrolment_times(hq)["ML"] < "2026-03-01"
    assert "SN" not in enrolment_times(hq)
    assert {"ML", "SN"} <= set(expected_offices(hq, hq.plan(), PERIOD))
    with hq.conn:  # an enrolment headquarters did not record here
        hq.conn.execute("DELETE FROM enrolments")
    assert enrolment_times(hq)["ML"] >= "2026-12-01"
    assert "ML" not in expected_offices(hq, hq.plan(), PERIOD)
    assert "ML" in expected_offices(hq, hq.plan(), "2026-S2")


def test_the_demo_world_awaits_offices_enrolled_in_december_only_from_then(
        tmp_path: Path) -> None:
    """A merged demo world, then SN, JO and RO-Dakar enrolled in December 2026: the
    pack of 2025-S2 said "Offices that reported: 4 of 7" and listed them as "never"
    having reported. Its own offices were enrolled at the plan's signing, as its story
    says: awaited on every period."""
    from fieldplan import events
    from fieldplan.demo import make_demo
    from fieldplan.replica import open_replica

    world = make_demo(tmp_path / "world", offices=4, seed=1, merge=True)
    with open_replica(world.hq) as hq:
        assert all(when < "2025-07-01" for when in enrolment_times(hq).values())
        for office in ("SN", "JO", "RO-Dakar"):
            if office in world.offices:
                continue
            enroll_office(hq, office, tmp_path / f"{office}.fieldplan")
        new = [o for o in ("SN", "JO", "RO-Dakar") if o not in world.offices]
        assert all(enrolment_times(hq)[o] >= "2026-12-01" for o in new)  # (today)
        pack = _pack(hq, period="2025-S2")
        assert sorted(pack.reported) == sorted([*world.offices, "HQ"])
        assert pack.not_reported_offices == []
        check = lock_check(hq, "2025-S2")
        assert (check.offices, check.unsubmitted) == (4, 0)
        # the period of today awaits them (while the plan runs)
        now = hq.plan().period_for_date(events.local_today())
        if now is not None:
            assert set(new) <= set(expected_offices(hq, hq.plan(), str(now)))


def test_offices_enrolled_too_late_are_named_as_not_awaited(clock, hq, tmp_path: Path) -> None:
    """Every office awaited on 2026-S1 reported; RO-Cairo, enrolled in December, is
    known here and sent nothing for it: the pack said "Every known office has reported
    for this period." (and a table of the offices that have not reported left it out
    without a word), which an officer comparing with the offices enrolled could not
    square. The section names the offices not awaited and why; found by QA (a
    semester review at a headquarters of 57 offices, two enrolled on the day)."""
    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "HQ", PERIOD)
    _enrol(hq, "RO-Cairo", "2026-12-01T09:00:00Z", tmp_path)
    clock("2026-12-06")
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    section = text[text.rindex("Offices that have not reported"):]
    assert "Every known office has reported" not in section
    assert section.startswith(
        "Offices that have not reported Every office awaited on this period has reported "
        "for it. Not awaited on this period, as it was enrolled after the period ended: "
        "Regional Office, Cairo (RO-Cairo).")
    # awaited on the next period, it is one of the offices that have not reported
    text = pdf_text(build_review_pack(hq, "2026-S2", tmp_path / "q.pdf"))
    section = text[text.rindex("Offices that have not reported"):]
    assert "Not awaited" not in section and "Regional Office, Cairo RO-Cairo" in section


def test_an_office_enrolled_while_headquarters_clock_was_a_year_ahead_is_awaited(
        clock, hq, tmp_path: Path) -> None:
    """Headquarters' laptop said February 2027 when it enrolled ML and SN in February
    2026 (a wrong year): their setup bundles were stamped 2027, and both were "enrolled
    after the period ended" on every period of 2026, never chased. ML's computer, with
    a right clock, wrote its first reports in February 2026, which its setup bundle
    came before: it is enrolled by them, while headquarters' clock is still wrong.
    Once that clock is put right, SN's stamp (which nothing else dates: it never sent
    a bundle) is in the future, no time of its enrolment: awaited, as an office whose
    enrolment is unknown. Found by QA."""
    from fieldplan.sync import init_from_setup
    from tests.core.test_sync import send

    clock("2027-02-02")  # headquarters' clock, a year ahead
    progress.set_period_lock(hq, "2025-S2")  # (an event of that clock in the bundles)
    enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    clock("2026-02-03")  # ML's computer, right
    ml = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ML-setup.fieldplan")
    action = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, action, "2026-S2", status="on-track")
    clock("2026-02-10")  # (nothing on 2026-S1)
    progress.record_progress(ml, action, "2026-S2", status="at-risk", percent=10)
    clock("2027-03-01")  # headquarters, still a year ahead, imports ML's bundle
    send(ml, hq, tmp_path)
    ml.close()

    assert enrolment_times(hq)["ML"] < "2026-02-11"
    assert "ML" not in enrolled_too_late(hq, hq.plan(), PERIOD)
    assert "ML" in expected_offices(hq, hq.plan(), PERIOD)
    assert enrolment_times(hq)["SN"] >= "2027-02-02"  # (nothing says otherwise yet)

    clock("2026-07-10")  # the clock put right: the review of 2026-S1
    assert "SN" not in enrolment_times(hq)
    assert enrolled_too_late(hq, hq.plan(), PERIOD) == []
    assert {"ML", "SN"} <= set(expected_offices(hq, hq.plan(), PERIOD))
    pack = _pack(hq)
    assert {"ML", "SN"} <= set(pack.not_reported_offices)
    assert lock_check(hq, PERIOD, today=date(2026, 7, 10)).unsubmitted >= 2


def test_an_office_clock_gone_back_does_not_make_it_awaited_before_its_enrolment(
        clock, hq, make_office, tmp_path: Path) -> None:
    """ML, enrolled in December 2026 by a right clock, wrote its reports with its
    computer's clock gone back to 2000 (a flat battery): an event cannot be dated
    before the plan's start, so its arrival dates it, and ML is still not awaited on
    2026-S1; its events are dated earlier than its setup bundle only within the plan,
    and then it is awaited on a period more, never forgotten."""
    from tests.core.test_sync import send

    clock("2026-12-01")
    ml = make_office("ML")
    clock("2000-01-05")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S2", status="on-track")
    clock("2026-12-03")
    send(ml, hq, tmp_path)
    assert enrolment_times(hq)["ML"] >= "2026-12-01"
    assert enrolled_too_late(hq, hq.plan(), PERIOD) == ["ML"]
    assert "ML" in expected_offices(hq, hq.plan(), "2026-S2")


def test_a_rollout_after_the_period_ended_does_not_chase_its_offices_and_says_why(
        clock, hq, tmp_path: Path, capsys) -> None:
    """Headquarters rolled fieldplan out to SN and TD in August 2026, after 2026-S1
    ended in June: they were not running it then, and are not chased for it (no
    reminder could bring a report of a semester they did not follow), while 2026-S2
    awaits them. The pack does not leave them out silently: its cover counts ML alone,
    and "Offices that have not reported" names them as not awaited, enrolled after
    the period ended; ``status`` says so too."""
    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")  # February (clock)
    write_progress(hq, "ML", PERIOD)
    clock("2026-08-12")  # the rollout
    for office in ("SN", "TD"):
        enroll_office(hq, office, tmp_path / f"{office}-setup.fieldplan")
    clock("2026-08-20")  # the review of 2026-S1
    plan = hq.plan()
    assert enrolled_too_late(hq, plan, PERIOD) == ["SN", "TD"]
    assert {"SN", "TD"} <= set(expected_offices(hq, plan, "2026-S2"))

    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "Offices that reported: 1 of 1" in text
    section = text[text.rindex("Offices that have not reported"):]
    assert section.startswith(
        "Offices that have not reported Every office awaited on this period has reported "
        "for it. Not awaited on this period, as they were enrolled after the period ended: "
        "Chad (TD), Senegal (SN).")
    assert lock_check(hq, PERIOD, today=date(2026, 8, 20)).offices == 1

    db = str(tmp_path / "hq.sqlite3")
    hq.close()
    assert main(["--db", db, "status"]) == 0
    assert ("Reported on 1st semester 2026: 1 of 1 office awaited; 2 offices not awaited, "
            "as they were enrolled after the period ended: SN, TD\n"
            ) in capsys.readouterr().out


def test_status_reads_the_offices_events_once_for_their_enrolments(
        clock, hq, make_office, tmp_path: Path) -> None:
    """``status`` at headquarters asks who each open period awaits, twice a period
    (the offices awaited, those not awaited), and the Overview and the review pack
    twice too: each read every event of every office (their clocks and arrivals) to
    date its enrolment, 0.15 s at a headquarters of 200,000 events, a status of 0.07 s
    taking 0.5 s. Read once while nothing changes; a change here or by another program
    (a bundle imported, an office enrolled) is seen."""
    from fieldplan.replica import open_replica
    from fieldplan.status import replica_status
    from tests.core.test_sync import send

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    clock("2026-12-06")
    reads: list[str] = []
    hq.conn.set_trace_callback(
        lambda sql: reads.append(sql) if "min(received_at)" in sql else None)
    status = replica_status(hq)
    assert len(status.awaited) >= 2 and "ML" in status.awaited[-1].awaited
    assert len(reads) == 1
    assert enrolment_times(hq)["ML"] < "2026-03-01" and len(reads) == 1
    _enrol(hq, "SN", "2026-12-01T09:00:00Z", tmp_path)  # a change here
    assert enrolment_times(hq)["SN"] == "2026-12-01T09:00:00Z" and len(reads) == 2
    with open_replica(hq.path) as other:  # and by another program
        _enrol(other, "JO", "2026-12-02T09:00:00Z", tmp_path)
    assert enrolment_times(hq)["JO"] == "2026-12-02T09:00:00Z" and len(reads) == 3
    hq.conn.set_trace_callback(None)



def _every_event_read(hq) -> dict[str, str]:
    """enrolment_times as it read every event of every office (its one SELECT before
    it read only their first events): the answer the few rows it reads must give."""
    from fieldplan import events
    from fieldplan.sync import keys as keyreg

    first: dict[str, str] = {}

    def seen(office: str, when: str | None) -> None:
        if office and when:
            first[office] = min(first.get(office, when), when)

    for office, created in hq.conn.execute(
            "SELECT office, min(created_at) FROM enrolments GROUP BY office"):
        seen(office, created)
    keys = keyreg.all_keys(hq)
    for key_id, hlc, received_at in hq.conn.execute(
            "SELECT entity_id, hlc, received_at FROM events WHERE entity = 'key'"):
        seen(keys[key_id].office if key_id in keys else "", events.shown_time(hlc, received_at))
    owners = {r: o for r, o in keyreg.replica_offices(hq).items() if o not in ("", "HQ")}
    for origin, least, arrived in hq.conn.execute(
            f"SELECT origin, min(CASE WHEN hlc >= ? AND (hlc & 65535) = 0 THEN hlc END), "
            f"min(received_at) FROM events WHERE origin IN ({','.join('?' * len(owners))}) "
            f"GROUP BY origin", (events.plan_start_hlc(hq.plan().start), *owners)):
        seen(owners[origin], events.hlc_to_iso(least) if least is not None else None)
        seen(owners[origin], arrived if events.arrival_hlc(arrived or "") else None)
    first.pop("HQ", None)
    now = events.hlc_to_iso((events.wall_ms() + events.MAX_DRIFT_MS) << 16)
    return {office: when for office, when in first.items() if when <= now}


def test_enrolment_times_reads_the_first_events_of_each_office_and_finds_what_all_say(
        clock, hq, make_office, tmp_path: Path) -> None:
    """enrolment_times read every event of every office (a million at a large
    headquarters: 0.4 s, twice for each open period in ``status``); it reads each
    office computer's first events by the log's primary key and the inbox, and says
    what reading them all said: ML's clock behind headquarters' (its first values
    raised by its counter, then readings); SN enrolled while headquarters' clock was
    two weeks ahead, its clock behind that (gone back to 2000, then right: every value
    of it raised by its counter, none a reading), its first bundle
    merged while headquarters' clock was still ahead, its next once put right: its
    later events arrived first by that clock, and that arrival is its enrolment."""
    from fieldplan import events
    from fieldplan.sync import export
    from tests.core.test_sync import send

    clock("2026-12-01")
    ml = make_office("ML")
    ml_action = ml.plan().actions_of(level="national")[0].code
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)  # (headquarters' values of 1 December)
    clock("2026-11-20")  # ML's clock behind them: its counter raises them
    for percent in (1, 2, 3):
        progress.record_progress(ml, ml_action, "2026-S2", status="on-track", percent=percent)
    clock("2026-12-02")
    progress.record_progress(ml, ml_action, "2026-S2", status="on-track", percent=4)
    clock("2026-12-20")  # headquarters' clock two weeks ahead enrols SN
    sn = make_office("SN")
    sn_action = sn.plan().actions_of(level="national")[0].code
    progress.set_period_lock(hq, "2027-S2")
    send(hq, sn, tmp_path)  # (a value of the 20th)
    clock("2000-01-05")  # SN's flat battery
    progress.record_progress(sn, sn_action, "2026-S2", status="on-track", percent=1)
    out = tmp_path / "sn-out"
    out.mkdir()
    first = export.export_bundle(sn, out_dir=out).path
    clock("2026-12-05")
    progress.record_progress(sn, sn_action, "2026-S2", status="on-track", percent=2)
    (out / "later").mkdir()
    later = export.export_bundle(sn, out_dir=out / "later").path
    from fieldplan.sync import import_bundle

    clock("2026-12-21")  # headquarters, still ahead, merges SN's first bundle
    assert import_bundle(hq, first).outcome == "merged"
    clock("2026-12-06")  # put right: the later one, its events' arrival the earliest
    assert import_bundle(hq, later).outcome == "merged"
    send(ml, hq, tmp_path)

    times = enrolment_times(hq)
    assert times == _every_event_read(hq)
    assert "2026-12-06" < times["SN"] < "2026-12-06T01"  # (the later bundle's arrival)
    readings = [hlc for (hlc,) in hq.conn.execute(
        "SELECT hlc FROM events WHERE origin = ? ORDER BY seq", (ml.replica_id,))]
    assert readings[0] & 0xFFFF and not readings[-1] & 0xFFFF  # (raised, then read)
    assert events.hlc_to_iso(readings[-1]) > times["ML"]
    # asked again (kept while nothing changed): the same; an office enrolled since: read
    assert enrolment_times(hq) == times
    clock("2026-12-07")
    enroll_office(hq, "GM", tmp_path / "GM-setup.fieldplan")
    assert enrolment_times(hq) == _every_event_read(hq) == {**times, "GM": "2026-12-07T00:00:00Z"}


def test_enrolment_times_reads_an_office_s_events_by_the_primary_key(hq) -> None:
    """The first events of each office computer are looked up by the log's primary
    key (origin, seq), never read from every event of it: SQLite's plan for each
    query enrolment_times makes names the key's index and no scan of the log."""
    from fieldplan.sync import export

    for query, args in ((export._SEQ_RANGE, ("r",)), (export._EVENT_FROM, ("r", 1)),
                        (export._CLOCKS_FROM, ("r", 1))):
        plan = " / ".join(row[3] for row in hq.conn.execute("EXPLAIN QUERY PLAN " + query,
                                                             args))
        assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan
        assert "sqlite_autoindex_events_1 (origin=?" in plan, plan
