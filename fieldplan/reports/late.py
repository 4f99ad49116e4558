"""Which offices' data of a period arrived at headquarters after its deadline: the one
definition the review pack's "Late data" table and the client's Overview share. Kept
apart from ``review`` (which imports ReportLab): the Overview reads it at each load."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

from fieldplan.planops import PlanScope


def local_day_start(day: date) -> str:
    """The instant this computer's day ``day`` begins (its local midnight), as arrivals
    are stored (``events.utc_iso``): compared with them as strings, plain SQL."""
    from fieldplan.events import utc_iso

    return utc_iso(datetime.combine(day, dt_time()).astimezone().astimezone(UTC))


def late_since(deadline: date) -> str:
    """When data becomes late: the local midnight that ends ``deadline``'s day."""
    return local_day_start(deadline + timedelta(days=1))


#: Per report of the period (``entity_id``), its late events from other replicas, the
#: last one's arrival, the imports that brought them (inbox ids, JSON) and, for events
#: no import is known for, their times received (JSON). One row per report, in the
#: order of the event log's index (``events_entity_origin``): SQLite groups the events
#: as it reads them, keeping each report's few imports and times apart (DISTINCT),
#: where grouping them by import too sorted every late event first, in memory (a
#: million-event headquarters, 200,000 late events of a period: about 15 MB more than
#: the pack of an empty one).
LATE_SQL = (
    "SELECT e.entity_id, count(*), max(e.received_at), "
    "json_group_array(DISTINCT CASE WHEN i.file_name IS NOT NULL THEN e.inbox_id END), "
    "json_group_array(DISTINCT CASE WHEN i.file_name IS NULL THEN e.received_at END) "
    "FROM events e LEFT JOIN inbox i ON i.id = e.inbox_id WHERE e.entity = 'progress' "
    "AND e.entity_id LIKE ? AND e.received_at >= ? AND e.origin != ? GROUP BY e.entity_id")


def late_rows(rep, period: str, deadline: date, scope: PlanScope | None = None
              ) -> Iterator[tuple[str, str, tuple]]:
    """(office, action, the rest of its ``LATE_SQL`` row) of each report of ``period``
    the plan shows (``scope``, by default the current plan's) that other computers'
    bundles changed after ``deadline``."""
    scope = scope or PlanScope(rep.plan())
    for entity_id, *rest in rep.conn.execute(
            LATE_SQL, ("%|" + period, late_since(deadline), rep.replica_id)):
        parts = entity_id.split("|")
        if len(parts) == 3 and scope.shows(*parts):
            yield parts[0], parts[1], tuple(rest)


def late_offices(rep, period: str, deadline: date, scope: PlanScope | None = None
                 ) -> dict[str, set[str]]:
    """The offices whose reports of ``period`` were changed by data other computers'
    bundles brought after ``deadline`` (the offices the review pack lists as late),
    each with the actions of those reports (``late_rows``)."""
    late: dict[str, set[str]] = {}
    for office, action, _rest in late_rows(rep, period, deadline, scope):
        late.setdefault(office, set()).add(action)
    return late
