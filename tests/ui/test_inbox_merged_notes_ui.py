"""The HQ Inbox says of a merged bundle what its import said (a new computer's key
registered): its Reason column was empty once the import's result was closed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.sync import export_bundle
from tests.ui.conftest import wait_idle


def test_the_inbox_says_a_new_computers_key_was_registered(open_window, qtbot, hq,
                                                         make_office, tmp_path: Path):
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track", percent=5)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    path = hq.path
    hq.close()
    window = open_window(path)
    window.import_files([str(bundle)])
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is not None,
                    timeout=20_000)
    window.findChild(object, "import-result").accept()
    wait_idle(qtbot, window.session)
    page = window.inbox
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    entry, model = page.model.row_at(0), page.model
    assert model.display(entry, model.OUTCOME) == "Merged"
    assert model.display(entry, model.REASON) == "a new computer's key is now registered"
    said = ("the key of a new computer of ML is now registered: headquarters' bundles "
            "for ML reach that computer from now on")
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: said in page.detail.text())
    # said whole under the table and in the cell's tooltip
    tip = model.index(0, model.REASON).data(Qt.ItemDataRole.ToolTipRole)
    assert said in tip


def test_the_inbox_says_new_computers_keys_short_beside_each_offices_facts(
        open_window, qtbot, hq, make_office, tmp_path: Path):
    """A first import of every office's bundles: the Reason column said the same long
    sentence of a new computer's key for each office (cut short in French), and the
    facts of each office after it (late data, conflicts) out of sight. The column says
    it short, with the rest of the reason; the detail says it whole."""
    from fieldplan.sync import import_bundle

    ml, sn = make_office("ML"), make_office("SN")
    for office in (ml, sn):
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track", percent=5)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    progress.set_period_lock(hq, "2026-S1")  # (SN's data arrives after the lock)
    late = import_bundle(hq, export_bundle(sn, out_dir=tmp_path).path)
    assert late.late_periods == ("2026-S1",)
    path = hq.path
    hq.close()
    window = open_window(path)
    page = window.inbox
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    model = page.model
    cells = {e.office: model.display(e, model.REASON) for e in model.rows()}
    assert cells["ML"] == "a new computer's key is now registered"
    assert cells["SN"].startswith("a new computer's key is now registered; ")
    assert "1st semester 2026" in cells["SN"] and "reach that computer" not in cells["SN"]
    [row] = [i for i, e in enumerate(model.rows()) if e.office == "SN"]
    page.view.selectRow(row)
    qtbot.waitUntil(lambda: "headquarters' bundles for SN reach that computer from now "
                            "on" in page.detail.text())
    assert "1st semester 2026" in page.detail.text()
