"""The file choosers for bundles (import, and the first run's setup bundle) show a
bundle a mail program saved with one more ending ("UG-….fieldplan.bin"), which a
dropped folder and 'fieldplan import FOLDER' take (``fieldplan.transit``)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QListView


def listed(dialog) -> list[str]:
    view = dialog.findChild(QListView, "listView")
    model, root = view.model(), view.rootIndex()
    return [model.index(row, 0, root).data() for row in range(model.rowCount(root))]


@pytest.mark.parametrize("chooser", ["import", "setup"])
def test_a_bundle_saved_from_a_mail_with_one_more_ending_is_shown(
        chooser, open_window, qtbot, office_db, tmp_path):
    from fieldplan.transit import taken_from_folder
    from ui.first_run import choose_setup_bundle

    folder = tmp_path / "Downloads"
    folder.mkdir()
    names = ["UG-af025318-1-62.fieldplan", "ML-88aa0011-1-60 (1).fieldplan",
             "SN-3f2a9c1b-1-7.fieldplan.bin", "TD-setup.fieldplan.txt", "BJ.zip"]
    for name in [*names, "photo.jpg", "notes.txt"]:
        (folder / name).write_bytes(b"not a bundle")
    window = open_window(office_db)
    if chooser == "import":
        window.import_dialog()
        qtbot.waitUntil(lambda: any(
            d.isVisible() for d in window.findChildren(QFileDialog, "import-files-dialog")))
        [dialog] = window.findChildren(QFileDialog, "import-files-dialog")
    else:
        dialog = choose_setup_bundle(window, lambda _path: None)
    dialog.setDirectory(str(folder))
    qtbot.waitUntil(lambda: "BJ.zip" in listed(dialog), timeout=5000)
    # (the folder's import takes the same files)
    assert all(taken_from_folder(name) for name in names)
    assert sorted(listed(dialog)) == sorted(names)
    dialog.reject()
