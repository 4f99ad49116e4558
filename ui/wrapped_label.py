"""A word-wrapped label of plain text whose lines are never cut off at its edge, in
Arabic above all.

Qt breaks a wrapped label's lines by the letters' advances, and a word's last letter
drawn past its advance (Arabic ة, و) ran past the label's edge. And Qt places a
wrapped Arabic line as if the space after its last word were part of it: a line
nearly as wide as the label began up to a space's width past its left edge, where
QLabel clips it (an action's description, a note, a Target cell "10 (نهاية الخطة)"
lost their last letter at many widths, at 10 points as at 14). A ``WrappedLabel``
of Arabic plain text keeps room free where its lines end (a space and
``LINE_END_ROOM`` pixels) and paints its text unclipped into it.

A label whose text can be selected (``ui.dialogs.text_label``) or is rich text is
laid out by Qt's text document, which clips it at its edge all the same; it is
painted as QLabel paints it, without the room (it seldom runs over: a letter's
tail at a few widths). So is Latin text, whose letters stay within their advances."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import QLabel, QStyle, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

    from ui.qtcompat import Qt

#: pixels left free past the end of a wrapped label's lines (the left in Arabic)
LINE_END_ROOM = 4

#: the labels made while a window is built (``deferred``), watched once it is painted
#: (``watch``); None: a label is watched as it is made
_deferred: list[WrappedLabel] | None = None
#: the one event filter of every WrappedLabel (``_Watcher``), made with the first
_watcher: _Watcher | None = None


@contextmanager
def deferred() -> Iterator[list[WrappedLabel]]:
    """While a window is built: the WrappedLabels made are not watched yet (their
    painting and font changes: ``_Watcher``), but listed, to be watched once the window
    is painted (``watch``). The first event Python sees makes PySide build QEvent and
    its subclasses, and QLabel's painting Qt's namespace: a cost the cold start's
    first paint does not wait for (ui.main_window.FirstPaint); the labels are painted
    again as they are watched."""
    global _deferred
    outer = _deferred
    labels: list[WrappedLabel] = [] if outer is None else outer
    _deferred = labels
    try:
        yield labels
    finally:
        _deferred = outer


def watch(labels: list[WrappedLabel]) -> None:
    """Watch the labels a window's building deferred (``deferred``), those still there,
    and paint them again (in Arabic, whole)."""
    import shiboken6

    for label in labels:
        if shiboken6.isValid(label):
            label._watch()
            label._keep_room()
            label.update()
    labels.clear()


class _Watcher(QObject):
    """(the event filter of every WrappedLabel) Its plain Arabic text painted whole, its
    room kept as its font or direction changes."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # (Qt's name)
        from PySide6.QtCore import QEvent

        kind = event.type()
        if kind == QEvent.Type.Paint:
            if isinstance(watched, WrappedLabel) and watched._paints_itself():
                watched._paint()
                return True
        elif kind in (QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange) \
                and isinstance(watched, WrappedLabel):
            watched._keep_room()
        return False


def _document_flags() -> Qt.TextInteractionFlag:
    """The interactions for which QLabel lays its text out in a text document."""
    from ui.qtcompat import Qt

    return (Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextEditable)


class WrappedLabel(QLabel):
    """A word-wrapped label with room where its lines end, its plain text painted
    whole in Arabic (see the module's docstring)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        #: average characters' widths left free before its lines (``set_gap_before``)
        self._gap_before = 0.0
        self.setWordWrap(True)
        self._keep_room()
        if _deferred is None:
            self._watch()
        else:
            _deferred.append(self)

    def _watch(self) -> None:
        global _watcher
        if _watcher is None:
            _watcher = _Watcher()
        self.installEventFilter(_watcher)

    def set_gap_before(self, characters: float) -> None:
        """Leave ``characters`` average characters' widths free where its lines start
        (the right in Arabic), in its font: a clear gap after the column before it."""
        self._gap_before = characters
        self._keep_room()

    def _keep_room(self) -> None:
        """The room past the lines' ends (the left), in the label's font, where it
        paints Arabic plain text itself (a text document clips its lines at their
        edge all the same; Latin letters stay within their advances); and the gap
        before its lines."""
        metrics = self.fontMetrics()
        room = LINE_END_ROOM + metrics.horizontalAdvance(" ") if self._paints_itself() else 0
        gap = round(self._gap_before * metrics.averageCharWidth())
        if self.isRightToLeft():
            self.setContentsMargins(room, 0, gap, 0)
        else:
            self.setContentsMargins(gap, 0, room, 0)

    # (what the room depends on: the text's format and whether it can be selected)
    def setText(self, text: str) -> None:  # (Qt's name)
        super().setText(text)
        self._keep_room()

    def setTextFormat(self, kind: Qt.TextFormat) -> None:  # (Qt's name)
        super().setTextFormat(kind)
        self._keep_room()

    def setTextInteractionFlags(self, flags: Qt.TextInteractionFlag) -> None:  # (Qt's name)
        super().setTextInteractionFlags(flags)
        self._keep_room()

    def _painted_by_document(self) -> bool:
        """Whether QLabel lays the text out in a text document (rich text, or text that
        can be selected), which places its lines within the label."""
        from ui.qtcompat import Qt

        if self.textInteractionFlags() & _document_flags():
            return True
        kind = self.textFormat()
        if kind == Qt.TextFormat.AutoText:
            from PySide6.QtGui import Qt as gui

            return gui.mightBeRichText(self.text())
        return kind != Qt.TextFormat.PlainText

    # Qt's ---------------------------------------------------------------------------
    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        """As narrow as its widest word and the room past it: a space and
        ``LINE_END_ROOM`` in Arabic, but the space only where a space follows the word
        (a line that ends a paragraph begins at the text's edge). A Target cell
        "5 (نهاية الخطة)" is no wider than "(نهاية الخطة)" needs: the form fits the
        window at its narrowest at 14 points. As high as Qt has it (a line): the
        layout gives it the height its width needs (heightForWidth). The height of its
        text at its narrowest, a word a line, made a layout's least height that of each
        label at its narrowest: a dialog in Arabic (the first run's) was sized to it,
        blank bands between its lines."""
        hint = super().minimumSizeHint()
        if not self._paints_itself():
            return hint
        metrics = self.fontMetrics()
        space = metrics.horizontalAdvance(" ")
        widest = 0
        for paragraph in self.text().split("\n"):
            words = paragraph.split(" ")
            for i, word in enumerate(words):
                after = space if i < len(words) - 1 else 0
                widest = max(widest, metrics.horizontalAdvance(word) + after)
        margins = self.contentsMargins()
        width = widest + LINE_END_ROOM + margins.right() + 2 * self.margin()
        if width >= hint.width():
            return hint
        return QSize(width, hint.height())

    def _paints_itself(self) -> bool:
        """Whether it paints its text itself (wrapped Arabic plain text)."""
        return (self.isRightToLeft() and self.wordWrap() and _right_to_left(self.text())
                and not self._painted_by_document())

    def _paint(self) -> None:
        """(its paint event, ``_Watcher``) In Arabic, plain text painted as QLabel paints
        it, but not cut off at its contents' edge: what runs over goes into the room
        past the lines' ends (a word wider than the contents, at the label's narrowest,
        too). Not a paintEvent of its own: see ``deferred``."""
        from PySide6.QtGui import QPainter

        from ui.qtcompat import Qt

        painter = QPainter(self)
        self.drawFrame(painter)
        rect = self.contentsRect().adjusted(self.margin(), self.margin(),
                                            -self.margin(), -self.margin())
        # (QLabel lays plain text out in its own direction: here Arabic's)
        align = QStyle.visualAlignment(Qt.LayoutDirection.RightToLeft, self.alignment())
        flags = (int(align) | int(Qt.TextFlag.TextWordWrap) | int(Qt.TextFlag.TextDontClip)
                 | int(Qt.TextFlag.TextForceRightToLeft) | self._mnemonic_flags())
        self.style().drawItemText(painter, rect, flags, self.palette(), self.isEnabled(),
                                  self.text(), self.foregroundRole())
        painter.end()

    def _mnemonic_flags(self) -> int:
        """The flags QLabel draws its plain text with when it has a buddy and an "&" in
        it (a mnemonic: "&&" is one "&"), as Qt sized it; 0 otherwise. An indicator's
        name "A && B" in the report form showed "&&"."""
        if self.buddy() is None or "&" not in self.text():
            return 0
        from PySide6.QtWidgets import QStyleOption

        from ui.qtcompat import Qt

        option = QStyleOption()
        option.initFrom(self)
        flags = int(Qt.TextFlag.TextShowMnemonic)
        if not self.style().styleHint(QStyle.StyleHint.SH_UnderlineShortcut, option, self):
            flags |= int(Qt.TextFlag.TextHideMnemonic)
        return flags


def _right_to_left(text: str) -> bool:
    """Whether ``text``'s first letter with a direction is written right to left, as
    QLabel takes the direction of plain text."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
