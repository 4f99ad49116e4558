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

An idle client makes (almost) no objects: the timer stops once a look finds none made
since the last, and starts again when the GUI thread wakes for anything else (a key,
a click, a worker's result or progress, another timer) and objects have been made.
Looking twice a second for nothing woke a laptop on battery 120 times a minute,
minimised or not.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QAbstractEventDispatcher, QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 500
#: How often while objects are made fast (a review pack being built on a worker
#: thread): a collection's pause grows with what was made since the last one.
BUSY_INTERVAL_MS = 25
#: At most this many objects made (and kept) since the last look: the client is idle,
#: the timer stops until the GUI thread wakes for something else.
IDLE_GROWTH = 20
#: The timer's object name: it lives with the application, started again as it wakes.
TIMER_NAME = "fieldplan-collector"


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
        #: while this says so (a database job or another thread works), the timer
        #: never stops: a thread's objects wake no GUI thread
        self.keep_looking: Callable[[], bool] | None = None
        #: as Python's own collector: the oldest generation is collected only once the
        #: objects moved on since its last collection (``pending``, at most those
        #: made and not freed) are a quarter of those it then kept (``long_lived``)
        self.pending = self.long_lived = 0
        self._stopped = False
        self._was_enabled = gc.isenabled()
        gc.disable()
        #: the young generation's count after the last look (objects made since)
        self._young_after = gc.get_count()[0]
        self.timer = QTimer(self)
        self.timer.setObjectName(TIMER_NAME)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        self._dispatcher = QAbstractEventDispatcher.instance(self.thread())
        if self._dispatcher is not None:
            self._dispatcher.awake.connect(self._woken)

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
        made = young - self._young_after
        self._young_after = gc.get_count()[0]
        if (interval == self.interval_ms and made <= IDLE_GROWTH
                and self._dispatcher is not None
                and not (self.keep_looking is not None and self.keep_looking())):
            # idle: no look until the GUI thread wakes for something else (_woken)
            self.timer.stop()
        elif not self.timer.isActive():
            self.timer.start()

    def _woken(self) -> None:
        """(the GUI thread's event loop woke) Looking again, if it stopped and objects
        have been made since. (Not at every wake: the loop says it woke for this
        timer's own last look too, which would start it again for ever.)"""
        if (not self.timer.isActive() and not self._stopped
                and gc.get_count()[0] - self._young_after > IDLE_GROWTH):
            self.timer.start(self.interval_ms)

    def stop(self) -> None:
        """The automatic collector back as it was."""
        self._stopped = True
        self.timer.stop()
        if self._dispatcher is not None:
            self._dispatcher.awake.disconnect(self._woken)
            self._dispatcher = None
        if self._was_enabled:
            gc.enable()


def collect_on_gui_thread(app: QObject) -> MainThreadCollector:
    """Install the collector on ``app`` (once)."""
    found = app.findChild(MainThreadCollector)
    return found if found is not None else MainThreadCollector(app)
