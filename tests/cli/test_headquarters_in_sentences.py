"""Headquarters in a sentence is said by its name, as an office is by its code: French
put « bureau » before every office's code (« du bureau ML », see
test_french_office_codes), and read « valide : 24 événements du bureau HQ » when an
office checked headquarters' bundle with 'fieldplan verify', « Aucun rapport
d’avancement du bureau HQ » for 'progress list --office HQ', « événement 5 du bureau
HQ » in a refusal of headquarters' event, « paquet manquant du bureau HQ » for
headquarters' events an office lacks, and « rapport du bureau HQ sur PA1.6 … modifié »
among the changes a restore lost (« clé … du bureau HQ enregistrée » too); headquarters
is « le Siège », not an office. Each is a message of its own for headquarters now
(found by QA).

The catalogs are translated after the code changes: DRAFT is the new text, added to the
real catalog (tests.draft_catalog) until the catalogs hold it."""

from __future__ import annotations

import pytest

from fieldplan import i18n
from fieldplan.sync.exchange import Gap, _event_where
from fieldplan.sync.state import change_words
from tests.cli.test_cli_messages import run
from tests.draft_catalog import with_messages

NBSP, NNBSP = "\u00a0", "\u202f"

VALID = ("valid: {events} event from headquarters (replica {replica}, key {key})",
         "valid: {events} events from headquarters (replica {replica}, key {key})")
VALID_UNCHECKED = (
    "valid signature; trust not checked: no database: {events} event from headquarters "
    "(replica {replica}, key {key})",
    "valid signature; trust not checked: no database: {events} events from headquarters "
    "(replica {replica}, key {key})")
NONE_FOR = "No progress reports from headquarters for {period}."
NONE = "No progress reports from headquarters."
EVENT = "event {seq} of headquarters"
GAP = "missing bundle from headquarters, event {seq}"
GAPS = "missing bundle from headquarters, events {first}–{last}"
GAP_COMPUTER = "missing bundle from headquarters (computer {replica}), event {seq}"
GAPS_COMPUTER = ("missing bundle from headquarters (computer {replica}), events "
                 "{first}–{last}")
CHANGED = "headquarters' report on {action} for {period} changed"
KEY = "headquarters' key {key_id} registered"

_UNCHECKED_FR = f"signature valide{NNBSP}; confiance non vérifiée, faute de base de " \
                f"données{NBSP}: "
_UNCHECKED_AR = "التوقيع صالح؛ لم يُتحقق من الثقة لعدم وجود قاعدة بيانات: "
_REP_FR, _REP_AR = " (réplique {replica}, clé {key})", " (النسخة {replica}، المفتاح {key})"

DRAFT = {
    "fr": {
        VALID: (f"valide{NBSP}: {{events}} événement du Siège" + _REP_FR,
                f"valide{NBSP}: {{events}} d’événements du Siège" + _REP_FR,
                f"valide{NBSP}: {{events}} événements du Siège" + _REP_FR),
        VALID_UNCHECKED: (_UNCHECKED_FR + "{events} événement du Siège" + _REP_FR,
                          _UNCHECKED_FR + "{events} d’événements du Siège" + _REP_FR,
                          _UNCHECKED_FR + "{events} événements du Siège" + _REP_FR),
        NONE_FOR: "Aucun rapport d’avancement du Siège pour le {period}.",
        NONE: "Aucun rapport d’avancement du Siège.",
        EVENT: "événement {seq} du Siège",
        GAP: "paquet manquant du Siège, événement {seq}",
        GAPS: "paquet manquant du Siège, événements {first}–{last}",
        GAP_COMPUTER: "paquet manquant du Siège (ordinateur {replica}), événement {seq}",
        GAPS_COMPUTER: "paquet manquant du Siège (ordinateur {replica}), événements "
                       "{first}–{last}",
        CHANGED: "rapport du Siège sur {action} pour le {period} modifié",
        KEY: "clé {key_id} du Siège enregistrée",
    },
    "ar": {
        VALID: ("صالحة: لا أحداث من المقر الرئيسي" + _REP_AR,
                "صالحة: حدث واحد من المقر الرئيسي" + _REP_AR,
                "صالحة: حدثان من المقر الرئيسي" + _REP_AR,
                "صالحة: {events} أحداث من المقر الرئيسي" + _REP_AR,
                "صالحة: {events} حدثًا من المقر الرئيسي" + _REP_AR,
                "صالحة: {events} حدث من المقر الرئيسي" + _REP_AR),
        VALID_UNCHECKED: (_UNCHECKED_AR + "لا أحداث من المقر الرئيسي" + _REP_AR,
                          _UNCHECKED_AR + "حدث واحد من المقر الرئيسي" + _REP_AR,
                          _UNCHECKED_AR + "حدثان من المقر الرئيسي" + _REP_AR,
                          _UNCHECKED_AR + "{events} أحداث من المقر الرئيسي" + _REP_AR,
                          _UNCHECKED_AR + "{events} حدثًا من المقر الرئيسي" + _REP_AR,
                          _UNCHECKED_AR + "{events} حدث من المقر الرئيسي" + _REP_AR),
        NONE_FOR: "لا توجد تقارير تقدم من المقر الرئيسي عن {period}.",
        NONE: "لا توجد تقارير تقدم من المقر الرئيسي.",
        EVENT: "الحدث {seq} من المقر الرئيسي",
        GAP: "حزمة مفقودة من المقر الرئيسي، الحدث {seq}",
        GAPS: "حزمة مفقودة من المقر الرئيسي، الأحداث {first}–{last}",
        GAP_COMPUTER: "حزمة مفقودة من المقر الرئيسي (الحاسوب {replica})، الحدث {seq}",
        GAPS_COMPUTER: "حزمة مفقودة من المقر الرئيسي (الحاسوب {replica})، الأحداث "
                       "{first}–{last}",
        CHANGED: "عُدّل تقرير المقر الرئيسي عن {action} للفترة {period}",
        KEY: "سُجّل مفتاح المقر الرئيسي {key_id}",
    },
}


@pytest.fixture
def drafted(monkeypatch):
    for lang, messages in DRAFT.items():
        with_messages(monkeypatch, lang, messages)
    yield
    i18n.set_language("en")


def test_verify_names_headquarters(drafted, tmp_path, hq, make_office, capsys,
                                   monkeypatch) -> None:
    from fieldplan.store import default_db_path
    from fieldplan.sync.export import export_bundle

    ml = make_office("ML")
    ml_db = str(ml.path)
    ml.close()
    bundle = str(export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    code, out, _err = run("--db", ml_db, "--lang", "fr", "verify", bundle, capsys=capsys)
    assert code == 0, out
    assert f"valide{NBSP}: " in out and " événements du Siège (réplique " in out, out
    assert "bureau HQ" not in out
    monkeypatch.delenv("FIELDPLAN_DB", raising=False)
    assert not default_db_path().exists()
    code, out, _err = run("--lang", "ar", "verify", bundle, capsys=capsys)
    assert code == 0, out
    assert "من المقر الرئيسي (النسخة" in out and "HQ (" not in out, out
    code, out, _err = run("--db", ml_db, "verify", bundle, capsys=capsys)
    assert " events from headquarters (replica " in out, out


def test_progress_list_of_headquarters(drafted, hq, capsys) -> None:
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "--lang", "fr", "progress", "list", "--office", "HQ",
                          "--period", "2027-S2", capsys=capsys)
    assert code == 0
    assert out.strip() == "Aucun rapport d’avancement du Siège pour le 2e semestre 2027."
    code, out, _err = run("--db", db, "--lang", "ar", "progress", "list", "--office", "HQ",
                          capsys=capsys)
    assert out.strip() == "لا توجد تقارير تقدم من المقر الرئيسي."
    code, out, _err = run("--db", db, "--lang", "fr", "progress", "list", "--office", "ML",
                          capsys=capsys)
    assert out.strip() == "Aucun rapport d’avancement du bureau ML."


def test_headquarters_events_and_gaps_and_changes(drafted) -> None:
    i18n.set_language("fr")
    assert _event_where(5, "HQ") == "événement 5 du Siège"
    assert _event_where(5, "ML") == "événement 5 du bureau ML"
    assert Gap("ab510ac4ffff", "HQ", 7, 7).message() == "paquet manquant du Siège, événement 7"
    assert Gap("ab510ac4ffff", "HQ", 7, 9).message() == \
        "paquet manquant du Siège, événements 7–9"
    assert Gap("ab510ac4ffff", "HQ", 7, 9, several=True).message() == \
        "paquet manquant du Siège (ordinateur ab510ac4), événements 7–9"
    assert Gap("ab510ac4ffff", "ML", 7, 7).message() == \
        "paquet manquant du bureau ML, événement 7"
    assert change_words("progress", "HQ|PA1.6|2026-S1", {}) == \
        "rapport du Siège sur PA1.6 pour le 1er semestre 2026 modifié"
    assert change_words("key", "1A2B", {"office": "HQ"}) == "clé 1A2B du Siège enregistrée"
    assert change_words("key", "1A2B", {"office": "ML"}) == \
        "clé 1A2B du bureau ML enregistrée"
    i18n.set_language("ar")
    assert change_words("key", "1A2B", {"office": "HQ"}) == "سُجّل مفتاح المقر الرئيسي 1A2B"
    assert Gap("ab510ac4ffff", "HQ", 7, 7, several=True).message() == \
        "حزمة مفقودة من المقر الرئيسي (الحاسوب ab510ac4)، الحدث 7"
    assert _event_where(5, "HQ") == "الحدث 5 من المقر الرئيسي"
    i18n.set_language("en")
    assert Gap("ab510ac4ffff", "HQ", 7, 7).message() == \
        "missing bundle from headquarters, event 7"
    assert change_words("progress", "HQ|PA1.6|2026-S1", {}) == \
        "headquarters' report on PA1.6 for 1st semester 2026 changed"
