"""The report form says, at an office, whether headquarters holds the report as shown
(``fieldplan.sync.receipts``): only the status bar said it, for the office as a whole.
Read on the worker when the report is shown, and again when a save, an export or an
import may change it."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.replica import Changes, open_replica
from fieldplan.sync import receipts
from tests.ui.conftest import wait_idle
from ui.qtcompat import emit

sync = pytest.importorskip("fieldplan.sync")


def _line(window) -> str:
    editor = window.office_view.editor
    return editor.hq_line.text() if editor.hq_line.isVisibleTo(window) else ""


def test_the_form_says_whether_headquarters_holds_the_report(
        office_db: Path, open_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    hq_path = tmp_path / "hq" / "hq.sqlite3"
    with open_replica(office_db) as sn:
        code = sn.plan().actions_of(level="national")[0].code
        period = str(sn.plan().period_for_date(dt.date.today()) or "2026-S1")
        progress.record_progress(sn, code, period, status="on-track", percent=20)
    threads = []
    real = receipts.hq_receipts
    monkeypatch.setattr(receipts, "hq_receipts", lambda *a, **kw: threads.append(
        threading.current_thread()) or real(*a, **kw))
    window = open_window(office_db)
    window.office_view.set_period(period)
    window.office_view.select_action(code)
    qtbot.waitUntil(lambda: _line(window) == "Not sent to headquarters yet", timeout=5000)

    # exported (the Export dialog's end): sent, when
    with open_replica(office_db) as sn:
        bundle = sync.export_bundle(sn, out_dir=tmp_path).path
    window._exported(None)
    qtbot.waitUntil(lambda: _line(window).startswith("Sent to headquarters on "),
                    timeout=5000)
    assert _line(window).endswith(", not acknowledged yet")

    # headquarters' reply imported, with its receipt (told as an import that brought
    # no event of the report is)
    with open_replica(hq_path) as hq:
        sync.import_bundle(hq, bundle)
        reply = sync.export_bundle(hq, for_office="SN", out_dir=tmp_path).path
    with open_replica(office_db) as sn:
        sync.import_bundle(sn, reply)
    emit(window.session.changes_did_happen, Changes(entities=(("inbox", "*"),)))
    qtbot.waitUntil(lambda: _line(window) == "Headquarters has this version", timeout=5000)

    # a save makes a version headquarters does not have; it has the one before (the
    # line said "Not sent to headquarters yet", as of a report it never had)
    editor = window.office_view.editor
    editor.percent.setText("35")
    editor._edited()
    editor.save_now()
    qtbot.waitUntil(lambda: _line(window) == "Headquarters has an earlier version; this "
                    "one is not sent yet", timeout=5000)
    with open_replica(office_db) as sn:
        sync.export_bundle(sn, out_dir=tmp_path)
    window._exported(None)
    qtbot.waitUntil(lambda: _line(window).startswith(
        "Headquarters has an earlier version; this one was sent on "), timeout=5000)
    wait_idle(qtbot, window.session)
    # every reading on the worker, none on the GUI thread
    assert threads and threading.main_thread() not in threads


def test_headquarters_says_nothing_of_it(hq_db: Path, open_window, qtbot) -> None:
    window = open_window(hq_db)
    window.office_view.set_period("2026-S1")
    window.office_view.select_action("PA1.6")
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.office_view.editor.report is not None, timeout=5000)
    assert _line(window) == ""


def test_a_revoked_computer_s_form_does_not_say_yet(open_window, qtbot, hq, make_office,
                                                    tmp_path: Path) -> None:
    """Headquarters revoked this computer's key: the form said "Not sent to
    headquarters yet" of a report it can never send, below a notice and beside a status
    bar saying the key was revoked."""
    out = tmp_path / "out"
    out.mkdir()
    ml = make_office("ML")
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    sync.import_bundle(hq, sync.export_bundle(ml, out_dir=out).path)
    sync.revoke_key(hq, ml.meta("key_id"))
    sync.import_bundle(ml, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    progress.record_progress(ml, code, "2026-S1", percent=30)  # (a version after it)
    path = ml.path
    ml.close()
    window = open_window(path)
    window.office_view.set_period("2026-S1")
    window.office_view.select_action(code)
    qtbot.waitUntil(lambda: _line(window) != "", timeout=5000)
    assert _line(window) == ("Not at headquarters, and it cannot be sent from this "
                             "computer: headquarters revoked its key")
    assert "revoked" in window.office_view.editor.notice.text()


def test_a_report_reopened_is_still_at_headquarters_as_it_was(
        office_db: Path, open_window, qtbot, tmp_path: Path) -> None:
    """A report submitted, sent, acknowledged, then reopened to correct it: its form
    said "Not sent to headquarters yet", and staff read that headquarters had never
    had it. It says headquarters has the earlier version."""
    from tests.ui.test_office_work import choose_submitted

    hq_path = tmp_path / "hq" / "hq.sqlite3"
    with open_replica(office_db) as sn:
        code = sn.plan().actions_of(level="national")[0].code
        progress.record_progress(sn, code, "2026-S1", status="on-track", percent=20)
        progress.submit_period(sn, "2026-S1")
        bundle = sync.export_bundle(sn, out_dir=tmp_path).path
    with open_replica(hq_path) as hq:
        sync.import_bundle(hq, bundle)
        reply = sync.export_bundle(hq, for_office="SN", out_dir=tmp_path).path
    with open_replica(office_db) as sn:
        sync.import_bundle(sn, reply)
    window = open_window(office_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    editor = choose_submitted(window, qtbot, code)
    qtbot.waitUntil(lambda: _line(window) == "Headquarters has this version", timeout=5000)
    editor.reopen_button.click()
    qtbot.waitUntil(lambda: editor.status.isEnabled(), timeout=5000)
    qtbot.waitUntil(lambda: _line(window) == "Headquarters has an earlier version; this "
                    "one is not sent yet", timeout=5000)
    wait_idle(qtbot, window.session)
