"""Mixed scripts: which way a text reads, and labels that start with a Latin code
keeping the layout's direction. The widgets that lay people's text out in its own
direction are in ui.bidi_widgets (not needed by the first screen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from PySide6.QtGui import QGuiApplication

from fieldplan.text import (
    bidi_contained,
    fingerprints_breakable,
    fingerprints_whole,
    first_strong,
    has_rtl,
    ltr_runs_marked,
    outside_ltr_isolates,
    paragraph_direction,
)
from ui.qtcompat import Qt

#: How far into a string to look for its first letter (a long run of digits and
#: punctuation decides nothing).
_SCAN = 200


def text_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text`` by its first strong character (Unicode's rule P2,
    as QString::isRightToLeft does), or None when it has none (digits, symbols).
    What is inside an isolate (``isolated``, ``embedded``, ``isolated_codes``)
    decides nothing, as in P2."""
    if text.isascii():
        return Qt.LayoutDirection.LeftToRight if any(c.isalpha() for c in text[:_SCAN]) else None
    found = first_strong(text[:_SCAN])
    if found is None:
        return None
    return Qt.LayoutDirection.RightToLeft if found == "R" else Qt.LayoutDirection.LeftToRight


def own_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction a paragraph a person wrote reads in, by most of its words
    (``fieldplan.text.paragraph_direction``, as the PDF reports print it), or None when
    it has none. Not ``text_direction``, which says what Qt does with a text (its first
    letter): "IOM قدمت الدعم …" is an Arabic paragraph that Qt lays out left to right."""
    found = paragraph_direction(text)
    if found is None:
        return None
    return Qt.LayoutDirection.RightToLeft if found == "R" else Qt.LayoutDirection.LeftToRight


def in_own_direction(text: str) -> str:
    """A person's text for a label (a tooltip), which lays each paragraph out by its
    first letter: a direction mark in front of each paragraph whose own direction
    (``own_direction``) is not its first letter's, "IOM قدمت الدعم …" read right to
    left. Its bidi controls are contained (``fieldplan.text.bidi_contained``)."""
    paragraphs = bidi_contained(text).split("\n")
    for i, paragraph in enumerate(paragraphs):
        own = own_direction(paragraph)
        if own is not None and own != text_direction(paragraph):
            paragraphs[i] = (RLM if own == Qt.LayoutDirection.RightToLeft else LRM) + paragraph
    return "\n".join(paragraphs)


def own_isolate(text: str) -> str:
    """A person's text put inside a line (a conflict's values side by side), kept apart
    from the text around it and read in its own direction (``own_direction``): a
    right-to-left or left-to-right isolate, a first-strong one when it has no letter.
    Its own bidi controls are contained (``embedded``)."""
    found = own_direction(text)
    if found is None:
        return embedded(text)
    start = "\u2067" if found == Qt.LayoutDirection.RightToLeft else "\u2066"
    return start + bidi_contained(text) + "\u2069"


#: RIGHT-TO-LEFT MARK: starts a line right to left whatever its first letter.
RLM = "\u200f"
#: LEFT-TO-RIGHT MARK
LRM = "\u200e"


def in_layout_direction(text: str) -> str:
    """``text`` for a label that reads in the layout's direction although it starts
    with a Latin code ("PA1.2 · عنوان", "BD · بنغلاديش"). A QLabel lays its text out
    by the text's first letter, so in Arabic these read left to right, code on the
    left and aligned left; a right-to-left mark in front puts them right. Its bidi
    controls are contained (``fieldplan.text.bidi_contained``): a title or an office's
    name is outside text."""
    text = bidi_contained(text)
    # (Qt's namespace only in a right-to-left layout: a cold start in English or
    # French does not build it before the first paint, test_shell)
    if QGuiApplication.isRightToLeft() and Qt.LayoutDirection.LeftToRight in (
            text_direction(text), block_direction(text)):
        return RLM + text
    return text


def block_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text`` by its first strong character, counting those inside
    isolates, or None when it has none: what a QTextDocument block (a selectable or
    rich-text label) goes by, unlike QString::isRightToLeft (``text_direction``). The
    conflict heading "\u2068ML\u2069 · \u2068PA1.1\u2069 · النصف الأول 2026" is right
    to left for a plain label but was laid out left to right, aligned left, in the
    Conflicts page's selectable one."""
    if text.isascii():
        return Qt.LayoutDirection.LeftToRight if any(c.isalpha() for c in text[:_SCAN]) else None
    for c in text[:_SCAN]:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return None


def in_layout_isolate(text: str) -> str:
    """A name that starts with a Latin code ("PA1.1 (النصف الأول 2026)") put inside a
    sentence, kept whole and read in the layout's direction: a right-to-left isolate
    around it, in a right-to-left layout only. Two such names in a row otherwise mix:
    ``isolated_codes`` took "2026), PA2.3" for one left-to-right run. Its bidi
    controls are contained, in any layout (``isolated``)."""
    text = bidi_contained(text)
    if QGuiApplication.isRightToLeft():
        return "\u2067" + text + "\u2069"
    return text


def isolated(text: str) -> str:
    """A path or file name inside a sentence, kept left to right in an Arabic one
    (else "/tmp/x.fieldplan." shows as ".tmp/x.fieldplan/"): Unicode's left-to-right
    isolate around it, in a right-to-left layout only. Each of its folders and its
    file name with a right-to-left letter is isolated too (``path_pieces``), in any
    layout.

    In any layout its own bidi controls are contained (``fieldplan.text.bidi_contained``):
    a file anyone can send, named "\u202egnp.fieldplan", otherwise reversed the rest
    of the status bar's sentence in English too."""
    return "".join(piece for piece, _own in path_pieces(text))


#: Where a path's folders end.
_SEPARATOR = re.compile(r"([/\\])")
#: ZERO WIDTH SPACE: a line may break there, and nothing shows.
ZWSP = "\u200b"
#: The invisible characters that only lay text out, as the client puts them in what
#: it shows (isolates, marks, the Arabic letter mark, the zero-width spaces where a
#: path may break, the word joiners that keep a code whole, and embeddings)
_LAYOUT_MARKS = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2060\u2066-\u2069]")


def without_marks(text: str) -> str:
    """``text`` as copied from a label: without the invisible characters that lay it
    out (``_LAYOUT_MARKS``). A path copied with them, pasted into a terminal or a file
    manager, names no file. A key fingerprint held on one line (``isolated_codes``) is
    copied with its groups a space apart, as the key dialog and ``keys list`` give it."""
    return fingerprints_breakable(_LAYOUT_MARKS.sub("", text))


def path_pieces(path: str, *, breaks: bool = False) -> list[tuple[str, bool]]:
    """``path`` as shown, in pieces: (text, whether it is the path's own text) each,
    the others being marks that only lay it out (a label copies the path without them,
    ``ui.path_label``).

    Each folder or file name with a right-to-left letter in it is a first-strong
    isolate: between two Arabic names the slash was taken into their run, and
    "/tmp/تقارير/مجلد 2" showed the two folders swapped, the second one first (in
    either layout). In a right-to-left layout the whole is a left-to-right isolate
    (``isolated``). ``breaks``: a zero-width space after each backslash, where a
    wrapped line may break (Qt breaks after a slash, never after a backslash). The
    path's own bidi controls are contained (``fieldplan.text.bidi_contained``)."""
    text = bidi_contained(path)
    rtl_layout = QGuiApplication.isRightToLeft()
    pieces: list[tuple[str, bool]] = [("\u2066", False)] if rtl_layout else []
    names_isolated = has_rtl(text) and _SEPARATOR.search(text) is not None
    for part in _SEPARATOR.split(text):
        if not part:
            continue
        if names_isolated and has_rtl(part):
            pieces += [("\u2068", False), (part, True), ("\u2069", False)]
            continue
        pieces.append((part, True))
        if breaks and part == "\\":
            pieces.append((ZWSP, False))
    if rtl_layout:
        pieces.append(("\u2069", False))
    return pieces


def isolated_paths(text: str, paths: Iterable[str]) -> str:
    """A message that names files (a core error: "/home/ali/fieldplan.sqlite3 is not a
    usable fieldplan database: …") with each of ``paths`` in it ``isolated``. In an
    Arabic sentence that starts with a path, the path's Latin letters made the whole
    line left to right, its words out of order; isolated, the path decides nothing
    and keeps its own order. The longest path first: one inside another stays whole.
    A path the message already names as one unit (``fieldplan.i18n.ltr``: a
    left-to-right isolate) is left as it is, not put in a second isolate. In any
    layout, the bidi controls a path holds are contained (``isolated``)."""
    text = bidi_contained(text)
    if not QGuiApplication.isRightToLeft():
        return text
    wanted = sorted({p for p in paths if p}, key=len, reverse=True)
    if not wanted:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in wanted))
    return outside_ltr_isolates(
        text, lambda part: pattern.sub(lambda m: isolated(m.group()), part))


def embedded(text: str) -> str:
    """A name or a time put inside a sentence, laid out by its own first letter and
    kept apart from the words around it (Unicode's first-strong isolate): "root"
    and "27/11/2026، 11:15 م" next to each other in an Arabic sentence otherwise mix
    into "2026/11/root، 27". Its own bidi controls are contained (``isolated``): an
    override left open inside would otherwise reach past the isolate's end."""
    return "\u2068" + bidi_contained(text) + "\u2069"


def isolated_codes(text: str) -> str:
    """A right-to-left sentence with the codes, numbers and file names in it kept
    left to right, in a right-to-left layout: each run of Latin text put in a
    left-to-right isolate. Without it the bidi algorithm reorders their parts around
    the hyphens and dashes: "2026-S1" shows as "S1-2026", "events 5–6" as "6–5". For
    messages that embed such values (import reasons, gaps); text with no
    right-to-left letter is left as it is. In any layout, the bidi controls that the
    values brought are contained (``isolated``). A key fingerprint in it is kept on one
    line, in any layout (``fingerprints_whole``)."""
    text = bidi_contained(text)
    if QGuiApplication.isRightToLeft():
        # (its runs marked first: a no-break space does not continue a run)
        text = ltr_runs_marked(text, "\u2066", "\u2069")
    return fingerprints_whole(text)


#: A code of the plan in a line: an action or an indicator ("PA5.1/clinics",
#: "PA1.1/policies-supported"), a period (2026-S2), the plan's id: letters or digits
#: with "/", "-", "." or "_" inside, none at either end.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]*(?:[/-][A-Za-z0-9._]+)+")
#: What a first-strong isolate holds (a title quoted in a line, ``plan_diff``).
_TITLE = re.compile("\u2068[^\u2066-\u2069]*\u2069")


def codes_unbroken(text: str) -> str:
    """``text`` with each code in it kept on one line where it wraps: a word joiner
    after each "/" and "-" in it (a line may otherwise break after them: an Arabic
    dialog showed "PA5.1/" at a line's end and "clinics" on the next, "policies-" and
    "supported"). Titles quoted in it (first-strong isolates) wrap as words do. A code
    longer than the line still breaks (the details box breaks anywhere then); a copy
    leaves the joiners out (``without_marks``)."""

    def hold(found: re.Match[str]) -> str:
        return re.sub(r"([/-])", "\\1\u2060", found.group())

    out, done = [], 0
    for title in _TITLE.finditer(text):
        out += [_CODE.sub(hold, text[done:title.start()]), title.group()]
        done = title.end()
    out.append(_CODE.sub(hold, text[done:]))
    return "".join(out)


def code_text(text: str) -> str:
    """A key fingerprint, key id, replica id or file name shown on its own (a table
    cell, a line of a dialog), kept left to right in a right-to-left layout: without
    it the fingerprint "4135 0B77 … 457C" shows in an Arabic table as "0B77 … 457C
    4135", its first group (digits only) carried to the other end, and a fingerprint
    is read aloud to be compared. A label made of codes and right-to-left words
    ("3f2a1b9c (تتابع 0a1b2c3d)") keeps its own direction, each code isolated in it
    (``isolated_codes``). Left as it is in a left-to-right layout."""
    if has_rtl(text):
        return isolated_codes(text)
    return isolated(text)
