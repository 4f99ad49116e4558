"""A demo is made as of the day it is made: the client opens on the semester being
reported on this computer's day, which must hold the demo's reports (a demo fixed at
15 November 2026 opened on an empty semester from February 2027 on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldplan import events
from fieldplan.demo import make_demo
from fieldplan.progress import list_reports
from fieldplan.replica import open_replica
from fieldplan.reports import REPORTING_DAYS


def _reports_made_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, day: dt.date):
    now = int(dt.datetime.combine(day, dt.time(12, 0), dt.UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: now)
    world = make_demo(tmp_path / "world", offices=1, seed=4)
    (db,) = world.offices.values()
    with open_replica(db) as rep:
        return rep.plan(), list_reports(rep), now


@pytest.mark.parametrize("day", [dt.date(2027, 4, 10), dt.date(2026, 3, 10)])
def test_the_semester_the_client_opens_on_holds_the_demos_reports(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, day: dt.date) -> None:
    plan, reports, now = _reports_made_on(monkeypatch, tmp_path, day)
    # (ui.context.Identity.current_period at an office whose period is not locked)
    opened_on = str(plan.period_for_date(day - dt.timedelta(days=REPORTING_DAYS)))
    assert any(r.period == opened_on for r in reports)
    # nothing after the computer's day: no semester not begun, no change dated later
    assert max(r.period for r in reports) == str(plan.period_for_date(day))
    assert max(r.updated_at for r in reports) < events.utc_iso(
        dt.datetime.fromtimestamp(now / 1000, dt.UTC))
