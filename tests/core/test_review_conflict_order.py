"""The review pack's "Open conflicts" and "Changed or received after the period was
locked" tables list an office's reports by action number (PA1.2 before PA1.10), and a
report's fields in conflict in the order its status sheet prints them (status,
progress, indicators, narratives), not by the names the events store them under
(achievements, percent, status) nor by codes compared as text."""

from __future__ import annotations

from types import SimpleNamespace

from fieldplan.reports import common as cm
from fieldplan.reports import review
from tests.scenes import laptops_in_conflict

PERIOD = "2026-S1"


def test_a_reports_fields_in_conflict_follow_its_sheet(hq, make_office, tmp_path) -> None:
    laptops_in_conflict(
        hq, make_office, tmp_path,
        a={"status": "on-track", "percent": 30, "achievements": "A wrote this"},
        b={"status": "at-risk", "percent": 40, "achievements": "B wrote that"})
    pack = review.Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"))
    assert [c.field for c in pack.sync.conflicts] == ["status", "percent", "achievements"]


def test_offices_then_actions_by_number_then_fields_as_a_report_has_them(hq) -> None:
    plan = hq.plan()
    action = plan.actions_of(level="national")[0]
    key = action.indicators[0].key

    def conflict(office: str, code: str, field: str):
        return SimpleNamespace(office=office, action=code, field=field, entity="progress")

    items = [conflict("ML", "PA1.10", "status"), conflict("ML", "PA1.2", "next_steps"),
             conflict("ML", "PA1.2", "challenges"), conflict("BD", "PA1.2", "achievements"),
             conflict("ML", action.code, "achievements"),
             conflict("ML", action.code, f"value.{key}"), conflict("ML", action.code, "percent")]
    ordered = review.in_report_order(items, plan, "en")
    assert [(c.office, c.action, c.field) for c in ordered] == [
        ("BD", "PA1.2", "achievements"),
        ("ML", action.code, "percent"), ("ML", action.code, f"value.{key}"),
        ("ML", action.code, "achievements"),
        ("ML", "PA1.2", "challenges"), ("ML", "PA1.2", "next_steps"),
        ("ML", "PA1.10", "status"),
    ]


def test_headquarters_conflicts_come_after_the_offices_as_in_the_matrix(hq) -> None:
    """Headquarters' own (its reports on the global actions, the plan) came first in
    the pack's conflict tables, in ``conflicts list`` and on the Conflicts page, while
    the pack's matrix, the Overview, the Reports page and the Quarantine page list it
    last, apart: a reviewer went from one to the other and found it at the other end.
    It comes last here too, after a code this version does not know."""
    plan = hq.plan()

    def conflict(office: str, code: str):
        return SimpleNamespace(office=office, action=code, field="status", entity="progress")

    items = [conflict("HQ", "PA4.1"), conflict("ML", "PA1.2"), conflict("ZZ", "PA1.2"),
             conflict("RO-Cairo", "PA3.1"), conflict("BD", "PA1.2")]
    for lang, offices in {"en": ["RO-Cairo", "BD", "ML", "ZZ", "HQ"],
                          "ar": ["RO-Cairo", "BD", "ML", "ZZ", "HQ"]}.items():
        assert [c.office for c in review.in_report_order(items, plan, lang)] == offices
