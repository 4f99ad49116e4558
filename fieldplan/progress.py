"""Recording progress: one report per (office, action, period), validated, written as
an event in the same transaction as the merged state."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, format_number, join_list, period_words
from fieldplan.model import (
    COUNT_UNITS,
    NARRATIVE_FIELDS,
    STATUSES,
    WHOLE_UNITS,
    ProgressReport,
)
from fieldplan.numbers import MAX_INDICATOR_VALUE
from fieldplan.periods import as_period
from fieldplan.replica import Changes, Replica
from fieldplan.text import clean_text

if TYPE_CHECKING:
    from fieldplan.plan import Action, Indicator, Plan

#: Longest narrative accepted in one field (characters).
MAX_TEXT = 20_000

#: Integral indicator values up to this size are stored as integers; larger ones stay
#: floats (JSON readers lose precision on integers beyond 2**53).
MAX_EXACT_INT = 2**53


class StatusNeededError(ValidationError):
    """A new report gives progress (percent above 0) but no status; see
    record_progress's ``require_status``. percent: the percent given."""

    def __init__(self, message: str, percent: int) -> None:
        super().__init__(message)
        self.percent = percent


class TextTooLongError(ValidationError):
    """A narrative is longer than MAX_TEXT. field: its name (``achievements``...);
    length: its length in characters; limit: MAX_TEXT."""

    def __init__(self, message: str, field: str, length: int, limit: int) -> None:
        super().__init__(message)
        self.field = field
        self.length = length
        self.limit = limit


class SubmittedReportError(ValidationError):
    """A change to a submitted report, refused until it is reopened (a save, keeping a
    value of a conflict in it). action, period: the report's (``PA1.1``, ``2026-S1``),
    for the command line to name the command that reopens it."""

    def __init__(self, message: str, action: str, period: str) -> None:
        super().__init__(message)
        self.action = action
        self.period = period


def submitted_text(action: str, period: str, way: str = "") -> str:
    """Why a submitted report is not changed: reopen it first. ``way``: how to reopen
    it, a command (``fieldplan progress reopen PA1.1 --period 2026-S1``), said after;
    "" where the report's own Reopen button is beside the words (the client)."""
    if way:
        # Translators: {way} is a command, not to be translated (fieldplan progress
        # reopen PA1.1 --period 2026-S1), quoted as other commands are
        return _("the report on {code} for {period} is submitted; reopen it before "
                 "editing: '{way}'").format(code=action, period=period_words(period), way=way)
    return _("the report on {code} for {period} is submitted; reopen it before editing"
             ).format(code=action, period=period_words(period))


def report_id(office: str, action: str, period: str) -> str:
    """The event entity id of a report: ``OFFICE|ACTION|PERIOD``."""
    return f"{office}|{action}|{period}"


def _check_period(rep: Replica, period: str, plan=None) -> str:
    return str((plan or rep.plan()).check_period(period))


def _listed_period(rep: Replica, period: str) -> str:
    """A period to list reports of: the plan's, or one it hides that reports are held
    for (see list_reports)."""
    wanted = str(as_period(period))  # a malformed period is refused as such
    plan = rep.plan()
    if as_period(wanted) not in plan.periods() and rep.conn.execute(
            "SELECT 1 FROM progress WHERE period = ? LIMIT 1", (wanted,)).fetchone():
        return wanted
    return _check_period(rep, wanted, plan)


def held_periods(rep: Replica) -> list[str]:
    """The periods reports are held for, in time order: the plan's that have reports,
    and the ones outside its dates that ``list_reports`` takes all the same (an
    amendment that moved the plan's dates hides them). A value that is no period
    (older data) is left out: no period names it."""
    found = set()
    for (period,) in rep.conn.execute("SELECT DISTINCT period FROM progress"):
        try:
            found.add(as_period(period))
        except ValidationError:
            continue
    return [str(p) for p in sorted(found)]


def is_locked(rep: Replica, period: str) -> bool:
    """Whether headquarters has locked this period after its review."""
    return bool(events.entity_state(rep.conn, "lock", str(as_period(period))).get("locked"))


def locked_periods(rep: Replica) -> list[str]:
    return sorted(p for p, f in events.entities_of(rep.conn, "lock").items() if f.get("locked"))


def refuse_if_locked(rep: Replica, period: str) -> None:
    """Refuse (ValidationError) a change to this replica's reports of a period
    headquarters has locked: the one check of every writer of reports (a save,
    submit, reopen, a conflict's resolution). Call it inside the write transaction.
    The message says who can unlock: headquarters (itself, at HQ)."""
    if not is_locked(rep, period):
        return
    from fieldplan.i18n import format_period

    if rep.is_hq:
        # Translators: {period} is a semester in words ("2nd semester 2026")
        message = _("{period} is locked; unlock it to change its reports")
    else:
        # Translators: {period} is a semester in words ("2nd semester 2026")
        message = _("{period} is locked by headquarters; only headquarters can unlock it")
    # in words, as every screen says a period ("la période 2026-S2" read as a code)
    raise ValidationError(message.format(period=format_period(str(as_period(period)))))


@dataclass(frozen=True)
class ChangedAfterLock:
    """A report of a locked period changed after headquarters locked the period (see
    ``changed_after_lock``).

    office, action, period: the report. changes: how many of its events came after
    the lock. last_at: when the last of them was made (its writer's clock, ISO UTC, no
    later than its arrival here, and its arrival when its clock is before the plan's
    start: ``events.shown_time``).
    last_by: who made it. state: the report's state now (``draft`` or ``submitted``).
    received_at: when the last of them arrived here (ISO UTC; "" when not known). An
    event written before the lock and brought after it is named too: its ``last_at``
    is before the lock, its ``received_at`` after.
    """

    office: str
    action: str
    period: str
    changes: int
    last_at: str
    last_by: str
    state: str
    #: (this replica's own arrival: not compared, the same change is named alike on
    #: every replica, which each received when it did)
    received_at: str = field(default="", compare=False)
    #: the current plan hides the report (``planops.PlanScope``): a draft of it stays
    #: one for good, whatever headquarters does with the lock
    hidden: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"office": self.office, "action": self.action, "period": self.period,
                "changes": self.changes, "last_at": self.last_at, "last_by": self.last_by,
                "state": self.state, "received_at": self.received_at,
                "hidden": self.hidden}


#: meta key prefix, with a period: the last inbox line (import) this replica had when
#: it wrote that period's lock (``set_period_lock``): what it held when it locked
LOCK_INBOX = "lock_inbox:"


@dataclass(frozen=True)
class LockMark:
    """How this replica held a period's lock (the version ``is_locked`` reads), to tell
    the changes the lock did not cover (``missed``).

    hlc: the clock value by which it held the lock (``events.held_hlc``). inbox: the
    last import (inbox line id) it had merged when it held the lock: the import that
    brought the lock, or, for a lock written here, the latest one then; an event of a
    later import arrived after the lock. None: not known. at: when the lock was
    written, to show (ISO UTC, ``events.shown_time``: its arrival when its clock is
    before the plan's start); "" when not known.
    """

    hlc: int
    inbox: int | None = None
    at: str = ""
    #: the lock event's writer and number: its writer's own events are ordered by
    #: their numbers, whatever its clock did ("" when not known)
    origin: str = ""
    seq: int = 0

    def missed(self, hlc: int, received_at: str | None, inbox_id: int | None,
               origin: str = "", seq: int = 0) -> bool:
        """Whether a progress event of the locked period (its clock value, arrival here
        and import) is a change the lock did not cover: held later on the clock than
        the lock (``events.held_hlc``), or brought by an import after the lock, whatever
        its clock says. The arrival is what a wrong clock cannot hide: a laptop whose
        clock is behind writes after the lock with a clock value before it (``tick``
        follows the last value it received from headquarters), and headquarters'
        clock, years ahead when it locked and put right since, makes the lock later
        than every change. An event held here before the lock, or brought again by a
        duplicate (not stored twice), keeps the import that first brought it.
        An event of the lock's own writer (``origin``, ``seq``) is judged by its number
        alone: written before the lock or after it, whatever the clock said (HQ's own
        report, written before a lock made while its clock was behind, was named)."""
        if origin and origin == self.origin:
            return seq > self.seq
        if events.held_hlc(hlc, received_at) > self.hlc:
            return True
        return inbox_id is not None and self.inbox is not None and inbox_id > self.inbox


def lock_clocks(rep: Replica) -> dict[str, LockMark]:
    """The locked periods, each with how this replica held the lock it shows (its
    winning version, as ``is_locked`` reads it): see LockMark."""
    locks: dict[str, LockMark] = {}
    earliest = 0
    for entity_id, value, hlc, received_at, inbox_id, mark, origin, seq in rep.conn.execute(
        """
        SELECT w.entity_id, value, w.hlc, e.received_at, e.inbox_id, (
            SELECT m.value FROM meta m WHERE m.key = ? || w.entity_id), w.origin, w.seq
        FROM (
            SELECT entity_id, value, hlc, origin, seq, row_number() OVER (
                PARTITION BY entity_id ORDER BY hlc DESC, origin DESC, seq DESC) AS rn
            FROM versions INDEXED BY versions_heads
            WHERE entity = 'lock' AND field = 'locked' AND superseded = 0) AS w
        LEFT JOIN events e ON e.origin = w.origin AND e.seq = w.seq
        WHERE rn = 1
        """, (LOCK_INBOX,)
    ):
        if json.loads(value) is not True:
            continue
        if not earliest:
            earliest = events.plan_start_hlc(rep.plan().start)
        if inbox_id is None and mark is not None:
            # written here: the import before it (for a lock written before these
            # marks were kept, the last import before the upgrade: schema 0006)
            inbox_id = int(mark)
        locks[entity_id] = LockMark(events.held_hlc(hlc, received_at), inbox_id,
                                    events.shown_time(hlc, received_at, earliest), origin, seq)
    return locks


def changed_after_lock(rep: Replica, period: str | None = None,
                       office: str | None = None, locks: dict[str, LockMark] | None = None,
                       ) -> dict[str, tuple[ChangedAfterLock, ...]]:
    """Per locked period (only those with any), the reports changed after the lock,
    ordered by office and action; only ``period``'s or ``office``'s when given.
    ``locks``: ``lock_clocks`` read already.

    The merge takes such changes as any other (every replica merges the same events
    the same way); this only says which they are. The rule (``LockMark.missed``, the
    one the import line and the review pack use too): a progress event of the period
    held later on the clock than the lock, or brought by an import after the lock.
    The lock's clock is greater than that of every event its writer held when locking
    (``events.tick`` follows every value received), so an event held later on the
    clock is one the lock did not cover; ``events.held_hlc`` takes the arrival when it
    came first, which keeps a laptop whose clock is years ahead from naming a report
    headquarters had before the lock. An event brought after the lock is named
    whatever its clock: headquarters had not reviewed it when it locked, and a clock
    behind (the office laptop's, or headquarters' own at the lock, years ahead then
    put right) would otherwise hide a change made after it. Every replica holding the
    same events names the same reports where they arrived in the same order relative
    to the lock (an office receives the lock and everything headquarters then held in
    one bundle); at headquarters the arrival is its own, elsewhere that of the replica
    asking."""
    wanted = str(as_period(period)) if period else None
    locks = {p: mark for p, mark in (lock_clocks(rep) if locks is None else locks).items()
             if wanted in (None, p)}
    if not locks:
        return {}
    found: dict[tuple[str, str, str], list] = {}
    # one pass over the progress events of the locked periods later than the earliest
    # lock or brought by a later import (few: recent ones; an event held later than a
    # lock has a clock value later than it too). Those of periods not locked are left
    # in the database: a year of typing after a lock (100,000 events at a 57-office
    # headquarters) was read, bodies and all, at every save and import
    periods = sorted(locks)
    earliest = events.plan_start_hlc(rep.plan().start)
    for entity_id, hlc, received_at, inbox_id, body, origin, seq in rep.conn.execute(
            "SELECT entity_id, hlc, received_at, inbox_id, body, origin, seq FROM events "
            "WHERE entity = 'progress' AND (hlc > ? OR inbox_id > ?) AND ("
            + " OR ".join(["entity_id LIKE ?"] * len(periods)) + ") ORDER BY entity_id, hlc",
            (min(m.hlc for m in locks.values()),
             min((m.inbox for m in locks.values() if m.inbox is not None),
                 default=2**62),
             *(f"%|{p}" for p in periods))):
        parts = entity_id.split("|")
        if len(parts) != 3:
            continue
        who, action, when = parts
        if when not in locks or (office and who != office) or not locks[when].missed(
                hlc, received_at, inbox_id, origin, seq):
            continue
        held = events.held_hlc(hlc, received_at)
        seen = found.setdefault((when, who, action), [0, (0, 0), "", "", ""])
        seen[0] += 1
        seen[4] = max(seen[4], received_at or "")
        if (held, hlc) >= seen[1]:
            seen[1:4] = [(held, hlc), events.shown_time(hlc, received_at, earliest),
                         json.loads(body).get("author", "")]
    # their states in one query, not one a report (the data export asks for them all)
    states = {(p, o, a): state for p, o, a, state in rep.conn.execute(
        "SELECT p.period, p.office, p.action, p.state FROM json_each(?) AS k "
        "JOIN progress p ON p.office = json_extract(k.value, '$[1]') "
        "AND p.action = json_extract(k.value, '$[2]') "
        "AND p.period = json_extract(k.value, '$[0]')", (json.dumps(list(found)),))}
    from fieldplan.planops import PlanScope

    scope = PlanScope(rep.plan())
    out: dict[str, list[ChangedAfterLock]] = {}
    for key in sorted(found):
        count, _held, last_at, author, received = found[key]
        out.setdefault(key[0], []).append(ChangedAfterLock(
            office=key[1], action=key[2], period=key[0], changes=count,
            last_at=last_at, last_by=author, state=states.get(key, "draft"),
            received_at=received, hidden=not scope.shows(key[1], key[2], key[0])))
    return {p: tuple(changes) for p, changes in sorted(out.items())}


def get_report(rep: Replica, action: str, period: str,
               office: str | None = None) -> ProgressReport | None:
    """The merged report, or None if nobody has written it."""
    rows = _select(rep, "WHERE office = ? AND action = ? AND period = ?",
                   (office or rep.office, action, str(as_period(period))))
    return rows[0] if rows else None


def record_progress(
    rep: Replica,
    action: str,
    period: str,
    *,
    status: str | None = None,
    percent: int | None = None,
    values: Mapping[str, float | None] | None = None,
    achievements: str | None = None,
    challenges: str | None = None,
    next_steps: str | None = None,
    clear_percent: bool = False,
    require_status: bool = False,
    base: Mapping[str, Sequence[str] | None] | None = None,
) -> Changes:
    """Record or update this office's report on an action for a period.

    Only the fields given change; a field set to its current value writes nothing.
    A field's new value replaces the value the report shows, unless ``base`` names
    (field → version ids, see ``report_versions``; ``[]``: none) the versions it was
    typed over — a draft kept since. Then a value already written over those versions
    (the draft was saved before) is left out, and a value written over versions that
    were replaced since is a conflict with what replaced them (both kept until a person
    chooses): never a silent overwrite of newer data (``check_base`` tells which).
    Replacing the value shown replaces every version holding it (two laptops that
    wrote the same value), never one holding another value (an open conflict).
    A field's base None: the versions typed over are not known (a draft kept before
    drafts recorded them); a value the field shows is left out, one it held once and
    no longer shows is a conflict with what it shows (it may be a save replaced since,
    or typing back to an older value: both kept), any other replaces what it shows.
    Narratives are stored without control characters (newline and tab stay; line ends
    become ``\\n``). A new report given no status starts as not started; with
    ``require_status``, a new report with a percent above 0 and no status is refused
    (StatusNeededError) rather than recorded as "not started, 30%".

    Raises ValidationError for an unknown action, a period outside the plan, an
    action of another level than this office's, a percent outside 0–100, a locked
    period, or a submitted report (reopen it first).
    """
    from fieldplan.i18n import field_label
    from fieldplan.offices import level_for_office

    plan = rep.plan()
    act = _plan_action(rep, plan, action)
    period = _check_period(rep, period, plan)
    office = rep.office
    level = level_for_office(office)
    if act.level != level:
        raise level_error(act, office, level)
    fields: dict[str, Any] = {}
    if status is not None:
        if status not in STATUSES:
            raise ValidationError(_("unknown status '{status}': use one of {choices}").format(
                status=status, choices=join_list(STATUSES)))
        fields["status"] = status
    if clear_percent:
        fields["percent"] = None
    elif percent is not None:
        if isinstance(percent, bool) or not isinstance(percent, int):
            raise ValidationError(_("percent must be a whole number, not {value}").format(
                value=repr(percent)))
        if not 0 <= percent <= 100:
            raise ValidationError(_("percent must be between 0 and 100, not {value}").format(
                value=percent))
        fields["percent"] = percent
    keys = {ind.key for ind in act.indicators}
    for key, value in (values or {}).items():
        if key not in keys:
            known = join_list(sorted(keys)) or _("none")
            raise ValidationError(_("{code} has no indicator '{key}' (indicators: {known})")
                                  .format(code=act.code, key=key, known=known))
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError(_("indicator {key}: {value} is not a number").format(
                    key=key, value=repr(value)))
            if isinstance(value, int) and abs(value) > MAX_EXACT_INT:
                try:
                    value = float(value)
                except OverflowError:
                    value = math.inf  # refused just below
            if not math.isfinite(value):
                raise ValidationError(_("indicator {key}: {value} is not a finite number")
                                      .format(key=key, value=value))
            if abs(value) > MAX_INDICATOR_VALUE:
                raise ValidationError(_("indicator {key}: {value} is too large; the largest "
                                        "allowed is {maximum}").format(
                    key=key, value=format_number(value, exact=True),
                    maximum=format_number(MAX_INDICATOR_VALUE)))
            if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_EXACT_INT:
                value = int(value)
        fields[f"value.{key}"] = value
    for name, text in zip(NARRATIVE_FIELDS, (achievements, challenges, next_steps), strict=True):
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValidationError(_("{field} must be text").format(field=field_label(name)))
        # one place for every writer (CLI, client): no control characters, \n line ends
        text = clean_text(text)
        if len(text) > MAX_TEXT:
            raise TextTooLongError(
                _("{field} is {length} characters long; the limit is {limit}").format(
                    field=field_label(name), length=format_number(len(text)),
                    limit=format_number(MAX_TEXT)),
                name, len(text), MAX_TEXT)
        fields[name] = text
    if not fields:
        raise ValidationError(
            _("nothing to record: give a status, percent, value or narrative"))

    from fieldplan.sync.state import over_lost

    rid = report_id(office, act.code, period)
    typed_over = _checked_base(base)
    with store.write_transaction(rep.conn):
        refuse_if_locked(rep, period)
        heads = events.shown_versions(rep.conn, "progress", rid)
        current = {k: v for k, (v, _ids) in heads.items()}
        if current.get("state") == "submitted":
            raise SubmittedReportError(submitted_text(act.code, period), act.code, period)
        if typed_over:
            for name in _written_over(rep.conn, rid, fields, typed_over):
                del fields[name]  # saved before: what replaced it since stays
        changed = {k: v for k, v in fields.items() if k not in current or current[k] != v}
        same_values = [k[len("value."):] for k, v in fields.items()
                       if k.startswith("value.") and v is not None and k not in changed]
        if same_values:
            # a figure typed again over one recorded under a plan version that counted
            # it in another unit (750 people, the plan counting households now) is
            # written: it is in the unit now, and says so from then on
            from fieldplan.recorded_units import recorded_in

            then = recorded_in(rep, act.code, period, office)
            changed.update({f"value.{k}": fields[f"value.{k}"] for k in same_values
                            if k in then})
        if not changed:
            return Changes()
        if "status" not in current and "status" not in changed:
            if require_status and (changed.get("percent") or 0) > 0:
                raise StatusNeededError(_(
                    "a new report with progress ({percent}%) needs a status too, e.g. on track")
                    .format(percent=changed["percent"]), changed["percent"])
            # a new report starts as not started, so every replica shows a status
            changed["status"] = "not-started"
        # a change is made to a draft, and says so: another computer that submitted the
        # report meanwhile, unseen here, wrote "submitted" over the same state, and the
        # two are a conflict (else its submission would cover this change unseen). Not
        # again while this computer's own "draft" is in no bundle yet: no other computer
        # can have submitted over it, so a submission is a conflict with it already
        if not _unseen_own_draft(rep, heads.get("state")):
            changed["state"] = "draft"
        replaced = {}
        for k in changed:
            if k in typed_over and typed_over[k] is None:
                # typed over versions not known: over what is shown, unless the value
                # is an older one of the field (a save replaced since?): beside it
                ids = (list(heads[k][1]) if k in heads and not _ever_held(
                    rep.conn, rid, k, events.value_json(changed[k])) else [])
            elif k in typed_over:
                ids = _with_equal_heads(typed_over[k], heads.get(k))
            else:
                ids = list(heads[k][1]) if k in heads else []
            if ids:
                replaced[k] = ids
        # (HQ restored) and what it wrote after the backup, which offices hold
        replaced = over_lost(rep, "progress", rid, changed, replaced)
        # (more versions of a field than one event replaces, 33 laptops that wrote the
        # same value: a chain of events)
        written = events.append_chain(rep.conn, "progress", rid, changed, author=rep.author,
                                      base=replaced)
    return Changes(entities=(("progress", rid),), events=len(written))


def _plan_action(rep: Replica, plan, code: str):
    """The plan's action ``code``; refused as ``planops.removed_action_error`` says
    when an amendment dropped it, else as an unknown action."""
    try:
        return plan.action(code)
    except ValidationError as unknown:
        from fieldplan.planops import removed_action_error

        raise removed_action_error(rep, code) or unknown from None


def level_error(act, office: str, level: str) -> ValidationError:
    """The refusal of a write by ``office`` (reporting on ``level``) on an action of
    another level; the client's editor says it too, on such an action shown."""
    from fieldplan.i18n import level_label

    # Translators: {action_level} and {office_level} are level names in lower case
    # (national, regional, global).
    return ValidationError(_(
        "{code} is a {action_level} action; office {office} reports on {office_level} "
        "actions").format(code=act.code, action_level=level_label(act.level).lower(),
                          office=office, office_level=level_label(level).lower()))


def hidden_refusal(rep: Replica, office: str, code: str, period: str,
                   scope=None) -> ValidationError | None:
    """The refusal a write on ``office``'s report on ``code`` for ``period`` gets
    because the plan hides it (``planops.PlanScope``; ``scope``: the installed plan's
    by default), said as a write on it is refused; None when the plan shows it."""
    from fieldplan.offices import level_for_office
    from fieldplan.planops import PlanScope

    scope = scope or PlanScope(rep.plan())
    plan = scope.plan
    why = scope.why_hidden(office, code, period)
    try:
        if "action" in why:
            _plan_action(rep, plan, code)  # raises: removed, or unknown
        if "period" in why:
            _check_period(rep, period, plan)  # raises: outside the plan's dates
        if "level" in why:
            return level_error(plan.action(code), office, level_for_office(office))
    except ValidationError as refused:
        return refused
    return None


def _refuse_if_hidden(rep: Replica, code: str, period: str) -> None:
    """Refuse (as a write on it is refused) putting back to draft a report the plan
    hides (PlanScope): a hidden draft can be neither written nor submitted, so it would
    stay a draft for good."""
    refused = hidden_refusal(rep, rep.office, code, period)
    if refused is not None:
        raise refused


def _unseen_own_draft(rep: Replica, state: tuple[Any, tuple[str, ...]] | None) -> bool:
    """Whether the state a report shows (``shown_versions``' entry) is "draft" as this
    replica wrote it in an event no bundle has carried yet."""
    if state is None or state[0] != "draft":
        return False
    origin, _sep, seq = state[1][0].rpartition(":")
    return origin == rep.replica_id and int(seq) > events.exported_seq(rep.conn, origin)


def report_versions(rep: Replica, action: str, period: str,
                    office: str | None = None) -> dict[str, str]:
    """The version id (``origin:seq``) of the value each field of a report shows (a
    field nobody wrote is absent): what a person who saw those values and typed over
    them replaces (``record_progress``'s ``base``)."""
    rid = report_id(office or rep.office, action, str(as_period(period)))
    return {field: vid for field, (_value, vid)
            in events.entity_state(rep.conn, "progress", rid, with_ids=True).items()}


def report_conflicts(rep: Replica, action: str, period: str,
                     office: str | None = None) -> frozenset[str]:
    """The fields of a report with an open conflict: several current versions with
    different values (two computers wrote the field, neither seeing the other's write),
    as ``fieldplan.sync.list_conflicts`` finds them, for one report."""
    rid = report_id(office or rep.office, action, str(as_period(period)))
    return frozenset(field for (field,) in rep.conn.execute(
        "SELECT field FROM versions INDEXED BY versions_heads "
        "WHERE entity = 'progress' AND entity_id = ? AND superseded = 0 "
        "GROUP BY field HAVING count(*) > 1 AND count(DISTINCT value) > 1", (rid,)))


@dataclass(frozen=True)
class BaseCheck:
    """What ``record_progress`` would do with values typed over ``base``.

    written: fields whose value was already written over those versions (a draft saved
    before): left out. moved: fields whose value shows another version now, with
    another value (no version typed over holds the value shown): written as a conflict
    with it."""

    written: frozenset[str] = frozenset()
    moved: frozenset[str] = frozenset()


def check_base(rep: Replica, action: str, period: str, values: Mapping[str, Any],
               base: Mapping[str, Sequence[str] | None]) -> BaseCheck:
    """For this office's report: which of ``values`` (report fields as events name them:
    ``status``, ``percent``, ``value.<key>``, the narratives) typed over ``base`` are
    already written, and which would be a conflict (see ``BaseCheck``)."""
    rid = report_id(rep.office, action, str(as_period(period)))
    typed_over = _checked_base(base)
    fields = {k: _normal(k, v) for k, v in values.items() if k in typed_over}
    written = _written_over(rep.conn, rid, fields, typed_over)
    heads = events.shown_versions(rep.conn, "progress", rid)
    moved = set()
    for k, v in fields.items():
        if k in written or k not in heads or heads[k][0] == v:
            continue
        ids = typed_over[k]
        if (not set(heads[k][1]) & set(ids) if ids is not None
                else _ever_held(rep.conn, rid, k, events.value_json(v))):
            moved.add(k)
    return BaseCheck(frozenset(written), frozenset(moved))


_VERSION_ID = re.compile(r".+:[0-9]+")


def _with_equal_heads(ids: list[str],
                      shown: tuple[Any, tuple[str, ...]] | None) -> list[str]:
    """The versions typed over, and, when they name a head holding the value shown,
    every head holding that value (``events.shown_versions``): two laptops that wrote
    the same value are both replaced by a write over it, not one of them (40 laptops:
    all 40, by a chain of events, ``events.append_chain``)."""
    if shown is None or not set(ids) & set(shown[1]):
        return ids
    return ids + [vid for vid in shown[1] if vid not in ids]


def _checked_base(
    base: Mapping[str, Sequence[str] | None] | None,
) -> dict[str, list[str] | None]:
    if not base:
        return {}
    out: dict[str, list[str] | None] = {}
    for name, ids in base.items():
        if ids is None:  # not known
            out[str(name)] = None
            continue
        ids = list(ids)
        if (len(ids) > events.MAX_BASE_PER_FIELD
                or not all(isinstance(i, str) and _VERSION_ID.fullmatch(i) for i in ids)):
            raise ValueError(f"bad base for {name}: {ids!r}")
        out[str(name)] = ids
    return out


def _normal(name: str, value: Any) -> Any:
    """A field's value as ``record_progress`` stores it."""
    if name in NARRATIVE_FIELDS and isinstance(value, str):
        return clean_text(value)
    if (name.startswith("value.") and isinstance(value, float) and value.is_integer()
            and abs(value) <= MAX_EXACT_INT):
        return int(value)
    return value


def _ever_held(conn, rid: str, name: str, text: str) -> bool:
    """Whether a version of the field (``text``: its value as JSON) held that value."""
    return conn.execute(
        "SELECT 1 FROM versions WHERE entity = 'progress' AND entity_id = ? "
        "AND field = ? AND value = ? LIMIT 1", (rid, name, text)).fetchone() is not None


def _written_over(conn, rid: str, fields: Mapping[str, Any],
                  typed_over: Mapping[str, list[str] | None]) -> set[str]:
    """The fields whose value (stored form) is one of the versions typed over, or was
    written since by a version that replaced them (directly or not); with no versions
    typed over ([]), any version of the field with that value; with versions not known
    (None), the value the field shows."""
    done = set()
    shown: dict[str, Any] | None = None
    for name, value in fields.items():
        if name not in typed_over:
            continue
        text = events.value_json(value)
        ids = typed_over[name]
        if ids is None:
            if shown is None:
                shown = events.entity_state(conn, "progress", rid)
            row = name in shown and events.value_json(shown[name]) == text
        elif not ids:
            row = _ever_held(conn, rid, name, text)
        else:
            seeds = " UNION ".join("SELECT ?, ?" for _ in ids)
            params: list[Any] = []
            for vid in ids:
                origin, _sep, seq = vid.rpartition(":")
                params += [origin, int(seq)]
            row = conn.execute(
                f"""
                WITH RECURSIVE later(origin, seq) AS (
                    {seeds}
                    UNION
                    SELECT s.by_origin, s.by_seq FROM supersedes s JOIN later l
                      ON s.target_origin = l.origin AND s.target_seq = l.seq
                    WHERE s.entity = 'progress' AND s.entity_id = ? AND s.field = ?)
                SELECT 1 FROM versions v JOIN later l ON v.origin = l.origin AND v.seq = l.seq
                WHERE v.entity = 'progress' AND v.entity_id = ? AND v.field = ?
                  AND v.value = ? LIMIT 1
                """, (*params, rid, name, rid, name, text)).fetchone()
        if row:
            done.add(name)
    return done


def _set_state(rep: Replica, period: str, state: str, actions: list[str] | None) -> Changes:
    from fieldplan.sync.state import over_lost

    plan = rep.plan()
    period = _check_period(rep, period, plan)
    if actions is not None:
        # as record_progress takes them ("pa1.1" is PA1.1): a report written so was
        # then refused reopening, "no submitted report on pa1.1"
        actions = [_code_of(plan, code) for code in actions]
    touched = []
    with store.write_transaction(rep.conn):
        refuse_if_locked(rep, period)
        want = "draft" if state == "submitted" else "submitted"
        rows = rep.conn.execute(
            "SELECT action FROM progress WHERE office = ? AND period = ? AND state = ? "
            "ORDER BY action",
            (rep.office, period, want),
        ).fetchall()
        todo = [r[0] for r in rows if actions is None or r[0] in actions]
        if actions is None and state == "submitted":
            # the drafts the plan hides stay drafts: kept, read-only, left out of what
            # the period's submission covers (as the client's submit dialog counts it)
            from fieldplan.planops import hidden_drafts

            hidden = set(hidden_drafts(rep, period))
            todo = [code for code in todo if code not in hidden]
        if actions is not None:
            for code in actions:
                if code not in todo:
                    _plan_action(rep, plan, code)
                    message = (_("no draft report on {code} for {period}") if want == "draft"
                               else _("no submitted report on {code} for {period}"))
                    raise ValidationError(message.format(code=code,
                                                         period=period_words(period)))
                if state == "draft":
                    _refuse_if_hidden(rep, code, period)
        for code in todo:
            rid = report_id(rep.office, code, period)
            events.append(rep.conn, "progress", rid, {"state": state}, author=rep.author,
                          base=over_lost(rep, "progress", rid, ("state",)))
            touched.append(("progress", rid))
    return Changes(entities=tuple(touched), events=len(touched))


def _code_of(plan, code: str) -> str:
    """An action code as the plan spells it, whatever the case and spaces it was typed
    with (``Plan.action`` finds it so); as typed, without its spaces, when the plan has
    no such action (one an amendment dropped: refused as such further on)."""
    try:
        return plan.action(code).code
    except ValidationError:
        return str(code).strip()


def submit_period(rep: Replica, period: str) -> Changes:
    """Mark every draft report of this office for the period submitted, but for those
    the plan hides (``planops.hidden_drafts``: they stay drafts, kept)."""
    return _set_state(rep, period, "submitted", None)


def reopen_report(rep: Replica, action: str, period: str) -> Changes:
    """Put a submitted report back to draft so it can be edited (not in a locked period,
    nor one the plan hides: refused as a write on it is)."""
    return _set_state(rep, period, "draft", [action])


def set_period_lock(rep: Replica, period: str, locked: bool = True) -> Changes:
    """(HQ) lock a period after its review, or unlock it (also one the plan no longer
    covers, locked before an amendment moved its dates)."""
    if not rep.is_hq:
        raise ValidationError(_("only headquarters can lock or unlock a period"))
    from fieldplan.sync.state import lost_differs, over_lost

    try:
        period = _check_period(rep, period)
    except ValidationError:
        # a period an amendment left outside the plan stays locked where it was: it
        # can be unlocked (else its conflicts could never be settled), not locked
        held = str(as_period(period))  # (a malformed period is refused as such)
        if locked or not (is_locked(rep, held) or lost_differs(rep, "lock", held, "locked",
                                                               False)):
            raise
        period = held
    with store.write_transaction(rep.conn):
        # (restored) shown so here, but offices may hold a lock or unlock the restore
        # lost: written all the same, it reaches them
        if is_locked(rep, period) == locked and not lost_differs(rep, "lock", period,
                                                                 "locked", locked):
            return Changes()
        # (restored) over a lock or unlock written after the backup, which offices hold
        events.append(rep.conn, "lock", period, {"locked": locked}, author=rep.author,
                      base=over_lost(rep, "lock", period, ("locked",)))
        if locked:  # what it holds now, by the order of imports: see LockMark
            events.set_meta(rep.conn, LOCK_INBOX + period, str(rep.conn.execute(
                "SELECT coalesce(max(id), 0) FROM inbox").fetchone()[0]))
    return Changes(entities=(("lock", period),), events=1)


#: When this replica received the latest change of a progress row ``p`` whose clock is
#: later than now (the first parameter: a writer's clock was ahead, a wrong year) or
#: earlier than the plan's start (the second: gone back to 2000): the
#: arrival of the event of its winning head with the row's clock value (one head of a
#: handful, by the heads' index, and the event by its key). Looked up for those rows
#: only: for every row, it tripled the time HQ's report list takes.
_ARRIVAL = (
    "CASE WHEN p.hlc > ? OR p.hlc < ? THEN (SELECT min(e.received_at) "
    "FROM versions v INDEXED BY versions_heads "
    "JOIN events e ON e.origin = v.origin AND e.seq = v.seq "
    "WHERE v.entity = 'progress' AND v.entity_id = p.office || '|' || p.action || '|' || "
    "p.period AND v.superseded = 0 AND v.hlc = p.hlc) END")


def _select(rep: Replica, where: str, params: tuple) -> list[ProgressReport]:
    earliest = events.plan_start_hlc(rep.plan().start)
    rows = rep.conn.execute(
        "SELECT office, action, period, status, percent, vals, achievements, challenges, "
        f"next_steps, state, hlc, updated_by, {_ARRIVAL} FROM progress p {where} "
        "ORDER BY period, office, action",
        (events.clock_now() | 0xFFFF, earliest, *params),
    ).fetchall()
    return [_row_to_report(r, earliest) for r in rows]


def _row_to_report(r, earliest: int = 0) -> ProgressReport:
    vals = json.loads(r[5])
    written = events.hlc_to_iso(r[10])
    return ProgressReport(
        office=r[0], action=r[1], period=r[2], status=r[3],
        percent=None if r[4] is None else int(r[4]),
        values=tuple(sorted((k, v) for k, v in vals.items() if v is not None)),
        achievements=r[6], challenges=r[7], next_steps=r[8], state=r[9],
        # formatted once (a list of every report at HQ); no later than its arrival
        # when its clock was later than now, its arrival when its clock was before the
        # plan's start (the arrival, r[12], is looked up then only)
        updated_at=written if r[12] is None else events.shown_time(r[10], r[12], earliest),
        updated_by=r[11], written_at=written,
    )


def list_reports(rep: Replica, period: str | None = None,
                 office: str | None = None) -> list[ProgressReport]:
    """Merged reports, filtered by period and office, ordered by period, office, action.

    ``period`` is one of the plan's periods, or one outside the plan's dates that has
    reports held (an amendment that moved the plan's dates hides them, but they are
    kept, listed and exported, so they can be picked out too); any other period
    raises the plan's ValidationError ("period 2030-S1 is outside the plan ...")."""
    clauses, params = [], []
    if period:
        clauses.append("period = ?")
        params.append(_listed_period(rep, period))
    if office:
        from fieldplan.offices import check_office

        clauses.append("office = ?")
        params.append(check_office(office))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return _select(rep, where, tuple(params))


def _disagreement(status: str, percent: int | None) -> str:
    """How a status and a percent complete disagree: ``short`` (completed at less than
    100 %), ``early`` (not started, with progress), or "" (they agree)."""
    if percent is None:
        return ""
    if status == "completed" and percent < 100:
        return "short"
    if status == "not-started" and percent > 0:
        return "early"
    return ""


def status_percent_note(status: str, percent: int | None) -> str:
    """What does not agree between a report's status and its percent complete, said
    beside them (the report editor; ``report_warnings`` names the action and field): a
    completed action at less than 100 %, or a not-started one with progress; a sentence
    ("" when they agree). Said, not refused: the person may be right (a completed action
    that fell short), and the review pack's means take the percent as typed."""
    from fieldplan.i18n import format_percent, status_label

    how = _disagreement(status, percent)
    if how == "short":
        # Translators: under the report editor's Status and Percent complete fields
        return _("Marked completed at {percent}: if it is done, set the percent to 100; "
                 "the review pack's means take {percent}.").format(
                     percent=format_percent(percent))
    if how == "early":
        # Translators: under the report editor's Status and Percent complete fields;
        # {status} is "Not started"
        return _("Marked {status} with {percent} complete: check which is right.").format(
            status=status_label("not-started"), percent=format_percent(percent))
    return ""


def negative_count_problem(indicator: Indicator, value: float | None) -> str:
    """What is wrong with an indicator's actual, in a sentence said beside its field (""
    when nothing is): below zero in a unit that counts things (``model.COUNT_UNITS``),
    most likely a stray minus sign. Said, not refused: the indicator may measure a net
    change."""
    if value is None or value >= 0 or indicator.unit not in COUNT_UNITS:
        return ""
    # Translators: under an indicator's Actual in the report editor
    return _("A count below zero: is the minus sign a typo?")


def value_problem(indicator: Indicator, value: float | None) -> str:
    """What looks wrong in an indicator's actual, in a sentence said beside its field
    ("" when nothing does; ``report_warnings`` names the action and field), said, not
    refused (as ``negative_count_problem``, which it says first): a count of whole
    things with a fraction (``WHOLE_UNITS``), a percent above 100."""
    from fieldplan.i18n import format_percent

    below = negative_count_problem(indicator, value)
    if below or value is None:
        return below
    if indicator.unit in WHOLE_UNITS and not float(value).is_integer():
        # Translators: under an indicator's Actual in the report editor
        return _("Not a whole number, but it is a count: is the decimal point right?")
    if indicator.unit == "percent" and value > 100:
        # Translators: under an indicator's Actual in the report editor
        return _("More than {hundred}: is it right?").format(hundred=format_percent(100))
    return ""


def not_started_problem(plan: Plan, period: str, *,
                        shown: Callable[[dt.date], str] | None = None) -> str:
    """That ``period`` has not started yet by this computer's clock (its day), in one
    line, or "": a report on it, or its submission, is most likely for another period
    (headquarters' pack then said an office's "latest period reported" was a semester
    a year away). Said, not refused: a computer's date may be wrong. ``shown``: how a
    date is written (default ``format_date``; the client's dialog keeps each whole on
    its line)."""
    from fieldplan.i18n import format_date

    shown = shown or format_date
    start, _end = plan.period_bounds(period)
    today = events.local_today()
    if today >= start:
        return ""
    return _("{period} has not started yet (it starts on {date}, and this computer's date "
             "is {today}): is the period right?").format(
        period=period_words(period), date=shown(start), today=shown(today))


def report_warnings(report: ProgressReport, action: Action) -> tuple[str, ...]:
    """The warnings the report editor says under a report's fields, though it saved
    them (``status_percent_note``, ``value_problem``), a line each naming the action
    and the field ("PA1.2 — People reached: Not a whole number, …"): what ``progress
    set`` says of the report it recorded, and said again where the report is submitted
    (the client's submit dialog, ``progress submit``), as a submitted report is
    read-only and its editor says them no more."""
    lines = []
    note = status_percent_note(report.status, report.percent)
    if note:
        lines.append(("status", note))
    for ind in action.indicators:
        note = value_problem(ind, report.value(ind.key))
        if note:
            lines.append((f"value.{ind.key}", note))
    # Translators: e.g. "PA1.2 — People reached: Not a whole number, but it is a count:
    # is the decimal point right?"; {warning} is said under the field in the report
    # editor, {field} is the field's name (an indicator's title, or "Status")
    return tuple(_("{action} — {field}: {warning}").format(
        action=report.action, field=action.field_label(name), warning=note)
        for name, note in lines)


def report_to_dict(r: ProgressReport) -> dict[str, Any]:
    """The JSON form of a report (the CLI's ``progress list --json``)."""
    return {
        "office": r.office, "action": r.action, "period": r.period, "status": r.status,
        "percent": r.percent, "note": r.note, "values": dict(r.values),
        "achievements": r.achievements, "challenges": r.challenges,
        "next_steps": r.next_steps, "state": r.state, "updated_at": r.updated_at,
        "updated_by": r.updated_by,
    }


def digest(rep: Replica, office: str | None = None) -> str:
    """SHA-256 of an office's merged progress (every office's at HQ when none is
    named): identical on every replica that holds the same events. Each report's time
    is its writer's clock (``written_at``), not the time shown, which an arrival here
    may cap."""
    if office is None and not rep.is_hq:
        office = rep.office
    reports = list_reports(rep, office=office)
    h = hashlib.sha256()
    for r in reports:
        merged = report_to_dict(r) | {"updated_at": r.written_at or r.updated_at}
        h.update(events.canonical_json(merged).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()
