"""Moving bundles through the window: dropping files imports each and shows its
outcome; a hostile file changes nothing; a quarantined key is trusted and a conflict
resolved through the UI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.text import fingerprints_whole
from tests.scenes import closed, laptops_in_conflict
from tests.ui.conftest import wait_idle

sync = pytest.importorskip("fieldplan.sync")


def copy_db(src: Path, dest: Path) -> Path:
    shutil.copy(src, dest)
    shutil.copy(str(src) + ".key", str(dest) + ".key")
    return dest


def drop(window, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def result_dialog(window, qtbot):
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is not None, timeout=20_000)
    return window.findChild(object, "import-result")


def accept_result(window, qtbot) -> list:
    """The import result's outcomes, once it is shown; accepted, and the work after
    it done."""
    dialog = result_dialog(window, qtbot)
    outcomes = list(dialog.outcomes)
    dialog.accept()
    from tests.ui.conftest import wait_idle

    wait_idle(qtbot, window.session)
    return outcomes


def events_count(db: Path) -> int:
    with open_replica(db) as rep:
        return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def open_hq_page(open_window, qtbot, hq, page_of, ready):
    """HQ's window on ``hq`` (closed here: the window opens its own), showing the
    page ``page_of(window)`` once ``ready(page)``."""
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    page = page_of(window)
    window.show_page(page)
    qtbot.waitUntil(lambda: ready(page), timeout=5000)
    return window, page


def test_dropping_bundles_imports_each_and_shows_outcomes(open_window, qtbot, demo_world, tmp_path):
    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))[:3]
    window = open_window(db)
    drop(window, bundles)
    dialog = result_dialog(window, qtbot)
    outcomes = [o.outcome for o in dialog.outcomes]
    assert outcomes == ["merged"] * 3
    assert dialog.table.rowCount() == 3
    from fieldplan import store

    # one backup before the lot: one a file would push the older ones out
    backups = store.list_backups(db)
    assert len(backups) == 1 and backups[0].name.endswith("-before-import.sqlite3")
    assert dialog.table.item(0, 2).text() == "Merged"
    offices = {p.name.split("-")[0] for p in bundles}
    with open_replica(db) as rep:
        assert {r.office for r in progress.list_reports(rep)} >= offices
    dialog.accept()
    wait_idle(qtbot, window.session)
    # the inbox lists them, and dropping them again is harmless
    qtbot.waitUntil(lambda: window.inbox.model.rowCount() == 3, timeout=5000)
    assert [window.inbox.gaps.item(i).text() for i in range(window.inbox.gaps.count())] == [
        "No gaps: every office's events arrived in order."]
    drop(window, bundles[:1])
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["duplicate"]
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_an_empty_inbox_says_nothing_was_imported_yet(open_window, qtbot, hq_db):
    """Before any import it said "No gaps: every office's events arrived in order." (at
    an office too), of events none had sent."""
    window = open_window(hq_db)
    window.show_page(window.inbox)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.inbox.gaps.count() == 1, timeout=5000)
    assert window.inbox.model.rowCount() == 0
    assert window.inbox.gaps.item(0).text() == "No bundle has been imported here yet."


def test_backups_removed_to_make_room_are_told_after_an_import(open_window, qtbot, tmp_path,
                                                                monkeypatch):
    """The backup before an import deleted older backups on a full disk without a
    word: the result dialog says how many went."""
    from fieldplan import store
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup
    from tests.core.test_store_faults import Disk

    monkeypatch.setattr(store, "BACKUPS_KEPT", 3)
    db = tmp_path / "hq" / "hq.sqlite3"
    db.parent.mkdir()
    with init_hq(db) as hq:
        enroll_office(hq, "ML", tmp_path / "ml.setup")
        old = [store.backup(hq.conn, db, f"test{i}") for i in range(3)]
    with init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup") as ml:
        bundle = export_bundle(ml, out_dir=tmp_path).path
    window = open_window(db)
    Disk(db.parent, monkeypatch).fill(old[0].stat().st_size // 2)
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["merged"] and not old[0].exists()
    assert dialog.notices.isVisibleTo(dialog)
    assert dialog.notices.text().startswith(
        "The disk is full: 1 old backup of this database was removed to make room for a "
        "new one (backups in ")
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_what_the_core_notes_beside_a_result_is_shown(open_window, qtbot, hq_db):
    """Old backups removed by a backup other than an import's (a plan import, a
    revocation, a migration): a warning box."""
    from ui.dialogs import MessageDialog
    from ui.ops import DbOp

    window = open_window(hq_db)
    DbOp(window.session, window, lambda rep: rep.notices.append("the disk is full: …")).run()
    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "error-box") is not None,
                    timeout=5000)
    box = window.findChild(MessageDialog, "error-box")
    assert box.text.text() == "The disk is full: …."
    box.close()
    wait_idle(qtbot, window.session)


def test_a_database_that_cannot_take_a_file_keeps_the_ones_before_it(
    open_window, qtbot, demo_world, tmp_path, monkeypatch
):
    """A full disk at the second file: the first stays merged and the dialog says so;
    the second is rolled back and the third not opened."""
    from fieldplan.errors import StoreError
    from fieldplan.sync import exchange

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))[:3]
    real = exchange._merge
    full = "could not save to the database, nothing was changed: database or disk is full"
    offices = []

    def merge(rep, b, m, **kw):
        offices.append(m["office"])
        if len(offices) == 2:
            raise StoreError(full)
        return real(rep, b, m, **kw)

    monkeypatch.setattr(exchange, "_merge", merge)
    window = open_window(db)
    drop(window, bundles)
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["merged", "stopped", "stopped"]
    assert len(offices) == 2  # the third file was not opened
    # the files not imported first (the one that stopped the import before the next)
    assert [dialog.table.item(r, 2).text() for r in range(3)] == \
        ["Not imported", "Not imported", "Merged"]
    assert full in dialog.table.item(0, 3).text()
    assert "stopped at an earlier file" in dialog.table.item(1, 3).text()
    with open_replica(db) as rep:
        merged = {r.office for r in progress.list_reports(rep)}
    assert offices[0] in merged and offices[1] not in merged
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_hostile_bundle_shows_its_reason_and_changes_nothing(
    open_window, qtbot, demo_world, tmp_path
):
    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    hostile = tmp_path / "invoice.fieldplan"
    hostile.write_text("this is not a bundle, just text renamed\n")
    before = events_count(db)
    window = open_window(db)
    drop(window, [hostile])
    dialog = result_dialog(window, qtbot)
    [outcome] = dialog.outcomes
    assert outcome.outcome == "rejected" and outcome.reason
    assert dialog.table.item(0, 2).text() == "Rejected"
    assert dialog.table.item(0, 3).text() == outcome.reason
    dialog.accept()
    wait_idle(qtbot, window.session)
    assert events_count(db) == before


def test_a_drop_takes_any_file_and_the_core_decides(tmp_path):
    """A bundle saved as "UG.zip" (a download, a mail program) or renamed: refused
    by the drag, or dropped without a word; the core reads bundles by content, as the
    command line does."""
    from ui.transfer import droppable, dropped_files

    files = [tmp_path / name for name in ("UG.zip", "UG", "UG.FIELDPLAN", "notes.txt")]
    for path in files:
        path.write_text("x")
    for path in files:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        assert droppable(mime)
        assert dropped_files(mime) == ([str(path)], 0)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/UG.fieldplan")])
    assert not droppable(mime) and dropped_files(mime) == ([], 0)
    # (a drag asks nothing of the drive: a file gone is found once it is dropped)
    mime.setUrls([QUrl("https://example.org/UG.fieldplan"),
                  QUrl.fromLocalFile(str(tmp_path / "gone.fieldplan"))])
    assert droppable(mime) and dropped_files(mime) == ([], 0)


def test_a_dropped_folder_brings_its_bundles(tmp_path):
    """A USB stick's folder dropped on the window: the .fieldplan and .zip files
    directly in it (a stick also has photos: those are counted, not imported), and a
    bundle a mail program saved with one more ending ("NE.fieldplan.txt": it was left
    aside, though dropped alone it merges). A system's files (macOS's "._NAME",
    Windows' desktop.ini) are neither taken nor counted."""
    from ui.transfer import droppable, dropped_files, left_aside_text

    stick = tmp_path / "stick"
    (stick / "old").mkdir(parents=True)
    for name in ("SN-b.fieldplan", "ML-a.fieldplan", "UG.zip", "notes.txt", "photo.jpg",
                 ".hidden", "old/ML-0.fieldplan", "NE.fieldplan.txt", "._ML-a.fieldplan",
                 "desktop.ini", "Thumbs.db"):
        (stick / name).write_text("x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(stick))])
    assert droppable(mime)
    assert dropped_files(mime) == ([str(stick / "ML-a.fieldplan"),
                                    str(stick / "NE.fieldplan.txt"),
                                    str(stick / "SN-b.fieldplan"), str(stick / "UG.zip")], 2)
    assert left_aside_text(2) == (
        "2 other files in the dropped folder were left aside: from a folder, only "
        ".fieldplan and .zip files are imported (drop a file itself to import it).")
    assert left_aside_text(0) == ""
    empty = tmp_path / "empty"
    empty.mkdir()
    mime.setUrls([QUrl.fromLocalFile(str(empty))])
    assert droppable(mime) and dropped_files(mime) == ([], 0)


def test_a_dropped_folder_holding_the_open_database_counts_not_its_sqlite_files(tmp_path):
    """The folder of the database the client has open, dropped: the -wal and -shm files
    SQLite keeps beside it while open were two of the "4 other files left aside"; the
    database and its key file are the two."""
    from fieldplan.replica import init_hq
    from ui.transfer import dropped_files

    folder = tmp_path / "fieldplan"
    folder.mkdir()
    (folder / "ML-a.fieldplan").write_text("x")
    rep = init_hq(folder / "hq.sqlite3")
    try:
        assert (folder / "hq.sqlite3-wal").exists() and (folder / "hq.sqlite3-shm").exists()
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(folder))])
        assert dropped_files(mime) == ([str(folder / "ML-a.fieldplan")], 2)
    finally:
        rep.close()


def test_a_dropped_folder_of_an_unpacked_bundle_is_named_as_one(tmp_path):
    """A bundle opened by Windows as a ZIP archive and extracted into a folder, that
    folder dropped: "3 other files left aside" and nothing imported, where 'fieldplan
    import FOLDER' names it. Its manifest is taken, to be refused with what it is and
    where the bundle is; its files are not counted as left aside."""
    from fieldplan.bundle import open_bundle
    from fieldplan.errors import BundleError
    from ui.transfer import dropped_files

    folder = tmp_path / "HQ-to-ML"
    folder.mkdir()
    for name in ("manifest.json", "events.jsonl", "manifest.json.minisig", "photo.jpg"):
        (folder / name).write_text("{}")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    assert dropped_files(mime) == ([str(folder / "manifest.json")], 1)
    with pytest.raises(BundleError) as refused:
        open_bundle(folder / "manifest.json")
    assert "unpacked as a ZIP archive; the bundle is the .fieldplan file itself" in str(
        refused.value)


def test_a_renamed_bundle_dropped_with_others_gets_its_row(open_window, qtbot, demo_world,
                                                           tmp_path):
    """A bundle saved as "UG.zip" dropped with a good bundle and a text file: only
    the good one was imported, and nothing said the others were ever there. Each now
    has its row: the renamed bundle merged, the text file rejected with the core's
    reason; a dropped folder's other files are counted above the table."""
    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    first, second = sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]
    renamed = tmp_path / "UG.zip"
    shutil.copy(first, renamed)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a bundle\n")
    stick = tmp_path / "stick"
    stick.mkdir()
    shutil.copy(second, stick / "SN.zip")
    (stick / "photo.jpg").write_bytes(b"\xff\xd8")
    window = open_window(db)
    drop(window, [renamed, notes, stick])
    dialog = result_dialog(window, qtbot)
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [
        ("UG.zip", "merged"), ("notes.txt", "rejected"), ("SN.zip", "merged")]
    assert dialog.outcomes[1].reason == "not a fieldplan bundle (not a ZIP archive)"
    assert dialog.left_aside_note.isVisibleTo(dialog)
    assert dialog.left_aside_note.text().startswith(
        "1 other file in the dropped folder was left aside")
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_the_file_chooser_offers_zip_and_all_files(open_window, qtbot, hq_db):
    """The chooser offered only "*.fieldplan": a bundle saved as "UG.zip" or renamed
    could not be chosen."""
    from ui.transfer import choose_and_import

    window = open_window(hq_db)
    dialog = choose_and_import(window.session, window)
    assert dialog.nameFilters() == ["fieldplan bundles (*.fieldplan *.zip *.fieldplan.*)",
                                   "All files (*)"]
    dialog.reject()


def test_a_long_job_says_what_it_is_doing(open_window, qtbot, hq_db):
    import threading

    from ui.ops import DbOp

    window = open_window(hq_db)
    wait_idle(qtbot, window.session)
    go_on = threading.Event()

    def job(rep, progress, cancel):
        progress(1, 3, "Gathering the reports of ML")
        assert go_on.wait(10)

    DbOp(window.session, window, job).with_progress("Making the report").run()
    dialogs = window.session._dialogs
    qtbot.waitUntil(lambda: any(d.labelText().endswith("ML") for d in dialogs.values()))
    [dialog] = dialogs.values()
    assert dialog.windowTitle() == "Making the report"
    go_on.set()
    wait_idle(qtbot, window.session)


def test_trusting_a_quarantined_key(open_window, qtbot, hq, make_office, tmp_path):
    ml = make_office("ML")
    with _tx(ml):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track", percent=20)
    exported = sync.export_bundle(ml, out_dir=tmp_path)
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    drop(window, [exported.path])
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["quarantined"]
    dialog.accept()
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    fingerprint = page.model.row_at(0).fingerprint
    page.view.selectRow(0)
    assert page.trust_button.isEnabled()
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "trust-dialog")
    assert confirm is not None and confirm.details.toPlainText() == fingerprint
    confirm.accept()
    # said while it runs (a backup first: seconds at a large headquarters), and not
    # asked twice meanwhile
    assert page.message.text().startswith("Trusting the key")
    assert not page.trust_button.isEnabled() and not page.refuse_button.isEnabled()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    with open_replica(hq.path) as rep:
        assert progress.get_report(rep, code, "2026-S1", office="ML").percent == 20
    assert "1" in page.message.text()
    # what the merge did, as an import says it (it said only how many bundles)
    merged = result_dialog(window, qtbot)
    assert [o.outcome for o in merged.outcomes] == ["merged"]
    merged.accept()


def test_a_trust_that_fails_gives_the_buttons_back(open_window, qtbot, hq, make_office,
                                                  tmp_path, monkeypatch):
    """A trust refused (no room for the backup before it) says why, and the key can be
    trusted again once there is: the buttons, off while it ran, are on again."""
    from fieldplan.errors import FieldplanError

    ml = make_office("ML")
    with _tx(ml):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    exported = sync.export_bundle(ml, out_dir=tmp_path)
    assert sync.import_bundle(hq, exported.path).outcome == "quarantined"
    _window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)

    def full(rep, fingerprint):
        raise FieldplanError("no room for the backup")

    monkeypatch.setattr(sync, "trust_key", full)
    page.view.selectRow(0)
    page.trust(page.model.row_at(0).fingerprint)
    assert not page.trust_button.isEnabled()
    qtbot.waitUntil(lambda: page.trust_button.isEnabled(), timeout=10_000)
    assert "no room for the backup" in page.message.text().lower()
    assert page.refuse_button.isEnabled() and page.model.rowCount() == 1


def test_refusing_a_quarantined_key(open_window, qtbot, hq, make_office, tmp_path):
    """The fingerprint the office reads does not match: the bundles leave quarantine,
    nothing is merged, and the inbox keeps them as rejected."""
    ml = make_office("ML")
    with _tx(ml):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track", percent=20)
    exported = sync.export_bundle(ml, out_dir=tmp_path)
    assert sync.import_bundle(hq, exported.path).outcome == "quarantined"
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    page.view.selectRow(0)
    assert page.refuse_button.isEnabled()
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "refuse-dialog")
    confirm.accept()
    assert page.message.text() == "Refusing the key…"
    assert not page.trust_button.isEnabled() and not page.refuse_button.isEnabled()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    with open_replica(hq.path) as rep:
        assert progress.get_report(rep, code, "2026-S1", office="ML") is None
        assert sync.list_inbox(rep)[0].outcome == "rejected"
        assert sync.list_quarantine(rep) == []
    assert "1" in page.message.text()


def test_the_inbox_shows_the_whole_reason_of_the_chosen_bundle(
    open_window, qtbot, hq, make_office, tmp_path
):
    """The table cuts a long reason off and shows it whole only in a tooltip, out of
    reach of the keyboard: the line under the table shows the chosen bundle's."""
    from PySide6.QtWidgets import QApplication

    sn = make_office("SN")
    progress.record_progress(sn, sn.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track", percent=20)
    assert sync.import_bundle(hq, sync.export_bundle(sn, out_dir=tmp_path).path).outcome == (
        "merged")
    ml = make_office("ML")
    with _tx(ml):  # a key HQ does not know
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track", percent=20)
    held = sync.export_bundle(ml, out_dir=tmp_path)
    assert sync.import_bundle(hq, held.path).outcome == "quarantined"
    entries = {e.outcome: e for e in sync.list_inbox(hq)}
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.inbox,
                                lambda page: page.model.rowCount() == 2)
    # (shown, the page put the keyboard in the table, which chose its first row)
    page.view.selectionModel().clearCurrentIndex()
    assert page.detail.text() == "Choose a bundle to read what became of it."
    rows = {page.model.row_at(i).outcome: i for i in range(2)}

    page.view.setFocus()
    for key in (Qt.Key.Key_End, Qt.Key.Key_Home):  # the keyboard chooses the row
        qtbot.keyClick(page.view, key)
        entry = page.model.row_at(page.view.currentIndex().row())
        lines = page.detail.text().split("\n")
        outcome = page.model.display(entry, page.model.OUTCOME)
        assert lines[:2] == [f"File: {entry.file}", f"Outcome: {outcome}"]
        if entry.outcome == "quarantined":
            reason = entries["quarantined"].reason_text()
            assert len(reason) > 80 and "check the fingerprint" in reason
            # (its fingerprint's groups held on one line)
            assert lines[2:] == [f"Reason: \u2068{fingerprints_whole(reason)}\u2069"]
        else:
            assert lines[2:] == []
    assert page.view.currentIndex().row() == 0

    # the whole reason can be read and copied from the keyboard: Tab goes to it
    assert page.detail.wordWrap()
    assert page.detail.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    qtbot.keyClick(page.view, Qt.Key.Key_Down if rows["quarantined"] else Qt.Key.Key_Up)
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.detail
    qtbot.keyClick(page.detail, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(page.detail, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert entries["quarantined"].reason_text() in QApplication.clipboard().text()

    # a refresh keeps the chosen bundle and what is said of it
    shown = page.detail.text()
    page.refresh()
    wait_idle(qtbot, window.session)
    assert page.view.currentIndex().row() == rows["quarantined"]
    assert page.detail.text() == shown


def test_the_inbox_says_which_office_a_damaged_files_name_gives(open_window, qtbot, hq,
                                                                tmp_path):
    """A file that could not be read at all (a damaged ZIP) shows no office in the
    table; the line under it says so, and which office its name says, when it is
    named as fieldplan names bundles."""
    from ui.hq_desk import select_row

    named = tmp_path / "AZ-3f2a9c1b-1-4.fieldplan"
    other = tmp_path / "from-email.fieldplan"
    for path in (named, other):
        path.write_bytes(b"PK\x03\x04 cut short on the USB stick")
        assert sync.import_bundle(hq, path).outcome == "rejected"
    _window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.inbox,
                                 lambda page: page.model.rowCount() == 2)
    said = {}
    for row in range(2):
        entry = page.model.row_at(row)
        assert page.model.display(entry, page.model.OFFICE) == ""  # nothing invented
        select_row(page.view, row)
        said[entry.file] = page.detail.text().split("\n")[2]
    assert said == {
        named.name: "Office unknown: the file could not be read; the file name says AZ.",
        other.name: "Office unknown: the file could not be read."}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_inbox_says_a_refused_forked_history_was_repaired_since(
        lang, open_window, qtbot, hq, make_office, tmp_path):
    """A bundle refused as a forked history said only that HQ's next bundle repairs
    it, long after it had: the line under the table says where its data arrived."""
    import os

    from PySide6.QtWidgets import QApplication

    from fieldplan.i18n import _
    from tests.scenes import hq_with_a_forked_office, send
    from ui.app import apply_language
    from ui.hq_desk import select_row
    from ui.models import outcome_label

    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    send(hq, ml, tmp_path)  # the repair, at the office
    arrived = send(ml, hq, tmp_path)[0].path.name
    ml.close()
    apply_language(QApplication.instance(), lang)
    try:
        window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.inbox,
                                    lambda page: page.model.rowCount() == 3)
        said = []
        for row in range(3):
            select_row(page.view, row)
            entry = page.model.row_at(row)
            said.append((entry.outcome, entry.repaired_in, page.detail.text().split("\n")))
        (refused,) = [lines for outcome, into, lines in said
                      if (outcome, into) == ("rejected", arrived)]
        # the Outcome column (what people read) says it too, not only the line below
        (row,) = [r for r in range(3) if page.model.row_at(r).repaired_in]
        shown = page.model.data(page.model.index(row, page.model.OUTCOME))
        assert shown != outcome_label("rejected")
        assert refused[1] == _("{label}:").format(label=_("Outcome")) + " " + shown
        if lang == "en":
            assert shown == "Rejected, repaired since"
            assert refused[3:] == [f"Repaired since: its data arrived in {arrived}; "
                                   "nothing is left to do about this bundle."]
        else:  # the file name kept whole, left to right
            assert len(refused) == 4 and f"\u2066{arrived}\u2069" in refused[3]
        # (the merged ones: file, outcome and what their import said: the first, ML's
        # computer's key registered; the repair's, the report it left in conflict, 30
        # written again beside the 20 HQ held: the office settles it. Both are that
        # laptop's, before and after its history forked: one computer's history)
        merged = [lines for outcome, _into, lines in said if outcome == "merged"]
        assert sorted(len(lines) for lines in merged) == [3, 3]
        if lang == "en":
            assert sorted(lines[2] for lines in merged) == [
                "Reason: \u20681 report it changed is in conflict (one computer's history "
                "holds versions of it that do not replace each other) until a person of the "
                "office keeps one of the values\u2069",
                "Reason: \u2068the key of a new computer of ML is now registered: "
                "headquarters' bundles for ML reach that computer from now on\u2069"]
        if os.environ.get("FIELDPLAN_SHOTS"):
            select_row(page.view, [page.model.row_at(r).outcome
                                   for r in range(3)].index("rejected"))
            QApplication.processEvents()  # the detail laid out again, all its lines
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"inbox-repaired-{lang}.png"))
    finally:
        apply_language(QApplication.instance(), "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_import_result_says_which_office_a_damaged_files_name_gives(
        lang, open_window, qtbot, hq_db, tmp_path):
    """As the inbox does: a file that could not be read shows in its Office cell the
    office its name gives, when it is named as fieldplan names bundles (the cell was
    empty), the inbox's sentence in its tooltip; a file not imported for another reason
    (cancelled, stopped) is not said to be unreadable."""
    import os

    from PySide6.QtWidgets import QApplication

    from fieldplan.sync.exchange import ImportOutcome
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    named = tmp_path / "AZ-3f2a9c1b-1-4.fieldplan"
    other = tmp_path / "from-email.fieldplan"
    for path in (named, other):
        path.write_bytes(b"PK\x03\x04 cut short on the USB stick")
    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(hq_db)
        drop(window, [named, other])
        dialog = result_dialog(window, qtbot)
        table = dialog.table
        assert [table.item(r, 2).text() for r in range(2)] == [_rejected()] * 2
        office = {table.item(r, 0).toolTip(): table.item(r, 1) for r in range(2)}
        if lang == "en":
            assert office[named.name].text() == "AZ (file name)"
            assert office[named.name].toolTip() == (
                "Office unknown: the file could not be read; the file name says AZ.")
            assert office[other.name].toolTip() == "Office unknown: the file could not be read."
        else:  # (in Arabic the office kept left to right in the sentence)
            assert office[named.name].text().startswith("AZ")
            assert ("\u2066AZ\u2069" if lang == "ar" else " AZ") in office[named.name].toolTip()
        assert office[other.name].text() == ""  # nothing invented
        if os.environ.get("FIELDPLAN_SHOTS"):
            dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"import-unread-{lang}.png"))
        dialog.accept()
        wait_idle(qtbot, window.session)
        cancelled = ImportResultDialog(None, [ImportOutcome(named.name, "cancelled")])
        qtbot.addWidget(cancelled)
        assert cancelled.table.item(0, 1).text() == ""
    finally:
        apply_language(QApplication.instance(), "en")


def _rejected() -> str:
    from ui.models import outcome_label

    return outcome_label("rejected")


def test_the_quarantine_says_why_the_chosen_bundle_waits(open_window, qtbot, hq,
                                                         make_office, tmp_path):
    """An unknown key, or a computer set up from a setup bundle that a revocation of
    the office's key ended (it may be the lost laptop): the line under the table says
    which for the chosen bundle, whole, as the inbox does; Tab reaches it after the
    table, before the buttons under it, and it can be copied."""
    import os

    from PySide6.QtWidgets import QApplication

    setup = tmp_path / "ML-setup.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    out = tmp_path / "out"
    out.mkdir()
    with sync.init_from_setup(tmp_path / "lost.sqlite3", setup) as lost:
        progress.record_progress(lost, lost.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        assert sync.import_bundle(hq, sync.export_bundle(lost, out_dir=out).path).outcome \
            == "merged"
        sync.revoke_key(hq, lost.meta("key_id"))
    with sync.init_from_setup(tmp_path / "again.sqlite3", setup) as again:  # same setup
        progress.record_progress(again, again.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="at-risk")
        ended = sync.import_bundle(hq, sync.export_bundle(again, out_dir=out).path)
    sn = make_office("SN")
    with _tx(sn):
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(sn, sn.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    unknown = sync.import_bundle(hq, sync.export_bundle(sn, out_dir=out).path)
    assert (ended.outcome, unknown.outcome) == ("quarantined", "quarantined")
    reasons = {"ML": ended.reason, "SN": unknown.reason}
    assert "was revoked: make sure this is not the revoked computer" in reasons["ML"]
    assert "revoked" not in reasons["SN"]
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 2)
    page.view.setFocus()
    seen = []
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up):  # the keyboard chooses the row
        qtbot.keyClick(page.view, key)
        item = page.model.row_at(page.view.currentIndex().row())
        seen.append(item.office)
        assert page.detail.isVisible()
        assert page.detail.text().split("\n") == [
            f"File: {item.file}",
            f"Reason: \u2068{fingerprints_whole(reasons[item.office])}\u2069"]
        assert page.view.accessibleDescription() == page.detail.text()
        if os.environ.get("FIELDPLAN_SHOTS"):
            window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                            f"quarantine-{item.office}.png"))
    assert sorted(seen) == ["ML", "SN"]
    # the reason, which can be copied, then the buttons, as the page reads
    for widget in (page.detail, page.refuse_button, page.trust_button):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget
    page.detail.setFocus()
    qtbot.keyClick(page.detail, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(page.detail, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert reasons[page.selected().office] in QApplication.clipboard().text()


def _tx(rep):
    from fieldplan import store

    return store.write_transaction(rep.conn)


def test_resolving_a_conflict(open_window, qtbot, hq, make_office, tmp_path):
    a, _b, code, _out = laptops_in_conflict(hq, make_office, tmp_path)
    [conflict] = sync.list_conflicts(a)
    loser = next(c for c in conflict.candidates if not c.winner)
    a_path = closed(a)
    window = open_window(a_path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    index = [c.value_id for c in conflict.candidates].index(loser.value_id)
    qtbot.mouseClick(page.keep_buttons[index], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    wait_idle(qtbot, window.session)
    with open_replica(a_path) as rep:
        assert sync.list_conflicts(rep) == []
        assert progress.get_report(rep, code, "2026-S1").status == loser.value


def test_hq_sees_an_offices_conflict_but_cannot_settle_it(open_window, qtbot, hq,
                                                          make_office, tmp_path):
    laptops_in_conflict(hq, make_office, tmp_path, told="")
    _window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.conflicts,
                                 lambda page: len(page.keep_buttons) == 2)
    assert not any(button.isEnabled() for button in page.keep_buttons)
    # the office named as everywhere in the client, not by its code alone
    assert "Only the computers of ML · Mali can settle this conflict" in page.message.text()


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancelling_an_import_leaves_the_database_unchanged(
    open_window, qtbot, demo_world, tmp_path, monkeypatch, how
):
    """Cancel while a bundle is being merged: that bundle is rolled back, the next
    one is not opened, and the result dialog says so."""
    import threading

    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from fieldplan.sync import exchange

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]
    monkeypatch.setattr(exchange, "BATCH", 5)  # several batches, so several cancel checks
    reached, go_on = threading.Event(), threading.Event()
    store_events = exchange.events.store_events

    def held_store(conn, batch, *arrival):  # the worker stops here until the test has cancelled
        reached.set()
        assert go_on.wait(10)
        return store_events(conn, batch, *arrival)

    monkeypatch.setattr(exchange.events, "store_events", held_store)
    before_events = events_count(db)
    with open_replica(db) as rep:
        before_inbox = rep.conn.execute("SELECT count(*) FROM inbox").fetchone()[0]
        before_reports = progress.list_reports(rep)
    window = open_window(db)
    drop(window, bundles)
    qtbot.waitUntil(reached.is_set, timeout=10_000)
    dialog = window.findChild(QProgressDialog)
    if how == "button":
        dialog.findChild(QPushButton).click()
    else:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    go_on.set()
    result = result_dialog(window, qtbot)
    assert [o.outcome for o in result.outcomes] == ["cancelled", "cancelled"]
    assert result.table.item(0, 2).text() == "Not imported (cancelled)"
    assert "cancelled" in result.table.item(1, 3).text()
    result.accept()
    wait_idle(qtbot, window.session)
    assert events_count(db) == before_events
    with open_replica(db) as rep:
        assert rep.conn.execute("SELECT count(*) FROM inbox").fetchone()[0] == before_inbox
        assert progress.list_reports(rep) == before_reports


def test_progress_moves_inside_one_bundle(open_window, qtbot, demo_world, tmp_path, monkeypatch):
    from fieldplan.sync import exchange
    from ui import transfer

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    [bundle] = sorted((demo_world / "bundles").glob("*.fieldplan"))[:1]
    monkeypatch.setattr(exchange, "BATCH", 5)
    monkeypatch.setattr("ui.ops.PROGRESS_INTERVAL_S", 0)  # every report, however fast
    seen = []
    window = open_window(db)
    window.session.worker.progress_did_change.connect(
        lambda _job, done, total, _label: seen.append((done, total))
    )
    drop(window, [bundle])
    result_dialog(window, qtbot).accept()
    wait_idle(qtbot, window.session)
    steps = transfer.STEPS_PER_FILE
    assert seen[-1] == (steps, steps)
    assert any(0 < done < steps for done, _total in seen)  # not just "0 of 1 file"


def test_revoking_a_lost_laptops_key(open_window, qtbot, hq, make_office, tmp_path):
    """HQ's desk lists every computer's key; a lost laptop's key is revoked with one
    confirmation, and headquarters' own signing key cannot be."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path).outcome \
        == "merged"
    lost, own = ml.meta("key_id"), hq.meta("key_id")
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.keys,
                                lambda page: page.model.rowCount() == 2)
    rows = {page.model.row_at(i).key_id: i for i in range(2)}
    page.view.selectRow(rows[own])
    assert not page.revoke_button.isEnabled()
    page.view.selectRow(rows[lost])
    assert page.revoke_button.isEnabled()
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "revoke-dialog")
    assert confirm is not None and confirm.details.toPlainText() == \
        page.model.row_at(rows[lost]).fingerprint
    confirm.accept()
    qtbot.waitUntil(lambda: lost in page.message.text(), timeout=10_000)
    wait_idle(qtbot, window.session)
    with open_replica(hq.path) as rep:
        assert sync.all_keys(rep)[lost].status == "revoked"
    qtbot.waitUntil(lambda: any(page.model.row_at(i).status == "revoked"
                                for i in range(page.model.rowCount())), timeout=5000)


def test_revoking_the_key_of_a_copy_says_the_other_computer_goes_on(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch):
    """A database and its key file copied to a second laptop, one of them repaired as
    a new replica: revoking the old identity's key cuts off that replica alone, and
    the desk says so."""
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "core"))
    from test_shared_identity import TwoLaptops

    world = TwoLaptops(hq, make_office, tmp_path)
    try:
        world.run("A:up B:up B:down B:up A:down A:up")
        old, new = world.identity, world.laptops["B"].replica_id
        copy = world.laptops["A"].meta("key_id")
    finally:
        world.close()
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.keys,
                                lambda page: page.model.rowCount() == 3)
    rows = {page.model.row_at(i).key_id: i for i in range(3)}
    page.view.selectRow(rows[copy])
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    page.findChild(object, "revoke-dialog").accept()
    qtbot.waitUntil(lambda: copy in page.message.text(), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text().split("\n")[1] == (
        f"Only the computer still on replica {old[:8]} is cut off; the computer on "
        f"replica {new[:8]}, which continues it, goes on")


def test_headquarters_ends_the_restore_warning(open_window, qtbot, hq, make_office,
                                               tmp_path):
    """HQ put back from a backup: the status bar warns about the changes offices hold
    that it lost; the Headquarters menu ends the warning once they are made again."""
    from tests.scenes import hq_restored_with_a_lost_change

    hq_path, ml = hq_restored_with_a_lost_change(hq, make_office, tmp_path)
    ml.close()
    window = open_window(hq_path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    assert "were lost" in window.sync_label.toolTip() or "was lost" in \
        window.sync_label.toolTip()
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert dialog is not None
    assert "1 change headquarters made after the backup" in dialog.text.text()
    # (a lost change may be a report of headquarters' own, made again in Progress)
    assert "headquarters' own report) was lost" in dialog.text.text()
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    assert "lost" not in window.sync_label.toolTip()
    with open_replica(hq.path) as rep:
        assert sync.sync_state(rep).restored["lost"] == 0


def test_headquarters_ends_the_warning_of_offices_events_that_cannot_come_back(
        open_window, qtbot, hq, make_office, tmp_path):
    """HQ put back from a backup older than ML's last bundle: the status bar warned
    until ML's events came back, for ever if ML's computer was lost with them. The
    Headquarters menu's action that ends the restore's warnings ends it too, and says
    what it ends."""
    from fieldplan import store
    from tests.scenes import send

    ml = make_office("ML")
    first, second = (a.code for a in ml.plan().actions_of(level="national")[:2])
    progress.record_progress(ml, first, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(ml, second, "2026-S1", status="at-risk")
    sent = send(ml, hq, tmp_path)[0].path
    send(hq, ml, tmp_path)
    ml.close()
    hq_path = hq.path
    hq.close()
    store.restore_backup(hq_path, backup, force=True)
    window = open_window(hq_path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    assert window.lost_action.text() == "Offices' events lost in the &restore…"
    hq_menu = next(a.menu() for a in window.menuBar().actions()
                   if a.text() == "Headq&uarters")
    assert window.lost_action in hq_menu.actions()
    said = "1 event received from ML after"  # (the bar cuts the rest short)
    assert said in window.sync_label.text()
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert dialog.text.text().startswith(
        "1 event received from ML after the backup this database was restored from was "
        "lost: their figures here lack it until it comes back")
    assert sent.name in dialog.details.toPlainText()
    dialog.grab().save(str(tmp_path / "dismiss-offices-lost.png"))
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    # (not "ML": on a wide screen the bar goes on to the last import's file name)
    assert said not in window.sync_label.text()
    assert "lost" not in window.sync_label.toolTip()
    with open_replica(hq_path) as rep:
        restored = sync.sync_state(rep).restored
        assert restored["offices_lost"] == []
        assert [i["office"] for i in restored["offices_lost_dismissed"]] == ["ML"]


def _three_kinds_lost(open_window, qtbot, hq, make_office, tmp_path):
    """A window on HQ put back from a backup that lost the three kinds of thing a
    restore warns of (tests.scenes.hq_restored_losing_three_kinds), its dialog open."""
    from tests.scenes import hq_restored_losing_three_kinds

    path, *replicas = hq_restored_losing_three_kinds(hq, make_office, tmp_path)
    for rep in replicas:
        rep.close()
    window = open_window(path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    window.lost_action.trigger()
    return path, window, window.findChild(object, "dismiss-lost-dialog")


def test_headquarters_chooses_which_restore_warnings_to_stop(open_window, qtbot, hq,
                                                             make_office, tmp_path):
    """"Stop warning" ended HQ's own lost changes, the offices' lost events and
    revoked computers' at once, in three transactions: a person who had made the lost
    lock again also stopped, unasked, the one warning that said SN's figures lacked an
    event. Each kind shown is a check box now, none checked (Stop warning waits for
    one), and only those checked end."""
    from ui.dialogs import ConfirmDialog

    path, window, dialog = _three_kinds_lost(open_window, qtbot, hq, make_office, tmp_path)
    assert isinstance(dialog, ConfirmDialog)
    assert list(dialog.choices) == ["own", "offices", "revoked"]
    assert [box.text() for box in dialog.choices.values()] == [
        "&Headquarters' own changes: made again", "&Offices' events: they cannot come back",
        "Re&voked computers' events: their bundles cannot be found"]
    assert not dialog.ok_button.isEnabled()
    assert dialog.choices["own"].hasFocus() or not dialog.isActiveWindow()
    dialog.grab().save(str(tmp_path / "dismiss-three-kinds.png"))
    qtbot.mouseClick(dialog.choices["offices"], Qt.MouseButton.LeftButton)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "received from SN" not in window.sync_label.toolTip(),
                    timeout=10_000)
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        restored = sync.sync_state(rep).restored
    assert restored["offices_lost"] == [] and restored["lost"] == 1
    assert [item["events"] for item in restored["revoked_lost"]] == [2]
    # the two left: one box each
    assert window.lost_action.isVisible()
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert list(dialog.choices) == ["own", "revoked"]
    dialog.choices["own"].setChecked(True)
    dialog.choices["revoked"].setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    with open_replica(path) as rep:
        restored = sync.sync_state(rep).restored
    assert (restored["lost"], restored["revoked_lost"]) == (0, [])


def test_a_lost_lock_keeps_its_period_and_date_in_order_in_arabic(open_window, qtbot, hq,
                                                                   make_office, tmp_path,
                                                                   qapp):
    """In Arabic the details' first line, "Period 2025-S2 locked (6 Dec 2026, …)", was
    drawn "06 2026/122025-S2/": the period's isolate ran on into the date's first
    number (up to the date's right-to-left mark), and the rest of the date went on
    outside it. The period is isolated alone, the date written as Arabic writes it."""
    import re

    from fieldplan.i18n import format_datetime
    from tests.ui.test_rtl import _seen
    from ui.app import apply_language

    apply_language(qapp, "ar")
    try:
        path, window, dialog = _three_kinds_lost(open_window, qtbot, hq, make_office,
                                                 tmp_path)
        dialog.grab().save(str(tmp_path / "dismiss-three-kinds-ar.png"))
        first = dialog.details.toPlainText().splitlines()[0]
        with open_replica(path) as rep:
            at = sync.sync_state(rep).restored["lost_changes"][0]["at"]
        day = format_datetime(at).split("،")[0]  # "06\u200f/12\u200f/2026"

        def drawn(text: str) -> str:  # (left to right, without the bidi controls)
            return re.sub("[\u200e\u200f\u2066-\u2069]", "", _seen(text))

        # "2026/12/06) 2025-S2 الفترة": the date as drawn on its own, left of the period
        tip = next(line for line in window.sync_label.toolTip().splitlines()
                   if "2025-S2" in line)
        for seen in (drawn(first), drawn(tip)):  # (the status bar's tip: the same)
            assert drawn(day) in seen and "2025-S2 " in seen
            assert seen.index(drawn(day)) + len(drawn(day)) + 2 == seen.index("2025-S2")
        dialog.reject()
    finally:
        apply_language(qapp, "en")


def test_stopping_restore_warnings_is_one_transaction(open_window, qtbot, hq, make_office,
                                                      tmp_path, monkeypatch):
    """The three kinds ended in three transactions: a failure in the last left the
    first two ended. Now none ends, and the failure is said."""
    from fieldplan.errors import StoreError
    from fieldplan.sync import state
    from ui.dialogs import MessageDialog

    def refuse(_rep):
        raise StoreError("could not save to the database, nothing was changed: the disk "
                         "is full")

    monkeypatch.setattr(state, "_dismiss_revoked_lost", refuse)
    path, window, dialog = _three_kinds_lost(open_window, qtbot, hq, make_office, tmp_path)
    for box in dialog.choices.values():
        box.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "error-box") is not None,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        restored = sync.sync_state(rep).restored
    assert restored["lost"] == 1 and len(restored["offices_lost"]) == 1
    assert len(restored["revoked_lost"]) == 1


def test_an_office_status_bar_says_what_the_restore_lost(open_window, qtbot, hq,
                                                          make_office, tmp_path):
    """The restore dialog said "the status bar then says what it could not get back",
    and at an office it said nothing of the reports typed after the backup and never
    sent: its status bar says how many, its tip which."""
    from tests.scenes import office_restored_after_typing

    path = office_restored_after_typing(make_office, tmp_path)
    window = open_window(path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: "never sent" in window.sync_label.toolTip(), timeout=5000)
    tip = window.sync_label.toolTip()
    assert ("Restored from a backup: 3 changes made here after it were never sent, and "
            "are lost; make them again") in tip
    for action in ("PA1.2", "PA1.3", "PA2.1"):
        assert f"report on {action} for 2nd semester 2026 changed" in tip
    window.grab().save(str(tmp_path / "office-restored.png"))


def test_an_office_ends_the_restore_warning_once_it_typed_them_again(
        open_window, qtbot, hq, make_office, tmp_path):
    """The warning of what a restore lost stayed in the office's status bar for good:
    only `fieldplan status --dismiss-lost` ended it. The Period menu does, as the
    Headquarters menu does at HQ."""
    from tests.scenes import office_restored_after_typing

    path = office_restored_after_typing(make_office, tmp_path)
    window = open_window(path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    period_menu = next(a.menu() for a in window.menuBar().actions()
                       if a.text() == "&Period")
    assert window.lost_action in period_menu.actions()
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert dialog.text.text().startswith(
        "3 changes made on this computer after the backup this database was restored "
        "from were never sent to headquarters, and are lost. Type them again")
    for action in ("PA1.2", "PA1.3", "PA2.1"):  # which they are, one a line
        assert f"report on {action} for 2nd semester 2026 changed" in dialog.details.toPlainText()
    dialog.grab().save(str(tmp_path / "office-dismiss-lost.png"))
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    assert "never sent" not in window.sync_label.toolTip()
    with open_replica(path) as rep:
        assert sync.sync_state(rep).restored["never_sent"] == 0


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_office_status_bar_says_a_bundle_never_reached_headquarters(
        open_window, qtbot, hq, make_office, tmp_path, lang, monkeypatch):
    """Restored after exporting a bundle that headquarters never received: the status
    bar said nothing was lost. Once headquarters' receipts show it lacks them, the
    status bar says so, its tip and the dialog that ends the warning name the file
    and the report."""
    from PySide6.QtWidgets import QApplication

    from tests.scenes import office_restored_after_a_lost_bundle, send, ticking_clock
    from ui.app import apply_language

    ticking_clock(monkeypatch)  # (HQ answers seconds after the export, as in life)
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    with open_replica(path) as ml:
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
    apply_language(QApplication.instance(), lang)
    try:
        _says_the_bundle_never_arrived(open_window(path), qtbot, tmp_path, lost, lang)
    finally:
        apply_language(QApplication.instance(), "en")


def _says_the_bundle_never_arrived(window, qtbot, tmp_path, lost, lang) -> None:
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    window.grab().save(str(tmp_path / f"office-bundle-lost-{lang}.png"))
    tip = window.sync_label.toolTip()
    assert lost.name in tip and "PA1.2" in tip
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert lost.name in dialog.details.toPlainText()
    dialog.grab().save(str(tmp_path / f"office-bundle-lost-dialog-{lang}.png"))
    if lang != "en":
        return
    assert ("Restored from a backup: 1 change made here after it did not reach "
            "headquarters; import its bundle there again or make it again") in tip
    assert dialog.text.text().startswith(
        "1 change made on this computer after the backup this database was restored "
        "from did not reach headquarters, and is lost unless its bundle is imported "
        "there again. Type it again")
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    assert lost.name not in window.sync_label.toolTip()


def test_the_restore_warning_lists_the_changes_lost(open_window, qtbot, hq, make_office,
                                                   tmp_path):
    """The dialog that ends the warning says which changes to make again, not only how
    many."""
    from tests.scenes import hq_restored_with_a_lost_change

    hq_path, ml = hq_restored_with_a_lost_change(hq, make_office, tmp_path)
    ml.close()
    window = open_window(hq_path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    # the status bar's tip says which, under how many
    tip = window.sync_label.toolTip().splitlines()
    assert "was lost" in tip[0] and tip[1].startswith("Period 2025-S2 locked (")
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert dialog is not None and dialog.details is not None
    assert dialog.details.toPlainText().startswith("Period 2025-S2 locked (")
    dialog.reject()


def test_a_revocation_whose_backup_fails_says_so(open_window, qtbot, hq, make_office,
                                                 tmp_path, monkeypatch):
    from fieldplan.errors import BackupError
    from fieldplan.sync import keys as keyreg

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path).outcome \
        == "merged"
    lost = ml.meta("key_id")
    hq_path = hq.path
    hq.close()

    def no_room(*_args, **_kwargs):
        raise BackupError("cannot back up the database: the disk is full (backups in /x)")

    monkeypatch.setattr(keyreg.store, "backup", no_room)
    window = open_window(hq_path)
    page = window.hq_desk.keys
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.revoke(lost)
    qtbot.waitUntil(lambda: lost in page.message.text(), timeout=10_000)
    assert "the backup after it could not be written" in page.message.text()
    wait_idle(qtbot, window.session)
    with open_replica(hq.path) as rep:
        assert sync.all_keys(rep)[lost].status == "revoked"


CONFLICT_NOTICE = ("Changed on two computers, neither seeing the other's change: Status. "
                   "Both versions are kept; choose one in Conflicts.")


def editing(window, qtbot, code: str):
    """The report of ``code`` for 2026-S1 in the window's editor, once loaded."""
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code
                    and editor.status.isEnabled(), timeout=5000)
    wait_idle(qtbot, window.session)
    return editor


def test_a_report_with_a_conflict_an_import_brought_says_so(open_window, qtbot, hq,
                                                            make_office, tmp_path):
    """Laptop A's status became laptop B's through headquarters' bundle, and the form
    said nothing of it: only the status bar counted "1 conflict"."""
    a, _b, code, _out = laptops_in_conflict(hq, make_office, tmp_path)
    assert len(sync.list_conflicts(a)) == 1
    a_path = closed(a)
    window = open_window(a_path)
    editor = editing(window, qtbot, code)
    assert CONFLICT_NOTICE in editor.notice.text().split("\n")
    assert editor.notice.isVisible()
    window.grab().save(str(tmp_path / "conflict-notice.png"))
    # settled on the Conflicts page: no longer said
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    qtbot.mouseClick(page.keep_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: CONFLICT_NOTICE not in editor.notice.text(), timeout=5000)


def test_the_conflict_notice_names_indicators_by_title_in_an_arabic_list(
        qapp, open_window, qtbot, hq, make_office, tmp_path):
    """Not "…: الإنجازات, المؤشر policies-supported, الوضع": the language's list
    separator, and an indicator by its title, as the Conflicts table names it."""
    from fieldplan.i18n import field_label
    from ui.app import apply_language

    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    action = next(x for x in a.plan().actions_of(level="national") if x.indicators)
    key = action.indicators[0].key
    out = tmp_path / "out"
    out.mkdir()
    for rep, status, value in ((a, "on-track", 3), (b, "at-risk", 4)):
        progress.record_progress(rep, action.code, "2026-S1", status=status,
                                 values={key: value}, achievements=status)
        sync.import_bundle(hq, sync.export_bundle(rep, out_dir=out).path)
    sync.import_bundle(a, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    a_path = a.path
    a.close()
    apply_language(qapp, "ar")
    try:
        window = open_window(a_path)
        editor = editing(window, qtbot, action.code)
        title = action.indicators[0].title.get("ar")
        names = [field_label("achievements"), field_label("status"), title]
        qtbot.waitUntil(lambda: all(n in editor.notice.text() for n in names), timeout=5000)
        text = editor.notice.text()
        assert "\u060c " in text and ", " not in text and key not in text
        window.grab().save(str(tmp_path / "conflict-notice-ar.png"))
        # the notice of a save made over a newer version names them the same way
        editor._tell_conflicts({"achievements", f"value.{key}"})
        told = editor.notice.text().split("\n")[-1]
        assert f"{field_label('achievements')}\u060c {title}" in told, told
    finally:
        apply_language(qapp, "en")


def test_an_import_that_brings_a_conflict_on_the_open_report_says_so(
        open_window, qtbot, hq, make_office, tmp_path):
    a, _b, code, out = laptops_in_conflict(hq, make_office, tmp_path, told="")
    bundle = sync.export_bundle(hq, for_office="ML", out_dir=out).path
    a_path = closed(a)
    window = open_window(a_path)
    editor = editing(window, qtbot, code)
    assert "Conflicts" not in editor.notice.text()
    window.import_files([str(bundle)])
    result_dialog(window, qtbot).close()
    qtbot.waitUntil(lambda: CONFLICT_NOTICE in editor.notice.text().split("\n"),
                    timeout=5000)
    assert editor.notice.isVisible()
    wait_idle(qtbot, window.session)


def test_trusting_a_key_whose_enrolment_ended_says_so_on_the_page(open_window, qtbot, hq,
                                                                  make_office, tmp_path):
    """What the trust noted (its setup bundle's enrolment had expired) came in a
    warning box over the import's result, which it repeated: it is said on the page,
    after how many bundles were merged."""
    first = make_office("ML", "ml-a")
    sync.import_bundle(hq, sync.export_bundle(first, out_dir=tmp_path).path)
    setup = tmp_path / "ML-2-setup.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    second = sync.init_from_setup(tmp_path / "ml-b.sqlite3", setup)
    with hq.conn:  # 90 days later
        hq.conn.execute("UPDATE enrolments SET expires_at = '2026-03-01T00:00:00Z'")
    (tmp_path / "b").mkdir()
    exported = sync.export_bundle(second, out_dir=tmp_path / "b")
    second.close()
    assert sync.import_bundle(hq, exported.path).outcome == "quarantined"
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    page.view.selectRow(0)
    page.trust(page.model.row_at(0).fingerprint)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text().startswith("Key trusted; 1 bundle merged. Key ")
    assert page.message.text().endswith(
        "trusted, but its setup bundle's enrolment expired on 1 Mar 2026.")
    assert window.findChild(object, "error-box") is None
    result_dialog(window, qtbot).accept()


def test_the_import_result_says_which_reports_are_in_conflict(open_window, qtbot, hq,
                                                              make_office, tmp_path):
    """Importing a second laptop's bundle made conflicts, and the result's row said only
    how many events were new (the CLI and the Inbox say it)."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    progress.record_progress(a, code, "2026-S1", status="on-track")
    progress.record_progress(b, code, "2026-S1", status="at-risk")
    sync.import_bundle(hq, sync.export_bundle(a, out_dir=tmp_path).path)
    (tmp_path / "b").mkdir()
    exported = sync.export_bundle(b, out_dir=tmp_path / "b")
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    drop(window, [exported.path])
    dialog = result_dialog(window, qtbot)
    assert [o.conflicts for o in dialog.outcomes] == [1]
    detail = dialog.table.item(0, 3).text()
    assert detail.endswith("1 report it changed is in conflict (two computers of the office "
                           "wrote it differently) until a person of the office keeps one of "
                           "the values")
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_the_warning_of_a_revoked_computers_lost_events_ends_from_the_menu(
        open_window, qtbot, hq, tmp_path):
    """It ended only when that computer's bundle was imported again, which a computer
    stolen with its bundles never gives: the Headquarters menu's action ends it too."""
    from tests.scenes import revoked_laptop_sent_twice

    a, b, _bundles, _shown, hq2 = revoked_laptop_sent_twice(hq, tmp_path)
    hq_path = hq2.path
    for rep in (a, b, hq2):
        rep.close()
    window = open_window(hq_path)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.lost_action.isVisible(), timeout=5000)
    assert "revoked computer" in window.sync_label.text()
    assert window.lost_action.text() == "Offices' events lost in the &restore…"
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert dialog is not None
    assert dialog.details.toPlainText().startswith("The restore lost 2 events of ML's computer")
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    assert "revoked computer" not in window.sync_label.text()
    wait_idle(qtbot, window.session)


def test_headquarters_own_bundles_dropped_again_are_already_here(open_window, qtbot, hq,
                                                                 make_office, tmp_path):
    """HQ drops the stick it shares with the offices: its own bundle for ML and the
    setup bundle it wrote are "Already here", and say for whom they are (they were
    "Rejected", beside the damaged bundles HQ must act on)."""
    from fieldplan.sync import enroll_office

    make_office("ML")
    stick = tmp_path / "stick"
    stick.mkdir()
    sync.export_bundle(hq, for_office="ML", out_dir=stick)
    enroll_office(hq, "SN", stick / "SN-setup.fieldplan")
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    dialog, rows = dropped_stick(window, qtbot, stick)
    said = ("headquarters wrote this setup bundle for SN: nothing new here; it sets up a "
            "computer of SN")
    assert rows["SN-setup.fieldplan"] == ("Already here", said)
    [(_name, (word, detail))] = [(k, v) for k, v in rows.items() if k.startswith("HQ-to-ML")]
    assert word == "Already here"
    assert detail.endswith("; headquarters wrote this bundle for ML: nothing new here; send "
                           "it to ML")
    # the setup bundle named by the office it is for, as a refused one is
    setup_row = [dialog.table.item(r, 0).text()
                 for r in range(dialog.table.rowCount())].index("SN-setup.fieldplan")
    assert dialog.table.item(setup_row, 1).text() == "Setup bundle for SN · Senegal"
    dialog.accept()
    wait_idle(qtbot, window.session)
    page = window.inbox
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    model = page.model
    entry = next(model.row_at(r) for r in range(2)
                 if model.row_at(r).file == "SN-setup.fieldplan")
    assert model.display(entry, model.OFFICE) == "Setup bundle for SN · Senegal"
    assert model.display(entry, model.EVENTS) == "—"
    assert model.display(entry, model.REASON) == said


def test_an_offices_own_bundle_dropped_again_is_already_here(open_window, qtbot, hq,
                                                            make_office, tmp_path):
    """An office drops its stick: the bundle it exported for headquarters is "Already
    here" and says headquarters has it, beside headquarters' bundle for it (it was
    "Rejected", as if something were wrong with it)."""
    ml, stick, own = own_bundle_merged_at_hq(hq, make_office, tmp_path)
    sync.export_bundle(hq, for_office="ML", out_dir=stick)
    ml_path = ml.path
    ml.close()
    window = open_window(ml_path)
    dialog, rows = dropped_stick(window, qtbot, stick)
    word, detail = rows[own.name]
    assert word == "Already here"
    assert detail.startswith("nothing new: ")
    # (headquarters' bundle beside it, imported first, acknowledges it: nothing to send)
    assert detail.endswith("; this computer wrote this bundle for headquarters, which has "
                           "received it: nothing new here, nothing to send")
    assert sorted(word for word, _detail in rows.values()) == ["Already here", "Merged"]
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_headquarters_stick_dropped_whole_at_an_office(open_window, qtbot, hq, make_office,
                                                      tmp_path):
    """An office drops headquarters' stick of every office's bundles: another office's
    is refused, saying whose it is, without asking headquarters for the office's own,
    which is beside it and merged."""
    ml = make_office("ML")
    make_office("SN")
    stick = tmp_path / "stick"
    stick.mkdir()
    sync.export_bundle(hq, for_office="ML", out_dir=stick)
    for_sn = sync.export_bundle(hq, for_office="SN", out_dir=stick).path
    ml_path = ml.path
    ml.close()
    window = open_window(ml_path)
    dialog, rows = dropped_stick(window, qtbot, stick)
    assert rows[for_sn.name] == ("Rejected", "bundle is addressed to SN, not to ML: "
                                 "headquarters wrote it for SN; send it there")
    assert sorted(word for word, _detail in rows.values()) == ["Merged", "Rejected"]
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_a_revoked_computers_own_bundle_says_so_before_the_revoking_one(
        open_window, qtbot, hq, make_office, tmp_path):
    """Its own bundle chosen first, headquarters' bundle revoking its key second: the
    own bundle said "send it to headquarters", which refuses it (chosen the other way
    round, it said so). Either way it says what the computer is told everywhere."""
    ml, stick, own = own_bundle_merged_at_hq(hq, make_office, tmp_path)
    sync.keys.revoke_key(hq, ml.meta("key_id"))
    news = sync.export_bundle(hq, for_office="ML", out_dir=stick).path
    ml_path = ml.path
    ml.close()
    window = open_window(ml_path)
    window.import_files([str(own), str(news)])
    dialog = result_dialog(window, qtbot)
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 3).text()
            for r in range(dialog.table.rowCount())}
    assert rows[own.name].endswith(
        "; this computer wrote this bundle for headquarters: nothing new here; "
        "headquarters revoked this computer's key and refuses its bundles; ask "
        "headquarters for a new setup bundle")
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_a_file_merged_before_the_import_stopped_says_it_was_merged(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch):
    """What follows a merge's commit failed (a full disk): the file's row said "Not
    imported" though its changes were in; it is merged, and says what failed after."""
    from fieldplan.errors import StoreError
    from fieldplan.sync import exchange

    paths = []
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        paths.append(sync.export_bundle(office, out_dir=tmp_path).path)

    def renew(rep):
        raise StoreError("the disk is full")

    monkeypatch.setattr(exchange, "renew_if_gone_back", renew)
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    drop(window, paths)
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["merged", "stopped"]
    assert dialog.table.item(0, 2).text() == "Merged"
    assert dialog.table.item(0, 3).text() == (
        "1 new of 1 event; the key of a new computer of ML is now registered: "
        "headquarters' bundles for ML reach that computer from now on; after it was "
        "merged, this computer could not go on as a new "
        "replica, as the receipts it brought require (this database lost its last "
        "changes): the disk is full; it does when the database is next opened")
    assert dialog.table.item(1, 3).text() == (
        "Not imported: the import stopped at an earlier file.")
    dialog.accept()
    wait_idle(qtbot, window.session)


def dropped_stick(window, qtbot, stick):
    """Drop the folder ``stick`` on ``window``: its import result dialog, and each
    file's row as file name -> (outcome, details)."""
    drop(window, [stick])
    dialog = result_dialog(window, qtbot)
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 2).text(),
                                             dialog.table.item(r, 3).text())
            for r in range(dialog.table.rowCount())}
    return dialog, rows


def own_bundle_merged_at_hq(hq, make_office, tmp_path):
    """ML with a report, its bundle for headquarters on a USB stick (a folder) and
    merged at ``hq``: the office, the stick and the bundle."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    stick = tmp_path / "stick"
    stick.mkdir()
    own = sync.export_bundle(ml, out_dir=stick).path
    assert sync.import_bundle(hq, own).outcome == "merged"
    return ml, stick, own


def test_a_new_computers_first_bundle_without_changes_shows_its_key(open_window, qtbot, hq,
                                                                     make_office, tmp_path):
    """A second laptop of an office, set up and exporting before anyone typed on it,
    sends a bundle of no events: its key is registered by the import, and the Keys page,
    read again only when an import brought events, did not list it until the window was
    opened again."""
    laptop = make_office("ML")
    first = sync.export_bundle(laptop, out_dir=tmp_path).path
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.keys,
                                lambda page: page.model.rowCount() == 1)
    window.import_files([str(first)])
    [outcome] = accept_result(window, qtbot)
    assert (outcome.outcome, outcome.events_new) == ("merged", 0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert laptop.meta("key_id") in {page.model.row_at(i).key_id for i in range(2)}


def test_a_hidden_inbox_lists_the_bundles_again_once_shown(open_window, qtbot, demo_world,
                                                           tmp_path, monkeypatch):
    """It listed every bundle and every gap again at each change, shown or not, and
    measured its thousand rows on the GUI thread: at a headquarters of 3,500 bundles
    0.1 s of the window and 0.2 s of the database's thread at each save or import
    made on another tab. A change seen while it is hidden is read once the page is
    shown, on the database's thread; shown, at once."""
    import threading

    from fieldplan import sync
    from fieldplan.replica import Changes
    from tests.ui.conftest import read_once_shown
    from ui.qtcompat import emit

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    window = open_window(db)
    page = window.inbox
    window.show_page(page)
    wait_idle(qtbot, window.session)
    listed: list[int] = []
    real = sync.list_inbox

    def list_inbox(rep, *args, **kwargs):
        listed.append(threading.get_ident())
        return real(rep, *args, **kwargs)

    monkeypatch.setattr(sync, "list_inbox", list_inbox)
    filled = []
    real_set_rows = page.model.set_rows
    monkeypatch.setattr(page.model, "set_rows", lambda rows: (filled.append(len(rows)),
                                                              real_set_rows(rows)))
    read_once_shown(window, qtbot, page, listed)
    assert len(filled) == 1
    emit(window.session.changes_did_happen, Changes(entities=(("progress", "*"),)))
    qtbot.waitUntil(lambda: len(listed) == 2, timeout=5000)  # shown: read at once
    wait_idle(qtbot, window.session)


def test_an_import_the_disk_fills_under_takes_its_backup_back(
    open_window, qtbot, demo_world, tmp_path, monkeypatch
):
    """The backup fitted, the first file did not: the copy of the database left as it
    was went with the import (kept, it held the room the next try's backup needed)."""
    import errno

    from fieldplan import store
    from fieldplan.errors import StoreError
    from fieldplan.sync import exchange

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]
    full = "could not save to the database, nothing was changed: the disk is full"

    def merge(rep, b, m, **kw):
        raise StoreError(full) from OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exchange, "_merge", merge)
    before = events_count(db)
    window = open_window(db)
    backups = store.list_backups(db)  # (those the opening took)
    drop(window, bundles)
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["stopped", "stopped"]
    assert full in dialog.table.item(0, 3).text()
    dialog.accept()
    wait_idle(qtbot, window.session)
    assert store.list_backups(db) == backups
    assert events_count(db) == before


def test_a_dropped_folder_is_looked_into_off_the_gui_thread(open_window, qtbot, demo_world,
                                                             tmp_path, monkeypatch):
    """A USB stick's folder dropped on the window was listed on the GUI thread (its
    files, each file's kind): on a slow stick, a stick of thousands of photos or a
    share out of reach, the window froze until the listing ended. It is listed off
    that thread; its bundles are imported as before."""
    import os
    import threading

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    stick = tmp_path / "stick"
    stick.mkdir()
    shutil.copy(sorted((demo_world / "bundles").glob("*.fieldplan"))[0], stick / "SN.zip")
    (stick / "photo.jpg").write_bytes(b"\xff\xd8")
    window = open_window(db)
    gui = threading.current_thread()
    looked: list[bool] = []
    real_scandir, real_isdir = os.scandir, os.path.isdir

    def scandir(path=".", *args):
        if str(path) == str(stick):
            looked.append(threading.current_thread() is gui)
        return real_scandir(path, *args)

    def isdir(path):
        if str(path) == str(stick):
            looked.append(threading.current_thread() is gui)
        return real_isdir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os.path, "isdir", isdir)
    drop(window, [stick])
    dialog = result_dialog(window, qtbot)
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [("SN.zip", "merged")]
    assert dialog.left_aside_note.isVisibleTo(dialog)
    assert looked and not any(looked)


def _looks_at(monkeypatch, folder: Path) -> list[tuple[str, bool]]:
    """Every look at a path under ``folder`` (os.stat, which os.path.exists, isdir and
    isfile use; os.scandir), as (path, whether it was on the GUI thread)."""
    import os
    import threading

    looks: list[tuple[str, bool]] = []
    real_stat, real_scandir = os.stat, os.scandir

    def note(path) -> None:
        if not isinstance(path, int) and os.fsdecode(path).startswith(str(folder)):
            looks.append((os.fsdecode(path),
                          threading.current_thread() is threading.main_thread()))

    def stat(path, *args, **kwargs):
        note(path)
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        note(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    return looks


@pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")
def test_a_drag_and_a_drop_look_at_no_drive_on_the_gui_thread(open_window, qtbot,
                                                               demo_world, tmp_path,
                                                               monkeypatch):
    """A folder dragged from a USB stick or a network drive: each move of the drag
    over the window looked whether its files were there, and the drop listed the
    folder, on the GUI thread; a drive slow to answer (a stalled share) froze the
    window, the drag with it, for as long as it did. The drag now asks nothing of the
    drive, the folder is looked into on a thread of its own, and its bundles are
    imported as before."""
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent

    db = copy_db(demo_world / "hq.sqlite3", tmp_path / "hq.sqlite3")
    stick = tmp_path / "stick"
    stick.mkdir()
    bundle = sorted((demo_world / "bundles").glob("*.fieldplan"))[0]
    shutil.copy(bundle, stick / bundle.name)
    (stick / "photo.jpg").write_bytes(b"\xff\xd8")
    window = open_window(db)
    looks = _looks_at(monkeypatch, stick)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(stick))])
    enter = QDragEnterEvent(QPointF(20, 20).toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(QPointF(30, 30).toPoint(), Qt.DropAction.CopyAction, mime,
                          Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragMoveEvent(move)
    assert move.isAccepted()
    drop(window, [stick])
    dialog = result_dialog(window, qtbot)
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [(bundle.name, "merged")]
    assert dialog.left_aside_note.text().startswith(
        "1 other file in the dropped folder was left aside")
    assert looks and not [path for path, on_gui in looks if on_gui]
    dialog.accept()
    wait_idle(qtbot, window.session)


def test_a_drop_whose_folder_is_still_being_listed_leaves_the_window_working(
        open_window, qtbot, hq_db, tmp_path, monkeypatch):
    """While a dropped folder is listed (a stick that answers slowly), the window goes
    on: its events are handled; once the listing answers, what it found is said."""
    import os
    import threading

    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "photo.jpg").write_bytes(b"\xff\xd8")
    window = open_window(hq_db)
    answer = threading.Event()
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if str(path) == str(stick):
            assert answer.wait(5)
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    ticks: list[int] = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, window, lambda: ticks.append(1))
    drop(window, [stick])  # returns at once: the listing waits off the GUI thread
    qtbot.waitUntil(lambda: bool(ticks))
    answer.set()
    qtbot.waitUntil(lambda: "left aside" in window.statusBar().currentMessage())
    wait_idle(qtbot, window.session)


def test_what_a_drop_holds_is_said_once_looked_at_and_only_to_a_window_still_open(
        open_window, qtbot, hq_db, tmp_path, monkeypatch):
    """Looked into off the GUI thread, an empty folder dropped is still said in the
    status bar; a window closed while the drive was answering imports nothing."""
    import threading

    from ui import transfer
    from ui.ops import off_thread_jobs

    empty = tmp_path / "empty"
    empty.mkdir()
    window = open_window(hq_db)
    drop(window, [empty])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage()
                    == "No .fieldplan bundle in what was dropped.")
    answer, imported = threading.Event(), []
    real = transfer.files_dropped

    def slow_drive(paths):
        answer.wait(10)
        return real(paths)

    monkeypatch.setattr(transfer, "files_dropped", slow_drive)
    monkeypatch.setattr(window, "import_files", lambda *args: imported.append(args))
    bundle = tmp_path / "ML.fieldplan"
    bundle.write_text("x")
    drop(window, [bundle])
    window.close()
    answer.set()
    qtbot.waitUntil(lambda: not off_thread_jobs())
    assert imported == []


def test_the_quarantines_and_the_keys_lines_go_once_the_page_is_left(
        open_window, qtbot, hq, make_office, tmp_path):
    """"Key refused; 1 bundle removed from quarantine." (or "Key trusted; …", "Key …
    revoked.") stayed beside the buttons for the rest of the session: days later it
    still stood beside other bundles, read as if about them. It goes once the person
    leaves the page (not while the window is only minimised)."""
    first = make_office("ML", "ml-a")
    progress.record_progress(first, first.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    sync.import_bundle(hq, sync.export_bundle(first, out_dir=tmp_path).path)
    lost = first.meta("key_id")
    setup = tmp_path / "ML-2-setup.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    second = sync.init_from_setup(tmp_path / "ml-b.sqlite3", setup)
    with hq.conn:  # 90 days later
        hq.conn.execute("UPDATE enrolments SET expires_at = '2026-03-01T00:00:00Z'")
    (tmp_path / "b").mkdir()
    exported = sync.export_bundle(second, out_dir=tmp_path / "b")
    second.close()
    assert sync.import_bundle(hq, exported.path).outcome == "quarantined"
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    page.refuse(page.model.row_at(0).fingerprint)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text().startswith("Key refused; 1 bundle removed")
    window.show_page(window.hq_desk.overview)
    window.show_page(page)
    assert page.message.text() == ""

    keys = window.hq_desk.keys
    window.show_page(keys)
    qtbot.waitUntil(lambda: keys.model.rowCount() == 2, timeout=5000)
    keys.revoke(lost)
    qtbot.waitUntil(lambda: lost in keys.message.text(), timeout=10_000)
    wait_idle(qtbot, window.session)
    window.showMinimized()  # (the window aside a moment: the line stays)
    window.showNormal()
    assert lost in keys.message.text()
    window.show_page(window.hq_desk.inbox)
    window.show_page(keys)
    assert keys.message.text() == ""
    wait_idle(qtbot, window.session)
