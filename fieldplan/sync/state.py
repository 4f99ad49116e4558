"""Where a replica stands with its peers: last export and import, what HQ has
acknowledged, gaps, quarantine and conflicts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fieldplan import events, store
from fieldplan.replica import Replica
from fieldplan.sync import keys as keyreg


@dataclass(frozen=True)
class SyncState:
    """last_export / last_import: {"at", ...} or None. hq_has_seq: the highest of this
    replica's events HQ acknowledged (offices only), hq_has_at: when that event was
    written (ISO UTC). own_seq: this replica's latest event. gaps: messages."""

    last_export: dict[str, Any] | None
    last_import: dict[str, Any] | None
    hq_has_seq: int | None
    hq_has_at: str | None
    own_seq: int
    gaps: tuple[str, ...]
    quarantined: int
    conflicts: int
    #: headquarters revoked this computer's key: it refuses its bundles
    key_revoked: bool = False
    #: when this database was put back from a backup: at (when it continued as a new
    #: replica), backup_taken, replica (the id it had), missing (events of its earlier
    #: replicas that peers acknowledge holding and this database lacks), lost (the same
    #: at HQ, where they never come back, less those a person said were made again:
    #: ``dismiss_lost``), dismissed; else None
    restored: dict[str, Any] | None = None
    #: the gaps as data: origin, office, first, last, message (``gaps``: the messages)
    gap_ranges: tuple[dict[str, Any], ...] = ()

    @property
    def unsent(self) -> int:
        """Events of this replica HQ has not acknowledged yet (offices)."""
        return self.own_seq - (self.hq_has_seq or 0)

    def to_dict(self) -> dict[str, Any]:
        return {"last_export": self.last_export, "last_import": self.last_import,
                "hq_has_seq": self.hq_has_seq, "hq_has_at": self.hq_has_at,
                "own_seq": self.own_seq, "unsent": self.unsent, "gaps": list(self.gaps),
                "quarantined": self.quarantined, "conflicts": self.conflicts,
                "key_revoked": self.key_revoked, "restored": self.restored,
                "gap_ranges": list(self.gap_ranges)}


def sync_state(rep: Replica) -> SyncState:
    from fieldplan.sync.conflicts import list_conflicts
    from fieldplan.sync.exchange import list_gaps

    def meta_json(key: str) -> dict[str, Any] | None:
        raw = rep.meta(key)
        return json.loads(raw) if raw else None

    own_seq, _ = events.last_event(rep.conn, rep.replica_id)
    hq_seq = hq_at = None
    if not rep.is_hq:
        keys = keyreg.all_keys(rep)
        # not the receipts of an HQ database that was put back from a backup: what they
        # say it held may be lost
        gone = keyreg.successor_of(keys)
        hq = [k.replica for k in keys.values() if k.office == "HQ" and k.replica not in gone]
        if hq:
            row = rep.conn.execute(
                f"SELECT max(seq) FROM acks WHERE origin = ? AND peer IN "
                f"({','.join('?' * len(hq))})", (rep.replica_id, *hq)).fetchone()
            hq_seq = row[0]
            if hq_seq:
                h = rep.conn.execute("SELECT hlc FROM events WHERE origin = ? AND seq = ?",
                                     (rep.replica_id, hq_seq)).fetchone()
                hq_at = events.hlc_to_iso(h[0]) if h else None
    quarantined = rep.conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    gaps = list_gaps(rep)
    return SyncState(
        last_export=meta_json("last_export"), last_import=meta_json("last_import"),
        hq_has_seq=hq_seq, hq_has_at=hq_at, own_seq=own_seq,
        gaps=tuple(g.message() for g in gaps), quarantined=quarantined,
        conflicts=len(list_conflicts(rep)),
        key_revoked=not rep.is_hq and keyreg.own_key_status(rep) == "revoked",
        restored=restored_state(rep),
        gap_ranges=tuple(g.to_dict() for g in gaps))


#: meta key: how many of the events a restore lost (``missing``) a person at HQ said
#: were made again; the warning shows only the ones reported since
LOST_DISMISSED = "restored_lost_dismissed"


def restored_state(rep: Replica) -> dict[str, Any] | None:
    """What ``SyncState.restored`` says, or None for a database never restored.
    ``missing``: events of the replicas it continues that peers say they hold and this
    database lacks. At HQ they are ``lost``: offices send their own events only, so
    what HQ wrote after the backup never comes back. (At an office they come back with
    HQ's next bundle, which brings HQ's receipts with them.) ``lost`` leaves out the
    ``dismissed`` ones, which a person said were made again."""
    raw = rep.meta("restored")
    if not raw:
        return None
    info = json.loads(raw)
    missing = 0
    for origin in keyreg.renewed_from(rep):
        acked, held = rep.conn.execute(
            "SELECT (SELECT max(seq) FROM acks WHERE origin = ?1), "
            "(SELECT max(seq) FROM events WHERE origin = ?1)", (origin,)).fetchone()
        missing += max(0, (acked or 0) - (held or 0))
    dismissed = min(missing, int(rep.meta(LOST_DISMISSED) or 0)) if rep.is_hq else 0
    return {"at": info.get("at", ""), "backup_taken": info.get("backup_taken", ""),
            "replica": info.get("replica", ""), "missing": missing,
            "lost": missing - dismissed if rep.is_hq else 0, "dismissed": dismissed}


def dismiss_lost(rep: Replica) -> int:
    """(HQ) A person made again the changes a restore lost: stop warning about the ones
    reported so far (offices may still report more, which are warned about). Returns
    how many warnings this ended (0 when there was none)."""
    with store.write_transaction(rep.conn):
        state = restored_state(rep)
        if not state or not state["lost"]:
            return 0
        events.set_meta(rep.conn, LOST_DISMISSED, str(state["missing"]))
    return state["lost"]
