"""A status sheet's QR code gives, for each computer of the office, the last of its
events headquarters holds with none missing before it: what headquarters
acknowledges to the office (``events.holdings``). It gave the highest event held,
gap or not: with events 6–10 of a laptop lost on the way and 11–15 merged, the QR
said 15, as if headquarters held all of that laptop's data, while the pack's
"Missing events" named 6–10 and the office's next bundle had to carry them again."""

from __future__ import annotations

import json

from scenes import send

from fieldplan import progress, store
from fieldplan.reports.common import office_replicas
from fieldplan.reports.sheet import gather
from fieldplan.sync import list_gaps


def _with_a_gap(hq, ml, tmp_path) -> None:
    code = ml.plan().actions_of(level="national")[0].code
    for pct in range(1, 6):
        progress.record_progress(ml, code, "2026-S1", status="on-track", percent=pct)
    send(ml, hq, tmp_path)
    for pct in range(6, 16):
        progress.record_progress(ml, code, "2026-S1", status="on-track", percent=pct)
    # as if headquarters had acknowledged up to 10: its next bundle starts at 11
    with store.write_transaction(ml.conn):
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, 10)",
                        (hq.replica_id, ml.replica_id))
    send(ml, hq, tmp_path)


def test_the_qr_gives_what_is_held_with_no_gap(hq, make_office, tmp_path) -> None:
    ml = make_office("ML")
    _with_a_gap(hq, ml, tmp_path)
    [gap] = list_gaps(hq)
    assert (gap.first, gap.last) == (6, 10)
    # (every event up to 5 is held; 11–15 are, but not 6–10)
    assert office_replicas(hq, "ML") == {ml.replica_id: 5}
    payload = json.loads(gather(hq, "2026-S1", "ML").footer.payload)
    assert payload["replicas"] == {ml.replica_id: 5}
    # once the missing events arrive, the last of them all
    send(ml, hq, tmp_path, full=True)
    assert list_gaps(hq) == []
    assert office_replicas(hq, "ML") == {ml.replica_id: 15}
