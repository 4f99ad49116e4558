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
