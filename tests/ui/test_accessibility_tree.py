"""What a screen reader finds in the windows, read from Qt's accessibility tree (the
interfaces NVDA and Orca are given, not the widgets): every stop of the keyboard has a
name that says something, a label reached with Tab says what it shows, and what a
filter leaves is said once the typing stops (an accessibility review, offscreen)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from tests.ui.conftest import backups_checked, wait_idle
from tests.ui.test_mnemonics import desk_db, desk_world  # noqa: F401

#: stops of the keyboard that may go without a name, by class and object name, each
#: with why. None needs to at present: a widget added here must say why a screen
#: reader has nothing to say of it.
ALLOWED: dict[tuple[str, str], str] = {}


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _name(face, widget: QWidget) -> str:
    """The name a screen reader says with ``widget``. A combo box's is its own or its
    label's (a buddy beside it): on Linux Qt names a combo by its current item, which
    Orca says as its value, and on Windows a buddy that is not beside it names nothing
    (Qt looks for one among the widget's siblings only)."""
    if isinstance(widget, QComboBox):
        labels = face.relations(QAccessible.RelationFlag.Label)
        return widget.accessibleName() or " ".join(
            other.text(QAccessible.Text.Name) for other, _relation in labels)
    return face.text(QAccessible.Text.Name)


def unsaid(top: QWidget) -> list[str]:
    """What a screen reader would say as nothing in ``top``'s accessibility tree: a stop
    of the keyboard with no name, or one made of signs alone ("…", "—"); a label
    reached with Tab whose name hides what it shows (its text said in neither its name
    nor its description). (A list or table is one stop: its rows are read apart.)"""
    found: list[str] = []

    def walk(face) -> None:
        if face is None or not face.isValid():
            return
        state, widget = face.state(), face.object()
        if not isinstance(widget, QWidget) or state.invisible:
            return
        what = f"{type(widget).__name__} {widget.objectName()!r}"
        if state.focusable and (type(widget).__name__, widget.objectName()) not in ALLOWED:
            name = _name(face, widget)
            if not _letters(name):
                found.append(f"{what}: no name ({name!r})")
            elif isinstance(widget, QLabel) and widget.accessibleName():
                shown = _letters(widget.text())
                said = _letters(name + face.text(QAccessible.Text.Description))
                if shown not in said:
                    found.append(f"{what}: named {name!r}, its text {widget.text()!r} unsaid")
        if face.role() in (QAccessible.Role.Table, QAccessible.Role.Tree,
                           QAccessible.Role.List):
            return  # (its rows: tests.ui.test_screen_reader, the headings)
        for i in range(face.childCount()):
            walk(face.child(i))

    walk(QAccessible.queryAccessibleInterface(top))
    return found


def _pages(window, qtbot) -> dict[str, list[str]]:
    from tests.ui.test_screen_reader import _pages as pages

    return pages(window, qtbot, unsaid)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_stop_of_the_keyboard_says_something(
        lang, language, open_window, desk_db, desk_world, office_db, pack_pdf,  # noqa: F811
        qtbot, tmp_path):
    """Headquarters' window, each page with its rows and a report open, each dialog of
    its menus and buttons (tests.ui.test_mnemonics), the file chooser of Import, the
    first-run, cannot-open, opening and preview windows, and an office's window."""
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.ui.test_mnemonics import _new_dialog, _window_dialogs
    from ui.first_run import CannotOpenDialog, FirstRunDialog
    from ui.report_preview import PreviewWindow, ReportRequest
    from ui.wait_sign import WaitSign

    language(lang)
    window = open_window(desk_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.office_view.select_action("PA1.6")
    found = _pages(window, qtbot)
    dialogs = _window_dialogs(window, qtbot, tmp_path)
    dialogs["import: the files chosen"] = window.import_dialog
    dialogs["sync details"] = window.sync_details_dialog
    dialogs["set up again"] = window.set_up_again_dialog

    gone = tmp_path / "gone" / "hq.sqlite3"  # its backup is there, the database not
    gone.parent.mkdir()
    shutil.copy(desk_db, gone)
    with open_replica(gone) as rep:
        store.backup(rep.conn, gone, "test")
    damaged = gone.with_name("damaged.sqlite3")
    damaged.write_bytes(b"not a database")
    backups = store.list_backups(gone)
    gone.unlink()
    dialogs.update({
        "first run": lambda: FirstRunDialog(tmp_path / "new.sqlite3"),
        "first run, a setup bundle given": lambda: FirstRunDialog(
            tmp_path / "new.sqlite3", given=str(desk_world / "sn-setup.fieldplan")),
        "first run, a backup left": lambda: backups_checked(qtbot, FirstRunDialog(gone)),
        "cannot open": lambda: backups_checked(
            qtbot, CannotOpenDialog(damaged, "damaged", backups)),
        "opening the database": lambda: WaitSign(str(damaged)),
        "preview of a review pack": lambda: PreviewWindow(
            None, pack_pdf, ReportRequest("pack", "2026-S1")),
    })
    for name, start in dialogs.items():
        dialog = _new_dialog(qtbot, start)
        QApplication.processEvents()
        if bad := unsaid(dialog):
            found[name] = bad
        dialog.reject()
        dialog.close()  # (the opening sign is no QDialog to reject)
    wait_idle(qtbot, window.session)
    office = open_window(office_db)
    found.update({f"office: {k}": v for k, v in _pages(office, qtbot).items()})
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_stop_of_an_offices_dialogs_says_something(lang, language, open_window,
                                                         office_db, qtbot):
    """The dialogs of an office's window, which differ from headquarters' (Export and
    Prepare for email to headquarters alone, no enrolment, no lock), each as it opens:
    the walk above opens headquarters' only. The Export dialog's empty message line was
    a stop of the keyboard that said nothing there (a click gave it a caret on an empty
    line), where headquarters' had none until it said something."""
    from tests.ui.test_mnemonics import _new_dialog
    from tests.ui.test_screen_reader import unnamed

    language(lang)
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.office_view.select_action("PA1.1")
    wait_idle(qtbot, window.session)
    found = {}
    for name, start in {
        "export": window.export_dialog,
        "email": window.email_dialog,
        "status sheet": lambda: window.report_dialog("sheet"),
        "export table": window.table_dialog,
        "own key": window.own_key_dialog,
        "about": window.about,
        "sync details": window.sync_details_dialog,
        "saving details": window.save_details_dialog,
        "set up again": window.set_up_again_dialog,
        "restore warning": window.dismiss_lost_dialog,
    }.items():
        dialog = _new_dialog(qtbot, start)
        QApplication.processEvents()
        if bad := unsaid(dialog) + unnamed(dialog):
            found[name] = bad
        dialog.reject()
        wait_idle(qtbot, window.session)
    assert found == {}


def test_the_walk_finds_a_stop_that_says_nothing(qtbot):
    """(the check itself) An icon-only button, a field whose label is not its buddy, a
    combo box named by its item alone, a label whose name hides its text."""
    from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton

    top = QWidget()
    qtbot.addWidget(top)
    lay = QHBoxLayout(top)
    button = QPushButton("…")
    field = QLineEdit()
    lay.addWidget(QLabel("Folder"))
    combo = QComboBox()
    combo.addItem("English")
    label = QLabel("C:/fieldplan/hq.sqlite3")
    label.setFocusPolicy(label.focusPolicy().StrongFocus)
    label.setAccessibleName("Path of the file")
    for w in (button, field, combo, label):
        lay.addWidget(w)
    top.show()
    assert len(unsaid(top)) == 4
    button.setAccessibleName("Browse")
    buddy = QLabel("&Folder")
    buddy.setBuddy(field)
    lay.addWidget(buddy)
    combo.setAccessibleName("Language")
    label.setAccessibleDescription("C:/fieldplan/hq.sqlite3")
    assert unsaid(top) == []


# --- labels reached with Tab say what they show -------------------------------------


def _said(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    return " ".join((face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Description)))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_path_of_the_database_is_said(lang, language, qtbot, tmp_path):
    """The first run's path, reached with Tab, was named "Path of the database file":
    a name hides a label's text, and which file was never said."""
    from ui.first_run import FirstRunDialog

    language(lang)
    path = tmp_path / "fieldplan" / "hq.sqlite3"
    dialog = FirstRunDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    said = _said(dialog.path_label)
    assert said.startswith(dialog.path_label.accessibleName())
    assert str(path) in said  # as written: without the marks that lay it out in Arabic
    dialog.path_label.set_path("")
    assert dialog.path_label.accessibleDescription() == ""


def test_the_office_in_the_key_dialog_is_said(open_window, qtbot, office_db):
    """Help ▸ This computer's key: the office, reached with Tab, was said "Office" and
    never which."""
    from tests.ui.test_mnemonics import _new_dialog

    window = open_window(office_db)
    dialog = _new_dialog(qtbot, window.own_key_dialog)
    assert "SN · Senegal" in _said(dialog.office)
    dialog.reject()
    wait_idle(qtbot, window.session)


# --- what a filter leaves, said once the typing stops -------------------------------


def test_the_reports_left_by_a_search_are_said_once(open_window, qtbot, hq_db, announced):
    """Typing in Search narratives or choosing a filter changed "2 of 2" at the bar's
    end, away from the field: a screen reader heard nothing, the table maybe empty."""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.count.text() == "2 of 2" and announced == []
    qtbot.keyClicks(page.search, "Joint")
    assert page.count.text() == "1 of 2"
    qtbot.waitUntil(lambda: not page.said_count.waiting(), timeout=5000)
    assert announced == ["1 of 2"]  # once, not at each letter
    page.status.setCurrentIndex(page.status.findData("off-track"))
    qtbot.waitUntil(lambda: bool(announced[1:]), timeout=5000)
    assert announced == ["1 of 2", "0 of 2"]
    # left before it is said: not said over another page
    page.status.setCurrentIndex(0)
    window.show_page(window.office_view)
    assert not page.said_count.waiting()


def test_an_overview_filter_that_leaves_no_office_is_said(open_window, qtbot, hq_db,
                                                         announced):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    qtbot.keyClicks(page.office, "Atlantis")
    qtbot.waitUntil(lambda: not page.said_filtered.waiting(), timeout=5000)
    assert announced == ["No office matches these filters."]
    page.office.clear()  # offices again: the table says them, nothing more is said
    qtbot.waitUntil(lambda: not page.said_filtered.waiting(), timeout=5000)
    assert announced == ["No office matches these filters."]


# --- a result read through ----------------------------------------------------------


def test_the_setup_bundle_written_is_said_whole(open_window, qtbot, hq, tmp_path,
                                                announced):
    """Enrol an office…: the focus went to "Saved the setup bundle:", the message's first
    line, and a screen reader said that alone: the path was a stop of Tab further on,
    and what to do with the file (give it to the office; until when it sets up every
    computer) was reached by no key."""
    from tests.ui.test_dialog_fit import open_enrol_dialog

    window, dialog = open_enrol_dialog(open_window, qtbot, hq)
    dialog.choose("TD")
    (tmp_path / "setup").mkdir()
    dialog.folder.setText(str(tmp_path / "setup"))
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    said = announced[-1]
    assert said.startswith("Saved the setup bundle:")
    assert str(dialog.result_path) in said
    assert "Give it to " in said and "Every computer of TD can be set up" in said
    dialog.close()
    wait_idle(qtbot, window.session)


def test_a_plan_filter_that_leaves_no_action_is_said(open_window, qtbot, office_db,
                                                     announced):
    """Show ▸ Completed, at an office with no report: the plan emptied, beside the
    filter, and a screen reader said only "Completed"."""
    window = open_window(office_db)
    tree = window.office_view.tree
    tree.status.setCurrentIndex(tree.status.findData("completed"))
    assert tree.tree.topLevelItemCount() == 0
    qtbot.waitUntil(lambda: bool(announced), timeout=5000)
    assert announced == ["No action matches these filters."]
    tree.status.setCurrentIndex(0)  # every action again: nothing more said
    qtbot.waitUntil(lambda: not tree._said_filtered.waiting(), timeout=5000)
    assert announced == ["No action matches these filters."]


# --- a table's dashes in words ------------------------------------------------------


def test_the_keys_last_bundle_says_what_a_dash_stands_for(open_window, qtbot,
                                                         desk_db):  # noqa: F811
    """The Keys page showed "—" as the last bundle of a key that signed none merged
    here (headquarters' own): a screen reader said "em dash", or nothing."""
    from PySide6.QtCore import Qt

    from ui.models import KeysModel

    window = open_window(desk_db)
    keys = window.hq_desk.keys
    window.show_page(keys)
    model = keys.model
    qtbot.waitUntil(lambda: model.rowCount() > 1, timeout=5000)

    def cells(office: str) -> set:
        return {tuple(model.data(model.index(i, KeysModel.LAST_BUNDLE), role) for role in (
            Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole))
            for i in range(model.rowCount()) if model.row_at(i).office == office}

    assert cells("HQ") == {("—", "No bundle received", "No bundle received")}
    ml = cells("ML")
    assert ml and all(shown != "—" and said is None for shown, said, _tip in ml)
