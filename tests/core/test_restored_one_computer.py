"""A laptop restored from a backup continues as a new replica of the same computer
(``README``: a restored database). A field it wrote before the restore (sent, then lost
with the database) and wrote again after it, not knowing the first, is in conflict
between its two replicas: one computer's history, not two computers' writes. Every
screen said two computers had written it, the version from before the restore
another computer's ("written on computer 393455d9"), and the laptop's staff looked
for a second laptop that never wrote it."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import list_conflicts
from fieldplan.sync.conflicts import (
    computer_text,
    conflicts_apart,
    one_computer_fields,
    open_conflict,
    shown_versions_of_report,
    written_here_only,
)
from tests.scenes import round_trips, send

RID = "ML|PA1.2|2026-S1"


def restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path: Path):
    """ML's laptop, in step with HQ, backed up; then it reported PA1.2 at risk, 40 %,
    and sent it; then its database was put back from the backup, and it reported
    PA1.2 on track, 50 %, before headquarters' bundle brought the first report back.
    Returns ML (open) and the replica id it had before the restore."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    round_trips(ml, hq, tmp_path, 1)
    store.backup(ml.conn, ml.path, "manual")
    progress.record_progress(ml, "PA1.2", "2026-S1", status="at-risk", percent=40)
    send(ml, hq, tmp_path)
    before, path = ml.replica_id, ml.path
    ml.close()
    store.restore_backup(path, force=True)
    ml = open_replica(path)
    assert ml.replica_id != before
    progress.record_progress(ml, "PA1.2", "2026-S1", status="on-track", percent=50)
    round_trips(hq, ml, tmp_path, 2)
    return ml, before


def test_the_restored_laptop_calls_its_conflict_its_own_history(
        hq, make_office, tmp_path) -> None:
    ml, before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    try:
        found = {c.field: c for c in list_conflicts(ml) if c.entity_id == RID}
        assert set(found) == {"percent", "status"}
        for conflict in found.values():
            assert conflict.one_replica == ml.replica_id
            assert {c.full_id.split(":")[0] for c in conflict.candidates} >= {before}
            # the version from before the restore is this computer's too
            assert all(c.here for c in conflict.candidates)
            # under the replica id it had then, said so
            said = {c.computer: computer_text(c) for c in conflict.candidates}
            assert said[before[:8]] == f"this computer before its restore ({before[:8]})"
            assert said[ml.replica_id[:8]] == f"this computer ({ml.replica_id[:8]})"
            assert open_conflict(ml, conflict.id).one_replica == ml.replica_id
        assert conflicts_apart(ml, [RID])[RID].apart == ()
        assert one_computer_fields(ml, "PA1.2", "2026-S1") == {
            "percent": ml.replica_id, "status": ml.replica_id}
        assert written_here_only(ml, "PA1.2", "2026-S1") == {"percent", "status"}
        assert all(c.here for c in shown_versions_of_report(ml, "PA1.2", "2026-S1").values())
    finally:
        ml.close()


def test_headquarters_names_the_restored_laptop_by_its_latest_replica(
        hq, make_office, tmp_path) -> None:
    ml, before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    now = ml.replica_id
    ml.close()
    found = [c for c in list_conflicts(hq) if c.entity_id == RID]
    assert found and all(c.one_replica == now for c in found)
    assert not any(c.here for conflict in found for c in conflict.candidates)
    said = {computer_text(c) for c in found[0].candidates}
    assert said == {f"computer {now[:8]}", f"computer {now[:8]} before its restore "
                                           f"({before[:8]})"}
    assert conflicts_apart(hq, [RID])[RID].apart == ()


def test_two_laptops_are_still_two_computers(hq, make_office, tmp_path) -> None:
    a, b = make_office("ML"), make_office("ML")
    progress.record_progress(a, "PA1.2", "2026-S1", status="at-risk")
    progress.record_progress(b, "PA1.2", "2026-S1", status="on-track")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    send(hq, a, tmp_path)
    (conflict,) = [c for c in list_conflicts(a) if c.entity_id == RID]
    assert conflict.one_replica == ""
    assert [c.here for c in conflict.candidates].count(True) == 1
    assert conflicts_apart(a, [RID])[RID].own == ()


def test_the_review_pack_names_the_restored_laptop_once(hq, make_office, tmp_path) -> None:
    from fieldplan.reports import build_review_pack
    from tests.core.test_reports_one_computer import flat

    ml, before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    now = ml.replica_id[:8]
    ml.close()
    text = flat(build_review_pack(hq, "2026-S1", tmp_path / "pack.pdf"))
    author = next(c.author for c in list_conflicts(hq)[0].candidates)
    assert f"Computer {now} before its restore ({before[:8]}), {author}" in text
    assert f"Computer {before[:8]}," not in text
    assert f"Every version comes from one computer, {now}" in text
