"""In Arabic the whole main window is laid out right to left (menus, tabs, forms,
tables), and goes back to left to right in the other languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

from ui.app import apply_language

RTL, LTR = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight


@pytest.fixture
def language():
    app = QApplication.instance()
    yield lambda lang: apply_language(app, lang)
    apply_language(app, "en")


@pytest.mark.parametrize(("lang", "direction"), [("ar", RTL), ("fr", LTR), ("en", LTR)])
def test_main_window_direction_follows_the_language(
    lang, direction, language, open_window, office_db, qtbot
):
    language(lang)
    window = open_window(office_db)
    assert window.layoutDirection() == direction
    for widget in (
        window.menuBar(),
        window.tabs,
        window.statusBar(),
        window.office_view,
        window.office_view.editor,
        window.office_view.tree,
        *window.findChildren(QToolBar),
    ):
        assert widget.layoutDirection() == direction, widget
    if lang == "ar":
        # the tabs start at the right: the first tab is right of the second
        bar = window.tabs.tabBar()
        assert bar.tabRect(0).center().x() > bar.tabRect(1).center().x()


@pytest.mark.parametrize("points", [10, 14])
def test_an_arabic_indicators_name_is_never_cut_at_its_labels_edge(language, qtbot, points):
    """Qt breaks a wrapped label's lines by the letters' advances; the last letter of
    "الهجرة" is drawn past its advance, and was cut off at the label's edge in the
    report editor with the window at its narrowest (784 pixels, the label 98 wide).
    And Qt aligns a wrapped Arabic line with the space after its last word: a line
    nearly as wide as the label began past the text's edge, where QLabel cut it off
    (at 14 points the last letter of "الحكوميين", the label its longest word's width
    at 800 pixels; at many other widths at 10 points too). Each line's ink is in the
    label whole, at every width from its narrowest on."""
    from PySide6.QtGui import QColor, QFont, QImage, QPainter
    from PySide6.QtWidgets import QStyle

    from ui.app import load_fonts
    from ui.indicator_grid import GridLabel
    from ui.report_editor import _room_past_line_ends

    font = QFont(load_fonts())  # the client's font (ui.app.apply_font)
    font.setPointSize(points)
    language("ar")
    text = "عدد الموظفين الحكوميين المدرَّبين على جمع بيانات الهجرة وتحليلها (أشخاص)"
    label = GridLabel(text)
    label.setFont(font)
    qtbot.addWidget(label)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("background: white; color: black")
    _room_past_line_ends(label)

    def ink(image) -> int:
        return sum(1 for x in range(image.width()) for y in range(image.height())
                   if image.pixelColor(x, y).lightness() < 160)

    least = label.minimumSizeHint().width()
    for width in range(least, least + 40):
        label.resize(width, label.heightForWidth(width))
        shown = label.grab().toImage()
        # the same lines drawn with room all around them: all of their ink
        free = QImage(width + 100, label.height(), QImage.Format.Format_RGB32)
        free.fill(QColor("white"))
        painter = QPainter(free)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        room = label.contentsRect().translated(50, 0)
        flags = QStyle.visualAlignment(Qt.LayoutDirection.RightToLeft, label.alignment())
        painter.drawText(room, int(flags) | int(Qt.TextFlag.TextWordWrap)
                         | int(Qt.TextFlag.TextDontClip), text)
        painter.end()
        assert ink(shown) == ink(free), width
        # nothing in the label's leftmost column: a letter running on past its edge
        assert all(shown.pixelColor(0, y).lightness() >= 160 for y in range(shown.height()))
