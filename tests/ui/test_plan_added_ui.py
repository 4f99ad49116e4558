"""The client's views leave an action an amendment added out of the periods before it
(Plan.expects): the dashboard and the submit dialog listed "PA1.1: no report" for a
semester the action did not exist in, the action list marked it "No report yet", and
HQ's Overview counted it among an area's actions."""

from __future__ import annotations

import dataclasses

from fieldplan.periods import Period
from fieldplan.plan import default_plan
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_dashboard_figures import report
from tests.ui.test_illustrative import _rows as _marked_rows
from ui.context import Identity
from ui.dashboard import summarise
from ui.office_view import NO_REPORT, PlanTree

#: PA1.1 added by plan version 2, installed in 2026-S2
PLAN = dataclasses.replace(default_plan(), added={"PA1.1": (Period(2026, 2), 2)})
WHY = "No report due: plan version 2 added this action in 2nd semester 2026."


def _rows(tree: PlanTree) -> dict[str, object]:
    """The tree's rows by code (the illustrative plan's marks left out)."""
    return {code.rstrip("*"): item for code, item in _marked_rows(tree).items()}


def _identity() -> Identity:
    return Identity("office", "SN", "r", PLAN, "")


def test_the_dashboard_counts_no_report_due_before_the_action_was_added() -> None:
    national = len(PLAN.actions_of(level="national"))
    pa1 = len(PLAN.actions_of(area="PA1", level="national"))
    before = summarise(_identity(), "2026-S1", [])
    assert "PA1.1" not in before.missing_actions
    assert "PA1.2" in before.missing_actions and len(before.missing) == national - 1
    assert before.missing[before.missing_actions.index("PA1.2")].endswith(": no report")
    assert next(a for a in before.areas if a[0] == "PA1")[-1] == pa1 - 1
    after = summarise(_identity(), "2026-S2", [])
    assert after.missing[after.missing_actions.index("PA1.1")].endswith(": no report")
    assert len(after.missing) == national
    assert next(a for a in after.areas if a[0] == "PA1")[-1] == pa1
    # reported on anyway (the amendment was agreed before HQ installed it): counted
    early = summarise(_identity(), "2026-S1", [report("PA1.1", "on-track", 10)])
    assert next(a for a in early.areas if a[0] == "PA1")[3:] == (1, 1, pa1)


def test_the_action_list_says_no_report_is_due_before_the_action_was_added(qtbot) -> None:
    tree = PlanTree(_identity())
    qtbot.addWidget(tree)
    tree.set_reports([], [], "2026-S1")
    row = _rows(tree)["PA1.1"]
    assert row.text(1) == "—" and row.toolTip(1) == WHY
    assert _rows(tree)["PA1.2"].toolTip(1) == "No report yet"
    assert row.foreground(0).color() != _rows(tree)["PA1.2"].foreground(0).color()  # greyed
    tree.status.setCurrentIndex(tree.status.findData(NO_REPORT))
    assert "PA1.1" not in _rows(tree) and "PA1.2" in _rows(tree)
    tree.set_reports([], [], "2026-S2")
    assert "PA1.1" in _rows(tree) and _rows(tree)["PA1.1"].toolTip(1) == "No report yet"


def test_the_overview_counts_an_added_action_from_its_semester(open_window, qtbot, clock,
                                                                tmp_path) -> None:
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office
    from tests.scenes import amend_plan

    with init_hq(tmp_path / "hq.sqlite3") as rep:
        enroll_office(rep, "ML", tmp_path / "ml-setup.fieldplan")
        amend_plan(rep, tmp_path, signed=True)  # (over the template: a correction)
        clock("2026-08-01")
        plan = amend_plan(rep, tmp_path, add=("PA1.9",))
    pa1 = len(plan.actions_of(area="PA1", level="national"))
    window = open_window(tmp_path / "hq.sqlite3")
    page = window.hq_desk.overview
    counts = {}
    for period in ("2026-S1", "2026-S2"):
        window.set_period(period)
        window.show_page(page)
        page.refresh()
        wait_idle(qtbot, window.session)
        row = [page.model.office_at(r) for r in range(page.model.rowCount())].index("ML")
        column = 1 + [a.code for a in plan.areas].index("PA1")
        counts[period] = page.model.expected(row, column)
    assert counts == {"2026-S1": pa1 - 1, "2026-S2": pa1}


def test_the_report_editor_says_why_no_report_is_due(open_window, qtbot, clock,
                                                     tmp_path) -> None:
    """An office set up after HQ's amendment added PA1.9 in 2026-S2: opened for
    2026-S1, its report says why none is due; for 2026-S2, nothing."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup
    from tests.scenes import amend_plan
    from tests.ui.test_office_work import choose

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        amend_plan(hq, tmp_path, signed=True)
        clock("2026-08-01")
        amend_plan(hq, tmp_path, add=("PA1.9",))
        enroll_office(hq, "SN", tmp_path / "sn.setup")
    init_from_setup(tmp_path / "sn.sqlite3", tmp_path / "sn.setup").close()
    window = open_window(tmp_path / "sn.sqlite3")
    editor = choose(window, qtbot, "PA1.9", "2026-S1")
    assert editor.meta.text().endswith(
        "\nNo report due: plan version 3 added this action in 2nd semester 2026.")
    editor = choose(window, qtbot, "PA1.9", "2026-S2")
    assert "No report due" not in editor.meta.text()


def test_the_window_follows_what_a_late_plan_version_added(open_window, qtbot, hq_db):
    """An older plan version arriving after a newer one changes what amendments added
    but not the plan (equal without it): the window's views followed only a new plan."""
    from ui.context import read_identity

    window = open_window(hq_db)
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:
        identity = read_identity(rep)
    later = dataclasses.replace(identity, plan=dataclasses.replace(
        identity.plan, added={"PA1.1": (Period(2026, 2), 2)}))
    assert later.plan == window.identity.plan and not window.identity.plan.added
    window._plan_read(later, False)
    assert window.identity.plan.added == {"PA1.1": (Period(2026, 2), 2)}


def test_the_dashboard_asks_no_value_of_an_indicator_added_after_the_period() -> None:
    from fieldplan.model import ProgressReport
    from tests.scenes import amended

    plan = dataclasses.replace(
        amended(default_plan(), add_indicators=(("PA1.2", "new-count"),)),
        added_values={("PA1.2", "new-count"): (Period(2026, 2), 2)})
    keys = [ind.key for ind in plan.action("PA1.2").indicators]
    assert keys[-1] == "new-count"

    def summary(period: str):
        full = ProgressReport("SN", "PA1.2", period, "on-track", 40,
                              tuple(sorted((k, 1.0) for k in keys[:-1])), "a", "c", "n",
                              "draft", "2026-03-01T10:00:00Z", "x")
        return summarise(Identity("office", "SN", "r", plan, ""), period, [full])

    assert not [m for m in summary("2026-S1").missing if m.startswith("PA1.2")]
    # the indicator in words of its own, not a title among the narratives' names
    assert any(m.startswith("PA1.2 · ") and m.endswith(" — to fill in: value of “New new-count”")
               for m in summary("2026-S2").missing)
