"""A list or table reached with the keyboard has a current row, highlighted.

A list refilled by its page (the Dashboard's "Still missing", the Inbox's gaps) loses
its current row, and Qt gives one back on focus only to a view that never had one, and
then without highlighting it: the focus came into the list and nothing showed where,
and the first arrow key did nothing to be seen, or went to the second row."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView

from ui.models import KEY_ROLE


def row_key(index: QModelIndex) -> object:
    """What finds ``index``'s row again after a refill: the model's key of the row
    (``KEY_ROLE``: an id), else, in a list of words alone (the Dashboard's "Still
    missing"), the text of its first column. A text alone found the wrong row where it
    repeats (each conflict of an office begins with its code): the list showed that row
    a moment, read, before its page chose the row again by its id."""
    first = index.siblingAtColumn(0)
    key = first.data(KEY_ROLE)
    return ("text", str(first.data(Qt.ItemDataRole.DisplayRole))) if key is None \
        else ("key", key)


class _CurrentOnFocus(QObject):
    """(``current_row_on_focus``) The event filter and the row to go back to."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        #: the key (``row_key``) and number of the row last current, to find it again
        #: after a refill
        self.chosen: tuple[object, int] | None = None
        self._watched_model = None
        self._watch_model()

    def _watch_model(self) -> None:
        selection = self.view.selectionModel()
        if selection is None or selection is self._watched_model:
            return
        self._watched_model = selection
        selection.currentChanged.connect(self._current_changed)
        model = self.view.model()
        # refilled while it has the focus: no FocusIn to give the row back on
        model.rowsInserted.connect(self._refilled)
        model.modelReset.connect(self._refilled)
        model.layoutChanged.connect(self._refilled)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.chosen = (row_key(current), current.row())

    def _refilled(self, *_args: object) -> None:
        # (a list's model is emptied as the list is deleted)
        if shiboken6.isValid(self.view) and self.view.hasFocus():
            self.give_a_current_row()

    def give_a_current_row(self) -> None:
        """The row chosen before (by its key, ``row_key``, else its number) or the
        first, current and selected; the current row selected if it is not."""
        view = self.view
        model, selection = view.model(), view.selectionModel()
        if model is None or selection is None or model.rowCount(view.rootIndex()) == 0:
            return
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        current = selection.currentIndex()
        if current.isValid():
            if not selection.isSelected(current):
                selection.select(current, flags)
            return
        rows = model.rowCount(view.rootIndex())
        row = 0
        if self.chosen is not None:
            key, number = self.chosen
            row = next((r for r in range(rows)
                        if row_key(model.index(r, 0, view.rootIndex())) == key),
                       min(number, rows - 1))
        index = model.index(row, 0, view.rootIndex())
        selection.setCurrentIndex(index, flags)
        view.scrollTo(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # (Qt's name)
        if (event.type() == QEvent.Type.FocusIn
                and event.reason() not in (Qt.FocusReason.MouseFocusReason,
                                           Qt.FocusReason.PopupFocusReason)):
            self._watch_model()  # (a model set after the filter was)
            self.give_a_current_row()
        return False


def current_row_on_focus(view: QAbstractItemView) -> None:
    """Give ``view`` a current row, selected, whenever it gets the focus other than by
    a click (which chooses its own) and has none: the one chosen before a refill, if
    it is still there, else the row now at its place, else the first."""
    view.installEventFilter(_CurrentOnFocus(view))
