"""Punctuation a person typed with an ordinary space before or after it, as French
keyboards and most people type it ("fin ?", "« élève »"), printed where a reader
expects it: never a line that starts with "?", ":", ";", "!" or "»", nor one that
ends with "«" (the catalogs' own texts hold no-break spaces; a narrative does not)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.reports import text as tx
from fieldplan.reports.fonts import REGULAR, register_fonts

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

FRENCH = ("Les chiffres des provinces sont-ils fiables ? Oui : « élève », œuvre ; fin ! "
          "Atteint à 45 % du total. ")
ARABIC = "هل الأرقام موثوقة ؟ نعم ؛ انتهى "


def _bad_lines(text: str, size: float = 9) -> list[tuple[float, str]]:
    register_fonts()
    bad = []
    for width in range(120, 480, 3):
        for line in tx.break_lines(text, REGULAR, size, width):
            if (line[:1] and line[:1] in "?:;!»%\u061f\u061b") or line.endswith("«"):
                bad.append((width, line))
    return bad


def test_a_line_never_starts_with_a_closing_mark_typed_after_a_space() -> None:
    assert _bad_lines(FRENCH * 8) == []


def test_an_arabic_question_mark_stays_with_its_word() -> None:
    assert _bad_lines(ARABIC * 10) == []


def test_a_mark_alone_still_prints_and_long_words_still_break() -> None:
    register_fonts()
    assert tx.break_lines("?", REGULAR, 9, 100) == ["?"]
    assert tx.break_lines("« »", REGULAR, 9, 100) == ["«\u00a0»"]
    # held to its word, a mark does not keep a word too wide for a line from breaking
    for line in tx.break_lines("x" * 300 + " ?", REGULAR, 9, 100):
        assert tx.break_lines(line, REGULAR, 9, 100) == [line]


@needs_poppler
def test_a_french_sheet_prints_no_line_starting_with_a_question_mark(
        hq, make_office, tmp_path: Path) -> None:
    from fieldplan import progress
    from fieldplan.reports import build_status_sheet

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, action, "2026-S1", status="on-track",
                             achievements=FRENCH * 10)
    out = build_status_sheet(ml, "2026-S1", out=tmp_path / "s.pdf", lang="fr")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    assert "fiables ? Oui" in " ".join(lines).replace("\u00a0", " ")
    assert not [line for line in lines if line[:1] and line[:1] in "?;!»"], lines


def test_an_excerpt_never_ends_on_an_opening_mark() -> None:
    """A table's narrative excerpt cut just after "«" printed "accents : «…", a
    quotation opened on nothing."""
    text = "Un texte français avec des accents : « élève », œuvre. " * 3
    for limit in range(20, 150):
        excerpt, cut = tx.truncate(text, limit)
        assert not cut or excerpt[:-1].rstrip()[-1:] not in "«‹([{:;", (limit, excerpt)
    assert tx.truncate(text, 39) == ("Un texte français avec des accents…", True)
    assert tx.truncate("Voir « ici » et là", 7) == ("Voir…", True)
