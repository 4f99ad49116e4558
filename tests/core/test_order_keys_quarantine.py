"""Any order of an office's bundles, with duplicates, imported at headquarters as one
lot (``import_bundles``) gives the same data, on edges the other order tests miss:
a laptop whose key was rotated twice between its bundles (its earlier keys retired
by whichever bundle comes first), a laptop whose first bundles wait in quarantine
until a later one registers its key (brought out of quarantine in the middle of the
lot, or merged at once when that one comes first), conflicts of two laptops, and a
period headquarters locked before any of it came."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from progress_check import expected_progress, materialised_progress
from scenes import forget_write_marks

from fieldplan import bundle as bundlefmt
from fieldplan import events, progress, store
from fieldplan.replica import init_hq, open_replica
from fieldplan.sync import (
    enroll_office,
    export_bundle,
    init_from_setup,
    list_conflicts,
    list_quarantine,
    rotate_key,
)
from fieldplan.sync import keys as keyreg
from fieldplan.sync.exchange import import_bundles, outcome_counts
from fieldplan.sync.export import enrolment_proof


def _proof_only(rep, path: Path) -> Path:
    """A bundle of ``rep`` of no events, carrying its enrolment proof alone."""
    fields = {"kind": "sync", "plan_id": rep.plan_id, "sender": rep.replica_id,
              "office": rep.office, "recipient": "HQ", "ranges": {}, "acks": {},
              "enrolment": enrolment_proof(rep, keyreg.public_key(rep))}
    bundlefmt.write_bundle(path, fields, [], keyreg.secret_key(rep))
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keysworld")
    hq = init_hq(tmp / "hq.sqlite3")
    reps = {}
    for name, code in (("rot", "ML"), ("late", "ML"), ("sn1", "SN"), ("sn2", "SN")):
        enroll_office(hq, code, tmp / f"{name}.setup")
        reps[name] = init_from_setup(tmp / f"{name}.sqlite3", tmp / f"{name}.setup")
    progress.set_period_lock(hq, "2026-S1")
    hq.close()
    clean = tmp / "hq-clean.sqlite3"
    shutil.copy(tmp / "hq.sqlite3", clean)
    shutil.copy(tmp / "hq.sqlite3.key", tmp / "hq-clean.sqlite3.key")
    out = tmp / "bundles"
    out.mkdir()
    acts = [a.code for a in reps["rot"].plan().actions_of(level="national")[:3]]
    bundles: list[Path] = []
    # a laptop that rotates its key twice, each bundle sent before any receipt came
    rot = reps["rot"]
    for i in range(3):
        progress.record_progress(rot, acts[i], "2026-S2", status="on-track", percent=10 * i)
        bundles.append(export_bundle(rot, out_dir=out).path)
        if i < 2:
            rotate_key(rot)
    # a laptop whose bundles carry no proof of its setup bundle (quarantined), then
    # one that does
    late = reps["late"]
    proof = late.meta("enrolment")
    with store.write_transaction(late.conn):
        late.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    for i in range(2):
        progress.record_progress(late, acts[i], "2026-S2", status="at-risk", percent=40 + i,
                                 achievements=f"late {i}")
        bundles.append(export_bundle(late, out_dir=out).path)
    with store.write_transaction(late.conn):
        events.set_meta(late.conn, "enrolment", proof)
    bundles.append(_proof_only(late, out / "late-proof.fieldplan"))
    # two laptops of SN writing the same fields, into the period HQ locked
    for name in ("sn1", "sn2"):
        for i in range(2):
            progress.record_progress(reps[name], acts[0], "2026-S1",
                                     status=["on-track", "off-track"][i],
                                     percent=50 + i, achievements=f"{name} {i}")
            bundles.append(export_bundle(reps[name], out_dir=out).path)
    for rep in reps.values():
        rep.close()
    return clean, bundles, tmp


def _import_all(clean: Path, files: list[Path], target: Path):
    shutil.copy(clean, target)
    shutil.copy(str(clean) + ".key", str(target) + ".key")
    forget_write_marks()  # (each copy starts from the clean one: none went back)
    with open_replica(target) as rep:
        outcomes = import_bundles(rep, files)
        counts = outcome_counts(outcomes)
        assert set(counts) <= {"merged", "duplicate"}, [o.line() for o in outcomes]
        assert list_quarantine(rep) == []
        assert materialised_progress(rep) == expected_progress(rep)
        keys = sorted((k.public_key, k.status) for k in keyreg.all_keys(rep).values())
        state = (progress.digest(rep, "ML"), progress.digest(rep, "SN"),
                 # (the offices' events: headquarters' own key records differ in
                 # number, a rotation seen whole or step by step, to the same registry)
                 rep.conn.execute("SELECT count(*) FROM events WHERE origin != ?",
                                  (rep.replica_id,)).fetchone()[0], keys,
                 [c.to_dict() for c in list_conflicts(rep)],
                 progress.locked_periods(rep))
    for p in target.parent.glob(target.name + "*"):
        p.unlink()
    return state


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_any_order_of_rotations_and_released_bundles_gives_the_same_data(world,
                                                                          data) -> None:
    clean, bundles, tmp = world
    order = list(data.draw(st.permutations(bundles)))
    extra = data.draw(st.lists(st.sampled_from(bundles), max_size=4))
    for spot, again in enumerate(extra):  # duplicates anywhere in the lot
        order.insert(data.draw(st.integers(0, len(order)), label=f"spot {spot}"), again)
    first = _import_all(clean, bundles, tmp / f"hq-{os.getpid()}-a.sqlite3")
    then = _import_all(clean, order, tmp / f"hq-{os.getpid()}-b.sqlite3")
    assert first == then
    assert first[4], "the two SN laptops wrote the same fields: conflicts are kept"
