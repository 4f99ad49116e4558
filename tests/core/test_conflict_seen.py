"""A conflict settled against what the person was shown: a third computer's version,
of another value, that arrived (by an import) after the conflict was shown is not
replaced unseen by the value kept; a conflict settled meanwhile is said to be."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.errors import ValidationError
from fieldplan.sync import list_conflicts, resolve_conflict
from fieldplan.sync.conflicts import keep_texts_together
from tests.scenes import laptops_in_conflict, send


def _third_arrives(hq, make_office, tmp_path: Path, a: dict, b: dict, c: dict):
    """ML's laptops A and B in conflict, A holding it; the conflict as A shows it;
    then laptop C's version (``c``, written unseen too) reaches A through HQ."""
    third = make_office("ML", "ml-c")  # (set up before: it has seen neither)
    scene = laptops_in_conflict(hq, make_office, tmp_path, a, b)
    [shown] = list_conflicts(scene.a)
    progress.record_progress(third, scene.code, "2026-S1", **c)
    send(third, hq, tmp_path)
    send(hq, scene.a, tmp_path)
    return scene.a, shown


def _events(rep) -> int:
    return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_a_value_that_arrived_after_the_conflict_was_shown_is_not_replaced_unseen(
        hq, make_office, tmp_path: Path) -> None:
    a, shown = _third_arrives(hq, make_office, tmp_path, {"status": "on-track"},
                              {"status": "at-risk"}, {"status": "off-track"})
    assert sorted(c.value for c in shown.candidates) == ["at-risk", "on-track"]
    keep = next(c for c in shown.candidates if c.value == "on-track")
    before = _events(a)
    with pytest.raises(ValidationError, match="arrived since the conflict was shown"):
        resolve_conflict(a, shown.id, keep.value_id, shown)
    assert _events(a) == before
    [now] = list_conflicts(a)
    assert sorted(c.value for c in now.candidates) == ["at-risk", "off-track", "on-track"]
    # shown again, with the third value: kept
    resolve_conflict(a, now.id, keep.value_id, now)
    assert list_conflicts(a) == []
    assert progress.get_report(a, shown.action, "2026-S1").status == "on-track"


def test_a_version_of_a_value_shown_that_arrived_meanwhile_is_replaced_with_it(
        hq, make_office, tmp_path: Path) -> None:
    """A third laptop that wrote a value already shown adds nothing to choose from."""
    a, shown = _third_arrives(hq, make_office, tmp_path, {"status": "on-track"},
                              {"status": "at-risk"}, {"status": "at-risk"})
    keep = next(c for c in shown.candidates if c.value == "on-track")
    resolve_conflict(a, shown.id, keep.value_id, shown)
    assert list_conflicts(a) == []


def test_texts_kept_together_are_not_joined_with_a_text_that_arrived_unseen(
        hq, make_office, tmp_path: Path) -> None:
    a, shown = _third_arrives(hq, make_office, tmp_path, {"achievements": "Roads cut."},
                              {"achievements": "Two trainings held."},
                              {"achievements": "Office moved."})
    with pytest.raises(ValidationError, match="arrived since the conflict was shown"):
        keep_texts_together(a, shown.id, shown)
    [now] = list_conflicts(a)
    keep_texts_together(a, now.id, now)
    assert "Office moved." in progress.get_report(a, shown.action, "2026-S1").achievements


def test_a_conflict_settled_since_it_was_shown_says_so(hq, make_office,
                                                        tmp_path: Path) -> None:
    """Laptop B kept a value, and its resolution reached A while A's page showed the
    conflict: A is told it was settled, not to look at 'fieldplan conflicts list'."""
    scene = laptops_in_conflict(hq, make_office, tmp_path, told="ab")
    [shown] = list_conflicts(scene.a)
    [at_b] = list_conflicts(scene.b)
    resolve_conflict(scene.b, at_b.id, at_b.candidates[1].value_id)
    send(scene.b, hq, tmp_path)
    send(hq, scene.a, tmp_path)
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(scene.a, shown.id, shown.candidates[0].value_id, shown)
    assert str(refused.value) == (
        "this conflict was settled since it was shown (on another computer, or here a "
        "moment ago): nothing was changed")
    # with no conflict shown (a command), as before
    with pytest.raises(ValidationError, match="no open conflict"):
        resolve_conflict(scene.a, shown.id, shown.candidates[0].value_id)
