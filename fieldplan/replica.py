"""A replica: one installation's database, its identity (UUID, office, Ed25519 key)
and the plan it holds. Every other core module takes a Replica explicitly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldplan import events, store, writemark
from fieldplan.errors import (
    BackupError,
    DamagedDatabaseError,
    KeptBackupsError,
    LoneKeyFileError,
    NotSetUpError,
    StoreError,
    UnreadableBackupsError,
    ValidationError,
)
from fieldplan.files import make_folder_of, os_error_reason
from fieldplan.i18n import _, ltr

ROLE_HQ = "hq"
ROLE_OFFICE = "office"

#: How old the newest backup may be before an export takes one (Replica.backup_if_due)
BACKUP_DUE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Changes:
    """What a write changed, for views that refresh only what they show.

    entities: (entity, entity_id) pairs written. events: how many events were added.
    Beside the entities of events, ("inbox", "*"): bundles imported (receipts alone,
    perhaps), ("outbox", "*"): (an office) a bundle exported, and ("enrolment", CODE):
    (HQ) a setup bundle written for office CODE, awaited from then on.
    """

    entities: tuple[tuple[str, str], ...] = ()
    events: int = 0

    def touches(self, entity: str) -> bool:
        return any(kind == entity for kind, _ in self.entities)

    def names(self, entity: str, entity_id: str) -> bool:
        """Whether this entity is among the changed ones (or all of its kind are:
        ``entity_id`` "*")."""
        return (entity, entity_id) in self.entities or (entity, "*") in self.entities


#: What another program changed when it cannot be told which entities: all of them.
EVERYTHING = Changes(entities=tuple((kind, "*") for kind in (
    "inbox", "key", "lock", "plan", "progress")))


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """The replica's private key file, beside the database (never inside it, so
    backups and exports of the database never carry it)."""
    p = Path(db_path)
    return p.with_name(p.name + ".key")


def pending_key_path(db_path: str | os.PathLike[str]) -> Path:
    """Where a key change writes the new key until the database has committed it."""
    kpath = key_path(db_path)
    return kpath.with_name(kpath.name + ".new")


def old_key_path(db_path: str | os.PathLike[str], key_id: str, stamp: str) -> Path:
    """Where a key change keeps the key it replaces: ``NAME.key.<KEYID>.<time>.old``."""
    kpath = key_path(db_path)
    return kpath.with_name(f"{kpath.name}.{key_id}.{stamp}.old")


def kept_keys(db_path: str | os.PathLike[str]) -> list[tuple[str, str, Path]]:
    """The earlier keys kept beside the key file (``old_key_path``), as (time kept,
    key id, file), in the order they were kept."""
    kpath = key_path(db_path)
    kept = []
    for path in kpath.parent.glob(f"{kpath.name}.*.*.old"):
        key_id, _dot, stamp = path.name[len(kpath.name) + 1:].partition(".")
        kept.append((stamp, key_id, path))
    return sorted(kept)


def old_key_files(db_path: str | os.PathLike[str]) -> dict[str, list[Path]]:
    """The earlier keys kept beside the key file, by key id, newest first."""
    found: dict[str, list[Path]] = {}
    for _stamp, key_id, path in reversed(kept_keys(db_path)):
        found.setdefault(key_id, []).append(path)
    return found


class Replica:
    """An open replica database. Not thread-safe: one thread owns it."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        #: the file opened (device, inode): ``check_file`` sees it deleted or replaced
        self._file_id = _file_id(path)
        self._plan_cache: tuple[Any, Any] | None = None
        #: derived values other modules keep per open replica, each with the stamp
        #: of the data it was computed from
        self.cache: dict[str, Any] = {}
        #: what the person should be told beside the result of what they asked
        #: (old backups removed to make room); the CLI and the client take them
        self.notices: list[str] = []
        #: the database was found damaged by a command that still did its work (an
        #: export sends what it can read): the CLI warns, the client offers a restore
        self.damage: DamagedDatabaseError | None = None
        #: the newest backup (or backup tried) ``backup_if_due`` knows of, by its time
        self._backup_since: dt.datetime | None = None
        #: (data_version, last event rowid, last inbox id) at the last ``outside_changes``
        self._outside: tuple[int, int, int] | None = None
        # no export, report or spreadsheet may be written over the database or its
        # keys while it is open (``-o hq.sqlite3`` by mistake)
        from fieldplan import files

        self._guarded: tuple[Path, ...] | None = (
            path, key_path(path), pending_key_path(path),
            *(p for found in old_key_files(path).values() for p in found))
        files.protect(*self._guarded)
        self._backups = store.backup_dir(path)
        files.protect_folder(self._backups)
        #: (replica, seq, hash) of the write mark as last read or written here
        #: (``fieldplan.writemark``), None when it is not known
        self.written: tuple[str, int, str] | None = None
        #: how the write mark names this database file (``writemark.database_key``)
        self.database_key = writemark.database_key(path)
        self._mark_file: writemark.MarkFile | None = None
        #: (monotonic) when a save was last marked; the mark held back since, if any
        self._marked_at = -MARK_EVERY_S
        self._mark_pending: tuple[str, int, str] | None = None
        #: the replica whose write mark is whole (``writemark``: kept here since the
        #: replica was made), "" when none is
        self.whole_mark_of = ""
        if isinstance(conn, store.Connection):
            conn.after_commit = self._mark_written
            # what was read inside a write rolled back (the key registry, the identity)
            # is not the database's: never answered from the cache again
            conn.after_rollback = self._forget_cached
            # every write, whoever makes it (a save, an import, a submission, a lock):
            # none is taken by a file no program will open again
            conn.before_write = self.check_writable
            conn.after_write = self.check_file

    # identity ------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        return events.get_meta(self.conn, key, default)

    def _identity(self, key: str) -> str:
        """replica_id, role, office and plan_id, read once. The replica id alone may
        change under an open replica: another program's import renews it
        (``sync.keys.renew_identity``); ``reread_identity`` looks."""
        value = self.cache.get(("identity", key))
        if value is None:
            value = self.meta(key) or ""
            if value:
                self.cache[("identity", key)] = value
        return value

    def reread_identity(self) -> bool:
        """Whether another program gave this database a new replica id since it was
        read here (``fieldplan import`` on the command line renewed it while the client
        was open): everything read of the old identity is then forgotten, so that an
        export here signs as, and is named after, the replica the database now is."""
        cached = self.cache.get(("identity", "replica_id"))
        if cached is None or (self.meta("replica_id") or "") == cached:
            return False
        self.cache.clear()
        self._plan_cache = None
        return True

    def _forget_cached(self) -> None:
        """What was read inside a write that rolled back (``after_rollback``): the key
        registry, the identity, the plan. Their stamps (counts, latest clocks) may be
        equal again after the next write, which would answer from what never was."""
        self.cache.clear()
        self._plan_cache = None

    @property
    def replica_id(self) -> str:
        return self._identity("replica_id")

    @property
    def role(self) -> str:
        return self._identity("role")

    @property
    def is_hq(self) -> bool:
        return self.role == ROLE_HQ

    @property
    def office(self) -> str:
        return self._identity("office")

    @property
    def plan_id(self) -> str:
        return self._identity("plan_id")

    @property
    def author(self) -> str:
        """Who is writing: ``FIELDPLAN_AUTHOR``, else the replica's default author,
        else the login name; its first ``events.MAX_AUTHOR`` characters."""
        env = os.environ.get("FIELDPLAN_AUTHOR")
        if env:
            return author_name(env)
        stored = self.meta("author")
        if stored:
            return author_name(stored)
        try:
            import getpass

            return author_name(getpass.getuser())
        except (KeyError, OSError, ImportError):
            # no passwd entry; or (Windows, no USERNAME in a bare environment) no pwd
            # module, which getpass falls back to
            return "unknown"

    # plan ----------------------------------------------------------------------
    def plan(self):  # -> fieldplan.plan.Plan
        """The plan as merged here (cached until a plan event changes it)."""
        from fieldplan.plan import plan_from_dict
        from fieldplan.planops import plan_additions, plan_moves

        # (and how many versions: the history says which actions an amendment added,
        # and an older version may arrive after a newer one)
        stamp = self.conn.execute(
            "SELECT (SELECT max(hlc) FROM versions INDEXED BY versions_heads "
            "WHERE entity = 'plan' AND superseded = 0), "
            "(SELECT count(*) FROM versions WHERE entity = 'plan')").fetchone()
        if self._plan_cache and self._plan_cache[0] == stamp:
            return self._plan_cache[1]
        doc = events.entity_state(self.conn, "plan", self.plan_id).get("document")
        if doc is None:
            raise StoreError(_("this database holds no plan yet"))
        plan = plan_from_dict(doc, source=_("plan in database"))
        added, added_values = plan_additions(self, plan)
        plan = dataclasses.replace(plan, added=added, added_values=added_values,
                                   moved_values=plan_moves(self, plan))
        self._plan_cache = (stamp, plan)
        return plan

    # other programs' writes -----------------------------------------------------
    def outside_changes(self) -> Changes | None:
        """What other connections committed since the last call (``fieldplan import``
        on the command line while the client is open): the entities of the events they
        added; ``EVERYTHING`` after an import (which may have taken events out and
        written others under the same rowids, as a repair does) or a write of no
        event. None when nothing was, and at the first call, which notes where the
        database stands.

        ``PRAGMA data_version`` moves only with other connections' commits, so the
        client asks every few seconds at the cost of three indexed reads; the rowids
        of what this connection writes itself move the marks on, unsaid (its own
        writes said what they changed)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        events_top, inbox_top = self.conn.execute(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM events), "
            "(SELECT coalesce(max(id), 0) FROM inbox)").fetchone()
        last, self._outside = self._outside, (version, events_top, inbox_top)
        if last is None or last[0] == version:
            return None
        if self.reread_identity():
            return EVERYTHING
        if inbox_top != last[2]:
            # an import: it may have taken events out and written others under their
            # rowids (a repair), which no mark can tell
            return EVERYTHING
        rows = self.conn.execute(
            "SELECT entity, entity_id, count(*) FROM events WHERE rowid > ? "
            "GROUP BY entity, entity_id", (last[1],)).fetchall()
        if not rows:
            return EVERYTHING  # no event: a key trusted, a backup put back…
        return Changes(entities=tuple(sorted((e, i) for e, i, _n in rows)),
                       events=sum(n for *_e, n in rows))

    def file_gone(self) -> str:
        """Why what is written here is lost, or "": the database file was deleted,
        moved or replaced (a restore by another program) since it was opened. SQLite
        goes on writing to the file it opened, which no program will open again:
        what is saved to it then seems saved, and is lost when it closes.

        (On Windows a file SQLite holds open can be neither deleted nor moved, nor
        its folder: there this finds nothing but a replacement made otherwise.)"""
        now = _file_id(self.path)
        if self._file_id is None or now == self._file_id or (
                now is not None and 0 in (now[1], self._file_id[1])):
            return ""  # (a file system without inode numbers: only a missing file says)
        return _("the database file {file} was deleted, moved or replaced while it was "
                 "open: nothing more can be saved to it").format(file=ltr(self.path))

    def check_file(self) -> None:
        """Refuse to write to a database file no longer where it was opened
        (``file_gone``): StoreError."""
        gone = self.file_gone()
        if gone:
            raise StoreError(gone)

    def check_writable(self) -> None:
        """``check_file``, and refuse to write while a restore of the database is under
        way (StoreError): what it wrote would go to the file the restore puts aside."""
        self.check_file()
        if store.restore_under_way(self.path):
            raise StoreError(_("a restore of {db} is under way: nothing was saved; wait "
                               "for it to end").format(db=ltr(self.path)))

    # backups -------------------------------------------------------------------
    def backup(self, reason: str) -> Path:
        """``store.backup`` of this database; a notice when old backups had to be
        removed to make room (also when the backup then fails)."""
        removed: list[Path] = []
        try:
            return store.backup(self.conn, self.path, reason, removed=removed)
        finally:
            self.note_removed_backups(removed)

    @contextlib.contextmanager
    def backup_before(self, reason: str) -> Iterator[Path]:
        """``backup``, then the write it is taken for (the ``with`` block). When the
        disk fills under that write (rolled back: the database is as it was), the
        backup goes again: kept, the copy of an unchanged database held the room the
        next try needed for its own backup, which then failed, or pushed an older
        backup out at each try."""
        made = self.backup(reason)
        try:
            yield made
        except BaseException as exc:
            if store.filled_disk(exc):
                store.remove_backup(made)
            raise

    def backup_if_due(self, reason: str) -> None:
        """A backup unless one was taken within BACKUP_DUE, so that a computer that
        only exports (an office that never imports) has one too. Never in the way of
        what it precedes: a backup that cannot be written is a notice, a damaged
        database is ``damage``. Tried once within BACKUP_DUE too (a bundle for every
        office: one check, one notice)."""
        if getattr(self.conn, "read_only", False):
            return  # nothing changes there, and nothing can be written beside it
        now = dt.datetime.now(dt.UTC)
        if self._backup_since is not None and now - self._backup_since < BACKUP_DUE:
            return  # (the backups folder is not read for each bundle of an export)
        taken = store.newest_backup_taken(self.path)
        # (one named ahead of now was taken while the clock was ahead: not recent)
        if taken is not None and dt.timedelta(0) <= now - taken < BACKUP_DUE:
            self._backup_since = taken
            return
        self._backup_since = now
        try:
            self.backup(reason)
        except DamagedDatabaseError as exc:
            self.damage = exc
        except BackupError as exc:
            # Translators: {error} says why, e.g. "cannot back up the database: the
            # disk is full (backups in …)"
            self.notices.append(_("no backup was taken first: {error}").format(error=exc))

    def note_removed_backups(self, removed: list[Path]) -> None:
        """A notice that these old backups were deleted to make room (none: nothing)."""
        if removed:
            self.notices.append(store.removed_backups_text(removed))

    # write mark ----------------------------------------------------------------------
    def _mark_written(self) -> None:
        """After a commit: when it added events of this replica, record the last one in
        the write mark (``fieldplan.writemark``), which ``open_replica`` compares with
        the database. A mark is never moved back within a replica (a database found
        gone back is renewed first: the mark stays what this computer wrote). Never
        raises: a save's durability is the database's, the mark is a guard."""
        try:
            own = self.replica_id
            seq, digest = events.last_event(self.conn, own)
        except sqlite3.Error:
            return  # (whatever reads it next says what is wrong with the database)
        known = self.written
        if seq == 0 or (known is not None and known[0] == own and seq <= known[1]):
            return  # (the usual case for a commit that added no event of its own)
        now = time.monotonic()
        if known is not None and known[0] == own and now - self._marked_at < MARK_EVERY_S:
            # a mark behind the database is safe (it says nothing): saves in a row
            # mark every few seconds, and the last one at close
            self._mark_pending = (own, seq, digest)
            return
        self._marked_at = now
        self._write_mark(own, seq, digest)

    def _write_mark(self, own: str, seq: int, digest: str) -> None:
        self._mark_pending = None
        if self._mark_file is None or self._mark_file.replica_id != own:
            if self._mark_file is not None:
                self._mark_file.close()  # (a renewal: the new identity's own mark)
            self._mark_file = writemark.MarkFile(own)
        self._mark_file.write(seq, digest, self.database_key, own == self.whole_mark_of)
        self.written = (own, seq, digest)

    def mark_now(self) -> None:
        """Before a bundle is written: the write mark covers every event of this
        replica the database holds, the one a save held back too (``MARK_EVERY_S``),
        so that no peer can hold an event of it the mark does not cover
        (``receipt_limit``). Never raises, like a save's mark."""
        try:
            own = self.replica_id
            seq, digest = events.last_event(self.conn, own)
        except sqlite3.Error:
            return
        if seq and self.written != (own, seq, digest):
            self._write_mark(own, seq, digest)

    def take_notices(self) -> list[str]:
        """The notices not shown yet, and forget them."""
        taken, self.notices = self.notices, []
        return taken

    def close(self) -> None:
        if isinstance(self.conn, store.Connection):
            # (no cycle left through the connection)
            self.conn.after_commit = self.conn.before_write = self.conn.after_write = None
            self.conn.after_rollback = None
        if self._mark_pending is not None:
            self._write_mark(*self._mark_pending)
        if self._mark_file is not None:
            self._mark_file.close()
        self.conn.close()
        if self._guarded is not None:
            from fieldplan import files

            files.unprotect(*self._guarded)
            files.unprotect_folder(self._backups)
            self._guarded = None

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def author_name(name: str) -> str:
    """A name as events record it: text as fieldplan stores it (``clean_text``: a byte
    the system could not decode, in a name set in a file of another encoding, is
    U+FFFD; as it was, no event could be written, and every save ended on an internal
    error), its first ``events.MAX_AUTHOR`` characters (longer: headquarters refuses
    the event)."""
    from fieldplan.text import clean_text

    return clean_text(name)[:events.MAX_AUTHOR]


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def open_replica(path: str | os.PathLike[str], *,
                 upgrading: Callable[[], None] | None = None) -> Replica:
    """Open an existing replica database: migrate it if needed, finish a key change a
    crash interrupted, and give a database put back from a backup, or found gone back
    to an older copy (receipts, this computer's write mark: ``_mark_if_gone_back``),
    its new identity (so even a read-only command may write once here). A file SQLite
    finds damaged on the way (a bad sector in its identity) is a DamagedDatabaseError
    with the next step, as it is at opening. A database missing after a set-up-again
    was killed midway is put back first (``sync.again.put_back_interrupted``).
    ``upgrading``: see ``schema.migrate``."""
    undo_killed_set_up_again(Path(path))
    try:
        return _open_replica(Path(path), upgrading)
    except sqlite3.DatabaseError as exc:
        damaged = store.as_damage(path, exc)
        if damaged is exc:
            raise
        raise damaged from exc


def read_only_text(path: Path) -> str:
    """What a replica opened on a read-only disk or folder says (``store.connect``)."""
    return _("{path} is on a read-only disk or folder: it can be read and printed, but "
             "nothing can be saved to it; to work on it, copy it, with its key file "
             "{key}, to a folder you can write to").format(path=ltr(path),
                                                          key=ltr(key_path(path).name))


def _check_identity(rep: Replica, path: Path) -> None:
    """Refuse a database whose office, or whose role (headquarters or an office), this
    fieldplan does not know or that do not go together (damage, a hand edit, a newer
    fieldplan's office): every screen and command reads them, and such a database
    failed midway instead, the client with no window at all (an office it did not
    know) or the command line with an "internal error" (a role)."""
    from fieldplan.offices import HQ, check_office
    from fieldplan.text import for_message

    role, office = rep.role, rep.office
    try:
        known = check_office(office)
    except ValidationError:
        # Translators: why a database cannot be used; {office} is the code it holds
        raise store.damaged_error(path, _(
            "its office, '{office}', is not one this version of fieldplan knows (if a "
            "newer fieldplan made it, update fieldplan)").format(
                office=ltr(for_message(office)))) from None
    if role not in (ROLE_HQ, ROLE_OFFICE) or (role == ROLE_HQ) != (known == HQ):
        raise store.damaged_error(path, _(
            "it does not say clearly whether it is the database of headquarters or of "
            "an office"))


def _open_replica(path: Path, upgrading: Callable[[], None] | None = None) -> Replica:
    removed: list[Path] = []  # by the backup before a migration, on a full disk
    notices: list[str] = []  # what the upgrade left for a disk with more room
    conn = store.connect(path, removed=removed, notices=notices, upgrading=upgrading)
    rep = Replica(conn, path)
    rep.note_removed_backups(removed)
    rep.notices.extend(notices)
    caught_by_mark = False
    try:
        if not rep.replica_id:
            raise NotSetUpError(store.not_set_up_text(path))
        _check_identity(rep, path)
        if conn.read_only:
            # nothing can be written there, so nothing can fork its history: it is read
            # as it is (a restored copy's new identity is given where it is copied to)
            rep.notices.append(read_only_text(path))
            return rep
        forget_init_names(path)
        marked = rep.meta(store.BACKUP_MARK) is not None
        if not marked:
            marked = caught_by_mark = _mark_if_gone_back(rep, opening=True)
    except BaseException:
        rep.close()
        raise
    if not marked and not pending_key_path(path).exists():
        return rep  # the usual case: nothing imported, for a fast start
    from fieldplan.sync.keys import finish_key_change, renew_identity

    try:
        finish_key_change(rep)
        if marked:
            kpath = key_path(path)
            if not kpath.exists():
                # writing under the old identity would fork its history: refuse
                raise StoreError(_(
                    "{path} is a backup, or was put back from one, and its key file {key} "
                    "is not beside it: put the backup in place of the database, next to "
                    "its key file").format(path=ltr(path), key=ltr(kpath.name)))
            # restored from a backup: continue as a new replica before anything is written
            renew_identity(rep)
            if caught_by_mark:
                # said once, as it happens, by every command and by the client: what
                # was typed here and never sent is gone, and only a person can tell what
                from fieldplan.status import went_back_notice

                notice = went_back_notice(rep)
                if notice:
                    rep.notices.append(notice)
    except BaseException:
        rep.close()
        raise
    return rep


#: seconds between two write marks of a replica's saves in a row (its first save is
#: marked at once, its last at close): a mark costs more than its write (the file's
#: metadata goes with SQLite's next fsync), and one a few seconds behind says nothing
MARK_EVERY_S = 10.0


#: meta key (an office): this computer's replicas whose events go to headquarters
#: from a given seq again, whatever its receipts say (``sync.fork.resend_from``)
RESEND_OWN = "resend_own"


def _mark_if_gone_back(rep: Replica, *, opening: bool = False) -> bool:
    """Whether this database went back in time without a restore (copied while
    fieldplan had it open, its ``-wal`` file lost after a crash, an older copy put in
    its place): a peer holds more of this replica's events than the database does, or
    (``opening``) this computer's write mark (``fieldplan.writemark``) names an event
    the database lacks or holds with another hash. Writing on would give new events
    the numbers of ones peers hold, and every later bundle of this computer would be
    refused as a forked history. So it is marked as a backup put back is
    (``store.BACKUP_MARK``), and continues as a new replica; the events it lost that
    peers hold come back from them (at HQ: are listed to be made again). Two indexed
    reads and a small file: opening stays fast."""
    own = rep.replica_id
    # the mark and the receipts are read before the events: each is written after the
    # events it names were committed, so read first they are never ahead of what the
    # database holds when read next, unless it went back. Read after, the mark could
    # name an event another program (the client, a second command) committed and
    # marked between the two reads: a false alarm, and a new identity for nothing
    mark = writemark.read(own) if opening else None
    try:
        acked = rep.conn.execute("SELECT max(seq) FROM acks WHERE origin = ?",
                                 (own,)).fetchone()[0] or 0
        held, held_hash = events.last_event(rep.conn, own)
        went_back = {"held": held, "acked": acked} if acked > held else None
        if opening and went_back is None:
            went_back = _behind_write_mark(rep, own, mark, held, held_hash)
    except sqlite3.DatabaseError as exc:
        if store.is_damage(exc):
            return False  # said by what reads the damaged page next, with the restore
        raise
    if went_back is None:
        return False
    with store.write_transaction(rep.conn):
        if rep.meta(store.BACKUP_MARK) is None:
            events.set_meta(rep.conn, store.BACKUP_MARK, events.canonical_json(
                {"went_back": went_back}))
            if not rep.is_hq:
                # events written after it went back may differ from the peer's under
                # the same numbers: sent from 1 again, so that headquarters finds
                # them (until a receipt's hash matches: sync.fork.check_receipts)
                from fieldplan.sync.fork import mark_resend

                mark_resend(rep, {own: 1})
    return True


def _behind_write_mark(rep: Replica, own: str, mark: writemark.Mark | None, held: int,
                       held_hash: str) -> dict[str, int] | None:
    """What the write ``mark`` (read before ``held``) says the database lost
    (``went_back``: held, written), or None: it matches, is behind the database (a
    crash between a commit and the mark), was written to another database file, or
    there is none that can be read (another computer's database, a first opening)."""
    if mark is None or mark.db != rep.database_key:
        # (another file: a copy of this database, one to practise in, wrote last
        # under this identity; its events are not this file's to hold. Its mark is
        # replaced by this file's at the next save)
        return None
    rep.written = (own, mark.seq, mark.hash)
    if mark.whole:
        rep.whole_mark_of = own  # (nothing of it was lost: it is a new one otherwise)
    seq, digest = mark.seq, mark.hash
    if seq == held:
        same = digest == held_hash
    elif seq < held:
        row = rep.conn.execute("SELECT hash FROM events WHERE origin = ? AND seq = ?",
                               (own, seq)).fetchone()
        same = row is None or row[0] == digest  # (none: a gap, nothing to compare)
    else:
        same = False
    return None if same else {"held": held, "written": seq}


def renewed_from(rep: Replica) -> list[str]:
    """The replicas this database continues after restores from backups, oldest first."""
    return json.loads(rep.meta("renewed_from") or "[]")


def receipt_limit(rep: Replica, origin: str = "") -> int | None:
    """The last of this replica's own events a peer can hold, when this computer can
    tell; None when it cannot. A receipt naming more than the database holds is the
    sign of a database that went back (``_mark_if_gone_back``), and renews its
    identity: a lie (an office's forged bundle) must not do that at will. Asked at
    headquarters of an office's bundle only (``exchange._merge``): the receipts an
    office gets are headquarters' own, signed, and past its mark they tell of a copy
    of its database that wrote too (copied to a second laptop). A whole
    write mark of this very file (``writemark``) can tell: it has covered every event
    of the replica since it was made here, no bundle left without it (``mark_now``),
    and opening found the database holding what it names; so a receipt past it (or
    past the database) names events no bundle of this replica ever carried. Without
    such a mark (another computer, a mark lost, a copy to practise in wrote last, a
    fieldplan older than whole marks) a receipt is taken as it says. ``origin``: a
    replica this database continues after a restore (default: its own), whose mark
    of this file says as well how far it ever wrote (the file put back holds less)."""
    own = origin or rep.replica_id
    mark = writemark.read(own)
    if mark is None or not mark.whole or mark.db != rep.database_key:
        return None
    return max(mark.seq, events.last_event(rep.conn, own)[0])


def renew_if_gone_back(rep: Replica) -> bool:
    """After an import: when the receipts it brought say a peer holds more of this
    replica's events than the database does (``_mark_if_gone_back``), go on as a new
    replica at once, before anything more is written. Returns whether it did."""
    if not _mark_if_gone_back(rep):
        return False
    from fieldplan.sync.keys import renew_identity

    renew_identity(rep)
    return True


#: meta key: the replica id an ``init`` was making, written by fieldplan releases that
#: made the database at its own name (a database holding only it is what such an init,
#: killed, left: ``_clear_failed_init``). An init now makes it under a temporary name.
INIT_PENDING = "init_pending"

#: what an ``init`` makes a database under until it is whole, beside it
#: (``.hq.sqlite3.1a2b3c4d.init``, its key file ``….init.key``): a kill leaves the
#: database's own name free, and the next init of it removes these
_INIT_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{8}\.init")


def _init_step(step: str) -> None:
    """A point of ``_create`` named for the tests that stop the process there (as a
    power cut would) and check what is left; nothing happens here."""


def _create(path: Path, *, role: str, office: str, plan_id: str, author: str | None,
            fill: Callable[[Replica, Any], None]) -> Replica:
    """A new database with a fresh identity (UUID and Ed25519 key, private key 0600),
    completed by ``fill(rep, secret)`` in the same transaction. It is made under a
    temporary name beside ``path`` (``_INIT_TEMPORARY``) and put at ``path`` only once
    whole (``_put_in_place``): a failure leaves nothing, a kill nothing at ``path``
    that the next ``init`` does not clear (``_clear_unfinished_inits``)."""
    refused = store.not_a_file_error(path)  # a folder: never "it already exists"
    if refused is not None:
        raise refused
    if store.emptied(path):
        # the database went empty beside its key or backups: a new identity would
        # leave its work behind (and its key file is this computer's identity)
        raise store.damaged_error(path, _("the file is empty"))
    make_folder_of(path)  # (FILE/x.db: a file, not a folder, never "it already exists")
    undo_killed_set_up_again(path)  # (the old database, back: refused below, as it is)
    with _initialising(path):
        _clear_unfinished_inits(path)
        _clear_failed_init(path)
        if path.exists() and path.stat().st_size > 0:
            if store.another_programs_file(path):  # never "remove it": it is someone's
                raise StoreError(store.not_fieldplans_text(path))
            raise _exists_error(path)
        _check_no_key(path, role)
        logs = _set_aside_orphan_logs(path)
        rep, moved = _make(path, role=role, office=office, plan_id=plan_id, author=author,
                           fill=fill)
    rep.notices += [_("the drafts typed in a database that was at {db} before were moved "
                      "to {file} (kept, not deleted): they are not this database's, and "
                      "the client shows them to read, copy or discard").format(
                          db=ltr(path), file=ltr(moved_to)) for moved_to in moved]
    rep.notices += [_("the log file of a database that was at {db} before was moved to "
                      "{file} (kept, not deleted): SQLite would have applied it to the new "
                      "database").format(db=ltr(path), file=ltr(aside)) for aside in logs]
    return rep


#: the name a log left without its database is moved to: ``<log>.orphaned-<UTC time>``
_ORPHANED = ".orphaned-"


def _set_aside_orphan_logs(path: Path) -> list[Path]:
    """(``init``, no database at ``path``) Move aside the write-ahead log or rollback
    journal that a database which was at ``path`` left there (deleted or moved away
    after a crash, or while a program had it open): SQLite takes a log for the log of
    the file of its name, and replayed the old database's into the new one, which then
    held the old identity beside its new key file ("the key file is another
    computer's"), or was damaged. Kept whole (``<log>.orphaned-<UTC time>``), never
    deleted; an empty one, and the old ``-shm`` index, go. Where each went; StoreError,
    nothing made, when one cannot be moved."""
    if os.path.lexists(path):
        return []
    aside_all: list[Path] = []
    for suffix in store.SIDE_LOGS:
        log = Path(f"{path}{suffix}")
        try:
            if not log.is_file():
                continue
            if log.stat().st_size == 0:
                log.unlink()  # (holds nothing to apply)
                continue
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            aside = log.with_name(f"{log.name}{_ORPHANED}{stamp}")
            n = 1
            while os.path.lexists(aside):
                n += 1
                aside = log.with_name(f"{log.name}{_ORPHANED}{stamp}-{n}")
            os.rename(log, aside)  # (never over a file: checked just above)
        except OSError as exc:
            raise StoreError(_(
                "cannot make a database at {db}: {file}, left there by a database that "
                "was at {db} before, cannot be moved out of the way ({reason}); move it "
                "away first").format(db=ltr(path), file=ltr(log.name),
                                     reason=os_error_reason(exc))) from exc
        aside_all.append(aside)
    with contextlib.suppress(OSError):
        Path(f"{path}-shm").unlink(missing_ok=True)  # (the old log's index)
    return aside_all


#: (in the folder a set-up-again moves a revoked computer's files to, beside the
#: database: ``<name>-revoked-<time>``) the record of its moves while it runs
#: (``sync.again.MOVING``)
SET_UP_AGAIN_RECORD = ".moving.json"


#: the time in the name of such a folder (``sync.again.aside_folder``):
#: ``20261205T010203Z``, then ``-2``… when one of that second is there already
_ASIDE_STAMP = re.compile(r"\d{8}T\d{6}Z(?:-\d+)?")


def set_up_again_records(path: str | os.PathLike[str]) -> list[Path]:
    """The records of moves (``SET_UP_AGAIN_RECORD``) in the folders a set-up-again of
    the database at ``path`` made beside it: named ``<name>-revoked-<time>`` exactly.
    A database named ``lap-revoked-x.sqlite3``, or a copy of such a folder ("… -
    Copy"), is not one of them."""
    import glob

    path = Path(path)
    prefix = path.name + "-revoked-"
    return [Path(folder) / SET_UP_AGAIN_RECORD
            for folder in glob.glob(glob.escape(str(path)) + "-revoked-*")
            if _ASIDE_STAMP.fullmatch(Path(folder).name[len(prefix):])
            and os.path.isfile(Path(folder) / SET_UP_AGAIN_RECORD)]


def undo_killed_set_up_again(path: str | os.PathLike[str]) -> None:
    """Undo what a set-up-again of ``path`` killed midway left (its record still
    there: ``sync.again.put_back_interrupted``): the old database back, never half
    moved aside. One look at the folder, the sync package loaded only then."""
    if set_up_again_records(path):
        from fieldplan.sync.again import put_back_interrupted

        put_back_interrupted(path)


def _exists_error(path: Path) -> StoreError:
    # (not "remove it first": run twice by mistake, at headquarters too, that advice
    # deleted a database in use, whose key file then refused any new one)
    return StoreError(_("{path} already exists: 'fieldplan status' says what it holds; give "
                        "another --db for a new database (deleting this one would lose its "
                        "data)").format(path=ltr(path)))


def _check_no_key(path: Path, role: str) -> None:
    """Refuse to make a new identity beside a key file with no database (the one it
    belonged to went: its key is this computer's identity, its backups its work)."""
    kpath = key_path(path)
    if not kpath.exists():
        return
    if store.list_backups(path):
        # the database went, its key and backups did not: this computer's work is
        # in the backups, and a new identity would leave it behind
        raise KeptBackupsError(_(
            "the key file {path} and the backups of this database (in {folder}) are "
            "still there: restore the latest backup ('fieldplan restore') instead of "
            "starting again").format(path=ltr(kpath), folder=ltr(store.backup_dir(path))),
            str(kpath))
    unreadable = store.backups_unreadable(path)
    if unreadable is not None:
        # listed as none, they may be there all the same: "no backup of it here" sent
        # a person to start again (or move the key away) with the work perhaps in them
        folder = store.backup_dir(path)
        raise UnreadableBackupsError(_(
            "the key file {path} is this computer's identity, and the database it "
            "belonged to is gone; its backups folder {folder} cannot be read "
            "({reason}): once it can be, restore the latest backup, if there is one "
            "('fieldplan restore'), instead of starting again").format(
                path=ltr(kpath), folder=ltr(folder), reason=os_error_reason(unreadable)),
            str(kpath), str(folder), unreadable)
    # never "remove it": the key is this computer's identity, and headquarters may
    # still be waiting for bundles it signs (or, for headquarters, every office
    # trusts it). Moved away, not deleted, it can still be put back
    if role == ROLE_HQ:
        raise LoneKeyFileError(_(
            "the key file {path} is this computer's identity, and the database it "
            "belonged to is gone with no backup of it here: put that database back, "
            "or choose another --db (a new headquarters key would mean setting every "
            "office up again)").format(path=ltr(kpath)), str(kpath), role)
    raise LoneKeyFileError(_(
        "the key file {path} is this computer's identity, and the database it "
        "belonged to is gone with no backup of it here: if this computer's data was "
        "sent to headquarters, move the key file away (do not delete it) and start "
        "again from a new setup bundle; otherwise choose another --db").format(
            path=ltr(kpath)), str(kpath), role)


def _make(path: Path, *, role: str, office: str, plan_id: str, author: str | None,
          fill: Callable[[Replica, Any], None]) -> tuple[Replica, list[Path]]:
    """(``_create``) The database made whole under a temporary name, then put at
    ``path`` with its key file, and opened there; and where the drafts files lying
    at ``path`` were moved (``_move_orphaned_drafts``). They are moved only once the
    database is whole, just before it is put in place, and put back when that
    fails: an init that failed left a person's own journal named as another
    database's, and so it showed once they put their database back."""
    import secrets

    from fieldplan import minisign

    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.init")
    replica_id = _uuid4()
    try:
        conn = store.connect(tmp, create=True)
    except BaseException as exc:
        # e.g. a full disk while the schema was written: what it made goes
        _remove_unfinished(tmp, "")
        if type(exc) is StoreError:
            # ("cannot open database …: permission denied") the person named path:
            # the temporary name beside it is fieldplan's, never theirs
            raise StoreError(str(exc).replace(os.fspath(tmp), os.fspath(path))) from exc
        raise
    rep = Replica(conn, tmp)
    # its write marks name the file it becomes (``writemark``: a mark of another file
    # says nothing), and are whole: made here, no copy of it wrote anything elsewhere
    rep.database_key = writemark.database_key(path)
    rep.whole_mark_of = replica_id
    try:
        _init_step("made")
        secret = minisign.generate_key()
        minisign.save_secret_key(key_path(tmp), secret, replica=replica_id)
        _init_step("key-saved")
        with store.write_transaction(conn):
            events.set_meta(conn, "replica_id", replica_id)
            events.set_meta(conn, "role", role)
            events.set_meta(conn, "office", office)
            events.set_meta(conn, "plan_id", plan_id)
            events.set_meta(conn, "key_id", secret.public.key_id_hex)
            events.set_meta(conn, "public_key", secret.public.to_base64())
            if author:
                events.set_meta(conn, "author", author_name(author))
            fill(rep, secret)
        _init_step("filled")
        # its log written into the file, which alone is put in place: SQLite does it
        # at close only when no other program has the file open
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if busy or done < log:
            raise StoreError(_("another program has {path} open: try again").format(
                path=ltr(path)))
        rep.close()
        moved = _move_orphaned_drafts(path)
        try:
            _put_in_place(tmp, path, replica_id, role)
        except BaseException:
            if _replica_of(path) != replica_id:  # (not put in place: nothing made there)
                _put_back_drafts(moved)
            raise
    except BaseException:
        with contextlib.suppress(Exception):  # (closed already, or failing: it goes)
            rep.close()
        _remove_unfinished(tmp, replica_id)
        raise
    try:
        made = Replica(store.connect(path), path)
    except BaseException:
        # (no one else has it yet: what was just put in place goes)
        _remove_unfinished(path, replica_id)
        if not path.exists():
            _put_back_drafts(moved)
        raise
    made.whole_mark_of, made.written = replica_id, rep.written
    return made, moved


def _put_in_place(tmp: Path, path: Path, replica_id: str, role: str) -> None:
    """Put the database made under ``tmp`` at ``path``: its key file first, then the
    database, which is there only with its key. A kill between the two leaves a key
    file with no database, which the next ``init`` recognises by the temporary
    database still beside it, holding that key's replica (``_clear_unfinished_inits``).
    Another program's file that took either name meanwhile is never replaced."""
    kpath = key_path(path)
    try:
        _place(key_path(tmp), kpath)
    except FileExistsError:
        _check_no_key(path, role)  # (made meanwhile by another program)
        raise _exists_error(path) from None
    _init_step("key-placed")
    try:
        _place(tmp, path)
    except BaseException as exc:
        from fieldplan import minisign

        if minisign.secret_key_replica(kpath) == replica_id:
            kpath.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise _exists_error(path) from None
        raise
    _init_step("placed")
    # (hard links: the other names of the same files; and the temporary's SQLite side
    # files, whose log is in the file already: ``_make``'s checkpoint)
    for left in (tmp, key_path(tmp), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        left.unlink(missing_ok=True)
    from fieldplan.files import _fsync_directory

    _fsync_directory(path.parent)


def _place(source: Path, target: Path) -> None:
    """``source`` also at ``target`` (a hard link: it takes a name only if it is free,
    FileExistsError otherwise); on a file system without hard links (FAT on a USB
    stick), renamed there after a look."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(target) from None
        os.rename(source, target)  # (Windows' rename never replaces a file)


def _clear_unfinished_inits(path: Path) -> None:
    """(no other init of ``path`` under way: ``_initialising``) Remove what inits of
    ``path`` that were killed left beside it: their temporary databases and key files
    (``_INIT_TEMPORARY``, with their SQLite side files, and such files left alone),
    and a key file put at ``path`` by one killed before its database followed
    (``_put_in_place``): there is no database at ``path``, and that key is the one of
    a temporary database, which nothing ever used. A temporary name that is the
    database in place (a kill after it was put there) loses the name alone."""
    from fieldplan import minisign

    kpath = key_path(path)
    found = _init_leftovers(path)
    temporaries = [tmp for tmp in found if _is_init_temporary(path, tmp) and tmp.is_file()]
    for tmp in temporaries:
        if _forget_names_of(path, tmp):
            continue
        # its replica: its key file's, or its own (on FAT its key was renamed into
        # place, not linked: the database alone says whose the key at ``path`` is)
        made = minisign.secret_key_replica(key_path(tmp)) or _replica_of(tmp)
        if made and not path.exists() and minisign.secret_key_replica(kpath) == made:
            kpath.unlink(missing_ok=True)
        _remove_unfinished(tmp, made)
    # what a kill while they were removed left: side files and key files alone
    for left in found:
        base = _INIT_TEMPORARY.match(left.name)
        if (base is None or base.group(1) != path.name or left in temporaries
                or not left.is_file()):
            continue
        owner = left.with_name(base.group(0))
        if not owner.exists():
            made = minisign.secret_key_replica(left) if left.name.endswith(".key") else ""
            if made and not path.exists() and minisign.secret_key_replica(kpath) == made:
                kpath.unlink(missing_ok=True)
            left.unlink(missing_ok=True)


def _replica_of(path: Path) -> str:
    """The replica id a database says it is ("" when it cannot be read or says none)."""
    try:
        with store.reading(path) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()
    except (*store.READ_ERRORS, sqlite3.Error):
        return ""
    return str(row[0]) if row and row[0] else ""


def _forget_names_of(path: Path, tmp: Path) -> bool:
    """Whether ``tmp`` is another name of the database at ``path`` (an init killed
    once it had put it there, before it dropped the temporary names): then those names
    are dropped, never the files."""
    try:
        same = path.exists() and os.path.samefile(tmp, path)
    except OSError:
        return False
    if not same:
        return False
    tkey, kpath = key_path(tmp), key_path(path)
    with contextlib.suppress(OSError):
        if tkey.exists() and kpath.exists() and os.path.samefile(tkey, kpath):
            tkey.unlink()
    with contextlib.suppress(OSError):
        tmp.unlink()
    return True


def forget_init_names(path: str | os.PathLike[str]) -> None:
    """(opening ``path``) Drop the temporary names an init killed just after putting
    the database in place left on it (hard links: the same files): left, a later
    init at ``path``, the database deleted meanwhile, would take them for its own
    unfinished work. One look at the folder."""
    path = Path(path)
    for tmp in _init_leftovers(path):
        if _is_init_temporary(path, tmp):
            _forget_names_of(path, tmp)


def _init_leftovers(path: Path) -> list[Path]:
    """The files beside ``path`` named as inits of it name theirs (temporary databases,
    their key and side files), in order; [] when the folder cannot be read."""
    import glob

    try:
        return sorted(path.parent.glob(f".{glob.escape(path.name)}.*.init*"))
    except OSError:
        return []


def _is_init_temporary(path: Path, file: Path) -> bool:
    """Whether ``file`` is the temporary database of an init of ``path``."""
    match = _INIT_TEMPORARY.fullmatch(file.name)
    return match is not None and match.group(1) == path.name


def clear_unfinished_init(path: str | os.PathLike[str]) -> bool:
    """Remove what a killed ``init`` of ``path`` left, as the next ``init`` does first
    (the database ``open_replica`` found not set up, NotSetUpError: what an older
    fieldplan's init left, ``INIT_PENDING``; and the temporary files beside it).
    Whether the database's name is free now (the client then starts on its first run;
    anything else is left as it is, and said as it was)."""
    path = Path(path)
    with _initialising(path):
        _clear_unfinished_inits(path)
        _clear_failed_init(path)
    return not os.path.lexists(path)


def remove_new_database(path: str | os.PathLike[str], replica_id: str) -> None:
    """Remove the database an ``init`` just made at ``path`` for nothing (the first
    run cancelled while it was made), with its key file: only while it is still
    ``replica_id``'s, and no program has it open."""
    path = Path(path)
    if store.in_use(path):
        return
    try:
        with store.reading(path) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()
    except store.READ_ERRORS:
        return
    if row is not None and row[0] == replica_id:
        _remove_unfinished(path, replica_id)


def _init_lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.init-lock")


@contextlib.contextmanager
def _initialising(path: Path) -> Iterator[None]:
    """Hold ``.<name>.init-lock`` beside ``path`` locked while an init of it runs: a
    second one waits, then finds the database made (and never takes the first one's
    temporary files for a killed init's). The lock goes with the process."""
    lock = _init_lock_path(path)
    try:
        fd = store.lock_at_name(lock, _lock_file)
    except BlockingIOError:  # (replaced ten times over: on without it)
        fd = None
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise
        fd = None  # (a file system without locks, NFS: as before there was one)
    if fd is None:  # (or a folder that cannot take it: the init says what fails next)
        yield
        return
    try:
        try:
            yield
        finally:
            if os.name != "nt":  # (Windows deletes no open file: it stays, unused)
                with contextlib.suppress(OSError):
                    lock.unlink()
    finally:
        os.close(fd)


def _lock_file(fd: int) -> None:
    """Lock the file ``fd`` is open on, waiting for another process that holds it."""
    if os.name == "nt":
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError as exc:
                # LK_LOCK gives up after ten tries a second apart (EDEADLOCK): asked
                # again, as POSIX's lock waits until the holder lets go
                if exc.errno != errno.EDEADLK:
                    raise
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _move_orphaned_drafts(path: Path) -> list[Path]:
    """Move aside the client's drafts files lying where a database is about to be made
    (``draftfiles.move_orphaned``): typed in a database that was there (deleted, or
    moved away), they must never go into the new one, another office's perhaps.
    Where they went; StoreError, nothing made, when one cannot be moved."""
    from fieldplan.draftfiles import move_orphaned

    try:
        return move_orphaned(path)
    except OSError as exc:
        raise StoreError(_("cannot move the drafts file {file} out of the way: {error}")
                         .format(file=ltr(exc.filename or path),
                                 error=exc.strerror or exc)) from exc


def _put_back_drafts(moved: list[Path]) -> None:
    """Put the drafts files ``_move_orphaned_drafts`` moved aside back at their names
    (the init failed: no database was made there), each only while its name is free;
    one that cannot be is left aside, kept."""
    from fieldplan.files import OTHER_DATABASE_MARK

    for aside in moved:
        name = aside.with_name(aside.name.rsplit(OTHER_DATABASE_MARK, 1)[0])
        with contextlib.suppress(OSError):
            _place(aside, name)  # (never over a file)
            if aside.exists() and os.path.samefile(aside, name):
                aside.unlink()


def _clear_failed_init(path: Path) -> None:
    """Remove what a failed or killed ``init`` left at ``path``: a database with no
    tables, or fieldplan's tables holding nothing but the identity an init was making
    (``INIT_PENDING``), with the key file made for it. Any other file stays (the
    caller then refuses to write over it), and so does one another program has open
    (an ``init`` under way)."""
    from fieldplan import schema

    if not path.is_file() or store.in_use(path):
        return
    try:
        conn = sqlite3.connect(store.read_only_uri(path), uri=True)
        try:
            tables = {n for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'")}
            if not tables <= _schema_tables():
                return  # some other database
            meta: dict[str, str] = {}
            if "meta" in tables:
                meta = dict(conn.execute("SELECT key, value FROM meta"))
            if set(meta) - {INIT_PENDING}:
                return  # it holds something: not an init's leftovers
            sets = {n for (n,) in conn.execute(
                "SELECT DISTINCT migration_set FROM _sqlite_migrations")} \
                if "_sqlite_migrations" in tables else set()
            if sets - {schema.MIGRATION_SET}:
                return  # another program's migrations
            if tables - {"_sqlite_migrations"} and not sets:
                # fieldplan's tables come with the record of the migration that made them
                # (one transaction): tables of these names without it are another program's
                return
            for table in tables - {"meta", "_sqlite_migrations"}:
                if conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                    return  # it holds something: not an init's leftovers
        finally:
            conn.close()
    except sqlite3.Error:
        return  # not a database (or not readable): left alone
    _remove_unfinished(path, meta.get(INIT_PENDING, ""))


def _schema_tables() -> set[str]:
    """The names of the tables fieldplan's migrations make (measured on an empty
    database in memory, so the list never falls behind the schema)."""
    from fieldplan import schema

    conn = sqlite3.connect(":memory:")
    try:
        schema.migrate(conn)
        return {n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'")}
    finally:
        conn.close()


def _remove_unfinished(path: Path, replica_id: str) -> None:
    """Delete an unfinished database and the key file made for it (only a key file
    that says it is ``replica_id``'s: never one of another database)."""
    from fieldplan import minisign

    kpath = key_path(path)
    # the database first, its key once it is gone: a database that cannot be deleted
    # (open in another program, on Windows) keeps its key, never left unable to sign
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if p.is_file():  # (never a device or a pipe found there)
            p.unlink(missing_ok=True)
    if replica_id and not path.exists() and minisign.secret_key_replica(kpath) == replica_id:
        kpath.unlink(missing_ok=True)


def init_hq(path: str | os.PathLike[str], *, plan=None, author: str | None = None) -> Replica:
    """A new headquarters database holding the plan (the built-in template unless
    given) and HQ's own public key in the key registry."""
    from fieldplan.plan import check_plan_size, default_plan, plan_to_dict

    plan = plan or default_plan()
    check_plan_size(plan)  # no office could be enrolled with a plan a bundle cannot carry

    def fill(rep: Replica, secret: Any) -> None:
        events.append(rep.conn, "plan", plan.id, {"document": plan_to_dict(plan)},
                      author=rep.author)
        register_key(rep, secret.public, office="HQ", replica_id=rep.replica_id)

    return _create(Path(path), role=ROLE_HQ, office="HQ", plan_id=plan.id, author=author,
                   fill=fill)


def register_key(rep: Replica, public, *, office: str, replica_id: str,
                 status: str = "active", renews: str = "",
                 scope: str = "", base: dict[str, list[str]] | None = None
                 ) -> events.Event:
    """(HQ, inside a write transaction) bind a replica's public key to its office;
    ``renews``: the replica it continues (a database restored from a backup);
    ``scope``: of a revoked key, what its revocation cuts off (``sync.keys``);
    ``base``: the versions it replaces, when not those shown here (``events.append``)."""
    if not rep.is_hq:
        raise ValidationError(_("only headquarters keeps the key registry"))
    fields = {"office": office, "replica": replica_id, "public_key": public.to_base64(),
              "status": status}
    if renews:
        fields["renews"] = renews
    if scope:
        fields["scope"] = scope
    if base is None:
        # (restored) over the versions of these fields a restore lost, which offices
        # hold: replaced there too, not left beside it as a conflict
        from fieldplan.sync.state import over_lost

        base = over_lost(rep, "key", public.key_id_hex, fields)
    return events.append(rep.conn, "key", public.key_id_hex, fields, author=rep.author,
                         base=base)


def replica_office(rep: Replica, origin: str) -> str | None:
    """The office a replica belongs to, from the key registry (or this replica)."""
    if origin == rep.replica_id:
        return rep.office
    for key in events.entities_of(rep.conn, "key").values():
        if key.get("replica") == origin:
            return key.get("office")
    return None


def _uuid4() -> str:
    # uuid is imported here, not at the top: it loads platform, which cost the client's
    # cold start tens of milliseconds for something only `init` needs
    import uuid

    return str(uuid.uuid4())
