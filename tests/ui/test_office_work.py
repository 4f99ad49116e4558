"""Office work through the window: typing saves to the database, undo writes the old
value back, validation errors appear beside the field, a period submit marks reports
submitted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan.progress import get_report, list_reports
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle


def db_report(db, action, period, office=None):
    with open_replica(db) as rep:
        return get_report(rep, action, period, office)


def choose(window, qtbot, code: str, period: str = "2026-S1"):
    window.set_period(period)
    wait_idle(qtbot, window.session)
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(
        lambda: (
            editor.action is not None and editor.action.code == code and editor.status.isEnabled()
        ),
        timeout=5000,
    )
    wait_idle(qtbot, window.session)
    return editor


def test_typing_saves_and_undo_restores(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visa delays")
    # saved by the debounce timer, without leaving the field
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000
    )
    wait_idle(qtbot, window.session)
    assert window.undo_stack.count() == 1

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "", timeout=5000)
    assert box.toPlainText() == ""
    window.redo_action.trigger()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000
    )
    assert box.toPlainText() == "Visa delays"


def test_percent_error_is_shown_beside_the_field(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    editor.percent.clear()
    qtbot.keyClicks(editor.percent, "150")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.errors["percent"].isVisible(), timeout=5000)
    assert "from 0 to 100" in editor.errors["percent"].text()
    assert db_report(hq_db, "PA1.6", "2026-S1").percent == 40
    editor.percent.clear()
    qtbot.keyClicks(editor.percent, "abc")
    editor.save_now()
    assert "whole number" in editor.errors["percent"].text()
    editor.percent.clear()
    qtbot.keyClicks(editor.percent, "55")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 55, timeout=5000)
    qtbot.waitUntil(lambda: not editor.errors["percent"].isVisible(), timeout=5000)


def test_switching_action_saves_pending_typing(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA2.6")
    qtbot.keyClicks(editor.narratives["achievements"], "Paper out")
    assert editor.busy()  # still waiting for the debounce
    window.office_view.tree.select("PA4.6")  # moves on before the timer fires
    qtbot.waitUntil(
        lambda: (
            (r := db_report(hq_db, "PA2.6", "2026-S1")) is not None
            and r.achievements == "Paper out"
        ),
        timeout=5000,
    )
    wait_idle(qtbot, window.session)


def test_indicator_actual_and_status(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    edit = editor.indicator_edits["advocacy-events"]
    qtbot.keyClicks(edit, "3")
    editor.status.setCurrentIndex(editor.status.findData("on-track"))
    editor.save_now()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA3.6", "2026-S1").value("advocacy-events") == 3, timeout=5000
    )
    assert db_report(hq_db, "PA3.6", "2026-S1").status == "on-track"


def test_submit_period_marks_reports_submitted(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None, timeout=5000)
    dialog = window.findChild(object, "submit-dialog")
    # what is still empty is listed before submitting
    assert "PA2.6: no report" in dialog.details.toPlainText()
    dialog.accept()
    qtbot.waitUntil(lambda: all(r.state == "submitted" for r in _reports(hq_db)), timeout=5000)
    wait_idle(qtbot, window.session)
    # the editor now refuses edits until reopened
    editor = choose_submitted(window, qtbot, "PA1.6")
    qtbot.waitUntil(lambda: editor.reopen_button.isVisibleTo(window), timeout=5000)
    assert "submitted" in editor.notice.text()
    qtbot.mouseClick(editor.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").state == "draft", timeout=5000)
    wait_idle(qtbot, window.session)


def choose_submitted(window, qtbot, code):
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(
        lambda: (
            editor.action is not None
            and editor.action.code == code
            and not editor.status.isEnabled()
        ),
        timeout=5000,
    )
    wait_idle(qtbot, window.session)
    return editor


def _reports(db):
    with open_replica(db) as rep:
        return list_reports(rep, "2026-S1")


def test_dashboard_counts_and_missing(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    dash = window.dashboard  # built when first asked for
    wait_idle(qtbot, window.session)
    assert dash.count_labels["on-track"].text() == "1"
    assert dash.count_labels["at-risk"].text() == "1"
    items = [dash.missing.item(i).text() for i in range(dash.missing.count())]
    assert "PA2.6: no report" in items
    assert any(t.startswith("PA1.6 — to fill in: challenges") for t in items)


def test_status_bar_shows_role_office_period_sync(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    assert window.role_label.text() == "Headquarters"
    assert "HQ" in window.office_label.text()
    assert "semester" in window.period_label.text()
    assert window.sync_label.text()


def test_once_painted_area_rows_are_headings_and_the_toolbar_is_text(open_window, qtbot, hq_db):
    """What the window leaves until after its first paint (ui.qtcompat) is done then."""
    window = open_window(hq_db)
    tree = window.office_view.tree
    heading = Qt.ItemFlag.ItemIsEnabled  # not selectable
    qtbot.waitUntil(lambda: tree.tree.topLevelItem(0).flags() == heading, timeout=5000)
    assert window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly
    tree.rebuild()
    areas = [tree.tree.topLevelItem(i) for i in range(tree.tree.topLevelItemCount())]
    assert areas and all(item.flags() == heading for item in areas)
    assert all(item.child(0).flags() & Qt.ItemFlag.ItemIsSelectable for item in areas)
    rect = tree.tree.visualItemRect(areas[0])
    qtbot.mouseClick(tree.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not tree.tree.selectedItems() and tree.current_action() is None


def test_window_geometry_saved(open_window, qtbot, hq_db, settings):
    window = open_window(hq_db)
    window.resize(1000, 700)
    window.close()
    assert settings.value("window/geometry") is not None
    assert QApplication.instance() is not None


def _activate(window, qtbot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def test_ctrl_z_in_a_field_is_the_window_undo(open_window, qtbot, hq_db):
    """Qt's own undo in a line edit would change the text behind the database's back:
    Ctrl+Z there is the window's undo, which writes the old value back."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    _activate(window, qtbot)
    editor.percent.setFocus()
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "55")
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 55, timeout=5000)
    wait_idle(qtbot, window.session)
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.percent, Qt.Key.Key_Z, ctrl)
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 40, timeout=5000)
    assert editor.percent.text() == "40"
    qtbot.keyClick(editor.percent, Qt.Key.Key_Z, ctrl | shift)  # redo
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 55, timeout=5000)
    assert editor.percent.text() == "55"
    wait_idle(qtbot, window.session)


def test_ctrl_z_right_after_typing_undoes_the_typing(open_window, qtbot, hq_db):
    """Typing not saved yet (the save timer has not fired) is saved, then undone: one
    Ctrl+Z takes it away, in the field and in the database."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    _activate(window, qtbot)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visa")
    assert editor.busy() and window.undo_action.isEnabled()
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert box.toPlainText() == ""
    qtbot.waitUntil(lambda: not editor.busy(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == ""
    assert window.undo_stack.canRedo()
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa", timeout=5000)
    assert box.toPlainText() == "Visa"
    wait_idle(qtbot, window.session)


def test_field_context_menu_offers_the_window_undo(open_window, qtbot, hq_db):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    for field, target in (
        (editor.percent, editor.percent),
        (editor.narratives["challenges"], editor.narratives["challenges"].viewport()),
    ):
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, QPoint(5, 5), target.mapToGlobal(QPoint(5, 5))
        )
        QApplication.sendEvent(target, event)
        menu = next(m for m in field.findChildren(QMenu) if m.isVisible())
        assert window.undo_action in menu.actions() and window.redo_action in menu.actions()
        assert not [a for a in menu.actions() if a.objectName() in ("edit-undo", "edit-redo")]
        menu.close()


def test_a_save_does_not_reload_the_report_being_typed_in(open_window, qtbot, hq_db):
    """Each save refreshes the plan tree's statuses; that must not fetch the report
    again and write the database's text over what is being typed."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    loads = []
    editor.report_did_load.connect(lambda action, period: loads.append(action))
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visa delays")
    editor.save_now()
    qtbot.keyClicks(box, " at the border")  # typed while the save is on its way
    wait_idle(qtbot, window.session)
    assert loads == []
    assert box.toPlainText() == "Visa delays at the border"
    editor.save_now()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays at the border",
        timeout=5000,
    )
    wait_idle(qtbot, window.session)
    assert loads == []
