"""Headquarters put back from a backup is told WHICH of its changes the restore lost,
not only how many: offices send their own changes only, so what HQ wrote after the
backup never comes back, and HQ staff must make it again.

What can be said of each depends on what this computer still has: the restore reads
the database it replaces (a sound one, or as much of a damaged one as can be read)
and keeps a few words of each change of headquarters' own that the backup lacks.
When that database was gone, the lost events are known by their numbers only: the
offices that hold them are named, to compare with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scenes import forget_write_marks
from test_sync import registered, send

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.status import lost_lines, replica_status
from fieldplan.sync import dismiss_lost, sync_state
from fieldplan.sync.keys import all_keys, revoke_key


def gone(path: Path, how: str) -> None:
    """HQ's database lost (its disk) or damaged (not a database any more)."""
    for side in ("", "-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    if how == "damaged":
        path.write_bytes(b"not a database" * 500)


def test_headquarters_is_told_which_changes_a_restore_lost(hq, make_office,
                                                           tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, ml, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    progress.set_period_lock(hq, "2025-S2")
    revoke_key(hq, sn.meta("key_id"))
    progress.set_period_lock(hq, "2025-S2", locked=False)
    send(hq, ml, tmp_path)  # ML holds all three
    hq.close()
    store.restore_backup(path, backup, force=True)
    with open_replica(path) as hq2:
        assert sync_state(hq2).restored["lost_changes"] == []  # nobody said yet
        send(ml, hq2, tmp_path)
        st = replica_status(hq2)
        restored = st.to_dict()["restored"]
        # (the revocation, made again by the restore, is not one to make again)
        assert restored["lost"] == 2 and restored["lost_unknown"] == []
        changes = restored["lost_changes"]
        assert [(c["entity"], c["id"], c["fields"]) for c in changes] == [
            ("lock", "2025-S2", {"locked": True}),
            ("key", sn.meta("key_id"), {"status": "revoked"}),
            ("lock", "2025-S2", {"locked": False})]
        assert all(c["author"] == hq2.author and c["at"].endswith("Z") for c in changes)
        assert changes[0]["text"].startswith("period 2025-S2 locked (")
        assert changes[0]["text"].endswith(f", by {hq2.author})")
        assert changes[1]["text"].startswith(f"key {sn.meta('key_id')} revoked (")
        assert changes[2]["text"].startswith("period 2025-S2 unlocked (")
        # the revocation is made again by the restore (it is never taken back): said so
        assert [c["made_again"] for c in changes] == [False, True, False]
        assert changes[1]["text"].endswith(
            f", by {hq2.author}): revoked again when this database was restored")
        assert restored["revoked_again"] == [sn.meta("key_id")]
        assert all_keys(hq2)[sn.meta("key_id")].status == "revoked"
        lines = [value for label, value in st.lines("en") if label == "Lost"]
        assert lines == [c["text"] for c in changes]
        # the existing fields are as they were
        assert {"at", "backup_taken", "replica", "missing", "lost", "dismissed"} <= set(restored)
    sn.close()
    ml.close()


def test_a_lost_plan_change_says_its_version(hq, make_office, tmp_path: Path) -> None:
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    ml = registered(make_office("ML"), hq, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    amended = tmp_path / "plan-v2.toml"
    dump_plan(hq.plan(), amended)
    amended.write_text(amended.read_text(encoding="utf-8")
                       .replace("version = 1", "version = 2", 1), encoding="utf-8")
    replace_plan(hq, amended)
    send(hq, ml, tmp_path)
    hq.close()
    store.restore_backup(path, backup, force=True)
    with open_replica(path) as hq2:
        send(ml, hq2, tmp_path)
        (change,) = sync_state(hq2).restored["lost_changes"]
        assert change["entity"] == "plan" and change["fields"] == {"version": 2}
        assert change["text"].startswith("plan changed (version 2) (")
        # the plan itself is not kept: only the words
        assert len(json.dumps(change)) < 400
    ml.close()


@pytest.mark.parametrize("how", ["missing", "damaged"])
def test_lost_changes_this_computer_never_knew_say_who_holds_them(hq, make_office,
                                                                  tmp_path: Path,
                                                                  how: str) -> None:
    """The database was gone (or too damaged to read): the restore could keep no word
    of what it lost. Said by their numbers, with the offices that hold them."""
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, ml, tmp_path)
    send(hq, sn, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    before = hq.replica_id
    held = hq.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                           (before,)).fetchone()[0]
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)
    progress.set_period_lock(hq, "2026-S1")
    send(hq, sn, tmp_path)  # SN holds both, ML the first
    hq.close()
    gone(path, how)
    store.restore_backup(path, backup)
    with open_replica(path) as hq2:
        send(ml, hq2, tmp_path)
        send(sn, hq2, tmp_path)
        restored = sync_state(hq2).restored
        assert restored["lost"] == 2 and restored["lost_changes"] == []
        # cut where what an office holds ends: each run with who holds all of it
        assert [{k: r[k] for k in ("replica", "first", "last", "held_by")}
                for r in restored["lost_unknown"]] == [
            {"replica": before, "first": held + 1, "last": held + 1,
             "held_by": ["ML", "SN"]},
            {"replica": before, "first": held + 2, "last": held + 2, "held_by": ["SN"]}]
        texts = [r["text"] for r in restored["lost_unknown"]]
        assert texts == [
            f"event {held + 1} of replica {before[:8]}, not known on this computer: held "
            "by ML, SN (compare the plan, locked periods, keys and headquarters' reports "
            "they show with this computer's)",
            f"event {held + 2} of replica {before[:8]}, not known on this computer: held "
            "by SN (compare the plan, locked periods, keys and headquarters' reports they "
            "show with this computer's)"]
        assert [v for k, v in replica_status(hq2).lines("en") if k == "Lost"] == texts
        progress.set_period_lock(hq2, "2027-S1")  # HQ writes on: it changes none of it
        send(hq2, ml, tmp_path)
        send(ml, hq2, tmp_path)
        assert sync_state(hq2).restored["lost_unknown"] == restored["lost_unknown"]
    ml.close()
    sn.close()


def test_changes_made_again_are_no_longer_listed(hq, make_office, tmp_path: Path) -> None:
    """Once a person said the changes were made again, only those offices report later
    are listed (as they are counted)."""
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)  # ML holds one change HQ will lose
    progress.set_period_lock(hq, "2026-S1")
    send(hq, sn, tmp_path)  # SN holds both
    hq.close()
    store.restore_backup(path, backup, force=True)
    with open_replica(path) as hq2:
        send(ml, hq2, tmp_path)
        restored = sync_state(hq2).restored
        assert [c["id"] for c in restored["lost_changes"]] == ["2025-S2"]
        # the other lock no office has said it holds yet: listed too, to be made again
        assert [c["id"] for c in restored["lost_unreported"]] == ["2026-S1"]
        assert dismiss_lost(hq2) == 2
        restored = sync_state(hq2).restored
        assert restored["lost_changes"] == restored["lost_unknown"] == []
        assert restored["lost_unreported"] == [] and restored["lost"] == 0
        send(sn, hq2, tmp_path)  # SN holds both: both made again already
        restored = sync_state(hq2).restored
        assert restored["lost"] == 0 and restored["lost_changes"] == []
        progress.set_period_lock(hq2, "2027-S1")  # HQ's new replica: not lost
        assert sync_state(hq2).restored["unreported"] == 0
    ml.close()
    sn.close()


def test_a_second_restore_keeps_the_word_of_what_the_first_lost(hq, make_office,
                                                                tmp_path: Path) -> None:
    """Restored once, then again (from the same backup, or an older one): what the
    first restore lost is not in the database the second one replaces, only its word."""
    ml = registered(make_office("ML"), hq, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)
    hq.close()
    store.restore_backup(path, backup, force=True)
    with open_replica(path):
        pass  # continues as a new replica
    store.restore_backup(path, backup, force=True)
    with open_replica(path) as hq3:
        send(ml, hq3, tmp_path)
        restored = sync_state(hq3).restored
        assert [(c["entity"], c["id"]) for c in restored["lost_changes"]] \
            == [("lock", "2025-S2")]
    ml.close()


def test_status_lists_the_first_lost_changes_and_how_many_more() -> None:
    restored = {"lost_changes": [{"replica": "a", "seq": n, "text": f"change {n}"}
                                 for n in range(1, 15)],
                "lost_unknown": [{"replica": "a", "first": 15, "last": 20, "text": "rest"}]}
    lines = lost_lines(restored)
    assert lines[:10] == [f"change {n}" for n in range(1, 11)]
    assert lines[10:] == ["5 more: 'fieldplan status --json' lists them all"]
    assert lost_lines(restored, shown=None)[-1] == "rest"
    # in the order the events were made, the unknown ones among the known
    mixed = {"lost_changes": [{"replica": "a", "seq": 5, "text": "five"}],
             "lost_unknown": [{"replica": "a", "first": 1, "last": 4, "text": "1-4"},
                              {"replica": "a", "first": 6, "last": 6, "text": "six"}]}
    assert lost_lines(mixed) == ["1-4", "five", "six"]
    from fieldplan.sync.state import lost_unknown_text

    assert lost_unknown_text("0123456789", 5, 7, ["ML"]).startswith(
        "events 5–7 of replica 01234567, not known on this computer: held by ML (")


def test_a_damaged_line_is_not_said(tmp_path: Path) -> None:
    """What a damaged file gives back is said only when it is the event its hash says."""
    import hashlib

    body = json.dumps({"origin": "r", "seq": 3, "hlc": 1 << 40, "author": "amina",
                       "entity": "lock", "id": "2026-S1", "fields": {"locked": True}})
    digest = hashlib.sha256(body.encode()).hexdigest()
    assert store.lost_summary(body, digest)["fields"] == {"locked": True}
    assert store.lost_summary(body.replace("2026", "2027"), digest) is None


def test_what_was_made_again_is_counted_per_replica(hq) -> None:
    """Restored twice, HQ lost events of two earlier replicas: those said made again
    are known by where each replica's stood, not by a count taken from the first."""
    from fieldplan import events
    from fieldplan.sync.state import LOST_DISMISSED_UPTO, _not_dismissed

    with store.write_transaction(hq.conn):
        events.set_meta(hq.conn, LOST_DISMISSED_UPTO,
                        events.canonical_json({"first": 5, "second": 8}))
    # made again: first's 5 and second's 8; reported since: first's 6 and 7
    runs = [("first", 5, 7, {}), ("second", 8, 8, {})]
    assert _not_dismissed(hq, runs, 2) == [("first", 6, 7, {})]


def _older_copy(rep, to: Path) -> Path:
    """A copy of ``rep``'s database as it is now, with its key file: what a copy made
    while fieldplan had it open, or a lost -wal file, leaves of it later."""
    import shutil

    from fieldplan.replica import key_path

    rep.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(rep.path, to)
    shutil.copy(key_path(rep.path), key_path(to))
    return to


@pytest.mark.parametrize("found_at", ["opening", "import"])
def test_a_database_that_lost_its_last_writes_continues_as_a_new_replica(
        hq, make_office, tmp_path: Path, found_at: str) -> None:
    """An office's database lost its last changes without a restore (a copy made while
    fieldplan had it open, its -wal file deleted): it wrote new events under numbers
    headquarters already held, and every later bundle of it was refused as a forked
    history. Once a peer is known to hold more of its events than it does, it goes on
    as a new replica, and what it lost comes back from headquarters."""
    from fieldplan import events

    ml = registered(make_office("ML"), hq, tmp_path)
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    old = _older_copy(ml, tmp_path / "ml-older.sqlite3")
    for code in acts[1:4]:  # changes the older copy never had, sent to HQ
        progress.record_progress(ml, code, "2026-S1", status="at-risk", percent=20)
    send(ml, hq, tmp_path)
    first_id = ml.replica_id
    ml.close()
    forget_write_marks()  # (this computer's mark would catch it at opening)
    with open_replica(old) as copy:  # HQ's receipts reach the older copy
        if found_at == "opening":  # (they had reached it before it went back)
            copy.conn.execute("INSERT INTO acks (peer, origin, seq) VALUES (?, ?, 4) "
                              "ON CONFLICT (peer, origin) DO UPDATE SET seq = 4",
                              (hq.replica_id, first_id))
        else:  # found by the import that brings them, before anything is written
            send(hq, copy, tmp_path)
            assert copy.replica_id != first_id
    with open_replica(old) as copy:
        assert copy.replica_id != first_id
        state = sync_state(copy).restored
        assert state["went_back"] == {"held": events.last_event(
            copy.conn, first_id)[0], "acked": 4}
        text = dict(replica_status(copy).lines("en"))["Warning"]
        assert "it had lost its last changes" in text and first_id[:8] in text
        # its new changes reach HQ, and HQ brings back what it had lost
        progress.record_progress(copy, acts[5], "2026-S1", status="on-track", percent=60)
        assert send(copy, hq, tmp_path)[1].outcome == "merged"
        send(hq, copy, tmp_path)
        assert progress.digest(copy, "ML") == progress.digest(hq, "ML")
        reports = {r.action for r in progress.list_reports(copy, period="2026-S1")}
        assert set(acts[:4]) | {acts[5]} <= reports


def test_a_fork_written_before_any_receipt_says_what_to_do(hq, make_office,
                                                           tmp_path: Path) -> None:
    """The case no receipt can catch: the older copy wrote a different event under a
    number headquarters already held. HQ refuses it, and its reason says what
    happened and what comes next (it said only "forked history", then to set the
    computer up again: now HQ's next bundle repairs it, tests/core/test_fork_repair)."""
    from fieldplan.sync import export_bundle, import_bundle

    ml = registered(make_office("ML"), hq, tmp_path)
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    old = _older_copy(ml, tmp_path / "ml-older.sqlite3")
    progress.record_progress(ml, acts[1], "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)
    ml.close()
    forget_write_marks()  # (this computer's mark would catch it at opening)
    with open_replica(old) as copy:
        progress.record_progress(copy, acts[2], "2026-S1", status="off-track")
        (tmp_path / "older").mkdir()
        outcome = import_bundle(hq, export_bundle(copy, out_dir=tmp_path / "older").path)
    assert outcome.outcome == "rejected"
    assert outcome.reason.startswith("event 2 of replica ") and "differs from the one " \
        "already held: this computer of ML went on from an older copy of its database " \
        "(forked history)" in outcome.reason
    assert outcome.reason.endswith("headquarters' next bundle to ML repairs it once "
                                   "imported there, then ML exports again")


def test_a_save_begun_while_a_restore_is_under_way_is_refused(hq, make_office,
                                                               tmp_path: Path,
                                                               monkeypatch) -> None:
    """Another program saved while ``restore --force`` copied the backup (after it had
    looked for programs using the database): the save said "Recorded", went to the file
    put aside, and neither the restore's count nor its list of lost changes named it
    (then, counted just before the rename: a save in the few milliseconds between the
    count and the rename was still lost unsaid). A save refuses to begin while a
    restore of its database is under way, and nothing of it is written."""
    from fieldplan.errors import StoreError

    ml = registered(make_office("ML"), hq, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    progress.set_period_lock(hq, "2025-S2")
    hq.close()
    real = store.create_private
    refused: list[str] = []

    def another_program_saves(*args, **kwargs):
        with open_replica(path) as other:
            before = other.conn.execute("SELECT count(*) FROM events").fetchone()[0]
            with pytest.raises(StoreError) as caught:
                progress.set_period_lock(other, "2026-S1")
            refused.append(str(caught.value))
            assert other.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "create_private", another_program_saves)
    done = store.restore_backup(path, backup, force=True)
    monkeypatch.undo()
    assert refused == [f"a restore of {path} is under way: nothing was saved; wait for "
                       "it to end"]
    assert done.lost[0] == 1
    with open_replica(path) as hq2:
        assert sync_state(hq2).restored["unreported"] == 1
        progress.set_period_lock(hq2, "2026-S1")  # once it has ended
    ml.close()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_save_waiting_for_the_write_lock_is_refused_once_a_restore_began(
        hq, tmp_path: Path, monkeypatch) -> None:
    """A save that looked before a restore began and waited for the write lock
    meanwhile looks again once it holds the lock."""
    import fcntl

    from fieldplan.errors import StoreError

    path = hq.path
    lock = path.with_name(path.name + ".restoring")
    code = hq.plan().actions_of(level="global")[0].code
    count = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    real = store.restore_under_way
    looks: list[bool] = []
    held = []

    def restore_begins_while_it_waits(db_path) -> bool:
        if not looks:  # the first look, before the lock: then a restore begins
            held.append(open(lock, "w"))  # noqa: SIM115 - held past this function
            fcntl.flock(held[0].fileno(), fcntl.LOCK_EX)
            looks.append(False)
            return False
        looks.append(real(db_path))
        return looks[-1]

    monkeypatch.setattr(store, "restore_under_way", restore_begins_while_it_waits)
    with pytest.raises(StoreError, match="under way: nothing was saved"):
        progress.record_progress(hq, code, "2026-S1", status="on-track")
    assert looks == [False, True]
    assert hq.conn.execute("SELECT count(*) FROM events").fetchone()[0] == count
    held[0].close()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_restore_locks_the_file_at_its_name(hq, tmp_path: Path, monkeypatch) -> None:
    """A restore that opened ``.restoring`` as another ending removed it would hold a
    lock no save sees (they open the file at its name): it locks the new one."""
    import fcntl

    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    hq.close()
    lock = path.with_name(path.name + ".restoring")
    real = fcntl.flock
    calls: list[int] = []
    seen: list[bool] = []

    def the_other_restore_ends_first(fd, how):
        calls.append(fd)
        if len(calls) == 1:
            lock.unlink()  # the other restore, ending: its file goes
        real(fd, how)

    monkeypatch.setattr(fcntl, "flock", the_other_restore_ends_first)
    real_copy = store._copy_backup

    def look(*args, **kwargs):
        monkeypatch.setattr(fcntl, "flock", real)
        seen.append(store.restore_under_way(path))
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(store, "_copy_backup", look)
    store.restore_backup(path, backup, force=True)
    assert len(calls) == 2 and seen == [True]
    assert not lock.exists()


def test_a_save_that_ends_after_a_restore_replaced_the_file_is_said_lost(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A save that held the write lock when a restore put the backup in place commits
    to the file put aside: it says so (it said "Recorded")."""
    from fieldplan.errors import StoreError

    ml = registered(make_office("ML"), hq, tmp_path)
    code = hq.plan().actions_of(level="global")[0].code
    real = type(hq).file_gone
    looks: list[str] = []

    def replaced_during_the_save(rep) -> str:
        looks.append("")
        return real(rep) if len(looks) <= 2 else "the database file was replaced"

    monkeypatch.setattr(type(hq), "file_gone", replaced_during_the_save)
    with pytest.raises(StoreError, match="was replaced"):
        progress.record_progress(hq, code, "2026-S1", status="on-track")
    assert len(looks) == 3  # before the lock, with it, after the commit
    ml.close()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_second_restore_at_once_is_told_the_first_is_under_way(hq, tmp_path: Path) -> None:
    """Restores run at once wrote one '.part' file in turn and failed with words of a
    read-only or failing disk."""
    import fcntl

    from fieldplan.errors import StoreError

    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    hq.close()
    lock = path.with_name(path.name + ".restoring")
    with open(lock, "w") as held:  # the first restore, under way
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"another restore of .* is under way"):
            store.restore_backup(path, backup, force=True)
    store.restore_backup(path, backup, force=True)  # once it ended
    assert not lock.exists()


@pytest.mark.parametrize(("how", "opened"), [("missing", True), ("damaged", True),
                                             ("missing", False)])
def test_a_restore_from_a_backup_taken_after_a_restore_keeps_the_word_of_its_loss(
        hq, make_office, tmp_path: Path, how: str, opened: bool) -> None:
    """Restored once; a backup taken after that restore (``opened``: of the restored
    database, which holds the restore's record; else of one never opened, which
    holds the restore's mark); then HQ's database gone or damaged, put back from that
    backup: the words of what the first restore lost were read from the replaced
    file alone, and the lost lock was then known by its number only."""
    ml = registered(make_office("ML"), hq, tmp_path)
    path = hq.path
    backup = store.backup(hq.conn, path, "manual")
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)
    hq.close()
    store.restore_backup(path, backup, force=True)
    if opened:
        with open_replica(path) as hq2:
            taken = store.backup(hq2.conn, path, "manual")
    else:  # a copy of the file as the restore left it, not opened since
        taken = tmp_path / "taken.sqlite3"
        taken.write_bytes(path.read_bytes())
    gone(path, how)
    store.restore_backup(path, taken, force=True)
    with open_replica(path) as hq3:
        send(ml, hq3, tmp_path)
        restored = sync_state(hq3).restored
        assert [(c["entity"], c["id"]) for c in restored["lost_changes"]] \
            == [("lock", "2025-S2")]
        assert restored["lost_unknown"] == []
    ml.close()
