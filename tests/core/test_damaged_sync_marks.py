"""The marks of this computer's last export and import (``meta``: kept here, never
sent) damaged or written by hand: ``status`` and the client's status bar said an
"internal error" on every opening (found by QA). Such a mark is no mark."""

from __future__ import annotations

import pytest

from fieldplan import events, store
from fieldplan.status import replica_status
from fieldplan.sync.state import sync_state


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"2026-01-01"', "12"])
@pytest.mark.parametrize("key", ["last_export", "last_import"])
def test_a_damaged_last_export_or_import_mark_is_no_mark(make_office, key, raw) -> None:
    office = make_office("ML")
    with store.write_transaction(office.conn):
        events.set_meta(office.conn, key, raw)
    state = sync_state(office)
    assert getattr(state, key) is None
    lines = dict(replica_status(office).lines("en"))
    assert lines["Last export" if key == "last_export" else "Last import"]
