"""Standard output that cannot be written (a full disk, ``>&-``) and the files a
command names, as a person meets them: one line saying what could not be written,
exit 1, never a silent success or Python's own words."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldplan.cli import main
from tests import reasons
from tests.cli.test_cli_messages import run

ROOT = Path(__file__).resolve().parents[2]


class _FullRaw(io.RawIOBase):
    """A file on a full disk: every write refused."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def _full_stdout() -> io.TextIOWrapper:
    """sys.stdout sent to a file on a full disk (``> /dev/full``)."""
    return io.TextIOWrapper(io.BufferedWriter(_FullRaw()), encoding="utf-8")


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["status", "--help"],
                                  ["--lang", "fr", "progress", "set", "-h"]])
def test_help_on_a_full_disk_fails_in_one_line(argv, capsys, monkeypatch) -> None:
    """``fieldplan --help > /dev/full`` exited 0 with nothing written: argparse passes
    over a write that fails. It is said as any command's output is, exit 1."""
    monkeypatch.setattr(sys, "stdout", _full_stdout())
    assert _exit_code(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    if "fr" in argv:
        assert err.startswith("fieldplan\u00a0: erreur\u00a0: "), err
    else:
        assert err == (f"fieldplan: error: cannot write the command's output: "
                       f"{reasons.DISK_FULL}\n")


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["status"], ["--json", "actions"]])
def test_closed_standard_output_is_said_in_one_line(argv, hq, capsys, monkeypatch) -> None:
    """``fieldplan status >&-``: Python makes sys.stdout None, and the command said
    "internal error: AttributeError: 'NoneType' object has no attribute 'write'"
    (``--help`` went to stderr instead, exit 0). It says the output is closed."""
    db = str(hq.path)
    hq.close()
    monkeypatch.setattr(sys, "stdout", None)
    assert _exit_code(["--db", db, *argv]) == 1
    assert capsys.readouterr().err == (
        "fieldplan: error: cannot write the command's output: it is closed\n")


@pytest.mark.parametrize("fmt", ["csv", "hxl", "xlsx"])
def test_an_export_to_standard_output_on_a_full_disk_says_what_was_not_written(
        fmt, hq, capsys, monkeypatch) -> None:
    """``data export -o - > /dev/full`` said "the disk is full; …" alone: not that the
    export to standard output was what could not be written."""
    db = str(hq.path)
    hq.close()
    monkeypatch.setattr(sys, "stdout", _full_stdout())
    assert _exit_code(["--db", db, "data", "export", "--format", fmt, "-o", "-"]) == 1
    assert capsys.readouterr().err == (
        f"fieldplan: error: cannot write the export to standard output: "
        f"{reasons.DISK_FULL}\n")
    monkeypatch.setattr(sys, "stdout", None)
    assert _exit_code(["--db", db, "data", "export", "--format", fmt, "-o", "-"]) == 1
    assert capsys.readouterr().err == (
        "fieldplan: error: cannot write the export to standard output: it is closed\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_help_and_an_export_to_dev_full_fail_with_one_line(hq) -> None:
    """The same through a real full device, as a shell sends it there."""
    db = str(hq.path)
    hq.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FIELDPLAN_LANG": "en"}
    for argv, said in ((["--help"], "cannot write the command's output"),
                       (["--db", db, "data", "export", "--format", "csv", "-o", "-"],
                        "cannot write the export to standard output")):
        with open("/dev/full", "w") as full:
            done = subprocess.run([sys.executable, "-m", "fieldplan", *argv], stdout=full,
                                  stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                                  timeout=120)
        assert done.returncode == 1
        assert done.stderr == f"fieldplan: error: {said}: {reasons.DISK_FULL}\n"


def test_init_from_a_file_that_is_no_bundle_names_it(tmp_path: Path, hq, capsys) -> None:
    """``init --from notabundle.pdf`` said "not a fieldplan bundle (not a ZIP archive)"
    without the file, as import and plan import name theirs; nothing is made."""
    pdf = tmp_path / "notabundle.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a bundle")
    empty = tmp_path / "empty.fieldplan"
    empty.write_bytes(b"")
    db = tmp_path / "ml.sqlite3"
    for given, said in ((pdf, "not a fieldplan bundle (not a ZIP archive)"),
                        (empty, "empty file, not a fieldplan bundle")):
        assert run("--db", str(db), "init", "--from", str(given), capsys=capsys) == (
            1, "", f"fieldplan: error: {given}: {said}\n")
        assert not db.exists()
    # (a database in a setup bundle's place)
    code, _out, err = run("--db", str(db), "init", "--from", str(hq.path), capsys=capsys)
    assert code == 1 and err.startswith(f"fieldplan: error: {hq.path}: "), err


def test_init_from_a_file_that_cannot_be_opened_names_it_once(tmp_path: Path, capsys) -> None:
    """Its reason names it already: "missing.fieldplan: cannot open missing.fieldplan:
    …" said the name twice."""
    db = tmp_path / "ml.sqlite3"
    for given, said in ((tmp_path / "missing.fieldplan", reasons.NO_SUCH_FILE),
                        (tmp_path, reasons.A_FOLDER)):
        assert run("--db", str(db), "init", "--from", str(given), capsys=capsys) == (
            1, "", f"fieldplan: error: cannot open {given}: {said}\n")
