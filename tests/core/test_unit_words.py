"""Units worded in French and Arabic by the plan ("workshops" / "ateliers" / "ورش
عمل"): read from every plan format, written back, compared between versions, shown in
the language in use, and carried to offices in a bundle format that fieldplan 0.3
(bundle format 3) refuses as newer, while a plan with English units alone reaches it
as before."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan import progress
from fieldplan.errors import PlanError
from fieldplan.plan import (
    Plan,
    Text,
    default_plan,
    load_plan,
    plan_from_dict,
    plan_to_dict,
)
from fieldplan.plan_csv import plan_to_csv, read_csv
from fieldplan.plan_diff import diff_plans as plan_diff
from fieldplan.plan_xlsx import plan_to_xlsx, read_xlsx
from fieldplan.planops import install_plan, preview_plan
from fieldplan.sync import export_bundle, formats, import_bundle
from tests.core.test_bundle_compat import as_older, manifest_of, send

PERIOD = "2026-S1"
WORDS = {"en": "workshops", "fr": "ateliers", "ar": "حلقات دراسية"}


def worded(plan: Plan, fr: str = WORDS["fr"], ar: str = WORDS["ar"],
           unit: str = WORDS["en"]) -> Plan:
    """``plan`` one version on, its first indicator (PA1.1/policies-supported) in
    ``unit``, worded ``fr`` and ``ar``."""
    first = plan.actions[0]
    ind = dataclasses.replace(first.indicators[0], unit=unit, unit_fr=fr, unit_ar=ar)
    action = dataclasses.replace(first, indicators=(ind, *first.indicators[1:]))
    return dataclasses.replace(plan, version=plan.version + 1,
                               actions=(action, *plan.actions[1:]))


def first_indicator(plan: Plan):
    return plan.actions[0].indicators[0]


# --- reading and writing the plan ----------------------------------------------------


def test_a_unit_is_a_table_of_languages_as_a_title_is() -> None:
    data = plan_to_dict(default_plan())
    data["actions"][0]["indicators"][0]["unit"] = {"en": "workshops", "fr": "ateliers"}
    ind = first_indicator(plan_from_dict(data))
    assert (ind.unit, ind.unit_fr, ind.unit_ar) == ("workshops", "ateliers", "")
    assert ind.unit_text == Text("workshops", "ateliers", "")
    assert ind.unit_in("fr") == "ateliers"
    assert ind.unit_in("ar") == "workshops"  # none in Arabic: the English, as a title
    assert ind.unit_in("en") == "workshops"


def test_a_unit_the_plan_does_not_word_is_shown_as_before() -> None:
    ind = first_indicator(default_plan())  # "documents", which fieldplan words itself
    assert (ind.unit_fr, ind.unit_ar) == ("", "")
    assert ind.unit_in("fr") == "documents" and ind.unit_in("ar") == "وثائق"
    ind = dataclasses.replace(ind, unit="workshops")
    assert ind.unit_in("fr") == "workshops"


@pytest.mark.parametrize("unit", ["count", "percent"])
def test_a_count_or_percent_is_fieldplans_word_whatever_the_plan_words_it(unit) -> None:
    """The sheets print no unit after a count's figures and the % sign after a
    percent's, ignoring the plan's French or Arabic word for it; the report editor
    showed that word. Found by review."""
    from fieldplan.i18n import unit_label

    ind = dataclasses.replace(first_indicator(default_plan()), unit=unit,
                              unit_fr="pays", unit_ar="بلدان")
    for lang in ("en", "fr", "ar"):
        assert ind.unit_in(lang) == unit_label(unit, lang)
    assert ind.unit_in("fr") in ("nombre", "pour cent")


def test_a_plan_without_unit_words_is_written_as_fieldplan_0_3_wrote_it() -> None:
    """Every unit a text, never a table; no unit_fr/unit_ar columns: what an earlier
    fieldplan reads."""
    data = plan_to_dict(default_plan())
    units = [i["unit"] for a in data["actions"] for i in a["indicators"]]
    assert units and all(isinstance(u, str) for u in units)
    header = plan_to_csv(default_plan()).splitlines()[0].split(",")
    assert "unit" in header and "unit_fr" not in header and "unit_ar" not in header
    assert not formats.words_units(data)


def test_unit_words_round_trip_through_every_format(tmp_path: Path) -> None:
    plan = worded(default_plan())
    data = plan_to_dict(plan)
    assert data["actions"][0]["indicators"][0]["unit"] == WORDS
    assert formats.words_units(data)
    assert plan_from_dict(data) == plan
    csv_text = plan_to_csv(plan)
    header = csv_text.splitlines()[0].split(",")
    assert header[header.index("unit"):header.index("unit") + 3] == ["unit", "unit_fr",
                                                                       "unit_ar"]
    assert read_csv(csv_text, "plan.csv") == plan
    assert read_xlsx(plan_to_xlsx(plan), "plan.xlsx") == plan
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_plan(path) == plan


def test_toml_unit_words_and_a_plain_unit_beside_them(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    text = Path("resources/plan/plan.toml").read_text(encoding="utf-8")
    text = text.replace('unit = "documents"\n',
                        'unit = { en = "workshops", fr = "ateliers" }\n', 1)
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    ind = first_indicator(plan)
    assert (ind.unit, ind.unit_fr, ind.unit_ar) == ("workshops", "ateliers", "")
    assert plan.actions[1].indicators[0].unit_fr == ""  # the next ones as before


def test_csv_unit_words_columns_are_optional_and_named_in_messages() -> None:
    csv_text = plan_to_csv(worded(default_plan(), ar=""))
    plan = read_csv(csv_text, "plan.csv")
    assert first_indicator(plan).unit_fr == "ateliers"
    assert first_indicator(plan).unit_ar == ""
    rows = list(csv.reader(io.StringIO(csv_text)))
    rows[1][rows[0].index("unit")] = ""  # a French word with no English unit
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    with pytest.raises(PlanError, match=r"^plan\.csv: row 2, column 'unit': missing"):
        read_csv(out.getvalue(), "plan.csv")


def test_a_unit_that_is_neither_text_nor_a_table_is_refused_as_before() -> None:
    data = plan_to_dict(default_plan())
    data["actions"][0]["indicators"][0]["unit"] = 5
    with pytest.raises(PlanError, match=r"\.unit: expected text, got the number 5$"):
        plan_from_dict(data)
    data["actions"][0]["indicators"][0]["unit"] = {"en": "x", "de": "Werkstätten"}
    with pytest.raises(PlanError, match=r"\.unit: unknown key 'de'"):
        plan_from_dict(data)


# --- a new version's changes ---------------------------------------------------------


def test_a_unit_worded_anew_in_french_is_a_change() -> None:
    old = default_plan()
    new = worded(old, unit=first_indicator(old).unit, ar="")
    diff = plan_diff(old, new)
    assert [(c.code, c.before, c.after, c.lang) for c in diff.units] == [
        ("PA1.1/policies-supported", None, "ateliers", "fr")]
    assert "Unit changed (1): PA1.1/policies-supported in French from none to ateliers" \
        in diff.lines()
    assert diff.as_dict()["units"] == [{"code": "PA1.1/policies-supported", "before": None,
                                        "after": "ateliers", "language": "fr"}]
    diff = plan_diff(new, worded(new, unit="documents", ar="ورش"))
    assert [(c.before, c.after, c.lang) for c in diff.units] == [(None, "ورش", "ar")]
    assert "Unit changed (1): PA1.1/policies-supported in Arabic from none to ورش" \
        in diff.lines()


def test_a_unit_changed_in_several_languages_lists_each_of_them() -> None:
    """A version that changes the English word and the French one listed the English
    alone: an office read nothing of its new French word. Found by review."""
    old = worded(default_plan(), unit="documents", fr="documents", ar="")
    new = worded(old, unit="workshops", fr="ateliers", ar="")
    diff = plan_diff(old, new)
    assert [(c.before, c.after, c.lang) for c in diff.units] == [
        ("documents", "workshops", ""), ("documents", "ateliers", "fr")]
    assert ("Units changed (2): PA1.1/policies-supported from documents to workshops; "
            "PA1.1/policies-supported in French from documents to ateliers") in diff.lines()
    assert [u["language"] for u in diff.as_dict()["units"]] == ["en", "fr"]
    every = plan_diff(default_plan(), worded(default_plan()))  # all three languages
    assert [(c.before, c.after, c.lang) for c in every.units] == [
        ("documents", "workshops", ""), (None, "ateliers", "fr"),
        (None, "حلقات دراسية", "ar")]


def test_a_unit_changed_in_english_and_in_the_readers_language_is_said_once() -> None:
    """The English unit and the French word both changed: a French reader read the same
    words twice, the English change said in French words and the French change ("de
    documents à ateliers", then "en français de documents à ateliers"). Read in French,
    the French change is left out where the English one says the same, and counted
    out; the Arabic change stays (its words differ from the English change's in Arabic
    words). English and the JSON list each language. Found by review."""
    from fieldplan.i18n import set_language

    code = "PA1.1/policies-supported"
    old = worded(default_plan(), unit="documents", fr="documents", ar="")
    diff = plan_diff(old, worded(old, unit="workshops", fr="ateliers", ar="ورش"))
    assert [c.lang for c in diff.units] == ["", "fr", "ar"]
    assert diff.lines()[-1].startswith("Units changed (3): ")
    set_language("fr")
    try:
        [line] = [line for line in diff.lines() if code in line]
    finally:
        set_language("en")
    assert line == (f"Unités modifiées (2)\u00a0: {code}\u00a0: de documents à ateliers"
                    f"\u202f; {code} en arabe\u00a0: de aucune à ورش")
    set_language("ar")
    try:
        [line] = [line for line in diff.lines() if code in line]
    finally:
        set_language("en")
    # (in Arabic the English change reads "from documents to ورش": the Arabic change,
    # from none, says something else)
    assert line.count(code) == 3
    assert [u["language"] for u in diff.as_dict()["units"]] == ["en", "fr", "ar"]


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "PA1.1/policies-supported from people to workshops"),
    ("fr", "PA1.1/policies-supported\u00a0: de personnes à ateliers"),
    ("ar", "PA1.1/policies-supported: من أشخاص إلى حلقات دراسية")])
def test_an_english_unit_changed_is_said_in_the_words_of_the_language_in_use(
        lang: str, said: str) -> None:
    """A French office importing the new plan read "from people to trainees" of the
    unit its report form now calls "stagiaires" (found by QA): the change is said in
    the words that language reads, the plan's own or fieldplan's; the JSON keeps the
    plan's English words."""
    from fieldplan.i18n import set_language

    old = worded(default_plan(), fr="", ar="", unit="people")
    diff = plan_diff(old, worded(old))
    set_language(lang)
    try:
        assert any(said in line for line in diff.lines()), diff.lines()
    finally:
        set_language("en")
    assert diff.as_dict()["units"][0] == {"code": "PA1.1/policies-supported",
                                          "before": "people", "after": "workshops",
                                          "language": "en"}


def test_the_dry_run_of_a_plan_import_lists_a_unit_worded_anew(hq) -> None:
    change = preview_plan(hq, worded(hq.plan(), unit="documents"), "new.toml")
    assert not change.unchanged
    assert [c.after for c in change.diff.units] == ["ateliers", WORDS["ar"]]


# --- shown in the language in use -----------------------------------------------------


def test_the_sheet_prints_the_plans_word_and_keeps_plurals_of_its_own_units() -> None:
    from fieldplan.reports.sheet import _unit

    ctx = type("Ctx", (), {"lang": "fr",
                           "npgettext": lambda self, c, s, p, n: s if n < 2 else p})()
    assert _unit(ctx, "workshops", 3, "ateliers") == "ateliers"
    assert _unit(ctx, "count", 3, "nombre") == ""  # the figures say it all
    assert _unit(ctx, "people", 1) == "person"  # (the ctx's own forms)
    assert _unit(ctx, "people", 150) == "people"


@pytest.mark.parametrize(("lang", "worded", "one", "many"), [
    ("en", "", "person", "people"),
    ("fr", "personnes", "personne", "personnes"),  # fieldplan's own word: its forms
    ("fr", "Personne", "personne", "personnes"),
    ("fr", "participants", "participants", "participants"),  # the plan's own word
    ("ar", "أشخاص", "شخص", "شخصًا"),
    ("ar", "شخص", "شخص", "شخصًا"),
    ("ar", "اشخاص", "شخص", "شخصًا"),  # (without its hamza, as often typed)
    ("ar", "شخصا", "شخص", "شخصًا"),  # (without its vowel mark)
    ("ar", "مشاركين", "مشاركين", "مشاركين"),
])
def test_a_known_unit_worded_in_fieldplans_own_words_keeps_its_plural_forms(
        lang: str, worded: str, one: str, many: str) -> None:
    """``people`` worded "personnes" by the plan printed "1 de 1 personnes": the plan's
    word replaced fieldplan's forms that agree with the figure, though it was one of
    them. A word of the plan's own choosing is still printed as written. Found by
    review."""
    from fieldplan.i18n import translation
    from fieldplan.reports import common as cm
    from fieldplan.reports.sheet import _unit

    ctx = cm.Ctx(lang, translation(lang), None, PERIOD, (0, 0), None)
    assert _unit(ctx, "people", 1, worded) == one
    assert _unit(ctx, "people", 150, worded) == many
    assert _unit(ctx, "percent", 150, worded) == ""


@pytest.mark.parametrize(("worded", "one", "many"), [
    ("وثيقه", "وثيقة", "وثائق"),  # a final heh for the ta marbuta, as often typed
    ("وثـائق", "وثيقة", "وثائق"),  # stretched by a tatweel
    ("وثيقة", "وثيقة", "وثائق"),
    ("وثيقى", "وثيقى", "وثيقى"),  # (another word: not the plan's own)
])
def test_an_arabic_unit_word_typed_another_common_way_keeps_its_plural_forms(
        worded: str, one: str, many: str) -> None:
    """``documents`` worded "وثيقه" (a heh for the ta marbuta) or "وثـائق" (a tatweel)
    printed as written, where fieldplan's own word typed so prints in the form that
    agrees with the figure. Found by review."""
    from fieldplan.i18n import translation
    from fieldplan.reports import common as cm
    from fieldplan.reports.sheet import _unit
    from fieldplan.text import search_key

    ctx = cm.Ctx("ar", translation("ar"), None, PERIOD, (0, 0), None)
    assert _unit(ctx, "documents", 1, worded) == one
    assert _unit(ctx, "documents", 5, worded) == many
    assert search_key("مستشفى") == search_key("مستشفي")  # an alef maksura for a yeh


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_status_sheet_and_review_pack_print_the_unit_in_their_language(
        hq, tmp_path: Path, lang: str) -> None:
    from fieldplan.reports import build_review_pack, build_status_sheet
    from tests.fixtures.reports.seed import write_progress

    install_plan(hq, worded(hq.plan()), "new.toml")
    write_progress(hq, "SN", PERIOD, lang=lang)

    def text(pdf: Path) -> str:
        raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        return " ".join(unicodedata.normalize("NFKC", raw).split())

    sheet = build_status_sheet(hq, PERIOD, "SN", out=tmp_path / "s.pdf", lang=lang)
    pack = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang)
    for pdf in (sheet, pack):
        printed = text(pdf)
        for code, word in WORDS.items():
            # (Arabic words by themselves: pdftotext may put a line's words in
            # another order)
            shown = all(w in printed for w in word.split())
            assert shown == (code == lang), (code, printed)


# --- carried to offices ---------------------------------------------------------------


def test_a_worded_plan_waits_for_an_office_on_0_3_which_still_gets_the_rest(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An office whose computers all run 0.3 (format 3) was sent the worded plan in
    format 4, which 0.3 refuses whole as newer: from then on it received nothing, not
    even headquarters' receipts (its status kept saying headquarters had acknowledged
    nothing, and each bundle it sent carried everything again) nor the locks and keys
    written before the plan, until it was updated. The bundle now stops before the
    worded plan, in format 3, and says what waits; updated, the office gets the rest."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", PERIOD, status="on-track", percent=10)
    with monkeypatch.context() as old:
        as_older(old, 3)  # ML runs fieldplan 0.3: it reads format 3
        send(ml, hq, tmp_path, "ml1")
    # a plan with English units alone reaches it as before
    install_plan(hq, dataclasses.replace(hq.plan(), version=2), "v2.toml")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
    assert manifest_of(result.path)["version"] == 3 and result.warning == ""
    with monkeypatch.context() as old:
        as_older(old, 3)
        assert import_bundle(ml, result.path, backup=False).outcome == "merged"
    assert ml.plan().version == 2

    progress.set_period_lock(hq, "2025-S2")  # before the worded plan: it goes
    install_plan(hq, worded(hq.plan()), "v3.toml")
    progress.set_period_lock(hq, PERIOD)  # after it: it waits with it
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq2.fieldplan")
    m = manifest_of(result.path)
    assert m["version"] == 3
    assert m["acks"][ml.replica_id] == 1  # the receipt of ML's report
    assert result.warning == (
        "ML's fieldplan reads bundle format 3 only: the bundle carries the receipts and "
        "what came before the changes that need format 4 (for the plan's units in "
        "French or Arabic); ML must update fieldplan to receive those changes and what "
        "came after them")
    with monkeypatch.context() as old:
        as_older(old, 3)
        outcome = import_bundle(ml, result.path, backup=False)
    assert outcome.outcome == "merged", outcome.reason
    assert ml.plan().version == 2
    assert progress.locked_periods(ml) == ["2025-S2"]
    # what it acknowledges next, the bundle after it holds back again: receipts alone
    with monkeypatch.context() as old:
        as_older(old, 3)
        send(ml, hq, tmp_path, "ml2")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq3.fieldplan")
    assert (manifest_of(result.path)["version"], result.events) == (3, 0)
    assert result.warning.startswith("ML's fieldplan reads bundle format 3 only")

    # updated, it says so in its next bundle, and gets the plan, its units and the lock
    send(ml, hq, tmp_path, "ml3")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq4.fieldplan")
    assert manifest_of(result.path)["version"] == bundlefmt.UNIT_WORDS_SINCE == 4
    assert result.warning == ""
    outcome = import_bundle(ml, result.path, backup=False)
    assert outcome.outcome == "merged", outcome.reason
    assert first_indicator(ml.plan()).unit_in("fr") == "ateliers"
    assert progress.locked_periods(ml) == ["2025-S2", PERIOD]


def test_a_worded_plan_goes_in_format_4_to_an_office_one_computer_of_which_reads_it(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One laptop updated, the other on 0.3: the updated one gets the plan (as before),
    and the export says the other must be updated; 0.3 refuses it as newer."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    for lap in (a, b):
        progress.record_progress(lap, "PA1.1", PERIOD, status="on-track", percent=10)
    send(a, hq, tmp_path, "a1")
    with monkeypatch.context() as old:
        as_older(old, 3)
        send(b, hq, tmp_path, "b1")
    install_plan(hq, worded(hq.plan()), "v2.toml")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
    assert manifest_of(result.path)["version"] == bundlefmt.UNIT_WORDS_SINCE == 4
    assert result.warning == (
        "ML's fieldplan reads bundle format 3 only: it must be updated to read this "
        "bundle (format 4, for the plan's units in French or Arabic)")
    with monkeypatch.context() as old:
        as_older(old, 3)
        outcome = import_bundle(b, result.path, backup=False)
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("bundle format version 4 is newer than this fieldplan "
                              "understands (3); update fieldplan")
    assert b.plan().version == 1  # nothing changed
    assert import_bundle(a, result.path, backup=False).outcome == "merged"
    assert first_indicator(a.plan()).unit_in("fr") == "ateliers"


def test_an_old_plan_in_a_database_reads_as_before(hq) -> None:
    """The plan events of a database written by 0.3 hold units as texts."""
    ind = first_indicator(hq.plan())
    assert (ind.unit, ind.unit_fr, ind.unit_ar) == ("documents", "", "")


def test_an_earlier_plan_version_keeps_its_unit_words_for_the_data_export() -> None:
    """(What the data export reads of an indicator a later version dropped.)"""
    from fieldplan.tabular import _indicator_of

    raw = plan_to_dict(worded(default_plan()))["actions"][0]["indicators"][0]
    assert _indicator_of(raw).unit_text == Text(WORDS["en"], WORDS["fr"], WORDS["ar"])
    raw = plan_to_dict(default_plan())["actions"][0]["indicators"][0]
    assert _indicator_of(raw).unit_text == Text("documents")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_data_exports_unit_name_follows_its_language(hq, make_office, tmp_path: Path,
                                                         lang: str) -> None:
    """The indicators sheet's unit stayed English in a French or Arabic export, beside
    a title in that language: ``unit`` is kept (the plan's own, for pivots over
    workbooks of several languages), and ``unit_name``, added at the end, words it in
    the export's language. Found by review."""
    from openpyxl import load_workbook

    from fieldplan import tabular
    from fieldplan.i18n import unit_label

    install_plan(hq, worded(hq.plan()), "new.toml")
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", PERIOD, status="on-track",
                             values={"policies-supported": 2})
    progress.record_progress(ml, "PA1.2", PERIOD, status="on-track",
                             values={"officials-trained": 3})
    out = tmp_path / f"p-{lang}.xlsx"
    tabular.export_table(ml, "xlsx", out, lang=lang)
    sheet = load_workbook(out)["indicators"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "unit_name"
    rows = {r[header.index("indicator")]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    worded_row, known = rows["policies-supported"], rows["officials-trained"]
    assert (worded_row["unit"], worded_row["unit_name"]) == ("workshops", WORDS[lang])
    assert (known["unit"], known["unit_name"]) == ("people", unit_label("people", lang))


def test_a_setup_bundle_of_a_worded_plan_is_refused_by_0_3_as_newer(
        hq, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldplan.errors import BundleError
    from fieldplan.sync import enroll_office, init_from_setup

    install_plan(hq, worded(hq.plan()), "v2.toml")
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    assert manifest_of(setup)["version"] == bundlefmt.UNIT_WORDS_SINCE
    with monkeypatch.context() as old:
        as_older(old, 3)
        with pytest.raises(BundleError, match=r"^bundle format version 4 is newer"):
            init_from_setup(tmp_path / "old.sqlite3", setup)
    ml = init_from_setup(tmp_path / "ml.sqlite3", setup)
    try:
        assert first_indicator(ml.plan()).unit_in("ar") == WORDS["ar"]
    finally:
        ml.close()


def test_enrolling_an_office_says_its_setup_bundle_needs_this_fieldplan(
        hq, tmp_path: Path, capsys) -> None:
    """A setup bundle in format 4 (the plan words its units) is refused by fieldplan 0.3
    as newer, and ``office enroll`` said nothing of it: the person at headquarters
    learnt it from the office. Said on stderr (the path stays the only line on
    stdout), and in --json's ``warning``; nothing of it for a plan in English words
    alone. Found by QA."""
    import json

    from tests.cli.test_cli_messages import run

    db = str(hq.path)
    code, out, err = run("--db", db, "--json", "office", "enroll", "SN", "-o",
                         str(tmp_path / "SN-setup.fieldplan"), capsys=capsys)
    assert code == 0 and json.loads(out)["warning"] == "" and "fieldplan or" not in err
    install_plan(hq, worded(hq.plan()), "v2.toml")
    hq.close()
    said = ("ML's computers need this version of fieldplan or a later one to be set up "
            "from this file: an older one refuses it as newer (bundle format 4, for the "
            "plan's units in French or Arabic)")
    setup = str(tmp_path / "ML-setup.fieldplan")
    code, out, err = run("--db", db, "office", "enroll", "ML", "-o", setup, capsys=capsys)
    assert code == 0 and out == f"{setup}\n"
    assert err.splitlines()[0] == f"fieldplan: warning: {said}"
    assert manifest_of(Path(setup))["version"] == bundlefmt.UNIT_WORDS_SINCE
    code, out, err = run("--db", db, "--json", "office", "enroll", "ML", "-o",
                         str(tmp_path / "ML-2.fieldplan"), capsys=capsys)
    assert code == 0 and json.loads(out)["warning"] == said


def test_a_unit_word_to_install_is_one_line_as_a_title_is(tmp_path: Path) -> None:
    data = plan_to_dict(worded(default_plan()))
    data["actions"][0]["indicators"][0]["unit"]["fr"] = "ateliers\nde travail"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PlanError, match=r"\.unit\.fr: the text of "
                       r"PA1\.1/policies-supported has a line break"):
        load_plan(path, strict=True)
    data["actions"][0]["indicators"][0]["unit"]["fr"] = "\u202eateliers"  # an override
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert first_indicator(load_plan(path, clean=True, strict=True)).unit_fr == "ateliers"
