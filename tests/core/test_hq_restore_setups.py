"""Headquarters put back from a backup taken before an office's first bundle: the
setup bundle that office's computer was set up from no longer holds its bundles back."""

from __future__ import annotations

from pathlib import Path

from scenes import restored_from, round_trips, send

from fieldplan import progress, store
from fieldplan.sync import export_bundle
from fieldplan.sync.enrol import pending_setups


def test_a_setup_reported_before_the_restore_is_not_waited_on_again(
        hq, make_office, tmp_path: Path) -> None:
    """The backup headquarters took before it merged the office's first bundle still
    waited on the office's setup bundle (no computer had reported from it). Put back
    from that backup, headquarters waited on it again for the rest of its 90 days: the
    office's next bundles come with a key registered again, no enrolment proof, so
    nothing ended the wait, and every bundle for the office carried all of
    headquarters' and the office's events again, however often they were received."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    assert pending_setups(hq, "ML")
    send(ml, hq, tmp_path)  # (the import's backup first: it waits on the setup bundle)
    [before] = store.list_backups(hq.path)
    assert not pending_setups(hq, "ML")
    round_trips(hq, ml, tmp_path)
    hq = restored_from(hq, before)
    try:
        assert not pending_setups(hq, "ML")
        round_trips(hq, ml, tmp_path, rounds=3)
        again = export_bundle(hq, for_office="ML", out_dir=tmp_path)
        assert again.events == 0, again.path.name
    finally:
        hq.close()
