"""No table of the reports leaves its last row alone to go over to the next page.
Headquarters' own row of "Offices × areas" (its label and its row, kept together) went
over alone in the French review pack for 2026-S1: a page holding the column headers and
that row only. Where a table splits before its last row, the row before it goes over
with it."""

from __future__ import annotations

import pytest

from fieldplan.offices import HQ
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
OFFICES = ["ML", "SN", "TN", "MA", "NE", "TD"]


def _text(cell) -> str:
    if isinstance(cell, (list, tuple)):
        return " ".join(_text(c) for c in cell)
    return getattr(cell, "text", "")


def _body(part) -> list[str]:
    """The first cell's text of each row under the column headers (right-hand in
    Arabic, where the columns are mirrored)."""
    rows = part._cellvalues[part.repeatRows:]
    return [" ".join(_text(c) for c in row) for row in rows]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_headquarters_row_does_not_go_over_alone(hq, lang, paper) -> None:
    for office in OFFICES:
        write_progress(hq, office, PERIOD)
    write_progress(hq, HQ, PERIOD)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    table = Pack(hq, ctx, None, 1).matrix()[-1]
    table.wrap(ctx.width, 10_000)
    heights = table._rowHeights
    assert "(HQ)" in _body(table)[-1]
    # room for every row but headquarters' label and row
    first, rest = table.split(ctx.width, sum(heights[:-2]) + 1)
    assert "(HQ)" in _body(rest)[-1]
    assert len(_body(rest)) == 3, _body(rest)  # the last office's row goes over with it
    assert len(_body(first)) == len(OFFICES) - 1
    # where the page holds one office row less, the split is where it was
    first, rest = table.split(ctx.width, sum(heights[:-3]) + 1)
    assert len(_body(rest)) == 3


def test_any_table_keeps_its_last_two_rows_together(hq) -> None:
    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    rows = [[cm.cell(ctx, "Head")]] + [[cm.cell(ctx, f"row {i}")] for i in range(8)]
    table = cm.table(ctx, rows, [ctx.width])
    table.wrap(ctx.width, 10_000)
    first, rest = table.split(ctx.width, sum(table._rowHeights[:-1]) + 1)
    assert _body(rest) == ["row 6", "row 7"]
    assert _body(first)[-1] == "row 5"
    # a table of two rows splits between them as before (nothing to move over)
    short = cm.table(ctx, rows[:3], [ctx.width])
    short.wrap(ctx.width, 10_000)
    assert [_body(p) for p in short.split(ctx.width, sum(short._rowHeights[:-1]) + 1)] == [
        ["row 0"], ["row 1"]]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_offices_by_areas_starts_a_page_unless_two_offices_fit_under_its_heading(
        hq, lang) -> None:
    """Its heading, notes and column headers with one office under them at a page's
    foot read as a table of one office, the rest on the next page."""
    for office in OFFICES:
        write_progress(hq, office, PERIOD)
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    pack = Pack(hq, ctx, None, 1)
    story = pack.story(cm.BuildState())
    [room] = [f for f in story if isinstance(f, cm.RoomFor)
              and any(isinstance(g, cm.GridTable) and "(ML)" in " ".join(_body(g))
                      for g in f.flowables)]
    *above, table = room.flowables
    page = 700.0
    table.wrap(ctx.width, 10_000)
    rows = table._rowHeights
    heading = sum(f.getSpaceBefore() + f.wrap(ctx.width, page)[1] + f.getSpaceAfter()
                  for f in above)
    assert room._needed(ctx.width, page) >= heading + sum(rows[:3]) - 1


def _pages_of_rows(ctx, table, above: float, page: float) -> list[list[str]]:
    """The body rows each page prints of ``table``, laid out under ``above`` points of
    a frame ``page`` points high, as the reports' documents lay out their story."""
    import io

    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

    pages: list[list[str]] = []

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable) -> None:
            if isinstance(flowable, cm.GridTable):
                while len(pages) < self.page:
                    pages.append([])
                pages[self.page - 1] += _body(flowable)

    doc = Doc(io.BytesIO(), pagesize=(ctx.width + 20, page + 20))
    doc.addPageTemplates([PageTemplate(frames=[Frame(10, 10, ctx.width, page, 0, 0, 0, 0)])])
    doc.build([Spacer(1, above), table])
    return pages


def test_the_rows_split_off_earlier_go_to_the_next_page_whole(hq) -> None:
    """Where the column headers are shorter than the rows, the rows split off one row
    earlier found room again at the foot of the page under headers printed a second
    time, and the last row still went over alone."""
    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    rows = [[cm.cell(ctx, "Head")]] + [[cm.cell(ctx, f"row {i}\nsecond line\nthird line")]
                                       for i in range(8)]
    table = cm.table(ctx, rows, [ctx.width])
    table.wrap(ctx.width, 10_000)
    head, row = table._rowHeights[0], table._rowHeights[1]
    assert head < row / 2
    # room for the headers and seven rows and a bit, not the eighth
    pages = _pages_of_rows(ctx, table, 100, 100 + head + 7 * row + row * 0.9)
    assert [[r.split()[1] for r in p] for p in pages] == [
        [str(i) for i in range(6)], ["6", "7"]]
