"""A conflict whose every version one computer wrote (thousands of versions of one
field, none replacing another, from a single key) is that computer's history
contradicting itself, not two computers of the office writing differently: the
listing, 'conflicts show' and JSON say so."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.sync import list_conflicts, list_inbox
from tests.scenes import laptop_with_a_wide_conflict, send, wide_conflict


def run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_a_wide_conflict_of_one_computer_is_said_to_be_its_own(
        hq, make_office, tmp_path: Path, capsys) -> None:
    path, conflict = laptop_with_a_wide_conflict(hq, make_office, tmp_path)
    origin = conflict.candidates[0].full_id.split(":")[0]
    said = (f"Every version comes from one computer, {origin[:8]}: its history holds "
            "versions that do not replace each other, no other computer wrote this field")
    code, out = run(capsys, "--db", str(path), "conflicts", "list")
    assert code == 0 and f"   {said}" in out.splitlines()
    code, out = run(capsys, "--db", str(path), "conflicts", "show", conflict.id)
    assert code == 0 and said in out.splitlines()
    code, out = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    assert json.loads(out)[0]["one_computer"] == origin
    code, out = run(capsys, "--db", str(path), "--json", "conflicts", "show", conflict.id)
    assert json.loads(out)["one_computer"] == origin


def test_on_the_computer_that_wrote_them_it_is_this_computers_history(
        make_office, capsys) -> None:
    laptop = make_office("ML")
    wide_conflict(laptop, 3)  # (every version read by the listing too)
    path, replica = laptop.path, laptop.replica_id
    [conflict] = list_conflicts(laptop)
    assert conflict.one_replica == replica
    code, out = run(capsys, "--db", str(path), "conflicts", "show", conflict.id)
    assert code == 0 and (
        f"Every version comes from this computer ({replica[:8]}): its own history holds "
        "versions that do not replace each other, no other computer wrote this field"
    ) in out.splitlines()


def test_two_computers_conflict_says_nothing_of_one(hq, make_office, tmp_path: Path,
                                                     capsys) -> None:
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    act = a.plan().actions_of(level="national")[0].code
    progress.record_progress(a, act, "2026-S1", status="on-track")
    progress.record_progress(b, act, "2026-S1", status="at-risk")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    [conflict] = list_conflicts(hq)
    assert conflict.one_replica == ""
    hq.close()
    code, out = run(capsys, "--db", str(tmp_path / "hq.sqlite3"), "conflicts", "list")
    assert code == 0 and "Every version comes from" not in out
    code, out = run(capsys, "--db", str(tmp_path / "hq.sqlite3"), "--json", "conflicts",
                    "list")
    assert json.loads(out)[0]["one_computer"] is None


def test_importing_one_computers_contradicting_versions_names_its_history(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """The import said "two computers of the office wrote it differently" of versions
    one laptop wrote alone."""
    laptop = make_office("ML")
    wide_conflict(laptop, 40)
    _result, outcome = send(laptop, hq, tmp_path)
    assert (outcome.conflicts, outcome.conflicts_own) == (1, 1)
    assert outcome.conflicts_text() == (
        "1 report it changed is in conflict (one computer's history holds versions of "
        "it that do not replace each other) until a person of the office keeps one of "
        "the values")
    # the Inbox keeps it so
    [[reason]] = hq.conn.execute("SELECT reason FROM inbox WHERE outcome = 'merged'")
    assert "one computer's history holds versions" in reason
    assert "two computers" not in reason


def test_submit_names_one_computers_history_apart_from_two_computers(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """'progress submit' warned that two computers wrote different values of a report
    whose versions this laptop's own history held alone; of a report two computers
    wrote, it still says so, each in its own warning."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    first, second = (x.code for x in a.plan().actions_of(level="national")[:2])
    progress.record_progress(a, first, "2026-S1", status="on-track")
    wide_conflict(a, 3)  # (the first action's percent, on this laptop alone)
    progress.record_progress(a, second, "2026-S1", status="on-track")
    progress.record_progress(b, second, "2026-S1", status="at-risk")
    send(b, hq, tmp_path)
    send(hq, a, tmp_path)
    path = a.path
    a.close()
    capsys.readouterr()
    assert main(["--db", str(path), "progress", "submit", "--period", "2026-S1"]) == 0
    err = capsys.readouterr().err.replace("\n", " ")
    assert (f"1 report of 1st semester 2026 is still in conflict ({second}): two "
            "computers wrote different values") in err
    assert (f"1 report of 1st semester 2026 is still in conflict ({first}): one "
            "computer's history holds versions of it that do not replace each other, "
            "and the values shown here count until it is settled") in err


def test_an_import_of_both_kinds_of_conflict_says_each_with_its_count(
        hq, make_office, tmp_path: Path) -> None:
    """An import that left one report in conflict by two computers' writes and one by a
    laptop's own history said "two computers of the office wrote them differently" of
    both; it says each part with its count, as the status sheet's notes do."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    second = a.plan().actions_of(level="national")[1].code
    wide_conflict(a, 3)  # (the first action's percent, on this laptop alone)
    progress.record_progress(a, second, "2026-S1", status="on-track")
    progress.record_progress(b, second, "2026-S1", status="at-risk")
    send(b, hq, tmp_path)
    _result, outcome = send(a, hq, tmp_path)
    assert (outcome.conflicts, outcome.conflicts_own) == (2, 1)
    said = ("2 reports it changed are in conflict (two computers of the office wrote 1 "
            "of them differently, and one computer's history holds versions of 1 of them "
            "that do not replace each other) until a person of the office keeps one of "
            "the values")
    assert outcome.conflicts_text() == said
    # the Inbox keeps it so, and makes it again from how it was made
    [entry] = [e for e in list_inbox(hq) if e.file == outcome.file]
    assert said in entry.reason and said in entry.reason_text("en")
