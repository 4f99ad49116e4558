"""A restore killed after it set the database aside and before its copy took the
file's place (the renames a database with a log, or a FAT USB stick without hard
links, needs) left no database. The error said to run 'fieldplan restore', which
then put the backup in place with nothing to count what the file set aside held:
headquarters' own changes since the backup were not said lost, nor the offices'
events it had received (to import again), and the file stayed as ``.replaced``
unsaid. The file set aside is put back first: the database is as it was before the
killed restore, and a restore asked again says all it would lose."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle

ROOT = Path(__file__).resolve().parents[2]

#: ``fieldplan --db DB restore --force``, killed (SIGKILL: no clean-up runs) at
#: ``point``: as the copy is about to take the database's place (on a disk without
#: hard links, where the database was renamed away), or as the database's log is
#: about to follow it (the database renamed away, its log not yet)
_KILLED_RESTORE = r"""
import os, signal, sys
point, db = sys.argv[1], sys.argv[2]
if point == "copy-in-place":  # a FAT USB stick: no hard links
    def no_link(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")

    os.link = no_link
real_replace = os.replace


def replace(src, dst, *args, **kwargs):
    src = os.fspath(src)
    if (point == "copy-in-place" and src == db + ".part"
            or point == "log-aside" and src == db + "-wal"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst, *args, **kwargs)


os.replace = replace
from fieldplan.cli import main
main(["--db", db, "restore", "--force"])
"""

#: writes, then dies before closing: the database keeps its -wal (a crash)
_CRASH_AFTER_A_WRITE = r"""
import os, signal, sys
from fieldplan import progress
from fieldplan.replica import open_replica
rep = open_replica(sys.argv[1])
progress.set_period_lock(rep, "2026-S2")
os.kill(os.getpid(), signal.SIGKILL)
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *args], env=env, capture_output=True,
                          text=True, timeout=120)


def _fieldplan(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run("-m", "fieldplan", "--db", str(db), *args)


def kill_a_restore(hq, make_office, tmp_path: Path, point: str) -> tuple[Path, int, str]:
    """Headquarters' database (``hq``) with, since its last backup, a bundle of ML's
    and a change of its own, and a twin of it (database, key, backups) in
    ``tmp_path/twin``; then a ``restore --force`` of it killed at ``point``. Its path,
    and the number of events and ML's digest it held."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track", percent=10)
    import_bundle(hq, export_bundle(ml, out_file=tmp_path / "first.fieldplan").path)  # a backup
    # after the backup: a bundle of ML's, and a change of headquarters' own
    progress.record_progress(ml, "PA1.2", "2026-S1", status="at-risk", percent=20)
    later = export_bundle(ml, out_file=tmp_path / "later.fieldplan").path
    hq.backup_if_due = lambda *_a, **_k: None  # (the backup before this import: none)
    assert import_bundle(hq, later).outcome == "merged"
    progress.set_period_lock(hq, "2025-S2")
    db = hq.path
    hq.close()
    if point == "log-aside":  # the database has a log when the restore runs
        crashed = _run("-c", _CRASH_AFTER_A_WRITE, str(db))
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr
        assert Path(f"{db}-wal").exists()
    with open_replica(db) as rep:
        events = rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        digest = progress.digest(rep, "ML")
    twin = tmp_path / "twin" / db.name  # the same database, restored without a kill
    twin.parent.mkdir()
    for name in (db.name, f"{db.name}.key", "backups"):
        (shutil.copytree if name == "backups" else shutil.copy2)(
            db.parent / name, twin.parent / name)

    killed = _run("-c", _KILLED_RESTORE, point, str(db))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not db.exists()  # (the kill these tests are about)
    return db, events, digest


@pytest.mark.parametrize("point", ["copy-in-place", "log-aside"])
def test_a_restore_killed_with_the_database_set_aside_puts_it_back(hq, make_office,
                                                                   tmp_path, point):
    db, events, digest = kill_a_restore(hq, make_office, tmp_path, point)
    twin = tmp_path / "twin" / db.name
    status = _fieldplan(db, "status")
    assert status.returncode == 0, status.stderr  # was: "no fieldplan database at …"
    with open_replica(db) as rep:  # as it was before the restore
        assert rep.conn.execute("SELECT count(*) FROM events").fetchone()[0] == events
        assert progress.digest(rep, "ML") == digest
        assert progress.is_locked(rep, "2025-S2")
    assert not Path(f"{db}.part").exists()
    assert not list(db.parent.glob(f"{db.name}.replaced*"))
    refused = _fieldplan(db, "restore")  # (sound: said what it would lose)
    assert refused.returncode == 1 and "is not damaged" in refused.stderr

    again = _fieldplan(db, "restore", "--force")
    whole = _fieldplan(twin, "restore", "--force")
    assert again.returncode == whole.returncode == 0, (again.stderr, whole.stderr)
    # what the restore lost is said as by a restore never killed (was: nothing)
    assert "the restore lost 1 event of ML" in whole.stderr
    assert again.stderr.replace(str(db.parent), "") == whole.stderr.replace(
        str(twin.parent), "")
    assert _fieldplan(db, "status").stdout.count("Warning:") == _fieldplan(
        twin, "status").stdout.count("Warning:") > 0


def test_a_file_set_aside_by_an_earlier_restore_stays_aside(tmp_path):
    """Only the restore killed with its copy made is undone: a ``.part`` left by a
    restore killed while copying, of a database already gone (its ``.replaced`` file
    set aside by an earlier restore), leaves that file where it is."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('replica_id', 'r1')")
    store.backup(conn, path, "manual")
    conn.close()
    store.restore_latest_backup(path, force=True)  # x.sqlite3.replaced
    path.unlink()  # the database lost since
    part = tmp_path / "x.sqlite3.part"
    part.write_bytes(b"half a copy")  # a restore killed while copying
    os.utime(part, ns=(os.stat(part).st_atime_ns,
                       (tmp_path / "x.sqlite3.replaced").stat().st_ctime_ns + 10**9))
    assert store.put_back_set_aside(path) is None
    assert (tmp_path / "x.sqlite3.replaced").exists() and not path.exists()
