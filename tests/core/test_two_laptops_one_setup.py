"""Several computers of an office set up from one setup bundle (allowed until it
expires): one set up after another reported gets that one's reports from HQ's next
bundle, though HQ does not know it exists until it reports itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import end_enrolments, national, result_origins, send

from fieldplan import bundle as bundlefmt
from fieldplan import progress
from fieldplan.sync import (
    enroll_office,
    export_bundle,
    import_bundle,
    init_from_setup,
    list_gaps,
    revoke_key,
    trust_key,
)
from fieldplan.sync.exchange import SETUP_RECORDS


@pytest.fixture
def office(hq, tmp_path: Path):
    """ML's setup bundle; its first laptop set up from it has reported, imported HQ's
    bundle since, and sent its receipts back. Yields (setup bundle, first laptop, a
    function setting up another laptop from the same setup bundle)."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    first = init_from_setup(tmp_path / "first.sqlite3", setup, author="first")
    progress.record_progress(first, national(first), "2026-S1", status="on-track",
                             percent=10)
    assert send(first, hq, tmp_path)[1].outcome == "merged"
    assert send(hq, first, tmp_path)[1].outcome == "merged"
    send(first, hq, tmp_path)
    opened = [first]

    def another(name: str):
        rep = init_from_setup(tmp_path / f"{name}.sqlite3", setup, author=name)
        opened.append(rep)
        return rep

    yield setup, first, another
    for rep in opened:
        rep.close()


def test_a_second_laptop_gets_the_reports_of_the_first(hq, office, tmp_path: Path) -> None:
    """The first laptop's report ended the setup bundle's note at HQ: HQ's bundle then
    carried only what the first laptop lacked, and the second laptop, set up later from
    the same file, said 'Gaps: none' with none of its office's reports."""
    _setup, first, another = office
    second = another("second")
    _result, outcome = send(hq, second, tmp_path)
    assert outcome.outcome == "merged"
    assert progress.get_report(second, national(second), "2026-S1").percent == 10
    assert progress.digest(second, office="ML") == progress.digest(hq, office="ML") \
        == progress.digest(first, office="ML")
    assert list_gaps(second) == []


def test_what_is_sent_again_is_no_news_at_the_first_laptop(hq, office,
                                                           tmp_path: Path) -> None:
    """HQ's bundle carries the first laptop's report again (for a laptop set up from
    the same file that has not reported yet). Nothing new anywhere: the first laptop
    says so ("no new events", merged, as of a bundle of receipts: headquarters has
    answered), not that the file was imported before; the same file again is a
    duplicate."""
    _setup, first, _another = office
    result = export_bundle(hq, for_office="ML", out_dir=tmp_path)
    assert first.replica_id in result_origins(result.path)
    with bundlefmt.open_bundle(result.path) as b:
        assert b.manifest[SETUP_RECORDS] == result.events > 0
    outcome = import_bundle(first, result.path)
    assert (outcome.outcome, outcome.events_new) == ("merged", 0)
    assert import_bundle(first, result.path).outcome == "duplicate"
    # something new in it is news; the rest is not counted as new
    hq_action = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, hq_action, "2026-S1", status="at-risk")
    result, outcome = send(hq, first, tmp_path)
    assert (outcome.outcome, outcome.events_new) == ("merged", 1)
    assert 0 < bundlefmt.open_bundle(result.path).manifest[SETUP_RECORDS] < result.events


def test_an_office_bundle_that_claims_those_records_is_still_a_duplicate(
        hq, office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only headquarters' bundles carry them: the count in an office's bundle is not
    believed."""
    from fieldplan.sync import export as exportmod

    _setup, first, _another = office
    write = exportmod.bundlefmt.write_bundle
    monkeypatch.setattr(exportmod.bundlefmt, "write_bundle",
                        lambda path, manifest, *args, **kw: write(
                            path, {**manifest, SETUP_RECORDS: 1}, *args, **kw))
    again = export_bundle(first, out_dir=tmp_path, full=True)  # what HQ holds already
    assert import_bundle(hq, again.path).outcome == "duplicate"


def test_a_bad_count_of_those_records_is_refused(hq, office, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldplan.sync import export as exportmod

    _setup, first, _another = office
    write = exportmod.bundlefmt.write_bundle
    monkeypatch.setattr(exportmod.bundlefmt, "write_bundle",
                        lambda path, manifest, *args, **kw: write(
                            path, {**manifest, SETUP_RECORDS: -1}, *args, **kw))
    outcome = import_bundle(first, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    assert (outcome.outcome, outcome.reason) == (
        "rejected", "manifest.json: bad 'setup_records'")


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_nothing_is_sent_again_once_the_setup_bundle_ended(hq, office, make_office,
                                                           tmp_path: Path, how: str) -> None:
    """No computer may be set up from a setup bundle whose enrolment ended: HQ's bundles
    go by the receipts of the office's computers again."""
    _setup, first, _another = office
    if how == "expired":
        end_enrolments(hq, "ML")
    else:  # a revocation ends the office's enrolments
        lost = make_office("ML", "lost")
        progress.record_progress(lost, national(lost, 2), "2026-S1", status="on-track")
        send(lost, hq, tmp_path)
        send(hq, first, tmp_path)
        send(first, hq, tmp_path)
        assert revoke_key(hq, lost.meta("key_id")).enrolments_ended == "ML"
    result, _outcome = send(hq, first, tmp_path)
    assert first.replica_id not in result_origins(result.path)


def test_a_laptop_set_up_just_before_the_bundle_expired_catches_up(
        hq, office, tmp_path: Path) -> None:
    """Set up on the setup bundle's last day, first importing after it expired: HQ's
    bundle carries only what the laptops HQ knows lack. Once its first bundle reached
    HQ (held in quarantine: the enrolment had ended; trusted), its receipts say what it
    lacks and HQ's next bundle brings it."""
    _setup, _first, another = office
    late = another("late")
    end_enrolments(hq, "ML")
    send(hq, late, tmp_path)
    assert progress.digest(late, office="ML") != progress.digest(hq, office="ML")
    progress.record_progress(late, national(late, 3), "2026-S1", status="on-track")
    _result, outcome = send(late, hq, tmp_path)
    assert outcome.outcome == "quarantined"
    [merged] = trust_key(hq, outcome.fingerprint)
    assert merged.outcome == "merged"
    send(hq, late, tmp_path)
    assert progress.digest(late, office="ML") == progress.digest(hq, office="ML")


def test_two_laptops_from_one_bundle_in_turn(hq, tmp_path: Path) -> None:
    """Each laptop's import of HQ's bundle leaves it with the office's whole data,
    whichever reported first."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    one = init_from_setup(tmp_path / "one.sqlite3", setup)
    two = init_from_setup(tmp_path / "two.sqlite3", setup)
    try:
        for i, (rep, other) in enumerate(((one, two), (two, one), (one, two))):
            progress.record_progress(rep, national(rep, i), "2026-S1", status="on-track")
            send(rep, hq, tmp_path)
            result = send(hq, other, tmp_path)[0]
            import_bundle(rep, result.path)
            assert progress.digest(one, office="ML") == progress.digest(two, office="ML") \
                == progress.digest(hq, office="ML")
    finally:
        one.close()
        two.close()
