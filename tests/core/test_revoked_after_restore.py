"""A laptop's reports that headquarters held, lost in a restore, and only then revoked.

Headquarters imported laptop B's reports and relayed them to its sibling A; then it
was put back from a backup older than B's bundle, and revoked B afterwards. It held
B's reports before the revocation (its replaced database had them, and A got them
from it), so the revocation counts them as held: B's bundle, imported again, brings
them back, and A and headquarters end with the same data. Before, the revocation
counted only what the restored database held, refused B's bundle whole, and A kept
reports headquarters never showed again (seeds 755 and 823 of tests/convergence.py,
80 steps, amend=3,newlap=1,rotate=1,restore=1,revoke=1,hq_restore=1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hq_restore_keys import restored_from
from test_sync import national, snapshot

from fieldplan import events, progress, store
from fieldplan.sync import export_bundle, import_bundle, revoke_key, sync_state
from fieldplan.sync import keys as keyreg
from tests.scenes import send, two_known_laptops


def lost_then_revoked(hq, tmp_path: Path):
    """HQ backed up; B reported twice and exported, HQ imported it and A imported HQ's
    next bundle (B's reports with it); HQ put back from that backup, then revoked B.
    Returns (A, B, B's bundle, HQ restored)."""
    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    for i in (2, 3):
        progress.record_progress(b, national(b, i), "2026-S1", status="at-risk",
                                 achievements=f"B's report {i}")
    bundle = send(b, hq, tmp_path)[0].path.rename(tmp_path / "b.fieldplan")
    assert send(hq, a, tmp_path)[1].outcome == "merged"
    assert progress.digest(a) == progress.digest(hq, office="ML")
    hq2 = restored_from(hq, before)
    revoke_key(hq2, b.meta("key_id"))
    return a, b, bundle, hq2


def b_lost_in_a_restore(hq, tmp_path: Path):
    """HQ backed up; B reported twice, HQ imported it and B took HQ's next bundle; HQ
    put back from that backup (B's events 2-3 lost there). Returns (A, B, HQ
    restored)."""
    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    for i in (2, 3):
        progress.record_progress(b, national(b, i), "2026-S1", status="at-risk")
    assert send(b, hq, tmp_path)[1].outcome == "merged"
    assert send(hq, b, tmp_path)[1].outcome == "merged"
    return a, b, restored_from(hq, before)


def test_the_revoked_laptops_reports_a_sibling_holds_come_back(hq, tmp_path: Path) -> None:
    a, b, bundle, hq2 = lost_then_revoked(hq, tmp_path)
    try:
        # held up to B's last event the replaced database held, by its hash
        assert keyreg.revoked_held(hq2)[b.meta("key_id")] == {
            b.replica_id: list(events.last_event(b.conn, b.replica_id))}
        # said as a revoked computer's events lost, not as an office's to send again
        [lost] = sync_state(hq2).restored["revoked_lost"]
        assert (lost["replica"], lost["events"]) == (b.replica_id, 2)
        assert sync_state(hq2).restored["offices_lost"] == []
        outcome = import_bundle(hq2, bundle)
        assert outcome.outcome == "merged", outcome.reason
        assert sync_state(hq2).restored["revoked_lost"] == []
        for _ in range(2):
            send(a, hq2, tmp_path)
            send(hq2, a, tmp_path)
        assert progress.digest(a) == progress.digest(hq2, office="ML")
        assert keyreg.all_keys(hq2)[b.meta("key_id")].status == "revoked"
    finally:
        for rep in (hq2, a, b):
            rep.close()


def test_what_the_revoked_laptop_wrote_after_the_restore_is_still_refused(
        hq, tmp_path: Path) -> None:
    a, b, _bundle, hq2 = lost_then_revoked(hq, tmp_path)
    try:
        progress.record_progress(b, national(b, 4), "2026-S1", status="off-track")
        (tmp_path / "later").mkdir()
        later = export_bundle(b, out_dir=tmp_path / "later", full=True).path
        outcome = import_bundle(hq2, later)
        assert outcome.outcome == "merged", outcome.reason
        assert "beyond what headquarters held of it when it revoked its key" in outcome.reason
        assert hq2.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                                (b.replica_id,)).fetchone()[0] == 3
        before = snapshot(hq2)
        again = import_bundle(hq2, export_bundle(b, out_dir=tmp_path / "later").path)
        assert again.outcome in ("rejected", "duplicate")
        assert snapshot(hq2) == before
    finally:
        for rep in (hq2, a, b):
            rep.close()


def test_a_restore_record_without_hashes_counts_what_the_database_holds(
        hq, tmp_path: Path) -> None:
    """(a record an earlier fieldplan wrote: the events' numbers, no hashes) nothing
    ties B's events to what headquarters held: the revocation counts what it holds."""
    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(b, national(b, 2), "2026-S1", status="at-risk")
    send(b, hq, tmp_path)
    hq2 = restored_from(hq, before)
    try:
        info = json.loads(hq2.meta("restored"))
        for item in info[store.OFFICE_EVENTS].values():
            item.pop("hashes", None)
        with store.write_transaction(hq2.conn):
            events.set_meta(hq2.conn, "restored", events.canonical_json(info))
        revoke_key(hq2, b.meta("key_id"))
        assert keyreg.revoked_held(hq2)[b.meta("key_id")][b.replica_id][0] == 1
    finally:
        for rep in (hq2, a, b):
            rep.close()


@pytest.mark.parametrize("again", ["from a backup taken after", "from the same backup"])
def test_a_second_restore_keeps_what_the_first_lost(hq, tmp_path: Path, again: str) -> None:
    """HQ put back again: the second restore's record carries the first's (its hashes
    with it), and the revocation after both counts B's reports as held."""
    a, b, bundle, hq2 = lost_then_revoked_after(hq, tmp_path, again=again)
    try:
        assert keyreg.revoked_held(hq2)[b.meta("key_id")][b.replica_id][0] == 3
        assert import_bundle(hq2, bundle).outcome == "merged"
        send(hq2, a, tmp_path)
        assert progress.digest(a) == progress.digest(hq2, office="ML")
    finally:
        for rep in (hq2, a, b):
            rep.close()


def lost_then_revoked_after(hq, tmp_path: Path, again: str):
    """``lost_then_revoked``, HQ put back twice before the revocation: ``again`` from
    a backup taken after the first restore, or from the same backup."""
    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    for i in (2, 3):
        progress.record_progress(b, national(b, i), "2026-S1", status="at-risk")
    bundle = send(b, hq, tmp_path)[0].path.rename(tmp_path / "b.fieldplan")
    assert send(hq, a, tmp_path)[1].outcome == "merged"
    hq2 = restored_from(hq, before)
    hq2 = restored_from(hq2, before if again == "from the same backup"
                        else store.backup(hq2.conn, hq2.path, "manual"))
    revoke_key(hq2, b.meta("key_id"))
    return a, b, bundle, hq2


def test_a_hole_the_restore_made_is_filled(hq, tmp_path: Path) -> None:
    """HQ lacked events 2-3 of B after the restore, and held 4 when it revoked B: it
    held 2-3 before the restore (its record says so), so B's full bundle brings them
    back, and nothing B wrote after the revocation."""
    a, b, hq2 = b_lost_in_a_restore(hq, tmp_path)
    try:
        progress.record_progress(b, national(b, 4), "2026-S1", status="off-track")
        assert send(b, hq2, tmp_path)[1].outcome == "merged"  # (a gap: 2-3)
        revoke_key(hq2, b.meta("key_id"))
        assert keyreg.revoked_held(hq2)[b.meta("key_id")] == {
            b.replica_id: list(events.last_event(b.conn, b.replica_id))}
        progress.record_progress(b, national(b, 5), "2026-S1", status="off-track")
        (tmp_path / "full").mkdir()
        full = export_bundle(b, out_dir=tmp_path / "full", full=True).path
        outcome = import_bundle(hq2, full)
        assert outcome.outcome == "merged", outcome.reason
        assert "events 5–5 of replica" in outcome.reason
        assert [seq for (seq,) in hq2.conn.execute(
            "SELECT seq FROM events WHERE origin = ? ORDER BY seq", (b.replica_id,))] == [
                1, 2, 3, 4]
    finally:
        for rep in (hq2, a, b):
            rep.close()
