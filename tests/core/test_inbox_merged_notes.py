"""The Inbox keeps what an import said of a merged bundle beyond its events: its
Reason column was empty where the import's result (closed since) had said "the key of
a new computer of ML is now registered", or named the events still missing."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress, store
from fieldplan.sync import export_bundle, import_bundle, list_inbox


def _national(rep, i: int = 0) -> str:
    return rep.plan().actions_of(level="national")[i].code


def test_a_new_computers_key_registered_is_kept_in_the_inbox(hq, make_office,
                                                             tmp_path: Path) -> None:
    ml = make_office("ML")
    progress.record_progress(ml, _national(ml), "2026-S1", status="on-track", percent=5)
    outcome = import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    assert outcome.outcome == "merged" and outcome.computer_registered
    [entry] = list_inbox(hq)
    said = ("the key of a new computer of ML is now registered: headquarters' bundles "
            "for ML reach that computer from now on")
    assert entry.reason_text() == said
    assert entry.to_dict()["reason"] == said
    # in the reader's language, as the other reasons
    assert entry.reason_text("fr") != said and "ML" in entry.reason_text("fr")


def test_a_gap_and_late_data_are_both_kept(hq, make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    for pct in range(1, 6):
        progress.record_progress(ml, _national(ml), "2026-S1", status="on-track",
                                 percent=pct)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    progress.set_period_lock(hq, "2026-S1")
    for pct in range(6, 16):
        progress.record_progress(ml, _national(ml, 1), "2026-S1", status="on-track",
                                 percent=pct)
    with store.write_transaction(ml.conn):  # as if HQ had acknowledged up to 10
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, 10)",
                        (hq.replica_id, ml.replica_id))
    outcome = import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    assert outcome.outcome == "merged" and outcome.gaps and outcome.late_periods
    entry = list_inbox(hq)[0]
    reason = entry.reason_text()
    assert reason.startswith(outcome.gaps[0])
    assert "changes to the locked period 1st semester 2026" in reason
    assert "registered" not in reason  # (said of its first bundle only)


def test_the_inbox_table_says_a_new_computers_key_short(hq, make_office,
                                                        tmp_path: Path) -> None:
    """The Inbox's Reason column repeated the whole key sentence for every office of a
    first import: its table says it short, the rest of the reason as it is; the whole
    reason stays the line's (the detail, the CLI and JSON say it)."""
    from dataclasses import replace

    ml = make_office("ML")
    progress.record_progress(ml, _national(ml), "2026-S1", status="on-track", percent=5)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    [entry] = list_inbox(hq)
    assert entry.table_reason() == "a new computer's key is now registered"
    assert entry.reason_text().startswith("the key of a new computer of ML")
    assert entry.to_dict()["reason"] == entry.reason_text()
    # a line kept without how its reason was made (an older version's) says it as kept
    older = replace(entry, reason_msg="")
    assert older.table_reason() == older.reason == entry.reason
