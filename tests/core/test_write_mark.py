"""A database that went back to an older copy is caught when it is opened, before
anything is written, at headquarters as at an office: this computer's write mark
(``fieldplan.writemark``) names an event the database lacks. When no mark tells it
(a disk image put back), an office refuses headquarters' forked history with words
for headquarters, and headquarters' status says what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from scenes import forget_write_marks, went_back_unseen
from test_sync import national, registered, send

from fieldplan import events, progress, replica, store, writemark
from fieldplan.replica import init_hq, key_path, open_replica
from fieldplan.status import replica_status
from fieldplan.sync import fork, import_bundle, sync_state, verify_bundle

S1 = "2026-S1"


def put_back(path: Path, copy: Path) -> None:
    """The database (closed) replaced by its older copy, its -wal gone."""
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)


def copy_of(rep, to: Path) -> Path:
    """A copy of the (closed) database of ``rep``, as a person makes one."""
    rep.close()
    shutil.copyfile(rep.path, to)
    return to


def test_saves_mark_the_last_event_of_this_replica(hq, monkeypatch) -> None:
    """The first save after opening is marked at once, saves in a row every
    MARK_EVERY_S (a mark behind says nothing), the last at close."""
    monkeypatch.setattr(replica, "MARK_EVERY_S", 0)  # every save
    progress.set_period_lock(hq, "2025-S2")
    assert writemark.read(hq.replica_id)[:2] == events.last_event(hq.conn, hq.replica_id)
    path = writemark.marks_dir() / f"{hq.replica_id}.json"
    written = json.loads(path.read_text())
    assert (written["seq"], written["hash"]) == events.last_event(hq.conn, hq.replica_id)
    assert path.stat().st_size == writemark.RECORD  # overwritten in place, whole
    progress.set_period_lock(hq, "2025-S2", locked=False)
    assert writemark.read(hq.replica_id)[:2] == events.last_event(hq.conn, hq.replica_id)
    assert [p.name for p in writemark.marks_dir().iterdir()] == [path.name]  # no .tmp

    monkeypatch.setattr(replica, "MARK_EVERY_S", 3600)  # saves in a row
    marked = writemark.read(hq.replica_id)
    progress.set_period_lock(hq, "2025-S2")
    last = events.last_event(hq.conn, hq.replica_id)
    assert writemark.read(hq.replica_id) == marked  # (behind: safe)
    hq.close()
    assert writemark.read(hq.replica_id)[:2] == last


def test_an_office_put_back_to_an_older_copy_is_renewed_before_it_writes(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    path, first = ml.path, ml.replica_id
    copy = copy_of(ml, tmp_path / "ml-copy.sqlite3")
    ml = open_replica(path)
    for code in acts[1:4]:  # only HQ keeps them once the copy is back
        progress.record_progress(ml, code, S1, status="at-risk", percent=20)
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    held = events.last_event(ml.conn, first)[0]
    ml.close()
    put_back(path, copy)
    with open_replica(path) as ml:
        assert ml.replica_id != first  # before anything was written
        # said at once, to the command or the window that opened it, and once only
        (notice,) = ml.take_notices()
        assert notice == dict(replica_status(ml).lines("en"))["Warning"]
        assert events.last_event(ml.conn, first)[0] == held - 3
        went = sync_state(ml).restored["went_back"]
        assert went == {"held": held - 3, "written": held}
        text = dict(replica_status(ml).lines("en"))["Warning"]
        assert text.startswith("on ") and (
            f"this database had events of this computer up to {held - 3} only, while "
            f"this computer had written them up to {held}: it had gone back to an older "
            "copy") in text
        assert f". It continues as a new replica (it was {first[:8]})" in text
        assert "come back with the next bundle from headquarters" in text
        progress.record_progress(ml, acts[5], S1, status="on-track", percent=60)
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        assert send(hq, ml, tmp_path)[1].outcome == "merged"
        assert progress.digest(ml, "ML") == progress.digest(hq, "ML")
        reports = {r.action for r in progress.list_reports(ml, period=S1)}
        assert set(acts[:4]) | {acts[5]} <= reports
    with open_replica(path) as ml:
        assert ml.take_notices() == []  # (said once)


def test_headquarters_put_back_to_an_older_copy_is_renewed_before_it_writes(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    path, first = hq.path, hq.replica_id
    copy = copy_of(hq, tmp_path / "hq-copy.sqlite3")
    hq = open_replica(path)
    try:
        progress.set_period_lock(hq, "2025-S2")  # lost with the copy put back
        assert send(hq, ml, tmp_path)[1].outcome == "merged"
    finally:
        hq.close()
    put_back(path, copy)
    with open_replica(path) as hq:
        assert hq.replica_id != first
        text = dict(replica_status(hq).lines("en"))["Warning"]
        assert hq.take_notices() == [text]
        assert "while this computer had written them up to" in text
        assert "listed here as offices report holding them: make them again" in text
        progress.set_period_lock(hq, "2026-S2")
        outcome = send(hq, ml, tmp_path)[1]
        assert outcome.outcome == "merged", outcome.reason
        assert "2026-S2" in progress.locked_periods(ml)
        assert "2025-S2" in progress.locked_periods(ml)  # (the lost one, still there)
        # ML's receipts tell HQ which of its changes it lost: to be made again
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        assert sync_state(hq).restored["lost"] == 1
        assert progress.digest(hq, "ML") == progress.digest(ml, "ML")


def _written(make_office, hq, tmp_path: Path):
    """An office that wrote three reports: its path, replica and last event."""
    ml = registered(make_office("ML"), hq, tmp_path)
    for code in [a.code for a in ml.plan().actions_of(level="national")][1:3]:
        progress.record_progress(ml, code, S1, status="at-risk")
    last = events.last_event(ml.conn, ml.replica_id)
    path, first = ml.path, ml.replica_id
    ml.close()
    return path, first, last


@pytest.mark.parametrize("mark", ["behind", "missing", "garbled", "folder", "not-json",
                                  "other-types", "torn"])
def test_a_mark_behind_missing_or_unreadable_says_nothing(hq, make_office, tmp_path: Path,
                                                          mark: str) -> None:
    path, first, (seq, _digest) = _written(make_office, hq, tmp_path)
    file = writemark.marks_dir() / f"{first}.json"
    if mark == "behind":  # a crash between a commit and its mark
        with store.reading(path) as conn:
            before = conn.execute("SELECT hash FROM events WHERE origin = ? AND seq = ?",
                                  (first, seq - 1)).fetchone()[0]
        writemark.write(first, seq - 1, before, writemark.database_key(path))
    elif mark == "missing":
        file.unlink()
    elif mark == "garbled":
        file.write_bytes(b"\xff\xfe{\x00 garbled")
    elif mark == "folder":
        file.unlink()
        file.mkdir()
    elif mark == "not-json":
        file.write_text('{"seq": 9')
    elif mark == "torn":  # values of one record, the check of another (a crash)
        file.write_text(json.dumps({"seq": seq + 5, "hash": "ab" * 32,
                                    "check": json.loads(file.read_text())["check"]}))
    else:
        file.write_text(json.dumps({"seq": "9", "hash": 3}))
    with open_replica(path) as ml:
        assert ml.replica_id == first
        assert sync_state(ml).restored is None
        progress.record_progress(ml, national(ml), S1, status="completed")
        if mark != "folder":
            assert writemark.read(first)[:2] == events.last_event(ml.conn, first)


def test_a_mark_naming_another_event_of_the_same_number_is_caught(
        hq, make_office, tmp_path: Path) -> None:
    """The database went back and was written on where no mark watched (another
    computer): the event at the mark's number is not the one this computer wrote."""
    path, first, (seq, _digest) = _written(make_office, hq, tmp_path)
    writemark.write(first, seq, "0" * 64, writemark.database_key(path))
    with open_replica(path) as ml:
        assert ml.replica_id != first
        assert sync_state(ml).restored["went_back"] == {"held": seq, "written": seq}
        text = dict(replica_status(ml).lines("en"))["Warning"]
        assert f"this database's event {seq} of this computer was not the one" in text


def test_a_save_of_another_program_while_this_one_opens_is_no_alarm(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Two programs on one database (the client and a command, or two commands at
    once): the other saves and marks its save while this one opens, between its read
    of the database and its read of the mark. Read in that order, the mark named an
    event the database seemed to lack: "gone back to an older copy", and a new
    identity for nothing (seen with eight ``progress set`` run at once)."""
    monkeypatch.setattr(replica, "MARK_EVERY_S", 0)  # every save marked at once
    path, first, _last = _written(make_office, hq, tmp_path)
    real = events.last_event
    saved: list[int] = []

    def read_then_another_saves(conn, origin):
        held = real(conn, origin)
        if not saved:  # (once: the other program's own opening reads it too)
            saved.append(0)
            with open_replica(path) as other:
                progress.record_progress(other, national(other), S1, status="at-risk")
                saved[0] = real(other.conn, origin)[0]
        return held

    monkeypatch.setattr(events, "last_event", read_then_another_saves)
    with open_replica(path) as ml:
        assert writemark.read(first).seq == saved[0]  # marked during the opening
        assert ml.replica_id == first
        assert sync_state(ml).restored is None and not ml.take_notices()


def test_a_save_succeeds_when_the_marks_cannot_be_written(hq, tmp_path: Path) -> None:
    marks = writemark.marks_dir()
    shutil.rmtree(marks)  # (the first save made it)
    marks.write_text("a file where the marks folder should be")
    progress.set_period_lock(hq, "2025-S2")
    assert "2025-S2" in progress.locked_periods(hq)
    assert writemark.read(hq.replica_id) is None
    path = hq.path
    hq.close()
    with open_replica(path) as again:  # (no mark: nothing to compare)
        assert "2025-S2" in progress.locked_periods(again)
        assert marks.read_text().startswith("a file")


def test_a_database_of_another_computer_is_not_compared(tmp_path: Path) -> None:
    """A mark is this computer's: a database moved here has none, and opens as it is;
    its first save here marks it."""
    rep = init_hq(tmp_path / "there.sqlite3")
    first = rep.replica_id
    rep.close()
    forget_write_marks()
    with open_replica(tmp_path / "there.sqlite3") as rep:
        assert rep.replica_id == first
        progress.set_period_lock(rep, "2025-S2")
        assert writemark.read(first)[:2] == events.last_event(rep.conn, first)


# --- headquarters' history forked where no mark caught it ----------------------------


class HQForked:
    """HQ (at k) and ML (holding HQ's events up to k, and its receipts at HQ); HQ locks
    2025-S2 (k+1), ML imports it; HQ's database goes back to its copy at k where no
    mark tells it, and locks 2026-S2 and 2027-S1 (k+1, k+2: another history); ML's
    next bundle brings HQ its receipt for k+1."""

    def __init__(self, hq, make_office, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.ml = ml = registered(make_office("ML"), hq, tmp_path)
        assert send(hq, ml, tmp_path)[1].outcome == "merged"
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
        self.path, self.first = hq.path, hq.replica_id
        self.k = events.last_event(hq.conn, self.first)[0]
        store.backup(hq.conn, hq.path, "manual")  # (taken at k: the way back)
        copy = copy_of(hq, tmp_path / "hq-copy.sqlite3")
        hq = open_replica(self.path)
        progress.set_period_lock(hq, "2025-S2")
        assert send(hq, ml, tmp_path)[1].outcome == "merged"
        hq.close()
        put_back(self.path, copy)
        forget_write_marks()
        self.hq = hq = open_replica(self.path)
        assert hq.replica_id == self.first  # nothing caught it
        progress.set_period_lock(hq, "2026-S2")
        progress.set_period_lock(hq, "2027-S1")


@pytest.fixture
def hq_forked(hq, make_office, tmp_path: Path):
    world = HQForked(hq, make_office, tmp_path)
    yield world
    world.hq.close()


HQ_WORDS = ("headquarters' database went back to an older copy (forked history); nothing "
            "is wrong at this office: tell headquarters")


def test_an_office_refuses_headquarters_forked_history_with_words_for_it(hq_forked) -> None:
    w = hq_forked
    before = progress.digest(w.ml)
    result, outcome = send(w.hq, w.ml, w.tmp)
    assert outcome.outcome == "rejected"
    assert outcome.reason == (f"headquarters' replica {w.first[:8]} does not match what "
                              f"this office holds of it (event {w.k + 1}): " + HQ_WORDS)
    assert "setup bundle" not in outcome.reason
    assert progress.digest(w.ml) == before
    checked = verify_bundle(w.ml, result.path)  # (verify says what import said)
    assert (checked["valid"], checked["reason"]) == (False, outcome.reason)


def test_an_office_refuses_headquarters_broken_chain_with_words_for_it(hq_forked) -> None:
    """ML's receipts say it holds k+1: HQ sends k+2 only, which does not follow ML's."""
    w = hq_forked
    assert send(w.ml, w.hq, w.tmp)[1].outcome in ("merged", "duplicate")
    outcome = send(w.hq, w.ml, w.tmp)[1]
    assert outcome.outcome == "rejected"
    assert outcome.reason == (f"headquarters' replica {w.first[:8]} does not match what "
                              f"this office holds of it (event {w.k + 2}): " + HQ_WORDS)


def test_headquarters_is_told_its_history_forked_and_what_to_do(hq_forked) -> None:
    w = hq_forked
    assert sync_state(w.hq).hq_forks == ()
    send(w.ml, w.hq, w.tmp)  # ML's receipt for HQ's k+1: another hash
    state = sync_state(w.hq)
    written = events.hlc_to_iso(w.hq.conn.execute(
        "SELECT hlc FROM events WHERE origin = ? AND seq = ?",
        (w.first, w.k + 1)).fetchone()[0])
    assert state.hq_forks == ({"replica": w.first, "seq": w.k + 1, "offices": ["ML"],
                               "written": written},)
    assert replica_status(w.hq).to_dict()["hq_forks"] == list(state.hq_forks)
    lines = [t for k, t in replica_status(w.hq).lines("en") if k == "Forked history"]
    assert len(lines) == 1 and lines[0].startswith(
        f"headquarters' history forked: ML holds another event {w.k + 1} of its replica "
        f"{w.first[:8]} than this database, which went back to an older copy and was "
        "written on; it refuses headquarters' bundles. Put back a backup taken before ")
    # what it says to do: the backup at k put back, ML takes HQ's bundles again
    path = w.hq.path
    w.hq.close()
    taken = [b for b in store.list_backups(path) if "manual" in b.name]
    store.restore_backup(path, taken[0], force=True)
    w.hq = open_replica(path)
    assert w.hq.replica_id != w.first
    assert sync_state(w.hq).hq_forks == ()
    progress.set_period_lock(w.hq, "2027-S2")
    outcome = send(w.hq, w.ml, w.tmp)[1]
    assert outcome.outcome == "merged", outcome.reason
    assert "2027-S2" in progress.locked_periods(w.ml)


def test_a_matching_receipt_ends_the_word(hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    # (the mark lost, as where a fork goes unseen: a whole one says a differing
    # receipt is false, tests/core/test_forged_receipts)
    path = hq.path
    hq.close()
    forget_write_marks()
    hq = open_replica(path)
    m = {"office": "ML", "sender": ml.replica_id,
         "acks": {hq.replica_id: events.last_event(hq.conn, hq.replica_id)[0]},
         "ack_hashes": {hq.replica_id: "0" * 64}}
    with store.write_transaction(hq.conn):
        fork.check_hq_receipts(hq, m)
    assert len(fork.hq_forks(hq)) == 1
    m["ack_hashes"] = {hq.replica_id: events.last_event(hq.conn, hq.replica_id)[1]}
    with store.write_transaction(hq.conn):
        fork.check_hq_receipts(hq, m)
    assert fork.hq_forks(hq) == []
    assert hq.meta(fork.HQ_FORKED) is None
    hq.close()


def test_a_key_file_is_kept_beside_a_renewed_database(hq, tmp_path: Path) -> None:
    """(the renewal is the restore's: a new key, the old one kept)"""
    progress.set_period_lock(hq, "2025-S2")
    path = hq.path
    first = hq.replica_id
    hq.close()
    writemark.write(first, 99, "0" * 64, writemark.database_key(path))
    with open_replica(path) as again:
        assert again.replica_id != first
        assert key_path(path).exists()


@pytest.mark.parametrize("then", ["kept", "deleted"])
def test_a_copy_kept_to_practise_in_raises_no_alarm(hq, make_office, tmp_path: Path,
                                                    then: str) -> None:
    """A copy of the database (and its key) made to practise in, typed in, then the
    real one opened again (the copy kept, or deleted): the real one did not go back,
    and must not be renewed nor told that changes were lost."""
    ml = registered(make_office("ML"), hq, tmp_path)
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    path, first = ml.path, ml.replica_id
    ml.close()
    practice = tmp_path / "practice" / path.name
    practice.parent.mkdir()
    shutil.copyfile(path, practice)
    shutil.copy2(key_path(path), key_path(practice))
    with open_replica(practice) as copy:
        progress.record_progress(copy, acts[2], S1, status="at-risk", achievements="try")
    if then == "deleted":
        shutil.rmtree(practice.parent)
    with open_replica(path) as ml:
        assert ml.replica_id == first and ml.take_notices() == []
        assert sync_state(ml).restored is None
        progress.record_progress(ml, acts[3], S1, status="on-track")
    if then == "kept":  # and the copy opened again after the real one wrote
        with open_replica(practice) as copy:
            assert copy.replica_id == first and copy.take_notices() == []
    # the real one put back to an older copy of itself is still caught
    older = tmp_path / "older.sqlite3"
    with open_replica(path) as ml:
        ml.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(path, older)
        progress.record_progress(ml, acts[4], S1, status="on-track")
    put_back(path, older)
    with open_replica(path) as ml:
        assert ml.replica_id != first and ml.take_notices()


def test_a_replica_open_elsewhere_follows_a_renewal(hq, make_office, tmp_path: Path) -> None:
    """The client has the database open while `fieldplan import` on the command line
    renews its identity (HQ's bundle shows the database went back to an older copy):
    the client's next export signs as, and is named after, the new replica (it kept the
    old id: HQ quarantined the bundle, and trusting its key tied the new key to the old
    replica)."""
    from fieldplan.sync import export_bundle, import_bundle

    path, old, back = went_back_unseen(hq, make_office, tmp_path)
    with open_replica(path) as gui:
        assert gui.replica_id == old
        with open_replica(path) as cli:
            assert import_bundle(cli, back).outcome == "merged"
            new = cli.replica_id
        assert new != old
        progress.record_progress(gui, national(gui, 2), S1, status="on-track")
        # an export before the client's next look at other programs' writes
        (tmp_path / "gui").mkdir()
        result = export_bundle(gui, out_dir=tmp_path / "gui")
        assert result.path.name.startswith(f"ML-{new[:8]}")
        assert import_bundle(hq, result.path).outcome == "merged"


def test_a_look_at_other_programs_writes_finds_a_renewal(hq, make_office,
                                                         tmp_path: Path) -> None:
    """The same renewal, found by the client's look for other programs' writes: all
    changed, the replica id read again."""
    from fieldplan.replica import EVERYTHING
    from fieldplan.sync import import_bundle

    path, old, back = went_back_unseen(hq, make_office, tmp_path)
    with open_replica(path) as gui:
        assert gui.replica_id == old and gui.outside_changes() is None
        with open_replica(path) as cli:
            assert import_bundle(cli, back).outcome == "merged"
            new = cli.replica_id
        assert gui.outside_changes() is EVERYTHING
        assert gui.replica_id == new != old


def test_an_older_bundle_of_the_office_imported_again_does_not_end_the_word(
        hq_forked) -> None:
    """ML's bundle from before headquarters' history parted, imported again: its receipt
    names an event both histories share and matches, but it is older than the receipt
    that showed the fork, and says nothing of the events after it."""
    w = hq_forked
    older = sorted((w.tmp / "out").glob("ML-*"))  # (the fixture's, before HQ went back)
    assert older
    send(w.ml, w.hq, w.tmp)
    assert len(fork.hq_forks(w.hq)) == 1
    for path in older:
        assert import_bundle(w.hq, path).outcome == "duplicate"
        assert len(fork.hq_forks(w.hq)) == 1


#: ``fieldplan ARGS…`` killed (SIGKILL: no clean-up runs) as its write mark's first
#: record is whole under its temporary name, before it takes the mark's own
_KILL_AT_FIRST_MARK = r"""
import os, signal, sys
from fieldplan.cli import main

real_replace = os.replace


def replace(src, dst, *args, **kwargs):
    if os.path.basename(os.path.dirname(dst)) == "marks":
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst, *args, **kwargs)


os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def test_a_first_mark_killed_before_it_took_its_name_is_swept(make_office) -> None:
    """Killed while it made the first mark of a replica on this computer, a save left
    ``.<replica>.json.<process>.<thread>.tmp`` in the marks folder for good: the next
    program has another process number, so its own temporary mark never replaced it.
    The next first mark removes those an hour old, and leaves a newer one alone."""
    import os
    import signal
    import subprocess
    import sys
    import time

    ml = make_office("ML")
    db, own = ml.path, ml.replica_id
    ml.close()
    mark = writemark.marks_dir() / f"{own}.json"
    mark.unlink(missing_ok=True)  # (a first opening on this computer)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_AT_FIRST_MARK, "--db", str(db), "progress", "set",
         "PA1.1", "--period", S1, "--status", "on-track"],
        env=dict(os.environ, PYTHONPATH=str(root)), cwd=root, capture_output=True,
        timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert not mark.exists()
    [left] = mark.parent.glob(f".{mark.name}.*.tmp")
    stale = time.time() - 86_400
    os.utime(left, (stale, stale))  # (a day on)
    fresh = mark.with_name(f".{mark.name}.99999.1.tmp")
    fresh.write_bytes(b"another program's first mark under way")
    with open_replica(db) as ml:
        progress.record_progress(ml, national(ml), S1, percent=10)
    assert writemark.read(own) is not None
    assert not left.exists()
    assert fresh.exists()  # (too new to be a killed one's)


def test_a_revoked_computers_word_of_a_fork_ends_with_it(hq_forked) -> None:
    """The only computer whose receipts showed headquarters' fork was revoked (lost,
    or to be set up again: its new database takes headquarters' history as it is). It
    never sends again, and nothing refuses headquarters' bundles any more; status
    kept saying to put back a backup, which loses what was written since, for ever."""
    from fieldplan.sync import revoke_key

    w = hq_forked
    send(w.ml, w.hq, w.tmp)  # ML's receipt for HQ's k+1: another hash
    assert [f["offices"] for f in sync_state(w.hq).hq_forks] == [["ML"]]
    revoke_key(w.hq, w.ml.meta("key_id"))
    assert sync_state(w.hq).hq_forks == ()
