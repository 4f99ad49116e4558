"""Paths shown in the client: each Arabic folder in its place (the file dialog's Look
in box and list, the labels under a file written, sentences)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QDialog, QVBoxLayout

#: two Arabic folders in a row ("reports", "folder 2")
ARABIC_FOLDERS = ("تقارير", "مجلد 2")


@pytest.fixture(params=["en", "ar"])
def language(request, qapp):
    from ui.app import apply_language

    apply_language(qapp, request.param)
    yield request.param
    apply_language(qapp, "en")


@pytest.fixture
def arabic(qapp):
    from ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


def visual_middle(text: str, part: str, direction: Qt.LayoutDirection, font) -> float:
    """Where ``part`` of ``text`` is drawn, from the left (the middle of its letters),
    with ``text`` laid out on one line in ``direction`` as Qt lays a label out."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(direction)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    start = text.index(part)
    xs = [line.cursorToX(i)[0] for i in range(start, start + len(part) + 1)]
    return sum(xs) / len(xs)


def reads_in_order(text: str, direction: Qt.LayoutDirection, font) -> bool:
    """"/tmp/تقارير/مجلد 2" shown as an address reads: tmp, then the first Arabic
    folder, then the second, from left to right."""
    places = [visual_middle(text, part, direction, font) for part in ("tmp", *ARABIC_FOLDERS)]
    return places == sorted(places)


def in_a_dialog(path: str):
    from ui.dialogs import path_label, show_path

    dialog = QDialog()
    label = path_label("a-path")
    QVBoxLayout(dialog).addWidget(label)
    show_path(label, path)
    return dialog, label


def test_two_arabic_folders_in_a_row_read_in_their_order(qtbot, language):
    """The slash between two Arabic folders was taken into their run: "/tmp/تقارير/مجلد 2"
    showed "مجلد 2" first. Each folder is isolated, in a path label and in a sentence."""
    from fieldplan.i18n import _
    from ui.bidi import isolated

    path = "/tmp/" + "/".join(ARABIC_FOLDERS)
    dialog, label = in_a_dialog(path)
    qtbot.addWidget(dialog)
    direction = label.layoutDirection()
    assert direction == (Qt.LayoutDirection.RightToLeft if language == "ar"
                         else Qt.LayoutDirection.LeftToRight)
    assert reads_in_order(label.text(), direction, label.font())
    said = _("Saved as {file}.").format(file=isolated(path))
    assert reads_in_order(said, direction, label.font())
    # a name with no folder is left as it was
    assert isolated("تقارير.pdf") == ("\u2066تقارير.pdf\u2069" if language == "ar"
                                       else "تقارير.pdf")


def test_the_file_dialogs_folders_read_in_their_order(qtbot, tmp_path, arabic):
    """The Look in box and its list of folders (Qt's own file dialog) showed the two
    Arabic folders swapped."""
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

    from ui.dialogs import file_dialog

    folder = tmp_path.joinpath(*ARABIC_FOLDERS)
    folder.mkdir(parents=True)
    dialog = file_dialog(None, "x", str(folder))
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "lookInCombo")
    index = combo.model().index(combo.currentIndex(), 0)
    option = QStyleOptionViewItem()
    combo.itemDelegate().initStyleOption(option, index)
    assert str(tmp_path) in option.text.replace("\u2066", "")
    assert reads_in_order(option.text.replace(str(tmp_path), "/tmp"), option.direction,
                          combo.font())
