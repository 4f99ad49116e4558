"""Where indicators an amendment moved to another action are now (Plan.moved_values,
from the plan's history): a value typed for one before the move goes with it."""

from __future__ import annotations

from pathlib import Path

from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup
from tests.scenes import amend_plan


def test_a_moved_indicator_is_found_under_the_action_that_has_it_now(tmp_path: Path):
    hq = init_hq(tmp_path / "hq.sqlite3")
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    office = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup")
    assert hq.plan().moved_values == {}
    amend_plan(hq, tmp_path, move_indicators=(("PA1.2", "data-reports", "PA1.1"),))
    assert hq.plan().moved_values == {("PA1.2", "data-reports"): "PA1.1"}
    # moved on again: followed to the last action
    amend_plan(hq, tmp_path, move_indicators=(("PA1.1", "data-reports", "PA1.3"),))
    assert hq.plan().moved_values == {("PA1.2", "data-reports"): "PA1.3",
                                      ("PA1.1", "data-reports"): "PA1.3"}
    # an office reads the same from the versions HQ's bundle brings
    out = tmp_path / "out"
    out.mkdir()
    assert import_bundle(office, export_bundle(hq, for_office="ML", out_dir=out).path
                         ).outcome == "merged"
    assert office.plan().moved_values == hq.plan().moved_values
    # dropped (not moved) from its action: nowhere; a key two actions gain is no move
    amend_plan(hq, tmp_path, drop_indicators=(("PA1.3", "data-reports"),))
    assert hq.plan().moved_values == {}
    amend_plan(hq, tmp_path, move_indicators=(("PA1.2", "officials-trained", "PA1.1"),),
               add_indicators=(("PA1.3", "officials-trained"),))
    assert hq.plan().moved_values == {("PA1.2", "officials-trained"): "PA1.1"}


def test_an_indicator_back_in_its_action_is_not_moved_from_it(tmp_path: Path):
    """Moved to PA1.1 and back: a value typed under PA1.2 stays there; one typed under
    PA1.1 while it had the indicator goes back to PA1.2."""
    hq = init_hq(tmp_path / "hq.sqlite3")
    amend_plan(hq, tmp_path, move_indicators=(("PA1.2", "data-reports", "PA1.1"),))
    amend_plan(hq, tmp_path, move_indicators=(("PA1.1", "data-reports", "PA1.2"),))
    assert hq.plan().moved_values == {("PA1.1", "data-reports"): "PA1.2"}


def test_the_sheet_and_the_pack_say_values_of_a_moved_indicator_apart(hq, tmp_path: Path):
    """Mali recorded a value for an indicator an amendment then moved to another
    action: the sheet and the pack's cover said "Values of 1 indicator that the current
    plan no longer has are not shown", where the plan has it, under the other action;
    they say it moved. A dropped one is said as before, beside it."""
    from fieldplan.reports import build_review_pack, build_status_sheet
    from tests.core.test_reports import PERIOD, pdf_text
    from tests.fixtures.reports.seed import write_progress

    assert write_progress(hq, "ML", PERIOD) == 12
    first, second = (i.key for i in hq.plan().action("PA2.3").indicators[:2])
    amend_plan(hq, tmp_path, move_indicators=(("PA2.3", first, "PA2.1"),),
               drop_indicators=(("PA2.3", second),))
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    cover = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"), 1)
    for text in (sheet, cover):
        assert ("Values of 1 indicator that the current plan no longer has are not shown; "
                "a data export lists them. Values recorded for 1 indicator before an "
                "amendment moved it to another action are not shown; a data export lists "
                "them.") in text
