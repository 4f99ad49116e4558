"""What runs on a whole headquarters database, on a large one: time and peak memory
(max RSS of a child process) of each step, for one or more checkouts side by side
(run on demand, not as a timed test):

    python tests/bench/bench_big_hq.py --cache DIR [--events 1000000] [--root OLD ...]

On the headquarters of bench_sync.py's memory bench (ML's bundles, ``--events`` in
all, made once in ``--cache`` and kept there), for this checkout and each ``--root``
(another checkout, e.g. a worktree of the last release; each step runs with
PYTHONPATH set to it):

- the import of those bundles into a new headquarters (no backup: the bench's
  figure; target ≤ 200 MB);
- ``fieldplan status``;
- ``fieldplan import`` of one small bundle (SN's), with the backup before it (its
  check of the database: ``check_sound``), on a fresh copy;
- ``fieldplan restore --force`` on that copy: its choice of the newest sound backup
  (``_quick_check``) and what it would lose;
- ``found_damaged`` (what every command asks after an error that may be damage);
- ``lock_check`` alone, and ``fieldplan period lock`` (which asks it), on a copy;
- ``fieldplan progress list --json``;
- ``fieldplan report review`` of the period (its late data: every event of the
  import came after the deadline);
- ``office_replicas`` (a status sheet's QR code) of ML, whose are all the events, and
  of each other member office, which has none;
- ``fieldplan report review`` at the empty headquarters, the figure the big one's is
  measured against;
- ``stored_values_bad`` alone (the check of every stored text that each backup, the
  restore's choice of a backup and ``found_damaged`` make), in the child's own process;
- the upgrade of that headquarters from schema 6 (the last migration made undone on a
  copy: ``_schema_6``): ``fieldplan status`` on the copy, its backup included, and the
  migration alone (no backup), beside a ``status`` of the up-to-date file;
- the VACUUM an upgrade from schema 3 ends with (``schema.VACUUM_DUE`` set on a copy:
  ``fieldplan status`` does it at the opening).

``--only WORD`` (repeated) runs only the steps whose names hold one of the words.

The database every step but the first runs on is the one this checkout's import
made (the schema is the same), so that each checkout reads the same file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("FIELDPLAN_AUTHOR", "bench")

PERIOD = "2026-S1"

_IMPORT = r"""
import sys
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
with open_replica(sys.argv[1]) as hq:
    for path in sys.argv[2:]:
        o = import_bundle(hq, path, backup=False)
        assert o.outcome == "merged", o.reason
"""

_FOUND_DAMAGED = r"""
import sys
from fieldplan import store
assert not store.found_damaged(sys.argv[1])
"""

_OFFICE_REPLICAS = r"""
import sys
from fieldplan.offices import OIC_MEMBERS
from fieldplan.replica import open_replica
from fieldplan.reports.common import office_replicas
with open_replica(sys.argv[1]) as hq:
    assert office_replicas(hq, "ML")
    for office in OIC_MEMBERS:
        assert office == "ML" or not office_replicas(hq, office)
"""

_STORED_VALUES = r"""
import sys, time
from fieldplan import store
with store.reading(sys.argv[1]) as conn:
    t = time.process_time()
    assert not store.stored_values_bad(conn)
    print(f"stored_values_bad: {time.process_time() - t:.2f} s CPU")
"""

_MIGRATION_ALONE = r"""
import sys
from fieldplan import store
store.backup = lambda *args, **kwargs: None  # the migration alone
store.connect(sys.argv[1]).close()
"""

_LOCK_CHECK = r"""
import sys
from fieldplan.replica import open_replica
from fieldplan.sync import lock_check
with open_replica(sys.argv[1]) as hq:
    print(lock_check(hq, sys.argv[2]).warnings())
"""


def measured(root: Path, argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak MB) of a child Python running ``argv`` with ``root``
    first on its path (its own usage: ``os.wait4``); it must succeed."""
    env = {**os.environ, **env, "PYTHONPATH": str(root)}
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, *argv], cwd=root, env=env,
                                 stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"{argv} failed: {out.read().decode()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _copy(db: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for suffix in ("", ".key"):
        shutil.copy2(db.with_name(db.name + suffix), folder / (db.name + suffix))
    return folder / db.name


def _schema_6(db: Path) -> None:
    """Make the database at ``db`` what schema 6 left (m0007 undone: its narrower
    index), for the upgrade's figures."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DROP INDEX IF EXISTS events_entity_origin")
        conn.execute("CREATE INDEX IF NOT EXISTS events_entity ON events (entity, entity_id)")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_events_entity_origin'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def make_cache(cache: Path, total: int) -> None:
    """The bundles, an empty headquarters, a small bundle from SN, and the
    headquarters of the big import (by this checkout)."""
    import bench_sync

    from fieldplan import progress
    from fieldplan.sync import export_bundle, init_from_setup

    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "bundles.txt").exists():
        paths = bench_sync.write_memory_bundles(cache, total)
        (cache / "empty").mkdir(exist_ok=True)
        for suffix in ("", ".key"):
            shutil.copy2(cache / f"mem-hq.sqlite3{suffix}", cache / "empty" / f"hq.sqlite3{suffix}")
        (cache / "bundles.txt").write_text("\n".join(paths))
    if not (cache / "small.fieldplan").exists():
        shutil.rmtree(cache / "small", ignore_errors=True)
        sn = init_from_setup(cache / "small" / "sn.sqlite3", cache / "mem-sn.setup")
        act = sn.plan().actions_of(level="national")[0].code
        progress.record_progress(sn, act, PERIOD, status="on-track", percent=40,
                                 achievements="Un atelier de trois jours.")
        small = export_bundle(sn, out_dir=cache / "small")
        sn.close()
        shutil.move(small.path, cache / "small.fieldplan")


def bench(root: Path, cache: Path, work: Path, xdg: dict[str, str], *,
          whole_import: bool = True, only: list[str] | None = None) -> dict[str, tuple]:
    """Each step's (seconds, CPU seconds, peak MB) with ``root``'s fieldplan (``only``:
    the steps whose names hold one of these words)."""
    figures = {}
    paths = (cache / "bundles.txt").read_text().split()
    big = cache / "big" / "hq.sqlite3"

    def wanted(step: str) -> bool:
        return not only or any(word in step for word in only)

    def step(name: str, argv: list[str]) -> None:
        if wanted(name):
            figures[name] = measured(root, argv, xdg)

    if whole_import or not big.exists():
        db = _copy(cache / "empty" / "hq.sqlite3", work / "import")
        figures["import (bench)"] = measured(root, ["-c", _IMPORT, str(db), *paths], xdg)
        if not big.exists():
            _copy(db, cache / "big")
        shutil.rmtree(work / "import")
    fp = ["-m", "fieldplan", "--db"]
    step("status", [*fp, str(big), "status"])
    step("progress list", [*fp, str(big), "--json", "progress", "list"])
    work.mkdir(parents=True, exist_ok=True)
    step("report review", [*fp, str(big), "report", "review", "--period", PERIOD,
                           "-o", str(work / "review.pdf")])
    empty = _copy(cache / "empty" / "hq.sqlite3", work / "empty")
    step("report review (empty HQ)", [*fp, str(empty), "report", "review", "--period",
                                      PERIOD, "-o", str(work / "review-empty.pdf")])
    shutil.rmtree(work / "empty")
    step("office_replicas", ["-c", _OFFICE_REPLICAS, str(big)])
    step("lock_check", ["-c", _LOCK_CHECK, str(big), PERIOD])
    step("found_damaged", ["-c", _FOUND_DAMAGED, str(big)])
    step("stored_values_bad", ["-c", _STORED_VALUES, str(big)])
    if wanted("period lock"):
        db = _copy(big, work / "lock")
        step("period lock", [*fp, str(db), "period", "lock", PERIOD])
        shutil.rmtree(work / "lock")
    if wanted("import 1 small bundle") or wanted("restore --force"):
        db = _copy(big, work / "small")
        # (the restore puts back the backup this import made)
        figures["import 1 small bundle"] = measured(
            root, [*fp, str(db), "import", str(cache / "small.fieldplan")], xdg)
        step("restore --force", [*fp, str(db), "restore", "--force"])
        shutil.rmtree(work / "small")
    for name, argv in (("upgrade 6->7 (status)", [*fp, "{db}", "status"]),
                       ("upgrade 6->7 (migration)", ["-c", _MIGRATION_ALONE, "{db}"])):
        if wanted(name):
            db = _copy(big, work / "upgrade")
            _schema_6(db)
            step(name, [str(db) if arg == "{db}" else arg for arg in argv])
            shutil.rmtree(work / "upgrade")
    if wanted("vacuum due (status)"):
        import sqlite3

        db = _copy(big, work / "vacuum")
        with sqlite3.connect(db) as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES "
                         "('vacuum_due', '0004_rowid_tables')")
        conn.close()
        step("vacuum due (status)", [*fp, str(db), "status"])
        shutil.rmtree(work / "vacuum")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--root", type=Path, action="append", default=[],
                    help="another checkout to measure beside this one")
    ap.add_argument("--no-import", action="store_true",
                    help="leave out the big import (its database made once already)")
    ap.add_argument("--only", action="append", default=[],
                    help="only the steps whose names hold this word (repeat for more)")
    args = ap.parse_args()
    cache = args.cache.resolve()
    make_cache(cache, args.events)
    xdg = {name: str(cache / "xdg" / name) for name in (
        "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")}
    roots = [ROOT, *(r.resolve() for r in args.root)]
    print(f"{'step':26}" + "".join(f"{root.name:>30}" for root in roots))
    results = {root: {} for root in roots}
    for root in roots:
        results[root] = bench(root, cache, cache / "work", xdg,
                              whole_import=not args.no_import, only=args.only)
    for step in results[ROOT]:
        print(f"{step:26}" + "".join(
            "{:8.2f} s {:6.2f} s CPU {:4.0f} MB".format(*results[root][step])
            for root in roots))

if __name__ == "__main__":
    main()
