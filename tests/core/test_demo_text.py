"""The demo's narratives are what trainees read first: they must read as written
French and Arabic ("Les autorités locales a validé…", "لمدة 2 أيام" did not)."""

from __future__ import annotations

import random
import re

from fieldplan import demo


def _texts(lang: str) -> list[str]:
    rng = random.Random(7)
    return [demo._sentences(rng, demo._ACHIEVEMENTS[lang], lang, 6) for _ in range(300)]


def test_a_french_verb_agrees_with_whichever_partner_is_drawn() -> None:
    texts = _texts("fr")
    assert any("les autorités locales" in t for t in texts)
    assert not any(re.search(r"\b(Les|les) [^.]*? a validé", t) for t in texts)


def test_arabic_counts_read_as_arabic_counts() -> None:
    texts = _texts("ar")
    assert any("أيام" in t for t in texts)
    for t in texts:
        assert not re.search(r"\b2 (أيام|زيارات)", t), t
        assert "امرأة" not in t  # 3 to 9 women: نساء
