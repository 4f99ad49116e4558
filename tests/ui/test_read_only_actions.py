"""A database on a write-protected USB stick opens read-only (store.connect): every
action and button that would write to it is disabled and says why, rather than failing
after its confirmation; what writes elsewhere (Export, printing, tables) still works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldplan import progress
from tests.scenes import laptops_in_conflict
from tests.ui.conftest import wait_idle
from ui.context import read_only_text

sync = pytest.importorskip("fieldplan.sync")


def on_a_read_only_stick(rep, tmp_path: Path, monkeypatch) -> Path:
    """A copy of ``rep``'s database and key (``rep`` closed first) in a folder SQLite
    cannot write beside, as on a write-protected stick: its ``-shm`` file cannot be
    made (see tests/core/test_read_only_place.py)."""
    from fieldplan import store

    source = Path(rep.path)
    rep.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    for name in (source.name, source.name + ".key"):
        shutil.copy2(source.parent / name, stick / name)
    db = stick / source.name
    (stick / (db.name + "-shm")).symlink_to(stick / "gone" / "shm")
    monkeypatch.setattr(store, "_read_only_place", lambda path, exc: path == db)
    return db


def assert_refused(*targets) -> None:
    for target in targets:
        assert not target.isEnabled(), target.text()
        assert target.toolTip() == read_only_text(), target.text()


def assert_offered(*targets) -> None:
    for target in targets:
        assert target.isEnabled(), target.text()
        assert target.toolTip() != read_only_text(), target.text()


def test_an_office_on_a_read_only_stick_offers_no_writes(open_window, qtbot, hq,
                                                         make_office, tmp_path,
                                                         monkeypatch):
    """Submit, Import, Save now and a conflict's Keep are disabled, saying why; Export,
    email, the status sheet and the table are not. A bundle dropped anyway is refused
    at once, with the same words."""
    a, _b, _code, out = laptops_in_conflict(hq, make_office, tmp_path, told="")
    back = sync.export_bundle(hq, for_office="ML", out_dir=out).path
    sync.import_bundle(a, back)
    assert len(sync.list_conflicts(a)) == 1
    db = on_a_read_only_stick(a, tmp_path, monkeypatch)
    window = open_window(db)
    assert window.identity.read_only
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert_refused(window.submit_action, window.import_action, window.save_action)
    assert_offered(window.export_action, window.email_action, window.sheet_action,
                   window.table_action)
    assert window.submit_action.statusTip() == read_only_text()
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    assert_refused(*page.keep_buttons)
    window.grab().save(str(tmp_path / "read-only-office.png"))

    from ui.dialogs import MessageDialog

    def said() -> list[str]:  # (the first box: what the core said as it opened)
        return [box.text.text() for box in window.findChildren(MessageDialog, "error-box")]

    window.import_files([str(back)])
    assert said()[-1] == read_only_text()
    wait_idle(qtbot, window.session)
    assert window.findChild(object, "import-result") is None


def test_headquarters_on_a_read_only_stick_offers_no_writes(open_window, qtbot, hq,
                                                            make_office, tmp_path,
                                                            monkeypatch):
    """At headquarters too: locking, enrolling, replacing the plan, trusting, refusing
    or revoking a key; the plan's export, the review pack and Export stay."""
    from ui.transfer import ExportDialog

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path).outcome \
        == "merged"
    sn = make_office("SN")
    with sync_transaction(sn):  # no enrolment proof: its key waits in quarantine
        sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(sn, sn.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    assert sync.import_bundle(hq, sync.export_bundle(sn, out_dir=tmp_path).path).outcome \
        == "quarantined"
    lost = ml.meta("key_id")
    db = on_a_read_only_stick(hq, tmp_path, monkeypatch)
    window = open_window(db)
    assert window.identity.read_only
    wait_idle(qtbot, window.session)
    assert_refused(window.submit_action, window.import_action, window.lock_action,
                   window.unlock_action, window.enrol_action, window.replace_plan_action,
                   window.lost_action)
    assert_offered(window.export_action, window.email_action, window.sheet_action,
                   window.pack_action, window.table_action, window.export_plan_action)

    keys = window.hq_desk.keys
    window.show_page(keys)
    qtbot.waitUntil(lambda: keys.model.rowCount() == 2, timeout=5000)  # HQ's, ML's
    keys.view.selectRow(next(i for i in range(2) if keys.model.row_at(i).key_id == lost))
    assert keys.selected().key_id == lost
    assert_refused(keys.revoke_button)

    quarantine = window.hq_desk.quarantine
    window.show_page(quarantine)
    qtbot.waitUntil(lambda: quarantine.model.rowCount() == 1, timeout=5000)
    quarantine.view.selectRow(0)
    assert quarantine.selected() is not None
    assert_refused(quarantine.trust_button, quarantine.refuse_button)
    window.grab().save(str(tmp_path / "read-only-hq.png"))

    dialog = ExportDialog(window.session, window.identity, window)
    assert_refused(dialog.enrol_button)
    dialog.close()


def sync_transaction(rep):
    from fieldplan import store

    return store.write_transaction(rep.conn)
