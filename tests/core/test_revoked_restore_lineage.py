"""Headquarters revoked a laptop that had been put back from a backup (its key renews
an earlier replica of the same computer), then was itself put back from a backup
taken before it ever registered the laptop: the revocation it makes again from the
replaced database's summary still cuts off the whole computer, earlier keys too."""

from __future__ import annotations

from pathlib import Path

from test_sync import national, restored, send

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle, revoke_key
from fieldplan.sync import keys as keyreg


def test_an_earlier_key_stays_refused_after_headquarters_is_put_back(
        hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    before = store.backup(hq.conn, hq.path, "manual")  # HQ knows none of ML's keys
    ml.backup("manual")
    first = ml.replica_id
    progress.record_progress(ml, national(ml, 1), "2026-S1", status="at-risk",
                             achievements="written after the laptop's backup")
    (tmp_path / "late").mkdir()
    late = export_bundle(ml, out_dir=tmp_path / "late").path  # signed by the first key
    ml = restored(ml)  # continues as a new replica, with a new key
    progress.record_progress(ml, national(ml, 2), "2026-S1", status="on-track")
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    keys = keyreg.all_keys(hq)
    assert keys[ml.meta("key_id")].renews == first
    revoke_key(hq, ml.meta("key_id"))
    assert import_bundle(hq, late).outcome == "rejected"
    path = hq.path
    hq.close()
    for newer in store.list_backups(path):
        if newer != before:
            newer.unlink()
    store.restore_backup(path, before, force=True)
    hq2 = open_replica(path)
    try:
        info = keyreg.all_keys(hq2)[ml.meta("key_id")]
        assert (info.status, info.replica, info.renews) == ("revoked", ml.replica_id, first)
        assert keyreg.revoked_replica(hq2, first) is not None
        outcome = import_bundle(hq2, late)
        assert outcome.outcome == "rejected", outcome
        assert hq2.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                                (first,)).fetchone()[0] == 0
    finally:
        hq2.close()
        ml.close()
