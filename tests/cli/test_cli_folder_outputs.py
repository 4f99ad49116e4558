"""An output named as a folder (ending in the path separator, ``-o E:\\reports\\``) that
does not exist: the sheet, the table and the setup bundle were written as a file of
the folder's name without its separator ("reports", no ending), and the command
printed that name as if all was well; and so was a database given by such a --db."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.test_cli_messages import hq_db, run  # noqa: F401 (a fixture)


@pytest.mark.parametrize("command", [
    ("report", "sheet", "--period", "2026-S1", "-o"),
    ("data", "export", "--format", "csv", "-o"),
    ("office", "enroll", "SN", "-o"),
    ("export", "--for", "SN", "-o"),
])
def test_an_output_named_as_a_missing_folder_is_refused(hq_db, tmp_path: Path,  # noqa: F811
                                                         capsys, command) -> None:
    if command[0] == "export":
        assert run("--db", hq_db, "office", "enroll", "SN", "-o",
                   str(tmp_path / "SN-setup.fieldplan"), capsys=capsys)[0] == 0
    folder = str(tmp_path / "stick" / "reports") + os.sep
    (tmp_path / "stick").mkdir()
    code, out, err = run("--db", hq_db, *command, folder, capsys=capsys)
    assert code in (1, 2) and out == ""
    assert list((tmp_path / "stick").iterdir()) == []
    last = err.strip().splitlines()[-1]
    assert last.startswith("fieldplan") and folder in last and "no such folder" in last


@pytest.mark.parametrize("command", [("init", "--hq"), ("status",)])
def test_a_database_named_as_a_missing_folder_is_refused(tmp_path: Path, capsys,
                                                         command) -> None:
    """``--db D:\\fieldplan\\``: init made a database file named "fieldplan" (no ending)
    where the person meant a folder, and said it was created there."""
    folder = str(tmp_path / "fieldplan") + os.sep
    code, out, err = run("--db", folder, *command, capsys=capsys)
    assert code == 2 and out == "" and list(tmp_path.iterdir()) == []
    last = err.strip().splitlines()[-1]
    assert "is a folder, not a database file" in last
    assert str(Path(folder) / "fieldplan.sqlite3") in last


@pytest.mark.parametrize("command", [("init", "--hq"), ("status",)])
def test_a_database_named_as_a_missing_folder_by_the_environment_is_refused(
        tmp_path: Path, capsys, monkeypatch, command) -> None:
    """FIELDPLAN_DB, which stands for --db, ending in the path separator: init made a
    database file named "fieldplan" (no ending) there too."""
    folder = str(tmp_path / "fieldplan") + os.sep
    monkeypatch.setenv("FIELDPLAN_DB", folder)
    code, out, err = run(*command, capsys=capsys)
    assert code == 1 and out == "" and list(tmp_path.iterdir()) == []
    last = err.strip().splitlines()[-1]
    assert "is a folder, not a database file" in last
    assert str(Path(folder) / "fieldplan.sqlite3") in last
