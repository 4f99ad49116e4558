"""Paths shown in the client are copied as they are written, and reached by keyboard.

A path inside an ordinary sentence (the outbox folder the Export dialog could not
open, the drafts file View ▸ Saving details… names) copied in Arabic carried the
isolates and marks that lay it out, and pasted into a terminal or a file manager named
no file. The path under a file written (Export, Export table, Enrol an office, the
first-run screen) could be selected and copied only after a mouse click."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle

ROOT = Path(__file__).resolve().parents[2]
#: what lays text out and must never be copied with it
MARKS = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
ARABIC_FOLDERS = ("تقارير", "مجلد 2")


def shot(widget, name: str) -> None:
    """A picture of what the test shows, into FIELDPLAN_SHOTS when it is set."""
    folder = os.environ.get("FIELDPLAN_SHOTS")
    if folder:
        Path(folder).mkdir(exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


#: the languages each test given ``in_language`` runs in (tests/ui/conftest.py)
LANGUAGES = ("en", "ar")


def copied_by_keyboard(qtbot, label) -> str:
    """All of ``label`` selected and copied with the keyboard, as the clipboard has it."""
    label.setFocus()
    qtbot.keyClick(label, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert label.hasSelectedText()
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    return clipboard.text()


def test_the_outbox_folder_in_a_sentence_is_copied_as_written(
        open_window, qtbot, office_db, tmp_path, monkeypatch, in_language):
    from fieldplan.i18n import _
    from tests.ui.test_export_folders import export_to, no_volumes
    from ui import transfer

    outbox = tmp_path.joinpath(*ARABIC_FOLDERS, "fieldplan-outbox")
    monkeypatch.setattr(transfer, "outbox_dir", lambda: str(outbox))
    monkeypatch.setattr(transfer, "open_folder", lambda folder: False)
    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = export_to(window, qtbot, outbox, email=True)
    shown = dialog.after_path.text()
    assert MARKS.search(shown) is not None  # (the Arabic folders isolated: what it is about)
    assert dialog.path_label.accessibleName() == _("Path of the bundle saved")
    copied = copied_by_keyboard(qtbot, dialog.after_path)
    assert MARKS.search(copied) is None
    assert copied.splitlines()[-1] == str(outbox)
    assert copied == MARKS.sub("", shown)  # all the rest as shown
    # the label's menu copies the same way
    QGuiApplication.clipboard().clear()
    menu = dialog.after_path.context_menu()
    (copy,) = [a for a in menu.actions() if a.objectName() == "copy-path"]
    copy.trigger()
    assert QGuiApplication.clipboard().text() == copied
    menu.deleteLater()
    shot(dialog, f"outbox-not-opened-{in_language}.png")
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_drafts_file_in_the_saving_details_is_copied_as_written(
        open_window, qtbot, office_db, in_language):
    from fieldplan.i18n import _
    from ui.bidi import isolated
    from ui.qtcompat import emit

    window = open_window(office_db)
    name = f"{office_db.name}.drafts-unreadable-{ARABIC_FOLDERS[0]}.json"
    said = _("The drafts file could not be read; it is kept as {file}.").format(
        file=isolated(name))
    emit(window.office_view.editor.save_state_did_change, said, said, True)
    details = window.save_details_dialog()
    copied = copied_by_keyboard(qtbot, details.text)
    assert MARKS.search(copied) is None
    assert copied == MARKS.sub("", said) and copied.endswith(f" {name}.")
    assert (MARKS.search(details.text.text()) is not None) == (in_language == "ar")
    shot(details, f"saving-details-{in_language}.png")
    details.close()


def tab_stops(dialog, start) -> list:
    """The widgets Tab goes to from ``start``, around the dialog once."""
    start.setFocus()
    seen = [start]
    for _ in range(40):
        qtbot_key_tab(dialog)
        now = QApplication.focusWidget()
        if now is start or now in seen:
            break
        seen.append(now)
    return seen


def qtbot_key_tab(dialog) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Tab)


def test_the_path_of_a_table_written_is_reached_by_tab(open_window, qtbot, hq_db, tmp_path,
                                                      in_language):
    """Tab goes to it once a file is written (not before: hidden, it is passed by),
    a screen reader names it as the file's path, and all of it is selected: Ctrl+C
    copies it as written."""
    from fieldplan.i18n import _
    from tests.ui.test_table_export import open_dialog, save

    folder = tmp_path.joinpath(*ARABIC_FOLDERS)
    folder.mkdir(parents=True)
    window = open_window(hq_db)
    dialog = open_dialog(window, qtbot)
    label = dialog.path_label
    assert label not in tab_stops(dialog, dialog.save_button)
    save(dialog, qtbot, folder / "table.xlsx")
    qtbot.waitUntil(label.isVisible, timeout=10_000)
    assert label.accessibleName() == _("Path of the table saved")
    stops = tab_stops(dialog, dialog.save_button)
    assert label in stops
    label.clearFocus()
    for _stop in stops:  # by Tab, as a keyboard user reaches it
        qtbot_key_tab(dialog)
        if QApplication.focusWidget() is label:
            break
    assert QApplication.focusWidget() is label
    assert label.hasSelectedText() and label.copied_text() == str(folder / "table.xlsx")
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == str(folder / "table.xlsx")
    shot(dialog, f"table-path-focused-{in_language}.png")
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_first_run_screen_does_not_start_on_its_path(qtbot, tmp_path):
    """The path is a stop of Tab, not where the dialog starts: Enter still takes the
    default button, and the database's path is named as such."""
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.path_label
    assert label.accessibleName() == "Path of the database file"
    assert QApplication.focusWidget() is not label
    assert label.focusPolicy() & Qt.FocusPolicy.TabFocus
    # Ctrl+C on it with nothing selected (a click, then Ctrl+C) copies the whole path
    label.setFocus(Qt.FocusReason.MouseFocusReason)
    assert not label.hasSelectedText()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == str(tmp_path / "new.sqlite3")
    shot(dialog, "first-run-path.png")
    dialog.close()


def test_a_dialog_message_is_copied_without_marks(qtbot, in_language):
    """Every message of a dialog (ui.dialogs.MessageDialog, text_label) copies so."""
    from ui.bidi import isolated
    from ui.dialogs import MessageDialog, text_label

    path = "/tmp/" + "/".join(ARABIC_FOLDERS)
    dialog = MessageDialog(None, "t", f"Saved in {isolated(path)}.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert copied_by_keyboard(qtbot, dialog.text) == f"Saved in {path}."
    label = text_label("x")
    qtbot.addWidget(label)
    label.setText(f"Line 1\n{isolated(path)}")
    label.show()
    assert copied_by_keyboard(qtbot, label) == f"Line 1\n{path}"


def test_a_dialogs_details_are_copied_and_dragged_without_marks(qtbot, in_language):
    """A message's details (file names, paths the client laid out) copy as written, as
    its message does; a narrative's own marks, in a text box of people's text, stay."""
    from ui.bidi import isolated
    from ui.bidi_widgets import PlainTextEdit
    from ui.dialogs import ConfirmDialog, MessageDialog

    path = "/tmp/" + "/".join(ARABIC_FOLDERS)
    details = f"{isolated(path)}\n{isolated('ML-2026.fieldplan')}"
    message = MessageDialog(None, "t", "Saved.", details)
    confirm = ConfirmDialog(None, "t", "Go on?", details=details)
    for dialog in (message, confirm):
        qtbot.addWidget(dialog)
        dialog.show()
    (box,) = message.findChildren(PlainTextEdit)
    for shown in (box, confirm.details):
        shown.selectAll()
        assert MARKS.search(shown.toPlainText())  # (laid out with them)
        # what Ctrl+C copies and a drag carries
        copied = shown.createMimeDataFromSelection()
        assert copied.text() == f"{path}\nML-2026.fieldplan"
        assert copied.formats() == ["text/plain"]  # (Qt's HTML kept the marks)
        QGuiApplication.clipboard().clear()
        shown.copy()
        assert QGuiApplication.clipboard().text() == f"{path}\nML-2026.fieldplan"
    narrative = PlainTextEdit("\u200fقال: «نعم»")  # a mark the person typed
    qtbot.addWidget(narrative)
    narrative.selectAll()
    assert narrative.createMimeDataFromSelection().text() == "\u200fقال: «نعم»"


_COPY_AND_END = """
import sys
from PySide6.QtWidgets import QApplication
from ui.bidi_widgets import PlainTextEdit
from ui.dialogs import MessageDialog
app = QApplication(sys.argv[:1])
dialog = MessageDialog(None, "t", "Saved.", "\u2068/tmp/ML-2026.fieldplan\u2069")
dialog.show()
(box,) = dialog.findChildren(PlainTextEdit)
box.selectAll()
box.copy()
print(app.clipboard().text())
dialog.close()
"""


def test_the_client_ends_cleanly_after_copying_a_dialogs_details() -> None:
    """What a message's details copy stays on the clipboard after the dialog and the
    client are gone: it crashed the process on its way out (exit status 139, a
    segmentation fault), where the clipboard outlives Python (offscreen, minimal)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", _COPY_AND_END], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip() == "/tmp/ML-2026.fieldplan"
