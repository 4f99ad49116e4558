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
