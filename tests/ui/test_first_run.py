"""The first-run dialog: the setup bundle is looked for in Downloads, and the person
chooses the language on it (saved as the window's Language menu saves it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from fieldplan.i18n import translation
from tests.ui.conftest import wait_idle

RTL, LTR = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight


def user_dirs(tmp_path: Path, monkeypatch, **dirs: Path) -> None:
    """The XDG user folders (``DOWNLOAD=…``, ``DOCUMENTS=…``) of a home in tmp_path,
    as xdg-user-dirs writes them."""
    import os

    home = tmp_path / "user"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    config = Path(os.environ["XDG_CONFIG_HOME"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "user-dirs.dirs").write_text(
        "".join(f'XDG_{name}_DIR="{folder}"\n' for name, folder in dirs.items()))


def chooser(qtbot, tmp_path) -> tuple[QDialog, QFileDialog]:
    """The first-run dialog, and the file chooser its setup button opened."""
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    files = dialog.findChild(QFileDialog, "choose-setup-dialog")
    assert files is not None and files.isVisible()
    return dialog, files


def test_the_setup_bundle_is_looked_for_in_downloads(qtbot, tmp_path, monkeypatch):
    """A setup bundle comes by email: it lands in Downloads, not in the folder
    fieldplan was started from."""
    downloads, documents = tmp_path / "Téléchargements", tmp_path / "Documents"
    downloads.mkdir()
    documents.mkdir()
    user_dirs(tmp_path, monkeypatch, DOWNLOAD=downloads, DOCUMENTS=documents)
    _first_run, files = chooser(qtbot, tmp_path)
    assert Path(files.directory().absolutePath()) == downloads
    files.reject()


def test_a_setup_bundle_named_zip_is_shown(qtbot, tmp_path, monkeypatch):
    """`office enroll -o ML.zip` (a bundle is a ZIP archive, a mail server may refuse
    the .fieldplan ending): the chooser showed .fieldplan files only, as the import's
    chooser does not."""
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    user_dirs(tmp_path, monkeypatch, DOWNLOAD=downloads, DOCUMENTS=downloads)
    _first_run, files = chooser(qtbot, tmp_path)
    assert files.nameFilters() == ["fieldplan bundles (*.fieldplan *.zip *.fieldplan.*)",
                                   "All files (*)"]
    files.reject()


def test_without_downloads_the_setup_bundle_is_looked_for_in_documents(
        qtbot, tmp_path, monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    user_dirs(tmp_path, monkeypatch, DOWNLOAD=tmp_path / "gone", DOCUMENTS=documents)
    _first_run, files = chooser(qtbot, tmp_path)
    assert Path(files.directory().absolutePath()) == documents
    files.reject()


@pytest.mark.parametrize(("lang", "direction"), [("ar", RTL), ("fr", LTR)])
def test_the_language_chosen_on_the_first_run_dialog_is_used_and_kept(
        shell, qtbot, tmp_path, settings, language, lang, direction):
    """An Arabic- or French-speaking person on an English laptop: chosen with the
    keyboard on the first screen, the language is used at once (texts, direction), and
    kept: the window opens in it, and so does the next start."""
    from ui.app import choose_language

    db = tmp_path / "new.sqlite3"
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.language.accessibleName() == "Language"
    assert dialog.language.currentText() == "English"
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # &Language
    assert dialog.language.hasFocus()
    for _step in range(("en", "fr", "ar").index(lang)):  # each step is a choice, made
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    tr = translation(lang).gettext
    assert dialog.windowTitle() == tr("Welcome to fieldplan") != "Welcome to fieldplan"
    assert dialog.hq_button.text() == tr("Create &headquarters")
    assert dialog.language.accessibleName() == tr("&Language").replace("&", "")
    assert dialog.layoutDirection() == direction
    assert dialog.hq_button.layoutDirection() == direction
    assert dialog.language.currentData() == lang and dialog.language.hasFocus()
    assert dialog.hq_button.isVisible() and dialog.language.isVisible()
    assert settings.value("language") == lang
    assert choose_language(QSettings(settings.fileName(), QSettings.Format.IniFormat),
                           None) == lang
    # the dialog closes before the window is up: Qt must not end the client then
    quits = []
    dialog.accepted.connect(lambda: quits.append(QApplication.instance()
                                                 .quitOnLastWindowClosed()))
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    assert quits == [False] and QApplication.instance().quitOnLastWindowClosed()
    window = shell.window
    wait_idle(qtbot, shell.session)
    assert window.layoutDirection() == direction
    assert window.menuBar().actions()[-1].text() == tr("&Help")


def test_the_error_shown_is_said_again_in_the_language_chosen(qtbot, tmp_path, language):
    """Creating headquarters failed (a key file left without its database): choosing
    another language on the dialog says the error again in it, not nothing."""
    from fieldplan import minisign
    from fieldplan.replica import key_path
    from ui.app import apply_language
    from ui.first_run import FirstRunDialog

    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    minisign.save_secret_key(key_path(db), minisign.generate_key(), replica="gone")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key file" in dialog.message.text(), timeout=10_000)
    english = dialog.message.text()
    apply_language(QApplication.instance(), "fr")
    dialog.retranslate()
    said = dialog.message.text()
    assert said and said != english
    assert said.startswith("Le fichier de clé ")  # (the whole of fr's translation)
    assert dialog.message.isVisible() and dialog.hq_button.isEnabled()
    dialog.grab().save(str(tmp_path / "first-run-error-fr.png"))


def test_a_core_error_is_said_again_in_the_language_chosen(qtbot, tmp_path, language):
    """The core's own message (a setup file that is no bundle) stayed in the language
    it was made in when the person chose another one."""
    from ui.app import apply_language
    from ui.first_run import FirstRunDialog

    setup = tmp_path / "ml.fieldplan"
    setup.write_text("not a bundle")
    dialog = FirstRunDialog(tmp_path / "fieldplan.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.setup_from(str(setup))
    qtbot.waitUntil(lambda: dialog.hq_button.isEnabled() and bool(dialog.message.text()),
                    timeout=10_000)
    assert dialog.message.text() == "Not a fieldplan bundle (not a ZIP archive)"
    apply_language(QApplication.instance(), "fr")
    dialog.retranslate()
    fr = translation("fr").gettext
    said = fr("not a fieldplan bundle (not a ZIP archive)")
    assert said != "not a fieldplan bundle (not a ZIP archive)"
    assert dialog.message.text() == said[0].upper() + said[1:]
    dialog.grab().save(str(tmp_path / "first-run-core-error-fr.png"))


def test_an_email_chosen_to_set_up_from_says_to_set_up_from_its_attachment(
        qtbot, tmp_path, language, hq):
    """An email saved as a file, chosen in the setup bundle's place, ended "then import
    that file": the first screen imports nothing. Said again in the language chosen."""
    from fieldplan.sync import enroll_office
    from tests.core.test_bundle_transit import _email
    from ui.app import apply_language
    from ui.first_run import FirstRunDialog

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    dialog = FirstRunDialog(tmp_path / "fieldplan.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.setup_from(str(mail))
    qtbot.waitUntil(lambda: dialog.hq_button.isEnabled() and bool(dialog.message.text()),
                    timeout=10_000)
    assert dialog.message.text() == (
        "Not a fieldplan bundle (an email message saved as a file); open it in the mail "
        "program and save its attachment ML-setup.fieldplan, then set this computer up "
        "from that file")
    dialog.grab().save(str(tmp_path / "first-run-email-en.png"))
    apply_language(QApplication.instance(), "fr")
    dialog.retranslate()
    fr = translation("fr").gettext
    assert fr("not a fieldplan bundle (an email message saved as a file)") in \
        dialog.message.text()[0].lower() + dialog.message.text()[1:]
    dialog.grab().save(str(tmp_path / "first-run-email-fr.png"))


def test_a_folders_own_file_chosen_to_set_up_from_says_there_is_nothing_to_set_up_from(
        qtbot, tmp_path, language):
    """Windows' Thumbs.db (or macOS's .DS_Store), chosen in the setup bundle's place,
    ended ": nothing to import": the first screen imports nothing. Said again in the
    language chosen."""
    from ui.app import apply_language
    from ui.bidi import without_marks
    from ui.first_run import FirstRunDialog

    thumbs = tmp_path / "Thumbs.db"
    thumbs.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(500))
    dialog = FirstRunDialog(tmp_path / "fieldplan.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.setup_from(str(thumbs))
    qtbot.waitUntil(lambda: dialog.hq_button.isEnabled() and bool(dialog.message.text()),
                    timeout=10_000)
    assert dialog.message.text() == (
        "Not a fieldplan bundle (a file of Windows' own that keeps a folder's thumbnails): "
        "nothing to set this computer up from")
    apply_language(QApplication.instance(), "ar")
    dialog.retranslate()
    ar = translation("ar").gettext
    said = ar("{what}: nothing to set this computer up from").format(
        what=ar("not a fieldplan bundle (a file of Windows' own that keeps a folder's "
                "thumbnails)"))
    # (the Latin words isolated in the Arabic text: ui.bidi's marks)
    assert without_marks(dialog.message.text()) == said[0].upper() + said[1:]


def test_an_office_set_up_from_a_bundle_is_shown_headquarters_fingerprint(
        shell, qtbot, tmp_path):
    """The first window after the setup says which headquarters key the office now
    trusts, to check with them: a note beside the window, which goes on working (a
    setup bundle of another headquarters would show another fingerprint)."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, show_key

    (tmp_path / "hq").mkdir()
    with init_hq(tmp_path / "hq" / "hq.sqlite3") as hq:
        setup = tmp_path / "BN-setup.fieldplan"
        enroll_office(hq, "BN", setup)
        fingerprint = show_key(hq).split("  ")[1]
    shell.start(tmp_path / "bn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.setup_from(str(setup))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    window = shell.window
    qtbot.waitUntil(lambda: window.findChild(QDialog, "own-key-dialog") is not None,
                    timeout=5000)
    wait_idle(qtbot, shell.session)
    note = window.findChild(QDialog, "own-key-dialog")
    assert note.isVisible() and not note.isModal()
    assert note.windowModality() == Qt.WindowModality.NonModal
    assert note.set_up_note is not None and "setup bundle" in note.set_up_note.text()
    assert note.hq_fingerprint.text() == fingerprint
    assert "Check this fingerprint with headquarters" in note.hq_note.text()
    assert window.isEnabled()
    note.grab().save(str(tmp_path / "first-run-hq-key-en.png"))
    note.close()


def test_headquarters_created_on_the_first_run_is_shown_no_such_note(shell, qtbot, tmp_path):
    shell.start(tmp_path / "hq.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    qtbot.mouseClick(shell.dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert shell.window.findChild(QDialog, "own-key-dialog") is None


def test_a_set_up_undone_leaves_no_notice_to_the_next_one(shell, qtbot, tmp_path):
    """What a set-up undone (cancelled) had noted was kept by the dialog, and the
    headquarters made next would have shown it (an office's clock note)."""
    from ui.dialogs import MessageDialog

    shell.start(tmp_path / "hq.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.notices = ["this computer's clock seems to be behind"]  # (undone)
    shell.dialog.create_hq()
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert all("clock" not in box.text.text()
               for box in shell.window.findChildren(MessageDialog, "error-box"))


def test_a_computer_whose_date_went_back_is_told_when_set_up(shell, qtbot, tmp_path,
                                                             monkeypatch):
    """The set-up from a bundle headquarters wrote after what this computer's clock
    says (a flat BIOS battery: 1 Jan 2000) noted it, and the first run dropped the
    note with the database it had made: the office heard of its clock only at its
    first import of a headquarters bundle. The window says it once it is up."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office
    from tests.scenes import clock_gone_back
    from tests.ui.conftest import error_box

    (tmp_path / "hq").mkdir()
    with init_hq(tmp_path / "hq" / "hq.sqlite3") as hq:
        setup = tmp_path / "BN-setup.fieldplan"
        enroll_office(hq, "BN", setup)
    clock_gone_back(monkeypatch)
    shell.start(tmp_path / "bn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.setup_from(str(setup))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    box = error_box(qtbot, shell.window)
    assert "this computer's clock seems to be behind (it says 1 Jan 2000" in box.text.text()
    box.close()


@pytest.fixture
def setup_bundle(tmp_path) -> Path:
    """A setup bundle of office BN, from a headquarters of its own."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    (tmp_path / "hq").mkdir()
    with init_hq(tmp_path / "hq" / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", tmp_path / "BN-setup.fieldplan")
    return tmp_path / "BN-setup.fieldplan"


@pytest.mark.parametrize(("way", "how"), [("setup", "escape"), ("setup", "cancel"),
                                          ("setup", "close"), ("hq", "escape")])
def test_stopping_while_the_database_is_made_waits_then_removes_it(
        qtbot, tmp_path, setup_bundle, way, how):
    """Cancel, Escape or the window's close button while the database is being made:
    the dialog says it is stopping and closes (fieldplan ends) once the job has, the
    database it made removed with its key file. It closed at once, and the process
    aborted with the job's thread running, leaving a database half made."""
    from ui.first_run import FirstRunDialog

    folder = tmp_path / "new"
    folder.mkdir()
    dialog = FirstRunDialog(folder / "bn.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    opened, rejected = [], []
    dialog.database_did_open.connect(opened.append)
    dialog.rejected.connect(lambda: rejected.append(True))
    if way == "setup":
        dialog.setup_from(str(setup_bundle))
    else:
        qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    if how == "escape":
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    elif how == "cancel":
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    else:
        dialog.close()
    # up until the job has ended, saying so, with nothing left to press
    assert dialog.isVisible() and not rejected
    assert not dialog.cancel_button.isEnabled() and not dialog.hq_button.isEnabled()
    assert dialog.message.text() == ("Stopping: the new database is removed once it is "
                                     "made, then fieldplan closes…")
    if way == "setup" and how == "escape":
        dialog.grab().save(str(tmp_path / "first-run-stopping-en.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # (again: nothing more)
    qtbot.waitUntil(lambda: bool(rejected), timeout=10_000)
    assert rejected == [True] and not opened and not dialog.isVisible()
    assert list(folder.iterdir()) == []


def test_the_client_ending_while_the_database_is_made_waits_for_it(
        shell, qtbot, tmp_path, setup_bundle):
    """The client ends otherwise (its session ends) while the first run makes the
    database: it waits for the job, whose thread would otherwise abort the process,
    and the database is whole."""
    from fieldplan.replica import open_replica

    path = tmp_path / "bn.sqlite3"
    shell.start(path)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    dialog.setup_from(str(setup_bundle))
    shell.shutdown()
    assert not dialog._job.worker.isRunning()
    dialog.database_did_open.disconnect()  # (the client has ended: nothing opens it)
    with open_replica(path) as rep:
        assert rep.office == "BN"
    qtbot.waitUntil(lambda: dialog._job is None, timeout=10_000)


@pytest.mark.parametrize("point", ["key-written", "key-placed"])
def test_the_first_run_after_a_killed_setup_makes_the_database(
        shell, qtbot, tmp_path, setup_bundle, point):
    """The computer lost power while ``init --from`` made the database: the client
    starts on its first run (not on the cannot-open dialog, with Close alone), and the
    setup bundle makes the database."""
    from fieldplan.replica import open_replica
    from tests.core.test_init_killed import kill_init

    path = tmp_path / "bn.sqlite3"
    kill_init(point, "--db", str(path), "init", "--from", str(setup_bundle))
    shell.start(path)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.dialog.objectName() == "first-run"
    shell.dialog.setup_from(str(setup_bundle))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    with open_replica(path) as rep:
        assert rep.office == "BN"


@pytest.mark.parametrize("with_key", [True, False])
def test_what_an_older_releases_killed_init_left_goes_and_the_first_run_shows(
        shell, qtbot, tmp_path, with_key):
    """An init of an older fieldplan, killed, left a database holding only the
    identity it was making (``INIT_PENDING``) at the database's own name: the client
    clears it as the command line's ``init`` does, then starts on its first run (it
    showed the cannot-open dialog, with Close alone)."""
    from fieldplan.replica import key_path, open_replica
    from tests.core.test_faults import left_by_a_killed_init

    path = tmp_path / "hq.sqlite3"
    left_by_a_killed_init(path, with_key=with_key)
    shell.start(path)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.dialog.objectName() == "first-run"
    assert not path.exists() and not key_path(path).exists()
    qtbot.mouseClick(shell.dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    with open_replica(path) as rep:
        assert rep.is_hq


@pytest.mark.parametrize(("variable", "saved", "explicit", "expected"), [
    ("FR", None, None, "fr"),  # as the command line reads it: in any case
    ("ar_EG.UTF-8", None, None, "ar"),
    ("fr", "ar", None, "ar"),  # the person's choice in Settings ▸ Language first
    ("fr", "ar", "en", "en"),  # --lang for one start before both
    ("de", None, None, "en"),  # one it does not know: the system's (the CLI warns)
])
def test_the_client_speaks_fieldplan_lang_when_no_language_is_chosen(
        settings, monkeypatch, variable, saved, explicit, expected):
    """`fieldplan gui` read FIELDPLAN_LANG for its own messages only: the client started
    in the system's language, where every other command spoke the variable's."""
    from ui.app import choose_language

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("FIELDPLAN_LANG", variable)
    if saved:
        settings.setValue("language", saved)
    assert choose_language(settings, explicit) == expected


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_first_run_opens_with_the_focus_on_the_first_way_in(shell, qtbot, tmp_path,
                                                               language, lang):
    """No database and no backup: the dialog opened with the focus on the database's
    path, the first stop of Tab, which no one acts on. It is on the first way in (the
    language comes after the ways in for Tab, and has its key, Alt+L); Tab goes on to
    the next way, and the path is still reached with Shift+Tab."""
    from ui.app import apply_language

    apply_language(QApplication.instance(), lang)
    shell.start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert dialog.restore_button is None and not dialog.checking()
    assert dialog.focusWidget() is dialog.setup_button and dialog.setup_button.hasFocus()
    qtbot.keyClick(dialog.setup_button, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.hq_button
    qtbot.keyClick(dialog.hq_button, Qt.Key.Key_Backtab)
    qtbot.keyClick(dialog.setup_button, Qt.Key.Key_Backtab)
    assert dialog.focusWidget() is dialog.path_label


def test_the_first_run_shows_no_empty_line_above_cancel(qtbot, tmp_path):
    """The line under the ways in (what a job is doing, why it failed) stayed on screen
    empty, a band of a line's height above Cancel: hidden while it says nothing, shown
    with what it says, and hidden again once it says nothing."""
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.message.isVisible()
    gap = dialog.cancel_button.mapTo(dialog, dialog.cancel_button.rect().topLeft()).y() - (
        dialog.demo_button.geometry().bottom())
    assert gap < dialog.message.fontMetrics().height()
    dialog._busy(True, lambda: "Preparing the database…")
    assert dialog.message.isVisible() and dialog.focusWidget() is dialog.message
    dialog._busy(False)
    assert not dialog.message.isVisible()
    dialog.retranslate()
    assert not dialog.message.isVisible()


def test_headquarters_fingerprint_stays_shown_through_a_change_of_language(
        shell, qtbot, tmp_path):
    """The note beside the first window (headquarters' fingerprint, to check with them
    before any work) went with the window a change of language replaced: the person
    who chose their language then was never shown it again. It is shown over the new
    window, in the new language."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, show_key
    from ui.app import apply_language

    (tmp_path / "hq").mkdir()
    with init_hq(tmp_path / "hq" / "hq.sqlite3") as hq:
        setup = tmp_path / "BN-setup.fieldplan"
        enroll_office(hq, "BN", setup)
        fingerprint = show_key(hq).split("  ")[1]
    shell.start(tmp_path / "bn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.setup_from(str(setup))
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    old = shell.window
    qtbot.waitUntil(lambda: old.findChild(QDialog, "own-key-dialog") is not None,
                    timeout=5000)
    wait_idle(qtbot, shell.session)
    try:
        shell.change_language("ar")
        window = shell.window
        assert window is not old
        qtbot.waitUntil(lambda: window.findChild(QDialog, "own-key-dialog") is not None,
                        timeout=5000)
        wait_idle(qtbot, shell.session)
        note = window.findChild(QDialog, "own-key-dialog")
        assert note.isVisible() and note.windowModality() == Qt.WindowModality.NonModal
        assert note.set_up_note is not None
        assert note.hq_fingerprint.text() == fingerprint
        assert note.layoutDirection() == Qt.LayoutDirection.RightToLeft
        note.grab().save(str(tmp_path / "first-run-hq-key-ar.png"))
        # closed, it is not shown again at the next change
        note.close()
        shell.change_language("en")
        wait_idle(qtbot, shell.session)
        qtbot.wait(50)
        assert shell.window.findChild(QDialog, "own-key-dialog") is None
    finally:
        apply_language(QApplication.instance(), "en")


def _pressed_anything(dialog) -> bool:
    """Whether a way in started (a database being made) or a file chooser opened."""
    return dialog._is_busy or dialog._job is not None or dialog.findChild(
        QFileDialog, "choose-setup-dialog") is not None


@pytest.mark.parametrize("where", ["language", "language chosen", "error"])
def test_enter_off_the_ways_in_starts_none_of_them(shell, qtbot, tmp_path, where):
    """Enter pressed where no way in has the focus (the language just chosen, the line
    saying why the setup bundle chosen was refused, read and to be gone on from)
    pressed 'Create headquarters', which Qt had made the dialog's default: an office's
    laptop became a headquarters database. Enter there starts nothing; on a way in,
    it presses that one."""
    from ui.app import apply_language
    shell.start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    if where.startswith("language"):
        qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
        if where == "language chosen":
            qtbot.keyClick(dialog.language, Qt.Key.Key_Down)  # French
        qtbot.waitUntil(lambda: dialog.language.hasFocus(), timeout=5000)
    else:
        bad = tmp_path / "notes.txt"
        bad.write_text("not a bundle")
        dialog.setup_from(str(bad))
        qtbot.waitUntil(lambda: dialog.hq_button.isEnabled() and dialog.message.isVisible(),
                        timeout=10_000)
        qtbot.waitUntil(lambda: dialog.message.hasFocus(), timeout=5000)
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    qtbot.keyClick(focus, Qt.Key.Key_Enter)
    assert not _pressed_anything(dialog)
    assert not (tmp_path / "new.sqlite3").exists()
    assert dialog.isVisible()
    apply_language(QApplication.instance(), "en")
    # on a way in, Enter presses it
    dialog.hq_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.hq_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
