"""A database file a command cannot use, as --db names it: the error names the file
and says why in the reader's words, in one line, exit 1."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fieldplan import schema, store
from tests import reasons
from tests.cli.test_cli_messages import run


def test_a_newer_fieldplans_database_is_named(hq, capsys) -> None:
    """"this database was written by a newer fieldplan…" did not say which file (--db,
    FIELDPLAN_DB or the default), where every other refusal of a database names it."""
    path = hq.path
    hq.close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('fieldplan', '9999_future', 'x')")
    conn.commit()
    conn.close()
    known = len(schema.known_migrations())
    said = (f"fieldplan: error: {path} was written by a newer fieldplan (schema {known + 1}, "
            f"this program knows {known}); update fieldplan to open it\n")
    for argv in (["status"], ["progress", "list"], ["--json", "actions"]):
        assert run("--db", str(path), *argv, capsys=capsys) == (1, "", said)


def test_a_database_this_account_may_not_read_says_permission_denied(
        hq, capsys, monkeypatch) -> None:
    """A database file of another account (mode 000): SQLite says only "unable to open
    database file", which was said as "the file cannot be opened (its folder or the
    disk may be read-only, or gone)": it is there, and may not be read."""
    path: Path = hq.path
    hq.close()
    os.chmod(path, 0)
    real = os.access
    # (as root, which reads it all the same, as another account would meet it)
    monkeypatch.setattr(store.os, "access",
                        lambda p, mode, **kw: False if Path(p) == path else real(p, mode, **kw))
    real_connect = sqlite3.connect

    def connect(database, *args, **kwargs):
        if str(database) == str(path):
            exc = sqlite3.OperationalError("unable to open database file")
            exc.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN
            raise exc
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(store.sqlite3, "connect", connect)
    try:
        assert run("--db", str(path), "status", capsys=capsys) == (
            1, "", f"fieldplan: error: cannot open database {path}: "
                   f"{reasons.DENIED_READING}\n")
    finally:
        os.chmod(path, 0o600)
