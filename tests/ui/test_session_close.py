"""Closing the client while a long job runs (a review pack being built, an export to
every office): the job is cancelled, not finished for a window that is gone, and the
database's claim is kept until the worker has let the database go. An import runs to
its end: no window is left to say which bundles it cut short."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from ui.ops import DbOp, Session
from ui.single_instance import Guard

#: the longest a stand-in job runs when nobody cancels it (the test then fails)
UNCANCELLED_S = 10.0


def _long_job(started: threading.Event, seen: list, guard: Guard | None = None):
    """A stand-in for a report build: works in steps until cancelled, and notes
    whether it was, and whether the client still held its claim by then."""

    def fn(rep, progress, cancel):
        started.set()
        step = threading.Event()
        for _ in range(int(UNCANCELLED_S / 0.01)):
            if cancel():
                seen.append(("cancelled", guard.owned if guard is not None else None))
                return None
            progress(0, 0, "")
            step.wait(0.01)  # one step of the build
        seen.append(("finished", None))
        return None

    return fn


def test_closing_the_session_cancels_its_long_jobs_and_finishes_the_rest(qtbot, hq_db):
    session = Session(hq_db)
    started, seen, ran, delivered = threading.Event(), [], [], []
    DbOp(session, None, _long_job(started, seen)).with_progress().success(
        delivered.append).failure(delivered.append).run()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    # queued behind it: another long job (not begun: left out) and a save (finished)
    DbOp(session, None, lambda rep, progress, cancel: ran.append("long")).with_progress(
        ).success(delivered.append).run()
    DbOp(session, None, lambda rep: ran.append("save")).success(delivered.append).run()
    session.close()
    assert not session.worker.isRunning()
    assert seen == [("cancelled", None)]
    assert ran == ["save"]
    qtbot.waitUntil(lambda: session.pending == 0, timeout=5000)
    # the save's result comes; nothing of the cancelled ones (their window is gone)
    assert delivered == [None]


def test_a_user_cancelled_job_still_says_so_while_the_session_is_open(qtbot, hq_db):
    """(Only ``close`` keeps a cancelled job's end to itself.)"""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

    session = Session(hq_db)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    started, seen, delivered = threading.Event(), [], []
    DbOp(session, parent, _long_job(started, seen)).with_progress().success(
        lambda r: delivered.append("done")).run()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    dialog = parent.findChild(QProgressDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, session)
    assert seen == [("cancelled", None)] and delivered == ["done"]
    session.close()


def test_closing_the_window_during_a_long_job_ends_the_client_at_once(qtbot, hq_db,
                                                                     settings):
    """The window closed while a review pack is built: the build is cancelled, and
    the database's claim given up only once the worker has stopped (a start meanwhile
    would open a second client on the database)."""
    from ui.app import start

    app = QApplication.instance()
    font = app.font()
    shell = start(str(hq_db), lang="en", prefs=settings)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        guard = shell.guard
        assert guard is not None and guard.owned
        started, seen = threading.Event(), []
        DbOp(shell.session, shell.window, _long_job(started, seen, guard)).with_progress(
            "Making the report").run()
        qtbot.waitUntil(started.is_set, timeout=10_000)
        shell.window.close()
        shell.shutdown()
        assert seen == [("cancelled", True)]  # cancelled, the claim still held
        assert not guard.owned and shell.guard is None
        later = Guard(hq_db)
        assert later.claim()  # given up by now
        later.release()
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_an_import_runs_to_its_end_when_the_client_closes(qtbot, hq_db):
    """Dropped bundles still being imported when the window closed were cut short,
    and nothing anywhere said which were left out: an import finishes instead."""
    session = Session(hq_db)
    started, seen, queued = threading.Event(), [], []

    def importing(rep, progress, cancel):
        started.set()
        for _ in range(20):  # each bundle one step
            assert not cancel()
            progress(0, 0, "")
            threading.Event().wait(0.01)
        seen.append("all imported")

    DbOp(session, None, importing).with_progress().finish_on_close().run()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    DbOp(session, None, lambda rep, progress, cancel: queued.append("next import")
         ).with_progress().finish_on_close().run()
    session.close()
    assert not session.worker.isRunning()
    assert seen == ["all imported"] and queued == ["next import"]


def test_the_client_imports_dropped_bundles_to_the_end(monkeypatch):
    """transfer.import_files asks for it."""
    from ui import transfer

    asked = []
    monkeypatch.setattr(DbOp, "run", lambda self: asked.append(self._finish))
    transfer.import_files(None, None, ["x.fieldplan"])
    assert asked == [True]
