"""A word from an option's list of choices is read in any case, as codes, --lang and
--paper are: `--status On-Track`, `--level National`, `--format CSV` were usage errors
while `--office ml`, `--lang FR` and `--paper letter` were taken."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.cli import build_parser
from tests.cli.test_cli_messages import run


def test_status_in_any_case_is_recorded(make_office, capsys) -> None:
    ml = make_office("ML")
    db = str(ml.path)
    act = ml.plan().actions_of(level="national")[0].code
    code, out, err = run("--db", db, "--json", "progress", "set", act, "--period", "2026-S1",
                         "--status", "On-Track", capsys=capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["status"] == "on-track"


def test_level_in_any_case_lists_that_level(hq, capsys) -> None:
    db = str(hq.path)
    lists = []
    for level in ("national", "National", "NATIONAL"):
        code, out, err = run("--db", db, "--json", "actions", "--level", level, capsys=capsys)
        assert (code, err) == (0, "")
        lists.append(json.loads(out))
    assert lists[0] and lists[0] == lists[1] == lists[2]


def test_format_in_any_case_writes_that_format(hq, tmp_path: Path, capsys) -> None:
    target = tmp_path / "progress.csv"
    code, out, err = run("--db", str(hq.path), "--json", "data", "export", "--format", "CSV",
                         "-o", str(target), capsys=capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["format"] == "csv" and target.is_file()


def test_dismiss_lost_in_any_case() -> None:
    args = build_parser().parse_args(["status", "--dismiss-lost", "Offices",
                                      "--dismiss-lost"])
    assert args.dismiss_lost == ["offices", "all"]


def test_a_word_that_is_no_choice_is_still_a_usage_error(make_office, capsys) -> None:
    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")[0].code
    code, out, err = run("--db", str(ml.path), "progress", "set", act, "--period", "2026-S1",
                         "--status", "On-Trak", capsys=capsys)
    assert code == 2 and out == ""
    assert "invalid choice: 'on-trak'" in err.splitlines()[-1]
