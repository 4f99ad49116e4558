"""An office's bundle that changes what only headquarters writes is refused with what
it changes in words: the refusal put the event's record name, an internal English
word, into the translated sentence (« modifie l’enregistrement « key », que seul le
Siège peut écrire », « يعدِّل السجل «lock» »). Found by QA.

The catalogs are translated after the code changes: DRAFT is the new text, added to the
real catalog (tests.draft_catalog) until the catalogs hold it."""

from __future__ import annotations

import pytest

from fieldplan import events, i18n
from fieldplan.errors import OwnershipError
from fieldplan.sync.exchange import _check_event
from tests.draft_catalog import with_messages

PLAN = "{where} changes the plan, which only headquarters may write"
KEY = "{where} changes the key registry, which only headquarters may write"
LOCK = "{where} changes a period's lock, which only headquarters may write"

DRAFT = {
    "fr": {PLAN: "{where} modifie le plan, que seul le Siège peut écrire",
           KEY: "{where} modifie le registre des clés, que seul le Siège peut écrire",
           LOCK: "{where} modifie le verrouillage d’une période, que seul le Siège peut "
                 "écrire"},
    "ar": {PLAN: "{where} يعدِّل الخطة، ولا يكتبها إلا المقر الرئيسي",
           KEY: "{where} يعدِّل سجل المفاتيح، ولا يكتبه إلا المقر الرئيسي",
           LOCK: "{where} يعدِّل قفل فترة، ولا يكتبه إلا المقر الرئيسي"},
}


def event(entity: str, entity_id: str) -> events.Event:
    return events.Event(origin="ab510ac4" * 4, seq=5, hlc=1, author="x", entity=entity,
                        entity_id=entity_id, fields={"v": 1}, base={}, prev="0" * 64,
                        body="", hash="")


@pytest.mark.parametrize(("entity", "entity_id", "lang", "said"), [
    ("plan", "iom-oic", "fr", "événement 5 du bureau ML modifie le plan, que seul le Siège "
                              "peut écrire"),
    ("key", "1A2B", "fr", "événement 5 du bureau ML modifie le registre des clés, que seul "
                          "le Siège peut écrire"),
    ("lock", "2026-S1", "fr", "événement 5 du bureau ML modifie le verrouillage d’une "
                              "période, que seul le Siège peut écrire"),
    ("lock", "2026-S1", "ar", "الحدث 5 من ML يعدِّل قفل فترة، ولا يكتبه إلا المقر الرئيسي"),
    ("key", "1A2B", "en", "event 5 of ML changes the key registry, which only headquarters "
                          "may write"),
])
def test_a_record_only_headquarters_writes_is_said_in_words(monkeypatch, entity, entity_id,
                                                           lang, said) -> None:
    for language, messages in DRAFT.items():
        with_messages(monkeypatch, language, messages)
    i18n.set_language(lang)
    try:
        with pytest.raises(OwnershipError) as refused:
            _check_event(event(entity, entity_id), "ML", "ML")
    finally:
        i18n.set_language("en")
    assert str(refused.value) == said
