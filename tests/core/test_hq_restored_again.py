"""Headquarters put back from the same backup more than once (it failed again before
it took a new one: an HQ that only exports takes one a day). Each restore continues
the replica of the key file, which the one before made: the chain of HQ's replicas
and keys that offices follow goes through every one of them.

The second restore registered the first one's key without the replica it continued:
offices kept the backup's replica as a peer of HQ, took its old receipts for HQ's,
and never sent again a change only the first restored HQ had had. The third signed
the key file's key with the backup's key, skipping the first restore's key: an
office computer that had heard from the first restored HQ refused every bundle of
the third, for good, while its sibling took them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import registered, send

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import keys as keyreg
from fieldplan.sync import list_conflicts


def restore(rep, backup: Path):
    path = rep.path
    rep.close()
    store.restore_backup(path, backup, force=True)
    return open_replica(path)


def sent_after_the_backup(hq, make_office, tmp_path: Path, times: int):
    sn = make_office("SN")
    progress.record_progress(sn, "PA1.1", "2026-S1", status="on-track")
    send(sn, hq, tmp_path)
    send(hq, sn, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(sn, "PA1.1", "2026-S1", status="at-risk")
    send(sn, hq, tmp_path)
    send(hq, sn, tmp_path)  # SN learns HQ holds it
    for _ in range(times):
        hq = restore(hq, backup)
    for _ in range(3):
        send(sn, hq, tmp_path)
        send(hq, sn, tmp_path)
    return hq, sn


@pytest.mark.parametrize("times", [1, 2, 3])
def test_an_office_change_comes_back_after_restores_from_one_backup(
        times, hq, make_office, tmp_path: Path) -> None:
    hq, sn = sent_after_the_backup(hq, make_office, tmp_path, times)
    try:
        report = progress.get_report(hq, "PA1.1", "2026-S1", office="SN")
        assert report.status == "at-risk"
        assert progress.digest(hq, "SN") == progress.digest(sn)
        assert list_conflicts(sn) == [] and list_conflicts(hq) == []
    finally:
        hq.close()


def test_each_restore_continues_the_one_before(hq, make_office, tmp_path: Path) -> None:
    """Three restores from one backup: the registry says each restored replica
    continues the one before (``renews``), at HQ and at an office; both of an
    office's computers take HQ's bundles, the one that heard from the first restored
    HQ too, and hold no conflict of HQ's keys."""
    one = registered(make_office("ML"), hq, tmp_path)
    two = registered(make_office("ML"), hq, tmp_path)
    send(hq, one, tmp_path)
    send(hq, two, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    replicas = [hq.replica_id]
    hq = restore(hq, backup)
    try:
        replicas.append(hq.replica_id)
        assert send(hq, one, tmp_path)[1].outcome == "merged"  # `one` knows the first
        for _ in range(2):
            hq = restore(hq, backup)
            replicas.append(hq.replica_id)
        progress.set_period_lock(hq, "2026-S1")
        for office in (two, one):
            outcome = send(hq, office, tmp_path)[1]
            assert outcome.outcome == "merged", outcome.reason
            assert progress.is_locked(office, "2026-S1")
        for rep in (hq, one, two):
            renews = {k.replica: k.renews for k in keyreg.all_keys(rep).values()
                      if k.office == "HQ"}
            assert [renews[r] for r in replicas[1:]] == replicas[:-1]
            assert list_conflicts(rep) == []
    finally:
        hq.close()
        one.close()
        two.close()


def test_a_kept_key_that_cannot_be_read_leaves_the_two_ends(
        hq, make_office, tmp_path: Path) -> None:
    """One of the keys kept between cannot be read (a damaged disk): the restore
    endorses the key file's key with the database's own, as it did before it
    followed those between; an office computer that never heard of them takes HQ's
    bundles."""
    from fieldplan.replica import old_key_files

    two = registered(make_office("ML"), hq, tmp_path)
    send(hq, two, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    first = hq.meta("key_id")
    hq = restore(hq, backup)
    try:
        middle = hq.meta("key_id")
        hq = restore(hq, backup)
        for path in old_key_files(hq.path)[middle]:
            path.write_bytes(b"damaged")
        assert first in old_key_files(hq.path)
        hq = restore(hq, backup)
        progress.set_period_lock(hq, "2026-S1")
        outcome = send(hq, two, tmp_path)[1]
        assert outcome.outcome == "merged", outcome.reason
        assert progress.is_locked(two, "2026-S1")
    finally:
        hq.close()
        two.close()


def test_more_restores_from_one_backup_than_an_event_replaces(
        hq, make_office, tmp_path: Path) -> None:
    """Each restore from one backup retires the backup's key again, over every
    version of it the restores before wrote (lost, but offices hold them): past 32,
    one event may name no more, and the restore cut the rest, leaving the oldest
    beside its write at an office that held it. It writes a chain of events
    (``events.append_chain``): one head of each field of the key, there as here."""
    from fieldplan import events

    one = registered(make_office("ML"), hq, tmp_path)
    send(hq, one, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    key = hq.meta("key_id")
    hq = restore(hq, backup)
    try:
        assert send(hq, one, tmp_path)[1].outcome == "merged"  # `one` holds the first's
        for _ in range(events.MAX_BASE_PER_FIELD + 1):
            hq = restore(hq, backup)
        outcome = send(hq, one, tmp_path)[1]
        assert outcome.outcome == "merged", outcome.reason
        for rep in (hq, one):
            heads = dict(rep.conn.execute(
                "SELECT field, count(*) FROM versions WHERE entity = 'key' AND "
                "entity_id = ? AND superseded = 0 GROUP BY field", (key,)).fetchall())
            assert heads and set(heads.values()) == {1}, heads
        assert list_conflicts(one) == []
    finally:
        hq.close()
        one.close()
