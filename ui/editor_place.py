"""Where the person is in the report editor: in each field the cursor, the selection
and the scrolling, which field has the focus, and how far the form is scrolled. A
language change makes the window again (ui.app.Shell.change_language): the new
editor puts the place back once it shows the same report, as the new window takes
over the old one's undo steps (ui.main_window.MainWindow.hand_over_editing), so
typing goes on where it was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QWidget

if TYPE_CHECKING:
    from ui.report_editor import ReportEditor

#: the text boxes of the narratives (ui.bidi_widgets.PlainTextEdit is a QTextEdit)
TEXT_BOXES = (QPlainTextEdit, QTextEdit)


@dataclass(frozen=True)
class FieldPlace:
    """Where the cursor is in one field."""

    #: the cursor's position, in characters
    position: int
    #: the other end of the selection (``position`` when nothing is selected)
    anchor: int
    #: (a text box) its scroll bars' values: horizontal, vertical
    scroll: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class EditorPlace:
    """Where the person is in the editor, for one report."""

    #: (action, period) of the report shown
    report: tuple[str, str]
    #: field name (``fields_of``) → where its cursor is
    fields: Mapping[str, FieldPlace] = field(default_factory=dict)
    #: the field that has the focus ("" for none)
    focus: str = ""
    #: how far the form is scrolled down
    scroll: int = 0


def fields_of(editor: ReportEditor) -> dict[str, QWidget]:
    """The editor's fields by name: status, percent, value.KEY, the narratives."""
    found: dict[str, QWidget] = {"status": editor.status, "percent": editor.percent}
    found.update({f"value.{key}": edit for key, edit in editor.indicator_edits.items()})
    found.update(editor.narratives)
    return found


def texts_of(editor: ReportEditor) -> dict[str, str]:
    """The text of each of the editor's fields, as on screen (the status: its value)."""
    texts = {}
    for name, widget in fields_of(editor).items():
        if isinstance(widget, QLineEdit):
            texts[name] = widget.text()
        elif isinstance(widget, TEXT_BOXES):
            # (ui.bidi_widgets.PlainTextEdit.text: as typed, no-break spaces kept)
            texts[name] = getattr(widget, "text", widget.toPlainText)()
        else:
            texts[name] = widget.currentData() or ""
    return texts


def put_texts(editor: ReportEditor, texts: Mapping[str, str]) -> None:
    """Put ``texts_of``'s texts back in the editor's fields (those it has)."""
    for name, widget in fields_of(editor).items():
        if name not in texts:
            continue
        if isinstance(widget, QLineEdit):
            widget.setText(texts[name])
        elif isinstance(widget, TEXT_BOXES):
            widget.setPlainText(texts[name])
        elif widget.findData(texts[name]) >= 0:  # (none of its entries: left as it is)
            widget.setCurrentIndex(widget.findData(texts[name]))


def place_of(editor: ReportEditor, report: tuple[str, str] | None = None
             ) -> EditorPlace | None:
    """Where the person is in ``editor`` (None when it shows no report), in the report
    it shows or in ``report`` (one on screen that is no longer the editor's: an
    amendment hid it, ``ReportEditor.gone``)."""
    if report is None and editor.action is None:
        return None
    if report is None:
        report = (editor.action.code, editor.period)
    # (the window's: the application has none while a dialog just closed, the import's
    # result, has not given the window the keyboard back yet)
    focused = editor.window().focusWidget()
    fields, focus = {}, ""
    for name, widget in fields_of(editor).items():
        if widget is focused:
            focus = name
        if isinstance(widget, QLineEdit):
            position = widget.cursorPosition()
            anchor = position
            if widget.hasSelectedText():
                start = widget.selectionStart()
                end = start + len(widget.selectedText())
                anchor = end if position == start else start
            fields[name] = FieldPlace(position, anchor)
        elif isinstance(widget, TEXT_BOXES):
            cursor = widget.textCursor()
            fields[name] = FieldPlace(
                cursor.position(), cursor.anchor(),
                (widget.horizontalScrollBar().value(), widget.verticalScrollBar().value()))
    return EditorPlace(report, fields, focus, editor.verticalScrollBar().value())


def put_back(editor: ReportEditor, place: EditorPlace) -> None:
    """Put the cursor, selection and scrolling of each field, the focus and the form's
    scrolling back as ``place`` says (each within the text the field now holds)."""
    widgets = fields_of(editor)
    for name, where in place.fields.items():
        widget = widgets.get(name)
        if isinstance(widget, QLineEdit):
            size = len(widget.text())
            anchor, position = min(where.anchor, size), min(where.position, size)
            widget.setSelection(anchor, position - anchor)
        elif isinstance(widget, TEXT_BOXES):
            cursor = widget.textCursor()
            last = max(widget.document().characterCount() - 1, 0)
            cursor.setPosition(min(where.anchor, last))
            cursor.setPosition(min(where.position, last), cursor.MoveMode.KeepAnchor)
            widget.setTextCursor(cursor)
            # after the cursor, which scrolls to be seen
            widget.horizontalScrollBar().setValue(where.scroll[0])
            widget.verticalScrollBar().setValue(where.scroll[1])
    focus = widgets.get(place.focus)
    if focus is not None and focus.isEnabled():
        focus.setFocus()
    editor.verticalScrollBar().setValue(place.scroll)
