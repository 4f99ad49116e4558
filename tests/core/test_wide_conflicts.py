"""A conflict of more versions than one event replaces (events.MAX_BASE_PER_FIELD,
what every peer accepts in one base) is settled in one action: a chain of events,
each replacing at most that many, written at once. Before, every Keep was refused
and the conflict stayed open for good."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sync import send

from fieldplan import events, progress, store
from fieldplan.sync import list_conflicts, open_conflict, resolve_conflict
from fieldplan.sync.conflicts import SHOWN_VERSIONS, Candidate, Conflict, shown_candidates
from tests.convergence import _conflicts
from tests.scenes import wide_conflict


@pytest.mark.parametrize(("many", "keep_at"), [(40, 35), (70, 50), (70, 0), (33, 32)])
def test_a_wide_conflict_is_settled_in_one_action_everywhere(
        hq, make_office, tmp_path: Path, many: int, keep_at: int) -> None:
    """Settled on one laptop, carried to headquarters and from there to its sibling:
    no conflict is left anywhere, each holds the value kept (one beyond the versions
    the page shows, too), and their digests agree with headquarters'."""
    ml1, ml2 = make_office("ML"), make_office("ML")
    wide_conflict(ml1, many)
    send(ml1, hq, tmp_path)
    send(hq, ml2, tmp_path)
    [listed] = list_conflicts(ml2)
    # the listing reads the versions shown, and counts them all; every one is read
    # for the one conflict settled
    assert (len(listed.candidates), listed.versions) == (min(many, SHOWN_VERSIONS), many)
    conflict = open_conflict(ml2, listed.id)
    assert len(conflict.candidates) == many and conflict.shown == listed.candidates
    kept = conflict.candidates[keep_at]
    changes = resolve_conflict(ml2, conflict.id, kept.value_id)
    written = changes.events
    assert written == max(1, -(-(many - 1) // (events.MAX_BASE_PER_FIELD - 1)))
    # each event replaces no more versions than every peer accepts in one base
    for (body,) in ml2.conn.execute(
            "SELECT body FROM events WHERE origin = ? ORDER BY seq DESC LIMIT ?",
            (ml2.replica_id, written)):
        assert len(events.parse_event(body).base["percent"]) <= events.MAX_BASE_PER_FIELD
    assert list_conflicts(ml2) == []
    # headquarters and the sibling take the bundles as they are
    assert send(ml2, hq, tmp_path)[1].outcome == "merged"
    assert send(hq, ml1, tmp_path)[1].outcome == "merged"
    for rep in (hq, ml1, ml2):
        assert _conflicts(rep, "ML") == {}
        assert progress.digest(rep, "ML") == progress.digest(hq, "ML")
        [report] = progress.list_reports(rep, office="ML")
        assert report.percent == kept.value
        # one head left: the last of the chain
        assert rep.conn.execute(
            "SELECT count(*) FROM versions WHERE field = 'percent' AND superseded = 0"
        ).fetchone()[0] == 1
    # the state derived again from the log alone is the same (order does not matter)
    digest = progress.digest(ml1)
    with store.write_transaction(ml1.conn):
        events.rebuild(ml1.conn)
    assert progress.digest(ml1) == digest


def test_a_peer_missing_the_end_of_the_chain_shows_only_the_value_kept(
        hq, make_office, tmp_path: Path) -> None:
    """Every event of the chain holds the value kept: a peer holding only its first
    one still has the conflict open, but no value nobody chose."""
    ml1, ml2 = make_office("ML"), make_office("ML")
    rid = wide_conflict(ml1, 70)
    send(ml1, hq, tmp_path)
    send(hq, ml2, tmp_path)
    [conflict] = list_conflicts(ml2)
    resolve_conflict(ml2, conflict.id, conflict.candidates[-1].value_id)
    chain = [events.parse_event(body) for (body,) in ml2.conn.execute(
        "SELECT body FROM events WHERE origin = ? AND entity_id = ? ORDER BY seq",
        (ml2.replica_id, rid))]
    # (and the report's state a value kept says it is kept in: a draft)
    assert {json.dumps(e.fields, sort_keys=True) for e in chain} == {
        json.dumps({"percent": conflict.candidates[-1].value, "state": "draft"},
                   sort_keys=True)}
    assert all(chain[i].version_id in chain[i + 1].base["percent"]
               for i in range(len(chain) - 1))


def test_the_versions_shown_hold_every_value_they_can() -> None:
    """Of a wide conflict, the versions shown (page and 'conflicts list') are the first
    of each value before others of a value shown already: 39 versions of one value and
    the one that differs, last, showed 32 alike and hid the other."""
    candidates = tuple(
        Candidate(f"aaaaaaaa:{i}", f"aaaaaaaa-x:{i}", "b" if i == 40 else "a", "x",
                  "2026-03-01T10:00:00Z", i == 1) for i in range(1, 41))
    conflict = Conflict("c1", "progress", "ML|PA1.1|2026-S1", "achievements", candidates)
    shown = shown_candidates(conflict)
    assert len(shown) == SHOWN_VERSIONS
    assert shown[0] is candidates[0] and shown[-1] is candidates[-1]
    assert [c.value_id for c in shown] == sorted(
        (c.value_id for c in shown), key=lambda v: int(v.split(":")[1]))
    narrow = Conflict("c2", "progress", "ML|PA1.1|2026-S1", "achievements",
                      candidates[-3:])
    assert shown_candidates(narrow) == narrow.candidates
