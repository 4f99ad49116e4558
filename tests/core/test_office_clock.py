"""Headquarters is told when an office's computer dates its changes when they cannot
have been made: a laptop whose date went back (a flat BIOS battery: 2000), or months
behind the headquarters bundle it had read, or years ahead. An office that exports
weeks after typing, and whose bundle waits weeks for the import, is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sync import national

from fieldplan import events, progress
from fieldplan.sync import export_bundle, import_bundle, list_inbox
from tests.scenes import ticking_clock

PERIOD = "2026-S1"
DAY_MS = 24 * 3600 * 1000
#: 2 Jan 2000, 00:00 UTC
Y2000_MS = 946_771_200_000


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A clock a second further at each reading; [offset]: how far the computer at
    hand is from it."""
    return ticking_clock(monkeypatch)


def office_sends(office, hq, clock: list[int], tmp_path: Path, *, office_at: int,
                 hq_after: int = 0):
    """The office types a report and exports with its clock ``office_at`` ms from the
    right time; headquarters imports ``hq_after`` ms later than now."""
    clock[0] = office_at
    percent = office.conn.execute("SELECT count(*) FROM events").fetchone()[0] % 100
    progress.record_progress(office, national(office), PERIOD, status="on-track",
                             percent=percent)
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    path = export_bundle(office, out_dir=folder).path
    clock[0] = hq_after
    return import_bundle(hq, path)


def test_an_office_clock_gone_back_to_2000_is_named_at_headquarters(
        hq, make_office, clock, tmp_path: Path) -> None:
    ml = make_office("ML")
    outcome = office_sends(ml, hq, clock, tmp_path,
                           office_at=Y2000_MS - events.wall_ms())
    assert outcome.outcome == "merged"
    assert outcome.office_clock and outcome.office_clock[0].startswith("2000-01-0")
    line = outcome.line()
    assert "the office's computer's clock seems wrong (its changes are dated" in line
    assert "Jan 2000" in line and "ask the office to check its date" in line
    said = outcome.to_dict()
    assert said["office_clock_wrong"] is True
    assert said["office_clock_dated"].startswith("2000-01-0")
    # the Inbox keeps it
    [row] = [r for r in list_inbox(hq) if r.office == "ML"]
    assert "clock seems wrong" in json.dumps(row.to_dict() if hasattr(row, "to_dict")
                                             else row.__dict__, default=str)


def test_an_office_clock_months_behind_the_bundle_it_read_is_named(
        hq, make_office, clock, tmp_path: Path) -> None:
    ml = make_office("ML")
    outcome = office_sends(ml, hq, clock, tmp_path, office_at=-90 * DAY_MS)
    assert outcome.outcome == "merged" and outcome.office_clock


def test_an_office_clock_years_ahead_is_named(hq, make_office, clock,
                                               tmp_path: Path) -> None:
    ml = make_office("ML")
    outcome = office_sends(ml, hq, clock, tmp_path, office_at=3 * 365 * DAY_MS)
    print(outcome.line())
    assert outcome.outcome == "merged" and outcome.office_clock
    assert outcome.office_clock[0][:4] == str(int(events.utc_iso()[:4]) + 3)


@pytest.mark.parametrize("office_at, hq_after", [
    (0, 0), (0, 120 * DAY_MS), (-3 * 3600 * 1000, 0), (5 * 3600 * 1000, 0)])
def test_an_office_exporting_late_or_a_few_hours_off_is_not_named(
        hq, make_office, clock, tmp_path: Path, office_at: int, hq_after: int) -> None:
    """Typed and exported now, imported four months later; or a clock a few hours off
    (its zone left on UTC)."""
    ml = make_office("ML")
    first = office_sends(ml, hq, clock, tmp_path, office_at=0)  # (its key registered)
    assert first.outcome == "merged" and first.office_clock == ()
    outcome = office_sends(ml, hq, clock, tmp_path, office_at=office_at + hq_after // 2,
                           hq_after=hq_after)
    assert outcome.outcome == "merged" and outcome.office_clock == ()
    assert "clock" not in outcome.line() and not outcome.to_dict()["office_clock_wrong"]


def test_headquarters_own_clock_gone_back_does_not_blame_the_office(
        hq, make_office, clock, tmp_path: Path) -> None:
    """Headquarters' computer's date went back to 2000 (its flat battery): the office's
    bundle, written now by a right clock, 'arrives' in 2000. No office can be told to
    check its date by a clock that is itself before the plan started."""
    ml = make_office("ML")
    first = office_sends(ml, hq, clock, tmp_path, office_at=0)
    assert first.outcome == "merged" and first.office_clock == ()
    outcome = office_sends(ml, hq, clock, tmp_path, office_at=0,
                           hq_after=Y2000_MS - events.wall_ms())
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.office_clock == () and "office's computer's clock" not in outcome.line()


def test_a_receipt_of_another_history_of_headquarters_does_not_blame_the_office(
        hq, make_office, clock, tmp_path: Path) -> None:
    """HQ's database went back to an older copy unseen and wrote its event k+1 again,
    days after ML read the first k+1 and exported: ML's receipt names an event HQ no
    longer holds (another hash). Its bundle is not 'written before the headquarters
    bundle it acknowledges': HQ's history forked, and the import says so (hq_forks),
    not that the office's clock is wrong."""
    import shutil

    from scenes import forget_write_marks
    from test_sync import registered, send

    from fieldplan.replica import open_replica
    from fieldplan.sync import fork

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    path = hq.path
    hq.close()
    copy = tmp_path / "hq-copy.sqlite3"
    shutil.copyfile(path, copy)
    hq = open_replica(path)
    progress.set_period_lock(hq, "2025-S2")  # k+1, which ML reads
    assert send(hq, ml, tmp_path)[1].outcome == "merged"
    progress.record_progress(ml, national(ml), PERIOD, status="at-risk")
    folder = tmp_path / "ml-out"
    folder.mkdir()
    later = export_bundle(ml, out_dir=folder).path  # (acknowledges HQ's k+1)
    hq.close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    forget_write_marks()
    clock[0] = 5 * DAY_MS  # HQ writes another k+1 five days later, then imports
    hq = open_replica(path)
    progress.set_period_lock(hq, "2026-S2")
    outcome = import_bundle(hq, later)
    assert outcome.outcome == "merged", outcome.reason
    assert fork.hq_forks(hq)  # (what is wrong: HQ's history)
    assert outcome.office_clock == () and "clock" not in outcome.line()
    hq.close()
