"""The headquarters desk's pages: offices × areas overview, every report with
full-text search, the inbox with gaps, quarantine (trust a key by fingerprint) and
conflicts (side by side, keep one). ui.pages puts them in the window's tabs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldplan.errors import ValidationError
from fieldplan.i18n import (
    LANGUAGES,
    STATUS_SYMBOLS,
    _,
    counted,
    format_date,
    format_number,
    format_period,
    join_list,
    level_label,
    ngettext,
    period_words,
    state_label,
    status_label,
    without_mnemonic,
)
from fieldplan.model import LEVELS, REPORT_STATES, STATUSES, ProgressReport
from fieldplan.offices import (
    HQ,
    REGIONAL_OFFICES,
    all_offices,
    in_keys_order,
    level_for_office,
    office_name,
    offices_hq_last,
    offices_in_order,
)
from fieldplan.planops import PlanScope
from fieldplan.progress import changed_after_lock, list_reports, report_id
from fieldplan.text import paragraph_direction, search_key
from ui.bidi import (
    RLM,
    code_text,
    embedded,
    in_layout_direction,
    isolated,
    isolated_codes,
)
from ui.bidi_widgets import BidiDelegate, PlainTextEdit
from ui.combo import find_by_words
from ui.context import Identity, allow_writes, lang, office_label, time_text
from ui.dialogs import (
    ConfirmDialog,
    SaidWhenSettled,
    announce,
    choice_combo,
    detail_label,
    reached_by_tab,
    refill_combo,
    say_in_passing,
    selectable,
)
from ui.flow import RowThenEnd
from ui.list_focus import current_row_on_focus
from ui.models import (
    AFTER_LOCK,
    COMPACT_ROLE,
    DRAFT_MARK,
    KEY_ROLE,
    NO_REPORT,
    NOT_SUBMITTED,
    ROW_ROLE,
    SENT_LATE,
    SORT_ROLE,
    ConflictModel,
    InboxModel,
    KeysModel,
    OverviewModel,
    QuarantineModel,
    ReportTableModel,
    after_lock_sentence,
    after_lock_state,
    fraction,
    hidden_note,
    hidden_state,
    in_listing_order,
    in_quarantine_order,
    narrative_text,
    plan_changes_lines,
    search_texts,
    unread_office_line,
    value_text,
)
from ui.ops import DbOp, Session, error_sentence, sentence
from ui.qtcompat import emit
from ui.table_fit import fit_on_load, give_way_when_narrow
from ui.window_settings import restore_sizes, splitter_sizes
from ui.wrapped_label import DocumentLabel, WrappedLabel


def _shortened(text: str, room: int = 60) -> str:
    """One line of at most ``room`` characters (an accessible name, not a page)."""
    line = " ".join(text.split())
    return line if len(line) <= room else line[: room - 1] + "…"


def _table(model, name: str, fit_columns: bool = True) -> QTableView:
    """A read-only table of rows. Each column is as wide as its header and contents
    (a key fingerprint or a French header is never cut), measured once a load
    (ui.table_fit: not at each resize), and the model's ``STRETCH`` column, a text
    column, takes the width left over (the last one if it names none).

    ``fit_columns=False`` is for tables of many rows (Reports), which set their
    widths from samples: measuring the contents would ask for every shown row's text
    on each keystroke of the search."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Tab leaves the table for the buttons under it (the arrows move between rows):
    # a table that keeps Tab is a trap for anyone without a mouse
    view.setTabKeyNavigation(False)
    # reached with the keyboard, a row is current and highlighted (the Inbox's and the
    # Reports' tables choose none of their own)
    current_row_on_focus(view)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
    stretch = getattr(source, "STRETCH", None)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    # one line per row: compact enough for 1366×768
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    # user text (an English narrative in the Arabic layout, or the reverse) is drawn in
    # its own direction; codes and numbers keep the layout's alignment
    for column in getattr(source, "FREE_TEXT", ()):
        view.setItemDelegateForColumn(column, BidiDelegate(view))
    if fit_columns:
        fit_on_load(view)
    return view


def sortable(view: QTableView, column: int = 0) -> None:
    """Sort ``view`` by a click on a column's header, or, without a mouse, from its
    context menu (the Menu key or Shift+F10 in the table, or a right click): one item
    per column, and the column sorted on now once more to reverse its order."""
    view.setSortingEnabled(True)
    # by ``column``, the one the rows come sorted by (else Qt's arrow would say Z to A
    # on the first column, of rows in another order)
    view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    view.setAccessibleDescription(_("The Menu key sorts the table; choosing the column it "
                                    "is sorted on again reverses the order"))
    menus = _SortMenus(view)
    view.installEventFilter(menus)
    view.viewport().installEventFilter(menus)


def sort_kept(view: QTableView) -> list[Any] | None:
    """How ``view`` is sorted, [column, "ascending" | "descending"], for the window to
    keep (``sort_again``: a language change, the next start); None if by nothing."""
    header = view.horizontalHeader()
    column = header.sortIndicatorSection()
    if column < 0:
        return None
    down = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    return [column, "descending" if down else "ascending"]


def sort_again(view: QTableView, kept: Any) -> None:
    """``view`` sorted again as ``sort_kept`` kept it: the window made again in another
    language sorted its tables as they open, by office or by period, though their
    filters were kept. Anything else (a damaged settings file) is left aside."""
    from ui.window_settings import whole_number

    if not isinstance(kept, list | tuple) or len(kept) != 2:
        return
    column = whole_number(kept[0])
    if column is None or not 0 <= column < 1000 or kept[1] not in ("ascending", "descending"):
        return
    view.sortByColumn(column, Qt.SortOrder.DescendingOrder if kept[1] == "descending"
                      else Qt.SortOrder.AscendingOrder)


class _SortMenus(QObject):
    """Opens ``_sort_menu`` on the Menu key or Shift+F10 in the table itself (not every
    platform turns those keys into a context menu request: Qt's offscreen and X11 ones
    do not), and on a context menu request that platforms do send, once."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and (
                event.key() == Qt.Key.Key_Menu or (
                    event.key() == Qt.Key.Key_F10
                    and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)):
            index = self.view.currentIndex()
            rect = self.view.visualRect(index)
            at = rect.bottomLeft() if index.isValid() and not rect.isEmpty() \
                else self.view.viewport().rect().center()
            self._open(at)
            return True
        if event.type() == QEvent.Type.ContextMenu:
            at = event.pos() if watched is self.view.viewport() \
                else self.view.viewport().mapFrom(self.view, event.pos())
            self._open(at)
            return True
        return False

    def _open(self, at: QPoint) -> None:
        if QApplication.activePopupWidget() is None:  # one already open from the key
            _sort_menu(self.view).popup(self.view.viewport().mapToGlobal(at))


def _sort_menu(view: QTableView) -> QMenu:
    """The menu that sorts ``view``: "Sort by <column>" for each column shown; the
    one sorted on now is checked, says which way, and reverses it."""
    menu = QMenu(view)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    header = view.horizontalHeader()
    model = view.model()
    ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):
            continue
        name = str(model.headerData(column, Qt.Orientation.Horizontal) or "").replace("&", "&&")
        current = column == header.sortIndicatorSection()
        text = (_("Sort by {column}") if not current
                else _("Sort by {column}, ascending") if ascending
                else _("Sort by {column}, descending")).format(column=name)
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(current)
        order = (Qt.SortOrder.DescendingOrder if current and ascending
                 else Qt.SortOrder.AscendingOrder)
        action.triggered.connect(
            lambda _checked=False, c=column, o=order: view.sortByColumn(c, o))
    return menu


class VersionsRow(QHBoxLayout):
    """The versions of a conflict side by side, in a scroll area that makes them as
    high as its room: a scroll area makes a widget whose layout's height depends on
    its width (the versions' wrapped headings) as high as that would like, and the Keep
    buttons went below the room, to be scrolled to."""

    def hasHeightForWidth(self) -> bool:
        return False


class VersionsScroll(QScrollArea):
    """The versions side by side, scrolled sideways where there are more than fit; as
    high as they are at the least (their texts two lines each), so that they never
    scroll up and down: on a laptop at 150 % with a task bar, each version's Keep
    button was below the room, to be scrolled to or the divider dragged."""

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        hint = super().minimumSizeHint()
        inside = self.widget()
        if inside is None:
            return hint
        least = inside.minimumSizeHint()
        high = least.height() + 2 * self.frameWidth()
        if least.width() > self.viewport().width():
            high += self.horizontalScrollBar().sizeHint().height()  # (scrolled sideways)
        return QSize(hint.width(), high)

    def resizeEvent(self, event) -> None:  # (Qt's name)
        super().resizeEvent(event)
        self.updateGeometry()  # (the sideways scroll bar may come or go)


class ListAndVersions(QSplitter):
    """The Conflicts page's list of conflicts above the versions of the one chosen.

    Until a person moves the divider (or it is put back where they left it), the
    versions have room for ``MORE_LINES`` lines of their texts more than their least
    (two lines each, and the Keep buttons), the list giving way down to
    ``LIST_ROWS`` rows; with room for both, each has half. Set at half and half, on
    a laptop at 150 % with a task bar (895×437) the list kept 140 pixels for its one
    conflict and each version showed two lines of its text."""

    #: the rows the list keeps at least, before the versions have more than their least
    LIST_ROWS = 3
    #: the lines of their texts the versions have beyond their least, where there is room
    MORE_LINES = 4

    def __init__(self, conflicts: QTableView, versions: QWidget) -> None:
        super().__init__(Qt.Orientation.Vertical)
        self.setChildrenCollapsible(False)
        self.addWidget(conflicts)
        self.addWidget(versions)
        super().setSizes([300, 300])  # (half and half where there is room: ``share``)
        #: the divider was placed by a person (moved, or put back where they left it,
        #: ``setSizes``): kept where it is
        self.placed = False
        self.splitterMoved.connect(self._moved)

    def _moved(self, *_args) -> None:
        self.placed = True

    def setSizes(self, sizes) -> None:  # (Qt's name)
        """The panes' sizes, from then on where the divider is (``placed``)."""
        self.placed = True
        super().setSizes(sizes)

    def share(self) -> None:
        """The divider where the versions have room (``MORE_LINES``), unless placed."""
        if self.placed or self.count() != 2:
            return
        total = sum(self.sizes())
        view, versions = self.widget(0), self.widget(1)
        if total <= 0 or not isinstance(view, QTableView):
            return
        least = (view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
                 + self.LIST_ROWS * view.verticalHeader().defaultSectionSize())
        wanted = (versions.minimumSizeHint().height()
                  + self.MORE_LINES * versions.fontMetrics().lineSpacing())
        above = max(least, min(total // 2, total - wanted))
        if 0 < above < total and self.sizes() != [above, total - above]:
            super().setSizes([above, total - above])

    def resizeEvent(self, event) -> None:  # (Qt's name)
        super().resizeEvent(event)
        self.share()

    def event(self, event: QEvent) -> bool:  # (Qt's name)
        # the versions' least height changed (their texts laid out at their width, a
        # conflict of more of them): known here, where the splitter asks for it again
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.share()
        return done


def select_row(view: QAbstractItemView, row: int, *, scroll: bool = True) -> None:
    """Select ``row`` of ``view`` and make it current, through the selection model:
    QTableView.selectRow() selects nothing in a right-to-left layout in this Qt.
    ``scroll``: scrolled to, if out of sight."""
    from PySide6.QtCore import QItemSelectionModel

    index = view.model().index(row, 0)
    if not index.isValid():
        return
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(index, flags)
    if scroll:
        view.scrollTo(index)


@contextmanager
def scroll_kept(view: QAbstractItemView) -> Iterator[bool]:
    """``view`` scrolled as it was after its model is reset inside: a page read again
    (after each import, each save) showed its table from the top, or from the row
    chosen, the rows the person had scrolled down to gone from sight. Yields whether
    the row chosen was in sight, or none was (``choose_again``'s ``in_sight``)."""
    bars = (view.verticalScrollBar(), view.horizontalScrollBar())
    before = [bar.value() for bar in bars]
    current = view.currentIndex()
    # the row at the top of the table, by its key, where it is shown: scrolled down,
    # the rows read stay in sight where they were when rows come above them (an import
    # lists its bundles first in the Inbox); kept by the bar's value alone, other rows
    # took their place
    top = _top_row(view) if before[0] > 0 else -1
    anchor = view.model().index(top, 0) if top >= 0 else QModelIndex()
    key = anchor.data(KEY_ROLE) if anchor.isValid() else None
    shown_at = view.visualRect(anchor).top() if key is not None else 0
    # (whether the row chosen is in sight, or none is: yielded, for the choosing again
    # after; a row to choose that the table did not show yet is scrolled to)
    yield not current.isValid() or view.viewport().rect().intersects(
        view.visualRect(current))
    view.updateGeometries()  # (the new rows' range, which Qt sets only when it lays out)
    for bar, value in zip(bars, before, strict=True):
        bar.setValue(min(value, bar.maximum()))
    row = _row_of(view.model(), key, top) if key is not None else None
    if row is not None and row != top:
        bar = bars[0]
        if view.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerItem:
            bar.setValue(before[0] + row - top)
        else:
            bar.setValue(bar.value() + view.visualRect(
                view.model().index(row, 0)).top() - shown_at)


def _top_row(view: QAbstractItemView) -> int:
    """The row at the top of ``view``'s viewport (-1: none), whichever its direction
    (in a right-to-left table the point at its left may be past its last column)."""
    if isinstance(view, QTableView):
        return view.rowAt(0)
    return view.indexAt(QPoint(0, 0)).row()


def _row_of(model: Any, key: Any, near: int) -> int | None:
    """The row of ``model`` whose key (``KEY_ROLE``) is ``key``, looked for from row
    ``near`` outwards (rows come or go around it: it is found in as many steps)."""
    count = model.rowCount()
    for step in range(max(near + 1, count - near)):
        for row in (near - step, near + step):
            if 0 <= row < count and model.index(row, 0).data(KEY_ROLE) == key:
                return row
    return None


def chosen_row(view: QAbstractItemView, key: Callable[[Any], Any]) -> tuple[Any, int] | None:
    """The key of ``view``'s current row (as ``key`` makes it from the row object) and
    its number, to choose it again after a reload (``choose_again``); None if none."""
    index = view.selectionModel().currentIndex()
    row = view.model().data(index, ROW_ROLE) if index.isValid() else None
    return None if row is None else (key(row), index.row())


def choose_again(view: QAbstractItemView, keys: list[Any], before: tuple[Any, int] | None,
                 *, in_sight: bool = True) -> None:
    """After a reload, select the row chosen before if it is still there; else the one
    now in its place (the next one: the chosen row went, trusted or settled); else the
    first. A table with rows always has one selected: the keyboard's arrows move from
    it, and the buttons that act on it are enabled and reached by Tab. ``in_sight``:
    the row chosen before was in sight (``scroll_kept``); one the person scrolled
    away from is chosen again where it is, the table left where they scrolled it."""
    if not keys:
        return
    row = 0
    if before is not None:
        key, number = before
        row = keys.index(key) if key in keys else min(number, len(keys) - 1)
    select_row(view, row, scroll=in_sight or before is None or before[0] not in keys)


def indicator_titles(identity: Identity) -> dict[str, str]:
    """Indicator key -> title in the current language, for naming a field."""
    titles: dict[str, str] = {}
    for action in identity.plan.actions:
        for ind in action.indicators:
            titles.setdefault(ind.key, ind.title.get(lang()))
    return titles


class ReadWhenShown:
    """(a page's mixin, before its Qt class) A change seen while the page is hidden is
    read once it is shown (``refresh``, which sets ``stale`` back), not at once: a
    hidden page re-read at every save held the database's thread for seconds at a
    large headquarters."""

    #: a change came while the page was hidden: read again once it is shown
    stale = False

    def refresh(self) -> None:  # pragma: no cover - each page has its own
        raise NotImplementedError

    def refresh_when_shown(self) -> None:
        """Read again now when in sight, else once shown."""
        if self.isVisible():  # type: ignore[attr-defined]
            self.refresh()
        else:
            self.stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)  # type: ignore[misc]
        if self.stale:
            self.refresh()


def _first_tab_stop(widget: QWidget) -> QWidget | None:
    """The first widget inside ``widget`` that Tab stops at, in its focus chain."""
    tab_focus = Qt.FocusPolicy.TabFocus.value
    chained = widget.nextInFocusChain()
    while chained is not None and chained is not widget:
        if (widget.isAncestorOf(chained) and chained.isEnabled()
                and chained.isVisibleTo(widget) and chained.focusPolicy().value & tab_focus):
            return chained
        chained = chained.nextInFocusChain()
    return None


class EmptyState(QStackedWidget):
    """A page's content, or, when there is nothing to show, one sentence in the
    middle of the page (instead of an empty table)."""

    def __init__(self, content: QWidget, text: str) -> None:
        super().__init__()
        self.addWidget(content)
        self.label = DocumentLabel(text)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setObjectName("empty-state")
        # a stop for Tab, read and selected with the keyboard: the page's only words
        # (a keyboard user found no stop on an empty Quarantine or Conflicts page, and
        # a screen reader nothing to read there); framed while it has the focus (a
        # caret after its last word was all that said where the keyboard was)
        self.label.setTextInteractionFlags(selectable())
        reached_by_tab(self.label)
        # in the middle of the page, the frame round its words (not round the page)
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.addStretch(1)
        # (as wide as its words on one line at most, the width there is else: wrapped)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.label, 1000)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self.addWidget(middle)

    def showEvent(self, event) -> None:  # (Qt's name)
        # (measured once shown: its frame and padding, a style sheet's, are known then)
        self.label.setWordWrap(False)
        one_line = self.label.sizeHint().width()
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(one_line)
        super().showEvent(event)

    def set_empty(self, empty: bool) -> None:
        index = 1 if empty else 0
        leaving = self.currentWidget()
        focus = QApplication.focusWidget()
        if (index != self.currentIndex() and focus is not None
                and leaving is not None and leaving.isAncestorOf(focus)):
            # the keyboard in the side hidden is given to the side shown first: Qt moved
            # it to the next widget of the window's focus chain (the tab bar, where a
            # screen reader said nothing of the page) and left it there
            target = self.label if empty else _first_tab_stop(self.widget(0))
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setCurrentIndex(index)

    def is_empty(self) -> bool:
        return self.currentIndex() == 1


def _area_items(identity: Identity) -> list[tuple[str, str]]:
    """An area filter's items: every area, then each area of the plan."""
    return [(_("All areas"), "")] + [(f"{a.code} · {a.title.get(lang())}", a.code)
                                     for a in identity.plan.areas]


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    """A filter combo, on its first item."""
    return choice_combo(name, items, None)


def _choose_data(combo: QComboBox, data: Any) -> None:
    """``combo`` on the item holding ``data`` (unchanged when none does), with no
    signal: the caller filters once, after all its filters are set."""
    index = combo.findData(data)
    if index >= 0:
        combo.blockSignals(True)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)


def _status_items() -> list[tuple[str, str]]:
    return [(_("All statuses"), "")] + [
        (f"{STATUS_SYMBOLS[s]} {status_label(s)}", s) for s in STATUSES
    ]


def _overview_status_items() -> list[tuple[str, str]]:
    """The statuses, then the offices that have not reported, as the review pack
    lists them: with no report at all, or with nothing submitted (drafts perhaps)."""
    return [
        *_status_items(),
        # Translators: in the Overview's status filter: offices with no report at all
        # for the period, in the areas shown
        (_("No report"), NO_REPORT),
        # Translators: in the Overview's status filter: offices that have submitted no
        # report for the period in the areas shown (perhaps drafts), as the review
        # pack's "Offices that have not reported"
        (_("Not submitted"), NOT_SUBMITTED),
        # Translators: in the Overview's status filter: offices whose data for the
        # period reached headquarters after its deadline, as the review pack's "Late
        # data" lists them
        (_("Sent late"), SENT_LATE),
    ]


class OverviewFilter(QSortFilterProxyModel):
    """Rows by office text, level and status (or: no report, nothing submitted);
    columns by area."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.office_text = ""
        self.level = ""
        self.status = ""
        self.area = ""
        #: office -> the actions whose reports of the period data brought after the
        #: deadline changed (``fieldplan.reports.late``), for "Sent late"
        self.late: dict[str, set[str]] = {}
        #: action -> its area, for "Sent late" in one area
        self.area_of: dict[str, str] = {}
        #: office -> the words its office filter looks in (``_office_words``)
        self._words: dict[str, str] = {}
        self.setSortRole(SORT_ROLE)

    def set_filters(self, office_text: str, level: str, status: str, area: str) -> None:
        self.beginFilterChange()
        self.office_text, self.level, self.status, self.area = (
            search_key(office_text).strip(),
            level,
            status,
            area,
        )
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        # headquarters is no office that reports to itself: the offices that have not
        # reported leave it out, as the review pack's and the lock warning's do, and
        # the page says it apart (``hq_said_apart``)
        if self.status in (NO_REPORT, NOT_SUBMITTED) and \
                self.sourceModel().office_at(row) == HQ:
            return False
        return self._accepts(row)

    def hq_said_apart(self) -> bool:
        """Whether headquarters' row, left out of the offices that have not reported,
        would have been listed: it has submitted none of its own reports (or has none,
        for "No report") where the filters look."""
        if self.status not in (NO_REPORT, NOT_SUBMITTED):
            return False
        model: OverviewModel = self.sourceModel()
        return any(model.office_at(row) == HQ and self._accepts(row)
                   for row in range(model.rowCount()))

    def _accepts(self, row: int) -> bool:
        model: OverviewModel = self.sourceModel()
        office = model.office_at(row)
        # "Cote" finds "Côte d'Ivoire"; "Mali" finds "مالي" too
        if self.office_text and self.office_text not in self._office_words(office, model,
                                                                           row):
            return False
        if self.level and level_for_office(office) != self.level:
            return False
        if self.status == SENT_LATE:  # as the review pack's "Late data"
            late = self.late.get(office, ())
            return any(not self.area or self.area_of.get(a) == self.area for a in late)
        if self.status:
            columns = range(1, model.columnCount())
            if self.area:
                columns = [c for c in columns if model.area_at(c) == self.area]
            if self.status in (NO_REPORT, NOT_SUBMITTED):
                # only where the office has actions to report on: HQ has not "not
                # reported" in an area without global actions
                columns = [c for c in columns if model.expects(row, c)]
                if not columns:
                    return False
            cells = [model.cell(row, c) for c in columns]
            if self.status == NO_REPORT:  # nothing at all in the areas shown
                return not any(cell and cell.reports for cell in cells)
            if self.status == NOT_SUBMITTED:  # drafts perhaps, as the review pack says
                return not any(cell and cell.submitted for cell in cells)
            if not any(cell and cell.counts.get(self.status) for cell in cells):
                return False
        return True

    def _office_words(self, office: str, model: OverviewModel, row: int) -> str:
        """What the office filter looks in: the office as shown, and its name in each
        language fieldplan speaks. A name typed in French ("Tchad") found nothing once
        the window was made again in Arabic (the filter kept, the names changed), nor
        did a Latin name typed in the Arabic window. Made once per office."""
        words = self._words.get(office)
        if words is None:
            names = [model.data(model.index(row, 0)) or ""]
            with suppress(ValidationError, KeyError):  # a code this version does not know
                names += [office_name(office, code) for code in LANGUAGES]
            words = self._words[office] = search_key(" ".join(names))
        return words

    def filterAcceptsColumn(self, column: int, parent: QModelIndex) -> bool:
        if column == 0 or not self.area:
            return True
        return self.sourceModel().area_at(column) == self.area


#: a space no line breaks at
NBSP = "\u00a0"


def legend_text(locked: bool = False) -> str:
    """The line under the Overview: each status's symbol and word, and what "2/3",
    "○1" and "✎1" in a cell mean. Each item is laid out in its own direction and the
    line in the layout's (an item not yet translated stays whole in Arabic), and each
    item on one line. ``locked``: the period shown is locked, its drafts those left
    when it was locked (not "not yet submitted": they will not be, unless
    headquarters unlocks it), as the status and the review pack say them."""
    # Translators: the Overview's legend; {example} is "✎1": in a cell, how many
    # of the reports are drafts the office has not submitted
    drafts = _("{example}: draft reports, not yet submitted")
    if locked:
        # Translators: the Overview's legend of a period headquarters locked;
        # {example} is "✎1": in a cell, how many of the reports were drafts when
        # the period was locked (they can no longer be submitted)
        drafts = _("{example}: draft reports left when the period was locked")
    items = [f"{STATUS_SYMBOLS[s]} {status_label(s)}" for s in STATUSES] + [
        # Translators: the Overview's legend; {example} is "2/3": in a cell, 2 of the
        # 3 actions of the area have a report the office submitted
        _("{example}: actions of the area with a submitted report").format(
            example=fraction(2, 3)),
        # Translators: the Overview's legend; {example} is "○1": in a cell, how many
        # of the reports are not started, beside the status of those that have started
        _("{example}: reports not started, beside the status of the others").format(
            example=STATUS_SYMBOLS["not-started"] + format_number(1)),
        drafts.format(example=DRAFT_MARK + format_number(1)),
    ]
    # the line wraps between items only: a break inside one left "✎1 :" at a line's
    # end in French at 1366 pixels, its words on the next line
    line = "   ".join(embedded(item.replace(" ", NBSP)) for item in items)
    return RLM + line if QApplication.isRightToLeft() else line


class FittingDelegate(QStyledItemDelegate):
    """A cell whose text does not fit its column shows its shorter form
    (``COMPACT_ROLE``: the status by its symbol alone) when it has one. The Overview
    cut the end of its cells in Arabic at 1024 pixels, and with it the percent, the
    figure headquarters looks for; the status's colour, the legend and the tooltip
    still say the word."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        room = option.rect.width()
        if room <= 0 or not option.text:
            return  # (asked for a size hint: the whole text)
        style = option.widget.style() if option.widget is not None else QApplication.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, option,
                                   option.widget) + 1
        if option.fontMetrics.horizontalAdvance(option.text) > room - 2 * margin:
            short = index.data(COMPACT_ROLE)
            if short:
                option.text = short

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        edge = hq_apart_edge(index)
        if not edge:
            return
        painter.save()
        pen = QPen(option.palette.color(QPalette.ColorRole.Dark))
        pen.setWidth(2)
        painter.setPen(pen)
        rect = option.rect
        y = rect.top() + 1 if edge == "top" else rect.bottom()
        painter.drawLine(rect.left(), y, rect.right(), y)
        painter.restore()


def hq_apart_edge(index: QModelIndex | QPersistentModelIndex) -> str:
    """Which edge of an Overview cell is drawn as a line setting headquarters' row
    apart from the offices' rows (the review pack's matrix has its own reports under
    a label of their own, after the offices): "top" when its row is the last of two or
    more (the office column's order), "bottom" when it is the first (that order
    reversed), "" for any other cell or place (sorted by an area's statuses, the rows
    are mixed)."""
    model = index.model()
    if model is None:
        return ""
    if getattr(model, "sortColumn", lambda: 0)() > 0:
        # sorted by an area's statuses: headquarters' row is first or last only as its
        # statuses place it (no report: last), among the offices' rows
        return ""
    rows = model.rowCount()
    if rows < 2 or index.row() not in (0, rows - 1):
        return ""
    if model.index(index.row(), 0).data(ROW_ROLE) != HQ:
        return ""
    return "top" if index.row() == rows - 1 else "bottom"


class OverviewPage(QWidget):
    """Offices × areas for the period. A cell opened (double-click, Enter) asks for
    that office's reports in that area (``reports_were_asked``)."""

    #: office, area ("" for every area: the office's own column was opened)
    reports_were_asked = Signal(str, str)
    #: a filter changed (the window keeps them: ``filters``)
    filters_did_change = Signal()

    def __init__(self, session: Session, identity: Identity, period: str) -> None:
        super().__init__()
        self.session, self.identity, self.period = session, identity, period
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.office = QLineEdit()
        self.office.setPlaceholderText(_("Office…"))
        self.office.setAccessibleName(_("Filter by office"))
        # the combos beside it take their contents' width: at large fonts the field was
        # squeezed to a few letters
        self.office.setMinimumWidth(self.office.fontMetrics().averageCharWidth() * 12)
        self.area = _combo(_("Filter by area"), _area_items(identity))
        self.level = _combo(
            _("Filter by level"), [(_("All levels"), "")] + [(level_label(v), v) for v in LEVELS]
        )
        self.status = _combo(_("Filter by status"), _overview_status_items())
        find_by_words(self.status)  # ("o": On track, past its symbol)
        # the offices that have not reported, apart from the statuses
        self.status.insertSeparator(self.status.findData(NO_REPORT))
        bar.addWidget(self.office, 1)
        for combo in (self.area, self.level, self.status):
            # as narrow as the bar needs, as the Reports page's filters: sized to their
            # longest item (an area's whole title), they made the window 1,351 pixels
            # wide at its smallest in French at 14 points, wider than a laptop at 200 %
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            bar.addWidget(combo, 1)
        # how many offices the filters let through, of those awaited ("7 of 57
        # offices"): a filter's answer was to be counted row by row, scrolling
        self.count = CountLabel()
        self.count.setObjectName("overview-count")
        bar.addWidget(self.count)
        lay.addLayout(bar)
        self.model = OverviewModel(self)
        self.proxy = OverviewFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = _table(self.proxy, _("Offices by area"))
        self.view.setItemDelegate(FittingDelegate(self.view))
        sortable(self.view)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        # the areas share the width; the offices' column is fitted to their names
        # (once a load: ui.table_fit)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Interactive
        )
        # (the last area stretches with the others: Qt's stretched last section kept its
        # first width as the table narrowed, and a window narrowed or a scroll bar come
        # had the last area cut off behind a sideways scroll bar)
        self.view.horizontalHeader().setStretchLastSection(False)
        # a cell opened shows its reports: Enter or a double-click (activated)
        self.view.activated.connect(self._open)
        self.view.setAccessibleDescription(
            # Translators: {sorting} says how the Menu key sorts the table
            _("{sorting}; Enter opens the office's reports in the area chosen").format(
                sorting=self.view.accessibleDescription()))
        lay.addWidget(self.view, 1)
        # filters that let no office through: said, not a bare table
        self.nothing = QLabel(_("No office matches these filters."))
        self.nothing.setObjectName("overview-nothing")
        self.nothing.setVisible(False)
        lay.addWidget(self.nothing)
        # the offices known here that the period does not await (enrolled after it
        # ended or was locked): in no row, named as the review pack names them
        self.not_awaited = WrappedLabel("")
        self.not_awaited.setObjectName("overview-not-awaited")
        self.not_awaited.setVisible(False)
        lay.addWidget(self.not_awaited)
        # headquarters, left out of the offices that have not reported, said apart as
        # the review pack and the lock warning say it
        self.hq_apart = WrappedLabel("")
        self.hq_apart.setObjectName("overview-hq-apart")
        self.hq_apart.setVisible(False)
        lay.addWidget(self.hq_apart)
        # "Sent late": after which day, the one headquarters named for the period (the
        # review pack's Reports due by, kept in the database), else its default deadline
        self.late_note = WrappedLabel("")
        self.late_note.setObjectName("overview-late-note")
        self.late_note.setVisible(False)
        lay.addWidget(self.late_note)
        #: the period's deadline (``reports.deadlines.period_deadline``), once the
        #: offices that sent late are read: only while "Sent late" is chosen (their
        #: query reads the period's whole log: a third of a second at a million events)
        self.deadline = None
        self.legend = WrappedLabel(legend_text())
        lay.addWidget(self.legend)
        self.office.textChanged.connect(self._filter)
        for combo in (self.area, self.level, self.status):
            combo.currentIndexChanged.connect(self._filter)
        # filters that leave no office: said once the typing stops (the table is away
        # from the filter's focus; a screen reader said nothing of it)
        self.said_filtered = SaidWhenSettled(
            self, self.nothing, lambda: "" if self.nothing.isHidden() else self.nothing.text())
        self.office.textChanged.connect(self.said_filtered.changed)
        for combo in (self.area, self.level, self.status):
            combo.currentIndexChanged.connect(self.said_filtered.changed)
        # (the window writes them a moment after the last: not at each letter typed)
        self.office.textChanged.connect(self.filters_did_change)
        for combo in (self.area, self.level, self.status):
            combo.currentIndexChanged.connect(self.filters_did_change)
        session.changes_did_happen.connect(self._changes)
        self.refresh()

    def _filter(self, *_a) -> None:
        if self.status.currentData() == SENT_LATE and self.deadline is None:
            self.refresh()  # the offices that sent late, read now (see ``deadline``)
        self.proxy.set_filters(
            self.office.text(),
            self.level.currentData(),
            self.status.currentData(),
            self.area.currentData(),
        )
        self._say_nothing()

    def _show_count(self) -> None:
        """The offices listed of those in the table, headquarters apart (no office
        that reports to itself, as the review pack's cover counts them)."""
        model, proxy = self.model, self.proxy
        total = sum(model.office_at(r) != HQ for r in range(model.rowCount()))
        listed = [model.office_at(proxy.mapToSource(proxy.index(r, 0)).row())
                  for r in range(proxy.rowCount())]
        shown = sum(office != HQ for office in listed)
        # Translators: the Overview's count of the offices its filters list, of the
        # offices in it (headquarters apart), as "7 of 57 offices"
        count = ngettext("{shown} of {total} office", "{shown} of {total} offices", total)
        # nothing said when headquarters' row is all the filters list (the level
        # "Global" chosen): "0 of 10 offices" beside its row read as if the table were
        # empty; the label keeps its room, and the filters their place
        self.count.setText("" if listed and shown == 0 else count.format(
            shown=format_number(shown), total=format_number(total)))
        self.count.set_widest(count.format(shown=format_number(total),
                                           total=format_number(total)))
        # (not while the offices that sent late are read: "0 of 57" would say none was)
        self.count.setVisible(total > 0 and not (
            self.status.currentData() == SENT_LATE and self.deadline is None))

    def _say_nothing(self) -> None:
        self._show_count()
        self.nothing.setVisible(self.model.rowCount() > 0 and self.proxy.rowCount() == 0)
        # "Not submitted" alone emptying the table: every office awaited has submitted
        # (not "No office matches these filters", as if a filter were wrong), as the
        # review pack says it
        every = (self.nothing.isVisible() and self.status.currentData() == NOT_SUBMITTED
                 and not (self.office.text().strip() or self.level.currentData()
                          or self.area.currentData())
                 and any(self.model.office_at(row) != HQ
                         for row in range(self.model.rowCount())))
        late = self.status.currentData() == SENT_LATE
        self.nothing.setText(
            _("Every office awaited on this period has reported for it.") if every
            else _("No office matches these filters."))
        self.late_note.setVisible(late and self.deadline is not None)
        if late and self.deadline is None:
            self.nothing.setVisible(False)  # (being read: nothing to say yet)
        elif late:
            day = format_date(self.deadline)
            self.late_note.setText(in_layout_direction(
                # Translators: under the Overview filtered on "Sent late"; {date} is
                # the period's deadline (30 Jul 2026), the day last chosen in the
                # review pack's dialog ("Reports due by"), or the default one
                _("Offices whose data for this period reached headquarters after its "
                  "deadline, {date}, as the review pack lists them (the day its dialog "
                  "names under Reports due by).").format(date=day) if self.proxy.rowCount()
                # Translators: the Overview filtered on "Sent late", with no office
                # listed; {date} is the period's deadline (30 Jul 2026)
                else _("No office's data for this period reached headquarters after "
                       "its deadline, {date}.").format(date=day)))
            self.nothing.setVisible(False)
        apart = self.proxy.hq_said_apart()
        if apart:
            from fieldplan.sync.locking import hq_unsubmitted_text

            area = self.area.currentData()
            # Translators: under the Overview filtered on the offices that have not
            # reported, in one area; {area} is its code (PA2)
            text = hq_unsubmitted_text() if not area else _(
                "Headquarters has submitted none of its own reports on the global "
                "actions of {area} for this period.").format(area=embedded(area))
            # (in the layout's direction, the sentence not yet translated too)
            self.hq_apart.setText(in_layout_direction(text))
        self.hq_apart.setVisible(apart)

    def filters(self) -> dict[str, str]:
        """What the filters are set to (``restore_filters``: a language change)."""
        return {"office": self.office.text(), "area": self.area.currentData() or "",
                "level": self.level.currentData() or "",
                "status": self.status.currentData() or "", "sort": sort_kept(self.view)}

    def restore_filters(self, filters: dict[str, Any]) -> None:
        sort_again(self.view, filters.get("sort"))
        for name in ("area", "level", "status"):
            _choose_data(getattr(self, name), filters.get(name, ""))
        self.office.blockSignals(True)
        self.office.setText(str(filters.get("office", "")))
        self.office.blockSignals(False)
        self._filter()

    def _open(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if not source.isValid():
            return
        emit(self.reports_were_asked, self.model.office_at(source.row()),
             self.model.area_at(source.column()))

    def hideEvent(self, event) -> None:  # (Qt's name)
        super().hideEvent(event)
        self.said_filtered.stop()  # (what a filter left is not said of a page out of sight)

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    def set_identity(self, identity: Identity) -> None:
        """A new plan (an amendment): its areas as columns and in the filter (the
        area chosen kept while the plan has it)."""
        self.identity = identity
        self.area.blockSignals(True)
        refill_combo(self.area, _area_items(identity), self.area.currentData())
        self.area.blockSignals(False)
        self._filter()
        self.refresh()

    def _changes(self, changes) -> None:
        # (a lock or an unlock: which reports changed after it; an office enrolled:
        # one more row, awaited)
        if (changes.touches("progress") or changes.touches("plan") or changes.touches("lock")
                or changes.touches("enrolment")):
            self.refresh()
        elif changes.names("deadline", self.period) and self.status.currentData() == SENT_LATE:
            self.refresh()  # (the review pack's dialog named another day)

    def refresh(self) -> None:
        period = self.period
        late = self.status.currentData() == SENT_LATE

        def fetch(rep) -> tuple[Any, ...]:
            from fieldplan.progress import is_locked
            from fieldplan.reports.deadlines import period_deadline
            from fieldplan.reports.late import late_offices
            from fieldplan.sync.export import expected_offices, not_awaited_why

            # (headquarters too, on the plan's global actions: as the review pack);
            # the reports changed after the period's lock, as the pack names them;
            # whether it is locked (the legend's drafts); and the offices known here
            # that it does not await, as the pack names them
            plan = rep.plan()
            reports = list_reports(rep, period=period)
            expected = expected_offices(rep, plan, period)
            # the day headquarters named for the period (its database's: the review
            # pack's dialog, ``report review --deadline``), as the pack, else the default
            deadline = period_deadline(rep, period, plan) if late else None
            return (reports, expected, period,
                    changed_after_lock(rep, period).get(period, ()), is_locked(rep, period),
                    not_awaited_why(rep, plan, period,
                                    {*expected, *(r.office for r in reports)}),
                    # the offices whose data came after the deadline, as the pack's
                    # (only for "Sent late")
                    (deadline, late_offices(rep, period, deadline, PlanScope(plan)))
                    if late else (None, {}))

        DbOp(self.session, self, fetch).success(self._loaded).run()

    def _loaded(self, result: tuple[Any, ...]) -> None:
        """``result``: the period's reports, the offices expected, the period, and
        (optional) its reports changed after the lock, whether it is locked and the
        offices known here that it does not await (each with why:
        ``sync.export.not_awaited_why``)."""
        reports, known, period, *rest = result
        after_lock = rest[0] if rest else ()
        locked = bool(rest[1]) if len(rest) > 1 else False
        not_awaited = offices_in_order(rest[2], lang()) if len(rest) > 2 else []
        # (office → why: enrolled after the period ended, or after it was locked)
        why = rest[2] if len(rest) > 2 and isinstance(rest[2], dict) else {}
        if period != self.period:
            return  # read for the period shown before: its own refresh follows
        # (a read without them, asked before "Sent late" was chosen, is followed by
        # the one its choice asked: ``_filter``)
        self.deadline, self.proxy.late = rest[3] if len(rest) > 3 else (None, {})
        if not_awaited:
            from fieldplan.sync.export import AFTER_LOCK
            from fieldplan.sync.locking import not_awaited_text

            self.not_awaited.setText(in_layout_direction(isolated_codes(
                not_awaited_text(not_awaited, lang=lang(), after_lock={
                    o for o, w in why.items() if w == AFTER_LOCK}))))
        self.not_awaited.setVisible(bool(not_awaited))
        self.legend.setText(legend_text(locked))
        plan = self.identity.plan
        # the reports the plan shows, as the review pack counts them
        reports = PlanScope(plan).shown(reports)
        # and every office headquarters expects (expected_offices: from the period it
        # was enrolled in): one enrolled that sent nothing (or whose bundle was
        # refused) is a row of "no report", not left out
        expected = {r.office for r in reports} | set(known)
        # in the review pack's order (the regional offices, then the countries by their
        # names in the reader's language): listed by code (BN, GM, HQ, KG…), the rows
        # were in another order than the pack's beside them. Headquarters last, apart
        # (its row set off by a line: ``hq_apart_edge``), as the pack's matrix has its
        # own reports under the offices: it is no office that reports to itself, and
        # the rows above it are the offices the pack's cover counts
        offices = offices_in_order(
            (o for o in all_offices() if o in expected and o != HQ), lang())
        if HQ in expected or not offices:
            offices.append(HQ)
        area_of = {a.code: a.area for a in plan.actions}
        self.proxy.area_of = area_of
        # per office and area, the actions with a report due in the period (not one an
        # amendment added later, unless the office reported on it), as the pack counts
        reported: dict[str, set[str]] = {}
        for r in reports:
            reported.setdefault(r.office, set()).add(r.action)
        expected_actions: dict[tuple[str, str], int] = {}
        for o in offices:
            for a in plan.actions_of(level=level_for_office(o), due=period,
                                     reported=reported.get(o, ())):
                expected_actions[(o, a.area)] = expected_actions.get((o, a.area), 0) + 1
        self.model.set_data(
            offices, [(a.code, a.title.get(lang())) for a in plan.areas], reports, area_of,
            expected_actions, after_lock, locked,
        )
        self._say_nothing()


def office_room(width: Callable[[str], int], average: int) -> int:
    """The width the Reports page's Office column gives an office's name
    (``office_label``: "BD · Bangladesh"), ``width`` measuring text: headquarters'
    whole, and 18 characters (most countries'), no more than the longest country's."""
    widest = max(width(office_label(o)) for o in all_offices() if o not in REGIONAL_OFFICES)
    return min(widest, max(width(office_label("HQ")), 18 * average))


class SearchField(QLineEdit):
    """The Reports page's search field, about ten characters wide at least, at any
    font: where its bar has little room (200 % scaling) the filters beside it give
    way (their choice then ends with "…"); it was squeezed to its first letter
    ("R…") beside them."""

    #: the characters it keeps room for
    LEAST = 10

    def __init__(self) -> None:
        super().__init__()
        #: the direction its text reads in now ("L", "R"), ``_follow_text``
        self._direction: str | None = None
        self.textChanged.connect(self._follow_text)
        self._follow_text("")

    def setText(self, text: str) -> None:  # (restored while its signals are blocked)
        super().setText(text)
        self._follow_text(text)

    def clear(self) -> None:
        super().clear()
        self._follow_text("")

    def _follow_text(self, text: str) -> None:
        """The query reads by most of its words, as a narrative does (``own_direction``),
        a tie or no letter going to the layout's direction: Qt lays a line edit out by
        its first letter, and "PA1 تقرير" typed in Arabic read left to right, from the
        left, "تقرير PA1" in English right to left. Set as Qt lets a person set it (the
        direction keys, Ctrl and a Shift on Windows): a line edit has no other way,
        and the text is not touched (no mark in it, nothing to undo)."""
        layout = "R" if self.layoutDirection() == Qt.LayoutDirection.RightToLeft else "L"
        wanted = paragraph_direction(text, tie=layout) or layout
        if wanted != self._direction:
            self._direction = wanted
            key = Qt.Key.Key_Direction_R if wanted == "R" else Qt.Key.Key_Direction_L
            # (to the line edit itself: no filter nor shortcut takes it for a key typed)
            QLineEdit.keyPressEvent(self, QKeyEvent(
                QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()  # (its frame and margins, one character)
        return QSize(hint.width() + self.fontMetrics().averageCharWidth() * self.LEAST,
                     hint.height())


class CountLabel(QLabel):
    """The Reports page's count of rows, as wide as the longest it may say while the
    filters are the same (``set_widest``), so the bar does not shift while typing.

    That width is its size hint: given by setMinimumWidth, it widened the label at
    once where it stood, past the page's edge in English and over the "All areas"
    filter in Arabic, until the bar was laid out again."""

    _widest = ""

    def set_widest(self, text: str) -> None:
        """Keep room for ``text``."""
        if text != self._widest:
            self._widest = text
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # (Qt's name)
        hint = super().sizeHint()
        margins = self.contentsMargins()
        room = (self.fontMetrics().horizontalAdvance(self._widest) + 4 + margins.left()
                + margins.right())
        return QSize(max(hint.width(), room), hint.height())

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        return self.sizeHint()


class ReportsPage(ReadWhenShown, QSplitter):
    """Every report HQ holds, with full-text search of the narratives."""

    #: the search, a filter, the report chosen or the divider changed (the window keeps
    #: them: ``filters``)
    filters_did_change = Signal()

    def __init__(self, session: Session, identity: Identity, period: str) -> None:
        super().__init__(Qt.Orientation.Vertical)
        self.session, self.identity, self.period = session, identity, period
        top = QWidget()
        # the style's margins, as on the other pages: with none, the count at the end
        # of the search bar touched the window's edge (clipped on the left in Arabic)
        lay = QVBoxLayout(top)
        bar = QHBoxLayout()
        self.search = SearchField()
        self.search.setPlaceholderText(_("Search narratives…"))
        self.search.setAccessibleName(_("Search narratives"))
        self.search.setClearButtonEnabled(True)
        self.scope = _combo(
            _("Period shown"), [(_("This period"), "period"), (_("All periods"), "")]
        )
        self.status = _combo(_("Filter by status"), [
            *_status_items(),
            # the reports changed after their period was locked (the review pack's
            # "Changed after the period was locked"), apart from the statuses
            (_("Changed or received after the lock"), AFTER_LOCK)])
        self.status.insertSeparator(self.status.findData(AFTER_LOCK))
        find_by_words(self.status)  # ("o": On track, past its symbol)
        # in the order the table lists them (the review pack's), not by code:
        # headquarters last, apart (offices.office_ranks: as the Overview and the
        # pack list it)
        self.office = _combo(_("Filter by office"), [(_("All offices"), "")] + [
            (office_label(o), o) for o in offices_hq_last({*all_offices(), HQ}, lang())])
        self.office.insertSeparator(self.office.findData(HQ))
        self.area = _combo(_("Filter by area"), _area_items(identity))
        self._area_of = {a.code: a.area for a in identity.plan.actions}
        #: the report to choose once the reports are read (``restore_filters``)
        self._to_choose: tuple[str, str, str] | None = None
        #: an Overview cell was opened (``show_office``): its first report is chosen,
        #: once the reports are read if they are not yet
        self._choose_first = False
        #: the reports have been read once (``_loaded``)
        self._read = False
        self.count = CountLabel()
        bar.addWidget(self.search, 2)
        for combo in (self.scope, self.status, self.office, self.area):
            # as narrow as the bar needs: a long office or area name is cut, not the
            # count beside them; narrower still (their choice ending with "…") where
            # the bar has no room, before the search field is (``SearchField``)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.shrink_to(4)
            bar.addWidget(combo, 1)
        # the count at the bar's end where the filters at their least leave it room,
        # else on a line of its own under them: whole, over nothing
        self.search_bar = RowThenEnd(bar, self.count)
        lay.addLayout(self.search_bar)
        self.model = ReportTableModel(self)
        self.view = _table(self.model, _("Reports"), fit_columns=False)
        sortable(self.view, ReportTableModel.PERIOD)  # models.in_listing_order's order
        lay.addWidget(self.view, 1)
        self.detail = PlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName(_("Report narrative"))
        self.detail.setPlaceholderText(_("Choose a report to read its narrative."))
        #: why the plan hides the chosen report (and so the review pack leaves it out)
        self.hidden_note = WrappedLabel()
        self.hidden_note.setObjectName("hidden-note")
        self.hidden_note.setTextFormat(Qt.TextFormat.PlainText)
        self.hidden_note.setVisible(False)
        #: the chosen report changed after its period was locked: how often and when
        #: (the review pack lists it under "Changed after the period was locked")
        self.after_lock_note = WrappedLabel()
        self.after_lock_note.setObjectName("after-lock-note")
        self.after_lock_note.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.after_lock_note.font()
        bold.setBold(True)
        self.after_lock_note.setFont(bold)
        self.after_lock_note.setVisible(False)
        #: the chosen report's fields two computers wrote differently: the table shows
        #: the version kept for now (the review pack lists them under "Open conflicts")
        self.conflict_note = WrappedLabel()
        self.conflict_note.setObjectName("conflict-note")
        self.conflict_note.setTextFormat(Qt.TextFormat.PlainText)
        self.conflict_note.setVisible(False)
        #: report id -> its fields in an open conflict, as last read, told apart: two
        #: computers' writes, one computer's history (``conflicts.ReportConflicts``)
        self._in_conflict: dict[str, Any] = {}
        bottom = QWidget()  # with the same margins as the search bar and the table
        blay = QVBoxLayout(bottom)
        blay.addWidget(self.after_lock_note)
        blay.addWidget(self.conflict_note)
        blay.addWidget(self.hidden_note)
        blay.addWidget(self.detail, 1)
        self.addWidget(top)
        self.addWidget(bottom)
        # on a short screen (a laptop at 200 %) the table keeps a few rows and the
        # narrative gives up its height first, down to two lines (it scrolls): the
        # table was squeezed to one row beside a narrative at its full minimum
        rows = self.view.verticalHeader().defaultSectionSize()
        frame = 2 * self.view.frameWidth()
        self.view.setMinimumHeight(self.view.horizontalHeader().sizeHint().height() + 3 * rows
                                   + self.view.horizontalScrollBar().sizeHint().height()
                                   + frame)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 2
                                     + 2 * self.detail.frameWidth()
                                     + 2 * int(self.detail.document().documentMargin()))
        self.setChildrenCollapsible(False)  # (dragged to nothing, a pane was lost)
        self.setStretchFactor(0, 1)
        self.setSizes([460, 160])
        width = self.view.fontMetrics().horizontalAdvance
        for column, sample in (
            # the office named ("BD · Bangladesh", as the Overview): room for
            # headquarters' and most countries' (18 characters); a longer name ends with
            # "…", its code shown and the whole in the tooltip. Room for the longest
            # (a regional office's) left the narratives a few letters at 1024 pixels
            (0, office_room(width, self.view.fontMetrics().averageCharWidth())),
            (1, "PA4.10"),
            # the widest period in words ("2nd semester 2027")
            (2, max((format_period(f"2027-S{n}") for n in (1, 2)), key=width)),
            (3, "▼ " + max((status_label(s) for s in STATUSES), key=len)),
            (4, "100 %"),
            (5, state_label("submitted")),
            (6, time_text("2026-12-31T23:59:00")),
        ):
            header = self.model.headerData(column, Qt.Orientation.Horizontal)
            least = sample if isinstance(sample, int) else width(sample)
            # and never narrower than the header needs, as the header measures itself
            # (its font, margins and the sort arrow's room): the estimate alone left
            # the Arabic "Percent" 3 pixels short at 10 points, its word cut
            self.view.setColumnWidth(column, max(
                max(least, width(header) + 16) + 24,
                self.view.horizontalHeader().sectionSizeHint(column)))
        # on a laptop at 150 % these left the narratives 28 pixels, or less than none
        # (a sideways scroll bar): the office's name gives way to them
        give_way_when_narrow(self.view)
        self.search.textChanged.connect(self._filter)
        for combo in (self.scope, self.status, self.office, self.area):
            combo.currentIndexChanged.connect(self._filter)
        # how many reports the search and filters leave ("3 of 40"): said once the
        # typing stops, as the count is shown away from the field being typed in
        self.said_count = SaidWhenSettled(self, self.count, self.count.text)
        self.search.textChanged.connect(self.said_count.changed)
        for combo in (self.scope, self.status, self.office, self.area):
            combo.currentIndexChanged.connect(self.said_count.changed)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        # (the window writes them a moment after the last: not at each letter typed,
        # nor at each pixel of a drag of the divider)
        self.search.textChanged.connect(self.filters_did_change)
        for combo in (self.scope, self.status, self.office, self.area):
            combo.currentIndexChanged.connect(self.filters_did_change)
        self.view.selectionModel().currentRowChanged.connect(self.filters_did_change)
        self.splitterMoved.connect(self.filters_did_change)
        session.changes_did_happen.connect(self._changes)
        self.refresh()

    def hideEvent(self, event) -> None:  # (Qt's name)
        super().hideEvent(event)
        self.said_count.stop()  # (what a filter left is not said of a page out of sight)

    def set_period(self, period: str) -> None:
        self.period = period
        self._filter()

    def set_identity(self, identity: Identity) -> None:
        """A new plan (an amendment): its areas in the filter (the one chosen kept
        while the plan has it)."""
        self.identity = identity
        self.area.blockSignals(True)
        refill_combo(self.area, _area_items(identity), self.area.currentData())
        self.area.blockSignals(False)
        self._area_of = {a.code: a.area for a in identity.plan.actions}
        self._predicate = None  # it knew the old plan's areas
        self._filter()

    def show_office(self, office: str, area: str = "") -> None:
        """``office``'s reports of this period, in ``area`` ("" for every area): what
        an Overview cell opened shows. The other filters and the search are cleared,
        so that every report of the cell is listed."""
        if self.office.findData(office) < 0:  # a code this version does not know
            self._add_office(office)
        for combo, data in ((self.office, office), (self.area, area),
                            (self.scope, "period"), (self.status, "")):
            _choose_data(combo, data)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        # its first report chosen, its text shown (Enter on the cell left the table
        # with the focus and no row: one more key before anything was read)
        self._choose_first = True
        self._filter()

    def _add_office(self, code: str) -> None:
        """A code this version does not know to the "Filter by office" list: after the
        other offices, before headquarters (last, apart), as the table lists it."""
        hq = self.office.findData(HQ)
        self.office.insertItem(hq - 1 if hq > 0 else self.office.count(), code, code)

    def refresh(self) -> None:
        self.stale = False
        language = lang()

        def fetch(rep):
            # offices in the review pack's order (the table's as it opens), not by code
            reports = in_listing_order(list_reports(rep), language)
            # why the plan hides each report, once per load (not in data(): 100,000 rows)
            scope = PlanScope(rep.plan())
            # and those changed after their period's lock, as the review pack names them
            late = [c for changes in changed_after_lock(rep).values() for c in changes]
            # and the fields two computers wrote differently, as the review pack's
            # "Open conflicts" names them: the table shows one version of them; and the
            # reports whose versions in conflict one computer's history holds alone
            # (both from one reading of the conflicted versions)
            from fieldplan.sync.conflicts import conflicts_apart

            return (reports, [scope.why_hidden(r.office, r.action, r.period) for r in reports],
                    search_texts(reports), late, conflicts_apart(rep))

        DbOp(self.session, self, fetch).success(self._loaded).run()

    def _changes(self, changes) -> None:
        # a new plan can hide reports or show them again; a lock or an unlock changes
        # which were changed after it
        if changes.touches("progress") or changes.touches("plan") or changes.touches("lock"):
            # read at once only when in sight (as the Conflicts page): at a 57-office
            # headquarters with a period locked, half a second of the database's
            # thread at each save made on another tab
            self.refresh_when_shown()

    def _loaded(self, result: tuple[Any, ...]) -> None:
        """``result``: the reports, why the plan hides each, their search texts and
        (optional) the reports changed after their period's lock and the fields in an
        open conflict of each report, told apart (``conflicts_apart``)."""
        reports, why_hidden, haystack, *rest = result
        after_lock = rest[0] if rest else ()
        self._in_conflict = rest[1] if len(rest) > 1 else {}
        self._read = True
        chosen = self._chosen()
        for office in sorted({r.office for r in reports}):
            if self.office.findData(office) < 0:  # a code this version does not know
                self._add_office(office)
        self.model.set_reports(reports, why_hidden, haystack, after_lock)
        # room for "Submitted · hidden by the plan", "Draft · after the lock"
        marks = [mark for mark, wanted in ((hidden_state, any(why_hidden)),
                                           (after_lock_state, bool(after_lock))) if wanted]
        if marks:
            width = self.view.fontMetrics().horizontalAdvance
            bold = self.view.font()
            bold.setBold(True)
            from PySide6.QtGui import QFontMetrics

            bold_width = QFontMetrics(bold).horizontalAdvance
            wide = max((bold_width if mark is after_lock_state else width)(
                mark(state_label(s))) for mark in marks for s in REPORT_STATES) + 24
            if self.view.columnWidth(ReportTableModel.STATE) < wide:
                self.view.setColumnWidth(ReportTableModel.STATE, wide)
        self._filter(chosen=chosen)

    def _chosen(self) -> tuple[str, str, str] | None:
        """The report chosen in the table (office, action, period), or None (or the one
        to choose once the reports are read, ``restore_filters``)."""
        current = self.view.currentIndex()
        r = self.model.data(current, ROW_ROLE) if current.isValid() else None
        if r is not None:
            return (r.office, r.action, r.period)
        return self._to_choose

    def filters(self) -> dict[str, Any]:
        """The search, the filters, the report chosen and the divider between the list
        and the narrative (``restore_filters``: a language change made the window again
        with none of them, and the next start too)."""
        return {"search": self.search.text(), "scope": self.scope.currentData(),
                "status": self.status.currentData(), "office": self.office.currentData(),
                "area": self.area.currentData(), "chosen": list(self._chosen() or ()),
                "split": splitter_sizes(self), "sort": sort_kept(self.view)}

    def restore_filters(self, filters: dict[str, Any]) -> None:
        restore_sizes(self, filters.get("split"))
        sort_again(self.view, filters.get("sort"))
        for name in ("scope", "status", "office", "area"):
            _choose_data(getattr(self, name), filters.get(name, ""))
        self.search.blockSignals(True)
        self.search.setText(str(filters.get("search", "")))
        self.search.blockSignals(False)
        chosen = filters.get("chosen")
        # (office, action, period) as ``filters`` keeps it; a damaged settings file's
        # anything else (a number raised TypeError as the page was first shown)
        self._to_choose = (tuple(chosen) if isinstance(chosen, list | tuple)
                           and len(chosen) == 3 and all(isinstance(c, str) for c in chosen)
                           else None)
        self._filter()

    def _filter(self, *_a, chosen: tuple[str, str, str] | None = None) -> None:
        """Show the reports the filters and the search let through. The report chosen
        stays chosen while it is listed; else the narrative pane is emptied (it showed
        a report no longer in the list, as if it were one of those listed)."""
        chosen = chosen or self._chosen()
        self._apply_filters()
        row = self.model.row_of(chosen) if chosen is not None else None
        if self._choose_first and self._read:
            self._choose_first = False
            if row is None and self.model.rowCount():
                row = 0
        if row is not None:
            select_row(self.view, row)
            self._to_choose = None
        self._show_detail(self.view.currentIndex())

    def _apply_filters(self) -> None:
        period = self.period if self.scope.currentData() else ""
        status = self.status.currentData()
        office = self.office.currentData()
        area = self.area.currentData()
        area_of = self._area_of
        key = (period, status, office, area)
        late = self.model.changed_after_lock
        if any(key):

            def predicate(r: ProgressReport) -> bool:
                return ((not period or r.period == period)
                        and (not status or (late(r) is not None if status == AFTER_LOCK
                                            else r.status == status))
                        and (not office or r.office == office)
                        and (not area or area_of.get(r.action) == area))
        else:
            predicate = None
        # keep one predicate object while its filters stay the same: lets typing narrow
        cached = getattr(self, "_predicate", None)
        if (
            cached is not None
            and predicate is not None
            and getattr(self, "_cached_key", None) == key
        ):
            predicate = cached
        self._predicate, self._cached_key = predicate, key
        self.model.set_filter(self.search.text(), predicate)
        self._show_count()

    def _show_count(self) -> None:
        """"12 of 40", and how many of those the plan hides: "12 of 40, 3 hidden by the
        plan" (the review pack leaves them out)."""
        # (numbers, each formatted once: "1,896" formatted again was refused)
        total, shown = self.model.total(), self.model.rowCount()
        hidden = self.model.hidden_shown()
        if hidden:
            # Translators: a count of table rows; {hidden} of the {shown} rows are
            # reports the plan no longer shows (left out of the review pack).
            count = ngettext(
                "{shown} of {total}, {hidden} hidden by the plan",
                "{shown} of {total}, {hidden} hidden by the plan",
                hidden,
            )
            text = count.format(shown=format_number(shown), total=format_number(total),
                                hidden=format_number(hidden))
            widest = count.format(shown=format_number(total), total=format_number(total),
                                  hidden=format_number(hidden))
        else:
            count = _("{shown} of {total}")
            text = count.format(shown=format_number(shown), total=format_number(total))
            widest = count.format(shown=format_number(total), total=format_number(total))
        self.count.setText(text)
        # room for the longest count, so the bar does not shift while typing
        self.count.set_widest(widest)

    def _conflict_sentence(self, r: ProgressReport) -> str:
        """The fields of report ``r`` in an open conflict, in words; "" if none. An HQ
        reader saw one office computer's values with no sign that another computer of
        it wrote others (the review pack's annex named them; the table did not)."""
        rid = report_id(r.office, r.action, r.period)
        kinds = self._in_conflict.get(rid)
        if not kinds:
            return ""
        plan = self.identity.plan

        def named(fields) -> str:
            return join_list([plan.field_label(r.action, f) for f in fields])

        if kinds.apart and kinds.own:
            # Translators: as "In conflict: {fields}. Two computers wrote them
            # differently…", of a report with both kinds of conflict: {apart} lists the
            # fields two computers wrote differently, {own} those whose versions one
            # computer wrote, none replacing another (no second computer wrote them)
            return _("In conflict: {apart}, which two computers wrote differently, and "
                     "{own}, of which one computer's history holds versions that do not "
                     "replace each other: this table and the review pack show one "
                     "version until the conflict is settled; the {tab} tab shows each."
                     ).format(apart=named(kinds.apart), own=named(kinds.own),
                              tab=without_mnemonic(_("&Conflicts")))
        if not kinds.apart:  # not two computers: one computer's history
            # Translators: as "In conflict: {fields}. Two computers wrote them
            # differently…", of a report whose every version in conflict one computer
            # wrote, none replacing another (no second computer wrote them)
            return _("In conflict: {fields}. One computer's history holds versions of "
                     "them that do not replace each other: this table and the review "
                     "pack show one version until the conflict is settled; the {tab} tab "
                     "shows each.").format(
                         fields=named(kinds.own), tab=without_mnemonic(_("&Conflicts")))
        # Translators: above a report's narratives in headquarters' table of reports;
        # {fields} lists the report's fields, e.g. "Status, Percent complete"; {tab} is
        # the tab "Conflicts", as translated there, which shows each computer's version
        return _("In conflict: {fields}. Two computers wrote them differently: this table "
                 "and the review pack show one version until the conflict is settled; the "
                 "{tab} tab shows both.").format(
                     fields=named(kinds.apart), tab=without_mnemonic(_("&Conflicts")))

    def _show_detail(self, current: QModelIndex, _prev=None) -> None:
        r = self.model.data(current, ROW_ROLE) if current.isValid() else None
        note = hidden_note(self.model.why_hidden(current.row())) if r is not None else ""
        self.hidden_note.setText(note)
        self.hidden_note.setVisible(bool(note))
        late = self.model.changed_after_lock(r) if r is not None else None
        late_note = after_lock_sentence(late) if late is not None else ""
        self.after_lock_note.setText(late_note)
        self.after_lock_note.setVisible(bool(late_note))
        conflict = self._conflict_sentence(r) if r is not None else ""
        self.conflict_note.setText(conflict)
        self.conflict_note.setVisible(bool(conflict))
        self.detail.setAccessibleDescription(
            " ".join(t for t in (late_note, conflict, note) if t))
        if r is None:
            self.detail.clear()
            return
        self.detail.setPlainText(narrative_text(r))


class LinesList(QListWidget):
    """A list as high as its lines, up to ``MOST`` of them (it scrolls to more): the
    Inbox's gaps list was 90 pixels high for its one line ("No gaps: …"), and on a
    laptop's short screen the bundles under it kept four rows."""

    #: the lines shown at most before the list scrolls
    MOST = 4

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def refilled(self) -> None:
        """Its lines changed: its height asked again."""
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # (Qt's name)
        hint = super().sizeHint()
        shown = min(self.count(), self.MOST)
        high = (sum(self.sizeHintForRow(r) for r in range(shown)) if shown
                else self.fontMetrics().lineSpacing() + 4)  # (empty: room for a line)
        high += 2 * self.frameWidth()
        # a line wider than the list: room for the sideways scroll bar under it
        if self.count() and self.sizeHintForColumn(0) > self.viewport().width():
            high += self.horizontalScrollBar().sizeHint().height()
        return QSize(hint.width(), high)

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event) -> None:  # (Qt's name)
        super().resizeEvent(event)
        self.updateGeometry()  # (a line may fit its width now, or no longer)


class InboxPage(ReadWhenShown, QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout(self)
        gaps_box = QGroupBox(_("Gaps"))
        glay = QVBoxLayout(gaps_box)
        self.gaps = LinesList()
        self.gaps.setAccessibleName(_("Gaps"))
        current_row_on_focus(self.gaps)  # (refilled at each refresh)
        glay.addWidget(self.gaps)
        lay.addWidget(gaps_box)
        self.model = InboxModel(self)
        self.view = _table(self.model, _("Inbox"))
        self.view.setSortingEnabled(False)
        lay.addWidget(QLabel(_("Bundles received")))
        # none yet: what the page is for, where the empty table took the keyboard with
        # no sign of it
        from ui.transfer import import_menu

        # Translators: the Inbox before any import; {menu} is a menu path such as
        # "File ▸ Import bundles…"
        self.empty = EmptyState(self.view, _(
            "Every bundle imported here ({menu}, or a file dropped on this window) is "
            "listed on this page, with what became of it and why.").format(
                menu=import_menu()))
        lay.addWidget(self.empty, 1)  # (the table until the bundles are read: most days
        # there are, and the sentence would be said for a moment)
        #: under the table, when it lists only the newest bundles (``list_inbox``'s
        #: limit): the older ones left out are said, not gone from sight unsaid
        self.older = WrappedLabel()
        self.older.setObjectName("inbox-older")
        self.older.setVisible(False)
        #: the bundles left out, reached a page at a time: a page of INBOX_SHOWN read in
        #: SQL when asked, never 100,000 rows in the model. ``upto``: the inbox line the
        #: page starts at (None: the newest page, which new bundles join); ``start``:
        #: how many newer bundles it leaves above it, as last read
        self.upto: int | None = None
        self.start = 0
        #: how many bundles the inbox held, as last read
        self._size = 0
        #: the page to read next (Older bundles: 1; Newer: -1) from the page listed
        self._turn = 0
        #: (``refresh``) the reading of a page turn not yet listed, if one is under way
        self._turning: dict[str, int | None] | None = None
        self.newer_button = QPushButton(_("Newer bundles"))
        self.newer_button.setObjectName("inbox-newer")
        self.older_button = QPushButton(_("Older bundles"))
        self.older_button.setObjectName("inbox-older-page")
        self.newer_button.clicked.connect(lambda: self.turn_page(-1))
        self.older_button.clicked.connect(lambda: self.turn_page(1))
        older_row = QHBoxLayout()
        older_row.addWidget(self.older, 1)
        older_row.addWidget(self.newer_button)
        older_row.addWidget(self.older_button)
        for button in (self.newer_button, self.older_button):
            button.setVisible(False)
        lay.addLayout(older_row)
        #: the chosen bundle's file, outcome and whole reason
        self.detail = detail_label("inbox-detail")
        lay.addWidget(self.detail)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        self._show_detail(QModelIndex())
        # a method, not a lambda: Qt ends the connection with the page (a lambda kept
        # it, and the session, which outlives a window made again in another language,
        # had every page gone read again at each change)
        session.changes_did_happen.connect(self._changes)
        self.refresh()

    @property
    def first_focus(self) -> QWidget:
        """Where the keyboard starts when the tab is shown (ui.main_window's
        ``_first_focusable``): the bundles, not the Gaps list above them, most days one
        line ("No gaps: …") with nothing to do in it; before any, what the page is for."""
        return self.empty.label if self.empty.is_empty() else self.view

    def _changes(self, _changes) -> None:
        # read at once only when in sight (as the Reports and Conflicts pages): every
        # save and import made on another tab listed the inbox and its gaps again, and
        # its thousand rows were measured on the GUI thread (0.1 s at a large
        # headquarters), for a page nobody was looking at
        self.refresh_when_shown()

    def turn_page(self, pages: int) -> None:
        """List the page of bundles ``pages`` older (Older bundles: 1; Newer: -1)."""
        rows = self.model.rows()
        if not rows:
            return
        self._turn = pages
        self.newer_button.setEnabled(False)  # (until it is read: one click, one page)
        self.older_button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        self.stale = False
        upto, turn, self._turn = self.upto, self._turn, 0
        rows = self.model.rows()
        if turn and rows:
            # (from the page listed: its oldest line for the older page, its newest for
            # the newer one)
            edge = rows[-1].inbox_id if turn > 0 else rows[0].inbox_id
        else:
            turn = 0
        # the page a turn asked for, not listed yet: a reading asked meanwhile (an
        # import's end) lists it too, else it put the page listed still back over it.
        # (``top`` set on the worker by the turn's reading, which runs first)
        turning = self._turning
        asked: dict[str, int | None] = {"top": upto}
        if turn:
            self._turning = asked

        def fetch(rep):
            from fieldplan.sync import inbox_size, list_gaps, list_inbox
            from fieldplan.sync.exchange import inbox_newer, inbox_page_above

            top = upto
            if turn > 0:
                top = edge - 1
            elif turn < 0:
                top = inbox_page_above(rep, edge)
            elif turning is not None:
                top = turning["top"]
            size = inbox_size(rep)
            inbox = list_inbox(rep, upto=top)
            if not inbox and top is not None:
                # (the lines of the page gone since, with the bundles they named: the
                # newest page)
                top, inbox = None, list_inbox(rep)
            asked["top"] = top
            first = 0 if top is None else inbox_newer(rep, top)
            # (the gaps by office, in the window's language: list_gaps)
            return inbox, list_gaps(rep), size, first, top

        def done(result=None, error: BaseException | None = None) -> None:
            if self._turning is asked:
                self._turning = None
            if error is not None:
                self._failed(error)
            else:
                self._loaded(result)

        DbOp(self.session, self, fetch).success(done).failure(
            lambda error: done(error=error)).run()

    def _failed(self, error: BaseException) -> None:
        # in place of the gaps last read, once: added under them, each failed reading
        # said the error once more, below "No gaps: …" as if that still held
        self.gaps.clear()
        self.gaps.addItem(error_sentence(error))
        self.gaps.refilled()
        # (Older or Newer bundles pressed: the page listed stays, its buttons back)
        self._enable_turns()

    def _enable_turns(self) -> None:
        """Newer and Older bundles as the page listed allows them."""
        self.newer_button.setEnabled(self.start > 0)
        self.older_button.setEnabled(self.start + self.model.rowCount() < self._size)

    def _loaded(self, result) -> None:
        inbox, gaps, size, first, upto = result
        # another page than the one listed (Older or Newer bundles): shown from its top,
        # not scrolled as the person left the page before (``scroll_kept`` is for the
        # same page read again, after an import)
        turned, self.upto = upto != self.upto, upto
        self.start = first
        current = self.view.currentIndex()
        chosen = self.model.data(current, ROW_ROLE) if current.isValid() else None
        if turned:
            self.model.set_rows(inbox)
            self.view.scrollToTop()
            in_sight = True
        else:
            with scroll_kept(self.view) as in_sight:
                self.model.set_rows(inbox)
        # (the keyboard on the sentence that goes moves to the table: Qt's stack does it)
        self.empty.set_empty(not inbox)
        self.detail.setVisible(bool(inbox))
        left_out = size - len(inbox)
        if left_out > 0 and first == 0:
            # Translators: under the HQ Inbox's list, which shows only the newest
            # bundles; {shown} is how many it lists (1,000), {n} how many it leaves out
            self.older.setText(counted(
                "The {shown} newest bundles are listed; {n} older bundle is not.",
                "The {shown} newest bundles are listed; {n} older bundles are not.",
                left_out, shown=format_number(len(inbox))))
        elif left_out > 0:
            # Translators: under the HQ Inbox's list, on a page of older bundles (Older
            # bundles): which of them it lists, counted from the newest ("Bundles 1,001
            # to 2,000 of 5,210 are listed, the newest first.")
            self.older.setText(_(
                "Bundles {first} to {last} of {total} are listed, the newest first."
            ).format(first=format_number(first + 1),
                     last=format_number(first + len(inbox)), total=format_number(size)))
        self.older.setVisible(left_out > 0)
        self.newer_button.setVisible(left_out > 0)
        self.older_button.setVisible(left_out > 0)
        self._size = size
        self._enable_turns()
        # the bundle chosen before the refresh stays chosen (and its detail shown)
        row = next((i for i, e in enumerate(inbox) if chosen is not None and (
            e.bundle_id, e.received_at, e.file) == (
            chosen.bundle_id, chosen.received_at, chosen.file)), None)
        if row is not None:
            select_row(self.view, row, scroll=in_sight)
        self._show_detail(self.view.currentIndex())
        self.gaps.clear()
        for gap in gaps:
            self.gaps.addItem(isolated_codes(gap.message()))
        if not inbox:  # (an office's first days: no "every office's events" yet)
            self.gaps.addItem(_("No bundle has been imported here yet."))
        elif not gaps:
            self.gaps.addItem(_("No gaps: every office's events arrived in order."))
        self.gaps.refilled()


    def _show_detail(self, current: QModelIndex, _prev=None) -> None:
        entry = self.model.data(current, ROW_ROLE) if current.isValid() else None
        if entry is None:
            self.detail.setText(_("Choose a bundle to read what became of it."))
            return
        heading = _("{label}:")
        model = self.model
        lines = [
            # (the file as a path is named in a sentence: one unit in Arabic, its own
            # Arabic letters too, not the table cell's runs)
            heading.format(label=_("File")) + " " + isolated(entry.file),
            heading.format(label=_("Outcome")) + " " + model.display(entry, model.OUTCOME),
        ]
        if not entry.office:
            # nothing of the file could be read (a damaged ZIP): the Office column stays
            # empty, but a name as fieldplan gives bundles says which office sent it
            lines.append(unread_office_line(entry.file))
        reason = model.whole_reason(entry)  # (the table's cell may say it short)
        if reason:
            # in its own direction: an English reason in an Arabic line, or the reverse
            lines.append(heading.format(label=_("Reason")) + " " + embedded(reason))
        changes = entry.plan_changes(lang()) if hasattr(entry, "plan_changes") else ()
        if changes:
            # what the new plan it brought changes, in the reader's language: the
            # import's dialog that said it is closed
            lines.append(in_layout_direction(_("What the new plan changes:")))
            lines.append(plan_changes_lines(changes))
        if entry.repaired_in:
            # refused as a forked history and repaired since: its reason says a repair
            # is coming, this says it came (fieldplan.sync.fork.repaired_refusals)
            lines.append(_("Repaired since: its data arrived in {file}; nothing is left "
                           "to do about this bundle.").format(file=isolated(entry.repaired_in)))
        self.detail.setText("\n".join(lines))


def _left(page: QWidget, event) -> None:
    """(the Quarantine and Keys pages' hideEvent) The person left the page (not the
    window minimised): what its last action said goes (it stood for the rest of the
    session, beside other rows, as if about them); not while one runs, whose outcome
    is still to be said."""
    if not event.spontaneous() and not page.busy:
        page.message.clear()


class QuarantinePage(QWidget):
    def __init__(self, session: Session, identity: Identity | None = None) -> None:
        super().__init__()
        self.session, self.identity = session, identity
        #: a trust or a refusal under way (``_set_busy``)
        self.busy = False
        #: the keyboard was on its buttons when it began (``_give_keyboard_back``)
        self._keyboard_back = False
        from fieldplan.sync.keys import where_office_reads_key

        lay = QVBoxLayout(self)
        # and where the office reads it: the Computer column says on which computer
        self._intro = (_(
            "Bundles signed by a key this database does not know yet. Call the "
            "office, read the fingerprint together, and trust the key only if "
            "it matches."
        ) + " " + isolated_codes(where_office_reads_key()))
        self.intro = WrappedLabel(self._intro)
        lay.addWidget(self.intro)
        #: quarantine nearly full or full (``exchange.quarantine_room_text``): past its
        #: limits an unknown key's bundle is refused
        self.room = WrappedLabel()
        self.room.setObjectName("quarantine-room")
        self.room.setVisible(False)
        lay.addWidget(self.room)
        self.model = QuarantineModel(self)
        self.view = _table(self.model, _("Quarantine"))
        self.empty = EmptyState(
            self.view, _("No bundle is waiting: every key that signed a bundle is trusted.")
        )
        self.empty.set_empty(True)
        lay.addWidget(self.empty, 1)
        #: the chosen bundle's file and why it waits (an unknown key, or a setup bundle
        #: whose enrolment expired or a revocation ended): what to check before trusting
        self.detail = detail_label("quarantine-detail")
        self.detail.setVisible(False)
        lay.addWidget(self.detail)
        self.trust_button = QPushButton(_("&Trust key…"))
        self.trust_button.setEnabled(False)
        self.trust_button.setAutoDefault(True)  # Enter presses it, as Space does
        self.trust_button.clicked.connect(self.ask_trust)
        # when the fingerprints do not match: the bundles go, nothing of them is merged
        # (Alt+Y: F is the File menu's)
        self.refuse_button = QPushButton(_("Refuse ke&y…"))
        self.refuse_button.setEnabled(False)
        self.refuse_button.setAutoDefault(True)  # Enter presses it, as Space does
        self.refuse_button.clicked.connect(self.ask_refuse)
        self.message = WrappedLabel()
        # an error about a bundle names its file, which anyone can send: as written
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.refuse_button)
        row.addWidget(self.trust_button)
        lay.addLayout(row)
        # Tab goes down the page as it is read, in English as in Arabic: the table, the
        # chosen bundle's file and reason under it, then the buttons (it went from the
        # table to the buttons, then back up to the reason)
        QWidget.setTabOrder(self.view, self.detail)
        QWidget.setTabOrder(self.detail, self.refuse_button)
        QWidget.setTabOrder(self.refuse_button, self.trust_button)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        session.changes_did_happen.connect(self._changes)  # (a method: see InboxPage)
        self.refresh()

    def hideEvent(self, event) -> None:  # (Qt's name)
        super().hideEvent(event)
        _left(self, event)

    def _changes(self, _changes) -> None:
        self.refresh()

    def refresh(self) -> None:
        language = lang()

        def fetch(rep):
            from fieldplan.sync import list_quarantine
            from fieldplan.sync.exchange import quarantine_room_text, quarantine_totals

            # (the offices' names sorted off the GUI thread)
            return (in_quarantine_order(list_quarantine(rep), language),
                    quarantine_room_text(*quarantine_totals(rep)))

        DbOp(self.session, self, fetch).success(lambda got: self._loaded(*got)).run()

    def _loaded(self, items, room: str = "") -> None:
        before = chosen_row(self.view, lambda q: q.bundle_id)
        with scroll_kept(self.view) as in_sight:
            self.model.set_rows(items)
        self.empty.set_empty(not items)
        # (a bundle left waiting after an import registered its key: not an unknown
        # key's, and no fingerprint to read)
        self.intro.setText(" ".join([self._intro, _(
            "A bundle whose key is on record already waits because it could not be "
            "imported then: its reason says why, and Import again takes it.")])
            if any(q.key_on_record for q in items) else self._intro)
        self.room.setText(room)
        self.room.setVisible(bool(room))
        choose_again(self.view, [q.bundle_id for q in items], before, in_sight=in_sight)
        self._enable()
        self._give_keyboard_back()

    def _enable(self) -> None:
        item = self.selected()
        # (not while a trust or a refusal is under way: its bundles are still listed)
        chosen = item is not None and not self.busy
        on_record = item is not None and item.key_on_record
        # a bundle left waiting after an import registered its key (it could not take
        # it then): no fingerprint to check, its key is on record; an import again
        # takes it, and a refusal removes the bundle alone (as 'keys trust' and 'keys
        # refuse' do of that key)
        self.trust_button.setText(_("Impor&t again") if on_record else _("&Trust key…"))
        self.refuse_button.setText(_("Re&move from quarantine…") if on_record
                                   else _("Refuse ke&y…"))
        allow_writes(self.trust_button, self.identity, chosen, _(
            "Imports again the bundles of this key that wait here (quarantine keeps "
            "their copies): the key is on record already, with no fingerprint to "
            "compare") if on_record else "")
        allow_writes(self.refuse_button, self.identity, chosen)
        self._show_detail(item)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        """A trust or a refusal under way (``text`` says which), on the worker: at a
        large headquarters the backup before a trust takes seconds, with nothing said
        and the buttons still on meanwhile."""
        if busy:
            # the keyboard on Trust or Refuse, disabled meanwhile: once the bundles are
            # read again, on the table, or the sentence that says none waits (Qt put it
            # on the window's tabs, away from what the page now says)
            self._keyboard_back = self.window().focusWidget() in (
                self.trust_button, self.refuse_button)
        self.busy = busy
        if text:
            self.message.setText(text)
        self._enable()

    def _give_keyboard_back(self) -> None:
        """(``_set_busy``) The keyboard back on the page after a trust or a refusal."""
        if self._keyboard_back and not self.busy:
            self._keyboard_back = False
            target = self.empty.label if self.empty.is_empty() else self.view
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_detail(self, item) -> None:
        lines = []
        if item is not None:
            heading = _("{label}:")
            lines.append(heading.format(label=_("File")) + " " + isolated(item.file))
            reason = item.reason_text()
            if reason:
                # in its own direction, as in the inbox: an English reason in an Arabic
                # line, or the reverse
                lines.append(heading.format(label=_("Reason")) + " "
                             + embedded(isolated_codes(reason)))
            replaces = item.replaces.text() if item.replaces is not None else ""
            if replaces and replaces not in reason:
                # (quarantined before the computer it claims had its key on record)
                lines.append(embedded(isolated_codes(replaces)))
        text = "\n".join(lines)
        self.detail.setText(text)
        self.detail.setVisible(bool(text))
        self.view.setAccessibleDescription(text)

    def selected(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def ask_trust(self) -> None:
        item = self.selected()
        if item is not None and item.key_on_record:
            # nothing to compare with the office: the key is on record (its bundles
            # are imported as their files imported again would be)
            self.import_again(item.fingerprint)
            return
        self._confirm_key(trust=True)

    def ask_refuse(self) -> None:
        item = self.selected()
        if item is not None and item.key_on_record:
            self._confirm_removal(item)
            return
        self._confirm_key(trust=False)

    def _confirm_removal(self, item) -> None:
        """Ask before removing from quarantine the bundles of a key on record that wait
        there (``refuse_key`` removes them all, the key left as it stands)."""
        files = [q.file for q in self.model.rows()
                 if q.fingerprint == item.fingerprint] or [item.file]
        text = counted(
            "Remove this bundle of office {office} from quarantine? Nothing of it is "
            "imported. Its key stays on record, and importing its file again imports "
            "it later.",
            "Remove these {n} bundles of office {office} from quarantine? Nothing of "
            "them is imported. Their key stays on record, and importing their files "
            "again imports them later.", len(files), office=office_label(item.office))
        dialog = ConfirmDialog(self, _("Remove from quarantine"), text,
                               "\n".join(code_text(f) for f in files), _("Re&move"),
                               cautious=True)
        dialog.setObjectName("remove-dialog")
        dialog.accepted.connect(lambda fpr=item.fingerprint: self.refuse(fpr, removal=True))
        dialog.open()

    def _confirm_key(self, *, trust: bool) -> None:
        """Show the selected key's fingerprint to compare with the one the office reads
        on the phone, and trust or refuse the key when the person confirms."""
        item = self.selected()
        if item is None:
            return
        from fieldplan.sync.keys import where_office_reads_key

        if trust:
            text = _(
                "Trust the key of office {office}? Its bundles will be merged. Compare "
                "this fingerprint with the one the office reads to you:"
            )
            title, button, name, act = _("Trust key"), _("&Trust"), "trust-dialog", self.trust
        else:
            text = _(
                "Refuse the key of office {office}? Its bundles leave quarantine and nothing "
                "of them is merged. Do this when the fingerprint the office reads to you is "
                "not this one:"
            )
            title, button, name, act = (_("Refuse key"), _("Re&fuse"), "refuse-dialog",
                                        self.refuse)
        # first which of the office's computers, and where it reads its fingerprint;
        # last the question, whose colon leads to the fingerprint below it
        text = (isolated_codes(sentence(where_office_reads_key(item.sender))) + "\n\n"
                + text.format(office=office_label(item.office)))
        if item.replaces is not None:
            # a computer that has an active key here: a trust puts this key in its
            # place, said before all else (the preview below leaves it out)
            text = isolated_codes(item.replaces.text()) + "\n\n" + text
        # what a trust merges, said before it (read off the GUI thread, filled in
        # when read): a trust that took open conflicts from 3 to 190, some into a
        # locked period, said so only afterwards
        reading = "\n\n" + _("Reading what its bundles hold…") if trust else ""
        dialog = ConfirmDialog(self, title, text + reading, item.fingerprint,
                               button, monospace_details=True, cautious=True)
        dialog.setObjectName(name)
        dialog.accepted.connect(lambda fpr=item.fingerprint: act(fpr))
        dialog.open()
        if trust:
            self._preview_trust(dialog, text, item.fingerprint)

    def _preview_trust(self, dialog: ConfirmDialog, text: str, fingerprint: str) -> None:
        """Say in the trust dialog what the key's waiting bundles hold (``trust_preview``:
        how many events, of which periods, locked ones, conflicts), once read: between
        the office's computer and the question, the fingerprint check as it was."""
        import shiboken6

        def run(rep):
            from fieldplan.sync.trust_preview import trust_preview

            # (the key it replaces: said at the top of the dialog already)
            return trust_preview(rep, fingerprint).text(replaces=False)

        def show(said: str) -> None:
            if shiboken6.isValid(dialog) and dialog.isVisible():
                head, sep, question = text.rpartition("\n\n")
                dialog.text.setText(head + sep + isolated_codes(said) + "\n\n" + question)

        def failed(error: BaseException) -> None:
            # the trust itself says what is wrong, if it is: only the words change
            show(_("What its bundles hold could not be read: {reason}").format(
                reason=error_sentence(error)))

        DbOp(self.session, self, run).success(show).failure(failed).run()

    def refuse(self, fingerprint: str, *, removal: bool = False) -> None:
        """Refuse the key, its bundles removed from quarantine; ``removal``: the key is
        on record, and only its bundles are removed (``refuse_key`` knows which)."""
        def run(rep):
            from fieldplan.sync import refuse_key

            return refuse_key(rep, fingerprint)

        def done(outcomes) -> None:
            from fieldplan.replica import Changes

            self._set_busy(False)
            self.message.setText(counted(
                "{n} bundle removed from quarantine; its key stays on record.",
                "{n} bundles removed from quarantine; their key stays on record.",
                len(outcomes)) if removal else counted(
                "Key refused; {n} bundle removed from quarantine.",
                "Key refused; {n} bundles removed from quarantine.", len(outcomes)))
            # (said: shown beside the buttons, away from the focus, it was heard by no one)
            say_in_passing(self.message, self.message.text())
            emit(self.session.changes_did_happen, Changes(entities=(("inbox", "*"),)))

        self._set_busy(True, _("Removing from quarantine…") if removal
                       else _("Refusing the key…"))
        DbOp(self.session, self, run).success(done).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._give_keyboard_back()
        self.message.setText(error_sentence(error))
        announce(self.message)

    def trust(self, fingerprint: str) -> None:
        def run(rep):
            from fieldplan.sync import trust_key

            # what the trust notes (its setup bundle's enrolment had ended): said on
            # this page with the rest, not in a warning box over the import's result,
            # which it repeated
            return trust_key(rep, fingerprint), rep.take_notices()

        self._set_busy(True, _("Trusting the key: a backup of the database first, then "
                               "its bundles merged…"))
        DbOp(self.session, self, run).success(lambda done: self._trusted(*done)).failure(
            self._failed).run()

    def import_again(self, fingerprint: str) -> None:
        """Import the waiting bundles of a key on record from quarantine's copy
        (``import_quarantined_again``): no trust, the key is on record already."""
        def run(rep):
            from fieldplan.sync import import_quarantined_again

            return import_quarantined_again(rep, fingerprint)

        self._set_busy(True, _("Importing again: a backup of the database first, then "
                               "the bundle merged…"))
        DbOp(self.session, self, run).success(
            lambda outcomes: self._trusted(outcomes, again=True)).failure(
            self._failed).run()

    def _trusted(self, outcomes, notices: tuple[str, ...] | list[str] = (), *,
                 again: bool = False) -> None:
        from fieldplan.replica import Changes
        from fieldplan.sync.exchange import each_file
        from ui.transfer import ImportResultDialog

        self._set_busy(False)
        # (with the bundles a key one of them registered brought out of quarantine, as
        # the import result's totals count them)
        every = each_file(outcomes)
        merged = sum(1 for o in every if o.outcome in ("merged", "duplicate"))
        self.message.setText(" ".join([
            counted("Imported again; {n} bundle merged.",
                    "Imported again; {n} bundles merged.", merged) if again else
            counted("Key trusted; {n} bundle merged.", "Key trusted; {n} bundles merged.",
                    merged),
            *(sentence(notice) + ("" if notice.endswith((".", "?")) else ".")
              for notice in notices)]))
        say_in_passing(self.message, self.message.text())
        if outcomes:
            # what the merge did, as an import says it (changes to a locked period
            # among them): the one line above said only how many bundles
            ImportResultDialog(self.window(), list(outcomes)).open()
        emit(
            self.session.changes_did_happen,
            Changes(
                entities=(("progress", "*"), ("key", "*"), ("inbox", "*")),
                events=sum(o.events_new for o in every),
            ),
        )


class KeysPage(QWidget):
    """The key registry: every computer's key, and revoking the key of a lost or stolen
    one (its bundles are refused from then on, everywhere)."""

    def __init__(self, session: Session, identity: Identity | None = None) -> None:
        super().__init__()
        self.session, self.identity = session, identity
        lay = QVBoxLayout(self)
        intro = WrappedLabel(_(
            "The key of every computer that sends bundles. Revoke the key of a computer "
            "that was lost or stolen: its bundles are refused from then on, and the "
            "office needs a new setup bundle for a new computer."))
        lay.addWidget(intro)
        self.model = KeysModel(self)
        self.view = _table(self.model, _("Keys"))
        lay.addWidget(self.view, 1)
        self.revoke_button = QPushButton(_("Revoke ke&y…"))  # Alt+Y: V is View's
        self.revoke_button.setEnabled(False)
        self.revoke_button.setAutoDefault(True)  # Enter presses it, as Space does
        self.revoke_button.clicked.connect(self.ask_revoke)
        self.message = WrappedLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # key ids, errors: as written
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.revoke_button)
        lay.addLayout(row)
        self._own: set[str] = set()
        #: key id → the computer's current keys revoking it revokes too (an earlier key:
        #: ``keys.revoked_with``), as the confirmation says
        self._with: dict[str, list[str]] = {}
        #: key id → the other computers its setup bundle registered, still active
        #: (``keys.same_setup_each``): revoking it leaves them be, the confirmation says
        self._same_setup: dict[str, tuple] = {}
        #: a revocation under way, until the keys are read again after it: Revoke is
        #: off meanwhile (it stayed on for the key being revoked, and a second
        #: confirmation revoked a revoked key, an error)
        self.busy = False
        #: revocations asked so far: a read asked after the last one shows it (the
        #: worker takes its jobs in turn), one asked before does not end ``busy``
        self._revocations = 0
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        session.changes_did_happen.connect(self._changes)  # (a method: see InboxPage)
        self.refresh()

    def hideEvent(self, event) -> None:  # (Qt's name)
        super().hideEvent(event)
        _left(self, event)

    def _changes(self, changes) -> None:
        if changes.touches("key"):
            self.refresh()

    def refresh(self) -> None:
        reading = lang()
        after = self._revocations

        def fetch(rep):
            from fieldplan.sync import keys as keyreg

            # a key of a computer a revocation cut off is revoked too (an earlier key
            # of it revoked): its bundles are refused, and it is not revoked again
            shown = [k for k in keyreg.listed_keys(keyreg.all_keys(rep)).values()
                     if k.source == "registry"]
            own = keyreg.own_key_ids(rep)  # rotated, never revoked
            uses = keyreg.key_uses(rep)
            # the computers' order (the pages of reports list headquarters last,
            # office_ranks): by code, in Arabic "BD · بنغلاديش" before "BJ · بنين"
            # before "BN · بروناي", in no order a reader sees
            return (in_keys_order(shown, reading), own, uses,
                    keyreg.revoked_with_each(rep), keyreg.same_setup_each(rep, uses))

        DbOp(self.session, self, fetch).success(
            lambda result: self._loaded(result, after)).run()

    def _loaded(self, result, after: int | None = None) -> None:
        """``after``: the revocations asked when the read was (``_revocations``)."""
        keys, self._own, uses, self._with, self._same_setup = result
        if after is None or after == self._revocations:
            self.busy = False
        before = chosen_row(self.view, lambda k: k.key_id)
        with scroll_kept(self.view) as in_sight:
            self.model.set_rows(keys, uses)
        choose_again(self.view, [k.key_id for k in keys], before, in_sight=in_sight)
        self._enable()

    def selected(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _enable(self) -> None:
        k = self.selected()
        allow_writes(self.revoke_button, self.identity, k is not None and k.status != "revoked"
                     and k.key_id not in self._own and not self.busy)

    def ask_revoke(self) -> None:
        k = self.selected()
        if k is None:
            return
        text = _("Revoke the key of this computer of office {office}? Its bundles will be "
                 "refused from then on, here and at every office, and so will any new key "
                 "it makes. This cannot be undone.").format(office=office_label(k.office))
        also = self._with.get(k.key_id)
        if also:  # an earlier key: the computer's current key goes with it
            from fieldplan.sync.keys import revoked_with_text

            text += "\n\n" + isolated_codes(sentence(revoked_with_text(also)))
        text += "\n\n" + "\n".join(self.computer_lines(k))
        same = self._same_setup.get(k.key_id)
        if same:  # set up from the same setup bundle: revoking this one leaves them be
            from fieldplan.sync.keys import same_setup_text

            text += "\n\n" + isolated_codes(sentence(same_setup_text(
                same, lambda at: embedded(time_text(at)))))
        dialog = ConfirmDialog(self, _("Revoke key"), text, k.fingerprint, _("Re&voke"),
                               monospace_details=True, cautious=True)
        dialog.setObjectName("revoke-dialog")
        dialog.accepted.connect(lambda key_id=k.key_id: self.revoke(key_id))
        dialog.open()

    def computer_lines(self, k) -> list[str]:
        """Which computer the key is, as the table tells them apart: an office's two
        laptops differ in who writes on them and when they last sent a bundle."""
        from fieldplan.i18n import key_replica_label

        use = self.model.use(k)
        heading = _("{label}:")
        values = (
            (_("Computer"), code_text(key_replica_label(k.replica, k.renews))),
            (_("Written by"), embedded(use.author) if use.author else "—"),
            (_("Last bundle"), embedded(time_text(use.last_bundle)) if use.last_bundle
             else "—"),
            (_("Registered"), embedded(time_text(use.registered)) if use.registered
             else "—"),
            (_("Key"), code_text(k.key_id)),
        )
        return [in_layout_direction(heading.format(label=label) + " " + value)
                for label, value in values]

    def revoke(self, key_id: str) -> None:
        def run(rep):
            from fieldplan.sync import revoke_key

            return revoke_key(rep, key_id)

        def done(changes) -> None:  # the session tells every view of the change
            text = _("Key {key_id} revoked. Offices learn it from their next "
                     "bundle.").format(key_id=key_id)
            if getattr(changes, "also", ()):  # an earlier key: the current one goes too
                text += "\n" + isolated_codes(sentence(changes.also_text()))
            if getattr(changes, "spared", ""):  # a copy alone: the other computer goes on
                text += "\n" + sentence(changes.spared_text())
            if getattr(changes, "enrolments_ended", ""):  # its setup bundles: ended
                text += "\n" + isolated_codes(sentence(changes.enrolments_text()))
            if getattr(changes, "same_setup", ()):  # computers its setup bundle set up
                text += "\n" + isolated_codes(sentence(changes.same_setup_text(
                    lambda at: embedded(time_text(at)))))
            if getattr(changes, "warning", ""):  # the backup after it: not written
                text += "\n" + sentence(changes.warning)
            self.message.setText(text)
            # (said: shown beside the button, away from the focus, heard by no one)
            say_in_passing(self.message, text)

        def failed(error: BaseException) -> None:
            self.busy = False  # (nothing changed: nothing to read again)
            self._enable()
            self.message.setText(error_sentence(error))
            announce(self.message)

        # off until the keys are read again after it (``_loaded``), which the change
        # the revocation broadcasts asks for
        self._revocations += 1
        self.busy = True
        self._enable()
        DbOp(self.session, self, run).success(done).failure(failed).run()


def conflict_heading(conflict: Any, field: str) -> str:
    """"ML · PA3.1 · 2nd semester 2026 · Achievements" over a conflict's values: each
    code in its own isolate, so that in Arabic the office still reads first (on the
    right), not after the action as one left-to-right run "ML · PA3.1" put it."""
    period = period_words(conflict.period)
    return in_layout_direction(_("{office} · {action} · {period} · {field}").format(
        office=embedded(conflict.office), action=embedded(conflict.action), period=period,
        field=field))


class ConflictsPage(ReadWhenShown, QWidget):
    """Open conflicts; the selected one's values side by side, each with Keep."""

    #: the divider between the list and the values moved (the window keeps it:
    #: ``filters``)
    filters_did_change = Signal()

    def __init__(self, session: Session, identity: Identity | None = None) -> None:
        super().__init__()
        self.session = session
        self.identity = identity
        self.model = ConflictModel(self)
        if identity is not None:
            self.model.indicator_titles = indicator_titles(identity)
        self.view = _table(self.model, _("Conflicts"))
        # the style's margins, as on the other pages
        lay = QVBoxLayout(self)
        detail = QWidget()
        dlay = QVBoxLayout(detail)
        dlay.setContentsMargins(0, 0, 0, 0)
        #: what the chosen conflict is about (or why keeping a value failed)
        self.message = DocumentLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        # read and copied with the keyboard, after the list (``_tell``): the versions
        # not shown of a wide conflict, why a Keep is disabled, were said nowhere else
        self.message.setTextInteractionFlags(selectable())
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (until it says something)
        # (Keep both texts beside it, at its end: under the versions it took their
        # room, a laptop at 150 % then showing fewer lines of each narrative)
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.message, 1)
        dlay.addLayout(heading_row)
        #: (HQ) the conflict's period is locked: unlocking it, from here (the Period
        #: menu unlocks the period shown, and one the plan no longer covers is never
        #: shown), lets the office's computers settle it
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlock-period")
        self.unlock_button.hide()
        self.unlock_button.clicked.connect(self._ask_unlock)
        self._locked_period = ""
        dlay.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignLeading)
        self.sides = QWidget()
        self.sides_layout = VersionsRow(self.sides)
        self.sides_layout.setContentsMargins(0, 0, 0, 0)
        # the versions side by side fill the width; more than fit at a readable width
        # (up to 32 of them) scroll sideways: in 1366 pixels each was 40 wide, its
        # heading, value and Keep button cut to a letter a line
        self.sides_scroll = VersionsScroll()
        self.sides_scroll.setWidgetResizable(True)
        self.sides_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # no stop of Tab of its own (it said nothing, between the words above and the
        # first version): Tab goes to each version, and the area scrolls it into view
        self.sides_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sides_scroll.setWidget(self.sides)
        dlay.addWidget(self.sides_scroll, 1)
        #: (two or more narratives) keeps every version's text, one after the other:
        #: a Keep of one replaced the other laptop's words for good, though each said
        #: what the other did not
        self.together_button = QPushButton(_("Keep &both texts"))
        self.together_button.setObjectName("keep-texts-together")
        self.together_button.setAutoDefault(True)
        self._together_said = _("Keeps the text of every version, one after the other, "
                                "the earliest written first: nothing either computer "
                                "wrote is lost.")
        self.together_button.setToolTip(self._together_said)
        self.together_button.setAccessibleDescription(self._together_said)
        self.together_button.hide()
        self.together_button.clicked.connect(self._keep_together)
        self._together_id = ""
        heading_row.addWidget(self.together_button, 0, Qt.AlignmentFlag.AlignTop)
        # the values side by side need the room of a few lines and a button: their
        # least height (VersionsScroll), which the list above gives way to (ten lines
        # of the font, set here, was less than the versions' headings, texts and Keep
        # buttons on a laptop at 150 %: the buttons were below the room); and a few
        # lines more where the list can spare them (ListAndVersions)
        self.splitter = ListAndVersions(self.view, detail)
        self.splitter.splitterMoved.connect(self.filters_did_change)
        self.empty = EmptyState(self.splitter, _("No open conflicts."))
        lay.addWidget(self.empty)
        self.keep_buttons: list[QPushButton] = []
        #: every version box made (``ui.conflict_versions.VersionBox``), in the order
        #: of the focus chain: the first ones in ``sides``, those not needed by the
        #: conflict shown kept hidden in ``_spare_boxes``, to be filled again
        self._boxes: list[Any] = []
        self._spare_boxes = QWidget(self)
        self._spare_boxes.hide()
        #: the conflict to choose once they are read (``restore_filters``), by its id
        self._to_choose: str | None = None
        #: why keeping a value failed, said again once the conflicts are read anew
        #: (``_keep_failed``)
        self._said_after_load = ""
        self.view.selectionModel().currentRowChanged.connect(self._show)
        session.changes_did_happen.connect(self._changes)
        self.refresh()

    def filters(self) -> dict[str, Any]:
        """The divider between the list and the values, where a person placed it (else
        the next window shares its height out again: ``ListAndVersions``), and the
        conflict chosen (``restore_filters``: a language change chose the first
        again)."""
        chosen = chosen_row(self.view, lambda c: str(c.id))
        placed = self.splitter.placed
        return {"split": splitter_sizes(self.splitter) if placed else None,
                "placed": placed,
                "chosen": chosen[0] if chosen is not None else self._to_choose or ""}

    def restore_filters(self, filters: dict[str, Any]) -> None:
        # a divider put back only where a person placed it ("placed"): fieldplan 0.3
        # kept it at every closing, wherever it was, with no word of it (it reads
        # "split" alone, as it wrote it)
        if filters.get("placed") is True:
            restore_sizes(self.splitter, filters.get("split"))
        self._to_choose = str(filters.get("chosen") or "") or None
        if self.model.rowCount() and self._to_choose:  # (read already)
            ids = [str(self.model.data(self.model.index(r, 0), ROW_ROLE).id)
                   for r in range(self.model.rowCount())]
            choose_again(self.view, ids, (self._to_choose, 0))
            self._to_choose = None

    def _changes(self, _changes) -> None:
        # read at once only when in sight: at a headquarters of 17,500 open conflicts
        # the listing took a second of the database's thread at each save made on
        # another tab (the next save, the next report opened waited behind it), and
        # its new rows held the window
        self.refresh_when_shown()

    def refresh(self) -> None:
        self.stale = False

        def fetch(rep):
            from fieldplan.sync import list_conflicts

            return list_conflicts(rep)

        DbOp(self.session, self, fetch).success(self._loaded).run()

    def _loaded(self, conflicts) -> None:
        before = chosen_row(self.view, lambda c: str(c.id))
        if before is None and self._to_choose:  # (restore_filters)
            before = (self._to_choose, 0)
        if conflicts:
            self._to_choose = None
        # a Keep button had the focus (the one just pressed, as a rule): it is about to
        # show another version or be put away, the focus with it; it goes to the next
        # conflict's first Keep instead
        focus = QApplication.focusWidget()
        keep_focus = focus is not None and (
            self.sides.isAncestorOf(focus) or focus is self.together_button)
        with scroll_kept(self.view) as in_sight:
            self.model.set_rows(conflicts)
        if not conflicts:
            self._clear_sides()
        self._tell("")
        self.empty.set_empty(not conflicts)
        if conflicts:
            choose_again(self.view, [str(c.id) for c in conflicts], before,
                         in_sight=in_sight)
            self._show(self.view.selectionModel().currentIndex())
        if keep_focus:
            self._focus_after_change()
        said, self._said_after_load = self._said_after_load, ""
        if said:
            self._tell("\n".join(filter(None, (said, self.message.text()))), failed=True)

    def _focus_after_change(self) -> None:
        """The first Keep of the conflict shown; the table if none can be pressed; the
        sentence that says none is left when none is (the table is hidden then: it
        went to the window's tabs, where a screen reader said nothing of what
        happened)."""
        keep = next((b for b in self.keep_buttons if b.isEnabled()), None)
        if keep is not None:
            keep.setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.empty.is_empty():
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.empty.label.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ask_unlock(self) -> None:
        """The window's Unlock dialog for the conflict's period (it reads whether the
        period is locked itself, and says so when it no longer is)."""
        ask = getattr(self.window(), "lock_dialog", None)
        if ask is not None and self._locked_period:
            ask(False, self._locked_period)

    def _clear_sides(self) -> None:
        self.unlock_button.hide()
        self.together_button.hide()
        self._together_id = ""
        self._locked_period = ""
        self._version_boxes(0)
        self.keep_buttons = []

    def _version_boxes(self, count: int) -> list[Any]:
        """The first ``count`` version boxes, in ``sides`` in that order (made where
        there are fewer); the others out of it, kept hidden. Those just put in are not
        shown yet."""
        from ui.conflict_versions import VersionBox

        layout = self.sides_layout
        have = layout.count()
        for box in self._boxes[count:have]:
            # hidden at once (the focus, if it is in it, going on to the next widget):
            # shown until put away, out of the layout at 640 by 480 pixels over the
            # versions that take its place
            box.hide()
            layout.removeWidget(box)
            box.setParent(self._spare_boxes)
        while len(self._boxes) < count:
            box = VersionBox(self._spare_boxes)
            box.keep_pressed.connect(self.resolve)
            self._boxes.append(box)
        for box in self._boxes[have:count]:
            layout.addWidget(box)
        return self._boxes[:count]

    @contextmanager
    def _row_laid_out_once(self) -> Iterator[None]:
        """While on, the versions' row is not laid out: a box shown (just put in the
        row, or its "Shown now") lays out every layout above it at once, and 32 boxes
        shown one by one laid the row out 32 times (528 boxes laid out). It is laid out
        once after (``_lay_out_now``)."""
        layout = self.sides_layout
        layout.setEnabled(False)
        try:
            yield
        finally:
            layout.setEnabled(True)
            layout.invalidate()

    def _show(self, current: QModelIndex, _prev=None) -> None:
        conflict = self.model.data(current, ROW_ROLE) if current.isValid() else None
        if conflict is None:
            self._clear_sides()
            return
        from fieldplan.sync.conflicts import (
            keep_refusal,
            locked_note,
            texts_kept,
            together_too_long,
        )
        from ui.conflict_versions import told_apart_names, version_differences

        lines = [conflict_heading(conflict, self.model.field_text(conflict.field))]
        if conflict.one_replica:  # one computer's history, not two computers' writes
            from fieldplan.sync.conflicts import one_computer_text

            here = self.identity.replica_id if self.identity is not None else ""
            lines.append(in_layout_direction(sentence(one_computer_text(
                conflict, here, code_text)) + "."))
        # only the office's own computers settle its conflicts (HQ sees them to know),
        # and not while headquarters has its period locked
        mine = "HQ" if self.identity is not None and self.identity.is_hq else (
            self.identity.office if self.identity is not None else conflict.office)
        settle_here = conflict.resolvable_by(mine)
        if conflict.office != mine:
            lines.append(in_layout_direction(
                _("Only the computers of {office} can settle this conflict: it is shown "
                  "here so that you know of it.").format(office=office_label(conflict.office))))
        lock = locked_note(conflict, mine)
        unlock = bool(lock) and mine == "HQ" and bool(conflict.period)
        self._locked_period = conflict.period if unlock else ""
        if lock:
            lines.append(in_layout_direction(lock))
        if unlock:
            self.unlock_button.setText(_("&Unlock {period}…").format(
                period=format_period(conflict.period)))
            allow_writes(self.unlock_button, self.identity, True)
        self.unlock_button.setVisible(unlock)
        # a submitted report changes once reopened, as a save; its state in conflict
        # is settled by keeping "draft" (which reopens it): why a Keep is disabled.
        # One the plan hides is not reopened: its values are kept as they are
        # (of a wide conflict, one version of each value first: ``Conflict.shown``)
        candidates = conflict.shown
        refusals = [keep_refusal(conflict, cand) if settle_here else ""
                    for cand in candidates]
        if conflict.hidden:
            lines.append(in_layout_direction(isolated_codes(sentence(conflict.hidden)) + "."))
        elif any(refusals) and conflict.field != "state":
            lines.append(in_layout_direction(_("This report is submitted. Reopen it to edit it.")))
        elif any(refusals):
            lines.append(in_layout_direction(sentence(next(r for r in refusals if r)) + "."))
        texts = [value_text(conflict.field, cand.value) for cand in candidates]
        differences = version_differences(conflict.field, texts)
        more = conflict.versions - len(candidates)
        if more and conflict.values_shown_all:
            lines.append(in_layout_direction(counted(
                "{count} more version is not shown: its value is one of those shown. "
                "Keeping a value replaces every version, shown or not.",
                "{count} more versions are not shown: each one's value is one of those "
                "shown. Keeping a value replaces every version, shown or not.",
                more)))
        elif more:
            lines.append(in_layout_direction(counted(
                "{count} more version is not shown, and its value is not among those "
                "shown. Keeping a value replaces every version, shown or not.",
                "{count} more versions are not shown, some with values not among those "
                "shown. Keeping a value replaces every version, shown or not.",
                more)))
        if any(differences):
            lines.append(in_layout_direction(_(
                "Where the versions differ is highlighted; each opens at its first "
                "difference.")))
        # the texts of a narrative's versions, kept one after the other (none when one
        # holds the other already: that one is kept); too long together, Keep both is
        # shown disabled and why is said here (pressed, it said so only then)
        kept = texts_kept(conflict)
        together = settle_here and not any(refusals) and not conflict.hidden and bool(kept)
        too_long = together_too_long(kept) if together else ""
        if too_long:
            lines.append(in_layout_direction(sentence(too_long) + "."))
        self._tell("\n".join(lines))
        names = told_apart_names(list(candidates), [_shortened(t) for t in texts])
        boxes = self._version_boxes(len(candidates))
        with self._row_laid_out_once():
            for box, cand, text, spans, refused, told in zip(
                    boxes, candidates, texts, differences, refusals, names, strict=True):
                box.show_version(conflict.id, cand, text, spans, told)
                allow_writes(box.keep_button, self.identity, settle_here and not refused,
                             isolated_codes(sentence(refused)) if refused else "")
                # one just put in the row: shown now (with the page, where it is
                # hidden), Qt showing it at a later turn of its event loop, after a
                # paint of the pane without it
                box.show()
                # laid out now, its new heading in: else the row (``share`` below) asked
                # each box its least size before its layout took the heading in, and
                # again once it had, at the next turn (each box worked out twice a
                # step, 64 times between conflicts of 32 versions)
                box.layout().activate()
        self.keep_buttons = [box.keep_button for box in boxes]
        self._together_id = conflict.id if together and not too_long else ""
        if together:
            # (three laptops' texts are not "both")
            label, said = _("Keep &both texts"), self._together_said
            if len(kept) > 2:
                # Translators: a button, for 3 texts or more only ("Keep all 3 texts")
                label = counted("Keep &all {n} texts", "Keep &all {n} texts", len(kept))
                # (three laptops: "nothing either computer wrote" counted two)
                # Translators: the tooltip of "Keep all 3 texts", for 3 texts or more only
                said = counted("Keeps all {n} texts, one after the other, the earliest "
                               "written first: nothing any of the {n} computers wrote is "
                               "lost.",
                               "Keeps all {n} texts, one after the other, the earliest "
                               "written first: nothing any of the {n} computers wrote is "
                               "lost.", len(kept))
            if too_long:
                said = sentence(too_long) + "."
            self.together_button.setText(label)
            self.together_button.setAccessibleDescription(said)
            # (its tip: allow_writes set none, and the tip said nothing on a hover)
            allow_writes(self.together_button, self.identity, not too_long, tip=said)
            # Tab reaches it after the versions, as the page is read: the versions made
            # come last in the window's focus chain, and Tab went from the heading down
            # to it, before either text, then back up to them
            QWidget.setTabOrder(self.keep_buttons[-1], self.together_button)
        self.together_button.setVisible(together)
        self.sides_scroll.updateGeometry()  # (as high as its versions at the least)
        self.splitter.share()  # (and a few lines more, where the list can spare them)
        self._lay_out_now()

    def _lay_out_now(self) -> None:
        """The pane under the list laid out before it is painted: each layout that
        changed asks its parent's again in an event of its own, through the versions'
        scroll area and the splitter, each at a turn of Qt's event loop; the first
        paint came in between, the heading cut to a line, with no versions, and the
        pane was right only a moment later (half a second on a busy laptop)."""
        if self.isVisible():
            # (those posted as these are handled too, up to the window)
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _listed(self, conflict_id: str) -> Any:
        """The conflict ``conflict_id`` as the page shows it (None if it shows it no
        more): what the person chose from, which keeping a value is checked against
        (a version that arrived meanwhile, by an import, was replaced unseen)."""
        current = self.model.data(self.view.currentIndex(), ROW_ROLE) \
            if self.view.currentIndex().isValid() else None
        if current is not None and str(current.id) == conflict_id:
            return current
        return next((c for c in self.model.rows() if str(c.id) == conflict_id), None)

    def _keep_together(self) -> None:
        conflict_id = self._together_id
        if not conflict_id:
            return
        seen = self._listed(conflict_id)

        def run(rep):
            from fieldplan.sync.conflicts import keep_texts_together

            return keep_texts_together(rep, conflict_id, seen)

        DbOp(self.session, self, run).failure(self._keep_failed).run()

    def resolve(self, conflict_id: str, value_id: str) -> None:
        seen = self._listed(conflict_id)

        def run(rep):
            from fieldplan.sync import resolve_conflict

            return resolve_conflict(rep, conflict_id, value_id, seen)

        DbOp(self.session, self, run).failure(self._keep_failed).run()

    def _keep_failed(self, error: BaseException) -> None:
        """Why keeping a value failed, said now, and again above the conflicts read
        anew: a version that arrived meanwhile (the refusal's reason) was not on the
        page until something else had it read again, and the reading wiped the reason."""
        said = error_sentence(error)
        self._tell(said, failed=True)
        self._said_after_load = said
        self.refresh()

    def _tell(self, text: str, *, failed: bool = False) -> None:
        """``text`` above the versions: a stop of Tab after the list while it says
        something (none when empty), and said at once when keeping a value ``failed``
        (the focus is on the Keep button pressed, away from it)."""
        self.message.setText(text)
        if text:
            reached_by_tab(self.message)
        else:
            self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if failed:
            announce(self.message)

    def set_identity(self, identity: Identity) -> None:
        """A new plan (an amendment): indicators named as it names them."""
        self.identity = identity
        self.model.indicator_titles = indicator_titles(identity)
        self.refresh()
