"""Printing a report through CUPS's ``lp`` command, where the system has CUPS (Linux,
macOS).

Qt prints to a CUPS printer from the thread that paints, and PySide6 holds Python's
lock through every Qt call: a CUPS server that stopped answering (or a network
printer behind it) held the print thread inside Qt, the lock with it, and the whole
window froze. The report is already a PDF: ``lp`` is handed the file in a process of
its own, on a thread that waits for it with the lock let go, a time limit and a
cancel. Qt's print dialog still chooses the printer and its options, mapped here to
``lp``'s. Windows has no ``lp``: Qt prints there as before (report_preview.PrintJob).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QThread, QTimer
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtPrintSupport import QPrinter

from fieldplan.i18n import _, ngettext
from ui.qtcompat import emit

#: ``lp`` hands the file to the print server and returns in a second or two; a server
#: that has not answered after this long is taken for a hung one.
LP_TIMEOUT_SECONDS = 60.0
#: How often the waiting thread looks whether the person cancelled.
LP_POLL_SECONDS = 0.05

#: Qt's duplex choices as CUPS's ``sides``; Qt's "auto" (the printer's own default)
#: gives none, and the printer does as it is set up to
_SIDES = {
    QPrinter.DuplexMode.DuplexNone: "one-sided",
    QPrinter.DuplexMode.DuplexLongSide: "two-sided-long-edge",
    QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge",
}


@dataclass(frozen=True)
class LpOptions:
    """What the print dialog chose, in ``lp``'s terms. printer: the CUPS destination
    ("" the system's default); copies; collate: whole copies one after another;
    sides: CUPS's ``sides`` value ("" the printer's default); pages: a CUPS page list
    such as ``1-3,5`` ("" every page); reverse: last page first; media: the paper's
    name (``A4``, ``Letter``); monochrome: grey only; title: the job's name in the
    print queue."""

    printer: str = ""
    copies: int = 1
    collate: bool = True
    sides: str = ""
    pages: str = ""
    reverse: bool = False
    media: str = ""
    monochrome: bool = False
    title: str = ""


def uses_lp(printer: QPrinter) -> bool:
    """Whether ``printer`` is to be printed on through ``lp``: a system printer (not
    Print to File) on a system with CUPS's ``lp`` command. Without it (CUPS's client
    programs not installed) Qt prints as it did, through CUPS's library."""
    return (
        sys.platform != "win32"
        and printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
        and not printer.outputFileName()
        and shutil.which("lp") is not None
    )


def page_list(pages: list[int]) -> str:
    """0-based pages as a CUPS page list of 1-based ranges: [0, 1, 2, 4] → ``1-3,5``."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return ",".join(str(a + 1) if a == b else f"{a + 1}-{b + 1}" for a, b in runs)


def lp_options(printer: QPrinter, pages: list[int], count: int) -> LpOptions:
    """The print dialog's choices on ``printer`` for a report of ``count`` pages, of
    which ``pages`` (0-based, as report_preview.pages_to_print gives them) are to be
    printed."""
    chosen = sorted(set(pages))
    return LpOptions(
        printer=printer.printerName(),
        copies=max(printer.copyCount(), 1),
        collate=printer.collateCopies(),
        sides=_SIDES.get(printer.duplex(), ""),
        pages="" if chosen == list(range(count)) else page_list(chosen),
        reverse=printer.pageOrder() == QPrinter.PageOrder.LastPageFirst,
        media=printer.pageLayout().pageSize().key(),
        monochrome=printer.colorMode() == QPrinter.ColorMode.GrayScale,
        title=printer.docName(),
    )


def lp_command(options: LpOptions, path: Path | str, program: str = "lp") -> list[str]:
    """The ``lp`` command line that prints ``path`` as ``options`` say."""
    args = [program]
    if options.printer:
        args += ["-d", options.printer]
    args += ["-n", str(options.copies)]
    if options.copies > 1:
        args += ["-o", f"collate={'true' if options.collate else 'false'}"]
    if options.sides:
        args += ["-o", f"sides={options.sides}"]
    if options.pages:
        args += ["-P", options.pages]
    if options.reverse:
        args += ["-o", "outputorder=reverse"]
    if options.media:
        args += ["-o", f"media={options.media}"]
    mode = "monochrome" if options.monochrome else "color"
    args += ["-o", f"print-color-mode={mode}"]
    if options.title:
        args += ["-t", options.title]
    return [*args, "--", str(path)]


class LpError(Exception):
    """``lp`` could not print the report: a message fit for a person."""


def send_to_lp(
    path: Path | str,
    options: LpOptions,
    cancel: threading.Event,
    timeout: float | None = None,
) -> bool:
    """(off the GUI thread) Run ``lp`` on ``path``; True once it has taken the report,
    False if ``cancel`` was set first (``lp`` is then stopped). Raises LpError when
    ``lp`` is missing, fails, or has not finished after ``timeout`` seconds
    (LP_TIMEOUT_SECONDS by default; it is stopped)."""
    limit = LP_TIMEOUT_SECONDS if timeout is None else timeout
    # what lp says goes to a file, not a pipe: a pipe it filled would hold it up
    with tempfile.TemporaryFile() as said:
        try:
            proc = subprocess.Popen(
                lp_command(options, path), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=said,
            )
        except FileNotFoundError:
            raise LpError(_("Printing needs the lp command of CUPS, which was not found: "
                            "use Save as… and print the copy.")) from None
        except OSError as exc:
            raise LpError(_("The lp command could not be started: {reason}").format(
                reason=exc.strerror or exc)) from None
        try:
            if not _wait(proc, cancel, time.monotonic() + limit):
                return False
        except TimeoutError:
            seconds = max(round(limit), 1)
            raise LpError(ngettext(
                "The printing system did not answer within {seconds} second: the "
                "report may not have been printed.",
                "The printing system did not answer within {seconds} seconds: the "
                "report may not have been printed.", seconds).format(seconds=seconds)) from None
        said.seek(0)
        lines = [line.strip() for line in said.read().decode(errors="replace").splitlines()]
    if proc.returncode:
        lines = [line for line in lines if line]
        last = lines[-1] if lines else _("lp ended with status {status}").format(
            status=proc.returncode)
        raise LpError(_("The printer did not take the report: {reason}").format(reason=last))
    return True


def _wait(proc: subprocess.Popen, cancel: threading.Event, deadline: float) -> bool:
    """Wait for ``proc`` to end: True when it has, False if ``cancel`` came first;
    TimeoutError at ``deadline`` (``time.monotonic``). It is killed unless it ended."""
    try:
        while proc.poll() is None:
            if cancel.wait(LP_POLL_SECONDS):
                return False
            if time.monotonic() >= deadline:
                raise TimeoutError
        return True
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


class PrintThread(QThread):
    """A print on a thread of its own (report_preview.PrintJob, ``LpJob``): its
    progress, its end (pages printed, error or ""), and ``cancel``. Its end is said
    through ``end``: to ``job_did_finish``, or to whoever took the job over as its
    preview closed (``take_over``), never to neither."""

    progress_did_change = QtSignal(int, int)
    job_did_finish = QtSignal(int, str)  # pages printed, error ("" if none)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        #: (printed, error) once ended
        self.outcome: tuple[int, str] | None = None
        #: (its thread, first) puts the report back where it is read if it is gone
        #: (report_cache.KeptReport.restore)
        self.restore: Callable[[], None] = lambda: None
        self._end_lock = threading.Lock()

    def end(self, printed: int, error: str) -> None:
        """(its thread) Say the end of the print."""
        with self._end_lock:
            self.outcome = (printed, error)
        emit(self.job_did_finish, printed, error)

    def take_over(self, ended: Callable[[int, str], None]) -> None:
        """(GUI thread) ``ended(printed, error)`` instead of what ``job_did_finish``
        was connected to, called once, on the GUI thread: at its end, or soon when it
        has ended already (its word then perhaps on its way to the old receivers)."""
        with self._end_lock:
            self.progress_did_change.disconnect()
            self.job_did_finish.disconnect()
            outcome = self.outcome
            if outcome is None:  # (said after this: to ``ended``)
                self.job_did_finish.connect(ended)
        if outcome is not None:
            QTimer.singleShot(0, lambda: ended(*outcome))


class LpJob(PrintThread):
    """Hands the report to ``lp`` on a thread of its own; the same signals as
    report_preview.PrintJob. ``pages``: how many pages the job prints (for the
    signal); ``cancel`` stops ``lp``."""

    def __init__(self, path: Path, options: LpOptions, pages: int) -> None:
        super().__init__()
        self.path, self.options, self.pages = Path(path), options, pages
        self.setObjectName("fieldplan-lp")

    def run(self) -> None:
        self.restore()
        try:
            sent = send_to_lp(self.path, self.options, self.cancel)
        except LpError as exc:
            self.end(0, str(exc))
        else:
            self.end(self.pages if sent else 0, "")
