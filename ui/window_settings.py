"""Which of the client's window settings (QSettings) are the person's and which are
one database's.

The person's and the computer's are shared by every database opened here: the
language, the window's size, place and toolbars, the paper size, a table's format,
and the folders last chosen (bundles imported and exported, tables, plan files).

Where the person was in a database is that database's own (``PER_DATABASE``): the
tab, period and action, and at headquarters the pages' searches, filters and dividers
(``VIEW``), the office last chosen for headquarters' status sheet (``REPORT_OFFICE``).
Shared, a new office set up on this computer (or the demo, or a second database opened
with --db or FIELDPLAN_DB) opened on the period and action last chosen in another
database.

They are kept under the database's replica id (``databases/<id>/<name>``), not its
file's path: the path names a file, not a database. A new office set up where an old
database was (the default file, the demo made again) is another database and starts
afresh; a database moved or copied to another folder keeps its place. A restore
from a backup goes on as a new replica that names those it continues
(``Identity.replicas``): their settings are found and taken over. A set-up-again
(headquarters revoked the key) makes a new replica of the same office on the same
computer, for the same person: the shell hands the old one's settings to it
(``carry_over``).

Each database's are kept with the day its window last opened here (``OPENED``): those
of a database not opened for FORGET_AFTER_DAYS (deleted, made again, a copy handed on)
are removed, and of more than KEEP_DATABASES databases those opened longest ago
(``note_opened``). Before, the settings file kept every database's forever.

Earlier releases kept these unkeyed: the first database whose window opens takes
them (``adopt_earlier``) and they are removed; a person most often has one database,
and they were that one's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter

from fieldplan import events

#: the tab, period and action of the window, headquarters' filters and dividers (a
#: dict: MainWindow.view_state)
VIEW = "window/view"
#: the office of headquarters' last status sheet (the report dialog's Office)
REPORT_OFFICE = "reports/office"
#: the days the review pack's reports were due by, period -> ISO day (a dict), as its
#: dialog named them in earlier releases; the database keeps them now (the same on every
#: computer and for the command line: ``fieldplan.reports.deadlines``), and those kept
#: here become its at the window's opening (``kept_review_deadlines``)
REVIEW_DEADLINES = "reports/deadlines"
#: the settings that are one database's
PER_DATABASE = (VIEW, REPORT_OFFICE, REVIEW_DEADLINES)
GROUP = "databases"
#: the day (ISO) the database's window last opened here (``note_opened``)
OPENED = "opened"
#: a database's settings are forgotten once it has not been opened for this long: a
#: country office opens its own at least each semester
FORGET_AFTER_DAYS = 365
#: at most this many databases' settings are kept (those opened last)
KEEP_DATABASES = 20
#: No database of the plan (signed in June 2025) was opened before this day: a day
#: before it is a clock gone back (a flat battery: 2000), which says nothing of age.
CLOCK_FLOOR = dt.date(2025, 1, 1)


def database_key(replica: str, name: str) -> str:
    """The QSettings key of setting ``name`` of the database of replica ``replica``."""
    return f"{GROUP}/{replica}/{name}"


def _replicas(identity: Any) -> list[str]:
    """Where a database's settings may be: its replica's, then those of the replicas
    it continues after restores, the latest first (``Identity.replicas`` names them
    oldest first, after its own)."""
    own = identity.replica_id
    earlier = [r for r in tuple(getattr(identity, "replicas", ()) or ())[1:] if r != own]
    return [own, *reversed(earlier)]


def database_value(settings: QSettings, identity: Any, name: str,
                   default: Any = None) -> Any:
    """Setting ``name`` of the database of ``identity`` (ui.context.Identity), else
    ``default``. One kept for a replica it continues (a restore) is taken over."""
    for replica in _replicas(identity):
        key = database_key(replica, name)
        if settings.contains(key):
            value = settings.value(key)
            if replica != identity.replica_id:
                set_value(settings, database_key(identity.replica_id, name), value)
            return value
    return default


def set_database_value(settings: QSettings, identity: Any, name: str, value: Any) -> None:
    """Keep ``value`` as setting ``name`` of the database of ``identity``."""
    set_value(settings, database_key(identity.replica_id, name), value)


#: QEvent.Type.UpdateRequest: the event a QSettings posts itself at a change, to write
#: its file at the next turn of its thread's event loop (Qt's deferred sync). Not named:
#: QEvent is built after the first paint (tests/ui/test_shell.py), and the window's
#: settings change before it (``note_opened``)
_UPDATE_REQUEST = 77
#: (``set_value``) the QThread the settings files are written on, once one changed: it
#: runs no Python (PySide holds Python's lock through QSettings' calls, its sync
#: included: a Python thread writing the file stopped the GUI thread as long)
_thread: Any = None
#: a QSettings of each settings file changed, on ``_thread``: (file, format) -> QSettings
_writers: dict[tuple[str, Any], QSettings] = {}
#: the files changed since their last write was asked, in the order of their change
_unwritten: dict[tuple[str, Any], None] = {}
#: a write is asked at the next turn of the event loop
_write_soon = False
#: (``hold``) no write is asked before this time (time.monotonic), unless released
_held_until = 0.0
#: at most this long (a window opened minimised is not painted for hours)
HOLD_AT_MOST_S = 1.0


def set_value(settings: QSettings, key: str, value: Any) -> None:
    """``settings.setValue(key, value)``, written to the disk on a thread of its own:
    every setting the client changes while it runs is written so (the window's size at
    a language change, the folders and office chosen, the place, the databases noted
    at each opening). Qt writes a settings file with an fdatasync, which waits for the
    disk: on the GUI thread (QSettings' own deferred write), a laptop's disk busy with
    an import's backup froze the window as long.

    Every QSettings of the program shares the file's values: all read ``value`` at
    once. The writes keep their order (each puts all changes made so far), one at a
    time. The client's end writes the last (``write_now``)."""
    _change(settings, lambda: settings.setValue(key, value))


def remove_value(settings: QSettings, key: str) -> None:
    """``settings.remove(key)``, written to the disk as ``set_value`` writes."""
    _change(settings, lambda: settings.remove(key))


def hold() -> None:
    """(a window being built) Ask for no write before the window is painted
    (``release``), or HOLD_AT_MOST_S from now: asking builds QEvent, which the first
    paint does not wait for."""
    global _held_until
    import time

    _held_until = time.monotonic() + HOLD_AT_MOST_S


def release() -> None:
    """(the window ``hold`` was for is painted, or closed) The changes held are
    written."""
    global _held_until
    _held_until = 0.0
    if _unwritten:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, _ask_writes)  # (not after the hold's time)


def _held_ms() -> int:
    import time

    return max(0, round((_held_until - time.monotonic()) * 1000))


def _change(settings: QSettings, change: Any) -> None:
    from PySide6.QtCore import QCoreApplication

    if QCoreApplication.instance() is None:  # (no event loop: a script) now, then
        change()
        settings.sync()
        return
    if not _file_backed(settings):
        # the registry (Windows) or the system's preferences (macOS): each change is
        # handed to the system as it is made, and a QSettings opened on the same path
        # would share none of it; Qt's own way stays
        change()
        return
    file = (settings.fileName(), settings.format())
    if file not in _writers:
        _writers[file] = _writer(file)  # (before the change: nothing to write yet)
    change()
    # Qt's own write, on the settings' thread (the GUI's), is not made: the writer's
    # is, on its thread. (QSettings posts it once until it is written: ``write_now``)
    QCoreApplication.removePostedEvents(settings, _UPDATE_REQUEST)
    _unwritten[file] = None
    _write_later()


def _file_backed(settings: QSettings) -> bool:
    """Whether ``settings`` is kept in a file Qt writes itself (an INI file: the
    native format on Linux and other Unix systems), which every QSettings of the file
    in this program shares, and which ``set_value`` writes on a thread of its own."""
    import sys

    return (settings.format() == QSettings.Format.IniFormat
            or sys.platform not in ("win32", "darwin"))


def _writer(file: tuple[str, Any]) -> QSettings:
    """A QSettings of ``file`` on the writing thread, made here: made where a change is
    not written yet, a QSettings writes it (Python's lock held)."""
    global _thread
    from PySide6.QtCore import QThread

    if _thread is None:
        _thread = QThread()
        _thread.setObjectName("fieldplan-settings")
        # (Qt aborts the process that ends with it running; and what changed last
        # reaches the disk however the client ends)
        import atexit

        atexit.register(write_now)
    if not _thread.isRunning():
        _thread.start()  # (QThread.run: Qt's event loop, no Python)
    writer = QSettings(*file)
    writer.moveToThread(_thread)
    return writer


def _write_later() -> None:
    global _write_soon
    if _write_soon:
        return
    from PySide6.QtCore import QTimer

    # at the next turn of the event loop: the changes made together (a language
    # change's, a window's opening) are written at once
    _write_soon = True
    QTimer.singleShot(_held_ms(), _ask_writes)


def _ask_writes() -> None:
    global _write_soon
    _write_soon = False
    if not _unwritten:
        return
    if _held_ms():  # (released meanwhile, then held again by another window)
        _write_later()
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    if not _thread.isRunning():
        _thread.start()
    for file in _unwritten:
        # written by Qt on the writer's thread, as it writes at a change on its own
        QCoreApplication.postEvent(_writers[file], QEvent(QEvent.Type.UpdateRequest))
    _unwritten.clear()


def write_now() -> None:
    """(the client's end) The writes asked are ended, and the changes since are
    written on this thread: nothing changed is lost when the client ends (which waits
    for the disk, once)."""
    global _write_soon
    if _thread is not None and _thread.isRunning():
        _thread.quit()
        _thread.wait()
    _unwritten.clear()
    _write_soon = False
    for writer in _writers.values():
        writer.sync()  # (the file's changes made by every QSettings on it)


def adopt_earlier(settings: QSettings, identity: Any) -> None:
    """Settings an earlier release kept for every database (unkeyed) become this
    database's, unless it has its own, and are removed: the next database to open
    starts afresh."""
    for name in PER_DATABASE:
        if settings.contains(name):
            own = database_key(identity.replica_id, name)
            if not settings.contains(own):
                set_value(settings, own, settings.value(name))
            remove_value(settings, name)


def carry_over(settings: QSettings, replica: str, identity: Any) -> None:
    """(a set-up-again) The settings of the database of ``replica`` become those of
    the database of ``identity``, which takes its place on this computer."""
    for name in PER_DATABASE:
        old = database_key(replica, name)
        if settings.contains(old):
            set_value(settings, database_key(identity.replica_id, name), settings.value(old))


def note_opened(settings: QSettings, identity: Any, today: dt.date | None = None) -> None:
    """The database of ``identity`` is opened ``today``: note it, and forget the
    settings of databases not opened for FORGET_AFTER_DAYS, then of all but the
    KEEP_DATABASES opened last. Those of the database open and of the replicas it
    continues (still to be taken over: ``database_value``) are kept. One with no day
    noted (an earlier release's) is given today's, its time starting now, but goes
    first when there are too many.

    ``today`` is by the clock writes are stamped with (``events.local_today``). A clock
    set years ahead would make every other database look unopened for years: when the
    newest day noted (this database's last opening too) is more than FORGET_AFTER_DAYS
    before today, every day noted moves on by as much (their ages between them kept),
    so that none is forgotten for the jump, at this opening or a later one; and a day
    noted after today (by a clock that was ahead) counts as today. A clock gone back
    before CLOCK_FLOOR notes nothing and forgets nothing (each database noted would be
    years ahead of it, and this one's day years behind at the next right opening); a
    day noted before it (by such a clock) counts as today."""
    today = today or events.local_today()
    if today < CLOCK_FLOOR:
        return
    settings.beginGroup(GROUP)
    replicas = settings.childGroups()
    settings.endGroup()
    kept = set(_replicas(identity))
    opened: dict[str, dt.date] = {}
    undated: set[str] = set()
    for replica in replicas:
        key = database_key(replica, OPENED)
        try:
            day = dt.date.fromisoformat(str(settings.value(key)))
            if day < CLOCK_FLOOR:  # (its time starts now, as an undated one's)
                set_value(settings, key, today.isoformat())
                day = today
            opened[replica] = min(day, today)
        except ValueError:
            set_value(settings, key, today.isoformat())
            opened[replica] = today
            undated.add(replica)
    noted = [day for replica, day in opened.items() if replica not in undated]
    if noted and (today - max(noted)).days > FORGET_AFTER_DAYS:
        # a clock years ahead, or no database opened for a year: the days noted move
        # on by as much, their ages between them kept, and are written so (the day of
        # this opening would be no jump at the next, and the others' ages years then)
        jump = today - max(noted)
        for replica in opened:
            if replica not in undated:
                opened[replica] += jump
                set_value(settings, database_key(replica, OPENED),
                          opened[replica].isoformat())
    set_value(settings, database_key(identity.replica_id, OPENED), today.isoformat())
    opened[identity.replica_id] = today
    oldest = today - dt.timedelta(days=FORGET_AFTER_DAYS)
    # (of too many, the undated go first: opened when, no one knows)
    last_first = sorted(opened, key=lambda r: (r not in kept, r in undated,
                                               -opened[r].toordinal(), r))
    for rank, replica in enumerate(last_first):
        if replica not in kept and (opened[replica] < oldest or rank >= KEEP_DATABASES):
            remove_value(settings, f"{GROUP}/{replica}")


def splitter_sizes(splitter: QSplitter) -> list[int]:
    """Where ``splitter``'s dividers are (its panes' sizes), kept for the next start."""
    return [int(size) for size in splitter.sizes()]


def restore_sizes(splitter: QSplitter, sizes: Any) -> None:
    """Put ``splitter``'s dividers back where ``splitter_sizes`` found them (the window
    may be of another size since: the panes keep their proportions). Anything else, a
    list of another length, of sizes that are not all numbers or all 0, is left."""
    # (the panes' count: the Reports page's ``count`` is its label)
    if not isinstance(sizes, list | tuple) or len(sizes) != len(splitter.sizes()):
        return
    found = [whole_number(size) for size in sizes]
    if None in found or any(size > MAX_SIZE for size in found):
        return
    found = [max(0, size) for size in found]
    if any(found):
        splitter.setSizes(found)


#: the largest divider place a settings file may hold (Qt keeps sizes in a C int: a
#: damaged file's 1e300 or "inf" raised where the window opens, and it never showed)
MAX_SIZE = 1 << 20


def whole_number(value: Any) -> int | None:
    """A whole number a settings file holds (a number, or its text: some formats give
    text back), else None: a damaged or hand-edited file may hold any value where a
    number was written (None, a list, "abc", 1e300, a float's infinity)."""
    if isinstance(value, bool):
        return None
    try:  # (int() of a float's infinity raises OverflowError, of NaN ValueError)
        return int(value) if isinstance(value, int | float) else int(str(value), 10)
    except (TypeError, ValueError, OverflowError):
        return None


def kept_review_deadlines(settings: QSettings | None, identity: Any) -> dict[str, dt.date]:
    """The days the review pack's dialog of an earlier release kept here for the
    periods of the database of ``identity`` (period -> day), to become the database's
    (``fieldplan.reports.deadlines``): {} for none (or a damaged settings file's)."""
    if settings is None:
        return {}
    kept = database_value(settings, identity, REVIEW_DEADLINES)
    days: dict[str, dt.date] = {}
    for period, text in (kept.items() if isinstance(kept, dict) else ()):
        try:
            days[str(period)] = dt.date.fromisoformat(str(text))
        except ValueError:
            continue
    return days


def forget_review_deadlines(settings: QSettings, identity: Any) -> None:
    """(``kept_review_deadlines``, now the database's) Remove them from the settings."""
    for replica in _replicas(identity):
        key = database_key(replica, REVIEW_DEADLINES)
        if settings.contains(key):
            remove_value(settings, key)
