"""Text for the PDF reports: cleaning, Arabic shaping, line breaking, bidi reordering.

ReportLab cannot lay out right-to-left text by itself (its bidi needs ``rlbidi``), so
every string the reports print goes through here, in this order (see NOTES.md):

1. clean: control characters out, line ends normalised;
2. shape Arabic with arabic_reshaper (vowel marks kept) into presentation forms, and
   put U+FFFD for what no report font prints (fonts.printable);
3. break into lines with the width of the shaped text in the fonts that draw each of
   its characters (fonts.string_width: DejaVu Sans, else its fallback), at breakable
   spaces only (French "période :", "45 %" and "4 000" hold no-break spaces), splitting
   words wider than a line (a 500-character "word" wraps instead of overflowing);
4. resolve the bidi levels of each paragraph with the pure-Python ``bidi.algorithm``
   steps (which mirror brackets), in the paragraph's direction, then reorder each of
   its lines (Unicode's rules L1–L2, ``visual_lines``), each "70%", "2026-S1" or
   "2025–2027" in right-to-left text kept whole and left to right (keep_numbers), and
   the two brackets of a pair given one direction (_resolve_brackets: the pure function
   does not pair brackets, and the Rust-backed ``bidi.get_display``, which does, does
   not mirror them: its "(2)" in Arabic prints as ")2(").

The result is plain strings in visual order that the report flowables draw with
``fonts.draw_text`` (``drawString`` run by run, each in its font); no user text ever
reaches Paragraph markup, so ``<b>``, ``&`` or ``<para>`` in a narrative print as
written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from fieldplan.text import bidi_contained, has_rtl, ltr_runs_marked, paragraph_direction

# C0/C1 controls except tab and newline; they have no glyph and some break PDF text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


#: Whitespace a line may break at: any but the no-break spaces (U+00A0, the narrow
#: U+202F that French puts before ";", "?", "!" and in "4 000", and the figure space
#: U+2007), which ``str.split()`` splits at like any other.
_BREAKABLE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def glued(text: str) -> str:
    """``text`` with its breakable whitespace made no-break spaces: one word for
    ``words``, never broken between lines but at a need (a word wider than its line)."""
    return _BREAKABLE.sub("\u00a0", text)


def words(text: str) -> list[str]:
    """The words of ``text`` between breakable whitespace: "45 %", "4 000" and
    "rapport :" (with no-break spaces) are each one word."""
    return [w for w in _BREAKABLE.split(text) if w]


def direction(text: str, default: str = "L") -> str:
    """ "R" or "L" for a paragraph, by most of its words, a tie by the first
    (``fieldplan.text.paragraph_direction``: an Arabic narrative that starts with
    "IOM" or "2026:" reads right to left), else ``default``."""
    return paragraph_direction(text) or default


def _first_strong(text: str, default: str) -> str:
    """ "R" or "L" from the first strong character (Unicode rule P2), else ``default``:
    the direction of a first-strong isolate (U+2068), as Unicode defines it and as the
    client draws one."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return default


def clean(text: str) -> str:
    """Newlines normalised, tabs as spaces, control characters removed, and bidi
    embeddings and overrides (``fieldplan.text.bidi_contained``): a file name or an
    office's text with U+202E reversed the rest of its printed line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return bidi_contained(_CONTROLS.sub("", text))


@cache
def _reshaper():
    from arabic_reshaper import ArabicReshaper

    return ArabicReshaper(configuration={"delete_harakat": False})


def shape(text: str) -> str:
    """Arabic letters in their joined presentation forms (other text unchanged)."""
    return _reshaper().reshape(text) if has_rtl(text) else text


# A number as the locale writes it, with what is attached to it: a sign or currency
# symbol before, group and decimal separators (also no-break spaces) inside, a percent
# or per-mille sign after ("-1,480.5", "61%", "45 %"). Not digits glued to a letter
# ("PA2.3" is a code, already kept left-to-right by its letters).
_NUM = (
    r"[-+\u2212]?[$\u20ac\u00a3]?\d"
    r"(?:[\d,.\u066b\u066c\u00a0\u202f]*\d)?(?:[\u00a0\u202f]?[%\u2030\u066a])?"
)
#: What ends the piece of a number too wide for its line that a line ends with, cut
#: after a group separator (``_split_word``): it reads "1,000,000,000,000," whole, left
#: to right, in right-to-left text too (not ",1,000,000,000,000", its separator sent to
#: the other end as a comma that ends a sentence is).
_CUT = "\u200e"
#: What reads left to right as one piece inside right-to-left text: a day
#: (2026-03-12), a period code (2026-S1), a range of numbers (41–57, 2025–2027, 10-20%),
#: the piece of a number that a line ends with (``_CUT``) and a number with what is
#: attached to it.
_TOKEN = re.compile(
    r"(?<![\w.,\u066b\u066c-])(?:"
    r"(?P<day>\d{4}-\d\d-\d\d)(?!\w)"
    r"|(?P<period>\d{4}-S[12])(?!\w)"
    rf"|(?P<range>{_NUM}[-\u2013]{_NUM})(?![\w-])"
    rf"|(?P<cut>\d[\d,.\u066b\u066c\u00a0\u202f]*[,\u066c\u00a0\u202f]{_CUT})"
    rf"|(?P<number>{_NUM})"
    r")"
)
_MARKS = str.maketrans("", "", "\u200e\u200f")
_ATTACHED = re.compile("[-+\u2212$\u20ac\u00a3%\u2030\u066a]")
#: Right-to-left letters that stand in for a token while bidi reorders a line: one
#: letter is one right-to-left piece, which the token's own text then replaces.
_STAND_INS = tuple(
    chr(c) for c in (*range(0x05D0, 0x05EB), *range(0xFB1F, 0xFB50))
    if unicodedata.bidirectional(chr(c)) == "R"
)


def _strong_before(line: str, end: int) -> str | None:
    """"L" or "R" for the last strong character before ``end``, None without one."""
    for ch in reversed(line[:end]):
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None


def keep_numbers(line: str, base_dir: str,
                 before: str | None = None) -> tuple[str, dict[str, str]]:
    """``line`` with each token that stands in right-to-left text (a number with an
    attached sign, currency or percent; a range; a period code; a day) replaced by a
    right-to-left stand-in letter, and the stand-ins' tokens.

    Left to bidi alone, digits after Arabic letters become Arabic numbers (rule W2),
    a % sign or a dash between them turns neutral and takes the direction around it:
    "61% من 70%" prints as "%70 من 61%", "2026-S1" as "S1-2026", "2025–2027" as
    "2027–2025". Marks around the token (RLM LRM … LRM RLM) keep it whole in a
    right-to-left paragraph but cut the Arabic run around it in two in a left-to-right
    one ("PA2.3: تم … أي 70% من …" came out with its phrases swapped). A stand-in is
    one right-to-left letter in either paragraph direction: the run stays whole, and
    the token is put back as written, left to right.

    A token stands in right-to-left text when the last strong character before it is
    right-to-left, or there is none and the paragraph is right-to-left. After Latin
    text it belongs to the Latin run already; bare numbers, times and letter codes
    (PA2.3, RO-Dakar) read right without help. In a line that is not its paragraph's
    first, ``before`` is the direction of the last strong character of the lines
    before it (a stand-in is put back line by line: the lines of a paragraph may use
    the same ones)."""
    used = set(line)
    free = (c for c in _STAND_INS if c not in used)
    tokens: dict[str, str] = {}

    def stand_in(m: re.Match[str]) -> str:
        text = m.group(0)
        if m.lastgroup == "number" and not _ATTACHED.search(text):
            return text
        strong = _strong_before(line, m.start()) or before
        if strong == "L" or (strong is None and base_dir != "R"):
            return text
        mark = next(free, None)
        if mark is None:  # more tokens than stand-ins: a line is far shorter
            return text
        tokens[mark] = text
        return mark

    return _TOKEN.sub(stand_in, line), tokens


@cache
def _opening_brackets() -> dict[str, str]:
    """Opening brackets with their closing ones (Unicode's Bidi_Paired_Bracket: the
    mirrored glyph of an opening mark)."""
    from bidi.mirror import MIRRORED

    return {o: c for o, c in MIRRORED.items() if unicodedata.category(o) == "Ps"}


def bracket_pairs(chars: list[str], neutral: list[bool] | None = None) -> list[tuple[int, int]]:
    """The positions of the brackets in ``chars`` that pair, in the order of their
    opening brackets (Unicode rule BD16: a closing bracket closes the nearest open
    one of its kind, the ones opened after it left unpaired); with ``neutral``, only
    the brackets still neutral there."""
    opening = _opening_brackets()
    closing = set(opening.values())
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(chars):
        if neutral is not None and not neutral[i]:
            continue
        if ch in opening:
            if len(stack) == 63:  # BD16's limit: no more pairs
                break
            # U+2329 and U+3008 are one bracket (canonical equivalents)
            stack.append((unicodedata.normalize("NFC", opening[ch]), i))
        elif ch in closing:
            kind = unicodedata.normalize("NFC", ch)
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == kind:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _resolve_brackets(storage: dict) -> None:
    """Unicode rule N0 on python-bidi's storage, between its weak and neutral rules:
    both brackets of a pair take the embedding direction when the text inside holds
    a letter or number of it; else, with text of the other direction inside, that
    direction if the text before the pair has it too, else the embedding direction. A
    pair with nothing strong inside, and a lone bracket, stay neutral (rules N1, N2).

    Without it the pure-Python ``get_display`` sends each bracket its own way:
    "ورشة IOM (Amman) للمدربين" printed "(IOM (Amman", the ")" taking the Arabic
    direction after it, and "… التحويلات (الطبعة 2). Atelier" in a French paragraph
    moved its ")" to the other end of the Arabic phrase."""

    def strong(kind: str) -> str | None:
        # European and Arabic numbers count as right to left (N0, as N1)
        return "L" if kind == "L" else "R" if kind in ("R", "EN", "AN") else None

    for run in storage["runs"]:
        chars = storage["chars"][run["start"]:run["start"] + run["length"]]
        if not chars:
            continue
        embedding = "R" if chars[0]["level"] % 2 else "L"
        pairs = bracket_pairs([c["ch"] for c in chars], [c["type"] == "ON" for c in chars])
        for start, end in pairs:
            inside = {strong(c["type"]) for c in chars[start + 1:end]} - {None}
            if not inside:
                continue
            if embedding in inside:
                d = embedding
            else:  # only the other direction inside: as the text before the pair
                # (by index: a paragraph's run is long, a copy of it for each pair
                # cost as much as the rest of its bidi)
                d = next((k for j in range(start - 1, -1, -1)
                          if (k := strong(chars[j]["type"]))), run["sor"])
            for i in (start, end):
                chars[i]["type"] = d
                # marks on a bracket go its way (N0's last paragraph)
                for mark in chars[i + 1:]:
                    if mark.get("orig") != "NSM":
                        break
                    mark["type"] = d


def _get_display(lines: list[str], base_dir: str) -> list[str]:
    """The lines of one paragraph in visual order, as Unicode's bidi orders a
    paragraph broken into lines: its levels resolved over the whole paragraph (X1–I2,
    with python-bidi's pure functions and bracket pairs, rule N0), and only then each
    line reordered on its own (L1–L2) and mirrored (L4: the pure functions mirror
    brackets, unlike the Rust-backed ``bidi.get_display``). Resolved line by line, a
    line break cut each line from its context: an Arabic narrative broken inside
    "(Migration Governance Framework)" printed "(Governance Framework" on its second
    line, and "(Border Management, 12 km)" printed ",Border Management" over
    "km 12"."""
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    storage["base_level"] = uba.PARAGRAPH_LEVELS[base_dir]
    storage["base_dir"] = base_dir
    # the lines joined by a space, as they were broken (at a space): the space, which
    # ends no line, is no line's (tagged None)
    uba.get_embedding_levels(" ".join(lines), storage)
    tags: list[int | None] = []
    for i, line in enumerate(lines):
        tags += [i] * len(line) + [None]
    for char, tag in zip(storage["chars"], tags, strict=False):
        char["line"] = tag
    uba.explicit_embed_and_overrides(storage)  # (drops the embeddings' controls)
    uba.resolve_weak_types(storage)
    _resolve_brackets(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    by_line: list[list[dict]] = [[] for _ in lines]
    for char in storage["chars"]:
        if char["line"] is not None:
            by_line[char["line"]].append(char)
    out = []
    for chars in by_line:
        line = {"chars": chars, "base_level": storage["base_level"]}
        uba.reorder_resolved_levels(line, False)
        uba.apply_mirroring(line, False)
        out.append("".join(c["ch"] for c in line["chars"]))
    return out


def visual(line: str, base_dir: str) -> str:
    """One already-broken, shaped line in visual (left-to-right drawing) order: a
    paragraph of one line (``visual_lines``)."""
    return visual_lines([line], base_dir)[0]


def visual_lines(lines: list[str], base_dir: str) -> list[str]:
    """The already-broken, shaped lines of one paragraph in visual (left-to-right
    drawing) order, each line ordered as the whole paragraph resolves it
    (``_get_display``)."""
    if base_dir == "L" and not any(has_rtl(line) for line in lines):
        return [line.replace(_CUT, "") for line in lines]
    if any(_ISOLATES.search(line) for line in lines):  # (a label's: ``layout`` has
        lines = _isolates_embedded(lines)  # embedded a paragraph's)
    marked: list[str] = []
    tokens: list[dict[str, str]] = []  # each line's
    before = None  # the last strong direction of the lines before
    for line in lines:
        line_marked, line_tokens = keep_numbers(line, base_dir, before)
        marked.append(line_marked)
        tokens.append(line_tokens)
        before = _strong_before(line, len(line)) or before
    out = []
    for line, line_tokens in zip(_get_display(marked, base_dir), tokens, strict=True):
        for mark, token in line_tokens.items():
            line = line.replace(mark, token)
        # the marks (babel's in Arabic dates) have done their work: drop them
        out.append(line.translate(_MARKS))
    return out


#: Punctuation that an ellipsis replaces at the end of a shortened text (Latin and
#: Arabic stops, commas, colons and semicolons, and an ellipsis already there).
_STOPS = ".,;:!?…\u060c\u061b\u06d4"


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` characters, cut at a space when one is near, with "…"."""
    text = " ".join(words(clean(text)))
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return _with_ellipsis(cut), True


def _with_ellipsis(cut: str) -> str:
    # "restantes…", not "restantes.…": the ellipsis replaces a final stop or comma,
    # and an opening mark cut from what it opened ("accents : «…" opened a quotation
    # on nothing), with the colon before it
    while True:
        shorter = cut.rstrip().rstrip(_STOPS + "«‹([{").rstrip()
        if shorter == cut:
            return cut + "…"
        cut = shorter


def _graphemes(word: str) -> list[str]:
    """``word`` in pieces a line may be broken between: a letter with the marks after
    it (Arabic vowels, Bengali vowel signs), and a Bengali conjunct whole (the letters
    a virama or a joiner ties). Drawn alone, a vowel sign shows on a dotted circle."""
    out: list[str] = []
    for ch in word:
        tied = out and (unicodedata.category(ch) in ("Mn", "Mc", "Me")
                        or ch in "\u200c\u200d"
                        or unicodedata.combining(out[-1][-1]) == 9  # a virama
                        or out[-1][-1] == "\u200d")
        if tied:
            out[-1] += ch
        else:
            out.append(ch)
    return out


#: Characters a word too wide for its line is best broken after: a group separator
#: (",", the narrow no-break space of "1 000 000"), a path's or an address's "/", "?",
#: "&", "=", a hyphen or an underscore, Arabic commas.
_BREAK_AFTER = frozenset(",;/?&=-_\u00a0\u2007\u202f\u060c\u066c")


def _break_after(piece: str) -> int:
    """Where a line ends in ``piece``, the most of a too-wide word that fits: after its
    last separator (``_BREAK_AFTER``) in its second half, else at its end. Broken
    between two digits, "1,000,000,000,000,000 of …" printed "1,000,000,000,000,00" over
    "0 of …", two numbers neither of which is the one recorded."""
    for i in range(len(piece) - 1, len(piece) // 2 - 1, -1):
        if piece[i] in _BREAK_AFTER:
            return i + 1
    return len(piece)


def _split_word(word: str, width: float, measure) -> list[str]:
    """A word wider than a line in pieces that each fit (at least one letter with its
    marks, ``_graphemes``), each measured whole, as it is drawn (shaped), each broken
    after a separator when one is near its end (``_break_after``)."""
    pieces: list[str] = []
    piece = ""
    for cluster in _graphemes(word):
        if piece and measure(piece + cluster) > width:
            cut = _break_after(piece)
            head = piece[:cut]
            if len(head) > 1 and head[-2].isdigit() and (piece[cut:] or cluster)[:1].isdigit():
                head += _CUT  # a number's piece (see keep_numbers)
            pieces.append(head)
            piece = piece[cut:]
            if piece and measure(piece + cluster) > width:
                pieces.append(piece)
                piece = ""
        piece += cluster
    pieces.append(piece)
    return pieces


#: Marks that close what comes before them: a line never starts with one, though a
#: person typed an ordinary space before it ("fin ?", "« élève »": most French
#: keyboards type no no-break space), as Unicode's line breaking says (UAX #14, LB13).
_CLOSERS = frozenset("?!:;.,…»›)]}%\u2030\u066a\u061f\u061b\u060c")
#: Marks that open what comes after them: a line never ends with one ("«", "(").
_OPENERS = frozenset("«‹([{")


def _marks_held(words: list[str]) -> list[str]:
    """``words`` with each word made of closing marks alone (``_CLOSERS``: "?", "»,")
    held to the word before it, and each made of opening marks alone ("«") to the word
    after it, by a no-break space: one word each for the line breaking. A French
    narrative's "sont-ils fiables ?" printed "?" at the start of the next line, and
    "« élève »" a line ending with "«"."""
    out: list[str] = []
    opened = ""
    for word in words:
        if opened:
            word, opened = opened + "\u00a0" + word, ""
        if out and all(ch in _CLOSERS for ch in word):
            out[-1] += "\u00a0" + word
        elif all(ch in _OPENERS for ch in word):
            opened = word
        else:
            out.append(word)
    if opened:  # (opening marks that end the text: with the word before, if any)
        if out:
            out[-1] += "\u00a0" + opened
        else:
            out.append(opened)
    return out


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Shaped lines in logical order that each fit ``width`` points; a blank line for
    each empty paragraph. Runs of spaces collapse to one. What no font of ``font``'s
    chain prints is U+FFFD (see fonts.printable)."""
    from fieldplan.reports.fonts import printable, string_width

    def measure(s: str) -> float:
        return string_width(s, font, size)

    width = max(width, 1.0)
    space = measure(" ")
    out: list[str] = []
    for para in clean(text).split("\n"):
        # no-break spaces stay inside their words (and are measured with them)
        para_words = _marks_held(words(printable(shape(para), font)))
        if not para_words:
            out.append("")
            continue
        line: list[str] = []
        used = 0.0
        for word in para_words:
            w = measure(word)
            parts = (
                [(word, w)]
                if w <= width
                else [(p, measure(p)) for p in _split_word(word, width, measure)]
            )
            for i, (part, pw) in enumerate(parts):
                if line and used + space + pw > width:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                used += (space if line else 0.0) + pw
                line.append(part)
                if i < len(parts) - 1:  # a piece of a word ends its line: no space
                    out.append(" ".join(line))  # comes into the word
                    line, used = [], 0.0
        out.append(" ".join(line))
    return out


def balanced_width(text: str, font: str, size: float, width: float) -> float:
    """The narrowest width, up to ``width``, at which ``text`` breaks into as many
    lines as at ``width`` (``break_lines``) without breaking a word: its lines as even
    as they can be, for a title. At ``width`` the long Arabic plan title printed
    "2025–2027" alone on its second line, a short last line read as a line of its own;
    at this width each of its two lines holds about half. ``width`` itself for a text
    of one line."""
    from fieldplan.reports.fonts import printable, string_width

    count = len(break_lines(text, font, size, width))
    if count < 2:
        return width
    # no narrower than its widest word (a word too wide for a line is split: broken
    # up, the lines would be no more even)
    low = max((string_width(word, font, size) for para in clean(text).split("\n")
               for word in _marks_held(words(printable(shape(para), font)))), default=0.0)
    high = width
    if low >= high:
        return width
    while high - low > 0.25:  # (the line count falls as the width grows)
        mid = (low + high) / 2
        if len(break_lines(text, font, size, mid)) > count:
            low = mid
        else:
            high = mid
    return high


def no_lone_word_width(text: str, font: str, size: float, width: float) -> float:
    """The widest width, up to ``width``, at which no paragraph of ``text`` ends on a
    line of one word, in as many lines as at ``width``: a note's full lines kept as
    they are, its last line holding a word or two of the line above. At ``width`` a
    cover's warning ended on "soumis." alone, read as a line of its own. ``width``
    itself where no paragraph ends on a word alone, or none can help it."""

    def lone(w: float) -> tuple[int, bool]:
        count, alone = 0, False
        for para in clean(text).split("\n"):
            lines = break_lines(para, font, size, w)
            count += len(lines)
            alone |= len(lines) > 1 and len(lines[-1].split(" ")) == 1
        return count, alone

    count, alone = lone(width)
    if not alone:
        return width
    # narrower a point at a time down to the width of even lines: the first one
    # that takes a word down without adding a line
    low = balanced_width(text, font, size, width)
    w = width - 1
    while w >= low:
        n, alone = lone(w)
        if n > count:
            break
        if not alone:
            return w
        w -= 1
    return width


def layout(
    text: str,
    font: str,
    size: float,
    width: float,
    base_dir: str | None = None,
    default_dir: str = "L",
) -> list[tuple[str, str]]:
    """Lines ready to draw: (visual text, direction) pairs. Each paragraph takes its
    direction from ``base_dir``; without one, or with ``base_dir="auto"`` (text a
    person wrote), from most of its words (``direction``: an Arabic narrative that
    starts with "IOM" reads right to left), else the report's direction
    ``default_dir``. Text a person wrote reads in its own
    direction whatever the report's: an English narrative naming an Arabic ministry
    in an Arabic report reads left to right (laid out right to left, its phrases came
    out in reverse order), an Arabic one in an English report right to left. The
    report's own text (titles, labels: "PA1 — حوكمة …" starts with a Latin code) is
    given the report's direction as ``base_dir``. A name another computer gave (a file
    name: ``base_dir="name"``) sits in the report's direction, whatever its letters,
    and keeps its own order: "حزمة العراق.fieldplan" in an English report reads with
    its ".fieldplan" last, at the left of its cell (in its own direction it was drawn
    right-aligned as "fieldplan.حزمة العراق"), and in an Arabic report each run of
    Latin text in a name is embedded left to right ("2026-S1 ML.fieldplan" did not
    come out as "ML.fieldplan 2026-S1")."""
    out: list[tuple[str, str]] = []
    for para in paragraphs(text):
        if base_dir == "name":
            d = default_dir
        else:
            d = direction(para, default_dir) if base_dir in (None, "auto") else base_dir
        lines = break_lines(para, font, size, width)
        if _ISOLATES.search(para):  # names in a sentence (``name_in_sentence``), text
            lines = _isolates_embedded(lines)  # pasted from elsewhere
        if base_dir == "name" and d == "R":
            # (after the line breaks: an embedding is one line's)
            lines = [_name_embedded(line) for line in lines]
        out.extend((line, d) for line in visual_lines(lines, d))
    return out


def paragraphs(text: str) -> list[str]:
    """``text`` cleaned (``clean``) in its paragraphs, each run of blank ones as one
    blank line and none before the first or after the last: 200 blank lines in a
    narrative printed three blank pages under "(continued)" headings."""
    out: list[str] = []
    for para in clean(text).split("\n"):
        blank = not words(para)
        if blank and (not out or not out[-1]):
            continue
        out.append("" if blank else para)
    while out and not out[-1]:
        out.pop()
    return out or [""]


#: Left-to-right embedding and its end (which python-bidi knows), and the left-to-right
#: isolate and its end (which it does not: ``_isolates_embedded``)
_LRE, _PDF, _LRI, _PDI = "\u202a", "\u202c", "\u2066", "\u2069"
_RLE, _RLI, _FSI = "\u202b", "\u2067", "\u2068"
_ISOLATES = re.compile("[\u2066-\u2069]")
_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"


def _name_marked(name: str, start: str, end: str) -> str:
    """``name`` (a file's) with each run of Latin text in it between ``start`` and
    ``end`` (the whole of it when it has no right-to-left letter): kept in its own
    order in right-to-left text. The dot of an extension after Arabic letters stays
    beside them ("fieldplan.حزمة", not ".fieldplanحزمة"), as the name's own order
    puts it."""
    if not has_rtl(name):
        return start + name + end
    dot = re.compile(f"(?<=[{_RTL_LETTERS}]){re.escape(start)}\\.")
    return dot.sub("." + start, ltr_runs_marked(name, start, end))


def _name_embedded(line: str) -> str:
    """A line of a name in a right-to-left report (a table's cell), each run of Latin
    text in it embedded left to right (``_name_marked``)."""
    return _name_marked(line, _LRE, _PDF)


def name_in_sentence(name: str) -> str:
    """A name another computer gave (a file's) to put in a sentence of a right-to-left
    report, kept in its own order as a table's cell keeps it (``_name_embedded``): in
    the Arabic pack "… وصلت بياناتها في 2026-S1 ML (copy 2).fieldplan" printed the name
    as "ML (copy 2).fieldplan 2026-S1". Its Latin runs are isolated (controls that
    ``clean`` keeps, paired, and that take no width); ``layout`` embeds them line by
    line once the sentence is broken into lines, a name broken across two lines
    included. Its own bidi controls are contained."""
    return _name_marked(bidi_contained(name), _LRI, _PDI)


def _isolates_embedded(lines: list[str]) -> list[str]:
    """``lines`` (one paragraph's, in logical order) with each isolate made the
    embedding of its direction, which python-bidi knows (it refuses isolates: "RLI not
    allowed here" stopped every report of a period whose narrative held text pasted
    with them): closed at the end of a line it does not end on, and opened again at the
    start of the next (bidi orders each line alone). A first-strong isolate takes the
    direction of its first letter. ``clean`` has left only isolates closed in their
    paragraph; a closing one without its opening is dropped."""
    out: list[str] = []
    stack: list[str] = []  # the embedding of each isolate open
    rest = "\n".join(lines)
    at = 0  # where ``rest`` is: a first-strong isolate looks ahead for its letter
    for line in lines:
        chars = list(stack)
        for ch in line:
            at += 1
            if ch in (_LRI, _RLI, _FSI):
                if ch == _FSI:
                    inside = rest[at:_isolate_end(rest, at)]
                    ch = _RLI if _first_strong(inside, "L") == "R" else _LRI
                stack.append(_LRE if ch == _LRI else _RLE)
                chars.append(stack[-1])
            elif ch == _PDI:
                if stack:
                    stack.pop()
                    chars.append(_PDF)
            else:
                chars.append(ch)
        at += 1  # (the line's end)
        out.append("".join(chars) + _PDF * len(stack))
    return out


def _isolate_end(text: str, start: int) -> int:
    """Where the isolate whose content starts at ``start`` in ``text`` closes (its
    matching PDI, else the end)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in (_LRI, _RLI, _FSI):
            depth += 1
        elif text[i] == _PDI:
            if not depth:
                return i
            depth -= 1
    return len(text)


def one_line(text: str, base_dir: str = "L", font: str | None = None) -> str:
    """A short label (chart axis, legend, page header) shaped and reordered, without
    wrapping, to draw in ``font`` (by default the regular report font). ``base_dir``
    "R" (an Arabic report) is the direction whatever the text starts with; "L" lets a
    label in a right-to-left script read right to left."""
    from fieldplan.reports.fonts import REGULAR, printable

    t = " ".join(words(clean(text)))
    d = "R" if base_dir == "R" else direction(t, "L")
    return visual(printable(shape(t), font or REGULAR), d)


def fit_line(text: str, width: float, size: float, base_dir: str = "L",
             font: str | None = None) -> str:
    """``one_line`` of ``text``, shortened with "…" until it is at most ``width``
    points wide in ``font`` at ``size`` (measured as drawn, shaped and with its
    fallback fonts); cut at a space when one is near. "" when not even "…" fits."""
    from fieldplan.reports.fonts import REGULAR, string_width

    font = font or REGULAR

    def drawn(t: str) -> str:
        return one_line(t, base_dir, font)

    line = drawn(text)
    if string_width(line, font, size) <= width:
        return line
    t = " ".join(words(clean(text)))
    # the most characters that fit before the ellipsis (widths grow with the length),
    # then cut as ``truncate`` cuts (at a space when one is near)
    lo, hi = 0, len(t) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if string_width(drawn(_with_ellipsis(t[:mid])), font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    short = drawn(truncate(t, lo)[0])
    return short if string_width(short, font, size) <= width else ""

