"""The review pack counts an office's reports as the client's Overview does: submitted
of those due ("2/12"), the drafts apart under them ("1 draft"). Its "Reports" column
read "3/12" over "1 draft" (every report held) where the Overview read "2/12 ✎1" for
the same office, two numbers for "reports" side by side at a review meeting. The
detail by area marks the drafts of each action's row too: its statuses and mean count
them, and nothing in the row said so."""

from __future__ import annotations

import shutil

import pytest

from fieldplan.offices import office_name
from fieldplan.reports import build_review_pack
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from tests.core.test_reports import pdf_text
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")),
    reason="needs poppler-utils and qpdf (see packaging/debian-packages.txt)",
)

PERIOD = "2026-S1"

@pytest.fixture
def world(hq):
    """ML: every national action submitted. SN: three submitted, then the first of
    them put back to draft (reopened): two submitted, one draft."""
    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "SN", PERIOD, only=3)
    write_progress(hq, "SN", PERIOD, state="draft", only=1)
    return hq


def _cell_text(cell) -> str:
    return " ".join(f.text for f in (cell if isinstance(cell, list) else [cell]))


def test_the_matrix_counts_submitted_reports_and_the_drafts_apart(world) -> None:
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    table = pack.matrix()[-1]
    rows = {_cell_text(row[0]): _cell_text(row[-1]) for row in table._cellvalues[1:]}
    assert rows["Senegal (SN)"] == "2/12 1 draft"  # as the Overview's 2/… ✎1
    assert rows["Mali (ML)"] == "12/12"
    assert _cell_text(table._cellvalues[0][-1]) == "Submitted reports"


def test_the_detail_marks_the_drafts_in_their_actions_row(world) -> None:
    plan = world.plan()
    first, second = plan.actions_of(level="national")[:2]
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    rows = {_cell_text(row[0]): _cell_text(row[3])
            for row in pack.area_detail(plan.areas[0])[0]._cellvalues[1:]}
    # ML's submitted and SN's draft: one of two submitted, the draft marked
    assert rows[first.code] == "1/2 1 draft"
    assert rows[second.code] == "2/2"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_pack_counts_so_in_each_language(world, tmp_path, lang) -> None:
    from fieldplan.i18n import format_number

    def of(n: int, total: int) -> str:
        return f"{format_number(n, lang)}/{format_number(total, lang)}"

    text = pdf_text(build_review_pack(world, PERIOD, tmp_path / "p.pdf", lang=lang))
    assert office_name("SN", lang) in text
    assert of(2, 12) in text and of(12, 12) in text
    # (SN's draft is not counted as reported anywhere)
    assert of(3, 12) not in text
    if lang == "en":
        assert "Submitted reports" in text and "2/12 1 draft" in text


def test_the_matrix_says_no_report_where_reports_are_due(world) -> None:
    """An area with reports due and none held reads "– No report", as the Overview's
    "— no report" and the status sheet's cell: a bare "–" in the matrix, explained
    nowhere, read as "nothing due in this area"."""
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    table = pack.matrix()[-1]
    rows = {_cell_text(row[0]): [_cell_text(c) for c in row[1:-1]]
            for row in table._cellvalues[1:]}
    areas = [a.code for a in world.plan().areas]
    area_of = {a.code: a.area for a in world.plan().actions}
    held = {area_of[r.action] for r in pack.by_office["SN"]}
    assert held and set(areas) - held  # SN reported in some areas, not all
    for code, cell in zip(areas, rows["Senegal (SN)"], strict=True):
        assert (cell == "– No report") == (code not in held), (code, cell)
