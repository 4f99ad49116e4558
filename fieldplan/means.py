"""An area's mean progress, one way for every place that shows it: the office's
dashboard, HQ's Overview and the review pack. Two offices comparing the dashboard with
the pack must read the same figure, and so must anyone checking it by hand."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

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


def mean_percent(reports: Iterable[ProgressReport]) -> int | None:
    """``mean_progress`` rounded as shown (``round_percent``); None when none has one."""
    mean = mean_progress(reports)
    return None if mean is None else round_percent(mean)
