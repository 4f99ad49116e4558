"""Mixed scripts in widgets: item-view cells of people's text are laid out in the
text's own direction, and so are the paragraphs of a plain-text field.

An English narrative in the Arabic layout (or an Arabic one in the English layout)
is drawn, aligned and elided as its own script reads: the start stays visible and the
ellipsis goes where the text ends, as a browser does with ``dir="auto"``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import (
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTextEdit, QWidget

from fieldplan.text import clean_text
from ui.bidi import isolated, own_direction, without_marks
from ui.qtcompat import Qt

#: keys that edit the text whatever their text says (Qt's standard keys)
_EDITING_SEQUENCES = (
    QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.DeleteEndOfWord, QKeySequence.StandardKey.DeleteStartOfWord,
    QKeySequence.StandardKey.DeleteEndOfLine, QKeySequence.StandardKey.DeleteCompleteLine,
    QKeySequence.StandardKey.InsertParagraphSeparator,
    QKeySequence.StandardKey.InsertLineSeparator,
)
#: keys with a text of their own that edit nothing here, or undo (itself a step)
_NOT_EDITING_SEQUENCES = (
    QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo,
    QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.SelectAll,
)


class PlainTextEdit(QTextEdit):
    """Plain text whose paragraphs each take their own direction and alignment.

    QPlainTextEdit aligns every paragraph left, so an Arabic narrative (or the
    Arabic field names above an English one) sat on the wrong side in both
    layouts; QTextEdit lays each paragraph out by its first letter. A person's text
    (not ``copies_as_written``) goes by most of each paragraph's words instead
    (``ui.bidi.own_direction``), as the PDF reports print it: "IOM تعمل مع الوزارة …"
    reads right to left, from the right, read-only and as it is typed alike (typed
    by Qt's first letter, it read left to right until it was saved and shown
    read-only). As it is typed, only the paragraphs a change touched are looked at
    again (``_follow_change``): a long narrative stays fast."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 copies_as_written: bool = False) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)  # pasted text stays plain
        #: text the client laid out (a message's details: paths, file names), copied
        #: and dragged without the marks it put in (``ui.bidi.without_marks``); never
        #: so for people's own text, whose marks are theirs
        self.copies_as_written = copies_as_written
        # the text last given to setPlainText, and the document's raw text it made
        self._given = ("", "")
        #: (first, last) document positions a change since the last ``_follow_change``
        #: touched; None when there is none
        self._changed: tuple[int, int] | None = None
        #: whether the document changes now are the paragraphs' directions being set
        #: (or a whole text being given), which ``_follow_change`` does not follow
        self._setting_directions = False
        #: (kind, caret position, document revision) after the last key that typed or
        #: erased (``keyPressEvent``): a key of the same kind there goes on its undo step
        self._typing: tuple[str, int, int] | None = None
        document = self.document()
        document.contentsChange.connect(self._note_change)
        document.contentsChanged.connect(self._follow_change)
        if text:
            self.setPlainText(text)
        elif not copies_as_written:
            self._set_directions()  # (an empty box: its caret on the layout's side)

    def setPlainText(self, text: str) -> None:
        self._setting_directions = True
        try:
            super().setPlainText(text)
        finally:
            self._setting_directions = False
            self._changed = None
        self._given = (text, self.document().toRawText())
        if not self.copies_as_written:
            self._set_directions()

    def _set_directions(self) -> None:
        """Each paragraph in its own direction (``own_direction``), the whole text
        given at once. Only the blocks' formats change, not the text: no signal says
        the text changed (the report editor took that for typing), and the document's
        modified flag stays. Its undo history goes, if it had one (a text just given
        has none)."""
        document = self.document()
        undo = document.isUndoRedoEnabled()
        document.setUndoRedoEnabled(False)
        try:
            self._direct_blocks(document.begin(), None)
        finally:
            document.setUndoRedoEnabled(undo)

    def _note_change(self, position: int, _removed: int, added: int) -> None:
        """Where the document changed (its ``contentsChange``), for ``_follow_change``."""
        if self._setting_directions or self.copies_as_written:
            return
        first, last = position, position + added
        if self._changed is not None:
            first, last = min(first, self._changed[0]), max(last, self._changed[1])
        self._changed = (first, last)

    def _follow_change(self) -> None:
        """The paragraphs a change touched (typed, pasted, deleted) take their own
        direction again, once the change is done (the document's ``contentsChanged``):
        those paragraphs only, not the whole text at each key.

        The person's undo stays theirs: where the document has its own undo, a
        paragraph turned around is part of the step that turned it (undone with the
        typing, never a step of its own), and nothing is set while a step is undone or
        redone (the directions come back with it; setting one then would take the
        redo away)."""
        changed, self._changed = self._changed, None
        if changed is None or self._setting_directions:
            return
        document = self.document()
        if document.isUndoRedoEnabled() and document.isRedoAvailable():
            return  # an undo or a redo: its paragraphs' formats came back with it
        first = document.findBlock(changed[0])
        last = document.findBlock(changed[1])
        self._direct_blocks(first, last if last.isValid() else None, join=True)

    def _direct_blocks(self, block: QTextBlock, last: QTextBlock | None, *,
                       join: bool = False) -> None:
        """Each paragraph from ``block`` to ``last`` (to the end: None) in its own
        direction (``own_direction``): a format of its own only where that is not Qt's
        (the first letter's), so most paragraphs have none. ``join``: a change is
        part of the undo step before it (``_follow_change``). Neither the widget's
        textChanged nor the document's modified flag hear of it."""
        document = self.document()
        cursor: QTextCursor | None = None
        modified = document.isModified()
        blocked = self.blockSignals(True)
        self._setting_directions = True
        try:
            layout = self.layoutDirection()
            while block.isValid():
                text = block.text()
                # the sheet's rule (``fieldplan.reports.text.layout``): most of its
                # words, a paragraph without a letter the layout's direction
                own = own_direction(text) or layout
                wanted = None if own == _qt_direction(text) else own
                form = block.blockFormat()
                had = (form.layoutDirection()
                       if form.hasProperty(QTextFormat.Property.LayoutDirection) else None)
                if had != wanted:
                    form = QTextBlockFormat(form)
                    if wanted is None:
                        form.clearProperty(QTextFormat.Property.LayoutDirection)
                    else:
                        form.setLayoutDirection(wanted)
                    if cursor is None:
                        cursor = QTextCursor(block)
                        if join:
                            cursor.joinPreviousEditBlock()
                        else:
                            cursor.beginEditBlock()
                    cursor.setPosition(block.position())
                    cursor.setBlockFormat(form)
                if last is not None and block == last:
                    break
                block = block.next()
        finally:
            if cursor is not None:
                cursor.endEditBlock()
            self._setting_directions = False
            if not document.isUndoRedoEnabled() or not join:
                document.setModified(modified)
            self.blockSignals(blocked)

    def changeEvent(self, event: QEvent) -> None:  # (Qt's name)
        """The language changed the layout's direction: the paragraphs without a
        letter (an empty box, "2026") take the new one, as a sheet printed in that
        language prints them. Where the box has an undo history, on its last step
        (never a step alone, and nothing of it lost)."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.LayoutDirectionChange or self.copies_as_written:
            return
        document = self.document()
        if document.isUndoRedoEnabled() and document.isUndoAvailable():
            self._direct_blocks(document.begin(), None, join=True)
        else:
            self._set_directions()

    def insertFromMimeData(self, source: QMimeData) -> None:  # (Qt's name)
        """Pasted or dropped text goes in as ``clean_text`` stores it: Qt's document
        takes U+FDD0 and U+FDD1 for frame marks, and a pasted one read back as a
        newline the person never typed."""
        if source.hasText():  # (rich text is not taken: its plain text is)
            text = source.text()
            cleaned = clean_text(text)
            if cleaned != text:
                plain = QMimeData()
                plain.setText(cleaned)
                source = plain
        with self._one_undo_step():
            super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # (Qt's name)
        """A key that edits is one undo step with the directions it changes
        (``_one_undo_step``), where the document has Qt's own undo: a run of letters
        typed, or of Backspace or Delete, stays one step, as Qt makes it."""
        kind = self._editing_key(event)
        if kind is None:
            super().keyPressEvent(event)
            return
        document = self.document()
        at = self.textCursor().position()
        with self._one_undo_step(join=self._typing == (kind, at, document.revision())):
            super().keyPressEvent(event)
        cursor = self.textCursor()
        self._typing = ((kind, cursor.position(), document.revision())
                        if kind != "other" and not cursor.hasSelection() else None)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # (Qt's name)
        """What an input method commits (Arabic, Chinese…) is one undo step with the
        directions it changes (``_one_undo_step``)."""
        if not event.commitString() and not event.replacementLength():
            super().inputMethodEvent(event)
            return
        self._typing = None
        with self._one_undo_step():
            super().inputMethodEvent(event)

    def _editing_key(self, event: QKeyEvent) -> str | None:
        """What ``event`` does to the text where the document has its own undo (and
        the paragraphs follow their own direction): "typed" a letter, "back"
        (Backspace) or "delete" one, "other" (Return, paste, cut…); None when it
        does not edit, or Qt's own undo is off (the report editor's: nothing to keep
        together) or the box is read-only."""
        if (self.isReadOnly() or self.copies_as_written
                or not self.document().isUndoRedoEnabled()):
            return None
        plain = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                      | Qt.KeyboardModifier.KeypadModifier) == \
            Qt.KeyboardModifier.NoModifier
        key = event.key()
        if plain and key == Qt.Key.Key_Backspace:
            return "back"
        if plain and key == Qt.Key.Key_Delete:
            return "delete"
        if any(event.matches(k) for k in _EDITING_SEQUENCES):
            return "other"
        if any(event.matches(k) for k in _NOT_EDITING_SEQUENCES):
            return None
        text = event.text()
        if text in ("\r", "\n"):
            return "other"
        if text and (text.isprintable() or text == "\t"):
            return "typed"
        return None

    @contextmanager
    def _one_undo_step(self, *, join: bool = False) -> Iterator[None]:
        """Where the document has Qt's own undo, what is done inside (a key, a paste)
        is in one edit block, which ``_follow_change`` joins the directions it
        changes to: undone together, never a step that changes a direction alone (a
        letter typed is no edit block of Qt's). ``join``: on the step before (letters
        typed one after another). A block in which nothing changed is said to no
        one (Qt said the text changed, and an undo-less document took itself for
        modified)."""
        document = self.document()
        if not document.isUndoRedoEnabled() or self.isReadOnly() or self.copies_as_written:
            yield
            return
        # (at the caret: an undo puts the caret back where its step's block began, and
        # one begun at the document's start sent it to the narrative's first letter)
        cursor = self.textCursor()
        if join:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
        before = document.toRawText()  # (the revision moves at the block's start only)
        try:
            yield
        finally:
            unchanged = document.toRawText() == before
            blocked = self.blockSignals(True) if unchanged else self.signalsBlocked()
            try:
                cursor.endEditBlock()
            finally:
                self.blockSignals(blocked)

    def createMimeDataFromSelection(self) -> QMimeData:  # (Qt's name)
        """What Ctrl+C copies and a drag carries: with ``copies_as_written``, the
        selection without the marks that lay it out (a path pasted with them into a
        terminal or a file manager names no file).

        The data is Qt's own, its text replaced: data made in Python (``QMimeData()``)
        and kept by the clipboard is deleted by Qt after the interpreter has ended,
        where the offscreen and minimal platforms keep it (until the process exits),
        and its Python side then crashed the process on its way out."""
        data = super().createMimeDataFromSelection()
        if not self.copies_as_written:
            return data
        text = without_marks(data.text())  # (Qt's HTML and ODF copies made by now)
        data.clear()  # (those carry the marks: the text alone is copied)
        data.setText(text)
        return data

    def text(self) -> str:
        """The text as typed, as ``fieldplan.text.clean_text`` stores it for the CLI.

        Not ``toPlainText``: Qt's plain text turns no-break spaces (U+00A0, French
        « … », Word's) into spaces and line separators (U+2028) into newlines, so a
        narrative only shown differed from the one stored, and was saved again. The
        raw text keeps every character; only Qt's paragraph breaks (U+2029, whatever
        made them: a newline, a CR, a U+2029 typed in the text) become newlines, as
        clean_text makes them. The text given to setPlainText, unedited, is returned
        as given: a stored text that Qt cannot hold as it is (a U+2029 the CLI kept
        before clean_text turned it into a newline) reads back unchanged."""
        raw = self.document().toRawText()
        if raw == self._given[1]:
            return self._given[0]
        return raw.replace("\u2029", "\n")

    def setReadOnly(self, read_only: bool) -> None:
        """Read-only, the text is still read with the keyboard: a caret that the arrows
        move, Shift+arrows select, Ctrl+C copies (Qt leaves it to the mouse only, and a
        narrative, a conflict's version or a dialog's details out of reach of anyone
        without one). Editable again, Qt gives the editor's flags back."""
        super().setReadOnly(read_only)
        if read_only:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)


def _qt_direction(text: str) -> Qt.LayoutDirection:
    """The direction Qt gives a paragraph (a QTextBlock) with no direction of its own:
    its first strong character, those inside isolates too (QTextBlock::textDirection,
    unlike QString::isRightToLeft), left to right without one. Not ``text_direction``,
    which skips isolates: "\u2066IOM\u2069 قدمت الدعم" was taken for right to left
    there, given no direction of its own, and Qt laid it out left to right."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return Qt.LayoutDirection.LeftToRight


class PathsLeftToRight(QStyledItemDelegate):
    """Draws each item, a path, left to right with its icon before it, as an address
    reads (the "Look in" list of Qt's file dialog): in a right-to-left application
    Qt's own menu-like items drew "/tmp/تقارير" as "tmp/تقارير/". The text is
    isolated too, for a style that lays text out in the application's direction."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.direction = Qt.LayoutDirection.LeftToRight
        if option.text:
            option.text = isolated(option.text)


class BidiDelegate(QStyledItemDelegate):
    """Draws each cell in its text's direction (by most of its words,
    ``ui.bidi.own_direction``: an Arabic narrative that starts with "IOM" is right to
    left); a text with no letters keeps the view's direction. The alignment stays
    "leading", so it follows the text."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        direction = own_direction(option.text) if option.text else None
        if direction is not None and direction != option.direction:
            option.direction = direction
            option.textElideMode = Qt.TextElideMode.ElideRight  # the text's own end
