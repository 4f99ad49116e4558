"""``fieldplan import`` of an unknown key's bundle when quarantine is full: one line,
rejected, exit 1, nothing kept; ``status`` says what quarantine holds against its
limits (``exchange.QUARANTINE_MAX_*``)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.sync import exchange
from tests.cli.test_cli_messages import run
from tests.core.test_quarantine_limits import _bundle, _unknown


def test_import_into_a_full_quarantine_is_one_line_exit_1(
        hq, make_office, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BUNDLES", 1)
    out = tmp_path / "out"
    first = _bundle(_unknown(make_office, "u0"), out, 10)
    late = _bundle(_unknown(make_office, "u1"), out, 20)
    db = str(hq.path)
    hq.close()
    assert run("--db", db, "import", str(first), capsys=capsys)[0] == 0
    code, said, _err = run("--db", db, "import", str(late), capsys=capsys)
    assert code == 1
    assert said.count("\n") == 1, said
    assert "rejected: quarantine full: it holds 1 bundle (" in said
    assert said.rstrip().endswith("trust or refuse waiting keys first")
    code, said, _err = run("--db", db, "--json", "status", capsys=capsys)
    status = json.loads(said)
    sync = status.get("sync", status)
    assert sync["quarantined"] == 1 and sync["quarantine_bytes"] > 0
    code, said, _err = run("--db", db, "status", capsys=capsys)
    [line] = [x for x in said.splitlines() if x.startswith("Quarantine")]
    assert "1 of at most 1 (" in line and "512 MiB)" in line
