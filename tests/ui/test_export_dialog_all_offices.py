"""Headquarters' Export dialog writes a bundle for every office at once (one file each,
off the GUI thread, with a count), never for email; and a setup bundle imported by
mistake is said in the client's words, not as a command to type."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import path_shown_whole, wait_idle
from tests.ui.test_sync_ui import result_dialog

sync = pytest.importorskip("fieldplan.sync")


@pytest.fixture
def hq_world(hq, make_office, tmp_path) -> Path:
    """Headquarters whose registry holds ML's and SN's keys (their first bundles
    merged), with RO-Dakar enrolled only (its setup bundle written)."""
    sent = tmp_path / "to-hq"
    sent.mkdir()
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track", percent=20)
        assert sync.import_bundle(hq, sync.export_bundle(office, out_dir=sent).path).outcome \
            == "merged"
    make_office("RO-Dakar")
    path = hq.path
    hq.close()
    return path


def open_export(window, qtbot, *, email: bool = False):
    from ui.transfer import ExportDialog

    dialog = ExportDialog(window.session, window.identity, window, email=email)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=5000)
    return dialog


def recipients(dialog) -> list:
    return [dialog.recipient.itemData(i) for i in range(dialog.recipient.count())]


def export_all(dialog, qtbot, folder: Path) -> None:
    from ui.transfer import ALL_OFFICES

    folder.mkdir(parents=True, exist_ok=True)  # a folder chosen is never made
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=20_000)


def test_all_offices_writes_one_file_each_off_the_gui_thread(open_window, qtbot, hq_world,
                                                             tmp_path, monkeypatch):
    from ui.transfer import ALL_OFFICES

    threads = []
    real = sync.export_all_offices

    def export_all_offices(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(sync, "export_all_offices", export_all_offices)
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    # the choice above the offices, and the one chosen at first
    assert recipients(dialog) == [ALL_OFFICES, None, "ML", "SN"]
    assert dialog.recipient.itemText(0) == "All offices (one file each)"
    dialog.recipient.setCurrentIndex(dialog.recipient.findData("ML"))
    assert dialog.ok.text() == "&Save bundle"
    dialog.recipient.setCurrentIndex(0)
    # how many files it writes, before it writes them: every office HQ knows
    assert dialog.ok.text() == "&Save bundles"
    assert dialog.message.text() == ("A bundle for each office headquarters knows: 3 files, "
                                     "each named for its office, in the folder.")
    finished = []
    dialog.export_did_finish.connect(finished.append)
    out = tmp_path / "usb" / "semester"
    export_all(dialog, qtbot, out)
    assert threads and threading.main_thread().ident not in threads
    done = dialog.result_info
    assert finished == [done]
    assert [r.recipient for r in done.written] == ["ML", "RO-Dakar", "SN"]
    assert sorted(p.name for p in out.iterdir()) == sorted(r.path.name for r in done.written)
    assert dialog.said() == f"Saved 3 bundles, one file for each office, in this folder:\n{out}"
    # a screen reader names the path under it for what it is: a folder
    assert dialog.path_label.accessibleName() == "Path of the folder the bundles were saved in"
    assert dialog.ok.isEnabled()
    dialog.close()
    wait_idle(qtbot, window.session)



def test_exporting_again_onto_the_same_stick_says_nothing_new_was_in_them(
        open_window, qtbot, hq_world, tmp_path):
    """Every office's bundle written again to the same folder with nothing new since
    took the place of the one there (a single bundle's export says so): the dialog said
    "Saved 3 bundles" as if there were three new files to send."""
    window = open_window(hq_world)
    out = tmp_path / "stick"
    dialog = open_export(window, qtbot)
    export_all(dialog, qtbot, out)
    assert "saved again" not in dialog.said()
    dialog.close()
    dialog = open_export(window, qtbot)
    export_all(dialog, qtbot, out)
    assert all(r.again for r in dialog.result_info.written)
    assert len(list(out.iterdir())) == 3
    assert dialog.said() == (
        f"Saved 3 bundles, one file for each office, in this folder:\n{out}\n"
        "3 of them hold nothing new since the bundles saved before under their names: "
        "they were saved again in their place, not as second files.")
    dialog.close()
    wait_idle(qtbot, window.session)

def test_enter_after_choosing_a_folder_writes_every_offices_bundle(open_window, qtbot,
                                                                  hq_world, tmp_path):
    """After the review, a person who chose a folder and pressed Enter wrote a bundle
    for the first office only ("AF · Afghanistan"), the others left without the locks
    and receipts: every office is the recipient chosen at first."""
    from ui.transfer import ALL_OFFICES

    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    assert dialog.recipient.currentData() == ALL_OFFICES
    assert dialog.ok.text() == "&Save bundles" and dialog.ok.isDefault()
    out = tmp_path / "review"
    out.mkdir()
    dialog.folder.setText(str(out))
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=20_000)
    assert [r.recipient for r in dialog.result_info.written] == ["ML", "RO-Dakar", "SN"]
    assert len(list(out.iterdir())) == 3
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_recipients_are_listed_as_the_overview_lists_the_offices(
        open_window, qtbot, hq_world):
    """The recipients were sorted by their codes, an order no other list of offices
    has: in Arabic Mali (مالي) came before Senegal (السنغال), which the Overview and
    the review pack list the other way round. Each still carries its code."""
    from fieldplan.i18n import set_language
    from ui.transfer import ALL_OFFICES

    set_language("ar")
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    assert recipients(dialog) == [ALL_OFFICES, None, "SN", "ML"]
    assert [dialog.recipient.itemText(i) for i in (2, 3)] == [
        "SN · السنغال", "ML · مالي"]
    dialog.close()
    wait_idle(qtbot, window.session)


def test_email_is_not_offered_for_all_offices(open_window, qtbot, hq_world):
    """One mail per office would be wrong: Prepare for email has no such recipient."""
    from ui.transfer import ALL_OFFICES

    window = open_window(hq_world)
    dialog = open_export(window, qtbot, email=True)
    assert ALL_OFFICES not in recipients(dialog) and recipients(dialog) == ["ML", "SN"]
    assert dialog.ok.text() == "&Save bundle"
    dialog.close()
    wait_idle(qtbot, window.session)


@pytest.fixture
def ro_dakar_fails(monkeypatch) -> None:
    """RO-Dakar's bundle cannot be written (the disk filled); the others can."""
    from fieldplan.errors import FileError
    from fieldplan.sync import export

    real = export.export_bundle

    def export_bundle(rep, *, for_office=None, **kwargs):
        if for_office == "RO-Dakar":
            raise FileError(f"cannot write {kwargs['out_dir']}/HQ-to-RO-Dakar.fieldplan: "
                            "the disk is full")
        return real(rep, for_office=for_office, **kwargs)

    monkeypatch.setattr(export, "export_bundle", export_bundle)


def test_an_office_with_no_bundle_is_named_with_why(open_window, qtbot, hq_world, tmp_path,
                                                    ro_dakar_fails):
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    out = tmp_path / "out"
    export_all(dialog, qtbot, out)
    assert dialog.said() == (
        f"Saved 2 of 3 bundles in this folder:\n{out}\nNo bundle for this office:\n"
        f"RO-Dakar · Regional Office, Dakar: cannot write {out}/HQ-to-RO-Dakar.fieldplan: "
        "the disk is full")
    dialog.close()
    wait_idle(qtbot, window.session)


def test_cancel_stops_before_the_next_office(open_window, qtbot, hq_world, tmp_path,
                                             monkeypatch):
    """The progress dialog's Cancel: the bundle being written is finished, whole; the
    offices after it get none, and the result says which."""
    from PySide6.QtWidgets import QProgressDialog

    from fieldplan.sync import export

    started, go_on = threading.Event(), threading.Event()
    real = export.export_bundle

    def export_bundle(rep, **kwargs):
        started.set()
        assert go_on.wait(10)
        return real(rep, **kwargs)

    monkeypatch.setattr(export, "export_bundle", export_bundle)
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    out = tmp_path / "out"
    out.mkdir()
    dialog.recipient.setCurrentIndex(0)
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert started.wait(10)  # the first office's bundle is being written
    [waiting] = dialog.findChildren(QProgressDialog)
    assert waiting.windowTitle() == "Writing a bundle for each office"
    waiting.canceled.emit()  # its Cancel button
    go_on.set()
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=20_000)
    assert [r.recipient for r in dialog.result_info.written] == ["ML"]
    assert [p.name for p in out.iterdir()] == [dialog.result_info.written[0].path.name]
    assert dialog.said() == (f"Saved 1 of 3 bundles in this folder:\n{out}\n"
                             "Cancelled: 2 offices have no bundle (RO-Dakar, SN).")
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_result_says_what_a_cancel_left_out():
    from fieldplan.sync import AllOfficesExport, ExportResult, OfficeExport
    from ui.transfer import all_offices_text

    written = ExportResult(Path("/usb/HQ-to-ML-1.fieldplan"), 3, 2048, "b1", "ML",
                           note="no new entries")
    done = AllOfficesExport(Path("/usb"), (
        OfficeExport("ML", written),
        OfficeExport("SN", reason="not written: the export was cancelled", cancelled=True),
        OfficeExport("TD", reason="not written: the export was cancelled", cancelled=True)))
    assert all_offices_text(done) == (
        "Saved 1 of 3 bundles in this folder:",
        "Cancelled: 2 offices have no bundle (SN, TD).\n\n"
        "1 of them carries no new entries, only receipts: sending it still tells its "
        "office what arrived.")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_screenshots_of_the_all_offices_choice_and_its_result(lang, open_window, qtbot,
                                                               hq_world, tmp_path,
                                                               ro_dakar_fails):
    """(Looked at: FIELDPLAN_SHOTS=folder keeps them.) In Arabic the dialog is right to
    left and the folder in the result reads left to right, whole; one office failed,
    so the result has its list too."""
    from ui.app import apply_language

    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(hq_world)
        dialog = open_export(window, qtbot)
        dialog.recipient.setCurrentIndex(0)
        shots = Path(os.environ.get("FIELDPLAN_SHOTS") or tmp_path)
        dialog.grab().save(str(shots / f"export-all-offices-choice-{lang}.png"))
        out = tmp_path / "usb"
        export_all(dialog, qtbot, out)
        if lang == "ar":
            assert dialog.isRightToLeft()
            # the path isolated, left to right, on a line of its own
            assert dialog.path_label.text() == f"\u200f\u2066{out}\u2069"
        label = dialog.path_label
        assert label.isVisible() and path_shown_whole(label)
        for label in (dialog.message, dialog.after_path):
            assert label.height() >= label.heightForWidth(label.width())
        dialog.grab().save(str(shots / f"export-all-offices-result-{lang}.png"))
        dialog.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(QApplication.instance(), "en")


def test_a_setup_bundle_imported_by_mistake_is_said_in_the_clients_words(
        open_window, qtbot, hq, tmp_path):
    """HQ picks a setup bundle from the outbox it shares with the exports: the result and
    the inbox say how it is used (the first-run screen's button), not 'fieldplan init
    --from FILE', a command no one at the window can type. (One another headquarters
    wrote: this one's own is a duplicate, test_sync_ui.)"""
    from fieldplan.replica import init_hq

    setup = tmp_path / "SN-setup.fieldplan"
    with init_hq(tmp_path / "other-hq.sqlite3") as other:
        sync.enroll_office(other, "SN", setup)
    path = hq.path
    hq.close()
    window = open_window(path)
    window.import_files([str(setup)])
    dialog = result_dialog(window, qtbot)
    said = ("this is a setup bundle: it sets up fieldplan on a new office computer, with "
            "“Set up this office from a setup bundle…” when fieldplan first starts there; "
            "nothing of it is imported into this database")
    assert dialog.table.item(0, 2).text() == "Rejected"
    assert dialog.table.item(0, 3).text() == said
    # under the office it is for, not headquarters who signed it ("HQ · Headquarters")
    assert dialog.table.item(0, 1).text() == "Setup bundle for SN · Senegal"
    dialog.accept()
    wait_idle(qtbot, window.session)
    page = window.inbox
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    entry, model = page.model.row_at(0), page.model
    assert model.display(entry, model.REASON) == said
    assert model.display(entry, model.OFFICE) == "Setup bundle for SN · Senegal"
    assert model.display(entry, model.EVENTS) == "—"  # not "0 new of 23"
    # the command line keeps its own words
    with open_replica(path) as rep:
        [entry] = sync.list_inbox(rep)
        assert "'fieldplan init --from FILE'" in entry.reason_text()


def test_the_setup_bundle_reason_is_said_in_the_readers_language():
    """An inbox line keeps how its reason was made: read later in French, the client's
    words come in French with the first-run button as the French screen shows it;
    other reasons are the core's."""
    import json

    from fieldplan import i18n
    from fieldplan.sync import InboxEntry
    from fieldplan.sync.exchange import SETUP_BUNDLE_REASON
    from ui.models import import_reason, inbox_reason

    with i18n.capturing():
        reason = i18n._(SETUP_BUNDLE_REASON)
        other = i18n._("unknown bundle kind '{kind}'").format(kind="x")
    entry = InboxEntry("SN-setup.fieldplan", "SN", "2026-01-01T00:00:00Z", "rejected",
                       str.__str__(reason), 0, 0, "", json.dumps(i18n.message_record(reason)))
    assert import_reason(other) == "unknown bundle kind 'x'"
    assert "“Set up this office from a setup bundle…”" in import_reason(reason)
    i18n.set_language("fr")
    button = i18n._("Set up this &office from a setup bundle…").replace("&", "")
    assert button in inbox_reason(entry) and "init --from" not in inbox_reason(entry)


def test_all_offices_never_makes_the_folder_chosen(open_window, qtbot, hq_world, tmp_path):
    """As for one bundle: a folder that is gone (a stick pulled out) is said, and no
    folder is made where it was."""
    from ui.transfer import ALL_OFFICES

    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    gone = tmp_path / "usb" / "semester"
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
    dialog.folder.setText(str(gone))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "does not exist" in dialog.message.text(), timeout=20_000)
    assert not gone.exists() and not gone.parent.exists()
    dialog.close()
    wait_idle(qtbot, window.session)


def test_escape_before_the_progress_shows_stops_the_bundles(open_window, qtbot, hq_world,
                                                             tmp_path, monkeypatch):
    """Escape on the Export dialog in the moment before the progress dialog shows
    closed it, and the bundles went on being written for no one (its progress dialog
    gone with it): they stop before the next office, as Cancel does."""
    from ui.transfer import ALL_OFFICES

    started, seen = threading.Event(), []

    def export_all_offices(rep, folder, progress=None, cancel=None, check=None):
        started.set()
        for _ in range(500):  # an office each step
            if cancel():
                seen.append("cancelled")
                return None
            threading.Event().wait(0.01)
        seen.append("written on")
        return None

    monkeypatch.setattr(sync, "export_all_offices", export_all_offices)
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    out = tmp_path / "out"
    out.mkdir()
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
    dialog.folder.setText(str(out))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=10_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    wait_idle(qtbot, window.session, timeout=20_000)
    assert seen == ["cancelled"]


def test_the_bundles_written_after_escape_are_said_to_no_one(open_window, qtbot, hq_world,
                                                            tmp_path, monkeypatch):
    """The last office written as Escape closed the dialog: its result, delivered
    before the closed dialog was deleted (a busy computer), crashed on the result of a
    cancelled export and offered its folder next time as though the person had
    written there; now a dialog closed says nothing and remembers nothing."""
    from types import SimpleNamespace

    import ui.transfer
    from ui.transfer import ALL_OFFICES

    remembered = []
    monkeypatch.setattr(ui.transfer, "set_value",
                        lambda _settings, key, value: remembered.append((key, value)))
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
    dialog._writing_all = SimpleNamespace(cancel=lambda: None)  # (a job under way)
    dialog.reject()
    dialog._all_done(SimpleNamespace(folder=tmp_path / "out"))
    assert remembered == []
    assert dialog.result_info is None


def test_the_last_import_of_several_files_says_the_batch(open_window, qtbot, hq, make_office,
                                                         tmp_path):
    """Five files dropped at once (2 merged, 1 already held, 2 rejected): the status
    bar said "Last import … — SN-setup.fieldplan, rejected", the last file's alone,
    which read like a failure of the lot."""
    from ui.context import time_text

    sent = []
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track", percent=20)
        sent.append(str(sync.export_bundle(office, out_dir=tmp_path).path))
    setup = tmp_path / "SN-setup.fieldplan"
    from fieldplan.replica import init_hq

    with init_hq(tmp_path / "other-hq.sqlite3") as other:  # (this one's own: a duplicate)
        sync.enroll_office(other, "SN", setup)
    damaged = tmp_path / "damaged.fieldplan"
    damaged.write_bytes(b"not a bundle")
    path = hq.path
    hq.close()
    window = open_window(path)
    window.import_files([*sent, sent[0], str(setup), str(damaged)])
    dialog = result_dialog(window, qtbot)
    dialog.accept()
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        at = sync.sync_state(rep).last_import["at"]
    words = f"Last import {time_text(at)} — 5 files: 2 merged, 1 already held, 2 rejected"
    qtbot.waitUntil(lambda: words in window.sync_label.toolTip(), timeout=5000)


def test_a_stick_pulled_out_half_way_gets_no_bundle_on_the_computers_disk(
        open_window, qtbot, hq_world, tmp_path, monkeypatch):
    """The stick offered (its root the folder) pulled out after the first office's
    bundle: its mount point stays, a folder on the computer's own disk, and the other
    offices' bundles were written there, the dialog saying "Saved 3 bundles" in the
    stick's folder. The stick is looked at before each office, as before one bundle:
    the offices after it get none, and the result says why."""
    from fieldplan.sync import export
    from tests.ui.test_export_folders import no_volumes
    from tests.ui.test_shell import FakeVolume
    from ui import transfer
    from ui.transfer import ALL_OFFICES

    media = tmp_path / "media"
    stick = media / "KINGSTON"
    stick.mkdir(parents=True)
    monkeypatch.setattr(transfer, "REMOVABLE_ROOTS", (str(media) + "/",))
    monkeypatch.setattr(transfer.sys, "platform", "linux")
    no_volumes(monkeypatch, [FakeVolume(str(stick), "KINGSTON")])
    mounted = {str(stick)}
    monkeypatch.setattr(transfer, "is_mounted", lambda root: root in mounted)
    real = export.export_bundle

    def export_bundle(rep, **kwargs):
        written = real(rep, **kwargs)
        mounted.clear()  # pulled out once the first bundle is written
        return written

    monkeypatch.setattr(export, "export_bundle", export_bundle)
    window = open_window(hq_world)
    dialog = open_export(window, qtbot)
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=5000)
    assert dialog.folder.text() == str(stick)  # the stick plugged in, offered
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=20_000)
    first = dialog.result_info.written[0].path
    assert [p.name for p in stick.iterdir()] == [first.name]
    gone = f"the USB stick at {stick} is no longer there: is it still plugged in?"
    assert dialog.said() == (
        f"Saved 1 of 3 bundles in this folder:\n{stick}\nNo bundle for these offices:\n"
        f"RO-Dakar, SN: {gone}")
    dialog.close()
    wait_idle(qtbot, window.session)


def test_offices_of_one_reason_are_said_once():
    """A stick pulled out after the first of 57 offices said the same reason for each
    of the 56 others, a line each: the dialog grew taller than the screen, its buttons
    out of sight. The offices of one reason are named on one line, by code; an office
    alone with its reason by its name too."""
    from fieldplan.sync import AllOfficesExport, ExportResult, OfficeExport
    from ui.transfer import all_offices_text

    gone = "the USB stick at /usb is no longer there: is it still plugged in?"
    done = AllOfficesExport(Path("/usb"), (
        OfficeExport("AF", ExportResult(Path("/usb/HQ-to-AF-1.fieldplan"), 3, 2048, "b1",
                                        "AF")),
        OfficeExport("ML", reason="cannot write /usb/HQ-to-ML-1.fieldplan: the disk is full"),
        *(OfficeExport(code, reason=gone) for code in ("SN", "TD", "UG"))))
    assert all_offices_text(done)[1] == (
        "No bundle for these offices:\n"
        "ML · Mali: cannot write /usb/HQ-to-ML-1.fieldplan: the disk is full\n"
        f"SN, TD, UG: {gone}")
