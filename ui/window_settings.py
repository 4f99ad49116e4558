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
#: the settings that are one database's
PER_DATABASE = (VIEW, REPORT_OFFICE)
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
                settings.setValue(database_key(identity.replica_id, name), value)
            return value
    return default


def set_database_value(settings: QSettings, identity: Any, name: str, value: Any) -> None:
    """Keep ``value`` as setting ``name`` of the database of ``identity``."""
    settings.setValue(database_key(identity.replica_id, name), value)


#: (``write_off_thread``) the place written on a thread of its own, if any, and the
#: places waiting for it: (file, format, replica, name) -> (identity, value), the last one
#: of each database only
_writing: Any = None
_waiting: dict[tuple[str, Any, str, str], tuple[Any, Any]] = {}


def write_off_thread(settings: QSettings, identity: Any, name: str, value: Any) -> None:
    """Keep ``value`` as setting ``name`` of the database of ``identity`` and put it on
    the disk now, on a thread of its own (MainWindow.keep_place, at each change of
    place). Qt writes a settings file with an fdatasync, which waits for the disk: on
    the GUI thread, a laptop's disk busy with an import's backup froze the window at
    each change of tab, report or filter. The settings file is shared by every
    QSettings of the program: ``settings`` reads the value as soon as it is written.
    Written one at a time, in order; a place waiting is replaced by a newer one."""
    _waiting[(settings.fileName(), settings.format(), identity.replica_id, name)] = (
        identity, value)
    if _writing is None:
        _write_next()


def _write_next(*_result: object) -> None:
    global _writing
    if not _waiting:
        _writing = None
        return
    places = list(_waiting.items())
    _waiting.clear()

    def write() -> None:
        for (file_name, form, _replica, name), (identity, value) in places:
            other = QSettings(file_name, form)
            set_database_value(other, identity, name, value)
            other.sync()

    from ui.ops import OffThread

    # a daemon: quitting does not wait for it (the window's closing writes the place
    # itself, after waiting for this one: ``wait_written``)
    _writing = OffThread(write, _write_next, _write_next, name="fieldplan-settings",
                         daemon=True)


def wait_written() -> None:
    """Wait for the place being written on a thread of its own and forget those waiting
    (``write_off_thread``): the caller writes the place itself, which a write still
    under way would otherwise undo."""
    _waiting.clear()
    if _writing is not None:
        _writing.thread.join()


def adopt_earlier(settings: QSettings, identity: Any) -> None:
    """Settings an earlier release kept for every database (unkeyed) become this
    database's, unless it has its own, and are removed: the next database to open
    starts afresh."""
    for name in PER_DATABASE:
        if settings.contains(name):
            own = database_key(identity.replica_id, name)
            if not settings.contains(own):
                settings.setValue(own, settings.value(name))
            settings.remove(name)


def carry_over(settings: QSettings, replica: str, identity: Any) -> None:
    """(a set-up-again) The settings of the database of ``replica`` become those of
    the database of ``identity``, which takes its place on this computer."""
    for name in PER_DATABASE:
        old = database_key(replica, name)
        if settings.contains(old):
            settings.setValue(database_key(identity.replica_id, name), settings.value(old))


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
                settings.setValue(key, today.isoformat())
                day = today
            opened[replica] = min(day, today)
        except ValueError:
            settings.setValue(key, today.isoformat())
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
                settings.setValue(database_key(replica, OPENED), opened[replica].isoformat())
    settings.setValue(database_key(identity.replica_id, OPENED), today.isoformat())
    opened[identity.replica_id] = today
    oldest = today - dt.timedelta(days=FORGET_AFTER_DAYS)
    # (of too many, the undated go first: opened when, no one knows)
    last_first = sorted(opened, key=lambda r: (r not in kept, r in undated,
                                               -opened[r].toordinal(), r))
    for rank, replica in enumerate(last_first):
        if replica not in kept and (opened[replica] < oldest or rank >= KEEP_DATABASES):
            settings.remove(f"{GROUP}/{replica}")


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
    try:
        found = [max(0, int(size)) for size in sizes]
    except (TypeError, ValueError):
        return
    if any(found):
        splitter.setSizes(found)
