"""Lists inside messages are joined as the language writes a list: Arabic "، "."""

from __future__ import annotations

import pytest

from fieldplan import i18n, progress
from fieldplan.errors import ValidationError


def test_join_list_by_language() -> None:
    items = ["3a6052e8:1", "ad4ef271:76"]
    assert i18n.join_list(items) == "3a6052e8:1, ad4ef271:76"
    i18n.set_language("ar")
    assert i18n.join_list(items) == "3a6052e8:1، ad4ef271:76"
    i18n.set_language("fr")
    assert i18n.join_list(iter(items)) == "3a6052e8:1, ad4ef271:76"


def test_choices_in_an_arabic_error(hq) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    i18n.set_language("ar")
    with pytest.raises(ValidationError) as caught:
        progress.record_progress(hq, act, "2026-S1", status="done")
    assert "not-started، on-track" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        hq.plan().actions_of(level="local")
    assert "national، regional، global" in str(caught.value)


def test_areas_in_an_arabic_error(hq) -> None:
    i18n.set_language("ar")
    with pytest.raises(ValidationError) as caught:
        hq.plan().area("PA9")
    assert "، " in str(caught.value) and ", " not in str(caught.value)
