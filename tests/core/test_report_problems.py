"""What looks wrong in a report though it is taken (the report editor notes it beside the
field; ``progress set``, ``progress submit`` and the submit dialog say it by action and
field): a status and a percent that disagree, a count below zero. One rule in
fieldplan.progress for all."""

from __future__ import annotations

import dataclasses

import pytest

from fieldplan import progress
from fieldplan.model import COUNT_UNITS, ProgressReport
from fieldplan.plan import Indicator, Text, default_plan


def _report(status: str, percent: int | None, values=()) -> ProgressReport:
    return ProgressReport(office="ML", action="PA2.3", period="2026-S1", status=status,
                          percent=percent, values=tuple(values), achievements="",
                          challenges="", next_steps="", state="draft", updated_at="",
                          updated_by="")


def _indicator(unit: str) -> Indicator:
    return Indicator("things", Text("Things"), unit, None, None)


@pytest.mark.parametrize(("status", "percent", "said"), [
    ("completed", 50, "Marked completed at 50%: if it is done, set the percent to 100; "
                      "the review pack's means take 50%."),
    ("not-started", 5, "Marked Not started with 5% complete: check which is right."),
    ("completed", 100, ""),
    ("completed", None, ""),
    ("not-started", 0, ""),
    ("on-track", 0, ""),
])
def test_the_editor_note_of_a_status_and_percent(status, percent, said) -> None:
    assert progress.status_percent_note(status, percent) == said


def test_a_count_below_zero_is_said_not_refused(make_office) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, "PA2.3", "2026-S1", status="on-track",
                             values={"corridors": -2, "average-cost": -1.5})
    report = progress.get_report(ml, "PA2.3", "2026-S1")
    assert report.value("corridors") == -2  # taken as typed
    # the percent (a change in a cost) may be below zero; the count of corridors not
    assert progress.report_warnings(report, ml.plan().action("PA2.3")) == (
        "PA2.3 — Remittance corridors with a cost-reduction plan: A count below zero: is "
        "the minus sign a typo?",)


@pytest.mark.parametrize("unit", sorted(COUNT_UNITS))
def test_every_count_unit_below_zero(unit) -> None:
    ind = _indicator(unit)
    assert progress.negative_count_problem(ind, -5) == progress.negative_count_problem(
        ind, -0.5) == "A count below zero: is the minus sign a typo?"
    for fine in (0, 3, None):
        assert progress.negative_count_problem(ind, fine) == ""


@pytest.mark.parametrize("unit", ["USD", "EUR", "percent", "score change", "balance"])
def test_units_that_can_be_below_zero_are_left_alone(unit) -> None:
    """Money (a balance), a percent (a change) and a unit a plan invents."""
    assert progress.negative_count_problem(_indicator(unit), -5) == ""


def test_the_plan_units_that_are_not_counts_can_be_below_zero() -> None:
    """Every unit of the shipped plan is a count but money and percent: a new unit in
    it is sorted into one or the other here, on purpose."""
    units = {ind.unit for act in default_plan().actions for ind in act.indicators}
    assert units - COUNT_UNITS == {"USD", "percent"}


def test_report_warnings_in_order() -> None:
    action = default_plan().action("PA2.3")
    report = dataclasses.replace(_report("completed", 40),
                                 values=(("average-cost", -3), ("corridors", -1)))
    problems = progress.report_warnings(report, action)
    assert len(problems) == 2
    assert problems[0].startswith("PA2.3 — Status: Marked completed at 40%")
    assert problems[1].startswith("PA2.3 — Remittance corridors with a cost-reduction plan: ")
    assert progress.report_warnings(_report("on-track", 40), action) == ()


def test_a_fraction_of_a_count_and_a_percent_past_100_are_said_not_refused(
        make_office) -> None:
    """'12.5 people' and '150%' of a reintegration rate were taken in silence (a count
    below zero is said)."""
    ml = make_office("ML")
    action = ml.plan().action("PA4.3")
    units = {ind.unit: ind.key for ind in action.indicators}
    people, percent = units["people"], units["percent"]
    progress.record_progress(ml, "PA4.3", "2026-S2", status="on-track", percent=20,
                             values={people: 12.5, percent: 150})
    report = progress.get_report(ml, "PA4.3", "2026-S2")
    assert (report.value(people), report.value(percent)) == (12.5, 150)  # as typed
    said = {people: "Not a whole number, but it is a count: is the decimal point right?",
            percent: "More than 100%: is it right?"}
    assert progress.report_warnings(report, action) == tuple(
        f"PA4.3 — {action.field_label('value.' + ind.key)}: {said[ind.key]}"
        for ind in action.indicators if ind.key in said)  # (plan order)
    ind = next(i for i in action.indicators if i.key == people)
    assert progress.value_problem(ind, 12.5) == (
        "Not a whole number, but it is a count: is the decimal point right?")
    for fine in (12, 12.0, 0, None):
        assert progress.value_problem(ind, fine) == ""
    ind = next(i for i in action.indicators if i.key == percent)
    assert progress.value_problem(ind, 100.5) == "More than 100%: is it right?"
    assert progress.value_problem(ind, 100) == progress.value_problem(ind, 5.5) == ""
    days = _indicator("days")
    assert progress.value_problem(days, 2.5) == ""  # days come in halves


def test_report_warnings_name_the_action_and_field_as_the_editor_says_them(make_office) -> None:
    """What the submit dialog and 'progress submit' say again, the report being
    read-only once submitted: the editor's notes, named by action and field."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA3.2", "2026-S1", status="completed", percent=50,
                             values={"people-reached": 0.000001})
    progress.record_progress(ml, "PA3.1", "2026-S1", status="on-track", percent=50,
                             values={"dtm-reports": 3})
    plan = ml.plan()
    report = progress.get_report(ml, "PA3.2", "2026-S1")
    assert progress.report_warnings(report, plan.action("PA3.2")) == (
        "PA3.2 — Status: " + progress.status_percent_note("completed", 50),
        "PA3.2 — People reached with emergency shelter or relief items: Not a whole "
        "number, but it is a count: is the decimal point right?")
    fine = progress.get_report(ml, "PA3.1", "2026-S1")
    assert progress.report_warnings(fine, plan.action("PA3.1")) == ()
