"""The name of a file a command writes, as its user expects it: one typed without an
ending gets its format's (``report sheet -o sheet`` writes sheet.pdf), as the client's
Save dialogs add it, and the command prints the name written; one ending in another
format's is refused in one line naming the right ending. ``export -o ML-S1`` wrote a
bundle named "ML-S1", which the client's file choosers did not show, and ``report
sheet -o sheet`` a PDF no reader opened by its name; ``report review -o r.zip`` was
written as a PDF named as a ZIP archive, and ``report sheet -o r.csv`` was told to
"change the format", which a report has none of."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldplan import files
from tests.cli.test_cli_messages import hq_db, run  # noqa: F401 (a fixture)


def _enrolled(hq_db: str, tmp_path: Path, capsys) -> None:  # noqa: F811
    assert run("--db", hq_db, "office", "enroll", "SN", "-o",
               str(tmp_path / "SN-setup.fieldplan"), capsys=capsys)[0] == 0


@pytest.mark.parametrize(("command", "ending"), [
    (("export", "--for", "SN"), ".fieldplan"),
    (("office", "enroll", "ML"), ".fieldplan"),
    (("report", "sheet", "--period", "2026-S1"), ".pdf"),
    (("report", "review", "--period", "2026-S1"), ".pdf"),
    (("data", "export", "--format", "csv"), ".csv"),
    (("data", "export", "--format", "hxl"), ".csv"),
    (("data", "export", "--format", "xlsx"), ".xlsx"),
    (("plan", "export"), ".xlsx"),
])
@pytest.mark.parametrize("json_output", [False, True])
def test_a_name_without_an_ending_gets_its_formats(hq_db, tmp_path: Path,  # noqa: F811
                                                   capsys, command, ending,
                                                   json_output) -> None:
    _enrolled(hq_db, tmp_path, capsys)
    out = tmp_path / "stick" / "ML S1"
    out.parent.mkdir()
    code, printed, err = run("--db", hq_db, *(("--json",) if json_output else ()),
                             *command, "-o", str(out), capsys=capsys)
    assert code == 0, err
    written = Path(str(out) + ending)
    assert list(out.parent.iterdir()) == [written]
    said = json.loads(printed)["path"] if json_output else printed.strip()
    assert said == str(written)  # the name written, as export always printed it


@pytest.mark.parametrize(("command", "name", "said"), [
    (("report", "sheet", "--period", "2026-S1"), "sheet.csv",
     "{out} is named as a .csv file but a PDF is written: give it a name ending in .pdf"),
    (("report", "review", "--period", "2026-S1"), "pack.zip",
     "{out} is named as a .zip file but a PDF is written: give it a name ending in .pdf"),
    (("data", "export", "--format", "xlsx"), "table.csv",
     "{out} is named as a .csv file but the format is XLSX: give it a name ending in "
     ".xlsx, or choose another format"),
    (("data", "export", "--format", "hxl"), "table.zip",
     "{out} is named as a .zip file but the format is HXL: give it a name ending in "
     ".csv, or choose another format"),
    (("export", "--for", "SN"), "SN.pdf",
     "{out} is named as a .pdf file but a bundle is written: give it a name ending in "
     ".fieldplan"),
])
def test_a_name_ending_in_another_formats_is_refused_naming_the_right_ending(
        hq_db, tmp_path: Path, capsys, command, name, said) -> None:  # noqa: F811
    _enrolled(hq_db, tmp_path, capsys)
    out = tmp_path / "stick" / name
    out.parent.mkdir()
    code, printed, err = run("--db", hq_db, *command, "-o", str(out), capsys=capsys)
    assert (code, printed) == (2, "")
    prog = " ".join(c for c in command[:2] if not c.startswith("-"))
    assert err.splitlines()[-1] == (f"fieldplan {prog}: usage error: "
                                    + said.format(out=out))
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("command", [("export", "--for", "SN"), ("office", "enroll", "ML")])
def test_a_bundle_may_be_named_as_the_zip_archive_it_is(hq_db, tmp_path: Path,  # noqa: F811
                                                        capsys, command) -> None:
    """Import reads a bundle named .zip (a mail server may refuse .fieldplan): one is
    written under that name as it is, and the office's computer is set up from it."""
    _enrolled(hq_db, tmp_path, capsys)
    out = tmp_path / "ML.zip"
    code, printed, err = run("--db", hq_db, *command, "-o", str(out), capsys=capsys)
    assert (code, printed.strip()) == (0, str(out)), err
    if command[0] == "office":
        assert run("--db", str(tmp_path / "ml.sqlite3"), "init", "--from", str(out),
                   capsys=capsys)[0] == 0


def test_a_folder_and_standard_output_are_left_as_they_are(hq_db, tmp_path: Path,  # noqa: F811
                                                           capsys) -> None:
    """A folder that is there (its own name chosen in it) gets no ending, nor does
    ``-o -``; a name with an ending of no known format is the person's."""
    _enrolled(hq_db, tmp_path, capsys)
    folder = tmp_path / "stick"
    folder.mkdir()
    code, printed, _err = run("--db", hq_db, "export", "--for", "SN", "-o", str(folder),
                              capsys=capsys)
    assert code == 0 and Path(printed.strip()).parent == folder
    assert printed.strip().endswith(".fieldplan")
    code, printed, _err = run("--db", hq_db, "data", "export", "--format", "csv", "-o", "-",
                              capsys=capsys)
    assert code == 0 and printed.startswith("office,")
    assert not Path("-.csv").exists()
    out = folder / "sheet.2026-S1"
    code, printed, _err = run("--db", hq_db, "report", "sheet", "--period", "2026-S1",
                              "-o", str(out), capsys=capsys)
    assert (code, printed.strip()) == (0, str(out)) and out.exists()


def test_with_ending() -> None:
    assert files.with_ending("pdf", "sheet") == "sheet.pdf"
    assert files.with_ending("pdf", os.path.join("a.b", "sheet")) == os.path.join(
        "a.b", "sheet.pdf")  # (a dot in a folder's name is no ending)
    assert files.with_ending("pdf", "sheet.v2") == "sheet.v2"
    assert files.with_ending("pdf", "reports" + os.sep) == "reports" + os.sep
