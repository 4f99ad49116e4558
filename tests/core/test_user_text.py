"""User text through the core: control characters removed on the way in, refused
characters left out of spreadsheets, too-long narratives named for people, huge
indicator values kept as floats."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.errors import ValidationError
from fieldplan.text import (
    bidi_contained,
    clean_text,
    for_message,
    for_spreadsheet,
    for_terminal,
    paragraph_direction,
    search_key,
)


def _global(rep) -> str:
    return rep.plan().actions_of(level="global")[0].code


def test_clean_text() -> None:
    assert clean_text("a\x01b\x07c\x1b[31md\x7fe\x80\x9f\x1c") == "abc[31mde"
    assert clean_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert clean_text("bad \udcff byte") == "bad \ufffd byte"
    assert clean_text("عربي — ok ✓") == "عربي — ok ✓"
    # a paragraph separator ends a line as a newline does (the client cannot tell
    # them apart); no-break spaces and line separators stay as written
    assert clean_text("one\u2029two") == "one\ntwo"
    assert clean_text("le 12\u00a0mars\u202f!\u2028ok") == "le 12\u00a0mars\u202f!\u2028ok"
    # NEXT LINE (U+0085), a line end some Windows tools write (text converted from
    # EBCDIC): removed as a control character, it joined the words either side of it
    assert clean_text("first line\x85second line") == "first line\nsecond line"
    assert clean_text("a\r\nb\x85\x85c") == "a\nb\n\nc"


def test_a_narrative_with_next_line_characters_keeps_its_lines(hq) -> None:
    """A narrative pasted from a tool that ends lines with NEL is stored with its
    lines, as the CLI and the client store a text with CR LF."""
    act = _global(hq)
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="Workshop held\x85Report sent")
    assert progress.get_report(hq, act, "2026-S1").achievements == "Workshop held\nReport sent"


def test_bidi_contained_keeps_a_name_from_reordering_what_follows_it() -> None:
    """Embeddings and overrides go; an isolate goes unless it closes in its line (a
    name isolated already keeps its marks); other text is left as it is."""
    assert bidi_contained("\u202egnp.fieldplan") == "gnp.fieldplan"
    assert bidi_contained("a\u202ab\u202bc\u202cd\u202de") == "abcde"
    assert bidi_contained("x \u2066PA1.1\u2069 y \u2068عربي\u2069") == (
        "x \u2066PA1.1\u2069 y \u2068عربي\u2069")
    assert bidi_contained("open \u2067left") == "open left"
    assert bidi_contained("stray\u2069 close") == "stray close"
    assert bidi_contained("\u2068one line\n\u2069next") == "one line\nnext"
    assert bidi_contained("\u2066a \u2067b\u2069") == "a \u2067b\u2069"
    plain = "عقدت ورشة \u200fعمل\u200e — 2026-S1"  # marks are no controls of this kind
    assert bidi_contained(plain) is plain


def test_paragraph_direction_goes_by_most_words() -> None:
    """An Arabic narrative that starts with a Latin word or a number reads right to left
    (by the first strong character alone, Unicode's P2, it read left to right, its
    words in the wrong order); a French or English one naming an Arabic ministry left
    to right; a tie goes to the first letter."""
    assert paragraph_direction("IOM قدمت الدعم الفني لوزارة الداخلية") == "R"
    assert paragraph_direction("2026: PA1.2 تم تدريب 54 موظفًا") == "R"
    assert paragraph_direction("OIC–IOM Istanbul 2025 اتفاق") == "L"
    assert paragraph_direction(
        "Réunion avec le ministère (وزارة الداخلية) à Amman, 3 procédures.") == "L"
    # words, not letters: an Arabic name has more letters than the French words
    # around it ("Réunion avec": 11; "وزارة الداخلية": 12)
    assert paragraph_direction("Réunion avec وزارة الداخلية") == "L"
    assert paragraph_direction("موظفًا IOM") == "R"  # (a tie; tanwin within its word)
    assert paragraph_direction("Funding arrived late.") == "L"
    assert paragraph_direction("تأخر التمويل") == "R"
    # a tie: the first letter decides
    assert paragraph_direction("abc دجه") == "L"
    assert paragraph_direction("دجه abc") == "R"
    # or the one asked for (a search field's layout: "PA1 تقرير" typed in Arabic)
    assert paragraph_direction("PA1 تقرير", tie="R") == "R"
    assert paragraph_direction("تقرير PA1", tie="L") == "L"
    assert paragraph_direction("PA1 تقرير عن", tie="L") == "R"  # (no tie)
    assert paragraph_direction("‎تقرير PA1", tie="R") == "L"  # (a mark says it)
    # no letter: no direction
    assert paragraph_direction("12 / 40 — 45%") is None
    assert paragraph_direction("") is None
    assert paragraph_direction("٣٤ / ٥٦") is None
    # a direction mark first says it; an isolate's letters take no vote
    assert paragraph_direction("\u200fWorkshop held in Amman عمان") == "R"
    assert paragraph_direction("\u200eتأخر التمويل كثيرا x") == "L"
    assert paragraph_direction("\u2066ML-1a2b.fieldplan manifest.json\u2069 وصل") == "R"


def test_search_key_folds_case_accents_and_arabic_vowel_marks() -> None:
    """A search typed without accents, or without Arabic's vowel marks, finds the text
    written with them ("ministere" found nothing of "ministère")."""
    assert search_key("Ministère de l'Intérieur") == "ministere de l'interieur"
    # French keyboards have no œ key: "coeur" finds "cœur", "Œuvre" "oeuvre"
    assert search_key("Main-d’œuvre, Cœur") == search_key("main-d'oeuvre, coeur")
    assert search_key("Ægée") == "aegee"
    assert search_key("CÔTE D’IVOIRE") == "cote d'ivoire"
    assert search_key("Straße") == "strasse"
    # harakat, the dagger alif and the tatweel that stretches a word
    assert search_key("كَتَبَ") == search_key("كتب") == "كتب"
    assert search_key("الهِجْرَةُ النِّظامِيَّة") == search_key("الهجرة النظامية")
    assert search_key("هٰذا") == "هذا"
    assert search_key("الـــهجرة") == search_key("الهجرة")
    assert search_key("plain ASCII") == "plain ascii"


def test_search_key_takes_what_is_written_either_way_as_one() -> None:
    """"IOM-OIC" typed with a hyphen found nothing of the narratives' "IOM–OIC"; nor
    did ه for ة, ي for ى, or 2026 for ٢٠٢٦."""
    assert search_key("IOM–OIC") == search_key("IOM—OIC") == search_key("IOM-OIC")
    assert search_key("مدرسة") == search_key("مدرسه")
    assert search_key("على") == search_key("علي")
    assert search_key("کارکنان") == search_key("كاركنان")  # Persian/Urdu letters
    assert search_key("عام ٢٠٢٦") == search_key("عام ۲۰۲۶") == search_key("عام 2026")
    assert search_key("it’s") == search_key("it's")


def test_search_key_finds_turkish_and_azerbaijani_names_typed_without_their_letters() -> None:
    """A Turkish or Azerbaijani name (Türkiye and Azerbaijan are members: "Şanlıurfa",
    "Diyarbakır", "Bakı" in a narrative) typed on another keyboard has an "i" for its
    dotless "ı", which no accent folding takes off: "sanliurfa" found nothing of
    "Şanlıurfa", while "istanbul" found "İstanbul". Upper case alike."""
    for written, typed in (("Şanlıurfa", "sanliurfa"), ("Diyarbakır", "DIYARBAKIR"),
                           ("İstanbul", "istanbul"), ("BAKI", "Bakı")):
        assert search_key(typed) in search_key(written), written


def test_for_spreadsheet_and_terminal() -> None:
    assert for_spreadsheet("a\x00b\x0bc\x1fd\te\nf\rg") == "abcd\te\nf\rg"
    assert for_terminal("a\x1b[0m\tb\nc\x07") == "a\\x1b[0m b c\\x07"
    # a bidi override cannot reorder the rest of the line; an isolate closed stays
    assert for_terminal("x\u202egnp.fieldplan, merged") == "xgnp.fieldplan, merged"
    assert for_terminal("\u2068ML\u2069 \u2067open") == "\u2068ML\u2069 open"


def test_for_message_quotes_a_files_value_on_one_short_line() -> None:
    """A bundle's field may be megabytes of escape sequences: a message quotes at most
    ``limit`` characters of it, escaped, cut between characters with "…"."""
    assert for_message("BN") == "BN"
    assert for_message("x" * 80) == "x" * 80
    assert for_message("x" * 81) == "x" * 79 + "…"
    assert for_message("sync\x1b]0;T\x07") == "sync\\x1b]0;T\\x07"
    cut = for_message("\x1b" * 1000, limit=10)
    assert cut == "\\x1b\\x1b…"  # never half an escape
    assert len(for_message("\x1b[2J" * 10_000)) <= 80
    assert for_message("a\nb" * 100, limit=5) == "a ba…"


def test_record_progress_removes_control_characters(hq) -> None:
    act = _global(hq)
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="ctrl\x01\x07\x1b[31mred", challenges="a\r\nb\tc",
                             next_steps="\x0cpage")
    r = progress.get_report(hq, act, "2026-S1")
    assert (r.achievements, r.challenges, r.next_steps) == ("ctrl[31mred", "a\nb\tc", "page")
    # the same text again, with other control characters: no change, no event
    assert progress.record_progress(hq, act, "2026-S1", achievements="ctrl\x02[31mred").events \
        == 0


def test_text_limit_is_counted_after_cleaning_and_named_for_people(hq) -> None:
    act = _global(hq)
    limit = progress.MAX_TEXT
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="x" * limit + "\x07" * 10)
    with pytest.raises(progress.TextTooLongError) as info:
        progress.record_progress(hq, act, "2026-S1", next_steps="y" * (limit + 1))
    assert str(info.value) == "Next steps is 20,001 characters long; the limit is 20,000"
    assert (info.value.field, info.value.length, info.value.limit) == (
        "next_steps", limit + 1, limit)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "hxl"])
def test_exports_survive_control_characters_from_older_data(hq, tmp_path: Path, fmt) -> None:
    from fieldplan.tabular import export_table

    act = _global(hq)
    progress.record_progress(hq, act, "2026-S1", status="on-track", achievements="x")
    # as an older version (or an imported bundle) may have stored it
    hq.conn.execute("UPDATE progress SET achievements = ?, challenges = ?",
                    ("ctrl\x01\x07\x1b[31mred\nline", "=cmd\x00"))
    hq.conn.commit()
    out = tmp_path / f"progress.{fmt}"
    assert export_table(hq, fmt, out) == 1
    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out).active
        values = [c.value for c in ws[2]]
        assert "ctrl[31mred\nline" in values and "=cmd" in values
    else:
        text = out.read_text(encoding="utf-8-sig")
        assert "\x1b" not in text and "\x00" not in text
        assert "ctrl[31mred\nline" in text and "'=cmd" in text
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_whole_values_are_stored_whole_and_values_past_the_limit_refused(
        make_office) -> None:
    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")[0]
    key = act.indicators[0].key
    for given, stored in ((1e15, 10**15), (-1e15, -(10**15)), (12.0, 12), (2.5, 2.5)):
        progress.record_progress(ml, act.code, "2026-S1", status="on-track",
                                 values={key: given})
        value = progress.get_report(ml, act.code, "2026-S1").value(key)
        assert value == stored and type(value) is type(stored), given
    # past a thousand million million: a slip of the keyboard (numbers.MAX_INDICATOR_VALUE)
    for given in (1e308, 2.0**53, 10**30):
        with pytest.raises(ValidationError, match="is too large"):
            progress.record_progress(ml, act.code, "2026-S1", values={key: given})
    with pytest.raises(ValidationError, match="not a finite number"):
        progress.record_progress(ml, act.code, "2026-S1", values={key: 10**400})


def test_a_fingerprint_in_a_sentence_is_held_on_one_line_and_copied_as_written() -> None:
    from fieldplan.text import fingerprints_breakable, fingerprints_whole, held_fingerprints

    fpr = "DD92 209F 5A3F 0C11 7B2E 9D40 118A 3C6F 22E0 4B19"
    text = f"its new fingerprint is {fpr} (shown under Help ▸ This computer's key…)"
    held = fingerprints_whole(text)
    assert held == text.replace(fpr, fpr.replace(" ", "\u00a0"))
    assert held_fingerprints(held) == [fpr.replace(" ", "\u00a0")]
    assert fingerprints_breakable(held) == text
    # not a fingerprint: fewer groups, lower case, part of a longer code
    for other in ("2026 2027 2028", fpr.lower(), fpr + "A", "X" + fpr):
        assert fingerprints_whole(other) == other
