"""The local SQLite store: where the file lives, how it is opened, its schema
migrations and its backups.

One SQLite file per replica. WAL mode, foreign keys on, ``synchronous=FULL`` so a
committed entry survives a power cut. Writers take the write lock up front
(``BEGIN IMMEDIATE``), which keeps per-replica sequence numbers gapless when two
connections write at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from fieldplan.errors import DamagedDatabaseError, StoreError
from fieldplan.i18n import _

#: How many automatic backups of each kind are kept next to the database.
BACKUPS_KEPT = 10

#: Seconds a connection waits for another writer before giving up.
BUSY_TIMEOUT_S = 30.0


def default_db_path() -> Path:
    """The database file used when neither ``--db`` nor ``FIELDPLAN_DB`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fieldplan", appauthor=False)) / "fieldplan.sqlite3"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db PATH`` wins, then the ``FIELDPLAN_DB`` environment variable, then the
    per-user data directory."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("FIELDPLAN_DB")
    if env:
        return Path(env)
    return default_db_path()


def connect(path: str | os.PathLike[str], *, create: bool = False) -> sqlite3.Connection:
    """Open the database file with fieldplan's settings and bring its schema up to date.

    Raises StoreError with a person-readable reason when the file is missing (unless
    ``create``), is not a database, is corrupt, or was written by a newer fieldplan.
    """
    from fieldplan import schema

    path = Path(path)
    if not create and not path.exists():
        raise StoreError(_(
            "no fieldplan database at {path}; run 'fieldplan init --hq' or "
            "'fieldplan init --from SETUP.fieldplan' first").format(path=path))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True
        )
    except sqlite3.Error as exc:
        raise StoreError(_("cannot open database {path}: {error}").format(
            path=path, error=exc)) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":  # pragma: no cover - e.g. a read-only medium
            raise StoreError(_("cannot use write-ahead logging on {path} (mode {mode})")
                             .format(path=path, mode=mode))
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")  # merge work tables stay off disk
        schema.migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            raise DamagedDatabaseError(_("{path} is not a usable fieldplan database: {error}")
                                       .format(path=path, error=exc)) from exc
        # busy, locked, read-only…: the file may be fine; a backup is no answer
        raise StoreError(_("cannot open database {path}: {error}").format(
            path=path, error=exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    Nested use is refused: every write is one whole transaction with its event.
    """
    if conn.in_transaction:
        raise RuntimeError("write_transaction does not nest")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StoreError(_("the database is busy (another fieldplan is writing): {error}")
                         .format(error=exc)) from exc
    try:
        yield conn
    except sqlite3.OperationalError as exc:
        # a full disk, an I/O error, a lock held too long: nothing of this write stays
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(_("could not save to the database, nothing was changed: {error}")
                         .format(error=exc)) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(
                _("could not save to the database, nothing was changed: {error}")
                .format(error=exc)) from exc


def backup_dir(db_path: str | os.PathLike[str]) -> Path:
    """Where the automatic backups of a database are kept: ``<dir>/backups``."""
    return Path(db_path).resolve().parent / "backups"


def backup(conn: sqlite3.Connection, db_path: str | os.PathLike[str], reason: str) -> Path:
    """Copy the database with SQLite's backup API into the backup folder and keep the
    newest BACKUPS_KEPT backups for this database. The connection must not hold an
    uncommitted write (the backup would wait for it forever)."""
    if conn.in_transaction:
        raise RuntimeError("commit before backing up")
    db_path = Path(db_path)
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    part = target.with_suffix(".part")
    try:
        dest = sqlite3.connect(str(part))
        try:
            conn.backup(dest)
            _mark_backup(dest, stamp)
        finally:
            dest.close()
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)  # never leave half a backup behind
        raise
    _rotate(folder, db_path.stem)
    return target


#: The setting a backup carries (written into the copy, never into the database): a
#: database that holds it was put back from a backup, and continues as a new replica
#: (``fieldplan.sync.keys.renew_identity``) before it writes anything.
BACKUP_MARK = "backup"


def _mark_backup(dest: sqlite3.Connection, stamp: str) -> None:
    has_meta = dest.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if has_meta:
        taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").strftime("%Y-%m-%dT%H:%M:%SZ")
        with dest:
            dest.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (BACKUP_MARK, json.dumps({"taken": taken}, separators=(",", ":"))))


def list_backups(db_path: str | os.PathLike[str]) -> list[Path]:
    """The backups of this database, newest first: ``<stem>-<time>-<reason>.sqlite3``
    exactly (``hq`` and ``hq-old`` may share the folder: neither takes the other's)."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    return _backups(folder, Path(db_path).stem)


#: The time in a backup's name, as ``backup`` writes it (``%Y%m%dT%H%M%S%fZ``).
_STAMP = r"\d{8}T\d{12}Z"


def _backups(folder: Path, stem: str) -> list[Path]:
    name = re.compile(re.escape(stem) + rf"-({_STAMP})-[\w.-]+\.sqlite3")
    found = []
    for path in folder.glob(f"{glob.escape(stem)}-*.sqlite3"):
        match = name.fullmatch(path.name)
        if match:
            found.append((match.group(1), path.name, path))
    return [path for _time, _name, path in sorted(found, reverse=True)]


def restore_latest_backup(db_path: str | os.PathLike[str]) -> Path:
    """Put the newest backup in place of the database file. The damaged file is kept
    beside it as ``.damaged`` (``.damaged.2``… when one is there already), with its
    write-ahead log. Returns the backup used."""
    return restore_backup(db_path)[0]


def restore_backup(db_path: str | os.PathLike[str],
                   backup: str | os.PathLike[str] | None = None) -> tuple[Path, Path | None]:
    """Put ``backup`` (default: the newest backup of this database) in place of the
    database, keeping the file it replaces as ``.damaged`` (``.damaged.2``…) with its
    write-ahead log (never opened: what it holds stays as it was). The copy carries the
    backup mark, so the database continues as a new replica when next opened. Returns
    (the backup used, where the replaced file went, or None)."""
    db_path = Path(db_path)
    if backup is None:
        backups = list_backups(db_path)
        if not backups:
            raise StoreError(_("no backup of {path} to restore").format(path=db_path))
        latest = backups[0]
    else:
        latest = Path(backup)
    _check_backup_file(latest, db_path)
    part = db_path.with_name(db_path.name + ".part")
    part.unlink(missing_ok=True)
    try:  # the whole copy first: a full disk leaves the damaged file where it was
        src = sqlite3.connect(latest.resolve().as_uri() + "?mode=ro", uri=True)
        dest = sqlite3.connect(str(part))
        try:
            src.backup(dest)
            _mark_backup(dest, _stamp_of(latest))
        finally:
            src.close()
            dest.close()
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    kept = db_path.with_name(db_path.name + ".damaged")
    n = 1
    while kept.exists():
        n += 1
        kept = db_path.with_name(f"{db_path.name}.damaged.{n}")
    if db_path.exists():
        os.replace(db_path, kept)
    wal = Path(str(db_path) + "-wal")
    if wal.exists():
        os.replace(wal, Path(str(kept) + "-wal"))  # what the damaged file last wrote
    Path(str(db_path) + "-shm").unlink(missing_ok=True)
    os.replace(part, db_path)
    return latest, kept if kept.exists() else None


def _stamp_of(backup: Path) -> str:
    """The time in a backup's name (``%Y%m%dT%H%M%S%fZ``), or now for another name."""
    found = re.search(rf"-({_STAMP})-", backup.name)
    return found.group(1) if found else dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _check_backup_file(path: Path, db_path: Path) -> None:
    """A copy of a fieldplan database (a backup made before backups carried their mark
    is one too), of this computer: its key is the one beside the database, or one it
    had before (kept as ``.old`` beside it). Another computer's would take its place."""
    bad = _("{path} is not a fieldplan backup").format(path=path)
    if not path.is_file():
        raise StoreError(_("no file {path}").format(path=path))
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            (key_id,) = conn.execute(
                "SELECT (SELECT value FROM meta WHERE key = 'key_id')").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        raise StoreError(bad) from None
    from fieldplan import minisign
    from fieldplan.replica import key_path, old_key_files  # replica imports this module

    kpath = key_path(db_path)
    if not kpath.exists():
        return  # opening it says what is missing
    mine = set(old_key_files(db_path))
    try:
        mine.add(minisign.load_secret_key(kpath).key_id_hex)
    except Exception:
        return  # a damaged key file: opening says so
    if key_id not in mine:
        raise StoreError(_("{path} is a backup of another computer (key {key_id}), not of "
                           "{db}").format(path=path, key_id=key_id, db=db_path.name))


def _rotate(folder: Path, stem: str) -> None:
    for old in _backups(folder, stem)[BACKUPS_KEPT:]:
        with contextlib.suppress(OSError):
            old.unlink()
