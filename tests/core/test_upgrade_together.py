"""Two fieldplans opening one older database at the same time (the client starting while
a scheduled export runs, two people on a shared folder): the one that finds its
migrations applied by the other meanwhile opens the database as it is. It failed with
"internal error: ValueError: Cannot stop before migrations 0005_forks, … already been
applied" (or SQLite's "duplicate column name"), and kept one more backup, named as
taken before the migration but of the upgraded database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldplan import schema, store

FIXTURES = Path(__file__).parent.parent / "fixtures" / "db"


def _schema_3(tmp_path: Path) -> Path:
    """A copy of the office of schema 3 (tests/fixtures/db)."""
    db = tmp_path / "old.sqlite3"
    db.write_bytes((FIXTURES / "schema-3.sqlite3").read_bytes())
    return db


def _events(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT origin, seq, hash, body FROM events "
                            "ORDER BY origin, seq").fetchall()
    finally:
        conn.close()


def test_an_upgrade_another_fieldplan_made_meanwhile_opens_the_database(
        tmp_path: Path) -> None:
    db = _schema_3(tmp_path)
    before = _events(db)
    others: list[int] = []

    def other_upgrades() -> None:
        # another program opened it a moment earlier: it upgrades it while this one
        # has found the migrations pending
        conn = store.connect(db)
        others.append(schema.schema_version(conn))
        conn.close()

    conn = store.connect(db, upgrading=other_upgrades)
    try:
        assert others == [len(schema.known_migrations())]
        assert schema.schema_version(conn) == len(schema.known_migrations())
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(
            schema.known_migrations())
    finally:
        conn.close()
    assert _events(db) == before
    # the other's backup, of the database before it upgraded it; none of this one's,
    # which would be a copy of the upgraded database named as taken before
    backups = store.list_backups(db)
    assert len(backups) == 1
    with store.reading(backups[0]) as copy:
        assert schema.schema_version(copy) == 3


def test_an_upgrade_another_fieldplan_stopped_midway_is_finished(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _schema_3(tmp_path)
    before = _events(db)
    every = list(schema.MIGRATIONS)

    def other_upgrades_in_part() -> None:
        # (an older fieldplan of this schema's, or one killed after 0005)
        monkeypatch.setattr(schema, "MIGRATIONS", every[:5])
        try:
            store.connect(db).close()
        finally:
            monkeypatch.setattr(schema, "MIGRATIONS", every)

    conn = store.connect(db, upgrading=other_upgrades_in_part)
    try:
        assert schema.schema_version(conn) == len(every)
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = "
                            "'events_entity_origin'").fetchone() is not None
        assert conn.execute("SELECT name FROM pragma_table_info('inbox') "
                            "WHERE name = 'plan_changes'").fetchone() is not None
    finally:
        conn.close()
    assert _events(db) == before
