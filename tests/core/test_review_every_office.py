"""The review pack counts every office the same way in every part. An office enrolled
that sent nothing (a regional office that never reported) was only in "Offices that
have not reported": the detail counted its actions as due (0/1), but it had no row in
"Offices × areas", no entry in the annex nor in the contents. And headquarters had a
row among the offices of that table, first, where the cover's "Offices that reported:
1 of 4" leaves it out: its own reports are now set apart, last, under their own label,
and the rows above it are the cover's offices."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fieldplan.offices import HQ, office_name
from fieldplan.reports import build_review_pack
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from fieldplan.sync import enroll_office
from tests.core.test_reports import pdf_text
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
#: the offices expected, by name in English (headquarters set apart, last)
OFFICES = ["RO-Dakar", "ML", "SN", "TN"]

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.fixture
def world(clock, hq, tmp_path: Path):
    """ML reported; TN has drafts only; SN and the regional office RO-Dakar were
    enrolled (in February, during the period: clock) and sent nothing; headquarters
    reported on its global actions."""
    for code in ("RO-Dakar", "SN"):
        enroll_office(hq, code, tmp_path / f"{code}.fieldplan")
    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "TN", PERIOD, state="draft", only=2)
    write_progress(hq, HQ, PERIOD)
    return hq


def _text(cell) -> str:
    return " ".join(f.text for f in (cell if isinstance(cell, list) else [cell]))


def _matrix_rows(pack: Pack) -> list[list[str]]:
    return [[_text(c) for c in row] for row in pack.matrix()[-1]._cellvalues[1:]]


def test_an_office_that_sent_nothing_has_a_row_of_no_report(world) -> None:
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    plan = world.plan()
    rows = {row[0]: row[1:] for row in _matrix_rows(pack)}
    for code in ("RO-Dakar", "SN"):
        *areas, submitted = rows[f"{office_name(code, 'en')} ({code})"]
        level = "regional" if code.startswith("RO-") else "national"
        for area, cell in zip(plan.areas, areas, strict=True):
            due = plan.actions_of(area=area.code, level=level)
            assert cell == ("– No report" if due else "–"), (code, area.code, cell)
        # as the detail counts it due ("0/1" on each regional action)
        assert submitted == f"0/{len(plan.actions_of(level=level))}"
        assert pack._due(code) == len(plan.actions_of(level=level))


def test_headquarters_own_reports_are_set_apart_after_the_offices(world) -> None:
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    rows = _matrix_rows(pack)
    names = [row[0] for row in rows]
    # the offices by name, then the label, then headquarters' row: last
    assert names == [*(f"{office_name(o, 'en')} ({o})" for o in OFFICES),
                     "Headquarters' own reports", "Headquarters (HQ)"]
    # the rows above the label are the offices the cover counts: "1 of 4"
    offices = names.index("Headquarters' own reports")
    assert offices == len(pack.offices_reported) + len(pack.not_reported_offices) == 4
    table = pack.matrix()[-1]
    label = offices + 1  # (the header row first)
    # one cell across the table, kept on a page with headquarters' row
    assert ("SPAN", (0, label), (-1, label)) in [tuple(c) for c in table._spanCmds]
    assert ("NOSPLIT", (0, label), (-1, label + 1)) in [tuple(c) for c in table._nosplitCmds]


def test_the_annex_and_its_contents_have_every_office_in_the_matrix_order(world) -> None:
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    listed = [*OFFICES, HQ]
    assert pack.listed == listed
    assert [key[2:] for _l, _t, key in pack.entries() if key.startswith("o-")] == listed
    # status sheets for those with reports (drafts alone too), in that order
    assert [s.office for s in pack.sheets] == ["ML", "TN", HQ]


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_printed_pack_says_so_in_each_language(world, tmp_path: Path, lang) -> None:
    from fieldplan.i18n import format_number

    pdf = build_review_pack(world, PERIOD, tmp_path / "p.pdf", lang=lang)
    text = pdf_text(pdf)
    for code in ("RO-Dakar", "SN"):
        # in the contents, the matrix, the offices that have not reported and the annex
        # (only in the third before)
        assert len(re.findall(rf"\b{code}\b", text)) == 4, code
    if lang == "en":
        assert "Offices that reported: 1 of 4" in text
        annex = text[text.rindex("Annex: status sheets by office"):]
        for code in ("RO-Dakar", "SN"):
            assert re.search(rf"\({code}\) Nothing was received from this office for this "
                             r"period: no status sheet\.", annex), code
        matrix = text[text.rindex("Offices × areas"):text.rindex("Offices that have not")]
        assert matrix.index("(TN)") < matrix.index("Headquarters' own reports") < matrix.index(
            "Headquarters (HQ)")
        assert "Regional Office, Dakar (RO-Dakar) – No report" in matrix
    else:
        assert format_number(4, lang) in text


def test_headquarters_with_no_report_of_its_own_is_said_so_in_its_place(
        hq, tmp_path: Path) -> None:
    write_progress(hq, "ML", PERIOD)
    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    assert pack.listed == ["ML", HQ] and pack.hq_not_reported
    rows = _matrix_rows(pack)
    assert [row[0] for row in rows] == ["Mali (ML)", "Headquarters' own reports",
                                        "Headquarters (HQ)"]
    globals_ = len(hq.plan().actions_of(level="global"))
    assert rows[-1][-1] == f"0/{globals_}" and "– No report" in rows[-1]
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    annex = text[text.rindex("Annex: status sheets by office"):]
    assert "Headquarters (HQ) Headquarters has no report of its own for this period" in annex


def test_no_report_at_all_lists_no_office_in_the_matrix_nor_the_annex(
        clock, hq, tmp_path: Path) -> None:
    """With nothing to show, a sentence says so in each (as before), and the section of
    offices that have not reported names them all."""
    enroll_office(hq, "SN", tmp_path / "SN.fieldplan")
    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    assert pack.annexed == [] and pack.not_reported_offices == ["SN"]
    assert _text(pack.matrix()[0]) == "No office has reported for this period."


@pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("qpdf")),
                    reason="needs poppler-utils and qpdf")
def test_lines_alone_share_a_page_but_never_one_of_a_status_sheet(world, tmp_path) -> None:
    """A line alone after a status sheet starts a page (not at the foot of another
    office's sheet, under its digest and QR code); lines alone that follow each other
    share one (twenty offices that sent nothing are not twenty blank pages); a status
    sheet starts a page as before."""
    from tests.core.test_reports import outline

    enroll_office(world, "SA", tmp_path / "SA.fieldplan")  # Saudi Arabia, before Senegal
    pdf = build_review_pack(world, PERIOD, tmp_path / "p.pdf")
    page = {e["title"]: e["page"] for e in outline(pdf) if e["depth"] == 1}
    dakar, mali, saudi, senegal, tunisia, hq = (
        page[f"{office_name(o, 'en')} ({o})"] for o in ("RO-Dakar", "ML", "SA", "SN", "TN", HQ))
    assert dakar < mali < saudi == senegal < tunisia < hq
    # the line alone on the page after Mali's sheet, under the pack's own running head
    text = pdf_text(pdf, saudi)
    assert "Data digest of ML" not in text and "Mali (ML) ·" not in text
    assert f"{office_name('SA', 'en')} (SA) Nothing was received" in text


def test_the_cover_says_how_many_submitted_reports_are_headquarters_own(world) -> None:
    """The matrix's offices add up to the cover's count of submitted reports less
    headquarters' own, which its row, set apart, holds: the cover says how many."""
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    globals_ = len(world.plan().actions_of(level="global"))
    national = len(world.plan().actions_of(level="national"))
    lines = [f.text for f in pack.cover() if isinstance(f, cm.TextFlow)]
    assert f"{national + globals_} submitted reports, {globals_} of them headquarters' own" \
        in lines
    rows = _matrix_rows(pack)
    offices = sum(int(row[-1].split("/")[0]) for row in rows[:len(OFFICES)])
    assert offices == national and rows[-1][-1] == f"{globals_}/{globals_}"


@pytest.mark.parametrize("locked", [False, True])
def test_the_cover_says_how_many_drafts_are_headquarters_own(world, clock, locked) -> None:
    """The lock check says the offices' drafts and headquarters' own apart ("2 reports
    … still drafts", "1 of headquarters' own reports … still a draft"); the cover said
    their sum alone ("3 drafts left when the period was locked"), a count that agreed
    with neither. It says how many are headquarters' own, as it does of the submitted
    reports; found by QA (a semester review at a headquarters of 57 offices: 507
    drafts on the cover, 504 and 3 in the lock's warning)."""
    from fieldplan.progress import set_period_lock
    from fieldplan.sync import lock_check

    write_progress(world, HQ, PERIOD, state="draft", only=1)
    if locked:
        clock("2026-07-02")
        set_period_lock(world, PERIOD, True)
    check = lock_check(world, PERIOD)
    assert (check.drafts, check.hq_drafts) == (2, 1)
    pack = Pack(world, cm.make_ctx(world, PERIOD, "en", "A4"), None, 1)
    lines = [f.text for f in pack.cover() if isinstance(f, cm.TextFlow)]
    said = ("3 drafts left when the period was locked" if locked
            else "3 drafts not yet submitted")
    assert f"{said}, 1 of them headquarters' own" in lines
