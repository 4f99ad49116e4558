"""The Conflicts page on a submitted report: its Keep buttons are disabled and the page
says to reopen it, as the report editor does (keeping a value would make the report
show, submitted, a value nobody submitted). In a conflict on the report's state (a
change crossed a submission) Draft can be kept, which reopens it; Submitted cannot."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import list_conflicts
from tests.scenes import closed, laptops_in_conflict, send
from tests.ui.conftest import wait_idle
from tests.ui.test_conflict_versions import conflicts_page

PERIOD = "2026-S1"


def test_a_submitted_reports_values_are_kept_only_once_it_is_reopened(
        open_window, qtbot, hq, make_office, tmp_path):
    a, _b, act, _out = laptops_in_conflict(hq, make_office, tmp_path, {"status": "on-track"},
                                           {"status": "at-risk"}, sent="b")
    progress.submit_period(a, PERIOD)
    path = closed(a)
    _window, page = conflicts_page(open_window, qtbot, path)
    assert "This report is submitted. Reopen it to edit it." in page.message.text()
    assert not any(keep.isEnabled() for keep in page.keep_buttons)
    assert all("reopen it before editing" in keep.toolTip() for keep in page.keep_buttons)
    with open_replica(path) as rep:
        progress.reopen_report(rep, act, PERIOD)
    page.refresh()
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2
                    and all(k.isEnabled() for k in page.keep_buttons), timeout=5000)
    assert "submitted" not in page.message.text()


def test_in_a_state_conflict_draft_is_kept_and_submitted_is_not(
        open_window, qtbot, hq, make_office, tmp_path):
    one, two = make_office("ML", "one"), make_office("ML", "two")
    act = one.plan().actions_of(level="national")[0].code
    progress.record_progress(one, act, PERIOD, status="on-track", percent=30)
    send(one, hq, tmp_path)
    send(hq, two, tmp_path)
    progress.submit_period(one, PERIOD)
    progress.record_progress(two, act, PERIOD, percent=77)  # offline, unseen by one
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    send(hq, one, tmp_path)
    [conflict] = list_conflicts(one)
    values = [c.value for c in conflict.candidates]
    path = one.path
    one.close()
    _window, page = conflicts_page(open_window, qtbot, path)
    enabled = {v: k.isEnabled() for v, k in zip(values, page.keep_buttons, strict=True)}
    assert enabled == {"draft": True, "submitted": False}
    said = "keep “Draft”, check the report, then submit it again."
    assert said in page.message.text()
    submitted_keep = page.keep_buttons[values.index("submitted")]
    assert "submit it again" in submitted_keep.toolTip()
    page.keep_buttons[values.index("draft")].click()
    qtbot.waitUntil(lambda: page.empty.is_empty(), timeout=5000)
    with open_replica(path) as rep:
        report = progress.get_report(rep, act, PERIOD, "ML")
        assert (report.state, report.percent) == ("draft", 77)


def test_a_hidden_reports_conflicts_are_settled_as_they_are_without_reopening(
        open_window, qtbot, hq, make_office, tmp_path):
    """A report the plan hides is never reopened (nor written): in its state conflict
    Draft is refused as a write on it is and Submitted settles it; a submitted one's
    values are kept as they are, and the page does not say to reopen it."""
    from tests.scenes import amend_plan

    one, two = make_office("ML", "one"), make_office("ML", "two")
    act, other = (a.code for a in one.plan().actions_of(level="national")[:2])
    progress.record_progress(one, act, PERIOD, status="on-track", percent=30)
    progress.record_progress(one, other, PERIOD, status="on-track")
    progress.record_progress(two, other, PERIOD, status="at-risk")
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    send(hq, two, tmp_path)
    send(hq, one, tmp_path)
    progress.submit_period(one, PERIOD)
    progress.record_progress(two, act, PERIOD, percent=77)  # offline, unseen by one
    send(one, hq, tmp_path)
    send(two, hq, tmp_path)
    amend_plan(hq, tmp_path, drop=(act, other))
    send(hq, one, tmp_path)
    conflicts = list_conflicts(one)
    assert {(c.action, c.field) for c in conflicts} == {(act, "state"), (other, "status")}
    path = one.path
    one.close()
    window, page = conflicts_page(open_window, qtbot, path)
    hidden = f"Plan version 2 no longer has action {act}; its reports are kept but hidden."

    def show(field: str) -> list:
        row = next(i for i, c in enumerate(conflicts) if c.field == field)
        page.view.selectRow(row)
        qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
        return [c.value for c in conflicts[row].candidates]

    values = show("state")
    enabled = {v: k.isEnabled() for v, k in zip(values, page.keep_buttons, strict=True)}
    assert enabled == {"draft": False, "submitted": True}
    assert hidden in page.message.text() and "submit it again" not in page.message.text()
    assert "no longer has action" in page.keep_buttons[values.index("draft")].toolTip()
    show("status")
    assert all(k.isEnabled() for k in page.keep_buttons)
    assert "Reopen" not in page.message.text()
    assert hidden.replace(act, other) in page.message.text()
    for left in (1, 0):
        keep = next(k for k in page.keep_buttons if k.isEnabled())
        keep.click()
        qtbot.waitUntil(lambda left=left: page.model.rowCount() == left, timeout=5000)
        wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert list_conflicts(rep) == []
        assert progress.get_report(rep, act, PERIOD, "ML").state == "submitted"
