"""The shell: first run, a database that cannot be opened, language switching that
reopens where the user was, exporting for email, keyboard reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from ui.app import Shell
from ui.qtcompat import emit


@pytest.fixture
def shell(qtbot, settings):
    made = Shell(QApplication.instance(), settings)
    yield made
    if made.window is not None:
        made.window.close()
    if made.dialog is not None:
        made.dialog.close()
    made.shutdown()


def test_first_run_creates_headquarters(shell, qtbot, tmp_path):
    db = tmp_path / "new.sqlite3"
    shell.start(db)
    dialog = shell.dialog
    assert dialog.objectName() == "first-run" and dialog.isVisible()
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
    for side in ("-wal", "-shm"):
        Path(str(hq_db) + side).unlink(missing_ok=True)
    hq_db.write_bytes(b"this is not a database" * 100)
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(), timeout=10_000)
    dialog = shell.dialog
    assert dialog.objectName() == "cannot-open"
    assert dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=10_000)
    assert Path(str(hq_db) + ".damaged").exists()
    wait_idle(qtbot, shell.session)


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


def test_prepare_for_email(open_window, qtbot, office_db, tmp_path):
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica
    from ui.transfer import ExportDialog

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=10)
    window = open_window(office_db)
    dialog = ExportDialog(window.session, window.identity, window, email=True)
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
