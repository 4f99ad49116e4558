"""``status`` names the database file it read: a person looking for their data (to copy
it to a new laptop, to find the backups beside it) had no command that said where the
per-user data folder or ``FIELDPLAN_DB`` put it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli.test_cli_messages import run


def test_status_names_the_database_file(tmp_path: Path, capsys, monkeypatch) -> None:
    db = tmp_path / "hq.sqlite3"
    assert run("--db", str(db), "init", "--hq", capsys=capsys)[0] == 0
    code, out, _err = run("--db", str(db), "status", capsys=capsys)
    assert code == 0
    assert out.splitlines()[-1] == f"Database file: {db}"
    # a path relative to where the command runs, as FIELDPLAN_DB may give it, is said
    # whole: the person reads where it is wherever they are
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FIELDPLAN_DB", "hq.sqlite3")
    code, out, _err = run("--json", "status", capsys=capsys)
    assert code == 0 and json.loads(out)["database"] == os.path.join(tmp_path, "hq.sqlite3")
