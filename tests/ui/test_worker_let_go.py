"""What a database job holds of the window that asked (its callbacks, closures over
widgets) is let go of on the GUI thread. Dropped by the worker as it took its next
job, a Qt object they alone kept was destroyed on the worker thread, under Qt's
locks while it held Python's: the GUI thread, waiting for Python's under one of
Qt's (a signal disconnected as an object is collected), froze with it for good."""

from __future__ import annotations

import threading

from tests.ui.conftest import wait_idle
from ui.ops import DbOp, Session, Worker


class _Kept:
    """Stands for a window a callback alone keeps: notes the thread that drops it."""

    def __init__(self, dropped_on: list[str]) -> None:
        self.dropped_on = dropped_on

    def __call__(self, _result: object) -> None:
        pass

    def __del__(self) -> None:
        self.dropped_on.append(threading.current_thread().name)


def test_a_jobs_callbacks_are_dropped_on_the_gui_thread(qtbot, hq_db):
    session = Session(hq_db)
    try:
        dropped_on: list[str] = []
        for failing in (False, True):
            kept, kept_fn = _Kept(dropped_on), _Kept(dropped_on)

            def fn(rep, kept_fn=kept_fn, failing=failing):
                if failing:
                    raise OSError("the disk is full")
                return None

            DbOp(session, None, fn).success(kept).failure(kept).run()
            del kept, kept_fn, fn
            wait_idle(qtbot, session)
            # the worker takes its next job (and would drop the last one's then)
            DbOp(session, None, lambda rep: None).run()
            wait_idle(qtbot, session)
        main = threading.main_thread().name
        assert dropped_on == [main] * 4
    finally:
        session.close()


def test_a_long_jobs_callbacks_are_dropped_on_the_gui_thread(qtbot, hq_db):
    session = Session(hq_db)
    try:
        dropped_on: list[str] = []
        kept = _Kept(dropped_on)
        DbOp(session, None, lambda rep, progress, cancel: progress(1, 1, "")).with_progress(
            ).success(kept).run()
        del kept
        wait_idle(qtbot, session)
        DbOp(session, None, lambda rep: None).run()
        wait_idle(qtbot, session)
        assert dropped_on == [threading.main_thread().name]
    finally:
        session.close()


def test_an_abandoned_openings_jobs_are_let_go_of_on_the_gui_thread(qtbot, hq_db,
                                                                   monkeypatch):
    """(ui.app: the wait sign's Cancel) A session abandoned while its opening hangs:
    its queued jobs' callbacks are let go of at once, on the GUI thread, not by the
    worker whenever the drive answers; the job runs not, and nothing is delivered."""
    import fieldplan.replica

    release = threading.Event()
    real = fieldplan.replica.open_replica

    def open_replica(path, **kwargs):
        release.wait(30)
        return real(path, **kwargs)

    monkeypatch.setattr(fieldplan.replica, "open_replica", open_replica)
    session = Session(hq_db)
    try:
        dropped_on: list[str] = []
        ran, delivered = [], []
        kept = _Kept(dropped_on)
        DbOp(session, None, lambda rep, kept=kept: ran.append(kept)).success(
            lambda result, kept=kept: delivered.append(kept)).run()
        del kept
        session.abandon()
        assert dropped_on == [threading.main_thread().name]
        release.set()
        qtbot.waitUntil(lambda: not session.worker.isRunning(), timeout=20_000)
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # (anything said by then would be delivered)
        assert ran == [] and delivered == []
    finally:
        release.set()
        session.worker.wait(20_000)


class _Paused:
    """The worker's queue, paused once just after the worker has taken its first job
    (before it has looked whether the session was abandoned): ``taken``, then it waits
    for ``go``."""

    def __init__(self, jobs) -> None:
        self.jobs = jobs
        self.taken, self.go = threading.Event(), threading.Event()

    def put(self, job) -> None:
        self.jobs.put(job)

    def get_nowait(self):
        return self.jobs.get_nowait()

    def get(self):
        job = self.jobs.get()
        if job is not None and not self.taken.is_set():
            self.taken.set()
            self.go.wait(30)
        return job


def test_a_job_taken_as_the_session_is_abandoned_is_not_let_go_of_on_the_worker(
        qtbot, hq_db, monkeypatch):
    """(Worker.abandon) The worker took the job from its queue just before the session
    was abandoned, so that the queue no longer held it and it was not yet the job
    running: neither was let go of on the GUI thread, and the worker dropped it (its
    callbacks with it) as it took its next job."""
    # (the queue paused before the worker starts: put in place after, it was sometimes
    # late, the worker already waiting on the queue it replaced, on a loaded machine)
    made: list[_Paused] = []
    start = Worker.start

    def paused_start(worker) -> None:
        worker._jobs = _Paused(worker._jobs)
        made.append(worker._jobs)
        start(worker)

    monkeypatch.setattr(Worker, "start", paused_start)
    session = Session(hq_db)
    [paused] = made
    try:
        dropped_on: list[str] = []
        ran = []
        kept = _Kept(dropped_on)
        DbOp(session, None, lambda rep: ran.append(1)).success(kept).run()
        del kept
        assert paused.taken.wait(30)
        session.abandon()
        paused.go.set()
        assert session.worker.wait(20_000)
        assert "fieldplan-db-worker" not in dropped_on and ran == []
    finally:
        paused.go.set()
        session.worker.wait(20_000)


def test_the_function_of_a_job_abandoned_as_it_ran_is_not_let_go_of_on_the_worker(
        qtbot, hq_db):
    """(Worker.abandon) The job running as the session is abandoned: its function (a
    closure over the window that asked) was let go of on the GUI thread while the
    worker still ran it, and the worker dropped the last reference as it returned."""
    session = Session(hq_db)
    started, release = threading.Event(), threading.Event()
    try:
        dropped_on: list[str] = []
        kept = _Kept(dropped_on)

        def fn(rep, kept=kept):
            started.set()
            release.wait(30)

        DbOp(session, None, fn).success(kept).run()
        del kept, fn
        assert started.wait(30)
        session.abandon()
        release.set()
        assert session.worker.wait(20_000)
        assert "fieldplan-db-worker" not in dropped_on
    finally:
        release.set()
        session.worker.wait(20_000)
