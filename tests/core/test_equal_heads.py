"""A write over a value more laptops wrote, unseen by each other, than one event
replaces (events.MAX_BASE_PER_FIELD, what every peer accepts in one base) replaces
them all: a chain of events, each within that rule, written at once. Before, it
replaced the first 32 and left the others beside it, a conflict nobody made."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from progress_check import expected_progress, materialised_progress
from test_sync import national

from fieldplan import events, progress, store
from fieldplan.sync import list_conflicts
from tests.scenes import laptops_wrote_alike, send

S1, S2 = "2026-S1", "2026-S2"


def heads(rep, rid: str) -> dict[str, int]:
    """field → how many current versions it has."""
    return dict(rep.conn.execute(
        "SELECT field, count(*) FROM versions WHERE entity = 'progress' AND entity_id = ? "
        "AND superseded = 0 GROUP BY field", (rid,)))


def written_by(rep, rid: str) -> list[events.Event]:
    return [events.parse_event(body) for (body,) in rep.conn.execute(
        "SELECT body FROM events WHERE origin = ? AND entity_id = ? ORDER BY seq",
        (rep.replica_id, rid))]


def test_a_write_over_forty_laptops_alike_replaces_them_all_everywhere(
        hq, make_office, tmp_path: Path) -> None:
    """The value shown (no base: 'progress set'), typed over the version shown (the
    client's save), typed over versions not known (a draft kept before drafts kept
    them), and a submission: each leaves one current version of each field it writes,
    here, at headquarters and on a laptop that wrote the 40."""
    more, first, codes = laptops_wrote_alike(hq, make_office, tmp_path)
    rids = [progress.report_id("ML", code, S1) for code in codes[:3]]
    rids.append(progress.report_id("ML", codes[0], S2))
    assert all(heads(more, rid)["percent"] == 40 for rid in rids)
    assert list_conflicts(more) == []

    progress.record_progress(more, codes[0], S1, percent=60)
    shown = progress.report_versions(more, codes[1], S1)["percent"]
    changes = progress.record_progress(more, codes[1], S1, percent=60,
                                       base={"percent": [shown]})
    progress.record_progress(more, codes[2], S1, percent=60, base={"percent": None})
    progress.submit_period(more, S2)
    assert list_conflicts(more) == []
    assert changes.events == 2  # 40 versions: 32, then the first event and 8 more
    for rid in rids:
        for event in written_by(more, rid):
            assert all(len(ids) <= events.MAX_BASE_PER_FIELD for ids in event.base.values())
    assert send(more, hq, tmp_path)[1].outcome == "merged"
    assert send(hq, first, tmp_path)[1].outcome == "merged"
    for rep in (more, hq, first):
        assert list_conflicts(rep) == []
        for rid in rids[:3]:
            # the fields written (percent, and state "draft") have one current version;
            # the status nobody wrote again keeps its 40, alike
            assert heads(rep, rid) == {"percent": 1, "state": 1, "status": 40}
        assert heads(rep, rids[3]) == {"percent": 40, "state": 1, "status": 40}
        assert [r.percent for r in progress.list_reports(rep, S1, "ML")[:3]] == [60] * 3
        assert progress.get_report(rep, codes[0], S2, "ML").state == "submitted"
        assert progress.digest(rep, "ML") == progress.digest(hq, "ML")
        assert materialised_progress(rep) == expected_progress(rep)
    # the state derived again from the log alone is the same
    digest = progress.digest(first)
    with store.write_transaction(first.conn):
        events.rebuild(first.conn)
    assert progress.digest(first) == digest


def alike(rep, rid: str, many: int, field: str = "percent", value: object = 40) -> None:
    """``many`` versions of ``field`` of one value on ``rep``, none replacing another
    (as ``many`` laptops writing it unseen leave them), sent (as theirs were: a "draft"
    among them is written over again, ``progress._unseen_own_draft``)."""
    with store.write_transaction(rep.conn):
        for _ in range(many):
            event = events.append(rep.conn, "progress", rid, {field: value}, author="x",
                                  base={})
        events.note_exported(rep.conn, {rep.replica_id: event.seq})


def shown_ids(rep, rid: str, field: str) -> list[str]:
    """The winning head's id, then the others holding its value, sorted."""
    return list(events.shown_versions(rep.conn, "progress", rid)[field][1])


@pytest.mark.parametrize("many", [1, 2, 31, 32])
def test_a_write_over_up_to_32_alike_is_one_event_as_before(make_office, many: int) -> None:
    """One event, whose base names the winning head and then the others, as it always
    did."""
    ml = make_office("ML")
    rid = progress.report_id("ML", national(ml), S1)
    alike(ml, rid, many)
    alike(ml, rid, 1, "state", "draft")
    before = {"percent": shown_ids(ml, rid, "percent"),
              "state": shown_ids(ml, rid, "state")}
    assert len(before["percent"]) == many
    progress.record_progress(ml, national(ml), S1, percent=60)
    *_alike, event = written_by(ml, rid)
    assert event.fields == {"percent": 60, "status": "not-started", "state": "draft"}
    assert event.base == before
    assert heads(ml, rid) == {"percent": 1, "state": 1, "status": 1}


@pytest.mark.parametrize(("many", "chain"), [(33, 2), (63, 2), (64, 3), (200, 7)])
def test_a_write_over_more_is_a_chain_each_within_the_rule(make_office, many: int,
                                                          chain: int) -> None:
    """Each event holds the whole write and replaces the one before it and at most 31
    versions more; a field with fewer versions is carried along, over the event before.
    """
    ml = make_office("ML")
    rid = progress.report_id("ML", national(ml), S1)
    alike(ml, rid, many)
    alike(ml, rid, 3, "state", "draft")
    alike(ml, rid, 1, "status", "on-track")
    ids = shown_ids(ml, rid, "percent")
    state = shown_ids(ml, rid, "state")
    changes = progress.record_progress(ml, national(ml), S1, percent=60,
                                       achievements="Atelier tenu")
    written = written_by(ml, rid)[-chain:]
    assert changes.events == len(written) == chain
    assert {e.seq for e in written} == set(range(written[0].seq, written[-1].seq + 1))
    whole = {"percent": 60, "state": "draft", "achievements": "Atelier tenu"}
    assert all(dict(e.fields) == whole for e in written)
    assert written[0].base == {"percent": ids[:32], "state": state}
    replaced = list(written[0].base["percent"])
    for before, event in itertools.pairwise(written):
        assert event.base["state"] == event.base["achievements"] == [before.version_id]
        assert event.base["percent"][0] == before.version_id
        assert 1 < len(event.base["percent"]) <= events.MAX_BASE_PER_FIELD
        replaced += event.base["percent"][1:]
    assert replaced == ids
    assert heads(ml, rid) == {"percent": 1, "state": 1, "status": 1, "achievements": 1}
    assert progress.report_versions(ml, national(ml), S1)["percent"] == \
        written[-1].version_id
    assert list_conflicts(ml) == []
