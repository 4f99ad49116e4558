"""What each command's --help and success line tell a newcomer, pinned as facts
(never whole texts): what a command writes, where, what it refuses."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from fieldplan import i18n
from fieldplan.cli import build_parser, main


def run(*argv: str, capsys) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _flat(text: str) -> str:
    return " ".join(text.split())


def _option_help(parser: argparse.ArgumentParser, option: str) -> str:
    return parser._option_string_actions[option].help or ""


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return next(a for a in parser._actions
                if isinstance(a, argparse._SubParsersAction)).choices[name]


def test_demo_help_says_it_writes_bundles_and_takes_a_folder_that_exists(capsys) -> None:
    """demo --help spoke of databases only, though the demo writes each office's
    bundle too (DIR/bundles), and said "folder to create it in", though a folder that
    exists, holding other files, takes the demo as well (only one holding a demo is
    refused)."""
    code, out, _ = run("demo", "--help", capsys=capsys)
    assert code == 0
    demo = _sub(build_parser(), "demo")
    assert "bundles" in demo.description
    out_help = _option_help(demo, "--out")
    assert "bundles" in out_help and "create it in" not in out_help
    assert "other files" in out_help
    assert "bundles" in _flat(out)


def test_demo_help_does_not_offer_the_db_it_refuses(tmp_path, monkeypatch, capsys) -> None:
    """demo --help listed --db among its options (usage line and common options),
    which demo refuses as a usage error: its databases go into --out. The refusal
    stays, given before or after the command."""
    code, out, _ = run("demo", "--help", capsys=capsys)
    assert code == 0 and "--db" not in out
    assert "--lang" in out and "--json" in out  # (the other common options stay)
    monkeypatch.chdir(tmp_path)
    for argv in (["demo", "--out", "w", "--db", "x.sqlite3"],
                 ["--db", "x.sqlite3", "demo", "--out", "w"]):
        code, out, err = run(*argv, capsys=capsys)
        assert (code, out) == (2, "") and "--db" not in err.splitlines()[0]
        assert err.splitlines()[-1].endswith("it takes no --db")
    assert not (tmp_path / "w").exists()


def test_demo_refusal_does_not_ask_for_an_empty_folder(tmp_path, capsys) -> None:
    """A folder already holding a demo was refused with "choose an empty folder",
    though a folder holding other files takes a demo: the person emptied a folder of
    their own files for nothing. It asks for another folder."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("kept", encoding="utf-8")
    assert run("demo", "--out", str(mine), "--offices", "1", capsys=capsys)[0] == 0
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "kept"
    code, out, err = run("demo", "--out", str(mine), "--offices", "1", capsys=capsys)
    assert (code, out) == (1, "")
    assert "already holds a demo" in err and "empty" not in err
    assert "another folder" in err


def test_demo_success_line_says_where_the_bundles_are_and_that_they_were_merged(
        tmp_path, monkeypatch, capsys) -> None:
    """demo's success line named the databases' folder and the offices' count only:
    not where the bundles went, and with --merge not that headquarters had merged
    them (a person then imported them again, every one a duplicate)."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("demo", "--out", "a", "--offices", "2", capsys=capsys)
    bundles = str(Path("a") / "bundles")
    assert code == 0 and bundles in out and "merged" not in out
    code, out, _ = run("demo", "--out", "b", "--offices", "2", "--merge", capsys=capsys)
    assert code == 0 and str(Path("b") / "bundles") in out and "merged at HQ" in out
    code, out, _ = run("--lang", "fr", "demo", "--out", "c", "--offices", "1", "--merge",
                       capsys=capsys)
    assert code == 0 and str(Path("c") / "bundles") in out


def test_init_author_help_says_what_is_recorded_instead(tmp_path, monkeypatch,
                                                        capsys) -> None:
    """init --help said only "name recorded on this replica's changes": not that the
    login name is recorded without it, nor that FIELDPLAN_AUTHOR, when set, is
    recorded instead of it on every change, as it is."""
    init = _sub(build_parser(), "init")
    text = _option_help(init, "--author")
    assert "FIELDPLAN_AUTHOR" in text and "login name" in text
    assert init._option_string_actions["--author"].metavar == "NAME"  # (as README says)
    db = str(tmp_path / "hq.sqlite3")
    monkeypatch.delenv("FIELDPLAN_AUTHOR", raising=False)
    assert run("--db", db, "init", "--hq", "--author", "Given", capsys=capsys)[0] == 0
    action = json.loads(run("--db", db, "--json", "actions", "--level", "global",
                            capsys=capsys)[1])[0]["code"]
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "From the variable")
    assert run("--db", db, "progress", "set", action, "--period", "2026-S1", "--note", "x",
               capsys=capsys)[0] == 0
    listed = json.loads(run("--db", db, "--json", "progress", "list", capsys=capsys)[1])
    assert [r["updated_by"] for r in listed] == ["From the variable"]


def _parsers(parser: argparse.ArgumentParser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _parsers(sub, (*prefix, name))


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_no_help_line_runs_past_the_terminal(lang, monkeypatch) -> None:
    """progress set's usage line held every status, "[--status {not-started,on-track,
    …,cancelled}]", 101 characters wide on an 80-column terminal (108 in French),
    which broke it in the middle of a word. The statuses are listed in --status's
    help instead, and every line of every help fits 80 columns."""
    from fieldplan.cli import _translate_argparse

    monkeypatch.setenv("COLUMNS", "80")
    i18n.set_language(lang)
    try:
        _translate_argparse()
        parser = build_parser()
        long = [(" ".join(name), line) for name, sub in [((), parser), *_parsers(parser)]
                for line in sub.format_help().splitlines() if len(line) > 80]
        status = _sub(_sub(parser, "progress"), "set")._option_string_actions["--status"]
    finally:
        i18n.set_language("en")
        _translate_argparse()
    assert long == []
    for word in ("not-started", "on-track", "at-risk", "off-track", "completed",
                 "cancelled"):
        assert word in status.help


_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _help_texts(lang: str) -> dict[tuple[str, str], str]:
    """Every description and help text of every parser, in ``lang``, by where it is."""
    from fieldplan.cli import _translate_argparse

    i18n.set_language(lang)
    try:
        _translate_argparse()
        parser = build_parser()
        texts = {}
        for name, sub in [((), parser), *_parsers(parser)]:
            where = " ".join(name)
            texts[(where, "")] = sub.description or ""
            for action in sub._actions:
                key = "/".join(action.option_strings) or action.dest
                if action.help is not argparse.SUPPRESS:
                    texts[(where, key)] = action.help or ""
                for choice in getattr(action, "_choices_actions", ()):
                    texts[(where, "sub " + choice.dest)] = choice.help or ""
    finally:
        i18n.set_language("en")
        _translate_argparse()
    return texts


def test_every_argument_has_help_and_names_only_options_that_exist() -> None:
    parser = build_parser()
    every = {(" ".join(name), sub) for name, sub in [((), parser), *_parsers(parser)]}
    top = set(parser._option_string_actions)
    for where, sub in every:
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue  # (each of its commands has its own help, below)
            assert action.help, (where, action.option_strings or action.dest)
        texts = [sub.description or ""] + [a.help or "" for a in sub._actions]
        for text in texts:
            for option in _OPTION.findall(text):
                assert option in sub._option_string_actions or option in top, (where, option)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_translated_help_names_the_same_options_and_figures(lang) -> None:
    """A translation of a help text that drops or changes an option (--dir for --out)
    or a figure (a default, a limit) tells the reader something else than the
    English."""
    digits = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")

    def facts(text: str) -> tuple[list[str], list[str]]:
        text = text.translate(digits)
        return sorted(set(_OPTION.findall(text))), sorted(set(re.findall(r"\d+", text)))

    english, other = _help_texts("en"), _help_texts(lang)
    assert other.keys() == english.keys()
    differ = {key: (facts(text), facts(other[key])) for key, text in english.items()
              if facts(text) != facts(other[key])}
    assert differ == {}
