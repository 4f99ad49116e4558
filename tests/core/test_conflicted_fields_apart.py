"""Headquarters' table of reports reads the fields in an open conflict and, of those
reports, the ones one computer's history holds alone, from one reading of the
versions: it read them twice at each load (``conflicted_fields``, then
``one_computer_reports``), the second reading of thousands of conflicted reports as
long as the first. The answer is the same as ``conflicts_apart`` of the reports
named (``conflicts_apart(rep, ids)``)."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.sync.conflicts import conflicted_fields, conflicts_apart
from tests.core.test_restored_one_computer import RID, restored_laptop_in_conflict_with_itself
from tests.scenes import send

SN = "SN|PA1.2|2026-S1"


def _two_laptops_of_sn(hq, make_office, tmp_path) -> None:
    a, b = make_office("SN"), make_office("SN")
    progress.record_progress(a, "PA1.2", "2026-S1", status="at-risk", percent=10)
    progress.record_progress(b, "PA1.2", "2026-S1", status="on-track", percent=20)
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)


def _heads_read(rep, call):
    said: list[str] = []
    rep.conn.set_trace_callback(said.append)
    try:
        found = call()
    finally:
        rep.conn.set_trace_callback(None)
    return found, [s for s in said if "versions_heads" in s and "'progress'" in s]


def test_two_computers_conflicts_are_read_once(hq, make_office, tmp_path) -> None:
    _two_laptops_of_sn(hq, make_office, tmp_path)
    found, reads = _heads_read(hq, lambda: conflicts_apart(hq))
    assert {rid: k.fields for rid, k in found.items()} == conflicted_fields(hq)
    assert found[SN].apart == ("percent", "status") and found[SN].own == ()
    assert len(reads) == 1
    assert conflicts_apart(hq, found) == found


def test_a_restored_laptops_own_history_is_told_apart_as_before(
        hq, make_office, tmp_path) -> None:
    ml, _before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    ml.close()
    _two_laptops_of_sn(hq, make_office, tmp_path)
    found = conflicts_apart(hq)
    assert {rid: k.fields for rid, k in found.items()} == conflicted_fields(hq)
    assert {RID, SN} <= set(found)
    assert {rid for rid, k in found.items() if not k.apart} == {RID}
    assert conflicts_apart(hq, found) == found
