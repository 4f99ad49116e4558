"""One English term, one French and one Arabic word for it, where two words would
mislead (found by QA):

- the database digest ('fieldplan digest', the value at the foot of the status sheets)
  and a key's fingerprint were both « empreinte » / بصمة: someone checking "the
  digest" with headquarters over the phone while a new key's "fingerprint" waited in
  quarantine read one word for two different numbers. A fingerprint stays
  « empreinte » / بصمة; the digest is « condensé » / خلاصة.
- undoing a period lock is « déverrouiller » / إلغاء القفل in the Period menu, but
  Arabic said "unless headquarters opens the period" (فتح) in a dozen messages, a
  word that reads as "the period is open for reporting" or as opening a file.
- « à nouveau » next to « de nouveau » (one is kept), and smaller doubles in Arabic:
  a quarantined key المحجور (elsewhere المعزول), trusting a key ثق (elsewhere
  اعتماد, as on the button), the lock الإقفال (elsewhere القفل, as in the menu).

The glossary at the top of each catalog lists these words."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from fieldplan import i18n


def _messages(lang: str) -> list[tuple[str, list[str]]]:
    catalog = read_po(i18n.po_path(lang).open("rb"), locale=lang, domain=i18n.DOMAIN)
    out = []
    for m in catalog:
        if not m.id:
            continue
        english = m.id if isinstance(m.id, str) else " ".join(m.id)
        forms = [m.string] if isinstance(m.string, str) else [f for f in m.string if f]
        out.append((english, forms))
    return out


def _offending(lang: str, english: str, wrong: str, right: str | None = None) -> list[str]:
    found = []
    for eng, forms in _messages(lang):
        if not re.search(english, re.sub(r"\{\w*\}", "", eng)):  # the words, not {fingerprint}
            continue
        for form in forms:
            if re.search(wrong, form) or (right is not None and not re.search(right, form)):
                found.append(f"{eng!r}: {form!r}")
                break
    return found


def test_the_digest_is_not_called_a_fingerprint() -> None:
    assert _offending("fr", r"\bdigest\b", r"(?i)empreinte", r"(?i)condensé") == []
    assert _offending("ar", r"\bdigest\b", r"بصم", r"خلاص") == []


def test_a_fingerprint_is_still_a_fingerprint() -> None:
    assert _offending("fr", r"(?i)fingerprint", r"(?i)condensé", r"(?i)empreinte") == []
    assert _offending("ar", r"(?i)fingerprint", r"خلاص", r"بصم") == []


def test_a_hash_is_neither() -> None:
    assert _offending("fr", r"\bhash\b", r"(?i)empreinte|condensé") == []
    assert _offending("ar", r"\bhash\b", r"بصم|خلاص") == []


def test_unlocking_a_period_is_the_menu_s_word_in_arabic() -> None:
    """The menu item (إلغاء قفل الفترة…) and every message about undoing a lock say
    إلغاء القفل; فتح (open) is kept for files, windows and reports."""
    menu = dict(_messages("ar"))["&Unlock period…"][0]
    assert "إلغاء قفل" in menu
    assert _offending("ar", r"(?i)unlock", r"(?<!م)فت[حا]") == []


@pytest.mark.parametrize(("lang", "wrong"), [
    ("fr", r"à nouveau"),
    ("ar", r"المحجور|(^|\s|ل)ثق\b|\bثق به|إقفال|مسوّد"),
])
def test_one_word_for_one_term(lang: str, wrong: str) -> None:
    assert _offending(lang, r".", wrong) == []


def test_the_review_pack_is_one_word() -> None:
    """The semester review pack is « dossier de revue » / ملف المراجعة: a message
    written later called it حزمة الاستعراض, the word a bundle (حزمة) is called, and the
    HQ Reports page's conflict notes said « dossier d’examen » in French."""
    assert _offending("fr", r"(?i)review pack", r"(?i)paquet de revue",
                      r"(?i)dossier de &?revue") == []
    assert _offending("ar", r"(?i)review pack", r"حزمة (الاستعراض|المراجعة)") == []


def test_french_glossary_words_for_headquarters_an_office_and_a_setup_bundle() -> None:
    """The glossary's « Siège » (capitalised, as IOM and OIC documents write it),
    « bureau » and « paquet de configuration », everywhere (found by QA): an office user
    read « demandez au siège » in the report editor and « Le siège a verrouillé » on
    the status sheet, « une personne de l’office » in an import result (« office »
    is an anglicism: a French office is « bureau »), and « paquet d’installation »
    beside « paquet de configuration » for the same setup bundle."""
    assert _offending("fr", r"(?i)headquarters", r"\bsiège\b") == []
    # (the noun after an article: not {office}, --office, office enroll, or the JSON
    # field "offices" that a help text names)
    assert _offending("fr", r".", r"(?i)(\b(l|d)’|\b(un|une|des|les|le|la|du|ces|chaque) )"
                                  r"offices?\b") == []
    assert _offending("fr", r"(?i)setup bundle", r"paquets? d’installation") == []


def test_the_french_import_is_one_word() -> None:
    """An import is « import » (« Résultat de l’import », « Dernier import »): the
    import result's conflict line said « cette importation » under that title."""
    assert _offending("fr", r"(?i)\bimport\b", r"importation") == []


def test_french_words_for_an_unsettled_conflict_a_narrative_and_setting_up_again() -> None:
    """One word each in French (found by QA reading the catalog): a conflict nobody has
    settled was « conflit ouvert » in the review pack's heading, the lock warning and
    'conflicts resolve', beside « conflit non résolu » in 'conflicts list' (and
    « conflit ouvert » reads as open hostilities in an IOM–OIC document); a narrative
    was « récit » in two help texts, « texte narratif » everywhere else; setting a
    computer up again from a setup bundle was « réinstaller », which reads as
    reinstalling the program, beside « configurer de nouveau »."""
    assert _offending("fr", r".", r"(?i)\bconflits? ouverts?\b|conflit n’est ouvert") == []
    assert _offending("fr", r"(?i)narrative", r"(?i)\brécits?\b") == []
    assert _offending("fr", r".", r"(?i)réinstall") == []


def test_the_import_help_names_the_outcomes_the_import_prints() -> None:
    """'fieldplan import --help' says the word printed after each file: its French said
    « doublon » and « refusé » where the import prints « déjà présent » and « rejeté »."""
    catalog = read_po(i18n.po_path("fr").open("rb"), locale="fr", domain=i18n.DOMAIN)
    help_text = next(m.string for m in catalog
                     if isinstance(m.id, str) and m.id.startswith("Verify and merge bundles;"))
    for word in ("merged", "duplicate", "quarantined", "rejected"):
        assert catalog.get(word, context="import outcome").string in help_text, word
