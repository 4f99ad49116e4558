"""An Arabic narrative that starts with a Latin word or a number ("IOM قدمت الدعم …")
was shown left to right, from the left, in the client's read-only displays: Qt takes a
paragraph's direction from its first letter. Read-only, a person's paragraph goes by
most of its letters (``ui.bidi.own_direction``), as the PDF reports print it; and so
does an editor's as it is typed (typed by Qt's way, it turned around once saved)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_rtl import _conflict_of, _option, report
from ui.bidi import in_own_direction, own_direction, own_isolate

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
ARABIC_LATIN_FIRST = "IOM قدمت الدعم الفني لوزارة الداخلية في القاهرة."
ENGLISH_ARABIC_INSIDE = "Met the ministry (وزارة الداخلية) in Cairo."
#: typed in an editor: an Arabic paragraph that starts with "IOM"; a French one that
#: starts with a long Arabic ministry's name (more Arabic letters, fewer words)
ARABIC_TYPED = "IOM تعمل مع الوزارة على تحسين الخدمات"
FRENCH_TYPED = ("وزارة الشؤون الاجتماعية والعمل : réunion de suivi avec la direction "
                "de la migration à Rabat")


def type_keys(widget, text: str) -> None:
    """Type ``text`` key by key, as a keyboard in its language would (qtbot.keyClicks
    takes ASCII only); a newline is the Return key."""
    for c in text:
        key = {" ": Qt.Key.Key_Space, "\n": Qt.Key.Key_Return}.get(c, Qt.Key.Key_unknown)
        typed = "\r" if c == "\n" else c
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier,
                                                     typed))


def test_own_direction_goes_by_most_letters() -> None:
    assert own_direction(ARABIC_LATIN_FIRST) == RTL
    assert own_direction("2026: تأخر وصول التمويل") == RTL
    assert own_direction(ENGLISH_ARABIC_INSIDE) == LTR
    assert own_direction("40 %") is None
    # inside a line: isolated in its own direction
    assert own_isolate(ARABIC_LATIN_FIRST) == "\u2067" + ARABIC_LATIN_FIRST + "\u2069"
    assert own_isolate(ENGLISH_ARABIC_INSIDE) == "\u2066" + ENGLISH_ARABIC_INSIDE + "\u2069"
    assert own_isolate("40 %") == "\u206840 %\u2069"
    # for a label: a mark before each paragraph its first letter turns around
    assert in_own_direction(f"{ARABIC_LATIN_FIRST}\nتم\n{ENGLISH_ARABIC_INSIDE}\n\u202eabc") \
        == f"\u200f{ARABIC_LATIN_FIRST}\nتم\n{ENGLISH_ARABIC_INSIDE}\nabc"
    assert in_own_direction("وزارة the ministry of labour") == \
        "\u200eوزارة the ministry of labour"


def _directions(box) -> list[Qt.LayoutDirection]:
    """Each paragraph's direction."""
    out = []
    block = box.document().firstBlock()
    while block.isValid():
        out.append(block.textDirection())
        block = block.next()
    return out


def _sides(box) -> list[tuple[Qt.LayoutDirection, float, float]]:
    """Each paragraph's direction, and the left and right of its first line as a share
    of the box's width (the box shown)."""
    QApplication.processEvents()
    width = box.viewport().width()
    out = []
    block = box.document().firstBlock()
    while block.isValid():
        rect = block.layout().lineAt(0).naturalTextRect()
        out.append((block.textDirection(), rect.left() / width, rect.right() / width))
        block = block.next()
    return out


@pytest.mark.parametrize("layout", [LTR, RTL])
def test_a_read_only_box_shows_each_paragraph_from_its_own_side(qtbot, layout) -> None:
    from ui.bidi_widgets import PlainTextEdit

    QApplication.setLayoutDirection(layout)
    try:
        box = PlainTextEdit()
        qtbot.addWidget(box)
        box.resize(900, 200)
        changed = []
        box.textChanged.connect(lambda: changed.append(True))
        text = ARABIC_LATIN_FIRST + "\n" + ENGLISH_ARABIC_INSIDE
        box.setReadOnly(True)
        box.setPlainText(text)
        box.show()
        (arabic, a_left, a_right), (english, e_left, _e_right) = _sides(box)
        assert arabic == RTL and a_right > 0.9 and a_left > 0.3  # from the right
        assert english == LTR and e_left < 0.1
        assert box.text() == text and not box.document().isModified()
        # editable (a report reopened) or read-only again: as they were, no change said
        changed.clear()
        box.setReadOnly(False)
        assert _directions(box) == [RTL, LTR]
        box.setReadOnly(True)
        assert _directions(box) == [RTL, LTR]
        assert not changed and box.text() == text
        # the client's own text (a message's details) keeps Qt's way
        details = PlainTextEdit(copies_as_written=True)
        qtbot.addWidget(details)
        details.setReadOnly(True)
        details.setPlainText(ARABIC_LATIN_FIRST)
        assert _directions(details) == [LTR]
    finally:
        QApplication.setLayoutDirection(LTR)


@pytest.mark.parametrize("layout", [LTR, RTL])
def test_table_cells_and_conflict_values_go_by_most_letters(qtbot, layout) -> None:
    from ui.hq_desk import _table
    from ui.models import ConflictModel, ReportTableModel

    QApplication.setLayoutDirection(layout)
    try:
        model = ReportTableModel()
        model.set_reports([report(ARABIC_LATIN_FIRST), report(ENGLISH_ARABIC_INSIDE)])
        view = _table(model, "Reports")
        qtbot.addWidget(view)
        column = ReportTableModel.ACHIEVEMENTS
        assert _option(view, 0, column).direction == RTL
        assert _option(view, 1, column).direction == LTR
        # its tooltip too (a label: a mark says what the first letter does not)
        tip = Qt.ItemDataRole.ToolTipRole
        assert model.index(0, column).data(tip) == "\u200f" + ARABIC_LATIN_FIRST
        assert model.index(1, column).data(tip) == ENGLISH_ARABIC_INSIDE
        conflicts = ConflictModel()
        conflicts.set_rows([_conflict_of((ARABIC_LATIN_FIRST, ENGLISH_ARABIC_INSIDE))])
        shown = conflicts.index(0, ConflictModel.VALUES).data()
        assert shown.startswith("\u2067IOM ") and "\u2066Met the" in shown
    finally:
        QApplication.setLayoutDirection(LTR)


def test_hq_reads_an_arabic_narrative_that_starts_with_latin_from_the_right(
        open_window, qtbot, hq_db) -> None:
    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA2.6", "2026-S1", status="at-risk",
                                 achievements=ARABIC_LATIN_FIRST,
                                 challenges=ENGLISH_ARABIC_INSIDE)
    window = open_window(hq_db)
    window.set_period("2026-S1")
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    model = reports.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).action == "PA2.6")
    reports.view.setCurrentIndex(model.index(row, 0))
    detail = reports.detail
    sides = dict(zip(detail.toPlainText().split("\n"), _sides(detail), strict=True))
    direction, left, right = sides[ARABIC_LATIN_FIRST]
    assert direction == RTL and right > 0.9 and left > 0.2
    direction, left, _right = sides[ENGLISH_ARABIC_INSIDE]
    assert direction == LTR and left < 0.1


@pytest.mark.parametrize("layout", [LTR, RTL])
def test_an_editor_sets_each_paragraph_as_it_is_typed(qtbot, layout) -> None:
    from ui.bidi_widgets import PlainTextEdit

    QApplication.setLayoutDirection(layout)
    try:
        box = PlainTextEdit()
        qtbot.addWidget(box)
        box.resize(900, 200)
        box.show()
        changed = []
        box.textChanged.connect(lambda: changed.append(True))
        box.setFocus()
        typed = f"{ARABIC_TYPED}\n{FRENCH_TYPED}\n{ENGLISH_ARABIC_INSIDE}\nتم"
        type_keys(box, typed)
        assert box.text() == typed
        # each paragraph by most of its words, the French one left to right although
        # it starts with Arabic, the first from the right
        assert _directions(box) == [RTL, LTR, LTR, RTL]
        (_arabic, a_left, a_right), (_french, f_left, _f_right), *_rest = _sides(box)
        assert a_right > 0.9 and a_left > 0.3 and f_left < 0.1
        # the caret where the typing left it; one change said per key, none for a format
        assert box.textCursor().position() == len(typed)
        assert len(changed) == len(typed)
    finally:
        QApplication.setLayoutDirection(LTR)


def test_undo_undoes_typing_not_a_direction(qtbot) -> None:
    """Where the editor has Qt's own undo, a paragraph turned around goes with the
    typing that turned it: every step undone takes typing away, and the last one
    leaves the text as it was loaded, unmodified."""
    from ui.bidi_widgets import PlainTextEdit

    box = PlainTextEdit()
    qtbot.addWidget(box)
    box.setPlainText("Hello")
    assert not box.document().isModified()
    cursor = box.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    box.setTextCursor(cursor)
    type_keys(box, "\n" + ARABIC_TYPED)
    assert _directions(box) == [LTR, RTL]
    texts = [box.toPlainText()]
    while box.document().isUndoAvailable():
        box.undo()
        assert box.toPlainText() != texts[-1]  # (a format alone would leave it)
        texts.append(box.toPlainText())
    assert texts[-1] == "Hello" and not box.document().isModified()
    assert _directions(box) == [LTR]
    # and redone, the paragraph is right to left again, its redo kept to the end
    while box.document().isRedoAvailable():
        box.redo()
    assert box.toPlainText() == texts[0] and _directions(box) == [LTR, RTL]


@pytest.mark.parametrize("edit", ["letters", "return", "backspace", "paste"])
def test_undo_leaves_the_caret_where_the_edit_was(qtbot, edit) -> None:
    """Undone, a key or a paste leaves the caret where it was made, as Qt's own text
    box does: the edit block that keeps a key and its directions together began at
    the document's start, and each undo sent the caret there, so that what was typed
    next went at the start of the narrative."""
    from PySide6.QtCore import QMimeData
    from PySide6.QtWidgets import QTextEdit

    from ui.bidi_widgets import PlainTextEdit

    def undone(box) -> tuple[str, int]:
        box.setPlainText("Hello world")
        cursor = box.textCursor()
        cursor.setPosition(5)
        box.setTextCursor(cursor)
        if edit == "letters":
            type_keys(box, " وزارة")
        elif edit == "return":
            type_keys(box, "\n")
        elif edit == "backspace":
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(box, QKeyEvent(kind, Qt.Key.Key_Backspace,
                                                      Qt.KeyboardModifier.NoModifier))
        else:
            data = QMimeData()
            data.setText(" big")
            box.insertFromMimeData(data)
        box.undo()
        return box.toPlainText(), box.textCursor().position()

    box, qt_box = PlainTextEdit(), QTextEdit()
    qtbot.addWidget(box)
    qtbot.addWidget(qt_box)
    assert undone(box) == undone(qt_box) == ("Hello world", 5)


def test_a_key_looks_again_at_its_own_paragraph_only(qtbot, monkeypatch) -> None:
    """A long narrative stays fast: a key typed sets the direction of the paragraph
    it changed, not of every paragraph at each key."""
    import ui.bidi_widgets

    box = ui.bidi_widgets.PlainTextEdit()
    qtbot.addWidget(box)
    box.setPlainText("\n".join([ARABIC_LATIN_FIRST, ENGLISH_ARABIC_INSIDE] * 100))
    looked = []
    own = ui.bidi_widgets.own_direction
    monkeypatch.setattr(ui.bidi_widgets, "own_direction",
                        lambda text: looked.append(text) or own(text))
    cursor = box.textCursor()
    cursor.setPosition(box.document().findBlockByNumber(100).position())
    box.setTextCursor(cursor)
    type_keys(box, "و")
    assert looked == ["و" + ARABIC_LATIN_FIRST]
    assert box.document().findBlockByNumber(100).textDirection() == RTL


def test_the_report_editor_types_and_loads_in_each_paragraph_s_direction(
        open_window, qtbot, hq_db) -> None:
    """The narratives of the report editor: a saved draft shown with each paragraph
    in its own direction and nothing to save; typed, the Arabic paragraph turns right
    to left, and the window's undo undoes the typing."""
    from tests.ui.test_office_work import choose, db_report

    saved = f"{ARABIC_LATIN_FIRST}\n{FRENCH_TYPED}"
    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA1.6", "2026-S1", status="on-track",
                                 achievements=saved)
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    box = editor.narratives["achievements"]
    assert box.text() == saved and _directions(box) == [RTL, LTR]
    assert not editor.dirty() and not box.document().isModified()
    assert editor.saved_label.text() == "" and window.undo_stack.count() == 0
    box.setFocus()
    cursor = box.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    box.setTextCursor(cursor)
    type_keys(box, "\n" + ARABIC_TYPED)
    assert _directions(box) == [RTL, LTR, RTL]
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, "PA1.6", "2026-S1").achievements == saved + "\n" + ARABIC_TYPED
    assert window.undo_stack.count() == 1
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").achievements == saved,
                    timeout=5000)
    assert box.text() == saved and _directions(box) == [RTL, LTR]
    wait_idle(qtbot, window.session)


def _line_direction(field) -> Qt.LayoutDirection:
    """Which way a line edit lays its (short) text out: from the right side (right to
    left: a number alone reads left to right inside it) or from the left."""
    QApplication.processEvents()  # (placed as it is painted)
    field.home(False)
    start = field.cursorRect().center().x()
    field.end(False)
    end = field.cursorRect().center().x()
    return RTL if start + end > field.width() else LTR


@pytest.mark.parametrize(("lang", "typed", "reads"), [
    ("ar", "PA1 تقرير عن الوزارة", RTL),  # Qt: by its first letter, left to right
    ("ar", "PA1 تقرير", RTL),  # a tie: the layout's
    ("ar", "2026", RTL),
    ("ar", "report on progress", LTR),
    ("en", "الوزارة report on progress", LTR),  # Qt: right to left
    ("en", "تقرير عن الوزارة PA1", RTL),
    ("fr", "2026 réunion", LTR),
])
def test_the_reports_search_reads_by_most_of_its_words(qtbot, lang, typed, reads) -> None:
    """The HQ Reports' search field took Qt's direction, its text's first letter's: an
    Arabic query starting with a code read left to right, from the left. It reads by
    most of its words, as a narrative does, a tie going to the layout's direction;
    restored (its signals blocked: ``ReportsPage.restore_filters``) as typed."""
    from ui.app import apply_language
    from ui.hq_desk import SearchField

    app = QApplication.instance()
    apply_language(app, lang)
    try:
        field = SearchField()
        qtbot.addWidget(field)
        field.resize(400, field.sizeHint().height())
        field.show()
        field.blockSignals(True)
        field.setText(typed)
        field.blockSignals(False)
        assert _line_direction(field) == reads
        field.clear()
        type_keys(field, typed)
        assert field.text() == typed
        assert _line_direction(field) == reads
    finally:
        apply_language(app, "en")
