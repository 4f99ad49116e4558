"""What the status bar says of the drafts journal's reports: text an earlier session
left is said once it is saved (not as a failure), and a report holding only text
that is not valid says so, not that it is being retried."""

from __future__ import annotations

import pytest

import ui.report_editor
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import Locker, journal
from tests.ui.test_office_work import choose, db_report

RED = "color: #a40000; font-weight: bold;"


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
    qtbot.waitUntil(lambda: label.text() == notice, timeout=5000)
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == "Typed before the crash"
    assert label.isVisible() and label.styleSheet() != RED  # a notice, not an error
    # never said to be failing: nothing failed
    assert not [text for text, is_error in said if is_error], said
    # it stays while the person looks around, and goes once they save something
    editor = choose(window, qtbot, "PA3.6")
    assert label.text() == notice
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
        assert label.styleSheet() == RED
    qtbot.waitUntil(lambda: label.text().startswith("Recovered what was typed"), timeout=5000)
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
