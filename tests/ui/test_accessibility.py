"""What an accessibility review found, kept fixed: the report editor never cut off
beside the plan (French at the window's smallest width, large fonts), the status of a
report that cannot be edited still reached with Tab and read aloud, an indicator's
target and unit said with its field, symbols said in words, dialogs and filters as
wide as their text at large fonts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QProgressBar

from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, open_submitted
from ui.office_view import ACTION_ROLE


def _settle(qtbot, window, width: int) -> None:
    window.resize(width, 600)
    qtbot.waitUntil(lambda: window.width() == width)
    QApplication.processEvents()  # the layouts' requests after the resize


# --- the report editor beside the plan ----------------------------------------------


def test_in_french_the_report_fits_beside_the_plan_at_800_px(open_window, qtbot, hq_db,
                                                             language):
    """The filters sized to their longest French item made the plan's side 416 px wide
    at least: the report's fields (the Status arrow, the Actual field) were cut off,
    with no way to scroll to them."""
    language("fr")
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")  # with an indicator
    _settle(qtbot, window, 800)
    view = window.office_view
    assert view.tree.minimumSizeHint().width() <= 800 // 2
    assert editor.widget().minimumSizeHint().width() <= editor.viewport().width()
    assert not editor.horizontalScrollBar().isVisible()


def test_at_a_large_font_the_rest_of_the_report_is_scrolled_to(open_window, qtbot, hq_db,
                                                                language, font_size):
    """Wider than its pane (French at 14 pt, 800 px): a scrollbar reaches the rest.
    (The form fits there now, the plan's filters one a line: an indicators' box wider
    than the pane stands for a form too wide.)"""
    language("fr")
    font_size(14)
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    _settle(qtbot, window, 800)
    editor.indicator_box.setMinimumWidth(editor.viewport().width() + 80)
    form = editor.widget()
    qtbot.waitUntil(lambda: form.width() > editor.viewport().width())
    assert form.width() >= form.minimumSizeHint().width()  # nothing squeezed
    assert form.width() > editor.viewport().width()  # (what this test is about)
    bar = editor.horizontalScrollBar()
    assert bar.isVisible()
    assert form.width() <= editor.viewport().width() + bar.maximum()


# --- the status of a report that cannot be edited -----------------------------------


def test_a_submitted_not_started_report_shows_its_status(open_window, qtbot, hq_db):
    """The first report opened, read-only, with the first status ("Not started"):
    its status field was empty, for the eye and for a screen reader."""
    from fieldplan import progress
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA1.6", "2026-S1", status="not-started")
    window, editor = open_submitted(open_window, qtbot, hq_db)
    assert editor.status_read_only.isVisibleTo(window)
    assert editor.status_read_only.text() == "○ Not started"


def test_the_status_of_a_submitted_report_is_reached_with_tab(open_window, qtbot, hq_db):
    """A disabled combo is skipped by Tab and by screen readers: in its place a
    read-only field, named Status like it, after Reopen; Alt+T reaches it too."""
    window, editor = open_submitted(open_window, qtbot, hq_db)
    shown = editor.status_read_only
    assert shown.isVisibleTo(window) and not editor.status.isVisibleTo(window)
    assert shown.isReadOnly() and shown.accessibleName() == "Status"
    assert shown.text() == editor.status.currentText() == "● On track"
    window.activateWindow()
    tree = window.office_view.tree.tree
    tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tree)
    qtbot.keyClick(tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.notice  # (why it is read-only)
    qtbot.keyClick(editor.notice, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.reopen_button
    qtbot.keyClick(editor.reopen_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is shown
    qtbot.keyClick(shown, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.percent

    # reopened: the combo again, in its place and with the focus it had
    shown.setFocus()
    editor.reopen()
    qtbot.waitUntil(lambda: editor.status.isEnabled(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.status.isVisibleTo(window) and not shown.isVisibleTo(window)
    assert QApplication.focusWidget() is editor.status


def test_alt_letters_reach_the_status_and_percent(open_window, qtbot, hq_db):
    """The labels' buddies were the rows' boxes, which take no focus: Alt+T and Alt+M
    did nothing (and the fields had no label for a screen reader)."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    window.activateWindow()
    tree = window.office_view.tree.tree
    tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tree)
    qtbot.keyClick(tree, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.status
    qtbot.keyClick(editor.status, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.percent


# --- words for screen readers -------------------------------------------------------


def test_an_actual_field_says_its_target_and_unit(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    field = next(iter(editor.indicator_edits.values()))
    assert field.accessibleName().startswith("Actual for ")
    # (no milestone: the plan's end target, said so)
    assert field.accessibleDescription() == "Target for the end of the plan: 4 (count)."


def test_the_plan_says_no_report_in_words(open_window, qtbot, hq_db):
    """"—" alone in the Status column: a screen reader said "dash", or nothing."""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    tree = window.office_view.tree
    wait_idle(qtbot, window.session)
    items = [tree.tree.topLevelItem(i).child(j)
             for i in range(tree.tree.topLevelItemCount())
             for j in range(tree.tree.topLevelItem(i).childCount())]
    reported = {"PA1.6", "PA3.6"}  # (hq_db)
    bare = [item for item in items if item.data(0, ACTION_ROLE).code not in reported]
    assert bare and all(item.text(1) == "—" for item in bare)
    for item in bare:
        assert item.data(1, Qt.ItemDataRole.AccessibleTextRole) == "No report yet"
        assert item.toolTip(1) == "No report yet"
    done = next(item for item in items if item.data(0, ACTION_ROLE).code == "PA1.6")
    assert done.data(1, Qt.ItemDataRole.AccessibleTextRole) is None  # its words are shown


def test_a_bar_with_no_percent_is_not_read_as_0_percent(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    window.tabs.setCurrentIndex(1)
    dash = window.dashboard
    wait_idle(qtbot, window.session)
    names = {bar.accessibleName(): bar.text() for bar in dash.findChildren(QProgressBar)}
    assert names["Progress of PA1"] == "40%"
    assert names["Progress of PA2: no percent yet"] == "no percent yet"


# --- large fonts --------------------------------------------------------------------


def test_the_report_dialog_is_as_wide_as_its_labels(open_window, qtbot, hq_db, language,
                                                    font_size):
    """Its own minimum width (420) stopped Qt keeping it as wide as its content:
    "Date limi…" at 17 pt in French."""
    from ui.report_preview import ReportDialog

    language("fr")
    font_size(17)
    window = open_window(hq_db)
    window.report_dialog("pack")
    dialog = window.findChild(ReportDialog, "report-dialog-pack")
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.minimumSizeHint().width() > 420  # (what this test is about)
    assert dialog.width() >= dialog.minimumSizeHint().width()
    dialog.reject()


def test_the_report_dialog_keeps_its_width_at_the_usual_font(open_window, qtbot, hq_db):
    from ui.report_preview import ReportDialog

    window = open_window(hq_db)
    window.report_dialog("sheet")
    dialog = window.findChild(ReportDialog, "report-dialog-sheet")
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.width() >= 420
    dialog.reject()


def test_the_overview_office_filter_keeps_room_at_a_large_font(open_window, qtbot, hq_db,
                                                                language, font_size):
    language("fr")
    font_size(17)
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    _settle(qtbot, window, 1366)
    field = page.office
    assert isinstance(field, QLineEdit)
    assert field.width() >= field.fontMetrics().horizontalAdvance(field.placeholderText())


# --- the toolbar's overflow button --------------------------------------------------


def test_the_toolbars_overflow_button_has_a_name(open_window, qtbot, hq_db):
    """A narrow window puts the toolbar's last buttons behind Qt's ">>" button, which a
    screen reader said as a nameless button: it is named, with a tip."""
    from PySide6.QtWidgets import QToolButton

    from tests.ui.conftest import wait_painted

    window = open_window(hq_db)
    wait_painted(qtbot, window)
    more = window.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert more is not None
    qtbot.waitUntil(lambda: more.accessibleName() == "More toolbar buttons")
    assert more.toolTip() == "More toolbar buttons"
