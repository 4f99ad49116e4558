"""Typing kept unsaved in a report that can no longer take it: submitted since (the
status bar says to reopen it first), or in a period headquarters has locked (it can
never be saved here: the person sees it, may copy it, and discards it; the red
message then ends). Neither is retried for ever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from tests.ui.conftest import wait_idle
from tests.ui.test_hq_office import _receive, send_to_hq
from tests.ui.test_no_lost_entries import journal
from tests.ui.test_office_work import choose, db_report

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S2"
RED = "color: #a40000; font-weight: bold;"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


def office(hq, make_office, tmp_path: Path) -> tuple[Path, str, str]:
    """SN, known to HQ, with one report of PERIOD saved (20 %). Returns (its database,
    that report's action, another national action)."""
    sn = make_office("SN", "sn")
    code, other = (a.code for a in sn.plan().actions_of(level="national")[:2])
    progress.record_progress(sn, code, PERIOD, status="on-track", percent=20)
    send_to_hq(sn, hq, tmp_path)
    path = sn.path
    sn.close()
    return path, code, other


def type_bad_percent(window, qtbot, code: str, other: str) -> None:
    """"five" typed in the report's percent box (not valid: held, never saved), then
    another report chosen."""
    editor = choose(window, qtbot, code, PERIOD)
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "five")
    editor.save_now()
    choose(window, qtbot, other, PERIOD)


def open_report(window, qtbot, code: str):
    """The report on ``code`` of PERIOD in the editor, loaded (read-only or not)."""
    window.set_period(PERIOD)
    wait_idle(qtbot, window.session)
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code
                    and editor.notice.text() != "Loading…", timeout=5000)
    wait_idle(qtbot, window.session)
    return editor


def lock_at_hq(hq, window, qtbot, tmp_path: Path) -> None:
    """`fieldplan period lock PERIOD`, `export --for SN`, and SN imports it."""
    progress.set_period_lock(hq, PERIOD)
    out = tmp_path / "from-hq"
    out.mkdir(exist_ok=True)
    _receive(window, qtbot, sync.export_bundle(hq, for_office="SN", out_dir=out).path)


def restart(open_window, window):
    path = window.identity.db_path
    window.close()
    window.session.close()
    return open_window(Path(path))


def test_text_held_in_a_report_submitted_since_says_to_reopen_it_first(
        open_window, qtbot, hq, make_office, tmp_path):
    path, code, other = office(hq, make_office, tmp_path)
    window = open_window(path)
    type_bad_percent(window, qtbot, code, other)
    label = window.save_state_label
    name = f"{code} (2nd semester 2026)"
    qtbot.waitUntil(lambda: label.text() == (
        f"{name}: not valid, kept unsaved — open it to correct"), timeout=5000)
    window._submit(PERIOD)  # (the dialog warned the text is not submitted)
    reopen = f"{name}: submitted, text kept unsaved — reopen it first"
    qtbot.waitUntil(lambda: label.text() == reopen, timeout=5000)
    assert label.styleSheet() == RED
    assert "reopen it to correct or save what was typed" in label.toolTip()
    window = restart(open_window, window)
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == reopen, timeout=5000)
    # opened: the text shown, read-only; Reopen, or discard it
    editor = open_report(window, qtbot, code)
    assert editor.percent.text() == "five" and editor.percent.isReadOnly()
    assert editor.reopen_button.isVisible() and editor.discard_button.isVisible()
    editor.reopen_button.click()
    qtbot.waitUntil(lambda: not editor.percent.isReadOnly(), timeout=5000)
    assert editor.percent.text() == "five" and not editor.discard_button.isVisible()
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "55")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(path, code, PERIOD).percent == 55, timeout=5000)
    choose(window, qtbot, other, PERIOD)
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    assert journal(path) == {}


def test_text_held_in_a_period_locked_since_can_be_seen_copied_and_discarded(
        open_window, qtbot, hq, make_office, tmp_path):
    path, code, other = office(hq, make_office, tmp_path)
    window = open_window(path)
    type_bad_percent(window, qtbot, code, other)
    window._submit(PERIOD)
    wait_idle(qtbot, window.session)
    lock_at_hq(hq, window, qtbot, tmp_path)
    label = window.save_state_label
    locked = (f"{code} (2nd semester 2026): period locked, text cannot be saved — open it "
              "to copy or discard it")
    qtbot.waitUntil(lambda: label.text() == locked, timeout=5000)
    window = restart(open_window, window)
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == locked, timeout=5000)
    assert label.styleSheet() == RED

    editor = open_report(window, qtbot, code)
    assert editor.percent.text() == "five" and editor.percent.isReadOnly()
    assert not editor.reopen_button.isVisible()
    assert "cannot be saved while the period is locked" in editor.notice.text()
    assert editor.discard_button.isVisible()
    dialog = editor.discard_dialog()
    assert "five" in dialog.details.toPlainText()
    assert dialog.cancel_button.isDefault()  # Enter does not throw it away
    dialog.copy_button.click()
    assert "five" in QApplication.clipboard().text()
    dialog.reject()  # Cancel: nothing thrown away
    assert (code, PERIOD) in journal(path)

    dialog = editor.discard_dialog()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: editor.percent.text() == "20", timeout=5000)
    assert not editor.discard_button.isVisible()
    assert "Unsaved" not in editor.notice.text() and not editor.errors["percent"].isVisible()
    assert not label.isVisible()
    assert journal(path) == {}
    wait_idle(qtbot, window.session)
    window = restart(open_window, window)  # and it stays gone
    wait_idle(qtbot, window.session)
    assert not window.save_state_label.isVisible()


def test_values_kept_for_a_locked_period_are_not_retried_for_ever(
        open_window, qtbot, hq, make_office, tmp_path):
    """Valid text the journal kept (a save refused once the lock came in) is said to
    wait for the person, not "retrying" every few seconds for ever."""
    path, code, _other = office(hq, make_office, tmp_path)
    window = open_window(path)
    lock_at_hq(hq, window, qtbot, tmp_path)
    window.close()
    window.session.close()
    Path(f"{path}.drafts.json").write_text(json.dumps({"version": 1, "drafts": [
        {"action": code, "period": PERIOD, "values": {"challenges": "Typed late"},
         "base": {"challenges": []}}]}), encoding="utf-8")
    window = open_window(path)
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == (
        f"{code} (2nd semester 2026): period locked, text cannot be saved — open it to "
        "copy or discard it"), timeout=5000)
    wait_idle(qtbot, window.session)
    assert not window.office_view.editor._retry.timer.isActive()
    assert journal(path)[(code, PERIOD)]["values"] == {"challenges": "Typed late"}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_red_words_fit_a_1024_pixel_window_and_are_whole_in_view_saving_details(
        lang, qapp, open_window, qtbot, hq, make_office, tmp_path):
    """At 1024 pixels the red words were cut off at the bar's edge ("ouvrez-le pour
    le") and left a lock received two words ("2nd …"): shortened now by whole words,
    room left for the notices, and whole in View ▸ Saving details… (by keyboard) and
    in the tooltip."""
    from tests.ui.test_read_by_keyboard import read_by_keyboard
    from tests.ui.test_set_up_again_ui import shot
    from ui.app import apply_language
    from ui.dialogs import MessageDialog

    path, code, other = office(hq, make_office, tmp_path)
    window = open_window(path)
    type_bad_percent(window, qtbot, code, other)
    apply_language(qapp, lang)
    try:
        window = restart(open_window, window)
        window.resize(1024, 768)
        window.activateWindow()
        label = window.save_state_label
        qtbot.waitUntil(lambda: label.isVisible(), timeout=5000)
        lock_at_hq(hq, window, qtbot, tmp_path)  # (its notice shown in the bar)
        qtbot.waitUntil(lambda: label.shown is not None, timeout=5000)
        whole = label.text()  # (what a screen reader reads: whole)
        assert label.shown.endswith("…") and label.shown[:-1].strip() in whole
        bar = window.statusBar()
        assert bar.width() == 1024
        qtbot.waitUntil(lambda: label.fontMetrics().horizontalAdvance(label.shown)
                        <= label.contentsRect().width(), timeout=5000)
        assert label.geometry().left() >= 0 and label.geometry().right() <= bar.width()
        # the period's words whole, and room left for the notice of the lock
        period = window.period_label
        shot(window, f"bar-1024-{lang}.png")
        qtbot.waitUntil(lambda: period.width() >= period.sizeHint().width(), timeout=5000)
        if window.isRightToLeft():
            assert label.geometry().right() <= bar.width() * 3 // 4
        else:
            assert label.geometry().left() >= bar.width() // 4
        shot(window, f"bar-1024-{lang}.png")
        (action,) = [a for m in window.menuBar().actions() for a in m.menu().actions()
                     if a.objectName() == "save-details-action"]
        assert action.isEnabled()
        action.trigger()
        dialog = window.findChild(MessageDialog, "save-details-dialog")
        assert dialog is not None and dialog.isVisible()
        said = dialog.text.text()
        assert whole.strip("\u200e\u200f") in said.replace("\u200e", "").replace("\u200f", "")
        assert read_by_keyboard(dialog.text)
        shot(dialog, f"save-details-{lang}.png")
        dialog.accept()
        assert code in label.toolTip()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")
