"""The status cell's colours, set without building PySide's Qt namespace: the plan
tree colours its statuses as the reports come in, which can be before the window's
first paint (ui.qtcompat). ui.models, which the tables need, costs that paint about
a tenth of a second (its roles are Qt enums, made at import)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ui.qtcompat import BACKGROUND_ROLE, FOREGROUND_ROLE

#: Light backgrounds by status; the symbol and word always go with the colour.
STATUS_COLOURS: dict[str, str] = {
    "not-started": "#ececec",
    "on-track": "#d5ecd9",
    "at-risk": "#fbeec2",
    "off-track": "#f6d3d3",
    "completed": "#cfe2f7",
    "cancelled": "#dcdcdc",
}


def colour_status(item, column: int, status: str) -> None:
    """``item``'s ``column`` (a QTreeWidgetItem's) in ``status``'s colour, its words
    black (as ``ui.models.status_brush`` and a black foreground, set as colours: the
    view's delegate takes them as brushes)."""
    item.setData(column, BACKGROUND_ROLE, QColor(STATUS_COLOURS.get(status, "#ffffff")))
    item.setData(column, FOREGROUND_ROLE, QColor(0, 0, 0))
