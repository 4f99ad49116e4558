"""An area's mean progress and status, one way for every place that shows them: the
office's dashboard, HQ's Overview and the review pack. Two offices comparing the
dashboard with the pack must read the same figure, and so must anyone checking it by
hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from fieldplan.model import ProgressReport


def mean_progress(reports: Iterable[ProgressReport]) -> float | None:
    """Mean percent complete of the reports, cancelled actions left out (their 0% is
    no progress to make); None when no report has a percent."""
    nums = [r.percent for r in reports if r.status != "cancelled" and r.percent is not None]
    return sum(nums) / len(nums) if nums else None


def round_percent(value: float | int | Decimal) -> int:
    """A percent rounded to a whole one, halves up: 54.5 → 55, as a person or a
    spreadsheet rounds it (Python's ``round`` takes halves to the even one: 54)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def shown_percent(value: float | int | Decimal) -> int | Decimal:
    """A percent as it is shown: whole, halves up (``round_percent``), except one that
    would then read 0 while it is not, or 100 while it is not: that one is cut (not
    rounded, which could make it 0 or 100 again) after its first digit that differs
    from 0 or 100: 0.02 → 0.02, 0.47 → 0.4, 99.6 → 99.6, 99.96 → 99.96, 99.5 → 99.5.
    A mean of 0.02 (one report at 1 among fifty) printed "0%", as if nothing were done,
    and one of 99.6 "100%", as if all were. Cut so, a shown figure shows as itself."""
    whole = round_percent(value)
    exact = Decimal(str(value))
    if whole not in (0, 100) or exact == whole:
        return whole
    place = Decimal(1).scaleb((exact - whole).adjusted())
    return exact.quantize(place, rounding=ROUND_DOWN)  # (towards 0, or towards 100)


def mean_percent(reports: Iterable[ProgressReport]) -> int | Decimal | None:
    """``mean_progress`` as shown (``shown_percent``: whole but near 0 and 100); None
    when none has one."""
    mean = mean_progress(reports)
    return None if mean is None else shown_percent(mean)


#: The order ``area_status`` takes an area's statuses in: those needing attention
#: first, then those of work under way or done, then not started, then cancelled.
AREA_STATUS_ORDER: tuple[str, ...] = (
    "off-track", "at-risk", "on-track", "completed", "not-started", "cancelled")


def area_status(statuses: Iterable[str]) -> str | None:
    """The status an area's cell shows for an office's reports in it (HQ's Overview,
    the review pack's matrix): the one needing most attention among the reports that
    have started (off track, then at risk, on track, completed); not started only when
    none has, cancelled when all are. A cell of three actions on track at 80% and one
    not started read "Not started" beside its mean of 60%, as if the office had not
    begun: it reads "On track", and says apart how many have not started
    (``not_started_beside``). None for no status."""
    held = set(statuses)
    return next((s for s in AREA_STATUS_ORDER if s in held), None)


def not_started_beside(counts: Mapping[str, int]) -> int:
    """How many of an area's reports (``counts``: status → how many) are not started
    while its cell shows another status (``area_status``): said beside it. 0 when it
    shows "not started" itself."""
    shown = area_status(s for s, n in counts.items() if n)
    return counts.get("not-started", 0) if shown != "not-started" else 0
