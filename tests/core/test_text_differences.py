"""Where two versions of a narrative differ (fieldplan.text.differing_spans): the
Conflicts tab highlights these spans and opens each text at the first."""

from __future__ import annotations

import difflib

import pytest

from fieldplan import text
from fieldplan.text import differing_spans


def parts(text: str, spans) -> list[str]:
    return [text[start:end] for start, end in spans]


@pytest.fixture
def compared(monkeypatch) -> list[tuple[int, int]]:
    """The lengths of every pair of sequences difflib compares: its work grows with
    their product (no timed tests: tests/bench times things)."""
    seen: list[tuple[int, int]] = []

    class Counting(difflib.SequenceMatcher):
        def __init__(self, isjunk, a, b, autojunk=True):
            seen.append((len(a), len(b)))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", Counting)
    return seen


def test_equal_texts_have_no_difference() -> None:
    assert differing_spans("same", "same") == ((), ())


def test_a_long_narrative_differing_in_its_last_line_is_found_quickly(compared) -> None:
    body = "Paragraph one of the report. " * 600 + "\n\n"
    a, b = body + "Final: 12 villages reached.", body + "Final: 21 villages reached."
    a_spans, b_spans = differing_spans(a, b)
    # the common start and end are skipped: only what is left is compared
    assert all(x * y <= 4 for x, y in compared)
    assert parts(a, a_spans) == ["12"] and parts(b, b_spans) == ["21"]
    assert a_spans[0][0] > 17_000


def test_a_changed_word_is_shown_whole() -> None:
    a_spans, b_spans = differing_spans("Wells reached.", "Wells reaching.")
    assert parts("Wells reached.", a_spans) == ["reached"]
    assert parts("Wells reaching.", b_spans) == ["reaching"]


def test_changes_far_apart_are_spans_of_their_own(compared) -> None:
    sentences = [f"Sentence {i} about the villages and wells." for i in range(400)]
    other = list(sentences)
    other[50] = "Sentence 50 about the towns and wells."
    other[300] = "Sentence 300 about the villages and roads."
    a, b = " ".join(sentences), " ".join(other)
    a_spans, b_spans = differing_spans(a, b)
    assert parts(a, a_spans) == ["villages", "wells"]
    assert parts(b, b_spans) == ["towns", "roads"]
    # sentence by sentence, then word by word in the two that changed
    assert compared[0][0] < 300 and all(x * y <= text._DIFF_WORK for x, y in compared)


def test_text_only_one_version_has_is_an_empty_span_in_the_other() -> None:
    a, b = "First line\nsecond", "First line\nsecond\nthird line"
    a_spans, b_spans = differing_spans(a, b)
    assert [start == end for start, end in a_spans] == [True]
    assert parts(b, b_spans) == ["\nthird line"]


def test_arabic_words_are_compared_whole() -> None:
    a = "تم الوصول إلى 12 قرية. وتم تدريب المعلمين."
    b = "تم الوصول إلى 21 قرية. وتم تدريب المعلمين."
    assert parts(a, differing_spans(a, b)[0]) == ["12"]


def test_two_unrelated_long_texts_are_compared_within_bounds(compared) -> None:
    a = " ".join(f"Alpha {i} north." for i in range(1500))[:20_000]
    b = " ".join(f"Beta {i} south." for i in range(1500))[:20_000]
    a_spans, b_spans = differing_spans(a, b)
    assert all(x * y <= text._DIFF_WORK for x, y in compared)
    assert a_spans and b_spans and a_spans[0][0] == 0


def test_a_long_text_without_full_stops_is_one_span_not_a_slow_comparison(compared) -> None:
    words = ["alpha", "beta", "gamma", "delta"]
    a = " ".join(words[i * 7 % 4] for i in range(4000))
    b = " ".join(words[i * 5 % 4] for i in range(4000))
    a_spans, b_spans = differing_spans(a, b)
    assert all(x * y <= text._DIFF_WORK for x, y in compared)
    assert len(a_spans) == len(b_spans) == 1
