"""The period a window opens on when headquarters has locked the semester being
reported. HQ locks a semester after its review, and the lock reaches an office in HQ's
next bundle, often before the semester's reports are due (REPORTING_DAYS after its
end): an office that imported the lock of 2026-S1 on 10 July opened on it until 30
July, where nothing can be written. It opens on the semester going on now."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldplan import events, progress
from fieldplan.replica import open_replica
from tests.scenes import ticking_clock
from tests.ui.test_window_settings import open_shell, shot  # noqa: F401

sync = pytest.importorskip("fieldplan.sync")

LOCKED = "2026-S1"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """go(day): this computer's clock at 09:00 UTC on ``day`` (ISO), ticking on."""
    offset = ticking_clock(monkeypatch)
    real = events.wall_ms

    def go(day: str) -> None:
        offset[0] = 0
        at = dt.datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=dt.UTC)
        offset[0] = int(at.timestamp() * 1000) - real()

    return go


@pytest.fixture
def sn(clock, hq, make_office, tmp_path: Path) -> tuple[Path, Path]:
    """(SN's database, HQ's bundle for SN that locks 2026-S1): SN enrolled in June
    2026; HQ locks the semester after its review, early in July."""
    clock("2026-06-20")
    office = make_office("SN")
    path = office.path
    out = tmp_path / "to-hq"
    out.mkdir()
    assert sync.import_bundle(hq, sync.export_bundle(office, out_dir=out).path).outcome == "merged"
    office.close()
    clock("2026-07-08")
    progress.set_period_lock(hq, LOCKED)
    folder = tmp_path / "lock"
    folder.mkdir()
    return path, Path(sync.export_bundle(hq, for_office="SN", out_dir=folder).path)


def take_lock(db: Path, bundle: Path) -> None:
    """SN imports HQ's bundle (by the command line, the window closed)."""
    with open_replica(db) as rep:
        assert sync.import_bundle(rep, bundle).outcome == "merged"


def test_an_office_that_took_the_lock_opens_on_the_semester_going_on(
        open_shell, clock, sn, settings):  # noqa: F811
    db, lock = sn
    clock("2026-07-10")
    take_lock(db, lock)
    window = open_shell(db)
    assert window.period == "2026-S2"
    combo = window.period_combo
    assert combo.itemText(combo.findData(LOCKED)) == "1st semester 2026 · locked"
    shot(window, "opening-after-lock-en.png")
