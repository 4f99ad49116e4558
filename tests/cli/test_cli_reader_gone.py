"""Standard output sent to a program that stops reading early (``| head -1``, ``| grep
-q``): no error, and the command still does all its work and ends with its own exit
status. The reader gone only stops what is printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office

ROOT = Path(__file__).resolve().parents[2]
OFFICES = ("ML", "SN", "RO-Dakar")


def _reader_gone(*argv: str, both: bool = False) -> subprocess.CompletedProcess:
    """``fieldplan ARGV | head -0``, without the race: standard output is a pipe whose
    reader has gone before the command writes anything; ``both``: standard error too
    (``2>&1 | head -0``)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "fieldplan", *argv], stdout=write,
                              stderr=write if both else subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    finally:
        os.close(write)


@pytest.fixture
def hq_db(tmp_path: Path) -> str:
    path = tmp_path / "hq.sqlite3"
    with init_hq(path) as hq:
        for code in OFFICES:
            enroll_office(hq, code, tmp_path / f"{code}-setup.fieldplan")
    return str(path)


def test_export_all_offices_writes_every_bundle_when_the_reader_goes(hq_db,
                                                                    tmp_path) -> None:
    """``export --all-offices --dir D | head -1`` wrote the first office's bundle (or
    two), then stopped without a word, exit 0: the other offices had none."""
    out = tmp_path / "out"
    out.mkdir()
    done = _reader_gone("--db", hq_db, "export", "--all-offices", "--dir", str(out))
    assert (done.returncode, done.stderr) == (0, f"3 bundles written in {out}\n")
    assert sorted(p.name.split("-")[2] for p in out.iterdir()) == ["ML", "RO", "SN"]


def test_import_says_a_rejected_file_by_its_exit_status_when_the_reader_goes(
        hq_db, tmp_path) -> None:
    """The exit status is 1 when a file was rejected, whoever reads the lines: with the
    reader gone it was 0, and a script (``set -o pipefail``) took the import for done."""
    junk = tmp_path / "junk.fieldplan"
    junk.write_bytes(b"not a bundle")
    done = _reader_gone("--db", hq_db, "import", str(junk))
    assert (done.returncode, done.stderr) == (1, "")


def test_an_import_goes_on_when_the_reader_of_its_warnings_goes(hq_db, tmp_path) -> None:
    """``import FOLDER 2>&1 | head -1``: the warning said first (a file of the folder
    left aside) met the reader gone, and the import stopped before it began, exit 0."""
    folder = tmp_path / "stick"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a bundle")
    (folder / "junk.fieldplan").write_bytes(b"not a bundle either")
    done = _reader_gone("--db", hq_db, "import", str(folder), both=True)
    assert done.returncode == 1  # the junk rejected, as without the pipe


def test_a_listing_whose_reader_goes_is_no_error(hq_db) -> None:
    done = _reader_gone("--db", hq_db, "--json", "actions")
    assert (done.returncode, done.stderr) == (0, "")
