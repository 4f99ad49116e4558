"""Windows, emulated on Linux: a database on a network drive, files another program
holds open, where the write marks are kept."""

from __future__ import annotations

import pathlib
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from fieldplan import store


def test_a_network_path_has_its_server_in_the_uri_path_not_its_authority() -> None:
    """SQLite refuses a URI naming a server ("invalid uri authority"): a mapped drive
    resolves to ``\\\\server\\share\\…``, which goes after an empty authority."""
    assert store.file_uri(PureWindowsPath(r"\\server\share\field plan\hq?#%.sqlite3")) \
        == "file:////server/share/field%20plan/hq%3F%23%25.sqlite3"
    assert store.file_uri(PureWindowsPath(r"C:\Users\amal\fieldplan.sqlite3")) \
        == "file:///C:/Users/amal/fieldplan.sqlite3"
    posix = PurePosixPath("/home/amal/a b/x?#%é.sqlite3")
    assert store.file_uri(posix) == posix.as_uri()  # as it was


@pytest.fixture
def network_drive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every absolute path's ``as_uri`` as a UNC path's: ``/tmp/x`` becomes
    ``file://tmp/x``, "server" ``tmp`` (SQLite on Linux opens ``//tmp/x`` as
    ``/tmp/x``, once the server is in the path)."""
    posix_uri = pathlib.PurePosixPath.as_uri

    def as_uri(self: pathlib.PurePath) -> str:
        return "file:/" + posix_uri(self).removeprefix("file://")

    monkeypatch.setattr(pathlib.PurePath, "as_uri", as_uri)


def test_a_database_on_a_network_drive_is_restored_and_its_backups_tidied(
        tmp_path: Path, network_drive: None) -> None:
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('probe', 'v1')")
    for _ in range(store.BACKUPS_KEPT + 2):
        store.backup(conn, path, "manual")
    conn.close()
    assert len(store.list_backups(path)) == store.BACKUPS_KEPT
    path.write_bytes(b"garbage" * 1000)
    store.restore_latest_backup(path)  # (damaged: no --force)
    conn = store.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "v1"
    conn.close()
    with store.reading(path) as read:
        assert read.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()


def test_the_write_marks_are_kept_outside_the_default_database_folder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows the state folder is the data folder, where the default database is:
    a database folder put back from a copy would bring its marks back with it."""
    import platformdirs
    from platformdirs.windows import Windows

    from fieldplan import writemark

    linux = writemark.marks_dir()
    assert linux.parts[-2:] == ("fieldplan", "marks")  # (as it was)
    assert not linux.is_relative_to(store.default_db_path().parent)

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs, "PlatformDirs", Windows)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", r"C:\Users\amal\AppData\Local")
    monkeypatch.setattr(writemark, "_found", None)
    marks = PureWindowsPath(str(writemark.marks_dir()))
    database = PureWindowsPath(str(store.default_db_path()))
    assert database == PureWindowsPath(
        r"C:\Users\amal\AppData\Local\fieldplan\fieldplan.sqlite3")
    assert marks == PureWindowsPath(r"C:\Users\amal\AppData\Local\fieldplan-marks")
    assert not marks.is_relative_to(database.parent)
