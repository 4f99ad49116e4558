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
