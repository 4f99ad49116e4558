"""Printed reports say how many reports the current plan hides: after an amendment
that drops or moves actions, a total in a PDF must not silently disagree with the
data export (which lists every report, marked in plan_hidden)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.plan import dump_plan
from fieldplan.planops import hidden_reports, replace_plan
from fieldplan.reports import build_review_pack, build_status_sheet
from fieldplan.reports.sheet import gather
from tests.fixtures.reports.seed import amended_actions, write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

PERIOD = "2026-S1"
NOTE = ("2 reports that the current plan hides (their actions were removed or moved to "
        "another level) are not shown; a data export lists them, marked in the column "
        "plan_hidden.")


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    raw = subprocess.run([*args, str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(raw.split())


@pytest.fixture
def amended_world(hq, tmp_path):
    """Mali reported on its 12 national actions for 2026-S1, Turkey on 2 for 2025-S2;
    then an amendment dropped PA4.3, moved PA1.1 to regional and started the plan in
    2026: 2 of Mali's 2026-S1 reports are hidden (Turkey's are of another period)."""
    assert write_progress(hq, "ML", PERIOD) == 12
    write_progress(hq, "TR", "2025-S2", only=2)
    plan = hq.plan()
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, start=date(2026, 1, 1),
                                  actions=amended_actions(plan)), path)
    replace_plan(hq, path, allow_hiding=True)
    hq.conn.commit()
    return hq


def test_hidden_reports_counts_those_of_the_period(amended_world) -> None:
    assert hidden_reports(amended_world, period=PERIOD) == 2
    assert hidden_reports(amended_world, period=PERIOD, office="ML") == 2
    assert hidden_reports(amended_world, period=PERIOD, office="SN") == 0
    assert gather(amended_world, PERIOD, "ML").hidden == 2


def test_the_status_sheet_says_how_many_reports_it_leaves_out(amended_world,
                                                               tmp_path) -> None:
    text = pdf_text(build_status_sheet(amended_world, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert "Reports: 10 of 10 actions, 10 submitted" in text
    assert NOTE in text


def test_the_review_pack_cover_says_how_many_reports_it_leaves_out(amended_world,
                                                                   tmp_path) -> None:
    pdf = build_review_pack(amended_world, PERIOD, tmp_path / "p.pdf")
    cover = pdf_text(pdf, 1)
    assert "10 submitted reports" in cover and NOTE in cover
    # and on Mali's sheet in the annex, as on the same sheet printed alone: it was
    # missing there (the pack gave its sheets only the reports the plan shows)
    text = pdf_text(pdf)
    annex = text[text.rindex("Annex: status sheets by office"):]
    assert "Status" in annex and NOTE in annex and text.count(NOTE) == 2


def test_each_sheet_of_the_pack_says_what_the_plan_hides_of_its_office(
        amended_world, tmp_path) -> None:
    """Senegal, whose reports the plan all shows, says nothing of Mali's hidden ones."""
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack

    write_progress(amended_world, "SN", PERIOD)
    pack = Pack(amended_world, cm.make_ctx(amended_world, PERIOD, "en", "A4"), None, 1)
    assert {d.office: d.hidden for d in pack.sheets} == {"ML": 2, "SN": 0}


def test_nothing_hidden_no_note(hq, tmp_path) -> None:
    write_progress(hq, "ML", PERIOD)
    assert "plan_hidden" not in pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "plan_hidden" not in pdf_text(
        build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))


@pytest.mark.parametrize("argv", [["review"], ["sheet", "--office", "ml"]])
def test_report_commands_say_how_many_reports_the_pdf_leaves_out(amended_world, tmp_path,
                                                                 capsys, argv) -> None:
    out = tmp_path / "r.pdf"
    db = str(amended_world.path)
    assert main(["--db", db, "report", *argv, "--period", PERIOD, "-o", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout == f"{out}\n"  # the path stays the only line a script reads
    assert stderr == ("fieldplan: warning: 2 reports the current plan hides are not in the "
                      "PDF; 'fieldplan data export' lists them, marked in the column "
                      "plan_hidden\n")
    assert main(["--db", db, "--json", "report", *argv, "--period", PERIOD, "-o",
                 str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["hidden"] == 2


def test_report_commands_are_quiet_when_nothing_is_hidden(hq, tmp_path, capsys) -> None:
    write_progress(hq, "ML", PERIOD)
    hq.conn.commit()
    out = tmp_path / "r.pdf"
    assert main(["--db", str(hq.path), "report", "review", "--period", PERIOD, "-o",
                 str(out)]) == 0
    assert capsys.readouterr().err == ""


def _hide_every_report(hq, tmp_path, *, new_national: bool = False):
    """Mali and Senegal reported on their 12 national actions for 2026-S1, Mali on 2
    for 2025-S2; then an amendment moved every national action to regional (the
    reviewer's `plan import --allow-hiding`): the plan hides all their reports.
    ``new_national``: the first national action is renumbered instead (PA1.90, still
    national, which nobody reported on)."""
    assert write_progress(hq, "ML", PERIOD) == 12
    write_progress(hq, "SN", PERIOD)
    write_progress(hq, "ML", "2025-S2", only=2)
    plan = hq.plan()
    first = plan.actions_of(level="national")[0].code
    actions = tuple(
        dataclasses.replace(a, code=f"{a.area}.90") if new_national and a.code == first
        else dataclasses.replace(a, level="regional") if a.level == "national" else a
        for a in plan.actions)
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=actions), path)
    replace_plan(hq, path, allow_hiding=True)
    hq.conn.commit()
    return hq


@pytest.fixture
def nothing_shown(hq, tmp_path):
    """Every report hidden, the plan without national actions (_hide_every_report)."""
    return _hide_every_report(hq, tmp_path)


@pytest.fixture
def nothing_shown_yet_national(hq, tmp_path):
    """Every report hidden, the plan with one national action nobody reported on."""
    return _hide_every_report(hq, tmp_path, new_national=True)


def test_a_sheet_whose_reports_are_all_hidden_says_so(nothing_shown, tmp_path) -> None:
    """It said "No progress recorded for this period." and "Reports: 0 of 0 actions"
    above the line saying 12 reports were hidden."""
    text = pdf_text(build_status_sheet(nothing_shown, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert ("No report shown: the current plan hides the 12 reports of this period (their "
            "actions were removed or moved to another level); a data export lists them, "
            "marked in the column plan_hidden.") in text
    assert ("Reports: none, the current plan has no action at this office's level "
            "(National)") in text
    assert "No progress recorded" not in text and "0 of 0" not in text
    assert text.count("plan_hidden") == 1  # said once, not again in the usual note


def test_a_pack_whose_reports_are_all_hidden_does_not_say_never(nothing_shown_yet_national,
                                                                tmp_path) -> None:
    """The offices that did report were listed with "Latest period reported: never"."""
    text = pdf_text(build_review_pack(nothing_shown_yet_national, PERIOD,
                                      tmp_path / "p.pdf"))
    cover = text[:text.index("Contents")]
    assert "No report shown: the current plan hides the 24 reports of this period" in cover
    assert "No progress recorded" not in text and text.count("plan_hidden") == 1
    missing = text[text.index("Offices that have not reported Offices awaited on this "
                              "period that have submitted no report for it:"):]
    missing = missing[:missing.index("Late, quarantined and conflicting data")]
    assert "Mali" in missing and "Senegal" in missing
    assert missing.count("1st semester 2026 (hidden by the current plan)") == 2
    # headquarters, which has no report at all, is said apart: not among the offices
    assert text.count("never") == 0 and "Headquarters HQ –" not in missing
    assert "Headquarters has submitted none of its own reports" in missing
    # no section says that no office reported
    assert "No office has reported" not in text and "No office has a report" not in text
    assert text.count("The current plan hides every report of this period: none is shown "
                      "here (see the cover).") == 3  # chart, matrix, annex


def test_a_pack_awaits_no_office_on_a_level_the_plan_has_not(nothing_shown,
                                                             tmp_path) -> None:
    """With no national action in the plan, Mali and Senegal have nothing to report on:
    they are not "offices that have not reported"; headquarters alone is awaited (on
    the plan's global actions), and said apart: no office is, and the cover counts
    none ("0 of 1" was headquarters). Their hidden reports are still said on the
    cover."""
    text = pdf_text(build_review_pack(nothing_shown, PERIOD, tmp_path / "p.pdf"))
    cover = text[:text.index("Contents")]
    assert "No report shown: the current plan hides the 24 reports of this period" in cover
    assert "Offices that reported" not in cover
    # (the section, after its line in the contents)
    missing = text[text.index("Offices that have not reported Headquarters"):]
    missing = missing[:missing.index("Late, quarantined and conflicting data")]
    assert "Mali" not in missing and "Senegal" not in missing
    assert "Headquarters HQ –" not in missing and "Every known office" not in missing
    assert "Headquarters has submitted none of its own reports" in missing
