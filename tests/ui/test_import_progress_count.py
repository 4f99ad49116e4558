"""Importing many bundles says which of how many is being imported, not the file
alone: 57 bundles at headquarters said "Importing XX.fieldplan… 19 %" with no word of
how far along the lot was."""

from __future__ import annotations

import threading

import pytest

from fieldplan.i18n import set_language
from tests.ui.conftest import wait_idle


def _importing(open_window, qtbot, hq_db, tmp_path, monkeypatch, paths):
    """The progress dialog's labels while ``paths`` are imported, the second file held
    until its label is read (each file refused by a stand-in for the import)."""
    from fieldplan import sync
    from fieldplan.sync import ImportOutcome
    from ui import ops

    window = open_window(hq_db)
    wait_idle(qtbot, window.session)
    go_on = threading.Event()

    def import_bundle(rep, path, *, name, progress, cancel, backup):
        progress(0, 1, "")
        if name == paths[1].name:
            assert go_on.wait(10)
        return ImportOutcome(name, "rejected", "not a bundle")

    monkeypatch.setattr(sync, "import_bundle", import_bundle)
    monkeypatch.setattr(ops, "PROGRESS_INTERVAL_S", 0)  # (every label goes)
    window.import_files([str(p) for p in paths])
    dialogs = window.session._dialogs
    qtbot.waitUntil(lambda: any(paths[1].name in d.labelText() for d in dialogs.values()))
    [label] = [d.labelText() for d in dialogs.values()]
    go_on.set()
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is not None,
                    timeout=10_000)
    window.findChild(object, "import-result").accept()
    wait_idle(qtbot, window.session)
    return label


def test_the_import_says_which_file_of_how_many(
        open_window, qtbot, hq_db, tmp_path, monkeypatch):
    paths = [tmp_path / f"{code}.fieldplan" for code in ("ML", "SN", "NE")]
    label = _importing(open_window, qtbot, hq_db, tmp_path, monkeypatch, paths)
    assert label == "Importing 2 of 3: SN.fieldplan…"


@pytest.mark.parametrize("lg", ["fr"])
def test_the_numbers_are_written_as_the_language_writes_them(
        open_window, qtbot, hq_db, tmp_path, monkeypatch, lg):
    set_language(lg)
    paths = [tmp_path / f"B{i}.fieldplan" for i in range(1200)]
    label = _importing(open_window, qtbot, hq_db, tmp_path, monkeypatch, paths)
    assert "1\u202f200" in label or "1\u00a0200" in label
