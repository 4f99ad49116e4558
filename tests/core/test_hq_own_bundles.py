"""Headquarters' own bundles met again (the stick it shares with the offices' bundles,
dropped whole): a bundle it wrote for an office and an office's setup bundle hold
nothing new for its database. They are duplicates, as any bundle this replica wrote,
not refused: a stick of 57 offices' bundles read "rejected" 57 times beside the one
damaged bundle, and the command line ended in failure (exit 1) each time."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.replica import open_replica
from fieldplan.sync import enroll_office, export_bundle, import_bundle, list_inbox

#: why headquarters refuses its own bundle for ML whose events a restore lost
LOST = ("bundle is addressed to ML, not to HQ: headquarters wrote it for ML before this "
        "database was put back from a backup, which lost 1 event it carries (the status "
        "lists what it lost, to be made again); send it to ML if it was not sent")
#: the same, where the status lists nothing of what the restore lost
LOST_UNLISTED = ("bundle is addressed to ML, not to HQ: headquarters wrote it for ML before "
                 "this database was put back from a backup, which lost 1 event it carries; "
                 "send it to ML if it was not sent")


def _events(rep) -> int:
    return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_headquarters_own_bundles_are_duplicates(hq, make_office, tmp_path: Path,
                                                 capsys) -> None:
    make_office("ML")
    stick = tmp_path / "stick"
    stick.mkdir()
    for_ml = export_bundle(hq, for_office="ML", out_dir=stick).path
    setup = stick / "SN-setup.fieldplan"
    enroll_office(hq, "SN", setup)
    before = _events(hq), progress.digest(hq)
    own = import_bundle(hq, for_ml)
    assert (own.outcome, own.office) == ("duplicate", "HQ")
    assert own.reason == ("headquarters wrote this bundle for ML: nothing new here; send "
                          "it to ML")
    assert own.line().endswith("; headquarters wrote this bundle for ML: nothing new "
                               "here; send it to ML")
    own = import_bundle(hq, setup)
    assert (own.outcome, own.office) == ("duplicate", "SN")
    assert own.reason == ("headquarters wrote this setup bundle for SN: nothing new here; "
                          "it sets up a computer of SN")
    assert (_events(hq), progress.digest(hq)) == before
    assert [e.outcome for e in list_inbox(hq)] == ["duplicate", "duplicate"]
    path = hq.path
    hq.close()
    try:
        code = main(["--db", str(path), "import", str(for_ml), str(setup)])
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr().out
    assert code == 0 and "rejected" not in out and out.count("duplicate") == 2


def test_a_bundle_headquarters_no_longer_holds_is_still_refused(hq, make_office,
                                                                tmp_path: Path) -> None:
    """Headquarters put back from a backup older than its bundle for ML (the same
    replica, without what it wrote since): the bundle is not "nothing new" for it, and
    is refused, saying what the backup lost of it (not that the status lists it: no
    restore is on record)."""
    make_office("ML")
    hq.conn.commit()
    shutil.copy(hq.path, tmp_path / "backup.sqlite3")
    shutil.copy(str(hq.path) + ".key", str(tmp_path / "backup.sqlite3") + ".key")
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track", percent=10)
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    with open_replica(tmp_path / "backup.sqlite3") as restored:
        refused = import_bundle(restored, for_ml)
    assert (refused.outcome, refused.reason) == ("rejected", LOST_UNLISTED)


def test_headquarters_own_bundle_with_a_range_past_any_sequence_is_refused(
        hq, make_office, tmp_path: Path) -> None:
    """A bundle signed by headquarters' own key whose manifest names a range past any
    sequence number SQLite holds (2**70) is refused with a reason, as any other bundle
    with a bad range: import never raises (it ended in OverflowError)."""
    import io
    import json
    import zipfile

    from fieldplan import bundle as bundlefmt
    from fieldplan import minisign
    from fieldplan.sync import keys as keyreg

    make_office("ML")
    path = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    with zipfile.ZipFile(path) as zf:
        events_jsonl = zf.read(bundlefmt.EVENTS)
        manifest = json.loads(zf.read(bundlefmt.MANIFEST))
    manifest["ranges"] = {hq.replica_id: [1, 2**70]}
    manifest_bytes = bundlefmt.canonical_json(manifest)
    signature = minisign.sign(keyreg.secret_key(hq), manifest_bytes,
                              bundlefmt.trusted_comment(manifest["bundle_id"],
                                                        manifest["created"]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundlefmt.EVENTS, events_jsonl)
        zf.writestr(bundlefmt.MANIFEST, manifest_bytes)
        zf.writestr(bundlefmt.SIGNATURE, signature)
    before = _events(hq), progress.digest(hq)
    outcome = import_bundle(hq, io.BytesIO(buf.getvalue()), name="HQ-ML.fieldplan")
    assert outcome.outcome == "rejected"
    assert (_events(hq), progress.digest(hq)) == before


def test_a_bundle_headquarters_wrote_before_a_restore_is_still_its_own(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """Put back from a backup, headquarters continues as a new replica: its bundle for
    ML from before, of events the backup holds, is still its own (it was refused as
    addressed to ML). verify says what import says (it said refused, "send it
    there", where import said nothing new)."""
    from fieldplan import store
    from fieldplan.sync import verify_bundle

    make_office("ML")
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track", percent=10)
    path, replica = hq.path, hq.replica_id
    hq.close()
    store.restore_latest_backup(path, force=True)
    with open_replica(path) as restored:
        assert restored.replica_id != replica
        checked = verify_bundle(restored, for_ml)
        again = import_bundle(restored, for_ml)
    assert (again.outcome, again.reason) == (
        "duplicate", "headquarters wrote this bundle for ML: nothing new here; send it to ML")
    assert (checked["valid"], checked["reason"], checked["note"]) == (True, "", again.reason)
    assert main(["--db", str(path), "verify", str(for_ml)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [again.reason]


def test_a_bundle_of_a_copy_of_headquarters_database_is_not_a_duplicate(
        hq, make_office, tmp_path: Path) -> None:
    """A copy of headquarters' database and its key (a second computer set up by
    copying the files) writes other events under the same sequence numbers: its bundle
    for ML, signed by this very key, with ranges naming as many events held here,
    carries a forked history; it is refused as addressed to ML, not "nothing new"."""
    make_office("ML")
    copy = tmp_path / "copy" / "hq.sqlite3"
    copy.parent.mkdir()
    with sqlite3.connect(copy) as target:
        hq.conn.backup(target)
    target.close()
    shutil.copy(str(hq.path) + ".key", str(copy) + ".key")
    action = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, action, "2026-S1", status="on-track", percent=10)
    with open_replica(copy) as other:
        assert other.replica_id == hq.replica_id
        progress.record_progress(other, action, "2026-S1", status="off-track", percent=70)
        for_ml = export_bundle(other, for_office="ML", out_dir=tmp_path).path
    before = _events(hq), progress.digest(hq)
    refused = import_bundle(hq, for_ml)
    assert refused.outcome == "rejected"
    assert refused.reason == ("bundle is addressed to ML, not to HQ: headquarters wrote it "
                              "for ML; send it there")
    assert (_events(hq), progress.digest(hq)) == before


def test_a_bundle_of_events_a_restore_lost_is_refused_for_that_and_in_the_pack(
        hq, make_office, tmp_path: Path) -> None:
    """Put back from a backup older than its bundle for ML, headquarters lost events
    the bundle carries (its status lists them): the bundle was refused as one imported
    by mistake ("send it there"), and the review pack left it out as headquarters' own.
    It says what the restore lost, and the pack lists it with the refused bundles."""
    from fieldplan import store
    from fieldplan.sync import verify_bundle
    from tests.core.test_reports import _pack

    make_office("ML")
    store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track", percent=10)
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    path = hq.path
    hq.close()
    store.restore_latest_backup(path, force=True)
    with open_replica(path) as restored:
        refused = import_bundle(restored, for_ml)
        assert (refused.outcome, refused.reason) == ("rejected", LOST)
        assert verify_bundle(restored, for_ml)["reason"] == LOST
        (line,) = list_inbox(restored)
        assert not line.headquarters_own
        assert line.reason_msg  # (kept as a message: said again in the reader's language)
        assert [e.file for e in _pack(restored).sync.refused] == [for_ml.name]



@pytest.mark.parametrize("how", ["copied", "made again"])
def test_a_bundle_of_events_a_restore_lost_points_to_the_status_only_if_it_lists_them(
        hq, make_office, tmp_path: Path, how: str) -> None:
    """The refusal said "the status lists what it lost, to be made again" where the
    status lists nothing: a backup copied over the database by hand (no restore on
    record), or after the person said the lost changes were made again."""
    from fieldplan import store
    from fieldplan.status import replica_status
    from fieldplan.sync import verify_bundle
    from fieldplan.sync.state import dismiss_lost

    make_office("ML")
    hq.conn.commit()
    if how == "copied":
        shutil.copy(hq.path, tmp_path / "backup.sqlite3")
    else:
        store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track", percent=10)
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    path = hq.path
    hq.close()
    if how == "copied":
        path = tmp_path / "backup.sqlite3"
    else:
        store.restore_latest_backup(path, force=True)
    with open_replica(path) as restored:
        if how == "made again":
            assert dismiss_lost(restored) == 1
        assert not [line for line in replica_status(restored).lines("en")
                    if line[0] == "Lost"]
        refused = import_bundle(restored, for_ml)
        assert (refused.outcome, refused.reason) == ("rejected", LOST_UNLISTED)
        if how == "made again":  # (a copy is this replica's: its bundle, to send)
            assert verify_bundle(restored, for_ml)["reason"] == LOST_UNLISTED
