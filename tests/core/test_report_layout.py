"""Where the sheets put a narrative's lines: each field's label with the text under
it, and text a person wrote aligned by its own direction in either layout."""

from __future__ import annotations

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
