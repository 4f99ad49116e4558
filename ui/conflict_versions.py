"""One version of a conflicting value on the Conflicts page: which computer wrote it
(this one or another: two laptops may share an account name and write in the same
minute), and where it differs from the other version, highlighted, the text opened at
the first difference (two 18,000-character narratives may differ in one word)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QResizeEvent, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from fieldplan.i18n import _, format_number
from fieldplan.model import NARRATIVE_FIELDS
from fieldplan.text import Span, differing_spans
from ui.bidi import embedded
from ui.bidi_widgets import PlainTextEdit
from ui.context import time_text, unbroken
from ui.qtcompat import Qt

#: the background of a differing passage, with black text on it in any theme
DIFFERENCE_COLOUR = "#ffe27a"


def version_title(candidate: Any) -> str:
    """"Written by root on this computer (a2b6d637), 4 Dec 2026, 19:07": the computer
    by its short replica id, as the Keys tab and Help ▸ This computer's key show one;
    the time never broken across lines (``unbroken``: three versions side by side in
    Arabic cut "05/" off "2026/12")."""
    from fieldplan.sync.conflicts import written_by

    return written_by(candidate, unbroken(time_text(candidate.at)), embedded)


def version_names(candidate: Any, value: str) -> tuple[str, str]:
    """What a screen reader calls a version's pane and its Keep button (which quotes
    ``value``, on one line): by the computer that wrote it, as ``version_title`` says
    it, and whether it is the one shown now.
    Two versions of the same author and minute, alike for sixty characters, were
    "Value" and "Keep “We trained forty two district…” by root, 5 Dec 2026, 03:31",
    both; their difference only a yellow background."""
    from fieldplan.sync.conflicts import computer_text

    computer = computer_text(candidate)  # (no isolates: read aloud, not laid out)
    if candidate.winner:
        pane = _("Version written on {computer}, shown now")
        keep = _("Keep “{value}”, written on {computer}, shown now")
    else:
        pane = _("Version written on {computer}")
        keep = _("Keep “{value}”, written on {computer}")
    return (pane.format(computer=computer),
            keep.format(value=value, computer=computer))


def told_apart_names(candidates: list[Any], values: list[str]) -> list[tuple[str, str]]:
    """``version_names`` of the versions shown side by side, each told apart from the
    others: a name alike to another's (a pane of the same computer, a Keep of the same
    value too) says the version's author and time, as its heading does, and its place
    ("version 3 of 32") where these are alike too. Versions of the same value from the
    same computer gave 32 Keep buttons 7 names in a wide conflict: the same button heard
    again and again. Two versions (one shown now) keep their short names."""
    from fieldplan.sync.conflicts import computer_text

    count = format_number(len(candidates))
    names, headed, placed = [], [], []
    for number, (cand, value) in enumerate(zip(candidates, values, strict=True), 1):
        names.append(version_names(cand, value))
        pieces = {"author": cand.author, "computer": computer_text(cand),
                  "when": time_text(cand.at), "value": value,
                  "number": format_number(number), "count": count}
        headed.append((
            _("Version written by {author} on {computer}, {when}").format(**pieces),
            _("Keep “{value}”, written by {author} on {computer}, {when}").format(**pieces)))
        placed.append((
            _("Version {number} of {count}, written on {computer}").format(**pieces),
            _("Keep “{value}”, version {number} of {count}, written on "
              "{computer}").format(**pieces)))
    panes, keeps = ([_told_apart([n[i] for n in names], [n[i] for n in headed],
                                 [n[i] for n in placed]) for i in (0, 1)])
    return list(zip(panes, keeps, strict=True))


def _told_apart(names: list[str], headed: list[str], placed: list[str]) -> list[str]:
    """Each name as it is when no other is alike; else as ``headed`` when that one is
    unlike any other; else as ``placed`` (unlike any other, by its place)."""
    from collections import Counter

    alike = Counter(names)
    # (among those alike only: the others, the one shown now, are said as they are)
    headed_alike = Counter(h for name, h in zip(names, headed, strict=True) if alike[name] > 1)
    return [name if alike[name] == 1 else head if headed_alike[head] == 1 else place
            for name, head, place in zip(names, headed, placed, strict=True)]


def difference_said(text: str, spans: tuple[Span, ...], room: int = 60) -> str:
    """"Differs at: “went badly.”": the first passage where a version differs from the
    other, on one line of at most ``room`` characters (where it lacks the other's
    words, the words around that place); "" when it does not differ."""
    if not spans:
        return ""
    start, end = spans[0]
    if start == end:  # the other version has words here: those around the place
        before = text[max(0, start - room // 2):start].split()[1:] or text[:start].split()
        after = text[end:end + room // 2].split()[:-1] or text[end:].split()
        passage = " ".join([*before[-3:], "…", *after[:3]])
    else:
        passage = " ".join(text[start:end].split())
    if len(passage) > room:
        passage = passage[:room - 1] + "…"
    return _("Differs at: “{passage}”").format(passage=passage)


def version_differences(field: str, texts: list[str]) -> list[tuple[Span, ...]]:
    """For each version's text (as shown), the spans where it differs from another:
    the first from the second, every other from the first. Narratives only: a status
    or a number is read at a glance."""
    if field not in NARRATIVE_FIELDS or len(texts) < 2:
        return [() for _t in texts]
    first, second = differing_spans(texts[0], texts[1])  # (the longest work: once)
    return [first, second, *(differing_spans(texts[0], text)[1] for text in texts[2:])]


def _utf16(text: str, index: int) -> int:
    """A Python index as a position in a QTextDocument, which counts UTF-16 units."""
    return len(text[:index].encode("utf-16-le")) // 2


class VersionText(PlainTextEdit):
    """A version's text, read-only, its differing passages highlighted; once it has a
    size it scrolls to the first of them, a third of the way down."""

    def __init__(self, text: str, spans: tuple[Span, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setReadOnly(True)
        self.spans = spans
        #: where the first difference starts (document position), kept in view until
        #: the user scrolls
        self._reveal: int | None = None
        selections = []
        for start, end in spans:
            if start == end:
                continue  # the other version has text here: nothing to colour
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(_utf16(text, start))
            cursor.setPosition(_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(QColor(DIFFERENCE_COLOUR))
            selection.format.setForeground(QColor(Qt.GlobalColor.black))
            selections.append(selection)
        self.setExtraSelections(selections)
        if spans:
            self._reveal = _utf16(text, spans[0][0])
        # a wheel or the scroll bar: where the user scrolled stays
        self.verticalScrollBar().actionTriggered.connect(self._user_scrolled)

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        """Two lines high at the least (it scrolls to the rest): the version's Keep
        button under it stays in sight on a short screen, the text giving way first."""
        hint = super().minimumSizeHint()
        lines = (self.fontMetrics().lineSpacing() * 2 + 2 * self.frameWidth()
                 + 2 * int(self.document().documentMargin()))
        return QSize(hint.width(), lines)

    def first_difference_visible(self) -> bool:
        """Whether the first differing passage is in view (tests, and after a resize)."""
        if not self.spans:
            return True
        if not self.isVisible():
            return False
        cursor = QTextCursor(self.document())
        cursor.setPosition(_utf16(self.toPlainText(), self.spans[0][0]))
        rect = self.cursorRect(cursor)
        return rect.top() >= 0 and rect.bottom() <= self.viewport().height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # the panes take their size in steps (layout, splitter, window): the text wraps
        # anew at each, and the first difference is brought back into view until the
        # user scrolls
        if self._reveal is not None and self.viewport().height() > 0:
            self._scroll_to(self._reveal)

    def _scroll_to(self, position: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        # the caret too: the arrows read on from there (read-only, PlainTextEdit keeps
        # the text selectable by the keyboard)
        self.setTextCursor(cursor)
        bar = self.verticalScrollBar()
        top = self.cursorRect(cursor).top()
        bar.setValue(bar.value() + top - self.viewport().height() // 3)

    def _user_scrolled(self, *_args) -> None:
        self._reveal = None

    def keyPressEvent(self, event) -> None:
        self._reveal = None
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        self._reveal = None
        super().mousePressEvent(event)
