"""Mixed scripts: item-view cells of people's text are laid out in the text's own
direction, and labels that start with a Latin code keep the layout's direction.

An English narrative in the Arabic layout (or an Arabic one in the English layout)
is drawn, aligned and elided as its own script reads: the start stays visible and the
ellipsis goes where the text ends, as a browser does with ``dir="auto"``.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTextEdit, QWidget

from ui.qtcompat import Qt

#: How far into a string to look for its first letter (a long run of digits and
#: punctuation decides nothing).
_SCAN = 200


def text_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text`` by its first strong character (Unicode's rule P2,
    as QString::isRightToLeft does), or None when it has none (digits, symbols)."""
    if text.isascii():
        return Qt.LayoutDirection.LeftToRight if any(c.isalpha() for c in text[:_SCAN]) else None
    for c in text[:_SCAN]:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return None


#: RIGHT-TO-LEFT MARK: starts a line right to left whatever its first letter.
RLM = "\u200f"


def in_layout_direction(text: str) -> str:
    """``text`` for a label that reads in the layout's direction although it starts
    with a Latin code ("PA1.2 · عنوان", "BD · بنغلاديش"). A QLabel lays its text out
    by the text's first letter, so in Arabic these read left to right, code on the
    left and aligned left; a right-to-left mark in front puts them right."""
    if QGuiApplication.isRightToLeft() and text_direction(text) == Qt.LayoutDirection.LeftToRight:
        return RLM + text
    return text


def isolated(text: str) -> str:
    """A path or file name inside a sentence, kept left to right in an Arabic one
    (else "/tmp/x.fieldplan." shows as ".tmp/x.fieldplan/"): Unicode's left-to-right
    isolate around it, in a right-to-left layout only."""
    if QGuiApplication.isRightToLeft():
        return "\u2066" + text + "\u2069"
    return text


class PlainTextEdit(QTextEdit):
    """Plain text whose paragraphs each take their own direction and alignment.

    QPlainTextEdit aligns every paragraph left, so an Arabic narrative (or the
    Arabic field names above an English one) sat on the wrong side in both
    layouts; QTextEdit lays each paragraph out by its first letter."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)  # pasted text stays plain
        if text:
            self.setPlainText(text)


class BidiDelegate(QStyledItemDelegate):
    """Draws each cell in its text's direction; a text with no letters keeps the
    view's direction. The alignment stays "leading", so it follows the text."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        direction = text_direction(option.text) if option.text else None
        if direction is not None and direction != option.direction:
            option.direction = direction
            option.textElideMode = Qt.TextElideMode.ElideRight  # the text's own end
