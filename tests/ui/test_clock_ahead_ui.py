"""The import result tells an office whose computer's clock seems far ahead (its year
set wrong) to check its date."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QApplication

from fieldplan.sync.exchange import ImportOutcome


def _outcomes() -> list:
    return [ImportOutcome("HQ-ML-1.fieldplan", "merged", office="HQ", events_new=2,
                          events_total=2),
            ImportOutcome("HQ-ML-2.fieldplan", "merged", office="HQ", events_new=1,
                          events_total=1, clock_ahead="2025-11-23T10:00:00Z")]


def test_the_import_result_says_the_clock_seems_ahead(qtbot, tmp_path) -> None:
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog, import_row_rank

    first, ahead = _outcomes()
    assert import_row_rank(ahead) < import_row_rank(first)  # something to look at
    for lang in ("en", "ar"):
        apply_language(QApplication.instance(), lang)
        try:
            dialog = ImportResultDialog(None, _outcomes())
            qtbot.addWidget(dialog)
            dialog.show()
            # the row with something to say comes first
            assert "HQ-ML-2.fieldplan" in dialog.table.item(0, 0).text()
            detail = dialog.table.item(0, 3).text()
            assert "clock" not in dialog.table.item(1, 3).text()
            if lang == "en":
                assert detail.startswith("1 new of 1 event; this computer's clock seems to be "
                                         "ahead (it says ")
                assert "headquarters wrote this file on 23 Nov 2025): check its date" \
                    in detail
            shots = os.environ.get("FIELDPLAN_SHOTS")
            if shots:
                dialog.grab().save(os.path.join(shots, f"import-clock-ahead-{lang}.png"))
            dialog.close()
        finally:
            apply_language(QApplication.instance(), "en")


def test_the_import_result_says_the_clock_seems_behind(qtbot) -> None:
    """A clock that went back (2000) is said as one far ahead is, first in the list."""
    from ui.transfer import ImportResultDialog, import_row_rank

    first = _outcomes()[0]
    behind = ImportOutcome("HQ-ML-3.fieldplan", "merged", office="HQ", events_new=1,
                           events_total=1, clock_behind="2026-11-23T10:00:00Z")
    assert import_row_rank(behind) < import_row_rank(first)
    dialog = ImportResultDialog(None, [first, behind])
    qtbot.addWidget(dialog)
    dialog.show()
    assert "HQ-ML-3.fieldplan" in dialog.table.item(0, 0).text()
    detail = dialog.table.item(0, 3).text()
    assert detail.startswith("1 new of 1 event; this computer's clock seems to be behind "
                             "(it says ")
    assert detail.endswith("headquarters wrote this file on 23 Nov 2026): check its date")
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:
        dialog.grab().save(os.path.join(shots, "import-clock-behind.png"))
    dialog.close()
