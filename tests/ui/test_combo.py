"""Filter combo boxes whose choice is wider than the box: cut with "…", said whole in
the tooltip (Qt cut it mid-word: "Tous les bureau")."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.dialogs import choice_combo

WHOLE = "Tous les bureaux de la région"


def test_a_choice_too_wide_for_its_box_ends_with_an_ellipsis(qtbot) -> None:
    combo = choice_combo("Filtrer par bureau", [(WHOLE, ""), ("Mali", "ML")], None)
    qtbot.addWidget(combo)
    combo.setMinimumContentsLength(4)
    combo.resize(90, combo.sizeHint().height())
    combo.show()
    combo.grab()  # painted
    assert combo._cut == WHOLE
    combo.setToolTip("its own tip")
    assert combo.toolTip() == WHOLE

    combo.resize(combo.fontMetrics().horizontalAdvance(WHOLE) + 80, combo.height())
    combo.grab()
    assert combo._cut == "" and combo.toolTip() == "its own tip"  # whole
    combo.setCurrentIndex(1)
    combo.resize(90, combo.height())
    combo.grab()
    assert combo._cut == ""  # "Mali" fits
    QApplication.processEvents()


def test_typing_a_letter_chooses_a_status_past_its_symbol(open_window, qtbot, hq_db):
    """Every status begins with its symbol ("● On track"): Qt matched what is typed
    with the whole text, so no letter chose one, in the report's Status nor in the
    filters. A keyboard user counted arrow presses (the Level filter beside took
    letters)."""
    from PySide6.QtCore import Qt

    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    interval = QApplication.keyboardInputInterval() + 20

    def typed(combo, keys: str) -> list[str]:
        seen = []
        for key in keys:
            qtbot.keyClick(combo, key)
            seen.append(combo.currentData())
            qtbot.wait(interval)  # each letter on its own, as people type
        return seen

    editor = choose(window, qtbot, "PA1.6")
    editor.status.setCurrentIndex(editor.status.findData("not-started"))
    assert typed(editor.status, "oocaN") == [
        "on-track", "off-track", "completed", "at-risk", "not-started"]
    qtbot.keyClicks(editor.status, "of")  # letters that follow add up
    assert editor.status.currentData() == "off-track"
    qtbot.wait(interval)
    # in its open list too
    editor.status.showPopup()
    qtbot.keyClick(editor.status.view(), "c")
    assert editor.status.view().currentIndex().data(Qt.ItemDataRole.UserRole) == "completed"
    editor.status.hidePopup()
    shown = window.office_view.tree.status
    assert typed(shown, "n") == ["none"]  # — No report yet
    # its list drawn as the Level filter's beside it (the style's delegate, not a plain
    # list's: rows 14 pixels high where the others were 22)
    level = window.office_view.tree.level
    assert shown.itemDelegate().metaObject().className() == \
        level.itemDelegate().metaObject().className()
    assert shown.view().sizeHintForRow(0) == level.view().sizeHintForRow(0)
    for combo in (window.hq_desk.reports.status, window.hq_desk.overview.status):
        assert typed(combo, "a")[-1] == "at-risk"


def test_a_status_with_an_accent_is_chosen_by_its_plain_letter(qtbot, qapp) -> None:
    """French "À risque" could not be chosen by "a", which went to "Achevé" only."""
    from PySide6.QtWidgets import QComboBox

    from ui.combo import find_by_words

    combo = QComboBox()
    qtbot.addWidget(combo)
    for text in ("○ Non commencé", "● Sur la bonne voie", "▲ À risque", "✓ Achevé"):
        combo.addItem(text)
    find_by_words(combo)
    combo.show()
    interval = QApplication.keyboardInputInterval() + 20
    seen = []
    for key in "aa":
        qtbot.keyClick(combo, key)
        seen.append(combo.currentText())
        qtbot.wait(interval)
    assert seen == ["▲ À risque", "✓ Achevé"]


def test_the_plans_filters_end_with_an_ellipsis_when_cut(open_window, qtbot, hq_db):
    """The office's Level and Show filters (plain combo boxes, on the first paint) were
    cut mid-word with nothing to show more was there: "Tous les statu" in French at
    14 pt beside the report. Once the window is painted they end with "…", whole in
    their tooltips, as headquarters' filters do."""
    from PySide6.QtCore import Qt

    window = open_window(hq_db)
    text_only = Qt.ToolButtonStyle.ToolButtonTextOnly  # (set as the window is painted)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == text_only, timeout=5000)
    tree = window.office_view.tree
    tree.status.setFixedWidth(90)
    tree.status.grab()
    assert tree.status.toolTip() == "All statuses"
    tree.level.grab()
    assert tree.level.toolTip() == ""  # "Global" fits
    tree.status.setFixedWidth(tree.status.fontMetrics().horizontalAdvance("All statuses")
                              + 80)
    tree.status.grab()
    assert tree.status.toolTip() == ""
