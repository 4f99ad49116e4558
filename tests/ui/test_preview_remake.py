"""Make it again, in a preview whose data changed after it was made: one new report
however often it is pressed while that report is being made."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

pytest.importorskip("PySide6.QtPdf")

import fieldplan.reports
from fieldplan.errors import ValidationError
from tests.ui.conftest import wait_idle
from tests.ui.test_report_preview import choose, previews


def stale_preview(open_window, office_db, qtbot):
    from fieldplan.progress import record_progress
    from ui.ops import DbOp

    window = open_window(office_db)
    qtbot.mouseClick(choose(window, "sheet").ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    (preview,) = previews(window)
    period = preview.request.period
    DbOp(window.session, window, lambda rep: record_progress(
        rep, "PA1.1", period, status="at-risk", percent=30)).run()
    wait_idle(qtbot, window.session)
    assert preview.remake_button.isVisible() and preview.remake_button.isEnabled()
    return window, preview


def test_make_it_again_pressed_twice_makes_one_report(open_window, office_db, qtbot,
                                                      monkeypatch):
    """Pressed twice while the sheet was being made (a double click, Enter or Alt+M
    twice), it made the sheet twice and opened two new previews of it."""
    window, preview = stale_preview(open_window, office_db, qtbot)
    release, calls = threading.Event(), []
    real = fieldplan.reports.build_status_sheet

    def slow(*args, **kwargs):
        calls.append(1)
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", slow)
    preview.remake_button.setFocus()
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    assert not preview.remake_button.isEnabled()
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(preview, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    preview.make_again()
    release.set()
    wait_idle(qtbot, window.session, 30_000)
    qtbot.waitUntil(lambda: len([p for p in previews(window) if p.isVisible()]) == 1
                    and not shiboken6.isValid(preview), timeout=10_000)
    assert len(calls) == 1
    for p in previews(window):
        p.close()


def test_make_it_again_failed_may_be_pressed_again(open_window, office_db, qtbot,
                                                   monkeypatch):
    window, preview = stale_preview(open_window, office_db, qtbot)
    real = fieldplan.reports.build_status_sheet
    fail = [True]

    def once(*args, **kwargs):
        if fail.pop():
            raise ValidationError("no room today")
        return real(*args, **kwargs)

    fail.insert(0, False)
    monkeypatch.setattr(fieldplan.reports, "build_status_sheet", once)
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.session, 30_000)
    qtbot.waitUntil(lambda: preview.remake_button.isEnabled(), timeout=10_000)
    for box in window.findChildren(QDialog, "report-error"):
        box.close()
    assert preview.isVisible() and preview.stale_note.isVisible()
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(preview), timeout=20_000)
    wait_idle(qtbot, window.session)
    for p in previews(window):
        p.close()
