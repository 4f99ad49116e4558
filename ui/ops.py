"""Running core functions off the GUI thread.

One worker thread opens the replica and owns it (sqlite3 connections belong to the
thread that opened them). The GUI never calls the database itself: it builds a
``DbOp`` (Anki's CollectionOp), the worker runs ``fn(rep)`` and the result or error
comes back to the GUI thread through a queued signal. Writes return a ``Changes``
value, broadcast once by ``Session.changes_did_happen`` so that each view refreshes
only what it shows.
"""

from __future__ import annotations

import contextlib
import math
import queue
import re
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from fieldplan.errors import DamagedDatabaseError, FieldplanError, NotSetUpError
from fieldplan.i18n import _
from ui.qtcompat import emit

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

    from fieldplan.replica import Replica

#: A progress report from a long core job: (done, total, label).
Progress = Callable[[int, int, str], None]
#: At most one progress signal per this many seconds (the last one always goes): a
#: flood of queued signals would stall the GUI.
PROGRESS_INTERVAL_S = 0.05


def cancel_by_escape_only(dialog: QProgressDialog) -> None:
    """The Cancel of ``dialog`` pressed by a click, Space or Escape, never by Enter: it
    had the focus and, auto-default, was the default button, so the second Enter of
    Ctrl+P, Enter, Enter cancelled the report being built. (Enter then does nothing.)"""
    from PySide6.QtWidgets import QPushButton

    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


class _Job:
    """One ``fn(rep)`` for the worker, and what to do with its result. (A plain class:
    making a dataclass compiles its methods at import, about 0.7 ms of start-up.)"""

    __slots__ = ("cancel", "damage", "finish", "fn", "long", "notices", "on_failure",
                 "on_success", "parent", "progress")

    def __init__(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        long: bool | str = False,
        parent: QWidget | None = None,
    ) -> None:
        self.fn = fn
        self.on_success = on_success
        self.on_failure = on_failure
        self.long = long
        self.parent = parent
        #: runs to its end when the client closes (an import), not cancelled
        self.finish = False
        self.cancel = threading.Event()
        self.progress: Progress | None = None
        #: what the core noted beside the result (Replica.notices), taken on the worker
        self.notices: list[str] = []
        #: the database found damaged by a job that still did its work (Replica.damage)
        self.damage: BaseException | None = None

    def let_go(self) -> None:
        """(GUI thread, once delivered) Drop what the job holds of the window that
        asked: its function and callbacks (closures over widgets) and the widget. Else
        the worker drops them as it takes its next job, and a Qt object they alone
        kept would be destroyed on the worker, under Qt's locks while it holds
        Python's, which the GUI thread may be waiting for under one of Qt's."""
        self.fn = self.on_success = self.on_failure = self.parent = None
        self.progress = None


def _drop_frames(exc: BaseException) -> None:
    """Let go of the frames a job's error holds (its traceback's, and those of the
    errors it came from): they keep the job function's locals, closures over the
    window, which would otherwise be dropped on whichever thread lets the error go
    last, the worker's included (``_Job.let_go``). The window says errors, never
    their tracebacks; one not expected was printed already."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        error.__traceback__ = None
        todo += [error.__cause__, error.__context__]


class NoDatabaseYet(Exception):
    """(``Session(path, only_if_there=True)``) No database at the path: the client
    looks before its first run instead (ui.app.Shell.start)."""


#: Workers left behind by ``Worker.abandon``: kept until the process ends (the last
#: reference to a Qt object is not let go on their thread)
_ABANDONED: set[Worker] = set()


class Worker(QObject):
    """The one thread that owns the Replica. Jobs run one at a time, in order.

    A daemon thread, not a QThread: an opening that a network or USB drive holds for
    minutes is left behind when the person ends fieldplan meanwhile (``abandon``),
    where a QThread still running as the process ends aborts it."""

    job_did_finish = Signal(object, object, object)  # job, result, error
    progress_did_change = Signal(object, int, int, str)  # job, done, total, label

    def __init__(self, opener: Callable[[], Replica], db_path: Path | None = None) -> None:
        super().__init__()
        self._opener = opener
        self.db_path = db_path
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.rep: Replica | None = None
        #: set by ``stop``: a long job cancelled before it began is not begun
        self._stopping = threading.Event()
        #: set by ``abandon``: no job runs from now on, and nothing is said
        self._abandoned = threading.Event()
        #: the job running, if any
        self._current: _Job | None = None
        #: (``abandon``) held while the worker takes a job or is done with one, and
        #: while the session is abandoned: each job is let go of on the GUI thread or
        #: kept, never dropped on the worker
        self._lock = threading.Lock()
        #: the jobs the worker held once abandoned: kept with it until the process
        #: ends (``_ABANDONED``), never let go of on its thread
        self._kept: list[_Job] = []
        self._thread: threading.Thread | None = None
        self.setObjectName("fieldplan-db-worker")

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=self.objectName(),
                                        daemon=True)
        self._thread.start()

    def isRunning(self) -> bool:  # (QThread's name, which callers and tests use)
        return self._thread is not None and self._thread.is_alive()

    def wait(self, msecs: int | None = None) -> bool:
        """Wait for the thread to end (at most ``msecs``); whether it has."""
        if self._thread is not None:
            self._thread.join(None if msecs is None else msecs / 1000)
        return not self.isRunning()

    def submit(self, job: _Job) -> None:
        self._jobs.put(job)

    def stop(self) -> None:
        """Finish the queued jobs, close the replica and end the thread. A long job
        cancelled by then that has not begun is left out (an import would still
        make its backup first)."""
        if self.isRunning():
            self._stopping.set()
            self._jobs.put(None)
            self.wait()

    def abandon(self) -> None:
        """End without waiting (the opening of a database on a drive that does not
        answer, which the person gave up): the jobs queued are dropped, what the one
        running finds is not said, and the replica, once open, is closed on the
        thread. Ending the process meanwhile cuts the opening short as a kill would,
        which each of its steps survives (ui.app.Shell.shutdown)."""
        _ABANDONED.add(self)
        queued: list[_Job] = []
        with self._lock:  # (from now on the worker keeps each job it holds: ``_kept``)
            self._abandoned.set()
            self._stopping.set()
            with contextlib.suppress(queue.Empty):
                while (job := self._jobs.get_nowait()) is not None:
                    queued.append(job)
            running = self._current
            self._jobs.put(None)
        # what the jobs hold of the client (closures over its objects) let go of here,
        # on the GUI thread, not on the worker whenever its opening answers (_Job.let_go)
        for job in queued:
            job.let_go()
        if running is not None:
            # (its function, which the worker runs, stays with the job it keeps: let go
            # of here, the worker's call would hold the last reference)
            running.on_success = running.on_failure = running.parent = None

    def _take(self, job: _Job) -> bool:
        """(the worker) Whether to run ``job``, just taken from the queue: not once
        the session is abandoned (it is kept then, ``_kept``)."""
        with self._lock:
            if self._abandoned.is_set():
                self._kept.append(job)
                return False
            self._current = job
            return True

    def _say(self, job: _Job, result: Any, error: BaseException | None) -> None:
        """(the worker) Hand ``job`` back to the GUI thread, which lets go of it; once
        the session is abandoned, keep it instead."""
        with self._lock:
            self._current = None
            if self._abandoned.is_set():
                self._kept.append(job)
            else:
                emit(self.job_did_finish, job, result, error)

    def run(self) -> None:  # the worker thread
        try:
            self.rep = self._opener()
        except NoDatabaseYet as exc:
            self.rep = None
            opened_error: BaseException | None = exc
        except BaseException as exc:
            self.rep = None
            opened_error = self._as_damage(exc)
        else:
            opened_error = None
        while True:
            job = self._jobs.get()
            if job is None:
                break
            if not self._take(job):
                continue
            if opened_error is not None:
                self._say(job, None, opened_error)
                continue
            if job.long and job.cancel.is_set() and self._stopping.is_set():
                self._say(job, None, None)
                continue
            if job.long:
                job.progress = self._progress_for(job)
            try:
                result = job.fn(self.rep)
            except BaseException as exc:
                # a damaged page read after opening (a bad sector): said as damage
                exc = self._as_damage(exc)
                if not isinstance(exc, FieldplanError) and not self._abandoned.is_set():
                    traceback.print_exc()  # (abandoned: cut short, perhaps, as it ran)
                _drop_frames(exc)
                job.notices, job.damage = self._notices(), self._damage()
                self._say(job, None, exc)
            else:
                job.notices, job.damage = self._notices(), self._damage()
                self._say(job, result, None)
            finally:
                self._current = None
        if self.rep is not None:
            self.rep.close()
            self.rep = None

    def _as_damage(self, exc: BaseException) -> BaseException:
        if self.db_path is None:
            return exc
        from fieldplan.store import as_damage  # on the worker: never before the first paint

        return as_damage(self.db_path, exc)

    def _notices(self) -> list[str]:
        return self.rep.take_notices() if self.rep is not None else []

    def _damage(self) -> BaseException | None:
        if self.rep is None:
            return None
        damage, self.rep.damage = self.rep.damage, None
        return damage

    def _progress_for(self, job: _Job) -> Progress:
        last = [0.0]

        def report(done: int, total: int, label: str) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_INTERVAL_S or done >= total:
                last[0] = now
                emit(self.progress_did_change, job, int(done), int(total), str(label))

        return report


class Session(QObject):
    """An open database: its worker thread and the Changes broadcast.

    Passed explicitly to every view (no global main-window object).
    """

    changes_did_happen = Signal(object)  # Changes
    op_did_fail = Signal(str)
    #: a job found the database damaged (DamagedDatabaseError): said once, to whoever
    #: offers the way back (ui.app.Shell), instead of to the view that asked
    damage_was_found = Signal(object)
    #: what the core noted beside a job's result (old backups removed to make room)
    notice_did_arrive = Signal(str)
    job_did_complete = Signal()
    #: (from the worker) the opening upgrades the database for this fieldplan (its
    #: migrations, a backup first): ``upgrading`` is set from then on
    upgrade_did_begin = Signal()

    def __init__(self, db_path: str | Path, parent: QObject | None = None, *,
                 only_if_there: bool = False) -> None:
        """``only_if_there``: with no database at ``db_path`` its jobs fail with
        NoDatabaseYet (whether it is there is looked at on the worker: a drive that
        does not answer holds no look on the GUI thread)."""
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.upgrading = threading.Event()
        self.worker = Worker(
            lambda: _open_replica(self.db_path, only_if_there, self._upgrade_began),
            self.db_path)
        self.worker.job_did_finish.connect(self._job_did_finish)
        self.worker.progress_did_change.connect(self._progress_did_change)
        self._dialogs: dict[int, QProgressDialog] = {}
        #: the long jobs (a report, an import, an export to every office) running or
        #: queued: cancelled when the session closes
        self._long_jobs: set[_Job] = set()
        self._closed = False
        self.pending = 0
        #: notices that came while nothing listened (those of the database's opening,
        #: before the window exists), kept for ``take_unheard_notices``
        self._unheard: list[str] = []
        self._damage_said = False
        self.worker.start()

    def close(self) -> None:
        """Stop the worker once its queued jobs are done. The long jobs running or
        queued are cancelled first: the window they were for is gone, and a review
        pack would hold the closing client for half a minute. Each stops cleanly at
        its next step (a report leaves no file, an export to every office stops before
        the next office); the other jobs (a save) finish, and so does a long job that
        must (``DbOp.finish_on_close``: an import of the bundles a person dropped, which
        no window could say was cut short). What a job ends with is not delivered."""
        self._closed = True
        for job in self._long_jobs:
            if not job.finish:
                job.cancel.set()
        self.worker.stop()
        for dialog in self._dialogs.values():
            # (one whose window is gone went with it: an Export dialog closed as the
            # app quit)
            if shiboken6.isValid(dialog):
                dialog.close()
        self._dialogs.clear()

    def _upgrade_began(self) -> None:  # (the worker)
        self.upgrading.set()
        emit(self.upgrade_did_begin)

    def abandon(self) -> None:
        """Close without waiting for the worker (``Worker.abandon``): the person gave
        up an opening that a drive holds. No job's outcome is delivered from now on."""
        self._closed = True
        self.worker.abandon()

    def long_jobs_running(self) -> bool:
        """Whether a long job (an import, a report, an export to every office) runs or
        waits its turn."""
        return bool(self._long_jobs)

    def notice_sentence(self, notice: str) -> str:
        """A core notice (Replica.notices) as a line of a dialog: a sentence, with the
        database's paths in it whole ("(backups in /home/…/backups)" in an Arabic one)."""
        from fieldplan.store import backup_dir
        from ui.bidi import isolated_paths

        paths = (str(backup_dir(self.db_path)), str(self.db_path))
        return isolated_paths(sentence(notice), paths) + "."

    def hold_notices(self, texts: list[str]) -> None:
        """Keep ``texts`` (what the core noted before this session's window was made:
        a first run's set-up) for the window to show once it is up."""
        self._unheard.extend(texts)

    def take_unheard_notices(self) -> list[str]:
        """The notices no one was listening for when they came (a migration's backup
        that removed old ones on a full disk, while the database opened), and forget
        them: the window shows them once it is up."""
        taken, self._unheard = self._unheard, []
        return taken

    def submit(self, job: _Job, parent: QWidget | None) -> None:
        self.pending += 1
        if job.long:
            self._long_jobs.add(job)
        if job.long and parent is not None:
            # (not for the first screen: Qt's namespace and the dialog's widgets)
            from PySide6.QtCore import Qt
            from PySide6.QtWidgets import QApplication, QProgressDialog

            dialog = QProgressDialog(parent)
            if QApplication.activeModalWidget() is not None:
                # a dialog open over the window (window-modal, as the one that started
                # the job) would block it and its Cancel: modal too, above it. Else
                # not: the window stays usable while an import runs
                dialog.setWindowModality(Qt.WindowModality.WindowModal)
            title = job.long if isinstance(job.long, str) else _("Working…")
            dialog.setWindowTitle(title)
            dialog.setLabelText(title)
            # its bar named for what it measures: a screen reader said "progress bar"
            # and a count alone, with no word of what was under way
            from PySide6.QtWidgets import QProgressBar

            bar = dialog.findChild(QProgressBar)
            if bar is not None:
                bar.setAccessibleName(title)
            dialog.setCancelButtonText(_("Cancel"))
            cancel_by_escape_only(dialog)
            dialog.setMinimumDuration(300)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setRange(0, 0)
            # the Cancel button, closing it; Escape
            dialog.canceled.connect(lambda job=job, dialog=dialog: self._cancel(job, dialog))
            dialog.rejected.connect(lambda job=job, dialog=dialog: self._cancel(job, dialog))
            self._dialogs[id(job)] = dialog
        self.worker.submit(job)

    def _cancel(self, job: _Job, dialog: QProgressDialog) -> None:
        """A progress dialog's Cancel, Escape or closing. Not for a job that runs to
        its end when the client closes (an import) once its window is closed or the
        session is: quitting closes every window left, the progress dialog too, and
        that is no one's Cancel."""
        if job.finish and (self._closed or not _window_open(dialog)):
            return
        job.cancel.set()

    @Slot(object, int, int, str)
    def _progress_did_change(self, job: _Job, done: int, total: int, label: str) -> None:
        dialog = self._dialogs.get(id(job))
        if dialog is None or not shiboken6.isValid(dialog):
            return  # (gone with the window it was on)
        dialog.setRange(0, max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if label:
            dialog.setLabelText(label)
            # (what is being done now, said with the bar's name when it is read)
            from PySide6.QtWidgets import QProgressBar

            bar = dialog.findChild(QProgressBar)
            if bar is not None:
                bar.setAccessibleDescription(label)

    @Slot(object, object, object)
    def _job_did_finish(self, job: _Job, result: Any, error: BaseException | None) -> None:
        if self.worker._abandoned.is_set():  # (said as it was abandoned: for no one)
            job.let_go()
            return
        self.pending -= 1
        self._long_jobs.discard(job)
        dialog = self._dialogs.pop(id(job), None)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
            dialog.deleteLater()
        try:
            if self._closed and job.long and job.cancel.is_set():
                # cancelled by ``close``: no import result or "Report cancelled." for a
                # window that is gone
                return
            self._deliver(job, result, error)
        finally:
            job.let_go()
            emit(self.job_did_complete)

    def _deliver(self, job: _Job, result: Any, error: BaseException | None) -> None:
        from fieldplan.replica import Changes  # loaded by the worker by now

        if isinstance(result, Changes) and result.entities:
            emit(self.changes_did_happen, result)
        if job.notices:  # said even when the view that asked is gone
            from PySide6.QtCore import QMetaMethod  # rare: not for the first screen

            heard = self.isSignalConnected(QMetaMethod.fromSignal(self.notice_did_arrive))
            for notice in job.notices:
                text = self.notice_sentence(notice)
                if heard:
                    emit(self.notice_did_arrive, text)
                else:  # the first job (opening the database) ends before the window is made
                    self._unheard.append(text)
        damage = error if isinstance(error, DamagedDatabaseError) else None
        if damage is not None and self._damage_heard():
            # not "Sync: unknown" or a failed save: the database is damaged, and the
            # way back (a restore) is offered in place of the window
            self._say_damage(damage)
            return
        if job.parent is not None and not shiboken6.isValid(job.parent):
            pass  # the view that asked is gone
        elif error is not None:
            if job.on_failure is not None:
                job.on_failure(error)
            else:
                emit(self.op_did_fail, error_sentence(error))
        elif job.on_success is not None:
            job.on_success(result)
        if job.damage is not None:  # found beside a result (an export): said after it
            if self._damage_heard():
                self._say_damage(job.damage)
            else:
                emit(self.op_did_fail, error_sentence(job.damage))

    def _damage_heard(self) -> bool:
        from PySide6.QtCore import QMetaMethod  # rare: not for the first screen

        return self.isSignalConnected(QMetaMethod.fromSignal(self.damage_was_found))

    def _say_damage(self, damage: BaseException) -> None:
        if not self._damage_said:
            self._damage_said = True
            emit(self.damage_was_found, damage)


def _window_open(dialog: QWidget) -> bool:
    """Whether the window a progress dialog is over is still open."""
    parent = dialog.parentWidget()
    if parent is None or not shiboken6.isValid(parent):
        return False
    window = parent.window()
    return shiboken6.isValid(window) and window.isVisible()


def _open_replica(path: Path, only_if_there: bool = False,
                  upgrading: Callable[[], None] | None = None) -> Replica:
    """(worker) the core is imported here, on the worker, while the GUI thread sets
    up Qt: the first window does not wait for it. A database no init set up, what
    an older fieldplan's init left when it was killed, is cleared as the command
    line's next ``init`` clears it (the client then starts on its first run).
    ``only_if_there``: NoDatabaseYet when nothing is at ``path``; ``upgrading``: see
    ``fieldplan.schema.migrate``."""
    if only_if_there and not path.exists():
        raise NoDatabaseYet(str(path))
    from fieldplan.replica import clear_unfinished_init, open_replica

    try:
        return open_replica(path, upgrading=upgrading)
    except NotSetUpError:
        with contextlib.suppress(Exception):  # (said as it was: not set up)
            clear_unfinished_init(path)
        raise


def said_again(text: str) -> str:
    """A kept message (made while ``fieldplan.i18n.capturing``) in the language now in
    use; any other text as it was written."""
    from fieldplan.i18n import message_record, render_record

    record = message_record(text)
    if record is not None:
        try:
            return render_record(record)
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # not one of this version's messages: as it was written
    return text


def error_text(error: BaseException) -> str:
    """A person-readable line for an error from the core: in the language now in use
    when its message was kept (made while ``fieldplan.i18n.capturing``), as it was
    made otherwise."""
    if isinstance(error, FieldplanError):
        return said_again(str(error))
    from fieldplan.text import unexpected_error

    return _("Unexpected error: {error}").format(error=unexpected_error(error))


# a first word that is only letters, or letters joined by an apostrophe or a hyphen
# (French "c’est", "l’événement", "assurez-vous"): not a file name, path, code or number
_PLAIN_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*(?=[\s,:;]|$)")


def sentence(text: str) -> str:
    """A core message ("cannot write x: the disk is full", lower case to fit after
    "fieldplan: error:" in a terminal) as the whole text of a dialog's message: with
    a capital first letter, like the client's own messages. A text that starts with a
    name ("ml.fieldplan: …", "/media/usb…") is left as it is."""
    if text[:1].islower() and _PLAIN_FIRST_WORD.match(text):
        return text[0].upper() + text[1:]
    return text


def error_sentence(error: BaseException) -> str:
    """``error_text`` as the whole message of a dialog or message box, the paths,
    file names and codes in an Arabic one kept left to right."""
    from ui.bidi import isolated_codes

    return isolated_codes(sentence(error_text(error)))


class DbOp:
    """``DbOp(session, parent, fn).success(cb).failure(cb).run()``: run ``fn(rep)`` on
    the worker, then ``cb(result)`` on the GUI thread. A ``Changes`` result is
    broadcast before the success callback. ``with_progress()`` passes a
    ``progress(done, total, label)`` callable and a ``cancel()`` flag to ``fn`` as
    keyword arguments and shows a progress dialog."""

    def __init__(self, session: Session, parent: QWidget | None, fn: Callable[..., Any]) -> None:
        self._session = session
        self._parent = parent
        self._fn = fn
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._long: bool | str = False
        self._finish = False
        self._job: _Job | None = None

    def success(self, cb: Callable[[Any], None]) -> DbOp:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> DbOp:
        self._failure = cb
        return self

    def with_progress(self, title: str = "") -> DbOp:
        """Show a progress dialog titled ``title`` (else "Working…")."""
        self._long = title or True
        return self

    def finish_on_close(self) -> DbOp:
        """Run to the end when the client closes meanwhile, instead of being cancelled
        (``Session.close``)."""
        self._finish = True
        return self

    def run(self) -> None:
        fn = self._fn
        job = _Job(
            fn=fn,
            on_success=self._success,
            on_failure=self._failure,
            long=self._long,
            parent=self._parent,
        )
        job.finish = self._finish
        self._job = job
        if self._long:

            def call(rep: Replica) -> Any:
                return fn(rep, progress=job.progress, cancel=job.cancel.is_set)

            job.fn = call
        self._session.submit(job, self._parent)

    def cancel(self) -> None:
        """(``with_progress``, once run) Stop the job at its next step, as its
        progress dialog's Cancel does."""
        if self._job is not None:
            self._job.cancel.set()


def _run_off_thread(fn: Callable[[], Any], report: Any) -> None:
    """(the job's thread) ``fn()``, its result or error handed to ``report``. Holds
    nothing of Qt but the signal: the callbacks stay with the GUI thread."""
    try:
        result = fn()
    except BaseException as exc:
        if not isinstance(exc, FieldplanError):
            traceback.print_exc()
        emit(report, None, exc)
    else:
        emit(report, result, None)


#: Jobs on threads of their own not yet delivered: kept here, not by the window that
#: started them, which may be closed meanwhile.
_OFF_THREAD: set[OffThread] = set()


class OffThread(QObject):
    """``OffThread(fn, on_done, on_error)``: ``fn()`` on a thread of its own, then
    ``on_done(result)`` or ``on_error(error)`` on the GUI thread.

    For work that needs no database: not on the worker, which a copy to a slow USB
    stick or a stalled mount would hold up. The job keeps itself until it is
    delivered: the callbacks check whether their window is still there (shiboken6).
    ``daemon``: quitting may leave it unfinished (a look at the mounted drives, which
    a stalled network mount can hang for good); else ``wait_off_thread`` waits for it
    (a file being written)."""

    _did_end = Signal(object, object)  # result, error

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        *,
        name: str = "fieldplan-off-thread",
        daemon: bool = False,
    ) -> None:
        super().__init__()  # no parent: outlives the window that asked
        self._on_done: Callable[[Any], None] | None = on_done
        self._on_error: Callable[[BaseException], None] | None = on_error
        # queued: delivered on this object's thread, the GUI's
        self._did_end.connect(self._deliver)
        self.thread = threading.Thread(
            target=_run_off_thread, args=(fn, self._did_end), name=name, daemon=daemon)
        _OFF_THREAD.add(self)
        self.thread.start()

    @Slot(object, object)
    def _deliver(self, result: Any, error: BaseException | None) -> None:
        # the thread has said its word and is ending: joined, so that it has let go of
        # this object before the GUI thread does (a Qt object dies on its own thread)
        self.thread.join()
        _OFF_THREAD.discard(self)
        on_done, on_error = self._on_done, self._on_error
        self._on_done = self._on_error = None  # (what they hold is released here too)
        if error is not None:
            if on_error is not None:
                on_error(error)
        elif on_done is not None:
            on_done(result)


def left_running() -> list[threading.Thread]:
    """The threads quitting did not wait for that still run: the opening of an
    abandoned session (``Worker.abandon``), a daemon ``OffThread`` (a look at a drive
    that hangs). The process must not end through Python's own end while one does
    (``ui.app.run``): that stops such a thread as it next takes the interpreter's lock
    (pthread_exit), and in the frame of a Rust or C++ extension (cryptography's, which
    the opening imports and uses) the unwinding aborts the process."""
    threads = [worker._thread for worker in _ABANDONED if worker._thread is not None]
    threads += [job.thread for job in off_thread_jobs() if job.thread.daemon]
    return [thread for thread in threads if thread.is_alive()]


def off_thread_jobs() -> list[OffThread]:
    """The ``OffThread`` jobs not yet delivered (running, or their result on its way)."""
    return list(_OFF_THREAD)


def wait_off_thread(timeout: float | None = None) -> None:
    """Wait for the jobs quitting must not cut short (files being written)."""
    for job in off_thread_jobs():
        if not job.thread.daemon:
            job.thread.join(timeout)


class Debouncer(QObject):
    """Calls ``fn`` once, ``msec`` after the last ``poke()``; ``flush()`` calls it now
    if a call is pending.

    ``max_wait``: the call comes at most this many ms after the first poke it answers,
    however often ``poke()`` comes meanwhile: a steady typist never pauses long enough
    for ``msec`` of quiet, and what waits for the call would wait for good. ``clock``
    (seconds, monotonic) is for tests."""

    def __init__(self, msec: int, fn: Callable[[], None], parent: QObject | None = None,
                 *, max_wait: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._fn = fn
        self._msec = msec
        self._max_wait = max_wait
        self._clock = clock
        #: when the first poke not yet answered came (clock time), and when the call is due
        self._since: float | None = None
        self._due: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(msec)
        self._timer.timeout.connect(self._fire)

    def poke(self) -> None:
        now = self._clock()
        if self._since is None:
            self._since = now
        wait = self._msec
        if self._max_wait is not None:
            left = self._max_wait - (now - self._since) * 1000
            wait = max(0, min(wait, math.floor(left)))
        self._due = now + wait / 1000
        self._timer.start(wait)

    def pending(self) -> bool:
        return self._timer.isActive()

    @property
    def due(self) -> float | None:
        """When (clock time) the pending call comes; None when none is pending."""
        return self._due if self._timer.isActive() else None

    def flush(self) -> None:
        if self._timer.isActive():
            self._stop()
            self._fn()

    def cancel(self) -> None:
        self._stop()

    def _stop(self) -> None:
        self._timer.stop()
        self._since = self._due = None

    def _fire(self) -> None:
        self._since = self._due = None
        self._fn()
