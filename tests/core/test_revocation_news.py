"""A revoked laptop learns it was revoked though the office's other laptop imported
the revocation first: HQ leaves a revoked computer out of the office's receipts (its
old ones would hold every bundle back), so each bundle for the office carries that
computer's key records too, and nothing more."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from test_bundle_compat import as_older, manifest_of, report, revoke_for_one_computer
from test_bundle_compat import send as send_file
from test_sync import national, registered, send

from fieldplan import bundle as bundlefmt
from fieldplan import progress
from fieldplan.status import replica_status
from fieldplan.sync import enroll_office, export_bundle, import_bundle, revoke_key, sync_state
from fieldplan.sync import keys as keyreg
from fieldplan.sync.again import set_up_again

S1 = "2026-S1"


def carried(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(line) for line in zf.read(bundlefmt.EVENTS).splitlines()]


def test_a_revoked_laptop_learns_it_after_its_sibling_acknowledged_it(
        hq, make_office, tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    lost = b.meta("key_id")
    revoke_key(hq, lost)
    # one person imports HQ's emailed bundle, on laptop A, whose receipts reach HQ
    send(hq, a, tmp_path)
    progress.record_progress(a, national(a, 1), S1, status="at-risk")
    send(a, hq, tmp_path)
    # what HQ sends now: A's receipts cover everything but A's new report (HQ's copy,
    # nothing to send) and B's key records, which B has not acknowledged
    bundle, outcome = send(hq, b, tmp_path)
    assert {(e["entity"], e["id"]) for e in carried(bundle.path)} == {("key", lost)}
    assert outcome.outcome == "merged" and outcome.revoked_here
    assert sync_state(b).key_revoked
    assert dict(replica_status(b).lines("en"))["Warning"].startswith(
        "headquarters revoked this computer's key")
    # and A is told nothing new by the same bundle
    assert import_bundle(a, bundle.path).events_new == 0
    # set up again from a new setup bundle: it takes the office's data whole
    db = b.path
    b.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    with set_up_again(db, setup).replica as again:
        assert not sync_state(again).key_revoked
        assert progress.digest(again) == progress.digest(hq, "ML")
        progress.record_progress(again, national(again, 2), S1, status="on-track")
        assert send(again, hq, tmp_path)[1].outcome == "merged"
        send(hq, a, tmp_path)
        assert progress.digest(a) == progress.digest(hq, "ML") == progress.digest(again)


def test_the_revoked_laptop_s_records_are_all_a_bundle_adds(hq, make_office,
                                                          tmp_path: Path) -> None:
    """Every bundle for the office carries them (HQ never hears from that computer
    again), and no more: no run of HQ's events from its old receipts."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    send(hq, a, tmp_path)
    send(a, hq, tmp_path)
    before = export_bundle(hq, for_office="ML", out_dir=tmp_path / "out")
    revoke_key(hq, b.meta("key_id"))
    for _ in range(2):
        send(hq, a, tmp_path)
        send(a, hq, tmp_path)
        after = export_bundle(hq, for_office="ML", out_dir=tmp_path / "out")
        news = carried(after.path)
        # B's registration and revocation: the events B's receipts do not cover
        assert [(e["entity"], e["id"]) for e in news] == [("key", b.meta("key_id"))] * 2
        lines = sum(len(json.dumps(e)) for e in news)
        assert after.size <= before.size + lines
    # another office's bundle carries none of them
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, sn, tmp_path)
    send(sn, hq, tmp_path)
    assert export_bundle(hq, for_office="SN", out_dir=tmp_path / "out").events == 0


def test_a_revocation_for_one_computer_alone_goes_in_the_format_that_holds_it(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Carried alone, below the office's receipts, a scoped revocation still needs
    the format that introduced scopes: held back while no computer of the office reads
    it (the revoked laptop's bundles refused, nothing tells HQ it was updated), sent
    once one of them reads it."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    for lap in (a, b):
        report(lap)
        with monkeypatch.context() as old:
            as_older(old, 2)
            send_file(lap, hq, tmp_path, lap.replica_id)
    revoke_for_one_computer(hq, b)
    send(hq, a, tmp_path)  # (a fieldplan updated since reads it)
    with monkeypatch.context() as old:
        as_older(old, 2)
        send_file(a, hq, tmp_path, "a-receipts")
    # neither laptop reads it: it waits, and the export says so
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "news.fieldplan")
    assert "scope" not in [e["fields"] for e in carried(result.path)][-1]
    assert manifest_of(result.path)["version"] == 2
    assert result.warning.endswith(
        "before the changes that need format 3 (for a key revoked for one computer "
        "alone); ML must update fieldplan to receive those changes and what came after "
        "them")
    # the other laptop updated reads it: it goes, in the format that laptop reads
    send_file(a, hq, tmp_path, "a-updated")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "news2.fieldplan")
    assert [e["fields"] for e in carried(result.path)][-1]["scope"] == keyreg.REPLICA_ALONE
    assert manifest_of(result.path)["version"] == bundlefmt.FORMAT_VERSION
    assert result.warning == ""


def test_a_bundle_of_those_records_alone_is_no_duplicate_at_the_other_laptop(
        hq, make_office, tmp_path: Path) -> None:
    """Nothing new anywhere: HQ's bundle says so at the laptop that holds everything
    ("no new events", merged), as it did without them; the same file again is a
    duplicate."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    revoke_key(hq, b.meta("key_id"))
    send(hq, a, tmp_path)
    send(a, hq, tmp_path)
    send(hq, a, tmp_path)  # (HQ's receipts move no further after this one)
    quiet = export_bundle(hq, for_office="ML", out_dir=tmp_path / "out")
    assert quiet.events == 2
    first = import_bundle(a, quiet.path)
    assert (first.outcome, first.events_new) == ("merged", 0)
    assert import_bundle(a, quiet.path).outcome == "duplicate"


def test_a_bad_count_of_those_records_is_refused(hq, make_office, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldplan.sync import export as exportmod

    ml = make_office("ML")
    write = exportmod.bundlefmt.write_bundle
    monkeypatch.setattr(exportmod.bundlefmt, "write_bundle",
                        lambda path, manifest, *args, **kw: write(
                            path, {**manifest, "revocation_records": "2"}, *args, **kw))
    outcome = import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    assert outcome.outcome == "rejected"
    assert outcome.reason == "manifest.json: bad 'revocation_records'"


def test_an_office_bundle_that_claims_those_records_is_still_a_duplicate(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only headquarters' bundles carry those records: the count in an office's
    bundle is not believed (it made a bundle of events HQ held merged, not a
    duplicate)."""
    from fieldplan.sync import export as exportmod

    ml = registered(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml, 1), S1, status="at-risk")
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    write = exportmod.bundlefmt.write_bundle
    monkeypatch.setattr(exportmod.bundlefmt, "write_bundle",
                        lambda path, manifest, *args, **kw: write(
                            path, {**manifest, "revocation_records": 5}, *args, **kw))
    (tmp_path / "again").mkdir()
    again = export_bundle(ml, out_dir=tmp_path / "again")  # the same events again
    assert again.events > 0
    assert import_bundle(hq, again.path).outcome == "duplicate"
