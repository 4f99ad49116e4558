"""An office's status sheet says which reports headquarters has acknowledged receiving
as printed (``receipts.hq_receipts``): a printed sheet did not say which reports
headquarters may not have yet. Headquarters' own print of the sheet says nothing of
it: it holds what it prints."""

from __future__ import annotations

import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from test_report_layout import words
from test_reports import pdf_text
from test_sync import national, send

from fieldplan import progress
from fieldplan.i18n import translation
from fieldplan.reports import build_status_sheet
from fieldplan.reports.sheet import gather

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

S1 = "2026-S1"
MARK = "Not yet at headquarters"


def test_the_office_sheet_marks_the_reports_headquarters_has_not_acknowledged(
        hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    a, b, c = (national(ml, i) for i in range(3))
    progress.record_progress(ml, a, S1, status="on-track", percent=30)
    progress.record_progress(ml, b, S1, status="at-risk", percent=10)
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # headquarters' receipt for both
    progress.record_progress(ml, b, S1, percent=15)  # a newer version, not sent
    progress.record_progress(ml, c, S1, status="off-track")  # never sent
    assert gather(ml, S1, "ML").not_at_hq == {b, c}

    text = pdf_text(build_status_sheet(ml, S1, out=tmp_path / "ml.pdf"))
    assert "Received by headquarters: 1 of 3 reports" in text
    assert ("2 reports may not have reached headquarters yet: no bundle from headquarters "
            "imported here has acknowledged them.") in text
    # the note, and the two rows' marks under their status
    assert text.count(MARK) == 3
    rows = text[text.index(a):]
    assert rows.index(MARK) > rows.index(b)  # not on the first row, which HQ holds

    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    text = pdf_text(build_status_sheet(ml, S1, out=tmp_path / "ml-2.pdf"))
    assert "Received by headquarters: 3 of 3 reports" in text and MARK not in text

    # headquarters' print of the office's sheet: nothing of it
    assert gather(hq, S1, "ML").not_at_hq is None
    text = pdf_text(build_status_sheet(hq, S1, "ML", out=tmp_path / "hq.pdf"))
    assert "Received by headquarters" not in text and MARK not in text


def _letters(word: str) -> Counter:
    """A word's letters, in whatever order and forms pdftotext gives them (an Arabic
    word comes out as drawn, right to left)."""
    return Counter(c for c in unicodedata.normalize("NFKC", word) if c.isalnum())


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_mark_under_a_status_wraps_with_no_word_alone_on_a_line(
        hq, make_office, tmp_path: Path, lang: str) -> None:
    """The Status column is narrow: "Not received by headquarters yet" printed as "Not
    received" over "by" over "headquarters" over "yet"; "Not yet at headquarters"
    takes two lines, as its French and Arabic do."""
    ml = make_office("ML")
    progress.record_progress(ml, national(ml, 0), S1, status="on-track", percent=30)
    found = words(build_status_sheet(ml, S1, out=tmp_path / "ml.pdf", lang=lang))
    gettext = translation(lang).gettext
    # (the one under the status, in the table's small type: the notes say "draft" too)
    draft = next(w for w in found if _letters(w[4]) == _letters(gettext("Draft"))
                 and w[3] - w[1] < 7.5)
    mark = gettext(MARK).split()
    # under "Draft" in the status's cell: the mark's words, line by line
    lines: dict[int, list[str]] = {}
    for x0, y0, x1, _y1, word in found:
        in_cell = (x1 <= draft[2] + 1 and x0 >= draft[2] - 60) if lang == "ar" else (
            x0 >= draft[0] - 1 and x1 <= draft[0] + 60)
        if in_cell and draft[3] < y0 < draft[3] + 40 and any(
                _letters(word) == _letters(m) for m in mark):
            lines.setdefault(round(y0), []).append(word)
    printed = [ws for _y, ws in sorted(lines.items())]
    assert sum(len(ws) for ws in printed) == len(mark), printed
    # two lines, neither a short word alone
    assert len(printed) == 2, printed
