"""An office reopened and edited a report, then imported headquarters' bundle that
locks the period: the import result and the status bar said only "The plan is now
version 2", and no screen said that the report is stuck behind the lock. Now the
import result and the status bar say what headquarters locked or unlocked, and the
status bar and the report's editor warn as ``fieldplan status`` does. The import
result and the Inbox name headquarters as the rest of the client does, and join the
clauses of a file's details as the language does."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import events, progress
from tests.scenes import amend_plan
from tests.ui.conftest import wait_idle
from tests.ui.test_hq_office import _choose, send_to_hq
from tests.ui.test_sync_ui import drop, result_dialog

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S1"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write a second after the one before, whichever replica makes it: the
    office's edit is after headquarters' lock, never in the same millisecond."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


def stuck_world(hq, make_office, tmp_path: Path, amend: bool = False,
                drafts: int = 0) -> tuple[Path, str, Path]:
    """SN submits a report for 2026-S1, which reaches HQ, and keeps ``drafts`` more
    reports of it as drafts; HQ locks the period (and amends the plan, if ``amend``);
    SN, not knowing, reopens the report and edits it. Returns SN's database, the
    action and HQ's bundle for SN, which brings the lock."""
    sn = make_office("SN")
    code, *others = (a.code for a in sn.plan().actions_of(level="national")[:drafts + 1])
    progress.record_progress(sn, code, PERIOD, status="on-track", percent=20)
    progress.submit_period(sn, PERIOD)
    for other in others:
        progress.record_progress(sn, other, PERIOD, status="at-risk", percent=10)
    send_to_hq(sn, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    if amend:
        amend_plan(hq, tmp_path)  # version 2, as the review's world
    progress.reopen_report(sn, code, PERIOD)
    progress.record_progress(sn, code, PERIOD, percent=35)
    bundle = hq_bundle(hq, tmp_path / "lock")
    sn_path = sn.path
    sn.close()
    return sn_path, code, bundle


def hq_bundle(hq, folder: Path) -> Path:
    folder.mkdir()
    return Path(sync.export_bundle(hq, for_office="SN", out_dir=folder).path)


def close(window, qtbot, dialog) -> None:
    """OK on the import result, and the work after it done (the dialog gone)."""
    dialog.accept()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is None, timeout=5000)


def stuck_line(code: str) -> str:
    return (f"1st semester 2026 locked by headquarters; 1 report of this office changed "
            f"after the lock: {code}; headquarters must unlock the period for it to be "
            f"submitted")


def test_the_office_is_told_of_the_lock_and_of_its_report_stuck_behind_it(
        open_window, qtbot, hq, make_office, tmp_path):
    sn_path, code, bundle = stuck_world(hq, make_office, tmp_path, amend=True)
    window = open_window(sn_path)
    editor = _choose(window, qtbot, code)
    assert editor.status.isEnabled()  # a draft of an open period, as far as SN knows
    assert stuck_line(code) not in window.sync_label.toolTip()

    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    # the import result: what headquarters locked, the report it leaves stuck, and
    # the file's details
    assert dialog.lock_note.isVisibleTo(dialog)
    assert dialog.lock_note.text() == (
        "Headquarters locked 1st semester 2026: its reports can no longer be changed or "
        "submitted.")
    assert dialog.stuck_warning.isVisibleTo(dialog)
    assert dialog.stuck_warning.text() == stuck_line(code).capitalize().replace(
        code.lower(), code)
    assert dialog.table.item(0, 3).text().endswith(
        "; the plan is now version 2; headquarters locked 1st semester 2026")
    # headquarters as the client names it elsewhere, not its bare code
    assert dialog.table.item(0, 1).text() == "HQ · Headquarters"
    warning = dialog.stuck_warning.text()
    close(window, qtbot, dialog)

    # the status bar: the news, after the plan's; then lastingly the warning (its tip
    # whole)
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.statusBar().whole_message() == (
        "The plan is now version 2. Headquarters locked 1st semester 2026: its reports can "
        "no longer be changed or submitted.")
    qtbot.waitUntil(lambda: stuck_line(code) in window.sync_label.toolTip(), timeout=5000)
    # the report's editor, read-only now, says why it cannot be submitted
    qtbot.waitUntil(lambda: not editor.status.isEnabled(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.notice.text() == warning
    # the Inbox names headquarters as the import result does
    from ui.models import InboxModel

    model = window.inbox.model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=5000)
    assert model.index(0, InboxModel.OFFICE).data() == "HQ · Headquarters"


@pytest.mark.parametrize("drafts", [1, 2])
def test_the_lock_news_counts_the_drafts_it_leaves(open_window, qtbot, hq, make_office,
                                                   tmp_path, drafts):
    """The import result and the status bar said only that the period's reports could
    no longer be changed or submitted, where the dashboard and ``status`` say the drafts
    left in it will not be submitted unless headquarters unlocks it: they say it too
    (the report changed after the lock is not counted again: the warning names it)."""
    sn_path, code, bundle = stuck_world(hq, make_office, tmp_path, drafts=drafts)
    window = open_window(sn_path)
    wait_idle(qtbot, window.session)
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    left = "1 draft left in it" if drafts == 1 else "2 drafts left in it"
    note = ("Headquarters locked 1st semester 2026: its reports can no longer be changed or "
            f"submitted. {left} will not be submitted unless headquarters unlocks the "
            "period.")
    assert dialog.lock_note.text() == note
    assert dialog.stuck_warning.text() == stuck_line(code).capitalize().replace(
        code.lower(), code)
    close(window, qtbot, dialog)
    qtbot.waitUntil(lambda: window.statusBar().whole_message() == note, timeout=5000)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_lock_news_names_the_period_once(lang) -> None:
    """"Headquarters locked 2nd semester 2026: … 12 drafts left when 2nd semester 2026
    was locked: …": the drafts' sentence named again the period the first had just
    named. With one period locked it is named once; with several, each one holding
    drafts is named where its drafts are counted, and the lock of it is not said again."""
    from fieldplan.i18n import format_number, period_words, set_language
    from ui.transfer import locks_note

    set_language(lang)
    one = locks_note(["2026-S2"], [], {"2026-S2": 1234})
    assert one.count(period_words("2026-S2")) == 1
    assert format_number(1234) in one and "1234" not in one
    several = locks_note(["2026-S1", "2026-S2"], [], {"2026-S2": 12})
    assert several.count(period_words("2026-S1")) == 1
    assert several.count(period_words("2026-S2")) == 2  # the list, then its drafts
    if lang == "en":
        assert one == ("Headquarters locked 2nd semester 2026: its reports can no longer be "
                       "changed or submitted. 1,234 drafts left in it will not be submitted "
                       "unless headquarters unlocks the period.")
        assert several.endswith(" submitted. 12 drafts left in 2nd semester 2026 will not "
                                "be submitted unless headquarters unlocks that period.")
        assert "was locked" not in one + several


def test_the_office_is_told_when_headquarters_unlocks(open_window, qtbot, hq, make_office,
                                                       tmp_path):
    sn_path, code, bundle = stuck_world(hq, make_office, tmp_path)
    progress.set_period_lock(hq, PERIOD, locked=False)
    window = open_window(sn_path)
    drop(window, [bundle])
    close(window, qtbot, result_dialog(window, qtbot))
    drop(window, [hq_bundle(hq, tmp_path / "unlock")])
    dialog = result_dialog(window, qtbot)
    note = "Headquarters unlocked 1st semester 2026: its reports can be changed again."
    assert dialog.lock_note.text() == note
    assert not dialog.stuck_warning.isVisibleTo(dialog)
    assert dialog.table.item(0, 3).text().endswith("; headquarters unlocked 1st semester 2026")
    close(window, qtbot, dialog)
    assert window.statusBar().whole_message() == note
    qtbot.waitUntil(lambda: "locked by headquarters" not in window.sync_label.toolTip(),
                    timeout=5000)
    editor = _choose(window, qtbot, code)
    qtbot.waitUntil(lambda: editor.status.isEnabled(), timeout=5000)
    assert not editor.notice.isVisibleTo(window)


@pytest.mark.parametrize(("lang", "separator", "headquarters"), [
    ("fr", "\u202f; ", "HQ · Siège"), ("ar", "؛ ", "HQ · المقر الرئيسي")])
def test_the_import_result_speaks_the_language_in_its_joins_and_office(
        lang, separator, headquarters, qtbot):
    """"27 nouveaux sur 27 événements; le plan…" and "…حدثًا; أصبحت…": the details'
    clauses joined as English joins them; and headquarters named "HQ" in the Office
    column where the rest of the client says "Siège"."""
    from PySide6.QtWidgets import QApplication

    from fieldplan.sync.exchange import ImportOutcome
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    apply_language(QApplication.instance(), lang)
    try:
        dialog = ImportResultDialog(None, [ImportOutcome(
            "HQ-to-SN-1-3.fieldplan", "merged", office="HQ", events_new=27,
            events_total=27, plan_version=2)])
        qtbot.addWidget(dialog)
        details = dialog.table.item(0, 3).text()
        assert separator in details and "; " not in details.replace(separator, "")
        assert dialog.table.item(0, 1).text() == headquarters
        assert dialog.table.item(0, 1).toolTip() == headquarters
    finally:
        apply_language(QApplication.instance(), "en")
