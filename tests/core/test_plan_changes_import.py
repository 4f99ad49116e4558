"""An office importing headquarters' amendment is told what it changes, as `plan
import` tells headquarters (plan_diff): in the import's outcome, and again in the
Inbox, in the reader's language."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fieldplan.i18n import set_language
from fieldplan.plan import Text
from fieldplan.plan_diff import SHOWN_LINES, short_lines
from fieldplan.sync import list_inbox
from tests.scenes import send


def amend(hq, tmp_path: Path, *, codes=("PA1.9",)):
    """(HQ) an amendment: ``codes`` added (copies of the first action), the first
    action retitled in English, its first indicator's end target set to 9,000."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    first = plan.actions[0]
    ind = first.indicators[0]
    changed = dataclasses.replace(
        first, title=Text(en="A new title", fr=first.title.fr, ar=first.title.ar),
        indicators=(dataclasses.replace(ind, target=9000.0),
                    *first.indicators[1:]))
    added = tuple(dataclasses.replace(first, code=code) for code in codes)
    new = dataclasses.replace(plan, version=plan.version + 1,
                              actions=(changed, *plan.actions[1:], *added))
    path = tmp_path / "plan-v2.json"
    dump_plan(new, path)
    replace_plan(hq, path, allow_hiding=True)
    return first, ind


def test_the_office_is_told_what_the_new_plan_changes(hq, make_office, tmp_path) -> None:
    sn = make_office("SN")
    first, ind = amend(hq, tmp_path)
    _result, outcome = send(hq, sn, tmp_path)
    assert outcome.outcome == "merged" and outcome.plan_version == 2
    assert list(outcome.plan_changes) == [
        "Action added (1): PA1.9",
        f"Action retitled (1): {first.code}",
        f"Target changed (1): {first.code}/{ind.key} at the plan's end from "
        f"{ind.target:g} to 9,000",
    ]
    assert outcome.to_dict()["plan_changes"] == list(outcome.plan_changes)


def test_the_inbox_keeps_what_the_plan_changes_in_the_readers_language(
        hq, make_office, tmp_path) -> None:
    sn = make_office("SN")
    first, ind = amend(hq, tmp_path)
    send(hq, sn, tmp_path)
    [entry, *_] = list_inbox(sn)
    # the version note stays too (the dialog that said it is closed)
    assert entry.reason_text() == "the plan is now version 2"
    assert entry.plan_changes()[0] == "Action added (1): PA1.9"
    french = entry.plan_changes("fr")
    assert french[0] == "Action ajoutée (1)\u00a0: PA1.9"
    # the numbers are said in French too ("9 000", not the English "9,000": nine)
    assert french[2] == (
        f"Cible modifiée (1)\u00a0: {first.code}/{ind.key} à la fin du plan\u00a0: de "
        f"{ind.target:g} à 9\u202f000")
    assert entry.reason_text("fr") == "le plan est désormais à la version 2"
    assert entry.to_dict()["plan_changes"][0] == "Action added (1): PA1.9"
    set_language("fr")
    try:
        assert list_inbox(sn)[0].plan_changes()[0] == "Action ajoutée (1)\u00a0: PA1.9"
    finally:
        set_language("en")


def test_a_big_amendment_is_told_in_a_few_lines(hq, make_office, tmp_path) -> None:
    from fieldplan.plan_diff import PlanDiff

    sn = make_office("SN")
    amend(hq, tmp_path, codes=tuple(f"PA1.{n}" for n in range(20, 40)))
    _result, outcome = send(hq, sn, tmp_path)
    # twenty actions added: one line, eight of them named
    assert outcome.plan_changes[0] == (
        "Actions added (20): PA1.20, PA1.21, PA1.22, PA1.23, PA1.24, PA1.25, PA1.26, "
        "PA1.27 and 12 more")
    many = PlanDiff(areas_added=("A",), areas_removed=("B",), areas_retitled=("C",),
                    actions_added=("D",), actions_removed=("E",), actions_retitled=("F",),
                    indicators_added=("G/x",), indicators_removed=("H/x",),
                    indicators_retitled=("I/x",), texts_changed=("J",), retitled=True)
    lines = short_lines(many)
    assert len(lines) == SHOWN_LINES
    assert lines[-1] == "and 2 more kinds of change"


def test_an_import_that_leaves_the_plan_says_no_changes(hq, make_office, tmp_path) -> None:
    sn = make_office("SN")
    _result, outcome = send(hq, sn, tmp_path)
    assert outcome.plan_changes == () and outcome.to_dict()["plan_changes"] == []
    assert list_inbox(sn)[0].plan_changes() == ()


_TO = {"fr": "à", "ar": "إلى"}  # "from {before} to {after}"


def test_levels_leads_and_periods_of_the_changes_are_said_in_the_readers_language(
        hq, make_office, tmp_path) -> None:
    """A changed level or lead, and a period's target, read in the Inbox in French
    said "National" and "2026-S2" as the import wrote them (English, a code)."""
    from fieldplan.i18n import lead_label
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    sn = make_office("SN")
    plan = hq.plan()
    first = plan.actions[0]
    ind = first.indicators[0]
    lead = "joint" if first.lead != "joint" else "IOM"
    changed = dataclasses.replace(
        first, level="regional", lead=lead,
        indicators=(dataclasses.replace(ind, targets=(("2026-S2", 7.0),)),
                    *first.indicators[1:]))
    new = dataclasses.replace(plan, version=2, actions=(changed, *plan.actions[1:]))
    dump_plan(new, tmp_path / "plan-v2.json")
    replace_plan(hq, tmp_path / "plan-v2.json", allow_hiding=True)
    send(hq, sn, tmp_path)
    [entry, *_] = list_inbox(sn)
    english = entry.plan_changes()
    assert f"Action moved to another level (1): {first.code} from National to Regional" \
        in english
    assert any("for 2nd semester 2026 from 6 to 7" in line for line in english)
    french = "\n".join(entry.plan_changes("fr"))
    assert "de National à Régional" in french and "Regional" not in french
    assert "2e semestre 2026" in french and "2026-S2" not in french
    arabic = "\n".join(entry.plan_changes("ar"))
    assert "Regional" not in arabic and "semester" not in arabic
    for lang, text in (("fr", french), ("ar", arabic)):
        assert f"{lead_label(first.lead, lang)} {_TO[lang]} {lead_label(lead, lang)}" in text


def test_a_units_change_kept_in_the_inbox_is_said_in_the_readers_words(
        hq, make_office, tmp_path) -> None:
    """An English unit a new version changes is said in the words the reader's language
    reads (the plan's own word, else fieldplan's): in the Inbox too, whatever language
    the import ran in. Kept as the import's words, an office that imported it in French
    read "from personnes to ateliers" in English, and "from people to workshops" in
    French when it imported in English; found by review."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    first = plan.actions[0]
    ind = first.indicators[0]
    old = dataclasses.replace(plan, version=plan.version + 1, actions=(dataclasses.replace(
        first, indicators=(dataclasses.replace(ind, unit="people"),
                           *first.indicators[1:])), *plan.actions[1:]))
    dump_plan(old, tmp_path / "plan-v2.json")
    replace_plan(hq, tmp_path / "plan-v2.json", allow_hiding=True)
    sn, ml = make_office("SN"), make_office("ML")
    new = dataclasses.replace(old, version=old.version + 1, actions=(dataclasses.replace(
        old.actions[0], indicators=(dataclasses.replace(
            old.actions[0].indicators[0], unit="workshops", unit_fr="ateliers",
            unit_ar="حلقات دراسية"), *old.actions[0].indicators[1:])), *old.actions[1:]))
    dump_plan(new, tmp_path / "plan-v3.json")
    replace_plan(hq, tmp_path / "plan-v3.json", allow_hiding=True)
    code = f"{first.code}/{ind.key}"
    send(hq, ml, tmp_path)  # imported in English
    set_language("fr")
    try:
        send(hq, sn, tmp_path)  # imported in French
    finally:
        set_language("en")
    for office in (sn, ml):
        [entry, *_] = list_inbox(office)
        assert f"{code} from people to workshops" in "\n".join(entry.plan_changes("en"))
        assert f"{code}\u00a0: de personnes à ateliers" in "\n".join(
            entry.plan_changes("fr"))
        assert f"{code}: من أشخاص إلى حلقات دراسية" in "\n".join(entry.plan_changes("ar"))


def test_a_units_change_kept_in_the_inbox_is_said_once_in_the_readers_language(
        hq, make_office, tmp_path) -> None:
    """The English unit and its French word both changed, from "documents" to
    "workshops" and "ateliers": the Inbox of an office that imported the plan in
    English, read in French, said "de documents à ateliers" twice (the English change
    in French words, then the French change), and counted two changes. English lists
    both, as the import did. Found by review."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = hq.plan()
    first = plan.actions[0]
    ind = first.indicators[0]
    code = f"{first.code}/{ind.key}"

    def version(before, unit: str, fr: str):
        action = before.actions[0]
        return dataclasses.replace(before, version=before.version + 1, actions=(
            dataclasses.replace(action, indicators=(dataclasses.replace(
                action.indicators[0], unit=unit, unit_fr=fr, unit_ar=""),
                *action.indicators[1:])), *before.actions[1:]))

    old = version(plan, "documents", "documents")
    dump_plan(old, tmp_path / "plan-v2.json")
    replace_plan(hq, tmp_path / "plan-v2.json", allow_hiding=True)
    sn = make_office("SN")
    dump_plan(version(old, "workshops", "ateliers"), tmp_path / "plan-v3.json")
    replace_plan(hq, tmp_path / "plan-v3.json", allow_hiding=True)
    _result, outcome = send(hq, sn, tmp_path)  # imported in English
    assert (f"Units changed (2): {code} from documents to workshops; {code} in French "
            "from documents to ateliers") in outcome.plan_changes
    [entry, *_] = list_inbox(sn)
    assert list(entry.plan_changes("en")) == list(outcome.plan_changes)
    [french] = [line for line in entry.plan_changes("fr") if code in line]
    assert french == f"Unité modifiée (1)\u00a0: {code}\u00a0: de documents à ateliers"
    [arabic] = [line for line in entry.plan_changes("ar") if code in line]
    assert arabic.count(code) == 2  # (Arabic reads each: "من documents إلى workshops")
