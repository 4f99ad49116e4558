"""Idle wake-ups of the desktop client (run on demand, not in the suite):

    QT_QPA_PLATFORM=offscreen python tests/bench/idle_wakeups.py DB.sqlite3 [SECONDS]

Offices keep the window open all day on laptops, often on battery. This opens the
window on ``DB`` (through ``ui.app.start``, as the client runs), waits for its first
paint, then leaves it alone: shown, minimised, then hidden (SECONDS, then half of it
each). For each it prints the timer events a minute on the GUI thread (by object),
the voluntary context switches a minute of every thread (its wake-ups) and the CPU
seconds a minute. The event loop waits in one ``QEventLoop`` (``QTest.qWait`` itself
wakes every 10 ms). The last timer listed without a parent is this script's own.
"""

import collections
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# (the person's settings and data left alone)
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp()

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer


def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class TimerEvents(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen: collections.Counter = collections.Counter()

    def eventFilter(self, watched, event) -> bool:  # (Qt's name)
        if event.type() == QEvent.Type.Timer:
            parent = watched.parent()
            self.seen[(watched.metaObject().className(), watched.objectName(),
                       parent.metaObject().className() if parent is not None else "-")] += 1
        return False


def switches() -> dict[str, tuple[str, int]]:
    """Each thread's name and voluntary context switches so far (Linux)."""
    names = {str(t.native_id): t.name for t in threading.enumerate()}
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/status") as f:
                status = f.read()
        except OSError:
            continue
        count = int(status.split("voluntary_ctxt_switches:")[1].split()[0])
        out[tid] = (names.get(tid, tid), count)
    return out


def measure(app, label: str, seconds: float) -> None:
    events = TimerEvents()
    app.installEventFilter(events)
    before, cpu, start = switches(), time.process_time(), time.monotonic()
    run_loop(int(seconds * 1000))
    took, cpu = time.monotonic() - start, time.process_time() - cpu
    after = switches()
    app.removeEventFilter(events)
    per = 60 / took
    print(f"{label}: timer events/min {sum(events.seen.values()) * per:.1f}, "
          f"CPU s/min {cpu * per:.3f}")
    for key, n in events.seen.most_common(8):
        print(f"    {n * per:6.1f}/min  {key}")
    for tid, (name, count) in after.items():
        woke = count - before.get(tid, (name, count))[1]
        if woke:
            print(f"    thread {name}: {woke * per:.1f} wake-ups/min")


def main() -> None:
    db = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    from ui import app as client

    shell = client.start(db)
    for _ in range(300):
        run_loop(100)
        if shell.window is not None and shell.window.painted:
            break
    window = shell.window
    run_loop(5000)  # (what the start set going, done)
    measure(shell.app, "shown, idle", seconds)
    window.showMinimized()
    run_loop(200)
    measure(shell.app, "minimised", seconds / 2)
    window.showNormal()
    window.hide()
    run_loop(2000)
    measure(shell.app, "hidden", seconds / 2)
    os._exit(0)


if __name__ == "__main__":
    main()
