"""The report fonts (resources/fonts), registered with ReportLab once per process, and
the font fallback ReportLab does not have.

DejaVu Sans prints the reports' own text and most of what people write, but not all
of it: it lacks letters of Urdu and other Arabic-script languages of OIC members (ہ,
ے, the Urdu full stop ۔, their joined presentation forms) and the ligatures ﷼ ﷺ ﷽,
and it has no Bengali (Bangladesh). Noto Sans Arabic and Noto Sans Bengali are its
fallbacks for those. Every string drawn goes through ``runs``, which cuts it into
pieces each drawn in the first font that has all its characters, so measuring (line
breaking) and drawing agree. A character no font has (most emoji, ₼) becomes U+FFFD,
visible, where it would have been an empty box; the page then says so once (see
common._furniture).

Bengali letters are shaped as they are drawn: HarfBuzz (uharfbuzz, through ReportLab's
``shapeStr``) makes its conjuncts and puts each vowel sign where it is read (ে before
its consonant), which drawing the letters one by one does not. Shaped glyphs have no
character of their own, so each shaped run carries its text as the PDF's ActualText:
what copying and searching read. Without uharfbuzz the Bengali fonts are not used, and
Bengali prints as U+FFFD as any other character no font has.

Each font's ToUnicode map (what copying and searching read for each glyph) is ours
(``to_unicode``): ReportLab's gives the presentation forms the shaped Arabic is drawn
with (not found by a search, refused by spell-checkers) and cuts characters past U+FFFF
to 16 bits (😀 copied as "ὠ").
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache, lru_cache

#: ReportLab names of the report fonts.
REGULAR = "FieldplanSans"
BOLD = "FieldplanSans-Bold"
#: The fallbacks of REGULAR and BOLD, for Arabic-script text DejaVu Sans lacks.
ARABIC = "FieldplanArabic"
ARABIC_BOLD = "FieldplanArabic-Bold"
#: The fallbacks for Bengali, which HarfBuzz shapes as it is drawn (SHAPED).
BENGALI = "FieldplanBengali"
BENGALI_BOLD = "FieldplanBengali-Bold"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ARABIC: "NotoSansArabic-Regular.ttf",
    ARABIC_BOLD: "NotoSansArabic-Bold.ttf",
    BENGALI: "NotoSansBengali-Regular.ttf",
    BENGALI_BOLD: "NotoSansBengali-Bold.ttf",
}
#: Each font the reports set, then the fonts that print what it lacks, in order.
FALLBACKS: dict[str, tuple[str, ...]] = {REGULAR: (ARABIC, BENGALI),
                                         BOLD: (ARABIC_BOLD, BENGALI_BOLD)}
#: The fonts whose runs HarfBuzz shapes (registered only when uharfbuzz imports).
SHAPED = frozenset({BENGALI, BENGALI_BOLD})

#: What prints in place of characters no report font has (DejaVu Sans has it).
REPLACEMENT = "\ufffd"

_lock = threading.Lock()
#: held while HarfBuzz shapes (ReportLab files new glyphs in the font's tables then)
_shaping = threading.Lock()
_registered = False
#: The fonts registered: SHAPED ones only with a shaping engine to draw them.
_available: set[str] = set()


def can_shape() -> bool:
    """Whether ReportLab found uharfbuzz, which the SHAPED fonts need."""
    from reportlab.pdfbase import ttfonts

    return getattr(ttfonts, "uharfbuzz", None) is not None


def register_fonts() -> None:
    """Register the embedded TrueType fonts (thread-safe; later calls do nothing)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics

        from fieldplan.resources import resource_path

        shaping = can_shape()
        for name, file in _FILES.items():
            if name in SHAPED and not shaping:
                continue
            pdfmetrics.registerFont(_font_class()(name, str(resource_path("fonts", file)),
                                                  shapable=name in SHAPED))
            _available.add(name)
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True


@cache
def _shaped() -> dict[str, str]:
    """Each character shaping writes that is not the letter written (a joined form,
    a ligature) with the letters it stands for, from arabic_reshaper's own tables:
    its forms of each letter and the ligatures it is set to make (lam-alef, ﷲ)."""
    from arabic_reshaper import letters, ligatures

    from fieldplan.reports.text import _reshaper

    out: dict[str, str] = {}
    for letter, forms in letters.LETTERS_ARABIC.items():
        for form in forms:
            if form and form != letter:
                out.setdefault(form, letter)
    config = _reshaper().configuration
    for name, (written, forms) in ligatures.LIGATURES:
        if config.getboolean(name.lower(), fallback=False):
            for form in forms:
                if form:
                    out.setdefault(form, written)
    return out


def letters_of(ch: str) -> str:
    """What a reader should copy for ``ch`` as drawn: the letters of a form Arabic
    shaping wrote (a joined form its letter; a lam-alef or ﷲ their letters), else
    ``ch``. Ligatures people type as such (﷼, ﷺ) stay themselves.

    A ligature's letters are listed right to left, as its glyph stands: readers
    (poppler, PDFium) spread them across the glyph left to right and reverse them with
    the right-to-left text around it; listed in logical order, "لا" read back "ال"."""
    return _shaped().get(ch, ch)[::-1]


def to_unicode(fontname: str, subset: list[int]) -> str:
    """The ToUnicode CMap of a font subset (PDF 1.7, 9.10.3): each code to the text
    of its glyph (``letters_of``), in UTF-16BE (characters past U+FFFF as surrogate
    pairs), in blocks of at most 100 as the format wants."""
    entries = [
        f"<{code:02X}> <{letters_of(chr(u)).encode('utf-16-be').hex().upper()}>"
        for code, u in enumerate(subset)
    ]
    blocks = []
    for i in range(0, len(entries), 100):
        chunk = entries[i:i + 100]
        blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        *blocks,
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])


@cache
def _font_class():
    """ReportLab's TTFont with our ToUnicode maps (``to_unicode``)."""
    from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

    class ReportFont(TTFont):
        def addObjects(self, doc) -> None:
            subsets = list(self.state[doc].subsets) if doc in self.state else []
            super().addObjects(doc)  # forgets the subsets
            for n, subset in enumerate(subsets):
                # the name TTFont.addObjects gives the subset and its map
                base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))
                base = base.decode("pdfdoc")
                cmap = doc.idToObject.get("toUnicodeCMap:" + base)
                if cmap is not None:  # (another ReportLab may name it otherwise: its own)
                    cmap.content = to_unicode(base, subset)

    return ReportFont


#: The private use area, where ReportLab files the glyphs shaping makes that no
#: character maps to (a conjunct): never a SHAPED font's for text people write.
_PRIVATE_USE = range(0xE000, 0xF900)


@cache
def covered(font: str) -> frozenset[int]:
    """The code points ``font`` has a glyph for (its cmap)."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    with _shaping:  # (shaping adds to a SHAPED font's map: read it whole)
        codes = frozenset(pdfmetrics.getFont(font).face.charToGlyph)
    if font in SHAPED:
        codes = frozenset(c for c in codes if c not in _PRIVATE_USE)
    return codes


def chain(font: str) -> tuple[str, ...]:
    """``font``, then its fallbacks (those registered: see SHAPED)."""
    register_fonts()
    return (font, *(f for f in FALLBACKS.get(font, ()) if f in _available))


def _ignorable(ch: str) -> bool:
    """Characters with no glyph of their own (format controls such as bidi marks,
    joiners, the soft hyphen; variation selectors): left out, never replaced."""
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f" or (
        "\U000e0100" <= ch <= "\U000e01ef") or ch == "\u034f"


@cache
def _chain_covers(font: str) -> frozenset[int]:
    return frozenset().union(*(covered(f) for f in chain(font)))


def has_glyph(ch: str, font: str) -> bool:
    """Whether ``font`` or one of its fallbacks prints ``ch``."""
    return ord(ch) in _chain_covers(font)


def printable(text: str, font: str) -> str:
    """``text`` with each stretch of characters that no font of ``font``'s chain has
    (an emoji, ₼) as one U+FFFD. Format characters stay: bidi
    reordering still needs its marks, and ``runs`` leaves them out."""
    out: list[str] = []
    missing = False  # the last visible character was replaced
    for ch in text:
        if has_glyph(ch, font):
            out.append(ch)
            missing = False
        elif _ignorable(ch):
            out.append(ch)
        elif not missing:
            out.append(REPLACEMENT)
            missing = True
    return "".join(out)


#: Letters that join (Arabic script, its presentation forms), and Bengali with its
#: dandas: a word of either is drawn in one font, so that its joined forms come from
#: one design (and a Bengali word is shaped whole). The joiners go with either.
_ARABIC = frozenset([*range(0x0600, 0x0700), *range(0x0750, 0x0780),
                     *range(0x08A0, 0x0900), *range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)])
_BENGALI = frozenset([*range(0x0980, 0x0A00), 0x0964, 0x0965])
_JOINERS = frozenset([0x200C, 0x200D])


def _script(ch: str) -> frozenset[int] | None:
    """The set of ``ch``'s script among those drawn a word at a time, _JOINERS for a
    joiner, None for any other character."""
    code = ord(ch)
    return next((s for s in (_ARABIC, _BENGALI, _JOINERS) if code in s), None)


def _clusters(text: str) -> list[str]:
    """``text`` in pieces that take one font: a word of one script's joining letters
    (with the joiners in it), or one character with the combining marks after it."""
    out: list[str] = []
    word: frozenset[int] | None = None  # the script of the word out[-1] is, if any
    for ch in text:
        script = _script(ch)
        if out and word is not None and script is not None and (
                script in (word, _JOINERS) or word is _JOINERS):
            out[-1] += ch
            if script is not _JOINERS:
                word = script
        elif out and unicodedata.combining(ch) and script is None:
            out[-1] += ch
        else:
            out.append(ch)
            word = script
    return out


@lru_cache(maxsize=32768)
def runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """``text`` as (font, piece) runs in order, each piece in the first font of
    ``font``'s chain that has all of its characters; characters none has (format
    controls, once ``printable`` has replaced the rest) are left out."""
    fonts = [(f, covered(f)) for f in chain(font)]
    out: list[list[str]] = []

    def add(f: str, piece: str) -> None:
        if out and out[-1][0] == f:
            out[-1][1] += piece
        else:
            out.append([f, piece])

    for cluster in _clusters(text):
        codes = [ord(c) for c in cluster]
        whole = next((f for f, m in fonts if all(c in m for c in codes)), None)
        if whole is not None:
            add(whole, cluster)
            continue
        for ch in cluster:
            f = next((f for f, m in fonts if ord(ch) in m), None)
            if f is not None:
                add(f, ch)
    return tuple((f, piece) for f, piece in out)


@lru_cache(maxsize=8192)
def shaped(piece: str, font: str, size: float) -> tuple[str, float]:
    """A run of a SHAPED font as HarfBuzz lays it out: the string ReportLab draws
    (its glyphs, each with its offsets) and its width in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr

    with _shaping:  # shaping files new glyphs in the font's tables
        out = shapeStr(piece, font, size)
    if isinstance(out, ShapedStr):
        return out, sum(g.x_advance for g in out.__shapeData__) * size / 1000
    return out, stringWidth(out, font, size)


def _width(piece: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if font in SHAPED:
        return shaped(piece, font, size)[1]
    return stringWidth(piece, font, size)


def string_width(text: str, font: str, size: float) -> float:
    """Width in points of ``text`` as ``draw_text`` draws it."""
    return sum(_width(piece, f, size) for f, piece in runs(text, font))


def actual_text(text: str) -> str:
    """The PDF marked-content operator that gives what follows up to its EMC ``text``
    as what readers copy and search (PDF 1.7, 14.9.4): a UTF-16BE string with its
    byte order mark, in hex."""
    return f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


def draw_text(canv, x: float, y: float, text: str, font: str, size: float,
              align: str = "left") -> None:
    """Draw ``text`` (visual order) at ``x`` (its left end, right end or centre by
    ``align``), each run in its font, a SHAPED font's run shaped and carrying its text
    as ActualText; the canvas keeps ``font`` set after. A page that prints U+FFFD is
    marked for its footnote (see common._furniture)."""
    if align != "left":
        width = string_width(text, font, size)
        x -= width if align == "right" else width / 2
    for f, piece in runs(text, font):
        canv.setFont(f, size)
        if f in SHAPED:
            glyphs, width = shaped(piece, f, size)
            canv.addLiteral(actual_text(piece))
            canv.drawString(x, y, glyphs)
            canv.addLiteral("EMC")
        else:
            width = _width(piece, f, size)
            canv.drawString(x, y, piece)
        x += width
    canv.setFont(font, size)
    if REPLACEMENT in text:
        canv._fp_replaced = True
