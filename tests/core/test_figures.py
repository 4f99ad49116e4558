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


@pytest.mark.parametrize(("value", "shown", "en", "fr", "ar"), [
    (1 / 50, "0.02", "0.02%", "0,02\u00a0%", "0.02%"),  # one report at 1% among fifty
    (0.47, "0.4", "0.4%", "0,4\u00a0%", "0.4%"),  # (cut: 0.5 would read as 1%)
    (0.0496, "0.04", "0.04%", "0,04\u00a0%", "0.04%"),
    (99.6, "99.6", "99.6%", "99,6\u00a0%", "99.6%"),
    (99.96, "99.96", "99.96%", "99,96\u00a0%", "99.96%"),
    (99.5, "99.5", "99.5%", "99,5\u00a0%", "99.5%"),  # (halves up made it 100%)
    (0.5, "1", "1%", "1\u00a0%", "1%"), (99.49, "99", "99%", "99\u00a0%", "99%"),
    (0, "0", "0%", "0\u00a0%", "0%"), (100, "100", "100%", "100\u00a0%", "100%"),
])
def test_a_mean_near_0_or_100_is_neither_unless_it_is(value, shown, en, fr, ar) -> None:
    """A mean of 0.02% printed "0%", as if nothing were done, and one of 99.6% "100%", as
    if all were: a number other than zero never prints as zero (format_number)."""
    from decimal import Decimal

    from fieldplan.means import shown_percent

    assert shown_percent(value) == Decimal(shown)
    assert shown_percent(shown_percent(value)) == shown_percent(value)  # (shown as itself)
    assert [format_percent(value, lang) for lang in ("en", "fr", "ar")] == [en, fr, ar]


def test_the_mean_of_one_report_at_1_among_fifty_is_not_0() -> None:
    from decimal import Decimal

    rs = [report("on-track", 1)] + [report("not-started", 0)] * 49
    assert mean_percent(rs) == Decimal("0.02")
    assert mean_percent([report("completed", 100)] * 2 + [report("on-track", 99)]) == Decimal(
        "99.6")


@pytest.mark.parametrize("rtl", [False, True])
def test_a_mean_with_decimals_keeps_clear_of_its_bar(rtl) -> None:
    """"99,5 %" in the pack's area tables ran into its bar: the number had the room of
    "100 %"."""
    from fieldplan.reports import common as cm
    from fieldplan.reports.fonts import register_fonts, string_width

    register_fonts()
    label = format_percent(99.96, "fr")
    bar = cm.PercentBar(99.96, label, rtl=rtl)
    bar.wrap(80, 100)
    text_w, left, width = bar.bar()
    number = string_width(label, cm.REGULAR, 7)
    if rtl:  # the number at the left end, the bar after it
        assert text_w >= number and left > text_w
    else:
        assert left + width < 80 - number


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
def test_the_pack_prints_a_mean_near_0_or_100_as_neither(hq, tmp_path) -> None:
    """ML's PA1 at 1%, 0%, 0% read "mean 0%" in the matrix and its PA2 at 100%, 100%,
    99% "mean 100%"; PA1.1 at 1%, 0%, 0% in three offices read "0%" in its area's
    table, PA2.3 at 99% and 100% "100%"."""
    from fieldplan.reports import build_review_pack

    _write(hq, "ML", "2026-S1", {"PA1.1": ("on-track", 1, {}), "PA1.2": ("not-started", 0, {}),
                                 "PA1.3": ("not-started", 0, {}),
                                 "PA2.1": ("completed", 100, {}), "PA2.2": ("completed", 100, {}),
                                 "PA2.3": ("on-track", 99, {})})
    _write(hq, "SN", "2026-S1", {"PA1.1": ("not-started", 0, {}),
                                 "PA2.3": ("completed", 100, {})})
    _write(hq, "NE", "2026-S1", {"PA1.1": ("not-started", 0, {})})
    text = _text(build_review_pack(hq, "2026-S1", tmp_path / "pack.pdf"))
    assert "mean 0.3%" in text and "mean 99.6%" in text
    start = text.rindex("Detail by area")  # (not the contents')
    detail = text[start:text.index("Annex", start)]
    assert re.search(r"PA1\.1 .*? 0\.3%", detail) and re.search(r"PA2\.3 .*? 99\.5%", detail)


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


@pytest.mark.parametrize("statuses, shown, beside", [
    # three actions on track at 80% and one not started read "Not started" (mean 60%)
    (["on-track", "on-track", "on-track", "not-started"], "on-track", 1),
    (["completed", "not-started", "not-started"], "completed", 2),
    (["at-risk", "on-track", "not-started"], "at-risk", 1),
    (["off-track", "at-risk", "completed"], "off-track", 0),
    (["not-started", "not-started", "cancelled"], "not-started", 0),
    (["cancelled", "on-track"], "on-track", 0),
    (["cancelled"], "cancelled", 0),
    ([], None, 0),
])
def test_an_area_shows_the_status_of_the_reports_that_have_started(statuses, shown,
                                                                   beside) -> None:
    """An area's cell showed the status most needing attention, "not started" above
    "on track": one action not started among three on track at 80% read "Not started"
    beside a mean of 60%. It shows the status most needing attention among the reports
    that have started, not started only when none has, and how many have not."""
    from collections import Counter

    from fieldplan.means import area_status, not_started_beside

    assert area_status(statuses) == shown
    assert not_started_beside(Counter(statuses)) == beside


@needs_pdftotext
def test_the_packs_matrix_shows_the_status_of_the_reports_that_have_started(
        hq, tmp_path) -> None:
    """As HQ's Overview does: "On track", 1 not started, mean 60% (not "Not started",
    mean 60%)."""
    from fieldplan.reports import build_review_pack

    _write(hq, "ML", "2026-S1", {"PA1.1": ("on-track", 90, {}), "PA1.2": ("on-track", 90, {}),
                                 "PA1.3": ("not-started", 0, {})})
    text = _text(build_review_pack(hq, "2026-S1", tmp_path / "pack.pdf"))
    start = text.index("Mali (ML) PA1")
    matrix = text[start:text.index("Offices that have not reported", start)]
    # (pdftotext reads the cell's first line with the headings)
    assert "● On track" in matrix and "1 not started mean 60%" in matrix
    assert "Not started" not in matrix
    assert ("Each cell shows the status needing most attention among the office's actions "
            "in the area that have started (not started only when none has), how many have "
            "not started beside it, and their mean progress.") in text
