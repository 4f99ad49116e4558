"""A writer whose date went back to 2000 (a flat BIOS battery) dates its changes before
the plan existed: wherever such a change is shown with a time (the conflicts, the
reports changed after a lock, a lock, a key's registration) it is shown at its
arrival here, as the report list shows it (``events.shown_time`` with the plan's
start), not on 2 Jan 2000. The writer's own clock is kept for the merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import national

from fieldplan import events, progress
from fieldplan.replica import init_hq
from fieldplan.sync import (
    enroll_office,
    export_bundle,
    import_bundle,
    init_from_setup,
    list_conflicts,
)
from fieldplan.sync.keys import key_uses
from tests.scenes import ticking_clock

PERIOD = "2026-S1"
#: 2 Jan 2000, 00:00 UTC
Y2000_MS = 946_771_200_000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A clock a second further at each reading; [offset]: how far the computer at
    hand is from it."""
    return ticking_clock(monkeypatch)


def gone_back(clock: list[int]) -> None:
    clock[0] = 0
    clock[0] = Y2000_MS - events.wall_ms()


def arrived(rep) -> str:
    (at,) = rep.conn.execute("SELECT max(received_at) FROM inbox").fetchone()
    return at


def sent(office, hq, tmp_path: Path) -> None:
    """The office exports, with its own clock; headquarters imports with a right one."""
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    path = export_bundle(office, out_dir=folder).path
    assert import_bundle(hq, path).outcome == "merged"


def test_an_office_laptop_gone_back_is_shown_at_its_arrival_at_headquarters(
        hq, make_office, clock, tmp_path: Path) -> None:
    """Its report in conflict with the other laptop's (the Conflicts page, ``conflicts
    list``) and its changes after the lock (the reports changed after the lock)."""
    ml_b = make_office("ML", "ml-b")  # the office's other laptop, its clock right
    setup = tmp_path / "ml-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    gone_back(clock)
    ml = init_from_setup(tmp_path / "ml.sqlite3", setup)
    act = national(ml)
    progress.record_progress(ml, act, PERIOD, status="at-risk", percent=10)
    clock[0] = 0
    progress.record_progress(ml_b, act, PERIOD, status="on-track", percent=30)
    sent(ml_b, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    gone_back(clock)
    folder = tmp_path / "ml-out"
    folder.mkdir()
    path = export_bundle(ml, out_dir=folder).path
    clock[0] = 0
    assert import_bundle(hq, path).outcome == "merged"
    at = arrived(hq)
    # the conflicts: the laptop gone back's values at their arrival
    conflicts = list_conflicts(hq)
    assert conflicts
    for conflict in conflicts:
        theirs = [c for c in conflict.candidates if c.value in ("at-risk", 10)]
        assert theirs, conflict
        assert [c.at for c in theirs] == [at], conflict
        assert theirs[0].written_at.startswith("2000-01-0")  # (its own clock, kept)
    # the reports changed after the lock: its last change at its arrival
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert (changed.office, changed.action, changed.last_at) == ("ML", act, at)
    ml.close()


def test_headquarters_gone_back_is_shown_at_its_arrival_at_the_office(
        clock, tmp_path: Path) -> None:
    """Headquarters' date went back to 2000 when it was made, locked a period and
    enrolled the office: at the office, the lock's time (its status sheet's "Locked")
    and the keys' registration (the Keys page) are their arrival."""
    gone_back(clock)
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        progress.set_period_lock(hq, "2025-S2")
        setup = tmp_path / "ml-setup.fieldplan"
        enroll_office(hq, "ML", setup)
        hq_key = hq.conn.execute(
            "SELECT entity_id FROM events WHERE entity = 'key'").fetchone()[0]
    clock[0] = 0
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        at = ml.conn.execute("SELECT max(received_at) FROM events").fetchone()[0]
        assert at and at[:4] == events.utc_iso()[:4]
        lock = progress.lock_clocks(ml)["2025-S2"]
        assert lock.at == at
        assert key_uses(ml)[hq_key].registered == at
