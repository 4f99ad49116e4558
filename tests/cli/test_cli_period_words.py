"""The command line's confirmations name a period in words, as every other message does
("1er semestre 2026", not "2026-S1 verrouillé"), and so do its errors about a report
("aucun rapport soumis sur PA1.6 pour le 1er semestre 2026"); --json keeps the code.
``progress submit`` with nothing to submit says so, and why, where it printed "0
rapport soumis".

The catalogs are translated after the code changes: DRAFT is the new and corrected
text, added to the real catalog (tests.draft_catalog) until the catalogs hold it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import i18n, progress
from tests.cli.test_cli_messages import run
from tests.draft_catalog import with_messages

NBSP = "\u00a0"

RECORDED = "Recorded {action} for {period}: {status}"
NO_CHANGE = "No change to {action} for {period}: {status}"
SUBMITTED = ("Submitted {count} report for {period}", "Submitted {count} reports for {period}")
REOPENED = "Reopened {action} for {period}"
NONE_FOR = "No progress reports for {period}."
NONE_FROM_FOR = "No progress reports from {office} for {period}."
NONE_FROM = "No progress reports from {office}."
LOCKED, UNLOCKED = "Locked {period}", "Unlocked {period}"
# errors, which said the code too
IS_SUBMITTED = "the report on {code} for {period} is submitted; reopen it before editing"
#: as the command line says it: the command that reopens the report after
IS_SUBMITTED_CMD = ("the report on {code} for {period} is submitted; reopen it before "
                    "editing: '{way}'")
NO_DRAFT = "no draft report on {code} for {period}"
NONE_SUBMITTED = "no submitted report on {code} for {period}"
ONLY_HIDDEN = "Nothing to submit for {period}: its only drafts are ones the plan hides"
ALL_SUBMITTED = ("Nothing to submit for {period}: this office's report for it is submitted "
                 "already",
                 "Nothing to submit for {period}: this office's {count} reports for it are "
                 "all submitted already")
NO_REPORT = ("Nothing to submit for {period}: this office has no report for it yet (record "
             "one with 'fieldplan progress set')")

NOTHING = "Rien à soumettre pour le {period}" + NBSP + ": "
NOTHING_AR = "لا شيء للتقديم عن {period}: "

DRAFT = {
    "fr": {
        RECORDED: "Rapport sur {action} pour le {period} enregistré" + NBSP + ": {status}",
        NO_CHANGE: "Aucune modification du rapport sur {action} pour le {period}" + NBSP
                   + ": {status}",
        SUBMITTED: ("{count} rapport soumis pour le {period}",
                    "{count} de rapports soumis pour le {period}",
                    "{count} rapports soumis pour le {period}"),
        REOPENED: "Rapport sur {action} pour le {period} rouvert",
        NONE_FOR: "Aucun rapport d’avancement pour le {period}.",
        # (by its code: "de AE" wanted "d’AE")
        NONE_FROM_FOR: "Aucun rapport d’avancement du bureau {office} pour le {period}.",
        NONE_FROM: "Aucun rapport d’avancement du bureau {office}.",
        IS_SUBMITTED: "le rapport sur {code} pour le {period} est soumis\u202f; rouvrez-le "
                      "avant de le modifier",
        IS_SUBMITTED_CMD: "le rapport sur {code} pour le {period} est soumis\u202f; "
                          "rouvrez-le avant de le modifier" + NBSP + ": «" + NBSP + "{way}"
                          + NBSP + "»",
        NO_DRAFT: "aucun rapport en brouillon sur {code} pour le {period}",
        NONE_SUBMITTED: "aucun rapport soumis sur {code} pour le {period}",
        ONLY_HIDDEN: NOTHING + "les seuls brouillons sont ceux que le plan masque",
        ALL_SUBMITTED: (
            NOTHING + "ce bureau a déjà soumis {count} rapport pour cette période",
            NOTHING + "ce bureau a déjà soumis ses {count} de rapports pour cette période",
            NOTHING + "ce bureau a déjà soumis ses {count} rapports pour cette période"),
        NO_REPORT: NOTHING + "ce bureau n’a encore aucun rapport pour cette période "
                             "(enregistrez-en un avec «" + NBSP + "fieldplan progress set"
                             + NBSP + "»)",
    },
    "ar": {
        RECORDED: "تم تسجيل تقرير {action} عن {period}: {status}",
        NO_CHANGE: "لا تغيير في تقرير {action} عن {period}: {status}",
        SUBMITTED: ("لم يُقدَّم أي تقرير عن {period}", "قُدِّم تقرير واحد عن {period}",
                    "قُدِّم تقريران عن {period}", "قُدِّمت {count} تقارير عن {period}",
                    "قُدِّم {count} تقريرًا عن {period}", "قُدِّم {count} تقرير عن {period}"),
        REOPENED: "تمت إعادة فتح تقرير {action} عن {period}",
        NONE_FOR: "لا توجد تقارير تقدم عن {period}.",
        NONE_FROM_FOR: "لا توجد تقارير تقدم من {office} عن {period}.",
        NONE_FROM: "لا توجد تقارير تقدم من {office}.",
        IS_SUBMITTED: "تقرير {code} عن {period} مُقدَّم؛ أعد فتحه قبل تعديله",
        IS_SUBMITTED_CMD: "تقرير {code} عن {period} مُقدَّم؛ أعد فتحه قبل تعديله: «{way}»",
        NO_DRAFT: "لا توجد مسودة لتقرير {code} عن {period}",
        NONE_SUBMITTED: "لا يوجد تقرير {code} مُقدَّم عن {period}",
        LOCKED: "تم قفل {period}",
        UNLOCKED: "تم إلغاء قفل {period}",
        ONLY_HIDDEN: NOTHING_AR + "ليس فيها من المسودات إلا ما تخفيه الخطة",
        ALL_SUBMITTED: (
            NOTHING_AR + "لا تقارير لهذا المكتب عنه",
            NOTHING_AR + "تقرير هذا المكتب عنه مقدَّم بالفعل",
            NOTHING_AR + "تقريرا هذا المكتب عنه مقدَّمان بالفعل",
            NOTHING_AR + "كل تقارير هذا المكتب عنه ({count}) مقدَّمة بالفعل",
            NOTHING_AR + "كل تقارير هذا المكتب عنه ({count}) مقدَّمة بالفعل",
            NOTHING_AR + "كل تقارير هذا المكتب عنه ({count}) مقدَّمة بالفعل"),
        NO_REPORT: NOTHING_AR + "لا تقرير لهذا المكتب عنه بعد (سجّل تقريرًا بالأمر «fieldplan "
                                "progress set»)",
    },
}


@pytest.fixture
def hq_db(tmp_path: Path) -> str:
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    return str(path)


@pytest.fixture
def drafts(monkeypatch):
    """French and Arabic as the catalogs will have them; English again at the end."""
    for lang, messages in DRAFT.items():
        with_messages(monkeypatch, lang, messages)
    yield
    i18n.set_language("en")


def test_confirmations_name_the_period_in_words_in_french(hq_db, drafts, capsys) -> None:
    def said(*argv: str) -> str:
        code, out, err = run("--db", hq_db, "--lang", "fr", *argv, capsys=capsys)
        assert (code, err) == (0, "")
        return out

    assert said("progress", "list", "--period", "2026-S2") == \
        "Aucun rapport d’avancement pour le 2e semestre 2026.\n"
    assert said("progress", "list", "--office", "AE", "--period", "2026-S2") == \
        "Aucun rapport d’avancement du bureau AE pour le 2e semestre 2026.\n"
    assert said("progress", "set", "PA1.6", "--period", "2026-S1", "--status",
                "on-track") == ("Rapport sur PA1.6 pour le 1er semestre 2026 enregistré"
                                "\u00a0: En bonne voie\n")
    assert said("progress", "set", "PA1.6", "--period", "2026-s1", "--status",
                "on-track") == ("Aucune modification du rapport sur PA1.6 pour le 1er "
                                "semestre 2026\u00a0: En bonne voie\n")
    assert said("progress", "submit", "--period", "2026-S1") == \
        "1 rapport soumis pour le 1er semestre 2026\n"
    assert said("progress", "reopen", "PA1.6", "--period", "2026-S1") == \
        "Rapport sur PA1.6 pour le 1er semestre 2026 rouvert\n"
    said("progress", "submit", "--period", "2026-S1")  # (a draft left: the lock warns)
    assert said("period", "lock", "2026-S1") == "1er semestre 2026 verrouillé\n"
    assert said("period", "lock", "2026-S1") == "Le 1er semestre 2026 est déjà verrouillé\n"
    assert said("period", "unlock", "2026-S1") == "1er semestre 2026 déverrouillé\n"
    assert said("period", "unlock", "2025-S2") == "Le 2e semestre 2025 n’était pas verrouillé\n"
    # the machine's output keeps the period's code
    assert json.loads(said("--json", "period", "lock", "2026-S1"))["period"] == "2026-S1"
    assert json.loads(said("--json", "progress", "set", "PA2.6", "--period", "2026-S2",
                           "--status", "at-risk"))["period"] == "2026-S2"
    assert json.loads(said("--json", "progress", "submit", "--period", "2026-S2")) == {
        "period": "2026-S2", "submitted": 1, "hidden_left_out": [], "in_conflict": []}


def test_errors_about_a_report_name_its_period_in_words(hq_db, drafts, capsys) -> None:
    def error(*argv: str) -> str:
        code, out, err = run("--db", hq_db, *argv, capsys=capsys)
        assert (code, out) == (1, "")
        return err

    assert error("--lang", "fr", "progress", "reopen", "PA1.6", "--period", "2026-S1") == (
        "fieldplan\u00a0: erreur\u00a0: aucun rapport soumis sur PA1.6 pour le 1er semestre "
        "2026\n")
    assert run("--db", hq_db, "progress", "set", "PA1.6", "--period", "2026-S1", "--status",
               "on-track", capsys=capsys)[0] == 0
    assert run("--db", hq_db, "progress", "submit", "--period", "2026-S1",
               capsys=capsys)[0] == 0
    assert error("--lang", "fr", "progress", "set", "PA1.6", "--period", "2026-S1",
                 "--percent", "5") == (
        "fieldplan\u00a0: erreur\u00a0: le rapport sur PA1.6 pour le 1er semestre 2026 est "
        "soumis\u202f; rouvrez-le avant de le modifier\u00a0: «\u00a0fieldplan progress "
        "reopen PA1.6 --period 2026-S1\u00a0»\n")
    assert error("--lang", "ar", "progress", "set", "PA1.6", "--period", "2026-S1",
                 "--percent", "5").endswith(
        "تقرير PA1.6 عن النصف الأول 2026 مُقدَّم؛ أعد فتحه قبل تعديله: «fieldplan progress "
        "reopen PA1.6 --period 2026-S1»\n")
    # (the command that reopens it, typed as given: the period's code, not its words)
    assert error("progress", "set", "PA1.6", "--period", "2026-S1", "--percent", "5") == (
        "fieldplan: error: the report on PA1.6 for 1st semester 2026 is submitted; reopen it "
        "before editing: 'fieldplan progress reopen PA1.6 --period 2026-S1'\n")
    assert run("--db", hq_db, "progress", "reopen", "PA1.6", "--period", "2026-S1",
               capsys=capsys)[0] == 0
    assert run("--db", hq_db, "progress", "set", "PA1.6", "--period", "2026-S1", "--percent",
               "5", capsys=capsys)[0] == 0


def test_confirmations_in_arabic_and_english(hq_db, drafts, capsys) -> None:
    assert run("--db", hq_db, "--lang", "ar", "period", "lock", "2026-S1",
               capsys=capsys)[1] == "تم قفل النصف الأول 2026\n"
    assert run("--db", hq_db, "--lang", "en", "period", "unlock", "2026-S1",
               capsys=capsys)[1] == "Unlocked 1st semester 2026\n"


def test_submit_with_nothing_to_submit_says_why(hq_db, capsys) -> None:
    def submit() -> tuple[int, str, str]:
        return run("--db", hq_db, "progress", "submit", "--period", "2026-S1",
                   capsys=capsys)

    assert submit() == (0, "Nothing to submit for 1st semester 2026: this office has no "
                           "report for it yet (record one with 'fieldplan progress set')\n",
                        "")
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA1.6", "2026-S1", status="on-track")
    assert submit()[1] == "Submitted 1 report for 1st semester 2026\n"
    assert submit() == (0, "Nothing to submit for 1st semester 2026: this office's report "
                           "for it is submitted already\n", "")
    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA2.6", "2026-S1", status="on-track")
    assert submit()[0] == 0
    assert submit()[1] == ("Nothing to submit for 1st semester 2026: this office's 2 "
                           "reports for it are all submitted already\n")
    # --json unchanged
    code, out, _err = run("--db", hq_db, "--json", "progress", "submit", "--period",
                          "2026-S1", capsys=capsys)
    assert code == 0 and json.loads(out) == {"period": "2026-S1", "submitted": 0,
                                             "hidden_left_out": [], "in_conflict": []}
    # another period: nothing of it
    assert run("--db", hq_db, "progress", "submit", "--period", "2026-S2",
               capsys=capsys)[1].startswith("Nothing to submit for 2nd semester 2026: this "
                                            "office has no report for it yet")


def test_nothing_to_submit_in_french_and_arabic(hq_db, drafts, capsys) -> None:
    assert run("--db", hq_db, "--lang", "fr", "progress", "submit", "--period", "2026-S1",
               capsys=capsys)[1] == (
        "Rien à soumettre pour le 1er semestre 2026\u00a0: ce bureau n’a encore aucun "
        "rapport pour cette période (enregistrez-en un avec «\u00a0fieldplan progress "
        "set\u00a0»)\n")
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        for action in ("PA1.6", "PA2.6"):
            progress.record_progress(rep, action, "2026-S1", status="on-track")
        progress.submit_period(rep, "2026-S1")
    assert run("--db", hq_db, "--lang", "fr", "progress", "submit", "--period", "2026-S1",
               capsys=capsys)[1] == (
        "Rien à soumettre pour le 1er semestre 2026\u00a0: ce bureau a déjà soumis ses 2 "
        "rapports pour cette période\n")
    assert run("--db", hq_db, "--lang", "ar", "progress", "submit", "--period", "2026-S1",
               capsys=capsys)[1] == (
        "لا شيء للتقديم عن النصف الأول 2026: تقريرا هذا المكتب عنه مقدَّمان بالفعل\n")
