"""Mixed scripts in item views: each cell is laid out in its own text's direction.

An English narrative in the Arabic layout (or an Arabic one in the English layout)
is drawn, aligned and elided as its own script reads: the start stays visible and the
ellipsis goes where the text ends, as a browser does with ``dir="auto"``.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft

#: How far into a string to look for its first letter (a long run of digits and
#: punctuation decides nothing).
_SCAN = 200


def text_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text`` by its first strong character (Unicode's rule P2,
    as QString::isRightToLeft does), or None when it has none (digits, symbols)."""
    if text.isascii():
        return LTR if any(c.isalpha() for c in text[:_SCAN]) else None
    for c in text[:_SCAN]:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return LTR
        if kind in ("R", "AL"):
            return RTL
    return None


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
