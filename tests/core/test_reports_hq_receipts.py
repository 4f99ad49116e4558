"""An office's status sheet says which reports headquarters has acknowledged receiving
as printed (``receipts.hq_receipts``): a printed sheet did not say which reports
headquarters may not have yet. Headquarters' own print of the sheet says nothing of
it: it holds what it prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_reports import pdf_text
from test_sync import national, send

from fieldplan import progress
from fieldplan.reports import build_status_sheet
from fieldplan.reports.sheet import gather

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

S1 = "2026-S1"
MARK = "Not received by headquarters yet"


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
