"""Text for the PDF reports: cleaning, Arabic shaping, line breaking, bidi reordering.

ReportLab cannot lay out right-to-left text by itself (its bidi needs ``rlbidi``), so
every string the reports print goes through here, in this order (see NOTES.md):

1. clean: control characters out, line ends normalised;
2. shape Arabic with arabic_reshaper (vowel marks kept) into presentation forms;
3. break into lines with ``pdfmetrics.stringWidth`` of the shaped text, splitting words
   wider than a line (a 500-character "word" wraps instead of overflowing);
4. reorder each line on its own with the pure-Python ``bidi.algorithm.get_display``
   (which mirrors brackets), in the paragraph's direction.

The result is plain strings in visual order that the report flowables draw with
``drawString``; no user text ever reaches Paragraph markup, so ``<b>``, ``&`` or
``<para>`` in a narrative print as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

#: Characters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko... and the
#: Arabic presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# C0/C1 controls except tab and newline; they have no glyph and some break PDF text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def has_rtl(text: str) -> bool:
    """Whether the text holds right-to-left letters."""
    return _RTL.search(text) is not None


def direction(text: str, default: str = "L") -> str:
    """ "R" or "L" from the first strong character (Unicode rule P2), else ``default``."""
    if not has_rtl(text):
        return "L" if any(c.isalpha() for c in text) else default
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return default


def clean(text: str) -> str:
    """Newlines normalised, tabs as spaces, control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROLS.sub("", text)


@cache
def _reshaper():
    from arabic_reshaper import ArabicReshaper

    return ArabicReshaper(configuration={"delete_harakat": False})


def shape(text: str) -> str:
    """Arabic letters in their joined presentation forms (other text unchanged)."""
    return _reshaper().reshape(text) if has_rtl(text) else text


def visual(line: str, base_dir: str) -> str:
    """One already-broken, shaped line in visual (left-to-right drawing) order."""
    if base_dir == "L" and not has_rtl(line):
        return line
    from bidi.algorithm import get_display

    return get_display(line, base_dir=base_dir)


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """At most ``limit`` characters, cut at a space when one is near, with "…"."""
    text = " ".join(clean(text).split())
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…", True


def _split_word(word: str, width: float, measure) -> list[str]:
    """A word wider than a line in pieces that each fit (at least one character)."""
    pieces, start, used = [], 0, 0.0
    for i, ch in enumerate(word):
        w = measure(ch)
        if used + w > width and i > start:
            pieces.append(word[start:i])
            start, used = i, 0.0
        used += w
    pieces.append(word[start:])
    return pieces


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Shaped lines in logical order that each fit ``width`` points; a blank line for
    each empty paragraph. Runs of spaces collapse to one."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def measure(s: str) -> float:
        return stringWidth(s, font, size)

    width = max(width, 1.0)
    space = measure(" ")
    out: list[str] = []
    for para in clean(text).split("\n"):
        words = shape(para).split()
        if not words:
            out.append("")
            continue
        line: list[str] = []
        used = 0.0
        for word in words:
            w = measure(word)
            parts = (
                [(word, w)]
                if w <= width
                else [(p, measure(p)) for p in _split_word(word, width, measure)]
            )
            for part, pw in parts:
                if line and used + space + pw > width:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                used += (space if line else 0.0) + pw
                line.append(part)
        out.append(" ".join(line))
    return out


def layout(
    text: str,
    font: str,
    size: float,
    width: float,
    base_dir: str | None = None,
    default_dir: str = "L",
) -> list[tuple[str, str]]:
    """Lines ready to draw: (visual text, direction) pairs. Each paragraph takes its
    direction from ``base_dir`` or from its first strong character."""
    out: list[tuple[str, str]] = []
    for para in clean(text).split("\n"):
        d = base_dir or direction(para, default_dir)
        for line in break_lines(para, font, size, width):
            out.append((visual(line, d), d))
    return out


def one_line(text: str, base_dir: str = "L") -> str:
    """A short label (chart axis, legend) shaped and reordered, without wrapping."""
    t = " ".join(clean(text).split())
    return visual(shape(t), direction(t, base_dir))
