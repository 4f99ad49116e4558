"""Headquarters and an office through their windows: HQ writes bundles only for
enrolled offices and enrols new ones from its menu; a period HQ locks reaches the
office in a bundle and makes its editor read-only, and unlocking gives it back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import path_shown_whole, wait_idle
from tests.ui.test_sync_ui import drop, result_dialog

sync = pytest.importorskip("fieldplan.sync")


def send_to_hq(office, hq, tmp_path: Path) -> None:
    """The office's first bundle reaches HQ: its key is now in HQ's registry."""
    out = tmp_path / "to-hq"
    out.mkdir(exist_ok=True)
    outcome = sync.import_bundle(hq, sync.export_bundle(office, out_dir=out).path)
    assert outcome.outcome == "merged"


def export_from(window, qtbot, folder: Path, office: str) -> Path:
    from ui.transfer import ExportDialog

    dialog = ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.ok.isEnabled(), timeout=5000)
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(office))
    folder.mkdir(exist_ok=True)  # a folder chosen is there: the dialog makes none
    dialog.folder.setText(str(folder))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=10_000)
    path = Path(dialog.result_info.path)
    dialog.close()
    return path


def test_hq_exports_only_for_enrolled_offices(open_window, qtbot, hq, make_office, tmp_path):
    ml = make_office("ML")
    make_office("SN")  # has its setup bundle, but nothing reached HQ yet
    send_to_hq(ml, hq, tmp_path)
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    from ui.transfer import ALL_OFFICES, ExportDialog

    dialog = ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.recipient.count() > 0, timeout=5000)
    # (and above them "All offices", one file each: the offices headquarters knows)
    assert [dialog.recipient.itemData(i) for i in range(dialog.recipient.count())] == [
        ALL_OFFICES, None, "ML"]
    # every office by default (the review's bundles go to them all)
    assert dialog.recipient.currentData() == ALL_OFFICES
    assert dialog.ok.isEnabled() and dialog.message.text().startswith(
        "A bundle for each office headquarters knows")
    dialog.close()
    path = export_from(window, qtbot, tmp_path / "out", "ML")
    assert sync.import_bundle(ml, path).outcome in ("merged", "duplicate")
    wait_idle(qtbot, window.session)


def test_hq_with_no_enrolled_office_is_offered_enrolment(open_window, qtbot, hq, tmp_path):
    from PySide6.QtWidgets import QDialog

    from ui.transfer import ExportDialog

    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    dialog = ExportDialog(window.session, window.identity, window)
    dialog.open()
    qtbot.waitUntil(lambda: "No office is enrolled" in dialog.message.text(), timeout=5000)
    assert dialog.recipient.count() == 0 and not dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.findChild(QDialog, "enrol-dialog") is not None
    dialog.close()
    # the HQ menu has it too
    window.enrol_action.trigger()
    enrol = window.findChild(QDialog, "enrol-dialog")
    enrol.choose("SN")
    enrol.folder.setText(str(tmp_path / "setup"))
    qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)  # a folder chosen is not made
    qtbot.waitUntil(lambda: enrol.ok.isEnabled(), timeout=10_000)
    assert enrol.message.text() == f"The folder {tmp_path / 'setup'} does not exist"
    assert not (tmp_path / "setup").exists() and enrol.result_path is None
    (tmp_path / "setup").mkdir()
    qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: enrol.result_path is not None, timeout=10_000)
    assert enrol.result_path == tmp_path / "setup" / "SN-setup.fieldplan"
    assert "SN-setup.fieldplan" in enrol.path_label.text()
    with sync.init_from_setup(tmp_path / "sn.sqlite3", enrol.result_path) as office:
        assert office.office == "SN"
    enrol.close()
    wait_idle(qtbot, window.session)


def test_enrolling_where_a_setup_bundle_is_already_named_writes_beside_it(open_window, qtbot,
                                                                         hq, tmp_path):
    """A trial HQ database on the same computer had written ML-setup.fieldplan to the
    outbox: the dialog said "it is a bundle another computer wrote …; choose another
    file", and it asks for a folder, not a file: a dead end. It now writes beside it
    under a name no file has, as ``office enroll -o FOLDER`` does, and says which."""
    from PySide6.QtWidgets import QDialog

    from fieldplan.replica import init_hq

    out = tmp_path / "outbox"
    out.mkdir()
    with init_hq(tmp_path / "trial.sqlite3") as trial:
        sync.enroll_office(trial, "ML", out / "ML-setup.fieldplan")
    trials = (out / "ML-setup.fieldplan").read_bytes()
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    window.enrol_action.trigger()
    enrol = window.findChild(QDialog, "enrol-dialog")
    enrol.choose("ML")
    enrol.folder.setText(str(out))
    for n in (2, 3):  # and again: the one written before is not replaced either
        enrol.result_path = None
        qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: enrol.result_path is not None, timeout=10_000)
        assert enrol.result_path == out / f"ML-setup_{n}.fieldplan"
        assert enrol.path_label.text() == str(out / f"ML-setup_{n}.fieldplan")
    assert (out / "ML-setup.fieldplan").read_bytes() == trials
    with sync.init_from_setup(tmp_path / "ml.sqlite3", enrol.result_path) as office:
        assert office.office == "ML"
    enrol.close()
    wait_idle(qtbot, window.session)


def _choose(window, qtbot, code: str):
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code, timeout=5000)
    wait_idle(qtbot, window.session)
    return editor


def _set_lock(window, qtbot, locked: bool) -> None:
    from PySide6.QtWidgets import QDialog

    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    (window.lock_action if locked else window.unlock_action).trigger()
    # opened once the database has said what the lock would leave stuck
    qtbot.waitUntil(lambda: window.findChild(QDialog, "lock-dialog") is not None,
                    timeout=5000)
    dialog = window.findChild(QDialog, "lock-dialog")
    assert "2026" in dialog.text.text()
    dialog.accept()
    wait_idle(qtbot, window.session)
    with open_replica(window.identity.db_path) as rep:
        assert progress.is_locked(rep, "2026-S1") is locked


def _receive(office_window, qtbot, bundle: Path) -> None:
    drop(office_window, [bundle])
    dialog = result_dialog(office_window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["merged"]
    dialog.accept()
    wait_idle(qtbot, office_window.session)


def test_period_lock_reaches_the_office_and_makes_its_editor_read_only(
    open_window, qtbot, hq, make_office, tmp_path
):
    sn = make_office("SN")
    code = sn.plan().actions_of(level="national")[0].code
    progress.record_progress(sn, code, "2026-S1", status="on-track", percent=20)
    send_to_hq(sn, hq, tmp_path)
    hq_path, sn_path = hq.path, sn.path
    hq.close()
    sn.close()
    hq_window = open_window(hq_path)
    office = open_window(sn_path)
    editor = _choose(office, qtbot, code)
    assert editor.status.isEnabled() and not editor.percent.isReadOnly()

    _set_lock(hq_window, qtbot, True)
    _receive(office, qtbot, export_from(hq_window, qtbot, tmp_path / "lock", "SN"))
    qtbot.waitUntil(lambda: not editor.status.isEnabled(), timeout=5000)
    assert editor.percent.isReadOnly()
    assert all(box.isReadOnly() for box in editor.narratives.values())
    assert editor.notice.isVisibleTo(office)
    # a draft: said as the dashboard and 'fieldplan status' say it, not only the lock
    # (the form said "Headquarters has locked this period." and its details "Draft")
    assert editor.notice.text() == (
        "Headquarters has locked this period: this draft will not be submitted unless "
        "headquarters unlocks the period.")
    assert " · Draft, left when the period was locked" in editor.meta.text()
    assert not editor.reopen_button.isVisibleTo(office)

    _set_lock(hq_window, qtbot, False)
    _receive(office, qtbot, export_from(hq_window, qtbot, tmp_path / "unlock", "SN"))
    qtbot.waitUntil(lambda: editor.status.isEnabled(), timeout=5000)
    assert not editor.percent.isReadOnly() and not editor.notice.isVisibleTo(office)
    assert " · Draft" in editor.meta.text() and "locked" not in editor.meta.text()
    with open_replica(sn_path) as rep:
        assert not progress.is_locked(rep, "2026-S1")


def test_the_enrol_dialog_lists_the_country_offices_first_and_chooses_none(
        open_window, qtbot, hq, tmp_path):
    """The seven regional offices came first, "RO-Bangkok" chosen: Enter wrote a setup
    bundle for an office no one meant. The country offices (most of those enrolled)
    come first, the regional ones after a line, and none is chosen: Write asks for
    one."""
    from PySide6.QtWidgets import QDialog

    from fieldplan.offices import OIC_MEMBERS, REGIONAL_OFFICES

    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    window.enrol_action.trigger()
    enrol = window.findChild(QDialog, "enrol-dialog")
    wait_idle(qtbot, window.session)
    codes = [enrol.office.itemData(i) for i in range(enrol.office.count())]
    countries = len(OIC_MEMBERS)
    assert codes[:countries] == sorted(OIC_MEMBERS) and codes[countries] is None
    assert codes[countries + 1:] == sorted(REGIONAL_OFFICES)
    assert enrol.office.currentIndex() == -1
    assert enrol.office.placeholderText() == "Choose an office…"
    enrol.folder.setText(str(tmp_path))
    qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)
    assert enrol.message.text() == "Choose an office first."
    assert enrol.result_path is None and not list(tmp_path.glob("*.fieldplan"))
    # a letter typed goes to the country offices ("S": Saudi Arabia)
    enrol.office.setFocus()
    qtbot.keyClicks(enrol.office, "S")
    assert enrol.office.currentData() == "SA"
    enrol.close()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_setup_bundle_written_is_shown_whole_on_a_line_of_its_own(
        open_window, qtbot, hq, tmp_path, qapp, monkeypatch, lang):
    """In Arabic the path broke inside the wrapped "Saved /…/TD-setup.fieldplan."
    sentence, its parts out of order, and it is the file to hand over. It has a line of
    its own, whole and left to right, on the layout's side (as the Export dialog shows
    a bundle's); what to do with it follows, reached with Tab too."""
    from PySide6.QtWidgets import QDialog

    from tests.draft_catalog import with_messages
    from ui.app import apply_language
    from ui.bidi import RLM, isolated

    hq_path = hq.path
    hq.close()
    out = tmp_path / "a-rather-long-folder-name-for-setup-bundles" / "semester-2026-S1"
    out.mkdir(parents=True)
    apply_language(qapp, lang)
    try:
        with_messages(monkeypatch, lang, {
            "Saved the setup bundle:\n{file}\n\nGive it to {office}: they choose it when "
            "fieldplan first starts on their computer. {office} can receive bundles once "
            "its first bundle has reached headquarters.": {
                "ar": "تم حفظ حزمة الإعداد:\n{file}\n\nسلّمها إلى {office}: يختارونها عند "
                      "تشغيل fieldplan أول مرة على حاسوبهم.",
                "fr": "Paquet de configuration enregistré\u00a0:\n{file}\n\nDonnez-le à "
                      "{office}\u00a0: il le choisit au premier démarrage de fieldplan.",
            }[lang]})
        window = open_window(hq_path)
        window.enrol_action.trigger()
        enrol = window.findChild(QDialog, "enrol-dialog")
        enrol.choose("TD")
        enrol.folder.setText(str(out))
        qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: enrol.result_path is not None, timeout=10_000)
        label = enrol.path_label
        shown = isolated(str(enrol.result_path))
        assert label.text() == (RLM + shown if lang == "ar" else shown)
        assert label.isVisible() and path_shown_whole(label)
        assert enrol.message.text() == ("تم حفظ حزمة الإعداد:" if lang == "ar"
                                        else "Paquet de configuration enregistré\u00a0:")
        assert enrol.after_path.isVisible() and enrol.after_path.text().startswith(
            "سلّمها إلى" if lang == "ar" else "Donnez-le à ")
        assert enrol.after_path.focusPolicy() == Qt.FocusPolicy.StrongFocus
        shots = Path(os.environ.get("FIELDPLAN_SHOTS") or tmp_path)
        enrol.grab().save(str(shots / f"enrol-path-{lang}.png"))
        enrol.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")


def test_an_office_enrolled_in_the_client_is_a_row_of_the_overview_at_once(
        open_window, qtbot, hq_db, tmp_path):
    """An office enrolled from Headquarters ▸ Enrol an office… is awaited from then on
    (``status`` and the review pack count it), but the Overview open beside the dialog
    went on counting the offices it had read ("0 of 0 offices", no row for it) until
    another import or save: the officer who had just enrolled it did not find it
    among those that have not reported. Its row ("no report") comes at once."""
    from PySide6.QtWidgets import QDialog

    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    offices = lambda: [page.model.office_at(r) for r in range(page.model.rowCount())]  # noqa: E731
    assert "ML" not in offices()
    window.enrol_action.trigger()
    enrol = window.findChild(QDialog, "enrol-dialog")
    enrol.choose("ML")
    enrol.folder.setText(str(tmp_path))
    qtbot.mouseClick(enrol.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: enrol.result_path is not None, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert "ML" in offices()
    assert page.count.text() == "1 of 1 office"
    enrol.close()
