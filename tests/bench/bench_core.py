"""Benchmarks for the core (issue: core store and event log).

1. `fieldplan demo --offices 57`: wall time and database sizes.
2. 10,000 progress updates through the core, each in its own transaction as the
   client saves them, against a raw SQLite INSERT of the same row committed the same
   way (same file settings: WAL, synchronous=FULL), in the same run. Target ≤ 5×.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("FIELDPLAN_AUTHOR", "bench")

from fieldplan import progress
from fieldplan.demo import make_demo
from fieldplan.replica import init_hq

N = 10_000


def bench_demo(tmp: Path) -> None:
    t0 = time.perf_counter()
    world = make_demo(tmp / "demo", offices=57, seed=1)
    wall = time.perf_counter() - t0
    sizes = [p.stat().st_size for p in world.offices.values()]
    bundles = [p.stat().st_size for p in world.bundles.values()]
    print(f"demo --offices 57: {wall:.1f} s, {world.reports} reports")
    print(f"  hq.sqlite3 {world.hq.stat().st_size / 1024:.0f} KiB; office databases "
          f"{min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} KiB (total "
          f"{sum(sizes) / 2**20:.1f} MiB); bundles {min(bundles) / 1024:.1f}–"
          f"{max(bundles) / 1024:.1f} KiB")


def bench_updates(tmp: Path) -> None:
    """Core saves and raw INSERTs alternate in blocks of 1,000, so both see the same
    disk (fsync times drift during a run); the ratio is of the totals."""
    rep = init_hq(tmp / "hq.sqlite3")
    acts = [a.code for a in rep.plan().actions_of(level="global")]
    periods = ["2025-S2", "2026-S1", "2026-S2", "2027-S1", "2027-S2"]
    raw = sqlite3.connect(tmp / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("CREATE TABLE progress (office TEXT, action TEXT, period TEXT, status TEXT, "
                "percent INTEGER, achievements TEXT, PRIMARY KEY (office, action, period))")
    core = base = 0.0
    block = 1000
    for start in range(0, N, block):
        t0 = time.perf_counter()
        for i in range(start, start + block):
            progress.record_progress(rep, acts[i % len(acts)], periods[(i // 7) % 5],
                                     status="on-track", percent=i % 101,
                                     achievements=f"Update {i}")
        core += time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(start, start + block):
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT OR REPLACE INTO progress VALUES (?, ?, ?, ?, ?, ?)",
                        ("HQ", acts[i % len(acts)], periods[(i // 7) % 5], "on-track",
                         i % 101, f"Update {i}"))
            raw.execute("COMMIT")
        base += time.perf_counter() - t0
    raw.close()
    rep.close()
    print(f"{N} progress updates, one transaction each: core {core * 1e6 / N:.0f} µs/update, "
          f"raw INSERT {base * 1e6 / N:.0f} µs/update: ratio {core / base:.2f}× (target ≤ 5×)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        bench_updates(Path(tmp))
        bench_demo(Path(tmp))
