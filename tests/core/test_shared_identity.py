"""A database and its key file copied to a second laptop: two computers write under
one replica identity. Headquarters takes the first of their bundles and refuses the
other's as a forked history (it cannot tell it from a database that went back: both
are another history under the same numbers); its next bundle repairs the refused
laptop, which goes on as a new replica. The other laptop goes on under the old
identity: once its receipts show it is still in use beside the new replica
(``fork.copies_in_use``), headquarters sends it the office's events as to any
laptop of the office, and says what happened. Nothing typed on either is lost: HQ
and both laptops end with the same digest, whatever the order of the bundles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_fork_repair import export_to

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.replica import key_path, open_replica
from fieldplan.status import replica_status
from fieldplan.sync import fork, import_bundle, keys, revoke_key
from fieldplan.sync.state import sync_state

S1 = "2026-S1"


class TwoLaptops:
    """ML's laptop A exported, HQ imported (and replied); A's database and key file
    were copied to laptop B with fieldplan closed; A and B each typed other progress.
    ``monkeypatch``: B keeps its write marks in a state folder of its own, as another
    computer does (else both share this one's, and B's saves overwrite A's mark)."""

    def __init__(self, hq, make_office, tmp_path: Path, monkeypatch=None) -> None:
        self.hq, self.tmp, self.n = hq, tmp_path, 0
        self.monkeypatch = monkeypatch
        self.states = {"HQ": os.environ["XDG_STATE_HOME"], "A": os.environ["XDG_STATE_HOME"],
                       "B": str(tmp_path / "B-state")}
        a = make_office("ML")
        self.acts = [x.code for x in a.plan().actions_of(level="national")]
        progress.record_progress(a, self.acts[0], S1, status="on-track", percent=10)
        self.up(a)
        self.down(a)
        self.identity = a.replica_id
        path = a.path
        a.close()
        (tmp_path / "B").mkdir()
        b_path = tmp_path / "B" / path.name
        for src, dst in ((path, b_path), (key_path(path), key_path(b_path))):
            shutil.copy2(src, dst)  # (the key file keeps its owner-only mode)
        self.laptops = {"A": open_replica(path)}
        self.on("B")
        self.laptops["B"] = open_replica(b_path)
        assert self.laptops["B"].replica_id == self.identity
        #: what each laptop typed: action → its text
        self.typed: dict[str, str] = {}
        self.type("A", 1)
        self.type("B", 2)

    def on(self, who: str) -> None:
        """What follows runs on ``who``'s computer (its write marks)."""
        if self.monkeypatch is not None:
            self.monkeypatch.setenv("XDG_STATE_HOME", self.states[who])

    def type(self, who: str, act: int) -> None:
        text = f"typed on {who}, action {act}"
        self.on(who)
        progress.record_progress(self.laptops[who], self.acts[act], S1, status="at-risk",
                                 achievements=text)
        self.typed[self.acts[act]] = text

    def _name(self) -> str:
        self.n += 1
        return f"b{self.n}"

    def _on_rep(self, rep) -> None:
        # (before the copy: A, the one laptop)
        self.on(next((w for w, r in getattr(self, "laptops", {}).items() if r is rep), "A"))

    def up(self, rep):
        self._on_rep(rep)
        path = export_to(rep, self.tmp, self._name()).path
        self.on("HQ")
        return import_bundle(self.hq, path)

    def down(self, *reps):
        self.on("HQ")
        path = export_to(self.hq, self.tmp, self._name(), for_office="ML").path
        out = []
        for rep in reps:
            self._on_rep(rep)
            out.append(import_bundle(rep, path))
        return out

    def run(self, steps: str) -> list[tuple[str, str]]:
        """Steps such as "A:up B:down AB:down" (AB: one HQ bundle imported by both);
        returns each step's outcomes."""
        said = []
        for step in steps.split():
            who, _sep, what = step.partition(":")
            reps = [self.laptops[w] for w in who]
            if what == "up":
                (rep,) = reps
                said.append((step, self.up(rep).outcome))
            else:
                said += [(step, o.outcome) for o in self.down(*reps)]
        return said

    def assert_converged(self) -> None:
        hq, a, b = self.hq, self.laptops["A"], self.laptops["B"]
        assert progress.digest(hq, "ML") == progress.digest(a) == progress.digest(b)
        for rep in (hq, a, b):
            for act, text in self.typed.items():  # nothing typed on either is lost
                assert progress.get_report(rep, act, S1, "ML").achievements == text

    def close(self) -> None:
        for rep in self.laptops.values():
            rep.close()


@pytest.fixture
def world(hq, make_office, tmp_path: Path):
    w = TwoLaptops(hq, make_office, tmp_path)
    yield w
    w.close()


ROUND = "A:up B:up A:down B:down"


@pytest.mark.parametrize("steps", [
    # A's bundle first, then B's (refused); HQ's bundle imported by A, then B
    "A:up B:up A:down B:down",
    # B's first, then A's
    "B:up A:up B:down A:down",
    # HQ's bundle imported by both
    "A:up B:up AB:down",
    # by the refused laptop only, then (later) by the other
    "A:up B:up B:down B:up B:down A:down",
    # by the laptop HQ took only, for a while: the other stays refused, its work kept
    "A:up B:up A:down A:up B:up A:down B:down",
    # the repaired laptop exports again before the other imports HQ's next bundle,
    # then imports one written after HQ had its receipts: no bundle carries the new
    # replica's registration any more, and the other laptop got nothing of it, for
    # ever (every bundle for the office carries it until its receipts name it)
    "A:up B:up B:down B:up B:down",
])
def test_two_laptops_under_one_identity_converge(world, steps: str) -> None:
    w = world
    said = w.run(steps)
    # the second bundle is refused as a forked history: nothing of it is lost
    assert [outcome for step, outcome in said if step.endswith(":up")][:2] == [
        "merged", "rejected"]
    for _round in range(2):
        w.run(ROUND)
    w.type("A", 3)  # both go on typing
    w.type("B", 4)
    for _round in range(2):
        w.run(ROUND)
    w.assert_converged()
    assert w.hq.conn.execute("SELECT count(*) FROM forks").fetchone()[0] == 0


@pytest.mark.parametrize("steps", ["A:up B:up A:down B:down", "B:up A:up B:down A:down"])
def test_the_same_report_typed_on_both_laptops_is_a_conflict(world, steps: str) -> None:
    """Both laptops wrote the same report's text: the repair of the refused one wrote
    its text over the other's without a word (no conflict, the other's gone from
    view). Two computers that did not see each other's write: a conflict, both kept."""
    from fieldplan.sync import list_conflicts

    w = world
    for who in "AB":
        progress.record_progress(w.laptops[who], w.acts[5], S1,
                                 achievements=f"the same report, typed on {who}")
    w.run(steps)
    for _round in range(2):
        w.run(ROUND)
    rid = f"ML|{w.acts[5]}|{S1}"
    for rep in (w.hq, *w.laptops.values()):
        [conflict] = [c for c in list_conflicts(rep) if c.entity_id == rid]
        assert conflict.field == "achievements"
        assert sorted(c.value for c in conflict.candidates) == [
            "the same report, typed on A", "the same report, typed on B"]
    assert progress.digest(w.hq, "ML") == progress.digest(w.laptops["A"]) \
        == progress.digest(w.laptops["B"])


def test_the_laptop_left_on_the_old_identity_gets_the_offices_events(world) -> None:
    """Before: headquarters took the old identity for a database a restore replaced
    (it never imports again) and sent its laptop nothing of the new replica's."""
    w = world
    w.run("A:up B:up B:down B:up A:down A:up")
    a, b = w.laptops["A"], w.laptops["B"]
    assert b.replica_id != w.identity and a.replica_id == w.identity
    assert fork.copies_in_use(w.hq) == {w.identity: b.replica_id}
    (back,) = w.down(a)
    assert back.outcome == "merged" and back.events_new > 0
    assert progress.get_report(a, w.acts[2], S1).achievements == w.typed[w.acts[2]]


def test_headquarters_says_two_computers_share_an_identity(world) -> None:
    w = world
    w.run("A:up B:up B:down B:up")
    # a refused bundle and its repair look like a database that went back: nothing said
    assert sync_state(w.hq).shared_identities == ()
    w.run("A:down A:up")  # A imported HQ's bundle written after B's new identity
    b = w.laptops["B"]
    (line,) = sync_state(w.hq).shared_identities
    assert line == (
        f"ML: two computers write under one identity (replica {w.identity[:8]}, also "
        f"continued by replica {b.replica_id[:8]}): a database and its key file were "
        "copied to another computer; their work still arrives, but once the computer "
        f"still on replica {w.identity[:8]} has exported, set it up again from its own "
        f"setup bundle and export from it once more, then revoke key "
        f"{w.laptops['A'].meta('key_id')} (its old key: only replica {w.identity[:8]} is "
        "cut off)")
    assert ("Shared identity", line) in replica_status(w.hq).lines("en")


@pytest.fixture
def apart(hq, make_office, tmp_path: Path, monkeypatch):
    """``world``, with each laptop's write marks on its own computer."""
    w = TwoLaptops(hq, make_office, tmp_path, monkeypatch)
    yield w
    w.close()


def test_a_laptop_believes_headquarters_receipt_of_the_copys_events(apart) -> None:
    """B's bundle reached HQ first; HQ's receipt for it names more of the identity than
    A ever wrote, past A's own whole write mark. It is HQ's signed word, not an
    office's forged bundle (``replica.receipt_limit``): A goes on as a new replica and
    sends what it typed. (It was taken as forged: A was told so at every import, and
    what it typed never reached HQ.)"""
    w = apart
    a = w.laptops["A"]
    w.type("B", 3)  # (B wrote more events than A: HQ holds the identity past A's last)
    assert w.run("B:up") == [("B:up", "merged")]
    (down,) = w.down(a)
    assert down.outcome == "merged" and down.false_receipt == ""
    assert a.replica_id != w.identity
    # as a database that went back: refused, repaired by HQ's next bundle, sent again
    assert w.run("A:up A:down A:up") == [("A:up", "rejected"), ("A:down", "merged"),
                                         ("A:up", "merged")]
    for _round in range(2):
        w.run(ROUND)
    w.assert_converged()


@pytest.fixture
def went_back(hq, make_office, tmp_path: Path):
    """One computer whose database went back and was repaired, two rounds on: its old
    replica is never used again. Yields the world (``test_fork_repair.Forked``)."""
    from test_fork_repair import Forked

    world = Forked(hq, make_office, tmp_path)
    ml = world.ml
    try:
        assert world.refused.outcome == "rejected"
        for name in ("one", "two"):
            import_bundle(ml, export_to(hq, tmp_path, f"{name}-down", for_office="ML").path)
            assert import_bundle(hq, export_to(ml, tmp_path, f"{name}-up").path
                                 ).outcome == "merged"
        assert ml.replica_id != world.first_id  # renewed, and its own successor
        yield world
    finally:
        ml.close()


def test_a_database_that_went_back_is_not_said_to_be_two_computers(hq, went_back) -> None:
    """Nothing is said at HQ, the office's peers are as before, and the computer is
    not told it was copied."""
    assert fork.copies_in_use(hq) == {}
    assert sync_state(hq).shared_identities == ()
    assert sync_state(went_back.ml).continued_by == ""


def test_the_laptop_left_on_the_old_identity_is_told(world) -> None:
    """The laptop still under the old identity learns from headquarters' key registry
    that another computer continues it, and is told what to do; the repaired one, and
    a laptop before any of it, are told nothing."""
    w = world
    a, b = w.laptops["A"], w.laptops["B"]
    w.run("A:up B:up B:down B:up")
    assert sync_state(a).continued_by == "" and sync_state(b).continued_by == ""
    w.run("A:down")  # the registry now says that B's new replica continues A's identity
    assert sync_state(a).continued_by == b.replica_id
    assert sync_state(a).to_dict()["continued_by"] == b.replica_id
    assert sync_state(b).continued_by == ""
    text = (f"another computer writes under this computer's identity (replica "
            f"{b.replica_id[:8]} continues it): this database and its key file were copied "
            "to it; export what was typed here, then set this computer up again from a new "
            "setup bundle")
    assert ("Warning", text) in replica_status(a).lines("en")
    assert not [text for label, text in replica_status(b).lines("en")
                if text.startswith("another computer")]  # (B: the repair's line only)


def test_the_copy_set_up_again_and_its_old_key_revoked(world, make_office, capsys) -> None:
    """The advice followed to its end: the laptop left on the old identity exports, is
    set up again from a new setup bundle, and headquarters revokes the old identity's
    key. That cuts off the old identity alone: the laptop on the replica continuing it
    goes on, the shared identity is no longer said, and headquarters' bundles for the
    office stop carrying everything since the old identity's last receipt."""
    w = world
    w.run("A:up B:up B:down B:up A:down A:up")
    old, b = w.laptops["A"], w.laptops["B"]
    assert fork.copies_in_use(w.hq) == {w.identity: b.replica_id}
    old_key = old.meta("key_id")
    w.type("A", 3)
    assert w.run("A:up") == [("A:up", "merged")]  # what was typed there is at HQ
    new = make_office("ML")  # set up again from its own (new) setup bundle
    w.laptops["A"] = new
    try:
        # (before the revocation, which ends the office's enrolment tokens: the one
        # of its new setup bundle too, until its first bundle is taken)
        assert w.run("A:down A:up")[-1] == ("A:up", "merged")
        assert progress.get_report(new, w.acts[3], S1, "ML").achievements == \
            w.typed[w.acts[3]]
        # the line says which key to revoke: the old identity's
        assert old_key in sync_state(w.hq).shared_identities[0]
        assert main(["--db", str(w.hq.path), "keys", "revoke", old_key]) == 0
        said = capsys.readouterr().out
        assert said.strip() == (
            f"Revoked key {old_key}: only the computer still on replica {w.identity[:8]} "
            f"is cut off; the computer on replica {b.replica_id[:8]}, which continues it, "
            "goes on; the setup bundles written for ML no longer set up new computers (the "
            "revoked one may hold them): write a new one for any computer of ML still to be "
            "set up")
        info = keys.all_keys(w.hq)[old_key]
        assert (info.status, info.scope) == ("revoked", keys.REPLICA_ALONE)
        assert fork.copies_in_use(w.hq) == {}
        assert sync_state(w.hq).shared_identities == ()
        assert sync_state(w.hq).shared_records == ()
        assert not [label for label, _text in replica_status(w.hq).lines("en")
                    if label == "Shared identity"]
        w.type("A", 4)
        w.type("B", 5)
        counts = []
        for round_ in range(4):
            said = w.run("A:up B:up AB:down")
            assert {outcome for _step, outcome in said} == {"merged"}
            counts.append(export_to(w.hq, w.tmp, w._name(), for_office="ML").events)
            if round_ == 0:
                # a key HQ has not registered yet: the revocation of the copy it
                # continues does not make it say revoked, nor refuse a rotation
                keys.rotate_key(b)
                assert keys.own_key_status(b) == "unregistered"
        # nothing more is typed: what HQ sends the office stops growing, to the old
        # identity's revocation alone (for the database left on it to learn it)
        assert counts[-1] <= counts[-2] and counts[-1] == 1
        w.assert_converged()
        # the computer on the replica continuing it: not revoked, its bundles merge
        assert keys.own_key_status(b) == "active" and not sync_state(b).key_revoked
        assert keys.revoked_replica(w.hq, b.replica_id) is None
        assert keys.revoked_replica(w.hq, w.identity) is not None
        # the old database itself is cut off
        progress.record_progress(old, w.acts[6], S1, status="on-track", percent=5)
        refused = import_bundle(w.hq, export_to(old, w.tmp, w._name()).path)
        assert refused.outcome == "rejected" and "revoked" in refused.reason
    finally:
        old.close()


def test_a_restored_headquarters_revokes_the_copy_alone_again(world) -> None:
    """Headquarters put back from a backup taken before the revocation makes it again
    (``keys._revoke_again``), still of the copy alone."""
    from fieldplan import store

    w = world
    w.run("A:up B:up B:down B:up A:down A:up")
    old_key = w.laptops["A"].meta("key_id")
    path = w.hq.path
    backup = store.backup(w.hq.conn, path, "manual")
    assert revoke_key(w.hq, old_key).spared == w.laptops["B"].replica_id
    w.hq.close()
    store.restore_backup(path, backup, force=True)
    w.hq = open_replica(path)
    try:
        assert sync_state(w.hq).restored["revoked_again"] == [old_key]
        info = keys.all_keys(w.hq)[old_key]
        assert (info.status, info.scope) == ("revoked", keys.REPLICA_ALONE)
        w.type("B", 3)
        assert w.run("B:up") == [("B:up", "merged")]
    finally:
        w.hq.close()


def test_revoking_a_replica_no_copy_of_which_is_in_use_cuts_off_its_computer(
        hq, went_back, tmp_path: Path) -> None:
    """Its old replica is no copy in use, so revoking its key cuts off the computer,
    as any revocation does."""
    ml = went_back.ml
    assert fork.copies_in_use(hq) == {}
    (old_key,) = [k.key_id for k in keys.all_keys(hq).values()
                  if k.replica == went_back.first_id]
    done = revoke_key(hq, old_key)
    assert done.spared == "" and keys.all_keys(hq)[old_key].scope == ""
    progress.record_progress(ml, went_back.acts[0], S1, status="at-risk", percent=1)
    refused = import_bundle(hq, export_to(ml, tmp_path, "three-up").path)
    assert refused.outcome == "rejected" and "revoked" in refused.reason


def test_the_laptop_headquarters_took_does_not_end_the_others_fork_record(world) -> None:
    """A's bundle taken, B's refused as a forked history: headquarters keeps the fork
    record until B is repaired. A's next bundle (new work, merged) names the
    replica's events up to where headquarters holds them, as a repaired computer's
    receipt does, and it ended the record: headquarters' next bundle, which B
    imported, carried nothing to repair, and B's bundles were refused again, round
    after round while A kept sending."""
    assert world.run("A:up B:up") == [("A:up", "merged"), ("B:up", "rejected")]
    assert set(fork.held_forks(world.hq)) == {world.identity}
    world.type("A", 3)
    assert world.run("A:up") == [("A:up", "merged")]
    assert set(fork.held_forks(world.hq)) == {world.identity}
    assert world.run("B:down B:up") == [("B:down", "merged"), ("B:up", "merged")]
    b = world.laptops["B"]
    assert b.replica_id != world.identity  # repaired: a new replica
    assert fork.held_forks(world.hq) == {}
    for _round in range(2):
        world.run(ROUND)
    world.assert_converged()
