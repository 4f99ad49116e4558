"""What another program wrote to an open database (``fieldplan import`` on the command
line while the client is open) is found by a cheap check, for the client to show it
within seconds: the entities of the events it added, everything after an import or a
write of no event, nothing after this connection's own writes."""

from __future__ import annotations

from pathlib import Path

from test_sync import national, send

from fieldplan import progress
from fieldplan.replica import EVERYTHING, open_replica
from fieldplan.sync import export_bundle, import_bundle

PERIOD = "2026-S1"


def test_the_first_check_notes_where_the_database_stands(hq) -> None:
    assert hq.outside_changes() is None
    assert hq.outside_changes() is None


def test_another_programs_saves_are_named(make_office) -> None:
    office = make_office("ML")
    code = national(office)
    assert office.outside_changes() is None
    with open_replica(office.path) as other:
        progress.record_progress(other, code, PERIOD, status="at-risk")
        progress.record_progress(other, national(office, 1), PERIOD, percent=10)
    changes = office.outside_changes()
    assert changes is not None
    assert changes.names("progress", f"ML|{code}|{PERIOD}")
    assert changes.names("progress", f"ML|{national(office, 1)}|{PERIOD}")
    assert not changes.names("progress", f"ML|{national(office, 2)}|{PERIOD}")
    assert changes.events == 2 and not changes.touches("inbox")
    assert office.outside_changes() is None  # said once


def test_this_connections_own_saves_are_not_said_again(make_office) -> None:
    office = make_office("ML")
    office.outside_changes()
    progress.record_progress(office, national(office), PERIOD, status="on-track")
    assert office.outside_changes() is None
    with open_replica(office.path) as other:
        progress.record_progress(other, national(office, 1), PERIOD, status="at-risk")
    changes = office.outside_changes()
    assert changes is not None
    assert changes.entities == (("progress", f"ML|{national(office, 1)}|{PERIOD}"),)


def test_an_import_elsewhere_refreshes_everything(hq, make_office, tmp_path: Path) -> None:
    office = make_office("ML")
    progress.record_progress(office, national(office), PERIOD, status="on-track")
    bundle = export_bundle(office, out_dir=tmp_path).path
    hq.outside_changes()
    with open_replica(hq.path) as other:
        assert import_bundle(other, bundle, backup=False).outcome == "merged"
    changes = hq.outside_changes()
    assert changes == EVERYTHING
    assert changes.names("progress", f"ML|{national(office)}|{PERIOD}")
    assert changes.touches("inbox") and changes.touches("plan")


def test_a_write_of_no_event_refreshes_everything(hq, make_office, tmp_path: Path) -> None:
    office = make_office("ML")
    send(office, hq, tmp_path)
    office.outside_changes()
    with open_replica(office.path) as other:
        export_bundle(other, out_dir=tmp_path)  # notes its last export
    assert office.outside_changes() == EVERYTHING
