"""The report editor says what ``progress set`` warns of, under the field, as it is
typed: a status and a percent that disagree (completed at 50 %), a count below zero.
A note, not an error: the report is saved as typed."""

from __future__ import annotations

import pytest

from fieldplan.progress import record_progress, submit_period
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, choose_submitted, db_report

COMPLETED_AT_50 = ("Marked completed at 50%: if it is done, set the percent to 100; "
                   "the review pack's means take 50%.")
BELOW_ZERO = "A count below zero: is the minus sign a typo?"


def _status(editor, status: str) -> None:
    editor.status.setCurrentIndex(editor.status.findData(status))


def _type(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)


def test_a_status_and_a_percent_that_disagree_are_noted_and_saved(
        open_window, office_db, qtbot) -> None:
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3")
    note = editor.status_note
    assert note.isHidden()
    _status(editor, "completed")
    assert note.isHidden()  # no percent yet
    _type(qtbot, editor.percent, "50")
    assert not note.isHidden() and note.text() == COMPLETED_AT_50
    # read with the field by a screen reader, not by colour alone
    assert editor.percent.accessibleDescription() == COMPLETED_AT_50
    # saved as typed, by the autosave, the note still there
    qtbot.waitUntil(lambda: (r := db_report(office_db, "PA2.3", "2026-S1")) is not None
                    and (r.status, r.percent) == ("completed", 50), timeout=5000)
    wait_idle(qtbot, window.session)
    assert not note.isHidden()
    _type(qtbot, editor.percent, "100")
    assert note.isHidden() and editor.percent.accessibleDescription() == ""
    _status(editor, "not-started")
    _type(qtbot, editor.percent, "5")
    assert note.text() == "Marked Not started with 5% complete: check which is right."
    _status(editor, "on-track")
    assert note.isHidden()
    qtbot.waitUntil(lambda: db_report(office_db, "PA2.3", "2026-S1").status == "on-track",
                    timeout=5000)
    wait_idle(qtbot, window.session)


def test_a_count_below_zero_is_noted_under_its_field(open_window, office_db, qtbot) -> None:
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3")
    corridors = editor.indicator_notes["corridors"]
    _type(qtbot, editor.indicator_edits["corridors"], "-2")
    assert not corridors.isHidden() and corridors.text() == BELOW_ZERO
    description = editor.indicator_edits["corridors"].accessibleDescription()
    assert description.startswith(BELOW_ZERO + " Target")
    # a percent (a change in a cost) may be below zero
    _type(qtbot, editor.indicator_edits["average-cost"], "-1.5")
    assert editor.indicator_notes["average-cost"].isHidden()
    qtbot.waitUntil(lambda: (r := db_report(office_db, "PA2.3", "2026-S1")) is not None
                    and r.value("corridors") == -2 and r.value("average-cost") == -1.5,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    _type(qtbot, editor.indicator_edits["corridors"], "2")
    assert corridors.isHidden()
    qtbot.waitUntil(lambda: db_report(office_db, "PA2.3", "2026-S1").value("corridors") == 2,
                    timeout=5000)
    wait_idle(qtbot, window.session)


def test_a_report_loaded_or_undone_shows_its_notes(open_window, office_db, qtbot) -> None:
    with open_replica(office_db) as rep:
        record_progress(rep, "PA2.3", "2026-S1", status="completed", percent=50,
                        values={"corridors": -2})
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3")
    assert editor.status_note.text() == COMPLETED_AT_50 and not editor.status_note.isHidden()
    assert not editor.indicator_notes["corridors"].isHidden()
    _type(qtbot, editor.percent, "100")
    assert editor.status_note.isHidden()
    editor.save_now()
    wait_idle(qtbot, window.session)
    window.undo_action.trigger()  # back to 50: the note with it
    qtbot.waitUntil(lambda: db_report(office_db, "PA2.3", "2026-S1").percent == 50,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.percent.text() == "50" and not editor.status_note.isHidden()


def test_no_note_on_a_report_that_cannot_be_edited(open_window, office_db, qtbot) -> None:
    """Submitted: nothing can be changed from here, the note would only be noise."""
    with open_replica(office_db) as rep:
        record_progress(rep, "PA2.3", "2026-S1", status="completed", percent=50,
                        values={"corridors": -2})
        submit_period(rep, "2026-S1")
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    editor = choose_submitted(window, qtbot, "PA2.3")
    assert editor.percent.text() == "50"
    assert editor.status_note.isHidden()
    assert editor.indicator_notes["corridors"].isHidden()
    # reopened, it can be edited: the notes come back
    editor.reopen_button.click()
    qtbot.waitUntil(editor.status.isEnabled, timeout=5000)
    wait_idle(qtbot, window.session)
    assert not editor.status_note.isHidden()
    assert not editor.indicator_notes["corridors"].isHidden()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_notes_fit_beside_the_fields(lang, language, open_window, office_db, qtbot,
                                         tmp_path) -> None:
    language(lang)
    with open_replica(office_db) as rep:
        record_progress(rep, "PA2.3", "2026-S1", status="completed", percent=50,
                        values={"corridors": -2, "average-cost": 4})
    window = open_window(office_db)
    window.resize(1000, 700)
    editor = choose(window, qtbot, "PA2.3")
    window.grab().save(str(tmp_path / f"notes-{lang}.png"))
    notes = [editor.status_note, editor.indicator_notes["corridors"]]
    assert all(n.isVisible() for n in notes)
    for note in notes:
        # whole: wrapped within the form, never cut off at its side
        assert note.width() >= note.minimumSizeHint().width()
        assert note.mapTo(editor.widget(), note.rect().topRight()).x() <= editor.widget().width()
        # under its field, on the layout's leading side
        field = editor.percent if note is editor.status_note else editor.indicator_edits[
            "corridors"]
        assert note.mapToGlobal(note.rect().topLeft()).y() > field.mapToGlobal(
            field.rect().topLeft()).y()


def test_a_fraction_of_a_count_and_a_percent_past_100_are_noted(open_window, office_db,
                                                                 qtbot) -> None:
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3")
    corridors = editor.indicator_notes["corridors"]
    _type(qtbot, editor.indicator_edits["corridors"], "2.5")
    assert not corridors.isHidden() and corridors.text() == (
        "Not a whole number, but it is a count: is the decimal point right?")
    _type(qtbot, editor.indicator_edits["average-cost"], "150 %")  # with its sign too
    assert editor.indicator_notes["average-cost"].text() == "More than 100%: is it right?"
    _type(qtbot, editor.indicator_edits["corridors"], "2")
    assert corridors.isHidden()
    qtbot.waitUntil(lambda: (r := db_report(office_db, "PA2.3", "2026-S1")) is not None
                    and r.value("corridors") == 2 and r.value("average-cost") == 150,
                    timeout=5000)
    wait_idle(qtbot, window.session)


def test_a_status_that_disagrees_with_the_percent_is_read_with_the_status(
        open_window, office_db, qtbot) -> None:
    """The note is read with the status too: a screen reader user who chose
    "Completed" with the percent at 50 heard nothing of it there (only the percent's
    description said it)."""
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA2.3")
    _type(qtbot, editor.percent, "50")
    editor.status.setFocus()
    _status(editor, "completed")
    assert editor.status.accessibleDescription() == COMPLETED_AT_50
    assert editor.percent.accessibleDescription() == COMPLETED_AT_50
    _status(editor, "on-track")  # agrees again: said by neither
    assert editor.status.accessibleDescription() == ""
    assert editor.percent.accessibleDescription() == ""
    qtbot.waitUntil(lambda: (r := db_report(office_db, "PA2.3", "2026-S1")) is not None
                    and (r.status, r.percent) == ("on-track", 50), timeout=5000)
    wait_idle(qtbot, window.session)
