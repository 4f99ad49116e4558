"""What a failed or killed command leaves behind: nothing half-made that fieldplan
cannot get past, and no file that says more than the database holds (the
fault-injection review: a full disk, a kill at the wrong moment)."""

from __future__ import annotations

import contextlib
import errno
import io
import sqlite3
from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress, store
from fieldplan.errors import StoreError
from fieldplan.replica import INIT_PENDING, init_hq, key_path, open_replica
from fieldplan.sync import (
    ImportInterrupted,
    ImportStopped,
    enroll_office,
    exchange,
    export_bundle,
    import_bundle,
    import_bundles,
    init_from_setup,
)

FULL = "could not save to the database, nothing was changed: database or disk is full"


@contextlib.contextmanager
def _failing_commit(real):
    """``store.write_transaction`` whose commit fails (a full disk): rolled back."""

    @contextlib.contextmanager
    def write_transaction(conn, *args, **kwargs):
        with real(conn, *args, **kwargs):
            yield
            raise StoreError(FULL)

    yield write_transaction


def failing_commits(monkeypatch, module) -> None:
    with _failing_commit(store.write_transaction) as fake:
        monkeypatch.setattr(module.store, "write_transaction", fake)


def left_by_a_killed_init(path: Path, *, with_key: bool, pending: bool = True) -> str:
    """The files an ``init`` killed after its key file (or before) leaves."""
    conn = store.connect(path, create=True)
    replica = "0b7f6b1e-6a4e-4a53-9d3c-0f1e2d3c4b5a"
    if pending:
        with store.write_transaction(conn):
            events.set_meta(conn, INIT_PENDING, replica)
    conn.close()
    if with_key:
        minisign.save_secret_key(key_path(path), minisign.generate_key(), replica=replica)
    return replica


# --- init ----------------------------------------------------------------------------


@pytest.mark.parametrize(("with_key", "pending"), [(True, True), (False, True),
                                                   (False, False)])
def test_init_clears_what_a_killed_init_left(tmp_path: Path, with_key, pending) -> None:
    path = tmp_path / "hq.sqlite3"
    left_by_a_killed_init(path, with_key=with_key, pending=pending)
    with pytest.raises(StoreError, match="not set up yet; run 'fieldplan init' first"):
        open_replica(path)
    with init_hq(path) as rep:  # not "already exists"
        assert rep.plan().id and rep.meta(INIT_PENDING) is None
        assert minisign.load_secret_key(key_path(path)).key_id_hex == rep.meta("key_id")
    with open_replica(path) as rep:
        assert rep.is_hq


def test_init_keeps_a_key_file_it_did_not_make(tmp_path: Path) -> None:
    path = tmp_path / "hq.sqlite3"
    left_by_a_killed_init(path, with_key=False)
    other = minisign.generate_key()
    minisign.save_secret_key(key_path(path), other, replica="another")
    with pytest.raises(StoreError, match=r"the key file .* is this computer.s identity"):
        init_hq(path)
    assert minisign.load_secret_key(key_path(path)).key_id_hex == other.public.key_id_hex


def test_init_leaves_other_databases_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="is an SQLite database, but not fieldplan's"):
        init_hq(path)
    assert sqlite3.connect(path).execute("SELECT text FROM notes").fetchone() == ("keep me",)


def test_a_failed_init_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "hq.sqlite3"
    import fieldplan.replica

    failing_commits(monkeypatch, fieldplan.replica)
    with pytest.raises(StoreError, match="disk is full"):
        init_hq(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.undo()
    init_hq(path).close()


def test_a_failed_office_init_leaves_nothing(hq, tmp_path: Path, monkeypatch) -> None:
    setup = tmp_path / "ml.setup"
    enroll_office(hq, "ML", setup)
    path = tmp_path / "office" / "ml.sqlite3"
    path.parent.mkdir()
    monkeypatch.setattr(exchange, "_merge", lambda *a, **k: (_ for _ in ()).throw(
        StoreError(FULL)))
    with pytest.raises(StoreError, match="disk is full"):
        init_from_setup(path, setup)
    assert list(path.parent.iterdir()) == []
    monkeypatch.undo()
    init_from_setup(path, setup).close()


# --- enrolment ----------------------------------------------------------------------


def test_no_setup_bundle_without_its_token(hq, tmp_path: Path, monkeypatch) -> None:
    """The token's commit fails: the setup bundle, whose token HQ would not know, goes."""
    from fieldplan.sync import enrol

    failing_commits(monkeypatch, enrol)
    with pytest.raises(StoreError, match="disk is full"):
        enroll_office(hq, "ML", tmp_path / "ml.setup")
    assert not (tmp_path / "ml.setup").exists()
    assert [p for p in tmp_path.iterdir() if ".setup" in p.name] == []
    assert hq.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 0
    # -o a link: the secret written at its target goes too
    target = tmp_path / "stick" / "ml.setup"
    target.parent.mkdir()
    (tmp_path / "link.setup").symlink_to(target)
    with pytest.raises(StoreError, match="disk is full"):
        enroll_office(hq, "ML", tmp_path / "link.setup")
    assert not target.exists() and list(target.parent.iterdir()) == []


# --- export -------------------------------------------------------------------------


def test_an_export_is_good_even_when_it_cannot_be_noted(make_office, tmp_path: Path,
                                                        monkeypatch) -> None:
    from fieldplan.sync import export

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    failing_commits(monkeypatch, export)
    result = export_bundle(ml, out_dir=tmp_path)
    assert "could not be noted" in result.warning and "disk is full" in result.warning
    with bundlefmt.open_bundle(result.path) as b:
        assert b.event_count == result.events >= 1
    assert ml.meta("last_export") is None
    assert result.to_dict()["warning"] == result.warning


# --- import of several files --------------------------------------------------------


def test_a_database_that_cannot_take_a_file_stops_the_import(hq, make_office,
                                                             tmp_path: Path,
                                                             monkeypatch) -> None:
    bundles = []
    for code in ("ML", "SN", "NE"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        bundles.append(export_bundle(office, out_dir=tmp_path).path)
    real = exchange._merge
    calls = []

    def merge(rep, b, m, **kw):
        calls.append(m["office"])
        if m["office"] == "SN":
            raise StoreError(FULL)
        return real(rep, b, m, **kw)

    monkeypatch.setattr(exchange, "_merge", merge)
    with pytest.raises(ImportStopped) as stop:
        import_bundles(hq, bundles)
    assert [o.outcome for o in stop.value.outcomes] == ["merged"]
    assert stop.value.file == bundles[1].name and calls == ["ML", "SN"]  # NE not opened
    assert str(stop.value) == (f"{bundles[1].name} and the files after it were not "
                               f"imported: {FULL}")
    held = {o for (o,) in hq.conn.execute(
        "SELECT DISTINCT entity_id FROM events WHERE entity = 'progress'")}
    assert {h.split("|")[0] for h in held} == {"ML"}
    monkeypatch.undo()
    assert [o.outcome for o in import_bundles(hq, bundles)] == \
        ["duplicate", "merged", "merged"]
    assert import_bundle(hq, bundles[2]).outcome == "duplicate"


def test_a_failure_after_a_merge_says_the_file_was_merged(hq, make_office,
                                                            tmp_path: Path,
                                                            monkeypatch) -> None:
    """What follows a merge's commit (a new replica, when the receipts it brought say
    this database lost its last changes) failed on a full disk: the import stopped
    saying the file "was not imported", though it was merged."""
    bundles = []
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        bundles.append(export_bundle(office, out_dir=tmp_path).path)

    def renew(rep):
        raise StoreError(FULL)

    monkeypatch.setattr(exchange, "renew_if_gone_back", renew)
    after = ("after it was merged, this computer could not go on as a new replica, as "
             "the receipts it brought require (this database lost its last changes): "
             f"{FULL}; it does when the database is next opened")
    with pytest.raises(ImportStopped) as stop:
        import_bundles(hq, bundles)
    [merged] = stop.value.outcomes
    assert (merged.file, merged.outcome, merged.stopped_after) == (
        bundles[0].name, "merged", after)
    assert merged.line() == (f"{bundles[0].name}: merged (1 new of 1 event); the key of a "
                             f"new computer of {merged.office} is now registered: "
                             f"headquarters' bundles for {merged.office} reach that "
                             f"computer from now on; {after}")
    assert str(stop.value) == (f"{bundles[0].name} was merged, but the import stopped "
                               f"there and the files after it were not imported: {after}")
    with pytest.raises(ImportStopped) as stop:
        import_bundles(hq, bundles[1:])
    assert str(stop.value) == (f"{bundles[1].name} was merged, but the import stopped "
                               f"there: {after}")
    assert [(e.file, e.outcome) for e in exchange.list_inbox(hq)] == [
        (bundles[1].name, "merged"), (bundles[0].name, "merged")]


def office_bundles(make_office, tmp_path: Path, codes=("ML", "SN", "NE", "TD")) -> list[Path]:
    """One bundle with one report from each office."""
    out = []
    for code in codes:
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        out.append(export_bundle(office, out_dir=tmp_path).path)
    return out


def _offices_held(rep) -> set[str]:
    return {i.split("|")[0] for (i,) in rep.conn.execute(
        "SELECT DISTINCT entity_id FROM events WHERE entity = 'progress'")}


def test_ctrl_c_during_an_import_keeps_the_files_before_and_rolls_back_the_third(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    bundles = office_bundles(make_office, tmp_path)
    real = exchange._merge

    def merge(rep, b, m, **kw):
        stats = real(rep, b, m, **kw)
        if m["office"] == "NE":  # the third file's events are in, not committed
            raise KeyboardInterrupt
        return stats

    monkeypatch.setattr(exchange, "_merge", merge)
    with pytest.raises(ImportInterrupted) as stop:
        import_bundles(hq, bundles)
    assert isinstance(stop.value, KeyboardInterrupt)
    assert [(o.file, o.outcome) for o in stop.value.outcomes] == [
        (bundles[0].name, "merged"), (bundles[1].name, "merged")]
    assert stop.value.not_imported == [bundles[2].name, bundles[3].name]
    assert not hq.conn.in_transaction
    assert _offices_held(hq) == {"ML", "SN"}
    assert hq.conn.execute("SELECT count(*) FROM inbox").fetchone()[0] == 2
    monkeypatch.undo()
    assert [o.outcome for o in import_bundles(hq, bundles)] == \
        ["duplicate", "duplicate", "merged", "merged"]


def test_ctrl_c_as_a_file_is_finished_counts_it_as_imported(hq, make_office,
                                                            tmp_path: Path,
                                                            monkeypatch) -> None:
    bundles = office_bundles(make_office, tmp_path)
    real = exchange.import_bundle

    def import_one(rep, source, **kw):
        outcome = real(rep, source, **kw)
        if Path(source) == bundles[2]:  # committed, not yet handed back
            raise KeyboardInterrupt
        return outcome

    monkeypatch.setattr(exchange, "import_bundle", import_one)
    with pytest.raises(ImportInterrupted) as stop:
        import_bundles(hq, bundles)
    done = stop.value.outcomes
    assert [(o.file, o.outcome) for o in done] == [(b.name, "merged") for b in bundles[:3]]
    assert (done[2].office, done[2].events_new) == ("NE", 1)
    assert stop.value.not_imported == [bundles[3].name]
    assert _offices_held(hq) == {"ML", "SN", "NE"}


def test_init_leaves_a_database_with_tables_of_the_same_names_alone(tmp_path: Path) -> None:
    """Tables called meta and _sqlite_migrations (sqlite-migrate makes the latter) do
    not make another program's database an unfinished init."""
    path = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE _sqlite_migrations (name TEXT);"
                       "CREATE TABLE meta (key TEXT, value TEXT);"
                       "INSERT INTO meta VALUES ('owner', 'me');"
                       "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('precious');")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="is an SQLite database, but not fieldplan's"):
        init_hq(path)
    assert sqlite3.connect(path).execute("SELECT text FROM notes").fetchone() == ("precious",)


def test_init_clears_a_schema_a_full_disk_cut_short(tmp_path: Path) -> None:
    """A full disk while the schema was written left only the migrations table (or
    some of fieldplan's tables, all empty): leftovers the next init clears."""
    path = tmp_path / "hq.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, "
                       "applied_at TEXT)")  # what a full disk during migration 0001 left
    conn.close()
    with init_hq(path) as rep:  # not "already exists"
        assert rep.is_hq


def test_init_leaves_another_programs_tables_of_fieldplans_names_alone(tmp_path: Path) -> None:
    """Empty tables called meta and events are not fieldplan's unless the record of
    the migration that made them is there too."""
    path = tmp_path / "app.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                       "CREATE TABLE events (id INTEGER PRIMARY KEY, title TEXT);")
    conn.close()
    with pytest.raises(StoreError, match="is an SQLite database, but not fieldplan's"):
        init_hq(path)
    assert sqlite3.connect(path).execute(
        "SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0].endswith(
        "title TEXT)")


def test_init_leaves_another_programs_migrations_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, "
                       "applied_at TEXT); INSERT INTO _sqlite_migrations "
                       "VALUES ('notes', '001', '2026');")
    conn.close()
    with pytest.raises(StoreError, match="is an SQLite database, but not fieldplan's"):
        init_hq(path)
    assert sqlite3.connect(path).execute(
        "SELECT migration_set FROM _sqlite_migrations").fetchone() == ("notes",)


def test_an_init_whose_schema_cannot_be_written_leaves_nothing(tmp_path: Path,
                                                               monkeypatch) -> None:
    from fieldplan import schema

    real = schema.migrate

    def migrate(conn, path=None, **_kw):
        conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, "
                     "applied_at TEXT)")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(schema, "migrate", migrate)
    path = tmp_path / "hq.sqlite3"
    with pytest.raises(StoreError, match="cannot open database"):
        init_hq(path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(schema, "migrate", real)
    init_hq(path).close()


def test_init_leaves_an_init_under_way_alone(tmp_path: Path) -> None:
    """Another program making the database (its identity written, not yet committed
    whole) has it open: a second init refuses instead of deleting it under the first."""
    import subprocess
    import sys

    path = tmp_path / "hq.sqlite3"
    replica = left_by_a_killed_init(path, with_key=True)
    hold = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT 1 FROM meta').fetchall(); print('open', flush=True); "
            "sys.stdin.readline()")
    other = subprocess.Popen([sys.executable, "-c", hold, str(path)], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="already exists"):
            init_hq(path)
        assert minisign.secret_key_replica(key_path(path)) == replica
    finally:
        other.stdin.write("\n")
        other.stdin.close()
        other.wait(timeout=30)
    init_hq(path).close()  # once it has gone, what it left is cleared


class _PulledOut(io.RawIOBase):
    """A bundle on a USB stick pulled out after ``reads`` reads: every read after them
    fails as the system says it (EIO)."""

    def __init__(self, f, reads: int) -> None:
        self.f, self.left = f, reads

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, *args) -> int:
        return self.f.seek(*args)

    def tell(self) -> int:
        return self.f.tell()

    def readinto(self, b) -> int:
        self.left -= 1
        if self.left < 0:
            raise OSError(errno.EIO, "Input/output error")
        data = self.f.read(len(b))
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.f.close()
        super().close()


def test_a_stick_pulled_out_while_a_bundle_is_read_is_said_as_such(hq, make_office,
                                                                   tmp_path: Path,
                                                                   monkeypatch) -> None:
    """At whatever read the stick goes (the archive's table, the signature, the events
    while they are checked or merged), the file is refused as unreadable, with what to
    do: it was "events.jsonl is damaged ([Errno 5] Input/output error); ask the sender
    to send it again", which a bundle sent again met on the same stick. Nothing of it
    is merged, and it imports once it can be read."""
    from fieldplan.sync import import_bundles, verify_bundle
    from tests import reasons

    bundle = export_bundle(make_office("ML"), out_dir=tmp_path).path
    real = bundlefmt._open_source
    total = []

    def counted(source, limit):
        f, owns = real(source, limit)
        wrapped = _PulledOut(f, 10**6)
        total.append(wrapped)
        return wrapped, owns

    monkeypatch.setattr(bundlefmt, "_open_source", counted)
    assert verify_bundle(hq, bundle)["valid"]
    reads = 10**6 - total[-1].left  # as many as a whole read takes
    assert reads > 10
    before = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    expected = f"cannot read: {reasons.DISK_FAULT}"
    for at in range(reads):
        monkeypatch.setattr(bundlefmt, "_open_source",
                            lambda source, limit, at=at: (_PulledOut(real(source, limit)[0],
                                                                     at), True))
        assert verify_bundle(hq, bundle)["reason"] == expected, at
        [outcome] = import_bundles(hq, [bundle])
        assert (outcome.outcome, outcome.reason) == ("rejected", expected), at
        assert hq.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
    monkeypatch.setattr(bundlefmt, "_open_source", real)
    assert import_bundles(hq, [bundle])[0].outcome == "merged"
