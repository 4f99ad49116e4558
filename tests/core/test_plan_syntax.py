"""A plan file that is not valid TOML, JSON or CSV is refused in one line that names
the file, says where and why, all in the reader's language. Python's parsers say why
in English ("Invalid value (at end of document)", "Expecting ',' delimiter"), and that
text was put as it was inside the translated line: a French reader read "erreur de
syntaxe TOML : Invalid value (at end of document)".

The catalogs are translated after the code changes: the French tests add the new
messages to the real catalog (tests.draft_catalog)."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

from fieldplan import i18n
from fieldplan.errors import PlanError
from fieldplan.plan import MAX_PLAN_BYTES, format_plan, load_plan, parse_plan_text
from fieldplan.syntax import json_error, toml_error
from tests.draft_catalog import with_messages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
GOOD_TOML = (FIXTURES / "good_small.toml").read_text(encoding="utf-8")
GOOD_JSON = format_plan(load_plan(FIXTURES / "good_small.toml"), "json")

NBSP = "\u00a0"
#: the new messages, translated as a translator would
NEW_FR = {
    "{file}: TOML syntax error at line {line}, column {column}: {error}":
        f"{{file}}{NBSP}: erreur de syntaxe TOML à la ligne {{line}}, colonne {{column}}{NBSP}: "
        "{error}",
    "{file}: TOML syntax error at the end of the file: {error}":
        f"{{file}}{NBSP}: erreur de syntaxe TOML à la fin du fichier{NBSP}: {{error}}",
    "not valid TOML here": "TOML non valide à cet endroit",
    "not valid JSON here": "JSON non valide à cet endroit",
    "not valid CSV here": "CSV non valide à cet endroit",
    "a value is missing or not valid": "une valeur manque ou n’est pas valide",
    "a text in quotes is not closed": "un texte entre guillemets n’est pas fermé",
    "a control character is not allowed here":
        "un caractère de contrôle n’est pas permis ici",
    "a backslash (\\) starts no valid escape; write \\\\ for a backslash itself":
        "une barre oblique inverse (\\) ne commence aucun échappement valide ; "
        "écrivez \\\\ pour la barre elle-même",
    "a line must be a key = value, a [table] or a # comment":
        "une ligne doit être une clé = valeur, une [table] ou un # commentaire",
    "more text follows a value on its line": "du texte suit une valeur sur sa ligne",
    "a table name lacks its closing ]": "il manque le ] fermant d’un nom de table",
    "a table name lacks its closing ]]": "il manque le ]] fermant d’un nom de table",
    "an equals sign (=) is missing after a key": "il manque un signe égal (=) après une clé",
    "a key is missing or not valid": "une clé manque ou n’est pas valide",
    "a list lacks a comma or its closing ]":
        "il manque une virgule ou le ] fermant d’une liste",
    "a table written in braces lacks a comma or its closing brace":
        "il manque une virgule ou l’accolade fermante d’une table écrite entre accolades",
    "a key is given twice": "une clé est donnée deux fois",
    "a table is declared twice": "une table est déclarée deux fois",
    "a table defined earlier cannot be added to here":
        "une table définie plus haut ne peut pas être complétée ici",
    "a date or time is not valid": "une date ou une heure n’est pas valide",
    "a comma is missing": "il manque une virgule",
    "a colon (:) is missing after a key": "il manque deux-points (:) après une clé",
    "a key in double quotes is expected here": "une clé entre guillemets droits est attendue ici",
    "a comma comes before a closing bracket": "une virgule précède un crochet fermant",
    "more text follows the end of the data": "du texte suit la fin des données",
    "a cell is too long": "une cellule est trop longue",
}

# What Python's parsers say, which must not reach a reader of another language
PARSER_ENGLISH = re.compile(
    r"Invalid|Expect|Unterminated|Unclosed|Cannot|Duplicate|Illegal|Unescaped|Escaped"
    r"|Found|delimiter|document|Extra data|property name|field limit|namespace")


def broken(good: str, old: str, new: str) -> str:
    assert old in good
    return good.replace(old, new, 1)


TITLE = 'title = { en = "Governance", fr = "Gouvernance", ar = "الحوكمة" }'
BAD_TOML = [
    # (file text, where, the English reason, the French reason)
    (broken(GOOD_TOML, "version = 2\n", "version =\n"), "at line 4, column 10",
     "a value is missing or not valid", "une valeur manque ou n’est pas valide"),
    (broken(GOOD_TOML, '"Istanbul"', '"Istanbul'), "at line 8, column 25",
     "a text in quotes is not closed", "un texte entre guillemets n’est pas fermé"),
    (GOOD_TOML + 'note = "never closed', "at the end of the file",
     "a text in quotes is not closed", "un texte entre guillemets n’est pas fermé"),
    (broken(GOOD_TOML, "version = 2", "version = 2 3"), "at line 4, column 13",
     "more text follows a value on its line", "du texte suit une valeur sur sa ligne"),
    (broken(GOOD_TOML, 'code = "PA1"\n', 'code = "PA1"\ncode = "PA2"\n'),
     "at line 15, column 13", "a key is given twice", "une clé est donnée deux fois"),
    (broken(GOOD_TOML, "[[areas]]", "[[areas]"), "at line 13, column 8",
     "a table name lacks its closing ]]", "il manque le ]] fermant d’un nom de table"),
    (broken(GOOD_TOML, 'lead = "joint"', 'lead "joint"'), "at line 26, column 6",
     "an equals sign (=) is missing after a key",
     "il manque un signe égal (=) après une clé"),
    (broken(GOOD_TOML, 'title.en = "Policies"', 'title.en = "C:\\Policies"'),
     "at line 27, column 17",
     "a backslash (\\) starts no valid escape; write \\\\ for a backslash itself",
     "une barre oblique inverse (\\) ne commence aucun échappement valide ; "
     "écrivez \\\\ pour la barre elle-même"),
    (broken(GOOD_TOML, "start = 2025-06-21", "start = 2025-06-31"), "at line 5, column 9",
     "a date or time is not valid", "une date ou une heure n’est pas valide"),
    (broken(GOOD_TOML, TITLE, TITLE[:-2]), "at line 15, column 64",
     "a table written in braces lacks a comma or its closing brace",
     "il manque une virgule ou l’accolade fermante d’une table écrite entre accolades"),
    (GOOD_TOML + "\n[plan]\n", f"at line {GOOD_TOML.count(chr(10)) + 2}, column 6",
     "a table is declared twice", "une table est déclarée deux fois"),
    (broken(GOOD_TOML, "[plan]", "plan:"), "at line 2, column 5",
     "an equals sign (=) is missing after a key",
     "il manque un signe égal (=) après une clé"),
    (broken(GOOD_TOML, "[plan]", "* plan"), "at line 2, column 1",
     "a line must be a key = value, a [table] or a # comment",
     "une ligne doit être une clé = valeur, une [table] ou un # commentaire"),
]

TRAILING_COMMA = (("a comma comes before a closing bracket",
                   "une virgule précède un crochet fermant", "column 26")
                  if sys.version_info >= (3, 13) else
                  ("a key in double quotes is expected here",
                   "une clé entre guillemets droits est attendue ici", "column 3"))
BAD_JSON = [
    (broken(GOOD_JSON, '"version": 2,', '"version": 2'), "at line 5, column 5",
     "a comma is missing", "il manque une virgule"),
    (broken(GOOD_JSON, '"id": "test-plan"', "'id': \"test-plan\""), "at line 3, column 5",
     "a key in double quotes is expected here",
     "une clé entre guillemets droits est attendue ici"),
    (broken(GOOD_JSON, '"id": "test-plan"', '"id" "test-plan"'), "at line 3, column 10",
     "a colon (:) is missing after a key", "il manque deux-points (:) après une clé"),
    (broken(GOOD_JSON, '"Istanbul"', '"Istanbul'), "at line 13, column 31",
     "a text in quotes is not closed", "un texte entre guillemets n’est pas fermé"),
    (broken(GOOD_JSON, '"version": 2', '"version": two'), "at line 4, column 16",
     "a value is missing or not valid", "une valeur manque ou n’est pas valide"),
    (broken(GOOD_JSON, '"Test plan"', '"C:\\Test plan"'), "at line 6, column 16",
     "a backslash (\\) starts no valid escape; write \\\\ for a backslash itself",
     "une barre oblique inverse (\\) ne commence aucun échappement valide ; "
     "écrivez \\\\ pour la barre elle-même"),
    (broken(GOOD_JSON, '"Test plan"', '"Test\tplan"'), "at line 6, column 18",
     "a control character is not allowed here",
     "un caractère de contrôle n’est pas permis ici"),
    (GOOD_JSON + "}\n", f"at line {GOOD_JSON.count(chr(10)) + 1}, column 1",
     "more text follows the end of the data", "du texte suit la fin des données"),
    (broken(GOOD_JSON, '"illustrative": false\n  }', '"illustrative": false,\n  }'),
     f"at line {14 if sys.version_info >= (3, 13) else 15}, {TRAILING_COMMA[2]}",
     TRAILING_COMMA[0], TRAILING_COMMA[1]),
]


def refusal(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    return str(err.value)


@pytest.fixture(scope="module")
def french_catalog():
    with pytest.MonkeyPatch.context() as monkeypatch:  # (made once: it takes a second)
        with_messages(monkeypatch, "fr", NEW_FR)
        yield


@pytest.fixture
def french(french_catalog):
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(("text", "where", "english", "_french"), BAD_TOML)
def test_toml_says_where_and_why(tmp_path, text, where, english, _french) -> None:
    assert refusal(tmp_path, "plan.toml", text) == (
        f"plan.toml: TOML syntax error {where}: {english}")


@pytest.mark.parametrize(("text", "where", "english", "_french"), BAD_JSON)
def test_json_says_where_and_why(tmp_path, text, where, english, _french) -> None:
    assert refusal(tmp_path, "plan.json", text) == (
        f"plan.json: JSON syntax error {where}: {english}")


def french_where(where: str) -> str:
    if where == "at the end of the file":
        return "à la fin du fichier"
    return where.replace("at line", "à la ligne").replace("column", "colonne")


@pytest.mark.parametrize(("text", "where", "_english", "reason"), BAD_TOML)
def test_toml_in_french(tmp_path, french, text, where, _english, reason) -> None:
    message = refusal(tmp_path, "plan.toml", text)
    assert message == (f"plan.toml{NBSP}: erreur de syntaxe TOML {french_where(where)}"
                       f"{NBSP}: {reason}")
    assert not PARSER_ENGLISH.search(message)


@pytest.mark.parametrize(("text", "where", "_english", "reason"), BAD_JSON)
def test_json_in_french(tmp_path, french, text, where, _english, reason) -> None:
    message = refusal(tmp_path, "plan.json", text)
    assert message == (f"plan.json{NBSP}: erreur de syntaxe JSON {french_where(where)}"
                       f"{NBSP}: {reason}")
    assert not PARSER_ENGLISH.search(message)


def test_a_reason_python_words_otherwise_is_said_plainly(french) -> None:
    """A Python whose parsers word a reason otherwise: no English, a plain "not valid"."""
    assert toml_error(tomllib.TOMLDecodeError("Something new (at line 2, column 3)"),
                      "p.toml") == (f"p.toml{NBSP}: erreur de syntaxe TOML à la ligne 2, colonne 3"
                                    f"{NBSP}: TOML non valide à cet endroit")
    assert toml_error(tomllib.TOMLDecodeError("Something new, elsewhere"), "p.toml") == (
        f"p.toml{NBSP}: erreur de syntaxe TOML{NBSP}: TOML non valide à cet endroit")
    assert json_error(json.JSONDecodeError("Something new", "[\n 1 x]", 5), "p.json") == (
        f"p.json{NBSP}: erreur de syntaxe JSON à la ligne 2, colonne 4{NBSP}: "
        "JSON non valide à cet endroit")


def test_every_part_is_translated(tmp_path) -> None:
    """In the pseudo-locale every word of the line is a translated message's (its
    letters accented): none comes from a parser, whichever reason it gave."""
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    try:
        messages = [refusal(tmp_path, "plan.toml", text) for text, *_ in BAD_TOML]
        messages += [refusal(tmp_path, "plan.json", text) for text, *_ in BAD_JSON]
    finally:
        i18n.set_language("en")
    for message in messages:
        rest = re.sub(r"plan\.(toml|json)", "", message)
        assert rest.startswith("⟦") and not re.search("[AaCcDEeIiNnOoSsUuYyZz]", rest), message


def test_a_csv_cell_too_long_is_said_in_french(french) -> None:
    text = "sep=;\nplan_id;plan_title_en\nx;" + "y" * (MAX_PLAN_BYTES + 1) + "\n"
    with pytest.raises(PlanError) as err:
        parse_plan_text(text, "csv", "plan.csv")
    assert str(err.value) == f"plan.csv{NBSP}: ligne 2{NBSP}: une cellule est trop longue"
    i18n.set_language("en")
    with pytest.raises(PlanError) as err:
        parse_plan_text(text, "csv", "plan.csv")
    assert str(err.value) == "plan.csv: row 2: a cell is too long"
