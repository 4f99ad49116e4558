"""Domain values shared by the store, sync, reports and the client.

Frozen dataclasses and plain constants only: no database, no Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Progress statuses, in the order a person reads them.
STATUSES: tuple[str, ...] = (
    "not-started",
    "on-track",
    "at-risk",
    "off-track",
    "completed",
    "cancelled",
)

#: The grammar of area and action codes ("PA1", "PA1.4"), one for the plan reader and
#: the import: a plan HQ can install makes reports HQ takes, and nothing else (a
#: spreadsheet formula in a report id) gets in.
AREA_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
ACTION_CODE = re.compile(r"(" + AREA_CODE.pattern + r")\.([1-9][0-9]{0,5})")
#: The grammar of indicator keys, likewise: a report's ``value.<key>`` fields name one,
#: and a key is shown as it is written (a data export's cells, "Indicator <key>").
INDICATOR_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")

#: Action levels, and which kind of office carries each.
LEVELS: tuple[str, ...] = ("national", "regional", "global")

#: Who leads an action.
LEADS: tuple[str, ...] = ("IOM", "OIC", "joint")

#: Report states: drafts are edited freely; submitted ones need reopening.
REPORT_STATES: tuple[str, ...] = ("draft", "submitted")

#: Indicator units that count things (``fieldplan.i18n.unit_label`` words them): an
#: actual below zero in one is almost surely a typo, a stray minus sign. Said, not
#: refused (``progress.negative_count_problem``): the unit says what is counted, not
#: whether the indicator is a total or a change, and a plan may measure a net change
#: (agreements lapsed, staff gone). Money and percent can be below zero (a balance, a
#: change) and so can a unit a plan invents: none of these is in it.
COUNT_UNITS: frozenset[str] = frozenset((
    "count", "people", "documents", "countries", "offices", "meetings", "projects",
    "agreements", "days",
))

#: Of COUNT_UNITS, those that count whole things: a fraction of one ("12.5 people",
#: a target of 1.5 people) is most likely a slip of the decimal point. Days may come
#: in halves.
WHOLE_UNITS: frozenset[str] = COUNT_UNITS - {"days"}

#: The narrative fields of a report, in display order.
NARRATIVE_FIELDS: tuple[str, ...] = ("achievements", "challenges", "next_steps")

#: The fields of a report besides its indicators' figures (``value.<key>``), as its
#: events name them: what a save of a whole report writes with every figure.
REPORT_FIELDS: tuple[str, ...] = ("status", "percent", *NARRATIVE_FIELDS, "state")


@dataclass(frozen=True)
class ProgressReport:
    """One office's report on one action for one period, as merged.

    office: office code (ISO alpha-2, ``RO-<name>`` or ``HQ``).
    action: action code, e.g. ``PA2.3``.
    period: ``YYYY-S1`` or ``YYYY-S2``.
    status: one of STATUSES.
    percent: 0..100, or None when not given.
    values: indicator actuals as ((indicator key, value), ...), sorted by key.
    achievements, challenges, next_steps: the narrative, user text.
    state: ``draft`` or ``submitted``.
    updated_at: ISO-8601 UTC time of the latest change, to show: its writer's clock,
    no later than when this replica received it (a laptop whose clock is years ahead
    would say 4199; ``events.shown_time``), and its arrival when its clock is before
    the plan's start (a laptop whose date went back to 2000), as "Data as of" says.
    updated_by: author of the latest change.
    written_at: ISO-8601 UTC time of the latest change by its writer's clock alone: the
    same on every replica (``progress.digest`` hashes it); "" when not known (then
    ``updated_at``).
    """

    office: str
    action: str
    period: str
    status: str
    percent: int | None
    values: tuple[tuple[str, float], ...]
    achievements: str
    challenges: str
    next_steps: str
    state: str
    updated_at: str
    updated_by: str
    written_at: str = ""

    @property
    def note(self) -> str:
        """The achievements narrative: the CLI's ``--note`` writes it."""
        return self.achievements

    def value(self, key: str) -> float | None:
        """The actual for one indicator, or None."""
        for k, v in self.values:
            if k == key:
                return v
        return None
