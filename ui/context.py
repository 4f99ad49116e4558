"""What every view needs to know about the open database, fetched on the worker and
passed around explicitly: identity, the plan and the reporting periods. Read again
when the plan changes (an amendment imported): the window hands the new one to its
views (MainWindow.set_identity)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldplan.errors import ValidationError
from fieldplan.i18n import _, get_language, level_label, role_label
from fieldplan.offices import level_for_office, office_name
from fieldplan.plan import Action, Plan
from fieldplan.replica import Replica


@dataclass(frozen=True)
class Identity:
    """This replica: role (hq/office), office code, replica id, the plan it holds."""

    role: str
    office: str
    replica_id: str
    plan: Plan
    db_path: str
    #: the database is on a read-only disk or folder (store.connect): shown, not edited
    read_only: bool = False
    #: this computer's replicas: ``replica_id``, then those its database continues
    #: after restores from backups (``sync.keys.own_replicas``); the drafts journal
    #: names them, and is applied to no other database (ui.drafts)
    replicas: tuple[str, ...] = ()
    #: the periods headquarters had locked when this was read: a new window does not
    #: open on one (``current_period``); the window follows later locks itself
    #: (MainWindow.locked). Not part of who the replica is: two reads that differ only
    #: by a lock imported between them are the same identity.
    locked: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def is_hq(self) -> bool:
        return self.role == "hq"

    @property
    def level(self) -> str:
        """The level of the actions this office reports on."""
        return level_for_office(self.office)

    def periods(self) -> list[str]:
        return [str(p) for p in self.plan.periods()]

    def current_period(self, today: dt.date | None = None) -> str:
        """The period a window opens on: the one whose reports are being written on
        ``today`` (this computer's day, by default), clamped to the plan's periods.
        A semester's reports are written after it ends, until they are due
        (``REPORTING_DAYS`` later): on 1 July at 00:30 in Jakarta, the first semester's
        report is what an office is finishing, not the second's, just begun.

        Headquarters may lock that semester before its reports are due (after its
        review, in July): nothing can be written in it then, and the window opens on
        the semester ``today`` is in, unless that one is locked too (headquarters
        locked it before it ended: then the one being reported, whose lock the window
        shows). Never on a semester not begun yet: a report on one is most likely
        meant for another (``progress.not_started_problem``). Headquarters itself opens
        on the semester being reported, locked or not: it locks a semester to review it,
        and its review pack and overview are that semester's until they are due.

        Headquarters' deadline for a period is not known here (it is an option of its
        review pack, not sent to offices): ``REPORTING_DAYS`` is the deadline."""
        from fieldplan import events
        from fieldplan.reports import REPORTING_DAYS

        # (the clock writes are stamped with, in this computer's time zone)
        today = today or events.local_today()
        reported = self._period_of(today - dt.timedelta(days=REPORTING_DAYS))
        if reported in self.locked and not self.is_hq:
            now = self._period_of(today)
            if now not in self.locked:
                return now
        return reported

    def _period_of(self, day: dt.date) -> str:
        """The plan's period ``day`` is in; its first before the plan, its last after."""
        found = self.plan.period_for_date(day)
        if found is not None:
            return str(found)
        periods = self.periods()
        return periods[-1] if day > self.plan.end else periods[0]

    def nearest_period(self, period: str) -> str:
        """``period`` if the plan has it, else the plan's period nearest to it (its
        first or its last: a plan's periods follow one another)."""
        periods = self.periods()
        if period in periods:
            return period
        return periods[0] if period < periods[0] else periods[-1]

    def own_actions(self, due: str | None = None,
                    reported: Container[str] = ()) -> tuple[Action, ...]:
        """The actions this office reports on; with ``due``, those whose report is due
        in that period or ``reported`` (``Plan.actions_of``)."""
        return self.plan.actions_of(level=self.level, due=due, reported=reported)

    def no_action_text(self) -> str:
        """What the dashboard and the plan say where the plan has no action at this
        office's level (an amendment dropped them): nothing to report here."""
        # Translators: {level} is a level's name, capitalised as the status sheet
        # writes it ("the current plan has no action at this office's level
        # (National)")
        none = _("The current plan has no action at this office's level ({level}): "
                 "there is nothing to report here.").format(level=level_label(self.level))
        if self.is_hq:
            from fieldplan.i18n import without_mnemonic

            # Translators: after "The current plan has no action at this office's
            # level (Global): there is nothing to report here."; {tab} is the tab
            # "Overview", as translated there
            none += " " + _("The offices' reports are on the {tab} tab.").format(
                tab=without_mnemonic(_("&Overview")))
        return none

    def role_text(self) -> str:
        return role_label(self.role) if self.role else ""

    def office_text(self) -> str:
        return office_label(self.office)

    def level_text(self) -> str:
        return level_label(self.level)


def demo_path() -> Path:
    """The demo database the client opens (``gui --demo``, the first run's Open the
    demo), made on first use; where it is, spelt, without a look at the disk."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fieldplan", appauthor=False)) / "demo" / "hq.sqlite3"


def read_identity(rep: Replica) -> Identity:
    """(worker) who this replica is and its plan."""
    from fieldplan.draftfiles import DraftsOwner
    from fieldplan.progress import locked_periods

    return Identity(
        role=rep.role,
        office=rep.office,
        replica_id=rep.replica_id,
        plan=rep.plan(),
        db_path=str(rep.path),
        read_only=getattr(rep.conn, "read_only", False),
        replicas=DraftsOwner.of(rep).replicas,
        locked=frozenset(locked_periods(rep)),
    )


def read_only_text() -> str:
    """Why nothing can be changed in a database opened read-only (``Identity.read_only``):
    one sentence wherever it is said (the report editor's notice, the tip of each
    action or button that would write)."""
    return _("This database is on a read-only disk or folder: it can be read, not changed.")


def allow_writes(target: Any, identity: Identity | None, enabled: bool = True,
                 tip: str = "") -> None:
    """Enable ``target``, an action or a button that writes to the database, when
    ``enabled`` and the database can be written; on one opened read-only (a
    write-protected USB stick) it is disabled and its tip says why (``read_only_text``),
    rather than failing after its confirmation. ``tip``: its tip otherwise."""
    read_only = identity is not None and identity.read_only
    target.setEnabled(enabled and not read_only)
    shown = read_only_text() if read_only else tip
    target.setToolTip(shown)
    target.setStatusTip(shown)


def lang() -> str:
    """The current language as a plan text key (en, fr, ar)."""
    code = get_language()
    return code if code in ("en", "fr", "ar") else "en"


def office_label(office: str) -> str:
    """"ML · Mali", "HQ · Headquarters": an office as the client names it, with its
    name in the language shown; a code this version does not know, as written."""
    try:
        return f"{office} · {office_name(office, lang())}"
    except (ValidationError, KeyError):
        return office


def unbroken(text: str) -> str:
    """``text`` (a time: "05/12/2026، 9:31 ص") that a wrapping label never breaks
    across lines: no-break spaces, and a word joiner after each other character that is
    not a letter or digit. A version's heading in Arabic broke inside its date ("05/"
    at the end of a line, "2026/12" on the next), which then read as another date."""
    return re.sub(r"(?<=\W)(?=.)", "\u2060", text.replace(" ", "\u00a0"), flags=re.S)


def unbroken_span(text: str, first: str, last: str) -> str:
    """``text`` with its part from ``first`` through ``last`` ``unbroken``: a date and
    its time with the words between them ("6 mars 2027 à 15:44"), which a wrapping
    label broke after "à" in French. ``text`` as it is where it does not hold both in
    that order."""
    start = text.find(first) if first else -1
    end = text.find(last, start + len(first)) if start >= 0 and last else -1
    if end < 0:
        return text
    end += len(last)
    return text[:start] + unbroken(text[start:end]) + text[end:]


#: the times ``time_text`` wrote, by ISO string, language and time zone
_times: dict[tuple[Any, ...], str] = {}
#: the most it holds before it is emptied
_TIMES_HELD = 4096


def time_text(when: str | dt.datetime | None) -> str:
    """A time as every view of the client shows it, in the user's language and time
    zone: the medium date and the short time ("27 Nov 2026, 23:15" / "27 nov. 2026,
    23:15" / "27/11/2026، 11:15 م"). An ISO string that is not a time comes back as
    it is; an empty one as "".

    One helper for the tables, the status bar, the conflicts and the dialogs, so the
    same moment reads the same everywhere.

    Each ISO time is written once in a language and time zone (``_times``): the
    Conflicts page wrote each version's time three times at each conflict chosen (its
    heading, its width, its Keep button's name), babel's formatting a tenth of each
    step through the conflicts with the arrow keys."""
    if not when:
        return ""
    import time

    from fieldplan.i18n import _locale

    key = None
    if isinstance(when, str):
        key = (when, _locale(None), time.tzname, time.timezone, time.altzone)
        known = _times.get(key)
        if known is not None:
            return known
    text = _time_text(when)
    if key is not None:
        if len(_times) >= _TIMES_HELD:
            _times.clear()
        _times[key] = text
    return text


def _time_text(when: str | dt.datetime) -> str:
    from babel import Locale

    from fieldplan.i18n import _locale, format_datetime

    # CLDR's own way of joining a date and a time, with a medium date and a short
    # time (no seconds): a pattern fieldplan.i18n.format_datetime takes as it is
    locale = Locale.parse(_locale(None))
    pattern = str(locale.datetime_formats["medium"]).format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )
    try:
        return format_datetime(when, format=pattern)
    except (ValueError, TypeError):
        return str(when)


def date_text(when: str | None) -> str:
    """The day of an ISO time, in the user's time zone, as ``time_text`` writes it
    without the time ("27 Nov 2026"): for a table column with no room for more. ""
    for none; a text that is not a time comes back as it is."""
    if not when:
        return ""
    from fieldplan.i18n import format_date

    try:
        moment = dt.datetime.fromisoformat(when)
    except (ValueError, TypeError):
        return str(when)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return format_date(moment.date())


def action_title(action: Action) -> str:
    return _("{code} · {title}").format(code=action.code, title=action.title.get(lang()))


def illustrative_tip() -> str:
    """The tooltip of an illustrative area or action (marked ``PA1.2*`` in the plan
    tree, "illustrative" above its report)."""
    return _("Illustrative: this text is a placeholder until headquarters installs the "
             "signed plan's text.")
