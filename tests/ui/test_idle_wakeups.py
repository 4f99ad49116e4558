"""A window left open all day, on a laptop on battery, wakes the computer only for
what someone could see: not at all while it is minimised or hidden."""

from __future__ import annotations

import pytest

from tests.ui.conftest import wait_idle


def test_a_minimised_window_stops_looking_and_looks_at_once_when_back(
        open_window, qtbot, office_db, monkeypatch) -> None:
    window = open_window(office_db)
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    assert window._sync_timer.isActive()
    wait_idle(qtbot, window.session)
    looks: list[str] = []
    monkeypatch.setattr(window, "check_outside", lambda: looks.append("outside"))
    monkeypatch.setattr(window, "poll", lambda: looks.append("poll"))

    window.showMinimized()
    qtbot.waitUntil(lambda: not window._outside_timer.isActive(), timeout=5000)
    # (no timer left to run: no wake-up however long it stays minimised)
    assert not window._sync_timer.isActive()
    assert looks == []

    window.showNormal()
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    assert window._sync_timer.isActive()
    # what changed meanwhile is looked for at once, not after the next interval
    assert looks == ["outside", "poll"]


def test_a_hidden_window_stops_looking(open_window, qtbot, office_db) -> None:
    window = open_window(office_db)
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    window.hide()
    qtbot.waitUntil(lambda: not window._outside_timer.isActive(), timeout=5000)
    assert not window._sync_timer.isActive()
    window.show()
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    assert window._sync_timer.isActive()


def test_a_window_started_minimised_does_not_ask_whether_it_is_painted(qtbot) -> None:
    """Started minimised (a shortcut set to start it so), the window is not painted
    until restored, maybe hours later: it asked 4 times a second meanwhile whether it
    was. It asks nothing while minimised, and often again once restored."""
    from PySide6.QtWidgets import QWidget

    from ui.main_window import FirstPaint

    widget = QWidget()
    qtbot.addWidget(widget)
    painted: list[bool] = []
    first_paint = FirstPaint(widget, lambda: painted.append(True))
    widget.showMinimized()
    first_paint.start()
    qtbot.waitUntil(widget.isMinimized, timeout=5000)
    assert not first_paint._timer.isActive()  # no look however long it stays so
    assert painted == []
    widget.showNormal()
    qtbot.waitUntil(lambda: painted == [True], timeout=5000)
    assert not first_paint._timer.isActive()


def test_a_window_minimised_before_its_first_paint_stops_asking(qtbot) -> None:
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QWidget

    from ui.main_window import FirstPaint

    widget = QWidget()
    qtbot.addWidget(widget)
    painted: list[bool] = []
    first_paint = FirstPaint(widget, lambda: painted.append(True))
    hidden = pytest.MonkeyPatch()
    hidden.setattr(QWindow, "isExposed", lambda self: False)  # (not on screen yet)
    try:
        widget.show()
        first_paint.start()
        assert first_paint._timer.isActive()
        widget.showMinimized()
        qtbot.waitUntil(lambda: not first_paint._timer.isActive(), timeout=5000)
    finally:
        hidden.undo()
    widget.showNormal()
    qtbot.waitUntil(lambda: painted == [True], timeout=5000)


def test_behind_another_program_the_window_looks_seldom_and_at_once_when_back(
        open_window, qtbot, office_db, monkeypatch) -> None:
    """Left open behind a browser all day, the window asked every 2 seconds whether
    another program wrote to the database: every 10 now, and once at once when
    fieldplan comes back in front (the terminal's ``fieldplan import`` shows then)."""
    from ui.main_window import OUTSIDE_CHECK_AWAY_MS, OUTSIDE_CHECK_MS
    from ui.qtcompat import Qt

    window = open_window(office_db)
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    wait_idle(qtbot, window.session)
    looks: list[str] = []
    monkeypatch.setattr(window, "check_outside", lambda: looks.append("outside"))

    window._application_state_changed(Qt.ApplicationState.ApplicationInactive)
    assert window._outside_timer.interval() == OUTSIDE_CHECK_AWAY_MS
    assert window._outside_timer.isActive() and looks == []
    window._application_state_changed(Qt.ApplicationState.ApplicationActive)
    assert window._outside_timer.interval() == OUTSIDE_CHECK_MS
    assert looks == ["outside"]
    window._application_state_changed(Qt.ApplicationState.ApplicationActive)
    assert looks == ["outside"]  # (once)
