"""Windows, emulated on Linux: a database on a network drive, files another program
holds open, where the write marks are kept."""

from __future__ import annotations

import errno
import os
import pathlib
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from fieldplan import files, store
from fieldplan.errors import FileError, StoreError
from tests import reasons
from tests.scenes import damaged_with_a_backup


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


def held(path: Path, winerror: int = 32) -> PermissionError:
    """What Windows raises for a file another program has open (a sharing violation:
    Python's errno is EACCES, "permission denied")."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it "
                          "is being used by another process", str(path))
    exc.winerror = winerror
    return exc


def refuse_to_replace(monkeypatch: pytest.MonkeyPatch, name: str, target: Path,
                      winerror: int = 32) -> None:
    """``os.<name>`` (replace, rename) fails as Windows does when ``target`` is open
    in another program; other files move. (Without the waits of ``files.replace_file``
    for a file open a moment only.)"""
    monkeypatch.setattr(files, "HELD_OPEN_WAITS", (0.0,) * 5, raising=False)
    real = getattr(os, name)

    def refused(src, dst, **kwargs) -> None:
        if Path(src) == target or Path(dst) == target:
            raise held(target, winerror)
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, name, refused)


@pytest.mark.parametrize("winerror", [5, 32, 33])
def test_a_file_open_in_another_program_is_said_to_be(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, winerror: int) -> None:
    """An .xlsx open in Excel, a PDF open in Acrobat: not "permission denied"."""
    out = tmp_path / "progress.xlsx"
    out.write_bytes(b"the one open in Excel")
    refuse_to_replace(monkeypatch, "replace", out, winerror)
    with pytest.raises(FileError) as raised:
        files.write_atomic(out, b"new")
    assert str(raised.value) == (f"cannot write {out}: it is open in another program "
                                 "(close it there, then try again)")
    assert out.read_bytes() == b"the one open in Excel"
    assert [p.name for p in tmp_path.iterdir()] == ["progress.xlsx"]  # no temporary


@pytest.mark.parametrize("fresh", [False, True])
def test_a_file_an_antivirus_holds_a_moment_is_written_all_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool) -> None:
    """An antivirus scanner (or the search indexer) opens the file just written for a
    moment, without letting others rename it: the write waited for nothing and said
    the report was open in another program. It is tried again for a moment."""
    out = tmp_path / "review.pdf"
    out.write_bytes(b"last week's")
    waits: list[float] = []
    monkeypatch.setattr(files.time, "sleep", waits.append)
    refusals = iter([held(out), held(out)])
    real = os.replace

    def scanned(src, dst, **kwargs) -> None:
        if Path(src).name.endswith(".part"):
            exc = next(refusals, None)
            if exc is not None:
                raise exc
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", scanned)
    if fresh:  # a bundle's name on a FAT stick (no hard links): never over a file
        monkeypatch.setattr(os, "link", lambda *_a, **_k: (_ for _ in ()).throw(
            OSError(errno.EPERM, "no hard links")))
        out = tmp_path / "ML-3f2a9c1b-1-2.fieldplan"
    with files.atomic_output(out, fresh=fresh) as f:
        f.write(b"new")
    assert out.read_bytes() == b"new"
    assert waits == list(files.HELD_OPEN_WAITS[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"review.pdf", out.name})


def test_permission_denied_is_still_said_when_it_is_that(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Access denied (5) to a new file is no program's; neither is EACCES elsewhere."""
    out = tmp_path / "new.pdf"
    refuse_to_replace(monkeypatch, "replace", out, 5)
    with pytest.raises(FileError, match=f": {reasons.DENIED_WRITING}$"):
        files.write_atomic(out, b"new")
    out.write_bytes(b"old")
    exc = PermissionError(errno.EACCES, "Permission denied")
    assert files.write_reason(out, exc) == reasons.DENIED_WRITING
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)  # read-only
    assert files.write_reason(out, held(out, 5)) == reasons.DENIED_WRITING


def test_a_restore_while_the_database_is_open_says_to_close_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows: ``in_use`` cannot tell, and the rename over the open file fails."""
    path = tmp_path / "x.sqlite3"
    damaged_with_a_backup(path)
    refuse_to_replace(monkeypatch, "replace", path)
    with pytest.raises(StoreError) as raised:
        store.restore_latest_backup(path)
    assert str(raised.value) == (f"{path} is open in another program (fieldplan?); close "
                                 "it, then restore")
    assert path.read_bytes() == b"damaged"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "x.sqlite3"]


def test_setting_up_again_while_the_database_is_open_says_to_close_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldplan.sync import again

    path = tmp_path / "x.sqlite3"
    store.connect(path, create=True).close()
    refuse_to_replace(monkeypatch, "rename", path)
    folder = tmp_path / "aside"
    with pytest.raises(StoreError) as raised:
        again.move_aside(path, folder)
    assert str(raised.value) == (f"cannot move {path} to {folder}: it is open in another "
                                 "program (close it there, then try again)")
    assert path.is_file()


def windows_ctime(monkeypatch: pytest.MonkeyPatch, born: dict[int, int]) -> None:
    """``os.stat`` as Windows fills it: ``st_ctime`` is when the file was made (its
    time in ``born``, by inode), which a rename or a write leaves as it was."""
    real = os.stat

    def stat(path, *args, **kwargs):
        st = real(path, *args, **kwargs)
        if st.st_ino not in born:
            return st
        fields = {name: getattr(st, name) for name in dir(st) if name.startswith("st_")}
        fields["st_ctime_ns"] = born[st.st_ino]
        fields["st_ctime"] = born[st.st_ino] / 1e9
        return os.stat_result((*tuple(st)[:9], born[st.st_ino] // 10**9), fields)

    monkeypatch.setattr(os, "stat", stat)


def test_a_restore_killed_with_the_database_set_aside_is_undone_on_windows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restore sets the database aside by a rename where there are no hard links (a
    FAT stick) or it has a log; killed before its copy took the place, the file set
    aside is put back at the next opening, when it was set aside after the copy was
    made. That was told by its ctime, which on Windows is when the database was made
    (weeks before): it was never put back, and the restore asked again lost what it
    held unsaid."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    conn.execute("INSERT INTO meta VALUES ('replica_id', 'r1')")
    conn.commit()
    store.backup(conn, path, "manual")
    conn.close()
    weeks_ago = (os.stat(path).st_mtime_ns - 30 * 86400 * 10**9)
    os.utime(path, ns=(weeks_ago, weeks_ago))
    held = path.read_bytes()
    part = tmp_path / "x.sqlite3.part"
    part.write_bytes(held)  # the restore's whole copy, about to take the place
    born = {os.stat(path).st_ino: weeks_ago, os.stat(part).st_ino: os.stat(part).st_mtime_ns}
    windows_ctime(monkeypatch, born)

    def no_link(*_args, **_kwargs):
        raise OSError(errno.EPERM, "no hard links on FAT")

    monkeypatch.setattr(os, "link", no_link)
    kept = store._keep_replaced(path, ".replaced")  # then killed: no database
    assert kept is not None and not path.exists()
    assert store.put_back_set_aside(path) == path
    assert path.read_bytes() == held and not kept.exists() and not part.exists()


def test_a_backup_an_antivirus_holds_a_moment_is_made_all_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backup before an import or a migration: its finished copy, held a moment
    by a scanner, failed the import as if the database could not be backed up."""
    path = tmp_path / "x.sqlite3"
    conn = store.connect(path, create=True)
    waits: list[float] = []
    monkeypatch.setattr(files.time, "sleep", waits.append)
    refusals = iter([held(path)])
    real = os.replace

    def scanned(src, dst, **kwargs) -> None:
        if Path(src).name.endswith(".part"):
            exc = next(refusals, None)
            if exc is not None:
                raise exc
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", scanned)
    made = store.backup(conn, path, "manual")
    conn.close()
    assert waits == [files.HELD_OPEN_WAITS[0]]
    assert store.list_backups(path) == [made]


def test_a_new_key_an_antivirus_holds_a_moment_is_put_in_place_all_the_same(
        hq, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key change writes the new key beside the key file (``.key.new``), commits, then
    moves it over the key file: a scanner holding the file just written a moment made
    ``keys rotate`` fail with "it is open in another program" though the database had
    committed the new key; the key file still held the old one."""
    from fieldplan import minisign
    from fieldplan.replica import key_path, pending_key_path
    from fieldplan.sync import keys as keyreg

    waits: list[float] = []
    monkeypatch.setattr(files.time, "sleep", waits.append)
    refusals = iter([held(pending_key_path(hq.path)), held(key_path(hq.path))])
    real = os.replace

    def scanned(src, dst, **kwargs) -> None:
        if Path(src) == pending_key_path(hq.path):
            exc = next(refusals, None)
            if exc is not None:
                raise exc
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", scanned)
    new = keyreg.rotate_key(hq)
    assert waits == list(files.HELD_OPEN_WAITS[:2])
    assert minisign.load_secret_key(key_path(hq.path)).key_id_hex == new.key_id_hex
    assert not pending_key_path(hq.path).exists()


def test_a_windows_session_with_no_user_name_in_its_environment_still_writes(
        make_office, monkeypatch: pytest.MonkeyPatch) -> None:
    """A program started with a bare environment (a scheduled task, a service, another
    program's ``env={}``): no FIELDPLAN_AUTHOR, no USERNAME. ``getpass.getuser`` then
    imports ``pwd``, which Windows has not: every write failed with "No module named
    'pwd'", where Linux wrote as "unknown"."""
    from fieldplan import progress

    ml = make_office("ML")
    for name in ("FIELDPLAN_AUTHOR", "LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "pwd", None)  # (import pwd: ImportError)
    assert ml.author == "unknown"
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track")


def too_long(path: Path) -> FileNotFoundError:
    """What Windows raises for a path past its 260 characters (long paths not turned
    on): Python calls ERROR_FILENAME_EXCED_RANGE "no such file" (ENOENT)."""
    exc = FileNotFoundError(errno.ENOENT, "The filename or extension is too long",
                            str(path))
    exc.winerror = 206
    return exc


def test_a_path_too_long_for_windows_is_said_to_be_too_long(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report saved deep in a synced Documents folder, past Windows' 260 characters:
    the folder is there, and the write said "the folder … cannot be written to (it
    takes no new files); choose another folder", of a folder that takes files; a file
    read there was "no such file or folder", of a file the person sees."""
    out = tmp_path / "review-pack-2026-S1.pdf"
    real = os.open

    def refused(path, *args, **kwargs):
        if Path(path).parent == tmp_path:
            raise too_long(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(FileError) as raised:
        files.write_atomic(out, b"%PDF")
    assert str(raised.value) == f"cannot write {out}: {reasons.TOO_LONG}"
    with pytest.raises(FileError) as raised:
        files.check_output("pdf", out)
    assert str(raised.value) == f"cannot write {out}: {reasons.TOO_LONG}"
    assert files.cannot_read(out, too_long(out)).args[0] == (
        f"cannot read {out}: {reasons.TOO_LONG}")
    assert list(tmp_path.iterdir()) == []


def test_a_restored_copy_an_antivirus_holds_a_moment_is_put_in_place_all_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The restore's whole copy of the backup, just written, is what a scanner opens a
    moment: the restore said "x.sqlite3 is open in another program (fieldplan?);
    close it, then restore" of a database no program had open, and restored nothing."""
    path = tmp_path / "x.sqlite3"
    damaged_with_a_backup(path)
    waits: list[float] = []
    monkeypatch.setattr(files.time, "sleep", waits.append)
    refusals = iter([held(path), held(path)])
    real = os.replace

    def scanned(src, dst, **kwargs) -> None:
        if Path(src).name == "x.sqlite3.part":
            exc = next(refusals, None)
            if exc is not None:
                raise exc
        real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", scanned)
    store.restore_latest_backup(path)
    assert waits == list(files.HELD_OPEN_WAITS[:2])
    assert path.read_bytes().startswith(b"SQLite format 3\0")
    assert not (tmp_path / "x.sqlite3.part").exists()


@pytest.mark.parametrize("for_good", [False, True])
def test_a_bundle_linked_in_place_is_written_though_a_scanner_holds_its_temporary_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, for_good: bool) -> None:
    """A bundle's name is taken by a hard link (never over another file), then its
    temporary name removed: a scanner holding the file just written refused that
    removal, and the export said "cannot write ML-….fieldplan: it is open in another
    program" of a bundle written whole in its place (the export not recorded, a
    hidden second name of it left). The removal is tried again a moment; a name still
    held is left to the next write's sweep."""
    out = tmp_path / "ML-3f2a9c1b-1-2.fieldplan"
    waits: list[float] = []
    monkeypatch.setattr(files.time, "sleep", waits.append)
    refusals = iter([held(out)] * (99 if for_good else 2))
    real = os.unlink

    def scanned(path, *args, **kwargs) -> None:
        if Path(path).name.endswith(".part"):
            exc = next(refusals, None)
            if exc is not None:
                raise exc
        real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", scanned)
    placed: list[Path] = []
    with files.atomic_output(out, fresh=True, placed=placed) as f:
        f.write(b"bundle")
    assert placed == [out] and out.read_bytes() == b"bundle"
    if for_good:
        assert waits == list(files.HELD_OPEN_WAITS)
        assert len(list(tmp_path.iterdir())) == 2  # (its temporary name: swept later)
    else:
        assert waits == list(files.HELD_OPEN_WAITS[:2])
        assert list(tmp_path.iterdir()) == [out]


def test_a_second_init_waits_for_the_first_however_long_it_takes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' blocking lock (msvcrt's LK_LOCK) gives up after ten tries a second
    apart: a second ``init`` of a database whose first took longer (a slow disk, a
    scanner) failed with "Resource deadlock avoided", where POSIX's lock waits until
    the first init ends, and then finds the database made."""
    import types

    from fieldplan import replica

    tries: list[int] = []

    def locking(fd: int, mode: int, size: int) -> None:
        tries.append(mode)
        if len(tries) < 3:  # held for twenty seconds
            raise OSError(errno.EDEADLK, "Resource deadlock avoided")

    fake = types.SimpleNamespace(LK_LOCK=1, LK_NBLCK=2, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with open(tmp_path / "lock", "wb") as f:
        monkeypatch.setattr(os, "name", "nt")
        try:
            replica._lock_file(f.fileno())
        finally:
            monkeypatch.setattr(os, "name", "posix")
    assert tries == [1, 1, 1]
