"""A setup bundle imported by mistake (from the outbox it shares with the exports, or
double-clicked on an office's computer) is refused, and named by the office it is for:
headquarters signs every one, and the inbox and the review pack's refused bundles
listed it under "HQ"."""

from __future__ import annotations

from pathlib import Path

from fieldplan.sync import enroll_office, import_bundle, list_inbox


def test_a_refused_setup_bundle_is_named_by_its_office(hq, make_office,
                                                         tmp_path: Path) -> None:
    setup = tmp_path / "SN-setup.fieldplan"
    enroll_office(hq, "SN", setup)
    outcome = import_bundle(hq, setup)
    assert (outcome.outcome, outcome.office) == ("rejected", "SN")
    assert "setup bundle" in outcome.reason
    [entry] = list_inbox(hq)
    assert (entry.office, entry.outcome) == ("SN", "rejected")
    # on an office's computer too (another office's setup bundle)
    ml = make_office("ML")
    outcome = import_bundle(ml, setup)
    assert (outcome.outcome, outcome.office) == ("rejected", "SN")
    assert list_inbox(ml)[0].office == "SN"
