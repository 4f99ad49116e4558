"""The same figure wherever it is shown: an area's mean progress leaves out cancelled
actions and rounds halves up on the office's dashboard, HQ's Overview and the review
pack alike; a semester is held to its own milestone or the next one, and a figure held
to the plan's end target says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fieldplan import events, store
from fieldplan.i18n import format_percent
from fieldplan.means import mean_percent, mean_progress, round_percent
from fieldplan.model import ProgressReport
from fieldplan.plan import default_plan

needs_pdftotext = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")),
    reason="needs poppler-utils and qpdf (see packaging/debian-packages.txt)",
)


def report(status: str, percent: int | None, action: str = "PA1.1") -> ProgressReport:
    fields = {f: None for f in ProgressReport.__dataclass_fields__}
    fields.update(office="ML", action=action, period="2026-S1", status=status, percent=percent)
    return ProgressReport(**fields)


def test_the_mean_leaves_out_cancelled_actions_and_reports_without_a_percent() -> None:
    rs = [report("on-track", 31), report("completed", 100), report("cancelled", 24),
          report("at-risk", None)]
    assert mean_progress(rs) == 65.5 and mean_percent(rs) == 66
    assert mean_percent([report("cancelled", 0)]) is None and mean_percent([]) is None


@pytest.mark.parametrize(("value", "shown"), [(54.5, 55), (66.5, 67), (49.5, 50), (0.5, 1),
                                              (54.49, 54), (100, 100), (0, 0)])
def test_a_percent_rounds_halves_up_as_a_person_does(value, shown) -> None:
    assert round_percent(value) == shown
    assert format_percent(value, "en") == f"{shown}%"


def test_a_typed_percent_with_decimals_prints_as_before() -> None:
    assert format_percent(5.6, "en", decimals=True) == "5.6%"
    assert format_percent(54.5, "en", decimals=True) == "54.5%"


def test_a_semester_without_its_own_target_is_held_to_the_next_milestone() -> None:
    trained = default_plan().action("PA1.2").indicator("officials-trained")
    assert trained.targets[0] == ("2026-S1", 150)  # (the plan's first milestone)
    assert trained.target_for("2025-S2") == 150 and not trained.target_is_end("2025-S2")
    assert trained.target_for("2026-S1") == 150 and not trained.target_is_end("2026-S1")
    assert trained.target_for("2027-S2") == 600 and trained.target_is_end("2027-S2")
    reports = default_plan().action("PA1.2").indicator("data-reports")  # no milestones
    assert reports.target_for("2025-S2") == 10 and reports.target_is_end("2025-S2")


def _write(rep, office: str, period: str, reports: dict[str, tuple[str, int, dict]]) -> None:
    """Reports straight in as events (as tests/fixtures/reports/seed.py writes them)."""
    with store.write_transaction(rep.conn):
        for action, (status, percent, values) in reports.items():
            fields = {"status": status, "percent": percent, "state": "submitted",
                      "achievements": "Done.", "challenges": "None.", "next_steps": "More.",
                      **{f"value.{k}": v for k, v in values.items()}}
            events.append(rep.conn, "progress", f"{office}|{action}|{period}", fields,
                          author=f"{office.lower()}.officer")


def _text(pdf: Path) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


@needs_pdftotext
def test_the_pack_rounds_an_area_mean_halves_up(hq, tmp_path) -> None:
    from fieldplan.reports import build_review_pack

    _write(hq, "ML", "2026-S1", {"PA1.1": ("on-track", 55, {}), "PA1.2": ("at-risk", 54, {}),
                                 "PA1.3": ("cancelled", 0, {})})
    text = _text(build_review_pack(hq, "2026-S1", tmp_path / "pack.pdf"))
    assert "mean 55%" in text and "mean 54%" not in text


@needs_pdftotext
def test_the_sheet_holds_a_semester_to_the_next_milestone_and_names_the_end_target(
        hq, tmp_path) -> None:
    from fieldplan.reports import build_status_sheet

    values = {"officials-trained": 72, "data-reports": 2}
    _write(hq, "ML", "2025-S2", {"PA1.2": ("on-track", 12, values)})
    _write(hq, "ML", "2027-S2", {"PA1.2": ("on-track", 90, {**values, "officials-trained": 580})})
    early = _text(build_status_sheet(hq, "2025-S2", "ML", out=tmp_path / "s1.pdf"))
    assert "72 of 150 people" in early and "72 of 600" not in early
    assert "2 of 10 documents (end of plan)" in early
    late = _text(build_status_sheet(hq, "2027-S2", "ML", out=tmp_path / "s2.pdf"))
    assert "580 of 600 people (end of plan)" in late
