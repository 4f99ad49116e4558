"""The day each period's reports were due by at headquarters (the review pack's
"Reports due by"): a setting of the headquarters database, so that the pack printed
from the command line or from the client, on any computer or user account, and the
client's "Sent late" list the same offices as late.

Kept in ``meta``, not as an event: only headquarters prints the pack, and offices are
not told of it. Periods never named keep their default (``default_deadline``).
Without ReportLab: the client's review pack dialog and Overview read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.reports import default_deadline

#: meta key: period -> ISO day its reports were due by, as headquarters last named it
#: (the review pack's dialog, ``report review --deadline``)
DEADLINES = "review_deadlines"


def check_deadline(plan, period: str, deadline: date | None) -> date:
    """``deadline``, or the period's default one; ValidationError for a day before
    the period ends (reports cannot be due before there is anything to report)."""
    from fieldplan.i18n import _, format_date, format_period

    if deadline is None:
        return default_deadline(plan, period)
    end = plan.period_bounds(period)[1]
    if deadline < end:
        raise ValidationError(_("the deadline {date} is before the end of {period} ({end})")
                              .format(date=format_date(deadline), period=format_period(period),
                                      end=format_date(end)))
    return deadline


def _kept(rep) -> dict[str, str]:
    """What the database holds (period -> ISO day); {} for none or a damaged value."""
    try:
        kept = json.loads(rep.meta(DEADLINES) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}


def named_deadlines(rep, plan=None) -> dict[str, date]:
    """The periods headquarters named a deadline for, each with its day: those of the
    plan (``plan``, by default the current one) on or after the period's end (one a
    plan amendment moved the period's end past is left out: its default holds)."""
    plan = plan or rep.plan()
    named: dict[str, date] = {}
    for period, text in _kept(rep).items():
        try:
            day = date.fromisoformat(text)
            if day >= plan.period_bounds(period)[1]:
                named[period] = day
        except (ValueError, ValidationError):
            continue  # (a period the plan no longer has, a damaged day)
    return named


def period_deadline(rep, period: str, plan=None) -> date:
    """The day ``period``'s reports were due by: the one headquarters named
    (``named_deadlines``), else the default (``default_deadline``)."""
    plan = plan or rep.plan()
    return named_deadlines(rep, plan).get(period) or default_deadline(plan, period)


def set_deadline(rep, period: str, day: date):
    """(HQ) Keep ``day`` as the day ``period``'s reports were due by. ValidationError
    at an office, for a period outside the plan or a day before the period ends.
    Returns the ``Changes`` (none when the period's deadline was that day already)."""
    return keep_deadlines(rep, {period: day}, replace=True)


def keep_deadlines(rep, days: Mapping[str, date], *, replace: bool = False):
    """(HQ) Keep each period's day of ``days`` (``set_deadline``). ``replace``
    False: only for the periods with none named (what this computer's window settings
    kept before the database held them: another computer's later choice stays), the
    days the plan refuses left out. Returns the ``Changes``."""
    from fieldplan.i18n import _
    from fieldplan.replica import Changes

    if not rep.is_hq:
        raise ValidationError(_("only headquarters prints the review pack"))
    plan = rep.plan()
    wanted: dict[str, date] = {}
    for period, day in days.items():
        try:
            wanted[period] = check_deadline(plan, period, day)
        except ValidationError:
            if replace:
                raise
    with store.write_transaction(rep.conn):
        kept = _kept(rep)
        named = named_deadlines(rep, plan)
        changed = [p for p, day in wanted.items()
                   if (replace or p not in named)
                   and day != (named.get(p) or default_deadline(plan, p))]
        if not changed:
            return Changes()
        for period in changed:
            kept[period] = wanted[period].isoformat()
        events.set_meta(rep.conn, DEADLINES, events.canonical_json(kept))
    return Changes(entities=tuple(("deadline", p) for p in changed))


__all__ = ["DEADLINES", "check_deadline", "keep_deadlines", "named_deadlines",
           "period_deadline", "set_deadline"]
