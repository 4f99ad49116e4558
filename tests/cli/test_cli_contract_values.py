"""What the command line takes and gives as values: an empty option value is a usage
error (never a wider scope), a bad value is exit 2 however it is bad, one state has
one JSON word, a folder given for --db says so, a key is revoked by its fingerprint
too, and ``data export -o -`` writes to standard output."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest
from test_cli_messages import run

from fieldplan.cli import build_parser
from tests import reasons

S1 = "2026-S1"

@pytest.fixture
def hq_db(tmp_path: Path) -> str:
    from fieldplan.replica import init_hq

    db = tmp_path / "db" / "hq.sqlite3"
    init_hq(db).close()
    return str(db)


#: Options whose value is free text, where "" means something (clear the note).
FREE_TEXT = {"note", "challenges", "next_steps", "author"}


def _parsers(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*prefix, name))


def _value_arguments():
    for prefix, parser in _parsers(build_parser()):
        for action in parser._actions:
            if (action.nargs == 0 or action.choices is not None
                    or isinstance(action, argparse._SubParsersAction | argparse._HelpAction)
                    or action.dest in FREE_TEXT):
                continue
            yield " ".join(prefix), action


@pytest.mark.parametrize(("where", "action"), list(_value_arguments()),
                         ids=lambda a: a if isinstance(a, str) else a.dest)
def test_every_code_file_or_folder_argument_refuses_an_empty_value(where, action) -> None:
    # an argument without a type takes "" as given: a command then reads it as "not
    # given" (every office, the current folder, the plan template)
    assert action.type is not None, f"{where} {action.option_strings or action.dest}"
    with pytest.raises((argparse.ArgumentTypeError, ValueError)):
        action.type("")


@pytest.mark.parametrize(("argv", "message"), [
    (("digest", "--office", ""), "argument --office: give a code, not an empty one"),
    (("progress", "list", "--office", ""),
     "argument --office: give a code, not an empty one"),
    (("progress", "list", "--period", " "),
     "argument --period: give a period, e.g. 2026-S1, not an empty one"),
    (("actions", "--area", ""), "argument --area: give a code, not an empty one"),
    (("demo", "--out", ""), "argument --out: give a folder name, not an empty one"),
    (("init", "--hq", "--plan", ""), "argument --plan: give a file name, not an empty one"),
    (("export", "--dir", ""), "argument --dir: give a folder name, not an empty one"),
    (("keys", "revoke", ""), "argument KEYID: give a value, not an empty one"),
])
def test_an_empty_value_is_a_usage_error_not_a_wider_scope(argv, message, tmp_path,
                                                          monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--db", str(tmp_path / "hq.sqlite3"), *argv, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(message)
    assert list(tmp_path.iterdir()) == []  # no database, no demo in the current folder


# --- a bad value: exit 2, whatever is bad about it ------------------------------------


def test_a_percent_out_of_range_is_a_usage_error_as_a_non_number_is(hq_db, capsys) -> None:
    out = run("--db", hq_db, "--json", "actions", "--level", "global", capsys=capsys)[1]
    act = json.loads(out)[0]["code"]
    for bad in ("150", "-1", "abc"):
        code, _out, err = run("--db", hq_db, "progress", "set", act, "--period", S1,
                              "--status", "on-track", f"--percent={bad}", capsys=capsys)
        assert code == 2, (bad, err)
    assert err.splitlines()[-1].endswith("argument --percent: 'abc' is not a whole number")
    code, _out, err = run("--db", hq_db, "progress", "set", act, "--period", S1,
                          "--percent", "150", capsys=capsys)
    assert err.splitlines()[-1].endswith(
        "argument --percent: percent must be between 0 and 100, not 150")
    code, _out, err = run("--db", hq_db, "progress", "set", act, "--period", S1,
                          "--status", "completed", "--percent", "100", capsys=capsys)
    assert code == 0, err


def test_progress_set_with_nothing_to_record_is_a_usage_error(tmp_path, capsys) -> None:
    """``progress set ACTION --period P`` alone said "nothing to record" with exit 1: the
    command line alone is wrong, a usage error (exit 2), told before any database."""
    code, out, err = run("--db", str(tmp_path / "none.sqlite3"), "progress", "set",
                         "PA1.6", "--period", S1, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith("usage: fieldplan progress set")
    assert err.splitlines()[-1] == ("fieldplan progress set: usage error: nothing to "
                                    "record: give a status, percent, value or narrative")
    assert list(tmp_path.iterdir()) == []


def test_one_indicator_given_two_values_is_a_usage_error(hq_db, capsys) -> None:
    """``--value KEY=NUM`` is repeatable, one indicator each: the same indicator given
    two numbers (``--value women=5 --value women=7``, where men=7 was meant) recorded the
    last one without a word, the first lost. Now a usage error, before anything is
    recorded; the same number given twice is no contradiction."""
    out = run("--db", hq_db, "--json", "actions", "--level", "global", capsys=capsys)[1]
    act = next(a for a in json.loads(out) if a["indicators"])
    key = act["indicators"][0]
    set_ = ("--db", hq_db, "progress", "set", act["code"], "--period", S1,
            "--status", "on-track")
    code, out, err = run(*set_, "--value", f"{key}=5", "--value", f"{key}=7.5",
                         capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith("usage: fieldplan progress set")
    assert err.splitlines()[-1] == (
        f"fieldplan progress set: usage error: --value {key} is given twice, 5 and 7.5: "
        "give each indicator one value")
    assert json.loads(run("--db", hq_db, "--json", "progress", "list",
                          capsys=capsys)[1]) == []  # nothing recorded
    code, _out, err = run(*set_, "--value", f"{key}=5", "--value", f"{key}=5.0",
                          capsys=capsys)
    assert code == 0, err
    [report] = json.loads(run("--db", hq_db, "--json", "progress", "list",
                              capsys=capsys)[1])
    assert report["values"] == {key: 5}


def test_plan_export_to_another_kind_of_file_is_a_usage_error(tmp_path, capsys) -> None:
    db = tmp_path / "none.sqlite3"  # checked before the database is opened
    code, out, err = run("--db", str(db), "plan", "export", "-o", str(tmp_path / "p.ods"),
                         capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(
        "p.ods: unknown plan file type '.ods'; use .toml, .json, .csv or .xlsx (save a "
        "spreadsheet as an Excel workbook, .xlsx)")
    assert not db.exists() and not (tmp_path / "p.ods").exists()


def test_plan_export_to_a_plan_file_still_works(hq_db, tmp_path, capsys) -> None:
    code, _out, err = run("--db", hq_db, "plan", "export", "-o", str(tmp_path / "p.toml"),
                         capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "p.toml").is_file()


@pytest.mark.parametrize("name", ["plans", "p.toml"])
def test_plan_export_to_a_folder_says_it_is_a_folder(hq_db, tmp_path, capsys, name) -> None:
    """``plan export -o FOLDER`` said "unknown plan file type ''" of a folder."""
    folder = tmp_path / name
    folder.mkdir()
    code, out, err = run("--db", hq_db, "plan", "export", "-o", str(folder), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == f"fieldplan: error: cannot write {folder}: {reasons.A_FOLDER}\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("argv", [
    ("report", "sheet", "--period", S1),
    ("report", "review", "--period", S1),
    ("export", "--for", "ML"),
    ("office", "enroll", "ML"),
    ("plan", "export"),
])
def test_dash_for_output_is_a_usage_error_beside_data_export(tmp_path, monkeypatch, capsys,
                                                             argv) -> None:
    """``report sheet -o -`` wrote a PDF named "-" in the current folder (``data export
    -o -`` writes to standard output): a usage error, before the database is opened."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--db", str(tmp_path / "none.sqlite3"), *argv, "-o", "-",
                         capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(
        "usage error: '-' names standard output, which only data export writes to; give a "
        "file name")
    assert list(tmp_path.iterdir()) == []


# --- the demo's databases name where their bundles are -------------------------------


def test_the_demo_offices_last_export_is_where_the_bundle_is(tmp_path, monkeypatch,
                                                              capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--json", "demo", "--out", "w", "--offices", "1", capsys=capsys)
    assert code == 0, err
    (office, db), = json.loads(out)["offices"].items()
    status = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    path = Path(status["last_export"]["path"])
    assert path.is_absolute() and path.is_file(), path
    assert path.parent == (tmp_path / "w" / "bundles") and path.name.startswith(office)


# --- one state, one word ----------------------------------------------------------------
# (keys list and status agree on "unregistered": test_cli_messages.py,
# test_keys_list_shows_this_computers_new_key)


# --- a folder given for --db -----------------------------------------------------------


@pytest.mark.parametrize("argv", [("status",), ("init", "--hq"), ("restore",)])
def test_a_folder_given_for_the_database_says_so(argv, tmp_path, capsys) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    code, out, err = run("--db", str(folder), *argv, capsys=capsys)
    assert (code, out) == (1, "")
    assert err == (f"fieldplan: error: {folder} is a folder, not a database file; give a "
                   f"file name such as {folder / 'fieldplan.sqlite3'}\n")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("argv", [("status",), ("init", "--hq"), ("restore",)])
def test_a_blank_fieldplan_db_is_refused_as_a_blank_db_is(argv, tmp_path, monkeypatch,
                                                         capsys) -> None:
    """FIELDPLAN_DB stands for --db, and ``--db " "`` is refused: a FIELDPLAN_DB of spaces
    alone (``FIELDPLAN_DB=" $DB"`` with DB unset) made ``init --hq`` create a database
    named " " in the current folder and say so as if all was well."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FIELDPLAN_DB", "  ")
    code, out, err = run(*argv, capsys=capsys)
    assert (code, out) == (1, "")
    assert err == ("fieldplan: error: FIELDPLAN_DB holds only spaces: set it to a "
                   "database file name, or unset it\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["trust", "refuse"])
@pytest.mark.parametrize("typed", ["XYZ", "5E60 1B54", "not-a-fingerprint"])
def test_a_fingerprint_too_short_to_be_one_is_a_usage_error(tmp_path, capsys, command,
                                                             typed) -> None:
    """``keys trust 12345`` exited 1, though the command line alone is wrong."""
    code, out, err = run("--db", str(tmp_path / "none.sqlite3"), "keys", command, typed,
                         capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (f"fieldplan keys {command}: usage error: argument FPR: "
                                    "give at least 16 hex digits of the fingerprint")
    assert list(tmp_path.iterdir()) == []


# --- keys revoke with a fingerprint ------------------------------------------------------


def _registered_office_key(hq, make_office, tmp_path: Path) -> tuple[str, str]:
    from fieldplan.sync import export_bundle, import_bundle
    from fieldplan.sync.keys import public_key

    office = make_office("ML")
    out = tmp_path / "ml-out"
    out.mkdir()
    assert import_bundle(hq, export_bundle(office, out_dir=out).path).outcome == "merged"
    pub = public_key(office)
    return pub.key_id_hex, pub.fingerprint


def test_keys_revoke_takes_the_fingerprint_keys_list_shows(hq, make_office, tmp_path,
                                                           capsys) -> None:
    key_id, fingerprint = _registered_office_key(hq, make_office, tmp_path)
    db = str(hq.path)
    listed = json.loads(run("--db", db, "--json", "keys", "list", capsys=capsys)[1])
    assert fingerprint in [k["fingerprint"] for k in listed["keys"]]
    code, out, err = run("--db", db, "--json", "keys", "revoke", fingerprint.lower(),
                         capsys=capsys)
    assert code == 0, err
    done = json.loads(out)
    assert (done["key_id"], done["changed"]) == (key_id, True)  # named by its id
    code, out, err = run("--db", db, "keys", "revoke", fingerprint, capsys=capsys)
    assert (code, out) == (0, f"Key {key_id} was already revoked\n")
    code, out, err = run("--db", db, "keys", "revoke", fingerprint[:-5], capsys=capsys)
    assert code == 1 and "no key" in err  # part of it names no key: never a guess


# --- data export to standard output -----------------------------------------------------


def test_data_export_to_dash_writes_csv_to_standard_output(hq_db, tmp_path, monkeypatch,
                                                           capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for fmt in ("csv", "hxl"):
        code, out, err = run("--db", hq_db, "data", "export", "--format", fmt, "-o", "-",
                             capsys=capsys)
        assert (code, err) == (0, "")
        header = out.splitlines()[0]
        assert header.startswith("office,")  # no byte-order mark for a program to read
        assert not (tmp_path / "-").exists()
    assert out.splitlines()[1].startswith("#")  # HXL's hashtag row


def test_data_export_xlsx_to_dash_goes_to_a_pipe_never_to_a_terminal(
        hq_db, tmp_path, monkeypatch, capsysbinary) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--db", hq_db, "data", "export", "--format", "xlsx", "-o", "-",
                         capsys=capsysbinary)
    assert (code, err) == (0, b"")
    assert out.startswith(b"PK\x03\x04")  # a ZIP archive: the XLSX file
    monkeypatch.setattr("fieldplan.cli._is_terminal", lambda stream: True)
    code, out, err = run("--db", hq_db, "data", "export", "--format", "xlsx", "-o", "-",
                         capsys=capsysbinary)
    assert (code, out) == (2, b"")
    assert err.decode().splitlines()[-1].endswith(
        "an XLSX file is not for a terminal: give -o a file name, or send standard "
        "output to a file or a program")
    code, out, err = run("--db", hq_db, "--json", "data", "export", "--format", "csv",
                         "-o", "-", capsys=capsysbinary)
    assert (code, out) == (2, b"")
    assert not (tmp_path / "-").exists()
    assert os.listdir(tmp_path) == ["db"]
