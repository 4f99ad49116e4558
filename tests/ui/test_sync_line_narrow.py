"""On a 1024×600 netbook in French, the office's status bar cut its sync line after
its first item ("… · …"): what headquarters holds and the last import went, though
only the tooltip and View ▸ Sync details… said them. Where the line does not fit, it
says the same in fewer words (days without times, the last import without its file
name), so what headquarters has stays in sight."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.sync import export_bundle, import_bundle
from tests.ui.conftest import wait_idle


def test_a_netbooks_french_sync_line_keeps_what_hq_has(open_window, qtbot, hq,
                                                        make_office, tmp_path: Path):
    from ui.app import apply_language

    ml = make_office("ML")
    codes = [a.code for a in ml.plan().actions_of(level="national")[:2]]
    progress.record_progress(ml, codes[0], "2026-S1", status="on-track", percent=5)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    progress.record_progress(ml, codes[1], "2026-S1", status="at-risk", percent=9)
    path = ml.path
    ml.close()
    apply_language(QApplication.instance(), "fr")
    try:
        window = open_window(path)
        window.resize(1024, 600)
        wait_idle(qtbot, window.session)
        qtbot.waitUntil(lambda: "Dernier import" in window._sync_words, timeout=5000)
        QApplication.processEvents()
        whole = window._sync_words
        assert "Le Siège a vos données jusqu’au" in whole and "Dernier import" in whole
        shown = window.sync_label.text()
        # every item there, none cut: the shorter words, the whole in the tip
        assert "…" not in shown, shown
        assert "Le Siège a vos données jusqu’au" in shown and "Dernier import" in shown
        assert shown.count(" · ") == whole.count(" · ")
        assert window.sync_label.toolTip()  # (said whole there)
    finally:
        apply_language(QApplication.instance(), "en")


def test_the_short_words_keep_a_refused_last_import_said_refused() -> None:
    """The short last import drops the file name and the time, not what became of the
    file: a refused bundle is not taken for one that went in."""
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    def state(outcome: str) -> SyncState:
        return SyncState(None, {"at": "2026-12-06T10:15:00Z", "file": "ML-1.fieldplan",
                                "outcome": outcome}, own_seq=4, gaps=(), quarantined=0,
                         conflicts=0, unsent=2, hq_has_seq=2, hq_has_at="2026-12-05T09:00:00Z")

    assert sync_text(state("rejected"), short=True) == (
        "2 not sent · HQ has your data up to 5 Dec 2026 · Last import 6 Dec 2026, rejected")
    assert sync_text(state("merged"), short=True).endswith("· Last import 6 Dec 2026")
    assert "ML-1.fieldplan, rejected" in sync_text(state("rejected"))  # (the whole words)
