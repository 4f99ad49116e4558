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


def locked(*periods: str) -> Identity:
    """An office's identity as read with ``periods`` locked by headquarters."""
    return Identity("office", "ID", "r", default_plan(), "", locked=frozenset(periods))


def test_a_semester_headquarters_has_locked_is_not_opened_on() -> None:
    """HQ locked 2026-S1 after its review, its lock imported on 10 July: nothing can be
    written in it, and the window opened on it until 30 July. The semester going on is
    what the office can report on."""
    assert locked("2026-S1").current_period(dt.date(2026, 7, 10)) == "2026-S2"
    assert locked("2026-S1").current_period(dt.date(2026, 7, 30)) == "2026-S2"
    # a lock of another semester changes nothing
    assert locked("2025-S2").current_period(dt.date(2026, 7, 10)) == "2026-S1"


def test_every_semester_it_could_open_on_locked() -> None:
    """Both locked (HQ locked the second semester before it ended): the one being
    reported, whose lock the window shows. Never a semester not begun (a report on it
    is most likely meant for another), nor after the plan's end."""
    assert locked("2026-S1", "2026-S2").current_period(dt.date(2026, 7, 10)) == "2026-S1"
    # 2026-S2 locked on 20 December, before it ended: not 2027-S1, not begun
    assert locked("2026-S2").current_period(dt.date(2026, 12, 20)) == "2026-S2"
    assert locked("2026-S2").current_period(dt.date(2027, 1, 10)) == "2027-S1"
    assert locked("2027-S2").current_period(dt.date(2028, 1, 15)) == "2027-S2"


def test_headquarters_opens_on_the_semester_it_locked_to_review() -> None:
    """HQ locks 2026-S1 for its review in July: its review pack and overview are that
    semester's until its reports are due, not the next one's, empty."""
    hq = Identity("hq", "HQ", "r", default_plan(), "", locked=frozenset({"2026-S1"}))
    assert hq.current_period(dt.date(2026, 7, 10)) == "2026-S1"
    assert hq.current_period(dt.date(2026, 7, 31)) == "2026-S2"


def test_the_identity_read_holds_the_locks(tmp_path) -> None:
    """The window's first period is chosen before it has read anything itself: the
    locks come with the identity (read on the worker), and they do not make a lock
    imported later a new identity (MainWindow._plan_read)."""
    from fieldplan.progress import set_period_lock
    from fieldplan.replica import init_hq
    from ui.context import read_identity

    rep = init_hq(tmp_path / "hq.sqlite3")
    try:
        before = read_identity(rep)
        set_period_lock(rep, "2026-S1")
        after = read_identity(rep)
    finally:
        rep.close()
    assert before.locked == frozenset() and after.locked == {"2026-S1"}
    assert before == after
