"""What a screen reader (NVDA, Orca) is told: results and failures that appear away
from the focus are announced in words, and every field, button and table of the
windows and dialogs has a name (an accessibility review)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel


@pytest.fixture
def announced(monkeypatch) -> list[str]:
    """The messages of the announcement events sent to assistive technology."""
    said: list[str] = []
    update = QAccessible.updateAccessibility

    def record(event) -> None:
        if event.type() == QAccessible.Event.Announcement:
            said.append(event.message())
        update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return said


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
    from tests.ui.conftest import wait_idle

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
