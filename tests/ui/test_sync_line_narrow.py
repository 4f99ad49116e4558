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
