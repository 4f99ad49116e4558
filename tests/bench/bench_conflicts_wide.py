"""The Conflicts tab on a database of many open versions: the time and peak memory of
its listing (``list_conflicts``, what the tab and 'conflicts list' read) and of the
tab's first showing, and the time to step through the conflicts with the keyboard
(run on demand, not as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_conflicts_wide.py --cache DIR \
        [--versions N] [--each K] [--apart S] [--step N] [--back] [--code CHECKOUT]

The database (made once in ``DIR/wide-N`` or ``DIR/wide-N-eachK``, kept for the next
runs): an office laptop (ML) whose reports' fields hold ``N`` open versions in all,
none replacing another, from seven other laptops: one field of 2,002 versions, then
fields of 2 to 600 (240 conflicts, each showing 32 versions but two); with ``--each
K``, conflicts of ``K`` versions each (``--versions 400 --each 2``: 200 conflicts of
two versions, the usual kind); with ``--apart S``, each version written S seconds after
the one before (``DIR/wide-N-eachK-apartS``): without it every version has the same
time, and a step changes no version's heading, which real conflicts do (each box's
size worked out anew). ``--back`` steps back up too (twice the steps). ``--code``
measures another checkout's code on it (the one before a change). Each figure is
taken in a process of its own.

Measured at 240,000 open versions (240 conflicts), on 2 shared cores, two runs each,
before and after alternating (CPU time of the process, its threads included; peak
resident memory above what it held before):

    listing, before (a Candidate for each version):  1.9-2.1 s CPU, +245 MB
    listing, after (the versions shown, the rest counted in SQL):  0.56-0.58 s, +5 MB
    tab shown to first conflict laid out, before:  2.2-2.3 s CPU, +247 MB
    tab shown to first conflict laid out, after:   0.79-0.82 s CPU, +9-10 MB
    Down through 200 conflicts (32 versions each shown), before and after alike:
    170-250 ms a step, of which ``_lay_out_now`` 2.6-3.8 ms

A step (Down, then the events it posted handled, the widgets it let go deleted: what
the window's thread does before the next key), CPU time of the process, median and
worst of 100 steps, at 1280×800, before and after the page kept its version boxes and
filled them again (each time written once, each Values cell once a load); three
alternating runs each, 2 shared cores, in a quiet hour and [in a busier one]:

    240,000 versions (32 shown a conflict), before:  104-114 ms median  [135-186]
                                                     137-209 ms worst   [214-255]
                                            after:    21-23 ms median   [27-40]
                                                      34-37 ms worst    [49-75]
    --versions 400 --each 2 (two a conflict), before:  10.0-11.7 ms median  [13-16]
                                              after:    5.6-5.8 ms median  [7-11]

Each version box laid out once a step, not twice (the row asked the boxes their least
size before their layouts had their new headings, then again after): ``--versions
3840 --each 32 --apart 61 --step 119 --back`` (120 conflicts of 32 versions, 238
steps), six alternating runs each, 2 shared cores under other work; CPU of the
window's thread, median of the steps:

    before:  24.7-35.9 ms (25.0 at the quietest)    _lay_out_now 2.7-6.7 ms
    after:   22.9-37.2 ms (23.2 at the quietest)    _lay_out_now 1.6-3.0 ms

About 1.5 ms of a step, under the noise of a shared machine (the runs fell at about
25 or about 33 ms as the machine was busy); the step's asks counted in
tests/ui/test_conflict_steps.py: 64 a step before, 32 after. The rest of a step:
filling 32 boxes (texts, headings, names, 12 ms under a profiler) and painting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if "--only" not in sys.argv:
    sys.path.insert(0, str(ROOT))


def make(folder: Path, total: int, each: int = 0, apart: int = 0) -> Path:
    """An enrolled ML laptop holding ``total`` open versions over its reports' fields,
    written straight into its log and versions (as ``events.derive`` writes them: a
    log of 240,000 appended one by one took most of an hour here), from seven other
    laptops of ML; ``each`` versions a field (a conflict) when given; each version
    written ``apart`` seconds after the one before when given (else all in the same
    millisecond: every conflict's versions then have the same times, which real ones
    do not, and a step to the next conflict changes no version's heading)."""
    import uuid

    from fieldplan import events, store
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    db = folder / "ml.sqlite3"
    if (folder / "done").exists():
        return db
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    hq = init_hq(folder / "hq.sqlite3")
    enroll_office(hq, "ML", folder / "ml.setup")
    hq.close()
    rep = init_from_setup(db, folder / "ml.setup", author="ml.a")
    rep.conn.execute("PRAGMA synchronous = OFF")
    plan = rep.plan()
    actions = [a.code for a in plan.actions_of(level="national")]
    periods = [str(p) for p in plan.periods()]
    rng = random.Random(34)
    laptops = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(7)]
    seqs = dict.fromkeys(laptops, 0)
    fields = ("percent", "status", "achievements", "challenges")
    statuses = ("on-track", "at-risk", "off-track", "completed")
    hlc0 = 1_780_000_000_000 << 16
    made = n = 0
    log, versions = [], []
    while made < total:
        rid = f"ML|{actions[n % len(actions)]}|{periods[(n // len(actions)) % len(periods)]}"
        field = fields[(n // (len(actions) * len(periods))) % len(fields)]
        many = each or (2002 if n == 0 else rng.choice((2, 3, 5, 40, 200, 600)))
        many = min(many, max(2, total - made))
        for i in range(many):
            origin = laptops[i % len(laptops)]
            seqs[origin] += 1
            seq, hlc = seqs[origin], hlc0 + made + i + (((made + i) * apart * 1000) << 16)
            value = (i % 101 if field == "percent" else statuses[i % 4]
                     if field == "status" else f"Text {i % 50} of {rid}")
            body = events.canonical_json({"entity": "progress", "id": rid, "origin": origin,
                                          "seq": seq, "hlc": hlc, "fields": {field: value}})
            log.append((origin, seq, hlc, "progress", rid, "-", body, "2026-06-01T10:00:00Z"))
            versions.append(("progress", rid, field, origin, seq, hlc, f"laptop{i % 7}",
                             events.value_json(value)))
        made += many
        n += 1
    with store.write_transaction(rep.conn):
        rep.conn.executemany("INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, "
                             "body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", log)
        rep.conn.executemany("INSERT INTO versions (entity, entity_id, field, origin, seq, "
                             "hlc, author, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", versions)
    rep.close()
    (folder / "done").touch()
    return db


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def listing(db: Path) -> dict:
    """The listing alone, as the tab's worker and 'conflicts list' read it."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import list_conflicts

    with open_replica(db) as rep:
        before = peak_mb()
        cpu = time.process_time()
        conflicts = list_conflicts(rep)
        cpu = time.process_time() - cpu
        return {"conflicts": len(conflicts), "versions read": sum(
            len(c.candidates) for c in conflicts), "cpu s": round(cpu, 2),
            "peak +MB": round(peak_mb() - before)}


def tab(db: Path, step: int, back: bool = False) -> dict:
    """The window opened on the Conflicts tab: from its showing to the first conflict's
    versions laid out (wall time, the process's CPU time, peak memory); then ``step``
    conflicts stepped through with Down (and back up with Up when ``back``), and the
    part of it ``_lay_out_now`` took."""
    import tempfile

    from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import ui.hq_desk as desk
    from ui.context import read_identity
    from ui.main_window import MainWindow
    from ui.ops import DbOp, Session

    app = QApplication.instance() or QApplication([])

    def until(done, limit=600.0):
        end = time.perf_counter() + limit
        while not done():
            if time.perf_counter() > end:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.002)

    session = Session(db)
    got = []
    DbOp(session, None, read_identity).success(got.append).run()
    until(lambda: bool(got))
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, got[0], settings)
    window.resize(1280, 800)
    window.show()
    until(lambda: session.pending == 0)
    page = window.conflicts
    before = peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    window.show_page(page)
    until(lambda: session.pending == 0 and page.model.rowCount() > 0 and bool(page.keep_buttons))
    app.processEvents()
    out = {"tab shown s": round(time.perf_counter() - wall, 2),
           "tab CPU s": round(time.process_time() - cpu, 2),
           "tab peak +MB": round(peak_mb() - before), "rows": page.model.rowCount()}
    spent = [0.0]
    lay_out = desk.ConflictsPage._lay_out_now

    def timed(self):
        t = time.perf_counter()
        lay_out(self)
        spent[0] += time.perf_counter() - t

    desk.ConflictsPage._lay_out_now = timed
    page.view.setFocus()
    steps = min(step, page.model.rowCount() - 1)
    cpu_ms, thread_ms, shown = [], [], []
    keys = [Qt.Key.Key_Down] * steps + ([Qt.Key.Key_Up] * steps if back else [])
    wall = time.perf_counter()
    for key in keys:
        cpu, own = time.process_time(), time.thread_time()
        QTest.keyClick(page.view, key)
        app.processEvents()  # (the posted events: layouts, paints)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        cpu_ms.append(1000 * (time.process_time() - cpu))
        thread_ms.append(1000 * (time.thread_time() - own))
        shown.append(len(page.keep_buttons))
    took = time.perf_counter() - wall
    steps = len(keys)
    out.update({"steps": steps, "step ms": round(1000 * took / max(steps, 1), 1),
                "of it _lay_out_now ms": round(1000 * spent[0] / max(steps, 1), 1)})
    if cpu_ms:
        out.update({"versions shown": statistics.median(shown),
                    "step CPU ms median": round(statistics.median(cpu_ms), 1),
                    # (the window's thread alone: the database's thread left out)
                    "window thread ms median": round(statistics.median(thread_ms), 1),
                    "step CPU ms worst": round(max(cpu_ms), 1)})
    window.close()
    session.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--versions", type=int, default=240_000)
    parser.add_argument("--each", type=int, default=0,
                        help="versions a conflict (default: 2,002 on one, 2 to 600 on others)")
    parser.add_argument("--apart", type=int, default=0,
                        help="seconds between one version's time and the next (default: "
                             "all written in the same millisecond)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the checkout whose code is measured (another, for before)")
    parser.add_argument("--step", type=int, default=100,
                        help="conflicts stepped through with Down")
    parser.add_argument("--back", action="store_true",
                        help="step back up with Up after stepping down")
    parser.add_argument("--only", choices=("listing", "tab"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = args.cache / (f"wide-{args.versions}-each{args.each}" if args.each
                           else f"wide-{args.versions}")
    if args.apart:
        folder = folder.with_name(f"{folder.name}-apart{args.apart}")
    if args.only:  # (a process of its own: its peak memory is its own)
        sys.path.insert(0, str(args.code.resolve()))
        db = folder / "ml.sqlite3"
        got = listing(db) if args.only == "listing" else tab(db, args.step, args.back)
        print(json.dumps(got))
        return 0
    t0 = time.perf_counter()
    db = make(folder, args.versions, args.each, args.apart)
    print(f"database: {db.stat().st_size / 2**20:.0f} MB "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    for only in ("listing", "tab"):
        got = subprocess.run(
            [sys.executable, __file__, "--cache", str(args.cache), "--versions",
             str(args.versions), "--each", str(args.each), "--apart", str(args.apart),
             "--code", str(args.code),
             "--step", str(args.step), *(["--back"] if args.back else []), "--only", only],
            check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(args.code.resolve())})
        print(f"{only}: {got.stdout.strip().splitlines()[-1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
