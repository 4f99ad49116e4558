"""The report editor's indicators grid at the window's narrowest (800 pixels), on a
1366×768 laptop at 150 % (911), and wider: the name column takes the room the Target
and Actual columns do not need (ui.indicator_grid). In Arabic at 800 pixels a long
name wrapped almost one word a line beside a Target column as wide as its heading
over a "3"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from tests.ui.conftest import wait_idle

#: the window's narrowest, a 1366×768 laptop at 150 %, and two wider screens
WIDTHS = (800, 911, 1024, 1366)


def show_action(window, qtbot, code: str, width: int, height: int = 560):
    """The editor of the window, showing ``code`` at ``width`` pixels."""
    window.office_view.select_action(code)
    wait_idle(qtbot, window.session)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: bool(editor.indicator_edits), timeout=5000)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width)
    QApplication.processEvents()
    return editor


def cell(grid, row: int, col: int):
    return grid.itemAtPosition(row, col).widget()


def test_the_name_takes_the_room_the_other_columns_do_not_need(open_window, office_db, qtbot,
                                                               in_language):
    """PA1.1's first indicator (the plan's longest name, in French) beside a target of
    "3": at every width the name column has at least half of the grid (in Arabic at
    800 pixels it had 114 of 384), and the Target and Actual columns are no wider than
    what is in them; the columns right to left in Arabic."""
    window = open_window(office_db)
    for width in WIDTHS:
        editor = show_action(window, qtbot, "PA1.1", width)
        grid = editor.indicator_grid
        name, target, edit = (cell(grid, 1, col) for col in range(3))
        heading = cell(grid, 0, 1)
        assert name.width() >= grid.contentsRect().width() / 2, (width, name.width())
        # the Target column as wide as its heading's longest word ("المستهدفة") or its
        # targets, whichever is wider, where the heading wraps over a short target; or
        # as its heading whole, where the name keeps half of the grid all the same
        widest = max(heading.minimumSizeHint().width(), target.sizeHint().width())
        whole = QLabel.sizeHint(heading).width()  # (on one line)
        assert grid.cellRect(1, 1).width() <= max(widest, whole), width
        assert edit.width() == edit.maximumWidth()  # (a number's: below)
        if in_language == "ar":
            assert name.x() > target.x() > edit.x()
        else:
            assert name.x() < target.x() < edit.x()


@pytest.mark.parametrize("points", [10, 14])
def test_the_target_heading_is_whole_where_there_is_room(open_window, office_db, qtbot,
                                                         in_language, font_size, points):
    """The Arabic Target heading ("القيمة المستهدفة") was held to its targets' width
    (a "6") at every width, and wrapped even at 1366 pixels with the whole pane beside
    it. Where the name column keeps half of the grid beside it whole, it is whole, on
    one line (at 800 pixels it still wraps: the name has the room)."""
    font_size(points)
    window = open_window(office_db)
    for width in (1366, 1024) if points == 10 else (1366,):
        editor = show_action(window, qtbot, "PA1.1", width)
        grid = editor.indicator_grid
        heading, name = cell(grid, 0, 1), cell(grid, 1, 0)
        assert heading.width() >= QLabel.sizeHint(heading).width(), (width, heading.width())
        lines = heading.height() // heading.fontMetrics().lineSpacing()
        assert lines == 1, (width, heading.height())
        assert name.width() >= grid.contentsRect().width() / 2
        import os

        if os.environ.get("FIELDPLAN_SHOTS"):
            editor.indicator_box.grab().save(os.path.join(
                os.environ["FIELDPLAN_SHOTS"], f"indicators-{in_language}-{width}-{points}pt.png"))


def test_labels_wrap_at_words_and_the_actual_field_keeps_a_numbers_width(
        open_window, office_db, qtbot, in_language, font_size):
    """At 14 points at the window's narrowest, with a target of its own and one for
    the end of the plan (PA1.2): no label of the grid narrower than its longest word,
    and the Actual fields at least as wide as "1 234 567" needs (the grid squeezed
    them to four digits, 47 pixels in French), and no wider than "12 345 678,25"
    (they were 17 characters wide wherever there was room)."""
    from fieldplan.numbers import format_number

    font_size(14)
    window = open_window(office_db)
    editor = show_action(window, qtbot, "PA1.2", 800)
    grid = editor.indicator_grid
    for i in range(grid.count()):
        widget = grid.itemAt(i).widget()
        if hasattr(widget, "wordWrap") and widget.isVisible():
            assert widget.wordWrap()
            assert widget.width() >= widget.minimumSizeHint().width(), widget.text()
    short = format_number(1_234_567, exact=True)
    long = format_number(12_345_678.25, exact=True)
    for edit in editor.indicator_edits.values():
        assert edit.contentsRect().width() > edit.fontMetrics().horizontalAdvance(short)
        assert edit.maximumWidth() < edit.fontMetrics().horizontalAdvance(long) * 1.5


def _ink_columns(widget) -> list[int]:
    """The x (in the widget's parent) of each column of ``widget`` with a letter's ink."""
    image = widget.grab().toImage()
    return [widget.x() + x for x in range(image.width())
            if any(image.pixelColor(x, y).lightness() < 160 for y in range(image.height()))]


@pytest.mark.parametrize("points", [10, 14])
def test_the_target_and_actual_headings_keep_a_clear_gap(open_window, office_db, qtbot,
                                                         in_language, font_size, points):
    """In Arabic at 800 pixels and 14 points, both headings wrapped, "المستهدفة" and
    "الفعلية" were 4 pixels apart, and read as one phrase ("القيمة المستهدفة الفعلية").
    At every width the headings' words are two spaces apart at the least."""
    font_size(points)
    window = open_window(office_db)
    for width in WIDTHS:
        editor = show_action(window, qtbot, "PA1.1", width)
        grid = editor.indicator_grid
        target, actual = cell(grid, 0, 1), cell(grid, 0, 2)
        if in_language == "ar" and width == 800 and points == 14:
            # (the case: both on two lines)
            line = target.fontMetrics().height()
            assert target.height() > 1.5 * line and actual.height() > 1.5 * line
        target_ink, actual_ink = _ink_columns(target), _ink_columns(actual)
        if in_language == "ar":
            gap = min(target_ink) - max(actual_ink)
        else:
            gap = min(actual_ink) - max(target_ink)
        assert gap >= 2 * target.fontMetrics().horizontalAdvance(" "), (width, gap)
