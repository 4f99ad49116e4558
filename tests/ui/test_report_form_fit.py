"""The report form at the window's narrowest (800 pixels): its notice and the buttons
that go with it wrap under it rather than squeezing it beside them, and the form does
not scroll sideways."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.test_drafts_for_good import PERIOD, office, open_report, restart, type_bad_percent
from ui.app import apply_language

pytest.importorskip("fieldplan.sync")


@pytest.fixture(params=["en", "fr", "ar"])
def language(request, qapp):
    apply_language(qapp, request.param)
    yield request.param
    apply_language(qapp, "en")


def submitted_with_text_kept_unsaved(open_window, qtbot, hq, make_office, tmp_path):
    """(window, editor) on a report submitted with text kept unsaved in it, started
    again: its notice shows Reopen and Discard unsaved text…"""
    path, code, other = office(hq, make_office, tmp_path)
    window = open_window(path)
    type_bad_percent(window, qtbot, code, other)
    window._submit(PERIOD)
    qtbot.waitUntil(lambda: "kept unsaved" in window.save_state_label.toolTip()
                    or bool(window.save_state_label.text()), timeout=5000)
    window = restart(open_window, window)
    editor = open_report(window, qtbot, code)
    qtbot.waitUntil(lambda: editor.discard_button.isVisible(), timeout=5000)
    return window, editor


def test_a_submitted_reports_notice_and_buttons_fit_the_narrowest_window(
        open_window, qtbot, hq, make_office, tmp_path, language):
    """A report submitted with text kept unsaved in it: the notice, Reopen and Discard
    unsaved text. Beside each other at 800 pixels the notice had 98 pixels (one word
    a line) and the form was 560 pixels wide in French, in a pane of 408: it scrolled
    sideways, the ends of its lines out of sight."""
    window, editor = submitted_with_text_kept_unsaved(open_window, qtbot, hq, make_office,
                                                      tmp_path)
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.width() == 800)
    QApplication.processEvents()
    form = editor.widget()
    assert not editor.horizontalScrollBar().isVisible()
    assert form.width() <= editor.viewport().width()
    notice, reopen, discard = editor.notice, editor.reopen_button, editor.discard_button
    assert editor.reopen_button.isVisible() and notice.isVisible()
    # as wide as its longest line, or nearly the form's width where it wraps
    metrics = notice.fontMetrics()
    longest = max(metrics.horizontalAdvance(line) for line in notice.text().split("\n"))
    assert notice.width() >= min(0.9 * form.width(), longest)
    for one, two in ((notice, reopen), (notice, discard), (reopen, discard)):
        assert not one.geometry().intersects(two.geometry())
    for widget in (notice, reopen, discard):
        assert widget.x() >= 0 and widget.geometry().right() < form.width()
        assert widget.width() >= widget.minimumSizeHint().width()
