"""A report with one field written differently by two laptops and another in one
laptop's history alone (before and after its restore from a backup) was listed on the
Dashboard, in the submit dialog and above it in headquarters' table of reports as two
computers' only: the field of one computer's history went unsaid. Each now names the
fields of each kind under the words for that kind; the report form, which told fields
apart one by one already, still does."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from tests.scenes import MIXED, REVERSED, THREE_WRITERS, closed, mixed_conflicts
from tests.ui.test_dashboard_conflicts import dashboard_of
from tests.ui.test_reports_in_conflict import _choose, _reports_page
from tests.ui.test_submit_conflicts import submit_dialog

SHOTS = os.environ.get("FIELDPLAN_SHOTS")

TWO = ("Two computers wrote different values: settle them on the Conflicts tab first, "
       "or the values shown now are submitted.")
ONE = ("One computer's history holds versions of these reports' values that do not "
       "replace each other: settle them on the Conflicts tab first, or the values shown "
       "now are submitted.")


def expected_lines(named: dict[str, str]) -> list[str]:
    mixed, reversed_, three = (named[n] for n in (MIXED, REVERSED, THREE_WRITERS))
    return [f"{mixed} — in conflict: Status", f"{reversed_} — in conflict: Percent complete",
            f"{three} — in conflict: Percent complete", TWO,
            f"{mixed} — in conflict: Percent complete", f"{reversed_} — in conflict: Status",
            ONE]


def test_the_dashboard_names_each_kind_of_a_reports_fields(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    window, dashboard = dashboard_of(open_window, qtbot, closed(scene.a))
    assert dashboard.conflicts.text().split("\n") == expected_lines(scene.named)
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "dashboard-mixed.png"))
    # the report form tells the mixed report's fields apart too
    from tests.ui.test_hq_office import _choose as choose_report

    editor = choose_report(window, qtbot, scene.named[MIXED])
    notice = editor.notice.text()
    assert "Changed on two computers, neither seeing the other's change: Status." in notice
    assert ("Changed twice on this computer, neither change replacing the other: Percent "
            "complete.") in notice
    if SHOTS:
        editor.grab().save(os.path.join(SHOTS, "editor-mixed.png"))


def test_the_submit_dialog_names_each_kind_of_a_reports_fields(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    window = open_window(closed(scene.a))
    dialog = submit_dialog(window, qtbot)
    text = dialog.text.text()
    said = text.split("Still in conflict:\n")[1].split("\n\n")[0]
    assert said.split("\n") == expected_lines(scene.named)
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "submit-mixed.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(object, "submit-dialog") is None, timeout=5000)


def test_headquarters_table_names_each_kind_above_the_report(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    scene = mixed_conflicts(hq, make_office, tmp_path)
    scene.a.close()
    window, page = _reports_page(open_window, qtbot, closed(hq))
    _choose(page, "ML", scene.named[MIXED])
    assert page.conflict_note.text() == (
        "In conflict: Status, which two computers wrote differently, and Percent "
        "complete, of which one computer's history holds versions that do not replace "
        "each other: this table and the review pack show one version until the conflict "
        "is settled; the Conflicts tab shows each.")
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, "hq-reports-mixed.png"))
    _choose(page, "ML", scene.named[REVERSED])
    assert page.conflict_note.text().startswith(
        "In conflict: Percent complete, which two computers wrote differently, and Status,")
    _choose(page, "ML", scene.named[THREE_WRITERS])
    assert page.conflict_note.text().startswith(
        "In conflict: Percent complete. Two computers wrote them differently")
