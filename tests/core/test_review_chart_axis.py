"""The review pack's chart counts its axis in round steps (1, 2, 5 × 10ᵏ). It stepped
by a ceiling of an eighth of the longest bar: for 176 reports of 57 offices it read
0, 22, 44 … 198, and a reader could not tell where 100 was."""

from __future__ import annotations

from collections import Counter

import pytest

from fieldplan.i18n import format_number
from fieldplan.reports import common as cm
from fieldplan.reports import review

#: the longest bar → the axis's ticks. The axis runs on a step or more when a bar has
#: counts beside its end; not here, every bar being of one status, and one that fills
#: the axis (199 of 200) needs no room after its end
TICKS = {
    0: [0, 1],
    1: [0, 1],
    7: list(range(8)),
    10: list(range(11)),
    11: list(range(0, 13, 2)),
    57: list(range(0, 61, 10)),
    176: list(range(0, 181, 20)),
    199: list(range(0, 201, 20)),
    1000: list(range(0, 1001, 100)),
    1001: list(range(0, 1201, 200)),
    12345: list(range(0, 14001, 2000)),
}


@pytest.mark.parametrize(("top", "most"), [(0, 10), (1, 10), (7, 10), (57, 10), (176, 10),
                                           (199, 10), (1000, 10), (25, 3), (99999, 4)])
def test_the_step_is_round_and_fits_the_longest_bar(top, most) -> None:
    step = review.axis_step(top, most)
    mantissa = step
    while mantissa % 10 == 0:
        mantissa //= 10
    assert mantissa in (1, 2, 5)
    assert -(-max(top, 1) // step) <= most
    # and none smaller would do
    smaller = [s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
               if s < step]
    assert all(-(-max(top, 1) // s) > most for s in smaller)


def _axis_labels(hq, lang: str, top: int) -> tuple[list[float], list[str]]:
    """The value axis's ticks and the labels drawn at them, in a chart whose longest
    bar has ``top`` reports (all on track: no label beside a bar)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.textlabels import Label
    from reportlab.graphics.shapes import Group

    pack = review.Pack(hq, cm.make_ctx(hq, "2026-S1", lang, "A4"), None, 1)
    areas = [a.code for a in hq.plan().areas]
    counts = {a: Counter({"on-track": top if i == 0 else top // 2})
              for i, a in enumerate(areas)}
    drawing = pack.chart(counts)
    bc = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
    axis = bc.valueAxis
    bc.draw()  # (configures the axes)
    texts: list[str] = []

    def walk(node) -> None:
        for item in getattr(node, "contents", []):
            if isinstance(item, Label):
                texts.append(item._text)
            elif isinstance(item, Group):
                walk(item)

    walk(axis.draw())
    return list(axis._tickValues), texts


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_axis_ticks_are_round_numbers_in_each_language(hq, lang) -> None:
    for top, ticks in TICKS.items():
        values, labels = _axis_labels(hq, lang, top)
        assert [round(v) for v in values] == ticks, (lang, top)
        assert labels == [format_number(t, lang) for t in ticks], (lang, top)
    # a thousand as the rest of the pack writes it
    _, labels = _axis_labels(hq, lang, 1000)
    assert labels[-1] == {"en": "1,000", "fr": "1\u202f000", "ar": "1,000"}[lang]
