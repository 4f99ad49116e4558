"""``progress set`` and ``progress submit`` over a value 40 laptops wrote, unseen by
each other, replace all 40 (a chain of events, each within what peers accept in one
event): no conflict here, at headquarters or on another laptop. They replaced 32 and
left 8 beside the new value, a conflict nobody made."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import events, progress
from fieldplan.cli import main
from fieldplan.replica import open_replica
from fieldplan.sync import list_conflicts
from tests.scenes import laptops_wrote_alike, send


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_set_and_submit_over_forty_alike(hq, make_office, tmp_path: Path, capsys) -> None:
    more, first, codes = laptops_wrote_alike(hq, make_office, tmp_path)
    path = more.path
    more.close()
    db = ("--db", str(path))
    code, out, err = run(capsys, *db, "--json", "progress", "set", codes[0],
                         "--period", "2026-S1", "--percent", "60")
    assert (code, err) == (0, "") and json.loads(out)["changed"] is True
    code, out, err = run(capsys, *db, "--json", "progress", "submit", "--period", "2026-S2")
    assert (code, err) == (0, "") and json.loads(out)["submitted"] == 1  # reports, not events
    code, out, err = run(capsys, *db, "conflicts", "list")
    assert (code, out, err) == (0, "No open conflicts.\n", "")
    with open_replica(path) as more:
        for (body,) in more.conn.execute("SELECT body FROM events WHERE origin = ?",
                                         (more.replica_id,)):
            base = events.parse_event(body).base
            assert all(len(ids) <= events.MAX_BASE_PER_FIELD for ids in base.values())
        assert send(more, hq, tmp_path)[1].outcome == "merged"
        assert send(hq, first, tmp_path)[1].outcome == "merged"
        for rep in (more, hq, first):
            assert list_conflicts(rep) == []
            assert progress.get_report(rep, codes[0], "2026-S1", "ML").percent == 60
            assert progress.get_report(rep, codes[0], "2026-S2", "ML").state == "submitted"
            assert progress.digest(rep, "ML") == progress.digest(hq, "ML")
            for period, field in (("2026-S1", "percent"), ("2026-S2", "state")):
                assert rep.conn.execute(
                    "SELECT count(*) FROM versions WHERE entity_id = ? AND field = ? "
                    "AND superseded = 0", (progress.report_id("ML", codes[0], period), field)
                ).fetchone()[0] == 1
