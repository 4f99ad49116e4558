"""A laptop's reports that headquarters held when it revoked the laptop's key.

Headquarters put back from a backup older than both loses those reports, and makes
the revocation again from what the replaced database said: the laptop's last bundle,
imported again, brings back what headquarters held of it then, and nothing the
laptop wrote beyond that."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hq_restore_keys import restored_from
from test_sync import national, send, snapshot

from fieldplan import events, progress, store
from fieldplan.status import replica_status
from fieldplan.sync import (
    export_bundle,
    import_bundle,
    revoke_key,
    sync_state,
)
from fieldplan.sync import keys as keyreg
from tests.scenes import revoked_laptop_sent_twice, two_known_laptops


def revoked_after_its_bundle(hq, tmp_path: Path):
    """HQ backed up; laptop B reported and exported, HQ imported it, then revoked B's
    key, and A imported HQ's next bundle; HQ put back from that backup. Returns (A, B,
    B's bundle, ML's digest at HQ before the restore, HQ restored)."""
    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    for i in (2, 3):
        progress.record_progress(b, national(b, i), "2026-S1", status="at-risk",
                                 achievements=f"B's report {i}")
    (tmp_path / "mail").mkdir()
    bundle = send(b, hq, tmp_path)[0].path
    shown = progress.digest(hq, office="ML")
    revoke_key(hq, b.meta("key_id"))
    assert send(hq, a, tmp_path)[1].outcome == "merged"
    hq2 = restored_from(hq, before)
    return a, b, bundle, shown, hq2


def test_the_revoked_laptops_bundle_headquarters_held_is_taken_again(
        hq, tmp_path: Path) -> None:
    a, b, bundle, shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    try:
        assert keyreg.all_keys(hq2)[b.meta("key_id")].status == "revoked"
        assert progress.digest(hq2, office="ML") != shown
        # the restore says what it lost of the revoked laptop, and how it comes back
        said = (f"the restore lost 2 events of ML's computer {b.replica_id[:8]}, whose key "
                f"{b.meta('key_id')} headquarters revoked after the backup, but held then: "
                "import that computer's bundles again, its last and any it sent before "
                "(headquarters takes what it held of them, nothing later)")
        assert ("Warning", said) in replica_status(hq2).lines("en")
        [lost] = sync_state(hq2).restored["revoked_lost"]
        assert (lost["office"], lost["replica"], lost["events"]) == ("ML", b.replica_id, 2)
        # said once: not again among the offices' events lost, whose way back (ML
        # exports again) brings nothing of a revoked computer
        assert sync_state(hq2).restored["offices_lost"] == []
        outcome = import_bundle(hq2, bundle)
        assert outcome.outcome == "merged", outcome.reason
        assert progress.digest(hq2, office="ML") == shown
        assert sync_state(hq2).restored["revoked_lost"] == []
        assert ("Warning", said) not in replica_status(hq2).lines("en")
        assert keyreg.all_keys(hq2)[b.meta("key_id")].status == "revoked"
    finally:
        hq2.close()
        a.close()
        b.close()


def test_what_the_revoked_laptop_wrote_beyond_is_refused(hq, tmp_path: Path) -> None:
    a, b, _bundle, shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    try:
        progress.record_progress(b, national(b, 4), "2026-S1", status="off-track",
                                 achievements="written after the revocation")
        later = export_bundle(b, out_dir=tmp_path / "mail").path  # from its first event
        outcome = import_bundle(hq2, later)
        assert outcome.outcome == "merged", outcome.reason
        assert "beyond what headquarters held of it when it revoked its key, are " \
               "refused: signed with key" in outcome.reason
        assert progress.digest(hq2, office="ML") == shown
        # nothing more of it is taken, nor its receipts
        before = snapshot(hq2)
        again = import_bundle(hq2, export_bundle(b, out_dir=tmp_path / "mail").path)
        assert again.outcome == "rejected" and "was revoked" in again.reason
        assert snapshot(hq2) == before
    finally:
        hq2.close()
        a.close()
        b.close()


def test_events_not_ending_with_the_one_headquarters_held_are_refused(
        hq, tmp_path: Path) -> None:
    """The revoked key's holder could sign any events: only those the hash chain ties to
    the last event headquarters held are taken."""
    a, b, bundle, _shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    try:
        held = keyreg.revoked_held(hq2)
        for item in held.values():
            for pair in item.values():
                pair[1] = "0" * 64
        with store.write_transaction(hq2.conn):
            events.set_meta(hq2.conn, keyreg.REVOKED_HELD, events.canonical_json(held))
        before = snapshot(hq2)
        outcome = import_bundle(hq2, bundle)
        assert outcome.outcome == "rejected" and "was revoked" in outcome.reason
        assert snapshot(hq2) == before
    finally:
        hq2.close()
        a.close()
        b.close()


def test_a_revoked_laptops_bundle_is_still_refused_where_nothing_was_lost(
        hq, tmp_path: Path) -> None:
    a, b = two_known_laptops(hq, tmp_path)
    revoke_key(hq, b.meta("key_id"))
    assert keyreg.revoked_held(hq)[b.meta("key_id")] == {
        b.replica_id: list(events.last_event(b.conn, b.replica_id))}
    progress.record_progress(b, national(b, 4), "2026-S1", status="off-track")
    before = snapshot(hq)
    outcome = send(b, hq, tmp_path)[1]
    assert outcome.outcome == "rejected" and "was revoked" in outcome.reason
    assert snapshot(hq) == before
    a.close()
    b.close()


@pytest.fixture
def sent_twice(hq, tmp_path: Path):
    """``tests.scenes.revoked_laptop_sent_twice``, its databases closed afterwards."""
    a, b, bundles, shown, hq2 = revoked_laptop_sent_twice(hq, tmp_path)
    yield a, bundles, shown, hq2
    for rep in (hq2, a, b):
        rep.close()


def test_a_revoked_laptop_that_sent_several_bundles_is_taken_back_from_each(
        sent_twice) -> None:
    """After the restore each bundle brings its own back, the chain tying the first's
    last event to the second's first."""
    _a, (first, second), shown, hq2 = sent_twice
    assert import_bundle(hq2, second).outcome == "merged"
    [lost] = sync_state(hq2).restored["revoked_lost"]
    assert lost["events"] == 1
    outcome = import_bundle(hq2, first)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq2, office="ML") == shown
    assert sync_state(hq2).restored["revoked_lost"] == []


def test_an_earlier_bundle_imported_first_waits_for_the_later_one(sent_twice) -> None:
    """Imported in the order they were sent, the first was refused as the revoked
    key's, which it is not only: nothing ties its events to what HQ held until the
    second is in. It says so, changes nothing, and is taken once the second is."""
    _a, (first, second), shown, hq2 = sent_twice
    before = snapshot(hq2)
    outcome = import_bundle(hq2, first)
    assert (outcome.outcome, outcome.waits) == ("rejected", True)
    assert outcome.reason.endswith("what this earlier bundle of it brings back is taken "
                                   "once the bundle it sent next is imported: import "
                                   "that one, then this one again")
    assert "was revoked" in outcome.reason and outcome.to_dict()["waits"] is True
    assert snapshot(hq2) == before
    assert import_bundle(hq2, second).outcome == "merged"
    assert import_bundle(hq2, first).outcome == "merged"
    assert progress.digest(hq2, office="ML") == shown


def test_bundles_chosen_together_are_taken_back_in_any_order(sent_twice) -> None:
    """'fieldplan import b2 b3' (a mail folder, in the order sent): the earlier one is
    imported again once the later one is in."""
    from fieldplan.sync import import_bundles

    _a, (first, second), shown, hq2 = sent_twice
    outcomes = import_bundles(hq2, [first, second])
    assert [(o.outcome, o.waits) for o in outcomes] == [("merged", False)] * 2
    assert progress.digest(hq2, office="ML") == shown
    assert sync_state(hq2).restored["revoked_lost"] == []


def test_an_earlier_bundle_alone_is_tried_once(sent_twice, tmp_path: Path) -> None:
    """Nothing of the lot signed with its key was merged (another computer's bundle
    was): not imported again (one inbox line, the reason saying which to import
    first)."""
    from fieldplan.sync import import_bundles

    a, (first, _second), _shown, hq2 = sent_twice
    progress.record_progress(a, national(a, 4), "2026-S1", status="on-track")
    other = export_bundle(a, out_dir=tmp_path).path
    outcome, others = import_bundles(hq2, [first, other])
    assert (outcome.outcome, outcome.waits) == ("rejected", True)
    assert others.outcome == "merged"
    assert hq2.conn.execute("SELECT count(*) FROM inbox WHERE file_name = ?",
                            (first.name,)).fetchone()[0] == 1


def _signed_by(laptop, template: Path, out: Path, lines: list[bytes]) -> Path:
    """``lines`` in a bundle signed with ``laptop``'s key (revoked: whoever holds the
    lost laptop signs what they like), its manifest as ``template``'s."""
    from fieldplan import bundle as bundlefmt

    with bundlefmt.open_bundle(template) as b:
        m = b.manifest
    keep = {k: m[k] for k in ("kind", "plan_id", "sender", "office", "recipient", "ranges",
                              "acks") if k in m}
    bundlefmt.write_bundle(out, keep, lines, keyreg.secret_key(laptop))
    return out


def test_a_forged_link_of_a_revoked_laptop_records_no_fork(hq, tmp_path: Path) -> None:
    """A run ending with the recorded event, whose first event does not follow the one
    HQ holds: refused as the revocation, and no forked history is recorded (HQ's
    bundles would carry the replica again for ever, for a computer that can never
    repair it), by import and by verify alike."""
    import json

    from fieldplan import bundle as bundlefmt
    from fieldplan.sync import verify_bundle
    from fieldplan.sync.state import open_forks

    a, b, bundle, _shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    try:
        with bundlefmt.open_bundle(bundle) as opened:
            lines = [json.loads(line) for line in opened.iter_lines()]
        lines[1]["prev"] = "f" * 64  # (event 1 is held at HQ: this one does not follow it)
        forged = _signed_by(b, bundle, tmp_path / "forged.fieldplan",
                            [events.canonical_json(e).encode() for e in lines[1:]])
        before = snapshot(hq2)
        checked = verify_bundle(hq2, forged)
        assert not checked["valid"] and "which was revoked" in checked["reason"]
        outcome = import_bundle(hq2, forged)
        assert outcome.outcome == "rejected" and "which was revoked" in outcome.reason
        assert open_forks(hq2) == [] and snapshot(hq2) == before
    finally:
        hq2.close()
        a.close()
        b.close()


def test_a_hole_at_the_revocation_is_not_filled(hq, tmp_path: Path) -> None:
    """HQ lacked events 2-3 of B (a restore, of a replaced database it could not read:
    nothing says HQ held them) but held 4 when it revoked B: what HQ held is counted
    to the last event of the unbroken run from the first, so B's full bundle brings
    nothing it never had, and is refused unread. (The replaced database read, they
    were held: test_revoked_after_restore.)"""
    from test_revoked_after_restore import b_lost_in_a_restore

    from tests.scenes import replaced_database_unread

    a, b, hq2 = b_lost_in_a_restore(hq, tmp_path)
    replaced_database_unread(hq2)
    try:
        progress.record_progress(b, national(b, 4), "2026-S1", status="off-track")
        assert send(b, hq2, tmp_path)[1].outcome == "merged"  # (a gap: 2-3)
        revoke_key(hq2, b.meta("key_id"))
        assert keyreg.revoked_held(hq2)[b.meta("key_id")][b.replica_id][0] == 1
        held = snapshot(hq2)
        (tmp_path / "full").mkdir()
        full = export_bundle(b, out_dir=tmp_path / "full", full=True).path
        outcome = import_bundle(hq2, full)
        assert outcome.outcome == "rejected" and "which was revoked" in outcome.reason
        assert snapshot(hq2) == held
    finally:
        hq2.close()
        a.close()
        b.close()


def test_verify_says_what_an_import_takes_of_a_revoked_laptop(hq, tmp_path: Path) -> None:
    """``verify`` says what ``import`` will: the key is revoked, the events it takes
    back, those it refuses (it said "valid", no more)."""
    from fieldplan.sync import verify_bundle

    a, b, _bundle, _shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    try:
        progress.record_progress(b, national(b, 4), "2026-S1", status="off-track")
        later = export_bundle(b, out_dir=tmp_path / "mail").path
        checked = verify_bundle(hq2, later)
        key = b.meta("key_id")
        assert checked["valid"] and checked["held_only"] == (
            f"signed with key {key} (ML), which was revoked: an import takes back 2 events "
            "of it, ones headquarters held when it revoked the key; events 4–4 of replica "
            f"{b.replica_id[:8]}, beyond what headquarters held of it when it revoked its "
            f"key, are refused: signed with key {key} (ML), which was revoked")
    finally:
        hq2.close()
        a.close()
        b.close()


# --- a person stops the warning ---------------------------------------------------------
# The warning ended only when the revoked computer's bundle was imported again: a
# computer stolen with its bundles never sends one, and headquarters was warned for ever.


@pytest.mark.parametrize("later", ["older backup", "backup taken after"])
def test_the_warning_of_a_revoked_computers_lost_events_can_be_stopped(
        hq, tmp_path: Path, later: str) -> None:
    """Stopped, with when and by whom, and said of no office instead; a later restore
    (from the backup older than the revocation again; from one taken after the
    dismissal, the replaced file gone) does not warn of them again; the computer's
    bundle still brings them back."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import dismiss_revoked_lost
    from fieldplan.sync.state import restored_state

    a, b, bundle, shown, hq2 = revoked_after_its_bundle(hq, tmp_path)
    path = hq2.path
    [older] = store.list_backups(path)  # (restored_from left that one alone)
    try:
        [lost] = sync_state(hq2).restored["revoked_lost"]
        assert dismiss_revoked_lost(hq2) == [lost]
        assert dismiss_revoked_lost(hq2) == []  # nothing left to stop
        state = restored_state(hq2)
        assert state["revoked_lost"] == [] and state["offices_lost"] == []
        assert [line for line in replica_status(hq2).lines("en") if line[0] == "Warning"] \
            == []
        record = json.loads(hq2.meta("restored"))[store.REVOKED_LOST_DISMISSED]
        assert record[b.replica_id]["upto"] == lost["upto"] == 3
        assert record[b.replica_id]["dismissed_by"] == hq2.author
        if later == "older backup":
            hq2 = restored_from(hq2, older)
        else:
            taken = store.backup(hq2.conn, path, "manual")
            hq2.close()
            for side in ("", "-wal", "-shm"):
                Path(str(path) + side).unlink(missing_ok=True)
            store.restore_backup(path, taken, force=True)
            hq2 = open_replica(path)
        assert sync_state(hq2).restored["revoked_lost"] == []
        assert sync_state(hq2).restored["offices_lost"] == []
        outcome = import_bundle(hq2, bundle)
        assert outcome.outcome == "merged", outcome.reason
        assert progress.digest(hq2, office="ML") == shown
    finally:
        hq2.close()
        a.close()
        b.close()
