"""Some pages of a report printed to a PDF file (the print dialog's Print to File with
a page range): Qt's printer writes the file as it paints, over the file of that name,
and says nothing when the writing fails. A good report there was cut short on a full
disk and "Saved as" was said; a database's name was written over. The pages go
through a temporary file, checked whole, and are written as Save as… writes."""

from __future__ import annotations

import contextlib
import resource
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtPrintSupport import QPrinter

from ui.report_preview import PrintJob

GOOD = b"%PDF-1.4 a good report saved before\n" + b"x" * 200_000 + b"\n%%EOF\n"


@contextlib.contextmanager
def _files_cut_at(size: int) -> Iterator[None]:
    """Every file this process writes stops growing at ``size`` bytes, its writes
    failing from there (EFBIG), as on a full disk: the limit the system sets
    (RLIMIT_FSIZE), its signal ignored so that the write fails instead."""
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)


def _print(report: Path, target: Path, pages: list[int]) -> tuple[list, PrintJob]:
    """``pages`` of ``report`` printed to the PDF file ``target`` by a print job, run
    on this thread: (its job_did_finish arguments, the job)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    job = PrintJob(report, printer, pages)
    finished: list = []
    job.job_did_finish.connect(lambda printed, error: finished.append((printed, error)))
    job.run()
    return finished, job


@pytest.fixture
def report(pack_pdf: Path, tmp_path: Path) -> Path:
    """The review pack as the preview holds it: in a folder of its own (the cache)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    return Path(shutil.copy(pack_pdf, cache / "review-pack-2026-S1-en-1a2b3c4d.pdf"))


def test_some_pages_printed_to_a_file_on_a_full_disk_leave_the_file_there(report, tmp_path):
    target = tmp_path / "review.pdf"
    target.write_bytes(GOOD)
    there = sorted(tmp_path.iterdir())
    with _files_cut_at(100_000):  # a page's image is about a megabyte
        finished, _job = _print(report, target, [0])
    assert target.read_bytes() == GOOD  # was cut short to 100,000 bytes
    [(printed, error)] = finished
    assert printed == 0  # was 1: "Saved as review.pdf." said
    assert error == ("The report could not be saved: cannot write "
                     f"{target}: the disk is full; make room, then try again")
    assert sorted(p.name for p in report.parent.iterdir()) == [report.name]
    assert sorted(tmp_path.iterdir()) == there  # no temporary file left


def test_some_pages_printed_to_a_file_are_those_pages(report, tmp_path):
    from tests.ui.test_report_preview import pdf_pages

    target = tmp_path / "review.pdf"
    target.write_bytes(GOOD)
    finished, job = _print(report, target, [1, 0])
    assert finished == [(2, "")] and pdf_pages(target) == 2
    assert job.printer.outputFileName() == str(target)  # (said as where it went)
    assert not job.onto_source
    assert sorted(p.name for p in report.parent.iterdir()) == [report.name]


def test_some_pages_are_never_printed_over_a_database(report, tmp_path):
    """As Save as… and the whole report printed to a file: refused, the database as
    it was (Qt's printer wrote its PDF over it)."""
    db = tmp_path / "office.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    before = db.read_bytes()
    finished, _job = _print(report, db, [0])
    [(printed, error)] = finished
    assert printed == 0 and error.startswith("The report could not be saved: ")
    assert db.read_bytes() == before


def test_a_cancelled_print_to_a_file_writes_nothing(report, tmp_path):
    target = tmp_path / "review.pdf"
    target.write_bytes(GOOD)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    job = PrintJob(report, printer, [0, 1])
    finished: list = []
    job.job_did_finish.connect(lambda printed, error: finished.append((printed, error)))
    job.progress_did_change.connect(lambda done, total: job.cancel.set())
    job.run()
    assert finished == [(0, "")]
    assert target.read_bytes() == GOOD  # was the page printed before the cancel


def test_some_pages_printed_to_a_file_with_no_room_in_the_cache_say_why_in_words(
        report, tmp_path, monkeypatch):
    """The pages are painted into a temporary file in the reports' cache: one that
    could not be made there (its disk full, its folder no longer writable) was said as
    'Unexpected error: OSError: [Errno 28] No space left on device:
    '…/.cache/fieldplan/reports/.printing-….pdf'', Python's English and a file the
    person never chose. It says why, and what to do, as a report that cannot be made."""
    import errno
    import os
    import tempfile

    def full(*args, dir=None, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC),
                      str(Path(dir) / ".printing-1a2b3c4d.pdf"))

    monkeypatch.setattr(tempfile, "mkstemp", full)
    target = tmp_path / "review.pdf"
    finished, _job = _print(report, target, [0])
    assert finished == [(0, "The report could not be saved: the disk is full; make "
                            "room, then try again")]
    assert not target.exists()
