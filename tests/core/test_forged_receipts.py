"""A receipt naming more of headquarters' events than it ever sent (a forged or damaged
office bundle) must not make headquarters take a new identity and key, as a database
that went back does (``replica.receipt_limit``); a database that did go back still
renews (tests/core/test_restore_lost, test_fork_unseen, test_write_mark)."""

from __future__ import annotations

from pathlib import Path

from scenes import forget_write_marks
from test_sync import national, registered, send

from fieldplan import events, progress, writemark
from fieldplan.replica import open_replica
from fieldplan.status import replica_status
from fieldplan.sync import export as exportmod
from fieldplan.sync import fork, import_bundle, sync_state

S1 = "2026-S1"


def forged_receipt(monkeypatch, hq, seq: int) -> None:
    """The office's next export claims it holds headquarters' replica up to ``seq``."""
    holdings = events.holdings

    def claiming(conn, origins=None):
        return {**holdings(conn, origins), hq.replica_id: seq}

    monkeypatch.setattr(exportmod.events, "holdings", claiming)


def warnings(rep) -> dict[str, str]:
    return {k: v for k, v in replica_status(rep).lines("en") if k in ("Warning", "Lost")}


def test_a_forged_receipt_does_not_renew_headquarters(hq, make_office, tmp_path: Path,
                                                      monkeypatch) -> None:
    sn = registered(make_office("SN"), hq, tmp_path)
    identity = (hq.replica_id, hq.meta("key_id"))
    said = warnings(hq)
    held = events.last_event(hq.conn, hq.replica_id)[0]
    progress.record_progress(sn, national(sn, 1), S1, status="at-risk", percent=10)
    forged_receipt(monkeypatch, hq, 1_000_000)
    _, outcome = send(sn, hq, tmp_path)
    # the office's data is merged; its receipt is taken as far as HQ ever sent
    assert outcome.outcome == "merged" and outcome.events_new > 0
    assert progress.digest(hq, "SN") == progress.digest(sn, "SN")
    assert outcome.false_receipt == (
        f"SN says it holds this computer's changes up to number 1000000, but this "
        f"computer never sent any past number {held}: its receipt was taken as {held} "
        f"(a damaged or forged file; nothing else changes here)")
    assert outcome.line().endswith(outcome.false_receipt)
    assert outcome.to_dict()["false_receipt"] == outcome.false_receipt
    assert hq.conn.execute("SELECT max(seq) FROM acks WHERE origin = ?",
                           (hq.replica_id,)).fetchone()[0] == held
    # no new identity or key, no false "lost" warning: now, nor at the next opening
    assert (hq.replica_id, hq.meta("key_id")) == identity and warnings(hq) == said
    path = hq.path
    hq.close()
    with open_replica(path) as again:
        assert (again.replica_id, again.meta("key_id")) == identity
        assert warnings(again) == said


def test_a_receipt_within_what_was_held_is_stored_as_it_is(hq, make_office,
                                                           tmp_path: Path) -> None:
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, sn, tmp_path)
    _, outcome = send(sn, hq, tmp_path)
    assert outcome.false_receipt == "" and outcome.to_dict()["false_receipt"] == ""


def test_without_a_whole_write_mark_a_receipt_is_taken_as_it_says(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """The write mark lost (another computer, a disk image put back): only receipts can
    tell a database that went back, so they are believed, as before."""
    sn = registered(make_office("SN"), hq, tmp_path)
    first = hq.replica_id
    path = hq.path
    hq.close()
    forget_write_marks()
    with open_replica(path) as hq_again:
        forged_receipt(monkeypatch, hq_again, events.last_event(
            hq_again.conn, first)[0] + 3)
        _, outcome = send(sn, hq_again, tmp_path)
        assert outcome.outcome == "merged" and not outcome.false_receipt
        assert hq_again.replica_id != first


def test_a_bundle_is_written_once_the_mark_covers_it(hq, make_office,
                                                     tmp_path: Path) -> None:
    """A save's mark may be held back a few seconds; an export writes it first, so that
    no peer holds an event of this replica its whole mark does not cover."""
    make_office("ML")
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, S1,
                             status="on-track")  # (marked a moment later, not at once)
    seq, _ = events.last_event(hq.conn, hq.replica_id)
    send(hq, make_office("SN"), tmp_path)
    mark = writemark.read(hq.replica_id)
    assert mark is not None and mark.whole and mark.seq == seq


def test_a_forged_receipt_hash_does_not_say_headquarters_forked(
        hq, make_office, tmp_path: Path) -> None:
    """An office's signed bundle whose receipt names headquarters' event with another
    hash (forged, or an office's bug): headquarters' whole write mark says its history
    never went back, so it is not told to put back a backup (which would lose every
    change since)."""
    from test_sync import forge

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    said = warnings(hq)
    seq = events.last_event(hq.conn, hq.replica_id)[0]
    path = forge(ml, tmp_path, [], acks={hq.replica_id: seq},
                 ack_hashes={hq.replica_id: "0" * 64})
    assert import_bundle(hq, path).outcome == "merged"
    assert fork.hq_forks(hq) == [] and warnings(hq) == said
    assert not [t for k, t in replica_status(hq).lines("en") if k == "Forked history"]


def test_a_forged_receipt_hash_of_the_replica_a_restore_continues_says_no_fork(
        hq, make_office, tmp_path: Path) -> None:
    """The same of the replica a restore continues: its whole write mark of this file
    says it never went back unseen either, so a receipt naming one of its events held
    here with another hash is forged or damaged, and must not tell headquarters to put
    back a backup."""
    from test_sync import forge, restored

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    progress.record_progress(ml, national(ml, 1), S1, status="at-risk")
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, S1)
    send(hq, ml, tmp_path)
    before = hq.replica_id
    hq = restored(hq)
    try:
        send(hq, ml, tmp_path)
        send(ml, hq, tmp_path)
        held = events.last_event(hq.conn, before)[0]
        assert held > 0
        path = forge(ml, tmp_path, [], acks={before: held}, ack_hashes={before: "0" * 64})
        assert import_bundle(hq, path).outcome in ("merged", "duplicate")
        assert fork.hq_forks(hq) == []
        assert not [t for k, t in replica_status(hq).lines("en") if k == "Forked history"]
    finally:
        hq.close()


def test_a_forged_receipt_for_the_replica_a_restore_continues_lists_nothing_lost(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters put back from a backup lists the changes offices hold of its
    earlier replica and it lacks, to be made again. That replica's whole write mark
    says how far it ever wrote: a receipt past it (a forged or damaged office bundle)
    must not have hundreds of changes that never were made again."""
    from test_sync import forge, restored

    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    progress.record_progress(ml, national(ml, 1), S1, status="at-risk")
    send(ml, hq, tmp_path)  # (HQ backs up before this import)
    progress.set_period_lock(hq, S1)  # made after the backup: lost with it
    send(hq, ml, tmp_path)
    before = hq.replica_id
    wrote = events.last_event(hq.conn, before)[0]
    hq = restored(hq)
    try:
        send(hq, ml, tmp_path)
        send(ml, hq, tmp_path)
        assert sync_state(hq).restored["lost"] == 1
        said = warnings(hq)
        outcome = import_bundle(hq, forge(ml, tmp_path, [], acks={before: wrote + 500}))
        assert outcome.outcome == "merged"
        assert outcome.false_receipt.startswith(
            f"ML says it holds this computer's changes up to number {wrote + 500}, but "
            f"this computer never sent any past number {wrote}:")
        assert sync_state(hq).restored["lost"] == 1 and warnings(hq) == said
    finally:
        hq.close()



def test_receipts_of_computers_headquarters_never_knew_are_not_stored(
        hq, make_office, tmp_path: Path) -> None:
    """A signed office bundle's receipts name what it holds of each computer: names no
    key or event of headquarters' has tell it nothing to send, and thousands of made-up
    ones, bundle after bundle, would grow its receipts table without end."""
    from test_sync import forge

    sn = registered(make_office("SN"), hq, tmp_path)
    made_up = {f"{n:08x}-0000-4000-8000-000000000000": 7 for n in range(500)}
    real = {hq.replica_id: events.last_event(hq.conn, hq.replica_id)[0]}
    outcome = import_bundle(hq, forge(sn, tmp_path, [], acks={**real, **made_up}))
    assert outcome.outcome in ("merged", "duplicate"), outcome.reason
    stored = {o for (o,) in hq.conn.execute(
        "SELECT origin FROM acks WHERE peer = ?", (sn.replica_id,))}
    assert hq.replica_id in stored  # (the real one is kept)
    assert not stored & set(made_up)
