"""A plan's change list says what a retitled area, action or indicator was called and
is called now (in the language in use, long titles cut around the change, each title
isolated from the line's direction), and sets apart the titles that change only by
characters a reader does not see (direction marks, no-break spaces, zero-width
joiners that join nothing). Found by QA: "Indicator retitled (1): PA1.1/policies-
supported" gave no title, and an Arabic title saved again with a right-to-left mark
in it was listed as changed."""

from __future__ import annotations

import dataclasses

import pytest

from fieldplan import i18n
from fieldplan.plan import Plan, Text, default_plan
from fieldplan.plan_diff import diff_plans, seen_alike, shortened_pair
from fieldplan.text import isolates_as_marks

FSI, PDI = "\u2068", "\u2069"


def retitled(plan: Plan, title: Text, indicator: Text | None = None) -> Plan:
    """``plan`` with PA1.1 titled ``title`` (and its first indicator ``indicator``)."""
    first = plan.actions[0]
    inds = first.indicators
    if indicator is not None:
        inds = (dataclasses.replace(inds[0], title=indicator), *inds[1:])
    first = dataclasses.replace(first, title=title, indicators=inds)
    return dataclasses.replace(plan, version=2, actions=(first, *plan.actions[1:]))


@pytest.fixture
def lang():
    yield i18n.set_language
    i18n.set_language("en")


def test_a_retitled_indicator_is_said_with_its_titles_before_and_after():
    plan = default_plan()
    ind = plan.actions[0].indicators[0]
    new = retitled(plan, plan.actions[0].title,
                   Text("Policies supported", ind.title.fr, ind.title.ar))
    diff = diff_plans(plan, new)
    # (the title before, of 74 characters, cut at a word's end)
    # (one line each under the kind's)
    assert diff.lines() == [
        "Indicator retitled (1):",
        f"  PA1.1/policies-supported: “{FSI}National migration policies or strategies "
        f"drafted or…{PDI}” → “{FSI}Policies supported{PDI}”"]
    # --json gives the titles in every language
    titles = diff.as_dict()["titles"]
    assert titles[0]["code"] == "PA1.1/policies-supported"
    assert titles[0]["after"] == {"en": "Policies supported", "fr": ind.title.fr,
                                  "ar": ind.title.ar}
    # the lines an office keeps (shown again in another language): codes only
    from fieldplan.plan_diff import short_lines

    assert short_lines(diff) == ("Indicator retitled (1): PA1.1/policies-supported",)


def test_titles_are_in_the_language_in_use_else_in_english(lang):
    plan = default_plan()
    first = plan.actions[0]
    both = retitled(plan, Text("Migration governance", "Gouvernance des migrations",
                               "حوكمة الهجرة"))
    english_only = retitled(plan, Text("Migration governance", first.title.fr,
                                       first.title.ar))
    lang("fr")
    line = diff_plans(plan, both).lines()[1]
    assert f"«\u00a0{FSI}Gouvernance des migrations{PDI}\u00a0»" in line
    assert f"{FSI}{first.title.fr}{PDI}" in line
    # the French title stays: the English one is the change, said in English
    line = diff_plans(plan, english_only).lines()[1]
    assert f"{FSI}Migration governance{PDI}" in line and first.title.fr not in line
    lang("ar")
    line = diff_plans(plan, both).lines()[1]
    assert f"{FSI}حوكمة الهجرة{PDI}" in line and f"{FSI}{first.title.ar}{PDI}" in line


def test_a_long_title_is_cut_around_the_change():
    before = ("Number of national migration policies drafted or reviewed with the "
              "support of the partnership in 12 member states")
    after = before.replace("12 member", "14 member")
    shown = shortened_pair(before, after)
    assert shown == ("…the partnership in 12 member states",
                     "…the partnership in 14 member states")
    # a change at the start: the start shown, the rest cut at a word's end
    shown = shortened_pair("Draft " + before, "Review " + before)
    assert shown == ("Draft Number of national migration policies drafted or…",
                     "Review Number of national migration policies drafted or…")
    assert shortened_pair("Short", "Shorter") == ("Short", "Shorter")


def test_an_arabic_title_in_a_terminal_line_ends_with_a_mark():
    """In a terminal, the isolates are marks: after an Arabic title in an English line
    a left-to-right mark (else the arrow and the next title took its direction), after
    a Latin title in an Arabic line a right-to-left one; none after a title of the
    line's own direction."""
    line = f"PA1.1: “{FSI}حوكمة{PDI}” → “{FSI}Governance{PDI}”"
    assert isolates_as_marks(line, rtl=False) == "PA1.1: “حوكمة\u200e” → “Governance”"
    assert isolates_as_marks(line, rtl=True) == "PA1.1: “حوكمة” → “Governance\u200f”"


@pytest.mark.parametrize("before, after", [
    ("Gouvernance des migrations", "Gouvernance\u00a0des migrations"),
    ("Gouvernance des migrations", "Gouvernance des migrations\u200e"),
    ("حوكمة الهجرة", "\u200fحوكمة الهجرة"),
    ("حوكمة الهجرة", "حوكمة\u061c الهجرة"),
    ("حوكمة الهجرة", "حوكمة \u200cالهجرة"),
    ("Migration governance", "Migration\u200d governance"),
], ids=["nbsp", "lrm", "rlm", "alm", "zwnj beside a space", "zwj in latin"])
def test_titles_that_differ_only_by_what_is_not_seen_are_set_apart(before, after):
    assert seen_alike(before, after)
    plan = default_plan()
    first = plan.actions[0]
    old = retitled(plan, Text(first.title.en, before, before))
    new = retitled(plan, Text(first.title.en, after, after))
    diff = diff_plans(old, new)
    assert diff.texts_changed == () and diff.invisible == ("PA1.1",)
    assert diff.lines() == [
        "Only invisible characters changed (spaces, direction marks) (1): PA1.1"]
    # English too: not said to be retitled
    diff = diff_plans(retitled(plan, Text(before)), retitled(plan, Text(after)))
    assert diff.actions_retitled == () and diff.invisible == ("PA1.1",)


def test_a_joiner_between_arabic_letters_is_seen():
    """A zero-width non-joiner between two Arabic letters that join shows them apart:
    a change a reader sees."""
    assert not seen_alike("حوكمة", "حو\u200cكمة")
    plan = default_plan()
    first = plan.actions[0]
    diff = diff_plans(plan, retitled(plan, Text(first.title.en, first.title.fr,
                                                first.title.ar.replace("ع", "ع\u200c", 1))))
    assert diff.texts_changed == ("PA1.1",) and diff.invisible == ()


def test_the_dry_run_in_arabic_marks_the_english_titles(capsys, hq, tmp_path):
    """``plan import --dry-run`` in Arabic: the English titles of an action retitled in
    English only, each followed by a right-to-left mark (in a terminal the arrow and
    the second title kept their places), no isolate characters."""
    from fieldplan.cli import main
    from fieldplan.plan import dump_plan
    from tests.core.test_plan_diff import review_amendment

    path = tmp_path / "v2.csv"
    dump_plan(review_amendment(hq.plan()), path)
    db = str(hq.path)
    hq.close()
    main(["--db", db, "--lang", "ar", "plan", "import", str(path), "--dry-run"])
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "PA1.2" in line)
    # (a mark first: the line reads right to left, as the lines around it)
    assert line.startswith("  \u200f  PA1.2")
    # (the Arabic catalog's quotes, and its arrow pointing the way the line reads)
    assert ("PA1.2: «Strengthen national migration data systems\u200f» ← "
            "«Better data on migration\u200f»") in line
    assert FSI not in out and PDI not in out


def test_many_retitled_items_are_a_line_each_then_and_n_more():
    plan = default_plan()
    actions = tuple(dataclasses.replace(a, title=Text(a.title.en + " (revised)", a.title.fr,
                                                      a.title.ar))
                    for a in plan.actions[:10])
    new = dataclasses.replace(plan, version=2, actions=(*actions, *plan.actions[10:]))
    lines = diff_plans(plan, new).lines()
    assert lines[0] == "Actions retitled (10):"
    assert all(line.startswith("  PA") for line in lines[1:9])
    assert lines[8].endswith(f"(revised){PDI}” and 2 more")
    assert len(lines) == 9
