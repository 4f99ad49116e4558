"""An office put back from a backup, after it exported a bundle that never reached
headquarters (an email lost): what that bundle carried was taken for safe ("sent"),
so the restore and status said nothing was lost while headquarters never had it.
Until headquarters answers they are said sent and not confirmed; once its receipts
show it lacks them, status names the file to import there again and the reports to
make again; the warning goes once headquarters has them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.progress import get_report
from fieldplan.replica import open_replica
from fieldplan.status import replica_status
from fieldplan.sync import dismiss_lost, import_bundle, sync_state
from fieldplan.sync.state import to_make_again
from tests.scenes import office_restored_after_a_lost_bundle, round_trips, send, ticking_clock


@pytest.fixture(autouse=True)
def _seconds_pass(monkeypatch) -> None:
    """Headquarters' bundles are written seconds after the office's export, not in
    the same second (which is not taken for an answer: ``state.note_hq_bundle``)."""
    ticking_clock(monkeypatch)


def said(rep, label: str) -> list[str]:
    return [text for name, text in replica_status(rep).lines("en") if name == label]


def test_a_bundle_headquarters_never_received_is_said_lost(hq, make_office,
                                                          tmp_path: Path) -> None:
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    with open_replica(path) as ml:
        restored = sync_state(ml).restored
        # headquarters has not answered yet: sent, not confirmed
        assert (restored["unconfirmed"], restored["not_received"]) == (1, 0)
        assert restored["never_sent"] == 0 and to_make_again(restored) == 0
        assert restored["bundle"] == lost.name
        assert said(ml, "Sent, not acknowledged yet") == [
            f"1 change made on this computer after the backup was exported in {lost.name}, "
            f"and headquarters has not confirmed it yet: PA1.2 (1st semester 2026); keep "
            f"{lost.name} until headquarters' next bundle confirms it"]
        round_trips(ml, hq, tmp_path)
        assert get_report(hq, "PA1.2", "2026-S1", office="ML") is None
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (0, 1)
        assert to_make_again(restored) == 1
        assert [c["id"] for c in restored["sent_changes"]] == ["ML|PA1.2|2026-S1"]
        warnings = said(ml, "Warning")
        assert warnings == [
            f"1 change made on this computer after the backup was exported in {lost.name}, "
            f"but headquarters' receipts show it never received it: import {lost.name} "
            f"at headquarters again if you still have it, or make this change again: "
            f"PA1.2 (1st semester 2026)"]


def test_the_warning_goes_once_headquarters_imports_the_bundle(hq, make_office,
                                                              tmp_path: Path) -> None:
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    with open_replica(path) as ml:
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
        assert sync_state(ml).restored["not_received"] == 1
        assert import_bundle(hq, lost).outcome == "merged"  # found, and imported late
        send(hq, ml, tmp_path)
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (0, 0)
        assert to_make_again(restored) == 0
        assert not said(ml, "Warning") and "exported in" not in str(
            replica_status(ml).lines("en"))
        assert get_report(ml, "PA1.2", "2026-S1", office="ML").status == "at-risk"


def test_made_again_the_warning_can_be_ended(hq, make_office, tmp_path: Path) -> None:
    path, _lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    with open_replica(path) as ml:
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
        assert dismiss_lost(ml) == 1
        restored = sync_state(ml).restored
        assert restored["not_received"] == 0 and not said(ml, "Warning")


def counts(rep) -> tuple[int, int, int]:
    restored = sync_state(rep).restored
    return restored["never_sent"], restored["unconfirmed"], restored["not_received"]


def test_ending_the_never_sent_warning_keeps_the_bundles(hq, make_office,
                                                         tmp_path: Path) -> None:
    """A report typed after the export and never sent is made again and its warning
    ended while headquarters has not answered the export: that ended the bundle's
    warning too, and once headquarters' receipts showed it never had the report,
    nothing was said. The bundle's warning stays until headquarters has it."""
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                     unsent=True)
    with open_replica(path) as ml:
        assert counts(ml) == (1, 1, 0)
        assert dismiss_lost(ml) == 1
        assert counts(ml) == (0, 1, 0)
        assert lost.name in said(ml, "Sent, not acknowledged yet")[0]
        round_trips(ml, hq, tmp_path)
        assert get_report(hq, "PA1.2", "2026-S1", office="ML") is None
        assert counts(ml) == (0, 0, 1)
        assert to_make_again(sync_state(ml).restored) == 1
        assert [f"import {lost.name} at headquarters again" in text
                for text in said(ml, "Warning")] == [True]
        assert dismiss_lost(ml) == 1  # made again too: the warning ends
        assert counts(ml) == (0, 0, 0) and not said(ml, "Warning")


def test_the_bundle_arrives_after_the_never_sent_warning_ended(hq, make_office,
                                                              tmp_path: Path) -> None:
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                     unsent=True)
    with open_replica(path) as ml:
        assert dismiss_lost(ml) == 1
        assert import_bundle(hq, lost).outcome == "merged"
        send(hq, ml, tmp_path)
        assert counts(ml) == (0, 0, 0)
        assert to_make_again(sync_state(ml).restored) == 0


def test_once_headquarters_answered_both_warnings_end_together(hq, make_office,
                                                               tmp_path: Path) -> None:
    path, _lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                      unsent=True)
    with open_replica(path) as ml:
        round_trips(ml, hq, tmp_path)
        assert counts(ml) == (1, 0, 1)
        assert dismiss_lost(ml) == 2
        assert counts(ml) == (0, 0, 0) and not said(ml, "Warning")


def test_what_headquarters_acknowledged_before_the_restore_is_safe(
        hq, make_office, tmp_path: Path) -> None:
    """A report sent after the backup and acknowledged by headquarters comes back with
    its next bundle: only the one in the lost bundle is in doubt."""
    path, _lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                      confirmed=True)
    with open_replica(path) as ml:
        restored = sync_state(ml).restored
        assert restored["unconfirmed"] == 1
        assert [c["id"] for c in restored["sent_changes"]] == ["ML|PA1.2|2026-S1"]
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
        restored = sync_state(ml).restored
        assert restored["not_received"] == 1
        assert get_report(ml, "PA1.3", "2026-S1", office="ML") is not None


def test_restore_says_the_bundle_is_not_confirmed(hq, make_office, tmp_path: Path,
                                                  capsys) -> None:
    from fieldplan import store
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S1", status="at-risk")
    lost = send(ml, hq, tmp_path)[0].path  # (imported, but the receipt never came back)
    path = ml.path
    ml.close()
    assert main(["--db", str(path), "restore", "--force"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"Sent, not acknowledged yet: 1 change made on this computer after the backup "
        f"was exported in {lost.name}, and headquarters has not confirmed it yet: PA1.2 "
        f"(1st semester 2026); keep {lost.name} until headquarters' next bundle "
        f"confirms it")
    # headquarters had it: its next bundle says so, and brings it back
    with open_replica(path) as ml:
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (0, 0)
    assert main(["--db", str(path), "--json", "status"]) == 0
    assert json.loads(capsys.readouterr().out)["restored"]["not_received"] == 0


def test_a_bundle_headquarters_wrote_before_the_export_is_no_answer(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters' bundle crossed the office's export in the mail: written before the
    export reached it, merged here after the restore, its receipts know nothing of the
    export, which may still be on its way. Not confirmed yet (it was said never
    received, to make again); once the export arrives, the next bundle confirms it."""
    from fieldplan import store
    from fieldplan.progress import record_progress, set_period_lock
    from fieldplan.sync import export_bundle

    ml = make_office("ML")
    record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S1", status="at-risk")
    set_period_lock(hq, "2025-S2")  # (news in it: merged, not a duplicate)
    for folder in ("hq-out", "mail"):
        (tmp_path / folder).mkdir()
    crossed = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq-out").path
    mail = export_bundle(ml, out_dir=tmp_path / "mail").path
    path = ml.path
    ml.close()
    store.restore_backup(path, force=True)
    with open_replica(path) as ml:
        assert import_bundle(ml, crossed).outcome == "merged"
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (1, 0)
        assert not said(ml, "Warning") and len(said(ml, "Sent, not acknowledged yet")) == 1
        assert import_bundle(hq, mail).outcome == "merged"  # it arrives
        send(hq, ml, tmp_path)
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (0, 0)


def test_a_restore_by_the_previous_version_is_not_said_unconfirmed(
        hq, make_office, tmp_path: Path) -> None:
    """A restore made by fieldplan 0.1 kept no word of what headquarters had
    acknowledged (its "sent" holds those acknowledgements too): what it exported is
    taken as received, as that version said, not said unconfirmed, which it would
    wrongly say of changes headquarters had acknowledged."""
    from fieldplan import events

    path, _lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    with open_replica(path) as ml:
        record = json.loads(ml.meta("restored"))
        assert "acked" in record
        record.pop("acked")
        events.set_meta(ml.conn, "restored", json.dumps(record))
        ml.conn.commit()
        restored = sync_state(ml).restored
        assert (restored["unconfirmed"], restored["not_received"]) == (0, 0)
        assert said(ml, "Sent, not acknowledged yet") == []


def test_many_changes_never_received_past_the_first_three_are_counted_as_changes() -> None:
    """Past the first three, the changes a bundle carried that headquarters never
    received are counted as changes, not reports ("و3 تقارير أخرى" in Arabic): one of
    them may be no report at all. Found by QA."""
    from fieldplan import i18n
    from fieldplan.status import not_received_text

    changes = [{"entity": "progress", "id": f"ML|PA1.{i}|2026-S1", "fields": {}}
               for i in range(1, 6)] + [{"entity": "conflict", "id": "7", "fields": {}}]
    restored = {"not_received": 6, "bundle": "ML-9.fieldplan", "sent_changes": changes}
    assert not_received_text(restored).endswith(
        "make these changes again: PA1.1 (1st semester 2026), PA1.2 (1st semester "
        "2026), PA1.3 (1st semester 2026) and 3 more changes")
    i18n.set_language("ar")
    try:
        said = not_received_text(restored)
    finally:
        i18n.set_language("en")
    assert "PA1.3" in said and "PA1.4" not in said
    assert "تقارير" not in said and "تقرير" not in said
