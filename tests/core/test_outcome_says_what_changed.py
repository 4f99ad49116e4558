"""What an import says a bundle did is what it did: a bundle of events all held
already that registered a key (a rotation's new key, the old one retired) changed
headquarters' registry, and is "merged", not "duplicate" (nothing new)."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress
from fieldplan.sync import export_bundle, import_bundle, list_inbox, rotate_key
from fieldplan.sync import keys as keyreg


def test_a_rotated_keys_bundle_of_known_events_is_merged(hq, make_office,
                                                         tmp_path: Path) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    first = export_bundle(ml, out_dir=tmp_path).path
    new = rotate_key(ml)
    # before headquarters' receipt came back: the same event again, with the new key
    again = export_bundle(ml, out_dir=tmp_path).path
    assert import_bundle(hq, first).outcome == "merged"
    events_before = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    outcome = import_bundle(hq, again)
    statuses = {k.public_key: k.status for k in keyreg.all_keys(hq).values()}
    assert statuses[new.to_base64()] == "active"  # (it changed the registry)
    assert hq.conn.execute("SELECT count(*) FROM events").fetchone()[0] > events_before
    assert (outcome.outcome, outcome.events_new) == ("merged", 0), outcome.line()
    assert list_inbox(hq)[0].outcome == "merged"
    # the same file again changes nothing: a duplicate
    assert import_bundle(hq, again).outcome == "duplicate"
