"""The store: file location, migrations, WAL, backups, bad files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from fieldplan import schema, store
from fieldplan.errors import StoreError
from tests.scenes import damaged_with_a_backup


def test_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store.resolve_db_path(None) == tmp_path / "xdg" / "fieldplan" / "fieldplan.sqlite3"
    monkeypatch.setenv("FIELDPLAN_DB", str(tmp_path / "env.sqlite3"))
    assert store.resolve_db_path(None) == tmp_path / "env.sqlite3"
    assert store.resolve_db_path(tmp_path / "arg.sqlite3") == tmp_path / "arg.sqlite3"


def test_migrations_on_empty_file_then_noop(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    assert schema.schema_version(conn) == len(schema.known_migrations())
    names = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldplan'")]
    assert names == schema.known_migrations()
    assert schema.migrate(conn, path) == []  # re-run: nothing to do
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
    conn = store.connect(path)
    assert schema.schema_version(conn) == len(schema.known_migrations())
    conn.close()


def test_a_new_database_schema_is_not_waited_for_at_each_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new database (made under a temporary name by init) writes its schema without a
    sync at each migration's commit; an existing one's upgrade is synced at each, and
    every connection is handed back with synchronous=FULL."""
    seen: list[int] = []
    migrate = schema.migrate

    def recording(conn: sqlite3.Connection, *args, **kwargs) -> list[str]:
        seen.append(conn.execute("PRAGMA synchronous").fetchone()[0])
        return migrate(conn, *args, **kwargs)

    monkeypatch.setattr(schema, "migrate", recording)
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn.close()
    conn = store.connect(path)
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    conn.close()
    assert seen == [0, 2]  # OFF while new, FULL when opened


def test_script_statements_end_at_semicolons_outside_strings_and_comments() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT DEFAULT 'b;c');
        /* another; */ CREATE TABLE d (y);
        -- the end
        """
    assert list(schema.script_statements(script)) == [
        "-- a comment; with a semicolon\n        CREATE TABLE a (x TEXT DEFAULT 'b;c');",
        "/* another; */ CREATE TABLE d (y);",
        "-- the end",
    ]


def test_the_first_schema_is_the_one_sqlite_utils_executescript_made() -> None:
    """The first migration's statements, run one by one, make what sqlite-utils'
    executescript made (before): the same tables and indexes, written the same."""
    from sqlite_utils import Database

    def made(run) -> list[tuple]:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        db = Database(conn, execute_plugins=False)
        with db.atomic():
            run(db)
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "ORDER BY name").fetchall()
        conn.close()
        return rows

    ours = made(schema.m0001_initial)
    assert len(ours) > 10
    assert ours == made(lambda db: db.executescript(schema.INITIAL_SCHEMA))


def test_fixture_database_of_each_released_schema_upgrades(tmp_path: Path) -> None:
    """Every released schema version has a fixture; opening it brings it up to date."""
    fixtures = sorted((Path(__file__).parent.parent / "fixtures" / "db").glob("schema-*.sqlite3"))
    assert fixtures, "tests/fixtures/db/ holds one database per released schema"
    for fixture in fixtures:
        copy = tmp_path / fixture.name
        copy.write_bytes(fixture.read_bytes())
        from fieldplan.progress import digest, list_reports
        from fieldplan.replica import open_replica

        with open_replica(copy) as rep:
            assert schema.schema_version(rep.conn) == len(schema.known_migrations())
            assert list_reports(rep), f"{fixture.name} keeps its reports"
            assert len(digest(rep)) == 64


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('fieldplan', '9999_future', 'x')")
    conn.close()
    known = len(schema.known_migrations())
    with pytest.raises(StoreError, match=rf"newer fieldplan \(schema {known + 1}, this "
                                         rf"program knows {known}\)"):
        store.connect(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"not a usable fieldplan database: the file is "
                                         r"not a database, or is damaged$"):
        store.connect(path)


def test_a_damaged_database_is_said_in_the_readers_words(tmp_path: Path) -> None:
    """Not SQLite's English "database disk image is malformed"."""
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    data = bytearray(path.read_bytes())
    data[100:600] = b"\xff" * 500  # the schema, on the first page after its header
    path.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    with pytest.raises(StoreError) as caught:
        store.connect(path)
    assert "malformed" not in str(caught.value)
    assert caught.value.problem.endswith(("the file is damaged",
                                          "the file is not a database, or is damaged"))
    # and the next step: no backup here, its key file is (see test_damage)
    assert str(caught.value).startswith(caught.value.problem + "; there is no backup")


def test_missing_database_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="fieldplan init"):
        store.connect(tmp_path / "none.sqlite3")


def test_backup_before_migration_and_rotation(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('probe', 'kept')")
    conn.close()

    @schema.migration("9000_test_extra")
    def extra(db) -> None:
        db.execute("CREATE TABLE extra (x)")

    try:
        conn = store.connect(path)
        conn.close()
        backups = store.list_backups(path)
        assert len(backups) == 1 and "before-migration-9000_test_extra" in backups[0].name
        old = sqlite3.connect(backups[0])
        assert old.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("kept",)
        assert not old.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra'").fetchone()
        old.close()
    finally:
        schema.MIGRATIONS.pop()
    conn = sqlite3.connect(path)
    for _ in range(store.BACKUPS_KEPT + 3):
        store.backup(conn, path, "test")
    # of each kind: the backup before the migration is not one of the ten
    assert len(store.list_backups(path)) == store.BACKUPS_KEPT + 1
    assert backups[0] in store.list_backups(path)
    conn.close()


def test_restore_latest_backup(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('probe', 'v1')")
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"garbage" * 1000)
    store.restore_latest_backup(path, force=True)
    conn = store.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "v1"
    assert (tmp_path / "x.sqlite3.damaged").exists()
    # the copy says it is a backup (a replica opened from it takes a new identity); the
    # database itself never does
    assert conn.execute("SELECT value FROM meta WHERE key = ?",
                        (store.BACKUP_MARK,)).fetchone() is not None
    conn.close()
    live = store.connect(tmp_path / "y.sqlite3", create=True)
    store.backup(live, tmp_path / "y.sqlite3", "manual")
    assert live.execute("SELECT 1 FROM meta WHERE key = ?", (store.BACKUP_MARK,)).fetchone() \
        is None
    live.close()


def test_backups_of_a_database_are_its_own(tmp_path: Path) -> None:
    """``fieldplan`` and ``fieldplan-hq`` in one folder: neither restores nor rotates
    away the other's backups."""
    office = store.connect(tmp_path / "fieldplan.sqlite3", create=True)
    office.execute("INSERT INTO meta VALUES ('probe', 'office')")
    store.backup(office, tmp_path / "fieldplan.sqlite3", "before-import")
    office.close()
    hq = store.connect(tmp_path / "fieldplan-hq.sqlite3", create=True)
    hq.execute("INSERT INTO meta VALUES ('probe', 'hq')")
    for _ in range(store.BACKUPS_KEPT + 2):
        store.backup(hq, tmp_path / "fieldplan-hq.sqlite3", "before-import")
    hq.close()
    [own] = store.list_backups(tmp_path / "fieldplan.sqlite3")
    assert len(store.list_backups(tmp_path / "fieldplan-hq.sqlite3")) == store.BACKUPS_KEPT
    path = tmp_path / "fieldplan.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    assert store.restore_latest_backup(path, force=True) == own
    conn = store.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "office"
    conn.close()


def test_restoring_twice_keeps_every_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"first damage")
    Path(str(path) + "-wal").write_bytes(b"its log")
    store.restore_latest_backup(path, force=True)
    path.write_bytes(b"second damage")
    store.restore_latest_backup(path, force=True)
    assert (tmp_path / "x.sqlite3.damaged").read_bytes() == b"first damage"
    assert (tmp_path / "x.sqlite3.damaged-wal").read_bytes() == b"its log"
    assert (tmp_path / "x.sqlite3.damaged.2").read_bytes() == b"second damage"


def test_a_sound_database_replaced_with_force_is_kept_as_replaced(tmp_path: Path) -> None:
    """Put aside by a forced restore, a sound database is ``.replaced``, not
    ``.damaged``; a log a killed restore left alone goes back to the file set aside
    last, whichever its name."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('replica_id', 'r1')")  # set up
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"damage")
    store.restore_latest_backup(path, force=True)
    store.restore_latest_backup(path, force=True)  # the restored copy is sound
    assert (tmp_path / "x.sqlite3.damaged").read_bytes() == b"damage"
    assert (tmp_path / "x.sqlite3.replaced").exists()
    assert not (tmp_path / "x.sqlite3.damaged.2").exists()
    # killed between the two renames of a sound file with a log: the log alone is left
    os.replace(path, tmp_path / "x.sqlite3.replaced.2")
    Path(str(path) + "-wal").write_bytes(b"its log")
    store.restore_latest_backup(path, force=True)
    assert (tmp_path / "x.sqlite3.replaced.2-wal").read_bytes() == b"its log"
    assert not (tmp_path / "x.sqlite3.damaged-wal").exists()


def test_a_backup_from_before_the_backup_mark_is_put_back_marked(tmp_path: Path) -> None:
    """Backups made by an earlier fieldplan carry no mark: put back, the copy gets one
    (the database then continues as a new replica, never forking its history)."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    old = store.backup(conn, path, "manual")
    conn.close()
    with sqlite3.connect(old) as unmarked:
        unmarked.execute("DELETE FROM meta WHERE key = ?", (store.BACKUP_MARK,))
    path.write_bytes(b"garbage" * 1000)
    store.restore_latest_backup(path, force=True)
    conn = store.connect(path)
    assert conn.execute("SELECT 1 FROM meta WHERE key = ?", (store.BACKUP_MARK,)).fetchone()
    conn.close()


def test_a_restore_that_fails_leaves_the_damaged_file_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.sqlite3"
    damaged_with_a_backup(path)

    def full(*_a, **_k) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_mark_backup", full)
    with pytest.raises(OSError):
        store.restore_latest_backup(path, force=True)
    assert path.read_bytes() == b"damaged"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "x.sqlite3"]


def test_a_locked_database_is_not_called_damaged(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Busy is not broken: nobody is told to put a backup back over a working file."""
    from fieldplan.errors import DamagedDatabaseError

    path = tmp_path / "x.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)  # not in WAL mode yet
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another program is writing
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0)
    try:
        with pytest.raises(StoreError) as raised:
            store.connect(path).close()
        assert not isinstance(raised.value, DamagedDatabaseError)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(DamagedDatabaseError):
        store.connect(path)


def test_write_transaction_rolls_back(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "x.sqlite3", create=True)
    with pytest.raises(RuntimeError), store.write_transaction(conn):
        conn.execute("INSERT INTO meta VALUES ('a', 'b')")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 0
    conn.close()


def test_schema_1_gains_the_inbox_reason_record(tmp_path: Path) -> None:
    """0002: an inbox reason keeps how it was made, to be shown in any language; rows
    from before have none and are shown as written."""
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-1.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    from fieldplan.replica import open_replica
    from fieldplan.sync import list_inbox

    with open_replica(copy) as rep:
        columns = [r[1] for r in rep.conn.execute("PRAGMA table_info(inbox)")]
        assert "reason_msg" in columns
        assert all(e.reason_text("ar") == e.reason for e in list_inbox(rep))


def test_schema_5_inbox_gains_what_a_new_plan_changed(tmp_path: Path) -> None:
    """0006: an inbox line keeps what the new plan its bundle brought changes; lines
    from before have nothing to say of it."""
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-5.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    from fieldplan.replica import open_replica
    from fieldplan.sync import list_inbox

    with open_replica(copy) as rep:
        columns = [r[1] for r in rep.conn.execute("PRAGMA table_info(inbox)")]
        assert columns[-1] == "plan_changes"
        assert all(e.plan_changes() == () for e in list_inbox(rep))


def test_schema_2_events_gain_the_import_that_brought_them(tmp_path: Path) -> None:
    """0003: each event imported from now on names its import's inbox line (the review
    pack names the files that brought late data by it); events from before have none,
    nor have this replica's own."""
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-2.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    from fieldplan import progress
    from fieldplan.replica import open_replica

    with open_replica(copy) as rep:
        columns = [r[1] for r in rep.conn.execute("PRAGMA table_info(events)")]
        assert columns[-1] == "inbox_id"
        held = rep.conn.execute("SELECT count(*), count(inbox_id) FROM events").fetchone()
        assert held[0] > 0 and held[1] == 0
        action = rep.plan().actions_of(level="national")[0].code
        progress.record_progress(rep, action, "2026-S2", status="on-track")
        assert tuple(rep.conn.execute("SELECT count(*), count(inbox_id) FROM events")
                     .fetchone()) == (held[0] + 1, 0)


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    return [tuple(row) for row in conn.execute(
        f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}")]


@pytest.mark.parametrize("in_place", [False, True], ids=["beside", "in-place"])
def test_schema_3_keeps_every_row_in_rowid_tables(tmp_path: Path, in_place: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """0004: the event log, versions and reports become rowid tables (a long narrative
    no longer takes an overflow page of its own), with every row, their indexes and
    foreign keys on; the merged state is what the log derives. The same whether each
    table is copied beside the old one or, on a disk without room for that, in its
    place (its rows held in memory meanwhile)."""
    from fieldplan import schema

    monkeypatch.setattr(schema, "_rebuild_in_place", lambda conn: in_place)
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-3.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    tables = ("events", "versions", "progress")
    old = sqlite3.connect(copy)
    before = {t: _rows(old, t) for t in tables}
    indexes = sorted(r[0] for r in old.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    old.close()
    assert all(before.values())
    from fieldplan import events, progress
    from fieldplan.replica import open_replica

    with open_replica(copy) as rep:
        conn = rep.conn
        for t in tables:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0]
            assert "WITHOUT ROWID" not in sql.upper()
            assert _rows(conn, t) == before[t]
        # (0007 then puts the index on (entity, entity_id, origin) in place of the one
        # on (entity, entity_id))
        assert sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")) == sorted(
            "events_entity_origin" if name == "events_entity" else name for name in indexes)
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA foreign_key_list(versions)").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # the old tables' pages are given back: the file is smaller, not a third larger
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert copy.stat().st_size < fixture.stat().st_size
        held = progress.digest(rep)
        with store.write_transaction(conn):
            events.rebuild(conn)
        assert progress.digest(rep) == held
        assert _rows(conn, "progress") == before["progress"]


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-3.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    conn = sqlite3.connect(copy)
    before = _rows(conn, "events")
    conn.close()

    def broken(conn: sqlite3.Connection, table: str) -> str:
        if table == "versions":  # events is rebuilt already
            raise sqlite3.OperationalError("disk I/O error")
        return real(conn, table)

    real = schema._key_columns
    monkeypatch.setattr(schema, "_key_columns", broken)
    with pytest.raises((StoreError, sqlite3.OperationalError)):
        store.connect(copy).close()
    conn = sqlite3.connect(copy)
    assert schema.schema_version(conn) == 3
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    assert "WITHOUT ROWID" in sql.upper()
    assert _rows(conn, "events") == before
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_new'"
                        ).fetchone()[0] == 0
    conn.close()


def test_an_upgrade_stopped_by_a_full_disk_leaves_no_copy_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgrade the disk is too full for leaves the database as it was, and no backup
    of it: each try used to keep one more copy of the database in the backups folder,
    taking the room the next try needed, until even the backup failed."""
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-3.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    index = schema.known_migrations().index(schema.REBUILDS_TABLES)
    name, rebuild = schema.MIGRATIONS[index]

    def on_a_full_disk(db) -> None:
        # the file may not grow: SQLite's own "database or disk is full" (the rebuild
        # takes the pages the old tables gave up: what comes after it does not fit)
        pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
        db.conn.execute(f"PRAGMA max_page_count = {pages}")
        rebuild(db)
        db.conn.execute("CREATE TABLE filler (b BLOB)")
        db.conn.execute("INSERT INTO filler VALUES (zeroblob(?))", (pages * 4096,))

    migrations = list(schema.MIGRATIONS)
    migrations[index] = (name, on_a_full_disk)
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    for _try in range(2):
        with pytest.raises(StoreError, match="the disk is full"):
            store.connect(copy).close()
        assert store.list_backups(copy) == []
    conn = sqlite3.connect(copy)
    assert schema.schema_version(conn) == 3
    conn.close()
    monkeypatch.undo()
    conn = store.connect(copy)  # room again: it upgrades, backed up first
    assert schema.schema_version(conn) == len(schema.known_migrations())
    conn.close()
    assert len(store.list_backups(copy)) == 1


def test_schema_4_gains_an_empty_record_of_forked_histories(tmp_path: Path) -> None:
    """0005: headquarters records the office computers whose history forked (table
    forks, empty in a database from before), so its bundles repair them."""
    fixture = Path(__file__).parent.parent / "fixtures" / "db" / "schema-4.sqlite3"
    copy = tmp_path / "old.sqlite3"
    copy.write_bytes(fixture.read_bytes())
    from fieldplan.replica import open_replica
    from fieldplan.sync.fork import held_forks

    with open_replica(copy) as rep:
        columns = [r[1] for r in rep.conn.execute("PRAGMA table_info(forks)")]
        assert columns == ["origin", "seq", "found_at"]
        assert held_forks(rep) == {}


def test_schema_6_finds_an_offices_replicas_in_the_events_index_alone(
        tmp_path: Path) -> None:
    """0007: the events index on (entity, entity_id) holds the origin too, in its place
    (no second index for every event to write): the replicas of an office's progress (a
    status sheet's QR code) are read from the index alone, the same as before the
    upgrade, after a backup; the index's first columns still serve what the old one
    did."""
    from types import SimpleNamespace

    from fieldplan.offices import OIC_MEMBERS
    from fieldplan.reports.common import office_replicas

    copy = hq_schema_6(tmp_path)
    with sqlite3.connect(copy) as old:
        assert schema.schema_version(old) == 6
        before = {o: office_replicas(SimpleNamespace(conn=old), o) for o in OIC_MEMBERS}
    old.close()
    assert len(before["GN"]) == 2 and before["PS"] and before["SY"]
    from fieldplan.replica import open_replica

    with open_replica(copy) as rep:
        conn = rep.conn
        assert schema.schema_version(conn) == len(schema.known_migrations())
        indexes = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' "
            "AND sql IS NOT NULL")}
        assert indexes == {"events_entity_origin"}
        assert [r[2] for r in conn.execute("PRAGMA index_info(events_entity_origin)")] == [
            "entity", "entity_id", "origin"]
        sql: list[str] = []
        conn.set_trace_callback(sql.append)
        try:
            after = {o: office_replicas(rep, o) for o in OIC_MEMBERS}
        finally:
            conn.set_trace_callback(None)
        assert after == before
        plan = " ".join(str(row[-1]) for row in conn.execute(
            "EXPLAIN QUERY PLAN " + sql[0]))
        assert "COVERING INDEX events_entity_origin" in plan, plan
        # a record's events, as every reader of the old index asks for them
        plan = " ".join(str(row[-1]) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT origin, seq FROM events WHERE entity = 'progress' "
            "AND entity_id = 'GN|PA1.1|2025-S2'"))
        assert "INDEX events_entity_origin (entity=? AND entity_id=?)" in plan, plan
    assert any("before-migration-0007" in p.name for p in store.list_backups(copy))


def hq_schema_6(tmp_path: Path) -> Path:
    """A copy of the schema-6 headquarters fixture (its key files owner-only, as
    fieldplan keeps them), in a folder of its own: its database's path."""
    import shutil

    folder = tmp_path / "hq"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "db" / "hq-schema-6", folder)
    for key in folder.glob("*.key"):
        key.chmod(0o600)
    return folder / "hq.sqlite3"


@pytest.mark.parametrize("new_there", [False, True])
def test_schema_6_without_its_events_index_is_upgraded(tmp_path: Path,
                                                       new_there: bool) -> None:
    """0007 dropped the events index (entity, entity_id) as if it were always there: a
    schema-6 database without it (dropped by hand or by another tool) failed the
    upgrade with "no such index: events_entity", and could not be opened at all. It is
    upgraded, with the new index (made once, when already there)."""
    copy = hq_schema_6(tmp_path)
    with sqlite3.connect(copy) as old:
        assert schema.schema_version(old) == 6
        old.execute("DROP INDEX events_entity")
        if new_there:
            old.execute("CREATE INDEX events_entity_origin ON events (entity, entity_id, "
                        "origin)")
    old.close()
    from fieldplan.replica import open_replica

    with open_replica(copy) as rep:
        assert schema.schema_version(rep.conn) == len(schema.known_migrations())
        indexes = {row[0] for row in rep.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' "
            "AND sql IS NOT NULL")}
        assert indexes == {"events_entity_origin"}


def _with_a_hot_journal(path: Path) -> None:
    """The database at ``path`` (closed) as a crash left it in the middle of a write
    in rollback-journal mode (another SQLite program, or an older copy): changed pages
    on the disk, their former content in a ``-journal`` beside it, which SQLite
    plays back into whatever file has that name when it is next opened."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA cache_size = 2")  # the change goes to the disk before a commit
    conn.execute("BEGIN")
    conn.execute("UPDATE meta SET value = 'during' WHERE key = 'probe'")
    conn.executemany("INSERT INTO meta VALUES (?, ?)",
                     [(f"filler{n}", "x" * 900) for n in range(200)])
    crashed = {side: Path(f"{path}{side}").read_bytes() for side in ("", "-journal")}
    conn.execute("ROLLBACK")
    conn.close()
    for side, content in crashed.items():
        Path(f"{path}{side}").write_bytes(content)


def test_a_restore_sets_a_rollback_journal_aside_with_its_file(tmp_path: Path) -> None:
    """A ``-journal`` left beside the database a restore replaces goes with it: left in
    place, SQLite played it back into the restored copy when it was next opened (its
    pages written over the backup's), and the file set aside lost what it needs to be
    read (its journal puts back the pages the crash left half written)."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('probe', 'backup')")
    store.backup(conn, path, "manual")
    conn.execute("UPDATE meta SET value = 'after' WHERE key = 'probe'")
    conn.close()
    _with_a_hot_journal(path)
    journal = Path(f"{path}-journal").read_bytes()
    store.restore_latest_backup(path, force=True)
    conn = store.connect(path)  # was: 'after', the replaced file's, and no backup mark
    assert conn.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "backup"
    assert conn.execute("SELECT 1 FROM meta WHERE key = ?", (store.BACKUP_MARK,)).fetchone()
    conn.close()
    assert not Path(f"{path}-journal").exists()
    kept = tmp_path / "x.sqlite3.damaged-journal"  # (named as its -wal would be)
    assert kept.read_bytes() == journal
    # the file set aside, opened with its journal, is whole again as it was before
    aside = sqlite3.connect(tmp_path / "x.sqlite3.damaged")
    assert aside.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert aside.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "after"
    aside.close()
    # killed between the file's rename and its journal's: the journal alone was left,
    # and goes back to the file set aside last, never into the next copy
    os.replace(path, tmp_path / "x.sqlite3.replaced")
    Path(f"{path}-journal").write_bytes(b"its journal")
    store.restore_latest_backup(path, force=True)
    assert (tmp_path / "x.sqlite3.replaced-journal").read_bytes() == b"its journal"
    assert not Path(f"{path}-journal").exists()
