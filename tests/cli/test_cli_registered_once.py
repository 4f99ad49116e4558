"""``import`` of a new computer's first bundle that also brings its bundles out of
quarantine says once that the key is registered: it said "the key of a new computer
of ML is now registered: …; it registered its key: 1 bundle that waited in quarantine
for a key now registered was imported too (…)"."""

from __future__ import annotations

from pathlib import Path

from test_cli import run

from tests.scenes import waiting_and_proof


def test_a_new_computers_key_is_said_registered_once(hq, make_office, tmp_path: Path,
                                                      capsys) -> None:
    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    code, out, _err = run("--db", str(hq.path), "import", str(waiting), str(proof),
                          capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    # (the file chosen first: as it ends, brought out of quarantine by the second)
    assert lines[0] == f"{waiting.name}: merged (1 new of 1 event)"
    assert lines[1] == (
        "proof.fieldplan: merged (no events); the key of a new computer of ML is now "
        "registered: headquarters' bundles for ML reach that computer from now on; 1 "
        f"bundle of that computer that waited in quarantine was imported too "
        f"({waiting.name})")
    assert lines[1].count("registered") == 1


def test_many_new_computers_are_said_once_after_the_lines(hq, make_office, tmp_path: Path,
                                                          capsys) -> None:
    """A first import of every office's bundle at headquarters: each file's line
    repeated the same long sentence of what a new computer's key registered means
    (57 times for 57 offices), as the client's import result did. Each line says its
    office's key is registered, short; the sentence is said once, after the lines. The
    JSON keeps each file's ``computer_registered``."""
    import json
    import shutil

    from tests.core.test_faults import office_bundles

    files = [str(f) for f in office_bundles(make_office, tmp_path)]
    db = str(hq.path)
    hq.close()
    copy = shutil.copy(db, tmp_path / "copy.sqlite3")
    code, out, _err = run("--db", db, "import", *files, capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(": merged")[0] for line in lines[:-1]] == [
        Path(f).name for f in files]
    for line, office in zip(lines, ("ML", "SN", "NE", "TD"), strict=False):
        assert line.endswith(f"; the key of a new computer of {office} is now registered")
    assert lines[-1] == ("The keys of 4 new computers are now registered: headquarters' "
                         "bundles for each office reach its new computers from now on.")
    assert out.count("reach") == 1
    # the data as it was: each file registered its computer's key
    code, out, _err = run("--db", str(copy), "--json", "import", *files, capsys=capsys)
    assert code == 0
    assert [(o["office"], o["computer_registered"]) for o in json.loads(out)] == [
        ("ML", True), ("SN", True), ("NE", True), ("TD", True)]
