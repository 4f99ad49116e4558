"""HQ and its offices update fieldplan at different times: each writes the other a
bundle format it reads, and what a newer fieldplan wrote is said to be newer, not
damaged."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fieldplan import __version__, events, progress, store
from fieldplan import bundle as bundlefmt
from fieldplan.sync import export_bundle, formats, import_bundle
from fieldplan.sync import keys as keyreg

PERIOD = "2026-S1"


def as_older(monkeypatch: pytest.MonkeyPatch, version: int) -> None:
    """This process acts as a fieldplan that reads and writes format ``version`` only,
    and writes no reads_version (as fieldplan did before that key)."""
    monkeypatch.setattr(bundlefmt, "FORMAT_VERSION", version)
    monkeypatch.setattr(formats, "manifest_fields", lambda: {})
    monkeypatch.setattr(formats, "choose_format",
                        lambda rep, recipient, readers, plan, also=None: (version, ""))


def report(office, percent: int = 40) -> None:
    progress.record_progress(office, "PA1.1", PERIOD, status="on-track", percent=percent)


def send(src, dst, folder: Path, name: str):
    result = export_bundle(src, out_file=folder / f"{name}.fieldplan")
    outcome = import_bundle(dst, result.path, backup=False)
    assert outcome.outcome == "merged", outcome.reason
    return result


def stored_lines(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return zf.read(bundlefmt.EVENTS).splitlines()


def manifest_of(path: Path) -> dict:
    with bundlefmt.open_bundle(path) as b:
        return dict(b.manifest)


def test_hq_writes_the_format_an_office_not_updated_yet_reads(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ml = make_office("ML")
    report(ml)
    with monkeypatch.context() as old:
        as_older(old, 1)
        send(ml, hq, tmp_path, "ml1")
    assert formats.reader_format(hq, "ML", [ml.replica_id]) == 1
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan",
                           full=True)
    assert result.warning == ""
    m = manifest_of(result.path)
    assert m["version"] == 1
    # every line whole: a format-1 reader restores no prev
    assert all(b'"prev":' in line for line in stored_lines(result.path))
    with monkeypatch.context() as old:
        as_older(old, 1)
        assert import_bundle(ml, result.path, backup=False).outcome in ("merged", "duplicate")

    # once the office is updated its bundles say so, and it gets the current format
    report(ml, 50)
    send(ml, hq, tmp_path, "ml2")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq2.fieldplan",
                           full=True)
    assert manifest_of(result.path)["version"] == bundlefmt.FORMAT_VERSION
    assert any(b'"prev":' not in line for line in stored_lines(result.path))


def test_a_setup_bundle_is_read_by_an_installer_not_updated(
        hq, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldplan.sync import enroll_office, init_from_setup

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    with monkeypatch.context() as old:
        as_older(old, 1)
        ml = init_from_setup(tmp_path / "ml.sqlite3", setup)
    try:
        # what HQ reads came with it: the office writes HQ the current format
        assert formats.reader_format(ml, "HQ", [hq.replica_id]) == bundlefmt.FORMAT_VERSION
    finally:
        ml.close()


def test_manifest_names_the_fieldplan_that_wrote_it(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    report(ml)
    result = send(ml, hq, tmp_path, "ml1")
    m = manifest_of(result.path)
    assert m["app_version"] == __version__
    assert m["reads_version"] == bundlefmt.FORMAT_VERSION
    assert formats.office_versions(hq) == {"ML": (__version__,)}


def revoke_for_one_computer(hq, office) -> None:
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "key", office.meta("key_id"),
                      {"status": "revoked", "scope": keyreg.REPLICA_ALONE}, author="hq")


def test_a_scoped_revocation_goes_in_a_format_older_readers_refuse_as_newer(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ml = make_office("ML")
    report(ml)
    with monkeypatch.context() as old:
        as_older(old, 2)
        send(ml, hq, tmp_path, "ml1")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
    assert manifest_of(result.path)["version"] == 2  # nothing it cannot read yet
    revoke_for_one_computer(hq, ml)
    # ML reads none of it: it waits for ML's fieldplan to be updated, and is said
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq2.fieldplan")
    assert manifest_of(result.path)["version"] == 2
    assert not any(b'"scope"' in line for line in stored_lines(result.path))
    assert result.warning == (
        "ML's fieldplan reads bundle format 2 only: the bundle carries the receipts and "
        "what came before the changes that need format 3 (for a key revoked for one "
        "computer alone); ML must update fieldplan to receive those changes and what "
        "came after them")
    with monkeypatch.context() as old:
        as_older(old, 2)
        assert import_bundle(ml, result.path, backup=False).outcome == "merged"
    # written in format 3, a reader of format 2 refuses it as newer
    newer = bundle_in(hq, tmp_path / "hq3.fieldplan", 3)
    with monkeypatch.context() as old:
        as_older(old, 2)
        outcome = import_bundle(ml, newer, backup=False)
    assert outcome.outcome == "rejected"
    assert outcome.reason == ("bundle format version 3 is newer than this fieldplan "
                              "understands (2); update fieldplan")


def test_the_format_is_said_to_be_for_what_the_bundle_carries(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A format 4 bundle that carries a key revoked for one computer alone and a plan
    that words its units in French or Arabic was said to be "for the plan's units"
    alone, and a setup bundle too; any format from 4 on was said so. Each reason the
    bundle carries is said, those the recipient reads left out. Found by review."""
    from fieldplan.planops import install_plan
    from fieldplan.sync import enroll_office
    from tests.core.test_unit_words import worded

    ml = make_office("ML")
    report(ml)
    with monkeypatch.context() as old:
        as_older(old, 2)
        send(ml, hq, tmp_path, "ml1")
    revoke_for_one_computer(hq, ml)
    install_plan(hq, worded(hq.plan()), "v2.toml")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
    assert manifest_of(result.path)["version"] == 2
    assert result.warning.endswith(
        "need format 4 (for the plan's units in French or Arabic and for a key revoked "
        "for one computer alone); ML must update fieldplan to receive those changes and "
        "what came after them")
    setup = enroll_office(hq, "TD", tmp_path / "TD-setup.fieldplan")
    assert setup.warning.endswith(
        "(bundle format 4, for the plan's units in French or Arabic and for a key "
        "revoked for one computer alone)")
    # a reader of format 3 reads the key: it lacks the units' words alone
    sn = make_office("SN")
    report(sn)
    with monkeypatch.context() as old:
        as_older(old, 3)
        send(sn, hq, tmp_path, "sn1")
    assert formats.choose_format(hq, "SN", [sn.replica_id], [(hq.replica_id, 0)]) == (
        4, "SN's fieldplan reads bundle format 3 only: it must be updated to read this "
        "bundle (format 4, for the plan's units in French or Arabic)")


def bundle_in(hq, path: Path, version: int) -> Path:
    """HQ's events in bundle format ``version``, as a fieldplan that holds nothing back
    writes them."""
    manifest = {"kind": "sync", "plan_id": hq.plan_id, "sender": hq.replica_id,
                "office": "HQ", "recipient": "ML", "acks": {},
                "ranges": {hq.replica_id: [1, events.last_event(hq.conn, hq.replica_id)[0]]}}
    from fieldplan.sync.export import event_lines

    plan = [(hq.replica_id, 0, manifest["ranges"][hq.replica_id][1])]
    return bundlefmt.write_bundle(path, manifest, event_lines(hq, plan),
                                  keyreg.secret_key(hq), version=version).path


def test_a_format_is_said_for_the_content_that_needs_it() -> None:
    """A format after 4, whatever it is for, was said to be "for the plan's units in
    French or Arabic"."""
    assert formats.needed_for({bundlefmt.KEY_SCOPE_SINCE}) == (
        "for a key revoked for one computer alone")
    assert formats.setup_format_text("ML", 5, needs={bundlefmt.KEY_SCOPE_SINCE}) == (
        "ML's computers need this version of fieldplan or a later one to be set up "
        "from this file: an older one refuses it as newer (bundle format 5, for a key "
        "revoked for one computer alone)")
    assert formats.setup_format_text("ML", 5) == ""  # (nothing known of it)
    assert formats.setup_format_text("ML", 1, needs=()) == ""


def crafted(rep, entity: str, entity_id: str, fields: dict) -> dict:
    """The next event of rep's chain, not stored."""
    seq, prev = events.last_event(rep.conn, rep.replica_id)
    return {"author": "newer", "base": {}, "entity": entity, "fields": fields,
            "hlc": (2_000_000_000_000 << 16), "id": entity_id, "origin": rep.replica_id,
            "prev": prev, "seq": seq + 1}


@pytest.mark.parametrize(("entity", "entity_id", "fields", "said"), [
    ("progress", f"ML|PA1.1|{PERIOD}", {"status": "at-risk", "confidence": "high"},
     "unknown field 'confidence', probably written by a newer fieldplan: update fieldplan"),
    ("risk", "ML|R1", {"text": "flood"},
     "unknown kind of record 'risk', probably written by a newer fieldplan: "
     "update fieldplan"),
])
def test_what_a_newer_office_wrote_is_said_newer(hq, make_office, tmp_path: Path,
                                                 entity, entity_id, fields, said) -> None:
    ml = make_office("ML")
    report(ml)
    send(ml, hq, tmp_path, "ml1")  # HQ knows ML's key
    path = tmp_path / "newer.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id,
                                  "sender": ml.replica_id, "office": "ML",
                                  "recipient": "HQ", "ranges": {}, "acks": {}},
                           [crafted(ml, entity, entity_id, fields)], keyreg.secret_key(ml))
    outcome = import_bundle(hq, path, backup=False)
    assert outcome.outcome == "rejected"
    assert outcome.reason.endswith(said), outcome.reason


def test_a_key_record_field_of_a_newer_fieldplan_is_said_newer(
        hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    path = tmp_path / "newer.fieldplan"
    bundlefmt.write_bundle(path, {"kind": "sync", "plan_id": hq.plan_id,
                                  "sender": hq.replica_id, "office": "HQ",
                                  "recipient": "ML", "ranges": {}, "acks": {}},
                           [crafted(hq, "key", hq.meta("key_id"), {"expires": "2030"})],
                           keyreg.secret_key(hq))
    outcome = import_bundle(ml, path, backup=False)
    assert outcome.outcome == "rejected"
    assert outcome.reason.endswith(
        "unknown field 'expires', probably written by a newer fieldplan: update fieldplan")
