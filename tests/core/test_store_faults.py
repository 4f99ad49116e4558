"""Backups and restores on a full disk, and after a kill: one clear line, the database
as it was, room made from old backups, nothing left behind (the fault-injection
review of fieldplan.store)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from collections import namedtuple
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.errors import BackupError, StoreError
from fieldplan.sync import all_keys, export_bundle, import_bundle, revoke_key
from tests import reasons
from tests.scenes import damaged_with_a_backup

PAGE = 4096
Usage = namedtuple("Usage", "total used free")


class Disk:
    """A simulated disk of ``capacity`` bytes holding every file under ``root``: the
    copy a backup or a restore writes (``*.part``) cannot grow past the free room (a
    real SQLITE_FULL from SQLite, through ``PRAGMA max_page_count``), and
    ``shutil.disk_usage`` reports that room. Unlimited until ``fill`` is called."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.capacity: int | None = None
        real_connect = sqlite3.connect
        real_usage = shutil.disk_usage

        def connect(database, *args, **kwargs):
            conn = real_connect(database, *args, **kwargs)
            if self.capacity is not None and str(database).endswith(".part"):
                conn.execute(f"PRAGMA max_page_count = {max(1, self.free() // PAGE)}")
            return conn

        def disk_usage(path):
            if self.capacity is None:
                return real_usage(path)
            return Usage(self.capacity, self.used(), self.free())

        monkeypatch.setattr(sqlite3, "connect", connect)
        monkeypatch.setattr(shutil, "disk_usage", disk_usage)

    def used(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def free(self) -> int:
        assert self.capacity is not None
        return max(0, self.capacity - self.used())

    def fill(self, leave: int) -> None:
        """From now on only ``leave`` bytes are free (beside what is there now)."""
        self.capacity = self.used() + leave


def database(path: Path, size: int = 400_000) -> sqlite3.Connection:
    """A fieldplan database holding about ``size`` bytes."""
    conn = store.connect(path, create=True)
    conn.execute("CREATE TABLE filler (b BLOB)")
    conn.execute("INSERT INTO filler VALUES (randomblob(?))", (size,))
    return conn


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- 1. a failed backup is one clear line -------------------------------------------


def test_a_backup_on_a_full_disk_says_so_in_one_line(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "x.sqlite3"
    conn = database(path)
    disk = Disk(tmp_path, monkeypatch)
    disk.fill(50_000)
    with pytest.raises(BackupError) as raised:
        store.backup(conn, path, "before-import")
    folder = store.backup_dir(path)
    assert isinstance(raised.value, StoreError)
    assert str(raised.value) == \
        f"cannot back up the database: the disk is full (backups in {folder})"
    assert left_in(folder) == []  # nothing half-written stays
    conn.close()


def test_a_file_where_the_backups_folder_goes_is_said_as_such(tmp_path: Path) -> None:
    """A file named "backups" beside the database (copied there, or left by another
    program): the backup said "it already exists", which named nothing a person could
    act on; it says the path holds a file where a folder should be. Once the file is
    moved away, the backup is made."""
    path = tmp_path / "x.sqlite3"
    conn = database(path)
    folder = store.backup_dir(path)
    folder.write_bytes(b"someone's file")
    with pytest.raises(BackupError) as raised:
        store.backup(conn, path, "before-import")
    assert str(raised.value) == ("cannot back up the database: part of the path is a "
                                 f"file, not a folder (backups in {folder})")
    assert folder.read_bytes() == b"someone's file"
    folder.rename(tmp_path / "moved")
    made = store.backup(conn, path, "before-import")
    assert made.parent == folder and made.is_file()
    conn.close()


def test_an_import_on_a_full_disk_is_refused_and_changes_nothing(
        hq, make_office, tmp_path: Path, monkeypatch, capsys) -> None:
    from fieldplan.cli import main

    ml = make_office("ML")
    bundle = export_bundle(ml, out_dir=tmp_path).path
    db = hq.path
    hq.close()

    def events() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    before = events()
    Disk(tmp_path, monkeypatch).fill(20_000)
    assert main(["--db", str(db), "import", str(bundle)]) == 1
    _out, err = capsys.readouterr()
    assert err == ("fieldplan: error: cannot back up the database: the disk is full "
                   f"(backups in {store.backup_dir(db)})\n")
    assert events() == before


# --- 2. old backups make room -------------------------------------------------------


def test_the_oldest_backup_makes_room_on_a_full_disk(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "BACKUPS_KEPT", 3)
    path = tmp_path / "x.sqlite3"
    conn = database(path)
    old = [store.backup(conn, path, f"test{i}") for i in range(3)]
    disk = Disk(tmp_path, monkeypatch)
    disk.fill(200_000)  # half a backup: one more does not fit
    new = store.backup(conn, path, "before-import")
    assert store.list_backups(path) == [new, old[2], old[1]]  # only the oldest went
    assert left_in(store.backup_dir(path)) == sorted(p.name for p in (new, old[2], old[1]))
    conn.close()


def test_backups_removed_to_make_room_are_told(hq, make_office, tmp_path: Path,
                                               monkeypatch, capsys) -> None:
    """Old backups deleted on a full disk were gone without a word: the person may
    count on them to go back to an earlier state. The CLI says how many, and where."""
    from fieldplan.cli import main

    monkeypatch.setattr(store, "BACKUPS_KEPT", 3)
    old = [store.backup(hq.conn, hq.path, f"test{i}") for i in range(3)]
    disk = Disk(tmp_path, monkeypatch)
    disk.fill(old[0].stat().st_size // 2)  # half a backup: one more does not fit
    hq.backup("before-import")
    folder = store.backup_dir(hq.path)
    assert hq.take_notices() == [
        "the disk is full: 1 old backup of this database was removed to make room for a "
        f"new one (backups in {folder})"]
    assert not old[0].exists()
    # the command line: a warning beside the import's own lines
    disk.capacity = None
    bundle = export_bundle(make_office("ML"), out_dir=tmp_path).path
    db = hq.path
    hq.close()
    disk.fill(old[1].stat().st_size // 2)
    before = set(store.list_backups(db))
    assert main(["--db", str(db), "import", str(bundle)]) == 0
    out, err = capsys.readouterr()
    gone = len(before - set(store.list_backups(db)))
    assert out.startswith(f"{bundle.name}: merged") and gone == 2
    assert err == ("fieldplan: warning: the disk is full: 2 old backups of this database were "
                   f"removed to make room for a new one (backups in {folder})\n")


def test_no_backup_is_deleted_when_that_cannot_make_room(tmp_path: Path,
                                                         monkeypatch) -> None:
    """The newest backup is never deleted, and none when all the others together are
    too small for the copy (the disk is full of something else)."""
    path = tmp_path / "x.sqlite3"
    conn = database(path, size=100_000)
    old = [store.backup(conn, path, f"test{i}") for i in range(3)]
    conn.execute("INSERT INTO filler VALUES (randomblob(600000))")  # it grew since
    disk = Disk(tmp_path, monkeypatch)
    disk.fill(50_000)
    with pytest.raises(BackupError, match="the disk is full"):
        store.backup(conn, path, "before-import")
    assert store.list_backups(path) == old[::-1]
    conn.close()
    lone = tmp_path / "lone.sqlite3"
    conn = database(lone, size=100_000)
    disk.capacity = None
    [only] = [store.backup(conn, lone, "manual")]
    disk.fill(50_000)
    with pytest.raises(BackupError, match="the disk is full"):
        store.backup(conn, lone, "before-import")
    assert store.list_backups(lone) == [only]
    conn.close()


# --- 3. nothing left behind ---------------------------------------------------------


def test_a_backup_sweeps_what_killed_backups_and_restores_left(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    kept = store.backup(conn, path, "manual")
    folder = kept.parent
    killed = "x-20250101T000000000000Z-before-import"
    gone = "x-20240101T000000000000Z-manual"
    stale = [f"{killed}.part", f"{killed}.part-wal", f"{killed}.part-shm",
             f"{killed}.part-journal", f"{gone}.sqlite3-shm", f"{gone}.sqlite3-wal"]
    under_way = "x-20990101T000000000000Z-before-import.part"  # another fieldplan's
    others = [kept.name + "-shm", "y-20250101T000000000000Z-manual.part"]
    for name in [*stale, under_way, *others]:
        (folder / name).write_bytes(b"left")
    long_ago = time.time() - 3600
    for name in [*stale, others[1]]:
        os.utime(folder / name, (long_ago, long_ago))
    new = store.backup(conn, path, "manual")
    assert left_in(folder) == sorted([kept.name, new.name, under_way, *others])
    conn.close()


def test_a_backup_put_back_leaves_nothing_beside_it(tmp_path: Path) -> None:
    """Backups keep a rollback journal: opening one read-only makes no -wal or -shm."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    used = store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"garbage" * 1000)
    store.restore_latest_backup(path, force=True)
    assert left_in(used.parent) == [used.name]
    store.connect(path).close()


def test_a_restore_clears_what_a_killed_restore_left(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"garbage" * 1000)
    for suffix in (".part", ".part-wal", ".part-shm", ".part-journal"):
        Path(str(path) + suffix).write_bytes(b"left by a kill")
    store.restore_latest_backup(path, force=True)
    assert left_in(tmp_path) == ["backups", "x.sqlite3", "x.sqlite3.damaged"]
    store.connect(path).close()


def test_a_restore_on_a_full_disk_says_so_and_changes_nothing(tmp_path: Path,
                                                              monkeypatch) -> None:
    path = tmp_path / "x.sqlite3"
    conn = database(path)
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"damaged")
    Disk(tmp_path, monkeypatch).fill(50_000)
    with pytest.raises(OSError) as raised:  # a FileError: also a FieldplanError
        store.restore_latest_backup(path, force=True)
    assert str(raised.value).endswith(f"in place of {path}: the disk is full")
    assert path.read_bytes() == b"damaged"
    assert left_in(tmp_path) == ["backups", "x.sqlite3"]


# --- 4. opening a database on a full disk -------------------------------------------


SQLITE_IOERR_SHMSIZE = 4874  # sqlite3.SQLITE_IOERR_SHMSIZE from Python 3.11


@pytest.mark.parametrize(("code", "words"), [(SQLITE_IOERR_SHMSIZE, "disk I/O error"),
                                             (sqlite3.SQLITE_FULL, "database or disk is full")])
def test_opening_on_a_full_disk_says_the_disk_is_full(tmp_path: Path, monkeypatch,
                                                      code, words) -> None:
    """Every open of a WAL database fails once its -shm file cannot grow; SQLite says
    "disk I/O error", which reads like a failing disk."""
    path = tmp_path / "x.sqlite3"
    store.connect(path, create=True).close()

    class FullDisk(sqlite3.Connection):
        def execute(self, *args):
            exc = sqlite3.OperationalError(words)
            exc.sqlite_errorcode = code
            raise exc

    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect",
                        lambda *a, **kw: real(*a, **{**kw, "factory": FullDisk}))
    with pytest.raises(StoreError) as raised:
        store.connect(path)
    assert str(raised.value) == \
        f"cannot open database {path}: the disk is full; free some space and try again"


# --- 5. a restore never leaves the database missing ---------------------------------


class Killed(BaseException):
    """The process stopped here (a power cut, a kill)."""


def test_a_restore_killed_midway_leaves_a_database(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "x.sqlite3"
    damaged_with_a_backup(path)
    real = os.replace

    def replace(src, dst) -> None:
        if Path(dst) == path:
            raise Killed
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        store.restore_latest_backup(path, force=True)
    assert path.read_bytes() == b"damaged"
    assert left_in(tmp_path) == ["backups", "x.sqlite3"]
    monkeypatch.undo()
    store.restore_latest_backup(path, force=True)
    assert (tmp_path / "x.sqlite3.damaged").read_bytes() == b"damaged"
    store.connect(path).close()


def test_a_restore_without_hard_links_renames(tmp_path: Path, monkeypatch) -> None:
    """FAT USB sticks have no hard links: the file is renamed away, as before."""
    path = tmp_path / "x.sqlite3"
    damaged_with_a_backup(path)

    def no_links(*_a) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    store.restore_latest_backup(path, force=True)
    assert (tmp_path / "x.sqlite3.damaged").read_bytes() == b"damaged"
    store.connect(path).close()


def test_the_log_of_the_replaced_file_goes_with_it(tmp_path: Path) -> None:
    """Never applied to the copy, never left out of the kept file."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    store.backup(conn, path, "manual")
    conn.execute("INSERT INTO meta VALUES ('after', 'the backup')")
    saved = {s: Path(str(path) + s).read_bytes() for s in ("", "-wal")}
    conn.close()
    for suffix, data in saved.items():  # as a crash leaves them
        Path(str(path) + suffix).write_bytes(data)
    kept = store.restore_backup(path, force=True).kept
    assert kept is not None and Path(str(kept) + "-wal").read_bytes() == saved["-wal"]
    assert not Path(str(path) + "-wal").exists()
    conn = store.connect(path)
    assert conn.execute("SELECT 1 FROM meta WHERE key = 'after'").fetchone() is None
    conn.close()
    old = sqlite3.connect(kept)  # the kept file and its log are whole
    assert old.execute("SELECT value FROM meta WHERE key = 'after'").fetchone() == \
        ("the backup",)
    old.close()


def crashed_with_a_log(path: Path) -> dict[str, bytes]:
    """A database with a backup, and a write after it left in its -wal as a crash
    leaves it; returns the bytes of the file and its log."""
    conn = store.connect(path, create=True)
    store.backup(conn, path, "manual")
    conn.execute("INSERT INTO meta VALUES ('after', 'the backup')")
    saved = {s: Path(str(path) + s).read_bytes() for s in ("", "-wal")}
    conn.close()
    for suffix, data in saved.items():
        Path(str(path) + suffix).write_bytes(data)
    return saved


def test_a_restore_killed_between_its_renames_keeps_the_log_with_its_file(
        tmp_path: Path, monkeypatch) -> None:
    """The file was set aside, its log not yet: the next restore gives the log to that
    file, not to a new .damaged.2 name, nor to the restored database."""
    path = tmp_path / "x.sqlite3"
    saved = crashed_with_a_log(path)
    real = os.replace

    def replace(src, dst) -> None:
        if str(src).endswith("-wal"):
            raise Killed
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        store.restore_latest_backup(path, force=True)
    monkeypatch.undo()
    assert not path.exists() and Path(f"{path}-wal").exists()
    store.restore_latest_backup(path, force=True)
    kept = tmp_path / "x.sqlite3.damaged"
    assert Path(f"{kept}-wal").read_bytes() == saved["-wal"]
    assert not (tmp_path / "x.sqlite3.damaged.2").exists()
    old = sqlite3.connect(kept)
    assert old.execute("SELECT value FROM meta WHERE key = 'after'").fetchone() == \
        ("the backup",)
    old.close()


def test_a_restore_whose_last_step_fails_puts_the_file_back(tmp_path: Path,
                                                            monkeypatch) -> None:
    """With a log the file is set aside by renames; when the copy cannot take its place
    the file and its log go back where they were, and the error says so in one line."""
    path = tmp_path / "x.sqlite3"
    saved = crashed_with_a_log(path)
    real = os.replace

    def replace(src, dst) -> None:
        if str(src).endswith(".part"):
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match=r"cannot put .* in place of"):
        store.restore_latest_backup(path, force=True)
    monkeypatch.undo()
    assert {s: Path(str(path) + s).read_bytes() for s in ("", "-wal")} == saved
    assert not list(tmp_path.glob("*.damaged*"))


# --- 6. a revocation stands when the backup after it fails --------------------------


def test_a_revocation_stands_and_warns_when_its_backup_fails(
        hq, make_office, tmp_path: Path, monkeypatch, capsys) -> None:
    from fieldplan.cli import main

    ml, sn = make_office("ML"), make_office("SN")
    for office in (ml, sn):
        assert import_bundle(hq, export_bundle(office, out_dir=tmp_path).path).outcome \
            == "merged"
    disk = Disk(tmp_path, monkeypatch)
    disk.fill(0)
    result = revoke_key(hq, ml.meta("key_id"))
    assert result.events == 1 and all_keys(hq)[ml.meta("key_id")].status == "revoked"
    assert result.warning == (
        "the key is revoked, but the backup after it could not be written: cannot back up "
        f"the database: the disk is full (backups in {store.backup_dir(hq.path)})")
    db = str(hq.path)
    hq.close()  # its log is gone: fill the room it took
    disk.fill(0)
    key = sn.meta("key_id")
    assert main(["--db", db, "keys", "revoke", key]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"Revoked key {key}; the setup bundles written for SN no longer")
    assert err.startswith("fieldplan: warning: the key is revoked, but the backup after it "
                          "could not be written: cannot back up the database: the disk is full")
    assert err.count("\n") == 1


_HOLD_OPEN = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute('PRAGMA journal_mode = WAL'); c.execute('SELECT 1').fetchall(); "
              "print('open', flush=True); sys.stdin.readline()")


def test_restore_refuses_a_database_another_program_has_open(hq, tmp_path: Path) -> None:
    """The other program would go on writing to the file the restore put aside, and
    what it wrote would be lost: the restore waits until it is closed."""
    import subprocess
    import sys

    from fieldplan.errors import StoreError

    db = hq.path
    store.backup(hq.conn, db, "manual")
    hq.close()
    before = db.read_bytes()
    other = subprocess.Popen([sys.executable, "-c", _HOLD_OPEN, str(db)], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "open"
        assert store.in_use(db)
        with pytest.raises(StoreError, match="is open in another program"):
            store.restore_backup(db, force=True)
        assert db.read_bytes() == before and not list(db.parent.glob("*.damaged*"))
    finally:
        other.stdin.write("\n")
        other.stdin.close()
        other.wait(timeout=30)
    assert not store.in_use(db)
    used = store.restore_backup(db, force=True).used
    assert used.parent == store.backup_dir(db)


#: A program with the database open through fieldplan (store.connect, as the client
#: and every command): on a line "write NAME" it writes, on "read" it prints what it
#: holds, on an empty line it closes.
_FIELDPLAN_HOLDS_OPEN = """
import sys
from fieldplan import store
conn = store.connect(sys.argv[1])
print('open', flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        break
    if words[0] == 'write':
        with store.write_transaction(conn):
            conn.execute("INSERT INTO meta VALUES (?, 'x')", (words[1],))
        print('written', flush=True)
    else:
        print(','.join(sorted(k for (k,) in conn.execute(
            "SELECT key FROM meta WHERE value = 'x'"))), flush=True)
conn.close()
"""


def _hold_open(script: str, db: Path):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    other = subprocess.Popen([sys.executable, "-c", script, str(db)], text=True, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert other.stdout.readline().strip() == "open"
    return other


def _close(other) -> None:
    other.stdin.write("\n")
    other.stdin.close()
    other.wait(timeout=30)


def test_restore_refuses_a_database_fieldplan_has_open_and_idle(hq) -> None:
    """Opened by fieldplan and left idle (a person typing in the client): opening it
    no longer drops the locks SQLite holds on it, which told the restore it was
    closed, and what the client saved went into the file put aside."""
    db = hq.path
    store.backup(hq.conn, db, "manual")
    hq.close()
    other = _hold_open(_FIELDPLAN_HOLDS_OPEN, db)
    try:
        assert store.in_use(db)
        with pytest.raises(StoreError, match="is open in another program"):
            store.restore_backup(db, force=True)
        assert not list(db.parent.glob("*.damaged*"))
    finally:
        _close(other)
    assert not store.in_use(db)


def test_what_two_programs_write_to_one_database_is_all_kept(tmp_path: Path) -> None:
    """One program closing its connection while another has the database open idle
    must not take it for the last one (it would fold the write-ahead log into the
    database and delete it, the other going on writing to a log no one reads)."""
    db = tmp_path / "x.sqlite3"
    store.connect(db, create=True).close()
    other = _hold_open(_FIELDPLAN_HOLDS_OPEN, db)
    try:
        for name in ("here-1", "here-2"):
            conn = store.connect(db)
            with store.write_transaction(conn):
                conn.execute("INSERT INTO meta VALUES (?, 'x')", (name,))
            conn.close()
            other.stdin.write(f"write there-{name[-1]}\n")
            other.stdin.flush()
            assert other.stdout.readline().strip() == "written"
        other.stdin.write("read\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "here-1,here-2,there-1,there-2"
    finally:
        _close(other)
    with store.reading(db) as conn:
        assert {k for (k,) in conn.execute("SELECT key FROM meta WHERE value = 'x'")} \
            == {"here-1", "here-2", "there-1", "there-2"}


#: A program with the database open that lost its locks on the database file itself
#: (it closed another descriptor of the file: POSIX drops them all): SQLite's lock on
#: its -shm file still says it is open.
_HOLDS_OPEN_LOCKS_LOST = (
    "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "c.execute('PRAGMA journal_mode = WAL'); c.execute('SELECT 1').fetchall(); "
    "os.close(os.open(sys.argv[1], os.O_RDONLY)); "
    "print('open', flush=True); sys.stdin.readline()")


def test_restore_refuses_a_database_open_whose_file_locks_were_lost(hq) -> None:
    db = hq.path
    store.backup(hq.conn, db, "manual")
    hq.close()
    other = _hold_open(_HOLDS_OPEN_LOCKS_LOST, db)
    try:
        assert not store._locked_by_another(db, store._SHARED_FIRST, store._SHARED_SIZE)
        assert store.in_use(db)
        with pytest.raises(StoreError, match="is open in another program"):
            store.restore_backup(db, force=True)
    finally:
        _close(other)
    assert not store.in_use(db)


def test_asking_whether_a_database_is_in_use_leaves_its_files_as_they_are(
        tmp_path: Path) -> None:
    """No -shm file made where there was none, and one left by a program killed (held
    by none) is not changed."""
    db = tmp_path / "x.sqlite3"
    store.connect(db, create=True).close()
    shm = Path(f"{db}-shm")
    assert not shm.exists()
    assert not store.in_use(db)
    assert not shm.exists()
    shm.write_bytes(b"\x01" * 32768)
    os.utime(shm, (1_000_000_000, 1_000_000_000))
    assert not store.in_use(db)
    assert shm.read_bytes() == b"\x01" * 32768
    assert shm.stat().st_mtime == 1_000_000_000


def test_a_write_on_a_full_disk_says_so_in_words(tmp_path: Path) -> None:
    """Not SQLite's English "database or disk is full": the message people read in
    their language ("le disque est plein")."""
    from fieldplan import i18n
    from fieldplan.errors import StoreError

    conn = store.connect(tmp_path / "x.sqlite3", create=True)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
    i18n.set_language("fr")
    try:
        with pytest.raises(StoreError) as caught, store.write_transaction(conn):
            conn.execute("INSERT INTO meta VALUES ('filler', ?)", ("x" * 100_000,))
    finally:
        i18n.set_language("en")
        conn.close()
    assert str(caught.value) == ("impossible d’enregistrer dans la base de données, rien "
                                 "n’a été modifié\u00a0: le disque est plein")


class _Refusing:
    """A connection whose BEGIN fails as SQLite fails it (``code``: its error code)."""

    in_transaction = False

    def __init__(self, code: int, text: str) -> None:
        self.code, self.text = code, text

    def execute(self, sql: str):
        exc = sqlite3.OperationalError(self.text)
        exc.sqlite_errorcode = self.code
        raise exc


def test_a_read_only_database_is_not_called_busy() -> None:
    """A file once read-only leaves read-only -wal/-shm files: BEGIN fails with
    SQLITE_READONLY, which was said as "the database is busy (another fieldplan is
    writing): attempt to write a readonly database"."""
    readonly_recovery = 8 | (1 << 8)
    with pytest.raises(StoreError) as caught, store.write_transaction(
            _Refusing(readonly_recovery, "attempt to write a readonly database")):
        pass
    text = str(caught.value)
    assert "busy" not in text and "attempt to write" not in text
    assert "read-only (check the files' permissions, or the USB stick's write-protect " \
           "switch)" in text
    with pytest.raises(StoreError, match="busy"), store.write_transaction(
            _Refusing(sqlite3.SQLITE_BUSY, "database is locked")):
        pass


def test_a_write_into_a_read_only_file_says_so_in_words(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    store.connect(db, create=True).close()
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        with pytest.raises(StoreError) as caught, store.write_transaction(conn):
            conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    finally:
        conn.close()
    assert str(caught.value).startswith("could not save to the database, nothing was "
                                        "changed: the database file, its -wal or -shm file")


def test_a_database_that_cannot_be_opened_says_why_in_words(tmp_path: Path) -> None:
    exc = sqlite3.OperationalError("unable to open database file")
    exc.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN
    assert store.error_reason(exc) == ("the file cannot be opened (its folder or the disk "
                                       "may be read-only, or gone)")


def test_os_errors_without_words_of_their_own_get_some() -> None:
    from fieldplan.files import os_error_reason

    assert os_error_reason(OSError(errno.ENAMETOOLONG, "File name too long")) == \
        reasons.TOO_LONG


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_sqlite_s_english_words_are_not_shown(lang) -> None:
    """"database is locked", "disk I/O error": SQLite's English, said in the reader's
    language (an import waiting on a busy database, a USB stick taken out)."""
    from fieldplan import i18n

    class Failing(_Refusing):
        def execute(self, sql: str):
            if sql == "BEGIN IMMEDIATE":
                self.in_transaction = True
                return None
            return super().execute(sql)

    i18n.set_language(lang)
    try:
        with pytest.raises(StoreError) as busy, store.write_transaction(
                _Refusing(sqlite3.SQLITE_BUSY, "database is locked")):
            pass
        ioerr_short_read = sqlite3.SQLITE_IOERR | (2 << 8)
        failing = Failing(ioerr_short_read, "disk I/O error")
        with pytest.raises(StoreError) as io, store.write_transaction(failing):
            failing.in_transaction = False  # (its ROLLBACK would fail too)
            exc = sqlite3.OperationalError("disk I/O error")
            exc.sqlite_errorcode = ioerr_short_read
            raise exc
        said = store.error_reason(_error(sqlite3.SQLITE_CORRUPT, "database disk image is "
                                                                  "malformed"))
    finally:
        i18n.set_language("en")
    for text in (str(busy.value), str(io.value), said):
        assert "database is locked" not in text and "I/O" not in text, text
        if lang != "en":
            assert not {"locked", "malformed", "disk"} & set(text.split()), text
    if lang == "en":
        assert str(busy.value) == ("the database is busy (another fieldplan is writing): it "
                                   "stayed locked for 30 seconds")
        assert str(io.value) == ("could not save to the database, nothing was changed: the "
                                 "disk could not be read or written (a USB stick taken out, "
                                 "or a failing disk)")
        assert said == "the file is damaged"


def _error(code: int, text: str) -> sqlite3.Error:
    exc = sqlite3.DatabaseError(text)
    exc.sqlite_errorcode = code
    return exc


def test_a_lock_is_said_with_the_wait_the_connection_had(tmp_path: Path) -> None:
    """The GUI's saves wait 1.5 s for a lock (ui.drafts.SAVE_BUSY_MS), not the 30 s
    the connection opens with: "it stayed locked for 30 seconds" was said of them."""
    db = tmp_path / "x.sqlite3"
    store.connect(db, create=True).close()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        said = []
        for ms in (50, 0):
            conn.execute(f"PRAGMA busy_timeout = {ms}")
            with pytest.raises(StoreError) as caught, store.write_transaction(conn):
                pass
            said.append(str(caught.value))
    finally:
        other.execute("ROLLBACK")
        other.close()
        conn.close()
    assert said == [
        "the database is busy (another fieldplan is writing): it stayed locked for 0.05 "
        "seconds",
        "the database is busy (another fieldplan is writing): it was locked",
    ]
    # the connection's own wait (the CLI's) is said as before
    assert store.error_reason(_error(sqlite3.SQLITE_BUSY, "database is locked")) == \
        "it stayed locked for 30 seconds"


def _full_after_backup(rep, monkeypatch) -> None:
    """The disk fills once the import's backup is written: the database cannot grow by
    a page (a real SQLITE_FULL from SQLite, through ``PRAGMA max_page_count``)."""
    real = rep.backup

    def backup(reason: str) -> Path:
        made = real(reason)
        pages = rep.conn.execute("PRAGMA page_count").fetchone()[0]
        rep.conn.execute(f"PRAGMA max_page_count = {pages}")
        return made

    monkeypatch.setattr(rep, "backup", backup)


def test_an_import_the_disk_fills_under_takes_its_backup_back(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """The backup fitted, the merge did not: the copy of the database left as it was
    stayed, holding the room the next try needed for its own backup (which then
    failed, or pushed an older backup out at each try). It goes with the import."""
    from fieldplan.sync import ImportStopped, import_bundles

    ml = make_office("ML")
    progress_of(ml)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    kept = store.backup(hq.conn, hq.path, "manual")
    before = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    _full_after_backup(hq, monkeypatch)
    with pytest.raises(ImportStopped, match="the disk is full"):
        import_bundles(hq, [bundle])
    assert store.list_backups(hq.path) == [kept]
    assert [n for n in left_in(store.backup_dir(hq.path))
            if n.startswith(hq.path.name)] == [kept.name]  # nothing beside it either
    assert hq.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
    assert hq.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_import_stopped_after_a_merge_keeps_its_backup(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A file merged before the disk filled: the backup is the state before it, kept."""
    from fieldplan.sync import ImportStopped, import_bundles

    ml, ng = make_office("ML"), make_office("NG")
    progress_of(ng)
    first = export_bundle(ml, out_dir=tmp_path).path
    second = export_bundle(ng, out_dir=tmp_path).path
    real = import_bundle.__globals__["import_bundle"]
    calls = []

    def fill_after_first(rep, src, **kwargs):
        if calls:
            pages = rep.conn.execute("PRAGMA page_count").fetchone()[0]
            rep.conn.execute(f"PRAGMA max_page_count = {pages}")
        calls.append(src)
        return real(rep, src, **kwargs)

    from fieldplan.sync import exchange

    monkeypatch.setattr(exchange, "import_bundle", fill_after_first)
    with pytest.raises(ImportStopped, match="the disk is full") as stop:
        import_bundles(hq, [first, second])
    assert [o.outcome for o in stop.value.outcomes] == ["merged"]
    assert [store.backup_kind(p) for p in store.list_backups(hq.path)] == ["before-import"]


def progress_of(rep) -> None:
    """Enough progress that its bundle takes new pages at headquarters."""
    from fieldplan import progress

    for act in rep.plan().actions_of(level="national")[:20]:
        progress.record_progress(rep, act.code, "2026-S1", status="on-track", percent=40,
                                 achievements="y" * 3000)


def test_a_trust_the_disk_fills_under_takes_its_backup_back(hq, monkeypatch) -> None:
    """Trusting a key takes a backup, then writes the key: the disk full by then, the
    key stays untrusted, its bundle waits in quarantine, and the backup goes again."""
    from fieldplan.sync import exchange, trust_key
    from fieldplan.sync import keys as keyreg

    fixture = Path(__file__).parents[1] / "fixtures" / "bundles" / "v1-office-ML.fieldplan"
    first = exchange.import_bundle(hq, fixture, backup=False)  # an unknown key
    assert first.outcome == "quarantined"
    backups = store.list_backups(hq.path)

    def full(*_args, **_kwargs):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise exc

    monkeypatch.setattr(keyreg, "accept_new_key", full)
    with pytest.raises(StoreError, match="the disk is full"):
        trust_key(hq, first.fingerprint)
    assert store.list_backups(hq.path) == backups
    assert hq.conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
