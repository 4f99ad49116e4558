"""An action's narratives in a status sheet's annex (and so in the review pack's) split
across pages with widow and orphan control: a field that did not fit at a page's foot
went over alone, and an office's annex could end with a page holding one line of it
before the next office (QA: the Arabic pack of 57 offices)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import build_status_sheet
from fieldplan.reports import common as cm
from tests.fixtures.reports.seed import write_progress

SENTENCE = "A technical workshop was held with the Ministry of Labour and the partners. "
LABELS = ("Achievements", "Challenges", "Next steps")
HEADING = re.compile(r"^PA\d\.\d+ — ")
WIDTH = 300.0


def _kept(lines: tuple[int, ...]):
    """A KeptLines of labelled paragraphs of about ``lines`` lines each."""
    from fieldplan.reports.fonts import register_fonts
    from fieldplan.reports.kept import KeptLines, Part

    register_fonts()
    parts = []
    for label, n in zip(LABELS, lines, strict=False):
        parts.append(Part(cm.TextFlow(label, cm.LABEL), label=True))
        words = " ".join(["word"] * 11 * n)  # about n lines at WIDTH
        parts.append(Part(cm.TextFlow(words, cm.BODY, space_after=7)))
    kept = KeptLines(parts)
    kept.wrap(WIDTH, 1e9)
    return kept


def _pieces(kept) -> list[tuple[bool, int, bool]]:
    """(label, lines, the rest of a paragraph split above) of each part."""
    return [(p.label, len(p.flow._lines), getattr(p.flow, "_split_rest", False))
            for p in kept.parts]


@pytest.mark.parametrize("lines", [(6, 1, 1), (5, 3, 2), (1, 9), (12,), (2, 2, 1), (4, 1)])
def test_no_page_break_leaves_a_lone_line_or_a_lone_label(lines) -> None:
    from fieldplan.reports.kept import MIN_LINES, MIN_TAIL

    kept = _kept(lines)
    whole = [len(p.flow._lines) for p in kept.parts if not p.label]
    room = 0.0
    while room < kept.height:
        out = kept.split(WIDTH, room)
        room += 1
        if len(out) < 2:
            continue
        head, tail = (_pieces(k) for k in out)
        assert not head[-1][0]  # a label never ends a page
        assert head[-1][1] >= MIN_LINES or head[-1][1] in whole  # no orphan
        label, n, rest = tail[0]
        assert label or (rest and n >= MIN_LINES)  # no widow
        assert sum(n for label, n, _ in tail if not label) >= MIN_TAIL


def test_a_short_last_field_takes_lines_of_the_one_above_to_the_next_page() -> None:
    kept = _kept((6, 1))
    head, tail = kept.split(WIDTH, kept.height - 10)  # all but the last line fits
    assert [label for label, _n, _rest in _pieces(head)] == [True, False]
    assert _pieces(head)[-1][1] >= 2
    # the end of the paragraph above, then the label and its line
    assert [(label, rest) for label, _n, rest in _pieces(tail)] == [
        (False, True), (True, False), (False, False)]
    assert sum(n for label, n, _ in _pieces(tail) if not label) >= 3


def test_it_fits_without_the_space_after_its_last_paragraph() -> None:
    kept = _kept((3, 2))
    [whole] = kept.split(WIDTH, kept.height - 7)
    assert whole.wrap(WIDTH, 1e9)[1] == kept.height - 7


@pytest.mark.parametrize("lines", [(4, 2, 1), (5, 3, 2), (2, 2, 2), (6, 1)])
def test_what_follows_a_break_between_fields_goes_to_the_next_page(lines) -> None:
    # a break that dropped the space above it let the rest fit on the same page, drawn
    # there with no space between two fields (QA: "…dont 9 femmes." over "Challenges")
    kept = _kept(lines)
    room = 0.0
    while room < kept.height:
        out = kept.split(WIDTH, room)
        room += 0.5
        if len(out) < 2:
            continue
        head, tail = out
        left = room - 0.5 - head.wrap(WIDTH, 1e9)[1]
        assert tail.wrap(WIDTH, 1e9)[1] - tail.parts[-1].flow.space_after > left + 0.01


def _body(page: str) -> list[str]:
    """A page's lines, less the running header and the footer (digest, page number)."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1:-3]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.parametrize("sentences", [3, 5, 7, 10, 12])
def test_a_page_of_the_annex_starts_with_enough_of_an_action(
        hq, tmp_path: Path, sentences: int) -> None:
    """(3 or 7 sentences: "Next steps" and its line alone at the top of a page; 5: one
    line of the achievements alone above "Challenges".)"""
    write_progress(hq, "ML", "2025-S2",
                   narrative=(SENTENCE * sentences, "Funding arrived late. " * 3,
                              "Scale up the training."))
    pdf = build_status_sheet(hq, "2025-S2", "ML", out=tmp_path / "s.pdf")
    pages = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout.split("\f")
    continued = [_body(p) for p in pages if _body(p) and _body(p)[0].endswith("(continued)")]
    for body in continued:
        action = []
        for line in body[1:]:
            if HEADING.match(line):
                break
            action.append(line)
        widow = next((i for i, line in enumerate(action) if line in LABELS), len(action))
        assert widow == 0 or widow >= 2, body[:4]
        assert sum(1 for line in action if line not in LABELS) >= 3, body[:4]
