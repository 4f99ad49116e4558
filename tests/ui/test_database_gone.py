"""The database file deleted, moved or replaced while the window is open (its folder
removed, a restore by another program): SQLite goes on writing to the file it has
open, which nothing will open again. Saves seemed to succeed, the status bar said
only that the key file was missing, and closing asked nothing: all typed since was
lost. Now saves are refused, the status bar says why, the drafts journal keeps the
typing where it can be written, and closing asks first where it cannot."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import ui.drafts
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_close_unkept import drafts_file, question
from tests.ui.test_office_work import choose

BEFORE = "Typed while the file was there."
AFTER = " And after it was gone."


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


@pytest.fixture
def db(hq_db, tmp_path) -> Path:
    """hq_db in a folder of its own (to remove whole)."""
    folder = tmp_path / "office"
    folder.mkdir()
    for f in list(tmp_path.iterdir()):
        if f.name.startswith(hq_db.name):
            f.rename(folder / f.name)
    return folder / hq_db.name


def typed_then(window, qtbot, fault) -> object:
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    qtbot.keyClicks(box, BEFORE)
    editor.save_now()
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Saved.", timeout=5000)
    wait_idle(qtbot, window.session)
    fault()
    qtbot.keyClicks(box, AFTER)
    editor.save_now()
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)

    def looked() -> bool:
        # (the timer's own look may be on its way, begun before the fault: asked
        # again until one made after it answers)
        window.check_outside()
        return window.file_gone_label.isVisible()

    qtbot.waitUntil(looked, timeout=5000)
    wait_idle(qtbot, window.session)
    return editor


def remove_folder(folder: Path) -> None:
    """Remove ``folder`` whole, while the window may be writing its drafts journal's
    lock file in it (made and removed beside the journal: gone between rmtree's listing
    and its unlink, rmtree failed)."""
    for _attempt in range(100):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
    raise AssertionError(f"{folder} could not be removed")


def said(window) -> None:
    label = window.file_gone_label
    assert label.isVisible()
    assert label.text() == ("The database file was deleted, moved or replaced: nothing "
                            "typed now is saved to it.")
    assert "was deleted, moved or replaced while it was open" in label.toolTip()


def test_a_database_whose_folder_was_removed_refuses_saves_and_closing_asks(
        open_window, qtbot, db):
    window = open_window(db)
    assert not window.file_gone_label.isVisible()
    typed_then(window, qtbot, lambda: remove_folder(db.parent))
    said(window)
    window.close()  # the drafts file's folder is gone too: nowhere keeps the typing
    dialog = question(window, qtbot)
    assert AFTER.strip() in dialog.details.toPlainText()
    window._closing_anyway = True  # (the person's choice: close all the same)
    window.close()


def test_a_database_file_replaced_keeps_the_typing_in_the_drafts_file(
        open_window, qtbot, db, tmp_path):
    window = open_window(db)
    aside = tmp_path / "aside.sqlite3"
    shutil.copy(db, aside)  # another program's restore: a new file in its place
    typed_then(window, qtbot, lambda: os.replace(aside, db))
    said(window)
    assert drafts_file(db)[("PA1.6", "2026-S1")]["challenges"] == BEFORE + AFTER
    window.close()
    assert not window.isVisible()  # nothing asked: the drafts file holds it


def test_the_core_says_when_its_file_is_gone(db, tmp_path):
    with open_replica(db) as rep:
        assert rep.file_gone() == ""
        rep.check_file()
        os.replace(db, tmp_path / "moved.sqlite3")
        assert rep.file_gone() == (
            f"the database file {db} was deleted, moved or replaced while it was open: "
            "nothing more can be saved to it")
        with pytest.raises(Exception, match="deleted, moved or replaced"):
            rep.check_file()
        os.replace(tmp_path / "moved.sqlite3", db)  # put back: the same file again
        assert rep.file_gone() == ""


def test_a_save_error_naming_a_path_keeps_it_whole_in_arabic(open_window, qtbot, db):
    """The editor's line of a refused save names the database file: in Arabic the
    path is kept left to right (it read "tmp/…/hq.sqlite3/", its "/" at the far end)."""
    from PySide6.QtWidgets import QApplication

    from fieldplan.errors import StoreError
    from ui.app import apply_language

    apply_language(QApplication.instance(), "ar")
    try:
        window = open_window(db)
        editor = choose(window, qtbot, "PA1.6")
        editor._show_error(StoreError(f"حُذف ملف قاعدة البيانات {db} أو نُقل"), [])
        assert f"\u2066{db}\u2069" in editor.general_error.text()
    finally:
        apply_language(QApplication.instance(), "en")


def test_a_hidden_window_says_it_once(open_window, qtbot, db, monkeypatch):
    """Minimised or hidden, the window's label is not visible: each look (a minute
    apart) set it again and announced it again to a screen reader."""
    import ui.dialogs

    said_to = []
    monkeypatch.setattr(ui.dialogs, "announce", said_to.append)
    window = open_window(db)
    window.hide()
    for _ in range(3):
        window._show_file_gone("the database file was replaced")
    assert said_to == [window.file_gone_label]
    assert window.file_gone_label.isVisibleTo(window)
    window._show_file_gone("")
    assert not window.file_gone_label.isVisibleTo(window)
