"""Structured fuzzing of plan documents: the built-in plan as a dict (as plan files,
plan records of HQ's bundles and setup bundles hold it), one or a few values anywhere
in it replaced by a value of another type, a huge or odd one, or taken out; then read
(plan_from_dict), written back in each format and read again. A plan either reads or
is refused with a PlanError of one line.

    .venv/bin/python -m tests.plan_fuzz [--examples N] [--seed S] [--deep]
    .venv/bin/python -m tests.plan_fuzz --files [--examples N] [--seed S]

``--files``: plan files instead (CSV in several separators and encodings, tab-separated
text, XLSX with number, date, true/false, formula cells and merged cells) whose
structure is changed (columns and rows taken out, repeated, swapped, ragged, thousands
of them; odd cells), read with load_plan: read, or refused in one line.
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


# --- plan files: CSV, tab-separated text and XLSX of odd structures --------------------

#: cell values at the edges of what a spreadsheet holds
ODD_CELLS = ["", " ", "=1+1", "=HYPERLINK(\"x\")", "#REF!", "\x00", "a\x00b", "x" * 100_000,
             "\"", "\"\"", "a,b", "a;b", "a\tb", "a\nb", "a\rb", "\ufeff", "\u202e", "١٢٣",
             "1e308", "-1", "nan", "inf", "1,5", "2025-13-45", "45000", "TRUE", "false",
             "PA1.1", "PA1", "national", "\ud800", "🙂" * 50, "é"]


def csv_records(plan) -> list[list[str]]:
    import csv
    import io

    return [list(r) for r in csv.reader(io.StringIO(format_plan(plan, "csv")))]


def file_changed(records: list[list[str]], steps) -> list[list[str]]:
    """The plan's CSV records with their structure changed: columns taken out,
    repeated, swapped, renamed; rows taken out, repeated, ragged, above the header;
    cells given odd values."""
    rec = [list(r) for r in records]
    for n, kind in steps:
        if not rec:
            break
        width = max(1, max(len(r) for r in rec))
        c, r = n % width, n % len(rec)
        if kind == "drop_column":
            for row in rec:
                if c < len(row):
                    row.pop(c)
        elif kind == "dup_column":
            for row in rec:
                if c < len(row):
                    row.insert(c, row[c])
        elif kind == "swap_columns":
            d = (n // 7) % width
            for row in rec:
                if c < len(row) and d < len(row):
                    row[c], row[d] = row[d], row[c]
        elif kind == "rename_column" and rec[0]:
            rec[0][c % len(rec[0])] = ODD_CELLS[(n // 7) % len(ODD_CELLS)] if n % 2 else (
                rec[0][c % len(rec[0])].upper())
        elif kind == "drop_row":
            rec.pop(r)
        elif kind == "dup_row":
            rec.insert(r, list(rec[r]))
        elif kind == "ragged":
            rec[r] = rec[r][: c] if n % 2 else rec[r] + ["x"] * (n % 50)
        elif kind == "rows_above":
            rec[0:0] = [["title"], [], [""] * width][: 1 + n % 3]
        elif kind == "cell":
            if c < len(rec[r]):
                rec[r][c] = ODD_CELLS[(n // 13) % len(ODD_CELLS)]
        elif kind == "blank_rows":
            rec[r:r] = [[""] * width] * (1 + n % 5)
        elif kind == "many_columns":
            rec[0] = rec[0] + [f"extra{k}" for k in range(n % 5000)]
        elif kind == "header_only":
            rec = rec[:1]
        elif kind == "many_rows":
            rec = rec + [list(rec[-1]) for _ in range(n % 3000)]
    return rec


FILE_KINDS = ["drop_column", "dup_column", "swap_columns", "rename_column", "drop_row",
              "dup_row", "ragged", "rows_above", "cell", "blank_rows", "many_columns",
              "header_only", "many_rows"]


def file_bytes(rec: list[list[str]], fmt: str, n: int) -> tuple[bytes, str]:
    """The records as a file of format ``fmt`` (csv, txt or xlsx), in one of the ways
    a spreadsheet or an editor writes one."""
    import csv
    import io

    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        for row in rec:
            cells = []
            for k, v in enumerate(row):
                v = v.encode("utf-8", "replace").decode("utf-8")  # (no lone surrogates)
                v = "".join(ch for ch in v if ch in "\t\n\r" or ord(ch) >= 32)
                if (n + k) % 5 == 0:  # a number cell where text can be read as one
                    try:
                        cells.append(float(v) if "." in v or "e" in v else int(v))
                        continue
                    except ValueError:
                        pass
                if v in ("TRUE", "true") and n % 3 == 0:
                    cells.append(True)
                    continue
                if n % 7 == 0 and len(v) == 10 and v[4:5] == "-":
                    import datetime as dt

                    try:
                        cells.append(dt.datetime.fromisoformat(v))
                        continue
                    except ValueError:
                        pass
                cells.append(v[:32767])
            ws.append(cells)
        if n % 4 == 0 and ws.max_row > 3:
            ws.merge_cells(start_row=2, start_column=1 + n % 5, end_row=3 + n % 4,
                           end_column=1 + n % 5)
        if n % 6 == 0:
            wb.create_sheet("other").append(["plan_id", "x"])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), ".xlsx"
    delimiter = "\t" if fmt == "txt" else [",", ";", ",", "\t", "|"][n % 5]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n" if n % 2 else "\n").writerows(
        rec)
    body = text.getvalue()
    if n % 11 == 0:
        body = body[: (n * 7919) % max(1, len(body))]  # cut anywhere (inside a quote)
    encoding = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "utf-32", "latin-1"][(n // 5) % 6]
    data = body.encode(encoding, "replace" if encoding in ("cp1252", "latin-1")
                       else "surrogatepass")
    return data, ".txt" if fmt == "txt" else ".csv"


def check_file(steps, fmt: str, n: int, work: Path) -> None:
    """A plan file of odd structure: read, or refused in one line (PlanError)."""
    from fieldplan.plan import load_plan

    rec = file_changed(csv_records(default_plan()), steps)
    data, ending = file_bytes(rec, fmt, n)
    path = work / f"plan{ending}"
    path.write_bytes(data)
    try:
        plan = load_plan(path)
    except PlanError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 3000, str(exc)[:3000]
        return
    for out in ("json", "toml", "csv"):
        text = format_plan(plan, out)
        try:
            parse_plan_text(text, out, f"again.{out}")
        except PlanError as exc:
            raise AssertionError(f"{out}: a plan read is refused once written: {exc}") from exc


file_steps_st = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(FILE_KINDS)),
                         min_size=1, max_size=4)


steps_st = st.lists(st.tuples(st.integers(0, 10**6), json_value, st.booleans()),
                    min_size=1, max_size=4)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deep", action="store_true",
                    help="each plan read is put in at a demo HQ, then sent to an office")
    ap.add_argument("--files", action="store_true",
                    help="plan files instead: CSV, tab-separated text and XLSX of odd "
                         "structure, read with load_plan")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    import signal
    import tempfile

    def too_long(*_):
        raise TimeoutError(f"one case took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    tmp = Path(tempfile.mkdtemp())
    if args.files:
        @settings(max_examples=args.examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(steps=file_steps_st, fmt=st.sampled_from(["csv", "csv", "txt", "xlsx"]),
               n=st.integers(0, 10**6))
        def run_files(steps, fmt, n):
            signal.alarm(args.timeout)
            try:
                check_file(steps, fmt, n, tmp)
            finally:
                signal.alarm(0)

        try:
            seed(args.seed)(run_files)()
        except Exception:
            traceback.print_exc()
            return 1
        print(f"{args.examples} plan files, no problem found")
        return 0
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
