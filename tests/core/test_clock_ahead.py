"""An office laptop whose clock is years ahead (its date set to 4199): its events keep
their clock values, which decide the merge the same way everywhere, but headquarters
judges and shows them by when it received them. A report that arrived before the lock
is not "changed after the lock" (forever), one that arrived after it still is, and no
date shown at headquarters is later than the data's arrival."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress
from fieldplan.status import replica_status
from fieldplan.sync import export_bundle, import_bundle
from tests.scenes import ticking_clock

PERIOD = "2025-S2"
#: 23 Nov 4199, near the end of the clock's range (as a reviewer's laptop had it)
FAR_AHEAD_MS = (events.MAX_COUNTER >> 16) - 10_000_000


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A clock a second further at each reading; [offset]: how far a laptop's is
    ahead of it (0: right)."""
    return ticking_clock(monkeypatch)


def far_ahead(clock: list[int]) -> None:
    clock[0] = 0
    clock[0] = FAR_AHEAD_MS - events.wall_ms()


def from_far_ahead(office, hq, clock: list[int], tmp_path: Path):
    """The office exports with its clock far ahead; headquarters imports with its own."""
    far_ahead(clock)
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    path = export_bundle(office, out_dir=folder).path
    clock[0] = 0
    return import_bundle(hq, path)


def warnings(rep) -> list[str]:
    return [text for label, text in replica_status(rep).lines("en") if label == "Warning"]


def pack_text(hq, tmp_path: Path) -> str:
    from fieldplan.reports import build_review_pack

    pdf = build_review_pack(hq, PERIOD, tmp_path / "review.pdf")
    return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())


def test_a_report_from_far_ahead_received_before_the_lock_is_not_changed_after_it(
        hq, make_office, clock, tmp_path: Path) -> None:
    ml = make_office("ML")
    act = national(ml)
    far_ahead(clock)
    progress.record_progress(ml, act, PERIOD, status="completed", percent=100,
                             challenges="from the future")
    progress.submit_period(ml, PERIOD)
    outcome = from_far_ahead(ml, hq, clock, tmp_path)
    assert outcome.outcome == "merged" and outcome.late_periods == ()
    report = progress.get_report(hq, act, PERIOD, "ML")
    # the merge keeps the writer's clock (the digest too: the same at the office)...
    assert report.written_at.startswith("4199-11-23")
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # ...and shows no time later than its arrival
    today = events.utc_iso()[:10]
    assert report.updated_at[:10] == today
    [listed] = progress.list_reports(hq, PERIOD, "ML")
    assert listed.updated_at == report.updated_at
    progress.set_period_lock(hq, PERIOD)
    assert progress.changed_after_lock(hq) == {}
    assert warnings(hq) == []
    # later imports change nothing of it
    progress.record_progress(make_office("SN"), national(ml), "2026-S1", status="on-track")
    assert progress.changed_after_lock(hq) == {}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_review_pack_is_as_of_the_arrival(hq, make_office, clock,
                                              tmp_path: Path) -> None:
    ml = make_office("ML")
    far_ahead(clock)
    progress.record_progress(ml, national(ml), PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    from_far_ahead(ml, hq, clock, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    text = pack_text(hq, tmp_path)
    assert "4199" not in text
    year = events.utc_iso()[:4]
    assert "Data as of: " in text and year in text.split("Data as of: ")[1][:30]
    assert "Changed or received after the period was locked" not in text


def test_a_report_from_far_ahead_received_after_the_lock_still_is(
        hq, make_office, clock, tmp_path: Path) -> None:
    ml = make_office("ML")
    ml_b = make_office("ML", "ml-b")  # a second laptop of ML, its clock right
    first, second = national(ml, 0), national(ml, 1)
    far_ahead(clock)
    progress.record_progress(ml, first, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    from_far_ahead(ml, hq, clock, tmp_path)  # (headquarters' clock follows it a day)
    send(ml_b, hq, tmp_path)  # HQ registers B's key
    progress.set_period_lock(hq, PERIOD)
    # ML, far ahead and not knowing of the lock, reopens and edits
    far_ahead(clock)
    progress.reopen_report(ml, first, PERIOD)
    progress.record_progress(ml, first, PERIOD, percent=60)
    outcome = from_far_ahead(ml, hq, clock, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert (changed.office, changed.action, changed.changes) == ("ML", first, 2)
    assert changed.last_at[:10] == events.utc_iso()[:10]  # its arrival, not 4199
    assert changed.last_at == progress.get_report(hq, first, PERIOD, "ML").updated_at
    assert warnings(hq) == [
        f"2nd semester 2025 locked; 1 report changed or received after the lock: ML {first}"]
    # the other laptop's change after the lock, its clock right, is named too, though
    # headquarters' clock, and so the lock's, had followed the far one by a day
    progress.record_progress(ml_b, second, PERIOD, status="on-track")
    _result, outcome = send(ml_b, hq, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    assert [c.action for c in progress.changed_after_lock(hq)[PERIOD]] == [first, second]
    send(hq, ml_b, tmp_path)
    assert progress.digest(hq, "ML") == progress.digest(ml_b)
    if shutil.which("pdftotext"):
        text = pack_text(hq, tmp_path)
        after = text[text.index("Changed or received after the period was locked"):]
        assert f"Mali (ML) {first} 2" in after and "4199" not in text


def test_a_time_shown_is_no_later_than_the_arrival() -> None:
    ahead = FAR_AHEAD_MS << 16
    assert events.hlc_to_iso(ahead).startswith("4199-11-23")
    assert events.shown_time(ahead, "2026-03-12T09:30:00Z") == "2026-03-12T09:30:00Z"
    assert events.shown_time(ahead, None) == events.hlc_to_iso(ahead)
    past = 1_773_000_000_000 << 16  # 2026-03-08
    assert events.shown_time(past, "2026-03-12T09:30:00Z") == events.hlc_to_iso(past)
    # the arrival stands for the whole of its second
    arrived = events.arrival_hlc("2026-03-12T09:30:00Z")
    assert events.hlc_to_iso(arrived) == "2026-03-12T09:30:00Z"
    assert events.hlc_to_iso(arrived + 1) == "2026-03-12T09:30:01Z"
    assert events.held_hlc(ahead, "2026-03-12T09:30:00Z") == arrived
    assert events.held_hlc(past, "2026-03-12T09:30:00Z") == past
    assert events.held_hlc(past, "not a time") == past


def test_an_office_whose_clock_is_far_ahead_is_told_at_the_import(
        hq, make_office, clock, tmp_path: Path) -> None:
    """Its own clock is what is wrong, so it cannot see it in its own data; a bundle
    headquarters wrote years earlier than its clock says shows it."""
    ml = make_office("ML")
    _result, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged" and outcome.clock_ahead == ""
    assert "clock" not in outcome.line() and outcome.to_dict()["clock_ahead"] is False
    progress.set_period_lock(hq, PERIOD)
    folder = tmp_path / "back"
    folder.mkdir()
    path = export_bundle(hq, for_office="ML", out_dir=folder).path
    year = events.utc_iso()[:4]
    far_ahead(clock)
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "merged" and outcome.clock_ahead[:4] == year
    assert outcome.to_dict()["clock_ahead"] is True
    assert ("; this computer's clock seems to be ahead (it says 23 Nov 4199; headquarters "
            "wrote this file on ") in outcome.line()
    assert outcome.line().endswith("): check its date")
    # headquarters, whatever its clock, is not told so of an office's bundle
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    outcome = from_far_ahead(ml, hq, clock, tmp_path)
    assert outcome.outcome == "merged" and outcome.clock_ahead == ""


def test_a_conflict_shows_no_time_later_than_the_arrival(
        hq, make_office, clock, tmp_path: Path) -> None:
    """``conflicts list`` at headquarters said "1 Aug 2030" of a laptop whose clock was
    ahead, and the client's conflict view too, while the report list said its arrival.
    The winner is still the one its clock makes it (the same everywhere)."""
    from fieldplan.sync import list_conflicts

    ml = make_office("ML")
    ml_b = make_office("ML", "ml-b")
    act = national(ml)
    progress.record_progress(ml_b, act, PERIOD, status="on-track", percent=20)
    far_ahead(clock)
    progress.record_progress(ml, act, PERIOD, status="on-track", percent=70)
    clock[0] = 0
    send(ml_b, hq, tmp_path)
    from_far_ahead(ml, hq, clock, tmp_path)
    [conflict] = [c for c in list_conflicts(hq) if c.field == "percent"]
    ahead, right = conflict.candidates
    assert (ahead.value, ahead.winner, right.value, right.winner) == (70, True, 20, False)
    today = events.utc_iso()[:10]
    assert ahead.at[:10] == today and ahead.written_at.startswith("4199-11-23")
    assert right.at == right.written_at and right.at[:10] == today
    shown = conflict.to_dict()["candidates"]
    assert [c["at"][:10] for c in shown] == [today, today]
    assert shown[0]["written_at"].startswith("4199")


def test_an_office_whose_clock_went_back_is_told_at_the_import(
        hq, make_office, clock, tmp_path: Path) -> None:
    """A laptop whose date went back (a flat BIOS battery: 1 Jan 2000) imported
    headquarters' bundle written that day without a word, and went on dating its
    changes 26 years early. A file cannot be imported before it was written: that says
    the clock is behind. A few hours is not said (headquarters' clock may be a little
    ahead), nor at headquarters of an office's bundle."""
    ml = make_office("ML")
    folder = tmp_path / "back"
    folder.mkdir()
    progress.set_period_lock(hq, PERIOD)
    path = export_bundle(hq, for_office="ML", out_dir=folder).path
    clock[0] = -6 * 3600 * 1000  # hours behind: not said
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "merged" and outcome.clock_behind == ""
    assert "clock" not in outcome.line() and outcome.to_dict()["clock_behind"] is False
    progress.set_period_lock(hq, PERIOD, locked=False)
    clock[0] = 0
    path = export_bundle(hq, for_office="ML", out_dir=folder).path
    year = events.utc_iso()[:4]
    clock[0] = (events.arrival_hlc("2000-01-01T09:00:00Z") >> 16) - events.wall_ms()
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "merged" and outcome.clock_behind[:4] == year
    assert outcome.clock_ahead == ""
    assert outcome.to_dict()["clock_behind"] is True
    assert ("; this computer's clock seems to be behind (it says 1 Jan 2000; headquarters "
            "wrote this file on ") in outcome.line()
    assert outcome.line().endswith("): check its date")
    assert "clock seems to be behind" in outcome.reason  # the inbox keeps it
    # headquarters is not told so of an office's bundle written with its clock behind
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    _result, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged" and outcome.clock_behind == ""


def test_an_office_set_up_with_its_clock_gone_back_is_told(
        hq, clock, tmp_path: Path) -> None:
    from fieldplan.sync import enroll_office, init_from_setup

    for code, back in (("ML", 6 * 3600 * 1000), ("SN", 20 * 365 * 24 * 3600 * 1000)):
        setup = tmp_path / f"{code}-setup.fieldplan"
        enroll_office(hq, code, setup)
        clock[0] = -back
        with init_from_setup(tmp_path / f"{code}.sqlite3", setup) as rep:
            notices = [n for n in rep.take_notices() if "clock" in n]
        clock[0] = 0
        if code == "ML":  # hours: not said
            assert notices == []
        else:
            [notice] = notices
            assert notice.startswith("this computer's clock seems to be behind (it says ")
            assert notice.endswith("): check its date")


def test_todays_day_by_a_clock_past_what_local_time_holds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' local time stops at 3000 (OSError), any at 9999 east of UTC: a clock
    far ahead still has a day (UTC's), for the lock check, the window's period and its
    settings, which read it as they open."""
    import datetime as dt

    real = dt.datetime

    class NoLocalTime(real):
        @classmethod
        def fromtimestamp(cls, t, tz=None):  # type: ignore[override]
            if tz is None:
                raise OSError(22, "Invalid argument")
            return real.fromtimestamp(t, tz)

    monkeypatch.setattr(events.dt, "datetime", NoLocalTime)
    ms = int(real(4199, 11, 23, 23, 30, tzinfo=dt.UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: ms)
    assert events.local_today() == dt.date(4199, 11, 23)


@pytest.mark.parametrize("year", [4300, 9999])
def test_a_laptop_whose_clock_is_past_the_clocks_range_still_reaches_headquarters(
        hq, make_office, clock, tmp_path: Path, year: int) -> None:
    """A date past the clock's range (4199: MAX_COUNTER) was written in the laptop's
    events as it was: headquarters refused its bundle ("malformed event"), and with
    it every later one of that laptop; past 6429 no value fitted the database and
    every save ended on an internal error. Its writes are stamped at the end of the
    range instead, one after the other, and merge everywhere."""
    import datetime as dt

    ml = make_office("ML")
    first, second = national(ml, 0), national(ml, 1)
    clock[0] = 0
    clock[0] = int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp() * 1000) \
        - events.wall_ms()
    progress.record_progress(ml, first, PERIOD, status="on-track", percent=10)
    progress.record_progress(ml, second, PERIOD, status="at-risk")
    progress.record_progress(ml, first, PERIOD, percent=20)
    written = [e.hlc for e in events.iter_log(ml.conn, ml.replica_id)]
    assert written == sorted(set(written))
    assert all(hlc < events.MAX_COUNTER for hlc in written)
    [listed, _other] = progress.list_reports(ml, PERIOD)
    assert listed.action == first and listed.percent == 20
    outcome = from_far_ahead(ml, hq, clock, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # its clock set right, it writes on after what it wrote (the clock never goes back)
    progress.record_progress(ml, second, PERIOD, percent=30)
    assert events.last_event(ml.conn, ml.replica_id)[0] == len(written) + 1
    assert next(iter(events.iter_log(ml.conn, ml.replica_id, len(written)))).hlc \
        > max(written)
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    assert progress.digest(hq, "ML") == progress.digest(ml)
