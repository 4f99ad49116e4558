"""No widget outlives its window on the C++ side.

Python's cyclic collector (run on the GUI thread, ui.collector) may clear the
attributes of a widget's Python side whose C++ side Qt still holds: a dialog that was
closed but never deleted, a window replaced at a language change. Qt still tells it of
a font change, a new language or a layout request, and its Python override then read
an attribute that was gone (``WrappedLabel._gap_before`` in an event filter,
``RowThenEnd._items`` in ``itemAt``): an AttributeError at every such event from then
on. The tests below close the windows and dialogs as the client does, drop them, run
the collector, clear what is left of their Python sides (as the collector does) and
send what Qt sends later: nothing of them must be left to hear it."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import wait_idle


def _ours(widget: QWidget) -> bool:
    """A widget of a Python class of the client (one with overrides of Qt's virtuals)."""
    return type(widget).__module__.startswith("ui.")


def _left_outside(window: QWidget) -> list[QWidget]:
    """The client's widgets alive on the C++ side, once the collector has run and Qt's
    deferred deletions are done, that are neither ``window`` nor in it."""
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return [w for w in QApplication.allWidgets() if _ours(w) and not _in(w, window)]


def _in(widget: QWidget, window: QWidget) -> bool:
    """``widget`` is ``window`` or one of its own (its menus' and lists' pop-ups too,
    windows of their own)."""
    while widget is not None:
        if widget is window:
            return True
        widget = widget.parentWidget()
    return False


def _as_the_collector_leaves_them_then_a_new_font(widgets: list[QWidget], qapp) -> None:
    """Clear the Python attributes of ``widgets`` as Python's collector clears those of
    a cycle, then change the application's font and let Qt tell every widget."""
    for widget in widgets:
        vars(widget).clear()
    font = QFont(qapp.font())
    font.setPointSizeF(font.pointSizeF() + 2)
    qapp.setFont(font)
    QApplication.processEvents()


def test_the_first_run_dialog_is_gone_once_the_window_is_up(shell, qtbot, tmp_path, qapp,
                                                            font_size):
    shell.start(tmp_path / "hq.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.create_hq()
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    left = _left_outside(shell.window)
    names = sorted({type(w).__name__ for w in left})
    _as_the_collector_leaves_them_then_a_new_font(left, qapp)
    assert names == []


def test_the_window_a_language_change_replaced_is_gone(shell, qtbot, hq_db, qapp,
                                                       font_size):
    shell.start(hq_db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    shell.change_language("fr")
    wait_idle(qtbot, shell.session)
    left = _left_outside(shell.window)
    names = sorted({type(w).__name__ for w in left})
    _as_the_collector_leaves_them_then_a_new_font(left, qapp)
    assert names == []
    shell.change_language("en")
    wait_idle(qtbot, shell.session)


#: the C++ addresses of the widgets the test below left, for the one after it
_left_by_the_test_before: list[int] = []


def test_a_test_leaves_its_windows_closed_but_alive(qtbot):
    """(with the next one) The windows a test leaves, closed by pytest-qt or not
    closed at all, a dialog of one of them too, are deleted once it is done
    (tests/ui/conftest.py): the next test changing the font finds none of them."""
    import shiboken6

    from ui.flow import RowThenEnd
    from ui.wrapped_label import WrappedLabel

    added = QWidget()
    qtbot.addWidget(added)  # (closed and left to Qt's deferred deletion)
    from PySide6.QtWidgets import QHBoxLayout

    row = QHBoxLayout()
    row.addWidget(WrappedLabel("A label"))
    RowThenEnd(row, WrappedLabel("1 of 2"), added)
    kept = QWidget()  # not closed at all
    WrappedLabel("Another label", kept)
    for window in (added, kept):
        window.show()
    qtbot.waitExposed(kept)
    _left_by_the_test_before[:] = [shiboken6.getCppPointer(w)[0]
                                   for window in (added, kept)
                                   for w in [window, *window.findChildren(QWidget)]]
    # (the Python sides stay, as a cycle would keep them until the collector runs)
    test_a_test_leaves_its_windows_closed_but_alive.kept = (added, kept)


def test_the_next_test_finds_none_of_them(qapp, font_size):
    import shiboken6

    test_a_test_leaves_its_windows_closed_but_alive.__dict__.pop("kept", None)
    gc.collect()
    assert _left_by_the_test_before  # (run after the one above)
    left = [w for w in QApplication.allWidgets()
            if shiboken6.getCppPointer(w)[0] in _left_by_the_test_before and _ours(w)]
    names = sorted({type(w).__name__ for w in left})
    _as_the_collector_leaves_them_then_a_new_font(left, qapp)
    assert names == []
