"""A damaged database (a bad sector in the middle of the file, a file emptied by a power
cut): never backed up, never merged into, never put back from a damaged backup, and
every command says the next step."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from fieldplan import progress, store
from fieldplan.errors import DamagedDatabaseError
from fieldplan.replica import open_replica
from tests.cli.test_cli_faults import damage_pages_of

RESTORE = "'fieldplan restore' puts its latest backup back"
START_AGAIN = ("at an office, ask headquarters for a new setup bundle and set this "
               "computer up again from it on a new database file ('fieldplan --db "
               "NEW.sqlite3 init --from SETUP.fieldplan'): it brings back what "
               "headquarters has of the office's data")


def closed(rep) -> Path:
    """Close the replica, its write-ahead log merged into the file (as a bad sector
    hits the file itself)."""
    path = rep.path
    rep.close()
    assert not Path(f"{path}-wal").exists()
    return path


def stamp(hours_ago: float) -> str:
    taken = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    return taken.strftime("%Y%m%dT%H%M%S%fZ")


def earlier_damaged_backup(db: Path, hours_ago: float) -> Path:
    """A backup of ``db`` damaged as an earlier fieldplan made them (it backed up a
    damaged database without checking it): its mark names the database, but does not
    say it was checked."""
    target = store.backup_dir(db) / f"{db.name}-{stamp(hours_ago)}-before-import.sqlite3"
    target.parent.mkdir(exist_ok=True)
    src = sqlite3.connect(db)
    dest = sqlite3.connect(target)
    src.backup(dest)
    src.close()
    dest.execute("PRAGMA journal_mode = DELETE")
    with dest:
        dest.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     (store.BACKUP_MARK, json.dumps({"taken": "x", "db": db.name})))
    dest.close()
    damage_pages_of(target, "versions")
    return target


# --- 1. a damaged database is not backed up, nor merged into -------------------------


def test_a_damaged_database_is_not_backed_up(hq) -> None:
    """The backup API copies damaged pages as they are: a restore then put the damage
    back, again and again."""
    first = store.backup(hq.conn, hq.path, "manual")
    db = closed(hq)
    damage_pages_of(db, "versions")
    with open_replica(db) as rep, pytest.raises(DamagedDatabaseError) as caught:
        rep.backup("before-import")
    assert str(caught.value) == (f"{db} is not a usable fieldplan database: the file is "
                                 f"damaged; {RESTORE}")
    assert caught.value.problem == f"{db} is not a usable fieldplan database: the file " \
                                   "is damaged"
    assert sorted(store.backup_dir(db).iterdir()) == [first]  # nothing written


def test_an_import_into_a_damaged_database_is_refused_before_anything_is_written(
        hq, make_office, tmp_path: Path, capsys) -> None:
    from fieldplan.cli import main
    from fieldplan.sync import export_bundle

    bundle = export_bundle(make_office("ML"), out_dir=tmp_path).path
    store.backup(hq.conn, hq.path, "manual")
    db = closed(hq)
    damage_pages_of(db, "versions")
    before = db.read_bytes()
    backups = sorted(store.backup_dir(db).iterdir())
    assert main(["--db", str(db), "import", str(bundle)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"fieldplan: error: {db} is not a usable fieldplan database: the file "
                   f"is damaged; {RESTORE}\n")
    assert db.read_bytes() == before and not Path(f"{db}-wal").exists()
    assert sorted(store.backup_dir(db).iterdir()) == backups


# --- 1b. rotation keeps the sound backups ------------------------------------------


def test_rotation_never_deletes_the_last_sound_backups_for_damaged_ones(hq) -> None:
    """Ten damaged backups (an earlier fieldplan backed up a damaged database on each
    import) pushed the last sound one out at the next backup."""
    sound = store.backup(hq.conn, hq.path, "before-import")
    sound = sound.rename(sound.with_name(f"{hq.path.name}-{stamp(48)}-before-import.sqlite3"))
    damaged = [earlier_damaged_backup(hq.path, 24 - i) for i in range(store.BACKUPS_KEPT)]
    new = store.backup(hq.conn, hq.path, "before-import")
    assert store.list_backups(hq.path) == [new, *damaged[::-1], sound]
    # the damaged ones do not count: they go once BACKUPS_KEPT sound ones are newer
    made = [store.backup(hq.conn, hq.path, "before-import")
            for _ in range(store.BACKUPS_KEPT - 2)]
    assert sound.exists() and all(p.exists() for p in damaged)
    last = store.backup(hq.conn, hq.path, "before-import")
    assert store.list_backups(hq.path) == [last, *made[::-1], new]


def test_a_full_disk_takes_damaged_backups_before_sound_ones(hq, monkeypatch) -> None:
    """Room made on a full disk: the damaged backups go first, and the newest sound
    one is never deleted, even when damaged ones are newer (it went first)."""
    import shutil
    from collections import namedtuple

    sound = store.backup(hq.conn, hq.path, "manual")
    sound = sound.rename(sound.with_name(f"{hq.path.name}-{stamp(48)}-manual.sqlite3"))
    damaged = [earlier_damaged_backup(hq.path, 24 - i) for i in range(2)]
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9, 0))
    assert store._free_room(hq.conn, store.backup_dir(hq.path), hq.path) == damaged
    assert sound.exists()


def test_a_full_disk_takes_the_backup_before_a_migration_last(hq, monkeypatch) -> None:
    """The backup taken before a migration, the only copy the fieldplan before it can
    open and usually the oldest, was the first a full disk took."""
    import shutil
    from collections import namedtuple

    def taken(reason: str, hours: int) -> Path:
        made = store.backup(hq.conn, hq.path, reason)
        return made.rename(made.with_name(f"{hq.path.name}-{stamp(hours)}-{reason}.sqlite3"))

    migration = taken("before-migration-0004_rowid_tables", 72)
    imports = [taken("before-import", 48 - i) for i in range(3)]
    usage = namedtuple("usage", "total used free")
    size = imports[0].stat().st_size
    # room for one backup once two are gone
    needed = hq.conn.execute("PRAGMA page_count").fetchone()[0] * \
        hq.conn.execute("PRAGMA page_size").fetchone()[0] + store._BACKUP_SLACK
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda _path: usage(10**9, 10**9, needed - 2 * size + 1))
    assert store._free_room(hq.conn, store.backup_dir(hq.path), hq.path) == imports[:2]
    assert migration.exists() and imports[2].exists()


# --- 1c. a restore passes over a damaged backup ------------------------------------


def test_a_restore_passes_over_a_damaged_backup(hq, capsys) -> None:
    from fieldplan.cli import main

    sound = store.backup(hq.conn, hq.path, "manual")
    sound = sound.rename(sound.with_name(f"{hq.path.name}-{stamp(48)}-manual.sqlite3"))
    damaged = earlier_damaged_backup(hq.path, 1)
    db = closed(hq)
    damage_pages_of(db, "versions")
    assert main(["--db", str(db), "--json", "restore"]) == 0
    out, _err = capsys.readouterr()
    done = json.loads(out)
    assert done["backup"] == str(sound)
    assert done["passed_over_reasons"] == {str(damaged): f"{damaged.name} is damaged"}
    assert main(["--db", str(db), "status"]) == 0  # not damaged again
    capsys.readouterr()
    # named to restore, a damaged backup is refused with its whole path
    with pytest.raises(store.StoreError, match=f"^{damaged} is damaged$"):
        store.restore_backup(db, damaged)


# --- 2. an emptied database file --------------------------------------------------


@pytest.mark.parametrize("backed_up", [True, False])
def test_an_emptied_database_is_damaged_and_stays_empty(make_office, capsys,
                                                        backed_up) -> None:
    """A database file left empty by a power cut (a cheap USB stick) was "not set up
    yet": init then said to remove the key file (this computer's identity), and a
    `status` wrote an empty schema into it."""
    from fieldplan.cli import main

    ml = make_office("ML")
    key = ml.path.with_name(ml.path.name + ".key").read_bytes()
    if backed_up:
        ml.backup("manual")
    db = closed(ml)
    db.write_bytes(b"")
    step = RESTORE if backed_up else f"there is no backup of it to restore; {START_AGAIN}"
    said = (f"fieldplan: error: {db} is not a usable fieldplan database: the file is "
            f"empty; {step}\n")
    for argv in (["status"], ["progress", "list"], ["init", "--hq"]):
        assert main(["--db", str(db), *argv]) == 1, argv
        out, err = capsys.readouterr()
        assert (out, err) == ("", said), argv
        assert db.read_bytes() == b"" and not Path(f"{db}-wal").exists()
    assert db.with_name(db.name + ".key").read_bytes() == key
    code = main(["--db", str(db), "restore"])
    out, err = capsys.readouterr()
    if backed_up:
        assert code == 0 and main(["--db", str(db), "status"]) == 0
    else:
        assert code == 1
        assert err == f"fieldplan: error: no backup of {db} to restore; {START_AGAIN}\n"


def test_an_empty_file_of_no_database_is_still_one_to_set_up_and_is_left_empty(
        tmp_path: Path, capsys) -> None:
    from fieldplan.cli import main

    db = tmp_path / "new.sqlite3"
    db.write_bytes(b"")
    assert main(["--db", str(db), "status"]) == 1
    assert capsys.readouterr().err == (f"fieldplan: error: {db} is not set up yet; run "
                                       "'fieldplan init' first\n")
    assert db.read_bytes() == b""  # a read-only command wrote no schema into it
    assert main(["--db", str(db), "init", "--hq"]) == 0


# --- 3. every command says the next step ------------------------------------------


def test_damage_found_by_any_command_says_the_next_step(make_office, capsys) -> None:
    """An office that never imported (no backup): `progress list`, `report` and
    `digest` said only "the file is damaged", with no next step."""
    from fieldplan.cli import main
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    record_progress(ml, action, "2026-S1", status="on-track", percent=10)
    db = closed(ml)
    assert not store.list_backups(db)
    damage_pages_of(db, "progress")
    said = (f"fieldplan: error: {db} is not a usable fieldplan database: the file is "
            f"damaged; there is no backup of it to restore; {START_AGAIN}\n")
    for argv in (["progress", "list"], ["digest"],
                 ["report", "sheet", "--period", "2026-S1", "-o", str(db.parent / "s.pdf")]):
        assert main(["--db", str(db), *argv]) == 1, argv
        assert capsys.readouterr() == ("", said), argv


def test_damage_read_as_text_that_is_not_utf8_says_the_next_step(make_office,
                                                                capsys) -> None:
    """A bad sector across the plan's text: Python says "Could not decode to UTF-8"
    with no SQLite code, and every command said "internal error: OperationalError:
    …" followed by a line of garbage, with no word of a restore. SQLite's quick check
    finds the damage: it is said as damage, with the next step."""
    from fieldplan.cli import main
    from tests.cli.test_cli_faults import damage_plan_text_of

    ml = make_office("ML")
    store.backup(ml.conn, ml.path, "manual")
    db = closed(ml)
    damage_plan_text_of(db)
    before = db.read_bytes()
    said = (f"fieldplan: error: {db} is not a usable fieldplan database: the file is "
            f"damaged; {RESTORE}\n")
    action = "PA1.2"
    for argv in (["status"], ["progress", "set", action, "--period", "2026-S2",
                              "--status", "off-track"]):
        assert main(["--db", str(db), *argv]) == 1, argv
        assert capsys.readouterr() == ("", said), argv
    assert db.read_bytes() == before
    with open_replica(db) as rep, pytest.raises(DamagedDatabaseError):
        try:
            rep.plan()
        except sqlite3.Error as exc:
            raise store.as_damage(db, exc) from exc
    assert main(["--db", str(db), "restore"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "status"]) == 0


def test_an_unexpected_error_of_a_sound_database_stays_one_short_line(
        make_office, capsys, monkeypatch) -> None:
    """An error no check foresaw, of a database every check finds sound: no damage
    to restore from, and the error is one line."""
    from fieldplan import status
    from fieldplan.cli import main

    db = closed(make_office("ML"))

    def fails(rep):
        raise sqlite3.OperationalError("Could not decode to UTF-8 column 'value'")

    monkeypatch.setattr(status, "replica_status", fails)
    monkeypatch.delenv("FIELDPLAN_DEBUG", raising=False)
    assert main(["--db", str(db), "status"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("fieldplan: error: internal error: OperationalError: Could not decode "
                   "to UTF-8 column 'value' (set FIELDPLAN_DEBUG=1 for details)\n")


@pytest.mark.parametrize("value", ["CAST(X'7b22ff22' AS TEXT)", "'{\"a\": 1 xxxxxxxx'",
                                   "CAST(X'7b2261223a2262ff227d' AS TEXT)"],
                         ids=["not-utf8", "not-json", "json-not-utf8"])
def test_a_merged_value_that_is_no_longer_json_is_damage_with_the_next_step(
        make_office, capsys, value) -> None:
    """A bad sector over the merged values (a field's version), which SQLite's checks
    do not read and the event log does not hold: every command that reads it said
    "internal error: JSONDecodeError…" (or OperationalError for text that is not
    UTF-8) with no word of a restore. fieldplan writes JSON there, always. A bad byte
    inside a text of the JSON (``{"a": "b\\xff"}``, found by fuzzing) is still JSON to
    SQLite's json_valid, but not UTF-8: damage too."""
    from fieldplan.cli import main

    ml = make_office("ML")
    store.backup(ml.conn, ml.path, "manual")
    db = closed(ml)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"UPDATE versions SET value = {value} WHERE "
                     "entity = 'plan' AND field = 'document'")
    conn.close()
    assert main(["--db", str(db), "status"]) == 1
    assert capsys.readouterr() == ("", f"fieldplan: error: {db} is not a usable fieldplan "
                                       f"database: the file is damaged; {RESTORE}\n")
    # the restore it points to takes it as damaged (it refused: "is not damaged … add
    # --force"), and passes by a backup as damaged (``_quick_check``)
    assert store._quick_check(db) is False
    assert main(["--db", str(db), "restore"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "status"]) == 0


def test_imports_on_a_damaged_merged_value_never_push_the_sound_backups_out(
        make_office, hq, tmp_path, monkeypatch) -> None:
    """Found by review: the backup before each import no longer checked the merged
    values, yet marked the copy checked, and the rotation counts a checked copy as
    sound: with a bad sector over a report's field version (which 'status' does not
    read), BACKUPS_KEPT imports, duplicates even, each backed the damage up and pushed
    the last sound backup out; the restore then passed every copy by as damaged. The
    import stops at its backup, saying the database is damaged, as it did."""
    from fieldplan.sync import export_bundle, import_bundle

    monkeypatch.setattr(store, "BACKUPS_KEPT", 2)
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track", challenges="x")
    sound = store.backup(ml.conn, ml.path, "before-import")
    db = closed(ml)
    conn = sqlite3.connect(db)
    with conn:
        assert conn.execute("UPDATE versions SET value = CAST(X'7b22ff22' AS TEXT) WHERE "
                            "entity != 'plan' AND field = 'challenges'").rowcount == 1
    conn.close()
    bundle = tmp_path / "hq.fieldplan"
    export_bundle(hq, for_office="ML", out_file=bundle)
    for _ in range(store.BACKUPS_KEPT + 1):
        with open_replica(db) as rep, pytest.raises(DamagedDatabaseError):
            import_bundle(rep, bundle)
    assert sound.exists()
    assert store.restore_latest_backup(db) is not None


def test_a_merged_report_text_that_is_not_utf8_is_damage_with_the_next_step(
        make_office, capsys) -> None:
    """A bad sector over a report's text in the merged table (found by fuzzing the
    database file): 'progress list' said "internal error: OperationalError: Could not
    decode to UTF-8 column 'achievements'", and restore refused the file as sound."""
    from fieldplan.cli import main

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.2", "2026-S1", status="on-track",
                             achievements="Atelier tenu à Bamako")
    store.backup(ml.conn, ml.path, "manual")
    db = closed(ml)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE progress SET achievements = CAST(X'41ff42' AS TEXT)")
    conn.close()
    for argv in (["progress", "list"], ["data", "export", "--format", "csv", "-o",
                                        str(db.with_name("out.csv"))]):
        assert main(["--db", str(db), *argv]) == 1, argv
        assert capsys.readouterr() == ("", f"fieldplan: error: {db} is not a usable "
                                           f"fieldplan database: the file is damaged; "
                                           f"{RESTORE}\n"), argv
    assert main(["--db", str(db), "restore"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "progress", "list"]) == 0


def test_a_schema_damaged_into_bytes_that_are_not_utf8_is_damage(make_office,
                                                                 capsys) -> None:
    """A bad sector over the schema (found by fuzzing the database file): SQLite's
    "malformed database schema" message quotes the bad bytes, Python cannot make text
    of it and raises UnicodeDecodeError in its place, and every command said
    "internal error: UnicodeDecodeError: 'utf-8' codec can't decode byte 0x8e…"."""
    from fieldplan.cli import main

    ml = make_office("ML")
    store.backup(ml.conn, ml.path, "manual")
    db = closed(ml)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema = ON")
    with conn:
        conn.execute("UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE "
                     "name = 'progress_period'",
                     (b"CREATE INDEX progress_period ON progress (\x8e)",))
    conn.close()
    before = db.read_bytes()
    for argv in (["digest"], ["status"]):
        assert main(["--db", str(db), *argv]) == 1, argv
        assert capsys.readouterr() == ("", f"fieldplan: error: {db} is not a usable "
                                           f"fieldplan database: the file is damaged; "
                                           f"{RESTORE}\n"), argv
    assert db.read_bytes() == before
    with pytest.raises(DamagedDatabaseError):
        open_replica(db)
    assert main(["--db", str(db), "restore"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "digest"]) == 0


def test_damage_in_the_identity_is_a_damaged_database_at_opening(make_office) -> None:
    """A bad sector over the meta table: open_replica raised SQLite's bare "database
    disk image is malformed" (the client showed it as it is), not the damage error
    with its next step."""
    path = closed(make_office("ML"))
    damage_pages_of(path, "meta")
    with pytest.raises(DamagedDatabaseError) as raised:
        open_replica(path)
    assert str(raised.value).endswith(START_AGAIN)


def test_an_export_takes_a_backup_a_day(make_office, tmp_path: Path, monkeypatch) -> None:
    """An office that only exports had no backup at all to restore."""
    from fieldplan import replica
    from fieldplan.sync import export_bundle

    ml = make_office("ML")
    assert not store.list_backups(ml.path)
    (tmp_path / "out").mkdir()
    export_bundle(ml, out_dir=tmp_path / "out")
    [first] = store.list_backups(ml.path)
    assert first.name.endswith("-before-export.sqlite3")
    export_bundle(ml, out_dir=tmp_path / "out")
    assert store.list_backups(ml.path) == [first]  # one a day is enough
    monkeypatch.setattr(replica, "BACKUP_DUE", dt.timedelta(0))
    export_bundle(ml, out_dir=tmp_path / "out")
    assert len(store.list_backups(ml.path)) == 2


def test_an_export_refused_for_its_place_takes_no_backup(hq, make_office,
                                                       tmp_path: Path) -> None:
    """An export to a folder that is not there, or over another computer's bundle, is
    refused and leaves no trace: it took the day's backup first (one more file in the
    backups folder, an older backup rotated out for it), then said no."""
    from fieldplan.errors import BundleNameTakenError, FileError
    from fieldplan.sync import export_bundle

    ml = make_office("ML")
    with pytest.raises(FileError, match="does not exist"):
        export_bundle(ml, out_dir=tmp_path / "not-there")
    theirs = export_bundle(hq, for_office="ML", out_dir=tmp_path)
    with pytest.raises(BundleNameTakenError):
        export_bundle(ml, out_file=theirs.path)
    assert store.list_backups(ml.path) == []
    assert store.list_backups(hq.path) != []  # (headquarters' own export took its own)


def test_an_export_from_a_damaged_database_sends_what_it_can_and_warns(
        make_office, tmp_path: Path, capsys) -> None:
    """What it can read reaches headquarters (changes a restore would lose), and the
    damage is said with the next step."""
    from fieldplan.cli import main

    db = closed(make_office("ML"))
    damage_pages_of(db, "inbox")
    assert main(["--db", str(db), "export", "-o", str(tmp_path / "ml.fieldplan")]) == 0
    out, err = capsys.readouterr()
    assert out == f"{tmp_path / 'ml.fieldplan'}\n"
    assert err.endswith(f"fieldplan: warning: {db} is not a usable fieldplan database: the "
                        f"file is damaged; there is no backup of it to restore; "
                        f"{START_AGAIN}\n")
    assert not store.list_backups(db)


def test_an_export_whose_backup_fails_is_still_written(make_office, tmp_path: Path,
                                                       monkeypatch) -> None:
    """The backup before an export is never in its way (a full disk): a notice."""
    from fieldplan.errors import BackupError
    from fieldplan.sync import export_bundle

    ml = make_office("ML")

    def full(*_args, **_kwargs):
        raise BackupError("cannot back up the database: the disk is full (backups in X)")

    monkeypatch.setattr(store, "backup", full)
    result = export_bundle(ml, out_dir=tmp_path)
    assert result.path.is_file()
    assert ml.take_notices() == ["no backup was taken first: cannot back up the database: "
                                 "the disk is full (backups in X)"]
    # tried once a day, not once a bundle (headquarters writes one for every office)
    assert export_bundle(ml, out_dir=tmp_path).path.is_file()
    assert ml.take_notices() == []


# --- 4. an event changed on disk (SQLite's quick check passes) ----------------------


def alter_event(db: Path, seq: int | None = None) -> tuple[str, int]:
    """One character changed inside a stored event of the database's own replica (its
    last one by default), its hash left as it was: a bad sector inside a value, which
    SQLite's quick check does not see. Returns (origin, seq)."""
    conn = sqlite3.connect(db)
    try:
        (origin,) = conn.execute("SELECT value FROM meta WHERE key = 'replica_id'").fetchone()
        if seq is None:
            (seq,) = conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                                  (origin,)).fetchone()
        (body,) = conn.execute("SELECT body FROM events WHERE origin = ? AND seq = ?",
                               (origin, seq)).fetchone()
        at = body.index('"hlc":') + 7
        changed = body[:at] + ("1" if body[at] != "1" else "2") + body[at + 1:]
        with conn:
            conn.execute("UPDATE events SET body = ? WHERE origin = ? AND seq = ?",
                         (changed, origin, seq))
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    return origin, seq


def test_an_event_changed_on_disk_is_never_exported(make_office, tmp_path: Path,
                                                    capsys) -> None:
    """The export sent the changed line: headquarters then refused this bundle and
    every later one of the office ("broken hash chain"), and nobody was told the way
    out. It is refused, naming the event, with the restore; nothing is written."""
    from fieldplan.cli import main
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S1", status="on-track", percent=10)
    db = closed(ml)
    origin, seq = alter_event(db)
    before = db.read_bytes()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert main(["--db", str(db), "export", "-o", str(out_dir)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"fieldplan: error: {db} is not a usable fieldplan database: event "
                   f"{seq} of replica {origin[:8]} is damaged: it no longer matches its "
                   f"hash; {RESTORE}\n")
    assert list(out_dir.iterdir()) == []
    assert db.read_bytes() == before
    # the restore it names is not refused as a restore of a sound database
    assert main(["--db", str(db), "restore"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "export", "-o", str(out_dir)]) == 0


def test_a_database_with_an_event_changed_on_disk_is_not_backed_up(make_office) -> None:
    """The daily backup before an export copied the changed event: after ten of them,
    the last backups without it were pushed out."""
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA1.2", "2026-S1", status="on-track", percent=10)
    first = store.backup(ml.conn, ml.path, "manual")
    db = closed(ml)
    origin, seq = alter_event(db)
    with open_replica(db) as rep, pytest.raises(DamagedDatabaseError) as caught:
        rep.backup("before-export")
    assert caught.value.problem == (f"{db} is not a usable fieldplan database: event "
                                    f"{seq} of replica {origin[:8]} is damaged: it no "
                                    "longer matches its hash")
    assert sorted(store.backup_dir(db).iterdir()) == [first]


def test_a_restore_passes_over_a_backup_holding_an_event_changed_on_disk(
        make_office) -> None:
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA1.2", "2026-S1", status="on-track", percent=10)
    sound = store.backup(ml.conn, ml.path, "manual")
    sound = sound.rename(sound.with_name(f"{ml.path.name}-{stamp(48)}-manual.sqlite3"))
    altered = store.backup(ml.conn, ml.path, "manual")
    alter_event(altered)
    db = closed(ml)
    alter_event(db)
    restored = store.restore_backup(db)
    assert restored.used == sound
    assert restored.passed_over_why == (f"{altered.name} is damaged",)


# --- 3. what reads the whole file reads it once -----------------------------------------


def values_read(monkeypatch) -> list[str]:
    """The database files whose stored values ``stored_values_bad`` reads, in order."""
    read: list[str] = []
    real = store.stored_values_bad

    def counted(conn: sqlite3.Connection) -> bool:
        read.append(Path(conn.execute("PRAGMA database_list").fetchone()[2]).name)
        return real(conn)

    monkeypatch.setattr(store, "stored_values_bad", counted)
    return read


def test_a_restore_of_a_sound_database_checks_it_once(make_office, monkeypatch) -> None:
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA1.2", "2026-S1", status="on-track", percent=10)
    made = store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S1", percent=20)  # what the restore loses
    db = closed(ml)
    read = values_read(monkeypatch)
    restored = store.restore_backup(db, force=True)
    assert restored.used == made and restored.lost == (1, 0)
    # (it read the replaced file's whole values a second time to count its changes
    # again after the copy: 11 s more at a headquarters of a million events)
    assert read.count(db.name) == 1
    assert read.count(made.name) == 1


def test_the_damage_check_after_an_error_reads_the_values_once(make_office,
                                                               monkeypatch) -> None:
    ml = make_office("ML")
    db = closed(ml)
    read = values_read(monkeypatch)
    assert not store.found_damaged(db)
    assert read == [db.name]
    damage_pages_of(db, "versions")
    read.clear()
    assert store.found_damaged(db)


# --- 4. every stored text, wherever it is -----------------------------------------------


def many_rows(make_office) -> Path:
    """An office's closed database whose field versions fill several of the check's
    runs of rows (``store._UTF8_BATCH``), with gaps in their row ids, and which holds a
    line of each other table with texts that may be damaged."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.2", "2026-S1", status="on-track",
                             achievements="Atelier tenu à Bamako")
    db = closed(ml)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO versions (entity, entity_id, field, origin, seq, hlc, author, "
            "value, superseded) SELECT v.entity, v.entity_id, 'copy' || n.i, v.origin, "
            "v.seq, v.hlc, 'Aïssata', v.value, 1 FROM n, (SELECT * FROM versions "
            "WHERE entity = 'progress' LIMIT 1) AS v", (3 * store._UTF8_BATCH,))
        conn.execute("DELETE FROM versions WHERE field LIKE 'copy%' AND rowid % 7 = 0")
        conn.execute("INSERT INTO inbox (file_name, sha256, received_at, outcome, reason) "
                     "VALUES ('ml.fieldplan', 'x', '2026-01-01T00:00:00Z', 'rejected', "
                     "'clé inconnue')")
        conn.execute("INSERT INTO supersedes VALUES ('progress', 'ML|PA1.2|2026-S1', "
                     "'status', 'a', 1, 'b', 2)")
        conn.execute("INSERT INTO acks VALUES ('peer', 'origin', 3)")
    conn.close()
    return db


def test_the_stored_texts_check_reads_every_row_of_many(make_office) -> None:
    """Several runs of rows, gaps in their row ids: sound, and read to the end."""
    db = many_rows(make_office)
    with store.reading(db) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] > (
            2 * store._UTF8_BATCH)
        assert not store.stored_values_bad(conn)


@pytest.mark.parametrize("table, column, offset, damaged", [
    ("versions", "author", 0, "41ff"),
    ("versions", "author", store._UTF8_BATCH - 1, "41ff"),
    ("versions", "author", store._UTF8_BATCH, "41ff"),
    ("versions", "entity_id", 2 * store._UTF8_BATCH + 1, "c3"),
    ("versions", "author", -1, "4100ff"),  # after a zero byte
    ("versions", "origin", -1, "80"),
    ("progress", "achievements", -1, "41ff42"),
    ("inbox", "reason", -1, "e9"),
    ("meta", "value", -1, "ff"),
    ("supersedes", "by_origin", -1, "62ff"),
    ("acks", "peer", -1, "c0af"),
], ids=lambda v: str(v))
def test_the_stored_texts_check_finds_a_text_that_is_not_utf8_in_any_row(
        make_office, table, column, offset, damaged) -> None:
    """A text that is not UTF-8 (a bad sector over it) is found in every table, in the
    first, last and any row of each run of rows the check reads at once (``offset``:
    the row's place, -1 the last), after a zero byte too; and the backups' and
    restore's check (``_quick_check``) takes the file as damaged."""
    db = many_rows(make_office)
    conn = sqlite3.connect(db)
    with conn:
        order = "rowid" if table not in ("meta", "supersedes", "acks") else column
        place = f"ORDER BY {order} DESC LIMIT 1" if offset == -1 else (
            f"ORDER BY {order} LIMIT 1 OFFSET {offset}")
        key = "rowid" if order == "rowid" else column
        changed = conn.execute(
            f"UPDATE {table} SET {column} = CAST(X'{damaged}' AS TEXT) WHERE {key} = "
            f"(SELECT {key} FROM {table} {place})").rowcount
        assert changed == 1
    conn.close()
    with store.reading(db) as conn:
        assert store.stored_values_bad(conn)
    assert store._quick_check(db) is False


@pytest.mark.parametrize("sqlite_says", [True, False], ids=["table_list", "statement"])
@pytest.mark.parametrize("options", ["WITHOUT ROWID, STRICT", "STRICT, WITHOUT ROWID",
                                     "WITHOUT ROWID", "without  rowid"])
@pytest.mark.parametrize("space", [" ", "", "\n"], ids=["space", "none", "line"])
def test_the_stored_texts_check_reads_a_without_rowid_table_however_declared(
        make_office, monkeypatch, sqlite_says, options, space) -> None:
    """Whether a table is WITHOUT ROWID was read from its statement's end, ") WITHOUT
    ROWID" only: declared "WITHOUT ROWID, STRICT", or ")WITHOUT ROWID", it was read by
    row id, which it has not, and the check failed (taken as "not damaged"). SQLite
    says it (PRAGMA table_list); where it cannot (before 3.37), the statement is read
    whatever its options' order and spaces."""
    if "STRICT" in options and not sqlite_says and sqlite3.sqlite_version_info < (3, 37):
        pytest.skip("no STRICT tables before SQLite 3.37")
    db = many_rows(make_office)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"CREATE TABLE notes (k TEXT PRIMARY KEY, v TEXT){space}{options}")
        conn.execute("INSERT INTO notes VALUES ('a', 'Aïssata'), ('b', 'Ségou')")
    conn.close()
    if not sqlite_says:
        monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 36, 0))
    with store.reading(db) as conn:
        assert not store.stored_values_bad(conn)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE notes SET v = CAST(X'41ff' AS TEXT) WHERE k = 'b'")
    conn.close()
    with store.reading(db) as conn:
        assert store.stored_values_bad(conn)


#: the columns of ``supersedes``' primary key, in its order
SUPERSEDES_KEY = "entity, entity_id, field, target_origin, target_seq, by_origin, by_seq"


def many_superseded(make_office) -> Path:
    """``many_rows``' database with ``supersedes`` (WITHOUT ROWID) holding several of the
    check's runs of rows, inserted in another order than their key's."""
    db = many_rows(make_office)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO supersedes SELECT 'progress', 'ML|PA1.' || (i % 7) || '|2026-S1', "
            "'status', 'Aïssata', i, 'b', i + 1 FROM n", (3 * store._UTF8_BATCH + 5,))
    conn.close()
    return db


def test_the_stored_texts_check_reads_a_without_rowid_table_by_its_key(make_office) -> None:
    """``supersedes`` (two million rows WITHOUT ROWID at a headquarters of a million
    events) was read a row at a time, each handed to Python: 1.7 s of the check's 2.7.
    It is read in runs of rows along its primary key, as the row id tables are; every
    table of fieldplan's has a key the check walks."""
    db = many_superseded(make_office)
    with store.reading(db) as conn:
        for table in store._without_rowid(conn):
            assert store._primary_key(conn, table), table
        assert store._primary_key(conn, "supersedes") == [
            f'"{c}"' for c in SUPERSEDES_KEY.split(", ")]
        key = ", ".join(store._primary_key(conn, "supersedes"))
        plan = [row[3] for row in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {key} FROM supersedes WHERE ({key}) > "
            f"(?, ?, ?, ?, ?, ?, ?) ORDER BY {key} LIMIT 1 OFFSET 1", (0,) * 7)]
        assert plan == [f"SEARCH supersedes USING PRIMARY KEY (({SUPERSEDES_KEY.replace(' ', '')})"
                        f">(?,?,?,?,?,?,?))"]
        assert not store.stored_values_bad(conn)


@pytest.mark.parametrize("column, offset", [
    ("by_origin", 0),
    ("by_origin", store._UTF8_BATCH - 2),
    ("by_origin", store._UTF8_BATCH - 1),  # the key a run ends at, read in Python
    ("by_origin", store._UTF8_BATCH),
    ("target_origin", 2 * store._UTF8_BATCH + 1),
    ("by_origin", -1),
    ("entity", -1),
])
def test_the_stored_texts_check_finds_a_text_in_any_row_of_a_without_rowid_table(
        make_office, column, offset) -> None:
    """In the first, last and any row of each run of rows, in its key too."""
    db = many_superseded(make_office)
    conn = sqlite3.connect(db)
    with conn:
        order = ", ".join(f"{c} DESC" if offset == -1 else c
                          for c in SUPERSEDES_KEY.split(", "))
        row = conn.execute(f"SELECT {SUPERSEDES_KEY} FROM supersedes ORDER BY {order} "
                           f"LIMIT 1 OFFSET ?", (max(offset, 0),)).fetchone()
        changed = conn.execute(
            f"UPDATE supersedes SET {column} = CAST(X'41ff' AS TEXT) WHERE "
            f"({SUPERSEDES_KEY}) = (?, ?, ?, ?, ?, ?, ?)", row).rowcount
        assert changed == 1
    conn.close()
    with store.reading(db) as conn:
        assert store.stored_values_bad(conn)


@pytest.mark.parametrize("order", ["", " DESC"], ids=["ascending", "descending"])
def test_the_stored_texts_check_reads_every_row_of_a_key_of_any_kind(
        make_office, order) -> None:
    """A WITHOUT ROWID table another tool added, its key compared without case, holding
    texts, numbers and bytes: read to its last row; in descending order (which its key
    cannot be walked in), a row at a time."""
    db = many_rows(make_office)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"CREATE TABLE notes (k TEXT COLLATE NOCASE, n INTEGER, v TEXT, "
                     f"PRIMARY KEY (k{order}, n)) WITHOUT ROWID")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO notes SELECT CASE i % 4 WHEN 0 THEN char(97 + i % 26) WHEN 1 "
            "THEN char(65 + i % 26) WHEN 2 THEN i % 9 ELSE X'41' END, i, 'Ségou' FROM n",
            (3 * store._UTF8_BATCH,))
    conn.close()
    with store.reading(db) as conn:
        assert not store.stored_values_bad(conn)
    conn = sqlite3.connect(db)
    with conn:
        # the last row of its key's order
        last = " ASC" if order else " DESC"
        conn.execute("UPDATE notes SET v = CAST(X'41ff' AS TEXT) WHERE n = ("
                     f"SELECT n FROM notes ORDER BY k{last}, n DESC LIMIT 1)")
    conn.close()
    with store.reading(db) as conn:
        assert store._primary_key(conn, "notes") == (None if order else ['"k"', '"n"'])
        assert store.stored_values_bad(conn)
