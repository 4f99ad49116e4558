"""A key headquarters rotated out (retired) signed its bundles until the rotation; one
arriving late is taken (test_sync's out-of-rotation-order test). Past the record of
its retirement it signs nothing: headquarters rotates a key that leaked (it cannot
revoke its own), and the old key must not go on writing headquarters' records."""

from __future__ import annotations

import uuid
from pathlib import Path

from test_sync import national, registered, send, snapshot

from fieldplan import bundle as bundlefmt
from fieldplan import events, progress
from fieldplan.sync import import_bundle, rotate_key, sync_state
from fieldplan.sync import keys as keyreg


def _forged_lock(hq, office, old, path: Path, period: str = "2026-S1") -> Path:
    """A bundle for ``office`` signed by headquarters' retired key ``old``, carrying
    one more event of headquarters' replica: a period lock the real one never wrote."""
    seq, prev = events.last_event(office.conn, hq.replica_id)
    event = {"author": "hq", "base": {}, "entity": "lock", "fields": {"locked": True},
             "hlc": (events.wall_ms() << 16) + 5, "id": period, "origin": hq.replica_id,
             "prev": prev, "seq": seq + 1}
    manifest = {"kind": "sync", "plan_id": hq.plan_id, "sender": hq.replica_id,
                "office": "HQ", "recipient": office.office,
                "ranges": {hq.replica_id: [seq + 1, seq + 1]}, "acks": {},
                "bundle_id": uuid.uuid4().hex}
    bundlefmt.write_bundle(path, manifest, [event], old)
    return path


def test_a_retired_headquarters_key_writes_nothing_after_its_retirement(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    _, outcome = send(hq, ml, tmp_path)  # the office learns of the rotation
    assert outcome.outcome == "merged", outcome.reason
    assert keyreg.all_keys(ml)[old.key_id_hex].status == "retired"
    before = snapshot(ml)
    forged = import_bundle(ml, _forged_lock(hq, ml, old, tmp_path / "old-key.fieldplan"))
    assert forged.outcome == "rejected"
    assert "\n" not in forged.reason
    assert f"key {old.key_id_hex}" in forged.reason and "retired" in forged.reason
    assert snapshot(ml) == before
    assert "2026-S1" not in progress.locked_periods(ml)
    # headquarters' real next event still follows: no fork left behind
    progress.set_period_lock(hq, "2026-S2")
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert "2026-S2" in progress.locked_periods(ml)


def _forged(sender, office_code: str, recipient: str, old, path: Path, lines: list,
            acks: dict, plan_id: str, ranges: dict, **extra) -> Path:
    manifest = {"kind": "sync", "plan_id": plan_id, "sender": sender, "office": office_code,
                "recipient": recipient, "ranges": ranges, "acks": acks,
                "bundle_id": uuid.uuid4().hex, **extra}
    bundlefmt.write_bundle(path, manifest, lines, old)
    return path


def test_receipts_of_a_retired_headquarters_key_say_nothing(hq, make_office,
                                                            tmp_path: Path) -> None:
    """Headquarters' receipts past what an office computer holds make it go on as a new
    replica (a copy of its database wrote too): a retired key's, forged, did so."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    send(hq, ml, tmp_path)
    identity, before = ml.replica_id, snapshot(ml)
    forged = import_bundle(ml, _forged(
        hq.replica_id, "HQ", "ML", old, tmp_path / "receipts.fieldplan", [],
        {ml.replica_id: 1_000_000}, hq.plan_id, {}))
    assert forged.outcome != "rejected", forged.reason
    assert ml.replica_id == identity and snapshot(ml) == before
    assert ml.conn.execute("SELECT max(seq) FROM acks WHERE origin = ?",
                           (ml.replica_id,)).fetchone()[0] < 1_000_000


def test_an_office_key_a_rotation_replaced_writes_nothing_new_at_headquarters(
        hq, make_office, tmp_path: Path) -> None:
    """An office rotates its key (its old key file leaked): the old key's bundle of
    a next event was merged, and the computer's real next bundle then refused at
    headquarters as a forked history."""
    ml = registered(make_office("ML"), hq, tmp_path)
    old = keyreg.secret_key(ml)
    rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=20)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert keyreg.all_keys(hq)[old.key_id_hex].status == "retired"
    seq, prev = events.last_event(hq.conn, ml.replica_id)
    event = {"author": "thief", "base": {}, "entity": "progress",
             "fields": {"status": "cancelled"}, "hlc": (events.wall_ms() << 16) + 9,
             "id": f"ML|{national(ml)}|2026-S1", "origin": ml.replica_id, "prev": prev,
             "seq": seq + 1}
    before = snapshot(hq)
    forged = import_bundle(hq, _forged(
        ml.replica_id, "ML", "HQ", old, tmp_path / "old-ml.fieldplan", [event], {},
        hq.plan_id, {ml.replica_id: [seq + 1, seq + 1]}))
    assert forged.outcome == "rejected"
    assert forged.reason == (
        f"signed with key {old.key_id_hex} (ML), which a newer key of that computer "
        "replaced: a bundle it signed brings nothing the newer key's bundles did not (a "
        "leaked key or a forged file); ask ML for a new bundle")
    assert snapshot(hq) == before
    # the computer's real next change still merges
    progress.record_progress(ml, national(ml), "2026-S1", percent=30)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_receipts_of_a_leaked_headquarters_key_lose_nothing_before_the_rotation_arrives(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters rotated out a leaked key; before the office heard of the rotation,
    the key's holder sent it receipts naming all the office held (no hash: the events
    after headquarters' last never left the office). They were taken: the office's
    next bundles left those changes out for good, headquarters' true receipts being
    lower, and 'unsent' said 0. A receipt of the office's own events is taken only
    with the hash of the event it names, from a headquarters that gives them."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk", percent=5)
    progress.record_progress(ml, national(ml, 2), "2026-S1", status="off-track")
    last = events.last_event(ml.conn, ml.replica_id)[0]
    held = events.last_event(hq.conn, ml.replica_id)[0]
    assert held < last and sync_state(ml).unsent == last - held
    forged = import_bundle(ml, _forged(
        hq.replica_id, "HQ", "ML", old, tmp_path / "receipts.fieldplan", [],
        {ml.replica_id: last}, hq.plan_id, {}))
    assert forged.outcome != "rejected", forged.reason
    assert sync_state(ml).unsent == last - held
    assert ml.conn.execute("SELECT max(seq) FROM acks WHERE origin = ?",
                           (ml.replica_id,)).fetchone()[0] == held
    _, outcome = send(hq, ml, tmp_path)  # the rotation arrives
    assert outcome.outcome == "merged", outcome.reason
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged" and outcome.events_new == last - held
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # headquarters' true receipts, with their hashes, are taken
    send(hq, ml, tmp_path)
    assert sync_state(ml).unsent == 0


def test_a_receipt_without_hash_is_taken_from_a_headquarters_that_never_gave_them(
        hq, make_office, tmp_path: Path) -> None:
    """A headquarters on a fieldplan older than receipts' hashes (its bundles never
    said it reads format 3) is believed as before: the office does not send its
    whole history again with each bundle."""
    from fieldplan import store
    from fieldplan.sync import formats

    ml = registered(make_office("ML"), hq, tmp_path)
    seen = formats._load(ml)
    seen[hq.replica_id]["format"] = formats.HASHED_RECEIPTS_SINCE - 1
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, formats.META_KEY, events.canonical_json(seen))
    last = events.last_event(ml.conn, ml.replica_id)[0]
    path = _forged(hq.replica_id, "HQ", "ML", keyreg.secret_key(hq),
                   tmp_path / "older.fieldplan", [], {ml.replica_id: last}, hq.plan_id, {},
                   reads_version=formats.HASHED_RECEIPTS_SINCE - 1)
    assert import_bundle(ml, path).outcome != "rejected"
    assert sync_state(ml).unsent == 0


def test_a_leaked_headquarters_keys_receipt_with_a_false_hash_leaves_nothing_out(
        hq, make_office, tmp_path: Path) -> None:
    """The same receipt with a hash that is not the event's says the office's history
    forked: its replica goes from 1 again, and headquarters gets all it lacked."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk", percent=5)
    last = events.last_event(ml.conn, ml.replica_id)[0]
    forged = import_bundle(ml, _forged(
        hq.replica_id, "HQ", "ML", old, tmp_path / "hashed.fieldplan", [],
        {ml.replica_id: last}, hq.plan_id, {}, ack_hashes={ml.replica_id: "0" * 64}))
    assert forged.outcome != "rejected", forged.reason
    send(hq, ml, tmp_path)
    send(ml, hq, tmp_path)
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_a_leaked_keys_event_merged_before_the_rotation_is_taken_out_by_it(
        hq, make_office, tmp_path: Path) -> None:
    """Before the office has merged a bundle of headquarters' new key, the old one is
    headquarters' there: a lock its holder wrote was merged, and then headquarters'
    real bundle, which carries the rotation, was refused as headquarters' forked
    history ('tell headquarters'): the office never learnt of the rotation and kept
    the false lock. The rotation's record says the key was retired before that
    event: what the key brought from there is taken out, and said so."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    seq = events.last_event(ml.conn, hq.replica_id)[0] + 1
    forged = import_bundle(ml, _forged_lock(hq, ml, old, tmp_path / "lock.fieldplan"))
    assert forged.outcome == "merged" and "2026-S1" in progress.locked_periods(ml)
    progress.set_period_lock(hq, "2026-S2")
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.reason == (
        f"1 change of headquarters from number {seq} on was taken out: key "
        f"{old.key_id_hex} brought it after headquarters had retired that key (a leaked "
        "key); headquarters' own changes replace it; headquarters locked 2nd semester "
        "2026; headquarters unlocked 1st semester 2026")
    assert progress.locked_periods(ml) == ["2026-S2"]
    assert keyreg.all_keys(ml)[old.key_id_hex].status == "retired"
    assert events.last_event(ml.conn, hq.replica_id) == events.last_event(
        hq.conn, hq.replica_id)
    # the office's next bundle is taken at headquarters, and the two agree
    progress.record_progress(ml, national(ml), "2026-S1", percent=40)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_an_older_key_of_headquarters_forking_before_its_retirement_is_still_refused(
        hq, make_office, tmp_path: Path) -> None:
    """A fork of headquarters' history the retired key's events do not explain (they
    came before its retirement, or from another key) is still headquarters' forked
    history: nothing is taken out."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    progress.set_period_lock(hq, "2026-S2")  # written before the rotation, not sent
    rotate_key(hq)
    forged = import_bundle(ml, _forged_lock(hq, ml, old, tmp_path / "lock.fieldplan"))
    assert forged.outcome == "merged"
    before = snapshot(ml)
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "rejected" and "forked history" in outcome.reason
    assert snapshot(ml) == before


def test_a_computer_of_headquarters_a_leaked_key_made_up_goes_with_its_record(
        hq, make_office, tmp_path: Path) -> None:
    """The leaked key's holder registered a key of its own for a made-up computer of
    headquarters, whose events then locked a period: taking the registration out
    leaves its events behind, the lock shown and the key trusted. They go too."""
    from fieldplan import minisign

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    evil, other = minisign.generate_key(), str(uuid.uuid4())
    seq, prev = events.last_event(ml.conn, hq.replica_id)
    hlc = (events.wall_ms() << 16) + 5
    record = {"author": "hq", "base": {}, "entity": "key", "fields": {
        "office": "HQ", "public_key": evil.public.to_base64(), "replica": other,
        "status": "active"}, "hlc": hlc, "id": evil.key_id_hex, "origin": hq.replica_id,
        "prev": prev, "seq": seq + 1}
    lock = {"author": "hq", "base": {}, "entity": "lock", "fields": {"locked": True},
            "hlc": hlc + 1, "id": "2026-S1", "origin": other, "prev": events.GENESIS,
            "seq": 1}
    forged = import_bundle(ml, _forged(
        hq.replica_id, "HQ", "ML", old, tmp_path / "made-up.fieldplan", [record, lock], {},
        hq.plan_id, {hq.replica_id: [seq + 1, seq + 1], other: [1, 1]}))
    assert forged.outcome == "merged", forged.reason
    assert evil.key_id_hex in keyreg.all_keys(ml)
    assert "2026-S1" in progress.locked_periods(ml)
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.reason.startswith("2 changes of headquarters from number")
    assert evil.key_id_hex not in keyreg.all_keys(ml)
    assert "2026-S1" not in progress.locked_periods(ml)
    assert ml.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                           (other,)).fetchone()[0] == 0
