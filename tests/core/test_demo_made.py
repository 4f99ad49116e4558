"""A demo world is made whole or not at all: one that failed half way (a full disk, a
kill) leaves nothing in its folder to refuse the next try."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from fieldplan import demo
from fieldplan.errors import FileError
from fieldplan.replica import open_replica


def _fail_second_office(monkeypatch: pytest.MonkeyPatch) -> None:
    real = demo._write_office
    calls = []

    def write_office(rep, *args, **kwargs):
        calls.append(rep)
        if len(calls) == 3:  # headquarters, an office, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(rep, *args, **kwargs)

    monkeypatch.setattr(demo, "_write_office", write_office)


def _made(out: Path, world: demo.DemoWorld) -> None:
    assert world.hq == out / "hq.sqlite3"
    assert sorted(p.name for p in (out / "offices").glob("*.sqlite3")) == sorted(
        f"{c}.sqlite3" for c in world.offices)
    assert all(p.parent == out / "bundles" and p.is_file() for p in world.bundles.values())
    with open_replica(world.hq) as hq:
        assert hq.is_hq
    assert not list(out.parent.glob(".*.demo-part"))


def test_a_demo_that_fails_half_way_leaves_nothing_and_the_next_try_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "demo"
    with monkeypatch.context() as m:
        _fail_second_office(m)
        with pytest.raises(FileError, match="the disk is full"):
            demo.make_demo(out, offices=2, seed=1)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    _made(out, demo.make_demo(out, offices=2, seed=1))


def test_what_a_killed_demo_left_beside_its_folder_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    left = tmp_path / ".demo.demo-part"
    (left / "offices").mkdir(parents=True)
    (left / "hq.sqlite3").write_bytes(b"half made")
    _made(out, demo.make_demo(out, offices=1, seed=1))
    assert not left.exists()


def test_a_demo_goes_into_an_empty_folder_or_beside_other_files(tmp_path: Path) -> None:
    """The client makes its demo's folder first (``gui --demo``); a folder may hold
    files of its own, and backups of another database, which stay."""
    empty = tmp_path / "empty"
    empty.mkdir()
    _made(empty, demo.make_demo(empty, offices=1, seed=1, merge=True))
    busy = tmp_path / "busy"
    (busy / "backups").mkdir(parents=True)
    (busy / "notes.txt").write_text("mine")
    (busy / "backups" / "other.sqlite3-x.sqlite3").write_text("theirs")
    _made(busy, demo.make_demo(busy, offices=1, seed=1, merge=True))
    assert (busy / "notes.txt").read_text() == "mine"
    assert (busy / "backups" / "other.sqlite3-x.sqlite3").read_text() == "theirs"
    assert len(list((busy / "backups").glob("hq.sqlite3-*"))) >= 1


def test_a_file_of_the_demos_name_is_never_written_over(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    (out / "offices").mkdir(parents=True)
    world = demo.make_demo(tmp_path / "first", offices=1, seed=1)
    code = next(iter(world.offices))
    (out / "offices" / f"{code}.sqlite3").write_text("an office's own")
    with pytest.raises(FileError, match=f"{code}.sqlite3"):
        demo.make_demo(out, offices=1, seed=1)
    assert (out / "offices" / f"{code}.sqlite3").read_text() == "an office's own"
    assert sorted(p.name for p in out.rglob("*")) == sorted(["offices", f"{code}.sqlite3"])
    assert not list(tmp_path.glob(".*.demo-part"))


class _Killed(BaseException):
    """The process killed: nothing of the demo's own clean-up runs."""


def test_a_demo_killed_while_moved_in_file_by_file_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder holding other files takes the demo file by file, its headquarters
    database last: a kill after any of those moves leaves no headquarters there, and
    the next try removes what had moved and makes the demo again (it refused, each
    file of the demo's name being taken)."""
    import os

    real_replace = os.replace
    for kill_after in range(5):  # (backups, bundles, offices, the key, then HQ)
        out = tmp_path / f"busy{kill_after}"
        out.mkdir()
        (out / "notes.txt").write_text("mine")
        moved: list[str] = []

        def replace(src, dst, *, out=out, kill_after=kill_after, moved=moved):
            if out in Path(dst).parents:
                if len(moved) == kill_after:
                    raise _Killed
                moved.append(str(dst))
            return real_replace(src, dst)

        with monkeypatch.context() as m:
            m.setattr(demo.os, "replace", replace)
            m.setattr(demo, "_remove_part", lambda _part: None)
            with pytest.raises(_Killed):
                demo.make_demo(out, offices=1, seed=1, merge=True)
        assert not (out / "hq.sqlite3").exists() and len(moved) == kill_after
        _made(out, demo.make_demo(out, offices=1, seed=1, merge=True))
        assert (out / "notes.txt").read_text() == "mine"


def test_what_a_demo_killed_after_its_last_move_left_is_cleared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after its headquarters database moved in, before the folder it was made
    in was removed: the demo is whole, and ``clear_killed_demo`` (what the client calls
    on opening it) removes that folder and nothing of the demo."""
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with monkeypatch.context() as m:
        m.setattr(demo, "_remove_part", lambda _part: None)
        demo.make_demo(out, offices=1, seed=1, merge=True)
    part = tmp_path / ".busy.demo-part"
    assert (part / ".moving").exists()
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    demo.clear_killed_demo(out)
    assert not part.exists()
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    with open_replica(out / "hq.sqlite3") as hq:
        assert hq.is_hq
    demo.clear_killed_demo(out)  # (nothing left: nothing to do)


def test_a_demo_whose_move_in_fails_midway_leaves_nothing_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A move into a folder holding other files that fails midway (a folder of the
    person's that takes no new file, a full disk) removed the folder the demo was made
    in and left the files moved already, with no headquarters beside them: every later
    try refused, each of the demo's names being taken."""
    import os

    real_replace = os.replace
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    moved: list[str] = []

    def replace(src, dst):
        if out in Path(dst).parents:
            if len(moved) == 2:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
            moved.append(str(dst))
        return real_replace(src, dst)

    with monkeypatch.context() as m:
        m.setattr(demo.os, "replace", replace)
        with pytest.raises(FileError):
            demo.make_demo(out, offices=1, seed=1, merge=True)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    _made(out, demo.make_demo(out, offices=1, seed=1, merge=True))


def _planted_part(tmp_path: Path, out: Path, listed: list[str]) -> Path:
    """What a killed demo leaves beside ``out`` (``.<name>.demo-part`` with its list of
    moves and no move made yet of its headquarters database), as anyone who can write
    in that folder (a shared /tmp) can make it before the person's next demo."""
    import json

    part = tmp_path / f".{out.name}.demo-part"
    part.mkdir()
    (part / "hq.sqlite3").write_bytes(b"")
    (part / ".moving").write_text(json.dumps(listed), encoding="utf-8")
    return part


def test_a_list_of_moves_never_removes_anything_outside_the_demo_s_folder(
        tmp_path: Path) -> None:
    """The folder a demo is made in is named from its folder's (``.world.demo-part``
    beside ``world``), a name anyone can make first in a shared folder such as /tmp:
    the moves it listed, undone, removed whatever ``..`` led to (the person's own
    folders), running before the demo's own checks. Only names inside the demo's
    folder are undone."""
    home = tmp_path / "home" / "documents"
    home.mkdir(parents=True)
    (home / "report.odt").write_text("mine")
    shared = tmp_path / "shared"
    out = shared / "world"
    (out / "offices").mkdir(parents=True)
    (out / "hq.sqlite3").write_bytes(b"a demo made before")
    _planted_part(shared, out, ["offices/../../../home/documents",
                                str(home / "report.odt"), 3])
    demo.clear_killed_demo(out)
    assert (home / "report.odt").read_text() == "mine"
    assert (out / "offices").is_dir()


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX owners")
def test_a_part_folder_of_another_user_is_never_taken_for_the_demo_s(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user's ``.world.demo-part`` (made first in a shared folder) is no
    killed demo of the person's: nothing in it is read, nothing of ``world`` is
    removed, and the demo is refused saying so rather than made beside it."""
    import os

    out = tmp_path / "world"
    (out / "bundles").mkdir(parents=True)
    (out / "bundles" / "kept.fieldplan").write_bytes(b"theirs")
    part = _planted_part(tmp_path, out, ["bundles"])
    me = os.getuid()
    monkeypatch.setattr(demo.os, "getuid", lambda: me + 1)  # (the folder is not ours)
    with pytest.raises(OSError):
        demo.clear_killed_demo(out)
    with pytest.raises(FileError) as refused:
        demo.make_demo(out, offices=1, seed=1)
    assert str(part) in str(refused.value)
    monkeypatch.undo()
    assert (out / "bundles" / "kept.fieldplan").read_bytes() == b"theirs"
    assert not (out / "hq.sqlite3").exists()
