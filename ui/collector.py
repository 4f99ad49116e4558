"""Python's cyclic garbage collector, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate when a
generation's count passes its threshold: the database worker or the drafts writer
as well as the GUI thread. A cycle that holds a Qt widget (a lambda connected to
its own widget's signal, a dialog and its callbacks) is then destroyed on that
thread, and Qt crashes: the test suite died with "Segmentation fault" under
"Garbage-collecting" in the drafts writer thread. So the automatic collector is
turned off, and a timer on the GUI thread does its work, generation by generation,
with the same thresholds (as pyqtgraph's GarbageCollector does), and, as Python's
own, the oldest generation collected only once a quarter more objects have moved into
it since: each of its collections goes through every object the client holds (at a
57-office headquarters with a review pack being built, 0.2 s).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 500
#: How often while objects are made fast (a review pack being built on a worker
#: thread): a collection's pause grows with what was made since the last one.
BUSY_INTERVAL_MS = 25


class MainThreadCollector(QObject):
    """While it lives, cycles are collected on the thread that made it (the GUI's)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.interval_ms = interval_ms
        #: while this says so (a long job builds a review pack, imports, exports), the
        #: oldest generation waits: its collection goes through every object held,
        #: the job's too, and held the window 0.2 s
        self.postpone_full: Callable[[], bool] | None = None
        #: as Python's own collector: the oldest generation is collected only once the
        #: objects moved on since its last collection (``pending``, at most those
        #: made and not freed) are a quarter of those it then kept (``long_lived``)
        self.pending = self.long_lived = 0
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose count passed their threshold; look again
        sooner while objects are being made fast. Python collects every few hundred
        objects made; looking every half second let a worker building the review
        pack make 130,000 between two looks, and collecting them (and the middle
        generation they filled) held the window 0.2 s; looked at every 25 ms then,
        the longest pause was 50 ms."""
        young, middle, old = gc.get_count()
        if young > self.threshold[0]:
            gc.collect(0)
            # (the objects made and not freed since the last look: those it moves on,
            # counted without listing the middle generation, 40 % of its collection)
            self.pending += young
            if middle > self.threshold[1]:
                gc.collect(1)
                if (old > self.threshold[2] and self.pending > self.long_lived // 4
                        and not (self.postpone_full is not None and self.postpone_full())):
                    gc.collect(2)
                    self.pending, self.long_lived = 0, len(gc.get_objects(2))
        # (a collection was due: objects are being made; an idle window makes fewer
        # than the threshold in half a second, and is looked at twice a second)
        interval = BUSY_INTERVAL_MS if young > self.threshold[0] else self.interval_ms
        if self.timer.interval() != interval:
            self.timer.setInterval(interval)

    def stop(self) -> None:
        """The automatic collector back as it was."""
        self.timer.stop()
        if self._was_enabled:
            gc.enable()


def collect_on_gui_thread(app: QObject) -> MainThreadCollector:
    """Install the collector on ``app`` (once)."""
    found = app.findChild(MainThreadCollector)
    return found if found is not None else MainThreadCollector(app)
