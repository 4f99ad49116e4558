"""A list refilled while it has the focus (an import, an edit) gives the row chosen
before back at once (ui.list_focus), found by its key, not by its first column's text:
that text repeats (each conflict of an office begins with the office's code), and the
list showed another row a moment, read, before its page chose the row again."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtWidgets import QApplication, QTableView

from ui.list_focus import current_row_on_focus
from ui.models import KEY_ROLE, ConflictModel, _RowsModel


class _OfficeRows(_RowsModel):
    COLUMNS = ("office", "field")

    def headers(self):
        return ("Office", "Field")

    def display(self, row, column):
        return (row.office, row.field)[column]

    def row_key(self, row):
        return row.id


def _row(id_: str, field: str) -> SimpleNamespace:
    return SimpleNamespace(id=id_, office="ML", field=field)


def test_a_refilled_list_finds_its_row_by_its_key_not_its_text(qtbot):
    model = _OfficeRows()
    view = QTableView()
    view.setModel(model)
    current_row_on_focus(view)
    qtbot.addWidget(view)
    model.set_rows([_row("1", "Status"), _row("2", "Percent"), _row("3", "Narrative")])
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.setCurrentIndex(model.index(2, 0))
    shown: list[str] = []
    view.selectionModel().currentRowChanged.connect(
        lambda current, _previous: shown.append(current.data(KEY_ROLE)))
    # a conflict settled, another come in before it: "ML" at each row
    model.set_rows([_row("4", "Status"), _row("2", "Percent"), _row("3", "Narrative")])
    QApplication.processEvents()
    assert view.currentIndex().row() == 2
    assert shown == ["3"]  # (never "4", the first "ML", a moment)
    assert view.selectionModel().isRowSelected(2)


def test_each_table_of_rows_has_a_key_that_a_reload_keeps():
    """The key is the row's id (a conflict's), the same in the row read again."""
    model = ConflictModel()
    model.set_rows([SimpleNamespace(id=17)])
    assert model.index(0, ConflictModel.VALUES).data(KEY_ROLE) == "17"
    assert _RowsModel().row_key(("ML", "PA1.1")) == ("ML", "PA1.1")  # (no id: the row)


def test_the_conflicts_list_refilled_with_the_focus_shows_no_other_conflict(
        open_window, qtbot, hq, make_office, tmp_path):
    """Two conflicts of one report (its status, its narrative), "ML · Mali" at each row:
    read again while the list had the focus, it showed the first a moment (its versions
    built, then thrown away) before the page chose the second again."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.conftest import wait_idle
    from ui.models import ROW_ROLE

    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"status": "on-track", "achievements": "Went well."},
        b={"status": "at-risk", "achievements": "Went badly."}).path
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    view = page.view
    assert {page.model.index(r, 0).data() for r in range(2)} == {"ML · Mali"}
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.setCurrentIndex(page.model.index(1, 0))
    chosen = page.model.index(1, 0).data(ROW_ROLE).id
    shown: list = []
    view.selectionModel().currentRowChanged.connect(
        lambda current, _previous: shown.append(current.data(ROW_ROLE).id))
    page.refresh()
    wait_idle(qtbot, window.session)
    assert view.currentIndex().data(ROW_ROLE).id == chosen
    assert shown == [chosen]
