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
