"""The keyboard while a report is being read: the report's fields wait read-only for
the database's answer (on the worker), and what a person types meanwhile goes where
they aimed it. The worker is held (``held_reads``) so that the keys always come before
the report is read, as they did now and then for a fast typist."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


class HeldReads:
    """The editor's reading of a report (``get_report`` on the worker) made to wait
    while ``held``: what the window does meanwhile is what a person sees while a slow
    disk answers."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.waiting = 0

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wrap(self, real):
        def get_report(*args, **kwargs):
            if not self._open.is_set():
                self.waiting += 1
                self._open.wait(30)
            return real(*args, **kwargs)

        return get_report


@pytest.fixture
def held_reads(monkeypatch):
    import ui.report_editor

    reads = HeldReads()
    monkeypatch.setattr(ui.report_editor, "get_report", reads.wrap(ui.report_editor.get_report))
    yield reads
    reads.release()  # (never leave the worker waiting)


def press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """``key`` pressed where the keyboard is, as a person presses it."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifiers)


def type_in(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def loaded(qtbot, window, reads: HeldReads) -> None:
    """Let the report be read, and wait until it is shown."""
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: reads.waiting > 0, timeout=5000)
    reads.release()
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)


def db_report(path, code: str, period: str):
    from fieldplan.progress import get_report

    with open_replica(path) as rep:
        return get_report(rep, code, period, rep.office)


def test_what_is_typed_while_the_report_loads_goes_to_its_fields(
        open_window, qtbot, office_db, held_reads):
    """Ctrl+1, Down, Alt+M "40", Alt+A "Visa": the percent and the achievements are
    typed in the report chosen once it is read; they went nowhere (read-only fields)."""
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    window.go_to_tab(1)
    held_reads.hold()
    press(qtbot, Qt.Key.Key_1, CTRL)
    assert QApplication.focusWidget() is tree.tree
    press(qtbot, Qt.Key.Key_Down)
    chosen = tree.current_action()
    assert chosen is not None and editor.action is chosen and not editor._editable
    press(qtbot, Qt.Key.Key_M, ALT)
    assert QApplication.focusWidget() is editor.percent  # (read-only, while it loads)
    type_in(qtbot, "40")
    press(qtbot, Qt.Key.Key_A, ALT)
    assert QApplication.focusWidget() is editor.narratives["achievements"]
    type_in(qtbot, "Visa")
    assert editor.percent.text() == ""
    loaded(qtbot, window, held_reads)
    assert editor.percent.text() == "40"
    assert editor.narratives["achievements"].toPlainText() == "Visa"
    assert QApplication.focusWidget() is editor.narratives["achievements"]
    assert tree.status.currentData() == ""  # the plan's filter untouched
    editor.save_now()
    wait_idle(qtbot, window.session)
    saved = db_report(office_db, chosen.code, window.period)
    assert (saved.percent, saved.achievements) == (40, "Visa")
    # typed, so undone as typing is
    assert window.undo_action.isEnabled()


def test_a_line_entered_by_its_key_is_replaced_by_what_is_typed(
        open_window, qtbot, office_db, held_reads):
    """Alt+M on a report with 10 % saved, then "40" before it is read: 40, as typed
    over the whole line once read (Qt selects a line entered with its key), not 1040."""
    from tests.ui.test_office_work import choose

    window = open_window(office_db)
    tree = window.office_view.tree
    code = tree.current_action().code if tree.current_action() else "PA1.1"
    editor = choose(window, qtbot, code, window.period)
    editor.percent.setFocus()
    type_in(qtbot, "10")
    editor.save_now()
    wait_idle(qtbot, window.session)
    held_reads.hold()
    tree.tree.setFocus()
    editor.reload()  # (the same report read again, as after an import)
    press(qtbot, Qt.Key.Key_M, ALT)
    type_in(qtbot, "40")
    loaded(qtbot, window, held_reads)
    assert editor.percent.text() == "40"


def test_the_keyboard_stays_in_an_actual_when_the_report_is_read_again(
        open_window, qtbot, office_db):
    """The Actual fields are made again as the report is read again (an import, a
    lock, a submit): the keyboard went with the one it was in, to no widget, and the
    next keys went nowhere. It stays in the same indicator's field."""
    from tests.ui.test_office_work import choose

    window = open_window(office_db)
    tree = window.office_view.tree
    code = tree.current_action().code if tree.current_action() else "PA1.1"
    editor = choose(window, qtbot, code, window.period)
    key, field = next(iter(editor.indicator_edits.items()))
    field.setFocus()
    editor.reload()
    wait_idle(qtbot, window.session)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert editor.indicator_edits[key] is not field  # (made again)
    assert QApplication.focusWidget() is editor.indicator_edits[key]
    type_in(qtbot, "7")
    assert editor.indicator_edits[key].text() == "7"
    wait_idle(qtbot, window.session)


def test_the_status_keeps_the_keyboard_while_its_report_is_read_again(
        open_window, qtbot, office_db, held_reads):
    """On the status while the report is read again: the keyboard went on to Percent
    (the combo disabled before the read-only status took its place), where the letter
    typed to choose a status went. It stays on the status, and the letter chooses."""
    from tests.ui.test_office_work import choose

    window = open_window(office_db)
    tree = window.office_view.tree
    code = tree.current_action().code if tree.current_action() else "PA1.1"
    editor = choose(window, qtbot, code, window.period)
    editor.status.setFocus()
    held_reads.hold()
    editor.reload()
    assert QApplication.focusWidget() is editor.status_read_only
    type_in(qtbot, "a")
    loaded(qtbot, window, held_reads)
    assert QApplication.focusWidget() is editor.status
    assert editor.status.currentData() == "at-risk"
    assert editor.percent.text() == ""


def test_nothing_kept_for_a_report_left_before_it_was_read(
        open_window, qtbot, office_db, held_reads):
    """Keys typed in a report still loading, then another action chosen: they were
    meant for the first one, and are not typed into the second."""
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    held_reads.hold()
    tree.tree.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_M, ALT)
    type_in(qtbot, "40")
    tree.tree.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    second = tree.current_action()
    loaded(qtbot, window, held_reads)
    assert editor.action is second
    assert editor.percent.text() == ""


@pytest.fixture
def office_with_a_draft(office_db):
    """``office_db`` with a draft in the period its window opens on."""
    from fieldplan.progress import record_progress
    from ui.context import read_identity

    with open_replica(office_db) as rep:
        identity = read_identity(rep)
        action = identity.plan.actions_of(level=identity.level)[-1]
        record_progress(rep, action.code, identity.current_period(), status="on-track")
    return office_db


def test_submit_pressed_while_the_report_loads_asks_once_it_is_read(
        open_window, qtbot, office_with_a_draft, held_reads):
    """Alt+T, Alt+M and Ctrl+Shift+Enter before the report is read: the mnemonics reach
    the read-only fields, and the submit question opens, with the keyboard, once the
    report is read (not the plan's filters)."""
    window = open_window(office_with_a_draft)
    editor = window.office_view.editor
    tree = window.office_view.tree
    window.go_to_tab(1)
    held_reads.hold()
    press(qtbot, Qt.Key.Key_1, CTRL)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_T, ALT)
    assert QApplication.focusWidget() is editor.status_read_only
    press(qtbot, Qt.Key.Key_M, ALT)
    assert QApplication.focusWidget() is editor.percent
    press(qtbot, Qt.Key.Key_Return, CTRL | SHIFT)
    loaded(qtbot, window, held_reads)
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None
                    and window.findChild(object, "submit-dialog").isVisible(), timeout=5000)
    dialog = window.findChild(object, "submit-dialog")
    assert dialog.isAncestorOf(QApplication.focusWidget())
    assert tree.status.currentData() == "" and tree.level.currentData() == "national"
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_nothing_typed_into_a_report_that_cannot_be_edited(
        open_window, qtbot, office_db, held_reads):
    """Keys typed while a submitted report loads: it cannot take them (its notice says
    so), and they are not typed into the next report read either."""
    from fieldplan.progress import record_progress, submit_period
    from ui.context import read_identity

    with open_replica(office_db) as rep:
        identity = read_identity(rep)
        period = identity.current_period()
        first, second = identity.plan.actions_of(level=identity.level)[:2]
        record_progress(rep, first.code, period, status="on-track", percent=10)
        submit_period(rep, period)
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    held_reads.hold()
    assert tree.select(first.code)
    editor.percent.setFocus()
    type_in(qtbot, "40")
    held_reads.release()
    qtbot.waitUntil(lambda: "submitted" in editor.notice.text(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.percent.text() == "10" and editor.percent.isReadOnly()
    tree.select(second.code)
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.percent.text() == ""


def test_a_line_clicked_into_while_another_report_loads_takes_what_is_typed(
        open_window, qtbot, office_db, held_reads):
    """Another report chosen, its Percent (10 % saved) shown empty while it is read, the
    field clicked into and "40" typed: 40 once read, as the person saw it typed into an
    empty line, not 1040 (the keys went after the 10 they never saw)."""
    from fieldplan.progress import record_progress
    from ui.context import read_identity

    with open_replica(office_db) as rep:
        identity = read_identity(rep)
        period = identity.current_period()
        first, second = identity.plan.actions_of(level=identity.level)[:2]
        record_progress(rep, first.code, period, status="on-track", percent=10)
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    assert tree.select(second.code)
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)
    held_reads.hold()
    assert tree.select(first.code)
    assert editor.percent.text() == "" and not editor._editable
    qtbot.mouseClick(editor.percent, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is editor.percent
    type_in(qtbot, "40")
    loaded(qtbot, window, held_reads)
    assert editor.percent.text() == "40"
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert db_report(office_db, first.code, period).percent == 40


def test_a_text_box_typed_in_while_another_report_loads_keeps_both_texts(
        open_window, qtbot, office_db, held_reads):
    """Another report chosen, its Achievements ("Wells dug.") shown empty while it is
    read, Alt+A and "Visa" typed: the two ran together once read, "VisaWells dug.",
    and were saved so (its Enter lost: the narratives are QTextEdits, only a
    QPlainTextEdit's was kept). What was typed goes after the text read, on a line of
    its own."""
    from fieldplan.progress import record_progress
    from ui.context import read_identity

    with open_replica(office_db) as rep:
        identity = read_identity(rep)
        period = identity.current_period()
        first, second = identity.plan.actions_of(level=identity.level)[:2]
        record_progress(rep, first.code, period, status="on-track",
                        achievements="Wells dug.")
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    assert tree.select(second.code)
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)
    held_reads.hold()
    assert tree.select(first.code)
    press(qtbot, Qt.Key.Key_A, ALT)
    box = editor.narratives["achievements"]
    assert QApplication.focusWidget() is box and box.toPlainText() == ""
    type_in(qtbot, "Visa")
    press(qtbot, Qt.Key.Key_Return)  # (a new line in a text box: kept too)
    type_in(qtbot, "ok")
    loaded(qtbot, window, held_reads)
    assert box.toPlainText() == "Wells dug.\nVisa\nok"
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert db_report(office_db, first.code, period).achievements == "Wells dug.\nVisa\nok"
    # typed, so undone as typing is: the report's own text stays
    window.undo_action.trigger()
    wait_idle(qtbot, window.session)
    assert box.toPlainText().startswith("Wells dug.")


def test_a_language_change_while_the_report_loads_keeps_what_was_typed(
        shell, qtbot, hq_db, held_reads):
    """PA3.6 chosen, "40" and "Wells dug" typed while it is read, and French chosen
    before it is: the window made again types them in once it has read PA3.6; they
    went with the old window."""
    from tests.ui.test_office_work import choose

    shell.open(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    editor = choose(window, qtbot, "PA1.6")
    held_reads.hold()
    window.office_view.tree.select("PA3.6")
    editor.percent.setFocus()
    type_in(qtbot, "40")
    editor.narratives["achievements"].setFocus()
    type_in(qtbot, "Wells dug")
    assert not editor._editable and editor.narratives["achievements"].toPlainText() == ""
    shell.change_language("fr")
    window = shell.window
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA3.6",
                    timeout=5000)
    loaded(qtbot, window, held_reads)
    assert editor.percent.text() == "40"  # (over the 10 % read: typed while it was unseen)
    assert editor.narratives["achievements"].toPlainText() == "Wells dug"
    editor.save_now()
    wait_idle(qtbot, shell.session)
    saved = db_report(hq_db, "PA3.6", "2026-S1")
    assert (saved.percent, saved.achievements) == (40, "Wells dug")
    shell.window.close()


def _typed_while_another_report_loads(open_window, qtbot, office_db, held_reads):
    """A window on the second action, the first chosen (10 % and "Wells dug." saved)
    and held while it is read, "40" typed in its Percent and "Visa" in its
    Achievements: (window, first action's code, period)."""
    from fieldplan.progress import record_progress
    from ui.context import read_identity

    with open_replica(office_db) as rep:
        identity = read_identity(rep)
        period = identity.current_period()
        first, second = identity.plan.actions_of(level=identity.level)[:2]
        record_progress(rep, first.code, period, status="on-track", percent=10,
                        achievements="Wells dug.")
    window = open_window(office_db)
    editor = window.office_view.editor
    tree = window.office_view.tree
    assert tree.select(second.code)
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)
    held_reads.hold()
    assert tree.select(first.code)
    qtbot.mouseClick(editor.percent, Qt.MouseButton.LeftButton)
    type_in(qtbot, "40")
    press(qtbot, Qt.Key.Key_A, ALT)
    type_in(qtbot, "Visa")
    assert not editor._editable and editor.percent.text() == ""
    return window, first.code, period


def test_closing_while_the_report_loads_types_in_what_was_typed(
        open_window, qtbot, office_db, held_reads):
    """Keys typed while the report is read, then the window closed: they were in
    neither the database nor the drafts file, and closing lost them without its
    question. Closing waits for the report, and they are typed in and kept as any
    typing: the Percent typed over, the text after the report's own."""
    from PySide6.QtCore import QTimer

    from tests.ui.test_no_lost_entries import journal

    window, code, period = _typed_while_another_report_loads(
        open_window, qtbot, office_db, held_reads)
    QTimer.singleShot(0, held_reads.release)  # (read while closing waits)
    window.close()
    assert not window.isVisible()  # closed, nothing asked
    wait_idle(qtbot, window.session)
    saved = db_report(office_db, code, period)
    draft = journal(office_db).get((code, period), {}).get("values", {})
    assert draft.get("percent", saved.percent) == 40
    assert draft.get("achievements", saved.achievements) == "Wells dug.\nVisa"


def test_closing_while_the_report_is_slow_to_load_keeps_what_was_typed(
        open_window, qtbot, office_db, held_reads, monkeypatch):
    """The report still not read when closing has waited (a worker busy with an
    import): what was typed is in the drafts file as it was typed, over no version
    (its report's values unseen: the next start keeps both where they differ)."""
    import ui.report_editor
    from tests.ui.test_no_lost_entries import journal

    monkeypatch.setattr(ui.report_editor, "HELD_KEYS_WAIT_MS", 50, raising=False)
    window, code, period = _typed_while_another_report_loads(
        open_window, qtbot, office_db, held_reads)
    window.close()
    assert not window.isVisible()
    draft = journal(office_db)[(code, period)]
    assert draft["values"]["percent"] == 40 and draft["values"]["achievements"] == "Visa"
    assert draft["base"]["percent"] == [] and draft["base"]["achievements"] == []
    held_reads.release()
    wait_idle(qtbot, window.session)
    assert db_report(office_db, code, period).achievements == "Wells dug."
    # the next start: restored and saved, the report's own text kept beside it
    window = open_window(office_db)
    editor = window.office_view.editor
    assert window.office_view.tree.select(code)
    qtbot.waitUntil(lambda: editor._editable, timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.percent.text() == "40"
    assert "Both versions are kept" in editor.notice.text()  # (a conflict: not lost)
