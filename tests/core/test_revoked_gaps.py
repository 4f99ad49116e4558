"""A revoked laptop is told of no gap for what headquarters chose not to send it.

HQ leaves a revoked computer out of its office's receipts and sends it only its key
records (``export.revocation_news``): the bundle's range of HQ's events is sparse on
purpose. The laptop took each hole for a lost bundle ("missing bundle from HQ,
events 5–8"), in the import's outcome and in 'status' for ever, though nothing it
could ever get was missing. A real gap, at a laptop that is not revoked, is still
reported, even from a bundle that carries those records for its revoked sibling."""

from __future__ import annotations

from pathlib import Path

from test_bundle_compat import manifest_of
from test_sync import registered, send

from fieldplan import progress, store
from fieldplan.status import replica_status
from fieldplan.sync import import_bundle, list_gaps, revoke_key, sync_state
from fieldplan.sync.exchange import REVOCATION_RECORDS


def hq_writes(hq, n: int) -> None:
    """``n`` events of headquarters' own (period locks and unlocks)."""
    for i in range(n):
        progress.set_period_lock(hq, "2026-S1", locked=i % 2 == 0)


def two_laptops(hq, make_office, tmp_path: Path):
    """ML's laptops A and B, HQ's events since they last heard from it held by A (its
    receipts at HQ say so), and B's key revoked."""
    a = registered(make_office("ML", "ml-a"), hq, tmp_path)
    b = registered(make_office("ML", "ml-b"), hq, tmp_path)
    hq_writes(hq, 4)
    send(hq, a, tmp_path)
    send(a, hq, tmp_path)
    revoke_key(hq, b.meta("key_id"))
    return a, b


def test_a_revoked_laptop_shows_no_gap_for_what_hq_did_not_send(
        hq, make_office, tmp_path: Path) -> None:
    a, b = two_laptops(hq, make_office, tmp_path)
    hq_writes(hq, 2)
    send(hq, a, tmp_path)
    send(a, hq, tmp_path)
    bundle, outcome = send(hq, b, tmp_path)
    assert manifest_of(bundle.path)[REVOCATION_RECORDS] > 0  # (the sparse range)
    assert outcome.outcome == "merged" and outcome.revoked_here
    assert outcome.gaps == () and outcome.gap_ranges == ()
    assert "missing bundle" not in outcome.line()
    assert list_gaps(b) == [] and sync_state(b).gaps == ()
    assert dict(replica_status(b).lines("en"))["Gaps"] == "none"
    # and so it stays: each later bundle for the office carries the records again
    hq_writes(hq, 3)
    send(hq, a, tmp_path)
    send(a, hq, tmp_path)
    assert send(hq, b, tmp_path)[1].gaps == ()
    assert sync_state(b).gaps == ()


def test_a_real_gap_at_the_laptop_not_revoked_is_still_reported(
        hq, make_office, tmp_path: Path) -> None:
    """HQ's bundle to A was lost, and HQ's receipts of A say A holds it (as after a
    bundle A imported and whose receipts reached HQ, then A's database put back):
    the next bundle, which carries B's records too, leaves A a gap it is told of."""
    a, b = two_laptops(hq, make_office, tmp_path)
    # A holds HQ's events up to ``held``; the revocation is the next (a run carries it)
    held = a.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                          (hq.replica_id,)).fetchone()[0]
    hq_writes(hq, 4)
    with store.write_transaction(hq.conn):  # as if A had acknowledged three more
        hq.conn.execute("UPDATE acks SET seq = ? WHERE peer = ? AND origin = ?",
                        (held + 3, a.replica_id, hq.replica_id))
    bundle, outcome = send(hq, a, tmp_path)
    assert manifest_of(bundle.path)[REVOCATION_RECORDS] > 0  # (the revocation, again)
    said = f"missing bundle from headquarters, events {held + 2}–{held + 3}"
    assert outcome.gaps == (said,)
    assert sync_state(a).gaps == (said,)
    # and the revoked laptop's own marks never hide it: B imports the same file
    import_bundle(b, bundle.path)
    assert sync_state(a).gaps == (said,)
