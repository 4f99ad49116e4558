"""Report by report, whether headquarters holds the version an office computer shows
(``fieldplan.sync.receipts``): the status bar said it for the office as a whole only
("HQ has your data up to …"), so staff could not tell which reports had reached it."""

from __future__ import annotations

from pathlib import Path

from test_fork_repair import export_to
from test_sync import national, send

from fieldplan import progress
from fieldplan.progress import report_id
from fieldplan.sync.keys import revoke_key
from fieldplan.sync.receipts import HELD, OTHER, REVOKED, SENT, UNSENT, hq_receipts

S1 = "2026-S1"


def states(rep, **kw) -> dict[str, str]:
    return {rid.split("|")[1]: r.state for rid, r in hq_receipts(rep, **kw).items()}


def test_each_report_says_whether_headquarters_holds_its_version(
        hq, make_office, tmp_path: Path, clock) -> None:
    ml = make_office("ML")
    a, b = national(ml, 0), national(ml, 1)
    progress.record_progress(ml, a, S1, status="on-track", percent=10)
    progress.record_progress(ml, b, S1, status="at-risk")
    assert states(ml) == {a: UNSENT, b: UNSENT}

    clock("2026-12-05T10:00:00")
    export_to(ml, tmp_path, "first")
    got = hq_receipts(ml, period=S1)
    assert {r.state for r in got.values()} == {SENT}
    assert got[report_id("ML", a, S1)].sent_at.startswith("2026-12-05T10:00")

    # a newer version of one report: that one is not sent, the other still on its way
    clock("2026-12-06T09:00:00")
    progress.record_progress(ml, b, S1, percent=40)
    assert states(ml) == {a: SENT, b: UNSENT}
    export_to(ml, tmp_path, "second")
    got = hq_receipts(ml)
    assert got[report_id("ML", a, S1)].sent_at.startswith("2026-12-05")  # its first bundle
    assert got[report_id("ML", b, S1)].sent_at.startswith("2026-12-06")

    # headquarters' bundle acknowledges both
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    assert states(ml) == {a: HELD, b: HELD}
    assert hq_receipts(ml, actions=[a]).keys() == {report_id("ML", a, S1)}
    assert hq_receipts(ml, period="2026-S2") == {}

    progress.record_progress(ml, a, S1, percent=20)
    assert states(ml) == {a: UNSENT, b: HELD}
    # headquarters has it as it was: an earlier version, not nothing
    got = hq_receipts(ml, period=S1)
    assert got[report_id("ML", a, S1)].earlier
    assert not got[report_id("ML", b, S1)].earlier  # (held: nothing earlier to say)
    c = national(ml, 2)
    progress.record_progress(ml, c, S1, status="at-risk")
    assert not hq_receipts(ml, actions=[c])[report_id("ML", c, S1)].earlier
    # headquarters holds what it shows: the question does not arise there
    assert hq_receipts(hq, office="ML") is None


def test_a_revoked_computer_s_versions_never_reach_headquarters(
        hq, make_office, tmp_path: Path) -> None:
    """Headquarters revoked the computer's key and refuses its bundles: its report form
    said "Not sent to headquarters yet" of a version it can never send (and "Sent …,
    not acknowledged yet" of one headquarters refuses), while the status bar said the
    key was revoked. What headquarters held before stays held."""
    ml = make_office("ML")
    a, b, c = national(ml, 0), national(ml, 1), national(ml, 2)
    progress.record_progress(ml, a, S1, status="on-track")
    send(ml, hq, tmp_path)
    progress.record_progress(ml, b, S1, status="at-risk")
    export_to(ml, tmp_path, "sent")  # never imported: it would be refused now
    revoke_key(hq, ml.meta("key_id"))
    send(hq, ml, tmp_path)  # the revocation, with the receipt of a
    progress.record_progress(ml, c, S1, status="off-track")
    assert states(ml) == {a: HELD, b: REVOKED, c: REVOKED}


def test_a_version_from_another_computer_counts_by_its_events(
        hq, make_office, tmp_path: Path) -> None:
    first = make_office("ML", "laptop-1")
    second = make_office("ML", "laptop-2")
    act = national(first)
    progress.record_progress(first, act, S1, status="on-track", percent=30)
    send(first, hq, tmp_path)
    send(second, hq, tmp_path)  # (headquarters learns the second laptop is there)
    send(hq, second, tmp_path)  # brings the first laptop's report, with the receipt
    assert states(second) == {act: HELD}

    # headquarters' receipts for the first laptop say less than this computer holds of
    # it (as after headquarters was put back from a backup): not sent from here, the
    # first laptop sends it
    rid = report_id("ML", act, S1)
    second.conn.execute("UPDATE acks SET seq = 0 WHERE origin = ?", (first.replica_id,))
    second.conn.commit()
    assert hq_receipts(second)[rid].state == OTHER
    # a change of the second laptop's own on top: not sent from here yet
    progress.record_progress(second, act, S1, status="at-risk")
    assert hq_receipts(second)[rid].state == UNSENT
