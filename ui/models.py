"""Table models: one QAbstractTableModel per table (Vorta's style), each with column
constants, ``SORT_ROLE`` for sorting and ``ROW_ROLE`` returning the row object.

They hold plain values handed to them by the views (which fetched them with a DbOp):
no model touches the database, so each can be tested without a widget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from fieldplan.i18n import (
    STATUS_SYMBOLS,
    _,
    counted,
    field_label,
    format_number,
    format_percent,
    get_language,
    join_clauses,
    join_list,
    key_replica_label,
    key_status_label,
    ngettext,
    period_words,
    status_label,
    translation,
)
from fieldplan.means import area_status, mean_percent, not_started_beside
from fieldplan.model import STATUSES, ProgressReport
from fieldplan.offices import in_quarantine_order as in_quarantine_order  # (ui.hq_desk)
from fieldplan.offices import office_ranks
from fieldplan.plan import code_key
from fieldplan.plan import in_listing_order as in_listing_order  # (ui.hq_desk, tests)
from fieldplan.text import bidi_contained, for_message, search_key
from ui.bidi import (
    code_text,
    codes_unbroken,
    embedded,
    in_own_direction,
    isolated,
    isolated_codes,
    own_isolate,
)
from ui.context import lang, office_label
from ui.plain_text import tip_text
from ui.qtcompat import emit
from ui.status_colour import STATUS_COLOURS

#: Starts a code such as "2026-S1" left-to-right, so that Arabic layouts do not show
#: it as "S1-2026".
LTR_MARK = "\u200e"


def _period_text(code: str) -> str:
    """A period in words ("1st semester 2026"); a code this version does not know (a
    damaged peer's record) as written, kept left to right in a right-to-left layout."""
    words = period_words(code)
    return words if words != code else LTR_MARK + code


ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
#: a cell's text in fewer characters, for a column too narrow for the whole of it
#: (``OverviewModel.cell_text(compact=True)``)
COMPACT_ROLE = Qt.ItemDataRole.UserRole + 3
#: a row's key, the same after a reload (an id): what a list refilled finds the row
#: chosen before by again (ui.list_focus), where a column's text may repeat ("ML" of
#: each of an office's conflicts)
KEY_ROLE = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex


#: How the Overview sorts its cells by the status they show (fieldplan.means.area_status):
#: the one that most needs attention first (an area where nothing has started before
#: one on track).
ATTENTION_ORDER: tuple[str, ...] = (
    "off-track",
    "at-risk",
    "not-started",
    "on-track",
    "completed",
    "cancelled",
)


def status_text(status: str) -> str:
    """Symbol and word, e.g. "▲ At risk"."""
    return f"{STATUS_SYMBOLS.get(status, '?')} {status_label(status)}"


def status_brush(status: str) -> QBrush:
    return QBrush(QColor(STATUS_COLOURS.get(status, "#ffffff")))


def _safe_datetime(iso: str) -> str:
    from ui.context import time_text  # the one way the client writes a time

    return time_text(iso)


def widest_times() -> list[str]:
    """Times as a column shows them, at their widest: every month, morning and
    evening (a 12-hour clock's "AM" and "PM"), on a two-digit day and on the first
    (French "1er"). What a column of times is fitted to, instead of writing out every
    row's (ui.table_fit)."""
    return [_safe_datetime(f"2026-{month:02d}-{day:02d}T{hour}:59:00")
            for month in range(1, 13) for day in (1, 28) for hour in (10, 22)]


class _RowsModel(QAbstractTableModel):
    """Rows of frozen values and a column list; subclasses say how to show a cell."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    # subclass hooks ----------------------------------------------------------------
    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    def display(self, row: Any, column: int) -> str:
        raise NotImplementedError

    def sort_key(self, row: Any, column: int) -> Any:
        return self.display(row, column)

    def tooltip(self, row: Any, column: int) -> str | None:
        """A cell's tooltip: its text (a narrow column cuts it). Plain text: ``data``
        keeps Qt from taking it for HTML (ui.plain_text)."""
        return self.display(row, column) or None

    def extra(self, row: Any, column: int, role: int) -> Any:
        return None

    def row_key(self, row: Any) -> Any:
        """What tells ``row`` apart from the others, the same after a reload
        (``KEY_ROLE``): its id where it has one; else the row itself, which a row
        changed since no longer equals."""
        return row

    def width_texts(self, column: int) -> Iterable[str]:
        """The texts ``column`` needs room for (ui.table_fit): every row's. A model
        whose column is costly to write out row by row gives its widest texts."""
        return (self.display(row, column) for row in self._rows)

    # data --------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    # Qt ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            names = self.headers()
            if 0 <= section < len(names):
                return names[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == ROW_ROLE:
            return row
        if role == KEY_ROLE:
            return self.row_key(row)
        if role == SORT_ROLE:
            return self.sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            # a file name, a narrative or a key's author from another computer: shown
            # as written, never as HTML
            return tip_text(self.tooltip(row, column))
        return self.extra(row, column, role)


# what ends a line in a narrative (clean_text keeps U+2028 as written)
_LINE_BREAKS = re.compile("[\n\u2028\u2029]")


class ReportTableModel(_RowsModel):
    """Progress reports (HQ's table of every office's rows), filtered in the model.

    Filtering lives here rather than in a QSortFilterProxyModel: a proxy asks Python
    for every row's data on each keystroke, which is too slow for 100,000 rows; a
    list comprehension over precomputed, case-folded text is not.
    """

    COLUMNS = (
        "office",
        "action",
        "period",
        "status",
        "percent",
        "state",
        "updated",
        "achievements",
    )
    OFFICE, ACTION, PERIOD, STATUS, PERCENT, STATE, UPDATED, ACHIEVEMENTS = range(8)
    #: columns of people's own text, drawn in the text's direction (ui.bidi)
    FREE_TEXT = (ACHIEVEMENTS,)
    #: the column that takes the width the others leave (ui.hq_desk._table)
    STRETCH = ACHIEVEMENTS
    #: an office's name, when the table is narrow (a laptop at 150 %): the narrative
    #: keeps its header's width at least (``ui.table_fit.give_way_when_narrow``)
    GIVES_WAY = (OFFICE,)
    #: then the period, the time and the percent (their tooltips say them whole):
    #: in French at 895 pixels they kept their samples' widths while the narrative
    #: was narrower than its header
    GIVES_WAY_NEXT = (PERIOD, UPDATED, PERCENT)

    #: the roles that mark a report the plan hides (see ``set_reports``)
    _HIDDEN_ROLES = frozenset(
        (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleDescriptionRole,
        )
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[ProgressReport] = []
        self._haystack: list[str] = []
        self._visible: list[int] = []
        self._needle = ""
        self._predicate: Callable[[ProgressReport], bool] | None = None
        #: per report of ``_all``, why the plan hides it (PlanScope.why_hidden)
        self._why: list[tuple[str, ...]] = []
        self._hidden_flags: list[bool] = []
        self._hidden_shown = 0
        self._dim: QBrush | None = None
        #: the order a person chose (column, order), kept through reloads and searches
        self._order: tuple[int, Qt.SortOrder] | None = None
        #: every report's index in ``_all``, in that order (None: the data's order):
        #: made once per load or sort, so that a search keystroke sorts nothing
        self._ordered_all: list[int] | None = None
        #: (office, action, period) -> how the report changed after its period's lock
        #: (``progress.changed_after_lock``, read with the reports)
        self._after_lock: dict[tuple[str, str, str], Any] = {}
        #: office -> its place in the review pack's order (``office_ranks``): what the
        #: Office column sorts by
        self._office_rank: dict[str, int] = {}
        #: office -> how the Office column names it (``office_label``: "BD · Bangladesh",
        #: as the Overview), made once per load, not at each of 100,000 rows' paint
        self._office_label: dict[str, str] = {}

    def row_key(self, row: Any) -> tuple[str, str, str]:
        return (row.office, row.action, row.period)

    def headers(self) -> Sequence[str]:
        return (
            _("Office"),
            _("Action"),
            _("Period"),
            _("Status"),
            _("Percent"),
            _("State"),
            _("Updated"),
            _("Achievements"),
        )

    def set_reports(
        self,
        reports: Iterable[ProgressReport],
        why_hidden: Sequence[tuple[str, ...]] | None = None,
        haystack: Sequence[str] | None = None,
        after_lock: Iterable[Any] = (),
    ) -> None:
        """The reports, and for each one why the plan hides it (``PlanScope.why_hidden``,
        computed with the reports, off the GUI thread): those rows are greyed and
        say why in their tooltip. ``haystack``: ``search_texts(reports)``, made off the
        GUI thread too (made here when not given). ``after_lock``: the reports changed
        after their period was locked (``progress.changed_after_lock``'s
        ``ChangedAfterLock``, read with the reports): their State says so, in words.
        The reports are listed in the order given: ``in_listing_order``'s is the one
        the Period column's arrow says (``DATA_ORDER``)."""
        self._after_lock = {(c.office, c.action, c.period): c for c in after_lock}
        self._all = list(reports)
        offices = {r.office for r in self._all}
        self._office_rank = office_ranks(offices, lang())
        self._office_label = {office: office_label(office) for office in offices}
        self._why = list(why_hidden) if why_hidden is not None else [()] * len(self._all)
        if len(self._why) != len(self._all):
            raise ValueError("why_hidden must have one entry per report")
        self._hidden_flags = [bool(w) for w in self._why]
        self._haystack = list(haystack) if haystack is not None else search_texts(self._all)
        if len(self._haystack) != len(self._all):
            raise ValueError("haystack must have one entry per report")
        self._ordered_all = self._in_order(range(len(self._all)))
        self._apply(list(self._ordered_all if self._ordered_all is not None
                         else range(len(self._all))))

    def set_filter(
        self, text: str = "", predicate: Callable[[ProgressReport], bool] | None = None
    ) -> None:
        """Show reports whose narratives, office or action contain each word of ``text``
        (any case, with or without accents or Arabic vowel marks), in any of them ("SN
        workshop": Senegal's reports that speak of a workshop), and that ``predicate``
        accepts."""
        needle = search_key(text).strip()
        narrowing = (
            predicate is self._predicate and self._needle and needle.startswith(self._needle)
        )
        self._needle, self._predicate = needle, predicate
        # typing one more letter only narrows: search the rows shown, not all of them
        # (both in the order chosen)
        candidates = self._visible if narrowing else (
            self._ordered_all if self._ordered_all is not None else range(len(self._all)))
        hay = self._haystack
        # (a text that starts with the one before narrows: each of its words holds one
        # before, the last one's growing)
        words = needle.split()
        if len(words) == 1:
            candidates = [i for i in candidates if needle in hay[i]]
        elif words:
            candidates = [i for i in candidates if all(w in hay[i] for w in words)]
        if predicate is not None:
            reports = self._all
            candidates = [i for i in candidates if predicate(reports[i])]
        self._apply(list(candidates))

    #: the order the reports come in (``in_listing_order``: period, then office in the
    #: review pack's order, then action): the Period column's, ascending, which needs
    #: no sort
    DATA_ORDER = (PERIOD, Qt.SortOrder.AscendingOrder)

    def _in_order(self, indexes: Iterable[int]) -> list[int] | None:
        """``indexes`` (into ``_all``) in the order chosen; None when it is the data's
        (``DATA_ORDER``: 100,000 reports loaded again are not sorted again)."""
        if self._order is None or self._order == self.DATA_ORDER:
            return None
        column, order = self._order
        reports = self._all
        if column == self.ACHIEVEMENTS:
            # folded already, in the search's texts (``search_texts``: the office, the
            # action, then the narratives): folded again, 100,000 narratives held the
            # window four times as long as by their characters' codes
            hay = self._haystack
            return sorted(indexes, key=lambda i: hay[i].split("\n", 2)[-1],
                          reverse=order == Qt.SortOrder.DescendingOrder)
        return sorted(indexes, key=lambda i: self.sort_key(reports[i], column),
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def _apply(self, visible: list[int]) -> None:
        """Show the reports ``visible`` (indexes into ``_all``, in the order shown)."""
        self.beginResetModel()
        self._visible = visible
        self._rows = [self._all[i] for i in visible]
        flags = self._hidden_flags
        self._hidden_shown = sum(map(flags.__getitem__, visible)) if any(flags) else 0
        self.endResetModel()

    def total(self) -> int:
        return len(self._all)

    def row_of(self, key: tuple[str, str, str]) -> int | None:
        """The row showing the report (office, action, period), or None."""
        return next((row for row, r in enumerate(self._rows)
                     if (r.office, r.action, r.period) == key), None)

    def hidden_shown(self) -> int:
        """How many of the rows shown are reports the plan hides."""
        return self._hidden_shown

    def why_hidden(self, row: int) -> tuple[str, ...]:
        """Why the plan hides the report of ``row`` (shown rows): () when it shows it."""
        return self._why[self._visible[row]] if 0 <= row < len(self._visible) else ()

    def hidden_text(self, row: int) -> str:
        """"Hidden by the plan: …." for ``row``, or "" when the plan shows it."""
        return hidden_sentence(self.why_hidden(row))

    def changed_after_lock(self, report: ProgressReport) -> Any:
        """How ``report`` changed after its period was locked (``ChangedAfterLock``), or
        None when it did not (or its period is not locked)."""
        return self._after_lock.get((report.office, report.action, report.period))

    def after_lock_count(self) -> int:
        """How many of the reports (all, not only those shown) changed after the lock."""
        return len(self._after_lock)

    def after_lock_at(self, row: int) -> Any:
        """``changed_after_lock`` of the report of ``row`` (shown rows)."""
        return self.changed_after_lock(self._rows[row]) if 0 <= row < len(self._rows) \
            else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        late = self.after_lock_at(index.row()) if (
            index.isValid() and self._after_lock and role in self._LATE_ROLES) else None
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            why = self.why_hidden(index.row())
            if why or late is not None:
                # the cell's words, then why it is hidden, then that it changed after
                # the lock: made HTML-safe once (twice, a narrative's "<b>" showed as
                # "&lt;b&gt;")
                return tip_text("\n".join(t for t in (
                    self.tooltip(self.row_at(index.row()), index.column()),
                    hidden_sentence(why) if why else "",
                    after_lock_sentence(late) if late is not None else "") if t))
        if role in self._HIDDEN_ROLES and index.isValid():
            why = self.why_hidden(index.row())
            if why:
                shown = self._hidden_data(index, role, why)
                if late is not None and role != Qt.ItemDataRole.ForegroundRole:
                    return self._with_after_lock(shown, late, role)
                return shown
        elif (role == Qt.ItemDataRole.DisplayRole and index.isValid()
              and index.column() == self.STATE):
            text = super().data(index, role)
            if self.why_hidden(index.row()):
                # in words, not only in grey: seen without colours, and read aloud
                text = hidden_state(text)
            # (said in words: seen on the page, as in the review pack)
            return after_lock_state(text) if late is not None else text
        if late is not None and role in (Qt.ItemDataRole.ToolTipRole,
                                         Qt.ItemDataRole.AccessibleDescriptionRole):
            return self._with_after_lock(super().data(index, role), late, role)
        if (late is not None and role == Qt.ItemDataRole.FontRole
                and index.column() == self.STATE):
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)

    #: the roles that mark a report changed after its period was locked
    _LATE_ROLES = frozenset((
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleDescriptionRole,
        Qt.ItemDataRole.FontRole,
    ))

    @staticmethod
    def _with_after_lock(shown: Any, late: Any, role: int) -> Any:
        """An accessible description (``shown``) with the sentence saying that the
        report changed after its period was locked (the tooltip is made in ``data``)."""
        said = after_lock_sentence(late)
        return f"{shown} {said}" if shown else said

    def _hidden_data(self, index: _Index, role: int, why: tuple[str, ...]) -> Any:
        """A hidden report's row: greyed, its tooltip and accessible description saying
        why. Not in italics: the oblique Latin face has no Arabic letters, and Qt drew
        boxes for an Arabic narrative or state instead."""
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return hidden_sentence(why)
        if index.column() == self.STATUS:  # on the status colour: always dark
            return QBrush(QColor(HIDDEN_ON_STATUS))
        if self._dim is None:
            self._dim = _dimmed()
        return self._dim

    def display(self, r: ProgressReport, column: int) -> str:
        if column == self.OFFICE:
            # named, as the Overview names it: sorted by their names, the codes alone
            # looked out of order (in French, AE · Émirats arabes unis after BN)
            label = self._office_label.get(r.office)
            return label if label is not None else office_label(r.office)
        if column == self.ACTION:
            return r.action
        if column == self.PERIOD:
            # in words, as the Overview's period chooser and the Conflicts table say it
            return _period_text(r.period)
        if column == self.STATUS:
            return status_text(r.status)
        if column == self.PERCENT:
            return "" if r.percent is None else format_percent(r.percent)
        if column == self.STATE:
            from fieldplan.i18n import state_label

            return state_label(r.state)
        if column == self.UPDATED:
            return _safe_datetime(r.updated_at)
        if column == self.ACHIEVEMENTS:
            # one line, its bidi controls contained as the tooltip's are: an unclosed
            # RLO (U+202E) showed the rest of the cell reversed
            return bidi_contained(_LINE_BREAKS.sub(" ", r.achievements[:200]))
        return ""

    def sort_key(self, r: ProgressReport, column: int) -> Any:
        if column == self.OFFICE:
            # the review pack's order (the regional offices, the countries by their
            # names in the reader's language, then headquarters), as the Overview's:
            # by code (BD, BN, HQ, NG…), the rows were in another order than the pack's
            return self._office_rank.get(r.office, len(self._office_rank))
        if column == self.ACTION:
            return code_key(r.action)  # PA1.2 before PA1.10
        if column == self.PERIOD:
            return r.period  # "2025-S2" before "2026-S1", whatever the words
        if column == self.STATUS:
            return STATUSES.index(r.status) if r.status in STATUSES else 99
        if column == self.PERCENT:
            return -1 if r.percent is None else r.percent
        if column == self.UPDATED:
            return r.updated_at
        text = self.display(r, column)
        if column == self.ACHIEVEMENTS:
            # words as a reader orders them, case and accents aside (``search_key``, as
            # the offices' names): by their characters' codes, "atelier…", "À la
            # suite…" and "École…" came after every narrative starting with a capital,
            # "Zones…" too (``_in_order`` sorts by the search's texts, folded already)
            return (search_key(text), text)
        return text

    def tooltip(self, r: ProgressReport, column: int) -> str | None:
        text = self.display(r, column)
        if column == self.ACHIEVEMENTS and text:
            # in its own direction, as the cell draws it (a tooltip goes by the first
            # letter: "IOM قدمت …" read left to right)
            return in_own_direction(text)
        return text or None

    def extra(self, r: ProgressReport, column: int, role: int) -> Any:
        if column == self.STATUS and role == Qt.ItemDataRole.BackgroundRole:
            return status_brush(r.status)
        if column == self.STATUS and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#000000"))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self._order = (column, order)  # and again after a reload or a new search
        self._ordered_all = self._in_order(range(len(self._all)))
        emit(self.layoutAboutToBeChanged)
        before = self._visible
        # the rows shown, taken in that order (one sort, of every report)
        shown = set(before)
        everyone = self._ordered_all if self._ordered_all is not None else range(len(self._all))
        self._visible = [i for i in everyone if i in shown]
        self._rows = [self._all[i] for i in self._visible]
        # the chosen report stays chosen where it went (the view's current row and
        # selection): left at its row number, the row highlighted was another report
        # while the narrative under the table still showed the one chosen
        old = self.persistentIndexList()
        if old:
            row_of = {i: row for row, i in enumerate(self._visible)}
            self.changePersistentIndexList(old, [
                self.index(row_of[before[p.row()]], p.column())
                if 0 <= p.row() < len(before) else QModelIndex() for p in old])
        emit(self.layoutChanged)


def search_texts(reports: Iterable[ProgressReport]) -> list[str]:
    """What the Reports search looks through, per report: its office (its code and its
    name, as the Office column shows it: "Bangladesh" finds BD's), action and
    narratives, folded (``search_key``: case, accents, Arabic vowel marks), each on
    lines of its own, in that order (the Achievements column sorts by what follows the
    action's line). Made once per load, not per keystroke; a second for 100,000
    reports, so with the reports, off the GUI thread."""
    reports = list(reports)
    names = {office: office_label(office) for office in {r.office for r in reports}}
    return [search_key("\n".join((names[r.office], r.action, r.achievements, r.challenges,
                                    r.next_steps)))
            for r in reports]


#: The text of a hidden report in its status cell, on the light status colours
#: (5:1 or more against each of them).
HIDDEN_ON_STATUS = "#555555"


def _dimmed() -> QBrush:
    """The greyed text of a report the plan hides: the palette's text colour 60 % of
    the way from its base colour (still readable, 5.7:1 on white, and right in a dark
    palette too)."""
    from PySide6.QtGui import QGuiApplication, QPalette

    palette = QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    mix = QColor(
        *(round(0.6 * t + 0.4 * b) for t, b in zip(text.getRgb()[:3], base.getRgb()[:3],
                                                   strict=True))
    )
    return QBrush(mix)


def hidden_state(state: str) -> str:
    """A hidden report's State cell: "Submitted · hidden by the plan"."""
    # Translators: the State column of a report the plan no longer shows (left out of
    # the review pack); {state} is "Draft" or "Submitted".
    return _("{state} · hidden by the plan").format(state=state)


def hidden_sentence(why: tuple[str, ...]) -> str:
    """"Hidden by the plan: the plan no longer has this action." ("" when shown)."""
    if not why:
        return ""
    from fieldplan.planops import why_hidden_text

    # Translators: {reasons} says why, e.g. "the plan no longer has this action".
    return _("Hidden by the plan: {reasons}.").format(reasons=why_hidden_text(why))


def after_lock_state(state: str) -> str:
    """The State cell of a report changed after its period was locked: "Draft · after
    the lock" (short: the narratives' column beside it keeps some room at 1024
    pixels; its tooltip and the line above the narratives say it whole)."""
    # Translators: the State column of headquarters' table of reports, for a report
    # changed after headquarters locked its period; {state} is "Draft" or "Submitted"
    # (or "Submitted · hidden by the plan"). Keep it short
    return _("{state} · after the lock").format(state=state)


def after_lock_sentence(change: Any) -> str:
    """A report changed after its period was locked (``ChangedAfterLock``), in words:
    how many changes since the lock, when the last one was made, and when it arrived
    here (one typed before the lock and received after it is named too: its time
    alone, before the lock, read as a contradiction)."""
    from ui.context import time_text

    received = getattr(change, "received_at", "")
    if received and received != change.last_at:
        # Translators: above a report's narratives (and in its tooltip) in
        # headquarters' table of reports; {when} and {received} are dates and times
        # ("3 Dec 2026, 10:12"). The review pack lists these reports under "Changed or
        # received after the period was locked"
        return counted(
            "Changed or received after the period was locked: {n} change since the "
            "lock, the last made on {when}, received on {received}.",
            "Changed or received after the period was locked: {n} changes since the "
            "lock, the last made on {when}, received on {received}.",
            change.changes, when=embedded(time_text(change.last_at)),
            received=embedded(time_text(received)))
    # Translators: as above, for a change made and received at the same time
    return counted(
        "Changed after the period was locked: {n} change since the lock, the last on "
        "{when}.",
        "Changed after the period was locked: {n} changes since the lock, the last on "
        "{when}.", change.changes, when=embedded(time_text(change.last_at)))


def hidden_note(why: tuple[str, ...]) -> str:
    """Above a report the plan hides, read where it is listed all the same (HQ's table
    of reports, the office's "not in the current plan"): why, and that it is kept.
    "" when the plan shows it."""
    if not why:
        return ""
    return hidden_sentence(why) + " " + _(
        "It is kept, but the review pack, the status sheets and the dashboards leave it out.")


def narrative_text(report: ProgressReport) -> str:
    """A report's three narratives, each under its name, to read in one box."""
    # Translators: a heading above a field's text, e.g. "Achievements:"; French
    # puts a no-break space before the colon.
    heading = _("{label}:")
    return "\n\n".join(heading.format(label=field_label(n)) + "\n" + getattr(report, n)
                        for n in ("achievements", "challenges", "next_steps"))


#: Marks how many of a cell's reports are drafts ("✎2"); the legend under the grid
#: says what it means, the cell's tooltip says it in words.
DRAFT_MARK = "\u270e"

#: The Overview's filters besides the statuses (ui.hq_desk.OverviewFilter): offices
#: with no report at all in the areas shown, and offices that submitted none there
#: (drafts perhaps): the review pack's "Offices that have not reported".
NO_REPORT, NOT_SUBMITTED = "no-report", "not-submitted"

#: The Overview's filter of the offices whose data of the period arrived after its
#: deadline: the review pack's "Late data" (``fieldplan.reports.late``).
SENT_LATE = "sent-late"

#: The Reports page's filter besides the statuses (ui.hq_desk.ReportsPage): the reports
#: changed after their period was locked (``progress.changed_after_lock``)
AFTER_LOCK = "after-lock"


class OverviewCell:
    """What one office reported on one area: counts by status (drafts too), how many
    of its reports are submitted, and the reports, for the mean."""

    __slots__ = ("actions", "counts", "reports_held", "submitted")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        #: the reports, for the mean: taken as the review pack and the dashboard take
        #: it (fieldplan.means)
        self.reports_held: list[ProgressReport] = []
        self.actions: list[str] = []
        #: how many reports the office has submitted: an area is reported on when its
        #: office submits, as the review pack counts it
        self.submitted = 0

    @property
    def status(self) -> str | None:
        """The status the cell shows (fieldplan.means.area_status)."""
        return area_status(s for s, n in self.counts.items() if n)

    @property
    def not_started(self) -> int:
        """How many reports are not started beside the status shown (0 when it is
        "not started" itself)."""
        return not_started_beside(self.counts)

    @property
    def reports(self) -> int:
        return sum(self.counts.values())

    @property
    def drafts(self) -> int:
        return self.reports - self.submitted

    @property
    def mean(self) -> int | Decimal | None:
        """The mean percent as shown: whole, but 0.02 or 99.6 near 0 and 100
        (fieldplan.means.shown_percent); None when no report gives one."""
        return mean_percent(self.reports_held)


def fraction(n: int, total: int) -> str:
    """"2/3", as the language writes numbers (the review pack's matrix writes so)."""
    return f"{format_number(n)}/{format_number(total)}"


class OverviewModel(QAbstractTableModel):
    """HQ's offices × areas grid for one period. Each cell shows the status that most
    needs attention among the office's reports in the area that have started ("not
    started" when none has: fieldplan.means.area_status), as symbol, word and colour,
    then how many of the area's actions the office submitted a report on ("1/3"), how
    many reports have not started beside it ("○1"), how many are drafts ("✎2") and the
    mean percent: short enough for four areas at 1280 pixels in French; the tooltip
    says it all in words."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._offices: list[str] = []
        self._areas: list[tuple[str, str]] = []  # (code, title)
        self._cells: dict[tuple[str, str], OverviewCell] = {}
        self._expected: dict[tuple[str, str], int] = {}
        #: (office, area) -> the actions whose report changed after the period's lock
        self._after_lock: dict[tuple[str, str], list[str]] = {}
        #: headquarters has locked the period: its drafts were left when it was locked
        self._locked = False
        #: (row, column, compact) -> the cell's text and (row, column) -> its status,
        #: worked out once for each ``set_data``: a paint asks each cell for them
        #: several times (its text, compact text, colour, sort), and each time they were
        #: worked out again, numbers formatted by babel and means taken: 75 ms a paint
        #: of 57 offices, three times that for a resize of the window
        self._texts: dict[tuple[int, int, bool], str] = {}
        self._statuses: dict[tuple[int, int], str | None] = {}

    def set_data(
        self,
        offices: Sequence[str],
        areas: Sequence[tuple[str, str]],
        reports: Iterable[ProgressReport],
        area_of: dict[str, str],
        expected: Mapping[tuple[str, str], int] | None = None,
        after_lock: Iterable[Any] = (),
        locked: bool = False,
    ) -> None:
        """``offices``: the rows, in the order they are listed (the office column sorts
        them back into it). ``expected``: (office, area) → how many of the plan's actions the office
        reports on in that area (its level's), said in each cell ("1/5": submitted of
        expected): the reports held alone read as if the office had reported on
        everything. A cell without it says how many of its reports have the status
        shown ("(1/2)"). ``after_lock``: the period's reports changed after its lock
        (``progress.changed_after_lock``'s ``ChangedAfterLock``): each cell's tooltip
        and spoken text name them (its figures moved since the review). ``locked``:
        headquarters has locked the period: the tooltips say its drafts were left when
        it was locked (not "not yet submitted": they will not be, unless headquarters
        unlocks it), as the legend and the review pack say them.

        The same offices and areas again (a save, an import, another period): the
        cells change in place, the cell chosen stays chosen (a reset had the grid
        lose it, and a person reading it with the keyboard their place, at each
        import); other rows or columns: the grid is made again."""
        same = list(offices) == self._offices and list(areas) == self._areas
        if not same:
            self.beginResetModel()
        self._texts, self._statuses = {}, {}
        self._locked = locked
        self._offices = list(offices)
        self._areas = list(areas)
        self._expected = dict(expected or {})
        self._after_lock = {}
        for c in after_lock:
            area = area_of.get(c.action)
            if area is not None:
                self._after_lock.setdefault((c.office, area), []).append(c.action)
        self._cells = {}
        for r in reports:
            area = area_of.get(r.action)
            if area is None:
                continue
            cell = self._cells.setdefault((r.office, area), OverviewCell())
            cell.counts[r.status] = cell.counts.get(r.status, 0) + 1
            cell.actions.append(r.action)
            if r.state == "submitted":
                cell.submitted += 1
            cell.reports_held.append(r)
        if not same:
            self.endResetModel()
        elif self._offices and self._areas:
            emit(self.dataChanged, self.index(0, 1),
                 self.index(len(self._offices) - 1, len(self._areas)))

    def office_at(self, row: int) -> str:
        return self._offices[row]

    def area_at(self, column: int) -> str:
        return self._areas[column - 1][0] if column >= 1 else ""

    def cell(self, row: int, column: int) -> OverviewCell | None:
        if column < 1:
            return None
        return self._cells.get((self._offices[row], self._areas[column - 1][0]))

    def expected(self, row: int, column: int) -> int:
        """How many of the area's actions the office of ``row`` reports on (0: not
        known)."""
        if column < 1:
            return 0
        return self._expected.get((self._offices[row], self._areas[column - 1][0]), 0)

    def expects(self, row: int, column: int) -> bool:
        """Whether the office of ``row`` has actions to report on in ``column``'s area
        (its level has some there); True for every area when the model was not told
        (``set_data`` without ``expected``)."""
        return column >= 1 and (not self._expected or self.expected(row, column) > 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._offices)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._areas)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return _("Office")
            if 1 <= section <= len(self._areas):
                return self._areas[section - 1][0]
        if role == Qt.ItemDataRole.ToolTipRole and 1 <= section <= len(self._areas):
            return tip_text(self._areas[section - 1][1])  # the plan's title of the area
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._offices):
            return None
        if not 0 <= index.column() < self.columnCount():
            return None
        office = self._offices[index.row()]
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return office_label(office)
            if role == SORT_ROLE:
                # the order ``set_data`` was given (the review pack's: by name in the
                # reader's language), not the codes': sorted by them again, the rows
                # were in another order than the pack's
                return index.row()
            if role in (ROW_ROLE, KEY_ROLE):
                return office
            return None
        status = self._status(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), index.column(), False)
        if role == COMPACT_ROLE:
            return self._text(index.row(), index.column(), True)
        if role == Qt.ItemDataRole.BackgroundRole:
            return status_brush(status) if status else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#000000")) if status else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(self.cell_lines(index.row(), index.column())) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            # read aloud in words: "✎2" and "1/3" are for the eye, with the legend
            lines = self.cell_lines(index.row(), index.column())
            if status is None:
                lines.insert(0, _("no report"))
            return join_clauses(lines)
        if role == SORT_ROLE:
            return ATTENTION_ORDER.index(status) if status else 99
        if role == ROW_ROLE:
            return self.cell(index.row(), index.column())
        return None

    def _status(self, row: int, column: int) -> str | None:
        """``OverviewCell.status`` of a cell (None: no report), kept (``_statuses``)."""
        key = (row, column)
        try:
            return self._statuses[key]
        except KeyError:
            cell = self.cell(row, column)
            status = self._statuses[key] = cell.status if cell else None
            return status

    def _text(self, row: int, column: int, compact: bool) -> str:
        """``cell_text``, kept (``_texts``)."""
        key = (row, column, compact)
        try:
            return self._texts[key]
        except KeyError:
            text = self._texts[key] = self.cell_text(row, column, compact=compact)
            return text

    def cell_text(self, row: int, column: int, *, compact: bool = False) -> str:
        """"▲ At risk · 1/3 ○1 ✎2 · 26%": the status needing most attention among the
        reports that have started (fieldplan.means.area_status), the area's actions
        with a submitted report of those expected, the reports not started beside it,
        the drafts, the mean.
        ``compact``: the status by its symbol alone ("▲ · 1/3 ✎2 · 26%"), for a column
        too narrow for its word (the colour, the legend and the tooltip say it)."""
        cell = self.cell(row, column)
        status = cell.status if cell else None
        if cell is None or status is None:
            return "— " + _("no report")
        text = STATUS_SYMBOLS.get(status, "?") if compact else status_text(status)
        of = self.expected(row, column)
        if of:
            text += " · " + fraction(cell.submitted, of)
        else:
            text += f" ({fraction(cell.counts[status], cell.reports)})"
        if cell.not_started:  # beside the status of those that have started
            text += f" {STATUS_SYMBOLS['not-started']}{format_number(cell.not_started)}"
        if cell.drafts:
            text += f" {DRAFT_MARK}{format_number(cell.drafts)}"
        if cell.mean is not None:
            # (isolated: after the Arabic words the sign went to the number's left,
            # "%68", where every other table shows "68%")
            text += " · " + isolated(format_percent(cell.mean))
        return text

    def cell_lines(self, row: int, column: int) -> list[str]:
        """A cell in words, one line each (its tooltip): how many of the area's actions
        are reported (submitted, as the review pack counts them), the drafts, each
        status's count and the mean percent."""
        cell = self.cell(row, column)
        of = self.expected(row, column)
        lines = []
        if of:
            # Translators: a cell's tooltip in headquarters' overview: {n} of the
            # {total} actions of an area the office reports on have a report it has
            # submitted (a draft is not reported yet, as in the review pack)
            lines.append(ngettext(
                "{n} of {total} action of this area has a submitted report",
                "{n} of {total} actions of this area have a submitted report", of).format(
                    n=format_number(cell.submitted if cell else 0), total=format_number(of)))
        if cell is None:
            return lines
        if cell.drafts and self._locked:  # (the review pack's cover's words)
            lines.append(counted(
                "{count} draft left when the period was locked",
                "{count} drafts left when the period was locked", cell.drafts))
        elif cell.drafts:
            lines.append(counted(
                "{count} draft not yet submitted", "{count} drafts not yet submitted",
                cell.drafts))
        # (the language's colon: "En bonne voie : 2" in French, as the mean's line)
        lines += [_("{label}:").format(label=status_text(s)) + " " + format_number(n)
                  for s, n in
                  sorted(cell.counts.items(), key=lambda kv: STATUSES.index(kv[0]))]
        if cell.mean is not None:
            lines.append(_("{label}:").format(label=_("Mean progress")) + " "
                         + format_percent(cell.mean))
            if cell.counts.get("cancelled"):
                # as the review pack says under its table: the mean of the percents the
                # office typed in the area read otherwise (its cancelled 22% counted)
                lines.append(_("Mean progress leaves out cancelled actions."))
        late = self.after_lock(row, column)
        if late:
            # Translators: a cell's tooltip in headquarters' overview: reports of the
            # office in the area changed after headquarters locked the period (its
            # figures moved since the review); {actions} are action codes "PA1.1, PA1.2"
            lines.append(counted(
                "{n} report changed or received after the period was locked: {actions}",
                "{n} reports changed or received after the period was locked: {actions}",
                len(late), actions=join_list(isolated(a) for a in late)))
        return lines

    def after_lock(self, row: int, column: int) -> list[str]:
        """The actions of the cell whose report changed after the period's lock."""
        if column < 1:
            return []
        return self._after_lock.get((self._offices[row], self._areas[column - 1][0]), [])


class InboxModel(_RowsModel):
    """Bundles this replica was given, newest first, with what became of each."""

    COLUMNS = ("received", "file", "office", "outcome", "events", "reason")
    RECEIVED, FILE, OFFICE, OUTCOME, EVENTS, REASON = range(6)
    FREE_TEXT = (REASON,)  # in the reader's language where it can be made again
    STRETCH = REASON

    #: the most Reason cells kept written (``_reason_cell``): a page of the inbox's
    #: rows, and the stand-ins the column's width is measured with
    REASONS_KEPT = 4000

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        #: id of a row → (the row, the language and direction it was written in, its
        #: Reason cell), for the rows listed (``set_rows`` empties it)
        self._reasons: dict[int, tuple[Any, tuple[Any, bool], str]] = {}

    def set_rows(self, rows: Iterable[Any]) -> None:
        self._reasons = {}
        super().set_rows(rows)

    def row_key(self, row: Any) -> tuple[str, str, str]:
        # (a bundle refused unread has no id: its file and when it came)
        return (row.bundle_id, row.file, row.received_at)

    def headers(self) -> Sequence[str]:
        return (_("Received"), _("File"), _("Office"), _("Outcome"), _("Events"), _("Reason"))

    def display(self, e: Any, column: int) -> str:
        if column == self.RECEIVED:
            return _safe_datetime(e.received_at)
        if column == self.FILE:
            return code_text(e.file)  # "2026 ML.fieldplan" as it is named, in Arabic too
        if column == self.OFFICE:
            if self._is_setup(e):  # the office it is for, not HQ who signed it
                return setup_bundle_office(e.office)
            return shown_office(e.office)  # "HQ · Headquarters"; a refused bundle's word
        if column == self.OUTCOME:
            return inbox_outcome(e)
        if column == self.EVENTS:
            if self._is_setup(e):
                return "—"  # (not "0 new of 23": none of its events are for this database)
            if getattr(e, "outcome", "") in ("rejected", "quarantined"):
                # nothing of it was merged: "none new of 62" read as if its events were
                # here already, and a bundle that could not be read said "0 new of 0"
                if not e.events:
                    return "—"
                # Translators: events of a bundle refused or held in quarantine, none of
                # them merged, "none merged of 62" (as "none new of {total}")
                return _("none merged of {total}").format(total=format_number(e.events))
            if not e.events_new and e.events:
                # Translators: events of an imported bundle when all of them were here
                # already, "none new of 61" (in place of "0 new of 61")
                return _("none new of {total}").format(total=format_number(e.events))
            # Translators: events of an imported bundle, "3 new of 61"; the plural
            # agrees with the new ones
            return ngettext("{new} new of {total}", "{new} new of {total}", e.events_new).format(
                new=format_number(e.events_new), total=format_number(e.events)
            )
        if column == self.REASON:
            return self._reason_cell(e)
        return ""

    def _reason_cell(self, e: Any) -> str:
        """The Reason cell of row ``e``, written once for the language and direction
        shown: the table asks for it again at each paint of every row in sight (36 a
        paint of a scroll through 1,000 bundles), and it is made each time from the
        record the import kept (its JSON read, its messages translated and joined)."""
        from PySide6.QtGui import QGuiApplication

        shown = (translation(), QGuiApplication.isRightToLeft())
        held = self._reasons.get(id(e))
        if held is not None and held[0] is e and held[1] == shown:
            return held[2]
        # in Arabic, "2026-S1" or "events 5–6" inside the reason read left to right;
        # a new computer's key registered said short (its tooltip and the detail
        # under the table say it whole)
        text = isolated_codes(inbox_reason(e, short=True))
        if len(self._reasons) < self.REASONS_KEPT:
            # (the row kept with it: its id is no other row's while it is held)
            self._reasons[id(e)] = (e, shown, text)
        return text

    def whole_reason(self, e: Any) -> str:
        """The reason whole, as the detail under the table and the Reason cell's
        tooltip say it (the cell may say a part short: ``display``)."""
        return isolated_codes(inbox_reason(e))

    def tooltip(self, e: Any, column: int) -> str | None:
        if column == self.REASON:
            return self.whole_reason(e) or None
        return super().tooltip(e, column)

    @staticmethod
    def _is_setup(e: Any) -> bool:
        # (the widths measured for a column are of stand-ins with its fields alone)
        outcome = getattr(e, "outcome", "")
        if outcome == "rejected":
            return is_setup_bundle(e.reason, _inbox_record(e))
        return outcome == "duplicate" and is_own_setup_bundle(e.reason, _inbox_record(e))

    def sort_key(self, e: Any, column: int) -> Any:
        if column == self.RECEIVED:
            return e.received_at
        if column == self.EVENTS:
            return e.events_new
        return self.display(e, column)

    def width_texts(self, column: int) -> Iterable[str]:
        # up to a thousand rows: their times and counts are not all written out
        if column == self.RECEIVED:
            return widest_times()
        if column == self.EVENTS:  # each count of new events, of the largest total
            total = max((e.events for e in self._rows), default=0)
            unmerged = [e for e in self._rows if getattr(e, "outcome", "") in (
                "rejected", "quarantined")]
            return [*(self.display(SimpleNamespace(events_new=new, events=total), column)
                      for new in {e.events_new for e in self._rows}),
                    *({self.display(SimpleNamespace(events_new=0, events=total,
                                                    outcome="quarantined"), column)}
                      if unmerged else ())]
        if column == self.OUTCOME:  # a row of each outcome
            return [inbox_outcome(e) for e in {
                (e.outcome, bool(getattr(e, "repaired_in", "")),
                 getattr(e, "revoked_here", False)): e for e in self._rows
            }.values()]
        if column == self.OFFICE:
            # a row of each office and of what its cell depends on (a setup bundle is
            # told by its outcome and reason): the name in the reader's language looked
            # up for each of a thousand rows was most of the table's load on the GUI
            # thread as the Inbox opened at a large headquarters
            return [self.display(e, column) for e in {
                (e.office, e.outcome, *((e.reason, getattr(e, "reason_msg", ""))
                                        if e.outcome in ("rejected", "duplicate") else ())): e
                for e in self._rows}.values()]
        return super().width_texts(column)


class QuarantineModel(_RowsModel):
    """Bundles held back until a person trusts their key, shown by fingerprint, with
    the computer that sent them (an office's laptops: which one to read it on)."""

    COLUMNS = ("office", "computer", "fingerprint", "file", "received", "events")
    OFFICE, COMPUTER, FINGERPRINT, FILE, RECEIVED, EVENTS = range(6)
    #: a file name may be long; the fingerprint, read aloud on the phone, never elides
    STRETCH = FILE

    def row_key(self, row: Any) -> str:
        return row.bundle_id

    def headers(self) -> Sequence[str]:
        return (_("Office"), _("Computer"), _("Key fingerprint"), _("File"), _("Received"),
                _("Events"))

    def display(self, q: Any, column: int) -> str:
        if column == self.OFFICE:
            return shown_office(q.office)  # "ML · Mali", as the Inbox shows it
        if column == self.COMPUTER:
            # as the Keys tab shows it; the office's own key dialog has it whole
            return code_text(key_replica_label(q.sender))
        if column == self.FINGERPRINT:
            return code_text(q.fingerprint)  # its groups in their order in Arabic too
        if column == self.FILE:
            return code_text(getattr(q, "file", ""))
        if column == self.RECEIVED:
            return _safe_datetime(q.received_at)
        if column == self.EVENTS:
            return format_number(q.events)
        return ""

    def sort_key(self, q: Any, column: int) -> Any:
        if column == self.EVENTS:
            return q.events
        if column == self.RECEIVED:
            return q.received_at
        return self.display(q, column)

    def width_texts(self, column: int) -> Iterable[str]:
        return widest_times() if column == self.RECEIVED else super().width_texts(column)

    def extra(self, q: Any, column: int, role: int) -> Any:
        if column == self.FINGERPRINT and role == Qt.ItemDataRole.FontRole:
            return _fixed_font()
        return None


def _fixed_font() -> Any:
    """Fingerprints in a fixed-width font: read aloud on the phone, group by group."""
    from ui.dialogs import fixed_font

    return fixed_font()


class KeysModel(_RowsModel):
    """The key registry (HQ): which key belongs to which computer of which office, and
    whether it still signs; and what tells an office's computers apart (who writes on
    it, its last bundle, when its key was registered: ``keys.KeyUse``)."""

    COLUMNS = ("office", "key", "status", "replica", "author", "last_bundle", "registered",
               "fingerprint")
    OFFICE, KEY, STATUS, REPLICA, AUTHOR, LAST_BUNDLE, REGISTERED, FINGERPRINT = range(8)
    FREE_TEXT = (AUTHOR,)  # a person's name, in any script
    #: a name may be long (it is the sender's word): it takes the room left, elided
    STRETCH = AUTHOR
    #: an office's name too, when the table is narrow (French, Arabic at 1024 pixels):
    #: the fingerprint, read aloud to be compared, is whole first (``ui.table_fit``)
    GIVES_WAY = (OFFICE,)
    #: before that, in a narrower table still (784 pixels), the fingerprint folds onto
    #: two lines of five groups, whole (``fold``): on one line it took half the table,
    #: ran off its edge and cut the office's name to "CI · C…"
    FOLDS = (FINGERPRINT,)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._uses: dict[str, Any] = {}
        #: the ``FOLDS`` columns show their text on two lines (``ui.table_fit``)
        self.folded = False

    def row_key(self, row: Any) -> str:
        return row.key_id

    def fold(self, folded: bool) -> None:
        """Show the fingerprint on two lines (``folded``) or on one."""
        if folded != self.folded:
            self.folded = folded
            if self._rows:
                self.dataChanged.emit(self.index(0, self.FINGERPRINT),
                                      self.index(len(self._rows) - 1, self.FINGERPRINT))

    def set_rows(self, rows: Iterable[Any], uses: dict[str, Any] | None = None) -> None:
        """``rows``: ``KeyInfo`` values; ``uses``: key id → ``KeyUse``."""
        self._uses = dict(uses or {})
        super().set_rows(rows)

    def use(self, k: Any) -> Any:
        """The ``KeyUse`` of key ``k`` (empty when it is not known)."""
        from fieldplan.sync.keys import KeyUse

        return self._uses.get(k.key_id) or KeyUse()

    def headers(self) -> Sequence[str]:
        return (_("Office"), _("Key"), _("Status"), _("Computer"), _("Written by"),
                _("Last bundle"), _("Registered"), _("Key fingerprint"))

    def display(self, k: Any, column: int) -> str:
        if column == self.OFFICE:
            return office_label(k.office)  # ("HQ · Headquarters": as every other page)
        if column == self.KEY:
            return code_text(k.key_id)
        if column == self.STATUS:
            return key_status_label(k.status)
        if column == self.REPLICA:
            return code_text(key_replica_label(k.replica, k.renews))
        if column == self.AUTHOR:
            return self.use(k).author
        if column == self.LAST_BUNDLE:
            return _date_or_dash(self.use(k).last_bundle)
        if column == self.REGISTERED:
            return _date_or_dash(self.use(k).registered)
        if column == self.FINGERPRINT:
            if self.folded:  # five groups a line, as it is read aloud
                groups = k.fingerprint.split(" ")
                half = (len(groups) + 1) // 2
                return "\n".join(code_text(" ".join(part))
                                  for part in (groups[:half], groups[half:]) if part)
            return code_text(k.fingerprint)
        return ""

    def tooltip(self, k: Any, column: int) -> str | None:
        if column == self.STATUS and getattr(k, "revoked_with", ""):
            # revoked with another key of its computer (``keys.listed_keys``): the
            # registry holds this one active or retired
            return _("Revoked with its computer's key {key_id}").format(key_id=k.revoked_with)
        if column == self.FINGERPRINT:
            return code_text(k.fingerprint)  # (on one line, folded or not)
        return self.no_date_words(k, column) or super().tooltip(k, column)

    def no_date_words(self, k: Any, column: int) -> str:
        """What "—" stands for in the Last bundle column of ``k``'s row ("" for a
        date): the dash is for the eye; a screen reader and the tooltip say the words
        (a screen reader said "em dash", or nothing)."""
        use = self.use(k)
        if column == self.LAST_BUNDLE and not use.last_bundle:
            # Translators: the Keys page's "Last bundle" cell of a key that signed no
            # bundle this database merged
            return _("No bundle received")
        return ""

    def extra(self, k: Any, column: int, role: int) -> Any:
        if column == self.FINGERPRINT and role == Qt.ItemDataRole.FontRole:
            return _fixed_font()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.no_date_words(k, column) or None
        if column == self.STATUS and role == Qt.ItemDataRole.ForegroundRole \
                and k.status == "revoked":
            from PySide6.QtGui import QColor

            return QColor("#a40000")
        return None


def _date_or_dash(when: str) -> str:
    """A day as the tables show one (the time is in the revoke dialog), "—" for none."""
    from ui.context import date_text

    return date_text(when) or "—"


class ConflictModel(_RowsModel):
    """Open conflicts: one field of one record with competing values, shown side by
    side in the Values column ("On track | At risk"), in the order of the panes below
    the table: from the layout's start, the first on the right in Arabic."""

    COLUMNS = ("office", "action", "period", "field", "values")
    OFFICE, ACTION, PERIOD, FIELD, VALUES = range(5)
    FREE_TEXT = (VALUES,)  # narratives in any language
    STRETCH = VALUES
    #: how long one value may be in the table; the full text is below it
    VALUE_CHARS = 60
    #: an indicator's title may be a long sentence: fitted to it, the Field column
    #: left the Values a few letters at 800 pixels ("B: …"); cut, its tip whole
    CHARS_AT_MOST: ClassVar[dict[int, int]] = {FIELD: 32}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        #: indicator key -> title, so a field reads "Policies supported", not its key
        self.indicator_titles: dict[str, str] = {}
        #: one conflict of each record, for ``width_texts`` (None: not yet of this load)
        self._one_per_record: list[Any] | None = None
        #: office -> how the Office column names it (``office_label``), once a load
        self._office_label: dict[str, str] = {}
        #: (row's object id, language) -> its Values cell, written once a load: the cells
        #: of the rows chosen are painted again at each step through the list, each
        #: writing up to 32 values (a percent, a status) anew
        self._values_cell: dict[tuple[int, str], str] = {}

    def row_key(self, row: Any) -> str:
        return str(row.id)

    def headers(self) -> Sequence[str]:
        return (_("Office"), _("Action"), _("Period"), _("Field"), _("Values"))

    def set_rows(self, rows: Iterable[Any]) -> None:
        self._one_per_record = None
        self._office_label = {}
        self._values_cell = {}
        super().set_rows(rows)

    def field_text(self, field: str) -> str:
        """A field's name; an indicator by its title when the plan gives one."""
        key = field[len("value.") :] if field.startswith("value.") else ""
        if key in self.indicator_titles:
            return self.indicator_titles[key]
        return field_label(field)

    def sort_key(self, c: Any, column: int) -> Any:
        if column == self.PERIOD:
            return c.period  # "2026-S1" before "2026-S2", "2025-S2" before them
        if column == self.ACTION:
            return code_key(c.action)
        return super().sort_key(c, column)

    def width_texts(self, column: int) -> Iterable[str]:
        # each office, action, period and field once (ui.table_fit): written out for
        # every row, 20,000 conflicts at headquarters held the window 0.1 s at each load
        if column == self.FIELD:
            return [self.display(c, column) for c in {c.field: c for c in self._rows}.values()]
        if column in (self.OFFICE, self.ACTION, self.PERIOD):
            # read from the record's id (a property each): from one conflict of each
            # record, a record's several fields in conflict share them (the rows of
            # 17,500 conflicts read for each column took most of the window's load)
            if self._one_per_record is None:
                reports = {c.entity_id: c for c in self._rows if c.entity == "progress"}
                self._one_per_record = [*reports.values(),
                                        *(c for c in self._rows if c.entity != "progress")]
            name = self.COLUMNS[column]
            return [self.display(c, column)
                    for c in {getattr(c, name): c for c in self._one_per_record}.values()]
        return super().width_texts(column)

    def display(self, c: Any, column: int) -> str:
        if column == self.OFFICE:
            # "ML · Mali", as every other page (and the sentence under this table) names
            # an office: at headquarters, among 57 offices' conflicts, the code alone
            # ("KM", "GW") left the person to guess which country it was
            label = self._office_label.get(c.office)
            if label is None:
                label = self._office_label[c.office] = office_label(c.office)
            return label
        if column == self.ACTION:
            return c.action
        if column == self.PERIOD:
            # in words, as the heading below the table and the period chooser say it
            return _period_text(c.period)
        if column == self.FIELD:
            return self.field_text(c.field)
        if column == self.VALUES:
            key = (id(c), get_language())  # (the row, held until the next load)
            cell = self._values_cell.get(key)
            if cell is None:
                cell = self._values_cell[key] = self._values_text(c)
            return cell
        return ""

    def _values_text(self, c: Any) -> str:
        """The Values cell of ``c``: the values of the versions shown side by side."""
        shown = []
        # the versions the panes below show (fieldplan.sync.conflicts.SHOWN_VERSIONS
        # at most: a conflict of 200,000 made a cell that held the window)
        for cand in c.shown:
            text = " ".join(value_text(c.field, cand.value).split())
            if len(text) > self.VALUE_CHARS:
                text = text[: self.VALUE_CHARS - 1] + "…"
            # each in its own direction, none deciding the cell's: the cell then
            # reads in the layout's (BidiDelegate), as the panes are laid out. Two
            # English values made an Arabic cell read left to right, the first on
            # the left, while its pane is on the right. Its own direction by most
            # of its letters, as its pane shows it ("IOM قدمت …" right to left)
            shown.append(own_isolate(text))
        if len(c.shown) < c.versions:
            shown.append("…")
        return " | ".join(shown)


def value_text(field: str, value: Any) -> str:
    """A value of a report field as the rest of the client shows it: a status as
    symbol and word, a percent with the language's sign, a number with its
    separators; text as written; "—" for no value."""
    if value is None or value == "":
        return "—"
    if field == "status" and value in STATUSES:
        return status_text(value)
    if field == "state" and value in ("draft", "submitted"):
        from fieldplan.i18n import state_label

        return state_label(value)
    if field == "percent" and isinstance(value, int | float):
        return format_percent(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def import_reason(reason: str, record: Mapping[str, Any] | None = None) -> str:
    """What the client says of an imported file: the core's reason, except where it
    names a command no one at the window can type: a setup bundle (sent to the
    outbox beside the exports, double-clicked at an office) is said in the words of
    the first-run screen. ``record``: how the reason was made (an inbox line's), else
    the reason's own (``message_record``)."""

    if is_setup_bundle(reason, record):
        return setup_bundle_reason()
    return reason


def is_setup_bundle(reason: str, record: Mapping[str, Any] | None = None) -> bool:
    """Whether a file was refused as a setup bundle (its reason, and how the reason was
    made: an inbox line's ``record``, else the reason's own)."""
    from fieldplan.i18n import message_record
    from fieldplan.sync.exchange import SETUP_BUNDLE_REASON

    if record is None:
        record = message_record(reason)
    return record is not None and record.get("id") == SETUP_BUNDLE_REASON


def is_own_setup_bundle(reason: str, record: Mapping[str, Any] | None = None) -> bool:
    """Whether a file is a setup bundle this headquarters wrote, met again (a
    duplicate), by its reason as ``is_setup_bundle``."""
    from fieldplan.i18n import message_record
    from fieldplan.sync.exchange import HQ_OWN_SETUP_REASON

    if record is None:
        record = message_record(reason)
    return record is not None and record.get("id") == HQ_OWN_SETUP_REASON


def _inbox_record(entry: Any) -> Mapping[str, Any] | None:
    """How an inbox line's reason was made (``message_record``), or None."""
    import json

    try:
        record = json.loads(entry.reason_msg) if entry.reason_msg else None
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def setup_bundle_office(office: str) -> str:
    """The Office cell of a setup bundle (refused: it starts a new computer): the office
    it is for, and that it is a setup bundle ("Setup bundle for SN · Senegal"), not
    headquarters, which signs every one (an inbox line of an earlier version still
    names "HQ": then "Setup bundle" alone)."""
    if not office or office == "HQ":
        # Translators: the Office cell of the Inbox and of the import's result for a
        # setup bundle (imported by mistake) whose office is not known
        return _("Setup bundle")
    # Translators: the Office cell of the Inbox and of the import's result for a setup
    # bundle imported by mistake; {office} is "SN · Senegal", the office it sets up
    return _("Setup bundle for {office}").format(office=shown_office(office))


def inbox_reason(entry: Any, *, short: bool = False) -> str:
    """``import_reason`` of an inbox line (InboxEntry), in the reader's language;
    ``short``: as the Inbox's table says it (``InboxEntry.table_reason``: a new
    computer's key registered said short), not whole as its detail does."""
    said = entry.table_reason() if short and hasattr(entry, "table_reason") \
        else entry.reason_text()
    reason = import_reason(said, _inbox_record(entry))
    if getattr(entry, "revoked_here", False):
        # the bundle that revoked this computer's key: the way on, as the import said it
        from ui.set_up_again import revoked_here_text

        return join_clauses([reason, revoked_here_text()])
    return reason


def plan_changes_lines(lines: tuple[str, ...] | list[str]) -> str:
    """What a new plan changes (``ImportOutcome.plan_changes``, an inbox line's
    ``plan_changes()``), one bulleted line each, its codes whole ("" for none): in
    order in Arabic, and on one line where the label wraps (``codes_unbroken``: the
    French import result broke "PA1.2/officials-" at a line's end, "trained" on the
    next). Shown in a label that copies it without its marks (``PlainLabel``)."""
    return "\n".join("• " + embedded(isolated_codes(codes_unbroken(line))) for line in lines)


#: How much of the office a refused bundle claims an Office cell shows: a code is at
#: most 11 characters ("RO-Pretoria"); a hostile file may write megabytes there.
CLAIMED_OFFICE_CELL = 16


def claimed_office(office: str, limit: int = CLAIMED_OFFICE_CELL) -> str:
    """The office a bundle's manifest names, as a cell or tooltip shows it: a refused
    bundle's may be no code at all, its control characters shown escaped, cut short."""
    return for_message(office, limit)


def shown_office(office: str, limit: int = CLAIMED_OFFICE_CELL) -> str:
    """An office a bundle names, as the client names offices ("HQ · Headquarters"),
    or, when it is no office code (a refused bundle's), as it claims it
    (``claimed_office``)."""
    label = office_label(office) if office else ""
    return label if label != office else claimed_office(office, limit)


def unread_office_line(file: str) -> str:
    """Which office a file that could not be read at all (a damaged ZIP, a file that
    would not open) comes from, as far as anything says: "Office unknown: the file
    could not be read; the file name says AZ." when it is named as fieldplan names
    bundles (``fieldplan.bundle.office_in_file_name``), else without the name."""
    from fieldplan.bundle import office_in_file_name

    named = office_in_file_name(file)
    if named:
        return _("Office unknown: the file could not be read; the file name says "
                 "{office}.").format(office=isolated(named))
    return _("Office unknown: the file could not be read.")


def setup_bundle_reason() -> str:
    """Why a setup bundle is not imported, in the client's words: the first-run
    screen's button names the way to use it (the command line's words name
    'fieldplan init --from FILE')."""
    from fieldplan.i18n import without_mnemonic

    # the button's own translation, as read in a sentence
    button = without_mnemonic(_("Set up this &office from a setup bundle…"))
    # Translators: {button} is the first-run screen's button "Set up this office from a
    # setup bundle…", as translated there
    return _("this is a setup bundle: it sets up fieldplan on a new office computer, "
             "with “{button}” when fieldplan first starts there; nothing of it is "
             "imported into this database").format(button=button)


def inbox_outcome(entry: Any) -> str:
    """The Inbox's outcome of a bundle (InboxEntry): a bundle refused as a forked
    history whose data arrived since (``repaired_in``) says so in the column people
    read, not only in the line under the table."""
    if entry.outcome == "rejected" and getattr(entry, "repaired_in", ""):
        # Translators: the Inbox's Outcome column: a bundle refused as a forked
        # history whose data arrived since in another bundle; nothing is left to do
        return _("Rejected, repaired since")
    if getattr(entry, "revoked_here", False):
        # Translators: the Inbox's Outcome column: headquarters' bundle, merged, that
        # revoked the key of the computer reading it (the Reason column says the way on)
        return _("Merged, revoked this computer's key")
    return outcome_label(entry.outcome)


def outcome_count_label(outcome: str, n: int) -> str:
    """An outcome as a summary counts ``n`` files of it ("Merged: 2"): French
    "Rejetés : 2", where the word agrees with the count."""
    from fieldplan.i18n import npgettext

    word = {
        "merged": lambda: npgettext("import summary", "Merged", "Merged", n),
        "duplicate": lambda: npgettext("import summary", "Already here", "Already here", n),
        "quarantined": lambda: npgettext("import summary", "Quarantined", "Quarantined", n),
        "rejected": lambda: npgettext("import summary", "Rejected", "Rejected", n),
    }.get(outcome)
    return word() if word is not None else outcome_label(outcome)


def outcome_label(outcome: str) -> str:
    return {
        "merged": _("Merged"),
        "duplicate": _("Already here"),
        "quarantined": _("Quarantined"),
        "rejected": _("Rejected"),
        "cancelled": _("Not imported (cancelled)"),
        "stopped": _("Not imported"),
    }.get(outcome, outcome)
