"""What a screen reader (NVDA, Orca) is told: results and failures that appear away
from the focus are announced in words, and every field, button and table of the
windows and dialogs has a name (an accessibility review)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel

from tests.ui.conftest import wait_idle


@pytest.fixture
def announced(monkeypatch) -> list[str]:
    """The messages of the announcement events sent to assistive technology."""
    said: list[str] = []
    update = QAccessible.updateAccessibility

    def record(event) -> None:
        if event.type() == QAccessible.Event.Announcement:
            said.append(event.message())
        update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return said


def test_an_announcement_says_the_words_not_only_an_alert(qtbot, announced):
    """``announce`` sent an alert event alone: on Windows Qt plays the system's sound
    for it and tells UI Automation nothing, so NVDA never said "not saved"."""
    from ui.dialogs import announce

    label = QLabel("1 report not saved yet — retrying")
    qtbot.addWidget(label)
    label.setAccessibleName("Saving")
    label.setAccessibleDescription("PA1.6: the database is locked")
    announce(label)
    assert announced == ["Saving\n1 report not saved yet — retrying\n"
                         "PA1.6: the database is locked"]
    announce(label, "Saved the bundle")
    assert announced[-1] == "Saved the bundle"


def test_a_message_in_the_status_bar_is_said(open_window, qtbot, hq_db, announced):
    """"1 report submitted." was painted in the status bar's corner, away from the
    focus, and said to no one."""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window._submit("2026-S1")
    wait_idle(qtbot, window.session)
    assert "2 reports submitted." in announced
    # whole, where the bar has room for its start only
    window.resize(400, 600)
    long = "The plan was replaced: " + "a long sentence " * 20 + "end."
    window.statusBar().showMessage(long, 5000)
    assert window.statusBar().currentMessage() != long
    assert announced[-1] == long
    window.statusBar().clearMessage()


@pytest.mark.parametrize("email", [False, True])
def test_the_bundle_written_is_said_and_the_empty_message_is_no_stop_for_tab(
        open_window, qtbot, office_db, tmp_path, monkeypatch, announced, email):
    """The focus goes to Close once a bundle is written (Enter closes): "Saved the
    bundle …", its path and the email's subject were painted under the form and said
    to no one. Before it said anything, Tab stopped on the empty message between
    Browse and Save bundle."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from tests.ui.test_export_folders import export_to, no_volumes
    from ui.transfer import ExportDialog

    no_volumes(monkeypatch)
    monkeypatch.setattr("ui.transfer.open_folder", lambda folder: True)
    window = open_window(office_db)
    fresh = ExportDialog(window.session, window.identity, window, email=email)
    fresh.show()  # (deleted once closed)
    assert fresh.message.text() == ""
    browse = next(b for b in fresh.findChildren(QPushButton) if b.text() == "&Browse…")
    browse.setFocus()
    qtbot.keyClick(browse, Qt.Key.Key_Tab)
    assert fresh.focusWidget() is not fresh.message
    fresh.close()
    folder = tmp_path / "stick"
    folder.mkdir()
    dialog = export_to(window, qtbot, folder, email=email)
    said = dialog.said()
    assert said.startswith("Saved the bundle") and str(dialog.result_info.path) in said
    assert said in announced
    assert dialog.message.focusPolicy() & Qt.FocusPolicy.TabFocus  # read with Tab
    dialog.close()
    wait_idle(qtbot, window.session)


def test_why_no_bundle_was_written_is_said(open_window, qtbot, office_db, tmp_path,
                                           monkeypatch, announced):
    from tests.ui.test_export_folders import no_volumes
    from ui.transfer import ExportDialog

    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = ExportDialog(window.session, window.identity, window)
    dialog.show()
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    dialog.folder.setText(str(not_a_folder))
    dialog.export()
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=5000)
    wait_idle(qtbot, window.session)
    assert dialog.message.text() and not dialog.message.text().startswith("Writing")
    assert dialog.message.text() in announced
    dialog.close()
