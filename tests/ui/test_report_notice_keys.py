"""The report form's notice and the buttons beside it, without a mouse and by ear (a
keyboard and screen-reader pass over the form's wrapping notice row): the notice is
reached with Tab and read, then Reopen and Discard unsaved text…, before the fields,
in English and in Arabic."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.test_read_by_keyboard import read_by_keyboard
from tests.ui.test_report_form_fit import submitted_with_text_kept_unsaved
from ui.qtcompat import Qt

pytest.importorskip("fieldplan.sync")


#: the languages each test given ``in_language`` runs in (tests/ui/conftest.py)
LANGUAGES = ("en", "ar")


def tab_stops(window, qtbot, start, count: int) -> list:
    """The next ``count`` widgets Tab gives the focus to from ``start``."""
    window.activateWindow()
    qtbot.waitActive(window)
    start.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    stops = []
    for _ in range(count):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        stops.append(QApplication.focusWidget())
    return stops


def test_the_notice_then_reopen_then_discard_then_the_fields(
        open_window, qtbot, hq, make_office, tmp_path, in_language):
    """A report submitted with text kept unsaved in it. Discard unsaved text… was no
    stop of the form's: Tab reached it after the last narrative and the window's
    toolbar, far from the notice it goes with; and the notice, which says why the
    fields take no keys, was out of reach of Tab."""
    window, editor = submitted_with_text_kept_unsaved(open_window, qtbot, hq, make_office,
                                                      tmp_path)
    stops = tab_stops(window, qtbot, window.office_view.tree.tree, 4)
    assert stops == [editor.notice, editor.reopen_button, editor.discard_button,
                     editor.status_read_only]
    assert read_by_keyboard(editor.notice) and editor.notice.text().count("\n") == 1
    for button in (editor.reopen_button, editor.discard_button):
        assert button.text().replace("&", "").strip()  # (named by their words)
    if in_language == "ar":  # Reopen, then Discard leftwards, from the notice's side
        assert editor.reopen_button.x() > editor.discard_button.x()
        assert editor.notice.geometry().right() >= editor.reopen_button.geometry().right()


def test_without_a_notice_tab_goes_from_the_plan_to_the_status(open_window, qtbot,
                                                                hq_db):
    """No empty stop: a draft's notice is hidden, and Tab goes by it."""
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    assert not editor.notice.isVisible()
    stops = tab_stops(window, qtbot, window.office_view.tree.tree, 1)
    assert stops == [editor.status]
