"""Messages that show an office by its name alone ("Sénégal", "Émirats arabes unis",
"Bureau régional, Dakar"): a country's name takes an article and a preposition that
depend on the country in French ("au Sénégal", "du Mali", "aux Émirats arabes unis",
"à Bahreïn"), and a gender in Arabic (a verb agrees with it). The Enrol dialog read
"Remettez-le à Sénégal : … Sénégal pourra recevoir des paquets" and "يمكن أن يستقبل
مصر"; such a name now stands as a label in every language, after a colon and followed
by punctuation, which reads right for every office. (The note below it, by the office's
code, read "chaque ordinateur de AE": now "du bureau AE".)

The catalogs are translated after the code changes: DRAFT is the corrected text, added
to the real catalog (tests.draft_catalog) until the catalogs hold it."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from fieldplan import i18n
from fieldplan.offices import HQ, all_offices, office_name
from tests.draft_catalog import with_messages

#: the Enrol dialog's message once a setup bundle is written (ui/enrol.py); {office}
#: is the office's name
ENROLLED = ("Saved the setup bundle:\n{file}\n\nGive it to {office}: they choose it when "
            "fieldplan first starts on their computer. {office} can receive bundles once "
            "its first bundle has reached headquarters.")

#: what the dialog says next (fieldplan/sync/enrol.py); {office} is the office's code
EVERY_COMPUTER = ("every computer of {office} can be set up from this file until {date} at "
                  "{time}, and must send headquarters a first bundle by then (after that, "
                  "headquarters checks its key fingerprint with the office by phone); to set "
                  "up a computer later, write a new one")

DRAFT = {
    "fr": {EVERY_COMPUTER: "chaque ordinateur du bureau {office} peut être configuré à partir "
                           "de ce fichier jusqu’au {date} à {time}, et doit avoir envoyé un "
                           "premier paquet au Siège d’ici là (ensuite, le Siège vérifie "
                           "l’empreinte de sa clé avec le bureau par téléphone)\u202f; pour "
                           "configurer un ordinateur plus tard, écrivez-en un nouveau",
           ENROLLED: "Paquet de configuration enregistré\u00a0:\n{file}\n\nDestinataire\u00a0: "
                     "{office}. Remettez-lui ce paquet\u00a0: ce bureau le choisit au premier "
                     "démarrage de fieldplan sur son ordinateur. Il pourra recevoir des "
                     "paquets dès que son premier paquet sera parvenu au Siège."},
    "ar": {EVERY_COMPUTER: "يمكن إعداد كل حاسوب في المكتب {office} من هذا الملف حتى {date} "
                           "الساعة {time}، وعليه أن يرسل إلى المقر الرئيسي حزمة أولى قبل ذلك "
                           "(بعده يتحقق المقر الرئيسي من بصمة مفتاحه مع المكتب عبر الهاتف)؛ "
                           "لإعداد حاسوب لاحقًا، اكتب ملفًا جديدًا",
           ENROLLED: "تم حفظ حزمة الإعداد:\n{file}\n\nالمكتب المعني: {office}. سلّمها إليه: "
                     "يختارها موظفوه عند تشغيل fieldplan أول مرة على حاسوبهم. ويمكن لهذا "
                     "المكتب أن يستقبل الحزم بعد أن تصل أول حزمة منه إلى المقر الرئيسي."},
}

#: messages whose {office} the code fills with an office's name alone (office_name)
NAMED = (ENROLLED, "Status sheet: {office}", "Status sheet: {office} · {period}",
         "Office: {office} ({code})")

#: the offices these messages name: the Enrol dialog lists every one but HQ
OFFICES = [o for o in all_offices() if o != HQ]

#: a name as a label: after a colon ("Destinataire : Sénégal", "المكتب المعني: مصر")
LABEL_BEFORE = re.compile(r"[:]\s*$")
#: … and followed by punctuation or nothing ("Sénégal.", "Mali · 1er semestre 2026")
LABEL_AFTER = re.compile(r"^(\s*[.:،·(]|$)")


def test_the_messages_are_in_the_template() -> None:
    """(the list above is of messages the code still writes)"""
    template = read_po(i18n.locale_dir().joinpath("fieldplan.pot").open("rb"))
    assert all(template.get(msgid) is not None for msgid in (*NAMED, EVERY_COMPUTER))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_office_named_alone_stands_as_a_label(monkeypatch, lang) -> None:
    with_messages(monkeypatch, lang, DRAFT[lang])
    i18n.set_language(lang)
    try:
        for msgid in NAMED:
            text = i18n._(msgid)
            assert text != msgid  # translated
            for office in OFFICES:
                name = office_name(office, lang)
                shown = text.format(file="SN-setup.fieldplan", office=name, code=office,
                                    period=i18n.format_period("2026-S1", lang))
                at = [m.start() for m in re.finditer(re.escape(name), shown)]
                assert at, (office, shown)
                for start in at:
                    before, after = shown[:start], shown[start + len(name):]
                    assert LABEL_BEFORE.search(before), (office, shown)
                    assert LABEL_AFTER.search(after), (office, shown)
    finally:
        i18n.set_language("en")


def test_the_enrol_message_in_french_and_arabic_for_countries_that_need_articles(
        monkeypatch) -> None:
    """As read for Senegal, the United Arab Emirates and Egypt: no "à Sénégal", "de
    Mali", "à Émirats arabes unis", nor a verb that must agree with the country."""
    for lang in ("fr", "ar"):
        with_messages(monkeypatch, lang, DRAFT[lang])
    try:
        i18n.set_language("fr")
        for office, name in (("SN", "Sénégal"), ("AE", "Émirats arabes unis"),
                             ("ML", "Mali")):
            text = i18n._(ENROLLED).format(file="F", office=office_name(office, "fr"))
            assert f"Destinataire\u00a0: {name}. Remettez-lui ce paquet" in text
            assert not re.search(rf"\b(à|de|pour) {name}", text)
        # and by its code, next: "chaque ordinateur de AE" wanted "d’AE"
        assert i18n._(EVERY_COMPUTER).format(office="AE", date="6 mars 2027", time="16:06") \
            .startswith("chaque ordinateur du bureau AE peut être configuré")
        i18n.set_language("ar")
        text = i18n._(ENROLLED).format(file="F", office=office_name("EG", "ar"))
        assert "المكتب المعني: مصر. سلّمها إليه" in text
        assert "يستقبل مصر" not in text and "ويمكن لهذا المكتب أن يستقبل" in text
    finally:
        i18n.set_language("en")
