"""Structured fuzzing of the bundles fieldplan imports, derandomized and small: real
bundles of a demo world changed in their manifest, their event lines or their ZIP
members, then signed again with the sender's own key, so that each change reaches
the checks behind the signature (tests/bundle_fuzz.py; ``python -m tests.bundle_fuzz``
runs thousands). Each must merge, or be refused in one line with the database as it
was; the cases the loops found are kept below, each in its smallest form."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldplan import minisign, progress
from fieldplan.replica import key_path
from fieldplan.sync import export_bundle, import_bundle, verify_bundle
from tests.bundle_fuzz import (
    Checker,
    line_of,
    make_world,
    mutation,
    pack,
    rechain,
    snapshot,
    unpack,
)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("fuzz") / "world")
    work = tmp_path_factory.mktemp("fuzz-work")
    return Checker(world, work)


@settings(max_examples=40, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_changed_bundle_signed_again_merges_or_is_refused_in_one_line(checker, data):
    source = data.draw(st.sampled_from(sorted(checker.sources)))
    steps, rechained = data.draw(mutation())
    checker.check(source, steps, rechained)


def test_a_report_of_an_office_whose_code_holds_a_line_break_is_refused_in_one_line(
        hq, make_office, tmp_path) -> None:
    """A signed bundle may name any text as the office of a report it writes. Found by
    fuzzing: ``"M\\nL|PA1.1|2026-S1"`` was refused with the code as it was, a reason
    of two lines (the inbox's row and the command line's line broken in two); a code
    of a megabyte was a reason of two megabytes."""
    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, action, "2026-S1", status="on-track")
    sent = export_bundle(ml, out_dir=tmp_path)
    manifest, evs = unpack(sent.path.read_bytes())
    secret = minisign.load_secret_key(key_path(ml.path))
    before = snapshot(hq)
    for code, shown in (("M\nL", "M L"), ("Z" * 1_000_000, "Z" * 79 + "…")):
        changed = [dict(e) for e in evs]
        report = next(e for e in changed if e["entity"] == "progress")
        report["id"] = report["id"].replace("ML|", f"{code}|", 1)
        data = pack(manifest, [line_of(e) for e in rechain(changed)], secret)
        outcome = import_bundle(hq, data, name="ML.fieldplan")
        assert outcome.outcome == "rejected"
        assert outcome.reason == (f"event {report['seq']} of ML writes progress of {shown}; "
                                  f"only {shown}'s replicas may")
        assert verify_bundle(hq, data)["reason"] == outcome.reason
        assert snapshot(hq) == before
