"""An office's reports that the plan hides (an action HQ removed, renumbered or moved
to another level, a period outside the plan's new dates): kept in the database, and
listed at the end of the office's plan tree, where each is read, not edited, with the
reason (fieldplan.planops.PlanScope, as HQ's table of reports says it)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from fieldplan.i18n import _, counted, format_number
from fieldplan.model import ProgressReport
from fieldplan.plan import Action, Plan, Text
from fieldplan.replica import Replica
from ui.wrapped_label import WrappedLabel


@dataclass(frozen=True)
class HiddenReport:
    """A report of this office that the plan hides.

    report: the report, as merged. why: PlanScope.why_hidden's reasons (never empty).
    title: its action's title in an earlier plan version when the plan no longer has
        the action (None otherwise, or when no version had it). indicators: indicator
        key → title in an earlier plan version, of its values' indicators the plan no
        longer has (as the data export names them: fieldplan.tabular.earlier_titles).
    """

    report: ProgressReport
    why: tuple[str, ...]
    title: Text | None = None
    indicators: tuple[tuple[str, Text], ...] = ()

    def sentence(self) -> str:
        """"Hidden by the plan: the plan no longer has this action.\""""
        from ui.models import hidden_sentence

        return hidden_sentence(self.why)


def read_hidden(rep: Replica, plan: Plan,
                reports: list[ProgressReport]) -> list[HiddenReport]:
    """(worker) of ``reports``, those ``plan`` hides, with why and the titles earlier
    plan versions gave what the plan no longer has, in their order."""
    from fieldplan.planops import PlanScope

    scope = PlanScope(plan)
    hidden = [(r, why) for r in reports if (why := scope.why_hidden(r.office, r.action,
                                                                     r.period))]
    if not hidden:  # (most starts: the table files' readers are not imported for it)
        return []
    from fieldplan.tabular import earlier_titles

    titles, indicators = earlier_titles(
        rep, plan, {r.action for r, _why in hidden},
        {(r.action, key) for r, _why in hidden for key, _value in r.values})
    return [HiddenReport(r, why, titles.get(r.action), tuple(
        (key, indicators[r.action, key]) for key, _value in r.values
        if (r.action, key) in indicators)) for r, why in hidden]


def hidden_group_text(count: int) -> str:
    """The heading of the plan tree's group of hidden reports."""
    # Translators: the last group of the office's plan tree: reports the office wrote
    # on actions (or for periods) that the current plan no longer has
    return counted("{count} report not in the current plan",
                   "{count} reports not in the current plan", count)


def hidden_item_text(hidden: HiddenReport) -> str:
    """"PA1.2 · 2026-S1": the action and period of a hidden report (the pane shows
    its title: the plan's, or an earlier plan version's for an action it dropped)."""
    return f"{hidden.report.action} · {hidden.report.period}"


def _plan_action(plan: Plan, code: str) -> Action | None:
    return next((a for a in plan.actions if a.code == code), None)


class HiddenReportView(QScrollArea):
    """One report the plan hides, read-only: why it is hidden, its period, status,
    percent, state, indicator values and narratives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QFormLayout

        from ui.bidi_widgets import PlainTextEdit
        from ui.dialogs import detail_label
        from ui.qtcompat import Qt

        super().__init__(parent)
        self.hidden: HiddenReport | None = None
        self.setWidgetResizable(True)
        self.setAccessibleName(_("Report"))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        lay = QVBoxLayout(body)
        self.title = WrappedLabel()  # as the report editor's title
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        lay.addWidget(self.title)
        #: why the plan hides it, and that it is kept (ui.models.hidden_note); it and the
        #: values are reached with Tab, read and copied without a mouse (detail_label)
        self.note = detail_label("hidden-note")
        lay.addWidget(self.note)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(self.form)
        self.narrative = PlainTextEdit()
        self.narrative.setReadOnly(True)
        self.narrative.setAccessibleName(_("Report narrative"))
        lay.addWidget(self.narrative, 1)
        self.setWidget(body)

    def show_hidden(self, hidden: HiddenReport, plan: Plan) -> None:
        from fieldplan.i18n import field_label, period_words
        from ui.bidi import in_layout_direction
        from ui.context import action_title, lang
        from ui.dialogs import detail_label
        from ui.models import hidden_note, hidden_state, narrative_text, value_text
        from ui.qtcompat import Qt
        from ui.report_editor import _leading

        self.hidden = hidden
        r = hidden.report
        action = _plan_action(plan, r.action)
        if action is not None:
            title = action_title(action)
        elif hidden.title is not None:  # a removed action: its title in an earlier plan
            title = _("{code} · {title}").format(code=r.action,
                                                 title=hidden.title.get(lang()))
        else:
            title = r.action
        self.title.setText(in_layout_direction(title))
        self.note.setText(hidden_note(hidden.why))
        self.setAccessibleDescription(self.note.text())  # said as the pane is entered
        while self.form.rowCount():
            self.form.removeRow(0)
        period = period_words(r.period)
        # (a status or state only a newer version knows: as written)
        rows = [
            (_("Period"), period),
            (field_label("status"), value_text("status", r.status)),
            (field_label("percent"), value_text("percent", r.percent)),
            (field_label("state"), hidden_state(value_text("state", r.state))),
        ]
        indicators = dict(hidden.indicators)
        indicators.update({i.key: i.title for i in action.indicators} if action else {})
        for key, value in r.values:
            ind = indicators.get(key)
            name = ind.get(lang()) if ind else field_label(f"value.{key}")
            rows.append((name, format_number(value)))
        # plain text: a plan's title is not markup. The values on the layout's leading
        # side: a QLabel puts a text without letters ("35 %") left even in Arabic.
        # Each value is a stop for Tab, said with its name ("Status: At risk"), between
        # the note and the narrative
        order: list[QWidget] = [self.note]
        for name, value in rows:
            shown = detail_label("hidden-value")
            shown.setText(value)
            shown.setAccessibleName(_("{label}: {n}").format(label=name, n=value))
            shown.setAlignment(_leading())
            label = WrappedLabel(name)
            label.setTextFormat(Qt.TextFormat.PlainText)
            self.form.addRow(label, shown)
            order.append(shown)
        order.append(self.narrative)
        for first, then in itertools.pairwise(order):
            QWidget.setTabOrder(first, then)
        self.narrative.setPlainText(narrative_text(r))
