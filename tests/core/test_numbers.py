"""Numbers as people type them, read one way by the client and the command line
(fieldplan.numbers), in the language's own form, without Qt."""

from __future__ import annotations

import pytest

from fieldplan.numbers import number_error, parse_number, parse_percent

NNBSP = "\u202f"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_arabic_digits_and_separators_are_read_in_every_language(lang):
    assert parse_number("\u0669\u066b\u0665", lang) == 9.5  # ٩٫٥
    assert parse_number("\u0661\u0662\u066c\u0660\u0660\u0660", lang) == 12000  # ١٢٬٠٠٠
    assert parse_number("\u200f-5", lang) == -5 and parse_number("\u22125", lang) == -5
    assert parse_number(f"12{NNBSP}000", lang) == 12000 == parse_number("12 000", lang)
    assert parse_number(" ", lang) == ""
    for text in ("abc", "nan", "inf", "1e999", "1_000", "0x10", "\u0665\u060c\u0667\u0665"):
        assert parse_number(text, lang) is None, text


def test_the_comma_is_the_language_s():
    assert parse_number("9,500", "en") == 9500 == parse_number("9,500", "ar")
    assert parse_number("9,500", "fr") == 9.5
    assert parse_number("12,00", "en") is None  # a shown 12,000 with a zero deleted
    assert parse_number("1.234,5", "fr") == 1234.5 and parse_number("1.234,5", "en") is None
    # two readings: refused, and both said
    assert parse_number("12.500", "fr") is None and parse_number("12.500", "en") == 12.5
    assert number_error("12.500", "fr") == (
        f"12.500 can be read two ways: type 12{NNBSP}500 or 12,5.")
    assert number_error("5,75", "ar").startswith("Type decimals with a point")
    assert number_error("abc", "en") == "Type a number."


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_spaces_group_thousands_by_threes_or_are_refused(lang):
    """A space (or the Arabic thousands separator) was taken out wherever it stood:
    French "12 00" (a shown 12 000 with a zero deleted) was recorded as 1200, "1 5" as
    15, "150 200" as 150200, where English "12,00" is refused. Spaces grouping by
    threes are read as before; others are refused, saying how to type a number."""
    from fieldplan.numbers import parse_written, without_percent_sign

    for text in ("12 00", "1 5", "150 20", "1 2 3", f"12{NNBSP}00", "1\u00a05",
                 "\u0661\u0662\u066c\u0660\u0660"):  # ١٢٬٠٠
        assert parse_number(text, lang) is None, text
        assert parse_written(text, lang) is None, text
        assert number_error(text, lang) != "Type a number.", text
    for text, read in (("12 000", 12000), ("1 234 567", 1234567), (f"1{NNBSP}000.5", 1000.5),
                       ("- 12", -12), ("\u0661\u0662 \u0663\u0664\u0665", 12345),
                       (" 45 ", 45)):
        assert parse_number(text, lang) == read == parse_written(text, lang), text
    assert parse_number("1 234,5", "fr") == 1234.5
    assert parse_number("12 5,5", "fr") is None
    assert parse_percent("4 5 %") is None and parse_percent("45 %") == 45
    # (an indicator in percent: its sign taken off, its spaces still seen)
    assert parse_number(without_percent_sign("12 00 %"), lang) is None
    assert parse_number(without_percent_sign("12 000 %"), lang) == 12000


def test_a_percent_is_a_whole_number_with_or_without_its_sign():
    for text in ("45", "45 %", "45\u00a0%", "\u0664\u0665\u066a", "\u200e45%\u200e", "+45"):
        assert parse_percent(text) == 45, text
    assert parse_percent("") == "" and parse_percent(" % ") == ""
    for text in ("45.0", "abc", "4_5", "%45"):
        assert parse_percent(text) is None, text


def test_why_a_number_held_back_then_reads_now():
    """A number the drafts held back as no number when it was typed, that reads as one
    now: typed in another language, in an indicator that was no percent then, or
    neither (what the editor then says: ui.report_editor's ``_held_error``)."""
    from fieldplan import i18n
    from fieldplan.numbers import HELD_AS_NO_PERCENT, HELD_IN_ANOTHER_LANGUAGE, why_held

    assert i18n.get_language() == "en"
    assert why_held("12.500", percent=False) == HELD_IN_ANOTHER_LANGUAGE  # French's
    assert why_held("45 %", percent=True) == HELD_AS_NO_PERCENT
    assert why_held("45", percent=True) == ""
    assert why_held("45", percent=False) == ""
    assert why_held("\u0664\u0665", percent=False) == ""  # ٤٥: every language's
    i18n.set_language("fr")  # (each test starts in English: conftest)
    assert why_held("12,5", percent=False) == HELD_IN_ANOTHER_LANGUAGE  # English's
    assert why_held("12,5 %", percent=True) == HELD_IN_ANOTHER_LANGUAGE
