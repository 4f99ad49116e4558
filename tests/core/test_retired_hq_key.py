"""A key headquarters rotated out (retired) signed its bundles until the rotation; one
arriving late is taken (test_sync's out-of-rotation-order test). Past the record of
its retirement it signs nothing: headquarters rotates a key that leaked (it cannot
revoke its own), and the old key must not go on writing headquarters' records."""

from __future__ import annotations

import uuid
from pathlib import Path

from test_sync import registered, send, snapshot

from fieldplan import bundle as bundlefmt
from fieldplan import events, progress
from fieldplan.sync import import_bundle, rotate_key
from fieldplan.sync import keys as keyreg


def _forged_lock(hq, office, old, path: Path, period: str = "2026-S1") -> Path:
    """A bundle for ``office`` signed by headquarters' retired key ``old``, carrying
    one more event of headquarters' replica: a period lock the real one never wrote."""
    seq, prev = events.last_event(office.conn, hq.replica_id)
    event = {"author": "hq", "base": {}, "entity": "lock", "fields": {"locked": True},
             "hlc": (events.wall_ms() << 16) + 5, "id": period, "origin": hq.replica_id,
             "prev": prev, "seq": seq + 1}
    manifest = {"kind": "sync", "plan_id": hq.plan_id, "sender": hq.replica_id,
                "office": "HQ", "recipient": office.office,
                "ranges": {hq.replica_id: [seq + 1, seq + 1]}, "acks": {},
                "bundle_id": uuid.uuid4().hex}
    bundlefmt.write_bundle(path, manifest, [event], old)
    return path


def test_a_retired_headquarters_key_writes_nothing_after_its_retirement(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    old = keyreg.secret_key(hq)
    rotate_key(hq)
    _, outcome = send(hq, ml, tmp_path)  # the office learns of the rotation
    assert outcome.outcome == "merged", outcome.reason
    assert keyreg.all_keys(ml)[old.key_id_hex].status == "retired"
    before = snapshot(ml)
    forged = import_bundle(ml, _forged_lock(hq, ml, old, tmp_path / "old-key.fieldplan"))
    assert forged.outcome == "rejected"
    assert "\n" not in forged.reason
    assert f"key {old.key_id_hex}" in forged.reason and "retired" in forged.reason
    assert snapshot(ml) == before
    assert "2026-S1" not in progress.locked_periods(ml)
    # headquarters' real next event still follows: no fork left behind
    progress.set_period_lock(hq, "2026-S2")
    _, outcome = send(hq, ml, tmp_path)
    assert outcome.outcome == "merged", outcome.reason
    assert "2026-S2" in progress.locked_periods(ml)
