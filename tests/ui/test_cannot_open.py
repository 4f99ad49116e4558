"""The database would not open, or is gone: the dialogs say why in every language
(a path inside an Arabic sentence keeps the sentence right to left), and a restore
button names the backup a restore would use."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QLabel

from tests.ui.conftest import backups_checked
from ui.bidi import text_direction
from ui.qtcompat import Qt

RTL = Qt.LayoutDirection.RightToLeft


def damage(db: Path) -> None:
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)


def reason_text(dialog) -> str:
    """The dialog's first words: why the database did not open."""
    return dialog.findChildren(QLabel)[0].text()


def shown_dialog(shell, qtbot):
    """The shell's dialog, shown, its backups checked (the restore offered, or not)."""
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    return backups_checked(qtbot, shell.dialog)


def first_run_of_a_lost_database(qtbot, db: Path):
    """The first-run dialog, shown, of ``db`` gone missing after a backup of it."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import FirstRunDialog

    with open_replica(db) as rep:
        store.backup(rep.conn, db, "test")
    lose(db, "missing")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_why_a_database_cannot_open_names_it_once_and_reads_in_order(
        shell, qtbot, hq_db, language, lang):
    """The reason started with the database's path: in Arabic its Latin letters made
    the line left to right, the words out of order; and the path was said twice,
    before the reason and in it."""
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    language(lang)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    text = reason_text(dialog)
    if lang == "ar":
        for line in text.split("\n"):
            assert text_direction(line) == RTL, line
        assert "\u2066" + str(hq_db) + "\u2069" in text  # the path kept whole
    else:
        assert text.startswith(f"{hq_db} is not a usable fieldplan database")
    assert text.count(str(hq_db)) == 1
    dialog.grab().save(str(hq_db.parent / f"cannot-open-{lang}.png"))


def test_a_reason_without_the_path_is_said_after_it(qtbot, tmp_path):
    from ui.first_run import CannotOpenDialog

    db = tmp_path / "x.sqlite3"
    dialog = CannotOpenDialog(db, "the database is busy (another fieldplan is writing)", [])
    qtbot.addWidget(dialog)
    assert reason_text(dialog) == (f"fieldplan could not open {db}:\n"
                                  "the database is busy (another fieldplan is writing)")


# --- which backup a restore button names ------------------------------------------------

#: 2 January 2026, 03:00 UTC: the time of the one backup a restore can use
GOOD_TIME = 1767322800


def another_computers_backup(db: Path, tmp_path: Path) -> Path:
    """A backup of another headquarters' database, copied into ``db``'s backups folder
    under ``db``'s name, newer than ``db``'s own: a restore passes it over."""
    from fieldplan import store
    from fieldplan.replica import init_hq

    other = tmp_path / "other" / db.name
    other.parent.mkdir()
    with init_hq(other) as rep:
        made = store.backup(rep.conn, other, "manual")
    stranger = store.backup_dir(db) / made.name
    made.rename(stranger)
    return stranger


def backups_for(db: Path, tmp_path: Path, *, usable: bool) -> tuple[Path | None, Path]:
    """``db``'s own backup (dated GOOD_TIME; removed unless ``usable``) and another
    computer's newer one: (own backup or None, the other's)."""
    import datetime as dt
    import os

    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:
        own = store.backup(rep.conn, db, "manual")
    # taken at GOOD_TIME: the time is in the name (and the file's time agrees)
    stamp = dt.datetime.fromtimestamp(GOOD_TIME, dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    own = own.rename(own.with_name(f"{db.stem}-{stamp}-manual.sqlite3"))
    os.utime(own, (GOOD_TIME, GOOD_TIME))
    stranger = another_computers_backup(db, tmp_path)
    assert store.list_backups(db)[0] == stranger
    if not usable:
        own.unlink()
        own = None
    return own, stranger


def lose(db: Path, how: str) -> None:
    if how == "damaged":
        damage(db)
    else:
        for side in ("", "-wal", "-shm"):
            Path(str(db) + side).unlink(missing_ok=True)


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_the_restore_button_names_the_backup_a_restore_puts_back(shell, qtbot, hq_db,
                                                                 tmp_path, how):
    """The newest file of the backups folder is another computer's: a restore passes it
    over for this computer's own backup, and the button said the other's time."""
    from ui.first_run import _backup_time

    own, stranger = backups_for(hq_db, tmp_path, usable=True)
    lose(hq_db, how)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == ("cannot-open" if how == "damaged" else "first-run")
    button = dialog.restore_button
    assert button.isEnabled()
    assert _backup_time(own) in button.text()
    assert _backup_time(stranger) not in button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    assert stranger.exists()  # passed over, not put in place of the database
    from tests.ui.conftest import wait_idle

    wait_idle(qtbot, shell.session)


def no_usable_backup_words(shell, qtbot, hq_db, how: str, why: str) -> str:
    """The cannot-open dialog's text when no backup is usable, its restore button
    disabled (damaged) or absent (missing) and ``why`` given as the reason."""
    dialog = shown_dialog(shell, qtbot)
    words = "\n".join(label.text() for label in dialog.findChildren(QLabel))
    if how == "damaged":
        assert not dialog.restore_button.isEnabled()
        assert "(" not in dialog.restore_button.text()  # no time of a backup it cannot use
        assert f"No backup of this database can be restored: {why}" in words
    else:
        assert dialog.restore_button is None
        assert "None of the files in its backups folder can be restored: " + why in words
    dialog.close()
    shell.dialog = None
    return words


def arabic_dialog(shell, qtbot, hq_db, language):
    """The same dialog, in Arabic, and its text."""
    language("ar")
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    return dialog, "\n".join(label.text() for label in dialog.findChildren(QLabel))


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_no_restore_is_offered_when_no_backup_can_be_restored(shell, qtbot, hq_db, tmp_path,
                                                              how, language):
    """Only another computer's backup is there: no restore button to press (it would
    fail), and the dialog says why."""
    from ui.bidi import isolated

    _own, stranger = backups_for(hq_db, tmp_path, usable=False)
    lose(hq_db, how)
    shell.start(hq_db)
    no_usable_backup_words(shell, qtbot, hq_db, how,
                           f"{stranger} is a backup of another computer")
    # in Arabic the backup's path is kept whole inside the reason
    dialog, words = arabic_dialog(shell, qtbot, hq_db, language)
    assert isolated(str(stranger)) in words and isolated(str(stranger)) != str(stranger)
    dialog.grab().save(str(tmp_path / f"none-usable-{how}-ar.png"))


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_every_file_that_cannot_be_restored_is_named_with_its_fault(
        shell, qtbot, hq_db, tmp_path, how, language):
    """Several files in the backups folder and none usable: the dialog said only the
    newest one's fault, as if the others were not there."""
    from fieldplan import store
    from ui.bidi import isolated

    _own, stranger = backups_for(hq_db, tmp_path, usable=False)
    # a status sheet saved over an older backup
    sheet = store.backup_dir(hq_db) / f"{hq_db.stem}-20250101T000000000000Z-manual.sqlite3"
    sheet.write_bytes(b"%PDF-1.4 a status sheet")
    lose(hq_db, how)
    shell.start(hq_db)
    faults = (f"{stranger.name} is another computer's backup (key ",
              f"; {sheet.name} is not a database file")
    words = no_usable_backup_words(shell, qtbot, hq_db, how, faults[0])
    for fault in faults:
        assert fault in words
    # in Arabic each file's name is kept whole inside the sentence
    _dialog, words = arabic_dialog(shell, qtbot, hq_db, language)
    assert isolated(stranger.name) in words and isolated(sheet.name) in words


@pytest.mark.parametrize("backups", [False, True])
def test_first_run_shows_the_database_path_whole_on_a_line_of_its_own(
        qtbot, hq_db, tmp_path, language, backups):
    """In an Arabic sentence the path broke across lines, its parts out of order: it
    has a line of its own, kept whole and left to right, on the layout's side."""
    from fieldplan import store
    from tests.ui.conftest import path_shown_whole
    from ui.bidi import RLM, isolated
    from ui.first_run import FirstRunDialog

    db = tmp_path / "home" / "amina.diallo" / ".local" / "share" / "fieldplan" / "f.sqlite3"
    if backups:  # the database went, its backups stayed
        db = hq_db
        from fieldplan.replica import open_replica

        with open_replica(db) as rep:
            store.backup(rep.conn, db, "test")
        lose(db, "missing")
    language("ar")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    path = str(db)
    # while the backups are checked (on a thread of their own), and once they are
    for state in ("checking", "checked"):
        if state == "checked":
            backups_checked(qtbot, dialog)
        label = dialog.path_label
        assert label.text() == RLM + isolated(path) and isolated(path) != path
        assert path_shown_whole(label)
        for part in (dialog.intro, dialog.after_path):  # the sentence around it, not it
            assert part.isVisible() and part.text() and path not in part.text()
        dialog.grab().save(str(tmp_path / f"first-run-ar-{backups}-{state}.png"))


@pytest.mark.parametrize("kind", ["first-run", "cannot-open"])
def test_the_dialogs_are_no_taller_in_arabic_than_their_text(qtbot, hq_db, tmp_path,
                                                               language, kind):
    """In Arabic the first run (the database missing, a backup beside it) was 551
    pixels high against 359 in English, the cannot-open dialog 451 against 196: blank
    bands between the lines, as the wrapped labels' least heights were those of their
    text a word a line. They are as high as their content at their width, as in
    English."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import CannotOpenDialog, FirstRunDialog

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing" if kind == "first-run" else "damaged")
    heights = {}
    for lang in ("en", "ar"):
        language(lang)
        if kind == "first-run":
            dialog = FirstRunDialog(hq_db)
        else:
            dialog = CannotOpenDialog(hq_db, f"{hq_db} is not a usable fieldplan database",
                                      store.list_backups(hq_db))
        qtbot.addWidget(dialog)
        dialog.show()
        backups_checked(qtbot, dialog)
        lay = dialog.layout()
        qtbot.waitUntil(lambda d=dialog, lay=lay: d.height() >= lay.totalHeightForWidth(d.width()))
        dialog.grab().save(str(tmp_path / f"{kind}-{lang}.png"))
        # no taller than its content at its width, and than its least height asks
        content = max(lay.totalHeightForWidth(dialog.width()), lay.totalMinimumSize().height())
        assert dialog.height() == content, lang
        assert lay.totalMinimumSize().height() <= lay.totalHeightForWidth(dialog.width())
        heights[lang] = dialog.height()
        line = dialog.fontMetrics().lineSpacing()
        dialog.close()
    assert heights["ar"] <= heights["en"] + 2 * line, heights


def test_the_restore_button_says_when_the_backup_was_taken(tmp_path):
    """Not when its file was last written: a folder copied to a new laptop gets new
    file times, and the status says the time in the name after the restore."""
    import datetime as dt
    import os

    from ui.context import time_text
    from ui.first_run import _backup_time

    backup = tmp_path / "hq-20260115T083000123456Z-before-import.sqlite3"
    backup.write_bytes(b"")
    os.utime(backup, (1_800_000_000, 1_800_000_000))  # copied much later
    assert _backup_time(backup) == time_text(dt.datetime(2026, 1, 15, 8, 30, 0, 123456,
                                                         tzinfo=dt.UTC))


# --- damage found while the window is open, and an emptied file -------------------------


def backed_up_then_damaged(db: Path, table: str) -> Path:
    """``db`` with one backup, then a bad sector over ``table`` (the file still opens);
    returns the backup."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.cli.test_cli_faults import damage_pages_of

    with open_replica(db) as rep:
        taken = store.backup(rep.conn, db, "manual")
    damage_pages_of(db, table)
    return taken


def test_damage_found_while_open_is_said_with_the_restore(shell, qtbot, hq_db):
    """A bad page in the events table: the window opened and said only "Sync: unknown"
    in its status bar, with no word of the damage nor of the restore."""
    from tests.ui.conftest import wait_idle

    backed_up_then_damaged(hq_db, "events")
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.damaged_window is not None, timeout=10_000)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    text = reason_text(dialog)
    assert text == f"{hq_db} is not a usable fieldplan database: the file is damaged"
    assert not shell.damaged_window.isEnabled()  # still readable behind the dialog
    assert dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    assert shell.damaged_window is None
    wait_idle(qtbot, shell.session)
    assert shell.window.sync_label.text() != "Sync: unknown"


def test_damage_read_as_text_that_is_not_utf8_offers_the_restore(shell, qtbot, office_db):
    """A bad sector across the plan's text: Python's "Could not decode to UTF-8"
    (with no SQLite code) was shown as "Unexpected error: OperationalError: …", a line
    of garbage, with only Close, though a usable backup was there."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.cli.test_cli_faults import damage_plan_text_of

    with open_replica(office_db) as rep:
        store.backup(rep.conn, office_db, "manual")
    damage_plan_text_of(office_db)
    before = office_db.read_bytes()
    shell.start(office_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert reason_text(dialog) == (f"{office_db} is not a usable fieldplan database: the "
                                   "file is damaged")
    assert dialog.restore_button.isEnabled()
    assert office_db.read_bytes() == before
    dialog.grab().save(str(office_db.parent / "cannot-open-undecodable.png"))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)


def test_an_import_into_a_damaged_database_is_refused_with_the_restore(
        shell, qtbot, hq_db, tmp_path):
    """The client merged into a damaged database, and its backup copied the damage."""
    import sqlite3

    from fieldplan import store
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup
    from tests.ui.conftest import wait_idle

    with open_replica(hq_db) as hq:
        enroll_office(hq, "SN", tmp_path / "setup.fieldplan")
    with init_from_setup(tmp_path / "sn.sqlite3", tmp_path / "setup.fieldplan") as sn:
        bundle = export_bundle(sn, out_dir=tmp_path).path
    backed_up_then_damaged(hq_db, "acks")  # read by no page of the window
    backups = sorted(store.backup_dir(hq_db).glob("hq.sqlite3-*"))

    def events() -> int:
        with sqlite3.connect(hq_db) as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    before = events()
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    shell.window.import_files([str(bundle)])
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open" and dialog.restore_button.isEnabled()
    assert reason_text(dialog).endswith("the file is damaged")
    assert events() == before
    assert sorted(store.backup_dir(hq_db).glob("hq.sqlite3-*")) == backups


def test_an_emptied_database_offers_its_backups(shell, qtbot, hq_db):
    """A database file left empty by a power cut: the client said "There is no backup
    of this database" beside two of them, and greyed out Restore."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import _backup_time

    with open_replica(hq_db) as rep:
        taken = store.backup(rep.conn, hq_db, "manual")
    for side in ("-wal", "-shm"):
        Path(str(hq_db) + side).unlink(missing_ok=True)
    hq_db.write_bytes(b"")
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert reason_text(dialog) == (f"{hq_db} is not a usable fieldplan database: the file "
                                  "is empty")
    assert dialog.restore_button.isEnabled()
    assert _backup_time(taken) in dialog.restore_button.text()
    assert hq_db.read_bytes() == b""  # opening wrote nothing into it
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    from tests.ui.conftest import wait_idle

    wait_idle(qtbot, shell.session)


# --- no backup at all: the core's next step, not a busy database's ----------------------


def damaged_alone(db: Path, folder: Path) -> Path:
    """``db`` and its key file copied alone into ``folder`` (no backups beside them),
    a bad sector over the copy's events."""
    import shutil

    from tests.cli.test_cli_faults import damage_pages_of

    folder.mkdir()
    copy = folder / db.name
    shutil.copy(db, copy)
    shutil.copy(str(db) + ".key", str(copy) + ".key")
    damage_pages_of(copy, "events")
    return copy


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_office_database_damaged_without_backup_says_to_set_up_again(
        shell, qtbot, office_db, tmp_path, language, lang):
    """The dialog said "There is no backup of this database. If another fieldplan is
    running, close it and try again." while the command line said the way back: a new
    setup bundle on a new database file."""
    from fieldplan import store
    from fieldplan.i18n import _

    db = damaged_alone(office_db, tmp_path / "alone")
    assert store.list_backups(db) == []
    said = str(store.damaged_error(db, _("the file is damaged")))  # the command line's
    language(lang)
    shell.start(db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    words = "\n".join(label.text() for label in dialog.findChildren(QLabel)
                      if label.isVisible())
    plain = words.translate(dict.fromkeys(range(0x2066, 0x206A)))  # without the isolates
    assert store._start_again_text() in plain
    if lang == "en":
        assert reason_text(dialog) == said
    else:
        for line in reason_text(dialog).split("\n"):
            assert text_direction(line) == RTL, line
        # the command kept in its order inside the Arabic sentence
        assert "\u2066fieldplan --db NEW.sqlite3 init --from SETUP.fieldplan\u2069" in words
    assert "close it and try again" not in words
    assert not dialog.restore_button.isVisible()  # nothing to restore
    dialog.grab().save(str(tmp_path / f"no-backup-office-{lang}.png"))


def test_a_busy_database_says_to_close_the_other_fieldplan(qtbot, tmp_path):
    from ui.first_run import CannotOpenDialog

    db = tmp_path / "x.sqlite3"
    reason = f"cannot open database {db}: database is locked"
    busy = CannotOpenDialog(db, reason, [], busy=True)
    damaged = CannotOpenDialog(db, f"{db} is not a usable fieldplan database: the file "
                                   "is damaged", [])
    for dialog in (busy, damaged):
        qtbot.addWidget(dialog)
        dialog.show()
    hint = "If another fieldplan is running, close it and try again."
    assert busy.note.isVisible() and busy.note.text() == hint
    assert not damaged.note.isVisible()


def test_a_locked_database_is_told_apart_from_a_damaged_one(tmp_path):
    """What the shell tells the dialog: SQLite's busy error, kept as the cause of the
    core's StoreError, is a busy database; damage is not."""
    import sqlite3

    from fieldplan.errors import StoreError
    from fieldplan.store import damaged_error
    from ui.app import _is_busy

    db = tmp_path / "x.sqlite3"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(db, timeout=0)
    try:
        try:
            other.execute("SELECT * FROM t")
        except sqlite3.OperationalError as exc:
            locked = exc
        try:
            raise StoreError("cannot open database: database is locked") from locked
        except StoreError as exc:
            wrapped = exc
    finally:
        other.close()
        holder.close()
    assert _is_busy(wrapped) and _is_busy(locked)
    assert not _is_busy(damaged_error(db, "the file is damaged"))
    assert not _is_busy(StoreError("cannot open database: the disk is full"))


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_the_restore_offer_passes_over_a_newer_fieldplans_backups(shell, qtbot, hq_db,
                                                                  tmp_path, how, language):
    """After going back to an earlier fieldplan, the newest backups are the newer one's:
    the button offered one, which this fieldplan cannot open once put in place. It
    offers the newest it can open; with none, it says why."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.core.test_upgrade_backups import from_the_future
    from ui.bidi import isolated
    from ui.first_run import _backup_time

    own, _stranger = backups_for(hq_db, tmp_path, usable=True)
    _stranger.unlink()
    with open_replica(hq_db) as rep:
        newer = store.backup(rep.conn, hq_db, "before-import")
    from_the_future(newer)
    lose(hq_db, how)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    button = dialog.restore_button
    assert button.isEnabled() and _backup_time(own) in button.text()
    assert _backup_time(newer) not in button.text()
    dialog.grab().save(str(tmp_path / f"newer-passed-over-{how}.png"))
    dialog.close()
    shell.dialog = None
    from_the_future(own)
    shell.start(hq_db)
    line = (f"every backup in {store.backup_dir(hq_db)} was written by a newer fieldplan, "
            "which this one cannot open; update fieldplan to open the database")
    no_usable_backup_words(shell, qtbot, hq_db, how, line)
    # in Arabic the folder's path is kept whole inside the reason
    dialog, words = arabic_dialog(shell, qtbot, hq_db, language)
    assert isolated(str(store.backup_dir(hq_db))) in words
    dialog.grab().save(str(tmp_path / f"none-usable-newer-{how}-ar.png"))


def test_a_failed_restore_can_be_tried_again(shell, qtbot, hq_db, monkeypatch):
    """The restore failed (the database open in another program: "close it, then
    restore"), and Restore stayed disabled: the dialog had to be closed and fieldplan
    started again. It is offered again, and the second try restores."""
    from fieldplan import store

    backed_up_then_damaged(hq_db, "events")
    real = store.restore_latest_backup
    tries = []

    def held_once(path, *args, **kwargs):
        tries.append(path)
        if len(tries) == 1:
            raise store.StoreError(f"{path} is open in another program")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store, "restore_latest_backup", held_once)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.damaged_window is not None, timeout=10_000)
    dialog = shown_dialog(shell, qtbot)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "another program" in dialog.message.text(), timeout=10_000)
    assert dialog.restore_button.isEnabled()
    assert dialog.message.hasFocus()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    assert len(tries) == 2


def test_a_schema_damaged_into_bytes_that_are_not_utf8_offers_the_restore(shell, qtbot,
                                                                          office_db):
    """Found by fuzzing the database file: SQLite's "malformed database schema"
    message quoted the damaged bytes, Python raised UnicodeDecodeError in its place,
    and the dialog said "Unexpected error: UnicodeDecodeError: 'utf-8' codec can't
    decode byte 0x8e…" with only Close, though a usable backup was there."""
    import sqlite3

    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(office_db) as rep:
        store.backup(rep.conn, office_db, "manual")
    conn = sqlite3.connect(office_db)
    conn.execute("PRAGMA writable_schema = ON")
    with conn:
        conn.execute("UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE "
                     "name = 'progress_period'",
                     (b"CREATE INDEX progress_period ON progress (\x8e)",))
    conn.close()
    shell.start(office_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert reason_text(dialog) == (f"{office_db} is not a usable fieldplan database: the "
                                   "file is damaged")
    assert dialog.restore_button.isEnabled()
    dialog.grab().save(str(office_db.parent / "cannot-open-schema.png"))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)


# --- the backups checked off the GUI thread ----------------------------------------------


def checking_words() -> str:
    """What the first run says after the path while its backups are checked."""
    from fieldplan.i18n import _

    return _("The fieldplan database file is missing:\n{path}\nIts backups are being "
             "checked…").partition("{path}")[2].strip()


@pytest.fixture
def held_check(monkeypatch):
    """``store.usable_backup`` held until ``release()`` when asked off the GUI thread
    (at once on it), each call's thread noted in ``threads``."""
    import threading

    from fieldplan import store

    real = store.usable_backup
    released = threading.Event()
    threads: list[threading.Thread] = []

    def held(path, *args, **kwargs):
        threads.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():
            released.wait(10)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store, "usable_backup", held)
    held.release, held.threads = released.set, threads
    yield held
    released.set()


@pytest.mark.parametrize("how", ["damaged", "missing"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_backups_are_checked_off_the_gui_thread_while_the_dialog_says_so(
        shell, qtbot, hq_db, tmp_path, how, lang, language, held_check):
    """The check of the backup a restore would put back reads its whole file (11 s for
    a headquarters of a million events): on the GUI thread, the dialog froze as it
    opened. It opens at once saying the backups are being checked, with the focus
    there to be read out, then offers the restore, which takes the focus."""
    import threading

    from fieldplan import store
    from fieldplan.i18n import _
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, how)
    language(lang)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    dialog = shell.dialog
    # (the first run's check lists the backups folder first, on that thread too)
    qtbot.waitUntil(lambda: bool(held_check.threads), timeout=10_000)
    assert threading.main_thread() not in held_check.threads
    assert dialog.checking() and dialog.checking_bar.isVisible()
    if how == "damaged":
        assert not dialog.restore_button.isEnabled()
        assert dialog.message.text() == _("Checking the backups…")
        assert dialog.focusWidget() is dialog.message
    else:
        assert dialog.restore_button is None
        assert dialog.after_path.text() == checking_words()
        assert dialog.focusWidget() is dialog.after_path
        assert dialog.setup_button.isEnabled()  # (the demo need not wait)
    dialog.grab().save(str(tmp_path / f"checking-{how}-{lang}.png"))
    held_check.release()
    backups_checked(qtbot, dialog)
    assert len(held_check.threads) == 1
    assert dialog.checking_bar is None or not dialog.checking_bar.isVisible()
    assert dialog.restore_button.isEnabled() and "(" in dialog.restore_button.text()
    assert dialog.focusWidget() is dialog.restore_button
    if how == "damaged":
        assert dialog.message.text() == "" and dialog.note.isVisible()
    else:
        assert dialog.restore_button.isDefault()
    dialog.grab().save(str(tmp_path / f"checked-{how}-{lang}.png"))


def test_a_language_chosen_while_the_backups_are_checked_checks_them_once(
        shell, qtbot, hq_db, language, held_check):
    """The first run's language changed while its backups are checked: said again in
    it, still checking, and the one check's restore offered in it."""
    from fieldplan import store
    from fieldplan.i18n import _
    from fieldplan.replica import open_replica
    from ui.first_run import _backup_time

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    language("fr")
    dialog.retranslate()
    assert dialog.checking() and dialog.restore_button is None
    assert dialog.after_path.text() == checking_words()
    held_check.release()
    backups_checked(qtbot, dialog)
    assert len(held_check.threads) == 1
    [backup] = store.list_backups(hq_db)
    assert dialog.restore_button.text() == _("&Restore the latest backup ({when})").format(
        when=_backup_time(backup))
    assert dialog.restore_button.text().startswith("&Restaurer")


def test_why_no_backup_can_be_restored_is_said_again_without_checking_again(
        qtbot, hq_db, tmp_path, language, monkeypatch):
    """No backup usable: a change of language said why in the new language by checking
    the backups again (their whole files, on the GUI thread). What the one check found
    is said in the language chosen, as a dialog opened in it says it."""
    from fieldplan import store
    from ui.first_run import FirstRunDialog

    backups_for(hq_db, tmp_path, usable=False)
    sheet = store.backup_dir(hq_db) / f"{hq_db.stem}-20250101T000000000000Z-manual.sqlite3"
    sheet.write_bytes(b"%PDF-1.4 a status sheet")
    lose(hq_db, "missing")
    checks = []
    real = store.usable_backup
    monkeypatch.setattr(store, "usable_backup", lambda *a: checks.append(a) or real(*a))
    dialog = backups_checked(qtbot, FirstRunDialog(hq_db))
    qtbot.addWidget(dialog)
    english = dialog.intro.text() + dialog.after_path.text()
    language("fr")
    dialog.retranslate()
    assert len(checks) == 1
    french = dialog.intro.text() + dialog.after_path.text()
    fresh = backups_checked(qtbot, FirstRunDialog(hq_db))
    qtbot.addWidget(fresh)
    assert french == fresh.intro.text() + fresh.after_path.text() != english


def gui_thread_reads(monkeypatch, *under: Path) -> list[tuple[str, str]]:
    """What the GUI thread reads of the files and folders ``under`` (a name, a
    listing, a file's time) from now on: (call, path) in turn."""
    import os
    import threading

    read: list[tuple[str, str]] = []
    roots = tuple(str(root) for root in under)

    def watched(real):
        def call(path, *args, **kwargs):
            if (threading.current_thread() is threading.main_thread()
                    and os.fspath(path).startswith(roots)):
                read.append((real.__name__, os.fspath(path)))
            return real(path, *args, **kwargs)
        return call

    for name in ("stat", "lstat", "listdir", "scandir"):
        monkeypatch.setattr(os, name, watched(getattr(os, name)))
    return read


def test_a_change_of_language_reads_nothing_of_the_backups_on_the_gui_thread(
        qtbot, hq_db, tmp_path, language, monkeypatch):
    """The database missing, its backups there: each change of language on the first
    run listed the backups folder (opening each backup), and read the time of a
    backup named without one, on the GUI thread; with the folder on a slow USB stick
    or network drive, the dialog froze. What the one look off that thread found (the
    backups, the one a restore puts back, when it was taken) is said again."""
    import datetime as dt
    import os
    import shutil
    import threading

    from fieldplan import store
    from fieldplan.i18n import _
    from fieldplan.replica import open_replica
    from ui.context import time_text
    from ui.first_run import FirstRunDialog

    with open_replica(hq_db) as rep:
        taken = store.backup(rep.conn, hq_db, "test")
    # the one a restore puts back, given a name that does not say when it was taken
    handmade = shutil.copy(taken, taken.with_name("hq-handmade.sqlite3"))
    os.utime(handmade, (GOOD_TIME, GOOD_TIME))
    monkeypatch.setattr(store, "usable_backup", lambda _db: (Path(handmade), []))
    lose(hq_db, "missing")
    listed = []
    real_list = store.list_backups
    monkeypatch.setattr(store, "list_backups", lambda db: (
        listed.append(threading.current_thread()) or real_list(db)))
    dialog = FirstRunDialog(hq_db)
    qtbot.addWidget(dialog)
    dialog.show()
    backups_checked(qtbot, dialog)
    assert len(listed) == 1 and threading.main_thread() not in listed
    read = gui_thread_reads(monkeypatch, hq_db, store.backup_dir(hq_db))
    for lang in ("ar", "fr", "en"):
        language(lang)
        dialog.retranslate()
        assert dialog.restore_button.text() == _(
            "&Restore the latest backup ({when})").format(
            when=time_text(dt.datetime.fromtimestamp(GOOD_TIME, dt.UTC)))
        assert dialog.after_path.text() == _(
            "The fieldplan database file is missing:\n{path}\nIts backups are there: "
            "restore the latest, or start another way.").partition("{path}")[2].strip()
        dialog.grab().save(str(tmp_path / f"first-run-relisted-{lang}.png"))
    assert read == [] and len(listed) == 1


def test_a_failed_restore_looks_at_the_backups_again(qtbot, hq_db, tmp_path,
                                                     monkeypatch):
    """The backups are looked at once, off the GUI thread, and kept; again after
    what may have changed them: a restore that failed (its backup found damaged since)
    takes back the restore it offered, and says why none can be restored."""
    from fieldplan import store
    from fieldplan.errors import StoreError
    from fieldplan.replica import open_replica
    from ui.first_run import FirstRunDialog

    with open_replica(hq_db) as rep:
        taken = store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    dialog = backups_checked(qtbot, FirstRunDialog(hq_db))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.restore_button is not None

    def fails(_path, **_kw):  # (damaged while it was copied)
        taken.write_bytes(b"not a database" * 100)
        raise StoreError(f"{taken} is damaged")

    monkeypatch.setattr(store, "restore_latest_backup", fails)
    checked = []
    dialog.backups_were_checked.connect(lambda: checked.append(True))
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(checked), timeout=10_000)
    assert dialog.restore_button is None and "is damaged" in dialog.message.text()
    assert dialog.after_path.text().startswith(
        "None of the files in its backups folder can be restored")
    assert dialog.setup_button.isEnabled() and dialog.focusWidget() is dialog.message


def test_backups_checked_while_a_way_in_runs_leave_the_ways_in_disabled(
        qtbot, hq_db, held_check):
    """The check ends while the first run makes a database (a way in taken meanwhile):
    the dialog made again keeps its ways in disabled and the focus on what it says,
    then offers the restore once the job has ended."""
    dialog = first_run_of_a_lost_database(qtbot, hq_db)
    dialog.hq_button.setFocus()
    dialog._busy(True, lambda: "Preparing the database…")
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.message.text() == "Preparing the database…"
    assert dialog.focusWidget() is dialog.message
    assert not any(b.isEnabled() for b in (dialog.restore_button, dialog.setup_button,
                                           dialog.hq_button, dialog.demo_button,
                                           dialog.language))
    dialog._busy(False)
    assert all(b.isEnabled() for b in (dialog.restore_button, dialog.setup_button,
                                       dialog.hq_button, dialog.demo_button))
    assert dialog.focusWidget() is dialog.hq_button  # (where it was)


def test_the_path_read_while_the_backups_are_checked_keeps_the_focus(qtbot, hq_db,
                                                                    held_check):
    """The person moved from the line saying the backups are being checked to the
    database's path (a stop of Tab, to be read out or copied): once they are checked,
    the dialog made again left the path and put the focus on the restore."""
    dialog = first_run_of_a_lost_database(qtbot, hq_db)
    assert dialog.focusWidget() is dialog.after_path
    dialog.path_label.setFocus(Qt.FocusReason.BacktabFocusReason)
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.restore_button is not None and dialog.restore_button.isEnabled()
    assert dialog.focusWidget() is dialog.path_label


@pytest.mark.parametrize("backed_up", [True, False])
def test_nothing_to_say_leaves_no_empty_line_under_the_restore(qtbot, hq_db, backed_up,
                                                                monkeypatch):
    """The line under the Restore button (what the restore is doing, why it failed)
    stayed on screen empty, a band of a line's height between the restore and Close:
    hidden while it has nothing to say, shown, with the focus, when it has."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import CannotOpenDialog

    if backed_up:
        with open_replica(hq_db) as rep:
            store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    dialog = CannotOpenDialog(hq_db, "damaged", store.list_backups(hq_db))
    qtbot.addWidget(dialog)
    dialog.show()
    backups_checked(qtbot, dialog)
    assert not dialog.message.isVisible()
    assert dialog.message.focusPolicy() == Qt.FocusPolicy.NoFocus
    above = dialog.restore_button if backed_up else dialog.note
    gap = dialog.close_button.mapTo(dialog, dialog.close_button.rect().topLeft()).y() - (
        above.geometry().bottom())
    assert gap < dialog.message.fontMetrics().height()
    if backed_up:  # a restore that fails says why there
        monkeypatch.setattr(store, "restore_latest_backup", lambda path, *a, **k: (
            _ for _ in ()).throw(store.StoreError(f"{path} is open in another program")))
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "another program" in dialog.message.text(), timeout=10_000)
        assert dialog.message.isVisible() and dialog.message.hasFocus()


@pytest.mark.parametrize("how", ["keys", "click"])
def test_close_chosen_while_the_backups_are_checked_stands(qtbot, hq_db, held_check, how):
    """The person went on to Close (Tab) while the backups were checked: once they were,
    the restore took the focus from it, and the Space meant for Close restored. Close
    chosen stands: its focus kept; pressed (Space, a click), the dialog stays closed."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import CannotOpenDialog

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    dialog = CannotOpenDialog(hq_db, "damaged", store.list_backups(hq_db))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    restored = []
    dialog.database_did_open.connect(restored.append)
    assert dialog.focusWidget() is dialog.message
    if how == "click":
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(dialog.message, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.close_button
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.restore_button.isEnabled()
    if how == "keys":
        assert dialog.focusWidget() is dialog.close_button
        qtbot.keyClick(dialog.close_button, Qt.Key.Key_Space)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert restored == [] and dialog._job is None


def test_the_restore_is_called_the_button_above_only_once_it_is_there(qtbot, hq_db,
                                                                      tmp_path,
                                                                      held_check):
    """Headquarters created while the backups were checked, beside the key file and the
    backups: the first run said to restore with "the button above", which was not
    there yet (nor ever, with no backup usable). The words match what it shows."""
    from fieldplan import store
    from ui.first_run import FirstRunDialog

    dialog = first_run_of_a_lost_database(qtbot, hq_db)
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key file" in dialog.message.text(), timeout=10_000)
    assert dialog.checking() and dialog.restore_button is None
    said = dialog.message.text()
    assert "(the button above)" not in said
    assert "appears above once the backups are checked" in said
    dialog.grab().save(str(tmp_path / "kept-backups-checking.png"))
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.restore_button is not None and dialog.restore_button.isVisible()
    assert "restore the latest backup (the button above)" in dialog.message.text()
    dialog.close()
    # none usable: no button to restore with, ever
    for backup in store.list_backups(hq_db):
        backup.write_bytes(b"not a backup" * 100)
    none = backups_checked(qtbot, FirstRunDialog(hq_db))
    qtbot.addWidget(none)
    none.show()
    qtbot.mouseClick(none.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key file" in none.message.text(), timeout=10_000)
    assert none.restore_button is None and "button" not in none.message.text()
    assert "none of these backups can be restored (see above)" in none.message.text()
    assert none.after_path.text().startswith(
        "None of the files in its backups folder can be restored")


def tab_chain(dialog) -> list[str]:
    """The names of what Tab reaches in ``dialog`` from its first way in, in turn."""
    names = {dialog.setup_button: "setup", dialog.hq_button: "hq", dialog.demo_button: "demo",
             dialog.language: "language", dialog.cancel_button: "cancel",
             dialog.restore_button: "restore", dialog.path_label: "path"}
    seen, widget = [], dialog.restore_button or dialog.setup_button
    for _step in range(8):
        seen.append(names.get(widget, widget.objectName()))
        widget = widget.nextInFocusChain()
        while not (widget.isVisible() and widget.isEnabled()
                   and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget = widget.nextInFocusChain()
    return seen


def test_the_language_list_left_open_stays_open_when_the_dialog_is_made_again(
        qtbot, hq_db, held_check, language):
    """The backups were checked (or the language changed) while the person had the
    language list open: the dialog, made again, closed it under them. The chooser is
    kept, its list open, and still comes after the ways in for Tab."""
    from fieldplan import store
    from fieldplan.i18n import _
    from fieldplan.replica import open_replica
    from ui.first_run import FirstRunDialog

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    dialog = FirstRunDialog(hq_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    chooser = dialog.language
    chooser.showPopup()
    qtbot.waitUntil(chooser.view().isVisible, timeout=5000)
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.restore_button is not None
    assert dialog.language.view().isVisible() and dialog.language is chooser
    language("fr")
    dialog.retranslate()
    assert dialog.language.view().isVisible() and dialog.language is chooser
    assert chooser.accessibleName() == _("&Language").replace("&", "") != "Language"
    chooser.hidePopup()
    assert tab_chain(dialog) == ["restore", "setup", "hq", "demo", "language", "cancel",
                                 "path", "restore"]


def test_backups_found_by_a_set_up_are_not_said_unrestorable_before_they_are_checked(
        qtbot, hq_db, tmp_path, held_check):
    """No backups folder when the first run opened, then a set-up refused for the key
    file and the backups found meanwhile: the dialog said "none of these backups can
    be restored (see above)", with nothing above, until its look at them answered. It
    says they are being checked, then offers the restore."""
    import shutil

    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import FirstRunDialog

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    folder = store.backup_dir(hq_db)
    away = shutil.move(folder, tmp_path / "away")
    dialog = FirstRunDialog(hq_db)  # (no backups folder: nothing to check)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.checking() and dialog.intro.text().startswith("There is no")
    shutil.move(away, folder)  # (a stick plugged in, a folder copied back)
    qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "key file" in dialog.message.text(), timeout=10_000)
    said = dialog.message.text()
    assert "none of these backups can be restored" not in said
    assert "appears above once the backups are checked" in said
    assert dialog.checking() and dialog.checking_bar.isVisible()
    assert dialog.after_path.text() == checking_words()
    assert dialog.setup_button.isEnabled() and dialog.focusWidget() is dialog.message
    held_check.release()
    backups_checked(qtbot, dialog)
    assert dialog.restore_button is not None and dialog.restore_button.isVisible()
    assert "restore the latest backup (the button above)" in dialog.message.text()


def unreadable_folder(monkeypatch, folder: Path) -> None:
    """``folder`` there but not to be listed, as with its permissions taken away
    (chmod 000: the tests may run as root, whom that does not stop)."""
    import errno
    import os

    real = os.listdir

    def listdir(path="."):
        if Path(os.fspath(path)) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_backups_folder_that_cannot_be_read_is_said(qtbot, hq_db, tmp_path, monkeypatch,
                                                      language, lang):
    """The backups folder unreadable (its permissions taken away): the first run said
    it was the first, "no fieldplan database on this computer yet", as if there were
    no backups, and never why. It says the folder cannot be read, why, and what to
    do, in one line under the database's path, its path kept whole."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.bidi import isolated
    from ui.first_run import FirstRunDialog

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    folder = store.backup_dir(hq_db)
    unreadable_folder(monkeypatch, folder)
    language(lang)
    dialog = backups_checked(qtbot, FirstRunDialog(hq_db))
    qtbot.addWidget(dialog)
    dialog.show()
    said = dialog.intro.text() + "\n" + dialog.after_path.text()
    if lang == "en":
        assert dialog.intro.text() == "There is no fieldplan database in this file:"
        assert dialog.after_path.text() == (
            f"Its backups folder {folder} cannot be read: permission denied; ask for "
            "access to it. Once it can be, start fieldplan again to restore a backup, if "
            "there is one; or start another way.")
    else:
        assert isolated(str(folder)) in said
        assert (isolated(str(folder)) != str(folder)) == (lang == "ar")
    assert dialog.restore_button is None and dialog.setup_button.isEnabled()
    dialog.grab().save(str(tmp_path / f"first-run-unreadable-{lang}.png"))


def test_the_backups_of_a_damaged_database_are_listed_off_the_gui_thread(
        shell, qtbot, hq_db, monkeypatch):
    """The shell listed the backups of a damaged database (opening each one) on the
    GUI thread before the cannot-open dialog showed: with them on a slow USB stick or
    network drive, the client froze with nothing on screen. The dialog shows at once,
    what is wrong said, the backups being checked; then the restore is offered."""
    import threading

    from fieldplan import store
    from fieldplan.i18n import _
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    real = store.list_backups
    released = threading.Event()
    threads: list[threading.Thread] = []

    def held(db):
        threads.append(threading.current_thread())
        if threading.current_thread().name == "fieldplan-backup-check":
            released.wait(10)  # (a slow drive)
        return real(db)

    monkeypatch.setattr(store, "list_backups", held)
    try:
        shell.start(hq_db)
        qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                        timeout=10_000)
        dialog = shell.dialog
        assert dialog.objectName() == "cannot-open" and dialog.checking()
        assert reason_text(dialog) == (f"{hq_db} is not a usable fieldplan database: the "
                                       "file is not a database, or is damaged")
        assert dialog.message.text() == _("Checking the backups…")
        assert not dialog.restore_button.isEnabled()
    finally:
        released.set()
    backups_checked(qtbot, dialog)
    assert threading.main_thread() not in threads
    assert dialog.restore_button.isEnabled() and "(" in dialog.restore_button.text()
    assert reason_text(dialog) == (f"{hq_db} is not a usable fieldplan database: the "
                                   "file is not a database, or is damaged")


def test_a_damaged_database_whose_backups_folder_cannot_be_read_says_so(
        shell, qtbot, hq_db, monkeypatch, tmp_path):
    """The backups folder unreadable: the damaged database was said to have no backup
    to restore. What is wrong is said, then why its backups cannot be looked at."""
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    folder = store.backup_dir(hq_db)
    unreadable_folder(monkeypatch, folder)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    words = "\n".join(label.text() for label in dialog.findChildren(QLabel)
                      if label.isVisible())
    assert reason_text(dialog) == (f"{hq_db} is not a usable fieldplan database: the "
                                   "file is not a database, or is damaged")
    assert "no backup" not in words
    assert dialog.note.isVisible() and dialog.note.text() == (
        f"The backups folder {folder} cannot be read: permission denied; ask for access "
        "to it. Once it can be, start fieldplan again to restore a backup, if there is "
        "one.")
    assert not dialog.restore_button.isVisible()
    dialog.grab().save(str(tmp_path / "cannot-open-unreadable.png"))


@pytest.mark.parametrize("backed_up", [True, False])
def test_the_start_reads_nothing_of_the_disk_on_the_gui_thread(shell, qtbot, hq_db,
                                                               monkeypatch, backed_up):
    """The database missing: the shell looked whether it was there, undid what a
    set-up-again killed midway left (moving files), and the first-run dialog looked
    whether the backups folder was there, all on the GUI thread: with the folder on a
    hung network drive, the client froze for minutes. Each is done off that thread;
    the dialog says the same as before."""
    import threading

    from fieldplan import replica, store
    from fieldplan.replica import open_replica

    if backed_up:
        with open_replica(hq_db) as rep:
            store.backup(rep.conn, hq_db, "test")
    lose(hq_db, "missing")
    if not backed_up:
        replica.key_path(hq_db).unlink()
    undone: list[threading.Thread] = []
    real = replica.undo_killed_set_up_again
    monkeypatch.setattr(replica, "undo_killed_set_up_again", lambda path: (
        undone.append(threading.current_thread()) or real(path)))
    read = gui_thread_reads(monkeypatch, hq_db.parent)
    shell.start(hq_db)
    assert read == [] and shell.dialog is None  # (nothing on screen yet: not frozen)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    dialog = backups_checked(qtbot, shell.dialog)
    assert read == []
    assert len(undone) == 1 and undone[0] is not threading.main_thread()
    assert dialog.objectName() == "first-run"
    if backed_up:
        assert dialog.restore_button is not None and dialog.restore_button.isEnabled()
    else:
        assert dialog.restore_button is None
        assert dialog.intro.text().startswith("There is no fieldplan database on this "
                                              "computer yet.")


def test_a_database_folder_that_cannot_be_looked_at_is_said(shell, qtbot, tmp_path,
                                                            monkeypatch):
    """The look before the first run failed (the database's folder not to be read):
    said in the cannot-open dialog, in words, not as a traceback on the terminal."""
    import errno

    from fieldplan import replica

    def refused(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(replica, "undo_killed_set_up_again", refused)
    db = tmp_path / "closed" / "hq.sqlite3"
    shell.start(db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert reason_text(dialog) == (f"fieldplan could not open {db}:\n"
                                  "permission denied; ask for access to it")


def test_the_dialog_of_an_opening_that_failed_is_not_brought_back_by_a_later_start(
        shell, qtbot, hq_db):
    """An opening refused (what a killed init left) starts again with a look off the
    GUI thread: meanwhile a later start's files brought the dialog that had opened
    the database (done, hidden) back to the front, beside the first-run dialog the
    look then opened, its Cancel quitting fieldplan; found by review. It is deleted
    now, not only dropped (it stayed alive on Qt's side)."""
    import shiboken6
    from PySide6.QtWidgets import QDialog

    done = QDialog()  # (not given to qtbot: the shell deletes it)
    shell.dialog = done  # (the first run's dialog, accepted: hidden)
    lose(hq_db, "missing")
    shell.start(hq_db)
    shell.receive_files([], "")  # a later start, while the look runs
    assert not done.isVisible()
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    assert shell.dialog is not done and not shiboken6.isValid(done)


@pytest.mark.parametrize("how", ["damaged", "missing"])
def test_a_backup_of_the_last_releases_schema_is_restored_and_upgraded(shell, qtbot,
                                                                       tmp_path, how):
    """An earlier fieldplan's backup (headquarters at schema 6, the last release's, as
    its fixture holds it) is the one the dialog offers when the database is damaged or
    gone after the update: restored, it is upgraded and the window opens on it."""
    import shutil
    import sqlite3

    from fieldplan import schema, store

    folder = tmp_path / "hq"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "db" / "hq-schema-6", folder)
    for key in folder.glob("*.key"):
        key.chmod(0o600)  # as fieldplan wrote it (git keeps no such mode)
    db = folder / "hq.sqlite3"
    backups = store.backup_dir(db)
    backups.mkdir(exist_ok=True)
    # a copy taken by the earlier fieldplan, never opened by this one (still schema 6)
    old = backups / f"{db.name}-20261206T120000000000Z-before-import.sqlite3"
    shutil.copyfile(db, old)
    lose(db, how)
    shell.start(db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.restore_button is not None and dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    from tests.ui.conftest import wait_idle

    wait_idle(qtbot, shell.session)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        applied = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert applied == len(schema.known_migrations())


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_office_this_fieldplan_does_not_know_is_said_not_left_windowless(
        shell, qtbot, office_db, tmp_path, language, lang):
    """An office database naming an office this version does not know (damage, a newer
    fieldplan's office) opened, then the window raised as it was made: a traceback, no
    window and no dialog, and a process left running that took later starts' files."""
    import sqlite3

    with sqlite3.connect(office_db) as conn:
        conn.execute("UPDATE meta SET value = 'ZZ' WHERE key = 'office'")
    conn.close()
    language(lang)
    shell.start(office_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert shell.window is None
    assert "ZZ" in reason_text(dialog)
    dialog.grab().save(str(tmp_path / f"unknown-office-{lang}.png"))


def test_a_link_to_a_drive_not_connected_is_said_not_taken_for_a_first_run(
        shell, qtbot, tmp_path):
    """The database's path is a link to a USB stick or network drive not connected: the
    first run said there was no database on this computer yet, and each way in failed
    ("already exists"). The dialog says where the link leads."""
    import os

    if os.name == "nt":
        pytest.skip("links made by the test")
    target = tmp_path / "usb" / "hq.sqlite3"
    link = tmp_path / "hq.sqlite3"
    link.symlink_to(target)
    shell.start(link)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    assert reason_text(dialog).startswith(f"{link} is a link to {target}, which is not there")
    assert not target.parent.exists()
