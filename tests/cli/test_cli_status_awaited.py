"""``fieldplan status`` at headquarters says, per period begun and not locked, how
many of the offices it awaits have reported, which have not, and which offices known
here it does not await and why: ``status --json`` had no per-period count of them, which
the review pack's cover, the lock check and the Overview each count
(sync.export.expected_offices). Found by QA."""

from __future__ import annotations

import json
from pathlib import Path

from fieldplan import progress
from tests.cli.test_cli_messages import run
from tests.fixtures.reports.seed import write_progress


def _hq(clock, hq, tmp_path: Path) -> str:
    """Headquarters on 6 December 2026: ML and SN enrolled in February, ML's reports
    on 2026-S1 submitted, SN's none; JO enrolled in December; 2025-S2 locked. Returns
    its database."""
    from fieldplan.sync import enroll_office

    for office in ("ML", "SN"):
        enroll_office(hq, office, tmp_path / f"{office}-setup.fieldplan")
    write_progress(hq, "ML", "2026-S1")
    write_progress(hq, "HQ", "2026-S1", state="draft")
    progress.set_period_lock(hq, "2025-S2")
    clock("2026-12-01")
    enroll_office(hq, "JO", tmp_path / "JO-setup.fieldplan")
    clock("2026-12-06")
    db = str(hq.path)
    hq.close()
    return db


def test_status_json_says_who_each_open_period_awaits(clock, hq, tmp_path: Path,
                                                      capsys) -> None:
    db = _hq(clock, hq, tmp_path)
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    assert code == 0
    periods = json.loads(out)["awaited_periods"]
    # begun and not locked, in order: not 2025-S2 (locked), nor 2027 (not begun)
    assert [p["period"] for p in periods] == ["2026-S1", "2026-S2"]
    first, second = periods
    assert first == {"period": "2026-S1", "awaited": ["ML", "SN"], "reported": ["ML"],
                     "not_reported": ["SN"], "not_awaited": ["JO"], "hq_awaited": True,
                     "hq_reported": False, "not_awaited_why": {"JO": "ended"}}
    assert (second["awaited"], second["reported"], second["not_awaited"],
            second["not_awaited_why"]) == (["JO", "ML", "SN"], [], [], {})
    # the lock check counts them so ("N of M offices")
    from fieldplan.replica import open_replica
    from fieldplan.sync import lock_check

    with open_replica(db) as rep:
        check = lock_check(rep, "2026-S1")
    assert (check.offices, check.unsubmitted) == (2, 1)


def test_status_says_who_each_open_period_awaits(clock, hq, tmp_path: Path,
                                                 capsys) -> None:
    db = _hq(clock, hq, tmp_path)
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0
    assert ("Reported on 1st semester 2026: 1 of 2 offices awaited; not reported: SN; "
            "1 office not awaited, as it was enrolled after the period ended: JO\n") in out
    assert "Reported on 2nd semester 2026: 0 of 3 offices awaited; not reported: JO, ML, " \
           "SN\n" in out
    assert "2nd semester 2025:" not in out  # locked
    code, out, _err = run("--db", db, "--lang", "fr", "status", capsys=capsys)
    assert code == 0 and "JO" in out


def test_an_office_status_says_nothing_of_who_is_awaited(tmp_path: Path, capsys) -> None:
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    setup = tmp_path / "setup.fieldplan"
    with init_hq(tmp_path / "hq.sqlite3") as rep:
        enroll_office(rep, "ML", setup)
    init_from_setup(tmp_path / "ml.sqlite3", setup).close()
    db = str(tmp_path / "ml.sqlite3")
    code, out, _err = run("--db", db, "--json", "status", capsys=capsys)
    assert code == 0 and json.loads(out)["awaited_periods"] == []
    code, out, _err = run("--db", db, "status", capsys=capsys)
    assert code == 0 and "Reported on" not in out


def test_many_offices_not_reported_are_counted_as_offices() -> None:
    """Past the first three codes, status counts the rest as offices: Arabic said
    "BN، GM، KG و3 تقارير أخرى" ("and 3 other reports") of offices, the words of the
    reports changed after a lock. Found by QA."""
    from fieldplan import i18n
    from fieldplan.status import awaited_text
    from fieldplan.sync.export import AwaitedOffices

    offices = ("BN", "GM", "KG", "MZ", "OM", "PK", "SN")
    awaited = AwaitedOffices(period="2026-S2", awaited=offices, reported=("SN",),
                             not_awaited=())
    assert awaited_text(awaited) == ("1 of 7 offices awaited; not reported: BN, GM, KG "
                                     "and 3 more offices")
    i18n.set_language("ar")
    try:
        said = awaited_text(awaited)
    finally:
        i18n.set_language("en")
    assert "BN\u060c GM\u060c KG" in said and "تقرير" not in said.split(":", 1)[-1]


def test_status_json_says_why_each_office_is_not_awaited() -> None:
    """``not_awaited`` named the offices a period does not await, and only the text
    said why (enrolled after the period ended, or after it was locked):
    ``not_awaited_why`` gives it per office, beside the keys as they were. Found by
    QA."""
    from fieldplan.sync.export import AFTER_END, AFTER_LOCK, AwaitedOffices

    awaited = AwaitedOffices(period="2026-S1", awaited=("ML",), reported=(),
                             not_awaited=("JO", "SN"), after_lock=("SN",))
    said = awaited.to_dict()
    assert said["not_awaited"] == ["JO", "SN"]
    assert said["not_awaited_why"] == {"JO": AFTER_END, "SN": AFTER_LOCK} == {
        "JO": "ended", "SN": "locked"}
    assert list(said)[:7] == ["period", "awaited", "reported", "not_reported",
                              "not_awaited", "hq_awaited", "hq_reported"]
