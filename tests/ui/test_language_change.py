"""A language change makes the window again: the person goes on where they were in the
report (its undo steps, the cursor, the selection and the scrolling of its fields),
and an import under way ends with its outcome said, before the window changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication

from fieldplan.i18n import get_language
from fieldplan.progress import record_progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import block_worker
from tests.ui.test_office_work import choose, db_report
from tests.ui.test_sync_ui import accept_result, result_dialog

LINES = "\n".join(f"Line {n} of what the office met this semester" for n in range(1, 41))


def _opened(shell, qtbot, db):
    shell.start(db)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    return shell.window


def test_a_language_change_keeps_the_undo_steps_and_the_cursor(shell, qtbot, hq_db):
    """The editor was made again empty-handed: the undo steps were gone, and the
    cursor, the selection and the scrolling of the field the person was typing in went
    back to the start. They are all where they were, the steps named in French."""
    window = _opened(shell, qtbot, hq_db)
    editor = choose(window, qtbot, "PA1.6")
    challenges, steps = editor.narratives["challenges"], editor.narratives["next_steps"]
    challenges.setPlainText(LINES)
    window.save_action.trigger()
    steps.setPlainText("Meet the mission")
    window.save_action.trigger()
    wait_idle(qtbot, shell.session)
    window.undo_action.trigger()  # the next steps undone: one to redo
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").next_steps == "",
                    timeout=5000)
    wait_idle(qtbot, shell.session)
    window.activateWindow()
    challenges.setFocus()
    cursor = challenges.textCursor()
    cursor.setPosition(400)
    cursor.setPosition(420, cursor.MoveMode.KeepAnchor)  # twenty characters selected
    challenges.setTextCursor(cursor)
    challenges.verticalScrollBar().setValue(challenges.verticalScrollBar().maximum() // 2)
    scrolled = challenges.verticalScrollBar().value()
    assert scrolled > 0
    editor.percent.setCursorPosition(1)  # "4|0"

    shell.change_language("fr")
    try:
        new = shell.window
        assert new is not window
        editor = new.office_view.editor
        qtbot.waitUntil(lambda: editor.action is not None and editor.status.isEnabled()
                        and editor.narratives["challenges"].toPlainText() == LINES,
                        timeout=5000)
        wait_idle(qtbot, shell.session)
        challenges = editor.narratives["challenges"]
        cursor = challenges.textCursor()
        assert (cursor.anchor(), cursor.position()) == (400, 420)
        assert challenges.verticalScrollBar().value() == scrolled
        assert editor.percent.cursorPosition() == 1
        assert QApplication.focusWidget() is challenges
        # the two steps, one to undo and one to redo, named in French
        stack = new.undo_stack
        assert (stack.count(), stack.index()) == (2, 1)
        assert new.undo_action.isEnabled() and new.redo_action.isEnabled()
        assert new.redo_action.toolTip() == "Rétablir\u00a0: Prochaines étapes (PA1.6)"
        new.redo_action.trigger()
        qtbot.waitUntil(
            lambda: db_report(hq_db, "PA1.6", "2026-S1").next_steps == "Meet the mission",
            timeout=5000)
        assert editor.narratives["next_steps"].toPlainText() == "Meet the mission"
        wait_idle(qtbot, shell.session)
        new.undo_action.trigger()
        new.undo_action.trigger()
        qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "",
                        timeout=5000)
        wait_idle(qtbot, shell.session)
        assert not new.undo_action.isEnabled() or editor.dirty()
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def test_another_report_after_a_language_change_has_no_undo_steps(shell, qtbot, hq_db):
    """The steps taken over are the report's on screen: another report chosen then
    has none, as before."""
    window = _opened(shell, qtbot, hq_db)
    editor = choose(window, qtbot, "PA1.6")
    editor.narratives["challenges"].setPlainText("Words")
    window.save_action.trigger()
    wait_idle(qtbot, shell.session)
    shell.change_language("fr")
    try:
        new = shell.window
        wait_idle(qtbot, shell.session)
        assert new.undo_stack.count() == 1
        choose(new, qtbot, "PA3.6")
        assert new.undo_stack.count() == 0 and not new.undo_action.isEnabled()
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def _challenges_versions(db) -> list[tuple[str, int]]:
    with open_replica(db) as rep:
        return [tuple(row) for row in rep.conn.execute(
            "SELECT value, superseded FROM versions WHERE entity = 'progress' "
            "AND field = 'challenges' ORDER BY seq")]


def test_a_save_on_its_way_during_a_language_change_is_undone_over_what_it_wrote(
        shell, qtbot, hq_db):
    """The save the language change sends came back once the old editor was gone: its
    undo step, taken over by the new window, never learnt the version it wrote, and
    its undo wrote blindly over the field, replacing a value written since by
    another program instead of keeping it as a conflict (as it does without a
    language change)."""
    window = _opened(shell, qtbot, hq_db)
    editor = choose(window, qtbot, "PA1.6")
    release = block_worker(window)  # the save is on its way when the window goes
    editor.narratives["challenges"].setPlainText("Ours")
    shell.change_language("fr")
    try:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        release.set()
        wait_idle(qtbot, shell.session)
        new = shell.window
        assert new.undo_stack.count() == 1
        assert db_report(hq_db, "PA1.6", "2026-S1").challenges == "Ours"
        with open_replica(hq_db) as rep:  # the command line, meanwhile
            record_progress(rep, "PA1.6", "2026-S1", challenges="Theirs")
        new.undo_action.trigger()
        wait_idle(qtbot, shell.session)
        # the undo is a conflict with the value written since, which stays
        assert _challenges_versions(hq_db) == [('"Ours"', 1), ('"Theirs"', 0), ('""', 0)]
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def test_a_language_change_during_an_import_waits_for_its_outcome(shell, qtbot, hq_db,
                                                                  tmp_path):
    """The window was made again while the import ran: its progress and its outcome
    went with the old window, unsaid. The window says it changes once the work is
    done, the outcome is shown, and the window changes once it is closed."""
    window = _opened(shell, qtbot, hq_db)
    bundle = tmp_path / "invoice.fieldplan"
    bundle.write_bytes(b"not a bundle")
    release = block_worker(window)  # the import waits its turn: under way
    window.import_files([str(bundle)])
    shell.change_language("fr")
    assert shell.window is window and get_language() == "en"
    assert window.statusBar().whole_message() == (
        "The window changes to Français once the work under way is done.")
    release.set()
    dialog = result_dialog(window, qtbot)  # said, in the window it was asked in
    assert [o.outcome for o in dialog.outcomes] == ["rejected"]
    wait_idle(qtbot, shell.session)
    assert shell.window is window and get_language() == "en"
    accept_result(window, qtbot)
    qtbot.waitUntil(lambda: shell.window is not window, timeout=5000)
    try:
        assert get_language() == "fr"
        assert shell.window.menuBar().actions()[0].text() == "&Fichier"
        wait_idle(qtbot, shell.session)
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def test_a_language_chosen_back_during_an_import_changes_nothing(shell, qtbot, hq_db,
                                                                 tmp_path):
    window = _opened(shell, qtbot, hq_db)
    bundle = tmp_path / "invoice.fieldplan"
    bundle.write_bytes(b"not a bundle")
    release = block_worker(window)
    window.import_files([str(bundle)])
    shell.change_language("ar")
    shell.change_language("en")
    assert window.statusBar().whole_message() == ""
    release.set()
    accept_result(window, qtbot)
    wait_idle(qtbot, shell.session)
    assert shell.window is window and get_language() == "en"
    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_opening_the_language_menu_loads_the_other_languages_off_the_gui_thread(
        open_window, hq_db, qtbot, monkeypatch, tmp_path):
    """A change to a language not loaded yet compiled its catalog on the GUI thread
    (0.1 s the first time) before the window was made again: the other languages are
    loaded on a thread of their own once the Language menu opens."""
    import threading

    from PySide6.QtWidgets import QMenu

    from fieldplan import i18n

    window = open_window(hq_db)
    monkeypatch.setattr(i18n, "cache_dir", lambda: tmp_path / "locale")  # compiled anew
    i18n.clear_translation_cache()
    loads: list[tuple[str, int]] = []
    real = i18n._load

    def load(code: str):
        loads.append((code, threading.get_ident()))
        return real(code)

    monkeypatch.setattr(i18n, "_load", load)
    [menu] = [m for m in window.findChildren(QMenu) if m.title() == "&Language"]
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: {"fr", "ar"} <= {code for code, _ in loads}, timeout=10_000)
    assert all(thread != threading.main_thread().ident for _, thread in loads)
    qtbot.waitUntil(lambda: not any(t.name == "warm-languages" for t in threading.enumerate()),
                    timeout=10_000)
    i18n.translation("fr")  # the change finds it loaded
    assert [code for code, _ in loads].count("fr") == 1
    i18n.clear_translation_cache()  # (the next tests' catalogs from the real cache)


def _changes_receivers(session) -> int:
    from PySide6.QtCore import SIGNAL

    return session.receivers(SIGNAL("changes_did_happen(PyObject)"))


def test_the_pages_of_a_window_made_again_stop_hearing_of_changes(shell, qtbot, hq_db,
                                                                  monkeypatch):
    """Headquarters' Inbox, Quarantine and Keys pages listened to the session through
    lambdas, which outlive the window: after each language change every change read
    the pages of every window before it again, on the worker, for pages long gone
    (found by the soak test, tests/bench/soak_ui.py)."""
    from fieldplan.replica import Changes
    from ui.qtcompat import emit

    window = _opened(shell, qtbot, hq_db)
    heard = _changes_receivers(shell.session)
    for page in (window.inbox, window.hq_desk.quarantine, window.hq_desk.keys):
        window.show_page(page)
        wait_idle(qtbot, shell.session)
    assert _changes_receivers(shell.session) > heard
    window.go_to_tab(0)  # (the windows made again show the Progress tab, as at first)
    for lang in ("fr", "en"):
        shell.change_language(lang)
        qtbot.waitUntil(lambda: shell.window.isVisible(), timeout=10_000)
        wait_idle(qtbot, shell.session)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # the window shown now has built none of them: as many listen as when it opened
    assert _changes_receivers(shell.session) == heard
    # and a change reads none of the three pages gone again (counted by the pages'
    # own reading, not by the worker's jobs: the window's look at the database file,
    # every 2 s, may come meanwhile on a busy machine)
    from ui import hq_desk

    read = []
    for kind in (hq_desk.InboxPage, hq_desk.QuarantinePage, hq_desk.KeysPage):
        monkeypatch.setattr(kind, "refresh", lambda self, k=kind: read.append(k.__name__))
    emit(shell.session.changes_did_happen, Changes(entities=(("key", "*"),)))
    wait_idle(qtbot, shell.session)
    assert read == []


def test_a_number_refused_in_one_language_is_not_saved_as_another_reads_it(
        shell, qtbot, hq_db):
    """French "12.500" has two readings (twelve thousand five hundred, or 12,5) and is
    held back, unsaved; the window made again in English read the same text as 12.5 and
    saved it, the person unaware. It now waits for the person to type it again, saying
    why; what they type then is read in the language of the day."""
    _opened(shell, qtbot, hq_db)
    shell.change_language("fr")
    try:
        editor = choose(shell.window, qtbot, "PA3.6")
        field = editor.indicator_edits["advocacy-events"]
        field.setFocus()
        qtbot.keyClicks(field, "12.500")
        editor.save_now()
        assert editor.errors["value.advocacy-events"].isVisible()
        wait_idle(qtbot, shell.session)
        shell.change_language("en")
        new = shell.window
        editor = new.office_view.editor
        qtbot.waitUntil(lambda: "advocacy-events" in editor.indicator_edits, timeout=5000)
        wait_idle(qtbot, shell.session)
        assert editor.indicator_edits["advocacy-events"].text() == "12.500"
        editor.save_now()
        wait_idle(qtbot, shell.session)
        assert db_report(hq_db, "PA3.6", "2026-S1").value("advocacy-events") is None
        error = editor.errors["value.advocacy-events"]
        assert error.isVisible() and error.text() == (
            "When it was typed, in another language, 12.500 was not read as a number: "
            "type it again as you mean it.")
        # typed again: read in English
        field = editor.indicator_edits["advocacy-events"]
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, "12500")
        editor.save_now()
        qtbot.waitUntil(lambda: db_report(hq_db, "PA3.6", "2026-S1")
                        .value("advocacy-events") == 12500, timeout=5000)
        assert not error.isVisible()
        wait_idle(qtbot, shell.session)
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)



def test_a_language_change_keeps_the_focus_where_it_was(shell, qtbot, hq_db):
    """Out of the report, the window made again put the focus on the tab bar, which
    shows none in a new window: a person who chose the language with the keyboard on
    the plan, or in a page of headquarters, lost their place; found by QA (a keyboard
    walk)."""
    window = _opened(shell, qtbot, hq_db)
    window.activateWindow()
    where = (  # (page shown, widget focused) in the window of each language
        ("fr", lambda w: (w.office_view, w.office_view.tree.tree)),
        ("ar", lambda w: (w.hq_desk.overview, w.hq_desk.overview.office)),
        ("en", lambda w: (w.hq_desk.reports, w.hq_desk.reports.view)))
    try:
        for lang, place in where:
            window = shell.window
            page, widget = place(window)
            window.show_page(page)
            wait_idle(qtbot, shell.session)
            widget.setFocus()
            assert QApplication.focusWidget() is widget
            shell.change_language(lang)
            assert shell.window is not window
            qtbot.waitUntil(lambda p=place: QApplication.focusWidget() is p(shell.window)[1],
                            timeout=5000)
            wait_idle(qtbot, shell.session)
    finally:
        shell.change_language("en")


def test_a_language_change_keeps_the_conflict_chosen(shell, qtbot, hq, make_office,
                                                     tmp_path):
    """The Conflicts page chose its first conflict again, the one the person was reading
    forgotten (the Reports page kept its report); found by QA (a keyboard walk)."""
    from tests.scenes import laptops_in_conflict

    laptops_in_conflict(hq, make_office, tmp_path, actions=2, told="")
    path = hq.path
    hq.close()
    window = _opened(shell, qtbot, path)
    page = window.hq_desk.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.view.setFocus()
    page.view.selectRow(1)
    chosen = _chosen_conflict(page).id
    try:
        shell.change_language("fr")
        page = shell.window.hq_desk.conflicts
        qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
        wait_idle(qtbot, shell.session)
        assert _chosen_conflict(page).id == chosen
        assert page.view.currentIndex().row() == 1
    finally:
        shell.change_language("en")


def _chosen_conflict(page):
    from ui.hq_desk import ROW_ROLE

    return page.model.data(page.view.currentIndex(), ROW_ROLE)


def test_the_reports_search_takes_the_direction_of_each_language(shell, qtbot, hq_db):
    """The HQ Reports' search field takes its direction when it is made (``SearchField``):
    the window made again for Arabic has it read from the right, empty or holding a
    number kept from before, and the one made again for English from the left."""
    from tests.ui.test_narrative_direction import _line_direction

    window = _opened(shell, qtbot, hq_db)
    rtl, ltr = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight
    try:
        for lang, text, reads in (("ar", "", rtl), ("en", "2026", ltr), ("ar", "2026", rtl),
                                  ("en", "", ltr)):
            page = window.hq_desk.reports
            window.show_page(page)
            page.search.setText(text)
            wait_idle(qtbot, shell.session)
            shell.change_language(lang)
            assert shell.window is not window
            window = shell.window
            page = window.hq_desk.reports
            window.show_page(page)
            wait_idle(qtbot, shell.session)
            assert page.search.text() == text
            assert _line_direction(page.search) == reads, (lang, text)
    finally:
        shell.change_language("en")


class _Paints(QObject):
    """Counts the paints of the widget it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:  # (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_window_made_again_lays_out_and_paints_its_plan_once(shell, qtbot, hq_db):
    """Made again for a language change, the window's plan has its titles on two lines
    (ui.title_delegate) and its area headings before it is first painted. They came
    after, as at a start (where they wait for Qt's namespace), so the plan's rows were
    laid out and painted on one line each, then again on two, then again as headings,
    each row painted by Python: about 15 ms of processor more a language change at an
    office than before the titles had two lines."""
    from ui.title_delegate import TitleDelegate

    window = _opened(shell, qtbot, hq_db)
    qtbot.waitUntil(lambda: window.painted, timeout=10_000)
    shell.change_language("fr")
    try:
        new = shell.window
        assert new is not window and not new.painted
        tree = new.office_view.tree.tree
        assert isinstance(tree.itemDelegateForColumn(0), TitleDelegate)
        assert not tree.uniformRowHeights()
        area = tree.topLevelItem(0)
        assert area.flags() == Qt.ItemFlag.ItemIsEnabled  # a heading, not selectable
        paints = _Paints()
        tree.viewport().installEventFilter(paints)
        qtbot.waitUntil(lambda: new.painted, timeout=10_000)
        wait_idle(qtbot, shell.session)
        QApplication.processEvents()
        assert paints.count == 1
        assert isinstance(tree.itemDelegateForColumn(0), TitleDelegate)
    finally:
        shell.change_language("en")


def test_a_language_change_keeps_how_the_overview_and_the_reports_are_sorted(
        shell, qtbot, hq_db):
    """The Overview sorted by an area and the Reports by percent came back sorted as
    they open (by office, by period) in the window made again for another language,
    though their filters and search were kept; and at the next start too."""
    from ui.models import ReportTableModel

    window = _opened(shell, qtbot, hq_db)
    descending = Qt.SortOrder.DescendingOrder
    overview, reports = window.hq_desk.overview, window.hq_desk.reports
    window.show_page(overview)
    overview.view.sortByColumn(2, descending)
    window.show_page(reports)
    reports.scope.setCurrentIndex(reports.scope.findData(""))  # (all periods)
    reports.view.sortByColumn(ReportTableModel.PERCENT, descending)
    wait_idle(qtbot, shell.session)

    def sorted_by(view) -> tuple[int, Qt.SortOrder]:
        header = view.horizontalHeader()
        return header.sortIndicatorSection(), header.sortIndicatorOrder()

    try:
        shell.change_language("fr")
        window = shell.window
        wait_idle(qtbot, shell.session)
        reports = window.hq_desk.reports
        assert sorted_by(reports.view) == (ReportTableModel.PERCENT, descending)
        qtbot.waitUntil(lambda: reports.model.rowCount() > 1, timeout=5000)
        percents = [reports.model.row_at(r).percent or 0
                    for r in range(reports.model.rowCount())]
        assert percents == sorted(percents, reverse=True)
        overview = window.hq_desk.overview
        window.show_page(overview)
        assert sorted_by(overview.view) == (2, descending)
    finally:
        shell.change_language("en")
    # (as the window keeps them for the next start; a damaged value is left aside)
    window = shell.window
    wait_idle(qtbot, shell.session)
    kept = window.hq_desk.filters()
    assert kept["overview"]["sort"] == [2, "descending"]
    overview = window.hq_desk.overview
    overview.restore_filters({**kept["overview"], "sort": ["x", 7]})
    assert sorted_by(overview.view) == (2, descending)
