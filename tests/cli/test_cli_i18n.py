"""The command line speaks the chosen language: its own help texts, argparse's headings
and errors, and the core's messages."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest

from fieldplan import i18n
from fieldplan.cli import main


def run(*argv: str, capsys) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # --help and usage errors leave through argparse
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hq_db(tmp_path: Path) -> Path:
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    return path


def test_help_in_french(capsys):
    code, out, _err = run("--lang", "fr", "--help", capsys=capsys)
    assert code == 0
    assert out.startswith("utilisation\u00a0: fieldplan ")
    # argparse adds the colon after its headings: the space before it is the translation's
    assert "\narguments positionnels\u00a0:\n" in out and "\noptions\u00a0:\n" in out
    _code, demo_help, _err = run("--lang", "fr", "demo", "--help", capsys=capsys)
    assert "\noptions communes\u00a0:\n" in demo_help
    assert "afficher ce message d’aide et quitter" in out
    assert "afficher la version du programme et quitter" in out
    assert "Suivre hors ligne le Plan d’action OIM–OCI 2025–2027" in out
    assert "lister les actions du plan" in out
    assert "usage:" not in out and "show this help" not in out


def test_help_of_a_subcommand_in_arabic(capsys):
    code, out, _err = run("--lang", "ar", "progress", "set", "--help", capsys=capsys)
    assert code == 0
    out = out.replace("\u200e", "")  # (the marks that keep codes left to right)
    assert out.startswith("الاستخدام: fieldplan progress set ")
    assert "\nالوسائط الموضعية:\n" in out and "\nالخيارات:\n" in out
    assert "عرض رسالة المساعدة هذه والخروج" in out
    assert "رمز الإجراء، مثل PA2.3" in out  # the ACTION argument
    assert "تسجيل تقرير هذا المكتب عن إجراء لفترة ما أو تحديثه." in out
    english = ("usage:", "positional arguments", "options:", "show this help", "action code")
    assert not [word for word in english if word in out]


@pytest.mark.parametrize("value", ["fr", "FR", "Fr", "fr_FR.UTF-8"])
def test_fieldplan_lang_in_any_case(hq_db, capsys, monkeypatch, value):
    """FIELDPLAN_LANG=FR gave English without a word."""
    monkeypatch.setenv("FIELDPLAN_LANG", value)
    code, out, err = run("--db", str(hq_db), "status", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Rôle\u00a0: Siège\n")


def test_an_unknown_fieldplan_lang_is_said(hq_db, capsys, monkeypatch):
    """FIELDPLAN_LANG=de gave English without a word (--lang de is a usage error): one
    line on stderr says what is used instead; --lang, when given, is used, no word."""
    monkeypatch.setenv("FIELDPLAN_LANG", "de")
    code, out, err = run("--db", str(hq_db), "status", capsys=capsys)
    assert code == 0 and out.startswith("Role: Headquarters\n")
    assert err == ("fieldplan: warning: FIELDPLAN_LANG is 'de', a language fieldplan does "
                   "not know (en, fr, ar): English is used instead\n")
    code, out, err = run("--db", str(hq_db), "--lang", "fr", "status", capsys=capsys)
    assert (code, err) == (0, "") and out.startswith("Rôle")
    # the help says where the language comes from, beside FIELDPLAN_DB
    monkeypatch.delenv("FIELDPLAN_LANG")
    _code, out, _err = run("--help", capsys=capsys)
    assert "FIELDPLAN_LANG" in " ".join(out.split())


@pytest.mark.parametrize("argv", [
    ("--lang", "fr", "actions", "--lang", "ar"),  # the last one given wins, as in argparse
    ("--lang=fr", "actions", "--lang=ar"),
    ("--lan", "ar", "actions"),  # an abbreviation argparse takes
    ("actions", "--la=ar"),
])
def test_messages_and_output_in_the_language_argparse_reads(hq_db, capsys, argv):
    """``--lang fr actions --lang ar`` (or ``--lan ar``) printed French headings over
    Arabic titles: the messages took the first (whole) --lang, the output argparse's."""
    code, out, err = run("--db", str(hq_db), *argv, capsys=capsys)
    assert (code, err) == (0, "")
    heading = out.splitlines()[0].replace("\u200e", "")
    assert heading.split()[:2] == ["الإجراء", "المستوى"]


def test_core_error_in_french(hq_db, capsys):
    code, out, err = run(
        "--db",
        str(hq_db),
        "--lang",
        "fr",
        "progress",
        "set",
        "PA1.6",
        "--period",
        "2025-S1",
        "--status",
        "on-track",
        capsys=capsys,
    )
    assert code == 1 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1  # one line
    assert err == (
        "fieldplan\u00a0: erreur\u00a0: la période 2025-S1 est en dehors du plan (2025-S2 … "
        "2027-S2)\u202f; ses jours à partir du 21 juin 2025 sont rapportés dans 2025-S2, la "
        "première période du plan\n"
    )


def test_core_error_in_arabic(hq_db, capsys):
    code, _out, err = run(
        "--db",
        str(hq_db),
        "--lang",
        "ar",
        "progress",
        "set",
        "PA1.6",
        "--period",
        "2026-S1",
        "--percent",
        "140",
        capsys=capsys,
    )
    # (checked as the command line is read: a usage error, exit 2, as "abc" is)
    assert code == 2
    err = err.replace("\u200e", "")  # (the marks that keep numbers left to right)
    assert "يجب أن تكون النسبة المئوية بين 0 و100، وليس 140" in err.splitlines()[-1]
    code, _out, err = run("--db", str(hq_db), "--lang", "ar", "keys", "revoke",
                          "ABCDEF0123456789", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    err = err.replace("\u200e", "")
    assert "لا يوجد المفتاح ABCDEF0123456789 في السجل" in err


def _stored(db: Path, action: str, period: str):
    from fieldplan.progress import get_report
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:
        return get_report(rep, action, period)


@pytest.mark.parametrize(("lang", "typed", "percent", "read"), [
    # Arabic digits and separators, as the client reads them
    ("ar", "٩٫٥", "٣٠٪", 9.5),  # ٩٫٥, ٣٠٪
    ("ar", "١٢٬٠٠٠", "30", 12000),  # ١٢٬٠٠٠
    ("ar", "12,000.5", "30 %", 12000.5),
    # the language's comma where it has one reading: decimals in French, groups of a
    # number with a point in English
    ("fr", "9,5", "30 %", 9.5),
    ("en", "12,000.5", "30", 12000.5),
    ("fr", "12 000", "30", 12000),
    # a plain number with a point is read alike in every language (a script's)
    ("fr", "2.500", "30", 2.5),
    ("ar", "2.500", "30", 2.5),
    ("en", "1250.75", "30", 1250.75),
])
def test_progress_set_reads_numbers_as_the_client_does(hq_db, capsys, lang, typed, percent,
                                                        read):
    code, _out, err = run("--db", str(hq_db), "--lang", lang, "progress", "set", "PA1.6",
                          "--period", "2026-S1", "--status", "on-track",
                          "--value", f"joint-statements={typed}",
                          "--percent", percent, capsys=capsys)
    assert code == 0, err
    report = _stored(hq_db, "PA1.6", "2026-S1")
    assert (dict(report.values)["joint-statements"], report.percent) == (read, 30)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_progress_set_refuses_a_comma_read_a_thousand_times_apart(hq_db, capsys, lang):
    """ "1,250" is 1250 in English and 1.25 in French: the same command run on a
    computer set to French recorded a value a thousand times smaller, with no error.
    It is refused in every language, saying both readings as a script writes them."""
    code, _out, err = run("--db", str(hq_db), "--lang", lang, "progress", "set", "PA1.6",
                          "--period", "2026-S1", "--value", "joint-statements=1,250",
                          capsys=capsys)
    assert code == 2
    assert "1250" in err and "1.25" in err
    assert _stored(hq_db, "PA1.6", "2026-S1") is None


def test_progress_set_refuses_a_number_with_two_readings_saying_both(hq_db, capsys):
    code, _out, err = run("--db", str(hq_db), "--lang", "en", "progress", "set", "PA1.6",
                          "--period", "2026-S1", "--value", "joint-statements=9,500",
                          capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith(
        "'9,500' is not a number. 9,500 can be read two ways: type 9500 or 9.500.")
    code, _out, err = run("--db", str(hq_db), "progress", "set", "PA1.6", "--period",
                          "2026-S1", "--value", "joint-statements=5,75", capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith(
        "argument --value: '5,75' is not a number. Type decimals with a point, as in "
        "5.75, and thousands in threes, as in 12,000.")
    code, _out, err = run("--db", str(hq_db), "progress", "set", "PA1.6", "--period",
                          "2026-S1", "--value", "joint-statements=abc", capsys=capsys)
    assert err.splitlines()[-1].endswith("argument --value: 'abc' is not a number")


def test_cli_output_in_french(hq_db, capsys, monkeypatch):
    from tests.cli.test_cli_period_words import DRAFT
    from tests.draft_catalog import with_messages

    with_messages(monkeypatch, "fr", DRAFT["fr"])  # (periods in words: "pour le …")
    code, out, _err = run(
        "--db",
        str(hq_db),
        "--lang",
        "fr",
        "progress",
        "set",
        "PA1.6",
        "--period",
        "2026-S1",
        "--status",
        "on-track",
        capsys=capsys,
    )
    assert code == 0
    assert out == ("Rapport sur PA1.6 pour le 1er semestre 2026 enregistré\u00a0: "
                   "En bonne voie\n")
    code, out, _err = run(
        "--db",
        str(hq_db),
        "--lang",
        "fr",
        "progress",
        "submit",
        "--period",
        "2026-S1",
        capsys=capsys,
    )
    assert out == "1 rapport soumis pour le 1er semestre 2026\n"  # one report: singular


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("progress", "set", "PA1.1"), "les arguments suivants sont obligatoires\u00a0: --period"),
        (
            ("progress", "set", "PA1.1", "--period", "2026-S1", "--status", "done"),
            "argument --status\u00a0: choix non valide\u00a0: 'done' (choisir parmi ",
        ),
        (("actions", "--area"), "argument --area\u00a0: un argument attendu"),
        (("digest", "--surprise"), "arguments non reconnus\u00a0: --surprise"),
        (
            ("export", "-o", "a", "--dir", "b"),
            "argument --dir\u00a0: non autorisé avec l’argument -o/--output",
        ),
        (
            ("demo", "--out", "x", "--offices", "many"),
            "argument --offices\u00a0: «\u00a0many\u00a0» n’est pas un nombre entier",
        ),
    ],
)
def test_usage_errors_in_french(argv, words, capsys):
    code, _out, err = run("--lang", "fr", *argv, capsys=capsys)
    assert code == 2
    message = err.rstrip("\n").split("\n")[-1]
    assert err.startswith("utilisation\u00a0: fieldplan ")
    assert "erreur d’utilisation\u00a0: " + words in message


def test_argparse_plurals_go_through_the_catalogs(capsys):
    """argparse calls ngettext for "expected N arguments": routed to fieldplan.i18n."""
    run("--lang", "fr", "--version", capsys=capsys)
    assert argparse._ is i18n._ and argparse.ngettext is i18n.ngettext
    i18n.set_language("fr")
    assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) % 2 == (
        "2 arguments attendus"
    )
    assert argparse.ngettext("expected %s argument", "expected %s arguments", 1) % 1 == (
        "1 argument attendu"
    )


def test_french_status_lines_put_a_space_before_the_colon(tmp_path, capsys) -> None:
    db = str(tmp_path / "hq.sqlite3")
    run("--db", db, "init", "--hq", capsys=capsys)
    code, out, _err = run("--db", db, "--lang", "fr", "status", capsys=capsys)
    assert code == 0 and out.splitlines()[0].startswith("Rôle\u00a0: ")


class _Console(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_output_to_a_file_or_a_pipe_is_utf8_whatever_the_code_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows writes a redirected stream in its ANSI code page (cp1252), where Arabic
    is "?": fieldplan writes UTF-8 there. A console keeps its encoding."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="backslashreplace")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    with pytest.raises(SystemExit):
        main(["--lang", "ar", "progress", "set", "--help"])
    assert main(["--lang", "ar", "--db", str(tmp_path / "none.sqlite3"), "status"]) == 1
    out.flush()
    err.flush()
    assert "الاستخدام: fieldplan progress set" in out.buffer.getvalue().decode("utf-8")
    said = err.buffer.getvalue().decode("utf-8")
    assert "none.sqlite3" in said and "fieldplan: " in said and "\\u" not in said
    assert any("\u0600" <= c <= "\u06ff" for c in said)  # in Arabic
    assert (out.errors, err.errors) == ("replace", "backslashreplace")

    console = _Console(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", console)
    monkeypatch.setattr(sys, "stderr", console)
    with pytest.raises(SystemExit):
        main(["--lang", "fr", "--help"])
    assert console.encoding == "cp1252" and console.errors == "replace"


@pytest.mark.parametrize("value", ["FR", "Fr", " fr"])
def test_lang_option_in_any_case(hq_db, capsys, value):
    """``--lang FR`` was a usage error where FIELDPLAN_LANG=FR is French: the option
    reads its value in any case too, for the messages and the output alike."""
    code, out, err = run("--db", str(hq_db), "--lang", value, "status", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Rôle\u00a0: Siège\n")


@pytest.mark.parametrize(("env", "words"), [
    ({"FIELDPLAN_LANG": "ar"}, "خطأ في الاستخدام: الوسيط --lang: "),
    ({"FIELDPLAN_LANG": "", "LANGUAGE": "", "LC_ALL": "fr_FR.UTF-8"},
     "erreur d’utilisation\u00a0: argument --lang\u00a0: "),
])
def test_an_unknown_lang_option_is_refused_in_the_persons_language(hq_db, capsys,
                                                                   monkeypatch, env, words):
    """``--lang de`` was refused in English whatever FIELDPLAN_LANG or the system
    said: the usage error is in the language fieldplan would have used without the
    option (exit 2, no other warning)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run("--db", str(hq_db), "--lang", "de", "status", capsys=capsys)
    assert (code, out) == (2, "")
    assert words in err.splitlines()[-1] and "'de'" in err.splitlines()[-1]
    assert "FIELDPLAN_LANG" not in err


@pytest.mark.parametrize("argv", [
    ("progress", "set"),  # argparse's "%s": the arguments required
    ("demo", "--out", "x", "--offices", "many"),  # "%(argument_name)s: %(message)s"
])
def test_usage_errors_in_the_pseudo_locale(capsys, monkeypatch, argv):
    """The pseudo-locale (a check for text that bypasses the catalogs) accented
    argparse's printf-style placeholders ("%ŝ"): every usage error ended in a
    traceback. They are kept, and the error is one pseudo-translated line, exit 2."""
    monkeypatch.setenv("FIELDPLAN_LANG", i18n.PSEUDO_LANGUAGE)
    code, out, err = run(*argv, capsys=capsys)
    assert (code, out) == (2, "") and "Traceback" not in err
    assert err.startswith("⟦üŝàgé: ⟧fieldplan ") and "üŝàgé érrör" in err


def test_the_choices_of_a_usage_error_are_listed_as_the_language_lists(capsys):
    """argparse joined the choices of an "invalid choice" error with ", ": Latin
    commas in an Arabic line ("'national', 'regional', 'global'"); they are listed as
    Arabic lists them, "،"."""
    code, _out, err = run("--lang", "ar", "actions", "--level", "area", capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith(
        "اختيار غير صالح: 'area' (اختر من بين 'national'، 'regional'، 'global')")
    code, _out, err = run("--lang", "en", "actions", "--level", "area", capsys=capsys)
    assert code == 2 and err.splitlines()[-1].endswith(
        "invalid choice: 'area' (choose from 'national', 'regional', 'global')")


def test_the_arguments_required_are_listed_as_the_language_lists(capsys):
    """"the following arguments are required: ACTION, --period": argparse's ", " in
    an Arabic line; listed as Arabic lists them, "،"."""
    code, _out, err = run("--lang", "ar", "progress", "set", capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith("الوسائط التالية مطلوبة: ACTION، --period")
    code, _out, err = run("--lang", "en", "progress", "set", capsys=capsys)
    assert err.splitlines()[-1].endswith(
        "the following arguments are required: ACTION, --period")
