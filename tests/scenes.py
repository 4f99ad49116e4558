"""Setups that tests of several layers (core, CLI, client) share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from fieldplan import progress, store
from fieldplan.replica import Replica, open_replica
from fieldplan.sync import export_bundle, import_bundle


def send(src, dst, tmp_path: Path, **export):
    """Export from ``src`` for ``dst`` (``export``: export_bundle's other choices) and
    import at ``dst``: (result, outcome)."""
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    result = export_bundle(src, for_office=dst.office if src.is_hq else None,
                           out_dir=folder, **export)
    return result, import_bundle(dst, result.path)


def round_trips(one, other, tmp_path: Path, rounds: int = 2) -> None:
    """``rounds`` times: ``one`` exports for ``other``, ``other`` imports it, and back
    (each side's receipts of the other's answer arrive in the second round)."""
    for _ in range(rounds):
        send(one, other, tmp_path)
        send(other, one, tmp_path)


def restored(rep):
    """``rep`` closed, its latest backup put back, and opened again."""
    path = rep.path
    rep.close()
    store.restore_latest_backup(path, force=True)
    return open_replica(path)


def restored_from(rep, before: Path):
    """``rep`` put back from its backup ``before``, the backups made since gone (a lost
    disk), and opened again."""
    for newer in store.list_backups(rep.path):
        if newer != before:
            newer.unlink()
    return restored(rep)


def damaged_with_a_backup(path: Path) -> None:
    """A new database at ``path`` with a backup of it, then its file damaged: what a
    restore puts the backup in place of."""
    conn = store.connect(path, create=True)
    store.backup(conn, path, "manual")
    conn.close()
    path.write_bytes(b"damaged")


def ticking_clock(monkeypatch) -> list[int]:
    """Each reading of the clock (``events.wall_ms``) a second after the one before:
    what a test does in milliseconds takes seconds, as in life, and times kept to the
    second (a bundle's ``created``) tell which came first. Returns [offset]: how far
    the computer at hand is from that clock (0: right), for a test to move."""
    from fieldplan import events

    now = iter(range(events.wall_ms(), 2**45, 1000))
    offset = [0]
    monkeypatch.setattr(events, "wall_ms", lambda: next(now) + offset[0])
    return offset


def clock_gone_back(monkeypatch) -> None:
    """This computer's clock set back to 1 Jan 2000, 09:00 UTC (a flat BIOS battery),
    running on from there (``events.wall_ms``)."""
    from fieldplan import events

    back = (events.arrival_hlc("2000-01-01T09:00:00Z") >> 16) - events.wall_ms()
    real = events.wall_ms
    monkeypatch.setattr(events, "wall_ms", lambda: real() + back)


def forget_write_marks() -> None:
    """This computer's write marks gone (``fieldplan.writemark``): a database put
    back where none tells it went back (a disk image restored, another computer, a
    fieldplan older than the marks). Only the receipts or a fork can catch it."""
    import shutil

    from fieldplan import writemark

    shutil.rmtree(writemark.marks_dir(), ignore_errors=True)


def went_back_unseen(hq, make_office, tmp_path: Path) -> tuple[Path, str, Path]:
    """ML's database (closed) put back to a copy older than its last bundle, no write
    mark telling it, and HQ's bundle for ML, whose receipts show it: importing that
    bundle renews ML's identity. (ML's database path, its replica id, HQ's bundle)."""
    import shutil

    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")
    progress.record_progress(ml, act[0].code, "2026-S1", status="on-track")
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    path, old = ml.path, ml.replica_id
    ml.close()
    copy = tmp_path / "ml-copy.sqlite3"
    shutil.copyfile(path, copy)
    with open_replica(path) as ml:
        progress.record_progress(ml, act[1].code, "2026-S1", status="at-risk")
        assert send(ml, hq, tmp_path)[1].outcome == "merged"
    (tmp_path / "hq").mkdir()
    back = export_bundle(hq, for_office="ML", out_dir=tmp_path / "hq").path
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    forget_write_marks()
    return path, old, back


def hq_restored_with_a_lost_change(hq, make_office, tmp_path: Path):
    """HQ put back from a backup that lacks a period lock it made after it; ML, which
    holds the lock, has reported to the restored HQ. Returns (HQ's path, ML); the
    ``hq`` replica is closed."""
    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    send(ml, hq, tmp_path)
    store.backup(hq.conn, hq.path, "manual")
    progress.set_period_lock(hq, "2025-S2")  # lost in the restore
    send(hq, ml, tmp_path)
    path = hq.path
    hq.close()
    store.restore_latest_backup(path, force=True)
    with open_replica(path) as hq2:
        assert send(ml, hq2, tmp_path)[1].outcome == "merged"
    return path, ml


#: what ``office_restored_after_typing`` types after the backup, in this order
TYPED_AFTER_BACKUP = ("PA1.2", "PA1.3", "PA2.1")


def office_restored_after_typing(make_office, tmp_path: Path, *, sent: int = 0,
                                 readable: bool = True) -> Path:
    """An office whose database was backed up, then had three reports typed
    (``TYPED_AFTER_BACKUP``, the first ``sent`` of them exported to headquarters),
    then was damaged and put back from the backup: what was typed after the backup
    and never sent is gone. ``readable``: the damage spares the events, and the
    replaced file says which reports they were; else the file is emptied (a power
    cut), and only this computer's write mark says how far it wrote. Returns the
    database's path (closed)."""
    from tests.cli.test_cli_faults import damage_pages_of

    ml = make_office("ML")
    progress.record_progress(ml, "PA3.1", "2026-S1", status="on-track")
    store.backup(ml.conn, ml.path, "manual")
    for i, action in enumerate(TYPED_AFTER_BACKUP):
        if i == sent and sent:
            export_bundle(ml, out_dir=tmp_path)
        progress.record_progress(ml, action, "2026-S2", status="off-track",
                                 achievements=f"typed {action}")
    path = ml.path
    ml.close()  # (its write mark written)
    if readable:
        damage_pages_of(path, "progress")
    else:
        path.write_bytes(b"")
    store.restore_latest_backup(path)
    return path


def office_restored_after_a_lost_bundle(hq, make_office, tmp_path: Path, *,
                                        confirmed: bool = False, unsent: bool = False,
                                        lost_changes: int = 1):
    """ML, in step with HQ, was backed up, then reported PA1.2 for 2026-S1 at risk and
    exported: that bundle never reached headquarters (an email lost). Then its
    database was put back from the backup (``confirmed``: a report on PA1.3 typed and
    sent after the backup, which HQ acknowledged, comes before; ``unsent``: a report
    on PA2.1 typed after the export and never sent comes after; ``lost_changes``: how
    many times PA1.2 was saved before the export, each a change the bundle carries).
    Returns (ML's path, closed; the lost bundle's path)."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    store.backup(ml.conn, ml.path, "manual")
    if confirmed:
        progress.record_progress(ml, "PA1.3", "2026-S1", status="on-track")
        send(ml, hq, tmp_path)
        send(hq, ml, tmp_path)
    for time in range(lost_changes, 0, -1):
        progress.record_progress(ml, "PA1.2", "2026-S1",
                                 status="at-risk" if time % 2 else "on-track")
    (tmp_path / "sent-mail").mkdir(exist_ok=True)
    lost = export_bundle(ml, out_dir=tmp_path / "sent-mail").path
    if unsent:
        progress.record_progress(ml, "PA2.1", "2026-S1", status="at-risk")
    path = ml.path
    ml.close()
    store.restore_backup(path, force=True)
    return path, lost


def hq_with_a_forked_office(hq, make_office, tmp_path: Path):
    """ML's database went back to an older copy (its -wal lost) after HQ merged its
    later events, then wrote on: HQ refused its bundle (a forked history) and holds
    the fork record (``fieldplan.sync.fork``). Returns ML, opened again; its replica
    forked from its last event the copy lacked."""
    import shutil

    ml = make_office("ML")
    act = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, act, "2026-S1", status="on-track", percent=10)
    path = ml.path
    ml.close()
    copy = tmp_path / "ml-copy.sqlite3"
    shutil.copyfile(path, copy)
    ml = open_replica(path)
    progress.record_progress(ml, act, "2026-S1", percent=20)  # only HQ keeps it
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    ml.close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    forget_write_marks()
    ml = open_replica(path)
    progress.record_progress(ml, act, "2026-S1", percent=30)  # the same number, forked
    assert send(ml, hq, tmp_path)[1].outcome == "rejected"
    return ml


def amended(plan, *, drop=(), rename=None, regional=(), start=None, end=None, title=None,
            drop_indicators=(), add=(), signed=False, add_indicators=(), units=None,
            move_indicators=()):
    """``plan`` as an amendment changes it (its version one up): actions dropped,
    renamed (``{"PA1.3": "PA1.7"}``) or moved to the regional level, a later start or
    an earlier end (the targets of the periods they drop dropped too), a new title for
    the first action, indicators dropped (``("PA1.2", "data-reports")`` pairs), new
    national actions added at the end (``("PA1.9",)``: each a copy of PA1.1 with that
    code and its title); ``signed``: no text illustrative any more (HQ installed the
    signed plan's); indicators added (``("PA1.2", "new-key")`` pairs: each a copy of
    the action's first with that key); ``units``: new units of indicators
    (``{("PA4.1", "people-assisted"): "households"}``); ``move_indicators``: indicators
    taken from one action and put at the end of another (``("PA1.2", "data-reports",
    "PA1.1")`` triples: the same key and title)."""
    import dataclasses
    import datetime as dt

    from fieldplan.plan import Text

    rename = rename or {}
    moving = {(code, key): to for code, key, to in move_indicators}
    drop_indicators = (*drop_indicators, *moving)
    end = dt.date.fromisoformat(end) if isinstance(end, str) else end
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    kept = dataclasses.replace(plan, end=end) if end else plan
    kept = dataclasses.replace(kept, start=start) if start else kept
    periods = {str(p) for p in kept.periods()}
    actions = []
    for i, a in enumerate(plan.actions):
        if a.code in drop:
            continue
        a = dataclasses.replace(
            a, code=rename.get(a.code, a.code),
            level="regional" if a.code in regional else a.level,
            title=Text(en=title) if title and i == 0 else a.title,
            indicators=tuple(dataclasses.replace(
                ind, targets=tuple(t for t in ind.targets if t[0] in periods))
                for ind in a.indicators if (a.code, ind.key) not in drop_indicators))
        a = dataclasses.replace(a, indicators=a.indicators + tuple(
            dataclasses.replace(a.indicators[0], key=key, title=Text(en=f"New {key}"))
            for code, key in add_indicators if code == a.code) + tuple(
            dataclasses.replace(plan.action(code).indicator(key), targets=tuple(
                t for t in plan.action(code).indicator(key).targets if t[0] in periods))
            for (code, key), to in moving.items() if to == a.code))
        a = dataclasses.replace(a, indicators=tuple(
            dataclasses.replace(ind, unit=(units or {}).get((a.code, ind.key), ind.unit))
            for ind in a.indicators))
        actions.append(a)
    model = plan.action("PA1.1")
    actions += [dataclasses.replace(
        model, code=code, area=code.split(".")[0], title=Text(en=f"New action {code}"),
        indicators=tuple(dataclasses.replace(
            ind, targets=tuple(t for t in ind.targets if t[0] in periods))
            for ind in model.indicators))
        for code in add]
    if signed:
        actions = [dataclasses.replace(a, illustrative=False) for a in actions]
        kept = dataclasses.replace(kept, illustrative=False, areas=tuple(
            dataclasses.replace(a, illustrative=False) for a in kept.areas))
    return dataclasses.replace(kept, version=plan.version + 1, actions=tuple(actions))


def amend_plan(hq, tmp_path: Path, **changes):
    """(HQ) replace the plan with ``amended(hq.plan(), **changes)``, as `fieldplan plan
    import` does (allowed to hide reports); returns the new plan."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    new = amended(hq.plan(), **changes)
    path = tmp_path / f"plan-v{new.version}.json"
    dump_plan(new, path)
    replace_plan(hq, path, allow_hiding=True)
    return hq.plan()


#: The amendment of the review: PA1.2 dropped, PA1.3 renamed PA1.7, PA2.1 moved to
#: the regional level, the plan ending with 2026-S1.
AMENDMENT = {"drop": ("PA1.2",), "rename": {"PA1.3": "PA1.7"}, "regional": ("PA2.1",),
             "end": "2026-06-30"}


def second_laptop_behind(hq, tmp_path: Path):
    """Two laptops of ML set up from one setup bundle; the first reported two actions
    and exported, headquarters imported it and exported for ML, and the second laptop
    imported that: (first, second, HQ's bundle, events of the first's). The second
    lacks the first's reports: HQ's bundle followed the receipts of the computers it
    knows, and it knows the first only."""
    from fieldplan.sync import enroll_office, init_from_setup

    enroll_office(hq, "ML", tmp_path / "ml.setup")
    one = init_from_setup(tmp_path / "one.sqlite3", tmp_path / "ml.setup")
    two = init_from_setup(tmp_path / "two.sqlite3", tmp_path / "ml.setup")
    for action in one.plan().actions_of(level="national")[:2]:
        progress.record_progress(one, action.code, "2026-S1", status="on-track", percent=20)
    assert send(one, hq, tmp_path)[1].outcome == "merged"
    written = one.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                               (one.replica_id,)).fetchone()[0]
    result, outcome = send(hq, two, tmp_path)
    assert outcome.outcome == "merged"
    return one, two, result.path, written


def two_known_laptops(hq, tmp_path: Path):
    """Two laptops of ML set up from one setup bundle, each known to headquarters (a
    report of each merged there)."""
    from fieldplan.sync import enroll_office, init_from_setup

    enroll_office(hq, "ML", tmp_path / "ml.setup")
    laptops = []
    for name in ("a", "b"):
        laptop = init_from_setup(tmp_path / f"{name}.sqlite3", tmp_path / "ml.setup")
        code = laptop.plan().actions_of(level="national")[len(laptops)].code
        progress.record_progress(laptop, code, "2026-S1", status="on-track")
        assert send(laptop, hq, tmp_path)[1].outcome == "merged"
        laptops.append(laptop)
    return laptops


def revoked_laptop_sent_twice(hq, tmp_path: Path):
    """ML's laptops A and B, each known to headquarters; after HQ's backup, B's events
    reached HQ in two bundles (the second carried only what HQ had not confirmed), HQ
    revoked B and was put back from that backup. Returns (A, B, [B's first bundle,
    its second], ML's digest at HQ before the restore, HQ restored)."""
    from fieldplan.sync import revoke_key

    a, b = two_known_laptops(hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    bundles = []
    for i in (2, 3):
        code = b.plan().actions_of(level="national")[i].code
        progress.record_progress(b, code, "2026-S1", status="at-risk",
                                 achievements=f"B's report {i}")
        sent = send(b, hq, tmp_path)[0].path
        bundles.append(sent.rename(tmp_path / f"b{i}.fieldplan"))
        assert send(hq, b, tmp_path)[1].outcome == "merged"  # B learns HQ holds them
    shown = progress.digest(hq, office="ML")
    revoke_key(hq, b.meta("key_id"))
    return a, b, bundles, shown, restored_from(hq, before)


def hq_restored_losing_three_kinds(hq, make_office, tmp_path: Path):
    """HQ put back from a backup, after which it lost the three kinds of thing a restore
    warns of: a period lock of its own (2025-S2, which SN holds and reports), an event
    of SN's it had received and confirmed (SN's next bundle leaves it out), and two
    events of ML's laptop B, whose key it revoked. Returns (HQ's path, closed; SN, A and
    B, open)."""
    from fieldplan.sync import revoke_key

    a, b = two_known_laptops(hq, tmp_path)
    sn = make_office("SN")
    first, second = (x.code for x in sn.plan().actions_of(level="national")[:2])
    progress.record_progress(sn, first, "2026-S1", status="on-track")
    send(sn, hq, tmp_path)
    before = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(sn, second, "2026-S1", status="at-risk")  # lost at HQ
    send(sn, hq, tmp_path)
    progress.set_period_lock(hq, "2025-S2")  # lost at HQ
    send(hq, sn, tmp_path)
    for i in (2, 3):  # lost at HQ, their computer's key revoked
        code = b.plan().actions_of(level="national")[i].code
        progress.record_progress(b, code, "2026-S1", status="at-risk")
    send(b, hq, tmp_path)
    send(hq, b, tmp_path)
    revoke_key(hq, b.meta("key_id"))
    path = hq.path
    with restored_from(hq, before) as hq2:
        assert send(sn, hq2, tmp_path)[1].outcome == "merged"  # SN holds the lock
    return path, sn, a, b


def locked_then_left_outside(hq, make_office, tmp_path: Path):
    """ML's laptops A and B wrote one report of 2026-S2 differently, both reached HQ,
    which locked 2026-S2 and then installed an amendment ending the plan on 30 June
    2026: the period locked, outside the plan. Returns (A, B); A has not heard of the
    lock or the amendment yet."""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    act = a.plan().actions_of(level="national")[0].code
    progress.record_progress(a, act, "2026-S2", status="on-track")
    progress.record_progress(b, act, "2026-S2", status="at-risk")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    progress.set_period_lock(hq, "2026-S2")
    shorter = amended(hq.plan(), end="2026-06-30")
    dump_plan(dataclasses.replace(shorter, version=hq.plan().version + 1),
              tmp_path / "plan.json")
    replace_plan(hq, tmp_path / "plan.json", allow_hiding=True)
    return a, b


def replaced_database_unread(hq) -> None:
    """``hq``, just restored, as if the database it replaced could not be read: its
    ``restored`` record says nothing of the offices' events that database held."""
    import json

    from fieldplan import events

    info = json.loads(hq.meta("restored"))
    info.pop(store.OFFICE_EVENTS, None)
    with store.write_transaction(hq.conn):
        events.set_meta(hq.conn, "restored", events.canonical_json(info))


def wide_conflict(rep, many: int, value=lambda i: i) -> str:
    """``many`` versions of one report's percent written on ``rep`` (the first of its
    office's national actions, 2026-S1), none replacing another, as many laptops writing
    it unseen by each other would leave them; ``value(i)`` is the i-th one's value (the
    first written is listed last). The report's id."""
    from fieldplan import events

    rid = f"ML|{rep.plan().actions_of(level='national')[0].code}|2026-S1"
    with store.write_transaction(rep.conn):
        for i in range(many):
            events.append(rep.conn, "progress", rid, {"percent": value(i)}, author="x",
                          base={})
    return rid


def laptop_with_a_wide_conflict(hq, make_office, tmp_path: Path, many: int = 45):
    """ML's laptop B (closed) holding a conflict of ``many`` versions of a percent,
    written on its sibling A and carried through headquarters; the first one written
    (listed last) is 99, the others 0 to 4: B's path and the conflict (every version)."""
    from fieldplan.sync import list_conflicts, open_conflict

    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    wide_conflict(a, many, lambda i: 99 if i == 0 else i % 5)
    send(a, hq, tmp_path)
    send(hq, b, tmp_path)
    [listed] = list_conflicts(b)
    conflict = open_conflict(b, listed.id)  # (every version: the listing reads those shown)
    path = b.path
    b.close()
    return path, conflict


def laptops_wrote_alike(hq, make_office, tmp_path: Path, many: int = 40):
    """``many`` laptops of ML, none seeing another, each write the same report (on track,
    40 %) on the first ``reports`` national actions for 2026-S1 and the first for
    2026-S2, and send it to headquarters; a laptop more then imports them all from
    headquarters: every field of those reports has ``many`` current versions of one
    value (no conflict). (the laptop more, one of the many, the reports' actions)"""
    laptops = [make_office("ML", f"ml-{i}") for i in range(many)]
    codes = [a.code for a in laptops[0].plan().actions_of(level="national")[:4]]
    for rep in laptops:
        for code in codes:
            progress.record_progress(rep, code, "2026-S1", status="on-track", percent=40)
        progress.record_progress(rep, codes[0], "2026-S2", status="on-track", percent=40)
        send(rep, hq, tmp_path)
    more = make_office("ML", "ml-more")
    send(hq, more, tmp_path)
    return more, laptops[0], codes


def waiting_and_proof(ml, folder: Path) -> tuple[Path, Path]:
    """In ``folder`` (made here): a bundle of ML's key that headquarters does not know
    yet (no enrolment proof in it), and ``proof.fieldplan``, a bundle of no events
    carrying the proof that registers the key."""
    from fieldplan import bundle as bundlefmt
    from fieldplan import events
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync.export import enrolment_proof

    proof = ml.meta("enrolment")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track", percent=30)
    folder.mkdir()
    waiting = export_bundle(ml, out_dir=folder).path
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, "enrolment", proof)
    fields = {"kind": "sync", "plan_id": ml.plan_id, "sender": ml.replica_id,
              "office": ml.office, "recipient": "HQ", "ranges": {}, "acks": {},
              "enrolment": enrolment_proof(ml, keyreg.public_key(ml))}
    path = folder / "proof.fieldplan"
    bundlefmt.write_bundle(path, fields, [], keyreg.secret_key(ml))
    return waiting, path


@contextmanager
def disk_full_for(monkeypatch, name: str) -> Iterator:
    """Within it, importing the file named ``name`` fails as on a full disk (the
    quarantine's release of it included); yields the import itself, to import the
    others with."""
    from fieldplan.errors import StoreError
    from fieldplan.sync import exchange

    imported = exchange.import_bundle

    def full_disk(rep, source, *args, **kwargs):
        if kwargs.get("name") == name:
            raise StoreError("database or disk is full")
        return imported(rep, source, *args, **kwargs)

    monkeypatch.setattr(exchange, "import_bundle", full_disk)
    try:
        yield imported
    finally:
        monkeypatch.setattr(exchange, "import_bundle", imported)


def key_registered_left_waiting(hq, ml, folder: Path, monkeypatch) -> tuple[Path, Path]:
    """ML's bundle waits in quarantine for its key; the proof that registers the key is
    imported and the database cannot take the waiting one then (a full disk): it is
    left waiting, its key on record (active). The bundles in ``folder``; returns the
    waiting bundle and the proof."""
    waiting, proof = waiting_and_proof(ml, folder)
    assert import_bundle(hq, waiting).outcome == "quarantined"
    with disk_full_for(monkeypatch, waiting.name) as imported:
        assert imported(hq, proof).release_failed
    return waiting, proof


#: what ``laptops_in_conflict``'s laptops A and B write unless told otherwise
A_WROTE = {"status": "on-track", "percent": 30}
B_WROTE = {"status": "at-risk", "percent": 30}


class InConflict(NamedTuple):
    """ML's laptops A and B (open), the action of the report they wrote differently (the
    first of them), and the folder the bundles went to (``laptops_in_conflict``)."""

    a: Replica
    b: Replica
    code: str
    out: Path


def laptops_in_conflict(hq, make_office, tmp_path: Path, a: dict = A_WROTE,
                        b: dict = B_WROTE, *, actions: int = 1, sent: str = "ab",
                        told: str = "a", authors: tuple[str, str] = ("", ""),
                        monkeypatch=None) -> InConflict:
    """ML's laptops A and B record the same report (the plan's first national action,
    2026-S1; or each of the first ``actions``) offline, with the fields ``a`` and ``b``
    (B's later: B's win; written by ``authors`` through FIELDPLAN_AUTHOR, when given:
    ``monkeypatch`` sets it). The laptops of ``sent`` ("ab": A, then B; "b": B only) send
    HQ their bundles, and those of ``told`` ("a", "ab", or "": none) take HQ's bundle
    back: each then holds the conflict, as HQ does when both sent."""
    laptops = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    codes = [x.code for x in laptops[0].plan().actions_of(level="national")[:actions]]
    for laptop, fields, author in zip(laptops, (a, b), authors, strict=True):
        if author:
            monkeypatch.setenv("FIELDPLAN_AUTHOR", author)
        for code in codes:
            progress.record_progress(laptop, code, "2026-S1", **fields)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    named = dict(zip("ab", laptops, strict=True))
    for name in sent:
        import_bundle(hq, export_bundle(named[name], out_dir=out).path)
    if told:
        back = export_bundle(hq, for_office="ML", out_dir=out).path
        for name in told:
            import_bundle(named[name], back)
    return InConflict(*laptops, codes[0], out)


class HeldConflict(NamedTuple):
    """Laptop A's database (closed), its replica id, and the action of the report in
    conflict (``laptop_holding_a_conflict``)."""

    path: Path
    replica: str
    code: str


def laptop_holding_a_conflict(hq, make_office, tmp_path: Path, a: dict = A_WROTE,
                              b: dict = B_WROTE, **how) -> HeldConflict:
    """``laptops_in_conflict`` (``how``: its other choices), then laptop A closed, for a
    window or a command to open."""
    scene = laptops_in_conflict(hq, make_office, tmp_path, a, b, **how)
    replica = scene.a.replica_id
    return HeldConflict(closed(scene.a), replica, scene.code)


def conflict_and_a_draft(hq, make_office, tmp_path: Path, a: dict, b: dict,
                         draft: dict) -> tuple[Path, str, str]:
    """Laptop A of ``laptops_in_conflict`` (only B sent, A told) with a draft of the
    plan's second national action (fields ``draft``), in no conflict; closed: (A's
    path, the action in conflict, the draft's)."""
    rep, _b, code, _out = laptops_in_conflict(hq, make_office, tmp_path, a, b, sent="b")
    other = rep.plan().actions_of(level="national")[1].code
    progress.record_progress(rep, other, "2026-S1", **draft)
    return closed(rep), code, other


def closed(rep) -> Path:
    """``rep`` closed: its database's path, for a window or a command to open."""
    path = rep.path
    rep.close()
    return path


#: (``mixed_conflicts``) ML's reports of 2026-S1 on its first three national actions:
#: one field of each written differently by laptops A and B, another in A's history
#: alone (before and after its restore); the same the other way round; and one field
#: written by three replicas, A before its restore, A after it and B (two computers)
MIXED, REVERSED, THREE_WRITERS = "mixed", "reversed", "three writers"


class MixedConflicts(NamedTuple):
    """``mixed_conflicts``: ML's laptop A after its restore (open), laptop B (open), A's
    replica id before the restore, the action code of each report by name, and what
    the import of B's bundle at headquarters, then of headquarters' at A, said."""

    a: Replica
    b: Replica
    before: str
    named: dict[str, str]
    b_at_hq: Any
    hq_at_a: Any


def mixed_conflicts(hq, make_office, tmp_path: Path,
                    which: tuple[str, ...] = (MIXED, REVERSED, THREE_WRITERS)
                    ) -> MixedConflicts:
    """ML's laptops A and B, and headquarters, holding the reports ``which`` names
    (``MIXED``: its percent in A's history alone, its status written differently by A
    and B; ``REVERSED``: its status in A's history alone, its percent A's and B's;
    ``THREE_WRITERS``: its percent written by A before its restore, A after it and B),
    through the sync API: A and B reported, in step with headquarters; A was backed up,
    wrote, sent its bundle, was restored from the backup and wrote again; B wrote; each
    sent its bundle to headquarters, and headquarters' bundles went back to each."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    codes = [x.code for x in a.plan().actions_of(level="national")[:3]]
    named = dict(zip((MIXED, REVERSED, THREE_WRITERS), codes, strict=True))
    period = "2026-S1"
    for name in which:
        progress.record_progress(a, named[name], period, status="on-track", percent=10)
    round_trips(a, hq, tmp_path, 1)
    round_trips(hq, b, tmp_path, 1)
    store.backup(a.conn, a.path, "manual")
    before_writes = {MIXED: {"percent": 40}, REVERSED: {"status": "at-risk"},
                     THREE_WRITERS: {"percent": 40}}
    after_writes = {MIXED: {"percent": 50, "status": "completed"},
                    REVERSED: {"status": "off-track", "percent": 30},
                    THREE_WRITERS: {"percent": 50}}
    b_writes = {MIXED: {"status": "at-risk"}, REVERSED: {"percent": 60},
                THREE_WRITERS: {"percent": 60}}
    for name in which:
        progress.record_progress(a, named[name], period, **before_writes[name])
    send(a, hq, tmp_path)
    before = a.replica_id
    a.close()
    store.restore_backup(a.path, force=True)
    a = open_replica(a.path)
    for name in which:
        progress.record_progress(a, named[name], period, **after_writes[name])
        progress.record_progress(b, named[name], period, **b_writes[name])
    send(a, hq, tmp_path)
    _sent, b_at_hq = send(b, hq, tmp_path)
    _sent, hq_at_a = send(hq, a, tmp_path)
    send(hq, b, tmp_path)
    return MixedConflicts(a, b, before, named, b_at_hq, hq_at_a)
