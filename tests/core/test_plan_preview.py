"""What a plan file would change, said before anything is written (planops.preview_plan,
for the client's question before it replaces the plan): the same checks and the same
count of what it hides as the import itself, which installs the plan the person was
shown (install_plan) and checks again as it writes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fieldplan.errors import FileError, PlanError, ValidationError
from fieldplan.plan import MAX_PLAN_EVENT_BYTES, Text, dump_plan, load_plan
from fieldplan.plan_diff import PlanDiff
from fieldplan.planops import (
    Hidden,
    PlanChange,
    PlanHidesReportsError,
    install_plan,
    preview_plan,
    read_plan_file,
    replace_plan,
    write_plan_file,
)
from tests.core.test_plan_faults import amended, cut_csv, snapshot


@pytest.fixture
def reported(hq, make_office, tmp_path: Path):
    """HQ holding Mali's 2025-S2 reports on every national action."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    for action in ml.plan().actions_of(level="national"):
        progress.record_progress(ml, action.code, "2025-S2", status="on-track")
    out = tmp_path / "out"
    out.mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=out).path).outcome == "merged"
    return hq


def test_the_preview_says_what_the_import_would_hide_and_writes_nothing(reported, tmp_path):
    path = cut_csv(amended(reported.plan()), tmp_path / "cut.csv", before="PA2.1")
    before = snapshot(reported)
    new = read_plan_file(path)
    change = preview_plan(reported, new, path.name)
    assert snapshot(reported) == before  # no backup, no row
    assert not change.unchanged
    assert change.plan == new and change.installed == reported.plan()
    # Mali's 2025-S2 reports on the nine national actions of PA2-PA4
    assert change.hidden.actions[:2] == ("PA2.1", "PA2.2") and len(change.hidden.actions) == 9
    assert change.reports == 9
    # what the import refuses without allow_hiding is what the preview said
    with pytest.raises(PlanHidesReportsError) as caught:
        replace_plan(reported, path)
    assert caught.value.hidden == change.hidden
    assert snapshot(reported) == before


def test_installing_the_plan_shown_hides_what_was_said(reported, tmp_path):
    path = cut_csv(amended(reported.plan()), tmp_path / "cut.csv", before="PA2.1")
    change = preview_plan(reported, read_plan_file(path), path.name)
    path.write_text("not the plan that was shown", encoding="utf-8")  # not read again
    result = install_plan(reported, change.plan, path.name, allow_hiding=True)
    assert reported.plan() == change.plan and result["version"] == 2
    assert result["newly_hidden"]["actions"] == list(change.hidden.actions)
    assert result["backup"] is not None


def test_a_plan_that_hides_nothing_is_previewed_as_such(hq, tmp_path):
    plan = hq.plan()
    new = amended(plan, actions=(dataclasses.replace(plan.actions[0], title=Text(en="New")),
                                 *plan.actions[1:]))
    change = preview_plan(hq, new, "v2.json")
    assert change == PlanChange(new, plan, unchanged=False, hidden=Hidden(), reports=0,
                                diff=PlanDiff(actions_retitled=(plan.actions[0].code,),
                                              texts_changed=(plan.actions[0].code,)),
                                untranslated=(plan.actions[0].code,))


def test_the_installed_plan_is_previewed_unchanged(hq, tmp_path):
    path = tmp_path / "current.csv"
    write_plan_file(hq.plan(), path)  # as 'plan export' writes it
    change = preview_plan(hq, read_plan_file(path), path.name)
    assert change.unchanged and not change.hidden and change.reports == 0
    assert install_plan(hq, change.plan, path.name)["unchanged"] is True


@pytest.mark.parametrize("edit, message", [
    ({"id": "another-plan"}, "current.json is plan 'another-plan'; this database holds "
                             "'iom-oic-poa-2025-2027'"),
    ({"version": 1, "signed_place": "Elsewhere"},
     "current.json has version 1; an amendment needs a version above 1"),
    # a plan id of 5,000 characters (a cell pasted into the id): cut, one short line
    ({"id": "a" * 5000}, "current.json is plan '" + "a" * 79 + "…'; this database "
                         "holds 'iom-oic-poa-2025-2027'"),
])
def test_the_preview_refuses_what_the_import_refuses(hq, edit, message):
    new = dataclasses.replace(hq.plan(), **edit)
    before = snapshot(hq)
    with pytest.raises(ValidationError) as caught:
        preview_plan(hq, new, "current.json")
    assert str(caught.value) == message
    assert snapshot(hq) == before


def test_an_office_cannot_preview_a_plan(hq, make_office):
    ml = make_office("ML")
    with pytest.raises(ValidationError, match="only headquarters can replace the plan"):
        preview_plan(ml, amended(ml.plan()), "v2.csv")


def test_a_plan_installed_meanwhile_is_checked_again_at_install(hq, tmp_path):
    """Another fieldplan installs version 2 while the person reads the question about
    this version 2: installing it is refused, and nothing more is written."""
    mine = amended(hq.plan(), signed_place="Here")
    assert not preview_plan(hq, mine, "mine.json").unchanged
    theirs = tmp_path / "theirs.json"
    dump_plan(amended(hq.plan(), signed_place="There"), theirs)
    replace_plan(hq, theirs)
    before = snapshot(hq)
    with pytest.raises(ValidationError, match="an amendment needs a version above 2"):
        install_plan(hq, mine, "mine.json")
    assert snapshot(hq) == before


def test_reading_a_plan_file_checks_it_whole(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"', encoding="utf-8")
    with pytest.raises(PlanError, match=r"^bad\.json: JSON syntax error"):
        read_plan_file(bad)
    plan = load_plan(Path(__file__).resolve().parents[2] / "resources" / "plan" / "plan.toml")
    long = dataclasses.replace(plan, actions=tuple(
        dataclasses.replace(a, description=Text(en="x" * (MAX_PLAN_EVENT_BYTES // 20)))
        for a in plan.actions))
    big = tmp_path / "big.json"
    dump_plan(long, big)
    with pytest.raises(PlanError, match=r"^big\.json: the plan takes .* KB once packed"):
        read_plan_file(big)


def test_writing_a_plan_file_never_replaces_a_database_or_a_backup(hq, tmp_path):
    """As 'plan export' refuses them: a name that is no plan format (the database's
    own), a database under a plan's name, the backups folder."""
    from fieldplan import store

    before = snapshot(hq)
    with pytest.raises(PlanError, match=r"unknown plan file type '\.sqlite3'"):
        write_plan_file(hq.plan(), hq.path)
    disguised = tmp_path / "other.csv"
    disguised.write_bytes(hq.path.read_bytes()[:4096])
    with pytest.raises(FileError, match="it is a database"):
        write_plan_file(hq.plan(), disguised)
    hq.backup("test")
    with pytest.raises(FileError, match="holds fieldplan's backups"):
        write_plan_file(hq.plan(), store.backup_dir(hq.path) / "plan.csv")
    assert disguised.read_bytes() == hq.path.read_bytes()[:4096]
    assert list(hq.conn.iterdump()) == before[0]


def test_the_parts_name_everything_when_asked():
    hidden = Hidden(actions=tuple(f"PA1.{i}" for i in range(1, 11)), periods=("2025-S2",))
    assert hidden.parts() == [
        "reports on 10 actions it does not have (PA1.1, PA1.2, PA1.3, PA1.4, PA1.5, PA1.6, "
        "PA1.7, PA1.8 and 2 more)",
        "reports for 1 period outside its dates (2025-S2)"]
    assert hidden.parts(shown=None)[0].endswith("PA1.8, PA1.9, PA1.10)")
    assert hidden.describe() == "; ".join(hidden.parts())
