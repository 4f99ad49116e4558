"""The review pack's tables of late, quarantined and conflicting data, as a reader
reads them. A key fingerprint in the quarantine table breaks between its groups, as
evenly as the column lets it (five over five), or stands on one line: it wrapped as
seven groups over three, which reads as a fingerprint of seven groups."""

from __future__ import annotations

import pytest

from fieldplan.reports import common as cm
from fieldplan.reports import review
from fieldplan.reports.fonts import string_width
from fieldplan.sync.exchange import QuarantineItem
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
FPR = "4430 3705 4BBC 74B8 020C 3BAF 2633 CF9D A354 E96E"


def _lines(flow) -> list[str]:
    """What each drawn line of a TextFlow holds, its direction marks left out."""
    return ["".join(ch for ch in line if ch.isalnum() or ch == " ").strip()
            for line, _d in flow._lines]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_fingerprint_breaks_evenly_between_its_groups(hq, monkeypatch, lang, paper) -> None:
    write_progress(hq, "ML", PERIOD)
    facts = review.SyncFacts(late=[], conflicts=[], gaps=[], quarantined=[
        QuarantineItem("b" * 32, "ML", "c" * 32, "D" * 16, FPR, "ML-1.fieldplan",
                       "2026-08-02T10:00:00Z", 1)])
    monkeypatch.setattr(review, "_sync_facts", lambda *a, **k: facts)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    pack = review.Pack(hq, ctx, None, 1)
    [table] = [f for f in pack.sync_section() if isinstance(f, cm.GridTable)]
    table.wrap(ctx.width, 10_000)
    row = table._cellvalues[1]
    [flow] = row[0 if ctx.rtl else -1]  # the last column, mirrored in Arabic
    lines = _lines(flow)
    assert " ".join(lines) == FPR
    assert [len(line.split()) for line in lines] == [5, 5]


def test_groups_stand_on_one_line_where_they_fit_and_else_as_evenly_as_they_can() -> None:
    font, size = cm.SMALL.font, cm.SMALL.size
    whole = string_width(FPR, font, size)
    assert cm.even_groups(FPR, font, size, whole + 1) == FPR
    assert [len(g.split()) for g in cm.even_groups(FPR, font, size, whole * 0.6).split("\n")] \
        == [5, 5]
    assert [len(g.split()) for g in cm.even_groups(FPR, font, size, whole * 0.4).split("\n")] \
        == [4, 3, 3]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_counts_in_the_exchange_tables_are_centred_under_their_headers(hq, monkeypatch,
                                                                        lang) -> None:
    """The late data's "Reports of this period changed" and the events a restore lost
    were flush with the cell's start, "9" over "12" read as misaligned figures, where
    every other table of the pack centres its counts."""
    write_progress(hq, "ML", PERIOD)
    facts = review.SyncFacts(
        late=[review.LateData(o, n, 7, "2026-08-10T09:00:00+00:00", (f"{o}-1.fieldplan",))
              for o, n in (("ML", 9), ("SN", 12))],
        quarantined=[], conflicts=[], gaps=[],
        offices_lost=[{"office": "ML", "events": 4, "bundles": ["ML-a.fieldplan"]}])
    monkeypatch.setattr(review, "_sync_facts", lambda *a, **k: facts)
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    pack = review.Pack(hq, ctx, None, 1)
    tables = [f for f in pack.sync_section() if isinstance(f, cm.GridTable)]
    assert len(tables) == 2
    for table, column in zip(tables, (3, 1), strict=True):
        n = len(table._cellvalues[0])
        at = n - 1 - column if ctx.rtl else column  # mirrored in Arabic
        cells = [row[at][0] for row in table._cellvalues]
        assert [c.align for c in cells] == ["center"] * len(cells), [c.text for c in cells]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_drafts_of_offices_that_have_not_reported_are_centred_with_their_header(
        hq, lang) -> None:
    """Its counts were centred under a header flush with the cell's start."""
    from fieldplan.sync import enroll_office

    write_progress(hq, "ML", PERIOD)
    enroll_office(hq, "SN", hq.path.parent / "SN.fieldplan")
    write_progress(hq, "SN", PERIOD, state="draft", only=2)
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    [table] = [f for f in review.Pack(hq, ctx, None, 1).not_reported()
               if isinstance(f, cm.GridTable)]
    at = 1 if ctx.rtl else 2  # mirrored in Arabic
    cells = [row[at][0] for row in table._cellvalues]
    assert len(cells) == 2 and cells[1].text != "–"  # SN's two drafts
    assert [c.align for c in cells] == ["center"] * len(cells)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_detail_by_area_centres_submitted_reports_with_their_header(hq, lang) -> None:
    """"Submitted reports" stood flush with the cell's start over centred "57/57"."""
    write_progress(hq, "ML", PERIOD)
    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    pack = review.Pack(hq, ctx, None, 1)
    [table] = pack.area_detail(ctx.plan.areas[0])
    n = len(table._cellvalues[0])
    at = n - 1 - 3 if ctx.rtl else 3  # mirrored in Arabic
    cells = [row[at][0] for row in table._cellvalues]
    assert any(c.text == "1/1" for c in cells[1:])  # ML's report
    assert [c.align for c in cells] == ["center"] * len(cells), [c.text for c in cells]


def _drawn(flow) -> list[str]:
    """A TextFlow's drawn lines, only their letters, digits and spaces kept."""
    return [" ".join("".join(ch if ch.isalnum() else " " for ch in line).split())
            for line, _d in flow._lines]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_date_and_time_keeps_its_utc(hq, monkeypatch, lang, paper) -> None:
    """In the Arabic pack the quarantine table's Received column printed
    "2026/12/07، 4:43:09 ص" over a line of "UTC" alone. A received date-time stands
    on one line, or as its date over its time with "UTC", in every table."""
    write_progress(hq, "ML", PERIOD)
    when = "2026-09-27T22:43:09+00:00"  # a long month (Sept, sept.), PM (م)
    facts = review.SyncFacts(
        late=[review.LateData("ML", 9, 7, when, ("ML-1.fieldplan",))],
        quarantined=[
            QuarantineItem("b" * 32, "AE", "c" * 32, "D" * 16, FPR,
                           "AE-ef4f0777-1-1.fieldplan", when, 1),
            QuarantineItem("e" * 32, "AE", "f" * 32, "E" * 16, FPR,
                           "AE-ef4f0777-1-2.fieldplan", when, 1, reason="failed",
                           key_on_record=True)],
        conflicts=[], gaps=[])
    monkeypatch.setattr(review, "_sync_facts", lambda *a, **k: facts)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    pack = review.Pack(hq, ctx, None, 1)
    tables = [f for f in pack.sync_section() if isinstance(f, cm.GridTable)]
    assert len(tables) == 3
    stamps = []
    for table in tables:
        table.wrap(ctx.width, 10_000)
        for row in table._cellvalues[1:]:
            stamps += [flow for [flow] in row
                       if isinstance(flow, cm.TextFlow) and "UTC" in flow.text]
    assert len(stamps) == 3
    for flow in stamps:  # each column wide enough for all of it
        [line] = _drawn(flow)
        assert "UTC" in line and "43 09" in line and "2026" in line, line


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_date_and_time_breaks_only_between_its_date_and_its_time(hq, lang) -> None:
    """Where a column is too narrow for all of it (two in the table of changes after
    the lock), the date stands over the time and its "UTC"."""
    from fieldplan.reports import text as tx

    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    when = ctx.when("2026-09-27T22:43:09+00:00")
    whole = string_width(tx.shape(when), cm.SMALL.font, cm.SMALL.size)
    for width in (whole * 0.6, whole * 0.9, whole - 1):
        lines = tx.break_lines(when, cm.SMALL.font, cm.SMALL.size, width)
        assert len(lines) == 2, lines
        date, time = (" ".join("".join(c if c.isalnum() else " " for c in line).split())
                      for line in lines)
        assert date in ("27 Sept 2026", "27 sept 2026", "27 09 2026"), lines
        assert time.startswith("10 43 09" if lang == "ar" else "22 43 09"), lines
        assert time.endswith("UTC"), lines
    assert tx.break_lines(when, cm.SMALL.font, cm.SMALL.size, whole + 1) == [tx.shape(when)]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_statuses_of_an_action_wrap_in_even_lines(hq, lang, paper) -> None:
    """The detail by area printed "● 28  ▲ 15  ▼ 9  ✓ 4" over "✕ 1" alone for an
    action of 57 offices' reports: the statuses break as evenly as the column lets
    them (three over two), each symbol with its count."""
    from dataclasses import replace

    write_progress(hq, "ML", PERIOD)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    pack = review.Pack(hq, ctx, None, 1)
    first = next(r for r in pack.reports if r.action == "PA1.1")
    mix = {"on-track": 28, "at-risk": 15, "off-track": 9, "completed": 4, "cancelled": 1}
    pack.reports = [replace(first, office=f"X{s[:2]}{i}", status=s)
                    for s, n in mix.items() for i in range(n)]
    [table] = pack.area_detail(ctx.plan.areas[0])
    table.wrap(ctx.width, 10_000)
    n = len(table._cellvalues[0])
    at = n - 1 - 4 if ctx.rtl else 4  # the Statuses column, mirrored in Arabic
    [flow] = table._cellvalues[1][at]
    flow.wrap(table._colWidths[at] - 6, 10_000)  # (the cell's paddings)
    lines = [line for line, _d in flow._lines]
    counts = [sum(ch in "○●▲▼✓✕" for ch in line) for line in lines]
    assert sum(counts) == 5 and max(counts) - min(counts) <= 1, lines
    # each symbol with its count
    assert all(len(tx_words) % 2 == 0
               for tx_words in (line.replace("\u00a0", " ").split() for line in lines))


def test_a_split_status_cell_keeps_its_groups() -> None:
    """The part of a cell a page break carries over, laid out again, keeps each
    status's symbol with its count (it would know no separator, and take each symbol
    and each count for a group of its own)."""
    import re
    from collections import Counter

    mix = review.status_mix(Counter({"on-track": 28, "at-risk": 15, "off-track": 9,
                                     "completed": 4, "cancelled": 1}), str)
    flow = cm.GroupsFlow(mix, cm.SMALL, sep=review.STATUS_GAP)
    wide = string_width(mix, cm.SMALL.font, cm.SMALL.size)
    flow.wrap(wide * 0.3, 10_000)
    _first, rest = flow.split(wide * 0.3, cm.SMALL.leading * 1.5)
    rest.wrap(wide * 0.5, 10_000)  # laid out again, at another width
    lines = [line for line, _d in rest._lines]
    assert all(re.fullmatch(r"\S\u00a0\d+", group.strip())
               for line in lines for group in line.split("\u2007")), lines


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_changes_after_the_lock_keep_each_date_and_time_on_one_line(
        hq, monkeypatch, lang, paper) -> None:
    """Its two date-time columns, a fifth of the width each, printed every row's
    "Last changed" and "Last received" as the date over the time and "UTC"."""
    from fieldplan.progress import ChangedAfterLock

    write_progress(hq, "ML", PERIOD)
    # the widest date-times of the year: a long month, a two-digit hour (PM, م)
    changes = [ChangedAfterLock(office, "PA1.1", PERIOD, 2, last, "amina", state,
                                received_at=received)
               for office, last, received, state in (
                   ("ML", "2026-09-28T23:48:08+00:00", "2026-03-28T22:48:08+00:00", "draft"),
                   ("SN", "2026-12-28T12:48:08+00:00", "2026-12-28T00:48:08+00:00",
                    "submitted"))]
    facts = review.SyncFacts(late=[], quarantined=[], conflicts=[], gaps=[],
                             after_lock=changes)
    monkeypatch.setattr(review, "_sync_facts", lambda *a, **k: facts)
    ctx = cm.make_ctx(hq, PERIOD, lang, paper)
    [table] = [f for f in review.Pack(hq, ctx, None, 1).sync_section()
               if isinstance(f, cm.GridTable)]
    table.wrap(ctx.width, 10_000)
    stamps = [flow for row in table._cellvalues[1:] for [flow] in row
              if isinstance(flow, cm.TextFlow) and "UTC" in flow.text]
    assert len(stamps) == 4
    for flow in stamps:
        [line] = _drawn(flow)
        assert "UTC" in line and "48 08" in line and "2026" in line, line
