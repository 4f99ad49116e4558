"""Mixed scripts: which way a text reads, and labels that start with a Latin code
keeping the layout's direction. The widgets that lay people's text out in its own
direction are in ui.bidi_widgets (not needed by the first screen).
"""

from __future__ import annotations

import unicodedata

from PySide6.QtGui import QGuiApplication

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


def embedded(text: str) -> str:
    """A name or a time put inside a sentence, laid out by its own first letter and
    kept apart from the words around it (Unicode's first-strong isolate): "root"
    and "27/11/2026، 11:15 م" next to each other in an Arabic sentence otherwise mix
    into "2026/11/root، 27"."""
    return "\u2068" + text + "\u2069"
