"""Closing never loses typing silently: when neither the database nor the drafts file
can hold it (a full disk), the window asks first (ui.unkept)."""

from __future__ import annotations

import errno
import os

import pytest
from PySide6.QtWidgets import QApplication

import ui.drafts
import ui.report_editor
from fieldplan import files
from fieldplan.errors import StoreError
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report

TYPED = "Typed while the disk was full. " * 20


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


class FullDisk:
    """The disk is full until ``free()``: the drafts file and the database's writes
    fail with ENOSPC, as they do for real."""

    def __init__(self, monkeypatch) -> None:
        self.full = True
        write_atomic = ui.drafts.write_atomic
        record_progress = ui.report_editor.record_progress
        enospc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def write(path, data, **kw):
            if self.full:
                raise files.cannot_write(path, enospc)
            return write_atomic(path, data, **kw)

        def record(*args, **kw):
            if self.full:
                raise StoreError("could not save to the database, nothing was changed: "
                                 "the disk is full")
            return record_progress(*args, **kw)

        monkeypatch.setattr(ui.drafts, "write_atomic", write)
        monkeypatch.setattr(ui.report_editor, "record_progress", record)

    def free(self) -> None:
        self.full = False


def type_on_a_full_disk(open_window, qtbot, db, monkeypatch):
    """A window whose typing in PA1.6's Challenges nothing can hold."""
    window = open_window(db)
    editor = choose(window, qtbot, "PA1.6")
    disk = FullDisk(monkeypatch)
    qtbot.keyClicks(editor.narratives["challenges"], TYPED)
    editor.save_now()
    qtbot.waitUntil(lambda: "drafts file cannot be written: cannot write"
                    in window.save_state_label.text(), timeout=5000)
    # (the database's refusal comes back from its worker, the drafts file's from the
    # journal's writer: either may be heard first)
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
    return window, editor, disk


def question(window, qtbot):
    from ui.unkept import UnkeptDialog

    def shown():
        return [d for d in window.findChildren(UnkeptDialog, "unkept-dialog")
                if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=5000)
    return shown()[0]


def drafts_file(db):
    import json

    path = db.with_name(db.name + ".drafts.json")
    ui.drafts.flush_all()
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(d["action"], d["period"]): d.get("values") for d in data["drafts"]}


def kept(db) -> bool:
    """Whether the typing is in the database or in the drafts file (for the next
    start): a save on its way as room was made may come first, or the file."""
    return (db_report(db, "PA1.6", "2026-S1").challenges == TYPED
            or (drafts_file(db).get(("PA1.6", "2026-S1")) or {}).get("challenges") == TYPED)


def freed_and_closed(window, qtbot, disk, db) -> None:
    """Make room, let the window close as asked, and check the typing is kept."""
    disk.free()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.session)
    assert kept(db)


def test_closing_asks_when_the_typing_is_nowhere_and_going_back_keeps_it(
        open_window, qtbot, hq_db, monkeypatch):
    """The reviewer's case: on a full disk the window closed with no question, and the
    typed text was in neither the database nor the drafts file."""
    from PySide6.QtCore import Qt

    window, editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    window.close()
    dialog = question(window, qtbot)
    assert window.isVisible()
    assert "PA1.6" in dialog.text.text() and "it is lost" in dialog.text.text()
    assert TYPED.strip() in dialog.details.toPlainText()
    assert "Challenges" in dialog.details.toPlainText()
    assert dialog.reason.text().startswith("The drafts file cannot be written: cannot write")
    assert "the disk is full" in dialog.reason.text()
    # going back is the default: Enter and Escape both leave the window open
    assert dialog.back_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert window.isVisible() and editor.narratives["challenges"].toPlainText() == TYPED
    window.quit_action.trigger()  # Quit asks too
    dialog = question(window, qtbot)
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert window.isVisible()
    assert drafts_file(hq_db) == {}  # (nothing could be written)
    window.close()
    freed_and_closed(window, qtbot, disk, hq_db)


def test_the_typing_can_be_copied_and_then_the_window_closed(open_window, qtbot, hq_db,
                                                             monkeypatch):
    window, _editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    window.close()
    dialog = question(window, qtbot)
    assert not dialog.discard_button.isVisible()  # never one click from losing it
    qtbot.mouseClick(dialog.copy_button, pytest.importorskip("PySide6.QtCore").Qt
                     .MouseButton.LeftButton)
    assert TYPED.strip() in QApplication.clipboard().text()
    assert "PA1.6" in QApplication.clipboard().text()
    assert "Copied to the clipboard" in dialog.message.text()
    assert window.isVisible() and dialog.discard_button.isVisible()
    dialog.discard_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    disk.free()
    wait_idle(qtbot, window.session)


def test_the_typing_can_be_saved_to_a_file_and_then_the_window_closes(
        open_window, qtbot, hq_db, monkeypatch, tmp_path):
    from ui.ops import off_thread_jobs

    window, _editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    window.close()
    dialog = question(window, qtbot)
    # a folder that is gone (the USB stick pulled out): said, and still asked
    dialog.save_to(str(tmp_path / "gone" / "typed.txt"))
    qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=5000)
    qtbot.waitUntil(lambda: "Not saved to the file" in dialog.message.text(), timeout=5000)
    assert window.isVisible() and dialog.isVisible()
    dialog.save_to(str(tmp_path / "typed.txt"))
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    text = (tmp_path / "typed.txt").read_text(encoding="utf-8")
    assert TYPED.strip() in text and "PA1.6" in text and "Challenges" in text
    disk.free()
    wait_idle(qtbot, window.session)


def test_room_made_while_asked_saves_the_typing_and_closes(open_window, qtbot, hq_db,
                                                          monkeypatch):
    window, _editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    window.close()
    dialog = question(window, qtbot)
    dialog.retry_button.click()  # still full: still asked
    assert window.isVisible() and dialog.isVisible()
    assert dialog.message.text() == "Still not saved."
    freed_and_closed(window, qtbot, disk, hq_db)  # the retries do it by themselves


def test_trying_again_once_there_is_room_closes(open_window, qtbot, hq_db, monkeypatch):
    window, editor, disk = type_on_a_full_disk(open_window, qtbot, hq_db, monkeypatch)
    window.close()
    dialog = question(window, qtbot)
    editor._retry.stop()  # (no retry of its own meanwhile: this is Try again's doing)
    monkeypatch.setattr(editor._retry, "update", lambda here=None: None)
    disk.free()
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert kept(hq_db)


def test_a_window_closes_as_before_when_the_drafts_file_holds_the_typing(
        open_window, qtbot, hq_db):
    """A locked database (not a full disk): the drafts file keeps it, nothing asked."""
    from tests.ui.test_no_lost_entries import Locker
    from ui.unkept import UnkeptDialog

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Kept in the drafts file")
        window.close()
        assert not window.isVisible()
        assert window.findChild(UnkeptDialog) is None
        window.session.close()
    assert drafts_file(hq_db)[("PA1.6", "2026-S1")] == {
        "challenges": "Kept in the drafts file"}


def test_a_language_change_on_a_full_disk_keeps_the_typing_in_the_new_window(
        shell, qtbot, hq_db, monkeypatch):
    """The window made anew for another language has what the old one could not keep
    (the session's drafts journal): nothing asked, nothing lost."""
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    old = shell.window
    editor = choose(old, qtbot, "PA1.6")
    disk = FullDisk(monkeypatch)
    qtbot.keyClicks(editor.narratives["challenges"], TYPED)
    editor.save_now()
    qtbot.waitUntil(lambda: "drafts file cannot be written" in old.save_state_label.text(),
                    timeout=5000)
    shell.change_language("fr")
    assert shell.window is not old and not old.isVisible()
    new = shell.window.office_view.editor
    qtbot.waitUntil(lambda: new.narratives["challenges"].toPlainText() == TYPED,
                    timeout=5000)
    shell.change_language("en")
    new = shell.window.office_view.editor
    qtbot.waitUntil(lambda: new.narratives["challenges"].toPlainText() == TYPED,
                    timeout=5000)
    disk.free()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == TYPED,
                    timeout=10_000)
    wait_idle(qtbot, shell.session)


def test_what_is_not_kept_reads_field_by_field(qtbot, tmp_path):
    from ui.drafts import DraftJournal
    from ui.unkept import unkept_text

    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(("PA1.1", "2026-S2"), {"achievements": "Two\nlines", "percent": 40,
                                       "status": "at-risk", "value.events": 12000},
                {"value.people": "twelve"})
    journal.put(("PA2.3", "2026-S2"), {"next_steps": "Visit"}, {})
    assert unkept_text(journal, [("PA1.1", "2026-S2"), ("PA2.3", "2026-S2")]) == (
        "PA1.1 (2nd semester 2026)\n\nStatus: At risk\n\nPercent complete: 40\n\n"
        "Indicator events: 12,000\n\nIndicator people: twelve\n\nAchievements:\nTwo\nlines"
        "\n\n\nPA2.3 (2nd semester 2026)\n\nNext steps:\nVisit\n")


def test_fields_waiting_for_the_set_aside_file_are_shown_with_their_text(qtbot, tmp_path):
    """Found by review: a report holding only fields the editor cannot show, waiting
    for the set-aside file (``DraftJournal.set_apart``), was listed in the close-time
    question by its name alone: its text, the very thing to copy, was missing. It is
    shown after a line saying why, after what was typed in the report."""
    from PySide6.QtWidgets import QWidget

    from ui.drafts import DraftJournal
    from ui.unkept import UnkeptDialog, unkept_text

    only, typed = ("PA1.1", "2026-S2"), ("PA1.2", "2026-S2")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(only, {"chalXenges": "Roads cut", "value.gone": 7}, {})
    journal.put(typed, {"status": "paused", "value.wells": 3, "next_steps": "Visit"}, {})
    assert journal.set_apart(only, set()) and journal.set_apart(typed, {"wells"})
    journal.put(typed, {"status": "on-track", "value.wells": 3, "next_steps": "Visit"}, {})
    assert journal.values(only) == {} and journal.unkept() == [only, typed]
    text = unkept_text(journal, [only, typed])
    assert text == (
        "PA1.1 (2nd semester 2026)\n\nThis version of fieldplan cannot show it: a field it "
        "does not have, or a value of another kind\n\nchalXenges: Roads cut\n\n"
        "Indicator gone: 7"
        "\n\n\nPA1.2 (2nd semester 2026)\n\nStatus: On track\n\nIndicator wells: 3\n\n"
        "Next steps:\nVisit\n\nThis version of fieldplan cannot show it: a field it does "
        "not have, or a value of another kind\n\nStatus: paused\n")
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = UnkeptDialog(parent, journal, [only, typed], lambda: [only, typed])
    assert dialog.details.toPlainText() == text
    dialog.reject()
    # only values of indicators the plan has no longer: said so
    dropped = DraftJournal(tmp_path / "y.sqlite3")
    dropped.put(only, {"value.gone": 7, "achievements": "ok"}, {})
    assert dropped.set_apart(only, set())
    assert unkept_text(dropped, [only]) == (
        "PA1.1 (2nd semester 2026)\n\nAchievements:\nok\n\nThe current plan has no "
        "such indicator\n\nIndicator gone: 7\n")


class SlowDisk:
    """Each write of the drafts file waits until ``done()``: a very slow disk, on which
    the write outlasts the wait of a window closing (ui.drafts.FLUSH_TIMEOUT_S), here
    made not to wait at all."""

    def __init__(self, monkeypatch) -> None:
        import threading

        self.go = threading.Event()
        write_atomic = ui.drafts.write_atomic

        def write(path, data, **kw):
            self.go.wait(60)  # (bounded: a failing test never hangs the run)
            return write_atomic(path, data, **kw)

        def flush(journal, timeout=None):
            return journal._writer.flush(0)  # closing's wait, run out at once

        monkeypatch.setattr(ui.drafts, "write_atomic", write)
        monkeypatch.setattr(ui.drafts.DraftJournal, "flush", flush)

    def done(self) -> None:
        self.go.set()


def test_a_drafts_file_written_after_closing_stopped_waiting_closes_the_window(
        open_window, qtbot, hq_db, monkeypatch):
    """The write of the drafts file outlasts closing's wait, then succeeds: the
    question closes by itself once the text is kept, as it does when a full disk has
    room again (it used to stay until "Try again")."""
    import json

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    disk = SlowDisk(monkeypatch)
    try:
        # a typo, held back: only the drafts file keeps it (no save is retried)
        editor.percent.selectAll()
        qtbot.keyClicks(editor.percent, "150")
        window.close()
        dialog = question(window, qtbot)
        assert window.isVisible() and "PA1.6" in dialog.text.text()
        assert not dialog.reason.isVisible()  # (no error: the write is still going)
        assert dialog.writing.isVisible()  # and the question says so
        disk.done()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    finally:
        disk.done()  # the writer thread ends whatever the test did
    ui.drafts.flush_all()
    path = hq_db.with_name(hq_db.name + ".drafts.json")
    held = {(d["action"], d["period"]): d.get("held")
            for d in json.loads(path.read_text(encoding="utf-8"))["drafts"]}
    assert held[("PA1.6", "2026-S1")] == {"percent": "150"}


def test_the_question_says_so_while_the_drafts_file_is_still_being_written(
        qtbot, tmp_path, monkeypatch):
    """A write of the drafts file that a slow disk holds up is no failure yet: the
    question says it is still going, and stops saying it when the write ends (here
    failing, on a full disk: the question stays, with the reason)."""
    import threading

    from PySide6.QtWidgets import QWidget

    from ui.drafts import DraftJournal
    from ui.unkept import UnkeptDialog

    go = threading.Event()
    enospc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def write(path, data, **kw):
        go.wait(60)  # (bounded: a failing test never hangs the run)
        raise files.cannot_write(path, enospc)

    monkeypatch.setattr(ui.drafts, "write_atomic", write)
    key = ("PA1.1", "2026-S2")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        journal.put(key, {"next_steps": "Visit"}, {})
        journal.write()
        dialog = UnkeptDialog(parent, journal, [key], lambda: [key])
        journal.write_did_end.connect(dialog.recheck)
        assert dialog.writing.isVisibleTo(dialog) and not dialog.reason.isVisibleTo(dialog)
        assert dialog.writing.text() == (
            "The drafts file is still being written (a slow disk); this question closes "
            "by itself when it is done.")
        with qtbot.waitSignal(journal.write_did_end, timeout=10_000):
            go.set()
        assert not dialog.writing.isVisibleTo(dialog)
        assert dialog.reason.isVisibleTo(dialog)
        assert dialog.reason.text().startswith("The drafts file cannot be written: ")
        assert dialog.result() == 0 and dialog.unkept == [key]  # still asked
    finally:
        go.set()
        journal.flush()
    dialog.reject()


@pytest.fixture
def arabic(qapp):
    from ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


def test_in_arabic_the_reports_named_read_right_to_left(qtbot, tmp_path, arabic):
    """"PA1.1 (النصف الأول 2026)" starts with a Latin code: its line in the details
    read left to right, and in the sentence two names in a row mixed into one
    left-to-right run ("2026), PA2.3")."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from ui.bidi import isolated_codes, text_direction
    from ui.drafts import DraftJournal
    from ui.unkept import UnkeptDialog, report_name

    keys = [("PA1.1", "2026-S1"), ("PA2.3", "2026-S2")]
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(keys[0], {"achievements": "Two\nlines", "percent": 40}, {})
    journal.put(keys[1], {"next_steps": "Visit"}, {})
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = UnkeptDialog(parent, journal, keys, lambda: keys)
    names = [report_name(k) for k in keys]
    assert "النصف الأول 2026" in names[0]
    text = dialog.text.text()
    for name in names:  # each whole, right to left, its code and year left to right
        assert "\u2067" + isolated_codes(name) + "\u2069" in text
    lines = dialog.details.toPlainText().split("\n")
    for name in names:
        (line,) = [x for x in lines if x.lstrip("\u200f") == name]
        assert text_direction(line) == Qt.LayoutDirection.RightToLeft, line
    dialog.reject()
