"""The day a period's reports were due by is the headquarters database's
(``fieldplan.reports.deadlines``): the same from the command line, the client, and
any computer or user account that opens it."""

from __future__ import annotations

from datetime import date

import pytest

from fieldplan import events
from fieldplan.errors import ValidationError
from fieldplan.replica import open_replica
from fieldplan.reports.deadlines import (
    DEADLINES,
    keep_deadlines,
    named_deadlines,
    period_deadline,
    set_deadline,
)
from fieldplan.reports.late import late_offices


def test_a_named_deadline_is_kept_in_the_database(hq) -> None:
    """Named once, read by whatever opens the database next (another program, another
    computer given the file): not this computer's window settings."""
    assert period_deadline(hq, "2026-S1") == date(2026, 7, 30)  # the default
    changes = set_deadline(hq, "2026-S1", date(2026, 8, 31))
    assert changes.names("deadline", "2026-S1")
    with open_replica(hq.path) as other:
        assert period_deadline(other, "2026-S1") == date(2026, 8, 31)
        assert period_deadline(other, "2026-S2") == date(2027, 1, 30)  # never named
        assert named_deadlines(other) == {"2026-S1": date(2026, 8, 31)}
    # the same day again, or the default for a period never named: nothing written
    assert not set_deadline(hq, "2026-S1", date(2026, 8, 31)).entities
    assert not set_deadline(hq, "2026-S2", date(2027, 1, 30)).entities
    assert named_deadlines(hq) == {"2026-S1": date(2026, 8, 31)}
    # back to the default day, once another was named: written
    assert set_deadline(hq, "2026-S1", date(2026, 7, 30)).entities
    assert period_deadline(hq, "2026-S1") == date(2026, 7, 30)


def test_a_deadline_refused_changes_nothing(hq, make_office) -> None:
    set_deadline(hq, "2026-S1", date(2026, 8, 31))
    with pytest.raises(ValidationError, match="before the end of"):
        set_deadline(hq, "2026-S1", date(2026, 6, 29))
    with pytest.raises(ValidationError):
        set_deadline(hq, "2031-S1", date(2031, 8, 1))  # outside the plan
    assert named_deadlines(hq) == {"2026-S1": date(2026, 8, 31)}
    office = make_office("ML")
    with pytest.raises(ValidationError, match="only headquarters"):
        set_deadline(office, "2026-S1", date(2026, 8, 31))


def test_carried_days_leave_those_named_in_the_database(hq) -> None:
    """A computer's window settings of an earlier release carry their days over for
    the periods the database names none for: a day another computer named since
    stays; days the plan refuses are left out, the others kept."""
    set_deadline(hq, "2026-S1", date(2026, 9, 1))
    changes = keep_deadlines(hq, {"2026-S1": date(2026, 8, 15), "2025-S2": date(2026, 2, 15),
                                  "2026-S2": date(2026, 1, 1), "1999-S1": date(1999, 8, 1)})
    assert changes.entities == (("deadline", "2025-S2"),)
    assert named_deadlines(hq) == {"2026-S1": date(2026, 9, 1), "2025-S2": date(2026, 2, 15)}


def test_a_damaged_value_is_the_default(hq) -> None:
    for damaged in ("not json", "[1, 2]", '{"2026-S1": "31/08/2026", "2026-S2": 5}',
                    '{"2026-S1": "2026-06-01"}'):  # (a day before the end: an edited file)
        with hq.conn:
            events.set_meta(hq.conn, DEADLINES, damaged)
        assert period_deadline(hq, "2026-S1") == date(2026, 7, 30)
        set_deadline(hq, "2026-S2", date(2027, 2, 1))  # written over it, whole
        assert period_deadline(hq, "2026-S2") == date(2027, 2, 1)


def test_late_offices_follow_the_named_deadline(clock, hq, make_office, tmp_path) -> None:
    """What the review pack and the Overview count as late, from the deadline the
    database names."""
    from fieldplan.progress import record_progress, submit_period
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0]
    record_progress(ml, action.code, "2026-S1", status="on-track", percent=30)
    submit_period(ml, "2026-S1")
    bundle = export_bundle(ml, out_dir=tmp_path).path
    clock("2026-08-20")
    assert import_bundle(hq, bundle).outcome == "merged"
    assert set(late_offices(hq, "2026-S1", period_deadline(hq, "2026-S1"))) == {"ML"}
    set_deadline(hq, "2026-S1", date(2026, 8, 31))
    assert late_offices(hq, "2026-S1", period_deadline(hq, "2026-S1")) == {}
