"""Dialogs whose text changes after an action (a file written, an error, a list
looked up) grow to show all of it, in English, French and Arabic at the window's
default font: the enrol dialog kept its first height and cut off its own
instructions once the setup bundle was written."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.ui.conftest import wait_idle

pytest.importorskip("fieldplan.sync")


def fits(dialog: QDialog) -> bool:
    """Every line of the dialog's content has room at its width: no label cut off."""
    lay = dialog.layout()
    return dialog.height() >= lay.totalHeightForWidth(dialog.width())


def shoot(dialog: QDialog, name: str) -> None:
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], name))


def open_enrol_dialog(open_window, qtbot, hq):
    """Headquarters' window and its Enrol an office… dialog, shown."""
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    window.enrol_action.trigger()
    dialog = window.findChild(QDialog, "enrol-dialog")
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return window, dialog


def test_the_enrol_dialog_shows_all_it_says_once_written(open_window, qtbot, hq, tmp_path,
                                                         in_language):
    window, dialog = open_enrol_dialog(open_window, qtbot, hq)
    assert fits(dialog)
    dialog.choose("TD")
    (tmp_path / "setup").mkdir()  # a folder chosen is never made
    dialog.folder.setText(str(tmp_path / "setup"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    assert "TD-setup.fieldplan" in dialog.path_label.text()
    if in_language == "en":  # for how long, for every computer of the office
        assert "\n\nEvery computer of TD can be set up from this file until " in \
            dialog.after_path.text()
    qtbot.waitUntil(lambda: fits(dialog), timeout=5000)
    for label in (dialog.message, dialog.after_path):
        assert label.height() >= label.heightForWidth(label.width())
    shoot(dialog, f"enrol-done-{in_language}.png")

    # an error in place of the message: the dialog stays as large, every line shown
    (tmp_path / "a-file").write_text("")
    dialog.folder.setText(str(tmp_path / "a-file" / "setup"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=10_000)
    qtbot.waitUntil(lambda: fits(dialog), timeout=5000)
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_enrol_dialog_has_no_blank_band_before_it_says_anything(
        open_window, qtbot, hq, in_language):
    """Its message line, empty until a bundle is written, stayed on screen: a band of a
    line's height between the folder and the buttons. It is hidden while it says
    nothing, shown with what it says."""
    window, dialog = open_enrol_dialog(open_window, qtbot, hq)
    wait_idle(qtbot, window.session)
    assert not dialog.message.isVisible()
    folder_bottom = dialog.folder.mapTo(dialog, dialog.folder.rect().bottomLeft()).y()
    buttons_top = dialog.ok.mapTo(dialog, dialog.ok.rect().topLeft()).y()
    assert buttons_top - folder_bottom < dialog.message.fontMetrics().height() + 12
    shoot(dialog, f"enrol-first-{in_language}.png")
    dialog.enrol()  # no office chosen: it says so
    assert dialog.message.isVisible() and dialog.message.text()
    qtbot.waitUntil(lambda: fits(dialog), timeout=5000)
    dialog.close()
    wait_idle(qtbot, window.session)


def ink_near_edges(label, band: int = 2) -> int:
    """How many dark pixels of ``label`` lie within ``band`` pixels inside its 1-pixel
    focus frame: letters touching the frame."""
    image = label.grab().toImage()
    w, h = image.width(), image.height()
    inside = [(x, y) for y in range(1, h - 1) for x in range(1, w - 1)
              if min(x - 1, y - 1, w - 2 - x, h - 2 - y) < band]
    return sum(1 for x, y in inside if image.pixelColor(x, y).lightness() < 128)


def test_the_enrol_result_has_room_inside_its_focus_frame(open_window, qtbot, hq, tmp_path,
                                                          qapp):
    """In Arabic at 600 pixels the last line of what was written touched the bottom of
    its box, the focus frame of a label reached with Tab (``reached_by_tab``), and the
    lines' ends its sides: the frame has a little padding inside it."""
    from ui.app import apply_language

    hq_path = hq.path
    hq.close()
    apply_language(qapp, "ar")
    try:
        window = open_window(hq_path)
        window.enrol_action.trigger()
        dialog = window.findChild(QDialog, "enrol-dialog")
        qtbot.waitUntil(dialog.isVisible, timeout=5000)
        dialog.choose("TD")
        (tmp_path / "setup").mkdir()
        dialog.folder.setText(str(tmp_path / "setup"))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
        qtbot.waitUntil(lambda: fits(dialog), timeout=5000)
        assert dialog.width() == 600 and dialog.message.hasFocus()
        label = dialog.message
        assert label.height() >= label.heightForWidth(label.width())
        assert ink_near_edges(label) == 0
        shoot(dialog, "enrol-done-ar-padded.png")
        dialog.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")


def test_the_export_dialog_shows_why_it_cannot_write_yet(open_window, qtbot, hq, in_language):
    """HQ with no office enrolled: the sentence that says what to do first, looked up
    after the dialog opened, was cut off below its first lines."""
    from ui.transfer import ExportDialog

    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    dialog = ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.recipient.count() == 0 and dialog.message.text() != ""
                    and not dialog.message.text().endswith("…"), timeout=5000)
    qtbot.waitUntil(lambda: fits(dialog), timeout=5000)
    shoot(dialog, f"export-no-office-{in_language}.png")
    dialog.close()
    wait_idle(qtbot, window.session)


#: a 1366×768 laptop at 150 % with a task bar: 911×485 pixels of Qt
LAPTOP_AT_150 = (0, 0, 911, 485)


@pytest.mark.parametrize("kind", ["confirm", "message"])
def test_a_text_taller_than_the_screen_scrolls_above_the_buttons(qtbot, monkeypatch,
                                                                 in_language, kind):
    """The lock's question with all its warnings (eight paragraphs, 474 pixels in
    French) on a laptop at 150 % with a task bar: the dialog was as high as the screen
    lets it be, and Qt squeezed the text into it, its last paragraph cut off with no
    scroll bar to reach it. The text scrolls; the buttons stay in sight under it."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QScreen
    from PySide6.QtWidgets import QApplication, QScrollArea

    from fieldplan.i18n import _
    from ui.dialogs import ConfirmDialog, MessageDialog
    from ui.screen import FRAME_ROOM

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(*LAPTOP_AT_150))
    text = "\n\n".join([_("Lock {period}? Offices can no longer change their reports for it "
                          "once they receive the lock.").format(period="2026-S2")] * 20)
    if kind == "confirm":
        dialog = ConfirmDialog(None, _("Period lock"), text, "", _("&Lock"), cautious=True)
        buttons = (dialog.ok_button, dialog.cancel_button)
    else:
        dialog = MessageDialog(None, _("Period lock"), text)
        buttons = tuple(dialog.buttons.buttons())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() <= LAPTOP_AT_150[3] - FRAME_ROOM[1]
    label = dialog.text
    scroll = label.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    QApplication.processEvents()
    qtbot.waitUntil(scroll.verticalScrollBar().isVisible)
    # every line of the text laid out (none cut off), in a scroll area that shows it
    assert label.height() >= label.heightForWidth(label.width())
    assert label.width() <= scroll.viewport().width()
    for button in buttons:
        place = QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        assert dialog.rect().contains(place), button.text()
    shoot(dialog, f"long-{kind}-{in_language}.png")
    dialog.close()


def test_a_short_text_does_not_scroll_and_leaves_no_blank_band(qtbot, in_language):
    from ui.dialogs import ConfirmDialog

    dialog = ConfirmDialog(None, "Lock", "Lock the period?", "", "&Lock")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.text
    scroll = label.parentWidget().parentWidget()
    assert not scroll.verticalScrollBar().isVisible()
    below = dialog.ok_button.mapTo(dialog, dialog.ok_button.rect().topLeft()).y() \
        - label.mapTo(dialog, label.rect().bottomLeft()).y()
    assert below < 40
