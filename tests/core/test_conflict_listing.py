"""The conflicts' listing reads every conflict's values in one query (a query per
conflict took most of the second it took at a headquarters of 17,500): the same
conflicts, in the same order, with the same values, as the listing of a query each."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress
from fieldplan.plan import in_report_order
from fieldplan.progress import hidden_refusal
from fieldplan.sync import list_conflicts
from fieldplan.sync.conflicts import (
    _CONFLICTED,
    Candidate,
    Conflict,
    _conflict_id,
    _locked,
    _submitted,
)


def listed_one_by_one(rep) -> list[Conflict]:
    """``list_conflicts`` as it was: the fields in conflict, then each one's heads read
    by a query of its own, each report's state and the plan's word on it for each."""
    rows = rep.conn.execute(_CONFLICTED.format(where="")).fetchall()
    out = []
    own = rep.replica_id
    locks: dict[str, bool] = {}
    scope = None
    submitted: dict[str, bool] = {}
    earliest = events.plan_start_hlc(rep.plan().start)
    for entity, entity_id, field in rows:
        heads = rep.conn.execute(
            "SELECT v.origin, v.seq, v.value, v.author, v.hlc, e.received_at "
            "FROM versions v INDEXED BY versions_heads "
            "LEFT JOIN events e ON e.origin = v.origin AND e.seq = v.seq "
            "WHERE v.entity = ? AND v.entity_id = ? AND v.field = ? AND v.superseded = 0 "
            "ORDER BY v.hlc DESC, v.origin DESC, v.seq DESC",
            (entity, entity_id, field)).fetchall()
        cands = tuple(
            Candidate(f"{o[:8]}:{s}", f"{o}:{s}", json.loads(v), a,
                      events.shown_time(h, r, earliest), i == 0, o == own,
                      written_at=events.hlc_to_iso(h))
            for i, (o, s, v, a, h, r) in enumerate(heads))
        conflict = Conflict(_conflict_id(entity, entity_id, field), entity, entity_id, field,
                            cands)
        if entity == "progress" and conflict.period:
            if conflict.period not in locks:
                locks[conflict.period] = _locked(rep, conflict.period)
            if scope is None:
                from fieldplan.planops import PlanScope

                scope = PlanScope(rep.plan())
            hidden = hidden_refusal(rep, conflict.office, conflict.action, conflict.period,
                                    scope)
            if entity_id not in submitted:
                submitted[entity_id] = _submitted(rep, entity_id)
            conflict = replace(conflict, locked=locks[conflict.period],
                               submitted=submitted[entity_id],
                               hidden=str(hidden) if hidden is not None else "")
        out.append(conflict)
    # (listed as a person reads them: by office, action number, period, field)
    return in_report_order(out, rep.plan(), "en")


@pytest.fixture(autouse=True)
def _seconds_apart(monkeypatch) -> None:
    from tests.scenes import ticking_clock

    ticking_clock(monkeypatch)


def test_the_listing_in_one_query_lists_what_a_query_per_conflict_listed(
        hq, make_office, tmp_path: Path) -> None:
    """Two offices' laptops writing the same reports unseen: three versions of one
    field, several fields of one report, two periods, a period locked, a submission
    crossed by a change, a report the plan hides since, a field two laptops wrote
    alike (no conflict); listed at headquarters and on a laptop (its own versions)."""
    from tests.scenes import amend_plan

    ml = [make_office("ML", f"ml-{n}") for n in "abc"]
    sn = [make_office("SN", f"sn-{n}") for n in "ab"]
    acts = [national(ml[0], i) for i in range(4)]
    for n, rep in enumerate(ml):
        progress.record_progress(rep, acts[0], "2026-S1", status="on-track",
                                 percent=10 * n, achievements=f"Laptop {n} wrote this.")
        progress.record_progress(rep, acts[1], "2025-S2", percent=40,  # alike: no conflict
                                 status=("at-risk", "off-track", "at-risk")[n])
        if n < 2:
            progress.record_progress(rep, acts[2], "2026-S1", status="on-track",
                                     values={}, next_steps=f"Step {n}")
    progress.record_progress(ml[0], acts[3], "2026-S1", status="on-track", percent=30)
    for rep in (*ml, *sn):
        if rep in sn:
            progress.record_progress(rep, acts[0], "2026-S1", status="at-risk",
                                     percent=50 + len(rep.replica_id) + sn.index(rep))
            progress.record_progress(rep, acts[1], "2026-S1", challenges=rep.replica_id[:4])
        send(rep, hq, tmp_path)
    send(hq, ml[1], tmp_path)
    progress.submit_period(ml[0], "2026-S1")  # crossed by laptop b's change below
    progress.record_progress(ml[1], acts[3], "2026-S1", percent=77)
    for rep in (ml[0], ml[1]):
        send(rep, hq, tmp_path)
    progress.set_period_lock(hq, "2025-S2")
    amend_plan(hq, tmp_path, drop=(acts[2],))
    for rep in (ml[0], ml[1]):
        send(hq, rep, tmp_path)
    for rep in (hq, ml[0], ml[1]):
        listed = list_conflicts(rep)
        assert ([dataclasses.astuple(c) for c in listed]
                == [dataclasses.astuple(c) for c in listed_one_by_one(rep)])
    listed = list_conflicts(hq)
    # the scene has what the comparison is about
    assert {c.office for c in listed} == {"ML", "SN"}
    assert max(len(c.candidates) for c in listed) == 3
    assert {c.period for c in listed} == {"2025-S2", "2026-S1"}
    assert any(c.locked for c in listed) and any(c.hidden for c in listed)
    assert any(c.submitted for c in listed) and any(c.field == "state" for c in listed)
    assert len({c.entity_id for c in listed}) < len(listed)
    several_heads = hq.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM versions WHERE superseded = 0 "
        "GROUP BY entity, entity_id, field HAVING count(*) > 1)").fetchone()[0]
    assert several_heads > len(listed)  # (the laptops' percent of 2025-S2: one value)
    # as a person reads them (offices, actions by number, periods, a report's fields
    # as its sheet prints them), whatever order the database gave them in
    by_ids = sorted(listed, key=lambda c: (c.entity, c.entity_id, c.field))
    assert [c.id for c in listed] == [c.id for c in in_report_order(by_ids, hq.plan(), "en")]
    fields = [c.field for c in listed if c.entity_id == "ML|PA1.1|2026-S1"]
    assert fields.index("percent") < fields.index("achievements")
