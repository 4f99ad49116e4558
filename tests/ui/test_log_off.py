"""Logging off (or shutting down) with typing in the window: Qt 6 closes no window
then, so the window hears the session manager's commitDataRequest itself
(``MainWindow.commit_data``): what is typed is saved and in the drafts file before
fieldplan is ended, and when neither can hold it (a full disk) the logging off is
cancelled and the person asked, as closing asks."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import SIGNAL

from tests.ui.conftest import wait_idle
from tests.ui.test_close_unkept import _quick_retries, question, type_on_a_full_disk  # noqa: F401
from tests.ui.test_keys_while_loading import held_reads  # noqa: F401
from tests.ui.test_no_lost_entries import block_worker
from tests.ui.test_office_work import choose


class SessionManager:
    """What the window uses of a QSessionManager (Qt makes none in a test)."""

    def __init__(self, interaction: bool = True) -> None:
        self.interaction = interaction
        self.cancelled = self.released = False

    def allowsInteraction(self) -> bool:  # (Qt's names)
        return self.interaction

    def cancel(self) -> None:
        self.cancelled = True

    def release(self) -> None:
        self.released = True


def _drafts(db) -> dict:
    """The drafts file as it is on disk now (nothing waited for)."""
    path = db.with_name(db.name + ".drafts.json")
    if not path.exists():
        return {}
    return {(d["action"], d["period"]): d
            for d in json.loads(path.read_text(encoding="utf-8"))["drafts"]}


def test_the_shell_hears_the_desktop_session_end(shell, qtbot, hq_db):
    signal = SIGNAL("commitDataRequest(QSessionManager&)")
    heard = shell.app.receivers(signal)
    assert heard >= 1
    shell.open(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    shell.window.close()
    shell.shutdown()  # (the application outlives it: no longer heard)
    assert shell.app.receivers(signal) == heard - 1


def test_logging_off_keeps_the_last_keys_typed(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    release = block_worker(window)  # (the save cannot end before the process does)
    try:
        qtbot.keyClicks(editor.narratives["challenges"], "Typed just before logging off")
        manager = SessionManager()
        window.commit_data(manager)
        # on disk as the call returns: the session manager may end fieldplan now
        drafts = _drafts(hq_db)
        assert drafts[("PA1.6", "2026-S1")]["values"]["challenges"] == (
            "Typed just before logging off")
        assert not manager.cancelled  # kept: nothing to ask
    finally:
        release.set()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("interaction", [True, False])
def test_logging_off_on_a_full_disk_asks_first(open_window, qtbot, hq_db, monkeypatch,
                                               interaction):
    window, _editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    manager = SessionManager(interaction)
    window.commit_data(manager)
    if not interaction:  # nothing can be asked: ended all the same, as before
        assert not manager.cancelled
        disk.free()
        wait_idle(qtbot, window.session)
        return
    assert manager.cancelled and manager.released
    dialog = question(window, qtbot)
    window.commit_data(SessionManager())  # logging off again: the same question
    assert question(window, qtbot) is dialog
    disk.free()
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_logging_off_while_the_report_loads_keeps_the_keys_typed(
        open_window, qtbot, office_db, held_reads, monkeypatch):  # noqa: F811
    """Keys typed while the report is read (held to be typed in once it is), then
    logging off: they are in the drafts file as the call returns."""
    import ui.report_editor
    from tests.ui.test_keys_while_loading import _typed_while_another_report_loads

    monkeypatch.setattr(ui.report_editor, "HELD_KEYS_WAIT_MS", 50, raising=False)
    window, code, period = _typed_while_another_report_loads(
        open_window, qtbot, office_db, held_reads)
    manager = SessionManager()
    window.commit_data(manager)
    assert _drafts(office_db)[(code, period)]["values"]["percent"] == 40
    assert not manager.cancelled
    held_reads.release()
    wait_idle(qtbot, window.session)
