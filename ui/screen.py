"""Keeping windows on the screen: the main window imports this before its first
paint, so it imports no more of Qt than it needs (ui.dialogs, with every dialog's
widgets, comes later)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

#: Room left around a window for its frame and title bar, which resize() does not count.
FRAME_ROOM = (16, 48)


def keep_on_screen(window: QWidget) -> None:
    """Bring a top-level ``window`` whose geometry was restored (saved on a larger
    screen, or on one no longer attached) inside the available area of the screen it
    is now on, frame and title bar included: smaller if it must be, then moved."""
    from PySide6.QtGui import QGuiApplication

    if window.isMaximized() or window.isFullScreen():
        return  # the system fits those to the screen
    frame = window.frameGeometry()
    screen = (QGuiApplication.screenAt(frame.center()) or window.screen()
              or QGuiApplication.primaryScreen())
    if screen is None:
        return
    area = screen.availableGeometry()
    width = min(window.width(), area.width() - FRAME_ROOM[0])
    height = min(window.height(), area.height() - FRAME_ROOM[1])
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    # the frame's top-left corner (pos()), so that the frame's far edges fit too
    x = max(area.left(), min(window.x(), area.left() + area.width() - width - FRAME_ROOM[0]))
    y = max(area.top(), min(window.y(), area.top() + area.height() - height - FRAME_ROOM[1]))
    if (x, y) != (window.x(), window.y()):
        window.move(x, y)


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to width×height, or less: never beyond the available area of
    the screen it opens on (its parent's), so its buttons stay reachable on a
    1366×768 laptop with a task bar."""
    from PySide6.QtGui import QGuiApplication

    anchor = window.parentWidget() or window
    screen = anchor.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, area.width() - FRAME_ROOM[0])
        height = min(height, area.height() - FRAME_ROOM[1])
    window.resize(max(width, window.minimumSizeHint().width()), height)
