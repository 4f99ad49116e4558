"""Office work: the plan tree (area → action, filtered by level and status) beside
the chosen action's report for the current period; at the tree's end, the office's
reports the plan hides, shown read-only (ui.hidden_reports)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Signal
from PySide6.QtGui import QPalette, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import STATUS_SYMBOLS, _, level_label, status_label
from fieldplan.model import LEVELS, STATUSES, ProgressReport
from fieldplan.plan import Action, Plan, illustrative_note, marked_code
from fieldplan.progress import list_reports
from ui.combo import find_by_words
from ui.context import Identity, illustrative_tip, lang
from ui.hidden_reports import (
    HiddenReport,
    HiddenReportView,
    hidden_group_text,
    hidden_item_text,
    read_hidden,
)
from ui.ops import DbOp, Session
from ui.plain_text import tip_text
from ui.qtcompat import ACCESSIBLE_TEXT_ROLE, USER_ROLE, Qt, emit
from ui.report_editor import ReportEditor
from ui.status_colour import colour_status
from ui.wrapped_label import WrappedLabel

ACTION_ROLE = USER_ROLE + 1
#: a report the plan hides (HiddenReport), on the items of the tree's last group
HIDDEN_ROLE = USER_ROLE + 2
#: the status a row's Status cell shows (its symbol only where the plan is narrow)
STATUS_ROLE = USER_ROLE + 3
#: characters of a title's line the plan keeps beside the Status column's words; with
#: less room than that, the column shows each status's symbol only (its words are the
#: cell's tooltip, what a screen reader says, and the report's own Status field)
TITLE_LINE = 22
NO_REPORT = "none"
#: an action with no report whose report is not due in the period (an amendment added
#: it later): not among "No report yet"
NOT_DUE = "not-due"


class PlanTree(QWidget):
    """Areas and their actions, each action with its status for the period."""

    action_did_change = Signal(object)  # Action or None
    #: a report the plan hides was chosen (HiddenReport)
    hidden_report_did_change = Signal(object)

    def __init__(self, identity: Identity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.identity = identity
        self._reports: dict[str, ProgressReport] = {}
        #: the period of the reports (None: not read yet)
        self._period: str | None = None
        #: the office's reports the plan hides, any period (the tree's last group)
        self._hidden: list[HiddenReport] = []
        self._hidden_group: QTreeWidgetItem | None = None
        #: area code -> its row, as last built; and the areas a person folded (kept
        #: while a filter leaves an area out of the tree)
        self._area_items: dict[str, QTreeWidgetItem] = {}
        self._folded: set[str] = set()
        #: area rows are headings, not selectable, once the window has been painted
        #: (``lock_headings``): setting an item's flags builds PySide's Qt namespace,
        #: which the first paint does without (ui.qtcompat)
        self._headings_locked = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.level = QComboBox()
        self.level.setAccessibleName(_("Filter by level"))
        self.level.addItem(_("All levels"), "")
        for level in LEVELS:
            self.level.addItem(level_label(level), level)
        self.level.setCurrentIndex(self.level.findData(identity.level))
        self.status = QComboBox()
        self.status.setAccessibleName(_("Filter by status"))
        self.status.addItem(_("All statuses"), "")
        self.status.addItem("— " + _("No report yet"), NO_REPORT)
        for status in STATUSES:
            self.status.addItem(f"{STATUS_SYMBOLS[status]} {status_label(status)}", status)
        find_by_words(self.status)  # ("o": On track, past its symbol)
        level_label_w = QLabel(_("&Level"))
        level_label_w.setBuddy(self.level)
        status_label_w = QLabel(_("Sho&w"))
        status_label_w.setBuddy(self.status)
        for combo in (self.level, self.status):
            # as narrow as the row needs (as the headquarters' filters): sized to their
            # longest item ("— Pas encore de rapport"), they made the plan's side so wide
            # that the report's fields were cut off at the window's smallest width
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        # side by side where they fit, one a line where they do not (ui.flow.PairsLayout)
        from ui.flow import PairsLayout

        self.filters = PairsLayout()
        self.filters.add_pair(level_label_w, self.level)
        self.filters.add_pair(status_label_w, self.status)
        lay.addLayout(self.filters)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(_("Plan"))
        self.tree.setHeaderLabels([_("Action"), _("Status")])
        self.tree.setColumnCount(2)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        # the Status column as wide as the widest status, whatever the period shows:
        # sized to its contents it moved the titles' edge at each change of period
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.Fixed)
        width = self.tree.fontMetrics().horizontalAdvance
        texts = [f"{STATUS_SYMBOLS[s]} {status_label(s)}" for s in STATUSES] + [_("Status")]
        self._words_width = max(width(t) for t in texts) + 24
        # (and its heading's word: a blank heading, "Status" in its tooltip only, left
        # the column unnamed to a reader of the narrow plan)
        self._symbols_width = max(width(t) for t in (
            *STATUS_SYMBOLS.values(), "—", _("Status"))) + 24
        self.tree.setColumnWidth(1, self._words_width)
        #: the Status column shows the statuses' symbols only: the plan is too narrow
        #: for its titles beside their words (``_fit_status``)
        self.symbols_only = False
        # (the titles' column stretches: resized as the plan is)
        self.tree.header().sectionResized.connect(self._fit_status_soon)
        self._fit_due = False
        lay.addWidget(self.tree, 1)
        #: the filters let no action through: said under the empty tree (a screen
        #: reader heard it once chosen; the eye found a blank plan, as if none loaded)
        self.nothing = WrappedLabel(_("No action matches these filters."))
        self.nothing.setVisible(False)
        lay.addWidget(self.nothing)
        #: what the mark after an illustrative code means, while the tree shows one
        self.illustrative_note = WrappedLabel(illustrative_note())
        self.illustrative_note.setToolTip(illustrative_tip())
        lay.addWidget(self.illustrative_note)
        self.level.currentIndexChanged.connect(self.rebuild)
        self.status.currentIndexChanged.connect(self.rebuild)
        #: (``_filter_changed``) filters that leave no action said once chosen, made at
        #: the first change seen (after the first paint: ui.dialogs is not loaded then)
        self._said_filtered = None
        self.level.currentIndexChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._filter_changed)
        self.tree.currentItemChanged.connect(self._current_changed)
        #: the row of the action (or hidden report) last chosen: the one shown beside
        #: the tree, highlighted while an area's heading is the current row
        self._shown_row = QPersistentModelIndex()
        # (the selection model's signal: it comes while the tree's are blocked too)
        self.tree.selectionModel().currentChanged.connect(self._note_shown)
        # (Qt clears the selection after it makes a heading current, on Left)
        self.tree.selectionModel().selectionChanged.connect(self._keep_shown_highlighted)
        self.rebuild()

    #: characters of an action's code and title the plan keeps room for beside the
    #: Status column, however narrow the window ("PA1.2* · Renforcer…")
    TITLE_ROOM = 12

    def minimumSizeHint(self) -> QSize:  # (Qt's name)
        """Its filters, one a line where the window is narrow (ui.flow.PairsLayout), and
        room for TITLE_ROOM characters of each action beside its status: the report's
        side takes what is left."""
        least = super().minimumSizeHint()
        tree = self.tree
        titles = (tree.columnWidth(1) + 2 * tree.indentation() + 2 * tree.frameWidth()
                  + tree.verticalScrollBar().sizeHint().width()
                  + self.TITLE_ROOM * tree.fontMetrics().averageCharWidth())
        return QSize(max(least.width(), titles), least.height())

    def set_reports(self, reports: list[ProgressReport],
                    hidden: list[HiddenReport] | None = None,
                    period: str | None = None) -> None:
        """The period's reports, and (when given) the office's reports the plan hides
        and the period (an action an amendment added after it has no report due)."""
        self._reports = {r.action: r for r in reports}
        if period is not None:
            self._period = period
        if hidden is not None:
            self._hidden = hidden
        # the report being typed in stays in sight when its new status is one the
        # filter hides, until the user chooses another (or changes the filter)
        self.rebuild(keep_shown=True)

    def _fit_status_soon(self, column: int, _old: int, _new: int) -> None:
        """Once the header has laid its sections out: a width set while it does is
        undone by the sizes it worked out before."""
        if column != 0 or self._fit_due:
            return
        from PySide6.QtCore import QTimer

        self._fit_due = True
        QTimer.singleShot(0, self, self._fit_status)

    def _fit_status(self) -> None:
        """The Status column's words where the titles keep TITLE_LINE characters a line
        beside them, else its symbols only. On a 1024×600 laptop at 150 % the plan kept
        half its width for the statuses' words, and the titles read "PA1.1* · Appuyer
        les p…", "PA1.2* · Renforcer les s…": a dozen actions alike."""
        self._fit_due = False
        tree = self.tree
        room = tree.viewport().width() - self._words_width - 2 * tree.indentation()
        narrow = room < TITLE_LINE * tree.fontMetrics().averageCharWidth()
        if narrow == self.symbols_only:
            return
        self.symbols_only = narrow
        tree.setColumnWidth(1, self._symbols_width if narrow else self._words_width)
        for i in range(tree.topLevelItemCount()):
            group = tree.topLevelItem(i)
            for j in range(group.childCount()):
                self._show_status(group.child(j))

    def _show_status(self, item: QTreeWidgetItem) -> None:
        """``item``'s Status cell: symbol and words, or the symbol alone, its words then
        the cell's tooltip and what a screen reader says."""
        status = item.data(1, STATUS_ROLE)
        if status is None:
            return
        symbol, words = STATUS_SYMBOLS.get(status, "?"), status_label(status)
        item.setText(1, symbol if self.symbols_only else f"{symbol} {words}")
        item.setToolTip(1, words if self.symbols_only else "")
        item.setData(1, ACCESSIBLE_TEXT_ROLE, words if self.symbols_only else None)

    def current_action(self) -> Action | None:
        item = self.tree.currentItem()
        return item.data(0, ACTION_ROLE) if item else None

    def current_hidden(self) -> HiddenReport | None:
        """The report the plan hides that is chosen, if one is."""
        item = self.tree.currentItem()
        return item.data(0, HIDDEN_ROLE) if item else None

    def select(self, code: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            area = self.tree.topLevelItem(i)
            for j in range(area.childCount()):
                item = area.child(j)
                action = item.data(0, ACTION_ROLE)
                if action is not None and action.code == code:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def reveal(self, code: str) -> bool:
        """Choose ``code``'s action, the Level or Show filter that hides it set to let
        it through (to all levels, all statuses); whether the plan has it. A line of
        the dashboard's missing list opened with "Show: Off track" chosen found no
        such action in the tree: the report chosen before stayed in the editor, and
        what was typed next went into it."""
        if self.select(code):
            return True
        action = next((a for a in self.identity.plan.actions if a.code == code), None)
        if action is None:
            return False
        level = self.level.currentData()
        if level and level != action.level:
            self.level.setCurrentIndex(self.level.findData(""))
            if self.select(code):
                return True
        if self.status.currentData():
            self.status.setCurrentIndex(self.status.findData(""))
        return self.select(code)

    def filter_state(self) -> dict[str, object]:
        """What the Level and Show filters are set to, and the areas folded
        (``restore_filter_state``: a language change makes the window again)."""
        folded = {code for code, item in self._area_items.items() if not item.isExpanded()}
        return {"level": self.level.currentData(), "status": self.status.currentData(),
                "folded": sorted(folded | (self._folded - set(self._area_items)))}

    def restore_filter_state(self, filters: dict) -> None:
        """Set the filters and fold the areas as ``filters`` says (``filter_state``); a value
        this tree does not offer is left as it is."""
        folded = filters.get("folded")
        if isinstance(folded, list):
            self._area_items = {}  # (rebuild reads the folded areas from its rows)
            self._folded = {code for code in folded if isinstance(code, str)}
        for combo, key in ((self.level, "level"), (self.status, "status")):
            value = filters.get(key)
            index = combo.findData(value) if isinstance(value, str) else -1
            if index >= 0:
                # quietly: the action chosen stays chosen though the filter would
                # leave it out (the reports may not be read yet), as after a save
                combo.blockSignals(True)
                try:
                    combo.setCurrentIndex(index)
                finally:
                    combo.blockSignals(False)
        self.rebuild(keep_shown=True)

    def hidden_items(self) -> list[QTreeWidgetItem]:
        """The items of the reports the plan hides (none when the group is not shown)."""
        group = self._hidden_group
        return [group.child(i) for i in range(group.childCount())] if group else []

    def select_hidden(self, action: str, period: str) -> bool:
        """Choose the hidden report on ``action`` for ``period``; whether it is listed."""
        for item in self.hidden_items():
            report = item.data(0, HIDDEN_ROLE).report
            if (report.action, report.period) == (action, period):
                self._hidden_group.setExpanded(True)
                self.tree.setCurrentItem(item)
                return True
        return False

    def rebuild(self, *_args: object, keep_shown: bool = False) -> None:
        keep = self.current_action()
        keep_hidden = self.current_hidden()
        # an area's heading current (Left from an action): current again, the action
        # shown beside the tree highlighted again. The cleared tree had no current row:
        # after an import, or a save made elsewhere, the highlight was gone and Down
        # went to the plan's first row
        heading, highlighted = self._heading_and_shown()
        # the group of hidden reports stays open or closed as the user left it, and so
        # does each area: one folded opened again at each save, or each import
        hidden_open = self._hidden_group is not None and self._hidden_group.isExpanded()
        self._folded = {code for code, item in self._area_items.items()
                        if not item.isExpanded()} | (self._folded - set(self._area_items))
        level = self.level.currentData()
        wanted = self.status.currentData()
        plan = self.identity.plan
        marked = False
        self.tree.blockSignals(True)
        self.tree.clear()
        self._hidden_group = None
        self._area_items = {}
        for area in plan.areas:
            area_item = QTreeWidgetItem([f"{marked_code(area)} · {area.title.get(lang())}", ""])
            if area.illustrative:
                area_item.setToolTip(0, illustrative_tip())
            if self._headings_locked:
                area_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for action in plan.actions_of(area=area.code, level=level or None):
                report = self._reports.get(action.code)
                not_due = (report is None and self._period is not None
                           and not plan.expects(action.code, self._period))
                status = report.status if report else NOT_DUE if not_due else NO_REPORT
                if wanted and wanted != status and not (keep_shown and action is keep):
                    continue
                shown = f"{STATUS_SYMBOLS[status]} {status_label(status)}" if report else "—"
                title = action.title.get(lang())
                item = QTreeWidgetItem([f"{marked_code(action)} · {title}", shown])
                item.setData(0, ACTION_ROLE, action)
                # the whole title (the row may cut it), and what the mark means
                item.setToolTip(0, tip_text(f"{title}\n{illustrative_tip()}"
                                            if action.illustrative else title))
                marked = marked or action.illustrative
                if report:
                    # (they may come before the first paint: ui.status_colour)
                    colour_status(item, 1, status)
                    item.setData(1, STATUS_ROLE, status)
                    self._show_status(item)
                else:
                    # the dash is for the eye (the filter says "— No report yet"): a
                    # screen reader and the tooltip say the words
                    words = (plan.added_text(action.code, self._period) if not_due
                             else _("No report yet"))
                    item.setData(1, ACCESSIBLE_TEXT_ROLE, words)
                    item.setToolTip(1, words)
                if not_due:  # greyed, as nothing is asked of it yet (still chosen to edit)
                    item.setForeground(0, self.palette().color(
                        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
                area_item.addChild(item)
            if area_item.childCount():
                self.tree.addTopLevelItem(area_item)
                area_item.setExpanded(area.code not in self._folded)
                self._area_items[area.code] = area_item
                marked = marked or area.illustrative
        self.illustrative_note.setVisible(marked)
        self._add_hidden(wanted, hidden_open)
        if not self.tree.topLevelItemCount():
            # the office's own level, every status: the plan has no action there (an
            # amendment dropped them), which no filter would change
            none_here = (not wanted and level == self.identity.level
                         and not self.identity.own_actions())
            self.nothing.setText(self.identity.no_action_text() if none_here
                                 else _("No action matches these filters."))
        self.nothing.setVisible(not self.tree.topLevelItemCount())
        # the same action chosen again, quietly: a refresh of the statuses (after every
        # save) must not reload the report being typed in
        if keep_hidden is not None:
            self._keep_hidden(keep_hidden)
            return
        if heading is not None:
            self._put_back_heading(heading, highlighted)
        found = keep is not None and self.select(keep.code)
        self.tree.blockSignals(False)
        if keep is not None and not found:
            emit(self.action_did_change, None)
        elif found and self.current_action() is not keep:  # a new plan: show it
            emit(self.action_did_change, self.current_action())

    def _heading_and_shown(self) -> tuple[str | None, tuple | None]:
        """(rebuild) The heading that is the current row, by its area's code ("" for
        the group of hidden reports), None when an action or nothing is; and what the
        row of the action or hidden report shown beside the tree (highlighted) shows,
        if any (``_row_key``: the rows are gone once the tree is cleared)."""
        current = self.tree.currentItem()
        if current is None or current.data(0, ACTION_ROLE) is not None \
                or current.data(0, HIDDEN_ROLE) is not None:
            return None, None
        heading = next((code for code, item in self._area_items.items() if item is current),
                       "" if current is self._hidden_group else None)
        row = self.tree.itemFromIndex(QModelIndex(self._shown_row)) \
            if self._shown_row.isValid() else None
        return heading, _row_key(row) if row is not None else None

    def _put_back_heading(self, heading: str, shown: tuple | None) -> None:
        """(rebuild, the tree's signals blocked) ``heading`` current again, the row of
        ``shown`` highlighted (``_keep_shown_highlighted``), where the tree still has
        them."""
        item = self._hidden_group if heading == "" else self._area_items.get(heading)
        if item is None:
            return
        for row in self._action_rows() if shown is not None else ():
            if _row_key(row) == shown:
                self._shown_row = QPersistentModelIndex(self.tree.indexFromItem(row, 0))
                break
        self.tree.setCurrentItem(item)

    def _action_rows(self) -> list[QTreeWidgetItem]:
        """The rows of actions and hidden reports, in the tree's order."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            rows += [group.child(j) for j in range(group.childCount())]
        return rows

    def _keep_hidden(self, keep: HiddenReport) -> None:
        """(rebuild, its signals blocked) the hidden report chosen again, told again
        only if it changed (a new plan's reason, an office's newer text)."""
        found = self.select_hidden(keep.report.action, keep.report.period)
        self.tree.blockSignals(False)
        if not found:  # shown again by the plan, or no longer the filter's
            emit(self.action_did_change, None)
        elif self.current_hidden() != keep:
            emit(self.hidden_report_did_change, self.current_hidden())

    def _add_hidden(self, wanted: str, expanded: bool) -> None:
        """The office's reports the plan hides, in a group of their own at the end
        (closed at first): their narratives are kept, and read there."""
        hidden = [h for h in self._hidden if not wanted or h.report.status == wanted]
        if not hidden:
            return
        from ui.models import status_text  # (hidden reports come after)

        group = QTreeWidgetItem([hidden_group_text(len(hidden)), ""])
        if self._headings_locked:
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        for h in hidden:
            status = h.report.status
            item = QTreeWidgetItem([hidden_item_text(h), status_text(status)])
            item.setData(0, HIDDEN_ROLE, h)
            item.setToolTip(0, tip_text(h.sentence()))
            colour_status(item, 1, status)
            item.setData(1, STATUS_ROLE, status)
            self._show_status(item)
            group.addChild(item)
        self.tree.addTopLevelItem(group)
        group.setExpanded(expanded)
        self._hidden_group = group

    def set_identity(self, identity: Identity) -> bool:
        """Show a new plan (an amendment): the same action chosen again if the plan
        still shows it, else the one now in its place in its area (its last one, if
        the area has fewer now), else none. Quietly (the office view shows the
        report); whether the action chosen before is still there."""
        keep = self.current_action()
        item = self.tree.currentItem()
        row = item.parent().indexOfChild(item) if item is not None and item.parent() else 0
        self.identity = identity
        self.blockSignals(True)
        try:
            self.rebuild()
            if keep is None or self.select(keep.code):
                return True
            for i in range(self.tree.topLevelItemCount()):
                area = self.tree.topLevelItem(i)
                first = area.child(0).data(0, ACTION_ROLE)  # None: the hidden reports
                if first is not None and first.area == keep.area:
                    self.tree.setCurrentItem(area.child(min(row, area.childCount() - 1)))
                    break
        finally:
            self.blockSignals(False)
        return False

    def choose_none(self) -> None:
        """No action chosen, quietly (the editor shows why): choosing any then shows it."""
        self.tree.blockSignals(True)
        try:
            self.tree.setCurrentItem(None)
            self.tree.clearSelection()
        finally:
            self.tree.blockSignals(False)

    def _filter_changed(self, *_args: object) -> None:
        """Level or Show chosen so that no action is left: said (the empty tree is
        away from the filter, and a screen reader said only the filter's choice)."""
        if not self.isVisible():  # (set as the window is built, or unseen)
            return
        if self._said_filtered is None:
            from ui.dialogs import SaidWhenSettled

            self._said_filtered = SaidWhenSettled(self, self.tree, self._nothing_left)
        self._said_filtered.changed()

    def _nothing_left(self) -> str:
        return "" if self.tree.topLevelItemCount() else self.nothing.text()

    def hideEvent(self, event) -> None:  # (Qt's name)
        super().hideEvent(event)
        if self._said_filtered is not None:  # (nothing said of a page out of sight)
            self._said_filtered.stop()

    def lock_headings(self) -> None:
        """Make the area rows headings that cannot be selected, now and after rebuilds."""
        if self._headings_locked:
            return  # (each row changed again was laid out and painted again)
        self._headings_locked = True
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setFlags(Qt.ItemFlag.ItemIsEnabled)

    def wrap_titles(self) -> None:
        """Each action's and area's title on up to two lines (ui.title_delegate), rows
        as high as their lines: cut to one line, French titles read "PA1.1* · Appuyer
        les politiq…" at 1024 pixels. (Once the window is painted: the delegate's paint
        builds Qt's namespace, ui.qtcompat.)"""
        from ui.title_delegate import TitleDelegate

        if isinstance(self.tree.itemDelegateForColumn(0), TitleDelegate):
            return
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegateForColumn(0, TitleDelegate(self.tree))
        # the rows measured again for the titles' new width (Qt keeps their heights)
        self.tree.header().sectionResized.connect(
            lambda column, old, new: column == 0 and old != new
            and self.tree.scheduleDelayedItemsLayout())

    def _note_shown(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Remember the row of the action or hidden report made current (the one shown
        beside the tree); none when none is current (choose_none, a rebuild)."""
        item = self.tree.itemFromIndex(current) if current.isValid() else None
        if item is None:
            self._shown_row = QPersistentModelIndex()
        elif (item.data(0, ACTION_ROLE) is not None
              or item.data(0, HIDDEN_ROLE) is not None):
            self._shown_row = QPersistentModelIndex(current.siblingAtColumn(0))
        else:
            self._keep_shown_highlighted()

    def _keep_shown_highlighted(self, *_args: object) -> None:
        """An area's heading made current (Left from an action, Right in Arabic; Up
        from its first): headings cannot be chosen and Qt cleared the selection, so the
        action whose report is still shown lost its highlight. It keeps it; the
        heading has the focus frame, and a second Left folds the area."""
        selection = self.tree.selectionModel()
        if not self._shown_row.isValid() or selection.hasSelection():
            return
        current = self.tree.currentItem()
        if current is None or current.data(0, ACTION_ROLE) is not None \
                or current.data(0, HIDDEN_ROLE) is not None:
            return
        from PySide6.QtCore import QItemSelectionModel

        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(QModelIndex(self._shown_row), flags)

    def _current_changed(self, current: QTreeWidgetItem | None, _prev) -> None:
        action = current.data(0, ACTION_ROLE) if current else None
        if action is not None:
            emit(self.action_did_change, action)
            return
        hidden = current.data(0, HIDDEN_ROLE) if current else None
        if hidden is not None:
            emit(self.hidden_report_did_change, hidden)


def _row_key(row: QTreeWidgetItem) -> tuple:
    """What a row of the plan tree shows, the same in the rows of another build."""
    action = row.data(0, ACTION_ROLE)
    if action is not None:
        return ("action", action.code)
    hidden = row.data(0, HIDDEN_ROLE)
    if hidden is not None:
        return ("hidden", hidden.report.action, hidden.report.period)
    return ("heading", row.text(0))


class _Splitter(QSplitter):
    """A horizontal splitter whose widgets stay inside it right to left.

    Qt mirrors a right-to-left splitter's widgets to end at its contents' width, one
    pixel past its last one, and leaves its margins out (the editor at -5 when it had
    margins of 6): its margins stay outside it, and one pixel on its right brings the
    plan's frame back in. (The direction is the application's when it is made: a new
    language makes a new window. A changeEvent() would cost the first paint its QEvent
    classes, see ui.main_window.FirstPaint.)"""

    def __init__(self) -> None:
        super().__init__()  # horizontal (QSplitter(parent) would build the Qt namespace)
        if self.isRightToLeft():
            self.setContentsMargins(0, 0, 1, 0)


class OfficeView(QWidget):
    """The plan tree beside the report editor, in a splitter."""

    def __init__(
        self,
        session: Session,
        identity: Identity,
        undo_stack: QUndoStack,
    ) -> None:
        super().__init__()
        self.session = session
        self.identity = identity
        self.period = identity.current_period()
        self.tree = PlanTree(identity)
        self.editor = ReportEditor(session, identity, undo_stack)
        self.editor.tab_from = self.tree.tree  # Tab from the plan to the report's fields
        #: a report the plan hides, read-only (made when one is first chosen)
        self.hidden_view: HiddenReportView | None = None
        #: the editor, or in its place the hidden report chosen
        self.pane = QStackedWidget()
        self.pane.addWidget(self.editor)
        self.splitter = _Splitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        # the plan's titles (two lines each: ui.title_delegate) read whole for most
        # actions at 1024 pixels, in French too; the report's fields keep their room
        # (at 460 of 1220 the plan kept 24 characters of a line)
        self.splitter.setSizes([540, 680])
        # the same margin on both sides (so also in Arabic): with none, the Level
        # filter's label touched the window's edge. Around the splitter, not in it (see
        # _Splitter): in Arabic the report editor and its scrollbar were cut by the
        # window's left edge.
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 0)
        lay.addWidget(self.splitter)
        #: where the keyboard starts when the page is shown (ui.main_window's
        #: ``_first_focusable``): the plan, not the Level filter above it; Tab still
        #: goes from the filters to the plan, and on to the report
        self.first_focus = self.tree.tree
        self.tree.action_did_change.connect(self._action_changed)
        self.tree.hidden_report_did_change.connect(self._hidden_chosen)
        session.changes_did_happen.connect(self._changes_did_happen)
        self.refresh()

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()
        self.editor.show_report(self.tree.current_action(), period)

    def set_identity(self, identity: Identity, period: str) -> bool:
        """A new plan (an amendment) and the period to show: the tree rebuilt, the
        report of the same action shown again (its new title, indicators and level),
        or of the one now in its place; whether the same action is still there.

        The plan hides the report the person was typing in: it stays in the editor,
        read-only, saying so (``ReportEditor.set_identity``), and no action is chosen
        in the tree until the person chooses one. Another report shown in its place
        took the next keys typed (the keyboard was still in the same text box)."""
        self.identity = identity
        # the drafts the plan refuses set aside
        gone = self.editor.set_identity(identity)
        self.period = period
        kept = self.tree.set_identity(identity)
        self.refresh()
        if gone:
            self.tree.choose_none()
            return kept
        self.editor.show_report(self.tree.current_action(), period)
        hidden = self.tree.current_hidden()
        if hidden is not None:  # still hidden by the new plan: its reason may be new
            self._hidden_chosen(hidden)
        return kept

    def refresh(self) -> None:
        """The period's reports, and the office's reports (any period) the plan hides."""
        period, office, plan = self.period, self.identity.office, self.identity.plan

        def fetch(rep) -> tuple[str, Plan, list[ProgressReport], list[HiddenReport]]:
            from fieldplan.planops import PlanScope

            reports = list_reports(rep, office=office)
            # the statuses of the rows: the reports the plan shows (those it hides are
            # the last group's). One on an action moved to another level read as that
            # action's status with "All levels", listed twice under "Show: At risk",
            # where the dashboard and the status sheet count it nowhere
            shown = PlanScope(plan).shown(r for r in reports if r.period == period)
            return period, plan, shown, read_hidden(rep, plan, reports)

        DbOp(self.session, self, fetch).success(self._reports_loaded).run()

    def _reports_loaded(
        self, result: tuple[str, Plan, list[ProgressReport], list[HiddenReport]]
    ) -> None:
        period, plan, reports, hidden = result
        if period != self.period or plan is not self.identity.plan:
            return  # read for what was shown before: its own refresh follows
        self.tree.set_reports(reports, hidden, period)

    def _action_changed(self, action: Action | None) -> None:
        self.pane.setCurrentWidget(self.editor)
        self.editor.show_report(action, self.period)

    def _hidden_chosen(self, hidden: HiddenReport) -> None:
        """A report the plan hides, read in the editor's place (what was typed in the
        editor is saved first)."""
        self.editor.show_report(None, self.period)
        if self.hidden_view is None:
            self.hidden_view = HiddenReportView()
            self.pane.addWidget(self.hidden_view)
        self.hidden_view.show_hidden(hidden, self.identity.plan)
        self.pane.setCurrentWidget(self.hidden_view)

    def _changes_did_happen(self, changes) -> None:
        if changes.touches("progress") or changes.touches("plan") or changes.touches("lock"):
            self.refresh()

    def select_action(self, code: str) -> None:
        """Show ``code``'s report, whatever the plan's filters hid (``reveal``)."""
        self.tree.reveal(code)
