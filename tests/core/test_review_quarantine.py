"""The review pack's bundles in quarantine: one left waiting after an import registered
its key and could not take it (``QuarantineItem.key_on_record``) is listed apart, with
why it waits and what takes it, not under "key not trusted yet", no longer true of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_sync import national

from fieldplan import progress, store
from fieldplan.reports import build_review_pack
from fieldplan.sync import export_bundle, import_bundle, list_quarantine
from tests.scenes import key_registered_left_waiting

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"),
                                reason="needs poppler-utils")

PERIOD = "2026-S1"


def _unknown_keys_bundle(office, hq, folder: Path) -> Path:
    """A bundle of ``office`` that headquarters holds in quarantine (no enrolment
    proof in it: its key is not known)."""
    with store.write_transaction(office.conn):
        office.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(office, national(office), PERIOD, status="on-track")
    folder.mkdir()
    bundle = export_bundle(office, out_dir=folder).path
    assert import_bundle(hq, bundle).outcome == "quarantined"
    return bundle


def test_a_bundle_whose_key_is_on_record_is_not_said_to_wait_for_a_trust(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    unknown = _unknown_keys_bundle(make_office("BN"), hq, tmp_path / "bn")
    waiting, proof = key_registered_left_waiting(hq, make_office("ML"), tmp_path / "stick",
                                                 monkeypatch)
    assert sorted(q.key_on_record for q in list_quarantine(hq)) == [False, True]
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang="en")
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                   capture_output=True, text=True, check=True)
                    .stdout.split())
    trust = text.index("Bundles in quarantine (key not trusted yet)")
    on_record = text.index(
        "Bundles in quarantine whose key is on record (not imported yet)")
    # each under its own heading: the unknown key's first, then the one left waiting
    assert trust < text.index(unknown.name) < on_record < text.index(waiting.name)
    assert f"(registered by {proof.name})" in text[on_record:]
    assert "(database or disk is full)" in text[on_record:]
    assert "importing its file again imports it" in text[on_record:]
