"""Which file is whose: ``--db`` naming another program's SQLite database, and backups
that belong to exactly one database file name (``hq.sqlite3x`` is not ``hq.sqlite3``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.cli import main
from fieldplan.errors import StoreError
from fieldplan.replica import init_hq, open_replica


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- another program's database ----------------------------------------------------


def test_another_programs_database_is_said_to_be_one_and_left_alone(tmp_path: Path,
                                                                  capsys) -> None:
    """It was "not set up yet; run 'fieldplan init' first", and init then refused
    because the file exists; and the status had written fieldplan's tables into it."""
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (url TEXT)")
        conn.execute("INSERT INTO moz_places VALUES ('https://example.org')")
    conn.close()
    before = path.read_bytes()
    said = (f"fieldplan: error: {path} is an SQLite database, but not fieldplan's (another "
            f"program's?); it was left as it is: give fieldplan another file\n")
    assert run(capsys, "--db", str(path), "status") == (1, "", said)
    assert run(capsys, "--db", str(path), "init", "--hq") == (1, "", said)
    assert path.read_bytes() == before  # not even put in WAL mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]
    with pytest.raises(StoreError, match="not fieldplan's"):
        store.connect(path)


def test_an_empty_database_file_is_still_one_to_set_up(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new.sqlite3"
    path.write_bytes(b"")
    code, _out, err = run(capsys, "--db", str(path), "status")
    assert code == 1 and "is not set up yet; run 'fieldplan init' first" in err
    assert run(capsys, "--db", str(path), "init", "--hq")[0] == 0


# --- backups of one database file name ----------------------------------------------


def test_a_mistyped_name_is_not_given_another_databases_backups(hq, tmp_path: Path,
                                                               capsys) -> None:
    """``hq.sqlite3x`` shares ``hq.sqlite3``'s name before the extension: it was told
    "its backups are in …; 'fieldplan restore' puts the latest back", and a restore put
    HQ's backup in place under that name (a second copy of headquarters' replica)."""
    made = hq.backup("before-import")
    assert made.name.startswith("hq.sqlite3-") and made.name.endswith("-before-import.sqlite3")
    with sqlite3.connect(made) as backup:
        mark = backup.execute("SELECT value FROM meta WHERE key = ?",
                              (store.BACKUP_MARK,)).fetchone()[0]
    assert json.loads(mark)["db"] == "hq.sqlite3"
    hq.close()
    typo = tmp_path / "hq.sqlite3x"
    assert store.list_backups(tmp_path / "hq.sqlite3") == [made]
    assert store.list_backups(typo) == []
    code, _out, err = run(capsys, "--db", str(typo), "status")
    assert code == 1 and "backups" not in err and "run 'fieldplan init --hq'" in err
    code, _out, err = run(capsys, "--db", str(typo), "restore")
    assert (code, err) == (1, f"fieldplan: error: no backup of {typo} to restore\n")
    code, _out, err = run(capsys, "--db", str(typo), "restore", str(made))
    assert (code, err) == (1, f"fieldplan: error: {made} is a backup of hq.sqlite3, not of "
                              f"hq.sqlite3x\n")
    assert not typo.exists()
    # with the key file copied beside it, still not its backup
    (tmp_path / "hq.sqlite3x.key").write_bytes((tmp_path / "hq.sqlite3.key").read_bytes())
    with pytest.raises(StoreError, match=r"is a backup of hq\.sqlite3, not of hq\.sqlite3x"):
        store.restore_backup(typo, made)
    assert store.list_backups(typo) == [] and not typo.exists()


def test_databases_sharing_a_name_before_the_extension_keep_their_own_backups(
        tmp_path: Path) -> None:
    """``hq.sqlite3`` and ``hq.db`` in one folder: neither lists nor rotates away the
    other's backups."""
    paths = [tmp_path / "hq.sqlite3", tmp_path / "hq.db"]
    made: dict[Path, list[Path]] = {}
    for path in paths:
        conn = store.connect(path, create=True)
        made[path] = [store.backup(conn, path, f"test{i}")
                      for i in range(store.BACKUPS_KEPT + 2)]
        conn.close()
    for path in paths:
        assert store.list_backups(path) == made[path][::-1][:store.BACKUPS_KEPT]


@pytest.fixture
def earlier_backup(hq, tmp_path: Path) -> Path:
    """A backup of ``hq`` as fieldplan named and marked it before backups named their
    database: ``hq-<time>-<reason>.sqlite3``, a mark without the database's name."""
    made = hq.backup("before-import")
    with sqlite3.connect(made) as backup:
        backup.execute("UPDATE meta SET value = ? WHERE key = ?",
                       (json.dumps({"taken": "2026-01-15T08:30:00Z"}), store.BACKUP_MARK))
    backup.close()
    earlier = made.with_name("hq-20260115T083000123456Z-before-import.sqlite3")
    made.rename(earlier)
    return earlier


def test_backups_made_before_are_still_their_databases(hq, earlier_backup: Path,
                                                       tmp_path: Path, capsys) -> None:
    db = hq.path
    replica = hq.replica_id
    hq.close()
    typo = tmp_path / "hq.sqlite3x"
    assert store.list_backups(db) == [earlier_backup]
    assert store.list_backups(typo) == []  # no key file of its own: nothing says it is its
    with pytest.raises(StoreError, match="does not say which database it is a backup of"):
        store.restore_backup(typo, earlier_backup)
    assert not typo.exists()
    # the database lost: its earlier backup is found and put back
    db.unlink()
    code, _out, err = run(capsys, "--db", str(db), "status")
    assert code == 1 and "but its backups are in" in err
    assert store.restore_backup(db).used == earlier_backup
    with open_replica(db) as rep:
        assert rep.replica_id != replica  # continues as a new replica, as any restore


def test_rotation_keeps_earlier_backups_of_another_database(hq, earlier_backup: Path,
                                                            tmp_path: Path,
                                                            monkeypatch) -> None:
    """``hq.sqlite3x``, a database of its own beside ``hq.sqlite3``: its backups never
    rotate away ``hq.sqlite3``'s earlier ones, which share their name with its."""
    monkeypatch.setattr(store, "BACKUPS_KEPT", 2)
    with init_hq(tmp_path / "hq.sqlite3x") as other:
        for i in range(4):
            other.backup(f"test{i}")
        assert earlier_backup.exists()
        assert len([p for p in store.list_backups(other.path)
                    if p.name.startswith("hq.sqlite3x-")]) == 2
        # listed for it (a restore says whose it is), never put in its place
        with pytest.raises(StoreError, match="is a backup of another computer"):
            store.restore_backup(other.path, earlier_backup, force=True)
    assert store.list_backups(hq.path) == [earlier_backup]
