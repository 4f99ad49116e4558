"""Setups that tests of several layers (core, CLI, client) share."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle


def send(src, dst, tmp_path: Path):
    """Export from ``src`` for ``dst`` and import at ``dst``: (result, outcome)."""
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    result = export_bundle(src, for_office=dst.office if src.is_hq else None,
                           out_dir=folder)
    return result, import_bundle(dst, result.path)


def hq_restored_with_a_lost_change(hq, make_office, tmp_path: Path):
    """HQ put back from a backup that lacks a period lock it made after it; ML, which
    holds the lock, has reported to the restored HQ. Returns (HQ's path, ML); the
    ``hq`` replica is closed."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    send(ml, hq, tmp_path)
    store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2025-S2")  # lost in the restore
    send(hq, ml, tmp_path)
    path = hq.path
    hq.close()
    store.restore_latest_backup(path, force=True)
    with open_replica(path) as hq2:
        assert send(ml, hq2, tmp_path)[1].outcome == "merged"
    return path, ml
