"""Fuzzing of the command line: argument lists drawn from the command table itself
(every command and subcommand, its options and positionals), given values at the
edges (empty, a dash, numbers of every kind, codes in other scripts, paths that are
folders, missing, the database itself, a damaged bundle, undecodable bytes), options
repeated, left without their value, unknown, or in the wrong place. Each run, against a
copy of a demo HQ or office database, must end as the CLI contract says: exit 0, or
an error of one line (exit 1), or a usage error (exit 2: the usage, then one line),
never a traceback or "internal error", within a bounded time; a refusal leaves the
database as it was (digest, event count).

    .venv/bin/python -m tests.cli_fuzz [--examples N] [--seed S]

tests/core/test_fuzz_inputs.py runs a few dozen of the same, derandomized.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: commands not run here: the desktop client, a whole demo world (slow, and its
#: own tests), restore (puts another file in the database's place: its own tests)
SKIP = {("gui",), ("demo",)}


def command_table() -> dict[tuple[str, ...], list[argparse.Action]]:
    from fieldplan.cli import build_parser

    table: dict[tuple[str, ...], list[argparse.Action]] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))
                return
        if path not in SKIP:
            table[path] = [a for a in parser._actions if a.dest != "help"]

    walk(build_parser(), ())
    return table


def values(world: Path) -> list[str]:
    return [
        "", " ", "-", "--", "-1", "0", "1", "100", "101", "1e308", "nan", "inf", "-0",
        "١٢", "١٠٠", "５０", "0x10", "1_000", "9" * 5000, "2026-S1", "2026-s1", "2099-S9",
        "2025-S3", "2026", "S1", "PA1.1", "PA9.9", "pa1.1", "PA1", "BN", "NG", "ZZ", "HQ",
        "bn", "ΜL", "بن", "ＢＮ", "x" * 5000, "a\nb", "\udcff", "\u202e", "%s", "{0}",
        "{name}", "KEY=1", "joint-statements=5", "joint-statements=1e308",
        "joint-statements=", "=", "en", "fr", "ar", "de", "csv", "xlsx", "pdf", "json",
        "a4", "letter", "A4", "on-track", "completed", "bogus", "2026-12-31", "2026-02-30",
        str(world / "missing.fieldplan"), str(world / "offices"), str(world / "hq.sqlite3"),
        str(world / "junk.fieldplan"), str(world / "bundles"), str(world / "plan.csv"),
        str(world / "plan.xlsx"), str(world / "empty.txt"), str(world / "out"),
        str(world / "out" / "x.pdf"), str(world / "out" / "x.csv"),
        str(world / "out" / "x.fieldplan"), str(world / "nodir" / "x.pdf"),
        "0000000000000000", "466940408A7D3939", "RWQ", "/", ".",
    ]


#: values an argument of this name well may be given: half the time one of these, so
#: that commands get past their usage checks to the core
LIKELY = {
    "period": ["2026-S1", "2025-S2", "2027-S2", "2099-S1", "2026-s1", "2024-S2"],
    "action": ["PA1.1", "PA2.3", "PA9.9", "pa1.1"],
    "office": ["BN", "NG", "UG", "ML", "HQ", "ZZ"],
    "code": ["ML", "SN", "BN", "HQ", "zz"],
    "for": ["BN", "NG", "ML", "ZZ"],
    "percent": ["0", "50", "100", "101", "-1", "50.5", "١٠"],
    "value": ["joint-statements=3", "joint-statements=-1", "nope=1", "joint-statements=1e308"],
    "area": ["PA1", "PA2", "PA9"],
    "deadline": ["2026-07-31", "2026-02-30", "31/07/2026"],
    "offices": ["1", "0", "-1", "400"],
}


def draw_argv(draw, table, pool) -> list[str]:
    path = draw(st.sampled_from(sorted(table)))
    actions = table[path]
    argv = list(path)
    for action in actions:
        if action.dest in ("db", "lang"):
            continue
        value = st.sampled_from(pool)
        if action.dest in LIKELY and draw(st.booleans()):
            value = st.sampled_from(LIKELY[action.dest])
        use = draw(st.integers(0, 3)) if not action.required else draw(st.integers(1, 6))
        if not action.option_strings:  # a positional
            if use:
                n = 1 if action.nargs in (None, "?") else draw(st.integers(1, 3))
                argv += [draw(value) for _ in range(n)]
            continue
        if use < 2:
            continue
        option = draw(st.sampled_from(action.option_strings))
        if action.nargs == 0:
            argv.append(option)
        elif action.choices and draw(st.booleans()):
            argv += [option, draw(st.sampled_from([str(c) for c in action.choices]))]
        elif draw(st.integers(0, 5)) == 0:
            argv.append(f"{option}={draw(value)}")
        else:
            argv += [option, draw(value)]
        if draw(st.integers(0, 6)) == 0:  # the option again
            argv += [option, draw(value)] if action.nargs != 0 else [option]
    for _ in range(draw(st.integers(0, 2))):  # noise anywhere
        where = draw(st.integers(0, len(argv)))
        noise = draw(st.sampled_from([["--bogus"], ["-x"], ["--json"], ["--lang", "fr"],
                                      ["--lang", "ar"], ["--lang"], ["--db"], ["--"],
                                      ["extra"], ["-h"], ["--per"], ["--o"], ["-o"]]))
        argv[where:where] = noise
    return argv


class Runner:
    def __init__(self, world: Path, work: Path) -> None:
        self.world, self.work = world, work
        self.count = 0
        self.table = command_table()
        self.pool = values(world)
        import collections

        self.outcomes = collections.Counter()

    def fresh(self, which: str) -> Path:
        self.count += 1
        d = self.work / f"c{self.count}"
        d.mkdir()
        src = self.world / "hq.sqlite3" if which == "HQ" else (
            self.world / "offices" / f"{which}.sqlite3")
        for name in (src.name, f"{src.name}.key"):
            shutil.copy2(src.parent / name, d / name)
        return d / src.name

    def check(self, which: str, argv: list[str], lang: str | None) -> None:
        from fieldplan import i18n
        from fieldplan.cli import main as cli
        from fieldplan.replica import open_replica
        from tests.bundle_fuzz import PYTHON_WORDS, snapshot

        db = self.fresh(which)
        full = ["--db", str(db), *(["--lang", lang] if lang else []), *argv]

        def state():
            rep = open_replica(db)
            try:
                return snapshot(rep)
            finally:
                rep.close()

        before = state()
        out, err = io.StringIO(), io.StringIO()
        here = os.getcwd()
        os.chdir(db.parent)
        stdin = sys.stdin
        sys.stdin = io.StringIO("")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli(full)
                except SystemExit as exc:  # (--help, --version)
                    code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdin = stdin
            os.chdir(here)
            i18n.set_language("en")
        text = err.getvalue()
        lines = [x for x in text.splitlines() if x.strip()]
        where = (full, code, text[-3000:])
        assert code in (0, 1, 2), where
        assert "Traceback" not in text and "internal error" not in text, where
        # nor Python's own words in any line, errors or output ("malformed bundle
        # ('utf-8' codec can't…)" was an import's line on standard output)
        said = [w for w in PYTHON_WORDS if w in text or w in out.getvalue()]
        assert not said, (*where, said, out.getvalue()[-3000:])
        if code == 1 and not lines and "--json" in full:
            # (verify --json, import --json) the reason in the JSON it prints
            import json

            assert "reason" in out.getvalue(), (*where, out.getvalue()[:3000])
            json.loads(out.getvalue())
        elif code == 1 and not lines and "import" in argv:
            # (import) a line for each file, "FILE: rejected: REASON", on standard output
            assert out.getvalue().strip(), where
        elif code == 1:
            assert len(lines) == 1, where
        elif code == 2:
            assert lines and lines[-1].count(":") >= 1, where
            # the usage (its first line, then lines indented), then one line
            assert all(x.startswith(" ") for x in lines[1:-1]), where
        if code and argv[:1] != ["import"]:
            assert state() == before, (*where, "database changed")
        self.outcomes[(" ".join(argv[:2])[:30], code, (lines[-1] if lines else "")[:60])] += 1
        shutil.rmtree(db.parent, ignore_errors=True)


def make_cli_world(out: Path) -> Path:
    from tests.bundle_fuzz import make_world

    return add_cli_files(make_world(out))


def add_cli_files(world: Path) -> Path:
    """Files the arguments name: a damaged bundle, an empty file, plan files."""
    (world / "junk.fieldplan").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (world / "empty.txt").write_bytes(b"")
    (world / "plan.csv").write_text("code,area\nPA1.1,PA1\n,,,\n", encoding="utf-8")
    (world / "plan.xlsx").write_bytes(b"not a workbook")
    (world / "out").mkdir(exist_ok=True)
    return world


def main() -> int:
    import signal
    import tempfile

    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()

    def too_long(*_):
        raise TimeoutError(f"one case took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        world = make_cli_world(tmp / "world")
        (tmp / "work").mkdir()
        runner = Runner(world, tmp / "work")

        @settings(max_examples=args.examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data(), which=st.sampled_from(["HQ", "BN", "NG"]),
               lang=st.sampled_from([None, None, "fr", "ar"]))
        def run(data, which, lang):
            argv = data.draw(st.composite(lambda d: draw_argv(d, runner.table, runner.pool))())
            signal.alarm(args.timeout)
            try:
                runner.check(which, argv, lang)
            finally:
                signal.alarm(0)

        from hypothesis import seed as hseed

        try:
            hseed(args.seed)(run)()
        except Exception:
            traceback.print_exc()
            return 1
        finally:
            for key, n in runner.outcomes.most_common(30):
                print(f"{n:5} {key}")
    print(f"{args.examples} examples, no problem found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
