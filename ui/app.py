"""Starting the desktop client: ``run(db, demo, lang, files)`` (what ``fieldplan gui``
calls).

Sets the application font and language (``--lang``, then the settings, then the
system), opens the database on the worker thread, and shows the first-run or
cannot-open dialog when needed. Bundles named on the command line (a double-click on
a .fieldplan file) are imported once the window is open, as if dropped on it.
Switching language rebuilds the window where the user was.

One client per database (ui.single_instance): ``run`` on a database whose client is
open hands its bundles to that client, which comes to the front and imports them,
and ends.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from fieldplan.i18n import (
    LANGUAGES,
    _,
    counted,
    detect_language,
    env_language,
    set_language,
)
from ui.ops import DbOp, Session, error_text, wait_off_thread
from ui.qtcompat import Qt

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from ui.single_instance import Guard

ORG, APP = "fieldplan", "fieldplan"
#: The client listens for later starts once its window is painted, or this long
#: after it starts (a window started minimised is not painted until it is shown)
LISTEN_AT_THE_LATEST_MS = 1500
#: A look before the start (``Shell.start``) that has not answered after this long
#: shows a sign that fieldplan is starting (ui.wait_sign). The look takes a few
#: milliseconds, a disk or USB stick waking from sleep a few hundred; beyond about
#: a second a person wonders whether the double-click worked and starts it again.
#: 600 ms: no sign (no window flashing by) at an ordinary start, one before that second
WAIT_SIGN_AFTER_MS = 600
FALLBACK_FAMILY = "DejaVu Sans"


def load_fonts() -> str:
    """Load the project's fonts (resources/fonts) and return the family to use."""
    families: list[str] = []
    try:
        from fieldplan.resources import resource_path

        folder = resource_path("fonts")
    except (FileNotFoundError, ImportError):
        folder = None
    if folder is not None and folder.is_dir():
        for f in sorted(folder.rglob("*")):
            if f.suffix.lower() in (".ttf", ".otf"):
                fid = QFontDatabase.addApplicationFont(str(f))
                if fid >= 0:
                    families += QFontDatabase.applicationFontFamilies(fid)
    for wanted in ("Noto Sans", "DejaVu Sans"):
        if wanted in families:
            return wanted
    return FALLBACK_FAMILY


def apply_font(app: QApplication) -> None:
    family = load_fonts()
    font = QFont(family)
    font.setPointSize(10)
    app.setFont(font)


def choose_language(settings: QSettings, explicit: str | None) -> str:
    """``--lang``, then the saved setting, then FIELDPLAN_LANG, then the system's
    language: as the command line, with the person's choice in Settings ▸ Language
    before the variable (the client without one started in the system's language,
    where every command spoke the variable's)."""
    for candidate in (explicit, settings.value("language"), env_language()):
        if isinstance(candidate, str) and candidate.split("_")[0] in LANGUAGES:
            return candidate.split("_")[0]
    return detect_language()


def apply_language(app: QApplication, lang: str) -> None:
    from ui.qt_i18n import install_qt_translations

    set_language(lang)
    install_qt_translations(app, lang)


class _NotListening(QObject):
    """An event filter that keeps a window being replaced from hearing of the new
    language: Qt tells every widget of every window (LanguageChange, and for Arabic
    the layout direction), and the old window's tables measured themselves again
    (32,000 calls of the models' data(), 2 s at headquarters) only to be deleted."""

    def __init__(self, window: QObject) -> None:
        from PySide6.QtCore import QEvent

        super().__init__(window)  # ends with the window
        kinds = QEvent.Type
        self.ignored = frozenset({kinds.LanguageChange, kinds.LayoutDirectionChange,
                                  kinds.ApplicationLayoutDirectionChange})

    def eventFilter(self, watched: QObject, event) -> bool:  # (Qt's name)
        return event.type() in self.ignored


def stop_hearing_language(window) -> None:
    """``window`` and the windows it owns (dialogs, menus) hear no more of a language
    change: Qt tells each top-level window, which tells its widgets."""
    deaf = _NotListening(window)
    for top in QApplication.topLevelWidgets():
        owner = top
        while owner is not None and owner is not window:
            owner = owner.parentWidget()
        if owner is not None:
            top.installEventFilter(deaf)


def _carry_previews(old, window) -> None:
    """The report previews open over ``old`` (replaced by ``window``: a language
    change) go on over ``window``, in the new language (PreviewWindow.follow_window),
    no more deaf to it (``stop_hearing_language``)."""
    from PySide6.QtWidgets import QDialog

    deaf = old.findChildren(_NotListening)
    for preview in old.findChildren(QDialog, "report-preview"):
        if preview.parentWidget() is old:
            for f in deaf:
                preview.removeEventFilter(f)
            preview.follow_window(window)


def _dialog_over(window) -> QDialog | None:
    """A dialog open over ``window`` that a job opened or the person is answering
    (an import's outcome; not a job's progress, which ends with it)."""
    from PySide6.QtWidgets import QDialog, QProgressDialog

    for dialog in window.findChildren(QDialog):
        if (dialog.isVisible() and not isinstance(dialog, QProgressDialog)
                and dialog.windowModality() != Qt.WindowModality.NonModal):
            return dialog
    return None


def _set_up_note_open(window) -> bool:
    """Whether the note of headquarters' fingerprint shown beside the first window
    after a set-up (``MainWindow.own_key_dialog(set_up=True)``) is open over ``window``."""
    from PySide6.QtWidgets import QDialog

    return any(dialog.isVisible() and getattr(dialog, "set_up_note", None) is not None
               for dialog in window.findChildren(QDialog, "own-key-dialog"))


class Shell(QObject):
    """Owns the session and the main window; replaces the window on a language change."""

    def __init__(self, app: QApplication, settings: QSettings) -> None:
        super().__init__()
        self.app = app
        self.settings = settings
        self.session: Session | None = None
        self.window = None
        self.identity = None
        self.dialog = None
        self.demo_job = None
        #: bundles to import once the first window is open
        self.files_to_import: list[str] = []
        #: looks for a setup bundle among files handed over while the first-run dialog
        #: is up (``receive_files``): how many were started, and the latest that
        #: offered one (a slow look finished late offers nothing older than that)
        self._setup_looks = self._setup_offered = 0
        #: bundles given for the database asked for when the demo was opened instead
        self.files_not_imported: list[str] = []
        #: this client's claim on its database (ui.single_instance), when it has one
        self.guard = None
        #: the database was just made from a setup bundle (first run): the first window
        #: shows headquarters' key to check with them
        self.set_up = False
        #: the window of a database found damaged while open: kept, disabled, behind
        #: the cannot-open dialog (what it shows, an export's "Saved …", can still be
        #: read) until a restore opens a new one or the client ends
        self.damaged_window = None
        #: what the next window says once it is open: why a setup again could not be
        #: done; or, done, the folder the old files went to and the changes made there
        #: that never reached headquarters (``fieldplan.sync.again``'s aside, unsent)
        self.said_after_opening = ""
        self.moved_aside: tuple[str, int] | None = None
        #: the set-up-again job running, if any (ui.first_run.OneShot)
        self.again_job = None
        #: (set up again, done) the replica of the database set up again: the new
        #: database takes its window settings (ui.window_settings.carry_over)
        self.set_up_from = ""
        #: a language chosen while an import ran: the window changes to it once free
        #: (``change_language``)
        self._language_waiting = ""
        self._waiting_on: Session | None = None  # (whose jobs it waits for)
        #: the sign that fieldplan is starting (ui.wait_sign.WaitSign), up while a slow
        #: look before the start runs; the timer that shows it (made by ``start``)
        self.wait_sign = None
        self.wait_sign_timer: QTimer | None = None
        #: the look before the start that is running or answered last (``start``)
        self._start_gate: _StartGate | None = None
        self._sign_path = Path()
        #: the wait sign was closed: fieldplan ends without waiting for the opening
        self._start_cancelled = False
        # the desktop session ending (logging off) hears from the window first: Qt 6
        # closes no window then (``MainWindow.commit_data``)
        app.commitDataRequest.connect(self._commit_data)
        #: the application heard from, until ``shutdown`` (the app outlives a shell)
        self._hears_session_end: QApplication | None = app
        # no collection of every object held while a long job makes its own (a weak
        # reference: the collector outlives a shell)
        import weakref

        from ui.collector import collect_on_gui_thread

        shell = weakref.ref(self)
        collector = collect_on_gui_thread(app)
        collector.postpone_full = lambda: (
            (found := shell()) is not None and found._long_job_running())
        # (and it keeps looking while a thread works: what it makes is collected as it
        # goes, not all at once when its result wakes the window)
        collector.keep_looking = lambda: (
            (found := shell()) is not None and found._working())

    def _commit_data(self, manager) -> None:
        if self.window is not None:
            self.window.commit_data(manager)

    def _working(self) -> bool:
        from ui.ops import off_thread_jobs

        session = self.session
        return bool(off_thread_jobs()) or (session is not None and session.pending > 0)

    def _long_job_running(self) -> bool:
        session = self.session
        return session is not None and session.long_jobs_running()

    # opening -------------------------------------------------------------------------
    def start(self, db_path: Path, refused: BaseException | None = None) -> None:
        """Open ``db_path``, or show the first-run dialog when there is no database
        there: what a set-up-again killed midway left is undone first (the old database
        put back, to open). ``refused``: the error the database was refused with at
        opening (what a killed init left, which the opening cleared: ``_cannot_open``),
        said if something is still there.

        All of it is looked at off the GUI thread (``look_before_start``): the undoing
        moves files, and a folder on a hung network drive answers no look at a path
        (not even whether the file is there) for minutes. Nothing is on screen
        meanwhile (no window to freeze); a later start's files wait with the others
        (``receive_files``)."""
        from ui.ops import OffThread

        # the dialog of an opening that failed (a first run's, done) is not the one to
        # bring to the front meanwhile: a later start's files showed it again, beside
        # the first-run dialog the look then opened, its Cancel quitting fieldplan
        self._let_go_of_dialog()
        gate = self._wait_for(db_path)

        def answered(then):
            def deliver(value) -> None:
                if self._look_answered(gate):
                    then(value)
            return deliver

        # (a daemon: quitting need not wait for a look at a hung drive, the wait sign
        # closed; it waits for files being moved back, never half moved: _StartGate)
        files = list(self.files_to_import)

        def look() -> tuple[tuple[bool, bool, bool], str | None]:
            found = look_before_start(db_path, gate)
            # no database: the first run offers the setup bundle among the files
            # fieldplan was opened with (each opened, its manifest read: here, off the
            # GUI thread, as for files handed over later)
            first_run = files and not found[0] and not found[1]
            return found, _first_setup_bundle(files) if first_run else None

        OffThread(look,
                  answered(lambda got: self._looked(db_path, *got, refused)),
                  answered(lambda error: self._show_cannot_open(db_path, error)),
                  name="fieldplan-start", daemon=True)

    def _wait_for(self, db_path: Path) -> _StartGate:
        """A look before the start, or the opening of ``db_path``, begins: the gate
        its answer comes through, and the sign said if it does not answer soon
        (``WAIT_SIGN_AFTER_MS``)."""
        gate = self._start_gate = _StartGate()
        self._sign_path = db_path
        if self.wait_sign_timer is None:
            self.wait_sign_timer = QTimer(self)
            self.wait_sign_timer.setSingleShot(True)
            self.wait_sign_timer.timeout.connect(self._show_wait_sign)
        self.wait_sign_timer.start(WAIT_SIGN_AFTER_MS)
        return gate

    def _look_answered(self, gate: _StartGate) -> bool:
        """The look before the start (or the opening) answered: its wait sign goes.
        Whether what it found is still wanted (not once fieldplan is ending, the sign
        cancelled)."""
        if gate is not self._start_gate or gate.closed:
            return False
        self._stop_wait_sign()
        return True

    def _show_wait_sign(self) -> None:
        """The look before the start, or the opening of the database, is slow (a hung
        drive): a sign that fieldplan is starting, which ends it when closed."""
        if self.wait_sign is not None or self.window is not None or self.dialog is not None:
            return
        from ui.wait_sign import WaitSign

        self.wait_sign = WaitSign(os.fspath(self._sign_path))
        self.wait_sign.cancel_was_asked.connect(self._cancel_start)
        self._say_upgrading()
        self.wait_sign.show()

    def _say_upgrading(self) -> None:
        """The opening upgrades the database (its migrations): the sign says so, if
        it is up. Cancel still ends fieldplan at once (``shutdown``): a person told
        only "Opening" would take an upgrade of minutes for a drive that hangs; one
        told that it upgrades waits, or cancels knowing it is done again next time."""
        session = self.session
        if (self.wait_sign is not None and session is not None
                and session.upgrading.is_set()):
            self.wait_sign.say_upgrading()

    def _stop_wait_sign(self) -> None:
        if self.wait_sign_timer is not None:
            self.wait_sign_timer.stop()
        sign, self.wait_sign = self.wait_sign, None
        if sign is not None:
            sign.done_waiting()

    def _cancel_start(self) -> None:
        """The wait sign was closed: fieldplan ends, what the look finds later unused
        (and no file moved back from now on: done at the next start), the database
        being opened not waited for (``shutdown``)."""
        self.wait_sign = None
        self._start_cancelled = True
        if self._start_gate is not None:
            self._start_gate.close()
        self.app.quit()

    def _looked(self, db_path: Path, found: tuple[bool, bool, bool], setup: str | None,
                refused: BaseException | None) -> None:
        """``start``, once ``look_before_start`` has answered (and which of the files
        to import is a setup bundle, ``setup``, when there is no database)."""
        there, something, folder = found
        if refused is not None and something:
            self._show_cannot_open(db_path, refused)
            return
        if (there or something) and refused is None:
            # (something there but no database: a link to a drive not connected, which
            # the opening says, not the first run, whose every way in it refused)
            self.open(db_path)
            return
        from ui.first_run import FirstRunDialog

        # opened with the setup bundle and no database yet: offered. Not the first file
        # whatever it was: a bundle of data was offered as the setup (the default
        # button), to be refused once pressed, and a setup bundle after it was not
        self.dialog = dialog = FirstRunDialog(db_path, given=setup, backups_folder=folder)
        if self.files_to_import and setup is None:
            dialog.say_bundles_wait(len(self.files_to_import))
        dialog.database_did_open.connect(lambda p: self._first_run_done(Path(p), dialog))
        dialog.rejected.connect(self.app.quit)
        dialog.language_did_change.connect(self.change_language)
        dialog.show()

    def open_demo(self) -> None:
        """``--demo``: the demo database, made on first use. That takes seconds: a
        dialog says so meanwhile (and why it could not: closing it then ends the
        client, with status 1)."""
        from ui.first_run import DemoDialog, clear_demo_leftovers, demo_path

        path = demo_path()
        if path.exists():  # made before: opened as any database, at once
            from ui.ops import OffThread

            # what a demo killed as it was moved in left beside its folder: cleared
            # on a thread of its own (a half-made demo's databases, perhaps)
            OffThread(lambda: clear_demo_leftovers(path), lambda _none: None,
                      lambda _error: None, name="fieldplan-demo-leftovers")
            self.open(path)
            return
        self.dialog = dialog = DemoDialog(path)
        self.demo_job = dialog.job
        dialog.database_did_open.connect(lambda p: self._demo_made(Path(p), dialog))
        dialog.rejected.connect(lambda: self.app.exit(1))
        dialog.show()

    def _let_go_of_dialog(self) -> None:
        """The dialog that asked for a database (first run, cannot open), done with:
        deleted once the code that emitted its answer has returned (it reads and
        accepts after). Dropped only, it stayed alive on Qt's side, closed: Qt went on
        telling it of font and language changes, and once Python's collector had
        cleared its Python side (ui.collector), its overrides raised at each."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _demo_made(self, path: Path, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.open(path)

    def _first_run_done(self, db_path: Path, dialog) -> None:
        # (which one it opened: looked at by the dialog off the GUI thread, where a
        # look at a path on a drive that hangs freezes nothing)
        if dialog.elsewhere:
            # the person chose another database (the demo): the bundles were for the
            # one asked for, and are not imported into this one (the window says so)
            self.files_not_imported, self.files_to_import = self.files_to_import, []
        elif dialog.used is not None:  # the setup bundle made this database: not to import
            self.files_to_import = [f for f in self.files_to_import if f != dialog.used]
            self.set_up = True
        self.open(db_path)
        # what the set-up noted (its date seems wrong): said once the window is up
        self.session.hold_notices(getattr(dialog, "notices", []))

    def open(self, db_path: Path, session: Session | None = None) -> None:
        # the dialog that asked for it closes now, the window shows once the database
        # has answered: no window is on screen meanwhile, and Qt would end the client
        # (a slow laptop's first demo ended so); until the window (or the cannot-open
        # dialog) is up
        self.app.setQuitOnLastWindowClosed(False)
        # nor is that dialog shown again meanwhile: neither by a later start's files
        # (brought to the front, ``receive_files``) nor in place of the wait sign (an
        # opening after a first run, or a restore, that a drive holds said nothing)
        self._let_go_of_dialog()
        if self.session is not None and self.session is not session:
            self.session.close()
        self.session = session or Session(db_path)
        if self.guard is not None:
            self._guard(db_path)
        # an opening that a drive holds is said, as a slow look before the start is
        # (and an upgrade of the database, which may take a while, as such)
        gate = self._wait_for(db_path)
        self.session.upgrade_did_begin.connect(self._say_upgrading)
        DbOp(self.session, None, _read_identity).success(
            lambda identity: self._look_answered(gate) and self._opened(identity)
        ).failure(
            lambda e, p=db_path: self._look_answered(gate) and self._cannot_open(p, e)
        ).run()
        # import the window's modules while the worker opens the database
        import ui.main_window  # noqa: F401

    def _cannot_open(self, db_path: Path, error: BaseException) -> None:
        from fieldplan.errors import NotSetUpError
        from ui.ops import NoDatabaseYet

        if self.session is not None:
            self.session.close()
            self.session = None
        if isinstance(error, NotSetUpError | NoDatabaseYet):
            # no database yet (NotSetUpError: what a killed init left, which the
            # opening cleared, ui.ops), as at a first run: whether a set-up-again
            # killed midway left it aside, and whether anything is left, is looked at
            # off the GUI thread (said then, if so)
            self.start(db_path, refused=error if isinstance(error, NotSetUpError) else None)
            self.listen()
            self.app.setQuitOnLastWindowClosed(True)
            return
        self._show_cannot_open(db_path, error)

    def _show_cannot_open(self, db_path: Path, error: BaseException) -> None:
        """The cannot-open dialog: why ``db_path`` did not open (``error``), with the
        restore of its latest backup when it is damaged; fieldplan ends with it."""
        from fieldplan.errors import DamagedDatabaseError
        from ui.first_run import CannotOpenDialog

        # a backup is the answer to a damaged file only (not to a busy or read-only one)
        damaged = isinstance(error, DamagedDatabaseError)
        self.listen()  # a later start is sent here, not to a second such dialog
        # with a backup the dialog offers its own way back (Restore), not the command
        # line's; with none, the core's next step is the way (at an office: a new
        # setup bundle on a new database file). The backups are listed by the dialog,
        # off the GUI thread (it opens each one: a slow USB stick or network drive
        # froze the client before the dialog showed), what is wrong said meanwhile
        if damaged:
            self.dialog = CannotOpenDialog(db_path, error.problem, None,
                                           without_backups=error_text(error))
        else:
            if isinstance(error, OSError):  # (the look before the first run: its folder)
                from fieldplan.files import os_error_reason

                reason = os_error_reason(error)
            else:
                reason = error_text(error)
            self.dialog = CannotOpenDialog(db_path, reason, [], busy=_is_busy(error))
        self.dialog.database_did_open.connect(lambda p: self.open(Path(p)))
        self.dialog.rejected.connect(self.app.quit)
        self.dialog.show()
        self.app.setQuitOnLastWindowClosed(True)

    def _opened(self, identity) -> None:
        self.identity = identity
        if self.set_up_from:
            from ui.window_settings import carry_over

            carry_over(self.settings, self.set_up_from, identity)
            self.set_up_from = ""
        assert self.session is not None
        self.session.damage_was_found.connect(self._damage_found)
        try:
            self.show_window()
        except Exception as error:  # (a bug, or a database unlike any this one knows)
            if self.window is not None and self.window.isVisible():
                raise  # (on screen: what failed after it is an error like any other)
            self._window_failed(error)

    def _window_failed(self, error: Exception) -> None:
        """The window of the database just opened could not be made: why, in the
        cannot-open dialog, which ends fieldplan. Raised on, it left the client running
        with nothing on screen (no window to close: only a reboot ended it), and every
        later start on the database handed its files to it and ended, unseen too."""
        import traceback

        traceback.print_exception(error)  # (for whoever reports it, started from a terminal)
        window, self.window = self.window, None
        if window is not None:  # (made, then raised as it was filled in)
            with contextlib.suppress(Exception):
                window.language_did_change.disconnect(self.change_language)
            window.hide()
            window.deleteLater()
        assert self.session is not None
        self._cannot_open(self.session.db_path, error)

    def _damage_found(self, error: BaseException) -> None:
        """The open database was found damaged (a bad page read, an import refused
        before its backup): said as at opening, with the restore it allows."""
        if self.session is None or self.window is None:
            return
        window, self.window = self.window, None
        window.language_did_change.disconnect(self.change_language)
        window.setEnabled(False)  # readable behind the dialog; nothing more to do in it
        window.stop_looking()  # (its session is closed now)
        self.damaged_window = window
        self._cannot_open(self.session.db_path, error)

    def _close_damaged_window(self) -> None:
        window, self.damaged_window = self.damaged_window, None
        if window is None:
            return
        # enabled again: what it asks before closing (typed text that no file could
        # keep, a full disk) must be answerable; refused, it stays until answered
        window.setEnabled(True)
        if window.close():
            window.deleteLater()

    def show_window(self, state: dict | None = None, taken_over=None) -> None:
        """The main window, in place of the one shown (a language change: where the
        person was, ``state``, with the old one's undo steps and place in the report,
        ``taken_over``: MainWindow.hand_over_editing)."""
        from ui.main_window import MainWindow
        from ui.window_settings import VIEW, database_value

        assert self.session is not None and self.identity is not None
        old = self.window
        if old is not None:
            old.save_geometry()  # the new window opens where this one is, as large
        self.window = MainWindow(self.session, self.identity, self.settings,
                                 taken_over=taken_over)
        self.window.language_did_change.connect(self.change_language)
        self.window.set_up_again_was_asked.connect(self.set_up_again)
        saved = state if state is not None else database_value(
            self.settings, self.identity, VIEW)
        if isinstance(saved, dict):
            self.window.restore_view_state(saved, start=state is None)
        self.window.show()
        self.app.setQuitOnLastWindowClosed(True)  # (see open)
        if self.guard is not None and self.guard.server is None:
            self.window.was_painted.connect(self.listen)
        if old is not None:
            old.language_did_change.disconnect(self.change_language)
            _carry_previews(old, self.window)
            old.hand_over()  # what is typed goes on in the new window, kept or not
            old.deleteLater()
        self._close_damaged_window()  # restored: the new window takes its place
        if self.set_up:  # headquarters' fingerprint, to check with them before any work
            self.set_up = False
            self.window.own_key_dialog(set_up=True)
        if self.moved_aside is not None:  # (set up again) where the old files went
            (folder, unsent), self.moved_aside = self.moved_aside, None
            from ui.set_up_again import SetUpAgainDone

            SetUpAgainDone(self.window, folder, unsent).open()
        if self.said_after_opening:  # (set up again, failed) why
            said, self.said_after_opening = self.said_after_opening, ""
            from ui.dialogs import MessageDialog

            box = MessageDialog(self.window, _("Set this computer up again"), said)
            box.setObjectName("set-up-again-failed")
            box.open()
        if self.files_to_import:
            files, self.files_to_import = self.files_to_import, []
            self.window.import_files(files)
        if self.files_not_imported:
            n = len(self.files_not_imported)
            self.files_not_imported = []
            self.window.statusBar().showMessage(counted(
                "{n} bundle was not imported: it is for your own database, not the demo.",
                "{n} bundles were not imported: they are for your own database, not the "
                "demo.", n), 20_000)

    def set_up_again(self, setup: str, folder: str = "") -> None:
        """(headquarters revoked this computer's key) Close this database and its
        window, move its files aside and make the new one from ``setup``
        (``fieldplan.sync.again.set_up_again``), then open it. When that cannot be
        done, the old database opens again (its files put back), saying why."""
        from ui.first_run import OneShot

        window, session = self.window, self.session
        if window is None or session is None or self.again_job is not None:
            return
        self.app.setQuitOnLastWindowClosed(False)  # (no window until the new one)
        if not window.close():  # it asks first when what is typed cannot be kept
            self.app.setQuitOnLastWindowClosed(True)
            return
        window.language_did_change.disconnect(self.change_language)
        window.deleteLater()
        self.window = None
        path = session.db_path
        old_replica = self.identity.replica_id if self.identity is not None else ""
        session.close()  # its connection closed: no program may have the file open
        self.session = None
        if "ui.drafts" in sys.modules:  # what was typed goes with the old database
            sys.modules["ui.drafts"].flush_all()

        def run():
            from fieldplan.sync.again import set_up_again

            done = set_up_again(path, setup, folder=Path(folder) if folder else None)
            # what the set-up noted (its date seems wrong), said once the window is up
            notices = list(done.replica.take_notices())
            done.replica.close()
            return (str(done.aside), done.unsent), notices

        def done(result) -> None:
            self.again_job = None
            self.set_up = True
            self.moved_aside, notices = result
            self.set_up_from = old_replica
            self.open(path)
            if self.session is not None:
                self.session.hold_notices(notices)

        def failed(error: BaseException) -> None:
            self.again_job = None
            self.said_after_opening = error_text(error)
            self.open(path)  # the old database, its files back where they were

        self.again_job = OneShot(run, done, failed, self)

    def change_language(self, lang: str) -> None:
        """Save the choice (the window's Language menu, the first-run dialog's) and
        use it at once: the window is made again where the user was (the report, its
        undo steps, the cursor in its fields), the first-run dialog says itself again.
        While an import or another long job runs, the window waits for it and for
        what it then says to be closed (``_language_when_free``): made again meanwhile,
        it would take the job's progress and outcome with it."""
        window = self.window
        first_run = getattr(self.dialog, "retranslate", None) if window is None else None
        if window is None and first_run is None:
            return
        from ui.window_settings import set_value

        set_value(self.settings, "language", lang)
        if window is not None and (self._language_waiting or self._busy(window)):
            self._wait_to_change(window, lang)
            return
        state = taken_over = None
        if window is not None:
            # saved, kept in the drafts and stopped while the old language reads what is
            # typed: closed once the new language was on, it saved a number refused in
            # the old one as the new one reads it (French "12.500", two readings there,
            # saved as 12.5 in English)
            window.office_view.editor.close_down()
            # the plan the window shows, amended since it opened perhaps: the new window
            # showed the plan read at opening (actions it dropped, to type in again)
            self.identity = window.identity
            state = window.view_state()
            taken_over = window.hand_over_editing()
            focus = window.focus_path()
            # headquarters' fingerprint, beside the first window after a set-up: it
            # went with the window, never shown again to the person who checked
            # nothing yet (shown over the new one, in its language)
            set_up_note = _set_up_note_open(window)
            # replaced below (what is typed goes on in the new one): not translated
            # and laid out again first
            stop_hearing_language(window)
        apply_language(self.app, lang)
        if window is not None:
            self.show_window(state, taken_over)
            self.window.restore_focus(focus)
            if set_up_note:
                self.window.own_key_dialog(set_up=True)
        else:
            first_run()

    def _busy(self, window) -> bool:
        """Whether a long job runs (an import, a report), or a dialog it opened is
        still open over ``window`` (the import's outcome)."""
        return self.session is not None and (
            self.session.long_jobs_running() or _dialog_over(window) is not None)

    def _wait_to_change(self, window, lang: str) -> None:
        """Change to ``lang`` once the window is free (``_busy``), saying so; chosen
        again meanwhile, the last choice is the one made."""
        from fieldplan.i18n import LANGUAGE_NAMES, get_language

        if not self._language_waiting and self.session is not None:
            self._waiting_on = self.session
            self.session.job_did_complete.connect(self._language_when_free)
        self._language_waiting = lang
        if lang == get_language():  # (chosen back: nothing to change)
            window.statusBar().clearMessage()
        else:
            window.statusBar().showMessage(
                _("The window changes to {language} once the work under way is done.")
                .format(language=LANGUAGE_NAMES.get(lang, lang)))
        self._language_when_free()

    def _language_when_free(self, *_args) -> None:
        lang, window = self._language_waiting, self.window
        if not lang:
            return
        if window is None or self.session is not self._waiting_on:
            self._stop_waiting()  # (closed, set up again, restored meanwhile)
            return
        if self.session.long_jobs_running():
            return  # (asked again at each job's end)
        dialog = _dialog_over(window)
        if dialog is not None:
            if not dialog.property("language-waits"):
                dialog.setProperty("language-waits", True)
                dialog.finished.connect(self._language_when_free)
            return
        self._stop_waiting()
        from fieldplan.i18n import get_language

        if lang != get_language():
            window.statusBar().clearMessage()
            self.change_language(lang)

    def _stop_waiting(self) -> None:
        import shiboken6

        session, self._waiting_on = self._waiting_on, None
        if session is not None and shiboken6.isValid(session):
            session.job_did_complete.disconnect(self._language_when_free)
        self._language_waiting = ""

    # later starts on the same database -------------------------------------------------
    def _guard(self, db_path: Path) -> None:
        """The first-run dialog opened another database (the demo): later starts on
        the one asked for are no longer this client's, later ones on this one are."""
        from ui.single_instance import Guard, instance_key

        if self.guard is None or self.guard.key == instance_key(db_path):
            return
        self.guard.release()
        self.guard = Guard(db_path)
        if not self.guard.claim():  # that one's client is another process's
            self.guard = None
        else:  # once the window is painted (show_window), or at the latest
            QTimer.singleShot(LISTEN_AT_THE_LATEST_MS, self.listen)

    def listen(self) -> None:
        """Take the files of later starts on this database (``fieldplan gui FILE``
        when a bundle is double-clicked) instead of letting them open a second
        window on it."""
        if self.guard is not None and self.guard.server is None and self.guard.listen():
            self.guard.files_did_arrive.connect(self.receive_files)

    def receive_files(self, files: list[str], token: str = "") -> None:
        """Another start handed its bundles over: to the front, and import them as
        if they had been dropped on the window (or once it is open)."""
        from ui.single_instance import bring_to_front

        front = self.window if self.window is not None else self.dialog
        if front is None:  # (a slow look before the start: its sign)
            front = self.wait_sign
        if front is not None:
            bring_to_front(front, token)
        if not files:
            return
        if self.window is not None:
            self.window.import_files(list(files))
            return
        # the first-run or cannot-open dialog is up: imported once the window is, if
        # it is this database's (the first-run dialog may open the demo instead)
        self.files_to_import += [f for f in files if f not in self.files_to_import]
        if getattr(self.dialog, "offer", None) is not None:
            self._offer_setup_bundle(list(files))

    def _offer_setup_bundle(self, files: list[str]) -> None:
        """The first-run dialog is up: the first setup bundle among ``files`` is
        offered to it, as when given at the start. Which one is looked at off the GUI
        thread: each file is opened (its manifest read), and a bundle on a slow USB
        stick or a stalled network drive would freeze the dialog meanwhile."""
        import shiboken6

        from ui.ops import OffThread

        self._setup_looks += 1
        look, dialog = self._setup_looks, self.dialog

        def found(setup: str | None) -> None:
            # the dialog still up (not closed, not the demo's or the window by now), and
            # no later file offered already
            if (self.dialog is not dialog or self.window is not None
                    or not shiboken6.isValid(dialog) or look < self._setup_offered):
                return
            if setup is None:  # (a bundle of data: imported once set up, it says so)
                if dialog.given is None:
                    dialog.say_bundles_wait(len(self.files_to_import))
                return
            self._setup_offered = look
            dialog.offer(setup)

        # (a daemon: quitting need not wait for a look at a hung drive)
        OffThread(lambda: _first_setup_bundle(files), found, lambda _error: None,
                  name="fieldplan-setup-look", daemon=True)

    def shutdown(self) -> None:
        # the look before the start moves no file from now on (and waits for one
        # being moved back); what it finds is not used
        if self._start_gate is not None:
            self._start_gate.close()
        self._stop_wait_sign()
        if self._hears_session_end is not None:  # (tests make many shells of one app)
            app, self._hears_session_end = self._hears_session_end, None
            app.commitDataRequest.disconnect(self._commit_data)
        # (whatever goes wrong in the steps before, the session is closed and what
        # follows is done all the same: a worker cut off at exit would leave its
        # write half done)
        try:
            self._close_damaged_window()
            if self.demo_job is not None:  # a demo half made would be opened as made
                self.demo_job.worker.stop()  # (the job first)
            # the job of a dialog (a database being made or restored) and a setup again
            # under way end first: a thread still running when the process ends aborts
            # it, and what they made would be left half made
            wait_for_job = getattr(self.dialog, "wait_for_job", None)
            if wait_for_job is not None:
                wait_for_job()
            if self.again_job is not None:
                self.again_job.worker.stop()
            if self.guard is not None:
                # no more files taken (nothing would import them now); a later start
                # waits for the claim, given up below
                self.guard.stop_listening()
        finally:
            try:
                if self.session is not None:
                    # its long jobs (a review pack being built) cancelled, the rest finished
                    session, self.session = self.session, None
                    if self._start_cancelled:
                        # the wait sign closed: its opening, held by a drive that does
                        # not answer, is not waited for. Ending the process cuts it short
                        # as a kill or a power cut would, which each of its steps
                        # survives: a migration is one transaction (undone at the next
                        # opening), the backup before it is written aside and renamed
                        # whole, a key change is finished at the next opening
                        session.abandon()
                    else:
                        session.close()
            finally:  # (whatever went wrong above, what follows is done all the same)
                try:
                    # a report being saved to a USB stick is written whole before the app
                    # ends, and text on its way to the set-aside file leaves the journal
                    # (which it writes) before another client may open the database
                    wait_off_thread()
                    # and so is a report printed to a file by a preview closed since
                    if "ui.report_preview" in sys.modules:
                        sys.modules["ui.report_preview"].wait_for_prints()
                finally:
                    try:
                        if "ui.drafts" in sys.modules:  # whatever way the app ends, drafts
                            sys.modules["ui.drafts"].flush_all()  # reach the disk
                    finally:
                        try:
                            # and the settings changed last (written off the GUI thread
                            # while the app runs: the place, the size, the language)
                            if "ui.window_settings" in sys.modules:
                                sys.modules["ui.window_settings"].write_now()
                        finally:
                            self._release_guard()

    def _release_guard(self) -> None:
        if self.guard is not None:
            # only now: a later start opens its own window, and a second client on the
            # database while this one still wrote to it (its journal included) would
            # be two at once
            guard, self.guard = self.guard, None
            guard.release()


def _first_setup_bundle(files: list[str]) -> str | None:
    """(off the GUI thread) The first of ``files`` that is a setup bundle, if any."""
    from ui.first_run import is_setup_bundle

    return next((f for f in files if is_setup_bundle(f)), None)


class _StartGate:
    """(``look_before_start``) Whether the look may still move files back, and the
    lock it holds while it does: quitting (``Shell.shutdown``, the wait sign closed)
    closes it, waiting for files being moved back, never half moved, but not for a
    look at a drive that does not answer (the look's thread is a daemon)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = False

    def close(self) -> None:
        with self.lock:
            self.closed = True


def look_before_start(db_path: Path, gate: _StartGate | None = None,
                      ) -> tuple[bool, bool, bool]:
    """(off the GUI thread) Before the first run: what a set-up-again or a restore
    killed midway left undone (the old database put back), then whether the database
    is there, whether anything is at its path (a link to nothing too), and, when no
    database is there, whether its backups folder is (the first-run dialog then looks
    at the backups; with none, it is a first run). ``gate``: nothing is put back once it
    is closed (fieldplan is ending)."""
    from fieldplan.replica import undo_killed_set_up_again
    from fieldplan.store import backup_dir, put_back_set_aside

    def put_back() -> None:
        undo_killed_set_up_again(db_path)
        # a restore killed with the database set aside: the database, as it was (the
        # first run's Restore found nothing to count what it would lose)
        put_back_set_aside(db_path)

    if not os.path.exists(db_path):
        if gate is None:
            put_back()
        else:
            with gate.lock:
                if gate.closed:  # (ending: put back at the next start; unused answer)
                    return False, False, False
                put_back()
    there = os.path.exists(db_path)
    folder = False
    if not there:
        try:
            folder = backup_dir(db_path).is_dir()
        except OSError:  # (there, perhaps, and not to be looked at: the look says why)
            folder = True
    return there, os.path.lexists(db_path), folder


def _is_busy(error: BaseException | None) -> bool:
    """Whether another connection holding the database is why it would not open (the
    core's StoreError keeps SQLite's error as its cause)."""
    from fieldplan.store import busy

    while error is not None:
        if busy(error):
            return True
        error = error.__cause__
    return False


def _read_identity(rep):
    from ui.context import read_identity

    return read_identity(rep)


def settings() -> QSettings:
    return QSettings(ORG, APP)


def start(
    db: str | None = None,
    demo: bool = False,
    lang: str | None = None,
    prefs: QSettings | None = None,
    files: Sequence[str | os.PathLike[str]] = (),
    guard: Guard | None = None,
) -> Shell:
    """Create the application and begin opening the database (or making the demo);
    the window appears once the event loop runs. ``run`` is ``start`` then the loop;
    tests call ``start`` and let pytest-qt run the loop. The worker starts opening
    the database before Qt sets up the application, so both happen at once.

    The database's client takes later starts' files (``guard``, claimed here when
    not given): it listens once its window is painted (or LISTEN_AT_THE_LATEST_MS
    after this, if it is not by then), or at once when a dialog comes first. Another
    process that holds the database's claim is not asked here (``run`` does that)."""
    from fieldplan.store import resolve_db_path

    path = None if demo else resolve_db_path(db)
    if guard is None:
        from ui.single_instance import Guard

        guard = Guard(_guarded_path(db, demo))
        guard.claim()
    # the worker opens the database while Qt starts; whether it is there is looked at
    # there too (a drive that does not answer holds no look here, the wait sign says
    # so): with none, ``Shell.start`` looks off the GUI thread, a set-up-again undone
    # first, for the first run
    early = Session(path, only_if_there=True) if path is not None else None
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.collector import collect_on_gui_thread

    collect_on_gui_thread(app)  # never a widget destroyed on a worker thread
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("fieldplan")
    # the desktop entry (packaging/linux) the windows belong to; the icon comes after
    # the first paint (MainWindow), QIcon costs the start time
    app.setDesktopFileName("org.iom_oic.fieldplan")
    import fieldplan

    app.setApplicationVersion(fieldplan.__version__)
    apply_font(app)
    prefs = prefs or settings()
    apply_language(app, choose_language(prefs, lang))
    shell = Shell(app, prefs)
    shell.files_to_import = [os.fspath(f) for f in files]
    if guard is not None and guard.owned:
        shell.guard = guard
        if early is None:  # the demo being made, a dialog first
            QTimer.singleShot(0, shell.listen)  # (once): listen from the start
        else:  # once the window is painted (its QtNetwork would cost the cold start),
            # or at the latest a little later (a window started minimised, or never
            # on screen, is not painted: later starts would wait for it, then open
            # a second client)
            QTimer.singleShot(LISTEN_AT_THE_LATEST_MS, shell.listen)
    if early is not None:
        shell.open(path, early)  # (or the first run, with no database: _cannot_open)
    else:
        shell.open_demo()
    return shell


def _guarded_path(db: str | None, demo: bool) -> Path:
    """The database a start opens: ``db`` (or the default), or the demo's, which
    has its one client like any other (two demo starts would make it at once)."""
    if demo:
        from ui.first_run import demo_path

        return demo_path()
    from fieldplan.store import resolve_db_path

    return resolve_db_path(db)


def run(
    db: str | None = None,
    demo: bool = False,
    lang: str | None = None,
    files: Sequence[str | os.PathLike[str]] = (),
) -> int:
    """Open the desktop client (and import ``files``); returns the exit status (or
    ends the process with it when a thread it could not wait for still runs: an
    opening given up by the wait sign's Cancel, ``ui.ops.left_running``).

    When the database's client is already open (a bundle double-clicked while it
    is), the files go to it and this ends at once with 0, before any window."""
    from ui.single_instance import Guard

    guard = Guard(_guarded_path(db, demo))
    if not guard.claim() and guard.held_elsewhere:
        if guard.hand_over(files):
            # no window of its own will say the launch is over (X11's busy pointer)
            from ui.x11_startup import end_startup

            end_startup()
            return 0
        # no client answered: it ended meanwhile (then this one is the client),
        # or it is stuck (then the database is opened here as well)
        guard.claim()
    shell = start(db, demo, lang, files=files, guard=guard)
    from ui.ops import left_running

    try:
        try:
            status = shell.app.exec()
        finally:
            shell.shutdown()
    except BaseException:
        # (a step of the shutdown that failed, its others done all the same: said, and
        # ended as below, never through Python's own end while a thread still runs)
        if left_running():
            import traceback

            traceback.print_exc()
            _end_now(1)
        raise
    if left_running():
        # an opening given up (the wait sign's Cancel), a look at a drive that hangs:
        # ended here as a kill would end them (what they do survives one), everything
        # else done by ``shutdown``. Python's own end would stop them as they next ran,
        # which aborts the process in an extension's frame (ui.ops.left_running)
        _end_now(status)
    return status


def _end_now(status: int) -> None:
    """(``run``) End the process with ``status`` at once, what it printed written."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # (none under pythonw)
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
