"""A computer set up from a setup bundle whose enrolment token had ended (a revocation
of the office's key ends them; tokens also expire): its bundles wait in quarantine
saying why the token did not vouch for the key, and trusting its key says it again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from fieldplan import events, progress
from fieldplan.cli import main
from fieldplan.i18n import format_date
from fieldplan.sync import (
    enroll_office,
    export_bundle,
    import_bundle,
    init_from_setup,
    list_inbox,
    revoke_key,
    trust_key,
)


def national(rep) -> str:
    return rep.plan().actions_of(level="national")[0].code


def bundle_of(rep, tmp_path: Path, name: str) -> Path:
    progress.record_progress(rep, national(rep), "2026-S1", status="on-track")
    return export_bundle(rep, out_file=tmp_path / f"{name}.fieldplan").path


@pytest.fixture
def two_laptops(hq, tmp_path: Path):
    """One setup bundle of ML; the first laptop set up from it reaches HQ (its key is
    registered), the second is set up from the same bundle later."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    first = init_from_setup(tmp_path / "first.sqlite3", setup)
    assert import_bundle(hq, bundle_of(first, tmp_path, "first")).outcome == "merged"
    second = init_from_setup(tmp_path / "second.sqlite3", setup)
    yield first, second
    first.close()
    second.close()


def test_a_laptop_set_up_from_a_bundle_a_revocation_ended(hq, two_laptops,
                                                          tmp_path: Path) -> None:
    first, second = two_laptops
    lost = first.meta("key_id")
    revoke_key(hq, lost)
    outcome = import_bundle(hq, bundle_of(second, tmp_path, "second"))
    today = format_date(events.utc_iso()[:10])  # (as every date of a message)
    fpr = outcome.fingerprint
    assert outcome.outcome == "quarantined"
    assert outcome.reason == (
        f"unknown key {fpr} (claims office ML); its setup bundle's enrolment was ended on "
        f"{today} when key {lost} of ML was revoked: make sure this is not the revoked "
        f"computer before trusting the key")
    # kept: the inbox says it again, in any language, the date written its way
    assert list_inbox(hq)[0].reason_text("en") == outcome.reason
    assert format_date(events.utc_iso()[:10], "fr") in list_inbox(hq)[0].reason_text("fr")
    # the person decides: trusted and merged, with a warning beside it
    [merged] = trust_key(hq, fpr)
    assert merged.outcome == "merged"
    assert hq.take_notices() == [
        f"key {fpr} trusted, but its setup bundle's enrolment was ended on {today} when key "
        f"{lost} of ML was revoked: if this is the revoked computer, revoke this key too"]


def test_keys_trust_warns_on_the_command_line(hq, two_laptops, tmp_path: Path,
                                              capsys) -> None:
    first, second = two_laptops
    revoke_key(hq, first.meta("key_id"))
    outcome = import_bundle(hq, bundle_of(second, tmp_path, "second"))
    db = str(hq.path)
    hq.close()
    assert main(["--db", db, "--json", "keys", "trust", outcome.fingerprint]) == 0
    out, err = capsys.readouterr()
    assert [o["outcome"] for o in json.loads(out)] == ["merged"]
    assert err.count("\n") == 1 and err.startswith(
        f"fieldplan: warning: key {outcome.fingerprint} trusted, but its setup bundle's "
        f"enrolment was ended on ")


def test_a_laptop_set_up_from_an_expired_setup_bundle(hq, two_laptops,
                                                      tmp_path: Path) -> None:
    _first, second = two_laptops
    with hq.conn:  # 90 days later
        hq.conn.execute("UPDATE enrolments SET expires_at = '2026-03-01T00:00:00Z'")
    outcome = import_bundle(hq, bundle_of(second, tmp_path, "second"))
    assert outcome.outcome == "quarantined"
    assert outcome.reason == (
        f"unknown key {outcome.fingerprint} (claims office ML); its setup bundle's enrolment "
        f"expired on 1 Mar 2026: check the fingerprint with the office before trusting the "
        f"key")
    assert "a expiré le 1er mars 2026" in list_inbox(hq)[0].reason_text("fr")
    trust_key(hq, outcome.fingerprint)
    assert hq.take_notices() == [
        f"key {outcome.fingerprint} trusted, but its setup bundle's enrolment expired on "
        f"1 Mar 2026"]


def test_a_bundle_without_a_true_proof_says_nothing_of_enrolments(hq, two_laptops,
                                                                  tmp_path: Path) -> None:
    """Only a bundle that proves it holds the token is said to come from its setup
    bundle: another computer naming the token's id is an unknown key, no more."""
    first, second = two_laptops
    revoke_key(hq, first.meta("key_id"))
    stored = json.loads(second.meta("enrolment"))
    with second.conn:
        second.conn.execute("UPDATE meta SET value = ? WHERE key = 'enrolment'", (
            json.dumps({"id": stored["id"], "token": "not the token"}),))
    outcome = import_bundle(hq, bundle_of(second, tmp_path, "second"))
    assert outcome.reason == (
        f"unknown key {outcome.fingerprint} (claims office ML); the proof of its setup "
        f"bundle does not match that setup bundle: check the fingerprint with the office "
        f"before trusting the key")
    trust_key(hq, outcome.fingerprint)
    assert hq.take_notices() == []


def test_an_unknown_key_says_what_the_bundle_tells_of_its_setup(hq, make_office,
                                                                tmp_path: Path) -> None:
    """What headquarters weighs before trusting: an office it never enrolled, a setup
    bundle another headquarters wrote, or no proof at all."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    other_hq = init_hq(tmp_path / "other-hq.sqlite3")
    enroll_office(other_hq, "BF", tmp_path / "BF-setup.fieldplan")
    enroll_office(other_hq, "ML", tmp_path / "ML-other-setup.fieldplan")
    other_hq.close()
    make_office("ML")  # enrolled here too
    for code, setup, why in (
            ("BF", "BF-setup.fieldplan", "headquarters never enrolled BF"),
            ("ML", "ML-other-setup.fieldplan",
             "its setup bundle was not written by this headquarters")):
        with init_from_setup(tmp_path / f"{code}-foreign.sqlite3", tmp_path / setup) as rep:
            outcome = import_bundle(hq, bundle_of(rep, tmp_path, f"{code}-foreign"))
        assert outcome.outcome == "quarantined"
        assert outcome.reason == (
            f"unknown key {outcome.fingerprint} (claims office {code}); {why}: check the "
            f"fingerprint with the office before trusting the key")
    with init_from_setup(tmp_path / "ML-bare.sqlite3", tmp_path / "ML-other-setup.fieldplan") \
            as rep:
        with rep.conn:
            rep.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
        outcome = import_bundle(hq, bundle_of(rep, tmp_path, "ML-bare"))
    assert "; it carries no proof of a setup bundle: check" in outcome.reason


def test_a_restored_headquarters_says_it_may_have_enrolled_after_its_backup(
        hq, tmp_path: Path) -> None:
    """HQ enrolled SN, then BF a second time, after its backup; restored from it, it
    said of their first bundles "never enrolled" and "its setup bundle was not written
    by this headquarters", both false: it wrote them, and forgot."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office, init_from_setup

    enroll_office(hq, "BF", tmp_path / "BF-first.fieldplan")
    backup = store.backup(hq.conn, hq.path, "manual")
    enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    enroll_office(hq, "BF", tmp_path / "BF-setup.fieldplan")
    path = hq.path
    hq.close()
    store.restore_backup(path, backup, force=True)
    with open_replica(path) as hq2:
        for code, why in (
                ("SN", "this database, restored from a backup, knows no enrolment of SN: "
                       "headquarters may have enrolled it after that backup"),
                ("BF", "this database, restored from a backup, does not know its setup "
                       "bundle: headquarters may have written it after that backup")):
            with init_from_setup(tmp_path / f"{code}.sqlite3",
                                 tmp_path / f"{code}-setup.fieldplan") as rep:
                outcome = import_bundle(hq2, bundle_of(rep, tmp_path, code))
            assert outcome.outcome == "quarantined"
            assert outcome.reason == (
                f"unknown key {outcome.fingerprint} (claims office {code}); {why}: check "
                f"the fingerprint with the office before trusting the key")


def test_the_quarantine_says_why_each_bundle_waits(hq, two_laptops, make_office,
                                                  tmp_path: Path) -> None:
    """Each held bundle carries the reason its import gave, as the inbox does (the
    Quarantine tab shows it): a revocation's end of the setup bundle, or an unknown key
    only; and a second key claiming the same bundle id has its own."""
    from fieldplan import store
    from fieldplan.i18n import set_language
    from fieldplan.sync import list_quarantine

    first, second = two_laptops
    revoke_key(hq, first.meta("key_id"))
    ended = import_bundle(hq, bundle_of(second, tmp_path, "second"))
    sn = make_office("SN")
    with store.write_transaction(sn.conn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof
    unknown = import_bundle(hq, bundle_of(sn, tmp_path, "sn"))
    assert (ended.outcome, unknown.outcome) == ("quarantined", "quarantined")
    held = {q.office: q for q in list_quarantine(hq)}
    assert held["ML"].reason_text() == ended.reason and "was revoked" in ended.reason
    assert held["SN"].reason_text() == unknown.reason
    assert held["SN"].to_dict()["reason"] == unknown.reason
    assert "reason_msg" not in held["SN"].to_dict()
    set_language("fr")
    try:  # in the reader's language, as the inbox shows it
        assert held["ML"].reason_text() == list_inbox(hq)[1].reason_text("fr")
    finally:
        set_language("en")


def test_a_true_proof_from_a_computer_with_a_key_says_so(hq, make_office,
                                                         tmp_path: Path) -> None:
    """A bundle whose setup proof is true, from a computer HQ already holds a key of
    (an enrolment registers a computer's first key only): a second key for one
    computer, not a proof that does not match."""
    import hashlib
    import hmac

    from fieldplan.minisign import generate_key
    from fieldplan.sync.exchange import ENROL_CONTEXT, _why_unknown

    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    assert import_bundle(hq, bundle_of(ml, tmp_path, "first")).outcome == "merged"
    info = json.loads(ml.meta("enrolment"))
    other = generate_key().public
    proof = hmac.new(info["token"].encode(), ENROL_CONTEXT + other.raw
                     + ml.replica_id.encode(), hashlib.sha256).hexdigest()
    manifest = {"office": "ML", "sender": ml.replica_id,
                "enrolment": {"id": info["id"], "proof": proof}}
    assert _why_unknown(hq, manifest, other) == "its computer has another key on record here"
    manifest["enrolment"]["proof"] = "0" * 64
    assert _why_unknown(hq, manifest, other) == (
        "the proof of its setup bundle does not match that setup bundle")


def test_a_proof_that_is_not_ascii_is_a_proof_that_does_not_match(hq, make_office,
                                                                  tmp_path: Path) -> None:
    """A bundle naming a true enrolment id with a proof of other characters than
    ASCII ("é"): the proof does not match, as any other wrong one. Import and verify
    stopped with a traceback (hmac.compare_digest refuses such text)."""
    from fieldplan import bundle as bundlefmt
    from fieldplan.minisign import generate_key
    from fieldplan.sync import verify_bundle

    ml = make_office("ML")
    info = json.loads(ml.meta("enrolment"))
    manifest = {"kind": "sync", "plan_id": hq.plan_id, "office": "ML",
                "sender": "5eca11ed-0000-4000-8000-00000000beef", "recipient": "HQ",
                "ranges": {}, "acks": {}, "enrolment": {"id": info["id"], "proof": "é"}}
    path = tmp_path / "crafted.fieldplan"
    bundlefmt.write_bundle(path, manifest, [], generate_key())
    why = "the proof of its setup bundle does not match that setup bundle"
    checked = verify_bundle(hq, path)
    assert (checked["valid"], checked["trusted"]) == (True, False)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "quarantined"
    assert f"(claims office ML); {why}: check the fingerprint" in outcome.reason


def test_a_laptop_learns_that_a_revocation_ended_its_enrolment(hq, two_laptops,
                                                               tmp_path: Path) -> None:
    """The second laptop has not reached HQ yet when HQ revokes the first: its
    enrolment ends then. Once HQ's bundle brings it the revocation, it no longer says
    to send a first bundle before the setup bundle's term (its bundle would wait in
    quarantine): its deadline is the revocation's time, past, and it says that HQ will
    check its key by phone."""
    from fieldplan.sync.enrol import key_deadline, key_deadline_text

    first, second = two_laptops
    term = key_deadline(second)
    assert term > events.utc_iso()
    revoke_key(hq, first.meta("key_id"))
    sent = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    assert import_bundle(second, sent).outcome == "merged"
    ended = key_deadline(second)
    assert ended <= events.utc_iso() < term
    assert key_deadline_text(ended, "fieldplan export") == (
        "headquarters will check this computer's key fingerprint with you by phone before "
        "it takes your bundles")


def test_a_revocation_before_the_setup_bundle_leaves_its_term(hq, tmp_path: Path) -> None:
    """A key of the office revoked before the setup bundle was written ended no
    enrolment of it: the laptop keeps the bundle's term."""
    from fieldplan.sync.enrol import key_deadline

    enroll_office(hq, "ML", tmp_path / "old-setup.fieldplan")
    old = init_from_setup(tmp_path / "old.sqlite3", tmp_path / "old-setup.fieldplan")
    assert import_bundle(hq, bundle_of(old, tmp_path, "old")).outcome == "merged"
    revoke_key(hq, old.meta("key_id"))
    old.close()
    enroll_office(hq, "ML", tmp_path / "new.fieldplan")
    with init_from_setup(tmp_path / "new.sqlite3", tmp_path / "new.fieldplan") as new:
        # its setup bundle written a day after the revocation
        kept = json.loads(new.meta("enrolment"))
        later = dt.datetime.fromisoformat(kept["expires"]) + dt.timedelta(days=1)
        kept["expires"] = events.utc_iso(later)
        with new.conn:
            events.set_meta(new.conn, "enrolment", json.dumps(kept))
        assert key_deadline(new) == kept["expires"]


def test_a_setup_bundle_of_another_office_is_named(hq, tmp_path: Path) -> None:
    """Someone holding ML's setup bundle sets a computer up from it and sends a bundle
    claiming BF (enrolled too): the quarantine said "its setup bundle was not written
    by this headquarters", when headquarters wrote it, for ML: the warning to weigh
    is that a holder of ML's setup bundle poses as BF."""
    from fieldplan.sync import keys as keyreg
    from tests.bundle_fuzz import pack, unpack

    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    enroll_office(hq, "BF", tmp_path / "BF-setup.fieldplan")
    with init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ML-setup.fieldplan") as ml:
        manifest, lines = unpack(bundle_of(ml, tmp_path, "ml").read_bytes())
        manifest["office"] = "BF"
        posing = tmp_path / "posing.fieldplan"
        posing.write_bytes(pack(manifest, [events.canonical_json(e).encode() for e in lines],
                                keyreg.secret_key(ml)))
    outcome = import_bundle(hq, posing)
    assert outcome.outcome == "quarantined"
    assert outcome.reason == (
        f"unknown key {outcome.fingerprint} (claims office BF); it proves the setup bundle "
        f"headquarters wrote for ML, not for BF: check the fingerprint with the office "
        f"before trusting the key")
