"""A laptop whose key headquarters revoked: the import that revokes it says so, and it
is set up again from a new setup bundle, its old database, key file and backups moved
into a folder beside them (never deleted), refused for a computer that can still send."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_sync import national, registered, send

from fieldplan import progress, store
from fieldplan.errors import BundleError, StoreError, ValidationError
from fieldplan.replica import key_path, open_replica
from fieldplan.status import key_revoked
from fieldplan.sync import enroll_office, export_bundle, revoke_key
from fieldplan.sync.again import move_aside, replica_files, set_up_again

S1 = "2026-S1"


def revoked_laptop(hq, make_office, tmp_path: Path):
    """An ML laptop HQ registered, then revoked; the revocation imported there, and one
    change typed after it (unsent). Returns (laptop, the import's outcome)."""
    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    lap.backup("before-import")  # a backup of its own, as every import takes
    revoke_key(hq, lap.meta("key_id"))
    _, outcome = send(hq, lap, tmp_path)
    progress.record_progress(lap, national(lap), S1, percent=40)
    return lap, outcome


def names(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_the_import_that_revokes_this_computer_says_so(hq, make_office, tmp_path) -> None:
    lap, outcome = revoked_laptop(hq, make_office, tmp_path)
    assert outcome.outcome == "merged" and outcome.revoked_here
    assert outcome.to_dict()["key_revoked"] is True
    assert outcome.line().endswith(
        "; headquarters revoked this computer's key and refuses its bundles; ask "
        "headquarters for a new setup bundle")
    # said once: the next bundle of headquarters brings nothing new about it
    _, later = send(hq, lap, tmp_path)
    assert not later.revoked_here and "revoked" not in later.line()
    # another laptop of the office receiving the same revocation is not told so
    other = registered(make_office("ML", "other"), hq, tmp_path)
    _, there = send(hq, other, tmp_path)
    assert not there.revoked_here and there.to_dict()["key_revoked"] is False


def test_the_inbox_keeps_which_bundle_revoked_this_computer(hq, make_office,
                                                            tmp_path) -> None:
    """Its inbox line says so, read again from the database (a restart), and only
    that line: the Inbox, like the import, names the bundle that revoked the key."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import list_inbox

    lap, outcome = revoked_laptop(hq, make_office, tmp_path)
    send(hq, lap, tmp_path)  # a later bundle of headquarters: nothing about it
    path = lap.path
    lap.close()
    with open_replica(path) as again:
        later, revoking = list_inbox(again)[:2]
    assert revoking.file == outcome.file and revoking.revoked_here
    assert revoking.to_dict()["key_revoked"] is True
    assert not later.revoked_here and later.to_dict()["key_revoked"] is False


def test_a_revoked_laptop_is_set_up_again_with_its_files_kept(hq, make_office,
                                                                tmp_path) -> None:
    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db, old_id = lap.path, lap.replica_id
    key = key_path(db).read_bytes()
    backups = [p.name for p in store.list_backups(db)]
    assert backups
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    done = set_up_again(db, setup)
    with done.replica as new:
        assert (new.office, new.path) == ("ML", db) and new.replica_id != old_id
        assert not key_revoked(new)
        assert not store.list_backups(db)  # the new database's own start afresh
    aside = done.aside
    assert aside.parent == db.parent and aside.name.startswith("lap.sqlite3-revoked-")
    assert {"lap.sqlite3", "lap.sqlite3.key", *(f"backups/{b}" for b in backups)} \
        <= names(aside)
    assert (aside / "lap.sqlite3.key").read_bytes() == key
    assert done.unsent == 1
    # the old database opens where it went, with what was typed there, still revoked
    with open_replica(aside / "lap.sqlite3") as old:
        assert old.replica_id == old_id and key_revoked(old)
        assert progress.get_report(old, national(old), S1).percent == 40
    # and the new one exports to headquarters, which takes it (enrolled again)
    with open_replica(db) as new:
        progress.record_progress(new, national(new), S1, percent=40)
        assert send(new, hq, tmp_path)[1].outcome == "merged"


def test_the_client_s_drafts_go_with_the_old_database(hq, make_office, tmp_path) -> None:
    """Its journal and the drafts it set aside: the new database, with a replica of its
    own, never takes what was typed in the old one (fieldplan.draftfiles); kept in the
    folder, they open with the old database there."""
    from fieldplan.draftfiles import other_database_files

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    texts = {}
    for name in ("lap.sqlite3.drafts.json", "lap.sqlite3.drafts-set-aside.json"):
        texts[name] = f'{{"version": 1, "drafts": [], "name": "{name}"}}'
        (tmp_path / name).write_text(texts[name], encoding="utf-8")
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    done = set_up_again(db, setup)
    done.replica.close()
    for name, text in texts.items():
        assert not (tmp_path / name).exists()
        assert (done.aside / name).read_text(encoding="utf-8") == text
    assert other_database_files(db) == []  # (none was left for the new one to find)


def test_a_computer_that_can_still_send_is_never_moved_aside(hq, make_office,
                                                             tmp_path) -> None:
    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ValidationError, match="has not revoked this computer's key"):
        set_up_again(db, setup)
    assert sorted(os.listdir(tmp_path)) == before


def test_the_old_setup_bundle_or_another_office_s_is_refused(hq, make_office,
                                                            tmp_path) -> None:
    """The laptop's first setup bundle (still in Downloads) was taken: its enrolment
    ended with the revocation, so the computer set up from it waited in headquarters'
    quarantine as a suspect. And one for another office made the ML laptop an SN one.
    Both are refused before anything is moved."""
    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    before = sorted(os.listdir(tmp_path))
    first = tmp_path / "lap-setup.fieldplan"  # (make_office's) written before the revocation
    with pytest.raises(ValidationError, match="written before headquarters revoked this "
                       "computer's key, which ended it: ask headquarters for a new setup"):
        set_up_again(db, first)
    other = tmp_path / "SN.fieldplan"
    enroll_office(hq, "SN", other)
    with pytest.raises(ValidationError, match="sets up a computer of SN, and this one is "
                       "ML's: ask headquarters for a new setup bundle for ML"):
        set_up_again(db, other)
    assert sorted(os.listdir(tmp_path)) == sorted([*before, "SN.fieldplan"])
    # a new one for ML, written after: taken, and headquarters merges its bundles
    again = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", again)
    with set_up_again(db, again).replica as new:
        progress.record_progress(new, national(new), S1, percent=10)
        assert send(new, hq, tmp_path)[1].outcome == "merged"


def test_a_setup_bundle_written_after_the_revocation_is_taken_whatever_the_clocks(
        hq, make_office, tmp_path, monkeypatch) -> None:
    """Headquarters' clock ran ahead of its computer's (it follows, by up to a day, a
    laptop whose clock is hours ahead: one set to local time as if it were UTC), and it
    revoked the laptop's key then. The setup bundle it wrote for the laptop an hour
    later, by its computer's clock, carries that revocation: it was refused as written
    before it, until the computer's clock had caught up with the revocation's."""
    from scenes import ticking_clock

    from fieldplan import events
    from fieldplan.sync import import_bundle

    clock = ticking_clock(monkeypatch)
    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    other = make_office("SN", "ahead")
    clock[0] = 6 * 3600 * 1000  # the SN laptop's clock: six hours ahead
    progress.record_progress(other, national(other), S1, status="on-track")
    folder = tmp_path / "ahead-out"
    folder.mkdir()
    path = export_bundle(other, out_dir=folder).path
    clock[0] = 0
    assert import_bundle(hq, path).outcome == "merged"
    revoke_key(hq, lap.meta("key_id"))  # stamped five hours and more ahead
    send(hq, lap, tmp_path)
    db = lap.path
    lap.close()
    clock[0] = 3600 * 1000  # an hour later at headquarters
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    clock[0] = 0
    assert events.wall_ms() < int(events.get_meta(hq.conn, "hlc")) >> 16
    with set_up_again(db, setup).replica as new:
        assert new.office == "ML" and not key_revoked(new)


def test_no_setup_bundle_no_move(hq, make_office, tmp_path) -> None:
    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    data = export_bundle(hq, for_office="ML", out_dir=tmp_path).path  # data, no setup
    lap.close()
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(BundleError, match="not a setup bundle"):
        set_up_again(db, data)
    assert sorted(os.listdir(tmp_path)) == before


def test_a_failed_setup_puts_the_files_back(hq, make_office, tmp_path, monkeypatch) -> None:
    from fieldplan.sync import enrol

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    files = sorted(p for p, _ in replica_files(db))

    def full_disk(*_a, **_k):
        raise StoreError("the disk is full")

    monkeypatch.setattr(enrol, "init_from_setup", full_disk)
    with pytest.raises(StoreError, match="full"):
        set_up_again(db, setup)
    assert sorted(p for p, _ in replica_files(db)) == files
    with open_replica(db) as back:
        assert key_revoked(back)


def test_an_open_database_is_not_moved(hq, make_office, tmp_path) -> None:
    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    # (another process's lock: this one's own would be released by the check)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.read()",
         str(lap.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match="open in another program"):
            move_aside(lap.path)
        assert lap.path.exists() and key_path(lap.path).exists()
    finally:
        holder.stdin.close()
        holder.wait()
    lap.close()


def test_a_setup_bundle_of_another_headquarters_is_refused(hq, make_office,
                                                           tmp_path) -> None:
    """A training or demo headquarters (anyone's ``init --hq``) would make a database
    that trusts its key: refused, nothing moved, saying both fingerprints."""
    from fieldplan.replica import init_hq
    from fieldplan.sync.enrol import hq_key

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db, trusted = lap.path, hq_key(lap).fingerprint
    lap.close()
    other = tmp_path / "other"
    other.mkdir()
    with init_hq(other / "hq.sqlite3") as stranger:
        setup = tmp_path / "ML-other.fieldplan"
        enroll_office(stranger, "ML", setup)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ValidationError) as err:
        set_up_again(db, setup)
    assert str(err.value).startswith(
        "this setup bundle is signed by another headquarters key (fingerprint ") \
        and f") than the one this computer trusts ({trusted}): it does not come from " \
        "your headquarters" in str(err.value)
    assert sorted(os.listdir(tmp_path)) == before
    with open_replica(db) as still:
        assert key_revoked(still)


def test_headquarters_new_key_after_a_rotation_sets_it_up_again(hq, make_office,
                                                                tmp_path) -> None:
    """The key the laptop pinned endorsed the one headquarters signs with now."""
    from fieldplan.sync import rotate_key

    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    rotate_key(hq)
    revoke_key(hq, lap.meta("key_id"))
    send(hq, lap, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    with set_up_again(db, setup).replica as new:
        assert not key_revoked(new)


@pytest.mark.parametrize("older_hq", [False, True])
def test_headquarters_restored_from_a_backup_sets_it_up_again(older_hq, hq, make_office,
                                                              tmp_path, monkeypatch) -> None:
    """Headquarters put back from a backup signs with a new key. The revoked laptop
    learnt it from HQ's bundle by its endorsement alone (the key records came to the
    office's other laptop): not linked to the pinned key's computer, it was taken for
    another headquarters' key, and the laptop could never be set up again. HQ's bundle
    for the office now carries it headquarters' own key records as well; one of an
    older headquarters (``older_hq``) does not."""
    from fieldplan.sync import export, keys
    from fieldplan.sync.enrol import hq_key

    if older_hq:
        monkeypatch.setattr(export, "headquarters_keys", lambda _keys: set())

    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    other = registered(make_office("ML", "other"), hq, tmp_path)
    send(hq, lap, tmp_path)
    send(hq, other, tmp_path)
    revoke_key(hq, lap.meta("key_id"))
    send(hq, other, tmp_path)
    send(other, hq, tmp_path)
    path = hq.path
    store.backup(hq.conn, path, "manual")
    hq.close()
    store.restore_backup(path, force=True)
    with open_replica(path) as restored:
        # the office's other laptop gets the restored HQ's key records: its receipts
        # say the office holds them; the revoked laptop gets headquarters' key records
        # beside its own (export.revocation_news), and knows the new key for HQ's;
        # from an older headquarters, by its endorsement alone
        send(restored, other, tmp_path)
        send(other, restored, tmp_path)
        _, outcome = send(restored, lap, tmp_path)
        assert outcome.revoked_here
        new_key = restored.meta("key_id")
        known = keys.all_keys(lap)[new_key]
        if older_hq:
            assert known.source == "local" and hq_key(lap).key_id != new_key
        else:
            assert known.source == "registry" and hq_key(lap).key_id == new_key
        db = lap.path
        lap.close()
        setup = tmp_path / "ML-again.fieldplan"
        enroll_office(restored, "ML", setup)
    with set_up_again(db, setup).replica as new:
        assert not key_revoked(new)


class _Killed(BaseException):
    """The process killed (a power cut): none of its own clean-up runs."""


def _kill_at(monkeypatch, *, renames: int | None = None, step: str = "") -> None:
    """A set-up-again killed once ``renames`` files were moved aside, or at the new
    database's init ``step`` (``replica._init_step``): what either would clean up on
    an error (put the old files back, remove the new database's temporary files) is
    not done."""
    from fieldplan import replica
    from fieldplan.sync import again

    real_rename, real_step = again.os.rename, replica._init_step
    done = []

    def rename(source, target):
        if "-revoked-" in str(target):  # (a move aside: not another file's rename)
            if renames is not None and len(done) == renames:
                raise _Killed
            done.append(target)
        real_rename(source, target)

    def at(name):
        if name == step:
            raise _Killed
        real_step(name)

    def killed(*_args, **_kwargs):
        raise _Killed

    monkeypatch.setattr(again.os, "rename", rename)
    monkeypatch.setattr(again, "_put_back", killed)
    monkeypatch.setattr(replica, "_init_step", at)
    monkeypatch.setattr(replica, "_remove_unfinished", lambda *_a: None)


def test_a_set_up_again_killed_while_moving_the_old_files_puts_them_back(
        hq, make_office, tmp_path, monkeypatch) -> None:
    """Killed while the old files were moved aside one by one (the database, its
    logs, its key files, its backups), it left the old revoked key alone at the
    database's path, or no database and its backups half moved: init then refused
    (the key file is this computer's identity), and the client offered to restore a
    backup of the revoked database. The next opening (or init, or the client's start)
    puts the old files back: the revoked database, which can be set up again. So it
    does when they were all aside and the new database was being made: they stayed
    there, and the client's next start said there was no database yet, never where
    the old one went nor what made there never reached headquarters
    (``test_init_killed``)."""
    from fieldplan.sync.again import MOVING
    from fieldplan.sync.enrol import init_from_setup

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db, old_id = lap.path, lap.replica_id
    lap.close()
    before = {p: p.read_bytes() for p, _ in replica_files(db)}
    count = len(before)
    assert count >= 3  # the database, its key file, a backup
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    for renames in range(count):
        with monkeypatch.context() as m:
            _kill_at(m, renames=renames)
            with pytest.raises(_Killed):
                set_up_again(db, setup)
        if renames:
            assert not db.exists() and key_path(db).exists() == (renames == 1)
        if renames % 2:  # (each way in: an init, an opening)
            with pytest.raises(StoreError, match="already exists"):
                init_from_setup(db, setup)
        with open_replica(db) as back:
            assert back.replica_id == old_id and key_revoked(back), renames
        assert {p: p.read_bytes() for p, _ in replica_files(db)} == before, renames
        assert not list(tmp_path.glob("lap.sqlite3-revoked-*")), renames
    # killed while the new database was made: the old files come back too, whole,
    # and the temporary files of the new one go
    with monkeypatch.context() as m:
        _kill_at(m, step="filled")
        with pytest.raises(_Killed):
            set_up_again(db, setup)
    [aside] = tmp_path.glob("lap.sqlite3-revoked-*")
    assert (aside / MOVING).exists() and not db.exists()
    with open_replica(db) as back:
        assert back.replica_id == old_id and key_revoked(back)
    assert {p: p.read_bytes() for p, _ in replica_files(db)} == before
    assert not list(tmp_path.glob("lap.sqlite3-revoked-*"))
    assert not [p for p in db.parent.iterdir() if ".init" in p.name and "lock" not in p.name]
    with set_up_again(db, setup).replica as new:
        assert new.replica_id != old_id and not key_revoked(new)
    [aside] = tmp_path.glob("lap.sqlite3-revoked-*")
    with open_replica(aside / "lap.sqlite3") as old:
        assert old.replica_id == old_id


def test_a_killed_set_up_again_puts_the_old_files_back_beside_the_database(
        hq, make_office, tmp_path, monkeypatch) -> None:
    """Its record named the files it moved as they were given: run under ``--db
    lap.sqlite3`` in the database's folder, killed, then opened by its full name from
    another folder, the revoked database and its key file were put back into that
    folder, and the database's own said it was missing (restore a backup). A copy of
    the whole folder, opened, sent its files back into the folder it was copied from."""
    import shutil

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db, old_id = lap.path, lap.replica_id
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(db.parent)
    with monkeypatch.context() as m:
        _kill_at(m, renames=2)
        with pytest.raises(_Killed):
            set_up_again(Path(db.name), setup)
    assert not db.exists()
    copy = tmp_path.parent / f"{tmp_path.name}-copy"
    shutil.copytree(tmp_path, copy, ignore=shutil.ignore_patterns("elsewhere"))
    monkeypatch.chdir(elsewhere)
    with open_replica(copy / db.name) as back:
        assert back.replica_id == old_id
    assert not db.exists()  # (the copy's files stay in the copy)
    with open_replica(db) as back:
        assert back.replica_id == old_id and key_path(db).exists()
    assert not list(elsewhere.iterdir())
    assert not list(tmp_path.glob("lap.sqlite3-revoked-*"))


def test_a_record_left_on_a_read_only_disk_does_not_stop_the_opening(
        hq, tmp_path, monkeypatch) -> None:
    """A set-up-again killed once the new database was in place leaves its record,
    which the next opening removes. On a read-only disk (the folder copied there to be
    read) it cannot be removed, and every opening failed with "the disk is
    read-only" where the database opens to be read."""
    import errno
    import json

    from fieldplan.sync.again import MOVING

    path = hq.path
    folder = path.with_name(f"{path.name}-revoked-20261201T000000Z")
    folder.mkdir()
    (folder / "old.sqlite3").write_bytes(b"old")
    (folder / MOVING).write_text(json.dumps({"files": [["old.sqlite3", "old.sqlite3"]]}))
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        if self.name == MOVING:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    with open_replica(path) as again:
        assert again.replica_id == hq.replica_id
    assert (folder / MOVING).exists()
    monkeypatch.undo()
    with open_replica(path):
        assert not (folder / MOVING).exists()


def test_two_set_ups_again_at_once_leave_the_first_ones_new_database(
        hq, make_office, tmp_path, monkeypatch) -> None:
    """Two set-ups-again of one database at once (the command run twice, the client
    and the command line): the second checked the revoked key before the first took
    the lock, waited for nothing, and once the first was done moved its new database
    aside as the revoked one and made another. The key is checked again under the
    lock: the second says the database is set up already."""
    from fieldplan.sync import again

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    real = again._setting_up_again
    first: list = []

    def other_program_first(path):
        if not first:  # (the other program, between this one's check and its lock)
            first.append(None)
            with real_set_up_again(db, setup).replica as made:
                first[0] = made.replica_id
        return real(path)

    real_set_up_again = again.set_up_again
    monkeypatch.setattr(again, "_setting_up_again", other_program_first)
    with pytest.raises(ValidationError, match="has not revoked"):
        set_up_again(db, setup)
    with open_replica(db) as now:
        assert now.replica_id == first[0] and not key_revoked(now)
    assert len(list(tmp_path.glob("lap.sqlite3-revoked-*"))) == 1


def test_only_a_set_up_agains_own_folders_are_looked_in(
        hq, make_office, tmp_path, monkeypatch) -> None:
    """Opening a database looked for a record in any folder named ``<db>-revoked-*``:
    a copy of such a folder ("… - Copy") was taken for a set-up-again killed midway,
    and a database named ``lap.sqlite3-revoked-x`` acted on another's folder. Only
    ``<db>-revoked-<time>`` (``-2``… after it) is one."""
    import shutil

    from fieldplan.replica import set_up_again_records

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    with monkeypatch.context() as m:
        _kill_at(m, renames=2)
        with pytest.raises(_Killed):
            set_up_again(db, setup)
    [aside] = tmp_path.glob("lap.sqlite3-revoked-*")
    assert set_up_again_records(db) == [aside / ".moving.json"]
    copy = aside.with_name(aside.name + " - Copy")
    shutil.copytree(aside, copy)
    shutil.copytree(aside, aside.with_name(aside.name + "-2"))
    assert sorted(set_up_again_records(db)) == [aside / ".moving.json",
                                               aside.with_name(aside.name + "-2") / ".moving.json"]
    other = tmp_path / "lap.sqlite3-revoked-x"  # (a database of that name: none of its)
    assert set_up_again_records(other) == []
    shutil.rmtree(aside.with_name(aside.name + "-2"))
    with open_replica(db):
        pass
    assert (copy / ".moving.json").exists()  # (the copy is left as it is)


@pytest.mark.parametrize("room", [0, 20], ids=["full", "filling"])
def test_a_disk_too_full_for_the_record_of_the_move_moves_nothing(
        hq, make_office, tmp_path, monkeypatch, capsys, room) -> None:
    """The record of what a set-up-again moves aside (written first, for a kill to be
    undone) did not fit on the disk: the command said "the disk is full; make room or
    choose another disk" (no other disk to choose), and an empty
    ``lap.sqlite3-revoked-…`` folder stayed beside the database at each try, read
    again at every opening; a disk that took the record's first bytes only went on
    with a record cut short (no undoing a kill). Now nothing is moved, no folder
    stays, the line says what could not be done, and with room the set-up is made."""
    from fieldplan.cli import main
    from fieldplan.sync import again

    lap, _ = revoked_laptop(hq, make_office, tmp_path)
    db = lap.path
    lap.close()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    before = sorted(os.listdir(tmp_path))
    files = sorted(p for p, _ in replica_files(db))
    real_write = os.write
    took = [room]

    def write(fd, data):
        if took[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real_write(fd, data[:took[0]])
        took[0] -= n
        return n

    with monkeypatch.context() as m:
        m.setattr(again.os, "write", write)
        assert main(["--db", str(db), "init", "--replace-revoked", "--from",
                     str(setup)]) == 1
    _out, err = capsys.readouterr()
    assert err.startswith(f"fieldplan: error: cannot move {db} to {db}-revoked-")
    assert err.endswith(": the disk is full; make room, then try again\n")
    assert err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before
    assert sorted(p for p, _ in replica_files(db)) == files
    with open_replica(db) as back:
        assert key_revoked(back)
    done = set_up_again(db, setup)
    done.replica.close()
    assert names(done.aside) >= {db.name, key_path(db).name}
