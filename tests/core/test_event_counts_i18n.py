"""An import's event counts, "3 new of 5 events", took one plural from the total for
both numbers: French printed "fusionné (1 nouveaux sur 2 événements)" and Arabic
"0 new out of no events" for a bundle of receipts only. Each number now takes its own
plural (two messages), and a bundle without events says so.

The catalogs are translated after the code changes: these tests add the translations
of the new messages to the real catalog of the language (tests.draft_catalog), so that
what is compared is what a French or Arabic reader will see."""

from __future__ import annotations

import pytest

from fieldplan import i18n
from fieldplan.sync.exchange import ImportOutcome, events_text
from tests.draft_catalog import with_messages

#: the new messages, translated: msgid (or singular and plural) → msgstr (or forms)
NEW = {
    "fr": {
        "no events": "aucun événement",
        ("of {count} event", "of {count} events"): (
            "sur {count} événement", "sur {count} d’événements", "sur {count} événements"),
        ("{new} new {of_events}", "{new} new {of_events}"): (
            "{new} nouveau {of_events}", "{new} de nouveaux {of_events}",
            "{new} nouveaux {of_events}"),
        ("nothing new: {count} event already known",
         "nothing new: {count} events already known"): (
            "rien de nouveau\u00a0: {count} événement déjà connu",
            "rien de nouveau\u00a0: {count} d’événements déjà connus",
            "rien de nouveau\u00a0: {count} événements déjà connus"),
        "none new of {total}": "aucun nouveau sur {total}",
    },
    # (one new and two new in words, with no figure; the new events counted with their
    # noun, "حدث جديد من أصل واحد", where "جديد واحد من أصل حدث واحد" was clumsy)
    "ar": {
        ("{new} new {of_events}", "{new} new {of_events}"): (
            "{new} حدث جديد {of_events}", "حدث جديد {of_events}", "حدثان جديدان {of_events}",
            "{new} أحداث جديدة {of_events}", "{new} حدثًا جديدًا {of_events}",
            "{new} حدث جديد {of_events}"),
        ("of {count} event", "of {count} events"): (
            "من أصل {count}", "من أصل واحد", "من أصل اثنين", "من أصل {count}",
            "من أصل {count}", "من أصل {count}"),
        ("{new} new of {total}", "{new} new of {total}"): (
            "{new} حدث جديد من أصل {total}", "حدث جديد من أصل {total}",
            "حدثان جديدان من أصل {total}", "{new} أحداث جديدة من أصل {total}",
            "{new} حدثًا جديدًا من أصل {total}", "{new} حدث جديد من أصل {total}"),
        ("nothing new: {count} event already known",
         "nothing new: {count} events already known"): (
            "لا جديد: {count} حدث معروف سابقًا", "لا جديد: حدث واحد معروف سابقًا",
            "لا جديد: حدثان معروفان سابقًا", "لا جديد: {count} أحداث معروفة سابقًا",
            "لا جديد: {count} حدثًا معروفًا سابقًا", "لا جديد: {count} حدث معروف سابقًا"),
        "none new of {total}": "لا أحداث جديدة من أصل {total}",
    },
}


def with_new_messages(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """Use the real catalog of ``lang`` with the new messages translated (``NEW``)."""
    with_messages(monkeypatch, lang, NEW[lang])


@pytest.fixture
def lang_with_new_messages(monkeypatch: pytest.MonkeyPatch):
    def use(lang: str) -> None:
        with_new_messages(monkeypatch, lang)
        i18n.set_language(lang)

    yield use
    i18n.set_language("en")


@pytest.mark.parametrize(("new", "total", "english"), [
    (1, 2, "1 new of 2 events"), (0, 1, "nothing new: 1 event already known"),
    (0, 4, "nothing new: 4 events already known"), (3, 3, "3 new of 3 events"),
    (1, 1, "1 new of 1 event"), (0, 0, "no events")])
def test_english(new, total, english) -> None:
    assert events_text(new, total) == english
    assert ImportOutcome("a.fieldplan", "merged", events_new=new, events_total=total
                         ).line() == f"a.fieldplan: merged ({english})"


@pytest.mark.parametrize(("outcome", "new", "total", "french"), [
    ("merged", 1, 2, "fusionné (1 nouveau sur 2 événements)"),
    ("merged", 2, 2, "fusionné (2 nouveaux sur 2 événements)"),
    ("duplicate", 0, 6, "déjà présent (rien de nouveau\u00a0: 6 événements déjà connus)"),
    ("duplicate", 0, 1, "déjà présent (rien de nouveau\u00a0: 1 événement déjà connu)"),
    ("merged", 1, 1, "fusionné (1 nouveau sur 1 événement)"),
    ("merged", 0, 0, "fusionné (aucun événement)"),
    ("merged", 1200, 2500, "fusionné (1 200 nouveaux sur 2 500 événements)"),
])
def test_french_takes_each_plural_from_its_own_number(lang_with_new_messages, outcome, new,
                                                     total, french) -> None:
    lang_with_new_messages("fr")
    line = ImportOutcome("a.fieldplan", outcome, events_new=new, events_total=total).line()
    # (a no-break space before the colon; babel groups thousands with a narrow one)
    assert line.replace("\u202f", " ") == f"a.fieldplan\u00a0: {french}"


@pytest.mark.parametrize(("new", "total", "arabic"), [
    (0, 0, "مدمجة (لا أحداث)"),
    # none new: a sentence of its own, not "0 new of one event" (0 جديد من أصل حدث واحد)
    (0, 1, "مدمجة (لا جديد: حدث واحد معروف سابقًا)"),
    (0, 2, "مدمجة (لا جديد: حدثان معروفان سابقًا)"),
    (0, 7, "مدمجة (لا جديد: 7 أحداث معروفة سابقًا)"),
    (1, 1, "مدمجة (حدث جديد من أصل واحد)"),
    (2, 2, "مدمجة (حدثان جديدان من أصل اثنين)"),
    (1, 3, "مدمجة (حدث جديد من أصل 3)"),
    (5, 12, "مدمجة (5 أحداث جديدة من أصل 12)"),
    (12, 12, "مدمجة (12 حدثًا جديدًا من أصل 12)"),
])
def test_arabic_takes_each_plural_from_its_own_number(lang_with_new_messages, new, total,
                                                     arabic) -> None:
    lang_with_new_messages("ar")
    line = ImportOutcome("a.fieldplan", "merged", events_new=new, events_total=total).line()
    # (the file's name one left-to-right unit in an Arabic line: i18n.ltr)
    assert line == f"\u2066a.fieldplan\u2069: {arabic}"

