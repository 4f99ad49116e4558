"""Which file is whose: ``--db`` naming another program's SQLite database, and backups
that belong to exactly one database file name (``hq.sqlite3x`` is not ``hq.sqlite3``)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_init_on_a_pipe_or_device_refuses_and_leaves_it(tmp_path: Path, capsys) -> None:
    # ``--db /dev/null`` (as root, a failed init removed the device node)
    path = tmp_path / "pipe"
    os.mkfifo(path)
    said = (f"fieldplan: error: {path} is a device, a pipe or a socket, not a database "
            "file; choose another --db\n")
    assert run(capsys, "--db", str(path), "init", "--hq") == (1, "", said)
    assert run(capsys, "--db", str(path), "status") == (1, "", said)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]

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
        made[path] = [store.backup(conn, path, "test")
                      for _ in range(store.BACKUPS_KEPT + 2)]
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
        for _ in range(4):
            other.backup("test")
        assert earlier_backup.exists()
        assert len([p for p in store.list_backups(other.path)
                    if p.name.startswith("hq.sqlite3x-")]) == 2
        # listed for it (a restore says whose it is), never put in its place
        with pytest.raises(StoreError, match="is a backup of another computer"):
            store.restore_backup(other.path, earlier_backup, force=True)
    assert store.list_backups(hq.path) == [earlier_backup]


def test_a_database_renamed_with_its_key_file_keeps_its_backups(hq, tmp_path: Path,
                                                                capsys) -> None:
    """The database and its key file renamed together (``hq.sqlite3`` → ``hq-2025.sqlite3``),
    then damaged: its backups, made under the old name, were not listed, and a restore
    of one by its path was refused as "a backup of hq.sqlite3", even with --force."""
    from fieldplan.replica import key_path

    made = hq.backup("before-import")
    old = hq.path
    hq.close()
    new = tmp_path / "hq-2025.sqlite3"
    old.rename(new)
    key_path(old).rename(key_path(new))
    new.write_bytes(b"garbage" * 100)  # damaged
    assert store.list_backups(new) == [made]
    code, _out, err = run(capsys, "--db", str(new), "restore", str(made))
    assert code == 0, err
    with open_replica(new):
        pass
    # backups under the old name are listed, never rotated away: not this name's own
    with open_replica(new) as rep:
        for i in range(store.BACKUPS_KEPT + 1):
            rep.backup(f"test{i}")
    assert made.exists() and made in store.list_backups(new)
    # a new database made under the old name since, with a key of its own: the backup
    # with the renamed database's key is still the renamed one's to restore by its path
    # (no longer listed: a listing opens no backup of a database that is there)
    init_hq(old).close()
    assert made not in store.list_backups(new)
    new.write_bytes(b"garbage" * 100)
    assert store.restore_backup(new, made, force=True).used == made
    with pytest.raises(StoreError, match="is a backup of another computer"):
        store.restore_backup(old, made, force=True)


def test_a_copy_under_a_new_name_is_still_refused_the_original_s_backups(
        hq, tmp_path: Path) -> None:
    """The rename above is told from a copy: while the database a backup names is there
    with that key, the backup is its, not the copy's (--force does not change it)."""
    from fieldplan.replica import key_path

    made = hq.backup("before-import")
    hq.close()
    copy = tmp_path / "hq-copy.sqlite3"
    copy.write_bytes(b"garbage" * 100)
    key_path(copy).write_bytes(key_path(hq.path).read_bytes())
    assert store.list_backups(copy) == []
    with pytest.raises(StoreError, match=r"is a backup of hq\.sqlite3, not of hq-copy"):
        store.restore_backup(copy, made, force=True)
    # the original without its key file: it may still be its, so still refused
    key_path(hq.path).unlink()
    with pytest.raises(StoreError, match=r"is a backup of hq\.sqlite3, not of hq-copy"):
        store.restore_backup(copy, made, force=True)


def test_one_database_under_two_spellings_of_its_name_has_one_set_of_backups(
        tmp_path: Path, monkeypatch) -> None:
    """On Windows and a Mac's disk ``HQ.sqlite3`` and ``hq.sqlite3`` are one file (here: a
    link, as such a disk behaves). Backups made under one spelling were not listed under
    the other, and a restore of one by its path was refused as "a backup of HQ.sqlite3,
    not of hq.sqlite3"."""
    from fieldplan.replica import key_path

    real = tmp_path / "hq.sqlite3"
    init_hq(real).close()
    other = tmp_path / "HQ.sqlite3"
    other.symlink_to(real.name)
    key_path(other).symlink_to(key_path(real).name)
    with open_replica(other) as rep:  # a desktop shortcut that says HQ.sqlite3
        made = rep.backup("before-import")
    assert made.name.startswith("HQ.sqlite3-")
    assert store.list_backups(real) == store.list_backups(other) == [made]
    real.write_bytes(b"x" * 4096)  # damaged
    assert store.restore_backup(real, made).used == made
    # the database missing: the link still says where it was
    real.unlink()
    key_path(real).unlink()
    assert store._names_db("HQ.sqlite3", real)
    # Windows: names compared in the case its file system compares them
    other.unlink()
    monkeypatch.setattr(store.os.path, "normcase", str.lower)
    assert store._names_db("HQ.sqlite3", real) and not store._names_db("hq.db", real)
