"""Commands that only read, or that write a file beside their reading, on a database
that cannot be written (a write-protected USB stick, a CD's copy, a read-only
attribute): they work as on any database, and say what was not kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import store
from tests.cli.test_cli_messages import run


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch):
    """``read_only(db)``: that database is opened read-only from now on, as one whose
    file cannot be written is (``store._writable_file``)."""
    def make(db: Path) -> None:
        writable = store._writable_file
        monkeypatch.setattr(store, "_writable_file",
                            lambda path: Path(path) != Path(db) and writable(path))
    return make


def _office_bundle(hq, make_office, tmp_path: Path) -> Path:
    from fieldplan import progress
    from fieldplan.sync import export_bundle

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track", percent=40)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    ml.close()
    return bundle


def test_verify_on_a_read_only_database_checks_the_bundle(
        hq, make_office, tmp_path: Path, capsys, read_only) -> None:
    """verify rolls back a trial merge to check what only a merge sees; on a database
    that cannot be written it failed with "internal error: OperationalError: attempt
    to write a readonly database" for every valid bundle, where it only reads."""
    bundle = _office_bundle(hq, make_office, tmp_path)
    db = str(hq.path)
    hq.close()
    code, writable_json, _err = run("--db", db, "--json", "verify", str(bundle),
                                    capsys=capsys)
    assert code == 0
    read_only(hq.path)
    before = hq.path.read_bytes()
    code, out, err = run("--db", db, "verify", str(bundle), capsys=capsys)
    assert code == 0, err
    assert out.startswith("valid: ")
    assert "internal error" not in err and "read-only disk or folder" in err
    code, out, err = run("--db", db, "--json", "verify", str(bundle), capsys=capsys)
    assert code == 0, err
    assert json.loads(out) == json.loads(writable_json)
    assert hq.path.read_bytes() == before


def test_review_with_a_deadline_on_a_read_only_database_is_written_and_says_so(
        hq, tmp_path: Path, capsys, read_only) -> None:
    """``report review --deadline`` keeps the day in the database after writing the
    pack. On a database that cannot be written the pack was written, with that
    deadline, yet the command failed (exit 1) with "could not save to the database,
    nothing was changed": a script took the pack for not made, a person for not
    printed. It is written, said, and the day not kept is a warning."""
    from fieldplan.reports.deadlines import named_deadlines

    db = str(hq.path)
    hq.close()
    read_only(hq.path)
    out = tmp_path / "pack.pdf"
    code, printed, err = run("--db", db, "--json", "report", "review", "--period",
                             "2026-S1", "--deadline", "2026-08-20", "-o", str(out),
                             capsys=capsys)
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")
    # the deadline the pack was printed with, not the one the database still holds
    assert json.loads(printed)["deadline"] == "2026-08-20"
    warning = err.splitlines()[-1]
    assert warning.startswith("fieldplan: warning: the review pack is written, but its "
                              "deadline (20 Aug 2026) could not be kept in the database: ")
    assert "read-only" in warning
    from fieldplan.replica import open_replica

    with open_replica(Path(db)) as rep:
        assert named_deadlines(rep) == {}
