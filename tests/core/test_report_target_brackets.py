"""A target's bracket on the status sheet stays on one line where it fits one: in the
indicators' narrow column "3 of 10 documents (end of" printed over "plan)", and
"(نهاية" over "الخطة)" in Arabic; one wider than a line keeps its semester whole
("(target for" over "1st semester 2026)", not "semester 2026)" alone)."""

from __future__ import annotations

import shutil

import pytest

from fieldplan.i18n import period_words, translation
from fieldplan.reports import build_status_sheet
from fieldplan.reports import sheet as sh
from tests.core.test_report_flow import body_pages, letters
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"),
                                reason="needs poppler-utils (see packaging/debian-packages.txt)")


def _on_one_line(lines: list[str], text: str) -> bool:
    want = letters(text)
    return any(not want - letters(line) for line in lines)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_target_s_bracket_is_not_broken_inside(hq, tmp_path, lang, paper) -> None:
    # 2025-S2: PA1.2's officials trained held to 2026-S1's target, its reports to
    # the plan's end
    write_progress(hq, "ML", "2025-S2", lang=lang)
    pdf = build_status_sheet(hq, "2025-S2", "ML", out=tmp_path / "s.pdf", lang=lang,
                             paper=paper)
    lines = [text for page in body_pages(pdf) for _t, _b, text in page.lines]
    end = translation(lang).gettext("{figures} (end of plan)").replace("{figures} ", "")
    assert _on_one_line(lines, end), end
    # (drawn mirrored in Arabic, the closing bracket reads "(")
    closing = "(" if lang == "ar" else ")"
    assert _on_one_line(lines, period_words("2026-S1", lang) + closing)


def test_only_a_bracket_that_fits_a_line_is_held_whole() -> None:
    from fieldplan.reports.fonts import register_fonts

    register_fonts()
    text = "3 of 10 documents (end of plan)"
    assert sh.brackets_whole(text, 100) == "3 of 10 documents (end\u00a0of\u00a0plan)"
    assert sh.brackets_whole(text, 20) == text
    assert sh.brackets_whole("3 من 10 وثائق (نهاية الخطة)", 100).endswith(
        "(نهاية\u00a0الخطة)")



@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_bracket_wider_than_a_line_leaves_no_word_alone(hq, tmp_path, lang, paper) -> None:
    """Headquarters' 20,000,000 of 8,000,000 USD mobilised, held to 2nd semester 2026's
    target: "8,000,000 USD (target" over "for" alone on a line, over "2nd semester
    2026)". The words that cannot share a line with the semester stay together."""
    from fieldplan import events, store
    from fieldplan.i18n import format_number
    from tests.core.test_report_layout import words

    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", "HQ|PA3.6|2026-S1",
                      {"status": "on-track", "percent": 50, "state": "submitted",
                       "value.funds-mobilised": 20_000_000.0}, author="hq.officer")
    pdf = build_status_sheet(hq, "2026-S1", "HQ", out=tmp_path / "s.pdf", lang=lang,
                             paper=paper)
    found = words(pdf, 1)
    figure = format_number(20_000_000, lang).split("\u00a0")[0].split("\u202f")[0]
    left = next(w[0] for w in found if w[4].startswith(figure))
    # the indicators' column: its lines start where the figures do
    column: dict[float, list[str]] = {}
    for x0, y0, _x1, _y1, word in found:
        if left - 1 < x0 < left + 90:
            column.setdefault(round(y0, 1), []).append(word)
    head = translation(lang).gettext("{figures} (target for {period})").format(
        figures="", period="").strip(" ()").split()
    alone = ["(" + head[0], *head[1:]]  # (the column's heading ends "of" over "target")
    assert head and not [ws for ws in column.values() if ws in ([w] for w in alone)], column


def test_the_words_before_a_wide_bracket_s_end_are_held_together() -> None:
    from fieldplan.reports.fonts import register_fonts, string_width
    from fieldplan.reports.text import shape

    register_fonts()
    style = sh.cm.BOLD_SMALL

    def width(text: str) -> float:
        return string_width(shape(text), style.font, style.size)

    for text, end in (("8,000,000 USD (target for 2nd\u00a0semester\u00a02026)",
                       "2nd\u00a0semester\u00a02026)"),
                      ("8,000,000 دولار أمريكي (المستهدف في النصف\u00a0الثاني\u00a02026)",
                       "النصف\u00a0الثاني\u00a02026)")):
        head = text[text.index("(") + 1:text.index(end)].strip()
        # the last word of the head does not fit on the end's line: held to the first
        narrow = width(end) + 1
        assert width(head.split()[-1] + "\u00a0" + end) > narrow
        assert sh.brackets_whole(text, narrow) == text.replace(
            f"({head} ", "(" + head.replace(" ", "\u00a0") + " ")
        # where it fits there, the bracket breaks as it did
        assert sh.brackets_whole(text, width(head.split()[-1] + "\u00a0" + end) + 1) == text
