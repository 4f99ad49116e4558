"""A conflict's competing values in the review pack name the computer that wrote each;
the value the pack prints may be one a computer wrote whose key headquarters has
revoked since: said beside it ("…, revoked"), as ``keys list`` names the key's status,
so that a reviewer does not take it for a value to trust."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan import progress, sync
from fieldplan.reports import build_review_pack
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from fieldplan.sync import export_bundle, import_bundle, revoke_key
from fieldplan.sync.conflicts import Candidate, Conflict

PERIOD = "2026-S1"


@pytest.fixture
def revoked_laptop(hq, make_office, tmp_path: Path):
    """ML's laptop: its progress reached headquarters, then its key was revoked."""
    laptop = make_office("ML")
    action = laptop.plan().actions_of(level="national")[0].code
    progress.record_progress(laptop, action, PERIOD, status="on-track")
    bundle = export_bundle(laptop, out_file=tmp_path / "ml.fieldplan").path
    assert import_bundle(hq, bundle).outcome == "merged"
    revoke_key(hq, laptop.meta("key_id"))
    return laptop, action


def fake_conflict(monkeypatch, laptop, action: str) -> None:
    """The laptop's value wins for now over another computer's."""
    conflict = Conflict("c1", "progress", f"ML|{action}|{PERIOD}", "percent", (
        Candidate(f"{laptop.replica_id[:8]}:3", f"{laptop.replica_id}:3", 30, "moussa",
                  "2026-07-01T00:00:00+00:00", True),
        Candidate("r2:4", "r2abcdef-0000:4", 45, "awa", "2026-07-02T00:00:00+00:00",
                  False)))
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [conflict])


def test_a_value_of_a_revoked_computer_is_said_to_be_its(hq, revoked_laptop,
                                                          monkeypatch) -> None:
    laptop, action = revoked_laptop
    fake_conflict(monkeypatch, laptop, action)
    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    [conflict] = pack.sync.conflicts
    cell = [f.text for f in pack._candidates(conflict)]
    assert cell == [
        "30%", f"Computer {laptop.replica_id[:8]}, moussa, revoked (shown in this pack)",
        "45%", "Computer r2abcdef, awa"]


def test_a_value_of_a_computer_still_trusted_is_not(hq, make_office, tmp_path: Path,
                                                    monkeypatch) -> None:
    laptop = make_office("ML")
    action = laptop.plan().actions_of(level="national")[0].code
    fake_conflict(monkeypatch, laptop, action)
    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    cell = [f.text for f in pack._candidates(pack.sync.conflicts[0])]
    assert cell[1] == f"Computer {laptop.replica_id[:8]}, moussa (shown in this pack)"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_printed_pack_says_it(hq, revoked_laptop, tmp_path: Path, monkeypatch) -> None:
    laptop, action = revoked_laptop
    fake_conflict(monkeypatch, laptop, action)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "pack.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert f"Computer {laptop.replica_id[:8]}, moussa, revoked (shown in this pack)" in text
