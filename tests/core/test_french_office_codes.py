"""French put "de", "à", "le"… straight before an office's code: "Empreinte des données
de AE", "les ordinateurs de IQ", "la fiche de HQ", "le paquet est adressé à HQ".
A code that starts with a vowel wants an elision ("d’AE"), and headquarters' code
wants "du Siège", "au Siège"; the catalog says "du bureau AE", which reads right for
every code, HQ's and a regional office's too ("du bureau RO-Dakar"), or puts the code
where no article is needed ("a pour destinataire HQ", "envoyé par AE et OM",
"expéditeur : HQ · Siège"). Found by QA.

Every French message whose placeholder names an office (its code, a list of codes, or
a label that starts with the code: "SN · Sénégal") is read here with each office's
code in it."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from fieldplan import i18n
from fieldplan.offices import HQ, all_offices

#: placeholders that hold an office's code, a list of them, or a label that starts
#: with one ("{office}", "{offices}" = "ML, SN", "{me}" = this computer's office…)
OFFICE_PLACEHOLDERS = ("office", "offices", "me", "recipient", "other", "sender", "own")

#: "{claimed}" is an office's code in these messages only (elsewhere a number)
CLAIMED_OFFICE = re.compile(r"not to \{claimed\}")

#: every code the messages may get: the countries, the regional offices and HQ
CODES = (*all_offices(), "HQ")

#: words that cannot stand straight before an office's code in French: an article or
#: a preposition that would want elision (AE) or "du Siège" / "au Siège" (HQ)
BEFORE = r"(?<![\w’'])(?i:de|à|du|au|des|aux|le|la|les|que)\s+"
ELIDED = r"(?<![\w])[dDlL][’']\s*"


def _french() -> list:
    catalog = read_po(i18n.po_path("fr").open("rb"), locale="fr", domain=i18n.DOMAIN)
    return [m for m in catalog if m.id and m.string]


def _office_keys(msgid: str) -> set[str]:
    """The office placeholders of ``msgid`` (its singular and plural)."""
    names = set(re.findall(r"\{(\w+)\}", msgid))
    keys = names & set(OFFICE_PLACEHOLDERS)
    if "claimed" in names and CLAIMED_OFFICE.search(msgid):
        keys.add("claimed")
    return keys


def _with_office(text: str, keys: set[str], code: str) -> str:
    """``text`` with each of ``keys`` filled by ``code``, the other placeholders kept."""
    return re.sub(r"\{(\w+)\}", lambda m: code if m.group(1) in keys else m.group(0), text)


def _wrong(text: str, code: str) -> list[str]:
    pattern = rf"(?:{BEFORE}|{ELIDED}){re.escape(code)}(?![\w-])"
    return [m.group(0) for m in re.finditer(pattern, text)]


def test_the_messages_that_name_offices_are_found() -> None:
    """(the test reads what it means to: the messages QA found among them)"""
    found = {m.id if isinstance(m.id, str) else m.id[0] for m in _french()
             if _office_keys(" ".join([m.id] if isinstance(m.id, str) else m.id))}
    assert "Data digest of {office} (also in the QR code):" in found
    assert "bundle is addressed to {recipient}, not to {me}" in found
    assert "key {key_id} belongs to office {office}, not to {claimed} as the bundle claims" \
        in found
    assert len(found) > 100, len(found)


@pytest.mark.parametrize("code", ["AE", "IQ", "UZ", HQ, "RO-Dakar", "SN"])
def test_the_pattern_finds_what_qa_found(code) -> None:
    assert _wrong(f"Empreinte des données de {code} (aussi", code)
    assert _wrong(f"envoyez-le à {code}", code)
    assert _wrong(f"le paquet d’{code}", code)
    assert not _wrong(f"Empreinte des données du bureau {code} (aussi", code)
    assert not _wrong(f"a pour destinataire {code}, et non le bureau SN", code)
    assert not _wrong(f"envoyé par {code} et OM", code)
    assert not _wrong(f"une copie de sa base de données (bureau {code})", code)


def test_no_french_article_or_preposition_stands_before_an_office_code() -> None:
    wrong = []
    for message in _french():
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        keys = _office_keys(" ".join(ids))
        if not keys:
            continue
        forms = [message.string] if isinstance(message.string, str) else message.string
        for form in forms:
            for code in CODES:
                text = _with_office(form, keys, code)
                if found := _wrong(text, code):
                    wrong.append(f"{ids[0]!r}: {found[0]!r} in {text!r}")
                    break
    assert not wrong, "\n".join(wrong)


def test_an_office_code_reads_right_in_french(monkeypatch) -> None:
    """As a reader sees them, for an office whose code starts with a vowel, and for
    headquarters."""
    i18n.set_language("fr")
    try:
        _ = i18n._
        assert "des données du bureau AE (aussi dans le code QR)" \
            in _("Data digest of {office} (also in the QR code):").format(office="AE")
        assert _("bundle is addressed to {recipient}, not to {me}: it comes from another "
                 "computer of {me}, and an office's computers exchange their data through "
                 "headquarters (send it there; headquarters' next bundle brings it here)"
                 ).format(recipient="HQ", me="IQ").startswith(
            "le paquet a pour destinataire HQ, et non IQ\u00a0: il vient d’un autre "
            "ordinateur du bureau IQ")
        assert _("only the computers of {office} can resolve this conflict").format(
            office="OM") == "seuls les ordinateurs du bureau OM peuvent résoudre ce conflit"
    finally:
        i18n.set_language("en")
