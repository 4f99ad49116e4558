"""Headquarters made by older fieldplans (tests/fixtures/db/hq-schema-<N>/, see
make_hq_fixture.py there) opened by this one: everything they held is there after the
upgrade (digests, events, locks, conflicts open and settled, quarantine, keys rotated
and revoked, the inbox, the restore record), and an office of the same era, upgraded
too, still exchanges bundles with them both ways."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldplan import schema
from fieldplan.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures" / "db"
ERAS = sorted(int(p.name.rsplit("-", 1)[1]) for p in FIXTURES.glob("hq-schema-*"))


def test_there_is_an_hq_of_the_schema_before_this_one() -> None:
    assert len(schema.known_migrations()) - 1 in ERAS


@pytest.fixture(params=ERAS, ids=lambda n: f"schema-{n}")
def world(request, tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the era's fixture folder, and what its fieldplan said of it."""
    folder = tmp_path / "w"
    shutil.copytree(FIXTURES / f"hq-schema-{request.param}", folder)
    for key in folder.glob("*.key"):
        key.chmod(0o600)  # as fieldplan wrote it (git keeps no such mode)
    facts = json.loads((folder / "world.json").read_text(encoding="utf-8"))
    assert facts["schema"] == request.param
    return folder, facts


def run(capsys, db: Path, *args: str, code: int = 0, warns: bool = False) -> str:
    """The command line's output (exit ``code``; 0: nothing on stderr unless it
    ``warns``)."""
    assert main(["--db", str(db), *args]) == code, capsys.readouterr()
    out, err = capsys.readouterr()
    assert code or warns or err == "", err
    return out + err


def as_json(capsys, db: Path, *args: str) -> object:
    return json.loads(run(capsys, db, "--json", *args))


def held(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return [tuple(row) for row in conn.execute(sql)]


def conflicts(capsys, db: Path) -> list:
    listed = as_json(capsys, db, "conflicts", "list")
    listed = listed["conflicts"] if isinstance(listed, dict) else listed
    return sorted([c["record"], c["field"], sorted(str(v["value"]) for v in c["candidates"])]
                  for c in listed)


def test_an_old_hq_upgrades_with_all_it_held(world, capsys) -> None:
    folder, facts = world
    hq = folder / "hq.sqlite3"
    events = held(hq, "SELECT origin, seq, hash FROM events ORDER BY origin, seq")
    inbox = held(hq, "SELECT file_name, outcome, reason FROM inbox ORDER BY id")
    assert [row[1] for row in inbox] == ["merged", "merged", "merged", "duplicate", "merged",
                                        "merged", "merged", "quarantined", "rejected"]
    old = facts["hq"]["status"]

    # status first: the upgrade happens there, and says nothing
    status = as_json(capsys, hq, "status")
    assert held(hq, "SELECT count(*) FROM _sqlite_migrations") == [
        (len(schema.known_migrations()),)]
    for key in ("role", "office", "replica", "key_id", "fingerprint", "plan", "plan_version",
                "events", "own_events", "reports", "quarantined", "locked_periods", "gaps"):
        assert status[key] == old[key], key
    assert status["conflicts"] == len(facts["hq"]["conflicts"])
    restored = status["restored"]
    for key in ("at", "backup_taken", "replica", "unreported"):
        assert restored[key] == old["restored"][key], key
    assert [x["text"] for x in restored["lost_unreported"]] == \
        [x["text"] for x in old["restored"]["lost_unreported"]]
    text = run(capsys, hq, "status")
    assert "Locked periods: 2nd semester 2025" in text
    assert "Restored: from a backup taken" in text and "Quarantine: 1" in text

    assert held(hq, "SELECT origin, seq, hash FROM events ORDER BY origin, seq") == events
    assert held(hq, "SELECT file_name, outcome, reason FROM inbox ORDER BY id") == inbox
    from fieldplan.replica import open_replica
    from fieldplan.sync import list_inbox

    with open_replica(hq) as rep:
        lines = list_inbox(rep)[::-1]  # (newest first)
        assert [(e.file, e.outcome) for e in lines] == [row[:2] for row in inbox]
        for line in lines:  # each reason said again in the reader's language
            assert line.reason_text("en") == line.reason
            assert bool(line.reason_text("ar")) == bool(line.reason)
    run(capsys, hq, "--lang", "ar", "status")
    for office, digest in facts["hq"]["digest"].items():
        assert run(capsys, hq, "digest", "--office", office).strip() == digest, office
    # conflicts: the open ones still open, the one GN settled still settled
    assert conflicts(capsys, hq) == facts["hq"]["conflicts"]
    assert facts["resolved"]["field"] not in {c[1] for c in facts["hq"]["conflicts"]}
    keys = as_json(capsys, hq, "keys", "list")
    keys = keys["keys"] if isinstance(keys, dict) else keys
    assert {k["key_id"]: k["status"] for k in keys} == facts["keys"]
    assert facts["keys"][facts["gn2_key"]] == "revoked"
    assert sorted(facts["keys"].values()).count("retired") == 2  # PS's, HQ's before restore

    # the revoked laptop's bundle, written after the revocation: still refused
    err = run(capsys, hq, "import", str(folder / "GN2-revoked.fieldplan"), code=1)
    assert f"signed with key {facts['gn2_key']} (GN), which was revoked" in err
    assert held(hq, "SELECT outcome FROM inbox ORDER BY id DESC LIMIT 1") == [("rejected",)]

    # the quarantined bundle: trusting its key merges it
    stranger = facts["stranger"]
    run(capsys, hq, "keys", "trust", stranger["fingerprint"])
    assert as_json(capsys, hq, "status")["quarantined"] == 0
    assert run(capsys, hq, "digest", "--office", "MA").strip() == stranger["digest"]
    for office, digest in facts["hq"]["digest"].items():
        assert run(capsys, hq, "digest", "--office", office).strip() == digest, office


def test_an_office_of_the_same_era_exchanges_with_the_upgraded_hq(world, capsys,
                                                                   tmp_path: Path) -> None:
    folder, facts = world
    hq, gn = folder / "hq.sqlite3", folder / "GN.sqlite3"
    assert run(capsys, gn, "digest").strip() == facts["GN"]["digest"]["GN"]
    gn_status = as_json(capsys, gn, "status")
    assert gn_status["locked_periods"] == ["2025-S2"]
    assert conflicts(capsys, gn) == facts["GN"]["conflicts"]

    # office → headquarters
    run(capsys, gn, "progress", "set", "PA1.2", "--period", "2026-S2", "--status",
        "on-track", "--percent", "35", "--note", "after the upgrade")
    sent = run(capsys, gn, "export", "-o", str(tmp_path / "gn.fieldplan")).strip()
    assert "merged" in run(capsys, hq, "import", sent)
    assert run(capsys, hq, "digest", "--office", "GN").strip() == \
        run(capsys, gn, "digest").strip() != facts["GN"]["digest"]["GN"]

    # headquarters → office: a new lock, and the others' reports it relays
    assert "None of the 2 offices has submitted anything for this period." in run(
        capsys, hq, "period", "lock", "2026-S1", warns=True)
    back = run(capsys, hq, "export", "--for", "GN", "-o", str(tmp_path / "hq.fieldplan")).strip()
    assert "merged" in run(capsys, gn, "import", back)
    assert as_json(capsys, gn, "status")["locked_periods"] == ["2025-S2", "2026-S1"]
    assert run(capsys, gn, "digest").strip() == run(capsys, hq, "digest", "--office",
                                                    "GN").strip()
    # and once more, nothing new: a bundle of nothing, or a duplicate, never a refusal
    again = run(capsys, gn, "export", "-o", str(tmp_path / "gn2.fieldplan"), warns=True)
    assert "no new entries to send" in again
    assert "rejected" not in run(capsys, hq, "import", again.splitlines()[0])
