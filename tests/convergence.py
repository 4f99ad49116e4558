"""A seeded random simulation of headquarters and its offices' laptops exchanging
bundles, to check that they converge whatever the order of events.

HQ and three offices (two or three laptops each) record progress, submit and reopen
reports, lock periods, export and import bundles (late, twice, out of order), settle
conflicts, rotate and revoke keys, set up new laptops, restore laptops (and HQ) from
their backups and amend the plan. Then everyone exchanges bundles until nothing
moves, and the simulation checks that:

- each office's digest, open conflicts and period locks are the same on every active
  laptop as at HQ, and so is what the plan's amendments added (``Plan.added``) unless
  HQ was restored (the plan versions it lost stay in the offices' histories: a known
  edge, said in the issue notes);
- every database passes ``PRAGMA integrity_check``;
- no bundle was refused or quarantined but those of a revoked computer (or that a
  revocation left to a person's check);
- once a person settles every conflict, none is left anywhere (but on reports the
  plan hides, which are neither edited nor reopened).

The test suite runs a few seeds (tests/core/test_convergence.py); run more on demand:

    .venv/bin/python -m tests.convergence --seeds 100-139 --steps 80 \\
        --kinds amend=3,newlap=1,rotate=1,restore=1,revoke=1

``--kinds`` sets the weights of the rarer steps (0 by default): rotate, newlap,
revoke, restore (a laptop), hq_restore, amend. A revoked laptop's events that an HQ
restore lost come back only with that laptop's own bundles, imported again (as the
README advises; its siblings hold them too, but send their own only): the simulation
imports them all, so they never stay on a sibling alone (seeds 755 and 823, 80 steps,
amend=3,newlap=1,rotate=1,restore=1,revoke=1,hq_restore=1, found HQ revoking a laptop
after a restore had lost its events: tests/core/test_revoked_after_restore.py).
``--log`` prints each run's steps.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldplan import events, i18n, minisign, progress, store
from fieldplan.errors import ValidationError
from fieldplan.plan import dump_plan
from fieldplan.planops import replace_plan
from fieldplan.replica import Replica, init_hq, open_replica
from fieldplan.sync import (
    enroll_office,
    export_bundle,
    import_bundle,
    init_from_setup,
    list_conflicts,
    resolve_conflict,
    revoke_key,
    rotate_key,
    sync_state,
    trust_key,
)
from fieldplan.sync.conflicts import keep_refusal
from fieldplan.sync.exchange import import_bundles

OFFICES = ("ML", "SN", "TR")
ACTIONS = ("PA1.1", "PA1.2", "PA2.1")
PERIODS = ("2026-S1", "2026-S2")
STATUSES = ("on-track", "at-risk", "off-track", "completed")
#: The weights of the steps; the rarer ones are 0 unless asked for.
WEIGHTS = {"edit": 30, "submit": 6, "reopen": 6, "lock": 4, "export_office": 14,
           "export_hq": 10, "import": 10, "resolve": 5, "rotate": 0, "newlap": 0,
           "revoke": 0, "restore": 0, "hq_restore": 0, "amend": 0}
#: The amendments, each of the signed plan as first installed.
AMENDMENTS = {
    "drop": {"drop": ("PA1.2",)},
    "regional": {"regional": ("PA2.1",)},
    "back": {},
    "add": {"add": ("PA1.9",), "add_indicators": (("PA1.2", "new-count"),)},
    "add2": {"add": ("PA3.9",), "add_indicators": (("PA1.3", "new-two"),)},
}
#: Quarantine reasons of HQ's that a person checks and then trusts the key (the
#: README's advice when a revocation ended an enrolment, when a laptop first sends
#: after its setup bundle expired, or after HQ's restore).
TRUSTED_AFTER_A_CHECK = ("enrolment was ended", "enrolment expired",
                         "not written by this headquarters", "does not know its setup bundle",
                         "knows no enrolment")
START = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)


@dataclasses.dataclass
class Result:
    """What a run found (``problems``: empty when everything converged) and did."""

    seed: int
    problems: list[str]
    log: list[str]


class World:
    """HQ and the offices' laptops, in a folder, by name ("HQ", "ML0", "SN2"...)."""

    def __init__(self, root: Path, laptops: tuple[int, ...], clock: list[int]) -> None:
        self.root, self.clock = root, clock
        self.reps: dict[str, Replica] = {"HQ": init_hq(root / "hq.sqlite3")}
        self.office_of = {"HQ": "HQ"}
        self.laptops: dict[str, list[str]] = {office: [] for office in OFFICES}
        self.bundles: dict[Any, tuple[Path, str, str]] = {}  # ref → (file, sender, to)
        self.sender_of: dict[str, str] = {}
        self.log: list[str] = []
        self.bad: list[str] = []  # bundles refused or quarantined unexpectedly
        self.revoked: set[str] = set()
        self.hq_restored = False
        self.counter = 0
        # the signed plan's text over the built-in template (a correction): the
        # amendments after it add actions with a semester of their own
        self.amend("back")
        for office, n in zip(OFFICES, laptops, strict=True):
            for _ in range(n):
                self.add_laptop(office)

    @property
    def hq(self) -> Replica:
        return self.reps["HQ"]

    def note(self, *parts: object) -> None:
        self.log.append(" ".join(str(p) for p in parts))

    def active(self, office: str) -> list[str]:
        return [lap for lap in self.laptops[office] if lap not in self.revoked]

    def close(self) -> None:
        for rep in self.reps.values():
            rep.close()

    def add_laptop(self, office: str) -> str:
        name = f"{office}{len(self.laptops[office])}"
        setup = self.root / f"{name}-setup.fieldplan"
        enroll_office(self.hq, office, setup)
        self.reps[name] = init_from_setup(self.root / f"{name}.sqlite3", setup)
        self.office_of[name] = office
        self.laptops[office].append(name)
        return name

    def amend(self, how: str) -> None:
        from tests.scenes import amended

        if not hasattr(self, "first_plan"):
            self.first_plan = self.hq.plan()
        new = amended(self.first_plan, signed=True, **AMENDMENTS[how])
        new = dataclasses.replace(new, version=self.hq.plan().version + 1)
        self.counter += 1
        path = self.root / f"plan-{self.counter}.json"
        dump_plan(new, path)
        self.clock[0] += 60 * 86400 * 1000  # amendments a semester or so apart
        replace_plan(self.hq, path, allow_hiding=True)

    def export(self, name: str, office: str | None = None, ref: Any = None) -> Path:
        self.counter += 1
        folder = self.root / "out" / str(self.counter)
        folder.mkdir(parents=True)
        result = export_bundle(self.reps[name], for_office=office, out_dir=folder)
        self.sender_of[str(result.path)] = name
        self.bundles[ref if ref is not None else ("c", self.counter)] = (
            result.path, name, office or "HQ")
        self.note("export", name, "->", office or "HQ", result.events, result.path.name)
        return result.path

    def receive(self, name: str, path: Path, why: str = "") -> None:
        out = import_bundle(self.reps[name], path)
        self.note("import", name, path.name, out.outcome, out.reason, why)
        if out.outcome not in ("rejected", "quarantined"):
            return
        sender = self.sender_of.get(str(path), "")
        if (out.outcome == "quarantined" and name == "HQ"
                and any(words in out.reason for words in TRUSTED_AFTER_A_CHECK)):
            for o in trust_key(self.hq, out.fingerprint):
                self.note("   trusted after a check:", o.outcome, o.reason)
        elif name not in self.revoked and sender not in self.revoked:
            self.bad.append(f"{name} {out.outcome} {path.name} from {sender} ({why}): "
                            f"{out.reason}")

    def make_again(self) -> None:
        """(after HQ's restore) the locks its status says were lost, made again."""
        restored = sync_state(self.hq).restored or {}
        for item in restored.get("lost_changes") or []:
            fields = item.get("fields") or {}
            if item.get("made_again") or item.get("entity") != "lock" or "locked" not in fields:
                continue
            with contextlib.suppress(ValidationError):
                progress.set_period_lock(self.hq, item["id"], bool(fields["locked"]))

    def settle(self, rounds: int = 3) -> None:
        """Everyone exchanges bundles, ``rounds`` times."""
        for _ in range(rounds):
            sent = [self.export(lap) for office in self.laptops for lap in self.active(office)]
            for path in sent:
                self.receive("HQ", path, "settle")
            # how HQ gets a revoked laptop's events back after a restore (README)
            old = [p for p, sender, to in self.bundles.values()
                   if to == "HQ" and sender in self.revoked]
            if old:
                import_bundles(self.hq, old)
            self.make_again()
            for office in self.laptops:
                path = self.export("HQ", office)
                for lap in self.active(office):
                    self.receive(lap, path, "settle")

    def step(self, i: int, st: tuple) -> None:
        kind, args = st[0], st[1:]
        try:
            getattr(self, f"_{kind}")(i, *args)
        except ValidationError as exc:  # what the app refuses a person: said, not a fault
            self.note(i, "refused", st, exc)

    def _edit(self, i: int, lap: str, action: str, period: str, field: str, value) -> None:
        progress.record_progress(self.reps[lap], action, period, **{field: value})
        self.note(i, "edit", lap, action, period, field, value)

    def _submit(self, i: int, lap: str, period: str) -> None:
        progress.submit_period(self.reps[lap], period)
        self.note(i, "submit", lap, period)

    def _reopen(self, i: int, lap: str, action: str, period: str) -> None:
        progress.reopen_report(self.reps[lap], action, period)
        self.note(i, "reopen", lap, action, period)

    def _lock(self, i: int, period: str, locked: bool) -> None:
        progress.set_period_lock(self.hq, period, locked)
        self.note(i, "lock", period, locked)

    def _export_office(self, i: int, lap: str, now: bool) -> None:
        path = self.export(lap, ref=i)
        if now:
            self.receive("HQ", path, f"step {i}")

    def _export_hq(self, i: int, office: str, lap: str | None) -> None:
        path = self.export("HQ", office, ref=i)
        if lap is not None:
            self.receive(lap, path, f"step {i}")

    def _import(self, i: int, ref: int, pick: int) -> None:
        if ref not in self.bundles:
            return
        path, _sender, to = self.bundles[ref]
        target = "HQ" if to == "HQ" else self.laptops[to][pick % len(self.laptops[to])]
        self.receive(target, path, f"step {i}: late or again, of {ref}")

    def _resolve(self, i: int, name: str, pick: int) -> None:
        rep = self.reps[name]
        found = [c for c in list_conflicts(rep) if c.resolvable_by(self.office_of[name])]
        if not found:
            return
        c = found[pick % len(found)]
        keep = [x for x in c.candidates if not keep_refusal(c, x)]
        if keep:
            chosen = keep[(pick // 7) % len(keep)]
            resolve_conflict(rep, c.id, chosen.value_id)
            self.note(i, "resolve", name, c.entity_id, c.field, "keep", chosen.value)

    def _newlap(self, i: int, office: str) -> None:
        self.note(i, "newlap", self.add_laptop(office))

    def _revoke(self, i: int, lap: str) -> None:
        if lap in self.revoked or len(self.active(self.office_of[lap])) < 2:
            return
        revoke_key(self.hq, self.reps[lap].meta("key_id"))
        self.revoked.add(lap)
        self.note(i, "revoke", lap)

    def _restore(self, i: int, name: str, pick: int) -> None:
        if name in self.revoked:
            return
        path = self.reps[name].path
        backups = store.list_backups(path)
        if not backups:
            return
        chosen = backups[pick % len(backups)]
        self.reps[name].close()
        store.restore_backup(path, chosen, force=True)
        self.reps[name] = open_replica(path)
        self.hq_restored = self.hq_restored or name == "HQ"
        self.note(i, "restore", name, chosen.name)

    def _amend(self, i: int, how: str) -> None:
        self.amend(how)
        self.note(i, "amend", how, "version", self.hq.plan().version)

    def _rotate(self, i: int, name: str) -> None:
        if name not in self.revoked:
            rotate_key(self.reps[name])
            self.note(i, "rotate", name)


def make_steps(rng: random.Random, laptops: dict[str, list[str]], n: int,
               weights: dict[str, int]) -> list[tuple]:
    """``n`` random steps on the laptops set up first."""
    laps = [lap for names in laptops.values() for lap in names]
    kinds = list(weights)
    steps: list[tuple] = []
    exports: list[int] = []
    for i in range(n):
        kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
        if kind == "edit" or (kind == "import" and not exports):
            field = rng.choice(("status", "percent", "achievements"))
            value = {"status": rng.choice(STATUSES), "percent": rng.choice((10, 20, 50, 90)),
                     "achievements": rng.choice(("a", "b", "c"))}[field]
            steps.append(("edit", rng.choice(laps), rng.choice(ACTIONS), rng.choice(PERIODS),
                          field, value))
        elif kind in ("submit", "reopen"):
            steps.append((kind, rng.choice(laps),
                          *((rng.choice(ACTIONS),) if kind == "reopen" else ()),
                          rng.choice(PERIODS)))
        elif kind == "lock":
            steps.append(("lock", rng.choice(PERIODS), rng.random() < 0.5))
        elif kind == "export_office":
            steps.append(("export_office", rng.choice(laps), rng.random() < 0.6))
            exports.append(i)
        elif kind == "export_hq":
            office = rng.choice(OFFICES)
            steps.append(("export_hq", office,
                          rng.choice(laptops[office]) if rng.random() < 0.6 else None))
            exports.append(i)
        elif kind == "import":
            steps.append(("import", rng.choice(exports), rng.randrange(1000)))
        elif kind == "resolve":
            steps.append(("resolve", rng.choice(laps), rng.randrange(1000)))
        elif kind == "rotate":
            steps.append(("rotate", rng.choice([*laps, "HQ"])))
        elif kind == "amend":
            steps.append(("amend", rng.choice(("drop", "regional", "back", "add", "add2",
                                               "add"))))
        elif kind == "newlap":
            steps.append(("newlap", rng.choice(OFFICES)))
        elif kind == "revoke":
            steps.append(("revoke", rng.choice(laps)))
        elif kind == "restore":
            steps.append(("restore", rng.choice(laps), rng.randrange(1000)))
        elif kind == "hq_restore":
            steps.append(("restore", "HQ", rng.randrange(1000)))
    return steps


def differences(world: World, when: str) -> list[str]:
    """Where an active laptop's view of its office differs from HQ's."""
    out = []
    hq = world.hq
    plan = hq.plan()
    locks = progress.locked_periods(hq)
    for office in OFFICES:
        digest = progress.digest(hq, office)
        conflicts = _conflicts(hq, office)
        for lap in world.active(office):
            rep = world.reps[lap]
            if progress.digest(rep) != digest:
                out.append(f"[{when}] digest of {office} differs on {lap}")
            if _conflicts(rep, office) != conflicts:
                out.append(f"[{when}] conflicts of {office} differ on {lap}: "
                           f"{_conflicts(rep, office)} vs HQ's {conflicts}")
            if progress.locked_periods(rep) != locks:
                out.append(f"[{when}] locks differ on {lap}")
            mine = rep.plan()
            if not world.hq_restored and (mine.added, mine.added_values) != (
                    plan.added, plan.added_values):
                out.append(f"[{when}] what amendments added differs on {lap}: "
                           f"{mine.added} {mine.added_values} vs HQ's {plan.added} "
                           f"{plan.added_values}")
    return out


def _conflicts(rep: Replica, office: str) -> dict[str, tuple]:
    return {c.id: (c.entity_id, c.field, tuple(sorted(
        (x.full_id, repr(x.value)) for x in c.candidates)))
        for c in list_conflicts(rep) if c.office == office}


def settle_every_conflict(world: World) -> None:
    """A person settles every conflict: HQ unlocks the periods, a laptop of each
    office reopens what is submitted and keeps the first value it may keep."""
    for period in PERIODS:
        with contextlib.suppress(ValidationError):
            progress.set_period_lock(world.hq, period, False)
    world.settle(1)
    for office in OFFICES:
        lap = world.active(office)[0]
        rep = world.reps[lap]
        for _ in range(3):
            for c in [c for c in list_conflicts(rep) if c.office == office]:
                with contextlib.suppress(ValidationError):
                    if c.submitted and c.field != "state":
                        progress.reopen_report(rep, c.action, c.period)
                    fresh = [x for x in list_conflicts(rep) if x.id == c.id]
                    keep = [x for x in fresh[0].candidates
                            if not keep_refusal(fresh[0], x)] if fresh else []
                    if keep:
                        resolve_conflict(rep, c.id, keep[0].value_id)
    world.settle(3)


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[list[int]]:
    """Replica and bundle ids and key pairs from the seed, and a clock from 2 February
    2026 moving 5 ms at each reading (its list: a step may move it on): a run is the
    same run each time."""
    ids = random.Random(seed * 7919 + 1)
    clock = [int(START.timestamp() * 1000)]

    def wall_ms() -> int:
        clock[0] += 5
        return clock[0]

    saved = uuid.uuid4, events.wall_ms, minisign.generate_key
    uuid.uuid4 = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
    events.wall_ms = wall_ms
    minisign.generate_key = lambda: minisign.SecretKey.from_seed(ids.randbytes(32))
    try:
        yield clock
    finally:
        uuid.uuid4, events.wall_ms, minisign.generate_key = saved


def run(seed: int, steps: int = 80, kinds: dict[str, int] | None = None,
        folder: Path | None = None) -> Result:
    """One run (see the module's docstring); in a temporary folder unless given."""
    rng = random.Random(seed)
    weights = {**WEIGHTS, **(kinds or {})}
    problems: list[str] = []
    with contextlib.ExitStack() as stack:
        clock = stack.enter_context(seeded(seed))
        root = folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        world = World(root, tuple(rng.choice((2, 3)) for _ in OFFICES), clock)
        stack.callback(world.close)
        try:
            for i, st in enumerate(make_steps(rng, world.laptops, steps, weights)):
                world.step(i, st)
            world.settle(3)
            problems += differences(world, "settled")
            for name, rep in world.reps.items():
                check = rep.conn.execute("PRAGMA integrity_check").fetchone()[0]
                if check != "ok":
                    problems.append(f"integrity of {name}: {check}")
            settle_every_conflict(world)
            problems += differences(world, "settled by a person")
            for name, rep in world.reps.items():
                # (but on reports the plan hides, which are not edited: kept as they are)
                left = [(c.entity_id, c.field) for c in list_conflicts(rep) if not c.hidden]
                if left and name not in world.revoked:
                    problems.append(f"conflicts left on {name}: {left}")
        except Exception:  # (a fault of the app: said with where it happened)
            problems.append(traceback.format_exc())
        problems += world.bad
        return Result(seed, problems, world.log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.convergence",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-9", help="a seed, or a range: 100-139")
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--kinds", default="", help="weights: amend=3,hq_restore=1")
    parser.add_argument("--log", action="store_true", help="print each run's steps")
    args = parser.parse_args(argv)
    i18n.set_language("en")  # (the reasons are read in English)
    first, _, last = args.seeds.partition("-")
    kinds = {k: int(v) for k, v in (kv.split("=") for kv in args.kinds.split(",") if kv)}
    unknown = set(kinds) - set(WEIGHTS)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    failed = 0
    for seed in range(int(first), int(last or first) + 1):
        t0 = time.perf_counter()
        result = run(seed, args.steps, kinds)
        failed += bool(result.problems)
        print(f"seed {seed}: {'FAIL' if result.problems else 'ok'} "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
        if args.log:
            print("\n".join("    " + line for line in result.log))
        for problem in result.problems[:6]:
            print("    " + problem[:1500].replace("\n", "\n    "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
