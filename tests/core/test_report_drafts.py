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


def test_drafts_of_a_locked_period_are_not_said_to_wait_for_submission(
        hq, tmp_path: Path) -> None:
    """Once headquarters locked the period, the pack's cover said "2 drafts not yet
    submitted" and "Provisional: … that their offices have not submitted yet", and each
    office sheet "not yet submitted to headquarters", while the lock's warning said they
    can no longer be submitted (QA: the 57-office demo's pack of a locked 2026-S2). They
    are said to have been left when the period was locked, not to be submitted unless
    headquarters unlocks it."""
    from fieldplan import progress
    from fieldplan.reports import build_review_pack

    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "ML", PERIOD, state="draft", only=2)
    progress.set_period_lock(hq, PERIOD)
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    note = ("Provisional: 2 of these reports are drafts, left when headquarters locked the "
            "period: they will not be submitted unless headquarters unlocks the period.")
    assert sheet.count(note) == 2 and "not yet submitted" not in sheet
    pack = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    cover = pdf_text(pack, page=1)
    assert "2 drafts left when the period was locked" in cover
    assert ("Provisional: these figures include 2 draft reports left when headquarters "
            "locked the period: they will not be submitted unless headquarters unlocks "
            "the period.") in cover
    text = pdf_text(pack)
    assert text.count(note) == 2 and "not yet submitted" not in text
    assert "have not submitted yet" not in text


def test_headquarters_own_sheet_of_a_locked_period_says_it_can_unlock_it(
        hq, tmp_path: Path) -> None:
    """Headquarters' own sheet (its reports on the global actions) told headquarters
    its drafts would not be submitted "unless headquarters unlocks the period": the
    reader is the one who can. An office's sheet keeps its words (above)."""
    from fieldplan import progress

    write_progress(hq, "HQ", PERIOD, state="draft", only=2)
    progress.set_period_lock(hq, PERIOD)
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "HQ", out=tmp_path / "s.pdf"))
    note = ("Provisional: 2 of these reports are drafts, left when the period was locked: "
            "they will not be submitted unless you unlock the period.")
    assert sheet.count(note) == 2
    assert "unless headquarters unlocks" not in sheet


def test_a_cut_narrative_names_the_sheets_own_annex(hq, tmp_path: Path) -> None:
    """"Full text in the annex." under a cut narrative was ambiguous in the pack, where
    the sheets are themselves in "Annex: status sheets by office" and each has its own
    "Annex: narratives in full" (QA, in French): it names the sheet's own, by its
    heading."""
    from fieldplan.reports import build_review_pack

    long = " ".join(f"Sentence {n} of a long account of the workshops held." for n in range(9))
    write_progress(hq, "ML", PERIOD, narrative=(long, "Short challenges.", "Short steps."),
                   only=2)
    said = "Full text in this sheet's “Annex: narratives in full”."
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    pack = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    for text in (sheet, pack):
        assert text.count(said) == 2 and "Full text in the annex" not in text
