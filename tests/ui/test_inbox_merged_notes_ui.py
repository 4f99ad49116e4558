"""The HQ Inbox says of a merged bundle what its import said (a new computer's key
registered): its Reason column was empty once the import's result was closed."""

from __future__ import annotations

from pathlib import Path

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
    said = "the key of a new computer of ML is now registered"
    assert said in model.display(entry, model.REASON)
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: said in page.detail.text())
