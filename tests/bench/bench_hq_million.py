"""Headquarters' window on a database of about a million events: the longest GUI-thread
stall and the resident memory of each step of an HQ officer's day (run on demand, not
as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_hq_million.py --cache DIR [--events N]

The database (made once in ``DIR/million``, kept for the next runs): bench_hq_walk.py's
``large`` headquarters (57 offices, two laptops each, an inbox of 3,500 bundles, tens
of thousands of open conflicts, a quarantine), then a late laptop of each of the first
offices sending the saves of years of typing (progress events made directly, as
bench_sync.py's memory bench makes them) until the log holds ``--events`` events.

The walk is hq_walk.py's (opening, every tab, filters and search, a report opened and
typed into, dialogs, Export to every office, the review pack, language changes) in a
fresh process on a copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def fill(hq_path: Path, tmp: Path, total: int, per_office: int = 120_000) -> None:
    """Add progress events from a new laptop of each office in turn (re-enrolled) to the
    headquarters at ``hq_path`` until its log holds ``total`` events."""
    from fieldplan import bundle as bundlefmt
    from fieldplan import events
    from fieldplan.offices import OIC_MEMBERS, level_for_office
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office, import_bundle, init_from_setup
    from fieldplan.sync.export import enrolment_proof
    from fieldplan.sync.keys import public_key, secret_key

    tmp.mkdir(parents=True, exist_ok=True)
    with open_replica(hq_path) as hq:
        hq.conn.execute("PRAGMA synchronous = OFF")
        offices = sorted(OIC_MEMBERS)  # (bench_hq_walk.make_large's offices)
        have = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        for office in offices:
            if have >= total:
                break
            setup = tmp / f"{office}-d.setup"
            enroll_office(hq, office, setup)
            rep = init_from_setup(tmp / f"{office}-d.sqlite3", setup, author=f"{office.lower()}.d")
            acts = [a.code for a in rep.plan().actions_of(level=level_for_office(office))]
            periods = [str(p) for p in rep.plan().periods()]
            ids = [f"{office}|{a}|{p}" for a in acts for p in periods]
            secret, proof = secret_key(rep), enrolment_proof(rep, public_key(rep))
            state = {"seq": 0, "prev": events.GENESIS, "last": {}}
            hlc0 = 1_830_000_000_000 << 16

            def chunk(n: int, ids=ids, state=state, hlc0=hlc0, rep=rep):
                # each save of a report replaces the laptop's previous one (its base),
                # as the client's saves do: a field's versions stay few
                for _ in range(n):
                    state["seq"] += 1
                    seq = state["seq"]
                    eid = ids[seq % len(ids)]
                    before = state["last"].get(eid)
                    base = {"percent": [before], "status": [before]} if before else {}
                    raw = {"author": f"{rep.office.lower()}.d", "base": base,
                           "entity": "progress",
                           "fields": {"percent": seq % 101, "status": "on-track"},
                           "hlc": hlc0 + seq, "id": eid, "origin": rep.replica_id,
                           "prev": state["prev"], "seq": seq}
                    state["prev"] = events.parse_event(events.canonical_json(raw)).hash
                    state["last"][eid] = f"{rep.replica_id}:{seq}"
                    yield raw

            n = min(per_office, total - have)
            path = tmp / f"{office}-d.fieldplan"
            bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": rep.plan_id,
                                          "sender": rep.replica_id, "office": office,
                                          "recipient": "HQ", "ranges": {}, "acks": {},
                                          "enrolment": proof}, chunk(n), secret)
            rep.close()
            outcome = import_bundle(hq, path, backup=False)
            assert outcome.outcome == "merged", outcome.reason
            path.unlink()
            have += n
            print(f"  {office}: +{n:,} events, {have:,} in all", flush=True)
        hq.conn.execute("PRAGMA synchronous = FULL")


def world(cache: Path, total: int) -> Path:
    import bench_hq_walk

    folder = cache / "million"
    if not (folder / "done").exists():
        large = bench_hq_walk.world(cache, "large")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in ("hq.sqlite3", "hq.sqlite3.key"):
            shutil.copy2(large / name, folder / name)
        t0 = time.perf_counter()
        fill(folder / "hq.sqlite3", cache / "fill", total)
        shutil.rmtree(cache / "fill", ignore_errors=True)
        print(f"filled in {time.perf_counter() - t0:.0f} s", flush=True)
        (folder / "done").touch()
    return folder


def main() -> int:
    import bench_hq_walk

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, help="the walk's folder (default: in --cache)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    source = world(args.cache, args.events)
    with sqlite3.connect(source / "hq.sqlite3") as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("events", "progress", "inbox")}
    conn.close()
    size = (source / "hq.sqlite3").stat().st_size / 2**20
    print(f"headquarters: {size:.0f} MB, " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    results = bench_hq_walk.walk(source, args.work or args.cache / "walk-million")
    print(f"\n{'step':48}{'stall ms':>10}{'GUI CPU ms':>11}{'took s':>9}{'RSS MB':>8}"
          f"{'peak MB':>8}  where")
    for r in results:
        if "value" in r:
            print(f"{r['step'][:48]:48}{r['value']:>10}")
        else:
            where = r["where"][0][0][:90] if r.get("where") else ""
            print(f"{r['step'][:48]:48}{r['stall_ms']:>10}{r.get('cpu_ms', ''):>11}{r['took_s']:>9}"
                  f"{r.get('rss_mb', ''):>8}{r.get('peak_mb', ''):>8}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
