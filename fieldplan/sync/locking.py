"""What headquarters should know before it locks a period: whether it is locked
already, whether the period has ended, the reports still in draft and the offices that
have submitted nothing (once they receive the lock they can no longer submit), and
apart from them headquarters' own reports on the global actions (it is no office that
reports to itself), the open conflicts in its reports (no one can settle them while it
is locked) and the quarantined bundles holding reports of it (trusted after the lock,
they are changes to the locked period). The client's confirmation and ``fieldplan
period lock`` both say ``LockCheck.warnings()``."""

from __future__ import annotations

import io
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan import events
from fieldplan.errors import FieldplanError, ValidationError
from fieldplan.i18n import _, counted, format_date, format_number, join_list, ngettext
from fieldplan.offices import HQ
from fieldplan.periods import as_period
from fieldplan.progress import is_locked
from fieldplan.replica import Replica
from fieldplan.sync.conflicts import count_conflicts
from fieldplan.sync.export import PeriodReports, expected_offices, period_reports
from fieldplan.sync.state import lost_differs


@dataclass(frozen=True)
class LockCheck:
    """A period as headquarters is about to lock or unlock it.

    period: the period (``2026-S1``). locked: whether it is locked now. conflicts: open
    conflicts in reports of the period. quarantined: bundles in quarantine that hold
    reports of the period. drafts: the offices' reports of the period still in draft
    (those the review pack counts: of the offices it expects, shown by the plan),
    headquarters' own left out: no office receives the lock for them. hq_drafts:
    headquarters' own reports of the period still in draft, said apart (once it is
    locked, they cannot be submitted until it is unlocked). offices: the
    offices the review pack expects (sync.export.expected_offices: enrolled before the
    period ended and before its lock, or with a report of it), headquarters left
    out: a reader does not count it among the offices that report to it ("7 of 7
    offices" counted it). unsubmitted: how many of them have submitted no report for
    the period. hq_unsubmitted: headquarters is expected (on the global actions) and
    has submitted none of its own reports for the period, said apart. ends: the
    period's last day in the plan. ongoing: the period has not ended yet (today is not
    past ``ends``). lost_other: (restored from a backup) offices may hold the period
    otherwise than ``locked`` says, a lock or unlock of it having been lost
    (``state.lost_differs``): locking or unlocking it as it is shown here still reaches
    them.
    """

    period: str
    locked: bool
    conflicts: int
    quarantined: int
    drafts: int = 0
    hq_drafts: int = 0
    offices: int = 0
    unsubmitted: int = 0
    hq_unsubmitted: bool = False
    ends: date | None = None
    ongoing: bool = False
    lost_other: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ends"] = self.ends.isoformat() if self.ends else None
        return data

    def warnings(self) -> tuple[str, ...]:
        """What locking the period now would leave undone or stuck, one sentence each
        (in the interface's language), the most pressing first; () when nothing."""
        said = []
        if self.ongoing and self.ends is not None:
            said.append(_(
                "This period has not ended: it runs until {date}. Offices that receive "
                "the lock can no longer record or submit reports for it.").format(
                    date=format_date(self.ends)))
        if self.unsubmitted and self.unsubmitted == self.offices == 1:
            said.append(_("The one office awaited on this period has submitted nothing "
                          "for it."))
        elif self.unsubmitted and self.unsubmitted == self.offices:
            # ("58 of 58 offices have submitted nothing" when none has; n is 2 or more)
            said.append(counted(
                "None of the {n} office has submitted anything for this period.",
                "None of the {n} offices has submitted anything for this period.",
                self.offices))
        elif self.unsubmitted:
            said.append(counted(
                "{n} of {total} offices has submitted nothing for this period.",
                "{n} of {total} offices have submitted nothing for this period.",
                self.unsubmitted, total=format_number(self.offices)))
        if self.hq_unsubmitted:
            said.append(hq_unsubmitted_text())
        if self.drafts:
            said.append(counted(
                "{n} report of this period is still a draft: once its office receives "
                "the lock, it can no longer be submitted.",
                "{n} reports of this period are still drafts: once their offices "
                "receive the lock, they can no longer be submitted.",
                self.drafts))
        if self.hq_drafts:
            # headquarters holds the lock: no office receives it for these
            said.append(counted(
                "{n} of headquarters' own reports of this period is still a draft: "
                "once the period is locked, it cannot be submitted unless the period is "
                "unlocked.",
                "{n} of headquarters' own reports of this period are still drafts: "
                "once the period is locked, they cannot be submitted unless the period "
                "is unlocked.",
                self.hq_drafts))
        if self.conflicts:
            said.append(counted(
                "{n} open conflict in this period: no one can settle it while the "
                "period is locked.",
                "{n} open conflicts in this period: no one can settle them while the "
                "period is locked.", self.conflicts))
        if self.quarantined:
            said.append(counted(
                "{n} bundle waiting in quarantine holds reports of this period: "
                "trusted after the lock, it brings changes to the locked period.",
                "{n} bundles waiting in quarantine hold reports of this period: "
                "trusted after the lock, they bring changes to the locked period.",
                self.quarantined))
        return tuple(said)


def lock_check(rep: Replica, period: str, today: date | None = None) -> LockCheck:
    """The period's lock, end, drafts, silent offices, open conflicts and quarantined
    bundles (see LockCheck). ``today``: the date to judge the period's end by (default:
    this computer's, by the clock writes are stamped with: ``events.local_today``)."""
    period = str(as_period(period))
    plan = rep.plan()
    try:
        ends: date | None = plan.period_bounds(period)[1]
    except ValidationError:  # not a period of the plan: no end to judge
        ends = None
    today = today or events.local_today()
    # the reports the review pack counts: the expected offices', the plan shows
    try:
        counted = period_reports(rep, plan, period)
    except ValidationError:  # outside the plan, nothing held: no report to count
        counted = PeriodReports(expected_offices(rep, plan, period), [], 0, {})
    drafts = [r.office for r in counted.counted if r.state != "submitted"]
    submitted = {r.office for r in counted.counted if r.state == "submitted"}
    offices = [o for o in counted.expected if o != HQ]
    conflicts = count_conflicts(rep, period)
    held = sum(1 for (data,) in rep.conn.execute(
        "SELECT data FROM quarantine ORDER BY received_at, bundle_id")
        if _holds_period(data, period))
    locked = is_locked(rep, period)
    return LockCheck(
        period, locked, conflicts, held,
        drafts=sum(1 for o in drafts if o != HQ), hq_drafts=drafts.count(HQ),
        offices=len(offices), unsubmitted=len(set(offices) - submitted),
        hq_unsubmitted=HQ in counted.expected and HQ not in submitted,
        ends=ends,
        ongoing=ends is not None and today <= ends,
        lost_other=lost_differs(rep, "lock", period, "locked", locked))


def hq_unsubmitted_text(gettext: Callable[[str], str] = _) -> str:
    """What the lock check and the review pack say when headquarters, expected on the
    plan's global actions, has submitted none of its own reports for the period (it
    is not counted among the offices: see LockCheck). ``gettext``: the pack's."""
    return gettext("Headquarters has submitted none of its own reports on the global "
                   "actions for this period.")


def not_awaited_text(offices: Iterable[str], ngettext: Callable[[str, str, int], str]
                     = ngettext, lang: str | None = None,
                     after_lock: Container[str] = ()) -> str:
    """What the review pack and HQ's Overview say of the offices a period does not
    await (sync.export.not_awaited): known here, enrolled after it ended, or after it
    was locked (``after_lock``: those, the lock having come first:
    ``sync.export.enrolled_too_late_why``), each said of its own offices. ``offices``:
    their codes, in the order to name them; ``ngettext``, ``lang``: the pack's
    (default: the interface's)."""
    from fieldplan.i18n import get_language
    from fieldplan.offices import office_name

    lang = lang or get_language()
    offices = list(offices)

    def named(codes: list[str]) -> str:
        return join_list((f"{office_name(o, lang)} ({o})" for o in codes), lang)

    ended = [o for o in offices if o not in after_lock]
    locked = [o for o in offices if o in after_lock]
    said = []
    if ended:
        # Translators: {offices} are offices by name and code, "Regional Office,
        # Cairo (RO-Cairo)"
        said.append(ngettext(
            "Not awaited on this period, as it was enrolled after the period ended: "
            "{offices}.",
            "Not awaited on this period, as they were enrolled after the period ended: "
            "{offices}.", len(ended)).format(offices=named(ended)))
    if locked:
        # Translators: {offices} are offices by name and code, "Regional Office,
        # Cairo (RO-Cairo)"; enrolled after headquarters locked the period (before it
        # ended)
        said.append(ngettext(
            "Not awaited on this period, as it was enrolled after the period was "
            "locked: {offices}.",
            "Not awaited on this period, as they were enrolled after the period was "
            "locked: {offices}.", len(locked)).format(offices=named(locked)))
    return " ".join(said)


def _holds_period(data: bytes, period: str) -> bool:
    """Whether a quarantined bundle holds a report of ``period``. One that cannot be
    read (it was whole when it was quarantined) is counted: it may."""
    suffix = f"|{period}"
    try:
        with bundlefmt.open_bundle(io.BytesIO(data), check_events=False) as held:
            for event in held.iter_events():
                if event.get("entity") == "progress" and str(event.get("id", "")).endswith(
                        suffix):
                    return True
    except (FieldplanError, OverflowError, RecursionError, UnicodeError, ValueError):
        return True
    return False
