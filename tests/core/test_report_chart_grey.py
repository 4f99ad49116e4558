"""The review pack's chart stays readable from a black-and-white printer (common in
field offices): each status's colour prints as a grey of its own. On track, off track,
completed and cancelled printed as one dark grey, and a narrow unlabelled segment could
not be told apart (QA: ``pdftoppm -gray`` of a 57-office pack's summary page)."""

from __future__ import annotations

from itertools import combinations

from fieldplan.reports import common as cm
from fieldplan.reports import review

#: the least difference between two statuses' greys, in levels of 255 (luma) and in
#: CIE L* (lightness as people see it)
MIN_LUMA = 35
MIN_LIGHTNESS = 10


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def luma(colour: str) -> float:
    """The grey a printer or ``pdftoppm -gray`` makes of a colour (ITU-R BT.601)."""
    r, g, b = _rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def lightness(colour: str) -> float:
    """CIE L* of an sRGB colour, 0 (black) to 100 (white)."""
    def linear(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def test_every_two_statuses_of_the_chart_print_as_different_greys() -> None:
    used = review.STATUSES  # the chart's segments and its legend
    close = [
        (a, b, round(abs(luma(cm.STATUS_COLOURS[a]) - luma(cm.STATUS_COLOURS[b]))),
         round(abs(lightness(cm.STATUS_COLOURS[a]) - lightness(cm.STATUS_COLOURS[b]))))
        for a, b in combinations(used, 2)
        if abs(luma(cm.STATUS_COLOURS[a]) - luma(cm.STATUS_COLOURS[b])) < MIN_LUMA
        or abs(lightness(cm.STATUS_COLOURS[a]) - lightness(cm.STATUS_COLOURS[b]))
        < MIN_LIGHTNESS
    ]
    assert close == []


def test_a_status_as_light_as_the_paper_has_an_outline() -> None:
    for status in review.STATUSES:
        colour = cm.STATUS_COLOURS[status]
        if luma("#ffffff") - luma(colour) < MIN_LUMA:
            outline = cm.LIGHT_OUTLINE[status]
            assert luma(colour) - luma(outline) >= MIN_LUMA


def test_the_chart_draws_each_status_in_its_colour_and_outline(hq) -> None:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    pack = review.Pack(hq, cm.make_ctx(hq, "2026-S1", "en", "A4"), None, 1)
    counts = {a.code: dict.fromkeys(review.STATUSES, 1) for a in hq.plan().areas}
    chart = pack.chart(counts)
    bc = next(c for c in chart.contents if isinstance(c, HorizontalBarChart))
    for i, status in enumerate(review.STATUSES):
        assert bc.bars[i].fillColor.hexval()[2:] == cm.STATUS_COLOURS[status][1:]
        assert bc.bars[i].strokeColor.hexval()[2:] == cm.LIGHT_OUTLINE.get(
            status, "#ffffff")[1:]
