"""Headquarters put back from a backup older than an office's last bundle says which
offices' events it lost, how many, and what brings them back.

The office's receipts of headquarters' replica said HQ held those events, so the
office's next bundle left them out ("merged (no events)"): until a bundle of the
restored HQ reached the office and it exported again, HQ showed the office's figures
without them (never reported, in the review pack), and nothing said so. The restore
read the replaced database already (``store._lost_here``) but counted only HQ's own
changes."""

from __future__ import annotations

import json
from pathlib import Path

from test_sync import national, registered, send

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.status import replica_status
from fieldplan.sync import export_bundle, import_bundle, sync_state

S1 = "2026-S1"


def restored(hq, backup: Path):
    path = hq.path
    hq.close()
    store.restore_backup(path, backup, force=True)
    return open_replica(path)


def reported_after_the_backup(hq, ml, tmp_path: Path) -> tuple[Path, Path]:
    """(the backup, ML's bundle HQ merged after it): two reports of ML's, received
    after the backup, and HQ's receipts of them at ML."""
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(ml, national(ml, 1), S1, status="at-risk", percent=30)
    progress.record_progress(ml, national(ml, 2), S1, status="on-track", percent=60)
    sent, _outcome = send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # ML now holds HQ's receipts of them
    return backup, sent.path


def lost_of(rep) -> list[dict]:
    return (sync_state(rep).restored or {}).get("offices_lost", [])


def test_the_restore_names_the_office_whose_events_it_lost(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        [lost] = lost_of(hq2)
        assert (lost["office"], lost["events"]) == ("ML", 2)
        assert lost["replicas"] == [ml.replica_id] and lost["bundles"] == [sent.name]
        assert lost["text"] == (
            "the restore lost 2 events of ML that headquarters had received after the "
            "backup: ML's figures here lack them, and ML's next bundle leaves them out (its "
            "receipts say headquarters has them); import " + sent.name + " again, or send "
            "ML a bundle and import the one it exports next")
        lines = replica_status(hq2).lines("en")
        assert ("Warning", lost["text"]) in lines and ("Gaps", "none") in lines
        # (what it is not: a change of headquarters' own to make again)
        assert sync_state(hq2).restored["lost"] == 0
        # what the office sends before HQ's bundle reaches it brings nothing back
        again = export_bundle(ml, out_dir=tmp_path)
        assert again.events == 0
        import_bundle(hq2, again.path)
        assert lost_of(hq2)[0]["events"] == 2
    finally:
        hq2.close()


def test_importing_the_bundle_again_brings_them_back(hq, make_office,
                                                     tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        assert lost_of(hq2)[0]["events"] == 2
        assert import_bundle(hq2, sent).events_new == 2
        assert lost_of(hq2) == []
        assert not any(label == "Warning" for label, _text in replica_status(hq2).lines("en"))
        assert progress.digest(hq2, "ML") == progress.digest(ml)
    finally:
        hq2.close()


def test_a_bundle_to_the_office_then_its_export_brings_them_back(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    backup, _sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        assert lost_of(hq2)[0]["events"] == 2
        send(hq2, ml, tmp_path)  # its receipts: what the restored HQ holds
        assert send(ml, hq2, tmp_path)[1].events_new == 2
        assert lost_of(hq2) == []
        assert progress.digest(hq2, "ML") == progress.digest(ml)
    finally:
        hq2.close()


def test_only_the_offices_that_lost_events_are_named_with_what_is_missing(
        hq, make_office, tmp_path: Path) -> None:
    """An office whose every bundle came before the backup loses nothing; one whose
    events come back in part is named with what is still missing, and the files of
    each bundle that had brought them."""
    ml = registered(make_office("ML"), hq, tmp_path)
    sn = registered(make_office("SN"), hq, tmp_path)
    send(hq, sn, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    files = []
    for i, percent in enumerate((30, 60, 90)):
        progress.record_progress(ml, national(ml, i), S1, status="on-track",
                                 percent=percent)
        files.append(send(ml, hq, tmp_path)[0].path)
    send(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        [lost] = lost_of(hq2)
        assert (lost["office"], lost["events"]) == ("ML", 3)
        assert lost["bundles"] == [f.name for f in files]
        import_bundle(hq2, files[0])
        [lost] = lost_of(hq2)
        assert lost["events"] == 2
        for f in files[1:]:
            import_bundle(hq2, f)
        assert lost_of(hq2) == []
    finally:
        hq2.close()


def test_the_review_pack_says_so_while_the_loss_lasts(hq, make_office,
                                                      tmp_path: Path) -> None:
    """Not ML "never reported" without a word: the cover, ML's row of the offices that
    have not reported, and the exchange section say what the restore lost."""
    from test_reports import pdf_text

    from fieldplan.reports import build_review_pack

    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        text = pdf_text(build_review_pack(hq2, S1, tmp_path / "lost.pdf"))
        assert ("Incomplete: when this database was restored from a backup it lost 2 events "
                "it had received from ML; their figures here lack them until they come back"
                ) in text
        # (the row of ML: its last cell wraps, which pdftotext may read after the header)
        assert "Mali ML 1" in text
        assert "never (a restore lost 2 events received from it)" in text
        # (the table's header wraps, which pdftotext may read after the office's row)
        section = text[text.index("Events lost when this database was restored"):]
        assert section.startswith("Events lost when this database was restored from a "
                                  "backup Office Events ")
        assert "Mali (ML) 2 " in section and "Bundles that had brought them" in section
        assert (f"{sent.name} Import those bundles again, or send each of these offices a "
                "bundle and import the one it exports next.") in section
        import_bundle(hq2, sent)
        text = pdf_text(build_review_pack(hq2, S1, tmp_path / "back.pdf"))
        assert "restore" not in text and "Incomplete" not in text
    finally:
        hq2.close()


def test_the_packs_list_of_lost_bundles_sets_their_names_as_file_names(
        hq, make_office, tmp_path: Path) -> None:
    """The files that had brought the lost events are names another computer gave, set
    in the pack's direction in their own order (``common.NAME``), as the late data's
    files are: an Arabic name was drawn right-aligned in the English pack."""
    from test_reports import _pack

    from fieldplan.reports.common import NAME

    ml = registered(make_office("ML"), hq, tmp_path)
    backup, _sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        tables = [f for f in _pack(hq2, "en", S1).sync_section() if hasattr(f, "_cellvalues")]
        [lost] = [t for t in tables if t._cellvalues[0][2][0].text
                  == "Bundles that had brought them"]
        assert all(row[2][0].base_dir == NAME for row in lost._cellvalues[1:])
    finally:
        hq2.close()


# --- a later restore ------------------------------------------------------------------
# Each restore wrote its own record of the offices' events it lost, from the replaced
# database and the backup alone: a second restore, from an older backup, found nothing
# of the office's in the replaced database that the backup lacks, and its record said
# nothing lost, while the events the first lost had never come back.


def test_a_second_restore_from_an_older_backup_still_says_the_first_ones_loss(
        hq, make_office, tmp_path: Path) -> None:
    ml = registered(make_office("ML"), hq, tmp_path)
    older = store.backup(hq.conn, hq.path, "manual")
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    assert lost_of(hq2)[0]["events"] == 2
    hq3 = restored(hq2, older)
    try:
        [lost] = lost_of(hq3)
        assert (lost["office"], lost["events"], lost["bundles"]) == ("ML", 2, [sent.name])
        assert ("Warning", lost["text"]) in replica_status(hq3).lines("en")
        # what ends it still ends it
        assert import_bundle(hq3, sent).events_new == 2
        assert lost_of(hq3) == []
    finally:
        hq3.close()


def test_a_second_restore_adds_what_it_lost_to_what_the_first_lost(
        hq, make_office, tmp_path: Path) -> None:
    """ML's bundle to the first restored HQ carries only its new report (its receipts
    said HQ held the others): a second restore that loses it too says the three."""
    ml = registered(make_office("ML"), hq, tmp_path)
    older = store.backup(hq.conn, hq.path, "manual")
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    progress.record_progress(ml, national(ml, 3), S1, status="off-track", percent=10)
    later, outcome = send(ml, hq2, tmp_path)
    assert outcome.events_new == 1 and lost_of(hq2)[0]["events"] == 2
    hq3 = restored(hq2, older)
    try:
        [lost] = lost_of(hq3)
        assert (lost["office"], lost["events"]) == ("ML", 3)
        assert lost["bundles"] == [sent.name, later.path.name]
        import_bundle(hq3, sent)
        import_bundle(hq3, later.path)
        assert lost_of(hq3) == []
        assert progress.digest(hq3, "ML") == progress.digest(ml)
    finally:
        hq3.close()


def test_a_restore_from_a_backup_the_first_restored_database_took(
        hq, make_office, tmp_path: Path) -> None:
    """The backup holds the first restore's record; the replaced file is gone (a
    disk lost it): the record the backup held is not forgotten either."""
    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    taken = store.backup(hq2.conn, hq2.path, "manual")
    path = hq2.path
    hq2.close()
    path.unlink()
    store.restore_backup(path, taken)
    hq3 = open_replica(path)
    try:
        [lost] = lost_of(hq3)
        assert (lost["office"], lost["events"], lost["bundles"]) == ("ML", 2, [sent.name])
    finally:
        hq3.close()


# --- dismissed --------------------------------------------------------------------------
# The warning ended only when the events came back: an office whose computer was lost
# with them never sends them again, and headquarters was warned for ever.


def test_a_person_can_stop_the_warning_and_the_dismissal_is_recorded(
        hq, make_office, tmp_path: Path) -> None:
    from test_reports import pdf_text

    from fieldplan.reports import build_review_pack
    from fieldplan.sync import dismiss_offices_lost

    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        [ended] = dismiss_offices_lost(hq2)
        assert (ended["office"], ended["events"]) == ("ML", 2)
        assert lost_of(hq2) == []
        assert not any(label == "Warning" for label, _text in replica_status(hq2).lines("en"))
        # what was dismissed, when and by whom, stays on record: the figures still
        # lack the events (the review pack says so)
        [kept] = sync_state(hq2).restored["offices_lost_dismissed"]
        assert (kept["office"], kept["events"], kept["bundles"]) == ("ML", 2, [sent.name])
        record = json.loads(hq2.meta("restored"))[store.OFFICE_EVENTS_DISMISSED]
        [item] = record.values()
        assert item["dismissed_at"].endswith("Z") and item["dismissed_by"] == hq2.author
        assert dismiss_offices_lost(hq2) == []
        text = pdf_text(build_review_pack(hq2, S1, tmp_path / "dismissed.pdf"))
        # (the row of ML: its last cell wraps, which pdftotext may read after the header)
        assert "Mali ML 1" in text
        assert "never (a restore lost 2 events received from it)" in text
        # they may still come back: then nothing is said lost any more
        assert import_bundle(hq2, sent).events_new == 2
        assert sync_state(hq2).restored["offices_lost_dismissed"] == []
    finally:
        hq2.close()


def test_a_later_restore_does_not_bring_back_a_dismissed_warning(
        hq, make_office, tmp_path: Path) -> None:
    """Neither from the replaced database's record nor from a backup taken before the
    dismissal, which still holds the warning; what the later restore loses itself is
    said."""
    from fieldplan.sync import dismiss_offices_lost

    ml = registered(make_office("ML"), hq, tmp_path)
    backup, _sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    before = store.backup(hq2.conn, hq2.path, "manual")  # (with the warning)
    assert dismiss_offices_lost(hq2)
    hq3 = restored(hq2, before)
    try:
        assert lost_of(hq3) == []
    finally:
        hq3.close()


def test_events_lost_again_after_a_dismissal_are_counted_once(hq, make_office,
                                                               tmp_path: Path) -> None:
    """ML's events 2–3 lost by a restore and the warning dismissed; then event 4
    reaches the restored HQ, and a second restore, from a backup older than them all,
    loses 1–4. Counted in the warning and in what was dismissed both, the review pack
    said 5 events lost (4 were), and a second dismissal kept 2."""
    from fieldplan.reports.review import _offices_lost
    from fieldplan.sync import dismiss_offices_lost

    ml = make_office("ML")
    oldest = store.backup(hq.conn, hq.path, "manual")  # before any of ML's events
    registered(ml, hq, tmp_path)  # ML's event 1
    backup, _sent = reported_after_the_backup(hq, ml, tmp_path)  # 2 and 3
    hq2 = restored(hq, backup)
    assert lost_of(hq2)[0]["events"] == 2
    dismiss_offices_lost(hq2)
    progress.record_progress(ml, national(ml, 3), S1, status="off-track", percent=10)
    send(ml, hq2, tmp_path)  # event 4
    hq3 = restored(hq2, oldest)
    try:
        assert hq3.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                                (ml.replica_id,)).fetchone()[0] == 0
        [lost] = lost_of(hq3)  # warned of again, whole
        assert lost["events"] == 4
        assert sum(item["events"] for item in _offices_lost(hq3)) == 4
        dismiss_offices_lost(hq3)
        assert lost_of(hq3) == []
        assert sum(item["events"] for item in _offices_lost(hq3)) == 4
    finally:
        hq3.close()


def test_two_restores_that_lost_events_on_either_side_of_a_gap_count_them_all(
        hq, make_office, tmp_path: Path) -> None:
    """ML's events a, a+1 went in a bundle HQ had not imported yet, and a+2, a+3 in a
    later one HQ did (a gap). A restore lost a+2, a+3; the restored HQ then imported
    the first bundle (a, a+1), and a second restore, from the same backup, lost those
    too. Each record held as many events (its count alone: the larger of the two was
    kept), and the warning said 2 events lost, not 4."""
    ml = registered(make_office("ML"), hq, tmp_path)
    send(hq, ml, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    for pct in (20, 30):
        progress.record_progress(ml, national(ml, 1), S1, status="at-risk", percent=pct)
    (tmp_path / "first").mkdir()
    first = export_bundle(ml, out_dir=tmp_path / "first")  # not imported yet
    assert first.events == 2
    upto = ml.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                           (ml.replica_id,)).fetchone()[0]
    for pct in (50, 60):
        progress.record_progress(ml, national(ml, 2), S1, status="on-track", percent=pct)
    with store.write_transaction(ml.conn):  # (as if HQ had the first bundle's)
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, ?)",
                        (hq.replica_id, ml.replica_id, upto))
    later, outcome = send(ml, hq, tmp_path)
    assert later.events == 2 and outcome.gaps  # a, a+1 missing here
    hq2 = restored(hq, backup)
    assert lost_of(hq2)[0]["events"] == 2  # a+2, a+3
    assert import_bundle(hq2, first.path).events_new == 2  # a, a+1
    hq3 = restored(hq2, backup)
    try:
        [lost] = lost_of(hq3)
        assert lost["events"] == 4
        assert sorted(lost["bundles"]) == sorted([later.path.name, first.path.name])
        import_bundle(hq3, first.path)
        assert lost_of(hq3)[0]["events"] == 2
        import_bundle(hq3, later.path)
        assert lost_of(hq3) == []
    finally:
        hq3.close()


def test_a_record_of_an_earlier_fieldplan_without_ranges_still_counts(
        hq, make_office, tmp_path: Path) -> None:
    from fieldplan import events

    ml = registered(make_office("ML"), hq, tmp_path)
    backup, sent = reported_after_the_backup(hq, ml, tmp_path)
    hq2 = restored(hq, backup)
    try:
        info = json.loads(hq2.meta("restored"))
        for item in info[store.OFFICE_EVENTS].values():
            assert store.valid_ranges(item.pop("ranges"))
        with store.write_transaction(hq2.conn):
            events.set_meta(hq2.conn, "restored", events.canonical_json(info))
        assert lost_of(hq2)[0]["events"] == 2
        import_bundle(hq2, sent)
        assert lost_of(hq2) == []
    finally:
        hq2.close()


def test_the_events_of_many_runs_are_counted_by_their_numbers() -> None:
    """``held_of`` counts the events a record's runs name through the events' key,
    run by run: SQLite read every event of the replica once for each run (and parsed
    the runs again for each event), the status and the client's refresh taking
    seconds for a replica of thousands of events and a hundred gaps."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE events (origin TEXT NOT NULL, seq INTEGER NOT NULL, "
                 "body TEXT NOT NULL, PRIMARY KEY (origin, seq)) WITHOUT ROWID")
    conn.executemany("INSERT INTO events VALUES (?, ?, 'x')",
                     [(origin, seq) for origin in "ab" for seq in range(1, 4001)
                      if seq % 40])
    ranges = store.seq_ranges(conn, "a", 4000)
    assert len(ranges) == 100
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 100)
    assert store.held_of(conn, "a", {"upto": 4000, "held": 0, "ranges": ranges}) == 3900
    held = steps[0]
    steps[0] = 0
    assert conn.execute("SELECT count(*) FROM events WHERE origin = 'a'").fetchone()[0] == 3900
    assert held < 10 * steps[0]


def test_many_lost_bundles_past_the_first_three_are_counted_as_files() -> None:
    """Past the first three file names, the bundles to import again are counted as
    files: Arabic said "و3 تقارير أخرى" ("and 3 other reports") of bundle files, the
    words of the reports changed after a lock. Found by QA."""
    from fieldplan import i18n
    from fieldplan.status import offices_lost_text

    item = {"office": "ML", "events": 9,
            "bundles": [f"ML-{i}.fieldplan" for i in range(1, 7)]}
    said = offices_lost_text(item)
    assert ("import ML-1.fieldplan, ML-2.fieldplan, ML-3.fieldplan and 3 more files "
            "again") in said
    i18n.set_language("ar")
    try:
        said = offices_lost_text(item)
    finally:
        i18n.set_language("en")
    # (each file name one left-to-right unit: i18n.ltr)
    assert ("\u2066ML-1.fieldplan\u2069\u060c \u2066ML-2.fieldplan\u2069\u060c "
            "\u2066ML-3.fieldplan\u2069") in said
    assert "تقارير" not in said and "تقرير" not in said
