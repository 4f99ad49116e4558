"""An office computer whose database went back to an older copy before any receipt
could tell it, and then wrote on, forks its history: headquarters refuses its bundle.
Headquarters records the fork, its next bundle for the office carries the forked
replica's events again, and the office's import repairs it: its own events written
after the older copy are written again as a new replica's, nothing typed is lost, and
its bundles merge again (fieldplan.sync.fork)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scenes import forget_write_marks
from test_sync import send, snapshot

from fieldplan import events, progress, store
from fieldplan.replica import key_path, open_replica
from fieldplan.status import replica_status
from fieldplan.sync import export_bundle, import_bundle, list_conflicts, sync_state
from fieldplan.sync import keys as keyreg
from fieldplan.sync.exchange import conflicts_text

S1 = "2026-S1"


def own_count(rep, origin: str | None = None) -> int:
    return rep.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                            (origin or rep.replica_id,)).fetchone()[0]


def write(rep, n: int, fn) -> None:
    """``n`` writes, each one event of this replica."""
    before = own_count(rep)
    for i in range(n):
        fn(i)
    assert own_count(rep) == before + n


def export_to(rep, tmp_path: Path, name: str, **kw):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return export_bundle(rep, out_dir=folder, **kw)


def digest_after_rebuild(rep) -> str:
    """The digest the event log alone gives (every derived table made again), rolled
    back after."""
    rep.conn.execute("BEGIN IMMEDIATE")
    try:
        events.rebuild(rep.conn)
        return progress.digest(rep)
    finally:
        rep.conn.execute("ROLLBACK")


class Forked:
    """An office ML that wrote 1..50, all at HQ, then went back to its copy at 40 and
    wrote 41..60 with other content; HQ has refused its bundle."""

    def __init__(self, hq, make_office, tmp_path: Path) -> None:
        ml = make_office("ML")
        acts = [a.code for a in ml.plan().actions_of(level="national")]
        self.acts = acts
        write(ml, 40, lambda i: progress.record_progress(
            ml, acts[i % 4], S1, status="on-track", percent=i + 1))
        path = ml.path
        self.first_id = ml.replica_id
        ml.close()  # fieldplan closed: a copy at event 40
        copy = tmp_path / "ml-at-40.sqlite3"
        shutil.copyfile(path, copy)
        ml = open_replica(path)
        # 41..50, which only HQ will keep: acts[4] status and percent, acts[5] a text
        write(ml, 5, lambda i: progress.record_progress(
            ml, acts[4], S1, status="at-risk", percent=50 + i))
        write(ml, 5, lambda i: progress.record_progress(
            ml, acts[5], S1, achievements=f"lost text {i}"))
        sent, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged"
        #: the bundle that brought 1..50 to HQ (its copy stays on the stick)
        self.before_path = sent.path
        assert events.last_event(hq.conn, self.first_id)[0] == 50
        ml.close()
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
        shutil.copyfile(copy, path)  # the database went back to its copy at 40
        forget_write_marks()  # (this computer's mark would catch it at opening)
        self.ml = open_replica(path)
        ml = self.ml
        assert ml.replica_id == self.first_id  # no receipt told it: not caught
        assert events.last_event(ml.conn, self.first_id)[0] == 40
        # 41..60: acts[4] percent (also written by the lost 41..50), acts[6] new
        write(ml, 10, lambda i: progress.record_progress(ml, acts[4], S1, status="off-track",
                                                         percent=70 + i))
        write(ml, 10, lambda i: progress.record_progress(
            ml, acts[6], S1, status="completed", next_steps=f"typed again {i}"))
        self.refused_path = export_to(ml, tmp_path, "refused").path
        self.refused = import_bundle(hq, self.refused_path)


@pytest.fixture
def forked(hq, make_office, tmp_path: Path):
    world = Forked(hq, make_office, tmp_path)
    yield world
    world.ml.close()


def test_a_forked_office_history_is_repaired_end_to_end(hq, make_office, forked,
                                                        tmp_path: Path) -> None:
    ml, first = forked.ml, forked.first_id
    acts = forked.acts
    refused = forked.refused
    assert refused.outcome == "rejected"
    # the reason says what happened and that the repair is coming
    assert refused.reason == (
        f"event 41 of replica {first[:8]} differs from the one already held: this "
        "computer of ML went on from an older copy of its database (forked history); "
        "headquarters' next bundle to ML repairs it once imported there, then ML "
        "exports again")
    assert [tuple(r) for r in hq.conn.execute("SELECT origin, seq FROM forks")] == [
        (first, 41)]
    # HQ's bundle for ML carries the replica's events from 41, whatever its receipts say
    sn = make_office("SN")
    to_sn = export_bundle(hq, for_office="SN", out_dir=tmp_path)
    assert to_sn.events > 0
    with bundle_ranges(to_sn.path) as ranges:
        assert first not in ranges  # another office gets none of them
    import_bundle(sn, to_sn.path)
    back = export_to(hq, tmp_path, "back", for_office="ML")
    with bundle_ranges(back.path) as ranges:
        assert ranges[first] == [41, 50]
    typed = {a: progress.get_report(ml, a, S1) for a in acts[:7]}
    outcome = import_bundle(ml, back.path)
    assert outcome.outcome == "merged", outcome.reason
    assert ml.replica_id != first and first in keyreg.renewed_from(ml)
    repaired = (
        "this computer's events 41–60 differed from headquarters' copies of those numbers "
        "(this database went back to an older copy, or was copied to another computer that "
        f"also wrote); they were written again as replica {ml.replica_id[:8]}")
    # (and the reports whose two copies differed are in conflict: the office keeps one)
    assert outcome.reason.startswith(repaired)
    assert outcome.conflicts == 0 or outcome.reason.endswith(
            conflicts_text(outcome.conflicts, outcome.conflicts_own))
    # the outcome (the CLI's line, the client's result) says to export now as well
    assert outcome.repair == repaired + "; export now so that headquarters gets them"
    assert outcome.line().endswith(outcome.repair)
    # the key file is the new replica's
    assert keyreg.secret_key(ml).key_id_hex == ml.meta("key_id")
    assert not Path(f"{key_path(ml.path)}.new").exists()
    # HQ's 41..50 are back, the office's 41..60 written again as the new replica's
    assert events.last_event(ml.conn, first)[0] == 50
    assert own_count(ml) == 20
    assert progress.digest(ml) == digest_after_rebuild(ml)
    assert lost_and_typed_again(ml, acts)
    # status says it in the same words
    lines = dict(replica_status(ml).lines("en"))
    assert lines["Warning"] == repaired
    # the office's next bundle merges, and HQ's record is done with
    _, there = send(ml, hq, tmp_path)
    assert there.outcome == "merged", there.reason
    assert hq.conn.execute("SELECT count(*) FROM forks").fetchone()[0] == 0
    assert progress.digest(hq, "ML") == progress.digest(ml)
    assert lost_and_typed_again(hq, acts)
    # values: what was typed again shows where both wrote, what was lost is back
    r4 = progress.get_report(ml, acts[4], S1)
    assert (r4.percent, r4.status) == (79, "off-track")
    assert progress.get_report(ml, acts[5], S1).achievements == "lost text 4"
    r6 = progress.get_report(ml, acts[6], S1)
    assert (r6.status, r6.next_steps) == ("completed", "typed again 9")
    for a in acts[:4]:  # the shared history is as typed
        assert progress.get_report(ml, a, S1) == typed[a]
    # and HQ's next bundle carries nothing of the old replica again
    again = export_to(hq, tmp_path, "again", for_office="ML")
    with bundle_ranges(again.path) as ranges:
        assert first not in ranges


def lost_and_typed_again(rep, acts) -> bool:
    """The conflicts a repair leaves: acts[4]'s status and percent, written by the
    events headquarters kept (lost here) and by those typed again, neither over the
    other. The later (typed again) shows; the lost one is kept for a person to choose
    (the repair used to write over it without a word)."""
    found = {(c.entity_id, c.field): c for c in list_conflicts(rep)}
    rid = f"ML|{acts[4]}|{S1}"
    if set(found) != {(rid, "status"), (rid, "percent")}:
        return False
    winners = {f: next(c.value for c in found[(rid, f)].candidates if c.winner)
               for f in ("status", "percent")}
    losers = {f: [c.value for c in found[(rid, f)].candidates if not c.winner]
              for f in ("status", "percent")}
    return winners == {"status": "off-track", "percent": 79} \
        and losers == {"status": ["at-risk"], "percent": [54]}


def bundle_ranges(path: Path):
    """The bundle's per-origin ranges (a context manager)."""
    import contextlib

    from fieldplan import bundle as bundlefmt

    @contextlib.contextmanager
    def opened():
        with bundlefmt.open_bundle(path, check_events=False) as b:
            yield b.manifest["ranges"]

    return opened()


def repair_bundle(hq, tmp_path: Path) -> Path:
    """HQ's bundle for ML written after the refusal: it repairs the office."""
    return export_to(hq, tmp_path, "back", for_office="ML").path


def test_the_repair_bundle_imported_twice_and_again_later(hq, forked,
                                                          tmp_path: Path) -> None:
    ml, first = forked.ml, forked.first_id
    back = repair_bundle(hq, tmp_path)
    second = export_to(hq, tmp_path, "second", for_office="ML").path  # HQ exported twice
    from fieldplan.sync import import_bundles

    outcomes = import_bundles(ml, [back, back, second])
    assert [o.outcome for o in outcomes][:2] == ["merged", "duplicate"]
    assert outcomes[2].outcome in ("merged", "duplicate")  # (the same events, receipts)
    assert [bool(o.repair) for o in outcomes] == [True, False, False]
    renewed = ml.replica_id
    state = snapshot(ml)
    assert own_count(ml) == 20 and events.last_event(ml.conn, first)[0] == 50
    # again after the office wrote and exported: nothing changes, no second renewal
    progress.record_progress(ml, forked.acts[7], S1, status="on-track")
    send(ml, hq, tmp_path)
    state = snapshot(ml)
    assert import_bundle(ml, back).outcome == "duplicate"
    assert import_bundle(ml, second).outcome == "duplicate"
    assert ml.replica_id == renewed and snapshot(ml) == state
    assert lost_and_typed_again(ml, forked.acts)
    assert progress.digest(ml) == progress.digest(hq, "ML")


class _Boom(Exception):
    pass


@pytest.mark.parametrize("where", ["cut", "write_again", "rebuild", "inbox"])
def test_a_failure_inside_the_repair_leaves_the_database_as_before(
        hq, forked, tmp_path: Path, monkeypatch, where: str) -> None:
    from fieldplan.sync import exchange
    from fieldplan.sync import fork as forkmod

    ml, first = forked.ml, forked.first_id
    back = repair_bundle(hq, tmp_path)
    before = snapshot(ml)
    key_before = key_path(ml.path).read_bytes()
    calls = [0]

    def failing(real, after: int = 1):
        def run(*args, **kw):
            calls[0] += 1
            out = real(*args, **kw)
            if calls[0] == after:
                raise _Boom(where)
            return out
        return run

    target = {"cut": (keyreg, "renew_in_transaction", 1),
              "write_again": (events, "write_again", 7),
              "rebuild": (events, "rebuild", 1),
              "inbox": (exchange, "_inbox_row", 1)}[where]
    monkeypatch.setattr(target[0], target[1], failing(getattr(target[0], target[1]),
                                                      target[2]))
    with pytest.raises(_Boom):
        import_bundle(ml, back)
    monkeypatch.undo()
    assert calls[0] >= 1
    # as before the import: the same identity, log, state and key file
    assert ml.replica_id == first and ml.meta(store.BACKUP_MARK) is None
    assert snapshot(ml) == before and own_count(ml) == 60
    assert key_path(ml.path).read_bytes() == key_before
    assert not Path(f"{key_path(ml.path)}.new").exists()
    assert forkmod.held_forks(hq) == {first: 41}
    # and the import can simply be run again
    path = ml.path
    ml.close()
    forked.ml = ml = open_replica(path)
    assert ml.replica_id == first
    outcome = import_bundle(ml, back)
    assert outcome.outcome == "merged" and outcome.repair, outcome.reason
    assert own_count(ml) == 20 and send(ml, hq, tmp_path)[1].outcome == "merged"
    assert progress.digest(ml) == progress.digest(hq, "ML") == digest_after_rebuild(ml)


_KILL_REPAIR = r"""
import os, signal, sys
from fieldplan import events
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
from fieldplan.sync import keys as keyreg
where, point = sys.argv[3], int(sys.argv[4])
calls = [0]
module = keyreg if where == "_move_in_place" else events
real = getattr(module, where)
def killing(*args, **kw):
    calls[0] += 1
    if calls[0] == point:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kw)
setattr(module, where, killing)
rep = open_replica(sys.argv[1])
import_bundle(rep, sys.argv[2])
os.kill(os.getpid(), signal.SIGKILL)  # after the commit, before closing
"""


def test_a_repair_killed_at_any_point_is_before_or_done(hq, forked,
                                                        tmp_path: Path) -> None:
    """SIGKILL inside the office's repair: the database is as before the import, or
    the whole repair is done (its key file moved in place at the next opening)."""
    import os
    import signal
    import subprocess
    import sys

    ml, first = forked.ml, forked.first_id
    back = repair_bundle(hq, tmp_path)
    before = snapshot(ml)
    ml.close()
    pristine = ml.path
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    ends = set()
    # the kill lands before the first event written again, amid them, before the
    # rebuild, between the commit and the key file's move, after it all
    for where, point in (("write_again", 1), ("write_again", 10), ("rebuild", 1),
                         ("_move_in_place", 1), ("write_again", 10**6)):
        target = tmp_path / f"kill-{where}-{point}.sqlite3"
        shutil.copy(pristine, target)
        shutil.copy(key_path(pristine), key_path(target))
        proc = subprocess.run([sys.executable, "-c", _KILL_REPAIR, str(target), str(back),
                               where, str(point)], env=env, capture_output=True, timeout=120)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        with open_replica(target) as rep:
            assert rep.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            done = rep.replica_id != first
            ends.add(done)
            if not done:
                assert snapshot(rep) == before
            else:
                assert keyreg.secret_key(rep).key_id_hex == rep.meta("key_id")
                assert own_count(rep) == 20
            outcome = import_bundle(rep, back)
            assert outcome.outcome in ("merged", "duplicate"), outcome.reason
            assert rep.replica_id != first and own_count(rep) == 20
            assert events.last_event(rep.conn, first)[0] == 50
            assert progress.digest(rep) == digest_after_rebuild(rep)
            assert lost_and_typed_again(rep, forked.acts)
            assert keyreg.secret_key(rep).key_id_hex == rep.meta("key_id")
    assert ends == {False, True}


def test_only_headquarters_bundles_repair_and_only_this_computers_history(
        hq, forked, tmp_path: Path) -> None:
    """A differing event of this computer in a bundle not from headquarters, or a
    differing event of another replica, is refused as before; at headquarters a fork
    is never repaired, only recorded."""
    from fieldplan.errors import ForkedHistoryError
    from fieldplan.sync import exchange
    from fieldplan.sync import fork as forkmod

    ml, first = forked.ml, forked.first_id
    back = repair_bundle(hq, tmp_path)
    from fieldplan import bundle as bundlefmt

    with bundlefmt.open_bundle(back) as b:
        # this computer's events only (an office's bundle may carry no others)
        lines = [line for line, _digest in b.iter_hashed_lines()
                 if events.parse_event(line).origin == first]
        manifest = dict(b.manifest)
    before = snapshot(ml)

    class Held:
        """The bundle's events and signer, as _merge reads them."""
        event_count = len(lines)
        key_id = manifest["key_id"]

        def iter_hashed_lines(self):
            import hashlib

            for line in lines:
                yield line, hashlib.sha256(line).hexdigest()

    exc = ForkedHistoryError("forked", {first: 41})
    # said to come from an office (past the key check): never repaired
    assert not forkmod.repairable(ml, {**manifest, "office": "SN"}, exc)
    m = {**manifest, "office": "ML"}
    assert not forkmod.repairable(ml, m, exc)
    with forkmod.Repair(ml) as repair, pytest.raises(ForkedHistoryError), \
            store.write_transaction(ml.conn):
        exchange._merge(ml, Held(), m, progress=None, cancel=None, repair=repair)
    # another replica's history (here HQ's) forked: refused, not repaired
    assert not forkmod.repairable(ml, manifest, ForkedHistoryError("x", {hq.replica_id: 3}))
    assert not forkmod.repairable(hq, manifest, exc)  # never at headquarters
    assert ml.replica_id == first and snapshot(ml) == before
    # and the real one from headquarters repairs
    assert import_bundle(ml, back).repair


def test_verify_says_the_repair_bundle_is_valid_and_writes_nothing(hq, forked,
                                                                   tmp_path: Path) -> None:
    """``verify`` merges and rolls back: HQ's repair bundle is valid (import repairs
    with it), and checking it makes no new replica and no key file."""
    from fieldplan.sync import verify_bundle

    ml, first = forked.ml, forked.first_id
    back = repair_bundle(hq, tmp_path)
    before = snapshot(ml)
    keys_before = sorted(p.name for p in ml.path.parent.glob(f"{ml.path.name}.key*"))
    checked = verify_bundle(ml, back)
    assert checked["valid"], checked["reason"]
    assert ml.replica_id == first and snapshot(ml) == before
    assert sorted(p.name for p in ml.path.parent.glob(f"{ml.path.name}.key*")) == keys_before


def test_a_restored_computer_repairs_the_fork_of_the_replica_it_continues(
        hq, forked, tmp_path: Path) -> None:
    """The forked database was backed up, then put back: it continues as a new
    replica, holding the earlier replica's forked events. HQ refuses and records the
    fork of that earlier replica; the repair writes them again as the current
    replica's (no second renewal)."""
    ml, first = forked.ml, forked.first_id
    store.backup(ml.conn, ml.path, "manual")
    path = ml.path
    ml.close()
    store.restore_latest_backup(path, force=True)
    forked.ml = ml = open_replica(path)
    restored = ml.replica_id
    assert restored != first and own_count(ml, first) == 60
    progress.record_progress(ml, forked.acts[7], S1, status="on-track")
    _, refused = send(ml, hq, tmp_path)
    assert refused.outcome == "rejected" and "repairs it" in refused.reason, refused.reason
    from fieldplan.sync.fork import held_forks

    assert held_forks(hq) == {first: 41}
    _, repaired = send(hq, ml, tmp_path)
    assert repaired.outcome == "merged", repaired.reason
    assert ml.replica_id == restored and own_count(ml) == 21
    assert f"written again as replica {restored[:8]}" in repaired.reason
    assert events.last_event(ml.conn, first)[0] == 50
    _, there = send(ml, hq, tmp_path)
    assert there.outcome == "merged", there.reason
    assert held_forks(hq) == {}
    assert progress.digest(ml) == progress.digest(hq, "ML") == digest_after_rebuild(ml)
    assert lost_and_typed_again(ml, forked.acts) and lost_and_typed_again(hq, forked.acts)
    r4 = progress.get_report(ml, forked.acts[4], S1)
    assert (r4.percent, r4.status) == (79, "off-track")


def test_the_fork_record_stands_until_the_forked_computer_is_repaired(
        hq, make_office, forked, tmp_path: Path) -> None:
    """Another laptop of the office, or the forked computer before its repair, does
    not end headquarters' record: its bundles for the office keep carrying the forked
    replica's events from the first differing one."""
    from fieldplan.sync.fork import held_forks

    ml, first = forked.ml, forked.first_id
    sibling = make_office("ML", "ml-b")
    progress.record_progress(sibling, forked.acts[8], S1, status="on-track")
    send(hq, sibling, tmp_path)  # it holds HQ's copies of the forked replica
    assert events.last_event(sibling.conn, first)[0] == 50
    assert send(sibling, hq, tmp_path)[1].outcome == "merged"
    assert held_forks(hq) == {first: 41}
    # the forked computer, unrepaired, exports again: refused again, still recorded
    assert import_bundle(hq, export_to(ml, tmp_path, "again").path).outcome == "rejected"
    assert held_forks(hq) == {first: 41}
    for name in ("one", "two"):
        with bundle_ranges(export_to(hq, tmp_path, name, for_office="ML").path) as ranges:
            assert ranges[first] == [41, 50]


def test_an_old_bundle_of_the_forked_computer_imported_again_ends_no_fork(
        hq, forked) -> None:
    """The forked computer's bundle from before it went back, imported again at
    headquarters (the stick dropped whole), is a duplicate: it changes nothing. Its
    receipt names the replica's events up to where headquarters holds them, as a
    repaired computer's does, and it ended the fork record: headquarters' next bundle
    left out the events that repair the office, and status no longer named the fork."""
    from fieldplan.sync.fork import held_forks

    first = forked.first_id
    assert held_forks(hq) == {first: 41}
    again = import_bundle(hq, forked.before_path)
    assert again.outcome == "duplicate"
    assert held_forks(hq) == {first: 41}
    assert sync_state(hq).forked_offices == ("ML",)
    with bundle_ranges(export_to(hq, forked.ml.path.parent, "after-old",
                                 for_office="ML").path) as ranges:
        assert ranges[first] == [41, 50]


def test_a_forked_computer_revoked_since_is_repaired_no_more(
        hq, make_office, forked, tmp_path: Path) -> None:
    """Headquarters revoked the forked laptop instead of waiting for its repair (it is
    set up again from a new setup bundle: its bundles are refused for good, and a
    repair of it would be refused too). The fork record stood for ever: status said
    that headquarters' next bundle to ML repairs it, and every bundle for ML carried
    the forked replica's events from where they differ, to laptops that hold them."""
    from fieldplan.sync import revoke_key
    from fieldplan.sync.fork import held_forks

    ml, first = forked.ml, forked.first_id
    sibling = make_office("ML", "ml-b")
    progress.record_progress(sibling, forked.acts[8], S1, status="on-track")
    send(hq, sibling, tmp_path)  # it holds HQ's copies of the forked replica
    assert send(sibling, hq, tmp_path)[1].outcome == "merged"
    assert sync_state(hq).forked_offices == ("ML",)
    revoke_key(hq, ml.meta("key_id"))
    assert sync_state(hq).forks == ()
    assert held_forks(hq) == {}
    with bundle_ranges(export_to(hq, tmp_path, "after-revocation",
                                 for_office="ML").path) as ranges:
        assert first not in ranges
    # the revoked laptop still learns that it is revoked from that bundle
    assert import_bundle(ml, export_to(hq, tmp_path, "to-revoked",
                                       for_office="ML").path).revoked_here


def test_verify_at_headquarters_says_what_import_said(hq, forked) -> None:
    from fieldplan.sync import verify_bundle

    checked = verify_bundle(hq, forked.refused_path)
    assert not checked["valid"] and checked["reason"] == forked.refused.reason


def test_a_repair_never_endorses_its_new_key_with_another_computers_key_file(
        hq, make_office, forked, tmp_path: Path) -> None:
    """The repair gives this computer a new key, endorsed by the key file's: another
    computer's key file copied beside the database would vouch for it. The import is
    refused, naming the key file, and the database is as it was; with its own key file
    back, the repair goes through."""
    from fieldplan.minisign import KeyFileError

    ml = forked.ml
    back = repair_bundle(hq, tmp_path)
    sn = make_office("SN")
    own = key_path(ml.path).read_bytes()
    shutil.copyfile(key_path(sn.path), key_path(ml.path))
    before = snapshot(ml)
    with pytest.raises(KeyFileError, match="not this computer's key"):
        import_bundle(ml, back)
    assert snapshot(ml) == before and ml.replica_id == forked.first_id
    assert not Path(f"{key_path(ml.path)}.new").exists()
    key_path(ml.path).write_bytes(own)
    outcome = import_bundle(ml, back)
    assert outcome.outcome == "merged" and outcome.repair, outcome.reason
