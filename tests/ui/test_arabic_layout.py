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
