"""Text from other people's files (a bundle's name, an office's narrative) shown as
written: never taken for HTML by a label or a tooltip, and its bidi controls kept from
reordering the words around it, in English as in Arabic."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QTableView

from fieldplan import progress
from tests.ui.conftest import wait_idle
from tests.ui.test_sync_ui import drop, result_dialog

sync = pytest.importorskip("fieldplan.sync")

#: a bundle anyone can send: HTML, and an override that reverses what follows it
HOSTILE = "<b><font color=red size=6>URGENT \u202egnp.fieldplan"
#: what it should read as: the override contained, the rest as written
AS_WRITTEN = "<b><font color=red size=6>URGENT gnp.fieldplan"
NARRATIVE = "<table bgcolor=red><tr><td><font size=7>ALL DONE</font></td></tr></table> real\ntext"


def shown(tip: str) -> str:
    """The text a tooltip shows: Qt takes it for rich text when it looks like HTML."""
    doc = QTextDocument()
    if GuiQt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def visual(text: str) -> str:
    """``text`` in the order it is drawn in a left-to-right line (Unicode's bidi
    algorithm, as the PDF reports apply it)."""
    from bidi.algorithm import get_display

    return get_display(text, base_dir="L")


@pytest.fixture
def arabic(qapp):
    from ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


def test_a_hostile_file_name_shows_as_written_in_the_status_bar_and_tables(
    open_window, qtbot, hq, tmp_path
):
    """The reviewer's bundle, imported at HQ: the status bar does not turn it into big
    red letters, its override does not reverse the rest of the sentence, and neither
    the import result's tooltips nor the Inbox's take it for HTML."""
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track", percent=40, achievements=NARRATIVE)
    bundle = tmp_path / HOSTILE
    bundle.write_text("not a bundle, a file anyone can send\n")
    path = hq.path
    hq.close()
    window = open_window(path)
    window.resize(2400, 700)  # the status bar's words whole, not elided
    drop(window, [bundle])
    dialog = result_dialog(window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["rejected"]
    assert shown(dialog.table.item(0, 0).toolTip()) == AS_WRITTEN
    assert dialog.table.item(0, 0).text() == AS_WRITTEN
    dialog.accept()
    wait_idle(qtbot, window.session)
    label = window.sync_label
    qtbot.waitUntil(lambda: "URGENT" in label.text(), timeout=10_000)

    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "\u202e" not in label.text()
    assert f"— {AS_WRITTEN}, rejected" in label.text()
    # drawn in its order: the override reversed it to "…URGENT detcejer ,nalpdleif.png"
    assert "URGENT gnp.fieldplan, rejected" in visual(label.text())
    assert f"{AS_WRITTEN}, rejected" in shown(label.toolTip())

    window.set_period("2026-S1")  # the narrative's
    for page, text in ((window.inbox, AS_WRITTEN), (window.hq_desk.reports, NARRATIVE)):
        window.show_page(page)
        qtbot.waitUntil(lambda p=page: p.model.rowCount() >= 1, timeout=5000)
        model = page.model
        column = model.FILE if page is window.inbox else model.ACHIEVEMENTS
        tip = model.data(model.index(0, column), Qt.ItemDataRole.ToolTipRole)
        assert GuiQt.mightBeRichText(tip)  # rich text of its own …
        # … that shows the text as written (the table's one line of a narrative)
        assert shown(tip) == text.replace("\n", " ")
    inbox = window.inbox
    inbox.view.setCurrentIndex(inbox.model.index(0, 0))  # its line under the table
    assert inbox.detail.textFormat() == Qt.TextFormat.PlainText
    assert f"File: {AS_WRITTEN}" in inbox.detail.text()

    # no label of the window shows outside text as rich text, on any page
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        wait_idle(qtbot, window.session)
        for found in window.findChildren(QLabel):
            if "URGENT" in found.text() or "ALL DONE" in found.text():
                assert found.textFormat() == Qt.TextFormat.PlainText, found.objectName()
        for view in window.findChildren(QTableView):
            model = view.model()
            if model is None or model.rowCount(QModelIndex()) == 0:
                continue
            for r in range(model.rowCount(QModelIndex())):
                for c in range(model.columnCount(QModelIndex())):
                    tip = model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole)
                    if isinstance(tip, str) and ("URGENT" in tip or "ALL DONE" in tip):
                        assert "<b>" in shown(tip) or "<table" in shown(tip), tip


def test_a_hidden_reports_tooltip_shows_its_narrative_as_written(qapp):
    """A report the plan hides: its tooltip adds why, still not as HTML."""
    from tests.ui.test_rtl import report
    from ui.models import ReportTableModel

    model = ReportTableModel()
    model.set_reports([report(NARRATIVE)], why_hidden=[("action",)])
    tip = model.data(model.index(0, model.ACHIEVEMENTS), Qt.ItemDataRole.ToolTipRole)
    assert shown(tip) == NARRATIVE.replace("\n", " ") + "\n" + model.hidden_text(0)


def test_an_error_naming_a_hostile_file_shows_as_written(open_window, qtbot, hq_db):
    """The error box and a message dialog say a file's name as it is written."""
    from ui.dialogs import MessageDialog

    window = open_window(hq_db)
    window.show_error(f"Could not read {HOSTILE}.")
    box = window.findChild(object, "error-box")
    assert box.text.textFormat() == Qt.TextFormat.PlainText
    box.close()
    dialog = MessageDialog(window, "Import", f"Could not read {HOSTILE}.")
    assert dialog.text.textFormat() == Qt.TextFormat.PlainText
    dialog.close()


def test_a_file_names_override_reorders_nothing_in_either_direction(arabic):
    """``isolated`` contains the controls in a left-to-right layout as in a
    right-to-left one; a legitimate Arabic name is kept as it is."""
    from ui.app import apply_language
    from ui.bidi import embedded, isolated, isolated_codes

    assert QApplication.isRightToLeft()
    assert isolated(HOSTILE) == f"\u2066{AS_WRITTEN}\u2069"
    assert isolated("تقرير.fieldplan") == "\u2066تقرير.fieldplan\u2069"
    apply_language(QApplication.instance(), "en")
    for made in (isolated(HOSTILE), embedded(HOSTILE)[1:-1], isolated_codes(HOSTILE)):
        assert made == AS_WRITTEN
    sentence = f"Last import {isolated(HOSTILE)}, rejected · 2 conflicts"
    assert visual(sentence).endswith("gnp.fieldplan, rejected · 2 conflicts")
