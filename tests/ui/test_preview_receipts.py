"""An office's status sheet says which reports headquarters' bundles have not
acknowledged yet ("Not yet at headquarters"); headquarters' reply imported while its
preview is open changes that, though it brings no event: the preview says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

pytest.importorskip("PySide6.QtPdf")

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_report_preview import choose, previews

sync = pytest.importorskip("fieldplan.sync")


def test_headquarters_reply_imported_under_an_open_sheet_is_said(
        office_db: Path, open_window, qtbot, tmp_path: Path) -> None:
    """The sheet asks the office to "export, and import headquarters' reply"; done with
    its preview open, the reply (receipts alone) changed what the sheet prints, and the
    preview went on showing "Not yet at headquarters" as current."""
    from ui import transfer

    hq_path = tmp_path / "hq" / "hq.sqlite3"
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    with open_replica(office_db) as sn:
        code = sn.plan().actions_of(level="national")[0].code
        period = str(sn.plan().period_for_date(dt.date.today()) or "2026-S1")
        progress.record_progress(sn, code, period, status="on-track", percent=20)
        first = sync.export_bundle(sn, out_dir=tmp_path / "1").path
    with open_replica(hq_path) as hq:  # (a first round: what headquarters has to send)
        sync.import_bundle(hq, first)
        reply = sync.export_bundle(hq, for_office="SN", out_dir=tmp_path / "1").path
    with open_replica(office_db) as sn:
        sync.import_bundle(sn, reply)
        progress.record_progress(sn, code, period, status="on-track", percent=30)
        bundle = sync.export_bundle(sn, out_dir=tmp_path / "2").path
    window = open_window(office_db)
    window.office_view.set_period(period)
    wait_idle(qtbot, window.session)
    dialog = choose(window, "sheet")
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData(period))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews(window)), timeout=20_000)
    wait_idle(qtbot, window.session)
    (preview,) = previews(window)
    assert not preview.stale_note.isVisible()
    assert "Not yet at headquarters" in pages_text(preview)

    with open_replica(hq_path) as hq:
        sync.import_bundle(hq, bundle)
        reply = sync.export_bundle(hq, for_office="SN", out_dir=tmp_path / "2").path
    outcomes = []

    def imported(rep):
        outcomes.append(sync.import_bundle(rep, reply))

    from ui.ops import DbOp

    DbOp(window.session, window, imported).run()
    wait_idle(qtbot, window.session)
    assert outcomes and outcomes[0].events_new == 0  # (receipts alone)
    transfer._imported(window.session, window, outcomes)
    assert preview.stale_note.isVisible() and preview.remake_button.isVisible()
    for dialog in window.findChildren(transfer.ImportResultDialog):
        dialog.close()
    qtbot.mouseClick(preview.remake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(preview) or not preview.isVisible(),
                    timeout=20_000)
    wait_idle(qtbot, window.session)
    (again,) = [p for p in previews(window) if p.isVisible()]
    assert "Not yet at headquarters" not in pages_text(again)
    again.close()


def test_a_sheet_without_receipts_is_not_said_changed_by_an_import_alone():
    """At headquarters, which holds what it shows, an import that brought no event
    changes no sheet."""
    from fieldplan.replica import Changes
    from ui.report_preview import ReportRequest, shows_changes

    sheet = ReportRequest("sheet", "2026-S1", office="SN")
    inbox = Changes(entities=(("inbox", "*"),))
    assert shows_changes(sheet, inbox, receipts=True)
    assert not shows_changes(sheet, inbox)


def pages_text(preview) -> str:
    document = preview.document
    return "\n".join(document.getAllText(page).text()
                     for page in range(document.pageCount()))


def test_a_key_revoked_under_an_open_review_pack_is_said(office_db: Path, tmp_path: Path,
                                                          qtbot, pack_pdf) -> None:
    """The review pack says of a conflict's value that its computer's key was revoked
    ("Computer 3f2a91c0, moussa, revoked"): a key revoked on the Keys page with the
    pack's preview open left it saying nothing of it, as if current. A key of this
    computer's own made anew (("key", "*")) changes no report."""
    from fieldplan.replica import Changes
    from ui.report_preview import PreviewWindow, ReportRequest, shows_changes

    hq_path = tmp_path / "hq" / "hq.sqlite3"
    with open_replica(office_db) as sn:
        key_id = sn.meta("key_id")
        bundle = sync.export_bundle(sn, out_dir=tmp_path).path
    with open_replica(hq_path) as hq:
        assert sync.import_bundle(hq, bundle).outcome == "merged"
        revoked = sync.revoke_key(hq, key_id)
    pack = ReportRequest("pack", "2026-S1")
    assert shows_changes(pack, revoked)
    assert not shows_changes(ReportRequest("sheet", "2026-S1", office="SN"), revoked)
    assert not shows_changes(pack, Changes(entities=(("key", "*"),)))
    preview = PreviewWindow(None, pack_pdf, pack)
    qtbot.addWidget(preview)
    preview.show()
    preview._changes_did_happen(revoked)
    assert preview.stale_note.isVisible()
