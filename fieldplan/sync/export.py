"""Write signed bundles: what the recipient has not acknowledged yet (everything with
``full``), with the sender's receipts, and an office's enrolment proof until HQ has
registered its key."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import hmac
import json
import os
import stat
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan import events, store
from fieldplan.errors import (
    BundleError,
    BundleNameTakenError,
    FieldplanError,
    ValidationError,
)
from fieldplan.files import free_name, shown_name
from fieldplan.i18n import _, join_clauses, join_list, ltr
from fieldplan.minisign import PublicKey
from fieldplan.replica import Replica
from fieldplan.sync import formats
from fieldplan.sync import keys as keyreg
from fieldplan.sync.exchange import (
    _HOSTILE,
    ENROL_CONTEXT,
    KIND_SETUP,
    KIND_SYNC,
    REVOCATION_RECORDS,
    Progress,
)
from fieldplan.sync.fork import copies_in_use, copies_to_prove, held_forks, resend_from


@dataclass(frozen=True)
class ExportResult:
    """A written bundle: path, events carried, size in bytes, bundle id, recipient."""

    path: Path
    events: int
    size: int
    bundle_id: str
    recipient: str
    #: what went wrong beside a bundle that is written and good (or ""): the
    #: recipient's fieldplan must be updated to read it (``formats.choose_format``;
    #: of a setup bundle, ``formats.setup_format_text``)
    warning: str = ""
    #: what a person should know of a good bundle: that it carries no new entries,
    #: only receipts (or "")
    note: str = ""
    #: the bundle carries the same as one saved before under the name it chose: it
    #: took that one's place, not a second name (``same_as_before``)
    again: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "events": self.events, "size": self.size,
                "bundle_id": self.bundle_id, "recipient": self.recipient,
                "warning": self.warning, "note": self.note, "again": self.again}


def saved_again_text() -> str:
    """What an export says of a bundle that took the place of the one saved before
    under its name (``ExportResult.again``)."""
    return _("nothing new since the bundle saved before under this name: it was saved "
             "again in its place, not as a second file")


#: What two bundles of the same content may differ in: who wrote them when, and with
#: which version of fieldplan.
_OF_THE_WRITING = ("bundle_id", "created", "app_version")


def same_as_before(written: Path, chosen: Path) -> Path | None:
    """Of the files that took ``chosen`` and the names after it before ``written``
    got its own (``files.free_name``: ``…_2``, ``…_3``), the first that is a bundle of
    the same content as ``written`` (the same manifest, events included, but for its
    id, time and fieldplan version), or None. Exporting again with nothing new gave
    a second file beside the first, the same but for its name: the folder (a USB
    stick for headquarters) held two, and a person could not tell which to send."""
    from fieldplan.files import names_before

    def content(path: Path) -> dict[str, Any] | None:
        if path.is_symlink() or not path.is_file():
            return None
        try:
            with bundlefmt.open_bundle(path, check_events=False) as opened:
                return {k: v for k, v in opened.manifest.items()
                        if k not in _OF_THE_WRITING}
        except (FieldplanError, OSError, ValueError):
            return None  # not a bundle, or not one to read: never replaced

    taken = names_before(chosen, written)
    if not taken:
        return None
    mine = content(written)
    if mine is None:
        return None
    return next((path for path in taken if content(path) == mine), None)


def receipts_only_text(recipient: str) -> str:
    """What an export with no new entries says: it is still written, for its
    receipts (DESIGN: each side records what it has received; the other side then
    stops sending it again). Not said of a new office's bundle that carries its
    enrolment proof (HQ needs it to know the office's key). Headquarters is named in
    words, as everywhere else (French read "indique quand même à HQ")."""
    if recipient == "HQ":
        return _("no new entries to send: the bundle holds only the receipts of what this "
                 "computer has received; sending it still tells headquarters what arrived")
    return _("no new entries to send: the bundle holds only the receipts of what this "
             "computer has received; sending it still tells {recipient} what arrived").format(
                 recipient=recipient)



def origins_for(rep: Replica, office: str) -> list[str]:
    """Replicas whose events a bundle for ``office`` carries: at HQ, HQ's and that
    office's (so an office's laptops see each other's work); at an office, only this
    computer's own (HQ takes an office computer's events from that computer only),
    with those of the replicas it continues after a restore."""
    if not rep.is_hq:
        # the replicas this computer continues after a restore: those HQ links to it
        # already; those whose active key endorses this computer's chain (HQ links them
        # on the way in); those HQ never heard of (the restore's proof brings them). Not
        # one HQ knows and the chain cannot prove (HQ would refuse the whole bundle): its
        # events go once HQ's next bundle says HQ linked it
        keys = keyreg.all_keys(rep)
        heard_of = {k.replica for k in keys.values()} | set(keyreg.successor_of(keys))
        linked = keyreg.predecessors(keys, rep.replica_id)
        endorsers = {e.get("previous_key_id") for e in keyreg.rotation_chain(rep)}
        linked |= {k.replica for k in keys.values()
                   if k.key_id in endorsers and k.status == "active"}
        mine = [r for r in keyreg.renewed_from(rep)
                if r in linked or r not in heard_of] + [rep.replica_id]
        held = {r for (r,) in rep.conn.execute(
            f"SELECT DISTINCT origin FROM events WHERE origin IN ({','.join('?' * len(mine))})",
            mine)}
        return [r for r in mine if r in held]
    keys = keyreg.all_keys(rep).values()
    wanted = {k.replica for k in keys if k.office in ("HQ", office) and k.replica}
    wanted.add(rep.replica_id)
    held = {r[0] for r in rep.conn.execute("SELECT DISTINCT origin FROM events")}
    offices = keyreg.replica_offices(rep)
    hq_first = sorted(wanted & held, key=lambda o: (offices.get(o) != "HQ", o))
    return hq_first


#: Up to how many offices HQ knows an error lists them all; beyond, the nearest.
FEW_OFFICES = 6
NEAREST_OFFICES = 3


def known_offices(rep: Replica) -> list[str]:
    """(HQ) the offices headquarters knows: enrolled (a setup bundle written, or a key
    in the registry) or with reports held here. Sorted by code."""
    known = {r[0] for r in rep.conn.execute("SELECT DISTINCT office FROM enrolments")}
    known |= {k.office for k in keyreg.all_keys(rep).values()}
    known |= {r[0] for r in rep.conn.execute("SELECT DISTINCT office FROM progress")}
    return sorted(known - {"HQ", ""})


def expected_offices(rep: Replica, plan: Any, period: str | None = None,
                     reported: Container[str] = ()) -> list[str]:
    """(HQ) the offices expected to report, as the review pack (its cover's "of N" and
    its offices that have not reported), the lock check ("N of M offices") and HQ's
    Overview (its rows, "No report" and "Not submitted") count them; this is the one
    place that decides it. Those headquarters knows (``known_offices``) and
    headquarters itself, each only when the plan has actions of its level
    (offices.level_for_office): a regional office enrolled is not awaited on a plan
    without regional actions, nor HQ on one without global actions. With ``period``,
    actions due then (not those an amendment added later: ``Plan.expects``), and not an
    office enrolled too late for it (``enrolled_too_late``: after the period ended, or
    after headquarters locked it); an office of ``reported`` (it reported on the period)
    is expected all the same. In the order of offices.all_offices()."""
    from fieldplan.offices import HQ, all_offices, level_for_office

    known = {*known_offices(rep), HQ}
    if period:
        known -= set(enrolled_too_late(rep, plan, period)) - set(reported)
    levels = {a.level for a in plan.actions}  # (plan.actions_of(level=…) non-empty)
    due = {a.level for a in plan.actions_of(due=period)} if period else levels
    return [o for o in all_offices() if o in known and (
        level_for_office(o) in due or (o in reported and level_for_office(o) in levels))]


def enrolment_times(rep: Replica) -> dict[str, str]:
    """(HQ) office code → when headquarters first enrolled it (ISO UTC): the earliest
    time any record of it shows, each a time the enrolment came before. Its setup
    bundles written on this computer (``enrolments``, stamped by its clock); the
    registrations of its keys (key events, which every computer of headquarters holds,
    each at the time it shows: ``events.shown_time``; a key is registered when the
    office's first bundle arrives); and the events its own computers wrote (replicas
    of its keys: ``keys.replica_offices``), each by its arrival here (the earliest
    import of a bundle of the office that brought events: the time every event of it
    holds as ``received_at``) and by its clock value when that is a reading of its
    computer's clock (its counter is 0) at or past the plan's start
    (``events.plan_start_hlc``). A value the counter raised is not:
    it follows what the computer had received (headquarters' events in its setup
    bundle, written before the enrolment), its own clock being behind (gone back to
    2000 with a flat battery). Its reports written at headquarters are not of them.

    The earliest, since an office enrolled again (a second laptop, a new setup bundle
    after a lost one) was awaited from its first enrolment on, and since a record
    cannot be earlier than the enrolment it follows unless a clock was wrong: a setup
    bundle stamped by a clock far ahead (headquarters' laptop with a wrong year) is
    later than the office's first events, which that bundle set up, and the office is
    then enrolled by them, not "too late" for every period. A clock behind can only
    make an office awaited on a period more, never forgotten. A time later than now
    (by more than ``events.MAX_DRIFT_MS``) is of a clock that was ahead and has been
    put right since: no time of the enrolment is known then (every record came from
    that clock), and the office is left out, awaited as an office whose enrolment is
    unknown.

    Headquarters is not in it, nor an office whose enrolment is unknown here (one
    known only by its reports: a database older than these records, or a computer of
    headquarters that never saw its key).

    Read from a few rows, not from every event (a million at a large headquarters):
    the inbox's lines, and of each office computer only its first events by the log's
    primary key (``_first_reading``). Read once while the database does not change
    (``status`` asks twice for each open period, the Overview and the review pack twice
    for theirs)."""
    conn = rep.conn
    unchanged = (conn, conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
    held = rep.cache.get("enrolment_times")
    if held is None or held[0] != unchanged:
        held = rep.cache["enrolment_times"] = (unchanged, _first_records(rep))
    now = events.hlc_to_iso((events.wall_ms() + events.MAX_DRIFT_MS) << 16)
    return {office: when for office, when in held[1].items() if when <= now}


#: an office's bundles merged here that brought events: every event of a bundle holds
#: its inbox line's time as ``received_at`` (``events.Arrival``), and an office's
#: events come in its own bundles only (DESIGN: ownership)
_FIRST_ARRIVALS = ("SELECT office, min(received_at) FROM inbox "
                   "WHERE outcome = 'merged' AND events_new > 0 GROUP BY office")
#: a replica's first and last sequence numbers, by the primary key (origin, seq): each
#: its own look-up (min and max in one SELECT read every entry of the origin)
_SEQ_RANGE = ("SELECT (SELECT min(seq) FROM events WHERE origin = ?1), "
              "(SELECT max(seq) FROM events WHERE origin = ?1)")
#: a replica's first event from a sequence number on, by the primary key
_EVENT_FROM = "SELECT seq, hlc FROM events WHERE origin = ? AND seq >= ? ORDER BY seq LIMIT 1"
#: a replica's clock values from a sequence number on, in order, by the primary key
_CLOCKS_FROM = "SELECT hlc FROM events WHERE origin = ? AND seq >= ? ORDER BY seq"


def _first_records(rep: Replica) -> dict[str, str]:
    """(``enrolment_times``) office code → the earliest time a record of it shows,
    times later than now too."""
    first: dict[str, str] = {}

    def seen(office: str, when: str | None) -> None:
        if office and when:
            first[office] = min(first.get(office, when), when)

    for office, created in rep.conn.execute(
            "SELECT office, min(created_at) FROM enrolments GROUP BY office"):
        seen(office, created)
    keys = keyreg.all_keys(rep)
    for key_id, hlc, received_at in rep.conn.execute(
            "SELECT entity_id, hlc, received_at FROM events WHERE entity = 'key'"):
        seen(keys[key_id].office if key_id in keys else "", events.shown_time(hlc, received_at))
    owners = {r: o for r, o in keyreg.replica_offices(rep).items() if o not in ("", "HQ")}
    offices = set(owners.values())
    for office, arrived in rep.conn.execute(_FIRST_ARRIVALS):
        if office in offices:
            seen(office, arrived if events.arrival_hlc(arrived or "") else None)
    if owners:
        earliest = events.plan_start_hlc(rep.plan().start)
        for origin, office in sorted(owners.items()):
            least = _first_reading(rep, origin, earliest, _second_hlc(first.get(office)))
            seen(office, events.hlc_to_iso(least) if least is not None else None)
    first.pop("HQ", None)
    return first


def _second_hlc(stamp: str | None) -> int | None:
    """The least clock value of the second ``stamp`` (ISO UTC) names: a value from
    there on dates nothing earlier than it. None if it is no such time."""
    latest = events.arrival_hlc(stamp or "")
    return None if latest is None else ((latest >> 16) // 1000 * 1000) << 16


def _first_reading(rep: Replica, origin: str, earliest: int, below: int | None) -> int | None:
    """The least clock value of ``origin``'s events that is a reading of its clock
    (counter 0) at or past ``earliest``, None if there is none; or None when it is not
    below ``below`` (it would date nothing earlier).

    A replica's clock only grows with its sequence (``events.tick``: past its latest
    event's), so that value is the first by sequence at or past ``earliest`` that has
    counter 0: the first event at or past ``earliest`` (found by halving the range of
    sequence numbers, by the primary key) if it is one, else the first at or past the
    next millisecond, and so on; then, after a few such steps (a clock behind, whose
    counter the values it received raise, thousands of events a millisecond), read in
    order from there. Never every event of every office (a million at a large
    headquarters), where the first is most often the one."""
    conn = rep.conn
    first, last = conn.execute(_SEQ_RANGE, (origin,)).fetchone()
    if first is None:
        return None
    start, target = first, earliest
    for _step in range(32):
        lo, hi = start, last + 1
        while lo < hi:  # the first sequence number from start whose event is at target
            mid = (lo + hi) // 2
            seq, hlc = conn.execute(_EVENT_FROM, (origin, mid)).fetchone()
            if hlc >= target:
                hi = mid
            else:
                lo = seq + 1
        row = conn.execute(_EVENT_FROM, (origin, lo)).fetchone() if lo <= last else None
        if row is None or (below is not None and row[1] >= below):
            return None
        seq, hlc = row
        if hlc >= earliest and not hlc & 0xFFFF:
            return hlc
        start, target = seq + 1, ((hlc >> 16) + 1) << 16
    for (hlc,) in conn.execute(_CLOCKS_FROM, (origin, start)):
        if below is not None and hlc >= below:
            return None
        if hlc >= earliest and not hlc & 0xFFFF:
            return hlc
    return None


def enrolled_too_late(rep: Replica, plan: Any, period: str) -> list[str]:
    """(HQ) the offices headquarters first enrolled (``enrolment_times``) too late to be
    awaited on ``period``, so that its review pack, lock check and Overview leave them
    out: after the period ended (a day later than its last, by this computer's time
    zone, as the lock check judges its end: an office set up in December 2026 owes no
    report on 2025; one enrolled during a period is awaited on it), or after
    headquarters locked the period (it never could report on it: its setup bundle
    brings the lock). An office whose enrolment is unknown is awaited, as before these
    records: better listed once too often than an office forgotten. Sorted by code."""
    return sorted(enrolled_too_late_why(rep, plan, period))


#: why an office is enrolled too late for a period (``enrolled_too_late_why``)
AFTER_END = "ended"
AFTER_LOCK = "locked"


def enrolled_too_late_why(rep: Replica, plan: Any, period: str) -> dict[str, str]:
    """(HQ) ``enrolled_too_late``'s offices, each with why: ``AFTER_END``, enrolled
    after the period ended, or ``AFTER_LOCK``, after headquarters locked it; after
    both, whichever came first (a period locked on or before its last day: the lock).
    By code."""
    from fieldplan.progress import lock_clocks

    try:
        ends: dt.date | None = plan.period_bounds(period)[1]
    except ValidationError:  # not a period of the plan: no end to judge by
        ends = None
    lock = lock_clocks(rep).get(period)
    locked_at = lock.at if lock is not None and lock.at else None
    # the lock came before the end: said of an office enrolled after both
    lock_first = locked_at is not None and (
        ends is None or (_local_day(locked_at) or ends) <= ends)
    why: dict[str, str] = {}
    for office, when in sorted(enrolment_times(rep).items()):
        after_end = ends is not None and (_local_day(when) or ends) > ends
        after_lock = locked_at is not None and when > locked_at
        if after_lock and (lock_first or not after_end):
            why[office] = AFTER_LOCK
        elif after_end:
            why[office] = AFTER_END
    return why


def not_awaited(rep: Replica, plan: Any, period: str, listed: Container[str]) -> list[str]:
    """(HQ) the offices known here that ``period`` does not await, as the review pack
    and HQ's Overview name them apart: enrolled too late for it (``enrolled_too_late``),
    not among ``listed`` (the offices counted: one that reported on it all the same is
    there), and of a level with actions due then. Sorted by code."""
    return list(not_awaited_why(rep, plan, period, listed))


def not_awaited_why(rep: Replica, plan: Any, period: str, listed: Container[str]
                    ) -> dict[str, str]:
    """``not_awaited``'s offices, each with why (``enrolled_too_late_why``): enrolled
    after the period ended, or after it was locked. By code."""
    from fieldplan.offices import level_for_office

    due = {a.level for a in plan.actions_of(due=period)}
    return {o: why for o, why in enrolled_too_late_why(rep, plan, period).items()
            if o not in listed and level_for_office(o) in due}


def _local_day(stamp: str) -> dt.date | None:
    """The day of a time ``stamp`` (ISO UTC) in this computer's time zone (in UTC where
    the local time cannot hold it, as ``events.local_today``); None if it is no such
    time."""
    try:
        when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None
    try:
        return when.astimezone().date()
    except (OverflowError, OSError, ValueError):
        return when.date()


@dataclass(frozen=True)
class PeriodReports:
    """(HQ) a period's reports as the review pack and the lock check count them.

    expected: the offices expected to report (``expected_offices``). counted: the
    reports of those offices the plan shows. hidden: how many reports the plan hides;
    hidden_by_office: the same by office code (only offices with any). unknown: office
    code → how many reports (the plan showing them) of an office this version of
    fieldplan does not know (a newer one's member state), counted for no one: an area
    would have more reports than offices.
    """

    expected: list[str]
    counted: list[Any]
    hidden: int
    unknown: dict[str, int]
    hidden_by_office: dict[str, int] = field(default_factory=dict)


def period_reports(rep: Replica, plan: Any, period: str) -> PeriodReports:
    """(HQ) the reports of ``period`` that are counted, and those that are not
    (see PeriodReports)."""
    from fieldplan.planops import PlanScope
    from fieldplan.progress import list_reports

    held = list_reports(rep, period=period)
    shown = PlanScope(plan).shown(held)
    expected = expected_offices(rep, plan, period, {r.office for r in shown})
    wanted = set(expected)
    unknown: dict[str, int] = {}
    for r in shown:
        if r.office not in wanted:
            unknown[r.office] = unknown.get(r.office, 0) + 1
    hidden: dict[str, int] = {}
    for r in held:
        hidden[r.office] = hidden.get(r.office, 0) + 1
    for r in shown:
        hidden[r.office] -= 1
    return PeriodReports(expected, [r for r in shown if r.office in wanted],
                         len(held) - len(shown), dict(sorted(unknown.items())),
                         {o: n for o, n in hidden.items() if n})


@dataclass(frozen=True)
class AwaitedOffices:
    """(HQ) who a period awaits and who has reported on it, as the review pack and the
    lock check count them (``period_reports``), for ``status``.

    period: the period (``2026-S1``). awaited: the offices awaited on it
    (``expected_offices``), headquarters left out, as the pack's cover's "of N" and the
    lock check's "N of M offices" count them. reported: of those, the offices that have
    submitted a report of it (drafts are not reported yet). not_awaited: the offices
    known here that it does not await (``not_awaited``: enrolled after it ended or was
    locked). hq_awaited / hq_reported: headquarters is awaited on it (on the global
    actions) / has submitted a report of its own. Codes in the order of
    offices.all_offices(). after_lock: those of not_awaited enrolled after it was
    locked (the lock came first: ``enrolled_too_late_why``), the others after it
    ended (none for a period not locked, as those ``status`` asks of). ``to_dict``
    gives that as ``not_awaited_why``: office → ``AFTER_END`` ("ended") or
    ``AFTER_LOCK`` ("locked"), in the order of not_awaited.
    """

    period: str
    awaited: tuple[str, ...]
    reported: tuple[str, ...]
    not_awaited: tuple[str, ...]
    hq_awaited: bool = False
    hq_reported: bool = False
    after_lock: tuple[str, ...] = ()

    @property
    def not_reported(self) -> tuple[str, ...]:
        """The offices awaited that have submitted nothing for the period."""
        return tuple(o for o in self.awaited if o not in self.reported)

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "awaited": list(self.awaited),
                "reported": list(self.reported), "not_reported": list(self.not_reported),
                "not_awaited": list(self.not_awaited), "hq_awaited": self.hq_awaited,
                "hq_reported": self.hq_reported,
                # (added after the keys above) why each of not_awaited is not awaited
                "not_awaited_why": {o: AFTER_LOCK if o in self.after_lock else AFTER_END
                                    for o in self.not_awaited}}


def awaited_offices(rep: Replica, plan: Any, period: str) -> AwaitedOffices:
    """(HQ) the offices ``period`` awaits, those of them that reported, and those known
    here that it does not await (see AwaitedOffices)."""
    from fieldplan.offices import HQ, all_offices

    counted = period_reports(rep, plan, period)
    submitted = {r.office for r in counted.counted if r.state == "submitted"}
    awaited = tuple(o for o in counted.expected if o != HQ)
    order = {o: i for i, o in enumerate(all_offices())}
    why = not_awaited_why(rep, plan, period, counted.expected)
    late = sorted(why, key=lambda o: (order.get(o, len(order)), o))
    return AwaitedOffices(period, awaited, tuple(o for o in awaited if o in submitted),
                          tuple(late), HQ in counted.expected, HQ in submitted,
                          tuple(o for o in late if why[o] == AFTER_LOCK))


def open_periods(rep: Replica, plan: Any, today: dt.date | None = None) -> list[str]:
    """(HQ) the periods of the plan that have begun by ``today`` (default: this
    computer's, ``events.local_today``) and that headquarters has not locked: those on
    which offices are still awaited, in order."""
    from fieldplan.progress import locked_periods

    today = today or events.local_today()
    locked = set(locked_periods(rep))
    return [str(p) for p in plan.periods()
            if plan.period_bounds(p)[0] <= today and str(p) not in locked]


def check_known_office(rep: Replica, office: str) -> None:
    """(HQ) ValidationError for an office headquarters never enrolled and holds no data
    of: most likely a slip of the keyboard (MR for ML), and a bundle for it would reach
    no one. The error names the offices HQ knows (the nearest, when there are many)."""
    import difflib

    from fieldplan.i18n import get_language
    from fieldplan.offices import office_name

    known = known_offices(rep)
    if office in known:
        return
    lang = get_language()
    name = office_name(office, lang)
    if not known:
        raise ValidationError(_(
            "{office} ({name}) was never enrolled, nor was any office yet: enrol it first "
            "with 'fieldplan office enroll {office}'").format(office=office, name=name))

    def closeness(code: str) -> float:
        return difflib.SequenceMatcher(None, office.upper(), code.upper()).ratio()

    few = len(known) <= FEW_OFFICES
    ranked = sorted(known, key=lambda c: (-closeness(c), c))
    # the offices sharing letters with it; any few, when none does
    shown = known if few else ([c for c in ranked if closeness(c) > 0][:NEAREST_OFFICES]
                               or ranked[:NEAREST_OFFICES])
    listed = join_list(f"{c} ({office_name(c, lang)})" for c in shown)
    if few:
        text = _("{office} ({name}) was never enrolled and headquarters holds no data of it: "
                 "check the code (offices known here: {offices}), or enrol it first with "
                 "'fieldplan office enroll {office}'")
    else:
        text = _("{office} ({name}) was never enrolled and headquarters holds no data of it: "
                 "check the code (the offices known here nearest to it: {offices}), or enrol "
                 "it first with 'fieldplan office enroll {office}'")
    raise ValidationError(text.format(office=office, name=name, offices=listed))


def _peers(rep: Replica, office: str) -> list[str]:
    """The replicas of ``office`` a bundle is for: not this one, nor one that a restored
    database continues, nor a revoked computer (their last receipts would hold the
    office's bundles back for ever; a revoked one still gets its own key records and
    headquarters', ``revocation_news``, to learn it was revoked). At HQ, a continued
    replica whose database is still in use on another computer is one
    (``fork.copies_in_use``), until its key is revoked (that replica alone); one that
    may be, until its receipts show it, gets what they need (``renewal_news``)."""
    keys = keyreg.all_keys(rep)
    cut_off = keyreg.cut_off(keys)
    gone = set(keyreg.successor_of(keys)) | cut_off
    if rep.is_hq:
        # a continued replica whose database is still in use (a copy on a second
        # computer) needs the office's events too: its receipts are a laptop's
        gone -= set(copies_in_use(rep)) - cut_off
    return sorted({k.replica for k in keys.values()
                   if k.office == office and k.replica and k.replica != rep.replica_id
                   and k.replica not in gone})


def _ack_floor(rep: Replica, peers: list[str], origin: str, *, to_hq: bool) -> int:
    if not peers:
        return 0
    marks = {p: 0 for p in peers}
    for peer, seq in rep.conn.execute(
        f"SELECT peer, seq FROM acks WHERE origin = ? AND peer IN ({','.join('?' * len(peers))})",
        (origin, *peers),
    ):
        marks[peer] = seq
    # HQ is one desk: what any HQ replica holds, HQ holds. An office's replicas each
    # need everything, so HQ sends from the lowest mark of them.
    return max(marks.values()) if to_hq else min(marks.values())


def pending_format(rep: Replica, office: str) -> int:
    """(HQ) The oldest bundle format that headquarters' next bundle for ``office`` needs
    (``formats.needed_format`` of the events it would carry, as the export finds them):
    a plan version that words units, installed and not acknowledged by the office,
    needs UNIT_WORDS_SINCE whatever the plan installed after it."""
    return formats.needed_format(rep, [(origin, after) for origin, after, *_rest
                                       in _runs(rep, office, office, full=False)])


def _runs(rep: Replica, recipient: str, side: str, *, full: bool
          ) -> list[tuple[str, int, int, int, int]]:
    """What a bundle for ``recipient`` carries, per replica: (origin, after, first,
    last, count), its events after ``after``. One place for the export and for
    ``unsent_events``: what status says is not yet sent is what the export sends."""
    peers = _peers(rep, recipient)
    # (HQ) an office computer whose history forked gets that replica's events again
    # from where they differ, whatever its receipts say: its import repairs it
    forks = held_forks(rep) if rep.is_hq else {}
    # (an office) a replica of this computer whose history HQ's receipts showed to
    # differ is sent from where it may differ: HQ then sees the fork and records it
    again = {} if rep.is_hq else resend_from(rep)
    # (HQ) a computer of the office set up from a setup bundle and not reported yet
    # holds what that bundle carried only
    from fieldplan.sync.enrol import pending_setups

    setups = pending_setups(rep, recipient) if rep.is_hq and not full else []
    out = []
    for origin in origins_for(rep, side):
        after = 0 if full else _ack_floor(rep, peers, origin, to_hq=not rep.is_hq)
        for held in setups:
            after = min(after, held.get(origin, 0))
        if origin in forks:
            after = min(after, forks[origin] - 1)
        if origin in again:
            after = min(after, again[origin] - 1)
        lo, hi, n = rep.conn.execute(
            "SELECT min(seq), max(seq), count(*) FROM events WHERE origin = ? AND seq > ?",
            (origin, after),
        ).fetchone()
        if n:
            out.append((origin, after, lo, hi, n))
    return out


def _hold_back(rep: Replica, office: str, runs: list[tuple[str, int, int, int, int]],
               news: dict[str, list[int]]
               ) -> tuple[list[tuple[str, int, int, int, int]], dict[str, list[int]], str]:
    """(HQ) ``runs`` and ``news`` for ``office`` without what none of its computers
    reads and what came after it (``formats.held_back``), and what the export says of
    it ("" when nothing is held back)."""
    keys = keyreg.all_keys(rep)
    # and a computer cut off, which reads the news of its own keys if it reads any
    cut_off = {k.replica for k in keys.values()
               if k.office == office and k.replica in keyreg.cut_off_by(keys)}
    cut, reads, needs = formats.held_back(rep, sorted(set(_peers(rep, office)) | cut_off),
                                         [(origin, after) for origin, after, *_r in runs],
                                         news)
    if not cut:
        return runs, news, ""
    kept = []
    for origin, after, lo, hi, n in runs:
        if origin in cut:
            lo, hi, n = rep.conn.execute(
                "SELECT min(seq), max(seq), count(*) FROM events "
                "WHERE origin = ? AND seq > ? AND seq < ?",
                (origin, after, cut[origin])).fetchone()
        if n:
            kept.append((origin, after, lo, hi, n))
    news = {origin: [s for s in seqs if origin not in cut or s < cut[origin]]
            for origin, seqs in news.items()}
    return kept, {o: seqs for o, seqs in news.items() if seqs}, formats.held_back_text(
        office, reads, needs)


def revocation_news(rep: Replica, office: str,
                    runs: list[tuple[str, int, int, int, int]]) -> dict[str, list[int]]:
    """(HQ) What a bundle for ``office`` carries beside ``runs`` (``_runs``) so that a
    computer of the office that headquarters cut off learns it: per origin, the seqs of
    the key events of that computer's keys (registration, rotation, revocation), and of
    headquarters' own keys (which key is headquarters' now), that its receipts do not
    cover and no run carries. ``_peers`` leaves such a computer
    out, so the runs start after what the office's other computers hold: without
    these, once another laptop acknowledged the revocation, the revoked one would
    never hear of it (its bundles refused, and 'set up again' refusing it too).
    Headquarters never gets its receipts again (its bundles are refused), so these few
    events go with every bundle for the office; its other computers hold them
    already (each is at or below what they all acknowledged)."""
    if not rep.is_hq:
        return {}
    keys = keyreg.all_keys(rep)
    by = keyreg.cut_off_by(keys)
    gone = sorted({k.replica for k in keys.values() if k.office == office and k.replica in by})
    if not gone:
        return {}
    wanted = sorted({k.key_id for k in keys.values() if k.replica in gone}
                    | {by[r] for r in gone} | headquarters_keys(keys))
    carried = {origin: after for origin, after, *_rest in runs}
    floors: dict[str, int] = {}
    out: dict[str, list[int]] = {}
    for origin, seq in rep.conn.execute(
            f"SELECT origin, seq FROM events WHERE entity = 'key' AND entity_id IN "
            f"({','.join('?' * len(wanted))}) ORDER BY origin, seq", wanted):
        if origin not in floors:
            floors[origin] = _ack_floor(rep, gone, origin, to_hq=False)
        if seq > floors[origin] and (origin not in carried or seq <= carried[origin]):
            out.setdefault(origin, []).append(seq)
    return out


def headquarters_keys(keys: dict[str, keyreg.KeyInfo]) -> set[str]:
    """The ids of headquarters' own keys, whose records a computer a revocation cut off
    is sent beside its own keys' (``revocation_news``): public, as every computer of
    every office holds them. Without them, after a rotation it never received, such a
    computer held headquarters' retired key for headquarters' key (its status said
    so), and a later key's change of status without the key
    (``KeyInfo.known_by_status``). Never the office's other computers' keys, nor any
    office's data."""
    return {k.key_id for k in keys.values() if k.office == "HQ"}


def renewal_news(rep: Replica, office: str,
                 runs: list[tuple[str, int, int, int, int]]) -> dict[str, list[int]]:
    """(HQ) What a bundle for ``office`` carries beside ``runs`` so that a computer of the
    office left on a replica another continues (its database copied to a second
    computer, the other one repaired or renewed) can show that it is in use: per
    origin, the seqs of the registration of the continuing replica's key and of the
    events before it that its receipts lack and no run carries
    (``fork.copies_to_prove``). Its next receipts name the registration
    (``fork.copies_in_use``), and the office's bundles go on from them. The office's
    other computers hold them already, as the revocation's (``revocation_news``)."""
    if not rep.is_hq:
        return {}
    carried = {origin: after for origin, after, *_rest in runs}
    out: dict[str, list[int]] = {}
    for old, (origin, seq) in sorted(copies_to_prove(rep, office).items()):
        floor = _ack_floor(rep, [old], origin, to_hq=False)
        top = min(seq, carried.get(origin, seq))
        out.setdefault(origin, []).extend(s for (s,) in rep.conn.execute(
            "SELECT seq FROM events WHERE origin = ? AND seq > ? AND seq <= ?",
            (origin, floor, top)))
    return {o: sorted(set(seqs)) for o, seqs in out.items() if seqs}


def _join_news(*news: dict[str, list[int]]) -> dict[str, list[int]]:
    """Per origin, the seqs any of ``news`` carries, in order, each once."""
    out: dict[str, set[int]] = {}
    for each in news:
        for origin, seqs in each.items():
            out.setdefault(origin, set()).update(seqs)
    return {o: sorted(seqs) for o, seqs in out.items()}


def unsent_events(rep: Replica) -> int:
    """(office) How many events the next export to headquarters carries: this
    computer's that headquarters has not acknowledged, those of the replicas it
    continues after a renewal included (and those sent again after a fork). 0 at
    headquarters, which exports for one office at a time."""
    return sum(unsent_split(rep))


def unsent_split(rep: Replica) -> tuple[int, int]:
    """(office) What the next export to headquarters carries (``unsent_events``), in
    two: (events in no bundle yet, events a bundle exported already carried that
    headquarters has not acknowledged yet). (0, 0) at headquarters."""
    if rep.is_hq:
        return 0, 0
    tops = events.exported_seqs(rep.conn)
    new = sent = 0
    for origin, after, _lo, hi, n in _runs(rep, "HQ", rep.office, full=False):
        exported = tops.get(origin, 0)
        if exported <= after:
            new += n
        else:
            fresh = rep.conn.execute("SELECT count(*) FROM events WHERE origin = ? AND seq > ?",
                                     (origin, min(exported, hi))).fetchone()[0]
            new, sent = new + fresh, sent + n - fresh
    return new, sent


def enrolment_proof(rep: Replica, signer: PublicKey) -> dict[str, str] | None:
    raw = rep.meta("enrolment")
    if not raw:
        return None
    info = json.loads(raw)
    registered = keyreg.all_keys(rep).get(signer.key_id_hex)
    if registered and registered.source == "registry":
        return None  # HQ has registered this key: no need to prove anything any more
    mac = hmac.new(info["token"].encode(), ENROL_CONTEXT + signer.raw + rep.replica_id.encode(),
                   hashlib.sha256).hexdigest()
    return {"id": info["id"], "proof": mac}


def export_bundle(
    rep: Replica,
    *,
    for_office: str | None = None,
    out_file: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a signed bundle of what the recipient has not acknowledged (everything
    with ``full``). An office writes for HQ; HQ names the office with ``for_office``."""
    from fieldplan.files import check_output_name
    from fieldplan.offices import check_office

    if out_file is not None:
        check_output_name("bundle", out_file)
    rep.reread_identity()  # (renewed by another program's import since it was read)
    if rep.is_hq:
        if not for_office:
            raise ValidationError(_("headquarters exports for one office: name it with --for"))
        recipient = check_office(for_office)
        if recipient == "HQ":
            raise ValidationError(_("headquarters exports for an office, not for itself"))
        check_known_office(rep, recipient)
        side = recipient
    else:
        if for_office and check_office(for_office) != "HQ":
            raise ValidationError(_("an office exports for headquarters only (--for HQ)"))
        if keyreg.own_key_status(rep) == "revoked":
            from fieldplan.status import revoked_text

            raise ValidationError(revoked_text(unsent_events(rep), keyreg.replaced_here(rep)))
        recipient = "HQ"
        side = rep.office
    # first: a key file that is missing or another computer's signs nothing, a folder
    # that is not there or a name another computer's bundle holds takes nothing, and
    # a refused export leaves no trace (not even its backup)
    secret = keyreg.secret_key(rep)
    if out_dir is not None and not out_file:
        # the folder given named, not the file the export chose in it
        _check_folder(Path(out_dir), bundles=False)
    elif out_file and not os.path.isdir(out_file):
        # (again below, just before writing)
        check_bundle_target(rep, Path(out_file), recipient)
    # an office that never imports had no backup at all: one a day, taken here
    rep.backup_if_due("before-export")
    ranges: dict[str, list[int]] = {}
    plan: list[tuple[str, int, int]] = []
    count = 0
    runs = _runs(rep, recipient, side, full=full)
    # (HQ) and what a revoked computer of the office needs to learn it was revoked, or
    # a copy left on a continued replica to show it is in use
    news = _join_news(revocation_news(rep, side, runs), renewal_news(rep, side, runs))
    held_back = ""
    if rep.is_hq:
        # what no computer of the office reads waits for its fieldplan to be updated;
        # what came before it, and the receipts, go now
        runs, news, held_back = _hold_back(rep, recipient, runs, news)
    for origin, after, lo, hi, n in runs:
        ranges[origin] = [lo, hi]
        plan.append((origin, after, hi))
        count += n
    for origin, seqs in news.items():
        ranges[origin] = [seqs[0], ranges.get(origin, [0, seqs[-1]])[1]]
        count += len(seqs)
    # receipts for everything both sides write: an office acknowledges HQ's events too,
    # so HQ stops re-sending the plan and the key registry
    relevant = {k.replica for k in keyreg.all_keys(rep).values()
                if k.office in ("HQ", side) and k.replica} | {rep.replica_id}
    held = events.holdings(rep.conn, relevant)
    manifest: dict[str, Any] = {
        "kind": KIND_SYNC, "plan_id": rep.plan_id, "sender": rep.replica_id,
        "office": rep.office, "recipient": recipient, "ranges": ranges,
        "acks": {o: s for o, s in held.items() if o in relevant},
    }
    # each receipt with the hash of the event it names: the other side sees whether
    # it holds that very event (a history that forked where no event shows it)
    manifest["ack_hashes"] = {o: h for o, s in manifest["acks"].items()
                              for (h,) in rep.conn.execute(
                                  "SELECT hash FROM events WHERE origin = ? AND seq = ?",
                                  (o, s))}
    proof = enrolment_proof(rep, secret.public)
    if proof:
        manifest["enrolment"] = proof
    if news:
        # (the office's other computers hold them: a bundle of these alone is no
        # duplicate there)
        manifest[REVOCATION_RECORDS] = sum(map(len, news.values()))
    rotation = keyreg.rotation_chain(rep)
    if rotation:
        manifest["rotation"] = rotation
    # a recipient not updated yet reads the oldest format the events fit in
    manifest.update(formats.manifest_fields())
    version, behind = formats.choose_format(rep, recipient, _peers(rep, side),
                                            plan, also=news)
    own = ranges.get(rep.replica_id)
    # none of its own events (receipts, or what HQ relays): named by its last event
    # so far, which it does not carry (bundle_filename), not "-0-0"
    first, last = own if own else (None, rep.conn.execute(
        "SELECT coalesce(max(seq), 0) FROM events WHERE origin = ?",
        (rep.replica_id,)).fetchone()[0])
    who = rep.office if not rep.is_hq else f"HQ-to-{recipient}"
    name = bundlefmt.bundle_filename(who, rep.replica_id[:8], first, last)
    path = Path(out_file) if out_file else Path(out_dir or ".") / name
    if os.path.isdir(path):  # (a name too long: the writer says so, in words)
        path = path / name
    chosen = not out_file or path != Path(out_file)
    named = path
    if chosen:  # the export chose the name: never over another file (free_name)
        path = free_name(path)
    else:  # the person named it
        check_bundle_target(rep, path, recipient)
    rep.mark_now()  # (no peer may hold an event of this replica the mark lacks)
    info = bundlefmt.write_bundle(path, manifest, event_lines(rep, plan, news), secret,
                                  progress=_adapt(progress, count), version=version,
                                  fresh=chosen)
    before = same_as_before(info.path, named) if chosen else None
    if before is not None:
        try:
            os.replace(info.path, before)
        except OSError:
            before = None  # (held open elsewhere, on Windows): the second name kept
        else:
            from fieldplan import files

            # the rename on the disk (a USB stick pulled out next), as after every other
            files._fsync_directory(before.parent)
            info = bundlefmt.BundleInfo(before, info.bundle_id, info.event_count, info.size)
    warning = join_clauses([held_back, behind])
    try:
        with store.write_transaction(rep.conn):
            # what it carried of each replica (status: sent, not acknowledged yet)
            events.note_exported(rep.conn, {o: r[1] for o, r in ranges.items()})
            at = events.utc_iso()
            if not rep.is_hq:
                # when each report's version left (the report form's "Sent on …")
                from fieldplan.sync.receipts import note_export_times

                note_export_times(rep, {o: hi for o, _after, hi in plan},
                                  {o: after for o, after, _hi in plan}, at)
            events.set_meta(rep.conn, "last_export", events.canonical_json(
                {"at": at, "path": shown_name(str(info.path)),
                 "events": info.event_count, "recipient": recipient}))
    except FieldplanError as exc:
        # the bundle is written and good: only "last export" in the status is not
        # (a full disk); failing here would make people export again and again
        warning = join_clauses([held_back, behind, _(
            "the bundle is written, but this export could not be noted in the "
            "database: {error}").format(error=exc)])
    # a new office's first bundle carries its enrolment proof: the one that matters most
    note = receipts_only_text(recipient) if info.event_count == 0 and not proof else ""
    return ExportResult(info.path, info.event_count, info.size, info.bundle_id, recipient,
                        warning, note, again=before is not None)


@dataclass(frozen=True)
class OfficeExport:
    """One office of an export for every office: the bundle written for it, or why
    none was."""

    office: str
    #: the bundle written, or None
    result: ExportResult | None = None
    #: why no bundle was written, in one line ("" when one was)
    reason: str = ""
    #: not tried: the export was cancelled before this office
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        if self.result is None:
            return {"office": self.office, "reason": self.reason, "cancelled": self.cancelled}
        return {"office": self.office, **self.result.to_dict()}


@dataclass(frozen=True)
class AllOfficesExport:
    """What ``export_all_offices`` did: the folder, and one ``OfficeExport`` per office
    headquarters knows, by code."""

    folder: Path
    offices: tuple[OfficeExport, ...]

    @property
    def cancelled(self) -> bool:
        """Whether it stopped before the last office."""
        return any(o.cancelled for o in self.offices)

    @property
    def written(self) -> tuple[ExportResult, ...]:
        return tuple(o.result for o in self.offices if o.result is not None)

    @property
    def failed(self) -> tuple[OfficeExport, ...]:
        return tuple(o for o in self.offices if o.result is None)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "cancelled": self.cancelled,
                "bundles": [o.to_dict() for o in self.offices if o.result is not None],
                "failures": [o.to_dict() for o in self.failed]}


def export_all_offices(
    rep: Replica,
    out_dir: str | os.PathLike[str],
    *,
    full: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    each: Callable[[OfficeExport], None] | None = None,
    check: Callable[[], None] | None = None,
) -> AllOfficesExport:
    """(HQ) ``export_bundle`` for every office headquarters knows (``known_offices``:
    the ones ``--for`` accepts), each into ``out_dir`` under the name it chooses. An
    office whose bundle cannot be written (a disk full half-way) is one failure with
    its reason, and the next offices are still tried: a bundle is written whole or
    not at all (``write_bundle``), so the folder holds only the bundles said written.
    ``progress(done, total, label)`` counts offices; ``cancel()`` stops before the
    next one (those left are failures, "cancelled"); ``each(office_export)`` is told
    of every office as it is done (the command line prints as it goes). ``check()``
    looks at the folder before each office (the client's: the USB stick it is on still
    mounted); a FieldplanError from it ends the export, that office and the ones after
    it failures with its reason: a stick pulled out half-way leaves its mount point, a
    folder on the computer's own disk, and the bundles written on went there."""
    if not rep.is_hq:
        raise ValidationError(_("only headquarters writes bundles for every office; an "
                                "office exports for headquarters"))
    folder = Path(out_dir)
    _check_folder(folder)  # once, not the same failure for each office
    _check_folder_takes_files(folder)  # (a read-only stick: once, not 57 times)
    keyreg.secret_key(rep)  # so too a key file that cannot sign (missing, another's)
    offices = known_offices(rep)
    if not offices:
        raise ValidationError(_("headquarters knows no office yet: enrol one first with "
                                "'fieldplan office enroll CODE'"))
    done: list[OfficeExport] = []
    for i, office in enumerate(offices):
        if cancel is not None and cancel():
            done.extend(OfficeExport(o, reason=_("not written: the export was cancelled"),
                                     cancelled=True) for o in offices[i:])
            break
        if progress is not None:
            progress(i, len(offices), _("Writing the bundle for {office}…").format(
                office=office))
        if check is not None:
            try:
                check()
            except FieldplanError as exc:
                left = [OfficeExport(o, reason=str(exc)) for o in offices[i:]]
                done.extend(left)
                if each is not None:
                    for one in left:
                        each(one)
                break
        try:
            one = OfficeExport(office, export_bundle(rep, for_office=office, out_dir=folder,
                                                     full=full))
        except FieldplanError as exc:  # (a FileError too: said with its file)
            one = OfficeExport(office, reason=str(exc))
        except OSError as exc:  # (from no write: a look at the folder)
            from fieldplan.files import cannot_write

            one = OfficeExport(office, reason=str(cannot_write(exc.filename or folder, exc)))
        done.append(one)
        if each is not None:
            each(one)
    if progress is not None:
        progress(len(offices), len(offices), "")
    return AllOfficesExport(folder, tuple(done))


def _check_folder_takes_files(folder: Path) -> None:
    """FileError unless a file can be made in ``folder``, by making a temporary one
    there and removing it: a read-only disk (a stick's write-protect switch) or a
    folder the person may not write to refused each office's bundle in turn, the same
    reason 57 times (only the file's name differing), where it is one."""
    from fieldplan.files import cannot_write, temporary_name

    tmp = temporary_name(folder / "probe.fieldplan")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except OSError as exc:
        raise cannot_write(folder, exc, folder=folder) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        tmp.unlink()


def _check_folder(folder: Path, *, bundles: bool = True) -> None:
    """FileError unless ``folder`` is a folder that is there (to write ``bundles``, or
    one bundle)."""
    from fieldplan.errors import FileError
    from fieldplan.files import cannot_write

    try:
        is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            # a name too long, a folder on the way not to be looked in: in words
            raise cannot_write(folder, exc) from None
        is_dir = None
    if is_dir:
        return
    # Translators: {folder} is where bundles were to be written
    reason = (_("{folder} is a file, not a folder") if is_dir is not None
              else _("the folder {folder} does not exist"))
    said = (_("cannot write bundles: {reason}") if bundles
            # Translators: as "cannot write bundles: …", of one bundle
            else _("cannot write the bundle: {reason}"))
    raise FileError(said.format(reason=reason.format(folder=ltr(folder))))


def check_bundle_target(rep: Replica, path: Path, recipient: str = "HQ",
                        kind: str = KIND_SYNC) -> None:
    """BundleNameTakenError unless a bundle of this computer may be written at the
    name a person gave: nothing is there, or this computer's own earlier bundle of
    the same ``kind`` for the same ``recipient`` (and a folder, a device... which
    writing refuses with its own reason). Another computer's bundle is not replaced:
    two laptops exporting to one name on a shared USB stick would each destroy the
    other's bundle before it is sent; nor is a file that is no bundle at all; nor
    headquarters' own bundle for another office, or a setup bundle (its token) not
    sent yet, which the next bundle given the same name destroyed unsaid."""
    from fieldplan.files import check_writable

    check_writable(path)  # a database, a secret key...: said as such
    if not os.path.isfile(path):
        return
    try:
        with bundlefmt.open_bundle(path, check_events=False) as held:
            sender, office = held.manifest.get("sender"), held.manifest.get("office")
            was_kind = held.manifest.get("kind", KIND_SYNC)
            was_for = held.manifest.get("recipient")
    except (BundleError, OSError, *_HOSTILE):
        reason = _("it is not a fieldplan bundle this computer can read; choose another "
                   "file")
    else:
        if sender in keyreg.own_replicas(rep):
            if (was_kind, was_for) == (kind, recipient):
                return
            if was_kind == KIND_SETUP:
                # Translators: {office} is an office code
                reason = _("it is a setup bundle this computer wrote for {office}; choose "
                           "another file").format(office=was_for)
            else:
                # Translators: {office} is an office code
                reason = _("it is a bundle this computer wrote for {office}; choose "
                           "another file").format(office=was_for)
            raise BundleNameTakenError(_("cannot write {file}: {reason}").format(
                file=ltr(path), reason=reason))
        # (another database: it may be on this computer, a trial HQ one)
        reason = _("it is a bundle another fieldplan database wrote ({office}, replica "
                   "{replica}); choose another file").format(office=office,
                                                              replica=str(sender)[:8])
    raise BundleNameTakenError(_("cannot write {file}: {reason}").format(
        file=ltr(path), reason=reason))


def event_lines(rep: Replica, plan: list[tuple[str, int, int]],
                also: dict[str, list[int]] | None = None) -> Iterator[bytes]:
    """The stored event lines, exactly as signed: no parse and re-serialise. ``plan``:
    per origin, its run (after, up to): the events the manifest's ranges say, not one
    another program saved since they were read (the bundle carried events its signed
    manifest did not list, and the status counted them unsent). ``also``: per origin,
    events at or below its run's start to carry before the run (each origin's events
    in increasing order, as the import wants them). Each is
    checked against its hash first: a line changed on disk (a bad sector inside it
    passes SQLite's quick check) would break its replica's hash chain, and the other
    side would refuse this bundle and every later one. Such a line is
    DamagedDatabaseError naming the event, with the restore; nothing is written.
    (Read as bytes, as they were hashed: the check costs less than the decoding it
    spares.)"""
    sha256 = hashlib.sha256
    also = also or {}
    runs = {origin: (after, upto) for origin, after, upto in plan}
    for origin in [*runs, *(o for o in also if o not in runs)]:
        picked = [rep.conn.execute(
            "SELECT seq, CAST(hash AS BLOB), CAST(body AS BLOB) FROM events "
            "WHERE origin = ? AND seq = ?", (origin, seq)) for seq in also.get(origin, ())]
        if origin in runs:
            picked.append(rep.conn.execute(
                "SELECT seq, CAST(hash AS BLOB), CAST(body AS BLOB) FROM events "
                "WHERE origin = ? AND seq > ? AND seq <= ? ORDER BY seq",
                (origin, *runs[origin])))
        for cur in picked:
            for seq, digest, body in cur:
                if body is None or sha256(body).hexdigest().encode() != digest:
                    raise store.damaged_error(rep.path,
                                              store.altered_event_text(origin, seq))
                yield body


def _adapt(progress: Progress | None, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda done, _t, label: progress(done, total, label)
