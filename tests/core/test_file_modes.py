"""Databases and their backups are owner-only on POSIX (0600, the backups folder
0700), as the key files are: an HQ database keeps every open enrolment token and an
office's keeps its own, and a token lets whoever reads it register a key for the
office for 90 days. A database the person made (or chmodded) keeps its mode."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from fieldplan import store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _usual_umask():
    """The umask of most desktops, under which SQLite makes a database 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_headquarters_database_and_its_logs_are_owner_only(tmp_path: Path) -> None:
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    with init_hq(path) as rep:
        assert rep.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 0
        assert mode(path) == 0o600
        # SQLite gives its write-ahead log and shared memory the database's mode
        assert mode(Path(f"{path}-wal")) == 0o600
        assert mode(Path(f"{path}-shm")) == 0o600
    assert mode(Path(f"{path}.key")) == 0o600


def test_an_office_database_made_from_a_setup_bundle_is_owner_only(hq, make_office) -> None:
    office = make_office("ML")
    assert office.meta("enrolment")  # the token it holds
    assert mode(office.path) == 0o600
    assert mode(hq.path) == 0o600


def test_backups_and_their_folder_are_owner_only(hq) -> None:
    made = hq.backup("manual")
    assert mode(made) == 0o600
    assert mode(made.parent) == 0o700


def test_a_database_of_the_person_keeps_its_mode_and_its_new_backups_are_private(
        tmp_path: Path) -> None:
    """A database made before (0644) or opened wider on purpose is not chmodded behind
    the person's back; what fieldplan writes from it now is owner-only."""
    from fieldplan.replica import init_hq, open_replica

    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    path.chmod(0o644)
    folder = store.backup_dir(path)
    folder.mkdir()
    folder.chmod(0o755)
    with open_replica(path) as rep:
        made = rep.backup("manual")
        assert mode(Path(f"{path}-wal")) == 0o644
    assert mode(path) == 0o644
    assert mode(folder) == 0o755
    assert mode(made) == 0o600


def test_a_restored_database_is_owner_only_whatever_the_backup_s(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    made = store.backup(conn, path, "manual")
    conn.close()
    made.chmod(0o644)  # copied back from a USB stick, say
    path.write_bytes(b"garbage" * 1000)
    path.chmod(0o644)
    store.restore_backup(path, made, force=True)
    assert mode(path) == 0o600
    assert mode(tmp_path / "x.sqlite3.damaged") == 0o644  # kept as it was


def test_an_empty_file_the_person_made_keeps_its_mode(tmp_path: Path) -> None:
    """``touch fieldplan.sqlite3`` then init: the file is theirs, and so is its mode."""
    path = tmp_path / "x.sqlite3"
    path.touch(mode=0o640)
    path.chmod(0o640)
    store.connect(path, create=True).close()
    assert mode(path) == 0o640


def test_a_tight_umask_still_gives_the_owner_read_and_write(tmp_path: Path) -> None:
    os.umask(0o277)  # would leave the owner a read-only database
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('probe', 'written')")
    conn.close()
    assert mode(path) == 0o600
    assert sqlite3.connect(path).execute(
        "SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("written",)


def test_the_demo_world_s_databases_are_owner_only(tmp_path: Path) -> None:
    pytest.importorskip("fieldplan.demo")
    from fieldplan.demo import make_demo

    out = tmp_path / "world"
    make_demo(out, offices=1, seed=1)
    made = [out / "hq.sqlite3", *sorted((out / "offices").glob("*.sqlite3"))]
    assert len(made) == 2
    assert [mode(p) for p in made] == [0o600, 0o600]
