"""Loose ends of a key's life cycle, each as a person meets it: a key id or
fingerprint pasted from Arabic output (direction marks around it) names the key; a
bundle naming this computer as its sender, signed by another key, is refused, never
called this computer's own; trusting the older key of a laptop whose later key's
bundles wait too brings those as well; the earlier key of this computer put back in
the key file is said as such, with the way out; a laptop whose key headquarters
replaced by a trust is told so, not "revoked", where it is set up again and where
its work is typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenes import send

from fieldplan import minisign, progress, store
from fieldplan.sync import export_bundle, import_bundle, list_quarantine, trust_key
from fieldplan.sync import keys as keyreg
from fieldplan.sync.keys import revoke_key, rotate_key
from tests.bundle_fuzz import line_of, pack, unpack


def national(rep, i: int = 0) -> str:
    return rep.plan().actions_of(level="national")[i].code


def snapshot(rep) -> tuple[str, int, int]:
    return (progress.digest(rep), rep.conn.execute("SELECT count(*) FROM events").fetchone()[0],
            rep.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def registered(office, hq, tmp_path: Path):
    progress.record_progress(office, national(office), "2026-S1", status="on-track")
    send(office, hq, tmp_path)
    return office


# --- a key id or fingerprint pasted from Arabic output -----------------------------------


@pytest.mark.parametrize("marks", [("\u2066", "\u2069"), ("\u200f", "\u200e"),
                                   ("\u061c", "\u200f\u2069")])
@pytest.mark.parametrize("by", ["key_id", "fingerprint"])
def test_revoke_takes_a_key_pasted_with_direction_marks(hq, make_office, tmp_path: Path,
                                                        marks, by) -> None:
    """``keys list`` in Arabic isolates each key id and fingerprint (LRI … PDI), and a
    terminal line may start with a mark: pasted into ``keys revoke`` they said "no key
    … in the registry" of a key listed right there."""
    ml = registered(make_office("ML"), hq, tmp_path)
    pub = keyreg.public_key(ml)
    given = pub.key_id_hex if by == "key_id" else pub.fingerprint
    done = revoke_key(hq, f"{marks[0]}{given}{marks[1]}")
    assert (done.key_id, done.events) == (pub.key_id_hex, 1)
    assert keyreg.all_keys(hq)[pub.key_id_hex].status == "revoked"


# --- a bundle that names this computer as its sender ---------------------------------------


def forged_as(rep, template: Path, signer: minisign.SecretKey, **fields) -> bytes:
    """``template``'s bundle naming ``rep`` as its sender, addressed to it, signed by
    ``signer``."""
    manifest, evs = unpack(template.read_bytes())
    manifest.update(sender=rep.replica_id, rotation=[], **fields)
    manifest.pop("enrolment", None)
    return pack(manifest, [line_of(e) for e in evs], signer)


@pytest.mark.parametrize("office", ["ML", "HQ"])
def test_a_bundle_naming_headquarters_as_sender_with_another_key_is_refused(
        hq, make_office, tmp_path: Path, office) -> None:
    """Any key signing a bundle that gives headquarters' replica id as its sender got
    "duplicate: written by this replica" before any key was looked at: a forged file
    said to be this computer's own, and kept as such."""
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    made = export_bundle(ml, out_dir=tmp_path)
    forged = tmp_path / "forged.fieldplan"
    forged.write_bytes(forged_as(hq, made.path, minisign.generate_key(), office=office))
    before = snapshot(hq)
    outcome = import_bundle(hq, forged)
    assert outcome.outcome == "rejected" and not outcome.written_here
    assert outcome.reason == (
        f"bundle gives this computer (replica {hq.replica_id[:8]}) as its sender but is "
        "not signed by its key: it was not written here (a damaged or forged file)")
    assert snapshot(hq) == before and list_quarantine(hq) == []
    # signed by this computer's own key, it is its own, as before
    own = tmp_path / "own.fieldplan"
    own.write_bytes(forged_as(hq, made.path, keyreg.secret_key(hq), office=office))
    outcome = import_bundle(hq, own)
    assert (outcome.outcome, outcome.reason, outcome.written_here) == (
        "duplicate", "written by this replica", True)


def test_a_bundle_naming_an_office_computer_as_sender_with_another_key_is_refused(
        hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    made = export_bundle(hq, for_office="ML", out_dir=tmp_path)
    forged = tmp_path / "forged.fieldplan"
    forged.write_bytes(forged_as(ml, made.path, minisign.generate_key()))
    outcome = import_bundle(ml, forged)
    assert outcome.outcome == "rejected" and not outcome.written_here
    assert "not signed by its key" in outcome.reason


# --- trusting the older key of a laptop that rotated since ---------------------------------


def test_trusting_the_older_key_brings_the_bundles_of_the_key_it_endorsed(
        hq, make_office, tmp_path: Path) -> None:
    """Both bundles of a laptop whose enrolment ended wait in quarantine, the newer
    signed by the key the older key's rotation endorsed. Trusting the older key (the
    fingerprint the office read out before its rotation) merged its bundle alone: the
    newer one waited for a second trust, though its chain reaches the key just
    trusted. Both are merged now, the preview counting both first."""
    from fieldplan.sync.trust_preview import trust_preview

    sn = make_office("SN")
    with store.write_transaction(hq.conn):
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")
    progress.record_progress(sn, national(sn), "2026-S2", status="on-track")
    older = export_bundle(sn, out_file=tmp_path / "a.fieldplan")
    first = keyreg.public_key(sn)
    newest = rotate_key(sn)
    progress.record_progress(sn, national(sn, 1), "2026-S2", status="on-track")
    newer = export_bundle(sn, out_file=tmp_path / "b.fieldplan")
    assert import_bundle(hq, older.path).outcome == "quarantined"
    assert import_bundle(hq, newer.path).outcome == "quarantined"
    seen = trust_preview(hq, first.fingerprint)
    assert (seen.bundles, seen.new) == (2, 2)
    outcomes = trust_key(hq, first.fingerprint)
    assert [o.file for o in outcomes] == ["a.fieldplan", "b.fieldplan"]
    assert all(o.outcome == "merged" for o in outcomes), outcomes
    assert not list_quarantine(hq)
    keys = keyreg.all_keys(hq)
    assert (keys[first.key_id_hex].status, keys[newest.key_id_hex].status) == (
        "retired", "active")
    assert progress.digest(hq, "SN") == progress.digest(sn)


# --- this computer's earlier key put back in the key file --------------------------------


@pytest.mark.parametrize("role", ["office", "hq"])
def test_an_earlier_key_put_back_is_said_as_this_computers_earlier_key(
        hq, make_office, tmp_path: Path, role) -> None:
    """A backup of the key file from before a key change, put back over it, was "a key
    file copied from another computer?": it is this computer's own earlier key, and
    the way out is the key file of the key that replaced it."""
    from fieldplan.minisign import KeyFileError
    from fieldplan.replica import key_path

    rep = make_office("ML") if role == "office" else hq
    kpath = key_path(rep.path)
    backup = kpath.read_bytes()
    old = rep.meta("key_id")
    new = rotate_key(rep).key_id_hex
    kpath.write_bytes(backup)
    problem = keyreg.key_file_problem(rep)
    assert problem is not None and problem.kind == "other"
    start = (f"the key file {kpath.name} holds key {old}, this computer's earlier key, "
             f"which a key change replaced with key {new} (a backup of the key file from "
             "before the change put back?): nothing can be ")
    way = (f"Put back the key file holding key {new} (a copy or backup made since the "
           "change); ")
    assert problem.text.startswith(start) and way in problem.text
    assert "another computer" not in problem.text
    with pytest.raises(KeyFileError) as caught:
        keyreg.secret_key(rep)
    assert str(caught.value) == problem.text


def test_another_computers_key_is_still_said_copied(hq, make_office) -> None:
    """A sibling's key file (another replica) after a rotation here is not this
    computer's earlier key, even though this computer changed its key."""
    from fieldplan.replica import key_path

    bn, ng = make_office("BN"), make_office("NG")
    rotate_key(bn)
    key_path(bn.path).write_bytes(key_path(ng.path).read_bytes())
    assert "copied from another computer?" in keyreg.key_file_problem(bn).text


# --- a laptop whose key headquarters replaced by a trust -----------------------------------


def test_a_replaced_key_is_not_called_revoked_where_work_is_typed_or_set_up_again(
        tmp_path: Path) -> None:
    """The report editor's notice, progress set/submit's warning and the set-up-again
    explanation said "headquarters revoked this computer's key" of a laptop whose key
    headquarters replaced by trusting another key for it: they name that key now."""
    from fieldplan.status import revoked_work_text
    from ui.set_up_again import explanation

    said = revoked_work_text("File ▸ Set up again", "1A2B3C4D5E6F7A8B")
    assert said.startswith("headquarters trusted key 1A2B3C4D5E6F7A8B for this computer "
                           "in place of its key: what is recorded here is kept")
    assert "revoked" not in said
    text = explanation(tmp_path / "ml.sqlite3", tmp_path / "aside", 0, "1A2B3C4D5E6F7A8B")
    assert text.startswith("Headquarters trusted key 1A2B3C4D5E6F7A8B for this computer")
    assert "revoked" not in text
    assert revoked_work_text("x").startswith("headquarters revoked this computer's key")
