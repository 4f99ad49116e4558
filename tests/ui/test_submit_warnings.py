"""The submit dialog says again what the report form warned of under a draft's fields
(a fraction in a count, completed at 50 %): saved as typed, but a submitted report's
form is read-only and says it no more, so a value went out unchecked though it had been
warned of. Said, not refused: the dialog still submits."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_submit_conflicts import submit_dialog

HEADING = "The report form warned of these: check them before submitting."


def laptop_with_warnings(make_office) -> Path:
    """ML with three drafts of 2026-S1: a fraction in a count of people (PA3.2), one
    completed at 50 % (PA2.2), one with nothing to warn of (PA3.1)."""
    rep = make_office("ML", "ml-a")
    progress.record_progress(rep, "PA3.2", "2026-S1", status="on-track", percent=40,
                             values={"people-reached": 0.000001})
    progress.record_progress(rep, "PA2.2", "2026-S1", status="completed", percent=50)
    progress.record_progress(rep, "PA3.1", "2026-S1", status="on-track", percent=50,
                             values={"dtm-reports": 2})
    path = rep.path
    rep.close()
    return path


def test_submit_dialog_names_the_drafts_the_form_warned_of(open_window, qtbot, hq,
                                                           make_office) -> None:
    path = laptop_with_warnings(make_office)
    window = open_window(path)
    dialog = submit_dialog(window, qtbot)
    text = dialog.text.text()
    assert HEADING in text
    said = text.split(HEADING)[1].split("Still missing:")[0]
    fraction = next(line for line in said.splitlines() if "PA3.2" in line)
    assert "People reached" in fraction and "Not a whole number" in fraction
    short = next(line for line in said.splitlines() if "PA2.2" in line)
    assert "Marked completed at 50%" in short
    assert "PA3.1" not in said
    # said, not refused: Enter is Cancel (as over the dialog's other warnings), and
    # Submit submits
    assert dialog.cancel_button.isDefault() and dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is None, timeout=5000)
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert {r.state for r in progress.list_reports(rep, "2026-S1", "ML")} == {"submitted"}


def test_submit_dialog_says_nothing_of_a_submitted_reports_warnings(
        open_window, qtbot, hq, make_office) -> None:
    """A report submitted already is not submitted again: its warnings are not said."""
    path = laptop_with_warnings(make_office)
    with open_replica(path) as rep:
        progress.submit_period(rep, "2026-S1")
        progress.reopen_report(rep, "PA3.1", "2026-S1")
    window = open_window(path)
    dialog = submit_dialog(window, qtbot)
    assert HEADING not in dialog.text.text()
    assert dialog.ok_button.isDefault()
    dialog.reject()
    wait_idle(qtbot, window.session)
