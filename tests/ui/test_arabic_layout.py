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


def test_an_arabic_indicators_name_is_never_cut_at_its_labels_edge(language, qtbot):
    """Qt breaks a wrapped label's lines by the letters' advances; the last letter of
    "الهجرة" is drawn past its advance, and was cut off at the label's edge in the
    report editor with the window at its narrowest (784 pixels, the label 98 wide).
    The editor leaves room past the lines' ends: each line's ink fits in the label."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QLabel

    from ui.app import load_fonts
    from ui.report_editor import _room_past_line_ends

    font = QFont(load_fonts())  # the client's font (ui.app.apply_font), at its size
    font.setPointSize(10)
    language("ar")
    text = "عدد الموظفين الحكوميين المدرَّبين على جمع بيانات الهجرة وتحليلها (أشخاص)"
    inked = []
    for room in (False, True):
        label = QLabel(text)
        label.setFont(font)
        qtbot.addWidget(label)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("background: white; color: black")
        if room:
            _room_past_line_ends(label)
        label.resize(98, label.heightForWidth(98))
        image = label.grab().toImage()
        # ink in the label's leftmost column: a letter running on past its edge
        inked.append(sum(1 for y in range(image.height())
                         if image.pixelColor(0, y).lightness() < 160))
    assert inked[0] > 0  # (the case: a line drawn past the label's edge)
    assert inked[1] == 0
