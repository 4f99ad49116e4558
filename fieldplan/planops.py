"""(HQ) replacing the plan: a new version travels to offices as a plan event.

Reports are never deleted, but a plan decides what is shown: reports on an action the
plan no longer has, for a period outside its dates, or values of an indicator it no
longer has, stay in the database unseen. A new plan that would hide some is refused
unless the caller says it is intended (``allow_hiding``): a spreadsheet cut short or a
wrong start date must not make a semester's reports vanish without a word.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, ngettext
from fieldplan.replica import Replica

if TYPE_CHECKING:
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
    """

    actions: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.actions or self.periods or self.values)

    def __sub__(self, other: Hidden) -> Hidden:
        """What this hides that ``other`` does not."""

        def minus(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(x for x in mine if x not in theirs)

        return Hidden(minus(self.actions, other.actions), minus(self.periods, other.periods),
                      minus(self.values, other.values))

    def describe(self) -> str:
        """``reports on 2 actions it does not have (PA3.3, PA4.1); ...`` in one line."""
        parts = []
        if self.actions:
            parts.append(ngettext(
                "reports on {count} action it does not have ({names})",
                "reports on {count} actions it does not have ({names})",
                len(self.actions)).format(count=len(self.actions), names=_names(self.actions)))
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


def hidden_by(rep: Replica, plan: Plan) -> Hidden:
    """What of the reports held here ``plan`` would not show."""
    codes = {a.code: {i.key for i in a.indicators} for a in plan.actions}
    periods = {str(p) for p in plan.periods()}
    actions: set[str] = set()
    held_periods: set[str] = set()
    values: set[str] = set()
    for action, period, vals in rep.conn.execute("SELECT action, period, vals FROM progress"):
        held_periods.add(period)
        if action not in codes:
            actions.add(action)
            continue
        try:
            recorded = json.loads(vals)
        except ValueError:
            continue
        if isinstance(recorded, dict):
            values.update(f"{action}/{key}" for key, value in recorded.items()
                          if value is not None and key not in codes[action])
    return Hidden(tuple(sorted(actions)), tuple(sorted(held_periods - periods)),
                  tuple(sorted(values)))


def replace_plan(rep: Replica, path: Path, *, allow_hiding: bool = False) -> dict[str, Any]:
    """Load, validate and install a plan file at headquarters. The plan id must stay
    the same and the version must go up (amendments bump it). Texts are stored without
    control characters.

    A plan that would hide reports the current plan shows (see ``hidden_by``) raises
    PlanHidesReportsError, unless ``allow_hiding``: ask the person first. The database
    is backed up before the plan is written; if the backup fails, nothing is written.
    """
    from fieldplan.plan import load_plan, plan_to_dict

    if not rep.is_hq:
        raise ValidationError(_("only headquarters can replace the plan"))
    new = load_plan(path, clean=True)

    def check() -> Hidden:
        old = rep.plan()
        if new.id != old.id:
            raise ValidationError(_("{file} is plan '{plan}'; this database holds '{held}'")
                                  .format(file=path.name, plan=new.id, held=old.id))
        if new.version <= old.version:
            raise ValidationError(
                _("{file} has version {version}; an amendment needs a version above {held}")
                .format(file=path.name, version=new.version, held=old.version))
        # what is hidden already (an earlier amendment, allowed then) is not asked again,
        # nor the values of an action the current plan hides whole
        before = hidden_by(rep, old)
        hidden = hidden_by(rep, new) - before
        hidden = Hidden(hidden.actions, hidden.periods, tuple(
            v for v in hidden.values if v.split("/", 1)[0] not in before.actions))
        if hidden and not allow_hiding:
            raise PlanHidesReportsError(
                _("{file} would hide what offices reported: {hidden}; nothing was changed")
                .format(file=path.name, hidden=hidden.describe()), hidden)
        return hidden

    check()
    # a failed backup (BackupError, one line naming the folder) stops here: nothing written
    backup = store.backup(rep.conn, rep.path, "before-plan-import")
    with store.write_transaction(rep.conn):
        newly_hidden = check()  # again: another fieldplan may have written meanwhile
        events.append(rep.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author=rep.author)
    hidden = hidden_by(rep, new)
    return {"plan": new.id, "version": new.version, "actions": len(new.actions),
            "orphaned_actions": list(hidden.actions),
            "hidden_periods": list(hidden.periods),
            "hidden_values": list(hidden.values),
            "newly_hidden": {"actions": list(newly_hidden.actions),
                             "periods": list(newly_hidden.periods),
                             "values": list(newly_hidden.values)},
            "backup": str(backup)}
