"""Headquarters put back from a backup older than some of its own changes, which
offices hold (a report of its own, a period lock, the plan), makes them again as
'status' tells it to: its new write replaces the lost version at the offices too.

Beside it, the lost version was an open conflict at every office that "only the
computers of HQ can resolve", while HQ, which never gets the lost version back, saw
none: a conflict nobody could ever settle. As for HQ's lost keys
(test_hq_restore_keys.py), HQ's write names the lost versions in its base
(``sync.state.over_lost``)."""

from __future__ import annotations

import json
from pathlib import Path

from test_sync import registered, send

from fieldplan import events, progress, store
from fieldplan.replica import open_replica
from fieldplan.status import replica_status
from fieldplan.sync import list_conflicts, sync_state
from fieldplan.sync.state import lost_versions, over_lost

#: longer than a lost change's summary keeps (store.lost_summary): known by its id only
LONG = "Atelier régional tenu à Dakar avec les points focaux de six États membres, " * 2


def restored(hq, backup: Path):
    path = hq.path
    hq.close()
    store.restore_backup(path, backup, force=True)
    return open_replica(path)


def global_action(rep) -> str:
    return rep.plan().actions_of(level="global")[0].code


def test_a_lost_report_of_headquarters_made_again_leaves_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    progress.record_progress(hq, code, "2026-S1", status="on-track", achievements="first")
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, code, "2026-S1", status="at-risk", achievements=LONG)
    send(hq, ml, tmp_path)  # ML holds HQ's report as written after the backup
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        assert sync_state(hq2).restored["lost"] == 1
        # made again, in other words
        progress.record_progress(hq2, code, "2026-S1", status="off-track",
                                 achievements="made again")
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
        assert sync_state(ml).conflicts == 0
        assert progress.digest(ml, office="HQ") == progress.digest(hq2, office="HQ")
        report = progress.get_report(ml, code, "2026-S1", office="HQ")
        assert (report.status, report.achievements) == ("off-track", "made again")
    finally:
        hq2.close()
        ml.close()


def test_a_lost_lock_made_again_then_unlocked_leaves_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2026-S1")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        assert [c["entity"] for c in sync_state(hq2).restored["lost_changes"]] == ["lock"]
        progress.set_period_lock(hq2, "2026-S1")  # made again
        send(hq2, ml, tmp_path)
        progress.set_period_lock(hq2, "2026-S1", locked=False)  # later unlocked
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
        assert not progress.is_locked(ml, "2026-S1")
        progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                                 "2026-S1", achievements="after the unlock")
    finally:
        hq2.close()
        ml.close()


def test_a_lost_plan_installed_again_otherwise_leaves_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    ml = registered(make_office("ML"), hq, tmp_path)
    original = tmp_path / "plan.toml"
    dump_plan(hq.plan(), original)
    text = original.read_text(encoding="utf-8").replace("version = 1", "version = 2", 1)
    lost, again = tmp_path / "lost.toml", tmp_path / "again.toml"
    lost.write_text(text, encoding="utf-8")
    again.write_text(text.replace('signed_place = "Istanbul"', 'signed_place = "Jeddah"', 1),
                     encoding="utf-8")
    backup = store.backup(hq.conn, hq.path, "manual")
    replace_plan(hq, lost)
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        assert sync_state(hq2).restored["lost"] == 1
        replace_plan(hq2, again)  # the same version, written otherwise
        assert sync_state(hq2).restored["lost"] == 0  # (made again)
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
        assert ml.plan().signed_place == hq2.plan().signed_place == "Jeddah"
    finally:
        hq2.close()
        ml.close()


def test_only_headquarters_own_lost_versions_it_lacks_are_named(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    progress.record_progress(hq, code, "2026-S1", status="on-track")
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, code, "2026-S1", status="at-risk")
    progress.record_progress(hq, code, "2026-S1", status="off-track")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        rid = progress.report_id("HQ", code, "2026-S1")
        before = json.loads(hq2.meta("restored"))["lost_events"]
        old = json.loads(hq2.meta("renewed_from"))[-1]
        seqs = [item["seq"] for item in before if item["id"] == rid]
        assert lost_versions(hq2, "progress", rid) == [f"{old}:{s}" for s in reversed(seqs)]
        assert lost_versions(hq2, "lock", "2026-S1") == []
        # an office's replica, or an event held here, is never named
        held = hq2.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                                (old,)).fetchone()[0]
        info = json.loads(hq2.meta("restored"))
        info["lost_events"] += [{**before[-1], "replica": ml.replica_id},
                                {**before[-1], "seq": held}]
        with store.write_transaction(hq2.conn):
            events.set_meta(hq2.conn, "restored", events.canonical_json(info))
        assert lost_versions(hq2, "progress", rid) == [f"{old}:{s}" for s in reversed(seqs)]
        # what is shown comes first; the fields written only
        shown = list(events.shown_versions(hq2.conn, "progress", rid)["status"][1])
        assert over_lost(hq2, "progress", rid, ("status",)) == {
            "status": [*shown, *(f"{old}:{s}" for s in reversed(seqs))]}
        # nothing lost, nothing added
        assert over_lost(hq2, "lock", "2026-S1", ("locked",)) is None
        assert over_lost(hq2, "lock", "2026-S1", ("locked",), {"locked": ["a:1"]}) == {
            "locked": ["a:1"]}
        # an office's own writes come back from headquarters: none named there
        assert lost_versions(ml, "progress", rid) == []
    finally:
        hq2.close()
        ml.close()


def test_nothing_lost_is_asked_once_not_for_each_field(hq, make_office,
                                                      tmp_path: Path) -> None:
    """A headquarters never put back from a backup has lost nothing: a write (the key
    it registers with an office's first bundle, four fields) reads the restore's
    record's row once, not its lost events for each field."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    ran: list[str] = []
    hq.conn.set_trace_callback(ran.append)
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    hq.conn.set_trace_callback(None)
    assert hq.meta("restored") is None
    assert not [sql for sql in ran if "lost_events" in sql]
    assert over_lost(hq, "key", "0011223344556677", ("office", "status")) is None
    assert over_lost(hq, "key", "0011223344556677", ("status",), {"status": ["a:1"]}) == {
        "status": ["a:1"]}
    ml.close()


def test_a_lost_report_is_said_among_what_to_make_again(hq, make_office,
                                                        tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, global_action(hq), "2026-S1", status="at-risk")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        warnings = [v for label, v in replica_status(hq2).lines("en") if label == "Warning"]
        assert any("headquarters' own report)" in w for w in warnings), warnings
    finally:
        hq2.close()
        ml.close()


def test_a_lost_submission_made_again_then_reopened_leaves_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    progress.record_progress(hq, code, "2026-S1", status="on-track")
    send(hq, ml, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.submit_period(hq, "2026-S1")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        progress.submit_period(hq2, "2026-S1")  # made again
        send(hq2, ml, tmp_path)
        progress.reopen_report(hq2, code, "2026-S1")  # later reopened
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
        assert progress.get_report(ml, code, "2026-S1", office="HQ").state == "draft"
    finally:
        hq2.close()
        ml.close()


def test_a_field_written_before_many_saves_of_another_is_still_named(
        hq, make_office, tmp_path: Path) -> None:
    """HQ set its report's status, then saved its narrative 40 times (the client saves
    as one types), all after the backup: made again, the status still names its lost
    version (each lost change is named by the fields it wrote: the narrative's saves
    no longer fill the 32 places of the status's base)."""
    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, code, "2026-S1", status="on-track", achievements="v0")
    for i in range(40):
        progress.record_progress(hq, code, "2026-S1", achievements=f"v{i + 1}")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        progress.record_progress(hq2, code, "2026-S1", status="off-track",
                                 achievements="again")
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
    finally:
        hq2.close()
        ml.close()


def test_past_the_kept_limit_the_last_change_of_each_field_is_kept(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """More changes lost than a restore keeps a word of (LOST_KEPT): the last of each
    field of each record is kept all the same (the one offices show, which a change
    made again must name), not dropped with the newest."""
    monkeypatch.setattr(store, "LOST_KEPT", 5)  # (stands for 2,000)
    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    backup = store.backup(hq.conn, hq.path, "manual")
    for status in ["on-track", "at-risk", "off-track"] * 3:
        progress.record_progress(hq, code, "2026-S1", status=status)
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        progress.record_progress(hq2, code, "2026-S1", status="at-risk")
        for _ in range(2):
            send(hq2, ml, tmp_path)
            send(ml, hq2, tmp_path)
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
    finally:
        hq2.close()
        ml.close()


def test_a_lost_change_made_again_is_no_longer_counted_to_make_again(
        hq, make_office, tmp_path: Path) -> None:
    """The count stayed until a person said "stop warning", though headquarters had
    made the change again: once it wrote again every field the lost change wrote, the
    change is said made again and leaves the count; a field left unwritten keeps it."""
    from fieldplan.sync.state import to_make_again

    ml = registered(make_office("ML"), hq, tmp_path)
    code = global_action(hq)
    progress.record_progress(hq, code, "2026-S1", status="on-track", achievements="first")
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(hq, code, "2026-S1", status="at-risk", achievements="lost")
    progress.set_period_lock(hq, "2026-S1")
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        restored_now = sync_state(hq2).restored
        assert restored_now["lost"] == 2 and to_make_again(restored_now) == 2
        # the report's status made again, not its achievements: still to make again
        progress.record_progress(hq2, code, "2026-S1", status="at-risk")
        restored_now = sync_state(hq2).restored
        assert restored_now["lost"] == 2
        assert not any(c["made_again"] for c in restored_now["lost_changes"])
        progress.record_progress(hq2, code, "2026-S1", achievements="made again")
        progress.set_period_lock(hq2, "2026-S1")
        restored_now = sync_state(hq2).restored
        assert restored_now["lost"] == 0 and to_make_again(restored_now) == 0
        assert [c["text"].endswith(": made again since the restore")
                for c in restored_now["lost_changes"]] == [True, True]
        warnings = [v for label, v in replica_status(hq2).lines("en") if label == "Warning"]
        assert not any("make them again" in w or "make it again" in w for w in warnings)
    finally:
        hq2.close()
        ml.close()


def test_a_lost_change_no_office_reported_made_again_is_not_counted(
        hq, make_office, tmp_path: Path) -> None:
    """A lock made just before the disk failed, never sent: the replaced database told
    the restore of it (``unreported``); locking the period again settles it."""
    from fieldplan.sync.state import to_make_again

    ml = registered(make_office("ML"), hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2026-S1")
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        restored_now = sync_state(hq2).restored
        assert restored_now["unreported"] == 1 and to_make_again(restored_now) == 1
        progress.set_period_lock(hq2, "2026-S1")
        restored_now = sync_state(hq2).restored
        assert restored_now["unreported"] == 0 and to_make_again(restored_now) == 0
        [item] = restored_now["lost_unreported"]
        assert item["made_again"] and item["text"].startswith("period 2026-S1 locked")
    finally:
        hq2.close()
        ml.close()


def test_past_the_kept_limit_the_last_change_is_the_latest_in_time() -> None:
    """The log lists changes by replica: after an earlier restore headquarters' newer
    replica may sort first, and its change, the one offices show, was dropped for the
    older replica's."""
    from fieldplan.store import _within_limit

    def change(replica: str, at: str, seq: int) -> dict:
        return {"replica": replica, "seq": seq, "at": at, "entity": "lock",
                "id": "2026-S1", "wrote": ["locked"], "fields": {"locked": True}}

    newer = change("0aaa", "2026-12-02T10:00:00.000Z", 1)
    older = change("ffff", "2026-12-01T10:00:00.000Z", 7)
    assert _within_limit([newer, older, dict(older, seq=8, at="2026-12-01T11:00:00.000Z")],
                         1) == [newer]


def test_a_lost_lock_can_be_undone_where_offices_hold_it(hq, make_office,
                                                         tmp_path: Path) -> None:
    """HQ locked a period after the backup, and ML got the lock; restored, HQ shows it
    unlocked, and unlocking it did nothing ("was not locked"): ML stayed locked, its
    conflicts of the period stuck. Unlocking it is a write that reaches ML; once
    done, a second unlock is nothing again. The same of a lost unlock, locked again."""
    from fieldplan.sync import lock_check
    from fieldplan.sync.state import lost_lock_periods

    ml = registered(make_office("ML"), hq, tmp_path)
    progress.set_period_lock(hq, "2025-S2")
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2026-S1")
    progress.set_period_lock(hq, "2025-S2", locked=False)
    send(hq, ml, tmp_path)
    assert progress.is_locked(ml, "2026-S1") and not progress.is_locked(ml, "2025-S2")
    hq2 = restored(hq, backup)
    try:
        send(ml, hq2, tmp_path)
        assert not progress.is_locked(hq2, "2026-S1") and progress.is_locked(hq2, "2025-S2")
        assert lost_lock_periods(hq2) == ["2025-S2", "2026-S1"]
        assert lock_check(hq2, "2026-S1").lost_other
        assert not lock_check(hq2, "2026-S2").lost_other
        assert progress.set_period_lock(hq2, "2026-S1", locked=False).events == 1
        assert progress.set_period_lock(hq2, "2025-S2", locked=True).events == 1
        assert lost_lock_periods(hq2) == []
        assert progress.set_period_lock(hq2, "2026-S1", locked=False).events == 0
        send(hq2, ml, tmp_path)
        assert not progress.is_locked(ml, "2026-S1") and progress.is_locked(ml, "2025-S2")
        assert list_conflicts(ml) == [] and list_conflicts(hq2) == []
    finally:
        hq2.close()
        ml.close()
