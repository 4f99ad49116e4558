"""Office work through the window: typing saves to the database, undo writes the old
value back, validation errors appear beside the field, a period submit marks reports
submitted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from fieldplan.progress import get_report, list_reports
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle, wait_painted


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
    # the sign the label already says is no error: "45 %", "٤٥٪"
    for typed, percent in (("45 %", 45), ("\u0664\u0666\u066a", 46)):
        editor.percent.clear()
        editor.percent.insert(typed)  # (QTest types Latin-1 only)
        editor.save_now()
        qtbot.waitUntil(lambda p=percent: db_report(hq_db, "PA1.6", "2026-S1").percent == p,
                        timeout=5000)


def test_a_percent_left_shows_as_a_saved_one_does(qapp, open_window, qtbot, hq_db):
    # "٤٥٪" typed in Arabic reads as 45 and is saved; once the field is left it shows
    # as the indicators do, in the app's digits, without the sign its label says
    from ui.app import apply_language

    apply_language(qapp, "ar")
    try:
        window = open_window(hq_db)
        editor = choose(window, qtbot, "PA1.6")
        # its hint reads left to right, as its label's "(0–100)" does (not "100–0")
        assert editor.percent.placeholderText() == "\u20660–100\u2069"
        editor.percent.setFocus()
        editor.percent.selectAll()
        editor.percent.insert("\u0664\u0665\u066a")  # (QTest types Latin-1 only)
        editor.narratives["challenges"].setFocus()  # leaving saves and reformats
        qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 45,
                        timeout=5000)
        assert editor.percent.text() == "45"
        wait_idle(qtbot, window.session)
        assert not editor.dirty()
    finally:
        apply_language(qapp, "en")


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


def test_ctrl_s_saves_at_once_and_says_when_nothing_waits(open_window, qtbot, hq_db):
    """Ctrl+S, pressed out of habit, did nothing: the typing waited for the save delay
    and nobody said whether it was saved. It saves at once, or says nothing waits."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA2.6")
    editor._debounce._timer.setInterval(3_600_000)  # the save delay never runs out
    box = editor.narratives["achievements"]
    box.setFocus()
    qtbot.keyClicks(box, "Paper out")
    assert editor.busy()
    saves = []
    editor.report_did_save.connect(lambda *report: saves.append(report))
    qtbot.keyClick(box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: saves == [("PA2.6", "2026-S1")], timeout=5000)
    assert db_report(hq_db, "PA2.6", "2026-S1").achievements == "Paper out"
    wait_idle(qtbot, window.session)
    qtbot.keyClick(box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().whole_message() == (
        "Nothing waiting to be saved: fieldplan saves as you type.")
    assert box.toPlainText() == "Paper out"


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
    # (each action by its code and title, as the plan tree names it)
    assert any(line.startswith("PA2.6 · ") and line.endswith(": no report")
               for line in dialog.details.toPlainText().splitlines())
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


def test_the_submit_dialog_names_typing_that_could_not_be_saved(open_window, qtbot, hq_db):
    """'douze' typed in an indicator (no number: never saved): the dialog said nothing,
    and the reports went without it."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    qtbot.keyClicks(editor.indicator_edits["advocacy-events"], "douze")
    editor.save_now()
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None, timeout=5000)
    dialog = window.findChild(object, "submit-dialog")
    assert ("Typed but not saved, not being a valid value, so not submitted: PA3.6. "
            "Correct it, or undo it, first.") in dialog.text.text()
    assert dialog.cancel_button.isDefault()  # Enter does not submit
    dialog.reject()


def test_submitting_again_lists_only_what_the_submit_concerns(open_window, qtbot, hq_db):
    """One report reopened and submitted again: the dialog said "Submit 1 draft
    report" and then, under "Still missing", the reports submitted already too."""
    from fieldplan.progress import reopen_report

    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)

    def submit_dialog():
        window.submit_action.trigger()
        qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None,
                        timeout=5000)
        return window.findChild(object, "submit-dialog")

    first = submit_dialog()
    assert any(line.startswith("PA3.6 · ") and " — to fill in: " in line
               for line in first.details.toPlainText().splitlines())
    # the list under the dashboard's own heading ("Still empty:" here, "Still missing"
    # there: a missing indicator value is no empty field)
    assert first.text.text().endswith("\n\nStill missing:")
    first.accept()
    qtbot.waitUntil(lambda: all(r.state == "submitted" for r in _reports(hq_db)),
                    timeout=5000)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is None, timeout=5000)
    with open_replica(hq_db) as rep:
        reopen_report(rep, "PA1.6", "2026-S1")
    again = submit_dialog()
    assert "Submit 1 draft report" in again.text.text()
    details = again.details.toPlainText()
    lines = details.splitlines()
    assert any(line.startswith("PA1.6 · ") and " — to fill in: " in line
               for line in lines)  # the report submitted now
    assert "PA3.6" not in details  # submitted already: not submitted again
    assert any(line.startswith("PA2.6 · ") and line.endswith(": no report")
               for line in lines)  # the period goes without it still
    again.reject()
    wait_idle(qtbot, window.session)


def open_submitted(open_window, qtbot, db, code="PA1.6"):
    """The window on ``db`` with 2026-S1 submitted, and its editor on ``code``'s
    report (read-only)."""
    from fieldplan import progress

    with open_replica(db) as rep:
        progress.submit_period(rep, "2026-S1")
    window = open_window(db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    return window, choose_submitted(window, qtbot, code)


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
    assert any(t.startswith("PA2.6 · ") and t.endswith(": no report") for t in items)
    assert any(t.startswith("PA1.6 · ") and " — to fill in: challenges" in t for t in items)


def test_status_bar_shows_role_office_period_sync(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    assert window.role_label.text() == "Headquarters"
    assert "HQ" in window.office_label.text()
    assert "semester" in window.period_label.text()
    assert window.sync_label.text()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_narrow_status_bar_drops_whole_items_from_the_end(qapp, lang, open_window, qtbot,
                                                            hq_db, tmp_path):
    """Not "…202/12/05", an Arabic date cut in its middle that reads as another: the
    last items go whole, "…" in their place, the first of them kept up to the clause
    that fits (its time whole, not its file); the tooltip keeps them."""
    from fieldplan.i18n import _, format_datetime, ngettext
    from ui.app import apply_language
    from ui.main_window import SYNC_SEPARATOR

    apply_language(qapp, lang)
    try:
        window = open_window(hq_db)
        wait_idle(qtbot, window.session)
        when = format_datetime("2026-12-05T07:12:00+00:00", lang)
        items = [ngettext("{n} conflict", "{n} conflicts", 3).format(n=3),
                 _("HQ has your data up to {when}").format(when=when),
                 _("Last import {what}").format(what=when + " — EG-36f7f204-1-8.fieldplan")]
        words = SYNC_SEPARATOR.join(items)
        window.resize(1366, 700)
        window.show_sync(words)
        label = window.sync_label
        width = label.fontMetrics().horizontalAdvance
        wide = width(words)
        imported = _("Last import {what}").format(what=when) + " …"
        two = SYNC_SEPARATOR.join([*items[:2], "…"])
        for room, expected in ((wide + 20, words),
                               (wide - 20, SYNC_SEPARATOR.join([*items[:2], imported])),
                               (width(two) + 2, two),
                               (width(items[0] + SYNC_SEPARATOR + "…") + 2,
                                items[0] + SYNC_SEPARATOR + "…")):
            label.setFixedWidth(room + label.contentsMargins().left()
                               + label.contentsMargins().right())
            window._elide_sync()
            shown = label.text()
            assert shown == expected, shown
            assert width(shown) <= room
            assert label.toolTip().endswith(words)  # all of it (tip_text may wrap it)
            assert window.sync_details().split("\n") == items  # (View ▸ Sync details…)
        window.statusBar().grab().save(str(tmp_path / f"status-bar-{lang}.png"))
    finally:
        apply_language(qapp, "en")


def test_an_item_dropped_is_kept_up_to_the_clause_that_fits():
    """The room after the items kept holds the first one dropped up to a clause: never
    in a date ("7 Dec …"), in a count, or in a file name between isolates."""
    from ui.main_window import SYNC_SEPARATOR, clause_heads, elide_items

    first = "HQ has your data up to 15 Nov 2026, 15:00"
    last = "Last import 7 Dec 2026, 06:17 — HQ-to-UG-3-27.fieldplan, merged"
    words = first + SYNC_SEPARATOR + last
    for room, shown in ((len(words), words),
                        (len(words) - 1, first + " · Last import 7 Dec 2026, 06:17 — "
                                                 "HQ-to-UG-3-27.fieldplan …"),
                        (len(first) + 35, first + " · Last import 7 Dec 2026, 06:17 …"),
                        (len(first) + 29, first + " · Last import 7 Dec 2026 …"),
                        (len(first) + 26, first + " · …")):
        assert elide_items(words, room, len) == shown
        assert len(shown) <= room
    # (Arabic: its comma; a file name's own comma, inside its isolate, is no clause)
    assert clause_heads("آخر استيراد: 07/12/2026، 6:17 ص — \u2066a, b.fieldplan\u2069، مدمجة") == [
        "آخر استيراد: 07/12/2026", "آخر استيراد: 07/12/2026، 6:17 ص",
        "آخر استيراد: 07/12/2026، 6:17 ص — \u2066a, b.fieldplan\u2069"]
    assert clause_heads("3 conflicts") == []


def test_once_painted_area_rows_are_headings_and_the_toolbar_is_text(open_window, qtbot, hq_db):
    """What the window leaves until after its first paint (ui.qtcompat) is done then."""
    window = open_window(hq_db)
    tree = window.office_view.tree
    heading = Qt.ItemFlag.ItemIsEnabled  # not selectable
    # (once Qt's namespace is built, by an earlier window, the rows are headings as the
    # window is shown, before its first paint: waited for as such)
    wait_painted(qtbot, window)
    assert tree.tree.topLevelItem(0).flags() == heading
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


# --- actuals shown and read back as the Target is shown ---------------------------------
NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


@pytest.mark.parametrize(
    ("lang", "shown", "decimals"),
    [
        ("en", "12,000", "1,234,567.891234"),
        ("fr", f"12{NNBSP}000", f"1{NNBSP}234{NNBSP}567,891234"),
        ("ar", "12,000", "1,234,567.891234"),
    ],
)
def test_actuals_are_shown_grouped_and_read_back_as_the_same_number(qapp, lang, shown,
                                                                    decimals):
    from fieldplan.i18n import _, format_number
    from ui.app import apply_language
    from ui.report_editor import _number_text, number_error, parse_number

    apply_language(qapp, lang)
    try:
        assert _number_text(12000) == shown == format_number(12000)  # as the Target
        assert _number_text(12000.0) == shown and _number_text(None) == ""
        # every digit, not three decimals: left alone, it saves as the same number
        assert _number_text(1234567.891234) == decimals
        for value in (12000, 1234567.891234, 0.1 + 0.2, -2.5, 2**53, 1e20, 1.5e300, 5e-324):
            assert parse_number(_number_text(value)) == value
        # what people type: grouped or not, spaces, Arabic digits
        for typed in ("12000", "12 000", "12\u00a0000", f"12{NNBSP}000",
                      "١٢٬٠٠٠", "١٢٠٠٠", "\u200e12000"):
            assert parse_number(typed) == 12000, typed
        assert parse_number("1.5") == 1.5  # a decimal point, also in French
        assert parse_number("abc") is None and parse_number("1,2,3") is None
        if lang == "fr":  # the French decimal comma
            assert parse_number("1,5") == 1.5 and parse_number(f"1{NNBSP}234,5") == 1234.5
            # thousands grouped by points, as many write them: "12.500" has two
            # readings (it was read as 12.5), "1.234.567" one
            assert parse_number("12.500") is None and parse_number("1.234.567") == 1234567
            assert parse_number("0.125") == 0.125
            # thousands by points before the decimal comma: one reading only
            assert parse_number("1.234,5") == 1234.5
            assert parse_number("-1.234.567,25") == -1234567.25
            assert parse_number("12.500,0") == 12500
            # another mix is refused, and said how to type
            for typed in ("1.23,5", "1,234.5", "1,2,3"):
                assert parse_number(typed) is None, typed
                assert number_error(typed) == _(
                    "Type decimals with a comma, as in {decimals}, and thousands with "
                    "spaces, as in {thousands}.").format(
                    decimals=f"1{NNBSP}234,5", thousands=f"12{NNBSP}000"), typed
            assert number_error("12.500") == _(
                "{text} can be read two ways: type {thousands} or {decimals}.").format(
                text="12.500", thousands=f"12{NNBSP}500", decimals="12,5")
        else:
            assert parse_number("1,234,567.5") == 1234567.5
            # where the comma groups thousands, one that does not group by threes is
            # refused, not read as a decimal comma: "12,00" is 12,000 with a 0 deleted
            assert parse_number("12,00") is None and parse_number("12,0005") is None
            # said how to type it, not only "Type a number."
            for typed in ("5,75", "12,00", "\u0665\u060c\u0667\u0665"):
                assert number_error(typed) == _(
                    "Type decimals with a point, as in {decimals}, and thousands in threes, "
                    "as in {thousands}.").format(decimals="5.75", thousands="12,000"), typed
        assert number_error("abc") == _("Type a number.")
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_actual_left_unchanged_is_no_edit_and_typed_ones_save(qapp, lang, open_window,
                                                                 qtbot, hq_db):
    from fieldplan.i18n import _, format_number
    from fieldplan.progress import record_progress
    from ui.app import apply_language

    with open_replica(hq_db) as rep:
        record_progress(rep, "PA3.6", "2026-S1",
                        values={"advocacy-events": 12000, "funds-mobilised": 1234567.891234})
    apply_language(qapp, lang)
    try:
        window = open_window(hq_db)
        editor = choose(window, qtbot, "PA3.6")
        events = editor.indicator_edits["advocacy-events"]
        funds = editor.indicator_edits["funds-mobilised"]
        assert events.text() == format_number(12000) == ("12\u202f000" if lang == "fr"
                                                         else "12,000")
        assert funds.text() == format_number(1234567.891234, exact=True)
        # through both fields and out again, typing nothing: nothing to save
        for field in (events, funds, editor.narratives["achievements"]):
            field.setFocus()
            QApplication.processEvents()
        editor.save_now()
        wait_idle(qtbot, window.session)
        assert not editor.dirty() and not editor.busy()
        assert window.undo_stack.count() == 0 and editor.saved_label.text() == ""
        assert ("PA3.6", "2026-S1") not in editor._journal()
        assert db_report(hq_db, "PA3.6", "2026-S1").value("funds-mobilised") == 1234567.891234
        # typed grouped, with spaces, in the locale's form: saved as the number
        events.setFocus()
        events.selectAll()
        qtbot.keyClicks(events, "12 500")
        funds.setFocus()  # leaving saves, and shows the number as the Target is shown
        qtbot.waitUntil(
            lambda: db_report(hq_db, "PA3.6", "2026-S1").value("advocacy-events") == 12500,
            timeout=5000)
        assert events.text() == format_number(12500)
        assert db_report(hq_db, "PA3.6", "2026-S1").value("funds-mobilised") == 1234567.891234
        # not a number: the same clear error as before, beside the field
        events.setFocus()
        events.selectAll()
        qtbot.keyClicks(events, "douze")
        editor.save_now()
        error = editor.errors["value.advocacy-events"]
        assert error.isVisible() and error.text() == _("Type a number.")
        assert events.text() == "douze"  # kept as typed
        wait_idle(qtbot, window.session)
        assert db_report(hq_db, "PA3.6", "2026-S1").value("advocacy-events") == 12500
        # a number pasted twice: refused beside its field, as the core refuses it
        # (the whole save failed, the valid fields with it)
        events.setFocus()
        events.selectAll()
        qtbot.keyClicks(events, "1250012500125001")
        funds.setFocus()
        funds.selectAll()
        qtbot.keyClicks(funds, "7")
        editor.save_now()
        assert error.isVisible() and error.text() == _(
            "{text} is too large: the largest number allowed is {maximum}.").format(
            text=events.text(), maximum=format_number(10**15))
        assert events.text() == "1250012500125001"  # kept as typed, not regrouped
        qtbot.waitUntil(
            lambda: db_report(hq_db, "PA3.6", "2026-S1").value("funds-mobilised") == 7,
            timeout=5000)
        assert db_report(hq_db, "PA3.6", "2026-S1").value("advocacy-events") == 12500
        events.setText(format_number(12500))  # back to what is saved, for the next test
        funds.setText(format_number(1234567.891234))
        editor.save_now()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("what", ["submit", "lock", "dismiss lost"])
def test_a_refused_period_change_is_said_in_the_clients_words(open_window, qtbot, hq_db,
                                                              monkeypatch, what):
    """Submit, lock and "stop warning" showed the core's message as it is (lower case,
    made to follow "fieldplan: error:" in a terminal), unlike every other failure."""
    from PySide6.QtWidgets import QDialog

    from fieldplan import progress, sync
    from fieldplan.errors import StoreError
    from ui.dialogs import MessageDialog

    def refuse(*_args, **_kwargs):
        raise StoreError("could not save to the database, nothing was changed: the disk "
                         "is full")

    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    if what == "submit":
        monkeypatch.setattr(progress, "submit_period", refuse)
        window.submit_action.trigger()
        name = "submit-dialog"
    elif what == "lock":
        monkeypatch.setattr(progress, "set_period_lock", refuse)
        window.lock_action.trigger()
        name = "lock-dialog"
    else:
        monkeypatch.setattr(sync, "dismiss_restore_warnings", refuse)
        window._lost, window._lost_lines = 1, []
        window.dismiss_lost_dialog()
        name = "dismiss-lost-dialog"
    qtbot.waitUntil(lambda: window.findChild(QDialog, name) is not None, timeout=5000)
    window.findChild(QDialog, name).accept()
    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "error-box") is not None,
                    timeout=5000)
    assert window.findChild(MessageDialog, "error-box").text.text() == (
        "Could not save to the database, nothing was changed: the disk is full")
    wait_idle(qtbot, window.session)


def _edit_and_save(window, qtbot, hq_db, code: str = "PA1.6") -> None:
    """Type a percent in ``code``'s report and save it: one step to undo."""
    editor = choose(window, qtbot, code)
    editor.percent.clear()
    qtbot.keyClicks(editor.percent, "30")
    window.save_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, code, "2026-S1").percent == 30, timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.undo_action.isEnabled()


def _nothing_to_undo(window, qtbot, hq_db, code: str = "PA1.6") -> None:
    """Undo and Redo are not offered, and pressing them changes nothing, says nothing."""
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: not editor.status.isEnabled() and not editor.busy(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert not window.undo_action.isEnabled()
    assert not window.redo_action.isEnabled()
    before = db_report(hq_db, code, "2026-S1")
    window.undo_action.trigger()
    window.undo()  # (the keys reach it only through the action; the stack is empty too)
    window.redo()
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, code, "2026-S1") == before
    assert editor.percent.text() == "30"
    assert editor.saved_label.text() != "Not saved."
    assert not editor.general_error.isVisibleTo(window)
    assert not any(e.isVisibleTo(window) for e in editor.errors.values())


def test_no_undo_after_the_report_is_submitted(open_window, qtbot, hq_db):
    """Saved, then the period submitted: the save cannot be undone (the core refuses
    an edit of a submitted report), so Undo is not offered for it."""
    window = open_window(hq_db)
    _edit_and_save(window, qtbot, hq_db)
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None, timeout=5000)
    window.findChild(object, "submit-dialog").accept()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").state == "submitted",
                    timeout=5000)
    _nothing_to_undo(window, qtbot, hq_db)
    assert db_report(hq_db, "PA1.6", "2026-S1").percent == 30


def test_no_undo_or_redo_after_the_period_is_locked(open_window, qtbot, hq_db):
    """Two saves, one undone (Undo and Redo both offered), then the period locked:
    neither is offered any more."""
    from tests.ui.test_locked_periods import lock_dialog

    window = open_window(hq_db)
    _edit_and_save(window, qtbot, hq_db)
    editor = window.office_view.editor
    editor.percent.clear()
    qtbot.keyClicks(editor.percent, "50")
    window.save_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 50, timeout=5000)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").percent == 30, timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.undo_action.isEnabled() and window.redo_action.isEnabled()
    lock_dialog(window, qtbot).accept()
    qtbot.waitUntil(lambda: "locked" in editor.notice.text(), timeout=5000)
    _nothing_to_undo(window, qtbot, hq_db)


def test_a_database_on_a_read_only_medium_is_shown_not_edited(open_window, qtbot,
                                                             office_db, tmp_path,
                                                             monkeypatch):
    """An office database on a write-protected stick opens read-only (store.connect):
    the editor says so and offers no editing, rather than failing at each save."""
    from fieldplan import progress
    from tests.ui.test_read_only_actions import on_a_read_only_stick

    rep = open_replica(office_db)
    progress.record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=40)
    db = on_a_read_only_stick(rep, tmp_path, monkeypatch)
    window = open_window(db)
    assert window.identity.read_only
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    editor = choose_submitted(window, qtbot, "PA1.1")
    assert "read-only disk or folder" in editor.notice.text()
    assert not editor.status.isEnabled() and editor.percent.isReadOnly()
    assert editor.percent.text().startswith("40")
    assert not editor.reopen_button.isVisible()


def test_a_percent_indicator_takes_its_sign(open_window, qtbot, office_db):
    """"4.8 %" in an indicator measured in percent was refused ("Type a number"),
    where the Percent field takes "40 %"; its target showed without the sign."""
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3", "2026-S2")
    edit = editor.indicator_edits["average-cost"]
    qtbot.keyClicks(edit, "4.8 %")
    editor.save_now()
    def saved() -> bool:
        report = db_report(office_db, "PA2.3", "2026-S2")
        return report is not None and report.value("average-cost") == 4.8

    qtbot.waitUntil(saved, timeout=5000)
    assert not any(e.isVisible() for e in editor.errors.values())
    shown = [w.text() for w in editor.indicator_box.findChildren(QLabel)]
    assert "5.5%" in shown


@pytest.mark.parametrize(("lang", "typed"), [("en", "4,8 %"), ("ar", "\u0664\u060c\u0668\u066a"),
                                           ("fr", "12.500 %")])
def test_a_percent_indicator_refused_says_how_to_type_it(open_window, qtbot, office_db,
                                                         language, lang, typed):
    """A decimal comma in a percent indicator, typed with its sign, was told only
    "Type a number." (the sign hid what the field without it is told: how to type
    decimals, or the two readings of French "12.500")."""
    from fieldplan.i18n import _
    from fieldplan.numbers import number_error, without_percent_sign
    from tests.ui.test_narrative_direction import type_keys

    language(lang)
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3", "2026-S2")
    edit = editor.indicator_edits["average-cost"]
    edit.setFocus()
    type_keys(edit, typed)
    editor.save_now()
    error = editor.errors["value.average-cost"]
    assert error.isVisible()
    assert error.text() == number_error(without_percent_sign(typed)) != _("Type a number.")
    assert edit.accessibleDescription().startswith(error.text())
    wait_idle(qtbot, window.session)


def test_a_passing_message_too_long_for_the_bar_ends_with_an_ellipsis(
        open_window, qtbot, hq_db, tmp_path):
    """Qt cut a long message at the bar's edge, mid-word ("… next bundle for ther"),
    with nothing to show that more was there: it ends with "…", whole in the bar's
    tooltip, which goes with the message."""
    window = open_window(hq_db)
    window.resize(800, 600)
    bar = window.statusBar()
    long = " ".join(["Headquarters' next bundle carries the new key to every office."] * 4)
    bar.showMessage(long, 60_000)
    shown = bar.currentMessage()
    assert shown.endswith("…") and long.startswith(shown[:-1])
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_room()
    assert bar.toolTip() == long
    window.grab().save(str(tmp_path / "long-message.png"))
    bar.showMessage("Saved.", 60_000)  # one that fits: as it is, no tooltip
    assert bar.currentMessage() == "Saved." and bar.toolTip() == ""
    bar.showMessage(long, 60_000)
    bar.clearMessage()
    assert bar.toolTip() == ""


def test_a_passing_message_is_fitted_again_when_the_bar_gives_it_less_room(
        open_window, qtbot, hq_db):
    """An amendment's "The plan is now version 2. PA1.3 is no longer in it." was fitted
    to the bar before the red "text set aside" and its button came up beside it: Qt then
    cut it mid-word under them ("…version 2. PA"), nothing saying more was there. The
    message is fitted again whenever the widgets beside it take room or give it back."""
    window = open_window(hq_db)
    window.resize(800, 600)
    bar = window.statusBar()
    message = "The plan is now version 2. PA1.3 is no longer in it."
    bar.showMessage(message, 60_000)
    assert bar.currentMessage() == message
    window._show_save_state("PA1.3: text set aside; PA2.1: text set aside", "", True)
    window.aside_button.setVisible(True)
    qtbot.waitUntil(lambda: bar.currentMessage() != message, timeout=5000)
    shown = bar.currentMessage()
    assert shown.endswith("…") and message.startswith(shown[:-1])
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_room()
    assert bar.toolTip() == message and bar.whole_message() == message
    window._show_save_state("", "", False)  # saved: the room is back, the message whole
    window.aside_button.setVisible(False)
    qtbot.waitUntil(lambda: bar.currentMessage() == message, timeout=5000)
    assert bar.toolTip() == ""


def test_the_submit_question_writes_its_count_as_every_count(open_window, qtbot, hq_db):
    """"Submit 1234 draft reports": the question's count was the bare integer, where
    every other count of the client has the language's separators."""
    from dataclasses import replace

    from ui.dashboard import read_summary

    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:
        summary = read_summary(rep, window.identity, "2026-S1")
    window._confirm_submit(replace(summary, drafts=1234))
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None, timeout=5000)
    dialog = window.findChild(object, "submit-dialog")
    assert dialog.text.text().startswith("Submit 1,234 draft reports for ")
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_an_office_is_told_its_submitted_reports_are_not_sent_yet(open_window, qtbot,
                                                                  office_db):
    """A new officer read "1 report submitted." as sent to headquarters, and exported
    nothing: a submit only marks the reports here. The office is told how they reach
    headquarters."""
    from fieldplan.progress import record_progress

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=20)
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None,
                    timeout=5000)
    window.statusBar().clearMessage()
    window.findChild(object, "submit-dialog").accept()
    qtbot.waitUntil(lambda: window.statusBar().whole_message() != "", timeout=5000)
    assert window.statusBar().whole_message() == (
        "1 report submitted. It reaches headquarters with the next bundle you export "
        "(File ▸ Export…).")
    assert db_report(office_db, "PA1.1", "2026-S1").state == "submitted"


def test_the_submit_message_goes_once_the_reports_are_exported(open_window, qtbot,
                                                               office_db, tmp_path):
    """Submitted, then exported at once (as an officer does): the status bar still said
    "They reach headquarters with the next bundle you export" over the sync state, the
    bundle just saved, and the report form "Sent to headquarters". The export clears
    it: the sync state says the last export."""
    from fieldplan.progress import record_progress
    from ui.transfer import ExportDialog

    with open_replica(office_db) as rep:
        record_progress(rep, "PA1.1", "2026-S1", status="on-track", percent=20)
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None,
                    timeout=5000)
    window.findChild(object, "submit-dialog").accept()
    bar = window.statusBar()
    qtbot.waitUntil(lambda: "next bundle you export" in bar.whole_message(), timeout=5000)
    stick = tmp_path / "stick"
    stick.mkdir()
    window.export_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(ExportDialog, "export-dialog") is not None,
                    timeout=5000)
    dialog = window.findChild(ExportDialog, "export-dialog")
    qtbot.waitUntil(lambda: dialog.drives_known, timeout=5000)
    dialog.folder.setText(str(stick))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(stick.glob("*.fieldplan")) and dialog.ok.isEnabled(),
                    timeout=10_000)
    wait_idle(qtbot, window.session)
    assert bar.whole_message() == ""
    assert bar.currentMessage() == ""
    dialog.close()
    # a message of something else (an import's news) is not the export's to clear
    bar.showMessage("Imported.", 15_000)
    window._exported(None)
    wait_idle(qtbot, window.session)
    assert bar.whole_message() == "Imported."
