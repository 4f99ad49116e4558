"""Closing the client while a long job runs (a review pack being built, an export to
every office): the job is cancelled, not finished for a window that is gone, and the
database's claim is kept until the worker has let the database go. An import runs to
its end: no window is left to say which bundles it cut short."""

from __future__ import annotations

import threading

import pytest
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


def _run_until_quit(app, fn, timeout_ms: int = 20_000) -> None:
    """``fn()`` from within the event loop (``app.exec``), which returns once the app
    quits as the client's does: its last window closed. (A quit that never comes
    fails the test after ``timeout_ms``.)"""
    from PySide6.QtCore import QTimer

    stuck: list[bool] = []
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: (stuck.append(True), app.quit()))
    guard.start(timeout_ms)
    QTimer.singleShot(0, fn)
    app.exec()
    guard.stop()
    assert not stuck, "the app did not quit"


def test_an_import_runs_to_its_end_when_the_window_closes_with_its_progress(qtbot, hq_db,
                                                                          settings):
    """The window closed while dropped bundles are imported, their progress dialog on
    screen: the app quits, which closes every window left, the progress dialog too.
    That is no one's Cancel: the import went on to its end only when no progress
    dialog was shown (a window-less import), and was cut short silently otherwise."""
    from PySide6.QtWidgets import QProgressDialog

    from ui.app import start

    app = QApplication.instance()
    font = app.font()
    shell = start(str(hq_db), lang="en", prefs=settings)
    release, started, seen = threading.Event(), threading.Event(), []

    def importing(rep, progress, cancel):
        started.set()
        release.wait(UNCANCELLED_S)  # the bundles being imported, until the app quit
        seen.append("cancelled" if cancel() else "all imported")

    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        DbOp(shell.session, shell.window, importing).with_progress().finish_on_close().run()
        dialog = shell.window.findChild(QProgressDialog)
        qtbot.waitUntil(lambda: started.is_set() and dialog.isVisible(), timeout=10_000)
        _run_until_quit(app, shell.window.close)
        release.set()
        shell.shutdown()
        assert seen == ["all imported"]
    finally:
        release.set()
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_quitting_with_a_progress_dialog_gone_with_its_window(qtbot, hq_db, settings):
    """A long job's progress dialog on a dialog that deletes itself when closed (the
    Export dialog writing a bundle for every office), that dialog closed as the app
    quits: closing the session passes over the progress dialog gone with it, instead
    of ending the shutdown with "Internal C++ object already deleted" before the
    drafts reached the disk and the database's claim was given up."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtWidgets import QDialog, QProgressDialog

    from ui.app import start

    app = QApplication.instance()
    font = app.font()
    shell = start(str(hq_db), lang="en", prefs=settings)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        guard = shell.guard
        export = QDialog(shell.window)
        export.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        export.open()
        started, seen = threading.Event(), []
        DbOp(shell.session, export, _long_job(started, seen)).with_progress().run()
        qtbot.waitUntil(started.is_set, timeout=10_000)
        qtbot.waitUntil(export.findChild(QProgressDialog).isVisible, timeout=10_000)
        _run_until_quit(app, shell.window.close)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        shell.shutdown()
        assert seen == [("cancelled", None)]
        assert not guard.owned and shell.guard is None
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_shutdown_gives_up_the_claim_whatever_closing_the_session_raised(
        qtbot, hq_db, settings, monkeypatch):
    """Whatever goes wrong closing the session, the drafts still reach the disk and
    the database's claim is given up (a later start would wait for it)."""
    from ui import drafts
    from ui.app import start

    app = QApplication.instance()
    font = app.font()
    shell = start(str(hq_db), lang="en", prefs=settings)
    flushed = []
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        guard, session = shell.guard, shell.session
        shell.window.close()

        def close_badly():
            Session.close(session)
            raise RuntimeError("something unforeseen")

        monkeypatch.setattr(session, "close", close_badly)
        monkeypatch.setattr(drafts, "flush_all", lambda *a: flushed.append(True))
        with pytest.raises(RuntimeError):  # said, after the rest is done
            shell.shutdown()
        assert flushed == [True]
        assert not guard.owned and shell.guard is None
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_the_claim_is_given_up_only_once_the_files_being_written_are(qtbot, hq_db,
                                                                     settings):
    """Quitting gave up the database's claim before it waited for the files written
    off the GUI thread (a report to a USB stick, text on its way to the set-aside file,
    which then writes the journal): another client could open the database while this
    one still wrote its journal."""
    from ui.app import start
    from ui.ops import OffThread

    app = QApplication.instance()
    font = app.font()
    shell = start(str(hq_db), lang="en", prefs=settings)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        guard = shell.guard
        assert guard is not None and guard.owned
        go, seen = threading.Event(), []

        def writing() -> None:
            go.wait(10)
            seen.append(guard.owned)  # (the file written whole, the claim still held)

        OffThread(writing, lambda _r: None, lambda _e: None, name="fieldplan-test-write")
        shell.window.close()
        threading.Timer(0.2, go.set).start()
        shell.shutdown()
        assert seen == [True]
        assert not guard.owned and shell.guard is None
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)
