"""Reports inside the client: the File menu entries, building on the worker with
progress and cancel, the QtPdf preview, printing (to a PDF printer), Save as, the
system viewer, and builder errors shown as a message."""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QDesktopServices, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QProgressDialog,
    QPushButton,
)

import fieldplan.reports
from fieldplan import i18n
from fieldplan.errors import ValidationError
from tests import reasons
from tests.core.test_i18n import WordsCatalog
from tests.ui.conftest import wait_idle
from ui.dialogs import MessageDialog
from ui.report_preview import (
    MAX_PRINT_DPI,
    PreviewWindow,
    PrintJob,
    ReportDialog,
    ReportRequest,
    page_bands,
    pages_to_print,
    print_pages,
    reports_dir,
)


def pdf_pages(path: Path) -> int:
    """The page count as poppler reads it (not as QtPdf does)."""
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def menu_actions(window) -> dict[str, object]:
    found = {}
    for top in window.menuBar().actions():
        if top.menu() is not None:
            for action in top.menu().actions():
                if action.objectName():
                    found[action.objectName()] = action
    return found


def previews(window) -> list[PreviewWindow]:
    return window.findChildren(PreviewWindow)


def choose(window, kind: str) -> ReportDialog:
    """Open the report dialog from the menu entry, as a user would."""
    menu_actions(window)[f"report-{kind}-action"].trigger()
    dialog = window.findChild(ReportDialog, f"report-dialog-{kind}")
    assert dialog is not None and dialog.isVisible()
    return dialog


def record_builder(monkeypatch, name: str) -> list[tuple[int, dict]]:
    """Wrap a real builder to see which thread it ran on and what it was asked."""
    calls: list[tuple[int, dict]] = []
    real = getattr(fieldplan.reports, name)

    def spy(*args, **kwargs):
        calls.append((threading.get_ident(), kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(fieldplan.reports, name, spy)
    return calls


@pytest.fixture
def preview(qtbot, pack_pdf):
    window = PreviewWindow(None, pack_pdf, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(window)
    window.show()
    yield window  # qtbot closes it (and so deletes it)


def test_status_sheet_is_built_off_the_gui_thread_and_previewed(
    open_window, office_db, qtbot, monkeypatch
):
    calls = record_builder(monkeypatch, "build_status_sheet")
    asked: list[str] = []
    monkeypatch.setattr(PreviewWindow, "raise_", lambda self: asked.append("raise"))
    monkeypatch.setattr(PreviewWindow, "activateWindow",
                        lambda self: (asked.append("activate"), QDialog.activateWindow(self)))
    window = open_window(office_db)
    dialog = choose(window, "sheet")
    assert dialog.office_combo is None  # an office prints its own sheet
    assert dialog.period_combo.currentData() == window.period
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)

    ((thread, kwargs),) = calls
    assert thread != threading.main_thread().ident
    out = Path(kwargs["out"])
    assert out.parent == reports_dir() and out.exists()
    assert (kwargs["lang"], kwargs["paper"]) == ("en", "A4")
    preview = previews(window)[0]
    assert preview.request.office == "SN" and preview.isVisible()
    # in front, the active window: its keys, not the main window's, answer. (Qt's
    # offscreen platform activates any new window; a desktop may leave it behind, so
    # the preview asks for it: seen by its calls)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is preview, timeout=5000)
    assert asked == ["raise", "activate"]
    pages = pdf_pages(out)
    assert preview.page_count() == pages
    assert preview.page_label.text() == f"Page 1 of {pages}"
    assert "Senegal" in preview.windowTitle()
    preview.close()


def test_review_pack_only_at_headquarters(open_window, office_db, hq_db, qtbot, monkeypatch):
    office = open_window(office_db)
    assert "report-sheet-action" in menu_actions(office)
    assert "report-pack-action" not in menu_actions(office)

    calls = record_builder(monkeypatch, "build_review_pack")
    hq = open_window(hq_db)
    assert {"report-sheet-action", "report-pack-action"} <= set(menu_actions(hq))
    sheet = choose(hq, "sheet")
    assert sheet.office_combo is not None  # HQ chooses the office
    # the offices headquarters knows (itself here), named as the client names them:
    # one never enrolled was offered, and refused once Preview was pressed
    wait_idle(qtbot, hq.session)
    combo = sheet.office_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["HQ"]
    assert combo.itemText(0) == "HQ · Headquarters"
    # offices known: listed in the review pack's order, as the Overview and the
    # Reports page's 'Filter by office' list them (by code, AE came before BD; by
    # name, after), headquarters last, past a line (it came first, the other end)
    sheet._offices_loaded(["AE", "BD", "TD"])
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "BD", "TD", "AE", None, "HQ"]
    assert combo.currentData() == "HQ"  # (still the one chosen)
    sheet.reject()

    dialog = choose(hq, "pack")
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2026-S1"))
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("Letter"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(hq)), timeout=20_000)
    wait_idle(qtbot, hq.session)
    ((thread, kwargs),) = calls
    assert thread != threading.main_thread().ident and kwargs["paper"] == "Letter"
    assert kwargs["deadline"] == date(2026, 7, 30)  # 30 days after the semester, by default
    preview = previews(hq)[0]
    pages = preview.page_count()
    assert pages == pdf_pages(preview.path) and pages > 2
    assert hq.settings.value("reports/paper") == "Letter"  # remembered for next time

    assert not preview.previous_button.isEnabled()
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: preview.current_page() == 1)
    assert preview.page_label.text() == f"Page 2 of {pages}"
    assert preview.previous_button.isEnabled()
    preview.zoom_in()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    bigger = preview.view.zoomFactor()
    preview.zoom_out()
    assert preview.view.zoomFactor() < bigger
    preview.fit_width()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    preview.close()


def test_the_pack_asks_by_when_reports_were_due(open_window, hq_db, qtbot, monkeypatch):
    """Every semester's data arrives after it ends: the pack lists as late what came
    after the deadline, which follows the period chosen and cannot precede its end."""
    calls = record_builder(monkeypatch, "build_review_pack")
    hq = open_window(hq_db)
    dialog = choose(hq, "pack")
    edit = dialog.deadline_edit
    assert edit is not None and edit.isVisibleTo(dialog)
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2025-S2"))
    assert edit.date().toPython() == date(2026, 1, 30)
    assert edit.minimumDate().toPython() == date(2025, 12, 31)
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2026-S1"))
    assert edit.date().toPython() == date(2026, 7, 30)
    edit.setDate(date(2026, 6, 1))  # before the end: held at the end
    assert edit.date().toPython() == date(2026, 6, 30)
    edit.setDate(date(2026, 8, 15))
    assert dialog.request().deadline == date(2026, 8, 15)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(hq)), timeout=20_000)
    wait_idle(qtbot, hq.session)
    ((_thread, kwargs),) = calls
    assert kwargs["deadline"] == date(2026, 8, 15)
    previews(hq)[0].close()
    sheet = choose(hq, "sheet")
    assert sheet.deadline_edit is None  # a status sheet has no deadline
    sheet.reject()


def test_the_pack_printed_before_the_days_named_are_read_uses_the_periods(
        open_window, hq_db, qtbot, monkeypatch):
    """The dialog reads the days headquarters named from the database on the worker;
    Preview pressed before they are read (the default shown) prints with the period's
    own day, and keeps the day named (the default was kept over it, and printed)."""
    from fieldplan.replica import open_replica
    from fieldplan.reports.deadlines import named_deadlines, set_deadline

    with open_replica(hq_db) as rep:
        set_deadline(rep, "2026-S1", date(2026, 8, 20))
    calls = record_builder(monkeypatch, "build_review_pack")
    hq = open_window(hq_db)
    dialog = choose(hq, "pack")
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2026-S1"))
    assert dialog.deadline_edit.date().toPython() == date(2026, 7, 30)  # (not read yet)
    assert dialog.request().deadline is None
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(hq)), timeout=20_000)
    wait_idle(qtbot, hq.session)
    ((_thread, kwargs),) = calls
    assert kwargs["deadline"] == date(2026, 8, 20)
    previews(hq)[0].close()
    with open_replica(hq_db) as rep:
        assert named_deadlines(rep) == {"2026-S1": date(2026, 8, 20)}
    # read: shown, and a day the person chose before then stays theirs
    again = choose(hq, "pack")
    again.period_combo.setCurrentIndex(again.period_combo.findData("2026-S1"))
    wait_idle(qtbot, hq.session)
    assert again.deadline_edit.date().toPython() == date(2026, 8, 20)
    assert again.request().deadline == date(2026, 8, 20)
    again.reject()
    again.setObjectName("")  # (the next one found by ``choose``)
    third = choose(hq, "pack")
    third.period_combo.setCurrentIndex(third.period_combo.findData("2026-S1"))
    third.deadline_edit.setDate(date(2026, 9, 9))
    wait_idle(qtbot, hq.session)
    assert third.deadline_edit.date().toPython() == date(2026, 9, 9)
    third.reject()


_PACK_DIALOG = """
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from fieldplan.replica import open_replica
from ui.context import read_identity
from ui.report_preview import ReportDialog

app = QApplication([])
with open_replica(sys.argv[1]) as rep:
    identity = read_identity(rep)
dialog = ReportDialog(None, None, identity, "2026-S1",
                      QSettings(sys.argv[2], QSettings.Format.IniFormat), "pack")
dialog.show()
app.processEvents()
print(dialog.deadline_edit.date().toPython(), "reportlab" in sys.modules)
"""


def test_the_pack_dialog_opens_without_importing_reportlab(hq_db, tmp_path):
    """The review pack dialog shows the period's default deadline without loading
    ReportLab on the GUI thread (a third to half a second): only the build, on the
    worker, needs it. (In a process of its own: this one has ReportLab loaded.)"""
    import os

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _PACK_DIALOG, str(hq_db), str(tmp_path / "s.ini")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "2026-07-30 False"


def test_print_renders_every_page_to_the_printer(preview, qtbot, pack_pdf, tmp_path):
    pages = pdf_pages(pack_pdf)
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview.print_to(printer)
    assert blocker.args == [pages, ""]
    assert pdf_pages(tmp_path / "printed.pdf") == pages
    printed = QPdfDocument()
    printed.load(str(tmp_path / "printed.pdf"))
    size = printed.pagePointSize(0)
    assert abs(size.width() - 595.3) < 1 and abs(size.height() - 841.9) < 1  # A4
    image = printed.render(0, size.toSize())  # the page is drawn, not blank
    dark = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y).alpha() > 0 and image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 50
    printed.close()
    assert preview.print_job is None and preview.print_button.isEnabled()


def test_printing_the_whole_report_to_a_file_writes_the_report_itself(preview, qtbot,
                                                                     pack_pdf, tmp_path):
    """Print to File made a PDF of page images, about a megabyte a page, its text
    lost: the whole report printed to a file is the report's own PDF, as Save as…
    writes it. Some pages of it are still printed page by page."""
    target = tmp_path / "printed.pdf"
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview.print_to(printer)
    assert blocker.args == [preview.page_count(), ""]
    assert target.read_bytes() == pack_pdf.read_bytes()
    # said beside the buttons, as Save as… says it: nothing said where the file went
    assert preview.saved_label.text() == "Saved as printed.pdf."
    assert preview.saved_label.toolTip() == str(target)
    preview.saved_label.clear()
    # never as another kind of file, as Save as…: said, and nothing written
    printer.setOutputFileName(str(tmp_path / "office.sqlite3"))
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview.print_to(printer)
    assert blocker.args[0] == 0 and blocker.args[1]
    assert not (tmp_path / "office.sqlite3").exists()
    dialogs = [d for d in preview.findChildren(MessageDialog) if d.isVisible()]
    assert dialogs
    for dialog in dialogs:
        dialog.close()
    # one page of it: printed
    printer.setOutputFileName(str(target))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(1, 1)
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview.print_to(printer)
    assert blocker.args == [1, ""] and pdf_pages(target) == 1
    assert target.read_bytes() != pack_pdf.read_bytes()
    assert preview.saved_label.text() == "Saved as printed.pdf."


def test_print_button_opens_the_print_dialog(preview, qtbot, monkeypatch):
    """Print… once raised a TypeError (QPrintDialog.open wants arguments in PySide6)
    and showed nothing."""
    from PySide6.QtPrintSupport import QPrintDialog

    qtbot.waitUntil(preview.print_button.isEnabled)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    dialog = preview.findChild(QPrintDialog, "print-dialog")
    assert dialog is not None and dialog.isVisible()
    asked = []
    monkeypatch.setattr(preview, "print_to", asked.append)
    dialog.accept()  # accepting starts printing on the dialog's printer
    assert asked == [dialog.printer()]


def test_a_report_file_is_named_in_its_language(monkeypatch):
    """A French review pack was offered as "review-pack-2026-S1-fr.pdf": the name's
    words follow the report's language, in ASCII (i18n.file_name_word); an Arabic
    report keeps the English words. (The catalogs' words may not be there yet: given.)"""
    monkeypatch.setitem(i18n._translations, "fr", WordsCatalog({
        "review-pack": "dossier de revue", "status-sheet": "fiche d’avancement",
        "office": "bureau"}))
    monkeypatch.setitem(i18n._translations, "ar", WordsCatalog({
        "review-pack": "ملف المراجعة", "status-sheet": "ورقة حالة التقدم"}))
    assert ReportRequest("pack", "2026-S1", lang="fr").stem() == "dossier-de-revue-2026-S1-fr"
    assert ReportRequest("sheet", "2026-S1", "SN", lang="fr").stem() == \
        "fiche-d-avancement-SN-2026-S1-fr"
    assert ReportRequest("sheet", "2026-S1", lang="fr").stem() == \
        "fiche-d-avancement-bureau-2026-S1-fr"
    assert ReportRequest("pack", "2026-S1", lang="ar").stem() == "review-pack-2026-S1-ar"
    assert ReportRequest("sheet", "2026-S1", "SN", lang="ar").stem() == \
        "status-sheet-SN-2026-S1-ar"
    assert ReportRequest("pack", "2026-S1").stem() == "review-pack-2026-S1-en"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the system's print dialog")
def test_printing_to_a_file_offers_a_file_not_a_folder(preview, qtbot, tmp_path,
                                                       monkeypatch):
    """Qt's print dialog offered the home folder as the file to print to, and then
    refused it ("is a directory"): it offers the report's file in Documents, as Save
    as… does, or in the home folder when there is no Documents folder."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert Path(preview.make_printer().outputFileName()) == home / "review-pack-2026-S1-en.pdf"
    (home / "Documents").mkdir()
    wanted = home / "Documents" / "review-pack-2026-S1-en.pdf"
    assert preview.default_save_path() == str(wanted)

    qtbot.waitUntil(preview.print_button.isEnabled)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    dialog = preview.findChild(QPrintDialog, "print-dialog")
    field = dialog.findChild(QLineEdit, "filename")  # "Output file" of Print to File
    assert field is not None and field.text() == str(wanted)
    asked = []
    monkeypatch.setattr(preview, "print_to", asked.append)
    # its Print button: the dialog checks the file, then accepts
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert asked == [dialog.printer()]
    assert asked[0].outputFileName() == str(wanted) and not wanted.exists()


def test_print_honours_the_page_range(preview, qtbot, tmp_path):
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview.print_to(printer)
    assert blocker.args == [2, ""]
    assert pdf_pages(tmp_path / "range.pdf") == 2


def test_pages_to_print_follows_the_dialog():
    printer = QPrinter()
    assert pages_to_print(printer, 4) == [0, 1, 2, 3]
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert pages_to_print(printer, 4, current=2) == [2]
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    assert pages_to_print(printer, 4) == [2, 1]


def white_page(document: QPdfDocument, page: int, pixels: QSize) -> QImage:
    """``page`` of ``document`` rendered whole at ``pixels``, on white paper."""
    out = QImage(pixels, QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawImage(0, 0, document.render(page, pixels))
    painter.end()
    return out


def differences(a: QImage, b: QImage) -> list[int]:
    """How much each colour channel of each pixel differs between two images."""
    assert a.size() == b.size()
    a = a.convertToFormat(QImage.Format.Format_RGB32)
    b = b.convertToFormat(QImage.Format.Format_RGB32)
    return [abs(x - y) for x, y in zip(bytes(a.constBits()), bytes(b.constBits()), strict=True)]


def ink_box(image: QImage) -> tuple[int, int, int, int]:
    """Where a page has dark ink (text, not thin grey rules a viewer may draw lighter
    or darker): left, top, right, bottom."""
    dark = [(x, y) for y in range(image.height()) for x in range(image.width())
            if image.pixelColor(x, y).lightness() < 96]
    xs, ys = [x for x, _y in dark], [y for _x, y in dark]
    return min(xs), min(ys), max(xs), max(ys)


def largest_difference(a: QImage, b: QImage) -> int:
    return max(differences(a, b))


def test_page_bands_make_the_whole_page(pack_pdf):
    """Printing renders a page in bands, each a short call (PySide6 holds Python's
    lock through it, so the window waits for one band, not for a page). Laid one
    under the other they are the page: none is shifted or scaled (QtPdf scales a
    clipped page one pixel short: page_bands makes up for it)."""
    document = QPdfDocument()
    assert document.load(str(pack_pdf)) == QPdfDocument.Error.None_
    pixels = QSize(300, 424)
    whole = white_page(document, 0, pixels)
    bands = list(page_bands(document, 0, pixels, rows=50))
    document.close()
    assert len(bands) > 8 and bands[0][0] == 0
    for (top, band), (next_top, _next) in itertools.pairwise(bands):
        assert next_top == top + band.height() - 1  # each ends with the next one's first row
        assert 38 <= band.height() <= 51
    top, band = bands[-1]
    assert top + band.height() == pixels.height()
    for _top, band in bands:
        assert band.width() == pixels.width()
        assert band.pixelColor(0, 0) == QColor("white")  # on paper, not transparent
    laid = QImage(pixels, QImage.Format.Format_RGB32)
    laid.fill(QColor("red"))  # a row no band covers would show
    painter = QPainter(laid)
    for top, band in bands:
        painter.drawImage(0, top, band)
    painter.end()
    assert largest_difference(laid, whole) < 48  # anti-aliasing of text, nothing more


class PrinterOfItsOwnResolution(QPrinter):
    """A printer that keeps its resolution whatever it is asked (as a Mac printer may,
    when it has no 300 dpi)."""

    def setResolution(self, _dpi: int) -> None:  # (Qt's name)
        pass


def test_bands_end_between_lines_of_text(pack_pdf):
    """A viewer showing a printed file zoomed out scales each band on its own: a line
    of text cut by a band's edge lost half its height. A band ends at the row of its
    last quarter with the least ink."""
    document = QPdfDocument()
    document.load(str(pack_pdf))
    pixels = QSize(600, 848)
    page = 2  # tables, lines of text
    whole = white_page(document, page, pixels)
    bands = list(page_bands(document, page, pixels, rows=100))
    document.close()
    white = QColor("white")
    for top, band in bands[:-1]:
        row = top + band.height() - 1  # where this band ends and the next one starts
        last_quarter = range(top + 76, top + 101)
        assert row in last_quarter

        def ink(y):
            return sum(whole.pixelColor(x, y) != white for x in range(pixels.width()))

        assert ink(row) == min(ink(y) for y in last_quarter)


def print_to_pdf(pack_pdf: Path, out: Path, pages: list[int], printer_class=QPrinter,
                 **kwargs) -> tuple[int, QPrinter]:
    document = QPdfDocument()
    document.load(str(pack_pdf))
    printer = printer_class(QPrinter.PrinterMode.HighResolution)  # 1200 dpi
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    try:
        return print_pages(document, printer, pages, **kwargs), printer
    finally:
        document.close()


@pytest.mark.parametrize(("printer_class", "dpi"), [
    (QPrinter, MAX_PRINT_DPI), (PrinterOfItsOwnResolution, 1200)])
def test_printing_paints_the_rendered_pixels_as_they_are(pack_pdf, tmp_path, printer_class,
                                                         dpi):
    """A 1200 dpi printer is set to the resolution pages are rendered at (300 dpi), so
    each band is painted pixel for pixel, not scaled up fourfold; the printed page is
    the report's page, its bands in place (also on a printer that keeps its own
    resolution)."""
    printed, printer = print_to_pdf(pack_pdf, tmp_path / "printed.pdf", [0], printer_class)
    assert printed == 1 and printer.resolution() == dpi
    pixels = QSize(298, 421)  # A4 at 36 dpi
    pages = []
    for path in (tmp_path / "printed.pdf", pack_pdf):
        document = QPdfDocument()
        document.load(str(path))
        pages.append(white_page(document, 0, pixels))
        document.close()
    diff = differences(*pages)
    # the same page: text anti-aliased anew, nothing shifted, nothing missing
    assert sum(diff) / len(diff) < 4 and sum(d > 64 for d in diff) < len(diff) * 0.03
    printed_ink, ink = (ink_box(page) for page in pages)
    assert all(abs(a - b) <= 1 for a, b in zip(printed_ink, ink, strict=True)), (printed_ink, ink)


def test_printing_stops_between_pages_when_cancelled(pack_pdf, tmp_path):
    done = []
    printed, _printer = print_to_pdf(
        pack_pdf, tmp_path / "cancelled.pdf", [0, 1, 2],
        progress=lambda n, total: done.append((n, total)), cancel=lambda: bool(done),
    )
    assert printed == 1 and done == [(1, 3)]
    assert pdf_pages(tmp_path / "cancelled.pdf") == 1


def test_cancel_in_the_progress_dialog_stops_the_print_job(preview, qtbot, tmp_path):
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    # some of the pages: printed one by one (the whole report is copied at once)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, preview.page_count())
    preview.print_to(printer)
    job = preview.print_job
    assert isinstance(job, PrintJob)
    # as the person's click: the job is told at once, and stops at its next page
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000) as blocker:
        preview._print_progress.findChild(QPushButton).click()
        assert job.cancel.is_set()
    assert blocker.args[0] < preview.page_count() and blocker.args[1] == ""
    assert preview.print_job is None and preview.print_button.isEnabled()


def save(qtbot, preview: PreviewWindow, target) -> bool:
    """``preview.save_copy(target)``, waited for: whether the copy was written."""
    with qtbot.waitSignal(preview.save_did_finish, timeout=10_000) as blocker:
        preview.save_copy(str(target))
    return blocker.args[0]


def test_save_as_copies_the_report(preview, qtbot, pack_pdf, tmp_path):
    target = tmp_path / "kept" / "review.pdf"
    target.parent.mkdir()
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    dialog = preview.findChild(QFileDialog, "save-report-dialog")
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(target))
    with qtbot.waitSignal(preview.save_did_finish, timeout=10_000):
        dialog.accept()
    assert target.read_bytes() == pack_pdf.read_bytes()

    assert not save(qtbot, preview, tmp_path / "no-such-folder" / "x.pdf")
    message = preview.findChild(MessageDialog, "preview-message")
    assert message is not None and "could not be saved" in message.text.text()


def test_save_as_never_writes_over_a_database_or_as_another_kind_of_file(
    open_window, hq_db, pack_pdf, qtbot, tmp_path
):
    """Save as… copied the PDF over whatever file was chosen: typing the database's
    own name (the dialog adds .pdf only to a name without an ending) destroyed it."""
    window = open_window(hq_db)  # the open database is protected, as in use
    preview = PreviewWindow(window, pack_pdf, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(preview)
    elsewhere = tmp_path / "copy-of-a-database.pdf"
    shutil.copyfile(hq_db, elsewhere)
    named = tmp_path / "summary.csv"
    named.write_text("kept")
    before = {p: p.read_bytes() for p in (hq_db, elsewhere, named)}
    assert Path(f"{hq_db}-wal").exists()
    for target, reason in (
        (hq_db, "is named as a .sqlite3 file but a PDF is written"),
        (Path(f"{hq_db}-wal"), "it is fieldplan's own database or key file"),
        (elsewhere, "it is a database; choose another file"),
        (named, "is named as a .csv file but a PDF is written"),
    ):
        assert not save(qtbot, preview, target)
        (message,) = preview.findChildren(MessageDialog, "preview-message")
        assert "could not be saved" in message.text.text()
        assert reason in message.text.text()
        message.close()
        message.setParent(None)
        assert preview.saved_label.text() == ""
    assert {p: p.read_bytes() for p in before} == before

    kept = tmp_path / "review.pdf"
    assert save(qtbot, preview, kept)
    assert kept.read_bytes() == pack_pdf.read_bytes()
    assert preview.saved_label.text() == "Saved as review.pdf."
    assert preview.saved_label.toolTip() == str(kept)


def slow_writes(monkeypatch) -> tuple[threading.Event, threading.Event, list[int]]:
    """``files.write_atomic`` held until ``release`` is set, as a USB stick holds it:
    (started, release, the threads it ran on)."""
    from fieldplan import files

    real = files.write_atomic
    started, release, threads = threading.Event(), threading.Event(), []

    def held(path, data, **kwargs):
        threads.append(threading.get_ident())
        started.set()
        release.wait(10)
        return real(path, data, **kwargs)

    monkeypatch.setattr(files, "write_atomic", held)
    return started, release, threads


def test_saving_runs_off_the_gui_thread(preview, qtbot, pack_pdf, tmp_path, monkeypatch):
    """The copy was read and written (and synced) on the GUI thread: a review pack
    saved to a USB stick froze the window."""
    started, release, threads = slow_writes(monkeypatch)
    target = tmp_path / "review.pdf"
    try:
        preview.save_copy(str(target))  # back at once, the copy still being written
        assert started.wait(10)
        assert not target.exists()
        assert preview.saved_label.text() == "Saving…"
        assert not preview.save_button.isEnabled()
        preview.save_copy(str(tmp_path / "again.pdf"))  # one copy at a time
        preview.next_page()  # the window answers meanwhile
        assert preview.current_page() == 1
    finally:
        release.set()
    qtbot.waitUntil(lambda: not preview.saving, timeout=10_000)
    assert threads and threading.main_thread().ident not in threads
    assert len(threads) == 1 and not (tmp_path / "again.pdf").exists()
    assert target.read_bytes() == pack_pdf.read_bytes()
    assert preview.saved_label.text() == "Saved as review.pdf."
    assert preview.save_button.isEnabled()


def test_the_focus_stays_with_save_as_and_print_while_they_work(preview, qtbot, tmp_path,
                                                               monkeypatch):
    """Save as… and Print… are disabled while they work: the focus, on them (Enter or
    Alt+letter pressed them), went on to the next button for good. After Save as… it was
    Open in the system viewer, which the next Enter opened. It waits on "Saving…"
    meanwhile and comes back; found by QA (a keyboard walk)."""
    preview.activateWindow()
    preview.save_button.setFocus()
    started, release, _threads = slow_writes(monkeypatch)
    try:
        preview.save_copy(str(tmp_path / "review.pdf"))
        assert started.wait(10)
        assert preview.focusWidget() is preview.saved_label  # "Saving…", read there
    finally:
        release.set()
    qtbot.waitUntil(lambda: not preview.saving, timeout=10_000)
    assert preview.focusWidget() is preview.save_button

    preview.print_button.setFocus()
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000):
        preview.print_to(printer)
    assert preview.focusWidget() is preview.print_button

    preview.zoom_in_button.setFocus()  # moved meanwhile: left where the person put it
    preview.save_button.setFocus()
    started, release, _threads = slow_writes(monkeypatch)
    try:
        preview.save_copy(str(tmp_path / "again.pdf"))
        assert started.wait(10)
        preview.zoom_in_button.setFocus()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not preview.saving, timeout=10_000)
    assert preview.focusWidget() is preview.zoom_in_button


def test_closing_the_preview_while_saving_keeps_the_copy(
    open_window, hq_db, pack_pdf, qtbot, tmp_path, monkeypatch
):
    import shiboken6

    from ui.ops import off_thread_jobs

    window = open_window(hq_db)
    for target in (tmp_path / "review.pdf", tmp_path / "no-such-folder" / "x.pdf"):
        started, release, _threads = slow_writes(monkeypatch)
        preview = PreviewWindow(window, pack_pdf, ReportRequest("pack", "2026-S1"))
        preview.show()
        try:
            preview.save_copy(str(target))
            assert started.wait(10)
            preview.close()  # and so deleted
            qtbot.waitUntil(lambda p=preview: not shiboken6.isValid(p))
        finally:
            release.set()
        qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)
    # written whole, and said in the main window
    assert (tmp_path / "review.pdf").read_bytes() == pack_pdf.read_bytes()
    assert window.statusBar().whole_message() == "Saved as review.pdf."
    # a copy that cannot be written is said there too, in a message
    (message,) = window.findChildren(MessageDialog, "preview-message")
    assert "could not be saved" in message.text.text()
    message.close()


def test_closing_the_preview_while_printing_to_a_file_does_not_wait_for_the_drive(
    open_window, hq_db, pack_pdf, qtbot, tmp_path, monkeypatch
):
    """Print to File of the whole report onto a USB stick, the preview closed (Esc)
    while the stick was still taking it: the window waited, frozen, for the file to be
    written, for good on a stalled network drive; Save as… never did. The preview now
    closes at once; the file is written whole and said in the main window; a copy that
    fails is said there too."""
    import shiboken6

    from ui import report_preview

    window = open_window(hq_db)
    for target in (tmp_path / "printed.pdf", tmp_path / "no-such-folder" / "x.pdf"):
        started, release, threads = slow_writes(monkeypatch)
        preview = PreviewWindow(window, pack_pdf, ReportRequest("pack", "2026-S1"))
        preview.show()
        printer = preview.make_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        try:
            preview.print_to(printer)
            assert started.wait(10)
            preview.close()  # and so deleted: back before the stick has the file
            assert not release.is_set() and not target.exists()
            qtbot.waitUntil(lambda p=preview: not shiboken6.isValid(p))
        finally:
            release.set()
        qtbot.waitUntil(lambda: not report_preview._prints_left, timeout=10_000)
        assert threads and threading.main_thread().ident not in threads
    assert (tmp_path / "printed.pdf").read_bytes() == pack_pdf.read_bytes()
    assert window.statusBar().whole_message() == "Saved as printed.pdf."
    (message,) = window.findChildren(MessageDialog, "preview-message")
    assert "could not be saved" in message.text.text()
    message.close()


def test_a_failed_save_is_said_whatever_window_is_open_when_it_ends(
    shell, hq_db, pack_pdf, qtbot, tmp_path, monkeypatch
):
    """A save failed (a full USB stick) after the preview and its window were gone: it
    was said to neither, so to no one. It is said in the window open then, or in a
    message of its own when none is. (A language switch rebuilds the window: the
    preview goes on over the new one, and says it there.)"""
    import errno

    import shiboken6

    from fieldplan import files
    from ui import report_preview
    from ui.ops import off_thread_jobs

    started, release = threading.Event(), threading.Event()

    def full(path, data, **kwargs):
        started.set()
        release.wait(10)
        raise files.cannot_write(path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(files, "write_atomic", full)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)

    def save_while(gone, stays: bool = False) -> PreviewWindow:
        """A save that fails once ``gone()`` has taken the preview away (or, ``stays``,
        its window only)."""
        started.clear()
        release.clear()
        preview = PreviewWindow(shell.window, pack_pdf, ReportRequest("pack", "2026-S1"))
        preview.show()
        try:
            preview.save_copy(str(tmp_path / "usb" / "review.pdf"))
            assert started.wait(10)
            gone()
            if not stays:
                qtbot.waitUntil(lambda: not shiboken6.isValid(preview), timeout=5000)
        finally:
            release.set()
        qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)
        return preview

    said = "The report could not be saved: cannot write"
    old = shell.window
    # the window is made anew; the preview goes on over the new one
    preview = save_while(lambda: shell.change_language("en"), stays=True)
    assert shell.window is not old and preview.parentWidget() is shell.window
    (message,) = preview.findChildren(MessageDialog, "preview-message")
    assert said in message.text.text() and "the disk is full" in message.text.text()
    message.close()
    preview.close()
    wait_idle(qtbot, shell.session)

    def no_window() -> None:
        window, shell.window = shell.window, None
        window.close()
        window.deleteLater()

    save_while(no_window)
    (message,) = [w for w in QApplication.topLevelWidgets()
                  if isinstance(w, MessageDialog) and w.objectName() == "preview-message"
                  and w.isVisible()]
    assert message.parent() is None and said in message.text.text()
    message.close()
    assert not report_preview._lone_messages


def test_open_in_the_system_viewer(preview, qtbot, monkeypatch):
    """The viewer was given the report's file in the cache: Okular or Acrobat saved the
    person's notes into it, and the cache's clean-up removed it a day later, notes and
    all, without a word. It is given a read-only copy of its own, under the report's
    plain name (the viewer's Save as… offers it), which the clean-up keeps once
    changed; said beside the buttons. Pressed again: the same copy while unchanged."""
    import stat

    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert done.args == [True]
    (url,) = opened
    copy = Path(url.toLocalFile())
    assert copy != preview.path and copy == preview.viewer_file
    assert copy.name == "review-pack-2026-S1-en.pdf"
    assert copy.parent.parent == reports_dir() and copy.parent.name.startswith("opened-")
    assert copy.read_bytes() == preview.path.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0  # (read-only)
    assert preview.saved_label.text().startswith("Opened a read-only copy")
    assert preview.saved_label.accessibleDescription() == str(copy)
    assert preview.open_button.isEnabled()
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000):
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert opened[-1] == url
    # the viewer saved into it all the same: a new copy, the changed one left as it is
    copy.chmod(0o644)
    copy.write_bytes(copy.read_bytes() + b"% a note\n")
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000):
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert opened[-1] != url and copy.read_bytes().endswith(b"% a note\n")
    preview.saved_label.grab().save(str(reports_dir().parent / "opened-label.png"))


def test_open_in_the_system_viewer_without_one_or_room(preview, qtbot, monkeypatch):
    """No program for PDF files, or no copy could be made (the cache's folder is a
    file): a message each, the button usable again."""
    import ui.report_preview as preview_module

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert done.args == [False]
    message = preview.findChild(MessageDialog, "preview-message")
    assert message.text.text().startswith("No program to open PDF files was found.")
    message.close()
    blocked = reports_dir().parent / "blocked"
    blocked.write_text("a file")
    monkeypatch.setattr(preview_module, "reports_dir", lambda: blocked)
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert done.args == [False] and preview.open_button.isEnabled()
    qtbot.waitUntil(lambda: any(m.isVisible() and m.text.text().startswith(
        "The report could not be opened: ") for m in preview.findChildren(MessageDialog)))


def test_open_in_the_system_viewer_on_a_full_disk_names_no_file_of_the_cache(
        preview, qtbot, monkeypatch, tmp_path):
    """The viewer's copy did not fit on the disk: the message said "Unexpected error:
    OSError: [Errno 28] No space left on device: '…/reports/opened-1a2b3c4d/review-pack-
    2026-S1-en.pdf'", a fault of fieldplan's and a file of the cache the person never
    chose nor sees. It says why and what to do, as a report that could not be made
    does; no copy's folder is left in the cache, and with room again the copy opens."""
    import errno
    import os

    import ui.report_cache as cache_module

    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    real_copy = shutil.copyfile

    def full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(target))

    monkeypatch.setattr(cache_module.shutil, "copyfile", full)
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert done.args == [False] and preview.open_button.isEnabled()
    message = preview.findChild(MessageDialog, "preview-message")
    assert message.text.text() == \
        f"The report could not be opened: {reasons.OWN_DISK_FULL}"
    assert not [p for p in reports_dir().iterdir() if p.name.startswith("opened-")]
    message.grab().save(str(tmp_path / "viewer-copy-full.png"))
    message.close()
    monkeypatch.setattr(cache_module.shutil, "copyfile", real_copy)
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        qtbot.mouseClick(preview.open_button, Qt.MouseButton.LeftButton)
    assert done.args == [True] and len(opened) == 1


def test_builder_error_is_a_message_not_a_traceback(open_window, office_db, qtbot, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError("period 2031-S1 is outside the plan")

    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", refuse)
    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "report-error") is not None)
    message = window.findChild(MessageDialog, "report-error")
    assert "period 2031-S1 is outside the plan" in message.text.text()
    assert "Traceback" not in message.text.text()
    assert not previews(window)
    message.close()


def test_cancel_stops_the_build_at_its_next_step(open_window, office_db, qtbot, monkeypatch):
    started, release, went_on = threading.Event(), threading.Event(), []

    def slow(rep, period, office=None, *, out, lang, paper, progress):
        progress(0, 2, "Reading data")
        started.set()
        release.wait(10)
        progress(1, 2, "Laying out pages")  # raises: the user cancelled
        went_on.append(True)
        return Path(out)

    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", slow)
    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set)
    progress_dialog = window.findChild(QProgressDialog)
    assert progress_dialog is not None
    progress_dialog.findChild(QPushButton).click()  # its Cancel button
    release.set()
    wait_idle(qtbot, window.session)
    assert not went_on and not previews(window)
    assert window.findChild(MessageDialog, "report-error") is None
    assert window.statusBar().whole_message() == "Report cancelled."
    assert not list(reports_dir().glob("*.pdf"))


def test_report_language_defaults_to_the_interface_language(open_window, office_db, qtbot):
    from fieldplan.i18n import set_language
    from ui.qt_i18n import install_qt_translations

    window = open_window(office_db)
    app = QApplication.instance()
    set_language("ar")
    install_qt_translations(app, "ar")
    try:
        dialog = choose(window, "sheet")
        assert dialog.lang_combo.currentData() == "ar"
        assert dialog.isRightToLeft()
        dialog.reject()
    finally:
        set_language("en")
        install_qt_translations(app, "en")


def test_an_arabic_report_opens_at_the_right_edge_when_zoomed(qtbot, pack_pdf):
    shown = {}
    for code in ("en", "ar"):
        window = PreviewWindow(None, pack_pdf, ReportRequest("pack", "2026-S1", lang=code))
        qtbot.addWidget(window)
        window.show()
        window.zoom_in()
        window.zoom_in()
        bar = window.view.horizontalScrollBar()
        assert bar.maximum() > 0
        shown[code] = bar.value() == bar.maximum()
        window.close()
    assert shown == {"en": False, "ar": True}


def test_the_preview_answers_its_underlined_letters_and_its_keys(preview, qtbot,
                                                                 monkeypatch):
    """Alt+letter (the & of each button) and the window keys both work: a button's
    shortcut used to replace its Alt+letter, and Alt+V opened the system viewer."""
    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True)
    )
    saved = []
    monkeypatch.setattr(preview, "save_as", lambda: saved.append(True))
    preview.save_button.clicked.disconnect()
    preview.save_button.clicked.connect(lambda _c=False: preview.save_as())
    preview.show()
    preview.activateWindow()
    qtbot.waitUntil(lambda: preview.page_count() > 1, timeout=10_000)
    qtbot.keyClick(preview, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: preview.current_page() == 1, timeout=5000)
    qtbot.keyClick(preview, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: preview.current_page() == 0, timeout=5000)
    assert opened == []  # Alt+V is "Previous page", not the system viewer
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: preview.current_page() == 1, timeout=5000)
    qtbot.keyClick(preview, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert saved == [True]
    assert "Ctrl+Shift+S" in preview.save_button.toolTip()


def test_enter_in_the_pages_does_not_turn_them(preview, qtbot):
    """A viewer has no default button: Enter in the pages stays on the page (it went
    back one, "Previous page" being the dialog's default); Enter on a focused button
    presses it; Escape closes."""
    preview.activateWindow()
    qtbot.waitUntil(lambda: preview.page_count() > 2, timeout=10_000)
    preview.go_to(2)
    assert not [b.text() for b in preview.findChildren(QPushButton) if b.isDefault()]
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_Return)
    qtbot.keyClick(preview.view, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert preview.current_page() == 2 and preview.isVisible()
    preview.next_button.setFocus()
    qtbot.keyClick(preview.next_button, Qt.Key.Key_Return)
    assert preview.current_page() == 3
    preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # qtbot closes it
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_Escape)
    assert not preview.isVisible()


def periods_offered(dialog: ReportDialog) -> list[str]:
    combo = dialog.period_combo
    return [combo.itemData(i) for i in range(combo.count())]


@pytest.mark.parametrize("kind", ["sheet", "pack"])
def test_an_open_dialog_follows_a_plan_amendment(open_window, hq_db, qtbot, tmp_path, kind):
    """`fieldplan plan import` while the dialog is open (the window's minute look finds
    the new plan): the periods offered are the new plan's, the one chosen stays while
    the plan has it, else the nearest is chosen and the dialog says so; the office,
    language and paper chosen stay."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office
    from tests.scenes import amend_plan

    with open_replica(hq_db) as rep:  # (an office headquarters knows, to choose)
        enroll_office(rep, "ML", tmp_path / "ml.setup")
    window = open_window(hq_db)
    dialog = choose(window, kind)
    if kind == "sheet":
        wait_idle(qtbot, window.session)
        dialog.office_combo.setCurrentIndex(dialog.office_combo.findData("ML"))
    dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("fr"))
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("Letter"))
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2027-S1"))
    assert not dialog.plan_note.isVisible()
    with open_replica(hq_db) as rep:  # the plan now ends with 2026
        amend_plan(rep, tmp_path, end="2026-12-31")
    window.poll()
    qtbot.waitUntil(lambda: "2027-S1" not in periods_offered(dialog), timeout=5000)
    wait_idle(qtbot, window.session)
    assert periods_offered(dialog) == ["2025-S2", "2026-S1", "2026-S2"]
    assert dialog.period_combo.currentText() == "2nd semester 2026"
    request = dialog.request()
    assert (request.period, request.office, request.lang, request.paper) == (
        "2026-S2", "ML" if kind == "sheet" else "", "fr", "Letter")
    assert dialog.plan_note.isVisible() and dialog.plan_note.text() == (
        "The plan is now version 2: 1st semester 2027 is no longer in it, 2nd semester "
        "2026 is chosen instead.")
    # a period the plan adds is offered; the one chosen, which it keeps, stays
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2026-S1"))
    with open_replica(hq_db) as rep:
        amend_plan(rep, tmp_path, end="2028-06-30")
    window.poll()
    qtbot.waitUntil(lambda: "2028-S1" in periods_offered(dialog), timeout=5000)
    wait_idle(qtbot, window.session)
    assert periods_offered(dialog) == ["2025-S2", "2026-S1", "2026-S2", "2027-S1",
                                       "2027-S2", "2028-S1"]
    assert dialog.request() == dataclasses.replace(
        request, period="2026-S1", deadline=date(2026, 7, 30) if kind == "pack" else None)
    if kind == "pack":  # a deadline chosen stays through an amendment keeping its period
        dialog.deadline_edit.setDate(date(2026, 9, 1))
        with open_replica(hq_db) as rep:
            amend_plan(rep, tmp_path, end="2028-12-31")
        window.poll()
        qtbot.waitUntil(lambda: "2028-S2" in periods_offered(dialog), timeout=5000)
        wait_idle(qtbot, window.session)
        assert dialog.request().deadline == date(2026, 9, 1)
    dialog.reject()


def test_ctrl_shift_s_never_asks_to_submit(open_window, hq_db, qtbot, pack_pdf):
    """Ctrl+Shift+S is the preview's Save as… (the system's Save as key); in the main
    window it was Submit period…. Pressed for Save as while the main window was the
    active one (a preview opened behind it, or refused the focus by the window
    manager), it asked to submit the period, which Enter then did."""
    from PySide6.QtGui import QKeySequence

    window = open_window(hq_db)
    window.set_period("2026-S1")  # (its drafts: the question would be asked)
    wait_idle(qtbot, window.session)
    preview = PreviewWindow(window, pack_pdf, ReportRequest("pack", "2026-S1"))
    preview.show()
    save_as = QKeySequence("Ctrl+Shift+S")
    for widget in (window.office_view.tree, preview.view):
        qtbot.keyClick(widget, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        wait_idle(qtbot, window.session)
    assert window.findChild(QDialog, "submit-dialog") is None
    assert save_as not in window.submit_action.shortcuts()
    # its own keys ask, as before
    qtbot.keyClick(window.office_view.tree, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "submit-dialog") is not None,
                    timeout=10_000)
    window.findChild(QDialog, "submit-dialog").reject()
    preview.close()


def test_the_keypad_enter_submits_as_return_does_from_a_narrative(open_window, hq_db,
                                                                   qtbot):
    """Ctrl+Shift+Enter on the keypad: Qt tells it apart from Return, and a narrative
    took it for a new line."""
    from tests.ui.test_office_work import choose as choose_report

    window = open_window(hq_db)
    editor = choose_report(window, qtbot, "PA1.6")
    box = editor.narratives["achievements"]
    box.setFocus()
    before = box.toPlainText()
    qtbot.keyClick(box, Qt.Key.Key_Enter,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
                   | Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "submit-dialog") is not None,
                    timeout=10_000)
    assert box.toPlainText() == before
    window.findChild(QDialog, "submit-dialog").reject()
    wait_idle(qtbot, window.session)


def test_the_image_plugins_are_loaded_on_the_gui_thread_before_a_print(qapp, tmp_path,
                                                                       monkeypatch):
    """A printer's PDF engine loads Qt's image plugins at its first image: loaded from
    the print thread, Qt moved each to the GUI thread under a lock the GUI thread held
    while it waited for Python's, which the print thread held (CI hung for good in the
    print tests). They are loaded by the GUI thread as a print job is made."""
    import ui.report_preview as preview_module

    calls = []

    class Recorder:
        @staticmethod
        def supportedImageFormats():
            calls.append(threading.current_thread() is threading.main_thread())
            return []

    monkeypatch.setattr(preview_module, "QImageWriter", Recorder)
    printer = QPrinter()
    job = preview_module.PrintJob(tmp_path / "r.pdf", printer, [0])
    assert calls == [True]
    assert not job.isRunning()


def test_a_closed_previews_report_leaves_the_cache(open_window, hq_db, pack_pdf, qtbot,
                                                   tmp_path, monkeypatch):
    """Each report built stayed in the cache for a day (a review pack a few MB, one per
    build at headquarters): closed, its preview removes it, also when the system's
    viewer was given the report (it has a copy of its own, which stays), or once a copy
    being saved is written; never a file outside the cache's reports folder, nor one
    changed since fieldplan wrote it."""
    import shiboken6

    import ui.report_preview as preview_module
    from ui.ops import off_thread_jobs
    from ui.report_cache import record_written

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    window = open_window(hq_db)

    def shown(name: str) -> tuple[PreviewWindow, Path]:
        path = cache / name
        shutil.copyfile(pack_pdf, path)
        record_written(path)
        preview = PreviewWindow(window, path, ReportRequest("pack", "2026-S1"))
        preview.show()
        return preview, path

    preview, closed = shown("closed.pdf")
    preview.close()
    assert not closed.exists()
    preview, viewed = shown("viewed.pdf")
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        preview.open_externally()
    assert done.args == [True]
    preview.close()
    assert not viewed.exists()
    assert Path(opened[0]).read_bytes() == pack_pdf.read_bytes()
    # changed by another program since it was written: kept
    preview, changed = shown("changed.pdf")
    with changed.open("ab") as f:
        f.write(b"% a note\n")
    preview.close()
    assert changed.exists()
    # (a file elsewhere, the tests' and any other: left as it is)
    elsewhere = PreviewWindow(window, pack_pdf, ReportRequest("pack", "2026-S1"))
    elsewhere.show()
    elsewhere.close()
    assert pack_pdf.exists()
    # closed while a copy of it is saved: removed once the copy is written
    started, release, _threads = slow_writes(monkeypatch)
    preview, saved = shown("saved.pdf")
    try:
        preview.save_copy(str(tmp_path / "review.pdf"))
        assert started.wait(10)
        preview.close()
        qtbot.waitUntil(lambda p=preview: not shiboken6.isValid(p))
        assert saved.exists()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)
    assert (tmp_path / "review.pdf").read_bytes() == pack_pdf.read_bytes()
    assert not saved.exists()


def test_a_report_saved_over_its_own_file_in_the_cache_stays(open_window, hq_db, pack_pdf,
                                                             qtbot, tmp_path, monkeypatch):
    """Save as… onto the very file the preview shows (chosen in the cache's folder, by
    its name) is the person's copy: closing the preview removed it, the copy with it."""
    import ui.report_preview as preview_module

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    window = open_window(hq_db)
    path = cache / "review-pack-2026-S1-en-1a2b3c4d.pdf"
    shutil.copyfile(pack_pdf, path)
    preview = PreviewWindow(window, path, ReportRequest("pack", "2026-S1"))
    preview.show()
    with qtbot.waitSignal(preview.save_did_finish, timeout=10_000) as saved:
        preview.save_copy(str(cache / "." / path.name))
    assert saved.args == [True]
    preview.close()
    assert path.read_bytes() == pack_pdf.read_bytes()
    # printed to a file (the whole report: copied as it is) over itself, the same
    printed = cache / "review-pack-2026-S1-en-5e6f7a8b.pdf"
    shutil.copyfile(pack_pdf, printed)
    preview = PreviewWindow(window, printed, ReportRequest("pack", "2026-S1"))
    preview.show()
    qtbot.waitUntil(lambda: preview.page_count() > 0)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    with qtbot.waitSignal(preview.print_did_finish, timeout=10_000) as done:
        preview.print_to(printer)
    assert done.args == [preview.page_count(), ""]
    preview.close()
    assert printed.read_bytes() == pack_pdf.read_bytes()


def test_where_the_report_went_is_said_and_read_with_the_keyboard(preview, qtbot, tmp_path,
                                                                  announced):
    """"Saved as NAME." beside the buttons was seen, not heard: the focus stays on the
    pages (or Print), and a print to a file ended in silence; the file's whole path
    was in a tooltip, out of reach of the keyboard. It is said, and a stop of Tab
    (before Close) that says the path too; before anything is said, no stop at all."""
    from PySide6.QtWidgets import QApplication

    from tests.ui.test_read_by_keyboard import read_by_keyboard

    said = announced  # (tests.ui.conftest)
    label = preview.saved_label
    preview.activateWindow()
    qtbot.waitActive(preview)
    preview.open_button.setFocus()
    qtbot.keyClick(preview.open_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is preview.close_button  # (nothing said yet)
    target = tmp_path / "printed.pdf"
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    with qtbot.waitSignal(preview.print_did_finish, timeout=30_000):
        preview.print_to(printer)
    assert label.text() == "Saved as printed.pdf." and said == [label.text()]
    assert label.accessibleDescription() == str(target)
    preview.open_button.setFocus()
    qtbot.keyClick(preview.open_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is label and read_by_keyboard(label)
    qtbot.keyClick(label, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is preview.close_button
    # Save as…: said too ("Saving…" meanwhile is not)
    assert save(qtbot, preview, tmp_path / "review.pdf")
    assert label.text() == "Saved as review.pdf." and said[-1] == label.text()
    assert "Saving…" not in said


def test_a_file_where_the_reports_folder_should_be_is_said_in_words(office_db, tmp_path,
                                                                    monkeypatch):
    """Found by damaging the user's cache folder: a file where the folder of built
    reports should be made every report fail with "Unexpected error:
    FileExistsError: [Errno 17] File exists: '…'"."""
    import ui.report_preview as preview_module
    from fieldplan.errors import FileError
    from fieldplan.replica import open_replica
    from ui.ops import error_text
    from ui.report_preview import build_report

    cache = tmp_path / "cache" / "reports"
    cache.parent.mkdir()
    cache.write_text("not a folder")
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    with open_replica(office_db) as rep, pytest.raises(FileError) as raised:
        build_report(rep, ReportRequest("sheet", "2026-S1"))
    assert error_text(raised.value) == f"{cache} is a file, not a folder"
    assert cache.read_text() == "not a folder"


def test_a_full_disk_while_the_report_is_made_names_no_file_of_the_cache(
        open_window, office_db, qtbot, tmp_path, monkeypatch):
    """A full disk while the report was made for its preview was said with the file in
    the reports' cache ("cannot write …/.cache/fieldplan/reports/status-sheet-…-1a2b3c4d.pdf:
    the disk is full"), a file the person never chose nor sees: the dialog says why
    and what to do, no file."""
    import errno
    import os

    import ui.report_preview as preview_module

    cache = tmp_path / "cache" / "reports"
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    real_open = os.open

    def full(path, flags, *args):
        if os.fspath(path).endswith(".part") and str(cache) in os.fspath(path):
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", full)
    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "report-error") is not None,
                    timeout=20_000)
    message = window.findChild(MessageDialog, "report-error")
    assert message.text.text() == f"The report could not be made: {reasons.OWN_DISK_FULL}"
    assert not previews(window) and not list(cache.iterdir())
    message.grab().save(str(tmp_path / "report-full.png"))
    message.close()


def test_the_sheet_has_the_typing_still_waiting_to_be_saved(
        open_window, office_db, qtbot, monkeypatch):
    """Typed, then the status sheet asked for and Preview pressed at once: the sheet
    was built before the half second after which typing is saved, without the last
    words the form showed. Asking for it saves them first."""
    from fieldplan.progress import get_report
    from tests.ui.test_office_work import choose as choose_report

    seen: list[str] = []
    real = fieldplan.reports.build_status_sheet

    def spy(rep, period, *args, **kwargs):
        report = get_report(rep, "PA1.2", period)
        seen.append(report.achievements if report is not None else "")
        return real(rep, period, *args, **kwargs)

    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", spy)
    window = open_window(office_db)
    editor = choose_report(window, qtbot, "PA1.2", "2026-S2")
    qtbot.keyClicks(editor.narratives["achievements"], "Trained 45 officials")
    assert editor.busy()  # (waiting to be saved)
    dialog = choose(window, "sheet")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    assert seen == ["Trained 45 officials"]
    previews(window)[0].close()


def test_reports_changed_in_a_viewer_are_kept_and_said_where(
        open_window, office_db, qtbot, tmp_path, monkeypatch):
    """A review pack annotated in place in the cache was removed by the next report's
    clean-up a day later, without a word: it stays, and the next report built says
    where it is, once."""
    import os

    import ui.report_preview as preview_module
    from ui.report_cache import KEEP_SECONDS, record_written

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    annotated = cache / "review-pack-2026-S1-en-1a2b3c4d.pdf"
    annotated.write_bytes(b"%PDF-1.4 pack\n%%EOF\n")
    record_written(annotated)
    annotated.write_bytes(annotated.read_bytes() + b"% the person's notes\n")
    then = annotated.stat().st_mtime - KEEP_SECONDS - 60
    os.utime(annotated, (then, then))
    window = open_window(office_db)

    def build() -> PreviewWindow:
        qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
        wait_idle(qtbot, window.session)
        return previews(window)[0]

    preview = build()
    (message,) = [m for m in preview.findChildren(MessageDialog) if m.isVisible()]
    assert message.windowTitle() == "Reports kept"
    text = message.text.text()
    assert annotated.name in text and str(cache) in text
    assert annotated.read_bytes().endswith(b"% the person's notes\n")
    message.grab().save(str(tmp_path / "kept-en.png"))
    message.close()
    preview.close()
    preview = build()  # said once
    assert not [m for m in preview.findChildren(MessageDialog) if m.isVisible()]
    assert annotated.exists()
    preview.close()


def test_reports_an_earlier_fieldplan_left_are_kept_without_saying_they_were_changed(
        open_window, office_db, qtbot, tmp_path, monkeypatch):
    """The first report built a day after an update found the reports the earlier
    fieldplan had built (it recorded none) and said each was "changed in another
    program", which nothing had done. Kept all the same (a viewer may have saved notes
    into one), they are said as what is known of them: fieldplan cannot tell they are
    as it wrote them."""
    import os

    import ui.report_preview as preview_module
    from ui.report_cache import KEEP_SECONDS

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    earlier = cache / "status-sheet-ML-2026-S1-en-1a2b3c4d.pdf"
    earlier.write_bytes(b"%PDF-1.4 sheet\n%%EOF\n")  # (no record: an earlier fieldplan's)
    then = earlier.stat().st_mtime - KEEP_SECONDS - 60
    os.utime(earlier, (then, then))
    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    preview = previews(window)[0]
    (message,) = [m for m in preview.findChildren(MessageDialog) if m.isVisible()]
    text = message.text.text()
    assert earlier.name in text and str(cache) in text
    assert "changed in another program was kept" not in text
    assert "cannot tell is as it wrote it" in text, text
    assert earlier.exists()
    message.grab().save(str(tmp_path / "kept-unrecorded-en.png"))
    message.close()
    preview.close()


def test_an_arabic_save_error_keeps_the_path_whole_and_in_order(qapp, qtbot, pack_pdf,
                                                                tmp_path, monkeypatch):
    """In Arabic, "cannot write PATH: …" of Save as… on a folder it cannot write to cut
    a path with an Arabic folder name in two at that name: its pieces were laid out
    in the wrong order, the leading "/" at the wrong end. The path is now one
    left-to-right isolate, its Arabic name isolated inside it, as the message names
    it (the folder too)."""
    import errno

    from ui import report_preview
    from ui.app import apply_language

    folder = tmp_path / "تقارير"
    folder.mkdir()
    target = folder / "review.pdf"

    def refused(source, destination):  # a read-only folder (the tests may run as root)
        from fieldplan.files import cannot_write

        raise cannot_write(destination, PermissionError(errno.EACCES, "denied"),
                           folder=folder)

    monkeypatch.setattr(report_preview, "copy_report", refused)
    apply_language(qapp, "ar")
    try:
        window = PreviewWindow(None, pack_pdf, ReportRequest("pack", "2026-S1"))
        qtbot.addWidget(window)
        window.show()
        assert not save(qtbot, window, target)
        (message,) = window.findChildren(MessageDialog, "preview-message")
        shown = message.text.text()
    finally:
        apply_language(qapp, "en")
    head, name = str(tmp_path), "\u2068تقارير\u2069"
    assert "\u2066" + head + "/" + name + "/review.pdf\u2069" in shown  # whole, in order
    assert "\u2066" + head + "/" + name + "\u2069" in shown  # the folder too
    assert "\u2069/" not in shown.replace(name, "")  # no piece of it isolated apart


def test_a_path_in_an_english_or_french_error_is_as_it_was(tmp_path):
    import errno

    from fieldplan.files import cannot_write

    target = tmp_path / "تقارير" / "review.pdf"
    for lang in ("en", "fr"):
        i18n.set_language(lang)
        try:
            said = str(cannot_write(target, PermissionError(errno.EACCES, "denied")))
        finally:
            i18n.set_language("en")
        assert str(target) in said and not re.search("[\u2066-\u2069]", said)


def test_quitting_waits_for_a_print_to_a_file_a_closed_preview_left(monkeypatch, settings):
    """A report printed to a file by a preview closed since is written whole before
    the app ends, as a Save as… is (``wait_off_thread``)."""
    import ui.app
    from ui import report_preview

    called = []
    monkeypatch.setattr(report_preview, "wait_for_prints", lambda: called.append(True))
    ui.app.Shell(QApplication.instance(), settings).shutdown()
    assert called == [True]


def test_the_clean_up_keeps_the_report_a_preview_shows(qtbot, hq_db, pack_pdf, tmp_path):
    """A preview left open over a review of several days lost its file to the next
    report built (the clean-up removes the cache's reports a day old): Save as… then
    said "cannot read …/cache/…/review-pack….pdf: no such file". The report a preview
    shows stays, however old; once the preview is closed, it goes as before."""
    import os
    import time

    from fieldplan.replica import open_replica
    from ui.report_cache import record_written
    from ui.report_preview import build_report

    folder = reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    shown = folder / "review-pack-2026-S1-en-0a1b2c3d.pdf"
    shown.write_bytes(pack_pdf.read_bytes())
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(shown, (two_days_ago, two_days_ago))
    record_written(shown)
    window = PreviewWindow(None, shown, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(window)
    window.show()

    def another_report() -> list[Path]:
        kept: list[Path] = []
        with open_replica(hq_db) as rep:
            build_report(rep, ReportRequest("sheet", "2026-S1"), kept=kept)
        return kept

    assert another_report() == []  # (kept, and not said as a changed one)
    assert shown.exists()
    assert save(qtbot, window, tmp_path / "review.pdf")
    assert (tmp_path / "review.pdf").read_bytes() == pack_pdf.read_bytes()
    window.close()
    assert not shown.exists()


def test_a_preview_goes_on_over_the_window_of_a_new_language(shell, hq_db, qtbot, tmp_path):
    """A language change makes the main window anew: a preview open over the old one
    was deleted with it, unasked, its report left in the cache; a print going on lost
    its window (its progress went to a deleted dialog, and its thread, let go of while
    it ran, ended the client). The preview goes on over the new window, where it was,
    in the new language, its print with it; the report stays in its own language."""
    import shiboken6

    from ui.report_preview import generate

    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    generate(shell.session, shell.window, ReportRequest("pack", "2026-S1"))
    qtbot.waitUntil(lambda: bool(previews(shell.window)), timeout=20_000)
    (preview,) = previews(shell.window)
    preview.set_zoom(1.5)
    preview.go_to(1)
    geometry = preview.geometry()
    preview.grab().save(str(tmp_path / "before-en.png"))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    printer.setCopyCount(20)  # (long enough to be going on at the change)
    printer.setCollateCopies(True)
    preview.print_to(printer)
    assert preview.print_job is not None
    old = shell.window
    try:
        with qtbot.waitSignal(preview.print_did_finish, timeout=60_000) as printed:
            shell.change_language("ar")
            assert shell.window is not old
            assert shiboken6.isValid(preview) and preview.isVisible()
            assert preview.parentWidget() is shell.window
        assert printed.args == [20, ""]
        assert preview.geometry() == geometry
        assert preview.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert preview.windowTitle() == ReportRequest("pack", "2026-S1").title()
        assert re.search("[\u0600-\u06ff]", preview.windowTitle())
        assert re.search("[\u0600-\u06ff]", preview.print_button.text())
        assert re.search("[\u0600-\u06ff]", preview.page_label.text())
        assert "2" in preview.page_label.text() and preview.current_page() == 1
        assert preview.zoom() == pytest.approx(1.5)
        # (the print to a file said where it went: in the new language)
        assert re.search("[\u0600-\u06ff]", preview.saved_label.text())
        assert preview.path.exists()
        preview.grab().save(str(tmp_path / "after-ar.png"))
    finally:
        shell.change_language("en")
    assert preview.print_button.text() == "&Print…"
    assert previews(shell.window) == [preview]
    path = preview.path
    preview.close()
    assert not path.exists()


def test_closing_the_main_window_stops_a_print_and_lets_the_report_go(
        open_window, hq_db, pack_pdf, qtbot, tmp_path):
    """The main window closed (quitting) while a preview printed: the preview was
    deleted with it, unclosed, its print thread still running (Qt ends the program
    then: "QThread: Destroyed while thread is still running"), its half-painted
    temporary file and its report left in the cache. The window closes its previews
    as their Close does: the print stopped, nothing of it left, the report let go."""
    window = open_window(hq_db)
    folder = reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "review-pack-2026-S1-en-0a1b2c3d.pdf"
    report.write_bytes(pack_pdf.read_bytes())
    from ui.report_cache import held, record_written

    record_written(report)
    preview = PreviewWindow(window, report, ReportRequest("pack", "2026-S1"))
    preview.show()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setCopyCount(200)  # (still printing when the window closes)
    printer.setCollateCopies(True)
    preview.print_to(printer)
    job = preview.print_job
    qtbot.waitUntil(lambda: any(folder.glob(".printing-*")), timeout=10_000)
    window.close()
    assert preview.print_job is None
    # (the window does not wait for the drive: the job ends on its own, its pages
    # still to print not printed, ui.report_preview._finish_unseen)
    from ui import report_preview

    assert job in report_preview._prints_left
    qtbot.waitUntil(lambda: not report_preview._prints_left, timeout=20_000)
    assert not any(folder.glob(".printing-*")) and not (tmp_path / "printed.pdf").exists()
    assert not held(report) and not report.exists()


def test_a_preview_says_when_the_data_changed_after_it_was_made(
        open_window, office_db, qtbot, tmp_path):
    """An officer previewed the status sheet, saw a mistake, mended it in the main
    window and printed from the preview: the sheet printed was the one made before,
    mistake and all, and nothing said so. A change to what the report shows (a report
    of its office and period) is said over its pages, with Make it again, which puts a
    sheet of the data as it is now in its place; a change elsewhere is not said."""
    import shiboken6

    from fieldplan.progress import record_progress
    from ui.ops import DbOp

    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    (preview,) = previews(window)
    request = preview.request
    period = request.period
    assert not preview.stale_note.isVisible() and not preview.remake_button.isVisible()

    def write(period: str) -> None:
        DbOp(window.session, window, lambda rep: record_progress(
            rep, "PA1.1", period, status="at-risk", percent=30)).run()
        wait_idle(qtbot, window.session)

    other = next(p for p in window.identity.periods() if p != period)
    write(other)  # (another period: not on the sheet)
    assert not preview.stale_note.isVisible()
    write(period)
    assert preview.stale_note.isVisible() and preview.remake_button.isVisible()
    assert preview.stale_note.text().startswith("The data changed after this report")
    preview.grab().save(str(tmp_path / "stale-en.png"))
    old_path = preview.path
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(preview) or not preview.isVisible(),
                    timeout=20_000)
    wait_idle(qtbot, window.session)
    (again,) = [p for p in previews(window) if p.isVisible()]
    assert again.path != old_path and again.request == request
    assert not again.stale_note.isVisible()
    assert not old_path.exists()  # (the old one let go of)
    again.close()


def test_a_report_saved_while_the_preview_was_being_made_is_said(
        open_window, office_db, qtbot, monkeypatch):
    """A report typed and saved while the sheet was being made (the save waits for the
    build on the worker, then writes): the preview, shown after, is said to leave it
    out, however the save and the build crossed."""
    from fieldplan.progress import record_progress
    from ui.ops import DbOp

    building, release = threading.Event(), threading.Event()
    real = fieldplan.reports.build_status_sheet

    def slow(*args, **kwargs):
        building.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", slow)
    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    assert building.wait(10)
    period = window.period
    DbOp(window.session, window, lambda rep: record_progress(
        rep, "PA1.1", period, status="at-risk", percent=30)).run()
    release.set()
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    (preview,) = previews(window)
    assert preview.request.period == period
    assert preview.stale_note.isVisible()
    preview.close()



def test_which_changes_a_report_leaves_out():
    from fieldplan.replica import EVERYTHING, Changes
    from ui.report_preview import shows_changes

    sheet = ReportRequest("sheet", "2026-S1", office="SN")
    pack = ReportRequest("pack", "2026-S1")

    def changed(*entities) -> Changes:
        return Changes(entities=tuple(entities))

    for request in (sheet, pack):
        assert shows_changes(request, changed(("progress", "SN|PA1.1|2026-S1")))
        assert shows_changes(request, changed(("plan", "*")))
        assert shows_changes(request, changed(("lock", "2026-S1")))
        assert shows_changes(request, EVERYTHING)
        assert not shows_changes(request, changed(("progress", "SN|PA1.1|2026-S2")))
        assert not shows_changes(request, changed(("lock", "2025-S2")))
        assert not shows_changes(request, changed(("outbox", "*"), ("key", "*")))
    assert not shows_changes(sheet, changed(("progress", "ML|PA1.1|2026-S1")))
    assert shows_changes(pack, changed(("progress", "ML|PA1.1|2026-S1")))
    assert not shows_changes(sheet, changed(("deadline", "2026-S1")))
    assert shows_changes(pack, changed(("deadline", "2026-S1")))
    assert not shows_changes(pack, changed(("deadline", "2026-S2")))
    assert shows_changes(pack, changed(("inbox", "*")))
