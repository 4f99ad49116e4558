"""Values an office typed for an indicator that headquarters' amendment drops (or
moves to another action) are kept, but no longer shown on the sheets or in the
indicator fields. The office importing that amendment was told how many of its
reports it hides, and nothing of those values: the office's import says which of its
indicators' values it hides, and headquarters' import of an office's bundle written
against the older plan says which values it brings that the plan hides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fieldplan import progress
from fieldplan.sync import list_inbox
from tests.scenes import send


def two_indicators(rep):
    """The first national action with at least two indicators, and its second one."""
    action = next(a for a in rep.plan().actions_of(level="national")
                  if len(a.indicators) >= 2)
    return action, action.indicators[1]


def drop_indicator(hq, tmp_path: Path, code: str, key: str) -> None:
    """(HQ) an amendment that drops indicator ``key`` of action ``code``."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    actions = tuple(
        dataclasses.replace(a, indicators=tuple(i for i in a.indicators if i.key != key))
        if a.code == code else a for a in plan.actions)
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=actions), path)
    replace_plan(hq, path, allow_hiding=True)


def test_the_office_is_told_the_values_the_amendment_hides(hq, make_office,
                                                           tmp_path) -> None:
    sn = make_office("SN")
    action, ind = two_indicators(sn)
    progress.record_progress(sn, action.code, "2026-S1", status="on-track",
                             values={ind.key: 7})
    drop_indicator(hq, tmp_path, action.code, ind.key)
    _result, outcome = send(hq, sn, tmp_path)
    name = f"{action.code}/{ind.key}"
    assert outcome.plan_version == 2 and outcome.plan_hidden == 0
    assert outcome.plan_hidden_values == (name,)
    assert outcome.to_dict()["plan_hidden_values"] == [name]
    said = (f"the plan is now version 2; it hides this office's values of 1 indicator "
            f"it no longer has ({name}): they are kept in their reports")
    assert outcome.plan_text() == said
    assert said in outcome.line()
    # the value itself is kept
    [report] = [r for r in progress.list_reports(sn, "2026-S1")
                if r.action == action.code]
    assert dict(report.values)[ind.key] == 7
    # the Inbox keeps saying it, in the reader's language
    [entry, *_] = list_inbox(sn)
    assert entry.reason_text() == said
    assert entry.reason_text("fr").startswith("le plan est désormais à la version 2")
    assert name in entry.reason_text("fr") and said != entry.reason_text("fr")


def test_values_hidden_before_are_not_said_again(hq, make_office, tmp_path) -> None:
    """A second amendment that changes nothing of those values says nothing of them."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    sn = make_office("SN")
    action, ind = two_indicators(sn)
    progress.record_progress(sn, action.code, "2026-S1", status="on-track",
                             values={ind.key: 7})
    drop_indicator(hq, tmp_path, action.code, ind.key)
    send(hq, sn, tmp_path)
    plan = hq.plan()
    path = tmp_path / "plan-v3.json"
    dump_plan(dataclasses.replace(plan, version=3), path)
    replace_plan(hq, path)
    _result, outcome = send(hq, sn, tmp_path)
    assert outcome.plan_version == 3 and outcome.plan_hidden_values == ()
    assert outcome.plan_text() == "the plan is now version 3"


def test_hq_is_told_the_values_an_office_bundle_brings_that_the_plan_hides(
        hq, make_office, tmp_path) -> None:
    """An office that exported before it imported the amendment: headquarters merges
    its values of the dropped indicator, kept, and the import says so (as it says of
    reports on an action the plan no longer has)."""
    sn = make_office("SN")
    action, ind = two_indicators(sn)
    drop_indicator(hq, tmp_path, action.code, ind.key)
    progress.record_progress(sn, action.code, "2026-S1", status="on-track",
                             values={ind.key: 7, action.indicators[0].key: 3})
    _result, outcome = send(sn, hq, tmp_path)
    name = f"{action.code}/{ind.key}"
    assert outcome.outcome == "merged" and outcome.hidden_brought == 0
    assert outcome.hidden_values_brought == (name,)
    assert outcome.to_dict()["values_the_plan_hides"] == [name]
    said = (f"it brings values of 1 indicator the plan no longer has ({name}): kept in "
            f"their reports")
    assert said in outcome.line()
    [entry, *_] = list_inbox(hq)
    assert said in entry.reason_text()
    [report] = [r for r in progress.list_reports(hq, "2026-S1", "SN")
                if r.action == action.code]
    assert dict(report.values)[ind.key] == 7


def test_a_value_written_then_cleared_in_the_bundle_is_not_said(hq, make_office,
                                                                tmp_path) -> None:
    sn = make_office("SN")
    action, ind = two_indicators(sn)
    drop_indicator(hq, tmp_path, action.code, ind.key)
    progress.record_progress(sn, action.code, "2026-S1", status="on-track",
                             values={ind.key: 7})
    progress.record_progress(sn, action.code, "2026-S1", values={ind.key: None})
    _result, outcome = send(sn, hq, tmp_path)
    assert outcome.outcome == "merged" and outcome.hidden_values_brought == ()
    assert "indicator" not in outcome.line()
