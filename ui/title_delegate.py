"""The plan tree's titles on up to ``MAX_LINES`` lines each, the last ending in "…"
when the title is longer still (its tooltip and the report's heading say it whole).

On one line, a 1024-pixel laptop showed "PA1.1* · Appuyer les politiq…" of each
action in French: a dozen actions that read alike. Broken at words into two lines,
most titles read whole, and the rest far enough to be told apart.

The lines of a title are worked out once for each width the column has (a change of
the window's or the divider's width), not at each paint, and what a row costs is asked
of Qt once, not at each row: the style's margins around an
item's text and the font's metrics once for each font, style and direction; Qt's own
size of an item once for each title; a title's lines once for each width, kept across
windows (the window made again for a language change, a change back, a second one
finds those of the titles shown before). Rows are measured twice as the window is
laid out (before and after the tree's scroll bar comes): a title whose whole width
fits is told so by its width alone, without being broken into lines."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeView

from ui.qtcompat import Qt

#: the lines a title may take in the tree
MAX_LINES = 2
#: pixels added to a row of more than one line
ROW_GAP = 4
#: the titles' lines kept for the widths seen, at most (a drag of the divider makes
#: one width a pixel)
_CACHE_SIZE = 2_000

#: (text, font's key, width, right to left) -> the lines of ``title_lines``, for every
#: window (a window made again for a new language, or the old one's, finds them)
_LINES: dict[tuple[str, str, int, bool], list[str]] = {}
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_HAS_ICON = QStyleOptionViewItem.ViewItemFeature.HasDecoration.value
#: POP DIRECTIONAL ISOLATE: ends the isolate a title's line is put in (``isolate_of``)
_PDI = "\u2069"

#: (style, font, right to left, item's features, its icon's room) -> ``_Metrics``
_METRICS: dict[tuple, _Metrics] = {}


def title_lines(text: str, font, width: int, rtl: bool,
                max_lines: int = MAX_LINES) -> list[str]:
    """``text`` in ``font`` broken at words into lines ``width`` pixels wide at most (a
    word wider than that broken anywhere), at most ``max_lines`` of them, the last
    ended by "…" where more is left."""
    metrics = QFontMetrics(font)
    if width <= 0 or metrics.horizontalAdvance(text) <= width:
        return [text]
    return _broken(text, font, metrics, width, rtl, max_lines)


def _broken(text: str, font, metrics: QFontMetrics, width: int, rtl: bool,
            max_lines: int) -> list[str]:
    """``title_lines`` of a text wider than ``width``."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl
                            else Qt.LayoutDirection.LeftToRight)
    layout.setTextOption(option)
    lines: list[str] = []
    end = 0
    layout.beginLayout()
    try:
        while len(lines) < max_lines - 1 and end < len(text):
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, end = line.textStart(), line.textStart() + line.textLength()
            lines.append(text[start:end].rstrip())
    finally:
        layout.endLayout()
    rest = text[end:].strip()
    if rest:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


class _Metrics:
    """What the rows of one font, style, direction and kind of item share: asked of
    the style and the font once, not at each row's size and paint."""

    __slots__ = ("advances", "align", "bottom", "font_key", "hints", "isolates", "left",
                 "metrics", "right", "rtl", "spacing", "squeeze", "top")

    def __init__(self, style: QStyle, view: QTreeView, opt: QStyleOptionViewItem,
                 font_key: str, rtl: bool) -> None:
        self.font_key, self.rtl = font_key, rtl
        self.metrics = QFontMetrics(opt.font)
        # where Qt writes an item's text: its rectangle less the room of its check box
        # and icon and the margins Qt keeps inside it (so that a title of one line and
        # one of two begin at one edge), as offsets from the item's rectangle
        probe = QStyleOptionViewItem(opt)
        probe.rect = QRect(0, 0, 1000, 100)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, probe, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        self.left, self.top = rect.left() + margin, rect.top()
        self.right, self.bottom = rect.right() - 999 - margin, rect.bottom() - 99
        #: the lines' width less than their room's (an Arabic line's last letter is
        #: drawn past its advance)
        self.squeeze = self.metrics.horizontalAdvance(" ") + 2 if rtl else 0
        self.spacing = self.metrics.lineSpacing()
        #: a title's width in pixels, by its text
        self.advances: dict[str, int] = {}
        #: Qt's size of a title's item on one line, by its text
        self.hints: dict[str, QSize] = {}
        #: the isolate a title's lines are drawn in, by its text ("" for none:
        #: ``isolate_of``)
        self.isolates: dict[str, str] = {}
        self.align = int(QStyle.visualAlignment(opt.direction, Qt.AlignmentFlag.AlignLeft)
                         | Qt.AlignmentFlag.AlignVCenter)

    def isolate_of(self, text: str) -> str:
        """The isolate that starts each line of ``text`` when its own direction, by
        most of its words (``ui.bidi.own_direction``), is not the layout's, else "".
        An English title in the Arabic window (a plan without Arabic titles) was laid
        out right to left: its full stop at its start (".systems (DTM)") and its second
        line's "…" before it ("…strategies across every"), where the words are cut at
        its other end."""
        found = self.isolates.get(text)
        if found is None:
            from ui.bidi import own_direction

            if len(self.isolates) > _CACHE_SIZE:
                self.isolates.clear()
            own = own_direction(text)
            rtl = own == Qt.LayoutDirection.RightToLeft
            found = self.isolates[text] = (
                "" if own is None or rtl == self.rtl else "\u2067" if rtl else "\u2066")
        return found

    def width(self, item_width: int) -> int:
        """The width of the lines of an item ``item_width`` pixels wide."""
        return item_width - self.left + self.right - self.squeeze

    def lines(self, text: str, font, width: int) -> list[str]:
        """``title_lines(text, font, width, rtl)``, asked of the font once a text and of
        a text's layout once a width, across windows."""
        advance = self.advances.get(text)
        if advance is None:
            if len(self.advances) > _CACHE_SIZE:
                self.advances.clear()
            advance = self.advances[text] = self.metrics.horizontalAdvance(text)
        if width <= 0 or advance <= width:
            return [text]
        key = (text, self.font_key, width, self.rtl)
        found = _LINES.get(key)
        if found is None:
            if len(_LINES) > _CACHE_SIZE:
                _LINES.clear()
            found = _LINES[key] = _broken(text, font, self.metrics, width, self.rtl,
                                          MAX_LINES)
        return found


class TitleDelegate(QStyledItemDelegate):
    """Paints a tree column's text on up to MAX_LINES lines, rows as high as their
    lines (the tree's rows must not be of one height)."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view

    def _metrics(self, opt: QStyleOptionViewItem) -> _Metrics:
        style, font, features = self._view.style(), opt.font, opt.features.value
        rtl = opt.direction == Qt.LayoutDirection.RightToLeft
        # (a font's hash and == are Qt's; an icon's room is the view's)
        icon = ((opt.decorationSize.width(), opt.decorationSize.height(),
                 opt.decorationPosition.value) if features & _HAS_ICON else None)
        key = (style, font, rtl, features, icon)
        found = _METRICS.get(key)
        if found is None:
            if len(_METRICS) > 100:
                _METRICS.clear()
            found = _Metrics(style, self._view, opt, font.key(), rtl)
            # (a font of its own: ``opt.font`` is the option's, gone with it)
            _METRICS[(style, QFont(font), rtl, features, icon)] = found
        return found

    def lines(self, option: QStyleOptionViewItem, index: QModelIndex) -> list[str]:
        """The lines of ``index``'s text in the room ``option`` gives it."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        m = self._metrics(opt)
        return m.lines(opt.text, opt.font, m.width(opt.rect.width()))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # (Qt's)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        m, text = self._metrics(opt), opt.text
        hint = m.hints.get(text)
        if hint is None:
            if len(m.hints) > _CACHE_SIZE:
                m.hints.clear()
            hint = m.hints[text] = super().sizeHint(option, index)
        # the room the column gives the text of a row at its depth, as painted
        view, depth, parent = self._view, 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        indent = view.indentation() * (depth + int(view.rootIsDecorated()))
        room = max(0, view.columnWidth(index.column()) - indent)
        extra = len(m.lines(text, opt.font, m.width(room))) - 1
        if not extra:
            return QSize(hint)
        # (and a little room between such rows: two titles of two lines each read as one)
        return QSize(hint.width(), hint.height() + extra * m.spacing + ROW_GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:  # (Qt's name)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        m = self._metrics(opt)
        text_rect = opt.rect.adjusted(m.left, m.top, m.right, m.bottom)
        lines = m.lines(opt.text, opt.font, text_rect.width() - m.squeeze)
        isolate = m.isolate_of(opt.text)
        style = self._view.style()
        if len(lines) == 1 and lines[0] == opt.text:
            if not isolate:
                super().paint(painter, option, index)
                return
            # (as Qt's own paint does, its text in its own direction, aligned as the
            # other titles are)
            opt.text = isolate + opt.text + _PDI
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, self._view)
            return
        if isolate:
            lines = [isolate + line + _PDI for line in lines]
        opt.text = ""  # its background, selection and focus, as Qt paints them
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, self._view)
        state = opt.state.value  # (bits: a Python enum's & costs as much as a line)
        role = (QPalette.ColorRole.HighlightedText if state & _SELECTED
                else QPalette.ColorRole.Text)
        group = (QPalette.ColorGroup.Disabled if not state & _ENABLED
                 else QPalette.ColorGroup.Active if state & _ACTIVE
                 else QPalette.ColorGroup.Inactive)
        palette = opt.palette
        palette.setCurrentColorGroup(group)
        step = m.spacing
        top = text_rect.top() + max(0, (text_rect.height() - step * len(lines)) // 2)
        painter.save()
        painter.setFont(opt.font)
        painter.setLayoutDirection(opt.direction)
        left, width = text_rect.left(), text_rect.width()
        for i, line in enumerate(lines):
            style.drawItemText(painter, QRect(left, top + i * step, width, step), m.align,
                               palette, True, line, role)
        painter.restore()
