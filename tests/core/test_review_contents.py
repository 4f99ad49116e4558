"""The review pack's contents on one page: with every member state's sheet in the
annex, one column of entries ran over onto a second page, 18 % of it used, before the
summary started the next."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from fieldplan.offices import OIC_MEMBERS, office_name
from fieldplan.reports import build_review_pack
from tests.core.test_report_flow import body_pages, letters
from tests.core.test_reports import outline
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")),
    reason="needs poppler-utils and qpdf (see packaging/debian-packages.txt)",
)

PERIOD = "2026-S1"


@pytest.mark.parametrize("lang, paper", [("en", "A4"), ("fr", "Letter"), ("ar", "A4")])
def test_the_contents_of_every_office_fit_one_page(hq, tmp_path, lang, paper) -> None:
    offices = sorted(OIC_MEMBERS)
    for office in offices:
        write_progress(hq, office, PERIOD, only=1)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang, paper=paper)
    entries = outline(pdf)
    assert entries[0]["page"] == 3  # the summary, after the contents' one page
    # every office on the contents' page, two to a line
    lines = [letters(text) for _t, _b, text in body_pages(pdf)[1].lines]
    titles = {f"{office_name(o, lang)} ({o})" for o in offices}
    names = {t: letters(t) for t in titles}
    assert [t for t, name in names.items() if not any(not name - line for line in lines)] == []
    # down the first column, then the second: the first beside the 30th
    order = [e["title"] for e in entries if e["title"] in titles]
    first, beside = names[order[0]], names[order[(len(order) + 1) // 2]]
    assert any(not first - line and not beside - line for line in lines)
    # the page numbers in two columns, each lined up by their last digit, the parts'
    # over the second column's (the Arabic parts' "7" ended left of the annex's "65")
    figures, _width = _contents_figures(pdf)
    assert len({round(end) for _a, end, _n in figures}) == 2, figures


def test_a_short_contents_keeps_one_column(hq, tmp_path) -> None:
    for office in ("ML", "SN", "EG"):
        write_progress(hq, office, PERIOD, only=1)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    lines = [text for _t, _b, text in body_pages(pdf)[1].lines]
    assert "Egypt (EG) 9" in lines or any(line.startswith("Egypt (EG)") for line in lines)
    assert not any("Mali (ML)" in line and "Egypt (EG)" in line for line in lines)


_FIGURE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                     r'yMax="[\d.]+">(\d+)</word>')


def _contents_figures(pdf) -> tuple[list[tuple[float, float, str]], float]:
    """(start, end, number) of each number the contents' page prints, and the page's
    width."""
    from fieldplan.reports.common import MARGIN_BOTTOM, MARGIN_TOP

    raw = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r'<page width="([\d.]+)" height="([\d.]+)"',
                                         raw).groups())
    # (the running header's year and the page's own number, at its foot, aside)
    return [(float(a), float(b), n) for a, y, b, n in _FIGURE.findall(raw)
            if MARGIN_TOP < float(y) < height - MARGIN_BOTTOM], width


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_contents_page_numbers_line_up_by_their_last_digit(hq, tmp_path, lang) -> None:
    """In the Arabic pack the page numbers stood flush left in their column, "8" over
    the "1" of "16": a column of figures reads by its units. They end where the
    widest ends, at the left of the page in Arabic as in a printed Arabic book, at
    the right in English."""
    from fieldplan.reports.common import MARGIN_X

    for office in ("ML", "SN", "EG"):
        write_progress(hq, office, PERIOD)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang)
    figures, width = _contents_figures(pdf)
    assert {len(n) for _a, _b, n in figures} == {1, 2}, figures  # pages 3… and 10…
    ends = [b for _a, b, _n in figures]
    assert max(ends) - min(ends) < 0.5, figures
    starts = [a for a, _b, _n in figures]
    if lang == "ar":  # by the left edge of the text, the widest flush with it
        assert MARGIN_X <= min(starts) < MARGIN_X + 6, figures
    else:
        assert width - MARGIN_X - 6 < min(ends) <= width - MARGIN_X, figures
