"""A key headquarters does not know, in a bundle that names a registered computer's
replica id (any bundle's manifest shows it) and carries no rotation signed by that
computer's key. It waits in quarantine, as a computer's key whose endorsement was lost
does (test_sync.test_enrolment_token_registers_a_first_key_only): a person decides.
Before, the question asked only to check its fingerprint, and a trust gave the laptop
two active keys: the forged event stood as the laptop's own, and the laptop's next
bundle was refused as a forked history. Now the question says the computer has an
active key here, which trusting the new one replaces; a trust retires that key, and
the laptop's next bundle signed with it is refused as a replaced key's, in one line
that says how to set it up again."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress, store
from fieldplan.sync import all_keys, export_bundle, import_bundle, list_quarantine, trust_key
from fieldplan.sync.trust_preview import trust_preview

# (written out here, not taken from test_sync and test_review_security3: the client's
# Quarantine page test builds the same scene from another folder)


def national(rep, i: int = 0) -> str:
    return rep.plan().actions_of(level="national")[i].code


def send(src, dst, tmp_path: Path):
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    result = export_bundle(src, for_office=dst.office if src.is_hq else None,
                           out_dir=folder)
    return result, import_bundle(dst, result.path)


def registered(office, hq, tmp_path: Path):
    progress.record_progress(office, national(office), "2026-S1", status="on-track")
    send(office, hq, tmp_path)
    return office


def _impostor(hq, make_office, tmp_path: Path):
    """Two registered ML laptops A and B, and a bundle signed by a key made on the
    spot that claims to be B, with B's next event as A holds B's chain."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)  # A holds B's events, as every ML laptop does
    with store.write_transaction(hq.conn):  # (no setup bundle proves anything now)
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")
    key = minisign.generate_key()
    seq, prev = events.last_event(a.conn, b.replica_id)
    forged = {"author": "mallory", "base": {}, "entity": "progress",
              "fields": {"percent": 99}, "hlc": 2_000_000_000_000 << 16,
              "id": f"ML|{national(a)}|2026-S1", "origin": b.replica_id, "prev": prev,
              "seq": seq + 1}
    path = tmp_path / "impostor.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": a.plan_id,
                                  "sender": b.replica_id, "office": "ML",
                                  "recipient": "HQ", "ranges": {}, "acks": {}},
                           [forged], key)
    return b, key, path


def _active(hq, replica: str) -> list[str]:
    return sorted(k.key_id for k in all_keys(hq).values()
                  if k.replica == replica and k.status == "active")


def test_the_question_says_which_active_key_a_trust_replaces(
        hq, make_office, tmp_path: Path) -> None:
    b, key, path = _impostor(hq, make_office, tmp_path)
    (own,) = _active(hq, b.replica_id)
    old = all_keys(hq)[own].fingerprint
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "quarantined"
    # the import's line, which the Quarantine page shows as the reason
    for said in (outcome.reason, list_quarantine(hq)[0].reason_text()):
        assert f"computer {b.replica_id[:8]} of office ML" in said, said
        assert old in said and "already has an active key here" in said, said
        assert "replaces that key" in said and "by phone" in said, said
        assert "check the fingerprint" in said.lower(), said
    # its last bundle: when headquarters merged one signed with it
    assert "its last bundle was merged on" in outcome.reason
    (item,) = list_quarantine(hq)
    assert item.replaces.key_id == own and item.to_dict()["replaces_key"] == old
    json.dumps(item.to_dict())
    # the trust preview (keys trust --dry-run, the client's trust dialog)
    seen = trust_preview(hq, key.public.fingerprint)
    assert seen.to_dict()["replaces_key"] == old
    assert seen.text().splitlines()[0] == item.replaces.text()
    assert item.replaces.text() not in seen.text(replaces=False)


def test_a_trust_replaces_the_computers_key_and_refuses_the_old_ones_bundles(
        hq, make_office, tmp_path: Path) -> None:
    b, key, path = _impostor(hq, make_office, tmp_path)
    (own,) = _active(hq, b.replica_id)
    assert import_bundle(hq, path).outcome == "quarantined"
    hq.notices.clear()
    trust_key(hq, key.public.fingerprint)  # "yes" on the phone
    # one active key for B: the trusted one; B's own retired, as a rotation retires it
    assert _active(hq, b.replica_id) == [key.public.key_id_hex]
    assert all_keys(hq)[own].status == "retired"
    assert any("now replaces key" in n for n in hq.notices), hq.notices
    # B's next bundle, signed with its old key: refused as a replaced key's, not as a
    # forked history, and nothing of it written
    progress.record_progress(b, national(b, 1), "2026-S1", percent=40)
    _, back = send(b, hq, tmp_path)
    assert back.outcome == "rejected"
    assert f"signed with key {own} (ML), which headquarters replaced with key " \
        f"{key.public.key_id_hex}" in back.reason, back.reason
    assert "set this computer up again from a new setup bundle for ML" in back.reason
    assert "forked" not in back.reason and "\n" not in back.reason
    assert hq.conn.execute("SELECT count(*) FROM events WHERE origin = ? AND seq > 3",
                           (b.replica_id,)).fetchone()[0] <= 1


def test_a_new_computers_key_replaces_nothing(hq, make_office, tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    key = minisign.generate_key()
    path = tmp_path / "new.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": a.plan_id, "sender": "f" * 32,
                                  "office": "ML", "recipient": "HQ", "ranges": {},
                                  "acks": {}}, [], key)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "quarantined"
    assert "active key" not in outcome.reason
    assert list_quarantine(hq)[0].to_dict()["replaces_key"] is None
    assert trust_preview(hq, key.public.fingerprint).to_dict()["replaces_key"] is None
    trust_key(hq, key.public.fingerprint)
    assert all_keys(hq)[keyreg_id(a)].status == "active"


def keyreg_id(rep) -> str:
    return rep.meta("key_id")


def test_the_laptop_whose_key_a_trust_replaced_is_told_and_can_be_set_up_again(
        hq, make_office, tmp_path: Path) -> None:
    """The laptop's side: headquarters' next bundle tells it its key was replaced. It
    was merged saying nothing: status showed the key as any other, every export was
    written for headquarters to refuse, and 'init --from FILE --replace-revoked', the
    way out headquarters' refusal names, said nothing needed setting up again."""
    import pytest

    from fieldplan.errors import ValidationError
    from fieldplan.status import replica_status
    from fieldplan.sync import enroll_office
    from fieldplan.sync.again import set_up_again
    from fieldplan.sync.keys import rotate_key
    from fieldplan.sync.state import sync_state

    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    with store.write_transaction(hq.conn):  # (no setup bundle proves anything now)
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")
    key = minisign.generate_key()  # a bundle of no events, claiming to be the laptop
    path = tmp_path / "impostor.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": b.plan_id,
                                  "sender": b.replica_id, "office": "ML",
                                  "recipient": "HQ", "ranges": {}, "acks": {}}, [], key)
    assert import_bundle(hq, path).outcome == "quarantined"
    trust_key(hq, key.public.fingerprint)
    progress.record_progress(b, national(b, 1), "2026-S1", percent=40)
    _, got = send(hq, b, tmp_path)
    assert got.outcome == "merged"
    new = key.public.key_id_hex
    # the import says it, as it says a revocation
    assert got.revoked_here and f"trusted key {new} for this computer" in got.revoked_text()
    assert sync_state(b).key_revoked
    warnings = [text for label, text in replica_status(b).lines("en") if label == "Warning"]
    assert any(f"headquarters trusted key {new} for this computer in place of its "
               "key" in w and "refuses its bundles" in w for w in warnings), warnings
    with pytest.raises(ValidationError) as refused:
        export_bundle(b, out_dir=tmp_path / "out")
    assert new in str(refused.value) and "\n" not in str(refused.value)
    assert "1 change made here has not reached headquarters" in str(refused.value)
    # nor can it rotate its way out: its key endorses nothing headquarters takes
    with pytest.raises(ValidationError, match=f"trusted key {new} for this computer"):
        rotate_key(b)
    # the way out headquarters' refusal names
    setup = tmp_path / "again-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    where = Path(b.path)
    b.close()
    again = set_up_again(where, setup)
    try:
        assert again.replica.replica_id != b.replica_id and again.unsent == 1
    finally:
        again.replica.close()


def test_the_laptop_refusing_what_the_trusted_key_wrote_names_it_and_the_way_on(
        hq, make_office, tmp_path: Path) -> None:
    """The trusted key brought events as the laptop's own: the laptop refuses
    headquarters' bundle (rightly: it never wrote them), and said only that, so
    neither the office nor headquarters knew what to do, and the laptop, its registry
    rolled back with the refusal, could not be set up again ('headquarters has not
    revoked this computer's key'), nor take any later bundle. It now names the key
    headquarters trusted in its place and asks to have it revoked, and keeps that it is
    cut off: status warns, export refuses, setting up again works."""
    import pytest

    from fieldplan.errors import ValidationError
    from fieldplan.sync import enroll_office
    from fieldplan.sync.again import set_up_again
    from fieldplan.sync.state import sync_state
    b, key, path = _impostor(hq, make_office, tmp_path)
    assert import_bundle(hq, path).outcome == "quarantined"
    trust_key(hq, key.public.fingerprint)
    _, got = send(hq, b, tmp_path)
    new = key.public.key_id_hex
    assert got.outcome == "rejected"
    assert got.reason.startswith(
        "the bundle carries events of this computer that it never wrote, signed with "
        f"key {new}, which headquarters trusted for this computer in place of its key: "
        f"tell headquarters that key {new} is not this office's, to revoke it"), got.reason
    assert "\n" not in got.reason
    assert b.conn.execute("SELECT count(*) FROM events WHERE hlc >= ?",
                          (2_000_000_000_000 << 16,)).fetchone()[0] == 0  # nothing taken
    state = sync_state(b)
    assert state.key_revoked and state.key_replaced_by == new
    with pytest.raises(ValidationError, match=f"trusted key {new} for this computer"):
        export_bundle(b, out_dir=tmp_path / "out")
    setup = tmp_path / "again-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    where = Path(b.path)
    b.close()
    set_up_again(where, setup).replica.close()


def test_a_laptop_cut_off_by_the_revocation_of_the_key_trusted_in_its_place(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters revoked the key it had trusted for the laptop (the laptop's own
    went with it): its bundle, which still carries what that key wrote as the
    laptop's, is refused there, and says the laptop is revoked; it can be set up
    again."""
    from fieldplan.sync import revoke_key
    from fieldplan.sync.state import sync_state

    b, key, path = _impostor(hq, make_office, tmp_path)
    assert import_bundle(hq, path).outcome == "quarantined"
    trust_key(hq, key.public.fingerprint)
    revoke_key(hq, key.public.key_id_hex)
    _, got = send(hq, b, tmp_path)
    assert got.outcome == "rejected"
    assert got.reason == ("the bundle carries events of this computer that it never "
                          "wrote; headquarters revoked this computer's key and refuses its "
                          "bundles; ask headquarters for a new setup bundle"), got.reason
    state = sync_state(b)
    assert state.key_revoked and not state.key_replaced_by
