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


def changed(doc, steps):
    doc = copy.deepcopy(doc)
    for n, value, drop in steps:
        path = ALL[n % len(ALL)]
        at = doc
        try:
            for k in path[:-1]:
                at = at[k]
            if drop and isinstance(at, dict):
                at.pop(path[-1], None)
            elif drop and isinstance(at, list) and path[-1] < len(at):
                at.pop(path[-1])
            else:
                at[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    return doc


def check(steps) -> None:
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


steps_st = st.lists(st.tuples(st.integers(0, 10**6), json_value, st.booleans()),
                    min_size=1, max_size=4)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(steps=steps_st)
    def run(steps):
        check(steps)

    try:
        seed(args.seed)(run)()
    except Exception:
        traceback.print_exc()
        return 1
    print(f"{args.examples} examples, no problem found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
