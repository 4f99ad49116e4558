"""The dialogs' form labels follow one style: a name without a colon ("Recipient",
"Folder", the report form's "Status"), as the export, enrol and report dialogs and the
main window's "Period" write them. The print and table export dialogs alone ended theirs
with one ("Period:", French "Période :"), beside an Export dialog without."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel

from tests.ui.conftest import wait_idle
from tests.ui.test_mnemonics import _new_dialog, _window_dialogs, desk_db, desk_world

__all__ = ["desk_db", "desk_world"]

DIALOGS = ("export", "email", "status sheet", "review pack", "export table", "enrol office")


def form_labels(dialog) -> list[str]:
    """The texts of the labels of ``dialog``'s form rows."""
    texts = []
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                texts.append(item.widget().text())
    return texts


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_dialogs_form_labels_have_no_colon(lang, language, open_window, desk_db, qtbot,
                                               tmp_path):
    language(lang)
    window = open_window(desk_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    starts = _window_dialogs(window, qtbot, tmp_path)
    found = {}
    for name in DIALOGS:
        dialog = _new_dialog(qtbot, starts[name])
        labels = form_labels(dialog)
        assert labels, name
        found[name] = [text for text in labels if text.rstrip().endswith(":")]
        dialog.reject()
    wait_idle(qtbot, window.session)
    assert found == {name: [] for name in DIALOGS}
