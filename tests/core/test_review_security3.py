"""Security review of the restore / renewal changes (third pass): crafted bundles,
crafted files (key files, backups) and sequences of legitimate operations against the
import checks. The one known limitation is a strict xfail."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from test_review_renewal import renewal
from test_sync import national, registered, restored, send, snapshot

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress, store
from fieldplan.errors import StoreError
from fieldplan.minisign import KeyFileError
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import (
    import_bundle,
    revoke_key,
    rotate_key,
    trust_key,
    verify_bundle,
)
from fieldplan.sync import keys as keyreg
from fieldplan.sync.exchange import ENROL_CONTEXT

NEW_ID = "5eca11ed-0000-4000-8000-00000000beef"
MIDDLE_ID = "5eca11ed-0000-4000-8000-00000000cafe"


# --- helpers --------------------------------------------------------------------------


def proof(holder, signer: minisign.SecretKey, sender: str) -> dict:
    """The enrolment proof a holder of the office's setup bundle (token) can compute
    for any key and any replica id."""
    info = json.loads(holder.meta("enrolment"))
    mac = hmac.new(info["token"].encode(), ENROL_CONTEXT + signer.public.raw + sender.encode(),
                   hashlib.sha256).hexdigest()
    return {"id": info["id"], "proof": mac}


def bundle(path: Path, plan_id: str, *, sender: str, office: str, signer,
           rotation: list[dict] | None = None, lines: list | None = None,
           recipient: str = "HQ", enrolment: dict | None = None) -> Path:
    manifest = {"kind": "sync", "plan_id": plan_id, "sender": sender, "office": office,
                "recipient": recipient, "ranges": {}, "acks": {}}
    if rotation:
        manifest["rotation"] = rotation
    if enrolment:
        manifest["enrolment"] = enrolment
    bundlefmt.write_bundle(path, manifest, lines or [], signer)
    return path


def next_of(conn, origin: str, office: str, action: str, percent: int = 99) -> dict:
    """The next event of ``origin``'s chain as the database ``conn`` holds it (an
    attacker's own copy of a sibling's events)."""
    seq, prev = events.last_event(conn, origin)
    return {"author": "mallory", "base": {}, "entity": "progress",
            "fields": {"percent": percent}, "hlc": 2_000_000_000_000 << 16,
            "id": f"{office}|{action}|2026-S1", "origin": origin, "prev": prev,
            "seq": seq + 1}


def expire_tokens(hq) -> None:
    with store.write_transaction(hq.conn):
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")


def claim(holder, victim: str, path: Path, lines: list | None = None) -> Path:
    """A token holder's bundle: a made-up 'restored computer' NEW_ID whose (made-up)
    earlier key endorses its key as the continuation of ``victim``."""
    k0, k1 = minisign.generate_key(), minisign.generate_key()
    return bundle(path, holder.plan_id, sender=NEW_ID, office=holder.office, signer=k1,
                  rotation=[renewal(k0, k1, NEW_ID, victim)], lines=lines,
                  enrolment=proof(holder, k1, NEW_ID))


# =====================================================================================
# 1. The enrolment-token lineage: a token holder claims any replica as "restored"
# =====================================================================================


def test_token_holder_writes_into_a_registered_siblings_chain(hq, make_office,
                                                             tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)  # A holds B's events, as every ML laptop does
    forged = next_of(a.conn, b.replica_id, "ML", national(a))
    before = snapshot(hq)
    outcome = import_bundle(hq, claim(a, b.replica_id, tmp_path / "claim.fieldplan",
                                      [forged]))
    assert outcome.outcome != "merged", outcome
    assert snapshot(hq) == before
    assert b.replica_id not in keyreg.successor_of(keyreg.all_keys(hq))
    # B's real next event still goes in
    progress.record_progress(b, national(b, 1), "2026-S1", percent=40)
    assert send(b, hq, tmp_path)[1].outcome == "merged"


def test_token_holder_writes_into_a_revoked_computers_chain(hq, make_office,
                                                           tmp_path: Path) -> None:
    """A laptop is revoked (its tokens end); the next ML setup bundle (a new laptop)
    holds the revoked laptop's events: its holder extends the revoked chain."""
    lost = registered(make_office("ML", "ml-lost"), hq, tmp_path)
    revoke_key(hq, lost.meta("key_id"))
    new = make_office("ML", "ml-new")  # a fresh token, and the revoked laptop's events
    assert events.last_event(new.conn, lost.replica_id)[0] >= 1
    forged = next_of(new.conn, lost.replica_id, "ML", national(new))
    before = snapshot(hq)
    outcome = import_bundle(hq, claim(new, lost.replica_id, tmp_path / "claim.fieldplan",
                                      [forged]))
    assert outcome.outcome != "merged", outcome
    assert snapshot(hq) == before


def test_token_holder_claims_a_computer_of_another_office(hq, make_office,
                                                         tmp_path: Path) -> None:
    """No events needed: the registry now says an ML computer continues SN's laptop,
    and SN's laptop can no longer be followed through a restore of its own."""
    ml = make_office("ML")
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, sn, tmp_path)  # SN's backup
    outcome = import_bundle(hq, claim(ml, sn.replica_id, tmp_path / "claim.fieldplan"))
    assert outcome.outcome == "merged", outcome  # a new ML computer: fine by itself
    keys = keyreg.all_keys(hq)
    assert keyreg.successor_of(keys).get(sn.replica_id) is None, \
        "an ML replica is recorded as continuing SN's laptop"
    expire_tokens(hq)
    sn = restored(sn)
    try:
        progress.record_progress(sn, national(sn, 1), "2026-S1", status="on-track")
        _, outcome = send(sn, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        sn.close()


def test_token_holder_claims_headquarters_replica(hq, make_office, tmp_path: Path) -> None:
    """An ML token holder registers a computer 'continuing' HQ's replica: offices then
    refuse HQ's own restore (the replica is continued already)."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    evil = make_office("ML", "ml-evil")
    import_bundle(hq, claim(evil, hq.replica_id, tmp_path / "claim.fieldplan"))
    send(hq, ml, tmp_path)  # the registry reaches ML
    store.backup(hq.conn, hq.path, "manual")
    hq2 = restored(hq)
    try:
        _, outcome = send(hq2, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        hq2.close()


def test_revoking_the_claimant_stops_headquarters_rotation(hq, make_office,
                                                           tmp_path: Path) -> None:
    """HQ notices the bogus 'restored' computer and revokes it: the claimed HQ replica
    is now part of a revoked computer, and every office refuses HQ's key rotation."""
    ml = registered(make_office("ML"), hq, tmp_path)
    evil = make_office("ML", "ml-evil")
    k0, k1 = minisign.generate_key(), minisign.generate_key()
    import_bundle(hq, bundle(tmp_path / "claim.fieldplan", hq.plan_id, sender=NEW_ID,
                             office="ML", signer=k1,
                             rotation=[renewal(k0, k1, NEW_ID, hq.replica_id)],
                             enrolment=proof(evil, k1, NEW_ID)))
    revoke_key(hq, k1.public.key_id_hex)
    send(hq, ml, tmp_path)
    rotate_key(hq)
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason


def test_a_lineage_through_a_bound_replica_is_not_taken(hq, make_office,
                                                        tmp_path: Path) -> None:
    """Refused today: a lineage whose intermediate replica is a registered sibling (two
    restores) is dropped, and the sibling's events stay out."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    k0, k1, k2 = (minisign.generate_key() for _ in range(3))
    chain = [renewal(k0, k1, b.replica_id, MIDDLE_ID), renewal(k1, k2, NEW_ID, b.replica_id)]
    forged = next_of(a.conn, b.replica_id, "ML", national(a))
    before = snapshot(hq)
    outcome = import_bundle(hq, bundle(tmp_path / "two.fieldplan", a.plan_id, sender=NEW_ID,
                                       office="ML", signer=k2, rotation=chain,
                                       lines=[forged], enrolment=proof(a, k2, NEW_ID)))
    assert outcome.outcome == "rejected" and "its own events only" in outcome.reason
    assert snapshot(hq) == before
    assert b.replica_id not in keyreg.successor_of(keyreg.all_keys(hq))


def test_a_lineage_to_a_replica_already_continued_is_not_taken(hq, make_office,
                                                               tmp_path: Path) -> None:
    """Refused today: the replica a real restore continues cannot be claimed again by
    a token holder (one restore of a replica, not two)."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    first = a.replica_id
    send(hq, a, tmp_path)
    a = restored(a)
    try:
        progress.record_progress(a, national(a, 1), "2026-S1", status="on-track")
        assert send(a, hq, tmp_path)[1].outcome == "merged"
        evil = make_office("ML", "ml-evil")
        send(hq, evil, tmp_path)
        forged = next_of(evil.conn, first, "ML", national(evil))
        before = snapshot(hq)
        outcome = import_bundle(hq, claim(evil, first, tmp_path / "again.fieldplan",
                                          [forged]))
        assert outcome.outcome == "rejected", outcome
        assert snapshot(hq) == before
        assert keyreg.successor_of(keyreg.all_keys(hq))[first] == a.replica_id
    finally:
        a.close()


# =====================================================================================
# 2. trust_key takes the lineage from the quarantined bundle
# =====================================================================================


def test_trusting_a_fingerprint_also_hands_over_a_sibling(hq, make_office,
                                                          tmp_path: Path) -> None:
    """No token: the bundle waits in quarantine; the person checks the fingerprint with
    the office (the new laptop's owner confirms it) and trusts it. The lineage the
    bundle carries - 'I continue laptop B' - is taken without being shown."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    expire_tokens(hq)
    k0, k1 = minisign.generate_key(), minisign.generate_key()
    forged = next_of(a.conn, b.replica_id, "ML", national(a))
    path = bundle(tmp_path / "quarantined.fieldplan", a.plan_id, sender=NEW_ID, office="ML",
                  signer=k1, rotation=[renewal(k0, k1, NEW_ID, b.replica_id)],
                  lines=[forged])
    assert import_bundle(hq, path).outcome == "quarantined"
    before = (progress.digest(hq, "ML"), events.last_event(hq.conn, b.replica_id))
    [outcome] = trust_key(hq, k1.public.fingerprint)  # the key is trusted, nothing more
    assert outcome.outcome == "rejected" and "its own events only" in outcome.reason
    assert (progress.digest(hq, "ML"), events.last_event(hq.conn, b.replica_id)) == before
    assert b.replica_id not in keyreg.successor_of(keyreg.all_keys(hq))


def test_trusting_a_key_of_a_revoked_computer(hq, make_office, tmp_path: Path) -> None:
    """A bundle from the laptop's replica id with a new key waits in quarantine; the
    laptop is then reported stolen and revoked; trusting the quarantined key later
    (a mistaken 'yes' on the phone) lets the revoked computer write again."""
    ml = registered(make_office("ML"), hq, tmp_path)
    thief = minisign.generate_key()
    forged = next_of(ml.conn, ml.replica_id, "ML", national(ml))
    path = bundle(tmp_path / "thief.fieldplan", ml.plan_id, sender=ml.replica_id,
                  office="ML", signer=thief, lines=[forged])
    assert import_bundle(hq, path).outcome == "quarantined"
    revoke_key(hq, ml.meta("key_id"))
    before = snapshot(hq)
    try:
        outcomes = trust_key(hq, thief.public.fingerprint)
    except Exception as exc:  # refused: fine
        outcomes = [exc]
    assert not any(getattr(o, "outcome", "") == "merged" for o in outcomes), outcomes
    assert snapshot(hq) == before


# =====================================================================================
# 3. Revocation of a computer: the current key of a computer whose earlier key is revoked
# =====================================================================================


@pytest.mark.parametrize("change", ["restore", "rotation"])
def test_revoking_an_earlier_key_stops_the_current_one(hq, make_office, tmp_path: Path,
                                                       change: str) -> None:
    """HQ revokes the key it knows the laptop by (the one from its enrolment, listed
    first): the laptop's current key, made by a restore or a rotation, still works."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first_key = ml.meta("key_id")
    send(hq, ml, tmp_path)  # backup
    if change == "restore":
        ml = restored(ml)
    else:
        rotate_key(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        assert keyreg.all_keys(hq)[first_key].status == "retired"
        revoke_key(hq, first_key)
        progress.record_progress(ml, national(ml, 2), "2026-S1", percent=5)
        before = snapshot(hq)
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "rejected" and "revoked" in outcome.reason, outcome
        assert snapshot(hq) == before
    finally:
        ml.close()


# =====================================================================================
# 4. MAX_ROTATIONS truncates the chain
# =====================================================================================


def test_a_restore_followed_by_many_rotations_keeps_the_computer_whole(
        hq, make_office, tmp_path: Path) -> None:
    """More rotations than MAX_ROTATIONS after a restore, before HQ hears of any: the
    chain keeps the restore's endorsement (HQ knows no later key), so HQ links the
    computer whole, and revoking the restored laptop still covers a pre-restore copy."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    send(hq, ml, tmp_path)
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # the backup holds HQ's receipt of the first report
    stolen_path = tmp_path / "stolen" / "ml.sqlite3"
    stolen_path.parent.mkdir()
    with sqlite3.connect(stolen_path) as copy:
        ml.conn.backup(copy)
    shutil.copy(key_path(ml.path), key_path(stolen_path))
    ml = restored(ml)
    try:
        for _ in range(keyreg.MAX_ROTATIONS + 2):
            rotate_key(ml)
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        revoke_key(hq, ml.meta("key_id"))  # the restored laptop is stolen
        with open_replica(stolen_path) as stolen:
            progress.record_progress(stolen, national(stolen, 2), "2026-S1", percent=5)
            before = snapshot(hq)
            _, outcome = send(stolen, hq, tmp_path)
        assert outcome.outcome == "rejected", outcome
        assert snapshot(hq) == before
        assert first in keyreg.computer(keyreg.all_keys(hq), ml.replica_id)
    finally:
        ml.close()


# =====================================================================================
# 5. Files: key-file comment, .new / .old, restore of another database's backup
# =====================================================================================


def test_a_sibling_key_file_beside_a_restored_backup(hq, make_office,
                                                     tmp_path: Path) -> None:
    """Sequence: laptop A's disk fails; the backup is put back, but the key file copied
    beside it is sibling B's (same office folder layout, wrong machine). The restore
    signs with B's key, so HQ records A's database as B's continuation: B's key is
    retired, B drops out of HQ's peers, and A's own lineage is lost."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    send(hq, a, tmp_path)  # backup with HQ's receipts
    b_key = b.meta("key_id")
    shutil.copy(key_path(b.path), key_path(a.path))
    path = a.path
    a.close()
    # the backup is A's, the key file beside it B's: refused, nothing replaced, and the
    # key file named as the one at fault, once (not each of A's backups as another
    # computer's)
    with pytest.raises(StoreError) as caught:
        store.restore_latest_backup(path, force=True)
    assert f"but the key file {key_path(path).name} holds another key ({b_key}), likely " \
        "another computer's: put this computer's own key file back" in str(caught.value)
    assert "another computer's backup" not in str(caught.value)
    try:
        a = open_replica(path)
    except StoreError:
        return  # refusing the foreign key file is a fix
    try:
        progress.record_progress(a, national(a, 2), "2026-S1", status="on-track")
        # nothing is signed with B's key (keys.secret_key): HQ never hears of it
        with pytest.raises(KeyFileError, match="not this computer's key"):
            send(a, hq, tmp_path)
        keys = keyreg.all_keys(hq)
        assert keys[b_key].status == "active"
        assert b.replica_id not in keyreg.successor_of(keys)
    finally:
        a.close()


def test_a_planted_key_file_comment_does_not_redirect_a_restore(hq, make_office,
                                                                tmp_path: Path) -> None:
    """Attacker: write access to the data folder (or a key file 'repaired' by hand).
    The key is the laptop's own; only the comment names sibling B. The restore then
    endorses itself as B's continuation with A's key: HQ cannot follow it, and the
    report the backup alone held never reaches HQ."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    progress.record_progress(a, national(a, 1), "2026-S1", status="at-risk")
    store.backup(a.conn, a.path, "manual")  # holds a report HQ never got
    kpath = key_path(a.path)
    text = kpath.read_text()
    kpath.write_text(text.replace(a.replica_id, b.replica_id))
    assert minisign.secret_key_replica(kpath) == b.replica_id
    first = a.replica_id
    a = restored(a)
    try:
        _, outcome = send(a, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert first in keyreg.computer(keyreg.all_keys(hq), a.replica_id)
        assert b.replica_id not in json.loads(a.meta("renewed_from"))
    finally:
        a.close()


def test_a_planted_key_new_of_another_key_is_discarded(hq, make_office,
                                                       tmp_path: Path) -> None:
    """Refused today: a .key.new whose key is not the database's is removed, never
    moved over the key file."""
    ml = registered(make_office("ML"), hq, tmp_path)
    path, kpath = ml.path, key_path(ml.path)
    real = kpath.read_bytes()
    ml.close()
    minisign.save_secret_key(kpath.with_name(kpath.name + ".new"), minisign.generate_key(),
                             replica=NEW_ID)
    with open_replica(path) as ml:
        assert kpath.read_bytes() == real
        assert not kpath.with_name(kpath.name + ".new").exists()
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome in ("merged", "duplicate"), outcome.reason


def test_a_planted_old_key_file_of_another_id_signs_nothing(hq, make_office,
                                                           tmp_path: Path) -> None:
    """Refused today: an .old file named for the database's key but holding another key
    is skipped (the key id is checked), so it cannot endorse the restore."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # backup with the first key
    known = ml.meta("key_id")
    rotate_key(ml)
    kpath = key_path(ml.path)
    for old in kpath.parent.glob(f"{kpath.name}.{known}.*.old"):
        old.unlink()  # the real old key is gone...
    stranger = minisign.generate_key()  # ...and a stranger's is planted under its name
    minisign.save_secret_key(
        kpath.with_name(f"{kpath.name}.{known}.29990101T000000000000Z.old"), stranger)
    ml = restored(ml)
    try:
        chain = keyreg.endorsements(json.loads(ml.meta("rotation")))
        assert stranger.public.key_id_hex not in {e["previous_key_id"] for e in chain}
        # without the old key nothing proves the restored replica continues the first:
        # HQ takes it as a new computer of ML (its token), and its events come
        _, outcome = send(ml, hq, tmp_path)
        if outcome.outcome == "rejected":  # it sent the first replica's events too early
            send(hq, ml, tmp_path)
            _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        ml.close()


@pytest.mark.parametrize("whose", ["sibling", "headquarters"])
def test_restore_refuses_a_backup_of_another_database(hq, make_office, tmp_path: Path,
                                                      whose: str) -> None:
    """`fieldplan restore FILE` takes any file with the backup mark. A sibling's backup
    makes this laptop a copy of the sibling continuing this laptop; HQ's backup makes a
    field laptop an HQ database (every office's enrolment token, its office key
    endorsing a new 'HQ' key, the real HQ key retired in its registry)."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    other = registered(make_office("ML", "ml-b"), hq, tmp_path) if whose == "sibling" else hq
    foreign = store.backup(other.conn, other.path, "manual")
    path = a.path
    a.close()
    with pytest.raises(StoreError):
        store.restore_backup(path, foreign, force=True)


def test_restore_refuses_an_unmarked_latest_backup(hq, make_office, tmp_path: Path) -> None:
    """Attacker: write access to the backups folder (or a user filing a plain copy of
    the database there). `fieldplan restore` (no file) takes the newest name without the
    backup-mark check an explicit file gets: the copy is put back unmarked, keeps the
    old replica id, and its next write forks the history HQ holds."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    folder = store.backup_dir(ml.path)
    folder.mkdir(exist_ok=True)
    planted = folder / f"{ml.path.stem}-29990101T000000000000Z-manual.sqlite3"
    with sqlite3.connect(planted) as copy:
        ml.conn.backup(copy)  # a plain copy: no backup mark
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)
    path = ml.path
    ml.close()
    try:
        store.restore_backup(path, force=True)
    except StoreError:
        return
    with open_replica(path) as rep:
        assert rep.replica_id != first


def test_headquarters_backup_on_an_office_path_speaks_for_nobody(hq, make_office,
                                                                 tmp_path: Path) -> None:
    """Refused today: whatever the mis-restored laptop now believes, offices and HQ
    refuse the 'HQ' it has become."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    sn = make_office("SN")
    send(hq, b, tmp_path)
    send(hq, sn, tmp_path)
    foreign = store.backup(hq.conn, hq.path, "manual")
    path = a.path
    a.close()
    with pytest.raises(StoreError, match="is a backup of another computer"):
        store.restore_backup(path, foreign, force=True)  # refused at once now
    # put in place by hand, it is refused when opened: the key beside it is an
    # office laptop's, which HQ's registry says belongs to another computer
    (tmp_path / "fake").mkdir()
    path = tmp_path / "fake" / "ml-a.sqlite3"
    shutil.copyfile(foreign, path)
    shutil.copy(key_path(tmp_path / "ml-a.sqlite3"), key_path(path))
    with pytest.raises(StoreError, match="is another computer's"):
        open_replica(path)


# =====================================================================================
# 6. verify's own-bundle shortcut
# =====================================================================================


def test_verify_own_shortcut_needs_the_own_key(hq, make_office, tmp_path: Path) -> None:
    """Refused today: a bundle claiming this replica as sender, signed by another key,
    is not taken for this computer's own; nor is one signed by a retired own key."""
    ml = registered(make_office("ML"), hq, tmp_path)
    stranger = minisign.generate_key()
    for rep, office, recipient in ((ml, "ML", "HQ"), (hq, "HQ", "ML")):
        path = bundle(tmp_path / f"own-{office}.fieldplan", rep.plan_id,
                      sender=rep.replica_id, office=office, recipient=recipient,
                      signer=stranger,
                      lines=[next_of(rep.conn, rep.replica_id, "ML", national(rep))])
        out = verify_bundle(rep, path)
        assert out["valid"] is False, out
    # a bundle of this laptop signed by its key before a rotation
    old = keyreg.secret_key(ml)
    rotate_key(ml)
    path = bundle(tmp_path / "own-old.fieldplan", ml.plan_id, sender=ml.replica_id,
                  office="ML", signer=old,
                  lines=[next_of(ml.conn, ml.replica_id, "ML", national(ml))])
    assert verify_bundle(ml, path)["valid"] is False
