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


def _sheet_table(hq, lang: str, paper: str, office: str = "ML", skip: int = 0):
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    scope = PlanScope(ctx.plan)
    reports = [r for r in period_reports(hq, ctx.plan, PERIOD).counted if r.office == office]
    data = sh.gather(hq, PERIOD, office, reports, scope, {})
    actions = ctx.plan.actions_of(level="national")[skip:]
    table, _ = sh.area_table(ctx, actions, data,
                             statuses=sh.printed_statuses(actions, data))
    return ctx, table


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_each_status_prints_on_one_line_in_the_status_column(hq, lang, paper) -> None:
    """"● En bonne voie" printed "● En bonne" over "voie" in the French sheets, "○ Non
    commencé" likewise, and the Arabic "● على المسار الصحيح" (on track) broke over two
    lines however wide the column grew (up to 15 % of the table): each status now
    prints on one line, the column as wide as the longest the sheet prints."""
    write_progress(hq, "ML", PERIOD)  # one of each status (STATUS_CYCLE)
    ctx, table = _sheet_table(hq, lang, paper)
    seen = set()
    for flow, width in _status_cells(table, ctx):
        seen.add(flow.text)
        lines = flow._layout(width - 6)
        assert len(lines) == 1, (flow.text, lines)
    assert len(seen) == len(STATUS_SYMBOLS)
    # the table keeps its width: the title gave the room, the narrative kept its own
    assert sum(table._colWidths) == pytest.approx(ctx.width)
    narrative = table._colWidths[0 if ctx.rtl else -1]
    assert narrative == pytest.approx(ctx.width * 0.29)
    title = table._colWidths[-2 if ctx.rtl else 1]
    assert title >= ctx.width * 0.14 - 0.01


def test_the_status_column_is_as_wide_as_the_statuses_printed(hq) -> None:
    """An Arabic sheet with no report "on track" (the longest status) leaves the
    Action column the room that status would take; its symbol never stands alone on
    a line where a status must break (a column narrower than it)."""
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import string_width

    write_progress(hq, "ML", PERIOD, only=2)  # on track, at risk
    ctx, table = _sheet_table(hq, "ar", "A4", skip=1)  # (without the first)
    widths = table._colWidths
    statuses = [flow.text for flow, _w in _status_cells(table, ctx)]
    assert cm.status_text(ctx, "on-track") not in statuses
    assert widths[-3] == pytest.approx(ctx.width * 0.12)  # (as it was: not widened)
    assert widths[-2] == pytest.approx(ctx.width * 0.19)
    # (too long for a column, a status breaks between its words, the symbol with the
    # first: two lines, "● على المسار" over "الصحيح")
    long = cm.status_text(ctx, "on-track")
    flow = cm.cell(ctx, long, cm.BOLD_SMALL)
    narrow = string_width(tx.shape(" ".join(long.split(" ")[:3])), cm.BOLD_SMALL.font,
                          cm.BOLD_SMALL.size) + 1
    lines = flow._layout(narrow)
    assert len(lines) == 2 and "●" in lines[0][0] and "●" not in lines[1][0], lines


def _words(line: tuple[str, str]) -> list[str]:
    return line[0].split()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_covers_provisional_note_does_not_end_on_a_word_alone(hq, paper) -> None:
    """The French cover's "Provisoire : ces chiffres comprennent 1 rapport en brouillon
    que son bureau n’a pas encore" went on with "soumis." alone on a line."""
    from fieldplan.reports.review import Pack

    write_progress(hq, "ML", PERIOD, lang="fr", state="draft", only=1)
    write_progress(hq, "SN", PERIOD, lang="fr")
    ctx = cm.make_ctx(hq, PERIOD, "fr", paper)
    [note] = [f for f in Pack(hq, ctx, None, 1).cover()
              if isinstance(f, cm.TextFlow) and f.text.startswith("Provisoire")]
    lines = note._layout(ctx.width)
    assert len(lines) == 2, lines
    assert len(_words(lines[-1])) >= 2, lines
    # its first line still runs most of the width (not lines made even)
    from fieldplan.reports.fonts import string_width

    assert string_width(lines[0][0], note.style.font, note.style.size) > 0.8 * ctx.width


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_warning_keeps_a_word_or_two_with_its_last_word(hq, lang) -> None:
    """Where a width leaves the last word of a warning alone on its line, a word of the
    line above comes down with it, in as many lines; in Arabic too (right to left, the
    last word is the leftmost)."""
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import register_fonts, string_width

    register_fonts()
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    text = counted_note(lang)
    style = cm.WARNING
    words = text.split(" ")
    # as wide as all the words but the last: that one goes to a line alone
    width = string_width(tx.shape(" ".join(words[:-1])), style.font, style.size) + 1
    plain = cm.TextFlow(text, style, rtl=ctx.rtl)._layout(width)
    assert len(plain) == 2 and len(_words(plain[-1])) == 1, plain
    kept = cm.TextFlow(text, style, rtl=ctx.rtl, whole_end=True)._layout(width)
    assert len(kept) == 2 and len(_words(kept[-1])) >= 2, kept
    # a text that ends on two words or more is laid out as it was
    assert tx.no_lone_word_width(" ".join(words[:-1]), style.font, style.size,
                                 width) == width


def counted_note(lang: str) -> str:
    from fieldplan.i18n import counted

    return counted("Provisional: these figures include {count} draft report that its "
                   "office has not submitted yet.",
                   "Provisional: these figures include {count} draft reports that their "
                   "offices have not submitted yet.", 3, lang=lang)


LONG = (
    "A three-day technical workshop was held with the Ministry of Labour and civil "
    "society partners, bringing together officials from five institutions; a joint "
    "mission then agreed on the data-sharing protocol with the national statistics "
    "office, signed this semester after two rounds of review.",
    "Insecurity in two regions limited access for the field teams, and staff turnover "
    "at local authorities delayed the validation of the documents.",
    "Finalise the action plan with diaspora associations and present it at the next "
    "semester meeting; extend the training to five more provinces.",
)


def _drawn_tables(monkeypatch) -> list[tuple[int, list[str]]]:
    """(page, action codes) of each table part drawn, as the build draws them (the last
    layout pass's)."""
    import re

    drawn: list[tuple[int, list[str]]] = []
    draw = cm.GridTable.drawOn

    def text(value) -> str:
        if isinstance(value, (list, tuple)):
            return " ".join(text(v) for v in value)
        return getattr(value, "text", "")

    def drawOn(self, canv, x, y, _sW=0):  # (ReportLab's name)
        if canv.getPageNumber() == 1 and drawn and drawn[-1][0] > 1:
            drawn.clear()  # a new layout pass
        codes = [re.findall(r"PA\d\.\d", text(row))[:1] for row in self._cellvalues[1:]]
        drawn.append((canv.getPageNumber(), [c[0] for c in codes if c]))
        return draw(self, canv, x, y, _sW)

    monkeypatch.setattr(cm.GridTable, "drawOn", drawOn)
    return drawn


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_sheets_table_of_three_actions_is_not_split_two_and_one(
        hq, tmp_path, monkeypatch, lang, paper) -> None:
    """A table of three actions went on over a page break with one action alone under
    its column headers (two and one), or its first action alone at a page's foot (one
    and two): at a page's foot that has room for it with
    shorter excerpts of narratives the sheet's annex prints in full anyway, it stays
    whole there; and nothing is lost: each narrative is still in the annex whole."""
    import subprocess

    from fieldplan.reports import build_status_sheet

    write_progress(hq, "ML", PERIOD, narrative=LONG)
    drawn = _drawn_tables(monkeypatch)
    out = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang, paper=paper)
    tables = [codes for _page, codes in drawn if codes]
    areas: dict[str, list[int]] = {}
    for codes in tables:
        areas.setdefault(codes[0][:3], []).append(len(codes))
    assert set(areas) == {"PA1", "PA2", "PA3", "PA4"}
    # (no two and one, and no one and two: the PA3 table's first action printed alone
    # at the foot of a page, under its heading, where moving the table ended the sheet
    # a page later; it now moves all the same)
    assert all(parts == [3] for parts in areas.values()), areas
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    if lang == "en":
        flat = " ".join(text.split())
        assert flat.count("signed this semester after two rounds of review.") == 12


def test_a_narrative_printed_whole_is_never_shortened_to_keep_a_table_whole(hq) -> None:
    """Shorter excerpts (KeepSmall) are of narratives cut anyway, whose full text the
    sheet's annex prints; one printed whole in the table has no annex entry, and cut
    there it would be lost from the page."""
    # (whole within the excerpts' length, not within half of it)
    write_progress(hq, "ML", PERIOD, narrative=(
        "A technical workshop was held with the Ministry of Labour and two civil society "
        "partners in the capital.", "Funding arrived late in the semester.",
        "Scale up the training to two provinces."))
    write_progress(hq, "SN", PERIOD, narrative=LONG)
    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    scope = PlanScope(ctx.plan)
    counted = period_reports(hq, ctx.plan, PERIOD).counted
    actions = ctx.plan.actions_of(level="national")[:3]

    def narratives(office: str, scale: float) -> tuple[list[str], list]:
        data = sh.gather(hq, PERIOD, office, [r for r in counted if r.office == office],
                         scope, {})
        table, annex = sh.area_table(ctx, actions, data, scale)
        return [" ".join(f.text for f in row[-1]) for row in table._cellvalues[1:]], annex

    whole, annex = narratives("ML", 1.0)
    assert annex == []
    assert narratives("ML", 0.5) == (whole, [])
    cut, annex = narratives("SN", 1.0)
    shorter, annex_shorter = narratives("SN", 0.5)
    assert len(annex) == 3 and annex_shorter == annex  # the annex prints them whole
    assert all(len(s) < len(c) for s, c in zip(shorter, cut, strict=True))


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_shorter_excerpt_says_it_is_cut_and_where_the_rest_is(hq, lang) -> None:
    """The excerpts made shorter to keep a table whole at a page's foot tell the reader
    what the others tell: each field cut ends with "…" and the cell ends with where
    the full text is (the sheet's annex), in every language."""
    write_progress(hq, "SN", PERIOD, narrative=LONG)
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    scope = PlanScope(ctx.plan)
    counted = period_reports(hq, ctx.plan, PERIOD).counted
    data = sh.gather(hq, PERIOD, "SN", [r for r in counted if r.office == "SN"], scope, {})
    actions = ctx.plan.actions_of(level="national")[:3]
    marker = ctx.gettext("Full text in this sheet's “{annex}”.").format(
        annex=sh.annex_heading(ctx))
    for scale in (1.0, *cm.SHORTER):
        table, annex = sh.area_table(ctx, actions, data, scale)
        assert len(annex) == 3
        for row in table._cellvalues[1:]:
            cell = row[0 if ctx.rtl else -1]
            texts = [f.text for f in cell]
            assert texts[-1] == marker, texts
            # (label, excerpt) pairs: each excerpt of a longer text ends with "…"
            excerpts = texts[1:-1:2]
            assert len(excerpts) == 3 and all(e.endswith("…") for e in excerpts), texts
