"""The divider between a page's list and what is beside or below it, moved by keyboard
(View ▸ Larger list, Smaller list): Qt's splitters move by mouse only.

Pages with such a divider: Progress (the plan beside the report), at headquarters
Reports (the reports above the narrative), and Conflicts (the conflicts above their
values). The list is the splitter's first widget. The keys are arrows pointing where
the divider goes: Alt+Shift+Right widens the plan in English, Alt+Shift+Left in Arabic,
where the plan is on the right; Alt+Shift+Down gives the reports more rows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from ui.qtcompat import Qt  # (not QtCore's: the window's first paint would build it)

#: the steps from one end of a divider's way to the other
STEPS = 20


def list_splitter(page: QWidget | None) -> QSplitter | None:
    """The splitter between ``page``'s list and the rest, if it has one in sight."""
    if page is None:
        return None
    splitter = page if isinstance(page, QSplitter) else getattr(page, "splitter", None)
    # (not count(): the Reports page's count is the label of how many it shows)
    if not isinstance(splitter, QSplitter) or QSplitter.count(splitter) < 2:
        return None
    # (not when the page says it is empty in its place: no conflicts)
    return splitter if splitter is page or splitter.isVisibleTo(page) else None


def watch_list_splitter(page: QWidget | None, then: Callable[[], None]) -> None:
    """Call ``then`` whenever ``page``'s list splitter comes into sight or goes: a page
    that shows a sentence in its place while it has nothing to list (the Conflicts
    page's "No open conflicts.", a QStackedWidget) changes it as its list is read
    again, while it is shown (an import brought a conflict: the actions, set when the
    page was shown, were off, and their keys did nothing). Once per page."""
    splitter = getattr(page, "splitter", None) if page is not None else None
    if not isinstance(splitter, QSplitter) or splitter.property(_WATCHED):
        return
    splitter.setProperty(_WATCHED, True)
    parent = splitter.parentWidget()
    while parent is not None and parent is not page:
        if isinstance(parent, QStackedWidget):
            parent.currentChanged.connect(lambda _index: then())
        parent = parent.parentWidget()


#: (a splitter's property) watch_list_splitter watches it already
_WATCHED = "fieldplan-list-watched"


def divider_keys(splitter: QSplitter | None, larger: bool) -> QKeySequence:
    """The keys that give ``splitter``'s list more room (``larger``) or less: an
    arrow pointing where the divider goes, mirrored right to left."""
    if splitter is None:
        return QKeySequence()
    if splitter.orientation() == Qt.Orientation.Vertical:
        key = "Down" if larger else "Up"  # (the list is above)
    else:
        # the list is on the leading side: the left, or the right in Arabic
        towards_end = larger != splitter.isRightToLeft()
        key = "Right" if towards_end else "Left"
    return QKeySequence(f"Alt+Shift+{key}")


def move_divider(splitter: QSplitter, larger: bool) -> bool:
    """One step of room more (``larger``) or less for ``splitter``'s list, taken from
    or given to the widget after it, neither smaller than it can be. Whether the
    divider moved."""
    sizes = splitter.sizes()
    total = sizes[0] + sizes[1]
    if total <= 0:
        return False
    vertical = splitter.orientation() == Qt.Orientation.Vertical

    def least(widget: QWidget) -> int:
        hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        return hint.height() if vertical else hint.width()

    step = max(total // STEPS, splitter.fontMetrics().height())
    first = sizes[0] + (step if larger else -step)
    first = max(least(splitter.widget(0)), min(first, total - least(splitter.widget(1))))
    if first == sizes[0]:
        return False
    splitter.setSizes([first, total - first, *sizes[2:]])
    return splitter.sizes()[0] != sizes[0]
