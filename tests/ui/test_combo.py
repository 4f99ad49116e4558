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
