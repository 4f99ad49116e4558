"""Where the sheets put a narrative's lines: each field's label with the text under
it, and text a person wrote aligned by its own direction in either layout."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_status_sheet
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

PERIOD = "2026-S1"
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                   r'yMax="([\d.]+)">([^<]*)</word>')
ENGLISH = ("The national migration data system was reviewed with the statistics office "
           "with IOM support; two workshops were held in March and a third is planned.")


def words(pdf: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of each word of a page (y downwards)."""
    raw = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l",
                          str(page), str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(raw)]


def first(found, word: str):
    return next(w for w in found if w[4] == word)


def test_each_label_sits_with_the_text_under_it(hq, tmp_path) -> None:
    """The space after a field's text was drawn above it, between the label and its
    own text: "Challenges" read as the tail of the achievements above."""
    write_progress(hq, "ML", PERIOD, narrative=(
        "Two workshops held with the planning ministry.", "Staff turnover slowed the review.",
        "Validate the chapter in May."), only=1)
    found = words(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    for above, label, own in (("ministry.", "Challenges", "Staff"),
                              ("review.", "Next", "Validate")):
        gap_above = first(found, label)[1] - first(found, above)[3]
        gap_below = first(found, own)[1] - first(found, label)[3]
        assert gap_above > gap_below + 2, (label, gap_above, gap_below)


def test_an_english_narrative_in_an_arabic_sheet_starts_at_the_left(hq, tmp_path) -> None:
    """Right-aligned, a long English paragraph in an Arabic sheet was ragged on the
    left, hard to read; an Arabic one in an English sheet was already laid out right
    to left. The report's own words stay right-aligned."""
    write_progress(hq, "EG", PERIOD, narrative=(ENGLISH, "تأخر وصول التمويل.", "-"), only=1)
    found = words(build_status_sheet(hq, PERIOD, "EG", out=tmp_path / "s.pdf", lang="ar"))
    lines: dict[float, list] = {}
    for w in found:
        if w[4] in ENGLISH.split():
            lines.setdefault(round(w[1], 1), []).append(w)
    starts = [min(x for x, *_ in line) for _y, line in sorted(lines.items())]
    ends = [max(w[2] for w in line) for _y, line in sorted(lines.items())]
    assert len(starts) >= 3
    assert max(starts) - min(starts) < 0.5  # one left edge
    assert max(ends) - min(ends) > 5  # ragged on the right


def test_an_annex_narrative_going_on_to_a_page_says_whose_it_is(hq, tmp_path) -> None:
    """A narrative in full that goes on over a page break: the page starts with its
    action's heading "(continued)", and only while the narrative goes on (the next
    action's, and what follows the annex, start as they are)."""
    long = " ".join(f"Sentence {n} of a long account of the workshops held." for n in range(260))
    write_progress(hq, "ML", PERIOD, narrative=(long, "Short challenges.", long), only=2)
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf")
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    header = {"IOM–OIC Plan of Action 2025–2027", "Mali · 1st semester 2026"}
    pages = [[line for line in page.splitlines() if line.strip() and line not in header]
             for page in raw.split("\f") if page.strip()]
    annex = [i for i, page in enumerate(pages) if "Annex: narratives in full" in " ".join(page)]
    assert annex
    after = pages[annex[0] + 1:]
    starts = [page[0] for page in after]
    continued = [s for s in starts if s.endswith("(continued)")]
    assert len(continued) >= 2, starts
    assert all(s.startswith(("PA1.1 — ", "PA1.2 — ")) for s in continued), continued
    for page in after:
        if page[0].endswith("(continued)"):
            # what follows it is that action's text, never another action's heading
            assert not re.match(r"PA\d+\.\d+ — ", page[1]), page[:3]


def test_a_continued_heading_never_outlives_its_office_in_the_pack(hq, tmp_path) -> None:
    """In the review pack, one office's annex ends and the next office's sheet starts:
    no page of it starts with the other office's "(continued)"."""
    from fieldplan.reports import build_review_pack

    long = " ".join(f"Sentence {n} of a long account of the workshops held." for n in range(200))
    for office in ("ML", "SN"):
        write_progress(hq, office, PERIOD, narrative=(long, "Short.", long), only=2)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in raw.split("\f")]
    continued = 0
    for before, page in itertools.pairwise(pages):
        top = next((line for line in page if line.endswith("(continued)")), None)
        if top is None:
            continue
        continued += 1
        # the running header names the office: the same as on the page before
        office = next(line for line in page if " · 1st semester 2026" in line)
        assert office in before, (office, top)
    assert continued >= 2


@pytest.mark.skipif(not shutil.which("qpdf"), reason="needs qpdf")
@pytest.mark.parametrize("lang, paper", [("fr", "A4"), ("fr", "Letter"), ("en", "Letter"),
                                         ("ar", "A4")])
def test_each_area_of_the_packs_detail_stays_on_one_page(hq, tmp_path, lang, paper) -> None:
    """French titles are long: the last action of the detail's last area went onto a
    page of its own, under the table's header again, the rest of the page empty."""
    from fieldplan.reports import build_review_pack
    from tests.core.test_reports import outline

    for office in ("ML", "SN", "EG", "JO"):
        write_progress(hq, office, PERIOD, lang=lang)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang, paper=paper)
    entries = outline(pdf)
    detail = next(i for i, e in enumerate(entries) if e["depth"] == 0 and i > 0
                  and entries[i + 1]["title"].startswith("PA1"))
    areas = [e for e in entries[detail + 1:] if e["depth"] == 1][:len(hq.plan().areas)]
    assert len(areas) == len(hq.plan().areas)
    for area in areas:
        code = area["title"].split()[0]
        page = pdf_page(pdf, area["page"])
        rows = [a.code for a in hq.plan().actions_of(area=code)]
        assert all(re.search(rf"(?<![\w.]){re.escape(r)}(?![\w.])", page) for r in rows), \
            (code, page)


def pdf_page(pdf: Path, page: int) -> str:
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page),
                          str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", raw)


def test_the_first_office_of_the_packs_annex_stands_apart_from_its_introduction(
        hq, tmp_path) -> None:
    """The annex's sentence ("Each office's status sheet follows…") sat 2.6 points above
    the first office's heading, half the space between that heading and its own facts:
    the heading read as the sentence's last line."""
    from fieldplan.reports import build_review_pack

    write_progress(hq, "ML", PERIOD, only=1)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    page = next(n for n in itertools.count(1)
                if any(w[4] == "follows," for w in words(pdf, n)))
    found = words(pdf, page)
    # (its last word: headquarters sent nothing, a line says so in its place)
    intro = first(found, "place.")
    heading = next(w for w in found if w[4] == "Mali" and w[1] > intro[3])
    facts = first(found, "Office:")
    assert heading[1] - intro[3] > facts[1] - heading[3] + 2


def test_the_lines_to_sign_stay_on_one_page_with_the_verification(hq, tmp_path) -> None:
    """A sheet whose tables ended 40 points above a page's foot: "Prepared by" printed
    there and "Approved by" at the top of the next page, over the narratives in full
    (seen in the review pack's annex). Both lines and the verification under them go
    to the next page together."""
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from fieldplan.reports import common as cm
    from fieldplan.reports import sheet as sh

    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    pdf = tmp_path / "s.pdf"
    doc = SimpleDocTemplate(str(pdf), pagesize=ctx.pagesize)
    room = doc.height - 12  # frame padding
    note = cm.TextFlow("Verification: how to check this sheet.", cm.MUTED_SMALL)
    doc.build([Spacer(1, room - 40), *sh._signatures(ctx, note)])
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    [page] = [p for p in pages if "Prepared by" in p]
    assert "Approved by" in page and "Verification:" in page
