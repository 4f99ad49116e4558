"""A laptop whose key headquarters revoked, on the command line: the import says so,
progress set / submit warn that the work cannot be sent, and `init --from FILE
--replace-revoked` sets it up again, its old files moved aside (kept)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_cli_messages import run

from fieldplan.replica import key_path
from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup, revoke_key

S1 = "2026-S1"


def lap_db(hq, tmp_path: Path, capsys) -> tuple[str, str]:
    """An ML laptop's database, registered at HQ; and its national action."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "lap.sqlite3"
    with init_from_setup(db, setup) as lap:
        action = lap.plan().actions_of(level="national")[0].code
    assert run("--db", str(db), "progress", "set", action, "--period", S1, "--status",
               "on-track", capsys=capsys)[0] == 0
    out = tmp_path / "lap-out"
    out.mkdir()
    assert run("--db", str(db), "export", "--dir", str(out), capsys=capsys)[0] == 0
    assert import_bundle(hq, next(out.glob("*.fieldplan"))).outcome == "merged"
    return str(db), action


def revoke(hq, db: str, tmp_path: Path, capsys) -> Path:
    """HQ revokes the laptop's key; the bundle of HQ that tells it."""
    from fieldplan.replica import open_replica

    with open_replica(db) as lap:
        key = lap.meta("key_id")
    revoke_key(hq, key)
    out = tmp_path / "hq-out"
    out.mkdir(exist_ok=True)
    path = export_bundle(hq, for_office="ML", out_dir=out).path
    return path


def test_the_import_that_revokes_says_so_and_writes_warn(hq, tmp_path, capsys) -> None:
    db, action = lap_db(hq, tmp_path, capsys)
    path = revoke(hq, db, tmp_path, capsys)
    code, out, _ = run("--db", db, "import", str(path), capsys=capsys)
    assert code == 0
    assert out.rstrip().endswith(
        "; headquarters revoked this computer's key and refuses its bundles; ask "
        "headquarters for a new setup bundle")
    code, out, _ = run("--db", db, "--json", "import", str(path), capsys=capsys)
    assert json.loads(out)[0]["key_revoked"] is False  # (a duplicate: said once)
    warning = ("fieldplan: warning: headquarters revoked this computer's key: what is "
               "recorded here is kept on this computer but can never be sent; set this "
               "computer up again from a new setup bundle (fieldplan init --from FILE "
               "--replace-revoked) and type it again there\n")
    code, out, err = run("--db", db, "progress", "set", action, "--period", S1,
                         "--percent", "30", capsys=capsys)
    assert (code, err) == (0, warning) and out.startswith("Recorded")
    code, out, err = run("--db", db, "progress", "submit", "--period", S1, capsys=capsys)
    assert (code, err) == (0, warning) and out.startswith("Submitted 1 report")


def test_revoke_help_says_a_bundle_written_before_is_refused_too(hq, tmp_path,
                                                                capsys) -> None:
    """The help said "its later bundles are rejected": a bundle the laptop wrote
    before the revocation, imported after it, is refused too (beyond what
    headquarters already held)."""
    code, out, _ = run("keys", "revoke", "--help", capsys=capsys)
    assert code == 0
    assert ("Revoke a key: every bundle it signed, even one written before, is refused "
            "beyond what headquarters already held.") in " ".join(out.split())
    db, action = lap_db(hq, tmp_path, capsys)
    assert run("--db", db, "progress", "set", action, "--period", S1, "--percent", "30",
               capsys=capsys)[0] == 0
    before = tmp_path / "before"
    before.mkdir()
    assert run("--db", db, "export", "--dir", str(before), capsys=capsys)[0] == 0
    revoke(hq, db, tmp_path, capsys)
    outcome = import_bundle(hq, next(before.glob("*.fieldplan")))
    assert outcome.outcome == "rejected" and "revoked" in outcome.reason


def test_json_import_names_the_revocation(hq, tmp_path, capsys) -> None:
    db, _ = lap_db(hq, tmp_path, capsys)
    path = revoke(hq, db, tmp_path, capsys)
    code, out, _ = run("--db", db, "--json", "import", str(path), capsys=capsys)
    assert code == 0 and json.loads(out)[0]["key_revoked"] is True


def test_init_replace_revoked(hq, tmp_path, capsys) -> None:
    db, action = lap_db(hq, tmp_path, capsys)
    path = revoke(hq, db, tmp_path, capsys)
    run("--db", db, "import", str(path), capsys=capsys)
    run("--db", db, "progress", "set", action, "--period", S1, "--percent", "30",
        capsys=capsys)
    key = key_path(db).read_bytes()
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    # without the option: the database is in the way, as before
    code, _, err = run("--db", db, "init", "--from", str(setup), capsys=capsys)
    assert code == 1 and "already exists" in err
    code, out, err = run("--db", db, "--json", "init", "--from", str(setup),
                         "--replace-revoked", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    aside = Path(data["moved_to"])
    assert aside.parent == Path(db).parent and data["unsent"] == 1
    assert (aside / "lap.sqlite3.key").read_bytes() == key
    assert (aside / "lap.sqlite3").is_file() and any((aside / "backups").iterdir())
    code, out, _ = run("--db", db, "--json", "status", capsys=capsys)
    assert json.loads(out)["key_revoked"] is False and json.loads(out)["office"] == "ML"
    # the new one is not revoked: set up again, it is refused, nothing moved
    setup2 = tmp_path / "ML-again2.fieldplan"
    enroll_office(hq, "ML", setup2)
    before = sorted(os.listdir(tmp_path))
    code, out, err = run("--db", db, "init", "--from", str(setup2), "--replace-revoked",
                         capsys=capsys)
    assert code == 1 and "has not revoked this computer's key" in err
    assert sorted(os.listdir(tmp_path)) == before


def test_init_replace_revoked_says_where_the_old_files_went(hq, tmp_path, capsys) -> None:
    db, _ = lap_db(hq, tmp_path, capsys)
    path = revoke(hq, db, tmp_path, capsys)
    run("--db", db, "import", str(path), capsys=capsys)
    setup = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", setup)
    code, out, err = run("--db", db, "init", "--from", str(setup), "--replace-revoked",
                         capsys=capsys)
    assert code == 0, err
    aside = next(tmp_path.glob("lap.sqlite3-revoked-*"))
    assert (f"Old database: the old database, its key file and its backups were moved to "
            f"{aside} (kept, not deleted)\n") in out


def test_replace_revoked_needs_from(tmp_path, capsys) -> None:
    code, _, err = run("--db", str(tmp_path / "x.sqlite3"), "init", "--hq",
                       "--replace-revoked", capsys=capsys)
    assert code == 2 and "--replace-revoked goes with --from" in err


def test_replace_revoked_refuses_another_headquarters(hq, tmp_path, capsys) -> None:
    from fieldplan.replica import init_hq

    db, _ = lap_db(hq, tmp_path, capsys)
    run("--db", db, "import", str(revoke(hq, db, tmp_path, capsys)), capsys=capsys)
    (tmp_path / "other").mkdir()
    with init_hq(tmp_path / "other" / "hq.sqlite3") as stranger:
        setup = tmp_path / "ML-other.fieldplan"
        enroll_office(stranger, "ML", setup)
    before = sorted(os.listdir(tmp_path))
    code, out, err = run("--db", db, "init", "--from", str(setup), "--replace-revoked",
                         capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("fieldplan: error: this setup bundle is signed by another "
                          "headquarters key (fingerprint ") and err.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before


def rotated_and_restored(tmp_path: Path, capsys) -> tuple[Path, Path, str]:
    """HQ and laptop b of ML, after HQ revoked b's key, rotated its own key (b never
    imported the rotation, laptop a did), was restored from a backup that holds a's
    receipts, and sent b a bundle that b imported: the databases of HQ and of b, and
    b's key id."""

    def cli(*argv: str) -> str:
        code, out, err = run(*argv, capsys=capsys)
        assert code == 0, err
        return out.strip()

    def bundle(db: Path, *argv: str) -> str:
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        return cli("--db", str(db), "export", *argv, "--dir", str(out))

    hq, a, b = (tmp_path / f"{name}.sqlite3" for name in ("hq", "a", "b"))
    setup = str(tmp_path / "ML-setup.fieldplan")
    cli("--db", str(hq), "init", "--hq")
    cli("--db", str(hq), "office", "enroll", "ML", "-o", setup)
    for lap in (a, b):
        cli("--db", str(lap), "init", "--from", setup)
        cli("--db", str(hq), "import", bundle(lap))
    cli("--db", str(b), "import", bundle(hq, "--for", "ML"))
    cli("--db", str(hq), "import", bundle(b))  # (b's receipts: HQ's first events)
    b_key = json.loads(cli("--db", str(b), "--json", "keys", "show"))["key_id"]
    cli("--db", str(hq), "keys", "revoke", b_key)
    cli("--db", str(hq), "keys", "rotate")
    cli("--db", str(a), "import", bundle(hq, "--for", "ML"))
    receipts = bundle(a)  # a has the rotation; b never will (its records only)
    cli("--db", str(hq), "import", receipts)
    cli("--db", str(hq), "import", receipts)  # a backup that holds a's receipts
    backup = sorted((tmp_path / "backups").glob("hq.sqlite3-*"))[-1]
    cli("--db", str(hq), "restore", "--force", str(backup))
    cli("--db", str(b), "import", bundle(hq, "--for", "ML"))
    return hq, b, b_key


def test_keys_list_on_a_revoked_laptop_after_hq_rotated_and_restored(tmp_path,
                                                                    capsys) -> None:
    """A revoked laptop is sent its own keys' records only, and headquarters' new
    replica's events whole: after HQ rotated its key (which the laptop never got) and
    was restored, the laptop held the rotated key's retirement without the key, and
    `keys list` failed ("not a minisign Ed25519 public key"), exit 1."""
    _hq, b, b_key = rotated_and_restored(tmp_path, capsys)
    code, out, err = run("--db", str(b), "keys", "list", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Key ") and b_key in out
    code, out, err = run("--db", str(b), "--json", "keys", "list", capsys=capsys)
    assert (code, err) == (0, "")
    assert all(k["fingerprint"] for k in json.loads(out)["keys"])


def test_status_on_a_revoked_laptop_after_hq_rotated_and_restored(tmp_path, capsys) -> None:
    """HQ's bundle for a revoked laptop carries HQ's own key records too (public, and
    what tells it which key is headquarters' now): its status showed HQ's first key,
    retired by the rotation it never received, as "the headquarters key"."""
    hq, b, _b_key = rotated_and_restored(tmp_path, capsys)
    at_hq = json.loads(run("--db", str(hq), "--json", "keys", "show", capsys=capsys)[1])
    code, out, err = run("--db", str(b), "status", capsys=capsys)
    assert (code, err) == (0, "")
    assert (f"Headquarters key: {at_hq['key_id']} (fingerprint {at_hq['fingerprint']})"
            in out.splitlines())
    listed = json.loads(run("--db", str(b), "--json", "keys", "list", capsys=capsys)[1])
    hq_keys = {k["key_id"]: k["status"] for k in listed["keys"] if k["office"] == "HQ"}
    assert hq_keys[at_hq["key_id"]] == "active"
    assert list(hq_keys.values()).count("active") == 1, hq_keys

