"""The draft journal: what was typed in a report and is not known to be saved yet.

A small JSON file beside the database (``<db>.drafts.json``, written atomically)
holds, per (action, period), the values typed but not yet confirmed written, the
text of fields held back as not valid, and for each of those fields the versions
(``fieldplan.progress.report_versions``) it was typed over ("base"). The editor writes
it shortly after each edit and before each save is sent, and drops a report's fields
from it when a save of exactly those values is done and no later save of them was sent
(``sending``: that one writes over it) — on the worker thread that made it, so a save
made as the program ends (after the event loop) is confirmed too. So a
save that fails (a busy or locked database), a closed window, a crash or a language
change loses nothing: the values are shown again when the report is next opened, and
reports not on screen are retried in the background (``DraftRetry``) until the core
takes them.

A draft the plan refuses (its action no longer in the plan or no longer at this
office's level, its period outside the plan's dates: an amendment since it was typed)
is never retried: no waiting cures it. It is set aside, moved out of the journal into
``<db>.drafts-set-aside.json`` (the journal's format, each entry with why), and the
status bar says so (``set_aside_reports``), after a restart too, until the person has
read the text in the window (View ▸ Text set aside…, or the button beside the
message), copied it if need be, and chosen to discard it (``discard_aside``).

So are a draft's fields the editor cannot show (``set_apart``): a field this version
has not (a drafts file damaged on disk, or one a later release wrote) or a value of
another kind than its field's. Opening the report would drop them (the editor puts
back only what it shows); they are kept in the journal's file, never sent, until the
set-aside file holds them, with the reason ``UNFIT``; the rest of the draft stays.
A value typed for an indicator the plan has no longer (an amendment dropped it since)
is set aside so too, with the reason ``DROPPED``.

A draft is written over the versions it was typed over, never blindly over what the
database holds by then: a draft saved before is left out, and one whose field moved
on since (another laptop's text imported, ``fieldplan progress set``) is kept beside
the newer value as a conflict for a person to settle. A field without its versions
(an entry written before entries had them, or a damaged one) reads as typed over
versions not known (None): the core leaves it out if the field shows it, keeps it as a
conflict if the field held it once, and otherwise writes it over what the field shows.

One journal per open database, shared by the windows on it (``journal_for``). The
file is written on a thread of its own (``_FileWriter``): its fsync, which can take
a good part of a second on a slow disk, never holds up typing. Closing the window
waits for it (``flush``).

Another process may write the same file (a second client on the database despite
ui.single_instance: another user's, on a shared folder). So a write takes a lock
file, reads the file again and changes only the entries of the reports this
journal changed; it removes an entry only while it is still the one this journal
loaded or wrote. Neither process loses what the other holds.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from fieldplan.draftfiles import (
    OWNER_KEY,
    DraftsOwner,
    move_to_other_database,
    other_database_files,
    owner_office,
    read_drafts,
    read_json,
)
from fieldplan.errors import FieldplanError, FileError, ValidationError
from fieldplan.files import (
    DRAFTS_SET_ASIDE_SUFFIX,
    DRAFTS_SUFFIX,
    UNREADABLE_MARK,
    cannot_read,
    cannot_write,
    companion_mode,
    os_error_cause,
    write_atomic,
)

#: (action code, period)
Key = tuple[str, str]

#: How long a save from the editor waits for another writer's lock before it fails
#: (the core's connection waits 30 s): the journal keeps the values and they are
#: retried, so the worker — and closing the window — never waits long for a lock.
SAVE_BUSY_MS = 1500
#: How often saves that failed are tried again.
RETRY_MS = 3000


#: How long closing a window waits for the journal file to reach the disk.
FLUSH_TIMEOUT_S = 10.0
#: How long a write waits for another process writing the same journal (a second
#: client on the database, another user's on a shared folder): each holds the lock
#: for one read and one write.
LOCK_WAIT_MS = 5000
#: A lock file older than this was left by a writer that died (on another computer:
#: one on this computer is seen to be gone at once).
LOCK_STALE_MS = 30_000
#: The file's format: ``{"version": 1, "drafts": [entry, …]}``, an entry a JSON
#: object with (at least) "action" and "period".
FORMAT_VERSION = 1
#: The reason a draft's fields are set aside when the editor cannot show them
#: (``DraftJournal.set_apart``): a field this version has not (a drafts file damaged
#: on disk, or one a later release wrote) or a value of another kind than its field's.
UNFIT = "fields"
#: The reason values typed for indicators the plan has no longer (an amendment dropped
#: them since it was typed) are set aside (``set_apart``): said apart from ``UNFIT``,
#: which would send the person to look for a newer fieldplan.
DROPPED = "indicator"
#: The reason values typed for indicators an amendment moved to another action that
#: the plan does not show this office for the period (another level) are set aside:
#: the entry's "why" is this code, that action and ``PlanScope.why_hidden``'s codes
#: (``["moved", "PA1.1", "level"]``); said apart from ``DROPPED``, which says the plan
#: has no such indicator where it has it, under that action.
MOVED = "moved"
#: The reasons an entry of the set-aside file of fields ``set_apart`` took out of a
#: draft gives ("why"): the rest of its draft stayed the plan's.
_APART_WHY = ([UNFIT], [DROPPED])
#: Where a journal's entry keeps those fields (``set_apart``) that a value typed in the
#: editor since, in the same field, took the place of: ``{"values": …, "held": …,
#: "base": …}``; the others are among the entry's own until they are set aside.
APART_KEY = "apart"

_NOTHING = object()  # the writer has nothing waiting


def _entry_key(entry: Any) -> Key | None:
    """The report an entry of the file is for, or None when it says none."""
    try:
        return (str(entry["action"]), str(entry["period"]))
    except (KeyError, TypeError, IndexError):
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_fits(name: str, value: Any, indicators: set[str] | frozenset[str]) -> bool:
    """Whether the report editor can show (and save) ``value`` in its field ``name``,
    for an action with these ``indicators`` (keys): a field it has, a value of its
    field's kind."""
    from fieldplan.model import NARRATIVE_FIELDS, STATUSES

    if name == "status":
        return isinstance(value, str) and value in STATUSES
    if name == "percent":
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if name.startswith("value."):
        return name[len("value."):] in indicators and (value is None or _is_number(value))
    return name in NARRATIVE_FIELDS and isinstance(value, str)


def held_fits(name: str, text: str, indicators: set[str] | frozenset[str]) -> bool:
    """Whether the report editor can show a text held back as not valid in its field
    ``name`` (a status only as one of its own)."""
    from fieldplan.model import NARRATIVE_FIELDS, STATUSES

    if name == "status":
        return text in STATUSES
    if name.startswith("value."):
        return name[len("value."):] in indicators
    return name == "percent" or name in NARRATIVE_FIELDS


def _apart_why(apart: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Why these fields ``set_apart`` took out of a draft are set aside: (DROPPED,) when
    each is a value of an indicator, of an indicator's kind (a number, none, or text
    held back), taken out only because the plan has no such indicator now; else
    (UNFIT,)."""
    values, held = apart.get("values", {}), apart.get("held", {})
    dropped = (values or held) and all(
        name.startswith("value.") and (value is None or _is_number(value))
        for name, value in values.items()) and all(
        name.startswith("value.") for name in held)
    return (DROPPED,) if dropped else (UNFIT,)


def _is_apart(entry: dict[str, Any]) -> bool:
    """Whether an entry of the set-aside file holds fields ``set_apart`` took out of a
    draft (not a draft the plan refuses): those of values of indicators moved to an
    action the plan does not show this office (``MOVED``) too."""
    why = entry.get("why")
    return why in _APART_WHY or (isinstance(why, list) and why[:1] == [MOVED])


def _canon_value(value: Any) -> str:
    """A field's value as one text: 1, 1.0 and true told apart."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)


def _canon(entry: Any) -> str:
    """An entry as one JSON text, the same for the same content however its keys are
    ordered (ValueError for what JSON cannot hold: NaN, infinity)."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, allow_nan=False)


class _FileWriter:
    """Writes one journal's changes into its file on a thread of its own, the latest
    first: changes handed over while a write runs are gathered, and only the latest
    of each report is written next. ``report(error)`` is called on that thread after
    each write ("" when it succeeded). The thread ends when nothing waits.

    The file may be written by others too (another client on the same database,
    another user's on a shared folder), so a write never puts this journal's memory
    in place of the file: under a lock file (``<file>.lock``) it reads the file,
    changes the entries of the reports this journal changed, and leaves the others
    as they are. An entry this journal drops is removed only while it is still what
    this journal loaded or wrote (``known``): one another writer has written since
    is theirs and stays."""

    def __init__(self, path: Path, report: Callable[[str], None],
                 owner: DraftsOwner | None = None) -> None:
        self.path = path
        self._report = report
        #: the database the file is written for (named in its header), None when not
        #: known: the file's own header is then kept as it is
        self.owner = owner
        #: (writer thread) where a file written for another database that took this
        #: one's place was moved (``_read``), for the GUI thread to say
        self.moved: list[Path] = []
        self._cond = threading.Condition()
        self._pending: Any = _NOTHING  # {key: canonical entry, or None to drop it}
        self._busy = False
        #: the running write is done, only its report is left (``writing``)
        self._done = False
        self._thread: threading.Thread | None = None
        #: (writer thread) the changes of the write that failed, tried again with the
        #: next ones
        self._carry: dict[Key, str | None] = {}
        #: (writer thread, after the loader) each entry as this journal last saw it
        #: in the file (it loaded or wrote it), canonical: the ones it may remove
        self.known: dict[Key, str] = {}
        #: (writer thread) why the last write failed, or "": said before the GUI
        #: thread hears it (``report``), for a window closing now
        self.error = ""

    def submit(self, changes: dict[Key, str | None]) -> None:
        """Write these reports' entries (None: remove it) soon."""
        with self._cond:
            if self._pending is _NOTHING:
                self._pending = dict(changes)
            else:
                self._pending.update(changes)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="draft-journal",
                                                daemon=True)
                self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything handed over is written; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._pending is _NOTHING and not self._busy, timeout)

    @property
    def writing(self) -> bool:
        """Whether a write is running or waiting to run (a slow disk)."""
        with self._cond:
            return self._pending is not _NOTHING or (self._busy and not self._done)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    if self._pending is _NOTHING:
                        # said under the lock: a submit from now on starts a thread
                        self._thread = None
                        return
                    changes, self._pending = self._pending, _NOTHING
                    self._busy = True
                try:
                    self.error = self._write(changes)
                    with self._cond:
                        # written: ``writing`` is false from before the GUI thread
                        # hears of it (``busy`` stays until the report is out: a flush
                        # that returns has it sent)
                        self._done = True
                    self._report(self.error)
                except Exception:  # the report itself failed (a journal deleted): go on
                    pass
                finally:
                    with self._cond:
                        self._busy = False
                        self._done = False
                        self._cond.notify_all()
        finally:
            # ended by an exception: the next submit starts a thread again, and no
            # flush waits for this one (ended normally, a thread the next submit
            # started may be writing already: its state is left alone)
            with self._cond:
                if self._thread is threading.current_thread():
                    self._thread = None
                    self._busy = self._done = False
                self._cond.notify_all()

    def _write(self, changes: dict[Key, str | None]) -> str:
        """Write the changes (with those of a write that failed); the reason it
        failed, or ""."""
        changes = {**self._carry, **changes}
        self._carry = {}
        if not changes:
            return ""
        try:
            error = self._merge(changes)
        except FieldplanError as exc:
            error = str(exc)
        except OSError as exc:  # (another database's file that could not be moved aside)
            error = str(cannot_write(self.path, exc, own=True))
        except Exception as exc:  # anything else is said too: never a thread that dies
            error = f"{type(exc).__name__}: {exc}"
        if error:
            self._carry = changes
        return error

    def _merge(self, changes: dict[Key, str | None]) -> str:
        lock = QLockFile(f"{self.path}.lock")
        lock.setStaleLockTime(LOCK_STALE_MS)
        if (not lock.tryLock(LOCK_WAIT_MS)
                and lock.error() == QLockFile.LockError.LockFailedError):
            from fieldplan.i18n import _

            # Translators: why the drafts file cannot be written ("The drafts file
            # cannot be written: {error}"): a second fieldplan on the same database
            return _("another fieldplan is writing it")
        # (a lock file that cannot be made at all, on an odd file system: written
        # without it; a folder that cannot be written to is said by the write itself)
        try:
            entries: dict[Key, Any] = {}
            found, header = self._read()
            for entry in found:
                key = _entry_key(entry)
                if key is not None:  # an entry for no report is of use to no one
                    entries[key] = entry
            known = dict(self.known)
            for key, text in changes.items():
                if text is None:
                    there = entries.get(key)
                    if there is not None and _same(there, known.get(key)):
                        del entries[key]
                    known.pop(key, None)  # gone, or another writer's from now on
                else:
                    entries[key] = json.loads(text)
                    known[key] = text
            if entries:
                data = {"version": FORMAT_VERSION, **header,
                        "drafts": [entries[key] for key in sorted(entries)]}
                # allow_protected: the one writer of this file, which outputs may not
                # replace
                write_atomic(self.path, json.dumps(data, ensure_ascii=False,
                                                   indent=1).encode("utf-8"),
                             mode=_mode_of(self.path), allow_protected=True)
            else:
                try:
                    self.path.unlink(missing_ok=True)
                except OSError as exc:  # in words, as write_atomic's (a read-only disk)
                    raise cannot_write(self.path, exc, own=True) from None
            self.known = known
            return ""
        finally:
            if lock.isLocked():
                lock.unlock()

    def _read(self) -> tuple[list[Any], dict[str, Any]]:
        """The file's entries as they are now (none when there is no file), and the
        header to write with them (its owner: ``self.owner``'s, else the file's)."""
        header = {OWNER_KEY: self.owner.header()} if self.owner is not None else {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], header
        except OSError as exc:  # in words, not "[Errno 13] Permission denied: '…'"
            raise cannot_read(self.path, exc, own=True) from None
        try:
            data = read_json(text)
            entries = data["drafts"]
            if not isinstance(entries, list):
                raise TypeError("drafts is not a list")
        except (ValueError, KeyError, TypeError):
            # damaged: set it aside (as loading does) rather than write over it; kept
            # where it is when it cannot be (the write fails, said, and the changes
            # wait in memory for the next)
            _set_aside_or_keep(self.path)
            return [], header
        if self.owner is None:
            return entries, {OWNER_KEY: data[OWNER_KEY]} if OWNER_KEY in data else {}
        if not self.owner.owns(data):
            # another database's journal put in this one's place since it was loaded:
            # kept whole, never merged into (OSError: the write fails, and is said)
            self.moved.append(move_to_other_database(self.path))
            return [], header
        return entries, header


def _mode_of(path: Path) -> int:
    """The permissions of the drafts file or set-aside file ``path``: its database's
    (``companion_mode``). Both hold a person's text, which the database keeps from
    other users of the computer: under the usual umask they were 0644 beside a
    database made 0600."""
    name = str(path)
    for suffix in (DRAFTS_SUFFIX, DRAFTS_SET_ASIDE_SUFFIX):
        if name.endswith(suffix):
            return companion_mode(name[:-len(suffix)])
    return 0o600


def _set_aside(path: Path) -> Path | None:
    """Move a damaged journal file out of the way, to a name of its own
    (``<file>.unreadable-<UTC time>``, ``-2``… if taken): one set aside earlier is kept
    too. Where it went, or None if it could not be moved."""
    with contextlib.suppress(OSError):
        return _move_aside_damaged(path)
    return None


def _move_aside_damaged(path: Path) -> Path:
    """``_set_aside``, raising the OSError that kept the file where it is."""
    import errno

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}{UNREADABLE_MARK}{stamp}"
                               + (f"-{n}" if n > 1 else ""))
        if aside.exists():
            continue
        path.replace(aside)
        return aside
    raise FileExistsError(errno.EEXIST, "every name to move it to is taken")


def _set_aside_or_keep(path: Path) -> Path:
    """Set a damaged file aside before it is written again; where it could not be
    moved, a FileError that says it is kept as it is: it is never written over (what
    it holds may be a person's text), and the write that wanted it waits."""
    try:
        return _move_aside_damaged(path)
    except OSError as exc:
        from fieldplan.i18n import _, ltr

        # Translators: why the drafts file (or the file of text set aside) cannot be
        # written; {reason} why it could not be moved, e.g. "permission denied"
        raise FileError(_("{file} is damaged and could not be moved aside ({reason}): it "
                          "is left as it is, and what is new waits until it can be "
                          "moved").format(file=ltr(path), reason=os_error_cause(exc))) from None


def _append_entries(path: Path, entries: list[dict[str, Any]],
                    owner: DraftsOwner | None = None) -> str:
    """Add ``entries`` to the journal-format file ``path`` (made if missing; one that
    cannot be read is moved aside first, as the journal's is, and so is one written
    for another database than ``owner``): the reason it failed, or "". Under a lock
    file, as the journal is written: two clients may add at once."""
    lock = QLockFile(f"{path}.lock")
    lock.setStaleLockTime(LOCK_STALE_MS)
    if not lock.tryLock(LOCK_WAIT_MS) and lock.error() == QLockFile.LockError.LockFailedError:
        from fieldplan.i18n import _

        return _("another fieldplan is writing it")
    try:
        kept: list[Any] = []
        header: dict[str, Any] = {OWNER_KEY: owner.header()} if owner is not None else {}
        try:
            data = read_json(path.read_text(encoding="utf-8"))
            kept = data["drafts"]
            if not isinstance(kept, list):
                raise TypeError("drafts is not a list")
            if owner is None and OWNER_KEY in data:
                header = {OWNER_KEY: data[OWNER_KEY]}
            elif owner is not None and not owner.owns(data):
                move_to_other_database(path)  # another database's: kept whole, apart
                kept = []
        except FileNotFoundError:
            kept = []
        except OSError as exc:  # in words, not "[Errno 21] Is a directory: '…'"
            raise cannot_read(path, exc, own=True) from None
        except (ValueError, KeyError, TypeError):
            _set_aside_or_keep(path)  # (FileError, said: the entries stay in the journal)
            kept = []
        # an entry the file holds already is not added again: a client killed once
        # the file held it, before its journal was written without it, sets the same
        # draft aside at the next start (the text would be listed twice)
        held = {_aside_text(e) for e in kept}
        entries = [e for e in entries if _aside_text(e) not in held]
        if not entries:
            return ""
        data = {"version": FORMAT_VERSION, **header, "drafts": [*kept, *entries]}
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"),
                     mode=_mode_of(path), allow_protected=True)
        return ""
    except FieldplanError as exc:
        return str(exc)
    except OSError as exc:  # (another database's file that could not be moved aside)
        return str(cannot_write(path, exc, own=True))
    finally:
        if lock.isLocked():
            lock.unlock()


def _aside_text(entry: Any) -> str:
    """An entry of the set-aside file as one text, without when it was set aside nor
    the words of why (said in the language of the day): the same draft set aside twice
    gives the same text."""
    if not isinstance(entry, dict):
        return repr(entry)
    try:
        return _canon({k: v for k, v in entry.items() if k not in ("set_aside_at", "error")})
    except (TypeError, ValueError):
        return repr(entry)


def _aside_entries(path: Path) -> list[dict[str, Any]]:
    """The entries of the set-aside file ``path`` that name a report, in the order they
    were set aside; [] when there is none, or it cannot be read (the next setting aside
    keeps it under a name of its own: ``_append_entries``)."""
    try:
        kept = read_json(path.read_text(encoding="utf-8"))["drafts"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [e for e in kept if isinstance(e, dict) and _entry_key(e) is not None] \
        if isinstance(kept, list) else []


class AsideReason(str):
    """Why a draft was set aside, as the plan's reasons (``why``: the codes
    ``PlanScope.why_hidden`` gives) said in the language of the moment it is shown:
    str() of it. Kept in the file as its codes and, for a reader without them (an
    earlier fieldplan), in the words of the day it was set aside."""

    why: tuple[str, ...]

    def __new__(cls, words: str, why: tuple[str, ...] = ()) -> AsideReason:
        made = super().__new__(cls, words)
        made.why = why
        return made

    def __str__(self) -> str:
        if self.why == (UNFIT,):
            from fieldplan.i18n import _

            # Translators: why text typed in a report was set aside (after "PA1.1 (2nd
            # semester 2026): "): a drafts file damaged on disk, or one a later
            # fieldplan wrote
            return _("this version of fieldplan cannot show it: a field it does not "
                     "have, or a value of another kind")
        if self.why == (DROPPED,):
            from fieldplan.i18n import _

            # Translators: why a value typed for an indicator was set aside (after
            # "PA1.1 (2nd semester 2026): "): headquarters' update of the plan dropped
            # that indicator since it was typed
            return _("the current plan has no such indicator")
        if self.why[:1] == (MOVED,) and len(self.why) > 1:
            from fieldplan.i18n import _
            from fieldplan.planops import why_hidden_text

            # Translators: why a value typed for an indicator was set aside (after
            # "PA1.2 (2nd semester 2026): "): headquarters' update of the plan moved
            # that indicator to the action {action}, whose report this office does
            # not write; {reasons} as in "Hidden by the plan: {reasons}." (the action
            # is no longer at this office's level…)
            return _("the current plan moved this indicator to {action}, which it does "
                     "not show to this office ({reasons})").format(
                         action=self.why[1], reasons=why_hidden_text(self.why[2:]))
        if self.why:
            from fieldplan.planops import why_hidden_text

            return why_hidden_text(self.why)
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _foreign_of(entries: list[tuple[Path, dict[str, Any]]]) -> list[tuple[Key, str]]:
    """``DraftJournal.foreign`` of another database's entries: each report once, with
    the office its file names."""
    out: dict[Key, str] = {}
    for _path, entry in entries:
        key = _entry_key(entry)
        if key is not None:
            out.pop(key, None)
            out[key] = str(entry.get("_office") or "")
    return list(out.items())


def _put_aside_of(entries: list[dict[str, Any]]) -> list[tuple[Key, AsideReason]]:
    """``DraftJournal.put_aside`` of the set-aside file's entries: each report once,
    with why its latest entry was set aside (in the language it is read in, when the
    entry kept the plan's reasons: one set aside in French read in Arabic after a
    restart)."""
    out: dict[Key, AsideReason] = {}
    for entry in entries:
        key = _entry_key(entry)
        if key is not None:
            out.pop(key, None)  # (in the order of the latest)
            out[key] = _reason_of(entry)
    return list(out.items())


def _reason_of(entry: dict[str, Any]) -> AsideReason:
    """An entry's ``AsideReason``: its plan reasons (``why``) when it kept them."""
    why = entry.get("why")
    codes = tuple(why) if isinstance(why, list) and all(
        isinstance(code, str) for code in why) else ()
    return AsideReason(str(entry.get("error") or ""), codes)


def _remove_entries(path: Path, entries: list[dict[str, Any]]) -> str:
    """Take ``entries`` out of the set-aside file ``path`` (each as it was read: those
    added since stay, by this program or another), and the file with the last of them:
    the reason it failed, or "". Under its lock file, as ``_append_entries``."""
    from fieldplan.i18n import _

    gone = []
    for entry in entries:
        with contextlib.suppress(ValueError, TypeError):
            gone.append(_canon(entry))
    lock = QLockFile(f"{path}.lock")
    lock.setStaleLockTime(LOCK_STALE_MS)
    if not lock.tryLock(LOCK_WAIT_MS) and lock.error() == QLockFile.LockError.LockFailedError:
        return _("another fieldplan is writing it")
    try:
        try:
            data = read_json(path.read_text(encoding="utf-8"))
            kept = data["drafts"]
            if not isinstance(kept, list):
                raise TypeError("drafts is not a list")
        except FileNotFoundError:
            return ""
        except OSError as exc:  # in words, not "[Errno 5] Input/output error: '…'"
            raise cannot_read(path, exc, own=True) from None
        left = []
        for entry in kept:
            try:
                text: str | None = _canon(entry)
            except (ValueError, TypeError):
                text = None
            if text is not None and text in gone:
                gone.remove(text)  # (of two identical entries, one each)
            else:
                left.append(entry)
        if any(isinstance(e, dict) and _entry_key(e) is not None for e in left):
            data["drafts"] = left
            write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1)
                         .encode("utf-8"), mode=_mode_of(path), allow_protected=True)
        else:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:  # in words, as write_atomic's (a read-only disk)
                raise cannot_write(path, exc, own=True) from None
        return ""
    except (FieldplanError, ValueError, KeyError, TypeError) as exc:
        return str(exc)
    except OSError as exc:
        return str(cannot_write(path, exc, own=True))
    finally:
        if lock.isLocked():
            lock.unlock()


class _Sent:
    """The last save sent of one field of a report (``DraftJournal.sending``)."""

    __slots__ = ("number", "typed_since", "value", "written")

    def __init__(self, number: int, value: Any) -> None:
        #: the save's number (``sending``): saves run in the order they are sent
        self.number = number
        #: the value it sends
        self.value = value
        #: the version it wrote, once the worker confirmed it (None until then, and
        #: when it wrote none: the field held that value already)
        self.written: list[str] | None = None
        #: another value (or text held back as not valid) was put in the journal for
        #: the field since it was sent
        self.typed_since = False


def _same(entry: Any, text: str | None) -> bool:
    if text is None:
        return False
    try:
        return _canon(entry) == text
    except (ValueError, TypeError):
        return False


_journals: weakref.WeakSet[DraftJournal] = weakref.WeakSet()


def flush_all(timeout: float | None = FLUSH_TIMEOUT_S) -> None:
    """Wait until every open journal's file is written (closing, and tests)."""
    for journal in list(_journals):
        journal.flush(timeout)


def _reporter(journal: DraftJournal) -> Callable[[str], None]:
    """(for the journal's writer thread) Say a write's end to ``journal`` while it is
    there. The journal is held only while it is told: given its signal's ``emit``
    alone, the thread could be inside it as the GUI thread let the journal go (a
    window closed, a test ended), its Qt object deleted under the call, and the
    program crashed (a segmentation fault in the test suite); a journal gone is told
    nothing."""
    held = weakref.ref(journal)

    def report(error: str) -> None:
        journal = held()  # (a strong reference for the call: not deleted during it)
        if journal is not None:
            journal._written.emit(error)

    return report


class DraftJournal(QObject):
    """The unsaved values of reports, kept in ``<db>.drafts.json``.

    Used on the GUI thread, and by the worker thread to confirm a save it made
    (``confirm``, ``write``): its contents are kept under a lock."""

    #: the journal file could not be written, or can be again (``write_error``)
    write_state_did_change = Signal()
    #: a write of the file ended, whether or not it failed: one that only outlasted a
    #: closing window's wait (a very slow disk) changes no error, yet keeps the text
    write_did_end = Signal()
    _written = Signal(str)  # (writer thread) a write ended, with its error or ""
    #: a setting aside (``set_aside_off_thread``) ended, whether or not the set-aside
    #: file took the text (``aside_error``), or a discarding of text set aside ended
    #: for a window gone since: heard by whichever window shows the journal now (a
    #: language change makes the window again meanwhile)
    aside_did_end = Signal()

    def __init__(self, db_path: str | Path, parent: QObject | None = None,
                 owner: DraftsOwner | None = None) -> None:
        """``owner``: the database open (``fieldplan.draftfiles``): its files name it,
        and files written for another database are moved aside, never applied. None:
        not known (every file is taken as this database's, as before owners)."""
        super().__init__(parent)
        self.path = Path(f"{db_path}{DRAFTS_SUFFIX}")
        self.db_path = Path(db_path)
        self.owner = owner
        self._lock = threading.RLock()
        self._values: dict[Key, dict[str, Any]] = {}
        self._held: dict[Key, dict[str, str]] = {}
        #: per field of the values and held texts, the versions it was typed over
        #: (None: not known, an older entry)
        self._base: dict[Key, dict[str, list[str] | None]] = {}
        #: per report, its fields the editor cannot show ("values", "held" and their
        #: "base", as an entry holds them: ``set_apart``), kept in the file until the
        #: set-aside file holds them; never sent to the core nor put by the editor
        self._apart: dict[Key, dict[str, dict[str, Any]]] = {}
        #: what this program's writes replaced: (report, field, versions replaced) →
        #: [version written]. A field typed while a save of it was on its way was typed
        #: over what that save wrote: its base follows the chain (``confirm``, ``put``)
        self._chain: dict[tuple[Key, str, tuple[str, ...]], list[str]] = {}
        #: (report, field) → the last save of it sent to the worker (``sending``): only
        #: a save no later one of the field followed says its value is in the database
        self._sent: dict[tuple[Key, str], _Sent] = {}
        self._sends = 0
        #: why the core refused a report's values (locked period, submitted report)
        self.errors: dict[Key, str] = {}
        #: why the journal itself could not be written the last time, or ""
        self.write_error = ""
        #: where an unreadable journal found at start was moved to (kept, not lost)
        self.set_aside: Path | None = None
        #: where the drafts the plan refuses are kept (``set_aside_reports``)
        self.aside_path = Path(f"{db_path}{DRAFTS_SET_ASIDE_SUFFIX}")
        #: why a file written for another database could not be moved aside (it is
        #: then neither applied nor written over), or ""
        self.foreign_error = ""
        foreign = self._claim_files()
        #: the reports whose text is set aside there, with why: earlier sessions'
        #: too, until the person discards it (``discard_aside``)
        self.put_aside: list[tuple[Key, AsideReason]] = _put_aside_of(
            _aside_entries(self.aside_path)) if self.aside_path not in foreign else []
        #: the reports whose text was typed in another database and found beside this
        #: one (``fieldplan.draftfiles``: moved aside, never applied), with the office
        #: it names ("" if none), until the person discards it (``discard_foreign``)
        self.foreign: list[tuple[Key, str]] = []
        #: the files they are kept in, oldest first
        self.foreign_files: list[Path] = []
        self._read_foreign()
        #: why the last setting aside failed (the drafts stay in the journal), or ""
        self.aside_error = ""
        #: the reports on their way to the set-aside file (``setting_aside``)
        self._setting_aside: set[Key] = set()
        #: those of them whose fields the editor cannot show are on their way
        #: (``set_apart``), not the whole draft, with why (``_apart_why``)
        self._setting_apart: dict[Key, tuple[str, ...]] = {}
        #: fields of reports' drafts typed for indicators an amendment moved to an
        #: action the plan does not show this office (``moved_away``): field name →
        #: their reason (``MOVED``), to be set aside with it, not with ``DROPPED``
        self._moved_away: dict[Key, dict[str, tuple[str, ...]]] = {}
        #: the reports the set-aside file could not take the last time they were sent
        #: to it (``aside_failed``)
        self._aside_failed: set[Key] = set()
        self._dirty = False
        #: each report's entry as last handed to the writer (canonical JSON): a write
        #: sends only the reports whose entry changed since
        self._submitted: dict[Key, str] = {}
        # queued: the writer's word is taken on this object's (the GUI) thread
        self._written.connect(self._take_write_result)
        self._writer = _FileWriter(self.path, _reporter(self), owner)
        if self.path not in foreign:
            self._load()
        _journals.add(self)

    def _claim_files(self) -> set[Path]:
        """Move the journal and the set-aside file aside when they were written for
        another database than ``owner`` (``draftfiles.claim``): the files of another
        database that could not be moved (``foreign_error`` says why), which are
        neither read nor written over."""
        from fieldplan.draftfiles import claim

        stuck = set()
        if self.owner is None:
            return stuck
        for path in (self.path, self.aside_path):
            try:
                claim(path, self.owner)
            except OSError as exc:
                stuck.add(path)
                self.foreign_error = str(cannot_write(path, exc, own=True))
        return stuck

    def foreign_entries(self) -> list[tuple[Path, dict[str, Any]]]:
        """The entries of the drafts files of another database moved aside beside this
        one (``fieldplan.draftfiles.other_database_files``), each with its file."""
        found = []
        for path in other_database_files(self.db_path):
            data, entries = read_drafts(path)
            office = owner_office(data)
            found += ((path, {**entry, "_office": office}) for entry in entries)
        return found

    def discard_foreign(self, entries: list[tuple[Path, dict[str, Any]]]) -> str:
        """Throw away these entries (``foreign_entries``) of another database's drafts
        files: the person saw their text and chose to; each file goes with its last
        entry. The reason it failed (the files keep them), or ""."""
        error = ""
        by_file: dict[Path, list[dict[str, Any]]] = {}
        for path, entry in entries:
            by_file.setdefault(path, []).append(
                {k: v for k, v in entry.items() if k != "_office"})
        for path, gone in by_file.items():
            error = _remove_entries(path, gone) or error
        self._read_foreign()
        return error

    def _read_foreign(self) -> None:
        """``foreign`` and ``foreign_files`` as the files are now."""
        entries = self.foreign_entries()
        with self._lock:
            self.foreign = _foreign_of(entries)
            self.foreign_files = list(dict.fromkeys(path for path, _e in entries))

    def _load(self) -> None:
        try:
            data = read_json(self.path.read_text(encoding="utf-8"))
            entries = data["drafts"]
            if not isinstance(entries, list):
                raise TypeError("drafts is not a list")
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            # unreadable: set it aside rather than write over what it may hold
            self.set_aside = _set_aside(self.path)
            return
        self._adopt(entries)
        for entry in entries:
            if not isinstance(entry, dict) or _entry_key(entry) is None:
                continue
            key = (str(entry["action"]), str(entry["period"]))
            # a damaged entry keeps what can be read of it: its values, or its held
            # texts, each only as an object of fields
            values = entry.get("values")
            values = dict(values) if isinstance(values, dict) else {}
            held = entry.get("held")
            held = ({str(k): str(v) for k, v in held.items()} if isinstance(held, dict)
                    else {})
            base = entry.get("base")
            base = dict(base) if isinstance(base, dict) else {}
            if values:
                self._values[key] = values
            if held:
                self._held[key] = held
            # a field without its versions (an older entry, or a damaged one): typed
            # over versions not known (None), never written blindly over a newer value
            fields = set(values) | set(held)
            if fields:
                self._base[key] = {name: _version_ids(base.get(name)) for name in fields}
            if entry.get("error"):
                self.errors[key] = str(entry["error"])
            self._load_apart(key, entry.get(APART_KEY))

    def _load_apart(self, key: Key, apart: Any) -> None:
        """An entry's fields set apart (``set_apart``) that a value typed in the same
        field took the place of in the file (``_entry``): set apart again."""
        if not isinstance(apart, dict):
            return
        values, held, base = (apart.get(part) for part in ("values", "held", "base"))
        kept = {"values": dict(values) if isinstance(values, dict) else {},
                "held": ({str(k): str(v) for k, v in held.items()}
                         if isinstance(held, dict) else {}),
                "base": ({str(k): _version_ids(v) for k, v in base.items()}
                         if isinstance(base, dict) else {})}
        if kept["values"] or kept["held"]:
            into = self._apart.setdefault(key, {"values": {}, "held": {}, "base": {}})
            for part, fields in kept.items():
                into[part].update(fields)

    # reading -------------------------------------------------------------------------
    def reports(self) -> list[Key]:
        with self._lock:
            return sorted(set(self._values) | set(self._held))

    def values(self, key: Key) -> dict[str, Any]:
        """The values typed and not confirmed saved (a copy)."""
        with self._lock:
            return dict(self._values.get(key, {}))

    def held(self, key: Key) -> dict[str, str]:
        """The text of fields held back as not valid (a copy)."""
        with self._lock:
            return dict(self._held.get(key, {}))

    def base(self, key: Key) -> dict[str, list[str] | None]:
        """Per field of ``values`` and ``held``, the versions it was typed over (a copy;
        ``[]``: none, the field had no value; None: not known, an older entry)."""
        with self._lock:
            fields = set(self._values.get(key, {})) | set(self._held.get(key, {}))
            known = self._base.get(key, {})
            return {name: _copy_ids(known.get(name, [])) for name in fields}

    def __contains__(self, key: Key) -> bool:
        with self._lock:
            return key in self._values or key in self._held

    # changing ------------------------------------------------------------------------
    def put(self, key: Key, values: dict[str, Any], held: dict[str, str],
            base: dict[str, list[str] | None] | None = None) -> None:
        """What is unsaved in this report now (replaces what was there); ``base``: per
        field, the versions it was typed over (a field left out keeps what the journal
        had for it, else ``[]``)."""
        with self._lock:
            for name in set(values) | set(held):
                sent = self._sent.get((key, name))
                if sent is not None and (name in held or values[name] != sent.value):
                    sent.typed_since = True
            known = self._base.get(key, {})
            given = base or {}
            new_base = {name: self._follow(key, name, given[name] if name in given
                                           else known.get(name, []))
                        for name in set(values) | set(held)}
            # a value the last save of its field, confirmed on the worker (its answer
            # not back on the GUI thread yet: a busy machine, a slow disk), wrote over
            # the very version it was typed over, and nothing else typed in the field
            # since that save was sent: it is in the database. Put again as the window
            # closes, it stayed behind as a draft, offered later as newer data
            saved = {name for name, value in values.items()
                     if self._saved_by_last_send(key, name, value, new_base[name])}
            if saved:
                values = {name: v for name, v in values.items() if name not in saved}
                for name in saved:
                    del new_base[name]
            if (self._values.get(key, {}), self._held.get(key, {}), known) == (
                    values, held, new_base):
                return
            for store, new in ((self._values, values), (self._held, held),
                               (self._base, new_base)):
                if new:
                    store[key] = dict(new)
                else:
                    store.pop(key, None)
            if key not in self:
                self.errors.pop(key, None)
            self._dirty = True

    def _saved_by_last_send(self, key: Key, name: str, value: Any,
                            typed_over: list[str] | None) -> bool:
        """(under the lock) Whether ``value``, typed in field ``name`` over the version
        ``typed_over`` (followed along this program's writes), is what the last save of
        that field sent wrote, confirmed, with nothing else put for the field since it
        was sent. A later save still on its way (it writes over it) or typing since
        keeps the value in the journal."""
        sent = self._sent.get((key, name))
        return (sent is not None and sent.written is not None and not sent.typed_since
                and sent.value == value and typed_over == sent.written)

    def sending(self, key: Key, values: dict[str, Any]) -> int:
        """A save of ``values`` is handed to the worker now (which runs saves in the
        order they are sent): its number, for ``confirm``."""
        with self._lock:
            self._sends += 1
            for name, value in values.items():
                self._sent[(key, name)] = _Sent(self._sends, value)
            return self._sends

    def _follow(self, key: Key, name: str, ids: list[str] | None) -> list[str] | None:
        """``ids`` moved along the versions this program's writes put over them."""
        if ids is None:
            return None
        seen: set[tuple[str, ...]] = set()
        at = tuple(ids)
        while (key, name, at) in self._chain and at not in seen:
            seen.add(at)
            at = tuple(self._chain[(key, name, at)])
        return list(at)

    def follow(self, key: Key, name: str, ids: list[str] | None) -> list[str] | None:
        """The version a field typed over ``ids`` replaces now: the last of this
        program's writes that replaced them one after another (``ids`` if none did)."""
        with self._lock:
            return self._follow(key, name, ids)

    def confirm(self, key: Key, saved: dict[str, Any],
                wrote: dict[str, tuple[list[str], list[str]]] | None = None,
                sent: int | None = None) -> None:
        """A save of ``saved`` succeeded: drop the fields that still hold those values.
        ``wrote``: per field the save wrote, (versions it replaced, version written);
        a field typed on meanwhile (it holds other values) is from now on typed over the
        version written. (The worker thread calls it right after the save it made.)
        ``sent``: the save's number (``sending``): a field a later save was sent for
        since is kept, whatever it holds: that save writes over this one, and a value
        typed again as this one ("A", then "B" sent, then "A" again) is not saved."""
        with self._lock:
            latest = set(saved)
            if sent is not None:
                latest = {name for name in saved
                          if (last := self._sent.get((key, name))) is not None
                          and last.number == sent}
                for name in latest:
                    if wrote and name in wrote:
                        self._sent[(key, name)].written = list(wrote[name][1])
            for name, (replaced, written) in (wrote or {}).items():
                if list(replaced) != list(written):
                    self._chain[(key, name, tuple(replaced))] = list(written)
            if wrote and key in self._base:
                base = self._base[key]
                for name, ids in base.items():
                    moved = self._follow(key, name, ids)
                    if moved != ids:
                        base[name] = moved
                        self._dirty = True
            values = self._values.get(key)
            if values is None:
                return
            for name, value in saved.items():
                if name in latest and name in values and values[name] == value:
                    del values[name]
                    if name not in self._held.get(key, {}):
                        self._base.get(key, {}).pop(name, None)
                    self._dirty = True
            if not values:
                del self._values[key]
                self.errors.pop(key, None)
                if key not in self._held:
                    self._base.pop(key, None)

    def refused(self, key: Key, reason: str) -> None:
        with self._lock:
            if self.errors.get(key) != reason:
                self.errors[key] = reason
                self._dirty = True

    def set_aside_reports(self, reasons: dict[Key, str | tuple[str, ...]]) -> bool:
        """Move these reports' drafts (values, held text, versions) out of the journal
        into ``aside_path``, each with its reason (why the plan refuses it: its codes,
        as ``PlanScope.why_hidden`` gives them, or words) and when: what was typed is
        kept where the person can find it, and no longer retried. Whether they were
        moved (False: ``aside_error`` says why, and the journal keeps them); reports
        without a draft are left out. Waits for the file's lock (up to
        ``LOCK_WAIT_MS``): the window uses ``set_aside_off_thread``."""
        return self._move_aside(self._aside_batch(reasons))

    def set_aside_off_thread(self, reasons: dict[Key, str | tuple[str, ...]],
                             done: Callable[[], None] | None = None) -> bool:
        """``set_aside_reports`` on a thread of its own (ui.ops.OffThread), then
        ``done()`` and ``aside_did_end`` on the GUI thread: another fieldplan writing
        the set-aside file holds
        its lock, waited for up to ``LOCK_WAIT_MS`` (the window froze meanwhile).
        Until the file holds them the drafts stay in the journal, in memory and in its
        file, and are not retried (``setting_aside``); if it cannot take them,
        ``aside_error`` says why and the journal keeps them. The journal's file is
        written before the thread ends: quitting waits for it (``wait_off_thread``).
        Whether a setting aside was started (False: none of the reports has a draft,
        or each is being set aside already)."""
        import shiboken6

        from ui.ops import OffThread, error_text

        batch = self._aside_batch(reasons)
        if not batch:
            return False

        def run() -> None:
            if self._move_aside(batch):
                self.flush()

        def ended(_none: None = None) -> None:
            if done is not None:
                done()
            if shiboken6.isValid(self):
                self.aside_did_end.emit()

        def failed(exc: BaseException) -> None:  # (not an OSError: those are said)
            with self._lock:
                for entry, _text in batch:
                    self._setting_aside.discard(_entry_key(entry))
                    self._setting_apart.pop(_entry_key(entry), None)
                    if not _is_apart(entry):
                        self._aside_failed.add(_entry_key(entry))
                self.aside_error = error_text(exc)
            ended()

        OffThread(run, ended, failed, name="fieldplan-set-aside")
        return True

    def setting_aside(self) -> frozenset[Key]:
        """The reports whose drafts are on their way to the set-aside file
        (``set_aside_off_thread``): still in the journal, not to be retried."""
        with self._lock:
            return frozenset(self._setting_aside)

    def setting_apart(self) -> frozenset[Key]:
        """Those of ``setting_aside`` whose fields the editor cannot show are on their
        way (``set_apart``), not a draft the plan refuses."""
        with self._lock:
            return frozenset(self._setting_apart)

    def setting_apart_why(self) -> dict[Key, tuple[str, ...]]:
        """``setting_apart``, each with why (``UNFIT`` or ``DROPPED``)."""
        with self._lock:
            return dict(self._setting_apart)

    def apart(self) -> list[Key]:
        """The reports with fields taken out by ``set_apart`` not yet in the set-aside
        file (its last try failed), nor on their way there."""
        with self._lock:
            return sorted(k for k in self._apart if k not in self._setting_aside)

    def set_apart(self, key: Key, indicators: set[str] | frozenset[str]) -> bool:
        """Take out of this report's draft the fields the editor cannot show for an
        action with these ``indicators`` (``value_fits``, ``held_fits``): a field it
        has not, a value of another kind. They stay in the journal's file (never sent
        to the core, never replaced by the editor's ``put``) until the set-aside file
        holds them: ``set_aside_reports`` with the reason ``(UNFIT,)`` (said as
        ``(DROPPED,)`` when they are values of indicators the plan has no longer:
        ``_apart_why``). Whether there
        were any (those taken out earlier included)."""
        with self._lock:
            values = self._values.get(key, {})
            held = self._held.get(key, {})
            bad_values = [n for n, v in values.items() if not value_fits(n, v, indicators)]
            bad_held = [n for n, t in held.items() if not held_fits(n, t, indicators)]
            if not bad_values and not bad_held:
                return key in self._apart
            apart = self._apart.setdefault(key, {"values": {}, "held": {}, "base": {}})
            base = self._base.get(key, {})
            for name in bad_values:
                apart["values"][name] = values.pop(name)
            for name in bad_held:
                apart["held"][name] = held.pop(name)
            for name in {*bad_values, *bad_held}:
                if name not in values and name not in held and name in base:
                    apart["base"][name] = base.pop(name)
            for store in (self._values, self._held, self._base):
                if not store.get(key):
                    store.pop(key, None)
            self._dirty = True
            return True

    def moved_away(self, key: Key, fields: dict[str, tuple[str, ...]]) -> None:
        """Note that these fields of this report's draft (name → ``MOVED``'s reason)
        are values of indicators an amendment moved to an action the plan does not
        show this office: ``set_apart`` takes them out as it does those the plan has
        not, and the set-aside file says where they went, and why they are not saved
        there."""
        with self._lock:
            self._moved_away.setdefault(key, {}).update(fields)

    def _apart_reason(self, key: Key, apart: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        """(under the lock) Why these fields ``set_apart`` took out of the draft of
        ``key`` are set aside: ``MOVED``'s reason when each was noted by ``moved_away``
        with the same one, else ``_apart_why``'s."""
        noted = self._moved_away.pop(key, {})
        names = {*apart.get("values", {}), *apart.get("held", {})}
        reasons = {noted.get(name) for name in names}
        if names and len(reasons) == 1 and None not in reasons:
            return reasons.pop()
        return _apart_why(apart)

    def move_fields(self, key: Key, moves: dict[str, Key]) -> list[Key]:
        """Move fields of this report's draft to another report's (``moves``: field
        name → that report): values typed for an indicator an amendment moved to
        another action go with it (``Plan.moved_values``), saved in the report of the
        action that has it now, never set aside as for an indicator the plan has not.
        Each is typed there over nothing (``[]``): that report never had the indicator
        before, and a value recorded in it since (another laptop's) makes it a conflict
        for a person to settle, not written over. A field the other report's draft
        holds already stays (set aside in its turn, as the plan's action has it not),
        unless it is the very value moved before (the form on screen put it back in
        its report's draft as it was made again for the new plan). The reports that
        took fields."""
        with self._lock:
            took: list[Key] = []
            for name, to in moves.items():
                if to == key:
                    continue
                moved = False
                for store in (self._values, self._held):
                    fields = store.get(key)
                    if fields is None or name not in fields:
                        continue
                    there = store.get(to, {})
                    if name in there and _canon_value(there[name]) != _canon_value(
                            fields[name]):
                        continue  # (another value typed there: both kept)
                    if name not in there and name in (self._values.get(to, {})
                                                      if store is self._held
                                                      else self._held.get(to, {})):
                        continue
                    store.setdefault(to, {})[name] = fields.pop(name)
                    if not fields:
                        del store[key]
                    moved = True
                if not moved:
                    continue
                base = self._base.get(key)
                if base is not None:
                    base.pop(name, None)
                    if not base:
                        del self._base[key]
                self._base.setdefault(to, {})[name] = []
                if to not in took:
                    took.append(to)
            if took:
                if key not in self:
                    self.errors.pop(key, None)
                self._dirty = True
            return took

    def apart_fields(self, key: Key) -> dict[str, dict[str, Any]]:
        """This report's fields taken out by ``set_apart`` and not yet in the set-aside
        file, on their way there or not: ``{"values": …, "held": …}`` (a copy; empty
        when there are none)."""
        with self._lock:
            apart = self._apart.get(key, {})
            return {part: dict(apart[part]) for part in ("values", "held")
                    if apart.get(part)}

    def aside_failed(self) -> frozenset[Key]:
        """The reports whose drafts the set-aside file could not take the last time
        (``aside_error`` says why) and that the journal still keeps: not saved
        because the plan refuses them, not lost, set aside at a later try."""
        with self._lock:
            return frozenset(k for k in self._aside_failed if k in self)

    def _aside_batch(self, reasons: dict[Key, str | tuple[str, ...]]
                     ) -> list[tuple[dict[str, Any], str]]:
        """The entries to add to the set-aside file for these reports (those with a
        draft, not being set aside already), each with what its draft holds typed now
        (``_typed``): the reports are marked as being set aside."""
        from fieldplan.events import utc_iso
        from fieldplan.planops import why_hidden_text

        with self._lock:
            batch = []
            for key, reason in reasons.items():
                if key in self._setting_aside:
                    continue
                if reason == (UNFIT,):
                    # only the fields the editor cannot show (``set_apart``)
                    apart = self._apart.get(key)
                    if not apart:
                        continue
                    entry = {"action": key[0], "period": key[1],
                             **{part: dict(fields) for part, fields in apart.items()
                                if fields}}
                    why = self._apart_reason(key, apart)
                    said = {"error": str(AsideReason("", why)), "why": list(why)}
                    batch.append(({**entry, **said, "set_aside_at": utc_iso()},
                                  self._apart_text(key)))
                    self._setting_aside.add(key)
                    self._setting_apart[key] = why
                elif key in self or key in self._apart:
                    said = ({"error": why_hidden_text(reason), "why": list(reason)}
                            if isinstance(reason, tuple) else {"error": reason})
                    entry = self._entry(key)
                    batch.append(({**entry, **said, "set_aside_at": utc_iso()},
                                  self._typed(key)))
                    self._setting_aside.add(key)
            return batch

    def _move_aside(self, batch: list[tuple[dict[str, Any], str]]) -> bool:
        """(any thread) Add ``batch`` (``_aside_batch``) to the set-aside file; only once
        it holds them do they leave the journal, and of a draft typed in since only
        its fields as they were sent (what was typed since stays, to be set aside in
        its turn, without the rest again: ``_drop_taken``). Whether the file
        took them (False: ``aside_error`` says why, and the journal keeps them)."""
        if not batch:
            return True
        entries = [entry for entry, _text in batch]
        try:
            error = _append_entries(self.aside_path, entries, self.owner)
        except Exception as exc:  # (the entries are kept whatever happened)
            error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            for entry in entries:
                self._setting_aside.discard(_entry_key(entry))
                self._setting_apart.pop(_entry_key(entry), None)
                if error and not _is_apart(entry):
                    # (fields the editor cannot show: the rest of the draft is still
                    # the plan's, saved as ever; those fields stay in the file)
                    self._aside_failed.add(_entry_key(entry))
                else:
                    self._aside_failed.discard(_entry_key(entry))
            self.aside_error = error
            if error:
                return False
            for entry, text in batch:
                key = (entry["action"], entry["period"])
                if _is_apart(entry):
                    self._drop_apart(key, entry)
                elif self._typed(key) == text:
                    for store in (self._values, self._held, self._base, self.errors,
                                  self._apart):
                        store.pop(key, None)
                else:  # typed in since it was sent: what the file took leaves alone
                    self._drop_taken(key, entry)
                self.put_aside = [*(k for k in self.put_aside if k[0] != key),
                                  (key, _reason_of(entry))]
            self._dirty = True
        self.write()
        return True

    def aside_entries(self) -> list[dict[str, Any]]:
        """What the set-aside file holds (``set_aside_reports``: this program's, an
        earlier session's or another fieldplan's), entry by entry, as set aside."""
        return _aside_entries(self.aside_path)

    def discard_aside(self, entries: list[dict[str, Any]]) -> str:
        """Throw away these entries of the set-aside file (``aside_entries``): the
        person saw their text and chose to. Those set aside since stay, and are said
        (``put_aside``, read again from the file). The reason it failed (the file
        keeps them all), or ""."""
        error = _remove_entries(self.aside_path, entries)
        with self._lock:
            self.put_aside = _put_aside_of(_aside_entries(self.aside_path))
        return error

    def _typed(self, key: Key) -> str:
        """What a report's draft holds typed (its values and held text), as one text
        (under the lock)."""
        return json.dumps([self._values.get(key), self._held.get(key), self._apart.get(key)],
                          ensure_ascii=False, sort_keys=True, default=repr)

    def _drop_apart(self, key: Key, *taken: dict[str, Any]) -> None:
        """(under the lock) Take the fields the set-aside file now holds (``taken``:
        what it took, by part, "values" and "held": an entry of ``set_apart``'s, or a
        whole draft and the fields set apart that went with it) out of this report's
        ones set apart, each only while it is as it was sent: one set apart since (an
        amendment dropping an indicator meanwhile) stays, to be set aside in its turn,
        without those sent before again."""
        apart = self._apart.get(key)
        if apart is None:
            return
        for part in ("values", "held"):
            fields = apart.get(part, {})
            for name in list(fields):
                took = [group[part][name] for group in taken
                        if isinstance(group.get(part), dict) and name in group[part]]
                if any(_canon_value(fields[name]) == _canon_value(v) for v in took):
                    del fields[name]
        left = {*apart.get("values", {}), *apart.get("held", {})}
        apart["base"] = {name: ids for name, ids in apart.get("base", {}).items()
                         if name in left}
        if not left:
            del self._apart[key]

    def _drop_taken(self, key: Key, entry: dict[str, Any]) -> None:
        """(under the lock) Take out of this report's draft what the set-aside file now
        holds of it (``entry``, a whole draft the plan refuses, sent before something
        was typed in it): each field only while it is as it was sent. What was typed
        since stays, to be set aside in its turn, without the rest again."""
        for part, store in (("values", self._values), ("held", self._held)):
            fields = store.get(key)
            sent = entry.get(part) or {}
            if not fields:
                continue
            for name in [n for n in fields if n in sent]:
                if _canon_value(fields[name]) == _canon_value(sent[name]):
                    del fields[name]
            if not fields:
                del store[key]
        self._drop_apart(key, entry, entry.get(APART_KEY) or {})
        left = {*self._values.get(key, {}), *self._held.get(key, {})}
        base = {name: ids for name, ids in self._base.get(key, {}).items() if name in left}
        if base:
            self._base[key] = base
        else:
            self._base.pop(key, None)
        if key not in self and key not in self._apart:
            self.errors.pop(key, None)

    def _apart_text(self, key: Key) -> str:
        """A report's fields taken out by ``set_apart``, as one text (under the lock)."""
        return json.dumps(self._apart.get(key), ensure_ascii=False, sort_keys=True,
                          default=repr)

    def _file_reports(self) -> list[Key]:
        """The reports the journal's file holds an entry of (under the lock): those
        with a draft, and those with only fields on their way to the set-aside file."""
        return sorted(set(self._values) | set(self._held) | set(self._apart))

    def _entry(self, key: Key) -> dict[str, Any]:
        """A report's entry as the journal file holds it (under the lock)."""
        entry: dict[str, Any] = {"action": key[0], "period": key[1]}
        # (the fields the editor cannot show as well, until they are set aside: a
        # crash meanwhile loses none of them. One typed over since in the editor, the
        # same field, is kept apart in "apart": the typed value took its place in the
        # file, and ending the program before the set-aside file held it lost it)
        apart = self._apart.get(key, {})
        for part, store in (("values", self._values), ("held", self._held),
                            ("base", self._base)):
            typed = store.get(key, {})
            fields = {**apart.get(part, {}), **typed}
            if fields:
                entry[part] = fields
            over = {name: v for name, v in apart.get(part, {}).items() if name in typed}
            if over:
                entry.setdefault(APART_KEY, {})[part] = over
        if key in self.errors:
            entry["error"] = self.errors[key]
        return entry

    def _adopt(self, entries: Any) -> None:
        """The entries the file held when this journal opened are its own: to write
        again or drop (each as it was then: another writer may change it since)."""
        seen: dict[Key, str] = {}
        for entry in entries if isinstance(entries, list) else ():
            key = _entry_key(entry)
            if key is not None:
                with contextlib.suppress(ValueError, TypeError):
                    seen[key] = _canon(entry)
        self._submitted = dict(seen)
        self._writer.known = dict(seen)

    def write(self, again: bool = False) -> bool:
        """Hand what changed to the writer thread; False while the last write failed
        (``write_error``; ``write_state_did_change`` tells when that changes).
        ``again``: also when nothing changed, so that a write that failed is tried
        again now (a window closing).

        Only the reports whose entry changed are handed over: the file may hold
        other writers' entries (``_FileWriter``), which this journal leaves alone."""
        with self._lock:  # (the worker thread writes too, after a save it made)
            if not self._dirty and not again:
                return not self.write_error
            entries: dict[Key, str] = {}
            for key in self._file_reports():
                try:
                    # as text: the writer thread never sees the dicts typing changes
                    entries[key] = _canon(self._entry(key))
                except ValueError as exc:
                    self._set_write_error(str(exc))
                    return False
            changes: dict[Key, str | None] = {
                key: text for key, text in entries.items()
                if self._submitted.get(key) != text}
            changes.update((key, None) for key in self._submitted if key not in entries)
            self._submitted = entries
            self._dirty = False
            # under the lock: changes reach the writer in the order they were made
            self._writer.submit(changes)
            return not self.write_error

    def flush(self, timeout: float | None = FLUSH_TIMEOUT_S) -> bool:
        """Wait until the file holds what was last written; False on timeout."""
        return self._writer.flush(timeout)

    def unkept(self) -> list[Key]:
        """The reports whose unsaved values the file does not hold as they are now:
        its last write failed (a full disk) or has not ended. After ``flush``, what
        ending the program would lose: not saved in the database (the journal holds
        only what is not), and not in the file."""
        with self._lock:
            now: dict[Key, str | None] = {}
            for key in self._file_reports():
                try:
                    now[key] = _canon(self._entry(key))
                except ValueError:  # (what JSON cannot hold was never written)
                    now[key] = None
        known = self._writer.known  # (replaced whole by the writer thread)
        return [key for key, text in now.items() if text is None or known.get(key) != text]

    @property
    def writing(self) -> bool:
        """Whether a write of the file is still going (a slow disk): ``write_did_end``
        follows once it ends."""
        return self._writer.writing

    @property
    def file_error(self) -> str:
        """Why the last write of the file failed ("" if it did not), as soon as the
        writer knows it: ``write_error`` follows when the GUI thread hears of it."""
        return self._writer.error or self.write_error

    def _take_write_result(self, error: str) -> None:
        if self._writer.moved:  # another database's journal met on the way: said
            self._writer.moved = []
            self._read_foreign()
        if error:
            with self._lock:
                self._dirty = True  # the next write tries again
        self._set_write_error(error)
        self.write_did_end.emit()

    def _set_write_error(self, error: str) -> None:
        if error != self.write_error:
            self.write_error = error
            self.write_state_did_change.emit()


_VERSION_ID = re.compile(r".+:[0-9]+")  # origin:seq (ASCII digits, as the core reads them)
#: the largest seq a version id may name: SQLite's largest integer
_MAX_SEQ = 2**63 - 1


def _version_ids(ids: Any) -> list[str] | None:
    """Version ids as the journal file holds them; None (not known) for anything the
    core would refuse as the versions a value was typed over: more than one event
    names (``events.MAX_BASE_PER_FIELD``), a seq in other digits than 0-9 ("r:٣") or
    past what SQLite holds. Such a base (a drafts file damaged on disk, or one another
    release wrote) failed every save of its draft with a ValueError, taken for a
    passing fault: retried every few seconds for ever, never saved, and its report
    never opened ("Loading…")."""
    from fieldplan.events import MAX_BASE_PER_FIELD

    if (isinstance(ids, list) and len(ids) <= MAX_BASE_PER_FIELD
            and all(isinstance(i, str) and _VERSION_ID.fullmatch(i)
                    and int(i.rpartition(":")[2]) <= _MAX_SEQ for i in ids)):
        return list(ids)
    return None


def _copy_ids(ids: list[str] | None) -> list[str] | None:
    return None if ids is None else list(ids)


def journal_for(session: Any, identity: Any = None) -> DraftJournal:
    """The journal of the database ``session`` has open (one per session), written for
    the database of ``identity`` (ui.context.Identity: its office and replicas) when
    given, the first time: the drafts files of another database are not applied."""
    journal = getattr(session, "_draft_journal", None)
    if journal is None:
        replicas = tuple(getattr(identity, "replicas", ()) or ())
        owner = DraftsOwner(identity.office, replicas) if replicas else None
        journal = DraftJournal(session.db_path, owner=owner)
        session._draft_journal = journal
    return journal


def with_short_wait(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """(worker) ``fn(rep)`` with a short wait for another writer's lock (SAVE_BUSY_MS),
    the connection's own wait restored afterwards; refused (StoreError) when the
    database file is no longer the one open (``Replica.check_file``)."""

    def run(rep: Any) -> Any:
        # a database file deleted or replaced while open would take the save and lose
        # it on closing: refused, the journal keeps what was typed (and closing asks
        # when it cannot)
        rep.check_file()
        conn = rep.conn
        before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout = {int(SAVE_BUSY_MS)}")
        try:
            return fn(rep)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(before)}")

    return run


def is_permanent(error: BaseException) -> bool:
    """A refusal that waiting will not cure by itself (a locked period, a submitted
    report): the draft is kept and the reason shown."""
    return isinstance(error, ValidationError)


class RefusedByPlan(ValidationError):
    """A save the plan refuses: ``why`` (planops.PlanScope.why_hidden) its action is not
    in the plan, its period is outside the plan's dates, or the action is of another
    level than the office's. No waiting cures it: the draft is set aside."""

    def __init__(self, message: str, why: tuple[str, ...]) -> None:
        super().__init__(message)
        self.why = why


def plan_refusal(rep: Any, office: str, key: Key) -> tuple[str, ...]:
    """(worker) why the plan held now refuses ``office``'s report ``key``; () if not."""
    from fieldplan.planops import PlanScope

    return PlanScope(rep.plan()).why_hidden(office, *key)


class DraftRetry(QObject):
    """Every RETRY_MS, writes the journal's reports other than the one on screen
    (``showing()``), one write at a time per report, through ``write(key, values,
    base, got)`` (over the versions they were typed over) which returns a DbOp-like
    object (``success``/``failure``/``run``) and puts the save's number
    (``DraftJournal.sending``) in ``got["sent"]``."""

    def __init__(
        self,
        journal: DraftJournal,
        showing: Callable[[], Key | None],
        write: Callable[[Key, dict[str, Any], dict[str, list[str] | None],
                         dict[str, Any]], Any],
        did_change: Callable[[], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.journal = journal
        self._showing = showing
        self._write = write
        self._did_change = did_change
        self._in_flight: set[Key] = set()
        #: called on each tick: retries the report on screen, returns whether it
        #: still needs it
        self.tick_here: Callable[[], bool] | None = None
        #: called with a report whose write the plan refused (RefusedByPlan): it is
        #: set aside rather than retried
        self.refused_by_plan: Callable[[Key, RefusedByPlan], None] | None = None
        #: called with a report after each write of it ended, and whether all its
        #: values are saved now (before ``did_change``)
        self.tried: Callable[[Key, bool], None] | None = None
        #: called with the reports whose fields the editor cannot show the set-aside
        #: file could not take (``DraftJournal.apart``): they are sent to it again, as
        #: a draft the plan refuses is when its write is refused again
        self.set_apart_again: Callable[[list[Key]], None] | None = None
        #: reports not retried: submitted (they wait to be reopened) or in a period
        #: headquarters has locked (they wait for the person to discard them); each
        #: write would only be refused again
        self.blocked: frozenset[Key] = frozenset()
        self._here = False
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self.retry)

    def waiting(self) -> list[Key]:
        """Reports whose values wait to be written (not the one on screen, nor those
        on their way to the set-aside file: the plan refuses them). A report whose
        fields the editor cannot show are on their way there (``setting_apart``) waits
        all the same: those fields are out of its draft, the rest is the plan's."""
        here = self._showing()
        aside = self.journal.setting_aside() - self.journal.setting_apart()
        return [k for k in self.journal.reports() if k != here and k not in aside]

    def update(self, here: bool | None = None) -> None:
        """Start the timer when something waits (``here``: the report on screen
        does), stop it when nothing does."""
        if here is not None:
            self._here = here
        # (a report holding only text that is not valid is not retried: it waits for
        # the person; nor is one submitted or locked)
        # (and fields the set-aside file could not take: tried again on each tick)
        apart = self.set_apart_again is not None and bool(self.journal.apart())
        if self._here or apart or any(self.journal.values(key) for key in self.waiting()
                                      if key not in self.blocked):
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()

    def retry(self) -> None:
        if self.tick_here is not None:
            self._here = self.tick_here()
        for key in self.waiting():
            values = self.journal.values(key)
            if not values or key in self._in_flight or key in self.blocked:
                continue
            self._in_flight.add(key)
            base = {k: v for k, v in self.journal.base(key).items() if k in values}
            got: dict[str, Any] = {}
            self._write(key, values, base, got).success(
                lambda _r, k=key, v=values, g=got: self._done(k, v, g.get("sent"))
            ).failure(lambda e, k=key: self._failed(k, e)).run()
        apart = self.journal.apart()
        if apart and self.set_apart_again is not None:
            self.set_apart_again(apart)
        self.update()

    def _done(self, key: Key, values: dict[str, Any], sent: int | None = None) -> None:
        self._in_flight.discard(key)
        self.journal.confirm(key, values, sent=sent)
        self.journal.write()
        if self.tried is not None:
            self.tried(key, not self.journal.values(key))
        self.update()
        self._did_change()

    def _failed(self, key: Key, error: BaseException) -> None:
        from ui.ops import error_text

        self._in_flight.discard(key)
        if isinstance(error, RefusedByPlan) and self.refused_by_plan is not None:
            self.refused_by_plan(key, error)
        elif is_permanent(error):
            self.journal.refused(key, error_text(error))
            self.journal.write()
        if self.tried is not None:
            self.tried(key, False)
        self.update()
        self._did_change()
