"""A report of many heads (versions none replacing another: laptops writing unseen by
the thousand, or a bug) imported in many batches: each batch used to read every head
of the report again to pick its winners, and an import of 100,000 such events took
minutes (tests/bench/bench_concurrent_heads.py). Its winners are now kept from batch
to batch (``events.WideHeads``); the tables, winners and digest are those the reading
of every head gave."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from progress_check import expected_progress, materialised_progress
from test_work_by_size import counting

from fieldplan import events, progress, store
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import exchange, export_bundle, import_bundle, list_conflicts

S1 = "2026-S1"
STATUSES = ("on-track", "off-track", "at-risk", "completed")


def unseen(rep, rid: str, many: int, start: int = 0, fields=None) -> None:
    """``many`` saves of one report on ``rep``, none replacing another."""
    with store.write_transaction(rep.conn):
        written = []
        for i in range(start, start + many):
            f = fields(i) if fields else {
                "status": STATUSES[i % 4], "percent": i % 101, "achievements": f"note {i}"}
            event = events._local_event(rep.conn, rep.replica_id, "progress", rid, f,
                                        author=f"laptop{i % 3}", base={})
            events._log(rep.conn, [event])
            written.append(event)
        events.derive(rep.conn, written)


def tables(rep) -> tuple:
    """Everything an import derives of reports, and what is shown of it (not the key
    records an import at headquarters writes, stamped by the clock)."""
    conn = rep.conn
    return (progress.digest(rep), materialised_progress(rep),
            [tuple(r) for r in conn.execute("SELECT * FROM versions WHERE entity = 'progress' "
                                            "ORDER BY 1, 2, 3, 4, 5")],
            [tuple(r) for r in conn.execute("SELECT * FROM supersedes WHERE entity = "
                                            "'progress' ORDER BY 1, 2, 3, 4, 5, 6, 7")],
            [(c.entity_id, c.field, [(h.full_id, h.winner) for h in c.candidates])
             for c in list_conflicts(rep)])


def same(one: tuple, other: tuple) -> None:
    """(a difference shown table by table, row by row)"""
    for mine, theirs in zip(one[0], other[0], strict=True):
        if isinstance(mine, list):
            assert [r for r in mine if r not in theirs] == [r for r in theirs if r not in mine]
        assert mine == theirs
    assert one[1] == other[1]


def copy_of(db: Path, folder: Path) -> Path:
    """A copy of a database open elsewhere (its write-ahead log too), with its key."""
    folder.mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", folder / f"{db.name}{suffix}")
    shutil.copy(key_path(db), key_path(folder / db.name))
    return folder / db.name


def imported(db: Path, bundle: Path, folder: Path, wide: int, monkeypatch) -> tuple:
    """``tables`` of a copy of ``db`` that imported ``bundle`` in batches of 7 events,
    reports of ``wide`` heads more than one a field kept from batch to batch; and the
    import's count of conflicts."""
    monkeypatch.setattr(exchange, "BATCH", 7)
    monkeypatch.setattr(events, "WIDE_HEADS", wide, raising=False)
    with open_replica(copy_of(db, folder)) as rep:
        outcome = import_bundle(rep, bundle, backup=False)
        assert outcome.outcome == "merged", outcome.reason
        got = tables(rep)
        # the state is what the heads give, and what the log alone gives again
        assert materialised_progress(rep) == expected_progress(rep)
        with store.write_transaction(rep.conn):
            events.rebuild(rep.conn, batch=11)
        assert tables(rep) == got
    return got, outcome.conflicts


@pytest.mark.parametrize("wide", [0, 3])
def test_an_import_in_batches_keeping_the_winners_gives_what_reading_every_head_gave(
        hq, make_office, tmp_path: Path, monkeypatch, wide: int) -> None:
    """Two laptops of ML: B writes saves none replacing another on two reports (one
    with an indicator's value appearing half-way); A, having them from headquarters,
    writes more unseen, saves over the value shown (its base: the winner, and the heads
    of its value), over a head that is not the winner, over B's latest version, and
    more unseen, and over B's latest version of a third report with a clock value
    before B's first; then a third laptop takes headquarters' whole bundle, where A
    (the laptop whose id comes first) has its events first: its writes over B's
    versions arrive before them. Every import gives,
    batch by batch, what it gave reading every head at each (WIDE_HEADS out of reach),
    and the same as the log derived again."""
    a, b = sorted([make_office("ML", "ml-a"), make_office("ML", "ml-b")],
                  key=lambda rep: rep.replica_id)
    codes = [x.code for x in a.plan().actions_of(level="national")[:3]]
    rids = [progress.report_id("ML", code, S1) for code in codes]
    out = tmp_path / "out"
    out.mkdir()
    unseen(b, rids[0], 40)
    unseen(b, rids[1], 15)
    unseen(b, rids[1], 15, 15, lambda i: {"percent": i, "value.reached": i * 10})
    unseen(b, rids[2], 20)
    from_b = export_bundle(b, out_dir=out).path
    at_hq = [imported(hq.path, from_b, tmp_path / f"hq-{n}", n, monkeypatch)
             for n in (wide, 10**9)]
    same(*at_hq)
    assert at_hq[0][1] > 0  # (percent: several values)
    import_bundle(hq, from_b)
    import_bundle(a, export_bundle(hq, for_office="ML", out_dir=out).path)
    # (A's first events touch every report: its later ones meet them kept by then)
    unseen(a, rids[2], 1, 500, lambda i: {"challenges": "rains"})
    unseen(a, rids[0], 8, 100)
    unseen(a, rids[1], 7, 200)
    progress.record_progress(a, codes[0], S1, percent=55, achievements="a over all")
    loser = next(h.full_id for c in list_conflicts(a) if c.entity_id == rids[0]
                 and c.field == "status" for h in c.candidates if not h.winner)
    progress.record_progress(a, codes[0], S1, status="completed", base={"status": [loser]})
    # B's latest version of the percent: at C, A's write over it arrives before it
    latest = "{}:{}".format(*a.conn.execute(
        "SELECT origin, seq FROM versions WHERE entity_id = ? AND field = 'percent' "
        "AND origin = ? ORDER BY seq DESC LIMIT 1", (rids[1], b.replica_id)).fetchone())
    progress.record_progress(a, codes[1], S1, percent=7, base={"percent": [latest]})
    # a write over B's latest percent of the third report (its winner) stamped before
    # it (a clock gone back, or a bug): at headquarters the winner goes to another of
    # B's; at C A's wins until B's versions come, and B's latest, greater than every
    # other, arrives replaced already
    first_hlc, latest = a.conn.execute(
        "SELECT min(hlc), max(seq) FROM versions WHERE entity_id = ? AND field = 'percent'",
        (rids[2],)).fetchone()
    with store.write_transaction(a.conn):
        event = events._local_event(a.conn, a.replica_id, "progress", rids[2], {"percent": 3},
                                    author="a", base={"percent": [f"{b.replica_id}:{latest}"]},
                                    hlc=first_hlc - 1)
        events._insert(a.conn, [event], observe=False)
    unseen(a, rids[0], 12, 300)
    from_a = export_bundle(a, out_dir=out).path
    at_hq = [imported(hq.path, from_a, tmp_path / f"hq-a-{n}", n, monkeypatch)
             for n in (wide, 10**9)]
    same(*at_hq)
    import_bundle(hq, from_a)
    c = make_office("ML", "ml-c")
    whole = export_bundle(hq, for_office="ML", out_dir=out, full=True).path
    at_c = [imported(c.path, whole, tmp_path / f"c-{n}", n, monkeypatch)
            for n in (wide, 10**9)]
    same(*at_c)
    assert at_c[0][0][0] == progress.digest(hq)


def test_an_import_of_heads_none_replacing_another_costs_by_its_size(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """In batches of 20, 800 events on one report, none replacing another, cost per
    event about what 100 do: not a read of every head at each batch (8 times as many
    events read 8 times as many heads each batch, 64 times the work)."""
    monkeypatch.setattr(exchange, "BATCH", 20)
    monkeypatch.setattr(events, "WIDE_HEADS", 40, raising=False)
    out = tmp_path / "out"
    out.mkdir()

    def cost(many: int) -> float:
        ml = make_office("ML", f"ml-{many}")
        unseen(ml, progress.report_id("ML", ml.plan().actions_of(level="national")[0].code,
                                      S1), many)
        bundle = export_bundle(ml, out_dir=out).path
        with open_replica(copy_of(hq.path, tmp_path / f"hq-{many}")) as rep:
            rep.conn.execute("PRAGMA synchronous = OFF")
            with counting(rep.conn) as count:
                assert import_bundle(rep, bundle, backup=False).outcome == "merged"
        return count[0] / many

    assert cost(800) / cost(100) < 1.5
