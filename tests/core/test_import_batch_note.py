"""``import FILE...`` notes what became of the batch for ``status`` ("5 files: 2 merged,
…") after every file is merged or refused, in a write of its own: another program
writing at that moment must not make an import whose files were all merged read as
failed ("the database is busy … nothing was changed")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_sync import national, registered

from fieldplan import progress
from fieldplan.sync import exchange, export_bundle, import_bundles


def test_a_busy_database_at_the_batch_note_fails_no_import(hq, make_office, tmp_path: Path,
                                                         monkeypatch) -> None:
    files = []
    for code in ("ML", "SN"):
        office = registered(make_office(code), hq, tmp_path)
        progress.record_progress(office, national(office), "2026-S1", status="at-risk")
        (tmp_path / code).mkdir()
        files.append(export_bundle(office, out_dir=tmp_path / code).path)
    other = sqlite3.connect(hq.path, isolation_level=None)
    real = exchange.retry_waiting

    def then_busy(*args, **kwargs):
        real(*args, **kwargs)
        hq.conn.execute("PRAGMA busy_timeout = 50")
        other.execute("BEGIN IMMEDIATE")  # another program's write, at that moment

    monkeypatch.setattr(exchange, "retry_waiting", then_busy)
    try:
        outcomes = import_bundles(hq, files)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [o.outcome for o in outcomes] == ["merged", "merged"]
