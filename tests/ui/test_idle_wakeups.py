"""A window left open all day, on a laptop on battery, wakes the computer only for
what someone could see: not at all while it is minimised or hidden."""

from __future__ import annotations

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
