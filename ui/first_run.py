"""First run (no database yet): set up this office from a setup bundle, create
headquarters, or open the demo. And when a database cannot be opened: say why and
offer to restore the latest backup."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import LANGUAGE_NAMES, LANGUAGES, _, counted, get_language
from ui.bidi import isolated, isolated_codes, isolated_paths, without_marks
from ui.context import demo_path, time_text
from ui.dialogs import (
    choice_combo,
    detail_label,
    downloads_dir,
    file_dialog,
    reached_by_tab,
    selectable,
    set_name_filters,
    size_to_content,
)
from ui.ops import Worker, _Job, error_sentence, error_text, said_again, sentence
from ui.path_label import PathLabel, PlainLabel
from ui.qtcompat import emit
from ui.wrapped_label import DocumentLabel, WrappedLabel

if TYPE_CHECKING:
    from ui.ops import OffThread


class OneShot(QObject):
    """Run one core function on a short-lived worker thread (before any replica is
    open: creating or restoring a database), then call back on the GUI thread."""

    did_finish = Signal()

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._on_done, self._on_error = on_done, on_error
        self.worker = Worker(lambda: None)
        self.worker.job_did_finish.connect(self._finished)
        self.worker.start()
        self.worker.submit(_Job(fn=lambda _rep: _kept(fn)))

    def _finished(self, _job, result, error) -> None:
        self.worker.stop()
        if error is not None:
            self._on_error(error)
        else:
            self._on_done(result)
        emit(self.did_finish)


def _kept(fn: Callable[[], Any]) -> Any:
    """``fn()``, its error messages kept to be said again in another language (the
    first-run dialog changes language while one is shown)."""
    from fieldplan.i18n import capturing

    with capturing():
        return fn()


#: Offices in the demo world made for ``fieldplan gui --demo``.
DEMO_OFFICES = 12


def make_demo_database(path: Path) -> Path:
    """(worker) the demo HQ database, made on first use; made before, what a demo
    killed as it was moved in left beside its folder is cleared
    (``clear_demo_leftovers``)."""
    if path.exists():
        clear_demo_leftovers(path)
        return path
    # (its folder is not made first: the demo, made beside it, is then moved in as
    # one folder, even on Windows, which moves none onto an empty one; moved in file
    # by file, a kill could leave part of it there, for the next start to clear)
    try:
        from fieldplan.demo import make_demo
    except ImportError:
        make_demo = None
    if make_demo is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        make_demo(path.parent, offices=DEMO_OFFICES, seed=1, merge=True)
        return path
    _small_demo(path)
    return path


def clear_demo_leftovers(path: Path) -> None:
    """(off the GUI thread) Remove what a demo killed after its last file moved into
    its folder left beside it (``.demo.demo-part``): ``fieldplan demo`` clears it
    before it makes one (``fieldplan.demo.clear_killed_demo``), and the client, which
    opens its demo as made, never did. What cannot be removed stays, unsaid: the
    demo opens all the same."""
    try:
        from fieldplan.demo import clear_killed_demo
    except ImportError:
        return
    with contextlib.suppress(OSError):
        clear_killed_demo(path.parent)


def _small_demo(path: Path) -> None:
    """A headquarters database with a few global reports (when fieldplan.demo is
    not there)."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import init_hq

    rep = init_hq(path)
    try:
        plan = rep.plan()
        statuses = ("on-track", "at-risk", "completed", "off-track")
        for i, action in enumerate(plan.actions_of(level="global")):
            for j, period in enumerate(plan.periods()[:2]):
                record_progress(
                    rep,
                    action.code,
                    str(period),
                    status=statuses[(i + j) % 4],
                    percent=min(100, 20 * (i + 1) + 10 * j),
                    achievements=f"Progress on {action.code}.",
                )
    finally:
        rep.close()


class DemoDialog(QDialog):
    """What ``fieldplan gui --demo`` shows while it makes the demo database, the first
    time (several seconds, with nothing on screen before): a busy bar, as a report's
    progress shows one; then ``database_did_open(path)``, or why it could not, with
    Close. It cannot be closed meanwhile: a demo left half made would be opened as
    made next time."""

    database_did_open = Signal(str)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("demo-preparing")
        self.setWindowTitle(_("Welcome to fieldplan"))
        lay = QVBoxLayout(self)
        self.message = DocumentLabel(_("Preparing the demo: made-up offices and their reports. "
                                "This takes a few seconds, the first time only."))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(selectable())
        lay.addWidget(self.message)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no steps to count: busy
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.message.text())
        lay.addWidget(self.busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.hide()  # (until it failed: never setVisible(True) before shown)
        lay.addWidget(self.buttons)
        size_to_content(self, 420)
        path = self.path
        #: the making, on a thread of its own (None once it ended)
        self.job: OneShot | None = OneShot(
            lambda: make_demo_database(path), self._made, self._failed, self)

    def working(self) -> bool:
        return self.job is not None and self.job.worker.isRunning()

    def _made(self, made) -> None:
        emit(self.database_did_open, str(made))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        print(error_text(error), file=sys.stderr)  # (started from a terminal, perhaps)
        self.message.setText(_("The demo could not be made: {reason}").format(
            reason=isolated_codes(error_text(error))))
        self.busy.hide()
        self.buttons.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        size_to_content(self, max(self.width(), 420))

    def reject(self) -> None:
        if not self.working():  # (Escape, the window's close button: not while made)
            super().reject()

    def closeEvent(self, event) -> None:
        if self.working():
            event.ignore()
        else:
            super().closeEvent(event)


class FirstRunDialog(QDialog):
    """Three ways in. ``database_did_open(path)`` once one worked.

    ``backups_folder``: whether the database's backups folder is there (looked at
    off the GUI thread by the shell; None: looked at here).

    ``given``: a bundle the app was opened with (a double-click on the setup bundle
    headquarters sent): offered first, without a file dialog; ``offer`` offers one
    double-clicked while the dialog is up. ``used`` is the setup bundle the database
    was made from, if any; ``elsewhere`` whether the database opened is another one
    than ``db_path`` (the demo).

    Its language can be chosen on it (the first screen comes in the system's language,
    which may not be the person's): ``language_did_change(code)``, as the window's
    Language menu says it; the shell saves and applies the choice (ui.app.Shell), then
    ``retranslate`` makes the dialog again in it."""

    database_did_open = Signal(str)
    language_did_change = Signal(str)
    #: the backups (the database file missing) have been checked: the restore is
    #: offered, or why it cannot be is said
    backups_were_checked = Signal()

    def __init__(
        self, db_path: Path, parent: QWidget | None = None, given: str | None = None,
        *, backups_folder: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.setObjectName("first-run")
        self._job: OneShot | None = None
        self._undo: Callable[[Any], None] | None = None
        self._is_busy = False
        #: Cancel (Escape, the window's close button) was pressed while a job ran: the
        #: dialog closes once it has ended, and what it made is removed (``reject``)
        self._stopping = False
        #: what had the focus when a job started: it has it back after
        self._focus_before: QWidget | None = None
        #: what makes the line under the ways in (an error, "Preparing…"), kept to say
        #: it again in another language (``retranslate``)
        self._said: Callable[[], str] | None = None
        self.used: str | None = None
        self.elsewhere = False
        #: what the core noted while it made the database (a setup bundle written
        #: later than this computer's clock says: its date is wrong), for the window
        self.notices: list[str] = []
        self.given: str | None = None
        #: what says that the bundles fieldplan was opened with wait for the set-up
        #: (``say_bundles_wait``), while it is said
        self._bundles_wait: Callable[[], str] | None = None
        #: what the look at the backups found (``check_backups``, on a thread of its
        #: own: the backups, the one a restore would put back and when it was taken,
        #: or why none can be), None while the first look runs; kept, so that the
        #: dialog made again (a change of language) says it again without reading the
        #: backups folder or their files again (``_look``)
        self._found: BackupsFound | None = BackupsFound()
        #: a look is under way (``_look``); another is asked for after it
        self._looking = self._look_again = False
        self.checking_bar: QProgressBar | None = None
        #: the language chooser's row, made once (``_language_chooser``)
        self._language_row: QWidget | None = None
        self._layout = QVBoxLayout(self)
        if backups_folder is None:
            from fieldplan.store import backup_dir

            # (a dialog made alone: the client's shell looked off the GUI thread,
            # ``ui.app.look_before_start``, and says what it found)
            backups_folder = backup_dir(self.db_path).is_dir()
        # no backups folder (a first run): nothing to look at; else a look, which says
        # what it found once it has (with the folder on a slow USB stick or network
        # drive, listing it took long enough to freeze the dialog)
        if backups_folder:
            self._found = None
            self._look()
        self._build()
        if given:
            self.offer(given)
        if self.focusWidget() is None:  # (none given, no backups being checked)
            # else the first stop of Tab took it: the database's path, which no one
            # acts on
            self._first_way().setFocus(Qt.FocusReason.OtherFocusReason)
        size_to_content(self, 520)

    def _first_way(self) -> QPushButton:
        """The way in the dialog offers first, which has the focus when it opens (the
        language, which may be the first thing a person changes, comes after the ways
        in for Tab, and has its own key, Alt+L)."""
        return self.restore_button or self.given_button or self.setup_button

    def _build(self) -> None:
        """Make what the dialog says and offers, in the language in use."""
        self.setWindowTitle(_("Welcome to fieldplan"))
        lay = self._layout
        # (nothing here reads the disk: what the backups are was found on a thread of
        # its own, and kept, ``_look``)
        backups, usable, why = self._restorable()
        checking = self.checking()
        # the path on a line of its own, whole and left to right: inside an Arabic
        # sentence it broke across lines, its parts out of order
        if checking:
            # the ways in are there meanwhile: the demo need not wait for the check
            text = _("The fieldplan database file is missing:\n{path}\nIts backups are "
                     "being checked…")
        elif usable is not None:
            # the database file went (a clean-up tool, a bad copy): its backups did not
            text = _("The fieldplan database file is missing:\n{path}\nIts backups are "
                     "there: restore the latest, or start another way.")
        elif backups:
            text = _("The fieldplan database file is missing:\n{path}\nNone of the files "
                     "in its backups folder can be restored: {reason}. How do you want to "
                     "start?")
        elif self._found is not None and self._found.unreadable is not None:
            # (listed as no backups, it was said to be a first run, with no word why
            # the backups, if any, were not offered)
            text = unreadable_text(self._found, first_run=True)
        else:
            text = _("There is no fieldplan database on this computer yet. It will be kept "
                     "in this file:\n{path}\nHow do you want to start?")
        before, _sep, after = text.partition("{path}")
        if self._found is None or self._found.unreadable is None:
            before, after = (part.format(reason=why) for part in (before, after))
        # (else filled in: a folder's name may hold braces)
        self.intro, self.after_path = (_intro_label(part.strip()) for part in (before, after))
        # on the layout's side, as the lines around it; wrapped after its slashes (a
        # long one made the dialog as wide); copied without the marks that lay it out
        self.path_label = PathLabel("first-run-path",
                                    accessible_name=_("Path of the database file"))
        for label in (self.intro, self.path_label, self.after_path):
            lay.addWidget(label)
        self.path_label.set_path(str(self.db_path))  # (in the dialog: on its side)
        self.checking_bar = None
        if checking:
            self.checking_bar = checking_bar(_("Checking the backups…"))
            lay.addWidget(self.checking_bar)
            # the focus on what is being done, to be read out; the restore takes it
            # once offered, unless the person has put it elsewhere (``_rebuild``)
            reached_by_tab(self.after_path)
            self.after_path.setFocus(Qt.FocusReason.OtherFocusReason)
        self.restore_button = None
        if usable is not None:
            taken = self._found.taken if self._found is not None else None
            self.restore_button = QPushButton(_("&Restore the latest backup ({when})").format(
                when=_when_taken(usable, taken)))
            self.restore_button.setMinimumHeight(40)
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(self.restore)
            lay.addWidget(self.restore_button)
        self.given_button: QPushButton | None = None
        self.setup_button = QPushButton(_("Set up this &office from a setup bundle…"))
        self.hq_button = QPushButton(_("Create &headquarters"))
        self.demo_button = QPushButton(_("Open the &demo"))
        for b, tip in (
            # (the file ending kept whole in Arabic, as in the window's Import tip)
            (self.setup_button, isolated_paths(
                _("Headquarters sent you a .fieldplan setup file"), [".fieldplan"])),
            (self.hq_button, _("Start the headquarters database for the plan")),
            (self.demo_button, _("Try fieldplan with made-up data")),
        ):
            b.setToolTip(tip)
            b.setMinimumHeight(40)
            lay.addWidget(b)
        for b in (self.restore_button, self.setup_button, self.hq_button,
                  self.demo_button):
            if b is not None:  # (made again while a job runs: the backups checked)
                b.setEnabled(not self._is_busy)
        # the language, at the top on the trailing side, each named in itself; after
        # the ways in for Tab, as the window's Language menu comes after its other
        # menus (Alt+L: the menu's letter). Made once: made again with the rest (the
        # backups checked, the language changed), it closed the list the person had
        # open on it
        if self._language_row is None:
            self._language_row = self._language_chooser()
        self.language_label.setText(_("&Language"))
        self.language.setAccessibleName(_("&Language").replace("&", ""))
        self.language.setCurrentIndex(max(self.language.findData(get_language()), 0))
        self.language.setEnabled(not self._is_busy)
        lay.insertWidget(0, self._language_row)
        QWidget.setTabOrder(self.demo_button, self.language)
        # plain text: a core error about a setup bundle names its file, which anyone can
        # send. Reached with Tab, and given the focus while a job runs and after it
        # failed (``_busy``), so that it is read out
        self.message = detail_label("first-run-message")
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (until it says something)
        lay.addWidget(self.message)
        self.message.hide()  # (as _say leaves it: no empty line above Cancel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        # Cancel quits fieldplan: never the button that Enter presses, even with focus
        not_default(self.cancel_button)
        self.cancel_button.setEnabled(not self._stopping)  # (pressed once is enough)
        lay.addWidget(buttons)
        self.setup_button.clicked.connect(self.choose_setup)
        self.hq_button.clicked.connect(self.create_hq)
        self.demo_button.clicked.connect(self.open_demo)

    def _language_chooser(self) -> QWidget:
        """The row of the language chooser (``language``, named by ``language_label``),
        kept as the dialog is made again (``_rebuild``)."""
        self.language = choice_combo(
            _("&Language").replace("&", ""),
            [(LANGUAGE_NAMES[code], code) for code in LANGUAGES],
            get_language(),
        )
        self.language.setObjectName("first-run-language")
        self.language.activated.connect(self._language_chosen)
        self.language_label = QLabel(_("&Language"))
        self.language_label.setBuddy(self.language)
        row = QWidget()  # (a widget: the layout holds only widgets, see retranslate)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addStretch(1)
        row_layout.addWidget(self.language_label)
        row_layout.addWidget(self.language)
        return row

    def keyPressEvent(self, event) -> None:
        """Enter presses the way in that has the focus, and no other: off them (the
        language, the line saying why a setup bundle was refused, the path), QDialog
        pressed its default button, which Qt makes of a way in that once had the focus
        ('Create headquarters': an office's laptop made a headquarters database)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
                self.focusWidget(), QPushButton):
            event.accept()
            return
        super().keyPressEvent(event)

    def _language_chosen(self, _index: int) -> None:
        code = self.language.currentData()
        if code != get_language():
            emit(self.language_did_change, code)

    def _restorable(self) -> tuple[tuple[Path, ...], Path | None, str]:
        """What the look at the backups found (``_look``): the backups, the one a
        restore would put back, or why none can be, in the language in use; ((), None,
        "") while they are looked at, or when there are none."""
        found = self._found
        if found is None or not found.backups:
            return (), None, ""
        if found.usable is not None:
            return found.backups, found.usable, ""
        why = why_not_restorable(self.db_path, found.backups, found.error, found.folder) \
            if found.error is not None else ""
        return found.backups, None, why

    def _look(self) -> None:
        """List and check the backups on a thread of their own (``check_backups``: it
        reads the backups folder, and whole files, 11 s for a headquarters of a
        million events), then make the dialog again with what was found, once for the
        first look, and after another only if it found something else. Looked at once
        as the dialog opens, and again only when they may have changed (a way in that
        failed: a restore, a set-up that wrote in the folder); asked for while a look
        runs, once it has answered (what it says is not held up)."""
        if self._looking:
            self._look_again = True
            return
        self._looking = True

        def done(found: BackupsFound) -> None:
            self._looking = False
            before, self._found = self._found, found
            if before is None or before.shown() != found.shown():
                self._rebuild()
                emit(self.backups_were_checked)
            if self._look_again:
                self._look_again = False
                self._look()

        check_off_thread(self, self.db_path, done)

    def checking(self) -> bool:
        """Whether the backups are being checked (the restore not offered yet)."""
        return self._found is None

    def _restore_shown(self) -> str:
        """What the dialog shows of a restore: ``RESTORE_OFFERED`` (its button),
        ``RESTORE_CHECKING`` (not yet: the backups are being checked) or
        ``RESTORE_NONE`` (none can be restored, or there are no backups)."""
        if self.restore_button is not None:
            return RESTORE_OFFERED
        return RESTORE_CHECKING if self.checking() else RESTORE_NONE

    def retranslate(self) -> None:
        """Say it all again in the language now in use, laid out in its direction (the
        application's, which ui.app.apply_language set)."""
        self._rebuild()

    #: what can have the focus, by name: made again, the same one has it again (the
    #: path too, a stop of Tab: read out or copied while the backups were checked, the
    #: restore then offered took the focus from it)
    _FOCUSABLE = ("restore_button", "given_button", "setup_button", "hq_button",
                  "demo_button", "language", "message", "cancel_button", "path_label")

    def _named(self, widget: QWidget | None) -> str | None:
        return next((name for name in self._FOCUSABLE
                     if widget is not None and getattr(self, name, None) is widget), None)

    def _rebuild(self) -> None:
        """Make the dialog again: in the language now in use, or with what the check
        of the backups found. What had the focus has it again (the language chooser,
        the line said while a job runs); with none, or on the line that said the
        backups were being checked, the restore now offered takes it."""
        focus = self._named(self.focusWidget())
        before = self._named(self._focus_before)
        while self._layout.count():
            old = self._layout.takeAt(0).widget()
            if old is self._language_row:
                continue  # (kept, shown: a list open on it stays open)
            old.hide()
            old.deleteLater()
        self._build()
        if self.given:
            self.offer(self.given)
        self._say(self._said)  # (the new label is empty)
        explicit = Qt.WidgetAttribute.WA_WState_ExplicitShowHide
        for i in range(self._layout.count()):
            new = self._layout.itemAt(i).widget()
            if not new.testAttribute(explicit):  # (not one hidden on purpose)
                new.show()
        self._focus_before = getattr(self, before) if before is not None else None
        again = getattr(self, focus) if focus is not None else None
        if again is None and not self._is_busy:  # (as when the dialog opens)
            again = self._first_way()
        if again is not None and again.isEnabled():
            again.setFocus(Qt.FocusReason.OtherFocusReason)
        size_to_content(self, max(self.width(), 520))

    def offer(self, given: str) -> None:
        """Offer to set this office up from the bundle ``given`` (the one the app was
        opened with, or the latest double-clicked since), above the other ways."""
        self.given = given
        if self._said is not None and self._said is self._bundles_wait:
            self._say(None)  # (a setup bundle after all: no more "not a setup bundle")
        text = _("Set up this office from {file}").format(file=isolated(Path(given).name))
        if self.given_button is None:
            self.given_button = QPushButton(text)
            self.given_button.setMinimumHeight(40)
            self.given_button.setDefault(True)
            self.given_button.setEnabled(not self._is_busy)
            self.given_button.clicked.connect(
                lambda: self.setup_from(self.given) if self.given else None)
            self._layout.insertWidget(self._layout.indexOf(self.setup_button),
                                      self.given_button)
            # made last, it came last for Tab (after Cancel) and the focus, and so
            # Enter, stayed on the way that opens a file chooser: in its place, before
            # the other ways in, with the focus (not while a job runs: see _busy)
            QWidget.setTabOrder(self.given_button, self.setup_button)
            before = self.restore_button
            if before is not None:
                QWidget.setTabOrder(before, self.given_button)
            elif not self._is_busy and not self.checking():  # (restore, once offered)
                self.given_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.given_button.setText(text)

    def say_bundles_wait(self, n: int) -> None:
        """fieldplan was opened with ``n`` bundles (double-clicked), none of them a
        setup bundle: said what becomes of them, and how to go on (unless a job runs:
        its line is the one to read). Said nothing, a data bundle double-clicked
        showed this dialog as if no file had been given."""
        if self._is_busy:
            return

        def bundles_wait() -> str:
            return counted(
                "{n} bundle opened with fieldplan is not a setup bundle: it is imported "
                "once this computer is set up. To set up an office, choose the setup "
                "bundle headquarters sent.",
                "{n} bundles opened with fieldplan are not setup bundles: they are "
                "imported once this computer is set up. To set up an office, choose the "
                "setup bundle headquarters sent.", n)

        self._bundles_wait = bundles_wait
        self._say(bundles_wait)

    def _busy(self, busy: bool, text: Callable[[], str] | None = None) -> None:
        """The ways in disabled while a job runs (``busy``), ``text`` said under them.
        The focus goes to that line meanwhile: a disabled button passes the focus to
        the next, and the last passed it to Cancel, which Space then pressed (fieldplan
        quit at a failed setup). Then back to where it was, or to the line when it
        says why the job failed."""
        self._is_busy = busy
        self._say(text)
        if busy:
            self._focus_before = self.focusWidget()  # (the dialog's, active or not)
            self.message.setFocus(Qt.FocusReason.OtherFocusReason)
        for b in (self.restore_button, self.given_button, self.setup_button, self.hq_button,
                  self.demo_button, self.language):
            if b is not None:
                b.setEnabled(not busy)
        if not busy:
            before, self._focus_before = self._focus_before, None
            if text is not None:
                self.message.setFocus(Qt.FocusReason.OtherFocusReason)
            elif before is not None and before.isEnabled():
                before.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: Callable[[], str] | None) -> None:
        """Show ``text()`` under the ways in (None: nothing, the line hidden, and no
        stop for Tab: an empty line left a band of its height above Cancel)."""
        self._said = text
        self.message.setText(text() if text is not None else "")
        self.message.setFocusPolicy(Qt.FocusPolicy.StrongFocus if text is not None
                                    else Qt.FocusPolicy.NoFocus)
        self.message.setVisible(text is not None)  # (in the dialog: not a window)

    def _run(self, fn: Callable[[], Any], path: Path,
             undo: Callable[[Any], None] | None = None) -> None:
        """Run ``fn`` (it makes the database at ``path``) off the GUI thread, then open
        ``path``. ``undo(result)``: removes what ``fn`` made, when Cancel was pressed
        meanwhile (none: what it made is kept, whole)."""
        self._busy(True, lambda: _("Preparing the database…"))
        self._undo = undo
        self.notices = []  # (those of a set-up undone since are not this one's)

        def done(result) -> None:
            self._job = None
            if self._stopping:
                if undo is not None:
                    try:
                        undo(result)
                    except Exception as exc:  # (kept whole: opened as made next time)
                        print(error_text(exc), file=sys.stderr)
                super(FirstRunDialog, self).reject()
                return
            self._busy(False)
            emit(self.database_did_open, str(path))
            self.accept()

        def failed(error: BaseException) -> None:
            self._job = None
            if self._stopping:  # (nothing made: the core removed what it began)
                super(FirstRunDialog, self).reject()
                return
            from fieldplan.errors import KeptBackupsError

            found = self._found
            if isinstance(error, KeptBackupsError) and found is not None \
                    and not found.backups:
                # the core found backups where the dialog saw none (no backups folder
                # when it opened): being checked, as said (not "none of these can be
                # restored (see above)", with nothing above, until the look answered)
                self._found = None
                self._rebuild()
            # said again as the dialog changes (a change of language, the backups
            # checked): in the words of what it shows then (the Restore button)
            self._busy(False, lambda: first_run_error_text(error, self._restore_shown()))
            # what failed may have changed the backups (a restore, a set-up that wrote
            # in their folder): looked at again, said if they did
            self._look()

        self._job = OneShot(fn, done, failed, self)

    def reject(self) -> None:
        """Cancel, Escape or the window's close button: fieldplan ends. While a job
        makes the database, it ends only once the job has (its thread stopped with the
        process running it aborted the process, and left a database half made), and
        a database made for nothing is removed (``_run``'s ``undo``): the dialog says
        so meanwhile, its Cancel disabled."""
        if self._job is None:
            super().reject()
            return
        if self._stopping:
            return
        self._stopping = True
        self.cancel_button.setEnabled(False)
        if self._undo is not None:
            self._say(lambda: _("Stopping: the new database is removed once it is made, "
                                "then fieldplan closes…"))
        else:
            self._say(lambda: _("Stopping: fieldplan closes once the database is "
                                "ready…"))
        self.message.setFocus(Qt.FocusReason.OtherFocusReason)

    def wait_for_job(self) -> None:
        """(the client ending otherwise) Wait for the job under way to end: what it
        makes is then whole, never half made."""
        if self._job is not None:
            self._job.worker.stop()

    def choose_setup(self) -> QFileDialog:
        return choose_setup_bundle(self, self.setup_from)

    def setup_from(self, setup_file: str) -> None:
        path = self.db_path

        def make() -> str:
            from fieldplan.sync import init_from_setup

            with init_from_setup(path, setup_file) as rep:
                made = rep.replica_id
                self.notices = list(rep.take_notices())
            self.used = setup_file
            return made

        self._run(make, path, undo=lambda made: _remove_new(path, made))

    def restore(self) -> None:
        from fieldplan.store import restore_latest_backup

        path = self.db_path
        self._run(lambda: restore_latest_backup(path), path)

    def create_hq(self) -> None:
        path = self.db_path

        def make() -> str:
            from fieldplan.replica import init_hq

            with init_hq(path) as rep:
                return rep.replica_id

        self._run(make, path, undo=lambda made: _remove_new(path, made))

    def open_demo(self) -> None:
        path, asked = demo_path(), self.db_path

        def make() -> Path:
            made = make_demo_database(path)
            # another database than the one asked for, unless that is the demo's own
            # file: looked at here, off the GUI thread (a look at a path on a drive
            # that hangs froze the dialog as the demo opened)
            self.elsewhere = not same_file(path, asked)
            return made

        self._run(make, path)


def _remove_new(path: Path, replica_id: str) -> None:
    """Remove the database the first run just made at ``path`` (``replica_id``'s), the
    person having cancelled while it was made."""
    from fieldplan.replica import remove_new_database

    remove_new_database(path, replica_id)


def choose_setup_bundle(parent: QWidget, chosen) -> QFileDialog:
    """The file chooser for a setup bundle, open, in Downloads (where a bundle sent by
    email lands), else Documents: not the folder fieldplan was started from;
    ``chosen(path)`` once one is chosen."""
    dialog = file_dialog(parent, _("Choose the setup bundle"), downloads_dir())
    dialog.setObjectName("choose-setup-dialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    # as the import's chooser: a setup bundle written or sent as "ML.zip" is one (the
    # core reads it by its content), and it was not shown; nor one a mail program saved
    # with one more ending ("ML-setup.fieldplan.bin")
    # Translators: a file chooser's type; keep the patterns in brackets as they are
    set_name_filters(dialog, [_("fieldplan bundles (*.fieldplan *.zip *.fieldplan.*)"),
                              _("All files (*)")])
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


def _intro_label(text: str) -> QLabel:
    """A part of the first-run text around the database's path (hidden if empty)."""
    label = WrappedLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if not text:
        label.hide()  # (never setVisible(True) here: it has no parent yet)
    return label


class CannotOpenDialog(QDialog):
    """The database would not open: why, and a way back from the latest backup.
    ``busy``: another connection holds it (closing the other fieldplan may free it).
    The backups are checked on a thread of their own (``checking``), then the restore
    is offered (``backups_were_checked``).

    ``backups``: those of the database, or None to have them listed on that thread
    too (it opens each one: a folder on a slow USB stick or network drive held the
    dialog back, the client frozen); ``without_backups`` is then the reason to give
    instead of ``reason`` when none is found (the core's next step, at an office a new
    setup bundle), ``reason`` meanwhile."""

    database_did_open = Signal(str)
    backups_were_checked = Signal()

    def __init__(
        self, db_path: Path, reason: str, backups: Sequence[Path] | None,
        parent: QWidget | None = None, *, busy: bool = False,
        without_backups: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.setObjectName("cannot-open")
        self.setWindowTitle(_("The database cannot be opened"))
        self._job: OneShot | None = None
        self._without_backups = without_backups
        lay = QVBoxLayout(self)
        self.text = text = PlainLabel(self._reason_text(reason))  # paths: as written
        lay.addWidget(text)
        self.restore_button = QPushButton(_("&Restore the latest backup"))
        self.restore_button.setEnabled(False)  # (until a backup is found usable)
        self._busy = busy
        #: to be listed (None: on the check's thread), then as listed there
        self.backups: tuple[Path, ...] | None = None if backups is None else tuple(backups)
        #: the backups are being checked (``_checked``): the restore is offered after
        self._checking = backups is None or bool(backups)
        self.note = note = WrappedLabel("")
        note.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(note)
        note.hide()  # (until there is something to say: ``_checked``)
        self.checking_bar: QProgressBar | None = None
        if self._checking:
            self.checking_bar = checking_bar(_("Checking the backups…"))
            lay.addWidget(self.checking_bar)
        lay.addWidget(self.restore_button)
        #: what the restore is doing, or why it failed: the focus goes there (``restore``)
        self.message = detail_label("cannot-open-message")
        lay.addWidget(self.message)
        self._tell("")  # (until it says something: no empty line under the restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        # (a disabled Restore passed the focus to Close, which Enter then pressed)
        not_default(self.close_button)
        lay.addWidget(buttons)
        self.restore_button.clicked.connect(self.restore)
        if self._checking:
            # the check reads whole files (11 s for a headquarters of a million
            # events): on a thread of its own, said meanwhile, with the focus, to be
            # read out (not on Close, which Space would press)
            self._tell(_("Checking the backups…"))
            check_off_thread(self, self.db_path, self._checked, self.backups)
        else:
            self._checked(BackupsFound())
        size_to_content(self, 560)

    def _reason_text(self, reason: str) -> str:
        """The dialog's first words: why the database did not open (``reason``)."""
        path = str(self.db_path)
        # the paths in the core's message kept whole, so that an Arabic one that
        # starts with a path still reads right to left; and the command of the next
        # step ("fieldplan --db NEW.sqlite3 init …") kept in its order. (The backups
        # folder named as the store names it, without reading the disk for it: a
        # hung network drive answers no look at a path, ``store.backup_dir``'s too)
        folder = str(Path(os.path.abspath(path)).parent / "backups")
        shown = isolated_codes(isolated_paths(reason, (path, folder)))
        # "… is not a usable fieldplan database": the path once (an Arabic message
        # names it as one unit, ``i18n.ltr``: its Arabic folder names isolated in it)
        if path in without_marks(reason):
            return sentence(shown)
        return _("fieldplan could not open {path}:\n{reason}").format(
            path=isolated(path), reason=shown)

    def checking(self) -> bool:
        """Whether the backups are being checked (the restore not offered yet)."""
        return self._checking

    def _tell(self, text: str) -> None:
        """Say ``text`` under the Restore button, with the focus, to be read out; or,
        with "", nothing: the line hidden (it left an empty band of a line's height
        under the button) and no stop for Tab."""
        said = bool(text)
        self.message.setText(text)
        self.message.setFocusPolicy(Qt.FocusPolicy.StrongFocus if said
                                    else Qt.FocusPolicy.NoFocus)
        self.message.setVisible(said)  # (in the dialog: not a window of its own)
        if said:
            self.message.setFocus(Qt.FocusReason.OtherFocusReason)

    def _checked(self, found: BackupsFound) -> None:
        """Offer the backup a restore would put back (``found.usable``, with when it
        was taken, as the check found it), or say why none can be (``found.error``),
        or, with no backups, what is left to do."""
        was_checking, self._checking = self._checking, False
        if self.checking_bar is not None:
            self.checking_bar.hide()
        if self.backups is None:  # (listed by the check)
            self.backups = found.backups
        backups = self.backups
        usable, error = found.usable, found.error
        if usable is not None:
            stamp = _when_taken(usable, found.taken)
            self.restore_button.setText(_("&Restore the latest backup ({when})").format(when=stamp))
            self.restore_button.setEnabled(True)
            hint = _("The damaged file is kept beside it, its name ending in .damaged. "
                     "The restored database continues as a new replica of this computer; "
                     "the status bar then says what it could not get back.")
        elif backups:
            why = (why_not_restorable(self.db_path, backups, error, found.folder)
                   if error else "")
            hint = _("No backup of this database can be restored: {reason}.").format(
                reason=why)
        else:
            # no backup to offer: the reason says what is left to do (the core's next
            # step for a damaged file; for a busy one, the other fieldplan to close)
            self.restore_button.hide()
            if found.unreadable is not None:  # (not "no backup": perhaps there are)
                hint = unreadable_text(found)
            else:
                if self._without_backups is not None:
                    self.text.setText(self._reason_text(self._without_backups))
                hint = (_("If another fieldplan is running, close it and try again.")
                        if self._busy else "")
        self.note.setText(hint)
        self.note.setVisible(bool(hint))  # (in the dialog: not a window of its own)
        if was_checking:
            # the person who went on to Close meanwhile chose it: it keeps the focus
            # (taken by the restore, Space pressed Restore instead of Close)
            had_focus = self.focusWidget() in (self.message, None)
            self._tell("")
            if had_focus:  # (not moved by the person meanwhile)
                target = self.restore_button if usable is not None else self.text
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            size_to_content(self, max(self.width(), 560))
            emit(self.backups_were_checked)

    def restore(self) -> None:
        from fieldplan.store import restore_latest_backup

        path = self.db_path
        # said, and given the focus before Restore is disabled (which would pass it on
        # to Close)
        self._tell(_("Preparing the database…"))
        self.restore_button.setEnabled(False)

        def done(_used) -> None:
            emit(self.database_did_open, str(path))
            self.accept()

        def failed(error: BaseException) -> None:
            self._tell(error_sentence(error))
            # the error may say what to do first ("close it, then restore"): then try
            # again, without closing this dialog
            self.restore_button.setEnabled(True)

        self._job = OneShot(lambda: restore_latest_backup(path), done, failed, self)

    def wait_for_job(self) -> None:
        """(the client ending: Close pressed while a restore ran) Wait for the restore
        to end: the database it puts back is then whole."""
        if self._job is not None:
            self._job.worker.stop()


def not_default(button: QPushButton) -> None:
    """A dialog's button that Enter never presses (Space does, when it has the focus):
    one that closes the dialog, or quits, where the focus may land."""
    button.setAutoDefault(False)
    button.setDefault(False)


#: what the first-run dialog shows of a restore (``FirstRunDialog._restore_shown``)
RESTORE_OFFERED, RESTORE_CHECKING, RESTORE_NONE = "offered", "checking", "none"


def first_run_error_text(error: BaseException, restore: str = RESTORE_OFFERED) -> str:
    """Why a new database could not be made, in the client's words: the core's
    messages for a key file left without its database speak of the command line
    (--db, 'fieldplan restore'): this screen has its own buttons. ``restore``: what
    the screen shows of a restore now (its button, not yet, none), which the words
    about it match."""
    from fieldplan.errors import KeptBackupsError, LoneKeyFileError, UnreadableBackupsError
    from fieldplan.replica import ROLE_HQ

    if isinstance(error, KeptBackupsError):
        # this screen offers the backup (its Restore button), not the command line's;
        # a button it does not show yet, or will not, is not called "above"
        key = isolated(error.key_path)
        if restore == RESTORE_CHECKING:
            return _("The key file {path} and the backups of this database are still "
                     "here: restore the latest backup instead of starting again. The "
                     "button to restore it appears above once the backups are "
                     "checked.").format(path=key)
        if restore == RESTORE_NONE:
            return _("The key file {path} and the backups of this database are still "
                     "here, and none of these backups can be restored (see above). To "
                     "start again all the same, first move the key file away (do not "
                     "delete it): it is this computer's identity.").format(path=key)
        return _("The key file {path} and the backups of this database are still here: "
                 "restore the latest backup (the button above) instead of starting "
                 "again.").format(path=key)
    if isinstance(error, UnreadableBackupsError):
        # not "no backup of it here": the folder could not be looked in
        from fieldplan.files import os_error_reason

        return _("The key file {path} is this computer's identity, and the database it "
                 "belonged to is gone. Its backups folder {folder} cannot be read: "
                 "{reason}. Once it can be, start fieldplan again to restore the latest "
                 "backup, if there is one, instead of making a new database.").format(
                     path=isolated(error.key_path), folder=isolated(error.folder),
                     reason=os_error_reason(error.unreadable))
    if not isinstance(error, LoneKeyFileError):
        return error_sentence(error)
    key = isolated(error.key_path)
    if error.role == ROLE_HQ:
        return _("The key file {path} is this computer's identity, and the database it "
                 "belonged to is gone with no backup of it here: put that database back. "
                 "A new headquarters would have a new key, and every office would have to "
                 "be set up again; to create one anyway, first move the key file away (do "
                 "not delete it).").format(path=key)
    return _("The key file {path} is this computer's identity, and the database it "
             "belonged to is gone with no backup of it here. If this computer's data was "
             "sent to headquarters, move the key file away (do not delete it), then set "
             "this office up from a new setup bundle headquarters sends you. If it was "
             "not, put that database back.").format(path=key)


def is_setup_bundle(path: str) -> bool:
    """``path`` is a setup bundle (its manifest says so; its events are not read)."""
    try:
        from fieldplan.bundle import open_bundle
        from fieldplan.sync.exchange import KIND_SETUP

        with open_bundle(path, check_events=False) as b:
            return b.manifest.get("kind") == KIND_SETUP
    except Exception:  # not a bundle, not readable: not one to set an office up from
        return False


class BackupsFound(NamedTuple):
    """What a look at a database's backups found (``check_backups``, off the GUI
    thread: it reads the folder and whole files), kept by a dialog to say it again (a
    change of language) without reading them again."""

    #: the backups of the database, newest first (``store.list_backups``)
    backups: tuple[Path, ...] = ()
    #: the one a restore would put back (None: none can be, ``error`` says why)
    usable: Path | None = None
    #: when ``usable`` was taken (``backup_time_of``; None: not known)
    taken: dt.datetime | None = None
    #: why no backup can be restored, its messages kept to be said again in another
    #: language (``why_not_restorable``)
    error: BaseException | None = None
    #: the backups folder (``store.backup_dir``), which ``why_not_restorable`` names
    folder: Path | None = None
    #: why the backups folder, there, could not be read (permission denied, a disk
    #: fault), none listed: said (``unreadable_text``), not taken for no backups
    unreadable: OSError | None = None

    def shown(self) -> tuple:
        """What a dialog shows of it: two looks that show the same need not make the
        dialog again."""
        if self.unreadable is not None:
            return ("unreadable", self.folder, type(self.unreadable),
                    self.unreadable.errno)
        if not self.backups:
            return ()
        error = self.error
        return (self.backups, self.usable, self.taken,
                None if error is None else (type(error), str(error)))


def check_backups(db_path: Path, backups: Sequence[Path] | None = None) -> BackupsFound:
    """(off the GUI thread: it reads the backups folder, and the whole file of each
    backup it looks at) The backups of the database (``backups``, when the caller has
    them already), the one a restore would put back (``store.usable_backup``: the
    newest file of the backups folder that is a backup of this computer's database,
    passing over the others) and when it was taken, or why none can be: the error,
    its messages kept to be said again in another language (``why_not_restorable``)."""
    from fieldplan.store import backup_dir, backups_unreadable, list_backups, usable_backup

    folder = backup_dir(db_path)
    listed = tuple(list_backups(db_path) if backups is None else backups)
    if not listed and backups is None:
        # (the store lists an unreadable folder as empty: a person is told why)
        unreadable = backups_unreadable(db_path)
        if unreadable is not None:
            return BackupsFound(folder=folder, unreadable=unreadable)
    try:
        usable = _kept(lambda: usable_backup(db_path))[0]
    except Exception as exc:  # (the store's, or another: why none can be restored)
        exc.__traceback__ = None  # (its frames are of no use to the dialog)
        return BackupsFound(listed, error=exc, folder=folder)
    return BackupsFound(listed, usable, backup_time_of(usable), folder=folder)


def unreadable_text(found: BackupsFound, *, first_run: bool = False) -> str:
    """Why the backups folder could not be read (``found.unreadable``) and what to
    do, in the language now in use, its path kept whole; ``first_run``: the first-run
    dialog's words around the database's path ("{path}" left in them)."""
    from fieldplan.files import os_error_reason

    assert found.unreadable is not None
    reason = os_error_reason(found.unreadable)
    folder = str(found.folder or found.unreadable.filename or "")
    if first_run:
        text = _("There is no fieldplan database in this file:\n{path}\nIts backups "
                 "folder {folder} cannot be read: {reason}. Once it can be, start "
                 "fieldplan again to restore a backup, if there is one; or start another "
                 "way.")
    else:
        text = _("The backups folder {folder} cannot be read: {reason}. Once it can be, "
                 "start fieldplan again to restore a backup, if there is one.")
    return isolated_paths(text.replace("{folder}", folder).replace("{reason}", reason),
                          [folder])


def why_not_restorable(db_path: Path, backups: Sequence[Path], error: BaseException,
                       folder: Path | None = None) -> str:
    """Why no backup can be restored (``check_backups``' error), in the language now
    in use, its paths kept whole. ``folder``: the backups folder, as the look found it
    (else found here: on the GUI thread, that reads the disk)."""
    from fieldplan.errors import NoUsableBackupError
    from fieldplan.store import backup_dir

    if isinstance(error, NoUsableBackupError):
        # each file with its fault, named by its name in the folder the sentence
        # speaks of (one file: by its whole path); or the folder ("every backup in …")
        names = [str(b) for b in backups] + [b.name for b in backups] + [
            str(folder if folder is not None else backup_dir(db_path))]
        return isolated_paths(said_again(error.faults_text), names)
    return isolated_paths(error_text(error), [str(b) for b in backups])


def check_off_thread(
    dialog: QWidget, db_path: Path, done: Callable[[BackupsFound], None],
    backups: Sequence[Path] | None = None,
) -> OffThread:
    """``check_backups(db_path, backups)`` on a thread of its own (it reads whole
    files: 11 s for a headquarters of a million events, which froze the dialog as it
    opened; and the folder, which a slow USB stick or network folder holds up), then
    ``done(found)`` on the GUI thread, unless ``dialog`` is gone by then. The check
    only reads: quitting meanwhile does not wait for it."""
    import shiboken6

    from ui.ops import OffThread

    given = None if backups is None else tuple(backups)

    def answered(found: BackupsFound) -> None:
        if shiboken6.isValid(dialog):
            done(found)

    def failed(error: BaseException) -> None:  # (the folder could not be listed)
        if shiboken6.isValid(dialog):
            done(BackupsFound(given or (), error=error))

    return OffThread(lambda: check_backups(db_path, given), answered, failed,
                     name="fieldplan-backup-check", daemon=True)


def checking_bar(text: str) -> QProgressBar:
    """A busy bar, named ``text``, while the backups are checked."""
    bar = QProgressBar()
    bar.setObjectName("backup-check")
    bar.setRange(0, 0)  # no steps to count: busy
    bar.setTextVisible(False)
    bar.setAccessibleName(text)
    return bar


def backup_time_of(path: Path) -> dt.datetime | None:
    """(off the GUI thread: it may read the file's time) When the backup was taken:
    from its name (copying the folder to another laptop changes the files' times), as
    the status says it after the restore; else (a backup given by another name) its
    file's time; None when that cannot be read."""
    from fieldplan.store import backup_taken

    taken = backup_taken(path)
    if taken is not None:
        return taken
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except (OSError, ValueError, OverflowError):
        return None


def _when_taken(path: Path, taken: dt.datetime | None) -> str:
    """When the backup ``path`` was taken (``taken``, as ``backup_time_of`` found
    it), as the restore button says it; its name when that is not known."""
    return time_text(taken) if taken is not None else path.name


def _backup_time(path: Path) -> str:
    """When the backup was taken (``backup_time_of``: it may read the file), said."""
    return _when_taken(path, backup_time_of(path))


def same_file(one: Path, other: Path) -> bool:
    """(a look at the disk: off the GUI thread) Whether ``one`` and ``other`` name
    the same file; when either cannot be looked at, whether they are spelled alike."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return Path(os.path.abspath(one)) == Path(os.path.abspath(other))
