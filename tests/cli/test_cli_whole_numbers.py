"""``demo --offices`` and ``--seed`` read a whole number as ``--percent`` does: a
word given for one was refused with argparse's "invalid int value: 'many'" ("valeur
int non valide", "قيمة int غير صالحة"), a Python type's name put before a person;
it now says, in words, that the value is not a whole number (exit 2), and takes
Arabic-Indic digits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli_messages import run


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "argument --offices: 'many' is not a whole number"),
    ("ar", "الوسيط --offices: «many» ليس عددًا صحيحًا"),
])
@pytest.mark.parametrize("option", ["--offices", "--seed"])
def test_a_word_for_a_count_is_said_in_words(tmp_path: Path, capsys, lang, said,
                                             option) -> None:
    code, out, err = run("--lang", lang, "demo", "--out", str(tmp_path / "w"), option,
                         "many", capsys=capsys)
    assert (code, out) == (2, "")
    line = err.rstrip("\n").split("\n")[-1]
    assert line.endswith(said.replace("--offices", option))
    assert "int" not in line and not (tmp_path / "w").exists()


def test_arabic_digits_are_a_count(tmp_path: Path, capsys) -> None:
    code, out, _err = run("--json", "demo", "--out", str(tmp_path / "w"), "--offices",
                          "٢", "--seed", "٣", capsys=capsys)
    assert code == 0 and len(json.loads(out)["offices"]) == 2


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_count_of_thousands_of_digits_is_said_in_words(tmp_path: Path, capsys,
                                                         lang) -> None:
    """Past the digits Python reads (4,300), argparse said "invalid whole_number value"
    (this type's function name) and echoed every digit; it now says what is wrong, in
    the language asked, in one short line."""
    from fieldplan.i18n import translation

    code, out, err = run("--lang", lang, "demo", "--out", str(tmp_path / "w"), "--seed",
                         "9" * 5000, capsys=capsys)
    assert (code, out) == (2, "")
    line = err.rstrip("\n").split("\n")[-1]
    assert line.endswith(translation(lang).gettext("a number has thousands of digits"))
    assert "whole_number" not in line and len(line) < 200
    assert not (tmp_path / "w").exists()
