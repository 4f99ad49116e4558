"""Printing to a printer of CUPS through its ``lp`` command (ui.lp_print): Qt's
painting on a CUPS printer held Python's lock while CUPS did not answer, and the whole
window froze. A fake ``lp`` first on PATH records what it was given; one fails, one
hangs past the time limit."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QPushButton

import ui.lp_print
import ui.report_preview
from ui.dialogs import MessageDialog
from ui.lp_print import LpError, LpJob, LpOptions, lp_command, page_list, send_to_lp, uses_lp
from ui.report_preview import PreviewWindow, ReportRequest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no lp on Windows")

FAKE_LP = """\
#!{python}
import json, os, shutil, sys, time
record = os.environ["FAKE_LP_RECORD"]
with open(record + ".json.part", "w") as out:
    json.dump({{"args": sys.argv[1:], "pid": os.getpid()}}, out)
os.replace(record + ".json.part", record + ".json")  # (whole once it is there)
shutil.copyfile(sys.argv[-1], record + ".pdf")
mode = os.environ.get("FAKE_LP_MODE", "ok")
if mode == "fail":
    print("lp: The printer or class does not exist.", file=sys.stderr)
    sys.exit(1)
if mode == "hang":
    time.sleep(600)
print("request id is Office_Laser-7 (1 file(s))")
"""


@pytest.fixture
def fake_lp(tmp_path, monkeypatch) -> Path:
    """An ``lp`` first on PATH; the returned path + ``.json`` holds its arguments and
    process id, + ``.pdf`` the file it was given. FAKE_LP_MODE: ok, fail or hang."""
    folder = tmp_path / "bin"
    folder.mkdir()
    lp = folder / "lp"
    lp.write_text(FAKE_LP.format(python=sys.executable))
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    record = tmp_path / "lp-record"
    monkeypatch.setenv("FAKE_LP_RECORD", str(record))
    return record


class CupsPrinter(QPrinter):
    """A printer of CUPS as Qt's print dialog leaves it chosen: Qt here has no CUPS
    (its printers fall back to PDF), so the printer's name, its format and its
    duplex are given."""

    def __init__(self, name: str = "Office_Laser",
                 duplex: QPrinter.DuplexMode = QPrinter.DuplexMode.DuplexLongSide) -> None:
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self._name, self._duplex = name, duplex

    def outputFormat(self) -> QPrinter.OutputFormat:
        return QPrinter.OutputFormat.NativeFormat

    def outputFileName(self) -> str:
        return ""

    def printerName(self) -> str:
        return self._name

    def duplex(self) -> QPrinter.DuplexMode:
        return self._duplex


@pytest.fixture
def preview(qtbot, pack_pdf, monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("a CUPS printer was painted on by Qt")

    monkeypatch.setattr(ui.report_preview, "print_pages", never)
    window = PreviewWindow(None, pack_pdf, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(window)
    window.show()
    yield window


def shown_messages(window) -> list[str]:
    return [d.text.text() for d in window.findChildren(MessageDialog) if d.isVisible()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_cups_printer_is_given_the_report_through_lp(preview, qtbot, fake_lp, pack_pdf):
    """The dialog's printer, copies, sides, pages, paper and colour, as lp's options;
    the report's own PDF handed over; Qt never paints on the printer."""
    printer = CupsPrinter()
    printer.setDocName("Semester review pack")
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setColorMode(QPrinter.ColorMode.GrayScale)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert uses_lp(printer)
    with qtbot.waitSignal(preview.print_did_finish, timeout=20_000) as blocker:
        preview.print_to(printer)
        assert isinstance(preview.print_job, LpJob)
    assert blocker.args == [4, ""]  # two pages, two copies
    got = json.loads(fake_lp.with_suffix(".json").read_text())
    assert got["args"] == [
        "-d", "Office_Laser", "-n", "2", "-o", "collate=true",
        "-o", "sides=two-sided-long-edge", "-P", "2-3", "-o", "media=Letter",
        "-o", "print-color-mode=monochrome", "-t", "Semester review pack",
        "--", str(pack_pdf),
    ]
    assert fake_lp.with_suffix(".pdf").read_bytes() == pack_pdf.read_bytes()
    assert preview.saved_label.text() == "Sent to the printer Office_Laser."
    assert preview.print_job is None and preview.print_button.isEnabled()
    assert not shown_messages(preview)


def test_lp_options_follow_the_print_dialog():
    printer = CupsPrinter("", QPrinter.DuplexMode.DuplexShortSide)
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    options = ui.lp_print.lp_options(printer, [2], 5)
    assert options == LpOptions(
        printer="", copies=1, collate=True, sides="two-sided-short-edge", pages="3",
        reverse=True, media="A4", monochrome=False, title="")
    assert lp_command(options, "/r/pack.pdf") == [
        "lp", "-n", "1", "-o", "sides=two-sided-short-edge", "-P", "3",
        "-o", "outputorder=reverse", "-o", "media=A4", "-o", "print-color-mode=color",
        "--", "/r/pack.pdf"]
    # every page: no page list; pages of their own: as ranges
    assert ui.lp_print.lp_options(printer, [4, 3, 2, 1, 0], 5).pages == ""
    assert page_list([0, 1, 2, 4, 6, 7]) == "1-3,5,7-8"
    # no duplex asked: one-sided, not the printer's default
    assert ui.lp_print.lp_options(
        CupsPrinter(duplex=QPrinter.DuplexMode.DuplexNone), [0], 1).sides == "one-sided"
    # Qt's "auto": the printer's own default, no sides given (it was two-sided)
    auto = ui.lp_print.lp_options(CupsPrinter(duplex=QPrinter.DuplexMode.DuplexAuto), [0], 1)
    assert auto.sides == "" and not any("sides=" in a for a in lp_command(auto, "/r.pdf"))


def test_print_to_a_file_is_not_for_lp(preview):
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName("/tmp/x.pdf")
    assert not uses_lp(printer)


def test_a_failing_lp_is_one_line_in_the_window(preview, qtbot, fake_lp, monkeypatch):
    monkeypatch.setenv("FAKE_LP_MODE", "fail")
    with qtbot.waitSignal(preview.print_did_finish, timeout=20_000) as blocker:
        preview.print_to(CupsPrinter())
    said = "The printer did not take the report: lp: The printer or class does not exist."
    assert blocker.args == [0, said]
    assert shown_messages(preview) == [said]
    assert preview.saved_label.text() == ""
    assert preview.print_button.isEnabled()  # try again: nothing is lost


def test_without_lp_qt_prints_as_it_did(preview, tmp_path, monkeypatch):
    """CUPS's client programs not installed: Qt prints through CUPS's library, as
    before (printing was refused: "Printing needs the lp command")."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not uses_lp(CupsPrinter())


def test_an_lp_gone_by_the_time_it_runs_is_said(preview, qtbot, fake_lp, tmp_path,
                                                monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(ui.lp_print, "uses_lp", lambda printer: True)
    monkeypatch.setattr(ui.report_preview, "uses_lp", lambda printer: True)
    monkeypatch.setenv("PATH", str(empty))
    with qtbot.waitSignal(preview.print_did_finish, timeout=20_000) as blocker:
        preview.print_to(CupsPrinter())
    assert blocker.args[0] == 0
    assert blocker.args[1].startswith("Printing needs the lp command of CUPS")
    assert shown_messages(preview) == [blocker.args[1]]


def test_a_hung_lp_is_stopped_at_the_time_limit(preview, qtbot, fake_lp, monkeypatch):
    """A CUPS server that does not answer: lp is killed after the time limit, the
    window said so, and answered all along."""
    monkeypatch.setenv("FAKE_LP_MODE", "hang")
    monkeypatch.setattr(ui.lp_print, "LP_TIMEOUT_SECONDS", 1.0)
    with qtbot.waitSignal(preview.print_did_finish, timeout=20_000) as blocker:
        preview.print_to(CupsPrinter())
        # the window answers while lp hangs: the GUI thread is free
        qtbot.waitUntil(lambda: fake_lp.with_suffix(".json").exists(), timeout=10_000)
    assert blocker.args == [0, "The printing system did not answer within 1 second: "
                               "the report may not have been printed."]
    assert not alive(json.loads(fake_lp.with_suffix(".json").read_text())["pid"])
    assert len(shown_messages(preview)) == 1


def test_cancel_stops_lp(preview, qtbot, fake_lp, monkeypatch):
    monkeypatch.setenv("FAKE_LP_MODE", "hang")
    preview.print_to(CupsPrinter())
    progress = preview.findChild(QProgressDialog)
    assert progress.labelText() == "Sending the report to the printer…"
    qtbot.waitUntil(lambda: fake_lp.with_suffix(".json").exists(), timeout=10_000)
    with qtbot.waitSignal(preview.print_did_finish, timeout=20_000) as blocker:
        progress.findChild(QPushButton).click()
    assert blocker.args == [0, ""]
    assert not alive(json.loads(fake_lp.with_suffix(".json").read_text())["pid"])
    assert not shown_messages(preview) and preview.saved_label.text() == ""


def test_send_to_lp_alone(tmp_path, fake_lp, monkeypatch):
    """Without Qt's event loop: a file taken, a failure, a cancel before it ends."""
    report = tmp_path / "r.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    assert send_to_lp(report, LpOptions(), threading.Event()) is True
    assert fake_lp.with_suffix(".pdf").read_bytes() == b"%PDF-1.4 report"
    monkeypatch.setenv("FAKE_LP_MODE", "fail")
    with pytest.raises(LpError, match="does not exist"):
        send_to_lp(report, LpOptions(), threading.Event())
    monkeypatch.setenv("FAKE_LP_MODE", "hang")
    cancel = threading.Event()
    cancel.set()
    assert send_to_lp(report, LpOptions(), cancel) is False

