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
tail at a few widths). So is Latin text, whose letters stay within their advances.

Such a label is as high as its document's lines, which end at the font's descent,
and QLabel clips the document there; a vowel mark under a letter that goes below the
line ("جارٍ", "ثوانٍ": the kasratan under ر and ن) runs past it. On the last line it
was cut off (the demo's "Preparing the demo…" lost the marks of its last line at most
widths). A ``DocumentLabel`` (a selectable ``ui.path_label.PlainLabel`` too) is as
high as its last line's ink (``ink_room``); one whose ink stays in its lines is as
high as Qt has it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize
from PySide6.QtWidgets import QLabel, QStyle, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QTextLine

    from ui.qtcompat import Qt

#: pixels left free past the end of a wrapped label's lines (the left in Arabic)
LINE_END_ROOM = 4

#: pixels of a glyph's ink past the line that a ``DocumentLabel`` leaves cut off: its
#: faint edge (a final ى runs 1.1 pixels past the line at 9 points, and loses no pixel
#: darker than its edge's; the marks under "جارٍ" run 2.8 to 3.2 pixels past it)
FAINT_INK = 1.5

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


def ink_room(label: QLabel, width: int) -> int:
    """The pixels that ``label`` (word-wrapped, laid out by Qt in a text document) needs
    past the height Qt gives it for ``width`` to show all of its text's ink: the marks
    below its last line run past the line's descent, where QLabel clips its document.
    0 where they stay within it or within the room Qt leaves (its height is then
    Qt's): a label that was whole keeps its look. Where its text is centred up and
    down (QLabel's default), the room is shared above and below: twice the ink past
    the line."""
    import math

    from PySide6.QtGui import Qt as gui
    from PySide6.QtGui import QTextDocument, QTextOption

    from ui.qtcompat import Qt

    text = label.text()
    if not text or not label.wordWrap():
        return 0
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setDocumentMargin(0)  # (as QLabel's)
    option = QTextOption(label.alignment())  # (as QLabel's)
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    kind = label.textFormat()
    if kind == Qt.TextFormat.PlainText or (kind == Qt.TextFormat.AutoText
                                          and not gui.mightBeRichText(text)):
        doc.setPlainText(text)
    else:
        doc.setHtml(text)
    # laid out as QLabel paints it, as high as Qt has it (``_text_space``)
    text_width, text_height = _text_space(label, width, QLabel.heightForWidth(label, width))
    doc.setTextWidth(max(text_width, 0))
    height = doc.size().height()
    below = 0.0
    last = doc.lastBlock().layout()
    if last is not None and last.lineCount():
        line = last.lineAt(last.lineCount() - 1)
        below = max((bottom - height for _top, bottom in _glyphs_ink(line, last.position().y())),
                    default=0.0)
    if below <= FAINT_INK:
        return 0
    slack = max(text_height - height, 0)  # (Qt's height is seldom the lines' own)
    vertical = label.alignment() & Qt.AlignmentFlag.AlignVertical_Mask
    if vertical != Qt.AlignmentFlag.AlignTop:  # centred: the room shared above and below
        below *= 2
    return max(math.ceil(below - slack), 0)


def _glyphs_ink(line: QTextLine, top: float) -> Iterator[tuple[float, float]]:
    """The top and bottom of each glyph's ink on ``line`` (of a block laid out at
    ``top`` in its document)."""
    for run in line.glyphRuns():
        font = run.rawFont()
        for glyph, at in zip(run.glyphIndexes(), run.positions(), strict=True):
            ink = font.boundingRect(glyph)
            yield top + at.y() + ink.top(), top + at.y() + ink.bottom()


def _text_space(label: QLabel, width: int, height: int) -> tuple[int, int]:
    """The width QLabel lays its document out at and paints it in, ``width`` by
    ``height``: without its contents' margins, its margin and its indent (a framed
    label's, as Qt works it out where it paints: half what it takes off for its
    height for width, ``QLabelPrivate::documentRect``)."""
    from ui.qtcompat import Qt

    margins = label.contentsMargins()
    across = margins.left() + margins.right() + 2 * label.margin()
    down = margins.top() + margins.bottom() + 2 * label.margin()
    indent = label.indent()
    if indent < 0 and label.frameWidth():
        indent = label.fontMetrics().horizontalAdvance("x") // 2 - label.margin()
    if indent > 0:
        align = label.alignment()
        if align & (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignRight):
            across += indent
        if align & (Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignBottom):
            down += indent
    return width - across, height - down


class DocumentLabel(QLabel):
    """A word-wrapped label that Qt lays out in a text document (its text can be
    selected, or is rich text), as high as its text's ink at every width
    (``ink_room``; the module's docstring)."""

    def heightForWidth(self, width: int) -> int:  # (Qt's name)
        height = super().heightForWidth(width)
        if height < 0 or not self.wordWrap():
            return height
        # (a layout asks again and again for the same widths: the text laid out and
        # its ink measured once for each, not at each question; a language change
        # to Arabic took 100 ms where it took 45)
        key = (width, height, self.text(), self.font().key(), self.alignment(),
               self.textFormat(), self.margin(), self.indent())
        room = self._ink_rooms.get(key)
        if room is None:
            if len(self._ink_rooms) >= 16:
                self._ink_rooms.clear()
            room = self._ink_rooms[key] = ink_room(self, width)
        return height + room

    @property
    def _ink_rooms(self) -> dict[tuple, int]:
        try:
            return self.__dict__["_ink_room_cache"]
        except KeyError:
            return self.__dict__.setdefault("_ink_room_cache", {})


def _document_flags() -> Qt.TextInteractionFlag:
    """The interactions for which QLabel lays its text out in a text document."""
    from ui.qtcompat import Qt

    return (Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextEditable)


class WrappedLabel(QLabel):
    """A word-wrapped label with room where its lines end, its plain text painted
    whole in Arabic (see the module's docstring)."""

    #: average characters' widths left free before its lines (``set_gap_before``); on
    #: the class too, for a label the watcher is told of before its ``__init__`` set it
    #: (the test suite once met one, under load: the event filter raised at every
    #: font change from then on)
    _gap_before = 0.0

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
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
    """Whether ``text``'s first letter with a direction outside an isolate is written
    right to left, as QLabel takes the direction of plain text (QString::isRightToLeft,
    Unicode's rule P2). A line that starts with a code the client isolated (an
    action's "PA1.2: …" in Arabic, ``ui.bidi.isolated_codes``) is right to left for
    QLabel: taken for left to right here, it was not painted whole, and lost its
    lines' last letters."""
    from fieldplan.text import first_strong

    return first_strong(text) == "R"
