"""Work that must not grow with what the database already holds: a save, and the
merge of an imported bundle, cost the same on a report saved 30 times as on one
saved 480 times; asking which events are held costs one pass over the log.

Counted in SQLite virtual-machine instructions (``set_progress_handler``), not in
seconds, so the counts are deterministic. A derive that looked at every version of a
touched report fails here: one tried rewrite did, and the 1,000,000-event import of
``tests/bench/bench_sync.py`` then took 20 minutes instead of 3.5."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress
from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office, init_from_setup, list_gaps

SMALL, LARGE = 30, 480
#: VM instructions per progress-handler call: fine enough for a few thousand per save
STEP = 10


@contextmanager
def counting(conn) -> Iterator[list[int]]:
    """Counts SQLite VM instructions run on ``conn`` inside the block (in STEPs)."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0  # go on

    conn.set_progress_handler(tick, STEP)
    try:
        yield count
    finally:
        conn.set_progress_handler(None, STEP)


def world(tmp_path: Path, history: int):
    """A new headquarters and office ML (in their own folder), and ML's first national
    report saved ``history`` times."""
    folder = Path(tempfile.mkdtemp(prefix=f"world-{history}-", dir=tmp_path))
    hq = init_hq(folder / "hq.sqlite3")
    hq.conn.execute("PRAGMA synchronous = OFF")
    enroll_office(hq, "ML", folder / "ml.setup")
    office = init_from_setup(folder / "ml.sqlite3", folder / "ml.setup")
    return hq, office, saved(office, history)


def saved(office, times: int) -> str:
    """``office``'s first national report saved ``times`` times (durability off: the
    count of instructions is what is measured, and 480 fsyncs would only be slow)."""
    office.conn.execute("PRAGMA synchronous = OFF")
    act = national(office)
    for i in range(times):
        progress.record_progress(office, act, "2026-S1", status="on-track",
                                 percent=i % 101, achievements=f"step {i}")
    return act


def ratio(cost: Callable[[int], int]) -> float:
    return cost(LARGE) / cost(SMALL)


def test_a_save_costs_the_same_whatever_the_report_has_been_through(
        tmp_path: Path) -> None:
    def cost(history: int) -> int:
        hq, office, act = world(tmp_path, history)
        with hq, office, counting(office.conn) as count:
            progress.record_progress(office, act, "2026-S1", status="at-risk", percent=50,
                                     challenges="rains")
        return count[0]

    assert ratio(cost) < 1.25


def test_merging_a_bundle_costs_by_its_size_not_by_the_history(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    merged: list[int] = []
    store_events = events.store_events

    def counted(conn, batch, arrival=None, wide=None):
        with counting(conn) as count:
            try:
                return store_events(conn, batch, arrival, wide)
            finally:
                merged.append(count[0])

    def cost(history: int) -> int:
        hq, office, act = world(tmp_path, history)
        with hq, office:
            return merge_cost(hq, office, act)

    def merge_cost(hq, office, act: str) -> int:
        send(office, hq, tmp_path)
        send(hq, office, tmp_path)  # receipts: the next bundle carries the new saves only
        for i in range(10):
            progress.record_progress(office, act if i % 2 else national(office, 1),
                                     "2026-S1", status="at-risk", percent=i,
                                     next_steps=f"visit {i}")
        merged.clear()
        with monkeypatch.context() as m:
            m.setattr(events, "store_events", counted)
            _, outcome = send(office, hq, tmp_path)
        assert outcome.outcome == "merged" and outcome.events_new == 10, outcome.reason
        return sum(merged)

    assert ratio(cost) < 1.25


def test_what_is_held_is_found_in_one_pass_over_the_log(hq, make_office,
                                                        tmp_path: Path) -> None:
    """A numbering of every event (a window over the log) costs several times a pass
    over its primary key: at headquarters, near a million events, seconds at each
    status and each export. Only a replica with a hole is looked at event by event,
    and the answers are the same."""
    office = make_office("ML")
    saved(office, LARGE)
    send(office, hq, tmp_path)
    origin = office.replica_id
    with counting(hq.conn) as count:
        held = events.holdings(hq.conn)
        assert list_gaps(hq) == []
    one_pass = count[0]
    with counting(hq.conn) as count:
        hq.conn.execute("SELECT origin, max(seq), count(*) FROM events GROUP BY origin"
                        ).fetchall()
    assert one_pass < 3 * count[0]
    assert held[origin] == LARGE

    # a hole: the answers as a numbering of every event gives them
    hq.conn.execute("PRAGMA foreign_keys = OFF")
    with hq.conn:
        hq.conn.execute("DELETE FROM versions WHERE origin = ? AND seq = 7", (origin,))
        hq.conn.execute("DELETE FROM events WHERE origin = ? AND seq = 7", (origin,))
        events.note_cut(hq.conn)  # (as whatever takes events out of the log does)
    assert events.holdings(hq.conn)[origin] == 6
    assert events.holdings(hq.conn, [origin]) == {origin: 6}
    assert [(g.origin, g.first, g.last) for g in list_gaps(hq)] == [(origin, 7, 7)]
    assert list_gaps(hq, []) == [] and list_gaps(hq, ["nobody"]) == []
