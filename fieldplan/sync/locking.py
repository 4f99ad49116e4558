"""What headquarters should know before it locks a period: whether it is locked
already, the open conflicts in its reports (no one can settle them while it is
locked) and the quarantined bundles holding reports of it (trusted after the lock,
they are changes to the locked period)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan.errors import FieldplanError
from fieldplan.periods import as_period
from fieldplan.progress import is_locked
from fieldplan.replica import Replica
from fieldplan.sync.conflicts import list_conflicts


@dataclass(frozen=True)
class LockCheck:
    """A period as headquarters is about to lock or unlock it.

    period: the period (``2026-S1``). locked: whether it is locked now. conflicts: open
    conflicts in reports of the period. quarantined: bundles in quarantine that hold
    reports of the period.
    """

    period: str
    locked: bool
    conflicts: int
    quarantined: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def lock_check(rep: Replica, period: str) -> LockCheck:
    """The period's lock, open conflicts and quarantined bundles (see LockCheck)."""
    period = str(as_period(period))
    conflicts = sum(1 for c in list_conflicts(rep)
                    if c.entity == "progress" and c.period == period)
    held = sum(1 for (data,) in rep.conn.execute(
        "SELECT data FROM quarantine ORDER BY received_at, bundle_id")
        if _holds_period(data, period))
    return LockCheck(period, is_locked(rep, period), conflicts, held)


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
