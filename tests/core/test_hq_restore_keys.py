"""Headquarters put back from a backup older than some of its key events: what it
wrote of keys after the backup is held by offices, never sent back to it.

Its own rotated key is retired over the lost registration (not beside it: offices
would hold a conflict only HQ could settle, and HQ would see none); offices' keys it
had registered are registered again from what the replaced database said (their next
bundles are not quarantined for a phone check); and none of it is among the changes
people are told to make again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from test_sync import national, registered, send

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.status import replica_status
from fieldplan.sync import (
    enroll_office,
    init_from_setup,
    list_conflicts,
    list_quarantine,
    rotate_key,
    sync_state,
)
from fieldplan.sync import keys as keyreg
from tests.scenes import restored_from


def registry(rep) -> dict[str, tuple[str, str, str]]:
    return {k.key_id: (k.office, k.replica, k.status)
            for k in keyreg.all_keys(rep).values() if k.source == "registry"}


def test_a_lost_rotation_of_headquarters_leaves_no_conflict(hq, make_office,
                                                            tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    rotated = rotate_key(hq).key_id_hex
    send(hq, ml, tmp_path)  # ML holds the rotated key's registration, active
    hq2 = restored_from(hq, before)
    try:
        send(ml, hq2, tmp_path)
        send(hq2, ml, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
        assert sync_state(ml).conflicts == 0
        assert keyreg.all_keys(ml)[rotated].status == "retired"
        assert registry(ml) == registry(hq2)
        # the rotation needs nobody to make it again: said per key, not counted
        restored_info = sync_state(hq2).restored
        assert restored_info["lost"] == 0 and restored_info["unreported"] == 0
        changes = restored_info["lost_changes"]
        assert len(changes) == 2 and all(c["made_again"] for c in changes)
        assert all(c["text"].endswith("headquarters' own key, nothing to do (this "
                                      "database took a new key when it was restored)")
                   for c in changes)
        assert not any(label == "Warning" for label, _v in replica_status(hq2).lines("en")
                       if _v.endswith("make them again"))
    finally:
        hq2.close()


def test_an_office_key_registered_after_the_backup_is_registered_again(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    sn = registered(make_office("SN"), hq, tmp_path)  # SN's key registered: lost
    send(hq, sn, tmp_path)
    send(hq, ml, tmp_path)
    hq2 = restored_from(hq, before)
    try:
        key_id = sn.meta("key_id")
        info = keyreg.all_keys(hq2)[key_id]
        assert (info.source, info.office, info.replica, info.status) == (
            "registry", "SN", sn.replica_id, "active")
        progress.record_progress(sn, national(sn, 1), "2026-S1", percent=30)
        _, outcome = send(sn, hq2, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
        assert list_quarantine(hq2) == []
        send(hq2, sn, tmp_path)
        send(hq2, ml, tmp_path)
        assert list_conflicts(sn) == [] and list_conflicts(ml) == []
        assert registry(sn) == registry(hq2) == registry(ml)
        restored_info = sync_state(hq2).restored
        assert restored_info["keys_again"] == [key_id]
        assert restored_info["lost"] == 0 and restored_info["unreported"] == 0
        texts = [c["text"] for c in restored_info["lost_changes"]]
        assert texts and all(t.endswith(": made again when this database was restored")
                             for t in texts)
    finally:
        hq2.close()


def test_headquarters_own_lost_keys_are_not_registered_again(hq, make_office,
                                                             tmp_path: Path) -> None:
    """Two rotations lost: both keys are on record again, retired (the chain offices
    followed goes through them, each endorsing the next); only the restore's new key
    is active."""
    ml = registered(make_office("ML"), hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    first = rotate_key(hq).key_id_hex
    rotate_key(hq)
    send(hq, ml, tmp_path)
    hq2 = restored_from(hq, before)
    try:
        keys = keyreg.all_keys(hq2)
        assert keys[first].status == "retired"
        assert [k for k in keys.values() if k.office == "HQ" and k.status == "active"] \
            == [keys[hq2.meta("key_id")]]
        assert sync_state(hq2).restored["keys_again"] == []
        send(ml, hq2, tmp_path)
        send(hq2, ml, tmp_path)
        assert list_conflicts(ml) == []
        assert registry(ml) == registry(hq2)
    finally:
        hq2.close()


def _marked_copy(hq, tmp_path: Path, taken: str | None) -> Path:
    """A backup of ``hq`` copied by hand to a name without a time; its own mark says
    ``taken`` (None: no mark at all)."""
    made = store.backup(hq.conn, hq.path, "manual")
    copy = tmp_path / "hq-last-month.sqlite3"
    shutil.copyfile(made, copy)
    with sqlite3.connect(copy) as conn:
        if taken is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (store.BACKUP_MARK,))
        else:
            mark = json.loads(conn.execute("SELECT value FROM meta WHERE key = ?",
                                           (store.BACKUP_MARK,)).fetchone()[0])
            conn.execute("UPDATE meta SET value = ? WHERE key = ?",
                         (json.dumps({**mark, "taken": taken}), store.BACKUP_MARK))
    conn.close()
    return copy


def test_a_renamed_backup_says_when_it_was_taken(hq, tmp_path: Path) -> None:
    copy = _marked_copy(hq, tmp_path, "2020-01-02T03:04:05Z")
    path = hq.path
    hq.close()
    store.restore_backup(path, copy, force=True)
    with open_replica(path) as hq2:
        assert sync_state(hq2).restored["backup_taken"] == "2020-01-02T03:04:05Z"


def test_a_backup_that_says_no_time_is_not_said_taken_now(hq, tmp_path: Path) -> None:
    copy = _marked_copy(hq, tmp_path, None)
    path = hq.path
    hq.close()
    store.restore_backup(path, copy, force=True)
    with open_replica(path) as hq2:
        assert sync_state(hq2).restored["backup_taken"] == ""
        lines = dict(replica_status(hq2).lines("en"))
        assert lines["Restored"].startswith("from a backup taken at a time not known, on ")


def test_a_key_registered_again_by_a_restore_then_revoked_leaves_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    """HQ restored from a backup older than a laptop's registration registered it
    again (an event ML's other laptop got); restored once more, from a later backup
    that had the first registration, it wrote nothing more of the key (it showed it
    active), then revoked it, naming only the version it showed: the other laptop held
    the lost "active" beside "revoked", a conflict only HQ could settle, which it never
    saw. Each key write of HQ's names the versions of its fields a restore lost."""
    from fieldplan.sync import revoke_key

    enroll_office(hq, "ML", tmp_path / "ml.setup")
    other = init_from_setup(tmp_path / "other.sqlite3", tmp_path / "ml.setup")
    registered(other, hq, tmp_path)
    older = store.backup(hq.conn, hq.path, "manual")
    late = init_from_setup(tmp_path / "late.sqlite3", tmp_path / "ml.setup")
    registered(late, hq, tmp_path)
    later = store.backup(hq.conn, hq.path, "manual")  # has the laptop's registration
    path = hq.path
    hq.close()
    store.restore_backup(path, older, force=True)
    with open_replica(path) as hq2:  # registers the laptop's key again
        assert late.meta("key_id") in keyreg.all_keys(hq2)
        send(hq2, other, tmp_path)
    store.restore_backup(path, later, force=True)
    hq3 = open_replica(path)
    try:
        revoke_key(hq3, late.meta("key_id"))
        for _ in range(2):
            send(hq3, other, tmp_path)
            send(other, hq3, tmp_path)
        assert list_conflicts(other) == [] and list_conflicts(hq3) == []
        assert keyreg.all_keys(other)[late.meta("key_id")].status == "revoked"
    finally:
        hq3.close()
        other.close()
        late.close()
