"""Moving files: importing bundles (menu or drop, with progress and a per-file
result), exporting to a folder or a removable drive, and preparing one for email."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QMargins,
    QMimeData,
    QSettings,
    QSignalBlocker,
    QStandardPaths,
    QStorageInfo,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldplan.errors import FileError
from fieldplan.i18n import (
    _,
    counted,
    format_number,
    format_period,
    join_clauses,
    join_list,
    ltr,
    ngettext,
    without_mnemonic,
)
from fieldplan.offices import office_name, offices_in_order
from fieldplan.text import fingerprints_breakable, held_fingerprints
from ui.bidi import RLM, code_text, in_layout_direction, isolated, isolated_codes
from ui.bidi_widgets import BidiDelegate
from ui.context import Identity, allow_writes, lang, office_label
from ui.dialogs import (
    FRAME_ROOM,
    add_folder_row,
    after_path_label,
    announce,
    around,
    ask_at,
    downloads_dir,
    file_dialog,
    fit_to_screen,
    path_label,
    said_by,
    say_around_path,
    set_name_filters,
    size_to_content,
    tab_in_layout_order,
)
from ui.models import (
    SORT_ROLE,
    import_reason,
    is_own_setup_bundle,
    is_setup_bundle,
    outcome_count_label,
    outcome_label,
    plan_changes_lines,
    setup_bundle_office,
    shown_office,
    unread_office_line,
)
from ui.ops import DbOp, OffThread, Session, error_sentence, error_text, sentence
from ui.path_label import PlainLabel
from ui.plain_text import tip_text
from ui.qtcompat import emit
from ui.window_settings import set_value
from ui.wrapped_label import WrappedLabel

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ui.dialogs import ConfirmDialog

SUFFIX = ".fieldplan"
#: The outcome of a file the user cancelled before it was merged (not a core outcome).
CANCELLED = "cancelled"
#: (not a core outcome) the database could not take this file or one before it
STOPPED = "stopped"
#: Where removable media are mounted on Linux.
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/")
#: Where bundles were last chosen for import, and last exported to "A folder…"
#: (QSettings keys)
IMPORT_FOLDER_KEY = "bundles/import-folder"
EXPORT_FOLDER_KEY = "bundles/export-folder"


def export_menu() -> str:
    """Where a bundle is exported from, as a person reads it in the window: the File
    menu's export action (its own words)."""
    from fieldplan.i18n import menu_path

    return menu_path(_("&File"), _("&Export…"))


def import_menu() -> str:
    """Where bundles are imported from, as a person reads it in the window: the File
    menu's import action (its own words)."""
    from fieldplan.i18n import menu_path

    return menu_path(_("&File"), _("&Import bundles…"))


def dropped_files(mime: QMimeData) -> tuple[list[str], int]:
    """The files a drop brings to import (``files_dropped``, of the drop's local
    paths). Reads the disk: off the GUI thread (``look_into_drop``)."""
    return files_dropped(_local_paths(mime))


def files_dropped(paths: list[str]) -> tuple[list[str], int]:
    """(off the GUI thread) The files dropped ``paths`` bring to import: every file
    dropped, whatever its name (the core says of each whether it is a bundle: a
    renamed "UG.zip" is one), and the ``.fieldplan`` and ``.zip`` files directly in a
    dropped folder (a USB stick's folder of bundles;
    ``fieldplan.transit.folder_bundles``) in name order; and how many other files
    those folders hold, left aside (a system's not counted: hidden ones, desktop.ini;
    ``fieldplan.transit.system_file``)."""
    from fieldplan.transit import UNPACKED_MEMBERS, folder_bundles, unpacked_bundle

    out, left_aside = [], 0
    for path in paths:
        if os.path.isdir(path):
            with contextlib.suppress(OSError):
                # the rules of 'fieldplan import FOLDER' (one function for both)
                taken, others = folder_bundles(path)
                out.extend(taken)
                if not taken and unpacked_bundle(path):
                    # a bundle unpacked as a ZIP archive: its manifest, refused with
                    # what it is and where the bundle is, not three files left aside
                    members = [m for m in UNPACKED_MEMBERS
                               if os.path.isfile(os.path.join(path, m))]
                    out.append(os.path.join(path, UNPACKED_MEMBERS[0]))
                    others -= len(members)
                left_aside += others
        elif os.path.exists(path):
            out.append(path)
    return out, left_aside


def look_into_drop(mime: QMimeData,
                   found: Callable[[tuple[list[str], int]], None]) -> None:
    """``found(files_dropped(...))`` of what ``mime`` drops, once it is known. Each
    dropped folder is listed and each file's kind asked of the disk on a thread of
    its own: on a slow USB stick, one of thousands of photos, or a share out of
    reach, the window froze until the listing ended. A look that fails finds
    nothing."""
    paths = _local_paths(mime)  # (read now: the drop's data is gone once it returns)
    OffThread(lambda: files_dropped(paths), found, lambda _error: found(([], 0)),
              name="fieldplan-drop", daemon=True)


def droppable(mime: QMimeData) -> bool:
    """Whether a drag carries files or folders, of whatever names: told from the
    drag's addresses alone. A drag over the window asks this at every move, on the
    GUI thread: a look at the drive (whether the files were there) froze the window
    and the drag for as long as a slow USB stick or a stalled network drive took to
    answer. What is not there is said once dropped (``files_dropped``)."""
    return bool(_local_paths(mime))


def _local_paths(mime: QMimeData) -> list[str]:
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


# --- import --------------------------------------------------------------------------


#: how long the import chooser waits, at most, to open in the folder last chosen from:
#: looked at off the GUI thread, where a USB stick pulled out or a network share out
#: of reach can hang; past this it opens in Downloads, as for a folder gone
FOLDERS_LOOK_MS = 400


def choose_and_import(session: Session, parent: QWidget,
                      settings: QSettings | None = None) -> QFileDialog:
    """The file chooser for bundles to import, in the folder they were last chosen
    from (else Downloads, where a bundle sent by email lands, as the setup bundle's
    chooser: not the folder fieldplan was started from); the files chosen
    are imported (``import_files``). Whether the folders kept are still there is
    looked at off the GUI thread (``_look_at_folders``)."""
    dialog = file_dialog(parent, _("Import bundles"), downloads_dir())
    dialog.setObjectName("import-files-dialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    # a bundle saved as "UG.zip" (or renamed) is one too: the core reads it by content;
    # and one a mail program saved with one more ending ("UG.fieldplan.bin"), which a
    # dropped folder takes (``fieldplan.transit.taken_from_folder``), was not shown
    # Translators: a file chooser's type; keep the patterns in brackets as they are
    set_name_filters(dialog, [_("fieldplan bundles (*.fieldplan *.zip *.fieldplan.*)"),
                              _("All files (*)")])
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen(files: list[str]) -> None:
        if settings is not None and files:
            set_value(settings, IMPORT_FOLDER_KEY, str(Path(files[0]).parent))
        import_files(session, parent, list(files))

    dialog.filesSelected.connect(chosen)
    kept = [str(settings.value(key, "") or "") if settings is not None else ""
            for key in (IMPORT_FOLDER_KEY, EXPORT_FOLDER_KEY)]
    if any(kept):
        _look_at_folders(dialog, *kept)
    else:
        dialog.open()
    return dialog


def _folders_there(*folders: str) -> tuple[str, ...]:
    """(off the GUI thread) Each of ``folders`` while it is there, else ""."""
    return tuple(f if f and os.path.isdir(f) else "" for f in folders)


def _look_at_folders(dialog: QFileDialog, imported: str, exported: str) -> None:
    """Open ``dialog`` in ``imported`` (the folder bundles were last chosen from) and
    offer ``exported`` (the folder last exported to) among its places, each while it is
    there. Both are looked at off the GUI thread: on a USB stick pulled out or a
    network share out of reach, a look can hang for seconds or for good, and the
    window froze as the chooser opened. The chooser opens once they answer, or after
    ``FOLDERS_LOOK_MS`` in Downloads (a folder offered among its places when it
    answers later)."""

    opened = []

    def open_now() -> None:
        if not opened and shiboken6.isValid(dialog):
            opened.append(True)
            dialog.open()

    def answered(there: tuple[str, str]) -> None:
        if not shiboken6.isValid(dialog):
            return
        folder, place = there
        if folder and not opened:
            dialog.setDirectory(folder)
        if place:
            # the folder last exported to, one click away: headquarters' reply comes
            # back on the USB stick the office's bundle went on, which the chooser (in
            # Downloads) had only under Computer ▸ media ▸ … (a system's own dialog has
            # no such list: unused)
            places = dialog.sidebarUrls()
            url = QUrl.fromLocalFile(place)
            if url not in places:
                dialog.setSidebarUrls([*places, url])
        open_now()
        if place:
            _sidebar_fits(dialog)

    OffThread(lambda: _folders_there(imported, exported), answered, lambda _e: open_now(),
              name="fieldplan-import-folders", daemon=True)
    QTimer.singleShot(FOLDERS_LOOK_MS, dialog, open_now)


def _sidebar_fits(dialog: QFileDialog) -> None:
    """Qt's own chooser: its places as wide as their names, within a third of it (the
    folder last exported to showed "ieldplan", cut, in Arabic)."""
    from PySide6.QtWidgets import QListView, QSplitter

    sidebar = dialog.findChild(QListView, "sidebar")
    splitter = dialog.findChild(QSplitter, "splitter")
    if sidebar is None or splitter is None or not sidebar.isVisible():
        return  # (a system's own dialog)
    sizes = splitter.sizes()
    if len(sizes) != 2:
        return
    wanted = (sidebar.sizeHintForColumn(0) + 2 * sidebar.frameWidth()
              + sidebar.verticalScrollBar().sizeHint().width())
    width = min(max(sizes[0], wanted), sum(sizes) // 3)
    splitter.setSizes([width, sum(sizes) - width])


#: Progress steps per file: the bar moves inside a big bundle too.
STEPS_PER_FILE = 1000


def import_files(session: Session, parent: QWidget, paths: list[str],
                 left_aside: int = 0) -> None:
    """Import files one after the other on the worker, with a progress dialog, then
    show what became of each (and, ``left_aside``, how many files of dropped folders
    were not taken: see ``dropped_files``).

    Cancelling stops at the next batch of events: the file being merged is rolled
    back (its import is one transaction) and the files after it are not opened; the
    files merged before it stay merged, each a whole, checked bundle. The result
    dialog says which is which.
    """
    paths = list(paths)

    def run(rep, progress, cancel):
        from fieldplan.errors import FieldplanError
        from fieldplan.sync import ImportOutcome, import_bundle
        from fieldplan.sync.exchange import (
            MergedThenStopped,
            drop_unused_backup,
            import_again,
            note_import_batch,
            retry_waiting,
            settle_other_offices_bundles,
            settle_own_bundles,
            settle_released,
        )

        outcomes = []
        total = len(paths) * STEPS_PER_FILE
        stopped = False
        # one backup for the lot (one a file would push every older backup out)
        made = rep.backup("before-import")
        for i, path in enumerate(paths):
            name = Path(path).name
            if stopped:
                outcomes.append(ImportOutcome(name, STOPPED))
                continue
            if cancel():
                outcomes.append(ImportOutcome(name, CANCELLED))
                continue
            if len(paths) > 1:
                # which of how many: 57 bundles at headquarters said only the file, and
                # the percentage, with no word of how far along the lot was
                # Translators: the import's progress, several files chosen; {number} is
                # the file's place in the lot, {count} how many files there are
                label = _("Importing {number} of {count}: {file}…").format(
                    number=format_number(i + 1), count=format_number(len(paths)),
                    file=isolated(name))
            else:
                label = _("Importing {file}…").format(file=isolated(name))
            start = i * STEPS_PER_FILE
            progress(start, total, label)

            def within(done: int, of: int, _word: str, start=start, label=label) -> None:
                step = STEPS_PER_FILE * min(done, of) // of if of > 0 else 0
                progress(start + step, total, label)

            try:
                outcomes.append(import_bundle(rep, path, name=name, progress=within,
                                              cancel=cancel, backup=False))
            except MergedThenStopped as exc:
                # merged, and what had to follow failed (its outcome says what): the
                # files after it are not opened
                outcomes.append(exc.outcome)
                stopped = True
            except FieldplanError as exc:
                if cancel():
                    # the core stopped on our cancel and rolled this file back
                    outcomes.append(ImportOutcome(name, CANCELLED))
                else:
                    # the database could not take it (a full disk): rolled back; the
                    # files before it stay, the ones after it are not opened
                    drop_unused_backup(made, outcomes, exc)
                    outcomes.append(ImportOutcome(name, STOPPED, error_text(exc)))
                    stopped = True
            except OSError as exc:
                reason = _("cannot read: {error}").format(error=exc.strerror or exc)
                outcomes.append(ImportOutcome(name, "rejected", reason))
        if not stopped and not cancel():
            # a revoked computer's earlier bundle, chosen with a later one
            retry_waiting(outcomes, lambda i: import_again(
                rep, paths[i], outcomes[i], cancel, name=Path(paths[i]).name))
        # its own bundle says what headquarters' revoking one, later in the lot, made
        # of it (as it does when that one came first)
        settle_released(outcomes)
        settle_own_bundles(rep, outcomes)
        settle_other_offices_bundles(rep, outcomes)
        if not stopped:
            # the status bar's "Last import" says the lot, not its last file's outcome
            note_import_batch(rep, outcomes)
        progress(total, total, "")
        # old backups removed to make room; what the locks received leave stuck here,
        # and the drafts they leave unsubmitted
        return (outcomes, rep.take_notices(), *stuck_by_locks(rep, outcomes),
                setup_to_set_up_again(rep, paths, outcomes))

    # closing the window meanwhile does not cut the files short: no window would say so
    DbOp(session, parent, run).with_progress().finish_on_close().success(
        lambda result: _imported(session, parent, *result, left_aside=left_aside)
    ).failure(lambda e: _import_failed(session, parent, e)).run()


def _import_failed(session: Session, parent: QWidget, error: BaseException) -> None:
    """An import that ended on an error: said in one line, and every view read again.
    The files merged before the error stay merged (each its own transaction): the
    Overview, the Reports and the status bar still showed the database as it was
    before them, "no report" for an office whose reports were there."""
    from fieldplan.replica import EVERYTHING

    emit(session.changes_did_happen, EVERYTHING)
    _show_message(parent, _("Import"), error_sentence(error))


def setup_to_set_up_again(rep, paths: list[str], outcomes: list) -> str:
    """(worker) A setup bundle among the files, refused as one (it is no data to
    import), on a computer whose key headquarters revoked: the bundle to set it up
    again from, which the window then offers ("" when there is none)."""
    from fieldplan.i18n import message_record
    from fieldplan.status import key_revoked
    from fieldplan.sync.exchange import SETUP_BUNDLE_REASON

    for path, o in zip(paths, outcomes, strict=False):
        if o.outcome != "rejected":
            continue
        record = message_record(o.reason)
        if (record or {}).get("id") == SETUP_BUNDLE_REASON or o.reason == _(
                SETUP_BUNDLE_REASON):
            return path if key_revoked(rep) else ""
    return ""


def stuck_by_locks(rep, outcomes: list) -> tuple[list[str], dict[str, int]]:
    """(worker; an office) of the periods the bundles locked, those with reports of
    this office changed after the lock, as ``fieldplan status`` warns of them; and per
    period, this office's other drafts the lock leaves unsubmitted (``locks_note``
    says them, as ``status`` and the dashboard do)."""
    locked = {p for o in outcomes for p in o.locked}
    if not locked or rep.is_hq:
        return [], {}
    from fieldplan.progress import changed_after_lock
    from fieldplan.status import after_lock_lines, drafts_left_by_locks

    changed = changed_after_lock(rep, office=rep.office)
    return (after_lock_lines({p: changed[p] for p in sorted(locked) if p in changed},
                             hq=False),
            drafts_left_by_locks(rep, locked, rep.office, changed))


def _imported(session: Session, parent: QWidget, outcomes: list,
              notices: list[str] = (), stuck: list[str] = (),
              drafts: Mapping[str, int] | None = None, setup: str = "", *,
              left_aside: int = 0) -> None:
    from fieldplan.replica import Changes
    from fieldplan.sync.exchange import each_file

    # (the bundles a key it registered brought out of quarantine too)
    new = sum(o.events_new for o in each_file(outcomes))
    if new:
        # imports change every kind of entity; views refresh what they show
        emit(
            session.changes_did_happen,
            Changes(
                entities=(
                    ("progress", "*"),
                    ("plan", "*"),
                    ("lock", "*"),
                    ("key", "*"),
                    ("inbox", "*"),
                ),
                events=new,
            ),
        )
    elif any(o.outcome == "merged" for o in each_file(outcomes)):
        # a new computer's first bundle carries no event when nothing was typed on it
        # yet, and its key is registered: the Keys page lists it now
        emit(session.changes_did_happen, Changes(entities=(("key", "*"), ("inbox", "*"))))
    else:
        emit(session.changes_did_happen, Changes(entities=(("inbox", "*"),)))
    identity = getattr(parent, "identity", None)
    ImportResultDialog(parent, outcomes, [session.notice_sentence(n) for n in notices],
                       stuck, left_aside=left_aside, drafts=drafts,
                       settles=identity is not None and not identity.is_hq).open()
    offer = getattr(parent, "set_up_again_dialog", None)
    if setup and offer is not None:
        # the setup bundle headquarters sent for this revoked computer: its use here
        offer(setup)


class _WrappedDelegate(BidiDelegate):
    """Reasons wrapped over several lines, with some room above and below them. A key
    fingerprint in one stays on one line (``isolated_codes``) where the column is wide
    enough for it: narrower (the person narrowed the dialog), it wraps rather than be
    cut short."""

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        held = held_fingerprints(option.text)
        if held and option.rect.width() > 0:
            room = option.rect.width() - 2 * cell_text_margin(option.widget)
            if max(option.fontMetrics.horizontalAdvance(f) for f in held) > room:
                option.text = fingerprints_breakable(option.text)

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        return size.grownBy(QMargins(0, 4, 0, 4))


def cell_text_margin(view: QWidget | None) -> int:
    """The margin the style leaves on each side of a cell's text."""
    style = view.style() if view is not None else QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1


class _FileNameDelegate(QStyledItemDelegate):
    """A file name on one line with its middle elided: the office at its start and the
    ``.fieldplan`` at its end stay in sight; the whole name is in the tooltip. (Aligned
    as the layout is, like the inbox's file names.)"""

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideMiddle


#: As wide as the File column grows by itself: a long name the export chose. A longer
#: name (an email attachment saved as "… copy (2).fieldplan") is elided, and no
#: longer pushes Office, Outcome and Details off the dialog.
WIDEST_FILE_NAME = "HQ-to-RO-XXXX-88aa0011-1000-2000_2.fieldplan"
#: As wide as a key fingerprint is drawn ("D" is the widest of its digits), held on
#: one line in the import result's details
WIDEST_FINGERPRINT = "\u00a0".join(["DDDD"] * 10)
#: How many average characters the import result's Details column keeps at the least
#: when the screen has room (a reason wraps over a few lines, not a word a line).
DETAILS_CHARS = 45
#: The fewest characters a line of the import result's Details column keeps in a
#: narrow dialog: narrower, the files' lines are stacked in one column instead
NARROW_DETAILS_CHARS = 20
#: A bundle's name as the export gives it, as wide as the File column needs to be
ORDINARY_FILE_NAME = "ML-88aa0011-1-60.fieldplan"
#: The import result is 360 pixels high for up to this many files (as many rows as
#: that shows); for more, a row's height taller each, up to TALLEST_RESULT (and the
#: screen's height)
ROWS_IN_SHORT_RESULT = 7
TALLEST_RESULT = 800


class ImportResultDialog(QDialog):
    """One row per file: outcome and reason; above them, what else the person should
    know (late data, old backups removed to make room)."""

    def __init__(self, parent: QWidget | None, outcomes: list,
                 notices: list[str] | tuple[str, ...] = (),
                 stuck: list[str] | tuple[str, ...] = (), *, left_aside: int = 0,
                 drafts: Mapping[str, int] | None = None, settles: bool = False) -> None:
        """``settles``: this computer settles the conflicts the import counts (an
        office's: headquarters only sees them), and is told where."""
        from fieldplan.sync.exchange import each_file, outcome_counts

        super().__init__(parent)
        self.setObjectName("import-result")
        self.setWindowTitle(_("Import result"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.outcomes = outcomes
        lay = QVBoxLayout(self)
        # a file once, the bundles a key it registered brought out of quarantine among
        # them (its row's details name them)
        counts = outcome_counts(outcomes)
        # Translators: one count of a summary, e.g. "Merged: 2"; French puts a
        # no-break space before the colon.
        count = _("{label}: {n}")
        summary = " · ".join(
            count.format(label=outcome_count_label(k, v), n=format_number(v))
            for k, v in sorted(counts.items())
        )
        self.summary = QLabel(summary or _("No file was imported."))
        lay.addWidget(self.summary)
        # data that changed a period HQ already locked after its review: say it here,
        # not only in the Inbox tab; a bundle a key brought out of quarantine's too
        late = sorted({p for o in each_file(outcomes) for p in getattr(o, "late_periods", ())})
        self.late_warning = WrappedLabel(ngettext(
            "These bundles changed reports of the locked period {periods}: check them "
            "before relying on that period's review.",
            "These bundles changed reports of the locked periods {periods}: check them "
            "before relying on those periods' reviews.", len(late)).format(
                periods=join_list(format_period(p) for p in late)) if late else "")
        self.late_warning.setStyleSheet("color: #a40000; font-weight: bold")
        self.late_warning.setVisible(bool(late))
        lay.addWidget(self.late_warning)
        # an amendment from headquarters: the window shows the new plan; what it hides
        # of this office's reports is said here, where the import is looked at
        self.plan_note = WrappedLabel(plan_note(outcomes))
        self.plan_note.setObjectName("plan-note")
        self.plan_note.setStyleSheet("font-weight: bold")
        self.plan_note.setVisible(bool(self.plan_note.text()))
        lay.addWidget(self.plan_note)
        # and what it changes (a new action, a retitled one, a target): the tree shows
        # the new plan unmarked
        # (copied without the word joiners that keep its codes whole, as written)
        self.plan_changes = PlainLabel(plan_changes_note(outcomes), name="plan-changes")
        self.plan_changes.setVisible(bool(self.plan_changes.text()))
        lay.addWidget(self.plan_changes)
        # periods headquarters locked or unlocked: at an office, what can no longer be
        # changed (or can again); and the office's reports the lock leaves stuck, as
        # ``fieldplan status`` warns of them (``stuck_by_locks``), and its drafts the
        # lock leaves unsubmitted (``drafts``: per period)
        self.lock_note = WrappedLabel(locks_note(
            sorted({p for o in outcomes for p in o.locked}),
            sorted({p for o in outcomes for p in o.unlocked}), drafts=drafts))
        self.lock_note.setObjectName("lock-note")
        self.lock_note.setStyleSheet("font-weight: bold")
        self.lock_note.setVisible(bool(self.lock_note.text()))
        lay.addWidget(self.lock_note)
        # at an office, its reports the import left in conflict: each row said "until
        # a person of the office keeps one of the values", and the dialog's OK was
        # the only step shown; the person of the office is the one reading it (the
        # tab says how: keep a value, or, in a period headquarters locked, ask it to
        # unlock the period)
        in_conflict = sum(o.conflicts for o in each_file(outcomes)) if settles else 0
        # (the tab's name read first: a call to _() among counted()'s arguments made
        # the catalog's extraction take its message for one without plural forms)
        tab = without_mnemonic(_("&Conflicts"))
        self.conflicts_note = WrappedLabel(counted(
            "{count} report this import changed is in conflict: open the {tab} tab to "
            "settle it.",
            "{count} reports this import changed are in conflict: open the {tab} tab to "
            "settle them.", in_conflict, tab=tab) if in_conflict else "")
        self.conflicts_note.setObjectName("conflicts-note")
        self.conflicts_note.setStyleSheet("font-weight: bold")
        self.conflicts_note.setVisible(bool(in_conflict))
        lay.addWidget(self.conflicts_note)
        # headquarters revoked this computer's key: nothing made here goes anywhere now
        self.revoked_note = WrappedLabel(revoked_note(outcomes))
        self.revoked_note.setObjectName("revoked-note")
        self.revoked_note.setStyleSheet("color: #a40000; font-weight: bold")
        self.revoked_note.setVisible(bool(self.revoked_note.text()))
        lay.addWidget(self.revoked_note)
        self.stuck_warning = WrappedLabel("\n".join(isolated_codes(sentence(line))
                                                     for line in stuck))
        self.stuck_warning.setObjectName("stuck-warning")
        self.stuck_warning.setStyleSheet("color: #a40000; font-weight: bold")
        self.stuck_warning.setVisible(bool(stuck))
        lay.addWidget(self.stuck_warning)
        # the backup before the import had to delete older ones on a full disk
        # (Session.notice_sentence: ready to show) a notice names files and offices'
        # reports: as written, never as HTML, copied without the marks that lay it out
        self.notices = PlainLabel("\n".join(notices))
        self.notices.setVisible(bool(notices))
        lay.addWidget(self.notices)
        # files of a dropped folder that were not taken (a stick's photos): counted, so
        # that a bundle saved under another name is known to be there
        self.left_aside_note = WrappedLabel(left_aside_text(left_aside))
        self.left_aside_note.setObjectName("left-aside-note")
        self.left_aside_note.setVisible(bool(left_aside))
        lay.addWidget(self.left_aside_note)
        # the first import of many offices' bundles: what a new computer's key
        # registered means, said once above them, where each row said it whole (57
        # times the same long sentence); each row still says its own
        from fieldplan.sync.exchange import registered_note

        registered = registered_note(outcomes)
        self._registered_above = bool(registered)
        self.registered_note = WrappedLabel(registered)
        self.registered_note.setObjectName("registered-note")
        self.registered_note.setVisible(bool(registered))
        lay.addWidget(self.registered_note)
        self.table = QTableWidget(len(outcomes), 4)
        self.table.setTabKeyNavigation(False)  # Tab goes on to OK
        from ui.list_focus import current_row_on_focus

        current_row_on_focus(self.table)
        self.table.setAccessibleName(_("Import result"))
        # a read-only list like the other tables: no editing, no row numbers
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # a reason is a sentence, often longer than the column: wrapped, each row as
        # tall as its text (elided, "unknown key 3F2A … (claims…" said too little),
        # measured when the Details column's width or the rows' order changes
        # (``_fit_rows``), not at every layout pass as ResizeToContents does
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # one line: as before
        self.table.setHorizontalHeaderLabels([_("File"), _("Office"), _("Outcome"), _("Details")])
        #: how many more times the dialog is sized to its rows once they are fitted:
        #: at the first show, and once more when that height took the scroll bar away
        #: (the Details column wider, its rows refitted). Not after: the person may
        #: have resized it
        self._sizings_due = 0
        self._sized = False  # (shown once: sized to its rows)
        #: the rows, what needs looking at first (see import_row_rank)
        self._rows = sorted(self._row(i, o) for i, o in enumerate(outcomes))
        self._fill()
        # a click on a header sorts by it (the Outcome column: problems first); a
        # third click puts the rows back in their first order
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.setItemDelegateForColumn(0, _FileNameDelegate(self.table))
        self.table.setItemDelegateForColumn(3, _WrappedDelegate(self.table))  # reasons
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col in range(3):  # Details takes the rest, its text wrapped
            self.table.resizeColumnToContents(col)
        self._rows_due = False
        header.sectionResized.connect(
            lambda column, _old, _new: column == 3 and self._fit_rows_soon())
        self.table.model().layoutChanged.connect(self._fit_rows)  # sorted
        # the cell's text margins, as the style draws them, on both sides
        margin = cell_text_margin(self.table)
        widest = self.table.fontMetrics().horizontalAdvance(WIDEST_FILE_NAME) + 2 * margin
        if self.table.columnWidth(0) > widest:
            self.table.setColumnWidth(0, widest)
        lay.addWidget(self.table)
        #: the same files, one cell each, its lines stacked (file; office; outcome;
        #: details), in place of the table in a narrow dialog (``_choose_view``): at
        #: 420 pixels the columns were cut, the details a letter a line
        self.stacked = QTableWidget(len(outcomes), 1)
        self.stacked.setObjectName("import-result-stacked")
        self.stacked.setAccessibleName(_("Import result"))
        self.stacked.setTabKeyNavigation(False)
        current_row_on_focus(self.stacked)
        self.stacked.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stacked.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stacked.verticalHeader().setVisible(False)
        self.stacked.horizontalHeader().setVisible(False)
        self.stacked.horizontalHeader().setStretchLastSection(True)
        self.stacked.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stacked.setWordWrap(True)
        self.stacked.setItemDelegate(_WrappedDelegate(self.stacked))
        heading = _("{label}:")
        #: each row's stacked cell, by its place in the first order (``_row``)
        self._stacked_cells: dict[tuple[int, int], tuple[str, str]] = {}
        for first, texts, tips in self._rows:
            lines = [texts[0]]
            if texts[1]:
                lines.append(heading.format(label=_("Office")) + " " + texts[1])
            lines.append(heading.format(label=_("Outcome")) + " " + texts[2])
            lines.append(texts[3])
            self._stacked_cells[first] = ("\n".join(line for line in lines if line),
                                          tip_text("\n".join([tips[0], *lines[1:]])))
        self._stack([first for first, _texts, _tips in self._rows])
        self.stacked.setVisible(False)
        lay.addWidget(self.stacked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        # OK has the focus (Enter closes), not the first cell with a focus frame
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setDefault(True)
        self.ok.setFocus()
        # taller for many files (within the screen): about seven rows show in 360 pixels;
        # once shown, as tall as its rows fitted to their text (``_size_to_rows``)
        more = max(0, len(outcomes) - ROWS_IN_SHORT_RESULT) * rows.defaultSectionSize()
        details = self.table.fontMetrics().averageCharWidth() * DETAILS_CHARS
        # a key fingerprint in a row's details on one line, as it is read aloud (an
        # Arabic one left its last group "4B19" on a line of its own)
        if any(held_fingerprints(texts[3]) for _first, texts, _tips in self._rows):
            details = max(details, self.table.fontMetrics().horizontalAdvance(
                WIDEST_FINGERPRINT) + 2 * margin)
        fit_to_screen(self, max(760, self._beside_details(lay) + details),
                      min(360 + more, TALLEST_RESULT))
        # a screen too narrow for that: the Office column gives way (elided, its
        # tooltip whole), down to a country's name
        short = self._beside_details(lay) + details - self.width()
        if short > 0:
            office = self.table.columnWidth(1)
            least = self.table.fontMetrics().averageCharWidth() * 18
            self.table.setColumnWidth(1, max(least, office - short))

    def resizeEvent(self, event) -> None:  # (Qt's name)
        super().resizeEvent(event)
        self._choose_view()

    def _shown_view(self) -> QTableWidget:
        """The table, or the files' lines stacked in a narrow dialog."""
        return self.stacked if self.stacked.isVisibleTo(self) else self.table

    def _choose_view(self) -> None:
        """The table, or in a dialog too narrow for its Details column to keep
        ``NARROW_DETAILS_CHARS`` beside the other columns, the File column given way
        to an ordinary name (a longer one is elided) (a small screen, a window
        narrowed): the files' lines stacked in one column. The keyboard follows."""
        metrics = self.table.fontMetrics()
        ordinary = (metrics.horizontalAdvance(ORDINARY_FILE_NAME)
                    + 2 * cell_text_margin(self.table))
        need = (self._beside_details(self.layout())
                - max(0, self.table.columnWidth(0) - ordinary)
                + metrics.averageCharWidth() * NARROW_DETAILS_CHARS)
        narrow = self.width() < need
        if narrow == self.stacked.isVisibleTo(self):
            if narrow:  # (its column as wide as the dialog: its lines wrap again)
                self.stacked.resizeRowsToContents()
            return
        shown, hidden = (self.stacked, self.table) if narrow else (self.table, self.stacked)
        # the files in the order the person sorted the table by, the file chosen still
        # chosen: stacked, they were in the first order, the first file current
        chosen = self._first_of(hidden, hidden.currentRow())
        if narrow:
            self._stack([self._first_of(self.table, row)
                         for row in range(self.table.rowCount())])
        rows = [self._first_of(shown, row) for row in range(shown.rowCount())]
        if chosen in rows:
            shown.setCurrentCell(rows.index(chosen), 0)
        shown.setVisible(True)
        if hidden.hasFocus():  # (given before the other is hidden: not to OK meanwhile)
            shown.setFocus(Qt.FocusReason.OtherFocusReason)
        hidden.setVisible(False)
        self._fit_rows()

    def _stack(self, order: list[tuple[int, int]]) -> None:
        """The stacked view's rows in ``order`` (rows' places in the first order)."""
        for row, first in enumerate(order):
            text, tip = self._stacked_cells[first]
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.UserRole, first)
            self.stacked.setItem(row, 0, item)

    def _first_of(self, view: QTableWidget, row: int) -> tuple[int, int] | None:
        """Which file ``view``'s ``row`` shows: its place in the first order."""
        item = view.item(row, 0) if row >= 0 else None
        if item is None:
            return None
        first = item.data(SORT_ROLE)[1] if view is self.table else item.data(
            Qt.ItemDataRole.UserRole)
        return tuple(first)  # (as Qt gives it back: a list, maybe)

    def _beside_details(self, lay: QVBoxLayout) -> int:
        """The dialog's width but its Details column's: File, Office and Outcome at
        their widths, the table's frame and scroll bar, the dialog's margins. The
        dialog is 760 pixels wide, or wider (within the screen) for Details to keep
        ``DETAILS_CHARS``: beside a long office ("Setup bundle for QA · Qatar", a
        French or Arabic country name) a damaged bundle's reason read a word a line,
        its row as tall as the table."""
        table = self.table
        margins = lay.contentsMargins()
        return (sum(table.columnWidth(col) for col in range(3)) + 2 * table.frameWidth()
                + table.verticalScrollBar().sizeHint().width()
                + margins.left() + margins.right())

    def _fill(self) -> None:
        """The rows in their first order (see import_row_rank), the sort indicator
        off; each cell keeps what its column sorts by."""
        self.table.setSortingEnabled(False)
        for row, (first, texts, tips) in enumerate(self._rows):
            keys = (texts[0].casefold(), texts[1], first[0], texts[3].casefold())
            for col, text in enumerate(texts):
                item = _ResultItem(text)
                item.setToolTip(tip_text(tips[col]))  # file names: as written
                item.setData(SORT_ROLE, (keys[col], first))
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        with QSignalBlocker(header):
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # no column to sort by: the order stays
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Each row as tall as its cells' text, wrapped at the columns' widths: once
        shown (before, the widths are not yet the ones shown)."""
        self._rows_due = False
        if self.isVisible():
            self._shown_view().resizeRowsToContents()
            if self._sizings_due:
                self._sizings_due -= 1
                self._size_to_rows()

    def _size_to_rows(self) -> None:
        """As tall as the table's rows need, as they are fitted to their text, within
        the screen's available area: counted in one-line rows, ten files whose reasons
        wrap over several lines opened at 510 pixels on a 768-pixel screen, to be
        scrolled. A few short rows: shorter, no blank band under them."""
        table = self._shown_view()
        header = table.horizontalHeader()
        needed = ((0 if header.isHidden() else header.height()) + 2 * table.frameWidth()
                  + sum(table.rowHeight(row) for row in range(table.rowCount())))
        if table.horizontalScrollBar().isVisible():
            needed += table.horizontalScrollBar().height()
        height = self.height() - table.height() + needed
        screen = self.screen()
        if screen is not None:  # (its width stays: the rows were fitted to it)
            height = min(height, screen.availableGeometry().height() - FRAME_ROOM[1])
        self.resize(self.width(), height)

    def _fit_rows_soon(self) -> None:
        """``_fit_rows`` once the view has the Details column's new width (the header
        says it is resized before the view has it); once for several changes."""
        if not self._rows_due:
            self._rows_due = True
            QTimer.singleShot(0, self, self._fit_rows)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized, self._sizings_due = True, 2
        self._fit_rows()

    def _sort_changed(self, column: int, _order) -> None:
        if column < 0:  # the indicator cleared: back to the first order
            self._fill()

    def _key_news(self, o) -> str:
        """A row's clause of the keys its import made known; a new computer's key
        registered said short where the sentence above the table says what it means
        (``registered_note``)."""
        if getattr(o, "computer_registered", False) and self._registered_above:
            from fieldplan.sync.exchange import key_registered_text

            return key_registered_text(o.office)
        if getattr(o, "computer_registered", False) or getattr(o, "hq_new_key", ""):
            return o.key_news_text()
        return ""

    def _row(self, position: int, o) -> tuple[tuple[int, int], tuple[str, ...],
                                              tuple[str, ...]]:
        """One outcome's row: its place in the first order (rank, then ``position`` in
        the import), its four cells' texts and their tooltips."""
        if o.outcome == CANCELLED:
            detail = _("Not imported: the import was cancelled. Nothing of it was kept.")
        elif o.outcome == STOPPED:
            detail = (_("Not imported: {error}. Nothing of it was kept.").format(
                error=o.reason) if o.reason
                else _("Not imported: the import stopped at an earlier file."))
        elif o.outcome in ("rejected", "quarantined"):
            detail = import_reason(o.reason)  # a setup bundle: in the client's words
        elif o.outcome == "duplicate" and is_own_setup_bundle(o.reason):
            detail = o.reason  # (not "0 new of 23": none of its events are for here)
        else:
            from fieldplan.sync.exchange import events_text, late_text

            # as the CLI says it (ImportOutcome.line), the clauses joined as the
            # language joins them
            detail = join_clauses([
                events_text(o.events_new, o.events_total), *o.gaps,
                # a bundle this computer wrote: whose it is, and where it goes
                o.reason if getattr(o, "written_here", False) else "",
                # (headquarters) "the key of a new computer of CI is now registered: …",
                # which the Enrol dialog promised; (an office) "headquarters changed its
                # key: its new fingerprint is …"
                self._key_news(o),
                # "changes to the locked…" (not the reason, which holds the notes below
                # too, kept for the Inbox)
                late_text(o.late_periods) if getattr(o, "late_periods", ()) else "",
                o.plan_text() if getattr(o, "plan_version", 0) else "",  # "the plan is now…"
                o.locks_text(),  # "headquarters locked 1st semester 2026"
                # "headquarters revoked this computer's key …"
                o.revoked_text() if getattr(o, "revoked_here", False) else "",
                # "it brings 2…" (reports, or values of indicators the plan dropped)
                o.hidden_text() if getattr(o, "hidden_brought", 0)
                or getattr(o, "hidden_values_brought", ()) else "",
                # "1 report it changed is in conflict …" (only the status bar's count
                # said it)
                o.conflicts_text() if getattr(o, "conflicts", 0) else "",
                # "this computer's events 41–60 had been written after …"
                getattr(o, "repair", ""),
                # "this computer's clock seems to be ahead (or behind)…"
                o.clock_text() if getattr(o, "clock_ahead", "")
                or getattr(o, "clock_behind", "") else "",
                # (at headquarters) "the office's computer's clock seems wrong …"
                o.office_clock_text() if getattr(o, "office_clock", ()) else "",
                # "it registered its key: 1 bundle that waited in quarantine for a
                # key now registered was imported too (…)"
                o.released_text() if getattr(o, "released", ()) else "",
                # "1 bundle that waited in quarantine for a key now registered could
                # not be imported (…): it still waits there, …"
                getattr(o, "release_failed", ""),
                # "after it was merged, this computer could not go on as a new replica…"
                getattr(o, "stopped_after", "")])
        detail = isolated_codes(detail)  # "2026-S1", "events 5–6" whole in Arabic
        # as the client names offices elsewhere ("HQ · Headquarters"); a refused
        # bundle's word escaped, and cut short in the cell
        office, office_tip = shown_office(o.office), shown_office(o.office, 80)
        if ((o.outcome == "rejected" and is_setup_bundle(o.reason))
                or (o.outcome == "duplicate" and is_own_setup_bundle(o.reason))):
            # the office it is for (HQ signs every one), and what the file is
            office = office_tip = setup_bundle_office(o.office)
        elif o.outcome == "rejected" and not o.office:
            # nothing of the file could be read: its name may still say the office,
            # as the inbox says under its table
            from fieldplan.bundle import office_in_file_name

            office_tip = unread_office_line(o.file)
            named = office_in_file_name(o.file)
            # Translators: the Office cell of a file that could not be read, the
            # office taken from its name ("AZ (file name)"); keep it short
            office = _("{office} (file name)").format(office=named) if named else ""
        texts = (code_text(o.file), office, outcome_label(o.outcome), detail)
        # the file's whole name, as written (the cell may elide it)
        tips = (o.file, office_tip, texts[2], detail)
        return (import_row_rank(o), position), texts, tips


class _ResultItem(QTableWidgetItem):
    """A cell of the import result, sorted by its SORT_ROLE (the Outcome column by
    import_row_rank, ties in the first order)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.data(SORT_ROLE) < other.data(SORT_ROLE)


def import_row_rank(o) -> int:
    """Where a file's row goes in the import result: what needs looking at first.
    0 rejected, 1 not imported (stopped or cancelled) or merged with the import
    stopped after it, 2 quarantined, 3 merged with something to say (gaps, late
    changes to a locked period, reports the plan hides, a repaired history, a clock
    that seems ahead or behind, or bundles a key it registered brought out of
    quarantine of which one has, or that the database could not take: its details say
    it), 4 merged or duplicate with
    nothing more."""
    if o.outcome == "rejected":
        return 0
    if o.outcome in (STOPPED, CANCELLED) or getattr(o, "stopped_after", ""):
        return 1
    if o.outcome == "quarantined":
        return 2
    if (o.gaps or getattr(o, "late_periods", ()) or getattr(o, "hidden_brought", 0)
            or getattr(o, "hidden_values_brought", ())
            or getattr(o, "repair", "") or getattr(o, "clock_ahead", "")
            or getattr(o, "clock_behind", "") or getattr(o, "office_clock", ())
            or getattr(o, "revoked_here", False) or getattr(o, "release_failed", "")
            or any(import_row_rank(r) < 4 for r in getattr(o, "released", ()))):
        return 3
    return 4


def left_aside_text(count: int) -> str:
    """What the import result says of the files of dropped folders not taken ("" for
    none)."""
    if not count:
        return ""
    return counted(
        "{count} other file in the dropped folder was left aside: from a folder, only "
        ".fieldplan and .zip files are imported (drop a file itself to import it).",
        "{count} other files in the dropped folder were left aside: from a folder, only "
        ".fieldplan and .zip files are imported (drop a file itself to import it).",
        count)


def plan_note(outcomes: list) -> str:
    """What the import result says of a new plan the bundles brought ("" if none):
    its version, and how many of this office's reports it hides."""
    brought = [o for o in outcomes if getattr(o, "plan_version", 0)]
    if not brought:
        return ""
    text = _("The plan is now version {version}.").format(
        version=max(o.plan_version for o in brought))
    hidden = sum(o.plan_hidden for o in brought)
    if hidden:
        text += " " + counted(
            "It hides {count} report of this office that the version before showed: it "
            "stays in the database, no longer shown.",
            "It hides {count} reports of this office that the version before showed: they "
            "stay in the database, no longer shown.", hidden)
    values = sorted({v for o in brought for v in getattr(o, "plan_hidden_values", ())})
    moved = {v: to for o in brought for v, to in getattr(o, "plan_moved_values", ())}
    dropped = [v for v in values if v not in moved]
    went = [v for v in values if v in moved]
    if dropped:
        # (an indicator dropped: its figures were in no field or sheet any more, and
        # nothing said so)
        # Translators: {items} lists indicators as ACTION/KEY ("PA1.2/data-reports");
        # the report form shows such values under "Also recorded"
        text += " " + isolated_codes(counted(
            "It no longer has {count} indicator this office recorded values for "
            "({items}): they are kept, and each report shows them under its indicators.",
            "It no longer has {count} indicators this office recorded values for "
            "({items}): they are kept, and each report shows them under its indicators.",
            len(dropped), items=join_list(dropped)))
    if went:
        from fieldplan.sync.exchange import moved_to_text

        # (the plan has such an indicator still, under another action: "no longer has"
        # sent the person to look for it nowhere)
        # Translators: {items} lists indicators as "PA1.2/data-reports to PA1.1" (the
        # action it was in, its key, the action that has it now); the report form shows
        # such values under "Also recorded"
        text += " " + isolated_codes(counted(
            "It moved {count} indicator this office recorded values for to another "
            "action ({items}): the values recorded before are kept, and each report "
            "shows them under its indicators; new ones go in the action it is in now.",
            "It moved {count} indicators this office recorded values for to another "
            "action ({items}): the values recorded before are kept, and each report "
            "shows them under its indicators; new ones go in the action each is in now.",
            len(went), items=join_list([moved_to_text(v, moved[v]) for v in went])))
    return text


def plan_changes_note(outcomes: list) -> str:
    """What the import result says of what each new plan the bundles brought changes
    ("" if none): under "What version 2 of the plan changes:", a line each."""
    brought = sorted((o for o in outcomes if getattr(o, "plan_changes", ())),
                     key=lambda o: o.plan_version)
    return "\n".join(
        in_layout_direction(_("What version {version} of the plan changes:").format(
            version=o.plan_version)) + "\n" + plan_changes_lines(o.plan_changes) for o in brought)


def revoked_note(outcomes: list) -> str:
    """What the import result says when a bundle revoked this computer's key ("" if
    none did): nothing made here is sent any more, and the way on."""
    revoked = [o for o in outcomes if getattr(o, "revoked_here", False)]
    if not revoked:
        return ""
    from ui.set_up_again import revoked_here_text

    return revoked_here_text(getattr(revoked[0], "replaced_by", ""))


def locks_note(locked: list[str], unlocked: list[str],
               drafts: Mapping[str, int] | None = None) -> str:
    """What the client says of periods headquarters locked or unlocked (the import
    result, the status bar): "Headquarters locked 1st semester 2026: …" ("" if none).
    ``drafts``: per period locked, the office's drafts left in it
    (``status.drafts_left_by_locks``), said as ``fieldplan status`` says them: a lock
    that said only "can no longer be changed or submitted" let the office think its
    drafts had gone."""
    from fieldplan.status import periods_text

    said = []
    left = {period: n for period in locked if (n := (drafts or {}).get(period))}
    if len(locked) == 1 and left:
        # one period, named once: "… when 2nd semester 2026 was locked" after "locked
        # 2nd semester 2026" said it twice in two sentences
        # Translators: {period} is the period headquarters locked ("2nd semester
        # 2026"), {count} how many of this office's drafts it holds
        said.append(counted(
            "Headquarters locked {period}: its reports can no longer be changed or "
            "submitted. {count} draft left in it will not be submitted unless "
            "headquarters unlocks the period.",
            "Headquarters locked {period}: its reports can no longer be changed or "
            "submitted. {count} drafts left in it will not be submitted unless "
            "headquarters unlocks the period.", left[locked[0]],
            period=periods_text(locked)))
    elif locked:
        said.append(ngettext(
            "Headquarters locked {periods}: its reports can no longer be changed or "
            "submitted.",
            "Headquarters locked {periods}: their reports can no longer be changed or "
            "submitted.", len(locked)).format(
                periods=periods_text(locked)))
        # Translators: after "Headquarters locked {periods}: …", which names them all;
        # {period} is the one of them that holds the drafts
        said += [counted("{count} draft left in {period} will not be submitted unless "
                         "headquarters unlocks that period.",
                         "{count} drafts left in {period} will not be submitted unless "
                         "headquarters unlocks that period.", n, period=periods_text([period]))
                 for period, n in left.items()]
    if unlocked:
        said.append(ngettext(
            "Headquarters unlocked {periods}: its reports can be changed again.",
            "Headquarters unlocked {periods}: their reports can be changed again.",
            len(unlocked)).format(periods=periods_text(unlocked)))
    return " ".join(said)


def _show_message(parent: QWidget | None, title: str, text: str) -> None:
    from ui.dialogs import MessageDialog

    MessageDialog(parent, title, text).open()


# --- export --------------------------------------------------------------------------


def mounted_drives() -> list[tuple[str, str, int]]:
    """(name, root path, bytes free) of mounted drives a person could carry away: USB
    sticks under /media, /run/media or /mnt, and drive letters other than C: on
    Windows (removable or fixed: never network drives, ``ui.win_drives``). Asks the
    system of each drive: called on a thread of its own (a stalled mount can keep it
    waiting for good)."""
    if sys.platform.startswith("linux"):
        _wait_for_mounts()
    elif sys.platform == "win32":
        from ui.win_drives import carried_drives

        try:
            return carried_drives()
        except (OSError, AttributeError, ValueError, TypeError):
            pass  # (ctypes without kernel32's calls: Qt's list, as before)
    out = []
    for vol in QStorageInfo.mountedVolumes():
        if not vol.isValid() or not vol.isReady() or vol.isReadOnly():
            continue
        root = vol.rootPath()
        if sys.platform == "win32":
            if root[:2].upper() == "C:" or len(root) > 3:
                continue
        elif not root.startswith(REMOVABLE_ROOTS):
            continue
        out.append((vol.displayName() or root, root, vol.bytesAvailable()))
    return out


#: /proc/self/mounts writes a space, tab, newline or backslash in a path as \ooo
_MOUNT_ESCAPE = rb"\\([0-7]{3})"


def _mount_points(table: str = "/proc/self/mounts") -> list[str]:
    """(Linux) The mount points ``table`` lists; none if it cannot be read."""
    import re

    try:
        data = Path(table).read_bytes()
    except OSError:
        return []
    points = []
    for line in data.splitlines():
        fields = line.split()
        if len(fields) > 1:
            raw = re.sub(_MOUNT_ESCAPE, lambda m: bytes([int(m.group(1), 8)]), fields[1])
            points.append(os.fsdecode(raw))
    return points


def _wait_for_mounts() -> None:
    """(Linux, the drives' thread) Ask each mount for its sizes from Python first, which
    lets go of Python's lock while the system answers. ``QStorageInfo.mountedVolumes``
    asks each mount too, and PySide holds Python's lock through the whole call: a
    stalled network mount (a share gone away) froze every thread, the window with
    it, for good; it now holds up this thread only, and Qt is asked once every mount
    has answered."""
    for point in _mount_points():
        with contextlib.suppress(OSError):
            os.statvfs(point)


def on_removable_drive(path: str, roots: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether ``path`` is most likely on a drive a person carries away: under one of
    ``roots`` (drives found), under a removable mount point, or on Windows on a drive
    letter other than C:. (Words only, nothing asked of the system: a stalled mount
    never holds up the window.)"""
    if any(_under(path, root) for root in roots):
        return True
    norm = os.path.normcase(os.path.abspath(path))
    if sys.platform == "win32":
        drive = os.path.splitdrive(norm)[0]
        return len(drive) == 2 and drive[1] == ":" and drive[0].upper() != "C"
    return norm.startswith(REMOVABLE_ROOTS)


def _under(path: str, root: str) -> bool:
    """Whether ``path`` is the folder ``root`` or inside it."""
    norm = os.path.normcase(os.path.abspath(path))
    top = os.path.normcase(os.path.abspath(root))
    return norm == top or norm.startswith(top.rstrip("\\/") + os.sep)


def drive_label(name: str, free: int) -> str:
    """A drive as the export dialog offers it: "KINGSTON (3,072 MB free)"."""
    return _("{name} ({free} MB free)").format(
        name=name, free=format_number(free // (1024 * 1024)))


def removable_drives() -> list[tuple[str, str]]:
    """(label, root path) of the ``mounted_drives``."""
    return [(drive_label(name, free), root) for name, root, free in mounted_drives()]


def open_folder(folder: str) -> bool:
    """Show ``folder`` in the desktop's file manager; False when it could not be opened
    (no file manager, no xdg-open). Not under the offscreen platform (tests, scripts):
    there is no desktop to open it on."""
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return True
    return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def outbox_dir() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(docs or Path.home()) / "fieldplan-outbox")


def is_mounted(root: str) -> bool:
    """Whether a drive is mounted at ``root`` (a pulled USB stick leaves its mount
    point, a folder on the computer's own disk, behind)."""
    return os.path.ismount(root)


def check_stick(folder: str, roots: list[str] | tuple[str, ...] = ()) -> None:
    """(off the GUI thread) FileError when ``folder``, on a removable drive, is gone,
    or the drive of ``roots`` it is on is no longer mounted: the USB stick was pulled
    out since the folder was chosen. Writing there would make the file on the
    computer's own disk (the mount point stays) and say it was saved. Anything else
    wrong with the folder is said as the CLI says it (``cannot_write``): a name the
    stick refuses (Windows: ':', '?', '*'), part of the path a file, a name too long
    were said as a stick pulled out, of a stick still plugged in."""
    if on_removable_drive(folder, roots):
        from fieldplan.files import cannot_write

        try:
            os.stat(folder)
        except FileNotFoundError:
            raise FileError(_("the folder {folder} no longer exists: is the USB stick "
                              "still plugged in?").format(folder=ltr(folder))) from None
        except OSError as exc:
            raise cannot_write(folder, exc) from None
    for root in roots:
        # (on Windows a drive pulled out takes its letter with it: said above)
        if _under(folder, root) and sys.platform != "win32" and not is_mounted(root):
            raise FileError(_("the USB stick at {folder} is no longer there: is it still "
                              "plugged in?").format(folder=ltr(root)))


class FolderMissing(FileError):
    """The folder chosen to write into is not there (``prepare_folder``). ``can_make``:
    the folder it was in is, on the computer's own disk or on a drive still plugged in
    (a folder deleted or renamed): the person may have it made again. Never where a
    USB stick was pulled out: that would write to the computer's own disk."""

    def __init__(self, message: str, folder: str, can_make: bool) -> None:
        super().__init__(message)
        self.folder, self.can_make = folder, can_make


def _missing(folder: str, roots: list[str] | tuple[str, ...]) -> FolderMissing | None:
    """(off the GUI thread) The FolderMissing to raise for ``folder``, or None when it
    is there."""
    try:
        os.stat(folder)
        return None
    except FileNotFoundError:
        pass
    except OSError:  # part of the path is a file…: said by ``prepare_folder``
        return None
    parent_there = os.path.isdir(os.path.dirname(os.path.abspath(folder)))
    if not on_removable_drive(folder, roots):
        return FolderMissing(_("the folder {folder} does not exist").format(folder=ltr(folder)),
                             folder, parent_there)
    # on a drive: made again only on one offered as plugged in, and still mounted
    plugged = any(_under(folder, root) and (sys.platform == "win32" or is_mounted(root))
                  for root in roots)
    return FolderMissing(_("the folder {folder} no longer exists: is the USB stick still "
                           "plugged in?").format(folder=ltr(folder)), folder,
                         plugged and parent_there)


def prepare_folder(folder: str, *, make: bool = False,
                   roots: list[str] | tuple[str, ...] = ()) -> None:
    """(off the GUI thread) Before writing into ``folder``: ``make`` it if missing (the
    client's own outbox, or a folder the person asked to have made again), else check
    that it is there (FolderMissing), and the USB stick it is on too
    (``check_stick``). A folder the person chose is never made unasked, as the CLI
    makes none: one that is gone is an error, never a new folder where the stick was."""
    from fieldplan.files import cannot_write

    if make:
        if on_removable_drive(folder, roots):
            # asked while the stick was there; pulled out since, the mount point left
            # behind would take the folder on the computer's own disk
            missing = _missing(folder, roots)
            if missing is not None and not missing.can_make:
                raise missing
            check_stick(os.path.dirname(os.path.abspath(folder)), roots)
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # said as the core says a file it cannot write
            raise cannot_write(folder, exc) from exc
        return
    missing = _missing(folder, roots)
    if missing is not None:
        raise missing
    check_stick(folder, roots)
    try:
        os.stat(folder)
    except OSError as exc:  # part of the path is a file…
        raise cannot_write(folder, exc) from None


def email_subject(identity: Identity, period: str, recipient: str) -> str:
    who = identity.office_text()
    return _("fieldplan data from {office} for {period} (to {recipient})").format(
        office=who, period=format_period(period), recipient=recipient
    )


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_number(max(1, round(size / 1024))))
    return _("{n} MB").format(n=format_number(round(size / (1024 * 1024), 1)))


#: The look at the mounted drives under way, if one is (``ExportDialog._look_for_drives``).
#: A stalled mount can keep its thread waiting for good: a new one for each opening of
#: the dialog would pile up threads, each stuck on that mount.
_drive_look: OffThread | None = None
#: The dialogs waiting for its answer.
_drive_waiters: list[ExportDialog] = []


def _drives_answered(drives: list[tuple[str, str, int]]) -> None:
    """(GUI thread) the look at the drives is done: its answer to every dialog that
    waits and is still open; the next dialog looks again (a stick put in since)."""
    global _drive_look
    _drive_look = None
    waiting = list(_drive_waiters)
    _drive_waiters.clear()
    for dialog in waiting:
        if shiboken6.isValid(dialog):
            dialog.drives_found(drives)


#: The recipient "All offices (one file each)" (at HQ, not for email): its item's data.
ALL_OFFICES = "*all-offices*"


class ExportDialog(QDialog):
    """Choose the recipient (at HQ) and where the bundle goes: a folder, a removable
    drive, or the email outbox. On success, says where it went. At HQ the recipient
    may be every office, one file each (not for email: one mail per office).
    ``settings``: where the folder last exported to is kept, and offered again."""

    export_did_finish = QtSignal(object)  # the ExportResult, or the AllOfficesExport

    def __init__(
        self,
        session: Session,
        identity: Identity,
        parent: QWidget,
        email: bool = False,
        period: str = "",
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.identity, self.email = session, identity, email
        self.settings = settings
        self.period = period or getattr(parent, "period", "") or identity.current_period()
        self.result_info = None
        #: the removable drives have been looked for and offered (``drives_found``)
        self.drives_known = email
        #: the root folders of the drives offered
        self.drive_roots: list[str] = []
        #: the bundles for every office being written (``_export_all``), to cancel
        self._writing_all: DbOp | None = None
        #: a folder gone that the person asked to have made again (``_ask_to_make``)
        self._to_make = ""
        self.setObjectName("export-dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Prepare for email") if email else _("Export"))
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.recipient = QComboBox()
        self.recipient.setAccessibleName(_("Recipient"))
        #: (HQ) the offices "All offices" writes for (``known_offices``)
        self.all_offices: list[str] = []
        if not identity.is_hq:
            self.recipient.addItem(office_name("HQ", lang()), "")
        form.addRow(_("&Recipient"), self.recipient)
        self.place = QComboBox()
        self.place.setAccessibleName(_("Destination"))
        if email:
            self.place.addItem(_("Email outbox folder"), outbox_dir())
        else:  # the removable drives are added when they are known (_look_for_drives)
            self.place.addItem(_("A folder…"), "")
        self.place.currentIndexChanged.connect(self._place_changed)
        form.addRow(_("&Destination"), self.place)
        #: the folder last exported to, offered (a drive plugged in now is preferred
        #: to it, unless it is on that drive: ``drives_found``)
        #: (offered at once, as written: whether it is still there is looked at off
        #: the GUI thread, ``_look_at_folder``; gone, it is taken away)
        self.remembered = "" if email or settings is None else str(
            settings.value(EXPORT_FOLDER_KEY, "") or "")
        self.folder = add_folder_row(self, form, outbox_dir() if email else self.remembered)
        lay.addLayout(form)
        self.message = PlainLabel()  # paths, errors: as written (and copied so)
        # no stop of the keyboard until it says something (``_say``): at an office,
        # which looks up no recipients, it kept a selectable label's focus, an empty
        # line a click put a caret on and a screen reader found as a nameless stop
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.message)
        # the bundle written, on a line of its own, whole and left to right (as the
        # first-run dialog shows the database's): inside the wrapped sentence an
        # Arabic one broke at a hyphen, its halves out of order beside the size, and
        # it is the file staff must find to attach. Not wrapped: the dialog widens
        # for a long one. On the layout's side, as the lines around it (isolated, the
        # path has no direction of its own, and a label without one is laid out left
        # to right)
        self.path_label = path_label("export-path", _("Path of the bundle saved"))
        lay.addWidget(self.path_label)
        #: what follows the path: the email's subject, a note, a warning
        self.after_path = after_path_label("export-after-path")
        lay.addWidget(self.after_path)
        #: (a line of its own, under the folder: the message below it is the
        #: recipients' at headquarters, and took its place there)
        self.folder_note = PlainLabel()
        self.folder_note.setVisible(False)
        lay.insertWidget(lay.indexOf(self.message), self.folder_note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Save bundle"))
        self.ok.clicked.connect(self.export)
        self.enrol_button = None
        if identity.is_hq:
            # only enrolled offices (a key in the registry) can read what HQ writes
            self.enrol_button = self.buttons.addButton(
                _("&Enrol an office…"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.enrol_button.clicked.connect(self._enrol)
            # an enrolment is noted in the database: not from a read-only one
            allow_writes(self.enrol_button, identity)
            self.ok.setEnabled(False)
            self.recipient.currentIndexChanged.connect(self._recipient_changed)
            self._load_recipients()
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        tab_in_layout_order(self.buttons)  # (Close came first: Save bundle is shown first)
        self._place_changed()
        # another bundle to write once something is changed (see _saved)
        self.folder.textChanged.connect(self._to_write_again)
        self.recipient.currentIndexChanged.connect(self._to_write_again)
        size_to_content(self, 600)
        self._drives_asked = False
        if self.remembered:
            self._look_at_folder(self.remembered)
        elif not email:
            self._look_for_drives()

    def _look_at_folder(self, kept: str) -> None:
        """Whether the folder last exported to is there, looked at off the GUI thread:
        on a USB stick pulled out or a network share out of reach the look can hang,
        and the window froze as the dialog opened. Offered meanwhile (Ctrl+E and Enter
        at once still write there, or say the stick is gone: the export looks at the
        folder off the GUI thread too). The drives are looked for once it answers
        (which of them is chosen depends on it: ``drives_found``), or after
        ``FOLDERS_LOOK_MS`` without it."""

        def looked(there: tuple[str, ...]) -> None:
            if not shiboken6.isValid(self):
                return
            if not there[0]:
                self._folder_gone(kept)
            if not self._drives_asked:
                self._look_for_drives()

        OffThread(lambda: _folders_there(kept), looked, lambda _e: looked(("",)),
                  name="fieldplan-export-folder", daemon=True)
        QTimer.singleShot(FOLDERS_LOOK_MS, self, lambda: (
            None if self._drives_asked else self._look_for_drives()))

    def _folder_gone(self, kept: str) -> None:
        """``kept``, the folder last exported to, is gone: no longer offered (unless
        the person chose it again meanwhile), and said."""
        self.remembered = ""
        if self.folder.text().strip() == kept:
            self.folder.clear()
        # not offered, and said: the field was empty with no word of why
        self.folder_note.setText(_(
            "The folder last exported to, {folder}, is no longer there (a USB stick "
            "unplugged, or the folder deleted or renamed). Choose a folder.").format(
                folder=isolated(kept)))
        self.folder_note.setVisible(not self.folder.text().strip())
        # said until a folder is chosen
        self.folder.textChanged.connect(lambda text: self.folder_note.setVisible(
            not text.strip()))

    def _look_for_drives(self) -> None:
        """Ask for the removable drives on a thread of its own: the system reads each
        mounted drive, and a stalled one (a network share gone away) would freeze the
        window until it answers. Until then the dialog offers a folder. One look at a
        time (``_drive_look``): a dialog opened while one is under way takes its answer."""
        global _drive_look
        self._drives_asked = True
        # (dialogs closed while a stalled look goes on are let go of)
        _drive_waiters[:] = [*(d for d in _drive_waiters if shiboken6.isValid(d)), self]
        if _drive_look is None:
            _drive_look = OffThread(mounted_drives, _drives_answered,
                                    lambda _error: _drives_answered([]),
                                    name="fieldplan-drives", daemon=True)

    def drives_found(self, drives: list[tuple[str, str, int]]) -> None:
        """Offer ``drives`` before "A folder…"; the first is chosen if no folder is
        yet (as it was when the list was read as the dialog opened), or only the one
        last exported to, elsewhere than on a drive plugged in now (the stick was
        plugged in to take the bundle)."""
        typed = self.folder.text().strip()
        self.drive_roots = [root for _name, root, _free in drives]
        # (told from the paths' words: the folder last exported to may be on a share
        # that hangs, which only a thread of its own may ask)
        untouched = not typed or (typed == self.remembered and not any(
            _under(typed, root) for root in self.drive_roots))
        for i, (name, root, free) in enumerate(drives):
            self.place.insertItem(
                i, _("Removable drive: {drive}").format(drive=drive_label(name, free)), root)
        if drives and untouched:
            self.place.setCurrentIndex(0)
        self.drives_known = True

    def _load_recipients(self) -> None:
        from ui.enrol import enrolled_offices

        language = lang()

        def offices(rep) -> tuple[list[str], list[str]]:
            from fieldplan.sync.export import known_offices

            # in the reader's order, as the Overview and the review pack list them
            # (the regional offices, then the countries by their names): sorted by
            # code, Arabic's السنغال came after مالي, and 57 offices were read in an
            # order none of the other lists has
            return offices_in_order(enrolled_offices(rep), language), known_offices(rep)

        self._say(_("Looking up the enrolled offices…"))
        DbOp(self.session, self, offices).success(
            lambda found: self._recipients_loaded(*found)).failure(self._failed).run()

    def _recipients_loaded(self, offices: list[str], known: list[str]) -> None:
        keep = self.recipient.currentData()
        self.recipient.clear()
        self.all_offices = list(known)
        if offices and known and not self.email:
            # one mail per office would be wrong: the email outbox has no such choice
            self.recipient.addItem(_("All offices (one file each)"), ALL_OFFICES)
            self.recipient.insertSeparator(1)
        for code in offices:
            self.recipient.addItem(office_label(code), code)
        # every office by default: after the review headquarters writes for them all,
        # and a person who chose a folder and pressed Enter wrote for the first office
        # only, the others left without the locks and receipts with no word of it.
        # Not the last choice remembered: a bundle written again for one office would
        # make that office the default the next time, the same trap. Writing every
        # office's file when one was meant costs a few files (that one among them).
        # The email outbox has no "All offices": its first office
        chosen = next((i for i in (self.recipient.findData(data) for data in (
            keep, ALL_OFFICES, offices[0] if offices else None) if data) if i >= 0), 0)
        self.recipient.setCurrentIndex(chosen)
        self.ok.setEnabled(bool(offices))
        self._say(
            ""
            if offices
            else _(
                "No office is enrolled yet. Enrol an office, give it its setup bundle, "
                "and import the first bundle it sends back; then you can write bundles for it."
            )
        )
        self._recipient_changed()

    def _recipient_changed(self, *_args) -> None:
        """All offices: the button and the message say how many files it writes."""
        every = self.recipient.currentData() == ALL_OFFICES
        self.ok.setText(_("&Save bundles") if every else _("&Save bundle"))
        if every:
            self._say(counted(
                "A bundle for each office headquarters knows: {count} file, each named "
                "for its office, in the folder.",
                "A bundle for each office headquarters knows: {count} files, each named "
                "for its office, in the folder.", len(self.all_offices)))
        elif self.result_info is None and self.recipient.count():
            self._say("")

    def _enrol(self) -> None:
        from ui.enrol import EnrolDialog

        dialog = EnrolDialog(self.session, self.identity, self)
        dialog.open()

    def _place_changed(self, *_args) -> None:
        root = self.place.currentData()
        if root:
            self.folder.setText(root)

    def export(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            self._say(_("Choose a folder first."))
            ask_at(self.folder, self.message.text())
            return
        recipient = self.recipient.currentData() or None
        self.ok.setEnabled(False)
        if recipient == ALL_OFFICES:
            self._export_all(folder)
            return
        self._say(_("Writing the bundle…"))
        # only the email outbox, the client's own folder, is made when missing: one the
        # person chose that is gone is said (``prepare_folder``), as the CLI refuses it,
        # and made once the person asks for it (``_ask_to_make``)
        make = (self.email and folder == outbox_dir()) or folder == self._to_make
        self._to_make = ""  # (asked for once: gone again, it is asked again)
        roots = list(self.drive_roots)

        def run(rep):
            from fieldplan.sync import export_bundle

            prepare_folder(folder, make=make, roots=roots)
            return export_bundle(rep, for_office=recipient, out_dir=folder)

        # the dialog closed meanwhile (Close at once, a slow stick): the bundle is
        # written whole all the same, and was said to no one; the window says it
        # (closed: deleted, or about to be on a busy computer)
        window, settings, email = self.parentWidget(), self.settings, self.email

        def open_still() -> bool:
            return shiboken6.isValid(self) and self.isVisible()

        def done(result) -> None:
            if open_still():
                self._done(result)
            else:
                _saved_after_close(window, settings, email, result)

        def failed(error: BaseException) -> None:
            if open_still():
                self._failed(error)
            elif shiboken6.isValid(window):
                # (not written: said, where the person thought it went)
                _show_message(window, _("Prepare for email") if email else _("Export"),
                              error_sentence(error))

        DbOp(self.session, window, run).success(done).failure(failed).run()

    def _export_all(self, folder: str) -> None:
        """A bundle for every office, on the worker, with a progress dialog (Cancel
        stops before the next office)."""
        count = len(self.all_offices)
        self._say(counted("Writing {count} bundle…", "Writing {count} bundles…", count))

        roots = list(self.drive_roots)
        make = folder == self._to_make  # (a folder chosen is made only when asked)
        self._to_make = ""

        def run(rep, progress, cancel):
            from fieldplan.sync import export_all_offices

            prepare_folder(folder, make=make, roots=roots)
            # the stick looked at again before each office: pulled out half-way, the
            # bundles after it went to the mount point left on the computer's disk
            return export_all_offices(rep, folder, progress=progress, cancel=cancel,
                                      check=lambda: check_stick(folder, roots))

        op = DbOp(self.session, self, run).with_progress(_("Writing a bundle for each office"))
        self._writing_all = op
        op.success(self._all_done).failure(self._failed).run()

    def reject(self) -> None:
        """Escape, Close, or the window closed (the app quitting too): a bundle for
        every office being written stops before the next office, as its progress
        dialog's Cancel does (which shows only after a moment). The dialog that would
        say how far it got is gone: its bundles are not written on unasked."""
        if self._writing_all is not None:
            self._writing_all.cancel()
            self._writing_all = None
        super().reject()

    def _remember(self, folder: str | os.PathLike[str]) -> None:
        """Offer ``folder`` (written to) next time; the email outbox is offered anyway."""
        if self.settings is not None and not self.email:
            set_value(self.settings, EXPORT_FOLDER_KEY, str(folder))

    def _saved(self) -> None:
        """Once a bundle is written, Enter closes the dialog: it wrote a second bundle
        of the same events ("…_2.fieldplan") beside the first, and the stick held two
        files for headquarters, one a duplicate. Save is the default again once the
        folder or the recipient is changed (``_to_write_again``)."""
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.ok.setDefault(False)
        close.setDefault(True)
        close.setFocus()

    def _to_write_again(self, *_args) -> None:
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close.isDefault():
            close.setDefault(False)
            self.ok.setDefault(True)

    def _all_done(self, done) -> None:
        if self._writing_all is None:
            # Escape closed the dialog as the last office was written (``reject``):
            # nothing is said to a dialog gone, nor its folder offered next time
            return
        self._writing_all = None
        self.result_info = done
        self._remember(done.folder)
        self.ok.setEnabled(self.recipient.count() > 0)
        self._saved()
        before, after = all_offices_text(done)
        # (a screen reader names the path: a folder here)
        self.path_label.setAccessibleName(_("Path of the folder the bundles were saved in"))
        self._say(before, str(done.folder), after)
        announce(self.message, self.said())
        size_to_content(self, max(self.width(), 600))
        emit(self.export_did_finish, done)

    def _done(self, result) -> None:
        self.result_info = result
        self._remember(Path(result.path).parent)
        self.ok.setEnabled(self.recipient.count() > 0)
        self._saved()
        before, text = saved_text(result)
        if getattr(result, "note", ""):  # nothing new: only receipts; still worth sending
            text += "\n\n" + sentence(result.note) + "."
        if getattr(result, "again", False):  # in the place of the same, saved before
            from fieldplan.sync import saved_again_text

            text += "\n\n" + sentence(saved_again_text()) + "."
        if self.email:
            recipient = self.recipient.currentText()
            subject = email_subject(self.identity, self.period, recipient)
            text += "\n\n" + _("Attach it to an email with the subject:") + "\n" + subject
            self.subject = subject
            folder = str(Path(result.path).parent)
            if not open_folder(folder):
                # no file manager to open it with (no xdg-open): where to find the file
                # (the folder on a line of its own, to select and copy; on the layout's
                # side, as the lines above it: a line of an isolate alone went left)
                text += "\n\n" + _("The outbox folder could not be opened. The file is in "
                                    "this folder:") + "\n" + (
                                        RLM if self.isRightToLeft() else "") + isolated(folder)
        if result.warning:  # the bundle is good; say what else went wrong (a sentence)
            text += "\n\n" + sentence(result.warning)
        self.path_label.setAccessibleName(_("Path of the bundle saved"))
        self._say(before, str(result.path), text.strip())
        # said too: the focus is on Close (Enter closes), away from what was written
        announce(self.message, self.said())
        # grow with the message: the email subject is its last line, and was cut off
        size_to_content(self, max(self.width(), 600))
        emit(self.export_did_finish, result)

    def _say(self, text: str, path: str = "", after: str = "") -> None:
        """Show ``text`` in the message; then, for a bundle written, its ``path`` on a
        line of its own and ``after`` it what else there is to say (else both hidden).
        """
        say_around_path(self.message, self.path_label, self.after_path, text, path, after)
        # read and copied with the keyboard once it says something; empty, Tab stopped
        # on it (a frame around nothing, read as nothing) between Browse and Save
        self.message.setFocusPolicy(Qt.FocusPolicy.StrongFocus if text
                                    else Qt.FocusPolicy.NoFocus)

    def said(self) -> str:
        """All the dialog says, as shown: the message, the path, what follows it."""
        return said_by(self.message, self.path_label, self.after_path)

    def _failed(self, error: BaseException) -> None:
        self._writing_all = None
        self.ok.setEnabled(self.recipient.count() > 0)
        self._say(error_sentence(error))
        announce(self.message)  # (why nothing was written, away from the focus)
        if isinstance(error, FolderMissing) and error.can_make \
                and error.folder == self.folder.text().strip():
            self._ask_to_make(error.folder)

    def _ask_to_make(self, folder: str) -> ConfirmDialog:
        """The folder chosen is gone (deleted, renamed), the one it was in is there:
        make it again and save there, or choose another (Browse…), or neither."""
        from ui.dialogs import ConfirmDialog, browse_folder

        dialog = ConfirmDialog(
            self, self.windowTitle(),
            _("The folder {folder} does not exist: it may have been deleted or renamed. "
              "Make it again and save the bundle there, or choose another folder.").format(
                  folder=isolated(folder)),
            ok_text=_("&Make the folder"))
        dialog.setObjectName("make-folder-dialog")
        other = dialog.ok_button.parent().addButton(
            _("&Choose another folder…"), QDialogButtonBox.ButtonRole.ActionRole)
        other.setAutoDefault(False)
        tab_in_layout_order(other.parent())

        def choose_another() -> None:
            dialog.reject()
            browse_folder(self, self.folder)

        other.clicked.connect(lambda _checked=False: choose_another())

        def make() -> None:
            if self.folder.text().strip() == folder:  # (not changed meanwhile)
                self._to_make = folder
                self.export()

        dialog.accepted.connect(make)
        dialog.open()
        return dialog


def saved_text(result) -> tuple[str, str]:
    """What is said of a bundle written (an ExportResult), before its path and after
    it: "Saved the bundle (3 KB, 60 events):"."""
    saved = ngettext("Saved the bundle ({size}, {events} event):\n{file}",
                     "Saved the bundle ({size}, {events} events):\n{file}", result.events)
    size, events = size_text(result.size), format_number(result.events)
    before, after = (part.format(size=size, events=events) for part in around(saved, "file"))
    return before, after


def _saved_after_close(window: QWidget | None, settings: QSettings | None, email: bool,
                       result) -> None:
    """A bundle written after its Export dialog was closed: its folder offered next
    time, the window's last export told at once, and where it went said in its status
    bar (on one line)."""
    if settings is not None and not email:
        set_value(settings, EXPORT_FOLDER_KEY, str(Path(result.path).parent))
    if window is None or not shiboken6.isValid(window):
        return
    exported = getattr(window, "_exported", None)
    if exported is not None:
        exported(result)
    bar = getattr(window, "statusBar", None)
    if callable(bar):
        before, after = saved_text(result)
        bar().showMessage(" ".join(part for part in (
            before, isolated(str(result.path)), after) if part), 15_000)


def all_offices_text(done) -> tuple[str, str]:
    """What the Export dialog says of a bundle for every office (an AllOfficesExport),
    before the folder (on a line of its own, as a single bundle's path) and after it:
    how many were written; each office that has none, with why; those the cancel left
    out, by code."""
    written, total = len(done.written), len(done.offices)
    if written == total:
        said = ngettext("Saved {count} bundle, one file for each office, in this folder:"
                        "\n{folder}",
                        "Saved {count} bundles, one file for each office, in this folder:"
                        "\n{folder}", written)
    else:
        said = ngettext("Saved {count} of {total} bundle in this folder:\n{folder}",
                        "Saved {count} of {total} bundles in this folder:\n{folder}", total)
    before, text = (part.format(count=format_number(written), total=format_number(total))
                    for part in around(said, "folder"))
    failed = [o for o in done.failed if not o.cancelled]
    if failed:
        text += "\n\n" + ngettext("No bundle for this office:", "No bundle for these offices:",
                                   len(failed))
        # the offices of one reason on one line, by code: a USB stick pulled out after
        # the first of 57 offices said the same sentence 56 times, the dialog taller
        # than the screen and its buttons out of sight
        by_reason: dict[str, list[str]] = {}
        for o in failed:
            by_reason.setdefault(o.reason, []).append(o.office)
        for reason, offices in by_reason.items():
            named = (f"{offices[0]} · {office_name(offices[0], lang())}"
                     if len(offices) == 1 else join_list(offices))
            # Translators: an office with no bundle and why, e.g. "ML · Mali: cannot
            # write …: the disk is full"; for several offices of one reason, their codes
            # ("ML, SN, TD: the USB stick at … is no longer there: …")
            # (in Arabic, the code and the paths in it read left to right, whole)
            text += "\n" + isolated_codes(_("{office}: {reason}").format(
                office=named, reason=reason))
    left = [o.office for o in done.failed if o.cancelled]
    if left:
        text += "\n\n" + counted(
            "Cancelled: {count} office has no bundle ({offices}).",
            "Cancelled: {count} offices have no bundle ({offices}).", len(left),
            offices=join_list(left))
    receipts = sum(1 for r in done.written if r.note)
    if receipts:
        text += "\n\n" + counted(
            "{count} of them carries no new entries, only receipts: sending it still tells "
            "its office what arrived.",
            "{count} of them carry no new entries, only receipts: sending them still tells "
            "each office what arrived.", receipts)
    # (as a single bundle's export says it, ``saved_again_text``): exported again onto
    # the same stick with nothing new, "Saved 57 bundles" read as 57 new files there
    again = sum(1 for r in done.written if r.again)
    if again:
        text += "\n\n" + counted(
            "{count} of them holds nothing new since the bundle saved before under its "
            "name: it was saved again in its place, not as a second file.",
            "{count} of them hold nothing new since the bundles saved before under their "
            "names: they were saved again in their place, not as second files.", again)
    for warning in dict.fromkeys(r.warning for r in done.written if r.warning):
        text += "\n\n" + sentence(warning)
    return before, text.strip()
