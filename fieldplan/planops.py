"""(HQ) replacing the plan: a new version travels to offices as a plan event.

Reports are never deleted, but a plan decides what is shown (PlanScope): reports on an
action the plan no longer has, for a period outside its dates, or by an office of
another level than the action's, and values of an indicator it no longer has, stay in
the database unseen. A new plan that would hide some is refused unless the caller says
it is intended (``allow_hiding``): a spreadsheet cut short or a wrong start date must
not make a semester's reports vanish without a word.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, counted, join_clauses, join_list, ltr
from fieldplan.plan_diff import (
    PlanDiff,
    diff_plans,
    targets_below_zero,
    targets_not_whole,
    untranslated,
    unused_unit_words,
)
from fieldplan.replica import Replica
from fieldplan.text import for_terminal

if TYPE_CHECKING:
    from fieldplan.model import ProgressReport
    from fieldplan.periods import Period
    from fieldplan.plan import Plan

#: How many codes a refusal names before "and N more".
SHOWN_NAMES = 8
#: How far above the installed plan's version an imported plan's may go: amendments
#: bump it by one, and a version typed with a digit too many would leave every later
#: amendment to go above it.
MAX_VERSION_STEP = 1000


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
        return join_clauses(self.parts())

    def parts(self, shown: int | None = SHOWN_NAMES) -> list[str]:
        """``describe``'s parts, one for each kind of thing hidden, each naming at most
        ``shown`` codes before "and N more" (None: every one), for a list of lines."""
        parts = []
        if self.actions:
            parts.append(counted(
                "reports on {count} action it does not have ({names})",
                "reports on {count} actions it does not have ({names})",
                len(self.actions), names=_names(self.actions, shown)))
        if self.levels:
            parts.append(counted(
                "reports on {count} action it moves to another level ({names})",
                "reports on {count} actions it moves to another level ({names})",
                len(self.levels), names=_names(self.levels, shown)))
        if self.periods:
            parts.append(counted(
                "reports for {count} period outside its dates ({names})",
                "reports for {count} periods outside its dates ({names})",
                len(self.periods), names=_names(self.periods, shown)))
        if self.values:
            parts.append(counted(
                "values of {count} indicator it does not have ({names})",
                "values of {count} indicators it does not have ({names})",
                len(self.values), names=_names(self.values, shown)))
        return parts


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
    return join_clauses(words[w] for w in why if w in words)


def plan_documents(rep: Replica) -> Iterator[dict[str, Any]]:
    """The plan versions the event log keeps (as plan_to_dict's dict), latest first;
    a value that is no such dict (older data) is skipped."""
    for (value,) in rep.conn.execute(
            "SELECT value FROM versions WHERE entity = 'plan' AND field = 'document' "
            "ORDER BY hlc DESC"):
        try:
            doc = json.loads(value)
        except (TypeError, ValueError):
            continue
        if isinstance(doc, dict):
            yield doc


def plan_history(rep: Replica) -> list[tuple[int, dict[str, Any]]]:
    """The plan versions this replica's plan holds (as plan_to_dict's dicts), oldest
    first, each with its clock (hlc); a value that is no such dict is skipped. Read
    again only when the versions held change (kept in ``rep.cache``, stamped by their
    count and latest clock): the report form asks at each report opened and the review
    pack at each office's sheet (``recorded_units``), each parsing every version. The
    dicts are shared: read them, never change them."""
    stamp = rep.conn.execute(
        "SELECT count(*), max(hlc) FROM versions WHERE entity = 'plan' AND entity_id = ? "
        "AND field = 'document'", (rep.plan_id,)).fetchone()
    held = rep.cache.get("plan_history")
    if held is not None and held[0] == stamp:
        return held[1]
    out = []
    for hlc, value in rep.conn.execute(
            "SELECT hlc, value FROM versions WHERE entity = 'plan' AND entity_id = ? "
            "AND field = 'document' ORDER BY hlc, origin, seq", (rep.plan_id,)):
        try:
            doc = json.loads(value)
        except (TypeError, ValueError):
            continue
        if isinstance(doc, dict):
            out.append((hlc, doc))
    rep.cache["plan_history"] = (stamp, out)
    return out


#: What an amendment added (``plan_additions``): key → (the semester HQ installed the
#: version in, that version's number).
Additions = dict[Any, tuple["Period", int]]


def plan_additions(rep: Replica, plan: Plan, *, installing: bool = False
                   ) -> tuple[Additions, Additions]:
    """What amendments added to ``plan`` (``Plan.added``, ``Plan.added_values``): its
    actions by code, and its indicators of actions that had come before them by
    (code, key), each with the semester HQ installed the first plan version that had
    it in, and that version's number. An action moved to another level is new to that
    level's offices.

    The oldest plan version held is the plan as first installed: its actions are due
    from the plan's start, however late HQ set fieldplan up. So is what a version
    brings while the plan it replaces is still illustrative (the signed plan's text
    installed over the built-in template, or its last placeholders filled in: a
    correction, not an amendment), and what a version installed after the last day of
    the plan it makes brings (only a correction can still change a finished plan).
    An action (or indicator) is dated by the first version that had it: one dropped
    and brought back later is due in the periods between too (a single first period
    cannot leave a gap, and its periods before the drop were due).

    Read from the plan versions every computer holds (HQ's plan events travel to each
    office from its first), so HQ and offices count the same reports as due.
    ``installing``: ``plan`` is not installed yet, but would be today (what it adds
    is said before it is installed: ``PlanChange.due_from``)."""
    from fieldplan.periods import period_for_date, plan_periods
    from fieldplan.plan import plan_to_dict

    rows = plan_history(rep)
    if installing:  # (as stored: through JSON)
        rows = [*rows, (events.wall_ms() << 16, json.loads(json.dumps(plan_to_dict(plan))))]

    seen: set[tuple[str, str]] | None = None
    seen_values: set[tuple[str, str]] = set()
    correcting = False  # the version before is illustrative
    added: Additions = {}
    added_values: Additions = {}
    for hlc, doc in rows:
        try:
            head = doc["plan"]
            version = head["version"]
            start, end = dt.date.fromisoformat(head["start"]), dt.date.fromisoformat(head["end"])
            periods = plan_periods(start, end)
        except (TypeError, ValueError, KeyError, ValidationError):
            continue  # (not a plan document this version reads)
        pairs, values = set(), set()
        for a in actions_of(doc):
            code = str(a.get("code", "")).upper()
            pairs.add((code, str(a.get("level", ""))))
            indicators = a.get("indicators")
            values |= {(code, str(i.get("key", ""))) for i in (
                indicators if isinstance(indicators, list) else ()) if isinstance(i, dict)}
        day = events.hlc_to_datetime(hlc).date()  # (an int64: a year before 6500)
        # (the plan's period of that day: a short last semester is folded into the one
        # before; a day before the plan's start adds nothing late)
        period = period_for_date(day, periods, start, end)
        if seen is not None and not correcting and period is not None:
            when = (period, version if type(version) is int else 0)
            added.update(dict.fromkeys(pairs - seen, when))
            had = {code for code, _level in seen}
            added_values.update(dict.fromkeys(
                (v for v in values - seen_values if v[0] in had), when))
        seen = (seen or set()) | pairs
        seen_values |= values
        correcting = bool(head.get("illustrative"))
    first = plan.periods()[0]
    out: Additions = {}
    out_values: Additions = {}
    for a in plan.actions:
        found = added.get((a.code.upper(), a.level))
        if found is not None and found[0] > first:
            out[a.code] = found
        for ind in a.indicators:
            found = added_values.get((a.code.upper(), ind.key))
            if found is not None and found[0] > first:
                out_values[(a.code, ind.key)] = found
    return out, out_values


def plan_moves(rep: Replica, plan: Plan) -> dict[tuple[str, str], str]:
    """Where the indicators amendments moved to another action are in ``plan``
    (``Plan.moved_values``): (the action it was in, its key) → the action of ``plan``
    that has it now, for each one the action it was in (still in ``plan``) no longer
    has. A move is what ``PlanDiff.indicators_moved`` says between two versions held
    one after the other (the same key and English title, taken from one action both
    have and put in one other); moves one after another are followed to the last.
    Read from the plan versions every computer holds, so that a value typed for an
    indicator before the amendment that moved it goes with it (the client's drafts),
    at an office as at headquarters."""
    from fieldplan.plan_diff import seen_text

    def indicators(doc: dict[str, Any]) -> dict[str, dict[str, str]] | None:
        """action (upper case) → {key: English title} of a version, None if unread."""
        out: dict[str, dict[str, str]] = {}
        for a in actions_of(doc):
            inds = a.get("indicators")
            out[str(a.get("code", "")).upper()] = {
                str(i.get("key", "")): seen_text(str(t.get("en", "")) if isinstance(
                    t := i.get("title"), dict) else str(t or ""))
                for i in (inds if isinstance(inds, list) else ()) if isinstance(i, dict)}
        return out or None

    moves: list[tuple[str, str, str]] = []  # (key, from, to), oldest first
    before = None
    for _hlc, doc in plan_history(rep):
        now = indicators(doc)
        if now is None:
            continue
        if before is not None:
            gone: dict[tuple[str, str], list[str]] = {}
            came: dict[tuple[str, str], list[str]] = {}
            for code, inds in now.items():
                was = before.get(code)
                if was is None:
                    continue
                for key, title in was.items():
                    if key not in inds:
                        gone.setdefault((key, title), []).append(code)
                for key, title in inds.items():
                    if key not in was:
                        came.setdefault((key, title), []).append(code)
            moves += [(key, froms[0], tos[0]) for (key, title), tos in came.items()
                      if len(tos) == 1 and len(froms := gone.get((key, title), [])) == 1]
        before = now
    if not moves:
        return {}
    codes = {a.code.upper(): a for a in plan.actions}
    out: dict[tuple[str, str], str] = {}
    for key, first, _to in moves:
        if (first, key) in out or first not in codes:
            continue
        where = first
        for moved_key, source, to in moves:
            if moved_key == key and source == where:
                where = to
        action = codes.get(where)
        if (where != first and action is not None
                and any(i.key == key for i in action.indicators)
                and all(i.key != key for i in codes[first].indicators)):
            out[(codes[first].code, key)] = action.code
    return out


def actions_of(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The action dicts of a plan version's dict."""
    actions = doc.get("actions")
    for action in actions if isinstance(actions, list) else ():
        if isinstance(action, dict):
            yield action


def removed_action_error(rep: Replica, code: str) -> ValidationError | None:
    """The refusal of a write on ``code`` when the plan no longer has it but an earlier
    plan version had (an amendment dropped it): it says so, and that the reports on it
    are kept, hidden (plain "unknown action" read as a typing mistake). None when no
    plan version had it."""
    wanted = str(code).strip().upper()
    for doc in plan_documents(rep):
        if any(str(a.get("code", "")).upper() == wanted for a in actions_of(doc)):
            return ValidationError(_(
                "plan version {version} no longer has action {code}; its reports are kept "
                "but hidden").format(version=rep.plan().version, code=wanted))
    return None


def hidden_drafts(rep: Replica, period: str) -> tuple[str, ...]:
    """The actions of this office's draft reports of ``period`` that the plan hides
    (PlanScope): kept, but not submitted with the period (``progress.submit_period``)."""
    scope = PlanScope(rep.plan())
    return tuple(action for (action,) in rep.conn.execute(
        "SELECT action FROM progress WHERE office = ? AND period = ? AND state = 'draft' "
        "ORDER BY action", (rep.office, str(period)))
        if not scope.shows(rep.office, action, period))


class PlanHidesReportsError(ValidationError):
    """A new plan would hide reports already held; ``hidden`` says which."""

    def __init__(self, message: str, hidden: Hidden) -> None:
        super().__init__(message)
        self.hidden = hidden


def _names(items: tuple[str, ...], shown: int | None = SHOWN_NAMES) -> str:
    if shown is None or len(items) <= shown:
        return join_list(items)
    more = len(items) - shown
    return counted("{names} and {count} more", "{names} and {count} more", more,
                   names=join_list(items[:shown]))


def hidden_by(rep: Replica, plan: Plan, *, shown_by: Plan | None = None,
              office: str | None = None) -> Hidden:
    """What of the reports held here (of ``office`` when given) ``plan`` would not show
    (see PlanScope); with ``shown_by``, only what that plan shows: what an amendment
    newly hides."""
    scope = PlanScope(plan)
    before = PlanScope(shown_by) if shown_by is not None else None
    actions: set[str] = set()
    periods: set[str] = set()
    levels: set[str] = set()
    values: set[str] = set()
    sql, params = "SELECT office, action, period, vals FROM progress", []
    if office is not None:
        sql, params = sql + " WHERE office = ?", [office]
    for who, action, period, vals in rep.conn.execute(sql, params):
        if before is not None and before.why_hidden(who, action, period):
            continue  # hidden already (an earlier amendment, allowed then): not asked again
        why = scope.why_hidden(who, action, period)
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


def read_plan_file(path: Path) -> Plan:
    """Read a plan file to install (``replace_plan``'s first step): texts without
    control characters or bidi controls, titles of one line (plan.MAX_TITLE_CHARS),
    and no larger than a plan that can travel to the offices. PlanError naming the
    file otherwise. No database: the client reads a large file
    on a thread of its own."""
    from fieldplan.plan import check_plan_size, load_plan

    new = load_plan(path, clean=True, strict=True)
    # a plan too large for a bundle, once installed, would stop every export for good
    check_plan_size(new, path.name)
    return new


def write_plan_file(plan: Plan, path: Path) -> None:
    """Save ``plan`` as ``fieldplan plan export`` does: TOML, JSON, CSV or XLSX by the name's
    ending, whole or not at all, never over a database, a key or a backup
    (fieldplan.files.atomic_output); PlanError or FileError naming the file."""
    from fieldplan.plan import clean_plan, dump_plan

    # a plan installed before imports cleaned texts may hold control characters
    dump_plan(clean_plan(plan), path)


@dataclass(frozen=True)
class PlanChange:
    """What installing a plan would do, found without writing (``preview_plan``).

    plan: the new plan. installed: the plan installed now. unchanged: ``plan`` is the
    installed plan already (same version and content): installing it does nothing.
    hidden: what of the reports held it would newly hide (``hidden_by`` with
    ``shown_by``): installing it needs ``allow_hiding``. reports: how many reports
    it would newly hide (``hidden_reports``; values of indicators are in ``hidden``).
    diff: what it changes of the installed plan's areas, actions, indicators and dates
    (plan_diff.diff_plans). untranslated: codes of its areas, actions and indicators
    whose title lacks its French or Arabic text (plan_diff.untranslated).
    """

    plan: Plan
    installed: Plan
    unchanged: bool = False
    hidden: Hidden = Hidden()
    reports: int = 0
    diff: PlanDiff = field(default_factory=PlanDiff)
    untranslated: tuple[str, ...] = ()
    #: its counting indicators' targets below zero (plan_diff.targets_below_zero)
    below_zero: tuple[str, ...] = ()
    #: its targets of counts with a fraction (plan_diff.targets_not_whole)
    not_whole: tuple[str, ...] = ()
    #: its indicators counted plainly or in percent that word their unit in French or
    #: Arabic, a word never shown (plan_diff.unused_unit_words)
    unused_unit_words: tuple[str, ...] = ()
    #: the period from which the reports on the actions it adds (and the values of
    #: the indicators it adds) are due, none being asked before ("" when it adds none,
    #: or is a correction, due from the start: ``plan_additions``)
    due_from: str = ""
    #: the offices whose fieldplan reads only bundle formats before the one a plan
    #: that words units in French or Arabic needs (``formats.words_units``): they must
    #: be updated to receive it (for a plan that words none, those still to receive
    #: an earlier version that does, which travels before it)
    to_update: tuple[str, ...] = ()
    #: its indicators (``ACTION/KEY``) whose unit it changes (the English one, what
    #: is counted) while values are recorded for them: those values, typed as the old
    #: unit, would read as the new one (``values_in_changed_units``)
    units_over_values: tuple[str, ...] = ()

    def units_over_values_text(self) -> str:
        """``units_over_values`` in a sentence ("" when there is none)."""
        if not self.units_over_values:
            return ""
        # Translators: {items} lists indicators as ACTION/KEY ("PA4.1/people-assisted")
        return counted(
            "{count} indicator whose unit this version changes has values recorded "
            "already, which will then read in the new unit: check that they still "
            "hold, or keep the unit and add a new indicator: {items}",
            "{count} indicators whose units this version changes have values recorded "
            "already, which will then read in the new units: check that they still "
            "hold, or keep the units and add new indicators: {items}",
            len(self.units_over_values), items=join_list(self.units_over_values))

    def to_update_text(self) -> str:
        """``to_update`` in a sentence ("" when there is none)."""
        if not self.to_update:
            return ""
        # Translators: {offices} lists office codes ("ML, SN"); bundle format: the
        # version of the file layout headquarters sends them
        return counted(
            "{count} office runs a fieldplan that cannot read units in French or "
            "Arabic ({offices}): it must be updated to receive this plan",
            "{count} offices run a fieldplan that cannot read units in French or "
            "Arabic ({offices}): they must be updated to receive this plan",
            len(self.to_update), offices=join_list(self.to_update))

    def due_text(self) -> str:
        """``due_from`` in a sentence ("" when there is none)."""
        from fieldplan.i18n import format_period

        if not self.due_from:
            return ""
        # Translators: {period} is a semester in words ("2nd semester 2026")
        return _("Reports on what it adds are due from {period} (this semester): none "
                 "are asked for earlier periods").format(period=format_period(self.due_from))


def preview_plan(rep: Replica, new: Plan, source: str) -> PlanChange:
    """What installing ``new`` (read from the file named ``source``) would change,
    with the checks ``install_plan`` makes, writing nothing: ValidationError for a
    replica that is not headquarters, another plan's id or a version that is not
    above the installed one. What it would hide is said, not refused."""
    from fieldplan.plan import clean_plan, plan_to_dict

    check_hq(rep)
    old = rep.plan()
    # as 'plan export' writes it: an older import may have kept control characters
    installed = clean_plan(old)
    if new.version == installed.version and plan_to_dict(new) == plan_to_dict(installed):
        # the file exported from this database, imported again: nothing to do
        return PlanChange(new, old, unchanged=True, untranslated=untranslated(new),
                          below_zero=targets_below_zero(new), not_whole=targets_not_whole(new),
                          unused_unit_words=unused_unit_words(new))
    hidden = _check(rep, new, for_terminal(source))
    added, added_values = plan_additions(rep, new, installing=True)
    due = {str(period) for period, version in (*added.values(), *added_values.values())
           if version == new.version}
    diff = diff_plans(old, new)
    return PlanChange(new, old, hidden=hidden,
                      reports=hidden_reports(rep, new, shown_by=old) if hidden else 0,
                      diff=diff, untranslated=untranslated(new),
                      below_zero=targets_below_zero(new), not_whole=targets_not_whole(new),
                      unused_unit_words=unused_unit_words(new),
                      due_from=min(due, default=""), to_update=_to_update(rep, new),
                      units_over_values=values_in_changed_units(rep, diff))


def values_in_changed_units(rep: Replica, diff: PlanDiff) -> tuple[str, ...]:
    """The indicators (``ACTION/KEY``, in ``diff``'s order) whose English unit ``diff``
    changes (people to households: what is counted, not its word in French or Arabic)
    that have a value recorded in a report held here: figures an office typed as the
    old unit, which every screen and sheet would then show as the new one."""
    changed = list(dict.fromkeys(c.code for c in diff.units if not c.lang))
    if not changed:
        return ()
    wanted = set(changed)
    found: set[str] = set()
    for action, vals in rep.conn.execute("SELECT action, vals FROM progress"):
        try:
            recorded = json.loads(vals)
        except (TypeError, ValueError):
            continue
        if isinstance(recorded, dict):
            found.update(name for key, value in recorded.items()
                         if value is not None and (name := f"{action}/{key}") in wanted)
    return tuple(name for name in changed if name in found)


def _to_update(rep: Replica, new: Plan) -> tuple[str, ...]:
    """``PlanChange.to_update`` of installing ``new``: the offices reading only formats
    before UNIT_WORDS_SINCE, all of them for a plan that words units, else those whose
    next bundle still carries a plan version that does (installed here, not yet
    acknowledged by them: the events of the log travel in order, and ``new`` reaches
    them only after it)."""
    from fieldplan import bundle as bundlefmt
    from fieldplan.plan import plan_to_dict
    from fieldplan.sync import formats
    from fieldplan.sync.export import _peers, pending_format

    heard = formats.offices_reading_before(rep, bundlefmt.UNIT_WORDS_SINCE)
    if not heard:
        return ()
    # of the computers an export is for: not one lost or replaced since (its key
    # revoked, a restored database's successor), which the export no longer reads for
    readers = formats.offices_reading_before(
        rep, bundlefmt.UNIT_WORDS_SINCE,
        {replica for office in heard for replica in _peers(rep, office)})
    if not readers or formats.words_units(plan_to_dict(new)):
        return readers
    # (the plan's record read once: no version of it worded units, the usual case,
    # and no office's next bundle is looked at)
    origins = [(origin, 0) for (origin,) in rep.conn.execute(
        "SELECT DISTINCT origin FROM events WHERE entity = 'plan'")]
    if formats.needed_format(rep, origins) < bundlefmt.UNIT_WORDS_SINCE:
        return ()
    return tuple(office for office in readers
                 if pending_format(rep, office) >= bundlefmt.UNIT_WORDS_SINCE)


def check_hq(rep: Replica) -> None:
    """ValidationError unless ``rep`` is headquarters: only HQ replaces the plan."""
    if not rep.is_hq:
        raise ValidationError(_("only headquarters can replace the plan"))


def preview_plan_file(rep: Replica, path: Path) -> PlanChange:
    """``plan import --dry-run``: read and check the plan file at ``path`` as
    ``replace_plan`` does, and say what installing it would change (``preview_plan``),
    writing nothing."""
    check_hq(rep)  # before the file is read: an office has nothing to read it for
    return preview_plan(rep, read_plan_file(path), path.name)


def change_result(rep: Replica, change: PlanChange) -> dict[str, Any]:
    """``preview_plan``'s answer in ``replace_plan``'s shape (what ``--json`` prints
    for a dry run): nothing installed, so ``backup`` is None; ``reports_hidden`` and
    ``needs_allow_hiding`` say what the import would ask."""
    new = change.plan
    result = _result(new, hidden_by(rep, new), change.hidden, backup=None,
                     unchanged=change.unchanged, change=change)
    result.update(dry_run=True, reports_hidden=change.reports,
                  needs_allow_hiding=bool(change.hidden))
    return result


def _check(rep: Replica, new: Plan, name: str) -> Hidden:
    """The installed plan may be replaced by ``new`` (same id, higher version, no
    action of more indicators than its reports can hold): what it would newly hide;
    ValidationError (PlanError for the indicators) otherwise."""
    from fieldplan.plan import check_indicator_counts
    from fieldplan.text import for_message

    # (read_plan_file checked a file's already: a plan made otherwise is held to it too)
    check_indicator_counts(new, name)
    old = rep.plan()
    if new.id != old.id:
        # (a file's id may be thousands of characters long: the message stays one short line)
        raise ValidationError(_("{file} is plan '{plan}'; this database holds '{held}'")
                              .format(file=ltr(name), plan=for_message(new.id), held=old.id))
    if new.version <= old.version:
        raise ValidationError(
            _("{file} has version {version}; an amendment needs a version above {held}")
            .format(file=ltr(name), version=new.version, held=old.version))
    if new.version > old.version + MAX_VERSION_STEP:
        # a version typed with a digit too many: every later amendment must go above it
        raise ValidationError(
            _("{file} has version {version}; versions go up by one with each amendment: "
              "the next is {next} (the installed plan is version {held})")
            .format(file=ltr(name), version=new.version, next=old.version + 1, held=old.version))
    # what is hidden already (an earlier amendment, allowed then) is not asked again
    return hidden_by(rep, new, shown_by=old)


def _refuse_hiding(hidden: Hidden, name: str, allow_hiding: bool) -> None:
    if hidden and not allow_hiding:
        raise PlanHidesReportsError(
            _("{file} would hide what offices reported: {hidden}; nothing was changed")
            .format(file=ltr(name), hidden=hidden.describe()), hidden)


def install_plan(rep: Replica, new: Plan, source: str, *,
                 allow_hiding: bool = False) -> dict[str, Any]:
    """Install ``new``, read from the file named ``source`` (``read_plan_file``), at
    headquarters: ``replace_plan`` for a plan read already (the one the person was
    shown by ``preview_plan``)."""
    from fieldplan.plan import plan_to_dict
    from fieldplan.sync.state import over_lost

    name = for_terminal(source)
    change = preview_plan(rep, new, source)
    if change.unchanged:
        return {**_result(new, hidden_by(rep, new), Hidden(), backup=None,
                          unchanged=True, change=change), "reports_hidden": 0}
    _refuse_hiding(change.hidden, name, allow_hiding)
    # a failed backup (BackupError, one line naming the folder) stops here: nothing written
    with rep.backup_before("before-plan-import") as backup, \
            store.write_transaction(rep.conn):
        # again: another fieldplan may have written meanwhile
        newly_hidden = _check(rep, new, name)
        _refuse_hiding(newly_hidden, name, allow_hiding)
        # how many reports it hides, as the dry run and the client's question count
        # them (the import said which, never how many)
        reports = (hidden_reports(rep, new, shown_by=rep.plan()) if newly_hidden
                   else 0)
        # (restored) over a plan installed after the backup, which offices hold
        events.append(rep.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author=rep.author, base=over_lost(rep, "plan", new.id, ("document",)))
    result = _result(new, hidden_by(rep, new), newly_hidden, backup=str(backup),
                     unchanged=False, change=change)
    result["reports_hidden"] = reports
    return result


def replace_plan(rep: Replica, path: Path, *, allow_hiding: bool = False) -> dict[str, Any]:
    """Load, validate and install a plan file at headquarters. The plan id must stay
    the same and the version must go up (amendments bump it). Texts are stored without
    control characters.

    A plan that would hide reports the current plan shows (see ``hidden_by``) raises
    PlanHidesReportsError, unless ``allow_hiding``: ask the person first
    (``preview_plan`` says what it would hide). The database is backed up before the
    plan is written; if the backup fails, nothing is written. The plan installed
    already, same version and content, is left as it is: the result says
    ``unchanged`` (and its ``backup`` is None).
    """
    check_hq(rep)  # before the file is read: an office has nothing to read it for
    return install_plan(rep, read_plan_file(path), path.name, allow_hiding=allow_hiding)


def _result(new: Plan, hidden: Hidden, newly_hidden: Hidden, *, backup: str | None,
            unchanged: bool, change: PlanChange) -> dict[str, Any]:
    """What ``replace_plan`` returns (see there); ``changes``: what the new plan
    changes of the one it replaced (PlanDiff.as_dict), ``untranslated``: its codes
    whose title lacks its French or Arabic text, ``offices_to_update``: those that
    must update fieldplan to receive it (``PlanChange.to_update``),
    ``unused_unit_words``: its indicators counted plainly or in percent whose French or
    Arabic word for the unit is never shown (``PlanChange.unused_unit_words``)."""
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
            "changes": change.diff.as_dict(),
            "untranslated": list(change.untranslated),
            "targets_below_zero": list(change.below_zero),
            "targets_not_whole": list(change.not_whole),
            "due_from": change.due_from or None,
            "offices_to_update": list(change.to_update),
            "backup": backup,
            # (added after the keys above)
            "unused_unit_words": list(change.unused_unit_words),
            "units_over_values": list(change.units_over_values)}
