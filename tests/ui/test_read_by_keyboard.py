"""What a screen says, reached and told apart without a mouse (a second accessibility
review): after a job the focus is on what it said, never pushed on to a Cancel or a
Close that Enter then pressed; read-only text has a caret; the versions of a conflict
are named by their computer and say where they differ; a hidden report's reason and
values are reached with Tab."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QWidget,
)

from tests.ui.conftest import backups_checked, wait_idle
from ui.qtcompat import Qt

KEYBOARD = Qt.TextInteractionFlag.TextSelectableByKeyboard


def shown(qtbot, dialog: QDialog) -> QDialog:
    """``dialog`` on screen and active, as a person has it in front of them."""
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def read_by_keyboard(label: QLabel) -> bool:
    """Reached with Tab, and its text selected and copied with the keyboard."""
    return (label.focusPolicy() == Qt.FocusPolicy.StrongFocus
            and bool(label.textInteractionFlags() & KEYBOARD))


def framed(label: QLabel) -> bool:
    """Whether ``label`` shows that it has the focus: a frame in the selection's colour
    (a caret alone is hard to see), and none without the focus."""
    from PySide6.QtGui import QPalette

    def edge() -> str:
        return label.grab().toImage().pixelColor(0, label.height() // 2).name()

    highlight = label.palette().color(QPalette.ColorRole.Highlight).name()
    focused = edge()
    label.clearFocus()
    unfocused = edge()
    label.setFocus()
    return label.hasFocus() and focused == highlight and unfocused != highlight


def rejected_by(qtbot, dialog: QDialog, *keys: Qt.Key) -> bool:
    """Whether any of ``keys``, pressed where the focus is, closes ``dialog``."""
    rejected: list[int] = []
    dialog.rejected.connect(lambda: rejected.append(1))
    for key in keys:
        qtbot.keyClick(dialog.focusWidget(), key)
    return bool(rejected)


# --- the first-run screen and the restore: a failure keeps fieldplan open ------------


def test_after_a_failed_setup_the_error_has_the_focus_and_enter_does_not_quit(
        qtbot, tmp_path):
    """Each button disabled in turn passed the focus on, to Cancel at last, which then
    was the default button: Enter (or Space) after a failed setup quit fieldplan, and
    the error, on a label out of reach of Tab, was never read."""
    from ui.first_run import FirstRunDialog

    dialog = shown(qtbot, FirstRunDialog(tmp_path / "fieldplan.sqlite3"))
    bad = tmp_path / "ML-setup.fieldplan"
    bad.write_bytes(b"not a zip")
    dialog.setup_button.setFocus()
    dialog.setup_from(str(bad))
    assert dialog.focusWidget() is dialog.message  # "Preparing the database…"
    qtbot.waitUntil(dialog.setup_button.isEnabled, timeout=10_000)
    assert dialog.message.text() == "Not a fieldplan bundle (not a ZIP archive)"
    assert dialog.focusWidget() is dialog.message and read_by_keyboard(dialog.message)
    assert framed(dialog.message)
    assert not rejected_by(qtbot, dialog, Qt.Key.Key_Return, Qt.Key.Key_Space)
    # Cancel quits: Enter never presses it, even when Tab put the focus on it
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setFocus()
    assert not rejected_by(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.isVisible()


def test_before_anything_is_said_the_message_is_no_stop_for_tab(qtbot, tmp_path):
    from ui.first_run import FirstRunDialog

    dialog = shown(qtbot, FirstRunDialog(tmp_path / "fieldplan.sqlite3"))
    assert dialog.message.text() == ""
    assert dialog.message.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_after_a_failed_restore_the_error_has_the_focus_not_close(qtbot, hq_db, tmp_path,
                                                                   monkeypatch):
    """Restore disabled while it ran passed the focus to Close, the default button
    then: the error went unread, and Enter closed the dialog (and fieldplan)."""
    from fieldplan import store
    from fieldplan.errors import StoreError
    from tests.ui.test_cannot_open import backups_for, damage
    from ui.first_run import CannotOpenDialog

    backups_for(hq_db, tmp_path, usable=True)
    damage(hq_db)

    def fails(_path, **_kw):
        raise StoreError("the backups folder cannot be read")

    monkeypatch.setattr(store, "restore_latest_backup", fails)
    dialog = shown(qtbot, CannotOpenDialog(hq_db, "the file is damaged",
                                           store.list_backups(hq_db)))
    backups_checked(qtbot, dialog)
    assert not dialog.message.focusPolicy() & Qt.FocusPolicy.TabFocus  # nothing said yet
    dialog.restore_button.setFocus()
    qtbot.keyClick(dialog.restore_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "cannot be read" in dialog.message.text(), timeout=10_000)
    # (its thread ends just after it says so: waited for, on a loaded machine too)
    qtbot.waitUntil(lambda: not dialog._job.worker.isRunning(), timeout=10_000)
    assert dialog.focusWidget() is dialog.message and read_by_keyboard(dialog.message)
    assert not rejected_by(qtbot, dialog, Qt.Key.Key_Return)
    assert dialog.isVisible()
    # (Return may have pressed Restore again: that thread, too, is waited for)
    qtbot.waitUntil(lambda: not dialog._job.worker.isRunning(), timeout=10_000)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_backups_checked_before_the_window_is_active_leave_no_caret(
        qtbot, hq_db, tmp_path, monkeypatch, lang):
    """A dialog shown tells the widget with its focus so (the message, "Checking the
    backups…") before its window is active; checked before it was (a small database,
    a busy window manager), Restore took the focus and the message, emptied, kept its
    caret, on a line of its own under Restore (seen in Arabic). The restore has the
    focus, and the empty line is not shown."""
    from fieldplan import store
    from tests.ui.test_cannot_open import backups_for, damage
    from ui import first_run
    from ui.app import apply_language

    own, _other = backups_for(hq_db, tmp_path, usable=True)
    damage(hq_db)
    answers = []
    monkeypatch.setattr(first_run, "check_off_thread",
                        lambda _dialog, _path, done, _backups: answers.append(done))
    apply_language(QApplication.instance(), lang)
    try:
        dialog = first_run.CannotOpenDialog(hq_db, "the file is damaged",
                                            store.list_backups(hq_db))
        qtbot.addWidget(dialog)
        dialog.show()  # (not active yet)
        assert dialog.focusWidget() is dialog.message
        [checked] = answers
        # (the check's answer, before the window is active)
        checked(first_run.BackupsFound((own,), own, store.backup_taken(own)))
        dialog.activateWindow()
        qtbot.waitActive(dialog)
        assert dialog.focusWidget() is dialog.restore_button
        assert dialog.message.text() == "" and not dialog.message.isVisible()
        dialog.grab().save(str(tmp_path / f"checked-{lang}.png"))
    finally:
        apply_language(QApplication.instance(), "en")


# --- read-only text: a caret the arrows move ------------------------------------------


def test_a_read_only_pane_is_read_and_selected_with_the_keyboard(qtbot):
    """Qt leaves a read-only text to the mouse: no caret, the arrows did nothing, and a
    narrative or a conflict's version could be neither read on nor copied in part."""
    from ui.conflict_versions import VersionText

    pane = VersionText("line one\nline two\nline three\n")
    qtbot.addWidget(pane)
    pane.show()
    pane.setFocus()
    qtbot.keyClick(pane, Qt.Key.Key_Down)
    assert pane.textCursor().position() == len("line one\n")
    qtbot.keyClick(pane, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert pane.textCursor().selectedText() == "line two"
    assert pane.isReadOnly()
    qtbot.keyClicks(pane, "x")
    assert pane.toPlainText() == "line one\nline two\nline three\n"


def test_every_read_only_pane_has_the_caret_and_an_editable_one_edits_again(qtbot):
    from ui.bidi_widgets import PlainTextEdit
    from ui.dialogs import ConfirmDialog, MessageDialog
    from ui.hidden_reports import HiddenReportView

    confirm = ConfirmDialog(None, "Remove", "Remove these?", details="PA1.1\nPA1.2")
    message = MessageDialog(None, "Done", "Written.", details="a.fieldplan\nb.fieldplan")
    hidden = HiddenReportView()
    for widget in (confirm, message, hidden):
        qtbot.addWidget(widget)
    panes = [confirm.details, *message.findChildren(PlainTextEdit), hidden.narrative]
    assert len(panes) == 3
    for pane in panes:
        assert pane.isReadOnly() and pane.textInteractionFlags() & KEYBOARD, pane
    # a report's narrative, read-only while it is submitted, is edited again once reopened
    pane = PlainTextEdit("typed")
    qtbot.addWidget(pane)
    pane.setReadOnly(True)
    pane.setReadOnly(False)
    assert pane.textInteractionFlags() == Qt.TextInteractionFlag.TextEditorInteraction


# --- the versions of a conflict, told apart by ear ---------------------------------------


def test_two_versions_alike_at_length_are_told_apart_by_computer_and_difference(
        open_window, qtbot, hq, make_office, tmp_path):
    """Same author, same minute, the same first sixty characters: both Keep buttons had
    one name, both panes were "Value", their difference only a yellow background."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.test_conflict_versions import conflicts_page, versions

    start = "We trained forty two district officers in the northern region this semester and "
    path, replica, _code = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"achievements": start + "it went well."},
        b={"achievements": start + "it went badly."})
    window, page = conflicts_page(open_window, qtbot, path)
    keeps, panes = page.keep_buttons, versions(page)
    assert len({b.accessibleName() for b in keeps}) == 2
    assert len({p.accessibleName() for p in panes}) == 2
    here = f"this computer ({replica[:8]})"
    for keep, pane in zip(keeps, panes, strict=True):
        computer = here if here in pane.accessibleName() else "computer "
        assert pane.accessibleName().startswith(f"Version written on {computer}")
        assert keep.accessibleName().startswith(f"Keep “{start[:20]}")
        assert f", written on {computer}" in keep.accessibleName()
    shown_now = [p.accessibleName().endswith(", shown now") for p in panes]
    assert sorted(shown_now) == [False, True]
    assert [k.accessibleName().endswith(", shown now") for k in keeps] == shown_now
    said = sorted(p.accessibleDescription() for p in panes)
    assert said == ["Differs at: “badly”", "Differs at: “well”"]
    assert sorted(k.accessibleDescription() for k in keeps) == said
    wait_idle(qtbot, window.session)


def test_where_a_version_lacks_words_the_words_around_are_said():
    from fieldplan.text import differing_spans
    from ui.conflict_versions import difference_said

    short, long = "Villages reached in May.", "Villages reached in May and June."
    short_spans, long_spans = differing_spans(short, long)
    assert difference_said(long, long_spans) == "Differs at: “and June”"
    assert difference_said(short, short_spans) == "Differs at: “reached in May … .”"
    assert difference_said("x" * 200, ((0, 200),)) == "Differs at: “" + "x" * 59 + "…”"
    assert difference_said("same", ()) == ""


# --- a report the plan hides: its reason and values reached with Tab --------------------


def test_a_hidden_reports_reason_and_values_are_reached_with_tab(qtbot, hq_db):
    """Why the plan hides a report and its period, status, percent were labels out of
    reach of Tab: from the plan, Tab went past them to the narrative."""
    from fieldplan import progress
    from fieldplan.replica import open_replica
    from ui.hidden_reports import HiddenReport, HiddenReportView

    with open_replica(hq_db) as rep:
        report, plan = progress.get_report(rep, "PA1.6", "2026-S1"), rep.plan()
    view = HiddenReportView()
    qtbot.addWidget(view)
    view.show_hidden(HiddenReport(report, ("action",)), plan)
    view.show()
    view.activateWindow()
    qtbot.waitActive(view)
    view.setFocus()
    assert view.focusWidget() is view
    said = []
    for _stop in range(6):
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
        focus = view.focusWidget()
        said.append(focus.accessibleName() or focus.text())
        if focus is view.narrative:
            break
    assert said[0].startswith("Hidden by the plan: the plan no longer has this action.")
    assert said[1:] == ["Period: 1st semester 2026", "Status: ● On track",
                        "Percent complete: 40%", "State: Draft · hidden by the plan",
                        "Report narrative"]
    assert all(read_by_keyboard(label) for label in view.findChildren(QLabel)
               if label.objectName().startswith("hidden-"))
    # said as the pane is entered, too
    assert view.accessibleDescription() == view.note.text()


# --- enrolling an office: the result is read where the focus is -------------------------


def enrol_dialog(open_window, qtbot, hq_db, folder: str):
    from ui.enrol import EnrolDialog

    window = open_window(hq_db)
    dialog = EnrolDialog(window.session, window.identity, window)
    dialog.choose("ML")  # (none is chosen at first)
    dialog.folder.setText(folder)
    shown(qtbot, dialog)
    return window, dialog


def test_after_writing_a_setup_bundle_the_focus_is_on_what_was_written(
        open_window, qtbot, hq_db, tmp_path):
    """Write was disabled while it wrote, and passed the focus to Close: where the
    bundle went, and what to do with it, was out of reach of the keyboard."""
    window, dialog = enrol_dialog(open_window, qtbot, hq_db, str(tmp_path))
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    assert dialog.message.text().startswith("Saved ")
    assert dialog.focusWidget() is dialog.message and read_by_keyboard(dialog.message)
    # Enter as it is read closes nothing and writes no second bundle
    assert not rejected_by(qtbot, dialog, Qt.Key.Key_Return)
    wait_idle(qtbot, window.session)
    assert [p.name for p in tmp_path.glob("*.fieldplan")] == [dialog.result_path.name]


def test_when_writing_a_setup_bundle_fails_the_focus_is_on_why(open_window, qtbot, hq_db,
                                                                tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    window, dialog = enrol_dialog(open_window, qtbot, hq_db, str(not_a_folder))
    dialog.ok.setFocus()
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert dialog.message.text() and not dialog.message.text().startswith("Writing")
    assert dialog.focusWidget() is dialog.message


def test_the_enrol_dialogs_message_is_no_stop_for_tab_before_it_says_something(
        open_window, qtbot, hq_db, tmp_path):
    """Tab from Browse stopped on the empty message line (a frame around nothing,
    read as nothing) before Write setup bundle."""
    window, dialog = enrol_dialog(open_window, qtbot, hq_db, str(tmp_path))
    assert dialog.message.text() == ""
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…")
    browse.setFocus()
    qtbot.keyClick(browse, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.ok
    dialog.office.setCurrentIndex(-1)
    qtbot.keyClick(dialog.ok, Qt.Key.Key_Space)  # (no office: it says so)
    assert dialog.message.text() == "Choose an office first."
    assert read_by_keyboard(dialog.message)
    wait_idle(qtbot, window.session)


def test_the_notes_of_setting_up_again_and_of_the_own_key_are_reached_with_tab(
        open_window, qtbot, office_db):
    from fieldplan.replica import open_replica
    from ui.own_key import OwnKeyDialog, read_own_key
    from ui.set_up_again import SetUpAgainDialog

    window = open_window(office_db)
    with open_replica(office_db) as rep:
        keys = read_own_key(rep)
    own = OwnKeyDialog(window.identity, keys, window, set_up=True)
    again = SetUpAgainDialog(window, office_db, 2)
    for dialog in (own, again):
        qtbot.addWidget(dialog)
    assert read_by_keyboard(own.set_up_note) and read_by_keyboard(own.hq_note)
    # each row's value too: the office's was the one Tab went past (found by QA)
    assert read_by_keyboard(own.office) and own.office.accessibleName() == "Office"
    assert read_by_keyboard(again.text)
    wait_idle(qtbot, window.session)


def test_the_offices_list_says_which_are_enrolled(open_window, qtbot, hq_db, tmp_path):
    """Headquarters could not tell in the Enrol dialog which offices it had enrolled:
    an office with a key here says "enrolled", one whose setup bundle is written and
    open "setup bundle written" (another setup bundle is still right for a new
    computer of either)."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office

    with open_replica(hq_db) as rep:
        enroll_office(rep, "SN", tmp_path / "SN-setup.fieldplan")
    window, dialog = enrol_dialog(open_window, qtbot, hq_db, str(tmp_path))
    wait_idle(qtbot, window.session)

    def item(code: str) -> str:
        return dialog.office.itemText(dialog.office.findData(code))

    assert item("SN") == "SN · Senegal (setup bundle written)"
    assert item("ML") == "ML · Mali"
    dialog.choose("ML")
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    assert item("ML") == "ML · Mali (setup bundle written)"
    wait_idle(qtbot, window.session)


def test_an_office_whose_key_is_registered_is_enrolled(hq, make_office, tmp_path):
    from tests.scenes import send
    from ui.enrol import enrolment_states

    ml = make_office("ML")
    make_office("SN")
    assert enrolment_states(hq) == {"ML": "waiting", "SN": "waiting"}
    send(ml, hq, tmp_path)  # its first bundle: HQ registers its key
    assert enrolment_states(hq) == {"ML": "enrolled", "SN": "waiting"}


# --- the status bar's sync words, shortened in a narrow window ------------------------


def test_the_sync_words_a_narrow_window_shortens_are_read_from_the_view_menu(
        open_window, qtbot, hq_db):
    """A narrow window showed "3 conflicts · …": the rest (the last export, what
    headquarters holds, the tip's lines) was only in a tooltip, which the keyboard does
    not reach. View ▸ Sync details… shows it all, one item a line, to read and copy."""
    from types import SimpleNamespace

    from ui.dialogs import MessageDialog
    from ui.main_window import SYNC_SEPARATOR, sync_text

    window = open_window(hq_db)
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    state = SimpleNamespace(
        hq_has_at="", last_export={"at": "2026-11-27T23:15:36Z"},
        last_import={"at": "2026-11-27T23:16:40Z"}, gaps=[], quarantined=2, conflicts=3,
        restored=None, hq_only_count=4)
    window._show_sync_state(state)
    items = sync_text(state).split(SYNC_SEPARATOR)
    assert len(items) == 5 and items[-1].startswith("Last import")
    assert window.sync_label.text().endswith("…")  # the times left out
    (action,) = [a for m in window.menuBar().actions() for a in m.menu().actions()
                 if a.objectName() == "sync-details-action"]
    assert action.text() == "&Sync details…" and action.isEnabled()
    action.trigger()
    dialog = window.findChild(MessageDialog, "sync-details-dialog")
    assert dialog is not None and dialog.isVisible()
    lines = dialog.text.text().split("\n")
    # the status bar's items, then the tip's line on the office's other computers
    # (their times never broken across lines: no-break spaces, word joiners)
    assert [line.replace("\u2060", "").replace("\u00a0", " ") for line in lines[:5]] == items
    assert len(lines) == 6 and "other computers" in lines[5]
    assert read_by_keyboard(dialog.text)
    dialog.grab().save(str(window.session.db_path.with_name("sync-details.png")))
    dialog.accept()
    wait_idle(qtbot, window.session)


def focusable_and_empty(dialog: QDialog) -> list[QWidget]:
    """The widgets of ``dialog`` shown that a click or Tab gives the focus to and that
    say nothing: no text, no name."""
    found = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        text = getattr(widget, "text", None)
        if not (widget.accessibleName() or (callable(text) and text())):
            found.append(widget)
    return found


def test_the_restore_warning_and_saving_details_with_nothing_to_say(open_window, qtbot,
                                                                    hq_db):
    """Opened with nothing to say (nothing lost in a restore; nothing typed waiting to
    be saved, the menu item disabled a moment too late), their empty message was a
    place the focus went to (Tab, in Saving details; a click, in the restore
    warning) with nothing to read there. The restore warning shows none; Saving
    details says that all is saved."""
    from ui.dialogs import ConfirmDialog, MessageDialog

    window = open_window(hq_db)
    window.dismiss_lost_dialog()
    warning = window.findChild(ConfirmDialog, "dismiss-lost-dialog")
    assert warning.text.text() == "" and not warning.text.isVisibleTo(warning)
    assert focusable_and_empty(warning) == []
    warning.reject()
    assert not window.save_details_action.isEnabled()
    window.save_details_dialog()
    details = window.findChild(MessageDialog, "save-details-dialog")
    assert details.text.text() == "Everything typed is saved."
    assert read_by_keyboard(details.text) and focusable_and_empty(details) == []
    details.accept()
    wait_idle(qtbot, window.session)


def test_ctrl_q_quits_where_the_platform_has_no_quit_key(open_window, qtbot, hq_db):
    """File ▸ Quit has a key on every platform: Windows (as Qt's offscreen platform)
    gives Quit none, and the menu showed no shortcut."""
    from PySide6.QtGui import QKeySequence

    window = open_window(hq_db)
    wait_idle(qtbot, window.session)
    assert QKeySequence("Ctrl+Q") in window.quit_action.shortcuts()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


@pytest.mark.parametrize("tab", ["quarantine", "conflicts"])
def test_an_empty_pages_sentence_is_reached_with_tab(open_window, qtbot, hq_db, tab):
    """"No open conflicts.": the page's only words were no stop for Tab, so that a
    keyboard user found nothing on the page and a screen reader nothing to read."""
    window = open_window(hq_db)
    page = getattr(window.hq_desk, tab)
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.empty.is_empty()
    label = page.empty.label
    bar = window.tabs.tabBar()
    bar.setFocus()
    stops = []
    for _ in range(60):  # once round the window's Tab chain
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is bar:
            break
        stops.append(QApplication.focusWidget())
    assert label in stops
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard


@pytest.mark.parametrize("kind", ["confirm", "message"])
def test_a_dialogs_question_is_read_again_with_tab(qtbot, kind):
    """A question's text (Lock the period?, and what the lock leaves stuck) was no stop
    of Tab: only its buttons were, where the message's details were one; found by QA (a
    keyboard walk)."""
    from ui.dialogs import ConfirmDialog, MessageDialog

    if kind == "confirm":
        dialog = ConfirmDialog(None, "Lock period", "Lock 2026-S1? 4 drafts stay drafts.",
                               ok_text="&Lock", cautious=True)
    else:
        dialog = MessageDialog(None, "Sync", "Nothing was sent yet.")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    reached = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert dialog.text in reached and read_by_keyboard(dialog.text)
    # none for a dialog with nothing to say there
    empty = ConfirmDialog(None, "Title", "", details="A list")
    qtbot.addWidget(empty)
    assert empty.text.focusPolicy() != Qt.FocusPolicy.StrongFocus


@pytest.mark.parametrize("kind", ["error", "about"])
def test_an_error_and_about_are_read_again_with_tab(open_window, qtbot, hq_db, kind):
    """An error (Qt's message box) had OK for its only stop of Tab: its text, which
    names a file or a path to copy into a message, could not be reached or selected
    with the keyboard. So with Help ▸ About (the database's path); found by QA (a
    keyboard walk)."""
    window = open_window(hq_db)
    if kind == "error":
        window.show_error("Could not read ML-2026.fieldplan: the file is damaged.")
    else:
        window.about()
    name = f"{kind}-box"
    qtbot.waitUntil(lambda: window.findChild(QDialog, name) is not None, timeout=5000)
    dialog = window.findChild(QDialog, name)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    reached = [QApplication.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    labels = [w for w in reached if isinstance(w, QLabel)]
    assert labels and read_by_keyboard(labels[0])
    assert ("ML-2026.fieldplan" if kind == "error" else str(hq_db)) in labels[0].text()
    labels[0].setFocus()
    assert framed(labels[0])
    qtbot.keyClick(labels[0], Qt.Key.Key_Return)  # (OK is still the default)
    assert not dialog.isVisible()


def test_an_error_shows_the_warning_sign_and_about_does_not(open_window, qtbot, hq_db):
    """Errors became the app's own message dialog (its text reached with Tab), which
    had no sign: an error and a notice looked alike, where Qt's message box showed its
    warning sign beside an error; found by review."""
    window = open_window(hq_db)
    window.show_error("Could not read ML-2026.fieldplan: the file is damaged.")
    qtbot.waitUntil(lambda: window.findChild(QDialog, "error-box") is not None, timeout=5000)
    error = window.findChild(QDialog, "error-box")
    assert error.sign is not None and not error.sign.pixmap().isNull()
    assert error.sign.isVisibleTo(error)
    error.close()
    window.about()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "about-box") is not None, timeout=5000)
    assert window.findChild(QDialog, "about-box").sign is None


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter])
@pytest.mark.parametrize("details", ["", "ML-2026.fieldplan\nSN-2026.fieldplan"])
def test_space_and_enter_close_a_message_as_qts_message_box_did(qtbot, key, details):
    """A message (an error, About) opened with the focus on its text, the first of
    Tab's stops: Enter pressed OK, Space did nothing, where Qt's message box closed on
    both. The focus is on OK; the text is still reached with Tab and selectable."""
    from ui.dialogs import MessageDialog

    box = shown(qtbot, MessageDialog(None, "fieldplan",
                                     "Could not read ML-2026.fieldplan: the file is damaged.",
                                     details))
    ok = box.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert box.focusWidget() is ok  # (the window's, once it is the active one)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ok)
    reached = []
    while not reached or reached[-1] is not ok:  # (round Tab's stops, back to OK)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
        assert len(reached) < 5
    assert box.text in reached and read_by_keyboard(box.text)
    finished = []
    box.finished.connect(finished.append)
    qtbot.keyClick(ok, key)
    assert finished == [QDialog.DialogCode.Accepted]
