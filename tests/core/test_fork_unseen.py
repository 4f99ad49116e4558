"""Forks no event shows headquarters at once (fieldplan.sync.fork): an office whose
database went back and that wrote as many events as it lost (receipt counts agree),
more (its bundle starts after HQ's receipt), or fewer (it renewed, but its old
replica's events differ). Receipts carry the hash of the event they name; the office
sends its replica from 1 again when they differ, HQ records the fork, its next bundle
repairs: both sides end with one history, nothing typed lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from scenes import forget_write_marks
from test_fork_repair import bundle_ranges, export_to, own_count, write

from fieldplan import bundle as bundlefmt
from fieldplan import events, progress
from fieldplan.errors import BundleError
from fieldplan.replica import RESEND_OWN, open_replica
from fieldplan.sync import fork, import_bundle, list_conflicts, verify_bundle
from fieldplan.sync.exchange import _check_manifest

S1 = "2026-S1"
EXPORT_NOW = "; export now so that headquarters gets them"


class WentBack:
    """ML wrote 1..2, then 3..(2+lost), all at HQ, whose reply (receipts up to 2+lost)
    waits; the database went back to its copy at 2, the office typed ``typed`` events
    and imports HQ's reply."""

    def __init__(self, hq, make_office, tmp_path: Path, *, lost: int, typed: int) -> None:
        self.hq, self.tmp = hq, tmp_path
        ml = make_office("ML")
        acts = [a.code for a in ml.plan().actions_of(level="national")]
        self.acts = acts
        self.base = own_count(ml)
        write(ml, 2, lambda i: progress.record_progress(ml, acts[i], S1, status="on-track"))
        self.first = ml.replica_id
        path = ml.path
        ml.close()
        copy = tmp_path / "ml-copy.sqlite3"
        shutil.copyfile(path, copy)
        ml = open_replica(path)
        write(ml, lost, lambda i: progress.record_progress(
            ml, acts[2], S1, achievements=f"lost {i}"))
        sent = export_to(ml, tmp_path, "a1").path
        assert import_bundle(hq, sent).outcome == "merged"
        self.reply = export_to(hq, tmp_path, "reply", for_office="ML").path
        ml.close()
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
        shutil.copyfile(copy, path)
        forget_write_marks()  # (this computer's mark would catch it at opening)
        ml = self.ml = open_replica(path)
        assert ml.replica_id == self.first
        self.typed = [f"typed {i}" for i in range(typed)]
        write(ml, typed, lambda i: progress.record_progress(
            ml, acts[3 + i], S1, status="at-risk", next_steps=self.typed[i]))
        self.imported = import_bundle(ml, self.reply)

    def round(self, name: str):
        """The office exports, HQ imports; HQ exports, the office imports."""
        there = import_bundle(self.hq, export_to(self.ml, self.tmp, f"{name}-up").path)
        back = import_bundle(self.ml, export_to(self.hq, self.tmp, f"{name}-down",
                                                for_office="ML").path)
        return there, back

    def heals(self, name: str) -> None:
        """One more round trip (``name``) merges at HQ, and all hold one history."""
        there, _back = self.round(name)
        assert there.outcome == "merged", there.reason
        self.assert_one_history()

    def assert_one_history(self) -> None:
        ml, hq = self.ml, self.hq
        assert progress.digest(hq, "ML") == progress.digest(ml)
        assert list_conflicts(ml) == [] and list_conflicts(hq) == []
        for i, text in enumerate(self.typed):  # nothing typed is lost
            report = progress.get_report(ml, self.acts[3 + i], S1)
            assert (report.status, report.next_steps) == ("at-risk", text)
        assert hq.conn.execute("SELECT count(*) FROM forks").fetchone()[0] == 0
        assert fork.resend_from(ml) == {}


@pytest.fixture
def world(hq, make_office, tmp_path: Path, request):
    lost, typed = request.param
    w = WentBack(hq, make_office, tmp_path, lost=lost, typed=typed)
    yield w
    w.ml.close()


def reopen(w: WentBack) -> None:
    path = w.ml.path
    w.ml.close()
    w.ml = open_replica(path)


@pytest.mark.parametrize("world", [(2, 2)], indirect=True)
def test_as_many_events_typed_as_lost_are_not_lost_silently(world) -> None:
    w = world
    ml, first = w.ml, w.first
    assert w.imported.outcome == "merged"
    assert ml.replica_id == first  # the counts agree: no renewal
    # HQ's receipt names its event 4, of another hash: sent from 1 again, after a
    # restart too
    assert fork.resend_from(ml) == {first: 1}
    reopen(w)
    assert fork.resend_from(w.ml) == {first: 1}
    # status no longer says that HQ has them all
    from fieldplan.sync.state import sync_state

    state = sync_state(w.ml)
    assert state.hq_has_seq is None and state.unsent == w.base + 4
    refused = refused_at_hq(w, [1, w.base + 4])
    assert refused.reason.startswith(f"event {w.base + 3} of replica {first[:8]} differs")
    assert dict(w.hq.conn.execute("SELECT origin, seq FROM forks")) == {first: w.base + 3}
    back = import_bundle(w.ml, export_to(w.hq, w.tmp, "back", for_office="ML").path)
    assert back.outcome == "merged" and back.repair.endswith(EXPORT_NOW)
    assert w.ml.replica_id != first
    assert fork.resend_from(w.ml) == {}  # HQ's receipt names the event held now
    w.heals("after")


def refused_at_hq(w, sent: list[int]):
    """The office's next bundle, carrying its first replica's events ``sent`` (first,
    last), refused at HQ: its outcome."""
    up = export_to(w.ml, w.tmp, "up")
    with bundle_ranges(up.path) as ranges:
        assert ranges[w.first] == sent
    refused = import_bundle(w.hq, up.path)
    assert refused.outcome == "rejected"
    return refused


@pytest.mark.parametrize("world", [(2, 3)], indirect=True)
def test_more_events_typed_than_lost_are_repaired(world) -> None:
    w = world
    assert fork.resend_from(w.ml) == {w.first: 1}
    there, back = w.round("one")
    assert there.outcome == "rejected" and "differs" in there.reason
    assert back.repair.startswith(f"this computer's events {w.base + 3}–{w.base + 5} ")
    w.heals("two")


@pytest.mark.parametrize("world", [(2, 3)], indirect=True)
def test_hq_takes_a_broken_chain_of_the_senders_replica_as_a_fork(world) -> None:
    """An office that does not send from 1 again (an older version): its bundle
    starts after HQ's receipt and does not follow HQ's event before. HQ records a
    fork from 1; the office's repair finds the first differing event itself."""
    w = world
    first = w.first
    with w.ml.conn:
        w.ml.conn.execute("DELETE FROM meta WHERE key = ?", (RESEND_OWN,))
    refused = refused_at_hq(w, [w.base + 5, w.base + 5])
    assert refused.reason == (
        f"event {w.base + 5} of replica {first[:8]} does not follow event {w.base + 4} "
        "held here: this computer of ML went on from an older copy of its database "
        "(forked history); headquarters' next bundle to ML repairs it once imported "
        "there, then ML exports again")
    assert dict(w.hq.conn.execute("SELECT origin, seq FROM forks")) == {first: 1}
    down = export_to(w.hq, w.tmp, "down", for_office="ML")
    with bundle_ranges(down.path) as ranges:
        assert ranges[first] == [1, w.base + 4]
    back = import_bundle(w.ml, down.path)
    assert back.outcome == "merged", back.reason
    assert back.reason == (
        f"this computer's events {w.base + 3}–{w.base + 5} differed from headquarters' "
        "copies of those numbers (this database went back to an older copy, or was copied "
        "to another computer that also wrote); they were written again as replica "
        f"{w.ml.replica_id[:8]}")
    w.heals("after")


@pytest.mark.parametrize("world", [(2, 1)], indirect=True)
def test_fewer_events_typed_than_lost_the_old_replica_is_repaired(world) -> None:
    w = world
    first = w.first
    # HQ's receipt is beyond what is held: a new replica, and the old one's events
    # (written after going back, they may differ) go from 1
    assert w.ml.replica_id != first
    assert fork.resend_from(w.ml) == {first: 1}
    there, back = w.round("one")
    assert there.outcome == "rejected" and "differs" in there.reason
    assert back.outcome == "merged" and back.repair.endswith(EXPORT_NOW)
    assert events.last_event(w.ml.conn, first)[0] == w.base + 4  # HQ's copies
    w.heals("two")


@pytest.mark.parametrize("world", [(2, 1)], indirect=True)
def test_hq_bundle_not_following_own_events_is_refused_then_repaired(world) -> None:
    """Without the mark (a database of an older version), HQ's bundle carries the old
    replica's next event, which does not follow the office's: refused with a clear
    line, the old replica goes from 1, and the next round trips repair."""
    w = world
    first = w.first
    with w.ml.conn:
        w.ml.conn.execute("DELETE FROM meta WHERE key = ?", (RESEND_OWN,))
    there, back = w.round("one")
    assert there.outcome == "merged", there.reason  # (its receipt: the old replica at 3)
    assert back.outcome == "rejected"
    assert back.reason == (
        f"event {w.base + 4} of this computer's replica {first[:8]} does not follow event "
        f"{w.base + 3} held here: this computer went on from an older copy of its "
        "database (forked history); export now: headquarters' next bundle then repairs it")
    assert fork.resend_from(w.ml) == {first: 1}
    there, back = w.round("two")
    assert there.outcome == "rejected" and back.repair
    w.heals("three")


@pytest.mark.parametrize("world", [(2, 2)], indirect=True)
def test_receipts_carry_the_hash_of_the_event_they_name(world) -> None:
    w = world
    up = export_to(w.ml, w.tmp, "up")
    with bundlefmt.open_bundle(up.path, check_events=False) as b:
        m = b.manifest
    assert set(m["ack_hashes"]) == set(m["acks"])
    for origin, seq in m["acks"].items():
        assert m["ack_hashes"][origin] == w.ml.conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, seq)
        ).fetchone()[0]
    m["recipient"] = "ML"
    _check_manifest(w.ml, m, outgoing=True)
    for bad in ({"other": "0" * 64}, {w.first: "XYZ"}, [w.first]):
        with pytest.raises(BundleError, match="ack_hashes"):
            _check_manifest(w.ml, {**m, "ack_hashes": bad}, outgoing=True)
    _check_manifest(w.ml, {k: v for k, v in m.items() if k != "ack_hashes"},
                    outgoing=True)  # (an older version's bundle)


def test_verify_says_what_the_repair_import_will_do(hq, make_office, tmp_path: Path) -> None:
    from test_fork_repair import Forked

    world = Forked(hq, make_office, tmp_path)
    try:
        back = export_to(hq, tmp_path, "back", for_office="ML").path
        checked = verify_bundle(world.ml, back)
        assert checked["valid"], checked["reason"]
        assert checked["repair"] == (
            "importing it writes this computer's events 41–60, which differ from "
            "headquarters' copies, again as a new replica")
        assert json.dumps(checked)
    finally:
        world.ml.close()


@pytest.mark.parametrize("world", [(2, 0)], indirect=True)
def test_went_back_without_writing_resends_once_and_the_mark_ends(world) -> None:
    """Nothing written after going back: the old replica's events sent again are
    HQ's own, merged; HQ's next bundle brings back what was lost, its receipt's hash
    matches, and the office stops sending them."""
    w = world
    first = w.first
    assert w.ml.replica_id != first and fork.resend_from(w.ml) == {first: 1}
    there, back = w.round("one")
    assert there.outcome == "merged", there.reason
    assert back.outcome == "merged" and not back.repair
    assert events.last_event(w.ml.conn, first)[0] == w.base + 4
    w.assert_one_history()
    up = export_to(w.ml, w.tmp, "again")
    with bundle_ranges(up.path) as ranges:
        assert first not in ranges


def test_only_a_differing_receipt_of_this_computers_own_replica_marks_it(
        hq, make_office) -> None:
    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, act, S1, status="on-track")
    seq, digest = events.last_event(ml.conn, ml.replica_id)
    hq_seq, hq_digest = events.last_event(ml.conn, hq.replica_id)
    m = {"office": "HQ", "acks": {ml.replica_id: seq, hq.replica_id: hq_seq}}

    def marks(**hashes: str) -> dict[str, int]:
        with ml.conn:
            fork.check_receipts(ml, {**m, "ack_hashes": {
                {"mine": ml.replica_id, "hq": hq.replica_id}[k]: v
                for k, v in hashes.items()}})
        return fork.resend_from(ml)

    assert marks() == {}  # (an older headquarters: nothing to compare)
    assert marks(mine=digest, hq="0" * 64) == {}  # HQ's own history is not this one's
    assert marks(mine="0" * 64) == {ml.replica_id: 1}
    assert marks(hq=hq_digest) == {ml.replica_id: 1}  # (says nothing of this replica)
    assert marks(mine=digest) == {}
    ml.close()


def test_an_older_bundle_of_headquarters_imported_again_does_not_end_the_resend(
        hq, make_office, tmp_path: Path) -> None:
    """An office that went back sends its replica from 1 again until a receipt of
    headquarters matches. A bundle of headquarters imported again (from the stick, the
    mail) carries an older receipt, naming an event from before the two histories
    parted: it matches, but says nothing of the events after it. It ended the resend:
    the events typed after going back never reached headquarters, which never saw the
    fork, and status said all was sent."""
    ml = make_office("ML")
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    write(ml, 2, lambda i: progress.record_progress(ml, acts[i], S1, status="on-track"))
    assert import_bundle(hq, export_to(ml, tmp_path, "a0").path).outcome == "merged"
    old = export_to(hq, tmp_path, "old", for_office="ML").path  # (receipts at 2)
    assert import_bundle(ml, old).outcome == "merged"
    first, path = ml.replica_id, ml.path
    ml.close()
    copy = tmp_path / "ml-copy.sqlite3"
    shutil.copyfile(path, copy)
    ml = open_replica(path)
    write(ml, 2, lambda i: progress.record_progress(ml, acts[2], S1,
                                                    achievements=f"lost {i}"))
    assert import_bundle(hq, export_to(ml, tmp_path, "a1").path).outcome == "merged"
    reply = export_to(hq, tmp_path, "reply", for_office="ML").path
    ml.close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    forget_write_marks()
    with open_replica(path) as ml:
        write(ml, 2, lambda i: progress.record_progress(ml, acts[3 + i], S1,
                                                        next_steps=f"typed {i}"))
        assert import_bundle(ml, reply).outcome == "merged"
        assert fork.resend_from(ml) == {first: 1}
        assert import_bundle(ml, old).outcome == "duplicate"
        assert fork.resend_from(ml) == {first: 1}
        # and so headquarters meets the differing events, and its next bundle repairs
        refused = import_bundle(hq, export_to(ml, tmp_path, "up").path)
        assert refused.outcome == "rejected" and "differs" in refused.reason
        back = import_bundle(ml, export_to(hq, tmp_path, "back", for_office="ML").path)
        assert back.outcome == "merged" and back.repair.endswith(EXPORT_NOW)
        assert import_bundle(hq, export_to(ml, tmp_path, "again").path).outcome == "merged"
        for i in range(2):
            assert progress.get_report(hq, acts[3 + i], S1, office="ML").next_steps \
                == f"typed {i}"
