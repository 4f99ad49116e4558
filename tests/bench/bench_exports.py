"""Benchmark of the table export (run on demand, not by pytest):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_exports.py [--db HQ.sqlite3]

On the 57-office demo headquarters (``fieldplan demo --offices 57 --merge``, made in a
temporary folder unless ``--db`` names one), for CSV, HXL and XLSX, all periods:

1. ``fieldplan data export`` in a fresh process, against ``fieldplan data export
   --help`` (the same start-up, no export) in the same run; bytecode cached, as in an
   installed copy;
2. in the core: reading the reports (``tabular.rows``) and writing the file
   (``write_table``), and how often it called ``progress``;
3. in the client: the same job through ``ui.ops.DbOp`` with its progress dialog, as
   File ▸ Export table runs it, and the longest stall of the event loop meanwhile.

Best of ``--runs`` runs each, wall and CPU time (the steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
FORMATS = ("csv", "hxl", "xlsx")


def demo_hq(folder: Path) -> Path:
    from fieldplan.demo import make_demo

    t0 = time.perf_counter()
    world = make_demo(folder / "demo", offices=57, seed=1, merge=True)
    print(f"demo --offices 57 --merge: {time.perf_counter() - t0:.0f} s, "
          f"{world.reports} reports")
    return world.hq


def cli(db: Path, args: list[str], pycache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a ``fieldplan data export`` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fieldplan", "--db", str(db), "data", "export",
                    *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0, _children_cpu() - before


def _children_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def bench_cli(db: Path, tmp: Path, runs: int) -> None:
    pycache = tmp / "pycache"
    cli(db, ["--help"], pycache)  # compiles and caches the bytecode
    start, start_cpu = _best(cli(db, ["--help"], pycache) for _ in range(runs))
    print(f"command line (start-up alone, 'data export --help': {start:.2f} s, "
          f"CPU {start_cpu:.2f} s)")
    for fmt in FORMATS:
        wall, cpu = _best(cli(db, ["--format", fmt, "-o", str(tmp / f"cli-{fmt}.{fmt[:4]}")],
                              pycache) for _ in range(runs))
        print(f"  {fmt:4}: {wall:.2f} s (CPU {cpu:.2f} s), {wall - start:.2f} s past "
              f"start-up (CPU {cpu - start_cpu:.2f} s)")


def bench_core(db: Path, tmp: Path, runs: int) -> None:
    from fieldplan import tabular
    from fieldplan.replica import open_replica

    print("core (in one process)")
    with open_replica(db) as rep:
        tabular.rows(rep)  # plan, locale data: loaded once a process
        read, cpu = _best(_timed(lambda: tabular.rows(rep)) for _ in range(runs))
        print(f"  reading the reports: {read:.2f} s (CPU {cpu:.2f} s)")
        for fmt in FORMATS:
            calls: list[int] = []

            def export(fmt=fmt, calls=calls) -> None:
                tabular.write_table(rep, fmt, tmp / f"core.{fmt}",
                                    progress=lambda done, _total, _label: calls.append(done))

            best, cpu = _best(_timed(export) for _ in range(runs))
            print(f"  {fmt:4}: {best:.2f} s whole (CPU {cpu:.2f} s), "
                  f"{len(calls) // runs} progress calls")


def bench_client(db: Path, tmp: Path, runs: int) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from ui.ops import DbOp, Session

    app = QApplication.instance() or QApplication([])
    window = QMainWindow()
    window.show()
    session = Session(db)
    print("client (DbOp on the worker, progress dialog; longest event-loop stall)")
    try:
        for fmt in FORMATS:
            best, best_cpu, stall = float("inf"), float("inf"), 0.0
            for _ in range(runs):
                cpu0 = time.process_time()
                took, longest = _client_run(app, session, window, fmt, tmp, DbOp, QTimer)
                best, stall = min(best, took), max(stall, longest)
                best_cpu = min(best_cpu, time.process_time() - cpu0)
            print(f"  {fmt:4}: {best:.2f} s (CPU {best_cpu:.2f} s, both threads), "
                  f"longest stall {stall * 1000:.0f} ms")
    finally:
        session.close()
        window.close()


def _client_run(app, session, window, fmt, tmp, DbOp, QTimer) -> tuple[float, float]:
    from fieldplan.tabular import write_table

    done: list[float] = []
    ticks = [time.perf_counter()]
    longest = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        longest[0] = max(longest[0], now - ticks[0])
        ticks[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def run(rep, progress, cancel):
        return write_table(rep, fmt, tmp / f"client.{fmt}", progress=progress, cancel=cancel)

    t0 = time.perf_counter()
    ticks[0] = t0
    timer.start()
    DbOp(session, window, run).with_progress("Writing the table…").success(
        lambda _result: done.append(time.perf_counter())).run()
    while not done:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return done[0] - t0, longest[0]


def _timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn()``."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - cpu0


def _best(runs) -> tuple[float, float]:
    """The least wall time and the least CPU time of (wall, CPU) runs: on a shared
    machine the CPU time is the steadier figure."""
    runs = list(runs)
    return min(w for w, _ in runs), min(c for _, c in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an HQ database (default: a new 57-office demo)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = args.db.resolve() if args.db else demo_hq(tmp)
        bench_cli(db, tmp, args.runs)
        bench_core(db, tmp, args.runs)
        bench_client(db, tmp, args.runs)


if __name__ == "__main__":
    main()
