"""A period headquarters locked: a conflict in its reports is settled by no one while
it is locked, as a save is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress, store
from fieldplan.cli import main
from fieldplan.errors import ValidationError
from fieldplan.replica import open_replica
from fieldplan.sync import (
    list_conflicts,
    resolve_conflict,
)
from tests.scenes import laptops_in_conflict

PERIOD = "2026-S1"


def two_laptops(hq, make_office, tmp_path: Path):
    """ML's two laptops wrote one report's status without seeing each other's write;
    HQ and laptop A hold the conflict."""
    a = laptops_in_conflict(hq, make_office, tmp_path).a
    [conflict] = list_conflicts(a)
    return a, conflict


def events_of(rep) -> int:
    return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_an_office_cannot_settle_a_conflict_of_a_period_it_received_a_lock_for(
        hq, make_office, tmp_path: Path) -> None:
    a, conflict = two_laptops(hq, make_office, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    send(hq, a, tmp_path)
    before = (events_of(a), progress.digest(a))
    keep = next(c for c in conflict.candidates if not c.winner)
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(a, conflict.id, keep.value_id)
    # the same refusal as a save's, saying who can unlock
    assert str(refused.value) == ("1st semester 2026 is locked by headquarters; only "
                                  "headquarters can unlock it")
    with pytest.raises(ValidationError, match=str(refused.value)):
        progress.record_progress(a, national(a), PERIOD, percent=40)
    assert (events_of(a), progress.digest(a)) == before
    assert [c.id for c in list_conflicts(a)] == [conflict.id]
    # unlocked: settled as before
    progress.set_period_lock(hq, PERIOD, False)
    send(hq, a, tmp_path)
    resolve_conflict(a, conflict.id, keep.value_id)
    assert list_conflicts(a) == []


def test_conflicts_resolve_in_a_locked_period_is_one_line_and_exit_1(
        hq, make_office, tmp_path: Path, capsys) -> None:
    a, conflict = two_laptops(hq, make_office, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    send(hq, a, tmp_path)
    path, before = a.path, events_of(a)
    keep = conflict.candidates[0].value_id
    a.close()
    capsys.readouterr()
    assert main(["--db", str(path), "conflicts", "resolve", conflict.id, "--keep", keep]) == 1
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "fieldplan: error: 1st semester 2026 is locked by headquarters; only headquarters "
        "can unlock it"]
    assert out == ""
    with open_replica(path) as rep:
        assert events_of(rep) == before and len(list_conflicts(rep)) == 1


def beside(rep, entity: str, entity_id: str, fields: dict) -> None:
    """Write ``fields`` as another replica of ``rep``'s office that had not seen what
    ``rep`` wrote (a second head of each field: a conflict), as a computer restored
    from a backup does."""
    with store.write_transaction(rep.conn):
        own = events.get_meta(rep.conn, "replica_id")
        events.set_meta(rep.conn, "replica_id", "f" * 32)
        events.append(rep.conn, entity, entity_id, fields, author="other", base={})
        events.set_meta(rep.conn, "replica_id", own)


def test_headquarters_settles_its_own_conflict_only_once_it_unlocks(hq) -> None:
    """HQ's own reports (global actions) are refused in a locked period as an office's
    are; HQ is told to unlock, which it can."""
    glob = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, glob, PERIOD, status="on-track")
    beside(hq, "progress", progress.report_id("HQ", glob, PERIOD), {"status": "at-risk"})
    [conflict] = list_conflicts(hq)
    assert (conflict.office, conflict.period, conflict.field) == ("HQ", PERIOD, "status")
    progress.set_period_lock(hq, PERIOD)
    before = events_of(hq)
    message = "1st semester 2026 is locked; unlock it to change its reports"
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(hq, conflict.id, conflict.candidates[1].value_id)
    assert str(refused.value) == message
    with pytest.raises(ValidationError, match=message):
        progress.record_progress(hq, glob, PERIOD, percent=5)
    assert events_of(hq) == before
    progress.set_period_lock(hq, PERIOD, False)
    resolve_conflict(hq, conflict.id, conflict.candidates[1].value_id)
    assert list_conflicts(hq) == []


def test_only_reports_are_refused_in_a_locked_period(hq) -> None:
    """A conflict of another record (here the lock itself: two HQ computers) is
    settled whatever the lock says."""
    progress.set_period_lock(hq, PERIOD)
    beside(hq, "lock", PERIOD, {"locked": False})
    [conflict] = list_conflicts(hq)
    assert conflict.entity == "lock"
    keep = next(c for c in conflict.candidates if c.value is True)
    resolve_conflict(hq, conflict.id, keep.value_id)
    assert list_conflicts(hq) == [] and progress.is_locked(hq, PERIOD)


def test_a_conflict_of_a_locked_period_says_it_and_who_can_unlock(
        hq, make_office, tmp_path: Path) -> None:
    """Listed as it is refused: the office cannot settle it while the period is locked,
    and is told to ask headquarters; headquarters is told to unlock."""
    from fieldplan.sync.conflicts import locked_note, settled_here

    a, conflict = two_laptops(hq, make_office, tmp_path)
    assert not conflict.locked and conflict.resolvable_by("ML")
    assert locked_note(conflict, "ML") == ""
    progress.set_period_lock(hq, PERIOD)
    send(hq, a, tmp_path)
    [at_office] = list_conflicts(a)
    [at_hq] = list_conflicts(hq)
    assert at_office.locked and at_hq.locked
    assert settled_here(a) == "ML" and settled_here(hq) == "HQ"
    assert not at_office.resolvable_by("ML") and not at_hq.resolvable_by("HQ")
    assert at_office.to_dict()["locked"] is True
    assert locked_note(at_office, "ML") == (
        "1st semester 2026 is locked by headquarters: ask headquarters to unlock it to "
        "settle this conflict.")
    assert locked_note(at_hq, "HQ") == (
        "1st semester 2026 is locked: unlock it so that ML's computers can settle this "
        "conflict.")
    # unlocked: settled as before
    progress.set_period_lock(hq, PERIOD, False)
    send(hq, a, tmp_path)
    [again] = list_conflicts(a)
    assert not again.locked and again.resolvable_by("ML")


def test_headquarters_own_conflict_in_a_locked_period_says_to_unlock(hq) -> None:
    from fieldplan.sync.conflicts import locked_note

    glob = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, glob, PERIOD, status="on-track")
    beside(hq, "progress", progress.report_id("HQ", glob, PERIOD), {"status": "at-risk"})
    progress.set_period_lock(hq, PERIOD)
    [conflict] = list_conflicts(hq)
    assert conflict.locked and not conflict.resolvable_by("HQ")
    assert locked_note(conflict, "HQ") == (
        "1st semester 2026 is locked: unlock it to settle this conflict.")


def test_a_conflict_of_another_record_is_never_locked(hq) -> None:
    progress.set_period_lock(hq, PERIOD)
    beside(hq, "lock", PERIOD, {"locked": False})
    [conflict] = list_conflicts(hq)
    assert not conflict.locked and conflict.resolvable_by("HQ")


def test_each_value_names_its_computer_and_this_one(hq, make_office, tmp_path: Path) -> None:
    """Two laptops with one account name, writing in the same minute: told apart by
    the computer, this one marked."""
    a, conflict = two_laptops(hq, make_office, tmp_path)
    mine = [c for c in conflict.candidates if c.here]
    assert len(mine) == 1 and mine[0].computer == a.replica_id[:8]
    assert all(c.computer == c.full_id[:8] for c in conflict.candidates)
    [at_hq] = list_conflicts(hq)
    assert not any(c.here for c in at_hq.candidates)
    listed = at_hq.to_dict()["candidates"]
    assert {c["computer"] for c in listed} == {c.computer for c in conflict.candidates}
    assert [c["this_computer"] for c in listed] == [False, False]


def office_cli(capsys, path, *words):
    capsys.readouterr()
    code = main(["--db", str(path), *words])
    return code, capsys.readouterr().out


def test_conflicts_list_says_the_period_is_locked_and_who_can_unlock(
        hq, make_office, tmp_path: Path, capsys) -> None:
    import json

    a, _conflict = two_laptops(hq, make_office, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    send(hq, a, tmp_path)
    a_path, hq_path = a.path, hq.path
    a.close()
    hq.close()
    code, out = office_cli(capsys, a_path, "conflicts", "list")
    assert code == 0
    assert ("   1st semester 2026 is locked by headquarters: ask headquarters to unlock it "
            "to settle this conflict.") in out.splitlines()
    [listed] = json.loads(office_cli(capsys, a_path, "--json", "conflicts", "list")[1])
    assert listed["locked"] is True and listed["resolvable_here"] is False
    code, out = office_cli(capsys, hq_path, "conflicts", "list")
    assert ("   1st semester 2026 is locked: unlock it so that ML's computers can settle "
            "this conflict.") in out.splitlines()
    [listed] = json.loads(office_cli(capsys, hq_path, "--json", "conflicts", "list")[1])
    assert listed["locked"] is True and listed["resolvable_here"] is False
    # unlocked: the office may settle it, and nothing is said of a lock
    with open_replica(hq_path) as rep:
        progress.set_period_lock(rep, PERIOD, False)
        with open_replica(a_path) as office:
            send(rep, office, tmp_path)
    code, out = office_cli(capsys, a_path, "conflicts", "list")
    assert "locked" not in out
    [listed] = json.loads(office_cli(capsys, a_path, "--json", "conflicts", "list")[1])
    assert listed["locked"] is False and listed["resolvable_here"] is True


def test_the_locked_note_speaks_of_every_conflict_it_covers() -> None:
    """The dashboard says it once for all of a period's conflicts: "these conflicts"
    when there are several, in each language's plural (Arabic has a dual)."""
    from fieldplan.i18n import set_language
    from fieldplan.sync.conflicts import locked_period_note

    try:
        assert locked_period_note(PERIOD, "ML", "ML", 1).endswith("settle this conflict.")
        assert locked_period_note(PERIOD, "ML", "ML", 3).endswith("settle these conflicts.")
        assert locked_period_note(PERIOD, "ML", "HQ", 2).endswith(
            "ML's computers can settle these conflicts.")
        assert locked_period_note(PERIOD, "HQ", "HQ", 2).endswith(
            "unlock it to settle these conflicts.")
        assert locked_period_note(PERIOD, "ML", "SN", 2) == ""
        set_language("fr")
        assert locked_period_note(PERIOD, "ML", "ML", 2).endswith("régler ces conflits.")
        set_language("ar")
        assert locked_period_note(PERIOD, "ML", "ML", 1).endswith("هذا التعارض.")
        assert locked_period_note(PERIOD, "ML", "ML", 2).endswith("هذين التعارضين.")
        assert locked_period_note(PERIOD, "ML", "ML", 5).endswith("هذه التعارضات.")
    finally:
        set_language("en")


def test_a_locked_period_the_plan_no_longer_covers_can_be_unlocked(
        hq, make_office, tmp_path: Path) -> None:
    """HQ locked 2026-S2, then an amendment ended the plan on 30 June 2026: its
    unlock was refused ("outside the plan"), ML's conflict of the period refused as
    locked, for good. It can be unlocked (not locked again), and ML then settles it,
    keeping the hidden report's values as they are."""
    from fieldplan.sync.conflicts import keep_refusal
    from tests.scenes import locked_then_left_outside

    a, b = locked_then_left_outside(hq, make_office, tmp_path)
    send(hq, a, tmp_path)
    [conflict] = [c for c in list_conflicts(a) if c.period == "2026-S2"]
    assert conflict.locked and not conflict.resolvable_by("ML")
    with pytest.raises(ValidationError, match="outside the plan"):
        progress.set_period_lock(hq, "2027-S1", locked=False)  # (never locked: as before)
    assert progress.set_period_lock(hq, "2026-S2", locked=False).events == 1
    assert not progress.is_locked(hq, "2026-S2")
    with pytest.raises(ValidationError, match="outside the plan"):
        progress.set_period_lock(hq, "2026-S2")  # locked again: no
    send(hq, a, tmp_path)
    [conflict] = [c for c in list_conflicts(a) if c.period == "2026-S2"]
    assert conflict.resolvable_by("ML")
    keep = next(c for c in conflict.candidates if not keep_refusal(conflict, c))
    resolve_conflict(a, conflict.id, keep.value_id)
    send(a, hq, tmp_path)
    send(hq, b, tmp_path)
    assert list_conflicts(hq) == [] and list_conflicts(b) == []
