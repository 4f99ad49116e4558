"""An office sees headquarters' key before it relies on a setup bundle: ``init --from``
prints its fingerprint and says to check it with headquarters, and ``status`` shows
it afterwards. A setup bundle of another headquarters (a rogue one) is signed by a
key whose fingerprint is not the one headquarters reads with ``keys show``."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.cli import main

CHECK = ("Check this fingerprint with headquarters (over the phone, for example), who read "
         "theirs with 'fieldplan keys show' or in fieldplan under Help ▸ This computer's "
         "key…: if it differs, the setup bundle did not come from them, and this database "
         "must not be used.")


def run(*argv: str, capsys) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def headquarters(folder: Path, capsys) -> tuple[Path, str, str]:
    """A headquarters database in ``folder`` with a setup bundle for BN: its path, the
    bundle's, and the key id and fingerprint ``keys show`` prints there."""
    folder.mkdir()
    db = folder / "hq.sqlite3"
    assert run("--db", str(db), "init", "--hq", capsys=capsys)[0] == 0
    setup = folder / "BN-setup.fieldplan"
    assert run("--db", str(db), "office", "enroll", "BN", "-o", str(setup),
               capsys=capsys)[0] == 0
    shown = json.loads(run("--db", str(db), "--json", "keys", "show", capsys=capsys)[1])
    return setup, shown["key_id"], shown["fingerprint"]


def test_init_from_prints_the_fingerprint_of_the_headquarters_that_wrote_the_bundle(
        tmp_path: Path, capsys) -> None:
    _real, _real_id, real = headquarters(tmp_path / "real", capsys)
    rogue_setup, rogue_id, rogue = headquarters(tmp_path / "rogue", capsys)
    db = tmp_path / "bn.sqlite3"
    code, out = run("--db", str(db), "init", "--from", str(rogue_setup), capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Created replica ") and lines[0].endswith(f"of office BN in {db}")
    # what the office reads out is the signer's: not the one the real headquarters reads
    assert lines[1:3] == [f"Headquarters key: {rogue_id} (fingerprint {rogue})", CHECK]
    # (by when headquarters must get a first bundle: on stderr,
    # tests/cli/test_cli_key_deadline.py)
    assert len(lines) == 3
    assert real not in out


def test_init_from_json_has_the_fingerprint_and_the_sentence(tmp_path: Path, capsys) -> None:
    setup, key_id, fingerprint = headquarters(tmp_path / "hq", capsys)
    code, out = run("--db", str(tmp_path / "bn.sqlite3"), "--json", "init", "--from",
                    str(setup), capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert (data["hq_key_id"], data["hq_fingerprint"], data["hq_check"]) == \
        (key_id, fingerprint, CHECK)


def test_init_hq_says_nothing_of_a_headquarters_key(tmp_path: Path, capsys) -> None:
    db = tmp_path / "hq.sqlite3"
    code, out = run("--db", str(db), "init", "--hq", capsys=capsys)
    assert code == 0 and len(out.splitlines()) == 1
    assert "hq_fingerprint" not in json.loads(
        run("--db", str(tmp_path / "hq2.sqlite3"), "--json", "init", "--hq",
            capsys=capsys)[1])


def test_status_at_an_office_shows_the_headquarters_key(tmp_path: Path, capsys) -> None:
    setup, key_id, fingerprint = headquarters(tmp_path / "hq", capsys)
    db = str(tmp_path / "bn.sqlite3")
    run("--db", db, "init", "--from", str(setup), capsys=capsys)
    lines = run("--db", db, "status", capsys=capsys)[1].splitlines()
    own = next(i for i, line in enumerate(lines) if line.startswith("Key: "))
    assert lines[own + 1] == f"Headquarters key: {key_id} (fingerprint {fingerprint})"
    data = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert (data["hq_key_id"], data["hq_fingerprint"]) == (key_id, fingerprint)


def test_status_at_headquarters_has_no_headquarters_key_line(tmp_path: Path, capsys) -> None:
    headquarters(tmp_path / "hq", capsys)
    db = str(tmp_path / "hq" / "hq.sqlite3")
    assert "Headquarters key" not in run("--db", db, "status", capsys=capsys)[1]
    data = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert data["hq_key_id"] is None and data["hq_fingerprint"] is None


def test_after_headquarters_rotates_its_key_the_office_shows_the_new_one(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """What headquarters reads with ``keys show`` after a rotation is its new key; the
    office follows it (the pinned key endorsed it), so the two still match."""
    from fieldplan.sync import export_bundle, hq_key, import_bundle, rotate_key, show_key

    office = make_office("BN")
    pinned = hq_key(office)
    assert pinned is not None and pinned.key_id == hq.meta("key_id")
    rotate_key(hq)
    sent = export_bundle(hq, for_office="BN", out_file=tmp_path / "to-bn.fieldplan")
    import_bundle(office, sent.path)
    now = hq_key(office)
    assert now is not None and now.key_id != pinned.key_id
    assert f"{now.key_id}  {now.fingerprint}" == show_key(hq)
    data = json.loads(run("--db", str(office.path), "--json", "status", capsys=capsys)[1])
    assert data["hq_fingerprint"] == now.fingerprint
