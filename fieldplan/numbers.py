"""Numbers as people type them, read one way by the desktop client and the command
line: what ``format_number`` writes in the language ("12,000" / "12 000" / "12,000"),
with or without groups, spaces between thousands, Arabic-Indic digits and the Arabic
decimal (٫) and thousands (٬) separators, direction marks. A number with two readings
is refused, and ``number_error`` says how to type it."""

from __future__ import annotations

import math
import re

from fieldplan.i18n import LANGUAGES, _, decimal_point, format_number, get_language

#: Arabic-Indic and Persian digits to ASCII, and the direction marks that come with a
#: number copied from an Arabic text (Qt's own Arabic minus sign starts with one) taken
#: out: what ``ascii_digits`` changes
_DIGITS_ONLY = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS_ONLY.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DIGITS_ONLY.update({0x200E: None, 0x200F: None, 0x061C: None})
_DIGITS = dict(_DIGITS_ONLY)
# and the Arabic decimal and thousands separators, spaces between thousands, the minus
# sign of typeset text
_DIGITS.update({0x066B: ".", 0x066C: None, 0x00A0: None, 0x202F: None, ord(" "): None,
                0x2212: "-"})

#: A number once in ASCII, without groups: what is left to read.
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: A number grouped by threes with commas ("1,234,567.5"), once in ASCII.
_COMMA_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")
#: thousands grouped by points ("12.500", "1.234.567"), as many write them in French
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")
#: the same followed by a decimal comma ("1.234,5"): one reading only, where the comma
#: is the decimal separator (French)
_DOT_GROUPED_DECIMALS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+,\d+")
#: A whole percent once in ASCII, its sign taken off ("45 %", "٤٥٪").
_WHOLE = re.compile(r"[+-]?\d+")


#: The marks between thousands ``ascii_number`` takes out: spaces (no-break ones too)
#: and the Arabic thousands separator.
_GROUP_MARKS = " \u00a0\u202f\u066c"
#: A number whose whole part those marks (or commas) group by threes, once its digits
#: and decimal point are in ASCII; its sign may be followed by a space ("- 12").
_GROUPED = re.compile(r"[+\-\u2212]?[ \u00a0\u202f]*\d{1,3}([ \u00a0\u202f\u066c,]\d{3})*"
                      r"([.,]\d*)?([eE][+-]?\d+)?")


def _badly_grouped(text: str) -> bool:
    """Whether ``text`` has marks between thousands (``_GROUP_MARKS``) that do not group
    its whole part by threes: French "12 00" (a shown 12 000 with a zero deleted),
    "1 5", "١٢٬٠٠". ``ascii_number`` takes them out wherever they stand: 1200, 15."""
    plain = text.strip().translate(_DIGITS_ONLY).replace("\u066b", ".").strip()
    if not any(mark in plain for mark in _GROUP_MARKS):
        return False
    return not _GROUPED.fullmatch(plain)


def ascii_number(text: str) -> str:
    """``text`` stripped, with Arabic-Indic digits and separators in ASCII and the spaces
    between thousands and direction marks taken out."""
    return text.strip().translate(_DIGITS)


def ascii_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits in ASCII and direction marks taken
    out, every other character kept: a date a spreadsheet in Arabic or Persian writes
    (٢١/٠٦/٢٠٢٥, ۲۰۲۵-۰۶-۲۱) as the ASCII one."""
    return text.translate(_DIGITS_ONLY)


def parse_number(text: str, lang: str | None = None) -> float | int | str | None:
    """A number as typed in ``lang`` (default: current): "" for nothing, None for text
    that is not a finite number.

    Besides the language's own form: a decimal point in French, thousands by points
    before a decimal comma ("1.234,5": where the comma is the decimal separator).
    Where the comma groups thousands (English, Arabic), a comma that does not group by
    threes is refused rather than read as a decimal comma: "12,00" is a shown 12,000
    with a zero deleted, not 12; in French "12.500" is refused (twelve thousand five
    hundred, or 12.5?)."""
    if not text.strip():
        return ""
    if _badly_grouped(text):
        return None  # "12 00": a shown 12 000 with a zero deleted, or two numbers
    plain = ascii_number(text)
    comma_decimal = decimal_point(lang) == ","
    if comma_decimal and _DOT_GROUPED.fullmatch(plain):
        if plain.count(".") == 1:
            return None  # "12.500": two readings
        plain = plain.replace(".", "")  # "1.234.567": thousands only
    elif comma_decimal and _DOT_GROUPED_DECIMALS.fullmatch(plain):
        plain = plain.replace(".", "")  # "1.234,5"
    if "," in plain:
        if not comma_decimal:
            if not _COMMA_GROUPED.fullmatch(plain):
                return None
            plain = plain.replace(",", "")
        elif plain.count(",") == 1 and "." not in plain:
            plain = plain.replace(",", ".")  # the language's decimal comma
    return _read_plain(plain)


def _read_plain(plain: str) -> float | int | None:
    """A number in ASCII without groups (``_PLAIN``): whole as an int; None for
    anything else, or one that is not finite."""
    if not _PLAIN.fullmatch(plain):
        return None
    number = float(plain)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


#: A comma before three digits alone ("1,250"): thousands in English and Arabic, the
#: decimal comma in French.
_COMMA_THREE = re.compile(r"[+-]?\d{1,3},\d{3}")


def parse_written(text: str, lang: str | None = None) -> float | int | str | None:
    """A number in a command or a script (``--value KEY=NUM``), as ``parse_number``
    reads it, except that a plain number with a decimal point ("2.500", "1250.5") is
    read alike in every language, and one a language's comma would make a thousand
    times larger or smaller ("1,250") is refused in every language: the same command
    run on a computer set to French or to English records the same value."""
    plain = ascii_number(text)
    if _COMMA_THREE.fullmatch(plain) or _badly_grouped(text):
        return None
    if _PLAIN.fullmatch(plain):
        return _read_plain(plain)
    return parse_number(text, lang)


def written_error(text: str, lang: str | None = None) -> str:
    """Why ``parse_written`` refused ``text``, and how to type it: "1,250" gives both
    readings as a script writes them ("type 1250 or 1.25")."""
    plain = ascii_number(text)
    if _COMMA_THREE.fullmatch(plain):
        return _("{text} can be read two ways: type {thousands} or {decimals}.").format(
            text=text.strip(), thousands=plain.replace(",", ""),
            decimals=plain.replace(",", "."))
    return number_error(text, lang)


#: The largest value (either sign) an indicator takes from a person: a thousand million
#: million, past any count or sum of money. More is a slip of the keyboard (a number
#: pasted twice), which printed in full fills a table cell of the sheets. (An import
#: takes any finite number, as an older fieldplan let through: refused there, the
#: event would stay unsendable in its computer's history for ever.)
MAX_INDICATOR_VALUE = 10**15


def too_large_error(value: float, text: str, lang: str | None = None) -> str:
    """Why an indicator's value typed as ``text`` is refused, or "" (see
    MAX_INDICATOR_VALUE)."""
    if abs(value) <= MAX_INDICATOR_VALUE:
        return ""
    return _("{text} is too large: the largest number allowed is {maximum}.").format(
        text=text.strip(), maximum=format_number(MAX_INDICATOR_VALUE, lang))


def number_error(text: str, lang: str | None = None) -> str:
    """Why a number typed as ``text`` (``parse_number`` gave None) is not read, and how
    to type it: a number with two readings gives both."""
    plain = ascii_number(text)
    comma_decimal = decimal_point(lang) == ","
    # figures with spaces that do not group them by threes ("12 00", "1 5")
    spaced = _badly_grouped(text) and bool(re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", plain))
    if comma_decimal and _DOT_GROUPED.fullmatch(plain):
        return _("{text} can be read two ways: type {thousands} or {decimals}.").format(
            text=text.strip(), thousands=format_number(int(plain.replace(".", "")), lang),
            decimals=format_number(float(plain), lang))
    if not comma_decimal and (spaced or (
            re.fullmatch(r"[+-]?[\d,\u060c]*\d", plain)
            and any(sep in plain for sep in ",\u060c"))):
        # "5,75", "٥،٧٥", "12,00" where the comma groups thousands
        return _("Type decimals with a point, as in {decimals}, and thousands in threes, "
                 "as in {thousands}.").format(decimals=format_number(5.75, lang),
                                              thousands=format_number(12000, lang))
    if comma_decimal and (spaced or (
            re.fullmatch(r"[+-]?[\d.,]*\d", plain) and "," in plain)):
        # "1.23,5", "1,234.5", "1,2,3" where the comma is the decimal separator
        return _("Type decimals with a comma, as in {decimals}, and thousands with spaces, "
                 "as in {thousands}.").format(decimals=format_number(1234.5, lang),
                                              thousands=format_number(12000, lang))
    return _("Type a number.")


#: The percent signs a number typed in a percent's field may end with ("45 %", "٤٥٪").
PERCENT_SIGNS = "%\u066a"


def without_percent_sign(text: str) -> str:
    """``text`` stripped, a percent sign at its end taken off: the sign the field's
    label or unit already says may be typed ("4,8 %", "٤٫٨٪"). (Its spaces kept, for
    ``parse_number`` to see whether they group thousands.)"""
    plain = text.strip().translate(_DIGITS_ONLY)  # (direction marks out)
    return plain.rstrip(PERCENT_SIGNS).strip()


#: Why a number held back when it was typed reads as one now (``why_held``).
HELD_IN_ANOTHER_LANGUAGE = "language"
HELD_AS_NO_PERCENT = "percent"


def why_held(text: str, *, percent: bool) -> str:
    """Why an indicator's value typed as ``text``, held back then as no number (the
    draft journal keeps the text, not why), may read as a number now, in the current
    language, in a field of a percent (``percent``) or not: HELD_IN_ANOTHER_LANGUAGE
    when another language refuses it (French "12.500", two readings there, is 12.5
    in English); else HELD_AS_NO_PERCENT when it reads only with its percent sign
    taken off ("45 %": the indicator counted something else then, and an amendment of
    the plan made it a percent); "" when neither explains it."""

    def refused(typed: str, lang: str | None) -> bool:
        value = parse_number(typed, lang)
        return value is None or (value != "" and bool(too_large_error(value, typed, lang)))

    plain = without_percent_sign(text) if percent else text
    if any(refused(plain, lang) for lang in LANGUAGES if lang != get_language()):
        return HELD_IN_ANOTHER_LANGUAGE
    if percent and refused(text, None):
        return HELD_AS_NO_PERCENT
    return ""


def parse_percent(text: str) -> int | str | None:
    """A whole percent as typed: "" for nothing, None for text that is not a whole
    number (the range is the caller's to check). "45", "45 %", "٤٥٪": the sign the
    field's label already says may be typed."""
    plain = without_percent_sign(text)
    if not plain:
        return ""
    if _badly_grouped(plain):
        return None  # "4 5 %"
    plain = ascii_number(plain)
    return int(plain) if _WHOLE.fullmatch(plain) else None
