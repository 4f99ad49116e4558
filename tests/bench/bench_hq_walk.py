"""Headquarters' window on a large database: the longest GUI-thread stall of each step
of an HQ officer's day (run on demand, not as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_hq_walk.py [--cache DIR]

Two headquarters databases, made once and kept in ``--cache`` (default: a folder in
the system's temporary folder) for the next runs:

- ``small``: the demo of 57 offices over the whole plan (``demo.DEMO_TODAY`` 2027-12-31),
  every semester's bundle imported at HQ as it ends (about 7,000 events);
- ``large``: 57 offices, two laptops each typing over the whole plan (a sitting every
  three weeks, each report saved many times), both laptops writing the same reports
  unsynced (tens of thousands of open conflicts), each laptop sending a bundle every
  six weeks (an inbox of 3,500 bundles), and a late third laptop for one office in
  five whose bundles wait in quarantine: about 220,000 events, 800 MB. Making it
  takes about six minutes.

Each database is copied, then opened in a fresh process (``ui.app.start``, as the
desktop entry does) and driven offscreen through the window's tabs, filters, search,
a report typed into, the key, Export (All offices), Enrol, lock, status sheet and
review pack dialogs, two language changes and the close. A 10 ms timer on the GUI
thread records the longest gap between its ticks in each step (a gap of more than
~100 ms is a freeze); a helper thread notes where the GUI thread was when it had
not ticked for 80 ms, and each database job of more than 0.1 s is named. Also the
time to the window shown and to everything loaded, and the resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_small(out: Path) -> None:
    from fieldplan import demo

    demo.DEMO_TODAY = dt.date(2027, 12, 31)  # the whole plan
    demo.make_demo(out, offices=57, seed=1, merge=True)


def make_large(out: Path, sittings: int = 14, offices: int = 57) -> None:
    """The large headquarters (see the module's docstring), written in ``out``."""
    import random

    from fieldplan import demo, progress, replica
    from fieldplan.offices import OIC_MEMBERS, level_for_office, working_language
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    demo.DEMO_TODAY = dt.date(2027, 12, 31)
    out.mkdir(parents=True, exist_ok=True)
    codes = sorted(OIC_MEMBERS)[:offices]
    start = dt.datetime(2025, 6, 21, 8, 0, tzinfo=dt.UTC)
    with demo._simulated_clock(start) as set_time, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        hq = replica.init_hq(out / "hq.sqlite3", author="hq.desk")
        hq.conn.execute("PRAGMA synchronous = OFF")
        for code in codes:
            enroll_office(hq, code, tmp / f"{code}.setup")
        demo._write_office(hq, random.Random("HQ"), "en", set_time)
        for n, code in enumerate(codes):
            set_time(None)
            rng = random.Random(code)
            lang = working_language(code)
            a, b = laps = [init_from_setup(tmp / f"{code}-{lap}.sqlite3", tmp / f"{code}.setup",
                                           author=f"{code.lower()}.{lap}") for lap in "ab"]
            for rep in laps:
                rep.conn.execute("PRAGMA synchronous = OFF")
            acts = [x.code for x in a.plan().actions_of(level=level_for_office(code))]

            def send(rep, when: dt.datetime) -> None:
                set_time(when)
                path = export_bundle(rep, out_dir=tmp).path
                import_bundle(hq, path, backup=False)
                os.unlink(path)

            for period, _age in demo._periods(a.plan()):
                p0, p1 = a.plan().period_bounds(period)
                for week in range(0, 26, 3):  # a sitting every three weeks or so
                    day = p0 + dt.timedelta(days=7 * week + rng.randint(0, 4))
                    set_time(dt.datetime.combine(day, dt.time(9, 0), dt.UTC))
                    for act in [x for x in acts for _ in range(rng.randint(0, sittings))]:
                        progress.record_progress(
                            b if rng.random() < 0.08 else a, act, period,
                            status=rng.choice(["on-track", "at-risk", "off-track"]),
                            percent=min(100, week * 4 + rng.randint(0, 10)),
                            achievements=demo._sentences(rng, demo._ACHIEVEMENTS[lang], lang,
                                                         rng.randint(2, 5)),
                            challenges=demo._sentences(rng, demo._CHALLENGES[lang], lang, 1),
                            next_steps=demo._sentences(rng, demo._NEXT_STEPS[lang], lang, 1))
                    if week % 6 == 0:
                        sent = dt.datetime.combine(day + dt.timedelta(days=2), dt.time(10), dt.UTC)
                        send(a, sent)
                        send(b, sent + dt.timedelta(hours=1))
                set_time(dt.datetime.combine(p1, dt.time(16, 0), dt.UTC))
                progress.submit_period(a, period)
                sent = dt.datetime.combine(p1 + dt.timedelta(days=5), dt.time(10), dt.UTC)
                send(a, sent)
                send(b, sent + dt.timedelta(hours=1))
            if n % 5 == 2:  # a third laptop set up late: its bundles wait in quarantine
                with init_from_setup(tmp / f"{code}-c.sqlite3", tmp / f"{code}.setup",
                                     author=f"{code.lower()}.c") as c:
                    for act in acts[:3]:
                        progress.record_progress(c, act, "2027-S2", status="at-risk",
                                                 percent=40)
                        send(c, dt.datetime(2027, 12, 20, 9, 0, tzinfo=dt.UTC))
            for rep in laps:
                rep.close()
            print(f"  {n + 1}/{len(codes)} {code}", flush=True)
        hq.conn.execute("PRAGMA synchronous = FULL")
        hq.close()


def world(cache: Path, name: str) -> Path:
    """The folder holding ``name``'s hq.sqlite3, made once."""
    folder = cache / name
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"making the {name} headquarters database in {folder}…", flush=True)
        (make_small if name == "small" else make_large)(folder)
        (folder / "done").touch()
    return folder


def walk(source: Path, work: Path) -> list[dict]:
    """The walk (tests/bench/hq_walk.py) in a fresh process on a copy of ``source``'s
    database, with settings and caches of its own."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("hq.sqlite3", "hq.sqlite3.key"):
        shutil.copy2(source / name, work / name)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(work / var.lower())
    subprocess.run([sys.executable, str(Path(__file__).with_name("hq_walk.py")),
                    str(work / "hq.sqlite3"), str(work / "result.json"), str(work / "s.ini")],
                   env=env, cwd=ROOT, check=True)
    return json.loads((work / "result.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fieldplan-bench-hq")
    parser.add_argument("--only", choices=("small", "large"))
    args = parser.parse_args()
    names = [args.only] if args.only else ["small", "large"]
    results = {name: walk(world(args.cache, name), args.cache / f"walk-{name}")
               for name in names}
    steps = list(dict.fromkeys(r["step"] for rs in results.values() for r in rs))
    print(f"\n{'step':48}" + "".join(f"{n + ' stall ms':>18}{'took s':>9}" for n in names))
    for step in steps:
        line = f"{step[:48]:48}"
        for name in names:
            found = next((r for r in results[name] if r["step"] == step), None)
            if found is None:
                line += f"{'':>27}"
            elif "value" in found:
                line += f"{found['value']:>18}{'':>9}"
            else:
                line += f"{found['stall_ms']:>18}{found['took_s']:>9}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
