"""An import says what it made known of keys: at headquarters, that a new computer of
an office is registered (the Enrol dialog promised the office receives bundles once
its first bundle reached headquarters, and the import said only "merged (no
events)"); at an office, that headquarters changed its key, with the new fingerprint
(it showed in the key dialog only)."""

from __future__ import annotations

from pathlib import Path

from fieldplan.sync import (
    enroll_office,
    export_bundle,
    import_bundle,
    init_from_setup,
    rotate_key,
)

REGISTERED = ("the key of a new computer of CI is now registered: headquarters' bundles "
              "for CI reach that computer from now on")


def test_headquarters_is_told_a_new_computer_of_an_office_is_registered(
        hq, tmp_path: Path) -> None:
    setup = tmp_path / "CI-setup.fieldplan"
    enroll_office(hq, "CI", setup)
    first = init_from_setup(tmp_path / "first.sqlite3", setup)
    second = init_from_setup(tmp_path / "second.sqlite3", setup)
    try:
        for laptop in (first, second):
            bundle = export_bundle(laptop, out_file=tmp_path / f"{laptop.replica_id}.fieldplan")
            outcome = import_bundle(hq, bundle.path)
            assert outcome.outcome == "merged" and outcome.computer_registered
            assert outcome.line() == f"{bundle.path.name}: merged (no events); {REGISTERED}"
            assert outcome.to_dict()["computer_registered"] is True
        # its next bundle registers nothing: nothing said
        again = export_bundle(first, out_file=tmp_path / "again.fieldplan")
        later = import_bundle(hq, again.path)
        assert not later.computer_registered and later.key_news_text() == ""
    finally:
        first.close()
        second.close()


def test_an_office_is_told_headquarters_changed_its_key(hq, tmp_path: Path) -> None:
    setup = tmp_path / "CI-setup.fieldplan"
    enroll_office(hq, "CI", setup)
    office = init_from_setup(tmp_path / "ci.sqlite3", setup)
    try:
        first = export_bundle(office, out_file=tmp_path / "first.fieldplan")
        assert import_bundle(hq, first.path).outcome == "merged"
        before = import_bundle(office, export_bundle(
            hq, for_office="CI", out_file=tmp_path / "hq1.fieldplan").path)
        assert before.outcome in ("merged", "duplicate") and not before.hq_new_key
        new = rotate_key(hq)
        outcome = import_bundle(office, export_bundle(
            hq, for_office="CI", out_file=tmp_path / "hq2.fieldplan").path)
        assert outcome.outcome == "merged"
        assert outcome.hq_new_key == new.fingerprint
        assert outcome.line().endswith(
            f"; headquarters changed its key: its new fingerprint is {new.fingerprint} "
            "(shown under Help ▸ This computer's key…)")
        assert outcome.to_dict()["hq_new_key"] == new.fingerprint
        assert not outcome.computer_registered
    finally:
        office.close()
