"""One version of a conflicting value on the Conflicts page: which computer wrote it
(this one or another: two laptops may share an account name and write in the same
minute), and where it differs from the other version, highlighted, the text opened at
the first difference (two 18,000-character narratives may differ in one word)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QResizeEvent, QTextCursor
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _, format_number
from fieldplan.model import NARRATIVE_FIELDS
from fieldplan.text import Span, differing_spans
from ui.bidi import embedded
from ui.bidi_widgets import PlainTextEdit
from ui.context import time_text, unbroken
from ui.qtcompat import Qt, emit
from ui.wrapped_label import WrappedLabel

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
    again and again. Two versions (one shown now) keep their short names.
    (The longer names are made only for the names alike: each conflict chosen with
    the arrow keys made all three for every version, times and figures written
    anew.)"""
    from fieldplan.sync.conflicts import computer_text

    names = [version_names(cand, value)
             for cand, value in zip(candidates, values, strict=True)]

    def headed(number: int) -> tuple[str, str]:
        cand = candidates[number]
        pieces = {"author": cand.author, "computer": computer_text(cand),
                  "when": time_text(cand.at), "value": values[number]}
        return (
            _("Version written by {author} on {computer}, {when}").format(**pieces),
            _("Keep “{value}”, written by {author} on {computer}, {when}").format(**pieces))

    figures: dict[int, str] = {}

    def figure(n: int) -> str:
        if n not in figures:
            figures[n] = format_number(n)
        return figures[n]

    def placed(number: int) -> tuple[str, str]:
        pieces = {"computer": computer_text(candidates[number]), "value": values[number],
                  "number": figure(number + 1), "count": figure(len(candidates))}
        return (
            _("Version {number} of {count}, written on {computer}").format(**pieces),
            _("Keep “{value}”, version {number} of {count}, written on "
              "{computer}").format(**pieces))

    panes, keeps = (_told_apart([n[i] for n in names], lambda k, i=i: headed(k)[i],
                                lambda k, i=i: placed(k)[i]) for i in (0, 1))
    return list(zip(panes, keeps, strict=True))


def _told_apart(names: list[str], headed: Callable[[int], str],
                placed: Callable[[int], str]) -> list[str]:
    """Each name as it is when no other is alike; else as ``headed(i)`` when that one
    is unlike any other; else as ``placed(i)`` (unlike any other, by its place)."""
    alike = Counter(names)
    told = list(names)
    twins = [i for i, name in enumerate(names) if alike[name] > 1]
    if not twins:
        return told
    # (among those alike only: the others, the one shown now, are said as they are)
    heads = {i: headed(i) for i in twins}
    headed_alike = Counter(heads.values())
    for i, head in heads.items():
        told[i] = head if headed_alike[head] == 1 else placed(i)
    return told


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
        self.spans: tuple[Span, ...] = ()
        #: where the first difference starts (document position), kept in view until
        #: the user scrolls
        self._reveal: int | None = None
        self._highlight(text, spans)
        # a wheel or the scroll bar: where the user scrolled stays
        self.verticalScrollBar().actionTriggered.connect(self._user_scrolled)

    def show_text(self, text: str, spans: tuple[Span, ...] = ()) -> None:
        """Another version's text in this pane (the Conflicts page keeps its panes from
        one conflict to the next), opened as a new pane opens: at its first difference,
        else at its start."""
        # (the text before's place, not looked for in this one as it is laid out: its
        # pane resizes as its scroll bar comes or goes)
        self._reveal = None
        if text != self._given[0]:
            self.setPlainText(text)
        else:  # (the same words: opened at their start again, wherever they were scrolled)
            self.moveCursor(QTextCursor.MoveOperation.Start)
        self.verticalScrollBar().setValue(0)
        self._highlight(text, spans)
        if self._reveal is not None and self.viewport().height() > 0:
            self._scroll_to(self._reveal)  # (no resize may come: its size is kept)

    def _highlight(self, text: str, spans: tuple[Span, ...]) -> None:
        self.spans = spans
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
        if selections or self.extraSelections():
            self.setExtraSelections(selections)
        self._reveal = _utf16(text, spans[0][0]) if spans else None

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


def version_width(widget: QWidget, at: str) -> int:
    """The narrowest a version of a conflict is shown (the Conflicts page): its
    heading's words, a value and its Keep button readable (about 22 characters), and
    its time, which never breaks (``version_title``), whole."""
    metrics = widget.fontMetrics()
    return max(metrics.averageCharWidth() * 22,
               metrics.horizontalAdvance(unbroken(time_text(at))) + metrics.averageCharWidth() * 5)


class VersionBox(QGroupBox):
    """One version of the conflict chosen on the Conflicts page: who wrote it and when,
    its text, "Shown now" under the one shown now, and its Keep button.

    The page keeps its boxes from one conflict to the next and fills them again
    (``show_version``): stepping through the conflicts with Down made up to 32 boxes
    at each step, each shown on its own (every one laying the others out again), a
    fifth of a second of the window's thread at each key."""

    #: its Keep pressed: the conflict's id and the version's (``show_version``)
    keep_pressed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        from ui.report_editor import show_read_only

        super().__init__(parent)
        #: (conflict id, version id) of the version shown
        self.ids = ("", "")
        #: the least width its time needs (``version_width``): (time, font, width)
        self._least: tuple[str, str, int] = ("", "", 0)
        lay = QVBoxLayout(self)
        # who wrote it and when, in a label that wraps: a group box's title never
        # does, and cut the time off ("…, 5 déc. 2026, 03") at 784 pixels wide
        self.heading = WrappedLabel()
        self.heading.setObjectName("version-title")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # an account name: as written
        lay.addWidget(self.heading)
        self.pane = VersionText("")
        show_read_only(self.pane, True)
        lay.addWidget(self.pane)
        # under every version, hidden but for the one shown now: the boxes keep one
        # height (the left one was shorter by this line when it was the one shown)
        self.shown_now = QLabel(_("Shown now"))
        self.shown_now.setObjectName("shown-now")
        keep_room = self.shown_now.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)
        self.shown_now.setSizePolicy(keep_room)
        lay.addWidget(self.shown_now)
        # (hidden once in its box: hidden before, shown, it was a window of its own,
        # which took the focus from the page)
        self.shown_now.setVisible(False)
        self.keep_button = QPushButton(_("Keep &this"))  # Alt+T: K is the Keys tab's, at HQ
        self.keep_button.setAutoDefault(True)  # Enter presses it, as Space does
        self.keep_button.clicked.connect(self._keep)
        lay.addWidget(self.keep_button)

    def show_version(self, conflict_id: str, candidate: Any, text: str,
                     spans: tuple[Span, ...], names: tuple[str, str]) -> None:
        """``candidate`` of the conflict ``conflict_id`` in this box: its heading, its
        ``text`` as shown, highlighted where it differs (``spans``), and its pane and
        Keep button named (``names``: ``told_apart_names``), each also saying where it
        differs, which the eye sees highlighted."""
        self.ids = (conflict_id, candidate.value_id)
        self.heading.setText(version_title(candidate))
        self.pane.show_text(text, spans)
        differs = difference_said(text, spans)
        pane_name, keep_name = names
        self.pane.setAccessibleName(pane_name)
        self.pane.setAccessibleDescription(differs)
        self.shown_now.setVisible(candidate.winner)
        self.keep_button.setAccessibleName(keep_name)
        self.keep_button.setAccessibleDescription(differs)
        font = self.font().key()
        if self._least[:2] != (candidate.at, font):
            self._least = (candidate.at, font, version_width(self, candidate.at))
            self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        """As wide as its time needs (``version_width``), and never narrower than its
        own words on one line (its Keep button, the line under the one shown now): 45
        versions side by side, each at the narrowest, cut "Shown now" off in French
        ("Affichée actuelleme")."""
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), self._least[2]), hint.height())

    def _keep(self) -> None:
        emit(self.keep_pressed, *self.ids)
