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
