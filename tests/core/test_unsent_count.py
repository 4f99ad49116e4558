"""What status says is not yet sent ("Not yet sent", ``SyncState.unsent``) is what the
next export to headquarters carries: after a renewal too, when the events of the
replica this computer continues still go to headquarters (``fork.resend_from``, the
export's receipts floor), not only the current replica's."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fork_repair import export_to
from test_fork_unseen import WentBack
from test_sync import national, send

from fieldplan import progress
from fieldplan.status import replica_status
from fieldplan.sync import import_bundle
from fieldplan.sync.state import sync_state

S1 = "2026-S1"


def shown(rep) -> tuple[str, str | None]:
    """The status lines a person reads: not yet sent, and sent but not acknowledged."""
    lines = dict(replica_status(rep).lines("en"))
    return lines["Not yet sent"], lines.get("Sent, not acknowledged yet")


def changes(n: int) -> str:
    if not n:
        return "no changes"  # (in words: French "0 modification" read as one)
    return f"{n} change" if n == 1 else f"{n} changes"


def again(n: int) -> str | None:
    """The "Sent, not acknowledged yet" line for ``n`` (none for 0)."""
    if not n:
        return None
    return f"{changes(n)} (the next bundle carries {'it' if n == 1 else 'them'} again)"


def assert_count_is_next_export(rep, tmp_path: Path, name: str) -> int:
    """The count status gives, checked against the bundle the next export writes; and
    once it is written, what status says of it: sent, not acknowledged yet (after an
    export it said "Not yet sent" of the changes the bundle had just taken)."""
    state = sync_state(rep)
    count, sent = state.unsent, state.sent_unacknowledged
    assert shown(rep) == (changes(count - sent), again(sent))
    assert export_to(rep, tmp_path, name).events == count
    assert sync_state(rep).sent_unacknowledged == count
    assert shown(rep) == ("no changes", again(count))
    return count


def test_plain_office_counts_what_its_export_carries(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    act = national(ml)
    for percent in (10, 20):
        progress.record_progress(ml, act, S1, status="on-track", percent=percent)
    assert assert_count_is_next_export(ml, tmp_path, "one") == 2
    progress.record_progress(ml, act, S1, percent=30)  # after the export: not sent
    assert shown(ml) == ("1 change", again(2))
    assert assert_count_is_next_export(ml, tmp_path, "one-more") == 3
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # HQ's receipt: nothing left to send
    assert assert_count_is_next_export(ml, tmp_path, "two") == 0
    progress.record_progress(ml, act, S1, status="at-risk")
    assert assert_count_is_next_export(ml, tmp_path, "three") == 1
    assert sync_state(hq).unsent == 0  # HQ exports for one office at a time


@pytest.fixture
def renewed(hq, make_office, tmp_path: Path):
    """ML went back to an older copy, lost 3 events HQ holds and typed 1: HQ's reply
    made it renew (``replica.renew_if_gone_back``); its old replica goes from 1 again."""
    w = WentBack(hq, make_office, tmp_path, lost=3, typed=1)
    assert w.imported.outcome == "merged" and w.ml.replica_id != w.first
    yield w
    w.ml.close()


def test_after_a_renewal_the_old_replicas_events_are_counted(renewed, tmp_path: Path) -> None:
    w = renewed
    ml = w.ml
    progress.record_progress(ml, w.acts[6], S1, status="on-track")  # under the new replica
    # the old replica's events (sent again) and the new one's: not 1
    assert assert_count_is_next_export(ml, tmp_path, "up") == w.base + 3 + 1
    # the count stays right through the repair that follows, to nothing left to send
    there = import_bundle(w.hq, export_to(ml, tmp_path, "up2").path)
    back = import_bundle(ml, export_to(w.hq, tmp_path, "down", for_office="ML").path)
    assert (there.outcome, back.outcome) == ("rejected", "merged")
    assert assert_count_is_next_export(ml, tmp_path, "after-repair") > 0
    assert import_bundle(w.hq, export_to(ml, tmp_path, "up3").path).outcome == "merged"
    import_bundle(ml, export_to(w.hq, tmp_path, "down2", for_office="ML").path)
    assert assert_count_is_next_export(ml, tmp_path, "done") == 0
