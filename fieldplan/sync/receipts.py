"""(an office) Whether headquarters holds each report as this computer shows it.

Headquarters says in every bundle up to which event it holds each computer's events
(its receipts, table ``acks``). A report's version is the set of events that wrote
its current values (the heads of its fields, table ``versions``): headquarters has
the version when its receipts cover every one of them. Read when asked (a report
opened, a sheet printed, ``progress list``), never at an import or an export, which
note only when each bundle was written (``note_export_times``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fieldplan import events
from fieldplan.replica import Replica

#: meta key prefix, with an origin: [[last seq carried, when written (ISO UTC)], ...],
#: one pair per bundle exported from here that carried more of that origin's events,
#: the pairs headquarters' receipts cover left out (``note_export_times``)
EXPORT_TIMES = "export_times:"
#: at most this many bundles remembered per origin (an office that exports every day
#: and never hears from headquarters): the oldest go first
MAX_EXPORT_TIMES = 200

HELD, SENT, UNSENT, OTHER, REVOKED = "held", "sent", "unsent", "other", "revoked"


@dataclass(frozen=True)
class HqReceipt:
    """Whether headquarters holds a report's version shown here.

    state: ``held`` (headquarters' receipts cover every event of the version),
    ``sent`` (not held; every event of it this computer writes went in a bundle
    exported from here), ``unsent`` (some of them went in no bundle yet) or ``other``
    (not held; what is missing was written on another computer of the office, which
    sends it itself) or ``revoked`` (not held; headquarters revoked this computer's key
    and refuses its bundles: what is missing was written here, sent or not, and never
    reaches headquarters from here).
    sent_at: (``sent``) when the bundle that carried the last of them was written
    (ISO UTC); "" when not known (a bundle of an earlier release).
    earlier: (not held) headquarters' receipts cover an earlier version of the report
    (one of its events): a report reopened, or changed after it was sent, is at
    headquarters as it was, not missing there.
    """

    state: str
    sent_at: str = ""
    earlier: bool = False

    @property
    def held(self) -> bool:
        """Whether headquarters has this version."""
        return self.state == HELD


def note_export_times(rep: Replica, tops: Mapping[str, int], floors: Mapping[str, int],
                      at: str) -> None:
    """(an office, inside the export's write transaction) Note that a bundle written
    ``at`` carries events up to ``tops`` (origin → last seq), dropping what
    headquarters' receipts cover (``floors``: origin → its receipt). One small meta
    row per origin: the export stays as fast."""
    for origin, top in tops.items():
        key = EXPORT_TIMES + origin
        pairs = _pairs(rep.meta(key))
        floor = floors.get(origin, 0)
        pairs = [p for p in pairs if p[0] > floor]
        if not pairs or top > pairs[-1][0]:
            pairs.append((top, at))
        events.set_meta(rep.conn, key, json.dumps(
            [list(p) for p in pairs[-MAX_EXPORT_TIMES:]], separators=(",", ":")))


def _pairs(raw: str | None) -> list[tuple[int, str]]:
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [(int(p[0]), str(p[1])) for p in value
            if isinstance(p, list) and len(p) == 2 and isinstance(p[0], int)]


def hq_receipts(rep: Replica, office: str | None = None, period: str | None = None,
                actions: Iterable[str] | None = None) -> dict[str, HqReceipt] | None:
    """Report id (``progress.report_id``) → whether headquarters holds the version
    shown here, for the office's reports (of ``period``, of ``actions`` only, when
    given). None at headquarters, which holds what it shows."""
    if rep.is_hq:
        return None
    office = office or rep.office
    heads = _heads(rep, office, period, actions)
    if not heads:
        return {}
    acks = hq_acks(rep)
    from fieldplan.sync.export import origins_for

    own = set(origins_for(rep, rep.office))
    exported = events.exported_seqs(rep.conn)
    from fieldplan.sync.keys import own_key_status

    revoked = own_key_status(rep) == "revoked"
    times: dict[str, list[tuple[int, str]]] = {}
    out: dict[str, HqReceipt] = {}
    for rid, tops in heads.items():
        missing = {o: s for o, s in tops.items() if s > acks.get(o, 0)}
        if not missing:
            out[rid] = HqReceipt(HELD)
            continue
        mine = {o: s for o, s in missing.items() if o in own or o in exported}
        if mine and revoked:
            out[rid] = HqReceipt(REVOKED)
        elif any(s > exported.get(o, 0) for o, s in mine.items()):
            out[rid] = HqReceipt(UNSENT)
        elif not mine:
            out[rid] = HqReceipt(OTHER)
        else:
            when = []
            for o, s in mine.items():
                if o not in times:
                    times[o] = _pairs(rep.meta(EXPORT_TIMES + o))
                when.append(next((at for top, at in times[o] if top >= s), ""))
            out[rid] = HqReceipt(SENT, "" if "" in when else max(when))
    held_before = _held_earlier(rep, [rid for rid, r in out.items() if not r.held], acks)
    for rid in held_before:
        out[rid] = dataclasses.replace(out[rid], earlier=True)
    return out


def _held_earlier(rep: Replica, rids: list[str], acks: Mapping[str, int]) -> set[str]:
    """Of the reports ``rids`` (not held as shown), those of which headquarters holds
    an event, so an earlier version (by the index on the events' entity, origin)."""
    found: set[str] = set()
    for start in range(0, len(rids), 500):
        chunk = rids[start:start + 500]
        for rid, origin, first in rep.conn.execute(
                "SELECT entity_id, origin, min(seq) FROM events "
                f"WHERE entity = 'progress' AND entity_id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY entity_id, origin", chunk):
            if first <= acks.get(origin, 0):
                found.add(rid)
    return found


def hq_acks(rep: Replica) -> dict[str, int]:
    """(an office) Origin → the last of its events headquarters' receipts say it
    holds, as the status bar reads them (``sync_state``): not the receipts of a
    headquarters database put back from a backup, and not, for this computer's own
    replicas whose history forked, beyond where it forked. Headquarters' own events
    count as held."""
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync.fork import resend_from

    keys = keyreg.all_keys(rep)
    gone = keyreg.successor_of(keys)
    hq = sorted({k.replica for k in keys.values()
                 if k.office == "HQ" and k.replica and k.replica not in gone})
    acks: dict[str, int] = {}
    if hq:
        acks.update(rep.conn.execute(
            f"SELECT origin, max(seq) FROM acks WHERE peer IN ({','.join('?' * len(hq))}) "
            "GROUP BY origin", hq))
    for origin, seq in resend_from(rep).items():
        if origin in acks:
            acks[origin] = min(acks[origin], seq - 1)
    every_hq = {k.replica for k in keys.values() if k.office == "HQ" and k.replica}
    for origin in every_hq:
        acks[origin] = 1 << 62
    return acks


def _heads(rep: Replica, office: str, period: str | None,
           actions: Iterable[str] | None) -> dict[str, dict[str, int]]:
    """Report id → origin → the last of that origin's events among the heads of its
    fields (the events its current version is made of)."""
    # by the heads' index: entity ids "OFFICE|ACTION|PERIOD", the office's (all of
    # them, a report form's one)
    wanted = None if actions is None else set(actions)
    if wanted is not None and period and len(wanted) <= 50:
        ids = [f"{office}|{a}|{period}" for a in sorted(wanted)]
        where, params = f"entity_id IN ({','.join('?' * len(ids))})", tuple(ids)
    else:
        where, params = "entity_id > ? AND entity_id < ?", (office + "|", office + "}")
    out: dict[str, dict[str, int]] = {}
    for rid, origin, seq in rep.conn.execute(
            "SELECT entity_id, origin, max(seq) FROM versions INDEXED BY versions_heads "
            f"WHERE entity = 'progress' AND {where} AND superseded = 0 "
            "GROUP BY entity_id, origin", params):
        _office, action, of = rid.split("|", 2)
        if (period and of != period) or (wanted is not None and action not in wanted):
            continue
        out.setdefault(rid, {})[origin] = seq
    return out


def report_receipt(rep: Replica, action: str, period: str) -> HqReceipt | None:
    """(an office) ``hq_receipts`` of this office's one report; None at headquarters
    and for a report not written yet."""
    from fieldplan.progress import report_id

    got = hq_receipts(rep, period=period, actions=(action,))
    return None if got is None else got.get(report_id(rep.office, action, period))
