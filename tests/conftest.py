"""Shared fixtures: every test runs with its own data, cache, config and state folders, a
fixed author, in UTC, and Qt offscreen."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests' times are written in UTC, and a time with a zone is shown as its day in
# the computer's zone (fieldplan.i18n.format_date): in UTC-10 "1 Jan 2000, 09:00 UTC"
# is 31 Dec 1999, and the suite failed wherever it ran outside a few zones. A test of
# another zone sets it (TZ) and is put back in this one after.
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):  # (not on Windows)
    time.tzset()

import datetime as dt
from pathlib import Path

import pytest

#: the most workers ``pytest -n auto`` (pytest-xdist: the README's test command) starts:
#: each loads Qt and collects the whole suite (half a minute of CPU), which more cores
#: than this do not repay
MOST_WORKERS = 4


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker per CPU this process may use, at most ``MOST_WORKERS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on Windows or macOS)
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MOST_WORKERS))


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("FIELDPLAN_DB", raising=False)
    monkeypatch.delenv("FIELDPLAN_LANG", raising=False)
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "tester")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    # (set again: a test that changed the zone and did not put it back leaves none)
    monkeypatch.setenv("TZ", "UTC")
    if hasattr(time, "tzset"):
        time.tzset()


@pytest.fixture(autouse=True)
def _english() -> None:
    from fieldplan import i18n

    i18n.set_language("en")


@pytest.fixture
def hq(tmp_path: Path):
    """A new headquarters replica with the built-in plan."""
    from fieldplan.replica import init_hq

    rep = init_hq(tmp_path / "hq.sqlite3")
    yield rep
    rep.close()


@pytest.fixture
def make_office(tmp_path: Path, hq):
    """make_office("ML") → a new replica of office ML enrolled with the `hq` fixture."""
    from fieldplan.sync import enroll_office, init_from_setup

    opened = []
    counter = [0]

    def make(code: str, name: str | None = None):
        counter[0] += 1
        stem = name or f"{code}-{counter[0]}"
        setup = tmp_path / f"{stem}-setup.fieldplan"
        enroll_office(hq, code, setup)
        rep = init_from_setup(tmp_path / f"{stem}.sqlite3", setup)
        opened.append(rep)
        return rep

    yield make
    for rep in opened:
        rep.close()


def _ms(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp() * 1000)


@pytest.fixture
def clock(monkeypatch):
    """The wall clock (fieldplan.events.wall_ms), from 2 February 2026 and set by the
    test: ``clock("2026-08-03")``; each reading a millisecond later than the one
    before. (A write stamped before an earlier one still comes after it: set the clock
    before the databases are made.)"""
    now = [_ms("2026-02-02")]

    def read() -> int:
        now[0] += 1
        return now[0]

    from fieldplan import events

    monkeypatch.setattr(events, "wall_ms", read)
    return lambda day: now.__setitem__(0, _ms(day))
