"""Two laptops of one office wrote a report's narrative differently: keeping both texts
settles the conflict on every computer, and neither laptop's words are lost."""

from __future__ import annotations

import pytest

from fieldplan import progress
from fieldplan.errors import ValidationError

sync = pytest.importorskip("fieldplan.sync")
from fieldplan.sync.conflicts import keep_texts_together, texts_together  # noqa: E402


def _in_conflict(hq, make_office, tmp_path, a_text="Workshop held in Bamako.",
                 b_text="Consultations in Kayes."):
    from tests.scenes import laptops_told_by_hq

    return laptops_told_by_hq(hq, make_office, tmp_path,
                              {"status": "on-track", "achievements": a_text},
                              {"status": "on-track", "achievements": b_text})


def test_both_texts_are_kept_and_travel(hq, make_office, tmp_path):
    a, b, code, out = _in_conflict(hq, make_office, tmp_path)
    [conflict] = sync.list_conflicts(a)
    assert texts_together(conflict) == "Workshop held in Bamako.\n\nConsultations in Kayes."
    keep_texts_together(a, conflict.id)
    assert sync.list_conflicts(a) == []
    sync.import_bundle(hq, sync.export_bundle(a, out_dir=out).path)
    sync.import_bundle(b, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    for rep in (a, b, hq):
        assert sync.list_conflicts(rep) == []
        assert progress.get_report(rep, code, "2026-S1", "ML").achievements == (
            "Workshop held in Bamako.\n\nConsultations in Kayes.")
    assert progress.digest(a) == progress.digest(b) == progress.digest(hq, "ML")


def test_a_text_held_in_the_other_is_not_said_twice(hq, make_office, tmp_path):
    a, _b, _code, _out = _in_conflict(hq, make_office, tmp_path,
                                      b_text="Workshop held in Bamako. And Kayes.")
    [conflict] = sync.list_conflicts(a)
    assert texts_together(conflict) == ""  # (one text holds the other: keep that one)
    with pytest.raises(ValidationError, match="not between texts"):
        keep_texts_together(a, conflict.id)


def test_a_status_conflict_has_no_texts_together(hq, make_office, tmp_path):
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    progress.record_progress(a, code, "2026-S1", status="on-track")
    progress.record_progress(b, code, "2026-S1", status="at-risk")
    sync.import_bundle(hq, sync.export_bundle(b, out_dir=tmp_path).path)
    sync.import_bundle(a, sync.export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    [conflict] = sync.list_conflicts(a)
    assert texts_together(conflict) == ""
    with pytest.raises(ValidationError):
        keep_texts_together(a, conflict.id)


def test_too_long_together_is_refused_and_nothing_changes(hq, make_office, tmp_path):
    a, _b, _code, _out = _in_conflict(hq, make_office, tmp_path, a_text="a" * 15_000,
                                      b_text="b" * 15_000)
    [conflict] = sync.list_conflicts(a)
    with pytest.raises(ValidationError, match="longer than"):
        keep_texts_together(a, conflict.id)
    assert [c.id for c in sync.list_conflicts(a)] == [conflict.id]


def test_a_submitted_report_is_reopened_first(hq, make_office, tmp_path):
    a, _b, _code, _out = _in_conflict(hq, make_office, tmp_path)
    progress.submit_period(a, "2026-S1")
    [conflict] = sync.list_conflicts(a)
    with pytest.raises(ValidationError, match="reopen"):
        keep_texts_together(a, conflict.id)
