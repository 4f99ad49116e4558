"""Submitting a period with reports in conflict: two laptops of one office wrote a
report differently, and the laptop that submits would submit the values it shows, the
other's unseen. The submit dialog names those reports, and Enter does not submit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.scenes import conflict_and_a_draft
from tests.ui.conftest import wait_idle


def laptop_with_conflict(hq, make_office, tmp_path: Path):
    """ML's laptops A and B wrote one report's status and achievements differently; B
    exported, HQ imported and exported for ML, A imported. Returns A's path and the
    report's action (A also has a draft of another action, with no conflict)."""
    return conflict_and_a_draft(hq, make_office, tmp_path,
                                {"status": "on-track", "achievements": "A wrote"},
                                {"status": "at-risk", "achievements": "B wrote"},
                                {"status": "on-track", "percent": 20})


def one_draft(make_office, period: str, **values) -> Path:
    """A laptop of ML with one draft report of ``period``; its database's path."""
    rep = make_office("ML", "ml-a")
    code = rep.plan().actions_of(level="national")[0].code
    progress.record_progress(rep, code, period, **values)
    path = rep.path
    rep.close()
    return path


def submit_dialog(window, qtbot, period: str = "2026-S1"):
    window.set_period(period)
    wait_idle(qtbot, window.session)
    window.submit_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is not None,
                    timeout=5000)
    return window.findChild(object, "submit-dialog")


def test_submit_dialog_names_reports_in_conflict_and_enter_does_not_submit(
        open_window, qtbot, hq, make_office, tmp_path):
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    window = open_window(path)
    dialog = submit_dialog(window, qtbot)
    text = dialog.text.text()
    assert "Still in conflict:" in text
    line = next(x for x in text.splitlines() if code in x)
    assert "in conflict" in line and "Status" in line and "Achievements" in line
    assert other not in text.split("Still in conflict:")[1].split("Still missing:")[0]
    assert "Conflicts tab" in text
    # cautious, as the lock dialog over a warning: Enter is Cancel
    assert dialog.cancel_button.isDefault() and not dialog.ok_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is None, timeout=5000)
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert {r.state for r in progress.list_reports(rep, "2026-S1", "ML")} == {"draft"}


def test_submit_dialog_without_conflicts_submits_on_enter(open_window, qtbot, hq,
                                                         make_office):
    window = open_window(one_draft(make_office, "2026-S1", status="on-track", percent=20))
    dialog = submit_dialog(window, qtbot)
    assert "conflict" not in dialog.text.text()
    assert dialog.ok_button.isDefault()
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_submit_dialog_leaves_out_a_submitted_reports_conflicts(
        open_window, qtbot, hq, make_office, tmp_path):
    """A report submitted already is not submitted again: its conflicts are not said
    ("settle them first, or the values shown now are submitted"), nor made Enter Cancel."""
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    with open_replica(path) as rep:
        progress.submit_period(rep, "2026-S1")
        progress.reopen_report(rep, other, "2026-S1")
    window = open_window(path)
    dialog = submit_dialog(window, qtbot)
    assert "conflict" not in dialog.text.text() and code not in dialog.text.text()
    assert dialog.ok_button.isDefault()
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_submit_dialog_warns_of_a_semester_to_come(open_window, qtbot, hq, make_office,
                                                   monkeypatch):
    """As 'progress submit' warns: a semester that has not started is most likely not
    the one meant; said, and Enter does not submit."""
    from datetime import UTC, datetime

    from fieldplan import events

    noon = int(datetime(2026, 12, 6, 12, tzinfo=UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: noon)
    window = open_window(one_draft(make_office, "2027-S2", status="completed", percent=100))
    dialog = submit_dialog(window, qtbot, "2027-S2")
    text = dialog.text.text()
    # each date whole on its line (no break inside: an Arabic one read as another date)
    assert "1\u00a0\u2060Jul\u00a0\u20602027" in text and "6\u00a0\u2060Dec" in text
    assert ("2nd semester 2027 has not started yet (it starts on 1 Jul 2027, and this "
            "computer's date is 6 Dec 2026): is the period right?") in text.replace(
                "\u2060", "").replace("\u00a0", " ")
    assert dialog.cancel_button.isDefault() and not dialog.ok_button.isDefault()
    dialog.reject()
    wait_idle(qtbot, window.session)
