"""Progress as a spreadsheet, from inside the client: File ▸ Export table… asks for the
file type (Excel workbook, CSV or HXL), the period (the one the window shows, another,
or all of them) and the language of the names, then for a file name, and the core's
``fieldplan.tabular.export_table`` writes it on the database worker, whole or not at
all, exactly as ``fieldplan data export`` does. Office staff who never open a
terminal get the same file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan.errors import CancelledError
from fieldplan.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    counted,
    file_name_word,
    format_period,
)
from fieldplan.periods import as_period
from ui.bidi import isolated, isolated_codes
from ui.context import Identity, lang
from ui.dialogs import (
    MessageDialog,
    after_path_label,
    around,
    buddy_label,
    choice_combo,
    documents_dir,
    follow_plan_periods,
    note_label,
    path_label,
    refill_combo,
    said_by,
    save_file_dialog,
    say_around_path,
    size_to_content,
    tab_in_layout_order,
)
from ui.ops import DbOp, Session, error_text, sentence
from ui.path_label import PlainLabel
from ui.plain_text import tip_text
from ui.window_settings import set_value

#: The file types, in the order offered: a workbook first, what most people open.
TABLE_FORMATS = ("xlsx", "csv", "hxl")
#: The ending a new file gets. HXL is CSV with a row of hashtags: HXL tools and
#: spreadsheets both open it as .csv (``.hxl`` names are accepted too).
SUFFIXES = {"xlsx": "xlsx", "csv": "csv", "hxl": "csv"}


def format_label(fmt: str) -> str:
    """The file type in words, with the ending its file gets. In Arabic the ending
    stays whole (".csv", not "csv."), and a label that starts with a Latin name
    ("CSV، …") still reads right to left."""
    suffix = isolated("." + SUFFIXES[fmt])
    if fmt == "xlsx":
        # Translators: {suffix} is the file name ending, ".xlsx"
        text = _("Excel workbook, for any spreadsheet ({suffix})")
    elif fmt == "hxl":
        # Translators: {suffix} is the file name ending, ".csv"
        text = _("HXL, for humanitarian data tools ({suffix})")
    else:
        # commas whatever the language: a French or Arabic Excel, which expects ";",
        # opens it as one column; the workbook is the spreadsheet's file
        # Translators: {suffix} is the file name ending, ".csv"
        text = _("CSV, comma-separated, for other programs ({suffix})")
    # the ending put in after the Latin words are isolated: isolating "Excel (.xlsx"
    # as one run would carry the bracket into it
    return isolated_codes(text.format(suffix="\ue000")).replace("\ue000", suffix)


def name_filter(fmt: str) -> str:
    """The save dialog's filter: the files of this type only."""
    if fmt == "xlsx":
        return _("Excel workbooks (*.xlsx)")
    if fmt == "hxl":
        return _("HXL files (*.csv *.hxl)")
    return _("CSV files (*.csv)")


@dataclass(frozen=True)
class TableRequest:
    """A table to write. fmt: one of TABLE_FORMATS; period: one period, or "" for
    all of them; lang: the language of office names and action titles; office: an
    office's own code, put in the file name (empty at headquarters, whose table holds
    every office)."""

    fmt: str = "xlsx"
    period: str = ""
    lang: str = "en"
    office: str = ""

    def file_name(self) -> str:
        """A file name to offer, in the table's language (in ASCII, English words for
        Arabic: file_name_word says why), e.g. ``progress-2026-S1-en.xlsx``,
        ``avancement-SN-2026-S1-fr.xlsx``; an HXL file says so (``…-hxl.csv``) so that
        it does not take the CSV file's name."""
        parts = [file_name_word("progress", self.lang), self.office,
                 self.period or file_name_word("all-periods", self.lang), self.lang,
                 "hxl" if self.fmt == "hxl" else ""]
        return "-".join(p for p in parts if p) + "." + SUFFIXES[self.fmt]


def saved_text(request: TableRequest, rows: int, file: str, hidden: int = 0) -> str:
    """What was written: the number of rows, or, for no row at all, that the file
    holds the column headings only (and why); then the file, on a line of its own
    (the dialog shows it apart: ``around``); and how many of the rows are reports the
    current plan hides (``hidden``)."""
    if rows == 0:
        if request.period:
            text = _("Saved with the column headings only (no progress report is recorded "
                     "for {period}):\n{file}").format(file=file,
                                                     period=format_period(request.period))
        else:
            text = _("Saved with the column headings only (no progress report is recorded "
                     "yet):\n{file}").format(file=file)
    else:
        text = counted("Saved {n} row in:\n{file}", "Saved {n} rows in:\n{file}", rows,
                       file=file)
    if hidden:
        text += "\n" + hidden_note(hidden)
    return text


def hidden_note(count: int) -> str:
    """How many rows written are reports the current plan hides (``count`` > 0), said
    of what the client shows (the command line's ``tabular.hidden_note`` names its
    ``status`` command instead). The column keeps its name in every language: it is
    the file's heading."""
    # Translators: {column} is the name of a column of the file, "plan_hidden"
    return counted(
        "{count} row is a report the current plan hides, marked in the column {column}: "
        "the review pack, the status sheets and the dashboards leave it out.",
        "{count} rows are reports the current plan hides, marked in the column {column}: "
        "the review pack, the status sheets and the dashboards leave them out.",
        count, column=isolated("plan_hidden"))


class TableExportDialog(QDialog):
    """File type, period and language; Save as… asks for the file and writes it on the
    worker. The dialog stays open to say what was written, with buttons to open the
    file or its folder (or to write another)."""

    def __init__(self, parent: QWidget, session: Session, identity: Identity, period: str,
                 settings: QSettings) -> None:
        super().__init__(parent)
        self.session, self.identity, self.settings = session, identity, settings
        self._main_window = parent
        self.saved_path = ""
        self.setObjectName("table-export-dialog")
        self.setWindowTitle(_("Export table"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form = QFormLayout()
        self.format_combo = choice_combo(
            _("File type"), [(format_label(f), f) for f in TABLE_FORMATS],
            settings.value("tables/format", TABLE_FORMATS[0]))
        form.addRow(buddy_label(_("File &type"), self.format_combo), self.format_combo)
        #: the periods reports are held for (progress.held_periods): read on the worker,
        #: to offer the ones the plan hides too
        self.held: list[str] = []
        self.period_combo = choice_combo(_("Period"), _period_items(identity), period)
        form.addRow(buddy_label(_("&Period"), self.period_combo), self.period_combo)
        # the names of offices and actions in the table: the interface's by default
        self.lang_combo = choice_combo(
            _("Language of the names"), [(LANGUAGE_NAMES[c], c) for c in LANGUAGES], lang())
        self.lang_combo.setToolTip(_("The language of office names and action titles in "
                                     "the table"))
        form.addRow(buddy_label(_("&Language"), self.lang_combo), self.lang_combo)
        self.message = PlainLabel(name="table-export-message")
        self.message.setVisible(False)
        # the plan changed under the dialog, and with it the period chosen
        self.plan_note = note_label("table-export-plan-note")
        # what to do with the file written, on a row of their own under its path
        # (before the dialog's buttons, for Tab too): the four buttons on one row were
        # 643 pixels wide in French at 14 points, nearly all a laptop at 200 % has
        self.open_button = QPushButton(_("&Open the file"))
        self.open_button.clicked.connect(lambda _checked=False: self.open_file())
        self.folder_button = QPushButton(_("Open the fol&der"))
        self.folder_button.clicked.connect(lambda _checked=False: self.open_folder())
        #: (the open buttons' row)
        self.file_row = file_row = QHBoxLayout()
        for b in (self.open_button, self.folder_button):
            b.setVisible(False)  # once a file is written
            file_row.addWidget(b)
        file_row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.save_button = buttons.addButton(_("&Save as…"), role)
        self.save_button.clicked.connect(lambda _checked=False: self.save_as())
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.plan_note)
        lay.addWidget(self.message)
        # the file written on a line of its own, whole and left to right: inside the
        # wrapped sentence an Arabic one broke at a hyphen, its parts out of order
        self.path_label = path_label("table-export-path", _("Path of the table saved"))
        lay.addWidget(self.path_label)
        #: what follows the path: the rows the plan hides
        self.after_path = after_path_label("table-export-after-path", blank_line=False)
        lay.addWidget(self.after_path)
        lay.addLayout(file_row)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)  # (Close was made first: Tab reached it first)
        # Enter saves, wherever the focus is in the form (once in the dialog: a button
        # made default outside it is not the dialog's, which then picks another)
        self.close_button.setAutoDefault(False)
        self.save_button.setDefault(True)
        # the choices whole where the screen has room; where it has not (French at 14
        # points on a laptop at 200 %: the file types made the dialog 755 pixels wide,
        # on 683), a choice ends with "…" and is whole in its tooltip and its list
        for combo in (self.format_combo, self.period_combo, self.lang_combo):
            combo.shrink_to(12)
        size_to_content(self, max(460, self.sizeHint().width()))
        self.read_held_periods()

    def read_held_periods(self) -> None:
        """Read (on the worker) which periods reports are held for, then offer those
        the plan hides too, the choice kept."""

        def run(rep):
            from fieldplan.progress import held_periods

            return held_periods(rep)

        DbOp(self.session, self, run).success(self._held_read).run()

    def _held_read(self, held: list[str]) -> None:
        self.held = held
        items = _period_items(self.identity, held)
        if items != self._period_items_shown():
            refill_combo(self.period_combo, items, self.period_combo.currentData())

    def _period_items_shown(self) -> list[tuple[str, str]]:
        combo = self.period_combo
        return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]

    def set_identity(self, identity: Identity) -> None:
        """Offer the periods of a new plan (an amendment: MainWindow.set_identity): the
        one chosen while the plan has it or hides it with reports held, else the
        nearest, said in the dialog; the other choices stay."""
        self.identity = identity
        items = _period_items(identity, self.held)
        if self.period_combo.currentData() in {p for _text, p in items}:
            refill_combo(self.period_combo, items, self.period_combo.currentData())
        elif follow_plan_periods(self.period_combo, self.plan_note, identity, items):
            size_to_content(self, max(self.width(), 460))
        self.read_held_periods()  # the import that brought the plan may bring reports

    def request(self) -> TableRequest:
        return TableRequest(
            fmt=self.format_combo.currentData(),
            period=self.period_combo.currentData(),
            lang=self.lang_combo.currentData(),
            office="" if self.identity.is_hq else self.identity.office,
        )

    def default_path(self) -> str:
        """The offered file: in the folder of the last table (if it is still there),
        else in Documents."""
        folder = str(self.settings.value("tables/folder", "") or "")
        if not folder or not Path(folder).is_dir():
            folder = documents_dir()
        return str(Path(folder) / self.request().file_name())

    def save_as(self) -> QFileDialog:
        """The save dialog, for the chosen type's files; writing starts when a name is
        chosen."""
        fmt = self.request().fmt
        return save_file_dialog(self, _("Export table"), self.default_path(),
                                "save-table-dialog", name_filter(fmt), SUFFIXES[fmt],
                                self.export_to)

    def export_to(self, path: str) -> None:
        """Write the table to ``path`` on the worker; say what came of it."""
        request = self.request()
        set_value(self.settings, "tables/format", request.fmt)
        self._set_busy(True)
        self._say(_("Writing the table…"))
        window, dialog = self._main_window, self
        from ui.transfer import check_stick

        def run(rep, progress, cancel):
            from fieldplan.tabular import write_table  # not before it is needed

            # its folder gone with the USB stick it was on: said so
            check_stick(str(Path(path).parent))
            return write_table(rep, request.fmt, path, lang=request.lang,
                               period=request.period or None, progress=progress,
                               cancel=cancel)

        def done(result) -> None:
            # in the window's status bar too: the dialog may have been closed meanwhile
            _show_status(window, saved_text(request, result.rows, isolated(Path(path).name),
                                            result.hidden))
            if shiboken6.isValid(dialog):
                dialog._saved(request, path, result.rows, result.hidden)

        def failed(error: BaseException) -> None:
            alive = shiboken6.isValid(dialog)
            if alive:
                dialog._set_busy(False)
                dialog._say("")
            if isinstance(error, CancelledError):  # asked for: no file, and no alarm
                text = sentence(error_text(error)) + "."
                if alive:
                    dialog._say(text)
                else:
                    _show_status(window, text)
                return
            box = MessageDialog(
                dialog if alive else window, _("Export table"),
                _("The table could not be saved: {reason}").format(
                    reason=isolated_codes(error_text(error))))
            box.setObjectName("table-export-error")
            box.open()

        # the window is the parent: the result is still said if this dialog is closed
        DbOp(self.session, window, run).with_progress(_("Writing the table…")).success(
            done).failure(failed).run()

    def _saved(self, request: TableRequest, path: str, rows: int, hidden: int = 0) -> None:
        self.saved_path = path
        set_value(self.settings, "tables/folder", str(Path(path).parent))
        self._set_busy(False)
        # the sentence around its {file}, the file on a line of its own
        before, after = around(saved_text(request, rows, "{file}", hidden), "file")
        self._say(before, path, after)
        self.message.setToolTip(tip_text(path))  # a path: as written
        for b in (self.open_button, self.folder_button):
            b.setVisible(True)
        # what comes next, most likely: Enter opens the table
        self.open_button.setFocus(Qt.FocusReason.OtherFocusReason)
        size_to_content(self, max(self.width(), 460))

    def _set_busy(self, busy: bool) -> None:
        for w in (self.save_button, self.format_combo, self.period_combo, self.lang_combo,
                  self.open_button, self.folder_button):
            w.setEnabled(not busy)

    def _say(self, text: str, path: str = "", after: str = "") -> None:
        """Show ``text``; then, for a table written, its ``path`` on a line of its own
        and ``after`` it what else there is to say (else both hidden)."""
        say_around_path(self.message, self.path_label, self.after_path, text, path, after)
        self.message.setToolTip("")
        self.message.setVisible(bool(text))

    def said(self) -> str:
        """All the dialog says, as shown: the message, the path, what follows it."""
        return said_by(self.message, self.path_label, self.after_path)

    def open_file(self) -> bool:
        """The written table in the program the system opens such files with."""
        if not self.saved_path:
            return False
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(self.saved_path))
        if not opened:
            box = MessageDialog(self, _("Export table"), _(
                "No program to open {file} was found. Open the folder and open it from "
                "there.").format(file=isolated(Path(self.saved_path).name)))
            box.setObjectName("table-export-error")
            box.open()
        return opened

    def open_folder(self) -> bool:
        """The folder of the written table, in the system's file manager."""
        if not self.saved_path:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.saved_path).parent)))


def _period_items(identity: Identity, held: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The period combo's items: the plan's periods and, among them in time order, the
    ones it hides that reports are ``held`` for (an amendment moved its dates: their
    reports are still exported, said so), then all of them."""
    periods = identity.periods()
    hidden = [p for p in held if p not in periods]
    items = [(hidden_period_text(p) if p in hidden else format_period(p), p)
             for p in sorted([*periods, *hidden], key=as_period)]
    return [*items, (_("All periods"), "")]


def hidden_period_text(period: str) -> str:
    """A period the plan hides, as the period list offers it: "2nd semester 2025 ·
    hidden by the plan" (as HQ's table of reports says of such a report)."""
    # Translators: a period outside the plan's dates that reports are still held for
    # (exported all the same); {period} is "2nd semester 2025"
    return _("{period} · hidden by the plan").format(period=format_period(period))


def _show_status(window: QWidget | None, text: str) -> None:
    bar = getattr(window, "statusBar", None)
    if window is not None and shiboken6.isValid(window) and callable(bar):
        # one line: "Saved 2 rows in: progress.xlsx"
        bar().showMessage(" ".join(text.split("\n")), 8000)


def ask(window) -> TableExportDialog:
    """Open the dialog for ``window`` (a MainWindow): its session, identity (and the
    new one when the plan changes), the period it shows and its settings."""
    dialog = TableExportDialog(window, window.session, window.identity, window.period,
                               window.settings)
    # the window reads the plan again after an import or an amendment: follow it
    window.identity_did_change.connect(dialog.set_identity)
    dialog.open()
    return dialog
