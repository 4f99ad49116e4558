"""A database restored from a backup continues as a new replica: attacks on it (a
stolen or malicious laptop, crafted endorsements, replays) and unlucky sequences
(restoring twice, a backup older than a rotation, a crash, a missing key file). The
one known limitation is a strict xfail."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from test_sync import chained, national, registered, restored, send, snapshot

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress, store
from fieldplan.errors import StoreError
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import (
    export_bundle,
    import_bundle,
    list_quarantine,
    revoke_key,
    rotate_key,
    sync_state,
    trust_key,
)
from fieldplan.sync import keys as keyreg
from tests.scenes import restored_from

NEW_ID = "0badc0de-0000-4000-8000-00000000abcd"


def backup(rep) -> Path:
    return store.backup(rep.conn, rep.path, "manual")


def renewal(old: minisign.SecretKey, new: minisign.SecretKey, new_replica: str,
            previous_replica: str | None) -> dict:
    """An endorsement of ``new`` by ``old``, as renew_identity (previous_replica given)
    or rotate_key (None) writes it."""
    payload = keyreg.ROTATION_CONTEXT + new.public.raw + new_replica.encode()
    item = {"previous_public_key": old.public.to_base64(),
            "previous_key_id": old.public.key_id_hex}
    if previous_replica is not None:
        payload += b"\0" + previous_replica.encode()
        item["previous_replica"] = previous_replica
    item["signature"] = minisign.sign(old, payload, "endorsement")
    return item


def crafted(path: Path, rep, *, sender: str, office: str, recipient: str, signer,
            rotation: list[dict], lines: list) -> Path:
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": rep.plan_id, "sender": sender,
                                  "office": office, "recipient": recipient, "ranges": {},
                                  "acks": {}, "rotation": rotation}, lines, signer)
    return path


def progress_event(origin: str, office: str, action: str, seq: int = 1,
                   prev: str = events.GENESIS, **fields) -> dict:
    return {"author": "mallory", "base": {}, "entity": "progress",
            "fields": fields or {"percent": 66},
            "hlc": 2_000_000_000_000 << 16, "id": f"{office}|{action}|2026-S1",
            "origin": origin, "prev": prev, "seq": seq}


def reopen(path: Path):
    return open_replica(path)


def expire_tokens(hq) -> None:
    """Ninety days after enrolment: HQ follows a computer by endorsement or not at all."""
    with store.write_transaction(hq.conn):
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")


def seasoned(office, hq, tmp_path: Path):
    """An office whose next backup holds the registry with its own key and HQ's receipt
    of its first event (as after a few exchanges)."""
    registered(office, hq, tmp_path)
    send(hq, office, tmp_path)
    send(hq, office, tmp_path)  # backed up before this import
    return office


# =====================================================================================
# What a review found, fixed since
# =====================================================================================


@pytest.mark.parametrize("kind", ["restore", "rotation"])
def test_an_office_refuses_an_office_key_endorsed_by_a_rotation(hq, make_office,
                                                                tmp_path: Path,
                                                                kind: str) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = make_office("SN")
    send(hq, sn, tmp_path)  # SN's view of the registry holds ML's key
    assert ml.meta("key_id") in keyreg.all_keys(sn)
    fresh = minisign.generate_key()
    sender = NEW_ID if kind == "restore" else ml.replica_id
    endorsement = renewal(keyreg.secret_key(ml), fresh, sender,
                          ml.replica_id if kind == "restore" else None)
    path = crafted(tmp_path / "to-sn.fieldplan", ml, sender=sender, office="ML",
                   recipient="SN", signer=fresh, rotation=[endorsement],
                   lines=[progress_event(sender, "ML", national(ml), seq=99 if
                                         kind == "rotation" else 1,
                                         prev="0" * 64 if kind == "rotation"
                                         else events.GENESIS)])
    before = snapshot(sn)
    outcome = import_bundle(sn, path)
    assert outcome.outcome == "rejected" and "headquarters only" in outcome.reason
    assert snapshot(sn) == before
    assert fresh.public.key_id_hex not in keyreg.all_keys(sn)


def test_a_laptop_cannot_poison_a_sibling_through_an_endorsement(hq, make_office,
                                                                 tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    c = registered(make_office("ML", "ml-c"), hq, tmp_path)
    send(hq, a, tmp_path)
    send(hq, b, tmp_path)  # A and B hold C's events
    fresh = minisign.generate_key()
    forged = chained(c, "progress", f"ML|{national(c)}|2026-S1", {"percent": 1})
    path = crafted(tmp_path / "poison.fieldplan", a, sender=a.replica_id, office="ML",
                   recipient="ML", signer=fresh,
                   rotation=[renewal(keyreg.secret_key(a), fresh, a.replica_id, None)],
                   lines=[forged])
    first = import_bundle(b, path)
    progress.record_progress(c, national(c), "2026-S1", percent=50)  # C's real event
    send(c, hq, tmp_path)
    _, back = send(hq, b, tmp_path)
    assert back.outcome == "merged", back.reason  # today: forked history, for ever
    assert first.outcome == "rejected"


def test_a_crash_inside_renew_identity_does_not_lock_the_office_out(hq, make_office,
                                                                    tmp_path: Path,
                                                                    monkeypatch) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    send(hq, ml, tmp_path)  # backup before this import
    path = ml.path
    ml.close()
    store.restore_latest_backup(path, force=True)
    real = os.replace

    def crash_after(src, target, **kwargs):
        out = real(src, target, **kwargs)
        if Path(target) == key_path(path):
            raise KeyboardInterrupt("power cut before COMMIT")
        return out

    monkeypatch.setattr(os, "replace", crash_after)
    with pytest.raises(KeyboardInterrupt):
        open_replica(path)
    monkeypatch.undo()
    ml = reopen(path)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        expire_tokens(hq)
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert first in keyreg.computer(keyreg.all_keys(hq), ml.replica_id)
    finally:
        ml.close()


def test_restoring_the_same_backup_twice(hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    send(hq, ml, tmp_path)  # the backup is taken before this import
    ml = restored(ml)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ registers the first new replica
    ml = restored(ml)  # the database fails again: the latest backup is the same one
    try:
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        expire_tokens(hq)
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert first in keyreg.computer(keyreg.all_keys(hq), ml.replica_id)
    finally:
        ml.close()


def test_headquarters_restoring_the_same_backup_twice(hq, make_office,
                                                      tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    hq2 = restored(hq)  # latest backup: taken before ML's import at HQ
    send(hq2, ml, tmp_path)
    hq3 = restored(hq2)
    try:
        progress.set_period_lock(hq3, "2025-S2")
        _, outcome = send(hq3, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        hq3.close()


def test_restoring_a_backup_older_than_an_unsent_rotation(hq, make_office,
                                                          tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    send(hq, ml, tmp_path)  # backup with the first key
    rotate_key(ml)  # not sent yet
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        expire_tokens(hq)
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert first in keyreg.computer(keyreg.all_keys(hq), ml.replica_id)
    finally:
        ml.close()


def test_headquarters_restored_from_before_its_unsent_rotation(hq, make_office,
                                                               tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    backup(hq)
    rotate_key(hq)  # offices have not seen it
    hq2 = restored(hq)
    try:
        _, outcome = send(hq2, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        hq2.close()


def test_headquarters_rotated_key_lost_by_a_restore_is_retired(hq, make_office,
                                                               tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    backup(hq)
    rotated = rotate_key(hq)
    k2 = keyreg.secret_key(hq)  # also kept as hq.sqlite3.key.<id>.<time>.old
    before = hq.replica_id
    send(hq, ml, tmp_path)  # ML knows K2, active
    hq2 = restored(hq)
    try:
        assert send(hq2, ml, tmp_path)[1].outcome == "merged"
    finally:
        hq2.close()
    # the left-over K2 endorses a second successor of the old HQ replica
    fresh = minisign.generate_key()
    path = crafted(tmp_path / "second-hq.fieldplan", ml, sender=NEW_ID, office="HQ",
                   recipient="ML", signer=fresh,
                   rotation=[renewal(k2, fresh, NEW_ID, before)], lines=[])
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "rejected", outcome
    assert keyreg.all_keys(ml)[rotated.key_id_hex].status == "retired"


def test_events_of_a_replica_hq_never_registered_are_not_lost(hq, make_office,
                                                              tmp_path: Path) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk",
                             achievements="written offline, never sent")
    send(hq, ml, tmp_path)  # backup before this import holds the report
    ml = restored(ml)
    try:
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        got = progress.get_report(hq, national(ml, 1), "2026-S1", office="ML")
        assert got is not None and got.achievements == "written offline, never sent"
    finally:
        ml.close()


def test_events_of_an_intermediate_replica_reach_hq(hq, make_office,
                                                    tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(ml)
    ml = restored(ml)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk",
                             achievements="written by the middle replica")
    backup(ml)  # a backup of the restored database, its own key beside it
    ml = restored(ml)
    try:
        assert progress.get_report(ml, national(ml, 1), "2026-S1") is not None
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_a_missing_key_file_does_not_fork_the_history(hq, make_office,
                                                      tmp_path: Path) -> None:
    ml = seasoned(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ holds an event written after the backup
    path, kpath = ml.path, key_path(ml.path)
    ml.close()
    store.restore_latest_backup(path, force=True)
    aside = kpath.with_name("aside.key")
    kpath.rename(aside)  # the key file is missing (another folder, a failed copy)
    with pytest.raises(StoreError, match=r"its key file ML-1\.sqlite3\.key is not beside it"):
        open_replica(path)  # no writing under the old identity
    aside.rename(kpath)
    ml = reopen(path)
    try:
        _, outcome = send(ml, hq, tmp_path)
        _, back = send(hq, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert back.outcome == "merged", back.reason
    finally:
        ml.close()


def test_opening_a_backup_directly_does_not_fork_the_history(hq, make_office,
                                                             tmp_path: Path) -> None:
    ml = seasoned(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ holds an event written after the backup
    [latest] = store.list_backups(ml.path)[:1]
    with pytest.raises(StoreError, match="is a backup"):
        open_replica(latest)  # fieldplan --db backups/ML-…-before-import.sqlite3
    ml = restored(ml)
    try:
        _, outcome = send(ml, hq, tmp_path)
        _, back = send(hq, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert back.outcome == "merged", back.reason
    finally:
        ml.close()


def test_a_revoked_computer_restored_from_a_backup_is_refused(hq, make_office,
                                                              tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(ml)
    revoke_key(hq, ml.meta("key_id"))
    expire_tokens(hq)  # a second later (see the test below for the same second)
    send(hq, ml, tmp_path)  # the laptop is told
    ml = restored(ml)  # and puts back its backup
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
        before = snapshot(hq)
        _, outcome = send(ml, hq, tmp_path)
        assert snapshot(hq) == before
        assert outcome.outcome == "rejected" and "revoked" in outcome.reason, outcome
        assert not list_quarantine(hq)
    finally:
        ml.close()


def test_a_token_ended_by_a_revocation_enrols_nothing_in_that_second(hq, make_office,
                                                                     tmp_path: Path,
                                                                     monkeypatch) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first_key = ml.meta("key_id")
    backup(ml)
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
        bundle = export_bundle(ml, out_dir=tmp_path)
        monkeypatch.setattr(events, "utc_iso", lambda when=None: "2026-12-02T20:00:00Z")
        revoke_key(hq, first_key)  # the laptop is reported stolen
        before = snapshot(hq)
        outcome = import_bundle(hq, bundle.path)  # `fieldplan import` right after
        assert outcome.outcome != "merged", outcome
        assert snapshot(hq) == before
    finally:
        ml.close()


def test_a_restored_headquarters_still_refuses_a_revoked_laptop(hq, make_office,
                                                                tmp_path: Path) -> None:
    """A revocation is followed by a backup: HQ put back from the latest one keeps it."""
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(hq)
    revoke_key(hq, ml.meta("key_id"))
    hq2 = restored(hq)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
        # the thief's copy does not import HQ's bundles; its export is still signed
        _, outcome = send(ml, hq2, tmp_path)
        assert outcome.outcome == "rejected", outcome
    finally:
        hq2.close()


def test_a_revoked_laptop_put_back_from_a_backup_is_told(hq, make_office,
                                                         tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # the laptop backs up before this import
    revoke_key(hq, ml.meta("key_id"))
    ml = restored(ml)
    try:
        send(hq, ml, tmp_path)  # the revocation arrives at the restored laptop
        assert sync_state(ml).key_revoked
        with pytest.raises(Exception, match="revoked this computer's key"):
            export_bundle(ml, out_dir=tmp_path)
    finally:
        ml.close()


def test_a_late_bundle_of_a_continued_replica_registers_its_key_retired(hq, make_office,
                                                                         tmp_path: Path
                                                                         ) -> None:
    ml = make_office("ML")  # HQ has not registered it yet
    send(hq, ml, tmp_path)  # the laptop backs up before this import
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    (tmp_path / "usb").mkdir()
    in_transit = export_bundle(ml, out_dir=tmp_path / "usb")
    old_key = ml.meta("key_id")
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        late = import_bundle(hq, in_transit.path)
        assert late.outcome == "merged", late.reason
        assert keyreg.all_keys(hq)[old_key].status == "retired"
        send(hq, ml, tmp_path)  # the report in the late bundle comes back
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_headquarters_put_back_from_before_a_revocation(hq, make_office,
                                                        tmp_path: Path) -> None:
    """The revocation is among what the restore lost; the restore reads it from the
    database it replaces and makes it again: the lost laptop stays refused. (When
    that database is gone, nothing can say what it revoked: status then says how
    many changes offices hold that HQ lost, to be made again.)"""
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(hq)
    before = store.list_backups(hq.path)[0]
    revoke_key(hq, ml.meta("key_id"))
    hq2 = restored_from(hq, before)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
        _, outcome = send(ml, hq2, tmp_path)
        assert outcome.outcome == "rejected", outcome
        assert "revoked" in outcome.reason
        assert keyreg.all_keys(hq2)[ml.meta("key_id")].status == "revoked"
    finally:
        hq2.close()


def test_a_revocation_of_a_key_the_backup_never_knew_ends_the_enrolment(
        hq, make_office, tmp_path: Path) -> None:
    """A laptop enrolled and revoked after the backup: the backup has its office's
    enrolment open again, which would let the lost laptop enrol again with it, and
    does not know its key. The restore ends that office's enrolments, as the
    revocation did, and puts the key on record, revoked."""
    from fieldplan.sync import enroll_office

    ml = make_office("ML")  # enrolled: its setup bundle made, its token open
    backup(hq)
    before = store.list_backups(hq.path)[0]
    registered(ml, hq, tmp_path)  # its first bundle used the token after the backup
    revoke_key(hq, ml.meta("key_id"))
    hq2 = restored_from(hq, before)
    try:
        now = events.utc_iso()
        assert hq2.conn.execute("SELECT count(*) FROM enrolments WHERE office = 'ML' AND "
                                "expires_at > ?", (now,)).fetchone()[0] == 0
        # the backup never knew the key: it is put back on record from the lost
        # registration, revoked, and the laptop's bundles are refused as revoked (not
        # left in quarantine, where a fingerprint check would let the thief in)
        key = keyreg.all_keys(hq2)[ml.meta("key_id")]
        assert (key.status, key.office) == ("revoked", "ML")
        assert json.loads(hq2.meta("restored"))["revoked_again"] == [ml.meta("key_id")]
        progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
        _, outcome = send(ml, hq2, tmp_path)
        # what HQ held of it when it revoked it comes back (test_revoked_held), what
        # it wrote beyond that is refused as revoked
        assert "revoked" in outcome.reason, outcome
        assert outcome.outcome == "merged" and outcome.events_new == 1, outcome
        reports = {(p.action, p.period) for p in progress.list_reports(hq2, office="ML")}
        assert (national(ml, 1), "2026-S1") not in reports
        enroll_office(hq2, "ML", tmp_path / "ML-again.fieldplan")  # a new one works
    finally:
        hq2.close()


# =====================================================================================
# Attacks and unlucky sequences that are handled (regression tests)
# =====================================================================================


def test_a_replayed_restore_endorsement_is_useless(hq, make_office, tmp_path: Path) -> None:
    """The endorsement of a real restore, copied into a bundle signed by another key
    (same or another new replica id), does not verify."""
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(ml)
    ml = restored(ml)
    try:
        real = keyreg.endorsements(json.loads(ml.meta("rotation")))
        thief = minisign.generate_key()
        before = snapshot(hq)
        for sender in (ml.replica_id, NEW_ID):
            path = crafted(tmp_path / f"replay-{sender[:4]}.fieldplan", ml, sender=sender,
                           office="ML", recipient="HQ", signer=thief, rotation=real,
                           lines=[progress_event(sender, "ML", national(ml))])
            outcome = import_bundle(hq, path)
            assert outcome.outcome != "merged", outcome
            assert thief.public.key_id_hex not in keyreg.all_keys(hq)
            assert snapshot(hq) == before
        # the real one still goes in
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
    finally:
        ml.close()


def test_a_laptop_cannot_restore_into_a_siblings_chain(hq, make_office,
                                                       tmp_path: Path) -> None:
    """A's active key endorses a 'restore' whose previous replica is sibling B: refused
    (direct, and hidden one step back in a chain)."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)  # A holds B's events
    fresh, middle = minisign.generate_key(), minisign.generate_key()
    forged = chained(b, "progress", f"ML|{national(b)}|2026-S1", {"percent": 99})
    direct = [renewal(keyreg.secret_key(a), fresh, NEW_ID, b.replica_id)]
    # the last step names B, the first step (signed by A) names A
    hidden = [renewal(keyreg.secret_key(a), middle, b.replica_id, a.replica_id),
              renewal(middle, fresh, NEW_ID, b.replica_id)]
    before = snapshot(hq)
    for name, chain in (("direct", direct), ("hidden", hidden)):
        path = crafted(tmp_path / f"{name}.fieldplan", a, sender=NEW_ID, office="ML",
                       recipient="HQ", signer=fresh, rotation=chain, lines=[forged])
        outcome = import_bundle(hq, path)
        assert outcome.outcome in ("rejected", "quarantined"), (name, outcome)
        assert snapshot(hq) == before, name
        if outcome.outcome == "quarantined":  # a person trusting it merges nothing
            digest = progress.digest(hq)
            [again] = trust_key(hq, fresh.public.fingerprint)
            assert again.outcome == "rejected" and "its own events only" in again.reason
            assert progress.digest(hq) == digest
            assert not keyreg.all_keys(hq)[fresh.public.key_id_hex].renews
            before = snapshot(hq)
    progress.record_progress(b, national(b), "2026-S1", percent=40)
    assert send(b, hq, tmp_path)[1].outcome == "merged"


def test_a_restored_laptop_still_sends_its_own_events_only(hq, make_office,
                                                           tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    backup(a)
    a = restored(a)
    try:
        progress.record_progress(a, national(a, 1), "2026-S1", status="on-track")
        send(a, hq, tmp_path)  # HQ registers A' (continues A)
        forged = chained(b, "progress", f"ML|{national(b)}|2026-S1", {"percent": 99})
        mine = chained(a, "progress", f"ML|{national(a, 2)}|2026-S1", {"percent": 1})
        before = snapshot(hq)
        path = bundlefmt.write_bundle(
            tmp_path / "restored-sibling.fieldplan",
            {"kind": "sync", "plan_id": a.plan_id, "sender": a.replica_id, "office": "ML",
             "recipient": "HQ", "ranges": {}, "acks": {}}, [mine, forged],
            keyreg.secret_key(a)).path
        outcome = import_bundle(hq, path)
        assert outcome.outcome == "rejected" and "its own events only" in outcome.reason
        assert snapshot(hq) == before
    finally:
        a.close()


def test_the_retired_key_of_a_restored_replica_endorses_nothing(hq, make_office,
                                                                tmp_path: Path) -> None:
    """The key the restore replaced (its file is kept as .old) may not endorse a second
    successor, nor a plain rotation, of the replica it belonged to."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first = keyreg.secret_key(ml)
    earlier = ml.replica_id
    backup(ml)
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        send(ml, hq, tmp_path)
        assert keyreg.all_keys(hq)[first.public.key_id_hex].status == "retired"
        before = snapshot(hq)
        for name, sender, previous in (("second", NEW_ID, earlier),
                                       ("rotation", earlier, None)):
            fresh = minisign.generate_key()
            path = crafted(tmp_path / f"{name}.fieldplan", ml, sender=sender, office="ML",
                           recipient="HQ", signer=fresh,
                           rotation=[renewal(first, fresh, sender, previous)],
                           lines=[progress_event(sender, "ML", national(ml), seq=1)])
            outcome = import_bundle(hq, path)
            assert outcome.outcome != "merged", (name, outcome)
            assert fresh.public.key_id_hex not in keyreg.all_keys(hq), name
            assert snapshot(hq) == before, name
    finally:
        ml.close()


def test_a_restore_cannot_claim_a_replica_of_another_office(hq, make_office,
                                                            tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    fresh = minisign.generate_key()
    before = snapshot(hq)
    for name, office, previous in (("sn-prev", "ML", sn.replica_id),
                                   ("claims-sn", "SN", ml.replica_id)):
        path = crafted(tmp_path / f"{name}.fieldplan", ml, sender=NEW_ID, office=office,
                       recipient="HQ", signer=fresh,
                       rotation=[renewal(keyreg.secret_key(ml), fresh, NEW_ID, previous)],
                       lines=[progress_event(NEW_ID, office, national(ml))])
        outcome = import_bundle(hq, path)
        assert outcome.outcome != "merged", (name, outcome)
        assert fresh.public.key_id_hex not in keyreg.all_keys(hq)
        assert snapshot(hq) == before, name


def test_an_office_restore_cannot_pass_as_headquarters(hq, make_office,
                                                       tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    fresh = minisign.generate_key()
    path = crafted(tmp_path / "fake-hq.fieldplan", ml, sender=NEW_ID, office="HQ",
                   recipient="ML", signer=fresh,
                   rotation=[renewal(keyreg.secret_key(ml), fresh, NEW_ID, ml.replica_id)],
                   lines=[])
    before = snapshot(ml)
    assert import_bundle(ml, path).outcome == "rejected"
    assert snapshot(ml) == before
    assert fresh.public.key_id_hex not in keyreg.all_keys(ml)


def test_an_office_refuses_a_restored_headquarters_writing_its_chain(hq, make_office,
                                                                     tmp_path: Path) -> None:
    """HQ restored sends back what the office lost of its earlier replica; events of the
    office's current replica it never wrote are still refused."""
    ml = registered(make_office("ML"), hq, tmp_path)
    backup(ml)
    ml = restored(ml)
    try:
        forged = chained(ml, "progress", f"ML|{national(ml)}|2026-S1", {"percent": 99})
        path = bundlefmt.write_bundle(
            tmp_path / "own.fieldplan",
            {"kind": "sync", "plan_id": hq.plan_id, "sender": hq.replica_id,
             "office": "HQ", "recipient": "ML", "ranges": {}, "acks": {}}, [forged],
            keyreg.secret_key(hq)).path
        before = snapshot(ml)
        outcome = import_bundle(ml, path)
        assert outcome.outcome == "rejected" and "never wrote" in outcome.reason
        assert snapshot(ml) == before
    finally:
        ml.close()


def test_restoring_twice_from_the_latest_backup_each_time(hq, make_office,
                                                          tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.replica_id
    send(hq, ml, tmp_path)
    ml = restored(ml)
    middle = ml.replica_id
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # backup of the restored database, then this import
    ml = restored(ml)
    try:
        assert ml.replica_id not in (first, middle)
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        keys = keyreg.all_keys(hq)
        assert keyreg.predecessors(keys, ml.replica_id) == {first, middle}
        assert keyreg.computer(keys, first) == {first, middle, ml.replica_id}
        send(hq, ml, tmp_path)
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_restoring_a_backup_older_than_a_rotation_hq_has_seen(hq, make_office,
                                                              tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # backup with the first key
    rotate_key(ml)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ follows the rotation
    ml = restored(ml)
    try:
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        send(hq, ml, tmp_path)
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_a_bundle_in_flight_from_before_the_restore(hq, make_office, tmp_path: Path) -> None:
    """The old replica's last bundle (written before the damage, signed by the key the
    restore retires) reaches HQ after the restored replica's first: still merged, and
    its events come back to the restored office."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # backup
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk",
                             achievements="in flight")
    in_flight = export_bundle(ml, out_dir=tmp_path)
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        late = import_bundle(hq, in_flight.path)
        assert late.outcome == "merged", late.reason
        send(hq, ml, tmp_path)
        assert progress.get_report(ml, national(ml, 1), "2026-S1").achievements == \
            "in flight"
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_a_headquarters_bundle_in_flight_from_before_its_restore(hq, make_office,
                                                                tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    backup(hq)
    progress.set_period_lock(hq, "2026-S1")
    in_flight = export_bundle(hq, for_office="ML", out_dir=tmp_path)
    hq2 = restored(hq)
    try:
        assert send(hq2, ml, tmp_path)[1].outcome == "merged"
        late = import_bundle(ml, in_flight.path)  # signed by the retired HQ key
        assert late.outcome == "merged", late.reason
        assert progress.is_locked(ml, "2026-S1")
        send(ml, hq2, tmp_path)
        assert sync_state(hq2).restored["lost"] >= 1
    finally:
        hq2.close()


def test_two_laptops_one_restored(hq, make_office, tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    send(hq, b, tmp_path)
    a = restored(a)
    try:
        progress.record_progress(a, national(a, 1), "2026-S1", status="on-track")
        progress.record_progress(b, national(b, 2), "2026-S1", status="at-risk")
        for rep in (a, b):
            assert send(rep, hq, tmp_path)[1].outcome == "merged"
        for rep in (a, b):
            assert send(hq, rep, tmp_path)[1].outcome == "merged"
        assert progress.digest(a) == progress.digest(b) == progress.digest(hq, "ML")
        for rep in (a, b):
            send(rep, hq, tmp_path)
        assert export_bundle(hq, for_office="ML", out_dir=tmp_path).events == 0
    finally:
        a.close()


def test_headquarters_restored_then_an_office_restored(hq, make_office,
                                                       tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # ML's backup
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ's backup before this import
    hq2 = restored(hq)
    try:
        assert send(hq2, ml, tmp_path)[1].outcome == "merged"
        ml = restored(ml)
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        _, outcome = send(ml, hq2, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert send(hq2, ml, tmp_path)[1].outcome == "merged"
        assert progress.digest(hq2, "ML") == progress.digest(ml)
    finally:
        hq2.close()
        ml.close()


def test_a_stolen_pre_restore_copy_cannot_come_back_after_revocation(hq, make_office,
                                                                     tmp_path: Path) -> None:
    """A copy of the database before the restore (with its key) restores itself after
    HQ revoked the restored computer: refused, as a revoked computer's later key."""
    ml = registered(make_office("ML"), hq, tmp_path)
    stolen_path = tmp_path / "stolen" / "ml.sqlite3"
    stolen_path.parent.mkdir()
    with sqlite3.connect(stolen_path) as copy:
        ml.conn.backup(copy)
    shutil.copy(key_path(ml.path), key_path(stolen_path))
    backup(ml)
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        send(ml, hq, tmp_path)
        revoke_key(hq, ml.meta("key_id"))
        expire_tokens(hq)  # a second later (revoke_key ends them 'now', compared with <)
        with open_replica(stolen_path) as stolen:
            backup(stolen)
        stolen = restored(open_replica(stolen_path))
        with stolen:
            progress.record_progress(stolen, national(stolen, 2), "2026-S1", percent=5)
            before = snapshot(hq)
            _, outcome = send(stolen, hq, tmp_path)
        assert snapshot(hq) == before
        assert outcome.outcome == "rejected" and "revoked" in outcome.reason, outcome
    finally:
        ml.close()


# =====================================================================================
# A code review's findings, fixed since
# =====================================================================================


def test_a_second_program_waits_for_a_key_change_in_progress(hq, make_office,
                                                            tmp_path: Path) -> None:
    """Another program is between writing the new key file and committing it: opening
    the database waits for it instead of deleting the new key (whose secret would be
    gone for good)."""
    from fieldplan.replica import Replica

    ml = make_office("ML")
    kpath = key_path(ml.path)
    pending = kpath.with_name(kpath.name + ".new")
    minisign.save_secret_key(pending, minisign.generate_key())  # written, not committed
    ml.conn.execute("BEGIN IMMEDIATE")  # that program's transaction
    try:
        other = store.connect(ml.path)
        other.execute("PRAGMA busy_timeout = 0")  # here it gives up at once
        try:
            with pytest.raises(StoreError):
                keyreg.finish_key_change(Replica(other, ml.path))
        finally:
            other.close()
        assert pending.exists()
    finally:
        ml.conn.execute("ROLLBACK")


def test_headquarters_earlier_keys_cannot_be_revoked(hq, make_office, tmp_path: Path) -> None:
    """Revoking a retired key of HQ's would make every office refuse HQ for good."""
    ml = registered(make_office("ML"), hq, tmp_path)
    old = hq.meta("key_id")
    rotate_key(hq)
    with pytest.raises(Exception, match="headquarters' own signing key"):
        revoke_key(hq, old)
    assert send(hq, ml, tmp_path)[1].outcome == "merged"


def test_trusting_a_restored_copy_of_a_revoked_computer_is_refused(hq, make_office,
                                                                  tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    stolen_path = tmp_path / "stolen" / "ml.sqlite3"
    stolen_path.parent.mkdir()
    with sqlite3.connect(stolen_path) as copy:
        ml.conn.backup(copy)
    shutil.copy(key_path(ml.path), key_path(stolen_path))
    with open_replica(stolen_path) as copy:
        backup(copy)
    backup(ml)
    ml = restored(ml)  # the real laptop is restored: HQ links it to its first replica
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    expire_tokens(hq)
    stolen = restored(open_replica(stolen_path))  # the thief's copy restores itself too
    try:
        progress.record_progress(stolen, national(stolen, 2), "2026-S1", percent=5)
        (tmp_path / "usb").mkdir()
        path = export_bundle(stolen, out_dir=tmp_path / "usb").path
        # endorsed by a key the real restore retired: nothing proves it, it waits
        assert import_bundle(hq, path).outcome == "quarantined"
        revoke_key(hq, ml.meta("key_id"))  # then the laptop is reported stolen
        with pytest.raises(Exception, match="revoked"):
            trust_key(hq, keyreg.public_key(stolen).fingerprint)
        assert keyreg.all_keys(hq).get(stolen.meta("key_id")) is None
    finally:
        stolen.close()
        ml.close()


def test_a_computer_revoked_by_an_earlier_key_does_not_hold_bundles_back(
        hq, make_office, tmp_path: Path) -> None:
    from fieldplan.sync.export import _peers

    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    first = a.meta("key_id")
    send(hq, a, tmp_path)
    a = restored(a)
    try:
        progress.record_progress(a, national(a, 1), "2026-S1", status="on-track")
        assert send(a, hq, tmp_path)[1].outcome == "merged"
        revoke_key(hq, first)  # the computer, by the key HQ first knew it by
        assert _peers(hq, "ML") == [b.replica_id]
    finally:
        a.close()


def test_a_revoked_laptop_with_changes_not_sent_is_told_to_keep_its_database(
        hq, make_office, tmp_path: Path) -> None:
    """Told only "ask headquarters for a new setup bundle", the laptop's staff ran
    init on the same file ("remove it first"), and what was typed there was lost."""
    from fieldplan.status import replica_status

    ml = registered(make_office("ML"), hq, tmp_path)
    revoke_key(hq, ml.meta("key_id"))
    progress.record_progress(ml, national(ml, 1), "2026-S1", percent=5)
    progress.record_progress(ml, national(ml, 2), "2026-S1", percent=6)
    send(hq, ml, tmp_path)  # the revocation arrives
    # (the way the client and 'init --replace-revoked' set it up again: it said to
    # make a database file of one's own, beside the button that does it)
    keep = ("2 changes made here have not reached headquarters: setting this computer up "
            "again keeps this database in a folder beside it, where they can be read and "
            "typed again")
    with pytest.raises(Exception, match=keep):
        export_bundle(ml, out_dir=tmp_path)
    assert dict(replica_status(ml).lines("en"))["Warning"].endswith(keep)
