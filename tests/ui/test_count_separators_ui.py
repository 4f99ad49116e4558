"""The status bar's sync words wrote their counts bare ("1234 conflits") where every
other figure of the client has the language's separators: a count a person reads goes
through fieldplan.i18n.counted ("1 234 conflits")."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import i18n

NNBSP = "\u202f"  # babel's French group separator

sync = pytest.importorskip("fieldplan.sync")


def _state(**counts):
    from fieldplan.sync.state import SyncState

    return SyncState(None, None, own_seq=4000, gaps=(), hq_has_seq=3,
                     hq_has_at="2026-12-06T10:15:00Z", **counts)


@pytest.mark.parametrize(("lang", "sep"), [("fr", NNBSP), ("ar", ",")])
def test_the_sync_words_group_their_counts(lang: str, sep: str) -> None:
    from ui.main_window import office_lost_said, restored_office_text, sync_text

    i18n.set_language(lang)
    text = sync_text(_state(quarantined=2345, conflicts=1234, unsent=3456,
                            sent_unacknowledged=0))
    for figure in ("1234", "2345", "3456"):
        assert figure[0] + sep + figure[1:] in text
        assert figure not in text
    restored = restored_office_text({"not_received": 1234})
    assert f"1{sep}234" in restored and "1234" not in restored
    said = office_lost_said(1234, 5678)
    assert f"1{sep}234" in said and f"5{sep}678" in said


def test_the_sync_label_and_its_tip_group_their_counts(office_db: Path, open_window,
                                                       qtbot) -> None:
    from ui.main_window import sync_text

    i18n.set_language("fr")
    window = open_window(office_db)
    words = sync_text(_state(quarantined=0, conflicts=1234, unsent=0))
    window.show_sync(words)
    assert window.sync_label.toolTip().count(f"1{NNBSP}234 conflits") == 1
    assert f"1{NNBSP}234 conflits" in window.sync_label.accessibleDescription()
    assert "1234" not in window.sync_label.toolTip()
