"""Labels whose text is copied as it is written, without the invisible marks that
lay it out (PlainLabel: a message, a sentence naming a file); and a path shown on
lines of its own (PathLabel: a file just written, the database's file), wrapped at its
folders, each folder in its place in Arabic too."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtGui import (
    QClipboard,
    QContextMenuEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import QMenu, QWidget

from fieldplan.i18n import _
from ui.bidi import RLM, path_pieces, without_marks
from ui.qtcompat import Qt
from ui.wrapped_label import DocumentLabel


class PlainLabel(DocumentLabel):
    """Plain text to read and copy: wrapped, selectable with the mouse and the keyboard.

    What the client shows in Arabic holds marks that lay it out (a path or a file
    name inside a sentence is isolated, ``ui.bidi``); Qt copied them with the text,
    and a path copied from a sentence ("The file is in this folder: …", the drafts
    file View ▸ Saving details… names) and pasted into a terminal or a file manager
    named no file. Ctrl+C, the label's menu and the selection that X11 pastes with the
    middle button give ``copied_text``: the selection without them. As high as its
    text's ink (``ui.wrapped_label.DocumentLabel``)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(text, parent)
        if name:
            self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)  # paths, errors: as written
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setWordWrap(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def copied_text(self) -> str:
        """The selection, as copied: without the marks that lay it out, a line break
        between its lines (Qt's selection has paragraph separators)."""
        selected = self.selectedText().replace("\u2029", "\n").replace("\u2028", "\n")
        return without_marks(selected)

    def copy(self) -> None:
        """The selection to the clipboard, as ``copied_text`` gives it."""
        if self.hasSelectedText():
            QGuiApplication.clipboard().setText(self.copied_text())

    # Qt's ----------------------------------------------------------------------------
    def focusInEvent(self, event: QFocusEvent) -> None:
        """The focus given, its caret shown; not when only told so in passing.

        A dialog shown before its window is active (the window manager activates it a
        moment later) sends the widget meant to have the focus a FocusIn of its own
        (``QDialog::setVisible``), which no FocusOut follows if the focus moves on
        before the window is active: the label kept its caret, shown on an empty line
        (the cannot-open dialog's message, once the backups were checked and Restore
        took the focus). Qt sends the real one when the window becomes active."""
        if self.hasFocus():
            super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            event.accept()
            return
        super().keyPressEvent(event)
        self._own_selection()  # (Shift+arrows select)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        self._own_selection()

    def mouseDoubleClickEvent(self, event) -> None:
        super().mouseDoubleClickEvent(event)
        self._own_selection()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos() if event.reason() != event.Reason.Keyboard
                   else self.mapToGlobal(QPoint(0, self.height())))
        event.accept()

    def context_menu(self) -> QMenu:
        """Copy and Select All, as a label's own menu has them (in Qt's words and
        their translations), Copy giving ``copied_text``."""
        menu = QMenu(self)
        menu.setObjectName("path-menu")
        copy = menu.addAction(QCoreApplication.translate("QWidgetTextControl", "&Copy"))
        copy.setObjectName("copy-path")
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setEnabled(self.hasSelectedText())
        copy.triggered.connect(self.copy)
        menu.addSeparator()
        select_all = menu.addAction(QCoreApplication.translate("QWidgetTextControl",
                                                               "Select All"))
        select_all.setShortcut(QKeySequence.StandardKey.SelectAll)
        select_all.setEnabled(bool(self.text()))
        select_all.triggered.connect(lambda _checked=False: self._select_all())
        return menu

    def _select_all(self) -> None:
        self.setSelection(0, _units(self.text()))
        self._own_selection()

    def _own_selection(self) -> None:
        """Where the system has a selection to paste (X11's middle button), it holds
        ``copied_text``, not Qt's copy of the text with its marks."""
        clipboard = QGuiApplication.clipboard()
        if clipboard.supportsSelection() and self.hasSelectedText():
            clipboard.setText(self.copied_text(), QClipboard.Mode.Selection)


class PathLabel(PlainLabel):
    """A path, whole, selectable, on the layout's side as the lines around it.

    Wrapped: a long path made its dialog as wide as the path (Export table, Enrol an
    office: wider than a laptop's screen), and now breaks after its slashes (and
    backslashes: ``path_pieces`` puts a zero-width space after each). Each folder
    with Arabic letters is isolated, and in Arabic the whole is left to right
    (``ui.bidi.path_pieces``).

    Those marks are for the eye only: Ctrl+C, the label's menu and the selection that
    X11 pastes with the middle button give the path's own characters (a path pasted
    into a terminal or a file dialog with invisible marks names no file)."""

    def __init__(self, name: str = "", parent: QWidget | None = None,
                 accessible_name: str = "") -> None:
        """``accessible_name``: what the path is ("Path of the bundle saved"), for a
        screen reader; else "Path of the file"."""
        from ui.dialogs import reached_by_tab

        super().__init__("", parent, name)
        self._path = ""
        #: for each UTF-16 unit of text() (Qt's selection counts those): whether it is
        #: the path's own, not a mark
        self._own: list[bool] = []
        # a stop of Tab, named as the file's path: a selectable label takes the focus
        # on a click only, and the path of a file just written could be copied with a
        # mouse only. (Hidden, as it is until a file is written, Tab passes it by.)
        reached_by_tab(self)
        self.setAccessibleName(accessible_name or _("Path of the file"))

    def set_path(self, path: str) -> None:
        """Show ``path`` (on the layout's side: the label must be in its window);
        hidden for none."""
        self._path = path
        pieces = path_pieces(path, breaks=True) if path else []
        if pieces and self.isRightToLeft():
            # isolated, the path has no direction of its own, and a label without one
            # is laid out left to right
            pieces.insert(0, (RLM, False))
        self._own = [own for piece, own in pieces for _unit in range(_units(piece))]
        self.setText("".join(piece for piece, _own in pieces))
        # its name says what the path is, and hides the label's text from a screen
        # reader: the path itself is said as its description (as written, no marks).
        # Orca and NVDA said "Path of the database file" and never which file.
        self.setAccessibleDescription(path)
        self.setVisible(bool(path))

    def path(self) -> str:
        """The path shown, as written."""
        return self._path

    def copied_text(self) -> str:
        """The selected part of the path, without the marks (the whole path when all
        of it is selected, or nothing is: Ctrl+C on the label copies its path)."""
        if not self.hasSelectedText():
            return self._path
        start = self.selectionStart()
        units = self.text().encode("utf-16-le")
        end = start + _units(self.selectedText())
        own = self._own
        if not any(own[i] for i in range(len(own)) if not start <= i < end):
            return self._path  # (the whole path)
        kept = b"".join(units[2 * i:2 * i + 2] for i in range(start, min(end, len(own)))
                        if own[i])
        return kept.decode("utf-16-le", errors="replace")

    def copy(self) -> None:
        """The selection (or the whole path, when none) to the clipboard."""
        if self._path:
            QGuiApplication.clipboard().setText(self.copied_text())

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Reached by Tab, all of the path is selected, as a field's text is: what
        Ctrl+C will copy is seen."""
        super().focusInEvent(event)
        if self.hasFocus() and event.reason() in (
                Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason) and self._path:
            self._select_all()


def _units(text: str) -> int:
    """The length of ``text`` in UTF-16 units, as Qt counts it."""
    return len(text.encode("utf-16-le")) // 2
