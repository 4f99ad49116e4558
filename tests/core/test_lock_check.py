"""What headquarters is told before it locks a period: whether it is locked, its open
conflicts and the quarantined bundles holding its reports (sync.lock_check)."""

from __future__ import annotations

from pathlib import Path

from test_sync import national, send

from fieldplan import progress, store
from fieldplan.sync import list_quarantine, lock_check
from tests.core.test_locked_conflicts import PERIOD, two_laptops


def test_lock_check_counts_the_periods_open_conflicts_and_quarantined_bundles(
        hq, make_office, tmp_path: Path) -> None:
    two_laptops(hq, make_office, tmp_path)
    check = lock_check(hq, PERIOD)
    assert (check.period, check.locked, check.conflicts, check.quarantined) == (
        PERIOD, False, 1, 0)
    # another period's conflicts are not this one's
    assert lock_check(hq, "2026-S2").conflicts == 0
    # a new laptop whose enrolment HQ no longer knows: its bundle waits in quarantine
    sn = make_office("SN")
    with store.write_transaction(sn.conn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(sn, national(sn), PERIOD, status="on-track")
    assert send(sn, hq, tmp_path)[1].outcome == "quarantined"
    assert len(list_quarantine(hq)) == 1
    assert lock_check(hq, PERIOD).quarantined == 1
    assert lock_check(hq, "2026-S2").quarantined == 0  # it holds no report of that one
    progress.set_period_lock(hq, PERIOD)
    assert lock_check(hq, "2026-s1") == type(check)(PERIOD, True, 1, 1)
    assert lock_check(hq, PERIOD).to_dict() == {
        "period": PERIOD, "locked": True, "conflicts": 1, "quarantined": 1}


def test_a_quarantined_bundle_that_cannot_be_read_is_counted(hq, tmp_path: Path) -> None:
    """It was whole when it came; if it cannot be read now, it may hold the period."""
    with store.write_transaction(hq.conn):
        hq.conn.execute("INSERT INTO quarantine VALUES ('b', 'k', 'p', 'ML', 's', 'f', "
                        "'2026-01-01T00:00:00Z', 1, x'00')")
    assert lock_check(hq, PERIOD).quarantined == 1
