"""An Arabic narrative that starts with a Latin word or a number ("IOM قدمت الدعم …",
"2026: …") was printed left to right, its words in the wrong order for an Arabic
reader: its direction came from its first letter alone. It goes by most of its letters
now (``fieldplan.text.paragraph_direction``), in the status sheet and the review pack,
whatever the report's language; an English narrative naming an Arabic ministry stays
left to right."""

from __future__ import annotations

import unicodedata

import pytest

from fieldplan.text import has_rtl
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
#: an Arabic narrative that starts with a Latin word, one that starts with a number,
#: and an English one with Arabic words in it
ARABIC_LATIN_FIRST = "IOM قدمت الدعم الفني لوزارة الداخلية."
ARABIC_NUMBER_FIRST = "2026: تأخر وصول التمويل."
ENGLISH_ARABIC_INSIDE = "Met the ministry (وزارة الداخلية) in Cairo."


def _drawn(monkeypatch) -> list[tuple[str, str]]:
    """(text folded back from presentation forms, alignment) of each line the reports'
    paragraphs draw from now on."""
    from fieldplan.reports import common as cm

    drawn: list[tuple[str, str]] = []

    def record(canv, x, y, text, font, size, align="left"):
        drawn.append((unicodedata.normalize("NFKC", text), align))

    monkeypatch.setattr(cm, "draw_text", record)
    return drawn


def test_an_arabic_paragraph_that_starts_with_latin_is_right_to_left() -> None:
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    for report in ("L", "R"):
        [(line, d)] = tx.layout(ARABIC_LATIN_FIRST, REGULAR, 8, 1000, "auto", report)
        # drawn left to right: the sentence's end leftmost, "IOM" at the right end
        assert d == "R"
        line = unicodedata.normalize("NFKC", line)
        assert line.endswith(" IOM") and line.startswith(".ةيلخادلا")
        [(line, d)] = tx.layout(ARABIC_NUMBER_FIRST, REGULAR, 8, 1000, "auto", report)
        assert d == "R" and unicodedata.normalize("NFKC", line).endswith(" :2026")
        [(line, d)] = tx.layout(ENGLISH_ARABIC_INSIDE, REGULAR, 8, 1000, "auto", report)
        assert d == "L" and unicodedata.normalize("NFKC", line).startswith("Met the ministry (")
    # a paragraph of each in one narrative: each its own
    both = ARABIC_LATIN_FIRST + "\n" + ENGLISH_ARABIC_INSIDE
    assert [d for _l, d in tx.layout(both, REGULAR, 8, 1000, "auto", "L")] == ["R", "L"]


@pytest.mark.parametrize("rtl", [False, True])
def test_the_paragraph_is_aligned_by_its_direction(monkeypatch, rtl) -> None:
    """In an English report as in an Arabic one, the Arabic paragraph starts at the
    right of its box, the English one at the left."""
    from reportlab.pdfgen.canvas import Canvas

    from fieldplan.reports.common import USER, TextFlow
    from fieldplan.reports.fonts import register_fonts

    register_fonts()
    drawn = _drawn(monkeypatch)
    for text in (ARABIC_LATIN_FIRST, ENGLISH_ARABIC_INSIDE):
        flow = TextFlow(text, rtl=rtl, base_dir=USER)
        flow.wrap(1000, 100)
        flow.drawOn(Canvas("unused.pdf"), 0, 0)
    assert [align for _t, align in drawn] == ["right", "left"]
    assert drawn[0][0].endswith(" IOM")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_sheet_prints_an_arabic_narrative_that_starts_with_latin_right_to_left(
        hq, tmp_path, monkeypatch, lang) -> None:
    from fieldplan.reports import build_status_sheet

    write_progress(hq, "EG", PERIOD, narrative=(
        ARABIC_LATIN_FIRST, ARABIC_NUMBER_FIRST, ENGLISH_ARABIC_INSIDE), only=1)
    drawn = _drawn(monkeypatch)
    build_status_sheet(hq, PERIOD, "EG", out=tmp_path / "s.pdf", lang=lang)
    # (ReportLab builds the sheet more than once: each line is drawn at each pass)
    latin_first = {(t, a) for t, a in drawn if "IOM" in t and has_rtl(t)}
    number_first = {(t, a) for t, a in drawn if ":2026" in t or "2026:" in t}
    english = {(t, a) for t, a in drawn if "Met the" in t}
    assert latin_first and number_first and english
    assert all(t.endswith(" IOM") and a == "right" for t, a in latin_first)
    assert all(t.endswith(" :2026") and a == "right" for t, a in number_first)
    assert all(t.startswith("Met the") and a == "left" for t, a in english)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pack_prints_a_competing_arabic_value_that_starts_with_latin_right_to_left(
        hq, tmp_path, monkeypatch, lang) -> None:
    from fieldplan import sync
    from fieldplan.reports import build_review_pack
    from fieldplan.sync.conflicts import Candidate, Conflict

    write_progress(hq, "EG", PERIOD, only=1)
    action = hq.plan().actions_of(level="national")[0].code
    fake = Conflict("c1", "progress", f"EG|{action}|{PERIOD}", "achievements", (
        Candidate("r1:3", "r1:3", ARABIC_LATIN_FIRST, "a", "2026-07-01T00:00:00+00:00", True),
        Candidate("r2:4", "r2:4", ENGLISH_ARABIC_INSIDE, "b", "2026-07-02T00:00:00+00:00",
                  False)))
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [fake])
    drawn = _drawn(monkeypatch)
    build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang)
    [(arabic, align)] = {(t, a) for t, a in drawn if "IOM" in t and has_rtl(t)}
    assert arabic.endswith(" IOM") and align == "right"
    [(english, align)] = {(t, a) for t, a in drawn if "Met the" in t}
    assert english.startswith("Met the") and align == "left"
