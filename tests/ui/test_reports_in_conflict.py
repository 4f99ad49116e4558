"""Headquarters' table of reports says which fields of the chosen report are in an open
conflict: it showed one office computer's status and percent with no sign that another
computer of the office wrote others, while the review pack's "Open conflicts" named
them (found by QA, an HQ walk through the semester review)."""

from __future__ import annotations

from tests.scenes import closed, laptops_in_conflict
from tests.ui.conftest import wait_idle


def _reports_page(open_window, qtbot, path):
    window = open_window(path)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    return window, page


def _choose(page, office: str, action: str) -> None:
    from ui.models import ROW_ROLE

    model = page.model
    row = next(i for i in range(model.rowCount())
               if (r := model.data(model.index(i, 0), ROW_ROLE)).office == office
               and r.action == action)
    page.view.setCurrentIndex(model.index(row, 0))


def test_the_chosen_report_says_which_of_its_fields_are_in_conflict(
        open_window, qtbot, hq, make_office, tmp_path):
    scene = laptops_in_conflict(hq, make_office, tmp_path, actions=1)
    other = hq.plan().actions_of(level="national")[1].code
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle

    progress.record_progress(scene.a, other, "2026-S1", status="on-track", percent=10)
    import_bundle(hq, export_bundle(scene.a, out_dir=scene.out).path)
    _window, page = _reports_page(open_window, qtbot, closed(hq))

    _choose(page, "ML", scene.code)
    note = page.conflict_note
    assert note.isVisibleTo(page)
    assert note.text().startswith("In conflict: Status. Two computers wrote them "
                                  "differently")
    assert "Conflicts tab" in note.text()
    assert note.text() in page.detail.accessibleDescription()
    # a report in no conflict says nothing of it
    _choose(page, "ML", other)
    assert not note.isVisibleTo(page) and note.text() == ""
    assert "conflict" not in page.detail.accessibleDescription()


def test_the_fields_are_named_as_the_conflicts_tab_names_them(
        open_window, qtbot, hq, make_office, tmp_path):
    """Several fields, an indicator by its title."""
    action = hq.plan().actions_of(level="national")[0]
    key = action.indicators[0].key
    scene = laptops_in_conflict(
        hq, make_office, tmp_path,
        a={"status": "on-track", "percent": 30, "values": {key: 3}},
        b={"status": "at-risk", "percent": 40, "values": {key: 4}})
    _window, page = _reports_page(open_window, qtbot, closed(hq))
    _choose(page, "ML", scene.code)
    text = page.conflict_note.text()
    assert "Status" in text and "Percent complete" in text
    assert action.indicators[0].title.get("en") in text
