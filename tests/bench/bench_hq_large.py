"""Two slow spots of a large headquarters, timed on their own (run on demand, not as a
timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_hq_large.py [--cache DIR]

On bench_hq_walk.py's ``large`` headquarters (made once in ``--cache``, the same folder
as that benchmark's: about six minutes the first time):

- trusting a quarantined key (``keys trust``, the Quarantine page's Trust), on a fresh
  copy of the database each time: the whole trust, its backup (the quick check and the
  copy) and the bundles' merge;
- the Conflicts page's worker job (``list_conflicts``), ``count_conflicts`` (the
  window's sync state), and the page's table loaded with the conflicts on the GUI
  thread (``ConflictModel.set_rows`` with its columns fitted, and the first paint).

Each figure is the best of ``--runs`` (the machine may be shared).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _copy(source: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("hq.sqlite3", "hq.sqlite3.key"):
        shutil.copy2(source / name, work / name)
    return work / "hq.sqlite3"


def time_trust(source: Path, work: Path) -> dict[str, float]:
    """One trust of the first quarantined key, on a fresh copy: seconds of the whole,
    of the backups in it (and their quick checks), and how many bundles it merged."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from fieldplan.sync import exchange

    spent = {"backup": 0.0, "check": 0.0}
    real_backup, real_check = store.backup, store.check_sound

    def timed(name, fn, *args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start

    store.backup = functools.partial(timed, "backup", real_backup)
    store.check_sound = functools.partial(timed, "check", real_check)
    try:
        with open_replica(_copy(source, work)) as rep:
            fingerprint = exchange.list_quarantine(rep)[0].fingerprint
            start = time.perf_counter()
            outcomes = exchange.trust_key(rep, fingerprint)
            took = time.perf_counter() - start
    finally:
        store.backup, store.check_sound = real_backup, real_check
    shutil.rmtree(work, ignore_errors=True)
    return {"trust s": took, "backups s": spent["backup"], "of which checks s": spent["check"],
            "bundles": len(outcomes)}


def time_conflicts(db: Path, runs: int) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from fieldplan.replica import open_replica
    from fieldplan.sync.conflicts import count_conflicts, list_conflicts
    from ui.hq_desk import _table
    from ui.models import ConflictModel

    app = QApplication.instance() or QApplication([])

    def best(fn) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    with open_replica(db) as rep:
        rows = list_conflicts(rep)
        out = {"conflicts": len(rows), "list_conflicts s": best(lambda: list_conflicts(rep)),
               "count_conflicts s": best(lambda: count_conflicts(rep))}
    model = ConflictModel()
    view = _table(model, "Conflicts")
    view.resize(1200, 600)
    view.show()
    app.processEvents()

    def load() -> None:
        model.set_rows([])
        app.processEvents()
        start = time.perf_counter()
        model.set_rows(rows)
        app.processEvents()
        spent.append(time.perf_counter() - start)

    spent: list[float] = []
    for _ in range(runs):
        load()
    out["table load (GUI) s"] = min(spent)
    view.close()
    return out


def main() -> int:
    import bench_hq_walk

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "fieldplan-bench-hq")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    source = bench_hq_walk.world(args.cache, "large")
    size = (source / "hq.sqlite3").stat().st_size / 2**20
    print(f"large headquarters: {size:.0f} MB")
    trusts = [time_trust(source, args.cache / "trust") for _ in range(args.runs)]
    best = min(trusts, key=lambda t: t["trust s"])
    listed = time_conflicts(_copy(source, args.cache / "conflicts"), args.runs)
    shutil.rmtree(args.cache / "conflicts", ignore_errors=True)
    for name, value in [*best.items(), *listed.items()]:
        print(f"{name:28}{value:>10.3f}" if isinstance(value, float) else f"{name:28}{value:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
