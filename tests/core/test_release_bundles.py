"""Bundles that released fieldplans wrote (tests/fixtures/bundles/release-<VERSION>/,
see make_release_bundle.py there), imported by this one at the headquarters that
release left: merged whole, and what headquarters sends back is what that release
reads."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan import progress
from fieldplan.planops import install_plan
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, formats, import_bundle
from tests.core.test_unit_words import worded

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bundles"
RELEASES = sorted(p.name.split("-", 1)[1] for p in FIXTURES.glob("release-*"))


@pytest.fixture(params=RELEASES)
def world(request, tmp_path: Path, clock):
    """Headquarters as the release left it (opened by this fieldplan), its office's
    bundle, and what the release said of them."""
    clock("2026-12-07")  # (within the office's enrolment, as when it was sent)
    folder = tmp_path / "w"
    shutil.copytree(FIXTURES / f"release-{request.param}", folder)
    (folder / "hq.sqlite3.key").chmod(0o600)  # as fieldplan wrote it
    facts = json.loads((folder / "world.json").read_text(encoding="utf-8"))
    hq = open_replica(folder / "hq.sqlite3")
    yield hq, folder / f"{facts['office']}{bundlefmt.SUFFIX}", facts
    hq.close()


def test_an_offices_bundle_of_a_release_merges_whole(world) -> None:
    hq, bundle, facts = world
    outcome = import_bundle(hq, bundle, backup=False)
    assert outcome.outcome == "merged", outcome.reason
    assert progress.digest(hq, facts["office"]) == facts["digest"]
    assert formats.office_versions(hq) == {facts["office"]: (facts["release"],)}
    assert formats.reader_format(hq, facts["office"], []) == facts["format"]


def test_headquarters_writes_an_office_on_a_release_what_it_reads(world,
                                                                  tmp_path: Path) -> None:
    """A plan that words its units, which the release cannot read, waits; the bundle
    is in the release's format and says so."""
    hq, bundle, facts = world
    office = facts["office"]
    assert import_bundle(hq, bundle, backup=False).outcome == "merged"
    progress.set_period_lock(hq, "2025-S2")
    install_plan(hq, worded(hq.plan()), "v2.toml")
    result = export_bundle(hq, for_office=office, out_file=tmp_path / "back.fieldplan")
    with bundlefmt.open_bundle(result.path) as opened:
        assert opened.manifest["version"] <= facts["format"]
        assert opened.manifest["acks"]  # the office's receipts go
    with zipfile.ZipFile(result.path) as zf:
        carried = [json.loads(line) for line in zf.read(bundlefmt.EVENTS).splitlines()]
    assert {e["entity"] for e in carried} >= {"lock"}
    assert not any(formats.words_units(e["fields"].get("document"))
                   for e in carried if e["entity"] == "plan")
    assert result.warning.startswith(
        f"{office}'s fieldplan reads bundle format {facts['format']} only: the bundle "
        "carries the receipts")
