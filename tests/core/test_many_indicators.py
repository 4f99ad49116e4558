"""No peer takes an event of more than events.MAX_EVENT_FIELDS fields, and a save of
a report whole writes every indicator's figure with the report's other fields: an
action of 60 indicators made a save of 66 fields, which the office wrote without a
word and headquarters refused ("malformed event"), and with it every later event of
that office. Headquarters installs no such plan: an action of more than
plan.MAX_INDICATORS indicators is refused in one line naming it, and the largest
report a plan can ask for is one event."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_equal_heads import written_by
from test_sync import national

from fieldplan import events, progress
from fieldplan.cli import main
from fieldplan.errors import PlanError
from fieldplan.model import NARRATIVE_FIELDS, REPORT_FIELDS
from fieldplan.plan import MAX_INDICATORS, dump_plan
from fieldplan.planops import install_plan, read_plan_file
from tests.scenes import amended, send

S1 = "2026-S1"


def with_indicators(plan, code: str, count: int):
    """``plan`` amended: action ``code`` with ``count`` indicators (its own first)."""
    have = len(plan.action(code).indicators)
    return amended(plan, add_indicators=[(code, f"extra-{i}") for i in range(count - have)])


def whole_report(rep, code: str, again: bool = False) -> progress.Changes:
    """A save of every field of ``rep``'s report on ``code`` for S1 (``again``: each of
    them another value)."""
    keys = [ind.key for ind in rep.plan().action(code).indicators]
    more = " (2)" if again else ""
    return progress.record_progress(
        rep, code, S1, status="at-risk" if again else "on-track", percent=40 + 15 * again,
        values={key: i + 100 * again for i, key in enumerate(keys)},
        achievements="Atelier tenu à Bamako" + more, challenges="Routes coupées" + more,
        next_steps="Deuxième atelier" + more)


def within_the_limits(event: events.Event) -> bool:
    """What every peer takes: read again as a received line is read."""
    events.parse_event(event.body, received=True)
    return (len(event.fields) <= events.MAX_EVENT_FIELDS
            and len(event.base) <= events.MAX_EVENT_FIELDS
            and all(len(ids) <= events.MAX_BASE_PER_FIELD for ids in event.base.values()))


def test_the_largest_report_a_plan_can_ask_for_is_one_event(hq, make_office,
                                                            tmp_path: Path) -> None:
    """An action of MAX_INDICATORS indicators is installed, and a save of its report
    whole (every figure, status, percent, narratives and state) is one event within
    the limit, as ever."""
    assert MAX_INDICATORS + len(REPORT_FIELDS) <= events.MAX_EVENT_FIELDS
    code = national(hq)
    path = tmp_path / "largest.csv"
    dump_plan(with_indicators(hq.plan(), code, MAX_INDICATORS), path)
    install_plan(hq, read_plan_file(path), path.name)
    ml = make_office("ML")
    assert len(ml.plan().action(code).indicators) == MAX_INDICATORS
    assert whole_report(ml, code).events == 1
    [event] = written_by(ml, progress.report_id("ML", code, S1))
    assert set(event.fields) - {f"value.{ind.key}" for ind in
                                ml.plan().action(code).indicators} == set(REPORT_FIELDS)
    assert set(REPORT_FIELDS) >= {"status", "percent", "state", *NARRATIVE_FIELDS}
    assert within_the_limits(event)
    assert send(ml, hq, tmp_path)[1].outcome == "merged"


def _refusal(code: str, name: str) -> str:
    return (f"{name}: action {code} has {MAX_INDICATORS + 1} indicators, more than a "
            f"report on one action can hold (at most {MAX_INDICATORS}); move some of them "
            "to another action")


@pytest.mark.parametrize("ending", ["csv", "xlsx", "toml"])
def test_a_plan_of_an_action_with_too_many_indicators_is_refused(
        hq, tmp_path: Path, capsys, ending: str) -> None:
    code = national(hq)
    path = tmp_path / f"wide.{ending}"
    dump_plan(with_indicators(hq.plan(), code, MAX_INDICATORS + 1), path)
    with pytest.raises(PlanError) as refused:
        read_plan_file(path)
    assert str(refused.value) == _refusal(code, path.name)
    before = list(hq.conn.iterdump())
    assert main(["--db", str(hq.path), "plan", "import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err == f"fieldplan: error: {_refusal(code, path.name)}\n" and out == ""
    assert list(hq.conn.iterdump()) == before
    assert hq.plan().version == 1
    # nor a new headquarters made with it
    assert main(["--db", str(tmp_path / "new.sqlite3"), "init", "--hq", "--plan",
                 str(path)]) == 1
    assert capsys.readouterr().err == f"fieldplan: error: {_refusal(code, path.name)}\n"
    assert not (tmp_path / "new.sqlite3").exists()


def test_a_plan_made_otherwise_is_held_to_the_limit_too(hq) -> None:
    """``install_plan`` of a plan not read from a file (a script, the client's plan
    read once): refused alike, nothing written."""
    code = national(hq)
    before = list(hq.conn.iterdump())
    with pytest.raises(PlanError) as refused:
        install_plan(hq, with_indicators(hq.plan(), code, MAX_INDICATORS + 1), "amended")
    assert str(refused.value) == _refusal(code, "amended")
    assert list(hq.conn.iterdump()) == before


def test_a_dry_run_says_the_refusal_too(hq, tmp_path: Path, capsys) -> None:
    code = national(hq)
    path = tmp_path / "wide.json"
    dump_plan(with_indicators(hq.plan(), code, MAX_INDICATORS + 1), path)
    assert main(["--db", str(hq.path), "plan", "import", "--dry-run", str(path)]) == 1
    assert capsys.readouterr() == ("", f"fieldplan: error: {_refusal(code, path.name)}\n")
