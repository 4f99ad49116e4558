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


def test_a_value_whose_indicator_moved_where_this_office_does_not_report_says_so(
        open_window, qtbot, office):  # noqa: F811
    """A value an earlier session left unsaved in PA1.2's data-reports, which an
    amendment moved to PA1.1, regional since: set aside (this country office does not
    report on PA1.1), but with the reason "the current plan has no such indicator",
    where the plan has it, under PA1.1. The reason says where it went, and why that
    report is not this office's."""
    import json

    from tests.ui.test_plan_amendment import drafts_file

    bn, amend = office
    with open_replica(bn) as rep:
        import_bundle(rep, amend(move_indicators=MOVE, regional=("PA1.1",)))
    bn.with_name(bn.name + ".drafts.json").write_text(json.dumps({"version": 1, "drafts": [
        {"action": "PA1.2", "period": "2026-S1",
         "values": {"value.data-reports": 4, "challenges": "Late"},
         "base": {"value.data-reports": [], "challenges": []}},
    ]}), encoding="utf-8")
    window = open_window(bn)
    label = window.save_state_label
    qtbot.waitUntil(lambda: label.text() == (
        "PA1.2 (1st semester 2026) holds a value for an indicator the current plan moved "
        "to an action this office does not report on; it is kept in "
        "bn.sqlite3.drafts-set-aside.json"), timeout=10_000)
    assert ("PA1.2 (1st semester 2026): the current plan moved this indicator to PA1.1, "
            "which it does not show to this office (the action is no longer at this "
            "office's level)") in label.toolTip().splitlines()
    aside = drafts_file(bn, ".drafts-set-aside.json")[("PA1.2", "2026-S1")]
    assert aside["values"] == {"value.data-reports": 4}
    assert aside["why"] == ["moved", "PA1.1", "level"]
    assert "not have" not in aside["error"] and "PA1.1" in aside["error"]
    # the rest of the draft is PA1.2's, saved as ever
    qtbot.waitUntil(lambda: db_report(bn, "PA1.2", "2026-S1").challenges == "Late",
                    timeout=5000)
    wait_idle(qtbot, window.session)
    assert "challenges" not in aside
    # the set-aside text's window says why above the value, as of a dropped one
    from ui.drafts import _is_apart, _reason_of

    assert _is_apart(aside)
    assert str(_reason_of(aside)).startswith("the current plan moved this indicator to PA1.1")
