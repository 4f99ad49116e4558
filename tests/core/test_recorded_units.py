"""A value typed under a plan version whose unit for its indicator was another (people,
then households) is shown and printed in the unit it was typed in, never in the new
one: a signed status sheet printed "1,000 of 1,200 households" for figures typed as
people. Found by QA (plan-update journey)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.plan import dump_plan
from fieldplan.planops import replace_plan
from fieldplan.recorded_units import RecordedUnit, recorded_units
from fieldplan.reports import build_review_pack, build_status_sheet
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"


def pdf_text(path: Path) -> str:
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(raw.split())


def households(plan, version: int | None = None):
    """``plan`` with PA4.1/people-assisted counted in households, as a later version."""
    actions = tuple(dataclasses.replace(a, indicators=tuple(
        dataclasses.replace(i, unit="households") if (a.code, i.key) == (
            "PA4.1", "people-assisted") else i for i in a.indicators))
        for a in plan.actions)
    return dataclasses.replace(plan, version=version or plan.version + 1, actions=actions)


@pytest.fixture
def changed(hq, tmp_path):
    """Uganda reported 2026-S1 (PA4.1/people-assisted: a figure in people); then HQ
    installed a version counting it in households."""
    write_progress(hq, "UG", PERIOD)
    path = tmp_path / "v2.json"
    dump_plan(households(hq.plan()), path)
    replace_plan(hq, path)
    hq.conn.commit()
    return hq


def test_a_value_typed_before_the_unit_changed_keeps_its_unit(changed) -> None:
    found = recorded_units(changed, period=PERIOD, office="UG")
    assert list(found) == [("UG", "PA4.1", PERIOD, "people-assisted")]
    assert found[("UG", "PA4.1", PERIOD, "people-assisted")] == RecordedUnit("people", version=1)
    # of other periods and offices: none
    assert recorded_units(changed, period="2025-S2") == {}
    assert recorded_units(changed, office="ML") == {}


def test_a_value_typed_again_is_in_the_new_unit(changed) -> None:
    from fieldplan import events, store

    with store.write_transaction(changed.conn):
        events.append(changed.conn, "progress", f"UG|PA4.1|{PERIOD}",
                      {"value.people-assisted": 40}, author="ug.officer")
    assert recorded_units(changed, period=PERIOD) == {}


def test_no_change_of_unit_lists_nothing(hq) -> None:
    write_progress(hq, "UG", PERIOD)
    assert recorded_units(hq) == {}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_status_sheet_and_review_pack_print_the_unit_typed_in(changed, tmp_path) -> None:
    ind = changed.plan().action("PA4.1").indicators[0]
    assert ind.key == "people-assisted" and ind.unit == "households"
    target = ind.target_for(PERIOD)
    said = (f"3 people (recorded under plan version 1; the unit is now households, "
            f"target {target:,.0f})")
    text = pdf_text(build_status_sheet(changed, PERIOD, "UG", out=tmp_path / "s.pdf"))
    assert said in text
    pack = pdf_text(build_review_pack(changed, PERIOD, tmp_path / "p.pdf"))
    assert said in pack


def test_the_xlsx_indicators_sheet_gives_the_unit_and_target_typed_in(changed) -> None:
    """The workbook's indicators sheet gave the value typed as 3 people the unit
    households and the households target: a pivot by unit added it to households."""
    from fieldplan import tabular

    rows = {(r["office"], r["action"], r["indicator"]): r for r in tabular.indicator_rows(
        changed, tabular.rows(changed, "fr", PERIOD), "fr")}
    row = rows[("UG", "PA4.1", "people-assisted")]
    from fieldplan.planops import plan_documents

    v1 = next(d for d in plan_documents(changed) if d["plan"]["version"] == 1)
    [ind] = [i for a in v1["actions"] if a["code"] == "PA4.1" for i in a["indicators"]
             if i["key"] == "people-assisted"]
    then_target = ind["targets"].get(PERIOD, ind["target"])
    assert (row["unit"], row["value"], row["unit_name"]) == ("people", 3, "personnes")
    assert row["target"] == then_target
    assert row["indicator_title"] == changed.plan().action("PA4.1").indicators[0].title.fr
    # the other indicators keep the plan's unit
    assert rows[("UG", "PA4.2", "officials-trained")]["unit"] == "people"


def test_the_same_figure_typed_again_is_recorded_in_the_new_unit(hq, make_office,
                                                                 tmp_path) -> None:
    """An officer who checks the figure and types it again, now meaning households,
    wrote nothing (the same number): it went on reading as people."""
    from fieldplan import events
    from fieldplan.progress import record_progress
    from fieldplan.sync import export_bundle, import_bundle

    ug = make_office("UG")
    record_progress(ug, "PA4.1", PERIOD, values={"people-assisted": 750})
    path = tmp_path / "v2.json"
    dump_plan(households(hq.plan()), path)
    replace_plan(hq, path)
    hq.conn.commit()
    out = tmp_path / "to-ug"
    out.mkdir()
    import_bundle(ug, export_bundle(hq, for_office="UG", out_dir=out).path)
    assert ug.plan().action("PA4.1").indicators[0].unit == "households"
    assert recorded_units(ug) == {
        ("UG", "PA4.1", PERIOD, "people-assisted"): RecordedUnit("people", version=1)}
    record_progress(ug, "PA4.1", PERIOD, values={"people-assisted": 750})
    assert recorded_units(ug) == {}
    # and a figure in the unit now, typed again, writes nothing
    held = events.last_event(ug.conn, ug.replica_id)
    record_progress(ug, "PA4.1", PERIOD, values={"people-assisted": 750})
    assert events.last_event(ug.conn, ug.replica_id) == held


def test_the_plan_versions_are_read_once_until_another_is_installed(hq, tmp_path) -> None:
    """The report form asks at each report opened, the review pack at each office's
    sheet: the versions are parsed once (``planops.plan_history``), and read again once
    a new version is installed."""
    from fieldplan.planops import plan_history

    before = plan_history(hq)
    assert plan_history(hq) is before
    path = tmp_path / "v2.json"
    dump_plan(households(hq.plan()), path)
    replace_plan(hq, path)
    hq.conn.commit()
    after = plan_history(hq)
    assert after is not before and len(after) == len(before) + 1
    assert after[-1][1]["plan"]["version"] == hq.plan().version
