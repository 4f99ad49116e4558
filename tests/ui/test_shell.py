"""The shell: first run, a database that cannot be opened, language switching that
reopens where the user was, exporting for email, keyboard reach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from fieldplan.i18n import format_period
from tests import reasons
from tests.ui.conftest import backups_checked, wait_idle, wait_painted
from tests.ui.test_sync_ui import accept_result
from ui.qtcompat import emit


def test_first_run_creates_headquarters(shell, qtbot, tmp_path):
    db = tmp_path / "new.sqlite3"
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert dialog.objectName() == "first-run" and dialog.isVisible()
    assert dialog.restore_button is None  # no backups: nothing to restore
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    assert db.exists()
    assert shell.window.identity.is_hq
    wait_idle(qtbot, shell.session)


def test_damaged_database_offers_the_latest_backup(shell, qtbot, hq_db):
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
        before = rep.replica_id
    for side in ("-wal", "-shm"):
        Path(str(hq_db) + side).unlink(missing_ok=True)
    hq_db.write_bytes(b"this is not a database" * 100)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(), timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert dialog.objectName() == "cannot-open"
    assert dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    assert Path(str(hq_db) + ".damaged").exists()
    # the restored database goes on as a new replica: the old id may have written more
    assert shell.window.identity.replica_id not in ("", before)
    wait_idle(qtbot, shell.session)


def test_a_database_damaged_in_the_middle_offers_the_latest_backup(shell, qtbot, hq_db):
    """A bad sector in the middle: the file opens, and SQLite says it is malformed
    only when the damaged table is read. That is damage too, and a backup the answer."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.cli.test_cli_faults import damage_pages_of

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage_pages_of(str(hq_db), "versions")
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(), timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert dialog.objectName() == "cannot-open"
    assert dialog.restore_button.isEnabled()
    assert "Unexpected error" not in dialog.findChild(QLabel).text()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    wait_idle(qtbot, shell.session)


def test_a_missing_database_whose_backups_are_there_offers_them(shell, qtbot, hq_db,
                                                                tmp_path):
    """The database file went (a clean-up tool, a bad copy) and its backups did not:
    the first-run dialog offers the latest before any fresh start."""
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
        before = rep.replica_id
    for side in ("", "-wal", "-shm"):
        Path(str(hq_db) + side).unlink(missing_ok=True)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert dialog.objectName() == "first-run" and dialog.isVisible()
    assert dialog.restore_button is not None and dialog.restore_button.isDefault()
    dialog.grab().save(str(tmp_path / "first-run-backups.png"))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    assert shell.window.identity.is_hq
    assert shell.window.identity.replica_id not in ("", before)
    wait_idle(qtbot, shell.session)


@pytest.mark.parametrize("role", ["office", "hq"])
def test_first_run_beside_a_lone_key_file_says_what_it_is(shell, qtbot, hq, tmp_path, role):
    """The database and its backups went, its key file stayed: setting up (or creating
    headquarters) says what the key file is and to move it away, not to remove it, in
    the client's words (the command line's "choose another --db" means nothing here);
    nothing is made or lost, and the other ways in stay open."""
    from fieldplan import minisign
    from fieldplan.replica import key_path
    from fieldplan.sync import enroll_office

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    minisign.save_secret_key(key_path(db), minisign.generate_key(), replica="gone")
    before = key_path(db).read_bytes()
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert dialog.objectName() == "first-run"
    if role == "office":
        dialog.setup_from(str(setup))
    else:
        qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key file" in dialog.message.text(), timeout=10_000)
    said = dialog.message.text()
    assert said.startswith(f"The key file {key_path(db)} is this computer's identity, and "
                           "the database it belonged to is gone with no backup of it here")
    assert "move the key file away (do not delete it)" in said and "remove it" not in said
    assert "--db" not in said and "fieldplan " not in said
    if role == "office":
        assert said.endswith(
            "If this computer's data was sent to headquarters, move the key file away (do "
            "not delete it), then set this office up from a new setup bundle headquarters "
            "sends you. If it was not, put that database back.")
    else:
        assert said.endswith(
            ": put that database back. A new headquarters would have a new key, and every "
            "office would have to be set up again; to create one anyway, first move the "
            "key file away (do not delete it).")
    assert dialog.message.wordWrap() and dialog.isVisible()
    assert dialog.setup_button.isEnabled() and dialog.hq_button.isEnabled()
    assert key_path(db).read_bytes() == before and not db.exists()
    dialog.grab().save(str(tmp_path / f"lone-key-{role}.png"))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_first_run_beside_a_key_file_and_an_unreadable_backups_folder(
        shell, qtbot, tmp_path, monkeypatch, lang):
    """The database gone, its key file there, its backups folder there but unreadable:
    creating headquarters said "gone with no backup of it here" (the folder was listed
    as empty). It says the folder cannot be read, why, and to restore once it can be;
    nothing is made."""
    from fieldplan import minisign, store
    from fieldplan.replica import key_path
    from tests.ui.test_cannot_open import unreadable_folder
    from ui.app import apply_language

    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    minisign.save_secret_key(key_path(db), minisign.generate_key(), replica="gone")
    folder = store.backup_dir(db)
    folder.mkdir()
    unreadable_folder(monkeypatch, folder)
    apply_language(QApplication.instance(), lang)
    try:
        _lone_key_with_unreadable_backups(shell, qtbot, db, folder, lang)
    finally:
        apply_language(QApplication.instance(), "en")


def _lone_key_with_unreadable_backups(shell, qtbot, db: Path, folder: Path,
                                      lang: str) -> None:
    from fieldplan.replica import key_path
    from ui.bidi import isolated

    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isolated(str(folder)) in dialog.message.text(),
                    timeout=10_000)
    said = dialog.message.text()
    assert isolated(str(folder)) in said and isolated(str(key_path(db))) in said
    if lang == "en":
        assert said == (
            f"The key file {key_path(db)} is this computer's identity, and the database "
            f"it belonged to is gone. Its backups folder {folder} cannot be read: "
            "permission denied; ask for access to it. Once it can be, start fieldplan "
            "again to restore the latest backup, if there is one, instead of making a "
            "new database.")
    assert dialog.hq_button.isEnabled() and not db.exists()
    dialog.grab().save(str(db.parent / f"lone-key-unreadable-{lang}.png"))


def test_first_run_beside_a_key_file_and_backups_says_to_restore(shell, qtbot, hq,
                                                                  tmp_path):
    """The database went, its key file and backups stayed: setting up anew says to
    restore the latest backup with this screen's button, not with the command line's
    'fieldplan restore'; nothing is made, and the Restore button stays."""
    from fieldplan.errors import KeptBackupsError
    from fieldplan.replica import key_path
    from fieldplan.sync import enroll_office, init_from_setup
    from ui.first_run import first_run_error_text

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    with init_from_setup(db, setup) as rep:
        rep.backup("test")
    db.unlink()
    with pytest.raises(KeptBackupsError) as caught:
        init_from_setup(db, setup)
    assert caught.value.key_path == str(key_path(db))
    assert "'fieldplan restore'" in str(caught.value)  # the command line's words stay
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert dialog.objectName() == "first-run" and dialog.restore_button is not None
    dialog.setup_from(str(setup))
    qtbot.waitUntil(lambda: "key file" in dialog.message.text(), timeout=10_000)
    said = dialog.message.text()
    assert said == first_run_error_text(caught.value)
    assert "restore the latest backup (the button above)" in said
    assert "fieldplan restore" not in said
    assert dialog.restore_button.isEnabled() and not db.exists()


def test_the_lone_key_file_error_says_which_file_and_for_what(hq, tmp_path):
    """The client tells this case by the error's kind and fields, not its words: the
    command line's message stays as it is."""
    from fieldplan import minisign
    from fieldplan.errors import LoneKeyFileError
    from fieldplan.replica import init_hq, key_path
    from fieldplan.sync import enroll_office, init_from_setup
    from ui.first_run import first_run_error_text

    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    minisign.save_secret_key(key_path(db), minisign.generate_key(), replica="gone")
    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    for make, role in ((lambda: init_hq(db), "hq"),
                       (lambda: init_from_setup(db, tmp_path / "ML-setup.fieldplan"),
                        "office")):
        with pytest.raises(LoneKeyFileError) as caught:
            make()
        assert (caught.value.key_path, caught.value.role) == (str(key_path(db)), role)
        assert str(caught.value).endswith(("choose another --db", "office up again)"))
        assert "--db" not in first_run_error_text(caught.value)


def test_language_switch_reopens_where_the_user_was(shell, qtbot, hq_db, settings):
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    window = shell.window
    window.set_period("2026-S2")
    assert window.office_view.tree.select("PA3.6")
    window.tabs.setCurrentIndex(0)
    wait_idle(qtbot, shell.session)
    emit(window.language_did_change, "ar")
    qtbot.waitUntil(lambda: shell.window is not window, timeout=5000)
    new = shell.window
    wait_idle(qtbot, shell.session)
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert new.period == "2026-S2"
    assert new.office_view.tree.current_action().code == "PA3.6"
    assert settings.value("language") == "ar"
    shell.change_language("en")
    wait_idle(qtbot, shell.session)
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


class EventCount(QObject):
    """Counts the language and layout-direction events of the objects it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched, event) -> bool:  # (Qt's name)
        kinds = QEvent.Type
        if event.type() in (kinds.LanguageChange, kinds.LayoutDirectionChange,
                            kinds.ApplicationLayoutDirectionChange):
            self.seen.append(event.type().name)
        return False


def test_the_window_replaced_by_a_language_switch_hears_nothing_of_it(
        shell, qtbot, hq_db):
    """Qt tells every widget of every window of a new language and, for Arabic, of the
    new direction: the window about to be replaced translated and laid out again all
    of its widgets (tables measured again: 2 s at headquarters) before it was deleted.
    The new window is right to left; the old one, and the menus it owns, hear nothing."""
    import shiboken6

    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    old = shell.window
    counted = EventCount()
    menu = old.menuBar().actions()[0].menu()  # a window of its own, owned by the old one
    for watched in (old.tabs, old.office_view.tree, menu):
        watched.installEventFilter(counted)
    tree = old.office_view.tree
    shell.change_language("ar")
    assert shell.window is not old
    qtbot.waitUntil(lambda: not shiboken6.isValid(tree), timeout=5000)  # deleted
    assert counted.seen == []
    new = shell.window
    assert new.isRightToLeft() and new.office_view.tree.isRightToLeft()
    wait_idle(qtbot, shell.session)
    shell.change_language("en")
    wait_idle(qtbot, shell.session)


def test_a_language_change_keeps_the_windows_size_and_place(shell, qtbot, hq_db):
    """The new window took the size saved when the last window closed (or at the
    change before), not the one the person had just given it."""
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    # (well inside the offscreen screen, 800×600: a window kept on it is not moved)
    screen = shell.window.screen().availableGeometry()
    width = shell.window.minimumWidth()
    shell.window.resize(width, 470)
    shell.window.move(screen.x(), screen.y() + 40)
    size, place = shell.window.size(), shell.window.pos()
    shell.change_language("fr")
    wait_idle(qtbot, shell.session)
    assert shell.window.size() == size
    # (the offscreen platform puts a window back a few pixels off)
    assert (shell.window.pos() - place).manhattanLength() <= 4
    shell.window.resize(width, 520)
    size = shell.window.size()  # (or taller: the French window's least height)
    shell.change_language("en")
    wait_idle(qtbot, shell.session)
    assert shell.window.size() == size


def test_a_language_change_keeps_headquarters_searches_and_filters(shell, qtbot, hq_db):
    """Only the tab and the period survived a language change: the Reports page's
    search, filters and report chosen, and the Overview's filters, were reset."""
    from fieldplan import progress
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        for action in ("PA1.6", "PA2.6"):
            progress.record_progress(rep, action, "2026-S1", status="at-risk",
                                     achievements=f"Workshop on {action}.")
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    window.set_period("2026-S1")
    wait_idle(qtbot, shell.session)
    reports = window.hq_desk.reports
    wait_idle(qtbot, shell.session)
    reports.status.setCurrentIndex(reports.status.findData("at-risk"))
    reports.search.setText("workshop")
    row = next(r for r in range(reports.model.rowCount())
               if reports.model.row_at(r).action == "PA2.6")
    reports.view.setCurrentIndex(reports.model.index(row, 0))
    overview = window.hq_desk.overview
    overview.level.setCurrentIndex(overview.level.findData("global"))
    overview.office.setText("HQ")
    window.show_page(reports)
    shell.change_language("fr")
    wait_idle(qtbot, shell.session)
    new = shell.window
    assert new is not window
    reports = new.hq_desk.reports
    qtbot.waitUntil(lambda: reports.model.rowCount() == 2, timeout=5000)
    assert reports.search.text() == "workshop"
    assert reports.status.currentData() == "at-risk"
    assert reports.model.row_at(reports.view.currentIndex().row()).action == "PA2.6"
    assert "Workshop on PA2.6." in reports.detail.toPlainText()
    assert new.tabs.currentWidget().isAncestorOf(reports)
    overview = new.hq_desk.overview
    assert (overview.level.currentData(), overview.office.text()) == ("global", "HQ")
    shell.change_language("en")
    wait_idle(qtbot, shell.session)


def test_each_catalog_is_compiled_once_however_often_the_language_changes(
        shell, qtbot, hq_db, tmp_path, monkeypatch):
    from fieldplan import i18n

    monkeypatch.setattr(i18n, "cache_dir", lambda: tmp_path / "no-cache-yet")
    i18n.clear_translation_cache()
    compiled: list[str] = []
    real = i18n.compile_po
    monkeypatch.setattr(i18n, "compile_po",
                        lambda data, lang: compiled.append(lang) or real(data, lang))
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    for lang in ("fr", "en", "fr", "ar", "fr", "ar", "en"):
        shell.change_language(lang)
        wait_idle(qtbot, shell.session)
    assert sorted(compiled) == ["ar", "fr"]
    i18n.clear_translation_cache()


def test_prepare_for_email(open_window, qtbot, office_db, tmp_path):
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica
    from ui.transfer import ExportDialog

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=10)
    window = open_window(office_db)
    dialog = ExportDialog(window.session, window.identity, window, email=True)
    (tmp_path / "outbox").mkdir()
    dialog.folder.setText(str(tmp_path / "outbox"))
    dialog.open()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    path = Path(dialog.result_info.path)
    assert path.exists() and path.parent == tmp_path / "outbox"
    assert "KB" in dialog.message.text()
    assert "SN" in dialog.subject and "semester" in dialog.subject
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_status_bar_shows_an_export_at_once(open_window, qtbot, office_db, tmp_path):
    window = open_window(office_db)
    wait_painted(qtbot, window)  # (which starts the sync timer)
    wait_idle(qtbot, window.session)
    window._sync_timer.stop()  # no minute's refresh: the export itself must update it
    # (the first read of the sync state may come after the window's first loads)
    qtbot.waitUntil(lambda: "never" in window._sync_words.lower(), timeout=5000)
    window.email_dialog()
    dialog = window.findChild(QDialog, "export-dialog")
    (tmp_path / "outbox").mkdir()
    dialog.folder.setText(str(tmp_path / "outbox"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    qtbot.waitUntil(lambda: "Last export" in window._sync_words, timeout=5000)
    # the whole message, email subject included, fits in the dialog
    assert dialog.message.height() >= dialog.message.heightForWidth(dialog.message.width())
    dialog.close()
    wait_idle(qtbot, window.session)


def _export_from_the_dialog(open_window, qtbot, db, tmp_path):
    """Open ``db``'s window, export to a folder from the export dialog, wait for it."""
    window = open_window(db)
    wait_idle(qtbot, window.session)
    window.export_dialog()
    dialog = window.findChild(QDialog, "export-dialog")
    (tmp_path / "usb").mkdir()
    dialog.folder.setText(str(tmp_path / "usb"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    return window, dialog


def test_an_export_noted_nowhere_still_gives_its_bundle(open_window, qtbot, office_db,
                                                         tmp_path, monkeypatch):
    """The bundle is written and good; only "last export" could not be noted (a full
    disk): the dialog gives the file and says what else went wrong."""
    import contextlib

    from fieldplan.errors import StoreError
    from fieldplan.sync import export

    real = export.store.write_transaction

    @contextlib.contextmanager
    def full(conn):
        with real(conn):
            yield conn
            raise StoreError("could not save to the database, nothing was changed: "
                             "the disk is full")

    monkeypatch.setattr(export.store, "write_transaction", full)
    window, dialog = _export_from_the_dialog(open_window, qtbot, office_db, tmp_path)
    assert Path(dialog.result_info.path).is_file()
    assert dialog.message.text().startswith("Saved ")
    assert dialog.path_label.text() == str(dialog.result_info.path)
    assert dialog.after_path.text().startswith("The bundle is written, but this export could "
                                               "not be noted in the database")
    for label in (dialog.message, dialog.after_path):
        assert label.height() >= label.heightForWidth(label.width())
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], "export-warning.png"))
    dialog.close()
    wait_idle(qtbot, window.session)


def test_an_export_with_nothing_new_says_it_holds_only_receipts(open_window, qtbot,
                                                                  office_db, tmp_path):
    from fieldplan.replica import open_replica
    from fieldplan.sync import export_bundle, import_bundle

    # HQ learns SN's key first: a bundle with the enrolment proof is never "only receipts"
    with open_replica(office_db) as sn, open_replica(tmp_path / "hq" / "hq.sqlite3") as hq:
        import_bundle(hq, export_bundle(sn, out_dir=tmp_path).path)
        import_bundle(sn, export_bundle(hq, for_office="SN", out_dir=tmp_path).path)
    window, dialog = _export_from_the_dialog(open_window, qtbot, office_db, tmp_path)
    assert dialog.result_info.events == 0
    assert dialog.message.text().startswith("Saved the bundle (")
    assert dialog.message.text().endswith(", 0 events):")
    assert dialog.after_path.text() == ("No new entries to send: the bundle holds only the "
                                        "receipts of what this computer has received; "
                                        "sending it still tells headquarters what arrived.")
    assert dialog.after_path.height() >= dialog.after_path.heightForWidth(
        dialog.after_path.width())
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], "export-empty.png"))
    dialog.close()
    wait_idle(qtbot, window.session)


def test_export_errors_read_as_sentences(open_window, qtbot, office_db, tmp_path,
                                        monkeypatch):
    """The export dialog's error started in lower case ("cannot write …"), and a
    folder that could not be made was an "Unexpected error: NotADirectoryError…"."""
    from fieldplan import sync
    from fieldplan.errors import FileError

    window = open_window(office_db)
    wait_idle(qtbot, window.session)
    window.export_dialog()
    dialog = window.findChild(QDialog, "export-dialog")
    afile = tmp_path / "afile"
    afile.write_text("x")
    dialog.folder.setText(str(afile / "out"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    assert dialog.message.text() == f"Cannot write {afile / 'out'}: {reasons.UNDER_A_FILE}"

    def full(*_args, **_kw):
        raise FileError("cannot write /media/usb/ML-1.fieldplan: the disk is full")

    monkeypatch.setattr(sync, "export_bundle", full)
    (tmp_path / "usb").mkdir()
    dialog.folder.setText(str(tmp_path / "usb"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=10_000)
    assert dialog.message.text() == "Cannot write /media/usb/ML-1.fieldplan: the disk is full"
    dialog.close()
    wait_idle(qtbot, window.session)


def test_a_sentence_starts_with_a_capital_unless_it_starts_with_a_name():
    from ui.ops import sentence

    assert sentence("cannot write x: the disk is full") == "Cannot write x: the disk is full"
    assert sentence("impossible d’écrire x") == "Impossible d’écrire x"
    # French elides a word before a vowel: the first word is still a word
    assert sentence("c’est la clé d’un autre bureau") == "C’est la clé d’un autre bureau"
    assert sentence("l’événement 7 manque") == "L’événement 7 manque"
    assert sentence("l'import a échoué") == "L'import a échoué"
    assert sentence("aujourd’hui, rien") == "Aujourd’hui, rien"
    assert sentence("échec de l’écriture") == "Échec de l’écriture"
    # and joins two by a hyphen ("assurez-vous" stayed lower case in the status bar)
    assert sentence("assurez-vous que votre paquet parvient au Siège") == \
        "Assurez-vous que votre paquet parvient au Siège"
    for kept in ("ml.fieldplan: rejected", "/media/usb: permission denied", "a1b2c3d4 key",
                 "Already", "تعذر الكتابة", "", "o’neil.fieldplan: rejected", "l’", "l’7 x",
                 "d’ml-1.fieldplan: rejected"):
        assert sentence(kept) == kept


def test_the_inbox_says_why_it_could_not_load_in_a_sentence(
    open_window, qtbot, hq_db, monkeypatch
):
    """The gaps list showed the core's lower-case message as its whole line."""
    import fieldplan.sync
    from fieldplan.errors import StoreError
    from ui.hq_desk import InboxPage

    def busy(rep):
        raise StoreError("the database is busy (another fieldplan is writing)")

    window = open_window(hq_db)
    monkeypatch.setattr(fieldplan.sync, "list_gaps", busy)
    page = InboxPage(window.session)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.gaps.count() > 0, timeout=5000)
    assert page.gaps.item(0).text() == "The database is busy (another fieldplan is writing)"
    wait_idle(qtbot, window.session)


def test_locking_says_what_it_did(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    wait_idle(qtbot, window.session)

    def lock_dialog() -> QDialog:
        window.lock_dialog(True)
        qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is not None,
                        timeout=5000)
        return window.findChild(QDialog, "lock-dialog")

    lock_dialog().accept()
    qtbot.waitUntil(lambda: "Locked " in window.statusBar().whole_message(), timeout=5000)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is None)  # closed
    # asked again: the dialog says so before anything is done
    dialog = lock_dialog()
    assert dialog.text.text() == f"{format_period(window.period)} is already locked."
    dialog.accept()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is None)
    wait_idle(qtbot, window.session)


def test_controls_have_accessible_names_and_keyboard_shortcuts(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = window.office_view.editor
    for widget in (
        editor.status,
        editor.percent,
        *editor.narratives.values(),
        window.period_combo,
        window.office_view.tree.tree,
    ):
        assert widget.accessibleName(), widget
    assert not window.import_action.shortcut().isEmpty()
    assert not window.undo_action.shortcut().isEmpty()
    assert not window.submit_action.shortcut().isEmpty()
    window.resize(1366, 768)
    assert window.width() <= 1366 and window.minimumSizeHint().width() <= 1366


class FakeVolume:
    """What removable_drives reads of a QStorageInfo."""

    def __init__(self, root, name="", free=64 * 1024**2, ready=True, read_only=False):
        self.root, self.name, self.free = root, name, free
        self.ready, self.read_only = ready, read_only

    def isValid(self):
        return True

    def isReady(self):
        return self.ready

    def isReadOnly(self):
        return self.read_only

    def rootPath(self):
        return self.root

    def displayName(self):
        return self.name

    def bytesAvailable(self):
        return self.free


def test_removable_drives_are_offered_for_export(
    open_window, qtbot, office_db, tmp_path, monkeypatch
):
    from PySide6.QtCore import QStorageInfo

    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica
    from ui import transfer

    stick = tmp_path / "media" / "amina" / "KINGSTON"
    stick.mkdir(parents=True)
    volumes = [
        FakeVolume("/"),
        FakeVolume("/home"),
        FakeVolume(str(stick), "KINGSTON", free=3 * 1024**3),
        FakeVolume(str(tmp_path / "media" / "cdrom"), "CD", read_only=True),
        FakeVolume(str(tmp_path / "media" / "card"), "SD", ready=False),
    ]
    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(lambda: volumes))
    monkeypatch.setattr(transfer, "REMOVABLE_ROOTS", (str(tmp_path / "media") + "/",))
    monkeypatch.setattr(transfer.sys, "platform", "linux")
    monkeypatch.setattr(transfer, "is_mounted", lambda root: root == str(stick))
    drives = transfer.removable_drives()
    assert drives == [("KINGSTON (3,072 MB free)", str(stick))]

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=10)
    window = open_window(office_db)
    dialog = transfer.ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.drives_known)
    places = [dialog.place.itemText(i) for i in range(dialog.place.count())]
    assert places == ["Removable drive: KINGSTON (3,072 MB free)", "A folder…"]
    assert dialog.folder.text() == str(stick)  # the drive is the first choice
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    assert Path(dialog.result_info.path).parent == stick
    dialog.place.setCurrentIndex(1)  # "A folder…" leaves the folder to choose
    dialog.close()
    wait_idle(qtbot, window.session)


def test_removable_drives_are_looked_for_off_the_gui_thread(
    open_window, qtbot, office_db, tmp_path, monkeypatch
):
    """The drives were read on the GUI thread as the Export dialog opened: a stalled
    mount (a network share gone away) froze the window until it answered."""
    import threading

    from ui import transfer
    from ui.ops import off_thread_jobs

    stick = tmp_path / "media" / "KINGSTON"
    asked, release, threads = _stalled_drive_look(monkeypatch, tmp_path)
    window = open_window(office_db)
    folder = str(tmp_path / "chosen")
    for typed in ("", folder, None):  # None: the dialog is closed before the answer
        release.clear()
        dialog = transfer.ExportDialog(window.session, window.identity, window)
        try:
            dialog.open()  # opens while the system is still asked
            assert asked.wait(10)
            assert threading.main_thread().ident not in threads
            assert [dialog.place.itemText(i) for i in range(dialog.place.count())] == [
                "A folder…"]
            if typed is None:
                dialog.close()
            else:
                dialog.folder.setText(typed)
        finally:
            release.set()
        qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)
        if typed is None:
            continue
        assert dialog.drives_known
        assert dialog.place.itemText(0) == "Removable drive: KINGSTON (64 MB free)"
        # the drive is the first choice, unless a folder was given meanwhile
        assert dialog.folder.text() == (typed or str(stick))
        assert dialog.place.currentIndex() == (1 if typed else 0)
        dialog.close()
    wait_idle(qtbot, window.session)


def _stalled_drive_look(monkeypatch, tmp_path):
    """The system's list of drives answers (a KINGSTON stick under tmp_path/media) only
    once ``release`` is set; ``asked`` is set at each look, whose thread is added to
    the list returned third."""
    import threading

    from PySide6.QtCore import QStorageInfo

    from ui import transfer

    volumes = [FakeVolume(str(tmp_path / "media" / "KINGSTON"), "KINGSTON")]
    asked, release, looks = threading.Event(), threading.Event(), []

    def stalled():
        looks.append(threading.get_ident())
        asked.set()
        release.wait(10)
        return volumes

    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(stalled))
    monkeypatch.setattr(transfer, "REMOVABLE_ROOTS", (str(tmp_path / "media") + "/",))
    monkeypatch.setattr(transfer.sys, "platform", "linux")
    return asked, release, looks


def test_one_look_at_the_drives_at_a_time(open_window, qtbot, office_db, tmp_path,
                                          monkeypatch):
    """Each opening of the Export dialog started a look at the drives, each on a thread
    of its own: with a mount stalled for good, they piled up. A dialog opened while a
    look is under way takes its answer."""


    from ui import transfer
    from ui.ops import off_thread_jobs

    asked, release, looks = _stalled_drive_look(monkeypatch, tmp_path)
    window = open_window(office_db)
    dialogs = []
    try:
        for _n in range(3):
            dialog = transfer.ExportDialog(window.session, window.identity, window)
            dialog.open()
            assert asked.wait(10)
            dialogs.append(dialog)
            if len(dialogs) == 1:
                dialog.close()  # closed, and opened again: still the one look
        assert len(looks) == 1 and len(off_thread_jobs()) == 1
    finally:
        release.set()
    qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)
    assert looks == looks[:1]
    for dialog in dialogs[1:]:  # both waiting dialogs have its answer
        assert dialog.drives_known
        assert dialog.place.itemText(0) == "Removable drive: KINGSTON (64 MB free)"
        dialog.close()
    # the next opening looks again (a stick put in since)
    dialog = transfer.ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=10_000)
    assert len(looks) == 2
    dialog.close()
    wait_idle(qtbot, window.session)


def test_removable_drives_on_windows_are_the_other_drive_letters(monkeypatch):
    """As Qt lists them, where ctypes cannot ask Windows (ui.win_drives: the usual way,
    tested in test_win_drives.py)."""
    from PySide6.QtCore import QStorageInfo

    from ui import transfer

    volumes = [FakeVolume("C:/"), FakeVolume("D:/", "USB"), FakeVolume("E:/data/")]
    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(lambda: volumes))
    monkeypatch.setattr(transfer.sys, "platform", "win32")
    assert [root for _label, root in transfer.removable_drives()] == ["D:/"]


@pytest.fixture
def event_loop(qtbot, settings, monkeypatch):
    """``ui.app.run`` without blocking: its event loop is replaced by ``check(window)``,
    called once the main window shows, with pytest-qt's loop running meanwhile."""
    import ui.app
    from ui.main_window import MainWindow

    app = QApplication.instance()
    font = app.font()
    monkeypatch.setattr(ui.app, "settings", lambda: settings)
    checks = []

    def exec_(_app) -> int:
        def shown():
            return [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ]

        qtbot.waitUntil(lambda: bool(shown()), timeout=60_000)
        window = shown()[0]
        wait_idle(qtbot, window.session)
        try:
            return checks[0](window)
        finally:
            window.close()

    monkeypatch.setattr(QApplication, "exec", exec_)
    yield checks.append
    app.setFont(font)


def test_run_demo_opens_the_demo_window(event_loop, monkeypatch):
    import ui.first_run
    from ui.app import run

    monkeypatch.setattr(ui.first_run, "DEMO_OFFICES", 2)
    seen = []
    event_loop(lambda window: seen.append(window.identity) or 0)
    assert run(demo=True, lang="en") == 0
    [identity] = seen
    assert identity.is_hq
    assert Path(identity.db_path) == ui.first_run.demo_path()
    assert Path(identity.db_path).exists()


def test_run_imports_the_bundles_it_is_given(event_loop, demo_world, tmp_path, qtbot):
    import shutil

    from ui.app import run

    db = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", db)
    shutil.copy(str(demo_world / "hq.sqlite3") + ".key", str(db) + ".key")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]
    missing = tmp_path / "gone.fieldplan"
    seen = []

    def check(window) -> int:
        seen.extend((o.file, o.outcome) for o in accept_result(window, qtbot))
        return 0

    event_loop(check)
    assert run(db=str(db), lang="en", files=[*bundles, missing]) == 0
    assert seen == [(b.name, "merged") for b in bundles] + [("gone.fieldplan", "rejected")]


def test_fieldplan_gui_passes_its_files(event_loop, demo_world, tmp_path, qtbot, capsys):
    """``fieldplan gui FILE…`` (how the desktop entry and the Windows file association
    open a double-clicked bundle) imports the files once the window is open."""
    import shutil

    from fieldplan.cli import main

    db = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", db)
    shutil.copy(str(demo_world / "hq.sqlite3") + ".key", str(db) + ".key")
    [bundle] = sorted((demo_world / "bundles").glob("*.fieldplan"))[:1]
    seen = []

    def check(window) -> int:
        seen.extend(o.outcome for o in accept_result(window, qtbot))
        return 0

    event_loop(check)
    assert main(["gui", "--db", str(db), "--lang", "en", str(bundle)]) == 0
    assert seen == ["merged"]
    with pytest.raises(SystemExit):
        main(["gui", "--help"])
    assert "FILE.fieldplan" in capsys.readouterr().out


def test_desktop_entry_and_installer_open_bundles_with_the_app():
    import configparser

    root = Path(__file__).resolve().parents[2] / "packaging"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(root / "linux" / "org.iom_oic.fieldplan.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "fieldplan gui %F"
    assert "application/x-fieldplan-bundle" in desktop["MimeType"].split(";")
    mime = (root / "linux" / "fieldplan-bundle.xml").read_text(encoding="utf-8")
    assert 'type="application/x-fieldplan-bundle"' in mime
    iss = (root / "windows" / "fieldplan.iss").read_text(encoding="utf-8")
    assert '"""{app}\\fieldplan.exe"" gui ""%1"""' in iss


def test_the_desktop_entry_names_the_windows_the_client_opens(event_loop, demo_world,
                                                              tmp_path):
    """The menu entry is the one the client's windows belong to: Wayland's app id is
    the desktop file name the client sets (the entry's own file name), X11's WM_CLASS
    the application name (StartupWMClass). And it asks for startup notification: without
    StartupNotify the desktop gave no busy pointer while the client started, and (GNOME,
    KDE) no activation token, so a bundle double-clicked while the client was open
    could not bring its window to the front (ui.single_instance passes the token on)."""
    import configparser
    import shutil

    from ui.app import run

    root = Path(__file__).resolve().parents[2] / "packaging" / "linux"
    [path] = root.glob("*.desktop")
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["StartupNotify"] == "true"
    db = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", db)
    shutil.copy(str(demo_world / "hq.sqlite3") + ".key", str(db) + ".key")
    seen = {}

    def check(window) -> int:
        app = QApplication.instance()
        seen.update(desktop_file=app.desktopFileName(), wm_class=app.applicationName())
        return 0

    event_loop(check)
    assert run(db=str(db), lang="en") == 0
    assert seen == {"desktop_file": path.stem, "wm_class": desktop["StartupWMClass"]}


def test_the_installer_names_the_bundle_type_and_removes_all_its_keys():
    """Only the DefaultIcon and shell\\open\\command subkeys were registered, each with
    uninsdeletekey: uninstalling left Software\\Classes\\fieldplan.bundle and its shell
    key behind, empty, and Explorer had no name to show for the type."""
    root = Path(__file__).resolve().parents[2] / "packaging"
    iss = (root / "windows" / "fieldplan.iss").read_text(encoding="utf-8")
    rows = [dict(part.strip().split(": ", 1) for part in line.split("; "))
            for line in iss.splitlines() if line.startswith("Root: HKCU")]
    bundle = [r for r in rows if r["Subkey"] == '"Software\\Classes\\fieldplan.bundle"']
    assert len(bundle) == 1
    assert bundle[0]["ValueData"] == '"fieldplan bundle"' and "ValueName" not in bundle[0]
    assert bundle[0]["Flags"] == "uninsdeletekey"
    # the extension's key: its value, then the key itself once empty
    extension = [r for r in rows if r["Subkey"] == '"Software\\Classes\\.fieldplan"']
    assert len(extension) == 1
    assert extension[0]["Flags"].split() == ["uninsdeletevalue", "uninsdeletekeyifempty"]


def test_first_run_with_a_setup_bundle_given_offers_it(shell, qtbot, tmp_path):
    """Double-clicking the setup bundle on a computer without fieldplan's database:
    the first-run dialog offers that file, and it is not imported again afterwards."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    db = tmp_path / "sn.sqlite3"
    shell.files_to_import = [str(tmp_path / "SN-setup.fieldplan")]
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert "SN-setup.fieldplan" in dialog.given_button.text()
    qtbot.mouseClick(dialog.given_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert shell.window.identity.office == "SN"
    assert shell.files_to_import == []
    assert shell.window.findChild(object, "import-result") is None


def test_the_setup_bundle_given_is_the_one_enter_takes(shell, qtbot, tmp_path):
    """The button for the setup bundle double-clicked came first on screen, but was made
    last: the focus, and so Enter, was on "Set up this office from a setup bundle…",
    which opened a file chooser, and Tab reached the file's own button last, after
    Cancel. It has the focus now, and Tab goes on from it to the other ways in."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    shell.files_to_import = [str(tmp_path / "SN-setup.fieldplan")]
    shell.start(tmp_path / "sn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    assert dialog.focusWidget() is dialog.given_button
    assert dialog.given_button.nextInFocusChain() is dialog.setup_button
    qtbot.keyClick(dialog.given_button, Qt.Key.Key_Return)
    # (asked before the window is up: the dialog is deleted then)
    assert dialog.findChild(QDialog, "choose-setup-dialog") is None
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert shell.window.identity.office == "SN"


def test_bundles_given_for_a_new_database_are_not_put_into_the_demo(
        shell, qtbot, tmp_path, hq_db, monkeypatch):
    """A bundle double-clicked on a computer without a database, then the demo chosen
    in the first-run dialog: the bundle is not imported into the demo, and the window
    says so instead of dropping it silently."""
    import shutil

    import ui.first_run
    import ui.main_window

    def make_demo(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hq_db, path)
        return path

    monkeypatch.setattr(ui.first_run, "make_demo_database", make_demo)
    imported = []
    monkeypatch.setattr(ui.main_window.MainWindow, "import_files",
                        lambda self, files: imported.append(files))
    shell.files_to_import = [str(tmp_path / "ML-1-9.fieldplan"),
                             str(tmp_path / "SN-1-4.fieldplan")]
    shell.start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    qtbot.mouseClick(shell.dialog.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert imported == []
    assert shell.window.statusBar().whole_message() == (
        "2 bundles were not imported: they are for your own database, not the demo.")


_FIRST_PAINT = """
import sys
import PySide6.QtCore, PySide6.QtGui
from PySide6.QtCore import QSettings, QTimer
from ui.app import start

shell = start(db=sys.argv[1], lang="en", prefs=QSettings(sys.argv[2], QSettings.Format.IniFormat))

def painted():
    shell.window.grab()
    built = vars(PySide6.QtCore) | vars(PySide6.QtGui)
    print("built for the first paint:", [n for n in ("Qt", "QEvent", "QIcon") if n in built]
          + [m for m in ("ui.dialogs",) if m in sys.modules])
    shell.window.close()
    shell.shutdown()
    shell.app.quit()

def shown():
    if shell.window is not None and shell.window.isVisible():
        shell.session.job_did_complete.disconnect(shown)
        QTimer.singleShot(0, painted)

shell.session.job_did_complete.connect(shown)
shell.app.exec()
"""


def test_the_first_paint_waits_for_nothing_it_does_not_show(tmp_path):
    """A cold start does not make PySide build its Qt namespace (ui.qtcompat), QEvent
    and its subclasses (ui.main_window.FirstPaint) or QIcon before the first paint, nor
    import every dialog's widgets (ui.dialogs; the main window's sizing is ui.screen)."""
    import os
    import subprocess
    import sys

    from fieldplan.replica import init_hq

    db = tmp_path / "hq.sqlite3"
    init_hq(db).close()
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_PAINT, str(db), str(tmp_path / "s.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "built for the first paint: []"


def test_the_windows_get_the_application_icon_after_the_first_paint(open_window, qtbot,
                                                                    hq_db):
    """The task bar and window list show fieldplan's icon (set once the window is on
    screen: QIcon would cost the cold start), and the window title leaves the name
    of the application to Qt, which adds it where the system shows titles."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    QApplication.instance().setWindowIcon(QIcon())  # as a new application has it
    window = open_window(hq_db)
    qtbot.waitUntil(lambda: not QApplication.instance().windowIcon().isNull(), timeout=5000)
    assert not window.windowIcon().isNull()
    assert "fieldplan" not in window.windowTitle()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_what_the_opening_of_the_database_noted_is_shown(shell, qtbot, hq_db, monkeypatch,
                                                          lang):
    """On a full disk, the backup before a migration removed old backups to make
    room while the database opened. The first job (reading who this replica is) took
    that notice before any window listened for it, and nobody was told: the window
    says it once it is up (in Arabic with the backups folder whole)."""
    from fieldplan import schema, store
    from fieldplan.i18n import ngettext
    from fieldplan.replica import open_replica
    from tests.core.test_store_faults import Disk
    from ui.app import apply_language
    from ui.dialogs import MessageDialog

    monkeypatch.setattr(store, "BACKUPS_KEPT", 3)
    with open_replica(hq_db) as rep:
        old = [store.backup(rep.conn, hq_db, f"test{i}") for i in range(3)]

    @schema.migration("9000_test_opening_notice")
    def extra(db) -> None:
        db.execute("CREATE TABLE extra (x)")

    try:
        Disk(hq_db.parent, monkeypatch).fill(old[0].stat().st_size // 2)
        apply_language(QApplication.instance(), lang)
        shell.start(hq_db)
        qtbot.waitUntil(lambda: shell.window is not None
                        and shell.window.findChild(MessageDialog, "error-box") is not None,
                        timeout=10_000)
        box = shell.window.findChild(MessageDialog, "error-box")
        gone = [b for b in old if not b.exists()]
        assert gone
        folder = str(store.backup_dir(hq_db))
        if lang == "ar":
            assert "\u2066" + folder + "\u2069)." in box.text.text()
        else:
            assert box.text.text() == ngettext(
                "The disk is full: {n} old backup of this database was removed to make room "
                "for a new one (backups in {folder}).",
                "The disk is full: {n} old backups of this database were removed to make "
                "room for a new one (backups in {folder}).", len(gone)).format(
                    n=len(gone), folder=folder)
        assert shell.session.take_unheard_notices() == []  # said once
        box.close()
        wait_idle(qtbot, shell.session)
    finally:
        schema.MIGRATIONS.pop()
        apply_language(QApplication.instance(), "en")


def _unlike(a: int, b: int) -> bool:
    """Two ARGB pixels differ by more than the rounding of the processor drawing them
    (the antialiasing of one SVG is a level off here and there from machine to machine)."""
    return any(abs(((a >> shift) & 255) - ((b >> shift) & 255)) > 3 for shift in (0, 8, 16, 24))


def test_the_windows_icon_is_the_svg_at_every_size(qapp):
    """The program, its shortcuts and its bundles show fieldplan's icon on Windows (not
    PyInstaller's): resources/icons/fieldplan.ico holds the SVG drawn at each size
    Windows asks for (made again by packaging/make_icon.py when the SVG changes), and
    the build and the installer use it."""
    import importlib.util

    from PySide6.QtGui import QImage, QImageReader

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("make_icon",
                                                  root / "packaging" / "make_icon.py")
    make_icon = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icon)
    reader = QImageReader(str(root / "resources" / "icons" / "fieldplan.ico"))
    assert reader.imageCount() == len(make_icon.SIZES)
    for index, size in enumerate(make_icon.SIZES):
        assert reader.jumpToImage(index)
        shipped = reader.read().convertToFormat(QImage.Format.Format_ARGB32)
        drawn = QImage.fromData(make_icon.render_png(make_icon.SVG, size)).convertToFormat(
            QImage.Format.Format_ARGB32)
        assert (shipped.width(), shipped.height()) == (size, size)
        differ = sum(_unlike(shipped.pixel(x, y), drawn.pixel(x, y))
                     for x in range(0, size, max(1, size // 32))
                     for y in range(0, size, max(1, size // 32)))
        assert differ <= 2, f"{size}px: the .ico is not the SVG any more"
    # the PNG the Linux installer puts beside the SVG (menus that draw no SVG)
    png = QImage(str(make_icon.PNG_48)).convertToFormat(QImage.Format.Format_ARGB32)
    drawn = QImage.fromData(make_icon.render_png(make_icon.SVG, 48)).convertToFormat(
        QImage.Format.Format_ARGB32)
    assert (png.width(), png.height()) == (48, 48)
    assert sum(_unlike(png.pixel(x, y), drawn.pixel(x, y))
               for x in range(48) for y in range(48)) <= 4
    spec_text = (root / "packaging" / "fieldplan.spec").read_text(encoding="utf-8")
    assert '"icons" / "fieldplan.ico"' in spec_text and "icon=None" not in spec_text
    iss = (root / "packaging" / "windows" / "fieldplan.iss").read_text(encoding="utf-8")
    assert "SetupIconFile=..\\..\\resources\\icons\\fieldplan.ico" in iss
    assert iss.count('WorkingDir: "{userdocs}"') == 2


def test_each_mount_answers_python_before_qt_is_asked_for_the_drives(monkeypatch, tmp_path):
    """QStorageInfo.mountedVolumes asks every mount while it holds Python's lock
    (PySide keeps it through a Qt call): a network share gone away froze the whole
    client, not the drives' thread only. Each mount is asked from Python first
    (os.statvfs lets go of the lock while it waits), and Qt once all have answered."""
    import os

    from PySide6.QtCore import QStorageInfo

    from ui import transfer

    share = str(tmp_path / "share")
    monkeypatch.setattr(transfer, "_mount_points", lambda: ["/", share])
    answered, asked_qt = [], []
    real_statvfs = os.statvfs

    def statvfs(path):
        answered.append(path)
        return real_statvfs("/")

    monkeypatch.setattr(transfer.os, "statvfs", statvfs)
    monkeypatch.setattr(QStorageInfo, "mountedVolumes",
                        staticmethod(lambda: asked_qt.append(list(answered)) or []))
    monkeypatch.setattr(transfer.sys, "platform", "linux")
    assert transfer.mounted_drives() == []
    assert asked_qt == [["/", share]]


def test_the_mount_points_are_read_as_the_system_writes_them(tmp_path):
    from ui import transfer

    table = tmp_path / "mounts"
    table.write_bytes(
        b"sysfs /sys sysfs rw 0 0\n"
        b"/dev/sdb1 /media/amina/MY\\040STICK vfat rw 0 0\n"
        b"/dev/sdc1 /media/amina/cl\xc3\xa9 vfat rw 0 0\n"
        b"\n")
    assert transfer._mount_points(str(table)) == [
        "/sys", "/media/amina/MY STICK", "/media/amina/clé"]
    assert transfer._mount_points(str(tmp_path / "gone")) == []


def test_a_language_change_on_the_first_run_does_not_check_the_backup_again(
        shell, qtbot, hq_db, monkeypatch):
    """The backup a restore would put back is checked as the dialog opens (its whole
    file read: seconds for a large headquarters), not again at each change of
    language: it is still offered, in the new language."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.app import apply_language

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    for side in ("", "-wal", "-shm"):
        Path(str(hq_db) + side).unlink(missing_ok=True)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert dialog.restore_button is not None
    checked = []
    real = store._file_is_sound
    monkeypatch.setattr(store, "_file_is_sound", lambda path: checked.append(path) or real(path))
    try:
        apply_language(QApplication.instance(), "fr")
        dialog.retranslate()
    finally:
        apply_language(QApplication.instance(), "en")
    assert checked == []
    assert dialog.restore_button is not None and dialog.restore_button.isDefault()


@pytest.mark.parametrize("asked", ["another", "the demo's"])
def test_which_database_the_first_run_opened_is_looked_at_off_the_gui_thread(
        shell, qtbot, tmp_path, hq_db, monkeypatch, asked):
    """Whether the first-run dialog opened the database asked for or the demo was a
    look at both paths (os.path.samefile) on the GUI thread, which a drive that hangs
    froze: looked at on the demo's job. The bundles given go into the database asked
    for when it is the demo's own file, as before."""
    import shutil
    import threading

    import ui.first_run
    import ui.main_window

    def make_demo(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hq_db, path)
        return path

    looked_on: list[str] = []
    samefile = os.path.samefile

    def watched(one, other) -> bool:
        looked_on.append(threading.current_thread().name)
        return samefile(one, other)

    monkeypatch.setattr(os.path, "samefile", watched)
    monkeypatch.setattr(ui.first_run, "make_demo_database", make_demo)
    imported = []
    monkeypatch.setattr(ui.main_window.MainWindow, "import_files",
                        lambda self, files: imported.append(files))
    given = [str(tmp_path / "ML-1-9.fieldplan")]
    shell.files_to_import = list(given)
    shell.start(ui.first_run.demo_path() if asked == "the demo's"
                else tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    qtbot.mouseClick(shell.dialog.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert looked_on and threading.main_thread().name not in looked_on
    assert imported == ([given] if asked == "the demo's" else [])


def test_a_step_of_the_shutdown_that_fails_still_closes_the_database(shell, qtbot, hq_db,
                                                                     monkeypatch):
    """A step before the session's close that raised (the damaged-database window's
    close, a dialog's job) skipped the close: the database worker, a daemon thread,
    was then cut off at exit in the middle of its write. The session is closed and
    its worker ended whatever the steps before it did."""
    shell.open(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    session = shell.session

    def fails() -> None:
        raise RuntimeError("a step before the close")

    monkeypatch.setattr(shell, "_close_damaged_window", fails)
    shell.window.close()
    with pytest.raises(RuntimeError):
        shell.shutdown()
    monkeypatch.undo()  # (the fixture's own shutdown)
    assert shell.session is None
    assert not session.worker.isRunning()


def test_a_window_that_cannot_be_made_is_said_not_left_unseen(shell, qtbot, hq_db,
                                                                 monkeypatch, capsys):
    """The window raised as it was made (a database unlike any this fieldplan knows, a
    bug): a traceback, and the client left running with nothing on screen, which only a
    reboot ended and to which every later start handed its files. Now the cannot-open
    dialog says why, and closing it ends fieldplan."""
    from PySide6.QtWidgets import QApplication, QLabel

    from ui.main_window import MainWindow

    def broken(*_args, **_kwargs):
        raise RuntimeError("the window fell over")

    monkeypatch.setattr(MainWindow, "_build", broken)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    dialog = shell.dialog
    assert dialog.objectName() == "cannot-open"
    assert shell.window is None and shell.session is None
    assert "the window fell over" in dialog.findChildren(QLabel)[0].text()
    assert QApplication.instance().quitOnLastWindowClosed()
    assert "RuntimeError: the window fell over" in capsys.readouterr().err


_ANSWERED_BEFORE_THE_PAINT = """
import sys
import PySide6.QtCore, PySide6.QtGui
from PySide6.QtCore import QSettings, QTimer
from ui.app import start
from ui.main_window import MainWindow

LAZY = ("ui.dialogs", "ui.models", "fieldplan.sync", "cryptography", "fieldplan.tabular",
        "fieldplan.xlsx", "difflib")
found = []

def first_paint_done(window):
    # (what the window had built when its first paint came: what it does once painted,
    # the Tab order, keys, drafts..., is not counted)
    built = vars(PySide6.QtCore) | vars(PySide6.QtGui)
    found[:] = ([n for n in ("Qt", "QEvent", "QIcon") if n in built]
                + [m for m in LAZY if m in sys.modules])
    _after(window)
    QTimer.singleShot(0, painted)

def painted():
    tree = shell.window.office_view.tree.tree
    rows = [tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]
    print("coloured:", sorted({r.background(1).color().name() for r in rows} - {"#000000"}))
    print("built for the first paint:", found)
    shell.window.close()
    shell.shutdown()
    shell.app.quit()

def shown(window):
    # the window's first answers (its reports, the locks) as a fast worker gives them:
    # before the first paint, read here at once, in its show() (the event loop paints
    # it after; waiting for a job to end instead, a loaded machine's worker answered
    # after the paint, and what the window does once painted was counted)
    from fieldplan.replica import open_replica
    from fieldplan.progress import list_reports
    from ui.hidden_reports import read_hidden
    from ui.main_window import read_locked_periods

    view = window.office_view
    plan = window.identity.plan
    with open_replica(sys.argv[1]) as rep:
        reports = list_reports(rep, office=window.identity.office)
        hidden = read_hidden(rep, plan, reports)
        locks = read_locked_periods(rep)
    view._reports_loaded((view.period, plan, [r for r in reports if r.period == view.period],
                          hidden))
    window._show_locks(locks)

_after = MainWindow._after_first_paint
MainWindow._after_first_paint = first_paint_done
_show = MainWindow.show

def show(window):
    _show(window)
    if not getattr(show, "done", False):
        show.done = True
        shown(window)

MainWindow.show = show
shell = start(db=sys.argv[1], lang="en", prefs=QSettings(sys.argv[2], QSettings.Format.IniFormat))
shell.app.exec()
"""


@pytest.mark.parametrize("who", ["hq", "office"])
def test_answers_before_the_first_paint_build_nothing_it_does_not_show(demo_world, tmp_path,
                                                                       who):
    """The window's first answers (the period's reports, coloured by status; the
    locks) come before its first paint when the worker is quick, as at most starts on
    a database with reports. Then too nothing the first screen does not show is built
    or imported: Qt's namespace, the tables' models (ui.models, ~0.1 s of enums), the
    sync core with its signatures (fieldplan.sync, cryptography: the locks' read
    imported it for a restored headquarters' lost locks), the table files' readers
    (fieldplan.tabular, for the reports the plan hides: there are none) or difflib (a
    plan's misspelt field). The empty database of the test above has no reports:
    the cold start on a real one went from 2x a bare window to 3x unseen."""
    import os
    import shutil
    import subprocess
    import sys

    source = (demo_world / "hq.sqlite3" if who == "hq"
              else sorted((demo_world / "offices").glob("*.sqlite3"))[0])
    db = tmp_path / "db.sqlite3"
    for suffix in ("", ".key"):
        shutil.copy(str(source) + suffix, str(db) + suffix)
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _ANSWERED_BEFORE_THE_PAINT, str(db), str(tmp_path / "s.ini")],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    coloured, built = proc.stdout.strip().splitlines()[-2:]
    assert coloured != "coloured: []"  # (the reports were shown, in their colours)
    assert built == "built for the first paint: []"
