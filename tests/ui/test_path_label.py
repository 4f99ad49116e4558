"""Paths shown in the client: wrapped after their folders rather than widening their
dialog, each Arabic folder in its place (the file dialog's Look in box and list, the
labels under a file written), and copied as written, without the marks that lay
them out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QClipboard, QGuiApplication, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QDialog, QVBoxLayout

from tests.ui.conftest import path_shown_whole, wait_idle
from ui.screen import FRAME_ROOM

#: the window's width at most on a 1366-pixel-wide screen at 200 %
LAPTOP_AT_200 = 1366 // 2 - FRAME_ROOM[0]
#: two Arabic folders in a row ("reports", "folder 2")
ARABIC_FOLDERS = ("تقارير", "مجلد 2")


#: the languages each test given ``in_language`` runs in (tests/ui/conftest.py)
LANGUAGES = ("en", "ar")


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


def test_two_arabic_folders_in_a_row_read_in_their_order(qtbot, in_language):
    """The slash between two Arabic folders was taken into their run: "/tmp/تقارير/مجلد 2"
    showed "مجلد 2" first. Each folder is isolated, in a path label and in a sentence."""
    from fieldplan.i18n import _
    from ui.bidi import isolated

    path = "/tmp/" + "/".join(ARABIC_FOLDERS)
    dialog, label = in_a_dialog(path)
    qtbot.addWidget(dialog)
    direction = label.layoutDirection()
    assert direction == (Qt.LayoutDirection.RightToLeft if in_language == "ar"
                         else Qt.LayoutDirection.LeftToRight)
    assert reads_in_order(label.text(), direction, label.font())
    said = _("Saved as {file}.").format(file=isolated(path))
    assert reads_in_order(said, direction, label.font())
    # a name with no folder is left as it was
    assert isolated("تقارير.pdf") == ("\u2066تقارير.pdf\u2069" if in_language == "ar"
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


@pytest.mark.parametrize("path", [
    "/tmp/" + "/".join(ARABIC_FOLDERS) + "/fiche.pdf",
    "C:\\Users\\amina\\Documents\\rapports-du-bureau\\fiche.pdf",
])
def test_a_path_is_copied_as_written(qtbot, in_language, path):
    """The marks that lay a path out (isolates, a right-to-left mark, spaces of no
    width where a backslash path may break) are for the eye: a path copied into a
    terminal or another program's file dialog carried them, and named no file."""
    dialog, label = in_a_dialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    # it may break after each folder, after a backslash too
    assert label.minimumSizeHint().width() < label.fontMetrics().horizontalAdvance(path) / 2
    clipboard = QGuiApplication.clipboard()
    label.setFocus()
    qtbot.keyClick(label, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert label.hasSelectedText()
    clipboard.clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == path
    if clipboard.supportsSelection():
        assert clipboard.text(QClipboard.Mode.Selection) == path
    # a part of it: its own characters only
    shown = label.text()
    start = shown.index("amina" if "amina" in shown else ARABIC_FOLDERS[0])
    label.setSelection(start, len(shown) - start - 5)
    part = label.copied_text()
    assert part and part in path and part.startswith(("amina", ARABIC_FOLDERS[0]))
    # the label's menu copies the same way
    clipboard.clear()
    menu = label.context_menu()
    (copy,) = [a for a in menu.actions() if a.objectName() == "copy-path"]
    assert copy.isEnabled()
    copy.trigger()
    assert clipboard.text() == part
    menu.deleteLater()


@pytest.mark.parametrize("kind", ["table-export", "enrol"])
def test_a_long_path_no_longer_widens_its_dialog(open_window, qtbot, hq_db, tmp_path, qapp,
                                                 in_language, font_size, kind):
    """A path written never wrapped: a long one made the dialog (Export table, Enrol
    an office) as wide as the path, wider than a laptop's screen. It wraps after its
    slashes, all of it shown, inside the dialog."""
    font_size(14)
    deep = tmp_path.joinpath(*(["dossier-des-rapports-semestriels-du-bureau"] * 5
                               + list(ARABIC_FOLDERS)))
    deep.mkdir(parents=True)
    window = open_window(hq_db)
    if kind == "table-export":
        from tests.ui.test_table_export import open_dialog, save

        dialog = open_dialog(window, qtbot)
        save(dialog, qtbot, deep / "table.xlsx")
        qtbot.waitUntil(dialog.path_label.isVisible, timeout=10_000)
    else:
        window.enrol_action.trigger()
        dialog = window.findChild(QDialog, "enrol-dialog")
        dialog.choose("TD")
        dialog.folder.setText(str(deep))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    QApplication.processEvents()
    label = dialog.path_label
    path = str(deep / "table.xlsx") if kind == "table-export" else str(dialog.result_path)
    assert str(deep) in path
    whole = label.fontMetrics().horizontalAdvance(path)
    assert whole > 2 * LAPTOP_AT_200  # (what this test is about)
    assert dialog.minimumSizeHint().width() <= LAPTOP_AT_200
    assert dialog.width() <= max(LAPTOP_AT_200, 620)
    assert label.isVisible() and path_shown_whole(label)
    place = QRect(label.mapTo(dialog, QPoint(0, 0)), label.size())
    assert dialog.rect().contains(place)
    assert reads_in_order(label.text().replace(str(tmp_path), "/tmp"),
                          label.layoutDirection(), label.font())
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"long-path-{kind}-{in_language}-14pt.png"))
    dialog.close()
    wait_idle(qtbot, window.session)
