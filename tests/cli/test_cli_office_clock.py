"""At headquarters, a report from a laptop whose date went back to 2000 is listed as
updated when it arrived, as the review pack's and status sheet's "Data as of" say, not
on 2 Jan 2000 (before the plan existed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from fieldplan import events, progress
from fieldplan.reports.sheet import data_as_of
from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup
from tests.scenes import ticking_clock

S1 = "2026-S1"
#: 2 Jan 2000, 00:00 UTC
Y2000_MS = 946_771_200_000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A clock a second further at each reading; [offset]: how far the computer at
    hand is from it."""
    return ticking_clock(monkeypatch)


def test_a_report_dated_before_the_plan_is_listed_at_its_arrival(
        hq, clock, tmp_path: Path, capsys) -> None:
    """The laptop is set up and types with its date in 2000: its clock follows
    headquarters' setup bundle a day ahead of its own at most (2 Jan 2000)."""
    enrol = tmp_path / "ml-setup.fieldplan"
    enroll_office(hq, "ML", enrol)
    clock[0] = Y2000_MS - events.wall_ms()
    ml = init_from_setup(tmp_path / "ml.sqlite3", enrol)
    act = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, act, S1, status="on-track", percent=10)
    path = export_bundle(ml, out_dir=tmp_path).path
    clock[0] = 0
    assert import_bundle(hq, path).outcome == "merged"
    (arrived,) = hq.conn.execute("SELECT max(received_at) FROM inbox").fetchone()
    code, out, _err = run("--db", str(hq.path), "--json", "progress", "list", "--period",
                          S1, capsys=capsys)
    assert code == 0
    [listed] = json.loads(out)
    assert listed["updated_at"] == arrived
    [report] = progress.list_reports(hq, S1, "ML")
    assert report.updated_at == arrived == data_as_of(hq, [report])
    # the writer's own clock is kept (the digest hashes it, the same at the office)
    assert report.written_at.startswith("2000-01-0")
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # at the office, its own report keeps the date it was typed with
    assert progress.get_report(ml, act, S1).updated_at.startswith("2000-01-0")
    ml.close()
