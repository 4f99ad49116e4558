"""How the report editor's indicators grid shares its width: the name column takes
what the Target and Actual columns do not need.

A wrapped QLabel hints at some 80 characters' width, and a QGridLayout short of its
columns' hints takes the same number of pixels from each: at the window's narrowest
(or a 1366×768 laptop at 150 %) an indicator's name wrapped almost one word a line
while the Target column beside it, as wide as its heading ("القيمة المستهدفة"),
was mostly empty, and the Actual field kept 17 characters' width for a number.
Here the name hints at its longest word and has the grid's stretch, the Target
column's labels at their text's width up to a number field's, wrapped beyond it; the
Actual field is as wide as a long number needs, and gives way only down to a
shorter one's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

from fieldplan.numbers import format_number
from ui.wrapped_label import WrappedLabel

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

#: the number an Actual field shows whole where there is room, as the language writes
#: it ("12 345 678,25"), and where there is not, at the pane's narrowest at a large font
WIDEST_NUMBER = 12_345_678.25
NARROWEST_NUMBER = 1_234_567


class GridLabel(WrappedLabel):
    """A wrapped label of the indicators grid whose width hint is its text's on one
    line, but at most ``widest`` pixels (``None``: its longest word's, so that the
    grid gives it the room the other columns leave, by its stretch); never narrower
    than its longest word (Qt wraps at word boundaries only). Its lines are never cut
    off at its edge (``ui.wrapped_label``)."""

    def __init__(self, text: str = "", widest: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.widest = widest

    def sizeHint(self) -> QSize:  # (Qt's name)
        least = self.minimumSizeHint().width()
        width = least if self.widest is None else min(super().sizeHint().width(), self.widest)
        width = max(width, least)
        return QSize(width, self.heightForWidth(width))


class HeldLabel(GridLabel):
    """A GridLabel whose text holds some words together (a target's bracket, "(end of
    plan)", its spaces no-break ones: ``fieldplan.text.brackets_held``) where its
    width allows, and lets them wrap where it does not: no wider at its narrowest than
    the text that may wrap everywhere (``loose``). Held whole at any width, the
    bracket made the report form wider than the narrowest window at 14 points."""

    def __init__(self, widest: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__("", widest, parent)
        self._held = self._loose = ""

    def set_texts(self, held: str, loose: str) -> None:
        """``held``: the text with its words held together; ``loose``: the same, free to
        wrap at every space."""
        self._held, self._loose = held, loose
        self.setText(held if self._fits(held, self.contentsRect().width()) else loose)

    def _longest(self, text: str) -> int:
        """The width of the widest piece of ``text`` a line cannot break."""
        metrics = self.fontMetrics()
        # (split at spaces only: a no-break space holds its words together)
        return max((metrics.horizontalAdvance(piece) for piece in text.split(" ")), default=0)

    def _fits(self, text: str, width: int) -> bool:
        return self._longest(text) <= width

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        least = super().minimumSizeHint()
        if not self._loose:
            return least
        # as narrow as the loose text lets it be, whichever is shown
        width = least.width() - self._longest(self.text()) + self._longest(self._loose)
        return QSize(width, least.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # (Qt's name)
        super().resizeEvent(event)
        if not self._loose:
            return
        want = (self._held if self._fits(self._held, self.contentsRect().width())
                else self._loose)
        if want != self.text():
            self.setText(want)


class IndicatorBox(QGroupBox):
    """The indicators' box: its Target column's heading whole where the name column
    keeps half of the grid beside it, wrapped to its targets' width where it would
    not. Held to its targets' width everywhere, the Arabic heading ("القيمة المستهدفة")
    wrapped even at 1366 pixels, over a "6", with the room of the whole pane beside
    it; as wide as itself everywhere, it left a long name one word a line at 800."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._heading: GridLabel | None = None
        self._targets = 0
        self._others = 0

    def fit_heading(self, heading: GridLabel, targets: int, others: int) -> None:
        """Let ``heading`` (the Target column's) be whole where there is room:
        ``targets``, the width its targets want; ``others``, the width of the other
        columns but the name's (the Actual column's)."""
        self._heading, self._targets, self._others = heading, targets, others
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        import shiboken6

        heading, grid = self._heading, self.layout()
        if heading is None or grid is None or not shiboken6.isValid(heading):
            return
        margins = grid.contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        # on one line (the Actual heading beside it keeps a gap before its words:
        # ReportEditor, GridLabel.set_gap_before)
        whole = QLabel.sizeHint(heading).width()
        names = room - max(whole, self._targets) - self._others \
            - 2 * max(0, grid.horizontalSpacing())
        widest = whole if names >= room / 2 else self._targets
        if widest != heading.widest:
            heading.widest = widest
            heading.updateGeometry()


def number_field_width(field: QLineEdit, number: float = WIDEST_NUMBER) -> int:
    """The width of ``field`` (a line edit) that shows ``number`` whole, as the current
    language writes it, at its font and in its style: its frame and margins around it."""
    metrics = field.fontMetrics()
    margins = field.textMargins()
    # QLineEdit's own margin on each side of its text (QLineEditPrivate::horizontalMargin)
    inner = metrics.horizontalAdvance(format_number(number, exact=True)) + 2 * 2 \
        + margins.left() + margins.right()
    option = QStyleOptionFrame()
    option.initFrom(field)
    option.lineWidth = field.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth,
                                                 option, field)
    option.midLineWidth = 0
    option.state |= QStyle.StateFlag.State_Sunken
    size = field.style().sizeFromContents(
        QStyle.ContentsType.CT_LineEdit, option, QSize(inner, metrics.height()), field)
    return size.width()

