"""Titles in lines of even length: the Arabic plan title, one word too long for a
line, printed "2025–2027" alone on its second line, on the review pack's cover and
over every status sheet, a short last line read as a line of its own."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from fieldplan.reports import build_review_pack, build_status_sheet, review
from fieldplan.reports import common as cm
from fieldplan.reports import text as tx
from fieldplan.reports.fonts import string_width
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
YEARS = "2025–2027"

_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">'
                   r"([^<]*)</word>")


def _line_widths(flow: cm.TextFlow) -> list[float]:
    return [string_width(line, flow.style.font, flow.style.size) for line, _d in flow._lines]


def test_a_title_of_two_lines_breaks_them_evenly() -> None:
    font, size = cm.TITLE.font, cm.TITLE.size
    title = "خطة عمل المنظمة الدولية للهجرة ومنظمة التعاون الإسلامي " + YEARS
    whole = string_width(tx.shape(title), font, size)
    width = whole - 10  # one word too many for a line
    assert tx.break_lines(title, font, size, width)[-1] == YEARS  # what printed
    narrow = tx.balanced_width(title, font, size, width)
    lines = tx.break_lines(title, font, size, narrow)
    assert len(lines) == 2 and YEARS not in lines
    widths = [string_width(line, font, size) for line in lines]
    assert min(widths) > 0.7 * max(widths), lines
    # a title of one line keeps its width; no word is broken up to even the lines
    assert tx.balanced_width(title, font, size, whole + 1) == whole + 1
    long = "Plan " + "A" * 40
    assert tx.balanced_width(long, font, size, 120) == 120
    widest = string_width("Organisation", font, size)
    text = "Plan d’action Organisation"
    narrow = tx.balanced_width(text, font, size, widest + 20)
    assert widest <= narrow < widest + 20
    assert tx.break_lines(text, font, size, narrow) == ["Plan d’action", "Organisation"]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_arabic_cover_title_has_no_short_last_line(hq, paper) -> None:
    write_progress(hq, "ML", PERIOD)
    ctx = cm.make_ctx(hq, PERIOD, "ar", paper)
    [title] = [f for f in review.Pack(hq, ctx, None, 1).cover()
               if isinstance(f, cm.TextFlow) and f.style == cm.TITLE]
    title.wrap(ctx.width, 10_000)
    widths = _line_widths(title)
    assert len(widths) == 2, title._lines  # as many lines as before
    assert min(widths) > 0.7 * max(widths), title._lines


def _first_page_lines_with(pdf, word: str) -> list[list[str]]:
    raw = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    lines: dict[float, list[str]] = {}
    for top, text in _WORD.findall(raw):
        lines.setdefault(round(float(top)), []).append(text)
    return [words for top, words in sorted(lines.items())
            if top > cm.MARGIN_TOP and word in words]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.parametrize("report", ["pack", "sheet"])
def test_the_years_of_the_arabic_title_share_its_last_line(hq, tmp_path, report) -> None:
    write_progress(hq, "ML", PERIOD)
    pdf = tmp_path / "r.pdf"
    if report == "pack":
        build_review_pack(hq, PERIOD, pdf, lang="ar")
    else:
        build_status_sheet(hq, PERIOD, "ML", out=pdf, lang="ar")
    # (below the running header, which holds the title on its one line)
    [line] = _first_page_lines_with(pdf, YEARS)
    assert len(line) >= 3, line
