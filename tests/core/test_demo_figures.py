"""HQ trains people on the demo's figures: they must not contradict themselves (a
report "not started" with progress, a count done so far that goes down from one
semester to the next)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldplan import demo
from fieldplan.demo import make_demo
from fieldplan.progress import list_reports
from fieldplan.replica import open_replica


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list[tuple[object, list]]:
    """(plan, reports oldest period first) of each office of a small demo, over the
    whole plan (the same whatever the day it is made)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "DEMO_TODAY", dt.date(2027, 12, 31))
        world = make_demo(Path(tmp_path_factory.mktemp("demo")) / "world", offices=2, seed=3)
    out = []
    for db in world.offices.values():
        with open_replica(db) as rep:
            out.append((rep.plan(), sorted(list_reports(rep), key=lambda r: r.period)))
    return out


def test_a_report_not_started_gives_no_progress(reports) -> None:
    not_started = [r for _plan, rs in reports for r in rs if r.status == "not-started"]
    assert not_started  # (the demo has some)
    assert [(r.office, r.action, r.period, r.percent) for r in not_started
            if r.percent] == []


def test_an_indicator_moves_from_its_baseline_towards_its_target(reports) -> None:
    """Each semester's figure is the way done so far: it never goes back (a count of
    people trained went 72, 48, 165 when a semester's milestone was taken for the
    whole way)."""
    back = []
    for plan, rs in reports:
        last: dict[tuple[str, str], float] = {}
        for r in rs:
            for ind in plan.action(r.action).indicators:
                value, key = r.value(ind.key), (r.action, ind.key)
                if value is None:
                    continue
                down = (ind.target or 0) < (ind.baseline or 0)  # a cost to bring down
                if key in last and (value > last[key] if down else value < last[key]):
                    back.append((r.office, r.action, ind.key, r.period, last[key], value))
                last[key] = value
    assert back == []


def test_an_action_cancelled_or_completed_stays_so_with_nothing_new_to_tell(reports) -> None:
    """A cancelled action came back "on track" the next semester (49 times in the demo
    of 57 offices), and one ended earlier told of a new workshop each semester."""
    back, told, carried = [], [], 0
    for _plan, rs in reports:
        ended: dict[str, str] = {}
        for r in rs:  # (oldest period first)
            if r.action in ended:
                carried += 1
                if r.status != ended[r.action]:
                    back.append((r.office, r.action, r.period, ended[r.action], r.status))
                if r.achievements or r.challenges or r.next_steps:
                    told.append((r.office, r.action, r.period))
            elif r.status in ("cancelled", "completed"):
                ended[r.action] = r.status
    assert carried  # (the demo has some)
    assert (back, told) == ([], [])


def test_a_report_not_started_tells_of_no_achievement(reports) -> None:
    """("A 3-day technical workshop was held…" in a report of work not started.)"""
    assert [(r.office, r.action, r.period) for _plan, rs in reports for r in rs
            if r.status == "not-started" and r.achievements] == []
