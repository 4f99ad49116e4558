"""The import result says which bundles that waited in quarantine for a key the import
registered were imported with it."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan import store
from fieldplan.sync.exchange import ImportOutcome
from tests.scenes import key_registered_left_waiting, waiting_and_proof


@pytest.mark.parametrize("new_computer, shot, said", [
    (False, "import-released",
     "1 new of 1 event; it registered its key: 1 bundle that waited in quarantine for a "
     "key now registered was imported too (ML-2b48ed56-1-1.fieldplan)"),
    # the first bundle of a new computer of the office, which brings its bundles out of
    # quarantine: it said "… is now registered: …; it registered its key: 1 bundle that
    # waited in quarantine for a key now registered was imported too (…)"
    (True, "import-registered",
     "1 new of 1 event; the key of a new computer of ML is now registered: headquarters' "
     "bundles for ML reach that computer from now on; 1 bundle of that computer that "
     "waited in quarantine was imported too (ML-2b48ed56-1-1.fieldplan)"),
])
def test_the_import_result_names_the_bundles_a_registered_key_brought(
        qtbot, new_computer: bool, shot: str, said: str) -> None:
    """Each bundle the proof brought out of quarantine is named; a new computer's
    registration is said once."""
    from ui.app import apply_language
    from ui.transfer import ImportResultDialog

    waited = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                           events_new=1, events_total=1)
    proof = ImportOutcome("ML-2b48ed56-2-2.fieldplan", "merged", office="ML",
                          events_new=1, events_total=1, released=(waited,),
                          computer_registered=new_computer)
    for lang in ("en", "fr", "ar"):
        apply_language(QApplication.instance(), lang)
        try:
            dialog = ImportResultDialog(None, [proof])
            qtbot.addWidget(dialog)
            dialog.show()
            detail = dialog.table.item(0, 3).text()
            assert "ML-2b48ed56-1-1.fieldplan" in detail
            if lang == "en":
                assert detail == said
            shots = os.environ.get("FIELDPLAN_SHOTS")
            if shots:
                dialog.grab().save(os.path.join(shots, f"{shot}-{lang}.png"))
            dialog.close()
        finally:
            apply_language(QApplication.instance(), "en")


def test_the_import_results_totals_count_the_bundles_a_registered_key_brought(
        qtbot) -> None:
    """"Merged: 2" for the proof and the bundle it brought out of quarantine; that
    bundle chosen too (quarantined first in the lot) is one file merged, not quarantined
    as well. The totals counted the files chosen only: "Merged: 1"."""
    from ui.transfer import ImportResultDialog

    waited = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "quarantined", office="ML",
                           bundle_id="b1", key_id="k1")
    brought = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                            bundle_id="b1", key_id="k1", events_new=1, events_total=1)
    proof = ImportOutcome("ML-2b48ed56-2-2.fieldplan", "merged", office="ML",
                          bundle_id="b2", key_id="k1", released=(brought,))
    for outcomes in ([proof], [waited, proof]):
        dialog = ImportResultDialog(None, outcomes)
        qtbot.addWidget(dialog)
        assert dialog.summary.text() == "Merged: 2"
        assert dialog.table.rowCount() == len(outcomes)  # (a row a file chosen)
        dialog.close()


def test_an_import_whose_key_brought_a_bundle_out_counts_and_shows_it(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    """The bundle chosen first waits for its key; the proof chosen after it (no events
    of its own) registers the key and brings it out. The result says "Merged: 2" (it
    said "Merged: 1 · Quarantined: 1"), the status bar's last import "2 files: 2
    merged", and the views are told of the event it brought (none were: the files
    chosen brought none of their own)."""
    from tests.ui.conftest import wait_idle
    from tests.ui.test_sync_ui import result_dialog

    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    told = []
    window.session.changes_did_happen.connect(told.append)
    window.import_files([str(waiting), str(proof)])
    dialog = result_dialog(window, qtbot)
    assert dialog.summary.text() == "Merged: 2"
    assert sum(c.events for c in told) == 1
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:
        dialog.grab().save(os.path.join(shots, "import-released-totals.png"))
    dialog.accept()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: "2 files: 2 merged" in window.sync_label.toolTip(),
                    timeout=5000)


def test_a_trust_counts_the_bundles_its_imports_brought_out_of_quarantine(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch) -> None:
    """A trusted key's bundle that registered a key brought that key's waiting bundle
    out of quarantine (``ImportOutcome.released``): the page said "Key trusted; 1 bundle
    merged." and the views were told of the trusted bundle's event only; it is 2, and
    3 events, as the import result's totals count them (``each_file``)."""
    from fieldplan import sync
    from tests.ui.conftest import wait_idle
    from tests.ui.test_sync_ui import open_hq_page, result_dialog

    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    assert sync.import_bundle(hq, sync.export_bundle(ml, out_dir=tmp_path).path
                              ).outcome == "quarantined"
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    brought = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                            bundle_id="b1", key_id="k2", events_new=2, events_total=2)
    trusted = ImportOutcome("ML-0c1d2e3f-1-1.fieldplan", "merged", office="ML",
                            bundle_id="b2", key_id="k1", events_new=1, events_total=1,
                            released=(brought,))
    monkeypatch.setattr(sync, "trust_key", lambda rep, fingerprint: [trusted])
    told = []
    window.session.changes_did_happen.connect(told.append)
    page.trust(page.model.row_at(0).fingerprint)
    dialog = result_dialog(window, qtbot)
    assert page.message.text() == "Key trusted; 2 bundles merged."
    assert dialog.summary.text() == "Merged: 2"
    assert sum(c.events for c in told) == 3
    dialog.accept()
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:
        page.grab().save(os.path.join(shots, "trust-released.png"))
    wait_idle(qtbot, window.session)


def test_the_import_result_warns_of_a_locked_period_a_bundle_brought_out_changed(
        qtbot) -> None:
    """The bundle a registered key brought out of quarantine changed a period
    headquarters locked: the result's warning says it, as of a file chosen; it
    counted the files chosen only, and said nothing."""
    from ui.transfer import ImportResultDialog

    brought = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                            bundle_id="b1", key_id="k1", events_new=1, events_total=1,
                            late_periods=("2026-S1",))
    proof = ImportOutcome("ML-2b48ed56-2-2.fieldplan", "merged", office="ML",
                          bundle_id="b2", key_id="k1", released=(brought,))
    dialog = ImportResultDialog(None, [proof])
    qtbot.addWidget(dialog)
    assert dialog.late_warning.isVisibleTo(dialog)
    assert "1st semester 2026" in dialog.late_warning.text()
    dialog.close()


def test_a_file_whose_bundles_brought_out_have_something_to_say_is_listed_first() -> None:
    """The proof's row names the locked period the bundle it brought out changed (its
    details): it goes with the merged files that have something to say, above the
    merged ones with nothing more; it was listed with them."""
    from ui.transfer import import_row_rank

    brought = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                            events_new=1, events_total=1, late_periods=("2026-S1",))
    calm = ImportOutcome("ML-2b48ed56-1-1.fieldplan", "merged", office="ML",
                         events_new=1, events_total=1)
    proof = ImportOutcome("ML-2b48ed56-2-2.fieldplan", "merged", office="ML",
                          released=(brought,))
    assert import_row_rank(proof) == import_row_rank(brought) == 3
    assert import_row_rank(ImportOutcome("p.fieldplan", "merged", released=(calm,))) == 4


def _button_words(button) -> str:
    return button.text().replace("&", "")


def test_a_bundle_whose_key_is_on_record_is_imported_again_without_a_fingerprint(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch) -> None:
    """The bundle left waiting after its key was registered: the Quarantine tab offers
    to import it again, with no fingerprint to compare (its key is on record), as
    'keys trust' of that key does. It offered "Trust key…", whose dialog asked to
    compare the fingerprint with the office."""
    from tests.ui.conftest import wait_idle
    from tests.ui.test_sync_ui import open_hq_page, result_dialog

    waiting, _proof = key_registered_left_waiting(hq, make_office("ML"), tmp_path / "stick",
                                                   monkeypatch)
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    page.view.selectRow(0)
    assert page.model.row_at(0).key_on_record
    assert (_button_words(page.trust_button), _button_words(page.refuse_button)) == (
        "Import again", "Remove from quarantine…")
    assert "on record" in page.trust_button.toolTip()
    assert page.intro.text().endswith(
        "A bundle whose key is on record already waits because it could not be imported "
        "then: its reason says why, and Import again takes it.")
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, "quarantine-on-record.png"))
    page.trust_button.click()
    assert page.findChild(object, "trust-dialog") is None
    assert not page.trust_button.isEnabled() and not page.refuse_button.isEnabled()
    dialog = result_dialog(window, qtbot)
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [(waiting.name, "merged")]
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text() == "Imported again; 1 bundle merged."
    assert "on record" not in page.intro.text()  # (none left)


def test_removing_a_bundle_whose_key_is_on_record_keeps_the_key(
        open_window, qtbot, hq, make_office, tmp_path, monkeypatch) -> None:
    """"Remove from quarantine…" of the bundle left waiting: its dialog says the bundle
    is not imported and the key stays on record (no fingerprint to compare), and so
    does the page after, as 'keys refuse' of that key does. It was "Refuse key…",
    whose dialog and message said the key was refused, and the key stayed trusted."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync import list_inbox, list_quarantine
    from tests.ui.conftest import wait_idle
    from tests.ui.test_sync_ui import open_hq_page

    ml = make_office("ML")
    waiting, _proof = key_registered_left_waiting(hq, ml, tmp_path / "stick", monkeypatch)
    hq_path = hq.path
    window, page = open_hq_page(open_window, qtbot, hq, lambda w: w.hq_desk.quarantine,
                                lambda page: page.model.rowCount() == 1)
    page.view.selectRow(0)
    page.refuse_button.click()
    assert page.findChild(object, "refuse-dialog") is None
    confirm = page.findChild(object, "remove-dialog")
    assert confirm.text.text().startswith(
        "Remove this bundle of office ML · Mali from quarantine? Nothing of it is "
        "imported. Its key stays on record")
    assert confirm.details.toPlainText() == waiting.name  # (no fingerprint to compare)
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:
        confirm.grab().save(os.path.join(shots, "quarantine-remove.png"))
    confirm.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert page.message.text() == "1 bundle removed from quarantine; its key stays on record."
    with open_replica(hq_path) as rep:
        assert list_quarantine(rep) == []
        assert "its key stays on record" in list_inbox(rep)[0].reason_text()
        assert keyreg.all_keys(rep)[ml.meta("key_id")].status == "active"
