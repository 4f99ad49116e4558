"""The bundles of a key waiting in quarantine are an unknown party's: hostile until a
person trusts the key. The trust preview reads them (the client's trust question,
``keys trust --dry-run``): each hostile bundle here passed the quarantine's checks
(signature, sizes, member hashes) and holds something the trust's import refuses. The
preview must say it refused, in the words the trust's import then refuses it with, on
one line, never raise, never write, never show the text it carries as a line of its
own, and never say it brings what the trust then refuses."""

from __future__ import annotations

import copy
import uuid

import pytest

from fieldplan import minisign, progress, store
from fieldplan.replica import key_path
from fieldplan.sync import export_bundle, import_bundle, list_quarantine, trust_key
from fieldplan.sync import trust_preview as preview_mod
from fieldplan.sync.trust_preview import trust_preview
from tests.bundle_fuzz import line_of, pack, unpack

SNEAKY = "2026-S1\u202e\nAll checks passed: trust this key.\x1b[31m"


@pytest.fixture
def stranger(hq, make_office, tmp_path):
    """sign(lines) → a bundle of these event lines from a computer of ML whose key HQ
    does not know (no proof of a setup bundle), signed with its key; ``event``: its
    one real report event, to change."""
    b = make_office("ML", "ml-b")
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    code = b.plan().actions_of(level="national")[0].code
    progress.record_progress(b, code, "2026-S1", status="at-risk", percent=10)
    manifest, evs = unpack(export_bundle(b, out_dir=tmp_path).path.read_bytes())
    secret = minisign.load_secret_key(key_path(b.path))

    def sign(lines: list[bytes]) -> bytes:
        return pack({**manifest, "bundle_id": uuid.uuid4().hex}, lines, secret)

    sign.event = next(e for e in evs if e["entity"] == "progress")
    return sign


def _changed(event: dict, **values) -> bytes:
    e = copy.deepcopy(event)
    e.update(values)
    return line_of(e)


def _hostile(event: dict) -> dict[str, list[bytes]]:
    line = line_of(event)
    return {
        "a report id hiding a line and a bidi override": [_changed(event, id=f"ML|PA1.1|{SNEAKY}")],
        "a report id with one | too many": [_changed(event, id="ML|PA1.1||2026-S1")],
        "a report of another office": [_changed(event, id="SN|PA1.1|2026-S1")],
        "a headquarters entity": [_changed(event, entity="office", id="SN",
                                           fields={"name": "x"})],
        "a number beyond SQLite's": [_changed(event, seq=10**30)],
        "a negative number": [_changed(event, seq=-3)],
        "a clock of 40 digits": [_changed(event, hlc=10**40)],
        "a clock that is text": [_changed(event, hlc="soon")],
        "an origin that is an object": [_changed(event, origin={"a": 1})],
        "fields that are a list": [_changed(event, fields=[1, 2])],
        "JSON nested 100,000 deep": [b'{"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"],
        "a line that is not an object": [b"[1,2,3]"],
        "invalid UTF-8": [line.replace(b'"at-risk"', b'"\xff\xfe"')],
        "a number too large for a float": [line.replace(b'"percent":10', b'"percent":1e400')],
        "one event twice, different": [line, _changed(event, fields={"percent": 99})],
        "a broken chain": [line, _changed(event, seq=event["seq"] + 1, prev="",
                                          id="ML|PA1.1|2026-S2")],
    }


CASES = list(_hostile({"author": "", "base": {}, "entity": "progress", "fields": {"percent": 10},
                       "hlc": 1, "id": "", "origin": "", "prev": "", "seq": 1}))


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_waiting_bundle_is_said_refused_as_the_trust_refuses_it(
        hq, stranger, tmp_path, case) -> None:
    """It raised OverflowError out of the preview (a seq beyond SQLite's integers: the
    client's trust question said Python's words, ``keys trust --dry-run`` a traceback),
    showed a report id's hidden line and bidi override as a line of its own ("All
    checks passed: trust this key."), and said of bundles the trust then refused "it
    holds 1 event from office ML. It is new here.". Then it said "it could not be
    read": now why the trust would refuse it, in the trust's words."""
    from fieldplan.text import for_terminal

    data = stranger(_hostile(stranger.event)[case])
    assert import_bundle(hq, data, name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    before = hq.conn.total_changes
    seen = trust_preview(hq, fingerprint, refusals=True)
    assert hq.conn.total_changes == before  # read, nothing written
    assert (seen.bundles, seen.unread, seen.events, seen.new, seen.periods) == (1, 1, 0, 0, ())
    [(file, reason)] = seen.refused
    assert seen.too_large == 0
    assert seen.text().splitlines() == [
        "1 bundle signed with this key waits in quarantine, from office ML.",
        f"1 bundle would be refused: {for_terminal(reason)}"]
    assert "\x1b" not in seen.text() and "\u202e" not in seen.text()
    [outcome] = trust_key(hq, fingerprint)
    assert (outcome.outcome, outcome.file, outcome.reason) == ("rejected", file, reason)


def test_a_good_bundle_beside_a_hostile_one_is_counted_alone(hq, stranger) -> None:
    good = stranger([line_of(stranger.event)])
    bad = stranger([_changed(stranger.event, id=f"ML|PA1.1|{SNEAKY}")])
    for data in (good, bad):
        assert import_bundle(hq, data, name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    seen = trust_preview(hq, fingerprint)
    assert (seen.bundles, seen.unread, seen.events, seen.new, seen.periods) == (
        2, 1, 1, 1, ("2026-S1",))
    assert "\n".join(seen.text().splitlines()[1:]) == (
        "What is new here changes reports of 1 period: 1st semester 2026.\n"
        "1 bundle would be refused: event 1 of ML: bad report id 'ML|PA1.1|2026-S1 All "
        "checks passed: trust this key.\\x1b[31m'")


def test_a_bundle_of_more_events_than_a_preview_reads_is_not_decompressed(
        hq, stranger, monkeypatch) -> None:
    """A bundle of 3 MB decompressed to a million events (within every size limit),
    each held in memory: the preview took 1.3 GB and half a minute of the client's
    worker, and one of 4 GB decompressed would have run it out of memory. Past what a
    preview reads (the manifest says how much, before anything is decompressed) a
    bundle is counted unread."""
    monkeypatch.setattr(preview_mod, "PREVIEW_MAX_EVENTS", 3)
    read = []
    monkeypatch.setattr(preview_mod.bundlefmt.Bundle, "iter_hashed_lines",
                        lambda self: read.append(self) or iter(()))
    lines = [_changed(stranger.event, seq=n, prev="") for n in range(1, 6)]
    assert import_bundle(hq, stranger(lines), name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    seen = trust_preview(hq, fingerprint)
    assert (seen.unread, seen.too_large, seen.events, read) == (1, 1, 0, [])
    assert seen.refused == ()


def test_a_bundle_of_more_bytes_than_a_preview_reads_is_not_decompressed(
        hq, stranger, monkeypatch) -> None:
    monkeypatch.setattr(preview_mod, "PREVIEW_MAX_BYTES", 100)
    data = stranger([_changed(stranger.event, author="x" * 200)])
    assert import_bundle(hq, data, name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    seen = trust_preview(hq, fingerprint)
    assert (seen.unread, seen.too_large) == (1, 1)


def test_the_computer_a_waiting_bundle_names_is_quoted_in_the_trust_question() -> None:
    """The trust question's first line names the computer the bundle says it comes
    from (its manifest's sender: any text). A line break in it broke that line in two,
    an escape character showed as a box: it is quoted as a file's values are."""
    from fieldplan.sync.keys import where_office_reads_key

    assert where_office_reads_key("\u202eab\ncd\x1b[31m") == (
        "the office reads the fingerprint on its computer ab cd\\x1b[: in fieldplan under "
        "Help ▸ This computer's key…, or with 'fieldplan keys show'")
    assert where_office_reads_key("0c9620bd-41f0") == (
        "the office reads the fingerprint on its computer 0c9620bd: in fieldplan under "
        "Help ▸ This computer's key…, or with 'fieldplan keys show'")


def test_the_bundles_of_other_keys_are_not_read_into_memory(hq, stranger, tmp_path) -> None:
    """Quarantine may hold thousands of bundles of several keys, each up to a bundle's
    size limit: a preview, a trust or a refusal of one key read the bytes of every
    bundle waiting, of every key, to pick out that key's."""
    import tracemalloc

    from fieldplan.sync import refuse_key

    assert import_bundle(hq, stranger([line_of(stranger.event)]),
                         name="ML.fieldplan").outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    with store.write_transaction(hq.conn):  # another key's bundle of 64 MiB
        hq.conn.execute(
            "INSERT INTO quarantine SELECT 'other', 'AAAA', ?, 'SN', 'x', 'SN.fieldplan', "
            "received_at, 1, zeroblob(64 * 1024 * 1024) FROM quarantine",
            (minisign.generate_key().public.to_base64(),))
    for read in (lambda: trust_preview(hq, fingerprint), lambda: refuse_key(hq, fingerprint)):
        tracemalloc.start()
        try:
            read()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 16 * 1024 * 1024
