"""Imports while another program writes to the same database (the client open at
headquarters, a command run beside it): what the import checked before its write
transaction, another program may have changed by the time it writes."""

from __future__ import annotations

from pathlib import Path

from test_sync import national, registered, snapshot

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle, revoke_key
from fieldplan.sync import keys as keyreg


def imported_while_revoked(hq, bundle: Path, key_id: str, monkeypatch):
    """Import ``bundle`` at ``hq`` while another program revokes key ``key_id``: after
    the import's backup, before its write transaction."""
    real = type(hq).backup

    def another_program_revokes(rep, reason: str):
        taken = real(rep, reason)
        with open_replica(rep.path) as other:
            revoke_key(other, key_id)
        return taken

    monkeypatch.setattr(type(hq), "backup", another_program_revokes)
    try:
        return import_bundle(hq, bundle)
    finally:
        monkeypatch.undo()


def test_a_key_revoked_while_the_import_backs_up_is_refused(hq, make_office, tmp_path: Path,
                                                            monkeypatch) -> None:
    """Headquarters revokes a stolen laptop's key in one program while another imports
    the laptop's bundle: the key was checked before the backup (seconds at a large
    headquarters), the revocation committed meanwhile, and the bundle was merged all
    the same, signed by a key revoked before it was written."""
    ml = registered(make_office("ML"), hq, tmp_path)
    progress.record_progress(ml, national(ml), "2026-S1", percent=40)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    key_id = ml.meta("key_id")
    outcome = imported_while_revoked(hq, bundle, key_id, monkeypatch)
    assert outcome.outcome == "rejected"
    assert outcome.reason == f"signed with key {key_id} (ML), which was revoked"
    before = snapshot(hq)
    assert import_bundle(hq, bundle).outcome == "rejected"  # (as it is now)
    assert snapshot(hq) == before


def test_a_bundle_whose_enrolment_ends_meanwhile_waits_in_quarantine(
        hq, tmp_path: Path, monkeypatch) -> None:
    """The second laptop set up from ML's setup bundle sends its first bundle while
    another program revokes the first laptop's key, which ends that setup bundle's
    enrolment: checked before, its key was registered on the ended enrolment's word.
    It waits in quarantine, as it does when the revocation came first."""
    from fieldplan.sync import enroll_office, init_from_setup, list_quarantine

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    first = registered(init_from_setup(tmp_path / "first.sqlite3", setup), hq, tmp_path)
    second = init_from_setup(tmp_path / "second.sqlite3", setup)
    try:
        progress.record_progress(second, national(second), "2026-S1", percent=10)
        bundle = export_bundle(second, out_dir=tmp_path).path
        outcome = imported_while_revoked(hq, bundle, first.meta("key_id"), monkeypatch)
        assert outcome.outcome == "quarantined"
        assert "its setup bundle's enrolment was ended on" in outcome.reason
        assert [q.key_id for q in list_quarantine(hq)] == [second.meta("key_id")]
        assert second.meta("key_id") not in keyreg.all_keys(hq)
    finally:
        first.close()
        second.close()


def test_a_bundle_another_program_merged_meanwhile_says_nothing_it_did_not_do(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Headquarters' bundle locking a period, imported in the client and by a command
    at once: the one that came second found everything held (a duplicate), and still
    said that it locked the period and brought version 2 of the plan, by what it had
    read before its write transaction."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    ml = make_office("ML")
    amended = tmp_path / "plan-v2.toml"
    dump_plan(hq.plan(), amended)
    amended.write_text(amended.read_text(encoding="utf-8").replace(
        "version = 1", "version = 2", 1), encoding="utf-8")
    replace_plan(hq, amended)
    progress.set_period_lock(hq, "2025-S2")
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    real = type(ml).backup
    merged = []

    def another_program_imports(rep, reason: str):
        taken = real(rep, reason)
        with open_replica(rep.path) as other:
            merged.append(import_bundle(other, bundle, backup=False))
        return taken

    monkeypatch.setattr(type(ml), "backup", another_program_imports)
    outcome = import_bundle(ml, bundle)
    monkeypatch.undo()
    assert (merged[0].outcome, merged[0].locked, merged[0].plan_version) == (
        "merged", ("2025-S2",), 2)
    assert outcome.outcome == "duplicate"
    assert (outcome.locked, outcome.plan_version, outcome.reason) == ((), 0, "")
