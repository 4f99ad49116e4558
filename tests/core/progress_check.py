"""An independent derivation of the merged progress table, for tests: each report's
row rebuilt from ``events.entity_state`` (the winning head of each field, chosen in
SQL) with the documented defaults, to compare with what the merge materialised."""

from __future__ import annotations

from fieldplan import events


def expected_progress(rep) -> list[tuple]:
    rows = []
    ids = [i for (i,) in rep.conn.execute(
        "SELECT DISTINCT entity_id FROM versions WHERE entity = 'progress' AND superseded = 0")]
    for entity_id in sorted(ids):
        state = events.entity_state(rep.conn, "progress", entity_id, with_ids=True)
        heads = rep.conn.execute(
            "SELECT hlc, origin, seq, author FROM versions WHERE entity = 'progress' "
            "AND entity_id = ? AND superseded = 0", (entity_id,)).fetchall()
        last = max(heads, key=lambda h: h[:3])
        value = {f: v for f, (v, _id) in state.items()}
        vals = {f[6:]: v for f, v in value.items() if f.startswith("value.") and v is not None}
        rows.append((*entity_id.split("|"), *events.progress_columns(value, vals),
                     last[0], last[3]))
    return rows


def materialised_progress(rep) -> list[tuple]:
    import json

    return [(*r[:5], json.loads(r[5]), *r[6:]) for r in rep.conn.execute(
        "SELECT office, action, period, status, percent, vals, achievements, challenges, "
        "next_steps, state, hlc, updated_by FROM progress ORDER BY office, action, period")]
