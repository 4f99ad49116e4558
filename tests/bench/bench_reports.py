"""Benchmark of the PDF reports (run on demand, not by pytest):

    python tests/bench/bench_reports.py [--offices 57] [--lang en]

Prints the time of one status sheet including interpreter start-up, the time of the
review pack for N offices, and each run's peak memory (max RSS of a fresh process).
Targets: sheet <= 1 s, 57-office pack <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-S1"

RUN = """
import json, resource, sys, time
t0 = time.perf_counter()
from fieldplan.replica import open_replica
from fieldplan.reports import build_review_pack, build_status_sheet
db, kind, out, lang, period = sys.argv[1:6]
with open_replica(db) as rep:
    t1 = time.perf_counter()
    if kind == "sheet":
        build_status_sheet(rep, period, "ML", out=out, lang=lang)
    else:
        build_review_pack(rep, period, out, lang=lang)
t2 = time.perf_counter()
print(json.dumps({"build": t2 - t1, "in_process": t2 - t0,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_world(folder: Path, offices: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from fieldplan.offices import OIC_MEMBERS, working_language
    from fieldplan.replica import init_hq
    from tests.fixtures.reports.seed import NARRATIVES, write_progress

    db = folder / "hq.sqlite3"
    with init_hq(db) as rep:
        for code in sorted(OIC_MEMBERS)[:offices]:
            lang = working_language(code)
            ach, cha, nxt = NARRATIVES[lang]
            write_progress(
                rep,
                code,
                PERIOD,
                lang=lang,
                narrative=(" ".join([ach] * 4), " ".join([cha] * 3), nxt),
            )
        rep.conn.commit()
    return db


def run(db: Path, kind: str, out: Path, lang: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", RUN, str(db), kind, str(out), lang, PERIOD],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    wall = time.perf_counter() - t0
    return {"wall_with_startup": wall, **json.loads(proc.stdout)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offices", type=int, default=57)
    ap.add_argument("--lang", default="en")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db = make_world(folder, args.offices)
        print(f"data: {args.offices} offices written in {time.perf_counter() - t0:.1f} s")
        run(db, "sheet", folder / "warm.pdf", args.lang)  # compiles catalogs, warms caches
        sheet = run(db, "sheet", folder / "sheet.pdf", args.lang)
        pack = run(db, "pack", folder / "pack.pdf", args.lang)
        pages = subprocess.run(
            ["qpdf", "--show-npages", str(folder / "pack.pdf")], capture_output=True, text=True
        ).stdout.strip()
        size = (folder / "pack.pdf").stat().st_size / 1e6
        print(
            f"sheet ({args.lang}): {sheet['wall_with_startup']:.2f} s with start-up "
            f"(build {sheet['build']:.2f} s), peak {sheet['peak_mib']:.0f} MiB"
        )
        print(
            f"pack ({args.offices} offices, {args.lang}): {pack['wall_with_startup']:.2f} s "
            f"with start-up (build {pack['build']:.2f} s), {pages} pages, {size:.1f} MB, "
            f"peak {pack['peak_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
