"""What the status sheet and the review pack share: the report context, flowables that
draw pre-laid-out text (see text.py), tables that mirror in right-to-left reports, the
page furniture (header, "page x of y", digest and QR footer) and the two-pass build.

Imported only when a report is built: it pulls in ReportLab.
"""

from __future__ import annotations

import gettext
import io
import itertools
import json
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Table,
)

from fieldplan.errors import ValidationError
from fieldplan.reports import text as tx
from fieldplan.reports.fonts import BOLD, REGULAR, draw_text, register_fonts, string_width

Progress = Callable[[int, int, str], None]

#: The steps a report's progress counts to (its ``total``): gathering its data takes
#: the first GATHER_STEPS, laying out its pages the rest, as it takes most of the time
#: (a pack of 57 offices: a fifth of a second, then two passes of about eight seconds)
STEPS = 1000
GATHER_STEPS = 50
#: Where each layout pass ends, as a share of the layout's steps: the first pass finds
#: the page numbers, the second prints them; a third (rare: the numbers moved pages)
#: has the last bit
PASS_ENDS = (0.5, 0.95, 1.0)

# Laid-out lines by (text, font, size, width, directions), shared by the passes of one
# build: the second pass of a review pack reuses the shaping and bidi work of the first.
# A ContextVar, so concurrent builds in different threads never share it.
_LAYOUTS: ContextVar[dict | None] = ContextVar("fieldplan_report_layouts", default=None)

PAPERS = {"A4": A4, "LETTER": LETTER}

#: Status colours (the review pack's chart and its legend), always paired with the
#: status word and symbol. Printed in greyscale (field offices' printers often are),
#: each is a grey of its own: their lightness steps from not started (lightest) to
#: cancelled (darkest), at least 35 levels of 255 apart (tests/core/test_report_chart_grey.py);
#: on track, off track, completed and cancelled were one dark grey. The hues are those
#: of the tints below and of the client's status colours.
STATUS_COLOURS = {
    "not-started": "#ebebeb",
    "on-track": "#4caf50",
    "at-risk": "#fbc02d",
    "off-track": "#d32f2f",
    "completed": "#0d3b8c",
    "cancelled": "#111111",
}
#: the outline of a status colour so light that it would fade into the white paper
LIGHT_OUTLINE = {"not-started": "#8a8a8a"}
STATUS_TINTS = {
    "not-started": "#f2f2f2",
    "on-track": "#e3f1e4",
    "at-risk": "#fdf0cf",
    "off-track": "#f7dddd",
    "completed": "#dde9f7",
    "cancelled": "#e6e6e6",
}
GRID = colors.HexColor("#9a9a9a")
HEAD_BG = colors.HexColor("#dfe4ea")
MUTED = "#555555"

#: TextFlow base_dir of text a person wrote (narratives, conflicting values): its own
#: direction, see text.layout.
USER = "auto"
#: TextFlow base_dir of a name another computer gave (a file name, a key's
#: fingerprint): in the report's direction, the name kept in its own order, see
#: text.layout.
NAME = "name"

MARGIN_X = 15 * mm
MARGIN_TOP = 18 * mm
QR_SIZE = 21 * mm
#: The QR code's height above the paper's foot: many printers cannot print the last
#: 5–6.35 mm of a sheet, and a code drawn there lost its lower rows.
QR_BOTTOM = 9 * mm
MARGIN_BOTTOM = QR_BOTTOM + QR_SIZE + 5 * mm  # room for the digest and the QR code


# --- context -------------------------------------------------------------------------


@dataclass
class Ctx:
    """One report being built: language, direction, paper, translations, plan, period."""

    lang: str
    tr: gettext.NullTranslations
    plan: Any
    period: str
    pagesize: tuple[float, float]
    printed: datetime

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    @property
    def dir(self) -> str:
        return "R" if self.rtl else "L"

    @property
    def width(self) -> float:
        """Width of the text frame in points."""
        return self.pagesize[0] - 2 * MARGIN_X

    def gettext(self, message: str) -> str:
        return self.tr.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return self.tr.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.tr.ngettext(singular, plural, n)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.tr.npgettext(context, singular, plural, n)

    def when(self, value: datetime | str) -> str:
        """A date and time as printed on the reports: in UTC, and saying so (offices
        and headquarters are in different time zones). A line may break between its
        date and its time only: no-break spaces hold the date together, and the time
        of day with its "PM" / "م" and "UTC" (in a narrow column, "UTC" went onto a
        line of its own under the date and time)."""
        import re

        from fieldplan.i18n import format_datetime, format_time

        dt = datetime.fromisoformat(value) if isinstance(value, str) else value
        if dt.tzinfo is None:  # the store writes UTC
            dt = dt.replace(tzinfo=UTC)
        text = format_datetime(dt, self.lang, tz=UTC)
        time = format_time(dt, self.lang, format="medium", tz=UTC)
        date, found, rest = text.partition(time)
        if found:
            kept = date.rstrip()
            text = tx.glued(kept) + date[len(kept):] + tx.glued(time) + rest
        # Translators: {time} is a date and time in Coordinated Universal Time.
        template = self.gettext("{time} UTC")
        template = re.sub(r"\s+(?=\{time\})|(?<=\{time\})\s+", "\u00a0", template)
        return template.format(time=text)


def make_ctx(rep, period: str, lang: str, paper: str) -> Ctx:
    """Check the arguments and gather what every report needs."""
    from fieldplan.events import wall_ms
    from fieldplan.i18n import LANGUAGES, _, join_list, translation
    from fieldplan.periods import parse_period

    if lang not in LANGUAGES:
        raise ValidationError(_("unsupported report language '{lang}': use {choices}").format(
            lang=lang, choices=join_list(LANGUAGES)))
    size = PAPERS.get(str(paper).upper())
    if size is None:
        raise ValidationError(_("unknown paper '{value}': use A4 or Letter").format(
            value=paper))
    plan = rep.plan()
    # the plan's own check: with its dates, a semester past its end is said plainly
    # ("outside the plan"), never as folded into the last period
    p = plan.check_period(parse_period(period))
    register_fonts()
    return Ctx(
        lang=lang,
        tr=translation(lang),
        plan=plan,
        period=str(p),
        pagesize=size,
        # the clock writes are stamped with (events.wall_ms), as every "now" here
        printed=datetime.fromtimestamp(wall_ms() / 1000, UTC),
    )


# --- styles and flowables ------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    font: str = REGULAR
    size: float = 8.0
    leading: float = 10.0
    color: str = "#000000"


BODY = Style()
SMALL = Style(size=7.0, leading=8.6)
MUTED_SMALL = Style(size=6.6, leading=8.2, color=MUTED)
BOLD_SMALL = Style(font=BOLD, size=7.0, leading=8.6)
#: a warning in a sheet's facts, as large as they are
WARNING = Style(font=BOLD, size=8.0, leading=10.0)
LABEL = Style(font=BOLD, size=6.6, leading=8.2, color=MUTED)
CELL_HEAD = Style(font=BOLD, size=7.0, leading=8.6)
TINY_HEAD = Style(font=BOLD, size=6.3, leading=7.8)
TITLE = Style(font=BOLD, size=16, leading=20)
SUBTITLE = Style(font=BOLD, size=12.5, leading=16)
H1 = Style(font=BOLD, size=12, leading=15)
H2 = Style(font=BOLD, size=10, leading=13)
H3 = Style(font=BOLD, size=8.5, leading=11)


class TextFlow(Flowable):
    """User or label text, wrapped and reordered by text.layout, drawn line by line.

    No markup is parsed, so any text prints as written; long text splits across
    frames and pages line by line.
    """

    _OWN = frozenset(
        (
            "text",
            "style",
            "rtl",
            "align",
            "base_dir",
            "space_after",
            "indent",
            "_lines",
            "_laid",
            "spaceBefore",
            "keepWithNext",
            "_split_rest",
            "link",
            "continued",
            "balance",
            "whole_end",
        )
    )

    def __init__(
        self,
        text: str,
        style: Style = BODY,
        *,
        rtl: bool = False,
        align: str | None = None,
        base_dir: str | None = None,
        space_after: float = 0.0,
        indent: float = 0.0,
        link: str | None = None,
        balance: bool = False,
        whole_end: bool = False,
        _lines: list | None = None,
        _width: float | None = None,
    ) -> None:
        """``balance``: lines as even as they can be, no fewer (``text.balanced_width``),
        for a title or heading: no short last line alone under a long one.
        ``whole_end``: full lines, but no paragraph ending on a word alone
        (``text.no_lone_word_width``), for a warning that stands alone."""
        super().__init__()
        self.balance = balance
        self.whole_end = whole_end
        self.link = link  # a bookmark key: the text is a link to it
        #: what the cell prints in the part of its row a page break carries over, when
        #: the whole of this cell printed before the break (see ``continued``)
        self.continued: Flowable | None = None
        self.text = text
        self.style = style
        self.rtl = rtl
        self.align = align
        self.base_dir = base_dir
        self.space_after = space_after
        self.indent = indent
        self._lines = _lines
        self._laid = _width

    def _layout(self, width: float) -> list:
        if self._lines is None or self._laid != width:
            s = self.style
            room = width - self.indent
            if self.balance:
                room = tx.balanced_width(self.text, s.font, s.size, room)
            elif self.whole_end:
                room = tx.no_lone_word_width(self.text, s.font, s.size, room)
            # in a right-to-left report every paragraph of the report's own text is
            # right-to-left, whatever its first letter ("PA1 — حوكمة ..." starts with
            # Latin); text a person wrote (base_dir USER) takes its own direction
            args = (
                self.text,
                s.font,
                s.size,
                room,
                self.base_dir or ("R" if self.rtl else None),
                "R" if self.rtl else "L",
            )
            cache = _LAYOUTS.get()
            lines = cache.get(args) if cache is not None else None
            if lines is None:
                lines = tx.layout(*args)
                if cache is not None:
                    cache[args] = lines
            self._lines = lines
            self._laid = width
        return self._lines

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        lines = self._layout(aw)
        self.width = aw
        self.height = len(lines) * self.style.leading + self.space_after
        return aw, self.height

    def _part(self, lines: list, space_after: float) -> TextFlow:
        part = self.__class__.__new__(self.__class__)
        # copy our own attributes only: ReportLab marks flowables (_postponed, _frame...)
        # and a part that inherited _postponed would fail as "too large"
        part.__dict__.update(
            {
                k: v
                for k, v in self.__dict__.items()
                if k in self._OWN or k in ("key", "level", "pages", "outline")
            }
        )
        part._lines, part.space_after = lines, space_after
        return part

    def split(self, aw: float, ah: float) -> list[Flowable]:
        lines = self._layout(aw)
        n = int((ah + 0.01) // self.style.leading)
        if n <= 0:
            return []
        if n >= len(lines):  # the lines fit, the space after them does not
            return [self._part(lines, 0.0)]
        first = self._part(lines[:n], 0.0)
        rest = self._part(lines[n:], self.space_after)
        rest._split_rest = True
        return [first, rest]

    def draw(self) -> None:
        c = self.canv
        s = self.style
        c.setFont(s.font, s.size)
        c.setFillColor(colors.HexColor(s.color))
        # the lines from the top of the box, the space after them below them (drawn
        # from below the space, a label read as the tail of the paragraph above it)
        top = self.height
        for i, (line, d) in enumerate(self._lines or ()):
            if not line:
                continue
            y = top - (i + 1) * s.leading + 0.27 * s.leading
            # text a person wrote aligns by its own direction in either layout (an
            # English paragraph starts at the left of an Arabic report's cell, as an
            # Arabic one at the right of an English report's), the report's own by
            # the report's
            own = self.rtl and self.base_dir != USER
            align = self.align or ("right" if d == "R" or own else "left")
            if align == "right":
                x = self._right_edge()
            elif align == "center":
                x = self.width / 2
            else:
                x = 0 if self.rtl else self.indent
            draw_text(c, x, y, line, s.font, s.size, align)
        if self.link:
            c.linkRect("", self.link, (0, 0, self.width, self.height), relative=1, thickness=0)

    def _right_edge(self) -> float:
        """Where a right-aligned line ends."""
        return self.width - (self.indent if self.rtl else 0)


class Figures(TextFlow):
    """A number of a column of numbers (a table of contents' pages), lined up with
    the others by its last digit: right-aligned in a box ``box`` points wide, the
    widest number's, at the end of its cell, and in a right-to-left report at its
    start, the left, where an Arabic book prints its page numbers (flush left, "8"
    stood over the "1" of "163")."""

    _OWN = TextFlow._OWN | {"box"}

    def __init__(self, text: str, style: Style = BODY, *, rtl: bool = False,
                 box: float = 0.0, link: str | None = None) -> None:
        super().__init__(text, style, rtl=rtl, align="right", base_dir="L", link=link)
        self.box = box

    def _right_edge(self) -> float:
        return min(self.box, self.width) if self.rtl else self.width


def even_groups(text: str, font: str, size: float, width: float,
                sep: str | None = None) -> str:
    """``text`` (groups split by spaces, or by ``sep``: a key fingerprint's ten groups
    of four) on as few lines as fit ``width``, each holding as many groups as the next
    (one more at most, first): "4430 … 2633" over "CF9D A354 E96E" read as a
    fingerprint of seven groups; five over five reads as the ten they are."""
    groups = text.split(sep)
    joint = " " if sep is None else sep
    for count in range(1, len(groups) + 1):
        per, more = divmod(len(groups), count)
        lines, at = [], 0
        for i in range(count):
            take = per + (1 if i < more else 0)
            lines.append(joint.join(groups[at:at + take]))
            at += take
        if all(string_width(tx.shape(line), font, size) <= width for line in lines):
            return "\n".join(lines)
    return text  # a group wider than the column: broken inside as any word


class GroupsFlow(TextFlow):
    """A TextFlow whose text breaks between its groups only, as evenly as it can
    (``even_groups``; ``sep``: what parts the groups, by default spaces)."""

    def __init__(self, text: str, style: Style = BODY, *, sep: str | None = None,
                 **kw) -> None:
        super().__init__(text, style, **kw)
        self.sep = sep

    def _part(self, lines: list, space_after: float) -> TextFlow:
        part = super()._part(lines, space_after)
        part.sep = self.sep  # (TextFlow's own attributes only are copied)
        return part

    def _layout(self, width: float) -> list:
        if self._lines is None or self._laid != width:
            whole = self.text
            self.text = even_groups(whole, self.style.font, self.style.size,
                                    width - self.indent, self.sep)
            try:
                return super()._layout(width)
            finally:
                self.text = whole
        return self._lines


class Heading(TextFlow):
    """A section heading: kept with what follows, a PDF bookmark and outline entry, and
    its page number noted for the table of contents."""

    def __init__(
        self,
        text: str,
        style: Style,
        *,
        rtl: bool,
        key: str,
        level: int,
        pages: dict[str, int],
        outline: bool = True,
        space_before: float = 4.0,
    ):
        super().__init__(text, style, rtl=rtl, base_dir="R" if rtl else None, space_after=3.0,
                         balance=True)
        self.key, self.level, self.pages, self.outline = key, level, pages, outline
        self.spaceBefore = space_before

    def draw(self) -> None:
        super().draw()
        if getattr(self, "_split_rest", False):
            return
        c = self.canv
        c.bookmarkPage(self.key)
        if self.outline:
            title = " ".join(tx.words(tx.clean(self.text)))
            c.addOutlineEntry(title, self.key, level=self.level, closed=self.level > 0)
        self.pages[self.key] = c.getPageNumber()


def heading(
    text: str,
    style: Style,
    *,
    rtl: bool,
    key: str,
    level: int,
    pages: dict[str, int],
    space_before: float = 4.0,
    room: float = 90.0,
) -> list:
    """A Heading preceded by a conditional page break, so it never ends a page alone.

    (keepWithNext would glue it to the whole next table and leave half pages blank.)
    """
    return [
        CondPageBreak(room),
        Heading(text, style, rtl=rtl, key=key, level=level, pages=pages, space_before=space_before),
    ]


#: How much of a page a heading with the first few rows of its table may ask for at
#: most (the first row it has whatever it takes, a tall one down to ROW_PART of a
#: page): a section that went to the next page for want of more left as much of this
#: one blank.
FEW_ROWS_SHARE = 1 / 3
#: A table row taller than this share of a page is tall: where it does not fit it
#: splits inside it (GridTable), if ROW_PART of a page is left for it, rather than
#: leave the rest of the page blank; and a heading over it asks for no more room
#: than that part (RoomFor).
TALL_ROW = 1 / 3
ROW_PART = 1 / 6


def _page_below_top(flowable: Flowable, ah: float) -> float | None:
    """The height of the frame ``flowable`` is being laid out in (``ah`` where it does
    not say), when something is above it on the page; None at a page's top, or outside
    a document: nothing to move it from."""
    frame = flowable._doctemplateAttr("frame")
    if frame is None or getattr(frame, "_atTop", 0):
        return None
    return frame._aH if hasattr(frame, "_aH") else ah


def _next_page(flowable: Flowable) -> None:
    """What follows ``flowable`` (zero-size, being laid out) starts the next page."""
    from reportlab.platypus.doctemplate import FrameBreak

    flowable._doctemplateAttr("frame").add_generated_content(FrameBreak)


class RoomFor(Flowable):
    """Zero-size: starts a new page unless what follows fits down to the first rows of
    its first table (a CondPageBreak whose height is measured, not guessed).

    A table whose first rows are tall (long narratives) would otherwise leave its
    heading alone at the foot of a page; keepWithNext would keep the heading with the
    whole table and leave half pages blank. A small table (``whole`` rows or fewer, at
    most a third of a page) is kept whole, so it never leaves a few rows orphaned.

    The first ``rows`` rows are wanted only as far as what they take with the heading
    above them stays within a third of a page (``FEW_ROWS_SHARE``); the first row
    always: three conflicts of five competing values each came to half a page, and
    "Open conflicts" went to the next page leaving half of this one blank.
    """

    def __init__(self, flowables: list, rows: int = 1, whole: int = 0, lead: int = 0) -> None:
        super().__init__()
        self.flowables, self.rows, self.whole = flowables, rows, whole
        #: how many of the first flowables (a part's heading over its first section's)
        #: are kept with the rest but left out of the third of a page a small table
        #: may take with its heading
        self.lead = lead

    def _needed(self, aw: float, frame_h: float) -> float:
        need = 0.0
        lead = 0.0
        for i, f in enumerate(self.flowables):
            if i == self.lead:
                lead = need
            if isinstance(f, RoomFor | CondPageBreak):  # zero-size: nothing to measure
                continue
            if isinstance(f, Table):
                return lead + self._table_top(f, aw, frame_h, need - lead)
            least = getattr(f, "least_height", None)  # a KeptLines: down to its first break
            if least is not None:
                return need + f.getSpaceBefore() + least(aw)
            need += f.getSpaceBefore() + f.wrap(aw, frame_h)[1] + f.getSpaceAfter()
        return need

    def _table_top(self, t: Table, aw: float, frame_h: float, above: float = 0.0) -> float:
        """What a page's foot needs for ``above`` (the heading and notes over the table)
        and the table's start: all of a small table (that takes a third of a page at
        most with its heading: a larger one left more than that blank), else its header
        rows and first row, and the rows after that up to ``rows`` that keep the whole
        within FEW_ROWS_SHARE of a page."""
        head = getattr(t, "repeatRows", 0) or 0
        if isinstance(head, (tuple, list)):
            head = len(head)
        n = len(t._cellvalues)
        heights = [self._row_height(t, r, frame_h) for r in range(min(n, max(self.whole, 0)))]
        if self.whole and n <= self.whole:
            # with what goes on under it (a note on it alone at the top of a page)
            whole = above + sum(heights) + sum(
                f.getSpaceBefore() + f.wrap(aw, frame_h)[1] for f in getattr(t, "tail", ()))
            if whole <= frame_h * FEW_ROWS_SHARE:
                return whole
        first = min(n, head + max(self.rows, 1))
        heights += [self._row_height(t, r, frame_h) for r in range(len(heights), first)]
        if n > head and heights[head] > frame_h * TALL_ROW:  # it splits (GridTable)
            return above + sum(heights[:head]) + min(heights[head], frame_h * ROW_PART + 1)
        need = above + sum(heights[:min(n, head + 1)])
        for h in heights[head + 1:first]:
            if need + h > frame_h * FEW_ROWS_SHARE:
                break
            need += h
        return need

    @staticmethod
    def _row_height(t: Table, r: int, frame_h: float) -> float:
        """A row's height as the table will make it (``Table._listCellGeom``): each
        cell's flowables with the space between them."""
        tallest = 0.0
        for c, value in enumerate(t._cellvalues[r]):
            w = max(float(t._colWidths[c]) - 6, 1)  # less the cell padding
            items = [f for f in (value if isinstance(value, (list, tuple)) else [value])
                     if isinstance(f, Flowable)]
            h = sum(f.wrap(w, frame_h)[1] + f.getSpaceBefore() + f.getSpaceAfter()
                    for f in items)
            if items:
                h -= items[0].getSpaceBefore() + items[-1].getSpaceAfter()
            tallest = max(tallest, h)
        return tallest + 5  # top and bottom padding

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        frame_h = _page_below_top(self, ah)
        if frame_h is None:
            return 0, 0
        need = self._needed(aw, frame_h)
        if need > frame_h:  # a first row taller than a page splits (GridTable) anyway:
            need = frame_h / 3  # a new page would only leave this one's foot blank
        if ah < need:
            _next_page(self)
        return 0, 0

    def draw(self) -> None:
        pass


class _Made:
    """What ``RepeatAtTop`` puts at the top of each page: a new flowable each time
    (one flowable is laid out in one place)."""

    def __init__(self, make: Callable[[], Flowable]) -> None:
        self.make = make

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Flowable]:
        return iter([self.make()])


class RepeatAtTop(Flowable):
    """Zero-size: each page after this one starts with what ``make`` makes (a heading
    "PA1.1 — … (continued)"), until a RepeatAtTop(None) ends it. A long narrative in
    an annex went on at the top of a page with nothing to say whose it was."""

    _ZEROSIZE = 1

    def __init__(self, make: Callable[[], Flowable] | None) -> None:
        super().__init__()
        self.make = make

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        # (ReportLab's SetTopFlowables, with a new flowable for each page)
        doc = getattr(getattr(self, "canv", None), "_doctemplate", None)
        if doc is not None:
            doc._topFlowables = _Made(self.make) if self.make is not None else []
        return 0, 0

    def draw(self) -> None:
        pass


class PartBreak(Flowable):
    """Zero-size: a part of a report (the review pack's detail, ``flowables``) starts a
    new page, unless starting it under what is on this one makes it end a page sooner:
    all of it fits in what is left (the last table of the section before, gone over to
    a page of its own, sat alone on it, 9 % of it used, before the part's page), or it
    takes a page and a bit (the French detail ended with one area on a page of its
    own). Where it would end on the same page either way, it starts a page: a page
    nearly empty before it would only move to its end.

    Where the part starts under what is on the page, the RoomFor of its first table
    keeps its heading with that table."""

    _ZEROSIZE = 1

    def __init__(self, flowables: list) -> None:
        super().__init__()
        self.flowables = flowables

    @staticmethod
    def _height(f: Flowable, aw: float, page: float) -> float:
        """What a flowable takes, a table whole (as RoomFor measures its rows)."""
        if getattr(f, "_ZEROSIZE", 0) or isinstance(f, RoomFor | CondPageBreak):
            return 0.0
        if isinstance(f, Table):
            return sum(RoomFor._row_height(f, r, page) for r in range(len(f._cellvalues)))
        return f.getSpaceBefore() + f.wrap(aw, page)[1] + f.getSpaceAfter()

    @classmethod
    def _blocks_of(cls, flowables: list, aw: float, page: float) -> list[tuple]:
        """(height, how, rows) of each thing ``flowables`` keep together, as
        ``_last_page`` takes them: a RoomFor and what it keeps "whole" when it keeps
        all of it on one page, a KeepSmall's "small", a KeepTogether "whole", the rest
        "flow"; ``rows``: of a table, the heights of what goes with its first row (the
        heading above it, its column headers) and of each row after it."""
        blocks: list[tuple] = []
        kept: set[int] = set()  # (what a RoomFor keeps follows it: keep())
        for f in flowables:
            if isinstance(f, RoomFor):
                height = sum(cls._height(g, aw, page) for g in f.flowables)
                how = ("small" if isinstance(f, KeepSmall)
                       else "whole" if f._needed(aw, page) >= height - 0.5 else "flow")
                blocks.append((height, how, cls._table_rows(f.flowables, aw, page)))
                kept.update(id(g) for g in f.flowables)
            elif isinstance(f, KeepTogether):  # (measured by what it holds)
                blocks.append((sum(cls._height(g, aw, page) for g in f._content), "whole",
                               ()))
            elif id(f) not in kept:
                blocks.append((cls._height(f, aw, page), "flow",
                               cls._table_rows([f], aw, page)))
        return blocks

    @classmethod
    def _table_rows(cls, flowables: list, aw: float, page: float) -> tuple[float, ...]:
        """The rows a table among ``flowables`` splits between (see ``_blocks_of``),
        each part after the first under its column headers again; () without one."""
        above = 0.0
        for f in flowables:
            if isinstance(f, Table):
                heights = [RoomFor._row_height(f, r, page) for r in range(len(f._cellvalues))]
                head = f.repeatRows if isinstance(f.repeatRows, int) else len(f.repeatRows)
                top = sum(heights[:head])
                if len(heights) <= head + 1:
                    return ()
                return (above + top + heights[head], *heights[head + 1:])
            above += cls._height(f, aw, page)
        return ()

    def _blocks(self, aw: float, page: float) -> list[tuple[float, bool]]:
        """(height, whole) of each thing the part keeps together (a RoomFor and what
        it keeps): ``whole``, when its RoomFor keeps all of it on one page."""
        blocks: list[tuple[float, bool]] = []
        kept: set[int] = set()  # (what a RoomFor keeps follows it: keep())
        for f in self.flowables:
            if isinstance(f, RoomFor):
                height = sum(self._height(g, aw, page) for g in f.flowables)
                blocks.append((height, f._needed(aw, page) >= height - 0.5))
                kept.update(id(g) for g in f.flowables)
            elif id(f) not in kept:
                blocks.append((self._height(f, aw, page), False))
        return blocks

    def _last_page(self, blocks: list[tuple[float, bool]], used: float, page: float) -> int:
        """On which page, counting this one as 0, the part ends when it starts with
        ``used`` of this page taken."""
        n, y = 0, used
        for height, whole in blocks:
            if y + height <= page:
                y += height
            elif whole and height <= page:
                n, y = n + 1, height
            else:  # it splits between its rows
                y += height
                while y > page:
                    n, y = n + 1, y - page
        return n

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        page = _page_below_top(self, ah)
        if page is None:
            return 0, 0
        blocks = self._blocks(aw, page)
        if self._last_page(blocks, page - ah, page) >= 1 + self._last_page(blocks, 0.0, page):
            _next_page(self)
        return 0, 0

    def draw(self) -> None:
        pass


class KeepSmall(RoomFor):
    """A RoomFor that keeps a small table (``SMALL_ROWS`` rows or fewer) whole, moving it
    to the next page, where that does not make what follows it (``rest``: the rest of
    an office's sheet, its tables, lines to sign and narratives) end on a later page;
    elsewhere it splits between its rows as a RoomFor lets it. A sheet's table of three
    actions split two and one across pages (a table of one action at the next page's
    top); kept whole at every page's foot it made the review pack of 57 offices some
    twelve pages longer, whereas most sheets' last page has room for what moves. Where
    a split between its rows leaves one row alone on either page, it moves whatever
    that costs in pages, if it leaves half of this page blank at most (ALONE_BLANK):
    one and two, the first action alone under its heading at the page's foot, read as
    a table of its own; two and one, the last action alone at the next page's top,
    apart from its area's heading and the other two."""

    def __init__(self, flowables: list,
                 shorter: Callable[[float], Table] | None = None) -> None:
        super().__init__(flowables)
        #: what follows in the same sheet (set once the sheet's story is made)
        self.rest: list = []
        #: the same table with its cells' excerpts shorter (of a scale: SHORTER), their
        #: full text printed elsewhere: kept whole on a page that has room for it so
        self.shorter = shorter

    def _table(self) -> Table | None:
        tables = [f for f in self.flowables if isinstance(f, Table)]
        return tables[0] if tables else None

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        frame_h = _page_below_top(self, ah)
        t = self._table()
        if frame_h is None or t is None:
            return 0, 0
        head = t.repeatRows if isinstance(t.repeatRows, int) else len(t.repeatRows)
        whole = sum(PartBreak._height(f, aw, frame_h) for f in self.flowables)
        if (len(t._cellvalues) - head > SMALL_ROWS or whole <= ah or whole > frame_h
                or self._needed(aw, frame_h) > ah  # (a RoomFor moves it anyway)
                # a tall row splits inside it where it does not fit (GridTable)
                or any(self._row_height(t, r, frame_h) > frame_h * TALL_ROW - 1
                       for r in range(head, len(t._cellvalues)))):
            return super().wrap(aw, ah)
        if self.shorter is not None:
            above = whole - PartBreak._height(t, aw, frame_h)
            for scale in SHORTER:
                short = self.shorter(scale)
                if above + PartBreak._height(short, aw, frame_h) <= ah:
                    # (the table that follows in the story prints it: the same object)
                    t.__dict__.clear()
                    t.__dict__.update(short.__dict__)
                    return 0, 0
        blocks = PartBreak._blocks_of(self.rest, aw, frame_h)
        used = frame_h - ah
        rows = PartBreak._table_rows(self.flowables, aw, frame_h)
        split, _ = _last_page([*_rows(rows), *blocks], used, frame_h)
        moved, fill = _last_page([(whole, "whole", ()), *blocks], used, frame_h)
        # (with a margin: what the estimate leaves out, the lines a page break moves
        # in narratives and a heading said again, adds up over a sheet)
        # and no more than a third of this page left blank (a table of three actions
        # alone on each page, 40 % of it blank, read as a sheet half empty)
        # a row would stand alone on one side of the break: only the first fits here,
        # the other two going over to the next page (one and two), the action at the
        # page's foot read apart from its area's; or all but the last, which goes
        # over alone to the next page's top (two and one), under the column headers
        # said again but away from its area's heading and the other two. Moved whole,
        # at the cost of the blank under the table above (each of its rows is under a
        # third of a page, see above), up to half a page: for 57 offices, 38 one and
        # two splits of the A4 pack cost 20 pages (6 %), 52 of the Letter pack 18;
        # what keeps pages two thirds full (a third blank at most) removed none of
        # them. The two and one splits shorter excerpts did not keep whole, 11 of the
        # A4 pack and 8 of the Letter pack, cost 5 and 1 pages (under 2 %)
        fits = sum(1 for end in itertools.accumulate(rows) if end <= ah)
        alone = (0 < fits < len(rows) and 1 in (fits, len(rows) - fits)
                 and ah <= frame_h * ALONE_BLANK)
        if alone or (ah <= frame_h * FEW_ROWS_SHARE and (
                moved < split or (moved == split and fill <= frame_h * (1 - SMALL_MARGIN)))):
            _next_page(self)
        return 0, 0


#: the rows of a table KeepSmall keeps whole where it costs no page
SMALL_ROWS = 3
#: the most of a page KeepSmall leaves blank to keep a table's row from standing alone
#: on either side of a page break (its first at the page's foot, its last at the next
#: page's top)
ALONE_BLANK = 1 / 2
#: the share of a sheet's last page KeepSmall leaves for what its estimate misses
SMALL_MARGIN = 0.1
#: how much shorter (of their length) a small table's excerpts may be made to keep it
#: whole at a page's foot, tried in turn
SHORTER = (0.75, 0.5)


def _last_page(blocks: list[tuple], used: float, page: float) -> tuple[int, float]:
    """Where ``blocks`` end, when they start with ``used`` of a page taken: the page,
    counting the first as 0, and how much of it they fill. Each block (height, how,
    rows): "whole" (moves to the next page whole where it does not fit), "flow"
    (splits anywhere: text) or "small" (a KeepSmall's table: whole, or split between
    its ``rows``, whichever ends sooner, as it decides); a table that splits between
    its rows leaves the foot of the page under the last row that fits blank."""
    n, y = 0, used
    for i, (height, how, rows) in enumerate(blocks):
        if y + height <= page:
            y += height
        elif how == "small":
            rest = blocks[i + 1:]
            m, y = min(_last_page([(height, "whole", ()), *rest], y, page),
                       _last_page([*_rows(rows), *rest], y, page))
            return n + m, y
        elif how == "whole" and height <= page:
            n, y = n + 1, height
        elif rows:
            m, y = _last_page(_rows(rows), y, page)
            n += m
        else:
            y += height
            while y > page:
                n, y = n + 1, y - page
    return n, y


def _rows(rows: tuple[float, ...]) -> list[tuple]:
    """A table's blocks, split between its rows: the first (with what is above it,
    kept with it) and each other row whole."""
    return [(h, "whole", ()) for h in rows]


def keep(flowables: list, rows: int = 1, whole: int = 0, lead: int = 0) -> list:
    """The flowables (headings, notes, then a table) preceded by a RoomFor them."""
    return [RoomFor(flowables, rows=rows, whole=whole, lead=lead), *flowables]


class PercentBar(Flowable):
    """A percent as a small bar with its number; in right-to-left reports the bar grows
    from the right and the number stands on its left."""

    def __init__(
        self, percent: float | None, label: str, *, rtl: bool, colour: str = "#4a6785"
    ) -> None:
        super().__init__()
        self.percent, self.label, self.rtl, self.colour = percent, label, rtl, colour

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = aw, 10.0
        return aw, self.height

    def bar(self) -> tuple[float, float, float]:
        """Where the number and the bar go once wrapped: the number's width, the bar's
        left end and its width. The number's room is that of "100 %" or, for one with
        decimals ("99,6 %", a mean near 100: fieldplan.means.shown_percent), its own:
        it ran into the bar."""
        text_w = max(24.0, string_width(self.label, REGULAR, 7))
        bar_w = max(self.width - text_w - 3, 8)
        return text_w, (text_w + 3 if self.rtl else 0), bar_w

    def draw(self) -> None:
        c = self.canv
        text_w, bar_x, bar_w = self.bar()
        c.setFillColor(colors.black)
        draw_text(c, text_w if self.rtl else self.width, 2.2, self.label, REGULAR, 7, "right")
        c.setStrokeColor(colors.HexColor("#555555"))
        c.setLineWidth(0.5)
        c.setFillColor(colors.white)
        c.rect(bar_x, 1.5, bar_w, 6.5, stroke=1, fill=1)
        if self.percent:
            fill = bar_w * max(0.0, min(100.0, float(self.percent))) / 100
            c.setFillColor(colors.HexColor(self.colour))
            x = bar_x + bar_w - fill if self.rtl else bar_x
            c.rect(x, 1.5, fill, 6.5, stroke=0, fill=1)


@dataclass
class Footer:
    """What the footer of an office's pages shows: its digest and a QR code."""

    office: str
    digest: str
    payload: str
    modules: Any = None  # the QR code's module matrix, encoded once per office

    def draw_qr(self, canv, size: float) -> None:
        """The QR code as filled rectangles (one per run of dark modules in a row), with
        a quiet zone of two modules. Drawn straight on the canvas: a graphics Drawing
        of hundreds of shapes costs more than the rest of a page."""
        if self.modules is None:
            from reportlab.graphics.barcode import qrencoder

            qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
            qr.addData(self.payload)
            qr.make()
            self.modules = [[bool(m) for m in row] for row in qr.modules]
        n = len(self.modules)
        box = size / (n + 4)
        canv.setFillColor(colors.white)
        canv.rect(0, 0, size, size, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        path = canv.beginPath()
        for r, row in enumerate(self.modules):
            c = 0
            for dark, run in itertools.groupby(row):
                count = len(list(run))
                if dark:
                    path.rect((c + 2) * box, size - (r + 3) * box, count * box, box)
                c += count
        canv.drawPath(path, stroke=0, fill=1)


class SetFooter(Flowable):
    """Zero-size marker: from here on, pages carry this office's footer, and the
    running header names ``header`` (an annex sheet's office) instead of the
    report's own right-hand header text, when given."""

    def __init__(self, footer: Footer | None, header: str | None = None) -> None:
        super().__init__()
        self.footer, self.header = footer, header

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._fp_footer = self.footer
        self.canv._fp_header = self.header


#: The most bytes of text ReportLab's encoder puts in a QR code at error correction
#: level M, as Footer draws it (short of the 2,331 of the standard's largest code:
#: tests/core/test_report_qr_many_computers.py encodes it)
QR_MAX_BYTES = 2213


def qr_payload(office: str, period: str, digest: str, replicas: dict[str, int]) -> str:
    """The QR code's text: compact JSON, keys sorted.

    An office whose computers are more than a QR code holds (each laptop, and each
    database restored from a backup, is one: some fifty) has them by the first eight
    characters of their ids, as its bundles' names give them, and those that do not
    fit even so left out, counted in "more": its sheet, and the whole review pack,
    failed to print ("code length overflow")."""

    def text(listed: dict[str, int], more: int = 0) -> str:
        data = {
            "fieldplan": 1,
            "office": office,
            "period": period,
            "digest": digest,
            "replicas": listed,
            **({"more": more} if more else {}),
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    whole = text(replicas)
    if len(whole.encode("utf-8")) <= QR_MAX_BYTES:
        return whole
    short = {origin[:8]: seq for origin, seq in replicas.items()}
    listed = short if len(short) == len(replicas) else dict(replicas)  # (two alike)
    names = sorted(listed)
    for kept in range(len(names), -1, -1):
        payload = text({name: listed[name] for name in names[:kept]}, len(names) - kept)
        if len(payload.encode("utf-8")) <= QR_MAX_BYTES:
            break
    return payload


def office_replicas(rep, office: str) -> dict[str, int]:
    """Replica id → the last sequence number held of each replica that wrote the
    office's progress (an office may use several laptops), with none missing before it
    (``events.holdings``: what headquarters acknowledges): the highest one held said
    a laptop's events 1–15 were here while 6–10 were lost on the way.

    The office's reports are the ids from "OFFICE|" up to "OFFICE}" ("}" follows "|"),
    a range the index on (entity, entity_id, origin) finds and answers alone (schema
    0007); a ``substr`` of the id read every progress event of the database, for each
    office's sheet, and the index without origin looked each of the office's events up
    in the table."""
    from fieldplan.events import holdings

    origins = [origin for (origin,) in rep.conn.execute(
        "SELECT DISTINCT origin FROM events WHERE entity = 'progress' "
        "AND entity_id >= ? AND entity_id < ?",
        (office + "|", office + "}"),
    )]
    held = holdings(rep.conn, origins) if origins else {}
    return {origin: int(held.get(origin, 0)) for origin in sorted(origins)}


# --- tables --------------------------------------------------------------------------


def _mirror_cmd(cmd: tuple, n: int) -> tuple:
    name, (c0, r0), (c1, r1), *rest = cmd
    c0, c1 = (c0 if c0 >= 0 else n + c0), (c1 if c1 >= 0 else n + c1)
    return (name, (n - 1 - c1, r0), (n - 1 - c0, r1), *rest)


class GridTable(Table):
    """A Table whose row taller than a whole page splits inside the row instead of
    failing the build ("LayoutError: ... too large").

    Every list the reports print in a cell is bounded, but plan texts (an action with
    ninety indicators) and data nobody foresaw must not make a report unprintable. A
    row splits when no page would take it whole (the table stands at the top of a page
    already, or the row is taller than a page), and a tall row (over TALL_ROW of a
    page) where what is left of the page holds ROW_PART of a page of it: an action of
    a dozen indicators went to the next page whole and left half of this one blank.
    Otherwise the table splits between rows, or moves to the next page, as before.

    ``tail``: what the story prints right under the table (a note on it), which a
    RoomFor that keeps the table whole keeps with it; a table too big for that that
    fits at a page's foot without room for its tail under it leaves its last rows to
    go over with it (``wrap`` says it does not fit, ``split`` leaves the tail room).
    """

    tail: tuple[Flowable, ...] = ()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        w, h = super().wrap(availWidth, availHeight)
        if self._leaves_tail(availWidth, availHeight):
            # too tall with its tail: it splits (split), rather than leave the tail
            # to go over to the next page alone
            return w, h + self._tail_height(availWidth, availHeight)
        return w, h

    def _tail_height(self, aw: float, ah: float) -> float:
        return sum(f.getSpaceBefore() + f.wrap(aw, ah)[1] for f in self.tail)

    def _leaves_tail(self, aw: float, ah: float) -> bool:
        """Whether the table fits in ``ah`` (``wrap`` laid it out) but its tail does
        not fit under it, while the rows that fit over the tail's height leave a row
        at least on either side: the note under a table too big to keep whole (the
        events a restore lost) went over to the next page alone when the table ended
        at the foot of a page."""
        if not self.tail or self._height > ah:
            return False
        room = ah - self._tail_height(aw, ah)
        if self._height <= room:
            return False
        fits, used = 0, 0.0
        for h in self._rowHeights:
            if used + h > room:
                break
            fits, used = fits + 1, used + h
        return self._head() < fits < len(self._rowHeights)

    #: rows split off one row early (``_no_lone_last_row``): they go to the next page
    #: whole, not split again under column headers printed a second time at the foot
    #: of this one
    next_page: bool = False

    def split(self, availWidth: float, availHeight: float) -> list:
        if self.next_page and not getattr(getattr(self, "_frame", None), "_atTop", 1):
            return []
        if self.tail:
            self._calc(availWidth, availHeight)
        if self._leaves_tail(availWidth, availHeight):
            # its last rows go over with the tail
            availHeight -= self._tail_height(availWidth, availHeight)
        parts = self._split(availWidth, availHeight)
        if len(parts) > 1:  # (the tail prints under the last part)
            parts[-1].tail = self.tail
        return parts

    def _split(self, availWidth: float, availHeight: float) -> list:
        parts = super().split(availWidth, availHeight)
        if self.splitInRow:
            return parts
        if parts:
            # split between rows before a row no page takes whole: that row would
            # split on this page anyway, under the column headers printed again
            # halfway down it; split inside it here, under the rows above it
            row = len(parts[0]._cellvalues)
            if not (self._too_tall(row) or self._tall_here(row, availHeight)):
                return self._no_lone_last_row(parts, availWidth, availHeight)
        elif not (self._must_split_a_row() or self._tall_here(self._head(), availHeight)):
            return parts
        self.splitInRow = 1
        try:
            in_row = (self._splitRows(availHeight, doInRowSplit=True) if parts
                      else super().split(availWidth, availHeight))
        finally:
            self.splitInRow = 0
        for part in in_row:  # the rest moves on as any table
            if isinstance(part, Table):
                part.splitInRow = 0
        return in_row or parts

    def _split_points(self) -> list[int]:
        """Where the table may split between its rows past its column headers (each
        the first row after the split): not inside a span or a NOSPLIT range, which
        go over whole (headquarters' label with its row in the review pack)."""
        impossible: dict[int, None] = {}
        if self._spanCmds:
            self._getRowImpossible(impossible, self._rowSpanCells, self._spanRanges)
        if self._nosplitCmds:
            self._getRowImpossible(impossible, self._rowNoSplitCells, self._nosplitRanges)
        return [n for n in range(self._head() + 1, len(self._rowHeights))
                if n not in impossible]

    def _no_lone_last_row(self, parts: list, aw: float, avail: float) -> list:
        """``parts`` (split between rows), or split one row earlier where they leave
        the last row alone to go over to the next page (under the column headers
        printed again): headquarters' row of the French offices × areas went over
        alone, on a page of its own. The row before it goes over with it where that
        takes little of this page (FEW_ROWS_SHARE), and two rows at least stay here."""
        if len(parts) != 2:
            return parts
        points = self._split_points()
        row = len(parts[0]._cellvalues)
        if len(points) < 3 or row != points[-1]:
            return parts
        before = points[-2]
        frame = getattr(self, "_frame", None)
        page = (frame._height - frame._topPadding - frame._bottomPadding
                if frame is not None else avail)
        if sum(self._rowHeights[before:row]) > page * FEW_ROWS_SHARE:
            return parts
        earlier = Table.split(self, aw, sum(self._rowHeights[:before]) + 0.01)
        if len(earlier) != 2:
            return parts
        earlier[1].next_page = True
        return earlier

    def _must_split_a_row(self) -> bool:
        """Whether no page will take this table's next row whole: it stands at the top
        of a page already, or the row is taller than a page (split at once, rather than
        leave the space above it, its heading with it, blank)."""
        frame = getattr(self, "_frame", None)
        if getattr(self, "_postponed", 0) or getattr(frame, "_atTop", 0):
            return True
        return self._too_tall()

    def _head(self) -> int:
        """How many rows of column headers the table has (printed again on each page)."""
        return self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)

    def _tall_here(self, row: int, avail: float) -> bool:
        """Whether ``row``, the first that does not fit in ``avail``, splits inside it
        here rather than go to the next page: a tall row (see the class), with at least
        ROW_PART of a page left for it under the rows above."""
        frame = getattr(self, "_frame", None)
        if frame is None or row >= len(self._rowHeights):
            return False
        page = frame._height - frame._topPadding - frame._bottomPadding
        left = avail - sum(self._rowHeights[:row])
        # (a point short of TALL_ROW: the RoomFor above measured the row as tall, and
        # kept its heading with ROW_PART of it only)
        return self._rowHeights[row] > page * TALL_ROW - 1 and left >= page * ROW_PART

    def _too_tall(self, row: int | None = None) -> bool:
        """Whether a row (``row``, or any) is taller than a page takes under the
        column headers."""
        frame = getattr(self, "_frame", None)
        if frame is None:
            return False
        head = self._head()
        page = frame._height - frame._topPadding - frame._bottomPadding
        room = page - sum(self._rowHeights[:head])
        rows = self._rowHeights[head:] if row is None else self._rowHeights[row:row + 1]
        return any(h > room for h in rows)

    def _splitCell(self, value, style, oldHeight: float, newHeight: float, width: float):
        """A cell's flowables in the part that fits ``newHeight`` and the rest.

        ReportLab's own version splits a flowable at the column's full width, while
        wrap gives it the width less the padding: a TextFlow laid out at another width
        lays out its whole text again, and both parts would print all of it."""
        if not isinstance(value, (list, tuple)):
            return super()._splitCell(value, style, oldHeight, newHeight, width)
        inner = width - style.leftPadding - style.rightPadding
        room = newHeight - style.topPadding
        first: list = []
        rest: list = []
        used = 0.0
        for i, f in enumerate(value):
            if rest:
                rest.append(f)
                continue
            group = _kept_group(value, i)
            if len(group) > 1 and first:
                # a label and what it labels (an indicator's title and its figures)
                # go over together: "Indicator 8" at a page's foot, its "7 of 5
                # people" at the top of the next, read as two indicators
                need = sum(g.wrap(inner, room)[1] + g.getSpaceBefore() + g.getSpaceAfter()
                           for g in group) - group[-1].getSpaceAfter()
                if used + need > room:
                    rest.append(f)
                    continue
            h = f.wrap(inner, room)[1] + f.getSpaceBefore()
            if used + h <= room:
                first.append(f)
                used += h + f.getSpaceAfter()
                continue
            pieces = f.split(inner, room - used - f.getSpaceBefore())
            if pieces:  # a TextFlow whose lines fit without its space after: one piece
                first.append(pieces[0])
                rest.extend(pieces[1:])
                used = room
            elif not first:
                return []  # nothing of the cell fits: the row cannot split here
            else:
                rest.append(f)
        if not rest:  # (an action's code) said again where its row goes on
            rest = [f.continued for f in value if getattr(f, "continued", None)][:1]
        return tuple(first), tuple(rest)


def _kept_group(value, i: int) -> list:
    """The flowables of a cell from ``value[i]`` that are kept together: each with
    keepWithNext set and the one after it (just ``[value[i]]`` when it has none)."""
    j = i
    while j + 1 < len(value) and getattr(value[j], "keepWithNext", 0):
        j += 1
    return list(value[i:j + 1])


def table(
    ctx: Ctx,
    rows: list[list],
    widths: list[float],
    *,
    header_rows: int = 1,
    extra: list[tuple] = (),
) -> Table:
    """A grid table, columns mirrored in a right-to-left report."""
    style = [
        # cells hold flowables, but a cell's own default font (Helvetica) would still be
        # set on the canvas and listed in the PDF as an unembedded font
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    style.extend(extra)
    n = len(widths)
    # each cell a list of flowables: a row split inside (GridTable) splits lists only
    rows = [[c if isinstance(c, (list, tuple)) else [c] for c in r] for r in rows]
    if ctx.rtl:
        rows = [list(reversed(r)) for r in rows]
        widths = list(reversed(widths))
        style = [_mirror_cmd(cmd, n) for cmd in style]
    return GridTable(
        rows,
        colWidths=widths,
        repeatRows=header_rows,
        style=style,
        hAlign="RIGHT" if ctx.rtl else "LEFT",
    )


def cell(ctx: Ctx, text: str, style: Style = SMALL, **kw) -> TextFlow:
    return TextFlow(text, style, rtl=ctx.rtl, **kw)


def continued(first: TextFlow, rest: TextFlow) -> TextFlow:
    """``first``, a cell that prints ``rest`` ("PA1.1 (continued)") in each part of
    its row that a page break carries over to the next page (a row taller than a
    page, see GridTable), instead of leaving it blank there."""
    first.continued = rest
    rest.continued = rest  # and on the page after, if the row goes on further
    return first


def status_text(ctx: Ctx, status: str | None) -> str:
    from fieldplan.i18n import STATUS_SYMBOLS, status_label

    _ = ctx.gettext
    if status is None:
        return "– " + _("No report")
    return f"{STATUS_SYMBOLS[status]} {status_label(status, ctx.lang)}"


# --- pages and build -----------------------------------------------------------------


@dataclass
class BuildState:
    """Per-pass state: page numbers of headings (pass 1 gives them to pass 2) and the
    total page count."""

    pages: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    total: int | None = None
    final: bool = False


def _furniture(ctx: Ctx, state: BuildState, left: str, right: str, canv, doc) -> None:
    """Header, "page x of y", the office footer and the note on characters that could
    not be printed; only on the final pass."""
    try:
        if state.final:
            _draw_furniture(ctx, state, left, right, canv)
    finally:
        canv._fp_replaced = False  # set again by the next page's text (fonts.draw_text)


HEADER_SIZE = 7.0
#: The least space between the running header's two texts.
HEADER_GAP = 6 * mm


def header_texts(ctx: Ctx, left: str, right: str) -> tuple[str, str]:
    """The running header's texts in visual order, each shortened with "…" to leave
    the other room: the plan's title (``left``; on the right in an Arabic report)
    would run over the report's name and period (``right``) when a plan has a long
    title. The period side comes first: it keeps up to two thirds of the line whole,
    the title has what is left."""
    from fieldplan.reports.fonts import string_width

    right = tx.fit_line(right, ctx.width * 2 / 3, HEADER_SIZE, ctx.dir)
    room = ctx.width - string_width(right, REGULAR, HEADER_SIZE) - HEADER_GAP
    return tx.fit_line(left, room, HEADER_SIZE, ctx.dir), right


def _draw_furniture(ctx: Ctx, state: BuildState, left: str, right: str, canv) -> None:
    _ = ctx.gettext
    w, h = ctx.pagesize
    x0, x1 = MARGIN_X, w - MARGIN_X
    canv.saveState()
    canv.setFillColor(colors.HexColor(MUTED))
    top = h - MARGIN_TOP + 6 * mm
    right = getattr(canv, "_fp_header", None) or right
    left, right = header_texts(ctx, left, right)
    a, b = (right, left) if ctx.rtl else (left, right)
    draw_text(canv, x0, top, a, REGULAR, HEADER_SIZE)
    draw_text(canv, x1, top, b, REGULAR, HEADER_SIZE, "right")
    canv.setStrokeColor(GRID)
    canv.setLineWidth(0.4)
    canv.line(x0, top - 2.5, x1, top - 2.5)
    canv.line(x0, MARGIN_BOTTOM - 3 * mm, x1, MARGIN_BOTTOM - 3 * mm)
    page = _("Page {page} of {pages}").format(page=canv.getPageNumber(), pages=state.total or "…")
    canv.setFillColor(colors.black)
    draw_text(canv, w / 2, 9 * mm, tx.one_line(page, ctx.dir), REGULAR, 7.5, "center")
    qy = QR_BOTTOM
    if getattr(canv, "_fp_replaced", False):
        _unprintable_note(ctx, canv, qy + QR_SIZE - 25)
    footer: Footer | None = getattr(canv, "_fp_footer", None)
    if footer is not None:
        name = "fpqr" + footer.office.replace("-", "")
        forms = canv.__dict__.setdefault("_fp_forms", set())
        if name not in forms:
            canv.beginForm(name)
            footer.draw_qr(canv, QR_SIZE)
            canv.endForm()
            forms.add(name)
        qx = x0 if ctx.rtl else x1 - QR_SIZE
        canv.saveState()
        canv.translate(qx, qy)
        canv.doForm(name)
        canv.restoreState()
        canv.setFillColor(colors.HexColor(MUTED))
        label = tx.one_line(
            _("Data digest of {office} (also in the QR code):").format(office=footer.office),
            ctx.dir,
        )
        x, align = (x1, "right") if ctx.rtl else (x0, "left")
        draw_text(canv, x, qy + QR_SIZE - 7, label, REGULAR, 6.2, align)
        draw_text(canv, x, qy + QR_SIZE - 15, footer.digest, REGULAR, 6.2, align)
    canv.restoreState()


def _unprintable_note(ctx: Ctx, canv, y: float) -> None:
    """At the foot of a page that printed U+FFFD for characters no report font has
    (an emoji, ₼): one note, below the digest, beside the QR code."""
    from fieldplan.reports.fonts import REPLACEMENT

    note = ctx.gettext(
        "Some characters could not be printed with the report's fonts and show as "
        "{mark}; a data export has the text in full."
    ).format(mark=REPLACEMENT)
    size = 6.2
    width = ctx.width - QR_SIZE - 4 * mm
    canv.saveState()
    canv.setFillColor(colors.HexColor(MUTED))
    x, align = (ctx.pagesize[0] - MARGIN_X, "right") if ctx.rtl else (MARGIN_X, "left")
    for i, (line, _d) in enumerate(tx.layout(note, REGULAR, size, width, ctx.dir)[:2]):
        draw_text(canv, x, y - i * 7.6, line, REGULAR, size, align)
    canv.restoreState()


def render(
    ctx: Ctx,
    out: str | os.PathLike[str],
    make_story: Callable[[BuildState], list],
    *,
    title: str,
    left: str,
    right: str,
    progress: Progress | None = None,
    step: tuple[int, int] = (0, 1),
) -> Path:
    """Lay out the story twice (the first pass finds page numbers and the page count,
    the second prints them) and write the PDF atomically. A name that promises another
    kind of file (``sheet.csv``, ``office.sqlite3``) is refused before any work."""
    from fieldplan.files import check_output_name

    check_output_name("pdf", out)
    token = _LAYOUTS.set({})
    try:
        return _render(
            ctx, out, make_story, title=title, left=left, right=right, progress=progress, step=step
        )
    finally:
        _LAYOUTS.reset(token)


def _render(ctx: Ctx, out, make_story, *, title, left, right, progress, step) -> Path:
    out = Path(out)
    state = BuildState()
    data = b""
    for attempt in range(3):
        final = attempt > 0
        state = BuildState(previous=state.pages, total=state.total, final=final)
        buf = io.BytesIO()
        doc = BaseDocTemplate(
            buf,
            pagesize=ctx.pagesize,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            author="fieldplan",
            creator="fieldplan",
            subject=title,
            lang=ctx.lang,
            invariant=0,
            pageCompression=1,
            # the canvas's own initial font would otherwise be Helvetica, listed as an
            # unembedded font in every file although it draws nothing
            initialFontName=REGULAR,
        )
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            ctx.width,
            ctx.pagesize[1] - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

        def furniture(canv, doc, _state=state):
            _furniture(ctx, _state, left, right, canv, doc)

        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=furniture)])
        if progress:
            progress(_pass_step(step, attempt, 0.0), step[1], ctx.gettext("Laying out pages"))
        story = make_story(state)
        if progress:
            # each page said as it is done (a pass of a big pack takes seconds): the
            # share of the story laid out so far, within the pass's steps
            doc.setProgressCallBack(_LayoutProgress(ctx, progress, step, attempt, state.total))
        doc.build(story)
        pages = doc.page
        if final and pages == state.total and state.pages == state.previous:
            data = buf.getvalue()
            break
        state.total = pages
        data = buf.getvalue() if final else b""
    from fieldplan.files import write_atomic

    return write_atomic(out, data)


def _pass_step(step: tuple[int, int], attempt: int, share: float) -> int:
    """The step of layout pass ``attempt`` having laid out ``share`` (0–1) of the
    story, within ``step`` (first, total): see PASS_ENDS."""
    first, total = step
    start = PASS_ENDS[attempt - 1] if attempt else 0.0
    end = PASS_ENDS[min(attempt, len(PASS_ENDS) - 1)]
    return first + int((total - first) * (start + (end - start) * min(share, 1.0)))


class _LayoutProgress:
    """ReportLab's progress callback for one layout pass (``doc.setProgressCallBack``):
    it counts the flowables laid out and, at each page's end, reports the pass's share
    of the story done, and the page ("Laying out page 12 of 236"). Raising from
    ``progress`` (the user cancelled) stops the build there."""

    def __init__(self, ctx: Ctx, progress: Progress, step: tuple[int, int], attempt: int,
                 pages: int | None) -> None:
        self.ctx, self.progress, self.step, self.attempt = ctx, progress, step, attempt
        #: the page count of the pass before, if any
        self.pages = pages
        self.size = 0
        self.done = 0

    def __call__(self, kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            self.size = value
        elif kind == "PROGRESS":
            self.done = value
        elif kind == "PAGE":
            _ = self.ctx.gettext
            label = (_("Laying out page {page} of {pages}").format(page=value, pages=self.pages)
                     if self.pages else _("Laying out page {page}").format(page=value))
            share = self.done / self.size if self.size else 0.0
            self.progress(_pass_step(self.step, self.attempt, share), self.step[1], label)
