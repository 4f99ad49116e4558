"""The report form at the window's narrowest (800 pixels): its notice and the buttons
that go with it wrap under it rather than squeezing it beside them, and the form does
not scroll sideways."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from tests.ui.test_drafts_for_good import PERIOD, office, open_report, restart, type_bad_percent

pytest.importorskip("fieldplan.sync")


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
        open_window, qtbot, hq, make_office, tmp_path, in_language):
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


def test_at_14_points_the_report_form_fits_the_narrowest_window(open_window, office_db, qtbot,
                                                                in_language, font_size):
    """At 14 points and 800 pixels the form scrolled sideways: the plan's filters
    (Level, Show) side by side held the plan's side at 429 pixels at the least (467 in
    French), leaving the form 301, where an indicator's name, its target and a number
    field do not go beside each other (nor "Pourcentage d'achèvement (0–100)", 340
    pixels). The filters go one a line there, the plan keeps room for some of each
    title beside its status, and the percent's label wraps: every action's form fits
    its pane, its Actual fields as wide as "1 234 567" still."""
    from tests.ui.conftest import wait_idle

    font_size(14)
    window = open_window(office_db)
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.width() == 800)
    view = window.office_view
    for action in window.identity.own_actions():
        view.select_action(action.code)
        wait_idle(qtbot, window.session)
        QApplication.processEvents()
        editor = view.editor
        form = editor.widget()
        assert form.minimumSizeHint().width() <= editor.viewport().width(), action.code
        assert not editor.horizontalScrollBar().isVisible(), action.code
    # the percent's label no wider than its longest word at the least (it held the
    # French form at 358 pixels): where the pane is narrower, it wraps
    editor = view.editor
    (label,) = [w for w in editor.widget().findChildren(QLabel) if w.buddy() is editor.percent]
    assert label.wordWrap() and label.minimumSizeHint().width() < label.sizeHint().width()
    assert not view.tree.filters.is_one_row()  # (one a line)
    tree = view.tree.tree
    # room for a dozen characters of a title beside the Status column
    titles = tree.viewport().width() - tree.columnWidth(1) - 2 * tree.indentation()
    assert titles >= 10 * tree.fontMetrics().averageCharWidth()


def test_where_there_is_room_the_filters_and_the_percent_stay_on_one_line(
        open_window, office_db, qtbot, in_language):
    """At 1366 pixels the plan's filters are side by side and the percent's label is
    on one line beside its field, as they were."""
    from tests.ui.conftest import wait_idle

    window = open_window(office_db)
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    view = window.office_view
    view.select_action(window.identity.own_actions()[0].code)
    wait_idle(qtbot, window.session)
    QApplication.processEvents()
    tree = view.tree
    assert tree.filters.is_one_row()
    assert tree.level.y() == tree.status.y()
    assert tree.level.width() >= tree.level.sizeHint().width() * 0.9
    editor = view.editor
    (label,) = [w for w in editor.widget().findChildren(QLabel) if w.buddy() is editor.percent]
    assert label.height() < 2 * label.fontMetrics().lineSpacing()  # one line
    field = editor.percent.parentWidget()
    assert label.geometry().center().y() in range(field.y(), field.y() + field.height())
