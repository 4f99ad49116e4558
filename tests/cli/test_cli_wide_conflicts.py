"""``fieldplan conflicts list`` of a conflict of many versions prints at most those
the Conflicts page shows and counts the others (it printed a line for each: a
re-signed bundle can leave thousands); ``conflicts resolve`` keeps any of them, in
one action (``resolve_conflict`` writes a chain of resolutions)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan.cli import main
from fieldplan.sync.conflicts import SHOWN_VERSIONS
from tests.scenes import laptop_with_a_wide_conflict


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_conflicts_list_shows_what_the_page_shows_and_counts_the_rest(
        hq, make_office, tmp_path: Path, capsys) -> None:
    path, conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path)
    code, out, err = run(capsys, "--db", str(path), "conflicts", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    versions = [line for line in lines[1:] if line[5:].split()[0] in
                {c.value_id for c in conflict.candidates}]
    # (then that one computer wrote them all: test_cli_one_computer_conflict)
    assert len(versions) == len(lines) - 3 == SHOWN_VERSIONS
    assert lines[-2] == (f"     … {45 - SHOWN_VERSIONS} more versions, not shown "
                         f"(see 'fieldplan conflicts show {conflict.id}')")
    assert lines[-1].startswith("   Every version comes from one computer, ")
    # every value is among those listed: the one of 99, written first, too
    assert versions[-1].split()[:2] == [conflict.candidates[-1].value_id, "99%"]

    code, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    [listed] = json.loads(out)
    assert code == 0 and listed["versions"] == 45
    assert len(listed["candidates"]) == SHOWN_VERSIONS
    assert {"value_id", "value", "winner", "this_computer"} <= set(listed["candidates"][0])
    # 'conflicts show' gives every one
    code, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "show",
                          conflict.id)
    shown = json.loads(out)
    assert len(shown["candidates"]) == shown["versions"] == 45


def test_conflicts_resolve_keeps_a_version_not_listed(hq, make_office, tmp_path: Path,
                                                      capsys) -> None:
    path, conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path)
    hidden = [c for c in conflict.candidates if c not in conflict.shown]
    keep = hidden[0]
    code, out, err = run(capsys, "--db", str(path), "conflicts", "resolve", conflict.id,
                         "--keep", keep.value_id)
    assert (code, err) == (0, "") and out.startswith(f"Resolved {conflict.id}")
    assert run(capsys, "--db", str(path), "conflicts", "list")[1] == "No open conflicts.\n"


def test_a_value_id_mistyped_lists_the_versions_list_shows_not_every_one(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """A mistyped --keep named every version of the conflict in its one line: thousands
    of ids for a conflict a re-signed bundle left. It names those 'conflicts list'
    prints (one of each value first), as the list does."""
    path, conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path)
    code, out, err = run(capsys, "--db", str(path), "conflicts", "resolve", conflict.id,
                         "--keep", "ffffffff:1")
    assert (code, out) == (1, "") and len(err.splitlines()) == 1
    named = err.split("(values: ", 1)[1].rstrip(")\n").replace(" and ", ", ").split(", ")
    assert named == [c.value_id for c in conflict.shown]
    assert len(named) == SHOWN_VERSIONS < conflict.versions
