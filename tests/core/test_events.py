"""The event log: every write is an event in the same transaction as its state;
state rebuilt from events equals the stored state; the clock and sequence numbers."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from progress_check import expected_progress, materialised_progress

from fieldplan import events, progress, store
from fieldplan.replica import open_replica

GLOBAL = ["PA1.4", "PA1.5", "PA1.6", "PA2.5", "PA3.6", "PA4.6"]


def _state(rep) -> list[tuple]:
    return [tuple(r) for r in rep.conn.execute("SELECT * FROM progress ORDER BY 1, 2, 3")]


def _global_actions(rep) -> list[str]:
    return [a.code for a in rep.plan().actions_of(level="global")]


def test_each_write_is_one_chained_event(hq) -> None:
    before = hq.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    act = _global_actions(hq)[0]
    progress.record_progress(hq, act, "2026-S1", status="on-track", percent=10)
    progress.record_progress(hq, act, "2026-S1", percent=20)
    progress.record_progress(hq, act, "2026-S1", percent=20)  # no change: no event
    rows = hq.conn.execute("SELECT seq, body, hash FROM events WHERE origin = ? ORDER BY seq",
                           (hq.replica_id,)).fetchall()
    assert len(rows) == before + 2
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    prev = events.GENESIS
    for _seq, body, digest in rows:
        e = events.parse_event(body)
        assert e.prev == prev and e.hash == digest
        prev = digest
    last = events.parse_event(rows[-1][1])
    assert dict(last.fields) == {"percent": 20}  # (its state: the draft the first wrote)
    assert list(last.base["percent"]) == [f"{hq.replica_id}:{rows[-2][0]}"]


_write = st.tuples(
    st.integers(0, 5), st.sampled_from(["2025-S2", "2026-S1", "2026-S2"]),
    st.one_of(st.none(), st.sampled_from(["on-track", "at-risk", "completed"])),
    st.one_of(st.none(), st.integers(0, 100)),
    st.one_of(st.none(), st.text(max_size=30)),
    st.sampled_from(["edit", "edit", "edit", "submit", "reopen"]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(_write, min_size=1, max_size=25))
def test_rebuild_from_events_equals_stored_state(writes) -> None:
    import tempfile

    from fieldplan.errors import ValidationError
    from fieldplan.replica import init_hq

    with tempfile.TemporaryDirectory() as tmp, init_hq(Path(tmp) / "hq.sqlite3") as hq:
        acts = _global_actions(hq)
        for i, period, status, percent, note, kind in writes:
            act = acts[i % len(acts)]
            try:
                if kind == "submit":
                    progress.submit_period(hq, period)
                elif kind == "reopen":
                    progress.reopen_report(hq, act, period)
                else:
                    progress.record_progress(hq, act, period, status=status, percent=percent,
                                             achievements=note)
            except ValidationError:
                pass
        stored = _state(hq)
        digest = progress.digest(hq)
        assert materialised_progress(hq) == expected_progress(hq)
        with store.write_transaction(hq.conn):
            events.rebuild(hq.conn)
        assert _state(hq) == stored
        assert progress.digest(hq) == digest


def test_clock_never_goes_backwards(hq, monkeypatch) -> None:
    act = _global_actions(hq)[0]
    clock = [2_000_000_000_000]
    monkeypatch.setattr(events, "wall_ms", lambda: clock[0])
    progress.record_progress(hq, act, "2026-S1", status="on-track", percent=1)
    for pct in range(2, 8):
        clock[0] -= 3_600_000  # the system clock jumps back an hour each time
        progress.record_progress(hq, act, "2026-S1", percent=pct)
    hlcs = [r[0] for r in hq.conn.execute(
        "SELECT hlc FROM events WHERE origin = ? ORDER BY seq", (hq.replica_id,))]
    assert all(b > a for a, b in itertools.pairwise(hlcs))
    assert progress.get_report(hq, act, "2026-S1", office="HQ").percent == 7


def test_clock_goes_on_past_the_replica_a_renewal_continues(hq, monkeypatch) -> None:
    """A save writes no clock value to meta (the replica's latest event is its clock);
    a database that continues as a new replica, with the system clock set back, still
    writes after what its earlier replica wrote."""
    from fieldplan import store
    from fieldplan.sync.keys import renew_identity

    act = _global_actions(hq)[0]
    clock = [2_000_000_000_000]
    monkeypatch.setattr(events, "wall_ms", lambda: clock[0])
    before = hq.meta("hlc")
    progress.record_progress(hq, act, "2026-S1", status="on-track", percent=1)
    assert hq.meta("hlc") == before  # (nothing written for the clock)
    old, (seq, _h) = hq.replica_id, events.last_event(hq.conn, hq.replica_id)
    last = hq.conn.execute("SELECT hlc FROM events WHERE origin = ? AND seq = ?",
                           (old, seq)).fetchone()[0]
    clock[0] -= 3_600_000  # the system clock set back an hour
    with store.write_transaction(hq.conn):
        events.set_meta(hq.conn, store.BACKUP_MARK, "{}")
    renew_identity(hq)
    assert hq.replica_id != old
    progress.record_progress(hq, act, "2026-S1", percent=2)
    new = [h for (h,) in hq.conn.execute("SELECT hlc FROM events WHERE origin = ?",
                                         (hq.replica_id,))]
    assert new and min(new) > last
    assert progress.get_report(hq, act, "2026-S1", office="HQ").percent == 2


def test_sequence_gapless_with_two_connections(hq) -> None:
    acts = _global_actions(hq)
    path = hq.path
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            with open_replica(path) as rep:
                for i in range(15):
                    progress.record_progress(rep, acts[(i + offset) % len(acts)], "2026-S1",
                                             percent=(i * 7 + offset) % 101,
                                             status="on-track")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = [r[0] for r in hq.conn.execute(
        "SELECT seq FROM events WHERE origin = ? ORDER BY seq", (hq.replica_id,))]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= 2 + 15  # plan + key + at least the first writer's changes


_KILL_SCRIPT = r"""
import os, signal, sys
from fieldplan import events, progress
from fieldplan.replica import open_replica
rep = open_replica(sys.argv[1])
point = sys.argv[2]
acts = [a.code for a in rep.plan().actions_of(level="global")]
real = events._insert
def store_then_die(conn, evs, *args, **kw):
    new = real(conn, evs, *args, **kw)
    if point == "after-event":
        os.kill(os.getpid(), signal.SIGKILL)
    return new
events._insert = store_then_die
real_derive = events.derive
def derive_then_die(conn, evs, *rest):
    if point == "before-state":
        os.kill(os.getpid(), signal.SIGKILL)
    return real_derive(conn, evs, *rest)
events.derive = derive_then_die
progress.record_progress(rep, acts[0], "2026-S1", status="at-risk", percent=55)
"""


def test_sigkill_during_write_leaves_both_or_neither(hq, tmp_path: Path) -> None:
    act = _global_actions(hq)[0]
    progress.record_progress(hq, act, "2026-S1", status="on-track", percent=10)
    path = hq.path
    hq.close()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    for point in ("before-state", "after-event"):
        proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(path), point], env=env,
                              capture_output=True, timeout=60)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        with open_replica(path) as rep:
            assert rep.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            report = progress.get_report(rep, act, "2026-S1", office="HQ")
            n_events = rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]
            # neither the event nor the state change survived the kill
            assert (report.status, report.percent) == ("on-track", 10)
            assert n_events == 3
            stored = _state(rep)
            with store.write_transaction(rep.conn):
                events.rebuild(rep.conn)
            assert _state(rep) == stored


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_value_json_is_canonical_json(value) -> None:
    # the merge's fast path must give exactly the bytes canonical_json gives
    assert events.value_json(value) == events.canonical_json(value)


def test_narrative_with_a_nul_character_is_kept_whole(hq) -> None:
    # SQLite's ->> cuts text at a NUL; the merged row must hold all of it.
    # record_progress removes control characters now, but events written by older
    # versions (and bundles from them) may still carry one: write the event directly.
    act = _global_actions(hq)[0]
    rid = progress.report_id(hq.office, act, "2026-S1")
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", rid,
                      {"status": "on-track", "achievements": "before\x00after"},
                      author=hq.author)
    assert progress.get_report(hq, act, "2026-S1").achievements == "before\x00after"
    assert materialised_progress(hq) == expected_progress(hq)


_REPORTS = ("HQ|PA1.4|2026-S1", "HQ|PA1.5|2026-S1")
_ORIGINS = ("aaaaaaaa-origin", "bbbbbbbb-origin", "cccccccc-origin")
_field_values = {
    "status": st.sampled_from(["on-track", "at-risk", "completed"]),
    "percent": st.one_of(st.none(), st.integers(0, 100)),
    "achievements": st.text(max_size=8),
    "value.people": st.one_of(st.none(), st.integers(0, 9)),
}


@st.composite
def _written_events(draw) -> list[events.Event]:
    """Events of three origins on two reports; each replaces some of the versions of
    its fields written before it (any origin's, as bases name them), or none (a
    conflict)."""
    seqs = dict.fromkeys(_ORIGINS, 0)
    written: dict[tuple[str, str], list[str]] = {}
    out = []
    for _ in range(draw(st.integers(1, 14))):
        origin = draw(st.sampled_from(_ORIGINS))
        seqs[origin] += 1
        report = draw(st.sampled_from(_REPORTS))
        names = draw(st.sets(st.sampled_from(sorted(_field_values)), min_size=1))
        fields = {name: draw(_field_values[name]) for name in sorted(names)}
        base = {}
        for name in fields:
            held = written.get((report, name), [])
            if held:
                replaced = draw(st.lists(st.sampled_from(held), unique=True, max_size=3))
                if replaced:
                    base[name] = sorted(replaced)
        body = events.canonical_json({
            "author": origin[:1], "base": base, "entity": "progress", "fields": fields,
            "hlc": draw(st.integers(1, 40)), "id": report, "origin": origin, "prev": "",
            "seq": seqs[origin]})
        out.append(events.parse_event(body))
        for name in fields:
            written.setdefault((report, name), []).append(f"{origin}:{seqs[origin]}")
    return out


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_merged_reports_in_any_batches_equal_their_heads(data) -> None:
    # a report first met in a batch is merged from that batch's versions (none read
    # back); one held already from its heads as stored: both must give the row its
    # heads give, however the events are split into batches and in whatever order
    import tempfile

    from fieldplan.replica import init_hq

    evs = data.draw(_written_events())
    evs = data.draw(st.permutations(evs))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(evs)), max_size=4)) | {len(evs)})
    with tempfile.TemporaryDirectory() as tmp, init_hq(Path(tmp) / "hq.sqlite3") as hq:
        start = 0
        for cut in cuts:
            with store.write_transaction(hq.conn):
                events.store_events(hq.conn, evs[start:cut])
            start = cut
        assert materialised_progress(hq) == expected_progress(hq)
        stored = _state(hq)
        with store.write_transaction(hq.conn):
            events.rebuild(hq.conn, batch=1)  # every event a batch of its own
        assert _state(hq) == stored


def _not_canonical_as_defined(body: str) -> bool:
    """What a received line is refused for: not what ``canonical_json`` writes of what
    it reads (a number past a float's range left to its field's checks)."""
    try:
        return events.canonical_json(json.loads(body)) != body
    except ValueError:
        return False


_EVENT = {"author": "amina", "base": {}, "entity": "progress", "hlc": 7,
          "id": "ML|PA1.2|2026-S1", "origin": "o", "prev": "", "seq": 1}
_TRICKY_LINES = [
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}),
    '{"author":"amina","base":{},"entity":"progress","fields":{"percent":4},"hlc":7,'
    '"id":"ML|PA1.2|2026-S1","origin":"o","prev":"","seq":1,"seq":1}',  # repeated
    '{"base":{},"author":"amina","entity":"progress","fields":{"percent":4},"hlc":7,'
    '"id":"ML|PA1.2|2026-S1","origin":"o","prev":"","seq":1}',  # unsorted
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}).replace(":4", ": 4"),
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}) + " ",
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}).replace(":4", ":4.0"),
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}).replace(":4", ":4e0"),
    events.canonical_json({**_EVENT, "fields": {"percent": 4}}).replace(":4", ":-0"),
    events.canonical_json({**_EVENT, "fields": {"value.x": 0.5}}),
    events.canonical_json({**_EVENT, "fields": {"value.x": 0.5}}).replace("0.5", "5e-1"),
    events.canonical_json({**_EVENT, "fields": {"value.x": 1e300}}),
    events.canonical_json({**_EVENT, "fields": {"value.x": 1e300}}).replace("1e+300", "1E+300"),
    events.canonical_json({**_EVENT, "fields": {"value.x": 1}}).replace(":1}", ":1e400}"),
    events.canonical_json({**_EVENT, "fields": {"value.x": 10**30}}),
    events.canonical_json({**_EVENT, "fields": {"achievements": "é\u2028\x7f/"}}),
    events.canonical_json({**_EVENT, "fields": {"achievements": "é"}}).replace("é", "\\u00e9"),
    events.canonical_json({**_EVENT, "fields": {"achievements": "a/b"}}).replace("/", "\\/"),
    events.canonical_json({**_EVENT, "fields": {"achievements": "a\nb"}}),
    events.canonical_json({**_EVENT, "fields": {"achievements": "a\nb"}}).replace(
        "\\n", "\\u000a"),
    events.canonical_json({**_EVENT, "fields": {"achievements": "\x00"}}),
    events.canonical_json({**_EVENT, "fields": {"achievements": "\ud800"}}),
    events.canonical_json({**_EVENT, "fields": {"doc": {"b": [1, {"d": 1, "c": None}]}}}),
    events.canonical_json({**_EVENT, "fields": {"doc": {"b": 1}}}).replace(
        '{"b":1}', '{"b":1,"a":2}'),
    events.canonical_json({**_EVENT, "fields": {"state": True}}),
]


@pytest.mark.parametrize("body", _TRICKY_LINES)
def test_received_line_refused_as_not_canonical_as_defined(body) -> None:
    assert events._not_canonical(json.loads(body), body) == _not_canonical_as_defined(body)


@settings(max_examples=300, deadline=None)
@given(_json_values, st.booleans(), st.booleans(), st.sampled_from([(",", ":"), (", ", ": ")]))
def test_received_line_refused_as_not_canonical_as_defined_any_value(
        value, sort_keys, ensure_ascii, separators) -> None:
    body = json.dumps({**_EVENT, "fields": {"doc": value}}, sort_keys=sort_keys,
                      ensure_ascii=ensure_ascii, separators=separators)
    assert events._not_canonical(json.loads(body), body) == _not_canonical_as_defined(body)
    assert events.decoded_json(value) == events.canonical_json(value)


def _loads_outcome(body: str) -> tuple:
    """What reading ``body`` as an event line gives: its value, or its error's kind
    and words (a JSONDecodeError's position too)."""
    try:
        return ("value", events._loads_event(body))
    except json.JSONDecodeError as exc:
        return ("json", exc.msg, exc.pos, exc.lineno, exc.colno)
    except (ValueError, RecursionError) as exc:
        return (type(exc).__name__, str(exc))


def _loads_as_before(body: str) -> tuple:
    try:
        return ("value", json.loads(body, parse_constant=events._no_constant))
    except json.JSONDecodeError as exc:
        return ("json", exc.msg, exc.pos, exc.lineno, exc.colno)
    except (ValueError, RecursionError) as exc:
        return (type(exc).__name__, str(exc))


_FULL_EVENT = {**_EVENT, "fields": {"percent": 4}}
_LINE = events.canonical_json(_FULL_EVENT)


@pytest.mark.parametrize("body", [
    _LINE, " " + _LINE, _LINE + " ", _LINE + "\n", "\t" + _LINE + "\r\n", _LINE + "x",
    _LINE + _LINE, _LINE[:-1], "", " ", "x", "\ufeff" + _LINE, "NaN", '{"a":Infinity}',
    '{"a":-Infinity} ', "[" * 100_000, '{"a":1', '{"a":1,}', '"text"', "12", "1 2",
    *_TRICKY_LINES])
def test_an_event_line_reads_as_json_loads_reads_it(body) -> None:
    """An event line is read by the decoder's scanner alone when it is one JSON value
    from its first character to its last: the same value as json.loads, and every
    other line the same error (its words and position: the import names them)."""
    assert _loads_outcome(body) == _loads_as_before(body)


def test_a_line_fieldplan_writes_is_read_without_the_decoders_python_layers(
        monkeypatch) -> None:
    """(speed: every line of every import) ``JSONDecoder.decode`` and ``raw_decode``,
    two Python calls and two whitespace matches around the C scanner, are skipped for
    a line fieldplan writes; a line with spaces around it still goes through them."""
    calls = []
    real = events._EVENT_DECODER.decode
    monkeypatch.setattr(events._EVENT_DECODER, "decode",
                        lambda body: calls.append(body) or real(body))
    assert events.parse_event(_LINE, received=True).fields == {"percent": 4}
    assert calls == []
    assert events._loads_event(" " + _LINE) == _FULL_EVENT
    assert calls == [" " + _LINE]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_winners_of_reports_new_to_a_batch_are_those_of_their_heads(data) -> None:
    """(speed) A batch's reports nothing is held of are merged from winners worked out
    event by event (``events._fresh_winners``), not from a row for each head gone
    through again: the winner of each field is the head the table holds with the
    greatest (hlc, origin, seq), its value the event's, and a report is said to have
    several heads (what the import's conflict count asks) exactly when a field has."""
    import tempfile

    from fieldplan.replica import init_hq

    evs = data.draw(st.permutations(data.draw(_written_events())))
    with tempfile.TemporaryDirectory() as tmp, init_hq(Path(tmp) / "hq.sqlite3") as hq:
        links = [(e.entity, e.entity_id, f, *t.rsplit(":", 1), e.origin, e.seq)
                 for e in evs for f, targets in e.base.items() for t in targets]
        links = [(*link[:4], int(link[4]), *link[5:]) for link in links]
        won, extra = events._fresh_winners(evs, set(_REPORTS), links)
        hq.conn.several_heads = several = set()
        with store.write_transaction(hq.conn):
            events.store_events(hq.conn, evs)
        heads: dict[str, dict[str, list]] = {}
        for eid, field, value, hlc, origin, seq in hq.conn.execute(
                "SELECT entity_id, field, value, hlc, origin, seq FROM versions "
                "WHERE entity = 'progress' AND superseded = 0"):
            heads.setdefault(eid, {}).setdefault(field, []).append(
                ((hlc, origin, seq), json.loads(value)))
        assert {eid: {f: (max(hs)[0], max(hs)[1]) for f, hs in fields.items()}
                for eid, fields in heads.items()} == {
            eid: {f: (order, value) for f, (order, value, _a) in fields.items()}
            for eid, fields in won.items()}
        assert several == set(extra) == {
            eid for eid, fields in heads.items() if any(len(hs) > 1 for hs in fields.values())}
        assert materialised_progress(hq) == expected_progress(hq)
