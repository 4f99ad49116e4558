"""How the review pack and the status sheet flow from page to page, read from the
built PDF (pdftotext's word boxes, qpdf's outline): a heading stays on the page of the
start of what it heads, and no page but the last of a part that starts a page of its
own is left less than two thirds full."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from fieldplan import sync
from fieldplan.reports import build_review_pack, review
from fieldplan.reports.common import MARGIN_BOTTOM, MARGIN_TOP
from fieldplan.sync.conflicts import Candidate, Conflict
from tests.core.test_reports_paper import _many_indicators
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")),
    reason="needs poppler-utils and qpdf (see packaging/debian-packages.txt)",
)

PERIOD = "2026-S1"
#: the least share of its body a page holds unless a deliberate page break follows it
FULL = 2 / 3
_PAGE = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                   r'yMax="([\d.]+)">([^<]*)</word>')
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\\s]")


@dataclass
class Page:
    """A page's body (running header and footer left out): its lines from the top,
    each (top, bottom, text), and how full it is (its lowest text's share of the
    body's height)."""

    number: int
    lines: list[tuple[float, float, str]]
    fill: float


def body_pages(pdf: Path) -> list[Page]:
    raw = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    out = []
    for n, (height, body) in enumerate(_PAGE.findall(raw), start=1):
        bottom = float(height) - MARGIN_BOTTOM
        rows: dict[int, list] = {}
        for top, low, word in _WORD.findall(body):
            top, low = float(top), float(low)
            if top > MARGIN_TOP - 1 and low < bottom + 2:
                rows.setdefault(round(top), []).append((top, low, word))
        lines = [(min(w[0] for w in ws), max(w[1] for w in ws), " ".join(w[2] for w in ws))
                 for _y, ws in sorted(rows.items())]
        low = max((line[1] for line in lines), default=MARGIN_TOP)
        out.append(Page(n, lines, (low - MARGIN_TOP) / (bottom - MARGIN_TOP)))
    return out


def letters(text: str) -> Counter:
    """A text's letters, whatever order pdftotext reads them in (an Arabic line comes
    out as drawn, right to left) and whatever forms they were drawn in."""
    return Counter(_MARKS.sub("", unicodedata.normalize("NFKC", text)))


def find_line(pages: list[Page], title: str) -> tuple[Page, int]:
    """The page and line of a one-line heading."""
    want = letters(title)
    for page in pages:
        for i, (_top, _bottom, text) in enumerate(page.lines):
            if letters(text) == want:
                return page, i
    raise AssertionError(f"no line reads {title!r}")


def areas_moved(pages: list[Page], plan, lang: str) -> set[int]:
    """The pages that start with a priority area's heading (its table moved to the
    next page whole, see KeepSmall)."""
    titles = {frozenset(letters(f"{a.code} — {a.title.get(lang)}").items())
              for a in plan.areas}
    return {page.number for page in pages
            if page.lines and frozenset(letters(page.lines[0][2]).items()) in titles}


def outline_starts(pdf: Path) -> set[int]:
    """The pages the pack starts deliberately: its contents (after the cover), and
    those its parts (the outline's top level) and each office's sheet in the annex (the
    last part) start at their top; a part that starts under the one before it
    (PartBreak) starts no page."""
    from tests.core.test_reports import outline

    entries = outline(pdf)
    pages = body_pages(pdf)
    tops = [i for i, e in enumerate(entries) if e["depth"] == 0]
    starts = [entries[i] for i in tops]
    starts += [e for e in entries[tops[-1] + 1:] if e["depth"] == 1]
    return {2} | {e["page"] for e in starts if pages[e["page"] - 1].lines
                  and not letters(pages[e["page"] - 1].lines[0][2]) - letters(e["title"])}


def underfull(pages: list[Page], starts: set[int] = frozenset()) -> list[tuple[int, float]]:
    """(page, fill) of each page but the last less than FULL full whose next page does
    not start deliberately (``starts``)."""
    return [(p.number, round(p.fill, 2)) for p in pages[:-1]
            if p.fill < FULL and p.number + 1 not in starts]


def heads_alone(pages: list[Page], title: str, below: int = 2) -> bool:
    """Whether the heading ``title`` has fewer than ``below`` lines under it on its page
    (a table's column headers and its first row)."""
    page, i = find_line(pages, title)
    return len(page.lines) - i - 1 < below


def headings_alone(pdf: Path, below: int = 2) -> list[tuple[int, str]]:
    """(page, title) of each heading of the outline with fewer than ``below`` lines
    under it on its page (a heading that ends a page, or a table's title over its
    column headers only)."""
    from tests.core.test_reports import outline

    pages = body_pages(pdf)
    alone = []
    for entry in outline(pdf):
        page = pages[entry["page"] - 1]
        want = letters(entry["title"])
        at = [i for i, (_t, _b, text) in enumerate(page.lines) if letters(text) == want]
        if at and len(page.lines) - at[0] - 1 < below:
            alone.append((entry["page"], entry["title"]))
    return alone


def _candidate(n: int, value, winner: bool) -> Candidate:
    rid = f"{n:08x}"
    return Candidate(f"{rid}:{n}", f"{rid}-0000:{n}", value, f"officer{n}",
                     "2026-07-01T00:00:00+00:00", winner)


TEXT = ("A technical workshop was held with the Ministry of Labour; inspectors were "
        "trained to collect and analyse data in three provinces. ") * 3


def conflicts(offices: list[str], count: int, values: int) -> list[Conflict]:
    """``count`` conflicts on achievements, each of ``values`` competing texts."""
    return [Conflict(f"c{k}", "progress", f"{offices[k % len(offices)]}|PA1.{k % 4 + 1}|"
                     f"{PERIOD}", "achievements",
                     tuple(_candidate(10 * k + j, f"{TEXT}({j})", j == 0)
                           for j in range(values)))
            for k in range(count)]


def late(offices: list[str]) -> list[review.LateData]:
    return [review.LateData(o, 3, 7, "2026-08-10T09:00:00+00:00",
                            (f"{o}-3f2a91c0-0-4.fieldplan", f"{o}-3f2a91c1-1-5.fieldplan"))
            for o in offices]


OFFICES = ["ML", "SN", "EG", "TR", "JO", "MA", "TN", "DZ", "SA", "AE"]
#: offices that sent data late (two more than report: their reports are of another
#: period), down to about half a page
LATE = [*OFFICES, "QA", "KW"]


@pytest.fixture
def late_and_conflicts(hq, monkeypatch):
    """Twelve offices with data that came late, and ten conflicts of five long texts
    each (a row of the conflicts' table about a seventh of a page)."""
    for office in OFFICES:
        write_progress(hq, office, PERIOD, only=2)
    monkeypatch.setattr(review, "_late_data", lambda *a, **k: late(LATE))
    found = conflicts(OFFICES, 10, 5)
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: found)
    return hq


@pytest.mark.parametrize("lang, paper", [("en", "A4"), ("fr", "A4"), ("ar", "A4"),
                                         ("en", "Letter")])
def test_open_conflicts_start_under_the_late_data_when_their_first_row_fits(
        late_and_conflicts, tmp_path, lang, paper) -> None:
    """Its heading was kept with the first three rows of its table, half a page with
    five competing texts in each: "Open conflicts" started the next page, and half of
    the page of the late data stayed blank. It stays with the first row."""
    from fieldplan.i18n import translation

    pdf = build_review_pack(late_and_conflicts, PERIOD, tmp_path / "p.pdf", lang=lang,
                            paper=paper)
    pages = body_pages(pdf)
    title = translation(lang).gettext("Open conflicts")
    assert not heads_alone(pages, title)
    page, _i = find_line(pages, title)
    before = pages[page.number - 2]
    # the table of the late data ends on the page before, or on this one
    assert page.lines[0][2] != title or before.fill >= FULL, (page.number, before.fill)
    assert underfull(pages, outline_starts(pdf)) == []


@pytest.mark.parametrize("lang, paper", [("en", "A4"), ("fr", "Letter"), ("ar", "A4")])
def test_a_tall_first_row_starts_under_its_heading(hq, tmp_path, lang, paper) -> None:
    """An area's first action with a dozen indicators, a row of half a page: it did not
    fit under the first area's table, went to the next page whole with its heading, and
    left the foot of the sheet's first page blank. It starts there and goes on."""
    from fieldplan.reports import build_status_sheet

    code = _many_indicators(hq, tmp_path, 12, "PA2")
    write_progress(hq, "ML", PERIOD, lang=lang)
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang,
                             paper=paper)
    pages = body_pages(pdf)
    assert underfull(pages) == []
    title = f"PA2 — {hq.plan().areas[1].title.get(lang)}"
    assert not heads_alone(pages, title)
    page, _i = find_line(pages, title)
    assert page.number == 1
    assert any(text.startswith(code) or text.endswith(code) for _t, _b, text in page.lines)


def test_a_small_table_kept_whole_leaves_no_more_than_a_third_of_a_page(hq,
                                                                        tmp_path) -> None:
    """A table of a third of a page is kept whole, its heading with it: with the
    heading it took more than the third of a page left, and went to the next page
    leaving more than a third of this one blank. It starts here, rows to follow."""
    from reportlab.platypus import Spacer

    from fieldplan.reports import common as cm

    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    frame_h = ctx.pagesize[1] - cm.MARGIN_TOP - cm.MARGIN_BOTTOM
    row = cm.SMALL.leading + 5  # a line and the cell's padding
    rows = int((frame_h / 3 - 5) // row)
    pages: dict[str, int] = {}

    def story(state: cm.BuildState) -> list:
        pages.clear()
        state.pages = pages
        table = cm.table(ctx, [[cm.cell(ctx, f"Row {i}")] for i in range(rows)], [300])
        head = cm.heading("Area", cm.H2, rtl=False, key="h", level=0, pages=state.pages)
        # a little more than a third of the page left
        return [Spacer(1, frame_h * 2 / 3 - 2), *cm.keep([*head, table], whole=25)]

    pdf = cm.render(ctx, tmp_path / "t.pdf", story, title="t", left="l", right="r")
    assert pages == {"h": 1}
    assert underfull(body_pages(pdf)) == []



@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("blank, row, moved", [(0.45, 0.15, True), (0.55, 0.2, False)])
def test_a_small_tables_last_row_does_not_go_on_alone_on_the_next_page(
        hq, tmp_path, paper, blank, row, moved) -> None:
    """A sheet's table of three actions whose first two fitted at a page's foot left
    its third alone at the top of the next page (two and one), apart from its area's
    heading and the other two: it moves to the next page whole where that leaves half
    of this page blank at most (as one whose first row alone fits); where it would
    leave more, it still splits, its column headers said again over the last row."""
    from reportlab.platypus import Spacer

    from fieldplan.reports import common as cm

    ctx = cm.make_ctx(hq, PERIOD, "en", paper)
    frame_h = ctx.pagesize[1] - cm.MARGIN_TOP - cm.MARGIN_BOTTOM
    pages: dict[str, int] = {}

    def story(state: cm.BuildState) -> list:
        pages.clear()
        state.pages = pages
        rows = [[cm.cell(ctx, "Code")]] + [
            [[cm.cell(ctx, f"Action {i}"), Spacer(1, frame_h * row - 15)]] for i in (1, 2, 3)]
        table = cm.table(ctx, rows, [300])
        head = cm.heading("Area", cm.H2, rtl=False, key="h", level=0, pages=state.pages)
        small = cm.KeepSmall([*head, table])
        # ``blank`` of the page left: room for the heading and two rows, not three
        return [Spacer(1, frame_h * (1 - blank)), small, *small.flowables]

    pdf = cm.render(ctx, tmp_path / "t.pdf", story, title="t", left="l", right="r")
    pages_ = body_pages(pdf)
    first, _i = find_line(pages_, "Action 1")
    last, i = find_line(pages_, "Action 3")
    if moved:
        assert pages == {"h": 2} and first.number == last.number == 2
    else:
        assert pages == {"h": 1} and first.number == 1 and last.number == 2
        assert [text for _t, _b, text in last.lines[i - 1:i + 1]] == ["Code", "Action 3"]


#: the titles of the exchange section's tables, each over its first row
EXCHANGE_TITLES = ("Changed or received after the period was locked",
                   "Bundles refused since the period began (not merged)",
                   "Bundles in quarantine (key not trusted yet)",
                   "Bundles in quarantine whose key is on record (not imported yet)",
                   "Open conflicts",
                   "Missing events",
                   "Events lost when this database was restored from a backup")


def every_exchange_table(offices: list[str]) -> review.SyncFacts:
    """A table of each kind in the exchange section, each of a few rows, the first
    of each on ``offices[0]``."""
    from fieldplan.progress import ChangedAfterLock
    from fieldplan.sync.exchange import Gap, InboxEntry, QuarantineItem

    when = "2026-08-02T10:00:00+00:00"
    return review.SyncFacts(
        late=late(offices[:5]),
        quarantined=[QuarantineItem(f"{i:032x}", o, f"{i:032x}", f"{i:016X}",
                                    "13A5 2F27 5E75 E975 8080 3866 266F 47E7 1FD6 7FB6",
                                    f"{o}-new.fieldplan", when, 3)
                     for i, o in enumerate(offices[:3])]
        + [QuarantineItem(f"{i:032x}", o, f"{i:032x}", f"{i:016X}",
                          "13A5 2F27 5E75 E975 8080 3866 266F 47E7 1FD6 7FB6",
                          f"{o}-left.fieldplan", when, 3,
                          "its key is on record now, but it was not imported: trusting "
                          "its key or importing its file again imports it",
                          key_on_record=True)
           for i, o in enumerate(offices[:2])],
        conflicts=conflicts(offices, 4, 3),
        gaps=[Gap(f"{i:08x}aaaa", o, 41, 57) for i, o in enumerate(offices[:3])],
        after_lock=[ChangedAfterLock(o, "PA1.1", PERIOD, 2, when, "amina", "submitted", when)
                    for o in offices[:4]],
        refused=[InboxEntry(f"{o}-broken.fieldplan", o, when, "rejected",
                            "the signature does not match the manifest", 3, 0, f"b{o}")
                 for o in offices[:3]],
        offices_lost=[{"office": o, "events": 4, "bundles": [f"{o}-a.fieldplan"]}
                      for o in offices[:2]],
    )


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_every_section_of_the_pack_flows(hq, tmp_path, monkeypatch, lang, paper) -> None:
    """Cover, summary, matrix, offices that have not reported, every table of the
    exchange section, the detail and each office's sheet in the annex: no page is left
    less than two thirds full but before a part that starts a page, and each table's
    title is on the page of its first row."""
    from fieldplan.i18n import translation
    from fieldplan.offices import office_name

    offices = OFFICES[:6]
    for office in offices:
        write_progress(hq, office, PERIOD, lang=lang)
    write_progress(hq, "KW", "2025-S2", only=2)  # known, not reported
    monkeypatch.setattr(review, "_sync_facts", lambda *a, **k: every_exchange_table(offices))
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang, paper=paper)
    pages = body_pages(pdf)
    starts = outline_starts(pdf)
    # (a page of a sheet may end over half full where the next starts with an area's
    # table of three actions moved whole: a row of it would have stood alone on one
    # side of the break, see test_the_status_sheet_flows)
    moved = areas_moved(pages, hq.plan(), lang)
    assert underfull(pages, starts | moved) == []
    assert all(fill > 0.5 for _n, fill in underfull(pages, starts)), underfull(pages, starts)
    # an office that sent nothing has its heading and a line saying so in the annex
    # (KW, and headquarters with no report of its own), on one page
    short = {office_name(o, lang) + f" ({o})" for o in ("KW", "HQ")}
    alone = headings_alone(pdf)
    assert [h for h in alone if h[1] not in short] == []
    assert headings_alone(pdf, below=1) == []
    # (as given: _sync_facts is the one that puts them in order)
    first = letters(office_name(offices[0], lang))
    for title in EXCHANGE_TITLES:
        page, i = find_line(pages, translation(lang).gettext(title))
        # under the column headers (a line or three)
        assert any(not first - letters(text) for _t, _b, text in page.lines[i + 1:i + 5]), \
            (title, page.lines[i:i + 5])


LONG = {
    "en": "The national migration data system was reviewed with the statistics office; "
          "two workshops were held in March and a third is planned for the autumn. ",
    "fr": "Le système national de données migratoires a été revu avec l’office de la "
          "statistique ; deux ateliers ont eu lieu en mars et un troisième est prévu. ",
    "ar": "تمت مراجعة النظام الوطني لبيانات الهجرة مع مكتب الإحصاء، وعقدت ورشتا عمل في "
          "مارس ومن المقرر عقد ورشة ثالثة في الخريف. ",
}


@pytest.mark.parametrize("lang, paper", [("en", "A4"), ("fr", "Letter"), ("ar", "A4"),
                                         ("ar", "Letter")])
def test_the_status_sheet_flows(hq, tmp_path, lang, paper) -> None:
    """A sheet of every action with long narratives, their annex in full: no page but
    the last less than two thirds full, each area's heading over its first action and
    the annex's heading over the first action's text."""
    from fieldplan.i18n import translation
    from fieldplan.reports import build_status_sheet

    text = LONG[lang] * 6
    write_progress(hq, "ML", PERIOD, narrative=(text, LONG[lang] * 2, LONG[lang]))
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang,
                             paper=paper)
    pages = body_pages(pdf)
    plan = hq.plan()
    # (a page may end over half full where the next starts with an area's table of
    # three actions moved whole: only its first action fitted here, alone under its
    # heading, the other two going on over the page; or all but its last, which went
    # on alone at the next page's top)
    moved = areas_moved(pages, plan, lang)
    assert underfull(pages, moved) == []
    assert all(fill > 0.5 for _n, fill in underfull(pages)), underfull(pages)
    assert headings_alone(pdf) == []
    for area in plan.areas:
        page, i = find_line(pages, f"{area.code} — {area.title.get(lang)}")
        code = next(a.code for a in plan.actions_of(level="national") if a.area == area.code)
        assert any(code in line for _t, _b, line in page.lines[i + 1:i + 5]), area.code
    assert not heads_alone(pages, translation(lang).gettext("Annex: narratives in full"), 3)


def test_the_note_under_the_events_a_restore_lost_stays_with_its_table(
        hq, tmp_path, monkeypatch) -> None:
    """The table of the events a restore lost ended at a page's foot and its note
    ("Import those bundles again, …") went over alone, on a page of its own before the
    detail's: with as many bundles in quarantine above it as put it there, and the
    counts around, it goes over with its table; and with the last row of a table too
    big to keep whole (thirty offices), the note going over alone to the top of the
    detail's page."""
    from fieldplan.offices import OIC_MEMBERS
    from fieldplan.sync.exchange import QuarantineItem

    offices = OFFICES[:6]
    for office in offices:
        write_progress(hq, office, PERIOD, only=3)

    def facts(held: int, lost: int) -> review.SyncFacts:
        return review.SyncFacts(
            late=[], conflicts=[], gaps=[],
            quarantined=[QuarantineItem(f"{i:032x}", "SN", f"{i:032x}", f"{i:016X}",
                                        "13A5 2F27 5E75 E975 8080 3866 266F 47E7 1FD6 7FB6",
                                        f"SN-{i:08x}.fieldplan", "2026-08-02T10:00:00Z", 1)
                         for i in range(held)],
            offices_lost=[{"office": o, "events": 4, "bundles": [f"{o}-a.fieldplan"]}
                          for o in lost_offices[:lost]])

    # (the first as before, then thirty in all)
    lost_offices = offices + [o for o in sorted(OIC_MEMBERS) if o not in offices]
    seen = 0
    for held, lost in ((25, 4), (26, 2), (27, 1), (28, 1), (26, 3), (9, 30)):
        given = facts(held, lost)
        monkeypatch.setattr(review, "_sync_facts", lambda *a, _f=given, **k: _f)
        pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
        for page in body_pages(pdf):
            if "Import those bundles again" in " ".join(line for *_, line in page.lines):
                seen += 1
                assert not page.lines[0][2].startswith("Import those"), (held, lost)
        assert underfull(body_pages(pdf), outline_starts(pdf)) == []
    assert seen == 6


def _missing_events_under_quarantine(held: int) -> review.SyncFacts:
    """``held`` bundles in quarantine, then three offices' missing events."""
    from fieldplan.sync.exchange import Gap, QuarantineItem

    return review.SyncFacts(
        late=[], conflicts=[],
        quarantined=[QuarantineItem(f"{i:032x}", "SN", f"{i:032x}", f"{i:016X}",
                                    "13A5 2F27 5E75 E975 8080 3866 266F 47E7 1FD6 7FB6",
                                    f"SN-{i:08x}.fieldplan", "2026-08-02T10:00:00Z", 1)
                     for i in range(held)],
        gaps=[Gap(f"{i:08x}aaaa", o, 41, 57) for i, o in enumerate(OFFICES[:3])])


def test_the_detail_starts_under_the_last_table_gone_over_alone(hq, tmp_path,
                                                               monkeypatch) -> None:
    """With as many bundles in quarantine as filled the page above it, the table of
    the missing events went over to a page of its own (9 % of it used), and "Detail
    by area" started the page after that: the detail, all of it fitting under the
    table, starts there, and the pack is a page shorter."""
    from tests.core.test_reports import outline

    for office in OFFICES[:6]:
        write_progress(hq, office, PERIOD, only=3)
    for held in (26, 29):
        given = _missing_events_under_quarantine(held)
        monkeypatch.setattr(review, "_sync_facts", lambda *a, _f=given, **k: _f)
        pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
        pages = body_pages(pdf)
        page, _i = find_line(pages, "Missing events")
        detail, _j = find_line(pages, "Detail by area")
        assert detail.number == page.number, (held, page.fill)
        annex = next(e["page"] for e in outline(pdf) if e["title"].startswith("Annex"))
        assert [p.number for p in pages[:annex - 1] if p.fill < 1 / 6] == []
        assert underfull(pages, outline_starts(pdf)) == []


def _render_part(hq, out: Path, used: float, tables: tuple[float, ...], *,
                 lead: bool = False, spare_rows: int = 0):
    """A page ``used`` (a share of it) by what comes before, then a part (PartBreak)
    of small tables, each about its ``tables`` share of a page (less ``spare_rows``)
    under its own heading, the first one with the part's heading too when ``lead``.
    (The PDF written, the page of each area's heading: ``a0``, ``a1``…)"""
    from reportlab.platypus import Spacer

    from fieldplan.reports import common as cm

    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    frame_h = ctx.pagesize[1] - cm.MARGIN_TOP - cm.MARGIN_BOTTOM
    row = cm.SMALL.leading + 5  # a line and the cell's padding
    pages: dict[str, int] = {}

    def story(state: cm.BuildState) -> list:
        pages.clear()
        state.pages = pages
        part: list = []
        for n, share in enumerate(tables):
            rows = int(share * frame_h // row) - spare_rows
            table = cm.table(ctx, [[cm.cell(ctx, f"Row {n}.{i}")] for i in range(rows)], [300])
            first = cm.heading("Detail", cm.H1, rtl=False, key="d", level=0,
                               pages=state.pages) if lead and n == 0 else []
            head = cm.heading(f"Area {n}", cm.H2, rtl=False, key=f"a{n}",
                              level=1 if lead else 0, pages=state.pages)
            part += cm.keep([*first, *head, table], whole=60, lead=len(first))
        return [Spacer(1, frame_h * used), cm.PartBreak(part), *part]

    return cm.render(ctx, out, story, title="t", left="l", right="r"), pages


@pytest.mark.parametrize("used, tables, page", [
    (0.3, (0.5, 0.3), 2),    # it would end on the same page: it starts one
    (0.3, (0.8,), 2),
    (0.1, (0.95,), 2),       # (this page's blank would only move to its end)
    (0.3, (0.55, 0.55), 1),  # it ends a page sooner
    (0.5, (0.2, 0.2), 1),    # all of it fits: the report is a page shorter
])
def test_a_part_starts_a_page_unless_it_ends_a_page_sooner_under_what_is_there(
        hq, tmp_path, used, tables, page) -> None:
    """PartBreak: a part of a report (the detail of the review pack) starts a new page
    unless it ends a page sooner under what is on this one (all of it fits there, or
    it takes a page and a bit)."""
    _pdf, pages = _render_part(hq, tmp_path / "t.pdf", used, tables, spare_rows=2)
    assert pages["a0"] == page


def test_a_part_that_would_split_its_first_small_table_starts_a_page(hq, tmp_path) -> None:
    """The detail's first area's table, small enough to keep whole with its own
    heading, is kept whole with the detail's heading too (``lead``): measured with the
    two headings it was over a third of a page, no longer kept whole, and the detail
    started under the section before it and split it at the page's foot."""
    pdf, pages = _render_part(hq, tmp_path / "t.pdf", 0.7, (0.29, 0.6, 0.3), lead=True)
    first = {p.number for p in body_pages(pdf) for *_, text in p.lines
             if text.startswith("Row 0.")}
    assert first == {pages["a0"]} == {2}
