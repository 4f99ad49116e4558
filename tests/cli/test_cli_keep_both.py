"""`conflicts resolve ID --keep-both`: two laptops' narratives kept one after the other,
from the command line as from the Conflicts page."""

from __future__ import annotations

import json

import pytest

from fieldplan.cli import main
from fieldplan.sync import export_bundle, import_bundle
from tests.scenes import laptop_holding_a_conflict


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _laptop_a(hq, make_office, tmp_path, **b_values):
    held = laptop_holding_a_conflict(hq, make_office, tmp_path,
                                     {"status": "on-track", "challenges": "Funding late."},
                                     {"status": "on-track", **b_values}, sent="b")
    return held.path, held.code


def test_keep_both_texts(hq, make_office, tmp_path, capsys):
    path, code = _laptop_a(hq, make_office, tmp_path, challenges="Roads cut by floods.")
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    [conflict] = json.loads(out)
    rc, out, err = run(capsys, "--db", str(path), "--json", "conflicts", "resolve",
                       conflict["id"], "--keep-both")
    assert rc == 0 and json.loads(out) == {"id": conflict["id"], "kept": "both", "texts": 2}, err
    rc, out, _err = run(capsys, "--db", str(path), "--json", "progress", "list")
    [report] = [r for r in json.loads(out) if r["action"] == code]
    assert {report["challenges"]} <= {"Funding late.\n\nRoads cut by floods.",
                                      "Roads cut by floods.\n\nFunding late."}
    assert "Funding late." in report["challenges"]
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    assert json.loads(out) == []


def test_keep_both_when_one_text_holds_the_other_is_one_line(hq, make_office, tmp_path,
                                                            capsys):
    path, _code = _laptop_a(hq, make_office, tmp_path, challenges="Funding late. More.")
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    [conflict] = json.loads(out)
    rc, out, err = run(capsys, "--db", str(path), "conflicts", "resolve", conflict["id"],
                       "--keep-both")
    assert rc == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "not between texts" in err


def test_keep_and_keep_both_together_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(tmp_path / "x.sqlite3"), "conflicts", "resolve", "abc",
              "--keep", "a:1", "--keep-both"])
    assert exit_.value.code == 2


def test_the_help_says_keep_both_keeps_every_text(capsys, monkeypatch):
    """`conflicts resolve --help` said only "by keeping one of its values"."""
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit):
        main(["conflicts", "resolve", "--help"])
    assert ("or, of a narrative, every version's text (--keep-both)"
            in capsys.readouterr().out)


def test_the_list_says_which_version_this_computer_wrote(hq, make_office, tmp_path, capsys):
    path, _code = _laptop_a(hq, make_office, tmp_path, challenges="Roads cut by floods.")
    rc, out, _err = run(capsys, "--db", str(path), "conflicts", "list")
    assert rc == 0
    lines = out.splitlines()
    [own] = [line for line in lines if "Funding late." in line]
    [other] = [line for line in lines if "Roads cut by floods." in line]
    assert own.endswith(")") and "  this computer (" in own
    assert "this computer" not in other


def test_three_texts_kept_are_counted(hq, make_office, tmp_path, capsys):
    """Three laptops' texts kept were said "kept both texts"."""
    from tests.core.test_keep_texts_together import three_laptops

    a, _code = three_laptops(hq, make_office, tmp_path)
    path = a.path
    a.close()
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    [conflict] = [c for c in json.loads(out) if c["field"] == "achievements"]
    rc, out, err = run(capsys, "--db", str(path), "conflicts", "resolve", conflict["id"],
                       "--keep-both")
    assert rc == 0, err
    assert out.strip() == (f"Resolved {conflict['id']}: kept all 3 texts, one after the "
                           "other")


def test_keep_both_on_a_report_the_plan_hides_is_refused_in_one_line(
        hq, make_office, tmp_path, capsys):
    """The Conflicts page hides Keep both texts on a report the plan hides; the
    command wrote the texts together there. It refuses now, in one line."""
    from tests.scenes import amend_plan

    path, code = _laptop_a(hq, make_office, tmp_path, challenges="Roads cut by floods.")
    amend_plan(hq, tmp_path, drop=(code,))
    from fieldplan.replica import open_replica

    a = open_replica(path)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    a.close()
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    [conflict] = json.loads(out)
    assert conflict["hidden"] is True
    rc, out, err = run(capsys, "--db", str(path), "conflicts", "resolve", conflict["id"],
                       "--keep-both")
    assert rc == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "cannot be kept together" in err
    rc, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    assert [c["id"] for c in json.loads(out)] == [conflict["id"]]
