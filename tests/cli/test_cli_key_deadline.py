"""``init --from`` and ``status`` at an office whose key headquarters has not
registered yet say by when a first bundle must reach headquarters, and once the date
has passed that headquarters will check the key's fingerprint by phone
(``fieldplan.sync.enrol.key_deadline``); --json has ``key_deadline``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fieldplan import events
from fieldplan.cli import main
from fieldplan.i18n import format_date, format_time

AFTER = ("Warning: headquarters will check this computer's key fingerprint with you by "
         "phone before it takes your bundles")


def run(*argv: str, capsys) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def later_than(monkeypatch: pytest.MonkeyPatch, now: str) -> None:
    real = events.utc_iso
    monkeypatch.setattr(events, "utc_iso", lambda when=None: now if when is None
                        else real(when))


@pytest.fixture
def office(tmp_path: Path, capsys) -> tuple[str, str, str]:
    """HQ's database, ML's, and the enrolment's expiry (ISO UTC), ML set up from HQ's
    setup bundle; what ``init --from`` printed is checked here."""
    hq, ml = str(tmp_path / "hq.sqlite3"), str(tmp_path / "ml.sqlite3")
    setup = str(tmp_path / "ML-setup.fieldplan")
    run("--db", hq, "init", "--hq", capsys=capsys)
    run("--db", hq, "office", "enroll", "ML", "-o", setup, capsys=capsys)
    with sqlite3.connect(hq) as conn:
        (expires,) = conn.execute("SELECT expires_at FROM enrolments").fetchone()
    code = main(["--db", ml, "init", "--from", setup])
    out, err = capsys.readouterr()
    assert code == 0
    # on stderr, as every command's warning (it was "Warning: …" on stdout)
    assert "Warning" not in out and "send headquarters" not in out
    assert err == (
        f"fieldplan: warning: send headquarters a first bundle before {format_date(expires)} "
        f"at {format_time(expires)} so that it knows this computer's key (fieldplan export)\n")
    data = json.loads(run("--db", str(tmp_path / "ml2.sqlite3"), "--json", "init", "--from",
                          setup, capsys=capsys)[1])
    assert data["key_deadline"] == expires
    return hq, ml, expires


def warnings(db: str, capsys) -> list[str]:
    out = run("--db", db, "status", capsys=capsys)[1]
    return [line for line in out.splitlines() if line.startswith("Warning: ")]


def test_status_says_by_when_then_that_headquarters_will_phone(
        office, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _hq, ml, expires = office
    assert warnings(ml, capsys) == [
        f"Warning: send headquarters a first bundle before {format_date(expires)} at "
        f"{format_time(expires)} so that it knows this computer's key (fieldplan export)"]
    assert json.loads(run("--db", ml, "--json", "status", capsys=capsys)[1])[
        "key_deadline"] == expires
    later_than(monkeypatch, "2099-01-01T00:00:00Z")
    assert warnings(ml, capsys) == [AFTER]
    # still said in --json: the date is the data, the words are for people
    assert json.loads(run("--db", ml, "--json", "status", capsys=capsys)[1])[
        "key_deadline"] == expires


def test_once_headquarters_registered_the_key_nothing_is_said(
        office, tmp_path: Path, capsys) -> None:
    hq, ml, _expires = office
    sent, back = str(tmp_path / "ml.fieldplan"), str(tmp_path / "hq.fieldplan")
    assert run("--db", ml, "export", "-o", sent, capsys=capsys)[0] == 0
    assert json.loads(run("--db", hq, "--json", "import", sent, capsys=capsys)[1])[0][
        "outcome"] == "merged"
    run("--db", hq, "export", "--for", "ML", "-o", back, capsys=capsys)
    run("--db", ml, "import", back, capsys=capsys)
    assert warnings(ml, capsys) == []
    assert json.loads(run("--db", ml, "--json", "status", capsys=capsys)[1])[
        "key_deadline"] is None


def test_exported_before_the_date_status_says_it_may_have_arrived(
        office, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _hq, ml, expires = office
    run("--db", ml, "export", "-o", str(tmp_path / "ml.fieldplan"), capsys=capsys)
    later_than(monkeypatch, "2099-01-01T00:00:00Z")
    assert warnings(ml, capsys) == [
        f"Warning: unless a bundle from this computer reached headquarters before "
        f"{format_date(expires)} at {format_time(expires)}, headquarters will check this "
        f"computer's key fingerprint "
        f"with you by phone before it takes your bundles"]


def test_headquarters_is_told_nothing_of_it(office, capsys) -> None:
    hq, _ml, _expires = office
    assert warnings(hq, capsys) == []
    assert json.loads(run("--db", hq, "--json", "status", capsys=capsys)[1])[
        "key_deadline"] is None


def test_a_setup_bundle_of_an_older_headquarters_says_nothing_new(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.core.test_key_deadline import old_headquarters

    hq, ml = str(tmp_path / "hq.sqlite3"), str(tmp_path / "ml.sqlite3")
    setup = str(tmp_path / "ML-setup.fieldplan")
    run("--db", hq, "init", "--hq", capsys=capsys)
    with monkeypatch.context() as old:
        old_headquarters(old)
        run("--db", hq, "office", "enroll", "ML", "-o", setup, capsys=capsys)
    code, out = run("--db", ml, "init", "--from", setup, capsys=capsys)
    assert code == 0 and len(out.splitlines()) == 3  # created, HQ's key, check it
    assert "key_deadline" not in json.loads(run(
        "--db", str(tmp_path / "ml2.sqlite3"), "--json", "init", "--from", setup,
        capsys=capsys)[1])
    assert warnings(ml, capsys) == []
