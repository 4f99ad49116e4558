"""A row of controls that wraps onto more lines where the window is narrow (a
1366×768 laptop at 200 % has about 667 pixels of Qt across), and stays one row where
there is room."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QStyle, QWidget

from ui.qtcompat import Qt


class FlowLayout(QLayout):
    """Items in a row, each whole, that go on as many lines as the width needs, in the
    layout's direction (from the right in Arabic). The items added after
    ``add_stretch`` are put at the far end of their line, as after a stretch in a
    QHBoxLayout. A word-wrapped label takes the line's width at most, and wraps there.

    Only as wide as its widest item at the least, and one line high at the least: it
    is as high as its lines through ``heightForWidth``, which a QBoxLayout asks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        #: the index of the first item put at the far end of its line (None: none)
        self._far_from: int | None = None
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout's own ----------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # (Qt's name)
        if not 0 <= index < len(self._items):
            return None
        if self._far_from is not None and index < self._far_from:
            self._far_from -= 1
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # (Qt's name)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # (Qt's name)
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:  # (Qt's name)
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:
        """All on one line."""
        shown = self._shown()
        margins = self.contentsMargins()
        width = sum(self._natural_width(item) for item in shown)
        width += self._gap() * max(len(shown) - 1, 0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """The widest item whole (a word-wrapped label: its longest word), one line
        high."""
        shown = self._shown()
        margins = self.contentsMargins()
        width = max((self._least_width(item) for item in shown), default=0)
        height = max((item.minimumSize().height() for item in shown), default=0)
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    # ours ---------------------------------------------------------------------------
    def add_stretch(self) -> None:
        """The items added from now on go at the far end of their line."""
        self._far_from = len(self._items)

    def line_count(self) -> int:
        """How many lines the items take at the layout's present width."""
        return len(self._lines(self.contentsRect().width()))

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _gap(self) -> int:
        gap = self.spacing()
        if gap >= 0:
            return gap
        widget = self.parentWidget()
        style = widget.style() if widget is not None else None
        if style is None:
            return 6
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, widget)

    @staticmethod
    def _natural_width(item: QLayoutItem) -> int:
        """The item's width on one line: a word-wrapped label's whole text, not the
        width of the few lines QLabel's size hint guesses."""
        widget = item.widget()
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            margins = widget.contentsMargins()
            text = max(widget.text().split("\n"), key=widget.fontMetrics().horizontalAdvance)
            return (widget.fontMetrics().horizontalAdvance(text) + margins.left()
                    + margins.right() + 2 * widget.margin() + 2)
        return item.sizeHint().width()

    def _least_width(self, item: QLayoutItem) -> int:
        widget = item.widget()
        if isinstance(widget, QLabel) and widget.wordWrap():
            return item.minimumSize().width()
        return max(item.minimumSize().width(), item.sizeHint().width())  # buttons whole

    def _lines(self, width: int) -> list[list[tuple[QLayoutItem, int]]]:
        """The shown items on lines of ``width``: (item, its width) each."""
        gap = self._gap()
        lines: list[list[tuple[QLayoutItem, int]]] = []
        used = 0
        for item in self._shown():
            wide = min(self._natural_width(item), max(width, self._least_width(item)))
            if lines and used + gap + wide <= width:
                lines[-1].append((item, wide))
                used += gap + wide
            else:
                lines.append([(item, wide)])
                used = wide
        return lines

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return item.sizeHint().height()

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Place the items in ``rect`` (if ``place``); returns the height they take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(),
                              -margins.bottom())
        gap = self._gap()
        vertical_gap = self.spacing() if self.spacing() >= 0 else gap
        widget = self.parentWidget()
        direction = (widget.layoutDirection() if widget is not None
                     else Qt.LayoutDirection.LeftToRight)
        far_from = self._far_from if self._far_from is not None else len(self._items)
        y = inner.y()
        lines = self._lines(inner.width())
        for n, line in enumerate(lines):
            height = max(self._height(item, wide) for item, wide in line)
            if place:
                near = [(i, w) for i, w in line if self._items.index(i) < far_from]
                far = [(i, w) for i, w in line if self._items.index(i) >= far_from]
                x = inner.x()
                spots = []
                for item, wide in near:
                    spots.append((item, x, wide))
                    x += wide + gap
                x = inner.right() + 1 - sum(w for _i, w in far) - gap * max(len(far) - 1, 0)
                for item, wide in far:
                    spots.append((item, x, wide))
                    x += wide + gap
                for item, left, wide in spots:
                    tall = min(self._height(item, wide), height)
                    spot = QRect(left, y + (height - tall) // 2, wide, tall)
                    item.setGeometry(QStyle.visualRect(direction, inner, spot))
            y += height + (vertical_gap if n + 1 < len(lines) else 0)
        return y - inner.y() + margins.top() + margins.bottom()
