"""A report with one field written differently by two laptops of an office and another
field in one laptop's history alone (before and after its restore from a backup) was
counted as two computers' everywhere but the report form: the status sheet, the review
pack's annex, the import's line, said "two computers" of it and nothing of the field
of one computer's history. Each place now counts it under each kind it holds, through
``conflicts.conflicts_apart``; a field three replicas wrote (A before its restore, A
after it, B) is two computers'."""

from __future__ import annotations

from pathlib import Path

from fieldplan.reports import build_review_pack, build_status_sheet
from fieldplan.reports.sheet import gather
from fieldplan.sync.conflicts import (
    ReportConflicts,
    actions_apart,
    conflicts_apart,
    split_apart,
)
from fieldplan.sync.exchange import conflicts_text
from tests.core.test_reports_one_computer import flat
from tests.scenes import MIXED, REVERSED, THREE_WRITERS, mixed_conflicts

PERIOD = "2026-S1"


def test_each_report_is_told_apart_field_by_field(hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    try:
        mixed, reversed_, three = (scene.named[n] for n in (MIXED, REVERSED, THREE_WRITERS))
        expected = {mixed: ReportConflicts(("status",), ("percent",)),
                    reversed_: ReportConflicts(("percent",), ("status",)),
                    three: ReportConflicts(("percent",), ())}
        for rep in (hq, scene.a, scene.b):
            found = {rid.split("|")[1]: kinds for rid, kinds in conflicts_apart(rep).items()}
            assert found == expected
            assert actions_apart(rep, "ML", PERIOD, expected) == expected
            # a report of both kinds is counted under each
            assert split_apart(found, sorted(found)) == (
                sorted([mixed, reversed_, three]), sorted([mixed, reversed_]))
    finally:
        scene.a.close()


def test_a_report_no_longer_in_conflict_counts_as_two_computers() -> None:
    assert split_apart({}, ["PA1.1"]) == (["PA1.1"], [])


def test_the_sheet_counts_a_report_of_both_kinds_in_each_note(
        hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    a_path = scene.a.path
    scene.a.close()
    data = gather(hq, PERIOD, "ML")
    assert len(data.conflicted) == 3
    two = ("3 reports have values in conflict (two computers of the office wrote "
           "different values)")
    one = ("2 reports have values in conflict (one computer's history holds versions of "
           "them that do not replace each other)")
    sheet = flat(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "hq.pdf"))
    assert two in sheet and one in sheet
    from fieldplan.replica import open_replica

    with open_replica(a_path) as a:
        sheet = flat(build_status_sheet(a, PERIOD, "ML", out=tmp_path / "a.pdf"))
    assert two in sheet and one in sheet


def test_the_pack_says_one_computers_history_of_those_fields_alone(
        hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    now = scene.a.replica_id[:8]
    scene.a.close()
    pack = flat(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    said = f"Every version comes from one computer, {now}:"
    # (the mixed report's percent, the reversed one's status; not the field three
    # replicas of two computers wrote)
    assert pack.count(said) == 2
    assert pack.count(f"Computer {now} before its restore ({scene.before[:8]})") == 3
    # the annex's sheet of ML counts each kind
    assert "3 reports have values in conflict (two computers" in pack
    assert "2 reports have values in conflict (one computer's history" in pack


def test_the_import_counts_a_report_of_both_kinds_in_each(
        hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    scene.a.close()
    said = ("3 reports it changed are in conflict (two computers of the office wrote 3 "
            "of them differently, and one computer's history holds versions of 2 of them "
            "that do not replace each other)")
    assert scene.b_at_hq.conflicts_text().startswith(said)
    assert said in scene.b_at_hq.reason
    assert scene.hq_at_a.conflicts_text().startswith(said)


def test_the_import_of_one_report_of_both_kinds_says_both(
        hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path, which=(MIXED,))
    scene.a.close()
    assert scene.b_at_hq.conflicts_text() == (
        "1 report it changed is in conflict (two computers of the office wrote some of "
        "its values differently, and one computer's history holds versions of others "
        "that do not replace each other) until a person of the office keeps one of the "
        "values")


def test_the_import_line_of_each_kind_alone_is_as_before() -> None:
    assert "two computers of the office wrote them" in conflicts_text(2)
    assert "(one computer's history holds versions of them" in conflicts_text(2, 2)
    assert "wrote 1 of them differently, and one computer's history holds versions of " \
           "1 of them" in conflicts_text(2, 1)


def test_a_field_of_three_writers_is_two_computers(hq, make_office, tmp_path: Path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path, which=(THREE_WRITERS,))
    scene.a.close()
    assert scene.b_at_hq.conflicts_text().startswith(
        "1 report it changed is in conflict (two computers of the office wrote it "
        "differently)")
    sheet = flat(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert "1 report has values in conflict (two computers" in sheet
    assert "one computer's history" not in sheet
