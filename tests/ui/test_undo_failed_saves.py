"""Undo and redo while a save fails (a locked database, a full disk): the text typed
is never stranded as "Not saved" with nothing left to retry, and a save that failed
is never left on the undo stack."""

from __future__ import annotations

import pytest

import ui.report_editor
from fieldplan.errors import StoreError
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import Locker, block_worker, journal
from tests.ui.test_office_work import choose, db_report
from ui.qtcompat import Qt


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    """A save waits 50 ms for a lock and is retried every 100 ms (not 1.5 s and 3 s)."""
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


def challenges(db) -> str:
    return db_report(db, "PA1.6", "2026-S1").challenges


def saved_once(window, qtbot, db, text: str):
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, text)
    editor.save_now()
    qtbot.waitUntil(lambda: challenges(db) == text, timeout=5000)
    wait_idle(qtbot, window.session)
    return editor, box


def test_undo_waits_while_the_report_on_screen_is_not_saved(open_window, qtbot, hq_db):
    """The reviewer's Ctrl+Z on a failing save: Undo is off (saying why) until the text
    is saved, so the typing is retried and saved once the database is free."""
    window = open_window(hq_db)
    editor, box = saved_once(window, qtbot, hq_db, "AAA")
    assert window.undo_action.isEnabled()
    with Locker(hq_db):
        qtbot.keyClicks(box, " BBB")
        editor.save_now()
        qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
        assert not window.undo_action.isEnabled()
        assert not window.redo_action.isEnabled()
        tip = window.undo_action.toolTip()
        assert tip.startswith("Not until what was typed is saved:"), tip
        assert "busy" in tip and "stayed locked for 0.05 seconds" in tip  # its own wait
        qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        window.undo_action.trigger()
        assert box.toPlainText() == "AAA BBB"
    qtbot.waitUntil(lambda: challenges(hq_db) == "AAA BBB", timeout=5000)
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Saved.", timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.undo_action.isEnabled()  # and it undoes " BBB" now
    # each step says what it changes: they all read "Edit PA1.6"
    assert window.undo_action.toolTip() == "Undo: Challenges (PA1.6)"
    window.undo()
    qtbot.waitUntil(lambda: challenges(hq_db) == "AAA", timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.redo_action.toolTip() == "Redo: Challenges (PA1.6)"
    # (one save of both: no field left between them)
    editor.narratives["achievements"].setPlainText("Two workshops")
    editor.narratives["next_steps"].setPlainText("A third")
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert window.undo_action.toolTip() == \
        "Undo: Achievements, Next steps (PA1.6)"
    assert journal(hq_db) == {}


def test_an_undo_that_fails_with_its_save_keeps_the_typing_to_save(open_window, qtbot,
                                                                   hq_db):
    """Ctrl+Z pressed while the save of what was typed is on its way, and both the save
    and the undo fail: the screen shows the typing again, and it is still to be saved
    (retried, and saved by Ctrl+S), not taken for saved."""
    window = open_window(hq_db)
    editor, box = saved_once(window, qtbot, hq_db, "AAA")
    qtbot.keyClicks(box, " BBB")
    release = block_worker(window)
    window.undo()  # saves " BBB" and undoes it: both wait behind the worker
    assert box.toPlainText() == "AAA"
    with Locker(hq_db):
        release.set()
        qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
        wait_idle(qtbot, window.session)
        assert box.toPlainText() == "AAA BBB"  # the undo failed: the typing is shown
        assert editor.dirty()
        assert journal(hq_db)[("PA1.6", "2026-S1")]["values"] == {"challenges": "AAA BBB"}
    qtbot.waitUntil(lambda: challenges(hq_db) == "AAA BBB", timeout=5000)
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Saved.", timeout=5000)
    qtbot.waitUntil(lambda: not window.save_state_label.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert not editor.dirty() and journal(hq_db) == {}


class FullDisk:
    """Every write of a report fails as on a full disk, until ``room()``."""

    def __init__(self, monkeypatch) -> None:
        self.full = True
        real = ui.report_editor.write_values

        def write(*args, **kwargs):
            if self.full:
                raise StoreError("could not save to the database, nothing was changed: "
                                 "the disk is full")
            return real(*args, **kwargs)

        monkeypatch.setattr(ui.report_editor, "write_values", write)

    def room(self) -> None:
        self.full = False


def test_two_failed_saves_leave_nothing_to_undo(open_window, qtbot, hq_db, monkeypatch):
    """Two saves fail, the earlier one first: it was not on top of the undo stack then,
    and was left there after the later one went (Undo on with nothing to undo)."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    disk = FullDisk(monkeypatch)
    release = block_worker(window)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "ONE")
    editor.percent.setFocus()  # leaving the field saves it
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "55")
    editor.save_now()
    assert window.undo_stack.count() == 2
    release.set()
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.undo_stack.count() == 0
    assert not window.undo_stack.canUndo() and not window.undo_stack.canRedo()
    disk.room()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 55, timeout=5000)
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Saved.", timeout=5000)
    wait_idle(qtbot, window.session)
    assert challenges(hq_db) == "ONE"
    # the one save that was made is what Undo undoes
    assert window.undo_stack.count() == 1
    window.undo()
    qtbot.waitUntil(lambda: challenges(hq_db) == "", timeout=5000)
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, "PA1.6", "2026-S1").percent == 40


def test_undo_takes_away_refused_typing_not_the_save_before(open_window, qtbot, hq_db):
    """Ctrl+Z in an indicator holding "douze" (no number, never saved) undid the save
    before it, another field's (the percent emptied in the database), and left
    "douze" where it was. It takes away the refused typing, and the save stays."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    before = db_report(hq_db, "PA1.6", "2026-S1").percent
    editor.percent.setFocus()
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "20")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 20, timeout=5000)
    wait_idle(qtbot, window.session)
    field = next(iter(editor.indicator_edits.values()))
    field.setFocus()
    qtbot.keyClicks(field, "douze")
    editor.save_now()  # refused: its error shown
    assert any(e.isVisible() for e in editor.errors.values())
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.session)
    assert field.text() == ""
    assert not any(e.isVisible() for e in editor.errors.values())
    assert editor.percent.text().startswith("20")
    assert db_report(hq_db, "PA1.6", "2026-S1").percent == 20
    # the next undo is the percent's save, as before
    window.undo_action.trigger()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == before,
                    timeout=5000)
