"""``fieldplan conflicts show ID``: every version of a conflict in full, with the
computer, author and time of each (``conflicts list`` cuts a text at 60 characters)."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.status import stamp_text
from fieldplan.sync import export_bundle, import_bundle, list_conflicts
from tests.scenes import closed, laptops_in_conflict

BODY = "Paragraph one of the report.\n\n" * 300


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def long_conflict(hq, make_office, tmp_path: Path):
    """Two laptops of ML wrote one long narrative, differing in its last line; laptop
    A holds both."""
    a = laptops_in_conflict(hq, make_office, tmp_path,
                            {"achievements": BODY + "Final: 12 villages."},
                            {"achievements": BODY + "Final: 21 villages."}).a
    [conflict] = list_conflicts(a)
    replica = a.replica_id
    return closed(a), replica, conflict


def test_conflicts_show_prints_every_version_in_full(hq, make_office, tmp_path: Path,
                                                      capsys) -> None:
    path, replica, conflict = long_conflict(hq, make_office, tmp_path)
    code, out, err = run(capsys, "--db", str(path), "conflicts", "show", conflict.id.upper())
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{conflict.id}  ML  ") and lines[0].endswith("Achievements")
    # each version whole, with its computer, this one marked
    assert "    Final: 12 villages." in lines and "    Final: 21 villages." in lines
    assert out.count("    Paragraph one of the report.") == 600
    assert "…" not in out
    mine = next(c for c in conflict.candidates if c.here)
    other = next(c for c in conflict.candidates if not c.here)
    # the time as status shows one ("5 Dec 2026, 00:41:23"), not the stored UTC stamp
    mine_at, other_at = stamp_text(mine.at, "en"), stamp_text(other.at, "en")
    assert mine_at != mine.at and mine.at not in out
    assert (f"Written by {mine.author} on this computer ({replica[:8]}), {mine_at}"
            in lines)
    assert f"Written by {other.author} on computer {other.computer}, {other_at}" in lines
    assert "Version 1 of 2, " + conflict.candidates[0].value_id + " (shown now)" in lines
    assert "Version 2 of 2, " + conflict.candidates[1].value_id in lines
    assert "locked" not in out


def test_conflicts_show_json(hq, make_office, tmp_path: Path, capsys) -> None:
    path, replica, conflict = long_conflict(hq, make_office, tmp_path)
    code, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "show",
                          conflict.id)
    shown = json.loads(out)
    assert code == 0 and shown["id"] == conflict.id and shown["resolvable_here"] is True
    assert shown["locked"] is False
    values = {c["computer"]: c["value"] for c in shown["candidates"]}
    assert values[replica[:8]] == BODY + "Final: 12 villages."
    assert [c["this_computer"] for c in shown["candidates"]].count(True) == 1


def test_conflicts_show_of_no_open_conflict_is_one_line_and_exit_1(
        hq, make_office, tmp_path: Path, capsys) -> None:
    path, _replica, _conflict = long_conflict(hq, make_office, tmp_path)
    assert run(capsys, "--db", str(path), "conflicts", "show", "0123456789") == (
        1, "", "fieldplan: error: no open conflict 0123456789 (see 'fieldplan conflicts "
        "list')\n")


def test_conflicts_list_times_in_the_language(hq, make_office, tmp_path: Path,
                                              capsys) -> None:
    """``conflicts list`` says when each version was written as status says a time,
    in the chosen language, not as the stored UTC stamp."""
    path, _replica, conflict = long_conflict(hq, make_office, tmp_path)
    code, out, err = run(capsys, "--db", str(path), "--lang", "fr", "conflicts", "list")
    assert (code, err) == (0, "")
    for cand in conflict.candidates:
        assert cand.at not in out
        assert stamp_text(cand.at, "fr") in out


def test_an_indicator_in_conflict_is_named_by_its_title_in_the_language(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """Not "المؤشر policies-supported": the plan's title, in the chosen language."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    action = next(x for x in a.plan().actions_of(level="national") if x.indicators)
    indicator = action.indicators[0]
    for rep, value in ((a, 3), (b, 4)):
        progress.record_progress(rep, action.code, "2026-S1", values={indicator.key: value})
        import_bundle(hq, export_bundle(rep, out_dir=tmp_path).path)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    [conflict] = list_conflicts(a)
    path = a.path
    a.close()
    for lang in ("ar", "fr", "en"):
        code, out, err = run(capsys, "--db", str(path), "--lang", lang, "conflicts", "list")
        assert (code, err) == (0, "")
        first = out.splitlines()[0].replace("\u200e", "").replace("\u200f", "")
        assert first.endswith("  " + indicator.title.get(lang)), (lang, first)
        assert indicator.key not in out
        code, out, err = run(capsys, "--db", str(path), "--lang", lang, "conflicts", "show",
                             conflict.id)
        first = out.splitlines()[0].replace("\u200e", "").replace("\u200f", "")
        assert first.endswith("  " + indicator.title.get(lang)), (lang, first)


def test_conflicts_list_shows_long_versions_where_they_differ(hq, make_office, tmp_path: Path,
                                                               capsys) -> None:
    """Two long versions differing in their last line: each shown around the
    difference, not both as the same first 60 characters."""
    path, _replica, conflict = long_conflict(hq, make_office, tmp_path)
    code, out, err = run(capsys, "--db", str(path), "conflicts", "list")
    assert (code, err) == (0, "")
    lines = {cand.value_id: next(line for line in out.splitlines() if cand.value_id in line)
             for cand in conflict.candidates}
    for cand in conflict.candidates:
        shown = lines[cand.value_id].split(cand.value_id + "  ", 1)[1]
        villages = "12" if cand.value.endswith("12 villages.") else "21"
        assert shown.startswith("…") and f"Final: {villages} villages.  " in shown
        assert len(shown.split("  " + cand.author)[0]) <= 60
    code, out, _err = run(capsys, "--db", str(path), "--json", "conflicts", "list")
    assert {c["value"] for c in json.loads(out)[0]["candidates"]} == {
        BODY + "Final: 12 villages.", BODY + "Final: 21 villages."}


def test_excerpt_at_cuts_around_the_difference() -> None:
    from fieldplan.text import differing_spans, excerpt_at

    a = "word " * 30 + "the result was good, and then " + "more " * 30
    b = "word " * 30 + "the result was poor, and then " + "more " * 30
    spans_a, spans_b = differing_spans(a, b)
    shown = excerpt_at(a, spans_a[0])
    # a third of the room before the difference, from a word's start
    assert shown == "…the result was good, and then more more more more more mor…"
    assert "was poor" in excerpt_at(b, spans_b[0])
    assert excerpt_at("short text", (0, 5)) == "short text"
    end = excerpt_at(a, (len(a) - 3, len(a)))
    assert not end.endswith("…") and end.startswith("…") and len(end) <= 60
