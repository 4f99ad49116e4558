"""The report's field a person is typing in stays in sight on a small screen
(1024×600 at 150 %: the window is 667×352 pixels of Qt): Qt's scroll area followed Tab
only as far as a text box's first line, and neither a label's key (Alt+X, "Next
steps") nor the caret: the box came up half shown or not at all, and what was typed
went on out of sight."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose
from tests.ui.test_window_fit import as_on_screen
from ui.screen import FRAME_ROOM

#: the window on a 1024×600 screen at 150 %, less its frame
SMALL = (1024 * 2 // 3 - FRAME_ROOM[0], 600 * 2 // 3 - FRAME_ROOM[1])


#: the languages each test given ``in_language`` runs in (tests/ui/conftest.py)
LANGUAGES = ("en", "ar")


def shown(editor, widget) -> tuple[int, int]:
    """How many of ``widget``'s rows of pixels the editor shows, of how many."""
    rect = QRect(widget.mapTo(editor.viewport(), QPoint(0, 0)), widget.size())
    return rect.intersected(editor.viewport().rect()).height(), rect.height()


def small_window(open_window, qtbot, db, code="PA2.1"):
    window = open_window(db)
    qtbot.waitUntil(lambda: window.painted, timeout=10_000)
    as_on_screen(qtbot, window, SMALL)
    wait_idle(qtbot, window.session)
    editor = choose(window, qtbot, code)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, editor


def test_a_text_box_reached_by_tab_is_whole_in_sight(open_window, qtbot, office_db,
                                                     in_language):
    _window, editor = small_window(open_window, qtbot, office_db)
    editor.status.setFocus()
    seen = []
    for _step in range(10):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        field = QApplication.focusWidget()
        if field not in editor.narratives.values():
            if seen:
                break
            continue
        seen.append(field)
        visible, height = shown(editor, field)
        assert visible == height, (field.accessibleName(), visible, height)
    assert seen == list(editor.narratives.values())


def test_a_text_box_reached_by_its_labels_key_is_whole_in_sight(open_window, qtbot,
                                                                office_db):
    window, editor = small_window(open_window, qtbot, office_db)
    editor.status.setFocus()
    editor.verticalScrollBar().setValue(0)
    box = editor.narratives["next_steps"]
    assert shown(editor, box)[0] == 0  # (below what the editor shows)
    qtbot.keyClick(window, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # Ne&xt steps
    assert box.hasFocus()
    visible, height = shown(editor, box)
    assert visible == height


def test_the_line_typed_is_in_sight(open_window, qtbot, office_db):
    """Scrolled away from the box being typed in (the wheel, to read the indicators),
    the next key brings its line back in sight, as a text editor does."""
    window, editor = small_window(open_window, qtbot, office_db)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visas")
    editor.verticalScrollBar().setValue(0)
    assert shown(editor, box)[0] == 0
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClicks(box, "delayed")
    caret = box.cursorRect()
    at = box.viewport().mapTo(editor.viewport(), caret.topLeft())
    assert editor.viewport().rect().contains(QRect(at, caret.size()))
    wait_idle(qtbot, window.session)
