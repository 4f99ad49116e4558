"""The plan tree's titles on up to ``MAX_LINES`` lines each, the last ending in "…"
when the title is longer still (its tooltip and the report's heading say it whole).

On one line, a 1024-pixel laptop showed "PA1.1* · Appuyer les politiq…" of each
action in French: a dozen actions that read alike. Broken at words into two lines,
most titles read whole, and the rest far enough to be told apart.

The lines of a title are worked out once for each width the column has (a change of
the window's or the divider's width), not at each paint."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize
from PySide6.QtGui import QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeView

#: the lines a title may take in the tree
MAX_LINES = 2
#: pixels added to a row of more than one line
ROW_GAP = 4
#: the titles' lines kept for the widths seen, at most (a drag of the divider makes
#: one width a pixel)
_CACHE_SIZE = 2_000


def title_lines(text: str, font, width: int, rtl: bool,
                max_lines: int = MAX_LINES) -> list[str]:
    """``text`` in ``font`` broken at words into lines ``width`` pixels wide at most (a
    word wider than that broken anywhere), at most ``max_lines`` of them, the last
    ended by "…" where more is left."""
    from PySide6.QtGui import QFontMetrics

    from ui.qtcompat import Qt

    metrics = QFontMetrics(font)
    if width <= 0 or metrics.horizontalAdvance(text) <= width:
        return [text]
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


class TitleDelegate(QStyledItemDelegate):
    """Paints a tree column's text on up to MAX_LINES lines, rows as high as their
    lines (the tree's rows must not be of one height)."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view
        self._lines: dict[tuple[str, int, bool, str], list[str]] = {}

    def lines(self, option: QStyleOptionViewItem, index: QModelIndex) -> list[str]:
        """The lines of ``index``'s text in the room ``option`` gives it."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        return self._lines_of(opt)

    def _text_rect(self, opt: QStyleOptionViewItem) -> QRect:
        """Where Qt writes an item's text: its text's room less the margins it keeps
        inside it (a title of one line and one of two begin at one edge)."""
        style = self._view.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, self._view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                   self._view) + 1
        return rect.adjusted(margin, 0, -margin, 0)

    def _lines_of(self, opt: QStyleOptionViewItem) -> list[str]:
        from ui.qtcompat import Qt

        rtl = opt.direction == Qt.LayoutDirection.RightToLeft
        width = self._text_rect(opt).width()
        if rtl:  # (an Arabic line's last letter is drawn past its advance)
            width -= opt.fontMetrics.horizontalAdvance(" ") + 2
        key = (opt.text, width, rtl, opt.font.key())
        found = self._lines.get(key)
        if found is None:
            if len(self._lines) > _CACHE_SIZE:
                self._lines.clear()
            found = self._lines[key] = title_lines(opt.text, opt.font, width, rtl)
        return found

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # (Qt's)
        hint = super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        # the room the column gives the text of a row at its depth, as painted
        view, depth, parent = self._view, 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        indent = view.indentation() * (depth + int(view.rootIsDecorated()))
        opt.rect = QRect(0, 0, max(0, view.columnWidth(index.column()) - indent),
                         hint.height())
        extra = len(self._lines_of(opt)) - 1
        if not extra:
            return hint
        # (and a little room between such rows: two titles of two lines each read as one)
        return QSize(hint.width(), hint.height() + extra * opt.fontMetrics.lineSpacing()
                     + ROW_GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:  # (Qt's name)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        lines = self._lines_of(opt)
        if len(lines) == 1 and lines[0] == opt.text:
            super().paint(painter, option, index)
            return
        from PySide6.QtGui import QPalette

        from ui.qtcompat import Qt

        style = self._view.style()
        text_rect = self._text_rect(opt)
        opt.text = ""  # its background, selection and focus, as Qt paints them
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, self._view)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        group = (QPalette.ColorGroup.Disabled
                 if not opt.state & QStyle.StateFlag.State_Enabled
                 else QPalette.ColorGroup.Active
                 if opt.state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        palette = opt.palette
        palette.setCurrentColorGroup(group)
        align = QStyle.visualAlignment(opt.direction, Qt.AlignmentFlag.AlignLeft)
        step = opt.fontMetrics.lineSpacing()
        top = text_rect.top() + max(0, (text_rect.height() - step * len(lines)) // 2)
        painter.save()
        painter.setFont(opt.font)
        painter.setLayoutDirection(opt.direction)
        for i, line in enumerate(lines):
            rect = QRect(text_rect.left(), top + i * step, text_rect.width(), step)
            style.drawItemText(painter, rect, int(align | Qt.AlignmentFlag.AlignVCenter),
                               palette, True, line, role)
        painter.restore()
