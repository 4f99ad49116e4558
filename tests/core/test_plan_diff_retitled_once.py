"""An item a new plan version retitles whose other texts change too (its French or
Arabic title, an action's description, the plan's signature) is named once in the
change list, on its retitled line, with all that changed of it. Found by QA: PA1.1
renamed in three languages was listed under "Actions retitled" and again under
"Other texts changed", as if two actions had changed, in ``plan import``, its dry run
and the client's Replace the plan question alike (all read ``PlanDiff.lines``)."""

from __future__ import annotations

import dataclasses
from datetime import date

from fieldplan import i18n
from fieldplan.plan import Plan, Text, default_plan
from fieldplan.plan_diff import diff_plans, short_lines


def amended(plan: Plan) -> Plan:
    """PA1.1 retitled in every language with a new description, PA1.2 retitled in
    English alone, PA1.3 given only a new French title."""
    actions = []
    for a in plan.actions:
        if a.code == "PA1.1":
            a = dataclasses.replace(
                a, title=Text("Better data", "Meilleures données", "بيانات أفضل"),
                description=Text("A new description", a.description.fr, a.description.ar))
        elif a.code == "PA1.2":
            a = dataclasses.replace(a, title=Text("Only English", a.title.fr, a.title.ar))
        elif a.code == "PA1.3":
            a = dataclasses.replace(a, title=Text(a.title.en, "Nouveau titre", a.title.ar))
        actions.append(a)
    return dataclasses.replace(plan, version=plan.version + 1, actions=tuple(actions))


def test_an_action_retitled_with_other_texts_is_listed_once_with_all_that_changed():
    plan = default_plan()
    diff = diff_plans(plan, amended(plan))
    # the data keep every kind (a script reads texts_changed as before)
    assert diff.actions_retitled == ("PA1.1", "PA1.2")
    assert diff.texts_changed == ("PA1.1", "PA1.3")
    lines = diff.lines()
    assert sum("PA1.1" in line for line in lines) == 1, lines
    [pa11] = [line for line in lines if "PA1.1" in line]
    assert pa11.startswith("  PA1.1: ")
    assert pa11.endswith("(also changed: French title, Arabic title, description)")
    [pa12] = [line for line in lines if "PA1.2" in line]
    assert "also changed" not in pa12
    # an item whose English title stays is still said under "Other texts changed"
    assert lines[-1].startswith("Other texts changed") and lines[-1].endswith(": PA1.3")
    assert [a["also"] for a in diff.as_dict()["titles"]] == [
        ["fr", "ar", "description"], []]


def test_the_office_line_without_titles_names_it_once_too_in_every_language():
    plan = default_plan()
    diff = diff_plans(plan, amended(plan))
    with i18n.capturing():
        lines = short_lines(diff)
    assert list(lines) == [
        "Actions retitled (2): PA1.1 (also changed: French title, Arabic title, "
        "description); PA1.2",
        "Other texts changed (French or Arabic titles, descriptions, signature) (1): "
        "PA1.3"]
    # kept, and said again in the reader's language (the office's Inbox)
    french = i18n.render_record(i18n.message_record(lines[0]), "fr")
    assert french.startswith("Actions renommées (2)") and french.count("PA1.1") == 1


def test_the_plans_own_title_and_signature_are_said_on_one_line():
    plan = default_plan()
    new = dataclasses.replace(
        plan, version=plan.version + 1,
        title=Text("Plan of Action, amended", "Plan d’action modifié", plan.title.ar),
        signed_at=date(2025, 6, 22))
    diff = diff_plans(plan, new)
    assert diff.texts_changed == (plan.id,)
    lines = diff.lines()
    assert len(lines) == 1 and plan.id not in lines[0], lines
    assert lines[0].startswith("The plan's title changes: ")
    assert lines[0].endswith("(also changed: French title, place or date of signature)")
