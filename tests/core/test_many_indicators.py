"""A report is merged field by field, and no peer takes an event of more than
events.MAX_EVENT_FIELDS fields. A plan installed before headquarters held actions to
plan.MAX_INDICATORS indicators (or one that reaches an office from elsewhere) may ask
for more: a save of such a report whole was one event of 66 fields, which the office
wrote without a word and headquarters refused ("malformed event"), and with it every
later event of that office. It is now saved in several events, each within the limit,
that merge everywhere into the same report. Headquarters installs no such plan: an
action of more than MAX_INDICATORS indicators is refused in one line naming it, and
the largest report a plan can ask for is one event, as every save was."""

from __future__ import annotations

from pathlib import Path

import pytest
from progress_check import expected_progress, materialised_progress
from test_equal_heads import alike, heads, written_by
from test_sync import national

from fieldplan import events, progress, store
from fieldplan.cli import main
from fieldplan.errors import PlanError
from fieldplan.model import NARRATIVE_FIELDS, REPORT_FIELDS
from fieldplan.plan import MAX_INDICATORS, dump_plan, plan_to_dict
from fieldplan.planops import install_plan, read_plan_file
from fieldplan.sync import list_conflicts
from tests.scenes import amended, send

S1 = "2026-S1"
WIDE = 60  # indicators of the action: the save of its report whole is 66 fields


def with_indicators(plan, code: str, count: int):
    """``plan`` amended: action ``code`` with ``count`` indicators (its own first)."""
    have = len(plan.action(code).indicators)
    return amended(plan, add_indicators=[(code, f"extra-{i}") for i in range(count - have)])


def installed_before_the_limit(hq, count: int = WIDE) -> str:
    """(HQ) the plan's first national action given ``count`` indicators, installed as
    a fieldplan without the limit installed it (no check: the plan event written as
    it is); returns the action's code."""
    code = national(hq)
    new = with_indicators(hq.plan(), code, count)
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author="hq.desk")
    return code


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


def test_a_whole_report_of_a_wide_action_reaches_headquarters(hq, make_office,
                                                               tmp_path: Path) -> None:
    code = installed_before_the_limit(hq)
    ml = make_office("ML")
    assert len(ml.plan().action(code).indicators) == WIDE
    rid = progress.report_id("ML", code, S1)
    changes = whole_report(ml, code)
    written = written_by(ml, rid)
    assert changes.events == len(written) == 2
    assert all(within_the_limits(e) for e in written)
    # the parts together are the write, each field in one of them
    together = {f: v for e in written for f, v in e.fields.items()}
    assert sum(len(e.fields) for e in written) == len(together) == WIDE + len(REPORT_FIELDS)
    report = progress.get_report(ml, code, S1)
    assert dict(report.values) == {k: i for i, k in enumerate(
        ind.key for ind in ml.plan().action(code).indicators)}

    exported, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.events_new == exported.events == 2
    assert progress.digest(hq, "ML") == progress.digest(ml)
    assert progress.get_report(hq, code, S1, "ML") == progress.get_report(ml, code, S1)

    # a save over it (every field changed) replaces each field's one version
    changes = whole_report(ml, code, again=True)
    assert changes.events == 2
    assert all(within_the_limits(e) for e in written_by(ml, rid))
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    other = make_office("ML", "ml-two")
    assert send(hq, other, tmp_path)[1].outcome == "merged"
    for rep in (ml, hq, other):
        assert set(heads(rep, rid).values()) == {1}
        assert list_conflicts(rep) == []
        assert progress.digest(rep, "ML") == progress.digest(ml)
        assert materialised_progress(rep) == expected_progress(rep)
    assert progress.get_report(other, code, S1, "ML").value("extra-0") == 101
    # the state derived again from the log alone is the same
    with store.write_transaction(hq.conn):
        events.rebuild(hq.conn)
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_a_wide_save_over_many_laptops_alike_keeps_both_limits(hq, make_office) -> None:
    """Too many fields for one event and, of some, more versions than one event
    replaces: each part is a chain of its own, every event within both limits, and one
    current version of each field is left."""
    code = installed_before_the_limit(hq)
    ml = make_office("ML")
    rid = progress.report_id("ML", code, S1)
    alike(ml, rid, 40, "percent")
    alike(ml, rid, 40, "state", "draft")
    alike(ml, rid, 1, "status", "on-track")
    changes = whole_report(ml, code, again=True)  # (over the 40 alike: percent 55)
    written = written_by(ml, rid)[-changes.events:]
    # two parts (percent in the first, state in the second), each a chain of two
    assert changes.events == 4
    assert [len(e.fields) for e in written] == [64, 64, 2, 2]
    assert all(within_the_limits(e) for e in written)
    assert {e.seq for e in written} == set(range(written[0].seq, written[-1].seq + 1))
    assert set(heads(ml, rid).values()) == {1}
    assert len(heads(ml, rid)) == WIDE + len(REPORT_FIELDS)
    assert list_conflicts(ml) == []
    assert materialised_progress(ml) == expected_progress(ml)


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
