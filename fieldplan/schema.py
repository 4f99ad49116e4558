"""Numbered schema migrations (sqlite-utils ``Migrations``), each applied in one
transaction together with its record in ``_sqlite_migrations``.

Never change what a released migration makes (its tables and rows): add the next
number. How it makes them may change (0004 on a nearly full disk), with a test that
the result is the same. Every released schema version has a fixture database in
tests/fixtures/db/ and an upgrade test.

Migrations run with SQLite's temporary store in files (``migrate``), but for those in
``IN_MEMORY``: a migration that builds an index on a table that holds data names the
index's columns in ``INDEX_SORTS``, so that the room an upgrade needs counts its sort
(``upgrade_room``).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fieldplan.errors import StoreError
from fieldplan.i18n import _, format_number, ltr

MIGRATION_SET = "fieldplan"

#: (name, function) in order. sqlite-utils is imported only when one must run: an
#: up-to-date database opens without paying for the import.
MIGRATIONS: list[tuple[str, Callable[[Any], None]]] = []


def migration(name: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register the next numbered migration (a function of a sqlite-utils Database)."""

    def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        if any(n == name for n, _ in MIGRATIONS):
            raise ValueError(f"migration {name} is registered twice")
        MIGRATIONS.append((name, fn))
        return fn

    return register


#: (0001) the first schema's statements
INITIAL_SCHEMA = """
        -- replica identity and settings: replica_id, role, office, plan_id, hlc, author
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- the event log: every write, local or imported, exactly as it was signed
        CREATE TABLE events (
            origin      TEXT    NOT NULL,
            seq         INTEGER NOT NULL CHECK (seq >= 1),
            hlc         INTEGER NOT NULL,
            entity      TEXT    NOT NULL,
            entity_id   TEXT    NOT NULL,
            hash        TEXT    NOT NULL,
            body        TEXT    NOT NULL,
            received_at TEXT    NOT NULL,
            PRIMARY KEY (origin, seq)
        ) WITHOUT ROWID;
        CREATE INDEX events_entity ON events (entity, entity_id);

        -- one row per field written by an event; heads (superseded = 0) are the
        -- current values, several heads of one field are a conflict
        CREATE TABLE versions (
            entity     TEXT    NOT NULL,
            entity_id  TEXT    NOT NULL,
            field      TEXT    NOT NULL,
            origin     TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            hlc        INTEGER NOT NULL,
            author     TEXT    NOT NULL,
            value      TEXT,
            superseded INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (entity, entity_id, field, origin, seq),
            FOREIGN KEY (origin, seq) REFERENCES events (origin, seq)
        ) WITHOUT ROWID;
        CREATE INDEX versions_heads ON versions (entity, entity_id, field)
            WHERE superseded = 0;

        -- "this write replaced that one": kept even when the target has not
        -- arrived yet, so the order of imports does not matter
        CREATE TABLE supersedes (
            entity        TEXT    NOT NULL,
            entity_id     TEXT    NOT NULL,
            field         TEXT    NOT NULL,
            target_origin TEXT    NOT NULL,
            target_seq    INTEGER NOT NULL,
            by_origin     TEXT    NOT NULL,
            by_seq        INTEGER NOT NULL,
            PRIMARY KEY (entity, entity_id, field, target_origin, target_seq,
                         by_origin, by_seq)
        ) WITHOUT ROWID;

        -- merged progress, derived from the heads of the 'progress' versions
        CREATE TABLE progress (
            office       TEXT    NOT NULL,
            action       TEXT    NOT NULL,
            period       TEXT    NOT NULL,
            status       TEXT    NOT NULL DEFAULT 'not-started',
            percent      INTEGER,
            vals         TEXT    NOT NULL DEFAULT '{}',
            achievements TEXT    NOT NULL DEFAULT '',
            challenges   TEXT    NOT NULL DEFAULT '',
            next_steps   TEXT    NOT NULL DEFAULT '',
            state        TEXT    NOT NULL DEFAULT 'draft',
            hlc          INTEGER NOT NULL,
            updated_by   TEXT    NOT NULL,
            PRIMARY KEY (office, action, period)
        ) WITHOUT ROWID;
        CREATE INDEX progress_period ON progress (period, office);

        -- acknowledgements: the highest contiguous seq of origin that peer holds
        CREATE TABLE acks (
            peer   TEXT    NOT NULL,
            origin TEXT    NOT NULL,
            seq    INTEGER NOT NULL,
            PRIMARY KEY (peer, origin)
        ) WITHOUT ROWID;

        -- every bundle this replica was given, with its outcome (the HQ inbox)
        CREATE TABLE inbox (
            id          INTEGER PRIMARY KEY,
            bundle_id   TEXT,
            file_name   TEXT    NOT NULL,
            sha256      TEXT    NOT NULL,
            office      TEXT,
            sender      TEXT,
            key_id      TEXT,
            received_at TEXT    NOT NULL,
            outcome     TEXT    NOT NULL,
            reason      TEXT    NOT NULL DEFAULT '',
            events      INTEGER NOT NULL DEFAULT 0,
            events_new  INTEGER NOT NULL DEFAULT 0
        );

        -- bundles from keys not trusted yet: kept whole until a person decides
        CREATE TABLE quarantine (
            bundle_id   TEXT PRIMARY KEY,
            key_id      TEXT NOT NULL,
            public_key  TEXT NOT NULL,
            office      TEXT NOT NULL,
            sender      TEXT NOT NULL,
            file_name   TEXT NOT NULL,
            received_at TEXT NOT NULL,
            events      INTEGER NOT NULL,
            data        BLOB NOT NULL
        );

        -- (HQ) open enrolments: the secret a setup bundle carries, never exported
        CREATE TABLE enrolments (
            id         TEXT PRIMARY KEY,
            office     TEXT NOT NULL,
            token      TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );

        -- keys this replica trusts locally (an office trusting a peer by fingerprint)
        CREATE TABLE local_trust (
            key_id     TEXT PRIMARY KEY,
            public_key TEXT NOT NULL,
            office     TEXT NOT NULL,
            replica    TEXT NOT NULL,
            trusted_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """


@migration("0001_initial")
def m0001_initial(db: Any) -> None:
    """Replica settings, the event log, field versions and the merged state."""
    _execute_script(db.conn, INITIAL_SCHEMA)


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run a script's statements one by one, in the migration's transaction (never
    sqlite3's ``executescript``, which commits first)."""
    for statement in script_statements(script):
        conn.execute(statement)


def script_statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, each whole, found at its semicolons (one in a
    string or a comment is not an end: ``sqlite3.complete_statement``). sqlite-utils'
    ``executescript`` in a transaction tries every character of the script instead,
    which took most of the time a new database's schema took (a first run's, and each
    ``init``'s)."""
    pieces = script.split(";")
    statement = ""
    for i, piece in enumerate(pieces):
        statement += piece if i == len(pieces) - 1 else piece + ";"
        whole = statement.strip()
        if whole and sqlite3.complete_statement(whole):
            yield whole
            statement = ""
    rest = statement.strip()
    if rest:
        yield rest


@migration("0002_inbox_reason_msg")
def m0002_inbox_reason_msg(db: Any) -> None:
    """How each inbox reason was made (message id and arguments, JSON): the inbox shows
    it in the reader's language, not only in the language of the import."""
    db.execute("ALTER TABLE inbox ADD COLUMN reason_msg TEXT")


@migration("0003_events_inbox_id")
def m0003_events_inbox_id(db: Any) -> None:
    """Which import brought each event: the id of its inbox line. The review pack names
    the files that brought late data by it; import times alone, to the second, cannot
    tell apart bundles imported in one command. NULL for this replica's own events, a
    setup bundle's, and those stored before."""
    db.execute("ALTER TABLE events ADD COLUMN inbox_id INTEGER")


#: The migration that copies whole tables (see ``migrate``'s VACUUM).
REBUILDS_TABLES = "0004_rowid_tables"


@migration(REBUILDS_TABLES)
def m0004_rowid_tables(db: Any) -> None:
    """The event log, field versions and merged reports as ordinary (rowid) tables.

    A WITHOUT ROWID table keeps at most about 1 KB of a row in its page and puts the
    rest on an overflow page of its own: each event or report with a long narrative
    took a 4 KB page more, two thirds of an HQ database were such pages, and every
    import wrote them again. A rowid table keeps rows of up to about 4 KB in the page,
    and new events go at its end. Needs foreign keys off (``migrate`` does it): the
    tables are rebuilt under their names, as SQLite's ALTER TABLE documentation says.

    Each table is copied beside the old one, then put in its place: the file grows by
    the tables' size when the write-ahead log is merged into it (the VACUUM after gives
    it back). On a disk without room for that (``_rebuild_in_place``) each table's rows
    wait in a temporary table (in memory: ``temp_store``) while the old one is dropped,
    so that the new one takes the pages the old one gave up: the copy beside it filled
    a nearly full disk (SQLite filled it with the part of the log it could merge at
    each closing, and the log stayed). Only then: in memory, a large headquarters'
    tables would take as much of the computer's memory as they take of the disk.
    """
    conn = db.conn
    in_place = _rebuild_in_place(conn)
    for table in ("events", "versions", "progress"):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (table,)).fetchone()[0]
        indexes = [row[0] for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,))]
        rest = sql.split("(", 1)[1]
        body = rest.rstrip()
        if not body.upper().endswith("WITHOUT ROWID"):
            continue
        body = body[: -len("WITHOUT ROWID")].rstrip()
        columns = ", ".join(f'"{row[1]}"' for row in conn.execute(f"PRAGMA table_info({table})"))
        keys = _key_columns(conn, table)
        source = f"main.{table}"
        if in_place:
            conn.execute(f"CREATE TEMP TABLE {table}_rows AS SELECT {columns} FROM main.{table}")
            conn.execute(f"DROP TABLE main.{table}")
            source = f"temp.{table}_rows"
        conn.execute(f"CREATE TABLE main.{table}_new ({body}")
        # in key order: a table read in order stays in order on disk
        conn.execute(f"INSERT INTO main.{table}_new ({columns}) SELECT {columns} "
                     f"FROM {source} ORDER BY {keys}")
        conn.execute(f"DROP TABLE {source}")
        conn.execute(f"ALTER TABLE main.{table}_new RENAME TO {table}")
        for index in indexes:
            conn.execute(index)
    broken = conn.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:  # pragma: no cover - the copy keeps every row
        raise sqlite3.IntegrityError(f"foreign key broken in {broken[0]}")


def _rebuild_in_place(conn: sqlite3.Connection) -> bool:
    """Whether the disk lacks the room a copy of the tables beside the old ones takes
    (``m0004_rowid_tables``): their pages in the log, then the file grown by them, up
    to twice the database's size."""
    room = _free_room(conn)
    if room is None:
        return False
    page_size, pages = _pages(conn)
    return room < 2 * pages * (page_size + _WAL_FRAME_HEADER) + _ROOM_SLACK


def _key_columns(conn: sqlite3.Connection, table: str) -> str:
    keys = sorted((row[5], row[1]) for row in conn.execute(f"PRAGMA table_info({table})")
                  if row[5])
    return ", ".join(f'"{name}"' for _n, name in keys)


@migration("0005_forks")
def m0005_forks(db: Any) -> None:
    """(HQ) The office computers whose history forked: an import refused because
    events of replica ``origin`` differ from held ones from ``seq`` on. Until the
    computer shows it holds that replica's events as headquarters does, headquarters'
    bundles for its office carry them from ``seq`` on, which repairs it there
    (fieldplan.sync.fork)."""
    db.execute("CREATE TABLE forks (origin TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
               "found_at TEXT NOT NULL) WITHOUT ROWID")


@migration("0006_inbox_plan_changes")
def m0006_inbox_plan_changes(db: Any) -> None:
    """What a new plan a bundle brought changes ("Action added (1): PA1.9"), a JSON
    list of its lines, each as written and how it was made (``text``, ``msg``): an
    office's Inbox says it again, in the reader's language, once the import's dialog
    is closed. NULL for a bundle that brought none, and for those imported before.

    And for each period lock already here, the last import before this version
    (``progress.LOCK_INBOX``): what it imported up to now is judged against the lock by
    the clock, as it was; only later imports by their order too. (Ordering the imports
    before the upgrade by their times would take a clock put right since for changes
    after the lock.)"""
    db.execute("ALTER TABLE inbox ADD COLUMN plan_changes TEXT")
    db.execute(
        "INSERT OR IGNORE INTO meta (key, value) SELECT DISTINCT 'lock_inbox:' || "
        "entity_id, (SELECT coalesce(max(id), 0) FROM inbox) FROM versions "
        "WHERE entity = 'lock'")


EVENTS_ENTITY_ORIGIN = "0007_events_entity_origin"


@migration(EVENTS_ENTITY_ORIGIN)
def m0007_events_entity_origin(db: Any) -> None:
    """The event log's index on (entity, entity_id) holds each event's origin too, in
    its place: the replicas that wrote an office's progress (a status sheet's QR code,
    ``reports.common.office_replicas``) are read from the index alone, where each of
    the office's events was looked up in the table (a headquarters holding a million
    events of one office: 1.3 s, 0.08 s now). Every query the narrower index served
    reads the same first columns of this one; a second index beside it would be
    written by every event again.

    The old index may be missing (dropped by hand or by another tool), the new one
    there already: a database without the old one was refused with "no such index",
    and could be neither upgraded nor opened."""
    db.execute("DROP INDEX IF EXISTS events_entity")
    db.execute("CREATE INDEX IF NOT EXISTS events_entity_origin "
               "ON events (entity, entity_id, origin)")


#: The migrations that run with SQLite's temporary store in memory, as every other
#: statement of fieldplan does (``store.connect``); the others run with it in files.
#: REBUILDS_TABLES on a disk without room for a copy of the tables holds each table's
#: rows in a temporary table while the old one is dropped (``m0004_rowid_tables``): in
#: a file, they would take the room that is there to spare.
IN_MEMORY = frozenset({REBUILDS_TABLES})

#: (table, columns) of the index each migration builds on a table that may hold data:
#: SQLite sorts its entries first, in temporary files (``migrate``), which
#: ``upgrade_room`` counts. In memory, the sort of ``EVENTS_ENTITY_ORIGIN`` took 130 MB
#: more per million events than opening the database does.
INDEX_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    EVENTS_ENTITY_ORIGIN: ("events", ("entity", "entity_id", "origin")),
}

#: What SQLite's sorter adds to each entry's values (a record's header, the row's id,
#: the entry's length), at most.
_SORT_ENTRY = 24


def known_migrations() -> list[str]:
    """Names of the migrations this version of fieldplan knows, in order."""
    return [name for name, _ in MIGRATIONS]


def schema_version(conn: sqlite3.Connection) -> int:
    """How many of fieldplan's migrations this database has applied."""
    return len(_applied(conn))


def _applied(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
        (MIGRATION_SET,),
    ).fetchall()
    return [r[0] for r in rows]


def written_by_newer(conn: sqlite3.Connection) -> bool:
    """Whether a newer fieldplan wrote this database: it applied migrations this
    version does not know (read only)."""
    known = set(known_migrations())
    return any(name not in known for name in _applied(conn))


def pending(conn: sqlite3.Connection, path: Path | None = None) -> list[str]:
    """The migrations this database still needs (read only). Raises StoreError for a
    database a newer fieldplan wrote, naming it (``path``) when given."""
    return _pending(_applied(conn), path)


def _pending(applied: list[str], path: Path | None = None) -> list[str]:
    known = known_migrations()
    unknown = [name for name in applied if name not in known]
    if unknown:
        schema, knows = format_number(len(applied)), format_number(len(known))
        if path is not None:
            # (named: "this database" did not say which file --db or FIELDPLAN_DB gave)
            raise StoreError(_(
                "{path} was written by a newer fieldplan (schema {schema}, this program "
                "knows {known}); update fieldplan to open it").format(
                    path=ltr(path), schema=schema, known=knows))
        raise StoreError(_(
            "this database was written by a newer fieldplan (schema {schema}, this program "
            "knows {known}); update fieldplan to open it").format(schema=schema, known=knows))
    return [name for name in known if name not in applied]


def migrate(conn: sqlite3.Connection, path: Path | None = None, *,
            removed: list[Path] | None = None,
            notices: list[str] | None = None,
            upgrading: Callable[[], None] | None = None) -> list[str]:
    """Apply pending migrations, after backing up a database that already holds data
    (``removed``: see ``store.backup``). ``notices``: what the person should be told
    beside it (a disk too full to give the old tables' room back: ``_vacuum_if_due``)
    is added to it. ``upgrading`` is called before such a database's upgrade begins
    (the client says so while it waits).

    Returns the names applied here (empty when up to date: re-running is a no-op; not
    those another fieldplan opening it at the same time applied first: ``_apply``).
    """
    from fieldplan import store

    applied = _applied(conn)
    pending = _pending(applied, path)
    if not pending:
        _vacuum_if_due(conn)  # one a killed upgrade left undone
        return []
    made = None
    if applied and upgrading is not None:
        upgrading()
    if applied and path is not None:
        made = store.backup(conn, path, f"before-migration-{pending[0]}", removed=removed)
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, fn in MIGRATIONS:
        if name == REBUILDS_TABLES and applied:
            fn = _vacuum_after(fn)
        migrations(name=name)(fn)
    # a table rebuilt under its name (0004) is dropped while others refer to it: foreign
    # keys are off while migrations run (a no-op inside a transaction: none is open)
    conn.execute("PRAGMA foreign_keys = OFF")
    ran: list[str] = []
    try:
        db = Database(conn, execute_plugins=False)
        for name in pending:
            # an index's sort in temporary files, not in memory (IN_MEMORY, INDEX_SORTS)
            try:
                with _temp_store(conn, "MEMORY" if name in IN_MEMORY else "FILE"):
                    done = _apply(conn, db, migrations, name)
            except sqlite3.OperationalError as exc:
                if name in IN_MEMORY or not temp_file_error(exc) or name in _applied(conn):
                    raise
                # (rolled back) no temporary file could be written, its folder or the
                # folder's disk: sorted in memory, as before temporary files; a
                # failing disk of the database's own fails again and is said
                with _temp_store(conn, "MEMORY"):
                    done = _apply(conn, db, migrations, name)
            if done:
                ran.append(name)
            if applied:
                # its log merged and emptied: the next one's has that room on a nearly
                # full disk (a table rebuild's log is the size of the tables)
                _merge_log(conn)
    except sqlite3.Error as exc:
        if made is not None and store.out_of_space(exc) and _applied(conn) == applied:
            # the database is as it was and the backup a copy of it: kept, it took
            # the room the next try needs, and each try added one more until even the
            # backup failed (a backups folder filled with copies of one file)
            store.remove_backup(made)
        if store.out_of_space(exc):
            # what the next try needs, said with the full disk (store's opening error):
            # "the disk is full" alone left the person to guess how much to free
            with contextlib.suppress(sqlite3.Error):
                exc.upgrade_room = upgrade_room(conn, backed_up=made is not None)
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    if made is not None and not ran:
        # another fieldplan upgraded it meanwhile, after its own backup: this one is a
        # copy of the upgraded database, named as taken before the migration
        store.remove_backup(made)
    needed = _vacuum_if_due(conn)
    if needed is not None and notices is not None:
        # said once, by the upgrade: later openings try again without a word
        notices.append(_(
            "the disk is nearly full: the database was upgraded, but the room its old "
            "tables took is not given back yet (that needs {size} MB free on its disk); "
            "fieldplan does it at a later opening, once there is room").format(
                size=megabytes(needed)))
    return ran


def _apply(conn: sqlite3.Connection, db: Any, migrations: Any, name: str) -> bool:
    """Apply the migration ``name`` and record it, in one transaction, unless it is
    applied already; returns whether it was applied here. Another fieldplan opening
    the database at the same time (the client starting while a scheduled export runs,
    two people on a shared folder) found the same migrations pending: the write lock
    is taken first (``BEGIN IMMEDIATE``, waiting for the other's migration to end), and
    what is applied read again under it. Read before it, the migration ran a second
    time ("duplicate column name") or sqlite-utils refused to stop before one the other
    had applied (an internal error), and the database did not open."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = _applied(conn)
        if name not in done:
            # sqlite-utils' transaction is a savepoint inside this one
            migrations.apply(db, stop_before={n for n in known_migrations()
                                              if n != name and n not in done})
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return name not in done


def megabytes(size: int) -> str:
    """``size`` bytes in MB, to a tenth, rounded up (a disk with the room said has the
    room: 1.34 MB said "1.3 MB" read as enough on a disk with 1.3 MB free)."""
    return format_number(max(1, math.ceil(size / 100_000)) / 10)


def upgrade_room(conn: sqlite3.Connection, *, backed_up: bool) -> int:
    """About how many free bytes the database's upgrade needs on its disk: its backup
    (``backed_up``: the database's size), a write-ahead log as large as the
    database (a migration that rebuilds the tables writes each of their pages there,
    ``m0004_rowid_tables`` in place on a nearly full disk), and the temporary files of
    the sorts of the indexes its pending migrations build (``sort_room``: counted as
    if the system's temporary folder were on that disk too, as it mostly is). Said
    with the full disk an upgrade stopped at (``migrate``)."""
    page_size, pages = _pages(conn)
    log = pages * (page_size + _WAL_FRAME_HEADER) + _WAL_HEADER
    return ((pages * page_size if backed_up else 0) + log + sort_room(conn, pending(conn))
            + _ROOM_SLACK)


def sort_room(conn: sqlite3.Connection, names: list[str]) -> int:
    """The bytes the sorts of the indexes the migrations ``names`` build write to
    temporary files, at most (``INDEX_SORTS``): each row's values of the index's
    columns and what the sorter adds to them. Reads those columns of every row."""
    total = 0
    for name in names:
        if name not in INDEX_SORTS:
            continue
        table, columns = INDEX_SORTS[name]
        values = " + ".join(f'coalesce(length(CAST("{c}" AS BLOB)), 0)' for c in columns)
        total += conn.execute(f'SELECT coalesce(sum({values}), 0) + count(*) * ? '
                              f'FROM "{table}"', (_SORT_ENTRY,)).fetchone()[0]
    return total


def temp_file_error(exc: BaseException) -> bool:
    """Whether SQLite's error ``exc`` may come of a temporary file it could not make or
    write (no temporary folder it can write, that folder's disk failing: an I/O error,
    SQLITE_IOERR_GETTEMPPATH, a file that cannot be opened), which the same statement
    with the temporary store in memory does not meet. Also a failing disk of the
    database's own: the VACUUM's I/O error does not say which."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_IOERR,
                                                     sqlite3.SQLITE_CANTOPEN)


@contextlib.contextmanager
def _temp_store(conn: sqlite3.Connection, mode: str) -> Iterator[None]:
    """SQLite's temporary store (its sorts, temporary tables) in ``mode`` (MEMORY or
    FILE) while the block runs, as it was after. Outside a transaction only: SQLite
    refuses the change inside one."""
    was = conn.execute("PRAGMA temp_store").fetchone()[0]
    conn.execute(f"PRAGMA temp_store = {mode}")
    try:
        yield
    except BaseException:
        # (a transaction the error left open refuses it: the opening closes the
        # connection then)
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA temp_store = {int(was)}")
        raise
    conn.execute(f"PRAGMA temp_store = {int(was)}")


#: The setting (in ``meta``) that says a VACUUM is due after a migration rebuilt tables
#: (REBUILDS_TABLES); removed once it is done. Only a database that held data has it.
VACUUM_DUE = "vacuum_due"


def _vacuum_after(rebuild: Callable[[Any], None]) -> Callable[[Any], None]:
    """``rebuild`` (REBUILDS_TABLES on a database that holds data), then VACUUM_DUE in
    its transaction: the old tables' pages are free, not given back (a file a third
    larger than it needs, in every backup and copy) until VACUUM writes the file again,
    once; said with the rebuild, so that a kill during the VACUUM (seconds on a large
    file) leaves it to the next opening."""

    def rebuild_then_vacuum(db: Any) -> None:
        rebuild(db)
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                   (VACUUM_DUE, REBUILDS_TABLES))

    return rebuild_then_vacuum


#: What SQLite's write-ahead log adds to each page it holds (a frame's header), and
#: its own header: a VACUUM writes every page of the database there.
_WAL_FRAME_HEADER = 24
_WAL_HEADER = 32
#: Room left over beyond what a step after migrating writes (the log's index, -shm,
#: grows with it; the disk is never filled to its last block by us).
_ROOM_SLACK = 256 * 1024


def _pages(conn: sqlite3.Connection) -> tuple[int, int]:
    """The database's page size (bytes) and page count."""
    return (conn.execute("PRAGMA page_size").fetchone()[0],
            conn.execute("PRAGMA page_count").fetchone()[0])


def _db_file(conn: sqlite3.Connection) -> Path | None:
    """The file of the connection's main database (None: one in memory)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row is not None and row[2] else None


def _free_room(conn: sqlite3.Connection) -> int | None:
    """Free bytes on the disk of the database (None: unknown, or no file)."""
    import shutil

    file = _db_file(conn)
    if file is None:
        return None
    try:
        return shutil.disk_usage(file.parent).free
    except OSError:
        return None


def _merge_log(conn: sqlite3.Connection) -> None:
    """``_checkpoint`` when the disk has the room the database file grows by (the pages
    the log adds at its end); left to SQLite's own merge at the last close otherwise."""
    file = _db_file(conn)
    if file is None:
        return
    page_size, pages = _pages(conn)
    try:
        grows = pages * page_size - file.stat().st_size
    except OSError:
        return
    room = _free_room(conn)
    if grows <= 0 or room is None or room >= grows:
        _checkpoint(conn)


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Merge the write-ahead log into the database file and empty it (TRUNCATE), giving
    its room back; left for later (SQLite merges it at the last close, or a later
    opening does) when the disk is full or another connection reads the log, without
    waiting for it (the opening would wait the whole busy timeout)."""
    from fieldplan import store

    waits = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError as exc:
        if not (store.out_of_space(exc) or store.busy(exc)):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(waits)}")


def _vacuum_if_due(conn: sqlite3.Connection) -> int | None:
    """The VACUUM after a table rebuild, when ``VACUUM_DUE`` says it is still due: in
    the upgrade, or at the next opening when the upgrade was killed during it, or the
    disk had no room for it. An opening without it reads one setting. Another fieldplan
    holding the database leaves it due for the next opening: the database opens anyway.

    The room each step writes is asked of the disk first (it needs more than the
    migration did): the migration's write-ahead log is merged into the file when the
    file has room to grow (the log's room is given back), and the VACUUM, which copies
    every page in use to a temporary file (counted as if the system's temporary folder
    were on that disk, as it mostly is) and writes each to the log again, runs only
    when they fit. Run on a disk without
    that room, it filled the disk to its last byte with a log that could then not be
    merged, and failed. Returns the free bytes the VACUUM needs when it was left due
    for lack of room (None: done, not due, or left to a later opening for another
    reason)."""
    try:
        due = conn.execute("SELECT 1 FROM meta WHERE key = ?", (VACUUM_DUE,)).fetchone()
    except sqlite3.OperationalError:  # no meta table: an empty database
        return None
    if due is None:
        return None
    from fieldplan import store

    _merge_log(conn)
    page_size, pages = _pages(conn)
    in_use = pages - conn.execute("PRAGMA freelist_count").fetchone()[0]
    # the copy SQLite makes of the database first, in a temporary file, and the log
    needed = (in_use * page_size + in_use * (page_size + _WAL_FRAME_HEADER) + _WAL_HEADER
              + _ROOM_SLACK)
    room = _free_room(conn)
    if room is not None and room < needed:
        return needed
    try:
        # the copy in a file, not in memory (the opening's temp_store): a headquarters'
        # whole database in the computer's memory, 1.3 GB for a million events, and
        # a computer without it killed the opening, which tried again at each one
        with _temp_store(conn, "FILE"):
            conn.execute("VACUUM")
        conn.execute("DELETE FROM meta WHERE key = ?", (VACUUM_DUE,))
    except sqlite3.OperationalError as exc:
        if store.out_of_space(exc):
            return needed
        if not (store.busy(exc) or temp_file_error(exc)):
            raise
        # another fieldplan reading it, or no temporary file for the copy (a temporary
        # folder that cannot be written: each opening refused the database, which was
        # sound and upgraded): left due, the file larger than it needs meanwhile
        return None
    finally:
        # the log holds every page the VACUUM wrote (or those it wrote before it
        # failed, rolled back): given back now, not when the program ends
        _checkpoint(conn)
    return None
