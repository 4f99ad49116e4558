"""``conflicts list`` (and the client's Conflicts page, which lists what
``list_conflicts`` gives) lists a report's fields in conflict as its status sheet
prints them (status, progress, indicators, narratives) and actions by number, as the
review pack's "Open conflicts" table does: they came by the names the events store
them under, a report's Achievements before its Percent complete before its Status."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.cli import main
from fieldplan.sync import list_conflicts
from tests.scenes import closed, laptops_in_conflict

WROTE_A = {"status": "on-track", "percent": 30, "achievements": "A wrote this",
           "next_steps": "A next"}
WROTE_B = {"status": "at-risk", "percent": 40, "achievements": "B wrote that",
           "next_steps": "B next"}
IN_ORDER = ["status", "percent", "achievements", "next_steps"]


def test_list_conflicts_gives_a_reports_fields_as_its_sheet_has_them(
        hq, make_office, tmp_path: Path) -> None:
    scene = laptops_in_conflict(hq, make_office, tmp_path, WROTE_A, WROTE_B, actions=2)
    conflicts = list_conflicts(scene.a)
    first, second = sorted({c.action for c in conflicts})
    assert [(c.action, c.field) for c in conflicts] == [
        *((first, f) for f in IN_ORDER), *((second, f) for f in IN_ORDER)]
    # at headquarters too, which holds both laptops' versions
    assert [c.field for c in list_conflicts(hq)] == IN_ORDER * 2


def test_conflicts_list_prints_them_in_that_order(hq, make_office, tmp_path: Path,
                                                  capsys) -> None:
    scene = laptops_in_conflict(hq, make_office, tmp_path, WROTE_A, WROTE_B)
    path = closed(scene.a)
    capsys.readouterr()
    assert main(["--db", str(path), "--json", "conflicts", "list"]) == 0
    assert [c["field"] for c in json.loads(capsys.readouterr().out)] == IN_ORDER
    assert main(["--db", str(path), "conflicts", "list"]) == 0
    heads = [line for line in capsys.readouterr().out.splitlines()
             if line and not line.startswith(" ")]
    assert [line.rsplit("  ", 1)[-1] for line in heads] == [
        "Status", "Percent complete", "Achievements", "Next steps"]
