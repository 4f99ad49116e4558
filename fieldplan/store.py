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
import errno
import glob
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any, NamedTuple

from fieldplan.errors import (
    BackupError,
    DamagedDatabaseError,
    FileError,
    NotSetUpError,
    NoUsableBackupError,
    SoundDatabaseError,
    StoreError,
)
from fieldplan.files import (
    create_private,
    held_open,
    make_folder_of,
    os_error_cause,
    os_error_reason,
    private_folder,
    replace_file,
    write_reason,
)
from fieldplan.i18n import _, counted, format_number, join_clauses, ltr, ngettext

#: How a backup's name says when it was taken (UTC, to the microsecond).
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"

#: How many automatic backups of each kind (``backup_kind``: before an import, before
#: a migration…) are kept next to the database.
BACKUPS_KEPT = 10

#: Seconds a connection waits for another writer before giving up.
BUSY_TIMEOUT_S = 30.0

#: A backup's unfinished copy (``.part``) untouched for this long was left by a killed
#: backup: one under way writes to it all the time, and takes seconds.
STALE_PART_S = 120.0

#: SQLite's code for a ``-shm`` file that cannot grow: on a full disk every open of a
#: database in WAL mode fails with it ("disk I/O error"). Python 3.11 names it.
SQLITE_IOERR_SHMSIZE = getattr(sqlite3, "SQLITE_IOERR_SHMSIZE", 4874)


def out_of_space(exc: BaseException) -> bool:
    """True when ``exc`` (an OSError or sqlite3.Error) means the disk is full."""
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF == sqlite3.SQLITE_FULL
                                 or code == SQLITE_IOERR_SHMSIZE)


def filled_disk(exc: BaseException) -> bool:
    """True when ``exc``, or an error it was raised from, means the disk is full (a
    StoreError raised from SQLite's)."""
    seen: BaseException | None = exc
    while seen is not None:
        if out_of_space(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _primary_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of an error (an extended code's low byte)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def read_only(exc: BaseException) -> bool:
    """True when SQLite could not write because the file, its ``-wal``/``-shm`` files,
    their folder or the disk is read-only (SQLITE_READONLY and its kinds)."""
    return _primary_code(exc) == sqlite3.SQLITE_READONLY


def busy(exc: BaseException) -> bool:
    """True when SQLite could not go on because another connection holds the database
    (SQLITE_BUSY, SQLITE_LOCKED and their kinds): another fieldplan, most likely, that
    closing may free."""
    return _primary_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def error_reason(exc: BaseException, waited_s: float | None = None) -> str:
    """Why a database or file operation failed, in words: a full disk is said as
    ``files.os_error_reason`` says it ("the disk is full"), whoever reported it, and
    so is a read-only file (SQLite's English "attempt to write a readonly database").
    ``waited_s``: how long the connection waited for another writer's lock
    (``busy_wait_s``; BUSY_TIMEOUT_S when not given)."""
    if out_of_space(exc):
        exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if read_only(exc):
        return _("the database file, its -wal or -shm file, their folder or the disk is "
                 "read-only (check the files' permissions, or the USB stick's "
                 "write-protect switch)")
    primary = _primary_code(exc)
    if primary == sqlite3.SQLITE_CANTOPEN:
        return _("the file cannot be opened (its folder or the disk may be read-only, or "
                 "gone)")
    # SQLite's own words are English ("database is locked", "disk I/O error"): said
    # here in the reader's language instead
    if busy(exc):
        waited = BUSY_TIMEOUT_S if waited_s is None else waited_s
        if waited <= 0:
            # Translators: why the database is busy ("the database is busy (another
            # fieldplan is writing): {error}"), when the save did not wait for it
            return _("it was locked")
        seconds = int(waited) if float(waited).is_integer() else waited
        # Translators: why the database is busy; {seconds} may have a fraction ("1.5"),
        # which takes the form French and Arabic give it ("1,5 seconde")
        return ngettext("it stayed locked for {seconds} second",
                        "it stayed locked for {seconds} seconds", seconds).format(
            seconds=format_number(seconds))
    if primary == sqlite3.SQLITE_IOERR:
        return _("the disk could not be read or written (a USB stick taken out, or a "
                 "failing disk)")
    if primary == sqlite3.SQLITE_CORRUPT:
        return _("the file is damaged")
    if primary == sqlite3.SQLITE_NOTADB:
        return _("the file is not a database, or is damaged")
    if isinstance(exc, OSError):
        # (the database's messages say their own next step: "free some space and try
        # again")
        return os_error_cause(exc, writing=True)
    return str(exc)


def default_db_path() -> Path:
    """The database file used when neither ``--db`` nor ``FIELDPLAN_DB`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fieldplan", appauthor=False)) / "fieldplan.sqlite3"


def file_uri(path: PurePath) -> str:
    r"""The SQLite URI of the absolute ``path`` (``file:`` and the path, its '?', '#',
    '%'… percent-encoded, as ``as_uri`` does). A Windows network path
    (``\\server\share\…``, which a mapped drive resolves to) has its server in the
    path, after an empty authority (``file:////server/share/…``): SQLite refuses
    ``as_uri``'s ``file://server/share/…`` ("invalid uri authority")."""
    uri = path.as_uri()
    if not uri.startswith("file:///"):  # file://server/…: a UNC path's authority
        uri = "file://" + uri.removeprefix("file:")
    return uri


def read_only_uri(path: str | os.PathLike[str]) -> str:
    """The URI that opens the database file at ``path`` read-only (``uri=True``, or
    ``ATTACH`` on such a connection); links resolved."""
    return file_uri(Path(path).resolve()) + "?mode=ro"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db PATH`` wins, then the ``FIELDPLAN_DB`` environment variable, then the
    per-user data directory. StoreError for a ``FIELDPLAN_DB`` ending in the path
    separator (a folder's name, as ``not_a_file_error`` says)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("FIELDPLAN_DB")
    if env and not env.strip():
        # (``FIELDPLAN_DB=" $DB"`` with DB unset) as ``--db " "`` is refused: init made
        # a database named " " in the current folder; empty is unset, as for any variable
        raise StoreError(_("FIELDPLAN_DB holds only spaces: set it to a database file "
                           "name, or unset it"))
    if env:
        # a folder's name, as --db's (the Path loses its last separator): a database
        # was made under the folder's name
        from fieldplan.files import names_a_folder

        refused = not_a_file_error(env) if names_a_folder(env) else None
        if refused is not None:
            raise refused
        return Path(env)
    return default_db_path()


def connect(path: str | os.PathLike[str], *, create: bool = False,
            removed: list[Path] | None = None,
            notices: list[str] | None = None,
            upgrading: Callable[[], None] | None = None) -> sqlite3.Connection:
    """Open the database file with fieldplan's settings and bring its schema up to date.

    Raises StoreError with a person-readable reason when the file is missing (unless
    ``create``), is not a database, is corrupt, or was written by a newer fieldplan.
    ``removed``: see ``backup`` (the backup before a migration); ``notices`` and
    ``upgrading``: see ``schema.migrate``.
    """
    from fieldplan import schema

    path = Path(path)
    refused = not_a_file_error(path)
    if refused is not None:
        raise refused
    refused = network_drive_error(path, create=create)
    if refused is not None:  # (before anything is read or moved there)
        raise refused
    if not create and not path.exists():
        put_back_set_aside(path)  # (a restore killed with the file set aside)
    if not create and not path.exists():
        if list_backups(path):
            raise StoreError(_(
                "no fieldplan database at {path}, but its backups are in {folder}; "
                "'fieldplan restore' puts the latest back").format(
                    path=ltr(path), folder=ltr(backup_dir(path))))
        unreadable = backups_unreadable(path)
        if unreadable is not None:
            # listed as none, they may be there: "run init" would leave them behind
            raise StoreError(_(
                "no fieldplan database at {path}; its backups folder {folder} cannot be "
                "read ({reason}): once it can be, restore the latest backup, if there is "
                "one ('fieldplan restore')").format(
                    path=ltr(path), folder=ltr(backup_dir(path)),
                    reason=os_error_reason(unreadable)))
        raise StoreError(_(
            "no fieldplan database at {path}; run 'fieldplan init --hq' or "
            "'fieldplan init --from SETUP.fieldplan' first").format(path=ltr(path)))
    if not create and is_empty_file(path):
        # opening would write fieldplan's tables into it (even for a read-only command)
        if emptied(path):
            raise damaged_error(path, _("the file is empty"))
        raise NotSetUpError(not_set_up_text(path))
    if create:
        make_folder_of(path)
    try:
        if create:
            # owner-only, as its key file: it holds enrolment tokens (SQLite would
            # make it 0644, and its -wal and -shm follow the database's mode)
            create_private(path, exist_ok=True)
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True,
            factory=Connection)
    except (sqlite3.Error, OSError) as exc:
        raise _cannot_open(path, exc) from exc
    try:
        conn.row_factory = sqlite3.Row
        file_only = False  # the file is read-only in a folder that can be written
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if create or not _read_only_place(path, exc):
                raise
            conn.close()
            conn = _connect_read_only(path)
            conn.row_factory = sqlite3.Row
        else:
            if not create and not _writable_file(path):
                # read as usual (its -wal and -shm were beside it, or the folder can be
                # written but not the file: a read-only attribute, a CD's copy), and
                # every save would fail: opened read-only, saying so, as above
                conn.close()
                conn = _connect_read_only(path)
                conn.row_factory = sqlite3.Row
                file_only = os.access(path.parent, os.W_OK)
            elif not create and _unwritable_rollback_place(conn, path):
                # a database in rollback-journal mode (a restored copy not opened since,
                # a backup, another tool's copy) is read without writing beside it, and
                # the switch to WAL below then failed ("the file cannot be opened"): it
                # is opened read-only, as one in WAL mode there is
                conn.close()
                conn = _connect_read_only(path)
                conn.row_factory = sqlite3.Row
        if not create and another_programs(conn):
            # before anything is written (WAL mode, fieldplan's tables): not ours to touch
            raise StoreError(not_fieldplans_text(path))
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.read_only:
            # nothing is written: no switch to WAL (the file is in WAL mode already,
            # which is why it could not be opened as usual), no migration
            if schema.pending(conn, path) and file_only:
                # a copy keeps the file's read-only attribute (Windows) or mode: "copy
                # it to a folder you can write to" gave a copy refused the same way
                raise StoreError(_(
                    "{path} is a read-only file written by an older fieldplan, and "
                    "this one must update it first: make the file writable (clear its "
                    "read-only attribute, or ask for write access to it), then open it "
                    "again").format(path=ltr(path)))
            if schema.pending(conn, path):
                # (with its key file: the copy alone is read, but sends nothing)
                raise StoreError(_(
                    "{path} is on a read-only disk or folder and was written by an "
                    "older fieldplan, which must update it first: copy it, with its key "
                    "file {key}, to a folder you can write to, and open the copy").format(
                        path=ltr(path), key=ltr(path.with_name(path.name + ".key").name)))
            return conn
        # before anything is written (the switch to WAL): a newer fieldplan's file, a
        # backup opened with --db, is refused as it is
        schema.pending(conn, path)
        if create:
            # a new database (``replica._make``: under a temporary name, put in place
            # only once whole and checkpointed): its switch to WAL and its schema are
            # not waited for on the disk at each migration's commit (16 waits, most of
            # a first run's time on a slow disk). The next commit's sync takes them
            # all, and a power cut before it leaves a temporary file the next init
            # clears; SQLite stays safe against a killed process either way.
            conn.execute("PRAGMA synchronous = OFF")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":  # pragma: no cover - e.g. a read-only medium
            raise StoreError(_("cannot use write-ahead logging on {path} (mode {mode})")
                             .format(path=ltr(path), mode=mode))
        if not create:
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")  # merge work tables stay off disk
        schema.migrate(conn, path, removed=removed, notices=notices, upgrading=upgrading)
        conn.execute("PRAGMA synchronous = FULL")
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        conn.close()
        damaged = as_damage(path, exc)
        if damaged is not exc:
            raise damaged from exc
        if isinstance(exc, UnicodeDecodeError):
            raise
        # busy, locked, read-only, a full disk…: the file may be fine; a backup is no answer
        raise _cannot_open(path, exc) from exc
    except BaseException:
        conn.close()
        raise
    return conn


class Connection(sqlite3.Connection):
    """A connection ``connect`` opens: ``after_commit``, if set, is called after each
    ``write_transaction`` commits (the replica's write mark: ``fieldplan.writemark``);
    ``before_write``, if set, before each begins and again with the write lock held,
    and refuses it by raising (the replica's ``check_writable``: a database file
    deleted or replaced while open, a restore under way); ``after_write``, if set,
    once it has committed, and says by raising that what it saved is lost (the
    replica's ``check_file``); ``after_rollback``, if set, after one rolls back.
    ``read_only``: opened read-only, the database being on
    a read-only disk or folder (``_connect_read_only``): every write fails, saying so.
    ``several_heads``, if set, gets the reports ``events.derive`` leaves with a field
    of several heads (an import's: the only ones its conflict count asks about)."""

    after_commit: Callable[[], None] | None = None
    #: called after ``write_transaction`` rolls back (the replica's caches, which may
    #: hold what was read inside it: ``Replica.cache``)
    after_rollback: Callable[[], None] | None = None
    before_write: Callable[[], None] | None = None
    after_write: Callable[[], None] | None = None
    read_only: bool = False
    several_heads: set[str] | None = None


def network_drive_error(path: str | os.PathLike[str], *,
                        create: bool = False) -> StoreError | None:
    """The refusal of a database (``create``: to be made) on a network drive
    (``netdrive``), or None on this computer's own disk. Refused rather than opened in
    rollback-journal mode: SQLite's write-ahead log does not work there between
    computers (each keeps its own shared-memory index, and they overwrite each other's
    pages), and a rollback journal is only as safe as the share's locks and flushes,
    which lie on many (NFS's lock bugs, SMB's client caching, a laptop that leaves
    the office network in the middle of a save). Nothing written there, nothing lost."""
    from fieldplan.netdrive import network_place

    kind = network_place(path)
    if kind is None:
        return None
    if create:
        # Translators: {kind} is the network drive's type ("nfs4", "cifs") or its
        # name ("\\server\share", "S:"); keep the command as it is (FILE: a file
        # name the person chooses)
        return StoreError(_(
            "{path} is on a network drive ({kind}), where two computers using one "
            "database lose each other's entries: fieldplan makes no database there; "
            "choose a file on this computer's own disk (fieldplan --db FILE, or "
            "FIELDPLAN_DB)").format(path=ltr(path), kind=ltr(kind)))
    # Translators: {kind} is the network drive's type ("nfs4", "cifs") or its name
    # ("\\server\share", "S:"); keep the command as it is (COPY: the copy's file
    # name, which the person chooses)
    return StoreError(_(
        "{path} is on a network drive ({kind}), where two computers using one database "
        "lose each other's entries: fieldplan leaves it as it is; close fieldplan on "
        "every computer, copy the database's folder to this computer's own disk, and "
        "use the copy (fieldplan --db COPY)").format(path=ltr(path), kind=ltr(kind)))


def _read_only_place(path: Path, exc: sqlite3.Error) -> bool:
    """Whether SQLite could not open the database because it cannot write beside it
    (the ``-shm`` file a database in WAL mode needs): a write-protected USB stick, a
    CD, a read-only share. Asked by trying to write a file in its folder, which tells
    what permission bits do not (an administrator, a read-only mount)."""
    if _primary_code(exc) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
        return False
    return path.is_file() and _folder_unwritable(path)


def _folder_unwritable(path: Path) -> bool:
    """Whether no file can be written in the folder of ``path``, by trying to."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".fieldplan-probe-", dir=path.parent)
    except OSError as err:
        return err.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return False


def _unwritable_rollback_place(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether the database ``conn`` reads is not in WAL mode and its folder cannot
    be written (a read-only share, a folder without write permission, a CD): the switch
    to WAL, which writes a ``-wal`` file beside it, cannot be made there. Asked as
    ``_read_only_place`` asks, by trying to write a file in the folder."""
    return (conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal"
            and _folder_unwritable(path))


def _writable_file(path: Path) -> bool:
    """Whether the database file can be opened for writing: not on a read-only disk,
    without a read-only attribute or permission, not made immutable. The system is
    asked (``access``), which permission bits alone do not tell (an administrator).
    Never by opening the file: asked with the database open, closing it would drop
    the locks SQLite holds on it for this process (POSIX), and another program would
    then take this one's database for closed (``in_use``; one closing its connection
    deletes the write-ahead log this one is still writing to)."""
    return os.access(path, os.W_OK)


def _connect_read_only(path: Path) -> Connection:
    """The database on a read-only disk or folder, opened to read it only: status,
    lists, digests and reports work; a save says the place is read-only. A database
    closed cleanly has no ``-wal`` file and is read as it is (``immutable``: nothing can
    change it there); one with a ``-wal`` file is read with it, which SQLite can do when
    its ``-shm`` file is there too, and cannot when it is not (a computer that stopped
    while the database was open): then the error says to copy it first."""
    uri = read_only_uri(path)
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size):
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S,
                               isolation_level=None, check_same_thread=True,
                               factory=Connection)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(_(
            "cannot open database {path}: it is on a read-only disk or folder and was "
            "not closed cleanly; copy its folder to a disk you can write to, and open "
            "the copy").format(path=ltr(path))) from exc
    conn.read_only = True
    return conn


def another_programs(conn: sqlite3.Connection) -> bool:
    """Whether the database holds tables, and no record of fieldplan's migrations: an
    SQLite database of another program (a browser's, a spreadsheet tool's). Only
    reads; an empty database is not one (``init`` makes its tables)."""
    names = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%'")}
    if not names:
        return False
    from fieldplan import schema

    if "_sqlite_migrations" not in names:
        return True
    try:
        return conn.execute("SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? "
                            "LIMIT 1", (schema.MIGRATION_SET,)).fetchone() is None
    except sqlite3.OperationalError:  # another tool's table of that name (sqlite-migrate)
        return True


@contextlib.contextmanager
def reading(path: str | os.PathLike[str]) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the database file at ``path``, closed afterwards:
    nothing is written, not even a ``-wal``'s checkpoint. Raises what opening or
    reading raises (RuntimeError for a symbolic link loop)."""
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        yield conn
    finally:
        conn.close()


#: What opening or reading a file that may not be a sound database raises (a damaged
#: schema's bytes that are not UTF-8, quoted in SQLite's message: UnicodeDecodeError).
READ_ERRORS = (sqlite3.Error, OSError, RuntimeError, UnicodeDecodeError)


def another_programs_file(path: str | os.PathLike[str]) -> bool:
    """``another_programs`` of a file, opened read-only (False for a file that is not
    an SQLite database, or cannot be read)."""
    try:
        with reading(path) as conn:
            return another_programs(conn)
    except READ_ERRORS:
        return False


def not_fieldplans_text(path: str | os.PathLike[str]) -> str:
    """What is said of a file that is another program's SQLite database."""
    return _("{path} is an SQLite database, but not fieldplan's (another program's?); it "
             "was left as it is: give fieldplan another file").format(path=ltr(path))


def is_empty_file(path: str | os.PathLike[str]) -> bool:
    """Whether the database file is there and holds nothing (0 bytes), nor does a
    write-ahead log beside it."""
    try:
        if os.stat(path).st_size != 0:
            return False
    except OSError:
        return False
    try:
        return os.stat(f"{os.fspath(path)}-wal").st_size == 0
    except OSError:
        return True


def emptied(path: str | os.PathLike[str]) -> bool:
    """An empty database file (``is_empty_file``) that held a database: its key file or
    its backups are beside it (a cheap USB stick after a power cut). It is damaged: a
    restore is the way back, never a new identity beside the old one's key."""
    return is_empty_file(path) and (_was_a_replica(path) or bool(list_backups(path)))


def not_a_file_error(path: str | os.PathLike[str]) -> StoreError | None:
    """The error for a ``--db`` that names a folder, a device, a pipe or a socket
    (``/dev/null``), where SQLite cannot keep a database; None for anything else. A
    name ending in the path separator (``--db D:\\fieldplan\\``) names a folder, there
    or not (a database was made under the folder's name)."""
    from fieldplan.files import names_a_folder

    typed_a_folder = names_a_folder(path)
    path = Path(path)
    if path.is_dir() or typed_a_folder:
        # Translators: {example} is the folder's name with a file name after it
        return StoreError(_("{path} is a folder, not a database file; give a file name "
                            "such as {example}").format(
                                path=ltr(path), example=ltr(path / "fieldplan.sqlite3")))
    if not path.exists():
        if os.path.islink(path):
            # a link to a database on a drive not connected (a USB stick, a network
            # drive): said, not "no database here, run init", which init then refused
            # as "already exists"
            return StoreError(_("{path} is a link to {target}, which is not there: connect "
                                "the drive it is on, or give another database file").format(
                                    path=ltr(path), target=ltr(_link_target(path))))
        return None
    if path.is_file():
        return None
    return StoreError(_("{path} is a device, a pipe or a socket, not a database file; "
                        "choose another --db").format(path=ltr(path)))


def _link_target(path: Path) -> str:
    """Where the link ``path`` points, as an absolute path when it can be read."""
    try:
        target = os.readlink(path)
    except OSError:
        return os.fspath(path)
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), target))


def not_set_up_text(path: str | os.PathLike[str]) -> str:
    """What is said of a database file that fieldplan's ``init`` has not set up."""
    return _("{path} is not set up yet; run 'fieldplan init' first").format(path=ltr(path))


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite says the file is damaged (or not a database at all): at opening,
    or when a damaged page is read later (a bad sector in the middle of the file)."""
    name = getattr(exc, "sqlite_errorname", "") if isinstance(exc, sqlite3.Error) else ""
    return name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB"


def as_damage(path: str | os.PathLike[str], exc: BaseException) -> BaseException:
    """``exc`` as a DamagedDatabaseError naming ``path`` when it says the file is
    damaged (SQLite's own words, "database disk image is malformed", are English), or
    when it is an SQLite error that says nothing of its cause and SQLite's quick check
    finds the file damaged (``found_damaged``); any other error as it is."""
    if not is_damage(exc):
        if _may_be_damage(exc) and found_damaged(path):
            return damaged_error(path, _("the file is damaged"))
        return exc
    reason = (_("the file is not a database, or is damaged")
              if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB"
              else _("the file is damaged"))
    return damaged_error(path, reason)


def _may_be_damage(exc: BaseException) -> bool:
    """Whether an SQLite error may come of damage that SQLite does not call so: a
    text that is not UTF-8 (Python's "Could not decode to UTF-8", with no SQLite code;
    fieldplan writes UTF-8 only), a constraint or a value that makes no sense. Not one
    whose code says its cause: busy, read-only, a full disk, an I/O error. Or a
    stored value that is not the JSON fieldplan wrote (a bad sector over a merged
    value passes SQLite's checks: ``found_damaged`` looks at the values)."""
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        # (SQLite's own message quoting bytes of a damaged schema that are not UTF-8:
        # Python raises UnicodeDecodeError in place of the DatabaseError)
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if busy(exc) or read_only(exc) or out_of_space(exc):
        return False
    return _primary_code(exc) not in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
                                      sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_NOMEM)


def found_damaged(path: str | os.PathLike[str]) -> bool:
    """Whether SQLite's quick check of the database file at ``path`` (opened
    read-only) finds it damaged; False when it cannot tell (the file cannot be opened
    or read: missing, busy, a failing disk). It reads the whole file (``check_sound``
    says how long): asked only after an error."""
    sound = _quick_check(Path(path))
    # (a file the quick check found sound had its stored values read by it: read
    # again, they doubled the time, 18 s in place of 11 at a headquarters of a
    # million events)
    return sound is False or (sound is None and _bad_stored_value(Path(path)))


def _bad_stored_value(path: Path) -> bool:
    """Whether a value the merge stored in the database at ``path`` is not what
    fieldplan writes (``stored_values_bad``); False when it cannot tell."""
    try:
        with reading(path) as conn:
            return _holds_events(conn) and stored_values_bad(conn)
    except (sqlite3.Error, OSError, RuntimeError):
        return False


def stored_values_bad(conn: sqlite3.Connection) -> bool:
    """Whether a value the merge stored (a field's version, a report's values) is not
    JSON, or a text of fieldplan's tables is not UTF-8: what fieldplan writes is both,
    and SQLite's checks do not read it. (SQLite's json_valid takes a byte that is not
    UTF-8 inside a JSON text, which Python then cannot read: texts are read as bytes
    here. The event log is checked by its hashes: ``altered_event``.)"""
    if any(conn.execute(sql).fetchone() is not None for sql in (
            "SELECT 1 FROM versions WHERE NOT json_valid(value) LIMIT 1",
            "SELECT 1 FROM progress WHERE NOT json_valid(vals) LIMIT 1")):
        return True
    tables = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name != 'events' "
        "AND name NOT LIKE 'sqlite%'").fetchall()
    without_rowid = _without_rowid(conn)
    for table, sql in tables:
        texts = [row[1] for row in conn.execute(
            "SELECT * FROM pragma_table_info(?)", (table,)) if str(row[2]).upper() == "TEXT"]
        if not texts:
            continue
        rowid = _has_rowid(sql) if without_rowid is None else table not in without_rowid
        keys = ["rowid"] if rowid else _primary_key(conn, table)
        if _texts_bad(conn, table, texts, keys) if keys else _rows_texts_bad(
                conn, table, texts):
            return True
    return False


def _without_rowid(conn: sqlite3.Connection) -> set[str] | None:
    """The names of the database's WITHOUT ROWID tables, as SQLite says them
    (``PRAGMA table_list``, SQLite 3.37 on); None when this SQLite cannot say:
    ``_has_rowid`` reads each table's statement then."""
    if sqlite3.sqlite_version_info < (3, 37, 0):
        return None
    return {name for name, wr in conn.execute(
        "SELECT name, wr FROM pragma_table_list WHERE schema = 'main'") if wr}


#: The end of a ``CREATE TABLE`` statement of a WITHOUT ROWID table: its options
#: (SQLite's grammar) after the closing bracket, in either order, spaces or none.
_WITHOUT_ROWID = re.compile(
    r"\)\s*(?:WITHOUT\s+ROWID(?:\s*,\s*STRICT)?|STRICT\s*,\s*WITHOUT\s+ROWID)\s*;?\s*\Z",
    re.IGNORECASE)


def _has_rowid(sql: str | None) -> bool:
    """Whether the table ``CREATE TABLE`` statement ``sql`` makes has row ids (is not
    WITHOUT ROWID), by its words: where SQLite cannot say (``_without_rowid``)."""
    return _WITHOUT_ROWID.search(str(sql)) is None


def _primary_key(conn: sqlite3.Connection, table: str) -> list[str] | None:
    """The primary key's columns (quoted) of the WITHOUT ROWID table ``table``, in the
    order of its index; None when a column of it is in descending order (its index's
    order is not the one ``_texts_bad`` walks)."""
    index = conn.execute("SELECT name FROM pragma_index_list(?) WHERE origin = 'pk'",
                         (table,)).fetchone()
    if index is None:  # pragma: no cover - a WITHOUT ROWID table has a primary key
        return None
    columns = conn.execute("SELECT name, \"desc\" FROM pragma_index_xinfo(?) WHERE key "
                           "ORDER BY seqno", (index[0],)).fetchall()
    if not columns or any(desc for _name, desc in columns):
        return None
    return [_quoted(name) for name, _desc in columns]


def _texts_bad(conn: sqlite3.Connection, table: str, texts: list[str],
               keys: list[str]) -> bool:
    """Whether a value of the columns ``texts`` of ``table`` is not UTF-8. SQLite joins
    each column's values of a run of rows (``_UTF8_BATCH``, in the order of the key
    ``keys``: the row id, or a WITHOUT ROWID table's primary key, every row once) into
    one, a comma between them (ASCII, no two halves of a damaged character make a whole
    one), and each is decoded at once: rows are neither handed to Python one by one nor
    joined there (the field versions of a headquarters of a million events: 1.8 s CPU,
    0.5 s so; its ``supersedes``, two million rows WITHOUT ROWID, each handed to Python
    until then: 1.9 s, 1.25 s so). (The comma is group_concat's own: a separator given
    as bytes, X'0a', is made text again at each row, which took 2.5 times as long.)

    A run ends at the key of its last row, read in Python: a text of it that is not
    UTF-8 is found there (``_text_or_none``)."""
    name = _quoted(table)
    joined = ",".join(f"CAST(group_concat({_quoted(c)}) AS BLOB)" for c in texts)
    key = ",".join(keys)
    after = f"({key}) > ({','.join('?' * len(keys))})"
    upto = f"({key}) <= ({','.join('?' * len(keys))})"
    low: tuple | None = None  # the last key of the run before
    while True:
        where = f"WHERE {after} " if low else ""
        high = _key_of(conn, f"SELECT {key} FROM {name} {where}ORDER BY {key} LIMIT 1 "
                             f"OFFSET {_UTF8_BATCH - 1}", low or ())
        if high is not None and None in high:
            return True
        bounds = [b for b, given in ((after, low), (upto, high)) if given]
        values = conn.execute(
            f"SELECT {joined} FROM {name}"
            + (f" WHERE {' AND '.join(bounds)}" if bounds else ""),
            (*(low or ()), *(high or ()))).fetchone()
        if not _is_utf8(b"\n".join(v or b"" for v in values)):
            return True
        if high is None:  # the last run: every row after ``low``
            return False
        low = high


def _key_of(conn: sqlite3.Connection, sql: str, params: tuple) -> tuple | None:
    """The row (a key) that ``sql`` reads, as Python values that SQLite compares as the
    stored ones, each text that is not UTF-8 None (a key's columns are never NULL); None
    when there is no row."""
    text_factory = conn.text_factory
    conn.text_factory = _text_or_none
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.text_factory = text_factory


def _text_or_none(value: bytes) -> str | None:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _rows_texts_bad(conn: sqlite3.Connection, table: str, texts: list[str]) -> bool:
    """Whether a value of the columns ``texts`` of ``table`` is not UTF-8, read a row at
    a time: a WITHOUT ROWID table whose key ``_texts_bad`` cannot walk
    (``_primary_key``). Each row's texts are one run of bytes, a line end between
    them, decoded a batch of rows at a time: memory bounded whatever the table's size."""
    row = " || X'0a' || ".join(f"coalesce(CAST({_quoted(c)} AS BLOB), X'')" for c in texts)
    cursor = conn.execute(f"SELECT CAST({row} AS BLOB) FROM {_quoted(table)}")
    while batch := cursor.fetchmany(_UTF8_BATCH):
        if not _is_utf8(b"\n".join(r[0] or b"" for r in batch)):
            return True
    return False


#: rows of a table whose texts ``stored_values_bad`` decodes at once
_UTF8_BATCH = 2000


def _quoted(name: str) -> str:
    """An SQL identifier (a table's or column's name) in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def _is_utf8(value: bytes | None) -> bool:
    try:
        (value or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def damaged_error(path: str | os.PathLike[str], reason: str) -> DamagedDatabaseError:
    """The error every command gives for a damaged database (the one place its words
    are made): what is wrong, then the next step, a restore when there are backups,
    else what is left to do."""
    problem = _("{path} is not a usable fieldplan database: {error}").format(
        path=ltr(path), error=reason)
    backups = list_backups(path)
    unreadable = None if backups else backups_unreadable(path)
    if backups:
        text = _("{error}; 'fieldplan restore' puts its latest backup back").format(
            error=problem)
    elif unreadable is not None:
        # listed as none, they may be there: not "no backup of it", nor start again
        text = _("{error}; its backups folder {folder} cannot be read ({reason}): once "
                 "it can be, restore the latest backup, if there is one ('fieldplan "
                 "restore')").format(error=problem, folder=ltr(backup_dir(path)),
                                     reason=os_error_reason(unreadable))
    elif not _was_a_replica(path):
        text = problem  # no key file, no backup: maybe not a fieldplan database at all
    elif _role_of(path) == "hq":
        text = _("{error}; there is no backup of it to restore").format(error=problem)
    else:
        # Translators: {advice} is what is left to do at an office ("at an office, ask
        # headquarters for a new setup bundle…")
        text = _("{error}; there is no backup of it to restore; {advice}").format(
            error=problem, advice=_start_again_text())
    return DamagedDatabaseError(text, problem)


def no_backup_text(db_path: str | os.PathLike[str]) -> str:
    """What ``restore`` says when the database has no backup at all, with what is left
    to do at an office."""
    if not _was_a_replica(db_path) or _role_of(db_path) == "hq":
        return _("no backup of {path} to restore").format(path=ltr(db_path))
    # Translators: {advice} is what is left to do at an office ("at an office, ask
    # headquarters for a new setup bundle…")
    return _("no backup of {path} to restore; {advice}").format(
        path=ltr(db_path), advice=_start_again_text())


def _was_a_replica(db_path: str | os.PathLike[str]) -> bool:
    """Whether a computer's key file is beside the database: it was set up here."""
    from fieldplan.replica import key_path  # replica imports this module

    return key_path(db_path).exists()


def _start_again_text() -> str:
    """The way back of an office's computer without a backup: headquarters' setup
    bundles carry the office's data it holds (sync.enrol), and a new database file
    leaves the damaged one and its key file as they are."""
    # Translators: keep the command as it is; NEW.sqlite3 and SETUP.fieldplan are file
    # names the person chooses
    return _("at an office, ask headquarters for a new setup bundle and set this computer "
             "up again from it on a new database file ('fieldplan --db NEW.sqlite3 init "
             "--from SETUP.fieldplan'): it brings back what headquarters has of the "
             "office's data")


def _role_of(db_path: str | os.PathLike[str]) -> str:
    """The role a (damaged) database says it has, read-only, or "" when it cannot
    tell (missing, empty, unreadable)."""
    try:
        with reading(db_path) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'role'").fetchone()
    except READ_ERRORS:
        return ""
    return row[0] if row and isinstance(row[0], str) else ""


def _cannot_open(path: Path, exc: sqlite3.Error) -> StoreError:
    if out_of_space(exc):  # SQLite says "disk I/O error": it reads like a failing disk
        room = getattr(exc, "upgrade_room", None)
        if room is not None:  # (schema.migrate: an upgrade's log did not fit)
            from fieldplan.schema import megabytes

            # Translators: {reason} says why, e.g. "the disk is full"
            return StoreError(_(
                "cannot open database {path}: {reason}; upgrading it for this version of "
                "fieldplan needs about {size} MB free on its disk: free some space and try "
                "again").format(path=ltr(path), reason=error_reason(exc), size=megabytes(room)))
        # Translators: {reason} says why, e.g. "the disk is full"
        return StoreError(_("cannot open database {path}: {reason}; free some space and "
                            "try again").format(path=ltr(path), reason=error_reason(exc)))
    if isinstance(exc, OSError) and exc.errno == errno.ENOENT:
        # making it in a folder that is there but takes no new files (/proc): never
        # "its folder does not exist"
        return StoreError(_("cannot open database {path}: {error}").format(
            path=ltr(path), error=write_reason(path, exc)))
    if _primary_code(exc) == sqlite3.SQLITE_CANTOPEN and _unreadable_file(path):
        # a file this account may not read (another user's, mode 000): SQLite says only
        # "unable to open database file", which read as a read-only or missing folder
        from fieldplan.files import os_error_reason

        return StoreError(_("cannot open database {path}: {error}").format(
            path=ltr(path), error=os_error_reason(PermissionError(errno.EACCES, "denied"))))
    return StoreError(_("cannot open database {path}: {error}").format(
        path=ltr(path), error=error_reason(exc)))


def _unreadable_file(path: Path) -> bool:
    """Whether ``path`` is a file there that this account may not read."""
    try:
        return path.is_file() and not os.access(path, os.R_OK)
    except OSError:
        return False


def busy_wait_s(conn: sqlite3.Connection) -> float:
    """How long ``conn`` waits for another writer's lock, in seconds (``PRAGMA
    busy_timeout``: the GUI's saves wait less than the BUSY_TIMEOUT_S they open with);
    BUSY_TIMEOUT_S when it cannot say."""
    try:
        return conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    except (sqlite3.Error, AttributeError, TypeError, IndexError):
        return BUSY_TIMEOUT_S


def _write_error(exc: BaseException, conn: sqlite3.Connection) -> str:
    """``error_reason`` of a write on ``conn``: a lock said with the wait it had."""
    return error_reason(exc, busy_wait_s(conn) if busy(exc) else None)


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll the transaction back (unless SQLite did: a full disk, an I/O error), then
    tell the connection's owner (``after_rollback``): a cache filled inside it holds
    what the database no longer does."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    hook = getattr(conn, "after_rollback", None)
    if hook is not None:
        hook()


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    Nested use is refused: every write is one whole transaction with its event.
    """
    if conn.in_transaction:
        raise RuntimeError("write_transaction does not nest")
    check = getattr(conn, "before_write", None)
    if check is not None:
        check()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if read_only(exc) or out_of_space(exc):  # not "busy": waiting would not help
            raise StoreError(_("could not save to the database, nothing was changed: "
                               "{error}").format(error=error_reason(exc))) from exc
        raise StoreError(_("the database is busy (another fieldplan is writing): {error}")
                         .format(error=_write_error(exc, conn))) from exc
    if check is not None:
        # again with the write lock held: a restore may have put another file in its
        # place while this one waited for the lock (what it wrote then was lost)
        try:
            check()
        except BaseException:
            _rollback(conn)
            raise
    try:
        yield conn
    except sqlite3.OperationalError as exc:
        # a full disk, an I/O error, a lock held too long: nothing of this write stays
        _rollback(conn)
        raise StoreError(_("could not save to the database, nothing was changed: {error}")
                         .format(error=_write_error(exc, conn))) from exc
    except BaseException:
        _rollback(conn)
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise StoreError(
                _("could not save to the database, nothing was changed: {error}")
                .format(error=_write_error(exc, conn))) from exc
        saved = getattr(conn, "after_write", None)
        if saved is not None:
            # a restore put another file in its place while this was saved: what was
            # saved went to the file it put aside, not to the database now. Said (a
            # restore counts only what was saved before it looked)
            saved()
        hook = getattr(conn, "after_commit", None)
        if hook is not None:
            # the save is done: a guard that fails after it must not say it was not
            with contextlib.suppress(Exception):
                hook()


def backup_dir(db_path: str | os.PathLike[str]) -> Path:
    """Where the automatic backups of a database are kept: ``<dir>/backups``."""
    return Path(db_path).resolve().parent / "backups"


def backup(conn: sqlite3.Connection, db_path: str | os.PathLike[str], reason: str, *,
           removed: list[Path] | None = None) -> Path:
    """Copy the database with SQLite's backup API into the backup folder and keep the
    newest BACKUPS_KEPT backups of each kind (``reason``) for this database. The
    connection must not hold an uncommitted write (the backup would wait for it
    forever).

    A damaged database is not backed up (its copy would be restored in its place, and
    push the sound backups out): DamagedDatabaseError, before anything is written.

    On a full disk the oldest backups of this database make room (``_free_room``):
    they are added to ``removed``, so that the person can be told
    (``removed_backups_text``; ``Replica.backup`` does it), even when the backup then
    fails. Raises BackupError, naming the reason and the folder, when no backup could
    be written; the database is never touched."""
    if conn.in_transaction:
        raise RuntimeError("commit before backing up")
    db_path = Path(db_path)
    check_sound(conn, db_path)
    folder = backup_dir(db_path)
    taken = dt.datetime.now(dt.UTC)

    def copy() -> Path:
        """The copy, under the first name of ``taken`` or the microseconds after it
        that no other backup holds (another program's, taken at the same instant)."""
        nonlocal taken
        for _attempt in range(_SAME_INSTANT_TRIES):
            stamp = taken.strftime(_STAMP_FORMAT)
            # named after the database's whole file name, which its mark names too: a
            # backup belongs to one database (``hq.sqlite3x`` is not ``hq.sqlite3``;
            # see list_backups)
            target = folder / f"{db_path.name}-{stamp}-{reason}.sqlite3"
            try:
                _copy(conn, target, stamp, db_path.name)
            except _NameTaken:
                taken += dt.timedelta(microseconds=1)
                continue
            return target
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(folder))

    try:
        private_folder(folder)
        _tidy(folder, db_path)  # what a killed backup left takes room too
        try:
            target = copy()
        except (sqlite3.Error, OSError) as exc:
            freed = _free_room(conn, folder, db_path) if out_of_space(exc) else []
            if not freed:
                raise
            if removed is not None:
                removed.extend(freed)
            target = copy()  # once more, in the room made
    except (sqlite3.Error, OSError) as exc:
        # Translators: {reason} says why, e.g. "the disk is full"; {folder} is a folder
        raise BackupError(_("cannot back up the database: {reason} (backups in {folder})")
                          .format(reason=error_reason(exc), folder=ltr(folder))) from exc
    _tidy(folder, db_path, made=target)
    return target


def check_sound(conn: sqlite3.Connection, db_path: str | os.PathLike[str]) -> None:
    """DamagedDatabaseError when SQLite's quick check finds a damaged page in the
    database (a bad sector in the middle of the file, which every other read may pass
    by). It reads the whole file: about 35 ms for headquarters with 57 offices' data
    (14 MB; about 100 ms when none of it is in the system's cache), once per backup:
    per import command, not per bundle."""
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        ours = [tuple(row) for row in rows] == [("ok",)] and _holds_events(conn)
        altered = altered_event(conn) if ours else None
        # (``stored_values_bad`` too, though it reads every text of every table: a copy
        # made here is marked checked, and the rotation counts it as sound without
        # reading it again: a damaged value backed up at each import pushed the last
        # sound backups out, and the restore then passed every copy by)
        bad_values = ours and altered is None and stored_values_bad(conn)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise as_damage(db_path, exc) from exc
        # Translators: {reason} says why, e.g. "the disk is full"
        raise BackupError(_("cannot back up the database: {reason} (backups in {folder})")
                          .format(reason=error_reason(exc),
                                  folder=ltr(backup_dir(db_path)))) from exc
    if [tuple(row) for row in rows] != [("ok",)] or bad_values:
        raise damaged_error(db_path, _("the file is damaged"))
    if altered is not None:
        raise damaged_error(db_path, altered_event_text(*altered))


def altered_event(conn: sqlite3.Connection) -> tuple[str, int] | None:
    """(origin, seq) of the first event whose stored line is not the one its hash was
    made of, or None. A change inside a stored value passes SQLite's quick check (a
    bad sector over text, an edit): sent, such an event breaks its replica's hash
    chain, and headquarters refuses every later bundle of that computer. Read as
    bytes: a line that is no longer UTF-8 is one too. About 0.2 s for a million
    events (the bytes are hashed, nothing is parsed)."""
    import hashlib

    sha256 = hashlib.sha256
    for origin, seq, digest, body in conn.execute(
            "SELECT origin, seq, CAST(hash AS BLOB), CAST(body AS BLOB) FROM events"):
        if body is None or sha256(body).hexdigest().encode() != digest:
            return origin, seq
    return None


def altered_event_text(origin: object, seq: object) -> str:
    """Why a database whose event ``seq`` of ``origin`` is altered is damaged."""
    # Translators: {replica} is the first 8 digits of a replica id
    return _("event {seq} of replica {replica} is damaged: it no longer matches its "
             "hash").format(seq=seq, replica=str(origin)[:8])


def _file_is_sound(path: Path) -> bool:
    """Whether SQLite's quick check finds no damage in the database file at ``path``
    (opened read-only)."""
    return _quick_check(path) is True


def _quick_check(path: Path) -> bool | None:
    """SQLite's quick check of the database file at ``path``, opened read-only: True
    when it finds no damage, False when it finds some (or SQLite says the file is
    damaged or no database), None when the file cannot be opened or read."""
    try:
        with reading(path) as conn:
            if conn.execute("PRAGMA quick_check(1)").fetchall() != [("ok",)]:
                return False
            return not _holds_events(conn) or (altered_event(conn) is None
                                               and not stored_values_bad(conn))
    except sqlite3.Error as exc:
        return False if is_damage(exc) else None
    except UnicodeDecodeError:
        # SQLite's message (or a table's name) quotes bytes of the file that are not
        # UTF-8, which fieldplan never writes: a damaged schema
        return False
    except (OSError, RuntimeError):
        return None


def _holds_events(conn: sqlite3.Connection) -> bool:
    """Whether the database has fieldplan's events table (not: another program's)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'events'").fetchone() is not None


#: How many names a backup tries, a microsecond apart, when others' backups taken at
#: the same instant hold them (Windows's clock moves in steps of about 16 ms).
_SAME_INSTANT_TRIES = 1000


class _NameTaken(Exception):
    """(``_copy``) Another backup has the name: unfinished, or finished."""


def _copy(conn: sqlite3.Connection, target: Path, stamp: str, db_name: str) -> None:
    """The backup itself (of the database file named ``db_name``): written as
    ``.part``, renamed when whole; on any error the part and the journal files beside
    it are removed. _NameTaken, leaving nothing of its own and touching nothing of the
    other's, when another backup holds the name (its ``.part`` there, or the backup
    itself)."""
    part = target.with_suffix(".part")
    try:
        # made here, not by SQLite, so that a folder that cannot be written fails with
        # the system's reason (permission denied, read-only) rather than "unable to
        # open"; owner-only, as the database's key file (enrolment tokens are in it).
        # Made only if missing: it is the claim of the name (another program's backup
        # of the same instant writes there: never this one's to remove)
        create_private(part)
    except FileExistsError as exc:
        raise _NameTaken from exc
    try:
        if target.exists():  # (finished under this name: never replaced)
            raise _NameTaken
        dest = sqlite3.connect(str(part))
        try:
            conn.backup(dest)
            # a rollback journal, not WAL: opening the backup read-only (restore, its
            # check) then leaves no -wal or -shm file beside it
            dest.execute("PRAGMA journal_mode = DELETE")
            # made after the quick check: rotation need not check it again
            _mark_backup(dest, stamp, db_name=db_name, checked=True)
        finally:
            dest.close()
        replace_file(part, target)  # (an antivirus may hold the new file a moment)
    except BaseException:
        _remove_with_journal(part)  # never leave half a backup behind
        raise


def remove_backup(made: Path) -> None:
    """Remove a backup just made that is not wanted after all (the copy of a
    database left as it was), with the journal files beside it."""
    _remove_with_journal(made)


def _remove_with_journal(path: Path) -> None:
    """Remove a database file that is not wanted and the -wal, -shm, -journal files an
    SQLite connection may have left beside it."""
    for name in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(path) + name).unlink(missing_ok=True)


#: Room a backup takes beyond the pages it copies: its -shm and journal while it is
#: turned to a rollback journal and marked.
_BACKUP_SLACK = 64 * 1024


def removed_backups_text(removed: list[Path]) -> str:
    """What a person is told when backups were deleted to make room: they may count
    on them to go back to an earlier state."""
    folder = removed[0].parent if removed else ""
    return counted(
        "the disk is full: {n} old backup of this database was removed to make room for "
        "a new one (backups in {folder})",
        "the disk is full: {n} old backups of this database were removed to make room for "
        "a new one (backups in {folder})", len(removed), folder=ltr(folder))


def _free_room(conn: sqlite3.Connection, folder: Path, db_path: Path) -> list[Path]:
    """Delete the oldest backups of this database, just enough for a new copy to fit;
    damaged ones first.

    Backups taken before a migration go after the others: they are the only copies
    the fieldplan before it can open. The newest sound backup is never deleted: until
    the new one is written it is the
    only copy of the most recent state, and kept after, it is one earlier state to go
    back to. Older backups are worth less than an import or a migration that cannot run
    (every import needs a backup first), and rotation would delete the oldest soon
    anyway. Nothing is deleted when even all of them would not make room (the disk is
    full of something else). Returns the backups deleted (a retry may then succeed)."""
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        free = shutil.disk_usage(folder).free
    except (sqlite3.Error, OSError):
        return []
    needed = pages * page_size + _BACKUP_SLACK
    doomed = []
    own = [path for path, mine in _backups(folder, db_path) if mine]
    newest = next((path for path in own if _sound_backup(path)), None)
    # damaged ones first, then the oldest, those taken before a migration last (the
    # only copies the fieldplan before it can open): never the newest sound one
    for old in sorted((p for p in reversed(own) if p != newest),
                      key=lambda p: (_sound_backup(p),
                                     backup_kind(p).startswith("before-migration"))):
        if free >= needed:
            break
        with contextlib.suppress(OSError):
            free += old.stat().st_size
            doomed.append(old)
    if free < needed or not doomed:
        return []
    for old in doomed:
        _remove_with_journal(old)
    return doomed


#: The setting a backup carries (written into the copy, never into the database): a
#: database that holds it was put back from a backup, and continues as a new replica
#: (``fieldplan.sync.keys.renew_identity``) before it writes anything.
BACKUP_MARK = "backup"


def _mark_backup(dest: sqlite3.Connection, stamp: str,
                 lost: list[dict] | None = None, db_name: str = "",
                 checked: bool = False,
                 written: dict[str, Any] | None = None,
                 taken: str | None = None) -> None:
    """``lost``: see ``_lost_here``; ``written``: see ``_written_here`` (a restore's
    copy only). ``db_name``: the file name of the database a backup is of (see
    list_backups). ``checked``: the database was found sound just before it was
    copied (``check_sound``). ``taken``: when the backup was taken (ISO UTC; ""
    unknown) instead of ``stamp``'s time (a restore's copy: ``_taken_of``)."""
    has_meta = dest.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if has_meta:
        if taken is None:
            taken = dt.datetime.strptime(stamp, _STAMP_FORMAT).strftime(_TAKEN_FORMAT)
        mark: dict = {"taken": taken} if taken else {}
        if db_name:
            mark["db"] = db_name
        if checked:
            mark["checked"] = True
        if lost:
            mark["lost"] = lost
        if written:
            # written, sent, acked, bundle, bundle_at; (HQ) revoked_held
            mark.update(written)
        with dest:
            dest.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         # ASCII: a file name that is not UTF-8 is kept escaped
                         (BACKUP_MARK, json.dumps(mark, separators=(",", ":"))))


def newest_backup_taken(db_path: str | os.PathLike[str]) -> dt.datetime | None:
    """When the newest backup of this database (one of its own) was taken, or None
    when it has none."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return None
    own = (path for path, mine in _backups(folder, Path(db_path)) if mine)
    newest = next(own, None)
    return backup_taken(newest) if newest is not None else None


def list_backups(db_path: str | os.PathLike[str]) -> list[Path]:
    """The backups of this database, newest first.

    A backup belongs to one database file name: it is named after it whole
    (``hq.sqlite3-<time>-<reason>.sqlite3``), and its mark names it too (``hq`` and
    ``hq-old``, ``hq.sqlite3`` and ``hq.sqlite3x`` may share the folder: none takes
    another's). Backups made before were named after the name without its extension
    (``hq-<time>-<reason>.sqlite3``), which ``hq.sqlite3x`` and ``hq.db`` share: they
    are this database's when they hold the key of the key file beside it (or one it
    had before). While that key file is there, the other files of the earlier name
    are listed too (another computer's backup, a damaged file, another program's), as
    are such files of its own name, for a restore to say what is wrong with each.
    Rotation deletes only this database's own: by their mark or key, or a damaged file
    of its whole name."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    return [path for path, _mine in _backups(folder, Path(db_path))]


def backups_unreadable(db_path: str | os.PathLike[str]) -> OSError | None:
    """Why the backups folder of this database, there, cannot be listed (permission
    denied, a disk fault), which ``list_backups`` lists as empty: a caller that would
    say "no backup" says this instead. None when it can be listed, or is not there
    (no backups yet)."""
    try:
        os.listdir(backup_dir(db_path))
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        exc.__traceback__ = None  # (kept by a message: its frames are of no use)
        return exc
    return None


#: The time in a backup's name, as ``backup`` writes it (``_STAMP_FORMAT``).
_STAMP = r"\d{8}T\d{12}Z"


#: A backup's file name: the database file name it is of, when it was taken, why.
_BACKUP_NAME = re.compile(rf"(.+)-({_STAMP})-([\w.-]+)\.sqlite3")


def backup_kind(backup: str | os.PathLike[str]) -> str:
    """Why a backup was taken, from its name (``before-import``, ``before-export``,
    ``before-migration-0004_rowid_tables``…): rotation keeps BACKUPS_KEPT of each kind.
    "" for a name without it."""
    found = _BACKUP_NAME.fullmatch(Path(backup).name)
    return found.group(3) if found else ""


def _backups(folder: Path, db_path: Path) -> list[tuple[Path, bool]]:
    """``list_backups``, each with whether it is one of this database's own (the
    others are listed only; rotation and making room delete own ones only).

    Names are compared as the file system does (``_names_db``): ``HQ.sqlite3`` is
    ``hq.sqlite3`` on Windows, and on a Mac when they are one file. A backup marked
    with another name, of a database file no longer there, is listed too when it
    holds the key beside this one (the database and its key file were renamed
    together, ``_renamed_from``); never rotated away: its name is not this one's."""
    name, stem = os.path.normcase(db_path.name), os.path.normcase(db_path.stem)
    keys = _key_ids(db_path)  # None: no key file beside the database
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for file_name in names:
        match = _BACKUP_NAME.fullmatch(file_name)
        if not match:
            continue
        path = folder / file_name
        prefix = os.path.normcase(match.group(1))
        whole = prefix == name or _names_db(match.group(1), db_path)
        earlier = not whole and prefix == stem  # the name backups had before
        if not (whole or earlier) and (not keys or _there(match.group(1), db_path)):
            continue  # another database's, by its name (not opened: no cost)
        made = _backup_identity(path)
        if made is not None and made[0]:  # names its database
            if _names_db(made[0], db_path):
                mine = True
            elif keys and made[1] in keys and not _there(made[0], db_path):
                mine = False  # of this database under its name before a rename
            else:
                continue
        elif not (whole or earlier):
            continue
        elif made is not None:  # made before backups named their database
            if keys is None:
                continue  # which database's, nothing here can tell
            mine = made[1] in keys
        else:  # not a fieldplan backup (damaged, another program's…): by its name
            if not whole and keys is None:
                continue
            mine = prefix != stem  # named after this database's whole name
        found.append((match.group(2), file_name, path, mine))
    # newest first by the time in their names; those named later than an hour from now
    # last: taken while the computer's clock was ahead (set right since), they are older
    # than now, and first they pushed every backup taken since out of the rotation
    # (each deleted as soon as it was made) and out of a restore's choice
    ahead = (dt.datetime.now(dt.UTC) + _CLOCK_AHEAD).strftime(_STAMP_FORMAT)
    found.sort(key=lambda f: (f[0] <= ahead, f[0], f[1]), reverse=True)
    return [(path, mine) for _time, _name, path, mine in found]


#: How far ahead of this computer's clock the time in a backup's name may be before the
#: backup counts as taken while the clock was ahead (``_backups``): more than the small
#: steps a clock put right by the network takes.
_CLOCK_AHEAD = dt.timedelta(hours=1)


def _beside(name: str, db_path: Path) -> list[Path]:
    """Where a database file named ``name`` beside ``db_path`` would be: in its folder,
    and in the folder of the file it links to (where its backups are)."""
    if not name or os.path.basename(name) != name or name in (".", ".."):
        return []  # a mark names a file, never a path
    return list(dict.fromkeys((db_path.parent / name, db_path.resolve().parent / name)))


def _names_db(name: str, db_path: Path) -> bool:
    """Whether the database file name ``name`` (a backup's mark or file name) names
    ``db_path``: the same name in the case the file system compares (Windows), or the
    same file under another spelling (another case on a Mac's disk, a link)."""
    if os.path.normcase(name) == os.path.normcase(db_path.name):
        return True
    for other in _beside(name, db_path):
        if _same_file(other, db_path):
            return True
        if not db_path.exists() and (os.path.normcase(os.path.realpath(other))
                                     == os.path.normcase(os.path.realpath(db_path))):
            return True  # a link to where the (missing) database was
    return False


def _there(name: str, db_path: Path) -> bool:
    """Whether a database file named ``name`` is beside ``db_path`` (another file)."""
    return any(other.exists() and not _same_file(other, db_path)
               for other in _beside(name, db_path))


def _renamed_from(name: str, key_id: str, db_path: Path) -> bool:
    """Whether a backup of the database file ``name`` with the key ``key_id`` is one of
    ``db_path`` renamed: that key is the one beside ``db_path`` (or one it had), and no
    database of that name beside it may hold it (none there, or one with another key
    file: a database made since under the old name). A copy of the database and its key
    under a new name (or a mistyped one) is not: the database it names is still there."""
    keys = _key_ids(db_path)
    if not keys or key_id not in keys:
        return False
    for other in _beside(name, db_path):
        if not other.exists() or _same_file(other, db_path):
            continue
        theirs = _key_ids(other)  # None: no key file; empty: a damaged one
        if not theirs or key_id in theirs:
            return False  # that database, or it may be: not ours to take its backup
    return True


def _read_identity(path: Path) -> tuple[object, object]:
    """(key id, backup mark) as the database at ``path`` holds them, read-only; raises
    what opening or reading it raises."""
    with reading(path) as conn:
        return conn.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'key_id'), "
            "(SELECT value FROM meta WHERE key = ?)", (BACKUP_MARK,)).fetchone()


def _sound_backup(path: Path) -> bool:
    """Whether a backup can be counted on: made after a quick check of its database
    (its mark says so), or, made before backups were checked, found sound now."""
    try:
        _key_id, mark = _read_identity(path)
    except READ_ERRORS:
        return False
    try:
        if isinstance(mark, str) and json.loads(mark).get("checked") is True:
            return True
    except (ValueError, AttributeError):
        pass
    return _file_is_sound(path)


def _backup_identity(path: Path) -> tuple[str, str] | None:
    """(the database file name its mark gives, "" for a backup made before marks gave
    it; its key id) of a copy of a fieldplan database; None for any other file."""
    try:
        key_id, mark = _read_identity(path)
    except READ_ERRORS:
        return None
    if not isinstance(key_id, str) or not key_id:
        return None
    return _marked_db(mark), key_id


def _marked_db(mark: object) -> str:
    """The database file name a backup mark (JSON) gives, or ""."""
    try:
        db = json.loads(mark).get("db") if isinstance(mark, str) else None
    except (ValueError, AttributeError):
        return ""
    return db if isinstance(db, str) else ""


def _key_ids(db_path: Path) -> set[str] | None:
    """The key ids of the computer whose key file is beside the database: its key's
    and the ones it had before (kept as ``.old``); None when there is no key file, none
    when it cannot be read."""
    from fieldplan import minisign
    from fieldplan.replica import key_path, old_key_files  # replica imports this module

    kpath = key_path(db_path)
    if not kpath.exists():
        return None
    try:
        current = minisign.load_secret_key(kpath).key_id_hex
    except Exception:
        return set()  # a damaged key file: opening the database says so
    return {current, *old_key_files(db_path)}


def restore_latest_backup(db_path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Put the newest usable backup in place of the database file. The damaged file is
    kept beside it as ``.damaged`` (``.damaged.2``… when one is there already; a sound
    one, with ``force``, as ``.replaced``), with its write-ahead log. Returns the backup used."""
    return restore_backup(db_path, force=force).used


class Restored(NamedTuple):
    """What ``restore_backup`` did."""

    used: Path  #: the backup put in place
    kept: Path | None  #: where the replaced file went (None: there was none)
    passed_over: list[Path]  #: newer files in the backups folder that are not usable
    lost: tuple[int, int] | None  #: see changes_lost_by_restore (None: damaged, missing)
    #: why each of ``passed_over`` is not usable ("hq-….sqlite3 is damaged")
    passed_over_why: tuple[str, ...] = ()


def restore_backup(db_path: str | os.PathLike[str],
                   backup: str | os.PathLike[str] | None = None, *,
                   force: bool = False) -> Restored:
    """Put ``backup`` (default: the newest usable backup of this database) in place of
    the database, keeping the file it replaces as ``.damaged`` (``.damaged.2``…; a
    sound one, with ``force``, as ``.replaced``) with its write-ahead log (never
    opened: what it holds stays as it was). The copy carries the backup mark, so the
    database continues as a new replica when next opened.

    A restore is for a damaged or missing database: a sound one is refused with
    SoundDatabaseError, which says what would be lost, unless ``force``."""
    db_path = Path(db_path)
    refused = not_a_file_error(db_path)  # a folder: not "no backup of it"
    if refused is not None:
        raise refused
    # (as ``connect``: what it put there could not be opened; before anything is moved)
    refused = network_drive_error(db_path)
    if refused is not None:
        raise refused
    put_back_set_aside(db_path)  # (a restore killed with the file set aside)
    faults: list[tuple[Path, str]] = []
    if backup is None:
        latest, faults = _find_usable(db_path)
    else:
        latest = Path(backup)
        _check_backup_file(latest, db_path)
    lost = changes_lost_by_restore(db_path, latest)
    if lost is not None and not force:
        raise SoundDatabaseError(_sound_database_text(db_path, latest, *lost))
    with _restoring(db_path):
        return _restore(db_path, latest, lost, faults)


def _restore(db_path: Path, latest: Path, lost: tuple[int, int] | None,
             faults: list[tuple[Path, str]]) -> Restored:
    """``restore_backup``, with no other restore of the database under way."""
    if in_use(db_path):
        # it would go on writing to the replaced file, and what it wrote be lost
        raise _open_elsewhere(db_path)
    part = db_path.with_name(db_path.name + ".part")
    _remove_with_journal(part)  # what a killed restore left

    def counted() -> tuple[list[dict], dict[str, Any]]:
        """What the replaced file holds that the copy lacks, read once the copy is
        made, just before it takes the file's place: a save another program made
        during the copy is counted (fieldplan's own refuse to begin while a restore
        is under way: ``restore_under_way``). (HQ: its ``written`` is {}) how far it
        held the computers it revoked."""
        nonlocal lost
        if lost is not None:
            # (found sound before the copy: counted again, not checked again, which
            # reads the whole file; a count that fails keeps the first)
            lost = changes_lost_by_restore(db_path, latest, checked=True) or lost
        return (_lost_here(db_path, latest),
                {**_written_here(db_path, latest), **_revoked_held_here(db_path),
                 **_setups_reported_here(db_path, latest),
                 **_office_events_here(db_path, latest),
                 **_revoked_dismissed_here(db_path, latest)})

    try:
        # the whole copy first: a full disk leaves the damaged file where it was
        _copy_backup(latest, part, counted)
        # a sound file put aside (force) is not named damaged: someone would delete it
        kept = _keep_replaced(db_path, ".damaged" if lost is None else ".replaced")
        try:
            replace_file(part, db_path)  # (an antivirus may hold the copy a moment)
        except BaseException:
            if kept is not None and _same_file(kept, db_path):
                # only a second name of the database, which stays as it was
                with contextlib.suppress(OSError):
                    kept.unlink()
            elif kept is not None and not db_path.exists():
                # set aside by renames: back in its place, with its log
                with contextlib.suppress(OSError):
                    os.replace(kept, db_path)
                    for side in SIDE_LOGS:
                        if Path(f"{kept}{side}").exists():
                            os.replace(f"{kept}{side}", f"{db_path}{side}")
            raise
    except (sqlite3.Error, OSError) as exc:
        _remove_with_journal(part)
        if held_open(exc, db_path):  # Windows: in_use cannot tell, the rename does
            raise _open_elsewhere(db_path) from exc
        # Translators: {backup} and {db} are files; {reason} says why, e.g. "the disk is full"
        raise FileError(_("cannot put {backup} in place of {db}: {reason}").format(
            backup=ltr(latest), db=ltr(db_path), reason=error_reason(exc))) from exc
    except BaseException:
        _remove_with_journal(part)
        raise
    return Restored(latest, kept, [path for path, _why in faults], lost,
                    tuple(why for _path, why in faults))


def _lineage(conn: sqlite3.Connection) -> tuple[str, list[str]]:
    """(a database file read apart) Its role, and its replica id then those it
    continues after restores (``replica.renewed_from``); [] when it has no replica
    id (an unfinished init's)."""
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN "
                             "('role', 'replica_id', 'renewed_from')").fetchall())
    if not meta.get("replica_id"):
        return meta.get("role", ""), []
    return meta.get("role", ""), [meta["replica_id"],
                                  *json.loads(meta.get("renewed_from") or "[]")]


def _restoring_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".restoring")


def lock_at_name(path: Path, lock: Callable[[int], None]) -> int | None:
    """Open ``path`` (made if missing) and ``lock`` it, until the file locked is the
    one at its name: a lock file another process removed (its work ended) after this
    one opened it is locked by no one else, who all open the file now at its name.
    The descriptor held; None when the file cannot be opened (a folder that cannot
    take it). OSError from ``lock`` (held by another, or no locks there);
    BlockingIOError when the file was replaced ten times over."""
    for _attempt in range(10):  # (another ending each time: not for ever)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None
        try:
            lock(fd)
        except OSError:
            os.close(fd)
            raise
        try:
            here = os.stat(path)
        except OSError:
            here = None
        held = os.fstat(fd)
        if here is not None and (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino):
            return fd
        os.close(fd)
    raise BlockingIOError(path)


def _lock_byte(fd: int, *, shared: bool) -> None:
    """Lock the file ``fd`` is open on, without waiting: OSError when another process
    holds a lock that conflicts. (Windows knows no shared lock: only restores lock it
    there, ``restore_under_way`` asking nothing.)"""
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)


def restore_under_way(db_path: str | os.PathLike[str]) -> bool:
    """Whether a restore of the database is under way (``_restoring`` holds its
    lock). A write must not begin then: it would go to the file the restore puts
    aside, once it has looked for programs using the database and counted what it
    loses, and be lost unsaid."""
    if os.name == "nt":  # pragma: no cover - Windows
        # no shared lock there (two saves probing at once took each other's probe for
        # a restore), and no need: a file another program holds open cannot be
        # replaced, so the restore refuses itself
        return False
    path = _restoring_path(Path(db_path))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # (the usual case: no such file)
    try:
        _lock_byte(fd, shared=True)
    except OSError as exc:
        return exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK)
    finally:
        os.close(fd)  # (with it the probe's own lock)
    return False


@contextlib.contextmanager
def _restoring(db_path: Path) -> Iterator[None]:
    """Hold ``<db>.restoring`` locked while a restore runs: two restores at once
    wrote one ``.part`` file in turn, and failed with words of a read-only or failing
    disk. The lock goes with the process (a killed restore leaves none held)."""
    path = _restoring_path(db_path)
    try:
        fd = lock_at_name(path, lambda fd: _lock_byte(fd, shared=False))
    except OSError as exc:
        raise StoreError(_("another restore of {db} is under way: wait for it to end")
                         .format(db=ltr(db_path))) from exc
    if fd is None:
        yield  # (a folder that cannot take it: the restore says what fails next)
        return
    try:
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)


def _open_elsewhere(db_path: Path) -> StoreError:
    return StoreError(_("{db} is open in another program (fieldplan?); close it, then "
                        "restore").format(db=ltr(db_path)))


def _sound_database_text(db: Path, backup: Path, own: int, imported: int) -> str:
    """Why a restore of a sound database is refused: what it would lose."""
    if own:
        return counted(
            "{db} is not damaged: putting {backup} in its place would lose {n} change made "
            "on this computer since that backup, and what was received since; add --force "
            "to restore anyway",
            "{db} is not damaged: putting {backup} in its place would lose {n} changes made "
            "on this computer since that backup, and what was received since; add --force "
            "to restore anyway", own, db=ltr(db), backup=ltr(backup.name))
    if imported:
        return counted(
            "{db} is not damaged: putting {backup} in its place would lose {n} change "
            "imported since that backup; add --force to restore anyway",
            "{db} is not damaged: putting {backup} in its place would lose {n} changes "
            "imported since that backup; add --force to restore anyway",
            imported, db=ltr(db), backup=ltr(backup.name))
    return _("{db} is not damaged, and a restore is for a damaged database: it would "
             "start this computer on a new identity for nothing; add --force to put "
             "{backup} in its place anyway").format(db=ltr(db), backup=ltr(backup.name))


#: How many of the files a restore passed over its error names before "N more".
SHOWN_FAULTS = 3


def usable_backup(db_path: str | os.PathLike[str]) -> tuple[Path, list[Path]]:
    """The newest backup of this database that is one (a file written over a backup by
    mistake, or another computer's, is passed over). Returns it and the newer files
    passed over; raises NoUsableBackupError when none is usable, saying what is wrong
    with each file (``faults_text``)."""
    found, faults = _find_usable(Path(db_path))
    return found, [path for path, _why in faults]


def _find_usable(db_path: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """``usable_backup``, with why each file passed over is (its short reason)."""
    backups = list_backups(db_path)
    if not backups:
        raise StoreError(no_backup_text(db_path))
    faults: list[tuple[Path, str]] = []
    kinds: list[tuple[str, str]] = []
    first = ""
    for candidate in backups:
        fault = _backup_fault(candidate, db_path)
        if fault is None:
            return candidate, faults
        first = first or fault[0]
        faults.append((candidate, fault[1]))
        kinds.append(fault)
    if len(faults) == 1 or all(isinstance(f, _KeyFileFault) for f in kinds):
        # the one file: said with its whole path, as when it is named to restore; or
        # the key file, not the backups, at fault: said once, not for each backup
        raise NoUsableBackupError(first, faults, first)
    if all(isinstance(f, _NewerFault) for f in kinds):
        # after going back to an earlier fieldplan: one way out, said once
        text = _("every backup in {folder} was written by a newer fieldplan, which this "
                 "one cannot open; update fieldplan to open the database").format(
                     folder=ltr(backup_dir(db_path)))
        raise NoUsableBackupError(text, faults, text)
    listed = faults_text([why for _path, why in faults])
    raise NoUsableBackupError(
        # Translators: {faults} lists each file with its fault: "hq-….sqlite3 is
        # damaged; hq-….sqlite3 is another computer's backup (key 1A2B…)"
        _("none of the files in {folder} can be restored: {faults}").format(
            folder=ltr(backup_dir(db_path)), faults=listed), faults, listed)


def faults_text(faults: list[str]) -> str:
    """Files passed over, each with its fault, on one line: the first SHOWN_FAULTS, and
    how many more when there are more."""
    if len(faults) <= SHOWN_FAULTS + 1:  # "1 more" would take the room of its name
        return join_clauses(faults)
    more = len(faults) - SHOWN_FAULTS
    return join_clauses([*faults[:SHOWN_FAULTS], counted(
        "{n} more file cannot be restored either",
        "{n} more files cannot be restored either", more)])


def changes_lost_by_restore(db_path: str | os.PathLike[str],
                            backup: str | os.PathLike[str], *,
                            checked: bool = False) -> tuple[int, int] | None:
    """None when the database is missing or damaged (what a restore is for). Otherwise
    the database is sound and a restore would lose the changes it holds that ``backup``
    does not: returns how many of them were made on this computer, and how many were
    imported (their bundles can be imported again). The database is only read.

    ``checked``: it was found sound by this function a moment ago; its changes are
    counted without checking it again (the checks read the whole file: about 11 s at a
    headquarters of a million events)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            if not checked and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return None
            if not checked and _holds_events(conn) and (altered_event(conn) is not None
                                                        or stored_values_bad(conn)):
                return None  # damaged: an event that no longer matches its hash, or a
                # merged value that is not what fieldplan wrote
            row = conn.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()
            if row is None:
                return None  # not set up: nothing of it to lose
            conn.execute("ATTACH DATABASE ? AS backup",
                         (read_only_uri(backup),))
            own, imported = conn.execute(
                "SELECT coalesce(sum(e.origin = ?), 0), coalesce(sum(e.origin != ?), 0) "
                "FROM main.events AS e WHERE NOT EXISTS (SELECT 1 FROM backup.events AS b "
                "WHERE b.origin = e.origin AND b.seq = e.seq)", (row[0], row[0])).fetchone()
            return own, imported
        finally:
            conn.close()
    except READ_ERRORS:
        return None


#: The most changes of a replaced database a restore keeps a word of (``_lost_here``).
LOST_KEPT = 2000


def _lost_here(db_path: Path, backup: Path) -> list[dict]:
    """What the database being replaced holds of its own making that ``backup``
    lacks: a few words of each change (``lost_summary``), never the change itself (it
    is not written back). The restored database keeps them, so that it can say which
    changes it lost (``fieldplan.sync.state``): at headquarters, those offices report
    holding (offices send their own changes only, so they never come back); at an
    office, those never sent to headquarters (what was sent comes back from it). With
    those earlier restores kept (``_earlier_lost``). Read only, and as much as can be
    read of a damaged file; only the earlier ones for a missing one."""
    found = _earlier_lost(db_path, backup)
    if not db_path.is_file():
        return found
    try:
        conn = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            role, lineage = _lineage(conn)
            if role not in ("hq", "office") or not lineage:
                return found
            conn.execute("ATTACH DATABASE ? AS backup",
                         (read_only_uri(backup),))
            rows = conn.execute(
                f"SELECT hash, body FROM main.events AS e WHERE origin IN "
                f"({','.join('?' * len(lineage))}) AND NOT EXISTS (SELECT 1 FROM "
                f"backup.events AS b WHERE b.origin = e.origin AND b.seq = e.seq) "
                f"ORDER BY origin, seq", lineage)
            read: list[dict] = []
            for digest, body in rows:  # a damaged page ends it: what was read is kept
                summary = lost_summary(body, digest)
                if summary is not None:
                    read.append(summary)
            found += _within_limit(read, LOST_KEPT - len(found))
        finally:
            conn.close()
    except (sqlite3.Error, OSError, RuntimeError, ValueError, OverflowError, KeyError,
            TypeError, AttributeError):
        pass  # damaged, or not fieldplan's: what could be read, if anything
    return found


def _earlier_lost(db_path: Path, backup: Path) -> list[dict]:
    """What earlier restores kept a word of among the changes they lost (``_lost_here``'s
    of them), as the records of either file say (``_earlier_records``: the replaced
    one may be gone, and a backup taken after a restore holds its record), each once,
    less those ``backup`` holds again."""
    found: dict[tuple[str, int], dict] = {}
    for key, record in _earlier_records(db_path, backup, ("hq", "office")):
        kept = record.get("lost_events" if key == "restored" else "lost")
        for item in kept if isinstance(kept, list) else ():
            if (isinstance(item, dict) and isinstance(item.get("replica"), str)
                    and type(item.get("seq")) is int):
                found.setdefault((item["replica"], item["seq"]), item)
    if not found:
        return []
    try:
        with reading(backup) as conn:
            return [item for (origin, seq), item in found.items() if conn.execute(
                "SELECT 1 FROM events WHERE origin = ? AND seq = ?",
                (origin, seq)).fetchone() is None]
    except READ_ERRORS:
        return list(found.values())


def _earlier_records(db_path: Path, backup: Path, roles: tuple[str, ...] = ("hq",)
                     ) -> list[tuple[str, dict[str, Any]]]:
    """The records earlier restores left, as the files hold them: the replaced
    database's (its ``restored`` record, or the mark of a restore it never opened
    after) and the backup's (taken after a restore, it holds that restore's record:
    the replaced file may be gone). Each restore wrote only what it found itself: a
    later one would otherwise forget what an earlier one had lost and that never came
    back. (key, record) pairs, key ``"restored"`` or ``BACKUP_MARK`` (the two name a
    few things differently), in that order; only of files whose role is one of
    ``roles``, and whose record can be read."""
    out: list[tuple[str, dict[str, Any]]] = []
    for path in (db_path, backup):
        if not path.is_file():
            continue
        try:
            with reading(path) as conn:
                rows = conn.execute("SELECT key, value FROM meta WHERE key IN "
                                    "('role', 'restored', ?)", (BACKUP_MARK,)).fetchall()
        except READ_ERRORS:
            continue  # (damaged: what the other file says, if anything)
        meta = dict(rows)
        if meta.get("role") not in roles:
            continue
        for key in ("restored", BACKUP_MARK):
            try:
                record = json.loads(meta.get(key) or "{}")
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append((key, record))
    return out


def _within_limit(summaries: list[dict], room: int) -> list[dict]:
    """Of the lost changes' ``summaries`` (in the log's order), those a restore keeps
    with ``room`` for more: every key change (a revocation is made again from them) and
    the last change of each field of each record (what offices show now, which a write
    made again must name: sync.state.over_lost), then the others from the first, as
    room allows; in the log's order."""
    if len(summaries) <= room:
        return summaries
    must: set[int] = set()
    last: dict[tuple[str, str, str], int] = {}
    for i, s in enumerate(summaries):
        if s["entity"] == "key":
            must.add(i)
        for name in s.get("wrote") or s.get("fields") or ():
            # the latest by its time: the log's order is by replica, and after an
            # earlier restore headquarters' newer replica may come first
            k = (s["entity"], s["id"], name)
            if k not in last or str(s.get("at", "")) >= str(summaries[last[k]].get("at", "")):
                last[k] = i
    must.update(last.values())
    left = max(0, room - len(must))
    out = []
    for i, s in enumerate(summaries):
        if i in must:
            out.append(s)
        elif left > 0:
            out.append(s)
            left -= 1
    return out


def _revoked_held_here(db_path: Path) -> dict[str, Any]:
    """(HQ) ``{"revoked_held": …}``: how far the database being replaced held the
    computers it revoked (``sync.keys.REVOKED_HELD``), which the restored one takes
    over; {} when it says nothing of it, or cannot be read."""
    if not db_path.is_file():
        return {}
    try:
        conn = sqlite3.connect(read_only_uri(db_path), uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'revoked_held'").fetchone()
        finally:
            conn.close()
        held = json.loads(row[0]) if row else None
    except (sqlite3.Error, OSError, ValueError):
        return {}
    return {"revoked_held": held} if isinstance(held, dict) and held else {}


#: (HQ) the key of a restore's mark listing the enrolments whose setup bundle ``backup``
#: says no computer has reported from yet and the replaced database says one has
#: (``_setups_reported_here``)
SETUPS_REPORTED = "setups_reported"


def _setups_reported_here(db_path: Path, backup: Path) -> dict[str, Any]:
    """(HQ) ``{SETUPS_REPORTED: [enrolment id, …]}``: the enrolments ``backup`` still
    waits on (its ``sync.enrol.SETUP_PENDING`` records: no computer set up from their
    setup bundle had reported) that the database being replaced knew and no longer
    waited on: a computer set up from each had sent its first bundle. The restored
    database would wait on them again for the rest of their term (90 days), each of
    its bundles for their offices carrying again everything since the setup bundle:
    the computers' next bundles are of keys registered again, with no enrolment proof
    to end the wait. {} when there are none, or the replaced file cannot be read."""
    from fieldplan.sync.enrol import SETUP_PENDING

    wanted = ("SELECT substr(key, ?) FROM meta WHERE key > ? AND key < ?",
              (len(SETUP_PENDING) + 1, SETUP_PENDING, SETUP_PENDING[:-1] + ";"))
    try:
        with reading(backup) as conn:
            pending = {row[0] for row in conn.execute(*wanted)}
        if not pending or not db_path.is_file():
            return {}
        with reading(db_path) as conn:
            still = {row[0] for row in conn.execute(*wanted)}
            known = {row[0] for row in conn.execute("SELECT id FROM enrolments")}
    except (*READ_ERRORS, ValueError, KeyError, TypeError):
        return {}
    reported = sorted((pending & known) - still)
    return {SETUPS_REPORTED: reported} if reported else {}


#: (HQ) the key of a restore's mark, and of its ``restored`` record, holding what the
#: replaced database had received of the offices that ``backup`` lacks
#: (``_office_events_here``)
OFFICE_EVENTS = "office_events"
#: (HQ) the key of a ``restored`` record holding those of its ``OFFICE_EVENTS`` a
#: person said to stop warning about (``fieldplan.sync.state.dismiss_offices_lost``),
#: each with when and by whom: later restores neither warn of them again nor forget them
OFFICE_EVENTS_DISMISSED = "office_events_dismissed"
#: (HQ) the key of a restore's mark, and of its ``restored`` record, holding the events
#: of revoked computers a restore lost that a person said to stop warning about
#: (``fieldplan.sync.state.dismiss_revoked_lost``): replica → {key_id, office, upto,
#: dismissed_at, dismissed_by}. Later restores carry it over (``_revoked_dismissed_here``)
#: and do not warn of them again.
REVOKED_LOST_DISMISSED = "revoked_lost_dismissed"

#: the warnings of a restore a person ends, each by its own choice
#: (``fieldplan.sync.state.dismiss_restore_warnings``, ``status --dismiss-lost``): the
#: changes it lost, made again; (HQ) the offices' events it lost and revoked
#: computers', which may never come back
LOST_KINDS = ("own", "offices", "revoked")

#: The most bundle file names kept per office (``_office_events_here``).
BUNDLES_KEPT = 20


def _office_events_here(db_path: Path, backup: Path) -> dict[str, Any]:
    """(HQ) ``{OFFICE_EVENTS: {origin: {"office", "upto", "held", "bundles"}}}``: the
    offices' events the database being replaced had received that ``backup`` lacks,
    per replica (not headquarters' own: ``_lost_here``): its office, the last of them
    (``upto``), which events of it up to there the replaced database held
    (``ranges``: [first, last] runs of their numbers; ``held``, how many, for a
    fieldplan that knows no ranges: those not held here the restore lost) and the files of
    the bundles that brought them (``bundles``, as the inbox names them). Offices'
    receipts of headquarters' replica said it had them, so their next bundle leaves
    them out until a bundle of the restored one reaches them
    (``fieldplan.sync.state.offices_lost``). With what earlier restores lost that has
    not come back (``_earlier_office_events``). {} at an office, and when nothing
    was lost."""
    out = _office_events_received(db_path, backup)
    earlier, dismissed = _earlier_office_events(db_path, backup)
    # one item a replica: one this restore lost events of again is warned of whole,
    # what a person had said to stop warning about with them (counted in both, the
    # review pack said more events lost than there were; and a dismissal after it
    # replaced the one before)
    again = [(origin, item) for origin, item in dismissed.items()
             if origin in out and type(item.get("held")) is int]
    if earlier or again:
        out = _with_earlier(out, [*earlier, *again], db_path, backup)
    dismissed = {origin: item for origin, item in dismissed.items() if origin not in out}
    return {**({OFFICE_EVENTS: out} if out else {}),
            **({OFFICE_EVENTS_DISMISSED: dismissed} if dismissed else {})}


def _revoked_dismissed_here(db_path: Path, backup: Path) -> dict[str, Any]:
    """(HQ) ``{REVOKED_LOST_DISMISSED: …}``: the revoked computers' events earlier
    restores lost that a person said to stop warning about, as the records of either
    file keep them (``_earlier_records``); of a replica recorded twice, the one that
    reaches further. {} when none was."""
    dismissed: dict[str, Any] = {}
    for _key, record in _earlier_records(db_path, backup):
        gone = record.get(REVOKED_LOST_DISMISSED)
        for replica, item in (gone.items() if isinstance(gone, dict) else ()):
            if (isinstance(item, dict) and type(item.get("upto")) is int
                    and item["upto"] > dismissed.get(str(replica), {}).get("upto", 0)):
                dismissed[str(replica)] = item
    return {REVOKED_LOST_DISMISSED: dismissed} if dismissed else {}


def _office_events_received(db_path: Path, backup: Path) -> dict[str, dict[str, Any]]:
    """``_office_events_here``'s of the replaced database's own events: {} when it
    cannot be read (damaged: its offices' receipts still bring it all back in time)."""
    if not db_path.is_file():
        return {}
    out: dict[str, dict[str, Any]] = {}
    try:
        with reading(db_path) as conn:
            role, lineage = _lineage(conn)
            if role != "hq" or not lineage:
                return {}
            conn.execute("ATTACH DATABASE ? AS backup", (read_only_uri(backup),))
            marks = ",".join("?" * len(lineage))
            for origin, upto, office in conn.execute(
                    f"SELECT origin, upto, (SELECT i.office FROM main.inbox AS i "
                    f"WHERE i.id = last) FROM (SELECT e.origin, max(e.seq) AS upto, "
                    f"max(e.inbox_id) AS last FROM main.events AS e "
                    f"WHERE e.origin NOT IN ({marks}) AND NOT EXISTS (SELECT 1 FROM "
                    f"backup.events AS b WHERE b.origin = e.origin AND b.seq = e.seq) "
                    f"GROUP BY e.origin) ORDER BY origin", lineage).fetchall():
                ranges = seq_ranges(conn, origin, upto, "main")
                files = [name for (name,) in conn.execute(
                    "SELECT i.file_name FROM main.inbox AS i WHERE i.id IN (SELECT "
                    "e.inbox_id FROM main.events AS e WHERE e.origin = ? AND NOT EXISTS "
                    "(SELECT 1 FROM backup.events AS b WHERE b.origin = e.origin AND "
                    "b.seq = e.seq)) ORDER BY i.id", (origin,))]
                out[origin] = {"office": str(office or ""), "upto": upto,
                               "held": ranges_size(ranges), "ranges": ranges,
                               "hashes": ends_hashes(conn, origin, ranges, "main"),
                               "bundles": files[-BUNDLES_KEPT:]}
    except (*READ_ERRORS, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return out


def _earlier_office_events(db_path: Path, backup: Path
                           ) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """(HQ) What earlier restores said they lost of the offices' events, as the
    records of either file kept them (``_earlier_records``): a later restore from an
    older backup said nothing of what an earlier one had lost and had never come back.

    Returns (origin, item) pairs, each item as ``_office_events_here``'s, in that
    order, less those ``backup`` holds again and those a person said to stop warning
    about (in either record: a backup taken before the dismissal still warns); and
    those dismissed (``OFFICE_EVENTS_DISMISSED``, origin → item), the replaced
    database's over the backup's, for the record."""
    found: list[tuple[str, dict[str, Any]]] = []
    dismissed: dict[str, Any] = {}
    for _key, record in _earlier_records(db_path, backup):
        kept, gone = record.get(OFFICE_EVENTS), record.get(OFFICE_EVENTS_DISMISSED)
        for origin, item in (gone.items() if isinstance(gone, dict) else ()):
            if isinstance(item, dict) and type(item.get("upto")) is int:
                dismissed.setdefault(str(origin), item)
        for origin, item in (kept.items() if isinstance(kept, dict) else ()):
            if (isinstance(item, dict) and type(item.get("upto")) is int
                    and type(item.get("held")) is int):
                found.append((str(origin), item))
    found = [(origin, item) for origin, item in found
             if origin not in dismissed or item["upto"] > dismissed[origin]["upto"]]
    if not found:
        return [], dismissed
    try:
        with reading(backup) as conn:
            return [(origin, item) for origin, item in found
                    if held_of(conn, origin, item) < item_size(item)], dismissed
    except READ_ERRORS:
        return found, dismissed


def _with_earlier(out: dict[str, dict[str, Any]], earlier: list[tuple[str, dict[str, Any]]],
                  db_path: Path, backup: Path) -> dict[str, dict[str, Any]]:
    """``out`` (what the replaced database received that ``backup`` lacks) with what
    earlier restores lost (``earlier``), one item per replica: up to the last of
    either, and ``ranges`` the events either held, or what the replaced database
    holds above its last (the events of a replica are numbered in order, so those
    were never in it): the restored database must hold them all to have them back
    (``held``, their count; of a record without ranges, as many as one of them held,
    plus those above), and the hashes of the runs' last events either knew
    (``hashes``). Never more than were ever held: a warning that could never end."""
    out = {origin: dict(item) for origin, item in out.items()}

    def above(origin: str, first: int, last: int) -> int:
        """How many events of ``origin`` the replaced database holds in first+1…last
        (0 when it cannot be read)."""
        if last <= first or not db_path.is_file():
            return 0
        try:
            with reading(db_path) as conn:
                return conn.execute("SELECT count(*) FROM events WHERE origin = ? AND "
                                    "seq > ? AND seq <= ?", (origin, first, last)
                                    ).fetchone()[0]
        except READ_ERRORS:
            return 0

    def runs_above(origin: str, first: int, last: int) -> tuple[list[list[int]],
                                                                 dict[str, str]]:
        """The runs of ``origin``'s events the replaced database holds in
        first+1…last, and the hashes of their last events ([] and {} when it cannot
        be read)."""
        if last <= first or not db_path.is_file():
            return [], {}
        try:
            with reading(db_path) as conn:
                runs = [r for r in seq_ranges(conn, origin, last) if r[1] > first]
                return runs, ends_hashes(conn, origin, runs)
        except READ_ERRORS:
            return [], {}

    for origin, item in earlier:
        bundles = [f for f in item.get("bundles") or () if isinstance(f, str)]
        now = out.get(origin)
        if now is None:
            out[origin] = {"office": str(item.get("office") or ""), "upto": item["upto"],
                           "held": item["held"], "bundles": bundles[-BUNDLES_KEPT:]}
            if valid_ranges(item.get("ranges")):
                out[origin]["ranges"] = item["ranges"]
            if valid_hashes(item.get("hashes")):
                out[origin]["hashes"] = item["hashes"]
            continue
        upto = max(now["upto"], item["upto"])
        merged: dict[str, Any] = {}
        if valid_ranges(now.get("ranges")) and valid_ranges(item.get("ranges")):
            # the events either database held: counted once, wherever the gaps of
            # each were (the larger count of the two missed those only one held)
            runs, ends = runs_above(origin, now["upto"], upto)
            ranges = union_ranges(now["ranges"], runs, item["ranges"])
            hashes = {**(item["hashes"] if valid_hashes(item.get("hashes")) else {}),
                      **(now["hashes"] if valid_hashes(now.get("hashes")) else {}), **ends}
            merged = {"held": ranges_size(ranges), "ranges": ranges,
                      **({"hashes": hashes} if hashes else {})}
        else:  # (a record of a fieldplan that kept counts alone)
            merged = {"held": max(now["held"] + above(origin, now["upto"], upto),
                                  item["held"] + above(origin, item["upto"], upto))}
        # the earlier bundles first: the order they came in
        files = list(dict.fromkeys([*bundles, *now["bundles"]]))
        out[origin] = {"office": now["office"] or str(item.get("office") or ""),
                       "upto": upto, **merged, "bundles": files[-BUNDLES_KEPT:]}
    return out


def seq_ranges(conn: sqlite3.Connection, origin: str, upto: int,
               schema: str = "main") -> list[list[int]]:
    """The numbers of ``origin``'s events up to ``upto`` the database holds, as
    [first, last] runs, in order."""
    return [[first, last] for first, last in conn.execute(
        f"SELECT min(seq), max(seq) FROM (SELECT seq, seq - row_number() OVER "
        f"(ORDER BY seq) AS run FROM {schema}.events WHERE origin = ? AND seq <= ?) "
        f"GROUP BY run ORDER BY 1", (origin, upto))]


def ends_hashes(conn: sqlite3.Connection, origin: str, ranges: list[list[int]],
                schema: str = "main") -> dict[str, str]:
    """The hashes of the last events of ``ranges`` (runs of ``origin``'s events the
    database holds), by their numbers as text: a restore's record keeps them, so a
    revocation after it can tie a revoked computer's events headquarters held before
    the restore to its chain (``sync.keys.REVOKED_HELD``)."""
    out = {}
    for _first, last in ranges:
        row = conn.execute(f"SELECT hash FROM {schema}.events WHERE origin = ? AND seq = ?",
                           (origin, last)).fetchone()
        if row is not None:
            out[str(last)] = row[0]
    return out


def valid_hashes(hashes: object) -> bool:
    """Whether ``hashes`` maps event numbers (as text) to hashes (``ends_hashes``)."""
    return isinstance(hashes, dict) and all(
        isinstance(k, str) and k.isascii() and k.isdigit() and isinstance(v, str) and len(v) == 64
        for k, v in hashes.items())


def valid_ranges(ranges: object) -> bool:
    """Whether ``ranges`` is a list of [first, last] runs (``seq_ranges``)."""
    return isinstance(ranges, list) and all(
        isinstance(r, list) and len(r) == 2 and all(type(n) is int for n in r)
        and r[0] <= r[1] for r in ranges)


def ranges_size(ranges: list[list[int]]) -> int:
    return sum(last - first + 1 for first, last in union_ranges(ranges))


def union_ranges(*lists: list[list[int]]) -> list[list[int]]:
    """The runs of numbers any of ``lists`` holds, merged, in order."""
    out: list[list[int]] = []
    for first, last in sorted(r for runs in lists for r in runs):
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return out


def item_size(item: dict[str, Any]) -> int:
    """How many of an office's events a restore's record (``_office_events_here``'s
    item) says a database held: its ranges', or its count."""
    ranges = item.get("ranges")
    return ranges_size(ranges) if valid_ranges(ranges) else int(item["held"])


def held_of(conn: sqlite3.Connection, origin: str, item: dict[str, Any]) -> int:
    """How many of the events an item of a restore's record names (its ranges, or all
    up to its ``upto``) the database ``conn`` holds."""
    ranges = item.get("ranges")
    if valid_ranges(ranges):
        # (CROSS JOIN: run by run, each a search of the events' key; SQLite chose to
        # read all the replica's events and, for each, every run)
        return conn.execute(
            "SELECT count(*) FROM json_each(?) AS r CROSS JOIN events AS e "
            "WHERE e.origin = ? AND e.seq BETWEEN json_extract(r.value, '$[0]') "
            "AND json_extract(r.value, '$[1]')",
            (json.dumps(union_ranges(ranges)), origin)).fetchone()[0]
    return conn.execute("SELECT count(*) FROM events WHERE origin = ? AND seq <= ?",
                        (origin, item["upto"])).fetchone()[0]


def _written_here(db_path: Path, backup: Path) -> dict[str, Any]:
    """(an office) How far this computer wrote its replicas' events, and sent them,
    beyond what ``backup`` holds: ``written`` (replica → seq), from its write mark
    (``fieldplan.writemark``, of this very database file: read even when the replaced
    file cannot be) and from what the replaced file holds; ``sent`` (replica → seq),
    what the replaced file says a bundle carried or headquarters acknowledged;
    ``acked`` (replica → seq), what headquarters acknowledged alone (what ``sent``
    holds beyond it was exported, and may never have reached headquarters);
    ``bundle``, the file name of the last bundle exported (it carried them), and
    ``bundle_at``, when this computer wrote it (UTC, by its clock). Only
    the replicas of which more was written than the backup holds; {} at headquarters
    (``_lost_here`` and the offices' receipts say what it lost), and when nothing was
    written since. The replaced file is only read, as much of it as can be."""
    from fieldplan import writemark
    from fieldplan.events import EXPORTED

    try:
        with reading(backup) as conn:
            role, ids = _lineage(conn)
            if role != "office" or not ids:
                return {}
            held = {origin: seq for origin, seq in conn.execute(
                f"SELECT origin, max(seq) FROM events WHERE origin IN "
                f"({','.join('?' * len(ids))}) GROUP BY origin", ids)}
    except (*READ_ERRORS, ValueError, KeyError, TypeError):
        return {}
    written: dict[str, int] = {}
    sent: dict[str, int] = {}
    acked: dict[str, int] = {}
    bundle = bundle_at = ""
    failed = (*READ_ERRORS, ValueError, KeyError, TypeError, AttributeError)
    try:
        with reading(db_path) as conn:
            # each read on its own: a damaged page ends that one only
            with contextlib.suppress(*failed):
                ids += [i for i in _lineage(conn)[1] if i not in ids]
            marks = ",".join("?" * len(ids))
            with contextlib.suppress(*failed):
                written.update(conn.execute(f"SELECT origin, max(seq) FROM events WHERE "
                                            f"origin IN ({marks}) GROUP BY origin", ids))
            with contextlib.suppress(*failed):
                # headquarters' receipts (the only peer an office hears from)
                acked.update(conn.execute(f"SELECT origin, max(seq) FROM acks WHERE origin "
                                          f"IN ({marks}) GROUP BY origin", ids))
                sent.update(acked)
            with contextlib.suppress(*failed):
                for key, value in conn.execute(  # what the bundles exported carried
                        f"SELECT key, value FROM meta WHERE key IN ({marks})",
                        [EXPORTED + i for i in ids]):
                    origin = key[len(EXPORTED):]
                    sent[origin] = max(sent.get(origin, 0), int(value))
            with contextlib.suppress(*failed):
                # the last bundle written: it carried all headquarters had not
                # acknowledged, so what was sent and may never have reached it
                row = conn.execute("SELECT value FROM meta WHERE key = 'last_export'"
                                   ).fetchone()
                last = json.loads(row[0]) if row else {}
                bundle = str(last.get("path") or "")
                bundle_at = str(last.get("at") or "")
    except failed:
        pass  # missing, not a database: the write mark alone
    here = writemark.database_key(db_path)
    for origin in ids:
        mark = writemark.read(origin)
        if mark is not None and mark.db == here:
            written[origin] = max(written.get(origin, 0), mark.seq)
    written = {origin: seq for origin, seq in written.items()
               if isinstance(seq, int) and seq > held.get(origin, 0)}
    if not written:
        return {}
    out: dict[str, Any] = {
        "written": written,
        "sent": {origin: seq for origin, seq in sent.items() if origin in written},
        # what of ``sent`` headquarters had acknowledged: the rest was exported only
        "acked": {origin: seq for origin, seq in acked.items() if origin in written}}
    if bundle:
        out["bundle"] = Path(bundle).name
        if bundle_at:
            out["bundle_at"] = bundle_at
    return out


def lost_summary(body: str, digest: str) -> dict | None:
    """A change in a few words, kept after a restore lost it: replica, seq, at (UTC),
    author, entity, id, and its short field values (for a plan, its version; never
    narratives). None for a line that is not the event its hash says (a damaged
    file)."""
    import hashlib

    if not isinstance(body, str) or hashlib.sha256(body.encode()).hexdigest() != digest:
        return None
    e = json.loads(body)
    fields = e.get("fields") or {}
    if e.get("entity") == "plan":
        document = fields.get("document")
        plan = document.get("plan") if isinstance(document, dict) else None
        short = {"version": plan.get("version")} if isinstance(plan, dict) else {}
    else:
        # a key's public key is kept (it is no secret): a revocation lost with the key's
        # registration puts the key back on record, revoked (sync.keys._revoke_again)
        short = {name: value for name, value in fields.items()
                 if (value is None or isinstance(
                     value, bool | int | float) or (isinstance(value, str)
                                                    and len(value) <= 64))}
    from fieldplan.events import hlc_to_iso

    # ``wrote``: every field it wrote, those whose values are not kept too (a write at
    # headquarters over what the restore lost names it by field: sync.state.over_lost)
    return {"replica": e["origin"], "seq": e["seq"], "at": hlc_to_iso(e["hlc"]),
            "author": e.get("author", ""), "entity": e["entity"], "id": e["id"],
            "fields": short, "wrote": sorted(fields)}


#: Where SQLite takes its shared locks on a database file (os_unix.c: PENDING_BYTE + 2,
#: SHARED_SIZE bytes). A connection to a database in WAL mode, as fieldplan's all
#: are, holds a shared lock there for as long as it is open.
_SHARED_FIRST = 0x40000000 + 2
_SHARED_SIZE = 510
#: The byte of a database's ``-shm`` file every connection to it in WAL mode holds a
#: read lock on while open, idle or not (os_unix.c UNIX_SHM_DMS: 120 + 8). Asked as
#: well: a program that closed a file of the database itself lost its locks there
#: (POSIX drops a process's locks on a file with any of its descriptors).
_SHM_DMS = 128


def in_use(db_path: str | os.PathLike[str]) -> bool:
    """Whether another program has the database open, without opening it as a
    database (a damaged file must stay as it is). POSIX only: elsewhere False (an open
    file cannot be replaced there anyway). This process must not have it open: closing
    the files here would release its own locks (POSIX)."""
    return (_locked_by_another(db_path, _SHARED_FIRST, _SHARED_SIZE)
            or _locked_by_another(f"{os.fspath(db_path)}-shm", _SHM_DMS, 1))


def _locked_by_another(path: str | os.PathLike[str], first: int, size: int) -> bool:
    """Whether another process holds a lock on bytes ``first``… of the file at
    ``path``. A missing file is never made (a ``-shm`` left by a program killed is
    held by none) nor is anything written to it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDWR)  # a write lock needs a file open for writing
    except OSError:
        return False
    try:
        try:  # a read lock conflicts with nothing but a writer; ask for a write lock
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, size, first)
        except OSError as exc:
            return exc.errno in (errno.EACCES, errno.EAGAIN)
        fcntl.lockf(fd, fcntl.LOCK_UN, size, first)
        return False
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _copy_backup(backup: Path, part: Path,
                 counted: Callable[[], tuple[list[dict], dict[str, Any]]]) -> None:
    """Copy ``backup`` to ``part`` and mark it with what ``counted`` finds the replaced
    database lost (``_lost_here``) and how far it wrote (``_written_here``), asked once
    the copy is made."""
    src = sqlite3.connect(read_only_uri(backup), uri=True)
    try:
        create_private(part, exist_ok=True)  # owner-only, whatever the backup's mode
        dest = sqlite3.connect(str(part))
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # no -wal, -shm beside the part
            lost, written = counted()
            _mark_backup(dest, "", lost, written=written, taken=_taken_of(dest, backup))
        finally:
            dest.close()
    finally:
        src.close()


#: How a restore names the file it replaces: a damaged (or unreadable) one, and a sound
#: one put aside with ``force`` (not to be taken for a broken file and deleted).
KEPT_SUFFIXES = (".damaged", ".replaced")


#: The logs SQLite keeps beside a database file and applies to whatever file has its
#: name when next opened: the write-ahead log, and the rollback journal a crash in
#: the middle of a write leaves (in rollback-journal mode: another SQLite program's,
#: a restored copy's) to put back the pages it left half written.
SIDE_LOGS = ("-wal", "-journal")


def _keep_replaced(db_path: Path, suffix: str = ".damaged") -> Path | None:
    """Keep the database file a restore replaces as ``.damaged`` (``.damaged.2``…; a
    sound one ``.replaced``), with its logs (``SIDE_LOGS``), and clear the way for the
    copy. Returns where it went, or None.

    The usual case, no log beside the file: it is kept by a hard link, so the rename
    of the copy over it replaces it in one step, and there is never a moment without a
    database. With a ``-wal`` (a crash, or another program has it open) or a
    ``-journal`` (a crash in rollback-journal mode), the file and its log must go
    together: the log must never be applied to the copy (it would write the replaced
    file's pages over it), and the file must never stay without its log (its last
    writes lost, sequence numbers it already sent used again; half-written pages
    never put back). No rename moves two files at once, so then the file is renamed
    away first: a kill before the copy is in place leaves no database, which says so
    at once (a kill between the file's rename and its log's leaves the log alone: the
    next restore gives it back to its file). The renames are the fallback too where
    hard links are not supported (FAT USB sticks).
    """
    logs = [Path(f"{db_path}{side}") for side in SIDE_LOGS]
    if not db_path.exists():
        for log in logs:
            if log.exists():
                # a restore killed between its renames: this log is the last one kept's
                _pair_orphan_log(db_path, log)
    kept = db_path.with_name(db_path.name + suffix)
    n = 1
    while kept.exists():
        n += 1
        kept = db_path.with_name(f"{db_path.name}{suffix}.{n}")
    if db_path.exists():
        linked = False
        if not any(log.exists() for log in logs):
            try:
                os.link(db_path, kept)
                linked = True
            except OSError:
                pass
        if not linked:
            # its modification time says when it was set aside (``_set_aside_ns``):
            # Windows keeps no time of a rename (its ctime is the file's creation)
            with contextlib.suppress(OSError):
                os.utime(db_path)
            os.replace(db_path, kept)
    for side, log in zip(SIDE_LOGS, logs, strict=True):
        if log.exists():
            os.replace(log, Path(f"{kept}{side}"))  # what the damaged file last wrote
    Path(str(db_path) + "-shm").unlink(missing_ok=True)
    return kept if kept.exists() else None


def put_back_set_aside(db_path: str | os.PathLike[str]) -> Path | None:
    """Put back the database a killed restore set aside: killed after it renamed the
    file (and its log) away and before its copy took the file's place, a restore left
    no database. Run again as the error said ("'fieldplan restore' puts the latest
    back"), it found nothing to count what the file it replaced held: the changes
    made here since the backup were not written again, and what was received since
    not said lost (re-import …), the file left as ``.replaced`` unsaid. Put back, the
    database is as it was before the restore, and a restore asked again sees it.

    Only the file that very restore set aside: the last ``.damaged``/``.replaced``
    name taken, set aside after its ``.part`` copy was last written, with its log
    beside it or left at the database's. Never while another restore runs. Returns
    the file put back, or None."""
    db_path = Path(db_path)
    part = db_path.with_name(db_path.name + ".part")
    if os.path.lexists(db_path) or not part.exists():
        return None
    try:
        with _restoring(db_path):
            if os.path.lexists(db_path) or not part.exists():
                return None
            kept = _last_kept(db_path)
            if kept is None or _set_aside_ns(kept) < part.stat().st_mtime_ns:
                return None  # (set aside by an earlier restore: not this one's)
            logs = [(Path(f"{kept}{side}"), Path(f"{db_path}{side}")) for side in SIDE_LOGS]
            if any(kept_log.exists() and log.exists() for kept_log, log in logs):
                return None  # (two logs: which is whose cannot be told)
            Path(f"{db_path}-shm").unlink(missing_ok=True)
            for kept_log, log in logs:  # the logs first: never the file without them
                if kept_log.exists():
                    os.rename(kept_log, log)
            os.rename(kept, db_path)
            _remove_with_journal(part)
            return db_path
    except (StoreError, OSError):
        return None  # (another restore under way, or the renames refused: as it was)


def _last_kept(db_path: Path) -> Path | None:
    """The last ``.damaged`` or ``.replaced`` name a restore took (the rename that set
    it aside is its last change), or None."""
    taken = []
    names = "|".join(re.escape(suffix) for suffix in KEPT_SUFFIXES)
    for path in db_path.parent.glob(f"{glob.escape(db_path.name)}.*"):
        found = re.fullmatch(re.escape(db_path.name) + rf"(?:{names})(?:\.(\d+))?", path.name)
        if found:
            with contextlib.suppress(OSError):
                taken.append((_set_aside_ns(path), int(found.group(1) or 1), path))
    return max(taken)[2] if taken else None


def _set_aside_ns(path: Path) -> int:
    """When the file at ``path`` was last renamed or written, in nanoseconds: its
    ctime on POSIX (a rename sets it). On Windows ctime is when the file was made,
    which a rename leaves as it was: there a file set aside weeks after the database
    was made looked set aside before the copy made for it, and a killed restore was
    never undone. ``_keep_replaced`` touches the file's modification time as it sets
    it aside, which Windows keeps: the later of the two."""
    st = path.stat()
    return max(st.st_ctime_ns, st.st_mtime_ns)


def _pair_orphan_log(db_path: Path, log: Path) -> None:
    """Give a log (a ``-wal`` or ``-journal``) left without its database back to the
    file a killed restore set aside: the last ``.damaged`` or ``.replaced`` name taken
    (the rename that set it aside is its last change), when it has no such log of its
    own (never to another database, where SQLite would apply it)."""
    last = _last_kept(db_path)
    side = log.name.removeprefix(db_path.name)
    if last is not None and not Path(f"{last}{side}").exists():
        os.replace(log, f"{last}{side}")


def backup_taken(backup: str | os.PathLike[str]) -> dt.datetime | None:
    """When a backup was taken, from its name (a copy to another disk changes the
    file's modification time, never its name); None for a name without it."""
    found = re.search(rf"-({_STAMP})-", Path(backup).name)
    if not found:
        return None
    return dt.datetime.strptime(found.group(1), _STAMP_FORMAT).replace(tzinfo=dt.UTC)


#: How a backup's mark writes when it was taken (UTC, to the second).
_TAKEN_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _taken_of(copy: sqlite3.Connection, backup: Path) -> str:
    """When the backup ``copy`` was made from was taken (``_TAKEN_FORMAT``): from its
    own mark (a backup renamed, or copied to another disk, keeps it), else from its
    name; "" when neither says (a copy of a database made by hand)."""
    try:
        row = copy.execute("SELECT value FROM meta WHERE key = ?",
                           (BACKUP_MARK,)).fetchone()
        taken = json.loads(row[0]).get("taken") if row else None
        if isinstance(taken, str):
            dt.datetime.strptime(taken, _TAKEN_FORMAT)  # a mark that says a time
            return taken
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        pass  # no meta table, or a mark that is not fieldplan's
    named = backup_taken(backup)
    return named.strftime(_TAKEN_FORMAT) if named else ""


def _check_backup_file(path: Path, db_path: Path) -> None:
    """A copy of a fieldplan database (a backup made before backups carried their mark
    is one too), of this computer: its key is the one beside the database, or one it
    had before (kept as ``.old`` beside it). Another computer's would take its place.
    Raises StoreError naming the file by its whole path."""
    fault = _backup_fault(path, db_path)
    if fault is not None:
        raise StoreError(fault[0])


def _backup_fault(path: Path, db_path: Path) -> tuple[str, str] | None:
    """What keeps ``path`` from being restored in place of ``db_path``, or None when it
    can be: (the whole message, with the whole path; the short one, with the file's
    name only, said in a list of the backups folder's files)."""
    name = path.name
    if path.is_dir():
        # (a folder named as the backup: "no file" there read as a wrong name)
        return (_("cannot open {file}: {error}").format(
                    file=ltr(path), error=_("it is a folder; choose a file")),
                _("{file} is not a file").format(file=ltr(name)))
    if not path.is_file():
        return (_("no file {path}").format(path=ltr(path)),
                _("{file} is not a file").format(file=ltr(name)))
    bad = _("{path} is not a fieldplan backup").format(path=ltr(path))
    try:
        if path.stat().st_size == 0:
            return bad, _("{file} is empty").format(file=ltr(name))
        key_id, mark = _read_identity(path)
    except OSError as exc:
        # Translators: {reason} says why, e.g. "permission denied"
        return bad, _("{file} cannot be read: {reason}").format(
            file=ltr(name), reason=os_error_reason(exc))
    except (sqlite3.Error, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        code = getattr(exc, "sqlite_errorname", "")
        if code == "SQLITE_NOTADB":
            # what a report or a copy saved under a backup's name leaves
            short = _("{file} is not a database file")
        elif is_damage(exc):
            short = _("{file} is damaged")
        elif code.startswith("SQLITE_CANTOPEN") or isinstance(exc, RuntimeError):
            short = _("{file} cannot be opened")
        else:  # another program's database, with no fieldplan tables
            short = _("{file} is not a fieldplan database")
        return bad, short.format(file=ltr(name))
    from fieldplan import schema
    from fieldplan.replica import key_path  # replica imports this module

    mine = _key_ids(db_path)  # None: no key file; empty: a damaged one (opening says so)
    if mine and key_id not in mine:
        found = _key_file_not_the_databases(db_path, path)
        if found:
            # the backup is this database's; the key file beside it is not (copied from
            # another computer): restoring another backup would not help
            key = key_path(db_path).name
            return _KeyFileFault(
                _("{path} is a backup of {db} (key {key_id}), but the key file {key} "
                  "holds another key ({found}), likely another computer's: put this "
                  "computer's own key file back beside the database (from where it was "
                  "copied or backed up), then restore").format(
                      path=ltr(path), db=ltr(db_path.name), key_id=key_id, key=ltr(key),
                      found=found),
                _("{file} does not match the key file {key} (key {found}), likely "
                  "another computer's").format(file=ltr(name), key=ltr(key), found=found))
        return (_("{path} is a backup of another computer (key {key_id}), not of "
                  "{db}").format(path=ltr(path), key_id=key_id, db=ltr(db_path.name)),
                _("{file} is another computer's backup (key {key_id})").format(
                    file=ltr(name), key_id=key_id))
    # a backup is of one database file name (list_backups): put back under another, it
    # would be a second copy of that replica
    of = _marked_db(mark)
    if of and not _names_db(of, db_path) and not _renamed_from(of, key_id, db_path):
        return (_("{path} is a backup of {name}, not of {db}").format(
                    path=ltr(path), name=ltr(of), db=ltr(db_path.name)),
                _("{file} is a backup of {name}").format(file=ltr(name), name=ltr(of)))
    if mine is None and not of and key_id:
        # a replica's, made before backups named their database: only the key file
        # could tell whose (without it, opening the copy fails anyway)
        return (_("{path} does not say which database it is a backup of, and no key file "
                  "{key} is beside {db} to tell: put the database's key file back "
                  "first").format(path=ltr(path), key=ltr(key_path(db_path).name),
                                  db=ltr(db_path.name)),
                _("{file} does not say which database it is a backup of").format(file=ltr(name)))
    newer = _newer_schema(path)
    if newer is not None:
        # put in place, it could not be opened either (after going back to an earlier
        # fieldplan, the newest backups are the newer one's)
        return _NewerFault(
            _("{path} was written by a newer fieldplan (schema {schema}, this program "
              "knows {known}); update fieldplan to restore it").format(
                  path=ltr(path), schema=format_number(newer),
                  known=format_number(len(schema.known_migrations()))),
            _("{file} is from a newer fieldplan (schema {schema})").format(
                file=ltr(name), schema=format_number(newer)))
    if not _file_is_sound(path):
        # a bad page deep in the file (or a damaged database backed up by an earlier
        # fieldplan): put back, it would be as damaged as the file it replaces. Checked
        # last, as it reads the whole file: only of a backup otherwise fit
        return (_("{file} is damaged").format(file=ltr(path)),
                _("{file} is damaged").format(file=ltr(name)))
    return None


def _newer_schema(path: Path) -> int | None:
    """The schema of the database file at ``path`` (read-only) when a newer fieldplan
    wrote it, else None (also when it cannot be read: other checks say why)."""
    from fieldplan import schema

    try:
        with reading(path) as conn:
            if schema.written_by_newer(conn):
                return schema.schema_version(conn)
    except READ_ERRORS:
        pass
    return None


class _NewerFault(NamedTuple):
    """A ``_backup_fault``: the backup was written by a newer fieldplan."""

    text: str
    short: str


class _KeyFileFault(NamedTuple):
    """A ``_backup_fault`` that is the key file's: the backup is this database's, the
    key file beside it is not (the same for every backup of the folder)."""

    text: str
    short: str


def _key_file_not_the_databases(db_path: Path, backup: Path) -> str:
    """When ``backup`` is refused as another computer's for its key, whether it is the
    key file beside ``db_path`` that is not this database's: then its key id, else ""
    (the backup may well be another computer's). It is when the database, damaged or
    not, can still say its key and that is not the key file's (nor an earlier key kept
    beside it); or, when it cannot say or is gone, when this computer's write mark
    (``fieldplan.writemark``) says the backup's replica wrote to this database file."""
    from fieldplan import minisign, writemark
    from fieldplan.replica import key_path, old_key_files  # replica imports this module

    try:
        found = minisign.load_secret_key(key_path(db_path)).key_id_hex
    except Exception:
        return ""  # (``_key_ids`` gave none: not reached)
    own = _meta_value(db_path, "key_id") if db_path.is_file() else None
    if own is not None:
        # (its key kept as .old beside the key file: the key file is this computer's
        # newer one, a rotation since)
        return found if own != found and own not in old_key_files(db_path) else ""
    replica = _meta_value(backup, "replica_id")
    written = writemark.read(replica) if replica else None
    return found if written is not None and \
        written.db == writemark.database_key(db_path) else ""


def _meta_value(path: Path, key: str) -> str | None:
    """A setting of the database at ``path``, read-only; None when it is not there or
    cannot be read (a damaged file)."""
    try:
        with reading(path) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except READ_ERRORS:
        return None
    return row[0] if row and isinstance(row[0], str) and row[0] else None


def _tidy(folder: Path, db_path: Path, made: Path | None = None) -> None:
    """Keep the newest BACKUPS_KEPT sound backups of each kind (``backup_kind``) of this
    database (its own: see list_backups) and any damaged ones newer than the last of
    them, and remove what is left of the others. ``made``, the backup just made, is the
    newest whatever its name says (the others may have been named by a clock that was
    ahead): never the one removed. Also removed: a killed backup's ``.part`` files
    (untouched for STALE_PART_S; a newer one may be another fieldplan's backup under
    way), and the -wal, -shm and -journal files of backups that are gone (opening a
    backup read-only leaves them); under the names backups have now and had before.

    Of each kind: imports, even of bundles already held, never push out the backup
    taken before a migration, the only copy the fieldplan before it can open."""
    own = [path for path, mine in _backups(folder, db_path) if mine]
    if made is not None and made in own:
        own.remove(made)
        own.insert(0, made)
    sound: dict[str, int] = {}
    for old in own:
        kind = backup_kind(old)
        if sound.get(kind, 0) >= BACKUPS_KEPT:
            _remove_with_journal(old)
        elif _sound_backup(old):
            sound[kind] = sound.get(kind, 0) + 1
        # a damaged backup does not count: damaged copies (a damaged database backed up
        # by an earlier fieldplan) never push the last sound ones out
    stale = time.time() - STALE_PART_S
    for prefix in dict.fromkeys((db_path.name, db_path.stem)):
        left = re.compile(re.escape(prefix) + rf"-{_STAMP}-[\w.-]+?(\.part|\.sqlite3)"
                          r"(-wal|-shm|-journal)?")
        for path in folder.glob(f"{glob.escape(prefix)}-*"):
            match = left.fullmatch(path.name)
            if match is None:
                continue
            with contextlib.suppress(OSError):
                if match.group(1) == ".part":
                    if path.stat().st_mtime < stale:
                        path.unlink()
                elif match.group(2) and not path.with_name(
                        path.name[:-len(match.group(2))]).exists():
                    path.unlink()
