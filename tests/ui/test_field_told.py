"""A dialog that cannot go on until a field is filled says so at that field: the focus
goes to it, a screen reader reads why with it (its accessible description) and is told
at once when the focus was there already; the description goes once the field changes
(a keyboard and screen-reader review)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from tests.ui.test_read_by_keyboard import shown
from ui.qtcompat import Qt


def _enrol(open_window, qtbot, hq_db):
    from ui.enrol import EnrolDialog

    window = open_window(hq_db)
    dialog = shown(qtbot, EnrolDialog(window.session, window.identity, window))
    wait_idle(qtbot, window.session)
    return window, dialog


def test_enrol_without_a_folder_puts_the_keyboard_in_the_folder(
        open_window, qtbot, hq_db, announced):
    """Space on Write setup bundle with the folder emptied: "Choose a folder first."
    was painted under the form and said to no one, the focus left on the button."""
    window, dialog = _enrol(open_window, qtbot, hq_db)
    dialog.choose("ML")
    dialog.folder.clear()
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)
    assert dialog.message.text() == "Choose a folder first."
    assert QApplication.focusWidget() is dialog.folder
    assert dialog.folder.accessibleDescription() == "Choose a folder first."
    qtbot.keyClicks(dialog.folder, "/")
    assert dialog.folder.accessibleDescription() == ""
    # Enter in the field itself (the default button): the focus does not move, the
    # sentence is said
    dialog.folder.clear()
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is dialog.folder
    assert announced[-1] == "Choose a folder first."
    dialog.close()
    wait_idle(qtbot, window.session)


def test_enrol_without_an_office_says_so_with_the_office_list(
        open_window, qtbot, hq_db, tmp_path):
    """The focus went to the Office list, which a screen reader read as "Office,
    Choose an office…": why it was there, under the form, went unsaid."""
    window, dialog = _enrol(open_window, qtbot, hq_db)
    dialog.folder.setText(str(tmp_path))
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)
    assert QApplication.focusWidget() is dialog.office
    assert dialog.office.accessibleDescription() == "Choose an office first."
    dialog.choose("ML")
    assert dialog.office.accessibleDescription() == ""
    assert not list(tmp_path.glob("*.fieldplan"))
    dialog.close()
    wait_idle(qtbot, window.session)


def test_export_without_a_folder_puts_the_keyboard_in_the_folder(
        open_window, qtbot, office_db, monkeypatch, announced):
    from tests.ui.test_export_folders import no_volumes
    from ui.transfer import ExportDialog

    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = shown(qtbot, ExportDialog(window.session, window.identity, window))
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=5000)
    wait_idle(qtbot, window.session)
    dialog.folder.clear()
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)
    assert dialog.message.text() == "Choose a folder first."
    assert QApplication.focusWidget() is dialog.folder
    assert dialog.folder.accessibleDescription() == "Choose a folder first."
    assert dialog.ok.isEnabled()
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # (the field has the focus)
    assert announced[-1] == "Choose a folder first."
    qtbot.keyClicks(dialog.folder, "/")
    assert dialog.folder.accessibleDescription() == ""
    dialog.close()
    wait_idle(qtbot, window.session)
