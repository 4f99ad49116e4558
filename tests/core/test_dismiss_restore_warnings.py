"""A restore warns of three things a person ends each by a choice of its own: HQ's own
changes it lost (made again), the offices' events it lost and revoked computers'
(which may never come back). One "Stop warning" ended all three at once, in three
transactions: a person who had made the lost lock again also, unasked, stopped the
warning of an office's events, the one thing that said they were missing."""

from __future__ import annotations

import pytest

from fieldplan import store
from fieldplan.replica import open_replica
from fieldplan.sync import LOST_KINDS, dismiss_restore_warnings, sync_state
from fieldplan.sync import state as sync_state_module
from tests.scenes import hq_restored_losing_three_kinds


def warned(path) -> dict[str, int]:
    """What the restore still warns of at HQ: own changes, offices', revoked's."""
    with open_replica(path) as rep:
        restored = sync_state(rep).restored
    return {"own": restored["lost"],
            "offices": sum(item["events"] for item in restored["offices_lost"]),
            "revoked": sum(item["events"] for item in restored["revoked_lost"])}


@pytest.fixture
def restored_hq(hq, make_office, tmp_path):
    path, *replicas = hq_restored_losing_three_kinds(hq, make_office, tmp_path)
    for rep in replicas:
        rep.close()
    assert warned(path) == {"own": 1, "offices": 1, "revoked": 2}
    return path


@pytest.mark.parametrize("kind", LOST_KINDS)
def test_each_warning_ends_on_its_own(restored_hq, kind):
    before = warned(restored_hq)
    with open_replica(restored_hq) as rep:
        done = dismiss_restore_warnings(rep, [kind])
    assert done.kinds == (kind,)
    assert (done.own, len(done.offices), len(done.revoked)) == {
        "own": (1, 0, 0), "offices": (0, 1, 0), "revoked": (0, 0, 1)}[kind]
    assert warned(restored_hq) == {**before, kind: 0}


def test_two_chosen_end_together_and_the_third_stays(restored_hq):
    with open_replica(restored_hq) as rep:
        done = dismiss_restore_warnings(rep, ["revoked", "own"])
    assert done.kinds == ("own", "revoked")  # (in LOST_KINDS' order)
    assert warned(restored_hq) == {"own": 0, "offices": 1, "revoked": 0}


def test_all_end_in_one_transaction_or_none(restored_hq, monkeypatch):
    """The three were three transactions: a failure in the last left the first two
    ended. Now nothing ends unless all the chosen ones do."""
    def fail(_rep):
        raise store.StoreError("disk full")

    monkeypatch.setattr(sync_state_module, "_dismiss_revoked_lost", fail)
    with open_replica(restored_hq) as rep, pytest.raises(store.StoreError):
        dismiss_restore_warnings(rep, LOST_KINDS)
    assert warned(restored_hq) == {"own": 1, "offices": 1, "revoked": 2}


def test_an_unknown_kind_is_refused(restored_hq):
    with open_replica(restored_hq) as rep, pytest.raises(ValueError):
        dismiss_restore_warnings(rep, ["own", "everything"])
    assert warned(restored_hq)["own"] == 1


def test_an_office_has_only_its_own(make_office, tmp_path):
    from tests.scenes import office_restored_after_typing

    path = office_restored_after_typing(make_office, tmp_path)
    with open_replica(path) as rep:
        done = dismiss_restore_warnings(rep, ["offices", "revoked"])
        assert (done.own, done.offices, done.revoked) == (0, (), ())
        assert sync_state(rep).restored["never_sent"] == 3
        assert dismiss_restore_warnings(rep, ["own"]).own == 3
        assert sync_state(rep).restored["never_sent"] == 0
