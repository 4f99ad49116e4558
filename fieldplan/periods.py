"""Reporting periods: semesters ``YYYY-S1`` (1 Jan–30 Jun) and ``YYYY-S2`` (1 Jul–31 Dec).

The joint IOM–OIC mechanism reviews progress at semi-annual meetings, so offices report
per semester. A plan rarely starts on 1 January or 1 July: the Plan of Action 2025–2027
starts on 21 June 2025, which would leave a first semester of ten days.

**Folding rule.** When the plan covers fewer than ``FOLD_DAYS`` (31) days of its first
semester, and the plan spans more than one semester, those days are folded into the
next semester: it becomes the first reporting period and starts on the plan's start
date. The same rule applies at the other end: fewer than 31 days in the last semester
fold into the one before, which then ends on the plan's end date. For the Plan of
Action (21 June 2025 – 31 December 2027) the periods are 2025-S2 (21 June – 31 December
2025), 2026-S1, 2026-S2, 2027-S1 and 2027-S2; 2025-S1 is not a period of the plan.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from fieldplan.errors import ValidationError
from fieldplan.i18n import _, format_date

#: A semester the plan covers for fewer days than this is folded into its neighbour.
FOLD_DAYS = 31

_PERIOD_RE = re.compile(r"^([0-9]{4})-S([12])$")


@dataclass(frozen=True, order=True)
class Period:
    """One semester.

    year: the calendar year, 1..9999.
    half: 1 for January–June (``S1``), 2 for July–December (``S2``).

    Periods sort in time order; ``str(period)`` is ``"2026-S1"``.
    """

    year: int
    half: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999) or self.half not in (1, 2):
            raise ValidationError(_("'{text}' is not a period; write YYYY-S1 or YYYY-S2").format(
                text=f"{self.year}-S{self.half}"))

    def __str__(self) -> str:
        return f"{self.year:04d}-S{self.half}"

    @classmethod
    def of(cls, d: date) -> Period:
        """The calendar semester that contains ``d`` (ignores any plan)."""
        return cls(d.year, 1 if d.month <= 6 else 2)

    @property
    def start(self) -> date:
        """First day of the calendar semester (1 January or 1 July)."""
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        """Last day of the calendar semester (30 June or 31 December)."""
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def next(self) -> Period:
        """The following semester."""
        return Period(self.year, 2) if self.half == 1 else Period(self.year + 1, 1)

    def previous(self) -> Period:
        """The preceding semester."""
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)


def parse_period(text: str) -> Period:
    """``"2026-S1"`` → ``Period(2026, 1)``. Surrounding spaces and a lower-case ``s``
    are accepted; anything else raises ValidationError."""
    if isinstance(text, Period):
        return text
    cleaned = str(text).strip().upper()
    match = _PERIOD_RE.match(cleaned)
    if not match or int(match.group(1)) == 0:
        from fieldplan.text import for_message

        # (the text as given, its line breaks escaped and cut at 80 characters: a
        # --period pasted with a line break inside was a message of two lines)
        raise ValidationError(_("'{text}' is not a period; write YYYY-S1 or YYYY-S2").format(
            text=for_message(str(text))))
    return Period(int(match.group(1)), int(match.group(2)))


def as_period(value: Period | str) -> Period:
    """A Period from a Period or its text form."""
    return value if isinstance(value, Period) else parse_period(value)


@functools.lru_cache(maxsize=64)  # (asked at every save; a plan's dates rarely change)
def plan_periods(start: date, end: date) -> tuple[Period, ...]:
    """The reporting periods of a plan running from ``start`` to ``end`` (inclusive),
    in order, after applying the folding rule described in the module docstring."""
    if start > end:
        raise ValidationError(_("the plan starts ({start}) after it ends ({end})").format(
            start=format_date(start), end=format_date(end)))
    periods = [Period.of(start)]
    while periods[-1] < Period.of(end):
        periods.append(periods[-1].next())
    if len(periods) > 1 and _days(start, periods[0].end) < FOLD_DAYS:
        periods.pop(0)
    if len(periods) > 1 and _days(periods[-1].start, end) < FOLD_DAYS:
        periods.pop()
    return tuple(periods)


def period_bounds(period: Period | str, plan_start: date, plan_end: date) -> tuple[date, date]:
    """The first and last day (inclusive) a period covers in a plan: its calendar
    semester, widened to the plan's start or end date when a short semester was folded
    into it, and cut at the plan's dates. E.g. 2025-S2 → (2025-06-21, 2025-12-31)."""
    period = as_period(period)
    periods = plan_periods(plan_start, plan_end)
    check_period_in_plan(period, periods, plan_start, plan_end)
    first = plan_start if period == periods[0] else period.start
    last = plan_end if period == periods[-1] else period.end
    return first, last


def period_for_date(
    d: date,
    periods: tuple[Period, ...],
    start: date | None = None,
    end: date | None = None,
) -> Period | None:
    """The plan period a date falls in, or None. ``periods`` is what plan_periods
    returned; a date in a folded semester maps to its neighbour. Give the plan's
    ``start`` and ``end`` to also return None for dates outside the plan (without
    them, every day of a folded semester maps to its neighbour)."""
    if not periods or (start is not None and d < start) or (end is not None and d > end):
        return None
    semester = Period.of(d)
    if semester in periods:
        return semester
    if semester.next() == periods[0]:
        return periods[0]
    if semester.previous() == periods[-1]:
        return periods[-1]
    return None


def check_period_in_plan(
    period: Period | str,
    periods: tuple[Period, ...],
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """Return the period if it is one of the plan's ``periods``; otherwise raise
    ValidationError. When a semester next to the plan's first or last period is asked
    for, the message says that period covers the semester's days in the plan (given the
    plan's ``start`` and ``end``, only when the semester was actually folded)."""
    period = as_period(period)
    if period in periods:
        return period
    if not periods:
        raise ValidationError(_("period {period} is outside the plan (no periods)").format(
            period=period))
    first, last = periods[0], periods[-1]
    # whole sentences, so that translators see each one entire
    # (the plan's neighbours, not the period's: 9999-S2 has no next semester, and its
    # refusal named '10000-S1')
    before_first = first.previous() if first.year > 1 or first.half == 2 else None
    after_last = last.next() if last.year < 9999 or last.half == 1 else None
    if period == before_first and (start is None or start <= period.end):
        if start is None:
            message = _("period {period} is outside the plan ({first} … {last}); any of its "
                        "days in the plan are reported in {first}, the plan's first period")
        else:
            message = _("period {period} is outside the plan ({first} … {last}); its days "
                        "from {date} are reported in {first}, the plan's first period")
    elif period == after_last and (end is None or end >= period.start):
        if end is None:
            message = _("period {period} is outside the plan ({first} … {last}); any of its "
                        "days in the plan are reported in {last}, the plan's last period")
        else:
            message = _("period {period} is outside the plan ({first} … {last}); its days "
                        "up to {date} are reported in {last}, the plan's last period")
    else:
        message = _("period {period} is outside the plan ({first} … {last})")
    day = start if period == before_first else end
    raise ValidationError(message.format(period=period, first=first, last=last,
                                         date=format_date(day) if day else ""))


def _days(first: date, last: date) -> int:
    """Number of days from ``first`` to ``last``, both included."""
    return (last - first + timedelta(days=1)).days
