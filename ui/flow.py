"""A row of controls that wraps onto more lines where the window is narrow (a
1366×768 laptop at 200 % has about 667 pixels of Qt across), and stays one row where
there is room."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget

from ui.qtcompat import Qt


def one_line_width(label: QLabel) -> int:
    """The width of ``label``'s plain text on one line (its longest line), margins in."""
    margins = label.contentsMargins()
    text = max(label.text().split("\n"), key=label.fontMetrics().horizontalAdvance)
    width = (label.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right()
             + 2 * label.margin() + 2)
    if not label.wordWrap() or not text:
        return width
    # a style sheet's padding (ui.dialogs.reached_by_tab: the report form's notice) is
    # in the contents margins, and a wrapping QLabel takes it off its width once more:
    # at the width measured, "Headquarters has locked this period." broke before its
    # last word. The least width that keeps each line whole, found by halving
    whole = label.heightForWidth(1 << 16)
    if label.heightForWidth(width) <= whole:
        return width
    fits = width + 2 * (margins.left() + margins.right()) + 64
    if label.heightForWidth(fits) > whole:
        return width  # (not a matter of margins: as it was)
    short = width
    while fits - short > 1:
        middle = (short + fits) // 2
        if label.heightForWidth(middle) <= whole:
            fits = middle
        else:
            short = middle
    return fits


class OneLineLabel(QLabel):
    """A word-wrapped label that asks for its text's width on one line, and wraps only
    where it gets less: a QFormLayout gave a wrapped label the width of the few lines
    QLabel's size hint guesses ("Percent complete" over "(0–100)" at 1366 pixels)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # (Qt's name)
        # as QLabel measures a label that does not wrap: its mnemonic's "&" not drawn
        flags = int(Qt.TextFlag.TextShowMnemonic) if self.buddy() is not None else 0
        text = self.fontMetrics().boundingRect(QRect(0, 0, 1 << 20, 1 << 20), flags,
                                               self.text()).width()
        margins = self.contentsMargins()
        width = max(text + margins.left() + margins.right() + 2 * self.margin(),
                    self.minimumSizeHint().width())
        return QSize(width, self.heightForWidth(width))


class _ItemsLayout(QLayout):
    """A layout of its items in a list, as high as its ``_arrange`` makes them for a
    width (``heightForWidth``, which a QBoxLayout asks); its kinds say how."""

    #: none, on the class: for Qt's questions to a layout whose Python side lost its
    #: own (a full-suite run under load met one: Python's collector had cleared it
    #: while Qt still held the layout, and each question raised)
    _items: list[QLayoutItem] | tuple[()] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout's own ----------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # (Qt's name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def hasHeightForWidth(self) -> bool:  # (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # (Qt's name)
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:  # (Qt's name)
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """The height its items take in ``rect``'s width, put there if ``place``."""
        raise NotImplementedError

    def _gap(self) -> int:
        """The room between two items side by side: its spacing, else the style's."""
        gap = self.spacing()
        if gap >= 0:
            return gap
        widget = self.parentWidget()
        style = widget.style() if widget is not None else None
        if style is None:
            return 6
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, widget)


class FlowLayout(_ItemsLayout):
    """Items in a row, each whole, that go on as many lines as the width needs, in the
    layout's direction (from the right in Arabic). The items added after
    ``add_stretch`` are put at the far end of their line, as after a stretch in a
    QHBoxLayout. A word-wrapped label takes the line's width at most, and wraps there.

    Only as wide as its widest item at the least, and one line high at the least: it
    is as high as its lines through ``heightForWidth``, which a QBoxLayout asks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: the index of the first item put at the far end of its line (None: none)
        self._far_from: int | None = None

    # QLayout's own ----------------------------------------------------------------------
    def takeAt(self, index: int) -> QLayoutItem | None:  # (Qt's name)
        if not 0 <= index < len(self._items):
            return None
        if self._far_from is not None and index < self._far_from:
            self._far_from -= 1
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # (Qt's name)
        return Qt.Orientation(0)

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

    @staticmethod
    def _natural_width(item: QLayoutItem) -> int:
        """The item's width on one line: a word-wrapped label's whole text, not the
        width of the few lines QLabel's size hint guesses."""
        widget = item.widget()
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
            return one_line_width(widget)
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


class PairsLayout(_ItemsLayout):
    """Pairs of a label and its field on one row where they fit, the fields sharing
    what the labels leave, as in a QHBoxLayout with a stretch on each field; one pair
    a line where they do not. The plan's filters (Level, Show) on one row held the
    plan's side at 467 pixels of French at 14 points, and at 800 pixels the report's
    form beside it scrolled sideways.

    Only as wide as one pair a line needs at the least, and as high as its lines
    through ``heightForWidth``, which a QBoxLayout asks. (A layout, not a widget: a
    widget's resizeEvent() would cost the first paint PySide's QEvent classes; and no
    enum of Qt's namespace, which the first paint does without: ui.qtcompat. Its
    box's other items take the height with their stretch.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._one_row = True

    def add_pair(self, label: QWidget, field: QWidget) -> None:
        """A label and its field, after the pairs added before."""
        self.addWidget(label)
        self.addWidget(field)

    def is_one_row(self) -> bool:
        """Whether the pairs were side by side when last placed."""
        return self._one_row

    # QLayout's own ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        """Side by side."""
        width = sum(item.sizeHint().width() for item in self._items)
        width += self._gap() * max(len(self._items) - 1, 0)
        return QSize(max(width, self.minimumSize().width()), self._row_height(self._items))

    def minimumSize(self) -> QSize:
        """One pair a line: the widest label beside the widest field."""
        labels, fields = self._items[0::2], self._items[1::2]
        width = (max((i.sizeHint().width() for i in labels), default=0) + self._gap()
                 + max((i.minimumSize().width() for i in fields), default=0))
        return QSize(width, self._row_height(self._items))

    # ours ---------------------------------------------------------------------------
    @staticmethod
    def _row_height(items: list[QLayoutItem]) -> int:
        return max((item.sizeHint().height() for item in items), default=0)

    def _row_width(self) -> int:
        """The pairs side by side, the labels whole, the fields at their least."""
        labels, fields = self._items[0::2], self._items[1::2]
        width = sum(i.sizeHint().width() for i in labels)
        width += sum(i.minimumSize().width() for i in fields)
        return width + self._gap() * max(len(self._items) - 1, 0)

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Place the pairs in ``rect`` (if ``place``); returns the height they take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(),
                              -margins.bottom())
        gap = self._gap()
        one_row = inner.width() >= self._row_width()
        labels, fields = self._items[0::2], self._items[1::2]
        if one_row:
            lines = [list(zip(labels, fields, strict=False))]
            spare = inner.width() - sum(i.sizeHint().width() for i in labels) \
                - gap * max(len(self._items) - 1, 0)
            # (the pixels left over to the first fields, as a QHBoxLayout gives them)
            share, over = divmod(spare, max(len(fields), 1))
            widths = [share + (1 if n < over else 0) for n in range(len(fields))]
            label_width = None
        else:
            lines = [[pair] for pair in zip(labels, fields, strict=False)]
            label_width = max((i.sizeHint().width() for i in labels), default=0)
            widths = [inner.width() - label_width - gap] * len(fields)
        if place:
            self._one_row = one_row
        y = inner.y()
        widget = self.parentWidget()
        mirrored = widget is not None and widget.isRightToLeft()
        fixed = QSizePolicy.Policy.Fixed
        n_field = 0
        for n, line in enumerate(lines):
            height = self._row_height([i for pair in line for i in pair])
            if place:
                x = inner.x()
                for label, field in line:
                    wide = label.sizeHint().width() if label_width is None else label_width
                    for item, w in ((label, wide), (field, widths[n_field])):
                        tall = height
                        shown = item.widget()
                        if shown is not None and shown.sizePolicy().verticalPolicy() == fixed:
                            tall = min(item.sizeHint().height(), height)
                        left = inner.left() + inner.right() - (x + w - 1) if mirrored else x
                        item.setGeometry(QRect(left, y + (height - tall) // 2, w, tall))
                        x += w + gap
                    n_field += 1
            y += height + (gap if n + 1 < len(lines) else 0)
        return y - inner.y() + margins.top() + margins.bottom()


class RowThenEnd(_ItemsLayout):
    """A row that gives way down to its minimum (a search bar and its filters), and
    after it a widget kept whole (a count of rows): at the row's far end where both
    fit, else on a line of its own under it, at the far end. The HQ Reports page's
    count was put beside its filters at its whole width whatever the room: on a
    narrow screen it ran past the page's edge, or over the filter beside it."""

    def __init__(self, row: QLayout, end: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addChildLayout(row)
        self._items.append(row)
        self.addWidget(end)

    def expandingDirections(self) -> Qt.Orientation:  # (Qt's name)
        return Qt.Orientation.Horizontal

    def sizeHint(self) -> QSize:
        """Both on one line, each as it asks."""
        row, end = self._items
        margins = self.contentsMargins()
        width = row.sizeHint().width()
        height = row.sizeHint().height()
        if not end.isEmpty():
            width += self._gap() + end.sizeHint().width()
            height = max(height, end.sizeHint().height())
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        """The row at its least, or the end whole if wider; one line high (as high as
        its lines through ``heightForWidth``)."""
        row, end = self._items
        margins = self.contentsMargins()
        width = row.minimumSize().width()
        height = row.minimumSize().height()
        if not end.isEmpty():
            width = max(width, end.sizeHint().width())
            height = max(height, end.sizeHint().height())
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def is_one_line(self) -> bool:
        """Whether the end is beside the row at the layout's present width."""
        return self._one_line(self.contentsRect().width())

    def _one_line(self, width: int) -> bool:
        row, end = self._items
        return end.isEmpty() or (
            row.minimumSize().width() + self._gap() + end.sizeHint().width() <= width)

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(),
                              -margins.bottom())
        row, end = self._items
        widget = self.parentWidget()
        direction = (widget.layoutDirection() if widget is not None
                     else Qt.LayoutDirection.LeftToRight)
        high = row.sizeHint().height()
        if end.isEmpty():
            if place:
                row.setGeometry(QRect(inner.x(), inner.y(), inner.width(), high))
            return high + margins.top() + margins.bottom()
        wide = min(end.sizeHint().width(), inner.width())
        end_high = end.sizeHint().height()
        if self._one_line(inner.width()):
            height = max(high, end_high)
            spots = [(row, QRect(inner.x(), inner.y() + (height - high) // 2,
                                 inner.width() - self._gap() - wide, high)),
                     (end, QRect(inner.right() + 1 - wide, inner.y() + (height - end_high) // 2,
                                 wide, end_high))]
        else:
            vertical_gap = self.spacing() if self.spacing() >= 0 else self._gap()
            height = high + vertical_gap + end_high
            spots = [(row, QRect(inner.x(), inner.y(), inner.width(), high)),
                     (end, QRect(inner.right() + 1 - wide, inner.y() + high + vertical_gap,
                                 wide, end_high))]
        if place:
            for item, spot in spots:
                item.setGeometry(QStyle.visualRect(direction, inner, spot))
        return height + margins.top() + margins.bottom()
