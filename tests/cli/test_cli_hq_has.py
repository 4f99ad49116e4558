"""``progress list --json`` says of each report whether headquarters holds its version
(``hq_has``: its receipts cover it), null at headquarters, which holds what it lists."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

from fieldplan import progress
from fieldplan.sync import export_bundle, import_bundle

S1 = "2026-S1"


def listed(db: Path, capsys) -> dict[str, object]:
    code, out, _err = run("--db", str(db), "--json", "progress", "list", "--period", S1,
                          capsys=capsys)
    assert code == 0
    return {r["action"]: r["hq_has"] for r in json.loads(out)}


def test_progress_list_says_which_reports_headquarters_holds(hq, make_office, tmp_path: Path,
                                                             capsys) -> None:
    ml = make_office("ML", "ml")
    a, b = (act.code for act in ml.plan().actions_of(level="national")[:2])
    progress.record_progress(ml, a, S1, status="on-track", percent=10)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    progress.record_progress(ml, b, S1, status="at-risk")
    db = Path(ml.path)
    assert listed(db, capsys) == {a: True, b: False}
    assert set(listed(Path(hq.path), capsys).values()) == {None}
