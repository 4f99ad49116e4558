"""Gaps at headquarters are listed by office, by name in the reader's language, as the
Reports page and the review pack list offices: they came in the order of the computers'
random ids (Uganda's before Bangladesh's), and among 57 offices a person read the whole
list for the one on the phone. ``status`` and the Inbox read them from ``list_gaps``."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync import national, send

from fieldplan import events, progress, store
from fieldplan.i18n import set_language
from fieldplan.status import replica_status
from fieldplan.sync import list_gaps


def _gap(office, hq, tmp_path: Path) -> None:
    """``office`` exports twice; headquarters gets only the second bundle (the first,
    lost, counted as acknowledged: say HQ restored an older backup since)."""
    send(office, hq, tmp_path)
    for pct in (10, 20, 30):
        progress.record_progress(office, national(office), "2026-S1", status="on-track",
                                 percent=pct)
    held = events.last_event(office.conn, office.replica_id)[0] - 1
    with store.write_transaction(office.conn):
        office.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, ?)",
                            (hq.replica_id, office.replica_id, held))
    send(office, hq, tmp_path)


@pytest.mark.parametrize(("lang", "order"), [("en", ["DZ", "TD", "EG"]),
                                             ("fr", ["DZ", "EG", "TD"])])
def test_gaps_are_listed_by_office_name(hq, make_office, tmp_path, monkeypatch, lang,
                                        order) -> None:
    import fieldplan.replica as replica_module

    # the computers' ids in the reverse order of the names (the order they came in)
    ids = iter(["00000000-0000-4000-8000-00000000000" + str(i) for i in (1, 2, 3)])
    monkeypatch.setattr(replica_module, "_uuid4", lambda: next(ids))
    offices = [make_office(code) for code in ("EG", "TD", "DZ")]
    monkeypatch.undo()
    for office in offices:
        _gap(office, hq, tmp_path)
    set_language(lang)
    try:
        assert [g.office for g in list_gaps(hq)] == order
        # one line each, in that order
        label = "Gaps" if lang == "en" else "Lacunes"
        lines = [text for name, text in replica_status(hq).lines(lang) if name == label]
        assert [gap.message() for gap in list_gaps(hq)] == lines
        assert [f" {code}" in line for line, code in zip(lines, order, strict=True)] \
            == [True] * 3
    finally:
        set_language("en")
