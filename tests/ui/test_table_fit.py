"""Tables fitted to their contents once a load (ui.table_fit), not at every layout
pass: a thousand inbox rows held the window for seconds at each open, resize and
refresh, asking the model for every row's text. Nothing is cut that was not before:
each column is at least as wide as Qt's own measure of every row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QHeaderView

from ui.app import apply_language

#: the inbox's rows here: more than the window shows (about twenty), fewer than the
#: thousand the inbox lists at most
ROWS = 300


def inbox_entries(n: int = ROWS) -> list:
    from fieldplan.sync import InboxEntry

    outcomes = ("merged", "duplicate", "quarantined", "rejected")
    return [InboxEntry(
        file=f"{'ML' if i % 7 else 'HQ-to-SN-a-longer-name'}-{i:04x}-1-60.fieldplan",
        office="ML" if i % 5 else "SN", received_at=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        f"T{i % 24:02d}:0{i % 10}:00Z", outcome=outcomes[i % 4],
        reason="unknown key 3F2A" if i % 4 == 2 else "", events=60 + i % 50,
        events_new=i % 13, bundle_id=f"b{i}",
        repaired_in="ML-2.fieldplan" if i == 111 else "") for i in range(n)]


@pytest.fixture
def lang(request, qapp):
    apply_language(qapp, request.param)
    yield request.param
    apply_language(qapp, "en")


@pytest.fixture
def inbox(qtbot, monkeypatch):
    """An inbox table of ROWS bundles on screen, and the cells the model wrote out
    since ``calls.clear()`` (row, column)."""
    from ui.hq_desk import _table
    from ui.models import InboxModel

    calls: list[tuple[int, int]] = []
    real = InboxModel.display

    def display(self, e, column):
        calls.append((id(e), column))
        return real(self, e, column)

    monkeypatch.setattr(InboxModel, "display", display)
    model = InboxModel()
    view = _table(model, "Inbox")
    qtbot.addWidget(view)
    view.resize(1200, 500)
    view.show()
    qtbot.waitExposed(view)
    calls.clear()
    model.set_rows(inbox_entries())
    QApplication.processEvents()
    return view, model, calls


def test_the_inbox_columns_are_fitted_once_a_load_not_at_each_resize(inbox):
    from ui.models import InboxModel

    view, model, calls = inbox
    header = view.horizontalHeader()
    for column in range(model.columnCount()):
        expected = (QHeaderView.ResizeMode.Stretch if column == InboxModel.REASON
                    else QHeaderView.ResizeMode.Interactive)
        assert header.sectionResizeMode(column) == expected
    # the load: the file names and offices of every row, but the times and counts
    # of the rows on screen only (their columns are fitted to their widest forms)
    for column in (InboxModel.RECEIVED, InboxModel.EVENTS, InboxModel.OUTCOME):
        assert sum(1 for _e, c in calls if c == column) < ROWS // 3, column
    for width in (900, 1300, 1000):
        calls.clear()
        view.resize(width, 400)
        QApplication.processEvents()
        # what is painted (a screenful of rows), not every row again
        assert len(calls) < ROWS, width


@pytest.mark.parametrize("lang", ["en", "fr", "ar"], indirect=True)
def test_fitted_columns_cut_nothing_qt_would_show_whole(lang, inbox):
    from ui.models import InboxModel

    view, model, _calls = inbox
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(-1)  # Qt's measure of every row
    for column in range(model.columnCount()):
        if column == InboxModel.REASON:
            continue
        needed = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
        assert view.columnWidth(column) >= needed, model.headers()[column]


def test_a_refresh_or_filter_fits_the_columns_again(qtbot):
    """The widths follow the rows: a longer name loaded widens its column, the rows
    a filter lets through narrow it (as ResizeToContents did, at each of them)."""
    from PySide6.QtCore import QSortFilterProxyModel

    from ui.hq_desk import _table
    from ui.models import InboxModel

    model = InboxModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(InboxModel.FILE)
    view = _table(proxy, "Inbox")
    qtbot.addWidget(view)
    model.set_rows(inbox_entries(6)[1:])  # no long name
    short = view.columnWidth(InboxModel.FILE)
    model.set_rows(inbox_entries(6))
    wide = view.columnWidth(InboxModel.FILE)
    assert wide > short
    proxy.setFilterFixedString("ML-")  # the long name filtered out
    assert view.columnWidth(InboxModel.FILE) == short
    assert proxy.rowCount(QModelIndex()) == 5


def drag_edge(header, column: int, by: int) -> None:
    """A person drags the edge of ``column`` in ``header`` by ``by`` pixels."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    edge = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    y = header.height() // 2
    viewport = header.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
    QTest.mouseMove(viewport, QPoint(edge + by, y))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(edge + by, y))


def test_a_column_a_person_sized_keeps_its_width_at_the_next_load(qtbot):
    """A person widened the file column and narrowed the received one: an import
    refreshing the inbox put both back to their fitted widths. The columns left alone
    are still fitted, and a change of resize mode or the view's width is no person's
    doing."""
    from ui.hq_desk import _table
    from ui.models import InboxModel

    model = InboxModel()
    view = _table(model, "Inbox")
    qtbot.addWidget(view)
    view.resize(1200, 400)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows(inbox_entries(6)[1:])  # no long name
    header = view.horizontalHeader()
    fitted_file = view.columnWidth(InboxModel.FILE)
    fitted_office = view.columnWidth(InboxModel.OFFICE)
    drag_edge(header, InboxModel.FILE, 150)
    assert view.columnWidth(InboxModel.FILE) == fitted_file + 150
    received = view.columnWidth(InboxModel.RECEIVED)
    drag_edge(header, InboxModel.RECEIVED, -30)
    assert view.columnWidth(InboxModel.RECEIVED) == received - 30
    view.resize(1000, 400)  # Qt resizes the stretched column
    header.resizeSection(InboxModel.OFFICE, 5)  # Qt's own doing, no mouse on the header
    QApplication.processEvents()
    model.set_rows(inbox_entries(6))  # a longer name arrives
    assert view.columnWidth(InboxModel.FILE) == fitted_file + 150
    assert view.columnWidth(InboxModel.RECEIVED) == received - 30
    assert view.columnWidth(InboxModel.OFFICE) == fitted_office  # still fitted
    model.set_rows([])
    model.set_rows(inbox_entries(6)[1:])
    assert view.columnWidth(InboxModel.FILE) == fitted_file + 150


def test_the_stretched_last_section_is_not_taken_for_a_person_s_width(qtbot):
    """A table whose last column the header stretches: dragging the edge before it
    resizes it too, which is no reason to stop fitting it."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from ui.table_fit import fit_on_load

    model = QStandardItemModel(0, 3)
    model.appendRow([QStandardItem("a"), QStandardItem("b"), QStandardItem("c")])
    view = QTableView()
    view.setModel(model)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    fit_on_load(view)
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    drag_edge(header, 1, 40)
    middle = view.columnWidth(1)
    model.appendRow([QStandardItem("a"), QStandardItem("b"),
                     QStandardItem("a much longer text than before, " * 20)])
    assert view.columnWidth(1) == middle
    assert view.columnWidth(2) > 600  # fitted to its new text, not kept


def test_the_overview_fits_its_office_column_once_a_load(qtbot, hq_db):
    from fieldplan.replica import open_replica
    from ui.context import read_identity
    from ui.hq_desk import OverviewPage
    from ui.ops import Session

    with open_replica(hq_db) as rep:
        identity = read_identity(rep)
    session = Session(hq_db)
    try:
        page = OverviewPage(session, identity, "2026-S1")
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.proxy.rowCount() > 0, timeout=10_000)
        view = page.view
        header = view.horizontalHeader()
        assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
        assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Stretch
        needed = max(view.sizeHintForColumn(0), header.sectionSizeHint(0))
        assert view.columnWidth(0) >= needed
    finally:
        session.close()


def test_import_result_rows_are_measured_when_the_details_column_changes(qtbot,
                                                                         monkeypatch):
    """Each row of the import result is as tall as its wrapped reason, measured when
    the Details column's width changes, not at each layout pass (a dialog made
    taller, shown, or its rows painted)."""
    import ui.transfer
    from tests.ui.test_visual_qa import sixty_outcomes
    from ui.transfer import ImportResultDialog

    long_reason = ("unknown key 3F2A 91BC 77D0 (claims to be from the office ML); trust "
                   "it in the Quarantine tab after a call to the office, then import again")
    outcomes = sixty_outcomes()
    outcomes[3] = outcomes[3].__class__(outcomes[3].file, "rejected", long_reason,
                                        office="ML")
    measured = []
    real = ui.transfer._WrappedDelegate.sizeHint

    def size_hint(self, option, index):
        measured.append(index.row())
        return real(self, option, index)

    monkeypatch.setattr(ui.transfer._WrappedDelegate, "sizeHint", size_hint)
    dialog = ImportResultDialog(None, outcomes)
    qtbot.addWidget(dialog)
    table = dialog.table
    assert table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    dialog.resize(900, 500)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()

    def fitted() -> bool:
        return all(table.rowHeight(r) >= table.sizeHintForRow(r)
                   for r in range(table.rowCount()))

    assert fitted()
    measured.clear()
    dialog.resize(900, 650)  # taller only: the rows stay as they are
    QApplication.processEvents()
    assert measured == []
    dialog.resize(640, 650)  # narrower: the reasons take more lines
    qtbot.waitUntil(lambda: len(measured) >= table.rowCount(), timeout=5000)
    QApplication.processEvents()
    assert len(measured) < 2 * table.rowCount()  # once each
    assert fitted()
    row = next(r for r in range(table.rowCount())
               if table.item(r, 3).text() == long_reason)
    assert table.rowHeight(row) > 2 * table.fontMetrics().height()
    assert table.item(row, 3).data(Qt.ItemDataRole.DisplayRole) == long_reason


def test_a_click_on_a_row_is_no_person_sizing_a_column(qtbot):
    """The table's body is watched for its size (a narrower table: the ``GIVES_WAY``
    columns give way): a mouse held on a row while Qt sized a column made that column
    the person's, never fitted again."""
    from PySide6.QtTest import QTest

    from ui.hq_desk import _table
    from ui.models import KeysModel
    from ui.table_fit import _Fitter

    model = KeysModel()
    view = _table(model, "Keys")
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    [fitter] = view.findChildren(_Fitter)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton)
    view.horizontalHeader().resizeSection(KeysModel.KEY, 5)  # Qt's doing, meanwhile
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton)
    assert fitter.by_person == set()


def test_the_import_result_keeps_room_for_its_details(qtbot, monkeypatch):
    """HQ drops a stick holding a setup bundle ("Setup bundle for QA · Qatar" in the
    Office column) and a damaged bundle: the dialog opened 760 pixels wide whatever its
    other columns took, and the damaged bundle's reason read a word a line, its row as
    tall as the table. It asks for the room Details needs beside them, and on a screen
    too narrow for that the Office column gives way."""
    from fieldplan import i18n
    from fieldplan.sync.exchange import SETUP_BUNDLE_REASON, ImportOutcome
    from ui import transfer
    from ui.transfer import DETAILS_CHARS, ImportResultDialog

    i18n.set_language("fr")  # ("Paquet de configuration pour QA · Qatar")
    with i18n.capturing():
        setup = i18n._(SETUP_BUNDLE_REASON)
    cut = ("the bundle is cut short: its end never arrived (an attachment size limit, or "
           "a USB stick removed while copying); ask the sender to send it again")
    outcomes = [ImportOutcome("QA-setup.fieldplan", "rejected", setup, office="QA"),
                ImportOutcome("HQ-to-ML-eb161aa2-1-24.fieldplan", "rejected", cut),
                ImportOutcome("SA-2414d5bd-1-66.fieldplan", "merged", office="SA",
                              events_new=66, events_total=66)]
    asked = []
    real = transfer.fit_to_screen
    monkeypatch.setattr(transfer, "fit_to_screen",
                        lambda window, width, height: (asked.append(width),
                                                       real(window, width, height)))
    dialog = ImportResultDialog(None, outcomes)
    qtbot.addWidget(dialog)
    table = dialog.table
    chars = table.fontMetrics().averageCharWidth()
    beside = sum(table.columnWidth(c) for c in range(3))
    # (asked before the Office column gave way to this test screen's 800 pixels)
    assert asked[0] - beside - table.verticalScrollBar().sizeHint().width() \
        >= DETAILS_CHARS * chars
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert table.columnWidth(3) >= (DETAILS_CHARS - 2) * chars
    assert table.columnWidth(1) >= 18 * chars


@pytest.mark.parametrize("lang", ["en", "fr", "ar"], indirect=True)
@pytest.mark.parametrize("points", [10, 14])
def test_the_reports_columns_are_as_wide_as_their_headers(qtbot, hq_db, font_size, lang,
                                                          points):
    """The Reports table sizes its columns from samples (its rows are not measured),
    each at least as wide as its header as the header measures itself: an estimate of
    the header's width left the Arabic "Percent" at 114 pixels beside its 117 at 10
    points, its word cut."""
    from fieldplan.replica import open_replica
    from ui.context import read_identity
    from ui.hq_desk import ReportsPage
    from ui.ops import Session

    font_size(points)
    with open_replica(hq_db) as rep:
        identity = read_identity(rep)
    session = Session(hq_db)
    try:
        page = ReportsPage(session, identity, "2026-S1")
        qtbot.addWidget(page)
        page.resize(1800, 700)  # (room for every column: none gives way)
        page.show()
        qtbot.waitExposed(page)
        header = page.view.horizontalHeader()
        short = [(column, header.sectionSize(column), header.sectionSizeHint(column))
                 for column in range(header.count())
                 if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Stretch
                 and header.sectionSize(column) < header.sectionSizeHint(column)]
        assert short == []
    finally:
        page.close()
        session.close()
