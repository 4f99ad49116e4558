"""Quarantine keeps at most ``QUARANTINE_MAX_BUNDLES`` bundles, ``QUARANTINE_MAX_BYTES``
bytes and ``QUARANTINE_MAX_KEY_BUNDLES`` bundles of one key. Found by QA: anyone could
mail headquarters thousands of bundles signed by keys made on the spot, each kept until
a person trusted or refused its key, and fill its disk and database. Past the limits a
new unknown key's bundle is refused in one line, nothing of it kept; what waits stays,
and known keys import as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import progress, store
from fieldplan.sync import exchange, export_bundle, import_bundle, refuse_key, sync_state


def _unknown(make_office, name: str):
    """An ML computer whose key headquarters does not know (no enrolment proof)."""
    rep = make_office("ML", name)
    with store.write_transaction(rep.conn):
        rep.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    return rep


def _bundle(rep, out: Path, percent: int) -> Path:
    code = rep.plan().actions_of(level="national")[0].code
    progress.record_progress(rep, code, "2026-S1", status="on-track", percent=percent)
    out.mkdir(exist_ok=True)
    return export_bundle(rep, out_dir=out).path


def _held(hq) -> list:
    return hq.conn.execute("SELECT bundle_id, public_key, data FROM quarantine "
                           "ORDER BY bundle_id").fetchall()


def _state(hq) -> tuple:
    return (progress.digest(hq), hq.conn.execute("SELECT count(*) FROM events").fetchone(),
            _held(hq))


def test_a_full_quarantine_refuses_a_new_unknown_key_and_keeps_what_waits(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BUNDLES", 2)
    out = tmp_path / "out"
    waiting = [_bundle(_unknown(make_office, f"u{n}"), out, 10 + n) for n in range(2)]
    for path in waiting:
        assert import_bundle(hq, path).outcome == "quarantined"
    before = _state(hq)
    late = _bundle(_unknown(make_office, "u2"), out, 30)
    o = import_bundle(hq, late)
    assert o.outcome == "rejected"
    assert o.reason == ("quarantine full: it holds 2 bundles ({size}) whose keys no one "
                        "has trusted or refused yet; trust or refuse waiting keys "
                        "first").format(
                            size=o.reason.split("(")[1].split(")")[0])
    assert "\n" not in o.line()
    assert _state(hq) == before  # nothing of it kept, nothing waiting lost
    # a bundle waiting already, given again, is no new one: still waits as it did
    assert import_bundle(hq, waiting[0]).outcome == "quarantined"
    assert _state(hq) == before
    # a known key imports as before
    known = make_office("SN", "sn")
    assert import_bundle(hq, _bundle(known, out, 50)).outcome == "merged"
    # room made (a key refused): the late bundle is kept again
    [fpr] = {q.fingerprint for q in exchange.list_quarantine(hq)
             if q.file == waiting[0].name}
    refuse_key(hq, fpr)
    assert import_bundle(hq, late).outcome == "quarantined"
    assert sync_state(hq).quarantined == 2


def test_one_key_keeps_its_share_and_no_more(hq, make_office, tmp_path: Path,
                                            monkeypatch) -> None:
    """One computer (or one made-up key) sending bundle after bundle is refused past
    its share; another new computer's bundle is still kept."""
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_KEY_BUNDLES", 2)
    out = tmp_path / "out"
    chatty = _unknown(make_office, "chatty")
    for n in range(2):
        assert import_bundle(hq, _bundle(chatty, out, 10 + n)).outcome == "quarantined"
    before = _state(hq)
    o = import_bundle(hq, _bundle(chatty, out, 20))
    assert (o.outcome, o.reason) == (
        "rejected", "quarantine full for this key: it holds 2 bundles signed with it "
        "already; trust or refuse the key first")
    assert _state(hq) == before
    assert import_bundle(hq, _bundle(_unknown(make_office, "other"), out, 5)).outcome \
        == "quarantined"


def test_the_bytes_kept_are_bounded_too(hq, make_office, tmp_path: Path,
                                        monkeypatch) -> None:
    out = tmp_path / "out"
    first = _bundle(_unknown(make_office, "u0"), out, 10)
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BYTES", first.stat().st_size + 100)
    assert import_bundle(hq, first).outcome == "quarantined"
    before = _state(hq)
    o = import_bundle(hq, _bundle(_unknown(make_office, "u1"), out, 20))
    assert o.outcome == "rejected" and o.reason.startswith("quarantine full: it holds 1 bundle (")
    assert _state(hq) == before
    state = sync_state(hq)
    assert (state.quarantined, state.quarantine_bytes) == (1, len(before[2][0][2]))
    assert state.to_dict()["quarantine_bytes"] == state.quarantine_bytes


@pytest.mark.parametrize("name", ["QUARANTINE_MAX_BUNDLES", "QUARANTINE_MAX_BYTES",
                                  "QUARANTINE_MAX_KEY_BUNDLES"])
def test_the_limits_leave_room_for_what_a_trust_waits_for(name) -> None:
    from fieldplan import bundle as bundlefmt

    assert exchange.QUARANTINE_MAX_BYTES >= bundlefmt.MAX_BUNDLE_BYTES
    assert 0 < exchange.QUARANTINE_MAX_KEY_BUNDLES < exchange.QUARANTINE_MAX_BUNDLES
    assert getattr(exchange, name) > 0


def test_the_quarantine_page_warns_when_it_fills(monkeypatch) -> None:
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BUNDLES", 10)
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BYTES", 10 * 1024 * 1024)
    assert exchange.quarantine_room_text(7, 1024) == ""  # room: nothing said
    assert exchange.quarantine_room_text(8, 1024) == (
        "Quarantine is nearly full: it holds 8 bundles of at most 10 (1 KiB of at most "
        "10 MiB). Once it is full, bundles of keys not known here are refused: trust or "
        "refuse the keys waiting here.")
    assert exchange.quarantine_room_text(1, 9 * 1024 * 1024).startswith(
        "Quarantine is nearly full: it holds 1 bundle of at most 10 (9 MiB")
    assert exchange.quarantine_room_text(10, 1024) == (
        "Quarantine is full: it holds 10 bundles of at most 10 (1 KiB of at most 10 MiB). "
        "Bundles of keys not known here are refused until you trust or refuse keys "
        "waiting here.")
