"""The period a window opens on: the one whose reports are being written, by this
computer's own day. A semester's reports are written after it ends, until they are
due: on 1 July at 00:30 in Jakarta the window opened on the second semester, just
begun, with nothing to report, while the first semester's reports were due."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from fieldplan import events
from fieldplan.plan import default_plan
from ui.context import Identity


@pytest.fixture
def jakarta(monkeypatch: pytest.MonkeyPatch):
    """This process in UTC+7, the zone put back after."""
    monkeypatch.setenv("TZ", "Asia/Jakarta")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def at(monkeypatch: pytest.MonkeyPatch, utc: str) -> None:
    """The clock (``events.wall_ms``) stopped at ``utc`` (ISO)."""
    ms = int(dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: ms)


@pytest.mark.parametrize(("utc", "period"), [
    ("2026-06-30T16:30:00", "2026-S1"),  # 23:30 on 30 June in Jakarta
    ("2026-06-30T17:30:00", "2026-S1"),  # 00:30 on 1 July: S1's reports are due
    ("2026-07-30T16:59:00", "2026-S1"),  # 23:59 on 30 July, their last day
    ("2026-07-30T17:00:00", "2026-S2"),  # 31 July
    ("2026-12-31T17:30:00", "2026-S2"),  # 1 January
    ("2027-03-01T00:00:00", "2027-S1"),
])
def test_the_window_opens_on_the_period_being_reported(
        jakarta, monkeypatch: pytest.MonkeyPatch, utc: str, period: str) -> None:
    at(monkeypatch, utc)
    assert Identity("office", "ID", "r", default_plan(), "").current_period() == period


def test_before_and_after_the_plan_its_first_and_last_periods() -> None:
    identity = Identity("office", "ID", "r", default_plan(), "")
    periods = identity.periods()
    assert identity.current_period(dt.date(2000, 1, 1)) == periods[0]
    assert identity.current_period(dt.date(2025, 7, 1)) == periods[0]
    assert identity.current_period(dt.date(2028, 1, 15)) == periods[-1]
    assert identity.current_period(dt.date(2099, 1, 1)) == periods[-1]
