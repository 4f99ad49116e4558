"""Printable reports: the office status sheet and the HQ semester review pack (PDF).

Both builders take the replica explicitly, mutate no global state (the fonts are
registered once per process, under a lock) and report progress through
``progress(done, total, label)``, so the client can run them off its GUI thread.
ReportLab is imported only when a report is built: what the client's dialogs ask
before (the papers, a period's default deadline) is here, without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

Progress = Callable[[int, int, str], None]

PAPERS: tuple[str, ...] = ("A4", "Letter")

#: Days after a semester's last day by which its reports are due, unless headquarters
#: names another deadline (kept in its database: ``fieldplan.reports.deadlines``): data
#: received later is listed as late in the review pack.
#: All data of a semester arrives after it ends; late means after the deadline.
REPORTING_DAYS = 30


def build_status_sheet(
    rep,
    period: str,
    office: str | None = None,
    *,
    out: str | os.PathLike[str],
    lang: str = "en",
    paper: str = "A4",
    progress: Progress | None = None,
) -> Path:
    """Write one office's status sheet for a period (default: this replica's office)
    to ``out``; returns the path. Raises ValidationError for a bad period, office,
    language or paper."""
    from fieldplan.reports.sheet import build_status_sheet as build

    return build(rep, period, office, out=out, lang=lang, paper=paper, progress=progress)


def build_review_pack(
    rep,
    period: str,
    out: str | os.PathLike[str],
    lang: str = "en",
    paper: str = "A4",
    progress: Progress | None = None,
    deadline: date | None = None,
) -> Path:
    """(HQ) Write the semester review pack for a period to ``out``; returns the path.
    ``deadline``: the day reports were due (data received later is late; default
    the one headquarters named for the period, else ``default_deadline``: see
    ``fieldplan.reports.deadlines``)."""
    from fieldplan.reports.review import build_review_pack as build

    return build(rep, period, out, lang=lang, paper=paper, progress=progress,
                 deadline=deadline)


def default_deadline(plan, period: str) -> date:
    """The day a period's reports are due by default: ``REPORTING_DAYS`` after its
    last day. (Here, not in ``review``: the review pack dialog asks it on the GUI
    thread, which importing ReportLab would hold up.)"""
    return plan.period_bounds(period)[1] + timedelta(days=REPORTING_DAYS)


__all__ = ["PAPERS", "REPORTING_DAYS", "build_review_pack", "build_status_sheet",
           "default_deadline"]
