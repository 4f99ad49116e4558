"""Tests that compare French or Arabic text of messages the catalogs do not hold yet
(they are translated after the code changes): the real catalog of the language with
those messages added, translated as a translator would."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pytest
from babel.messages.pofile import read_po, write_po

from fieldplan import i18n


def with_messages(monkeypatch: pytest.MonkeyPatch, lang: str,
                  messages: Mapping[str | tuple[str, str], str | tuple[str, ...]]) -> None:
    """Until the test ends, ``lang`` is translated by its real catalog plus ``messages``:
    msgid → msgstr, or (singular, plural) → every plural form of the language."""
    catalog = read_po(io.BytesIO(i18n.po_path(lang).read_bytes()), locale=lang,
                      domain=i18n.DOMAIN)
    for msgid, msgstr in messages.items():
        # (a message the catalog holds already is replaced: add() would keep its text)
        catalog.delete(msgid[0] if isinstance(msgid, tuple) else msgid)
        catalog.add(msgid, msgstr)
    po = io.BytesIO()
    write_po(po, catalog)
    translations = i18n.gettext.GNUTranslations(io.BytesIO(i18n.compile_po(po.getvalue(), lang)))
    monkeypatch.setitem(i18n._translations, lang, translations)
