"""The dashboard of a period headquarters locked: its drafts and what was missing stay
so unless headquarters unlocks the period. It listed them under "Still missing", as if
the office could still add them (Mali's 10 drafts of the locked 2026-S2 in the
57-office demo), while ``status`` and the review pack now say the truth."""

from __future__ import annotations

from tests.scenes import send
from tests.ui.conftest import wait_idle
from tests.ui.test_dashboard_conflicts import dashboard_of


def _office_with_drafts(hq, make_office):
    from fieldplan import progress

    ml = make_office("ML")
    for action in ml.plan().actions_of(level="national")[:2]:
        progress.record_progress(ml, action.code, "2026-S1", status="on-track")
    return ml


def test_a_locked_periods_dashboard_says_its_drafts_stay_drafts(
        open_window, qtbot, hq, make_office, tmp_path):
    from fieldplan import progress

    ml = _office_with_drafts(hq, make_office)
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, "2026-S1")
    send(hq, ml, tmp_path)
    path = ml.path
    ml.close()
    _window, dashboard = dashboard_of(open_window, qtbot, path)
    assert dashboard.missing_box.title() == "Missing when the period was locked"
    assert dashboard.missing.accessibleName() == "Missing when the period was locked"
    assert dashboard.locked_note.isVisibleTo(dashboard)
    assert dashboard.locked_note.text() == (
        "Headquarters has locked this period: its 2 draft reports will not be "
        "submitted, and nothing can be added to them, unless headquarters unlocks the "
        "period.")
    # what is missing is still listed
    assert any("no report" in dashboard.missing.item(i).text()
               for i in range(dashboard.missing.count()))


def test_a_lock_made_while_the_dashboard_is_open_changes_its_words(
        open_window, qtbot, hq):
    """Headquarters' own dashboard (its reports on the global actions) when it locks
    the period: the dashboard refreshed on reports and plan changes only, and a lock
    is neither."""
    from fieldplan import progress
    from ui.ops import DbOp

    hq_action = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, hq_action, "2026-S1", status="on-track")
    path = hq.path
    hq.close()
    window, dashboard = dashboard_of(open_window, qtbot, path)
    assert dashboard.missing_box.title() == "Still missing"
    assert not dashboard.locked_note.isVisibleTo(dashboard)
    DbOp(window.session, None, lambda rep: progress.set_period_lock(rep, "2026-S1")).run()
    qtbot.waitUntil(lambda: dashboard.missing_box.title()
                    == "Missing when the period was locked", timeout=10_000)
    wait_idle(qtbot, window.session)
    # headquarters reads it: the one who can unlock the period
    assert dashboard.locked_note.text() == (
        "This period is locked: its 1 draft report will not be submitted, and nothing "
        "can be added to it, unless you unlock the period.")
    from fieldplan.i18n import set_language

    set_language("fr")  # (words from the catalog, or English until it has them)
    try:
        window.set_period("2026-S2")
        window.set_period("2026-S1")
        wait_idle(qtbot, window.session)
        assert "Siège" not in dashboard.locked_note.text()
    finally:
        set_language("en")
    # its report form says the same of the draft
    editor = window.office_view.editor
    window.office_view.select_action(hq_action)
    window.show_page(window.office_view)
    qtbot.waitUntil(lambda: editor.notice.text() == (
        "This period is locked: this draft will not be submitted unless you unlock the "
        "period."), timeout=5000)


def test_headquarters_own_dashboard_of_a_locked_period_without_drafts(
        open_window, qtbot, hq):
    from fieldplan import progress

    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track")
    progress.submit_period(hq, "2026-S1")
    progress.set_period_lock(hq, "2026-S1")
    path = hq.path
    hq.close()
    _window, dashboard = dashboard_of(open_window, qtbot, path)
    assert dashboard.locked_note.text() == (
        "This period is locked: nothing can be added to its reports unless you unlock "
        "the period.")


def test_headquarters_form_of_a_locked_submitted_report_says_where_to_unlock(
        open_window, qtbot, hq):
    """Its form (and the status bar's period, in its tooltip) told headquarters
    "Headquarters has locked this period.", as an office reads it; the dashboard and a
    draft's notice speak to the one who can unlock it."""
    from fieldplan import progress

    hq_action = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, hq_action, "2026-S1", status="on-track")
    progress.submit_period(hq, "2026-S1")
    progress.set_period_lock(hq, "2026-S1")
    path = hq.path
    hq.close()
    window, _dashboard_page = dashboard_of(open_window, qtbot, path)
    words = ("This period is locked: its reports cannot be changed unless you unlock it "
             "(Period ▸ Unlock period…).")
    editor = window.office_view.editor
    window.office_view.select_action(hq_action)
    window.show_page(window.office_view)
    qtbot.waitUntil(lambda: editor.notice.text() == words, timeout=5000)
    assert window.period_label.toolTip() == words
