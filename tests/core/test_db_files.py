"""Which file is whose: ``--db`` naming another program's SQLite database, and backups
that belong to exactly one database file name (``hq.sqlite3x`` is not ``hq.sqlite3``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.cli import main
from fieldplan.errors import StoreError


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- another program's database ----------------------------------------------------


def test_another_programs_database_is_said_to_be_one_and_left_alone(tmp_path: Path,
                                                                  capsys) -> None:
    """It was "not set up yet; run 'fieldplan init' first", and init then refused
    because the file exists; and the status had written fieldplan's tables into it."""
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (url TEXT)")
        conn.execute("INSERT INTO moz_places VALUES ('https://example.org')")
    conn.close()
    before = path.read_bytes()
    said = (f"fieldplan: error: {path} is an SQLite database, but not fieldplan's (another "
            f"program's?); it was left as it is: give fieldplan another file\n")
    assert run(capsys, "--db", str(path), "status") == (1, "", said)
    assert run(capsys, "--db", str(path), "init", "--hq") == (1, "", said)
    assert path.read_bytes() == before  # not even put in WAL mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]
    with pytest.raises(StoreError, match="not fieldplan's"):
        store.connect(path)


def test_an_empty_database_file_is_still_one_to_set_up(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new.sqlite3"
    path.write_bytes(b"")
    code, _out, err = run(capsys, "--db", str(path), "status")
    assert code == 1 and "is not set up yet; run 'fieldplan init' first" in err
    assert run(capsys, "--db", str(path), "init", "--hq")[0] == 0
