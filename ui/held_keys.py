"""The characters typed in the report form while its report is being read.

Until the database has answered, the form's fields are read-only (what is typed must go
to the report whose title is shown, never to the one before it). A person who chose an
action and went straight on with Alt+M and "40" lost the "40": the keys reached a
read-only field and went nowhere, unsaid. They are kept instead, with the name of the
field they were typed in, and typed into that field once the report can be edited
(``HeldKeys.replay``); forgotten when another report is chosen meanwhile or the one read
cannot be edited (submitted, locked: its notice says why)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject

from ui.qtcompat import Qt


@dataclass(frozen=True)
class HeldTyping:
    """What a form's ``HeldKeys`` kept, handed to the window made again for a language
    change (``HeldKeys.kept``, ``take_over``)."""

    #: (field name, key, modifiers, text) as typed
    keys: tuple[tuple[str, Any, Any, str], ...]
    #: the fields entered with Tab or Alt+letter (``HeldKeys._entered_by_key``)
    entered_by_key: frozenset[str]
    #: the fields that were empty when typed in (``HeldKeys._typed_in_empty``)
    typed_in_empty: frozenset[str]


class HeldKeys(QObject):
    """Event filter on the report form's fields (``watch``): while ``holding``, the
    characters typed in one of them (and Backspace, Delete; Enter in a text box) are
    kept, not handed to the field."""

    def __init__(self, name_of: Callable[[QObject], str | None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: the name of a field of the form (``ReportEditor._field``'s), or None
        self._name_of = name_of
        self.holding = False
        #: (field name, key, modifiers, text) as typed
        self._keys: list[tuple[str, Any, Any, str]] = []
        #: the fields the keyboard came into with Tab or Alt+letter since holding began:
        #: Qt selects a line's whole text then, so that what is typed replaces it
        self._entered_by_key: set[str] = set()
        #: the fields (lines, text boxes) that were empty when the first key was kept
        #: for them: another report's value cleared while this one is read, what it
        #: holds unseen
        self._typed_in_empty: set[str] = set()

    def watch(self, field: QObject) -> None:
        field.installEventFilter(self)

    def hold(self) -> None:
        """From now on (a report is being read) keep what is typed; what was kept for
        the report before is forgotten."""
        self.holding = True
        self._keys.clear()
        self._entered_by_key.clear()
        self._typed_in_empty.clear()

    def keep_holding(self) -> None:
        """The same report read again: what is kept so far is still meant for it."""
        self.holding = True

    def drop(self) -> None:
        """Stop holding, and forget what was kept."""
        self.holding = False
        self._keys.clear()
        self._entered_by_key.clear()
        self._typed_in_empty.clear()

    def kept(self) -> HeldTyping | None:
        """(a language change, the report still being read) What is kept so far, for
        the window made again to type in once it has read the report
        (``take_over``); None when nothing is."""
        if not self.holding or not self._keys:
            return None
        return HeldTyping(tuple(self._keys), frozenset(self._entered_by_key),
                          frozenset(self._typed_in_empty))

    def take_over(self, kept: HeldTyping) -> None:
        """Hold what another form kept (``kept``: the window it was in was made again
        for a language change) as if typed here, before what is typed here from now on."""
        self.holding = True
        self._keys[:0] = kept.keys
        self._entered_by_key |= kept.entered_by_key
        self._typed_in_empty |= kept.typed_in_empty

    def held(self) -> list[str]:
        """The names of the fields keys are kept for, in the order typed."""
        return [name for name, *_rest in self._keys]

    def eventFilter(self, watched: QObject, event: Any) -> bool:  # (Qt's name)
        if not self.holding:
            return False
        from PySide6.QtCore import QEvent

        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            name = self._name_of(watched)
            if name is not None and event.reason() in (
                    Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                    Qt.FocusReason.ShortcutFocusReason):
                self._entered_by_key.add(name)
            return False
        if kind != QEvent.Type.KeyPress or not _typed(watched, event):
            return False
        name = self._name_of(watched)
        if name is None or (name == "status" and not event.text().strip()):
            return False  # (Space opens the status's list: not later, by surprise)
        if name not in self.held() and not _text_of(watched):
            self._typed_in_empty.add(name)
        self._keys.append((name, event.key(), event.modifiers(), event.text()))
        return True

    def replay(self, field_of: Callable[[str], QObject | None]) -> None:
        """Type what was kept into the fields it was typed in (``field_of(name)``, as
        made for the report read), as the person would have typed it there: a line
        entered by Tab or Alt+letter has its text replaced, as Qt selects it then, and
        so has a line typed in while it was empty (its report's value unseen: cleared
        while the report was read), where the keys went after that value ("40" typed
        in a Percent that was read as 10 became 1040). A text box typed in while it
        was empty takes what was typed after the text read, on a line of its own: it
        went in front of it, the two run together ("VisaWells dug.")."""
        from PySide6.QtGui import QTextCursor
        from PySide6.QtWidgets import QLineEdit

        keys, unseen = list(self._keys), set(self._typed_in_empty)
        entered = self._entered_by_key | unseen
        self.drop()
        started: set[str] = set()
        for name, key, modifiers, text in keys:
            field = field_of(name)
            if field is None:
                continue
            if name not in started:
                started.add(name)
                if name in entered and isinstance(field, QLineEdit):
                    field.selectAll()
                elif name in unseen and _is_text_box(field) and field.toPlainText():
                    field.moveCursor(QTextCursor.MoveOperation.End)
                    _send(field, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
            _send(field, key, modifiers, text)


def _send(field: QObject, key: Any, modifiers: Any, text: str) -> None:
    """A key pressed and released in ``field``, as typed there."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(field, QKeyEvent(kind, key, modifiers, text))


def _text_of(field: QObject) -> str:
    """The text a line or a text box shows ("" for another field)."""
    from PySide6.QtWidgets import QLineEdit

    if isinstance(field, QLineEdit):
        return field.text()
    if _is_text_box(field):
        return field.toPlainText()
    return "x"  # (the status: never typed over)


def _is_text_box(field: QObject) -> bool:
    """Whether ``field`` is a box of text (a narrative: ``bidi_widgets.PlainTextEdit``
    is a QTextEdit), where Enter types a new line."""
    from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

    return isinstance(field, QTextEdit | QPlainTextEdit)


def _typed(field: QObject, event: Any) -> bool:
    """Whether ``event`` (a key press in ``field``) types into a field, as opposed to
    moving in the form, a shortcut or a key the window acts on."""
    mods = event.modifiers()
    ctrl, alt = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
    # (AltGr is Ctrl+Alt on Windows: "@", "€" and the like are typed with it)
    alt_gr = mods & ctrl and mods & alt and event.text().isprintable() and event.text()
    if mods & (ctrl | alt | Qt.KeyboardModifier.MetaModifier) and not alt_gr:
        return False
    key = event.key()
    if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
        return True
    if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return _is_text_box(field)  # (a new line; a line's Enter is not typed)
    text = event.text()
    return bool(text) and text.isprintable()
