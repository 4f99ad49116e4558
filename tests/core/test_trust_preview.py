"""Before a person trusts a quarantined key, what its waiting bundles hold is said
(``trust_preview``): read, not merged. At headquarters a trust merged 62 events and took
open conflicts from 3 to 190, some into a locked period, and nothing had said so
before the trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import progress, store
from fieldplan.sync import export_bundle, import_bundle, list_quarantine, trust_key
from fieldplan.sync.conflicts import reports_in_conflict
from fieldplan.sync.trust_preview import TrustPreview, trust_preview


def _second_computer_waiting(hq, make_office, tmp_path: Path):
    """ML's laptop A, enrolled, sent HQ two reports of 2026-S1; laptop B, whose key HQ
    does not know, wrote one of them too (unaware of A's), and a report of 2026-S2, in
    two bundles that wait in quarantine; HQ locked 2026-S1 meanwhile."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    codes = [x.code for x in a.plan().actions_of(level="national")[:3]]
    out = tmp_path / "out"
    out.mkdir()
    for code in codes[:2]:
        progress.record_progress(a, code, "2026-S1", status="on-track", percent=40)
    assert import_bundle(hq, export_bundle(a, out_dir=out).path).outcome == "merged"
    progress.set_period_lock(hq, "2026-S1")
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    progress.record_progress(b, codes[0], "2026-S1", status="at-risk", percent=10)
    assert import_bundle(hq, export_bundle(b, out_dir=out).path).outcome == "quarantined"
    progress.record_progress(b, codes[2], "2026-S2", status="on-track", percent=5)
    assert import_bundle(hq, export_bundle(b, out_dir=out).path).outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    return fingerprint, codes


def _written(rep) -> tuple:
    return (rep.conn.total_changes, rep.conn.execute("SELECT count(*) FROM events").fetchone(),
            rep.conn.execute("SELECT count(*) FROM quarantine").fetchone())


def test_the_preview_says_what_the_trust_then_does(hq, make_office, tmp_path: Path) -> None:
    fingerprint, codes = _second_computer_waiting(hq, make_office, tmp_path)
    before = _written(hq)
    seen = trust_preview(hq, fingerprint)
    assert _written(hq) == before  # read, nothing merged
    assert (seen.bundles, seen.offices) == (2, ("ML",))
    assert seen.periods == ("2026-S1", "2026-S2")
    assert seen.locked == ("2026-S1",)
    assert seen.conflicts == 1
    assert seen.events > seen.new > 0  # the second bundle carries the first's again
    text = seen.text()
    assert text.splitlines() == [
        f"2 bundles signed with this key wait in quarantine: they hold {seen.events} "
        f"events from office ML. {seen.new} of them are new here.",
        "What is new here changes reports of 2 periods: 1st semester 2026, 2nd semester "
        "2026.",
        "1st semester 2026 is locked: the review pack will flag the changes to it as "
        "made after the lock.",
        "1 of these reports was also changed by another computer of the same office, "
        "which had not seen this change: it will be in conflict until a person keeps "
        "one of the values."]

    outcomes = trust_key(hq, fingerprint)
    assert sum(o.events_new for o in outcomes) == seen.new
    assert {p for o in outcomes for p in o.late_periods} == set(seen.locked)
    reports = {f"ML|{code}|{period}" for code, period in
               ((codes[0], "2026-S1"), (codes[1], "2026-S1"), (codes[2], "2026-S2"))}
    assert len(reports_in_conflict(hq, reports)) == seen.conflicts


def test_a_change_made_after_seeing_the_other_computers_is_no_conflict(
        hq, make_office, tmp_path: Path) -> None:
    """B took HQ's bundle (A's report in it) before writing: its change replaces A's."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    out = tmp_path / "out"
    out.mkdir()
    progress.record_progress(a, code, "2026-S1", status="on-track", percent=40)
    import_bundle(hq, export_bundle(a, out_dir=out).path)
    import_bundle(b, export_bundle(hq, for_office="ML", out_dir=out).path)
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(b, code, "2026-S1", status="at-risk", percent=50)
    assert import_bundle(hq, export_bundle(b, out_dir=out).path).outcome == "quarantined"
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    seen = trust_preview(hq, fingerprint)
    assert (seen.conflicts, seen.locked) == (0, ())
    assert "conflict" not in seen.text() and "locked" not in seen.text()
    trust_key(hq, fingerprint)
    assert not reports_in_conflict(hq, [f"ML|{code}|2026-S1"])


def test_a_fingerprint_with_nothing_waiting_is_said_as_the_trust_says_it(hq) -> None:
    from fieldplan.errors import ValidationError

    with pytest.raises(ValidationError, match="no quarantined bundle"):
        trust_preview(hq, "0123 4567 89AB CDEF")


@pytest.mark.parametrize(("seen", "said"), [
    (TrustPreview(1, 1, 1, ("ML",), ("2026-S1",), (), 0), [
        "1 bundle signed with this key waits in quarantine: it holds 1 event from office "
        "ML. It is new here.",
        "What is new here changes reports of 1 period: 1st semester 2026."]),
    (TrustPreview(1, 3, 3, ("ML",), ("2026-S1",), (), 0), [
        "1 bundle signed with this key waits in quarantine: it holds 3 events from office "
        "ML. All of them are new here.",
        "What is new here changes reports of 1 period: 1st semester 2026."]),
    (TrustPreview(2, 4, 0, ("ML",), (), (), 0), [
        "2 bundles signed with this key wait in quarantine: they hold 4 events from "
        "office ML. All of them are here already."]),
    (TrustPreview(3, 62, 12, ("ML", "SN"), ("2026-S1", "2026-S2"),
                  ("2026-S1", "2026-S2"), 3), [
        "3 bundles signed with this key wait in quarantine: they hold 62 events from "
        "offices ML, SN. 12 of them are new here.",
        "What is new here changes reports of 2 periods: 1st semester 2026, 2nd semester "
        "2026.",
        "1st semester 2026, 2nd semester 2026 are locked: the review pack will flag the "
        "changes to them as made after the lock.",
        "3 of these reports were also changed by another computer of the same office, "
        "which had not seen these changes: they will be in conflict until a person keeps "
        "one of the values."]),
    (TrustPreview(2, 3, 3, ("ML",), ("2026-S1",), (), 0, unread=1, too_large=1), [
        "2 bundles signed with this key wait in quarantine: they hold 3 events from "
        "office ML. All of them are new here.",
        "What is new here changes reports of 1 period: 1st semester 2026.",
        "1 bundle is too large to preview; trusting the key will still import it."]),
    (TrustPreview(1, 0, 0, ("ML",), (), (), 0, unread=1, too_large=1), [
        "1 bundle signed with this key waits in quarantine, from office ML.",
        "1 bundle is too large to preview; trusting the key will still import it."]),
    (TrustPreview(5, 0, 0, ("ML",), (), (), 0, unread=5, too_large=2, refused=(
        ("a.fieldplan", "bad one"), ("b.fieldplan", "bad two"),
        ("c.fieldplan", "bad one"))), [
        "5 bundles signed with this key wait in quarantine, from office ML.",
        "2 bundles are too large to preview; trusting the key will still import them.",
        "2 bundles would be refused: bad one",
        "1 bundle would be refused: bad two"]),
])
def test_each_variant_of_the_preview_reads_as_a_sentence(seen, said) -> None:
    """It read "they hold 3 events, 2 of them new here of ML.": the office after the
    new ones, "0 of them new here" when none was, "0 events" when none could be read.
    Each fact is said in a sentence of its own: whose, what is new here, the periods
    it changes, locks, conflicts, bundles too large to preview, bundles refused (each
    reason once: they said "could not be read" of both)."""
    assert seen.text().splitlines() == said


@pytest.mark.parametrize(("events", "held"), [
    (1, "وتحمل حدثًا واحدًا من المكتب ML."),
    (2, "وتحمل حدثين من المكتب ML."),
    (12, "وتحمل 12 حدثًا من المكتب ML."),
])
def test_arabic_says_the_events_held_as_the_object_of_hold(tmp_path, monkeypatch, events,
                                                           held) -> None:
    """The bundles "hold {events}" took "{count} event" as said on its own: Arabic read
    "وتحمل حدث واحد" and "وتحمل حدثان" (nominative) where the object of "hold" is
    "حدثًا واحدًا", "حدثين". The preview asks for the events held in a context of
    their own (``pcounted``), which the Arabic catalog declines (here as
    translations.json gives it to the catalog)."""
    from babel.messages.pofile import read_po, write_po

    from fieldplan import i18n

    with open(i18n.po_path("ar"), "rb") as f:
        catalog = read_po(f, locale="ar", domain="fieldplan")
    catalog.add(("{count} event", "{count} events"),
                ("{count} حدث", "حدثًا واحدًا", "حدثين", "{count} أحداث", "{count} حدثًا",
                 "{count} حدث"), context="held by bundles")
    po = tmp_path / "ar.po"
    with open(po, "wb") as f:
        write_po(f, catalog)
    monkeypatch.setattr(i18n, "po_path", lambda lang: po)
    monkeypatch.setattr(i18n, "cache_dir", lambda: tmp_path / "cache")
    i18n.clear_translation_cache()
    try:
        with i18n.speaking("ar"):
            said = TrustPreview(1, events, events, ("ML",), (), (), 0).text()
    finally:
        i18n.clear_translation_cache()
    assert said.startswith("حزمة واحدة موقّعة بهذا المفتاح تنتظر في العزل، " + held)


def _unknown_laptop_bundles(hq, make_office, tmp_path: Path):
    """ML's laptop B, whose key HQ does not know, sent two bundles that wait (the second
    carries the first's report again and one more), and a third HQ was given with its
    events swapped (signed with B's key: the import refuses it, out of order)."""
    import uuid

    from fieldplan import minisign
    from fieldplan.replica import key_path
    from tests.bundle_fuzz import line_of, pack, unpack

    b = make_office("ML", "ml-b")
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # no proof: quarantine
    codes = [x.code for x in b.plan().actions_of(level="national")[:2]]
    out = tmp_path / "out"
    out.mkdir()
    progress.record_progress(b, codes[0], "2026-S1", status="at-risk", percent=10)
    first = export_bundle(b, out_dir=out).path
    progress.record_progress(b, codes[1], "2026-S1", status="on-track", percent=50)
    second = export_bundle(b, out_dir=out).path
    manifest, evs = unpack(second.read_bytes())
    swapped = pack({**manifest, "bundle_id": uuid.uuid4().hex},
                   [line_of(e) for e in reversed(evs)],
                   minisign.load_secret_key(key_path(b.path)))
    for source, name in ((first, None), (second, None), (swapped, "ML-swapped.fieldplan")):
        assert import_bundle(hq, source, name=name).outcome == "quarantined"
    # (in this order: the swapped one, then the first, then the second)
    with store.write_transaction(hq.conn):
        for n, name in enumerate(("ML-swapped.fieldplan", first.name, second.name)):
            hq.conn.execute("UPDATE quarantine SET received_at = ? WHERE file_name = ?",
                            (f"2026-05-01T00:00:0{n}Z", name))
    [fingerprint] = {q.fingerprint for q in list_quarantine(hq)}
    return fingerprint, first, second


def test_bundles_too_large_to_preview_or_refused_are_said_so(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A waiting bundle past the preview's limits and one the trust's import refuses
    were both said "could not be read": the first is imported by the trust all the
    same, the second is refused for a reason the preview can give. Each is said as
    it is, and the trust then does what was said."""
    from fieldplan import bundle as bundlefmt
    from fieldplan.sync import trust_preview as tp

    fingerprint, first, second = _unknown_laptop_bundles(hq, make_office, tmp_path)
    counts = []
    for path in (first, second):
        with bundlefmt.open_bundle(path.read_bytes()) as held:
            counts.append(held.event_count)
    # the swapped one (as many as the second) and the first read, the second past
    # what is left
    monkeypatch.setattr(tp, "PREVIEW_MAX_EVENTS", counts[0] + counts[1])
    room = counts[0]
    before = _written(hq)
    seen = trust_preview(hq, fingerprint)
    assert _written(hq) == before
    assert (seen.bundles, seen.events, seen.too_large, seen.unread) == (3, room, 1, 2)
    [(file, reason)] = seen.refused
    assert file == "ML-swapped.fieldplan"
    assert "is out of order or repeated" in reason and reason.startswith("events.jsonl line")
    lines = seen.text().splitlines()
    assert lines[-2:] == [
        "1 bundle is too large to preview; trusting the key will still import it.",
        f"1 bundle would be refused: {reason}"]
    assert "could not be read" not in seen.text()
    assert seen.to_dict()["too_large"] == 1
    assert seen.to_dict()["refused"] == [{"file": file, "reason": reason}]

    outcomes = {o.file: o for o in trust_key(hq, fingerprint)}
    assert outcomes[second.name].outcome == "merged"  # too large to preview: imported
    assert (outcomes[file].outcome, outcomes[file].reason) == ("rejected", reason)
    assert not list_quarantine(hq)
