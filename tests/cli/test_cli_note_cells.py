"""``progress list``'s Note column showed a narrative's first 40 characters as if
they were all of it ("Field teams completed 4 monitoring visit"), cut inside a word,
and in Arabic could part a letter from its vowel sign. The cell now ends with "…"
when the text goes on, after a whole word, its marks kept with their letter."""

from __future__ import annotations

import unicodedata

import pytest

from fieldplan.text import cell_excerpt, display_width
from tests.cli.test_cli_messages import hq_db, run  # noqa: F401 (fixture)

LONG = ("Field teams completed 4 monitoring visits and shared the findings with the "
        "national statistics office.")
ARABIC = "عُقِدَتْ وَرْشَةُ عَمَلٍ تِقْنِيَّةٌ لِمُدَّةِ يَوْمَيْنِ مَعَ شُرَكَاءِ فَرِيقِ الأُمَمِ"


@pytest.mark.parametrize("note", [LONG, ARABIC])
def test_a_long_note_is_cut_after_a_word_and_says_so(hq_db, capsys, note) -> None:  # noqa: F811
    code, _out, err = run("--db", hq_db, "progress", "set", "PA1.6", "--period",
                          "2026-S1", "--status", "on-track", "--note", note, capsys=capsys)
    assert code == 0, err
    code, out, _err = run("--db", hq_db, "progress", "list", capsys=capsys)
    row = out.splitlines()[1]
    cell = row[row.index(note[:8]):]
    assert cell.endswith("…") and display_width(cell) <= 40
    kept = cell[:-1]
    assert note.startswith(kept) and note[len(kept)] == " "


def test_cell_excerpt() -> None:
    assert cell_excerpt("Short note", 40) == "Short note"
    assert cell_excerpt("two\nlines", 40) == "two lines"
    word = "x" * 60  # no space to cut at: cut at the width
    assert cell_excerpt(word, 40) == "x" * 39 + "…"
    marked = "بِ" * 30  # a letter and its vowel sign, 30 times: 30 columns
    cut = cell_excerpt(marked + " " + marked, 40)
    assert cut == marked + "…"
    cut = cell_excerpt("بِ" * 50, 40)
    assert display_width(cut) == 40 and unicodedata.category(cut[-2]) == "Mn"
