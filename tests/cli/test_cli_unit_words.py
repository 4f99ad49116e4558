"""``plan import`` of a plan that words a unit in French or Arabic: the change is
listed, and the offices whose fieldplan cannot read such a plan (0.3: bundle format
3) are named before it is installed, as a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.plan import dump_plan
from fieldplan.planops import install_plan
from tests.core.test_bundle_compat import as_older, send
from tests.core.test_unit_words import worded


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def offices(hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """HQ having heard from ML running fieldplan 0.3 and from SN updated."""
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, "PA1.1", "2026-S1", status="on-track")
        with monkeypatch.context() as old:
            if code == "ML":
                as_older(old, 3)
            send(office, hq, tmp_path, code.lower())
    return str(hq.path)


def test_a_dry_run_names_the_offices_to_update(capsys, hq, offices, tmp_path: Path):
    path = tmp_path / "v2.csv"
    dump_plan(worded(hq.plan(), unit="documents"), path)
    hq.close()
    code, out, err = run(capsys, "--db", offices, "plan", "import", str(path), "--dry-run")
    assert code == 0
    assert err == ("fieldplan: warning: 1 office runs a fieldplan that cannot read units "
                   "in French or Arabic (ML): it must be updated to receive this plan\n")
    assert ("  Units changed (2): PA1.1/policies-supported in French from none to ateliers; "
            "PA1.1/policies-supported in Arabic from none to حلقات دراسية") in out.splitlines()
    code, out, err = run(capsys, "--db", offices, "--json", "plan", "import", str(path),
                         "--dry-run")
    assert code == 0 and json.loads(out)["offices_to_update"] == ["ML"]


def test_a_plan_with_english_units_alone_names_none(capsys, hq, offices, tmp_path: Path):
    import dataclasses

    path = tmp_path / "v2.json"
    dump_plan(dataclasses.replace(hq.plan(), version=2), path)
    hq.close()
    code, out, err = run(capsys, "--db", offices, "--json", "plan", "import", str(path),
                         "--dry-run")
    assert code == 0 and err == "" and json.loads(out)["offices_to_update"] == []


def test_a_laptop_revoked_or_replaced_is_not_an_office_to_update(
        capsys, hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """ML's first laptop ran fieldplan 0.3 and was lost (its key revoked); its new one
    runs this fieldplan and has reported. HQ's export to ML reads only the new one
    (the lost one is cut off): the plan import named ML as an office to update all the
    same, by what the lost laptop last said it reads. Found by review."""
    from fieldplan.sync import revoke_key

    old = make_office("ML")
    progress.record_progress(old, "PA1.1", "2026-S1", status="on-track")
    with monkeypatch.context() as older:
        as_older(older, 3)
        send(old, hq, tmp_path, "ml-old")
    revoke_key(hq, old.meta("key_id"))
    new = make_office("ML")
    progress.record_progress(new, "PA1.1", "2026-S1", status="on-track")
    send(new, hq, tmp_path, "ml-new")
    path = tmp_path / "v2.csv"
    dump_plan(worded(hq.plan(), unit="documents"), path)
    db = str(hq.path)
    hq.close()
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path),
                         "--dry-run")
    assert code == 0 and err == "" and json.loads(out)["offices_to_update"] == []


def test_back_to_english_units_still_names_an_office_the_worded_plan_awaits(
        capsys, hq, offices, tmp_path: Path):
    # a plan that words units installed (ML warned of), then one with English units
    # alone before ML was updated: ML's next bundle still carries the worded version
    # (an event of the log, before the new one), in format 4, which ML refuses; the
    # dry-run named no office to update
    import dataclasses

    worded_plan = worded(hq.plan(), unit="documents")
    english = dataclasses.replace(hq.plan(), version=worded_plan.version + 1)
    dump_plan(worded_plan, tmp_path / "v2.json")
    dump_plan(english, tmp_path / "v3.json")
    hq.close()
    code, _out, _err = run(capsys, "--db", offices, "plan", "import",
                           str(tmp_path / "v2.json"))
    assert code == 0
    code, out, err = run(capsys, "--db", offices, "--json", "plan", "import",
                         str(tmp_path / "v3.json"), "--dry-run")
    assert code == 0 and json.loads(out)["offices_to_update"] == ["ML"]
    assert err == ("fieldplan: warning: 1 office runs a fieldplan that cannot read units "
                   "in French or Arabic (ML): it must be updated to receive this plan\n")


def test_a_dry_run_lists_each_language_a_unit_changes_in(capsys, hq, tmp_path: Path):
    """The English word and the French one both changed: the dry run (text and
    --json) listed the English alone. Found by review."""
    old = worded(hq.plan(), unit="documents", fr="documents", ar="")
    path = tmp_path / "v2.json"
    dump_plan(worded(old, unit="workshops", fr="ateliers", ar=""), path)
    install_plan(hq, old, "v1.json")
    hq.close()
    code, out, _ = run(capsys, "--db", str(hq.path), "plan", "import", str(path),
                       "--dry-run")
    assert code == 0
    assert ("  Units changed (2): PA1.1/policies-supported from documents to workshops; "
            "PA1.1/policies-supported in French from documents to ateliers") \
        in out.splitlines()
    code, out, _ = run(capsys, "--db", str(hq.path), "--json", "plan", "import", str(path),
                       "--dry-run")
    assert [(u["language"], u["after"]) for u in json.loads(out)["changes"]["units"]] == [
        ("en", "workshops"), ("fr", "ateliers")]
