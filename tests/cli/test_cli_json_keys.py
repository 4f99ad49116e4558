"""The keys of ``status --json``, ``import --json`` and ``verify --json`` that the last
release gave stay (a script reading them keeps working while offices upgrade one by
one): new keys may come (``draft_reports``, an import's ``released`` and
``stopped_after``), none goes. The lists are those the last release printed, read from
its output on the same steps."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from tests.cli.test_cli_messages import run

STATUS_KEYS = {
    "changed_after_lock", "conflicts", "continued_by", "events", "fingerprint",
    "fork_records", "forks", "gap_ranges", "gaps", "hidden_reports", "hq_fingerprint",
    "hq_forks", "hq_has_at", "hq_has_seq", "hq_key_id", "hq_only", "key_deadline",
    "key_file", "key_file_text", "key_id", "key_revoked", "key_status", "last_export",
    "last_import", "locked_periods", "office", "own_events", "own_seq", "plan",
    "plan_version", "quarantined", "replica", "reports", "restored", "role",
    "sent_unacknowledged", "shared_identities", "shared_records", "unsent"}
LAST_EXPORT_KEYS = {"at", "events", "path", "recipient"}
LAST_IMPORT_KEYS = {"at", "file", "outcome"}
IMPORT_KEYS = {
    "bundle_id", "clock_ahead", "clock_behind", "conflicts", "events", "events_new",
    "false_receipt", "file", "fingerprint", "gap_ranges", "gaps", "key_id", "key_revoked",
    "late_periods", "office", "office_clock_dated", "office_clock_wrong", "outcome",
    "periods_locked", "periods_unlocked", "plan_changes", "plan_hidden_reports",
    "plan_version", "reason", "repair", "replica", "reports_the_plan_hides", "waits"}
VERIFY_KEYS = {"bundle_id", "created", "events", "fingerprint", "key_id", "kind", "office",
               "reason", "recipient", "repair", "replica", "trusted", "valid"}
#: verify of a file that is no bundle at all
VERIFY_INVALID_KEYS = {"events", "key_id", "office", "reason", "replica", "valid"}


def _json(capsys, *argv: str, codes: tuple[int, ...] = (0,)):
    code, out, err = run(*argv, capsys=capsys)
    assert code in codes, err
    return json.loads(out)


def _hq_office_bundle(tmp_path: Path, capsys) -> tuple[Path, Path, Path, Path]:
    """Headquarters, an office ML set up from it with one report, ML's bundle for
    headquarters, and a file that is no bundle: (hq, ml, bundle, junk)."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    setup, hq, ml = tmp_path / "setup.fieldplan", tmp_path / "hq.sqlite3", tmp_path / "ml.sqlite3"
    with init_hq(hq) as rep:
        enroll_office(rep, "ML", setup)
    with init_from_setup(ml, setup) as rep:
        code = rep.plan().actions_of(level="national")[0].code
        progress.record_progress(rep, code, "2026-S1", status="on-track", percent=40)
    bundle, junk = tmp_path / "ml.fieldplan", tmp_path / "junk.fieldplan"
    junk.write_bytes(b"not a bundle")
    assert run("--db", str(ml), "export", "-o", str(bundle), capsys=capsys)[0] == 0
    return hq, ml, bundle, junk


def test_json_keys_of_the_last_release_stay(tmp_path: Path, capsys) -> None:
    hq, ml, bundle, junk = _hq_office_bundle(tmp_path, capsys)

    checked = [(_json(capsys, "--db", str(ml), "--json", "verify", str(bundle)), VERIFY_KEYS),
               (_json(capsys, "--db", str(hq), "--json", "verify", str(bundle)), VERIFY_KEYS),
               (_json(capsys, "--db", str(hq), "--json", "verify", str(junk), codes=(1,)),
                VERIFY_INVALID_KEYS)]
    for argv, codes in (((str(bundle),), (0,)), ((str(bundle),), (0,)),
                        ((str(junk),), (1,))):  # merged, duplicate, rejected
        [outcome] = _json(capsys, "--db", str(hq), "--json", "import", *argv, codes=codes)
        checked.append((outcome, IMPORT_KEYS))
    for db in (hq, ml):
        status = _json(capsys, "--db", str(db), "--json", "status")
        checked.append((status, STATUS_KEYS))
    checked.append((status["last_export"], LAST_EXPORT_KEYS))
    checked.append((_json(capsys, "--db", str(hq), "--json", "status")["last_import"],
                    LAST_IMPORT_KEYS))
    for output, keys in checked:
        assert keys <= set(output), sorted(keys - set(output))


def test_verify_json_says_note_and_written_here_of_every_file(tmp_path: Path, capsys) -> None:
    """``note`` and ``written_here`` (what import will say of a valid bundle this computer
    wrote) are in every ``verify --json``, an unusable file's too: a script reading
    them met a KeyError on a file that is no bundle, or a missing one. A bundle that is
    not valid is not said to be written here."""
    hq, ml, bundle, junk = _hq_office_bundle(tmp_path, capsys)
    own = _json(capsys, "--db", str(ml), "--json", "verify", str(bundle))
    assert own["valid"] and own["written_here"] and own["note"] and own["reason"] == ""
    for db, path in ((hq, junk), (hq, tmp_path / "missing.fieldplan"), (ml, junk)):
        result = _json(capsys, "--db", str(db), "--json", "verify", str(path), codes=(1,))
        assert not result["valid"] and result["reason"]
        assert (result["note"], result["written_here"]) == ("", False)


def test_verify_json_has_the_same_keys_for_every_file(tmp_path: Path, capsys) -> None:
    """A bundle's ``verify --json`` and a file's that is no bundle (damaged, missing)
    have the same keys: a script reading ``kind``, ``fingerprint`` or ``bundle_id`` of
    each file of a folder met a KeyError on the one that was no bundle."""
    hq, ml, bundle, junk = _hq_office_bundle(tmp_path, capsys)
    valid = _json(capsys, "--db", str(hq), "--json", "verify", str(bundle))
    assert valid["valid"]
    for path in (junk, tmp_path / "missing.fieldplan"):
        for db in (hq, ml):
            unusable = _json(capsys, "--db", str(db), "--json", "verify", str(path),
                             codes=(1,))
            assert not unusable["valid"] and unusable["reason"]
            assert set(unusable) == set(valid), sorted(set(valid) ^ set(unusable))
            assert unusable["kind"] is unusable["fingerprint"] is unusable["bundle_id"] is None


def test_keys_refuse_json_items_are_import_items(tmp_path: Path, capsys) -> None:
    """``keys refuse --json`` gives its refused bundles as ``import --json`` and ``keys
    trust --json`` give theirs (with ``released_by``): a script reading the three met a
    KeyError on the refusal's."""
    from fieldplan import minisign
    from fieldplan.replica import open_replica

    hq, ml, bundle, _junk = _hq_office_bundle(tmp_path, capsys)
    # (headquarters forgets the office's enrolment: its first bundle waits for a check)
    with open_replica(hq) as rep:
        rep.conn.execute("DELETE FROM enrolments")
        rep.conn.commit()
    [waiting] = _json(capsys, "--db", str(hq), "--json", "import", str(bundle))
    assert waiting["outcome"] == "quarantined"
    with open_replica(ml) as rep:
        fingerprint = minisign.PublicKey.from_base64(rep.meta("public_key")).fingerprint
    [refused] = _json(capsys, "--db", str(hq), "--json", "keys", "refuse", fingerprint)
    assert refused["outcome"] == "rejected"
    assert set(waiting) <= set(refused), sorted(set(waiting) - set(refused))


#: ``plan import --dry-run --json`` of the last release, on an amendment that adds an
#: area and an action, drops one, retitles one and changes a target
PLAN_DRY_RUN_KEYS = {
    "actions", "backup", "changes", "dry_run", "due_from", "hidden_levels",
    "hidden_periods", "hidden_values", "needs_allow_hiding", "newly_hidden",
    "orphaned_actions", "plan", "reports_hidden", "targets_below_zero",
    "targets_not_whole", "unchanged", "untranslated", "version"}
PLAN_CHANGES_KEYS = {
    "actions_added", "actions_removed", "actions_reordered", "actions_retitled",
    "areas_added", "areas_moved", "areas_removed", "areas_reordered", "areas_retitled",
    "baselines", "end", "illustrative", "indicators_added", "indicators_removed",
    "indicators_reordered", "indicators_retitled", "leads", "levels", "retitled",
    "signed", "start", "targets", "texts_changed", "units"}
NEWLY_HIDDEN_KEYS = {"actions", "levels", "periods", "values"}


def test_plan_dry_run_json_keys_and_kinds_of_the_last_release_stay(
        hq, tmp_path: Path, capsys) -> None:
    """``plan import --dry-run --json`` gained ``changes.titles`` (each retitled code
    with its titles before and after): the last release's keys stay, and a retitled
    action is still named by its code alone in ``actions_retitled``, where a script
    reads it."""
    from fieldplan.plan import dump_plan
    from tests.core.test_plan_diff import review_amendment

    path = tmp_path / "v2.csv"
    dump_plan(review_amendment(hq.plan()), path)
    db = str(hq.path)
    hq.close()
    result = _json(capsys, "--db", db, "--json", "plan", "import", str(path), "--dry-run",
                   "--allow-hiding")
    assert set(result) >= PLAN_DRY_RUN_KEYS, sorted(PLAN_DRY_RUN_KEYS - set(result))
    changes = result["changes"]
    assert set(changes) >= PLAN_CHANGES_KEYS, sorted(PLAN_CHANGES_KEYS - set(changes))
    assert set(result["newly_hidden"]) >= NEWLY_HIDDEN_KEYS
    assert changes["actions_retitled"] == ["PA1.2"]
    assert (changes["areas_added"], changes["actions_added"], changes["actions_removed"]) \
        == (["PA5"], ["PA5.1"], ["PA1.3"])
    assert [t["code"] for t in changes["titles"]] == ["PA1.2"]
