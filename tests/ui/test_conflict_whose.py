"""Two laptops of one office changed the same report offline: the report form of the
laptop whose values lost says whose values it shows (author, computer, time), not
only that two computers changed them."""

from __future__ import annotations

import pytest

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose

sync = pytest.importorskip("fieldplan.sync")


def _laptops(hq, make_office, tmp_path, monkeypatch):
    """Aminata's laptop, then Boubacar's, write PA1.1's status, percent and
    achievements differently (Boubacar's later: his win), and both take HQ's bundle."""
    from tests.scenes import laptops_in_conflict

    a, b, code, _out = laptops_in_conflict(
        hq, make_office, tmp_path,
        {"status": "on-track", "percent": 40, "achievements": "Workshop held in Bamako"},
        {"status": "at-risk", "percent": 25, "achievements": "Workshop postponed"},
        told="ab", authors=("Aminata", "Boubacar"), monkeypatch=monkeypatch)
    return a, b, code


def test_shown_version_is_the_conflicts_winner(hq, make_office, tmp_path, monkeypatch):
    a, b, code = _laptops(hq, make_office, tmp_path, monkeypatch)
    for laptop in (a, b):
        shown = sync.conflicts.shown_versions_of_report(laptop, code, "2026-S1")
        assert set(shown) == {"status", "percent", "achievements"}
        winners = {c.field: next(x for x in c.candidates if x.winner)
                   for c in sync.list_conflicts(laptop)}
        for field, cand in shown.items():
            assert cand.full_id == winners[field].full_id and cand.author == "Boubacar"
            assert cand.here is (laptop is b)
            assert cand.at == winners[field].at


def test_the_form_says_whose_values_it_shows(open_window, qtbot, hq, make_office,
                                             tmp_path, monkeypatch):
    a, b, code = _laptops(hq, make_office, tmp_path, monkeypatch)
    computer = b.replica_id[:8]
    paths = a.path, b.path
    a.close()
    b.close()
    window = open_window(paths[0])
    editor = choose(window, qtbot, code)
    notice = editor.notice.text()
    assert "Changed on two computers" in notice
    [line] = [t for t in notice.split("\n") if t.startswith("Shown here for ")]
    assert "Achievements, Percent complete, Status" in line
    assert "Boubacar" in line and f"computer \u2068{computer}\u2069" in line
    assert "2026" in line  # (when)
    assert editor.narratives["achievements"].toPlainText() == "Workshop postponed"
    window.close()
    wait_idle(qtbot, window.session)
    # Boubacar's laptop shows his own values: nothing more to say there
    window = open_window(paths[1])
    editor = choose(window, qtbot, code)
    assert "Changed on two computers" in editor.notice.text()
    assert "Shown here" not in editor.notice.text()
    with open_replica(paths[1]) as rep:
        assert progress.get_report(rep, code, "2026-S1").status == "at-risk"


def test_the_other_laptop_sees_who_settled_its_values(open_window, qtbot, hq, make_office,
                                                      tmp_path, monkeypatch):
    """Aminata keeps her status on her laptop; on Boubacar's, once HQ's next bundle
    came, his "At risk" became "On track": the form says who changed it last."""
    a, b, code = _laptops(hq, make_office, tmp_path, monkeypatch)
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "Aminata")
    for conflict in sync.list_conflicts(a):
        mine = next(c for c in conflict.candidates if c.here)
        sync.resolve_conflict(a, conflict.id, mine.value_id)
    out = tmp_path / "again"
    out.mkdir()
    sync.import_bundle(hq, sync.export_bundle(a, out_dir=out).path)
    sync.import_bundle(b, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    assert sync.list_conflicts(b) == [] and sync.list_conflicts(hq) == []
    assert progress.digest(a) == progress.digest(b) == progress.digest(hq, "ML")
    path = b.path
    b.close()
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "Boubacar")
    window = open_window(path)
    editor = choose(window, qtbot, code)
    assert editor.status.currentData() == "on-track"
    assert editor.meta.text().split("\n")[-1].startswith("Last changed by \u2068Aminata\u2069, ")
    assert "Changed on two computers" not in editor.notice.text()


def test_two_versions_written_here_are_not_said_of_two_computers(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch):
    """Aminata's achievements lost to Boubacar's; on her laptop she typed her own merge
    over his, shown. What is kept of them then is her earlier text and her merge, both
    written on her laptop (a write replaces the value shown, not the other versions of
    an open conflict): the form said "Changed on two computers, neither seeing the
    other's change", and whose version it showed was Boubacar's no longer."""
    a, b, code = _laptops(hq, make_office, tmp_path, monkeypatch)
    monkeypatch.setenv("FIELDPLAN_AUTHOR", "Aminata")
    progress.record_progress(a, code, "2026-S1",
                             achievements="Workshop held in Bamako, then postponed")
    assert sync.conflicts.written_here_only(a, code, "2026-S1") == {"achievements"}
    assert sync.conflicts.written_here_only(b, code, "2026-S1") == frozenset()
    path = a.path
    a.close()
    b.close()
    window = open_window(path)
    editor = choose(window, qtbot, code)
    lines = editor.notice.text().split("\n")
    assert lines[0] == ("Changed on two computers, neither seeing the other's change: "
                        "Percent complete, Status. Both versions are kept; choose one "
                        "in Conflicts.")
    assert lines[1].startswith("Shown here for Percent complete, Status: what "
                               "\u2068Boubacar\u2069 wrote on computer ")
    assert lines[2] == ("Changed twice on this computer, neither change replacing the "
                        "other: Achievements. Both versions are kept; choose one in "
                        "Conflicts.")
    assert len(lines) == 3
