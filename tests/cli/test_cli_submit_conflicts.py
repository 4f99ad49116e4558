"""``fieldplan progress submit`` with reports in conflict: it submits, and warns on
stderr naming the reports two computers wrote differently (the values shown on this
computer were submitted, the other's unseen)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def laptop_with_conflict(hq, make_office, tmp_path: Path):
    """ML's laptop A holds both versions of one report B wrote too; A has another
    draft, with no conflict."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    first, second = (x.code for x in a.plan().actions_of(level="national")[:2])
    progress.record_progress(a, first, "2026-S1", status="on-track")
    progress.record_progress(b, first, "2026-S1", status="at-risk")
    progress.record_progress(a, second, "2026-S1", status="on-track")
    import_bundle(hq, export_bundle(b, out_dir=tmp_path).path)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    path = a.path
    a.close()
    return path, first, second


def test_submit_warns_of_reports_in_conflict(hq, make_office, tmp_path, capsys) -> None:
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    status, out, err = run(capsys, "--db", str(path), "progress", "submit",
                           "--period", "2026-S1")
    assert status == 0 and "Submitted 2 reports" in out
    # the period in words, as the sentence's other messages say it
    assert err.startswith(
        "fieldplan: warning: 1 report of 1st semester 2026 is still in conflict")
    assert f"({code})" in err and other not in err
    assert "fieldplan conflicts list" in err
    with open_replica(path) as rep:
        assert {r.state for r in progress.list_reports(rep, "2026-S1", "ML")} == {"submitted"}


def test_submit_json_lists_reports_in_conflict(hq, make_office, tmp_path, capsys) -> None:
    path, code, _other = laptop_with_conflict(hq, make_office, tmp_path)
    status, out, _err = run(capsys, "--db", str(path), "--json", "progress", "submit",
                            "--period", "2026-S1")
    assert status == 0 and json.loads(out)["in_conflict"] == [code]


def test_submit_without_conflicts_warns_of_none(make_office, capsys) -> None:
    rep = make_office("ML")
    progress.record_progress(rep, rep.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    path = rep.path
    rep.close()
    status, _out, err = run(capsys, "--db", str(path), "progress", "submit",
                            "--period", "2026-S1")
    assert (status, err) == (0, "")
