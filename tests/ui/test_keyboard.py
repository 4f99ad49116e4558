"""The client without a mouse: Tab leaves tables, Enter does not revoke by accident,
a page built on first show takes the focus, errors are said with their field, and
buttons that look alike have names that tell them apart (a keyboard review)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan import progress, store
from fieldplan.replica import open_replica
from tests.scenes import laptops_in_conflict
from tests.ui.conftest import wait_idle

sync = pytest.importorskip("fieldplan.sync")


@pytest.fixture
def hq_with_a_key(hq, make_office, tmp_path):
    """HQ's database path, with ML's key registered; and ML's key id."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path).outcome \
        == "merged"
    key = ml.meta("key_id")
    path = hq.path
    hq.close()
    return path, key


def _desk_page(open_window, qtbot, path, name: str, rows: int):
    """The main window on ``path`` showing its desk page ``name``, once it holds
    ``rows`` rows."""
    window = open_window(path)
    page = getattr(window.hq_desk, name)
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=5000)
    return window, page


def _conflicts_at(open_window, qtbot, hq, laptop, out, keeps: int):
    """``laptop`` takes HQ's bundle (both laptops' writes) and its window shows its
    Conflicts page, once it holds ``keeps`` Keep buttons."""
    sync.import_bundle(laptop, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    path = laptop.path
    laptop.close()
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == keeps, timeout=5000)
    return window, page


def test_tab_leaves_a_table_for_the_buttons_under_it(open_window, qtbot, hq_with_a_key):
    path, key = hq_with_a_key
    _window, page = _desk_page(open_window, qtbot, path, "keys", rows=2)
    rows = {page.model.row_at(i).key_id: i for i in range(2)}
    page.view.selectRow(rows[key])
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.revoke_button


def test_enter_in_the_revoke_dialog_does_not_revoke(open_window, qtbot, hq_with_a_key):
    """Revoking cannot be undone: Cancel is the default button, and has the focus."""
    path, key = hq_with_a_key
    window, page = _desk_page(open_window, qtbot, path, "keys", rows=2)
    rows = {page.model.row_at(i).key_id: i for i in range(2)}
    page.view.selectRow(rows[key])
    page.revoke_button.click()
    dialog = page.findChild(object, "revoke-dialog")
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.cancel_button.isDefault() and not dialog.ok_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert sync.all_keys(rep)[key].status == "active"


def test_a_page_built_on_first_show_takes_the_focus(open_window, qtbot, hq_with_a_key):
    """Ctrl+number (the View menu) from a field: Qt gives the focus to the new tab,
    bare until its page is built; the focus then goes into the page."""
    from ui.pages import LazyTab

    path, _key = hq_with_a_key
    window = open_window(path)
    index = next(i for i in range(window.tabs.count())
                 if isinstance(window.tabs.widget(i), LazyTab)
                 and not window.tabs.widget(i).built())
    tab = window.tabs.widget(index)
    window.office_view.tree.setFocus()
    window.tabs.setCurrentIndex(index)
    focused = QApplication.focusWidget()
    assert focused is not None and focused is not tab and tab.isAncestorOf(focused)


def test_an_error_is_said_with_its_field(open_window, qtbot, hq_db):
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    field = next(iter(editor.indicator_edits.values()))
    field.setText("abc")
    editor._edited()
    editor.save_now()
    # the error first, then what the field says at all times (its target and unit)
    assert "number" in field.accessibleDescription()
    assert field.accessibleDescription().endswith(" Target for the end of the plan: 4 (count).")
    field.setText("12")
    editor._edited()
    editor.save_now()
    assert field.accessibleDescription() == "Target for the end of the plan: 4 (count)."
    assert editor.saved_label.accessibleName() == "Save state"
    wait_idle(qtbot, window.session)


def test_the_keep_buttons_are_told_apart(open_window, qtbot, hq, make_office, tmp_path):
    a, _b, _code, out = laptops_in_conflict(hq, make_office, tmp_path, told="")
    _window, page = _conflicts_at(open_window, qtbot, hq, a, out, keeps=2)
    names = [b.accessibleName() for b in page.keep_buttons]
    assert len(set(names)) == 2 and any("On track" in n for n in names), names
    assert all(b.autoDefault() for b in page.keep_buttons)


# --- a row is always chosen, and the focus stays on the page -------------------------


def test_one_quarantined_bundle_is_chosen_and_its_buttons_reached(
        open_window, qtbot, hq, make_office, tmp_path):
    """Tabbing into a table of one bundle: the row is selected (not only current), so
    Trust and Refuse are enabled and Tab stops on them after the bundle's reason."""
    path = _one_quarantined(hq, make_office, tmp_path)
    _window, page = _desk_page(open_window, qtbot, path, "quarantine", rows=1)
    page.view.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
        qtbot.keyClick(page.view, key)
    assert [i.row() for i in page.view.selectionModel().selectedRows()] == [0]
    assert page.trust_button.isEnabled() and page.refuse_button.isEnabled()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    qtbot.keyClick(page.detail, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.refuse_button


def _one_quarantined(hq, make_office, tmp_path):
    """HQ's database path, one bundle of ML (a key with no proof) in its quarantine."""
    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path).outcome \
        == "quarantined"
    path = hq.path
    hq.close()
    return path


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_quarantine_is_tabbed_through_as_it_is_read(open_window, qtbot, hq, make_office,
                                                        tmp_path, lang):
    """Tab went from the table to the buttons at the bottom, then back up to the chosen
    bundle's reason between them. Now down the page, the layout mirrored in Arabic or
    not: table, reason, then the buttons in their reading order; Shift+Tab back up;
    found by QA (a keyboard walk)."""
    from ui.app import apply_language

    path = _one_quarantined(hq, make_office, tmp_path)
    apply_language(QApplication.instance(), lang)
    try:
        window, page = _desk_page(open_window, qtbot, path, "quarantine", rows=1)
        window.resize(1024, 600)
        from ui.hq_desk import select_row

        page.view.setFocus()
        select_row(page.view, 0)
        assert page.detail.isVisible() and page.refuse_button.isEnabled()
        order = []
        for _ in range(4):
            order.append(QApplication.focusWidget())
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert order == [page.view, page.detail, page.refuse_button, page.trust_button]

        def top(widget) -> int:
            return widget.mapTo(window, widget.rect().topLeft()).y()

        assert top(page.view) < top(page.detail) < top(page.refuse_button)
        # the buttons in the reading order of the language: Refuse first, on the left
        # in English, on the right in Arabic
        left = page.refuse_button.x() < page.trust_button.x()
        assert left == (lang == "en")
        page.trust_button.setFocus()
        for widget in reversed(order[:-1]):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
            assert QApplication.focusWidget() is widget
    finally:
        apply_language(QApplication.instance(), "en")


def test_the_chosen_key_stays_chosen_when_the_keys_reload(open_window, qtbot, hq_with_a_key):
    path, key = hq_with_a_key
    window, page = _desk_page(open_window, qtbot, path, "keys", rows=2)
    assert [i.row() for i in page.view.selectionModel().selectedRows()] == [0]
    row = next(i for i in range(2) if page.model.row_at(i).key_id == key)
    page.view.selectRow(row)
    page.refresh()
    wait_idle(qtbot, window.session)
    assert page.selected().key_id == key and page.revoke_button.isEnabled()


def test_after_keep_the_focus_goes_to_the_next_conflict(open_window, qtbot, hq, make_office,
                                                        tmp_path):
    """The Keep button pressed is deleted with its conflict: the focus goes to the next
    conflict's first Keep, and once none is left to the sentence that says so (not
    nowhere; it went to the window's tabs, where nothing said what happened)."""
    a, _b, _code, out = laptops_in_conflict(hq, make_office, tmp_path, actions=2, told="")
    window, page = _conflicts_at(open_window, qtbot, hq, a, out, keeps=2)
    assert page.model.rowCount() == 2
    for left in (1, 0):
        page.keep_buttons[0].setFocus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        qtbot.waitUntil(lambda n=left: page.model.rowCount() == n, timeout=5000)
        wait_idle(qtbot, window.session)
        if left:
            assert QApplication.focusWidget() is page.keep_buttons[0]
        else:
            assert QApplication.focusWidget() is page.empty.label


def test_reopen_comes_first_from_the_plan(open_window, qtbot, hq_db):
    """A submitted report: Reopen, above the fields, is the first stop after the plan
    but for the notice that says to reopen it (it came after the last narrative), and
    has its Alt+letter."""
    from tests.ui.test_mnemonics import mnemonic
    from tests.ui.test_office_work import open_submitted

    window, editor = open_submitted(open_window, qtbot, hq_db)
    assert editor.reopen_button.isVisibleTo(window)
    window.office_view.tree.tree.setFocus()
    qtbot.keyClick(window.office_view.tree.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.notice
    qtbot.keyClick(editor.notice, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.reopen_button
    assert mnemonic(editor.reopen_button.text()) == "b"


def _sort_menu_by_keyboard(qtbot, view):
    """The menu the Menu key opens in ``view`` (which has the focus), and its items."""
    from PySide6.QtWidgets import QMenu

    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    menu = QApplication.activePopupWidget()
    return menu, {a.text(): a for a in menu.actions()}


def test_a_table_is_sorted_without_a_mouse(open_window, qtbot, hq_db):
    """The Menu key in the Reports table sorts it by a column; the same column again
    reverses the order (a click on a header does both, out of reach of the keyboard)."""
    with open_replica(hq_db) as rep:
        for code, percent in (("PA1.6", 90), ("PA3.6", 0), ("PA3.6", 65)):
            period = "2025-S2" if percent != 65 else "2026-S2"
            progress.record_progress(rep, code, period, status="on-track", percent=percent)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    qtbot.waitUntil(lambda: page.model.rowCount() > 3, timeout=5000)
    model, column = page.view.model(), page.model.PERCENT

    def percents() -> list:
        return [page.model.row_at(r).percent for r in range(model.rowCount())]

    menu, items = _sort_menu_by_keyboard(qtbot, page.view)
    assert items["Sort by Period, ascending"].isChecked()
    name = model.headerData(column, Qt.Orientation.Horizontal)
    items[f"Sort by {name}"].trigger()
    menu.close()
    assert page.view.horizontalHeader().sortIndicatorSection() == column
    shown = [p for p in percents() if p is not None]
    assert shown == sorted(shown) and shown[0] != shown[-1]

    menu, items = _sort_menu_by_keyboard(qtbot, page.view)
    again = items[f"Sort by {name}, ascending"]
    assert again.isChecked()
    again.trigger()
    menu.close()
    shown = [p for p in percents() if p is not None]
    assert shown == sorted(shown, reverse=True)
    _menu, items = _sort_menu_by_keyboard(qtbot, page.view)
    assert f"Sort by {name}, descending" in items
    _menu.close()


def test_the_order_chosen_stays_through_a_search_and_a_reload(open_window, qtbot, hq_db):
    """Sorted by percent, the Reports table stays so while a search narrows or widens
    it and when its reports are loaded again (it went back to the database's order,
    under an arrow that still said percent)."""
    with open_replica(hq_db) as rep:
        for period, percent in (("2027-S1", 90), ("2025-S2", 0), ("2026-S2", 65)):
            progress.record_progress(rep, "PA1.6", period, status="on-track", percent=percent,
                                     achievements="Joint statement")
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    page.view.sortByColumn(page.model.PERCENT, Qt.SortOrder.DescendingOrder)

    def percents() -> list:
        return [page.model.row_at(r).percent for r in range(page.model.rowCount())]

    assert percents() == [90, 65, 40, 10, 0]
    page.search.setText("joint")
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    assert percents() == [90, 65, 40, 0]
    page.search.setText("joint s")  # narrows the rows shown
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    assert percents() == [90, 65, 40, 0]
    page.search.setText("")
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    assert percents() == [90, 65, 40, 10, 0]
    page.refresh()
    wait_idle(qtbot, window.session)
    assert percents() == [90, 65, 40, 10, 0]


def test_the_period_is_chosen_from_the_period_menu(open_window, qtbot, office_db):
    """The toolbar's Period had no Alt letter (each letter of "Period" answers a menu or
    a tab) and Tab reached it only after every field of the report: Period ▸ Choose the
    period… opens its list with the focus, the arrows and Enter choose."""
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Period")
    assert menu.actions()[0] is window.choose_period_action
    assert window.choose_period_action.text() == "&Choose the period…"
    window.activateWindow()
    window.choose_period_action.trigger()
    combo = window.period_combo
    qtbot.waitUntil(lambda: combo.view().isVisible(), timeout=5000)
    assert QApplication.focusWidget() in (combo, combo.view())
    qtbot.keyClick(combo.view(), Qt.Key.Key_Down)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.period == "2026-S2", timeout=5000)
    wait_idle(qtbot, window.session)


def test_ctrl_and_a_number_puts_the_focus_in_its_page(open_window, qtbot, hq_db):
    """Ctrl+1…8 showed the page and left the focus on the tab bar: one more Tab was
    needed before using the page."""
    from PySide6.QtWidgets import QApplication

    window = open_window(hq_db)
    window.activateWindow()
    window.tabs.tabBar().setFocus()
    for index in range(window.tabs.count()):
        window.go_to_tab(index)
        wait_idle(qtbot, window.session)
        page = window.tabs.widget(index)
        focused = QApplication.focusWidget()
        assert focused is not window.tabs.tabBar(), window.tabs.tabText(index)
        assert focused is None or page.isAncestorOf(focused), window.tabs.tabText(index)


def test_ctrl_and_a_number_puts_the_focus_in_a_page_built_by_it(open_window, qtbot,
                                                                office_db):
    """At an office, Ctrl+2 built the Dashboard and left the focus on the tab bar (its
    widgets were not shown yet); shown again, it went to the Dashboard itself, a
    scroll area that shows no focus. Now to its list; found by QA (a keyboard walk)."""
    from PySide6.QtWidgets import QApplication

    window = open_window(office_db)
    window.activateWindow()
    window.tabs.tabBar().setFocus()
    index = window.tabs.indexOf(window._dashboard_tab)
    assert not window._dashboard_tab.built()
    window.go_to_tab(index)
    wait_idle(qtbot, window.session)
    assert QApplication.focusWidget() is window.dashboard.missing
    window.go_to_tab(0)
    window.go_to_tab(index)
    assert QApplication.focusWidget() is window.dashboard.missing
    # and Tab does not stop on the page between the period and its list
    window.period_combo.setFocus()
    qtbot.keyClick(window.period_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.dashboard.missing


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_menu_title_chosen_with_the_keyboard_is_highlighted(open_window, qtbot,
                                                                office_db, lang):
    """After Alt, the arrows moved between the menu bar's titles with nothing on screen
    to say which was chosen (Fusion highlights one only while its menu is open), and in
    Arabic nothing changed at all on Alt; found by QA (a keyboard walk)."""
    from PySide6.QtGui import QPalette

    from ui.app import apply_language

    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(office_db)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        bar = window.menuBar()
        highlight = bar.palette().color(QPalette.ColorRole.Highlight)

        def lit(action) -> int:
            image = bar.grab(bar.actionGeometry(action)).toImage()
            return sum(1 for x in range(image.width()) for y in range(image.height())
                       if image.pixelColor(x, y) == highlight)

        titles = [a for a in bar.actions() if a.isVisible()]
        assert not any(lit(a) for a in titles)
        qtbot.keyPress(window, Qt.Key.Key_Alt)
        qtbot.keyRelease(window, Qt.Key.Key_Alt)
        assert bar.hasFocus() and bar.activeAction() is titles[0]
        assert lit(titles[0]) > 20 and not lit(titles[1])
        onward = Qt.Key.Key_Left if lang == "ar" else Qt.Key.Key_Right
        qtbot.keyClick(bar, onward)
        assert bar.activeAction() is titles[1]
        assert lit(titles[1]) > 20 and not lit(titles[0])
        qtbot.keyClick(bar, Qt.Key.Key_Escape)
        assert not any(lit(a) for a in titles)
    finally:
        apply_language(QApplication.instance(), "en")


# --- a second keyboard walk (office and HQ windows, Arabic and French) ---------------


def test_a_stray_enter_does_not_cancel_a_long_job(qtbot, hq_db):
    """Ctrl+P, Enter, Enter: the progress dialog's Cancel had the focus and was the
    default button, and the second Enter cancelled the status sheet being built.
    Escape still cancels; found by QA (a keyboard walk)."""
    import threading

    from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

    from tests.ui.test_session_close import _long_job
    from ui.ops import DbOp, Session

    session = Session(hq_db)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    started, seen = threading.Event(), []
    DbOp(session, parent, _long_job(started, seen)).with_progress("Making the report").run()
    qtbot.waitUntil(started.is_set, timeout=10_000)
    dialog = parent.findChild(QProgressDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)
    dialog.activateWindow()
    cancel = dialog.findChild(QPushButton)
    try:
        cancel.setFocus()
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            qtbot.keyClick(QApplication.focusWidget() or dialog, key)
        assert not seen and dialog.isVisible()
        assert not cancel.isDefault()
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
        wait_idle(qtbot, session)
        assert seen == [("cancelled", None)]
    finally:
        session.close()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_highlighted_action_is_the_one_shown(open_window, qtbot, office_db, lang):
    """Right from an action in Arabic (Left in French), or Up from an area's first one,
    goes to its area's heading, which cannot be chosen: the action's row lost its
    highlight while the report beside it was still that action's. The row shown stays
    highlighted; found by QA (a keyboard walk)."""
    from ui.app import apply_language
    from ui.office_view import ACTION_ROLE

    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(office_db)
        window.activateWindow()
        tree, editor = window.office_view.tree.tree, window.office_view.editor
        tree.setFocus()
        # (from the first area's heading: the plan has the keyboard from the start,
        # and whether Qt has made a row current yet as the focus came depends on when
        # the window was activated)
        wait_idle(qtbot, window.session)
        tree.setCurrentItem(tree.topLevelItem(0))
        for _ in range(2):
            qtbot.keyClick(tree, Qt.Key.Key_Down)
        wait_idle(qtbot, window.session)
        assert editor.action.code == "PA1.2"

        def highlighted() -> list[str]:
            return [item.data(0, ACTION_ROLE).code for item in tree.selectedItems()]

        assert highlighted() == ["PA1.2"]
        qtbot.keyClick(tree, Qt.Key.Key_Right if lang == "ar" else Qt.Key.Key_Left)
        wait_idle(qtbot, window.session)
        assert tree.currentItem().parent() is None  # (the heading: a second press folds it)
        assert editor.action.code == "PA1.2" and highlighted() == ["PA1.2"]
        qtbot.keyClick(tree, Qt.Key.Key_Down)
        wait_idle(qtbot, window.session)
        assert editor.action.code == "PA1.1" and highlighted() == ["PA1.1"]
        qtbot.keyClick(tree, Qt.Key.Key_Up)  # to the heading again
        assert editor.action.code == "PA1.1" and highlighted() == ["PA1.1"]
    finally:
        apply_language(QApplication.instance(), "en")


def test_a_list_reached_by_keyboard_has_a_current_row(open_window, qtbot, office_db):
    """The Dashboard's "Still missing" list, refilled at each refresh, had no current
    row: reached with the keyboard, nothing showed where the focus was, and the first
    Down went to the second row (Qt made the first current, unhighlighted). Now the
    row chosen before, or the first, is current and highlighted; found by QA (a
    keyboard walk)."""
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.go_to_tab(window.tabs.indexOf(window._dashboard_tab))
    wait_idle(qtbot, window.session)
    missing = window.dashboard.missing
    assert QApplication.focusWidget() is missing and missing.count() > 3

    def highlighted() -> list[int]:
        return [missing.row(item) for item in missing.selectedItems()]

    assert missing.currentRow() == 0 and highlighted() == [0]
    for _ in range(2):
        qtbot.keyClick(missing, Qt.Key.Key_Down)
    assert highlighted() == [2]
    window.period_combo.setFocus()
    window.dashboard.refresh()  # (cleared and filled again)
    wait_idle(qtbot, window.session)
    qtbot.keyClick(window.period_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is missing
    assert missing.currentRow() == 2 and highlighted() == [2]
    qtbot.keyClick(missing, Qt.Key.Key_Up)
    assert highlighted() == [1]


def test_the_inbox_gaps_reached_by_keyboard_have_a_current_row(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.activateWindow()
    page = window.hq_desk.inbox
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.gaps.count() == 1 and page.gaps.currentRow() == -1
    page.gaps.setFocus(Qt.FocusReason.TabFocusReason)
    assert page.gaps.currentRow() == 0 and page.gaps.currentItem().isSelected()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_language_menu_opens_on_the_language_in_use(open_window, qtbot, office_db, lang):
    """Settings ▸ Language opened by the keyboard with English highlighted, whatever the
    language in use: Enter went back to English. The checked one is highlighted; found
    by QA (a keyboard walk)."""
    from ui.app import apply_language

    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(office_db)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        english = window.language_group.actions()[0]
        [languages] = [w for w in english.associatedObjects() if w is not window]
        [settings] = [a.menu() for a in window.menuBar().actions()
                      if a.menu() is not None and languages.menuAction() in a.menu().actions()]
        window.menuBar().setActiveAction(settings.menuAction())
        qtbot.waitUntil(settings.isVisible)
        qtbot.keyClick(settings, Qt.Key.Key_Down)
        assert settings.activeAction() is languages.menuAction()
        qtbot.keyClick(settings, Qt.Key.Key_Left if lang == "ar" else Qt.Key.Key_Right)
        qtbot.waitUntil(languages.isVisible)
        qtbot.waitUntil(lambda: languages.activeAction() is not None
                        and languages.activeAction().data() == lang, timeout=2000)
        assert languages.activeAction().isChecked()
        qtbot.keyClick(languages, Qt.Key.Key_Escape)
        qtbot.keyClick(settings, Qt.Key.Key_Escape)
    finally:
        apply_language(QApplication.instance(), "en")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_f10_goes_to_the_menu_bar(open_window, qtbot, office_db, lang):
    """F10, which puts the keyboard in the menu bar on Windows and Linux desktops, did
    nothing. It now does what Alt does: the first title chosen, highlighted, its menu
    not open; Escape goes back; found by QA (a keyboard walk)."""
    from ui.app import apply_language

    apply_language(QApplication.instance(), lang)
    try:
        window = open_window(office_db)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        tree = window.office_view.tree.tree
        tree.setFocus()
        bar = window.menuBar()
        titles = [a for a in bar.actions() if a.isVisible()]
        qtbot.keyClick(tree, Qt.Key.Key_F10)
        assert bar.hasFocus() and bar.activeAction() is titles[0]
        assert not titles[0].menu().isVisible()
        qtbot.keyClick(bar, Qt.Key.Key_Down)  # its menu, as after Alt
        assert titles[0].menu().isVisible()
        qtbot.keyClick(titles[0].menu(), Qt.Key.Key_Escape)
        qtbot.keyClick(bar, Qt.Key.Key_Escape)
        assert QApplication.focusWidget() is tree
    finally:
        apply_language(QApplication.instance(), "en")


@pytest.mark.parametrize("built", [False, True])
def test_the_inbox_shown_puts_the_focus_in_its_bundles(open_window, qtbot, hq_with_a_key,
                                                       built):
    """The Inbox tab shown (Ctrl+3, or its tab clicked from a field of another
    page) put the focus in the Gaps list above the bundles, most days one line ("No
    gaps: …") with nothing to do in it. Now in the bundles' table, the page built as
    it is shown or before; Tab still goes through the page in its order, the gaps
    first; found by QA (a keyboard walk)."""
    window = open_window(hq_with_a_key[0])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    index = window.tabs.indexOf(window._inbox_tab)
    if built:
        window._inbox_tab.page()
        wait_idle(qtbot, window.session)
    window.office_view.tree.tree.setFocus()
    window.tabs.setCurrentIndex(index)  # (from a field of the Progress page)
    wait_idle(qtbot, window.session)
    page = window._inbox_tab.page()
    assert QApplication.focusWidget() is page.view
    window.go_to_tab(0)
    window.go_to_tab(index)
    assert QApplication.focusWidget() is page.view
    window.period_combo.setFocus()
    qtbot.keyClick(window.period_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.gaps
    qtbot.keyClick(page.gaps, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.view


@pytest.mark.parametrize("how", ["tab", "ctrl+number"])
@pytest.mark.parametrize("built", [False, True])
def test_the_inbox_shown_gives_the_focus_to_its_bundles_only(open_window, qtbot,
                                                             hq_with_a_key, built, how):
    """The Inbox built before it is shown (a look at it), then shown from a field of
    the Progress page: Qt put the focus in the Gaps list for a moment before the
    window moved it to the bundles (a screen reader said "Gaps"). The bundles' table
    is the first of the page to have it now; by Ctrl+number, the first field at all
    (not the toolbar's Period list on the way)."""
    window = open_window(hq_with_a_key[0])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    index = window.tabs.indexOf(window._inbox_tab)
    if built:
        window._inbox_tab.page()
        wait_idle(qtbot, window.session)
    window.office_view.tree.tree.setFocus()
    page = window._inbox_tab.page() if built else None
    focused = []
    QApplication.instance().focusChanged.connect(lambda _old, new: focused.append(new))
    if how == "tab":
        window.tabs.setCurrentIndex(index)
    else:
        window.go_to_tab(index)
    wait_idle(qtbot, window.session)
    page = window._inbox_tab.page()
    assert QApplication.focusWidget() is page.view
    assert [w for w in focused if page.isAncestorOf(w)] == [page.view]
    if how != "tab":
        assert focused == [page.view]
    window.period_combo.setFocus()  # Tab still stops at the gaps, first of the page
    qtbot.keyClick(window.period_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.gaps


def test_the_progress_page_starts_in_the_plan(open_window, qtbot, office_db):
    """At a start the focus was on the tab bar (where it shows nowhere) and Ctrl+1 put
    it in the Level filter: the plan is where the keyboard starts now, its filters
    before it in the Tab order, the report after it; found by QA (a keyboard walk)."""
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    plan = window.office_view.tree
    assert QApplication.focusWidget() is plan.tree
    window.go_to_tab(window.tabs.indexOf(window._dashboard_tab))
    wait_idle(qtbot, window.session)
    window.go_to_tab(0)
    assert QApplication.focusWidget() is plan.tree
    qtbot.keyClick(plan.tree, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is plan.status
    qtbot.keyClick(plan.status, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is plan.level
    qtbot.keyClick(plan.level, Qt.Key.Key_Tab)
    qtbot.keyClick(plan.status, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is plan.tree


def test_enter_on_a_missing_line_opens_its_report(open_window, qtbot, office_db):
    """The dashboard says "PA1.2 — to fill in: percent, …": Enter on that line opens
    PA1.2's report of that period, the keyboard in its first field (staff looked for
    the action in the plan by hand, and the list's lines did nothing)."""
    from PySide6.QtWidgets import QApplication

    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    with open_replica(office_db) as rep:
        code = rep.plan().actions_of(level="national")[1].code
        record_progress(rep, code, "2026-S1", status="on-track")
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.set_period("2026-S1")
    window.go_to_tab(window.tabs.indexOf(window._dashboard_tab))
    wait_idle(qtbot, window.session)
    missing = window.dashboard.missing
    assert QApplication.focusWidget() is missing
    row = next(i for i in range(missing.count())
               if missing.item(i).text().startswith(code + " · ")
               and " — to fill in: " in missing.item(i).text())
    for _ in range(row):
        qtbot.keyClick(missing, Qt.Key.Key_Down)
    assert missing.currentRow() == row
    qtbot.keyClick(missing, Qt.Key.Key_Return)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code
                    and editor.status.isEnabled(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.tabs.currentWidget() is not window._dashboard_tab
    assert window.period == "2026-S1" and editor.period == "2026-S1"
    assert QApplication.focusWidget() is editor.status


@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("built", [False, True])
def test_ctrl_tab_goes_to_the_next_page_straight(open_window, qtbot, office_db, built,
                                                 backwards):
    """Ctrl+Tab (Ctrl+Shift+Tab) from a field of a page: the keyboard went through the
    toolbar's Period list as the page left was hidden (a screen reader said "Period")
    before the next page's first field. Now straight there, as Ctrl+number does."""
    window = open_window(office_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    target = 1 if not backwards else window.tabs.count() - 1
    tab = window.tabs.widget(target)
    if built:
        tab.page()
        wait_idle(qtbot, window.session)
    window.office_view.first_focus.setFocus()
    focused = []
    QApplication.instance().focusChanged.connect(lambda _old, new: focused.append(new))
    modifiers = Qt.KeyboardModifier.ControlModifier
    if backwards:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(QApplication.focusWidget(),
                   Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab, modifiers)
    wait_idle(qtbot, window.session)
    assert window.tabs.currentIndex() == target
    page = tab.page()
    assert QApplication.focusWidget() is not None
    assert page.isAncestorOf(QApplication.focusWidget())
    assert window.period_combo not in focused
    # (the Conflicts page, read after it was shown, holds none: from its table to the
    # sentence saying so, not through the tab bar)
    assert all(page.isAncestorOf(w) for w in focused), focused
