"""What a visual check of every window found, kept fixed: counts beside their own
status, tables sized to their contents, conflicts in the client's words, rows
selected in Arabic too, windows that fit the screen, read-only fields that look it."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette, QStandardItemModel
from PySide6.QtWidgets import QApplication, QHeaderView

from fieldplan.i18n import set_language
from fieldplan.model import STATUSES
from tests.ui.conftest import wait_idle, wait_painted

FINGERPRINT = "FB9D 374E 7CD2 1490 5860 11B9 3716 E4BF E861 78A1"


# --- dashboard ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_status_count_reads_next_to_its_own_status(
    lang, language, open_window, office_db, qtbot
):
    language(lang)
    window = open_window(office_db)
    window.tabs.setCurrentIndex(1)
    dash = window.dashboard
    wait_idle(qtbot, window.session)
    for status in STATUSES:
        chip, count = dash.count_chips[status], dash.count_labels[status]
        chip_box = chip.geometry()
        count_box = count.geometry()
        assert chip.parentWidget() is count.parentWidget()
        assert abs(chip_box.center().y() - count_box.center().y()) <= 2
        # right after the chip in the reading direction, with no other chip between
        if lang == "ar":
            gap = chip_box.left() - count_box.right()
        else:
            gap = count_box.left() - chip_box.right()
        assert 0 <= gap <= 20, (status, chip_box, count_box)


def test_still_missing_names_an_indicator_by_its_title(open_window, office_db, qtbot):
    from ui.dashboard import summarise

    window = open_window(office_db)
    identity = window.identity
    summary = summarise(identity, "2026-S1", [])
    assert summary.missing  # nothing reported: everything is missing
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    action = next(a for a in identity.own_actions() if a.indicators)
    with open_replica(office_db) as rep:
        record_progress(rep, action.code, "2026-S1", status="on-track", percent=10)
        from fieldplan.progress import list_reports

        reports = list_reports(rep, "2026-S1", identity.office)
    line = next(m for m in summarise(identity, "2026-S1", reports).missing if action.code in m)
    indicator = action.indicators[0]
    assert indicator.title.get("en") in line
    assert f"indicator {indicator.key}" not in line


# --- tables -------------------------------------------------------------------------


def _quarantine_item(**kw):
    from fieldplan.sync.exchange import QuarantineItem

    values = dict(
        bundle_id="b1",
        office="CI",
        sender="ci.officer",
        key_id="k",
        fingerprint=FINGERPRINT,
        file="CI-770b0d53-1-67.fieldplan",
        received_at="2026-11-27T23:15:36Z",
        events=67,
    )
    values.update(kw)
    return QuarantineItem(**values)


def test_tables_fit_their_columns_and_stretch_a_text_column(qtbot):
    from ui.hq_desk import _table
    from ui.models import ConflictModel, InboxModel, QuarantineModel, ReportTableModel

    for model_class, stretched in (
        (QuarantineModel, QuarantineModel.FILE),
        (InboxModel, InboxModel.REASON),
        (ConflictModel, ConflictModel.VALUES),
        (ReportTableModel, ReportTableModel.ACHIEVEMENTS),
    ):
        model = model_class()
        view = _table(model, "t", fit_columns=model_class is not ReportTableModel)
        header = view.horizontalHeader()
        assert header.sectionResizeMode(stretched) == QHeaderView.ResizeMode.Stretch
        assert not header.stretchLastSection() or stretched == model.columnCount() - 1
        others = [c for c in range(model.columnCount()) if c != stretched]
        # fitted once a load (ui.table_fit), or from samples (Reports): never
        # ResizeToContents, which measures every row again at each layout pass
        assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Interactive
                   for c in others), model_class


def test_the_key_fingerprint_is_never_cut(qtbot):
    from ui.hq_desk import _table
    from ui.models import QuarantineModel

    model = QuarantineModel()
    view = _table(model, "Quarantine")
    qtbot.addWidget(view)
    view.resize(800, 300)  # narrower than the columns' contents (the file's cut)
    model.set_rows([_quarantine_item()])
    view.show()
    qtbot.waitExposed(view)
    font = model.data(model.index(0, QuarantineModel.FINGERPRINT), Qt.ItemDataRole.FontRole)
    view.setFont(font)
    width = view.fontMetrics().horizontalAdvance(FINGERPRINT)
    assert view.columnWidth(QuarantineModel.FINGERPRINT) >= width
    assert view.columnWidth(QuarantineModel.EVENTS) < view.columnWidth(QuarantineModel.FILE)


def test_a_row_is_selected_in_a_right_to_left_layout_too(qtbot):
    from ui.hq_desk import _table, select_row

    app = QApplication.instance()
    try:
        for direction in (Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight):
            app.setLayoutDirection(direction)
            model = QStandardItemModel(3, 3)
            view = _table(model, "t")
            qtbot.addWidget(view)
            view.show()
            select_row(view, 1)
            assert [i.row() for i in view.selectionModel().selectedRows()] == [1]
            assert view.currentIndex().row() == 1
            select_row(view, 2)
            assert [i.row() for i in view.selectionModel().selectedRows()] == [2]
    finally:
        app.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_empty_quarantine_and_conflicts_say_so(open_window, hq_db, qtbot):
    window = open_window(hq_db)
    for page in (window.hq_desk.quarantine, window.hq_desk.conflicts):
        window.show_page(page)
        wait_idle(qtbot, window.session)
        assert page.empty.is_empty()
        assert page.empty.label.text()
        assert page.empty.label.isVisible()
        assert not page.view.isVisible()


# --- conflicts ----------------------------------------------------------------------


def _conflict(field: str, values: tuple, at: str = "2026-11-27T23:15:36Z"):
    from fieldplan.sync.conflicts import Candidate, Conflict

    candidates = tuple(
        Candidate(f"v{i}", f"full{i}", v, f"author{i}", at, i == 0) for i, v in enumerate(values)
    )
    return Conflict("c1", "progress", "BN|PA1.1|2026-S2", field, candidates)


def test_conflicts_show_values_in_the_clients_words():
    from ui.models import SORT_ROLE, ConflictModel

    model = ConflictModel()
    model.indicator_titles = {"policies-supported": "Policies supported"}
    model.set_rows(
        [
            _conflict("status", ("on-track", "at-risk")),
            _conflict("percent", (35, 20)),
            _conflict("value.policies-supported", (3, None)),
        ]
    )
    text = lambda row, col: model.data(model.index(row, col))  # noqa: E731
    # each value in an isolate of its own (tests/ui/test_rtl.py)
    unmarked = lambda row, col: re.sub("[\u2066-\u2069]", "", text(row, col))  # noqa: E731
    assert unmarked(0, ConflictModel.VALUES) == "● On track | ▲ At risk"
    assert unmarked(1, ConflictModel.VALUES) == "35% | 20%"
    assert text(1, ConflictModel.FIELD) == "Percent complete"
    assert text(2, ConflictModel.FIELD) == "Policies supported"
    assert unmarked(2, ConflictModel.VALUES) == "3 | —"
    # in words, as the heading below the table says it: not the code "2026-S2"
    assert text(0, ConflictModel.PERIOD) == "2nd semester 2026"
    # sorted by the code still: "2nd semester 2025" before "1st semester 2026"
    assert model.data(model.index(0, ConflictModel.PERIOD), SORT_ROLE) == "2026-S2"


def test_a_conflicts_times_and_status_are_shown_as_elsewhere(open_window, hq_db, qtbot):
    from PySide6.QtWidgets import QGroupBox, QLabel

    from ui.context import time_text, unbroken

    window = open_window(hq_db)
    page = window.hq_desk.conflicts
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded([_conflict("status", ("on-track", "at-risk"))])
    assert not page.empty.is_empty()
    assert [i.row() for i in page.view.selectionModel().selectedRows()] == [0]
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2)
    titles = [b.findChild(QLabel, "version-title").text()
              for b in page.sides.findChildren(QGroupBox)]
    when = unbroken(time_text("2026-11-27T23:15:36Z"))
    assert all(when in t and "T23" not in t for t in titles)
    values = [
        e.toPlainText()
        for e in page.sides.findChildren(QGroupBox)[0].findChildren(object)
        if hasattr(e, "toPlainText")
    ]
    assert "● On track" in values
    assert "1st semester" not in page.message.text() and "2nd semester 2026" in page.message.text()
    page._loaded([])  # back to the database's own (none)


# --- times --------------------------------------------------------------------------


def test_one_way_of_writing_a_time():
    from ui.context import time_text

    set_language("en")
    assert time_text("2026-11-27T23:15:36+00:00").startswith("27 Nov 2026")
    assert ":36" not in time_text("2026-11-27T23:15:36")  # no seconds
    assert time_text("") == ""
    assert time_text("not a time") == "not a time"
    set_language("fr")
    assert time_text("2026-11-27T23:15:36") == "27 nov. 2026, 23:15"
    set_language("en")


def test_sync_words_put_the_counts_first_and_elide_at_the_minimum_size(open_window, hq_db, qtbot):
    from types import SimpleNamespace

    from ui.main_window import sync_text

    state = SimpleNamespace(
        hq_has_at="",
        last_export={"at": "2026-11-27T23:15:36Z"},
        last_import={"at": "2026-11-27T23:16:40Z"},
        gaps=[],
        quarantined=2,
        conflicts=3,
        restored=None,
    )
    words = sync_text(state)
    assert words.startswith("3 conflicts · 2 quarantined · Last export")
    # each item with a capital: "Dernier export … · dernier import" read as one
    assert " · Last import " in words
    window = open_window(hq_db)
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    window.show_sync(words * 3)
    shown = window.sync_label.text()
    assert shown.startswith("3 conflicts") and shown.endswith("…")
    assert window.sync_label.toolTip() == words * 3
    assert window.width() == window.minimumWidth()  # the words did not widen it


def test_sync_words_say_what_became_of_the_last_import(qtbot):
    from types import SimpleNamespace

    from ui.context import time_text
    from ui.main_window import sync_text

    at = "2026-12-03T10:12:00Z"
    state = SimpleNamespace(hq_has_at="", last_export=None, gaps=[], quarantined=0,
                            conflicts=0, restored=None,
                            last_import={"at": at, "file": "for-SN.fieldplan",
                                         "outcome": "rejected"})
    # as 'fieldplan status' says it: a refused bundle is not taken for one that went in
    assert sync_text(state).endswith(
        f" · Last import {time_text(at)} — for-SN.fieldplan, rejected")


# --- windows that fit ---------------------------------------------------------------


def test_report_preview_fits_the_screen(qtbot, tmp_path):
    from ui.report_preview import PreviewWindow, ReportRequest

    window = PreviewWindow(
        None, tmp_path / "none.pdf", ReportRequest("sheet", "2026-S1", office="BN")
    )
    qtbot.addWidget(window)
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert window.height() <= area.height() and window.width() <= area.width()


#: A 1366×768 laptop at 150 %, with a task bar: what it gives a window, in pixels of Qt
SMALL_SCREEN = (0, 0, 911, 512)


@pytest.fixture
def small_screen(monkeypatch):
    """Every screen's available area is SMALL_SCREEN's, as ui code reads it."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(*SMALL_SCREEN))
    return QRect(*SMALL_SCREEN)


def _inside(window, area) -> bool:
    """The window with its frame and title bar (ui.dialogs.FRAME_ROOM) inside ``area``."""
    from ui.screen import FRAME_ROOM

    return (window.x() >= area.left() and window.y() >= area.top()
            and window.x() + window.width() + FRAME_ROOM[0] <= area.right() + 1
            and window.y() + window.height() + FRAME_ROOM[1] <= area.bottom() + 1)


def test_the_first_window_fits_a_small_screen(open_window, hq_db, small_screen):
    """No geometry saved yet: not 1280×720 on a screen of 911×512, and a minimum size
    that leaves room for the title bar."""
    from ui.screen import FRAME_ROOM

    window = open_window(hq_db)
    assert window.width() + FRAME_ROOM[0] <= small_screen.width()
    assert window.height() + FRAME_ROOM[1] <= small_screen.height()
    assert window.minimumHeight() + FRAME_ROOM[1] <= small_screen.height()
    assert window.minimumWidth() + FRAME_ROOM[0] <= small_screen.width()


def test_a_window_saved_on_a_larger_screen_is_brought_onto_this_one(
        open_window, hq_db, settings, monkeypatch):
    """Saved large and far right on an external screen, opened on the laptop alone."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    big = open_window(hq_db)
    big.setMinimumSize(0, 0)
    big.setGeometry(700, 300, 1800, 1000)
    big.close()
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(*SMALL_SCREEN))
    window = open_window(hq_db)
    assert _inside(window, QRect(*SMALL_SCREEN)), window.frameGeometry()


def test_confirm_dialogs_have_no_blank_band(qtbot):
    from ui.dialogs import ConfirmDialog

    dialog = ConfirmDialog(None, "Lock", "Lock the period?", "", "&Lock")
    qtbot.addWidget(dialog)
    dialog.show()
    buttons_top = dialog.ok_button.parentWidget().geometry().top()
    assert buttons_top - dialog.text.geometry().bottom() < 40
    trust = ConfirmDialog(None, "Trust", "Trust?", FINGERPRINT, "&Trust", monospace_details=True)
    qtbot.addWidget(trust)
    trust.show()
    assert trust.ok_button.parentWidget().geometry().top() - trust.details.geometry().bottom() < 40


def test_import_result_is_a_read_only_list(qtbot):
    from PySide6.QtWidgets import QAbstractItemView

    from fieldplan.sync.exchange import ImportOutcome
    from ui.transfer import ImportResultDialog

    set_language("xx-pseudo")
    try:
        dialog = ImportResultDialog(
            None,
            [
                ImportOutcome("a.fieldplan", "merged", office="BN", events_new=2, events_total=2),
                ImportOutcome("b.fieldplan", "duplicate", office="BN"),
            ],
        )
    finally:
        set_language("en")
    qtbot.addWidget(dialog)
    table = dialog.table
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not table.verticalHeader().isVisibleTo(dialog)
    # "{label}: {n}" is one translatable pattern (French puts a space before ":")
    assert dialog.summary.text().count("⟦") >= 4 and ": 1⟧" in dialog.summary.text()


def test_import_result_warns_about_late_data(qtbot):
    from fieldplan.sync.exchange import ImportOutcome, late_text
    from ui.transfer import ImportResultDialog

    late = ImportOutcome("ng.fieldplan", "merged", office="NG", events_new=2, events_total=67,
                         late_periods=("2026-S1",), reason=late_text(["2026-S1"]))
    dialog = ImportResultDialog(None, [late])
    qtbot.addWidget(dialog)
    assert dialog.late_warning.isVisibleTo(dialog)
    assert "1st semester 2026" in dialog.late_warning.text()
    assert dialog.table.item(0, 3).text().endswith(
        "changes to the locked period 1st semester 2026")
    calm = ImportResultDialog(None, [ImportOutcome("a.fieldplan", "merged", office="BN")])
    qtbot.addWidget(calm)
    assert not calm.late_warning.isVisibleTo(calm)


def test_import_result_says_a_forked_history_was_repaired(qtbot):
    """An office's import that repaired its forked history says so in the result
    (fieldplan.sync.fork), beside the counts."""
    from fieldplan.sync.exchange import ImportOutcome
    from fieldplan.sync.fork import repaired_text
    from ui.transfer import ImportResultDialog

    said = repaired_text(41, 60, "0badc0de-0000-4000-8000-00000000abcd")
    assert said == ("this computer's events 41–60 differed from headquarters' copies of "
                    "those numbers (this database went back to an older copy, or was copied "
                    "to another computer that also wrote); they were written again as "
                    "replica 0badc0de")
    dialog = ImportResultDialog(None, [ImportOutcome(
        "HQ-to-ML.fieldplan", "merged", office="HQ", events_new=10, events_total=12,
        repair=said, reason=said)])
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 3).text() == "10 new of 12 events; " + said


def test_import_result_shows_long_reasons_whole(qtbot):
    """A reason longer than its column was cut ("unknown key 3F2A … (claims…"): the
    details wrap, and each row is as tall as its text."""
    from PySide6.QtCore import QRect

    from fieldplan.sync.exchange import ImportOutcome
    from ui.transfer import ImportResultDialog

    reason = ("unknown key 3F2A 9C41 77D0 E5B2 0A19 44C3 8D6E F012 (claims office ML); "
              "check the fingerprint with the office before trusting the key")
    dialog = ImportResultDialog(None, [
        ImportOutcome("ML-88aa0011-1-3.fieldplan", "quarantined", reason, office="ML"),
        # (one line: "1 new of 1 event")
        ImportOutcome("BF-12345678-1-1.fieldplan", "merged", office="BF", events_new=1,
                      events_total=1),
    ])
    qtbot.addWidget(dialog)
    dialog.resize(600, 360)  # a small screen: the reason takes three lines
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert table.wordWrap()  # wrapped, not elided
    cell = table.visualRect(table.model().index(0, 3))
    needed = table.fontMetrics().boundingRect(
        QRect(0, 0, cell.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, reason)
    assert needed.height() > 2 * table.fontMetrics().height()  # it does take lines
    assert cell.height() >= needed.height()
    # a one-line row keeps its usual height
    assert table.rowHeight(1) == table.verticalHeader().defaultSectionSize()


def sixty_outcomes() -> list:
    """A semester's inbox at headquarters, in file-name order: 57 merged (two with
    a note), 2 quarantined, 1 rejected, scattered among them."""
    from fieldplan.offices import all_offices
    from fieldplan.sync.exchange import ImportOutcome

    codes = [c for c in all_offices() if c != "HQ"][:57]
    outcomes = [ImportOutcome(f"{c}-0a1b2c3d-1-60.fieldplan", "merged", office=c,
                              events_new=60, events_total=60) for c in codes]
    outcomes[5] = ImportOutcome(outcomes[5].file, "merged", office=codes[5], events_new=5,
                                events_total=60, gaps=("events 3–7 of BN are missing",))
    outcomes[40] = ImportOutcome(outcomes[40].file, "merged", office=codes[40],
                                 events_new=1, events_total=60, repair="written again")
    outcomes.insert(9, ImportOutcome("BF-laptop2.fieldplan", "quarantined",
                                     "unknown key 6685 A081", office="BF"))
    outcomes.insert(30, ImportOutcome("ML-laptop2.fieldplan", "quarantined",
                                      "unknown key 77D0 E5B2", office="ML"))
    outcomes.insert(50, ImportOutcome("notes.fieldplan", "rejected", "not a bundle"))
    return outcomes


def test_import_result_shows_the_problems_first_sorts_by_header_and_grows(qtbot):
    """60 files: the one rejected, the quarantined ones and the merged ones with a
    note come first (else they sat among 57 merged ones); a header click sorts by
    its column, a third click puts the first order back; the dialog is taller than
    for a few files, and stays within the screen."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from ui.screen import FRAME_ROOM
    from ui.transfer import ImportResultDialog

    outcomes = sixty_outcomes()
    dialog = ImportResultDialog(None, outcomes)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert dialog.outcomes == outcomes  # the import's order, as the import said it

    def column(col: int) -> list[str]:
        return [table.item(r, col).text() for r in range(table.rowCount())]

    first = column(0)
    assert column(2)[:5] == ["Rejected", "Quarantined", "Quarantined", "Merged", "Merged"]
    assert first[:5] == ["notes.fieldplan", "BF-laptop2.fieldplan", "ML-laptop2.fieldplan",
                         outcomes[5].file, outcomes[42].file]  # (the gap, the repair)
    # then the others, in the import's order
    assert first[5:] == [o.file for o in outcomes if o.file not in first[:5]]
    header = table.horizontalHeader()
    assert table.isSortingEnabled() and header.sortIndicatorSection() == -1

    def click(col: int) -> None:
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(col) + 5, 5))

    click(0)
    assert column(0) == sorted(first, key=str.casefold)
    click(0)
    assert column(0) == sorted(first, key=str.casefold, reverse=True)
    click(0)  # the sort cleared: the first order again
    assert header.sortIndicatorSection() == -1 and column(0) == first
    click(2)  # by outcome: problems first, as the first order
    assert column(0) == first
    # each row's cells stay together
    assert {table.item(r, 0).text(): table.item(r, 2).text()
            for r in range(table.rowCount())}["notes.fieldplan"] == "Rejected"
    area = dialog.screen().availableGeometry()
    assert dialog.height() > 360
    assert dialog.height() <= area.height() - FRAME_ROOM[1]
    few = ImportResultDialog(None, outcomes[:3])
    qtbot.addWidget(few)
    assert few.height() <= 360


def test_import_result_is_as_tall_as_its_wrapped_rows(qtbot):
    """Ten files, half of them quarantined with a reason wrapped over three lines: the
    dialog's height was counted in one-line rows (760×510 on a 1024×768 screen), and
    the list had to be scrolled. Sized from the rows once they are fitted to their
    text: every row in sight, within the screen; a few short rows leave no blank band
    under them."""
    from fieldplan.sync.exchange import ImportOutcome
    from ui.screen import FRAME_ROOM
    from ui.transfer import ImportResultDialog

    reason = ("unknown key 3F2A 9C41 77D0 E5B2 0A19 44C3 8D6E F012 (claims office {c}); "
              "check the fingerprint with the office before trusting the key")
    outcomes = [
        ImportOutcome(f"{c}-88aa0011-1-{i}.fieldplan", "quarantined", reason.format(c=c),
                      office=c) if i % 2 else
        ImportOutcome(f"{c}-88aa0011-1-{i}.fieldplan", "merged", office=c, events_new=3,
                      events_total=12, gaps=(f"events 3–7 of {c} are missing",))
        for i, c in enumerate(["ML", "SN", "BF", "NE", "TD", "GN", "CI", "TG", "BJ", "MR"])]
    dialog = ImportResultDialog(None, outcomes)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table

    def all_in_sight(table) -> bool:
        last = table.visualRect(table.model().index(table.rowCount() - 1, 3))
        return table.viewport().rect().contains(last)

    qtbot.waitUntil(lambda: all_in_sight(table), timeout=2000)
    assert table.rowHeight(0) > 2 * table.fontMetrics().height()  # wrapped
    assert not table.verticalScrollBar().isVisible()
    assert dialog.height() <= dialog.screen().availableGeometry().height() - FRAME_ROOM[1]
    few = ImportResultDialog(None, outcomes[:2:2] + outcomes[2:5:2])  # one line each
    qtbot.addWidget(few)
    few.show()
    qtbot.waitExposed(few)
    rows = sum(few.table.rowHeight(r) for r in range(few.table.rowCount()))
    qtbot.waitUntil(lambda: all_in_sight(few.table)
                    and few.table.viewport().height() - rows < few.table.rowHeight(0),
                    timeout=2000)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_import_result_keeps_every_column_in_sight_of_a_long_file_name(
    lang, language, qtbot
):
    """An email attachment saved as "… copy (2).fieldplan" made the File column so
    wide that Office, Outcome and Details went off the dialog, behind a horizontal
    scrollbar. The name is elided in its middle (whole in its tooltip), on one line."""
    from fieldplan.sync.exchange import ImportOutcome
    from ui.transfer import ImportResultDialog

    language(lang)
    name = "HQ-to-SN-a-very-long-file-name-of-an-email-attachment-copy (2).fieldplan"
    dialog = ImportResultDialog(None, [
        ImportOutcome(name, "merged", office="SN", events_new=3, events_total=12),
        ImportOutcome("ML-88aa0011-1-3.fieldplan", "quarantined",
                      "unknown key 3F2A 9C41 77D0 E5B2 (claims office ML); check the "
                      "fingerprint with the office before trusting the key", office="ML"),
        ImportOutcome("SN-1-3.fieldplan", "merged", office="SN", events_new=3,
                      events_total=12),
    ])
    qtbot.addWidget(dialog)
    dialog.resize(600, 360)  # a small screen
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert not table.horizontalScrollBar().isVisible()
    viewport = table.viewport().rect()
    long_row = 1  # after the quarantined file: problems first
    for col in range(4):
        assert viewport.contains(table.visualRect(table.model().index(long_row, col))), col
    assert table.columnWidth(0) < table.fontMetrics().horizontalAdvance(name)
    assert table.item(long_row, 0).toolTip() == name
    # on one line: no taller than the row of a short name with the same details
    assert table.rowHeight(long_row) == table.rowHeight(2)
    # an ordinary name is whole; the details have room to wrap in (beside offices
    # named "SN · Senegal", as the rest of the client names them)
    assert table.columnWidth(0) > table.fontMetrics().horizontalAdvance(
        "ML-88aa0011-1-3.fieldplan")
    assert table.columnWidth(3) > table.fontMetrics().horizontalAdvance("unknown key 3F")
    assert table.rowHeight(0) > table.verticalHeader().defaultSectionSize()


def test_a_revoked_computer_is_told_in_the_status_bar():
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    state = SyncState(None, None, 3, "2026-11-27T10:00:00Z", 5, (), 0, 0, key_revoked=True)
    assert sync_text(state).startswith("Headquarters revoked this computer's key")
    calm = SyncState(None, None, 3, "2026-11-27T10:00:00Z", 5, (), 0, 0)
    assert "revoked" not in sync_text(calm)


def test_headquarters_is_told_its_history_forked():
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    forked = SyncState(None, None, None, None, 5, (), 0, 0, hq_forks=(
        {"replica": "a" * 36, "seq": 4, "offices": ["SN", "ML"],
         "written": "2026-11-27T10:00:00Z"},))
    assert sync_text(forked).startswith(
        "Headquarters' history forked: ML, SN refuse its bundles")
    calm = SyncState(None, None, None, None, 5, (), 0, 0)
    assert "forked" not in sync_text(calm)


def test_headquarters_is_told_what_a_restore_lost():
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    lost = SyncState(None, None, None, None, 5, (), 0, 0,
                     restored={"at": "", "backup_taken": "", "replica": "x", "missing": 2,
                               "lost": 2})
    assert sync_text(lost).startswith("Restored from a backup: 2 changes made after it")
    back = SyncState(None, None, None, None, 5, (), 0, 0,
                     restored={"at": "", "backup_taken": "", "replica": "x", "missing": 2,
                               "lost": 0})
    assert "restored" not in sync_text(back)


def test_headquarters_is_told_which_offices_events_a_restore_lost():
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    def restored(lost):
        return SyncState(None, None, None, None, 5, (), 0, 0, restored={
            "at": "", "backup_taken": "", "replica": "x", "missing": 0, "lost": 0,
            "offices_lost": lost})

    lost = restored([{"office": "ML", "events": 2, "replicas": ["a"], "bundles": [],
                      "text": ""},
                     {"office": "SN", "events": 1, "replicas": ["b"], "bundles": [],
                      "text": ""}])
    assert sync_text(lost).startswith(
        "Restored from a backup: 3 events received from ML, SN after it were lost; import "
        "those bundles again · ")
    assert "estored" not in sync_text(restored([]))


def test_restored_headquarters_window_names_the_office_whose_events_it_lost(
        open_window, qtbot, tmp_path):
    """HQ put back a backup older than ML's bundle: the status bar says so, its tip
    names ML, how many of its events, and what brings them back."""
    from fieldplan import progress, store
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    hq = init_hq(tmp_path / "hq.sqlite3")
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    ml = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup")
    actions = [a.code for a in ml.plan().actions_of(level="national")]
    progress.record_progress(ml, actions[0], "2026-S1", status="on-track")
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(ml, actions[1], "2026-S1", status="at-risk")
    sent = export_bundle(ml, out_dir=tmp_path).path
    import_bundle(hq, sent)
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    ml.close()
    hq.close()
    store.restore_latest_backup(tmp_path / "hq.sqlite3", force=True)
    window = open_window(tmp_path / "hq.sqlite3")
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    tip = window.sync_label.toolTip()
    assert tip.startswith("Restored from a backup: 1 event received from ML after it was "
                          "lost; import those bundles again")
    assert ("The restore lost 1 event of ML that headquarters had received after the "
            "backup") in tip and sent.name in tip
    window.resize(1100, 700)
    window.grab().save(str(tmp_path / "restored-hq-offices.png"))


def test_restored_headquarters_window_says_what_was_lost(open_window, qtbot, tmp_path):
    """HQ put back a backup; an office holds a lock HQ made after it: the window says
    so first, in the status bar."""
    from fieldplan import progress, store
    from fieldplan.replica import init_hq, open_replica
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    hq = init_hq(tmp_path / "hq.sqlite3")
    enroll_office(hq, "ML", tmp_path / "ml.setup")
    ml = init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ml.setup")
    store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2026-S1")
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    hq.close()
    store.restore_latest_backup(tmp_path / "hq.sqlite3", force=True)
    with open_replica(tmp_path / "hq.sqlite3") as hq:
        import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)  # says what ML holds
    ml.close()
    window = open_window(tmp_path / "hq.sqlite3")
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    assert window.sync_label.toolTip().startswith(
        "Restored from a backup: 1 change made after it (plan, locks, keys or "
        "headquarters' own reports) was lost")
    window.resize(1100, 700)
    window.grab().save(str(tmp_path / "restored-hq.png"))


def test_headquarters_is_told_which_office_to_send_a_bundle_to_repair_a_fork():
    from fieldplan.sync.state import SyncState, fork_messages
    from ui.main_window import sync_text

    records = ({"origin": "1a2b3c4d-x", "office": "ML", "seq": 41, "found_at": ""},
               {"origin": "5e6f7a8b-y", "office": "SN", "seq": 7, "found_at": ""})
    one = SyncState(None, None, None, None, 5, (), 1, 0,
                    forks=tuple(fork_messages(list(records[:1]))), fork_records=records[:1])
    assert sync_text(one).startswith(
        "1 quarantined · Forked history at ML: export a bundle for it · ")
    two = SyncState(None, None, None, None, 5, (), 0, 0,
                    forks=tuple(fork_messages(list(records))), fork_records=records)
    assert sync_text(two).startswith(
        "Forked histories at ML, SN: export a bundle for each · ")
    assert "orked" not in sync_text(SyncState(None, None, None, None, 5, (), 0, 0))


def test_headquarters_is_told_two_computers_write_under_one_identity():
    """A database and its key file copied to another computer (fork.copies_in_use):
    the status bar names the office, its tip says what happened and what to do."""
    from fieldplan.sync.state import SyncState, shared_identity_messages
    from ui.main_window import sync_text

    records = ({"origin": "1a2b3c4d-x", "new": "5e6f7a8b-y", "office": "ML"},)
    state = SyncState(None, None, None, None, 5, (), 0, 0,
                      shared_identities=tuple(shared_identity_messages(list(records))),
                      shared_records=records)
    assert sync_text(state).startswith("Two computers write under one identity at ML · ")
    assert state.shared_identities[0].startswith(
        "ML: two computers write under one identity (replica 1a2b3c4d, also continued "
        "by replica 5e6f7a8b)")
    assert "identity" not in sync_text(SyncState(None, None, None, None, 5, (), 0, 0))


def test_the_laptop_left_on_a_copied_identity_is_told_what_to_do(open_window, office_db):
    """Another computer continues this one's identity (its database and key file were
    copied there): the status bar says it first, its tip says the whole of it."""
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    state = SyncState(None, None, None, None, 5, (), 0, 1, continued_by="5e6f7a8b-y")
    assert sync_text(state).startswith(
        "This database was copied to another computer: export, then set this computer up "
        "again · 1 conflict")
    window = open_window(office_db)
    window._show_sync_state(state)
    assert "Another computer writes under this computer's identity (replica 5e6f7a8b " \
        "continues it)" in window.sync_label.toolTip()


def test_headquarters_window_names_the_forked_office(open_window, hq, make_office, qtbot,
                                                     tmp_path):
    """HQ refused ML's forked history: the status bar says to export a bundle for ML,
    its tip says what forked."""
    from tests.scenes import hq_with_a_forked_office

    hq_with_a_forked_office(hq, make_office, tmp_path).close()
    (origin, seq), = hq.conn.execute("SELECT origin, seq FROM forks").fetchall()
    window = open_window(hq.path)
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    assert window.sync_label.toolTip().startswith(
        "Forked history at ML: export a bundle for it · ")
    assert window.sync_label.toolTip().endswith(
        f"\nML: a computer's history forked (replica {origin[:8]}, from event {seq}); "
        "headquarters' next bundle to ML repairs it")


def test_headquarters_window_says_its_own_history_forked(open_window, hq, qtbot) -> None:
    """An office's receipt named an event of HQ's replica with another hash: the status
    bar says which offices refuse HQ's bundles, its tip what to do."""
    from fieldplan import events, store
    from fieldplan.sync import fork

    seq = events.last_event(hq.conn, hq.replica_id)[0]
    with store.write_transaction(hq.conn):
        events.set_meta(hq.conn, fork.HQ_FORKED, events.canonical_json({
            f"x {hq.replica_id}": {"office": "ML", "replica": hq.replica_id, "seq": seq,
                                   "hash": "0" * 64}}))
    hq.close()
    window = open_window(hq.path)
    qtbot.waitUntil(lambda: not window.sync_label.text().startswith("Sync: …"), timeout=5000)
    tip = window.sync_label.toolTip()
    assert tip.startswith("Headquarters' history forked: ML refuses its bundles · ")
    assert f"\nheadquarters' history forked: ML holds another event {seq} of its replica " \
        f"{hq.replica_id[:8]} than this database" in tip


# --- the report editor --------------------------------------------------------------


def test_tab_goes_from_the_plan_to_the_reports_fields(open_window, office_db, qtbot):
    window = open_window(office_db)
    view = window.office_view
    # before any action is chosen, the empty pane is no stop: one that showed no focus
    # (from the first paint on, the first screen a person can press Tab in: Tab before
    # it, on a busy machine, found the pane)
    wait_painted(qtbot, window)
    window.activateWindow()
    view.tree.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.tree.tree)
    qtbot.keyClick(view.tree.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not view.editor
    assert view.editor._form is None  # (the form is not built by it)
    code = window.identity.own_actions()[0].code
    view.select_action(code)
    wait_idle(qtbot, window.session)
    editor = view.editor
    assert editor.focusPolicy() == Qt.FocusPolicy.NoFocus
    window.activateWindow()
    view.tree.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.tree.tree)
    qtbot.keyClick(view.tree.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.status  # not the scroll area, nor the toolbar
    # sideways only when the form's narrowest is wider than the pane (tests/ui/
    # test_accessibility.py): never cut off
    assert editor.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded


def test_a_submitted_report_looks_read_only(open_window, office_db, qtbot):
    from fieldplan.progress import record_progress, submit_period
    from fieldplan.replica import open_replica

    code = None
    with open_replica(office_db) as rep:
        from ui.context import read_identity

        code = read_identity(rep).own_actions()[0].code
        record_progress(rep, code, "2026-S1", status="on-track", percent=10)
        submit_period(rep, "2026-S1")
    window = open_window(office_db)
    window.set_period("2026-S1")
    window.office_view.select_action(code)
    wait_idle(qtbot, window.session)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.percent.isReadOnly())
    for field in (editor.percent, *editor.narratives.values()):
        palette = field.palette()
        assert palette.color(QPalette.ColorRole.Base) == palette.color(QPalette.ColorRole.Window)
    editor.reopen()
    qtbot.waitUntil(lambda: not editor.percent.isReadOnly(), timeout=5000)
    wait_idle(qtbot, window.session)
    palette = editor.percent.palette()
    assert palette.color(QPalette.ColorRole.Base) != palette.color(QPalette.ColorRole.Window)


def test_numbers_sit_under_their_headings_in_arabic(language, open_window, office_db, qtbot):
    language("ar")
    window = open_window(office_db)
    action = next(a for a in window.identity.own_actions() if a.indicators)
    window.office_view.select_action(action.code)
    wait_idle(qtbot, window.session)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: bool(editor.indicator_edits))
    right = Qt.AlignmentFlag.AlignRight
    assert editor.percent.alignment() & right
    assert all(e.alignment() & right for e in editor.indicator_edits.values())


def test_the_status_column_keeps_its_width_between_periods(open_window, office_db, qtbot):
    window = open_window(office_db)
    tree = window.office_view.tree
    width = tree.tree.columnWidth(1)
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    window.set_period("2027-S1")
    wait_idle(qtbot, window.session)
    assert tree.tree.columnWidth(1) == width
    assert tree.tree.header().sectionResizeMode(1) == QHeaderView.ResizeMode.Fixed


# --- menus --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_language_menu_marks_the_language_in_use(lang, language, open_window, hq_db):
    language(lang)
    window = open_window(hq_db)
    checked = [a.data() for a in window.language_group.actions() if a.isChecked()]
    assert checked == [lang]
    assert window.language_group.isExclusive()


def test_the_toolbar_shows_every_action_at_the_minimum_size(open_window, hq_db, qtbot):
    window = open_window(hq_db)
    qtbot.waitUntil(
        lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly
    )
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    bar = window.toolbar
    for action in (window.submit_action, window.undo_action, window.redo_action):
        assert bar.widgetForAction(action).isVisible(), action.text()  # not behind "»"
    assert window.submit_action.iconText() == "Submit"
    assert window.submit_action.text() == "&Submit period…"


def test_headquarters_is_told_what_a_restore_lost_of_a_revoked_computer():
    """Its last bundle brings it back: said in the status bar, the computer in its tip
    (``fieldplan.sync.state.revoked_lost``)."""
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    item = {"key_id": "ABCD", "office": "ML", "replica": "b" * 36, "events": 2,
            "text": "the restore lost 2 events of ML's computer bbbbbbbb…"}
    state = SyncState(None, None, None, None, 5, (), 0, 0, restored={
        "revoked_lost": [item], "lost": 0})
    assert sync_text(state).startswith(
        "Restored from a backup: 2 events of a revoked computer were lost; import its "
        "bundles again")
    calm = SyncState(None, None, None, None, 5, (), 0, 0, restored={"revoked_lost": []})
    assert "revoked" not in sync_text(calm)


#: A 1366×768 laptop at 200 %, less its task bar: what it gives a window, in Qt's pixels
TINY_SCREEN = (0, 0, 683, 364)


@pytest.mark.parametrize("kind", ["open", "save"])
def test_file_dialogs_fit_a_laptop_at_200_percent(kind, qtbot, tmp_path, monkeypatch):
    """Qt's own file dialog opened 644×412 (its size hint) on a screen 364 high: its
    Open or Save and Cancel buttons were below the screen's edge."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.dialogs import file_dialog, save_file_dialog
    from ui.screen import FRAME_ROOM

    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(*TINY_SCREEN))
    if kind == "open":
        dialog = file_dialog(None, "Import bundles", str(tmp_path))
        dialog.open()
    else:
        dialog = save_file_dialog(None, "Export table", str(tmp_path), "save-test",
                                  "CSV (*.csv)", "csv", lambda _p: None)
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert dialog.width() + FRAME_ROOM[0] <= TINY_SCREEN[2]
    assert dialog.height() + FRAME_ROOM[1] <= TINY_SCREEN[3]
    buttons = dialog.findChild(QDialogButtonBox)
    assert dialog.rect().contains(buttons.geometry())
    dialog.reject()
