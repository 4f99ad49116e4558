"""The window's sync state (``fieldplan.sync.sync_state``: missing bundles and open
conflicts), which the client reads again after every save, at a headquarters of
``--events`` events (default 300,000) with gaps and conflicts: CPU time of its first
reading, and of each reading after a save of headquarters' own. With ``--root`` the
same database is read by another checkout too, in turns, each in its own process.

The database (made once in ``DIR/state-N``): the 8-office demo, filled as
bench_hq_million.py fills its own (a late laptop of each office sending years of
saves), then a second laptop of three offices writing the same reports unseen (a
conflict on each) with a bundle of theirs lost (a gap each).

    python tests/bench/bench_sync_state.py --cache DIR [--events 300000] [--root OLD]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, sys.argv[sys.argv.index("--child") + 2] if "--child" in sys.argv
                else str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))
os.environ.setdefault("FIELDPLAN_AUTHOR", "bench")

SAVES = 5


def second_laptops(hq_path: Path, tmp: Path, per: int, offices: list[str]) -> None:
    """A laptop more of each of ``offices``: ``per`` saves on the same reports as the
    first one's, replacing its own only (conflicts), a run of 50 of them lost."""
    from fieldplan import bundle as bundlefmt
    from fieldplan import events
    from fieldplan.offices import level_for_office
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office, import_bundle, init_from_setup
    from fieldplan.sync.export import enrolment_proof
    from fieldplan.sync.keys import public_key, secret_key

    tmp.mkdir(parents=True, exist_ok=True)
    with open_replica(hq_path) as hq:
        hq.conn.execute("PRAGMA synchronous = OFF")
        for office in offices:
            setup = tmp / f"{office}-e.setup"
            enroll_office(hq, office, setup)
            rep = init_from_setup(tmp / f"{office}-e.sqlite3", setup,
                                  author=f"{office.lower()}.e")
            acts = [a.code for a in rep.plan().actions_of(level=level_for_office(office))]
            ids = [f"{office}|{a}|{p}" for a in acts for p in map(str, rep.plan().periods())]
            secret, proof = secret_key(rep), enrolment_proof(rep, public_key(rep))
            state = {"seq": 0, "prev": events.GENESIS, "last": {}}
            hlc0 = 1_830_000_000_000 << 16

            def chunk(n, ids=ids, state=state, rep=rep, hlc0=hlc0):
                for _ in range(n):
                    state["seq"] += 1
                    seq = state["seq"]
                    eid = ids[seq % len(ids)]
                    before = state["last"].get(eid)
                    raw = {"author": f"{rep.office.lower()}.e",
                           "base": {"percent": [before], "status": [before]} if before else {},
                           "entity": "progress",
                           "fields": {"percent": (seq * 7) % 101, "status": "at-risk"},
                           "hlc": hlc0 + 2 * seq + 1, "id": eid, "origin": rep.replica_id,
                           "prev": state["prev"], "seq": seq}
                    state["prev"] = events.parse_event(events.canonical_json(raw)).hash
                    state["last"][eid] = f"{rep.replica_id}:{seq}"
                    if not per // 2 < seq <= per // 2 + 50:  # (a bundle lost)
                        yield raw

            path = tmp / f"{office}-e.fieldplan"
            bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": rep.plan_id,
                                          "sender": rep.replica_id, "office": office,
                                          "recipient": "HQ", "ranges": {}, "acks": {},
                                          "enrolment": proof}, chunk(per), secret)
            rep.close()
            outcome = import_bundle(hq, path, backup=False)
            assert outcome.outcome == "merged", outcome.reason
        hq.conn.execute("PRAGMA synchronous = FULL")


def world(cache: Path, total: int) -> Path:
    import bench_hq_million

    from fieldplan import demo
    from fieldplan.replica import open_replica
    from fieldplan.sync import import_bundle

    folder = cache / f"state-{total}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        made = demo.make_demo(folder / "demo", offices=8, seed=1)
        with open_replica(made.hq) as hq:
            for path in made.bundles.values():
                import_bundle(hq, path, backup=False)
        for name in ("hq.sqlite3", "hq.sqlite3.key"):
            shutil.copy2(folder / "demo" / name, folder / name)
        bench_hq_million.fill(folder / "hq.sqlite3", cache / "fill", total - 90_000, 60_000)
        second_laptops(folder / "hq.sqlite3", cache / "fill", 30_000, ["AE", "AF", "AL"])
        shutil.rmtree(cache / "fill", ignore_errors=True)
        print(f"made in {time.perf_counter() - t0:.0f} s", flush=True)
        (folder / "done").touch()
    return folder / "hq.sqlite3"


def child(db: str) -> None:
    """(a process of its own) read the sync state, then save and read it SAVES times."""
    from fieldplan import progress
    from fieldplan.offices import level_for_office
    from fieldplan.replica import open_replica
    from fieldplan.sync import sync_state

    with open_replica(db) as rep:
        t0 = time.process_time()
        state = sync_state(rep)
        first = time.process_time() - t0
        action = rep.plan().actions_of(level=level_for_office(rep.office))[0].code
        after = []
        for i in range(SAVES):
            progress.record_progress(rep, action, "2027-S2", status="on-track", percent=i)
            t0 = time.process_time()
            again = sync_state(rep)
            after.append(time.process_time() - t0)
            assert (again.gap_ranges, again.conflicts) == (state.gap_ranges, state.conflicts)
        events_held = rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        print(f"{first:.4f} {min(after):.4f} {max(after):.4f} {len(state.gaps)} "
              f"{state.conflicts} {events_held}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--root", type=Path, help="another checkout, run in turns with this one")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        child(args.child[0])
        return 0
    source = world(args.cache, args.events)
    roots = [("this", ROOT)] + ([("other", args.root.resolve())] if args.root else [])
    for run in range(args.runs):
        for name, root in roots:
            work = args.cache / f"run-{name}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            shutil.copyfile(source, work / source.name)
            shutil.copy(f"{source}.key", work / f"{source.name}.key")  # (its mode kept)
            out = subprocess.run([sys.executable, __file__, "--child", str(work / source.name),
                                  str(root)], capture_output=True, text=True, check=False)
            if out.returncode:
                sys.exit(f"{name} checkout: {out.stderr}")
            first, least, most, gaps, conflicts, held = out.stdout.split()
            print(f"run {run + 1}, {name} checkout: {int(held):,} events, {gaps} gaps, "
                  f"{conflicts} conflicts; sync state {float(first):.3f} s CPU the first time, "
                  f"{float(least):.4f}-{float(most):.4f} s after each save", flush=True)
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
