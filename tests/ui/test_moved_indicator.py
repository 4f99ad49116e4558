"""Values of an indicator an amendment moved to another action: what the client says
of them, and of a value typed for it that goes with it (Plan.moved_values)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report
from tests.ui.test_plan_amendment import import_in_window, office  # noqa: F401

MOVE = (("PA1.2", "data-reports", "PA1.1"),)


def test_the_import_says_where_a_moved_indicator_went(open_window, qtbot, office):  # noqa: F811
    """BN recorded 3 data reports in PA1.2; the amendment moves that indicator to PA1.1.
    The import said "It no longer has 1 indicator this office recorded values for
    (PA1.2/data-reports)", where the plan has it, under PA1.1: it says where it went,
    in the result and in the Inbox's reason (--json too)."""
    bn, amend = office
    with open_replica(bn) as rep:
        progress.record_progress(rep, "PA1.2", "2026-S1", values={
            "officials-trained": 40, "data-reports": 3})
    bundle = amend(move_indicators=MOVE)
    window = open_window(bn)
    dialog = import_in_window(window, qtbot, bundle)
    assert dialog.plan_note.text() == (
        "The plan is now version 2. It moved 1 indicator this office recorded values for "
        "to another action (PA1.2/data-reports to PA1.1): the values recorded before are "
        "kept, and each report shows them under its indicators; new ones go in the "
        "action it is in now.")
    assert dialog.table.item(0, 3).text().endswith(
        "; the plan is now version 2; it hides this office's values of 1 indicator it "
        "moved to another action (PA1.2/data-reports to PA1.1): they are kept in their "
        "reports")


def test_a_dropped_and_a_moved_indicator_are_told_apart(tmp_path, office):  # noqa: F811
    bn, amend = office
    with open_replica(bn) as rep:
        progress.record_progress(rep, "PA1.2", "2026-S1", values={
            "officials-trained": 40, "data-reports": 3})
    bundle = amend(move_indicators=MOVE, drop_indicators=(("PA1.2", "officials-trained"),))
    with open_replica(bn) as rep:
        out = import_bundle(rep, bundle)
    assert out.plan_hidden_values == ("PA1.2/data-reports", "PA1.2/officials-trained")
    assert out.to_dict()["plan_moved_values"] == {"PA1.2/data-reports": "PA1.1"}
    assert out.plan_text() == (
        "the plan is now version 2; it hides this office's values of 1 indicator it no "
        "longer has (PA1.2/officials-trained): they are kept in their reports; it hides "
        "this office's values of 1 indicator it moved to another action "
        "(PA1.2/data-reports to PA1.1): they are kept in their reports")


def test_the_report_form_says_where_a_moved_indicator_went(open_window, qtbot, office):  # noqa: F811
    """The report form listed the value saved in PA1.2 for data-reports under "Also
    recorded, for an indicator the current plan no longer has", where the plan has it,
    under PA1.1: it says that an amendment moved it, and where."""
    bn, amend = office
    with open_replica(bn) as rep:
        progress.record_progress(rep, "PA1.2", "2026-S1", values={
            "officials-trained": 40, "data-reports": 3})
    with open_replica(bn) as rep:
        import_bundle(rep, amend(move_indicators=MOVE))
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.2", "2026-S1")
    wait_idle(qtbot, window.session)
    [value] = editor.dropped_values
    assert value.text() == "3"
    title = ("National migration data reports or migration profiles published "
             "(moved to PA1.1)")
    assert value.accessibleName() == f"{title}: 3"
    qtbot.waitUntil(lambda: value.isVisibleTo(editor.indicator_box), timeout=5000)
    shown = [w.text() for w in editor.indicator_box.findChildren(QLabel)
             if w.isVisibleTo(editor.indicator_box)]
    assert title in shown
    assert ("Also recorded, for an indicator an amendment moved to another action (kept "
            "here, and listed by a data export, but not printed; a value typed now goes "
            "in that action's report):") in shown
    assert not any("no longer has" in text for text in shown)


def test_a_value_moved_to_the_report_on_screen_is_shown_there_and_kept(
        open_window, qtbot, office, monkeypatch):  # noqa: F811
    """7 typed in PA1.2's data-reports could not be saved (the database busy: "1 report
    not saved yet — retrying"); the person went on to PA1.1 and imported the amendment
    moving that indicator to PA1.1. The 7 went to PA1.1's draft, but the form on
    screen, still PA1.1's of the plan before (no such field), put its own draft over
    it as it was made again for the new plan: the 7 was in no report, no draft and no
    set-aside file. It is in PA1.1's form at once, and saved there."""
    import sqlite3

    import ui.report_editor

    real = ui.report_editor.write_values
    busy = {"PA1.2"}

    def write_values(rep, action, *args, **kwargs):
        if action in busy:
            raise sqlite3.OperationalError("database is locked")
        return real(rep, action, *args, **kwargs)

    monkeypatch.setattr(ui.report_editor, "write_values", write_values)
    monkeypatch.setattr("ui.drafts.RETRY_MS", 600_000)  # (no retry but the first)
    bn, amend = office
    bundle = amend(move_indicators=MOVE)
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.2", "2026-S1")
    qtbot.keyClicks(editor.indicator_edits["data-reports"], "7")
    editor = choose(window, qtbot, "PA1.1", "2026-S1")
    wait_idle(qtbot, window.session)
    assert ("PA1.2", "2026-S1") in editor._journal().reports()  # (not saved)
    busy.clear()
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: "data-reports" in editor.indicator_edits
                    and editor.indicator_edits["data-reports"].text() == "7", timeout=5000)
    assert editor.action.code == "PA1.1"
    qtbot.waitUntil(lambda: db_report(bn, "PA1.1", "2026-S1").value("data-reports") == 7,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    assert db_report(bn, "PA1.2", "2026-S1").value("data-reports") is None
