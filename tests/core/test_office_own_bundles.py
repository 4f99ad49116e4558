"""An office's own bundle met again (its stick holds the bundle it exported for
headquarters beside headquarters' bundle for it, and the whole stick is imported or
dropped): it holds nothing new for this computer. It is a duplicate that says whose
it is and where it goes, as headquarters' own bundles are (test_hq_own_bundles), not
refused (the command line's: tests/cli/test_cli_office_own_bundle.py).
Only a bundle this very computer wrote is: its replica, its own key, every event held
here; any other is checked and refused as before."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle, import_bundles, list_inbox
from fieldplan.sync import keys as keyreg

SAID = ("this computer wrote this bundle for headquarters: nothing new here; send it to "
        "headquarters")
#: what an office computer's own bundle was refused with, and still is when it is not
#: this computer's as it stands (a restore lost what it carries, another key signed it)
REFUSED = ("this is the bundle this computer wrote for headquarters: send it to "
           "headquarters; there is nothing to import here")


def _national(rep) -> str:
    return rep.plan().actions_of(level="national")[0].code


def _held(rep) -> tuple[str, int, int, int]:
    """What a duplicate leaves as it was: digest, events, versions, meta."""
    count = [rep.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
             for table in ("events", "versions", "meta")]
    return (progress.digest(rep), *count)


def _exported(office, folder: Path, percent: int = 30) -> Path:
    progress.record_progress(office, _national(office), "2026-S1", status="on-track",
                             percent=percent)
    folder.mkdir(exist_ok=True)
    return export_bundle(office, out_dir=folder).path


def test_an_offices_own_bundle_met_again_is_a_duplicate(hq, make_office,
                                                        tmp_path: Path) -> None:
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")  # (its key not registered yet)
    before = _held(ml)
    again = import_bundle(ml, own)
    assert (again.outcome, again.office, again.reason) == ("duplicate", "ML", SAID)
    assert again.events_new == 0 and again.events_total > 0
    assert again.line().endswith("; " + SAID)
    # nothing is written but the inbox line
    assert _held(ml)[:3] == before[:3]
    assert [(e.outcome, e.reason) for e in list_inbox(ml)] == [("duplicate", SAID)]
    # and once headquarters registered its key and wrote back
    import_bundle(hq, own)
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path / "stick").path
    assert import_bundle(ml, for_ml).outcome == "merged"
    own = _exported(ml, tmp_path / "stick", percent=40)
    assert import_bundle(ml, own).reason == SAID


HQ_HAS_IT = ("this computer wrote this bundle for headquarters, which has received it: "
             "nothing new here, nothing to send")


def test_an_own_bundle_headquarters_acknowledged_is_not_to_be_sent_again(
        hq, make_office, tmp_path: Path) -> None:
    """The stick holds the office's bundle and headquarters' reply, which acknowledges
    it: imported whole, the office's own bundle said "send it to headquarters", and the
    officer sent it again. Once headquarters' receipts cover it, it says headquarters
    has it; a later bundle, not acknowledged yet, still says to send it."""
    ml = make_office("ML")
    stick = tmp_path / "stick"
    own = _exported(ml, stick)
    import_bundle(hq, own)
    reply = export_bundle(hq, for_office="ML", out_dir=stick).path
    outcomes = import_bundles(ml, sorted(stick.glob("*.fieldplan"),
                                         key=lambda p: p != reply))
    assert [(o.outcome, o.reason) for o in outcomes] == [
        ("merged", ""), ("duplicate", HQ_HAS_IT)]
    assert import_bundle(ml, own).reason == HQ_HAS_IT
    later = _exported(ml, stick, percent=40)
    assert import_bundle(ml, later).reason == SAID
    # a bundle headquarters holds in part (the earlier events, not the later ones)
    (tmp_path / "full").mkdir()
    whole = export_bundle(ml, out_dir=tmp_path / "full", full=True).path
    assert import_bundle(ml, whole).reason == SAID


def test_a_sibling_laptops_or_another_offices_bundle_is_refused_as_before(
        hq, make_office, tmp_path: Path) -> None:
    a, b = make_office("ML"), make_office("ML")
    sn = make_office("SN")
    laptop = _exported(a, tmp_path / "a")
    before = _held(b)
    refused = import_bundle(b, laptop)
    assert refused.outcome == "rejected" and _held(b)[:3] == before[:3]
    assert "it comes from another computer of ML" in refused.reason
    refused = import_bundle(sn, laptop)
    assert (refused.outcome, refused.reason) == (
        "rejected", "bundle is addressed to HQ, not to SN: ML wrote it for headquarters; "
                    "send it there")


def test_a_bundle_this_computer_no_longer_holds_is_refused_as_before(
        make_office, tmp_path: Path) -> None:
    """Put back from a backup older than the bundle (the same replica, without what it
    wrote since): the bundle is not "nothing new" for it."""
    ml = make_office("ML")
    ml.conn.commit()
    backup = tmp_path / "backup.sqlite3"
    shutil.copy(ml.path, backup)
    shutil.copy(str(ml.path) + ".key", str(backup) + ".key")
    own = _exported(ml, tmp_path / "stick")
    with open_replica(backup) as restored:
        assert restored.replica_id == ml.replica_id
        before = _held(restored)
        refused = import_bundle(restored, own)
        assert (refused.outcome, refused.reason) == ("rejected", REFUSED)
        assert _held(restored)[:3] == before[:3]


def test_a_bundle_written_before_a_restore_is_still_this_computers(
        make_office, tmp_path: Path) -> None:
    """Put back from a backup, the database continues as a new replica: a bundle the
    replica it continues wrote, of events the backup holds, is this computer's (it
    was refused as "from another computer of ML"); one of events the restore lost is
    refused as this computer's own, not as a sibling's."""
    from fieldplan import store

    ml = make_office("ML")
    held = _exported(ml, tmp_path / "stick")
    store.backup(ml.conn, ml.path, "manual")
    progress.record_progress(ml, "PA1.2", "2026-S2", status="off-track")
    lost = export_bundle(ml, out_dir=tmp_path / "stick").path
    path, replica = ml.path, ml.replica_id
    ml.close()
    store.restore_latest_backup(path, force=True)
    with open_replica(path) as restored:
        assert restored.replica_id != replica
        again = import_bundle(restored, held)
        assert (again.outcome, again.reason) == ("duplicate", SAID)
        before = _held(restored)
        refused = import_bundle(restored, lost)
        assert (refused.outcome, refused.reason) == ("rejected", REFUSED)
        assert _held(restored)[:3] == before[:3]


def test_a_bundle_of_this_replica_signed_by_another_key_is_refused(
        make_office, tmp_path: Path) -> None:
    """A copy of this database with a key of its own (rotated there) writes bundles
    under this replica's id, of events held here: not this computer's bundle."""
    ml = make_office("ML")
    progress.record_progress(ml, _national(ml), "2026-S1", status="on-track")
    ml.conn.commit()
    copy = tmp_path / "copy" / "ml.sqlite3"
    copy.parent.mkdir()
    shutil.copy(ml.path, copy)
    shutil.copy(str(ml.path) + ".key", str(copy) + ".key")
    with open_replica(copy) as other:
        assert other.replica_id == ml.replica_id
        keyreg.rotate_key(other)
        (tmp_path / "stick").mkdir()
        theirs = export_bundle(other, out_dir=tmp_path / "stick").path
    refused = import_bundle(ml, theirs)
    assert (refused.outcome, refused.reason) == ("rejected", REFUSED)


def test_a_bundle_signed_before_this_computers_key_rotation_is_its_own(
        make_office, tmp_path: Path) -> None:
    """The key kept beside the key file after a rotation signed it: this computer's
    (headquarters has not registered either key yet)."""
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")
    keyreg.rotate_key(ml)
    assert ml.meta("key_id") != import_bundle(ml, own).key_id
    assert list_inbox(ml)[-1].outcome == "duplicate"
    assert list_inbox(ml)[-1].reason == SAID


def test_a_revoked_computers_own_bundle_says_why_sending_it_is_no_use(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters refuses what a revoked computer sends: its bundle met again has
    nothing new here, and "send it to headquarters" would send it to a refusal; it says
    what the computer is told everywhere else instead."""
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")
    assert import_bundle(hq, own).outcome == "merged"
    keyreg.revoke_key(hq, ml.meta("key_id"))
    (tmp_path / "hq").mkdir()
    news = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq").path
    assert import_bundle(ml, news).revoked_here
    again = import_bundle(ml, own)
    assert (again.outcome, again.reason) == (
        "duplicate", "this computer wrote this bundle for headquarters: nothing new here; "
                     "headquarters revoked this computer's key and refuses its bundles; "
                     "ask headquarters for a new setup bundle")
    assert "send it to headquarters" not in again.line()


@pytest.mark.parametrize("hq_first", [True, False])
def test_a_revoked_computers_own_bundle_says_it_whatever_the_order_of_the_files(
        hq, make_office, tmp_path: Path, hq_first: bool) -> None:
    """Its own bundle and headquarters' bundle revoking its key, imported together (the
    stick, or the files chosen at once): the own bundle imported first said "send it to
    headquarters", which refuses it. The order of the files no longer decides what it
    says, in the outcome or in the inbox."""
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")
    assert import_bundle(hq, own).outcome == "merged"
    keyreg.revoke_key(hq, ml.meta("key_id"))
    news = export_bundle(hq, for_office="ML", out_dir=tmp_path / "stick").path
    files = [news, own] if hq_first else [own, news]
    outcomes = {o.file: o for o in import_bundles(ml, files)}
    said = ("this computer wrote this bundle for headquarters: nothing new here; "
            "headquarters revoked this computer's key and refuses its bundles; ask "
            "headquarters for a new setup bundle")
    assert outcomes[news.name].revoked_here
    again = outcomes[own.name]
    assert (again.outcome, again.reason) == ("duplicate", said)
    assert "send it to headquarters" not in again.line()
    inbox = {e.file: e for e in list_inbox(ml)}
    assert inbox[own.name].reason == said
    assert inbox[own.name].reason_text("fr") != said  # (kept as a message: translated)


def _damaged(data: bytes) -> bytes:
    """The bundle with one byte of its events changed (its manifest and signature as
    they were)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, blob in members:
            if info.filename == "events.jsonl":
                blob = blob[:10] + bytes([blob[10] ^ 1]) + blob[11:]
            out.writestr(info, blob)
    return buf.getvalue()


@pytest.mark.parametrize("side", ["office", "hq"])
def test_a_damaged_copy_of_ones_own_bundle_is_refused_as_damaged(
        hq, make_office, tmp_path: Path, side: str) -> None:
    """Not "nothing new; send it": the copy is no use there either."""
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")
    if side == "hq":
        import_bundle(hq, own)
        (tmp_path / "hq").mkdir()
        own = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq").path
    rep = ml if side == "office" else hq
    refused = import_bundle(rep, _damaged(own.read_bytes()), name=own.name)
    assert refused.outcome == "rejected"
    assert "events.jsonl" in refused.reason and "nothing new" not in refused.reason


def test_a_copy_of_this_database_with_its_key_is_not_a_duplicate(
        make_office, tmp_path: Path) -> None:
    """A copy of this database and its key file (a second laptop set up by copying
    the files) writes other events under the same sequence numbers: its bundle, signed
    by this very key, with ranges this computer holds as many events of, carries a
    forked history for headquarters to report, not "nothing new here"."""
    ml = make_office("ML")
    ml.conn.commit()
    copy = tmp_path / "copy" / "ml.sqlite3"
    copy.parent.mkdir()
    shutil.copy(ml.path, copy)
    shutil.copy(str(ml.path) + ".key", str(copy) + ".key")
    _exported(ml, tmp_path / "own", percent=30)
    with open_replica(copy) as other:
        assert (other.replica_id, other.meta("key_id")) == (ml.replica_id,
                                                            ml.meta("key_id"))
        theirs = _exported(other, tmp_path / "stick", percent=70)
    before = _held(ml)
    refused = import_bundle(ml, theirs)
    assert (refused.outcome, refused.reason) == ("rejected", REFUSED)
    assert _held(ml)[:3] == before[:3]


def test_each_copy_of_a_revoked_computers_own_bundle_is_settled_in_the_inbox(
        hq, make_office, tmp_path: Path) -> None:
    """Two copies of its own bundle under one file name (two folders of the stick), then
    headquarters' bundle revoking its key, imported together: each copy's inbox line says
    headquarters refuses it, as each outcome does. Only the newest line of that file name
    and bundle was changed; the other kept "send it to headquarters"."""
    ml = make_office("ML")
    own = _exported(ml, tmp_path / "stick")
    copy = tmp_path / "stick" / "sent" / own.name
    copy.parent.mkdir()
    shutil.copy(own, copy)
    assert import_bundle(hq, own).outcome == "merged"
    keyreg.revoke_key(hq, ml.meta("key_id"))
    (tmp_path / "hq").mkdir()
    news = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq").path
    outcomes = import_bundles(ml, [own, copy, news])
    said = ("this computer wrote this bundle for headquarters: nothing new here; "
            "headquarters revoked this computer's key and refuses its bundles; ask "
            "headquarters for a new setup bundle")
    assert [(o.outcome, o.reason) for o in outcomes[:2]] == [("duplicate", said)] * 2
    assert [e.reason for e in list_inbox(ml) if e.file == own.name] == [said, said]
