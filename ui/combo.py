"""A combo box that says when its choice is cut. (Not for a widget of the first
paint: PySide builds QEvent to call a Python paintEvent, which a cold start does
without; ui.dialogs, which uses it, is not imported before that paint either.)"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QListView,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
)

from fieldplan.text import search_key

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QPaintEvent  # (a QEvent: built at import)


class ElidingComboBox(QComboBox):
    """A combo box whose choice, when it is wider than the box, ends with "…" and
    says itself whole in the tooltip: Qt cut it mid-word ("Tous les bureau",
    "PA2 · Labour mobility, r") with nothing to show that more was there. Its list
    shows every item whole; its own tooltip is back once the choice fits."""

    #: the choice as painted last, when it was cut ("" when whole)
    _cut = ""
    #: the tooltip given to the box (setToolTip)
    _own_tip = ""

    #: characters the box may shrink to where there is no room for its longest item
    #: (``shrink_to``); 0: never narrower than that item, as Qt's
    _shrink_to = 0

    def shrink_to(self, characters: int) -> None:
        """Let the box be as narrow as ``characters`` where its layout has no room
        for more, its choice then cut with "…"; it still asks for its longest item's
        width (sizeHint), which it has wherever there is room."""
        self._shrink_to = characters
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self._shrink_to:
            return hint
        # as Qt measures a box adjusted to a minimum contents length
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        text = QSize(self.fontMetrics().horizontalAdvance("X") * self._shrink_to, hint.height())
        least = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, opt, text, self)
        return QSize(min(hint.width(), least.width()), hint.height())

    def setToolTip(self, tip: str) -> None:
        self._own_tip = tip
        super().setToolTip(self._cut or tip)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.isEditable():
            super().paintEvent(event)
            return
        cut = paint_elided(self)
        if cut != self._cut:
            self._cut = cut
            super().setToolTip(cut or self._own_tip)


def paint_elided(combo: QComboBox) -> str:
    """Paint ``combo`` (not editable) with its choice ending in "…" when it is wider
    than the box; returns the choice whole when it was cut, else ""."""
    painter = QStylePainter(combo)
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)
    whole, cut = opt.currentText, ""
    if opt.fontMetrics.horizontalAdvance(whole) > room.width():
        from ui.qtcompat import Qt

        opt.currentText = opt.fontMetrics.elidedText(
            whole, Qt.TextElideMode.ElideRight, room.width())
        cut = whole if opt.currentText != whole else ""
    painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
    return cut


class ElideWhenCut(QObject):
    """What ElidingComboBox does, for a plain combo box of the first paint (installed
    after it: an event filter in Python builds QEvent): its choice, when cut, ends with
    "…" and is whole in its tooltip. Qt cut the office's "Show" filter mid-word in
    French at a large font ("Tous les statu"), with nothing to show more was there."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self._cut = ""
        combo.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # (Qt's name)
        from PySide6.QtCore import QEvent

        if event.type() != QEvent.Type.Paint or watched.isEditable():
            return False
        cut = paint_elided(watched)
        if cut != self._cut:
            self._cut = cut
            watched.setToolTip(cut)
        return True


def find_by_words(combo: QComboBox) -> None:
    """Let typing choose an item of ``combo`` by the first letters of its words, past
    a symbol it begins with ("● On track": "o"; "— No report yet": "n"). Qt matched
    the item's whole text, so no letter chose a status: a keyboard user counted arrow
    presses. In the closed box and in its open list alike. The list's rows are drawn
    as before: the style's own delegate is kept (a list's plain one drew them shorter
    than the combos' beside it)."""
    delegate = combo.itemDelegate()
    delegate.setParent(combo)  # (it goes with the list it belonged to otherwise)
    combo.setView(_WordSearchList(combo))
    combo.setItemDelegate(delegate)


def _words(text: str) -> str:
    """``text`` from its first letter or digit on, as compared with what is typed:
    folded as a search folds it ("À risque" is chosen by "a")."""
    return search_key(re.sub(r"^\W+", "", text or ""))


class _WordSearchList(QListView):
    """A combo box's list whose keyboard search skips a leading symbol
    (``find_by_words``). As Qt's: letters typed within the keyboard input interval
    add up ("on"); one letter typed again goes to the next item it begins with."""

    _typed = ""
    _typed_at = -1e9

    def keyboardSearch(self, search: str) -> None:
        now = time.monotonic()
        if now - self._typed_at > QApplication.keyboardInputInterval() / 1000:
            self._typed = ""
        self._typed_at = now
        self._typed += search
        key = search_key(self._typed)
        model, root = self.model(), self.rootIndex()
        rows = model.rowCount(root)
        current = max(self.currentIndex().row(), 0)
        if len(set(key)) == 1:  # "o", "oo": the next item beginning with it
            key, start = key[0], current + 1
        else:
            start = current
        for step in range(rows):
            index = model.index((start + step) % rows, self.modelColumn(), root)
            if _words(index.data()).startswith(key):
                self.setCurrentIndex(index)
                return
