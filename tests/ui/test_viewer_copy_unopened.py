"""Open in the system viewer where no program opens PDF files: the read-only copy made
for the viewer is not left in the cache."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices

pytest.importorskip("PySide6.QtPdf")

from tests.ui.test_report_preview import preview  # noqa: F401 (a fixture)
from ui.dialogs import MessageDialog
from ui.report_preview import reports_dir


def copies() -> list:
    return [p for p in reports_dir().iterdir() if p.name.startswith("opened-")]


def test_a_copy_no_viewer_took_is_not_left_in_the_cache(preview, qtbot,  # noqa: F811
                                                        monkeypatch):
    """Each press made a copy of the report in a folder of its own, kept a week: a
    review pack's few MB each time the person tried again, for nothing opened."""
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    for _ in range(2):
        with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
            preview.open_externally()
        assert done.args == [False]
        message = preview.findChild(MessageDialog, "preview-message")
        assert message.text.text().startswith("No program to open PDF files was found.")
        message.close()
        qtbot.waitUntil(lambda: not copies(), timeout=10_000)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url) or True))
    with qtbot.waitSignal(preview.open_did_finish, timeout=10_000) as done:
        preview.open_externally()
    assert done.args == [True] and len(copies()) == 1
