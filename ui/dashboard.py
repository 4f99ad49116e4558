"""The office's dashboard for a period: counts by status, progress per area, and what
is still missing before the period can be submitted."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import (
    STATUS_SYMBOLS,
    _,
    counted,
    field_label,
    format_number,
    format_percent,
    format_period,
    join_list,
    ngettext,
    status_label,
)
from fieldplan.means import mean_percent
from fieldplan.model import NARRATIVE_FIELDS, STATUSES, ProgressReport
from fieldplan.planops import PlanScope
from fieldplan.progress import list_reports, report_warnings
from ui.bidi import in_layout_direction
from ui.context import Identity, lang
from ui.models import STATUS_COLOURS
from ui.ops import DbOp, Session
from ui.qtcompat import Qt, emit
from ui.wrapped_label import WrappedLabel


@dataclass(frozen=True)
class PeriodSummary:
    """An office's period at a glance.

    counts: reports by status. areas: (area code, title, mean percent or None,
    reports, of them submitted, actions). missing: lines saying what is still empty. drafts: reports
    not submitted yet. unsubmitted_missing: of ``missing``, the lines a submit
    concerns: the drafts' and the actions' with no report (not a submitted report's).
    conflicts: lines naming the draft reports with an open conflict (two computers
    wrote different values), with their fields: submitting them submits the values
    shown now. submitted_conflicts: the same of the submitted reports, settled once
    reopened (``keep_refusal``). resubmit_conflicts: those of the submitted reports
    whose only conflict is their state (submitted on one computer while another changed
    them): reopening settles it; they are checked and submitted again. locked_note:
    what to do about them while headquarters has the period locked, when it has
    (``conflicts.locked_period_note``), else "". warnings: what the report editor
    warned of in the drafts (``fieldplan.progress.report_warnings``), a line each: the
    submit dialog says them again, a submitted report's editor saying them no more.
    locked: headquarters has locked the period: nothing missing can be added and no
    draft submitted unless it unlocks it. missing_actions: the action code of each line
    of ``missing``. one_computer: of the conflicts' lines, those of reports whose every
    field in conflict one computer's history holds alone (not two computers' writes).
    conflicts_apart, conflicts_own: the lines of ``conflicts`` told apart, each naming
    the fields two computers wrote differently, and those one computer's history holds
    versions of (``conflicts.conflicts_apart``): a report of both kinds has a line in
    each.
    """

    period: str
    counts: tuple[tuple[str, int], ...]
    areas: tuple[tuple[str, str, int | Decimal | None, int, int, int], ...]
    missing: tuple[str, ...]
    drafts: int
    reports: int
    actions: int
    unsubmitted_missing: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    submitted_conflicts: tuple[str, ...] = ()
    locked_note: str = ""
    resubmit_conflicts: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    locked: bool = False
    missing_actions: tuple[str, ...] = ()
    #: of the lines of ``conflicts`` and ``resubmit_conflicts``, those of reports whose
    #: every version in conflict one computer wrote (its history holds versions that do
    #: not replace each other: ``conflicts.conflicts_apart``), not two computers
    one_computer: frozenset[str] = frozenset()
    conflicts_apart: tuple[str, ...] = ()
    conflicts_own: tuple[str, ...] = ()


#: characters of an action's title a line of the missing lists keeps: the code says
#: which action it is, the title's start what it is about; the whole title is the
#: plan's and the report's
MISSING_TITLE = 48


def missing_name(action) -> str:
    """An action as a line of the missing lists starts: "PA1.2 · Strengthen data…",
    its code and its title in the reader's language, cut at a word past
    ``MISSING_TITLE`` characters (as the plan tree names it, "{code} · {title}")."""
    from fieldplan.reports.text import truncate

    title, _cut = truncate(action.title.get(lang()), MISSING_TITLE)
    if not title:
        return action.code
    named = _("{code} · {title}").format(code=action.code, title=title)
    # an English title in the Arabic window (a plan without Arabic titles) kept apart
    # in its own direction: in the line's Arabic words its "…" and the colon after it
    # went to its other end ("…PA1.1 · Support national migration policies and")
    from PySide6.QtGui import QGuiApplication

    from ui.bidi import own_direction

    if QGuiApplication.isRightToLeft() and own_direction(title) == Qt.LayoutDirection.LeftToRight:
        return "\u2066" + named + "\u2069"
    return named


def summarise(identity: Identity, period: str, reports: list[ProgressReport],
              conflicts: dict[str, tuple[str, ...]] | None = None,
              locked: bool = False, apart: Mapping[str, Any] | None = None
              ) -> PeriodSummary:
    """What the dashboard and the submit dialog show: the reports the plan shows (as
    the printed status sheet counts them). ``conflicts``: action code → its report's
    fields in an open conflict (``fieldplan.sync.period_conflicts``); ``locked``:
    whether headquarters has locked the period; ``apart``: action code → its report's
    fields in conflict told apart (``conflicts.actions_apart``; one not there: two
    computers')."""
    from fieldplan.sync.conflicts import told_apart

    shown = PlanScope(identity.plan).shown(reports)
    by_action = {r.action: r for r in shown if r.office == identity.office}
    # (not an action an amendment added after the period, unless reported on)
    own = identity.own_actions(due=period, reported=by_action)
    counts = {s: 0 for s in STATUSES}
    for r in by_action.values():
        counts[r.status] = counts.get(r.status, 0) + 1
    areas = []
    for area in identity.plan.areas:
        acts = [a for a in own if a.area == area.code]
        if not acts:
            continue
        # as HQ's Overview and the review pack take it: cancelled actions left out
        mean = mean_percent(by_action[a.code] for a in acts if a.code in by_action)
        done = sum(1 for a in acts if a.code in by_action)
        # HQ counts an action reported once its report is submitted: a draft is not
        submitted = sum(1 for a in acts if a.code in by_action
                        and by_action[a.code].state == "submitted")
        areas.append((area.code, area.title.get(lang()), mean, done, submitted, len(acts)))
    missing = []
    missing_actions = []
    unsubmitted = []
    names = {
        "achievements": _("achievements"),
        "challenges": _("challenges"),
        "next_steps": _("next steps"),
    }
    for a in own:
        r = by_action.get(a.code)
        # the action by its code and title, as the plan tree names it (a code alone,
        # "PA1.2: no report", sent staff to the plan to learn which action it was)
        named = missing_name(a)
        if r is None:
            missing.append(_("{action}: no report").format(action=named))
            missing_actions.append(a.code)
            unsubmitted.append(missing[-1])
            continue
        empty = [names[n] for n in NARRATIVE_FIELDS if not getattr(r, n).strip()]
        if r.percent is None:
            empty.insert(0, _("percent"))
        for ind in a.indicators:
            # (not one an amendment added after the period)
            if r.value(ind.key) is None and identity.plan.expects_value(a.code, ind.key,
                                                                          period):
                # by its title, as the editor shows it, in words of its own: among the
                # narratives ("challenges, next steps, People reached") it read as one
                # of them
                # Translators: an indicator left without an actual, in the dashboard's
                # "PA1.2 — to fill in: challenges, value of “People reached”"
                empty.append(_("value of “{indicator}”").format(
                    indicator=ind.title.get(lang())))
        if empty:
            missing.append(
                # Translators: e.g. "PA1.2 — to fill in: percent, challenges"
                _("{action} — to fill in: {fields}").format(
                    action=named, fields=join_list(empty)
                )
            )
            missing_actions.append(a.code)
            if r.state != "submitted":
                unsubmitted.append(missing[-1])
    drafts = sum(1 for r in by_action.values() if r.state == "draft")
    warnings = [line for a in own if a.code in by_action and by_action[a.code].state == "draft"
                for line in report_warnings(by_action[a.code], a)]
    in_conflict: dict[str, list[str]] = {"draft": [], "submitted": [], "resubmit": []}
    fields_in_conflict = 0
    own_lines: set[str] = set()
    drafts_apart: list[str] = []
    drafts_own: list[str] = []
    for a in own:
        fields = (conflicts or {}).get(a.code)
        if a.code not in by_action or not fields:
            continue
        titles = {f"value.{ind.key}": ind.title.get(lang()) for ind in a.indicators}
        state = "submitted" if by_action[a.code].state == "submitted" else "draft"
        if state == "submitted" and set(fields) == {"state"}:
            state = "resubmit"
        fields_in_conflict += len(fields)

        def line(named: Collection[str], code: str = a.code, titles=titles) -> str:
            # Translators: e.g. "PA2.1 — in conflict: Achievements, Status", under
            # "Still in conflict:" in the submit dialog
            return _("{action} — in conflict: {fields}").format(
                action=code, fields=join_list([titles.get(f) or field_label(f)
                                               for f in named]))

        in_conflict[state].append(line(fields))
        kinds = told_apart(apart or {}, a.code, fields)
        own_fields = [f for f in fields if f in kinds.own]
        two_fields = [f for f in fields if f not in kinds.own]
        if not two_fields:
            own_lines.add(in_conflict[state][-1])
        if state == "draft":
            # (a report of both kinds: a line under each note, each naming its fields)
            if two_fields:
                drafts_apart.append(in_conflict[state][-1] if not own_fields
                                    else line(two_fields))
            if own_fields:
                drafts_own.append(in_conflict[state][-1] if not two_fields
                                  else line(own_fields))
    note = ""
    if locked and any(in_conflict.values()):
        from fieldplan.sync.conflicts import locked_period_note

        note = locked_period_note(period, identity.office,
                                  "HQ" if identity.is_hq else identity.office,
                                  fields_in_conflict)
    return PeriodSummary(
        period,
        tuple(counts.items()),
        tuple(areas),
        tuple(missing),
        drafts,
        len(by_action),
        len(own),
        tuple(unsubmitted),
        tuple(in_conflict["draft"]),
        tuple(in_conflict["submitted"]),
        note,
        tuple(in_conflict["resubmit"]),
        tuple(warnings),
        locked,
        tuple(missing_actions),
        frozenset(own_lines),
        tuple(drafts_apart),
        tuple(drafts_own),
    )


def read_summary(rep, identity: Identity, period: str) -> PeriodSummary:
    """(worker) the office's period summary, for the dashboard and the submit dialog,
    with its reports' open conflicts."""
    from fieldplan.progress import is_locked
    from fieldplan.sync.conflicts import actions_apart, period_conflicts

    conflicts = period_conflicts(rep, period, identity.office)
    apart = actions_apart(rep, identity.office, period, conflicts)
    return summarise(identity, period, list_reports(rep, period, identity.office),
                     conflicts, is_locked(rep, period), apart)


class Dashboard(QScrollArea):
    """Counts by status, progress per area and what is missing, for one period."""

    #: (action code, period) a line of the missing list was activated (Enter, a double
    #: click): its report is to be shown, to fill in what it lacks
    report_was_asked = Signal(str, str)

    def __init__(self, session: Session, identity: Identity, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.identity = identity
        self.period = identity.current_period()
        self.summary: PeriodSummary | None = None
        self.setWidgetResizable(True)
        self.setAccessibleName(_("Dashboard"))
        # no stop of Tab of its own, which showed no focus (as the page's scroll in
        # ui.pages): Tab, and Ctrl+2, go to its list
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget()
        lay = QVBoxLayout(body)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # an office's name: as written
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.heading.setFont(font)
        lay.addWidget(self.heading)
        self.counts_box = QGroupBox(_("Reports by status"))
        self.counts_grid = QGridLayout(self.counts_box)
        self.count_labels: dict[str, QLabel] = {}
        self.count_chips: dict[str, QLabel] = {}
        for i, status in enumerate(STATUSES):
            chip = QLabel(f" {STATUS_SYMBOLS[status]} {status_label(status)} ")
            chip.setStyleSheet(
                f"background: {STATUS_COLOURS[status]}; color: black; "
                "border-radius: 3px; padding: 2px;"
            )
            value = QLabel("0")
            value.setAccessibleName(status_label(status))
            # chip and count in one cell, the count right after its chip in the
            # reading direction (a grid column of its own sent each count, aligned
            # to the far side, next to the following chip in Arabic)
            pair = QHBoxLayout()
            pair.addWidget(chip)
            pair.addWidget(value)
            pair.addStretch(1)
            self.counts_grid.addLayout(pair, i // 3, i % 3)
            self.count_labels[status] = value
            self.count_chips[status] = chip
        lay.addWidget(self.counts_box)
        self.areas_box = QGroupBox(_("Progress by area"))
        areas_lay = QVBoxLayout(self.areas_box)
        self.areas_grid = QGridLayout()
        areas_lay.addLayout(self.areas_grid)
        # an area's bar leaves out its cancelled actions, as HQ's Overview and the
        # review pack do: said when there is one (ML's PA1 read 27% while its three
        # reports on the Progress tab, 22% cancelled among them, made 25%)
        self.means_note = WrappedLabel(_("Mean progress leaves out cancelled actions."))
        self.means_note.setVisible(False)
        areas_lay.addWidget(self.means_note)
        lay.addWidget(self.areas_box)
        # reports two computers wrote differently, as the submit dialog and the printed
        # sheet name them (summarise's conflicts): the dashboard said "On track, 100%"
        # alone while the status bar counted three conflicts. Hidden when there are none
        self.conflicts_box = QGroupBox(_("Still in conflict"))
        clay = QVBoxLayout(self.conflicts_box)
        self.conflicts = WrappedLabel()
        self.conflicts.setTextFormat(Qt.TextFormat.PlainText)  # titles of the plan
        clay.addWidget(self.conflicts)
        self.conflicts_box.setVisible(False)
        lay.addWidget(self.conflicts_box)
        self.missing_box = QGroupBox(_("Still missing"))
        mlay = QVBoxLayout(self.missing_box)
        # (a locked period) its drafts and what is missing stay so: said over the list,
        # which read "Still missing" as if the office could still add it
        self.locked_note = WrappedLabel()
        self.locked_note.setVisible(False)
        mlay.addWidget(self.locked_note)
        self.missing = QListWidget()
        self.missing.setAccessibleName(_("Still missing"))
        # a line wraps at the list's width: an action with indicators to fill ran far
        # past a laptop's edge ("… intégrant la migrat" at 1024 pixels in French),
        # read only by scrolling sideways
        self.missing.setWordWrap(True)
        self.missing.setResizeMode(QListView.ResizeMode.Adjust)
        self.missing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        from ui.list_focus import current_row_on_focus

        current_row_on_focus(self.missing)  # (refilled at each refresh)
        # the line read says what a report lacks: Enter goes to it (staff read
        # "PA1.3 — to fill in: percent", then looked for PA1.3 in the plan by hand)
        self.missing.setAccessibleDescription(_("Enter opens the report of the line."))
        self.missing.itemActivated.connect(self._missing_activated)
        mlay.addWidget(self.missing)
        lay.addWidget(self.missing_box, 1)
        self.setWidget(body)
        session.changes_did_happen.connect(self._changes_did_happen)
        self.refresh()

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    def set_identity(self, identity: Identity, period: str) -> None:
        """A new plan (an amendment), and the period to show in it."""
        self.identity = identity
        self.set_period(period)

    def refresh(self) -> None:
        period, ident = self.period, self.identity
        DbOp(self.session, self, lambda rep: read_summary(rep, ident, period)).success(
            self._show).run()

    def _changes_did_happen(self, changes) -> None:
        # (a lock or unlock, or an import that brought one: the missing list's words)
        if changes.touches("progress") or changes.touches("plan") or changes.touches("lock"):
            self.refresh()

    def _show(self, summary: PeriodSummary) -> None:
        if summary.period != self.period:
            return
        self.summary = summary
        heading = _("{office} — {period}").format(
            office=self.identity.office_text(), period=format_period(summary.period)
        )
        self.heading.setText(in_layout_direction(heading))
        for status, n in summary.counts:
            self.count_labels[status].setText(format_number(n))
            # named with its number: a name hides a label's text, and "On track" alone
            # was said, never how many
            self.count_labels[status].setAccessibleName(
                _("{label}: {n}").format(label=status_label(status), n=format_number(n)))
        while self.areas_grid.count():
            item = self.areas_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for row, (code, title, mean, done, submitted, total) in enumerate(summary.areas):
            label = WrappedLabel(in_layout_direction(f"{code} · {title}"))
            label.setTextFormat(Qt.TextFormat.PlainText)  # the plan's title: as written
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(int(mean or 0))  # (0.02 or 99.6 near the ends: not 0, not 100)
            # the language's percent sign ("52 %" in French), not Qt's "%p%"
            bar.setFormat(format_percent(mean) if mean is not None else _("no percent yet"))
            if mean is None:
                # the bar's value is 0 all the same: a screen reader would say "0%"
                bar.setAccessibleName(
                    # Translators: a progress bar's name when no report of the area
                    # gives a percent ({area} is "PA4")
                    _("Progress of {area}: no percent yet").format(area=code))
            else:
                bar.setAccessibleName(_("Progress of {area}").format(area=code))
            # two lines: how many have a report (drafts too), and how many of those are
            # submitted: headquarters counts only those as reported (its Overview's
            # "0/3 ✎3", the pack's offices that have not reported)
            reported = WrappedLabel("\n".join((
                # Translators: the plural form is chosen by {total}, the area's actions
                # ("3 of 5 actions have a report"), not by {done}: agree with {total}.
                # A draft counts: the next line says how many are submitted
                ngettext(
                    "{done} of {total} action has a report",
                    "{done} of {total} actions have a report", total
                ).format(done=format_number(done), total=format_number(total)),
                # Translators: under "3 of 5 actions have a report": how many of those
                # reports are submitted (headquarters counts only those as reported)
                counted("{count} submitted", "{count} submitted", submitted),
            )))
            self.areas_grid.addWidget(label, row, 0)
            self.areas_grid.addWidget(bar, row, 1)
            self.areas_grid.addWidget(reported, row, 2)
            # (said with the bar: the figures beside it are on a label of their own)
            bar.setProperty("reported", reported.text())
        # no area to show (the plan has no action due at this office's level): no
        # empty box over the list that says why, as if the areas were still being read
        self.areas_box.setVisible(bool(summary.areas))
        self.areas_grid.setColumnStretch(0, 2)
        self.areas_grid.setColumnStretch(1, 2)
        cancelled = dict(summary.counts).get("cancelled", 0) > 0
        self.means_note.setVisible(cancelled)
        # (heard with each bar, where the focus is: the note is no stop of Tab)
        for row in range(self.areas_grid.rowCount()):
            item = self.areas_grid.itemAtPosition(row, 1)
            if item is not None and isinstance(item.widget(), QProgressBar):
                bar = item.widget()
                bar.setAccessibleDescription("\n".join(filter(None, (
                    bar.property("reported"), self.means_note.text() if cancelled else ""))))
        self._show_conflicts(summary)
        self._show_locked(summary)
        self.missing.clear()
        if summary.missing:
            self.missing.addItems(list(summary.missing))
            for row, code in enumerate(summary.missing_actions):
                self.missing.item(row).setData(Qt.ItemDataRole.UserRole, code)
        elif not self.identity.own_actions():
            # the plan has no action at this office's level (an amendment dropped them):
            # "Nothing is missing." read as every report in, where there is none to make
            # (its status sheet says so too)
            none = self.identity.no_action_text()
            self.missing.addItem(in_layout_direction(none))
        elif self.identity.is_hq:
            # headquarters' own (global) actions only: not to be read as "every office
            # has reported"
            from fieldplan.i18n import without_mnemonic

            # Translators: {tab} is the tab "Overview", as translated there
            self.missing.addItem(_("Nothing is missing from headquarters' own reports; "
                                   "the offices' are on the {tab} tab.").format(
                                       tab=without_mnemonic(_("&Overview"))))
        else:
            self.missing.addItem(_("Nothing is missing."))

    def _missing_activated(self, item) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code and self.summary is not None:
            emit(self.report_was_asked, str(code), self.summary.period)

    def _show_locked(self, summary: PeriodSummary) -> None:
        """The missing list's title and note, as the period is locked or not: in a
        locked one, what was missing and the drafts left when it was locked stay so
        unless headquarters unlocks it (as ``status`` and the review pack say)."""
        title = (_("Missing when the period was locked") if summary.locked
                 else _("Still missing"))
        self.missing_box.setTitle(title)
        self.missing.setAccessibleName(title)
        self.locked_note.setVisible(summary.locked)
        if not summary.locked:
            self.locked_note.clear()
        elif self.identity.is_hq:
            # headquarters' own reports: the one to unlock the period is the reader
            self.locked_note.setText(counted(
                "This period is locked: its {count} draft report will not be submitted, "
                "and nothing can be added to it, unless you unlock the period.",
                "This period is locked: its {count} draft reports will not be submitted, "
                "and nothing can be added to them, unless you unlock the period.",
                summary.drafts) if summary.drafts else _(
                "This period is locked: nothing can be added to its reports unless you "
                "unlock the period."))
        elif summary.drafts:
            self.locked_note.setText(counted(
                "Headquarters has locked this period: its {count} draft report will not "
                "be submitted, and nothing can be added to it, unless headquarters "
                "unlocks the period.",
                "Headquarters has locked this period: its {count} draft reports will not "
                "be submitted, and nothing can be added to them, unless headquarters "
                "unlocks the period.", summary.drafts))
        else:
            self.locked_note.setText(_(
                "Headquarters has locked this period: nothing can be added to its reports "
                "unless headquarters unlocks the period."))

    def _show_conflicts(self, summary: PeriodSummary) -> None:
        """The reports in conflict, in the submit dialog's words; none: hidden."""
        lines = conflict_lines(summary)
        self.conflicts_box.setVisible(bool(lines))
        if not lines:
            self.conflicts.clear()
            return
        self.conflicts.setText("\n".join(lines))


def conflict_lines(summary: PeriodSummary, submitting: bool = False) -> list[str]:
    """The reports in conflict (``PeriodSummary.conflicts``, and with ``submitting``
    False its ``submitted_conflicts``), a line each, then how to settle them: as the
    dashboard and the submit dialog (``submitting``: the drafts it submits) say them.
    A draft's are settled on the Conflicts tab, else submitted as shown; a submitted
    report's once it is reopened (the Conflicts tab's Keep is disabled till then), and
    one whose status only is in conflict by reopening it (and submitting again); in a
    locked period, none until headquarters unlocks it."""
    from fieldplan.i18n import without_mnemonic

    drafts = summary.conflicts
    submitted = () if submitting else summary.submitted_conflicts
    resubmit = () if submitting else summary.resubmit_conflicts
    lines: list[str] = []
    if summary.locked_note:
        if drafts or submitted or resubmit:
            lines = [*drafts, *submitted, *resubmit, summary.locked_note]
    else:
        tab = without_mnemonic(_("&Conflicts"))
        # (told apart, said so: those of one computer's history are not two
        # computers'; a report of both kinds is named under each, with its fields)
        own = summary.one_computer
        apart = list(summary.conflicts_apart)
        if apart:
            # Translators: {tab} is the tab "Conflicts", as translated there
            lines += [*apart, _("Two computers wrote different values: settle them on the "
                                "{tab} tab first, or the values shown now are "
                                "submitted.").format(tab=tab)]
        alone = list(summary.conflicts_own)
        if alone:
            # Translators: {tab} is the tab "Conflicts", as translated there; under the
            # lines naming the draft reports whose versions in conflict one computer
            # wrote, none replacing another (no second computer wrote them)
            lines += [*alone, ngettext(
                "One computer's history holds versions of this report's values that do "
                "not replace each other: settle them on the {tab} tab first, or the "
                "values shown now are submitted.",
                "One computer's history holds versions of these reports' values that do "
                "not replace each other: settle them on the {tab} tab first, or the "
                "values shown now are submitted.", len(alone)).format(tab=tab)]
        if submitted:
            # Translators: {progress} and {tab} are the tabs "Progress" and "Conflicts",
            # as translated there; under the lines naming the submitted reports in
            # conflict
            lines += [*submitted, ngettext(
                "This report is submitted: reopen it on the {progress} tab, then settle "
                "its values on the {tab} tab.",
                "These reports are submitted: reopen them on the {progress} tab, then "
                "settle their values on the {tab} tab.", len(submitted)).format(
                    progress=without_mnemonic(_("Pro&gress")), tab=tab)]
        resubmit_alone = [line for line in resubmit if line in own]
        resubmit = [line for line in resubmit if line not in own]
        if resubmit:
            # Translators: {progress} is the tab "Progress", as translated there; under
            # the lines naming the submitted reports whose status is in conflict
            lines += [*resubmit, ngettext(
                "This report was submitted on one computer while another changed it: "
                "reopen it on the {progress} tab, check it, then submit it again.",
                "These reports were submitted on one computer while another changed "
                "them: reopen them on the {progress} tab, check them, then submit them "
                "again.", len(resubmit)).format(progress=without_mnemonic(_("Pro&gress")))]
        if resubmit_alone:
            # Translators: {progress} is the tab "Progress", as translated there; under
            # the lines naming the submitted reports whose status is in conflict in one
            # computer's history alone (no second computer changed them)
            lines += [*resubmit_alone, ngettext(
                "One computer's history holds this report both submitted and changed, "
                "neither replacing the other: reopen it on the {progress} tab, check it, "
                "then submit it again.",
                "One computer's history holds these reports both submitted and changed, "
                "neither replacing the other: reopen them on the {progress} tab, check "
                "them, then submit them again.", len(resubmit_alone)).format(
                    progress=without_mnemonic(_("Pro&gress")))]
    # each line starts with an action's code: read right to left in Arabic
    return [in_layout_direction(line) for line in lines]
