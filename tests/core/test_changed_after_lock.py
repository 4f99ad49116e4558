"""A locked period changed after its lock: an office that had not received the lock
yet reopens and edits a report. The merge takes it as any change (nothing dropped, the
same everywhere), and headquarters and the office are told, lastingly: status, its
JSON, and the review pack."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress
from fieldplan.cli import main
from fieldplan.status import named_reports, replica_status
from fieldplan.sync import import_bundle

PERIOD = "2025-S2"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock a second further at each reading: every write is later than the one
    before, whichever replica makes it (no two in the same millisecond)."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


def late_world(hq, make_office, tmp_path: Path):
    """ML submits two reports for 2025-S2, HQ merges them and locks the period; ML,
    not knowing, reopens the first and sets 60%. Returns ML and the edited action."""
    ml = make_office("ML")
    first, second = national(ml, 0), national(ml, 1)
    for act in (first, second):
        progress.record_progress(ml, act, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    assert progress.changed_after_lock(hq) == {}  # locked over what it had
    progress.reopen_report(ml, first, PERIOD)
    progress.record_progress(ml, first, PERIOD, percent=60)
    _result, outcome = send(ml, hq, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    return ml, first


def test_reports_changed_after_the_lock_are_named(hq, make_office, tmp_path: Path) -> None:
    ml, act = late_world(hq, make_office, tmp_path)
    # merged as any change: the report is a draft at 60% at headquarters
    report = progress.get_report(hq, act, PERIOD, "ML")
    assert (report.state, report.percent) == ("draft", 60)
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert (changed.office, changed.action, changed.period, changed.changes,
            changed.state, changed.last_by) == ("ML", act, PERIOD, 2, "draft", "tester")
    assert changed.last_at == report.updated_at
    # only the period, only the office asked for
    assert progress.changed_after_lock(hq, "2026-S1") == {}
    assert progress.changed_after_lock(hq, office="SN") == {}
    assert progress.changed_after_lock(hq, "2025-s2", office="ML") == {PERIOD: (changed,)}
    # the office, once headquarters' bundle brings the lock, names the same report
    assert progress.changed_after_lock(ml) == {}  # no lock known there yet
    send(hq, ml, tmp_path)
    assert progress.changed_after_lock(ml) == {PERIOD: (changed,)}
    # unlocked, submitted again, locked again: nothing changed after the new lock
    progress.set_period_lock(hq, PERIOD, locked=False)
    send(hq, ml, tmp_path)
    assert progress.changed_after_lock(ml) == {}
    progress.submit_period(ml, PERIOD)
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    assert progress.changed_after_lock(hq) == {}


def test_the_same_reports_whatever_the_order_of_imports(hq, make_office,
                                                        tmp_path: Path) -> None:
    """An office laptop that gets the lock and the late change of the other laptop in
    one bundle from headquarters names the same report as headquarters."""
    ml_a = make_office("ML", "ml-a")
    ml_b = make_office("ML", "ml-b")
    act = national(ml_a)
    progress.record_progress(ml_a, act, PERIOD, status="on-track")
    send(ml_a, hq, tmp_path)
    send(ml_b, hq, tmp_path)  # HQ registers B's key
    progress.set_period_lock(hq, PERIOD)
    progress.record_progress(ml_a, act, PERIOD, percent=30)
    send(ml_a, hq, tmp_path)
    send(hq, ml_b, tmp_path)  # the lock and A's late change together
    assert progress.changed_after_lock(ml_b) == progress.changed_after_lock(hq) != {}


def test_status_says_which_reports_changed_after_the_lock(hq, make_office, tmp_path: Path,
                                                          capsys) -> None:
    ml, act = late_world(hq, make_office, tmp_path)
    lines = [text for label, text in replica_status(hq).lines("en") if label == "Warning"]
    assert lines == [
        f"2nd semester 2025 locked; 1 report changed or received after the lock: ML {act}"]
    send(hq, ml, tmp_path)
    lines = [text for label, text in replica_status(ml).lines("en") if label == "Warning"]
    assert lines == [f"2nd semester 2025 locked by headquarters; 1 report of this office "
                     f"changed after the lock: {act}; headquarters must unlock the period for "
                     f"it to be submitted"]
    # the command line, text and JSON (a key added, the others as they were)
    db = str(hq.path)
    assert main(["--db", db, "status"]) == 0
    out = capsys.readouterr().out
    assert (f"Warning: 2nd semester 2025 locked; 1 report changed or received after the "
            f"lock: ML {act}\n") in out
    assert main(["--db", db, "--json", "status"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["locked_periods"] == [PERIOD]
    assert [(c["office"], c["action"], c["state"], c["changes"])
            for c in data["changed_after_lock"][PERIOD]] == [("ML", act, "draft", 2)]
    # submitting at the office is refused while the period is locked: status said why
    with pytest.raises(Exception, match="is locked by headquarters"):
        progress.submit_period(ml, PERIOD)


def test_a_report_submitted_after_the_lock_is_said_apart_at_the_office(
        hq, make_office, tmp_path: Path) -> None:
    ml, act = late_world(hq, make_office, tmp_path)
    progress.submit_period(ml, PERIOD)  # before the lock reaches it
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    lines = [text for label, text in replica_status(ml).lines("en") if label == "Warning"]
    assert lines == [f"2nd semester 2025 locked by headquarters; 1 report of this office was "
                     f"changed and submitted after the lock: {act}"]


YEAR_MS = 365 * 24 * 3600 * 1000


def skewed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The one-second clock of ``_clock``, with [offset]: how far the clock of the
    computer at work is from it (negative: behind)."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    offset = [0]
    monkeypatch.setattr(events, "wall_ms", lambda: next(now) + offset[0])
    return offset


def test_a_change_from_a_laptop_whose_clock_is_behind_is_named(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Its clock a year behind, the laptop writes after the lock with a clock value
    before it (its hybrid clock follows the last value from headquarters): the import
    let it through without a word, status and the review pack too."""
    offset = skewed(monkeypatch)
    ml = make_office("ML")
    act = national(ml)
    progress.record_progress(ml, act, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    first, _outcome = send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)  # the office follows headquarters' clock
    progress.set_period_lock(hq, PERIOD)
    assert progress.changed_after_lock(hq) == {}  # held before the lock: not named
    offset[0] = -YEAR_MS
    progress.reopen_report(ml, act, PERIOD)
    progress.record_progress(ml, act, PERIOD, percent=60)
    offset[0] = 0
    late, outcome = send(ml, hq, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert (changed.office, changed.action, changed.changes) == ("ML", act, 2)
    assert warnings_of(hq) == [
        f"2nd semester 2025 locked; 1 report changed or received after the lock: ML {act}"]
    # brought again, held already: nothing more is named
    for path in (first.path, late.path):
        again = import_bundle(hq, path)
        assert again.outcome == "duplicate" and again.late_periods == ()
    assert progress.changed_after_lock(hq) == {PERIOD: (changed,)}


def test_a_change_after_a_lock_made_with_headquarters_clock_ahead_is_named(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Headquarters locked with its clock years ahead (2030), then put it right: the
    lock's clock is later than every change that follows, which went unnamed."""
    offset = skewed(monkeypatch)
    ml = make_office("ML")
    first, second = national(ml, 0), national(ml, 1)
    progress.record_progress(ml, first, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    send(ml, hq, tmp_path)
    offset[0] = 5 * YEAR_MS
    progress.set_period_lock(hq, PERIOD)
    offset[0] = 0
    progress.record_progress(ml, second, PERIOD, status="on-track")
    _result, outcome = send(ml, hq, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    assert [c.action for c in progress.changed_after_lock(hq)[PERIOD]] == [second]


def warnings_of(rep) -> list[str]:
    return [text for label, text in replica_status(rep).lines("en") if label == "Warning"]


def test_a_few_reports_are_named_then_how_many_more() -> None:
    assert named_reports(["ML PA1.1"]) == "ML PA1.1"
    assert named_reports([f"ML PA{i}.1" for i in range(1, 5)]) == \
        "ML PA1.1, ML PA2.1, ML PA3.1, ML PA4.1"
    assert named_reports([f"ML PA1.{i}" for i in range(1, 8)]) == \
        "ML PA1.1, ML PA1.2, ML PA1.3 and 4 more"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_review_pack_lists_reports_changed_after_the_lock(hq, make_office,
                                                             tmp_path: Path) -> None:
    from fieldplan.reports import build_review_pack

    _ml, act = late_world(hq, make_office, tmp_path)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "review.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    section = text[text.index("Late, quarantined and conflicting data"):]
    assert section.index("Changed or received after the period was locked") < section.index(
        "Data received after the deadline")
    after = section[section.index("Changed or received after the period was locked"):]
    assert f"Mali (ML) {act} 2" in after and "Draft" in after
    # another period's pack says nothing of it
    other = build_review_pack(hq, "2026-S1", tmp_path / "other.pdf")
    assert "Changed or received after the period was locked" not in subprocess.run(
        ["pdftotext", str(other), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_a_report_written_before_the_lock_and_received_after_it_says_so(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Written in July, imported after a December lock: named (headquarters had not
    reviewed it), but the pack's heading said "Changed after the period was locked"
    over "Last changed" in July, and status "changed after the lock". The words say
    changed or received, and the pack when it was received."""
    from fieldplan.reports import build_review_pack

    offset = skewed(monkeypatch)
    ml = make_office("ML")
    act = national(ml)
    progress.record_progress(ml, act, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)  # its key registered (its setup bundle's enrolment ends)
    progress.record_progress(ml, act, PERIOD, status="completed", percent=100)
    offset[0] = YEAR_MS // 2  # months later, headquarters locks, then imports it
    progress.set_period_lock(hq, PERIOD)
    [lock] = progress.lock_clocks(hq).values()
    _result, outcome = send(ml, hq, tmp_path)
    assert outcome.late_periods == (PERIOD,)
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert changed.last_at < lock.at < changed.received_at
    assert progress.changed_after_lock(hq)[PERIOD][0].to_dict()["received_at"] == \
        changed.received_at
    assert warnings_of(hq) == [
        f"2nd semester 2025 locked; 1 report changed or received after the lock: ML {act}"]
    pdf = build_review_pack(hq, PERIOD, tmp_path / "review.pdf")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    after = text[text.index("Changed or received after the period was locked"):]
    assert "Last changed Last received" in after
    from fieldplan.i18n import format_datetime

    for when in (changed.last_at, changed.received_at):
        day = format_datetime(when, "en", tz=dt.UTC).split(",")[0]
        assert day in after
    # the cover's "Data as of" is when the data arrived, not before the lock it prints
    # (a change typed before it made "Data as of" earlier than "Locked by headquarters")
    from fieldplan.reports.sheet import data_as_of

    cover = " ".join(subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout.split())
    when = " ".join(format_datetime(changed.received_at, "en", tz=dt.UTC).split())
    assert f"Data as of: {when} UTC" in cover
    assert data_as_of(hq, progress.list_reports(hq, period=PERIOD)) == changed.received_at


def test_the_import_says_the_periods_headquarters_locked_or_unlocked(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """An office that imported headquarters' lock was told nothing of it (only the
    period list's mark, and status): the outcome says the periods the bundle locked or
    unlocked, in its line, its JSON and the command line's; and the office's sync
    state carries status's warning of the reports the lock leaves stuck."""
    from fieldplan.sync import export_bundle, sync_state

    ml, act = late_world(hq, make_office, tmp_path)
    _result, outcome = send(hq, ml, tmp_path)
    assert (outcome.locked, outcome.unlocked) == ((PERIOD,), ())
    assert outcome.line().endswith("; headquarters locked 2nd semester 2025")
    assert outcome.to_dict()["periods_locked"] == [PERIOD]
    # the inbox, which keeps it once the result is closed, says it too (its line said
    # only what the plan did)
    from fieldplan.sync.exchange import list_inbox

    assert "headquarters locked 2nd semester 2025" in list_inbox(ml)[0].reason
    assert sync_state(ml).after_lock == (
        f"2nd semester 2025 locked by headquarters; 1 report of this office changed after "
        f"the lock: {act}; headquarters must unlock the period for it to be submitted",)
    # headquarters' status bar says it too, of every office (it said nothing)
    assert sync_state(hq).after_lock == (
        f"2nd semester 2025 locked; 1 report changed or received after the lock: ML {act}",)
    # a bundle that changes no lock says none
    _result, again = send(hq, ml, tmp_path)
    assert (again.locked, again.unlocked, again.locks_text()) == ((), (), "")
    # unlocked: said too, by the command line (text and JSON)
    progress.set_period_lock(hq, PERIOD, locked=False)
    folder = tmp_path / "unlock"
    folder.mkdir()
    bundle = str(export_bundle(hq, for_office="ML", out_dir=folder).path)
    db = str(ml.path)
    ml.close()
    assert main(["--db", db, "--json", "import", bundle]) == 0
    [data] = json.loads(capsys.readouterr().out)
    assert (data["periods_locked"], data["periods_unlocked"]) == ([], [PERIOD])
    assert main(["--db", db, "import", bundle]) == 0  # (a duplicate now: nothing changes)
    assert "unlocked" not in capsys.readouterr().out


def test_the_import_line_joins_its_clauses_as_the_language_does() -> None:
    """"27 nouveaux sur 27 événements; le plan…": French wants " ; ", Arabic "؛ "."""
    from fieldplan import i18n
    from fieldplan.sync.exchange import ImportOutcome

    outcome = ImportOutcome("a.fieldplan", "merged", events_new=2, events_total=2,
                            plan_version=2, plan_hidden=1)
    try:
        i18n.set_language("fr")
        line = outcome.line()
        # (a narrow no-break space before the semicolon)
        assert "événements)\u202f; le plan" in line and "version 2\u202f; elle masque" in line
        assert "; " not in line.replace("\u202f; ", "")
        i18n.set_language("ar")
        assert "؛ " in outcome.line() and "; " not in outcome.line()
    finally:
        i18n.set_language("en")


def test_a_lock_from_before_the_upgrade_judges_earlier_imports_by_the_clock(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A lock written before locks kept their last import (schema 0006): the imports up
    to the upgrade are judged by the clock, as they were, and later ones by their order
    too. Ordering those earlier imports by their times named every report of the period
    changed after the lock when headquarters' clock had been a day ahead at the imports
    and was put right before it locked."""
    import sqlite3

    from fieldplan.replica import open_replica

    offset = skewed(monkeypatch)
    ml = make_office("ML")
    first, second = national(ml, 0), national(ml, 1)
    progress.record_progress(ml, first, PERIOD, status="completed", percent=100)
    progress.submit_period(ml, PERIOD)
    offset[0] = 24 * 3600 * 1000  # headquarters' clock a day ahead at the import
    send(ml, hq, tmp_path)
    offset[0] = 0
    progress.set_period_lock(hq, PERIOD)
    path = hq.path
    hq.close()
    with sqlite3.connect(path) as old:  # as the release before 0006 left it
        old.execute("DELETE FROM meta WHERE key LIKE 'lock_inbox:%'")
        old.execute("ALTER TABLE inbox DROP COLUMN plan_changes")
        old.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_inbox_plan_changes'")
    with open_replica(path) as upgraded:
        assert progress.changed_after_lock(upgraded) == {}
        # a laptop whose clock is behind, after the upgrade: named by the import order
        offset[0] = -YEAR_MS
        progress.record_progress(ml, second, PERIOD, status="on-track")
        offset[0] = 0
        send(ml, upgraded, tmp_path)
        assert [c.action for c in progress.changed_after_lock(upgraded)[PERIOD]] == [second]


def test_headquarters_own_reports_are_judged_by_their_order_not_its_clock(
        hq, monkeypatch) -> None:
    """Headquarters typed its report, then locked with its clock six weeks behind (a
    new computer, a flat CMOS battery): its report was named changed after the lock.
    Its own events are in the order it wrote them, whatever its clock said."""
    offset = skewed(monkeypatch)
    day = 24 * 3600 * 1000
    progress.record_progress(hq, "PA1.6", PERIOD, status="on-track", percent=40)
    offset[0] = -45 * day
    progress.set_period_lock(hq, PERIOD)
    assert progress.changed_after_lock(hq) == {}
    assert warnings_of(hq) == []


def test_only_the_locked_periods_events_are_read(hq, make_office, tmp_path: Path,
                                                  monkeypatch) -> None:
    """Every progress event later than the earliest lock was read, its body with it,
    then those of periods not locked left aside: at a 57-office headquarters a year of
    typing after a lock (100,000 events), at every save and import. The database
    leaves them out; the same reports are named."""
    ml, first = late_world(hq, make_office, tmp_path)
    for act in (national(ml, 0), national(ml, 1), national(ml, 2)):  # not locked
        for percent in (10, 20, 30):
            progress.record_progress(ml, act, "2026-S1", status="on-track", percent=percent)
    send(ml, hq, tmp_path)
    expected = progress.changed_after_lock(hq)
    assert [(c.office, c.action) for c in expected[PERIOD]] == [("ML", first)]
    read: list[str] = []
    execute = hq.conn.execute

    def counted(sql, *args):
        rows = execute(sql, *args)
        if "FROM events WHERE entity = 'progress'" not in sql:
            return rows
        return iter([read.append(row[0]) or row for row in rows])

    monkeypatch.setattr(hq.conn, "execute", counted)
    assert progress.changed_after_lock(hq) == expected
    assert read and all(entity_id.endswith(f"|{PERIOD}") for entity_id in read)


def test_the_drafts_a_lock_leaves_are_counted_without_those_changed_after_it(
        hq, make_office, tmp_path: Path) -> None:
    """What the client tells an office of headquarters' lock counts its drafts left in
    the period (as ``status`` does), but not those changed after the lock: the warning
    beside it names them."""
    from fieldplan.status import drafts_left_by_locks

    ml = make_office("ML")
    first, second, third = national(ml, 0), national(ml, 1), national(ml, 2)
    for act in (first, second):
        progress.record_progress(ml, act, PERIOD, status="on-track", percent=20)
    progress.record_progress(ml, third, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    progress.set_period_lock(hq, PERIOD)
    progress.record_progress(ml, first, PERIOD, percent=60)  # not knowing of the lock
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    assert [c.action for c in progress.changed_after_lock(ml)[PERIOD]] == [first]
    assert drafts_left_by_locks(ml, [PERIOD], "ML") == {PERIOD: 1}
    assert drafts_left_by_locks(ml, [PERIOD, "2026-S1"], "ML") == {PERIOD: 1, "2026-S1": 1}
    assert drafts_left_by_locks(ml, [], "ML") == {}
    assert drafts_left_by_locks(ml, [PERIOD], "SN") == {}
    # headquarters counts an office's as that office does
    assert drafts_left_by_locks(hq, [PERIOD], "ML") == {PERIOD: 1}
