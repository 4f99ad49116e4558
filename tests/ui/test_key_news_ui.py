"""The import result says what the import made known of keys: at headquarters, a new
computer of an office registered (the Enrol dialog promised it receives bundles once
its first bundle reached headquarters; the result said only "no events"); at an
office, headquarters' new key and its fingerprint (shown only in the key dialog)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan.sync.exchange import ImportOutcome, events_text, key_news_text

FINGERPRINT = "DD92 209F 5A3F 0C11 7B2E 9D40 118A 3C6F 22E0 4B19"
#: as the client shows it in a sentence: its groups held on one line
HELD = FINGERPRINT.replace(" ", "\u00a0")


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
                             f"fingerprint is {HELD} (shown under Help ▸ This "
                             "computer's key…)"}[outcome]
            assert HELD in detail or outcome is first
            dialog.grab().save(str(tmp_path / f"key-news-{outcome.office}-{lang}.png"))
            dialog.close()
    finally:
        apply_language(QApplication.instance(), "en")


def _lines_of_cell(table, row: int, col: int) -> list[str]:
    """The lines a cell's text is drawn on, as the style wraps it (QCommonStyle's
    item text: the text rectangle less its margins, wrapped at word boundaries)."""
    from PySide6.QtGui import QTextLayout, QTextOption
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    index = table.model().index(row, col)
    option.rect = table.visualRect(index)
    delegate = table.itemDelegateForIndex(index)
    delegate.initStyleOption(option, index)
    style = table.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    text = option.text.replace("\n", "\u2028")
    layout = QTextLayout(text, option.font)
    text_option = QTextOption()
    text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    text_option.setTextDirection(option.direction)
    layout.setTextOption(text_option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(rect.width() - 2 * margin)
        lines.append(text[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def _groups_on_lines(lines: list[str]) -> list[list[str]]:
    groups = FINGERPRINT.split()
    return [[g for g in groups if g in line] for line in lines]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_headquarters_new_fingerprint_stays_on_one_line(qtbot, lang) -> None:
    """In Arabic, "… its new fingerprint is DD92 … 22E0" wrapped before its last group,
    "4B19" alone on the next line (French broke it too): a fingerprint is read aloud
    group by group, on one line at the dialog's width; narrowed below it, it wraps
    rather than be cut short."""
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    from_hq = ImportOutcome("HQ-to-CI-dae44884-3-5.fieldplan", "merged", office="HQ",
                            events_new=3, events_total=5, hq_new_key=FINGERPRINT)
    apply_language(QApplication.instance(), lang)
    try:
        dialog = ImportResultDialog(None, [from_hq])
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        lines = _lines_of_cell(dialog.table, 0, 3)
        assert len(lines) > 1  # (a sentence that wraps: the case)
        assert [g for g in _groups_on_lines(lines) if g] == [FINGERPRINT.split()], lines
        dialog.resize(560, dialog.height())  # (the person narrows it)
        qtbot.waitUntil(lambda: dialog.table.columnWidth(3) < 300, timeout=5000)
        narrow = _lines_of_cell(dialog.table, 0, 3)
        # narrower than the fingerprint: wrapped, every group in sight (not elided)
        shown = [g for groups in _groups_on_lines(narrow) for g in groups]
        assert sorted(shown) == sorted(FINGERPRINT.split()), narrow
        dialog.close()
    finally:
        apply_language(QApplication.instance(), "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_many_new_computers_are_said_once_above_the_rows(qtbot, tmp_path, lang) -> None:
    """A first import of every office's bundle at headquarters: each of 57 rows said
    the same long sentence of what a new computer's key registered means. It is said
    once above the table; each row still says its own office's key and events."""
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    offices = ["CI", "ML", "SN"]
    outcomes = [ImportOutcome(f"{office}-4bd7c44{i}-1-{i + 2}.fieldplan", "merged",
                              office=office, events_new=i + 2, events_total=i + 2,
                              computer_registered=True)
                for i, office in enumerate(offices)]
    apply_language(QApplication.instance(), lang)
    try:
        dialog = ImportResultDialog(None, outcomes)
        qtbot.addWidget(dialog)
        dialog.resize(784, dialog.height())
        dialog.show()
        above = dialog.registered_note.text()
        assert dialog.registered_note.isVisible() and "3" in above
        details = [_unmarked(dialog.table.item(row, 3).text()) for row in range(3)]
        for office in offices:
            whole = key_news_text(office, True, "")
            [row] = [d for d in details if f" {office}" in d]
            assert whole not in row and len(row) < len(whole) + 30
        if lang == "en":
            assert above == ("The keys of 3 new computers are now registered: "
                             "headquarters' bundles for each office reach its new "
                             "computers from now on.")
            assert sorted(details) == [
                f"{n} new of {n} events; the key of a new computer of {office} is now "
                "registered" for n, office in ((2, "CI"), (3, "ML"), (4, "SN"))]
        dialog.grab().save(str(tmp_path / f"registered-{lang}.png"))
        # one file alone: its row says it whole, nothing above
        alone = ImportResultDialog(None, outcomes[:1])
        qtbot.addWidget(alone)
        assert not alone.registered_note.text()
        assert key_news_text("CI", True, "") in _unmarked(alone.table.item(0, 3).text())
    finally:
        apply_language(QApplication.instance(), "en")


def _unmarked(text: str) -> str:
    """``text`` without the marks that keep codes whole in Arabic."""
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")
