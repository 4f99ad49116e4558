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
    from tests.scenes import laptops_in_conflict

    return laptops_in_conflict(hq, make_office, tmp_path,
                               {"status": "on-track", "achievements": a_text},
                               {"status": "on-track", "achievements": b_text}, told="ab")


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
    from tests.scenes import laptops_in_conflict

    a, _b, _code, _out = laptops_in_conflict(hq, make_office, tmp_path, {"status": "on-track"},
                                             {"status": "at-risk"}, sent="b")
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


def three_laptops(hq, make_office, tmp_path, texts=("Workshop held in Bamako.",
                                                   "Consultations in Kayes.",
                                                   "Radio spots in Mopti.")):
    """Laptop A of ML, holding three laptops' achievements of one report."""
    laptops = [make_office("ML", f"ml-{n}") for n in "abc"]
    code = laptops[0].plan().actions_of(level="national")[0].code
    for laptop, text in zip(laptops, texts, strict=True):
        progress.record_progress(laptop, code, "2026-S1", status="on-track",
                                 achievements=text)
    out = tmp_path / "three"
    out.mkdir()
    for laptop in laptops[1:]:
        sync.import_bundle(hq, sync.export_bundle(laptop, out_dir=out).path)
    sync.import_bundle(laptops[0], sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    return laptops[0], code


@pytest.mark.parametrize(("longer", "shorter", "held"), [
    ("None of the trainers came.", "No", False),
    ("No challenges this semester.", "No", False),
    ("Roads cut by floods in May.", "Roads cut", False),
    ("Funding late. More to come.", "Funding late.", True),
    ("Workshop held in Bamako.\n\nConsultations in Kayes.", "Consultations in Kayes.", True),
    ("Workshop held\nin Bamako.  And Kayes.", "Workshop held in Bamako.", True),
    ("In Kayes:\nRoads cut\nBridges down", "Roads cut", True),
    ("Workshop held in Bamako.\nAnd Kayes.", "Workshop held   in Bamako.", True),
    ("We met them. No", "No", True),
    ("Budget was 2.5 million.", "Budget was 2.", False),
])
def test_a_text_is_held_only_as_whole_sentences_or_lines(longer, shorter, held):
    """A laptop's "No" was "held" in the other's "None of the trainers came": Keep
    both was not offered, the command refused it as "not between texts", and keeping
    the longer text lost what the short one said. Only whole sentences or lines count,
    spaces and line breaks aside."""
    from fieldplan.sync.conflicts import holds_whole

    assert holds_whole(longer, shorter) is held


def test_a_short_answer_inside_a_word_of_the_other_is_kept_too(hq, make_office, tmp_path):
    a, _b, code, _out = _in_conflict(hq, make_office, tmp_path, a_text="No",
                                     b_text="None of the trainers came.")
    [conflict] = sync.list_conflicts(a)
    together = texts_together(conflict)
    assert sorted(together.split("\n\n")) == ["No", "None of the trainers came."]
    keep_texts_together(a, conflict.id)
    assert progress.get_report(a, code, "2026-S1", "ML").achievements == together


def test_texts_apart_by_their_spaces_alone_are_one(hq, make_office, tmp_path):
    a, _b, _code, _out = _in_conflict(hq, make_office, tmp_path,
                                      a_text="Workshop held in Bamako.",
                                      b_text="Workshop held\nin  Bamako.")
    [conflict] = sync.list_conflicts(a)
    assert texts_together(conflict) == ""  # (one text: keep it, not both nor none)


def test_three_texts_are_counted(hq, make_office, tmp_path):
    from fieldplan.sync.conflicts import texts_kept

    a, _code = three_laptops(hq, make_office, tmp_path)
    [conflict] = [c for c in sync.list_conflicts(a) if c.field == "achievements"]
    assert len(texts_kept(conflict)) == 3


def test_a_hidden_reports_texts_are_not_kept_together(hq, make_office, tmp_path):
    """The Conflicts page offers no Keep both on a report the plan hides (nobody edits
    it); the command wrote the texts together there all the same. Refused now, in one
    sentence saying why, and nothing changes; keeping one version still settles it."""
    from tests.scenes import amend_plan

    a, _b, code, out = _in_conflict(hq, make_office, tmp_path)
    amend_plan(hq, tmp_path, drop=(code,))
    sync.import_bundle(a, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    [conflict] = [c for c in sync.list_conflicts(a) if c.field == "achievements"]
    assert conflict.hidden and texts_together(conflict)
    before = progress.digest(a)
    with pytest.raises(ValidationError, match="cannot be kept together") as refused:
        keep_texts_together(a, conflict.id)
    assert str(refused.value).startswith(conflict.hidden) and "\n" not in str(refused.value)
    assert progress.digest(a) == before
    sync.resolve_conflict(a, conflict.id, conflict.candidates[0].value_id)
    assert [c for c in sync.list_conflicts(a) if c.field == "achievements"] == []
