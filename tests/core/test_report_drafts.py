"""A status sheet that holds drafts says so where it is signed: "Draft" under a row's
status alone let a head of office sign a sheet of reports the office had not submitted
(QA: an office's sheet of 2025-S2 with drafts only)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_reports import pdf_text

from fieldplan.reports import build_status_sheet
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

PERIOD = "2025-S2"


def test_a_sheet_of_drafts_says_it_is_provisional_in_its_facts_and_over_the_lines(
        hq, tmp_path: Path) -> None:
    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "ML", PERIOD, state="draft", only=2)
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    note = "Provisional: 2 of these reports are drafts, not yet submitted to headquarters."
    assert text.count(note) == 2
    # in the facts, under the count of reports
    assert text.index(", 10 submitted") < text.index(note) < text.index("PA1 — ")
    # and right over the lines to sign
    assert text.rindex(note) + len(note) + 1 == text.index("Prepared by")


def test_one_draft_in_the_singular(hq, tmp_path: Path) -> None:
    write_progress(hq, "ML", PERIOD, state="draft", only=1)
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert text.count("Provisional: 1 of these reports is a draft, not yet submitted to "
                      "headquarters.") == 2


def test_a_sheet_of_submitted_reports_is_not_provisional(hq, tmp_path: Path) -> None:
    write_progress(hq, "ML", PERIOD)
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert "Provisional" not in text and "Prepared by" in text
