"""A setup bundle imported by mistake (from the outbox it shares with the exports, or
double-clicked on an office's computer) is refused, and named by the office it is for:
headquarters signs every one, and the inbox and the review pack's refused bundles
listed it under "HQ"."""

from __future__ import annotations

from pathlib import Path

from fieldplan.sync import enroll_office, export_bundle, import_bundle, list_inbox


def test_a_refused_setup_bundle_is_named_by_its_office(hq, make_office,
                                                         tmp_path: Path) -> None:
    setup = tmp_path / "SN-setup.fieldplan"
    enroll_office(hq, "SN", setup)
    outcome = import_bundle(hq, setup)
    # (at the headquarters that wrote it: nothing new, a duplicate)
    assert (outcome.outcome, outcome.office) == ("duplicate", "SN")
    assert "setup bundle" in outcome.reason
    [entry] = list_inbox(hq)
    assert (entry.office, entry.outcome) == ("SN", "duplicate")
    # on an office's computer too (another office's setup bundle)
    ml = make_office("ML")
    outcome = import_bundle(ml, setup)
    assert (outcome.outcome, outcome.office) == ("rejected", "SN")
    assert list_inbox(ml)[0].office == "SN"


def test_the_review_pack_does_not_list_a_setup_bundle_among_refused_bundles(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters imported SN's setup bundle by mistake (it lay on the stick beside
    the offices' bundles): the review pack listed it under "Bundles refused since the
    period began" as Senegal's, with the command line's advice to start a new office,
    telling the meeting that Senegal's data did not arrive. It holds no office's data:
    the pack leaves it out, as it does a bundle headquarters wrote for an office and
    imported itself (listed under "Headquarters"); a damaged bundle is still listed."""
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack

    setup = tmp_path / "SN-setup.fieldplan"
    enroll_office(hq, "SN", setup)
    assert import_bundle(hq, setup).outcome == "duplicate"
    sn = make_office("SN")
    for_sn = export_bundle(hq, for_office="SN", out_dir=tmp_path).path
    assert import_bundle(hq, for_sn).outcome == "duplicate"
    assert import_bundle(sn, for_sn).outcome == "merged"
    damaged = tmp_path / "SN-2026-S1.fieldplan"
    damaged.write_bytes(b"PK\x03\x04" + bytes(200))
    assert import_bundle(hq, damaged).outcome == "rejected"
    pack = Pack(hq, cm.make_ctx(hq, "2026-S1", "en", "A4"), None, 1)
    assert [e.file for e in pack.sync.refused] == [damaged.name]
