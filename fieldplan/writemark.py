"""A mark of this computer's last write, kept outside the database's folder.

A database can go back to an older copy without a restore: its ``-wal`` file lost,
an older copy put in its place (by a person, a sync tool, a USB stick). Written on,
it would give new events the numbers of ones peers already hold (a forked history).
Receipts from peers catch it only once a bundle brings them; this mark catches it
when the database is opened, before anything is written (``replica.open_replica``).

After each committed write that added events of this replica, ``write`` records the
replica's last seq, that event's hash and the database file's path in
``marks/<replica_id>.json`` in the per-user state folder. A mark of this same file
naming an event the database lacks, or holds with another hash, says the database
went back. A mark behind the database (a crash between the commit and the mark),
one written to another file (a copy of the database kept to practise in, which has
this identity too: its writes are not this file's), none (another computer, a first
opening) or one that cannot be read says nothing. The mark is a guard, never in a save's way: a
failure to write it is logged, and the save stands.

A mark is ``whole`` when it has followed its replica here since the replica was made
(``init``, a renewal): no copy of it could have written or sent anything this mark
does not cover (a bundle is written only once the mark covers what it carries,
``Replica.mark_now``). Only such a mark can tell a peer's receipt naming more events
than this database holds for a lie (``replica.receipt_limit``); one made later (the
mark lost, the database come from another computer) cannot tell what was sent before.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

#: what a replica id looks like (a UUID): anything else names no file
_REPLICA_ID = re.compile(r"[0-9a-fA-F-]{1,64}")


#: the variables platformdirs finds the state folder from, and the folder: asked
#: once for them (platformdirs costs a fifth of a save's mark otherwise)
_found: tuple[tuple[str | None, ...], Path] | None = None


def marks_dir() -> Path:
    """Where the marks are kept: outside any database's folder, so that a database
    put back with its folder (a sync tool, a disk copy) does not bring its mark."""
    global _found
    env = tuple(os.environ.get(v) for v in ("XDG_STATE_HOME", "HOME", "LOCALAPPDATA",
                                            "USERPROFILE"))
    if _found is None or _found[0] != env:
        import platformdirs

        if sys.platform == "win32":
            # Windows's state folder is its data folder, %LOCALAPPDATA%\fieldplan,
            # where the default database is (``store.default_db_path``): the marks go
            # in a folder of their own beside it, %LOCALAPPDATA%\fieldplan-marks. (Not
            # the roaming folder: a roaming profile puts older copies back at logon.)
            # No release kept marks on Windows in fieldplan\marks: nothing to move.
            folder = Path(platformdirs.user_state_dir("fieldplan-marks", appauthor=False))
        else:
            folder = Path(platformdirs.user_state_dir("fieldplan", appauthor=False)) / "marks"
        _found = (env, folder)
    return _found[1]


def _mark_path(replica_id: str) -> Path | None:
    if not _REPLICA_ID.fullmatch(replica_id):
        return None
    return marks_dir() / f"{replica_id}.json"


#: every mark is this many bytes (JSON padded with spaces): overwritten in place, a
#: later one never leaves the end of an earlier one behind
RECORD = 4096


class Mark(NamedTuple):
    """A replica's last event this computer wrote, and the database file it wrote it
    to (``database_key``)."""

    seq: int
    hash: str
    db: str
    #: written here since the replica was made (the module's docstring)
    whole: bool = False


def database_key(db_path: str | os.PathLike[str]) -> str:
    """How a mark names the database file it was written to: its full path, links
    resolved (and in one case where the file system ignores case)."""
    return os.path.normcase(os.path.realpath(db_path))


def _check(seq: int, digest: str, db: str, whole: bool = False) -> str:
    """What a whole record carries beside its values: a record torn by a crash or
    read while it was being written fails it, and says nothing (never a false
    alarm)."""
    # (a path that is not UTF-8 keeps its bytes: surrogateescape)
    # (a mark that is not whole checks as marks did before there were whole ones)
    text = f"{seq} {digest} {db}" + (" whole" if whole else "")
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def read(replica_id: str) -> Mark | None:
    """The last event of ``replica_id`` this computer wrote, or None when no mark can
    be read (none, garbled, torn, unreadable: it says nothing)."""
    path = _mark_path(replica_id)
    if path is None:
        return None
    try:
        raw = json.loads(path.read_bytes()[:RECORD + 1].decode("utf-8"))
    except (OSError, ValueError):  # (UnicodeDecodeError is a ValueError)
        return None
    if not isinstance(raw, dict):
        return None
    seq, digest, db = raw.get("seq"), raw.get("hash"), raw.get("db")
    whole = raw.get("whole") is True
    if type(seq) is not int or seq < 1 or not isinstance(digest, str) or not digest \
            or not isinstance(db, str):
        return None
    if raw.get("check") != _check(seq, digest, db, whole):
        return None
    return Mark(seq, digest, db, whole)


def write(replica_id: str, seq: int, digest: str, db: str, whole: bool = False) -> None:
    """Record ``replica_id``'s last event, written to the database ``db``
    (``database_key``), once (a replica's saves use one ``MarkFile``)."""
    mark = MarkFile(replica_id)
    try:
        mark.write(seq, digest, db, whole)
    finally:
        mark.close()


class MarkFile:
    """The mark of one replica, kept open by the replica that writes it.

    Written after each commit, so the mark can only be behind the durable database,
    never ahead of it: no fsync is needed (a mark lost or left older by a power cut
    says nothing). Overwritten in place, one fixed-size record, through a file kept
    open: a temporary file renamed over the mark at every save cost more than the
    save itself (the rename makes the file system flush the new file with SQLite's
    next fsync). A torn record fails its check (``read``). The first mark of a
    replica is made whole under another name, then renamed into place. Never raises
    for the file system: a state folder that cannot be written (a read-only home, a
    file in its place) is logged."""

    def __init__(self, replica_id: str) -> None:
        self.replica_id = replica_id
        self._fd: int | None = None

    def write(self, seq: int, digest: str, db: str, whole: bool = False) -> None:
        data = _record(seq, digest, db, whole)
        if len(data) > RECORD:
            data = _record(seq, digest, "")  # (a path of thousands of characters)
        if self._fd is None:
            path = _mark_path(self.replica_id)
            if path is None:
                return
            try:
                fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
            except FileNotFoundError:
                _create(path, data)  # (opened at the next save)
                return
            except OSError as exc:
                log.info("write mark %s not saved: %s", path, exc)
                return
            self._fd = fd
        try:
            os.lseek(self._fd, 0, os.SEEK_SET)  # (not pwrite: Windows has none)
            os.write(self._fd, data)
            if os.fstat(self._fd).st_size != RECORD:
                os.ftruncate(self._fd, RECORD)  # (another length: never left mixed)
        except OSError as exc:
            log.info("write mark of %s not saved: %s", self.replica_id, exc)
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _record(seq: int, digest: str, db: str, whole: bool = False) -> bytes:
    fields = {"seq": seq, "hash": digest, "db": db, "check": _check(seq, digest, db, whole)}
    if whole:
        fields["whole"] = True
    return json.dumps(fields).encode("utf-8").ljust(RECORD)


def _create(path: Path, data: bytes) -> None:
    # one temporary name per thread and process: two writers never share one
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep_killed(path)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("write mark %s not saved: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _sweep_killed(path: Path) -> None:
    """Remove the temporary marks of ``path`` that killed programs left (each has its
    process's number in its name: the next program's never replaces it)."""
    # (a first mark is written and renamed in an instant: one untouched for an hour
    # was left by a program that was killed)
    from fieldplan.files import STALE_TEMPORARY_S

    stale = time.time() - STALE_TEMPORARY_S
    try:
        found = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return  # (never in the mark's way)
    for left in found:
        with contextlib.suppress(OSError):
            if left.lstat().st_mtime < stale:
                left.unlink()
