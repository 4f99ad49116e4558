"""An office put back from a backup: what was typed on this computer after the
backup and never sent to headquarters is gone for good (what was sent comes back
with headquarters' next bundle). The restore, status and the client's status bar say
how many changes, and which reports when the replaced file can tell."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import store
from fieldplan.cli import main
from fieldplan.replica import open_replica
from fieldplan.sync import dismiss_lost, sync_state
from tests.scenes import office_restored_after_typing


def lost_reports(restored: dict) -> list[str]:
    return [item["id"] for item in restored["lost_changes"]]


def test_what_was_typed_after_the_backup_and_never_sent_is_said_lost(
        make_office, tmp_path: Path) -> None:
    """The office's restore said only that the database continues as a new replica;
    the three reports typed after the backup were gone without a word."""
    path = office_restored_after_typing(make_office, tmp_path)
    with open_replica(path) as rep:
        restored = sync_state(rep).restored
        assert restored["never_sent"] == 3
        assert lost_reports(restored) == ["ML|PA1.2|2026-S2", "ML|PA1.3|2026-S2",
                                          "ML|PA2.1|2026-S2"]
        assert restored["lost_changes"][0]["text"].startswith(
            "ML's report on PA1.2 for 2nd semester 2026 changed (")
        # made again: a person stops the warning
        assert dismiss_lost(rep) == 3
        assert sync_state(rep).restored["never_sent"] == 0
        assert dismiss_lost(rep) == 0


def test_what_was_sent_is_not_said_lost(make_office, tmp_path: Path) -> None:
    """A bundle carried the first two: they come back with headquarters' next
    bundle."""
    path = office_restored_after_typing(make_office, tmp_path, sent=2)
    with open_replica(path) as rep:
        restored = sync_state(rep).restored
    assert restored["never_sent"] == 1
    assert lost_reports(restored) == ["ML|PA2.1|2026-S2"]


def test_the_write_mark_counts_them_when_the_replaced_file_cannot_be_read(
        make_office, tmp_path: Path, capsys) -> None:
    path = office_restored_after_typing(make_office, tmp_path, readable=False)
    with open_replica(path) as rep:
        restored = sync_state(rep).restored
    assert restored["never_sent"] == 3 and restored["lost_changes"] == []
    assert main(["--db", str(path), "status"]) == 0
    out = capsys.readouterr().out
    assert ("Warning: 3 changes made on this computer after the backup were never sent "
            "to headquarters, and are lost (which ones could not be read from the "
            "damaged file): make them again\n") in out


def test_restore_and_status_say_what_was_lost(make_office, tmp_path: Path,
                                              capsys) -> None:
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA3.1", "2026-S1", status="on-track")
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S2", status="off-track")
    record_progress(ml, "PA1.3", "2026-S2", status="off-track")
    path = ml.path
    ml.close()
    from tests.cli.test_cli_faults import damage_pages_of

    damage_pages_of(path, "progress")
    assert main(["--db", str(path), "restore"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3 and "Lost" not in out
    # on stderr, as every command's warning, each lost change after it
    err = err.splitlines()
    assert err[0] == ("fieldplan: warning: 2 changes made on this computer after the "
                      "backup were never sent to headquarters, and are lost: make them again")
    assert err[1].startswith("fieldplan: warning: Lost: ML's report on PA1.2 for "
                             "2nd semester 2026 changed (")
    assert err[2].startswith("fieldplan: warning: Lost: ML's report on PA1.3 for "
                             "2nd semester 2026 changed (")
    assert len(err) == 3
    assert main(["--db", str(path), "status"]) == 0
    said = capsys.readouterr().out
    assert ("Warning: 2 changes made on this computer after the backup were never sent "
            "to headquarters, and are lost: make them again\n") in said
    assert "Lost: ML's report on PA1.3 for 2nd semester 2026 changed (" in said
    assert main(["--db", str(path), "status", "--dismiss-lost"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Stopped warning about 2 changes the restore lost.\n")
    assert "Lost:" not in said


def test_restore_says_it_in_json(make_office, tmp_path: Path, capsys) -> None:
    from fieldplan.progress import record_progress

    ml = make_office("ML")
    record_progress(ml, "PA3.1", "2026-S1", status="on-track")
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S2", status="off-track")
    path = ml.path
    ml.close()
    path.write_bytes(b"")  # emptied: the write mark alone tells
    assert main(["--db", str(path), "--json", "restore"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["never_sent"] == 1 and done["never_sent_changes"] == []


def test_nothing_is_said_lost_when_nothing_was_typed_since_the_backup(
        make_office, tmp_path: Path, capsys) -> None:
    from tests.cli.test_cli_faults import damage_pages_of

    ml = make_office("ML")
    store.backup(ml.conn, ml.path, "manual")
    path = ml.path
    ml.close()
    damage_pages_of(path, "progress")
    assert main(["--db", str(path), "restore"]) == 0
    assert "Warning" not in capsys.readouterr().out
    with open_replica(path) as rep:
        assert sync_state(rep).restored["never_sent"] == 0


def test_what_headquarters_holds_comes_back_once_the_office_exports(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """README said it came back with headquarters' next bundle: that bundle carries
    what headquarters believes the office lacks, and only the office's next export
    tells it. Status now says so, and the round trip brings everything back."""
    from test_sync import send

    from fieldplan.progress import digest, record_progress

    ml = make_office("ML")
    record_progress(ml, "PA3.1", "2026-S1", status="on-track")
    store.backup(ml.conn, ml.path, "manual")
    record_progress(ml, "PA1.2", "2026-S2", status="off-track")
    record_progress(ml, "PA1.3", "2026-S2", status="off-track")
    send(ml, hq, tmp_path)  # headquarters holds all three
    path = ml.path
    ml.close()
    assert main(["--db", str(path), "restore", "--force"]) == 0
    capsys.readouterr()
    ml = open_replica(path)
    send(hq, ml, tmp_path)  # its receipts: headquarters holds more than the database
    assert digest(ml) != digest(hq, "ML")
    ml.close()
    assert main(["--db", str(path), "status"]) == 0
    assert ("Warning: headquarters holds 2 changes of this computer that this database "
            "lost: export to headquarters, and its next bundle brings them back\n"
            ) in capsys.readouterr().out
    ml = open_replica(path)
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    assert digest(ml) == digest(hq, "ML")
    assert sync_state(ml).restored["missing"] == 0
    ml.close()
    assert main(["--db", str(path), "status"]) == 0
    assert "headquarters holds" not in capsys.readouterr().out


def test_a_lost_change_names_its_period_in_words(make_office, tmp_path: Path) -> None:
    """A change to make again after a restore named its period "2026-S2", beside
    lines that said "PA1.1 (2nd semester 2026)", and the client's period chooser,
    which has no "2026-S2" to find."""
    from fieldplan.i18n import speaking
    from fieldplan.sync.state import lost_change_text

    item = {"entity": "progress", "id": "ML|PA1.2|2026-S2", "fields": {},
            "at": "2026-12-07T09:30:00Z", "author": "awa"}
    with speaking("fr"):
        said = lost_change_text(item)
    assert "2e semestre 2026" in said and "2026-S2" not in said
