"""Semesters, the folding of a short first or last semester, and period checks."""

from __future__ import annotations

from datetime import date

import pytest

from fieldplan.errors import ValidationError
from fieldplan.periods import (
    FOLD_DAYS,
    Period,
    check_period_in_plan,
    parse_period,
    period_bounds,
    period_for_date,
    plan_periods,
)

START, END = date(2025, 6, 21), date(2027, 12, 31)
PLAN = tuple(parse_period(p) for p in ("2025-S2", "2026-S1", "2026-S2", "2027-S1", "2027-S2"))


def test_parse_and_print():
    assert parse_period("2026-S1") == Period(2026, 1)
    assert str(Period(2026, 1)) == "2026-S1"
    assert parse_period(" 2027-s2 ") == Period(2027, 2)
    assert str(parse_period("2025-S2")) == "2025-S2"


@pytest.mark.parametrize("text", ["2026-S3", "2026S1", "26-S1", "2026-S", "", "2026-H1", "0000-S1"])
def test_bad_syntax_is_one_clear_line(text):
    with pytest.raises(ValidationError) as err:
        parse_period(text)
    assert str(err.value) == f"'{text}' is not a period; write YYYY-S1 or YYYY-S2"


@pytest.mark.parametrize(("text", "shown"), [
    ("a\nb", "a b"), ("2026-S1\n2026-S2", "2026-S1 2026-S2"),
    ("9" * 5000, "9" * 79 + "…")])
def test_a_period_of_several_lines_or_thousands_of_characters_is_refused_in_one_line(
        text, shown):
    """Found by fuzzing the command line: ``progress reopen PA1.1 --period`` given a
    text with a line break (two periods pasted) was refused with that text as it was,
    a usage error of two lines; one of 5,000 characters, a line of 5,000."""
    with pytest.raises(ValidationError) as err:
        parse_period(text)
    assert str(err.value) == f"'{shown}' is not a period; write YYYY-S1 or YYYY-S2"


def test_period_refuses_a_third_half():
    with pytest.raises(ValidationError, match="not a period"):
        Period(2026, 3)


def test_semester_dates_and_neighbours():
    s1, s2 = Period(2026, 1), Period(2026, 2)
    assert (s1.start, s1.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (s2.start, s2.end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert s1.next() == s2 and s2.previous() == s1
    assert s2.next() == Period(2027, 1) and Period(2027, 1).previous() == s2
    assert Period.of(date(2026, 6, 30)) == s1 and Period.of(date(2026, 7, 1)) == s2


def test_ordering_is_chronological():
    shuffled = [Period(2027, 1), Period(2025, 2), Period(2026, 2), Period(2026, 1)]
    assert [str(p) for p in sorted(shuffled)] == ["2025-S2", "2026-S1", "2026-S2", "2027-S1"]
    assert Period(2025, 2) < Period(2026, 1) < Period(2026, 2)


def test_plan_of_action_periods_fold_the_ten_days_of_2025_s1():
    periods = plan_periods(START, END)
    assert periods == PLAN
    assert Period(2025, 1) not in periods
    assert period_bounds("2025-S2", START, END) == (date(2025, 6, 21), date(2025, 12, 31))
    assert period_bounds(Period(2026, 1), START, END) == (date(2026, 1, 1), date(2026, 6, 30))
    assert period_bounds("2027-S2", START, END) == (date(2027, 7, 1), date(2027, 12, 31))


def test_fold_rule_boundary_is_31_days():
    assert FOLD_DAYS == 31
    # 30 days of S1 (1–30 June) fold; 31 days (31 May–30 June) make a period of their own.
    assert plan_periods(date(2025, 6, 1), END)[0] == Period(2025, 2)
    assert plan_periods(date(2025, 5, 31), END)[0] == Period(2025, 1)
    # The same at the end: 30 days of 2028-S1 fold into 2027-S2, 31 do not.
    assert plan_periods(START, date(2028, 1, 30))[-1] == Period(2027, 2)
    assert period_bounds("2027-S2", START, date(2028, 1, 30))[1] == date(2028, 1, 30)
    assert plan_periods(START, date(2028, 1, 31))[-1] == Period(2028, 1)


def test_a_plan_within_one_semester_keeps_it():
    assert plan_periods(date(2025, 6, 21), date(2025, 6, 30)) == (Period(2025, 1),)


def test_start_after_end_is_refused():
    with pytest.raises(ValidationError) as err:
        plan_periods(END, START)
    assert str(err.value) == "the plan starts (31 Dec 2027) after it ends (21 Jun 2025)"


def test_the_dates_of_a_message_are_written_as_its_language_does():
    """"à partir du 2025-06-21" in a French sentence: the raw ISO dates."""
    from fieldplan import i18n

    try:
        i18n.set_language("fr")
        with pytest.raises(ValidationError) as err:
            check_period_in_plan("2025-S1", PLAN, START, END)
        assert "ses jours à partir du 21 juin 2025 sont rapportés" in str(err.value)
        with pytest.raises(ValidationError) as err:
            plan_periods(END, START)
        assert str(err.value) == "le plan commence (31 déc. 2027) après sa fin (21 juin 2025)"
    finally:
        i18n.set_language("en")


def test_period_for_date():
    assert period_for_date(date(2025, 6, 25), PLAN, START, END) == Period(2025, 2)
    assert period_for_date(date(2025, 6, 20), PLAN, START, END) is None
    assert period_for_date(date(2026, 7, 1), PLAN, START, END) == Period(2026, 2)
    assert period_for_date(date(2027, 12, 31), PLAN, START, END) == Period(2027, 2)
    assert period_for_date(date(2028, 1, 1), PLAN, START, END) is None
    # Without the plan's dates, a day of the folded semester still maps to 2025-S2.
    assert period_for_date(date(2025, 6, 21), PLAN) == Period(2025, 2)
    assert period_for_date(date(2024, 12, 31), PLAN) is None


@pytest.mark.parametrize("text", ["9999-S2", "0001-S1"])
def test_a_period_at_the_end_of_the_calendar_is_outside_the_plan(text: str) -> None:
    """9999-S2 has no next semester: its refusal named '10000-S1', a period nobody
    typed, at every command given it (progress list, report sheet)."""
    with pytest.raises(ValidationError, match=f"^period {text} is outside the plan"):
        check_period_in_plan(text, PLAN, START, END)


def test_check_period_in_plan():
    assert check_period_in_plan("2026-S1", PLAN) == Period(2026, 1)
    with pytest.raises(ValidationError) as err:
        check_period_in_plan("2030-S1", PLAN)
    assert str(err.value) == "period 2030-S1 is outside the plan (2025-S2 … 2027-S2)"


def test_asking_for_the_folded_semester_gives_a_hint():
    with pytest.raises(ValidationError) as err:
        check_period_in_plan("2025-S1", PLAN, START, END)
    assert str(err.value) == (
        "period 2025-S1 is outside the plan (2025-S2 … 2027-S2); its days from 21 Jun 2025 "
        "are reported in 2025-S2, the plan's first period"
    )
    with pytest.raises(ValidationError, match=r"^period 2025-S1 is outside the plan .*2025-S2"):
        check_period_in_plan("2025-S1", PLAN)
    # 2028-S1 has no day in a plan ending on 31 December 2027: no hint.
    with pytest.raises(ValidationError) as err:
        check_period_in_plan("2028-S1", PLAN, START, END)
    assert str(err.value) == "period 2028-S1 is outside the plan (2025-S2 … 2027-S2)"
