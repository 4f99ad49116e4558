"""The report fonts and their fallback: DejaVu Sans lacks letters of Urdu (ہ ے ۔ and
their joined forms), ﷼ ﷺ ﷽, Bengali and emoji, which printed as empty boxes. Noto Sans
Arabic prints what it lacks of Arabic script, Noto Sans Bengali (shaped by HarfBuzz)
Bengali; what no font has prints as U+FFFD, and the page says so."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from fieldplan.reports import fonts
from fieldplan.reports import text as tx
from fieldplan.reports.fonts import (
    ARABIC,
    ARABIC_BOLD,
    BENGALI,
    BENGALI_BOLD,
    BOLD,
    REGULAR,
    REPLACEMENT,
)

URDU = "مہاجرین کی تعداد بڑھ گئی ہے۔ ٹیم نے ڈیٹا اکٹھا کیا۔"
#: "Training on migration was completed in Bangladesh. 45% done; 120 women took part."
BENGALI_TEXT = ("বাংলাদেশে অভিবাসন ক্ষেত্রে প্রশিক্ষণ কর্মসূচি সম্পন্ন হয়েছে। ৪৫% শেষ; "
                "মহিলা অংশগ্রহণকারী: ১২০ জন।")
NOTE = ("Some characters could not be printed with the report's fonts and show as "
        "\ufffd; a data export has the text in full.")


def _reshaper_output() -> set[str]:
    """Every character arabic_reshaper can write: the letters and each of their joined
    forms, and its ligatures."""
    from arabic_reshaper import letters, ligatures

    out = set()
    for letter, forms in letters.LETTERS_ARABIC.items():
        out |= {letter, *(f for f in forms if f)}
    for _name, (_match, forms) in ligatures.LIGATURES:
        out |= {f for f in forms if f}
    return out


@pytest.mark.parametrize("font", [REGULAR, BOLD])
def test_every_form_the_reshaper_writes_has_a_glyph(font) -> None:
    """Urdu's ہ (U+06C1) and ے (U+06D2) and their presentation forms, which DejaVu
    Sans lacks, and everything else the reshaper can write for the Arabic script."""
    written = _reshaper_output() | set("ہےۓۃ۔\ufdfa\ufdfc\ufdfd")
    assert {"\ufba8", "\ufbaf"} <= written  # ہ medial, ے final: joined forms
    lacking = sorted(c for c in written if not fonts.has_glyph(c, font))
    assert not lacking, [f"U+{ord(c):04X}" for c in lacking]
    assert not {ord(c) for c in "ہے۔"} <= fonts.covered(font)  # the fallback at work


@pytest.mark.parametrize("font, fallback", [(REGULAR, ARABIC), (BOLD, ARABIC_BOLD)])
def test_runs_draw_each_character_in_a_font_that_has_it(font, fallback) -> None:
    """No .notdef: each run's characters are in its font's cmap; a word that needs the
    fallback is drawn in it whole (its joins from one design), the others in DejaVu."""
    for line in tx.break_lines(URDU + " PA2.3 (IOM) 45%", font, 8, 120):
        visual = tx.visual(line, "R")
        runs = fonts.runs(visual, font)
        assert "".join(piece for _f, piece in runs) == visual
        for f, piece in runs:
            missing = [c for c in piece if ord(c) not in fonts.covered(f)]
            assert not missing, (f, piece, missing)
    shaped = tx.shape("مہاجرین کی")
    assert fonts.runs(shaped, font) == (
        (fallback, tx.shape("مہاجرین")), (font, " " + tx.shape("کی")))
    # Arabic that DejaVu prints stays in DejaVu: Arabic reports look as before
    arabic = tx.shape("عقدت ورشة عمل تقنية مع وزارة العمل.")
    assert fonts.runs(arabic, font) == ((font, arabic),)


def test_widths_are_measured_in_the_fonts_that_draw() -> None:
    """Line breaking measures what the fallback draws, not DejaVu's empty box."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    word = tx.shape("ہےہے")
    assert fonts.string_width(word, REGULAR, 10) == stringWidth(word, ARABIC, 10)
    assert fonts.string_width(word, REGULAR, 10) != stringWidth(word, REGULAR, 10)
    # each laid-out line fits its width as drawn
    for line in tx.break_lines(URDU * 8, REGULAR, 8, 150):
        assert fonts.string_width(line, REGULAR, 8) <= 150


def test_what_no_font_has_becomes_one_visible_replacement() -> None:
    assert fonts.printable("done ✅ 👍🏽 ok", REGULAR) == f"done {REPLACEMENT} {REPLACEMENT} ok"
    # ₼ (no report font has it): one mark; Bengali and its taka sign are in its font
    assert fonts.printable("৳ টাকা ₼", REGULAR) == f"৳ টাকা {REPLACEMENT}"
    # format characters stay for bidi reordering; the runs leave out what no font has
    assert fonts.printable("a\u2066b\u2069", REGULAR) == "a\u2066b\u2069"
    assert fonts.runs("a\u2066b\u2069", REGULAR) == ((REGULAR, "ab"),)
    assert fonts.printable("\ufdfc ﷺ", REGULAR) == "\ufdfc ﷺ"  # in the fallback
    assert tx.one_line("Rial ﷼ 👍") == f"Rial ﷼ {REPLACEMENT}"


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                   reason="needs poppler-utils")


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_sheet_with_urdu_and_emoji(hq, tmp_path, lang) -> None:
    """The Urdu prints in its fonts and reads back; the emoji prints as U+FFFD and the
    page says why, once; the file stays small (only the glyphs used are embedded)."""
    from fieldplan.reports import build_status_sheet
    from tests.fixtures.reports.seed import write_progress

    write_progress(hq, "PK", "2026-S1", narrative=(URDU + " ✅ 👍", "﷼ ﷺ", "৳"), only=1)
    pdf = build_status_sheet(hq, "2026-S1", "PK", out=tmp_path / "s.pdf", lang=lang)
    assert pdf.stat().st_size < 150_000
    used = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansArabic" in used and "DejaVuSans" in used
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    for word in ("مہاجرین", "ہے۔", "اکٹھا", "ریال"):  # ریال: ﷼ folded back
        assert word in text, word
    assert REPLACEMENT in text
    if lang == "en":
        pages = raw.split("\f")
        assert pages[0].count(NOTE) == 1  # once on the page, not per character
        assert NOTE in " ".join(pages[0].split())


@needs_poppler
def test_no_note_without_replaced_characters(hq, tmp_path: Path) -> None:
    from fieldplan.reports import build_status_sheet
    from tests.fixtures.reports.seed import write_progress

    write_progress(hq, "PK", "2026-S1", narrative=(URDU, "ﷺ", "-"), only=1)
    pdf = build_status_sheet(hq, "2026-S1", "PK", out=tmp_path / "s.pdf")
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "could not be printed" not in raw and REPLACEMENT not in raw


@pytest.mark.parametrize("font, fallback", [(REGULAR, BENGALI), (BOLD, BENGALI_BOLD)])
def test_a_bengali_word_is_one_run_in_the_bengali_font(font, fallback) -> None:
    """Each Bengali word, with its danda and any joiner in it, is drawn whole in Noto
    Sans Bengali (HarfBuzz shapes a word at a time); the spaces, Latin letters and
    figures around it stay in DejaVu Sans."""
    assert fonts.runs("PA1.1: প্রশিক্ষণ সম্পন্ন। (IOM) 45%", font) == (
        (font, "PA1.1: "), (fallback, "প্রশিক্ষণ"), (font, " "), (fallback, "সম্পন্ন।"),
        (font, " (IOM) 45%"))
    # a zero-width non-joiner inside a word (র‌্যাব) stays in the word's run
    assert fonts.runs("র\u200c্যাব", font) == ((fallback, "র\u200c্যাব"),)
    # an Arabic word next to a Bengali one: each in its own font
    assert [f for f, _ in fonts.runs(tx.shape("مہاجرین") + "বাংলা", font)] == [
        ARABIC if font == REGULAR else ARABIC_BOLD, fallback]
    for line in tx.break_lines(BENGALI_TEXT * 3, font, 9, 140):
        for f, piece in fonts.runs(line, font):
            assert all(ord(c) in fonts.covered(f) for c in piece), (f, piece)


def test_bengali_is_shaped_and_measured_as_shaped() -> None:
    """HarfBuzz makes the conjuncts: ক্ষ (three characters) is one glyph, and a word is
    measured as drawn, narrower than its letters one by one. Lines fit as drawn."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    glyphs, _width = fonts.shaped("ক্ষ", BENGALI, 10)
    assert len(glyphs) == 1
    word = "প্রশিক্ষণ"
    assert fonts.string_width(word, REGULAR, 10) == fonts.shaped(word, BENGALI, 10)[1]
    assert fonts.string_width(word, REGULAR, 10) < stringWidth(word, BENGALI, 10)
    for line in tx.break_lines(BENGALI_TEXT * 6, REGULAR, 8, 150):
        assert fonts.string_width(line, REGULAR, 8) <= 150
    # the vowel sign ে is drawn before its consonant: the glyphs are reordered
    glyphs, _width = fonts.shaped("দে", BENGALI, 10)
    assert len(glyphs) == 2 and glyphs[0] != "দ"


def test_a_bengali_word_wider_than_a_line_is_cut_between_its_letters() -> None:
    """A word too long for a narrow cell is cut between letters with their vowel signs
    and conjuncts whole (a lone sign drawn on a dotted circle, measured so, made the
    pieces short), and the pieces of one word never share a line with a space: the
    last one read "সমূহে র", as copying did."""
    word = "আন্তর্জাতিকীকরণপ্রক্রিয়াসমূহের"
    lines = tx.break_lines(word, REGULAR, 9, 40)
    assert "".join(lines) == word and len(lines) > 1
    for line in lines:
        assert " " not in line
        assert unicodedata.category(line[0]) not in ("Mn", "Mc"), lines
        assert fonts.string_width(line, REGULAR, 9) <= 40 or len(tx._graphemes(line)) == 1
    assert all(not piece.endswith("\u09cd") for piece in lines)  # no conjunct cut


def test_without_a_shaping_engine_bengali_prints_as_the_replacement(monkeypatch) -> None:
    """Bengali drawn letter by letter is misspelt (vowel signs after their consonant,
    no conjuncts): with no uharfbuzz its fonts are not used, and it prints as U+FFFD,
    as before."""
    caches = (fonts._chain_covers, fonts.runs)
    monkeypatch.setattr(fonts, "_available", fonts._available - fonts.SHAPED)
    for cached in caches:
        cached.cache_clear()
    try:
        assert fonts.chain(REGULAR) == (REGULAR, ARABIC)
        assert fonts.printable("ok টাকা", REGULAR) == f"ok {REPLACEMENT}"
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()
    assert fonts.printable("ok টাকা", REGULAR) == "ok টাকা"


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_sheet_with_bengali_reads_back_as_typed(hq, tmp_path, lang) -> None:
    """A Bangladesh office's Bengali narrative prints in Noto Sans Bengali, with no
    replacement mark or footnote, and what a reader copies (the shaped runs'
    ActualText) is the text as typed, in its order."""
    from fieldplan.reports import build_status_sheet
    from tests.fixtures.reports.seed import write_progress

    write_progress(hq, "BD", "2026-S1", narrative=(BENGALI_TEXT, "ঝুঁকি: বন্যা", "-"),
                   only=1)
    pdf = build_status_sheet(hq, "2026-S1", "BD", out=tmp_path / "s.pdf", lang=lang)
    assert pdf.stat().st_size < 150_000
    used = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansBengali-Regular" in used
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    # (poppler marks the directions of an Arabic page's runs: left out here)
    text = " ".join(re.sub("[\u202a-\u202e\u2066-\u2069]", "", raw).split())
    assert BENGALI_TEXT in text  # the annex prints it whole, on one paragraph
    assert "ঝুঁকি: বন্যা" in text
    assert REPLACEMENT not in text and "could not be printed" not in text
