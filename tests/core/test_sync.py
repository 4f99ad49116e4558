"""Sync between replicas: round trips, receipts, order independence, conflicts,
keys, quarantine, gaps, and every hostile bundle leaving the database as it was."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from progress_check import expected_progress, materialised_progress
from scenes import forget_write_marks, restored, send

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress, store
from fieldplan.replica import init_hq, open_replica
from fieldplan.sync import (
    export_bundle,
    import_bundle,
    list_conflicts,
    list_gaps,
    list_inbox,
    list_quarantine,
    resolve_conflict,
    revoke_key,
    rotate_key,
    sync_state,
    trust_key,
    verify_bundle,
)
from fieldplan.sync import keys as keyreg


def national(rep, i: int = 0) -> str:
    return rep.plan().actions_of(level="national")[i].code


def snapshot(rep) -> tuple[str, int, int]:
    """What must not change when a bundle is refused: digest, events, versions."""
    return (progress.digest(rep), rep.conn.execute("SELECT count(*) FROM events").fetchone()[0],
            rep.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def registered(office, hq, tmp_path: Path):
    """``office`` once its first report has reached HQ (which registered its key)."""
    progress.record_progress(office, national(office), "2026-S1", status="on-track")
    send(office, hq, tmp_path)
    return office


# --- round trips -------------------------------------------------------------------------


def test_round_trip_office_hq_office(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    act = national(ml)
    progress.record_progress(ml, act, "2026-S1", status="on-track", percent=40,
                             achievements="Atelier tenu à Bamako")
    exported, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.events_new == exported.events == 1
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # HQ's bundle back carries the receipt: the office knows HQ has its data
    assert sync_state(ml).hq_has_seq is None
    _, back = send(hq, ml, tmp_path)
    assert back.outcome in ("merged", "duplicate")
    state = sync_state(ml)
    assert state.hq_has_seq == 1 and state.unsent == 0 and state.hq_has_at
    # and HQ learns what the office holds of its own events: nothing is re-sent
    send(ml, hq, tmp_path)
    assert send(hq, ml, tmp_path)[0].events == 0
    # the next export carries only what is newer
    progress.record_progress(ml, act, "2026-S1", percent=55)
    again, outcome = send(ml, hq, tmp_path)
    assert again.events == 1 and outcome.events_new == 1
    assert progress.digest(hq, "ML") == progress.digest(ml)
    # --full carries everything; importing it changes nothing
    full, outcome = send(ml, hq, tmp_path, full=True)
    assert full.events == 2 and outcome.outcome == "duplicate"
    assert import_bundle(hq, full.path).outcome == "duplicate"


def test_receipts_alone_are_not_a_duplicate(hq, make_office, tmp_path: Path) -> None:
    """HQ's bundle brings back events the office holds already, with the news that HQ
    now has the office's data: that is not "duplicate" (nothing happened)."""
    ml = registered(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
    written = export_bundle(ml, out_dir=tmp_path)  # before the office had HQ's news
    send(hq, ml, tmp_path)
    import_bundle(hq, written.path)
    again, outcome = send(hq, ml, tmp_path)  # HQ's news again, and the new receipt
    assert again.events > 0 and outcome.events_new == 0
    assert outcome.outcome == "merged" and sync_state(ml).hq_has_seq == 2
    assert import_bundle(ml, again.path).outcome == "duplicate"  # the same file twice


def test_file_name_says_office_replica_and_range(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    for pct in (10, 20, 30):
        progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=pct)
    result = export_bundle(ml, out_dir=tmp_path)
    assert result.path.name == f"ML-{ml.replica_id[:8]}-1-3.fieldplan"
    assert not list(tmp_path.glob(".*.part"))


def test_a_bundle_of_none_of_its_senders_events_is_named_by_its_last(
        hq, make_office, tmp_path: Path) -> None:
    """HQ relaying a second laptop's events to an office, with none of its own, named
    the bundle "HQ-to-ML-…-0-0", which read as a fault and sorted before HQ's earlier
    bundles; so did an office's bundle of receipts alone. Such a bundle is named by
    its sender's last event, which it does not carry: after the bundle that carried
    it, before the next, by name."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    progress.record_progress(a, national(a), "2026-S1", status="on-track")
    progress.record_progress(b, national(b, 1), "2026-S1", status="on-track")
    for office in (a, b):
        send(office, hq, tmp_path)
    first = []
    for _round in range(2):  # until HQ's news and every receipt have gone round
        for office in (a, b):
            first.append(send(hq, office, tmp_path)[0].path.name)
            send(office, hq, tmp_path)
    hq_last = hq.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                              (hq.replica_id,)).fetchone()[0]
    assert first[0] == f"HQ-to-ML-{hq.replica_id[:8]}-3-{hq_last}.fieldplan"
    progress.record_progress(b, national(b, 2), "2026-S1", status="at-risk")
    send(b, hq, tmp_path)
    # b's new report, none of HQ's events (into a folder of its own: the receipts-only
    # bundles HQ wrote above took the name, and the next gets "_2", "_3"…)
    (tmp_path / "relay").mkdir()
    relayed = export_bundle(hq, for_office="ML", out_dir=tmp_path / "relay")
    outcome = import_bundle(a, relayed.path)
    assert relayed.events == 1 and outcome.events_new == 1
    assert relayed.path.name == f"HQ-to-ML-{hq.replica_id[:8]}-{hq_last}.fieldplan"
    receipts = export_bundle(a, out_dir=tmp_path / "relay")
    assert receipts.events == 0
    assert receipts.path.name == f"ML-{a.replica_id[:8]}-1.fieldplan"
    assert bundlefmt.office_in_file_name(relayed.path.name) == "HQ"
    assert bundlefmt.office_in_file_name(receipts.path.name) == "ML"


def test_hq_sends_plan_update_locks_and_keys(hq, make_office, tmp_path: Path) -> None:
    from fieldplan.plan import dump_plan, load_plan
    from fieldplan.planops import replace_plan

    ml = make_office("ML")
    sn = make_office("SN")
    amended = tmp_path / "plan-v2.toml"
    dump_plan(hq.plan(), amended)
    text = amended.read_text(encoding="utf-8").replace("version = 1", "version = 2", 1)
    amended.write_text(text, encoding="utf-8")
    assert load_plan(amended).version == 2
    replace_plan(hq, amended)
    progress.set_period_lock(hq, "2025-S2")
    progress.record_progress(sn, national(sn), "2026-S1", status="at-risk")
    send(sn, hq, tmp_path)
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged"
    assert ml.plan().version == 2
    assert progress.is_locked(ml, "2025-S2")
    assert sn.meta("key_id") in keyreg.all_keys(ml)
    # other offices' progress does not travel to ML
    assert progress.list_reports(ml, office="SN") == []


def test_import_says_the_plan_changed_and_what_it_hides(hq, make_office,
                                                          tmp_path: Path) -> None:
    """An office importing HQ's amendment is told the plan's new version and how many
    of its reports the new plan hides (not those an earlier plan hid already)."""
    from tests.scenes import AMENDMENT, amend_plan

    bn = make_office("BN")
    for action, period in (("PA1.1", "2026-S1"), ("PA1.1", "2026-S2"), ("PA1.2", "2026-S1"),
                           ("PA1.3", "2026-S1"), ("PA2.1", "2026-S1"), ("PA2.2", "2027-S1")):
        progress.record_progress(bn, action, period, status="on-track")
    # another office's report is not this office's to count
    progress.record_progress(hq, "PA1.6", "2026-S2", status="on-track")
    amend_plan(hq, tmp_path, **AMENDMENT)
    _, outcome = send(hq, bn, tmp_path)
    assert outcome.outcome == "merged" and bn.plan().version == 2
    # 2026-S2, 2027-S1, PA1.2 dropped, PA1.3 renamed, PA2.1 regional: all but PA1.1 S1
    assert (outcome.plan_version, outcome.plan_hidden) == (2, 5)
    assert outcome.line().endswith(
        "; the plan is now version 2; it hides 5 reports of this office that the version "
        "before showed")
    as_json = outcome.to_dict()
    assert as_json["plan_version"] == 2 and as_json["plan_hidden_reports"] == 5
    # a title changed: a new version, nothing more hidden than before
    amend_plan(hq, tmp_path, title="Policies, strategies and laws")
    _, outcome = send(hq, bn, tmp_path)
    assert (outcome.plan_version, outcome.plan_hidden) == (3, 0)
    assert outcome.line().endswith("; the plan is now version 3")
    # a bundle without a new plan says nothing of it
    progress.record_progress(hq, "PA1.6", "2026-S1", status="on-track")
    _, outcome = send(hq, bn, tmp_path)
    assert outcome.plan_version == 0 and "version" not in outcome.line()
    assert outcome.to_dict()["plan_version"] is None
    assert outcome.to_dict()["plan_hidden_reports"] == 0


# --- order independence -----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """HQ (clean copy kept), ML on two laptops, SN; several bundles each."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    tmp = tmp_path_factory.mktemp("world")
    hq = init_hq(tmp / "hq.sqlite3")
    reps = {}
    for name, code in (("ml1", "ML"), ("ml2", "ML"), ("sn", "SN")):
        enroll_office(hq, code, tmp / f"{name}.setup")
        reps[name] = init_from_setup(tmp / f"{name}.sqlite3", tmp / f"{name}.setup")
    hq.close()
    clean = tmp / "hq-clean.sqlite3"
    shutil.copy(tmp / "hq.sqlite3", clean)
    shutil.copy(tmp / "hq.sqlite3.key", tmp / "hq-clean.sqlite3.key")
    bundles = []
    for round_ in range(3):
        for name, rep in reps.items():
            for i in range(2):
                progress.record_progress(
                    rep, national(rep, i), "2026-S1", status=["on-track", "at-risk"][i],
                    percent=10 * round_ + i, achievements=f"{name} round {round_}")
            bundles.append(export_bundle(rep, out_dir=tmp, full=round_ == 2).path)
    for rep in reps.values():
        rep.close()
    return clean, bundles, tmp


@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_any_import_order_gives_the_same_state(world, data) -> None:
    clean, bundles, tmp = world
    order = data.draw(st.permutations(bundles))
    extra = data.draw(st.lists(st.sampled_from(bundles), max_size=4))
    results = []
    for attempt, files in enumerate((bundles, list(order) + extra)):
        target = tmp / f"hq-{os.getpid()}-{attempt}.sqlite3"
        shutil.copy(clean, target)
        shutil.copy(str(clean) + ".key", str(target) + ".key")
        forget_write_marks()  # (each copy starts from the clean one: none went back)
        with open_replica(target) as rep:
            outcomes = [import_bundle(rep, f, backup=False) for f in files]
            assert {o.outcome for o in outcomes} <= {"merged", "duplicate"}, [
                o.reason for o in outcomes]
            results.append((progress.digest(rep), snapshot(rep)[1:],
                            [c.to_dict() for c in list_conflicts(rep)]))
            assert materialised_progress(rep) == expected_progress(rep)
        for p in tmp.glob(f"hq-{os.getpid()}-{attempt}.sqlite3*"):
            p.unlink()
    assert results[0] == results[1]
    assert results[0][2], "the two ML laptops wrote the same fields: conflicts are kept"


# --- conflicts --------------------------------------------------------------------------


def test_conflict_between_two_laptops_resolved_everywhere(hq, make_office,
                                                          tmp_path: Path) -> None:
    a = make_office("ML", "ml-a")
    b = make_office("ML", "ml-b")
    act = national(a)
    progress.record_progress(a, act, "2026-S1", status="on-track", percent=30)
    progress.record_progress(b, act, "2026-S1", status="at-risk", percent=30)
    assert send(a, hq, tmp_path)[1].conflicts == 0
    _, outcome = send(b, hq, tmp_path)
    # the import says so (only the status bar's count changed)
    assert outcome.conflicts == 1 and outcome.to_dict()["conflicts"] == 1
    said = ("1 report it changed is in conflict (two computers of the office wrote it "
            "differently) until a person of the office keeps one of the values")
    assert outcome.reason.endswith(said) and outcome.line().endswith(said)
    [conflict] = list_conflicts(hq)
    assert conflict.field == "status" and conflict.office == "ML"
    assert {c.value for c in conflict.candidates} == {"on-track", "at-risk"}
    winner = [c.value for c in conflict.candidates if c.winner]
    with pytest.raises(Exception, match="only the computers of ML can resolve this conflict"):
        resolve_conflict(hq, conflict.id, conflict.candidates[0].value_id)
    send(hq, a, tmp_path)
    [at_a] = list_conflicts(a)
    assert at_a.id == conflict.id
    # the same winner is shown everywhere meanwhile
    assert [c.value for c in at_a.candidates if c.winner] == winner
    keep = next(c for c in at_a.candidates if not c.winner)
    resolve_conflict(a, at_a.id, keep.value_id)
    assert list_conflicts(a) == []
    send(a, hq, tmp_path)
    assert list_conflicts(hq) == []
    send(hq, b, tmp_path)
    assert list_conflicts(b) == []
    for rep in (hq, a, b):
        assert progress.get_report(rep, act, "2026-S1", office="ML").status == keep.value
    assert progress.digest(hq, "ML") == progress.digest(a) == progress.digest(b)


def _conflict_queries(rep) -> list[str]:
    """What the conflict query (``conflicts._CONFLICTED``) runs on ``rep`` from now on."""
    ran: list[str] = []
    rep.conn.set_trace_callback(
        lambda sql: ran.append(sql) if "HAVING count(*) > 1" in sql else None)
    return ran


def test_import_asks_for_conflicts_only_of_reports_of_several_heads(
        hq, make_office, tmp_path: Path) -> None:
    """An import counts the conflicts of the reports it changed among those left with a
    field of several heads (every conflict is one): with none, no query at all."""
    a = make_office("ML", "ml-a")
    b = make_office("ML", "ml-b")
    act = national(a)
    progress.record_progress(a, act, "2026-S1", status="on-track", percent=30)
    progress.record_progress(b, act, "2026-S1", status="at-risk", percent=30)
    asked = _conflict_queries(hq)
    assert send(a, hq, tmp_path)[1].conflicts == 0
    assert asked == []  # one head of each field: nothing to ask
    assert send(b, hq, tmp_path)[1].conflicts == 1
    assert len(asked) == 1
    # a write of another field of that report, from a computer that has not seen the
    # conflict: the report is still in conflict, and the import says so
    progress.record_progress(a, act, "2026-S1", achievements="Workshop held")
    _, outcome = send(a, hq, tmp_path)
    assert outcome.conflicts == 1 and len(list_conflicts(hq)) == 1
    # another report, of one head a field: not asked about
    progress.record_progress(a, national(a, 1), "2026-S1", status="on-track")
    before = len(asked)
    assert send(a, hq, tmp_path)[1].conflicts == 0
    assert len(asked) == before


def _sync_through_hq(hq, laptops, tmp_path: Path) -> None:
    """Every laptop sends to HQ, then HQ sends to every laptop."""
    for rep in laptops:
        send(rep, hq, tmp_path)
    for rep in laptops:
        send(hq, rep, tmp_path)


@pytest.fixture
def later_clock(monkeypatch):
    """A wall clock a second later at each reading: the later write wins, always."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


@pytest.mark.parametrize("how", ["set", "set over the value shown",
                                 "set over its own copy of it", "submit", "reopen"])
def test_a_write_over_a_value_both_laptops_wrote_replaces_both(
        hq, make_office, tmp_path: Path, later_clock, how: str) -> None:
    a = make_office("ML", "ml-a")
    b = make_office("ML", "ml-b")
    act = national(a)
    progress.record_progress(a, act, "2026-S1", status="on-track", percent=10)
    if how == "reopen":
        progress.submit_period(a, "2026-S1")
    _sync_through_hq(hq, (a, b), tmp_path)
    # offline, both laptops write the same value (B later: B's copy is shown)
    for rep in (a, b):
        if how == "submit":
            progress.submit_period(rep, "2026-S1")
        elif how == "reopen":
            progress.reopen_report(rep, act, "2026-S1")
        else:
            progress.record_progress(rep, act, "2026-S1", status="at-risk")
    own = progress.report_versions(a, act, "2026-S1")["status"]
    _sync_through_hq(hq, (a, b), tmp_path)
    assert list_conflicts(a) == list_conflicts(hq) == list_conflicts(b) == []
    # A, having seen both writes, writes again
    if how == "submit":
        progress.reopen_report(a, act, "2026-S1")
    elif how == "reopen":
        progress.submit_period(a, "2026-S1")
    elif how == "set":
        progress.record_progress(a, act, "2026-S1", status="off-track")
    else:  # a draft kept by the client, with the version it was typed over
        shown = progress.report_versions(a, act, "2026-S1")["status"]
        assert shown != own, "B's copy is the one shown"
        typed_over = [shown] if how == "set over the value shown" else [own]
        assert progress.check_base(a, act, "2026-S1", {"status": "off-track"},
                                   {"status": typed_over}) == progress.BaseCheck()
        progress.record_progress(a, act, "2026-S1", status="off-track",
                                 base={"status": typed_over})
    assert list_conflicts(a) == []
    send(a, hq, tmp_path)
    assert list_conflicts(hq) == []
    send(hq, b, tmp_path)
    assert list_conflicts(b) == []
    assert progress.digest(hq, "ML") == progress.digest(a) == progress.digest(b)
    for rep in (hq, b):
        assert materialised_progress(rep) == expected_progress(rep)


def test_a_third_write_keeps_a_real_conflict(hq, make_office, tmp_path: Path,
                                             later_clock) -> None:
    a = make_office("ML", "ml-a")
    b = make_office("ML", "ml-b")
    act = national(a)
    progress.record_progress(a, act, "2026-S1", status="at-risk")
    progress.record_progress(b, act, "2026-S1", status="off-track")  # later: shown
    _sync_through_hq(hq, (a, b), tmp_path)
    assert len(list_conflicts(a)) == 1
    # A's write replaces the value shown (B's), not A's own value that lost
    progress.record_progress(a, act, "2026-S1", status="completed")
    send(a, hq, tmp_path)
    send(hq, b, tmp_path)
    for rep in (a, hq, b):
        [conflict] = list_conflicts(rep)
        assert sorted((c.value, c.winner) for c in conflict.candidates) == [
            ("at-risk", False), ("completed", True)]
    assert progress.digest(hq, "ML") == progress.digest(a) == progress.digest(b)


# --- keys, enrolment, quarantine --------------------------------------------------------


def test_unknown_key_waits_in_quarantine_until_trusted(hq, make_office,
                                                        tmp_path: Path) -> None:
    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no token: no proof
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    before = snapshot(hq)
    exported, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "quarantined"
    fpr = minisign.PublicKey.from_base64(ml.meta("public_key")).fingerprint
    assert fpr in outcome.reason and "before trusting the key" in outcome.reason
    assert "fieldplan" not in outcome.reason  # the client shows it: no command in it
    assert snapshot(hq) == before
    [item] = list_quarantine(hq)
    assert item.fingerprint == fpr and item.office == "ML"
    exported.path.unlink()  # the file may be gone: the quarantine kept it
    [merged] = trust_key(hq, fpr.replace(" ", "").lower())
    assert merged.outcome == "merged" and merged.events_new == 1
    assert list_quarantine(hq) == []
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_a_bundle_refused_once_its_key_is_trusted_leaves_quarantine(hq,
                                                                   tmp_path: Path) -> None:
    """A quarantined bundle that its key's trust lets be checked whole, and that is
    refused for what it holds (another office's progress): the inbox says why. It
    stayed in quarantine, listed as waiting for its key "before trusting the key",
    trusted already; each trust refused it again, and 'keys refuse' wrote that the
    office did not confirm a key the person had trusted."""
    sender = "5eca11ed-0000-4000-8000-00000000beef"
    other_office = {"author": "m", "base": {}, "entity": "progress",
                    "fields": {"percent": 5}, "hlc": 1_780_000_000_000 << 16,
                    "id": f"SN|{national(hq)}|2026-S1", "origin": sender, "prev": "",
                    "seq": 1}
    path = tmp_path / "ML-claims-SN.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id, "sender": sender,
                                  "office": "ML", "recipient": "HQ", "ranges": {},
                                  "acks": {}}, [other_office], minisign.generate_key())
    held = import_bundle(hq, path)
    assert held.outcome == "quarantined"
    [refused] = trust_key(hq, held.fingerprint)
    assert refused.outcome == "rejected"
    assert refused.reason == "event 1 of ML writes progress of SN; only SN's replicas may"
    assert list_quarantine(hq) == []
    assert list_inbox(hq)[0].reason == refused.reason
    assert keyreg.all_keys(hq)[held.key_id].status == "active"  # (as trusted)


def test_trusting_a_key_takes_one_backup_before_it_writes(hq, make_office, tmp_path: Path,
                                                           monkeypatch) -> None:
    """Each quarantined bundle's merge took a backup of its own, after the key was
    written: three copies of the whole database for a key of three bundles (most of the
    seconds a trust took at a large headquarters). One backup now, before anything is
    written; a backup that cannot be taken leaves the key and its bundles waiting."""
    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no token: no proof
    for i in range(3):
        progress.record_progress(ml, national(ml, i), "2026-S1", status="on-track")
        assert send(ml, hq, tmp_path)[1].outcome == "quarantined"
    fpr = minisign.PublicKey.from_base64(ml.meta("public_key")).fingerprint
    real = store.backup
    seen = []

    def failing(conn, *a, **kw):
        raise store.BackupError("cannot back up the database: the disk is full")

    monkeypatch.setattr(store, "backup", failing)
    with pytest.raises(store.BackupError):
        trust_key(hq, fpr)
    assert len(list_quarantine(hq)) == 3
    assert ml.meta("key_id") not in keyreg.all_keys(hq)

    def counted(conn, *a, **kw):
        seen.append((conn.execute("SELECT count(*) FROM quarantine").fetchone()[0],
                     ml.meta("key_id") in keyreg.all_keys(hq)))
        return real(conn, *a, **kw)

    monkeypatch.setattr(store, "backup", counted)
    outcomes = trust_key(hq, fpr)
    assert len(outcomes) == 3 and {o.outcome for o in outcomes} <= {"merged", "duplicate"}
    assert not list_quarantine(hq)
    assert seen == [(3, False)]  # one backup, before the key or a bundle was written
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_a_bundle_that_changes_while_it_is_quarantined_is_refused(hq, make_office,
                                                                  tmp_path: Path,
                                                                  monkeypatch) -> None:
    """The quarantine kept the file read again from its path, unchecked: a file still
    being copied (or replaced) was kept in place of the bundle verified, found damaged
    once the key was trusted, when the good file was gone. It keeps the bytes it checks
    again, or refuses the file; the inbox names the bytes kept."""
    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    (tmp_path / "out").mkdir()
    path = export_bundle(ml, out_dir=tmp_path / "out").path
    good = path.read_bytes()
    before = snapshot(hq)
    from fieldplan.sync import exchange

    real = exchange._check_key

    def the_copy_goes_on(*args, **kwargs):  # once the bundle and its key are checked
        judged = real(*args, **kwargs)
        path.write_bytes(good[:len(good) // 2] + b"\0" * 100_000)
        return judged

    monkeypatch.setattr(exchange, "_check_key", the_copy_goes_on)
    outcome = import_bundle(hq, path)
    monkeypatch.undo()
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("the file changed while it was read (is it still being "
                              "copied?): import it again")
    assert list_quarantine(hq) == [] and snapshot(hq) == before
    path.write_bytes(good)  # copied again, whole
    assert import_bundle(hq, path).outcome == "quarantined"
    kept, = hq.conn.execute("SELECT data FROM quarantine").fetchone()
    assert kept == good
    assert hq.conn.execute("SELECT sha256 FROM inbox ORDER BY id DESC LIMIT 1").fetchone()[0] \
        == hashlib.sha256(good).hexdigest()


def test_a_quarantined_keys_id_points_to_its_fingerprint(hq, make_office,
                                                           tmp_path: Path) -> None:
    """`keys list` shows a quarantined key's id first; given to `keys trust` or `keys
    refuse` it said no bundle had that fingerprint. It is not taken in the fingerprint's
    place (any key may claim an id): the error names the key and its fingerprint."""
    from fieldplan.errors import ValidationError
    from fieldplan.sync import refuse_key

    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no token: no proof
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    assert send(ml, hq, tmp_path)[1].outcome == "quarantined"
    [item] = list_quarantine(hq)
    for act in (trust_key, refuse_key):
        with pytest.raises(ValidationError) as told:
            act(hq, item.key_id.lower())
        assert str(told.value) == (
            f"{item.key_id} is the key id of the quarantined key of ML (replica "
            f"{ml.replica_id[:8]}), not its fingerprint: read its fingerprint "
            f"{item.fingerprint} with the office and give that")
    assert list_quarantine(hq) == [item]
    # a second key claiming the same id (it is the signer's word): which of them is
    # the office's, only a fingerprint says
    other = make_office("ML")
    with store.write_transaction(other.conn):
        other.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(other, national(other), "2026-S1", status="at-risk")
    assert send(other, hq, tmp_path)[1].outcome == "quarantined"
    mine = minisign.PublicKey.from_base64(ml.meta("public_key"))
    claiming = minisign.PublicKey(raw=keyreg.public_key(other).raw, key_id=mine.key_id)
    with store.write_transaction(hq.conn):
        hq.conn.execute("UPDATE quarantine SET key_id = ?, public_key = ? WHERE sender = ?",
                        (item.key_id, claiming.to_base64(), other.replica_id))
    with pytest.raises(ValidationError) as told:
        trust_key(hq, item.key_id)
    assert str(told.value) == (
        f"{item.key_id} is the key id of several quarantined keys, not a fingerprint: give "
        "the fingerprint the office reads to you (see 'fieldplan keys list')")


def test_keys_trust_quotes_a_quarantined_bundles_sender(hq, make_office,
                                                         tmp_path: Path) -> None:
    """The sender a bundle of an unknown key names is its word, any text: `keys trust`
    quoted its first 8 characters raw (a terminal's control sequence, a line break)
    where it said whose key id was given, or that the key was refused."""
    from fieldplan.errors import ValidationError
    from fieldplan.sync import refuse_key

    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no token: no proof
    sender = "\x1b]0;\x07\nab-made-up"
    outcome = import_bundle(hq, forge(ml, tmp_path, [], sender=sender))
    assert outcome.outcome == "quarantined", outcome.reason
    [item] = list_quarantine(hq)
    with pytest.raises(ValidationError) as told:
        trust_key(hq, item.key_id)
    assert str(told.value) == (
        f"{item.key_id} is the key id of the quarantined key of ML (replica "
        "\\x1b]0;\\x07 ab), not its fingerprint: read its fingerprint "
        f"{item.fingerprint} with the office and give that")
    refuse_key(hq, item.fingerprint)
    with pytest.raises(ValidationError) as told:
        trust_key(hq, item.fingerprint)
    assert str(told.value).startswith(
        f"key {item.fingerprint} of ML (computer \\x1b]0;\\x07 ab) was refused on ")
    # trusted, the key's events of a made-up computer are refused quoting it so too
    sn = make_office("SN")
    with store.write_transaction(sn.conn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    twice = [{"author": "a", "base": {}, "entity": "progress",
              "fields": {"percent": 30}, "hlc": 2_000_000_000_000 << 16,
              "id": f"SN|{national(sn)}|2026-S1", "origin": sender, "prev": "", "seq": 1}] * 2
    outcome = import_bundle(hq, forge(sn, tmp_path, twice, name="twice.fieldplan",
                                      sender=sender))
    assert outcome.outcome == "quarantined", outcome.reason
    [outcome] = trust_key(hq, keyreg.public_key(sn).fingerprint)
    assert outcome.reason == ("events.jsonl line 2: event 1 of replica \\x1b]0;\\x07 ab is "
                              "out of order or repeated")


def test_enrolment_token_registers_the_key(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged"
    info = keyreg.all_keys(hq)[ml.meta("key_id")]
    assert (info.office, info.replica, info.source) == ("ML", ml.replica_id, "registry")


def test_a_key_registered_by_a_later_bundle_brings_its_quarantined_bundles(
        hq, make_office, tmp_path: Path) -> None:
    """A bundle of a key HQ did not know waits in quarantine; another bundle of that
    key then registers it (its enrolment proof). The first stayed listed as an
    unknown key's, waiting for a trust no longer needed: it is imported after the
    bundle that registered its key, and says so."""
    ml = make_office("ML")
    proof = ml.meta("enrolment")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=30)
    _, first = send(ml, hq, tmp_path)
    assert first.outcome == "quarantined"
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, "enrolment", proof)
    # a bundle of no events of its own, carrying the enrolment proof alone
    outcome = import_bundle(hq, forge(ml, tmp_path, [], name="proof.fieldplan"))
    assert outcome.outcome == "merged", outcome.reason
    [released] = outcome.released
    assert (released.file, released.outcome, released.events_new) == (
        first.file, "merged", 1)
    # "registered" said once (it said "… is now registered: …; it registered its key:
    # 1 bundle that waited in quarantine for a key now registered was imported too")
    assert outcome.line() == (
        "proof.fieldplan: merged (no events); the key of a new computer of ML is now "
        "registered: headquarters' bundles for ML reach that computer from now on; 1 "
        f"bundle of that computer that waited in quarantine was imported too ({first.file})")
    assert outcome.to_dict()["released"] == [released.to_dict()]
    assert list_quarantine(hq) == []
    assert progress.digest(hq, "ML") == progress.digest(ml, "ML")
    assert [(e.file, e.outcome) for e in list_inbox(hq)][:2] == [
        (first.file, "merged"), ("proof.fieldplan", "merged")]
    assert sync_state(hq).last_import["file"] == "proof.fieldplan"  # (the one imported)


def test_export_never_replaces_another_bundle_it_named(hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    folder = tmp_path / "usb"
    folder.mkdir()
    first = export_bundle(hq, for_office="ML", out_dir=folder)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)
    second = export_bundle(hq, for_office="ML", out_dir=folder)
    assert second.path != first.path and second.path.stem == first.path.stem + "_2"
    assert first.path.exists() and second.bundle_id != first.bundle_id
    chosen = export_bundle(hq, for_office="ML", out_file=first.path)  # named by the user
    assert chosen.path == first.path


def test_hq_exports_only_for_an_office_it_knows(hq, tmp_path: Path, capsys) -> None:
    """`export --for MR` (a slip for ML; Mauritania never enrolled) wrote a bundle for
    no one without a word. It is refused, naming the offices HQ knows: enrolled (a
    setup bundle written, even before its first bundle comes back) or with data."""
    from fieldplan.cli import main
    from fieldplan.errors import ValidationError
    from fieldplan.sync import enroll_office
    from tests.fixtures.reports.seed import write_progress

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError) as none_yet:
        export_bundle(hq, for_office="ML", out_dir=out)
    assert str(none_yet.value) == (
        "ML (Mali) was never enrolled, nor was any office yet: enrol it first with "
        "'fieldplan office enroll ML'")
    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    write_progress(hq, "SN", "2026-S1", only=1)  # data of an office never enrolled here
    with pytest.raises(ValidationError) as slip:
        export_bundle(hq, for_office="mr", out_dir=out)
    assert str(slip.value) == (
        "MR (Mauritania) was never enrolled and headquarters holds no data of it: check "
        "the code (offices known here: ML (Mali), SN (Senegal)), or enrol it first with "
        "'fieldplan office enroll MR'")
    assert list(out.iterdir()) == []
    assert export_bundle(hq, for_office="ml", out_dir=out).recipient == "ML"
    assert export_bundle(hq, for_office="SN", out_dir=out).recipient == "SN"
    # many offices: the nearest are named (sharing a letter with it)
    for code in ("MA", "TR", "EG", "NE", "BF"):
        enroll_office(hq, code, tmp_path / f"{code}-setup.fieldplan")
    with pytest.raises(ValidationError, match=r"\(the offices known here nearest to it: "
                       r"MA \(Morocco\), ML \(Mali\), TR \(Türkiye\)\)"):
        export_bundle(hq, for_office="MR", out_dir=out)
    # the command line: one line, exit 1, nothing written
    db = str(hq.path)
    hq.close()
    before = sorted(out.iterdir())
    assert main(["--db", db, "export", "--for", "MR", "--dir", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("fieldplan: error: MR (Mauritania) was never enrolled")
    assert sorted(out.iterdir()) == before


def test_setup_bundle_is_private_and_a_failed_write_keeps_no_token(hq, tmp_path: Path) -> None:
    from fieldplan.sync import enroll_office

    def tokens() -> int:
        return hq.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0]

    folder = tmp_path / "usb"
    folder.mkdir()
    result = enroll_office(hq, "ML", folder)  # a folder: the file gets a name in it
    assert result.path == folder / "ML-setup.fieldplan"
    assert result.path.stat().st_mode & 0o077 == 0  # it holds the secret token
    assert tokens() == 1
    with pytest.raises(OSError):
        enroll_office(hq, "SN", tmp_path / "missing" / "SN.fieldplan")
    assert tokens() == 1
    assert sorted(p.name for p in folder.iterdir()) == ["ML-setup.fieldplan"]


def test_a_second_setup_bundle_into_a_folder_keeps_the_first(hq, tmp_path: Path,
                                                             monkeypatch) -> None:
    """Enrolling a second computer of an office into the same folder replaced the first
    setup bundle (its token still open), and a failed write then removed it."""
    from fieldplan import bundle as bundlefmt
    from fieldplan.sync import enroll_office

    folder = tmp_path / "usb"
    folder.mkdir()
    first = enroll_office(hq, "ML", folder).path
    kept = first.read_bytes()
    second = enroll_office(hq, "ML", folder).path
    assert second == folder / "ML-setup_2.fieldplan" and first.read_bytes() == kept

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundlefmt, "write_bundle", full)
    with pytest.raises(OSError):
        enroll_office(hq, "ML", folder)
    assert first.read_bytes() == kept and second.exists()


def test_forged_enrolment_proof_is_not_enough(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    enrol = json.loads(ml.meta("enrolment"))
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, "enrolment", json.dumps({"id": enrol["id"], "token": "x"}))
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    assert send(ml, hq, tmp_path)[1].outcome == "quarantined"


def test_revoked_key_is_rejected(hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    revoke_key(hq, ml.meta("key_id"))
    progress.record_progress(ml, national(ml), "2026-S1", percent=5)
    before = snapshot(hq)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "rejected" and "was revoked" in outcome.reason
    assert snapshot(hq) == before


def test_a_bundle_refused_for_its_key_is_not_decompressed(hq, make_office, tmp_path: Path,
                                                          monkeypatch) -> None:
    """A hostile bundle may decompress to gigabytes: what the manifest and key alone
    refuse is refused before events.jsonl is read."""
    ml = registered(make_office("ML"), hq, tmp_path)
    checked = []
    real = bundlefmt._check_events
    monkeypatch.setattr(bundlefmt, "_check_events",
                        lambda *a, **k: (checked.append(1), real(*a, **k)))
    progress.record_progress(ml, national(ml), "2026-S1", percent=5)
    exported = export_bundle(ml, out_dir=tmp_path)
    revoke_key(hq, ml.meta("key_id"))
    assert import_bundle(hq, exported.path).outcome == "rejected" and checked == []
    sn_hq = init_hq(tmp_path / "other-hq.sqlite3")  # never enrolled ML: quarantine
    try:
        assert import_bundle(sn_hq, exported.path).outcome == "quarantined"
        assert checked == [1]  # what waits in quarantine was checked whole
    finally:
        sn_hq.close()


def test_a_bundle_claiming_more_events_than_a_database_counts_is_refused(
        hq, tmp_path: Path) -> None:
    """Anyone's bundle (a key never seen, a plan of another) whose manifest claims 2**63
    events: refused in one line, kept in the inbox. Its inbox line could not be
    written (a number past SQLite's), and the import stopped with an OverflowError."""
    manifest = {"kind": "sync", "plan_id": "another-plan", "sender": "x", "office": "ML",
                "recipient": "HQ", "ranges": {}, "acks": {}}
    path = tmp_path / "claims.fieldplan"
    bundlefmt.write_bundle(path, manifest, [], minisign.generate_key())
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    key = minisign.generate_key()
    claimed = {**json.loads(members["manifest.json"]), "event_count": 2**63,
               "public_key": key.public.to_base64(), "key_id": key.public.key_id_hex}
    members["manifest.json"] = bundlefmt.canonical_json(claimed)
    members["manifest.json.minisig"] = minisign.sign(key, members["manifest.json"],
                                                     bundlefmt.trusted_comment(
                                                         claimed["bundle_id"],
                                                         claimed["created"])).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name in ("events.jsonl", "manifest.json", "manifest.json.minisig"):
            z.writestr(name, members[name])
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("manifest event_count 9,223,372,036,854,775,808 is more events than "
                              "events.jsonl of 0 bytes can hold")
    assert list_inbox(hq)[0].reason == outcome.reason


def test_a_revoked_laptop_does_not_hold_its_offices_bundles_back(hq, make_office,
                                                                 tmp_path: Path) -> None:
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    revoke_key(hq, a.meta("key_id"))  # a's last receipts are old, and stay so
    send(hq, b, tmp_path)
    send(b, hq, tmp_path)  # b says what it holds
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path)
    # only a's own key records, so that a learns it was revoked (b holds them)
    with zipfile.ZipFile(bundle.path) as zf:
        carried = [json.loads(line) for line in zf.read(bundlefmt.EVENTS).splitlines()]
    assert {(e["entity"], e["id"]) for e in carried} == {("key", a.meta("key_id"))}
    assert import_bundle(b, bundle.path).events_new == 0


def test_revoked_replica_cannot_rotate_its_way_back(hq, make_office, tmp_path: Path) -> None:
    """Neither the endorsement of the revoked key nor the office's enrolment token
    makes HQ accept a new key of a revoked computer."""
    ml = registered(make_office("ML"), hq, tmp_path)
    revoke_key(hq, ml.meta("key_id"))
    rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=5)
    assert export_bundle(ml, out_dir=tmp_path).path  # carries endorsement and token proof
    before = snapshot(hq)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "rejected" and "revoked" in outcome.reason
    assert snapshot(hq) == before
    assert not list_quarantine(hq)


def test_revoked_computer_is_told_and_does_not_export(hq, make_office, tmp_path: Path) -> None:
    from fieldplan.errors import ValidationError
    from fieldplan.status import replica_status

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    assert replica_status(ml).key_status == "active"
    assert replica_status(hq).key_status == "active"
    revoke_key(hq, ml.meta("key_id"))
    send(hq, ml, tmp_path)
    status = replica_status(ml)
    assert status.key_status == "revoked" and status.to_dict()["key_status"] == "revoked"
    assert any("revoked" in text for _label, text in status.lines("en"))
    with pytest.raises(ValidationError, match="revoked"):
        export_bundle(ml, out_dir=tmp_path)
    with pytest.raises(ValidationError, match="revoked"):
        rotate_key(ml)  # a new key would not help: HQ refuses it too
    assert replica_status(ml).key_status == "revoked"
    assert sync_state(ml).key_revoked and sync_state(ml).to_dict()["key_revoked"]
    assert not sync_state(hq).key_revoked


def test_enrolment_token_registers_a_first_key_only(hq, make_office, tmp_path: Path) -> None:
    """A known computer's new key without a valid endorsement waits for a person."""
    ml = registered(make_office("ML"), hq, tmp_path)
    rotate_key(ml)
    with store.write_transaction(ml.conn):  # as if the endorsement were lost
        events.set_meta(ml.conn, "rotation", "[]")
    progress.record_progress(ml, national(ml), "2026-S1", percent=7)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "quarantined", outcome.reason


def test_office_refuses_an_unknown_headquarters_key(hq, make_office, tmp_path: Path) -> None:
    """A bundle claiming to come from HQ, signed by a key the office never pinned, is
    refused outright: office staff are never asked to trust a "headquarters" key."""
    ml = make_office("ML")
    send(hq, ml, tmp_path)
    intruder = minisign.generate_key()
    path = tmp_path / "evil.fieldplan"
    line = events.canonical_json({
        "author": "x", "base": {}, "entity": "plan", "fields": {"title": "HIJACKED"},
        "hlc": 1 << 40, "id": "plan", "origin": "f" * 32, "prev": events.GENESIS, "seq": 1})
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": ml.plan_id, "sender": "f" * 32,
                                  "office": "HQ", "recipient": "ML", "ranges": {},
                                  "acks": {}}, [line.encode()], intruder)
    before = snapshot(ml)
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "rejected"
    assert "not a headquarters key" in outcome.reason
    assert snapshot(ml) == before and not list_quarantine(ml)
    assert verify_bundle(ml, path)["valid"] is False


@pytest.mark.parametrize("rotations", [1, 2])
def test_key_rotation_travels(hq, make_office, tmp_path: Path, rotations: int) -> None:
    """Peers accept a rotated key through the old key's endorsement; after two
    rotations between two exports they follow the chain of endorsements, both ways."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    first = ml.meta("key_id")
    for _ in range(rotations):
        newest = rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=9)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    keys = keyreg.all_keys(hq)
    assert keys[newest.key_id_hex].status == "active" and keys[first].status == "retired"
    for _ in range(rotations):  # HQ rotates too
        rotate_key(hq)
    _, back = send(hq, ml, tmp_path)
    assert back.outcome == "merged", back.reason


def test_key_retired_before_headquarters_saw_it_stays_retired(hq, make_office,
                                                              tmp_path: Path) -> None:
    """An office rotates before HQ has seen its first key: HQ takes the newer bundle
    first, and the key it replaced goes on record retired (as if HQ had seen the
    rotation). The older bundle, signed by it, is then a retired key's bundle, merged;
    never an unknown key waiting for a fingerprint the office no longer shows."""
    sn = make_office("SN")
    first = sn.meta("key_id")
    progress.record_progress(sn, national(sn), "2026-S2", status="on-track")
    older = export_bundle(sn, out_file=tmp_path / "a.fieldplan")
    newest = rotate_key(sn)
    progress.record_progress(sn, national(sn, 1), "2026-S2", status="on-track")
    newer = export_bundle(sn, out_file=tmp_path / "b.fieldplan")
    assert import_bundle(hq, newer.path).outcome == "merged"
    keys = keyreg.all_keys(hq)
    assert keys[newest.key_id_hex].status == "active"
    assert (keys[first].status, keys[first].replica) == ("retired", sn.replica_id)
    late = import_bundle(hq, older.path)
    assert late.outcome in ("merged", "duplicate"), late.reason
    assert not list_quarantine(hq)
    assert progress.digest(hq, "SN") == progress.digest(sn)
    active = [k.key_id for k in keyreg.all_keys(hq).values()
              if k.replica == sn.replica_id and k.status == "active"]
    assert active == [newest.key_id_hex]


def test_key_between_two_rotations_goes_on_record_retired(hq, make_office,
                                                         tmp_path: Path) -> None:
    """A→B→C between two syncs, HQ knowing A: C's bundle registers C and retires A,
    and B too, which HQ never saw; a late bundle signed by B is a retired key's."""
    ml = registered(make_office("ML"), hq, tmp_path)
    rotate_key(ml)
    middle = ml.meta("key_id")
    progress.record_progress(ml, national(ml), "2026-S1", percent=20)
    by_middle = export_bundle(ml, out_file=tmp_path / "b.fieldplan")
    rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=30)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    info = keyreg.all_keys(hq)[middle]
    assert (info.status, info.replica, info.office) == ("retired", ml.replica_id, "ML")
    late = import_bundle(hq, by_middle.path)
    assert late.outcome in ("merged", "duplicate"), late.reason
    assert not list_quarantine(hq)
    assert keyreg.all_keys(hq)[middle].status == "retired"
    active = [k.key_id for k in keyreg.all_keys(hq).values()
              if k.replica == ml.replica_id and k.status == "active"]
    assert active == [ml.meta("key_id")]


def test_trusted_key_brings_the_bundles_of_the_key_it_replaced(hq, make_office,
                                                               tmp_path: Path) -> None:
    """Both bundles of an office whose enrolment ended wait in quarantine, the older
    signed by the key the newer's rotation replaced. Trusting the newer key (the one
    the office's status shows) puts the older on record retired, not active, and
    merges the bundles of both."""
    sn = make_office("SN")
    with store.write_transaction(hq.conn):  # the enrolment ended before any bundle came
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")
    progress.record_progress(sn, national(sn), "2026-S2", status="on-track")
    older = export_bundle(sn, out_file=tmp_path / "a.fieldplan")
    old_id = sn.meta("key_id")
    newest = rotate_key(sn)
    progress.record_progress(sn, national(sn, 1), "2026-S2", status="on-track")
    newer = export_bundle(sn, out_file=tmp_path / "b.fieldplan")
    assert import_bundle(hq, older.path).outcome == "quarantined"
    assert import_bundle(hq, newer.path).outcome == "quarantined"
    outcomes = trust_key(hq, newest.fingerprint)
    assert [o.file for o in outcomes] == ["a.fieldplan", "b.fieldplan"]
    assert all(o.outcome in ("merged", "duplicate") for o in outcomes), outcomes
    assert not list_quarantine(hq)
    keys = keyreg.all_keys(hq)
    assert (keys[old_id].status, keys[newest.key_id_hex].status) == ("retired", "active")
    assert progress.digest(hq, "SN") == progress.digest(sn)


def test_trust_never_makes_a_retired_key_active(hq, make_office, tmp_path: Path) -> None:
    """A bundle of a key unknown when it came waits in quarantine (its endorsement was
    lost); the next key's chain puts that key on record retired. Trusting it is then
    refused, saying why: a retired key (perhaps rotated because it leaked) never signs
    or endorses as active again. Its bundle, imported again, is a retired key's."""
    from fieldplan.errors import ValidationError

    ml = registered(make_office("ML"), hq, tmp_path)
    rotate_key(ml)
    middle, middle_fpr = ml.meta("key_id"), keyreg.public_key(ml).fingerprint
    chain = ml.meta("rotation")
    with store.write_transaction(ml.conn):  # the bundle goes without its endorsement
        events.set_meta(ml.conn, "rotation", "[]")
    progress.record_progress(ml, national(ml), "2026-S1", percent=7)
    waiting, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "quarantined", outcome.reason
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, "rotation", chain)
    newest = rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=8)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert keyreg.all_keys(hq)[middle].status == "retired"
    before = snapshot(hq)
    with pytest.raises(ValidationError, match=r"retired by a rotation and is not trusted again"):
        trust_key(hq, middle_fpr)
    assert snapshot(hq) == before
    active = [k.key_id for k in keyreg.all_keys(hq).values()
              if k.replica == ml.replica_id and k.status == "active"]
    assert active == [newest.key_id_hex]
    again = import_bundle(hq, waiting.path)  # its events came with the newer bundle too
    assert again.outcome in ("merged", "duplicate"), again.reason
    assert not list_quarantine(hq)


def test_office_takes_headquarters_bundles_out_of_rotation_order(hq, make_office,
                                                                  tmp_path: Path) -> None:
    """HQ rotates twice between an office's imports: the bundle of the newest key
    comes first, and carries HQ's registry, where the key between is retired; the
    bundle that key signed, coming late, is a retired key's (taken), and the office
    holds one active HQ key."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    rotate_key(hq)
    middle = hq.meta("key_id")
    progress.set_period_lock(hq, "2026-S1")
    by_middle = export_bundle(hq, for_office="ML", out_file=tmp_path / "h2.fieldplan")
    newest = rotate_key(hq)
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    keys = keyreg.all_keys(ml)
    assert keys[middle].status == "retired"
    late = import_bundle(ml, by_middle.path)
    assert late.outcome in ("merged", "duplicate"), late.reason
    active = [k.key_id for k in keyreg.all_keys(ml).values()
              if k.office == "HQ" and k.status == "active"]
    assert active == [newest.key_id_hex]


def test_rotation_endorsements_old_and_new_shapes() -> None:
    one = {"previous_public_key": "k", "previous_key_id": "i", "signature": "s"}
    assert keyreg.endorsements(one) == [one]  # as bundles of earlier versions carry it
    assert keyreg.endorsements([one, "junk", one]) == [one, one]
    assert keyreg.endorsements(None) == [] and keyreg.endorsements("x") == []
    assert len(keyreg.endorsements([one] * 100)) == keyreg.MAX_CHAIN


def ticking(monkeypatch) -> None:
    """A clock a second further at each reading (no two writes in one millisecond)."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


def test_late_data_for_a_locked_period_is_named(hq, make_office, tmp_path: Path,
                                                 monkeypatch) -> None:
    ticking(monkeypatch)
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    _, first = send(ml, hq, tmp_path)
    assert first.late_periods == ()
    progress.set_period_lock(hq, "2026-S1")
    # written before the lock reached the office: merged, and HQ is told
    progress.record_progress(ml, national(ml), "2026-S1", percent=60)
    progress.record_progress(ml, national(ml), "2026-S2", status="at-risk")
    _, late = send(ml, hq, tmp_path)
    assert late.outcome == "merged" and late.late_periods == ("2026-S1",)
    # the period in words, as the lock clauses say it (it was the bare code)
    assert late.line().endswith("; changes to the locked period 1st semester 2026")
    assert late.to_dict()["late_periods"] == ["2026-S1"]
    from fieldplan.sync import list_inbox

    assert list_inbox(hq)[0].reason == "changes to the locked period 1st semester 2026"


def test_a_change_that_arrives_after_the_lock_is_named_whatever_its_clock(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Typed before headquarters locked the period by the office's clock, its bundle
    merged after: headquarters had not reviewed it when it locked, and cannot tell it
    from a change typed after the lock on a laptop whose clock is behind. The import
    line and status name it alike (they disagreed once: progress.LockMark.missed)."""
    ticking(monkeypatch)
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    progress.record_progress(ml, national(ml), "2026-S1", percent=60)  # before the lock
    progress.set_period_lock(hq, "2026-S1")
    _, arrived = send(ml, hq, tmp_path)
    assert arrived.outcome == "merged" and arrived.late_periods == ("2026-S1",)
    [changed] = progress.changed_after_lock(hq)["2026-S1"]
    assert changed.changes == 1  # the first event, held before the lock, is not counted


# --- gaps -------------------------------------------------------------------------------


def test_an_export_with_nothing_new_says_it_holds_only_receipts(hq, make_office,
                                                                  tmp_path: Path) -> None:
    """DESIGN: each side records what it has received; an export with no new entries
    is still written for those receipts, and now says so."""
    fresh = make_office("SN")
    first = export_bundle(fresh, out_dir=tmp_path)  # nothing typed yet
    assert first.events == 0 and first.note == ""  # it carries the enrolment proof
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # ML learns that HQ holds its events
    result, outcome = send(ml, hq, tmp_path)
    assert result.events == 0 and result.path.is_file()
    assert result.note == ("no new entries to send: the bundle holds only the receipts of "
                           "what this computer has received; sending it still tells "
                           "headquarters what arrived")
    assert result.to_dict()["note"] == result.note
    assert outcome.outcome == "merged"  # its receipts moved HQ's record forward
    progress.record_progress(ml, national(ml), "2026-S1", percent=50)
    assert export_bundle(ml, out_dir=tmp_path).note == ""


def test_one_missing_event_is_named_alone(hq, make_office, tmp_path: Path) -> None:
    """"events 7–7" read oddly: one missing event is "event 7"."""
    ml = make_office("ML")
    send(ml, hq, tmp_path)
    for pct in (10, 20):
        progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=pct)
    first = events.last_event(ml.conn, ml.replica_id)[0] - 1
    with store.write_transaction(ml.conn):  # as if HQ had the first of the two
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, ?)",
                        (hq.replica_id, ml.replica_id, first))
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.gaps == (f"missing bundle from ML, event {first}",)
    [gap] = list_gaps(hq)
    assert gap.message() == f"missing bundle from ML, event {first}"
    assert gap.events_text() == str(first)


def test_gap_is_reported_and_the_rest_merged(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    for pct in range(1, 6):
        progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=pct)
    send(ml, hq, tmp_path)
    for pct in range(6, 16):
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track",
                                 percent=pct)
    # as if HQ had acknowledged up to 10 (say HQ later restored an older backup)
    with store.write_transaction(ml.conn):
        for (peer,) in ml.conn.execute("SELECT DISTINCT peer FROM acks").fetchall() or [
                (hq.replica_id,)]:
            ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, 10)",
                            (peer, ml.replica_id))
    partial, outcome = send(ml, hq, tmp_path)
    assert partial.events == 5
    assert outcome.outcome == "merged" and outcome.events_new == 5
    assert outcome.gaps == ("missing bundle from ML, events 6–10",)
    # and as data, for --json
    wanted = {"origin": ml.replica_id, "office": "ML", "first": 6, "last": 10,
              "message": "missing bundle from ML, events 6–10"}
    assert outcome.to_dict()["gap_ranges"] == [wanted]
    assert sync_state(hq).to_dict()["gap_ranges"] == [wanted]
    assert [g.message() for g in list_gaps(hq)] == ["missing bundle from ML, events 6–10"]
    send(ml, hq, tmp_path, full=True)
    assert list_gaps(hq) == []
    assert progress.digest(hq, "ML") == progress.digest(ml)


def test_a_gap_names_the_computer_when_the_office_has_two(hq, make_office,
                                                          tmp_path: Path) -> None:
    """With two laptops at ML, "missing bundle from ML, events 6–10" did not say which
    of them must send again; the computer is named as the conflicts name it."""
    ml = make_office("ML")
    other = make_office("ML")
    for pct in range(1, 6):
        progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=pct)
    send(ml, hq, tmp_path)
    send(other, hq, tmp_path)  # HQ knows both computers
    for pct in range(6, 16):
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track",
                                 percent=pct)
    with store.write_transaction(ml.conn):  # as if HQ had acknowledged up to 10
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, 10)",
                        (hq.replica_id, ml.replica_id))
    _, outcome = send(ml, hq, tmp_path)
    said = f"missing bundle from ML (computer {ml.replica_id[:8]}), events 6–10"
    assert outcome.gaps == (said,)
    assert [g.message() for g in list_gaps(hq)] == [said]


# --- a database restored from a backup --------------------------------------------------


def test_an_office_restored_from_a_backup_loses_nothing(hq, make_office,
                                                        tmp_path: Path) -> None:
    """The client offers the latest backup for a damaged database. The replica id it
    had wrote on after that backup, and HQ holds those events: writing on under it
    would fork that history and HQ would refuse the office for ever."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)  # the office backs up before this import
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk",
                             achievements="written after the backup")
    send(ml, hq, tmp_path)
    before = ml.replica_id
    ml = restored(ml)
    try:
        assert ml.replica_id != before and ml.meta(store.BACKUP_MARK) is None
        assert keyreg.renew_identity(ml) == ml.replica_id  # once: a second program waits
        assert progress.get_report(ml, national(ml, 1), "2026-S1") is None
        progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
        _, outcome = send(ml, hq, tmp_path)
        assert outcome.outcome == "merged" and outcome.events_new == 1, outcome.reason
        info = keyreg.all_keys(hq)[ml.meta("key_id")]
        assert (info.replica, info.renews, info.office) == (ml.replica_id, before, "ML")
        # the report written after the backup comes back from HQ
        send(hq, ml, tmp_path)
        back = progress.get_report(ml, national(ml, 1), "2026-S1")
        assert back.achievements == "written after the backup"
        assert progress.digest(ml) == progress.digest(hq, "ML")
        assert sync_state(ml).restored["replica"] == before
        # the replica it continues receives nothing any more: its receipts do not hold
        # HQ's bundles back
        send(ml, hq, tmp_path)
        assert export_bundle(hq, for_office="ML", out_dir=tmp_path).events == 0
        assert list_gaps(hq) == [] and list_gaps(ml) == []
    finally:
        ml.close()


def test_events_the_restored_office_alone_held_still_travel(hq, make_office,
                                                            tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    store.backup(ml.conn, ml.path, "manual")  # holds an event HQ never got
    progress.record_progress(ml, national(ml, 2), "2026-S1", status="off-track")
    ml = restored(ml)
    try:
        _, outcome = send(ml, hq, tmp_path)  # the event before the backup, not the lost one
        assert outcome.outcome == "merged" and outcome.events_new == 1, outcome.reason
        assert progress.get_report(hq, national(ml, 1), "2026-S1", office="ML").status \
            == "at-risk"
        assert progress.digest(hq, "ML") == progress.digest(ml)
    finally:
        ml.close()


def test_headquarters_restored_from_a_backup(hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)  # HQ backs up before this import
    progress.set_period_lock(hq, "2026-S1")  # made after the backup: lost with it
    send(hq, ml, tmp_path)
    before = hq.replica_id
    hq2 = restored(hq)
    try:
        assert hq2.replica_id != before
        state = sync_state(hq2)
        assert state.restored["lost"] == 0  # nobody has said yet what HQ lost
        progress.set_period_lock(hq2, "2025-S2")
        _, outcome = send(hq2, ml, tmp_path)
        assert outcome.outcome == "merged", outcome.reason  # the office follows
        # the restored HQ says what it holds now: the office does not trust the old word
        assert sync_state(ml).hq_has_seq == 1
        # the office sends again what HQ lost, and says what it holds of HQ's
        _, outcome = send(ml, hq2, tmp_path)
        assert outcome.outcome == "merged" and outcome.events_new == 1, outcome.reason
        assert progress.digest(hq2, "ML") == progress.digest(ml)
        restored_info = sync_state(hq2).restored
        assert restored_info["lost"] == 1 and restored_info["replica"] == before
        from fieldplan.status import replica_status

        lines = dict(replica_status(hq2).lines("en"))
        assert "offices hold 1 event headquarters wrote after the backup" in lines["Warning"]
        progress.set_period_lock(hq2, "2026-S1")  # made again
        send(hq2, ml, tmp_path)
        assert progress.locked_periods(ml) == progress.locked_periods(hq2) \
            == ["2025-S2", "2026-S1"]
    finally:
        hq2.close()


def test_headquarters_says_the_lost_changes_were_made_again(hq, make_office,
                                                             tmp_path: Path) -> None:
    """The warning about what a restore lost ends when a person at HQ says the changes
    were made again; changes the restore read in the database it replaced are
    warned about at once, before any office reports them."""
    from fieldplan.status import replica_status
    from fieldplan.sync import dismiss_lost

    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    store.backup(hq.conn, hq.path, "manual")  # holds both offices' keys
    progress.set_period_lock(hq, "2025-S2")
    send(hq, ml, tmp_path)  # ML holds one change HQ will lose
    progress.set_period_lock(hq, "2026-S1")
    send(hq, sn, tmp_path)  # SN holds both
    hq2 = restored(hq)
    try:
        # the restore read both locks in the database it replaced: said at once,
        # before any office reports them (one might never: a lock not sent yet)
        state = sync_state(hq2).restored
        assert (state["lost"], state["unreported"]) == (0, 2)
        lines = replica_status(hq2).lines("en")
        assert "no office has said it holds" in dict(lines)["Warning"]
        assert [v.split(" (")[0] for k, v in lines if k == "Lost"] == [
            "period 2025-S2 locked", "period 2026-S1 locked"]
        send(ml, hq2, tmp_path)
        state = sync_state(hq2).restored
        assert (state["lost"], state["unreported"]) == (1, 1)
        progress.set_period_lock(hq2, "2025-S2")  # made again: no longer counted
        state = sync_state(hq2).restored
        assert (state["lost"], state["unreported"]) == (0, 1)
        # the other made again where this database cannot see it (a person's word)
        assert dismiss_lost(hq2) == 1
        state = sync_state(hq2).restored
        assert (state["lost"], state["unreported"], state["dismissed"]) == (0, 0, 1)
        assert "Warning" not in dict(replica_status(hq2).lines("en"))
        send(ml, hq2, tmp_path)  # the same word again: still ended
        assert sync_state(hq2).restored["lost"] == 0
        send(sn, hq2, tmp_path)  # SN holds both: made again already
        state = sync_state(hq2).restored
        assert (state["lost"], state["missing"], state["dismissed"]) == (0, 2, 2)
    finally:
        hq2.close()
        ml.close()
        sn.close()


def test_an_office_has_no_lost_changes_to_dismiss(hq, make_office, tmp_path: Path) -> None:
    from fieldplan.sync import dismiss_lost

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    ml = restored(ml)
    try:
        assert sync_state(ml).restored["lost"] == 0
        assert dismiss_lost(ml) == 0  # what it lacks comes back from HQ: nothing to end
        assert ml.meta("restored_lost_dismissed") is None
    finally:
        ml.close()


def test_a_restore_cannot_take_over_another_computer(hq, make_office, tmp_path: Path,
                                                     monkeypatch) -> None:
    """A laptop's key endorses a new key for the replica id of its sibling: refused, or
    the sibling's real bundles would be refused as forks."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    store.backup(a.conn, a.path, "manual")
    import fieldplan.replica

    monkeypatch.setattr(fieldplan.replica, "_uuid4", lambda: b.replica_id)
    hijack = restored(a)
    monkeypatch.undo()
    try:
        assert hijack.replica_id == b.replica_id
        before = snapshot(hq)
        _, outcome = send(hijack, hq, tmp_path)
        assert outcome.outcome != "merged" and snapshot(hq) == before
        progress.record_progress(b, national(b, 3), "2026-S1", status="on-track")
        _, outcome = send(b, hq, tmp_path)
        assert outcome.outcome == "merged", outcome.reason
    finally:
        hijack.close()


def test_revoking_a_restored_computer_covers_its_earlier_replica(hq, make_office,
                                                                 tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    # the database as it was before the restore, with its key file: a stolen copy
    stolen_path = tmp_path / "stolen.sqlite3"
    with sqlite3.connect(stolen_path) as copy:
        ml.conn.backup(copy)
    shutil.copy(keyreg.key_path(ml.path), keyreg.key_path(stolen_path))
    ml = restored(ml)
    try:
        progress.record_progress(ml, national(ml, 1), "2026-S1", status="on-track")
        send(ml, hq, tmp_path)
        revoke_key(hq, ml.meta("key_id"))
        with open_replica(stolen_path) as stolen:
            progress.record_progress(stolen, national(stolen, 2), "2026-S1", percent=5)
            before = snapshot(hq)
            _, outcome = send(stolen, hq, tmp_path)
        assert outcome.outcome == "rejected" and "revoked" in outcome.reason
        assert snapshot(hq) == before
    finally:
        ml.close()


# --- hostile bundles --------------------------------------------------------------------


def forge(rep, tmp_path: Path, raw_events: list[dict], name: str = "forged.fieldplan",
          **manifest) -> Path:
    """A bundle signed with rep's real key holding exactly raw_events."""
    fields = {"kind": "sync", "plan_id": rep.plan_id, "sender": rep.replica_id,
              "office": rep.office, "recipient": "HQ", "ranges": {}, "acks": {}}
    enrol = rep.meta("enrolment")
    if enrol:
        from fieldplan.sync.export import enrolment_proof

        fields["enrolment"] = enrolment_proof(rep, keyreg.public_key(rep))
    fields.update(manifest)
    path = tmp_path / name
    bundlefmt.write_bundle(path, fields, raw_events, keyreg.secret_key(rep))
    return path


def chained(rep, entity: str, entity_id: str, fields: dict) -> dict:
    """The next event of rep's chain, well formed, without storing it."""
    seq, prev = events.last_event(rep.conn, rep.replica_id)
    return {"author": "mallory", "base": {}, "entity": entity, "fields": fields,
            "hlc": (2_000_000_000_000 << 16), "id": entity_id, "origin": rep.replica_id,
            "prev": prev, "seq": seq + 1}


@pytest.fixture
def scene(hq, make_office, tmp_path: Path):
    """HQ that already merged ML's data, and a good bundle from ML to tamper with."""
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track", percent=10)
    send(ml, hq, tmp_path)
    progress.record_progress(ml, national(ml), "2026-S1", percent=20,
                             achievements="Deuxième atelier")
    good = export_bundle(ml, out_dir=tmp_path / "good" if (tmp_path / "good").mkdir() is None
                         else tmp_path).path
    return hq, ml, good


def _rezip(data: bytes, edit) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [(i, zf.read(i)) for i in zf.infolist()]
    members = edit(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, blob in members:
            out.writestr(info, blob)
    return buf.getvalue()


def _flip_in_member(data: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    header = info.header_offset
    name_len, extra_len = int.from_bytes(data[header + 26:header + 28], "little"), \
        int.from_bytes(data[header + 28:header + 30], "little")
    start = header + 30 + name_len + extra_len
    pos = start + info.compress_size // 2
    return data[:pos] + bytes([data[pos] ^ 0x10]) + data[pos + 1:]


def _container_cases(good: bytes) -> dict[str, tuple[bytes, str]]:
    def rename(old, new):
        return lambda ms: [((zipfile.ZipInfo(new) if i.filename == old else i), b)
                           for i, b in ms]

    link = zipfile.ZipInfo("events.jsonl")
    link.external_attr = (0o120777 << 16)
    cases = {
        "empty file": (b"", "empty file"),
        "not a zip": (b"%PDF-1.4 hello" * 20, "not a ZIP"),
        "path in name": (_rezip(good, rename("events.jsonl", "../events.jsonl")), ""),
        "absolute name": (_rezip(good, rename("events.jsonl", "/tmp/events.jsonl")), ""),
        "subfolder name": (_rezip(good, rename("events.jsonl", "x/events.jsonl")), ""),
        "extra member": (_rezip(good, lambda ms: [*ms, (zipfile.ZipInfo("x.txt"), b"x")]),
                         ""),
        "duplicate member": (_rezip(good, lambda ms: [*ms, ms[0]]), ""),
        "missing member": (_rezip(good, lambda ms: [m for m in ms
                                                    if m[0].filename != "events.jsonl"]), ""),
        "link member": (_rezip(good, lambda ms: [((link if i.filename == "events.jsonl"
                                                   else i), b) for i, b in ms]), ""),
    }
    for offset in (0.1, 0.35, 0.5, 0.75, 0.95):
        cases[f"truncated at {offset}"] = (good[:int(len(good) * offset)], "")
    for member in ("events.jsonl", "manifest.json", "manifest.json.minisig"):
        cases[f"bit flipped in {member}"] = (_flip_in_member(good, member), "")
    return cases


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_hostile_containers_change_nothing(scene, tmp_path: Path) -> None:
    hq, _ml, good_path = scene
    good = good_path.read_bytes()
    before = snapshot(hq)
    for label, (data, reason) in _container_cases(good).items():
        bad = tmp_path / f"bad-{label.replace(' ', '-').replace('.', '')}.fieldplan"
        bad.write_bytes(data)
        outcome = import_bundle(hq, bad)
        assert outcome.outcome == "rejected", (label, outcome)
        assert outcome.reason and "\n" not in outcome.reason, label
        assert reason in outcome.reason, (label, outcome.reason)
        assert snapshot(hq) == before, label
    assert import_bundle(hq, good_path).outcome == "merged"


def test_a_file_over_the_size_limit_is_refused_unread(hq, tmp_path: Path,
                                                      monkeypatch) -> None:
    """A file of gigabytes picked up from a folder was hashed whole for the inbox, then
    refused as too large: its size is looked at first, and the inbox names it
    without a hash (none was taken)."""
    huge = tmp_path / "backup.zip"
    with huge.open("wb") as f:
        f.write(b"PK\3\4")
        f.truncate(bundlefmt.MAX_BUNDLE_BYTES + 1)  # sparse: no disk used
    hashed = []
    real = hashlib.sha256

    class Counting:
        def __init__(self, data: bytes = b"") -> None:
            self.h = real(data)
            hashed.append(len(data))

        def update(self, data: bytes) -> None:
            hashed.append(len(data))
            self.h.update(data)

        def hexdigest(self) -> str:
            return self.h.hexdigest()

    monkeypatch.setattr(hashlib, "sha256", Counting)
    before = snapshot(hq)
    outcome = import_bundle(hq, huge)
    monkeypatch.undo()
    assert outcome.outcome == "rejected"
    assert outcome.reason.startswith("bundle is "), outcome.reason
    assert sum(hashed) == 0
    assert tuple(hq.conn.execute("SELECT file_name, sha256 FROM inbox").fetchone()) == (
        "backup.zip", "")
    assert snapshot(hq) == before


def test_hostile_contents_change_nothing(scene, make_office, tmp_path: Path) -> None:
    hq, ml, _good = scene
    sn = make_office("SN")
    act = national(ml)
    rid = f"ML|{act}|2026-S1"
    other = minisign.generate_key()
    cases = {
        "events for another office": (
            [chained(ml, "progress", f"SN|{act}|2026-S1", {"status": "completed"})],
            {}, "writes progress of SN"),
        "plan change from an office": (
            [chained(ml, "plan", ml.plan_id, {"document": {"x": 1}})], {},
            "only headquarters may write"),
        "lock from an office": (
            [chained(ml, "lock", "2026-S1", {"locked": True})], {},
            "only headquarters may write"),
        "bundle for another plan": (
            [chained(ml, "progress", rid, {"percent": 99})], {"plan_id": "other-plan"},
            "bundle is for plan 'other-plan'"),
        "key bound to another office": (
            [chained(ml, "progress", rid, {"percent": 99})], {"office": "SN"},
            ""),
        # (of the sending computer's own replica: refused as a forked history, which
        # HQ's next bundle repairs: sync.fork.ChainFork)
        "broken hash chain": (
            [chained(ml, "progress", rid, {"percent": 99}) | {"seq": 2, "prev": "0" * 64}], {},
            "does not follow event 1"),
        "bad status value": (
            [chained(ml, "progress", rid, {"status": "hacked"})], {}, "bad value"),
        "addressed to another office": (
            [chained(ml, "progress", rid, {"percent": 99})], {"recipient": "SN"},
            "addressed to SN"),
        # values no honest replica writes, each of which once broke the importer or the
        # receiver (a clock at SQLite's largest integer left HQ unable to write again)
        "clock at the end of time": (
            [chained(ml, "progress", rid, {"percent": 99}) | {"hlc": 2**63 - 1}], {},
            "malformed event"),
        "sequence past the limit": (
            [chained(ml, "progress", rid, {"percent": 99}) | {"seq": 2**62}], {},
            "malformed event"),
        "not a number": (
            [events.canonical_json(chained(ml, "progress", rid, {"value.x": 1})).replace(
                '"value.x":1', '"value.x":NaN').encode()], {}, "invalid JSON"),
        "an infinite number": (
            [events.canonical_json(chained(ml, "progress", rid, {"value.x": 1})).replace(
                '"value.x":1', '"value.x":1e999').encode()], {}, "bad value for 'value.x'"),
        # (an int a float cannot hold stopped the import with no event named)
        "a number past a float's range": (
            [events.canonical_json(chained(ml, "progress", rid, {"value.x": 1})).replace(
                '"value.x":1', '"value.x":1' + "0" * 400).encode()], {},
            "event 3 of ML: bad value for 'value.x'"),
        "nested too deeply": (
            [events.canonical_json(chained(ml, "progress", rid, {"value.x": 1})).replace(
                '"value.x":1', '"value.x":' + "[" * 100_000 + "]" * 100_000).encode()],
            {}, "invalid JSON"),
        "thousands of fields": (
            [chained(ml, "progress", rid, {f"value.k{i}": 1 for i in range(65)})], {},
            "malformed event"),
        "thousands of replaced versions": (
            [chained(ml, "progress", rid, {"percent": 1}) | {"base": {"percent": ["x:1"] * 33}}],
            {}, "malformed event"),
        # an indicator key as plans write them: each of these showed as it is in HQ's
        # data exports ("a;b=9=10" read as two values) and conflict lists
        "a formula for an indicator": (
            [chained(ml, "progress", rid, {'value.=HYPERLINK("http://x","y")': 1})], {},
            "bad indicator key '=HYPERLINK(\"http://x\",\"y\")'"),
        "an indicator that reads as two": (
            [chained(ml, "progress", rid, {"value.a;b=9": 1})], {},
            "bad indicator key 'a;b=9'"),
        "an indicator with a bidi override": (
            [chained(ml, "progress", rid, {"value.\u202eabc": 1})], {}, "bad indicator key"),
        "an indicator on two lines": (
            [chained(ml, "progress", rid, {"value.a\nb": 1})], {}, "bad indicator key"),
        "an indicator without a key": (
            [chained(ml, "progress", rid, {"value.": 1})], {}, "bad indicator key ''"),
        "a report without an action": (
            [chained(ml, "progress", "ML||2026-S1", {"percent": 1})], {}, "bad report id"),
        "a formula for an action": (
            [chained(ml, "progress", 'ML|=HYPERLINK("http://x/?"&A2,"Details")|2026-S1',
                     {"percent": 1})], {}, "bad report id"),
        "an action that is no code": (
            [chained(ml, "progress", "ML|-1+cmd|2026-S1", {"percent": 1})], {},
            "bad report id"),
        "a report for no period": (
            [chained(ml, "progress", f"ML|{act}|someday", {"percent": 1})], {},
            "bad report id"),
        # read as 2026-S1 by parse_period, compared as text by the locks and filters:
        # past a lock of 2026-S1, unsaid
        "a period in other digits": (
            [chained(ml, "progress", f"ML|{act}|\u0662\u0660\u0662\u0666-S1",
                     {"percent": 1})], {}, "bad report id"),
        "an event not in canonical form": (
            [events.canonical_json(chained(ml, "progress", rid, {"percent": 1})).replace(
                '"author":', '"author": ').encode()], {}, "is not canonical JSON"),
        "a key repeated": (
            [events.canonical_json(chained(ml, "progress", rid, {"percent": 1})).replace(
                '"seq":', '"seq":1,"seq":').encode()], {}, "is not canonical JSON"),
        "replacing a field it does not write": (
            [chained(ml, "progress", rid, {"achievements": "x"})
             | {"base": {"status": ["y:1"]}}], {}, "which it does not write"),
        "replacing its own later version": (
            [(lambda e: e | {"base": {"percent": [f"{ml.replica_id}:{e['seq'] + 1}"]}})(
                chained(ml, "progress", rid, {"percent": 1}))], {},
            "replaces a version written after it"),
        # a version id as fieldplan writes it: a seq of 40 digits or '¹' stopped the
        # import with no event named, and '١' (1 in another script) or '01' named
        # version 1 in a form no writer uses
        **{f"a base '{version}'": (
            [chained(ml, "progress", rid, {"percent": 1}) | {"base": {"percent": [version]}}],
            {}, f"bad base '{version}'")
           for version in (f"{sn.replica_id}:{'9' * 40}", f"{sn.replica_id}:\u00b9",
                           f"{ml.replica_id}:\u0661", f"{ml.replica_id}:01",
                           f"{ml.replica_id}:0", f"{ml.replica_id}:", ":1")},
        # (a name of a million characters took 250 pages of the review pack, and a
        # megabyte line of every data export and conflict listing)
        "an author's name too long": (
            [chained(ml, "progress", rid, {"percent": 1}) | {"author": "A" * 501}], {},
            "event 3 of ML: its author's name is longer than 500 characters"),
        "receipts past the limit": (
            [chained(ml, "progress", rid, {"percent": 99})], {"acks": {ml.replica_id: 2**64}},
            "bad 'acks'"),
    }
    send(sn, hq, tmp_path)  # SN's key registered: the 'office' claim above names a real key
    before = snapshot(hq)
    for label, (raw, manifest, reason) in cases.items():
        path = forge(ml, tmp_path, raw, name=f"{label.replace(' ', '-')}.fieldplan",
                     **manifest)
        outcome = import_bundle(hq, path)
        assert outcome.outcome in ("rejected", "quarantined"), (label, outcome)
        if label != "key bound to another office":
            assert outcome.outcome == "rejected", (label, outcome)
        assert reason in outcome.reason, (label, outcome.reason)
        assert "\n" not in outcome.reason
        assert snapshot(hq) == before, label
    # signed by a key that is not the one the registry holds for ML
    path = tmp_path / "wrong-key.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": ml.plan_id,
                                  "sender": ml.replica_id, "office": "ML", "recipient": "HQ",
                                  "ranges": {}, "acks": {}},
                           [chained(ml, "progress", rid, {"percent": 99})], other)
    assert import_bundle(hq, path).outcome == "quarantined"
    assert snapshot(hq) == before


@pytest.mark.parametrize(("seq", "taken"), [
    ("01", True), ("\u0661", True), ("\u00b9", False), ("9" * 40, False), ("", False)])
def test_a_base_headquarters_relays_is_read_as_earlier_fieldplans_took_it(
        seq: str, taken: bool) -> None:
    """What headquarters relays an earlier fieldplan may have taken ('01', '١'): an
    office reads it as before, or refuses with the event named what would have stopped
    its import anyway; only headquarters refuses, of an office's bundle, a version id
    in a form no writer uses."""
    from fieldplan.errors import BundleError
    from fieldplan.sync import exchange

    body = events.canonical_json({
        "author": "a", "base": {"percent": [f"other:{seq}"]}, "entity": "progress",
        "fields": {"percent": 1}, "hlc": 1, "id": "ML|PA1.1|2026-S1", "origin": "o",
        "prev": "", "seq": 5})
    e = events.parse_event(body)
    if taken:
        exchange._check_base(e, lambda: "event 5 of ML", strict=False)
    else:
        with pytest.raises(BundleError, match=r"^event 5 of ML: bad base"):
            exchange._check_base(e, lambda: "event 5 of ML", strict=False)
    with pytest.raises(BundleError, match=r"^event 5 of ML: bad base"):
        exchange._check_base(e, lambda: "event 5 of ML")


def test_a_long_author_name_is_cut_to_what_headquarters_takes(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    ml = make_office("ML")
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "n" * (events.MAX_AUTHOR + 100))
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.list_reports(hq, office="ML")[0].updated_by == "n" * events.MAX_AUTHOR


def test_an_author_name_not_in_utf_8_is_recorded_as_text(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A name set in a file of another encoding ("José" in Latin-1, read on a UTF-8
    system: the é an undecodable byte) ended every save on an internal error
    ("'utf-8' codec can't encode character '\\udce9'"), and an init given it as
    --author, before anything was made; the byte is recorded as U+FFFD."""
    ml = make_office("ML")
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "Jos\udce9")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    assert progress.get_report(ml, national(ml), "2026-S1").updated_by == "Jos\ufffd"
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.list_reports(hq, office="ML")[0].updated_by == "Jos\ufffd"
    monkeypatch.delenv("FIELDPLAN_AUTHOR")
    with init_hq(tmp_path / "hq2.sqlite3", author="Jos\udce9") as other:
        assert other.author == "Jos\ufffd"


def test_an_event_in_another_form_is_refused(scene, tmp_path: Path) -> None:
    """An event line of a version 1 bundle with its prev first (the same event, in
    another form) was merged and stored as it came: every later bundle for ML failed
    to be written ("event N has an origin and a seq but no prev": a bundle's left-out
    prev relies on the canonical form), --full too, and nothing repaired it."""
    hq, ml, _good = scene
    e = chained(ml, "progress", f"ML|{national(ml)}|2026-S1", {"percent": 1})
    line = ('{"prev":' + json.dumps(e["prev"]) + "," + events.canonical_json(
        {k: v for k, v in e.items() if k != "prev"})[1:]).encode()
    path = forge(ml, tmp_path, [e], name="prev-first.fieldplan")
    with bundlefmt.open_bundle(path) as b:
        manifest = dict(b.manifest, version=1)  # (every line whole: as it is stored)
    manifest["members"] = {bundlefmt.EVENTS: {
        "sha256": hashlib.sha256(line + b"\n").hexdigest(), "size": len(line) + 1}}
    signed = bundlefmt.canonical_json(manifest)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:  # (write_bundle refuses)
        zf.writestr(bundlefmt.EVENTS, line + b"\n")
        zf.writestr(bundlefmt.MANIFEST, signed)
        zf.writestr(bundlefmt.SIGNATURE, minisign.sign(
            keyreg.secret_key(ml), signed,
            bundlefmt.trusted_comment(manifest["bundle_id"], manifest["created"])))
    before = snapshot(hq)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("events.jsonl line 1 is not canonical JSON (keys unsorted or "
                              "repeated, or extra spaces)")
    assert snapshot(hq) == before
    (tmp_path / "to-ml").mkdir()
    export_bundle(hq, for_office="ML", out_dir=tmp_path / "to-ml")


@pytest.mark.parametrize(("field", "code", "canonical"), [
    ("office", "hq", "HQ"), ("office", " BN", "BN"), ("office", "bn", "BN"),
    ("office", "RO-DAKAR", "RO-Dakar"), ("recipient", "hq", "HQ"), ("recipient", "HQ ", "HQ"),
])
def test_an_office_code_not_written_as_fieldplan_writes_it_is_refused(
        hq, make_office, tmp_path: Path, field: str, code: str, canonical: str) -> None:
    """"hq" is headquarters' code as a person may type it, never as a bundle writes it:
    taken as written, it would be an office of its own beside HQ (its key trusted for
    "hq", its reports a separate office in every list, digest and export)."""
    make_office("BN")  # enrolled: "BN" is an office HQ knows
    stranger = minisign.generate_key()
    path = tmp_path / "odd-code.fieldplan"
    manifest = {"kind": "sync", "plan_id": hq.plan_id, "sender": "c" * 32, "office": "BN",
                "recipient": "HQ", "ranges": {}, "acks": {}} | {field: code}
    bundlefmt.write_bundle(path, manifest, [], stranger)
    before = snapshot(hq)
    assert verify_bundle(hq, path)["valid"] is False
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected", outcome
    assert outcome.reason == (f"manifest.json: bad '{field}': the office code '{code}' is "
                              f"written '{canonical}'")
    assert not list_quarantine(hq)  # nothing to trust, no key registered for "hq"
    assert snapshot(hq) == before


def test_a_setup_bundle_for_an_office_code_in_another_form_is_refused(
        hq, tmp_path: Path) -> None:
    """An office computer set up as office "ml" would be an office apart too."""
    from fieldplan.errors import BundleError
    from fieldplan.sync import enroll_office, init_from_setup

    real = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", real)
    with bundlefmt.open_bundle(real) as b:
        fields = {k: b.manifest[k] for k in ("kind", "plan_id", "sender", "office",
                                             "recipient", "ranges", "acks", "enrolment")}
        lines = list(b.iter_lines())
    before = snapshot(hq)
    for label, edit, said in (
            ("recipient", {"recipient": "ml"}, "the office code 'ml' is written 'ML'"),
            ("office", {"office": "hq"}, "the office code 'hq' is written 'HQ'")):
        odd = tmp_path / f"odd-{label}.fieldplan"
        bundlefmt.write_bundle(odd, fields | edit, lines, keyreg.secret_key(hq))
        with pytest.raises(BundleError) as caught:
            init_from_setup(tmp_path / f"{label}.sqlite3", odd)
        assert str(caught.value) == f"manifest.json: bad '{label}': {said}"
        assert not (tmp_path / f"{label}.sqlite3").exists()
    assert snapshot(hq) == before


def test_long_manifest_values_are_cut_in_the_reason(hq, tmp_path: Path) -> None:
    """A bundle's kind, plan or office may be megabytes long: the reason quoting it stays
    one readable line, its control characters shown escaped."""
    stranger = minisign.generate_key()
    cases = {
        "kind": ("unknown bundle kind 'sync\\x1b]0;PWNED\\x07xx",
                 {"kind": "sync\x1b]0;PWNED\x07" + "x" * 100_000}),
        "plan_id": ("bundle is for plan 'pp", {"plan_id": "p" * 100_000}),
        "office": ("manifest.json: unknown office '\\x1b[2Joo",
                   {"office": "\x1b[2J" + "o" * 100_000}),
    }
    before = snapshot(hq)
    for label, (start, edit) in cases.items():
        path = tmp_path / f"long-{label}.fieldplan"
        bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id,
                                      "sender": "c" * 32, "office": "BN", "recipient": "HQ",
                                      "ranges": {}, "acks": {}} | edit, [], stranger)
        for reason in (import_bundle(hq, path).reason, verify_bundle(hq, path)["reason"]):
            assert reason.startswith(start), (label, reason[:200])
            assert len(reason) < 200 and "…" in reason, (label, reason[:200])
            assert "\x1b" not in reason and "\x07" not in reason and "\n" not in reason
    assert not list_quarantine(hq)
    assert snapshot(hq) == before


def test_an_office_takes_bundles_from_headquarters_only(hq, make_office,
                                                        tmp_path: Path) -> None:
    """ML's key is in the registry HQ sends to SN; it still cannot write to SN."""
    ml, sn = make_office("ML"), make_office("SN")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    send(hq, sn, tmp_path)
    assert ml.meta("key_id") in keyreg.all_keys(sn)
    path = forge(ml, tmp_path, [chained(ml, "progress", f"ML|{national(ml)}|2026-S1",
                                        {"percent": 5})], recipient="SN")
    before = snapshot(sn)
    outcome = import_bundle(sn, path)
    assert outcome.outcome == "rejected" and "headquarters only" in outcome.reason
    assert snapshot(sn) == before


def test_a_revoked_computers_older_key_goes_with_it(hq, make_office, tmp_path: Path) -> None:
    """The key a rotation retired (its file stays beside the database as a backup)
    neither signs nor endorses anything once the computer is revoked."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first = keyreg.secret_key(ml)
    current = rotate_key(ml)
    send(ml, hq, tmp_path)  # HQ registers the new key and retires the first
    revoke_key(hq, current.key_id_hex)
    rid = f"ML|{national(ml)}|2026-S1"
    old_signed = tmp_path / "old-key.fieldplan"
    bundlefmt.write_bundle(old_signed, {"kind": "sync", "plan_id": ml.plan_id,
                                        "sender": ml.replica_id, "office": "ML",
                                        "recipient": "HQ", "ranges": {}, "acks": {}},
                           [chained(ml, "progress", rid, {"percent": 99})], first)
    before = snapshot(hq)
    outcome = import_bundle(hq, old_signed)
    assert outcome.outcome == "rejected" and "revoked" in outcome.reason
    # nor can the old key endorse a brand-new one
    fresh = minisign.generate_key()
    endorsement = minisign.sign(first, keyreg.ROTATION_CONTEXT + fresh.public.raw
                                + ml.replica_id.encode(), "rotation")
    rotated = tmp_path / "rotated.fieldplan"
    bundlefmt.write_bundle(rotated, {"kind": "sync", "plan_id": ml.plan_id,
                                     "sender": ml.replica_id, "office": "ML",
                                     "recipient": "HQ", "ranges": {}, "acks": {},
                                     "rotation": [{"previous_public_key":
                                                   first.public.to_base64(),
                                                   "previous_key_id": first.key_id_hex,
                                                   "signature": endorsement}]},
                           [chained(ml, "progress", rid, {"percent": 98})], fresh)
    outcome = import_bundle(hq, rotated)
    assert outcome.outcome == "rejected" and "revoked" in outcome.reason
    assert snapshot(hq) == before


def test_revoking_a_computers_earlier_key_revokes_its_current_key_everywhere(
        hq, make_office, tmp_path: Path) -> None:
    """HQ revoked a laptop's retired key: the laptop was cut off, but HQ's key list and
    the office said its current key was active, the refusal called that later key an
    earlier one, and the office kept exporting bundles HQ refused."""
    from fieldplan.errors import ValidationError
    from fieldplan.status import replica_status

    ml = registered(make_office("ML"), hq, tmp_path)
    first = ml.meta("key_id")
    current = rotate_key(ml).key_id_hex
    send(ml, hq, tmp_path)  # HQ registers the new key and retires the first
    assert keyreg.revoked_with_each(hq) == {first: [current]}
    revocation = revoke_key(hq, first)
    assert revocation.also == (current,)
    assert current in revocation.also_text() and "earlier key" in revocation.also_text()
    assert keyreg.revoked_with_each(hq) == {}  # nothing more to cut off
    # the registry holds the current key active; it is told as revoked
    assert keyreg.all_keys(hq)[current].status == "active"
    listed = keyreg.listed_keys(keyreg.all_keys(hq))[current]
    assert (listed.status, listed.revoked_with) == ("revoked", first)
    assert listed.to_dict()["revoked_with"] == first
    progress.record_progress(ml, national(ml), "2026-S1", percent=5)
    before = snapshot(hq)
    _, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "rejected"
    assert outcome.reason == (f"signed with key {current} (ML), a key of a computer whose "
                              f"key {first} was revoked")
    assert snapshot(hq) == before
    # the office learns it from HQ's next bundle, as for its own key revoked
    assert not sync_state(ml).key_revoked
    send(hq, ml, tmp_path)
    assert keyreg.own_key_status(ml) == "revoked"
    assert sync_state(ml).key_revoked
    status = replica_status(ml)
    assert status.key_status == "revoked"
    assert any(label == "Warning" and "revoked" in text for label, text in status.lines("en"))
    assert keyreg.listed_keys(keyreg.all_keys(ml))[current].status == "revoked"
    with pytest.raises(ValidationError, match="revoked"):
        export_bundle(ml, out_dir=tmp_path)


def test_an_earlier_key_of_a_revoked_computer_is_called_earlier(hq, make_office,
                                                                 tmp_path: Path) -> None:
    """Revoking the current key: a bundle of the key it replaced is an earlier key's."""
    ml = registered(make_office("ML"), hq, tmp_path)
    first = keyreg.secret_key(ml)
    current = rotate_key(ml)
    send(ml, hq, tmp_path)
    assert revoke_key(hq, current.key_id_hex).also == ()  # nothing later to cut off
    old_signed = tmp_path / "old-key.fieldplan"
    bundlefmt.write_bundle(old_signed, {"kind": "sync", "plan_id": ml.plan_id,
                                        "sender": ml.replica_id, "office": "ML",
                                        "recipient": "HQ", "ranges": {}, "acks": {}},
                           [chained(ml, "progress", f"ML|{national(ml)}|2026-S1",
                                    {"percent": 99})], first)
    outcome = import_bundle(hq, old_signed)
    assert outcome.reason == (f"signed with key {first.key_id_hex} (ML), an earlier key of "
                              "a computer whose key was revoked")


def test_revocation_ends_tokens_and_the_computers_events(hq, make_office,
                                                         tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    revoke_key(hq, ml.meta("key_id"))
    live = hq.conn.execute("SELECT count(*) FROM enrolments WHERE office = 'ML' AND "
                           "expires_at > ?", (events.utc_iso(),)).fetchone()[0]
    assert live == 0  # the token on the lost laptop no longer enrols anything
    # a new computer trusted by hand cannot carry on the revoked one's chain
    thief = minisign.generate_key()
    rid = f"ML|{national(ml)}|2026-S1"
    path = tmp_path / "thief.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": ml.plan_id, "sender": "e" * 32,
                                  "office": "ML", "recipient": "HQ", "ranges": {},
                                  "acks": {}},
                           [chained(ml, "progress", rid, {"percent": 77})], thief)
    assert import_bundle(hq, path).outcome == "quarantined"
    before = progress.digest(hq, "ML")
    [outcome] = trust_key(hq, thief.public.fingerprint)  # a person trusts the key…
    assert outcome.outcome == "rejected" and "its own events only" in outcome.reason
    assert progress.digest(hq, "ML") == before  # …the revoked chain still goes nowhere


def test_a_computer_of_another_office_cannot_be_claimed(hq, make_office,
                                                        tmp_path: Path) -> None:
    ml, sn = make_office("ML"), make_office("SN")
    for office in (ml, sn):
        progress.record_progress(office, national(office), "2026-S1", status="on-track")
        send(office, hq, tmp_path)
    intruder = minisign.generate_key()
    path = tmp_path / "claim.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": ml.plan_id,
                                  "sender": sn.replica_id, "office": "ML", "recipient": "HQ",
                                  "ranges": {}, "acks": {}},
                           [chained(ml, "progress", f"ML|{national(ml)}|2026-S1",
                                    {"percent": 3})], intruder)
    before = snapshot(hq)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected" and "belongs to SN" in outcome.reason
    assert snapshot(hq) == before and not list_quarantine(hq)


def test_a_borrowed_bundle_id_does_not_hide_the_real_bundle(hq, make_office,
                                                            tmp_path: Path) -> None:
    """Two unknown keys send bundles with one bundle id: both wait in quarantine, and
    trusting the real key merges the real bundle."""
    ml = make_office("ML")
    with store.write_transaction(ml.conn):  # no token: ML's first bundle waits for a person
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(ml, national(ml), "2026-S1", status="at-risk")
    real = export_bundle(ml, out_dir=tmp_path)
    fake = tmp_path / "fake.fieldplan"
    bundlefmt.write_bundle(fake, {"kind": "sync", "plan_id": ml.plan_id, "sender": "d" * 32,
                                  "office": "ML", "recipient": "HQ", "ranges": {}, "acks": {},
                                  "bundle_id": real.bundle_id}, [], minisign.generate_key())
    assert import_bundle(hq, fake).outcome == "quarantined"
    assert import_bundle(hq, real.path).outcome == "quarantined"
    assert len(list_quarantine(hq)) == 2
    # each says its own key's reason (the real one's row id is "<bundle id>.<key id>")
    assert all(q.reason_text().startswith(f"unknown key {q.fingerprint} ")
               for q in list_quarantine(hq))
    [outcome] = trust_key(hq, keyreg.public_key(ml).fingerprint)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq, "ML") == progress.digest(ml)
    assert [q.office for q in list_quarantine(hq)] == ["ML"]  # the fake one still waits


def test_a_clock_far_ahead_does_not_stop_the_receiver(hq, make_office,
                                                      tmp_path: Path) -> None:
    """An event dated at the very end of the clock's range is kept, but the receiver's
    own clock follows it at most a day ahead: HQ goes on writing, offices go on
    taking its bundles."""
    ml, sn = make_office("ML"), make_office("SN")
    rid = f"ML|{national(ml)}|2026-S1"
    path = forge(ml, tmp_path, [chained(ml, "progress", rid, {"percent": 1})
                                | {"hlc": events.MAX_COUNTER - 1}])
    assert import_bundle(hq, path).outcome == "merged"
    assert int(hq.meta("hlc")) < (events.wall_ms() + 2 * events.MAX_DRIFT_MS) << 16
    progress.set_period_lock(hq, "2026-S1")
    _, back = send(hq, sn, tmp_path)
    assert back.outcome == "merged", back.reason


def test_events_out_of_order_or_repeated_are_refused(scene, tmp_path: Path) -> None:
    hq, ml, _good = scene
    rid = f"ML|{national(ml)}|2026-S1"
    first = chained(ml, "progress", rid, {"percent": 30})
    twin = first | {"fields": {"percent": 31}}
    after_twin = first | {"seq": first["seq"] + 1, "fields": {"percent": 32},
                          "prev": hashlib.sha256(
                              events.canonical_json(twin).encode()).hexdigest()}
    third = first | {"seq": first["seq"] + 2, "prev": "f" * 64}
    before = snapshot(hq)
    for name, lines in (("repeated", [first, twin, after_twin]),
                        ("out-of-order", [first, third, after_twin])):
        outcome = import_bundle(hq, forge(ml, tmp_path, lines, name=f"{name}.fieldplan"))
        assert outcome.outcome == "rejected" and "out of order or repeated" in outcome.reason
        assert snapshot(hq) == before, name


def test_an_office_computer_cannot_write_a_siblings_chain(hq, make_office,
                                                          tmp_path: Path) -> None:
    ml1, ml2 = make_office("ML"), make_office("ML")
    for rep in (ml1, ml2):
        progress.record_progress(rep, national(rep), "2026-S1", status="on-track")
        send(rep, hq, tmp_path)
    send(hq, ml1, tmp_path)  # ML1 now holds ML2's events (and their last hash)
    forged = chained(ml2, "progress", f"ML|{national(ml2)}|2026-S1", {"percent": 99})
    path = forge(ml1, tmp_path, [forged], name="sibling.fieldplan")
    before = snapshot(hq)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected" and "its own events only" in outcome.reason
    assert snapshot(hq) == before
    progress.record_progress(ml2, national(ml2), "2026-S1", percent=40)
    assert send(ml2, hq, tmp_path)[1].outcome == "merged"  # the real one still goes in


def test_an_office_refuses_events_of_its_own_it_never_wrote(hq, make_office,
                                                             tmp_path: Path) -> None:
    ml = make_office("ML")
    forged = chained(ml, "progress", f"ML|{national(ml)}|2026-S1", {"percent": 99})
    path = tmp_path / "own.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id,
                                  "sender": hq.replica_id, "office": "HQ", "recipient": "ML",
                                  "ranges": {}, "acks": {}}, [forged], keyreg.secret_key(hq))
    before = snapshot(ml)
    outcome = import_bundle(ml, path)
    assert outcome.outcome == "rejected" and "never wrote" in outcome.reason
    assert snapshot(ml) == before


def test_a_headquarters_key_is_never_trusted_by_hand(hq, tmp_path: Path) -> None:
    rogue = minisign.generate_key()
    path = tmp_path / "rogue-hq.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id, "sender": "c" * 32,
                                  "office": "HQ", "recipient": "HQ", "ranges": {},
                                  "acks": {}}, [], rogue)
    outcome = import_bundle(hq, path)
    assert outcome.outcome == "rejected" and "not a known headquarters key" in outcome.reason
    assert not list_quarantine(hq)


def test_a_conflict_too_wide_for_one_resolution_is_settled_by_several(
        hq, make_office, tmp_path: Path) -> None:
    """A resolution replacing more versions than peers accept would be refused by all
    of them for ever; it was refused where it was made, and the conflict stayed open
    for good. It is settled by a chain of resolutions, each within what peers accept
    (tests/core/test_wide_conflicts.py)."""
    ml1, ml2 = make_office("ML"), make_office("ML")
    rid = f"ML|{national(ml1)}|2026-S1"
    seq, prev = events.last_event(ml1.conn, ml1.replica_id)
    lines = []
    for i in range(events.MAX_BASE_PER_FIELD + 1):  # one head each: nothing replaced
        raw = {"author": "x", "base": {}, "entity": "progress", "fields": {"percent": i},
               "hlc": (2_000_000_000_000 + i) << 16, "id": rid, "origin": ml1.replica_id,
               "prev": prev, "seq": seq + 1 + i}
        prev = hashlib.sha256(events.canonical_json(raw).encode()).hexdigest()
        lines.append(raw)
    assert import_bundle(hq, forge(ml1, tmp_path, lines, name="wide.fieldplan")).outcome \
        == "merged"
    send(hq, ml2, tmp_path)
    [conflict] = [c for c in list_conflicts(ml2) if c.field == "percent"]
    assert resolve_conflict(ml2, conflict.id, conflict.candidates[0].value_id).events == 2
    assert send(ml2, hq, tmp_path)[1].outcome == "merged"
    assert not list_conflicts(hq) and progress.digest(hq, "ML") == progress.digest(ml2)


def test_verify_reports_without_importing(scene, tmp_path: Path) -> None:
    hq, ml, good = scene
    before = snapshot(hq)
    result = verify_bundle(hq, good)
    assert result["valid"] and result["office"] == "ML" and result["events"] == 2
    assert result["replica"] == ml.replica_id and result["key_id"] == ml.meta("key_id")
    bad = tmp_path / "bad.fieldplan"
    bad.write_bytes(good.read_bytes()[:100])
    result = verify_bundle(hq, bad)
    assert not result["valid"] and result["reason"]
    assert snapshot(hq) == before
    # the office checks its own bundle before sending it: addressed to HQ, that is right
    result = verify_bundle(ml, good)
    assert result["valid"] and result["trusted"], result["reason"]


def test_verify_says_what_import_will_say(scene, tmp_path: Path) -> None:
    """A broken hash chain, events out of order, a fork of what HQ holds: only a merge
    finds them. verify merges and rolls back, so it does not call valid what import
    will reject, and changes nothing."""
    hq, ml, _good = scene
    act = national(ml)
    rid = f"ML|{act}|2026-S1"
    first = chained(ml, "progress", rid, {"percent": 10})
    second = first | {"seq": first["seq"] + 1, "prev": "0" * 64}
    cases = {
        "broken chain": [first, second],
        "out of order": [second | {"prev": ""}, first],
    }
    before = snapshot(hq)
    for label, raw in cases.items():
        path = forge(ml, tmp_path, raw, name=f"{label.replace(' ', '-')}.fieldplan")
        result = verify_bundle(hq, path)
        outcome_reason = import_bundle(hq, path).reason
        assert not result["valid"] and result["reason"] == outcome_reason, (label, result)
        assert snapshot(hq) == before, label


def test_verify_refuses_a_setup_bundle_as_import_does(hq, make_office, tmp_path: Path) -> None:
    """The file 'office enroll CODE -o FILE' writes is for 'init --from': verify called
    it valid at an office, then import refused it. Headquarters, which wrote it, may
    check it before sending it (it said invalid there too)."""
    from fieldplan.sync import enroll_office

    ml = make_office("ML")
    setup = tmp_path / "SN-setup.fieldplan"
    enroll_office(hq, "SN", setup)
    result = verify_bundle(ml, setup)
    reason = import_bundle(ml, setup).reason
    assert not result["valid"] and result["reason"] == reason, result
    assert "init --from" in reason and result["kind"] == "setup"
    at_hq = verify_bundle(hq, setup)
    assert at_hq["valid"] and at_hq["kind"] == "setup" and at_hq["recipient"] == "SN", at_hq
    # (and its import there finds nothing new: tests/core/test_hq_own_bundles.py)
    assert import_bundle(hq, setup).outcome == "duplicate"
    # with no database, it is what 'init --from' starts from: a sound container
    assert verify_bundle(None, setup)["valid"]


def test_verify_checks_in_the_order_import_does(hq, make_office, tmp_path: Path) -> None:
    """A damaged events.jsonl in a bundle import refuses for its address or key:
    verify said "events.jsonl does not match", import the address or the key."""
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = make_office("SN")
    progress.record_progress(ml, national(ml), "2026-S1", percent=30)
    good = export_bundle(ml, out_dir=tmp_path).path
    damaged = tmp_path / "damaged.fieldplan"
    damaged.write_bytes(_rezip(good.read_bytes(), lambda ms: [
        (i, b + b"\n" if i.filename == "events.jsonl" else b) for i, b in ms]))
    assert "does not match the manifest" in import_bundle(hq, damaged).reason
    revoke_key(hq, ml.meta("key_id"))
    for rep, why in ((sn, "addressed to HQ"), (hq, "revoked")):
        result = verify_bundle(rep, damaged)
        reason = import_bundle(rep, damaged).reason
        assert why in reason and result["reason"] == reason, (rep.office, result)


@pytest.mark.skipif(shutil.which("minisign") is None, reason="Debian's minisign not installed")
def test_stock_minisign_verifies_a_real_bundle(scene, tmp_path: Path) -> None:
    _hq, ml, good = scene
    pub = tmp_path / "ml.pub"
    pub.write_text(keyreg.show_key(ml, as_minisign=True))
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(good) as zf:
        zf.extractall(out)
    ok = subprocess.run(["minisign", "-V", "-p", str(pub), "-m", str(out / "manifest.json"),
                         "-x", str(out / "manifest.json.minisig")], capture_output=True)
    assert ok.returncode == 0, ok.stderr
    manifest = out / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"ML"', b'"SN"'))
    bad = subprocess.run(["minisign", "-V", "-p", str(pub), "-m", str(manifest),
                          "-x", str(out / "manifest.json.minisig")], capture_output=True)
    assert bad.returncode != 0


_KILL_IMPORT = r"""
import os, signal, sys
from fieldplan import events
from fieldplan.replica import open_replica
from fieldplan.sync import exchange, import_bundle
exchange.BATCH = 10  # several batches, so the kill can land between them
point = int(sys.argv[3])
calls = [0]
real = events.derive
def derive(conn, evs, *rest):
    calls[0] += 1
    if calls[0] == point:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(conn, evs, *rest)
events.derive = derive
rep = open_replica(sys.argv[1])
import_bundle(rep, sys.argv[2])
os.kill(os.getpid(), signal.SIGKILL)  # after the commit, before closing
"""


def test_import_killed_midway_leaves_a_sound_database(hq, make_office,
                                                      tmp_path: Path) -> None:
    from fieldplan.sync import exchange

    ml = make_office("ML")
    for i in range(40):
        progress.record_progress(ml, national(ml, i % 3), "2026-S1", status="on-track",
                                 percent=i)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    hq.close()  # checkpoints the WAL: the file alone is the whole database
    pristine = hq.path

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(pristine, target)
        shutil.copy(str(pristine) + ".key", str(target) + ".key")
        return target

    with open_replica(copy("reference.sqlite3")) as ref:
        assert import_bundle(ref, bundle).outcome == "merged"
        want = progress.digest(ref, "ML")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    old_batch = exchange.BATCH
    for point in (1, 3, 99):
        target = copy(f"kill-{point}.sqlite3")
        proc = subprocess.run([sys.executable, "-c", _KILL_IMPORT, str(target), str(bundle),
                               str(point)], env=env, capture_output=True, timeout=60)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        with open_replica(target) as rep:
            assert rep.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            outcome = import_bundle(rep, bundle)
            assert outcome.outcome in ("merged", "duplicate"), outcome.reason
            assert progress.digest(rep, "ML") == want
    assert old_batch == exchange.BATCH


def test_full_disk_during_import_changes_nothing(hq, make_office, tmp_path: Path) -> None:
    from fieldplan.errors import StoreError

    ml = make_office("ML")
    for i in range(60):
        progress.record_progress(ml, national(ml, i % 3), "2026-S1", status="on-track",
                                 percent=i, achievements="Atelier " * 200)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    before = snapshot(hq)
    pages = hq.conn.execute("PRAGMA page_count").fetchone()[0]
    hq.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk is all but full
    with pytest.raises(StoreError, match="nothing was changed"):
        import_bundle(hq, bundle, backup=False)
    assert snapshot(hq) == before
    hq.conn.execute("PRAGMA max_page_count = 1073741823")
    assert import_bundle(hq, bundle, backup=False).outcome == "merged"


def test_malformed_headquarters_records_are_refused(hq, make_office, tmp_path: Path) -> None:
    """Even from a trusted HQ key, a damaged plan, key or lock record changes nothing."""
    from fieldplan.plan import plan_to_dict

    ml = make_office("ML")
    before = snapshot(ml)
    cases = {
        "bad plan": ("plan", hq.plan_id, {"document": {"plan": {"id": hq.plan_id}}},
                     "plan in bundle"),
        "plan under another id": ("plan", "other", {"document": plan_to_dict(hq.plan())},
                                  "holds"),
        # a field a newer fieldplan may write: said so, not taken for damage
        "plan with extra fields": ("plan", hq.plan_id, {"document": {}, "x": 1},
                                   "unknown field 'x', probably written by a newer"),
        "bad key status": ("key", hq.meta("key_id"), {"status": "owned"}, "malformed key"),
        # a revocation's scope: "replica" only, and only with the revocation
        "bad key scope": ("key", hq.meta("key_id"), {"status": "revoked", "scope": "all"},
                          "malformed key"),
        "key scope alone": ("key", hq.meta("key_id"), {"scope": "replica"}, "malformed key"),
        "key scope of a retirement": ("key", hq.meta("key_id"),
                                      {"status": "retired", "scope": "replica"},
                                      "malformed key"),
        # an office code as no bundle writes it: "hq" would be an office of its own
        "key of an office in lower case": ("key", hq.meta("key_id"), {"office": "hq"},
                                           "malformed key"),
        "key of an office with a space": ("key", hq.meta("key_id"), {"office": "HQ "},
                                          "malformed key"),
        "key of no office": ("key", hq.meta("key_id"), {"office": "XX"}, "malformed key"),
        "bad lock": ("lock", "2026-S1", {"locked": "yes"}, "malformed period lock"),
    }
    for label, (entity, entity_id, fields, reason) in cases.items():
        raw = chained(hq, entity, entity_id, fields)
        path = tmp_path / f"{label.replace(' ', '-')}.fieldplan"
        bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id,
                                      "sender": hq.replica_id, "office": "HQ",
                                      "recipient": "ML", "ranges": {}, "acks": {}},
                               [raw], keyreg.secret_key(hq))
        outcome = import_bundle(ml, path)
        assert outcome.outcome == "rejected", (label, outcome)
        assert reason in outcome.reason, (label, outcome.reason)
        assert snapshot(ml) == before


def test_the_inbox_speaks_the_language_of_its_reader(hq, make_office, tmp_path: Path) -> None:
    """HQ staff read the inbox in their own language, whoever imported the bundle and
    in whatever language."""
    from fieldplan import i18n
    from fieldplan.sync import list_inbox

    ml = registered(make_office("ML"), hq, tmp_path)
    act = national(ml)
    junk = tmp_path / "invoice.fieldplan"
    junk.write_text("not a bundle\n")
    forged = forge(ml, tmp_path, [chained(ml, "progress", f"SN|{act}|2026-S1",
                                          {"percent": 1})])
    i18n.set_language("fr")
    try:
        outcomes = [import_bundle(hq, junk), import_bundle(hq, forged)]
    finally:
        i18n.set_language("en")
    assert [o.outcome for o in outcomes] == ["rejected", "rejected"]
    entries = list_inbox(hq)[:2]
    by_file = {e.file: e for e in entries}
    french = by_file[forged.name].reason  # as written, in the language of the import
    english = by_file[forged.name].reason_text("en")
    arabic = by_file[forged.name].reason_text("ar")
    assert english.endswith("writes progress of SN; only SN's replicas may")
    assert english.startswith("event ") and " of ML " in english
    assert french.startswith("événement ") and "SN" in french
    assert "SN" in arabic and "ML" in arabic and not any("a" <= c <= "z" for c in arabic)
    assert by_file[forged.name].reason_text("fr") == french
    assert by_file[junk.name].reason_text("en") != by_file[junk.name].reason
    assert by_file[forged.name].to_dict()["reason"] == english  # the current language
    # a row written before reasons were kept (or by a message this version lacks)
    hq.conn.execute("UPDATE inbox SET reason_msg = '{\"id\": 3}' WHERE file_name = ?",
                    (junk.name,))
    old = {e.file: e for e in list_inbox(hq)}[junk.name]
    assert old.reason_text("ar") == old.reason


def test_every_refusal_is_kept_in_the_readers_language(hq, make_office,
                                                       tmp_path: Path) -> None:
    """A truncated bundle, one a copy gave CRLF line ends, an unknown office in a
    manifest, a damaged plan record, and a key refused: imported (or refused) in
    French, each was kept in the inbox as written only ("archive ZIP tronquée…"
    under an English heading of the review pack). Each is kept language-neutral."""
    from fieldplan import i18n
    from fieldplan.sync import list_inbox, refuse_key

    ml = registered(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml), "2026-S1", status="at-risk")
    good = export_bundle(ml, out_dir=tmp_path / "out").path.read_bytes()
    truncated = tmp_path / "truncated.fieldplan"
    truncated.write_bytes(good[: len(good) // 2])
    crlf = tmp_path / "crlf.fieldplan"
    # a CR a copy's line-end conversion put in inside the first file's data (where the
    # bytes 0x0A fall in a bundle varies with its keys and times: one in the table of
    # contents is another refusal, none at all no damage), not before a 0x0A: that one
    # CR LF undone gave the bundle back whole, said as a text-mode transfer (once in
    # 256 runs)
    at = next(i for i in range(100, len(good)) if good[i] != 0x0A)
    crlf.write_bytes(good[:at] + b"\r" + good[at:])
    office = forge(ml, tmp_path, [], name="office.fieldplan", office="XX")
    plan = forge(hq, tmp_path, [chained(hq, "plan", hq.plan_id, {"document": {
        "id": hq.plan_id}})], name="plan.fieldplan", recipient="ML")
    stranger = make_office("SN")
    with store.write_transaction(stranger.conn):
        stranger.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof
    progress.record_progress(stranger, national(stranger), "2026-S1", status="on-track")
    assert send(stranger, hq, tmp_path)[1].outcome == "quarantined"
    [held] = list_quarantine(hq)
    i18n.set_language("fr")
    try:
        outcomes = [import_bundle(hq, path) for path in (truncated, crlf, office)]
        outcomes.append(import_bundle(ml, plan))
        outcomes += refuse_key(hq, held.fingerprint)
    finally:
        i18n.set_language("en")
    assert [o.outcome for o in outcomes] == ["rejected"] * 5
    read = {e.file: e.reason_text("en")
            for e in [*list_inbox(hq)[:4], *list_inbox(ml)[:1]]}
    assert read[truncated.name].startswith("the bundle is cut short: its end never arrived (")
    assert read[truncated.name].endswith("; ask the sender to send it again")
    assert read[crlf.name] == ("damaged ZIP archive (its files are not where its table "
                               "of contents says); ask the sender to send it again")
    assert read[office.name].startswith("manifest.json: unknown office 'XX': ")
    assert read[plan.name].startswith("event ") and ": plan in bundle" in read[plan.name]
    assert read[held.file] == "refused: the office did not confirm the key's fingerprint"
    # and as written, in French
    assert {e.file: e.reason for e in list_inbox(hq)[:4]}[crlf.name].startswith(
        "archive ZIP endommagée")


def test_the_old_key_kept_by_a_rotation_is_private_from_its_first_byte(
        hq, make_office, monkeypatch) -> None:
    """The copy of the old key was made with shutil.copy2: created with the umask's
    mode (readable by others) and only then made owner-only, and left about by a
    rotation that failed after it. It is written as keys are: whole, owner-only."""
    import os
    import stat

    from fieldplan import files, minisign
    from fieldplan.replica import key_path, old_key_files

    ml = make_office("ML")
    modes = []
    real = files.write_atomic

    def watching(path, data, **kwargs):
        if ".old" in Path(path).name:
            modes.append(kwargs.get("private"))
        return real(path, data, **kwargs)

    monkeypatch.setattr(files, "write_atomic", watching)
    before = key_path(ml.path).read_bytes()
    rotate_key(ml)
    ((kept,),) = old_key_files(ml.path).values()
    assert kept.read_bytes() == before and modes == [True]
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(minisign, "save_secret_key", full)
    with pytest.raises(Exception):  # noqa: B017 (any error: the disk is full)
        rotate_key(ml)
    assert [len(found) for found in old_key_files(ml.path).values()] == [1]  # no copy left
    ml.close()


def test_a_laptop_set_up_before_its_office_reported_gets_the_reports_since(
        hq, make_office, tmp_path: Path) -> None:
    """Laptop 2, set up while laptop 1 had not reported, has not reported yet: HQ's
    bundle for the office carried only what laptop 1's receipts lacked, so laptop 2
    never got laptop 1's reports (its staff typed them again, making conflicts)."""
    one = make_office("ML", "one")
    two = make_office("ML", "two")  # set up now: holds nothing of laptop 1
    act = national(one)
    progress.record_progress(one, act, "2026-S2", status="on-track", percent=40)
    send(one, hq, tmp_path)
    _result, outcome = send(hq, two, tmp_path)
    assert outcome.outcome == "merged"
    assert progress.get_report(two, act, "2026-S2").percent == 40
    assert progress.digest(two, office="ML") == progress.digest(hq, office="ML")
    # once laptop 2 has reported, its receipts say what it holds: HQ's bundles for ML
    # carry no more of laptop 1's events than they need to
    send(two, hq, tmp_path)
    again, _outcome = send(hq, two, tmp_path)
    assert one.replica_id not in result_origins(again.path)


def test_a_lone_laptop_is_not_sent_its_own_reports_back(hq, make_office,
                                                       tmp_path: Path) -> None:
    """The office's only computer reported: its setup bundle no longer holds HQ's
    bundles back to what it carried."""
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S2", status="on-track")
    send(ml, hq, tmp_path)
    result, _outcome = send(hq, ml, tmp_path)
    assert not any(o == ml.replica_id for o in result_origins(result.path))


def result_origins(path) -> set[str]:
    from fieldplan import bundle as bundlefmt

    with bundlefmt.open_bundle(path) as b:
        return set(b.manifest["ranges"])


def test_a_change_made_while_another_laptop_submitted_is_a_conflict(
        hq, make_office, tmp_path: Path) -> None:
    """Laptop 1 submitted the period while laptop 2, offline, changed a report: HQ
    showed the report submitted with laptop 2's percent, which nobody submitted, and
    no conflict. A change says it is made to a draft: with the submission, a conflict
    on the report's state, and a person chooses."""
    from fieldplan.sync import list_conflicts

    one = make_office("ML", "one")
    two = make_office("ML", "two")
    act = national(one)
    progress.record_progress(one, act, "2026-S2", status="on-track", percent=30)
    send(one, hq, tmp_path)
    send(hq, two, tmp_path)  # laptop 2 holds it: the two are in step
    progress.submit_period(one, "2026-S2")
    progress.record_progress(two, act, "2026-S2", percent=77)  # offline, unseen by one
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    [conflict] = list_conflicts(hq)
    assert conflict.field == "state"
    assert sorted(c.value for c in conflict.candidates) == ["draft", "submitted"]
    assert progress.get_report(hq, act, "2026-S2", "ML").percent == 77  # (nothing lost)
    for rep in (one, two):
        send(hq, rep, tmp_path)
    assert len(list_conflicts(one)) == len(list_conflicts(two)) == 1
    assert progress.digest(one) == progress.digest(two) == progress.digest(hq, office="ML")


def test_a_change_after_the_laptop_s_own_draft_was_seen_is_a_conflict_too(
        hq, make_office, tmp_path: Path) -> None:
    """Laptop 2's draft reached laptop 1, which submitted over it; laptop 2 changed
    the report again: that change too is one the submission did not cover."""
    from fieldplan.sync import list_conflicts

    one = make_office("ML", "one")
    two = make_office("ML", "two")
    act = national(two)
    progress.record_progress(two, act, "2026-S2", status="on-track", percent=30)
    send(two, hq, tmp_path)
    send(hq, one, tmp_path)
    progress.submit_period(one, "2026-S2")  # over laptop 2's draft, seen
    progress.record_progress(two, act, "2026-S2", percent=80)  # offline again
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    [conflict] = list_conflicts(hq)
    assert conflict.field == "state"


def test_a_draft_s_state_is_written_again_only_once_a_bundle_carried_it(
        hq, make_office, tmp_path: Path) -> None:
    """The state goes with a change only when another computer may have seen the
    draft it shows (a bundle carried it): saves in a row write it once."""
    ml = make_office("ML")
    act = national(ml)

    def last_fields() -> set[str]:
        body = ml.conn.execute("SELECT body FROM events WHERE origin = ? ORDER BY seq DESC "
                               "LIMIT 1", (ml.replica_id,)).fetchone()[0]
        return set(events.parse_event(body).fields)

    progress.record_progress(ml, act, "2026-S2", status="on-track")
    assert "state" in last_fields()
    progress.record_progress(ml, act, "2026-S2", percent=10)
    assert last_fields() == {"percent"}
    export_bundle(ml, out_dir=tmp_path)  # the draft may be seen elsewhere from now on
    progress.record_progress(ml, act, "2026-S2", percent=20)
    assert last_fields() == {"percent", "state"}
    progress.record_progress(ml, act, "2026-S2", percent=30)
    assert last_fields() == {"percent"}


def test_setting_up_from_an_ordinary_bundle_says_what_to_ask_for(hq, make_office,
                                                                 tmp_path: Path) -> None:
    """The office user (in the client's first screen too) is told what to ask for, not
    headquarters' command."""
    from fieldplan.errors import BundleError
    from fieldplan.sync import init_from_setup

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    ordinary = export_bundle(ml, out_dir=tmp_path).path
    with pytest.raises(BundleError) as caught:
        init_from_setup(tmp_path / "new.sqlite3", ordinary)
    assert str(caught.value) == ("not a setup bundle (a bundle of data to import, perhaps); "
                                 "ask headquarters for this office's setup bundle")
    assert not (tmp_path / "new.sqlite3").exists()


def test_two_imports_of_one_bundle_at_once_register_its_key_once(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client and a command import an office's first bundle at once: each finds
    its key new before taking the write lock. The second to write finds it on record
    (the first registered it meanwhile) and records no second registration."""
    from fieldplan.sync import exchange

    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    written = export_bundle(ml, out_dir=tmp_path)
    real_check = exchange._check_key
    raced = []

    def check_then_another_imports(rep, b, m):
        decided = real_check(rep, b, m)
        if not raced:  # the other program's import, between this check and the write
            raced.append(decided)
            other = open_replica(hq.path)
            try:
                assert import_bundle(other, written.path).outcome == "merged"
            finally:
                other.close()
        return decided

    monkeypatch.setattr(exchange, "_check_key", check_then_another_imports)
    outcome = import_bundle(hq, written.path)
    assert isinstance(raced[0], tuple) and raced[0][0] == "new"
    assert outcome.outcome == "duplicate"
    key_id = ml.meta("key_id")
    assert hq.conn.execute("SELECT count(*) FROM events WHERE entity = 'key' AND "
                           "entity_id = ?", (key_id,)).fetchone()[0] == 1
    assert keyreg.all_keys(hq)[key_id].status == "active"


def test_a_bundle_sent_to_the_wrong_computer_says_where_it_goes(hq, make_office,
                                                                tmp_path: Path) -> None:
    """A second laptop importing the first one's bundle, or HQ its own bundle for an
    office, was told only "bundle is addressed to HQ, not to ML": the reason now says
    where the bundle goes."""
    a, b = make_office("ML"), make_office("ML")
    sn = registered(make_office("SN"), hq, tmp_path)
    registered(a, hq, tmp_path)
    registered(b, hq, tmp_path)
    progress.record_progress(a, national(a), "2026-S1", percent=30)
    (tmp_path / "a").mkdir()
    laptop = export_bundle(a, out_dir=tmp_path / "a").path
    before = snapshot(b)
    refused = import_bundle(b, laptop)
    assert refused.outcome == "rejected" and snapshot(b) == before
    assert refused.reason == (
        "bundle is addressed to HQ, not to ML: it comes from another computer of ML, and an "
        "office's computers exchange their data through headquarters (send it there; "
        "headquarters' next bundle brings it here)")
    (tmp_path / "hq").mkdir()
    for_ml = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq").path
    # (HQ's own bundle met again is a duplicate: tests/core/test_hq_own_bundles.py)
    again = import_bundle(hq, for_ml)
    assert again.outcome == "duplicate"
    assert again.reason == ("headquarters wrote this bundle for ML: nothing new here; send "
                            "it to ML")
    # another office's bundle from headquarters: whose it is, and where to get one's own
    # (it said only "bundle is addressed to ML, not to SN")
    refused = import_bundle(sn, for_ml)
    assert refused.reason == ("bundle is addressed to ML, not to SN: headquarters wrote it "
                              "for ML; send it there, and ask headquarters for the bundle "
                              "for SN")
    # another office's bundle for headquarters
    refused = import_bundle(sn, laptop)
    assert refused.outcome == "rejected"
    assert refused.reason == ("bundle is addressed to HQ, not to SN: ML wrote it for "
                              "headquarters; send it there")


def test_an_office_importing_its_own_bundle_is_told_to_send_it(hq, make_office,
                                                               tmp_path: Path) -> None:
    """An office computer importing the bundle it just wrote (picked up again from the
    stick) was told "it comes from another computer of ML": it is this one's. (Nothing
    new here, a duplicate: tests/core/test_office_own_bundles.py.)"""
    ml = registered(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml), "2026-S1", percent=30)
    (tmp_path / "own").mkdir()
    own = export_bundle(ml, out_dir=tmp_path / "own").path
    before = snapshot(ml)
    again = import_bundle(ml, own)
    assert again.outcome == "duplicate" and snapshot(ml) == before
    assert again.reason == ("this computer wrote this bundle for headquarters: nothing new "
                            "here; send it to headquarters")


def test_replacing_a_version_headquarters_never_held_is_refused(hq, make_office,
                                                                tmp_path: Path) -> None:
    """An office computer's event may replace only versions it saw, which reach it
    through headquarters: one naming a sibling's versions not written yet hid that
    sibling's next saves, at HQ and then on the sibling itself, with no conflict to
    show (found by an outside review). A version HQ holds may be replaced."""
    from fieldplan.sync import list_conflicts

    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    act = national(a)
    rid = f"ML|{act}|2026-S1"
    progress.record_progress(b, act, "2026-S1", status="on-track", percent=10)
    send(b, hq, tmp_path)
    send(hq, a, tmp_path)  # A sees B's version 10
    b_seq = events.last_event(b.conn, b.replica_id)[0]
    seen = f"{b.replica_id}:{b_seq}"
    forged = chained(a, "progress", rid, {"percent": 20}) | {"base": {"percent": [
        seen, *(f"{b.replica_id}:{b_seq + i}" for i in range(1, 4))]}}
    before = snapshot(hq)
    outcome = import_bundle(hq, forge(a, tmp_path, [forged], name="future.fieldplan"))
    assert outcome.outcome == "rejected"
    assert outcome.reason == (
        f"event {forged['seq']} of ML replaces a version of 'percent' that headquarters "
        f"never held (event "
        f"{b_seq + 1} of replica {b.replica_id[:8]}): no computer can have seen it")
    assert snapshot(hq) == before
    # B's next save is no one's to hide
    progress.record_progress(b, act, "2026-S1", percent=90)
    send(b, hq, tmp_path)
    assert progress.get_report(hq, act, "2026-S1", office="ML").percent == 90
    # replacing the versions A saw is what an edit does
    send(hq, a, tmp_path)
    progress.record_progress(a, act, "2026-S1", percent=30)
    assert send(a, hq, tmp_path)[1].outcome == "merged"
    assert progress.get_report(hq, act, "2026-S1", office="ML").percent == 30
    assert list_conflicts(hq) == []


def test_a_replica_id_an_office_bundle_makes_up_is_quoted_on_one_line(hq, make_office,
                                                                      tmp_path: Path) -> None:
    """A replica id is the bundle's word where headquarters knows no such replica (an
    event of another one, a version replaced): quoted as any other value a file gives,
    one line, no control character, no bidi override. The refusal's reason, kept in
    the inbox and shown by the client, broke into two lines and reversed the rest."""
    ml = registered(make_office("ML"), hq, tmp_path)
    act = national(ml)
    rid = f"ML|{act}|2026-S1"
    made_up = "ab\ncd\u202eef"
    other = chained(ml, "progress", rid, {"percent": 20}) | {"origin": made_up, "seq": 1,
                                                             "prev": ""}
    refused = import_bundle(hq, forge(ml, tmp_path, [other], name="other.fieldplan"))
    assert refused.reason == ("events.jsonl line 1 carries events of replica ab cdef; "
                              "an office computer sends its own events only")
    unseen = chained(ml, "progress", rid, {"percent": 20}) | {"base": {"percent": [
        f"{made_up}:7"]}}
    refused = import_bundle(hq, forge(ml, tmp_path, [unseen], name="unseen.fieldplan"))
    assert refused.reason == (
        f"event {unseen['seq']} of ML replaces a version of 'percent' that headquarters "
        f"never held (event 7 of replica ab cdef): no computer can have seen it")
    assert "\n" not in "".join(e.reason for e in list_inbox(hq))


def test_a_line_an_earlier_fieldplan_stored_in_another_form_still_reaches_the_offices(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """HQ refuses an office's event line that is not in canonical form; one an earlier
    fieldplan took (stored as it came) is relayed as stored, and the office's other
    computers take it: refused there, every bundle of HQ's was refused, for good."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    send(a, hq, tmp_path)
    line = events.canonical_json(chained(a, "progress", f"ML|{national(a)}|2026-S1",
                                         {"status": "on-track"})).replace(
        '"author":', '"author": ').encode()
    path = forge(a, tmp_path, [line], name="spaced.fieldplan")
    with monkeypatch.context() as m:  # as an earlier fieldplan took it
        m.setattr(events, "_not_canonical", lambda raw, body: False)
        assert import_bundle(hq, path).outcome == "merged"
    assert send(hq, b, tmp_path)[1].outcome == "merged"
    assert progress.digest(b, "ML") == progress.digest(hq, "ML")
