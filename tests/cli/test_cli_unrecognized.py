"""An argument a command does not take is said by that command's parser, with its
usage, as its other usage errors are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli_messages import run


@pytest.mark.parametrize("argv, prog", [
    (("status", "--foo"), "fieldplan status"),
    (("restore", "a.sqlite3", "b.sqlite3"), "fieldplan restore"),
    (("progress", "set", "PA1.1", "--period", "2026-S1", "extra"), "fieldplan progress set"),
    (("--foo",), "fieldplan"),
])
def test_an_unrecognized_argument_is_said_by_its_command(tmp_path: Path, capsys, argv,
                                                         prog) -> None:
    """It was said by the top parser ("fieldplan: usage error: …") under the usage
    that lists only the commands, not what the command given takes."""
    code, out, err = run("--db", str(tmp_path / "x.sqlite3"), *argv, capsys=capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"usage: {prog} [-h]")
    assert lines[-1].startswith(f"{prog}: usage error: unrecognized arguments: ")
