"""A conflict whose every version one computer wrote (its history holds versions that
do not replace each other, after a restore from a backup, say) was said on the office
dashboard, in the report form's notice and above a report in headquarters' table of
reports to be two computers' writes; a conflict two computers wrote still is."""

from __future__ import annotations

import os
from pathlib import Path

from fieldplan import progress
from tests.core.test_reports_one_computer import hq_with_both_kinds
from tests.scenes import closed, send, wide_conflict
from tests.ui.test_dashboard_conflicts import dashboard_of, said_of
from tests.ui.test_reports_in_conflict import _choose, _reports_page

SHOTS = os.environ.get("FIELDPLAN_SHOTS")


def laptop_b_with_both_kinds(hq, make_office, tmp_path: Path):
    """ML's laptop B (closed) holding its report on the first national action in
    conflict in laptop A's history alone (A's percent, written 3 times, none replacing
    another), and on the second one written differently by A and B: (B's path, the
    first action, the second, A's replica id)."""
    first, second, replica = hq_with_both_kinds(hq, make_office, tmp_path)
    b = make_office("ML", "ml-b2")
    progress.record_progress(b, second, "2026-S1", status="off-track")
    send(b, hq, tmp_path)
    send(hq, b, tmp_path)
    return closed(b), first, second, replica


def test_the_dashboard_says_whose_history_holds_a_conflict(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    path, first, second, replica = laptop_b_with_both_kinds(hq, make_office, tmp_path)
    window, dashboard = dashboard_of(open_window, qtbot, path)
    lines = dashboard.conflicts.text().split("\n")
    two = next(i for i, line in enumerate(lines) if line.startswith(second))
    one = next(i for i, line in enumerate(lines) if line.startswith(first))
    assert lines[two + 1].startswith("Two computers wrote different values")
    assert lines[one + 1] == (
        "One computer's history holds versions of this report's values that do not "
        "replace each other: settle them on the Conflicts tab first, or the values shown "
        "now are submitted.")
    assert len(lines) == 4
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "dashboard-one-computer.png"))
    # the report form of the first says which computer's history holds its versions
    _lines, editor, notice = said_of(window, dashboard, qtbot, first)
    assert notice[0] == (
        f"Changed twice on computer \u2068{replica[:8]}\u2069, neither change replacing "
        "the other: Percent complete. Both versions are kept; choose one in Conflicts.")
    assert not any("two computers" in line for line in notice)
    assert notice[1].startswith("Shown here for Percent complete: what \u2068x\u2069 "
                                f"wrote on computer \u2068{replica[:8]}\u2069")
    if SHOTS:
        editor.grab().save(os.path.join(SHOTS, "editor-one-computer.png"))
    # and that of the second, two computers'
    from tests.ui.test_hq_office import _choose as choose_report

    editor = choose_report(window, qtbot, second)
    assert editor.notice.text().split("\n")[0].startswith(
        "Changed on two computers, neither seeing the other's change: Status.")


def test_a_dashboard_whose_conflicts_are_all_one_computers_names_no_two_computers(
        open_window, qtbot, make_office) -> None:
    laptop = make_office("ML")
    code = laptop.plan().actions_of(level="national")[0].code
    progress.record_progress(laptop, code, "2026-S1", status="on-track")
    wide_conflict(laptop, 3)
    _window, dashboard = dashboard_of(open_window, qtbot, closed(laptop))
    lines = dashboard.conflicts.text().split("\n")
    assert len(lines) == 2 and lines[0].startswith(code)
    assert lines[1].startswith("One computer's history holds versions")


def test_headquarters_table_says_one_computers_history_above_the_report(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    first, second, _replica = hq_with_both_kinds(hq, make_office, tmp_path)
    window, page = _reports_page(open_window, qtbot, closed(hq))
    _choose(page, "ML", first)
    note = page.conflict_note
    assert note.text() == (
        "In conflict: Percent complete. One computer's history holds versions of them "
        "that do not replace each other: this table and the review pack show one version "
        "until the conflict is settled; the Conflicts tab shows each.")
    assert note.text() in page.detail.accessibleDescription()
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "hq-reports-one-computer.png"))
    _choose(page, "ML", second)
    assert note.text().startswith("In conflict: Status. Two computers wrote them "
                                  "differently")
