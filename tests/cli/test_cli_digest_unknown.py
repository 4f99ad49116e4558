"""``digest --office`` at headquarters for an office it never enrolled and holds no
data of (a slip of the keyboard, MR for ML): it printed the digest of nothing, exit 0,
which differs from ML's own digest; a person comparing them read ML's data as gone
astray. It now says the office was never enrolled, naming those known (as ``report
sheet`` and ``export --for`` do), exit 1; an enrolled office with no report yet still
has its digest (the office's own computer prints the same)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli_messages import run


@pytest.fixture
def world(tmp_path: Path, capsys) -> tuple[str, str]:
    hq, ml = str(tmp_path / "hq.sqlite3"), str(tmp_path / "ml.sqlite3")
    setup = str(tmp_path / "ML-setup.fieldplan")
    assert run("--db", hq, "init", "--hq", capsys=capsys)[0] == 0
    assert run("--db", hq, "office", "enroll", "ML", "-o", setup, capsys=capsys)[0] == 0
    assert run("--db", ml, "init", "--from", setup, capsys=capsys)[0] == 0
    return hq, ml


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "MR (Mauritania) was never enrolled and headquarters holds no data of it"),
    ("fr", "MR (Mauritanie) n’a jamais été inscrit"),
])
def test_an_office_never_enrolled_has_no_digest(world, capsys, lang, words) -> None:
    hq, _ml = world
    code, out, err = run("--db", hq, "--lang", lang, "digest", "--office", "MR",
                         capsys=capsys)
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert words in err and "ML" in err


def test_an_enrolled_office_with_nothing_yet_has_its_digest(world, capsys) -> None:
    hq, ml = world
    theirs = run("--db", hq, "digest", "--office", "ML", capsys=capsys)
    here = run("--db", ml, "digest", capsys=capsys)
    assert theirs[0] == here[0] == 0 and theirs[1] == here[1] and len(here[1].strip()) == 64
    assert run("--db", hq, "digest", "--office", "HQ", capsys=capsys)[0] == 0
