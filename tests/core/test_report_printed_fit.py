"""What the printed reports keep on one line or one page, as a reader of the pages
needs it: a status word not broken in the sheets' Status column."""

from __future__ import annotations

import pytest

from fieldplan.i18n import STATUS_SYMBOLS
from fieldplan.planops import PlanScope
from fieldplan.reports import common as cm
from fieldplan.reports import sheet as sh
from fieldplan.sync.export import period_reports
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"


def _status_cells(table, ctx) -> list:
    """The Status column's first cell of each row under the column headers."""
    col = 2 if not ctx.rtl else len(table._colWidths) - 3
    return [(row[col][0], table._colWidths[col]) for row in table._cellvalues[1:]]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_each_status_prints_on_one_line_in_the_status_column(hq, lang, paper) -> None:
    """"● En bonne voie" printed "● En bonne" over "voie" in the French sheets, "○ Non
    commencé" likewise: the column is as wide as its longest status, up to a limit that
    only the Arabic "on track" passes (it breaks between its words)."""
    write_progress(hq, "ML", PERIOD)  # one of each status (STATUS_CYCLE)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    scope = PlanScope(ctx.plan)
    reports = [r for r in period_reports(hq, ctx.plan, PERIOD).counted if r.office == "ML"]
    data = sh.gather(hq, PERIOD, "ML", reports, scope, {})
    actions = ctx.plan.actions_of(level="national")
    table, _ = sh.area_table(ctx, actions, data)
    seen = set()
    for flow, width in _status_cells(table, ctx):
        seen.add(flow.text)
        lines = flow._layout(width - 6)
        if lang == "ar" and flow.text == cm.status_text(ctx, "on-track"):
            assert len(lines) == 2, (flow.text, lines)
        else:
            assert len(lines) == 1, (flow.text, lines)
    assert len(seen) == len(STATUS_SYMBOLS)
    # the table keeps its width: the narrative gave the room
    assert sum(table._colWidths) == pytest.approx(ctx.width)
