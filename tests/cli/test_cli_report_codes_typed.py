"""``progress set`` and ``progress reopen`` given an action code with spaces around it
("PA1.1 ", pasted): ``set`` recorded the report yet printed none of it (``--json``
without its office, status, percent, state) and none of the report form's warnings,
and ``reopen`` refused it ("no submitted report on  PA1.1")."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli_messages import run

PERIOD = "2026-S1"


def test_progress_set_with_spaces_around_the_code_says_the_report(
        tmp_path: Path, hq, capsys) -> None:
    from fieldplan.sync import enroll_office, init_from_setup

    setup, db = tmp_path / "ML-setup.fieldplan", tmp_path / "ml.sqlite3"
    enroll_office(hq, "ML", setup)
    with init_from_setup(db, setup) as ml:
        act = ml.plan().actions_of(level="national")[0].code
    code, out, err = run("--db", str(db), "--json", "progress", "set", f"{act.lower()} ",
                         "--period", PERIOD, "--status", "completed", "--percent", "40",
                         capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["action"], data["office"], data["status"], data["percent"],
            data["state"]) == (act, "ML", "completed", 40, "draft")
    # the report form's warning, said as for the code typed plainly
    assert f"{act} — Status: Marked completed at 40%" in err
    code, out, err = run("--db", str(db), "progress", "submit", "--period", PERIOD,
                         capsys=capsys)
    assert code == 0, err
    code, out, err = run("--db", str(db), "progress", "reopen", f" {act} ", "--period",
                         PERIOD, capsys=capsys)
    assert (code, err) == (0, "")
    assert out == f"Reopened {act} for 1st semester 2026\n"
