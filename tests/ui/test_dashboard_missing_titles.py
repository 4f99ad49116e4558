"""The "Still missing" lists (the dashboard, the submit dialog) name each action by its
code and its title, as the plan tree does, in the reader's language: a code alone
("PA1.2: no report") sent staff to the plan to learn which action it was. A long title
is cut at a word, with "…", the line starting with what tells it apart."""

from __future__ import annotations

import pytest

from fieldplan.i18n import set_language
from fieldplan.model import ProgressReport
from fieldplan.plan import default_plan
from ui.context import Identity
from ui.dashboard import MISSING_TITLE, summarise

PLAN = default_plan()


def _summary(period: str = "2026-S1", reports=()):
    return summarise(Identity("office", "SN", "r", PLAN, ""), period, list(reports))


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_missing_action_is_named_by_its_code_and_title(language: str) -> None:
    set_language(language)
    summary = _summary()
    assert summary.missing
    for line, code in zip(summary.missing, summary.missing_actions, strict=True):
        title = PLAN.action(code).title.get(language)
        named = line.partition(" · ")[2]
        assert line.startswith(code + " · ")
        # the title's start, in the reader's language, whole when it is short
        head = named[:min(len(title), 20)]
        assert title.startswith(head), (line, title)
        if len(title) <= MISSING_TITLE:
            assert named.startswith(title)


def test_a_long_title_is_cut_at_a_word() -> None:
    long = [a for a in PLAN.actions_of(level="national")
            if len(a.title.get("en")) > MISSING_TITLE + 5]
    assert long  # the plan has such titles
    summary = _summary()
    for action in long:
        line = summary.missing[summary.missing_actions.index(action.code)]
        cut = line.removeprefix(action.code + " · ").removesuffix(": no report")
        assert cut.endswith("…") and len(cut) <= MISSING_TITLE + 1
        assert action.title.get("en").startswith(cut[:-1] + " ")


def test_a_line_to_fill_in_names_the_action_too() -> None:
    action = PLAN.actions_of(level="national")[0]
    draft = ProgressReport("SN", action.code, "2026-S1", "on-track", None, (), "a", "", "",
                           "draft", "2026-03-01T10:00:00Z", "x")
    summary = _summary(reports=[draft])
    line = summary.missing[summary.missing_actions.index(action.code)]
    assert line.startswith(action.code + " · ") and " — to fill in: percent" in line
    assert line in summary.unsubmitted_missing
