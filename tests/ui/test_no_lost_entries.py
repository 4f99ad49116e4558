"""Nothing typed is lost: a busy or locked database, an invalid field, a failed save,
closing the window, undo on another report (the QA pass on saving)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import QPoint

from fieldplan.progress import MAX_TEXT, submit_period
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    """A save waits 50 ms for a lock and is retried every 100 ms (not 1.5 s and 3 s)."""
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


class Locker:
    """Another writer holding the database's write lock."""

    def __init__(self, db) -> None:
        self.conn = sqlite3.connect(str(db), isolation_level=None, timeout=0.1)

    def __enter__(self) -> Locker:
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def block_worker(window) -> threading.Event:
    """Hold the one worker thread (as a long write would) until the event is set."""
    from ui.ops import DbOp

    release = threading.Event()
    DbOp(window.session, None, lambda rep: release.wait(10)).run()
    return release


def journal(db) -> dict:
    """The draft journal file of ``db`` once the journals' writes are done."""
    from ui.drafts import flush_all

    flush_all()
    path = db.with_name(db.name + ".drafts.json")
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(d["action"], d["period"]): d for d in data["drafts"]}


# 1. text goes to the report whose title is shown -------------------------------------
def test_a_report_chosen_while_the_database_is_busy_takes_no_other_text(
    open_window, qtbot, hq_db
):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["achievements"]
    release = block_worker(window)
    window.office_view.tree.select("PA3.6")  # its fetch waits behind the worker
    assert editor.action.code == "PA3.6" and "PA3.6" in editor.title.text()
    assert box.isReadOnly() and not editor.status.isEnabled()
    assert box.toPlainText() == ""  # not PA1.6's text
    assert editor.notice.isVisible() and "Loading" in editor.notice.text()
    box.setFocus()
    qtbot.keyClicks(box, "typed too soon")
    assert box.toPlainText() == ""
    release.set()
    qtbot.waitUntil(lambda: not box.isReadOnly(), timeout=5000)
    # kept while PA3.6 was read, and typed in it once read (ui.held_keys)
    assert box.toPlainText() == "typed too soon"
    qtbot.keyClicks(box, ", for PA3.6")
    editor.save_now()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA3.6", "2026-S1").achievements
        == "typed too soon, for PA3.6", timeout=5000
    )
    assert db_report(hq_db, "PA1.6", "2026-S1").achievements == "Joint statement drafted"
    wait_idle(qtbot, window.session)


# 2. an invalid field is held back, the valid ones are saved --------------------------
@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("percent", "150", "from 0 to 100"),
        ("value.advocacy-events", "nan", "number"),
        ("value.advocacy-events", "1e400", "number"),
        ("value.advocacy-events", "-inf", "number"),
        ("achievements", "x" * (MAX_TEXT + 1), "the limit is"),
    ],
)
def test_an_invalid_field_does_not_take_the_valid_ones_with_it(
    open_window, qtbot, hq_db, field, text, message
):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    if field in editor.narratives:
        editor.narratives[field].setPlainText(text)
    elif field == "percent":
        editor.percent.setText(text)
    else:
        editor.indicator_edits[field.split(".", 1)[1]].setText(text)
    editor._edited()
    qtbot.keyClicks(editor.narratives["challenges"], "Valid text")
    editor.save_now()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA3.6", "2026-S1").challenges == "Valid text", timeout=5000
    )
    assert editor.errors[field].isVisible() and message in editor.errors[field].text()
    report = db_report(hq_db, "PA3.6", "2026-S1")
    assert report.percent == 10 and report.value("advocacy-events") is None
    assert report.achievements == ""
    # the text held back is in the draft journal: closing the window does not lose it
    assert journal(hq_db)[("PA3.6", "2026-S1")]["held"] == {field: text}
    wait_idle(qtbot, window.session)


# 3. the draft journal -----------------------------------------------------------------
def test_a_failed_save_is_kept_in_the_journal_and_retried(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    with Locker(hq_db):
        qtbot.keyClicks(box, "Visa delays")
        editor.save_now()
        qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
        assert journal(hq_db)[("PA1.6", "2026-S1")]["values"] == {"challenges": "Visa delays"}
        qtbot.waitUntil(window.save_state_label.isVisible, timeout=5000)
        assert "1 report not saved yet" in window.save_state_label.text()
    # nothing touched: the retry saves it once the lock is gone
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000
    )
    qtbot.waitUntil(lambda: not window.save_state_label.isVisible(), timeout=5000)
    assert journal(hq_db) == {}
    assert editor.saved_label.text() == "Saved."
    wait_idle(qtbot, window.session)


def test_a_report_left_after_a_failed_save_is_retried_in_the_background(
    open_window, qtbot, hq_db
):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
        window.office_view.tree.select("PA3.6")  # the user moves on; the save fails
        qtbot.waitUntil(window.save_state_label.isVisible, timeout=5000)
        assert "1 report not saved yet — retrying" in window.save_state_label.text()
        assert "PA1.6" in window.save_state_label.toolTip()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000
    )
    qtbot.waitUntil(lambda: not window.save_state_label.isVisible(), timeout=5000)
    assert journal(hq_db) == {}
    wait_idle(qtbot, window.session)


def test_a_failed_save_is_announced_once_and_reached_by_the_keyboard(
    open_window, qtbot, hq_db, monkeypatch
):
    """The status bar's "not saved" is said to a screen reader when it appears (not
    only painted red in a corner), once, and Tab reaches it with which reports and why
    read with it (they were in a tooltip, the mouse's alone)."""
    import ui.dialogs
    from ui.qtcompat import Qt

    announced = []
    monkeypatch.setattr(ui.dialogs, "announce", announced.append)
    window = open_window(hq_db)
    label = window.save_state_label
    assert label.accessibleName() == "Saving"
    assert label.focusPolicy() == Qt.FocusPolicy.NoFocus  # nothing to say: not in Tab's way
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
        window.office_view.tree.select("PA3.6")
        qtbot.waitUntil(label.isVisible, timeout=5000)
        # (PA3.6 on screen before typing: typed earlier, it went to PA1.6)
        qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA3.6"
                        and editor.status.isEnabled(), timeout=5000)
        qtbot.keyClicks(editor.narratives["challenges"], "More")
        editor.save_now()
        qtbot.waitUntil(lambda: "2 reports" in label.text(), timeout=5000)
        assert announced == [label]  # said once, not at each retry
        assert label.focusPolicy() == Qt.FocusPolicy.StrongFocus
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
        assert "PA1.6" in label.accessibleDescription()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    assert label.focusPolicy() == Qt.FocusPolicy.NoFocus
    wait_idle(qtbot, window.session)


def test_closing_on_a_locked_database_is_quick_and_the_typing_comes_back(
    open_window, qtbot, hq_db
):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Typed while locked")
        start = time.monotonic()
        window.close()
        window.session.close()
        assert time.monotonic() - start < 5  # not the 30 s the core's connection waits
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == ""
    assert journal(hq_db)[("PA1.6", "2026-S1")]["values"] == {"challenges": "Typed while locked"}

    window = open_window(hq_db)  # the next start
    editor = choose(window, qtbot, "PA1.6")
    assert editor.narratives["challenges"].toPlainText() == "Typed while locked"
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Typed while locked",
        timeout=5000,
    )
    qtbot.waitUntil(lambda: journal(hq_db) == {}, timeout=5000)
    wait_idle(qtbot, window.session)


def test_a_language_change_keeps_a_save_that_failed(shell, qtbot, hq_db, settings):
    shell.open(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Before the switch")
        shell.change_language("fr")
        wait_idle(qtbot, shell.session)
    editor = shell.window.office_view.editor
    qtbot.waitUntil(
        lambda: editor.action is not None and editor.action.code == "PA1.6", timeout=5000
    )
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Before the switch",
        timeout=5000,
    )
    assert editor.narratives["challenges"].toPlainText() == "Before the switch"
    wait_idle(qtbot, shell.session)
    shell.window.close()


def test_a_draft_refused_for_good_is_kept_and_its_reason_shown(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    qtbot.keyClicks(editor.narratives["challenges"], "Late words")
    release = block_worker(window)
    window.office_view.tree.select("PA3.6")  # PA1.6's save waits behind the worker
    with open_replica(hq_db) as rep:  # another process submits the period meanwhile
        submit_period(rep, "2026-S1")
    release.set()
    qtbot.waitUntil(lambda: "submitted" in window.save_state_label.text(), timeout=5000)
    assert "PA1.6" in window.save_state_label.text()
    assert journal(hq_db)[("PA1.6", "2026-S1")]["values"] == {"challenges": "Late words"}
    wait_idle(qtbot, window.session)
    window.office_view.tree.select("PA1.6")
    qtbot.waitUntil(lambda: "Unsaved changes are shown" in editor.notice.text(), timeout=5000)
    # why it was refused, as a sentence
    assert editor.general_error.isVisible()
    assert editor.general_error.text()[:1].isupper(), editor.general_error.text()
    assert editor.narratives["challenges"].toPlainText() == "Late words"
    assert editor.narratives["challenges"].isReadOnly()
    assert ("PA1.6", "2026-S1") in journal(hq_db)
    wait_idle(qtbot, window.session)
    editor.reopen()  # once it can be edited again, the kept words are saved
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Late words", timeout=5000
    )
    qtbot.waitUntil(lambda: journal(hq_db) == {}, timeout=5000)
    wait_idle(qtbot, window.session)


# 4. undo ------------------------------------------------------------------------------
def test_undo_does_not_reach_a_report_not_on_screen(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    qtbot.keyClicks(editor.narratives["challenges"], "Kept")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Kept", timeout=5000)
    choose(window, qtbot, "PA3.6")
    assert not window.undo_action.isEnabled()
    window.undo()
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == "Kept"


def test_a_redo_that_fails_leaves_the_screen_as_the_database_is(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    qtbot.keyClicks(box, "Visa")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa", timeout=5000)
    wait_idle(qtbot, window.session)
    window.undo()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "", timeout=5000)
    wait_idle(qtbot, window.session)
    with Locker(hq_db):
        window.redo()
        assert box.toPlainText() == "Visa"
        qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
        assert box.toPlainText() == ""  # what the database has
        assert window.undo_stack.canRedo()  # the redo can be tried again
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == ""
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: journal(hq_db) == {}, timeout=5000)


# 5. a failed save is seen without scrolling -------------------------------------------
def test_a_failed_save_is_in_sight_at_1366_by_768(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.resize(1366, 768)
    editor = choose(window, qtbot, "PA3.6")
    box = editor.narratives["next_steps"]
    editor.ensureWidgetVisible(box)
    with Locker(hq_db):
        box.setFocus()
        qtbot.keyClicks(box, "Print the leaflets")
        editor.save_now()
        qtbot.waitUntil(lambda: editor.general_error.isVisible(), timeout=5000)
        viewport = editor.viewport()
        top_left = editor.general_error.mapTo(viewport, QPoint(0, 0))
        assert 0 <= top_left.y() < viewport.height()  # scrolled into sight
        assert editor.general_error.text().startswith("The database is busy")  # a sentence
        assert window.save_state_label.isVisible()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: not window.save_state_label.isVisible(), timeout=5000)


# 6. a status filter does not take the report away mid-typing ---------------------------
def test_a_filtered_out_status_keeps_the_report_being_edited(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    tree = window.office_view.tree
    tree.status.setCurrentIndex(tree.status.findData("on-track"))
    wait_idle(qtbot, window.session)
    editor.status.setCurrentIndex(editor.status.findData("at-risk"))
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").status == "at-risk", timeout=5000)
    wait_idle(qtbot, window.session)
    assert tree.current_action() is not None and tree.current_action().code == "PA1.6"
    assert editor.action.code == "PA1.6" and editor.status.isEnabled()


# 7. Arabic digits and separators ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "number"),
    [("١٫٥", 1.5), ("١٬٢٣٤", 1234), ("١٢", 12), ("۱۲", 12), ("nan", None)],
)
def test_numbers_typed_with_arabic_digits_and_separators(text, number):
    from ui.report_editor import parse_number

    assert parse_number(text) == number



def test_the_last_keys_typed_as_a_lock_comes_in_are_kept_with_the_draft(
        open_window, qtbot, hq_db, monkeypatch):
    """"Wells" typed, the period locked (an import, on the worker), " dug" typed while
    the report is read again: the report cannot be edited now, and the whole of what
    was typed is its draft, shown and kept until the period is unlocked (" dug" went
    nowhere, unsaid)."""
    import ui.report_editor
    from fieldplan.progress import set_period_lock
    from ui.ops import DbOp

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Wells")
    read = threading.Event()
    real = ui.report_editor.get_report

    def get_report(*args, **kwargs):
        if not editor._editable:  # (the report read again: held until the keys are in)
            read.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.report_editor, "get_report", get_report)
    try:
        DbOp(window.session, window, lambda rep: set_period_lock(rep, "2026-S1")).run()
        qtbot.waitUntil(lambda: not editor._editable, timeout=5000)
        qtbot.keyClicks(box, " dug")
    finally:
        read.set()
    qtbot.waitUntil(lambda: "locked" in editor.notice.text(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert box.toPlainText() == "Wells dug" and box.isReadOnly()
    assert "What was typed is shown below" in editor.notice.text()
    assert journal(hq_db)[("PA1.6", "2026-S1")]["values"] == {"challenges": "Wells dug"}
    # unlocked: saved whole
    DbOp(window.session, window, lambda rep: set_period_lock(rep, "2026-S1", False)).run()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Wells dug",
                    timeout=5000)
    wait_idle(qtbot, window.session)


def test_the_submit_dialog_names_values_typed_and_not_saved_yet(open_window, qtbot, hq_db):
    """Found by QA: a save that failed (another program writing the database) left
    the text in the drafts file, retried every few seconds; the submit dialog said
    nothing of it, and a submit the database took before the next try sent the
    report without it (the text then waited for a reopen). It names those reports,
    and Enter does not submit."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
        window.office_view.tree.select("PA3.6")  # the user moves on; the save fails
        qtbot.waitUntil(lambda: "1 report not saved yet" in window.save_state_label.text(),
                        timeout=5000)
        window.submit_action.trigger()
        qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None,
                        timeout=5000)
        dialog = window.findChild(object, "submit-dialog")
        assert ("Typed but not saved yet, so not submitted: PA1.6. Submit once it is "
                "saved.") in dialog.text.text()
        assert dialog.cancel_button.isDefault()
        dialog.reject()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000)
    wait_idle(qtbot, window.session)
