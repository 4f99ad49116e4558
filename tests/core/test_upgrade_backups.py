"""Upgrades and their backups: the backup before a migration outlives imports, a
restore never puts back what this fieldplan cannot open, a VACUUM a kill stopped or a
nearly full disk had no room for is done at a later opening, a newer database is
refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldplan import schema, store
from fieldplan.errors import NoUsableBackupError, StoreError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "db"


def schema_3_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "hq.sqlite3"
    copy.write_bytes((FIXTURES / "schema-3.sqlite3").read_bytes())
    return copy


def from_the_future(path: Path) -> None:
    """Mark the database at ``path`` as written by a newer fieldplan."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('fieldplan', '0006_future', 'x')")
    conn.close()


# --- 1. rotation: of each kind -----------------------------------------------------------


def test_imports_never_rotate_away_the_backup_before_a_migration(tmp_path: Path) -> None:
    """Ten imports (of one bundle, again and again) pushed out the backup taken before
    the upgrade: the only copy the fieldplan before it can open."""
    db = schema_3_copy(tmp_path)
    conn = store.connect(db)  # upgrades it
    [before] = store.list_backups(db)
    assert before.name.endswith(f"-before-migration-{schema.REBUILDS_TABLES}.sqlite3")
    imports = [store.backup(conn, db, "before-import") for _ in range(store.BACKUPS_KEPT + 2)]
    conn.close()
    assert store.list_backups(db) == [*imports[::-1][:store.BACKUPS_KEPT], before]
    old = sqlite3.connect(before)
    assert schema.schema_version(old) == 3
    old.close()


# --- 2. restore: only what this fieldplan can open -------------------------------------


@pytest.fixture
def downgraded(hq) -> tuple[Path, Path, Path]:
    """A database and its newest backup written by a newer fieldplan (after going back
    to this one), and an older backup this one can open: (database, older, newest)."""
    older = store.backup(hq.conn, hq.path, "before-import")
    newest = store.backup(hq.conn, hq.path, "before-import")
    db = hq.path
    hq.close()
    from_the_future(db)
    from_the_future(newest)
    return db, older, newest


def test_restore_passes_over_a_backup_of_a_newer_fieldplan(downgraded) -> None:
    from fieldplan.replica import open_replica

    db, older, newest = downgraded
    with pytest.raises(StoreError, match="newer fieldplan"):
        store.connect(db)
    restored = store.restore_backup(db, force=True)
    assert restored.used == older
    assert restored.passed_over == [newest]
    assert restored.passed_over_why == (f"{newest.name} is from a newer fieldplan "
                                        f"(schema {len(schema.known_migrations()) + 1})",)
    with open_replica(db):  # the database opens now
        pass
    # named to restore: refused, saying why
    with pytest.raises(StoreError) as caught:
        store.restore_backup(db, newest, force=True)
    assert str(caught.value) == (
        f"{newest} was written by a newer fieldplan (schema "
        f"{len(schema.known_migrations()) + 1}, this program knows "
        f"{len(schema.known_migrations())}); update fieldplan to restore it")


def test_no_backup_this_fieldplan_can_open_moves_nothing(downgraded, capsys) -> None:
    from fieldplan.cli import main

    db, older, _newest = downgraded
    from_the_future(older)
    before = db.read_bytes()
    files = sorted(db.parent.iterdir())
    with pytest.raises(NoUsableBackupError) as caught:
        store.restore_backup(db, force=True)
    line = (f"every backup in {store.backup_dir(db)} was written by a newer fieldplan, "
            "which this one cannot open; update fieldplan to open the database")
    assert str(caught.value) == line
    assert main(["--db", str(db), "restore", "--force"]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"fieldplan: error: {line}\n")
    assert db.read_bytes() == before and sorted(db.parent.iterdir()) == files


# --- 3. the VACUUM after a table rebuild, killed -----------------------------------------


class Killed(BaseException):
    """The process killed: nothing after it runs (not an Exception: nothing catches it)."""


def vacuums(monkeypatch: pytest.MonkeyPatch, *, killed: bool = False) -> list[str]:
    """The VACUUMs the connections ``store.connect`` opens run from now on (``killed``:
    the process dies as one starts)."""
    seen: list[str] = []

    class Watched(_CONNECTION):
        def execute(self, sql, *args):
            if sql.strip().upper() == "VACUUM":
                seen.append(sql)
                if killed:
                    raise Killed
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", Watched)
    return seen


_CONNECTION = store.Connection


def free_pages(db: Path) -> int:
    with store.reading(db) as conn:
        return conn.execute("PRAGMA freelist_count").fetchone()[0]


def test_a_vacuum_killed_after_the_rebuild_is_done_at_the_next_opening(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed during its last step, the upgrade left the old tables' pages free for
    good: the next opening had no migration pending, and never ran the VACUUM."""
    db = schema_3_copy(tmp_path)
    vacuums(monkeypatch, killed=True)
    with pytest.raises(Killed):
        store.connect(db)
    assert free_pages(db) > 0  # the rebuild is committed, its space not given back
    seen = vacuums(monkeypatch)
    store.connect(db).close()
    assert seen and free_pages(db) == 0
    seen.clear()
    store.connect(db).close()  # an ordinary opening: no VACUUM
    assert seen == []


def test_a_new_database_and_an_upgrade_run_one_vacuum_at_most(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = vacuums(monkeypatch)
    store.connect(tmp_path / "new.sqlite3", create=True).close()
    assert seen == []  # nothing to give back
    db = schema_3_copy(tmp_path)
    store.connect(db).close()
    assert len(seen) == 1 and free_pages(db) == 0
    with store.reading(db) as conn:
        assert conn.execute("SELECT 1 FROM meta WHERE key = ?",
                            (schema.VACUUM_DUE,)).fetchone() is None


# --- 4. the steps after migrating on a nearly full disk ---------------------------------


class Room:
    """The free room every disk reports from now on (``free``; None: what it has)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, free: int | None) -> None:
        import shutil

        self.free = free
        real = shutil.disk_usage
        monkeypatch.setattr(shutil, "disk_usage", lambda path: real(path) if self.free is None
                            else real(path)._replace(free=self.free))


def test_an_upgrade_without_room_for_its_vacuum_leaves_it_for_later(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The VACUUM after the table rebuild writes every page again to the log: run with
    room for the backup and the migration only, it filled the disk, and left it full
    with a log that could not be merged. Now it waits for the room, said in one line
    by the upgrade, and is done at the first opening that has it."""
    from fieldplan.cli import main

    db = schema_3_copy(tmp_path)
    with sqlite3.connect(db) as old:
        pages_before = old.execute("PRAGMA page_count").fetchone()[0]
    seen = vacuums(monkeypatch)
    room = Room(monkeypatch, 100_000)
    assert main(["--db", str(db), "digest"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip()) == 64
    [line] = err.splitlines()
    assert line.startswith("fieldplan: warning: the disk is nearly full: the database was "
                           "upgraded, but the room its old tables took is not given back yet "
                           "(that needs ")
    assert line.endswith(" MB free on its disk); fieldplan does it at a later opening, once "
                         "there is room")
    assert seen == []
    conn = store.connect(db)
    assert schema.schema_version(conn) == len(schema.known_migrations())
    assert conn.execute("SELECT 1 FROM meta WHERE key = ?", (schema.VACUUM_DUE,)).fetchone()
    # the rebuilt tables took the old ones' pages: the file did not grow, and the log
    # of the migration is merged and given back
    assert conn.execute("PRAGMA page_count").fetchone()[0] <= pages_before
    assert Path(f"{db}-wal").stat().st_size == 0
    conn.close()
    assert main(["--db", str(db), "status"]) == 0  # a later opening, no room yet: no word
    assert capsys.readouterr().err == "" and seen == []
    room.free = None
    assert main(["--db", str(db), "digest"]) == 0  # room again: done, without a word
    assert capsys.readouterr() == (out, "")
    assert len(seen) == 1 and free_pages(db) == 0
    with store.reading(db) as conn:
        assert conn.execute("SELECT 1 FROM meta WHERE key = ?",
                            (schema.VACUUM_DUE,)).fetchone() is None


@pytest.mark.parametrize("free, in_memory", [(None, False), (100_000, True)])
def test_the_rebuild_keeps_its_rows_in_memory_only_when_the_disk_has_no_room(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free: int | None,
        in_memory: bool) -> None:
    """The rebuild copies each table beside the old one where the disk has the room;
    only on a disk without it do the rows wait in memory while the old table goes (a
    large headquarters' tables would take as much memory as disk)."""
    db = schema_3_copy(tmp_path)
    statements: list[str] = []

    class Watched(_CONNECTION):
        def execute(self, sql, *args):
            statements.append(" ".join(sql.split()))
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", Watched)
    Room(monkeypatch, free)
    conn = store.connect(db)
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    conn.close()
    temp = [s for s in statements if s.startswith("CREATE TEMP TABLE")]
    assert len(temp) == (3 if in_memory else 0)


def test_each_migration_of_an_upgrade_starts_with_an_empty_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table rebuild's log (the size of the tables) stayed until the end of the
    upgrade: on a nearly full disk the small migration after it found no room left
    for its own, and the database could not be opened."""
    db = schema_3_copy(tmp_path)
    logs: dict[str, int] = {}

    def watched(name: str, fn):
        def run(migrating) -> None:
            logs[name] = Path(f"{db}-wal").stat().st_size
            fn(migrating)
        return run

    monkeypatch.setattr(schema, "MIGRATIONS",
                        [(name, watched(name, fn)) for name, fn in schema.MIGRATIONS])
    store.connect(db).close()
    after = schema.known_migrations()[schema.known_migrations().index(schema.REBUILDS_TABLES)
                                      + 1:]
    assert after and all(logs[name] == 0 for name in after)


def test_an_opening_with_the_vacuum_due_never_waits_for_a_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log is merged and emptied at each opening while the VACUUM waits for room:
    another program reading the database (the client exporting) made the opening wait
    the whole busy timeout for it to end."""
    import time

    db = schema_3_copy(tmp_path)
    Room(monkeypatch, 100_000)
    store.connect(db).close()  # upgraded, the VACUUM left for later
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()
    with sqlite3.connect(db) as writer:  # the log grows past what the reader sees
        writer.execute("INSERT INTO meta VALUES ('written', 'after the read began')")
    writer.close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 5.0)
    start = time.monotonic()
    conn = store.connect(db)
    assert time.monotonic() - start < 2.5
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    conn.close()
    reader.close()


def test_a_vacuum_the_disk_fills_under_gives_its_log_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Room that went while it ran (another program writing): the VACUUM fails, the
    pages it wrote to the log are given back at once, and it is due again."""
    db = schema_3_copy(tmp_path)

    class FillingDisk(_CONNECTION):
        def execute(self, sql, *args):
            if sql.strip().upper() == "VACUUM":
                super().execute("CREATE TEMP TABLE x (b)")  # (some pages written)
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = sqlite3.SQLITE_FULL
                raise exc
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", FillingDisk)
    notices: list[str] = []
    conn = store.connect(db, notices=notices)
    [notice] = notices
    assert notice.startswith("the disk is nearly full: the database was upgraded")
    assert conn.execute("SELECT 1 FROM meta WHERE key = ?", (schema.VACUUM_DUE,)).fetchone()
    assert Path(f"{db}-wal").stat().st_size == 0
    conn.close()


def test_the_room_the_vacuum_waits_for_is_never_said_short(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The room said is rounded up: 1.34 MB was said as "1.3 MB", and a disk with
    1.3 MB free read as having the room while the VACUUM still waited; found by
    review."""
    db = schema_3_copy(tmp_path)
    monkeypatch.setattr(schema, "_vacuum_if_due", lambda conn: 1_340_000)
    notices: list[str] = []
    store.connect(db, notices=notices).close()
    [notice] = notices
    assert "(that needs 1.4 MB free on its disk)" in notice


# --- 5. a newer database is refused as it is ---------------------------------------------


def test_a_newer_database_is_refused_without_a_write(hq) -> None:
    """A backup of a newer fieldplan opened with --db (a rollback journal, not WAL):
    the refusal said nothing was written, and the switch to WAL had changed its file."""
    made = store.backup(hq.conn, hq.path, "manual")
    hq.close()
    from_the_future(made)
    before = made.read_bytes()
    with pytest.raises(StoreError, match="newer fieldplan"):
        store.connect(made)
    assert made.read_bytes() == before
    assert not Path(f"{made}-wal").exists()


def test_an_upgrade_the_disk_is_too_full_for_says_the_room_it_needs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration's log did not fit on the disk: the opening said "the disk is full;
    free some space" and no more, and the person freed a few megabytes, tried again,
    and again. It says how much the upgrade needs now (its backup and its log, each
    about the database's size), as the VACUUM after it does; found by QA."""
    db = schema_3_copy(tmp_path)
    with sqlite3.connect(db) as old:
        page_size = old.execute("PRAGMA page_size").fetchone()[0]
        pages = old.execute("PRAGMA page_count").fetchone()[0]
    old.close()

    class FullDisk(_CONNECTION):
        def execute(self, sql, *args):
            if sql.startswith("CREATE TABLE main.events_new"):
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = sqlite3.SQLITE_FULL
                raise exc
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", FullDisk)
    Room(monkeypatch, 100_000)
    with pytest.raises(StoreError) as raised:
        store.connect(db)
    needed = pages * page_size + pages * (page_size + 24) + 32 + 256 * 1024
    size = f"{-(-needed // 100_000) / 10:.1f}"
    assert str(raised.value) == (
        f"cannot open database {db}: the disk is full; upgrading it for this version of "
        f"fieldplan needs about {size} MB free on its disk: free some space and try again")
    assert float(size) * 1_000_000 >= needed
    monkeypatch.undo()
    store.connect(db).close()  # the room found: upgraded


# --- 5. the temporary store of migrations -----------------------------------------------


def test_migrations_sort_in_temporary_files_but_the_rebuild_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index a migration builds is sorted in temporary files, not in memory (0007's
    on a headquarters of a million events took 130 MB more than an opening does); the
    table rebuild keeps the memory it needs on a nearly full disk; the opening's own
    setting is back after the upgrade."""
    db = schema_3_copy(tmp_path)
    stores: dict[str, int] = {}

    def watched(name: str, fn):
        def run(migrating) -> None:
            stores[name] = migrating.conn.execute("PRAGMA temp_store").fetchone()[0]
            fn(migrating)
        return run

    monkeypatch.setattr(schema, "MIGRATIONS",
                        [(name, watched(name, fn)) for name, fn in schema.MIGRATIONS])
    conn = store.connect(db)
    try:
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    finally:
        conn.close()
    memory, file = 2, 1
    pending = schema.known_migrations()[schema.known_migrations().index("0004_rowid_tables"):]
    assert stores == {name: memory if name in schema.IN_MEMORY else file for name in pending}
    assert stores[schema.REBUILDS_TABLES] == memory
    assert stores[schema.EVENTS_ENTITY_ORIGIN] == file


def test_the_room_an_upgrade_needs_counts_its_index_sort(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The room said with a full disk counts the temporary files of the sort of the
    index 0007 builds (each event's entity, record and origin), beside the backup and
    the log."""
    import hashlib
    import shutil

    folder = tmp_path / "hq"
    shutil.copytree(FIXTURES / "hq-schema-6", folder)
    for key in folder.glob("*.key"):
        key.chmod(0o600)
    db = folder / "hq.sqlite3"
    with sqlite3.connect(db) as old:
        # events enough for the sort to show in the megabytes said (each whole: its
        # hash is its body's, as the backup's check wants)
        body = '{"note": "x"}'
        digest = hashlib.sha256(body.encode()).hexdigest()
        old.executemany(
            "INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, body, "
            "received_at) VALUES (?, ?, 1, 'note', ?, ?, ?, '2026-01-01T00:00:00Z')",
            [("0" * 36, seq, f"{seq:080d}", digest, body) for seq in range(1, 20_001)])
    old.close()
    with sqlite3.connect(db) as old:
        page_size = old.execute("PRAGMA page_size").fetchone()[0]
        pages = old.execute("PRAGMA page_count").fetchone()[0]
        rows = old.execute("SELECT entity, entity_id, origin FROM events").fetchall()
    old.close()
    sort = sum(len(e.encode()) + len(i.encode()) + len(o.encode()) + 24 for e, i, o in rows)
    assert sort > 0

    class FullDisk(_CONNECTION):
        def execute(self, sql, *args):
            # (as 0007 makes it: only if it is not there)
            if sql.startswith("CREATE INDEX IF NOT EXISTS events_entity_origin"):
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = sqlite3.SQLITE_FULL
                raise exc
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", FullDisk)
    with pytest.raises(StoreError) as raised:
        store.connect(db)
    needed = pages * page_size + pages * (page_size + 24) + 32 + sort + 256 * 1024
    size = f"{-(-needed // 100_000) / 10:.1f}"
    assert f"needs about {size} MB free on its disk" in str(raised.value)
    without = needed - sort
    assert f"{-(-without // 100_000) / 10:.1f} MB" not in str(raised.value)
    with sqlite3.connect(db) as conn:
        assert schema.sort_room(conn, [schema.EVENTS_ENTITY_ORIGIN]) == sort
        assert schema.sort_room(conn, ["0006_inbox_plan_changes"]) == 0
    conn.close()


def test_the_vacuum_copies_the_database_to_a_temporary_file_not_to_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The VACUUM after the table rebuild copies the whole database first: with the
    opening's temporary store in memory, a headquarters of a million events (1.3 GB)
    took as much of the computer's memory. It copies it to a temporary file, the
    room of which it waits for with its log's, and the opening's setting is back
    after it."""
    db = schema_3_copy(tmp_path)
    stores: list[int] = []

    class Watched(_CONNECTION):
        def execute(self, sql, *args):
            if sql.strip().upper() == "VACUUM":
                stores.append(super().execute("PRAGMA temp_store").fetchone()[0])
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", Watched)
    conn = store.connect(db)
    try:
        assert stores == [1]  # FILE
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY, as opened
    finally:
        conn.close()


def test_the_vacuum_waits_for_the_room_of_its_copy_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk with room for the VACUUM's log alone: it waits, and says the room its
    copy of the database takes too."""
    db = schema_3_copy(tmp_path)
    seen = vacuums(monkeypatch)
    room = Room(monkeypatch, 100_000)
    store.connect(db).close()  # upgraded, the VACUUM due
    assert seen == []
    with sqlite3.connect(db) as conn:
        page_size, pages = (conn.execute("PRAGMA page_size").fetchone()[0],
                            conn.execute("PRAGMA page_count").fetchone()[0])
        in_use = pages - conn.execute("PRAGMA freelist_count").fetchone()[0]
    conn.close()
    log = in_use * (page_size + 24) + 32 + 256 * 1024
    room.free = log  # the log's room, not the copy's
    notices: list[str] = []
    conn = store.connect(db)
    try:
        assert seen == []
        assert schema._vacuum_if_due(conn) == log + in_use * page_size
    finally:
        conn.close()
    room.free = None
    store.connect(db, notices=notices).close()
    assert len(seen) == 1 and notices == []


def _temp_folder_refused(sql: str) -> sqlite3.OperationalError:
    """What SQLite raises when the statement ``sql`` needs a temporary file and no
    temporary folder can be written (seen with /tmp and /var/tmp read-only: an index's
    sort SQLITE_IOERR_GETTEMPPATH, the VACUUM's copy a bare SQLITE_IOERR)."""
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = (sqlite3.SQLITE_IOERR if sql.strip().upper() == "VACUUM"
                            else sqlite3.SQLITE_IOERR_GETTEMPPATH)
    return exc


def test_an_upgrade_without_a_writable_temporary_folder_opens_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A computer whose temporary folder cannot be written (a Windows TEMP that names a
    folder gone, a read-only /tmp): the index a migration sorts is sorted in memory, as
    before temporary files, and the VACUUM after the rebuild is left due; the database
    was upgraded but refused at every opening as 'the disk could not be read or
    written (a USB stick taken out, or a failing disk)', its own disk sound."""
    db = schema_3_copy(tmp_path)
    refused: list[str] = []

    class NoTempFolder(_CONNECTION):
        def execute(self, sql, *args):
            needs_file = (sql.strip().upper() == "VACUUM"
                          or sql.startswith("CREATE INDEX IF NOT EXISTS events_entity_origin"))
            if needs_file and super().execute("PRAGMA temp_store").fetchone()[0] == 1:
                refused.append(sql.split()[0])
                raise _temp_folder_refused(sql)
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", NoTempFolder)
    for _opening in range(2):
        conn = store.connect(db)
        try:
            assert schema.pending(conn) == []
            assert conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND "
                                "name = 'events_entity_origin'").fetchone() is not None
            assert conn.execute("SELECT 1 FROM meta WHERE key = ?",
                                (schema.VACUUM_DUE,)).fetchone() is not None
            assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # as opened
        finally:
            conn.close()
    assert refused == ["CREATE", "VACUUM", "VACUUM"]
    monkeypatch.undo()
    seen = vacuums(monkeypatch)
    store.connect(db).close()  # a temporary folder again: the VACUUM is done
    assert len(seen) == 1


def test_a_database_disk_failing_during_the_upgrade_is_still_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index sort that fails in memory too (the database's own disk failing) is
    said as before: the migration is not taken as done."""
    db = schema_3_copy(tmp_path)

    class FailingDisk(_CONNECTION):
        def execute(self, sql, *args):
            if sql.startswith("CREATE INDEX IF NOT EXISTS events_entity_origin"):
                exc = sqlite3.OperationalError("disk I/O error")
                exc.sqlite_errorcode = sqlite3.SQLITE_IOERR_WRITE
                raise exc
            return super().execute(sql, *args)

    monkeypatch.setattr(store, "Connection", FailingDisk)
    with pytest.raises(StoreError, match="could not be read or written"):
        store.connect(db)
    monkeypatch.undo()
    with sqlite3.connect(db) as conn:
        assert schema.pending(conn) == [schema.EVENTS_ENTITY_ORIGIN]
    conn.close()
