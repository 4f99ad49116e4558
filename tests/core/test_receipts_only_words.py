"""An office's export with nothing new says it still carries receipts, and to whom:
French read "l’envoyer indique quand même à HQ ce qui est arrivé" (Arabic "يُعلم HQ")
where every other message names headquarters in words ("le Siège"). Headquarters'
bundle for an office still names the office by its code.

The catalogs are translated after the code changes: the test adds the new message's
translation to the real catalog (tests.draft_catalog)."""

from __future__ import annotations

from fieldplan import i18n
from fieldplan.sync.export import receipts_only_text
from tests.draft_catalog import with_messages

NEW = ("no new entries to send: the bundle holds only the receipts of what this "
       "computer has received; sending it still tells headquarters what arrived")


def test_headquarters_is_named_in_words(monkeypatch) -> None:
    assert receipts_only_text("HQ").endswith("still tells headquarters what arrived")
    assert receipts_only_text("ML").endswith("still tells ML what arrived")
    with_messages(monkeypatch, "fr", {NEW: (
        "aucune nouvelle donnée à envoyer\u00a0: le paquet ne contient que les accusés "
        "de réception de ce que cet ordinateur a reçu\u202f; l’envoyer indique quand même "
        "au Siège ce qui est arrivé")})
    i18n.set_language("fr")
    try:
        assert receipts_only_text("HQ").endswith("indique quand même au Siège ce qui est "
                                                 "arrivé")
        assert receipts_only_text("ML").endswith("indique quand même au bureau ML ce qui est "
                                                 "arrivé")
    finally:
        i18n.set_language("en")
