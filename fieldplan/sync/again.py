"""Setting a computer up again once headquarters revoked its key.

A revoked computer's bundles are refused for good, and so is any later key of it
(``keys.revoked_replica``): its database can never send anything again. It is set
up again from a new setup bundle, under a new identity. Its database, key file and
backups are in the way (``replica._create`` refuses to start over beside them, and
rightly: elsewhere they are a computer's only copy of its work), so they are moved
into a folder of their own beside the database, never deleted: what was typed there
and never reached headquarters can still be read and typed again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldplan import store
from fieldplan.errors import StoreError, ValidationError
from fieldplan.files import held_open, held_open_reason
from fieldplan.i18n import _, ltr
from fieldplan.replica import (
    SET_UP_AGAIN_RECORD,
    Replica,
    key_path,
    old_key_files,
    open_replica,
    pending_key_path,
    set_up_again_records,
)

#: what the folder of a revoked computer's files is called, after the database's name
ASIDE_NAME = "{name}-revoked-{stamp}"


@dataclass(frozen=True)
class SetUpAgain:
    """What ``set_up_again`` did. replica: the new office database, open. aside: the
    folder the revoked computer's files were moved to. unsent: the changes made there
    that headquarters never acknowledged (to type again in the new database)."""

    replica: Replica
    aside: Path
    unsent: int = 0


def check_revoked(rep: Replica) -> int:
    """That ``rep`` is an office database whose key headquarters revoked
    (``sync_state``'s ``key_revoked``); returns how many changes made there never
    reached headquarters. ValidationError when it is not revoked: a database that can
    still send must never be moved out of the way (a damaged or lost one is put back
    from its backup: 'fieldplan restore')."""
    from fieldplan.sync.state import sync_state

    state = sync_state(rep)
    if not state.key_revoked:
        raise ValidationError(_(
            "headquarters has not revoked this computer's key: this database is "
            "set up already, and nothing needs setting up again"))
    return state.unsent


def check_written_after(rep: Replica, manifest: dict[str, Any]) -> None:
    """That the setup bundle of ``manifest`` sets up a computer of ``rep``'s office and
    was written after headquarters revoked this computer: one written before (the one
    this computer was first set up from, still in Downloads) had its enrolment ended by
    the revocation, and the computer set up from it would wait in headquarters'
    quarantine as a suspect. ValidationError, nothing moved, when it is not."""
    from fieldplan import events
    from fieldplan.sync.keys import own_replicas, revoked_replica

    # (rounded up to the second's end: only a bundle surely older is refused)
    created = events.arrival_hlc(str(manifest.get("created", "")))
    office = str(manifest.get("recipient", ""))
    enrolment = manifest.get("enrolment")
    try:
        first = json.loads(rep.meta("enrolment") or "{}").get("id")
    except (ValueError, AttributeError):
        first = None
    if office != rep.office:
        raise ValidationError(_(
            "this setup bundle sets up a computer of {other}, and this one is {office}'s: "
            "ask headquarters for a new setup bundle for {office}").format(
                other=office, office=rep.office))
    revoked = [k for k in (revoked_replica(rep, r) for r in own_replicas(rep)) if k]
    ranges = manifest.get("ranges") if isinstance(manifest.get("ranges"), dict) else {}

    def carried(origin: str, seq: int) -> bool:
        span = ranges.get(origin)
        return (isinstance(span, list) and len(span) == 2
                and all(type(v) is int for v in span) and span[0] <= seq <= span[1])

    # a setup bundle that carries the revocation was written after it, whatever the
    # clocks say: headquarters' own runs ahead of its computer's (by up to a day) after
    # a bundle of a laptop whose clock is ahead, and the revocation was stamped by it
    when = [hlc for k in revoked for hlc, origin, seq in rep.conn.execute(
        "SELECT hlc, origin, seq FROM versions WHERE entity = 'key' AND entity_id = ? "
        "AND field = 'status' AND superseded = 0", (k.key_id,)) if not carried(origin, seq)]
    same = first is not None and isinstance(enrolment, dict) and enrolment.get("id") == first
    if same or (when and (created is None or created <= max(when))):
        raise ValidationError(_(
            "this setup bundle was written before headquarters revoked this computer's "
            "key, which ended it: ask headquarters for a new setup bundle"))


def check_same_headquarters(rep: Replica, manifest: dict[str, Any]) -> None:
    """That the setup bundle of ``manifest`` is signed by the headquarters ``rep``
    trusts: any headquarters key this database knows, not revoked. Only headquarters
    writes key records, and an office trusts a headquarters key of its own only when
    a key it trusted endorsed it (an import: ``exchange._check_key``), so each is
    its headquarters': the pinned one, a rotation's, a restore's (a key of a
    headquarters put back from a backup is known here by its endorsement alone, not
    linked to the pinned one's computer). A setup bundle of another headquarters (a
    training or demo one, anyone's ``init --hq``) would make a database that trusts
    that key instead, and the old files would be moved aside for it: ValidationError,
    nothing moved. A database that trusts no headquarters key (none recorded)
    compares nothing."""
    from fieldplan.minisign import PublicKey
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync.enrol import hq_key

    hq = [k for k in keyreg.all_keys(rep).values()
          if k.office == "HQ" and k.status != "revoked"]
    if not hq or str(manifest.get("key_id", "")) in {k.key_id for k in hq}:
        return
    trusted = hq_key(rep) or hq[0]
    # (check_setup_bundle verified the bundle's signature with this very key)
    other = PublicKey.from_base64(str(manifest["public_key"])).fingerprint
    raise ValidationError(_(
        "this setup bundle is signed by another headquarters key (fingerprint {other}) "
        "than the one this computer trusts ({trusted}): it does not come from your "
        "headquarters; ask them for a new setup bundle (if they changed their key since, "
        "import their latest bundle here first)").format(
            other=ltr(other), trusted=ltr(trusted.fingerprint)))


def aside_folder(path: str | os.PathLike[str]) -> Path:
    """A new folder's name beside the database for its files (none there yet):
    ``lap1.sqlite3-revoked-20261205T0102Z``."""
    path = Path(path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = path.with_name(ASIDE_NAME.format(name=path.name, stamp=stamp))
    n = 1
    while folder.exists() or folder.is_symlink():
        n += 1
        folder = path.with_name(ASIDE_NAME.format(name=path.name, stamp=f"{stamp}-{n}"))
    return folder


def replica_files(path: str | os.PathLike[str]) -> list[tuple[Path, Path]]:
    """(file, where it goes inside the folder) for what belongs to the database at
    ``path``: itself and its SQLite logs, its key file (a pending one, earlier keys),
    the client's drafts (its journal and the drafts it set aside), and its backups
    (``store.list_backups``: those a new database of that name would find, into
    ``backups/``)."""
    from fieldplan.draftfiles import drafts_paths

    path = Path(path)
    beside = [path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal")),
              key_path(path), pending_key_path(path),
              *(p for found in old_key_files(path).values() for p in found),
              *drafts_paths(path)]
    out = [(p, Path(p.name)) for p in beside if p.is_file()]
    out += [(p, Path("backups") / p.name) for p in store.list_backups(path)]
    return out


def move_aside(path: str | os.PathLike[str], folder: Path | None = None, *,
               record: bool = False) -> Path:
    """Move the database at ``path`` with its key file, logs and backups into a new
    folder beside it (``aside_folder``), returning it. Only renames: nothing is
    deleted or copied over. The database goes first, its logs with it, then its keys
    and backups; when one cannot be moved, those moved already are put back and the
    error raised. No program may have the database open (it would go on writing to
    the moved file). ``record``: what moves is written in the folder first
    (``MOVING``), for a kill to be undone (``put_back_interrupted``)."""
    path = Path(path)
    if store.in_use(path):
        raise StoreError(_("{db} is open in another program (fieldplan?); close it "
                           "first").format(db=ltr(path)))
    folder = folder or aside_folder(path)
    files = replica_files(path)
    os.mkdir(folder, 0o700)  # the key file goes in it: its owner's alone, as it is
    if record:
        try:
            _write_record(folder, files, path)
        except OSError as exc:
            # (a full disk) nothing moved: no folder of a set-up-again that never
            # happened, found again at every opening, stays beside the database
            _drop_record(folder)
            _remove_if_empty(folder)
            from fieldplan.files import os_error_reason

            raise StoreError(_("cannot move {file} to {folder}: {error}").format(
                file=ltr(path), folder=ltr(folder),
                error=os_error_reason(exc, writing=True, own=True))) from exc
    moved: list[tuple[Path, Path]] = []
    try:
        for source, inside in files:
            target = folder / inside
            target.parent.mkdir(mode=0o700, exist_ok=True)
            if target.exists():  # (a new folder: never, but never over a file either)
                raise FileExistsError(target)
            os.rename(source, target)
            moved.append((source, target))
    except OSError as exc:
        _put_back(moved)
        # (Windows: in_use cannot tell that another program has a file open, the
        # rename does)
        error = held_open_reason() if held_open(exc, exc.filename) else exc.strerror or exc
        raise StoreError(_("cannot move {file} to {folder}: {error}").format(
            file=ltr(exc.filename or path), folder=ltr(folder), error=error)) from exc
    return folder


def _put_back(moved: list[tuple[Path, Path]]) -> list[Path]:
    """Move the files back where they were (last first); those that could not be."""
    stuck = []
    for source, target in reversed(moved):
        try:
            if source.exists():
                raise FileExistsError(source)
            os.rename(target, source)
        except OSError:
            stuck.append(target)
    return stuck


def set_up_again(path: str | os.PathLike[str], setup: str | os.PathLike[str], *,
                 author: str | None = None, folder: Path | None = None) -> SetUpAgain:
    """(an office computer whose key headquarters revoked) Move its database, key
    file and backups aside (``move_aside``), then set it up from the new setup bundle
    ``setup`` in the database's place. Refused, with nothing moved, when the key is
    not revoked (``check_revoked``) or ``setup`` is no setup bundle; when the new
    database cannot be made, the old files go back where they were. ``folder``: where
    the old files go (the client names it before asking), else ``aside_folder``'s."""
    from fieldplan.sync.enrol import check_setup_bundle, init_from_setup

    path = Path(path)
    put_back_interrupted(path)  # (one killed before: the revoked database back first)
    if not path.exists():
        raise StoreError(_("{db} does not exist").format(db=ltr(path)))
    with open_replica(path) as rep:  # (closed again before its files move)
        unsent = check_revoked(rep)
        manifest = check_setup_bundle(setup)
        check_same_headquarters(rep, manifest)
        check_written_after(rep, manifest)
    with _setting_up_again(path):
        # (again, under the lock: another program's set-up-again, done meanwhile, put
        # a new database here, which must never be moved aside as the revoked one)
        with open_replica(path) as rep:
            check_revoked(rep)
        if folder is None or folder.exists():
            folder = aside_folder(path)
        files = [(source, folder / inside) for source, inside in replica_files(path)]
        move_aside(path, folder, record=True)
        try:
            rep = init_from_setup(path, setup, author=author)
        except BaseException:
            # (init removed what it made) the revoked computer's files back in place
            if not _put_back(files):
                _drop_record(folder)
            raise
        # the new database in place: a kill from here on leaves the new state
        _drop_record(folder)
    return SetUpAgain(rep, folder, unsent)


#: (in the folder a set-up-again moves the old files to) what it moves there, written
#: before the first move and removed once the new database is in place (or the old
#: files are back): found beside a database, it tells of a set-up-again killed midway
#: (``put_back_interrupted``). JSON: {"files": [[source, path inside the folder], …]},
#: each source relative to the database's folder: the database named by a relative
#: path (``--db lap.sqlite3``) and opened later from another folder, or its folder
#: renamed or copied, takes its files back beside it, never into the current folder
#: or the folder it was copied from
MOVING = SET_UP_AGAIN_RECORD

#: the databases a set-up-again of this process is working on (``_setting_up_again``)
_UNDER_WAY: set[str] = set()


def _record_base(path: str | os.PathLike[str]) -> Path:
    """The folder a record's sources are relative to: the database's, made absolute."""
    return Path(os.path.abspath(path)).parent


def _write_record(folder: Path, files: list[tuple[Path, Path]],
                  path: str | os.PathLike[str]) -> None:
    from fieldplan.files import _fsync_directory

    base = _record_base(path)
    data = json.dumps({"files": [
        [Path(os.path.relpath(os.path.abspath(source), base)).as_posix(), inside.as_posix()]
        for source, inside in files]}).encode("utf-8")
    fd = os.open(folder / MOVING, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        while data:  # (a disk filling up takes part of a write: the rest raises)
            written = os.write(fd, data)
            if not written:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            data = data[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_directory(folder)


def _drop_record(folder: Path) -> None:
    """Remove the record of ``folder``. One that cannot be (a folder on a read-only
    disk, opened to be read) stays for an opening that can: it is looked for at every
    opening, which must not fail for it."""
    with contextlib.suppress(OSError):
        (folder / MOVING).unlink(missing_ok=True)


def _again_lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.again-lock")


def _lock_now(fd: int) -> None:
    store._lock_byte(fd, shared=False)


@contextlib.contextmanager
def _setting_up_again(path: Path) -> Iterator[None]:
    """Hold ``.<name>.again-lock`` beside ``path`` while a set-up-again of it runs
    (and note it in ``_UNDER_WAY``): ``put_back_interrupted`` leaves its moves alone.
    The lock goes with the process: a killed one leaves none held."""
    key = os.path.abspath(path)
    with _again_lock(path) as held:
        if not held:
            raise StoreError(_("{db} is being set up again by another program: wait "
                               "for it to end").format(db=ltr(path)))
        _UNDER_WAY.add(key)
        try:
            yield
        finally:
            _UNDER_WAY.discard(key)


@contextlib.contextmanager
def _again_lock(path: Path) -> Iterator[bool]:
    """Take ``.<name>.again-lock`` beside ``path`` for the block: whether it was taken
    (False: another program holds it). On a file system without locks, True with no
    lock (this process's ``_UNDER_WAY`` alone)."""
    lock = _again_lock_path(path)
    try:
        fd = store.lock_at_name(lock, _lock_now)
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            yield False
            return
        fd = None
    try:
        yield True
    finally:
        if fd is not None:
            if os.name != "nt":
                with contextlib.suppress(OSError):
                    lock.unlink()
            os.close(fd)


def put_back_interrupted(path: str | os.PathLike[str]) -> bool:
    """Undo a set-up-again of the database at ``path`` killed while it moved the old
    files aside (a power cut: the revoked key left alone at the path, or the
    database gone with its backups still there): the old files come back where they
    were (the revoked database, which can be set up again); so do they when all
    were aside and the new database's init was killed before it was in place (what
    that init left removed first). One killed once the new database was in place
    leaves them aside, and its record alone goes.
    Nothing happens while a set-up-again of it runs. Whether anything was put back.
    Looked for at every opening and ``init``, and at the client's start."""
    path = Path(path)
    records = set_up_again_records(path)
    if not records or os.path.abspath(path) in _UNDER_WAY:
        return False
    with _again_lock(path) as held:
        return held and _put_back_recorded(path, records)


def _put_back_recorded(path: Path, records: list[Path]) -> bool:
    """(``put_back_interrupted``, its lock held) Put back what each record names."""
    put_back = False
    base = _record_base(path)
    for record in records:
        folder = record.parent
        try:
            listed = json.loads(record.read_text(encoding="utf-8"))["files"]
            files = [(base / source, folder / inside) for source, inside in listed]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # (not one to act on: left as it is)
        moved = [(source, target) for source, target in files
                 if os.path.lexists(target)]
        if len(moved) == len(files) and moved and os.path.lexists(path):
            # every old file aside and the new database in place: done
            _drop_record(folder)
            continue
        if len(moved) == len(files) and moved:
            # every old file aside, the new database's init killed before it was in
            # place: what it left goes (a key file it put at the path), and the old
            # files come back, to set up again. Left aside, the path took a new
            # database as at a first run that said "no database yet": never where
            # the old one went, nor that changes made there never reached
            # headquarters, as a set-up-again says once done
            from fieldplan.replica import clear_unfinished_init

            if not clear_unfinished_init(path) or any(
                    os.path.lexists(source) for source, _target in moved):
                # (another init of it ended meanwhile, its database in place, or a
                # file it left that is not known for the killed one's: the old files
                # stay aside, never beside another's)
                _drop_record(folder)
                continue
        if not _put_back(moved):
            _drop_record(folder)
            _remove_if_empty(folder)
        put_back = put_back or bool(moved)
    return put_back


def _remove_if_empty(folder: Path) -> None:
    for empty in (folder / "backups", folder):
        with contextlib.suppress(OSError):
            empty.rmdir()


def aside_text(folder: Path, unsent: int = 0) -> str:
    """Where the revoked computer's files went, and what to do with what was never sent."""
    from fieldplan.i18n import counted, join_clauses

    text = _("the old database, its key file and its backups were moved to {folder} "
             "(kept, not deleted)").format(folder=ltr(folder))
    if unsent:
        text = join_clauses([text, counted(
            "{n} change made there never reached headquarters: open that database with "
            "'fieldplan --db' to read it, and type it again here",
            "{n} changes made there never reached headquarters: open that database with "
            "'fieldplan --db' to read them, and type them again here", unsent)])
    return text
