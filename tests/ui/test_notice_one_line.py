"""The report form's notice ("This report is submitted. Reopen it to edit it.",
"Headquarters has locked this period.") broke before its last word where the form had
room for it on one line: its frame's padding (ui.dialogs.reached_by_tab) was taken off
its width twice, once by the row that measured it (ui.flow.one_line_width) and once
more by the label itself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from ui.app import apply_language
from ui.dialogs import reached_by_tab, selectable
from ui.flow import FlowLayout, one_line_width

pytest.importorskip("fieldplan.sync")


def test_a_framed_label_on_a_row_with_room_keeps_one_line(qtbot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(selectable())
    reached_by_tab(label)
    row = FlowLayout()
    row.addWidget(label)
    outer = QVBoxLayout(box)
    outer.addLayout(row)
    outer.addStretch()
    label.setText("Headquarters has locked this period.")
    box.resize(700, 300)
    box.show()
    QApplication.processEvents()
    assert label.heightForWidth(one_line_width(label)) == label.heightForWidth(1 << 16)
    assert label.height() < 2 * label.fontMetrics().lineSpacing()
    # two lines of its own stay two, each whole
    label.setText("Headquarters has locked this period.\nReopen it to edit it.")
    QApplication.processEvents()
    assert label.heightForWidth(one_line_width(label)) == label.heightForWidth(1 << 16)
    assert label.height() < 3 * label.fontMetrics().lineSpacing()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_submitted_reports_notice_is_one_line_where_there_is_room(
        qapp, open_window, office_db, qtbot, lang) -> None:
    with open_replica(office_db) as rep:
        code = rep.plan().actions_of(level="national")[0].code
        progress.record_progress(rep, code, "2026-S1", status="on-track", percent=20)
        progress.submit_period(rep, "2026-S1")
    apply_language(qapp, lang)
    try:
        window = open_window(office_db)
        window.resize(1280, 720)
        window.set_period("2026-S1")
        wait_idle(qtbot, window.session)
        window.office_view.select_action(code)
        editor = window.office_view.editor
        qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code
                        and editor.reopen_button.isVisible(), timeout=5000)
        wait_idle(qtbot, window.session)
        QApplication.processEvents()
        notice = editor.notice
        assert notice.text() and notice.isVisible()
        assert notice.height() < 2 * notice.fontMetrics().lineSpacing(), notice.text()
    finally:
        apply_language(qapp, "en")
