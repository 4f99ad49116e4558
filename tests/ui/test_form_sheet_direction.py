"""The report form lays each paragraph of a narrative out as the status sheet prints
it (most of its words, ``fieldplan.text.paragraph_direction``; a paragraph without a
letter in the layout's direction, as a sheet in that language prints it), while it is
typed, in the English and the Arabic client. Two paragraphs went the other way: one
whose first word is inside an isolate ("\u2066IOM\u2069 قدمت …": Qt's paragraphs take
their first letter, isolated or not, and the form took it for right to left already),
and one without a letter ("2026", an empty line: left to right, from the left, in the
Arabic form, from the right in the Arabic sheet)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan.reports import text as tx
from tests.ui.test_narrative_direction import _directions, type_keys

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
#: paragraphs whose direction by most words is not their first letter's, or that have
#: none: the mixed-script ones a field officer types
PARAGRAPHS = (
    "Visa delays; التأخير في التأشيرات",
    "IOM قدمت الدعم الفني للوزارة",
    "\u2066IOM\u2069 قدمت الدعم الفني",
    "2026",
    "Réunion avec وزارة الداخلية",
    "التأخير في visa processing for returnees",
)


def _sheet_directions(text: str, lang: str) -> list[Qt.LayoutDirection]:
    """Each paragraph's direction as the status sheet in ``lang`` prints a narrative
    (``fieldplan.reports.common``: base "auto", the report's direction by default)."""
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    default = "R" if lang == "ar" else "L"
    return [RTL if d == "R" else LTR
            for para in text.split("\n")
            for _line, d in tx.layout(para, REGULAR, 9, 10_000, "auto", default)]


@pytest.fixture
def language(request):
    from ui.app import apply_language

    app = QApplication.instance()
    apply_language(app, request.param)
    yield request.param
    apply_language(app, "en")


@pytest.mark.parametrize("language", ["en", "ar"], indirect=True)
def test_the_report_form_lays_typed_paragraphs_out_as_the_sheet_prints_them(
        open_window, qtbot, hq_db, language) -> None:
    from tests.ui.test_office_work import choose

    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["achievements"]
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    # empty, the caret stands where the layout starts a line (and a sheet a paragraph)
    assert box.text() == ""
    assert _directions(box) == [RTL if language == "ar" else LTR]
    typed = "\n".join(PARAGRAPHS)
    type_keys(box, typed)
    assert box.text() == typed
    expected = [RTL, RTL, RTL, RTL if language == "ar" else LTR, LTR, LTR]
    assert _directions(box) == expected == _sheet_directions(typed, language)
    assert box.textCursor().position() == len(typed)  # the caret stayed at the end
    # saved and shown again: the same
    editor.save_now()
    qtbot.waitUntil(lambda: not editor.dirty(), timeout=5000)
    box.setPlainText(box.text())
    assert _directions(box) == expected


@pytest.mark.parametrize("language", ["en", "ar"], indirect=True)
def test_a_read_only_box_and_the_sheet_agree(qtbot, language) -> None:
    """The read-only displays (HQ's narrative, a conflict's versions) are the same box."""
    from ui.bidi_widgets import PlainTextEdit

    text = "\n".join(PARAGRAPHS)
    box = PlainTextEdit(text)
    box.setReadOnly(True)
    qtbot.addWidget(box)
    assert _directions(box) == _sheet_directions(text, language)


def test_a_letterless_paragraph_follows_a_change_of_language(qtbot) -> None:
    from ui.app import apply_language
    from ui.bidi_widgets import PlainTextEdit

    app = QApplication.instance()
    box = PlainTextEdit("2026\nIOM report")
    qtbot.addWidget(box)
    assert _directions(box) == [LTR, LTR]
    apply_language(app, "ar")
    try:
        assert _directions(box) == [RTL, LTR]
    finally:
        apply_language(app, "en")
    assert _directions(box) == [LTR, LTR]
