"""Structured fuzzing of plan documents: the built-in plan as a dict (as plan files,
plan records of HQ's bundles and setup bundles hold it), one or a few values anywhere
in it replaced by a value of another type, a huge or odd one, or taken out; then read
(plan_from_dict), written back in each format and read again. A plan either reads or
is refused with a PlanError of one line.

    .venv/bin/python -m tests.plan_fuzz [--examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import copy
import sys
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from fieldplan.errors import PlanError
from fieldplan.plan import (
    default_plan,
    format_plan,
    parse_plan_text,
    plan_from_dict,
    plan_to_dict,
)
from tests.bundle_fuzz import json_value

BASE = plan_to_dict(default_plan())


def paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, (*prefix, i))


ALL = list(paths(BASE))[1:]


#: values of the kind a leaf already holds, for changes a plan may well pass
ALIKE = {
    str: ["", " ", "x" * 2000, "A\nB", "\u202eabc", "=HYPERLINK(\"x\")", "é" * 300, "ـ",
          "2025-06-21", "2027-12-31", "2025-01-01", "2099-12-31", "1900-02-29", "PA1.1",
          "PA9.99", "national", "regional", "global", "joint", "%", "<b>&amp;</b>",
          "\U0001F600", "ﷺ", "مرحبا abc ١٢٣"],
    int: [0, 1, -1, 2, 10**15, -(10**15), 10**12 + 1, 999999999],
    float: [0.0, 0.5, -0.5, 1e15, 1e-300, 123456789.123456789],
    bool: [True, False],
}


def changed(doc, steps):
    doc = copy.deepcopy(doc)
    for n, value, drop in steps:
        path = ALL[n % len(ALL)]
        at = doc
        try:
            for k in path[:-1]:
                at = at[k]
            old = at[path[-1]]
            if type(old) in ALIKE and n % 3:  # (two in three: a value of its kind)
                choices = ALIKE[type(old)]
                value = choices[(n // 3) % len(choices)]
            if drop and isinstance(at, dict):
                at.pop(path[-1], None)
            elif drop and isinstance(at, list) and path[-1] < len(at):
                at.pop(path[-1])
            else:
                at[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    return doc


def cli(db: Path, *argv: str) -> tuple[int, str]:
    import contextlib
    import io

    from fieldplan.cli import main as run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["--db", str(db), *argv])
    return code, err.getvalue()


def check_in_world(plan, world: Path, work: Path) -> None:
    """The plan put in at HQ (plan import) in a world with reports, then every command
    that reads it, a bundle for an office and its import there: each works or says
    in one line why not."""
    import shutil

    # a folder of its own each time: this computer's write mark (fieldplan.writemark)
    # of a database at the same path would take the next copy for one gone back
    work = work / f"n{len(list(work.iterdir()))}"
    work.mkdir()
    for name in ("hq-merged.sqlite3", "hq-merged.sqlite3.key"):
        shutil.copy2(world / name, work / name.replace("-merged", ""))
    (work / "offices").mkdir()
    for name in ("BN.sqlite3", "BN.sqlite3.key"):
        shutil.copy2(world / "offices" / name, work / "offices" / name)
    hq, bn = work / "hq.sqlite3", work / "offices" / "BN.sqlite3"
    import dataclasses

    plan = dataclasses.replace(plan, version=plan.version + 1)  # (an amendment)
    (work / "plan.json").write_text(format_plan(plan, "json"), encoding="utf-8")
    code, err = cli(hq, "plan", "import", str(work / "plan.json"))
    assert code in (0, 1) and len(err.splitlines()) <= 3 and "internal error" not in err, err
    if code:
        return
    for argv in (["status"], ["actions"], ["progress", "list"], ["digest"],
                 ["data", "export", "--format", "xlsx", "-o", str(work / "t.xlsx")],
                 ["report", "review", "--period", "2026-S1", "-o", str(work / "r.pdf")],
                 ["export", "--for", "BN", "-o", str(work / "to-BN.fieldplan")]):
        code, err = cli(hq, *argv)
        assert code == 0 and "internal error" not in err, (argv, err)
    code, err = cli(bn, "import", str(work / "to-BN.fieldplan"))
    assert code == 0 and "internal error" not in err, ("import at BN", err)
    for argv in (["status"], ["actions"], ["progress", "list"],
                 ["report", "sheet", "--period", "2026-S1", "-o", str(work / "s.pdf")]):
        code, err = cli(bn, *argv)
        assert code == 0 and "internal error" not in err, ("BN", argv, err)


def check(steps, world: Path | None = None, work: Path | None = None) -> None:
    doc = changed(BASE, steps)
    try:
        plan = plan_from_dict(doc, source="fuzz")
    except PlanError as exc:
        assert "\n" not in str(exc), str(exc)
        return
    for fmt in ("json", "toml", "csv"):
        text = format_plan(plan, fmt)
        try:
            again = parse_plan_text(text, fmt, f"fuzz.{fmt}")
        except PlanError as exc:
            raise AssertionError(f"{fmt}: a plan read is refused once written: {exc}") from exc
        assert plan_to_dict(again) == plan_to_dict(plan) or fmt == "csv", fmt
    if world is not None:
        check_in_world(plan, world, work)


steps_st = st.lists(st.tuples(st.integers(0, 10**6), json_value, st.booleans()),
                    min_size=1, max_size=4)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deep", action="store_true",
                    help="each plan read is put in at a demo HQ, then sent to an office")
    args = ap.parse_args()
    import tempfile

    tmp = Path(tempfile.mkdtemp())
    world = work = None
    if args.deep:
        from tests.bundle_fuzz import make_world

        world, work = make_world(tmp / "world"), tmp / "work"
        work.mkdir()

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(steps=steps_st)
    def run(steps):
        check(steps, world, work)

    try:
        seed(args.seed)(run)()
    except Exception:
        traceback.print_exc()
        return 1
    print(f"{args.examples} examples, no problem found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
