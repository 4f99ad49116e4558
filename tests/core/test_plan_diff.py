"""What a new version of the plan changes, said before and after HQ installs it
(plan_diff.diff_plans, PlanChange.diff, the import's result); titles left without
their French or Arabic text, said in one line; titles held to one line of a sane
length in a file to install, bidi controls left out."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from fieldplan.errors import PlanError
from fieldplan.plan import (
    Action,
    Area,
    Indicator,
    Plan,
    Text,
    default_plan,
    dump_plan,
    format_plan,
    plan_from_dict,
    plan_to_dict,
)
from fieldplan.plan_diff import Changed, PlanDiff, diff_plans, untranslated, untranslated_text
from fieldplan.planops import preview_plan, read_plan_file, replace_plan
from tests.core.test_plan_faults import snapshot


def review_amendment(plan: Plan) -> Plan:
    """The reviewer's example: PA1.3 removed, PA1.2 renamed, PA1.1's first indicator's
    2026-S2 target from 6 to 10, area PA5 added with action PA5.1 (English only)."""
    actions = []
    for a in plan.actions:
        if a.code == "PA1.3":
            continue
        if a.code == "PA1.2":
            a = dataclasses.replace(a, title=Text("Better data on migration", a.title.fr,
                                                  a.title.ar))
        if a.code == "PA1.1":
            first = a.indicators[0]
            first = dataclasses.replace(first, targets=tuple(
                (p, 10.0 if p == "2026-S2" else v) for p, v in first.targets))
            a = dataclasses.replace(a, indicators=(first, *a.indicators[1:]))
        actions.append(a)
    actions.append(Action("PA5.1", "PA5", "national", "IOM", Text("Return and reintegration"),
                          Text(""), (Indicator("returnees", Text("Returnees assisted"),
                                               "people", 0.0, 500.0),)))
    return dataclasses.replace(plan, version=plan.version + 1,
                               areas=(*plan.areas, Area("PA5", Text("Return"))),
                               actions=tuple(actions))


def test_the_reviewers_amendment_is_said_in_short_lines():
    plan = default_plan()
    diff = diff_plans(plan, review_amendment(plan))
    assert diff == PlanDiff(
        areas_added=("PA5",), actions_added=("PA5.1",), actions_removed=("PA1.3",),
        actions_retitled=("PA1.2",),
        targets=(Changed("PA1.1/policies-supported", 6.0, 10.0, "2026-S2"),))
    assert diff.lines() == [
        "Area added (1): PA5",
        "Action added (1): PA5.1",
        "Action removed (1): PA1.3",
        "Action retitled (1):",
        "  PA1.2: “\u2068Strengthen national migration data systems\u2069” → "
        "“\u2068Better data on migration\u2069”",
        "Target changed (1): PA1.1/policies-supported for 2nd semester 2026 from 6 to 10",
    ]
    assert diff.as_dict()["targets"] == [{"code": "PA1.1/policies-supported", "before": 6.0,
                                          "after": 10.0, "period": "2026-S2"}]
    assert diff_plans(plan, plan) == PlanDiff() and not diff_plans(plan, plan)


def test_levels_leads_indicators_and_dates_are_said():
    plan = default_plan()
    a, b, c = plan.actions[:3]
    first = a.indicators[0]
    new = dataclasses.replace(
        plan, version=2, end=date(2027, 6, 30), title=Text("Another title"),
        actions=(
            dataclasses.replace(a, level="regional", lead="IOM", indicators=(
                dataclasses.replace(first, unit="count", baseline=2.0, target=None),
                Indicator("new-one", Text("New"), "count", None, None))),
            dataclasses.replace(b, indicators=b.indicators[1:]),
            dataclasses.replace(c, indicators=(dataclasses.replace(
                c.indicators[0], title=Text("Renamed indicator")), *c.indicators[1:])),
            *plan.actions[3:]))
    diff = diff_plans(plan, new)
    assert diff.end == (date(2027, 12, 31), date(2027, 6, 30)) and diff.retitled
    assert diff.indicators_added == ("PA1.1/new-one",)
    assert diff.indicators_removed == (f"PA1.2/{b.indicators[0].key}",)
    assert diff.indicators_retitled == (f"PA1.3/{c.indicators[0].key}",)
    lines = diff.lines()
    assert lines[:2] == ["Plan end: from 2027-12-31 to 2027-06-30",
                         "The plan's title changes: “\u2068IOM–OIC Plan of Action "
                         "2025–2027\u2069” → “\u2068Another title\u2069” (also changed: "
                         "French title, Arabic title)"]
    # (its French and Arabic titles gone with the new English one: said on its line,
    # not again under "Other texts changed", with the indicator's likewise)
    assert not any(line.startswith("Other texts changed") for line in lines)
    assert "Action moved to another level (1): PA1.1 from National to Regional" in lines
    assert "Action with another lead (1): PA1.1 from Joint to IOM" in lines
    assert ("Unit changed (1): PA1.1/policies-supported from documents to count") in lines
    assert "Baseline changed (1): PA1.1/policies-supported from 0 to 2" in lines
    assert ("Target changed (1): PA1.1/policies-supported at the plan's end from 12 to "
            "none") in lines


def test_french_arabic_texts_descriptions_and_areas_are_said_too():
    """An amendment that rewrote an action's French title and another's description was
    said to change "none to its areas, actions, indicators or dates", though it reaches
    every office; an action moved to another area was not said either."""
    plan = default_plan()
    a, b, c = plan.actions[:3]
    new = dataclasses.replace(plan, version=2, actions=(
        dataclasses.replace(a, title=Text(a.title.en, "Un autre titre", a.title.ar)),
        dataclasses.replace(b, description=Text("Another description")),
        dataclasses.replace(c, area="PA2"),
        *plan.actions[3:]))
    diff = diff_plans(plan, new)
    assert diff.texts_changed == ("PA1.1", "PA1.2")
    assert diff.areas_moved == (Changed("PA1.3", "PA1", "PA2"),)
    assert diff.lines() == [
        "Action moved to another area (1): PA1.3 from PA1 to PA2",
        "Other texts changed (French or Arabic titles, descriptions, signature) (2): "
        "PA1.1, PA1.2",
    ]
    signed = dataclasses.replace(plan, version=2, signed_place="Ankara")
    assert diff_plans(plan, signed).texts_changed == (plan.id,)


def test_the_signed_plans_text_is_a_change_of_its_own():
    """Installing the signed plan (no longer illustrative: a correction, its actions
    due from the plan's start) was said as "Other texts changed (French or Arabic
    titles, descriptions, signature)", with no change of its own in --json."""
    plan = default_plan()
    assert plan.illustrative
    a, b = plan.actions[:2]
    signed = dataclasses.replace(plan, version=2, illustrative=False, actions=(
        dataclasses.replace(a, illustrative=False), b, *plan.actions[2:]))
    diff = diff_plans(plan, signed)
    assert (diff.signed, diff.texts_changed, diff.illustrative) == ((plan.id, a.code), (), ())
    assert diff.lines() == [
        f"No longer illustrative, the signed plan's text (2): {plan.id}, {a.code}"]
    assert diff.as_dict()["signed"] == [plan.id, a.code]
    again = diff_plans(signed, dataclasses.replace(signed, version=3, illustrative=True))
    assert again.illustrative == (plan.id,) and again.signed == ()
    assert again.lines() == [f"Marked illustrative again (1): {plan.id}"]


def test_long_lists_are_cut_with_and_n_more():
    plan = default_plan()
    new = dataclasses.replace(plan, version=2, actions=plan.actions[:2])
    diff = diff_plans(plan, new)
    assert len(diff.actions_removed) == 22
    assert diff.lines() == [
        "Actions removed (22): PA1.3, PA1.4, PA1.5, PA1.6, PA2.1, PA2.2, PA2.3, PA2.4 and "
        "14 more"]
    assert diff.lines(shown=None)[0].endswith(plan.actions[-1].code)


def test_titles_without_french_or_arabic_are_one_capped_line():
    plan = review_amendment(default_plan())
    assert untranslated(default_plan()) == ()
    assert untranslated(plan) == ("PA5", "PA5.1", "PA5.1/returnees")
    assert untranslated_text(untranslated(plan)) == (
        "3 titles have no French or Arabic text and show in English instead: PA5, PA5.1, "
        "PA5.1/returnees")
    many = tuple(f"PA{i}" for i in range(1, 12))
    assert untranslated_text(many).endswith("PA7, PA8 and 3 more")
    assert untranslated_text(()) == ""


def test_preview_and_import_carry_the_diff_and_keep_every_key(hq, tmp_path):
    plan = hq.plan()
    new = review_amendment(plan)
    path = tmp_path / "v2.csv"
    dump_plan(new, path)
    change = preview_plan(hq, read_plan_file(path), path.name)
    assert change.diff == diff_plans(plan, new)
    assert change.untranslated == ("PA5", "PA5.1", "PA5.1/returnees")
    result = replace_plan(hq, path)
    assert {"plan", "version", "actions", "unchanged", "orphaned_actions", "hidden_periods",
            "hidden_values", "hidden_levels", "newly_hidden", "backup"} <= set(result)
    assert result["changes"]["actions_removed"] == ["PA1.3"]
    assert result["changes"]["areas_added"] == ["PA5"]
    assert result["untranslated"] == ["PA5", "PA5.1", "PA5.1/returnees"]


# --- titles in a file to install ----------------------------------------------------


def with_title(plan: Plan, title: str, **fields) -> Plan:
    second = dataclasses.replace(plan.actions[1], title=Text(title, "fr", "ar"), **fields)
    return dataclasses.replace(plan, version=plan.version + 1,
                               actions=(plan.actions[0], second, *plan.actions[2:]))


@pytest.mark.parametrize("fmt", ["csv", "toml", "json"])
@pytest.mark.parametrize("title, said", [
    ("Better data\non migration", "the text of PA1.2 has a line break"),
    ("Better data\u2028on migration", "the text of PA1.2 has a line break"),
    ("x" * 100_000, "the text of PA1.2 has 100,000 characters; titles, units and places "
                    "have at most 300"),
], ids=["newline", "line separator", "100,000 characters"])
def test_a_title_of_several_lines_or_too_long_is_refused_and_nothing_changes(
        hq, tmp_path, fmt, title, said):
    path = tmp_path / f"v2.{fmt}"
    path.write_text(format_plan(with_title(hq.plan(), title), fmt), encoding="utf-8")
    before = snapshot(hq)
    with pytest.raises(PlanError) as caught:
        replace_plan(hq, path)
    message = str(caught.value)
    assert "\n" not in message and said in message
    where = {"csv": "v2.csv: row ", "toml": "v2.toml: actions[1] (PA1.2).title.en: ",
             "json": "v2.json: actions[1] (PA1.2).title.en: "}[fmt]
    assert message.startswith(where)
    if fmt == "csv":
        assert "column 'action_title_en'" in message
    assert snapshot(hq) == before


def test_a_unit_is_one_line_and_a_description_may_have_several(hq, tmp_path):
    plan = hq.plan()
    a = plan.actions[1]
    bad = dataclasses.replace(plan, version=2, actions=(plan.actions[0], dataclasses.replace(
        a, indicators=(dataclasses.replace(a.indicators[0], unit="people\ntrained"),)),
        *plan.actions[2:]))
    dump_plan(bad, tmp_path / "unit.csv")
    with pytest.raises(PlanError, match=r"column 'unit': the text of PA1\.2/"):
        read_plan_file(tmp_path / "unit.csv")
    long = "First paragraph.\nSecond paragraph. " + "y" * 2000
    good = with_title(plan, "Better data", description=Text(long))
    dump_plan(good, tmp_path / "description.csv")
    assert read_plan_file(tmp_path / "description.csv").actions[1].description.en == (
        long.strip())


def test_a_plan_installed_already_is_read_whatever_its_titles():
    """Offices read the plan HQ sent: a title installed before the check still reads."""
    plan = with_title(default_plan(), "Two\nlines " + "z" * 400)
    assert plan_from_dict(plan_to_dict(plan)) == plan


def test_bidi_controls_are_left_out_of_plan_texts(hq, tmp_path):
    title = "\u202eBetter data\u202c on \u2067migration\u2069"
    path = tmp_path / "v2.json"
    dump_plan(with_title(hq.plan(), title, description=Text("A \u202edescription")), path)
    read = read_plan_file(path).actions[1]
    assert read.title.en == "Better data on migration"
    assert read.description.en == "A description"


def test_the_template_fits_the_checks_of_a_file_to_install():
    plan = default_plan()
    assert plan_from_dict(plan_to_dict(plan), strict=True, clean=True) == plan


def test_a_spreadsheet_sorted_before_it_was_saved_back_says_its_new_order(tmp_path):
    """HQ sorted the exported sheet by indicator title to read it, saved it back and
    imported it: areas, actions and indicators came in another order (the client's
    tree, the sheets and the review pack follow it) and the import said "none to its
    areas, actions, indicators or dates"."""
    import csv
    import io

    plan = default_plan()
    path = tmp_path / "plan.csv"
    dump_plan(dataclasses.replace(plan, version=2), path)
    header, *rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    rows.sort(key=lambda row: row[header.index("indicator_title_en")])
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    path.write_text(out.getvalue(), "utf-8-sig")
    diff = diff_plans(plan, read_plan_file(path))
    assert diff and diff.areas_reordered == ("PA2", "PA4", "PA1", "PA3")
    assert "PA1" in diff.actions_reordered and "PA1.2" in diff.indicators_reordered
    assert diff.lines()[0] == "The areas come in another order: PA2, PA4, PA1, PA3"
    assert diff.lines()[1].startswith("Actions in another order in 4 areas: ")
    assert diff.as_dict()["areas_reordered"] == ["PA2", "PA4", "PA1", "PA3"]
    # an item added or dropped moves no other; one moved to another area is said so
    a, b, c = plan.actions[:3]
    moved = dataclasses.replace(plan, version=2, areas=(*plan.areas, Area("PA5", Text("New"))),
                                actions=(dataclasses.replace(c, area="PA2"), b,
                                         *plan.actions[3:]))
    diff = diff_plans(plan, moved)
    assert not (diff.areas_reordered or diff.actions_reordered or diff.indicators_reordered)
    assert diff.actions_removed == (a.code,) and diff.areas_moved
    swapped = dataclasses.replace(plan, version=2, actions=(b, a, *plan.actions[2:]))
    assert diff_plans(plan, swapped).lines() == ["Actions in another order in 1 area: PA1"]


def moved_indicator(plan: Plan, key: str, to: str) -> Plan:
    """``plan``'s next version with indicator ``key`` taken from the action that has
    it and put last in action ``to``."""
    [(source, ind)] = [(a.code, i) for a in plan.actions for i in a.indicators
                       if i.key == key]
    actions = []
    for a in plan.actions:
        kept = tuple(i for i in a.indicators if a.code != source or i.key != key)
        actions.append(dataclasses.replace(
            a, indicators=(*kept, ind) if a.code == to else kept))
    return dataclasses.replace(plan, version=plan.version + 1, actions=tuple(actions))


def test_an_indicator_moved_to_another_action_is_said_moved(tmp_path):
    """HQ moves an indicator to another action: the preview said one indicator removed
    and another added, and nothing told HQ (nor the offices) that it is the same
    indicator and that the values recorded under the first action stay there, hidden.
    It is said as moved, once, with where its values stay."""
    plan = default_plan()
    [ind] = [i for a in plan.actions if a.code == "PA2.1" for i in a.indicators
             if i.key == "inspectors-trained"]
    new = moved_indicator(plan, "inspectors-trained", "PA2.2")
    diff = diff_plans(plan, new)
    assert diff.indicators_moved == (Changed("inspectors-trained", "PA2.1", "PA2.2"),)
    # (--json keeps listing it removed from one action and added to the other)
    assert diff.indicators_added == ("PA2.2/inspectors-trained",)
    assert diff.indicators_removed == ("PA2.1/inspectors-trained",)
    assert diff.as_dict()["indicators_moved"] == [
        {"code": "inspectors-trained", "before": "PA2.1", "after": "PA2.2"}]
    assert diff.lines() == [
        "Indicator moved to another action (1), the values recorded so far staying with "
        "the action they were recorded for: inspectors-trained from PA2.1 to PA2.2"]
    # a key both actions have, of another indicator (another title): not a move
    other = dataclasses.replace(ind, title=Text("Something else"))
    actions = tuple(
        dataclasses.replace(a, indicators=tuple(i for i in a.indicators
                                                if i.key != "inspectors-trained"))
        if a.code == "PA2.1" else
        dataclasses.replace(a, indicators=(*a.indicators, other)) if a.code == "PA2.2"
        else a for a in plan.actions)
    diff = diff_plans(plan, dataclasses.replace(new, actions=actions))
    assert diff.indicators_moved == ()
    assert diff.lines() == ["Indicator added (1): PA2.2/inspectors-trained",
                            "Indicator removed (1): PA2.1/inspectors-trained"]
