"""The Conflicts page's versions laid out again (run on demand, not as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_conflict_layout.py --cache DIR \
        [--code CHECKOUT]

1. ``message``: the words above the versions going from one line to three and back
   (as stepping from a conflict of 32 versions to one of 40, which says the versions
   not shown), against a change of the same words that keeps their height: CPU time
   of the window's thread for the change laid out (``_lay_out_now``) and for the
   events after it (the versions painted again);
2. ``first wide``: Down from a conflict of two versions to one of 32, the first time
   (30 version boxes made) and the times after (the boxes filled again).

Each in a process of its own, on an ML laptop of ``bench_conflicts_wide`` (64 open
versions, two conflicts of 32), at 1280×800.

Measured (2 shared cores, session 35), median of 200 changes, two runs each:

    message, same height:   0.6-0.7 ms laid out, 0.6 ms after (nothing else moves)
    message, 1 <-> 3 lines: 1.4-1.9 ms laid out (the 32 boxes among it),
                            8.7-10.3 ms after: the versions painted again, which a
                            step to another conflict does anyway (its values change)
    Down through 100 conflicts of 32 versions, the message changing height at each
    step or never: 33-36 ms against 28-42 ms a step, medians of three runs: no
    difference the noise lets through. The boxes' layout again is about 1 ms of a
    35 ms step: left as it is (keeping the boxes' height would need room kept empty
    under a shorter message, or the list's divider moving at each step).

    first wide, 2 -> 32 versions, first time:  74-83 ms; again: 42-54 ms
    (each step into a wide conflict after a narrow one; steps between wide ones,
    8-13 ms). Making the 30 boxes ahead, in an idle turn, would move a 30 ms turn
    of the window's thread from the first Down to just after the list is read, and
    keep 30 boxes on every laptop whose conflicts are of two versions: left as it is
    (both under the 100 ms a step is allowed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _page(db: Path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.context import read_identity
    from ui.main_window import MainWindow
    from ui.ops import DbOp, Session

    app = QApplication.instance() or QApplication([])

    def until(done):
        while not done():
            app.processEvents()
            time.sleep(0.002)

    session = Session(db)
    got: list = []
    DbOp(session, None, read_identity).success(got.append).run()
    until(lambda: bool(got))
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, got[0], settings)
    window.resize(1280, 800)
    window.show()
    until(lambda: session.pending == 0)
    page = window.conflicts
    window.show_page(page)
    until(lambda: session.pending == 0 and page.model.rowCount() > 0 and bool(page.keep_buttons))
    return app, window, page


def _conflict(n: int, many: int):
    from fieldplan.sync.conflicts import Candidate, Conflict

    return Conflict(f"c{n}", "progress", f"ML|PA{n}|2026-S1", "percent", tuple(
        Candidate(f"{i:08x}:{i}", f"{i:08x}-{i}:{i}", (i + n) % 101, f"author{i % 3}",
                  f"2026-03-{1 + n % 28:02d}T10:{i % 60:02d}:00Z", i == 0)
        for i in range(many)))


def message(db: Path) -> dict:
    app, _window, page = _page(db)
    first = page.message.text().split("\n")[0]
    out = {}
    for kind, texts in (("same height", (first, first + " x")),
                        ("1 <-> 3 lines", (first, first + "\nsecond line\nthird line"))):
        laid, after = [], []
        for n in range(200):
            cpu = time.process_time()
            page._tell(texts[n % 2])
            page._lay_out_now()
            mid = time.process_time()
            app.processEvents()
            laid.append(1000 * (mid - cpu))
            after.append(1000 * (time.process_time() - mid))
        out[kind] = {"laid out ms": round(statistics.median(laid), 2),
                     "after ms": round(statistics.median(after), 2)}
    return out


def first_wide(db: Path) -> dict:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtTest import QTest

    from ui.qtcompat import Qt

    app, _window, page = _page(db)
    page._loaded([_conflict(0, 2), _conflict(1, 32), _conflict(2, 2), _conflict(3, 32)])
    for box in page._boxes[2:]:  # (as a page that showed conflicts of two versions only)
        box.setParent(None)
        box.deleteLater()
    del page._boxes[2:]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    page.view.setFocus()
    steps = []
    for key in (Qt.Key.Key_Down,) * 3 + (Qt.Key.Key_Up,) * 2 + (Qt.Key.Key_Down,):
        cpu = time.process_time()
        QTest.keyClick(page.view, key)
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        steps.append(round(1000 * (time.process_time() - cpu), 1))
    return {"2->32 first ms": steps[0], "2->32 again ms": [steps[2], steps[4]],
            "32->2 ms": [steps[1], steps[3]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--only", choices=("message", "first-wide"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = args.cache / "wide-64-each32"
    if args.only:
        sys.path.insert(0, str(args.code.resolve()))
        db = folder / "ml.sqlite3"
        print(json.dumps(message(db) if args.only == "message" else first_wide(db)))
        return 0
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from bench_conflicts_wide import make

    make(folder, 64, 32)
    for only in ("message", "first-wide"):
        got = subprocess.run(
            [sys.executable, __file__, "--cache", str(args.cache), "--code", str(args.code),
             "--only", only], check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(args.code.resolve())})
        print(f"{only}: {got.stdout.strip().splitlines()[-1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
