"""The import result's event counts in French and Arabic, each number with its own
plural, as the command line says them (tests/core/test_event_counts_i18n.py)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QApplication

from tests.core.test_event_counts_i18n import with_new_messages

pytest.importorskip("fieldplan.sync")

_ISOLATES = re.compile("[\u2066-\u2069]")


@pytest.mark.parametrize(("lang", "counts", "said"), [
    ("fr", (1, 2), "1 nouveau sur 2 événements"),
    ("fr", (0, 0), "aucun événement"),
    ("ar", (0, 3), "لا جديد: 3 أحداث معروفة سابقًا"),
    ("ar", (1, 2), "حدث جديد من أصل اثنين"),
    ("ar", (0, 0), "لا أحداث"),
    ("en", (1, 2), "1 new of 2 events"),
])
def test_the_import_result_counts_each_number_with_its_own_plural(
        qtbot, monkeypatch, lang, counts, said) -> None:
    from fieldplan.sync.exchange import ImportOutcome
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    apply_language(QApplication.instance(), lang)
    try:
        if lang != "en":
            with_new_messages(monkeypatch, lang)
        new, total = counts
        dialog = ImportResultDialog(None, [ImportOutcome(
            "ML-1.fieldplan", "merged", office="ML", events_new=new, events_total=total)])
        qtbot.addWidget(dialog)
        shown = dialog.table.item(0, 3).text()
        # (in Arabic each number kept left to right in an isolate)
        assert _ISOLATES.sub("", shown) == said
        assert (shown != said) == (lang == "ar" and any(c.isdigit() for c in said))
    finally:
        apply_language(QApplication.instance(), "en")


def test_the_import_result_says_which_reports_the_plan_hides(qtbot) -> None:
    from fieldplan.sync.exchange import ImportOutcome
    from ui.transfer import ImportResultDialog

    dialog = ImportResultDialog(None, [ImportOutcome(
        "ML-1.fieldplan", "merged", office="ML", events_new=2, events_total=2,
        hidden_brought=2, hidden_why=("action", "level"))])
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 3).text() == (
        "2 new of 2 events; it brings 2 reports the plan hides (the plan no longer has "
        "this action; the action is no longer at this office's level)")


def test_the_import_result_says_each_note_once(qtbot) -> None:
    """The reason the Inbox keeps joins the late data, plan and hidden-report notes:
    the dialog, which says each, does not say them again through it."""
    from fieldplan.i18n import join_clauses
    from fieldplan.sync.exchange import ImportOutcome, hidden_text, late_text, plan_text
    from ui.transfer import ImportResultDialog

    reason = join_clauses([late_text(["2026-S1"]), plan_text(2, 0),
                           hidden_text(1, ("action",))])
    dialog = ImportResultDialog(None, [ImportOutcome(
        "ML-1.fieldplan", "merged", office="ML", events_new=2, events_total=2,
        late_periods=("2026-S1",), plan_version=2, hidden_brought=1,
        hidden_why=("action",), reason=reason)])
    qtbot.addWidget(dialog)
    shown = _ISOLATES.sub("", dialog.table.item(0, 3).text())
    assert shown == ("2 new of 2 events; changes to the locked period 1st semester 2026; "
                     "the plan is now version 2; it brings 1 report the plan hides (the plan "
                     "no longer has this action)")


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "Fusionné\u00a0: 1 · Rejetés\u00a0: 2"),
    ("en", "Merged: 1 · Rejected: 2"),
])
def test_the_import_summary_word_agrees_with_its_count(qtbot, monkeypatch, lang,
                                                       said) -> None:
    """"Rejeté : 2" in French: the outcome's word agrees with how many files it counts
    (found by the visual QA)."""
    from fieldplan.sync.exchange import ImportOutcome
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    apply_language(QApplication.instance(), lang)
    try:
        if lang != "en":
            with_new_messages(monkeypatch, lang)
        dialog = ImportResultDialog(None, [
            ImportOutcome("ML-1.fieldplan", "merged", office="ML"),
            ImportOutcome("a.eml", "rejected", reason="not a bundle"),
            ImportOutcome("b.fieldplan", "rejected", reason="cut short")])
        qtbot.addWidget(dialog)
        assert dialog.summary.text() == said
    finally:
        apply_language(QApplication.instance(), "en")


@pytest.mark.parametrize(("new", "arabic"), [
    (1, "حدث جديد من أصل 61"), (2, "حدثان جديدان من أصل 61"),
    (3, "3 أحداث جديدة من أصل 61"), (0, "لا أحداث جديدة من أصل 61")])
def test_the_inbox_counts_new_events_with_their_noun_in_arabic(monkeypatch, new, arabic) -> None:
    """The inbox's Events column said "جديد واحد من أصل 61" (one new of 61): the new
    ones are counted as events ("حدث جديد"), as the import's line counts them."""
    from types import SimpleNamespace

    from fieldplan import i18n
    from ui.models import InboxModel

    with_new_messages(monkeypatch, "ar")
    i18n.set_language("ar")
    row = SimpleNamespace(file="a.fieldplan", office="SN", received_at="2026-03-01T10:00:00Z",
                          outcome="merged", reason="", events=61, events_new=new,
                          bundle_id="a")
    inbox = InboxModel()
    inbox.set_rows([row])
    try:
        assert inbox.display(row, InboxModel.EVENTS) == arabic
    finally:
        i18n.set_language("en")
