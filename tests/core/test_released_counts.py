"""The totals of an import (the client's "Merged: 2", the status's last import "2 files:
2 merged") count the bundles a key it registered brought out of quarantine
(``ImportOutcome.released``), each file once: a bundle of the lot that waited in
quarantine and was brought out by a later one is merged, not quarantined too; one
brought out, then met again later in the lot, is one file merged, not a duplicate too.
They were named in the details of the file that brought them out only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sync import national

from fieldplan import events, progress, store
from fieldplan.errors import ValidationError
from fieldplan.sync import exchange, export_bundle, import_bundle, import_bundles, sync_state
from fieldplan.sync.exchange import (
    ImportOutcome,
    each_file,
    list_quarantine,
    outcome_counts,
    trust_key,
)
from tests.scenes import disk_full_for, key_registered_left_waiting, waiting_and_proof


@pytest.mark.parametrize("order", ["waited-before", "in-the-lot", "met-again",
                                   "twice-in-the-lot"])
def test_an_imports_totals_count_what_a_registered_key_brought_out_once(
        hq, make_office, tmp_path: Path, order: str) -> None:
    """``waited-before``: the bundle waited from an earlier import, the proof imported
    alone; ``in-the-lot``: both chosen, the waiting one first (quarantined, then
    brought out); ``met-again``: it waited from an earlier import, and is chosen again
    after the proof (nothing new by then); ``twice-in-the-lot``: chosen twice before the
    proof (quarantined twice, as one bundle waiting): both its files are shown merged
    and counted once, as a copy met again after the proof is. The second copy was
    left "quarantined", telling to trust a key already on record, and the totals
    (``import --json``, the status's last import) counted a bundle quarantined that
    no longer was."""
    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    if order != "in-the-lot":
        assert import_bundle(hq, waiting).outcome == "quarantined"
    files = {"waited-before": [proof], "in-the-lot": [waiting, proof],
             "met-again": [proof, waiting], "twice-in-the-lot": [waiting, waiting, proof]
             }[order]
    outcomes = import_bundles(hq, files)
    assert [r.file for o in outcomes for r in o.released] == [waiting.name]
    assert outcome_counts(outcomes) == {"merged": 2}
    # the file of the lot brought out is shown merged, as counted: it said
    # "quarantined … check the fingerprint before trusting the key"
    assert "quarantined" not in [o.outcome for o in outcomes]
    assert sorted(o.file for o in each_file(outcomes)) == sorted(
        [waiting.name, proof.name])
    last = sync_state(hq).last_import
    assert (last["file"], last["files"], last["counts"]) == (
        files[-1].name, 2, {"merged": 2})
    assert list_quarantine(hq) == []


def test_a_file_of_the_lot_of_the_same_name_is_still_counted() -> None:
    """Only the bundle brought out stands for a file of the lot: another file (another
    bundle), quarantined or a duplicate, is counted as it was."""
    brought = ImportOutcome("a.fieldplan", "merged", bundle_id="b1", key_id="k")
    outcomes = [ImportOutcome("c.fieldplan", "quarantined", bundle_id="b2", key_id="k2"),
                ImportOutcome("p.fieldplan", "merged", bundle_id="b3", key_id="k",
                              released=(brought,)),
                ImportOutcome("a.fieldplan", "duplicate", bundle_id="b4", key_id="k")]
    assert outcome_counts(outcomes) == {"quarantined": 1, "merged": 2, "duplicate": 1}


def test_a_bundle_brought_out_says_the_locked_period_it_changed(
        hq, make_office, tmp_path: Path) -> None:
    """The bundle that waited in quarantine changed a period headquarters has locked
    since: the line of the import that brought it out says so, as the bundle's own
    line would (the command line prints that line only, the client's result shows it
    in the file's details). It named the bundle's file alone, and the change to the
    locked period was said in the inbox only."""
    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    assert import_bundle(hq, waiting).outcome == "quarantined"
    progress.set_period_lock(hq, "2026-S1")
    [outcome] = import_bundles(hq, [proof])
    [released] = outcome.released
    assert released.late_periods == ("2026-S1",)
    assert released.line() in outcome.line()
    assert "locked period 1st semester 2026" in outcome.line()


def test_a_bundle_brought_out_with_nothing_more_to_say_is_named_by_its_file() -> None:
    brought = ImportOutcome("a.fieldplan", "merged", events_new=1, events_total=1)
    proof = ImportOutcome("p.fieldplan", "merged", released=(brought,))
    assert proof.line() == (
        "p.fieldplan: merged (no events); it registered its key: 1 bundle that waited "
        "in quarantine for a key now registered was imported too (a.fieldplan)")


def test_the_bundles_of_keys_still_unknown_are_not_read_for_each_key_registered(
        hq, make_office, tmp_path: Path) -> None:
    """An import that registers a key (each office's first bundle) looks in quarantine
    for the bundles of keys now on record: those of keys still unknown stay waiting,
    their bytes unread. Every such import read them all (bundles of megabytes, at each
    of an import's first bundles of 57 offices)."""
    other = make_office("BN")
    (tmp_path / "bn").mkdir()
    progress.record_progress(other, national(other), "2026-S1", status="on-track")
    with store.write_transaction(other.conn):
        other.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    unknown = export_bundle(other, out_dir=tmp_path / "bn").path
    assert import_bundle(hq, unknown).outcome == "quarantined"
    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    assert import_bundle(hq, waiting).outcome == "quarantined"
    read: list[str] = []
    hq.conn.set_trace_callback(read.append)
    try:
        outcome = import_bundle(hq, proof)
    finally:
        hq.conn.set_trace_callback(None)
    assert [r.file for r in outcome.released] == [waiting.name]
    bytes_read = [s for s in read if "data FROM quarantine" in s]
    assert len(bytes_read) == 1 and "bundle_id = " in bytes_read[0], bytes_read


def test_a_bundle_the_database_cannot_take_after_its_key_is_registered_is_said(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """The database cannot take the bundle that waited for the key the import
    registered (a full disk, a lock): the import's line says so, that it still waits,
    and what takes it. It said "merged" only, and the bundle stayed listed as an
    unknown key's, "check the fingerprint before trusting the key", no longer what
    it waits for."""
    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    assert import_bundle(hq, waiting).outcome == "quarantined"
    with disk_full_for(monkeypatch, waiting.name) as imported:
        outcome = imported(hq, proof)
        assert (outcome.outcome, outcome.released) == ("merged", ())
        assert outcome.line() == (
            "proof.fieldplan: merged (no events); the key of a new computer of ML is now "
            "registered: headquarters' bundles for ML reach that computer from now on; 1 "
            "bundle that waited in quarantine for a "
            "key now registered could not be imported (database or disk is full): it "
            "still waits there, and trusting its key or importing its file again imports "
            f"it ({waiting.name})")
        assert outcome.to_dict()["release_failed"] == outcome.release_failed
        assert [q.file for q in list_quarantine(hq)] == [waiting.name]  # (nothing lost)
    [again] = trust_key(hq, list_quarantine(hq)[0].fingerprint)
    assert (again.file, again.outcome, again.events_new) == (waiting.name, "merged", 1)


@pytest.mark.parametrize("noted", [True, False])
def test_a_bundle_left_waiting_after_its_key_was_registered_says_why_it_waits(
        hq, make_office, tmp_path: Path, monkeypatch, capsys, noted: bool) -> None:
    """The database could not take the bundle that waited for the key an import then
    registered: the quarantine list (``keys list``, its JSON, the client's Quarantine
    tab: ``list_quarantine``) says its key is on record now, what failed and what takes
    it. It said the inbox line of its quarantine, "unknown key … check the fingerprint
    with the office before trusting the key", and ``keys list`` sent headquarters to
    read the fingerprint with the office. ``noted``: the inbox line the failure wrote
    is there (else, a trust stopped half way, the list says it in general words)."""
    from fieldplan.cli import main

    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    assert import_bundle(hq, waiting).outcome == "quarantined"
    [before] = list_quarantine(hq)
    assert "check the fingerprint" in before.reason_text() and not before.key_on_record
    with disk_full_for(monkeypatch, waiting.name) as imported:
        assert imported(hq, proof).release_failed
    assert sync_state(hq).last_import["file"] == proof.name  # (still the file imported)
    if not noted:
        with store.write_transaction(hq.conn):
            hq.conn.execute("DELETE FROM inbox WHERE id = (SELECT max(id) FROM inbox)")
    [item] = list_quarantine(hq)
    assert item.key_on_record and item.file == waiting.name
    why = item.reason_text()
    assert "check the fingerprint" not in why
    assert why == (
        f"its key is on record now (registered by {proof.name}), but it could not be "
        "imported then (database or disk is full): trusting its key or importing its "
        "file again imports it" if noted else
        "its key is on record now, but it was not imported: trusting its key or "
        "importing its file again imports it")
    assert main(["--db", str(hq.path), "--json", "keys", "list"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["quarantine"]
    assert (listed["reason"], listed["key_on_record"]) == (why, True)
    assert main(["--db", str(hq.path), "keys", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{waiting.name}: {why}" in out.splitlines()
    assert "reads its fingerprint" not in out
    [again] = trust_key(hq, item.fingerprint)  # (what the reason says takes it)
    assert (again.outcome, list_quarantine(hq)) == ("merged", [])


@pytest.mark.parametrize("order", ["waited-before", "in-the-lot", "met-again",
                                   "twice-in-the-lot"])
def test_import_json_lists_what_a_registered_key_brought_out_as_an_item_once(
        hq, make_office, tmp_path: Path, capsys, order: str) -> None:
    """``import --json``: the bundle the proof's key brought out of quarantine is an item
    of its own, once (``released_by`` names the proof), as the totals and the status
    count it; it is still in the proof's ``released``. It was there only, so that a
    script counting the items' outcomes counted one file where the status said two
    (``waited-before``), or a duplicate the status did not count (``met-again``)."""
    from fieldplan.cli import main

    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    if order != "in-the-lot":
        assert import_bundle(hq, waiting).outcome == "quarantined"
    files = {"waited-before": [proof], "in-the-lot": [waiting, proof],
             "met-again": [proof, waiting], "twice-in-the-lot": [waiting, waiting, proof]
             }[order]
    assert main(["--db", str(hq.path), "--json", "import", *map(str, files)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted((i["file"], i["outcome"], i["released_by"]) for i in items) == sorted(
        [(proof.name, "merged", None), (waiting.name, "merged", proof.name)])
    [from_proof] = [i for i in items if i["file"] == proof.name]
    assert [r["file"] for r in from_proof["released"]] == [waiting.name]
    last = sync_state(hq).last_import
    counted: dict[str, int] = {}
    for item in items:
        counted[item["outcome"]] = counted.get(item["outcome"], 0) + 1
    assert counted == last.get("counts", {"merged": 2}) == {"merged": 2}


def test_import_fails_when_a_bundle_its_key_brought_out_is_rejected(
        hq, make_office, tmp_path: Path, monkeypatch, capsys) -> None:
    """The bundle the proof's key brought out of quarantine is refused for what it
    holds: it is an item of ``import --json``, rejected, and the import ends in exit 1,
    as for any file rejected (it ended in success, the refusal said inside the proof's
    item only)."""
    from fieldplan.cli import main

    waiting, proof = waiting_and_proof(make_office("ML"), tmp_path / "stick")
    assert import_bundle(hq, waiting).outcome == "quarantined"
    imported = exchange.import_bundle

    def refused(rep, source, *args, **kwargs):
        if kwargs.get("name") == waiting.name:
            return ImportOutcome(waiting.name, "rejected", "event 1 of ML: not ML's")
        return imported(rep, source, *args, **kwargs)

    monkeypatch.setattr(exchange, "import_bundle", refused)
    assert main(["--db", str(hq.path), "--json", "import", str(proof)]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["file"], i["outcome"]) for i in items] == [
        (proof.name, "merged"), (waiting.name, "rejected")]


def retired_key_left_waiting(hq, ml, tmp_path: Path, monkeypatch) -> tuple:
    """ML's bundle of a key headquarters did not know (sent without its endorsement)
    waits in quarantine; ML's next bundle, of the key after, registers that key
    retired (its rotation chain) and the database cannot take the waiting one then
    (a full disk). Returns the waiting bundle's export, the import's outcome and the
    retired key's id."""
    from test_sync import registered, send

    from fieldplan.sync import rotate_key

    registered(ml, hq, tmp_path)
    rotate_key(ml)
    middle = ml.meta("key_id")
    chain = ml.meta("rotation")
    with store.write_transaction(ml.conn):  # the bundle goes without its endorsement
        events.set_meta(ml.conn, "rotation", "[]")
    progress.record_progress(ml, national(ml), "2026-S1", percent=7)
    waiting, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "quarantined", outcome.reason
    with store.write_transaction(ml.conn):
        events.set_meta(ml.conn, "rotation", chain)
    rotate_key(ml)
    progress.record_progress(ml, national(ml), "2026-S1", percent=8)
    with disk_full_for(monkeypatch, waiting.path.name):
        _, outcome = send(ml, hq, tmp_path)
    return waiting, outcome, middle


def test_a_retired_keys_bundle_left_waiting_is_not_sent_to_a_trust(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """The bundle left waiting is a key's that the newer key's rotation chain put on
    record retired: what takes it is an import of its file again (a trust of a retired
    key is refused), as the quarantine list says, and the import's own line: it said
    "trusting its key or importing its file again imports it"."""
    from fieldplan.sync import keys as keyreg

    waiting, outcome, middle = retired_key_left_waiting(
        hq, make_office("ML"), tmp_path, monkeypatch)
    assert outcome.outcome == "merged" and outcome.release_failed, outcome.line()
    assert outcome.release_failed == (
        "1 bundle that waited in quarantine for a key now registered could not be "
        "imported (database or disk is full): it still waits there, and importing its "
        f"file again imports it ({waiting.path.name}; its key, retired by a rotation, "
        "is not trusted again)")
    assert "trusting" not in outcome.line()
    assert keyreg.all_keys(hq)[middle].status == "retired"
    [item] = list_quarantine(hq)
    assert item.key_on_record
    assert item.reason_text().endswith(
        "(database or disk is full): importing its file again imports it (its key, "
        "retired by a rotation, is not trusted again)")
    assert import_bundle(hq, waiting.path).outcome in ("merged", "duplicate")
    assert not list_quarantine(hq)


@pytest.mark.parametrize("how", ["core", "cli"])
def test_a_trust_of_a_retired_keys_bundle_left_waiting_imports_it(
        hq, make_office, tmp_path: Path, monkeypatch, capsys, how: str) -> None:
    """``keys trust`` of the retired key of a bundle left waiting stopped with "retired
    … import its bundles again": a person without the file had no way to take it from
    the command line, where the client's "Import again" imports the copy quarantine
    holds. It imports that copy now, as "Import again" does, and the key stays retired
    (never active again: test_trust_never_makes_a_retired_key_active), said on
    stderr."""
    from fieldplan.cli import main
    from fieldplan.sync import keys as keyreg

    ml = make_office("ML")
    waiting, _outcome, middle = retired_key_left_waiting(hq, ml, tmp_path, monkeypatch)
    [item] = list_quarantine(hq)
    fingerprint = item.fingerprint
    said = (f"key {fingerprint} of ML was retired by a rotation and is not trusted "
            "again: its bundles waiting in quarantine were imported as a retired key's, "
            "as their files imported again would be")
    hq.take_notices()
    if how == "core":
        [outcome] = trust_key(hq, fingerprint)
        assert outcome.file == waiting.path.name
        # (its events came with the newer key's bundle too)
        assert outcome.outcome in ("merged", "duplicate"), outcome.line()
        assert hq.take_notices() == [said]
    else:
        assert main(["--db", str(hq.path), "keys", "trust", fingerprint.lower()]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"{waiting.path.name}: ") and out.count("\n") == 1
        assert ": merged" in out or ": duplicate" in out, out
        assert err == f"fieldplan: warning: {said}\n"
    assert list_quarantine(hq) == []
    keys = keyreg.all_keys(hq)
    assert keys[middle].status == "retired"
    assert [k for k, v in keys.items() if v.replica == ml.replica_id
            and v.status == "active"] == [ml.meta("key_id")]
    # nothing waits any more: a second trust says the key stands retired
    with pytest.raises(ValidationError, match="retired by a rotation and is not trusted"):
        trust_key(hq, fingerprint)


@pytest.mark.parametrize("how", ["core", "cli"])
def test_removing_a_bundle_left_waiting_does_not_refuse_its_key(
        hq, make_office, tmp_path: Path, monkeypatch, capsys, how: str) -> None:
    """``keys refuse`` of the key of a bundle left waiting, its key on record (the
    client's "Remove from quarantine…"): the bundle leaves quarantine unimported, the
    inbox saying so, and the key stays trusted; importing the file again takes it. The
    inbox said "refused: the office did not confirm the key's fingerprint" of a key
    that stayed trusted, and a later ``keys trust`` said that key had been refused."""
    from fieldplan.cli import main
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync import list_inbox, refuse_key

    ml = make_office("ML")
    waiting, _proof = key_registered_left_waiting(hq, ml, tmp_path / "stick", monkeypatch)
    [item] = list_quarantine(hq)
    removed = ("removed from quarantine by hand, not imported: its key stays on record, "
               "and importing its file again imports it")
    if how == "core":
        [outcome] = refuse_key(hq, item.fingerprint)
        assert (outcome.file, outcome.outcome, outcome.reason) == (
            waiting.name, "rejected", removed)
    else:
        assert main(["--db", str(hq.path), "keys", "refuse", item.fingerprint]) == 0
        assert capsys.readouterr().out == f"{waiting.name}: rejected: {removed}\n"
    assert list_quarantine(hq) == []
    assert list_inbox(hq)[0].reason_text() == removed
    assert keyreg.all_keys(hq)[ml.meta("key_id")].status == "active"
    # the key stands trusted, not refused
    assert main(["--db", str(hq.path), "keys", "trust", item.fingerprint]) == 0
    assert "already trusted" in capsys.readouterr().out
    assert import_bundle(hq, waiting).outcome == "merged"


@pytest.mark.parametrize("retired", [False, True])
def test_a_bundle_left_waiting_is_imported_again_from_quarantine(
        hq, make_office, tmp_path: Path, monkeypatch, retired: bool) -> None:
    """The client's "Import again": the bundle left waiting, its key on record (active,
    or retired by a rotation), is imported from the copy quarantine holds, as its file
    imported again would be, the key left as it stands (a retired key is not trusted
    again)."""
    from test_sync import snapshot

    from fieldplan.sync import import_quarantined_again
    from fieldplan.sync import keys as keyreg

    unknown = make_office("BN")
    with store.write_transaction(unknown.conn):
        unknown.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    (tmp_path / "bn").mkdir()
    bn = export_bundle(unknown, out_dir=tmp_path / "bn").path
    assert import_bundle(hq, bn).outcome == "quarantined"
    ml = make_office("ML")
    if retired:
        waiting, _outcome, key_id = retired_key_left_waiting(hq, ml, tmp_path, monkeypatch)
        name = waiting.path.name
    else:
        name = key_registered_left_waiting(hq, ml, tmp_path / "stick", monkeypatch)[0].name
        key_id = ml.meta("key_id")
    items = {q.file: q for q in list_quarantine(hq)}
    before = snapshot(hq)
    # a key not on record waits for a trust, its fingerprint confirmed with the office
    with pytest.raises(ValidationError, match="is not on record"):
        import_quarantined_again(hq, items[bn.name].fingerprint)
    assert snapshot(hq) == before
    [outcome] = import_quarantined_again(hq, items[name].fingerprint)
    assert outcome.file == name
    # (the retired key's events came with the newer key's bundle too)
    assert outcome.outcome in (("merged", "duplicate") if retired else ("merged",)), \
        outcome.line()
    assert [q.file for q in list_quarantine(hq)] == [bn.name]
    assert keyreg.all_keys(hq)[key_id].status == ("retired" if retired else "active")
