"""A database deleted (or moved away) after a crash, or while a program had it open,
leaves its ``-wal`` file behind. SQLite takes a log for the log of whatever file has
its database's name: an ``init`` at that name replayed the old database's log into
the new one, which then held the old identity beside its new key file ("the key file
is another computer's") or was damaged. The log is moved aside, kept, and said."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldplan import minisign
from fieldplan.errors import StoreError
from fieldplan.replica import init_hq, key_path, open_replica


def _leave_orphan_log(db: Path) -> bytes:
    """Make a database at ``db`` whose last writes are in its log, then delete the
    database, its key file and backups as a person starting over would, leaving the
    log (as a crash leaves it). Returns the log's bytes."""
    init_hq(db).close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("BEGIN")
    for i in range(50):
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"old{i}", "x" * 2000))
    conn.execute("COMMIT")
    log = Path(f"{db}-wal").read_bytes()  # (committed, not merged into the file yet)
    conn.close()
    for path in (db, key_path(db), Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(db.parent / "backups", ignore_errors=True)
    Path(f"{db}-wal").write_bytes(log)
    assert len(log) > 32
    return log


def test_init_never_applies_the_log_a_deleted_database_left(tmp_path: Path) -> None:
    db = tmp_path / "hq.sqlite3"
    log = _leave_orphan_log(db)

    rep = init_hq(db)
    notices = rep.take_notices()
    rep.close()

    with open_replica(db) as again:  # its own key file, not "another computer's"
        assert again.meta("key_id") == minisign.load_secret_key(key_path(db)).key_id_hex
        assert again.conn.execute(
            "SELECT count(*) FROM meta WHERE key LIKE 'old%'").fetchone()[0] == 0
        assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = sorted(tmp_path.glob("hq.sqlite3-wal.orphaned-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == log  # kept whole
    assert len(notices) == 1 and kept[0].name in notices[0]


def test_an_empty_log_left_goes_without_a_word(tmp_path: Path) -> None:
    db = tmp_path / "hq.sqlite3"
    Path(f"{db}-wal").write_bytes(b"")
    rep = init_hq(db)
    assert rep.take_notices() == []
    rep.close()
    assert not list(tmp_path.glob("*.orphaned-*"))


def test_a_log_that_cannot_be_moved_refuses_the_init(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "hq.sqlite3"
    _leave_orphan_log(db)
    real = os.rename

    def refuse(src, dst, *args, **kwargs):
        if str(src).endswith("-wal"):
            raise PermissionError(13, "Permission denied", str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(StoreError, match=r"hq\.sqlite3-wal.*move it away first"):
        init_hq(db)
    assert not db.exists() and Path(f"{db}-wal").exists()
