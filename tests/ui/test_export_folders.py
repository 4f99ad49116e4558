"""A folder the person chose is never made: after a USB stick is pulled out, the
client wrote to the mount point it left behind (the computer's own disk) and said
"Saved …"; the CLI refuses the same. Export, enrolment, report Save as and table
export all say it instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton

from tests.ui.conftest import path_shown_whole, wait_idle
from tests.ui.test_shell import FakeVolume


@pytest.fixture
def media(tmp_path, monkeypatch) -> Path:
    """Removable drives are mounted under ``tmp_path/media`` (as under /media)."""
    from ui import transfer

    root = tmp_path / "media"
    root.mkdir()
    monkeypatch.setattr(transfer, "REMOVABLE_ROOTS", (str(root) + "/",))
    monkeypatch.setattr(transfer.sys, "platform", "linux")
    return root


def export_to(window, qtbot, folder: Path, email: bool = False, volumes=()):
    """The export dialog's bundle written to ``folder``; the dialog, once it answered."""
    from ui.transfer import ExportDialog

    dialog = ExportDialog(window.session, window.identity, window, email=email)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=5000)
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    wait_idle(qtbot, window.session)
    return dialog


def no_volumes(monkeypatch, volumes=()) -> None:
    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(lambda: list(volumes)))


def test_export_does_not_make_the_folder_chosen(open_window, qtbot, office_db, tmp_path,
                                                monkeypatch):
    """The reviewer's case: the folder on the stick is gone; the dialog made it again
    where the stick had been mounted and said "Saved"."""
    no_volumes(monkeypatch)
    window = open_window(office_db)
    gone = tmp_path / "mnt_usb" / "to-HQ"
    dialog = export_to(window, qtbot, gone)
    assert dialog.result_info is None
    assert dialog.message.text() == f"The folder {gone} does not exist"
    assert not gone.exists()
    dialog.close()


def test_export_to_a_stick_that_is_gone_asks_after_it(open_window, qtbot, office_db, media,
                                                      monkeypatch):
    no_volumes(monkeypatch)
    window = open_window(office_db)
    gone = media / "KINGSTON" / "to-HQ"
    dialog = export_to(window, qtbot, gone)
    assert dialog.result_info is None
    assert dialog.message.text() == (f"The folder {gone} no longer exists: is the USB stick "
                                     "still plugged in?")
    assert not (media / "KINGSTON").exists()
    dialog.close()


def test_export_to_a_drive_no_longer_mounted_writes_nothing(open_window, qtbot, office_db,
                                                            media, monkeypatch):
    """A drive offered by the dialog, pulled out since: its mount point is still a
    folder (on the computer's own disk). Nothing is written there."""
    from ui import transfer

    stick = media / "KINGSTON"
    (stick / "to-HQ").mkdir(parents=True)
    no_volumes(monkeypatch, [FakeVolume(str(stick), "KINGSTON")])
    mounted = {str(stick)}
    monkeypatch.setattr(transfer, "is_mounted", lambda root: root in mounted)
    window = open_window(office_db)
    dialog = export_to(window, qtbot, stick / "to-HQ")
    assert dialog.result_info is not None  # plugged in: written
    first = Path(dialog.result_info.path)
    assert first.parent == stick / "to-HQ"
    mounted.clear()  # pulled out
    dialog.result_info = None
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert dialog.result_info is None
    assert dialog.message.text() == (f"The USB stick at {stick} is no longer there: is it "
                                     "still plugged in?")
    assert list((stick / "to-HQ").iterdir()) == [first]
    dialog.close()


def test_the_email_outbox_is_made_when_missing(open_window, qtbot, office_db, tmp_path,
                                               monkeypatch):
    """The outbox is the client's own folder, not one the person chose."""
    from ui import transfer

    outbox = tmp_path / "Documents" / "fieldplan-outbox"
    monkeypatch.setattr(transfer, "outbox_dir", lambda: str(outbox))
    window = open_window(office_db)
    dialog = export_to(window, qtbot, outbox, email=True)
    assert dialog.result_info is not None and Path(dialog.result_info.path).parent == outbox
    dialog.close()


def test_report_save_as_to_a_stick_that_is_gone_asks_after_it(qtbot, tmp_path, media):
    import fieldplan.reports
    from fieldplan.replica import init_hq
    from ui.dialogs import MessageDialog
    from ui.report_preview import PreviewWindow, ReportRequest

    pdf = tmp_path / "pack.pdf"
    with init_hq(tmp_path / "hq.sqlite3") as rep:
        fieldplan.reports.build_review_pack(rep, "2026-S1", pdf)
    preview = PreviewWindow(None, pdf, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(preview)
    preview.show()
    gone = media / "KINGSTON" / "reports"
    with qtbot.waitSignal(preview.save_did_finish, timeout=10_000) as blocker:
        preview.save_copy(str(gone / "review.pdf"))
    assert blocker.args[0] is False
    message = preview.findChild(MessageDialog, "preview-message")
    assert message.text.text() == ("The report could not be saved: the folder "
                                   f"{gone} no longer exists: is the USB stick still "
                                   "plugged in?")
    assert not gone.exists()
    message.close()


def test_table_export_to_a_stick_that_is_gone_asks_after_it(open_window, qtbot, hq_db,
                                                            media):
    from tests.ui.test_table_export import errors, open_dialog, save

    window = open_window(hq_db)
    dialog = open_dialog(window, qtbot)
    gone = media / "KINGSTON" / "tables"
    save(dialog, qtbot, gone / "progress.xlsx")
    (message,) = errors(dialog)
    assert message.text.text() == ("The table could not be saved: the folder "
                                   f"{gone} no longer exists: is the USB stick still "
                                   "plugged in?")
    assert not gone.exists()
    message.close()
    dialog.close()


def test_plan_export_to_a_stick_that_is_gone_asks_after_it(open_window, qtbot, hq_db,
                                                           media):
    from tests.ui.test_plan_menu import shown_dialog
    from ui.dialogs import MessageDialog
    from ui.plan_files import export_to

    window = open_window(hq_db)
    gone = media / "KINGSTON" / "plans"
    export_to(window, str(gone / "plan.json"))  # (chosen while the stick was there)
    message = shown_dialog(window, qtbot, MessageDialog, "plan-file-message")
    assert message.text.text() == ("The plan could not be saved: the folder "
                                   f"{gone} no longer exists: is the USB stick still "
                                   "plugged in?")
    assert not gone.exists()
    message.accept()


# --- the folders bundles were last imported from and exported to -------------------------


def opened_export(window, qtbot):
    """File ▸ Export…, once it knows the drives (none)."""
    from ui.transfer import ExportDialog

    window.export_dialog()
    qtbot.waitUntil(lambda: window.findChild(ExportDialog, "export-dialog") is not None)
    dialog = window.findChild(ExportDialog, "export-dialog")
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=5000)
    return dialog


def test_export_offers_the_folder_last_exported_to(open_window, qtbot, office_db, tmp_path,
                                                   monkeypatch, settings):
    """"A folder…" started empty every time: the folder was chosen again for each bundle."""
    import shutil

    from ui.transfer import EXPORT_FOLDER_KEY

    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = opened_export(window, qtbot)
    assert dialog.folder.text() == ""  # none yet
    folder = tmp_path / "to-HQ"
    folder.mkdir()
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    wait_idle(qtbot, window.session)
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)
    assert settings.value(EXPORT_FOLDER_KEY) == str(folder)  # the test's settings file
    dialog = opened_export(window, qtbot)
    assert dialog.folder.text() == str(folder)
    dialog.grab().save(str(tmp_path / "export-remembered.png"))
    # Browse… opens there too
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    chooser = dialog.findChild(QFileDialog, "choose-folder-dialog")
    qtbot.waitUntil(chooser.isVisible)  # (once the folder is looked at, off the GUI thread)
    assert Path(chooser.directory().absolutePath()) == folder
    chooser.reject()
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)
    shutil.rmtree(folder)  # gone (a USB stick pulled out): not offered
    dialog = opened_export(window, qtbot)
    assert dialog.folder.text() == ""
    dialog.close()


def test_import_opens_in_the_folder_bundles_were_last_chosen_from(
        open_window, qtbot, office_db, tmp_path, monkeypatch, settings):
    """File ▸ Import bundles… opened in whatever folder fieldplan was started from;
    then in Documents, where the setup bundle's chooser opens in Downloads, where a
    bundle sent by email lands (headquarters' bundles come so too)."""
    from PySide6.QtCore import QStandardPaths

    from ui.transfer import IMPORT_FOLDER_KEY

    monkeypatch.chdir(tmp_path)  # not where it opens
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    real = QStandardPaths.writableLocation
    monkeypatch.setattr(QStandardPaths, "writableLocation", staticmethod(
        lambda kind: str(downloads) if kind == QStandardPaths.StandardLocation.DownloadLocation
        else real(kind)))
    window = open_window(office_db)

    def chooser() -> QFileDialog:
        window.import_dialog()
        qtbot.waitUntil(lambda: any(
            d.isVisible() for d in window.findChildren(QFileDialog, "import-files-dialog")))
        found = [d for d in window.findChildren(QFileDialog, "import-files-dialog")
                 if d.isVisible()]
        assert len(found) == 1
        return found[0]

    dialog = chooser()
    assert Path(dialog.directory().absolutePath()) == downloads
    inbox = tmp_path / "from-HQ"
    inbox.mkdir()
    bundle = inbox / "not-a-bundle.fieldplan"
    bundle.write_bytes(b"not a bundle")
    dialog.selectFile(str(bundle))
    dialog.accept()
    wait_idle(qtbot, window.session)
    assert settings.value(IMPORT_FOLDER_KEY) == str(inbox)  # the test's settings file
    for box in window.findChildren(QDialog):  # what became of the file
        box.close()
    dialog = chooser()
    assert Path(dialog.directory().absolutePath()) == inbox
    dialog.reject()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_import_offers_the_folder_last_exported_to_beside_its_places(
        open_window, qtbot, office_db, tmp_path, settings, lang, qapp):
    """The office's bundle went on a USB stick; headquarters' reply comes back on it.
    The import chooser opens in Downloads (where an emailed bundle lands) and had the
    stick only under Computer ▸ media ▸ …: the folder last exported to is among its
    places, once, its name whole, and not when it is gone."""
    from ui.app import apply_language
    from ui.transfer import EXPORT_FOLDER_KEY

    stick = tmp_path / "media" / "KINGSTON" / "fieldplan bundles for HQ"
    stick.mkdir(parents=True)
    settings.setValue(EXPORT_FOLDER_KEY, str(stick))
    apply_language(qapp, lang)
    try:
        _import_places(open_window(office_db), stick, qtbot)
    finally:
        apply_language(qapp, "en")


def _import_places(window, stick: Path, qtbot) -> None:
    from PySide6.QtCore import QUrl

    widths = []

    def places() -> list[QUrl]:
        from PySide6.QtWidgets import QListView

        window.import_dialog()
        qtbot.waitUntil(lambda: any(
            d.isVisible() for d in window.findChildren(QFileDialog, "import-files-dialog")))
        dialog = next(d for d in window.findChildren(QFileDialog, "import-files-dialog")
                      if d.isVisible())
        urls = dialog.sidebarUrls()
        sidebar = dialog.findChild(QListView, "sidebar")
        widths.append((sidebar.viewport().width(), sidebar.sizeHintForColumn(0)))
        dialog.reject()
        return urls

    urls = places()
    room, widest = widths[0]
    assert room >= widest  # its names whole (it showed "ieldplan")
    assert urls.count(QUrl.fromLocalFile(str(stick))) == 1
    assert len(urls) > 1  # (Qt's own places are kept)
    stick.rmdir()  # the stick pulled out
    assert QUrl.fromLocalFile(str(stick)) not in places()


def test_a_stick_plugged_in_is_preferred_to_a_folder_elsewhere(open_window, qtbot, office_db,
                                                               tmp_path, monkeypatch,
                                                               settings):
    """The folder last exported to is offered, but a USB stick plugged in now was
    plugged in to take the bundle: it is chosen, unless that folder is on it."""
    from ui import transfer

    stick = tmp_path / "media" / "KINGSTON"
    (stick / "to-HQ").mkdir(parents=True)
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    monkeypatch.setattr(transfer, "mounted_drives",
                        lambda: [("KINGSTON", str(stick), 3 * 1024**3)])
    window = open_window(office_db)
    for remembered, chosen in ((elsewhere, stick), (stick / "to-HQ", stick / "to-HQ")):
        settings.setValue(transfer.EXPORT_FOLDER_KEY, str(remembered))
        dialog = opened_export(window, qtbot)
        assert dialog.folder.text() == str(chosen)
        dialog.close()
        qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)


def test_the_drives_found_ask_nothing_of_the_folder_last_exported_to(
        open_window, qtbot, office_db, tmp_path, monkeypatch, settings):
    """The folder last exported to is looked at off the GUI thread, as a network
    share out of reach can hang the look; but once the drives were found, whether it
    was on one of them was asked of that folder's drive on the GUI thread (its real
    path, links followed): a stick plugged in and the share stalled, the Export
    dialog froze the window for as long as the share did. It is now told from the
    paths' words, as ``on_removable_drive`` tells a stick."""
    import os
    import threading

    from ui import transfer

    stick = tmp_path / "media" / "KINGSTON"
    stick.mkdir(parents=True)
    share = tmp_path / "share" / "exports"
    share.mkdir(parents=True)
    monkeypatch.setattr(transfer, "mounted_drives",
                        lambda: [("KINGSTON", str(stick), 3 * 1024**3)])
    settings.setValue(transfer.EXPORT_FOLDER_KEY, str(share))
    window = open_window(office_db)
    on_gui: list[str] = []
    real_lstat, real_stat = os.lstat, os.stat

    def watched(real):
        def look(path, *args, **kwargs):
            if (not isinstance(path, int) and os.fsdecode(path).startswith(str(share))
                    and threading.current_thread() is threading.main_thread()):
                on_gui.append(os.fsdecode(path))
            return real(path, *args, **kwargs)
        return look

    monkeypatch.setattr(os, "lstat", watched(real_lstat))
    monkeypatch.setattr(os, "stat", watched(real_stat))
    dialog = opened_export(window, qtbot)
    assert on_gui == []
    assert dialog.folder.text() == str(stick)  # the stick plugged in is chosen, as before
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)


@pytest.mark.parametrize("opened", [True, False])
def test_an_outbox_that_cannot_be_opened_is_said_with_its_path(open_window, qtbot, office_db,
                                                              tmp_path, monkeypatch, opened):
    """No mail client and no xdg-open: the outbox folder did not open, and the dialog
    said nothing of it. It says so, and where the folder is (selectable)."""
    from ui import transfer

    outbox = tmp_path / "Documents" / "fieldplan-outbox"
    monkeypatch.setattr(transfer, "outbox_dir", lambda: str(outbox))
    asked = []
    monkeypatch.setattr(transfer, "open_folder", lambda folder: asked.append(folder) or opened)
    window = open_window(office_db)
    dialog = export_to(window, qtbot, outbox, email=True)
    assert asked == [str(outbox)]
    text = dialog.after_path.text()
    said = "The outbox folder could not be opened. The file is in this folder:" in text
    assert said != opened
    if not opened:
        last = text.splitlines()[-1].replace("\u2068", "").replace("\u2069", "")
        assert last == str(outbox)
        assert dialog.after_path.textInteractionFlags() \
            & Qt.TextInteractionFlag.TextSelectableByMouse
    dialog.close()


@pytest.mark.parametrize("email", [False, True])
def test_enter_after_a_bundle_is_saved_closes_the_dialog(open_window, qtbot, office_db,
                                                         tmp_path, monkeypatch, email):
    """Enter pressed after "Saved …" (to close the message, as one does) wrote a second
    bundle of the same events, "…_2.fieldplan", beside the first: the stick held two
    files for headquarters. Enter closes the dialog now; once the folder is changed, it
    saves again."""
    from PySide6.QtTest import QTest

    no_volumes(monkeypatch)
    monkeypatch.setattr("ui.transfer.open_folder", lambda folder: True)
    window = open_window(office_db)
    folder = tmp_path / "stick"
    folder.mkdir()
    dialog = export_to(window, qtbot, folder, email=email)
    place = Path(dialog.result_info.path).parent
    written = sorted(p.name for p in place.iterdir())
    assert len(written) == 1
    close = dialog.buttons.button(dialog.buttons.StandardButton.Close)
    assert close.isDefault() and not dialog.ok.isDefault() and close.hasFocus()
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert sorted(p.name for p in place.iterdir()) == written
    # another folder: Enter saves there
    again = export_to(window, qtbot, folder)
    close = again.buttons.button(again.buttons.StandardButton.Close)
    assert close.isDefault()
    other = tmp_path / "other"
    other.mkdir()
    again.folder.setText(str(other))
    assert again.ok.isDefault() and not close.isDefault()
    again.close()


def test_saving_again_with_nothing_new_keeps_one_file(open_window, qtbot, office_db,
                                                      tmp_path, monkeypatch):
    """Export again (the dialog opened once more, Save bundle pressed) with nothing new
    since: the bundle takes the place of the one saved before and the dialog says so;
    the stick held "…_2.fieldplan" beside the first, the same, and no word of it."""
    no_volumes(monkeypatch)
    window = open_window(office_db)
    folder = tmp_path / "stick"
    folder.mkdir()
    first = export_to(window, qtbot, folder)
    written = Path(first.result_info.path)
    assert "nothing new" not in first.said()
    first.close()
    again = export_to(window, qtbot, folder)
    assert Path(again.result_info.path) == written
    assert [p.name for p in folder.iterdir()] == [written.name]
    assert again.after_path.text().endswith(
        "Nothing new since the bundle saved before under this name: it was saved again in "
        "its place, not as a second file.")
    again.grab().save(str(tmp_path / "again.png"))
    again.close()


def test_tab_goes_through_the_buttons_as_they_are_shown(open_window, qtbot, hq_db):
    """Tab went to Close before "Save bundles" and "Enrol an office…", which are shown
    before it."""
    from ui.transfer import ExportDialog

    window = open_window(hq_db)
    dialog = ExportDialog(window.session, window.identity, window)
    dialog.show()
    close = dialog.buttons.button(dialog.buttons.StandardButton.Close)
    shown = sorted(dialog.buttons.buttons(), key=lambda b: b.x())
    assert shown == [dialog.ok, dialog.enrol_button, close]
    assert dialog.ok.nextInFocusChain() is dialog.enrol_button
    assert dialog.enrol_button.nextInFocusChain() is close
    dialog.close()
    wait_idle(qtbot, window.session)


# --- a folder gone: said, and made again when the person asks -------------------------


def _question(dialog):
    from ui.dialogs import ConfirmDialog

    found = [d for d in dialog.findChildren(ConfirmDialog, "make-folder-dialog")
             if d.isVisible()]
    return found[0] if found else None


def test_a_folder_deleted_is_made_again_when_asked(open_window, qtbot, office_db, tmp_path,
                                                   monkeypatch):
    """The folder chosen was deleted (or renamed): the dialog said it did not exist and
    stopped there; the person had to make it elsewhere. It asks whether to make it
    again, and saves the bundle there once it is."""
    no_volumes(monkeypatch)
    window = open_window(office_db)
    gone = tmp_path / "to-HQ"  # its folder is there
    dialog = export_to(window, qtbot, gone)
    assert dialog.result_info is None and not gone.exists()  # nothing made unasked
    assert dialog.message.text() == f"The folder {gone} does not exist"
    question = _question(dialog)
    assert question is not None
    assert str(gone) in question.text.text()
    assert question.ok_button.text() == "&Make the folder"
    question.grab().save(str(tmp_path / "make-folder.png"))
    qtbot.mouseClick(question.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert Path(dialog.result_info.path).parent == gone
    dialog.close()


def test_another_folder_is_chosen_instead(open_window, qtbot, office_db, tmp_path,
                                          monkeypatch):
    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = export_to(window, qtbot, tmp_path / "to-HQ")
    question = _question(dialog)
    (other,) = [b for b in question.findChildren(QPushButton)
                if b.text() == "&Choose another folder…"]
    qtbot.mouseClick(other, Qt.MouseButton.LeftButton)
    assert _question(dialog) is None and not (tmp_path / "to-HQ").exists()
    chooser = dialog.findChild(QFileDialog, "choose-folder-dialog")
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible)  # (once the folder is looked at, off the GUI thread)
    chooser.reject()
    dialog.close()


def test_a_folder_deleted_on_a_stick_still_plugged_in_is_made_again_when_asked(
        open_window, qtbot, office_db, media, monkeypatch):
    """On a stick the dialog offers, mounted: made again when asked; the stick pulled
    out (its mount point left behind), never: that would be the computer's own disk."""
    from ui import transfer

    stick = media / "KINGSTON"
    stick.mkdir()
    no_volumes(monkeypatch, [FakeVolume(str(stick), "KINGSTON")])
    mounted = {str(stick)}
    monkeypatch.setattr(transfer, "is_mounted", lambda root: root in mounted)
    window = open_window(office_db)
    gone = stick / "to-HQ"
    dialog = export_to(window, qtbot, gone)
    question = _question(dialog)
    assert question is not None
    question.reject()
    mounted.clear()  # pulled out
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert _question(dialog) is None
    assert dialog.message.text() == (f"The folder {gone} no longer exists: is the USB stick "
                                     "still plugged in?")
    assert not gone.exists()
    dialog.close()


@pytest.mark.parametrize("where", ["office", "hq"])
def test_the_folder_last_exported_to_gone_is_said(open_window, qtbot, office_db, hq_db,
                                                  tmp_path, monkeypatch, settings, where):
    """It is not offered (a USB stick pulled out), and no longer silently: the field
    was empty with no word of why. At headquarters too, where the recipients' message
    took its place once they were read."""
    from ui.transfer import EXPORT_FOLDER_KEY

    no_volumes(monkeypatch)
    gone = tmp_path / "to-HQ"
    settings.setValue(EXPORT_FOLDER_KEY, str(gone))
    window = open_window(office_db if where == "office" else hq_db)
    dialog = opened_export(window, qtbot)
    wait_idle(qtbot, window.session)
    assert dialog.folder.text() == ""
    assert dialog.folder_note.isVisibleTo(dialog)
    assert dialog.folder_note.text() == (
        f"The folder last exported to, {gone}, is no longer there (a USB stick unplugged, "
        "or the folder deleted or renamed). Choose a folder.")
    dialog.folder.setText(str(tmp_path))  # a folder chosen: said no more
    assert not dialog.folder_note.isVisibleTo(dialog)
    dialog.close()


def test_a_stick_pulled_while_asked_gets_no_folder_on_the_computers_disk(
        open_window, qtbot, office_db, media, monkeypatch):
    """"Make the folder" pressed after the stick was pulled out (its mount point left
    behind): the folder would be made on the computer's own disk and the bundle said
    saved. Said as a stick pulled out; nothing made."""
    from ui import transfer

    stick = media / "KINGSTON"
    stick.mkdir()
    no_volumes(monkeypatch, [FakeVolume(str(stick), "KINGSTON")])
    mounted = {str(stick)}
    monkeypatch.setattr(transfer, "is_mounted", lambda root: root in mounted)
    window = open_window(office_db)
    gone = stick / "to-HQ"
    dialog = export_to(window, qtbot, gone)
    question = _question(dialog)
    assert question is not None
    mounted.clear()  # pulled out while the question is up
    qtbot.mouseClick(question.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert not gone.exists()
    assert "USB stick" in dialog.message.text()
    dialog.close()


@pytest.mark.parametrize(("lang", "email"), [("ar", True), ("ar", False), ("fr", False)])
def test_the_bundle_written_is_shown_whole_on_a_line_of_its_own(
        open_window, qtbot, office_db, tmp_path, monkeypatch, qapp, lang, email):
    """In Arabic the outbox path broke at a hyphen in the middle of the sentence ("تم
    حفظ /tmp/…/fieldplan-outbox/ML-" on one line, "e7eb40bb-21-26.fieldplan" on the
    next, beside the size), and staff must find that file to attach it. It has a line
    of its own, whole and left to right, on the layout's side (as the first-run dialog
    shows the database's path); the sentence and what follows are around it."""
    from tests.draft_catalog import with_messages
    from ui import transfer
    from ui.app import apply_language
    from ui.bidi import RLM, isolated

    outbox = tmp_path / "Documents" / "fieldplan-outbox"
    outbox.mkdir(parents=True)
    monkeypatch.setattr(transfer, "outbox_dir", lambda: str(outbox))
    monkeypatch.setattr(transfer, "open_folder", lambda folder: True)
    no_volumes(monkeypatch)
    apply_language(qapp, lang)
    try:
        with_messages(monkeypatch, lang, {
            ("Saved the bundle ({size}, {events} event):\n{file}",
             "Saved the bundle ({size}, {events} events):\n{file}"): {
                "ar": ("تم حفظ الحزمة ({size}، عدد الأحداث: {events}):\n{file}",) * 6,
                "fr": ("Paquet enregistré ({size}, {events} événement)\u00a0:\n{file}",
                       "Paquet enregistré ({size}, {events} d’événements)\u00a0:\n{file}",
                       "Paquet enregistré ({size}, {events} événements)\u00a0:\n{file}"),
            }[lang]})
        window = open_window(office_db)
        dialog = export_to(window, qtbot, outbox, email=email)
        path = str(dialog.result_info.path)
        label = dialog.path_label
        shown = isolated(path)
        assert label.text() == (RLM + shown if lang == "ar" else shown)
        assert label.isVisible() and path_shown_whole(label)
        assert dialog.message.text().startswith(
            "تم حفظ الحزمة (" if lang == "ar" else "Paquet enregistré (")
        assert Path(path).name not in dialog.message.text()
        if email:  # the subject, after the path
            assert dialog.after_path.isVisible()
            assert dialog.subject in dialog.after_path.text().splitlines()
        else:
            assert not dialog.after_path.isVisible()
        dialog.grab().save(str(tmp_path / f"export-{lang}-{email}.png"))
        dialog.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("email", [False, True])
def test_typing_still_waiting_to_be_saved_goes_in_the_bundle(
        open_window, qtbot, office_db, tmp_path, settings, monkeypatch, email):
    """The last words typed, then Ctrl+E and Enter at once (the folder offered): the
    bundle was written before the half second after which typing is saved, and went
    to headquarters without them. Export saves them first, as Submit does."""
    import zipfile

    from tests.ui.test_office_work import choose
    from ui import transfer

    usb = tmp_path / "usb"
    usb.mkdir()
    settings.setValue(transfer.EXPORT_FOLDER_KEY, str(usb))
    monkeypatch.setattr(transfer, "outbox_dir", lambda: str(usb))
    monkeypatch.setattr(transfer, "open_folder", lambda _folder: True)  # (no file manager)
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA1.2", "2026-S2")
    box = editor.narratives["achievements"]
    box.setFocus()
    qtbot.keyClicks(box, "Trained 45 officials")
    assert editor.busy()  # (waiting to be saved)
    (window.email_action if email else window.export_action).trigger()
    dialog = window.findChild(QDialog, "export-dialog")
    assert dialog is not None and dialog.folder.text() == str(usb)
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.path_label.text() != "", timeout=10_000)
    wait_idle(qtbot, window.session)
    bundle = next(usb.glob("*.fieldplan"))
    assert "Trained 45 officials" in zipfile.ZipFile(bundle).read("events.jsonl").decode()
    dialog.close()


def test_opening_the_import_chooser_looks_at_no_folder_on_the_gui_thread(
        open_window, qtbot, office_db, tmp_path, settings, monkeypatch):
    """The folder bundles were last chosen from and the one last exported to were
    looked at on the GUI thread as File ▸ Import bundles… opened: on a USB stick
    pulled out or a network share out of reach, that look hangs, and the window froze
    with it. They are looked at off it; the chooser still opens in the one, the other
    among its places."""
    import os
    import threading

    from PySide6.QtCore import QUrl

    from ui.transfer import EXPORT_FOLDER_KEY, IMPORT_FOLDER_KEY

    stick = tmp_path / "media" / "KINGSTON" / "for HQ"
    stick.mkdir(parents=True)
    share = tmp_path / "share" / "from HQ"
    share.mkdir(parents=True)
    settings.setValue(EXPORT_FOLDER_KEY, str(stick))
    settings.setValue(IMPORT_FOLDER_KEY, str(share))
    window = open_window(office_db)
    gui = threading.current_thread()
    looked: list[tuple[str, bool]] = []
    watched = {str(stick), str(share)}

    def watch(real):
        def look(path, *args, **kwargs):
            if str(path) in watched:
                looked.append((str(path), threading.current_thread() is gui))
            return real(path, *args, **kwargs)
        return look

    monkeypatch.setattr(os.path, "isdir", watch(os.path.isdir))
    monkeypatch.setattr(os, "stat", watch(os.stat))
    monkeypatch.setattr(Path, "is_dir", watch(Path.is_dir))
    monkeypatch.setattr(Path, "exists", watch(Path.exists))
    window.import_dialog()

    def shown() -> list[QFileDialog]:
        return [d for d in window.findChildren(QFileDialog, "import-files-dialog")
                if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1)
    [dialog] = shown()
    assert {path for path, _on_gui in looked} == watched
    assert not [path for path, on_gui in looked if on_gui]
    assert Path(dialog.directory().absolutePath()) == share
    assert QUrl.fromLocalFile(str(stick)) in dialog.sidebarUrls()
    dialog.reject()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_opening_export_looks_at_the_folder_last_exported_to_off_the_gui_thread(
        open_window, qtbot, office_db, tmp_path, settings, monkeypatch, lang, qapp):
    """File ▸ Export… looked on the GUI thread whether the folder last exported to was
    still there: on a USB stick pulled out or a share out of reach the window froze.
    Looked at off it now; a folder gone is still taken away and said."""
    import os
    import threading

    from ui.app import apply_language
    from ui.transfer import EXPORT_FOLDER_KEY

    no_volumes(monkeypatch)
    gone = tmp_path / "KINGSTON" / "to-HQ"
    settings.setValue(EXPORT_FOLDER_KEY, str(gone))
    apply_language(qapp, lang)
    try:
        window = open_window(office_db)
        gui = threading.current_thread()
        looked: list[bool] = []

        def watch(real):
            def look(path, *args, **kwargs):
                if str(path) == str(gone):
                    looked.append(threading.current_thread() is gui)
                return real(path, *args, **kwargs)
            return look

        monkeypatch.setattr(os.path, "isdir", watch(os.path.isdir))
        monkeypatch.setattr(os, "stat", watch(os.stat))
        monkeypatch.setattr(Path, "is_dir", watch(Path.is_dir))
        dialog = opened_export(window, qtbot)
        assert looked and not any(looked)
        assert dialog.folder.text() == ""
        qtbot.waitUntil(lambda: dialog.folder_note.isVisibleTo(dialog))
        assert str(gone) in dialog.folder_note.text()
        wait_idle(qtbot, window.session)
        dialog.grab().save(str(tmp_path.parent / f"export-gone-{lang}.png"))
        dialog.close()
    finally:
        apply_language(qapp, "en")


def test_browse_looks_at_the_folder_typed_off_the_gui_thread(
        open_window, qtbot, office_db, tmp_path, monkeypatch):
    """Export's Browse… looked on the GUI thread whether the folder in its field was
    there (the folder last exported to, offered while its own look has not answered:
    a share out of reach, a stick that stalls): the window froze as the chooser
    opened. Looked at off it now; the chooser still opens in that folder."""
    import os
    import threading

    from PySide6.QtWidgets import QPushButton

    no_volumes(monkeypatch)
    stick = tmp_path / "media" / "KINGSTON" / "for HQ"
    stick.mkdir(parents=True)
    window = open_window(office_db)
    dialog = opened_export(window, qtbot)
    dialog.folder.setText(str(stick))
    gui = threading.current_thread()
    looked: list[bool] = []

    def watch(real):
        def look(path, *args, **kwargs):
            if str(path) == str(stick):
                looked.append(threading.current_thread() is gui)
            return real(path, *args, **kwargs)
        return look

    monkeypatch.setattr(os.path, "isdir", watch(os.path.isdir))
    monkeypatch.setattr(os, "stat", watch(os.stat))
    monkeypatch.setattr(Path, "is_dir", watch(Path.is_dir))
    monkeypatch.setattr(Path, "exists", watch(Path.exists))
    [browse] = [b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…"]
    browse.click()

    def shown() -> list[QFileDialog]:
        return [d for d in dialog.findChildren(QFileDialog, "choose-folder-dialog")
                if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1)
    [chooser] = shown()
    assert looked and not any(looked)
    assert Path(chooser.directory().absolutePath()) == stick
    chooser.reject()
    dialog.close()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_stick_pulled_out_as_the_bundle_is_written_names_the_bundle(
        open_window, qtbot, office_db, tmp_path, monkeypatch, lang, qapp):
    """The stick pulled out as the bundle was flushed to it: the write failed, and so
    did the removal of the half-written temporary file (the stick gone), whose error
    took the place of the write's. The dialog said "Unexpected error: [Errno 5]
    Input/output error: '…/.ML-….fieldplan.1a2b3c4d.part'", naming a hidden file the
    person never made; it names the bundle and why, as a full stick's error does."""
    import errno
    import os

    no_volumes(monkeypatch)
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    real_fsync, real_unlink = os.fsync, os.unlink

    def fsync(fd):
        if os.path.isfile(f"/proc/self/fd/{fd}") and ".part" in os.readlink(
                f"/proc/self/fd/{fd}"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_fsync(fd)

    def unlink(path, *args, **kwargs):
        if str(path).endswith(".part"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return real_unlink(path, *args, **kwargs)

    from fieldplan.i18n import _
    from ui.app import apply_language

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "unlink", unlink)
    apply_language(qapp, lang)
    try:
        window = open_window(office_db)
        dialog = export_to(window, qtbot, stick)
        said = dialog.said()
        start = _("cannot write {file}: {reason}").split("{file}")[0].strip()
        assert start[1:] in said and ".fieldplan" in said, said
        assert ".part" not in said and "Errno" not in said
        assert _("Unexpected error: {error}").split("{error}")[0].strip() not in said
        assert dialog.path_label.text() == ""  # nothing said saved
        qtbot.wait(200)  # (laid out as shown)
        dialog.grab().save(str(tmp_path.parent / f"export-pulled-{lang}.png"))
        dialog.close()
    finally:
        apply_language(qapp, "en")


def test_a_folder_on_a_stick_whose_path_holds_a_file_is_said_as_such(
        open_window, qtbot, office_db, media, monkeypatch):
    """A folder typed on a stick plugged in, part of whose path is a file: the dialog
    said the folder "no longer exists: is the USB stick still plugged in?", and the
    person looked at a stick that was there. It now says what is wrong with the path,
    as for a folder on the computer's own disk."""
    stick = media / "KINGSTON"
    stick.mkdir()
    (stick / "notes.txt").write_text("notes")
    no_volumes(monkeypatch, [FakeVolume(str(stick), "KINGSTON")])
    window = open_window(office_db)
    folder = stick / "notes.txt" / "to-HQ"
    dialog = export_to(window, qtbot, folder)
    assert dialog.result_info is None
    assert dialog.message.text() == (f"Cannot write {folder}: part of the path is a file, "
                                     "not a folder; check the path")
    assert sorted(p.name for p in stick.iterdir()) == ["notes.txt"]
    dialog.close()


def test_a_name_a_stick_refuses_is_said_as_such(media, monkeypatch):
    """Windows refuses a folder named with ':', '?' or '*' on a stick plugged in
    (Python's EINVAL): it was said as a stick pulled out. (Windows' answer, as a look
    at the folder gets it, is given here.)"""
    import errno
    import os

    from fieldplan.errors import FileError
    from ui import transfer

    stick = media / "KINGSTON"
    stick.mkdir()
    folder = str(stick / "to HQ?")
    real = os.stat

    def stat(path, *args, **kwargs):
        if os.fspath(path) == folder:
            raise OSError(errno.EINVAL, "Invalid argument", folder)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(transfer.os, "stat", stat)
    with pytest.raises(FileError) as raised:
        transfer.check_stick(folder, [str(stick)])
    assert str(raised.value) == (
        f"cannot write {folder}: the name is not allowed on this disk (a USB stick refuses "
        "\\ / : * ? \" < > | in names): choose another")
    # gone, it is still said as a stick to look at
    with pytest.raises(FileError, match="no longer exists: is the USB stick still plugged"):
        transfer.check_stick(str(stick / "elsewhere"), [str(stick)])


@pytest.mark.parametrize("deleted", [True, False])
def test_the_dialog_closed_as_the_bundle_is_written_still_says_it_was_saved(
        open_window, qtbot, office_db, tmp_path, monkeypatch, settings, deleted):
    """Save bundle, then Close at once (a slow stick, a big bundle): the bundle was
    written whole all the same, and nothing said so; the status bar's last export and
    the report form's "Sent to headquarters" waited for the next refresh, and the folder
    was not offered next time. The window now says where it went; also when the
    result comes before the closed dialog is deleted (a busy computer)."""
    import threading

    from fieldplan import sync
    from ui.transfer import EXPORT_FOLDER_KEY

    no_volumes(monkeypatch)
    started, go_on = threading.Event(), threading.Event()
    real = sync.export_bundle

    def export_bundle(rep, **kwargs):
        started.set()
        assert go_on.wait(10)
        return real(rep, **kwargs)

    monkeypatch.setattr(sync, "export_bundle", export_bundle)
    window = open_window(office_db)
    told = []
    monkeypatch.setattr(window, "_exported", told.append)
    dialog = opened_export(window, qtbot)
    folder = tmp_path / "to-HQ"
    folder.mkdir()
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    if not deleted:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.close()
    if deleted:
        qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)
    go_on.set()
    wait_idle(qtbot, window.session)
    [written] = list(folder.iterdir())
    assert [Path(r.path) for r in told] == [written]
    said = window.statusBar().whole_message()
    assert said.startswith("Saved the bundle (") and said.endswith(f": {written}")
    assert settings.value(EXPORT_FOLDER_KEY) == str(folder)


def test_a_bundle_not_written_after_its_dialog_was_closed_is_said(
        open_window, qtbot, office_db, tmp_path, monkeypatch):
    """Closed as the bundle was being written, which then failed (the stick full): the
    person, who thought it written, is told in the window."""
    import threading

    from fieldplan import sync
    from fieldplan.errors import FileError
    from ui.dialogs import MessageDialog

    no_volumes(monkeypatch)
    started, go_on = threading.Event(), threading.Event()

    def export_bundle(rep, **kwargs):
        started.set()
        assert go_on.wait(10)
        raise FileError("cannot write the bundle: the disk is full")

    monkeypatch.setattr(sync, "export_bundle", export_bundle)
    window = open_window(office_db)
    dialog = opened_export(window, qtbot)
    folder = tmp_path / "to-HQ"
    folder.mkdir()
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "export-dialog") is None)
    go_on.set()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(MessageDialog)))
    [box] = [d for d in window.findChildren(MessageDialog) if d.isVisible()]
    assert box.windowTitle() == "Export"
    assert box.text.text() == "Cannot write the bundle: the disk is full"
    assert list(folder.iterdir()) == []
    box.close()
