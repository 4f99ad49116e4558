"""The import result says what the import made known of keys: at headquarters, a new
computer of an office registered (the Enrol dialog promised it receives bundles once
its first bundle reached headquarters; the result said only "no events"); at an
office, headquarters' new key and its fingerprint (shown only in the key dialog)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan.sync.exchange import ImportOutcome, events_text, key_news_text

FINGERPRINT = "DD92 209F 5A3F 0C11 7B2E 9D40 118A 3C6F 22E0 4B19"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_import_result_says_what_it_made_known_of_keys(qtbot, tmp_path, lang) -> None:
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    first = ImportOutcome("CI-4bd7c449-0.fieldplan", "merged", office="CI",
                          computer_registered=True)
    from_hq = ImportOutcome("HQ-to-CI-dae44884-3-5.fieldplan", "merged", office="HQ",
                            events_new=3, events_total=5, hq_new_key=FINGERPRINT)
    apply_language(QApplication.instance(), lang)
    try:
        for outcome in (first, from_hq):
            dialog = ImportResultDialog(None, [outcome])
            qtbot.addWidget(dialog)
            dialog.resize(784, dialog.height())
            dialog.show()
            detail = dialog.table.item(0, 3).text()
            # (before: the events alone)
            assert key_news_text(outcome.office, outcome.computer_registered,
                                 outcome.hq_new_key)
            assert len(detail) > len(events_text(outcome.events_new,
                                                 outcome.events_total)) + 40
            if lang == "en":
                assert detail == {
                    first: "no events; the key of a new computer of CI is now registered: "
                           "headquarters' bundles for CI reach that computer from now on",
                    from_hq: "3 new of 5 events; headquarters changed its key: its new "
                             f"fingerprint is {FINGERPRINT} (shown under Help ▸ This "
                             "computer's key…)"}[outcome]
            assert FINGERPRINT in detail or outcome is first
            dialog.grab().save(str(tmp_path / f"key-news-{outcome.office}-{lang}.png"))
            dialog.close()
    finally:
        apply_language(QApplication.instance(), "en")
