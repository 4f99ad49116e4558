"""The draft journal: what was typed in a report and is not known to be saved yet.

A small JSON file beside the database (``<db>.drafts.json``, written atomically)
holds, per (action, period), the values typed but not yet confirmed written, and the
text of fields held back as not valid. The editor writes it shortly after each edit
and before each save is sent, and drops a report's fields from it when a save of
exactly those values comes back. So a save that fails (a busy or locked database), a
closed window, a crash or a language change loses nothing: the values are shown
again when the report is next opened, and reports not on screen are retried in the
background (``DraftRetry``) until the core takes them.

One journal per open database, shared by the windows on it (``journal_for``). The
file is written on a thread of its own (``_FileWriter``): its fsync, which can take
a good part of a second on a slow disk, never holds up typing. Closing the window
waits for it (``flush``).
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from fieldplan.errors import FieldplanError, ValidationError
from fieldplan.files import write_atomic

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

_NOTHING = object()  # the writer has nothing waiting


class _FileWriter:
    """Writes (or removes) one file on a thread of its own, the latest content first:
    contents handed over while a write runs replace each other, and only the last is
    written next. ``report(error)`` is called on that thread after each write ("" when
    it succeeded). The thread ends when nothing waits."""

    def __init__(self, path: Path, report: Callable[[str], None]) -> None:
        self.path = path
        self._report = report
        self._cond = threading.Condition()
        self._pending: Any = _NOTHING
        self._busy = False
        self._thread: threading.Thread | None = None

    def submit(self, data: bytes | None) -> None:
        """Write ``data`` (None: remove the file) soon."""
        with self._cond:
            self._pending = data
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="draft-journal",
                                                daemon=True)
                self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything handed over is written; False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._pending is _NOTHING and not self._busy, timeout)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    if self._pending is _NOTHING:
                        return
                    data, self._pending = self._pending, _NOTHING
                    self._busy = True
                try:
                    self._report(self._write(data))
                except Exception:  # the report itself failed (a journal deleted): go on
                    pass
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        finally:
            # whatever ended it: the next submit starts a thread again, and no flush
            # waits for this one
            with self._cond:
                self._thread = None
                self._busy = False
                self._cond.notify_all()

    def _write(self, data: bytes | None) -> str:
        """Write (or remove) the file; the reason it failed, or ""."""
        try:
            if data is None:
                self.path.unlink(missing_ok=True)
            else:
                # allow_protected: the one writer of this file, which outputs may not replace
                write_atomic(self.path, data, allow_protected=True)
        except (FieldplanError, OSError) as exc:
            return str(exc)
        except Exception as exc:  # anything else is said too: never a thread that dies
            return f"{type(exc).__name__}: {exc}"
        return ""


_journals: weakref.WeakSet[DraftJournal] = weakref.WeakSet()


def flush_all(timeout: float | None = FLUSH_TIMEOUT_S) -> None:
    """Wait until every open journal's file is written (closing, and tests)."""
    for journal in list(_journals):
        journal.flush(timeout)


class DraftJournal(QObject):
    """The unsaved values of reports, kept in ``<db>.drafts.json``."""

    #: the journal file could not be written, or can be again (``write_error``)
    write_state_did_change = Signal()
    _written = Signal(str)  # (writer thread) a write ended, with its error or ""

    def __init__(self, db_path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(f"{db_path}.drafts.json")
        self._values: dict[Key, dict[str, Any]] = {}
        self._held: dict[Key, dict[str, str]] = {}
        #: why the core refused a report's values (locked period, submitted report)
        self.errors: dict[Key, str] = {}
        #: why the journal itself could not be written the last time, or ""
        self.write_error = ""
        self._dirty = False
        # queued: the writer's word is taken on this object's (the GUI) thread
        self._written.connect(self._take_write_result)
        self._writer = _FileWriter(self.path, self._written.emit)
        self._load()
        _journals.add(self)

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["drafts"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            # unreadable: set it aside rather than write over what it may hold
            with contextlib.suppress(OSError):
                self.path.replace(self.path.with_name(self.path.name + ".unreadable"))
            return
        for entry in entries:
            try:
                key = (str(entry["action"]), str(entry["period"]))
                values = dict(entry.get("values") or {})
                held = {str(k): str(v) for k, v in (entry.get("held") or {}).items()}
            except (KeyError, TypeError, ValueError):
                continue
            if values:
                self._values[key] = values
            if held:
                self._held[key] = held
            if entry.get("error"):
                self.errors[key] = str(entry["error"])

    # reading -------------------------------------------------------------------------
    def reports(self) -> list[Key]:
        return sorted(set(self._values) | set(self._held))

    def values(self, key: Key) -> dict[str, Any]:
        """The values typed and not confirmed saved (a copy)."""
        return dict(self._values.get(key, {}))

    def held(self, key: Key) -> dict[str, str]:
        """The text of fields held back as not valid (a copy)."""
        return dict(self._held.get(key, {}))

    def __contains__(self, key: Key) -> bool:
        return key in self._values or key in self._held

    # changing ------------------------------------------------------------------------
    def put(self, key: Key, values: dict[str, Any], held: dict[str, str]) -> None:
        """What is unsaved in this report now (replaces what was there)."""
        old = (self._values.get(key, {}), self._held.get(key, {}))
        if old == (values, held):
            return
        for store, new in ((self._values, values), (self._held, held)):
            if new:
                store[key] = dict(new)
            else:
                store.pop(key, None)
        if key not in self:
            self.errors.pop(key, None)
        self._dirty = True

    def confirm(self, key: Key, saved: dict[str, Any]) -> None:
        """A save of ``saved`` succeeded: drop the fields that still hold those values."""
        values = self._values.get(key)
        if values is None:
            return
        for name, value in saved.items():
            if name in values and values[name] == value:
                del values[name]
                self._dirty = True
        if not values:
            del self._values[key]
            self.errors.pop(key, None)

    def refused(self, key: Key, reason: str) -> None:
        if self.errors.get(key) != reason:
            self.errors[key] = reason
            self._dirty = True

    def write(self) -> bool:
        """Hand what changed to the writer thread; False while the last write failed
        (``write_error``; ``write_state_did_change`` tells when that changes)."""
        if not self._dirty:
            return not self.write_error
        entries = []
        for key in self.reports():
            entry: dict[str, Any] = {"action": key[0], "period": key[1]}
            if key in self._values:
                entry["values"] = self._values[key]
            if key in self._held:
                entry["held"] = self._held[key]
            if key in self.errors:
                entry["error"] = self.errors[key]
            entries.append(entry)
        data = None
        if entries:
            try:
                text = json.dumps({"version": 1, "drafts": entries}, ensure_ascii=False,
                                  indent=1, allow_nan=False)
            except ValueError as exc:
                self._set_write_error(str(exc))
                return False
            data = text.encode("utf-8")
        self._dirty = False
        self._writer.submit(data)
        return not self.write_error

    def flush(self, timeout: float | None = FLUSH_TIMEOUT_S) -> bool:
        """Wait until the file holds what was last written; False on timeout."""
        return self._writer.flush(timeout)

    def _take_write_result(self, error: str) -> None:
        if error:
            self._dirty = True  # the next write tries again
        self._set_write_error(error)

    def _set_write_error(self, error: str) -> None:
        if error != self.write_error:
            self.write_error = error
            self.write_state_did_change.emit()


def journal_for(session: Any) -> DraftJournal:
    """The journal of the database ``session`` has open (one per session)."""
    journal = getattr(session, "_draft_journal", None)
    if journal is None:
        journal = DraftJournal(session.db_path)
        session._draft_journal = journal
    return journal


def with_short_wait(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """(worker) ``fn(rep)`` with a short wait for another writer's lock (SAVE_BUSY_MS),
    the connection's own wait restored afterwards."""

    def run(rep: Any) -> Any:
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


class DraftRetry(QObject):
    """Every RETRY_MS, writes the journal's reports other than the one on screen
    (``showing()``), one write at a time per report, through ``write(key, values)``
    which returns a DbOp-like object (``success``/``failure``/``run``)."""

    def __init__(
        self,
        journal: DraftJournal,
        showing: Callable[[], Key | None],
        write: Callable[[Key, dict[str, Any]], Any],
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
        self._here = False
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self.retry)

    def waiting(self) -> list[Key]:
        """Reports whose values wait to be written (not the one on screen)."""
        here = self._showing()
        return [k for k in self.journal.reports() if k != here]

    def update(self, here: bool | None = None) -> None:
        """Start the timer when something waits (``here``: the report on screen
        does), stop it when nothing does."""
        if here is not None:
            self._here = here
        if self._here or self.waiting():
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
            if not values or key in self._in_flight:
                continue
            self._in_flight.add(key)
            self._write(key, values).success(
                lambda _r, k=key, v=values: self._done(k, v)
            ).failure(lambda e, k=key: self._failed(k, e)).run()
        self.update()

    def _done(self, key: Key, values: dict[str, Any]) -> None:
        self._in_flight.discard(key)
        self.journal.confirm(key, values)
        self.journal.write()
        self.update()
        self._did_change()

    def _failed(self, key: Key, error: BaseException) -> None:
        from ui.ops import error_text

        self._in_flight.discard(key)
        if is_permanent(error):
            self.journal.refused(key, error_text(error))
            self.journal.write()
        self.update()
        self._did_change()
