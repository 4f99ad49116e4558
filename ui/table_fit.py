"""Column widths fitted to a table's contents once a load, not at every layout pass.

Qt's ``ResizeToContents`` measures every row of a column again at each layout pass
(the window resized, the page shown, a refresh), asking the model for each cell's
data several times: a thousand inbox rows held the window for seconds at each. Here
the columns are ``Interactive`` and fitted when the rows change: each column as wide
as its header and its widest text, measured with the column's font, plus what the
cell's delegate adds around its text. A model whose column is costly to write out
for every row (a time, a count in words) says instead which texts the column can
hold at its widest (``width_texts``). A column a person widened or narrowed keeps
their width at the next load: an import refreshing the inbox does not undo it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QTextLayout, QTextOption
from PySide6.QtWidgets import QHeaderView, QTableView


def fit_on_load(view: QTableView) -> None:
    """Fit ``view``'s columns (but the stretched ones: its header's other sections
    are left ``Interactive``, Qt's default) now and whenever its rows change: a new
    load, a filter. A column a person resizes meanwhile keeps its width from then on."""
    model = view.model()
    fitter = _Fitter(view)
    for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
        signal.connect(fitter.fit)
    view.horizontalHeader().sectionResized.connect(fitter.resized)
    fitter.fit()


class _Fitter(QObject):
    """Fits its view's columns but those a person sized; a child of the view, so that
    a model that outlives the view stops asking (Qt drops a dead receiver's
    connections)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.by_person: set[int] = set()
        # a person sizes a column with the mouse on the header (a drag of an edge, a
        # double-click on it); Qt resizes sections itself too (a stretch, a change of
        # resize mode), which says nothing of what a person wants
        self.pressed = False
        view.horizontalHeader().viewport().installEventFilter(self)

    def fit(self, *_args) -> None:
        fit_columns(self.view, keep=self.by_person)

    def resized(self, column: int, _old: int, _new: int) -> None:
        header = self.view.horizontalHeader()
        if self.pressed and header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            self.by_person.add(column)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self.pressed = True
        elif kind == QEvent.Type.MouseButtonRelease:
            self.pressed = False
        return False


def fit_columns(view: QTableView, keep: Iterable[int] = ()) -> None:
    """Each column not stretched (nor in ``keep``: sized by a person) as wide as its
    header and the widest of its texts."""
    model = view.model()
    header = view.horizontalHeader()
    stretch = QHeaderView.ResizeMode.Stretch
    keep = set(keep)
    for column in range(model.columnCount()):
        if (header.sectionResizeMode(column) == stretch or header.isSectionHidden(column)
                or column in keep):
            continue
        width = header.sectionSizeHint(column)
        texts = [t for t in set(column_texts(model, column)) if t]
        if texts and model.rowCount() > 0:
            first = model.index(0, column)
            font = first.data(Qt.ItemDataRole.FontRole)
            measure = _TextWidth(font if isinstance(font, QFont) else view.font(),
                                 view.layoutDirection())
            widest = max(measure(t) for t in texts)
            # what the cell's delegate adds around its text (margins), and the grid
            around = view.sizeHintForIndex(first).width() - measure(first.data() or "")
            width = max(width, widest + around + (1 if view.showGrid() else 0))
            most = _chars_at_most(model, column)
            if most:  # a long text cut short (its tip is whole): the others need room
                cap = math.ceil(most * view.fontMetrics().averageCharWidth()) + around
                width = min(width, max(header.sectionSizeHint(column), cap))
        header.resizeSection(column, width)


def _chars_at_most(model, column: int) -> int | None:
    """The characters a column is as wide as at most (the model's ``CHARS_AT_MOST``),
    or None: as wide as its widest text."""
    source = model.sourceModel() if hasattr(model, "sourceModel") else model
    return getattr(source, "CHARS_AT_MOST", {}).get(column)


def column_texts(model, column: int) -> Iterable[str]:
    """The texts ``column`` of ``model`` must have room for: the model's
    ``width_texts`` when it has them, else every row's (of a filter: the rows it
    lets through)."""
    texts = getattr(model, "width_texts", None)
    if texts is not None:
        return texts(column)
    return (model.index(row, column).data() or "" for row in range(model.rowCount()))


class _TextWidth:
    """A text's width on one line, in whole pixels, as the style lays a cell's text
    out (QTextLayout, in the view's direction: bidirectional text measures a little
    wider than its characters' advances)."""

    def __init__(self, font: QFont, direction: Qt.LayoutDirection) -> None:
        self.font = font
        self.option = QTextOption()
        self.option.setTextDirection(direction)
        self.option.setWrapMode(QTextOption.WrapMode.ManualWrap)

    def __call__(self, text: str) -> int:
        layout = QTextLayout(text.replace("\n", "\u2028"), self.font)
        layout.setTextOption(self.option)
        layout.beginLayout()
        widest = 0.0
        while (line := layout.createLine()).isValid():
            line.setLineWidth(1e6)  # (lays the line out)
            widest = max(widest, line.naturalTextWidth())
        layout.endLayout()
        return math.ceil(widest)
