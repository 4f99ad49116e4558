"""A narrative's characters go through the office client as the CLI stores them:
no-break spaces (French « … », Word's), line separators. Qt's plain text turned them
into spaces and newlines, so a report only shown was saved again (a new event that
travelled to HQ, and could meet a sibling's edit as a conflict)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData

from fieldplan.progress import get_report, record_progress
from fieldplan.replica import open_replica
from fieldplan.text import clean_text
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose

FRENCH = "le 12\u00a0mars\u00a0: « oui\u00a0»\u202f!"
LINES = "first line\u2028second line\nnext paragraph"


def events(db) -> int:
    with open_replica(db) as rep:
        return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def narratives(db, action):
    with open_replica(db) as rep:
        report = get_report(rep, action, "2026-S1")
        return report.achievements, report.challenges, report.next_steps


def test_viewing_a_report_writes_nothing(open_window, qtbot, hq_db):
    with open_replica(hq_db) as rep:  # as `progress set --note` stores them
        record_progress(rep, "PA1.6", "2026-S1", achievements=FRENCH,
                        challenges="10\u202f000\u00a0km", next_steps=LINES)
    stored, count = narratives(hq_db, "PA1.6"), events(hq_db)
    assert stored == (FRENCH, "10\u202f000\u00a0km", LINES)
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    assert not editor.dirty()
    assert editor.current_values()[0]["achievements"] == FRENCH
    editor.narratives["achievements"].setFocus()
    editor.percent.setFocus()
    choose(window, qtbot, "PA3.6")  # choosing another action saves what changed
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert events(hq_db) == count
    assert narratives(hq_db, "PA1.6") == stored


def test_pasted_text_is_stored_as_the_cli_stores_it(open_window, qtbot, hq_db):
    pasted = "« Bilan\u00a0» du 12\u00a0mars\r\nligne\u2028suite\u2029fin\u202f!"
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    box = editor.narratives["challenges"]
    box.setFocus()
    mime = QMimeData()
    mime.setText(pasted)
    box.insertFromMimeData(mime)
    qtbot.keyClicks(box, " ok")
    editor.save_now()
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:  # what the CLI stores for the same text
        record_progress(rep, "PA1.6", "2026-S1", challenges=pasted + " ok")
    cli = narratives(hq_db, "PA1.6")[1]
    assert narratives(hq_db, "PA3.6")[1] == cli == clean_text(pasted + " ok")
    assert "\u00a0" in cli and "\u2028" in cli
    assert not editor.dirty()


def test_a_stored_text_qt_cannot_hold_reads_back_unchanged(qtbot):
    from ui.bidi_widgets import PlainTextEdit

    box = PlainTextEdit()
    qtbot.addWidget(box)
    # (stored by the CLI before clean_text turned a paragraph separator into "\n")
    box.setPlainText("one\u2029two\u2028three\u00a0!")
    assert box.text() == "one\u2029two\u2028three\u00a0!"
    box.textCursor().insertText("x")  # edited: Qt's paragraph breaks are newlines
    assert box.text() == "xone\ntwo\u2028three\u00a0!"


def test_a_pasted_noncharacter_is_no_newline(open_window, qtbot, hq_db):
    """Qt's document takes U+FDD0 and U+FDD1 for frame marks: pasted, they read back
    as newlines the person never typed. Left out, as the CLI leaves them out."""
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    box = editor.narratives["challenges"]
    box.setFocus()
    mime = QMimeData()
    mime.setText("one\ufdd0two\ufdd1three")
    mime.setHtml("<p>one\ufdd0two\ufdd1three</p>")  # (as a word processor copies it)
    box.insertFromMimeData(mime)
    assert box.text() == "onetwothree"
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert narratives(hq_db, "PA3.6")[1] == "onetwothree"
