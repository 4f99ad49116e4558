"""The key registry's cache (``keys.all_keys``) must never answer with a registry the
database does not hold: not after an import that rolled back, not after another
program (the client and a command at once) changed the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import chained, forge, national, send

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
from fieldplan.sync import keys as keyreg


def test_a_registration_rolled_back_is_not_kept_by_the_cache(hq, make_office, clock,
                                                             tmp_path: Path) -> None:
    """Headquarters' clock behind what it received (an office's clock a day ahead):
    its key records take the clock it received plus one, the same for a registration
    rolled back and for the next one. The client's registry, cached inside an import
    that failed, named the first; a command then registered another computer's key:
    the same count of records, the same latest clock. The client took the key never
    registered as known, and did not know the one registered: the laptop's next
    bundle merged there without its key going on record (its events then reached no
    other computer of the office)."""
    clock("2026-03-03")
    ml = make_office("ML")  # (set up at the later date: its events are ahead)
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    clock("2026-03-02")
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    client = open_replica(hq.path)  # the client, open beside the command (``hq``)
    try:
        keyreg.all_keys(client)
        # a second computer of ML, whose first bundle is refused after its key was
        # taken (inside the import's transaction, rolled back)
        laptop = make_office("ML")
        bad = chained(laptop, "progress", f"ML|{national(laptop)}|2026-S1",
                      {"status": "hacked"})
        outcome = import_bundle(client, forge(laptop, tmp_path, [bad], name="bad.fieldplan"))
        assert outcome.outcome == "rejected" and "bad value" in outcome.reason
        # the command registers another office's computer
        sn = make_office("SN")
        progress.record_progress(sn, national(sn), "2026-S1", status="on-track")
        assert send(sn, hq, tmp_path)[1].outcome == "merged"
        sn_key = sn.meta("key_id")
        assert sn_key in keyreg.all_keys(hq)
        assert keyreg.all_keys(client) == keyreg.all_keys(hq)
        assert laptop.meta("key_id") not in keyreg.all_keys(client)
        progress.record_progress(laptop, national(laptop, 1), "2026-S1", status="at-risk")
        assert send(laptop, client, tmp_path)[1].outcome == "merged"
    finally:
        client.close()
    hq.close()
    with open_replica(hq.path) as again:
        assert laptop.meta("key_id") in keyreg.all_keys(again)


def test_a_write_rolled_back_forgets_the_plan_read_inside_it(hq) -> None:
    """The plan's cache is keyed as the registry's is (a count, a latest clock): a plan
    read inside a write that rolled back is forgotten with the registry."""
    from fieldplan import store

    hq.plan()
    with pytest.raises(RuntimeError), store.write_transaction(hq.conn):
        hq.plan()  # (read inside the write)
        raise RuntimeError("the write fails")
    assert hq._plan_cache is None and hq.cache == {}


@pytest.mark.parametrize("status, renews, scope", [("retired", "r-old", ""),
                                                  ("revoked", "", keyreg.REPLICA_ALONE)])
def test_a_key_registered_again_keeps_in_the_cache_what_the_database_keeps(
        hq, status, renews, scope) -> None:
    """A key on record retired, continuing a replica restored from a backup
    (``renews``), registered again as active: the registry keeps the fields the new
    record does not write, and the cache lost them (its ``renews`` was "", while a
    fresh read gave the replica it continues; a revocation's ``scope`` as well)."""
    from fieldplan import store
    from fieldplan.minisign import SecretKey
    from fieldplan.replica import register_key

    pub = SecretKey.from_seed(bytes(range(32))).public
    with store.write_transaction(hq.conn):
        register_key(hq, pub, office="BN", replica_id="r-new", renews=renews,
                     status=status, scope=scope)
    keyreg.all_keys(hq)  # (the cache, as fresh)
    with store.write_transaction(hq.conn):
        keyreg.accept_new_key(hq, pub, "BN", "r-new")
        cached = hq.cache["keys"][1][pub.key_id_hex]
        assert cached == keyreg._load_keys(hq)[pub.key_id_hex]
    assert (cached.status, cached.renews, cached.scope) == ("active", renews, scope)
    assert keyreg.all_keys(hq) == keyreg._load_keys(hq)


def test_a_key_another_program_registers_is_seen_with_nothing_written_here(
        hq, make_office, tmp_path: Path) -> None:
    """The cache asks the registry again only when something was written, here or by
    another program: a key registered by a command is known at once to the client
    that has written nothing since it last read the registry."""
    client = open_replica(hq.path)
    try:
        before = keyreg.all_keys(client)
        assert keyreg.all_keys(client) == before  # (answered from the cache)
        sn = make_office("SN")
        progress.record_progress(sn, national(sn), "2026-S1", status="on-track")
        assert send(sn, hq, tmp_path)[1].outcome == "merged"
        assert sn.meta("key_id") in keyreg.all_keys(client)
        assert keyreg.all_keys(client) == keyreg.all_keys(hq)
    finally:
        client.close()
