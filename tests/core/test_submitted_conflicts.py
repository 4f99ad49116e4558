"""A submitted report's conflicts: keeping a value changes the report, refused as a
save is until the report is reopened (else it shows, submitted, a value nobody
submitted). Its state in conflict (a change crossed a submission) is settled by keeping
"draft", which reopens it; keeping "submitted" would submit the changes the submission
did not cover (test_sync's test_a_change_made_while_another_laptop_submitted_...)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import progress, sync
from fieldplan.cli import main
from fieldplan.errors import ValidationError
from fieldplan.replica import open_replica
from fieldplan.sync import list_conflicts, resolve_conflict
from fieldplan.sync.conflicts import keep_texts_together
from tests.scenes import laptops_in_conflict

PERIOD = "2026-S1"
REOPEN_FIRST = "is submitted; reopen it before editing"
#: what laptops A and B write of the report in conflict
A_AND_B_WROTE = {"status": "on-track"}, {"status": "at-risk"}


@pytest.fixture(autouse=True)
def _seconds_apart(monkeypatch) -> None:
    """(laptop B writes after A: in the same millisecond their clocks tie, and the
    replica ids, drawn at random, chose the winner)"""
    from tests.scenes import ticking_clock

    ticking_clock(monkeypatch)


def events_of(rep) -> int:
    return rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def submitted_in_conflict(hq, make_office, tmp_path: Path):
    """ML's laptops A and B wrote one report's status differently; A received B's and
    submitted the period (the report shows B's "at risk", submitted)."""
    a, _b, act, _out = laptops_in_conflict(hq, make_office, tmp_path, *A_AND_B_WROTE)
    progress.submit_period(a, PERIOD)
    [conflict] = list_conflicts(a)
    return a, act, conflict


def test_keeping_a_value_of_a_submitted_report_is_refused_until_it_is_reopened(
        hq, make_office, tmp_path: Path) -> None:
    a, act, conflict = submitted_in_conflict(hq, make_office, tmp_path)
    assert conflict.field == "status" and conflict.submitted
    assert conflict.to_dict()["submitted"] is True
    own = next(c for c in conflict.candidates if c.here)
    before = (events_of(a), progress.digest(a))
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(a, conflict.id, own.value_id)
    # the refusal of a save, word for word
    assert str(refused.value) == (f"the report on {act} for 1st semester 2026 is submitted; "
                                  "reopen it before editing")
    with pytest.raises(ValidationError, match=REOPEN_FIRST):
        progress.record_progress(a, act, PERIOD, status="on-track")
    assert (events_of(a), progress.digest(a)) == before
    report = progress.get_report(a, act, PERIOD, "ML")
    assert (report.status, report.state) == ("at-risk", "submitted")
    # reopened: kept as before, the report a draft
    progress.reopen_report(a, act, PERIOD)
    [conflict] = list_conflicts(a)
    assert not conflict.submitted
    resolve_conflict(a, conflict.id, own.value_id)
    report = progress.get_report(a, act, PERIOD, "ML")
    assert (report.status, report.state) == ("on-track", "draft")
    assert list_conflicts(a) == []


def test_conflicts_resolve_says_reopen_it_first_on_one_line(
        hq, make_office, tmp_path: Path, capsys) -> None:
    a, act, conflict = submitted_in_conflict(hq, make_office, tmp_path)
    own = next(c for c in conflict.candidates if c.here)
    path, before = a.path, events_of(a)
    a.close()
    capsys.readouterr()
    assert main(["--db", str(path), "conflicts", "resolve", conflict.id,
                 "--keep", own.value_id]) == 1
    out, err = capsys.readouterr()
    # (with the command that reopens it: the refusal of the core, which the client says
    # beside its Reopen button, named no way out on the command line)
    assert err.strip().splitlines() == [
        f"fieldplan: error: the report on {act} for 1st semester 2026 is submitted; reopen "
        f"it before editing: 'fieldplan progress reopen {act} --period 2026-S1'"]
    assert out == ""
    with open_replica(path) as rep:
        assert events_of(rep) == before and len(list_conflicts(rep)) == 1


def crossed_submission(hq, make_office, tmp_path: Path):
    """Laptop one submitted while laptop two, offline, changed the report: both hold
    the conflict on its state (and laptop two's percent)."""
    one, two = make_office("ML", "one"), make_office("ML", "two")
    act = national(one)
    progress.record_progress(one, act, PERIOD, status="on-track", percent=30)
    send(one, hq, tmp_path)
    send(hq, two, tmp_path)
    progress.submit_period(one, PERIOD)
    progress.record_progress(two, act, PERIOD, percent=77)
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    send(hq, one, tmp_path)
    [conflict] = list_conflicts(one)
    assert conflict.field == "state"
    return one, act, conflict


def test_keeping_submitted_over_a_change_the_submission_did_not_cover_is_refused(
        hq, make_office, tmp_path: Path) -> None:
    one, _act, conflict = crossed_submission(hq, make_office, tmp_path)
    submitted = next(c for c in conflict.candidates if c.value == "submitted")
    before = (events_of(one), progress.digest(one))
    with pytest.raises(ValidationError, match="keep “Draft”, check the report, then "
                                              "submit it again"):
        resolve_conflict(one, conflict.id, submitted.value_id)
    assert (events_of(one), progress.digest(one)) == before


def test_keeping_draft_reopens_the_report_and_it_is_submitted_again_as_any(
        hq, make_office, tmp_path: Path) -> None:
    one, act, conflict = crossed_submission(hq, make_office, tmp_path)
    draft = next(c for c in conflict.candidates if c.value == "draft")
    resolve_conflict(one, conflict.id, draft.value_id)
    assert list_conflicts(one) == []
    report = progress.get_report(one, act, PERIOD, "ML")
    assert (report.state, report.percent) == ("draft", 77)  # (nothing lost)
    progress.submit_period(one, PERIOD)  # seen, and submitted as any report is
    assert progress.get_report(one, act, PERIOD, "ML").state == "submitted"



def _everyone_in_step(hq, laptops, out: Path) -> None:
    for rep in laptops:
        sync.import_bundle(hq, sync.export_bundle(rep, out_dir=out).path)
    back = sync.export_bundle(hq, for_office="ML", out_dir=out).path
    for rep in laptops:
        sync.import_bundle(rep, back)


@pytest.mark.parametrize("how", ["keep", "keep both"])
def test_a_conflict_settled_while_another_laptop_submitted_is_a_conflict_on_its_state(
        hq, make_office, tmp_path: Path, how: str) -> None:
    """Laptop A submitted the period with the conflict open (its report showing B's
    value, the one submitted); laptop B, offline, settled the conflict the other way.
    Every computer then showed the report submitted with the value B kept, which
    nobody submitted, and no conflict. Keeping a value changes the report as a save
    does: with the submission, a conflict on the report's state, and a person
    chooses (test_sync's test_a_change_made_while_another_laptop_submitted_...)."""
    a, b, act, out = laptops_in_conflict(
        hq, make_office, tmp_path, {"status": "on-track", "achievements": "Kayes."},
        {"status": "at-risk", "achievements": "Bamako."}, told="ab")
    progress.submit_period(a, PERIOD)  # B's "at risk" and "Bamako." shown, submitted
    status, text = sorted(list_conflicts(b), key=lambda c: c.field != "status")
    if how == "keep":
        resolve_conflict(b, status.id, next(
            c for c in status.candidates if c.value == "on-track").value_id)
    else:
        keep_texts_together(b, text.id)
    _everyone_in_step(hq, (a, b), out)
    for rep in (a, b, hq):
        conflicts = {c.field: c for c in list_conflicts(rep)}
        assert "state" in conflicts, rep.path.name
        assert sorted(c.value for c in conflicts["state"].candidates) == [
            "draft", "submitted"]
    report = progress.get_report(hq, act, PERIOD, "ML")
    if how == "keep":  # (nothing lost)
        assert report.status == "on-track"
    else:
        assert report.achievements == "Kayes.\n\nBamako."
    assert progress.digest(a) == progress.digest(b) == progress.digest(hq, office="ML")


def test_a_conflict_settled_on_a_draft_changes_no_state(
        hq, make_office, tmp_path: Path) -> None:
    """(no submission crossed it: keeping a value leaves the report a draft, with no
    conflict anywhere)"""
    a, b, act, out = laptops_in_conflict(hq, make_office, tmp_path, *A_AND_B_WROTE,
                                         told="ab")
    [conflict] = list_conflicts(b)
    resolve_conflict(b, conflict.id, conflict.candidates[-1].value_id)
    _everyone_in_step(hq, (a, b), out)
    for rep in (a, b, hq):
        assert list_conflicts(rep) == []
    assert progress.get_report(hq, act, PERIOD, "ML").state == "draft"


# A report the plan hides (an amendment dropped its action, or moved it to another
# level): it is neither written nor reopened (``progress.reopen_report`` refuses it), so
# the rules above would leave its conflict open for good.


@pytest.mark.parametrize("amendment", [{"drop": True}, {"regional": True}])
def test_a_hidden_reports_state_conflict_is_settled_by_keeping_submitted(
        hq, make_office, tmp_path: Path, amendment) -> None:
    from tests.scenes import amend_plan

    one, act, _conflict = crossed_submission(hq, make_office, tmp_path)
    amend_plan(hq, tmp_path, **{k: (act,) for k in amendment})
    send(hq, one, tmp_path)
    [conflict] = list_conflicts(one)
    assert conflict.field == "state" and conflict.hidden and conflict.keepable_by("ML")
    # keeping "draft" would make a draft nobody can write nor submit: refused, in the
    # words a write on it gets
    with pytest.raises(ValidationError) as written:
        progress.record_progress(one, act, PERIOD, percent=80)
    draft = next(c for c in conflict.candidates if c.value == "draft")
    before = (events_of(one), progress.digest(one))
    with pytest.raises(ValidationError) as refused:
        resolve_conflict(one, conflict.id, draft.value_id)
    assert str(refused.value) == str(written.value) == conflict.hidden
    assert (events_of(one), progress.digest(one)) == before
    # keeping "submitted" settles it: nobody edits the report anyway
    submitted = next(c for c in conflict.candidates if c.value == "submitted")
    resolve_conflict(one, conflict.id, submitted.value_id)
    assert list_conflicts(one) == []
    assert progress.get_report(one, act, PERIOD, "ML").state == "submitted"


def test_a_hidden_submitted_reports_value_is_kept_without_reopening_and_travels(
        hq, make_office, tmp_path: Path) -> None:
    from tests.scenes import amend_plan

    # as submitted_in_conflict, laptop B kept
    a, b, act, _out = laptops_in_conflict(hq, make_office, tmp_path, *A_AND_B_WROTE)
    progress.submit_period(a, PERIOD)
    amend_plan(hq, tmp_path, drop=(act,))
    send(hq, a, tmp_path)
    with pytest.raises(ValidationError, match="no longer has action"):
        progress.reopen_report(a, act, PERIOD)
    [conflict] = list_conflicts(a)
    assert conflict.submitted and conflict.hidden and conflict.keepable_by("ML")
    assert conflict.to_dict()["hidden"] is True
    own = next(c for c in conflict.candidates if c.here)
    resolve_conflict(a, conflict.id, own.value_id)
    assert list_conflicts(a) == []
    report = progress.get_report(a, act, PERIOD, "ML")
    assert (report.status, report.state) == ("on-track", "submitted")
    # the resolution is accepted at headquarters and by the office's other laptop:
    # the conflict is settled there too
    for there in (hq, b):
        _result, outcome = send(a, hq, tmp_path) if there is hq else send(hq, b, tmp_path)
        assert outcome.outcome == "merged"
        assert list_conflicts(there) == []
        assert progress.get_report(there, act, PERIOD, "ML").status == "on-track"


def test_conflicts_list_says_why_no_value_is_kept_and_that_none_can_be_here_now(
        hq, make_office, tmp_path: Path, capsys) -> None:
    import json

    a, act, _conflict = submitted_in_conflict(hq, make_office, tmp_path)
    path = a.path
    a.close()

    def listed() -> tuple[list[str], dict]:
        capsys.readouterr()
        assert main(["--db", str(path), "conflicts", "list"]) == 0
        text = capsys.readouterr().out.splitlines()
        assert main(["--db", str(path), "--json", "conflicts", "list"]) == 0
        [item] = json.loads(capsys.readouterr().out)
        return text, item

    text, item = listed()
    # the note 'conflicts resolve' refuses with, once, with the command that reopens it
    reopen = f"'fieldplan progress reopen {act} --period 2026-S1'"
    assert [line.strip() for line in text if "reopen" in line] == [
        f"the report on {act} for 1st semester 2026 is submitted; reopen it before editing: "
        f"{reopen}"]
    assert (item["submitted"], item["resolvable_here"]) == (True, False)
    with open_replica(path) as rep:
        progress.reopen_report(rep, act, PERIOD)
    text, item = listed()
    assert not any("reopen" in line for line in text)
    assert (item["submitted"], item["resolvable_here"]) == (False, True)


def test_conflicts_list_of_a_state_conflict_and_of_a_hidden_report(
        hq, make_office, tmp_path: Path, capsys) -> None:
    import json

    from tests.scenes import amend_plan

    one, act, _conflict = crossed_submission(hq, make_office, tmp_path)
    capsys.readouterr()
    assert main(["--db", str(one.path), "conflicts", "list"]) == 0
    out = capsys.readouterr().out
    # "Draft" can be kept (it reopens the report), "Submitted" cannot: said
    assert "keep “Draft”, check the report, then submit it again" in out
    assert main(["--db", str(one.path), "--json", "conflicts", "list"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["resolvable_here"] is True
    amend_plan(hq, tmp_path, drop=(act,))
    send(hq, one, tmp_path)
    assert main(["--db", str(one.path), "conflicts", "list"]) == 0
    out = capsys.readouterr().out
    assert "no longer has action" in out and "keep “Draft”" not in out
    assert main(["--db", str(one.path), "--json", "conflicts", "list"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert (item["hidden"], item["resolvable_here"]) == (True, True)


def test_listing_conflicts_reads_a_reports_state_without_its_other_fields(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Whether a conflict's report is submitted came from the report's every field
    (its narratives read and parsed), once per conflict: most of the seconds a listing
    of tens of thousands took at headquarters, at every change. Its state's heads
    alone say it, once per report; submitted or reopened, as before."""
    from fieldplan import events

    a, act, _conflict = submitted_in_conflict(hq, make_office, tmp_path)

    real = events.entity_state

    def every_field(conn, entity, entity_id, **kwargs):
        assert entity != "progress", "a report's every field read to know its state"
        return real(conn, entity, entity_id, **kwargs)

    monkeypatch.setattr(events, "entity_state", every_field)
    [conflict] = list_conflicts(a)
    assert conflict.submitted
    monkeypatch.undo()
    progress.reopen_report(a, act, PERIOD)
    monkeypatch.setattr(events, "entity_state", every_field)
    [conflict] = list_conflicts(a)
    assert not conflict.submitted
