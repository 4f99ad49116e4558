"""A number the drafts held back as no number when it was typed, that reads as one
now, waits to be typed again (tests/ui/test_language_change.py). It said "When it was
typed, in another language…" whatever had held it back: the report's percent, which
reads alike in every language, or "45 %" in an indicator an amendment has made a
percent since, were said to be typed in another language. Each now says its reason."""

from __future__ import annotations

import dataclasses
import json

from fieldplan.plan import dump_plan
from fieldplan.planops import replace_plan
from fieldplan.replica import open_replica
from tests.scenes import amended
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report


def _held(db, held: dict[str, str]) -> None:
    """An earlier session's journal: these texts held back in PA1.6's 2026-S1 report."""
    db.with_name(db.name + ".drafts.json").write_text(json.dumps({"version": 1, "drafts": [
        {"action": "PA1.6", "period": "2026-S1", "held": held}]}), encoding="utf-8")


def _errors(open_window, qtbot, db) -> dict[str, str]:
    window = open_window(db)
    editor = choose(window, qtbot, "PA1.6")
    editor.save_now()
    wait_idle(qtbot, window.session)
    return {name: label.text() for name, label in editor.errors.items()
            if label.isVisible()}


def test_a_held_percent_and_number_say_no_other_language(open_window, qtbot, hq_db):
    _held(hq_db, {"percent": "45", "value.joint-statements": "12"})
    errors = _errors(open_window, qtbot, hq_db)
    assert errors == {
        "percent": "When it was typed, 45 was not read as a whole number from 0 to 100: "
                   "type it again as you mean it.",
        "value.joint-statements": "When it was typed, 12 was not read as a number: type "
                                  "it again as you mean it."}
    report = db_report(hq_db, "PA1.6", "2026-S1")
    assert report.percent == 40 and report.value("joint-statements") != 12


def test_a_held_percent_sign_says_the_plan_was_amended(open_window, qtbot, hq_db,
                                                        tmp_path):
    """"45 %" typed in a count, held back; an amendment has made the indicator a
    percent since, where "45 %" reads as 45."""
    with open_replica(hq_db) as rep:
        plan = amended(rep.plan())
        plan = dataclasses.replace(plan, actions=tuple(
            dataclasses.replace(a, indicators=tuple(
                dataclasses.replace(i, unit="percent") if i.key == "joint-statements"
                else i for i in a.indicators)) for a in plan.actions))
        dump_plan(plan, tmp_path / "plan.json")
        replace_plan(rep, tmp_path / "plan.json", allow_hiding=True)
    _held(hq_db, {"value.joint-statements": "45 %"})
    errors = _errors(open_window, qtbot, hq_db)
    assert errors == {
        "value.joint-statements": "When it was typed, 45 % was not read as a number: this "
                                  "indicator was not a percentage then (the plan has been "
                                  "amended since). Type it again as you mean it."}


def test_a_held_status_that_is_none_is_left_out(open_window, qtbot, hq_db):
    """A damaged drafts file holding a status that is none of the statuses (or a
    field the form has not) set the status box to its first entry: it is left out,
    and the report shows its status."""
    _held(hq_db, {"status": "x", "nonsense": "y", "percent": "45"})
    saved = db_report(hq_db, "PA1.6", "2026-S1").status
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    assert saved != editor.status.itemData(0)  # (else the first entry would hide it)
    assert editor.status.currentData() == saved
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert db_report(hq_db, "PA1.6", "2026-S1").status == saved
    assert editor._journal().held(("PA1.6", "2026-S1")) == {"percent": "45"}
