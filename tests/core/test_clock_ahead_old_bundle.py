"""An office computer judges its clock by headquarters' bundles: one written more than
a year before its clock's day says the clock is ahead. A bundle that brings nothing
new, imported again or found after a later one of headquarters, is old because it is:
its day says nothing of the clock (a folder or stick of last year's bundles imported
beside this month's said "this computer's clock seems to be ahead … check its date"
of a clock that was right)."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress
from fieldplan.sync import export_bundle, import_bundle

PERIOD = "2025-S2"


def _hq_bundle(hq, folder: Path, locked: bool) -> Path:
    progress.set_period_lock(hq, PERIOD, locked=locked)
    folder.mkdir(exist_ok=True)
    return export_bundle(hq, for_office="ML", out_dir=folder).path


def test_last_years_bundle_imported_again_says_nothing_of_the_clock(
        clock, hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    old = _hq_bundle(hq, tmp_path / "2026", locked=True)
    assert import_bundle(ml, old).outcome == "merged"
    clock("2027-06-01")
    new = _hq_bundle(hq, tmp_path / "2027", locked=False)
    outcome = import_bundle(ml, new)
    assert outcome.outcome == "merged" and outcome.clock_ahead == ""
    outcome = import_bundle(ml, old)
    assert outcome.outcome == "duplicate"
    assert outcome.clock_ahead == "" and "clock" not in outcome.line()
    assert "clock" not in outcome.reason  # (nor the inbox)


def test_an_old_bundle_found_after_a_later_one_says_nothing_of_the_clock(
        clock, hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    old = _hq_bundle(hq, tmp_path / "2026", locked=True)
    clock("2027-06-01")
    new = _hq_bundle(hq, tmp_path / "2027", locked=False)
    assert import_bundle(ml, new).outcome == "merged"
    outcome = import_bundle(ml, old)
    assert outcome.outcome == "duplicate"
    assert outcome.clock_ahead == "" and "clock" not in outcome.line()


def test_a_bundle_that_brings_news_a_year_late_still_says_it(
        clock, hq, make_office, tmp_path: Path) -> None:
    """What the clock check is for: headquarters' newest bundle, a year before this
    computer's day."""
    ml = make_office("ML")
    old = _hq_bundle(hq, tmp_path / "2026", locked=True)
    clock("2027-06-01")
    outcome = import_bundle(ml, old)
    assert outcome.outcome == "merged" and outcome.clock_ahead.startswith("2026-02-02")
    assert "this computer's clock seems to be ahead" in outcome.line()
