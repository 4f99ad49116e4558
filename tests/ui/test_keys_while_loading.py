"""The keyboard while a report is being read: the report's fields wait read-only for
the database's answer (on the worker), and the keyboard stays where the person put it.
The worker is held (``held_reads``) so that the keys always come before the report is
read, as they did now and then for a fast typist."""

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
    typed to choose a status went. It stays on the status."""
    from tests.ui.test_office_work import choose

    window = open_window(office_db)
    tree = window.office_view.tree
    code = tree.current_action().code if tree.current_action() else "PA1.1"
    editor = choose(window, qtbot, code, window.period)
    editor.status.setFocus()
    held_reads.hold()
    editor.reload()
    assert QApplication.focusWidget() is editor.status_read_only
    loaded(qtbot, window, held_reads)
    assert QApplication.focusWidget() is editor.status
