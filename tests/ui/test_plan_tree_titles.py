"""The plan tree's titles on two lines at most (ui.title_delegate): on one line a
1024-pixel laptop showed "PA1.1* · Appuyer les politiq…" of each action in French."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from tests.ui.conftest import wait_idle
from tests.ui.test_window_fit import as_on_screen
from ui.office_view import ACTION_ROLE


def shown_rows(tree):
    """Each action's row: its text, the lines painted of it, its rectangle."""
    delegate = tree.itemDelegateForColumn(0) or tree.itemDelegate()
    rows = []
    for i in range(tree.topLevelItemCount()):
        area = tree.topLevelItem(i)
        for j in range(area.childCount()):
            item = area.child(j)
            if item.data(0, ACTION_ROLE) is None:
                continue
            index = tree.indexFromItem(item, 0)
            option = QStyleOptionViewItem()
            tree.initViewItemOption(option)
            option.rect = tree.visualRect(index)
            lines = (delegate.lines(option, index) if hasattr(delegate, "lines")
                     else [option.fontMetrics.elidedText(
                         item.text(0), option.textElideMode, option.rect.width() - 6)])
            rows.append((item.text(0), lines, QRect(option.rect)))
    return rows


def test_at_1024_pixels_the_titles_read_on_two_lines(open_window, qtbot, office_db,
                                                     in_language, font_size, tmp_path):
    """Most titles read whole, the others up to the end of their second line; each
    line is whole words, and each row as high as its lines (in French, 3 of 12
    national actions read whole on one line)."""
    font_size(10)  # the client's (ui.app.apply_font)
    window = open_window(office_db)
    qtbot.waitUntil(lambda: window.painted, timeout=10_000)
    as_on_screen(qtbot, window, (1024, 600))
    wait_idle(qtbot, window.session)
    tree = window.office_view.tree.tree
    QApplication.processEvents()
    rows = shown_rows(tree)
    assert len(rows) >= 10
    spacing = tree.fontMetrics().lineSpacing()
    whole = 0
    for text, lines, rect in rows:
        assert 1 <= len(lines) <= 2
        shown = " ".join(lines)
        if shown == text:
            whole += 1
        else:  # cut at the end of its second line, never in a word of its first
            assert len(lines) == 2 and lines[1].endswith("…"), lines
            assert text.startswith(lines[0]) and text[len(lines[0])] == " ", lines
        assert rect.height() >= len(lines) * spacing, (text, rect)
    assert whole >= len(rows) * 2 // 3, [lines for _t, lines, _r in rows]
    window.office_view.grab().save(str(tmp_path / f"plan-tree-{in_language}.png"))


def test_a_wider_window_gives_its_titles_fewer_lines(open_window, qtbot, office_db):
    """The rows are measured again as the titles' column widens (Qt keeps a row's
    height until told): a title on one line is not left in a row of two."""
    window = open_window(office_db)
    qtbot.waitUntil(lambda: window.painted, timeout=10_000)
    as_on_screen(qtbot, window, (1024, 600))
    tree = window.office_view.tree.tree
    one = tree.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: any(len(lines) == 2 for _t, lines, _r in shown_rows(tree)))
    window.office_view.splitter.setSizes([1200, 200])
    window.setMinimumSize(0, 0)
    window.resize(1900, 600)
    qtbot.waitUntil(lambda: all(len(lines) == 1 and rect.height() < 2 * one
                                for _t, lines, rect in shown_rows(tree)))


def test_title_lines_break_at_words_and_end_with_an_ellipsis(qapp):
    from PySide6.QtGui import QFontMetrics

    from ui.title_delegate import title_lines

    font = qapp.font()
    width = QFontMetrics(font).horizontalAdvance
    title = "PA1.1* · Appuyer les politiques et stratégies nationales de migration"
    assert title_lines(title, font, width(title), rtl=False) == [title]
    lines = title_lines(title, font, width(title) // 2 + width("migration"), rtl=False)
    assert " ".join(lines) == title
    lines = title_lines(title, font, width(title) // 3, rtl=False)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert title.startswith(lines[0] + " ")
    assert all(width(line) <= width(title) // 3 for line in lines)


def test_a_title_is_broken_into_lines_once_across_windows(qapp, monkeypatch):
    """A title's lines are worked out once for a width, whichever window asks and how
    often: the window made again for each language change broke every title of the
    plan into lines again (each row is measured twice, before and after the tree's
    scroll bar comes), and one that fits whole is never broken."""
    from PySide6.QtGui import QTextLayout
    from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

    import ui.title_delegate as td

    broken = []

    class Layout(QTextLayout):
        def __init__(self, text, *args):
            broken.append(text)
            super().__init__(text, *args)

    monkeypatch.setattr(td, "QTextLayout", Layout)
    monkeypatch.setattr(td, "_LINES", {}, raising=False)
    long = "PA9.9* · " + " ".join(["Renforcer les systèmes nationaux"] * 4)
    short = "PA9.8* · Assurer"
    hints = []
    for _window in range(2):
        tree = QTreeWidget()
        tree.setColumnCount(1)
        tree.header().setStretchLastSection(False)
        tree.setUniformRowHeights(False)
        tree.addTopLevelItems([QTreeWidgetItem([long]), QTreeWidgetItem([short])])
        delegate = td.TitleDelegate(tree)
        tree.setItemDelegateForColumn(0, delegate)
        width = tree.fontMetrics().horizontalAdvance(long) // 2
        tree.setColumnWidth(0, width + tree.indentation() + 20)
        option = QStyleOptionViewItem()
        tree.initViewItemOption(option)
        for _layout in range(2):
            hints.append([delegate.sizeHint(option, tree.model().index(row, 0)).height()
                          for row in range(2)])
        tree.deleteLater()
    assert broken == [long]
    assert len(set(map(tuple, hints))) == 1
    one = QTreeWidget().fontMetrics().lineSpacing()
    assert hints[0][0] >= hints[0][1] + one  # (the long title on two lines)


def test_an_english_title_in_the_arabic_window_reads_left_to_right(qtbot) -> None:
    """A plan without Arabic titles shows its English ones in the Arabic window: they
    were laid out right to left, the full stop of a title on one line at its start
    (".systems (DTM)") and the "…" of a title cut on its second line before it
    ("…strategies across every"), its words cut at its other end. Each line is drawn
    in its title's own direction now, aligned as the Arabic titles are. Found by QA."""
    from itertools import pairwise

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextLayout, QTextOption
    from PySide6.QtWidgets import QProxyStyle, QStyle, QTreeWidget, QTreeWidgetItem

    import ui.title_delegate as td

    drawn: list[str] = []

    class Recording(QProxyStyle):
        """What the tree's titles are drawn as: each line, or the one line Qt draws."""

        def drawItemText(self, painter, rect, flags, palette, enabled, text, role):
            drawn.append(text)
            super().drawItemText(painter, rect, flags, palette, enabled, text, role)

        def drawControl(self, element, option, painter, widget=None):
            if element == QStyle.ControlElement.CE_ItemViewItem and option.text:
                drawn.append(option.text)
            super().drawControl(element, option, painter, widget)

    def visual_x(line: str, char: str) -> float:
        """Where the last ``char`` of ``line`` is drawn, in an Arabic (right-to-left)
        line."""
        layout = QTextLayout(line, QApplication.font())
        option = QTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        layout.setTextOption(option)
        layout.beginLayout()
        text_line = layout.createLine()
        text_line.setLineWidth(10_000)
        layout.endLayout()
        return text_line.cursorToX(line.rindex(char))[0]

    long = ("PA1.1 · Support national migration policies and strategies across every "
            "member state, with regional and national partners")
    short = "PA1.2 · Strengthen data systems (DTM)."
    arabic = "PA2.1 · تعزيز التوظيف العادل والأخلاقي"
    for rtl in (True, False):
        drawn.clear()
        tree = QTreeWidget()
        qtbot.addWidget(tree)
        tree.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl
                                else Qt.LayoutDirection.LeftToRight)
        tree.setStyle(Recording())
        tree.setColumnCount(1)
        tree.setUniformRowHeights(False)
        tree.addTopLevelItems([QTreeWidgetItem([t]) for t in (long, short, arabic)])
        tree.setItemDelegateForColumn(0, td.TitleDelegate(tree))
        tree.resize(tree.fontMetrics().horizontalAdvance(short) + 80, 300)
        tree.show()
        qtbot.waitExposed(tree)
        tree.viewport().grab()  # (painted)
        first, second = next((a, b) for a, b in pairwise(drawn)
                             if a.strip("\u2066\u2067\u2069").startswith("PA1.1"))
        assert second.rstrip("\u2069").endswith("…")
        whole = next(t for t in drawn if "(DTM)" in t)
        # an Arabic title in its own direction in either window: as it was in Arabic
        assert next(t for t in drawn if "تعزيز" in t) == (
            arabic if rtl else "\u2067" + arabic + "\u2069")
        if rtl:
            # the English words read left to right: their first letter on the left of
            # the cut's "…", of the full stop
            assert visual_x(second, "…") > visual_x(second, "g")  # (of "strategies")
            assert visual_x(whole, ".") > visual_x(whole, "S")
            assert visual_x(first, "d") > visual_x(first, "S")
        else:  # (as they were)
            assert (first, whole) == (first.strip("\u2066"), short)
