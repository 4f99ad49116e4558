"""HQ's import of a signed bundle whose events on one report do not replace each other
(concurrent heads: each event's base is not the event before; only a trusted key, or a
bug, writes that), against the same count of events each replacing the one before.

Before, each batch of the import (exchange.BATCH events) read every head of the report
again to pick the winners: the import grew with the square of the events (5,000: 3 s,
20,000: 17 s, 100,000: over 5 minutes). Each import runs in a process of its own; the
figures are its CPU time (the import alone, not the building of the bundle); with
``--root`` the same bundles are imported by another checkout too, in turns.

Each event is a whole save of the report as the client writes it (status, percent,
state, the three texts and an indicator's value).

    python tests/bench/bench_concurrent_heads.py [--sizes 5000,20000,100000] [--runs 1]
        [--root OTHER_CHECKOUT] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# (the child importing with another checkout puts that one first)
sys.path.insert(0, sys.argv[sys.argv.index("--child") + 3] if "--child" in sys.argv
                else str(ROOT))
os.environ.setdefault("FIELDPLAN_AUTHOR", "bench")

from fieldplan import events, progress, store  # noqa: E402
from fieldplan.replica import init_hq, key_path, open_replica  # noqa: E402
from fieldplan.sync import enroll_office, export_bundle, import_bundle  # noqa: E402

STATUSES = ("on-track", "off-track", "at-risk", "completed")


def a_save(i: int) -> dict:
    """The fields of the client's save number ``i`` of a report."""
    return {"status": STATUSES[i % 4], "percent": i % 101, "state": "draft",
            "achievements": f"note {i}", "challenges": "", "next_steps": f"step {i % 13}",
            "value.reached": i % 1000}


def write_unseen(rep, rid: str, many: int, *, replacing: bool = False,
                 fields=a_save) -> None:
    """``many`` events of one report on ``rep``: none replacing another (as many
    laptops writing unseen, or a bug, leave them), or each replacing the one before.
    Logged one by one and derived at once (derived one by one, the office itself
    would read every head at each)."""
    with store.write_transaction(rep.conn):
        written: list[events.Event] = []
        for i in range(many):
            f = fields(i)
            base = ({name: [written[-1].version_id] for name in f}
                    if replacing and written else {})
            event = events._local_event(rep.conn, rep.replica_id, "progress", rid, f,
                                        author=f"laptop{i % 7}", base=base)
            events._log(rep.conn, [event])
            written.append(event)
        events.derive(rep.conn, written)


def build(folder: Path, many: int, replacing: bool) -> tuple[Path, Path]:
    """(HQ's database, the office's bundle of ``many`` events on one report)."""
    folder.mkdir(parents=True)
    hq = init_hq(folder / "hq.sqlite3")
    setup = folder / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    hq.close()
    from fieldplan.sync import init_from_setup

    ml = init_from_setup(folder / "ML.sqlite3", setup)
    code = ml.plan().actions_of(level="national")[0].code
    write_unseen(ml, progress.report_id("ML", code, "2026-S1"), many, replacing=replacing)
    result = export_bundle(ml, out_dir=folder)
    ml.close()
    return folder / "hq.sqlite3", result.path


def run_import(hq_db: str, bundle: str, _root: str = "") -> None:
    """(child) import and print CPU seconds, then the digest."""
    with open_replica(hq_db) as hq:
        t0 = time.process_time()
        outcome = import_bundle(hq, bundle, backup=False)
        cpu = time.process_time() - t0
        assert outcome.outcome == "merged", outcome.reason
        print(f"{cpu:.3f} {progress.digest(hq)} "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


def _copy_db(db: Path, folder: Path) -> Path:
    """A copy of a replica's database, with its key file, in a new folder."""
    folder.mkdir()
    copy = folder / db.name
    shutil.copyfile(db, copy)
    shutil.copy(key_path(db), key_path(copy))  # with its mode: owner only
    return copy


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,20000,100000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--root", type=Path, help="another checkout, run in turns with this one")
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        run_import(*args.child)
        return 0
    roots = [("this", ROOT)] + ([("other", args.root.resolve())] if args.root else [])
    with tempfile.TemporaryDirectory() as tmp:
        for many in (int(s) for s in args.sizes.split(",")):
            for replacing in (False, True):
                kind = "each replacing the one before" if replacing else "concurrent heads"
                hq_db, bundle = build(Path(tmp) / f"{many}-{replacing}", many, replacing)
                best: dict[str, float] = {}
                seen: dict[str, tuple[str, str]] = {}
                stopped: set[str] = set()
                runs = 0
                for _ in range(args.runs):
                    for name, root in roots:
                        if name in stopped:
                            continue
                        runs += 1
                        copy = _copy_db(hq_db, Path(tmp) / f"run-{many}-{replacing}-{runs}")
                        try:
                            out = subprocess.run(
                                [sys.executable, __file__, "--child", str(copy), str(bundle),
                                 str(root)], capture_output=True, text=True, check=False,
                                timeout=args.timeout)
                        except subprocess.TimeoutExpired:
                            print(f"{many:>7} events, {kind}, {name} checkout: stopped "
                                  f"after {args.timeout:.0f} s", flush=True)
                            stopped.add(name)
                            continue
                        if out.returncode:
                            sys.exit(f"{name} checkout: {out.stderr}")
                        cpu, digest, rss = out.stdout.split()
                        best[name] = min(best.get(name, float(cpu)), float(cpu))
                        seen[name] = (digest, rss)
                for name, cpu in best.items():
                    digest, rss = seen[name]
                    print(f"{many:>7} events, {kind}, {name} checkout: {cpu:.2f} s CPU "
                          f"({cpu / many * 1e6:.0f} µs an event), peak {rss} MB, "
                          f"digest {digest[:12]}", flush=True)
                if len({d for d, _rss in seen.values()}) > 1:
                    print("  THE DIGESTS DIFFER", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
