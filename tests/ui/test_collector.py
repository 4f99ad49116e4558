"""Cycles are collected on the GUI thread only (ui.collector): a cycle holding a
widget destroyed on the database worker or the drafts writer crashes Qt."""

from __future__ import annotations

import gc
import threading


class Cycle:
    """Half of a reference cycle that says on which thread it was collected."""

    def __init__(self, seen: list[int]) -> None:
        self.seen = seen
        self.other = None

    def __del__(self) -> None:
        self.seen.append(threading.get_ident())


def make_cycle(seen: list[int]) -> None:
    a, b = Cycle(seen), Cycle(seen)
    a.other, b.other = b, a


def test_a_worker_thread_never_collects_and_the_gui_thread_does(qapp, qtbot):
    from ui.collector import collect_on_gui_thread

    collect_on_gui_thread(qapp)
    assert not gc.isenabled()
    seen: list[int] = []
    make_cycle(seen)

    def allocate() -> None:  # what would trigger a collection in this thread
        kept = [[] for _ in range(20_000)]
        assert kept

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert seen == []  # not collected on the worker
    kept = [[] for _ in range(gc.get_threshold()[0] + 100)]  # a collection is due
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert kept
    assert set(seen) == {threading.main_thread().ident}


def test_the_gui_thread_looks_again_soon_while_objects_are_being_made(qapp):
    """Looking every half second, a worker building the review pack made 130,000
    objects between two looks, and collecting them held the window 0.2 s: while a
    collection is due at each look, the next comes sooner; once none is, as before."""
    from ui.collector import BUSY_INTERVAL_MS, INTERVAL_MS, MainThreadCollector

    collector = MainThreadCollector(interval_ms=INTERVAL_MS)
    try:
        assert collector.timer.interval() == INTERVAL_MS
        kept = [[] for _ in range(gc.get_threshold()[0] + 100)]  # a collection is due
        collector.check()
        assert collector.timer.interval() == BUSY_INTERVAL_MS < INTERVAL_MS
        assert gc.get_count()[0] < gc.get_threshold()[0]  # collected
        collector.check()  # nothing made since
        assert collector.timer.interval() == INTERVAL_MS
        assert kept
    finally:
        collector.timer.stop()
        collector.setParent(None)


def test_the_oldest_generation_is_collected_as_python_would(qapp, monkeypatch):
    """Its collection goes through every object held (0.2 s at a 57-office
    headquarters building a review pack): as Python's own collector, only once the
    objects moved into it since its last collection are a quarter of those it kept."""
    from types import SimpleNamespace

    import ui.collector
    from ui.collector import INTERVAL_MS, MainThreadCollector

    collected: list[int] = []
    fake = SimpleNamespace(
        get_threshold=lambda: (700, 10, 10), isenabled=lambda: False, disable=lambda: None,
        enable=lambda: None, get_count=lambda: (1000, 11, 11),
        # (the oldest generation listed after its collection only: listing the middle
        # one before each of its collections cost 40 % of that collection)
        collect=collected.append, get_objects=lambda generation: [None] * {2: 10_000}[generation])
    monkeypatch.setattr(ui.collector, "gc", fake)
    collector = MainThreadCollector(interval_ms=INTERVAL_MS)
    try:
        collector.check()  # the first: nothing known of the oldest generation yet
        assert collected == [0, 1, 2] and collector.long_lived == 10_000
        for _ in range(2):  # 2,000 objects moved on: fewer than a quarter of 10,000
            collected.clear()
            collector.check()
            assert collected == [0, 1]
        collected.clear()
        collector.check()  # 3,000: more than a quarter
        assert collected == [0, 1, 2] and collector.pending == 0
    finally:
        collector.timer.stop()
        collector.setParent(None)


def test_the_oldest_generation_waits_for_the_end_of_a_long_job(qapp, monkeypatch, shell):
    """A long job (the review pack being built) makes objects by the hundred thousand:
    collecting the oldest generation then went through them all, 0.2 s of a frozen
    window. It waits until the job has ended."""
    from types import SimpleNamespace

    import ui.collector
    from ui.collector import INTERVAL_MS, MainThreadCollector, collect_on_gui_thread

    # the client's collector asks the shell whether a long job runs
    postpone = collect_on_gui_thread(qapp).postpone_full
    assert postpone is not None and not postpone()
    monkeypatch.setattr(shell, "session", SimpleNamespace(long_jobs_running=lambda: True))
    assert postpone()
    monkeypatch.setattr(shell, "session", None)

    collected: list[int] = []
    fake = SimpleNamespace(
        get_threshold=lambda: (700, 10, 10), isenabled=lambda: False, disable=lambda: None,
        enable=lambda: None, get_count=lambda: (701, 11, 11),
        collect=collected.append, get_objects=lambda generation: [None] * 100)
    monkeypatch.setattr(ui.collector, "gc", fake)
    collector = MainThreadCollector(interval_ms=INTERVAL_MS)
    try:
        running = [True]
        collector.postpone_full = lambda: running[0]
        for _ in range(5):
            collector.check()
        assert 2 not in collected
        running[0] = False
        collector.check()
        assert collected[-1] == 2
    finally:
        collector.timer.stop()
        collector.setParent(None)


def test_an_idle_client_is_not_woken_by_the_collector(qapp):
    """Looking twice a second for nothing woke a laptop on battery 120 times a minute,
    the window idle or minimised: once a look finds no objects made, the timer stops,
    and a wake of the GUI thread for something that made none (its own last look)
    does not start it again."""
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.collector import MainThreadCollector

    collector = MainThreadCollector(interval_ms=5)
    looks: list[int] = []
    collector.timer.timeout.connect(lambda: looks.append(1))
    try:
        loop = QEventLoop()
        QTimer.singleShot(200, loop.quit)  # 40 of its intervals
        loop.exec()
        # the first look (what the test made before), the second finds nothing new
        assert len(looks) <= 3
        assert not collector.timer.isActive()
    finally:
        collector.stop()
        collector.setParent(None)


def test_the_collector_looks_again_once_the_gui_thread_wakes_with_objects_made(qapp):
    from ui.collector import IDLE_GROWTH, MainThreadCollector

    collector = MainThreadCollector()
    try:
        collector.check()
        collector.check()  # nothing made since the last look: stopped
        assert not collector.timer.isActive()
        collector._woken()  # (the loop woke for that look itself)
        assert not collector.timer.isActive()
        kept = [[] for _ in range(15 * IDLE_GROWTH)]  # a key, a click, a result
        collector._woken()
        assert collector.timer.isActive()
        assert kept
    finally:
        collector.stop()
        collector.setParent(None)


def test_the_collector_keeps_looking_while_a_thread_works(qapp):
    """A worker's objects wake no GUI thread: while a job runs, the looks go on."""
    from ui.collector import MainThreadCollector

    collector = MainThreadCollector()
    collector.keep_looking = lambda: True
    try:
        collector.check()
        collector.check()
        assert collector.timer.isActive()
        collector.keep_looking = lambda: False
        collector.check()
        assert not collector.timer.isActive()
    finally:
        collector.stop()
        collector.setParent(None)
