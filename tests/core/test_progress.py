"""Recording progress and every validation error, with its message."""

from __future__ import annotations

import pytest

from fieldplan import progress
from fieldplan.errors import ValidationError


def _national(rep) -> str:
    return rep.plan().actions_of(level="national")[0].code


def test_record_and_list(make_office) -> None:
    ml = make_office("ML")
    act = ml.plan().action(_national(ml))
    key = act.indicators[0].key
    progress.record_progress(ml, act.code, "2026-S1", status="on-track", percent=40,
                             values={key: 3}, achievements="Workshop held",
                             challenges="Funding", next_steps="Scale up")
    [r] = progress.list_reports(ml, period="2026-S1")
    assert (r.office, r.action, r.status, r.percent, r.state) == (
        "ML", act.code, "on-track", 40, "draft")
    assert r.values == ((key, 3),)
    assert (r.achievements, r.challenges, r.next_steps) == ("Workshop held", "Funding",
                                                            "Scale up")
    assert r.updated_by == "tester"
    assert progress.report_to_dict(r)["note"] == "Workshop held"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"action": "PA9.9"}, "unknown action 'PA9.9'"),
    ({"period": "2024-S2"}, "outside the plan"),
    ({"period": "2025-S1"}, "outside the plan"),
    ({"period": "2026-S3"}, "not a period"),
    ({"percent": 101}, "between 0 and 100"),
    ({"percent": -1}, "between 0 and 100"),
    ({"status": "done"}, "unknown status 'done'"),
    ({"values": {"nope": 1}}, "has no indicator 'nope'"),
    ({"values": {"KEY": float("nan")}}, "not a finite number"),
    # a number pasted twice: printed in full, it fills a table cell of the sheets
    ({"values": {"KEY": 1e16}}, r"^indicator \S+: 10,000,000,000,000,000 is too large; the "
                                r"largest allowed is 1,000,000,000,000,000$"),
    ({"values": {"KEY": -(10**15) - 1}}, "is too large"),
    ({"period": "\u0662\u0660\u0662\u0666-S1"}, "not a period"),
    ({"achievements": "x" * 20_001}, "^Achievements is 20,001 characters long; the limit"),
])
def test_validation_errors(make_office, kwargs, message) -> None:
    ml = make_office("ML")
    act = ml.plan().action(_national(ml))
    args = {"action": act.code, "period": "2026-S1", "status": "on-track"} | kwargs
    if "values" in args and "KEY" in args["values"]:
        args["values"] = {act.indicators[0].key: args["values"]["KEY"]}
    with pytest.raises(ValidationError, match=message):
        progress.record_progress(ml, args.pop("action"), args.pop("period"), **args)


def test_wrong_level_for_office(make_office, hq) -> None:
    ml = make_office("ML")
    regional = ml.plan().actions_of(level="regional")[0].code
    with pytest.raises(ValidationError, match="is a regional action; office ML reports on "
                                              "national actions"):
        progress.record_progress(ml, regional, "2026-S1", status="on-track")
    national = _national(hq)
    with pytest.raises(ValidationError, match="office HQ reports on global actions"):
        progress.record_progress(hq, national, "2026-S1", status="on-track")


def test_submitted_report_needs_reopening(make_office) -> None:
    ml = make_office("ML")
    act = _national(ml)
    progress.record_progress(ml, act, "2026-S1", status="on-track", percent=10)
    assert progress.submit_period(ml, "2026-S1").events == 1
    assert progress.list_reports(ml)[0].state == "submitted"
    with pytest.raises(ValidationError, match="is submitted; reopen it before editing"):
        progress.record_progress(ml, act, "2026-S1", percent=20)
    progress.reopen_report(ml, act, "2026-S1")
    progress.record_progress(ml, act, "2026-S1", percent=20)
    assert progress.list_reports(ml)[0].percent == 20


def test_locked_period(hq, make_office) -> None:
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    progress.set_period_lock(hq, "2025-S2")
    bundle = export_bundle(hq, for_office="ML", out_dir=hq.path.parent)
    assert import_bundle(ml, bundle.path).outcome == "merged"
    with pytest.raises(ValidationError, match="2nd semester 2025 is locked by headquarters"):
        progress.record_progress(ml, _national(ml), "2025-S2", status="on-track")
    with pytest.raises(ValidationError, match="only headquarters can lock"):
        progress.set_period_lock(ml, "2026-S1")


def test_nothing_to_record(make_office) -> None:
    ml = make_office("ML")
    with pytest.raises(ValidationError, match="nothing to record"):
        progress.record_progress(ml, _national(ml), "2026-S1")


def test_a_period_outside_the_plan_is_listed_when_reports_are_held_for_it(hq) -> None:
    """An amendment that moves the plan's dates hides a semester's reports but keeps
    them; listing (progress list, data export) can still pick them out."""
    from tests.fixtures.reports.seed import write_progress

    write_progress(hq, "ML", "2025-S1", only=2)  # as an older plan let ML write them
    assert [(r.office, r.period) for r in progress.list_reports(hq, period="2025-s1")] == [
        ("ML", "2025-S1"), ("ML", "2025-S1")]
    assert progress.list_reports(hq, period="2025-S1", office="SN") == []
    with pytest.raises(ValidationError, match=r"^period 2024-S2 is outside the plan "):
        progress.list_reports(hq, period="2024-S2")  # nothing held for it
    with pytest.raises(ValidationError, match="not a period"):
        progress.list_reports(hq, period="2025-S3")
    # writing to it is refused as before
    with pytest.raises(ValidationError, match="outside the plan"):
        progress.submit_period(hq, "2025-S1")


def test_held_periods_are_the_periods_with_reports_in_time_order(hq) -> None:
    """What the client's Export table offers besides the plan's periods: the ones
    outside its dates that reports are held for; a value that is no period (older
    data) names none."""
    from tests.fixtures.reports.seed import write_progress

    assert progress.held_periods(hq) == []
    write_progress(hq, "ML", "2026-S1", only=1)
    write_progress(hq, "ML", "2025-S1", only=2)  # as an older plan let ML write them
    assert progress.held_periods(hq) == ["2025-S1", "2026-S1"]
    hq.conn.execute("UPDATE progress SET period = 'spring' WHERE period = '2026-S1'")
    assert progress.held_periods(hq) == ["2025-S1"]


# --- a value typed over a version (a draft kept since) ------------------------------------
def _heads(rep, code, field):
    from fieldplan.sync import list_conflicts

    return [c for c in list_conflicts(rep) if c.action == code and c.field == field]


def test_a_value_typed_over_the_version_shown_replaces_it(make_office) -> None:
    ml = make_office("ML")
    code = _national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track", challenges="One")
    base = progress.report_versions(ml, code, "2026-S1")
    assert set(base) == {"status", "challenges", "state"}  # (made as a draft)
    check = progress.check_base(ml, code, "2026-S1", {"challenges": "Two"},
                                {"challenges": [base["challenges"]]})
    assert check == progress.BaseCheck()
    progress.record_progress(ml, code, "2026-S1", challenges="Two",
                             base={"challenges": [base["challenges"]]})
    assert progress.get_report(ml, code, "2026-S1").challenges == "Two"
    assert _heads(ml, code, "challenges") == []


def test_a_value_typed_over_a_version_replaced_since_is_a_conflict(make_office) -> None:
    ml = make_office("ML")
    code = _national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track", challenges="One")
    typed_over = {"challenges": [progress.report_versions(ml, code, "2026-S1")["challenges"]]}
    progress.record_progress(ml, code, "2026-S1", challenges="Newer")  # another program
    check = progress.check_base(ml, code, "2026-S1", {"challenges": "Draft"}, typed_over)
    assert check.moved == {"challenges"} and not check.written
    assert progress.report_conflicts(ml, code, "2026-S1") == frozenset()
    progress.record_progress(ml, code, "2026-S1", challenges="Draft", base=typed_over)
    [conflict] = _heads(ml, code, "challenges")
    assert {c.value for c in conflict.candidates} == {"Newer", "Draft"}
    # the report's own conflicted fields, as list_conflicts finds them
    assert progress.report_conflicts(ml, code, "2026-S1") == {"challenges"}
    assert progress.report_conflicts(ml, code, "2026-S2") == frozenset()


def test_a_value_written_over_its_base_before_is_left_out(make_office) -> None:
    """A draft whose save reached the database (the journal did not hear of it), then
    replaced by newer text twice: nothing is written."""
    ml = make_office("ML")
    code = _national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track", challenges="One")
    typed_over = {"challenges": [progress.report_versions(ml, code, "2026-S1")["challenges"]]}
    progress.record_progress(ml, code, "2026-S1", challenges="Draft\r\n")  # the save made
    progress.record_progress(ml, code, "2026-S1", challenges="Newer")
    progress.record_progress(ml, code, "2026-S1", challenges="Newest")
    check = progress.check_base(ml, code, "2026-S1", {"challenges": "Draft\r\n"}, typed_over)
    assert check.written == {"challenges"} and not check.moved
    assert progress.record_progress(ml, code, "2026-S1", challenges="Draft\r\n",
                                    base=typed_over).events == 0
    assert progress.get_report(ml, code, "2026-S1").challenges == "Newest"
    assert _heads(ml, code, "challenges") == []


def test_a_value_typed_over_nothing_known(make_office) -> None:
    """``[]``: typed over no version (a new field, or a draft of an older journal)."""
    ml = make_office("ML")
    code = _national(ml)
    key = ml.plan().action(code).indicators[0].key
    # a field nobody wrote: written as usual
    progress.record_progress(ml, code, "2026-S1", status="on-track", values={key: 2.0},
                             base={f"value.{key}": []})
    assert progress.get_report(ml, code, "2026-S1").value(key) == 2
    # a value that was written once: left out
    progress.record_progress(ml, code, "2026-S1", values={key: 3})
    assert progress.check_base(ml, code, "2026-S1", {f"value.{key}": 2.0},
                               {f"value.{key}": []}).written == {f"value.{key}"}
    # a value never written, over a field that has one: a conflict, not an overwrite
    progress.record_progress(ml, code, "2026-S1", values={key: 4}, base={f"value.{key}": []})
    [conflict] = _heads(ml, code, f"value.{key}")
    assert {c.value for c in conflict.candidates} == {3, 4}


def test_a_value_typed_over_versions_not_known(make_office) -> None:
    """None: a draft of a journal written before drafts recorded their base. The value
    shown: left out; a value the field held once and no longer shows (typed back to it,
    or saved and replaced since: no telling): kept beside what it shows; any other:
    replaces what it shows, as such drafts always did."""
    ml = make_office("ML")
    code = _national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track", challenges="One")
    progress.record_progress(ml, code, "2026-S1", status="at-risk")
    # shown already: nothing written
    assert progress.check_base(ml, code, "2026-S1", {"status": "at-risk"},
                               {"status": None}) == progress.BaseCheck(
                                   written=frozenset({"status"}))
    assert progress.record_progress(ml, code, "2026-S1", status="at-risk",
                                    base={"status": None}).events == 0
    # never held: over what is shown
    assert progress.check_base(ml, code, "2026-S1", {"challenges": "Two"},
                               {"challenges": None}) == progress.BaseCheck()
    progress.record_progress(ml, code, "2026-S1", challenges="Two", base={"challenges": None})
    assert progress.get_report(ml, code, "2026-S1").challenges == "Two"
    assert _heads(ml, code, "challenges") == []
    # held once, replaced since: neither dropped nor written over the newer value
    assert progress.check_base(ml, code, "2026-S1", {"status": "on-track"},
                               {"status": None}) == progress.BaseCheck(
                                   moved=frozenset({"status"}))
    progress.record_progress(ml, code, "2026-S1", status="on-track", base={"status": None})
    [conflict] = _heads(ml, code, "status")
    assert {c.value for c in conflict.candidates} == {"on-track", "at-risk"}


def test_a_value_typed_over_nothing_on_a_field_written_since(make_office) -> None:
    """``[]`` on a field that had no value when the typing started and has one now: the
    field moved on, a conflict (unless it is the value typed)."""
    ml = make_office("ML")
    code = _national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    progress.record_progress(ml, code, "2026-S1", challenges="Theirs")  # meanwhile
    check = progress.check_base(ml, code, "2026-S1", {"challenges": "Mine"},
                                {"challenges": []})
    assert check == progress.BaseCheck(moved=frozenset({"challenges"}))
    progress.record_progress(ml, code, "2026-S1", challenges="Mine", base={"challenges": []})
    [conflict] = _heads(ml, code, "challenges")
    assert {c.value for c in conflict.candidates} == {"Mine", "Theirs"}


def test_a_malformed_base_is_refused(make_office) -> None:
    ml = make_office("ML")
    with pytest.raises(ValueError):
        progress.record_progress(ml, _national(ml), "2026-S1", challenges="x",
                                 base={"challenges": ["no-seq"]})


def test_the_largest_value_a_person_may_type(make_office) -> None:
    ml = make_office("ML")
    act = ml.plan().action(_national(ml))
    key = act.indicators[0].key
    for value in (10**15, -(10**15), 1e15):
        progress.record_progress(ml, act.code, "2026-S1", status="on-track",
                                 values={key: value})
