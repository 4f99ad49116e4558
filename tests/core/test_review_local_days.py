"""The review pack's days are headquarters' own: data that arrived at 02:00 on the day
after the deadline, local time, is late, though it is still the deadline by UTC (the
pack compared the UTC date of each arrival); and a bundle refused at 01:00 on the
period's first day was refused since the period began."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from fieldplan import events, progress
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from tests.scenes import send

PERIOD = "2026-S1"  # 1 Jan – 30 Jun 2026
DEADLINE = date(2026, 7, 31)


@pytest.fixture
def karachi():
    """Headquarters' computer at UTC+5 (no daylight saving), the zone put back after."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Karachi"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def at(monkeypatch: pytest.MonkeyPatch, utc: str) -> None:
    """This process's clock stopped at ``utc`` (ISO)."""
    ms = int(datetime.fromisoformat(utc).replace(tzinfo=UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: ms)


def pack(hq) -> Pack:
    return Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1, deadline=DEADLINE)


def test_data_after_the_deadline_by_the_local_day_is_late(
        hq, make_office, tmp_path: Path, monkeypatch, karachi) -> None:
    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, act, PERIOD, status="on-track")
    at(monkeypatch, "2026-07-31T18:59:59")  # 23:59:59 on the deadline, in Karachi
    send(ml, hq, tmp_path)
    assert pack(hq).sync.late == []
    progress.record_progress(ml, act, PERIOD, percent=40)
    at(monkeypatch, "2026-07-31T21:00:00")  # 02:00 the day after, in Karachi
    send(ml, hq, tmp_path)
    [late] = pack(hq).sync.late
    assert (late.office, late.events, late.received_at) == ("ML", 1, "2026-07-31T21:00:00Z")


def test_a_bundle_refused_on_the_period_s_first_local_day_is_listed(
        hq, tmp_path: Path, monkeypatch, karachi) -> None:
    from fieldplan.sync import import_bundle

    junk = tmp_path / "ML-junk.fieldplan"
    junk.write_bytes(b"not a bundle")
    at(monkeypatch, "2025-12-31T18:30:00")  # 23:30 on 31 Dec, in Karachi: before
    assert import_bundle(hq, junk).outcome == "rejected"
    assert pack(hq).sync.refused == []
    at(monkeypatch, "2025-12-31T20:00:00")  # 01:00 on 1 Jan, in Karachi
    import_bundle(hq, junk)
    [refused] = pack(hq).sync.refused
    assert refused.received_at == "2025-12-31T20:00:00Z"
