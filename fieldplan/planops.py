"""(HQ) replacing the plan: a new version travels to offices as a plan event.

Reports are never deleted, but a plan decides what is shown (PlanScope): reports on an
action the plan no longer has, for a period outside its dates, or by an office of
another level than the action's, and values of an indicator it no longer has, stay in
the database unseen. A new plan that would hide some is refused unless the caller says
it is intended (``allow_hiding``): a spreadsheet cut short or a wrong start date must
not make a semester's reports vanish without a word.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, ngettext
from fieldplan.replica import Replica
from fieldplan.text import for_terminal

if TYPE_CHECKING:
    from fieldplan.model import ProgressReport
    from fieldplan.plan import Plan

#: How many codes a refusal names before "and N more".
SHOWN_NAMES = 8


@dataclass(frozen=True)
class Hidden:
    """What a plan hides of the reports held.

    actions: codes of actions with reports that the plan does not have.
    periods: periods with reports that are not among the plan's periods.
    values: ``ACTION/KEY`` of indicator values recorded for an action of the plan that
        no longer has that indicator.
    levels: codes of actions of the plan with reports from offices that report on
        another level than the action's (an action moved from national to regional
        hides the country offices' reports on it).
    """

    actions: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.actions or self.periods or self.values or self.levels)

    def describe(self) -> str:
        """``reports on 2 actions it does not have (PA3.3, PA4.1); ...`` in one line:
        what an amendment newly hides (see ``hidden_by``'s ``shown_by``)."""
        parts = []
        if self.actions:
            parts.append(ngettext(
                "reports on {count} action it does not have ({names})",
                "reports on {count} actions it does not have ({names})",
                len(self.actions)).format(count=len(self.actions), names=_names(self.actions)))
        if self.levels:
            parts.append(ngettext(
                "reports on {count} action it moves to another level ({names})",
                "reports on {count} actions it moves to another level ({names})",
                len(self.levels)).format(count=len(self.levels), names=_names(self.levels)))
        if self.periods:
            parts.append(ngettext(
                "reports for {count} period outside its dates ({names})",
                "reports for {count} periods outside its dates ({names})",
                len(self.periods)).format(count=len(self.periods), names=_names(self.periods)))
        if self.values:
            parts.append(ngettext(
                "values of {count} indicator it does not have ({names})",
                "values of {count} indicators it does not have ({names})",
                len(self.values)).format(count=len(self.values), names=_names(self.values)))
        # Translators: joins the parts of a list of what a plan would hide.
        return _("; ").join(parts)


class PlanScope:
    """What a plan shows of the reports held: the one definition that the client's
    views, the printed reports and the plan import's question share.

    A report is hidden when the plan has not its action, when its period is outside
    the plan's dates, or when its office reports on another level than the action's
    (see offices.level_for_office). A value of a shown report is hidden when its
    action no longer has that indicator.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._levels = {a.code: a.level for a in plan.actions}
        self._indicators = {a.code: frozenset(i.key for i in a.indicators)
                            for a in plan.actions}
        self._periods = frozenset(str(p) for p in plan.periods())
        self._office_levels: dict[str, str | None] = {}

    def _office_level(self, office: str) -> str | None:
        if office not in self._office_levels:
            from fieldplan.offices import level_for_office

            try:
                self._office_levels[office] = level_for_office(office)
            except ValidationError:  # an office this version does not know: no judging
                self._office_levels[office] = None
        return self._office_levels[office]

    def why_hidden(self, office: str, action: str, period: str) -> tuple[str, ...]:
        """Why the plan hides ``office``'s report on ``action`` for ``period``: any of
        ``"action"`` (the plan has no such action), ``"period"`` (outside its dates)
        and ``"level"`` (the office reports on another level); () when it is shown."""
        why = []
        level = self._levels.get(action)
        if level is None:
            why.append("action")
        if str(period) not in self._periods:
            why.append("period")
        if level is not None and self._office_level(office) not in (None, level):
            why.append("level")
        return tuple(why)

    def shows(self, office: str, action: str, period: str) -> bool:
        return not self.why_hidden(office, action, period)

    def shown(self, reports: Iterable[ProgressReport]) -> list[ProgressReport]:
        """The reports the plan shows, in their order."""
        return [r for r in reports if self.shows(r.office, r.action, r.period)]

    def hidden_values(self, action: str, keys: Iterable[str]) -> list[str]:
        """The indicator keys among ``keys`` that ``action`` does not have in the plan."""
        have = self._indicators.get(action, frozenset())
        return [k for k in keys if k not in have]


def why_hidden_text(why: Iterable[str]) -> str:
    """``PlanScope.why_hidden``'s reasons for one report in words, for a sentence such
    as "Hidden by the plan: {reasons}." ("" when it is shown)."""
    words = {
        "action": _("the plan no longer has this action"),
        "period": _("this period is outside the plan's dates"),
        "level": _("the action is no longer at this office's level"),
    }
    # Translators: joins the parts of a list of what a plan would hide.
    return _("; ").join(words[w] for w in why if w in words)


class PlanHidesReportsError(ValidationError):
    """A new plan would hide reports already held; ``hidden`` says which."""

    def __init__(self, message: str, hidden: Hidden) -> None:
        super().__init__(message)
        self.hidden = hidden


def _names(items: tuple[str, ...]) -> str:
    if len(items) <= SHOWN_NAMES:
        return ", ".join(items)
    more = len(items) - SHOWN_NAMES
    return ngettext("{names} and {count} more", "{names} and {count} more", more).format(
        names=", ".join(items[:SHOWN_NAMES]), count=more)


def hidden_by(rep: Replica, plan: Plan, *, shown_by: Plan | None = None) -> Hidden:
    """What of the reports held here ``plan`` would not show (see PlanScope); with
    ``shown_by``, only what that plan shows: what an amendment newly hides."""
    scope = PlanScope(plan)
    before = PlanScope(shown_by) if shown_by is not None else None
    actions: set[str] = set()
    periods: set[str] = set()
    levels: set[str] = set()
    values: set[str] = set()
    for office, action, period, vals in rep.conn.execute(
            "SELECT office, action, period, vals FROM progress"):
        if before is not None and before.why_hidden(office, action, period):
            continue  # hidden already (an earlier amendment, allowed then): not asked again
        why = scope.why_hidden(office, action, period)
        if why:
            if "action" in why:
                actions.add(action)
            if "period" in why:
                periods.add(period)
            if "level" in why:
                levels.add(action)
            continue
        try:
            recorded = json.loads(vals)
        except ValueError:
            continue
        if not isinstance(recorded, dict):
            continue
        keys = scope.hidden_values(action, (k for k, v in recorded.items() if v is not None))
        if before is not None:
            already = set(before.hidden_values(action, keys))
            keys = [k for k in keys if k not in already]
        values.update(f"{action}/{key}" for key in keys)
    return Hidden(tuple(sorted(actions)), tuple(sorted(periods)), tuple(sorted(values)),
                  tuple(sorted(levels)))


def hidden_reports(rep: Replica, plan: Plan | None = None, *, period: str | None = None,
                   office: str | None = None, shown_by: Plan | None = None) -> int:
    """How many reports held here ``plan`` (the installed one by default) hides (see
    PlanScope): of ``period`` and ``office`` when given; with ``shown_by``, only those
    that plan shows (what an amendment newly hides)."""
    scope = PlanScope(plan if plan is not None else rep.plan())
    before = PlanScope(shown_by) if shown_by is not None else None
    where = [(col, value) for col, value in (("period", period), ("office", office))
             if value is not None]
    sql = "SELECT office, action, period FROM progress"
    if where:
        sql += " WHERE " + " AND ".join(f"{col} = ?" for col, _v in where)
    return sum(1 for who, action, when in rep.conn.execute(sql, [v for _c, v in where])
               if (before is None or before.shows(who, action, when))
               and not scope.shows(who, action, when))


def replace_plan(rep: Replica, path: Path, *, allow_hiding: bool = False) -> dict[str, Any]:
    """Load, validate and install a plan file at headquarters. The plan id must stay
    the same and the version must go up (amendments bump it). Texts are stored without
    control characters.

    A plan that would hide reports the current plan shows (see ``hidden_by``) raises
    PlanHidesReportsError, unless ``allow_hiding``: ask the person first. The database
    is backed up before the plan is written; if the backup fails, nothing is written.
    The plan installed already, same version and content, is left as it is: the result
    says ``unchanged`` (and its ``backup`` is None).
    """
    from fieldplan.plan import check_plan_size, clean_plan, load_plan, plan_to_dict

    if not rep.is_hq:
        raise ValidationError(_("only headquarters can replace the plan"))
    new = load_plan(path, clean=True)
    # a plan too large for a bundle, once installed, would stop every export for good
    check_plan_size(new, path.name)
    name = for_terminal(path.name)
    # as 'plan export' writes it: an older import may have kept control characters
    installed = clean_plan(rep.plan())
    if new.version == installed.version and plan_to_dict(new) == plan_to_dict(installed):
        # the file exported from this database, imported again: nothing to do
        hidden = hidden_by(rep, new)
        return _result(new, hidden, Hidden(), backup=None, unchanged=True)

    def check() -> Hidden:
        old = rep.plan()
        if new.id != old.id:
            raise ValidationError(_("{file} is plan '{plan}'; this database holds '{held}'")
                                  .format(file=name, plan=new.id, held=old.id))
        if new.version <= old.version:
            raise ValidationError(
                _("{file} has version {version}; an amendment needs a version above {held}")
                .format(file=name, version=new.version, held=old.version))
        # what is hidden already (an earlier amendment, allowed then) is not asked again
        hidden = hidden_by(rep, new, shown_by=old)
        if hidden and not allow_hiding:
            raise PlanHidesReportsError(
                _("{file} would hide what offices reported: {hidden}; nothing was changed")
                .format(file=name, hidden=hidden.describe()), hidden)
        return hidden

    check()
    # a failed backup (BackupError, one line naming the folder) stops here: nothing written
    backup = rep.backup("before-plan-import")
    with store.write_transaction(rep.conn):
        newly_hidden = check()  # again: another fieldplan may have written meanwhile
        events.append(rep.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author=rep.author)
    return _result(new, hidden_by(rep, new), newly_hidden, backup=str(backup),
                   unchanged=False)


def _result(new: Plan, hidden: Hidden, newly_hidden: Hidden, *, backup: str | None,
            unchanged: bool) -> dict[str, Any]:
    """What ``replace_plan`` returns (see there)."""
    return {"plan": new.id, "version": new.version, "actions": len(new.actions),
            "unchanged": unchanged,
            "orphaned_actions": list(hidden.actions),
            "hidden_periods": list(hidden.periods),
            "hidden_values": list(hidden.values),
            "hidden_levels": list(hidden.levels),
            "newly_hidden": {"actions": list(newly_hidden.actions),
                             "periods": list(newly_hidden.periods),
                             "values": list(newly_hidden.values),
                             "levels": list(newly_hidden.levels)},
            "backup": backup}
