"""The bundle format between replicas: what travels (version 2 leaves derivable `prev`
hashes out) and what still imports (version 1 bundles, written by fieldplan before)."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

from fieldplan import bundle as bundlefmt
from fieldplan import events, minisign, progress
from fieldplan.sync import export_bundle, import_bundle, trust_key
from fieldplan.sync import keys as keyreg

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bundles"


def log(rep, origin: str | None = None) -> list[tuple[str, int, str, str]]:
    """(origin, seq, hash, body) of the events held, in order."""
    return [tuple(r) for r in rep.conn.execute(
        "SELECT origin, seq, hash, body FROM events WHERE ? IS NULL OR origin = ? "
        "ORDER BY origin, seq", (origin, origin))]


def snapshot(rep) -> tuple[str, int]:
    return progress.digest(rep), rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]


def record_semester(rep, period: str = "2026-S1") -> None:
    for act in rep.plan().actions_of(level="national"):
        for pct in (20, 35):
            progress.record_progress(
                rep, act.code, period, status="on-track", percent=pct,
                achievements="Un atelier technique a réuni 45 participants de 6 institutions "
                             "avec le ministère du Travail. " * 2,
                challenges="Le financement de la deuxième phase n'est pas encore confirmé.",
                next_steps="Étendre la formation à 4 provinces supplémentaires.")
    progress.submit_period(rep, period)


def stored_lines(path) -> list[bytes]:
    """events.jsonl's lines as the bundle stores them (prev left out where implied)."""
    with zipfile.ZipFile(path) as zf:
        return zf.read(bundlefmt.EVENTS).splitlines()


def test_events_arrive_byte_for_byte_with_prev_left_out_in_transit(hq, make_office, tmp_path):
    ml = make_office("ML")
    record_semester(ml)
    result = export_bundle(ml, out_dir=tmp_path)
    stored = stored_lines(result.path)
    sent = log(ml, ml.replica_id)
    assert len(stored) == len(sent) > 10
    assert [b'"prev":' in line for line in stored] == [True] + [False] * (len(sent) - 1)
    assert import_bundle(hq, result.path).outcome == "merged"
    # the same events, hashes and chain as the sender holds
    assert log(hq, ml.replica_id) == sent
    assert all(hashlib.sha256(body.encode()).hexdigest() == h for _o, _s, h, body in sent)
    assert progress.digest(hq, "ML") == progress.digest(ml, "ML")


def test_headquarters_bundle_with_several_origins_round_trips(hq, make_office, tmp_path):
    ml = make_office("ML")
    ml2 = make_office("ML", "ML-laptop")
    for rep in (ml, ml2):
        record_semester(rep)
        assert import_bundle(hq, export_bundle(rep, out_dir=tmp_path).path).outcome == "merged"
    back = export_bundle(hq, for_office="ML", out_dir=tmp_path / "back"
                         if (tmp_path / "back").mkdir() is None else tmp_path)
    with zipfile.ZipFile(back.path) as zf:
        stored = zf.read(bundlefmt.EVENTS).splitlines()
    with bundlefmt.open_bundle(back.path) as b:
        origins = len(b.manifest["ranges"])
    assert origins >= 2
    assert sum(b'"prev":' in line for line in stored) == origins  # one a run
    assert import_bundle(ml, back.path).outcome == "merged"
    assert log(ml, ml2.replica_id) == log(ml2, ml2.replica_id)
    assert log(ml, hq.replica_id) == log(hq, hq.replica_id)


def test_a_version_1_bundle_still_imports(hq):
    # Written by fieldplan's export before prev was left out (commit 02ddea7): office ML,
    # one replica, five events, every line whole. Its key is unknown here: quarantine,
    # then trust by fingerprint, as for any new office.
    fixture = FIXTURES / "v1-office-ML.fieldplan"
    with bundlefmt.open_bundle(fixture) as b:
        assert b.version == 1
        lines = list(b.iter_lines())
    with zipfile.ZipFile(fixture) as zf:
        assert zf.read(bundlefmt.EVENTS).splitlines() == lines
    assert all(b'"prev":' in line for line in lines)
    first = import_bundle(hq, fixture, backup=False)
    assert first.outcome == "quarantined"
    (outcome,) = trust_key(hq, first.fingerprint)
    assert (outcome.outcome, outcome.events_new) == ("merged", 5), outcome.reason
    held = log(hq, first.replica)
    assert [body.encode() for *_x, body in held] == lines
    assert [h for _o, _s, h, _b in held] == [hashlib.sha256(x).hexdigest() for x in lines]
    report = progress.get_report(hq, "PA1.1", "2026-S1", office="ML")
    assert report.percent == 40 and report.state == "submitted"


def test_a_left_out_prev_out_of_place_is_refused_and_changes_nothing(hq, make_office, tmp_path):
    ml = make_office("ML")
    record_semester(ml)
    result = export_bundle(ml, out_dir=tmp_path)
    stored = stored_lines(result.path)
    before = snapshot(hq)
    # lines 2 and 3 swapped: each still leaves prev out, neither follows the line before
    swapped = [stored[0], stored[2], stored[1], *stored[3:]]
    path = tmp_path / "swapped.fieldplan"
    path.write_bytes(resigned(result.path, b"".join(x + b"\n" for x in swapped),
                              keyreg.secret_key(ml)))
    outcome = import_bundle(hq, path, backup=False)
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("events.jsonl line 2 leaves out prev but does not follow the "
                              "line before it (same origin, previous seq)")
    assert snapshot(hq) == before
    assert import_bundle(hq, result.path, backup=False).outcome == "merged"


def test_an_office_semester_is_within_a_tenth_of_gzip(hq, make_office, tmp_path):
    """A typical office-semester goes by satellite-phone email: ≤ 32 KB, and no more
    than 1.10× gzip -9 of the same event lines as stored (with every prev)."""
    ml = make_office("ML")
    record_semester(ml)
    result = export_bundle(ml, out_dir=tmp_path)
    lines = b"".join(body.encode() + b"\n" for *_x, body in log(ml, ml.replica_id))
    gz = len(gzip.compress(lines, compresslevel=9))
    assert result.size <= 32 * 1024
    assert result.size <= 1.10 * gz, (result.size, gz)


def test_prev_left_out_keeps_the_chain_checked_at_both_ends(hq, make_office, tmp_path):
    # A run whose first line names the wrong previous event is still refused: only
    # lines after the first of a run leave prev out.
    ml = make_office("ML")
    record_semester(ml)
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path).outcome == "merged"
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S2",
                             status="on-track", percent=5)
    progress.record_progress(ml, ml.plan().actions_of(level="national")[1].code, "2026-S2",
                             status="on-track", percent=5)
    new = [events.parse_event(body) for *_x, body in log(ml, ml.replica_id)][-2:]
    first = events.canonical_json({**_raw(new[0]), "prev": "0" * 64}).encode()
    second = events.canonical_json({**_raw(new[1]),
                                    "prev": hashlib.sha256(first).hexdigest()}).encode()
    path = tmp_path / "forked.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": ml.plan_id,
                                  "sender": ml.replica_id, "office": "ML", "recipient": "HQ",
                                  "ranges": {}, "acks": {}}, [first, second],
                           keyreg.secret_key(ml))
    with zipfile.ZipFile(path) as zf:
        assert [b'"prev":' in x for x in zf.read(bundlefmt.EVENTS).splitlines()] == [True, False]
    before = snapshot(hq)
    outcome = import_bundle(hq, path, backup=False)
    # (the sender's own replica not following HQ's event: a forked history, which
    # HQ's next bundle repairs: sync.fork.ChainFork)
    assert outcome.outcome == "rejected"
    assert f"does not follow event {new[0].seq - 1} held here" in outcome.reason
    assert snapshot(hq) == before


def resigned(path: Path, events_jsonl: bytes, secret) -> bytes:
    """The bundle at `path` with other events.jsonl bytes (stored as given, which
    write_bundle would not do), its manifest updated to match and signed again."""
    with bundlefmt.open_bundle(path) as b:
        manifest = dict(b.manifest)
    manifest["members"] = {bundlefmt.EVENTS: {
        "sha256": hashlib.sha256(events_jsonl).hexdigest(), "size": len(events_jsonl)}}
    manifest["event_count"] = events_jsonl.count(b"\n")
    manifest_bytes = bundlefmt.canonical_json(manifest)
    signature = minisign.sign(secret, manifest_bytes, bundlefmt.trusted_comment(
        manifest["bundle_id"], manifest["created"]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundlefmt.EVENTS, events_jsonl)
        zf.writestr(bundlefmt.MANIFEST, manifest_bytes)
        zf.writestr(bundlefmt.SIGNATURE, signature)
    return buf.getvalue()


def _raw(e: events.Event) -> dict:
    return {"author": e.author, "base": dict(e.base), "entity": e.entity,
            "fields": dict(e.fields), "hlc": e.hlc, "id": e.entity_id, "origin": e.origin,
            "prev": e.prev, "seq": e.seq}


def test_an_import_decompresses_the_events_once(hq, make_office, tmp_path, monkeypatch):
    """The import checks events.jsonl against the manifest before its transaction,
    then reads its lines: from the bytes that check read and verified, not from the
    archive again (a second decompression and hash of every line, per bundle). A
    member larger than KEEP_CHECKED_BYTES is read again, chunk by chunk, as before."""
    ml = make_office("ML")
    record_semester(ml)
    path = export_bundle(ml, out_dir=tmp_path).path
    expected = [body.encode() for _o, _s, _h, body in log(ml, ml.replica_id)]
    reads = []
    real = bundlefmt._read_member

    def counted_read(zf, info, cap):
        reads.append(info.filename)
        return real(zf, info, cap)

    monkeypatch.setattr(bundlefmt, "_read_member", counted_read)
    with bundlefmt.open_bundle(path, check_events=False) as b:
        b.check_events()
        assert [line for line, _digest in b.iter_hashed_lines()] == expected
        assert list(b.iter_lines()) == expected  # (again: the same bytes)
    assert reads.count(bundlefmt.EVENTS) == 1
    reads.clear()
    monkeypatch.setattr(bundlefmt, "KEEP_CHECKED_BYTES", 10)
    with bundlefmt.open_bundle(path, check_events=False) as b:
        b.check_events()
        assert list(b.iter_lines()) == expected
    assert reads.count(bundlefmt.EVENTS) == 2
    reads.clear()
    monkeypatch.undo()
    monkeypatch.setattr(bundlefmt, "_read_member", counted_read)
    assert import_bundle(hq, path, backup=False).outcome == "merged"
    assert reads.count(bundlefmt.EVENTS) == 1
    assert log(hq, ml.replica_id) == log(ml, ml.replica_id)
