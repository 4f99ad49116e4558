"""A laptop whose key headquarters revoked, in the client: the import that revokes it
says so (the result's note and row), the report editor says that what is saved stays
here, and File ▸ Set this computer up again… (also the status bar's button, and a
setup bundle imported there) moves the old database aside and opens the new one.
Before, the status bar said "ask headquarters for a new setup bundle" and every way of
using one in the client was refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.status import key_revoked
from tests.ui.conftest import wait_idle
from tests.ui.test_hq_office import _choose
from tests.ui.test_sync_ui import drop, result_dialog
from ui.qtcompat import emit

sync = pytest.importorskip("fieldplan.sync")
S1 = "2026-S1"


def shot(widget, name: str) -> None:
    """A picture of what the test shows, to look at, into the folder named by
    FIELDPLAN_SHOTS when it is set (kept out of the test's checks)."""
    folder = os.environ.get("FIELDPLAN_SHOTS")
    if folder:
        Path(folder).mkdir(exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


def revoked_world(hq, make_office, tmp_path: Path, *, imported: bool):
    """An ML laptop HQ registered then revoked; the bundle that tells it (imported
    already when ``imported``), and one change typed there since. Returns (laptop's
    database, its national action, HQ's bundle)."""
    lap = make_office("ML", "lap")
    code = lap.plan().actions_of(level="national")[0].code
    progress.record_progress(lap, code, S1, status="on-track", percent=10)
    out = tmp_path / "lap-out"
    out.mkdir()
    assert sync.import_bundle(hq, sync.export_bundle(lap, out_dir=out).path).outcome == "merged"
    sync.revoke_key(hq, lap.meta("key_id"))
    folder = tmp_path / "hq-out"
    folder.mkdir()
    bundle = Path(sync.export_bundle(hq, for_office="ML", out_dir=folder).path)
    if imported:
        assert sync.import_bundle(lap, bundle).revoked_here
        progress.record_progress(lap, code, S1, percent=40)
    path = lap.path
    lap.close()
    return path, code, bundle


def test_the_import_result_says_this_computer_was_revoked(open_window, qtbot, hq,
                                                          make_office, tmp_path):
    path, _code, bundle = revoked_world(hq, make_office, tmp_path, imported=False)
    window = open_window(path)
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    assert dialog.revoked_note.isVisibleTo(dialog)
    assert dialog.revoked_note.text() == (
        "Headquarters revoked this computer's key: nothing made here can be sent any "
        "more. Ask headquarters for a new setup bundle, then set this computer up again "
        "with it (File ▸ Set this computer up again…).")
    assert dialog.table.item(0, 3).text().endswith(
        "; headquarters revoked this computer's key and refuses its bundles; ask "
        "headquarters for a new setup bundle")
    shot(dialog, f"import-result-{QApplication.layoutDirection().name}.png")
    dialog.accept()
    wait_idle(qtbot, window.session)
    # the status bar's way on, and the File menu's
    qtbot.waitUntil(lambda: window.again_button.isVisibleTo(window), timeout=5000)
    assert window.again_action.isVisible()


def test_a_revoked_laptops_editor_says_its_work_stays_here(open_window, qtbot, hq,
                                                           make_office, tmp_path):
    path, code, _bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    window = open_window(path)
    editor = _choose(window, qtbot, code)
    wait_idle(qtbot, window.session)
    assert editor.notice.isVisibleTo(window)
    assert editor.notice.text().startswith(
        "Headquarters revoked this computer's key: what is recorded here is kept on this "
        "computer but can never be sent; set this computer up again from a new setup "
        "bundle (File ▸ Set this computer up again…) and type it again there.")
    assert editor.status.isEnabled()  # it can still be typed (and read again later)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.again_button.isVisibleTo(window), timeout=5000)
    assert "1 change made here has not reached headquarters" in window.sync_label.toolTip()
    shot(window, f"editor-{QApplication.layoutDirection().name}.png")


def test_a_laptop_that_can_send_offers_no_setting_up_again(open_window, qtbot, hq,
                                                           make_office, tmp_path):
    lap = make_office("ML", "fine")
    path = lap.path
    lap.close()
    window = open_window(path)
    window.refresh_sync_state()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.sync_label.text() != "Sync: …", timeout=5000)
    assert not window.again_button.isVisibleTo(window)
    assert not window.again_action.isVisible()


def open_shell(shell, qtbot, path: Path):
    shell.start(path)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    wait_idle(qtbot, shell.session)
    window.refresh_sync_state()
    qtbot.waitUntil(lambda: window.again_action.isVisible(), timeout=5000)
    return window


def again_dialog(window, qtbot):
    """File ▸ Set this computer up again…, and the dialog it opens."""
    window.again_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "set-up-again-dialog") is not None,
                    timeout=5000)
    return window.findChild(object, "set-up-again-dialog")


def test_setting_up_again_moves_the_old_files_aside_and_opens_the_new(
        shell, qtbot, hq, make_office, tmp_path, monkeypatch):
    path, _code, _bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    with open_replica(path) as old:
        old_id = old.replica_id
    setup = tmp_path / "ML-again.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    window = open_shell(shell, qtbot, path)
    dialog = again_dialog(window, qtbot)
    folder = dialog.folder
    assert folder.parent == path.parent and folder.name.startswith("lap.sqlite3-revoked-")
    assert str(folder) in dialog.text.text()
    assert "1 change made here never reached headquarters" in dialog.text.text()
    assert not dialog.ok_button.isEnabled()  # a setup bundle first
    dialog.set_setup(str(setup))
    assert dialog.ok_button.isEnabled()
    shot(dialog, f"set-up-again-{QApplication.layoutDirection().name}.png")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: shell.window is not None and shell.window is not window,
                    timeout=15_000)
    new = shell.window
    wait_idle(qtbot, shell.session)
    assert new.identity.office == "ML"
    with open_replica(path) as rep:
        assert rep.replica_id != old_id and not key_revoked(rep)
    with open_replica(folder / "lap.sqlite3") as old:
        assert old.replica_id == old_id  # kept, with its key file beside it
    assert (folder / "lap.sqlite3.key").is_file()
    qtbot.waitUntil(lambda: new.findChild(object, "set-up-again-done") is not None,
                    timeout=5000)
    done = new.findChild(object, "set-up-again-done")
    assert done.text.text() == (
        f"This computer is set up again. The old database, its key file and its backups "
        f"are kept in {folder}. 1 change made there never reached headquarters: type it "
        f"again here.")
    # and the way to it: the folder, in the file manager
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert done.folder_button.isVisible() and done.folder_button.text() == "Open the fol&der"
    done.folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(folder))]
    shot(done, f"set-up-again-done-{QApplication.layoutDirection().name}.png")
    new.refresh_sync_state()
    wait_idle(qtbot, shell.session)
    assert not new.again_action.isVisible()


def test_a_setup_bundle_imported_on_a_revoked_laptop_offers_setting_up_again(
        open_window, qtbot, hq, make_office, tmp_path):
    path, _code, _bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    setup = tmp_path / "ML-again.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    window = open_window(path)
    drop(window, [setup])
    qtbot.waitUntil(lambda: window.findChild(object, "set-up-again-dialog") is not None,
                    timeout=10_000)
    dialog = window.findChild(object, "set-up-again-dialog")
    assert dialog.setup == str(setup) and dialog.ok_button.isEnabled()
    dialog.reject()
    result_dialog(window, qtbot).accept()
    wait_idle(qtbot, window.session)
    assert path.exists()  # nothing moved without the person's OK


@pytest.fixture
def arabic(qapp):
    from ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


def test_the_set_up_again_dialog_in_arabic_keeps_its_paths_whole(
        arabic, open_window, qtbot, hq, make_office, tmp_path):
    """Right to left, the folder and the file name read as written (isolated)."""
    from PySide6.QtCore import Qt

    from ui.bidi import isolated

    path, _code, bundle = revoked_world(hq, make_office, tmp_path, imported=False)
    window = open_window(path)
    drop(window, [bundle])
    result = result_dialog(window, qtbot)
    assert result.revoked_note.isVisibleTo(result)
    shot(result, "import-result-ar.png")
    result.accept()
    wait_idle(qtbot, window.session)
    window.set_up_again_dialog(str(bundle))
    dialog = window.findChild(object, "set-up-again-dialog")
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert isolated(str(dialog.folder)) in dialog.text.text()
    shot(dialog, "set-up-again-ar.png")
    dialog.reject()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_inbox_line_of_the_revoking_bundle_says_so_after_a_restart(
        lang, qapp, open_window, qtbot, hq, make_office, tmp_path):
    """The Inbox, read from the database at the next start, says of headquarters'
    bundle that it revoked this computer's key, and the way on, as the import result
    did (before, only "Merged")."""
    from ui.app import apply_language
    from ui.hq_desk import select_row
    from ui.set_up_again import revoked_here_text

    path, _code, bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    apply_language(qapp, lang)
    try:
        window = open_window(path)
        page = window.inbox
        window.show_page(page)
        model = page.model
        qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=5000)
        row = next(i for i in range(model.rowCount()) if model.row_at(i).file == bundle.name)
        outcome = model.display(model.row_at(row), model.OUTCOME)
        reason = model.display(model.row_at(row), model.REASON)
        note = revoked_here_text()
        if lang == "en":
            assert outcome == "Merged, revoked this computer's key"
            assert reason == (
                "Headquarters revoked this computer's key: nothing made here can be sent "
                "any more. Ask headquarters for a new setup bundle, then set this computer "
                "up again with it (File ▸ Set this computer up again…).")
        # (in Arabic, with the Latin runs in it isolated)
        assert note in "".join(ch for ch in reason if ch not in "\u2066\u2069")
        select_row(page.view, row)  # and the line under the table, whole
        assert outcome in page.detail.text() and reason in page.detail.text()
        window.resize(1100, 600)
        shot(window, f"inbox-revoked-{lang}.png")
    finally:
        apply_language(qapp, "en")


def test_the_computer_set_up_again_opens_where_the_person_was(
        shell, qtbot, hq, make_office, tmp_path, settings):
    """The new database is the same office on the same computer: it opens on the
    period and action chosen in the one it replaces (ui.window_settings, keyed by
    replica, would otherwise start afresh)."""
    path, code, _bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    setup = tmp_path / "ML-again.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    window = open_shell(shell, qtbot, path)
    window.set_period("2025-S2")
    assert window.office_view.tree.select(code)
    wait_idle(qtbot, shell.session)
    before = window.identity.replica_id
    emit(window.set_up_again_was_asked, str(setup), "")
    qtbot.waitUntil(lambda: shell.window is not None and shell.window is not window,
                    timeout=15_000)
    new = shell.window
    wait_idle(qtbot, shell.session)
    assert new.identity.replica_id != before
    assert new.period == "2025-S2"
    assert new.office_view.tree.current_action().code == code


def test_a_computer_set_up_again_with_its_date_gone_back_is_told(
        shell, qtbot, hq, make_office, tmp_path, monkeypatch):
    """Set up again from a bundle headquarters wrote after what this computer's clock
    says (a flat BIOS battery: 1 Jan 2000): the set-up noted it, and the client dropped
    the note with the database it had made, as the first run did. Said once the new
    window is up."""
    from tests.scenes import clock_gone_back
    from tests.ui.conftest import error_box

    path, _code, _bundle = revoked_world(hq, make_office, tmp_path, imported=True)
    setup = tmp_path / "ML-again.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    window = open_shell(shell, qtbot, path)
    dialog = again_dialog(window, qtbot)
    dialog.set_setup(str(setup))
    clock_gone_back(monkeypatch)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: shell.window is not None and shell.window is not window,
                    timeout=15_000)
    box = error_box(qtbot, shell.window)
    assert "this computer's clock seems to be behind (it says 1 Jan 2000" in box.text.text()
    box.close()


def test_a_laptop_whose_key_a_trust_replaced_is_told_which_key_and_the_way_on(
        open_window, qtbot, hq, make_office, tmp_path):
    """Headquarters trusted another key for this laptop (keys.replace_by_trust): its
    next bundle said nothing here, and the laptop went on exporting bundles
    headquarters refused. The import result names the key headquarters trusted, and
    the status bar offers setting up again, as for a revoked key."""
    from fieldplan import bundle as bundlefmt
    from fieldplan import minisign, store

    lap = make_office("ML", "lap")
    code = lap.plan().actions_of(level="national")[0].code
    progress.record_progress(lap, code, S1, status="on-track", percent=10)
    out = tmp_path / "lap-out"
    out.mkdir()
    assert sync.import_bundle(hq, sync.export_bundle(lap, out_dir=out).path).outcome == "merged"
    with store.write_transaction(hq.conn):  # (no setup bundle proves anything now)
        hq.conn.execute("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00Z'")
    key = minisign.generate_key()
    forged = tmp_path / "other.fieldplan"
    bundlefmt.write_bundle(forged, {"kind": "sync", "plan_id": lap.plan_id,
                                    "sender": lap.replica_id, "office": "ML",
                                    "recipient": "HQ", "ranges": {}, "acks": {}}, [], key)
    assert sync.import_bundle(hq, forged).outcome == "quarantined"
    sync.trust_key(hq, key.public.fingerprint)
    folder = tmp_path / "hq-out"
    folder.mkdir()
    bundle = Path(sync.export_bundle(hq, for_office="ML", out_dir=folder).path)
    path = lap.path
    lap.close()
    window = open_window(path)
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    new = key.public.key_id_hex
    assert dialog.revoked_note.isVisibleTo(dialog)
    assert dialog.revoked_note.text().startswith(
        f"Headquarters trusted key {new} for this computer in place of its key: nothing "
        "made here can be sent any more. If nobody changed this computer's key, tell "
        f"headquarters that key {new} is not this office's.")
    shot(dialog, f"replaced-result-{QApplication.layoutDirection().name}.png")
    dialog.accept()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.again_button.isVisibleTo(window), timeout=5000)
    assert f"eadquarters trusted key {new} for this computer" in window.sync_label.toolTip()
    shot(window, f"replaced-window-{QApplication.layoutDirection().name}.png")
