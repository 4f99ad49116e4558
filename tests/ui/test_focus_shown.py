"""Which list has the keyboard is seen: the chosen rows of the list, table or tree with
the focus in the selection's colour, every other's muted (ui.focus_shown). Found by QA
(a keyboard walk): the Inbox's gaps and its bundles, the plan and a report's field,
looked the same whichever had the focus, and Tab gave no sign of where it had gone."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle, wait_painted
from ui.qtcompat import Qt

HIGHLIGHT = QPalette.ColorRole.Highlight


def _row_colour(view, rect) -> str:
    """The colour painted at the top of ``rect`` (a row's), away from its text."""
    view.viewport().repaint()
    image = view.viewport().grab().toImage()
    return image.pixelColor(rect.center().x(), rect.top() + 2).name()


def _like(colour: str, other: str) -> bool:
    """Whether ``colour`` is ``other`` but for the style's shading of a selection."""
    from PySide6.QtGui import QColor

    a, b = QColor(colour), QColor(other)
    return sum(abs(x - y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True)) < 40


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_plan_shows_whether_it_has_the_keyboard(open_window, qtbot, office_db, lang,
                                                    language):
    language(lang)
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    wait_painted(qtbot, window)
    plan = window.office_view.tree.tree
    editor = window.office_view.editor
    assert QApplication.focusWidget() is plan
    qtbot.keyClick(plan, Qt.Key.Key_Down)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: editor.action is not None and editor.status.isEnabled())
    rect = plan.visualItemRect(plan.currentItem())
    selection = QApplication.palette().color(QPalette.ColorGroup.Active, HIGHLIGHT).name()
    assert _like(_row_colour(plan, rect), selection)
    qtbot.keyClick(plan, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.status
    # still chosen (seen), no longer the keyboard's: not in the selection's colour,
    # nor in the plan's background
    muted = _row_colour(plan, rect)
    background = plan.palette().color(QPalette.ColorRole.Base).name()
    assert not _like(muted, selection) and not _like(muted, background)
    qtbot.keyClick(editor.status, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is plan
    assert _like(_row_colour(plan, rect), selection)


def test_of_two_lists_the_one_with_the_keyboard_is_seen(qtbot):
    """Two lists with a chosen row each, made after the window: Tab from one to the
    other moves the selection's colour with it, and a cell being edited keeps its
    table's."""
    from PySide6.QtWidgets import QListWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

    from ui.focus_shown import show_focused_view

    show_focused_view(QApplication.instance())
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    first, second = QListWidget(), QTableWidget(2, 1)
    first.addItems(["one", "two"])
    for row in range(2):
        second.setItem(row, 0, QTableWidgetItem(f"cell {row}"))
    for view in (first, second):
        layout.addWidget(view)
    box.show()
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow)
    first.setFocus()
    first.setCurrentRow(0)
    second.setCurrentCell(0, 0)
    selection = QApplication.palette().color(QPalette.ColorGroup.Active, HIGHLIGHT).name()

    def colours() -> tuple[str, str]:
        return (_row_colour(first, first.visualItemRect(first.item(0))),
                _row_colour(second, second.visualItemRect(second.item(0, 0))))

    assert _like(colours()[0], selection) and not _like(colours()[1], selection)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is second
    assert not _like(colours()[0], selection) and _like(colours()[1], selection)
    qtbot.keyClick(second, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not second)
    assert second.isAncestorOf(QApplication.focusWidget())
    assert second.palette().color(QPalette.ColorGroup.Active, HIGHLIGHT).name() == selection


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_tab_with_the_keyboard_is_framed(open_window, qtbot, office_db, lang, language):
    """Tab from the toolbar's Period list to the pages' tabs: Qt showed the focus by a
    tint hardly told from white. The tab with the keyboard is framed in the selection's
    colour, the frame follows the arrows, and goes with the focus."""
    from ui.main_window import FOCUS_FRAME

    language(lang)
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    wait_painted(qtbot, window)
    bar = window.tabs.tabBar()
    selection = bar.palette().color(QPalette.ColorRole.Highlight).name()

    def framed() -> bool:
        rect = bar.tabRect(bar.currentIndex())
        bar.repaint()
        image = bar.grab().toImage()
        return image.pixelColor(rect.center().x(), rect.top() + FOCUS_FRAME).name() \
            == selection

    window.period_combo.setFocus()
    assert not framed()
    qtbot.keyClick(window.period_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is bar
    assert framed()
    # the next page's tab: the arrow towards the end of the line, mirrored in Arabic
    qtbot.keyClick(bar, Qt.Key.Key_Right if lang == "en" else Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: bar.currentIndex() == 1)
    wait_idle(qtbot, window.session)
    assert QApplication.focusWidget() is bar
    assert framed()
    qtbot.keyClick(bar, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not bar
    assert not framed()


def test_a_lines_completions_are_never_muted(qtbot) -> None:
    """A line's completions (the name field of Qt's file dialog) are a list that never
    takes the focus: muted as every list without it, the completion the arrows chose
    was hardly seen. They show the selection's colour while the line has the focus."""
    from PySide6.QtWidgets import QCompleter, QLineEdit

    from ui.focus_shown import show_focused_view

    app = QApplication.instance()
    show_focused_view(app)
    line = QLineEdit()
    qtbot.addWidget(line)
    line.setCompleter(QCompleter(["alpha", "alpine", "beta"]))
    line.show()
    qtbot.waitExposed(line)
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    popup = line.completer().popup()
    selection = app.palette().color(QPalette.ColorGroup.Active, HIGHLIGHT)
    assert popup.palette().color(QPalette.ColorGroup.Active, HIGHLIGHT) == selection


def test_a_theme_changed_while_running_keeps_the_focus_seen(qtbot):
    """A desktop's dark mode switched on while fieldplan runs gives the application a
    new palette, which dropped the lists' muted one (every chosen row then looked the
    keyboard's) and left the lists painted one by one in the old theme's colours."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QListWidget, QVBoxLayout, QWidget

    from ui.focus_shown import MUTED_SHARE, show_focused_view

    app = QApplication.instance()
    show_focused_view(app)
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    first, second = QListWidget(), QListWidget()
    for view in (first, second):
        view.addItems(["one", "two"])
        view.setCurrentRow(0)
        layout.addWidget(view)
    box.show()
    qtbot.waitExposed(box)
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    second.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is second)
    light = QPalette(app.palette())
    dark = QPalette(QColor("#303030"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#101010"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#2080f0"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    group = QPalette.ColorGroup.Active
    try:
        app.setPalette(dark)
        for theme in (dark, light):
            if theme is light:
                app.setPalette(light)
            highlight = theme.color(group, HIGHLIGHT)
            base = theme.color(group, QPalette.ColorRole.Base)
            faded = QColor(*(round(h * MUTED_SHARE + b * (1 - MUTED_SHARE)) for h, b in zip(
                highlight.getRgb()[:3], base.getRgb()[:3], strict=True)))
            # the list without the keyboard: the new theme's background, its chosen row
            # muted in the new theme's colours; the one with it in the new selection's
            assert first.palette().color(group, QPalette.ColorRole.Base) == base
            assert first.palette().color(group, HIGHLIGHT) == faded
            assert first.palette().color(group, QPalette.ColorRole.HighlightedText) == \
                theme.color(group, QPalette.ColorRole.Text)
            assert second.palette().color(group, HIGHLIGHT) == highlight
            # and the focus moved after the change still moves the colours
            first.setFocus()
            qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
            assert first.palette().color(group, HIGHLIGHT) == highlight
            assert second.palette().color(group, HIGHLIGHT) == faded
            second.setFocus()
            qtbot.waitUntil(lambda: QApplication.focusWidget() is second)
    finally:
        app.setPalette(light)
