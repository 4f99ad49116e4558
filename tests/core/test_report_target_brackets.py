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
