"""The reports' running header: a plan title of a hundred characters and more ran over
the report's name and period on the other side of the page."""

from __future__ import annotations

import io

import pytest

LONG_TITLE = {
    "en": "Plan of Action 2025–2027 between the International Organization for Migration "
          "and the Organisation of Islamic Cooperation",
    "fr": "Plan d’action 2025–2027 entre l’Organisation internationale pour les migrations "
          "et l’Organisation de la coopération islamique",
    "ar": "خطة العمل 2025–2027 بين المنظمة الدولية للهجرة ومنظمة التعاون الإسلامي بشأن "
          "الهجرة والتنقل والتنمية في الدول الأعضاء",
}


def _drawn_header(hq, monkeypatch, lang: str, left: str, right: str):
    """(x, width, text, align) of each string the page furniture draws on the header
    line, and the context."""
    from reportlab.pdfgen.canvas import Canvas

    from fieldplan.reports import common as cm
    from fieldplan.reports.fonts import string_width

    ctx = cm.make_ctx(hq, "2026-S1", lang, "A4")
    drawn = []

    def record(canv, x, y, text, font, size, align="left"):
        drawn.append((y, x, string_width(text, font, size), text, align))

    monkeypatch.setattr(cm, "draw_text", record)
    canv = Canvas(io.BytesIO(), pagesize=ctx.pagesize)
    cm._draw_furniture(ctx, cm.BuildState(total=3, final=True), left, right, canv)
    top = max(y for y, *_ in drawn)
    return ctx, [(x, w, text, align) for y, x, w, text, align in drawn if y == top]


def _extent(x: float, width: float, align: str) -> tuple[float, float]:
    return (x - width, x) if align == "right" else (x, x + width)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_long_plan_title_is_cut_to_leave_the_period_whole(hq, monkeypatch, lang) -> None:
    from fieldplan.reports import common as cm
    from fieldplan.reports import text as tx

    right = {"en": "Semester review pack · 1st semester 2026",
             "fr": "Dossier de revue semestrielle · 1er semestre 2026",
             "ar": "ملف المراجعة نصف السنوية · النصف الأول 2026"}[lang]
    ctx, header = _drawn_header(hq, monkeypatch, lang, LONG_TITLE[lang], right)
    assert len(header) == 2
    (xa, wa, a, al), (xb, wb, b, bl) = header
    first, second = _extent(xa, wa, al), _extent(xb, wb, bl)
    assert first[0] >= cm.MARGIN_X - 0.01 and second[1] <= ctx.pagesize[0] - cm.MARGIN_X + 0.01
    assert second[0] - first[1] >= cm.HEADER_GAP - 0.01  # apart, not overlapping
    title, period = (b, a) if ctx.rtl else (a, b)
    assert period == tx.one_line(right, ctx.dir)  # whole
    assert "…" in title and len(title) < len(LONG_TITLE[lang])
    # the title is cut, not mirrored: in Arabic the ellipsis is its leftmost character
    assert title.startswith("…") if ctx.rtl else title.endswith("…")
    # a short title is left as it is
    ctx, header = _drawn_header(hq, monkeypatch, lang, "IOM–OIC Plan of Action 2025–2027", right)
    assert all("…" not in text for _x, _w, text, _a in header)


def test_a_long_right_hand_text_keeps_two_thirds_of_the_line(hq, monkeypatch) -> None:
    from fieldplan.reports import common as cm

    ctx, header = _drawn_header(hq, monkeypatch, "en", LONG_TITLE["en"], LONG_TITLE["en"])
    (xa, wa, a, _al), (xb, wb, b, _bl) = header
    assert wb <= ctx.width * 2 / 3 and b.endswith("…") and a.endswith("…")
    assert (xb - wb) - (xa + wa) >= cm.HEADER_GAP - 0.01
