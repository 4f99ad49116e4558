"""Mixed scripts in widgets: item-view cells of people's text are laid out in the
text's own direction, and so are the paragraphs of a plain-text field.

An English narrative in the Arabic layout (or an Arabic one in the English layout)
is drawn, aligned and elided as its own script reads: the start stays visible and the
ellipsis goes where the text ends, as a browser does with ``dir="auto"``.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTextEdit, QWidget

from fieldplan.text import clean_text
from ui.bidi import isolated, own_direction, without_marks
from ui.qtcompat import Qt


class PlainTextEdit(QTextEdit):
    """Plain text whose paragraphs each take their own direction and alignment.

    QPlainTextEdit aligns every paragraph left, so an Arabic narrative (or the
    Arabic field names above an English one) sat on the wrong side in both
    layouts; QTextEdit lays each paragraph out by its first letter. Read-only, a
    person's text (not ``copies_as_written``) goes by most of each paragraph's words
    instead (``ui.bidi.own_direction``), as the PDF reports print it: "IOM قدمت الدعم …"
    reads right to left, from the right. Editable, each paragraph keeps Qt's way (its
    first letter), as every text box does: a paragraph that turned around halfway
    through its typing would move the caret under the person's hands."""

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
        if text:
            self.setPlainText(text)

    def setPlainText(self, text: str) -> None:
        super().setPlainText(text)
        self._given = (text, self.document().toRawText())
        if self._own_directions():
            self._set_directions(own=True)

    def _own_directions(self) -> bool:
        """Whether the paragraphs go by most of their letters (``own_direction``)."""
        return self.isReadOnly() and not self.copies_as_written

    def _set_directions(self, *, own: bool) -> None:
        """Each paragraph in its own direction (``own``, by ``own_direction``) or in the
        one Qt gives it (by its first letter). Only the blocks' formats change, not
        the text: no signal says the text changed (the report editor took that for
        typing), and the document's modified flag stays. Its undo history goes, if it
        had one (a read-only box has nothing to undo; the report editor undoes
        through its own stack)."""
        from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextFormat

        document = self.document()
        modified, undo = document.isModified(), document.isUndoRedoEnabled()
        blocked = self.blockSignals(True)
        document.setUndoRedoEnabled(False)
        try:
            block = document.begin()
            while block.isValid():
                wanted = own_direction(block.text()) if own else None
                form = block.blockFormat()
                had = (form.layoutDirection()
                       if form.hasProperty(QTextFormat.Property.LayoutDirection) else None)
                if had != wanted:
                    form = QTextBlockFormat(form)
                    if wanted is None:
                        form.clearProperty(QTextFormat.Property.LayoutDirection)
                    else:
                        form.setLayoutDirection(wanted)
                    QTextCursor(block).setBlockFormat(form)
                block = block.next()
        finally:
            document.setUndoRedoEnabled(undo)
            document.setModified(modified)
            self.blockSignals(blocked)

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
        super().insertFromMimeData(source)

    def createMimeDataFromSelection(self) -> QMimeData:  # (Qt's name)
        """What Ctrl+C copies and a drag carries: with ``copies_as_written``, the
        selection without the marks that lay it out (a path pasted with them into a
        terminal or a file manager names no file)."""
        data = super().createMimeDataFromSelection()
        if not self.copies_as_written:
            return data
        plain = QMimeData()
        plain.setText(without_marks(data.text()))
        return plain

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
        was = self._own_directions()
        super().setReadOnly(read_only)
        if read_only:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        if self._own_directions() != was:
            self._set_directions(own=not was)


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
