"""Text copied or searched from the PDFs is the text written: the reports draw Arabic
in presentation forms (joined letters), which copied as those forms (a search for
"تم تدريب" found nothing, spell-checkers refused every word), and ReportLab's ToUnicode
maps cut characters past U+FFFF to 16 bits (😀 copied as "ὠ"). Read here as pdftotext
gives it, with no NFKC folding (tests/core/test_reports.py's pdf_text folds)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_review_pack, build_status_sheet, fonts
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
NARRATIVE = (
    "تم تدريب 45 موظفًا 😀",
    "تأخر وصول التمويل لأسباب إدارية.",
    "زيارة إلى مدينة عبد الله.",
)
_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"),
                                   reason="needs poppler-utils")


def copied(pdf: Path) -> str:
    """pdftotext's text with only its own embedding marks (U+202A–U+202C) left out and
    whitespace collapsed: poppler puts the space before a number inside the number's
    left-to-right embedding ("تدريب ‪ 45‬موظفًا")."""
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(re.sub("[\u202a-\u202c]", "", raw).split())


def _assert_copies_as_written(text: str) -> None:
    assert not _FORMS.search(text), _FORMS.findall(text)[:10]
    # the number stays between the words it stands between
    assert re.search(r"تم تدريب ?45 ?موظفًا", text)
    assert "😀" in text and "\u1f60" not in text
    # lam-alef and ﷲ, one glyph each, read as their letters in order
    assert "تأخر وصول التمويل لأسباب إدارية." in text
    assert "زيارة إلى مدينة عبد الله." in text


@needs_poppler
def test_arabic_sheet_copies_as_written(hq, tmp_path) -> None:
    write_progress(hq, "EG", PERIOD, lang="ar", narrative=NARRATIVE, only=1)
    pdf = build_status_sheet(hq, PERIOD, "EG", out=tmp_path / "s.pdf", lang="ar")
    text = copied(pdf)
    _assert_copies_as_written(text)
    # the report's own text too
    assert "ورقة حالة التقدم" in text


@needs_poppler
def test_arabic_pack_copies_as_written(hq, tmp_path) -> None:
    write_progress(hq, "EG", PERIOD, lang="ar", narrative=NARRATIVE, only=1)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang="ar")
    _assert_copies_as_written(copied(pdf))


def test_to_unicode_maps_glyphs_to_the_letters_written() -> None:
    """Each presentation form the reshaper writes maps to its letter; its two
    ligatures to their letters right to left (as the glyph stands: readers reverse
    them with the text around); ligatures people type stay; characters past U+FFFF as
    surrogate pairs; at most 100 entries a block."""
    from arabic_reshaper import letters

    for letter, forms in letters.LETTERS_ARABIC.items():
        for form in forms:
            if form:
                assert fonts.letters_of(form) == letter, (form, letter)
    assert fonts.letters_of("\ufefb") == "\u0627\u0644"  # lam-alef: alef, lam
    assert fonts.letters_of("\ufdf2") == "\u0647\u0644\u0644\u0627"  # ﷲ
    for typed in ("\ufdfc", "\ufdfa", "a", "\u0628", "😀"):  # ﷼ ﷺ
        assert fonts.letters_of(typed) == typed
    cmap = fonts.to_unicode("X", [0x41, 0xFE8D, 0x1F600, *range(0x100, 0x100 + 150)])
    assert "<00> <0041>" in cmap and "<01> <0627>" in cmap
    assert "<02> <D83DDE00>" in cmap
    assert re.findall(r"(\d+) beginbfchar", cmap) == ["100", "53"]


@needs_poppler
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_narrative_pasted_with_isolates_prints(hq, tmp_path, lang) -> None:
    """A narrative pasted with Unicode's isolates around a name (as web pages and word
    processors copy mixed text) stopped the sheet and the pack of its period with
    "RLI not allowed here": python-bidi knows no isolates. Each is the embedding of its
    direction, line by line; the words print in their order."""
    from fieldplan.progress import record_progress
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR

    record_progress(hq, "PA1.6", PERIOD, status="on-track", percent=40, achievements=(
        "وُقّع الاتفاق مع \u2067وزارة الداخلية\u2069 ومع \u2066Ministry of Labour\u2069 و"
        "\u2068UNHCR\u2069 في الموعد"))
    sheet = copied(build_status_sheet(hq, PERIOD, "HQ", out=tmp_path / "s.pdf", lang=lang))
    assert all(word in sheet for word in ("الداخلية", "Ministry", "Labour", "UNHCR"))
    copied(build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang))
    # broken across lines inside an isolate: each line's part keeps its order
    for width in (60, 90):
        lines = tx.layout("قال \u2066Ministry of Labour and Employment\u2069 ذلك",
                          REGULAR, 9, width, base_dir="R")
        latin = " ".join(w for line, _d in lines for w in line.split() if w.isascii())
        assert latin == "Ministry of Labour and Employment", lines
