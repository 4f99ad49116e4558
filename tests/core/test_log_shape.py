"""The window's sync state (``sync_state``: missing bundles and open conflicts), which
the client reads again after every save, read every event and every head of the log:
a second and more at a headquarters of a million events. What it reads of the whole
log is now kept per open replica and brought up to date from the events added since
(``exchange.LogShape``): the same gaps and count, at the cost of the change."""

from __future__ import annotations

from pathlib import Path

from test_sync import national
from test_work_by_size import counting

from fieldplan import events, minisign, progress, store
from fieldplan.offices import level_for_office
from fieldplan.replica import key_path
from fieldplan.sync import (
    export_bundle,
    import_bundle,
    list_conflicts,
    list_gaps,
    resolve_conflict,
    sync_state,
)
from fieldplan.sync.conflicts import count_conflicts
from tests.bundle_fuzz import line_of, pack, unpack

S1 = "2026-S1"


def agrees(rep) -> tuple[int, int]:
    """``sync_state`` of ``rep`` (its kept shape of the log) says what reading the whole
    log says, and what it says on a replica that kept nothing: (gaps, conflicts)."""
    state = sync_state(rep)
    origins = [o for (o,) in rep.conn.execute("SELECT DISTINCT origin FROM events")]
    assert list(state.gap_ranges) == [g.to_dict() for g in list_gaps(rep, origins)]
    assert state.conflicts == count_conflicts(rep)
    rep.cache.clear()
    again = sync_state(rep)
    assert (again.gaps, again.gap_ranges, again.conflicts) == (
        state.gaps, state.gap_ranges, state.conflicts)
    return len(state.gaps), state.conflicts


def without(rep, bundle: Path, seqs: set[int], out: Path) -> Path:
    """``bundle`` of ``rep`` without its events ``seqs``, signed again by ``rep``'s key
    (bundles lost on the way)."""
    manifest, evs = unpack(bundle.read_bytes())
    kept = [e for e in evs if not (e["origin"] == rep.replica_id and e["seq"] in seqs)]
    out.write_bytes(pack(manifest, [line_of(e) for e in kept],
                         minisign.load_secret_key(key_path(rep.path))))
    return out


def test_the_sync_state_after_each_change_is_what_the_whole_log_says(
        hq, make_office, tmp_path: Path) -> None:
    """ML's laptop A keeps its replica open through saves, imports bringing a gap and a
    conflict, the conflict settled, the gap filled, and events taken out of the log."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = national(a)
    out = tmp_path / "out"
    out.mkdir()
    assert agrees(a) == (0, 0)
    progress.record_progress(a, code, S1, status="on-track", percent=10)
    assert agrees(a) == (0, 0)
    for percent in (20, 30, 40, 50, 60):
        progress.record_progress(b, code, S1, status="at-risk", percent=percent)
    progress.record_progress(b, national(b, 1), S1, status="on-track", percent=5)
    whole = export_bundle(b, out_dir=out).path
    seqs = [s for (s,) in b.conn.execute(
        "SELECT seq FROM events WHERE origin = ? AND entity = 'progress' ORDER BY seq",
        (b.replica_id,))]
    holed = without(b, whole, set(seqs[1:3]), tmp_path / "holed.fieldplan")
    assert agrees(hq) == (0, 0)
    assert import_bundle(hq, holed).outcome == "merged"
    assert agrees(hq)[0] == 1  # (and the versions the lost events replaced, heads)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=out).path)
    gaps, conflicts = agrees(a)
    assert gaps == 1 and conflicts > 0
    progress.record_progress(a, national(a, 2), S1, status="on-track", percent=1)
    assert agrees(a) == (gaps, conflicts)
    conflict = list_conflicts(a)[0]
    resolve_conflict(a, conflict.id, conflict.candidates[-1].value_id)
    assert agrees(a) == (gaps, conflicts - 1)
    progress.record_progress(b, national(b, 1), S1, status="on-track", percent=6)
    assert import_bundle(hq, export_bundle(b, out_dir=out).path).outcome == "merged"
    assert agrees(hq)[0] == 0
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=out).path)
    assert agrees(a)[0] == 0
    with store.write_transaction(a.conn):  # (as a repaired fork takes them out)
        for table, origin, seq in (("versions", "origin", "seq"),
                                   ("supersedes", "by_origin", "by_seq"),
                                   ("events", "origin", "seq")):
            a.conn.execute(f"DELETE FROM {table} WHERE {origin} = ? AND {seq} IN (?, ?)",
                           (b.replica_id, seqs[3], seqs[4]))
        events.note_cut(a.conn)
    assert agrees(a)[0] == 1


def logged(rep, many: int) -> None:
    """``many`` saves of one report on ``rep``, each over the one before, logged and
    derived at once (saved one by one, 800 would only be slow)."""
    rid = progress.report_id(rep.office, national(rep), S1)
    with store.write_transaction(rep.conn):
        written: list[events.Event] = []
        for i in range(many):
            base = {"percent": [written[-1].version_id]} if written else {}
            event = events._local_event(rep.conn, rep.replica_id, "progress", rid,
                                        {"percent": i % 101}, author="b", base=base)
            events._log(rep.conn, [event])
            written.append(event)
        events.derive(rep.conn, written)


def test_the_sync_state_after_a_save_costs_the_same_whatever_the_log_holds(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters holding 800 events of a laptop with a bundle missing, or 50: the
    sync state read again after a save of its own costs about the same."""
    out = tmp_path / "out"
    out.mkdir()
    hq.conn.execute("PRAGMA synchronous = OFF")
    action = hq.plan().actions_of(level=level_for_office("HQ"))[0].code

    def cost(many: int) -> int:
        laptop = make_office("ML", f"ml-{many}")
        logged(laptop, many)
        bundle = without(laptop, export_bundle(laptop, out_dir=out).path, {many // 2},
                         tmp_path / f"holed-{many}.fieldplan")
        assert import_bundle(hq, bundle).outcome == "merged"
        assert sync_state(hq).gaps
        progress.record_progress(hq, action, S1, status="on-track", percent=many % 101)
        with counting(hq.conn) as count:
            sync_state(hq)
        return count[0]

    small = cost(50)
    assert cost(800) / small < 1.5
