"""An office's status bar said "HQ has your data up to 6 Dec 2026, 10:15" whether or
not reports had been changed since: staff who had typed after it read that
headquarters held their work, when no bundle had carried it. ``fieldplan status``
says "Not yet sent: 7 changes"; the status bar now says it too, before the times (a
narrow window cuts those first), and no more once a bundle carries the changes; that
bundle, until headquarters acknowledges it, is said as the last export."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle

sync = pytest.importorskip("fieldplan.sync")


def test_the_words_say_what_no_bundle_carried() -> None:
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    acknowledged = {"hq_has_seq": 3, "hq_has_at": "2026-12-06T10:15:00Z"}
    state = SyncState(None, None, own_seq=10, gaps=(), quarantined=0, conflicts=0,
                      unsent=7, sent_unacknowledged=0, **acknowledged)
    assert sync_text(state).startswith("7 changes not sent yet · HQ has your data up to ")
    one = SyncState(None, None, own_seq=4, gaps=(), quarantined=0, conflicts=0, unsent=1,
                    **acknowledged)
    assert sync_text(one).startswith("1 change not sent yet · ")
    # carried by the last bundle, not acknowledged yet: sent, not said as unsent
    sent = SyncState({"at": "2026-12-06T10:30:00Z"}, None, own_seq=10, gaps=(),
                     quarantined=0, conflicts=0, unsent=7, sent_unacknowledged=7,
                     **acknowledged)
    assert "not sent" not in sync_text(sent)
    # and that bundle is said beside the older acknowledgement: the export just made
    # left no trace in the status bar
    assert sync_text(sent).startswith("HQ has your data up to 6 Dec 2026, ")
    assert " · Last export 6 Dec 2026, " in sync_text(sent)
    assert "Last export" not in sync_text(state)
    # a revoked computer: its own words say what is left to type again
    revoked = SyncState(None, None, own_seq=10, gaps=(), quarantined=0, conflicts=0,
                        unsent=7, key_revoked=True, **acknowledged)
    assert "changes not sent yet" not in sync_text(revoked)


def test_the_office_status_bar_says_what_is_not_sent(office_db: Path, open_window, qtbot,
                                                     tmp_path: Path) -> None:
    with open_replica(office_db) as sn:
        code = sn.plan().actions_of(level="national")[0].code
        progress.record_progress(sn, code, "2026-S1", status="on-track", percent=20)
    window = open_window(office_db)
    qtbot.waitUntil(lambda: "not sent yet" in window.sync_label.toolTip(), timeout=5000)
    assert window.sync_label.toolTip().startswith("1 change not sent yet · ")
    with open_replica(office_db) as sn:
        sync.export_bundle(sn, out_dir=tmp_path)
    window.refresh_sync_state()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: "not sent" not in window.sync_label.toolTip(), timeout=5000)
    assert "Last export " in window.sync_label.toolTip()
