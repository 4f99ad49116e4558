"""What headquarters' bundles carry for a laptop's replica that a restore continues:
the same bundle imported twice is no sign of a copy still in use."""

from __future__ import annotations

from pathlib import Path

from scenes import restored, round_trips, send

from fieldplan import progress
from fieldplan.sync import export_bundle, import_bundle
from fieldplan.sync.fork import copies_to_prove


def test_an_old_bundle_imported_again_is_no_copy_in_use(hq, make_office,
                                                       tmp_path: Path) -> None:
    """A laptop put back from its backup goes on as a new replica. Its bundle from
    before the restore, imported at headquarters a second time (found again on the
    stick, mailed twice), was taken for a bundle its old database wrote after the
    restore: a copy of it still in use. Every bundle for the office then carried the
    new replica's registration and the events before it, for ever, since that old
    database never imports again."""
    ml = make_office("ML")
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    old, _outcome = send(ml, hq, tmp_path)  # (its export took the laptop's backup)
    round_trips(hq, ml, tmp_path)
    ml = restored(ml)
    try:
        progress.record_progress(ml, code, "2026-S1", percent=30)
        round_trips(ml, hq, tmp_path)
        assert import_bundle(hq, old.path).outcome == "duplicate"
        assert copies_to_prove(hq, "ML") == {}
        round_trips(hq, ml, tmp_path, rounds=3)
        assert export_bundle(hq, for_office="ML", out_dir=tmp_path).events == 0
    finally:
        ml.close()
