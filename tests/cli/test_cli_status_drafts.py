"""``fieldplan status`` says how many of the reports it counts are drafts, as the review
pack's cover, the status sheet and the client's Overview and dashboard say them apart
(a draft is not reported yet): "Reports: 35" of an office whose two drafts the pack
counted as not submitted gave an officer comparing them one number for both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan import progress
from tests.cli.test_cli_messages import run

PERIOD = "2026-S1"


@pytest.fixture
def office(tmp_path: Path) -> str:
    """Office BN: three reports submitted, then one of them reopened and a fourth
    written: two submitted, two drafts. Returns its database."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    setup, bn = tmp_path / "setup.fieldplan", tmp_path / "bn.sqlite3"
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "BN", setup)
    with init_from_setup(bn, setup) as rep:
        first, second, third, fourth = (
            a.code for a in rep.plan().actions_of(level="national")[:4])
        for code in (first, second, third):
            progress.record_progress(rep, code, PERIOD, status="on-track")
        progress.submit_period(rep, PERIOD)
        progress.reopen_report(rep, first, PERIOD)
        progress.record_progress(rep, fourth, PERIOD, status="at-risk")
    return str(bn)


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Reports: 4; 2 drafts not yet submitted"),
    ("fr", "Rapports\u00a0: 4\u00a0; 2\u00a0brouillons pas encore soumis"),
])
def test_status_says_the_drafts_apart(office, capsys, lang, said) -> None:
    code, out, _err = run("--db", office, "--lang", lang, "status", capsys=capsys)
    assert code == 0
    # (the French catalog's spaces: whichever it writes, the words and figures read so)
    line = next(x for x in out.splitlines() if x.startswith(said.split(":")[0][:7]))
    assert " ".join(line.replace("\u00a0", " ").split()) == " ".join(
        said.replace("\u00a0", " ").split())
    code, out, _err = run("--db", office, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert (status["reports"], status["draft_reports"]) == (4, 2)


def test_status_says_nothing_of_drafts_when_there_are_none(office, capsys) -> None:
    from fieldplan.replica import open_replica

    with open_replica(office) as rep:
        progress.submit_period(rep, PERIOD)
    code, out, _err = run("--db", office, "status", capsys=capsys)
    assert code == 0 and "Reports: 4\n" in out and "draft" not in out


def test_a_draft_the_plan_hides_is_not_said_to_wait_for_submission(hq, tmp_path: Path,
                                                                      capsys) -> None:
    """A draft an amendment hides stays a draft for good (``progress submit`` leaves
    it, and nobody can write it): the Reports line said "1 draft not yet submitted" of
    it after the period was submitted, a task no command can do, where the review pack
    leaves it out with the hidden reports. It is counted among those."""
    from tests.scenes import amend_plan

    first, second = (a.code for a in hq.plan().actions_of(level="global")[:2])
    for code in (first, second):
        progress.record_progress(hq, code, PERIOD, status="on-track")
    amend_plan(hq, tmp_path, drop=(first,))
    progress.submit_period(hq, PERIOD)
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0 and "Reports: 2 held, 1 of them hidden by the plan\n" in out
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert (status["reports"], status["hidden_reports"], status["draft_reports"]) == (2, 1, 0)


def test_drafts_of_a_period_headquarters_locked_are_said_stuck(hq, make_office, tmp_path: Path,
                                                              capsys) -> None:
    """An office that received headquarters' lock of a period its drafts are in was told
    "10 drafts not yet submitted" (Mali in the 57-office demo), as if it could still
    submit them: it is told they will not be submitted unless headquarters unlocks the
    period, and ``--json`` counts them by period (``draft_reports`` still counts all)."""
    from fieldplan.sync import export_bundle, import_bundle

    def send(src, dst) -> None:
        import_bundle(dst, export_bundle(src, for_office=None if not src.is_hq else dst.office,
                                         out_dir=tmp_path).path)

    ml = make_office("ML")
    first, second, third = (a.code for a in ml.plan().actions_of(level="national")[:3])
    progress.record_progress(ml, first, "2026-S1", status="on-track")
    for code in (second, third):
        progress.record_progress(ml, code, "2026-S2", status="at-risk")
    send(ml, hq)
    progress.set_period_lock(hq, "2026-S2")
    send(hq, ml)
    db = str(ml.path)
    ml.close()
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0
    assert ("Reports: 3; 1 draft not yet submitted; 2 drafts left when 2nd semester 2026 "
            "was locked: they will not be submitted unless headquarters unlocks the "
            "period\n") in out
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert (status["draft_reports"], status["locked_drafts"]) == (3, {"2026-S2": 2})


def test_headquarters_own_drafts_are_said_apart(hq, make_office, tmp_path: Path,
                                                capsys) -> None:
    """At headquarters the Reports line said every draft as one count ("507 drafts left
    when 2nd semester 2026 was locked") where the lock check had said the offices' (504)
    and headquarters' own (3) apart, and the review pack's cover does: it says how many
    are headquarters' own, of the drafts of a locked period and of the others, and
    ``--json`` counts them (``hq_drafts``, ``locked_hq_drafts``); found by QA (a
    semester review at a headquarters of 57 offices)."""
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    first, second = (a.code for a in ml.plan().actions_of(level="national")[:2])
    for period in ("2026-S1", "2026-S2"):
        for code in (first, second):
            progress.record_progress(ml, code, period, status="at-risk")
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    own = hq.plan().actions_of(level="global")[0].code
    for period in ("2026-S1", "2026-S2"):
        progress.record_progress(hq, own, period, status="on-track")
    progress.set_period_lock(hq, "2026-S2")
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0
    assert ("Reports: 6; 3 drafts not yet submitted, 1 of them headquarters' own; "
            "3 drafts left when 2nd semester 2026 was locked, 1 of them headquarters' "
            "own: they will not be submitted unless headquarters unlocks the period\n") in out
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert (status["draft_reports"], status["locked_drafts"], status["hq_drafts"],
            status["locked_hq_drafts"]) == (6, {"2026-S2": 3}, 2, {"2026-S2": 1})


def _office_with_drafts_hidden_after_a_lock(hq, make_office, tmp_path: Path):
    """Headquarters locked 2026-S1; ML, not having received the lock, wrote drafts on
    its first two national actions for it and exported; headquarters' amendment then
    dropped the second, and ML received both. Returns ML and the two actions."""
    from fieldplan.sync import export_bundle, import_bundle
    from tests.scenes import amend_plan

    ml = make_office("ML")
    shown, dropped = (a.code for a in ml.plan().actions_of(level="national")[:2])
    progress.set_period_lock(hq, PERIOD)
    for code in (shown, dropped):
        progress.record_progress(ml, code, PERIOD, status="at-risk")
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    amend_plan(hq, tmp_path, drop=(dropped,))
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    assert ml.plan().version == 2 and progress.is_locked(ml, PERIOD)
    return ml, shown, dropped


def test_an_office_does_not_count_a_draft_the_plan_hides(hq, make_office,
                                                        tmp_path: Path, capsys) -> None:
    """At an office as at headquarters, a draft an amendment hides is counted with the
    hidden reports, not among the drafts not yet submitted (which ``progress submit``
    and the review pack leave it out of)."""
    from fieldplan.sync import export_bundle, import_bundle
    from tests.scenes import amend_plan

    ml = make_office("ML")
    shown, dropped = (a.code for a in ml.plan().actions_of(level="national")[:2])
    for code in (shown, dropped):
        progress.record_progress(ml, code, PERIOD, status="on-track")
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    amend_plan(hq, tmp_path, drop=(dropped,))
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    db = str(ml.path)
    ml.close()
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0
    assert ("Reports: 2 held, 1 of them hidden by the plan; 1 draft not yet submitted\n"
            in out)
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    status = json.loads(out)
    assert (status["reports"], status["hidden_reports"], status["draft_reports"]) == (2, 1, 1)


def test_a_hidden_draft_changed_after_a_lock_is_not_said_to_wait_for_an_unlock(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """An office's draft changed after headquarters' lock, then hidden by an amendment,
    was named in status's warning "headquarters must unlock the period for it to be
    submitted": unlocked or not, nothing submits a draft the plan hides (``progress
    submit`` leaves it). The warning names the draft the plan shows only; ``--json``
    says which of the reports changed after the lock the plan hides."""
    ml, shown, dropped = _office_with_drafts_hidden_after_a_lock(hq, make_office, tmp_path)
    db = str(ml.path)
    ml.close()
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0
    warnings = [line for line in out.splitlines() if "after the lock" in line]
    assert warnings == [
        f"Warning: 1st semester 2026 locked by headquarters; 1 report of this office "
        f"changed after the lock: {shown}; headquarters must unlock the period for it to "
        f"be submitted"]
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    changed = json.loads(out)["changed_after_lock"][PERIOD]
    assert [(c["action"], c["state"], c["hidden"]) for c in changed] == [
        (shown, "draft", False), (dropped, "draft", True)]


def test_the_editor_of_a_hidden_draft_changed_after_a_lock_has_no_warning(
        hq, make_office, tmp_path: Path) -> None:
    """The report editor's warning of a report changed after the lock (status's words)
    said of the hidden draft that headquarters must unlock the period for it to be
    submitted: it says nothing of it, and still warns of the draft the plan shows."""
    from ui.report_editor import after_lock_text

    ml, shown, dropped = _office_with_drafts_hidden_after_a_lock(hq, make_office, tmp_path)
    assert after_lock_text(ml, dropped, PERIOD, "ML") == ""
    assert after_lock_text(ml, shown, PERIOD, "ML").endswith(
        "headquarters must unlock the period for it to be submitted")
