"""The frozen program's check of its report preview and printing, for
packaging/smoke.sh only: ``fieldplan --smoke-report-preview DB OFFICE PERIOD OUT.pdf``
(packaging/launch.py answers it before the command line is read; it is in no
``--help``, and the installed command has no such option).

A Qt library or plugin the one-folder build left out (QtPdf, print support, the
image formats printing and the icons use) shows nowhere else before a user's laptop:
the window opens without them, and the command line's PDFs are ReportLab's. So here,
offscreen, as the client does it: a status sheet is built on the database worker and
opened in the preview window, whose view must draw a page with ink on it; the print
dialog must open; and the preview's pages are printed by a QPrinter to a PDF file
(as a printer gets them: rendered, banded, painted), which must hold every page, ink
on the first. Whatever is missing ends it with one line saying what, and exit 1.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSize, QTimer
from PySide6.QtGui import QImage, QImageReader, QImageWriter
from PySide6.QtWidgets import QApplication

#: What the client reads and writes through Qt's image plugins: its icons are SVG
#: (imageformats/qsvg), and Qt's PDF engine compresses images as JPEG when it can
#: (imageformats/qjpeg): each printed page is one (report_preview.print_pages).
IMAGE_READ = ("svg",)
IMAGE_WRITE = ("jpeg",)
#: How long each step may take before it is called stuck (a status sheet builds and
#: prints in a second or two).
STEP_SECONDS = 60.0
#: Dark pixels (grey below 128) a page drawn with text has at the least: a blank page,
#: the view's grey background and its frame have none.
MIN_INK_PIXELS = 200


class SmokeFailure(Exception):
    """What the frozen program is missing, in one line."""


def wait_until(done: Callable[[], bool], seconds: float | None = None) -> bool:
    """Run the event loop until ``done()``, at most ``seconds`` (STEP_SECONDS);
    whether it is."""
    deadline = time.monotonic() + (STEP_SECONDS if seconds is None else seconds)
    while not done():
        if time.monotonic() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return True


def ink(image: QImage) -> int:
    """The number of dark pixels in ``image`` (transparent ones count as white)."""
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(0xFFFFFFFF)
    from PySide6.QtGui import QPainter

    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    grey = flat.convertToFormat(QImage.Format.Format_Grayscale8)
    # row by row: each is padded to 4 bytes, with bytes that were never drawn
    width = grey.width()
    data = b"".join(bytes(grey.constScanLine(y))[:width] for y in range(grey.height()))
    return sum(data.count(bytes((value,))) for value in range(128))


def check_plugins() -> None:
    """The image formats the client uses, and (Linux) CUPS's print support plugin,
    which the print dialog lists the printers through."""
    readable = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    writable = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for name in IMAGE_READ:
        if name not in readable:
            raise SmokeFailure(f"Qt cannot read {name} images: its image format plugin "
                               f"(plugins/imageformats) is missing")
    for name in IMAGE_WRITE:
        if name not in writable:
            raise SmokeFailure(f"Qt cannot write {name} images: its image format plugin "
                               f"(plugins/imageformats) is missing")
    if sys.platform.startswith("linux"):
        from PySide6.QtCore import QPluginLoader

        # where Qt looks for plugins (the frozen program's own folder among them)
        folders = [Path(p) / "printsupport" for p in QCoreApplication.libraryPaths()]
        found = sorted(f for folder in folders for f in folder.glob("*cupsprintersupport*"))
        if not found:
            raise SmokeFailure("Qt's CUPS print support plugin is missing (no "
                               "*cupsprintersupport* in "
                               + os.pathsep.join(map(str, folders)) + ")")
        loader = QPluginLoader(str(found[0]))
        if not loader.load():
            raise SmokeFailure(f"Qt's CUPS print support plugin does not load: "
                               f"{loader.errorString()}")


def check_qt_translations() -> None:
    """Qt's own French and Arabic (the standard buttons, the file and print dialogs:
    ui.qt_i18n) are where the program looks for them: the build's qt.conf gone wrong
    leaves those dialogs in English in a French or Arabic client, and nothing else
    says so."""
    from PySide6.QtCore import QLocale, QTranslator

    from ui.qt_i18n import QT_CATALOGS, QT_LOCALES, qt_translations_dir

    folder = qt_translations_dir()
    for lang in ("fr", "ar"):
        for name in QT_CATALOGS:
            translator = QTranslator()
            if not translator.load(QLocale(QT_LOCALES.get(lang, lang)), name, "_", folder):
                raise SmokeFailure(f"Qt's {lang} translations ({name}_{lang}.qm) are not "
                                   f"in {folder or 'the folder Qt names'}")
            if not translator.translate("QPlatformTheme", "Cancel"):
                raise SmokeFailure(f"Qt's {lang} translations ({name}_{lang}.qm) do not "
                                   f"translate its Cancel button")


def check_children() -> None:
    """(Linux) A program the client starts (the PDF viewer, the spreadsheet or the file
    manager through xdg-open, as Qt starts them; lp) does not get the build's own
    libraries first in its library path: on a newer system they kept those programs
    from starting (fieldplan.frozen)."""
    own = getattr(sys, "_MEIPASS", None)
    if not own or not sys.platform.startswith("linux"):
        return
    from PySide6.QtCore import QProcess

    child = QProcess()
    child.start("sh", ["-c", 'printf %s "${LD_LIBRARY_PATH-}"'])
    if not child.waitForFinished(int(STEP_SECONDS * 1000)):
        raise SmokeFailure("a program started from fieldplan (sh) did not end in time")
    seen = bytes(child.readAllStandardOutput()).decode()
    if os.path.realpath(own) in {os.path.realpath(p) for p in seen.split(os.pathsep) if p}:
        raise SmokeFailure(f"a program started from fieldplan gets the build's libraries "
                           f"first (LD_LIBRARY_PATH={seen}): a viewer or lp on a newer "
                           f"system would load them in place of its own")


def check_report_preview(db: Path, office: str, period: str, out: Path) -> str:
    """Build ``db``'s status sheet of ``office`` for ``period``, preview it, open the
    print dialog and print its pages to ``out``; what was done, in one line. Raises
    SmokeFailure."""
    try:
        from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        report_preview = importlib.import_module("ui.report_preview")
    except ImportError as exc:  # a Qt library left out: its name is in the message
        raise SmokeFailure(f"the report preview cannot load: {exc}") from None
    from ui.ops import DbOp, Session

    check_plugins()
    check_qt_translations()
    check_children()
    request = report_preview.ReportRequest("sheet", period, office)
    shown: list[report_preview.PreviewWindow] = []
    failed: list[BaseException] = []
    session = Session(db)
    preview = None

    def show(path: Path) -> None:
        try:
            shown.append(report_preview.show_preview(None, path, request))
        except Exception as exc:  # (said below, not lost in the worker's delivery)
            failed.append(exc)

    try:
        DbOp(session, None, lambda rep, progress, cancel: report_preview.build_report(
            rep, request, progress, cancel)).with_progress("smoke").success(show).failure(
            failed.append).run()
        if not wait_until(lambda: bool(shown or failed)):
            raise SmokeFailure("the status sheet was not built in time")
        if failed:
            raise SmokeFailure(f"the status sheet could not be built: {failed[0]}")
        preview = shown[0]
        pages = preview.page_count()
        if preview.load_error or pages < 1:
            raise SmokeFailure(f"the preview did not read the report "
                               f"({preview.load_error or 'no page'})")
        # QtPdf draws the pages on a thread of its own: the view shows ink once one is
        if not wait_until(lambda: ink(preview.view.viewport().grab().toImage())
                          >= MIN_INK_PIXELS):
            raise SmokeFailure("the preview window showed a blank page (QtPdf drew nothing)")

        preview.print_dialog()
        dialog = preview.findChild(QPrintDialog, "print-dialog")
        if dialog is None or not wait_until(dialog.isVisible):
            raise SmokeFailure("the print dialog did not open")
        dialog.reject()  # (never accepted: a printer of the machine's could print)

        printer = preview.make_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        # every page rendered and painted, as for a printer (print_to would copy the
        # report's own file for a whole report printed to a file)
        job = report_preview.PrintJob(preview.path, printer, list(range(pages)))
        ended: list[tuple[int, str]] = []
        job.job_did_finish.connect(lambda printed, error: ended.append((printed, error)))
        job.start()
        finished = wait_until(lambda: bool(ended))
        job.cancel.set()
        job.wait()
        if not finished:
            raise SmokeFailure("printing to a PDF file did not end in time")
        printed, error = ended[0]
        if error or printed != pages:
            raise SmokeFailure(f"printing to a PDF file printed {printed} of {pages} "
                               f"pages{': ' + error if error else ''}")
        document = QPdfDocument()
        try:
            if document.load(str(out)) != QPdfDocument.Error.None_:
                raise SmokeFailure(f"the printed PDF file cannot be read: {out}")
            if document.pageCount() != pages:
                raise SmokeFailure(f"the printed PDF file has {document.pageCount()} "
                                   f"pages, not {pages}")
            size = QSize(300, 424)
            options = QPdfDocumentRenderOptions()
            if ink(document.render(0, size, options)) < MIN_INK_PIXELS:
                raise SmokeFailure("the printed PDF file's first page is blank")
        finally:
            document.close()
    finally:
        if preview is not None:
            preview.close()
        session.close()
    return f"a status sheet of {pages} page(s) previewed, and printed to {out.name}"


def main(argv: list[str]) -> int:
    """``DB OFFICE PERIOD OUT.pdf``: run the check in a QApplication of its own; one line
    on stdout (passed) or on stderr (what is missing), exit 0 or 1."""
    if len(argv) != 4:
        sys.stderr.write("usage: fieldplan --smoke-report-preview DB OFFICE PERIOD OUT.pdf\n")
        return 2
    from fieldplan.i18n import set_language

    set_language("en")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.app import apply_font
    from ui.collector import collect_on_gui_thread

    collector = collect_on_gui_thread(app)
    apply_font(app)
    try:
        said = check_report_preview(Path(argv[0]), argv[1], argv[2], Path(argv[3]))
    except SmokeFailure as exc:
        sys.stderr.write(f"smoke: {exc}\n")
        return 1
    finally:
        collector.stop()
        QCoreApplication.processEvents()
    print(f"smoke: {said}")
    return 0
