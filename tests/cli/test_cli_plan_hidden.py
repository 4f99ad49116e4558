"""At an office, the reports HQ's plan amendment hides are handled as the client
handles them (kept, read-only, left out of the submit dialog's count): ``progress set``
says the plan dropped the action, ``progress submit`` leaves the hidden drafts as
drafts and says so, and ``progress list`` marks them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.errors import ValidationError
from fieldplan.planops import hidden_drafts
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
from tests.cli.test_cli_messages import run
from tests.scenes import amend_plan

PERIOD = "2026-S1"


@pytest.fixture
def office(tmp_path: Path) -> str:
    """Office BN wrote drafts on its 12 national actions for 2026-S1; then HQ's
    amendment (plan version 2), received, dropped PA1.3 and moved PA2.1 to the regional
    level. Returns BN's database."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup

    setup, bn = tmp_path / "setup.fieldplan", tmp_path / "bn.sqlite3"
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", setup)
        with init_from_setup(bn, setup) as rep:
            for act in rep.plan().actions_of(level="national"):
                progress.record_progress(rep, act.code, PERIOD, status="on-track")
        amend_plan(hq, tmp_path, drop=("PA1.3",), regional=("PA2.1",))
        bundle = export_bundle(hq, for_office="BN", out_dir=tmp_path).path
    with open_replica(bn) as rep:
        import_bundle(rep, bundle)
        assert rep.plan().version == 2
    return str(bn)


def test_a_dropped_action_is_refused_saying_the_plan_dropped_it(office, capsys) -> None:
    code, out, err = run("--db", office, "progress", "set", "pa1.3", "--period", PERIOD,
                         "--status", "at-risk", capsys=capsys)
    assert (code, out) == (1, "")
    assert err.strip() == ("fieldplan: error: plan version 2 no longer has action PA1.3; "
                           "its reports are kept but hidden")
    # an action no plan version had is still unknown
    code, _out, err = run("--db", office, "progress", "set", "PA9.9", "--period", PERIOD,
                          "--status", "at-risk", capsys=capsys)
    assert code == 1 and err.strip() == "fieldplan: error: unknown action 'PA9.9'"
    with (open_replica(office) as rep,
          pytest.raises(ValidationError, match="plan version 2 no longer has action")):
        progress.reopen_report(rep, "PA1.3", PERIOD)


def test_a_submitted_report_the_plan_hides_is_not_reopened(tmp_path: Path, capsys) -> None:
    """Reopened, it would be a draft that can be neither written nor submitted, for
    good, and sent so to headquarters."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup

    setup, bn = tmp_path / "setup.fieldplan", tmp_path / "bn.sqlite3"
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", setup)
        with init_from_setup(bn, setup) as rep:
            for code in ("PA1.1", "PA1.3", "PA2.1"):
                progress.record_progress(rep, code, PERIOD, status="on-track")
            progress.submit_period(rep, PERIOD)
        amend_plan(hq, tmp_path, drop=("PA1.3",), regional=("PA2.1",))
        bundle = export_bundle(hq, for_office="BN", out_dir=tmp_path).path
    with open_replica(bn) as rep:
        import_bundle(rep, bundle)
    code, out, err = run("--db", str(bn), "progress", "reopen", "PA1.3", "--period", PERIOD,
                         capsys=capsys)
    assert (code, out) == (1, "")
    assert err.strip() == ("fieldplan: error: plan version 2 no longer has action PA1.3; "
                           "its reports are kept but hidden")
    code, out, err = run("--db", str(bn), "progress", "reopen", "PA2.1", "--period", PERIOD,
                         capsys=capsys)
    assert (code, out) == (1, "")
    assert err.strip() == ("fieldplan: error: PA2.1 is a regional action; office BN reports "
                           "on national actions")
    code, out, _err = run("--db", str(bn), "progress", "reopen", "PA1.1", "--period", PERIOD,
                          capsys=capsys)
    assert code == 0 and out.startswith("Reopened PA1.1")
    with open_replica(bn) as rep:
        states = {r.action: r.state for r in progress.list_reports(rep, PERIOD)}
    assert states == {"PA1.1": "draft", "PA1.3": "submitted", "PA2.1": "submitted"}


def test_submit_leaves_the_hidden_drafts_as_drafts_and_says_so(office, capsys) -> None:
    code, out, err = run("--db", office, "progress", "submit", "--period", PERIOD,
                         capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Submitted 10 reports for 1st semester 2026",
        "Left out 2 drafts the plan hides (PA1.3, PA2.1): they are kept, as drafts"]
    with open_replica(office) as rep:
        states = {r.action: r.state for r in progress.list_reports(rep, PERIOD)}
        assert hidden_drafts(rep, PERIOD) == ("PA1.3", "PA2.1")
    assert (states["PA1.3"], states["PA2.1"]) == ("draft", "draft")
    assert sum(s == "submitted" for s in states.values()) == 10
    # nothing left to submit; the hidden drafts are said again
    code, out, err = run("--db", office, "progress", "submit", "--period", PERIOD,
                         capsys=capsys)
    assert (code, err) == (0, "") and out.splitlines() == [
        "Nothing to submit for 1st semester 2026: its only drafts are ones the plan hides",
        "Left out 2 drafts the plan hides (PA1.3, PA2.1): they are kept, as drafts"]
    code, out, _err = run("--db", office, "--json", "progress", "submit", "--period", PERIOD,
                          capsys=capsys)
    assert json.loads(out) == {"period": PERIOD, "submitted": 0,
                               "hidden_left_out": ["PA1.3", "PA2.1"], "in_conflict": []}


def test_one_hidden_draft_is_said_in_the_singular(tmp_path: Path, capsys) -> None:
    from fieldplan.replica import init_hq

    db = tmp_path / "hq.sqlite3"
    with init_hq(db) as hq:
        kept, dropped = (a.code for a in hq.plan().actions_of(level="global")[:2])
        for act in (kept, dropped):
            progress.record_progress(hq, act, PERIOD, status="on-track")
        amend_plan(hq, tmp_path, drop=(dropped,))
    code, out, _err = run("--db", str(db), "progress", "submit", "--period", PERIOD,
                          capsys=capsys)
    assert code == 0 and out.splitlines() == [
        "Submitted 1 report for 1st semester 2026",
        f"Left out 1 draft the plan hides ({dropped}): it is kept, as a draft"]


def test_progress_list_marks_the_hidden_reports(office, capsys) -> None:
    code, out, _err = run("--db", office, "progress", "list", "--period", PERIOD,
                          capsys=capsys)
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split("  ")[0] == "Office" and header.endswith("Hidden by the plan")
    by_action = {line.split()[1]: line for line in lines}
    assert by_action["PA1.3"].endswith("the plan no longer has this action")
    assert by_action["PA2.1"].endswith("the action is no longer at this office's level")
    assert not by_action["PA1.1"].endswith("action") and len(lines) == 12
    # --json: a key added, none removed
    code, out, _err = run("--db", office, "--json", "progress", "list", "--period", PERIOD,
                          capsys=capsys)
    data = {r["action"]: r for r in json.loads(out)}
    with open_replica(office) as rep:
        report = progress.get_report(rep, "PA1.3", PERIOD)
    assert data["PA1.3"] == progress.report_to_dict(report) | {"plan_hidden": ["action"],
                                                               "hq_has": False}
    assert (data["PA2.1"]["plan_hidden"], data["PA1.1"]["plan_hidden"]) == (["level"], [])


def test_progress_list_without_hidden_reports_is_as_before(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    run("--db", db, "progress", "set", "PA1.6", "--period", PERIOD, "--status", "on-track",
        capsys=capsys)
    _code, out, _err = run("--db", db, "progress", "list", capsys=capsys)
    assert out.splitlines()[0].split() == [
        "Office", "Action", "Period", "Status", "Percent", "State", "Note"]


def test_an_office_counts_its_own_hidden_reports_as_its_window_does(tmp_path: Path,
                                                                     capsys) -> None:
    """HQ's reports on global actions travel to the offices, which never see them: an
    office's ``status`` leaves them out of its count of reports and of hidden reports
    (HQ's keeps them)."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup

    setup, bn, hq_db = tmp_path / "setup.fieldplan", tmp_path / "bn.sqlite3", tmp_path / "hq"
    with init_hq(hq_db) as hq:
        enroll_office(hq, "BN", setup)
        dropped = hq.plan().actions_of(level="global")[0].code
        progress.record_progress(hq, dropped, PERIOD, status="on-track")
        with init_from_setup(bn, setup) as rep:
            progress.record_progress(rep, "PA1.3", PERIOD, status="on-track")
        amend_plan(hq, tmp_path, drop=("PA1.3", dropped))
        bundle = export_bundle(hq, for_office="BN", out_dir=tmp_path).path
    with open_replica(bn) as rep:
        import_bundle(rep, bundle)
        held = rep.conn.execute("SELECT count(*) FROM progress").fetchone()[0]
    assert held == 2  # HQ's report reached BN
    code, out, _err = run("--db", str(bn), "status", capsys=capsys)
    assert code == 0
    assert "1 held, 1 of them hidden by the plan" in out
    code, out, _err = run("--db", str(bn), "--json", "status", capsys=capsys)
    assert (json.loads(out)["reports"], json.loads(out)["hidden_reports"]) == (1, 1)
    code, out, _err = run("--db", str(hq_db), "--json", "status", capsys=capsys)
    # HQ's own: BN's has not reached it
    assert (json.loads(out)["reports"], json.loads(out)["hidden_reports"]) == (1, 1)


def test_nothing_to_submit_where_the_plan_has_no_action_at_the_offices_level(
        tmp_path: Path, capsys) -> None:
    """A plan without global actions: headquarters' 'progress submit' told it to record
    a report with 'fieldplan progress set', which refuses every action of the plan
    ("… is a national action; office HQ reports on global actions"). It says the plan
    has none at its level, as its status sheet does."""
    from fieldplan.replica import init_hq

    db = tmp_path / "hq.sqlite3"
    with init_hq(db) as hq:
        amend_plan(hq, tmp_path, drop=tuple(a.code for a in hq.plan().actions_of(
            level="global")))
        assert not hq.plan().actions_of(level="global")
    code, out, err = run("--db", str(db), "progress", "submit", "--period", PERIOD,
                         capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Nothing to submit for 1st semester 2026: the current plan has no action at this "
        "office's level (Global)"]


def test_nothing_to_submit_counts_the_submitted_reports_the_plan_shows(
        tmp_path: Path, capsys) -> None:
    """With nothing left to submit, 'progress submit' counted every report of the
    period submitted already, those the plan hides too: "this office's 3 reports for it
    are all submitted already" of an office whose window and review pack show one. It
    counts those the plan shows."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup

    setup, bn = tmp_path / "setup.fieldplan", tmp_path / "bn.sqlite3"
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", setup)
        with init_from_setup(bn, setup) as rep:
            for code in ("PA1.1", "PA1.3", "PA2.1"):
                progress.record_progress(rep, code, PERIOD, status="on-track")
            progress.submit_period(rep, PERIOD)
        amend_plan(hq, tmp_path, drop=("PA1.3",), regional=("PA2.1",))
        bundle = export_bundle(hq, for_office="BN", out_dir=tmp_path).path
    with open_replica(bn) as rep:
        import_bundle(rep, bundle)
    code, out, err = run("--db", str(bn), "progress", "submit", "--period", PERIOD,
                         capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Nothing to submit for 1st semester 2026: this office's report for it is "
        "submitted already"]
