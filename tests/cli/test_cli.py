"""The command-line contract: help everywhere, one-line errors, exit codes, JSON, and
the office → HQ → office flow driven from the shell."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fieldplan.cli import build_parser, main
from tests.cli.test_cli_messages import _parsers

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str, capsys) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real thing, in a child process."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "fieldplan", *argv], capture_output=True,
                          text=True, env=full_env, timeout=120)


def _commands(parser: argparse.ArgumentParser, prefix=()) -> list[tuple[str, ...]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append((*prefix, name))
                out.extend(_commands(sub, (*prefix, name)))
    return out


COMMANDS = _commands(build_parser())


def test_the_contract_commands_exist() -> None:
    have = {" ".join(c) for c in COMMANDS}
    for want in ("gui", "init", "office enroll", "demo", "status", "actions", "progress set",
                 "progress submit", "progress list", "export", "import", "verify", "keys show",
                 "keys list", "keys trust", "keys revoke", "keys rotate", "conflicts list",
                 "conflicts resolve", "digest", "report sheet", "report review",
                 "data export", "plan import", "plan export"):
        assert want in have, want


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage:" in out and len(out.splitlines()) > 2


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"`{' '.join(command)}" in readme or f"/ `{' '.join(command)}" in readme, command


def _readme_rows() -> list[str]:
    """The rows of the README's table of commands, each whole (both its cells)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme[readme.index("| command | does |"):].splitlines()[2:]
    return list(itertools.takewhile(lambda line: line.startswith("|"), lines))


def test_every_option_is_in_the_readme() -> None:
    # the table said nothing of --challenges, --next-steps, --paper, init's --plan and
    # --author: an option a person can only find in --help
    rows = _readme_rows()
    common = {"-h", "--help", "--db", "--lang", "--json", "--version"}
    missing = []
    for command, parser in _parsers(build_parser()):
        if parser.get_default("func") is None:
            continue
        name = " ".join(command)
        first = [row for row in rows
                 if re.search(r"`" + re.escape(name) + r"[ `\[]", row.split(" | ")[0])]
        assert first, name
        text = " ".join(first)
        for action in parser._actions:
            options = [o for o in action.option_strings if o not in common]
            if options and not any(re.search(re.escape(o) + r"\b", text) for o in options):
                missing.append(f"{name} {options[-1]}")
    assert missing == []


def test_core_never_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "fieldplan").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")]
    assert offenders == []
    # and at run time: importing every core module loads no Qt
    probe = ("import pkgutil, importlib, sys, fieldplan\n"
             "for m in pkgutil.walk_packages(fieldplan.__path__, 'fieldplan.'):\n"
             "    if m.name != 'fieldplan.__main__': importlib.import_module(m.name)\n"
             "print(sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["progress", "set", "PA1.1"])  # --period missing
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-command"])
    assert exit_.value.code == 2


def test_errors_are_one_line_exit_1(tmp_path: Path) -> None:
    db = str(tmp_path / "hq.sqlite3")
    missing = cli("--db", str(tmp_path / "none.sqlite3"), "status")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "fieldplan init" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert cli("--db", db, "init", "--hq").returncode == 0
    bad = cli("--db", db, "progress", "set", "PA1.4", "--period", "2030-S1",
              "--status", "on-track")
    assert bad.returncode == 1 and "outside the plan" in bad.stderr
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    junk = tmp_path / "junk.fieldplan"
    junk.write_bytes(b"hello")
    imp = cli("--db", db, "import", str(junk))
    assert imp.returncode == 1 and "rejected" in imp.stdout and "not a ZIP" in imp.stdout
    again = cli("--db", db, "init", "--hq")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert again.stderr.count("\n") == 1
    # (run twice by mistake: never told to delete the database it has)
    assert again.stderr == (f"fieldplan: error: {db} already exists: 'fieldplan status' says "
                            "what it holds; give another --db for a new database (deleting "
                            "this one would lose its data)\n")


def test_office_round_trip_through_the_shell(tmp_path: Path, capsys) -> None:
    hq, ml = str(tmp_path / "hq.sqlite3"), str(tmp_path / "ml.sqlite3")
    setup = str(tmp_path / "ML-setup.fieldplan")
    code, out, _ = run("--db", hq, "init", "--hq", capsys=capsys)
    # the role in words ("Created hq replica" showed the code, untranslated)
    assert code == 0 and re.fullmatch(
        f"Created headquarters replica [0-9a-f]{{8}} in {re.escape(hq)}\n", out), out
    code, out, err = run("--db", hq, "office", "enroll", "ML", "-o", setup, capsys=capsys)
    assert code == 0 and out == f"{setup}\n"
    # for how long, and for how many computers (a second laptop set up after 90 days
    # waited in quarantine, and nothing had said so)
    import sqlite3

    with sqlite3.connect(hq) as conn:
        (expires,) = conn.execute("SELECT expires_at FROM enrolments").fetchone()
    from fieldplan.i18n import format_date, format_time

    # (its day 90 days from now, and the time of that day it ends)
    assert expires[:10] == (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).date().isoformat()
    until = f"{format_date(expires)} at {format_time(expires)}"
    assert err == (f"fieldplan: warning: every computer of ML can be set up from this file "
                   f"until {until}, and must send headquarters a first bundle by then "
                   f"(after that, headquarters checks its key fingerprint with the office "
                   f"by phone); to set up a computer later, write a new one\n")
    code, out, _ = run("--db", ml, "init", "--from", setup, capsys=capsys)
    # then headquarters' key to check with them (tests/cli/test_cli_hq_key.py)
    assert code == 0 and re.match(
        f"Created replica [0-9a-f]{{8}} of office ML in {re.escape(ml)}\nHeadquarters key: ",
        out), out
    code, out, _ = run("--db", ml, "--json", "actions", "--level", "national", capsys=capsys)
    actions = json.loads(out)
    assert code == 0 and {a["level"] for a in actions} == {"national"}
    act = actions[0]["code"]
    key = actions[0]["indicators"][0]
    code, out, err = run("--db", ml, "progress", "set", act, "--period", "2026-S1",
                         "--status", "on-track", "--percent", "40", "--note", "Atelier",
                         "--value", f"{key}=3", capsys=capsys)
    assert code == 0, err
    code, out, _ = run("--db", ml, "--json", "progress", "list", capsys=capsys)
    [row] = json.loads(out)
    assert set(row) >= {"office", "action", "period", "status", "percent", "note", "values",
                        "state", "updated_at", "updated_by"}
    assert (row["status"], row["percent"], row["note"], row["values"]) == (
        "on-track", 40, "Atelier", {key: 3})
    code, out, _ = run("--db", ml, "export", "--dir", str(tmp_path), capsys=capsys)
    bundle = out.strip()
    assert code == 0 and Path(bundle).is_file()
    code, out, _ = run("--db", hq, "--json", "verify", bundle, capsys=capsys)
    verified = json.loads(out)
    assert verified["valid"] and verified["office"] == "ML" and verified["events"] == 1
    code, out, _ = run("--db", hq, "import", bundle, capsys=capsys)
    assert code == 0 and "merged" in out
    code, out, _ = run("--db", hq, "import", bundle, capsys=capsys)
    assert code == 0 and "duplicate" in out
    hq_digest = run("--db", hq, "digest", "--office", "ML", capsys=capsys)[1].strip()
    ml_digest = run("--db", ml, "digest", capsys=capsys)[1].strip()
    assert hq_digest == ml_digest and len(hq_digest) == 64
    assert run("--db", ml, "digest", "--office", "ml", capsys=capsys)[1].strip() == ml_digest
    # another office's digest: at HQ or at that office, not the digest of nothing here
    assert run("--db", ml, "digest", "--office", "SN", capsys=capsys) == (
        1, "", "fieldplan: error: this database is office ML's: it holds no reports of SN "
        "(their digest is at headquarters, or at SN)\n")
    code, out, _ = run("--db", hq, "export", "--for", "ML", "--dir", str(tmp_path),
                       capsys=capsys)
    assert run("--db", ml, "import", out.strip(), capsys=capsys)[0] == 0
    code, out, _ = run("--db", ml, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert status["role"] == "office" and status["hq_has_seq"] == 1 and status["unsent"] == 0
    code, out, _ = run("--db", ml, "progress", "submit", "--period", "2026-S1", capsys=capsys)
    assert code == 0
    code, out, _ = run("--db", hq, "--json", "keys", "list", capsys=capsys)
    assert {k["office"] for k in json.loads(out)["keys"]} == {"HQ", "ML"}
    code, out, _ = run("--db", hq, "--json", "conflicts", "list", capsys=capsys)
    assert json.loads(out) == []


def test_an_office_digests_headquarters_reports_as_headquarters_does(tmp_path: Path,
                                                                      capsys) -> None:
    """An office holds headquarters' reports on the global actions (HQ's bundles carry
    them; 'progress list --office HQ' lists them), yet 'digest --office HQ' said it held
    none. Its digest is HQ's own once it has HQ's latest bundle."""
    hq, ro = str(tmp_path / "hq.sqlite3"), str(tmp_path / "ro.sqlite3")
    setup = str(tmp_path / "RO-setup.fieldplan")
    assert run("--db", hq, "init", "--hq", capsys=capsys)[0] == 0
    code, out, _ = run("--db", hq, "--json", "actions", "--level", "global", capsys=capsys)
    first, second = (a["code"] for a in json.loads(out)[:2])
    progress = ("progress", "set", "--period", "2026-S1", "--status", "on-track")
    assert run("--db", hq, *progress, first, capsys=capsys)[0] == 0
    assert run("--db", hq, "office", "enroll", "RO-Dakar", "-o", setup, capsys=capsys)[0] == 0
    assert run("--db", ro, "init", "--from", setup, capsys=capsys)[0] == 0

    def digests() -> tuple[str, str]:
        theirs = run("--db", hq, "digest", "--office", "HQ", capsys=capsys)
        here = run("--db", ro, "digest", "--office", "hq", capsys=capsys)
        assert theirs[0] == here[0] == 0, here
        return theirs[1].strip(), here[1].strip()

    theirs, here = digests()
    assert theirs == here and len(here) == 64
    assert run("--db", hq, *progress, second, capsys=capsys)[0] == 0
    theirs, here = digests()
    assert theirs != here  # not until the office has HQ's bundle
    code, out, _ = run("--db", hq, "export", "--for", "RO-Dakar", "--dir", str(tmp_path),
                       capsys=capsys)
    assert run("--db", ro, "import", out.strip(), capsys=capsys)[0] == 0
    theirs, here = digests()
    assert theirs == here
    code, out, _ = run("--db", ro, "--json", "digest", "--office", "HQ", capsys=capsys)
    assert code == 0 and json.loads(out) == {"office": "HQ", "digest": here}
    # another office's reports it does not hold
    assert run("--db", ro, "digest", "--office", "SN", capsys=capsys)[0] == 1


def test_enroll_names_the_regional_offices(tmp_path: Path, capsys, monkeypatch) -> None:
    """'office enroll RO-Istanbul' was told to use "RO-<name>", which it had; the help
    gave RO-Dakar alone as an example. Both list the regional offices, and the help
    keeps each code on one line ("RO-" and "Nairobi" were wrapped apart)."""
    hq = str(tmp_path / "hq.sqlite3")
    assert run("--db", hq, "init", "--hq", capsys=capsys)[0] == 0
    setup = tmp_path / "RO-setup.fieldplan"
    code, out, err = run("--db", hq, "office", "enroll", "RO-Istanbul", "-o", str(setup),
                         capsys=capsys)
    assert (code, out) == (1, "") and not setup.exists()
    assert err == ("fieldplan: error: unknown regional office 'RO-Istanbul': the regional "
                   "offices are RO-Bangkok, RO-Cairo, RO-Dakar, RO-Nairobi, RO-Panama, "
                   "RO-Pretoria, RO-Vienna\n")
    monkeypatch.setenv("COLUMNS", "60")
    with pytest.raises(SystemExit):
        main(["office", "enroll", "--help"])
    text = capsys.readouterr().out
    for office in ("RO-Bangkok", "RO-Cairo", "RO-Dakar", "RO-Nairobi", "RO-Panama",
                   "RO-Pretoria", "RO-Vienna"):
        assert office in text, office
    assert not re.search(r"-\n", text)


def test_keys_show_minisign_format(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    code, out, _ = run("--db", db, "keys", "show", "--minisign", capsys=capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("untrusted comment: ") and lines[1].startswith("RW")
    # with --json: the same file's text in a field (--minisign was ignored)
    code, js, _ = run("--db", db, "--json", "keys", "show", "--minisign", capsys=capsys)
    assert code == 0 and json.loads(js)["minisign"] == out
    assert "minisign" not in json.loads(run("--db", db, "--json", "keys", "show",
                                            capsys=capsys)[1])


def test_keys_show_names_the_earlier_key_open_setup_bundles_carry(clock, tmp_path: Path,
                                                                  capsys) -> None:
    """Headquarters enrolled an office, then made a new key: the office, set up from
    the setup bundle, read the earlier key's fingerprint and was told to check it with
    headquarters' `keys show`, which printed only the new one. It says the earlier
    one too (on stderr: standard output stays the key of now)."""
    import sqlite3

    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    earlier = run("--db", db, "keys", "show", capsys=capsys)[1].split("  ")[1].strip()
    run("--db", db, "office", "enroll", "RO-Dakar", "-o", str(tmp_path / "s.fieldplan"),
        capsys=capsys)
    with sqlite3.connect(db) as conn:  # (a day of its own, in the morning)
        conn.execute("UPDATE enrolments SET created_at = '2026-02-03T09:00:00Z'")
    clock("2026-03-01")
    run("--db", db, "keys", "rotate", capsys=capsys)
    code, out, err = run("--db", db, "keys", "show", capsys=capsys)
    assert code == 0 and earlier not in out and len(out.splitlines()) == 1
    assert err == ("fieldplan: warning: the setup bundles written for RO-Dakar before this "
                   "key was made carry headquarters' earlier key: a computer set up from "
                   f"one reads this fingerprint until headquarters' next bundle reaches it: "
                   f"{earlier}\n")
    code, out, _ = run("--db", db, "--json", "keys", "show", capsys=capsys)
    assert json.loads(out)["earlier"] == [{"key_id": json.loads(out)["earlier"][0]["key_id"],
                                           "fingerprint": earlier, "offices": ["RO-Dakar"]}]


def test_keys_show_after_a_clock_ahead_names_no_earlier_key(tmp_path: Path, capsys) -> None:
    """Headquarters' clock follows an office's that is ahead (up to a day): a key made
    then was taken for one made after the setup bundles it signed, and keys show said
    that a setup bundle written after the new key carried the earlier one; found by
    review."""
    import sqlite3

    from fieldplan import events

    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    with sqlite3.connect(db) as conn:  # a bundle of a laptop 20 hours ahead, merged
        events.observe_hlc(conn, (events.wall_ms() + 20 * 3600 * 1000) << 16)
    run("--db", db, "keys", "rotate", capsys=capsys)
    run("--db", db, "office", "enroll", "RO-Dakar", "-o", str(tmp_path / "s.fieldplan"),
        capsys=capsys)
    code, out, err = run("--db", db, "--json", "keys", "show", capsys=capsys)
    assert code == 0 and json.loads(out)["earlier"] == []
    assert "earlier key" not in err


def test_data_export_formats(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    run("--db", db, "progress", "set", "PA1.6", "--period", "2026-S1", "--status", "at-risk",
        "--note", "=HYPERLINK(\"http://x\")", capsys=capsys)
    for fmt in ("csv", "hxl", "xlsx"):
        out = tmp_path / f"progress.{fmt}"
        code, _, err = run("--db", db, "data", "export", "--format", fmt, "-o", str(out),
                           capsys=capsys)
        assert code == 0, err
    hxl = (tmp_path / "progress.hxl").read_text(encoding="utf-8").splitlines()
    assert hxl[1].startswith("#org+code,") and "PA1.6" in hxl[2]
    csv_text = (tmp_path / "progress.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text  # never a live formula
    ws = load_workbook(tmp_path / "progress.xlsx").active
    cell = next(c for c in ws[2] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s"


def test_data_export_says_locked_periods_and_late_changes(tmp_path: Path, capsys) -> None:
    """After ``period lock``, a row's state alone does not say the period is locked:
    the last columns do, in every format."""
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    for period in ("2025-S2", "2026-S1"):
        assert run("--db", db, "progress", "set", "PA1.6", "--period", period, "--status",
                   "on-track", capsys=capsys)[0] == 0
    assert run("--db", db, "progress", "submit", "--period", "2025-S2", capsys=capsys)[0] == 0
    assert run("--db", db, "period", "lock", "2025-S2", capsys=capsys)[0] == 0
    flags = ["period_locked", "changed_after_lock", "open_conflicts"]
    for fmt in ("csv", "hxl"):
        out = tmp_path / f"progress.{fmt}"
        assert run("--db", db, "data", "export", "--format", fmt, "-o", str(out),
                   capsys=capsys)[0] == 0
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].split(",")[-3:] == flags
        if fmt == "hxl":
            assert lines.pop(1).split(",")[-3:] == [
                "#meta+locked", "#meta+changed_after_lock", "#meta+conflicts"]
        rows = [line.split(",") for line in lines[1:]]
        assert [(r[7], r[11], *r[-3:]) for r in rows] == [
            ("2025-S2", "submitted", "true", "false", ""),
            ("2026-S1", "draft", "false", "false", "")]


def test_plan_export_and_amendment(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    plan_file = tmp_path / "plan.toml"
    assert run("--db", db, "plan", "export", "-o", str(plan_file), capsys=capsys)[0] == 0
    code, out, _ = run("--db", db, "plan", "import", str(plan_file), capsys=capsys)
    assert code == 0 and "is already installed; nothing was changed" in out
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace(
        'signed_place = "', 'signed_place = "x', 1), encoding="utf-8")
    code, _, err = run("--db", db, "plan", "import", str(plan_file), capsys=capsys)
    assert code == 1 and "needs a version above 1" in err
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace(
        "version = 1", "version = 2", 1), encoding="utf-8")
    code, _out, err = run("--db", db, "plan", "import", str(plan_file), capsys=capsys)
    assert code == 0, err
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan\nid=", encoding="utf-8")
    code, _, err = run("--db", db, "plan", "import", str(bad), capsys=capsys)
    assert code == 1 and "bad.toml" in err and "line" in err


def test_plan_amendment_names_reports_it_no_longer_lists(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    assert run("--db", db, "progress", "set", "PA4.6", "--period", "2026-S1", "--status",
               "on-track", capsys=capsys)[0] == 0
    plan_file = tmp_path / "plan.toml"
    run("--db", db, "plan", "export", "-o", str(plan_file), capsys=capsys)
    blocks = plan_file.read_text(encoding="utf-8").split("\n[[actions]]\n")
    kept = [b for b in blocks if not b.startswith('code = "PA4.6"')]
    assert len(kept) == len(blocks) - 1
    plan_file.write_text("\n[[actions]]\n".join(kept).replace("version = 1", "version = 2", 1),
                         encoding="utf-8")
    code, out, err = run("--db", db, "plan", "import", str(plan_file), capsys=capsys)
    assert code == 1 and "would hide what offices reported" in err  # asked first
    code, out, err = run("--db", db, "plan", "import", str(plan_file), "--allow-hiding",
                         capsys=capsys)
    assert code == 0, err
    assert out.splitlines()[1:] == [
        "Changes from version 1:",
        "  Action removed (1): PA4.6",
        "It hid 1 report recorded so far (kept in the database, not deleted):",
        "  reports on 1 action it does not have (PA4.6)"]
    # the report itself is kept
    listed = json.loads(run("--db", db, "--json", "progress", "list", capsys=capsys)[1])
    assert [r["action"] for r in listed] == ["PA4.6"]


def test_import_says_the_plan_changed(tmp_path: Path, capsys) -> None:
    """Importing HQ's amendment says the plan's new version and how many of the
    office's reports it hides; --json adds the same as keys, the others unchanged."""
    from fieldplan import progress
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup
    from tests.scenes import AMENDMENT, amend_plan

    bn = str(tmp_path / "bn.sqlite3")
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", tmp_path / "setup.fieldplan")
        with init_from_setup(bn, tmp_path / "setup.fieldplan") as office:
            progress.record_progress(office, "PA1.2", "2026-S1", status="on-track")
            progress.record_progress(office, "PA1.1", "2026-S1", status="on-track")
        amend_plan(hq, tmp_path, **AMENDMENT)
        bundle = str(export_bundle(hq, for_office="BN", out_dir=tmp_path).path)
    twin = str(tmp_path / "bn2.sqlite3")  # the same office database, for --json
    for suffix in ("", ".key"):
        shutil.copyfile(bn + suffix, twin + suffix)
    code, out, err = run("--db", bn, "import", bundle, capsys=capsys)
    assert code == 0, err
    # the bundle's line, then what the new plan changes, as 'plan import' says it
    line, *changes = out.strip().splitlines()[-6:]
    assert line.endswith(
        ": merged (1 new of 3 events); the plan is now version 2; it hides 1 report of "
        "this office that the version before showed"), out
    assert changes == ["  Plan end: from 2027-12-31 to 2026-06-30",
                       "  Action added (1): PA1.7", "  Actions removed (2): PA1.2, PA1.3",
                       "  Action moved to another level (1): PA2.1 from National to Regional",
                       changes[-1]], out
    assert changes[-1].startswith("  Targets changed (19): PA1.1/policies-supported for "
                                  "2nd semester 2026 from 6 to none; ") and changes[-1].endswith(
                                      " and 11 more"), out
    code, out, err = run("--db", twin, "--json", "import", bundle, capsys=capsys)
    assert code == 0, err
    [outcome] = json.loads(out)
    assert set(outcome) >= {"file", "outcome", "reason", "events_new", "events", "gaps",
                            "late_periods", "gap_ranges"}
    assert (outcome["plan_version"], outcome["plan_hidden_reports"]) == (2, 1)
    assert outcome["plan_changes"] == [line.strip() for line in changes]


def test_demo_world(tmp_path: Path, capsys) -> None:
    code, out, err = run("--json", "demo", "--out", str(tmp_path / "w"), "--offices", "3",
                         "--seed", "5", "--merge", capsys=capsys)
    assert code == 0, err
    world = json.loads(out)
    assert len(world["offices"]) == 3 and len(world["bundles"]) == 3 and world["merged"]
    hq = world["hq"]
    for code_, db in world["offices"].items():
        mine = run("--db", db, "digest", capsys=capsys)[1].strip()
        theirs = run("--db", hq, "digest", "--office", code_, capsys=capsys)[1].strip()
        assert mine == theirs
    reports = json.loads(run("--db", hq, "--json", "progress", "list", capsys=capsys)[1])
    statuses = {r["status"] for r in reports}
    assert {"on-track", "at-risk"} <= statuses
    assert all(r["state"] == "submitted" for r in reports if r["period"] == "2025-S2")
    assert any(len(r["achievements"]) > 80 for r in reports)
    # each office's changes were made in their semesters (not all at the demo's today
    # for every office after the first), and reached HQ a little after each one ended
    from fieldplan.demo import demo_today
    from fieldplan.periods import parse_period
    from fieldplan.replica import open_replica

    with open_replica(hq) as rep:
        plan = rep.plan()
    today = demo_today(plan)
    for r in reports:
        period = parse_period(r["period"])
        # (a second sitting may come a few days after the semester)
        end = min(period.end + dt.timedelta(days=10), today)
        assert period.start.isoformat() <= r["updated_at"][:10] <= end.isoformat()
    # headquarters reports on the global actions, as the review pack expects it to
    hq_reports = [r for r in reports if r["office"] == "HQ" and r["period"] == "2025-S2"]
    assert len(hq_reports) == 4 and all(r["state"] == "submitted" for r in hq_reports)
    conn = sqlite3.connect(hq)
    try:
        received = [(office, at[:10]) for office, at in conn.execute(
            "SELECT office, received_at FROM inbox WHERE outcome = 'merged' "
            "ORDER BY received_at")]
    finally:
        conn.close()
    # the semesters ended by the demo's today
    closed = [plan.period_bounds(p)[1] for p in plan.periods()
              if plan.period_bounds(p)[1] < today]
    for office in world["offices"]:
        days = [day for who, day in received if who == office]
        assert len(days) == len(closed) + 1  # a bundle for each, and the last one
        for ended, day in zip(closed, days, strict=False):
            assert ended.isoformat() < day <= (ended + dt.timedelta(days=63)).isoformat()
    # same seed, same content
    again = json.loads(run("--json", "demo", "--out", str(tmp_path / "w2"), "--offices", "3",
                           "--seed", "5", capsys=capsys)[1])
    assert sorted(again["offices"]) == sorted(world["offices"])
    for code_ in world["offices"]:
        a = run("--db", world["offices"][code_], "digest", capsys=capsys)[1]
        b = run("--db", again["offices"][code_], "digest", capsys=capsys)[1]
        assert a == b
