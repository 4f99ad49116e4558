"""Words and blank lines that real narratives and indicators hold, printed as a reader
needs them: a number too wide for its cell broken where it can be read, not between two
digits, and a narrative's run of blank lines not printed as pages of nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_status_sheet

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

PERIOD = "2026-S1"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_a_number_too_wide_for_its_line_breaks_after_a_group_separator() -> None:
    """1e15 of an indicator printed "1,000,000,000,000,00" over "0 of 1,000,000,000,000":
    two numbers, neither the one recorded."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import BOLD, register_fonts

    register_fonts()
    number = "1,000,000,000,000,000"
    width = stringWidth(number[:-1], BOLD, 8)  # one digit short
    lines = [line for line, _ in tx.layout(f"{number} of 1,000,000,000,000", BOLD, 8, width)]
    assert lines[:2] == ["1,000,000,000,000,", "000 of"], lines
    # in right-to-left text the piece reads whole, its separator last (not on its left
    # as a comma that ends an Arabic sentence goes)
    lines = [line for line, _ in tx.layout(f"{number} من 1,000,000,000,000", BOLD, 8, width,
                                           "R")]
    assert lines[0] == "1,000,000,000,000,", lines
    assert lines[1].endswith(" 000"), lines  # "000 من", its first word on the right
    # a comma after a number that ends a line of Arabic still goes to its left
    [(line, _)] = tx.layout("تدريب 120,", BOLD, 8, 500, "R")
    assert line.startswith(",120"), line
    # French groups with narrow no-break spaces: broken after one
    narrow = "\u202f"
    french = narrow.join(["1", "000", "000", "000", "000", "000"])
    lines = [line for line, _ in tx.layout(french + narrow + "sur", BOLD, 8,
                                           stringWidth(french[:-1], BOLD, 8))]
    assert lines[0].endswith(narrow) and lines[1].startswith("000"), lines
    # no separator near the end: cut where the line is full, as before
    lines = tx.break_lines("A" * 300, BOLD, 8, 100)
    assert "".join(lines) == "A" * 300 and stringWidth(lines[0] + "A", BOLD, 8) > 100
    for line in tx.break_lines("https://example.org/" + "x" * 400 + "?q=1", BOLD, 8, 100):
        assert stringWidth(line, BOLD, 8) <= 100


@needs_poppler
def test_a_sheet_prints_an_indicator_of_a_quadrillion_whole(hq, make_office,
                                                           tmp_path) -> None:
    from fieldplan import progress

    ml = make_office("ML")
    action = next(a for a in ml.plan().actions_of(level="national") if a.indicators)
    key = action.indicators[0].key
    progress.record_progress(ml, action.code, PERIOD, status="on-track",
                             values={key: 1e15})
    pdf = build_status_sheet(ml, PERIOD, out=tmp_path / "s.pdf")
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    assert not any(line.endswith("000,00") for line in lines), lines
    assert any("1,000,000,000,000," in line for line in lines)


def test_a_run_of_blank_lines_prints_as_one() -> None:
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    lines = [line for line, _ in tx.layout("\n\n a\n" + "\n \t\n" * 200 + "b\n\nc\n\n\n",
                                           REGULAR, 9, 300)]
    assert lines == ["a", "", "b", "", "c"]
    assert [line for line, _ in tx.layout("", REGULAR, 9, 300)] == [""]
    assert [line for line, _ in tx.layout("\n" * 5, REGULAR, 9, 300)] == [""]


@needs_poppler
def test_a_narrative_of_blank_lines_prints_no_blank_pages(hq, make_office,
                                                         tmp_path) -> None:
    """200 blank lines in the middle of a narrative: its annex went on over three pages
    that held nothing but "(continued)"."""
    from fieldplan import progress

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    words = " ".join(["Training held with the ministry."] * 30)
    progress.record_progress(ml, action, PERIOD, status="on-track",
                             achievements=words + "\n" * 200 + "After the blanks. " + words)
    pdf = build_status_sheet(ml, PERIOD, out=tmp_path / "s.pdf")
    pages = pdf_text(pdf).split("\f")
    assert all(len(page.split()) > 40 for page in pages if page.strip()), [
        len(page.split()) for page in pages]
    assert "After the blanks." in " ".join(pdf_text(pdf).split())
