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
