"""What the status bar says of the drafts journal's reports: text an earlier session
left is said once it is saved (not as a failure), and a report holding only text
that is not valid says so, not that it is being retried."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import ui.report_editor
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import Locker, journal
from tests.ui.test_office_work import choose, db_report
from tests.ui.test_set_up_again_ui import shot

RED = "color: #a40000; font-weight: bold;"


def shown(label) -> str:
    """A label's text as read (a rich-text notice's links as their words)."""
    from PySide6.QtGui import QTextDocument

    if label.textFormat() != Qt.TextFormat.RichText:
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


@pytest.fixture
def said(monkeypatch) -> list[tuple[str, bool]]:
    """Everything the editors tell their window of what is saved, from the retry of
    what an earlier session left on."""
    seen: list[tuple[str, bool]] = []
    real = ui.report_editor.ReportEditor.resume_drafts

    def resume(self):
        self.save_state_did_change.connect(
            lambda text, _details, is_error: seen.append((text, is_error)))
        real(self)

    monkeypatch.setattr(ui.report_editor.ReportEditor, "resume_drafts", resume)
    return seen


def left_unsaved(open_window, qtbot, db) -> None:
    """A window closed while the database was locked: the typing is in the journal."""
    window = open_window(db)
    editor = choose(window, qtbot, "PA1.6")
    with Locker(db):
        qtbot.keyClicks(editor.narratives["challenges"], "Typed before the crash")
        window.close()
        window.session.close()
    assert journal(db)[("PA1.6", "2026-S1")]["values"] == {
        "challenges": "Typed before the crash"}


def test_text_recovered_at_start_is_said_once_saved(open_window, qtbot, hq_db, said):
    left_unsaved(open_window, qtbot, hq_db)
    said.clear()
    window = open_window(hq_db)  # the next start
    label = window.save_state_label
    notice = ("Recovered what was typed before fieldplan closed: PA1.6 (1st semester 2026) "
              "— saved")
    qtbot.waitUntil(lambda: shown(label) == notice, timeout=5000)
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == "Typed before the crash"
    assert label.isVisible() and label.styleSheet() != RED  # a notice, not an error
    # never said to be failing: nothing failed
    assert not [text for text, is_error in said if is_error], said
    # it stays while the person looks around, and goes once they save something
    editor = choose(window, qtbot, "PA3.6")
    assert shown(label) == notice
    qtbot.keyClicks(editor.narratives["challenges"], "New work")
    editor.save_now()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert journal(hq_db) == {}


def test_text_recovered_on_a_locked_database_is_a_failure_until_saved(
    open_window, qtbot, hq_db, said
):
    left_unsaved(open_window, qtbot, hq_db)
    with Locker(hq_db):
        window = open_window(hq_db)
        label = window.save_state_label
        qtbot.waitUntil(lambda: label.text() == "1 report not saved yet — retrying",
                        timeout=5000)
        assert label.textFormat() == Qt.TextFormat.PlainText  # a failure has no links
        assert label.styleSheet() == RED
    qtbot.waitUntil(lambda: shown(label).startswith("Recovered what was typed"), timeout=5000)
    assert label.styleSheet() != RED
    wait_idle(qtbot, window.session)


def test_a_report_holding_only_text_not_valid_is_not_said_to_be_retried(
    open_window, qtbot, hq_db
):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "abc")
    editor.save_now()
    choose(window, qtbot, "PA3.6")  # left with the text held back
    label = window.save_state_label
    held = "PA1.6 (1st semester 2026): not valid, kept unsaved — open it to correct"
    qtbot.waitUntil(lambda: label.text() == held, timeout=5000)
    assert journal(hq_db)[("PA1.6", "2026-S1")]["held"] == {"percent": "abc"}
    window.close()
    window.session.close()

    window = open_window(hq_db)  # and at the next start
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == held, timeout=5000)
    assert "retrying" not in label.text()
    # nothing is retried for it: it waits for the person
    assert not window.office_view.editor._retry.timer.isActive()
    editor = choose(window, qtbot, "PA1.6")  # opened: the text is there to correct
    assert editor.percent.text() == "abc" and editor.errors["percent"].isVisible()
    assert not label.isVisible()


def test_reports_holding_text_not_valid_are_named(open_window, qtbot, hq_db):
    """Two or more said only how many ("2 reports hold text that is not valid … open
    them to correct"): which, only the tooltip said."""
    window = open_window(hq_db)
    for code in ("PA1.6", "PA2.6"):
        editor = choose(window, qtbot, code)
        editor.percent.selectAll()
        qtbot.keyClicks(editor.percent, "abc")
        editor.save_now()
    choose(window, qtbot, "PA3.6")  # both left with the text held back
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == (
        "2 reports hold text that is not valid, kept unsaved — open them to correct: "
        "PA1.6 (1st semester 2026), PA2.6 (1st semester 2026)"), timeout=5000)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_recovered_report_is_a_link_that_opens_it(lang, qapp, open_window, qtbot,
                                                       hq_db, tmp_path):
    """The notice names the reports recovered as links: Tab reaches them from the
    window, Enter opens the report in the editor (its period, its action, the Progress
    tab), as a click does. Before, it was plain text."""
    from ui.app import apply_language
    from ui.report_editor import report_link

    left_unsaved(open_window, qtbot, hq_db)
    apply_language(qapp, lang)
    try:
        window = open_window(hq_db)  # the next start
        label = window.save_state_label
        qtbot.waitUntil(lambda: "Typed" not in str(journal(hq_db)) and label.isVisible()
                        and label.textFormat() == Qt.TextFormat.RichText, timeout=5000)
        assert f'href="{report_link(("PA1.6", "2026-S1"))}"' in label.text()
        if lang == "en":
            assert shown(label) == ("Recovered what was typed before fieldplan closed: "
                                    "PA1.6 (1st semester 2026) — saved")
        window.resize(1100, 500)
        shot(window, f"recovered-link-{lang}.png")
        # somewhere else: another report, another period, another tab
        choose(window, qtbot, "PA3.6", "2026-S2")
        window.show_page(window.dashboard)
        window.activateWindow()
        # the keyboard reaches the link: Tab from where the person is, then Enter
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
        for _ in range(300):
            if QApplication.focusWidget() is label:
                break
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is label
        qtbot.keyClick(label, Qt.Key.Key_Tab)  # (Qt's way) Tab again: its first link
        assert QApplication.focusWidget() is label
        assert "PA1.6" in label.selectedText()
        with qtbot.waitSignal(label.linkActivated, timeout=2000):
            qtbot.keyClick(label, Qt.Key.Key_Return)
        editor = window.office_view.editor
        qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA1.6"
                        and editor.period == "2026-S1", timeout=5000)
        assert window.period == "2026-S1"
        assert window.tabs.currentWidget() is window.office_view
        assert editor.isAncestorOf(QApplication.focusWidget())  # the keyboard in it
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")
