"""The import result says which bundles that waited in quarantine for a key the import
registered were imported with it."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QApplication

from fieldplan.sync.exchange import ImportOutcome


def test_the_import_result_names_the_bundles_a_registered_key_brought(qtbot) -> None:
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    waited = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                           events_new=1, events_total=1)
    proof = ImportOutcome("ML-2b48ed56-2-2.fieldplan", "merged", office="ML",
                          events_new=1, events_total=1, released=(waited,))
    for lang in ("en", "fr", "ar"):
        apply_language(QApplication.instance(), lang)
        try:
            dialog = ImportResultDialog(None, [proof])
            qtbot.addWidget(dialog)
            dialog.show()
            detail = dialog.table.item(0, 3).text()
            assert "ML-2b48ed56-1-1.fieldplan" in detail
            if lang == "en":
                assert detail == (
                    "1 new of 1 event; it registered its key: 1 bundle of that key that "
                    "waited in quarantine was imported too (ML-2b48ed56-1-1.fieldplan)")
            shots = os.environ.get("FIELDPLAN_SHOTS")
            if shots:
                dialog.grab().save(os.path.join(shots, f"import-released-{lang}.png"))
            dialog.close()
        finally:
            apply_language(QApplication.instance(), "en")
