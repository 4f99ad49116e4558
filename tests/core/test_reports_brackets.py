"""Brackets in printed text that mixes Arabic and Latin: both brackets of a pair go
one way (Unicode rule N0), and are mirrored where they read right to left.

The pure-Python ``bidi.algorithm.get_display`` the reports reorder lines with leaves
each bracket to the neutral rules alone: "ورشة IOM (Amman) للمدربين" printed as
"ورشة (IOM (Amman للمدربين", and in a French paragraph "… التحويلات (الطبعة 2). Atelier"
moved one bracket to the other end of the Arabic phrase. The Qt editor (Qt's own bidi)
showed them right."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from fieldplan.reports import build_status_sheet
from fieldplan.reports import text as tx
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"


def _visual(text: str, base_dir: str) -> str:
    """``text`` as one line drawn left to right, presentation forms folded back (the
    lam-alef ligature folds back to "لا", so "التحويلات" drawn reads "تلايوحتلا")."""
    return unicodedata.normalize("NFKC", tx.visual(tx.shape(text), base_dir))


# (logical text, paragraph direction, drawn left to right)
CASES = [
    # the reviewer's lines: a Latin phrase with brackets inside Arabic
    ("ورشة IOM (Amman) للمدربين", "R", "نيبردملل IOM (Amman) ةشرو"),
    ("زيارة إلى Amman (Jordan) للتنسيق", "R", "قيسنتلل Amman (Jordan) ىلإ ةرايز"),
    # an Arabic phrase ending in a bracket inside French: the pair stays with it,
    # mirrored (the "(" a right-to-left reader meets first is drawn as ")")
    ("Guide — دليل تكاليف التحويلات (الطبعة 2). Atelier", "L",
     "Guide — (2 ةعبطلا) تلايوحتلا فيلاكت ليلد. Atelier"),
    # a number in brackets, in Arabic, after Latin in Arabic, in French
    ("نشر النسخة (2) من الدليل", "R", "ليلدلا نم (2) ةخسنلا رشن"),
    ("ورشة Amman (2) للمدربين", "R", "نيبردملل Amman (2) ةشرو"),
    ("Étendre la formation (phase 2).", "L", "Étendre la formation (phase 2)."),
    # nested brackets, each pair mirrored in its own direction
    ("الشركاء [المرحلة (2) من الخطة]", "R", "[ةطخلا نم (2) ةلحرملا] ءاكرشلا"),
    ("ورشة (أ [Amman (Jordan)] ب) ج", "R", "ج (ب [Amman (Jordan)] أ) ةشرو"),
    ("Rapport (ملخص [المرحلة الثانية]) envoyé", "L",
     "Rapport ([ةيناثلا ةلحرملا] صخلم) envoyé"),
    ("x [ب (ج) د] y", "L", "x [د (ج) ب] y"),
    # brackets around Arabic in a left-to-right paragraph, and around Latin
    ("Rapport (ملخص) final", "L", "Rapport (صخلم) final"),
    ("Atelier (IOM) à Amman — دليل", "L", "Atelier (IOM) à Amman — ليلد"),
    # a closing bracket ending the line
    ("ثم عقدت ورشة في Amman (Jordan)", "R", "Amman (Jordan) يف ةشرو تدقع مث"),
    ("Publication — دليل (الطبعة 2)", "L", "Publication — (2 ةعبطلا) ليلد"),
    # a bracket with no pair (a line broken inside the brackets) keeps to its side
    ("زيارة إلى Amman (Jordan", "R", "Amman (Jordan ىلإ ةرايز"),
    ("Jordan) للتنسيق", "R", "قيسنتلل (Jordan"),
    # numbers kept whole (keep_numbers) inside brackets
    ("نسبة التنفيذ (45%) في 2026-S1", "R", "2026-S1 يف (45%) ذيفنتلا ةبسن"),
]


@pytest.mark.parametrize(("text", "base_dir", "drawn"), CASES, ids=range(len(CASES)))
def test_bracket_pairs_go_one_way(text: str, base_dir: str, drawn: str) -> None:
    assert _visual(text, base_dir) == drawn


def test_pairs_of_brackets_by_rule_bd16() -> None:
    assert tx.bracket_pairs(list("a(b[c)d]e")) == [(1, 5)]  # "[" unclosed inside
    assert tx.bracket_pairs(list("((a)")) == [(1, 3)]
    assert tx.bracket_pairs(list("[(a)]")) == [(0, 4), (1, 3)]
    assert tx.bracket_pairs(list("\u2329a\u3009")) == [(0, 2)]  # canonical equivalents
    assert tx.bracket_pairs(list(")(")) == []


def test_order_agrees_with_unicode_bidi_but_mirrors() -> None:
    """Line order as the Rust unicode-bidi crate gives it (python-bidi ≥ 0.5's
    ``bidi.get_display``, which pairs brackets but draws them unmirrored), over many
    mixed lines; our brackets differ only by being mirrored where they read right to
    left."""
    import bidi

    if not hasattr(bidi, "get_display"):
        pytest.skip("python-bidi without its Rust get_display")
    same = str.maketrans("()[]", "||!!")
    atoms = ["ورشة", "عمل", "IOM", "Amman", "(", ")", "[", "]", " ", "2", "12", ".", "،",
             "—", "x", "ب", "\u064e"]
    rng = random.Random(7)
    for _ in range(1500):
        line = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 10)))
        for base_dir in "LR":
            if tx.keep_numbers(line, base_dir)[1]:
                continue  # numbers kept whole on purpose: a different order
            ours = tx.visual(line, base_dir).translate(same)
            assert ours == bidi.get_display(line, base_dir=base_dir).translate(same), line


def test_wrapped_lines_keep_their_pairs() -> None:
    """Each line is reordered on its own after breaking: a pair on one line goes one
    way, and a closing bracket at the end of the last line stays with its word."""
    from fieldplan.reports.fonts import REGULAR, register_fonts, string_width

    register_fonts()
    text = "نشر النسخة (2) من الدليل ثم عقدت ورشة في Amman (Jordan)"
    width = string_width(tx.shape("نشر النسخة (2) من الدليل ثم عقدت ورشة في"), REGULAR, 9) + 2
    lines = [unicodedata.normalize("NFKC", line) for line, _d in
             tx.layout(text, REGULAR, 9, width, "auto", "R")]
    assert lines == ["يف ةشرو تدقع مث ليلدلا نم (2) ةخسنلا رشن", "Amman (Jordan)"]


# --- in printed sheets -------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"),
    reason="needs poppler-utils (see packaging/debian-packages.txt)",
)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>')
#: points between two words of one line at most (more: two cells side by side)
_GAP = 8.0


def drawn_lines(pdf: Path) -> list[str]:
    """The PDF's lines as drawn, left to right (pdftotext -bbox: each word where it
    stands), presentation forms folded back: what a reader sees, in the order the
    tests above write it (pdftotext's plain text reorders right-to-left runs itself).
    Lines of two table cells side by side at one height are two lines."""
    raw = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    lines = []
    for page in raw.split("<page ")[1:]:
        rows: dict[float, list[tuple[float, float, str]]] = {}
        for x, y, x_max, word in _WORD.findall(page):
            rows.setdefault(round(float(y), 1), []).append((float(x), float(x_max), word))
        for _y, row in sorted(rows.items()):
            pieces: list[list[str]] = []
            end = None
            for x, x_max, word in sorted(row):
                if end is None or x - end > _GAP:
                    pieces.append([])
                pieces[-1].append(word)
                end = x_max
            for words in pieces:
                text = " ".join(words).replace("&amp;", "&")
                lines.append(unicodedata.normalize("NFKC", text))
    return lines


# as drawn, left to right: the PDF gives the lam-alef glyph's letters as it stands,
# alef then lam ("تاليوحتلا"; the layout tests above fold it to "لا")
SHEETS = {
    "ar": ("EG", ("ورشة IOM (Amman) للمدربين",
                  "زيارة إلى Amman (Jordan) للتنسيق",
                  "الدليل [المرحلة (2) من الخطة]"),
           ("نيبردملل IOM (Amman) ةشرو", "قيسنتلل Amman (Jordan) ىلإ ةرايز",
            "[ةطخلا نم (2) ةلحرملا] ليلدلا")),
    # (French paragraphs: most of their letters Latin, else they read right to left)
    "fr": ("SN", ("Guide — دليل التحويلات (الطبعة 2). Atelier de formation",
                  "Rapport (ملخص [المرحلة الثانية]) envoyé au ministère",
                  "Étendre la formation (phase 2)."),
           ("Guide — (2 ةعبطلا) تاليوحتلا ليلد. Atelier",  # (then "de formation")
            "Rapport ([ةيناثلا ةلحرملا] صخلم) envoyé",
            "Étendre la formation (phase 2).")),
}


@needs_poppler
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_sheet_prints_bracket_pairs_one_way(hq, tmp_path, lang) -> None:
    office, narratives, drawn = SHEETS[lang]
    write_progress(hq, office, PERIOD, lang=lang, narrative=narratives, only=1)
    pdf = build_status_sheet(hq, PERIOD, office, out=tmp_path / "s.pdf", lang=lang)
    lines = drawn_lines(pdf)
    for line in drawn:
        assert line in lines, (line, [x for x in lines if "(" in x])


def test_an_override_in_a_printed_line_reorders_nothing() -> None:
    """A quarantined file named "…\u202egnp.fieldplan" in the review pack, or an
    office's narrative with U+202E, reversed the rest of its printed line."""
    from fieldplan.reports.text import clean, visual

    hostile = "ورشة \u202eAmman (Jordan) tail"
    assert clean(hostile) == "ورشة Amman (Jordan) tail"
    assert visual(clean(hostile), "R") == visual("ورشة Amman (Jordan) tail", "R")
    assert clean("x \u2066name\u2069 y") == "x \u2066name\u2069 y"  # a whole isolate stays
