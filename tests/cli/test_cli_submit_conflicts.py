"""``fieldplan progress submit`` with reports in conflict: it submits, and warns on
stderr naming the reports two computers wrote differently (the values shown on this
computer were submitted, the other's unseen)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.replica import open_replica
from tests.scenes import conflict_and_a_draft


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def laptop_with_conflict(hq, make_office, tmp_path: Path):
    """ML's laptop A holds both versions of one report B wrote too; A has another
    draft, with no conflict."""
    return conflict_and_a_draft(hq, make_office, tmp_path, {"status": "on-track"},
                                {"status": "at-risk"}, {"status": "on-track"})


def test_submit_warns_of_reports_in_conflict(hq, make_office, tmp_path, capsys) -> None:
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    status, out, err = run(capsys, "--db", str(path), "progress", "submit",
                           "--period", "2026-S1")
    assert status == 0 and "Submitted 2 reports" in out
    # the period in words, as the sentence's other messages say it
    assert err.startswith(
        "fieldplan: warning: 1 report of 1st semester 2026 is still in conflict")
    assert f"({code})" in err and other not in err
    assert "fieldplan conflicts list" in err
    with open_replica(path) as rep:
        assert {r.state for r in progress.list_reports(rep, "2026-S1", "ML")} == {"submitted"}


def test_submit_json_lists_reports_in_conflict(hq, make_office, tmp_path, capsys) -> None:
    path, code, _other = laptop_with_conflict(hq, make_office, tmp_path)
    status, out, _err = run(capsys, "--db", str(path), "--json", "progress", "submit",
                            "--period", "2026-S1")
    assert status == 0 and json.loads(out)["in_conflict"] == [code]


def test_submit_without_conflicts_warns_of_none(make_office, capsys) -> None:
    rep = make_office("ML")
    progress.record_progress(rep, rep.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    path = rep.path
    rep.close()
    status, _out, err = run(capsys, "--db", str(path), "progress", "submit",
                            "--period", "2026-S1")
    assert (status, err) == (0, "")


def test_submit_warns_of_what_the_report_form_warned_of(make_office, capsys) -> None:
    """A fraction in a count, completed at 50 %: the client's form warned of them under
    their fields, and says nothing once they are submitted; submit says them, a line
    each, and submits. A report with nothing to warn of is not named."""
    rep = make_office("ML")
    progress.record_progress(rep, "PA3.2", "2026-S1", status="on-track", percent=40,
                             values={"people-reached": 0.000001})
    progress.record_progress(rep, "PA2.2", "2026-S1", status="completed", percent=50)
    progress.record_progress(rep, "PA3.1", "2026-S1", status="on-track", percent=50)
    path = rep.path
    rep.close()
    status, out, err = run(capsys, "--db", str(path), "progress", "submit",
                           "--period", "2026-S1")
    assert status == 0 and "Submitted 3 reports" in out
    lines = err.splitlines()
    assert "fieldplan: warning: PA2.2 — Status: Marked completed at 50%: if it is done, " \
           "set the percent to 100; the review pack's means take 50%." in lines
    assert ("fieldplan: warning: PA3.2 — People reached with emergency shelter or relief "
            "items: Not a whole number, but it is a count: is the decimal point right?"
            ) in lines
    assert "PA3.1" not in err and len(lines) == 2
    with open_replica(path) as rep:
        assert {r.state for r in progress.list_reports(rep, "2026-S1", "ML")} == {"submitted"}
    # submitted already: nothing submitted, nothing said again
    status, _out, err = run(capsys, "--db", str(path), "progress", "submit",
                            "--period", "2026-S1")
    assert status == 0 and err == ""
