"""The reports' cache emptied while a preview is open (a cache cleaner, a person making
room): the pages were still shown, QtPdf holding the file open, but Save as…, Print…
and Open in the system viewer read the file again and failed with a file the person
never chose nor sees ('cannot read …/.cache/fieldplan/reports/review-pack-….pdf: no
such file or folder; check the name'). The preview keeps the report it shows."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter

pytest.importorskip("PySide6.QtPdf")

from tests.ui import test_lp_print
from tests.ui.test_report_preview import pdf_pages
from ui.dialogs import MessageDialog
from ui.report_cache import unchanged
from ui.report_preview import PreviewWindow, ReportRequest

CupsPrinter = test_lp_print.CupsPrinter
fake_lp = test_lp_print.fake_lp  # (a fixture)

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="an open file cannot be removed on Windows")


@pytest.fixture
def emptied(qtbot, pack_pdf, tmp_path, monkeypatch):
    """A preview of a report in the cache, whose folder is then removed."""
    import ui.report_preview as preview_module
    from ui.report_cache import record_written

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    path = cache / "review-pack-2026-S1-en-1a2b3c4d.pdf"
    shutil.copyfile(pack_pdf, path)
    record_written(path)
    preview = PreviewWindow(None, path, ReportRequest("pack", "2026-S1"))
    preview.show()
    shutil.rmtree(cache.parent)
    assert preview.page_count() == pdf_pages(pack_pdf)  # (still shown)
    yield preview
    if shiboken6.isValid(preview):
        preview.close()


def messages(preview) -> list[str]:
    return [d.text.text() for d in preview.findChildren(MessageDialog) if d.isVisible()]


def test_save_as_after_the_cache_was_emptied(emptied, qtbot, pack_pdf, tmp_path):
    target = tmp_path / "kept.pdf"
    with qtbot.waitSignal(emptied.save_did_finish, timeout=10_000) as done:
        emptied.save_copy(str(target))
    assert done.args == [True], messages(emptied)
    assert target.read_bytes() == pack_pdf.read_bytes()
    # (back in the cache as written: the clean-up removes it once let go of)
    assert unchanged(emptied.path)
    emptied.close()
    assert not emptied.path.exists()


def test_open_in_the_viewer_after_the_cache_was_emptied(emptied, qtbot, pack_pdf,
                                                        monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url) or True))
    with qtbot.waitSignal(emptied.open_did_finish, timeout=10_000) as done:
        emptied.open_externally()
    assert done.args == [True], messages(emptied)
    assert Path(opened[0].toLocalFile()).read_bytes() == pack_pdf.read_bytes()


def test_print_some_pages_to_a_file_after_the_cache_was_emptied(emptied, qtbot, tmp_path):
    printer = emptied.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    with qtbot.waitSignal(emptied.print_did_finish, timeout=30_000) as done:
        emptied.print_to(printer)
    assert done.args == [2, ""]
    assert pdf_pages(tmp_path / "range.pdf") == 2


def test_print_through_lp_after_the_cache_was_emptied(emptied, qtbot, fake_lp, pack_pdf):
    with qtbot.waitSignal(emptied.print_did_finish, timeout=20_000) as done:
        emptied.print_to(CupsPrinter())
    assert done.args[1] == "", done.args
    assert json.loads(fake_lp.with_suffix(".json").read_text())["args"][-1] == str(
        emptied.path)
    assert fake_lp.with_suffix(".pdf").read_bytes() == pack_pdf.read_bytes()


def test_another_clients_clean_up_leaves_the_preview_whole(qtbot, pack_pdf, tmp_path,
                                                            monkeypatch):
    """Two clients of one user (two databases) share the cache; what a preview holds
    keeps its report from its own client's clean-up only. The other's, a day on,
    removed it under the open preview: it is written back when it is read."""
    import subprocess
    import time

    import ui.report_preview as preview_module
    from ui.report_cache import record_written

    cache = tmp_path / "cache" / "reports"
    cache.mkdir(parents=True)
    monkeypatch.setattr(preview_module, "reports_dir", lambda: cache)
    path = cache / "status-sheet-SN-2026-S1-en-1a2b3c4d.pdf"
    shutil.copyfile(pack_pdf, path)
    record_written(path)
    preview = PreviewWindow(None, path, ReportRequest("sheet", "2026-S1", office="SN"))
    preview.show()
    subprocess.run([sys.executable, "-c", (
        "import sys; from ui.report_cache import prune; "
        "prune(sys.argv[1], now=float(sys.argv[2]))"), str(cache),
        str(time.time() + 2 * 24 * 3600)], check=True, cwd=Path(__file__).parents[2])
    assert not path.exists()  # (the other client removed it)
    target = tmp_path / "kept.pdf"
    with qtbot.waitSignal(preview.save_did_finish, timeout=10_000) as done:
        preview.save_copy(str(target))
    assert done.args == [True], messages(preview)
    assert target.read_bytes() == pack_pdf.read_bytes()
    preview.close()
