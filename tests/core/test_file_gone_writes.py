"""Every write is refused on a database file deleted, moved or replaced while open,
not only the client's saves: a submission, a lock, an import or a conflict's
resolution went on into the file SQLite had open, seemed done, and was lost when it
closed (``Replica.check_file``, called before each write transaction)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import progress
from fieldplan.errors import StoreError
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle
from tests.scenes import laptops_in_conflict

GONE = "was deleted, moved or replaced while it was open"


def moved_away(rep, tmp_path: Path) -> Path:
    aside = tmp_path / "aside.sqlite3"
    os.replace(rep.path, aside)
    return aside


def test_every_write_at_headquarters_is_refused_once_the_file_is_gone(
        hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    bundle = export_bundle(ml, out_dir=tmp_path).path
    glob = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, glob, "2026-S1", status="on-track")
    aside = moved_away(hq, tmp_path)
    writes = {
        "save": lambda: progress.record_progress(hq, glob, "2026-S1", percent=50),
        "submit": lambda: progress.submit_period(hq, "2026-S1"),
        "lock": lambda: progress.set_period_lock(hq, "2026-S1"),
        "import": lambda: import_bundle(hq, bundle, backup=False),
    }
    for write in writes.values():
        with pytest.raises(StoreError, match=GONE):
            write()
    os.replace(aside, hq.path)  # put back: the same file, which took nothing
    with open_replica(hq.path) as again:
        report = progress.get_report(again, glob, "2026-S1", office="HQ")
        assert (report.percent, report.state) == (None, "draft")
        assert not progress.is_locked(again, "2026-S1")
        assert again.conn.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0


def test_an_office_refuses_a_resolution_and_an_import_once_the_file_is_gone(
        hq, make_office, tmp_path: Path) -> None:
    from fieldplan.sync import list_conflicts, resolve_conflict

    a, b, _code, _out = laptops_in_conflict(hq, make_office, tmp_path, {"status": "on-track"},
                                            {"status": "at-risk"}, sent="b")
    [conflict] = list_conflicts(a)
    progress.record_progress(b, national(b, 1), "2026-S1", status="on-track")
    send(b, hq, tmp_path)
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    moved_away(a, tmp_path)
    with pytest.raises(StoreError, match=GONE):
        resolve_conflict(a, conflict.id, conflict.candidates[0].value_id)
    with pytest.raises(StoreError, match=GONE):
        import_bundle(a, bundle, backup=False)


def test_a_file_replaced_while_a_write_waited_for_the_lock_takes_nothing(
        hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """The file was checked before the write lock was taken: a restore that put
    another file in its place while the write waited for the lock (another program
    writing) let the write go on into the replaced file, lost (found with a restore
    run while 'progress set' saved). Checked again with the lock held."""
    ml = make_office("ML")
    code = national(ml)
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    held = ml.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    real = type(ml).file_gone
    looks: list[str] = []

    def replaced_during_the_wait(rep) -> str:
        looks.append("")
        return real(rep) if len(looks) == 1 else "the database file was replaced"

    monkeypatch.setattr(type(ml), "file_gone", replaced_during_the_wait)
    with pytest.raises(StoreError, match="was replaced"):
        progress.record_progress(ml, code, "2026-S1", percent=50)
    monkeypatch.undo()
    assert len(looks) == 2
    assert ml.conn.execute("SELECT count(*) FROM events").fetchone()[0] == held
    assert not ml.conn.in_transaction
    progress.record_progress(ml, code, "2026-S1", percent=60)  # the lock was let go
