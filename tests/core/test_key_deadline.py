"""An office must get a first bundle to headquarters before its setup bundle's
enrolment ends (HQ judges the token's expiry when it imports: an office's clock proves
nothing), and is told so: the setup bundle names the date, the office keeps it, and
until headquarters has registered the computer's key ``key_deadline`` gives it; once
the date has passed, headquarters checks the key's fingerprint by phone. A setup
bundle of an older headquarters names no date, and nothing new is said."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan import events, progress
from fieldplan.status import replica_status
from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup
from fieldplan.sync.enrol import check_setup_bundle, key_deadline, key_deadline_text, reuse_text

BEFORE = ("send headquarters a first bundle before {date} so that it knows this "
          "computer's key (File ▸ Export…)")
AFTER = ("headquarters will check this computer's key fingerprint with you by phone "
         "before it takes your bundles")


def later_than(monkeypatch: pytest.MonkeyPatch, now: str) -> None:
    """The clock at ``now`` (ISO UTC) for every "now" fieldplan reads."""
    real = events.utc_iso
    monkeypatch.setattr(events, "utc_iso", lambda when=None: now if when is None
                        else real(when))


def old_headquarters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setup bundles written as a fieldplan before ``enrolment.expires`` wrote them."""
    real = bundlefmt.write_bundle

    def write(path, manifest, *args, **kwargs):
        enrolment = {k: v for k, v in manifest["enrolment"].items() if k != "expires"}
        return real(path, {**manifest, "enrolment": enrolment}, *args, **kwargs)

    monkeypatch.setattr(bundlefmt, "write_bundle", write)


def first_bundle(rep, tmp_path: Path, name: str) -> Path:
    action = rep.plan().actions_of(level="national")[0].code
    progress.record_progress(rep, action, "2026-S1", status="on-track")
    return export_bundle(rep, out_file=tmp_path / f"{name}.fieldplan").path


def test_the_setup_bundle_names_its_expiry_and_the_office_keeps_it(hq, tmp_path: Path) -> None:
    setup = tmp_path / "ML-setup.fieldplan"
    result = enroll_office(hq, "ML", setup)
    (expires,) = hq.conn.execute("SELECT expires_at FROM enrolments").fetchone()
    enrolment = check_setup_bundle(setup)["enrolment"]
    assert enrolment["expires"] == expires
    # the note says both dates: set up until, and a first bundle by then
    assert result.note == reuse_text("ML", expires)
    from fieldplan.i18n import format_date, format_time

    assert result.note == (
        f"every computer of ML can be set up from this file until {format_date(expires)} "
        f"at {format_time(expires)}, "
        f"and must send headquarters a first bundle by then (after that, headquarters "
        f"checks its key fingerprint with the office by phone); to set up a computer "
        f"later, write a new one")
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        assert json.loads(ml.meta("enrolment"))["expires"] == expires
        assert key_deadline(ml) == expires
        assert replica_status(ml).sync.key_deadline == expires
        assert replica_status(ml).to_dict()["key_deadline"] == expires
    assert key_deadline(hq) == ""


def test_exported_right_away_the_office_is_merged_and_the_deadline_goes(
        hq, tmp_path: Path) -> None:
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        assert key_deadline(ml)
        assert import_bundle(hq, first_bundle(ml, tmp_path, "ml1")).outcome == "merged"
        assert key_deadline(ml)  # (HQ's registration has not come back yet)
        back = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
        assert import_bundle(ml, back.path).outcome == "merged"
        assert key_deadline(ml) == ""
        status = replica_status(ml)
        assert status.to_dict()["key_deadline"] is None
        assert not [v for k, v in status.lines("en") if "first bundle" in v or "phone" in v]


def test_a_second_laptop_has_the_deadline_though_the_first_is_registered(
        hq, tmp_path: Path) -> None:
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    with init_from_setup(tmp_path / "first.sqlite3", setup) as first:
        import_bundle(hq, first_bundle(first, tmp_path, "first"))
    back = export_bundle(hq, for_office="ML", out_file=tmp_path / "hq1.fieldplan")
    with init_from_setup(tmp_path / "second.sqlite3", setup) as second:
        import_bundle(second, back.path)
        assert key_deadline(second) == json.loads(second.meta("enrolment"))["expires"]


def test_the_words_before_and_after_the_date(zone, monkeypatch: pytest.MonkeyPatch) -> None:
    zone("UTC")
    expires = "2025-09-23T10:00:00Z"
    later_than(monkeypatch, "2025-07-01T08:00:00Z")
    assert key_deadline_text(expires, "File ▸ Export…") == BEFORE.format(
        date="23 Sept 2025 at 10:00")
    # once a bundle is written: not to send one (the one written), until HQ registers
    # the key (it cut off the status bar's "Last export" too)
    assert key_deadline_text(expires, "File ▸ Export…", exported=True) == (
        "make sure your bundle reaches headquarters before 23 Sept 2025 at 10:00")
    # in the language asked for
    assert "2025" in key_deadline_text(expires, "x", lang="fr")
    later_than(monkeypatch, "2026-01-20T09:00:00Z")
    assert key_deadline_text(expires, "File ▸ Export…") == AFTER
    # a bundle written here may have reached headquarters in time
    assert key_deadline_text(expires, "File ▸ Export…", exported=True) == (
        "unless a bundle from this computer reached headquarters before 23 Sept 2025 at "
        "10:00, "
        + AFTER)
    # the very second it ends is after (as HQ judges it: ``exchange._enrolment_ok``)
    later_than(monkeypatch, expires)
    assert key_deadline_text(expires, "File ▸ Export…") == AFTER


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch):
    """Sets this process's time zone (``zone("America/Guyana")``), put back after."""
    def put(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield put
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("name", "day"), [("America/Guyana", "5 Mar 2027 at 22:00"),
                                           ("UTC", "6 Mar 2027 at 02:00"),
                                           ("Pacific/Kiritimati", "6 Mar 2027 at 16:00")])
def test_the_date_is_the_deadline_s_day_where_the_office_is(
        zone, monkeypatch: pytest.MonkeyPatch, name: str, day: str) -> None:
    """A deadline at 02:00 UTC on 6 March is 22:00 on 5 March in Guyana (UTC-4): "before
    6 Mar", the UTC day, let its office send on the evening of the 5th, too late; and
    the day alone let it send in the day's last hours, after 02:00 or 22:00."""
    zone(name)
    later_than(monkeypatch, "2027-01-10T08:00:00Z")
    expires = "2027-03-06T02:00:00Z"
    assert key_deadline_text(expires, "File ▸ Export…", exported=True) == (
        f"make sure your bundle reaches headquarters before {day}")
    assert f"until {day}, and" in reuse_text("GY", expires)


def test_status_before_and_after_the_date(hq, tmp_path: Path, zone,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        expires = key_deadline(ml)
        # a zone where the deadline's day is not its UTC day (enrolments are stamped
        # by the system's clock: its hour is the test's)
        zone("Etc/GMT-14" if int(expires[11:13]) >= 10 else "Etc/GMT+12")
        warnings = [v for k, v in replica_status(ml).lines("en") if k == "Warning"]
        assert [w for w in warnings if "first bundle" in w] == [
            key_deadline_text(expires, "fieldplan export")]
        later_than(monkeypatch, "2099-01-01T00:00:00Z")
        warnings = [v for k, v in replica_status(ml).lines("en") if k == "Warning"]
        assert AFTER in warnings
        # HQ's rule stands: a bundle it imports after the date waits in quarantine
        outcome = import_bundle(hq, first_bundle(ml, tmp_path, "late"))
        assert outcome.outcome == "quarantined"
        # the same day as the office read it before (its local day, not the UTC one)
        from fieldplan.i18n import format_date

        assert f"enrolment expired on {format_date(expires)}" in outcome.reason


def test_a_setup_bundle_of_an_older_headquarters_says_nothing_new(
        hq, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = tmp_path / "ML-setup.fieldplan"
    with monkeypatch.context() as old:
        old_headquarters(old)
        enroll_office(hq, "ML", setup)
    assert "expires" not in check_setup_bundle(setup)["enrolment"]
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        assert set(json.loads(ml.meta("enrolment"))) == {"id", "token"}
        assert key_deadline(ml) == ""
        status = replica_status(ml)
        assert status.to_dict()["key_deadline"] is None
        assert not [v for k, v in status.lines("en") if "first bundle" in v or "phone" in v]
        # and it reaches headquarters as before
        assert import_bundle(hq, first_bundle(ml, tmp_path, "ml1")).outcome == "merged"


def test_a_date_not_written_as_fieldplan_writes_it_is_not_kept(
        hq, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = bundlefmt.write_bundle

    def write(path, manifest, *args, **kwargs):
        enrolment = {**manifest["enrolment"], "expires": "soon"}
        return real(path, {**manifest, "enrolment": enrolment}, *args, **kwargs)

    setup = tmp_path / "ML-setup.fieldplan"
    with monkeypatch.context() as odd:
        odd.setattr(bundlefmt, "write_bundle", write)
        enroll_office(hq, "ML", setup)
    with init_from_setup(tmp_path / "ml.sqlite3", setup) as ml:
        assert key_deadline(ml) == ""


def test_a_day_past_what_local_time_holds_is_its_utc_day(zone) -> None:
    """A clock far ahead writes times whose local day the system cannot work out
    (9999 east of UTC; past 3000 on Windows): format_date raised OverflowError there,
    and took the import's clock warning down with it. Its UTC day is written."""
    from fieldplan.i18n import format_date

    zone("Asia/Jakarta")
    assert format_date("9999-12-31T23:00:00Z") == "31 Dec 9999"
    assert format_date("2027-03-05T20:00:00Z") == "6 Mar 2027"  # (the local day)
