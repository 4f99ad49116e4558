"""A seeded random run of one office's three laptops writing the same reports, each
settling their conflicts (keeping a value, or a narrative's texts together) while
the others do too, unseen, with bundles through headquarters sent late, twice and out
of order. Whatever the order, every computer ends with the same winner of each field
(the same version, not only the same value), the same open conflicts, and the same
state derived again from its log alone; once a person settles what is left, no
conflict is left anywhere. (tests/convergence.py runs the whole world; conflicts
arise there mostly at its end, settled by one laptop: here laptops settle them
concurrently, as two people at two desks do.)"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from fieldplan import events, progress, store
from fieldplan.errors import ValidationError
from fieldplan.progress import report_id
from fieldplan.sync import list_conflicts, resolve_conflict
from fieldplan.sync.conflicts import keep_refusal, keep_texts_together, texts_kept
from tests import convergence
from tests.convergence import World, differences, seeded

ACTIONS = ("PA1.1", "PA1.2")
PERIOD = "2026-S1"
VALUES = {
    "status": ("on-track", "at-risk", "off-track"),
    "percent": (10, 40, 90),
    # texts in two scripts, one holding another whole
    "achievements": ("Atelier tenu à Bamako.", "ورشة عمل في باماكو.", "Consultations in Kayes.",
                     "Atelier tenu à Bamako.\nConsultations in Kayes."),
}
STEPS = {"edit": 10, "send": 5, "tell": 5, "late": 2, "settle": 12, "submit": 1, "reopen": 1}


def winners(rep) -> dict[str, dict[str, tuple]]:
    """Each report's fields, each with its winning value and the version holding it."""
    return {action: events.entity_state(rep.conn, "progress",
                                        report_id("ML", action, PERIOD), with_ids=True)
            for action in ACTIONS}


def settle_as_people_do(world: World, rng: random.Random, name: str, both: bool) -> None:
    """A person on laptop ``name`` settles one of its open conflicts as shown: keeps one
    of its values, or (``both``) a narrative's texts together."""
    rep = world.reps[name]
    found = [c for c in list_conflicts(rep) if c.resolvable_by("ML")]
    if not found:
        return
    # (Keep both: of a narrative whose texts it keeps, when there is one)
    texts = [c for c in found if both and texts_kept(c)]
    conflict = rng.choice(texts or found)
    if texts:
        keep_texts_together(rep, conflict.id, conflict)
        world.note("settled: keep both", name, conflict.entity_id, texts_kept(conflict))
        return
    keep = [c for c in conflict.candidates if not keep_refusal(conflict, c)]
    if keep:
        chosen = rng.choice(keep)
        resolve_conflict(rep, conflict.id, chosen.value_id, conflict)
        world.note("settled: keep", name, conflict.entity_id, conflict.field, chosen.value)


def run(seed: int, steps: int, folder: Path) -> list[str]:
    """One run (with ``convergence.OFFICES`` ML alone); the problems found."""
    rng = random.Random(seed)
    problems: list[str] = []
    with seeded(seed) as clock:
        world = World(folder, (3,), clock)
        try:
            laptops = world.laptops["ML"]
            for i in range(steps):
                kind = rng.choices(list(STEPS), list(STEPS.values()))[0]
                lap = rng.choice(laptops)
                try:
                    if kind == "edit":
                        field = rng.choices(list(VALUES), (1, 1, 3))[0]
                        value = rng.choice(VALUES[field])
                        progress.record_progress(world.reps[lap], rng.choice(ACTIONS), PERIOD,
                                                 **{field: value})
                        world.note(i, "edit", lap, field, value)
                    elif kind == "send":
                        world.receive("HQ", world.export(lap, ref=i), f"step {i}")
                    elif kind == "tell":
                        world.receive(lap, world.export("HQ", "ML", ref=i), f"step {i}")
                    elif kind == "late" and world.bundles:
                        path, _sender, to = world.bundles[rng.choice(list(world.bundles))]
                        world.receive("HQ" if to == "HQ" else lap, path, f"step {i}: late")
                    elif kind == "settle":
                        settle_as_people_do(world, rng, lap, rng.random() < 0.5)
                    elif kind == "submit":
                        progress.submit_period(world.reps[lap], PERIOD)
                        world.note(i, "submit", lap)
                    elif kind == "reopen":
                        progress.reopen_report(world.reps[lap], rng.choice(ACTIONS), PERIOD)
                        world.note(i, "reopen", lap)
                except ValidationError as refused:  # (what the app refuses a person)
                    world.note(i, "refused", kind, lap, refused)
            world.settle(3)
            problems += differences(world, "settled")
            expected = winners(world.hq)
            for lap in laptops:
                if winners(world.reps[lap]) != expected:
                    problems.append(f"winners differ on {lap}: {winners(world.reps[lap])} "
                                    f"vs HQ's {expected}")
            # the same state derived again from the log alone (any order of imports)
            digest = progress.digest(world.hq, "ML")
            with store.write_transaction(world.hq.conn):
                events.rebuild(world.hq.conn)
            if progress.digest(world.hq, "ML") != digest or winners(world.hq) != expected:
                problems.append("HQ's state derived again from its log differs")
            # a person settles everything left, on one laptop
            first = world.reps[laptops[0]]
            for _round in range(6):
                for c in list_conflicts(first):
                    try:
                        if c.submitted and c.field != "state":
                            progress.reopen_report(first, c.action, c.period)
                        settle_as_people_do(world, rng, laptops[0], both=False)
                    except ValidationError as refused:
                        world.note("refused at the end", refused)
            world.settle(3)
            problems += differences(world, "settled by a person")
            for name, rep in world.reps.items():
                left = [(c.entity_id, c.field) for c in list_conflicts(rep)]
                if left:
                    problems.append(f"conflicts left on {name}: {left}")
        finally:
            world.close()
    return problems + world.bad + ([] if not problems else ["steps:", *world.log])


@pytest.mark.parametrize("seed", [1, 4, 11])
def test_laptops_settling_at_once_end_with_the_same_winners(seed: int, tmp_path,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(convergence, "OFFICES", ("ML",))  # (one office's laptops)
    problems = run(seed, 70, tmp_path)
    assert not problems, "\n".join(problems[:80])
