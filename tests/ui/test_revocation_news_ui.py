"""The revoked laptop of a two-laptop office, whose sibling imported the revocation
first, is told by HQ's next bundle, in the client too (tests/core/test_revocation_news.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from tests.ui.conftest import wait_idle
from tests.ui.test_set_up_again_ui import shot
from tests.ui.test_sync_ui import drop, result_dialog

sync = pytest.importorskip("fieldplan.sync")


def test_hq_s_quiet_bundle_tells_the_revoked_laptop(open_window, qtbot, hq, make_office,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def send(src, dst):
        bundle = sync.export_bundle(src, for_office="ML" if src.is_hq else None, out_dir=out)
        return sync.import_bundle(dst, bundle.path)

    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    for lap in (a, b):
        code = lap.plan().actions_of(level="national")[0].code
        progress.record_progress(lap, code, "2026-S1", status="on-track")
        send(lap, hq)
    sync.revoke_key(hq, b.meta("key_id"))
    send(hq, a)  # one person imports HQ's bundle, on laptop A
    send(a, hq)
    bundle = sync.export_bundle(hq, for_office="ML", out_dir=out).path
    path = b.path
    b.close()
    window = open_window(path)
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    assert dialog.revoked_note.isVisibleTo(dialog)
    shot(dialog, f"revocation-news-{QApplication.layoutDirection().name}.png")
    dialog.accept()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.again_button.isVisibleTo(window), timeout=5000)
    shot(window, f"revocation-news-window-{QApplication.layoutDirection().name}.png")
