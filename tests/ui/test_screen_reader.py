"""What a screen reader (NVDA, Orca) is told: results and failures that appear away
from the focus are announced in words, and every field, button and table of the
windows and dialogs has a name (an accessibility review)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSlider,
    QTabBar,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)

from tests.ui.conftest import wait_idle
from tests.ui.test_mnemonics import desk_db, desk_world  # noqa: F401

#: what a person works with, by keyboard or by a screen reader's reading
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
               QTextEdit, QPlainTextEdit, QProgressBar, QSlider, QTabBar, QTabWidget)


def test_an_announcement_says_the_words_not_only_an_alert(qtbot, announced):
    """``announce`` sent an alert event alone: on Windows Qt plays the system's sound
    for it and tells UI Automation nothing, so NVDA never said "not saved"."""
    from ui.dialogs import announce

    label = QLabel("1 report not saved yet — retrying")
    qtbot.addWidget(label)
    label.setAccessibleName("Saving")
    label.setAccessibleDescription("PA1.6: the database is locked")
    announce(label)
    assert announced == ["Saving\n1 report not saved yet — retrying\n"
                         "PA1.6: the database is locked"]
    announce(label, "Saved the bundle")
    assert announced[-1] == "Saved the bundle"


def test_a_message_in_the_status_bar_is_said(open_window, qtbot, hq_db, announced):
    """"1 report submitted." was painted in the status bar's corner, away from the
    focus, and said to no one."""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window._submit("2026-S1")
    wait_idle(qtbot, window.session)
    assert "2 reports submitted." in announced
    # whole, where the bar has room for its start only
    window.resize(400, 600)
    long = "The plan was replaced: " + "a long sentence " * 20 + "end."
    window.statusBar().showMessage(long, 5000)
    assert window.statusBar().currentMessage() != long
    assert announced[-1] == long
    window.statusBar().clearMessage()


@pytest.mark.parametrize("email", [False, True])
def test_the_bundle_written_is_said_and_the_empty_message_is_no_stop_for_tab(
        open_window, qtbot, office_db, tmp_path, monkeypatch, announced, email):
    """The focus goes to Close once a bundle is written (Enter closes): "Saved the
    bundle …", its path and the email's subject were painted under the form and said
    to no one. Before it said anything, Tab stopped on the empty message between
    Browse and Save bundle."""
    from PySide6.QtWidgets import QPushButton

    from tests.ui.test_export_folders import export_to, no_volumes
    from ui.transfer import ExportDialog

    no_volumes(monkeypatch)
    monkeypatch.setattr("ui.transfer.open_folder", lambda folder: True)
    window = open_window(office_db)
    fresh = ExportDialog(window.session, window.identity, window, email=email)
    fresh.show()  # (deleted once closed)
    assert fresh.message.text() == ""
    browse = next(b for b in fresh.findChildren(QPushButton) if b.text() == "&Browse…")
    browse.setFocus()
    qtbot.keyClick(browse, Qt.Key.Key_Tab)
    assert fresh.focusWidget() is not fresh.message
    fresh.close()
    folder = tmp_path / "stick"
    folder.mkdir()
    dialog = export_to(window, qtbot, folder, email=email)
    said = dialog.said()
    assert said.startswith("Saved the bundle") and str(dialog.result_info.path) in said
    assert said in announced
    assert dialog.message.focusPolicy() & Qt.FocusPolicy.TabFocus  # read with Tab
    dialog.close()
    wait_idle(qtbot, window.session)


def test_why_no_bundle_was_written_is_said(open_window, qtbot, office_db, tmp_path,
                                           monkeypatch, announced):
    from tests.ui.test_export_folders import no_volumes
    from ui.transfer import ExportDialog

    no_volumes(monkeypatch)
    window = open_window(office_db)
    dialog = ExportDialog(window.session, window.identity, window)
    dialog.show()
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    dialog.folder.setText(str(not_a_folder))
    dialog.export()
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=5000)
    wait_idle(qtbot, window.session)
    assert dialog.message.text() and not dialog.message.text().startswith("Writing")
    assert dialog.message.text() in announced
    dialog.close()


# --- every window and dialog: nothing a screen reader would read as nothing ----------


def _named(widget: QWidget, buddies: set[int]) -> bool:
    """``widget`` has a name a screen reader says with it: its own, a label's whose
    buddy it is, or its text (a button's, a label's). A combo box's current item is
    not one: Orca reads it as the combo's name where nothing else names it."""
    if widget.accessibleName().strip() or id(widget) in buddies:
        return True
    if isinstance(widget, QComboBox):
        return False
    face = QAccessible.queryAccessibleInterface(widget)
    return face is not None and bool(face.text(QAccessible.Text.Name).strip())


def unnamed(top: QWidget) -> list[str]:
    """What ``top`` shows that a screen reader would read as nothing: a field, button,
    list, table, tab bar or progress bar with no name, a stop of Tab that says nothing,
    a table or tree column with no heading."""
    buddies = {id(label.buddy()) for label in top.findChildren(QLabel)
               if label.buddy() is not None}
    found = []
    for w in top.findChildren(QWidget):
        if not w.isVisibleTo(top) or isinstance(w, QHeaderView):
            continue
        if isinstance(w.parent(), (QComboBox, QAbstractSpinBox, QTabBar)):
            continue  # (parts of those, named with them)
        what = f"{type(w).__name__} {w.objectName()!r}"
        if isinstance(w, QLabel):
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and not _named(w, buddies):
                found.append(f"{what}: a stop of Tab that says nothing")
            continue
        if isinstance(w, INTERACTIVE) and not _named(w, buddies):
            found.append(f"{what}: no name")
        if isinstance(w, (QTableView, QTreeView)):
            model = w.model()
            for column in range(model.columnCount() if model is not None else 0):
                if w.isColumnHidden(column):
                    continue
                heading = model.headerData(column, Qt.Orientation.Horizontal)
                if not str(heading or "").strip():
                    found.append(f"{what}: column {column} has no heading")
    return found


def _pages(window, qtbot, look=None) -> dict[str, list[str]]:
    """What ``look`` (``unnamed`` by default) finds wrong on each page of ``window``,
    by the page's tab."""
    look = look or unnamed
    found = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        wait_idle(qtbot, window.session)
        QApplication.processEvents()  # (widgets added to a shown layout show queued)
        if bad := look(window):
            found[window.tabs.tabText(index)] = bad
    return found


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_nothing_in_the_windows_or_their_dialogs_goes_unnamed(
        lang, language, open_window, desk_db, office_db, qtbot, tmp_path):  # noqa: F811
    """Headquarters' window, each page with its rows and a report open, every dialog
    its menus and buttons open (tests.ui.test_mnemonics), and an office's window."""
    from tests.ui.test_mnemonics import _new_dialog, _window_dialogs

    language(lang)
    window = open_window(desk_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.office_view.select_action("PA1.6")
    found = _pages(window, qtbot)
    dialogs = _window_dialogs(window, qtbot, tmp_path)
    dialogs["sync details"] = window.sync_details_dialog
    dialogs["saving details"] = window.save_details_dialog
    dialogs["set up again"] = window.set_up_again_dialog
    for name, start in dialogs.items():
        dialog = _new_dialog(qtbot, start)
        QApplication.processEvents()
        if bad := unnamed(dialog):
            found[name] = bad
        dialog.reject()
    wait_idle(qtbot, window.session)
    office = open_window(office_db)
    found.update({f"office: {k}": v for k, v in _pages(office, qtbot).items()})
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_nothing_in_the_first_run_dialogs_goes_unnamed(
        lang, language, desk_world, qtbot, tmp_path):  # noqa: F811
    from tests.ui.test_mnemonics import _new_dialog
    from ui.first_run import FirstRunDialog

    language(lang)
    found = {}
    for name, start in {
        "first run": lambda: FirstRunDialog(tmp_path / "new.sqlite3"),
        "first run, a setup bundle given": lambda: FirstRunDialog(
            tmp_path / "new.sqlite3", given=str(desk_world / "sn-setup.fieldplan")),
    }.items():
        dialog = _new_dialog(qtbot, start)
        if bad := unnamed(dialog):
            found[name] = bad
        dialog.reject()
    assert found == {}


def test_a_progress_bar_says_what_it_measures(qtbot, hq_db):
    """"Progress bar, 2": the bar of a long job's dialog had no name."""
    import threading

    from PySide6.QtWidgets import QProgressBar, QProgressDialog

    from ui.ops import DbOp, Session

    session = Session(hq_db)
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    go_on, went = threading.Event(), threading.Event()

    def job(rep, progress, cancel):
        progress(1, 3, "Senegal")
        went.set()
        go_on.wait(10)

    DbOp(session, parent, job).with_progress("Writing a bundle for each office").run()
    dialog = parent.findChild(QProgressDialog)
    qtbot.waitUntil(lambda: went.is_set() and dialog.labelText() == "Senegal",
                    timeout=10_000)
    bar = dialog.findChild(QProgressBar)
    assert bar.accessibleName() == "Writing a bundle for each office"
    assert bar.accessibleDescription() == "Senegal"
    assert unnamed(dialog) == []
    go_on.set()
    wait_idle(qtbot, session)
    session.close()


def test_ctrl_s_says_whether_the_report_was_saved(open_window, qtbot, hq_db, announced):
    """Ctrl+S (Edit ▸ Save now) put "Saved." beside the report's title: seen, not
    heard. The saves made while typing are not said: each would cut into the typing."""
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
    window.save_now()
    wait_idle(qtbot, window.session)
    assert editor.saved_label.text() == "Saved."
    assert announced == ["Saved."]
    qtbot.keyClicks(editor.narratives["challenges"], " again")
    editor.save_now()  # (as the typing's timer does)
    wait_idle(qtbot, window.session)
    assert announced == ["Saved."]
    window.save_now()  # nothing waiting: said in the status bar
    assert announced[-1].startswith("Nothing waiting to be saved")


def test_ctrl_s_is_said_though_a_key_is_typed_before_it_returns(open_window, qtbot, hq_db,
                                                                 announced):
    """A key typed before Ctrl+S's save came back put "Unsaved changes…" there, which
    took the saying with it: "Saved." was never said (found by review)."""
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["challenges"]
    qtbot.keyClicks(box, "Visa delays")
    window.save_now()
    qtbot.keyClicks(box, "!")  # (before the save is back)
    wait_idle(qtbot, window.session)
    if editor.saved_label.text() != "Saved.":
        editor.save_now()  # (as the typing's timer does)
        wait_idle(qtbot, window.session)
    assert editor.saved_label.text() == "Saved."
    assert announced == ["Saved."]


def test_ctrl_s_on_a_report_left_before_it_returns_is_not_said_later(
        open_window, qtbot, hq_db, announced):
    """Ctrl+S, then another report chosen before the save came back: the saying stayed
    asked for, and the next save made as one types on the other report was said
    ("Saved." cutting into the typing, for a save no one asked for)."""
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
    window.save_now()
    assert window.office_view.tree.select("PA3.6")  # (before the save is back)
    qtbot.waitUntil(lambda: editor.action.code == "PA3.6" and editor.status.isEnabled(),
                    timeout=5000)
    wait_idle(qtbot, window.session)
    qtbot.keyClicks(editor.narratives["challenges"], "Fuel prices")
    editor.save_now()  # (as the typing's timer does)
    wait_idle(qtbot, window.session)
    assert editor.saved_label.text() == "Saved."
    assert announced == []


def test_a_key_refused_or_revoked_is_said(open_window, qtbot, desk_db,  # noqa: F811
                                          announced):
    """"Key refused; 1 bundle removed from quarantine." and "Key … revoked." were shown
    beside the buttons, away from the focus (back on the page once the question
    closed), and said to no one."""
    window = open_window(desk_db)
    quarantine = window.hq_desk.quarantine
    window.show_page(quarantine)
    qtbot.waitUntil(lambda: quarantine.selected() is not None, timeout=5000)
    quarantine.refuse(quarantine.selected().fingerprint)
    wait_idle(qtbot, window.session)
    assert quarantine.message.text().startswith("Key refused;")
    assert quarantine.message.text() in announced
    keys = window.hq_desk.keys
    window.show_page(keys)
    qtbot.waitUntil(lambda: keys.model.rowCount() > 1, timeout=5000)
    key = next(keys.model.row_at(i).key_id for i in range(keys.model.rowCount())
               if keys.model.row_at(i).office == "ML")
    keys.revoke(key)
    wait_idle(qtbot, window.session)
    assert keys.message.text().startswith(f"Key {key} revoked.")
    assert keys.message.text() in announced


def _said(widget: QWidget) -> str:
    """A screen reader's name and description of ``widget``, as it reads them."""
    face = QAccessible.queryAccessibleInterface(widget)
    return " ".join((face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description)))


def test_the_dashboards_figures_are_said_with_their_numbers(open_window, qtbot, hq_db):
    """A count was named by its status alone ("On track"): a name hides a label's text,
    and the number was never said. An area's bar said its percent but not how many of
    its actions have a report, on a label beside it that takes no focus; found by QA
    (a keyboard walk). (No stops of Tab are added for them: the page's one stop is its
    list, and a screen reader's review reads these widgets as named.)"""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    window.show_page(window.dashboard)
    wait_idle(qtbot, window.session)
    dashboard = window.dashboard
    assert dashboard.count_labels["on-track"].text() == "1"
    assert "On track" in _said(dashboard.count_labels["on-track"])
    assert "1" in _said(dashboard.count_labels["on-track"]).replace("On track", "")
    bars = dashboard.findChildren(QProgressBar)
    assert bars and all("action" in _said(bar) and "submitted" in _said(bar) for bar in bars)
    assert not any(bar.focusPolicy() & Qt.FocusPolicy.TabFocus for bar in bars)


def test_the_previews_page_is_said(qtbot, pack_pdf, announced):
    """"Page 1 of 3" was named "Page", which hid its text, and is no stop of Tab: a
    screen reader on the pages heard neither which page it was on nor, after Page Down,
    which it went to. The page view says it, and a turn of page is said; found by QA (a
    keyboard walk)."""
    from ui.report_preview import PreviewWindow, ReportRequest

    preview = PreviewWindow(None, pack_pdf, ReportRequest("pack", "2026-S1"))
    qtbot.addWidget(preview)
    preview.show()
    pages = preview.page_count()
    assert pages > 1
    assert f"Page 1 of {pages}" in _said(preview.page_label)
    assert f"Page 1 of {pages}" in _said(preview.view)
    preview.next_page()
    assert f"Page 2 of {pages}" in _said(preview.view)
    assert announced[-1] == f"Page 2 of {pages}"
    assert not preview.page_label.focusPolicy() & Qt.FocusPolicy.TabFocus
