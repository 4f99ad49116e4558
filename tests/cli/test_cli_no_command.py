"""DESIGN: `gui` is also what runs with no command, and `--demo` opens it on a demo
database; `fieldplan --demo` was refused as an unknown argument."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from fieldplan.cli import core_cmds
from tests.cli.test_cli_messages import run


@pytest.fixture
def client(monkeypatch) -> list[dict]:
    """The desktop client as a stand-in that records how it was started."""
    started: list[dict] = []
    fake = types.ModuleType("ui.app")
    fake.run = lambda **kwargs: started.append(kwargs) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.app", fake)
    monkeypatch.setattr(core_cmds, "no_display", lambda: False)
    return started


@pytest.mark.parametrize("argv", [("--demo",), ("gui", "--demo"), ("--demo", "gui")])
def test_demo_with_no_command_opens_the_demo(client, tmp_path: Path, capsys, argv) -> None:
    code, _out, err = run("--db", str(tmp_path / "x.sqlite3"), *argv, capsys=capsys)
    assert (code, err) == (0, "")
    assert [start["demo"] for start in client] == [True]


def test_no_command_without_demo_opens_the_database(client, tmp_path: Path, capsys) -> None:
    code, _out, _err = run("--db", str(tmp_path / "x.sqlite3"), capsys=capsys)
    assert code == 0
    assert [(start["demo"], start["db"]) for start in client] == [
        (False, str(tmp_path / "x.sqlite3"))]


def test_demo_with_another_command_is_a_usage_error(client, tmp_path: Path,
                                                    capsys) -> None:
    code, out, err = run("--db", str(tmp_path / "x.sqlite3"), "--demo", "status",
                         capsys=capsys)
    assert code == 2 and out == "" and client == []
    assert err.splitlines()[-1] == (
        "fieldplan: usage error: --demo opens the desktop client on a demo database: "
        "give it with no command, or after 'gui', not with 'status'")


@pytest.mark.parametrize("before", [(), ("--lang", "fr"), ("--la=ar",), ("--json",),
                                    ("--db", "DB")])
def test_a_bundle_with_no_command_opens_the_client_on_it(client, tmp_path: Path, capsys,
                                                        before) -> None:
    """`fieldplan FILE.fieldplan` (a bundle dropped on fieldplan.exe, or opened with it
    by Windows' "Open with", or by a file manager's command line) was refused with
    "invalid choice: 'C:\\…\\ML-….fieldplan'" in a console Windows hid: nothing opened.
    It is `gui FILE…`, whatever options come first; a file of another name too."""
    db = str(tmp_path / "x.sqlite3")
    before = tuple(db if arg == "DB" else arg for arg in before)
    bundle = tmp_path / "ML-2026-S1.FIELDPLAN"  # (Windows keeps a name's case as typed)
    other = tmp_path / "ML-2026-S1 (1).zip"
    other.write_bytes(b"PK")
    code, _out, err = run(*before, str(bundle), str(other), capsys=capsys)
    assert (code, err) == (0, "")
    assert [[str(f) for f in start["files"]] for start in client] == [[str(bundle), str(other)]]
    assert client[0]["demo"] is False


def test_a_command_or_a_word_that_is_no_file_stays_what_it_was(client, tmp_path: Path,
                                                             capsys, monkeypatch) -> None:
    """A command's name is the command even where a file has that name; a mistyped
    command is the usage error it was (not a bundle the client cannot find)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "status").write_text("")
    code, _out, _err = run("--db", str(tmp_path / "none.sqlite3"), "status", capsys=capsys)
    assert code == 1 and client == []  # (status ran: no database there)
    code, out, err = run("staus", capsys=capsys)
    assert code == 2 and out == "" and client == []
    assert "invalid choice: 'staus'" in err.splitlines()[-1]
    code, _out, err = run("--", "x.fieldplan", capsys=capsys)
    assert code == 2 and client == []
    # a file that is no bundle: the usage error, not a client opened to refuse it
    (tmp_path / "plan.csv").write_text("code,title\n")
    code, out, err = run("plan.csv", capsys=capsys)
    assert code == 2 and out == "" and client == []
    # a bundle a mail program renamed, with no ending: a ZIP file, opened
    (tmp_path / "ML bundle").write_bytes(b"PK\x03\x04rest")
    assert run("ML bundle", capsys=capsys)[0] == 0
    assert [[Path(f).name for f in start["files"]] for start in client] == [["ML bundle"]]
