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
    with pytest.raises(ValidationError, match="period 2025-S2 is locked by headquarters"):
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
