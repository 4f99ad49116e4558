"""The conflicts listing (the Conflicts page, 'conflicts list') reads the versions it
shows of each conflict, picked in SQL, and counts the rest: it made a Candidate for
every open version of every conflicted field, and 1.6 million of them (2,002 of one
field) took 35 s and 2 GB to show the Conflicts tab. The versions it picks are those
``shown_candidates`` picks of every version, and whoever settles one still replaces
every version."""

from __future__ import annotations

import pytest

from fieldplan import events, progress
from fieldplan.sync import list_conflicts, open_conflict, resolve_conflict
from fieldplan.sync.conflicts import SHOWN_VERSIONS, keep_texts_together, shown_candidates
from tests.scenes import wide_conflict

# value(i) of the i-th version written (the first written is listed last)
PATTERNS = {
    "each its own": lambda i: i,
    "one value and the first written apart": lambda i: 99 if i == 0 else 7,
    "five values": lambda i: i % 5,
    "forty values": lambda i: i % 40,
    "two alternating": lambda i: i % 2,
}


@pytest.mark.parametrize("many", [2, SHOWN_VERSIONS, SHOWN_VERSIONS + 1, 150])
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_the_listing_holds_the_versions_shown_and_counts_the_rest(
        make_office, many: int, pattern: str) -> None:
    rep = make_office("ML")
    wide_conflict(rep, many, PATTERNS[pattern])
    listed = list_conflicts(rep)
    if len({PATTERNS[pattern](i) for i in range(many)}) < 2:
        assert listed == []  # one value: agreed, no conflict
        return
    [conflict] = listed
    every = open_conflict(rep, conflict.id)
    assert len(every.candidates) == many
    # no more versions read than shown, and they are those shown of every version,
    # in the heads' order, the winner first
    assert len(conflict.candidates) == min(many, SHOWN_VERSIONS)
    assert conflict.candidates == shown_candidates(every) == conflict.shown
    assert conflict.candidates[0].winner and not any(
        c.winner for c in conflict.candidates[1:])
    assert (conflict.versions, conflict.values) == (
        many, len({PATTERNS[pattern](i) for i in range(many)}))
    assert conflict.values_shown_all == every.values_shown_all
    assert conflict.complete == (many <= SHOWN_VERSIONS) and every.complete
    # its JSON form names as many versions as it has, and lists those shown
    assert conflict.to_dict(every=False) == every.to_dict(every=False)
    assert conflict.to_dict()["versions"] == many


def test_keeping_a_version_not_listed_replaces_every_version(make_office) -> None:
    rep = make_office("ML")
    wide_conflict(rep, 150, lambda i: i % 3)
    [conflict] = list_conflicts(rep)
    unlisted = [c for c in open_conflict(rep, conflict.id).candidates
                if c not in conflict.candidates]
    assert len(unlisted) == 150 - SHOWN_VERSIONS
    resolve_conflict(rep, conflict.id, unlisted[-1].value_id)
    assert list_conflicts(rep) == []
    [report] = progress.list_reports(rep, office="ML")
    assert report.percent == unlisted[-1].value
    assert rep.conn.execute("SELECT count(*) FROM versions WHERE field = 'percent' "
                            "AND superseded = 0").fetchone()[0] == 1


def test_keep_both_texts_joins_every_version_not_only_those_listed(make_office) -> None:
    rep = make_office("ML")
    rid = f"ML|{rep.plan().actions_of(level='national')[0].code}|2026-S1"
    from fieldplan import store

    # 40 versions of two texts: the text written first is listed last
    with store.write_transaction(rep.conn):
        for i in range(40):
            events.append(rep.conn, "progress", rid,
                          {"achievements": "Met the ministry" if i == 0 else "Trained staff"},
                          author="x", base={})
    [conflict] = list_conflicts(rep)
    assert conflict.versions == 40 and len(conflict.candidates) == SHOWN_VERSIONS
    keep_texts_together(rep, conflict.id)
    [report] = progress.list_reports(rep, office="ML")
    assert report.achievements == "Met the ministry\n\nTrained staff"
    assert list_conflicts(rep) == []
