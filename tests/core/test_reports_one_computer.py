"""A report whose every version in conflict one computer wrote (its history holds
versions that do not replace each other, after a restore from a backup, say) was
said on the status sheet and in the review pack to have values two computers of the
office wrote; the others still are."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress
from fieldplan.reports import build_review_pack, build_status_sheet
from tests.core.test_reports import pdf_text
from tests.scenes import send, wide_conflict

PERIOD = "2026-S1"


def hq_with_both_kinds(hq, make_office, tmp_path: Path) -> tuple[str, str, str]:
    """Headquarters holding ML's report on its first national action in conflict in
    laptop A's history alone, and on its second one written differently by laptops A
    and B: (the first action, the second, A's replica id)."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    first, second = (x.code for x in a.plan().actions_of(level="national")[:2])
    progress.record_progress(a, first, PERIOD, status="on-track")
    wide_conflict(a, 3)  # (the first action's percent, on A alone)
    progress.record_progress(a, second, PERIOD, status="on-track")
    progress.record_progress(b, second, PERIOD, status="at-risk")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    return first, second, a.replica_id


def flat(path: Path) -> str:
    return " ".join(pdf_text(path).split())


def test_the_sheet_says_which_conflicts_one_computer_wrote(hq, make_office,
                                                           tmp_path: Path) -> None:
    from fieldplan.reports.sheet import gather

    first, second, _replica = hq_with_both_kinds(hq, make_office, tmp_path)
    data = gather(hq, PERIOD, "ML")
    assert data.conflicted == {first, second}
    assert {a: (k.apart, k.own) for a, k in data.conflicted_apart.items()} == {
        first: ((), ("percent",)), second: (("status",), ())}
    sheet = flat(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert ("1 report has values in conflict (two computers of the office wrote "
            "different values): this sheet shows the one that wins for now") in sheet
    assert ("1 report has values in conflict (one computer's history holds versions of "
            "them that do not replace each other): this sheet shows the one that wins "
            "for now") in sheet
    assert "2 reports have values in conflict" not in sheet


def test_a_sheet_whose_conflicts_are_all_one_computers_names_no_two_computers(
        hq, make_office, tmp_path: Path) -> None:
    laptop = make_office("ML")
    progress.record_progress(laptop, laptop.plan().actions_of(level="national")[0].code,
                             PERIOD, status="on-track")
    wide_conflict(laptop, 3)
    send(laptop, hq, tmp_path)
    sheet = flat(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert "one computer's history holds versions of them" in sheet
    assert "two computers" not in sheet


def test_the_pack_names_the_computer_whose_history_holds_the_versions(
        hq, make_office, tmp_path: Path) -> None:
    _first, _second, replica = hq_with_both_kinds(hq, make_office, tmp_path)
    pack = flat(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    said = (f"Every version comes from one computer, {replica[:8]}: its history holds "
            "versions that do not replace each other, no other computer wrote this field.")
    assert pack.count(said) == 1  # (the conflict of the first action's percent only)
    # its annex's sheet of ML says so too
    assert "(one computer's history holds versions of them" in pack
