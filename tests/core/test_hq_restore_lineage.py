"""Headquarters put back from backups several times, from one backup then another:
the replicas it went through whose events it holds are known to offices by the
registry it sends, or offices would refuse its bundles for good."""

from __future__ import annotations

from pathlib import Path

from test_sync import registered, send

from fieldplan import store
from fieldplan.replica import open_replica


def put_back(hq, backup: Path):
    path = hq.path
    hq.close()
    store.restore_backup(path, backup, force=True)
    return open_replica(path)


def test_a_replica_headquarters_went_through_is_known_to_offices(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first = store.backup(hq.conn, hq.path, "manual")
    hq = put_back(hq, first)
    between = hq.replica_id  # its events: its key's registration; never sent
    second = store.backup(hq.conn, hq.path, "manual")
    hq = put_back(hq, second)
    hq = put_back(hq, first)
    hq = put_back(hq, second)  # holds the events of ``between`` again
    try:
        assert hq.conn.execute("SELECT 1 FROM events WHERE origin = ?",
                               (between,)).fetchone()
        _, outcome = send(hq, ml, tmp_path)
        assert outcome.outcome == "merged", outcome
        assert ml.conn.execute("SELECT 1 FROM events WHERE origin = ?",
                               (between,)).fetchone()
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome
    finally:
        hq.close()
