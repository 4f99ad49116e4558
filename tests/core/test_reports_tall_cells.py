"""No table cell of a report may grow taller than a page: a table row cannot split
across pages by itself, and the build failed with "LayoutError: ... too large" (an
office that had sent about 80 bundles after the period's end made the review pack
unprintable)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_review_pack, build_status_sheet
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")), reason="needs poppler-utils, qpdf"
)

PERIOD = "2025-S2"  # over: whatever arrives now arrived after its end


def pdf_text(path: Path, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else [])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def qpdf_ok(path: Path) -> None:
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def install_unchecked(hq, plan) -> None:
    """Install ``plan`` as a fieldplan before plan.MAX_INDICATORS did (its plan event
    written as it is): an action of more indicators than a plan file may now give is
    still in such databases, and their sheets still print it."""
    from fieldplan import events, store
    from fieldplan.plan import plan_to_dict

    with store.write_transaction(hq.conn):
        events.append(hq.conn, "plan", plan.id, {"document": plan_to_dict(plan)},
                      author="hq.desk")


def test_pack_names_the_first_late_files_and_counts_the_rest(hq, make_office,
                                                             tmp_path) -> None:
    """90 bundles of one office after the period's end: the pack prints, naming five
    files and counting the others, instead of failing on a cell of 90 names."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundles

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    usb = tmp_path / "usb"
    usb.mkdir()
    paths = []
    for i in range(90):
        progress.record_progress(ml, action, PERIOD, status="on-track", percent=i)
        paths.append(export_bundle(ml, out_file=usb / f"ML-late-{i:03d}.fieldplan").path)
    assert sum(o.events_new for o in import_bundles(hq, paths)) == 90
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    qpdf_ok(pdf)
    text = " ".join(pdf_text(pdf).split())
    late = text[text.index("Data received after the deadline"):]
    for i in range(5):
        assert f"ML-late-{i:03d}.fieldplan" in late
    assert "and 85 more files" in late
    assert "ML-late-005.fieldplan" not in text and "ML-late-089.fieldplan" not in text


def test_six_late_files_are_all_named(hq) -> None:
    """"and 1 more file" would take the line the sixth name takes."""
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack

    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    names = tuple(f"f{i}.fieldplan" for i in range(7))
    assert pack._files_text(names[:6]) == "\n".join(names[:6])
    assert pack._files_text(names).endswith("f4.fieldplan\nand 2 more files")
    assert pack._files_text(()) == "–"


def test_conflicting_values_take_one_line_each(hq, tmp_path, monkeypatch) -> None:
    """A competing narrative made of newlines printed a line for each: five of them
    made a cell of 300 lines."""
    from fieldplan import sync
    from fieldplan.sync.conflicts import Candidate, Conflict

    write_progress(hq, "ML", PERIOD, only=1)
    value = "first" + "\n" * 50 + "last"
    candidates = tuple(
        Candidate(f"r{i}:3", f"r{i}:3", value, "a", "2026-07-01T00:00:00+00:00", i == 0)
        for i in range(6)
    )
    conflict = Conflict("achievements", "progress", f"ML|PA1.1|{PERIOD}", "achievements",
                        candidates)
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [conflict])
    pdf = build_review_pack(hq, PERIOD, tmp_path / "c.pdf")
    lines = [" ".join(line.split()) for line in pdf_text(pdf, layout=True).splitlines()]
    assert sum("first last" in line for line in lines) == 5  # MAX_CANDIDATES


def test_a_row_taller_than_a_page_splits_instead_of_failing(hq, tmp_path) -> None:
    """Plan texts are not bounded (a plan installed before plan.MAX_INDICATORS): an
    action with 90 indicators makes an indicators cell taller than a page. Its row
    splits across pages, and each indicator prints once."""
    from fieldplan.plan import Text

    plan = hq.plan()
    first = plan.actions_of(level="national")[0]
    many = tuple(
        dataclasses.replace(first.indicators[0], key=f"ind-{i}",
                            title=Text(f"Indicator number {i:02d} of many"), targets=())
        for i in range(90)
    )
    actions = tuple(dataclasses.replace(a, indicators=many) if a.code == first.code else a
                    for a in plan.actions)
    install_unchecked(hq, dataclasses.replace(plan, version=plan.version + 1, actions=actions))
    write_progress(hq, "ML", "2026-S1", only=1)
    for pdf in (build_status_sheet(hq, "2026-S1", "ML", out=tmp_path / "s.pdf"),
                build_review_pack(hq, "2026-S1", tmp_path / "p.pdf")):
        qpdf_ok(pdf)
        text = " ".join(pdf_text(pdf).split())
        for i in range(90):
            # (a title's two lines may fall on two pages: "of" / "many")
            assert text.count(f"Indicator number {i:02d} of") == 1, (pdf, i)
        # the row starts under its area's heading, right after the sheet's facts: a
        # new page would not make it fit, only leave the foot of this one blank
        pages = [" ".join(p.split()) for p in pdf_text(pdf).split("\f")]
        [head] = [i for i, p in enumerate(pages) if "PA1 — Migration governance" in p
                  and "Indicators: actual of target" in p]
        assert "Indicator number 00 of many" in pages[head]
        assert "Reports: 1 of 12 actions" in pages[head]


def test_a_tall_row_after_short_ones_goes_on_under_the_same_header(hq, tmp_path) -> None:
    """An area's third action with 40 indicators, after two short rows: the table
    split between the rows, and the rest, which the page could not take, split inside
    its row on the same page under the column headers printed again, halfway down.
    The tall row starts under the short ones and goes on on the next page."""
    from fieldplan.plan import Text, dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    last = [a for a in plan.actions_of(level="national") if a.area == "PA4"][-1]
    many = tuple(
        dataclasses.replace(last.indicators[0], key=f"ind-{i}",
                            title=Text(f"Indicator number {i:02d} of many"), targets=())
        for i in range(40)
    )
    actions = tuple(dataclasses.replace(a, indicators=many) if a.code == last.code else a
                    for a in plan.actions)
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=actions), path)
    replace_plan(hq, path)
    write_progress(hq, "ML", "2026-S1")
    pdf = build_status_sheet(hq, "2026-S1", "ML", out=tmp_path / "s.pdf")
    qpdf_ok(pdf)
    for page in pdf_text(pdf, layout=True).split("\f"):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        heads = [i for i, line in enumerate(lines) if line.startswith("Code Action Status")]
        for i in heads:
            # under an area's heading, or at the top of a page (its running header above)
            assert i == 1 or " — " in lines[i - 1], lines[i - 1:i + 2]


def _figures_per_page(pdf: Path) -> list[tuple[int, int]]:
    """(indicator titles, indicator figures) on each page of ``pdf``."""
    import re

    out = []
    for page in pdf_text(pdf).split("\f"):
        flat = " ".join(page.split())
        out.append((len(re.findall(r"Indicator number \d\d\b", flat)),
                    len(re.findall(r"\b\d+ of \d+ documents\b", flat))))
    return out


def test_an_indicator_keeps_its_figures_where_its_row_splits(hq, tmp_path) -> None:
    """An indicator's title at the foot of a page, its figures ("7 of 12 documents")
    at the top of the next, under the column headers printed again: read as two
    indicators. Each title goes over with its figures, and each narrative's label
    with its text."""
    from fieldplan.plan import Text

    plan = hq.plan()
    first = plan.actions_of(level="national")[0]
    many = tuple(
        dataclasses.replace(
            first.indicators[0], key=f"ind-{i}",
            title=Text(f"Indicator number {i:02d} " + "people reached with services " * (i % 4)))
        for i in range(60)
    )
    actions = tuple(dataclasses.replace(a, indicators=many) if a.code == first.code else a
                    for a in plan.actions)
    install_unchecked(hq, dataclasses.replace(plan, version=plan.version + 1, actions=actions))
    write_progress(hq, "ML", "2026-S1", only=1)
    pdf = build_status_sheet(hq, "2026-S1", "ML", out=tmp_path / "s.pdf")
    pages = _figures_per_page(pdf)
    assert sum(t for t, _f in pages) == 60
    assert len([p for p in pages if p[0]]) > 1  # the row did split
    for titles, figures in pages:
        assert titles == figures, pages


def test_a_cell_splits_after_a_title_with_its_figures(hq) -> None:
    """At the layout level: a cell of titles kept with their figures splits before a
    title whose figures do not fit, never between them; a cell whose first pair does
    not fit splits as before (it could never split otherwise)."""
    from reportlab.platypus.tables import CellStyle

    from fieldplan.reports import common as cm

    ctx = cm.make_ctx(hq, "2026-S1", "en", "A4")

    def pair(i: int) -> list:
        title = cm.cell(ctx, f"Indicator {i}", cm.MUTED_SMALL)
        title.keepWithNext = 1
        return [title, cm.cell(ctx, f"{i} of 10 people", cm.BOLD_SMALL, space_after=2)]

    value = [f for i in range(4) for f in pair(i)]
    t = cm.table(ctx, [["x"]], [100])
    style = CellStyle("c")
    style.leftPadding = style.rightPadding = 3
    style.topPadding = 2.5
    line_t, line_f = cm.MUTED_SMALL.leading, cm.BOLD_SMALL.leading
    # room for two pairs and the third's title
    room = 2 * (line_t + line_f + 2) + line_t + 1
    first, rest = t._splitCell(value, style, 1000, room + style.topPadding, 100)
    assert [f.text for f in first] == ["Indicator 0", "0 of 10 people",
                                       "Indicator 1", "1 of 10 people"]
    assert rest[0].text == "Indicator 2"
    # too little room even for the first pair: it splits as before
    first, rest = t._splitCell(value, style, 1000, line_t + 1 + style.topPadding, 100)
    assert [f.text for f in first] == ["Indicator 0"]
