"""`conflicts resolve ID --keep VALUE_ID --seen IDS`: the command line keeps a value
against the versions 'conflicts list' showed, as the Conflicts page's Keep does: a
version of another value that an import brought in between is not replaced unseen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.cli import main
from tests.scenes import laptops_in_conflict, send


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _listed_then_third_arrives(hq, make_office, tmp_path: Path, capsys, field: str,
                               a: str, b: str, c: str):
    """ML's laptop A lists its conflict (A and B wrote ``field``); then laptop C's
    version reaches A through HQ. A's database path and the conflict as listed."""
    third = make_office("ML", "ml-c")
    scene = laptops_in_conflict(hq, make_office, tmp_path, {field: a}, {field: b})
    path = str(scene.a.path)
    _code, out, _err = run(capsys, "--db", path, "--json", "conflicts", "list")
    [listed] = json.loads(out)
    progress.record_progress(third, scene.code, "2026-S1", **{field: c})
    send(third, hq, tmp_path)
    send(hq, scene.a, tmp_path)
    scene.a.close()
    return path, listed


def _open(capsys, path: str) -> list:
    return json.loads(run(capsys, "--db", path, "--json", "conflicts", "list")[1])


def test_a_value_imported_after_the_list_is_not_replaced_unseen(hq, make_office,
                                                                tmp_path: Path, capsys):
    path, listed = _listed_then_third_arrives(hq, make_office, tmp_path, capsys, "status",
                                              "on-track", "at-risk", "off-track")
    seen = ",".join(c["value_id"] for c in listed["candidates"])
    keep = next(c["value_id"] for c in listed["candidates"] if c["value"] == "on-track")
    code, out, err = run(capsys, "--db", path, "conflicts", "resolve", listed["id"],
                         "--keep", keep, "--seen", seen)
    assert (code, out) == (1, "")
    assert err == ("fieldplan: error: another computer's version of this field, with a "
                   "value not shown, arrived since the conflict was shown: look at it, "
                   "then keep a value again\n")
    [now] = _open(capsys, path)
    assert sorted(c["value"] for c in now["candidates"]) == ["at-risk", "off-track",
                                                             "on-track"]
    # listed again, with the third value: kept
    seen = ",".join(c["value_id"] for c in now["candidates"])
    code, out, err = run(capsys, "--db", path, "--json", "conflicts", "resolve", now["id"],
                         "--keep", keep, "--seen", seen)
    assert code == 0 and json.loads(out) == {"id": now["id"], "kept": keep}, err
    assert _open(capsys, path) == []


def test_texts_kept_together_against_the_versions_listed(hq, make_office,
                                                         tmp_path: Path, capsys):
    path, listed = _listed_then_third_arrives(hq, make_office, tmp_path, capsys,
                                              "achievements", "Roads cut.",
                                              "Two trainings held.", "Office moved.")
    ids = [c["value_id"] for c in listed["candidates"]]
    code, out, err = run(capsys, "--db", path, "conflicts", "resolve", listed["id"],
                         "--keep-both", "--seen", ids[0], "--seen", ids[1])
    assert (code, out) == (1, "") and "arrived since the conflict was shown" in err
    assert len(_open(capsys, path)) == 1


def test_a_version_not_in_the_conflict_is_refused(hq, make_office, tmp_path: Path,
                                                  capsys):
    scene = laptops_in_conflict(hq, make_office, tmp_path)
    path = str(scene.a.path)
    scene.a.close()
    [listed] = _open(capsys, path)
    keep = listed["candidates"][0]["value_id"]
    code, out, err = run(capsys, "--db", path, "conflicts", "resolve", listed["id"],
                         "--keep", keep, "--seen", f"{keep},ffffffff:9")
    assert (code, out) == (1, "")
    assert err == (f"fieldplan: error: conflict {listed['id']} has no version ffffffff:9 "
                   f"now: look at it again with 'fieldplan conflicts show {listed['id']}'\n")
    assert len(_open(capsys, path)) == 1


def test_seen_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["conflicts", "resolve", "--help"])
    assert "--seen" in capsys.readouterr().out


def test_value_ids_pasted_with_spaces_or_in_capitals_are_read_as_the_conflict_id_is(
        hq, make_office, tmp_path: Path, capsys):
    # the conflict id is taken " 3F2A… " as "3f2a…"; the value ids beside it were
    # refused the same way pasted ("has no value", "has no version")
    scene = laptops_in_conflict(hq, make_office, tmp_path)
    path = str(scene.a.path)
    scene.a.close()
    [listed] = _open(capsys, path)
    ids = [c["value_id"] for c in listed["candidates"]]
    seen = " , ".join(f" {v.upper()} " for v in ids)
    code, out, err = run(capsys, "--db", path, "--json", "conflicts", "resolve",
                         f" {listed['id'].upper()} ", "--keep", f" {ids[0].upper()} ",
                         "--seen", seen)
    assert code == 0, err
    assert json.loads(out) == {"id": listed["id"], "kept": ids[0]}
    assert _open(capsys, path) == []
