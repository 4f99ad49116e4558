"""User text on its way in and out: what is stored, what a spreadsheet accepts, what
a terminal shows.

People paste text from e-mails, PDFs and terminals; it can carry control characters
(escape sequences, bells, form feeds) that mean nothing in a narrative, make
spreadsheet files unreadable and change a terminal's colours or title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# C0 controls, DEL and C1 controls (Unicode category Cc), except tab and newline, and
# the noncharacters of the Basic Multilingual Plane (never text): XML cannot hold
# U+FFFE and U+FFFF (one makes an XLSX file unreadable), and the client's text box
# takes U+FDD0 and U+FDD1 for its own frame marks (a pasted one became a newline).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# What the XML inside an XLSX file cannot hold (XML 1.0 Char: tab, LF, CR, U+0020 to
# U+D7FF, U+E000 to U+FFFD, U+10000 and up): one unreadable character makes the
# whole workbook unreadable. Surrogates are handled apart (they become U+FFFD).
_SPREADSHEET_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Every control character, for a terminal (tab and newline too: they break a table).
_TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# What either of _SPREADSHEET_ILLEGAL and _SURROGATES finds: one look at a text that
# holds neither (nearly every one)
_NOT_FOR_SPREADSHEET = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


#: A bracket with no bracket inside it: "(end of plan)", "(target for 2nd semester 2026)".
_BRACKET = re.compile(r"\([^()]*\)")


#: A key fingerprint in a sentence: 10 groups of 4 upper-case hex digits, a space apart
#: (``PublicKey.fingerprint``).
_FINGERPRINT = re.compile(r"(?<![0-9A-Za-z])[0-9A-F]{4}(?: [0-9A-F]{4}){9}(?![0-9A-Za-z])")


def fingerprints_whole(text: str) -> str:
    """``text`` with the spaces between the groups of each key fingerprint in it
    no-break spaces: a fingerprint is read aloud group by group to be compared, and
    one wrapped in a sentence ("… its new fingerprint is DD92 209F … 22E0" over
    "4B19") left a group on a line of its own, in Arabic after the sentence's next
    words. The line breaks before or after it. (Copied, it is still a fingerprint:
    ``keys trust`` takes its hex digits whatever separates them.)"""
    return _FINGERPRINT.sub(lambda m: m.group().replace(" ", "\u00a0"), text)


#: A fingerprint as ``fingerprints_whole`` holds it.
_HELD_FINGERPRINT = re.compile("[0-9A-F]{4}(?:\u00a0[0-9A-F]{4}){9}")


def held_fingerprints(text: str) -> list[str]:
    """The fingerprints ``fingerprints_whole`` held on one line in ``text``."""
    return _HELD_FINGERPRINT.findall(text)


def fingerprints_breakable(text: str) -> str:
    """``text`` with the fingerprints ``fingerprints_whole`` held free to wrap again:
    where a line is narrower than a fingerprint (wrapped is better than cut short)."""
    return _HELD_FINGERPRINT.sub(lambda m: m.group().replace("\u00a0", " "), text)


def held_whole(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` with its spaces no-break spaces, where ``fits`` says it so held fits a
    line; else as it is: "1st semester 2026" wrapped as "1st semester" over "2026"."""
    held = text.replace(" ", "\u00a0")
    return held if fits(held) else text


def brackets_held(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` with each bracket in it held on one line where it fits one
    (``held_whole``): a target's "(end of plan)" printed or shown in a narrow column
    broke before "plan)", "(نهاية" over "الخطة)" in Arabic; the line breaks before the
    bracket instead. A bracket wider than a line still breaks at its spaces."""
    return _BRACKET.sub(lambda m: held_whole(m.group(0), fits), text)


def clean_text(text: str) -> str:
    """Text as fieldplan stores it: paragraph ends are ``\\n`` (``\\r\\n``, a lone
    ``\\r``, U+0085 NEXT LINE and U+2029 PARAGRAPH SEPARATOR become ``\\n``; the
    client's text box cannot tell a U+2029 from a newline, and the CLI stored the same
    text otherwise; NEL, which some Windows and mainframe tools write for a line end,
    was removed as a control character and joined the words either side of it),
    control characters other than newline and tab are removed (and the noncharacters
    U+FDD0–U+FDEF, U+FFFE and U+FFFF: no file format fieldplan writes can hold the
    last two, and the client's text box reads U+FDD0 and U+FDD1 as newlines), and
    unpaired surrogates (undecodable bytes) become U+FFFD. Other spaces and breaks are
    kept as written: no-break spaces (U+00A0, U+202F), U+2028 LINE SEPARATOR."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    text = _CONTROLS.sub("", text.replace("\x85", "\n"))
    return _SURROGATES.sub("\ufffd", text)


# Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI,
# PDI); the line ends that end them all (Unicode's paragraph separators).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_EMBEDDINGS = re.compile("[\u202a-\u202e]")
_ISOLATE_OPENS = frozenset("\u2066\u2067\u2068")
_PARAGRAPH_ENDS = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")


def bidi_contained(text: str) -> str:
    """``text`` (a file name, a narrative, an office's report) that cannot reorder the
    text it is put in: its bidi embedding and override controls (U+202A–U+202E) are
    left out, and so is each isolate control (U+2066–U+2069) without its partner in
    the same line. A file named "\u202egnp.fieldplan" otherwise reversed the rest of
    the sentence that named it ("Last import … — ‮gnp.fieldplan, merged"), and an
    isolate left open took the words after it into it. Isolates that close where they
    open stay (they keep a name whole, and reach nothing past it), so the function can
    be applied to text that holds names already isolated."""
    if _BIDI_CONTROLS.search(text) is None:
        return text
    chars = list(_EMBEDDINGS.sub("", text))
    open_at: list[int] = []
    for i, char in enumerate(chars):
        if char in _ISOLATE_OPENS:
            open_at.append(i)
        elif char == "\u2069":
            if open_at:
                open_at.pop()
            else:
                chars[i] = ""
        elif char in _PARAGRAPH_ENDS:
            for j in open_at:
                chars[j] = ""
            open_at.clear()
    for j in open_at:
        chars[j] = ""
    return "".join(chars)


# Right-to-left letters: Hebrew, Arabic, Syriac, Thaana, N'Ko… and Arabic's
# presentation forms.
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# A run of left-to-right text inside a right-to-left sentence: from a Latin letter or
# a digit to the last one (or a percent sign) before the next right-to-left letter,
# Arabic punctuation, bidi mark or control, or line end. "2026-S1", "5–6",
# "ML-1a2b.fieldplan", "manifest.json", "fieldplan init --from FILE", "45%".
_LATIN = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_NOT_IN_RUN = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200e\u200f\u202a-\u202e\u2066-\u2069\n"
# A path's leading "/", "~/", "\\" or "./" and an option's "--" belong to its run (else
# "/tmp/x" showed as "tmp/x/" in an Arabic sentence, "--db" as "db--").
_LTR_RUN = re.compile(f"(?:[-/~\\\\.]+)?[{_LATIN}](?:[^{_NOT_IN_RUN}]*[{_LATIN}%\u2030])?")
_CLOSING = {")": "(", "]": "[", "}": "{"}
#: A date as Arabic writes it ("06\u200f/03\u200f/2027"): the right-to-left marks in
#: it order its parts; an isolate around each part put them apart ("2027/0306/").
_MARKED_DATE = re.compile("[0-9]{1,4}(?:\u200f[/.-][0-9]{1,4}){2}")
#: A count in brackets at the end of a run ("ML-1a2b-2-2.fieldplan (1)"): the
#: sentence's, not the name's (a translator put it after the name).
_COUNT_AFTER = re.compile("[ \u00a0]+\\([0-9]+\\)$")
#: The same count after a run a terminal line marks ("\u200eML-1a2b.fieldplan\u200e (1)"),
#: its figures marked too when the name was a path isolated before (``ltr_isolated``)
_COUNT_AFTER_MARK = re.compile("(?<=\u200e)([ \u00a0]+)(?=\\(\u200e?[0-9]+\u200e?\\))")


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters."""
    return _RTL_LETTER.search(text) is not None


#: The marks a writer (or the client) puts first to say which way a line reads:
#: LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK.
_DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")


def first_strong(text: str) -> str | None:
    """ "R" or "L" by the first letter of ``text`` outside an isolate (Unicode's rule
    P2, as spreadsheets and QString::isRightToLeft lay a text out), or None when it has
    none (digits, symbols). Not ``paragraph_direction``, by most of its words."""
    depth = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            depth = max(0, depth - 1)
        elif depth:
            continue
        elif kind == "L":
            return "L"
        elif kind in ("R", "AL"):
            return "R"
    return None


def paragraph_direction(text: str, tie: str | None = None) -> str | None:
    """Which way a paragraph a person wrote reads: "R" (right to left) or "L", None
    when it has no letter (digits, symbols). Its words vote, right-to-left ones
    (Arabic, Hebrew…) against left-to-right ones (Latin…), a word being a run of
    letters of one direction (their marks, as tanwin, within it); a tie goes to the
    first of them. Unicode's rule P2 (the first strong character alone, as Qt and
    browsers decide) laid out "IOM قدمت الدعم …" or "2026: PA1.2 …" left to right in
    an Arabic narrative, its words in the wrong order; a French or English paragraph
    naming an Arabic ministry stays left to right (words, not letters: "Réunion avec
    وزارة الداخلية" has fewer Latin letters than Arabic ones). A paragraph that starts
    with a direction mark (U+200E, U+200F, U+061C) reads as the mark says, and what is
    inside an isolate (U+2066–U+2069) takes no vote, as in P2. Used by the PDF reports
    (``fieldplan.reports.text.layout``) and the client's displays and editors of
    people's text (``ui.bidi.own_direction``). ``tie``: what a tie goes to instead
    ("R" or "L"; a search field's layout: "PA1 تقرير" typed in Arabic reads right to
    left)."""
    if text.isascii():  # most English and French narratives: at once
        return "L" if any(c.isalpha() for c in text) else None
    left = right = 0
    first: str | None = None
    run: str | None = None  # the direction of the word being read, None between words
    depth = 0
    kind_of = unicodedata.bidirectional
    for c in text:
        kind = kind_of(c)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
            run = None
            continue
        if kind == "PDI":
            depth = max(0, depth - 1)
            run = None
            continue
        if depth:
            continue
        if kind == "NSM":  # a mark on the letter before it: the word goes on
            continue
        if kind == "L":
            direction = "L"
        elif kind in ("R", "AL"):
            direction = "R"
        else:
            run = None
            continue
        if first is None:
            first = direction
            if c in _DIRECTION_MARKS:
                return first
        if direction != run:
            run = direction
            if direction == "L":
                left += 1
            else:
                right += 1
    if left == right:
        return tie or first
    return "L" if left > right else "R"


def ltr_runs_marked(text: str, start: str, end: str) -> str:
    """A right-to-left sentence with each run of Latin text in it (codes, numbers,
    paths, options) between ``start`` and ``end`` (bidi controls that keep it left to
    right). Without them the bidi algorithm reorders a run's parts around its hyphens,
    slashes and dashes: "2026-S1" shows as "S1-2026", "/tmp/x" as "tmp/x/", "5–6" as
    "6–5". A bracket a run opens is closed inside it ("fieldplan [--lang {en,fr,ar}]");
    a run ends before a bracket it did not open ("مضاف (1): PA4.7" keeps "(1)" with the
    Arabic, and "PA4.7" a run of its own), and before a count in brackets that ends it
    ("في ML-1a2b.fieldplan (1) لم": the count is the sentence's). Text with no
    right-to-left letter is returned as it is. A left-to-right isolate already there
    (``ltr_isolated``: a path, a command) is left as it is, with what it holds."""
    if _RTL_LETTER.search(text) is None:
        return text
    return outside_ltr_isolates(text, lambda part: _ltr_runs_marked(part, start, end))


def outside_ltr_isolates(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` made to each part of it outside its left-to-right
    isolates (``ltr_isolated``: a path, a command a message names), those left as they
    are, with what they hold: a value already one unit is not isolated again."""
    if LRI not in text:
        return change(text)
    out: list[str] = []
    done = 0
    for span in _LTR_ISOLATE.finditer(text):
        out += [change(text[done:span.start()]), span.group()]
        done = span.end()
    out.append(change(text[done:]))
    return "".join(out)


#: A left-to-right isolate and what it holds (first-strong isolates inside it too:
#: ``ltr_isolated``'s right-to-left names), closed
_LTR_ISOLATE = re.compile("\u2066(?:[^\u2066-\u2069]|\u2068[^\u2066-\u2069]*\u2069)*\u2069")


def _ltr_runs_marked(text: str, start: str, end: str) -> str:
    """``ltr_runs_marked`` of text that holds no left-to-right isolate."""
    out: list[str] = []
    done = 0
    while (match := _LTR_RUN.search(text, done)) is not None:
        date = _MARKED_DATE.match(text, match.start())
        if date is not None:  # (in order already: left as it is)
            out.append(text[done:date.end()])
            done = date.end()
            continue
        stop = match.end()
        date = _MARKED_DATE.search(text, match.start())
        if date is not None and date.start() < stop:
            # the run ran into a date ("2025-S2 (06\u200f/12\u200f/2026"): it ends
            # before it, else the date's first part went into the run's isolate and
            # the rest apart from it ("06 2026/122025-S2/")
            shorter = _LTR_RUN.match(text, match.start(), date.start())
            if shorter is None:
                out.append(text[done:date.start()])
                done = date.start()
                continue
            stop = shorter.end()
        cut = _unopened_closer(text[match.start():stop])
        if cut is not None:  # up to the last Latin character before that bracket
            shorter = _LTR_RUN.match(text, match.start(), match.start() + cut)
            stop = shorter.end() if shorter else match.start() + cut
        run = text[match.start():stop]
        while (stop < len(text) and text[stop] in _CLOSING
               and run.count(_CLOSING[text[stop]]) > run.count(text[stop])):
            run += text[stop]
            stop += 1
        count = _COUNT_AFTER.search(run)
        if count is not None and count.start() > 0:
            # "في ML-1a2b.fieldplan (1) لم": the count goes with the sentence's words,
            # left out of every run (drawn inside the name's run, "(1)" read as the
            # name's); the name's run ends before it
            out += [text[done:match.start()], start, run[:count.start()], end,
                    count.group()]
            done = stop
            continue
        if run:
            out += [text[done:match.start()], start, run, end]
        else:  # a bracket first: it stays in the sentence
            stop = match.start() + 1
            out.append(text[done:stop])
        done = stop
    out.append(text[done:])
    return "".join(out)


#: LEFT-TO-RIGHT ISOLATE, FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
#: Where a path's folders end.
_PATH_SEPARATOR = re.compile(r"([/\\])")


def ltr_isolated(value: str) -> str:
    """``value`` (a path, a command, a key fingerprint, an e-mail address, a URL) as
    one left-to-right unit inside a right-to-left sentence: a left-to-right isolate
    (LRI … PDI) around it, each of its folders or file names with a right-to-left
    letter in a first-strong isolate of its own (between two Arabic names the slash
    was taken into their run, "/tmp/تقارير/مجلد 2" showed the two swapped). A message
    cannot know where such a value ends once it is in it ("/media/usb/تقرير.pdf" was
    cut at its Arabic name, its pieces shown in the wrong order, ``ltr_runs_marked``):
    the isolate is put where the value is. Its own bidi controls are contained
    (``bidi_contained``)."""
    value = bidi_contained(value)
    if has_rtl(value) and _PATH_SEPARATOR.search(value) is not None:
        value = "".join(FSI + part + PDI if has_rtl(part) else part
                        for part in _PATH_SEPARATOR.split(value))
    return LRI + value + PDI


def _unopened_closer(run: str) -> int | None:
    """Where ``run`` has a closing bracket it did not open, if it has one."""
    opened: list[str] = []
    for i, char in enumerate(run):
        if char in "([{":
            opened.append(char)
        elif char in _CLOSING:
            if not opened or opened[-1] != _CLOSING[char]:
                return i
            opened.pop()
    return None


#: LEFT-TO-RIGHT MARK
LRM = "\u200e"


def for_rtl_terminal(line: str) -> str:
    """A line of a right-to-left language as a terminal shows it: each run of Latin
    text between left-to-right marks (``ltr_runs_marked``), so that a terminal that
    applies the bidi algorithm (VTE, Konsole, mintty) shows "2030-S1", not "S1-2030".

    Marks, not isolates (U+2066–U+2069): every bidi implementation knows U+200E
    (Unicode 1.1), and terminals without bidi draw it as nothing (wcwidth 0 in every
    table); the isolates came with Unicode 6.3, and older wcwidth tables and fonts
    give them a cell or a box. Between two marks a run holds no right-to-left letter,
    so marks keep it whole as an isolate would; the line's own first-strong isolates
    (around a value a message quotes) become marks (``isolates_as_marks``). A mark
    already there (translators put some before "--db", ".damaged") is not doubled.
    The line's own embeddings, overrides and unpaired isolates are left out
    (``bidi_contained``): one in a file's name would otherwise reorder the rest of
    the line.

    A line with no right-to-left letter is left as it is: a digest, a path or a
    fingerprint copied from the terminal carries no mark."""
    line = bidi_contained(line)
    if not has_rtl(line):
        return line
    # a value a message quotes is isolated (``i18n.quoted``): marks here too
    line = ltr_runs_marked(isolates_as_marks(line, True), LRM, LRM)
    while LRM + LRM in line:
        line = line.replace(LRM + LRM, LRM)
    # a date as Arabic writes it after a marked run ("‎2025-S2‎ (06‏/12…"):
    # its first number took the mark's direction and joined the run ("2026/12/2025-S2
    # (06"); a right-to-left mark before it gives it the sentence's. So for a count
    # in brackets after a marked run ("‎ML-1a2b.fieldplan‎ (1)"): its number took the
    # mark's direction, and its brackets with it
    line = _COUNT_AFTER_MARK.sub(lambda m: m.group() + "‏", line)
    return _MARKED_DATE.sub(lambda m: "‏" + m.group(), line)


def isolates_as_marks(line: str, rtl: bool) -> str:
    """A line for a terminal with its first-strong isolates (U+2068 … U+2069, around
    a title quoted in it) made marks: the isolate's start left out, its end a mark
    of the line's direction (RLM in a right-to-left line, ``rtl``, else LRM) after a
    title with a letter of the other direction, which keeps what follows the title (a
    quotation mark, an arrow, another title) in the line's direction, as the isolate
    would; nothing after any other (a line with no such title carries no mark).
    Its left-to-right isolates (a path, a command: ``ltr_isolated``) become marks
    too: a left-to-right mark either side in a right-to-left line, nothing in another;
    one that holds a right-to-left name (a folder "تقارير") is also embedded left to
    right (LRE … PDF, as old as the marks), each such name inside it embedded right to
    left (RLE … PDF) with a mark either side: marks alone showed "/tmp/تقارير/x.pdf" as
    "/x.pdf‎تقارير/‎/tmp", the name splitting the path in the sentence's direction, and
    a name with a figure ("تقارير 2026") had its words laid out left to right.
    Terminals know the marks, not always the isolates (``for_rtl_terminal``)."""

    def mark(found: re.Match[str]) -> str:
        inner = found.group(1)
        other = paragraph_direction(inner) == "L" if rtl else has_rtl(inner)
        return inner + (("\u200f" if rtl else LRM) if other else "")

    def embedded(found: re.Match[str]) -> str:
        inner = found.group()[1:-1]
        if not has_rtl(inner):
            return found.group()  # (marks either side, below)
        # (each right-to-left name embedded right to left too: between marks alone its
        # words were laid out left to right, "تقارير 2026" shown "2026" after the name)
        inner = _FIRST_STRONG.sub(lambda name: LRM + _RLE + name.group(1) + _PDF + LRM
                                  if has_rtl(name.group(1)) else name.group(1), inner)
        return LRM + _LRE + inner + _PDF + LRM

    if rtl:
        line = _LTR_ISOLATE.sub(embedded, line)
    line = _FIRST_STRONG.sub(mark, line)
    # a path or a command isolated left to right (``ltr_isolated``): between marks
    return _LEFT_TO_RIGHT.sub(lambda found: (LRM + found.group(1) + LRM) if rtl
                              else found.group(1), line)


#: A first-strong isolate and what it holds (no isolate inside).
_FIRST_STRONG = re.compile("\u2068([^\u2066-\u2069]*)\u2069")
#: A left-to-right isolate and what it holds (no isolate inside).
_LEFT_TO_RIGHT = re.compile("\u2066([^\u2066-\u2069]*)\u2069")
#: LEFT-TO-RIGHT EMBEDDING, RIGHT-TO-LEFT EMBEDDING, POP DIRECTIONAL FORMATTING
_LRE, _RLE, _PDF = "\u202a", "\u202b", "\u202c"


def for_spreadsheet(text: str) -> str:
    """Text an XLSX cell (XML) and a UTF-8 file can hold: the control characters and
    noncharacters XML refuses are left out; unpaired surrogates (undecodable bytes,
    which no UTF-8 file can hold either) become U+FFFD, as ``clean_text`` stores them."""
    if _NOT_FOR_SPREADSHEET.search(text) is None:  # (every cell of an export: at once)
        return text
    return _SURROGATES.sub("\ufffd", _SPREADSHEET_ILLEGAL.sub("", text))


#: What a spreadsheet may strip from the start of a cell before it looks for a
#: formula (spaces, line feeds; the no-break and ideographic spaces), so that
#: "\n=HYPERLINK(…)" or "  =1+1" ran as one (``FORMULA_START`` after them).
SKIPPED_BEFORE_FORMULA = " \n\u00a0\u3000"
#: What makes a spreadsheet read a cell as a formula (= + - @; the full-width forms,
#: which East Asian input methods turn into them), or what it skips before looking
#: (tab, carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A cell a spreadsheet would take for a formula: ``FORMULA_START`` after any of
#: ``SKIPPED_BEFORE_FORMULA``, after any number of "'" (``guard_formula``).
_FORMULA = re.compile("'*[" + re.escape(SKIPPED_BEFORE_FORMULA) + "]*["
                      + re.escape("".join(FORMULA_START)) + "]")


def guard_formula(text: str) -> str:
    """A text cell of a CSV or HXL file: a "'" before it when a spreadsheet would take
    it for a formula, also after the "'" a person typed ("'=A1" is written "''=A1"):
    a reader drops one "'" from a cell ``_FORMULA`` matches (``unguard_formula``),
    and gets back what was typed ("=A1" and "'=A1" were written alike)."""
    return "'" + text if _FORMULA.match(text) else text


def unguard_formula(cell: str) -> str:
    """A cell as ``guard_formula`` wrote it, read back."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def for_terminal(text: str) -> str:
    """Text safe to print in one line of a terminal table: newlines and tabs become
    spaces, any other control character is shown escaped (``\\x1b``), and bidi
    controls cannot reorder the rest of the line (``bidi_contained``: a file or author
    named with U+202E showed the line after it reversed in a bidi terminal)."""

    def show(match: re.Match[str]) -> str:
        char = match.group()
        if char in "\n\t\u2028\u2029":
            return " "
        if char == "\r":
            return ""
        return f"\\x{ord(char):02x}"

    text = bidi_contained(_TERMINAL_CONTROLS.sub(show, text))
    return _SURROGATES.sub("\ufffd", text)


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes, as wcwidth counts them: combining marks
    (Arabic's shadda and damma: "مُقدَّم" is 7 characters, 4 cells) and format
    characters (bidi marks, zero-width joiners) none, East Asian wide characters two,
    any other one."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def cell_excerpt(text: str, width: int) -> str:
    """The start of a person's text for a table's cell ``width`` columns wide (as
    ``display_width`` counts them): whole when it fits, else cut after a word when one
    ends in the second half of the cell, never between a letter and its marks (an
    Arabic vowel sign), and ended with "…", so that a narrative cut short is not read
    as the whole of it."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += display_width(char)
        if used > width - 1:
            break
        kept.append(char)
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def for_message(text: str, limit: int = 80) -> str:
    """A value a file gave (a bundle's kind, an office code, a report id) as a one-line
    message quotes it: control characters shown escaped, as ``for_terminal`` shows
    them, and a value longer than ``limit`` characters cut with "…" (between
    characters, never inside an escape): a file's field may be megabytes long."""
    shown = for_terminal(text[: limit + 1])
    if len(text) <= limit and len(shown) <= limit:
        return shown
    pieces, size = [], 0
    for char in text[:limit]:
        piece = for_terminal(char)
        size += len(piece)
        if size > limit - 1:
            break
        pieces.append(piece)
    return "".join(pieces) + "…"


# Python's error for a stored text that is not UTF-8 quotes the text, its bytes
# shown as U+FFFD: a line of garbage, thousands of characters long
_UNDECODED_TEXT = re.compile(r"( column '[^']*') with text '.*", re.DOTALL)


def unexpected_error(exc: BaseException) -> str:
    """An error no part of fieldplan expected (a bug), as one short line: its kind and
    its words, without the text a decoding error quotes, cut at 200 characters."""
    said = _UNDECODED_TEXT.sub(r"\1", str(exc))
    return for_message(f"{type(exc).__name__}: {said}", limit=200)


# What a search looks through once NFKD has taken accents off their letters: the
# combining marks of Latin and other scripts, and Arabic's vowel marks (harakat and
# the other marks written above or below a letter, hamza and madda among them, the
# dagger alif) and the tatweel that stretches a word. A search without them finds the
# text written with them.
_SEARCH_MARKS = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]"
)


# Letters and signs written either way, as one: every dash and the minus sign as a
# hyphen ("IOM–OIC" found by "IOM-OIC"), curly apostrophes as straight ones, the Arabic
# letters a keyboard or a writer swaps (ة and ه, ى and ي, Persian and Urdu ی and ک),
# and the Arabic-Indic digits as 0-9.
_SEARCH_SAME = str.maketrans({
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u2018\u2019\u02bc", "'"),
    # (French keyboards have no œ key: "coeur" is typed for "cœur"; nor others a
    # dotless ı, which no accent folding takes off: "sanliurfa" for "Şanlıurfa")
    "\u0153": "oe", "\u00e6": "ae", "\u0131": "i",
    "\u0629": "\u0647", "\u0649": "\u064a", "\u06cc": "\u064a", "\u06a9": "\u0643",
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06f0 + d): str(d) for d in range(10)},
})


def search_key(text: str) -> str:
    """``text`` as a search compares it: case folded, accents and Arabic vowel marks
    and tatweel left out ("Ministère" and "ministere" are one; so are "كَتَبَ" and
    "كتب"), and what is written either way as one (``_SEARCH_SAME``: "IOM–OIC" and
    "IOM-OIC", "مدرسة" and "مدرسه", "٢٠٢٦" and "2026", "cœur" and "coeur", Turkish
    "Şanlıurfa" and "sanliurfa"). Fold both the text searched and what is typed; a
    text folded once is searched with ``in``."""
    if text.isascii():  # most narratives: no accent to take off
        return text.casefold()
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_SEARCH_SAME)
    return _SEARCH_MARKS.sub("", folded)


# Two versions are compared sentence by sentence (a line, or up to a full stop), then
# word by word inside the sentences that changed: a changed word is shown whole, and
# two changes far apart in 20,000 characters are two spans, found in milliseconds.
_DIFF_SENTENCES = re.compile(r"[^\n.!?\u061f\u06d4]*(?:[.!?\u061f\u06d4]+|\n|$)[^\S\n]*\n?")
_DIFF_WORDS = re.compile(r"\w+|\s+|[^\w\s]")
# difflib's matching grows with the product of the lengths compared: past this many
# pairs (two unrelated long texts) the part that differs is shown as one span, which
# still says where to look.
_DIFF_WORK = 400_000

Span = tuple[int, int]


def differing_spans(a: str, b: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Where two versions of a text differ: (start, end) character spans in ``a`` and
    in ``b``, in order, widened to whole words. A span is empty where the other version
    has text this one lacks (it still says where). Equal texts: no spans."""
    if a == b:
        return (), ()
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    # whole words: "reached" and "reaching" differ in the word, not in "ed"/"ing"
    while start > 0 and a[start - 1].isalnum():
        start -= 1
    while end > 0 and a[len(a) - end].isalnum():
        end -= 1
    a_spans: list[Span] = []
    b_spans: list[Span] = []
    _compare(a, b, (start, len(a) - end), (start, len(b) - end), _DIFF_SENTENCES,
             a_spans, b_spans)
    return tuple(a_spans), tuple(b_spans)


def _compare(a: str, b: str, a_part: Span, b_part: Span, pattern: re.Pattern[str],
             a_spans: list[Span], b_spans: list[Span]) -> None:
    """Add to the spans where ``a[a_part]`` and ``b[b_part]`` differ, compared by the
    pieces ``pattern`` cuts them into (sentences, then words inside a changed one)."""
    import difflib

    a_tokens = [t for t in pattern.findall(a, *a_part) if t]
    b_tokens = [t for t in pattern.findall(b, *b_part) if t]
    if len(a_tokens) * len(b_tokens) > _DIFF_WORK:
        _add_span(a_spans, a_part, a)
        _add_span(b_spans, b_part, b)
        return
    a_at, b_at = _offsets(a_tokens, a_part[0]), _offsets(b_tokens, b_part[0])
    matcher = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a_sub, b_sub = (a_at[i1], a_at[i2]), (b_at[j1], b_at[j2])
        if tag == "replace" and pattern is _DIFF_SENTENCES:
            _compare(a, b, a_sub, b_sub, _DIFF_WORDS, a_spans, b_spans)
        else:
            _add_span(a_spans, a_sub, a)
            _add_span(b_spans, b_sub, b)


def _offsets(tokens: list[str], start: int) -> list[int]:
    """The character offset of each token, and of the end."""
    out = [start]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def _add_span(spans: list[Span], span: Span, text: str) -> None:
    """Add ``span``, joined to the one before when only spaces part them."""
    if spans and not text[spans[-1][1]:span[0]].strip():
        spans[-1] = (spans[-1][0], max(spans[-1][1], span[1]))
    else:
        spans.append(span)


def excerpt_at(text: str, span: Span, room: int = 60) -> str:
    """``text`` in at most ``room`` characters around ``span`` (where it differs from
    another version: ``differing_spans``), its start a few words in, "…" where the text
    is cut. Two long versions differing near their end looked the same cut at their
    start ("conflicts list")."""
    if len(text) <= room:
        return text
    start = span[0]
    begin = max(0, min(start - room // 3, len(text) - (room - 1)))
    if begin > 0:  # from a word's start
        space = _SPACE.search(text, begin, start)
        if space is not None:
            begin = space.end()
    stop = begin + room - (1 if begin > 0 else 0)
    if stop < len(text):
        stop -= 1
    return ("…" if begin > 0 else "") + text[begin:stop] + ("…" if stop < len(text) else "")


_SPACE = re.compile(r"\s+")
