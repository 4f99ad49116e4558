"""A combo box that says when its choice is cut. (Not for a widget of the first
paint: PySide builds QEvent to call a Python paintEvent, which a cold start does
without; ui.dialogs, which uses it, is not imported before that paint either.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter

if TYPE_CHECKING:
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

    def setToolTip(self, tip: str) -> None:
        self._own_tip = tip
        super().setToolTip(self._cut or tip)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.isEditable():
            super().paintEvent(event)
            return
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, self)
        whole, cut = opt.currentText, ""
        if opt.fontMetrics.horizontalAdvance(whole) > room.width():
            from ui.qtcompat import Qt

            opt.currentText = opt.fontMetrics.elidedText(
                whole, Qt.TextElideMode.ElideRight, room.width())
            cut = whole if opt.currentText != whole else ""
        if cut != self._cut:
            self._cut = cut
            super().setToolTip(cut or self._own_tip)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
