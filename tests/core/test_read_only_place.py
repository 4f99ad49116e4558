"""A database on a read-only disk or folder (a write-protected USB stick, a CD): it
can be read and printed, and a save says the place is read-only. SQLite cannot open a
database in WAL mode there as usual (it needs to write the ``-shm`` file beside it)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldplan import progress, schema, store
from fieldplan.errors import StoreError
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle


@contextlib.contextmanager
def _unwritable(place: Path, probe: bool = True) -> Iterator[None]:
    """``place`` (a folder, or a file) made read-only for real (the permission bits,
    or for the superuser the immutable attribute); skipped where neither can be set.
    ``probe``: skipped too when a file can still be written in the folder."""
    if os.geteuid() != 0:
        place.chmod(0o555 if place.is_dir() else 0o444)
        undo = ["chmod", "755" if place.is_dir() else "644", str(place)]
    else:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", str(place)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a file read-only here (no chattr +i)")
        undo = ["chattr", "-i", str(place)]
    try:
        if probe:
            try:
                (place / "probe").write_text("x")
            except OSError:
                pass
            else:
                pytest.skip("the folder stays writable here")
        yield
    finally:
        subprocess.run(undo, check=True)


@pytest.fixture
def office_on_stick(make_office, tmp_path: Path) -> Path:
    """An office database with a report, closed cleanly, alone in a folder."""
    rep = make_office("ML")
    progress.record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=40,
                                achievements="wells")
    path = rep.path
    digest = progress.digest(rep, "ML")
    rep.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    for name in (path.name, path.name + ".key"):
        shutil.copy2(path.parent / name, stick / name)
    (stick / "digest").write_text(digest)
    return stick / path.name


def _simulate_read_only(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What SQLite meets on a read-only medium, where no real one can be made: the
    ``-shm`` file cannot be made (a link in its place to a folder that is not there),
    and a probe write fails."""
    (db.parent / (db.name + "-shm")).symlink_to(db.parent / "gone" / "shm")

    def refused(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", refused)


def _read_and_try_a_save(db: Path, tmp_path: Path) -> None:
    digest = (db.parent / "digest").read_text()
    before = db.read_bytes()
    with open_replica(db) as rep:
        assert rep.conn.read_only
        notices = rep.take_notices()
        assert len(notices) == 1 and "read-only disk or folder" in notices[0]
        # (a copy of the database alone is read, but sends no bundle: no key)
        assert f"with its key file {db.name}.key," in notices[0]
        rows = progress.list_reports(rep, period="2026-S1")
        assert [(r.action, r.percent, r.achievements) for r in rows] == [
            ("PA1.1", 40, "wells")]
        assert progress.digest(rep, "ML") == digest
        with pytest.raises(StoreError, match="read-only"):
            progress.record_progress(rep, "PA1.2", "2026-S1", status="at-risk")
        # a bundle can still be sent from it (its sending is not noted there)
        out = export_bundle(rep, out_file=tmp_path / "b.fieldplan")
        assert out.path.exists()
    assert db.read_bytes() == before
    # (where the folder is writable after all, SQLite's first try leaves an empty log)
    wal = db.parent / (db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert sorted(p.name for p in db.parent.iterdir() if p.exists() and p != wal) == sorted(
        [db.name, db.name + ".key", "digest"])


def test_a_database_in_a_read_only_folder_is_read_and_not_written(
        office_on_stick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _simulate_read_only(office_on_stick, monkeypatch)
    _read_and_try_a_save(office_on_stick, tmp_path)


def test_a_truly_read_only_folder(office_on_stick: Path, tmp_path: Path) -> None:
    with _unwritable(office_on_stick.parent):
        _read_and_try_a_save(office_on_stick, tmp_path)


def _in_rollback_mode(db: Path) -> None:
    """``db`` turned to a rollback journal, as a restored copy is until it is next
    opened, and a backup always is."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_a_database_in_rollback_mode_in_a_read_only_folder_is_read(
        office_on_stick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite reads it without writing beside it, and the switch to WAL failed then:
    "the file cannot be opened (its folder or the disk may be read-only, or gone)",
    where the same database in WAL mode was read."""
    _in_rollback_mode(office_on_stick)
    # what SQLite meets there: the -wal file cannot be made
    (office_on_stick.parent / (office_on_stick.name + "-wal")).symlink_to(
        office_on_stick.parent / "gone" / "wal")
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.EROFS, os.strerror(errno.EROFS))))
    _read_and_try_a_save(office_on_stick, tmp_path)


def test_a_database_in_rollback_mode_in_a_truly_read_only_folder(
        office_on_stick: Path, tmp_path: Path) -> None:
    _in_rollback_mode(office_on_stick)
    with _unwritable(office_on_stick.parent):
        _read_and_try_a_save(office_on_stick, tmp_path)


def test_a_writable_folder_is_opened_as_usual(office_on_stick: Path) -> None:
    with open_replica(office_on_stick) as rep:
        assert not rep.conn.read_only
        assert rep.take_notices() == []


def test_an_older_schema_on_a_read_only_medium_says_to_copy_it(
        office_on_stick: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _simulate_read_only(office_on_stick, monkeypatch)
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS,
                                               ("9999_later", lambda db: None)])
    with pytest.raises(StoreError, match="read-only disk or folder and was written by an "
                                         "older fieldplan") as raised:
        open_replica(office_on_stick)
    assert f"copy it, with its key file {office_on_stick.name}.key, to a folder" in str(
        raised.value)


def test_an_older_schema_in_a_read_only_file_says_to_make_it_writable(
        office_on_stick: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only file in a folder that can be written (a read-only attribute, a CD's
    copy on Windows) was said to be on a read-only disk or folder, to be copied to a
    folder that can be written: the copy keeps the attribute (or the mode), and was
    refused the same way."""
    monkeypatch.setattr(store, "_writable_file", lambda path: path != office_on_stick)
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS,
                                               ("9999_later", lambda db: None)])
    before = office_on_stick.read_bytes()
    with pytest.raises(StoreError) as raised:
        open_replica(office_on_stick)
    said = str(raised.value)
    assert "is a read-only file written by an older fieldplan" in said
    assert "make the file writable" in said and "copy" not in said
    assert "\n" not in said
    assert office_on_stick.read_bytes() == before


def test_a_truly_read_only_file_of_an_older_schema(
        office_on_stick: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS,
                                               ("9999_later", lambda db: None)])
    with _unwritable(office_on_stick, probe=False), pytest.raises(
            StoreError, match="is a read-only file written by an older"):
        open_replica(office_on_stick)


def test_a_log_without_its_index_on_a_read_only_medium_says_to_copy_it(
        office_on_stick: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A computer stopped with the database open: its ``-wal`` holds changes SQLite
    cannot read there without the ``-shm``; it is not read without them (stale)."""
    (office_on_stick.parent / (office_on_stick.name + "-wal")).write_bytes(b"x" * 64)
    _simulate_read_only(office_on_stick, monkeypatch)
    with pytest.raises(StoreError, match="not closed cleanly; copy its folder"):
        open_replica(office_on_stick)


def test_a_read_only_file_in_a_writable_folder_is_opened_read_only(
        office_on_stick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite reads it as usual (a -wal and -shm can be made beside it), but every save
    would fail: a read-only attribute (a CD's copy on Windows), or an immutable file."""
    monkeypatch.setattr(store, "_writable_file", lambda path: path != office_on_stick)
    with open_replica(office_on_stick) as rep:
        assert rep.conn.read_only
        assert "read-only disk or folder" in rep.take_notices()[0]
        with pytest.raises(StoreError, match="read-only"):
            progress.record_progress(rep, "PA1.2", "2026-S1", status="at-risk")


def test_a_truly_read_only_file(office_on_stick: Path, tmp_path: Path) -> None:
    with _unwritable(office_on_stick, probe=False), open_replica(office_on_stick) as rep:
        assert rep.conn.read_only
        with pytest.raises(StoreError, match="read-only"):
            progress.record_progress(rep, "PA1.2", "2026-S1", status="at-risk")
