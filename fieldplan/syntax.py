"""Why a plan file's TOML, JSON or CSV was refused, in the reader's language.

Python's parsers say it in English ("Invalid value (at end of document)", "Expecting
',' delimiter"): put inside a translated line, a French or Arabic reader got half a
sentence in English. The lines here name the file first, then where (line and column)
and why in the reader's words: the usual reasons of tomllib, json and csv, as CPython
3.11 to 3.13 word them, are said again; any other as a plain "not valid TOML here",
never in English.
"""

from __future__ import annotations

import json
import re

from fieldplan.i18n import N_, _, ltr

# tomllib ends each message with where: "Invalid value (at line 3, column 5)" or
# "... (at end of document)" (3.14 words it the same and adds lineno and colno)
_TOML_AT = re.compile(
    r"(?P<reason>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)",
    re.DOTALL)

# Reasons shared by both formats.
# Translators: why a plan file was refused, after "plan.toml: TOML syntax error at
# line 3, column 5: "; "\\" below reads one backslash, "\\\\" two
_VALUE = N_("a value is missing or not valid")
_UNCLOSED_TEXT = N_("a text in quotes is not closed")
_CONTROL = N_("a control character is not allowed here")
_ESCAPE = N_("a backslash (\\) starts no valid escape; write \\\\ for a backslash itself")

#: (the start of tomllib's message, what it means)
_TOML_REASONS: tuple[tuple[str, str], ...] = (
    ("Invalid value", _VALUE),
    ("Invalid statement", N_("a line must be a key = value, a [table] or a # comment")),
    ("Expected newline or end of document after a statement",
     N_("more text follows a value on its line")),
    ("Expected ']' at the end of a table declaration",
     N_("a table name lacks its closing ]")),
    ("Expected ']]' at the end of an array declaration",
     N_("a table name lacks its closing ]]")),
    ("Expected '=' after a key", N_("an equals sign (=) is missing after a key")),
    ("Invalid initial character for a key part", N_("a key is missing or not valid")),
    ("Unclosed array", N_("a list lacks a comma or its closing ]")),
    ("Unclosed inline table", N_("a table written in braces lacks a comma or its closing brace")),
    ("Cannot overwrite a value", N_("a key is given twice")),
    ("Duplicate inline table key", N_("a key is given twice")),
    ("Cannot declare", N_("a table is declared twice")),
    ("Cannot redefine namespace", N_("a table defined earlier cannot be added to here")),
    ("Cannot mutate immutable namespace",
     N_("a table defined earlier cannot be added to here")),
    ("Unterminated string", _UNCLOSED_TEXT),
    ("Expected \"'\"", _UNCLOSED_TEXT),  # a literal string ('...' or '''...''')
    ("Expected \"'''\"", _UNCLOSED_TEXT),
    # a line break in a one-line string: its closing quote is missing
    ("Illegal character '\\n'", _UNCLOSED_TEXT),
    ("Found invalid character '\\n'", _UNCLOSED_TEXT),
    ("Illegal character", _CONTROL),
    ("Found invalid character", _CONTROL),
    ("Unescaped '\\' in a string", _ESCAPE),
    ("Invalid hex value", _ESCAPE),
    ("Escaped character is not a Unicode scalar value", _ESCAPE),
    ("Invalid date or datetime", N_("a date or time is not valid")),
)

#: (the start of json's message, what it means); "Illegal trailing comma": 3.13 on
_JSON_REASONS: tuple[tuple[str, str], ...] = (
    ("Expecting value", _VALUE),
    ("Expecting ',' delimiter", N_("a comma is missing")),
    ("Expecting ':' delimiter", N_("a colon (:) is missing after a key")),
    ("Expecting property name enclosed in double quotes",
     N_("a key in double quotes is expected here")),
    ("Illegal trailing comma", N_("a comma comes before a closing bracket")),
    ("Unterminated string", _UNCLOSED_TEXT),
    ("Invalid control character", _CONTROL),
    ("Invalid \\", _ESCAPE),  # "Invalid \escape", "Invalid \uXXXX escape"
    ("Extra data", N_("more text follows the end of the data")),
)


def _reason(said: str, known: tuple[tuple[str, str], ...], otherwise: str) -> str:
    for start, reason in known:
        if said.startswith(start):
            return _(reason)
    return otherwise


#: A value that is a number with a decimal comma where TOML wants a point
#: (target = 12,5; "2026-S1" = 6,5 in an inline table): TOML reads the number up to
#: the comma, then fails at the comma or after it.
_DECIMAL_COMMA = re.compile(r"=[ \t]*([-+]?[0-9]+),([0-9]+)(?![\w.])")


def toml_error(exc: ValueError, file: str, text: str = "") -> str:
    """One line for a tomllib.TOMLDecodeError: "plan.toml: TOML syntax error at line
    3, column 5: a value is missing or not valid". A number written with a decimal
    comma (``text``, the file's text, says where) is said as such: "line 12: 12,5
    has a decimal comma; TOML writes 12.5"."""
    found = _TOML_AT.fullmatch(str(exc))
    if found is not None and found["line"] is not None and text:
        lines = text.split("\n")
        number = int(found["line"])
        line = lines[number - 1] if 0 < number <= len(lines) else ""
        column = int(found["column"]) - 1
        for comma in _DECIMAL_COMMA.finditer(line):
            if comma.start(2) - 1 <= column:
                # Translators: {value} is a number as a TOML file wrote it ("12,5"),
                # {point} the same with a decimal point ("12.5")
                return _("{file}: line {line}: {value} has a decimal comma; TOML writes "
                         "decimals with a point: {point}").format(
                             file=ltr(file), line=number,
                             value=f"{comma.group(1)},{comma.group(2)}",
                             point=f"{comma.group(1)}.{comma.group(2)}")
    if found is None:  # (not a tomllib we know: no position to give)
        return _("{file}: TOML syntax error: {error}").format(
            file=ltr(file), error=_("not valid TOML here"))
    error = _reason(found["reason"], _TOML_REASONS, _("not valid TOML here"))
    if found["line"] is None:
        # Translators: {error} is one of the reasons, as in "a value is missing or not valid"
        return _("{file}: TOML syntax error at the end of the file: {error}").format(
            file=ltr(file), error=error)
    return _("{file}: TOML syntax error at line {line}, column {column}: {error}").format(
        file=ltr(file), line=int(found["line"]), column=int(found["column"]), error=error)


def json_error(exc: json.JSONDecodeError, file: str) -> str:
    """One line for a json.JSONDecodeError: "plan.json: JSON syntax error at line 2,
    column 16: a comma is missing"."""
    if exc.msg.startswith("Invalid control character") and exc.doc[exc.pos:exc.pos + 1] in (
            "\n", "\r"):
        error = _(_UNCLOSED_TEXT)  # a line break in a string: its closing quote is missing
    else:
        error = _reason(exc.msg, _JSON_REASONS, _("not valid JSON here"))
    return _("{file}: JSON syntax error at line {line}, column {column}: {error}").format(
        file=ltr(file), line=exc.lineno, column=exc.colno, error=error)


def csv_reason(exc: Exception) -> str:
    """Why the csv module refused a row: the only csv.Error a plan's reader meets
    (not strict, every line end accepted) is a cell over the size limit."""
    if str(exc).startswith("field larger than field limit"):
        return _("a cell is too long")
    return _("not valid CSV here")
