"""An action an amendment added has no report due in the periods before HQ installed
that amendment (Plan.added, from the plan's history): the sheets, the review pack, the
dashboard and the overview counted it as missing there."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from fieldplan import events
from fieldplan.periods import Period
from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office, init_from_setup
from tests.scenes import amend_plan, round_trips


def signed_hq(tmp_path: Path):
    """HQ set up now, with the signed plan's text installed over the built-in
    template's (version 2: a correction, due from the start)."""
    hq = init_hq(tmp_path / "hq.sqlite3")
    amend_plan(hq, tmp_path, signed=True)
    return hq


@pytest.fixture
def hq_amended(clock, tmp_path: Path):
    """HQ set up in 2026-S1 (February), with an amendment (version 3) installed in
    August (2026-S2) that added PA1.9 and moved PA2.1 to the regional level."""
    hq = signed_hq(tmp_path)
    clock("2026-08-03")
    amend_plan(hq, tmp_path, add=("PA1.9",), regional=("PA2.1",))
    yield hq
    hq.close()


@pytest.fixture
def hq_global_later(clock, tmp_path: Path):
    """HQ with ML enrolled, whose signed plan had no global action until an amendment
    installed in 2026-S2 added PA1.8, the plan's first."""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan
    from tests.scenes import amended

    hq = init_hq(tmp_path / "hq.sqlite3")
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    base = hq.plan()
    globals_ = tuple(a.code for a in base.actions if a.level == "global")
    amend_plan(hq, tmp_path, drop=globals_, signed=True)  # (a correction)
    clock("2026-08-01")
    new = amended(hq.plan())
    dump_plan(dataclasses.replace(new, actions=(*new.actions, dataclasses.replace(
        base.action(globals_[0]), code="PA1.8", illustrative=False))), tmp_path / "v3.json")
    replace_plan(hq, tmp_path / "v3.json")
    yield hq
    hq.close()


def test_an_added_action_is_due_from_the_semester_its_amendment_was_installed(hq_amended):
    plan = hq_amended.plan()
    assert plan.added == {"PA1.9": (Period(2026, 2), 3), "PA2.1": (Period(2026, 2), 3)}
    assert not plan.expects("PA1.9", "2026-S1") and not plan.expects("PA1.9", "2025-S2")
    assert plan.expects("PA1.9", "2026-S2") and plan.expects("PA1.9", "2027-S2")
    assert plan.expects("PA1.1", "2025-S2")  # in the plan as first installed
    national = plan.actions_of(level="national")
    assert "PA1.9" in {a.code for a in national}
    assert {a.code for a in national} - {a.code for a in plan.actions_of(
        level="national", due="2026-S1")} == {"PA1.9"}
    assert plan.actions_of(level="national", due="2026-S2") == national
    # moved to the regional level: new to regional offices
    assert "PA2.1" not in {a.code for a in plan.actions_of(level="regional", due="2026-S1")}
    assert plan.added_text("PA1.9", "2026-S1") == (
        "No report due: plan version 3 added this action in 2nd semester 2026.")
    assert plan.added_text("PA1.9", "2026-S2") == ""
    assert "الإصدار" in plan.added_text("PA1.9", "2026-S1", "ar")


def test_the_plan_as_first_installed_is_due_from_the_start_however_late(clock, tmp_path):
    clock("2027-03-01")  # HQ set fieldplan up late in the plan
    hq = signed_hq(tmp_path)
    assert hq.plan().added == {}
    assert hq.plan().actions_of(level="national", due="2025-S2") == \
        hq.plan().actions_of(level="national")
    hq.close()


def test_an_amendment_before_the_plans_first_period_adds_nothing_late(clock, tmp_path):
    clock("2025-03-01")
    hq = signed_hq(tmp_path)
    clock("2025-04-01")  # amended before the plan starts (21 June 2025)
    plan = amend_plan(hq, tmp_path, add=("PA1.9",))
    assert plan.added == {} and plan.expects("PA1.9", "2025-S2")
    hq.close()


def test_an_amendment_installed_after_the_plans_end_is_a_correction(clock, tmp_path):
    """(due from the start: an action due in no period of the plan is no amendment)"""
    hq = signed_hq(tmp_path)
    clock("2027-05-10")
    plan = amend_plan(hq, tmp_path, add=("PA1.9",), end="2026-12-31")
    assert plan.added == {} and plan.expects("PA1.9", "2025-S2")
    clock("2028-01-10")
    plan = amend_plan(hq, tmp_path, add=("PA1.8",))
    assert plan.added == {} and plan.expects("PA1.8", "2025-S2")
    hq.close()


def test_actions_added_over_an_illustrative_plan_are_due_from_the_start(clock, tmp_path):
    """HQ installs the signed plan's text over the built-in template, with codes the
    template has not: a correction, not an amendment (the periods before it would
    otherwise count none of its actions); once signed, an addition is an amendment."""
    hq = init_hq(tmp_path / "hq.sqlite3")
    clock("2026-09-01")
    plan = amend_plan(hq, tmp_path, add=("PA1.9",))  # still illustrative
    assert plan.added == {}
    clock("2026-10-01")
    plan = amend_plan(hq, tmp_path, add=("PA1.8",), signed=True)  # the last placeholders
    assert plan.added == {}
    clock("2027-02-01")
    plan = amend_plan(hq, tmp_path, add=("PA1.7",))
    assert plan.added == {"PA1.7": (Period(2027, 1), 4)}
    hq.close()


def test_an_office_counts_the_same_actions_due_as_hq(hq_amended, clock, tmp_path):
    """An office set up after the amendment holds the plan's history too; one set up
    before gets the amendment by bundle: both read what HQ reads."""
    enroll_office(hq_amended, "SN", tmp_path / "sn.setup")
    sn = init_from_setup(tmp_path / "sn.sqlite3", tmp_path / "sn.setup")
    assert sn.plan().added == hq_amended.plan().added
    sn.close()


def test_an_office_set_up_before_the_amendment_follows_it(clock, tmp_path):
    hq = signed_hq(tmp_path)
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    ml = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup")
    assert ml.plan().added == {}
    clock("2026-09-01")
    amend_plan(hq, tmp_path, add=("PA1.9",))
    round_trips(ml, hq, tmp_path, rounds=1)
    assert ml.plan().added == {"PA1.9": (Period(2026, 2), 3)} == hq.plan().added
    ml.close()
    hq.close()


def test_an_older_version_arriving_after_a_newer_one_is_read(clock, tmp_path):
    """(the plan's cache follows the history, not only its newest version)"""
    from fieldplan import store

    hq = signed_hq(tmp_path)
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    ml = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup")
    clock("2026-08-01")
    amend_plan(hq, tmp_path, add=("PA1.9",))
    clock("2027-02-01")
    amend_plan(hq, tmp_path, add=("PA1.8",))
    v3, v4 = [events.parse_event(body) for (body,) in hq.conn.execute(
        "SELECT body FROM events WHERE entity = 'plan' ORDER BY seq DESC LIMIT 2")][::-1]

    def arrives(event) -> None:
        with store.write_transaction(ml.conn):
            events.store_events(ml.conn, [event])

    arrives(v4)  # version 3's bundle was lost on the way
    assert ml.plan().version == 4
    assert ml.plan().added["PA1.9"] == (Period(2027, 1), 4)  # first seen in version 4
    arrives(v3)
    assert ml.plan().version == 4
    assert ml.plan().added == {"PA1.9": (Period(2026, 2), 3), "PA1.8": (Period(2027, 1), 4)}
    ml.close()
    hq.close()


def _national(hq) -> int:
    return len(hq.plan().actions_of(level="national"))


def test_the_status_sheet_leaves_out_an_action_added_after_its_period(hq_amended, tmp_path):
    from fieldplan.reports import build_status_sheet
    from tests.core.test_reports import pdf_text
    from tests.fixtures.reports.seed import write_progress

    n = _national(hq_amended)  # PA1.9 last
    assert write_progress(hq_amended, "ML", "2026-S1", only=n - 1) == n - 1
    text = pdf_text(build_status_sheet(hq_amended, "2026-S1", "ML", out=tmp_path / "s1.pdf"))
    assert f"Reports: {n - 1} of {n - 1} actions, {n - 1} submitted" in text
    assert "New action PA1.9" not in text
    assert ("1 action that an amendment added to the plan after this period is not counted: "
            "no report on it was due.") in text
    # due from the semester the amendment was installed in
    text = pdf_text(build_status_sheet(hq_amended, "2026-S2", "ML", out=tmp_path / "s2.pdf"))
    assert f"Reports: 0 of {n} actions" in text and "New action PA1.9" in text
    assert "not counted" not in text


def test_a_report_on_an_action_before_it_was_due_counts(hq_amended, tmp_path):
    """(the amendment was agreed before HQ installed it: an office reported already)"""
    from fieldplan.reports import build_status_sheet
    from tests.core.test_reports import pdf_text
    from tests.fixtures.reports.seed import write_progress

    n = _national(hq_amended)
    write_progress(hq_amended, "ML", "2026-S1")
    text = pdf_text(build_status_sheet(hq_amended, "2026-S1", "ML", out=tmp_path / "s.pdf"))
    assert f"Reports: {n} of {n} actions" in text and "New action PA1.9" in text
    assert "not counted" not in text


def test_the_review_pack_counts_no_report_due_on_an_added_action(hq_amended, tmp_path):
    from fieldplan.reports import build_review_pack
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack
    from tests.core.test_reports import pdf_text
    from tests.fixtures.reports.seed import write_progress

    n = _national(hq_amended)
    write_progress(hq_amended, "ML", "2026-S1", only=n - 1)
    write_progress(hq_amended, "ML", "2026-S2", only=n - 1)
    pa1 = len(hq_amended.plan().actions_of(area="PA1", level="national"))
    s1 = Pack(hq_amended, cm.make_ctx(hq_amended, "2026-S1", "en", "A4"), None, 1)
    assert s1._due("ML") == n - 1 and s1._expected("PA1") - s1._due("HQ", "PA1") == pa1 - 1
    s2 = Pack(hq_amended, cm.make_ctx(hq_amended, "2026-S2", "en", "A4"), None, 1)
    assert s2._due("ML") == n and s2._expected("PA1") - s2._due("HQ", "PA1") == pa1
    text = pdf_text(build_review_pack(hq_amended, "2026-S1", tmp_path / "p1.pdf"))
    cover = pdf_text(tmp_path / "p1.pdf", page=1)
    assert f"{n - 1}/{n - 1}" in text and f"{n - 1}/{n}" not in text
    assert re.search(r"PA1\.9 New action PA1\.9 National – .{0,40}No report due: plan "
                     r"version 3 added this action in 2nd semester 2026\.", text)
    # (PA1.9; not PA2.1, new to regional offices, of which none is expected)
    assert "1 action that an amendment added to the plan after this period is not counted" \
        in cover
    text = pdf_text(build_review_pack(hq_amended, "2026-S2", tmp_path / "p2.pdf"))
    assert f"{n - 1}/{n}" in text and "No report due" not in text
    assert re.search(r"PA1\.9 New action PA1\.9 National 0/1", text)


def test_an_indicator_added_to_an_action_has_no_value_due_before(clock, tmp_path):
    hq = signed_hq(tmp_path)
    clock("2026-09-01")
    plan = amend_plan(hq, tmp_path, add=("PA1.9",), add_indicators=(
        ("PA1.2", "new-count"), ("PA1.9", "also-new")))
    # (the new action's indicators come with it: the action's own period says it)
    assert plan.added_values == {("PA1.2", "new-count"): (Period(2026, 2), 3)}
    assert not plan.expects_value("PA1.2", "new-count", "2026-S1")
    assert plan.expects_value("PA1.2", "new-count", "2026-S2")
    assert plan.expects_value("PA1.2", plan.action("PA1.2").indicators[0].key, "2025-S2")
    hq.close()


def test_the_status_sheet_prints_no_indicator_added_after_its_period(clock, tmp_path):
    from fieldplan.reports import build_status_sheet
    from tests.core.test_reports import pdf_text
    from tests.fixtures.reports.seed import write_progress

    hq = signed_hq(tmp_path)
    for period in ("2026-S1", "2026-S2"):  # (written before the indicator was added)
        write_progress(hq, "ML", period, only=2)
    clock("2026-09-01")
    amend_plan(hq, tmp_path, add_indicators=(("PA1.2", "new-count"),))
    text = pdf_text(build_status_sheet(hq, "2026-S1", "ML", out=tmp_path / "s1.pdf"))
    assert "New new-count" not in text and "PA1.2" in text
    text = pdf_text(build_status_sheet(hq, "2026-S2", "ML", out=tmp_path / "s2.pdf"))
    assert "New new-count" in text
    hq.close()


def test_hq_is_told_from_when_what_an_amendment_adds_is_due(clock, tmp_path, capsys):
    """(plan import and its --dry-run, --json, and the client's question)"""
    import dataclasses
    import json

    from fieldplan.cli import main
    from fieldplan.plan import dump_plan
    from fieldplan.planops import preview_plan
    from tests.scenes import amended
    from ui.plan_files import change_text

    hq = signed_hq(tmp_path)
    clock("2026-09-01")
    new = amended(hq.plan(), add=("PA1.9",))
    change = preview_plan(hq, new, "v3.toml")
    assert change.due_from == "2026-S2"
    _text, details = change_text(change, "v3.toml")
    assert details.endswith("\n\nReports on what it adds are due from 2nd semester 2026 (this "
                            "semester): none are asked for earlier periods.")
    # a correction says nothing of it: after the plan's end, or over illustrative text
    assert preview_plan(hq, dataclasses.replace(new, end=dt.date(2026, 6, 30), actions=tuple(
        dataclasses.replace(a, indicators=()) for a in new.actions)), "x").due_from == ""
    assert preview_plan(hq, amended(hq.plan(), title="Same codes"), "x").due_from == ""
    path = tmp_path / "v3.toml"
    dump_plan(new, path)
    hq.close()
    db = str(tmp_path / "hq.sqlite3")
    assert main(["--db", db, "plan", "import", "--dry-run", str(path)]) == 0
    assert ("Reports on what it adds are due from 2nd semester 2026 (this semester): "
            "none are asked for earlier periods") in \
        capsys.readouterr().out
    assert main(["--db", db, "--json", "plan", "import", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["due_from"] == "2026-S2"


def test_an_amendment_over_an_illustrative_plan_says_nothing_of_when(clock, tmp_path):
    from fieldplan.planops import preview_plan
    from tests.scenes import amended

    hq = init_hq(tmp_path / "hq.sqlite3")
    clock("2026-09-01")
    assert preview_plan(hq, amended(hq.plan(), add=("PA1.9",)), "x").due_from == ""
    hq.close()


def test_an_amendment_in_a_folded_last_semester_is_due_in_the_period_it_joins(clock,
                                                                              tmp_path):
    """A plan ending on 20 January 2028 folds those days into 2027-S2: an amendment
    installed on 10 January is due from 2027-S2, not from a 2028-S1 the plan has not
    (it was due nowhere)."""
    hq = signed_hq(tmp_path)
    plan = amend_plan(hq, tmp_path, end="2028-01-20")
    assert str(plan.periods()[-1]) == "2027-S2"
    clock("2028-01-10")
    plan = amend_plan(hq, tmp_path, add=("PA1.9",))
    assert plan.added == {"PA1.9": (Period(2027, 2), 4)}
    assert plan.expects("PA1.9", "2027-S2") and not plan.expects("PA1.9", "2027-S1")
    hq.close()


def test_an_office_whose_level_has_nothing_due_yet_is_not_awaited(hq_global_later):
    """The plan's first global action, added in 2026-S2: headquarters is not awaited
    (review pack, lock check, Overview) in 2026-S1, unless it reported anyway."""
    from fieldplan import progress
    from fieldplan.sync import lock_check
    from fieldplan.sync.export import expected_offices, period_reports

    hq = hq_global_later
    plan = hq.plan()
    assert plan.added == {"PA1.8": (Period(2026, 2), 3)}
    assert expected_offices(hq, plan) == ["HQ", "ML"]
    assert expected_offices(hq, plan, "2026-S1") == ["ML"]
    assert expected_offices(hq, plan, "2026-S2") == ["HQ", "ML"]
    # (headquarters counted apart from the offices)
    assert lock_check(hq, "2026-S1").offices == 1 and lock_check(hq, "2026-S2").offices == 1
    assert not lock_check(hq, "2026-S1").hq_unsubmitted
    assert lock_check(hq, "2026-S2").hq_unsubmitted
    progress.record_progress(hq, "PA1.8", "2026-S1", status="on-track")
    counted = period_reports(hq, plan, "2026-S1")
    assert counted.expected == ["HQ", "ML"] and counted.unknown == {}
    assert [r.action for r in counted.counted] == ["PA1.8"]


def test_a_sheet_before_the_levels_first_action_says_none_was_due(hq_global_later,
                                                                  tmp_path):
    """(not "the current plan has no action at this office's level": it has, later)"""
    from fieldplan.reports import build_status_sheet
    from tests.core.test_reports import pdf_text

    text = pdf_text(build_status_sheet(hq_global_later, "2026-S1", "HQ",
                                       out=tmp_path / "s.pdf"))
    assert "Reports: none due in this period" in text and "no action at" not in text
    assert "1 action that an amendment added to the plan after this period is not counted" \
        in text


def test_the_actions_command_says_from_when_an_added_action_is_due(hq_amended, capsys):
    import json

    from fieldplan.cli import main

    db = str(hq_amended.path)
    assert main(["--db", db, "--json", "actions", "--level", "national"]) == 0
    due = {a["code"]: a["due_from"] for a in json.loads(capsys.readouterr().out)}
    assert due["PA1.9"] == "2026-S2" and due["PA1.1"] is None
    assert main(["--db", db, "actions", "--area", "PA1"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0].rstrip("*"): line for line in out.splitlines()[1:]
            if line.startswith("PA")}
    assert "Due from" in out.splitlines()[0]
    assert "2nd semester 2026" in rows["PA1.9"] and "semester" not in rows["PA1.1"]
    assert main(["--db", db, "actions", "--area", "PA4"]) == 0
    assert "Due from" not in capsys.readouterr().out  # (none added there)
