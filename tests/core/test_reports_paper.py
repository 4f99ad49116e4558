"""The reports as printed on paper: what a printer's unprintable strip at a sheet's
edges would cut, and a table row longer than a page."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_status_sheet
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")), reason="needs poppler-utils, qpdf"
)

PERIOD = "2026-S1"
MM = 72 / 25.4


def words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, word) of each word of ``page``, in points from the page's
    bottom left corner, as pdftotext reads them."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))
    found = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">(.*?)</word>', out):
        x0, top, x1, bottom = map(float, m.groups()[:4])
        found.append((x0, height - bottom, x1, height - top, m.group(5)))
    return found


@pytest.mark.parametrize(("lang", "paper"), [("en", "A4"), ("en", "Letter"),
                                             ("ar", "A4"), ("ar", "Letter")])
def test_the_qr_code_stays_clear_of_the_unprintable_edge(hq, tmp_path, monkeypatch,
                                                        lang, paper) -> None:
    """The QR code's white box began 4 mm above the paper's foot: printers that cannot
    print the last 5–6.35 mm of a sheet cut its lower rows. It stands 8 mm or more
    from every edge, and no text (page number, digest, the last table row) runs over
    it."""
    from reportlab.pdfgen.canvas import Canvas

    from fieldplan.reports import common as cm

    drawn = []
    real = Canvas.doForm

    def record(canv, name):
        if name.startswith("fpqr"):
            a, _b, _c, d, e, f = canv._currentMatrix
            drawn.append((canv.getPageNumber(), e, f, a, d))
        return real(canv, name)

    monkeypatch.setattr(Canvas, "doForm", record)
    write_progress(hq, "ML", PERIOD, lang=lang)
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang, paper=paper)
    width, height = cm.PAPERS[paper.upper()]
    assert drawn and {p for p, *_ in drawn} == set(range(1, drawn[-1][0] + 1))
    for page, x, y, sx, sy in drawn:
        assert (sx, sy) == (1, 1)  # drawn at its size, cm.QR_SIZE
        box = (x, y, x + cm.QR_SIZE, y + cm.QR_SIZE)
        assert min(box[0], box[1], width - box[2], height - box[3]) >= 8 * MM, (page, box)
        # the body's frame (its last table row) ends above it
        assert box[3] < cm.MARGIN_BOTTOM
        for x0, y0, x1, y1, word in words(pdf, page):
            assert x1 <= box[0] or x0 >= box[2] or y1 <= box[1] or y0 >= box[3], (page, word)
            # nor any text in a printer's unprintable strip: the client prints the page
            # on the whole sheet, at its size (ui.report_preview.print_pages)
            assert min(x0, y0, width - x1, height - y1) >= 8 * MM, (page, word)


def _many_indicators(hq, tmp_path: Path, n: int, area: str | None = None) -> str:
    """The plan amended so that the first national action (of ``area``, when given)
    has ``n`` indicators; its code."""
    from fieldplan.plan import Text, dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    first = next(a for a in plan.actions_of(level="national") if area in (None, a.area))
    many = tuple(
        dataclasses.replace(first.indicators[0], key=f"ind-{i}",
                            title=Text(f"Indicator number {i:02d} of many"), targets=())
        for i in range(n)
    )
    actions = tuple(dataclasses.replace(a, indicators=many) if a.code == first.code else a
                    for a in plan.actions)
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=actions), path)
    replace_plan(hq, path)
    return first.code


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_row_split_across_pages_names_its_action_where_it_goes_on(hq, tmp_path,
                                                                   lang) -> None:
    """An action of 40 indicators is taller than a page: the page its row went on to
    showed indicator values beside blank Code and Action cells. The code cell says
    the action's code and that it goes on from the page before."""
    from fieldplan.i18n import translation

    code = _many_indicators(hq, tmp_path, 40)
    write_progress(hq, "ML", PERIOD, only=1, lang=lang)
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang)
    pages = [page_text(pdf, p) for p in (1, 2, 3)]
    # the row begins on page 1 and goes on over pages 2 and 3
    assert "number 00 of" in pages[0] and "number 20 of" in pages[1]
    assert "number 39 of" in pages[2]
    said = " ".join(translation(lang).gettext("{code} (continued)").format(code=code).split())
    assert said not in pages[0]
    for text in pages[1:]:
        if lang == "en":
            assert text.count(f"{code} (continued)") == 1
        else:  # (its words in the order pdftotext reads a right-to-left page)
            assert text.count(code) == 1
