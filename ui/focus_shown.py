"""Which list or table has the keyboard, seen at a glance.

A page often shows two lists with a chosen row each (the Inbox's gaps above its
bundles, a conflict's list beside its versions, the plan beside a report's table):
Qt paints every chosen row in the selection's colour, the list with the focus or
not, and marks the focus with a dotted line around one row only, hardly seen. A
person working with the keyboard pressed Tab and could not tell which list the
arrows would move now. The chosen rows of the list or table with the focus keep the
selection's colour; those of every other list, table and tree are muted (the
selection's colour faded into the list's background, their text in the text's
colour), as desktops do for a window in the background."""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

#: how much of the selection's colour is left in a row chosen in a list without the
#: focus: enough to be seen as chosen, far from the one with the focus
MUTED_SHARE = 0.3
_ROLES = (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText)
_GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
_INSTALLED = "fieldplan-focus-shown"


def _blend(top: QColor, under: QColor, share: float) -> QColor:
    return QColor(round(top.red() * share + under.red() * (1 - share)),
                  round(top.green() * share + under.green() * (1 - share)),
                  round(top.blue() * share + under.blue() * (1 - share)))


def muted_colours(palette: QPalette) -> dict[tuple, QColor]:
    """(group, role) → the colour a chosen row has in a list without the focus."""
    colours = {}
    for group in _GROUPS:
        highlight = palette.color(group, QPalette.ColorRole.Highlight)
        base = palette.color(group, QPalette.ColorRole.Base)
        colours[group, QPalette.ColorRole.Highlight] = _blend(highlight, base, MUTED_SHARE)
        colours[group, QPalette.ColorRole.HighlightedText] = palette.color(
            group, QPalette.ColorRole.Text)
    return colours


def _focused_colours(palette: QPalette) -> dict[tuple, QColor]:
    return {(group, role): palette.color(group, role) for group in _GROUPS for role in _ROLES}


def view_of(widget: QWidget | None) -> QAbstractItemView | None:
    """The list, table or tree ``widget`` is, or is inside (a cell being edited)."""
    while widget is not None:
        if isinstance(widget, QAbstractItemView):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


class _FocusShown:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self._colours(app.palette())
        app.focusChanged.connect(self._focus_changed)
        # a theme changed while the program runs (a desktop's dark mode) gives the
        # application a new palette and drops the lists' muted one: made again from it
        app.paletteChanged.connect(self._theme_changed)
        # (the list that had the keyboard already: the plan, as the window opens)
        self._paint(view_of(app.focusWidget()), self.focused)

    def _colours(self, palette: QPalette) -> None:
        self.focused = _focused_colours(palette)
        self.muted = muted_colours(palette)
        muted = QPalette(palette)
        for (group, role), colour in self.muted.items():
            muted.setColor(group, role, colour)
        # every list, table and tree, those made later too, muted until it has the focus
        QApplication.setPalette(muted, "QAbstractItemView")

    def _theme_changed(self, palette: QPalette) -> None:
        self._colours(palette)
        # the views given their colours one by one keep them over the application's:
        # each given the new theme's
        focused = view_of(self.app.focusWidget())
        for widget in self.app.allWidgets():
            if isinstance(widget, QAbstractItemView) and widget is not focused:
                self._paint(widget, self.muted)
        self._paint(focused, self.focused)

    def _paint(self, view: QAbstractItemView | None, colours: dict) -> None:
        if view is None or not shiboken6.isValid(view):
            return
        palette = view.palette()
        if all(palette.color(g, r) == c for (g, r), c in colours.items()):
            return
        for (group, role), colour in colours.items():
            palette.setColor(group, role, colour)
        view.setPalette(palette)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        left, came = view_of(old), view_of(new)
        if left is not came:
            self._paint(left, self.muted)
        self._paint(came, self.focused)
        # a line's completions (a file dialog's name field) are a list that never takes
        # the focus: they are the keyboard's while the line has it, never muted
        completer = getattr(new, "completer", None)
        popup = completer() if callable(completer) else None
        if popup is not None and hasattr(popup, "popup"):
            self._paint(popup.popup(), self.focused)


def show_focused_view(app: QApplication) -> None:
    """From now on, the chosen rows of the list with the focus alone in the selection's
    colour (once per application)."""
    if app.property(_INSTALLED):
        return
    app.setProperty(_INSTALLED, True)
    # kept with the application: its slot lives as long as it
    app._fieldplan_focus_shown = _FocusShown(app)  # type: ignore[attr-defined]
