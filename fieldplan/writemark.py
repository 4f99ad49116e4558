"""A mark of this computer's last write, kept outside the database's folder.

A database can go back to an older copy without a restore: its ``-wal`` file lost,
an older copy put in its place (by a person, a sync tool, a USB stick). Written on,
it would give new events the numbers of ones peers already hold (a forked history).
Receipts from peers catch it only once a bundle brings them; this mark catches it
when the database is opened, before anything is written (``replica.open_replica``).

After each committed write that added events of this replica, ``write`` records the
replica's last seq and that event's hash in ``marks/<replica_id>.json`` in the
per-user state folder. A mark naming an event the database lacks, or holds with
another hash, says the database went back. A mark behind the database (a crash
between the commit and the mark), none (another computer, a first opening) or one
that cannot be read says nothing. The mark is a guard, never in a save's way: a
failure to write it is logged, and the save stands.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: what a replica id looks like (a UUID): anything else names no file
_REPLICA_ID = re.compile(r"[0-9a-fA-F-]{1,64}")


def marks_dir() -> Path:
    """Where the marks are kept: outside any database's folder, so that a database
    put back with its folder (a sync tool, a disk copy) does not bring its mark."""
    import platformdirs

    return Path(platformdirs.user_state_dir("fieldplan", appauthor=False)) / "marks"


def _mark_path(replica_id: str) -> Path | None:
    if not _REPLICA_ID.fullmatch(replica_id):
        return None
    return marks_dir() / f"{replica_id}.json"


def read(replica_id: str) -> tuple[int, str] | None:
    """(seq, hash) of the last event of ``replica_id`` this computer wrote, or None
    when no mark can be read (none, garbled, unreadable: it says nothing)."""
    path = _mark_path(replica_id)
    if path is None:
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # (UnicodeDecodeError is a ValueError)
        return None
    if not isinstance(raw, dict):
        return None
    seq, digest = raw.get("seq"), raw.get("hash")
    if type(seq) is not int or seq < 1 or not isinstance(digest, str) or not digest:
        return None
    return seq, digest


def write(replica_id: str, seq: int, digest: str) -> None:
    """Record ``replica_id``'s last event, written atomically (a temporary file moved
    over the mark). Called after the commit, so the mark can only be behind the
    durable database, never ahead of it: no fsync is needed (a mark lost or left
    older by a power cut says nothing). Never raises for the file system: a state
    folder that cannot be written (a read-only home, a file in its place) is logged."""
    path = _mark_path(replica_id)
    if path is None:
        return
    # one temporary name per thread and process: two writers never share one
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"seq": seq, "hash": digest}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.info("write mark %s not saved: %s", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
