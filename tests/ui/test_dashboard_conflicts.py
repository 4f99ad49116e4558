"""The dashboard names the reports still in conflict, in the submit dialog's words:
it showed "On track, 100%" alone while the printed sheet said "Values in conflict" and
the status bar counted the conflicts."""

from __future__ import annotations

from tests.ui.conftest import read_once_shown, wait_idle
from tests.ui.test_submit_conflicts import laptop_with_conflict


def test_the_dashboard_says_which_reports_are_in_conflict_until_settled(
        open_window, qtbot, hq, make_office, tmp_path):
    path, code, other = laptop_with_conflict(hq, make_office, tmp_path)
    window, dashboard = dashboard_of(open_window, qtbot, path)
    assert dashboard.conflicts_box.isVisible()
    assert dashboard.conflicts_box.title() == "Still in conflict"
    lines = dashboard.conflicts.text().split("\n")
    line = next(x for x in lines if code in x)
    assert "in conflict" in line and "Status" in line and "Achievements" in line
    assert not any(other in x for x in lines)
    assert "Conflicts tab" in lines[-1]
    # settled on the Conflicts tab: the dashboard says no more of them
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    for left in (1, 0):
        qtbot.waitUntil(lambda: bool(page.keep_buttons), timeout=5000)
        page.keep_buttons[0].click()
        qtbot.waitUntil(lambda left=left: page.model.rowCount() == left, timeout=5000)
        wait_idle(qtbot, window.session)
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: not dashboard.conflicts_box.isVisibleTo(dashboard), timeout=5000)
    assert dashboard.conflicts.text() == ""


def dashboard_of(open_window, qtbot, path):
    window = open_window(path)
    window.set_period("2026-S1")
    dashboard = window.dashboard
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: dashboard.summary is not None
                    and dashboard.summary.period == "2026-S1", timeout=5000)
    wait_idle(qtbot, window.session)
    return window, dashboard


def said_of(window, dashboard, qtbot, code):
    """What the dashboard says of the reports in conflict, a line each, then the report
    editor chosen on ``code``'s report and its notice, a line each."""
    from tests.ui.test_hq_office import _choose

    lines = dashboard.conflicts.text().split("\n")
    editor = _choose(window, qtbot, code)
    return lines, editor, editor.notice.text().split("\n")


def test_a_submitted_reports_conflicts_are_settled_once_it_is_reopened(
        open_window, qtbot, hq, make_office, tmp_path):
    """It said "settle them on the Conflicts tab first, or the values shown now are
    submitted" of a report submitted already, whose values the Conflicts tab does not
    keep until it is reopened. The report editor says so too."""
    from fieldplan import progress
    from fieldplan.replica import open_replica

    path, code, _other = laptop_with_conflict(hq, make_office, tmp_path)
    with open_replica(path) as rep:
        progress.submit_period(rep, "2026-S1")
    window, dashboard = dashboard_of(open_window, qtbot, path)
    assert dashboard.conflicts_box.isVisible()
    lines, editor, notice = said_of(window, dashboard, qtbot, code)
    assert len(lines) == 2 and code in lines[0]
    assert lines[1] == ("This report is submitted: reopen it on the Progress tab, then "
                        "settle its values on the Conflicts tab.")
    assert notice[:2] == [
        "This report is submitted. Reopen it to edit it.",
        "Changed on two computers, neither seeing the other's change: Achievements, "
        "Status. Both versions are kept; reopen the report to choose one in Conflicts."]
    # (and whose values the form shows: the other laptop's)
    assert len(notice) == 3 and notice[2].startswith(
        "Shown here for Achievements, Status: what \u2068tester\u2069 wrote on computer ")
    # reopened: a draft's words again, in both
    editor.reopen_button.click()
    qtbot.waitUntil(lambda: "choose one in Conflicts." in editor.notice.text()
                    and "reopen the report" not in editor.notice.text(), timeout=5000)
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: "Conflicts tab first" in dashboard.conflicts.text(),
                    timeout=5000)


def test_in_a_locked_period_the_dashboard_says_whom_to_ask(
        open_window, qtbot, hq, make_office, tmp_path):
    from fieldplan import progress
    from fieldplan.replica import open_replica
    from fieldplan.sync import export_bundle, import_bundle

    path, code, _other = laptop_with_conflict(hq, make_office, tmp_path)
    progress.set_period_lock(hq, "2026-S1")
    with open_replica(path) as rep:
        import_bundle(rep, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    _window, dashboard = dashboard_of(open_window, qtbot, path)
    lines = dashboard.conflicts.text().split("\n")
    assert code in lines[0]
    # two fields in conflict (Achievements, Status): the note speaks of them all
    assert lines[1:] == ["1st semester 2026 is locked by headquarters: ask headquarters "
                         "to unlock it to settle these conflicts."]


def laptop_submitted_while_changed(hq, make_office, tmp_path, monkeypatch):
    """ML's laptop A submitted a report while B, not seeing it, changed its
    achievements; A, later, holds both: only its state is in conflict, "submitted"
    shown (the later write wins). Returns A's path and the report's action."""
    from fieldplan import events, progress
    from fieldplan.sync import export_bundle, import_bundle, list_conflicts

    clock = [events.wall_ms()]

    def tick() -> int:
        clock[0] += 1000
        return clock[0]

    monkeypatch.setattr(events, "wall_ms", tick)
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    progress.record_progress(a, code, "2026-S1", status="on-track", achievements="A wrote")
    import_bundle(hq, export_bundle(a, out_dir=tmp_path).path)
    import_bundle(b, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    progress.record_progress(b, code, "2026-S1", achievements="B added")
    progress.submit_period(a, "2026-S1")
    import_bundle(hq, export_bundle(b, out_dir=tmp_path).path)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    [conflict] = list_conflicts(a)
    assert conflict.field == "state" and conflict.submitted
    path = a.path
    a.close()
    return path, code


def test_a_report_submitted_while_changed_elsewhere_is_reopened_and_submitted_again(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch):
    """Only its state in conflict: it said "reopen it, then settle its values on the
    Conflicts tab", and reopening left no values to settle; it says to reopen it, check
    it and submit it again, as the report editor does."""
    path, code = laptop_submitted_while_changed(hq, make_office, tmp_path, monkeypatch)
    window, dashboard = dashboard_of(open_window, qtbot, path)
    lines, editor, notice = said_of(window, dashboard, qtbot, code)
    assert len(lines) == 2 and code in lines[0]
    assert lines[1] == ("This report was submitted on one computer while another changed "
                        "it: reopen it on the Progress tab, check it, then submit it again.")
    assert notice == [
        "This report is submitted. Reopen it to edit it.",
        "Submitted on one computer while another changed it, neither seeing the other: "
        "reopen the report, check it, then submit it again."]
    # reopened: that settled it, nothing is left to say
    editor.reopen_button.click()
    qtbot.waitUntil(lambda: editor.notice.text() == "", timeout=5000)
    window.show_page(dashboard)
    qtbot.waitUntil(lambda: dashboard.conflicts.text() == "", timeout=5000)


def test_a_hidden_conflicts_page_lists_the_conflicts_again_once_shown(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch):
    """It listed every conflict again at each change, shown or not: at a headquarters
    of 17,500 conflicts a second of the database's thread at each save made on another
    tab (the next save waited behind it) and new rows that held the window. A change
    seen while it is hidden is read once the page is shown, on the database's thread."""
    import threading

    from fieldplan import sync
    from fieldplan.replica import Changes
    from ui.qtcompat import emit

    path, _code, _other = laptop_with_conflict(hq, make_office, tmp_path)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    listed: list[int] = []
    real = sync.list_conflicts

    def list_conflicts(rep):
        listed.append(threading.get_ident())
        return real(rep)

    monkeypatch.setattr(sync, "list_conflicts", list_conflicts)
    read_once_shown(window, qtbot, page, listed)
    emit(window.session.changes_did_happen, Changes(entities=(("progress", "*"),)))
    qtbot.waitUntil(lambda: len(listed) == 2, timeout=5000)  # shown: read at once
    wait_idle(qtbot, window.session)
