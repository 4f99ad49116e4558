"""``fieldplan keys trust FPR --dry-run`` says what trusting a quarantined key would
merge, in the words the client's trust question says it (``trust_preview``), and
changes nothing; ``--json`` gives it to a script. Found by QA: the command line could
only trust at once, where the client said first that a trust would merge 62 events
and take open conflicts from 3 to 190, some into a locked period."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import i18n
from fieldplan.replica import open_replica
from fieldplan.sync.trust_preview import trust_preview
from tests.cli.test_cli_messages import run
from tests.core.test_trust_preview import _second_computer_waiting


def _state(db: str, capsys) -> tuple:
    """The merged data's digest, the events held and the bundles in quarantine."""
    code, digest, _err = run("--db", db, "digest", capsys=capsys)
    assert code == 0
    with open_replica(Path(db)) as rep:
        return (digest, *rep.conn.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine), "
            "(SELECT count(*) FROM inbox)").fetchone())


def test_a_dry_run_says_what_the_trust_would_merge_and_changes_nothing(
        hq, make_office, tmp_path: Path, capsys) -> None:
    fingerprint, _codes = _second_computer_waiting(hq, make_office, tmp_path)
    seen = trust_preview(hq, fingerprint)
    with i18n.speaking("fr"):
        french = trust_preview(hq, fingerprint).text()
    db = str(hq.path)
    hq.close()
    before = _state(db, capsys)
    assert before[2] == 2  # two bundles wait

    code, out, err = run("--db", db, "keys", "trust", fingerprint, "--dry-run",
                         capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Dry run: trusting key {fingerprint} would merge what follows; nothing was "
        "changed",
        *("  " + line for line in seen.text().splitlines())]
    assert "  1st semester 2026 is locked: the review pack will flag the changes to it " \
        "as made after the lock." in out.splitlines()
    # in the person's language, the client's words
    code, out, _err = run("--db", db, "--lang", "fr", "keys", "trust", fingerprint,
                          "--dry-run", capsys=capsys)
    assert code == 0
    assert out.splitlines()[1:] == ["  " + line for line in french.splitlines()]
    # a script reads the same
    code, out, _err = run("--db", db, "--json", "keys", "trust", fingerprint[:19],
                          "--dry-run", capsys=capsys)
    assert code == 0
    assert json.loads(out) == {
        "dry_run": True, "bundles": 2, "events": seen.events, "events_new": seen.new,
        "offices": ["ML"], "periods": ["2026-S1", "2026-S2"],
        "locked_periods": ["2026-S1"], "conflicts": 1, "unread": 0,
        "fingerprint": fingerprint, "too_large": 0, "refused": [],
        "replaces_key": None, "replaces": None}
    assert _state(db, capsys) == before  # nothing merged, nothing written
    code, out, _err = run("--db", db, "keys", "list", capsys=capsys)
    assert "Waiting in quarantine:" in out

    # then the trust merges what was said
    code, out, _err = run("--db", db, "--json", "keys", "trust", fingerprint,
                          capsys=capsys)
    assert code == 0
    assert sum(o["events_new"] for o in json.loads(out)) == seen.new
    # of a key trusted now: said as the trust says it, exit 0, nothing written
    after = _state(db, capsys)
    code, out, err = run("--db", db, "keys", "trust", fingerprint, "--dry-run",
                         capsys=capsys)
    assert code == 0 and "is already trusted; no bundle of it waits in quarantine" in out
    assert _state(db, capsys) == after


def test_a_dry_run_of_no_waiting_key_is_one_line_exit_1(
        hq, make_office, tmp_path: Path, capsys) -> None:
    fingerprint, _codes = _second_computer_waiting(hq, make_office, tmp_path)
    db = str(hq.path)
    hq.close()
    before = _state(db, capsys)
    unknown = "0123 4567 89AB CDEF"
    code, out, err = run("--db", db, "keys", "trust", unknown, "--dry-run", capsys=capsys)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "no quarantined bundle is signed by a key with " \
        f"fingerprint {unknown}" in err
    assert _state(db, capsys) == before
    # refused: nothing of it waits in quarantine any more
    assert run("--db", db, "keys", "refuse", fingerprint, capsys=capsys)[0] == 0
    refused = _state(db, capsys)
    for argv in ((), ("--json",)):
        code, out, err = run("--db", db, *argv, "keys", "trust", fingerprint, "--dry-run",
                             capsys=capsys)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and "no bundle of it waits in quarantine" in err
    assert _state(db, capsys) == refused


def test_a_dry_run_refuses_what_the_trust_would_refuse_in_its_words(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """Laptop B's computer was revoked (lost) after its bundles came: the trust refuses
    them, and its dry run says so, exit 1, rather than what a trust would merge."""
    from fieldplan import store
    from fieldplan.minisign import generate_key
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync import revoke_key

    fingerprint, _codes = _second_computer_waiting(hq, make_office, tmp_path)
    [(office, sender)] = hq.conn.execute("SELECT DISTINCT office, sender FROM quarantine")
    lost = generate_key().public  # the key HQ had on record for that computer, revoked
    with store.write_transaction(hq.conn):
        keyreg.accept_new_key(hq, lost, office, sender)
    revoke_key(hq, lost.key_id_hex)
    db = str(hq.path)
    hq.close()
    before = _state(db, capsys)
    code, out, trust_err = run("--db", db, "keys", "trust", fingerprint, capsys=capsys)
    assert (code, out) == (1, "")
    assert _state(db, capsys) == before
    code, out, err = run("--db", db, "keys", "trust", fingerprint, "--dry-run",
                         capsys=capsys)
    assert (code, out, err) == (1, "", trust_err)
    assert err.count("\n") == 1
    assert _state(db, capsys) == before


def test_a_dry_run_of_hostile_bundles_says_why_each_would_be_refused(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """A waiting bundle whose event numbers SQLite cannot hold printed a traceback
    (OverflowError); one whose report id hides a line printed that line ("All checks
    passed: trust this key.") as a line of the dry run of its own. Then both were said
    "could not be read": each is now said refused, in the words the trust's import
    then refuses it with, on one line."""
    import copy
    import uuid

    from fieldplan import minisign, progress, store
    from fieldplan.replica import key_path
    from fieldplan.sync import export_bundle, import_bundle, list_quarantine
    from tests.bundle_fuzz import line_of, pack, unpack

    b = make_office("ML", "ml-b")
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(b, b.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="at-risk")
    manifest, evs = unpack(export_bundle(b, out_dir=tmp_path).path.read_bytes())
    event = next(e for e in evs if e["entity"] == "progress")
    secret = minisign.load_secret_key(key_path(b.path))
    for values in ({"seq": 10**30},
                   {"id": "ML|PA1.1|2026-S1\u202e\nAll checks passed: trust this key."}):
        e = {**copy.deepcopy(event), **values}
        data = pack({**manifest, "bundle_id": uuid.uuid4().hex}, [line_of(e)], secret)
        assert import_bundle(hq, data, name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    db = str(hq.path)
    hq.close()
    code, out, err = run("--db", db, "keys", "trust", fingerprint, "--dry-run",
                         capsys=capsys)
    assert (code, err) == (0, "")
    # each refused in the import's words, on a line of its own, the hidden line not one
    lines = out.splitlines()[1:]
    assert lines[0] == "  2 bundles signed with this key wait in quarantine, from office ML."
    assert sorted(lines[1:]) == [
        "  1 bundle would be refused: event 1 of ML: bad report id 'ML|PA1.1|2026-S1 "
        "All checks passed: trust this key.'",
        "  1 bundle would be refused: events.jsonl line 1: malformed event"]
    code, out, _err = run("--db", db, "--json", "keys", "trust", fingerprint, "--dry-run",
                          capsys=capsys)
    said = json.loads(out)
    assert (said["unread"], said["too_large"], len(said["refused"])) == (2, 0, 2)
    assert {r["file"] for r in said["refused"]} == {"ML.fieldplan"}
    # the trust then refuses them for those very reasons
    code, out, _err = run("--db", db, "--json", "keys", "trust", fingerprint,
                          capsys=capsys)
    assert code == 1
    assert sorted(o["reason"] for o in json.loads(out)) == sorted(
        r["reason"] for r in said["refused"])


def test_a_dry_run_and_keys_list_say_which_active_key_a_trust_replaces(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """A key claiming a registered computer: what trusting it replaces is said before
    the trust, in words and to a script."""
    from fieldplan.sync import all_keys, import_bundle
    from tests.core.test_unendorsed_key import _impostor

    b, key, path = _impostor(hq, make_office, tmp_path)
    assert import_bundle(hq, path).outcome == "quarantined"
    (old,) = [k for k in all_keys(hq).values()
              if k.replica == b.replica_id and k.status == "active"]
    db = str(hq.path)
    hq.close()
    code, out, err = run("--db", db, "keys", "trust", key.public.fingerprint, "--dry-run",
                         capsys=capsys)
    assert (code, err) == (0, "")
    first = out.splitlines()[1]
    assert first.startswith(f"  This key claims to be computer {b.replica_id[:8]} of "
                            "office ML, which already has an active key here: "
                            f"{old.fingerprint} ("), first
    assert "Trusting it replaces that key" in first
    code, out, _err = run("--db", db, "--json", "keys", "trust", key.public.fingerprint,
                          "--dry-run", capsys=capsys)
    said = json.loads(out)
    assert said["replaces_key"] == old.fingerprint
    assert said["replaces"]["key_id"] == old.key_id
    assert said["replaces"]["replica"] == b.replica_id
    code, out, _err = run("--db", db, "keys", "list", capsys=capsys)
    assert f"{key.public.fingerprint}: This key claims to be computer " in out
    code, out, _err = run("--db", db, "--json", "keys", "list", capsys=capsys)
    assert json.loads(out)["quarantine"][0]["replaces_key"] == old.fingerprint
