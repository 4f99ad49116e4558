"""The printable reports inside the client: choose a report (office status sheet or,
at headquarters, the semester review pack), build it on the database worker with a
progress dialog, then preview it (QtPdf), print it through the system print dialog,
save a copy or open it in the system's PDF viewer.

The PDF is written to the user cache folder (``reports/``); those older than a day
are removed the next time a report is built, unless changed (``ui.report_cache``);
the system's viewer is given a read-only copy of its own. Printing renders each page
to images on a thread of its own, a band at a time, so a long pack never freezes the
window.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QRect, QRectF, QSettings, QSize, Qt, QUrl
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QImageWriter,
    QKeyEvent,
    QKeySequence,
    QPainter,
)
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan import files, reports
from fieldplan.errors import FieldplanError
from fieldplan.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    counted,
    file_name_word,
    format_period,
    is_rtl,
    join_list,
    ltr,
)
from fieldplan.offices import HQ, all_offices, office_name, offices_hq_last
from ui.bidi import isolated, isolated_codes
from ui.context import Identity, lang, office_label
from ui.dialogs import (
    MessageDialog,
    buddy_label,
    choice_combo,
    documents_dir,
    fit_to_screen,
    follow_plan_periods,
    note_label,
    refill_combo,
    save_file_dialog,
    say_in_passing,
    selectable,
    tab_in_layout_order,
)
from ui.flow import FlowLayout
from ui.lp_print import LpJob, PrintThread, lp_options, uses_lp
from ui.ops import DbOp, OffThread, Session, cancel_by_escape_only, error_text
from ui.plain_text import tip_text
from ui.qtcompat import emit
from ui.report_cache import (
    KeptReport,
    drop_viewer_copy,
    hold,
    let_go,
    make_private,
    prune,
    record_written,
    recorded,
    remove_written,
    viewer_copy,
)
from ui.window_settings import (
    REPORT_OFFICE,
    database_value,
    set_database_value,
    set_value,
)
from ui.wrapped_label import DocumentLabel

#: Pages are rendered for the printer at its resolution, but never finer than this:
#: an A4 page at 1200 dpi would be a 550 MB image on a modest laptop.
MAX_PRINT_DPI = 300
#: Printed pages are rendered and painted in bands this many rows high (page_bands).
PRINT_BAND_ROWS = 128
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 4.0)


def reports_dir() -> Path:
    """Where built reports are written before the user saves or prints them."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fieldplan")) / "reports"


class ReportCancelled(FieldplanError):
    """The user cancelled building a report."""


@dataclass(frozen=True)
class ReportRequest:
    """A report to build. kind: ``"sheet"`` or ``"pack"``; office: the office of a
    status sheet (empty: this replica's own); lang: the report's language; paper:
    one of ``fieldplan.reports.PAPERS``; deadline: the review pack's, the day reports
    were due (None: the period's default)."""

    kind: str
    period: str
    office: str = ""
    lang: str = "en"
    paper: str = "A4"
    deadline: date | None = None

    def stem(self) -> str:
        """A file name without suffix, in the report's language (in ASCII, English
        words for Arabic: file_name_word says why), e.g. ``review-pack-2026-S1-en``,
        ``fiche-d-avancement-SN-2026-S1-fr``."""
        if self.kind == "pack":
            return f"{file_name_word('review-pack', self.lang)}-{self.period}-{self.lang}"
        office = self.office or file_name_word("office", self.lang)
        return (f"{file_name_word('status-sheet', self.lang)}-{office}-{self.period}"
                f"-{self.lang}")

    def title(self) -> str:
        """The preview window's title, in the interface language."""
        period = format_period(self.period)
        if self.kind == "pack":
            return _("Semester review pack · {period}").format(period=period)
        return _("Status sheet: {office} · {period}").format(
            office=office_name(self.office, lang()), period=period
        )


def build_report(rep, request: ReportRequest, progress=None, cancel=None,
                 kept: list[Path] | None = None) -> Path:
    """(worker) Build ``request`` into a new file under ``reports_dir()``, recorded as
    written (the clean-up removes it only while unchanged). ``kept``: given, extended
    with the reports of the cache past their time that the clean-up kept, changed
    since fieldplan wrote them (``report_cache.prune``), to be said where they are.

    The builders take no cancel flag, but they report progress between steps (each
    office's data, each layout pass) and write their file only at the end, through a
    temporary name: raising from ``progress`` when the user has cancelled stops the
    build at its next step and leaves no file behind.
    """
    from fieldplan.errors import FileError

    folder = reports_dir()
    try:
        make_private(folder)
    except OSError as exc:  # in words, not "Unexpected error: FileExistsError: [Errno 17]"
        if folder.is_file():
            raise FileError(_("{path} is a file, not a folder").format(path=ltr(folder))) from None
        raise _preview_error(exc) from None
    found = prune(folder)
    if kept is not None:
        kept.extend(found)
    out = folder / f"{request.stem()}-{uuid.uuid4().hex[:8]}.pdf"
    same_language = request.lang == lang()

    def report(done: int, total: int, label: str) -> None:
        if cancel is not None and cancel():
            raise ReportCancelled(_("Report cancelled."))
        if progress is not None:
            # the builders' own words are in the report's language
            progress(done, total, label if same_language else _("Preparing the report…"))

    try:
        if request.kind == "pack":
            deadline = request.deadline
            if deadline is None:  # (the one headquarters named for the period, else default)
                from fieldplan.reports.deadlines import period_deadline

                deadline = period_deadline(rep, request.period)
            built = reports.build_review_pack(
                rep, request.period, out, lang=request.lang, paper=request.paper,
                progress=report, deadline=deadline
            )
        else:
            built = reports.build_status_sheet(
                rep,
                request.period,
                request.office or None,
                out=out,
                lang=request.lang,
                paper=request.paper,
                progress=report,
            )
        with contextlib.suppress(OSError):  # (unrecorded: kept, never lost)
            record_written(Path(built))
        return built
    except FileError as exc:
        if exc.os_error is None or exc.file != str(out):
            raise
        raise _preview_error(exc.os_error) from None


def _preview_error(exc: OSError) -> files.FileError:
    """The error for a report that could not be written to the reports' cache, where
    it is made to be previewed: why, and what to do, without the cache's file or
    folder, which the person never chose nor sees (said after "The report could not
    be made:")."""
    from fieldplan.errors import FileError

    return FileError(files.os_error_reason(exc, writing=True, own=True))


def forget_report(path: Path) -> None:
    """Remove a built report its preview no longer shows, if it is one of
    ``reports_dir``'s and as fieldplan wrote it (nothing else is ever removed): each
    report built took its room in the cache for a day, a few MB a review pack, at
    headquarters building one after another. Left for the clean-up when it cannot be
    removed now."""
    try:
        if path.parent.resolve() == reports_dir().resolve():
            remove_written(path)
    except OSError:
        pass  # (held open on Windows: pruned once a day old)


def same_file(path: Path, other: str) -> bool:
    """(off the GUI thread: a disk's look) Whether ``other`` is the file ``path`` (a
    copy saved over the report itself, under the cache's name for it)."""
    import os

    try:
        return os.path.samefile(path, other)
    except (OSError, ValueError):
        return False


# --- choosing a report -----------------------------------------------------------------


def _sheet_offices(offices) -> list[tuple[str, str]]:
    """(HQ's status sheet) The offices to choose from, "ML · Mali", as the Overview and
    the Reports page's 'Filter by office' list them (``offices.office_ranks``): the
    regional offices, then the countries by their names, headquarters last, apart
    (``_set_hq_apart``). It came first here, at the other end from every page of
    reports."""
    return [(office_label(o), o) for o in offices_hq_last(offices, lang())]


def _set_hq_apart(combo: QComboBox) -> None:
    """A line over headquarters in the office chooser, as 'Filter by office' has one,
    when other offices are above it."""
    at = combo.findData(HQ)
    if at > 0:
        combo.insertSeparator(at)


class ReportDialog(QDialog):
    """Period, language and paper (and, for HQ's status sheet, the office); on OK
    builds the report and opens its preview."""

    def __init__(
        self,
        parent: QWidget,
        session: Session,
        identity: Identity,
        period: str,
        settings: QSettings,
        kind: str = "sheet",
    ) -> None:
        super().__init__(parent)
        self.session, self.identity, self.settings, self.kind = session, identity, settings, kind
        self.setObjectName(f"report-dialog-{kind}")
        self.setWindowTitle(_("Semester review pack") if kind == "pack" else _("Status sheet"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form = QFormLayout()
        self.office_combo: QComboBox | None = None
        if kind == "sheet" and identity.is_hq:
            # "ML · Mali", in the review pack's order (_sheet_offices); the offices
            # headquarters knows once read (_offices_loaded)
            self.office_combo = choice_combo(
                _("Office"), _sheet_offices(all_offices()),
                database_value(settings, identity, REPORT_OFFICE, identity.office),
            )
            _set_hq_apart(self.office_combo)
            form.addRow(buddy_label(_("&Office"), self.office_combo), self.office_combo)
            self._load_offices()
        self.period_combo = choice_combo(_("Period"), _period_items(identity), period)
        form.addRow(buddy_label(_("&Period"), self.period_combo), self.period_combo)
        self.lang_combo = choice_combo(
            _("Report language"), [(LANGUAGE_NAMES[c], c) for c in LANGUAGES], lang()
        )
        form.addRow(buddy_label(_("&Language"), self.lang_combo), self.lang_combo)
        papers = {"A4": _("A4 (210 × 297 mm)"), "Letter": _("Letter (8.5 × 11 in)")}
        self.paper_combo = choice_combo(
            _("Paper size"),
            [(papers.get(p, p), p) for p in reports.PAPERS],
            settings.value("reports/paper", reports.PAPERS[0]),
        )
        form.addRow(buddy_label(_("P&aper"), self.paper_combo), self.paper_combo)
        self.deadline_edit: QDateEdit | None = None
        self._deadline_period = ""  # the period whose deadline is shown
        #: the days headquarters named for periods (kept in its database:
        #: ``fieldplan.reports.deadlines``), None until read (``_load_deadlines``)
        self._named: dict[str, date] | None = None
        #: the day the dialog itself last put in the edit (another there: the person's)
        self._shown: date | None = None
        if kind == "pack":
            # every semester's data arrives after it ends: late means after this day
            self.deadline_edit = QDateEdit()
            self.deadline_edit.setObjectName("report-deadline")
            self.deadline_edit.setCalendarPopup(True)
            # the month by name (in the interface's language): 03/04 reads two ways
            self.deadline_edit.setDisplayFormat("d MMMM yyyy")
            self.deadline_edit.setAccessibleName(_("Reports due by"))
            self.deadline_edit.setToolTip(_(
                "Data received at headquarters after this day is listed as late in the pack."))
            form.addRow(buddy_label(_("Reports &due by"), self.deadline_edit),
                        self.deadline_edit)
            self._follow_deadline()
            self.period_combo.currentIndexChanged.connect(self._follow_deadline)
            self._load_deadlines()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("P&review"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # the plan changed under the dialog, and with it the period chosen
        self.plan_note = note_label("report-plan-note")
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.plan_note)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)  # (OK came first on GNOME, which shows it last)
        # 420 px wide at least when it opens, and never narrower than its content: a
        # minimum width of its own stopped Qt keeping the dialog as wide as its layout
        # ("Date limi…" cut in French at large fonts)
        self.resize(max(420, self.sizeHint().width()), self.sizeHint().height())
        self.accepted.connect(self._build)

    def _load_offices(self) -> None:
        """(HQ's status sheet) Offer only the offices headquarters can print a sheet of:
        itself and those it enrolled or holds reports of (``known_offices``); one never
        enrolled was offered, and refused only once Preview was pressed."""
        def offices(rep) -> list[str]:
            from fieldplan.sync.export import known_offices

            return known_offices(rep)

        DbOp(self.session, self, offices).success(self._offices_loaded).run()

    def _offices_loaded(self, known: list[str]) -> None:
        combo = self.office_combo
        if combo is None:
            return
        refill_combo(combo, _sheet_offices(o for o in all_offices() if o == HQ or o in known),
                     combo.currentData())
        _set_hq_apart(combo)

    def set_identity(self, identity: Identity) -> None:
        """Offer the periods of a new plan (an amendment: MainWindow.set_identity): the
        one chosen while the plan has it, else the nearest, said in the dialog; the
        office, language and paper chosen stay."""
        self.identity = identity
        edit = self.deadline_edit
        chosen = (self._deadline_period, edit.date()) if edit is not None else None
        if follow_plan_periods(self.period_combo, self.plan_note, identity,
                               _period_items(identity)):
            self.adjustSize()
        if chosen is not None and self.period_combo.currentData() == chosen[0]:
            # the refill passed through other periods: the day chosen for this one stays
            self._deadline_period = chosen[0]
            edit.setDate(max(chosen[1], edit.minimumDate()))

    def _follow_deadline(self) -> None:
        """The chosen period's deadline (the one last named for it here, else its
        default), and no day before the period ends."""
        edit, period = self.deadline_edit, self.period_combo.currentData()
        if edit is None or not period:
            return
        edit.setMinimumDate(self.identity.plan.period_bounds(period)[1])
        if period != self._deadline_period:
            self._deadline_period = period
            self._show_deadline()

    def _show_deadline(self) -> None:
        """The deadline headquarters named for the period shown, else its default."""
        period = self._deadline_period
        self._shown = ((self._named or {}).get(period)
                       or reports.default_deadline(self.identity.plan, period))
        self.deadline_edit.setDate(self._shown)

    def _load_deadlines(self) -> None:
        """Read the days headquarters named for the periods (on the worker): kept in
        its database, the same whichever computer or user account opens it, and for
        the command line's ``report review``. (Until read, the period's default is
        shown; Preview pressed meanwhile prints with the period's own day.)"""
        if self.session is None:
            return

        def named(rep) -> dict[str, date]:
            from fieldplan.reports.deadlines import named_deadlines

            return named_deadlines(rep)

        DbOp(self.session, self, named).success(self._deadlines_loaded).failure(
            lambda _error: None).run()  # (not read: the pack reads the period's own)

    def _deadlines_loaded(self, named: dict[str, date]) -> None:
        self._named = named
        edit = self.deadline_edit
        # (a day the person chose meanwhile stays)
        if edit is not None and self._deadline_period and edit.date().toPython() == self._shown:
            self._show_deadline()

    def request(self) -> ReportRequest:
        office = ""
        if self.kind == "sheet":
            combo = self.office_combo
            office = combo.currentData() if combo is not None else self.identity.office
        return ReportRequest(
            kind=self.kind,
            period=self.period_combo.currentData(),
            office=office,
            lang=self.lang_combo.currentData(),
            paper=self.paper_combo.currentData(),
            deadline=self._deadline_asked(),
        )

    def _deadline_asked(self) -> date | None:
        """The day in the edit; None for a status sheet, and for the default shown
        before the days headquarters named were read (the build reads the period's)."""
        if self.deadline_edit is None:
            return None
        day = self.deadline_edit.date().toPython()
        return day if self._named is not None or day != self._shown else None

    def _build(self) -> None:
        request = self.request()
        set_value(self.settings, "reports/paper", request.paper)
        if self.office_combo is not None:
            set_database_value(self.settings, self.identity, REPORT_OFFICE, request.office)
        if request.deadline is not None:
            # the period's deadline, kept in the database (before the build, on the
            # same worker): the Overview's "Sent late" follows (its changes broadcast),
            # and the next pack, from this dialog, the command line or another
            # computer, lists the same offices as late
            period, day = request.period, request.deadline

            def keep(rep):
                from fieldplan.reports.deadlines import set_deadline

                return set_deadline(rep, period, day)

            DbOp(self.session, self.parentWidget(), keep).run()
        generate(self.session, self.parentWidget(), request)


def _period_items(identity: Identity) -> list[tuple[str, str]]:
    return [(format_period(p), p) for p in identity.periods()]


def generate(session: Session, parent: QWidget, request: ReportRequest,
             replacing: PreviewWindow | None = None) -> None:
    """Build ``request`` on the worker (progress dialog, cancel), then preview it;
    ``replacing``: the preview of an earlier build of it, which the new one takes the
    place of (closed, unless it prints)."""

    def remade() -> None:  # (the earlier preview's Make it again may be pressed again)
        if replacing is not None and shiboken6.isValid(replacing):
            replacing._remake_ended()

    def failed(error: BaseException) -> None:
        remade()
        if isinstance(error, ReportCancelled):
            show_status(parent, str(error))
            return
        dialog = MessageDialog(
            parent,
            _("Report"),
            _("The report could not be made: {reason}").format(reason=error_text(error)),
        )
        dialog.setObjectName("report-error")
        dialog.open()

    def build(rep, progress, cancel) -> tuple[Path, list[Path], bool, bool]:
        kept: list[Path] = []
        built = build_report(rep, request, progress, cancel, kept)
        # (their records read here, off the GUI thread); an office's sheet prints what
        # headquarters' receipts cover
        return (built, kept, not all(recorded(path) for path in kept),
                request.kind == "sheet" and not rep.is_hq)

    def built(made: tuple[Path, list[Path], bool, bool]) -> None:
        window = show_preview(parent, made[0], request, made[1], made[2], session=session,
                              receipts=made[3])
        remade()
        if replacing is not None and shiboken6.isValid(replacing):
            window.setGeometry(replacing.geometry())
            if replacing.print_job is None:
                replacing.close()

    DbOp(session, parent, build).with_progress(_("Making the report")).success(
        built).failure(failed).run()


def show_preview(parent: QWidget | None, path: Path, request: ReportRequest,
                 kept: list[Path] | None = None, unrecorded: bool = False,
                 session: Session | None = None, receipts: bool = False) -> PreviewWindow:
    """Show the built report in front, its window the active one: made after a long
    build, it could open behind the main window, whose keys then went on acting.
    ``kept``: reports the cache's clean-up kept, changed since fieldplan wrote them
    (notes saved into them by a PDF viewer), or not recorded (``unrecorded``: some of
    them): said where they are, over the preview. ``session``: the database it was
    built from, whose changes after it the preview says; ``receipts``: the report
    prints what headquarters' receipts cover (``shows_changes``)."""
    window = PreviewWindow(parent, path, request, session=session, receipts=receipts)
    window.show()
    window.raise_()
    window.activateWindow()
    if kept:
        window._message(_("Reports kept"), kept_text(kept, unrecorded))
    return window


def shows_changes(request: ReportRequest, changes, receipts: bool = False) -> bool:
    """Whether ``changes`` (a ``fieldplan.replica.Changes``) may change what the report
    of ``request`` shows: a report of its period (of its office, for a status sheet),
    the plan, its period's lock; for the review pack, also its period's deadline and
    what imports bring (late, quarantined and conflicting data) and a key revoked
    (named: ``revoke_key``'s), which its conflicts say of the values that key's
    computer wrote. Not an export, nor a key made or registered (("key", "*")), nor
    another period's. ``receipts``: the report is an office's status sheet,
    which prints the reports headquarters' bundles have not acknowledged yet: a bundle
    imported (headquarters' reply, receipts alone perhaps) changes it too."""
    pack = request.kind == "pack"
    for kind, entity in changes.entities:
        if kind == "inbox" and receipts:
            return True
        if kind == "progress":
            if entity == "*":
                return True
            office, _action, period = [*entity.split("|"), "", ""][:3]
            if period == request.period and (
                    pack or not request.office or office == request.office):
                return True
        elif kind in ("lock", "deadline"):
            if entity in (request.period, "*") and (pack or kind == "lock"):
                return True
        elif kind == "plan" or (pack and kind not in ("outbox", "key")) or (
                pack and kind == "key" and entity != "*"):
            return True
    return False


def stale_text() -> str:
    # Translators: said over a report's pages when the data it was made from changed
    # after it was made (typed on in the main window, an office's data imported)
    return _("The data changed after this report was made: it does not show the change.")


def kept_text(kept: list[Path], unrecorded: bool = False) -> str:
    """What is said of the reports the cache's clean-up kept: where they are.
    ``unrecorded``: some of them have no record of how fieldplan wrote them
    (``report_cache.recorded``: an earlier fieldplan's, which kept none), so that
    whether they were changed is not known: not said to be."""
    names = join_list([isolated(p.name) for p in kept])
    folders = {str(p.parent) for p in kept}
    folder = isolated(folders.pop() if len(folders) == 1 else str(reports_dir()))
    if unrecorded:
        # Translators: said once, when the clean-up of built reports keeps reports it
        # has no record of as written (an earlier version of fieldplan's, which kept
        # none, or changed in another program); {folder} is a folder's path, {files}
        # the files' names
        return counted(
            "A report fieldplan cannot tell is as it wrote it (left by an earlier "
            "version, or changed in another program) was kept, not removed with the old "
            "reports: {files}, in {folder}. Move it somewhere of your own to keep it.",
            "{count} reports fieldplan cannot tell are as it wrote them (left by an "
            "earlier version, or changed in another program) were kept, not removed with "
            "the old reports: {files}, in {folder}. Move them somewhere of your own to "
            "keep them.",
            len(kept), files=names, folder=folder)
    # Translators: said once, when the clean-up of built reports finds reports
    # changed in another program (a PDF viewer saved notes into them); {folder} is a
    # folder's path, {files} the files' names
    return counted(
        "A report changed in another program was kept, not removed with the old "
        "reports: {files}, in {folder}. Move it somewhere of your own to keep it.",
        "{count} reports changed in another program were kept, not removed with the "
        "old reports: {files}, in {folder}. Move them somewhere of your own to keep "
        "them.", len(kept), files=names, folder=folder)


def show_status(parent: QWidget | None, text: str) -> None:
    """A short message in the parent window's status bar, if it has one (and is
    still open)."""
    if parent is None or not shiboken6.isValid(parent):
        return
    bar = getattr(parent, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


def window_now(window: QWidget | None) -> QWidget | None:
    """The main window to say something in now: ``window`` while it is open, else the
    one open now (a language switch replaces the window), else None."""
    if window is not None and shiboken6.isValid(window) and window.isVisible():
        return window
    open_now = [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMainWindow) and w.isVisible()]
    active = QApplication.activeWindow()
    return active if active in open_now else next(iter(open_now), None)


#: Messages shown with no window to belong to, kept until closed (nothing else holds
#: them: Python would delete them at once).
_lone_messages: set[QDialog] = set()


def show_message(parent: QWidget | None, title: str, text: str) -> None:
    """A message in ``parent``, or in a window of its own when there is none."""
    dialog = MessageDialog(parent, title, text)
    dialog.setObjectName("preview-message")
    if parent is not None:
        dialog.open()
        return
    _lone_messages.add(dialog)
    dialog.finished.connect(lambda _result, d=dialog: _lone_messages.discard(d))
    dialog.show()


#: Print jobs a preview closed before they ended (``_finish_unseen``), kept until they
#: have: a QThread let go of while it runs ends the process.
_prints_left: set[PrintThread] = set()


def _finish_unseen(job: PrintThread, source: Path, window: QWidget | None) -> None:
    """``job`` (a PrintJob or LpJob, cancelled) left to end after its preview closed:
    a file it writes is said in the main window once written, or why it could not be,
    as a Save as… that outlives its preview is; then the report's file is let go of
    (``forget_report``)."""
    _prints_left.add(job)

    def ended(printed: int, error: str) -> None:
        job.wait()  # (its run has returned: a moment)
        _prints_left.discard(job)
        printer = getattr(job, "printer", None)
        destination = printer.outputFileName() if printer is not None else ""
        if error:
            show_message(window_now(window), _("Print"), error)
        elif printed and destination:
            show_status(window_now(window), saved_text(destination))
        if not getattr(job, "onto_source", False):
            forget_report(source)
        job.deleteLater()

    job.take_over(ended)


def wait_for_prints() -> None:
    """(quitting) Wait for the files being printed to that a closed preview left
    (``_prints_left``): written whole before the app ends, as Save as… is."""
    for job in list(_prints_left):
        job.wait()


def saved_text(destination: str) -> str:
    """What is said once a copy of the report is written."""
    # Translators: shown beside Save as… once the report is written; {file} is
    # the file's name
    return _("Saved as {file}.").format(file=isolated(Path(destination).name))


def sent_text(printer: str) -> str:
    """What is said once CUPS has taken the report to print."""
    if not printer:
        return _("Sent to the printer.")
    # Translators: shown beside Print… once the report is in the printer's queue;
    # {printer} is the printer's name
    return _("Sent to the printer {printer}.").format(printer=isolated_codes(printer))


def save_error_text(error: BaseException) -> str:
    return _("The report could not be saved: {reason}").format(
        reason=isolated_codes(error_text(error)))


# --- printing --------------------------------------------------------------------------


def pages_to_print(printer: QPrinter, count: int, current: int = 0) -> list[int]:
    """The 0-based pages the print dialog asked for, in printing order."""
    mode = printer.printRange()
    if mode == QPrinter.PrintRange.CurrentPage:
        pages = [min(max(current, 0), count - 1)] if count else []
    elif mode == QPrinter.PrintRange.PageRange and not printer.pageRanges().isEmpty():
        ranges = printer.pageRanges()
        pages = [i for i in range(count) if ranges.contains(i + 1)]
    else:
        pages = list(range(count))
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        pages.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if printer.collateCopies():
        return pages * copies
    return [p for p in pages for _ in range(copies)]


def print_file(printer: QPrinter) -> str:
    """The file ``printer`` prints to, when it makes a PDF file (Print to File); ""
    for a printer."""
    if printer.outputFormat() != QPrinter.OutputFormat.PdfFormat:
        return ""
    return printer.outputFileName()


def copy_report(source: Path, destination: str) -> None:
    """(off the GUI thread) Write the report ``source`` to ``destination`` as the
    command line writes one: whole or not at all, never over fieldplan's database,
    its backups or any other database, nor under a name that promises another kind
    of file. Only paths here, nothing of Qt."""
    from ui.transfer import check_stick

    files.check_output_name("pdf", destination)
    # its folder gone with the USB stick it was on: said so
    check_stick(str(Path(destination).parent))
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise files.cannot_read(source, exc) from None
    files.write_atomic(destination, data)


def _check_printed(path: Path, pages: int, destination: str) -> None:
    """Whether the PDF Qt's printer wrote at ``path`` is whole (its end written, each
    page there): Qt says nothing when it could not write (a full disk). A FileError
    for ``destination`` when it is not."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(f.tell() - 32, 0))
            whole = b"%%EOF" in f.read()
    except OSError as exc:
        raise files.cannot_write(destination, exc, own=True) from None
    if whole:
        document = QPdfDocument()
        try:
            whole = (document.load(str(path)) == QPdfDocument.Error.None_
                     and document.pageCount() == pages)
        finally:
            document.close()
    if not whole:
        # (cut short: the disk of the reports' cache is full, or failed)
        raise files.cannot_write(destination, OSError(errno.ENOSPC, os.strerror(
            errno.ENOSPC)), own=True)


def print_pages(
    document: QPdfDocument,
    printer: QPrinter,
    pages: list[int],
    *,
    max_dpi: int = MAX_PRINT_DPI,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Render each of ``pages`` of ``document`` to an image at the printer's resolution
    (at most ``max_dpi``) and paint it on its own sheet, centred and scaled to fit the
    paper. Returns the number of pages printed; raises OSError if the printer cannot
    start.

    The printer is set to the rendered resolution, so the images are painted pixel for
    pixel, never scaled up to a 1200 dpi device. ``cancel`` is asked between pages."""
    # the PDF has its own margins: everything on its pages stands 8 mm or more from
    # the edges (tests/core/test_reports_paper.py), clear of the 5–6.35 mm a printer
    # cannot print, so the page is printed at its size on the whole sheet, not shrunk
    # into the printer's printable area
    printer.setFullPage(True)
    dpi = min(printer.resolution(), max_dpi)
    printer.setResolution(dpi)
    device_dpi = printer.resolution()  # a printer may keep resolutions of its own (macOS)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_("The printer could not be started."))
    printed = 0
    try:
        sheet = QRectF(painter.viewport())
        for n, page in enumerate(pages):
            if cancel is not None and cancel():
                break
            if n:
                printer.newPage()
            points = document.pagePointSize(page)
            pixels = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            width, height = pixels.width() * device_dpi / dpi, pixels.height() * device_dpi / dpi
            # the printable sheet is whole device pixels, the page may be a fraction
            # more (A4 is 2480.3 pixels wide at 300 dpi): shrink only what truly does
            # not fit, else the page is resampled a hair smaller and blurs
            scale = min(1.0, (sheet.width() + 1) / width, (sheet.height() + 1) / height)
            target = QRectF(0, 0, width * scale, height * scale)
            target.moveCenter(sheet.center())
            per_row = target.height() / pixels.height()
            for top, band in page_bands(document, page, pixels):
                # one row more than the band: the next band covers it, so no hairline
                # of paper shows between them however the page is scaled
                painter.drawImage(
                    QRectF(target.left(), target.top() + top * per_row,
                           target.width(), band.height() * per_row),
                    band,
                )
            printed += 1
            if progress is not None:
                progress(printed, len(pages))
    finally:
        painter.end()
    return printed


def page_bands(
    document: QPdfDocument, page: int, pixels: QSize, rows: int = PRINT_BAND_ROWS
) -> Iterator[tuple[int, QImage]]:
    """``page`` rendered at ``pixels`` in horizontal bands, top to bottom, each on white
    and at most ``rows`` + 1 rows high: (its first row, its image). Each band but the
    last ends with the next band's first row.

    Printing runs on a thread of its own, but PySide6 holds Python's lock through each
    Qt call (QtPdf's render, painting an image on the printer): a whole page at once
    kept the window from answering for up to a second. A band takes a few
    milliseconds, and the window runs between bands.

    A band ends at the row with the least ink of its last quarter (between two lines
    of text, where there is one): a PDF viewer showing the printed file zoomed out
    scales each band on its own, and a line of text across two bands lost half its
    height there."""
    width, height = pixels.width(), pixels.height()
    options = QPdfDocumentRenderOptions()
    options.setScaledSize(pixels)
    top = 0
    while True:
        size = QSize(width, min(rows + 1, height - top))
        # QtPdf scales the page by the clip's right() - left() and bottom() - top(), one
        # pixel short of its width and height (Qt 6.12): ask one more so that the band
        # has the page's scale (test_page_bands_make_the_whole_page checks it)
        options.setScaledClipRect(QRect(0, top, size.width() + 1, size.height() + 1))
        band = _on_white(document.render(page, size, options))
        if top + size.height() >= height:
            yield top, band
            return
        last = _lightest_row(band, range(size.height() - 1, size.height() * 3 // 4, -1))
        yield top, band.copy(0, 0, width, last + 1)
        top += last


def _lightest_row(image: QImage, rows: range) -> int:
    """The row of ``rows`` (an RGB32 image's) with the most white pixels; the first
    of them on a tie."""
    white = b"\xff" * 4
    best, most = rows[0], -1
    for y in rows:
        count = bytes(image.constScanLine(y)).count(white)
        if count > most:
            best, most = y, count
    return best


def _on_white(image: QImage) -> QImage:
    """QtPdf leaves the paper transparent; printers want it white."""
    out = QImage(image.size(), QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawImage(0, 0, image)
    painter.end()
    return out


def load_image_plugins() -> None:
    """(GUI thread, before a PrintJob starts) Load Qt's image plugins here. A printer's
    PDF engine asks for them at its first image; loaded from the print thread, Qt
    moves each to the GUI thread under a lock the GUI thread may hold while it waits
    for Python's (a signal disconnected as a window is collected), and the print
    thread holds Python's: the client froze for good. Loaded once, they are only
    looked up."""
    QImageWriter.supportedImageFormats()


class PrintJob(PrintThread):
    """Prints a PDF file on a thread of its own, with its own QPdfDocument (QtPdf
    serialises its calls into PDFium, and Qt allows painting on a QPrinter from any
    one thread)."""

    def __init__(self, path: Path, printer: QPrinter, pages: list[int],
                 copy_to: str = "") -> None:
        super().__init__()
        self.path, self.printer, self.pages = path, printer, pages
        #: the file to write the report to as it is, instead of printing it page by
        #: page (Print to File of the whole report)
        self.copy_to = copy_to
        #: the file printed to is the report's own (``same_file``): the person's now
        self.onto_source = False
        self.setObjectName("fieldplan-print")
        load_image_plugins()

    def run(self) -> None:
        self.restore()
        if self.copy_to:
            self._copy()
            return
        if print_file(self.printer):
            self._print_to_file(print_file(self.printer))
            return
        document = QPdfDocument()
        printed, error = 0, ""
        try:
            if document.load(str(self.path)) != QPdfDocument.Error.None_:
                error = _("The report could not be read.")
            else:
                printed = print_pages(
                    document,
                    self.printer,
                    self.pages,
                    progress=lambda done, total: emit(self.progress_did_change, done, total),
                    cancel=self.cancel.is_set,
                )
        except OSError as exc:
            error = str(exc)
        finally:
            document.close()
        self.end(printed, error)

    def _print_to_file(self, destination: str) -> None:
        """Some pages printed to a PDF file. Qt's printer writes the file as it paints,
        over the file of that name, and says nothing when the writing fails: on a full
        disk a good report there was cut short and "Saved as" was said; a name such as
        the database's was written over. So the pages are painted into a temporary
        file in the reports' cache, checked whole, then written as Save as… writes
        (``copy_report``: whole or not at all, never over a database). Cancelled:
        nothing is written."""
        printed, error = 0, ""
        tmp = ""
        document = QPdfDocument()
        try:
            files.check_output_name("pdf", destination)  # (before the painting)
            try:
                fd, tmp = tempfile.mkstemp(prefix=".printing-", suffix=".pdf",
                                           dir=self.path.parent)
            except OSError as exc:  # (why, in words: the cache's file is none of theirs)
                raise _preview_error(exc) from None
            os.close(fd)
            if document.load(str(self.path)) != QPdfDocument.Error.None_:
                error = _("The report could not be read.")
            else:
                self.printer.setOutputFileName(tmp)
                try:
                    printed = print_pages(
                        document, self.printer, self.pages,
                        progress=lambda done, total: emit(
                            self.progress_did_change, done, total),
                        cancel=self.cancel.is_set)
                finally:
                    self.printer.setOutputFileName(destination)  # (said as where it went)
                document.close()
                if self.cancel.is_set():
                    printed = 0
                elif printed:
                    _check_printed(Path(tmp), printed, destination)
                    copy_report(Path(tmp), destination)
                    self.onto_source = same_file(self.path, destination)
        except (FieldplanError, OSError) as exc:
            printed, error = 0, save_error_text(exc)
        finally:
            document.close()
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self.end(printed, error)

    def _copy(self) -> None:
        # the report's own PDF, its text and vectors, as Save as… writes it: printed,
        # each page would be an image of about a megabyte
        try:
            copy_report(self.path, self.copy_to)
            self.onto_source = same_file(self.path, self.copy_to)
        except (FieldplanError, OSError) as exc:
            self.end(0, save_error_text(exc))
        else:
            self.end(len(self.pages), "")


# --- the preview -----------------------------------------------------------------------


class PreviewWindow(QDialog):
    """A built report: pages, zoom, Print…, Save as…, Open in the system viewer."""

    print_did_finish = QtSignal(int, str)  # pages printed, error
    save_did_finish = QtSignal(bool)  # whether the copy was written
    open_did_finish = QtSignal(bool)  # whether the system's viewer was given the report

    def __init__(self, parent: QWidget | None, path: Path, request: ReportRequest,
                 session: Session | None = None, receipts: bool = False) -> None:
        super().__init__(parent)
        self.path, self.request, self.session = Path(path), request, session
        #: the report prints what headquarters' receipts cover (``shows_changes``)
        self.receipts = receipts
        # kept from the cache's clean-up while shown (a review of several days)
        hold(self.path)
        self._held = True
        #: the report as shown, written back should its file go (``KeptReport``)
        self.kept = KeptReport(self.path)
        self.setObjectName("report-preview")
        self.setWindowTitle(request.title())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.print_job: PrintJob | LpJob | None = None
        #: a copy being written (save_copy)
        self.saving = False
        #: the read-only copy of the report given to the system's viewer (None before
        #: Open in the system viewer): the viewer keeps it after the preview closes
        self.viewer_file: Path | None = None
        #: a copy for the viewer being written (``open_externally``)
        self.opening = False
        #: the report being made again (``make_again``)
        self.remaking = False
        #: the report's file was saved (or printed to a file) over itself: the copy the
        #: person chose, never removed with the cache's
        self.saved_over = False
        #: a print still writing its file went on as the window closed: the report's
        #: file is removed once it has (``_finish_unseen``)
        self._print_went_on = False
        self.load_error = ""
        self._printer: QPrinter | None = None
        self._print_progress: QProgressDialog | None = None
        #: the words of the print's progress, in the language in use
        self._print_label: Callable[[], str] | None = None
        #: button → where Qt moved the focus when that button, which had it, was
        #: disabled for its job (``_hold``): given back to it when the job ends
        self._focus_moved: dict[QWidget, QWidget | None] = {}

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName(_("Report pages"))
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        # QPdfView does not mirror its scrolling for right-to-left widgets (the
        # scroll bars and the pages then disagree): keep it left-to-right, and open
        # an Arabic report at the right-hand edge of the page, where its lines start.
        self.view.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        if is_rtl(request.lang):
            bar = self.view.horizontalScrollBar()
            bar.rangeChanged.connect(lambda _lo, hi: bar.setValue(hi))
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._show_page())

        #: button → its text in the language in use, and its window shortcuts
        self._button_texts: dict[QPushButton, tuple[Callable[[], str], list[QKeySequence]]] = {}
        #: what is said beside the buttons (``_say_done``), in the language in use
        self._said: Callable[[], str] | None = None
        self.previous_button = self._button(
            lambda: _("Pre&vious page"), self.previous_page, Qt.Key.Key_PageUp
        )
        self.next_button = self._button(lambda: _("&Next page"), self.next_page,
                                        Qt.Key.Key_PageDown)
        # its text is its name ("Page 2 of 5"; named "Page", that was all it said), and
        # no stop of Tab: the pages' view, which has the focus, says it too, and a turn
        # of page is said (``_show_page``)
        self.page_label = QLabel()
        self.zoom_out_button = self._button(lambda: _("Zoom &out"), self.zoom_out,
                                            QKeySequence.ZoomOut)
        self.zoom_in_button = self._button(lambda: _("Zoom &in"), self.zoom_in,
                                           QKeySequence.ZoomIn)
        self.fit_button = self._button(lambda: _("&Fit width"), self.fit_width, "Ctrl+0")
        self.print_button = self._button(lambda: _("&Print…"), self.print_dialog,
                                         QKeySequence.Print)
        self.save_button = self._button(lambda: _("&Save as…"), self.save_as,
                                        QKeySequence.SaveAs,
                                        "Ctrl+Shift+S")  # Windows has no SaveAs key
        self.open_button = self._button(lambda: _("Open in the system vie&wer"),
                                        self.open_externally)
        self.close_button = self._button(lambda: _("&Close"), self.close)

        # two rows that wrap where the window is narrow: in French at 14 points they
        # needed 956 pixels and more on one line each, and a 1366×768 laptop at 200 %
        # has 667; the page buttons and the zoom buttons each stay together
        self.page_group = _group(self.previous_button, self.next_button, self.page_label)
        self.zoom_group = _group(self.zoom_out_button, self.zoom_in_button, self.fit_button)
        top = FlowLayout()
        top.addWidget(self.page_group)
        top.add_stretch()
        top.addWidget(self.zoom_group)
        self.saved_label = DocumentLabel()
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.saved_label.setWordWrap(True)  # a long file name: on lines of its own
        # read and copied with the keyboard, where the file went (a stop of Tab only
        # while it says something: ``_say_done``)
        self.saved_label.setTextInteractionFlags(selectable())
        self.saved_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (nothing said yet)
        bottom = FlowLayout()
        for w in (self.print_button, self.save_button, self.open_button, self.saved_label):
            bottom.addWidget(w)
        bottom.add_stretch()
        bottom.addWidget(self.close_button)
        # the data changed after the report was made (``_changes_did_happen``)
        self.stale_note = note_label("report-stale-note")
        self.remake_button = self._button(lambda: _("&Make it again"), self.make_again)
        self.remake_button.setVisible(False)
        stale = QHBoxLayout()
        stale.addWidget(self.stale_note, 1)
        stale.addWidget(self.remake_button)
        self.top_row, self.bottom_row = top, bottom
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(stale)
        lay.addWidget(self.view, 1)
        lay.addLayout(bottom)
        # Tab as they are read, the pages first (the groups made the buttons' parents
        # anew, and with them their places in the chain)
        chain = (self.remake_button, self.view, self.previous_button, self.next_button,
                 self.zoom_out_button, self.zoom_in_button, self.fit_button,
                 self.print_button, self.save_button,
                 self.open_button, self.saved_label, self.close_button)
        for first, then in itertools.pairwise(chain):
            QWidget.setTabOrder(first, then)

        self.load_error = ""
        if self.document.load(str(self.path)) != QPdfDocument.Error.None_:
            self.load_error = _("The report could not be read.")
        for b in (self.print_button, self.save_button):
            b.setEnabled(not self.load_error)
        self._show_page()
        # a page's height where the screen has it, else what the screen has: Print,
        # Save and Close must stay on a 1366×768 screen; as wide as the rows on one
        # line each where the screen is wide enough
        fit_to_screen(self, max(900, lay.sizeHint().width()), 1000)
        self.view.setFocus()
        if session is not None:
            session.changes_did_happen.connect(self._changes_did_happen)

    def _changes_did_happen(self, changes) -> None:
        """A write after the report was made (the person typed on in the main window,
        an import merged an office's data): said over the pages, with Make it again.
        Printed or saved unawares, the report left the change out."""
        if not self.stale_note.isVisible() and shows_changes(self.request, changes,
                                                             self.receipts):
            self.stale_note.setText(stale_text())
            self.stale_note.setVisible(True)
            self.remake_button.setVisible(True)
            say_in_passing(self.stale_note, self.stale_note.text())

    def make_again(self) -> None:
        """Build the report again, as it was asked, from the data as it is now: the new
        preview takes this one's place (``generate``). Once: pressed again while it is
        being made (a double click, Enter twice), it made the report twice and opened
        two new previews of it."""
        if self.session is not None and not self.remaking:
            self.remaking = True
            self._hold(self.remake_button)
            generate(self.session, self.parentWidget(), self.request, replacing=self)

    def _remake_ended(self) -> None:
        """(``generate``) The report asked for by Make it again is made, or not
        (cancelled, failed): it may be asked for again."""
        self.remaking = False
        self._let_go(self.remake_button)

    def _button(self, text: Callable[[], str], slot: Callable[[], None],
                *shortcuts) -> QPushButton:
        """A button with its Alt+letter (the ``&`` in ``text()``) and, beside it, window
        shortcuts (PgDn, Ctrl+P…): ``setShortcut`` would replace the Alt+letter.
        ``text`` gives its words in the language in use (``retranslate``)."""
        from PySide6.QtGui import QShortcut

        button = QPushButton()
        # none is the dialog's default, so Enter in the pages does nothing: an auto-
        # default button is made the default when shown, and the first one (Previous
        # page) turned the pages back. keyPressEvent makes Enter press the focused one.
        button.setAutoDefault(False)
        button.setDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        names: list[str] = []
        used: list[QKeySequence] = []
        for shortcut in shortcuts:
            keys = QKeySequence(shortcut)
            name = keys.toString(QKeySequence.SequenceFormat.NativeText)
            if keys.isEmpty() or name in names:  # none here, or the same key twice
                continue  # (two shortcuts of one key would both do nothing)
            QShortcut(keys, self, lambda b=button: b.click() if b.isEnabled() else None)
            names.append(name)
            used.append(keys)
        self._button_texts[button] = (text, used)
        self._name_button(button)
        return button

    def _name_button(self, button: QPushButton) -> None:
        """``button``'s text, and its shortcuts in its tip, in the language in use."""
        text, shortcuts = self._button_texts[button]
        button.setText(text())
        names = [keys.toString(QKeySequence.SequenceFormat.NativeText) for keys in shortcuts]
        button.setToolTip(f"{button.text().replace('&', '')} ({join_list(names)})"
                          if names else "")

    def retranslate(self) -> None:
        """The window's own words in the interface's language in use (the report stays
        in its own): a language change makes the main window anew, and the preview
        goes on over the new one (``follow_window``)."""
        self.setWindowTitle(self.request.title())
        self.view.setAccessibleName(_("Report pages"))
        for button in self._button_texts:
            self._name_button(button)
        if self.load_error:
            self.load_error = _("The report could not be read.")
        if self.stale_note.isVisible():
            self.stale_note.setText(stale_text())
        self.page_label.clear()  # (a new language, not a turn of page: not said)
        self._show_page()
        if self._said is not None:  # (said once already)
            self.saved_label.setText(self._said())
        progress = self._print_progress
        if progress is not None and self._print_label is not None:
            progress.setWindowTitle(_("Print"))
            progress.setLabelText(self._print_label())
            progress.setCancelButtonText(_("Cancel"))

    def follow_window(self, window: QWidget) -> None:
        """(a language change: ``window`` takes the place of the main window this
        preview belongs to) Go on over ``window``, where it was on the screen, with
        its pages, zoom and the print or copy going on, in the new language: deleted
        with the old window, the preview vanished unasked, a print going on lost its
        window (and ended the client once its thread was let go of), and its report
        stayed in the cache."""
        geometry, shown = self.geometry(), self.isVisible()
        self.setParent(window, self.windowFlags())
        self.setGeometry(geometry)
        # the old window's kept the preview deaf to the new direction (ui.app)
        self.setLayoutDirection(QGuiApplication.layoutDirection())
        self.setAttribute(Qt.WidgetAttribute.WA_SetLayoutDirection, False)
        self.retranslate()
        if shown:
            self.show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button, as Space does; elsewhere (the pages) it
        does nothing: a viewer has no default button. Escape closes, as in any dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier
        ):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # pages and zoom ------------------------------------------------------------------
    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def _show_page(self) -> None:
        count, page = self.page_count(), self.current_page()
        text = self.load_error or _("Page {page} of {pages}").format(page=page + 1, pages=count)
        turned = text != self.page_label.text() and bool(self.page_label.text())
        self.page_label.setText(text)
        self.view.setAccessibleDescription(text)
        if turned and not self.load_error:
            say_in_passing(self.page_label, text)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page + 1 < count)

    def go_to(self, page: int) -> None:
        nav = self.view.pageNavigator()
        nav.jump(max(0, min(page, self.page_count() - 1)), QPointF(), nav.currentZoom())
        self._show_page()

    def previous_page(self) -> None:
        self.go_to(self.current_page() - 1)

    def next_page(self) -> None:
        self.go_to(self.current_page() + 1)

    def zoom(self) -> float:
        """The zoom in effect, also when the view fits the page width."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or self.page_count() == 0:
            return self.view.zoomFactor()
        # as QPdfView computes it: page points at the screen's logical dpi
        screen = self.screen() or QGuiApplication.primaryScreen()
        page = self.document.pagePointSize(self.current_page()).width()
        margins = self.view.documentMargins()
        usable = self.view.viewport().width() - margins.left() - margins.right()
        return usable / (page * screen.logicalDotsPerInch() / 72) if page else 1.0

    def set_zoom(self, factor: float) -> None:
        factor = min(max(factor, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    # print, save, open ---------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        from PySide6.QtGui import QPageSize

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.request.title())
        size = QPageSize.PageSizeId.A4
        if self.request.paper == "Letter":
            size = QPageSize.PageSizeId.Letter
        printer.setPageSize(QPageSize(size))
        printer.setFromTo(1, max(self.page_count(), 1))
        if sys.platform not in ("win32", "darwin"):
            # Qt's own print dialog (Linux) offers "Print to File (PDF)" with the
            # printer's output file: without one, the home folder, which it then refuses
            # ("is a directory"). The file Save as… offers instead. Naming it makes the
            # printer a PDF one: back to the system's printer, when there is one, which
            # the dialog offers first as before (it clears the file for a real printer).
            printer.setOutputFileName(self.default_save_path())
            printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
        return printer

    def print_dialog(self) -> None:
        """The system print dialog; printing starts when it is accepted."""
        self._printer = self.make_printer()
        dialog = QPrintDialog(self._printer, self)
        dialog.setObjectName("print-dialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        option = QAbstractPrintDialog.PrintDialogOption
        dialog.setOption(option.PrintPageRange, True)
        dialog.setOption(option.PrintCurrentPage, True)
        dialog.setOption(option.PrintSelection, False)
        dialog.setMinMax(1, max(self.page_count(), 1))
        printer = self._printer
        dialog.finished.connect(
            lambda result: self.print_to(printer) if result == QDialog.DialogCode.Accepted else None
        )
        # QPrintDialog.open() takes (receiver, member) only in PySide6: the plain
        # QDialog.open() is the window-modal one without arguments
        QDialog.open(dialog)

    def print_to(self, printer: QPrinter) -> None:
        """Print the pages ``printer`` asks for, on a thread, with a progress dialog."""
        if self.print_job is not None:
            return
        pages = pages_to_print(printer, self.page_count(), self.current_page())
        self._printer = printer
        if uses_lp(printer):
            # the report's own PDF to CUPS, by lp in a process of its own: Qt's painting
            # on a CUPS printer held Python's lock while CUPS did not answer
            options = lp_options(printer, pages, self.page_count())
            self.print_job = LpJob(self.path, options, len(set(pages)) * options.copies)
            self._print_label = lambda: _("Sending the report to the printer…")
            progress = QProgressDialog(self._print_label(), _("Cancel"), 0, 0, self)
        else:
            # Print to File of the whole report, once, in order: the report's file itself
            whole = pages == list(range(self.page_count()))
            self.print_job = PrintJob(self.path, printer, pages,
                                      copy_to=print_file(printer) if whole else "")
            self._print_label = lambda: _("Printing…")
            progress = QProgressDialog(self._print_label(), _("Cancel"), 0, len(pages), self)
        progress.setWindowTitle(_("Print"))
        cancel_by_escape_only(progress)
        progress.setMinimumDuration(500)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self.print_job.cancel.set)
        self._print_progress = progress
        self.print_job.progress_did_change.connect(lambda done, _total: progress.setValue(done))
        self.print_job.job_did_finish.connect(self._printed)
        self.print_job.restore = self.kept.restore
        self._hold(self.print_button)
        self.print_job.start()

    def _printed(self, printed: int, error: str) -> None:
        job, self.print_job = self.print_job, None
        if isinstance(job, LpJob) and printed and not error:
            # queued by CUPS: no pages went by here, so it is said
            printer = job.options.printer
            self._say_done(lambda: sent_text(printer))
        elif printed and not error and job is not None and job.printer.outputFileName():
            # printed to a file: said as Save as… says it (the progress went by in a
            # moment, and nothing said where the file went)
            out = job.printer.outputFileName()
            self._say_done(lambda: saved_text(out), out)
        if job is not None:
            job.wait()
            self.saved_over = self.saved_over or getattr(job, "onto_source", False)
            job.deleteLater()
        if self._print_progress is not None:
            self._print_progress.close()
            self._print_progress.deleteLater()
            self._print_progress = None
        self._let_go(self.print_button)
        if error:
            self._message(_("Print"), error)
        emit(self.print_did_finish, printed, error)

    def _stop_printing(self) -> None:
        """(closing) Stop the print: pages still to print are not; a file being
        written (Print to File) is written whole, as Save as… writes it, without the
        window waiting for the drive (``_finish_unseen``)."""
        job = self.print_job
        if job is None:
            return
        job.cancel.set()
        if job.isRunning():
            # waited for here, the window froze while a USB stick took the file, for
            # good on a stalled network drive
            self.print_job = None
            self._print_went_on = True
            _finish_unseen(job, self.path, self.parentWidget())
            self._printed(0, "")
            return
        job.wait()
        self._printed(0, "")

    def default_save_path(self) -> str:
        """The report's file in Documents (the home folder if there is none): offered by
        Save as… and for printing to a file."""
        return str(Path(documents_dir()) / f"{self.request.stem()}.pdf")

    def save_as(self) -> None:
        save_file_dialog(self, _("Save the report"), self.default_save_path(),
                         "save-report-dialog", _("PDF files (*.pdf)"), "pdf", self.save_copy)

    def save_copy(self, destination: str) -> None:
        """Write the report to ``destination`` as the command line writes one: whole or
        not at all, never over fieldplan's database, its backups or any other database,
        nor under a name that promises another kind of file.

        On a thread of its own: a review pack written to a USB stick (and synced to
        it) takes its time, and the window stays usable meanwhile, Save as… disabled.
        Said beside the buttons when it is written, in a message if it cannot be;
        ``save_did_finish`` says which. Closing the window does not stop it: the
        result is then said in the main window."""
        if self.saving:
            return
        source, kept = Path(self.path), self.kept

        def write() -> bool:  # (its thread) whether it was written over the report itself
            kept.restore()
            copy_report(source, destination)
            return same_file(source, destination)

        preview, window = self, self.parentWidget()

        def done(over_itself: bool) -> None:
            if shiboken6.isValid(preview):
                preview.saved_over = preview.saved_over or over_itself
                preview._save_ended(destination, None)
            else:
                show_status(window_now(window), saved_text(destination))
                if not over_itself:  # (else it is the person's copy now)
                    forget_report(source)  # (the preview that showed it closed meanwhile)

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(preview):
                preview._save_ended(destination, error)
            else:  # never dropped: a full USB stick means the copy is not there
                show_message(window_now(window), _("Save the report"),
                             save_error_text(error))
                forget_report(source)

        self.saving = True
        self._say_done(lambda: _("Saving…"), said=False)
        self._hold(self.save_button)
        OffThread(write, done, failed, name="fieldplan-save-report")

    def _save_ended(self, destination: str, error: BaseException | None) -> None:
        self.saving = False
        if error is not None:
            self._say_done("")
            self._let_go(self.save_button)
            self._message(_("Save the report"), save_error_text(error))
        else:
            self._say_done(lambda: saved_text(destination), destination)
            self._let_go(self.save_button)
        emit(self.save_did_finish, error is None)

    def _hold(self, button: QWidget) -> None:
        """``button`` disabled while its job runs. When it had the focus (Enter or its
        Alt+letter pressed it), Qt moved it on to the next button: after Save as…,
        Open in the system viewer, which the next Enter pressed unseen. It waits on
        the line that says what goes on ("Saving…"), where there is one, and comes
        back to ``button`` when the job ends (``_let_go``)."""
        if self.focusWidget() is button:
            if self.saved_label.text() and self.saved_label.focusPolicy() != (
                    Qt.FocusPolicy.NoFocus):
                self.saved_label.setFocus(Qt.FocusReason.OtherFocusReason)
            button.setEnabled(False)
            self._focus_moved[button] = self.focusWidget()
        else:
            button.setEnabled(False)

    def _let_go(self, button: QWidget) -> None:
        """``button`` enabled again (unless the report could not be read), with the
        focus ``_hold`` moved from it, unless the person has moved it since."""
        button.setEnabled(not self.load_error)
        if button in self._focus_moved:
            moved_to = self._focus_moved.pop(button)
            if button.isEnabled() and self.focusWidget() in (moved_to, None):
                button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say_done(self, text: str | Callable[[], str], path: str = "", *,
                  said: bool = True) -> None:
        """``text`` (or what it gives, in the language in use: ``retranslate``) beside
        the buttons ("Saved as NAME.", "Sent to the printer."), the
        whole ``path`` of the file in its tip and its accessible description, and said
        to a screen reader (``said``): the focus stays on the pages or the button, and
        a print to a file ended in silence. A stop of Tab while it says something,
        read and copied there with the path (the tip is out of reach of the keyboard);
        none when empty."""
        from ui.dialogs import say_in_passing

        label = self.saved_label
        self._said = text if callable(text) else None
        text = text() if callable(text) else text
        label.setText(text)
        label.setToolTip(tip_text(path) if path else "")  # a path: as written
        label.setAccessibleDescription(path)
        if text:
            # a stop of Tab, its caret showing the focus: not reached_by_tab's frame,
            # whose style sheet made the row taller by a line's worth, and on a laptop
            # at 200 % left the pages less than 100 pixels beside a wrapped file name
            label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        else:
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if text and said:
            say_in_passing(label, text)

    def open_externally(self) -> None:
        """Give the system's PDF viewer a read-only copy of the report, under its plain
        name, in a folder of the cache of its own (``report_cache.viewer_copy``), made
        on a thread of its own: a viewer that saves notes into the file it shows
        (Okular, Acrobat) wrote them into the report's file in the cache, removed a
        day later with the notes. Read-only, the viewer asks where to save them; the
        clean-up never removes a copy that was changed. The same copy again while it is
        unchanged. Said beside the buttons."""
        if self.opening:
            return
        copy, source, kept = self.viewer_file, self.path, self.kept
        name = f"{self.request.stem()}.pdf"

        def make() -> Path:  # (its thread)
            from ui.report_cache import unchanged

            kept.restore()
            if copy is not None and unchanged(copy):
                return copy
            from fieldplan.errors import FileError

            try:
                return viewer_copy(source, reports_dir(), name)
            except FileError:
                raise
            except OSError as exc:
                # (a full disk) why, and what to do, without the cache's folder, which
                # the person never chose nor sees: as a report that cannot be made
                raise _preview_error(exc) from None

        preview = self

        def done(path: Path) -> None:
            if shiboken6.isValid(preview):
                preview._opened(path, None)

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(preview):
                preview._opened(None, error)

        self.opening = True
        self._hold(self.open_button)
        OffThread(make, done, failed, name="fieldplan-viewer-copy")

    def _opened(self, path: Path | None, error: BaseException | None) -> None:
        self.opening = False
        self._let_go(self.open_button)
        title = _("Open in the system viewer")
        if path is None:
            self._message(title, _("The report could not be opened: {reason}").format(
                reason=isolated_codes(error_text(error))))
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            if path != self.viewer_file:  # (made for nothing: not kept a week)
                OffThread(lambda: drop_viewer_copy(path), lambda _done: None,
                          lambda _error: None, name="fieldplan-viewer-copy")
            self._message(title, _(
                "No program to open PDF files was found. Use Save as… and open the copy."))
        else:
            self.viewer_file = path
            # Translators: shown beside the buttons once the system's PDF viewer has
            # the report: a read-only copy, which it cannot save notes into
            self._say_done(lambda: _("Opened a read-only copy: to keep notes made in the "
                                     "viewer, save them with the viewer’s Save as…"),
                           str(path))
        emit(self.open_did_finish, self.viewer_file is not None and path is not None)

    def _message(self, title: str, text: str) -> None:
        dialog = MessageDialog(self, title, text)
        dialog.setObjectName("preview-message")
        dialog.open()

    def _release(self) -> None:
        """Stop printing and let go of the file, removed from the cache unless a copy
        of it is being saved (then removed once the copy is written, ``save_copy``) or
        it was saved over itself. (The system's viewer has a copy of its own.)"""
        self._stop_printing()
        if self.document.status() != QPdfDocument.Status.Null:
            self.document.close()
        if self._held:  # (once: Close passes here twice, by closeEvent and done)
            self._held = False
            let_go(self.path)
        if not self.saving and not self.opening and not self._print_went_on:
            self.kept.close()  # (else once the job that may need it lets go of it)
        if not self.saving and not self.saved_over and not self._print_went_on:
            forget_report(self.path)

    def closeEvent(self, event) -> None:
        self._release()
        super().closeEvent(event)

    def done(self, result: int) -> None:  # Esc closes the preview like Close does
        self._release()
        super().done(result)


def _group(*widgets: QWidget) -> QWidget:
    """``widgets`` side by side, kept on one line of a ``FlowLayout``."""
    group = QWidget()
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        row.addWidget(w)
    return group


def ask(window, kind: str = "sheet") -> ReportDialog:
    """Open the report dialog for ``window`` (a MainWindow): its session, identity (and
    the new one when the plan changes), period and settings."""
    dialog = ReportDialog(
        window, window.session, window.identity, window.period, window.settings, kind
    )
    # the window reads the plan again after an import or an amendment: follow it
    window.identity_did_change.connect(dialog.set_identity)
    dialog.open()
    return dialog
