"""The report fonts (resources/fonts), registered with ReportLab once per process, and
the font fallback ReportLab does not have.

DejaVu Sans prints the reports' own text and most of what people write, but not all
of it: it lacks letters of Urdu and other Arabic-script languages of OIC members (ہ,
ے, the Urdu full stop ۔, their joined presentation forms) and the ligatures ﷼ ﷺ ﷽.
Noto Sans Arabic is its fallback for those. Every string drawn goes through ``runs``,
which cuts it into pieces each drawn in the first font that has all its characters,
so measuring (line breaking) and drawing agree. A character neither font has (most
emoji, Bengali, ₼) becomes U+FFFD, visible, where it would have been an empty box;
the page then says so once (see common._furniture).

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

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ARABIC: "NotoSansArabic-Regular.ttf",
    ARABIC_BOLD: "NotoSansArabic-Bold.ttf",
}
#: Each font the reports set, then the fonts that print what it lacks, in order.
FALLBACKS: dict[str, tuple[str, ...]] = {REGULAR: (ARABIC,), BOLD: (ARABIC_BOLD,)}

#: What prints in place of characters no report font has (DejaVu Sans has it).
REPLACEMENT = "\ufffd"

_lock = threading.Lock()
_registered = False


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

        for name, file in _FILES.items():
            pdfmetrics.registerFont(_font_class()(name, str(resource_path("fonts", file))))
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


@cache
def covered(font: str) -> frozenset[int]:
    """The code points ``font`` has a glyph for (its cmap)."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def chain(font: str) -> tuple[str, ...]:
    """``font``, then its fallbacks."""
    return (font, *FALLBACKS.get(font, ()))


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
    (an emoji, a Bengali word) as one U+FFFD. Format characters stay: bidi
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


#: Letters that join (Arabic script, its presentation forms) and the joiners: a word of
#: them is drawn in one font, so that its joined forms come from one design.
_JOINING = frozenset(
    [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900),
     *range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00), 0x200C, 0x200D]
)


def _clusters(text: str) -> list[str]:
    """``text`` in pieces that take one font: a word of joining letters, or one
    character with the combining marks after it."""
    out: list[str] = []
    for ch in text:
        if out and (
            (ord(ch) in _JOINING and ord(out[-1][-1]) in _JOINING)
            or (unicodedata.combining(ch) and ord(ch) not in _JOINING)
        ):
            out[-1] += ch
        else:
            out.append(ch)
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


def string_width(text: str, font: str, size: float) -> float:
    """Width in points of ``text`` as ``draw_text`` draws it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(piece, f, size) for f, piece in runs(text, font))


def draw_text(canv, x: float, y: float, text: str, font: str, size: float,
              align: str = "left") -> None:
    """Draw ``text`` (visual order) at ``x`` (its left end, right end or centre by
    ``align``), each run in its font; the canvas keeps ``font`` set after. A page that
    prints U+FFFD is marked for its footnote (see common._furniture)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if align != "left":
        width = string_width(text, font, size)
        x -= width if align == "right" else width / 2
    for f, piece in runs(text, font):
        canv.setFont(f, size)
        canv.drawString(x, y, piece)
        x += stringWidth(piece, f, size)
    canv.setFont(font, size)
    if REPLACEMENT in text:
        canv._fp_replaced = True
