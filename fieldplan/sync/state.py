"""Where a replica stands with its peers: last export and import, what HQ has
acknowledged, gaps, quarantine and conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
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
    #: the bytes of the bundles waiting in quarantine (``exchange.QUARANTINE_MAX_BYTES``)
    quarantine_bytes: int = 0
    #: headquarters revoked this computer's key: it refuses its bundles
    key_revoked: bool = False
    #: (an office) the key headquarters holds for this computer in place of its own
    #: (``keys.replaced_here``; ``key_revoked`` then too), else ""
    key_replaced_by: str = ""
    #: when this database was put back from a backup: at (when it continued as a new
    #: replica), backup_taken, replica (the id it had), missing (events of its earlier
    #: replicas that peers acknowledge holding and this database lacks), lost (the same
    #: at HQ, where they never come back, less those a person said were made again:
    #: ``dismiss_lost``), dismissed; at an office, never_sent, unconfirmed and
    #: not_received (``_never_sent``: exported is not received); else None
    restored: dict[str, Any] | None = None
    #: the gaps as data: origin, office, first, last, message (``gaps``: the messages)
    gap_ranges: tuple[dict[str, Any], ...] = ()
    #: (HQ) the offices whose computer's history forked and is not repaired yet, one
    #: message per office (``fork_records``: the records)
    forks: tuple[str, ...] = ()
    #: (HQ) the open fork records as data (table ``forks``, ``fieldplan.sync.fork``):
    #: origin, office, seq (its first differing event), found_at
    fork_records: tuple[dict[str, Any], ...] = ()
    #: (offices) how many events the next export to headquarters carries
    #: (``export.unsent_events``): those of the replicas this computer continues after
    #: a renewal too, not only the current one's; 0 at headquarters
    unsent: int = 0
    #: (offices) of those, how many the last bundle exported carried already: sent,
    #: not acknowledged by headquarters yet (``export.unsent_split``)
    sent_unacknowledged: int = 0
    #: (HQ) one message per replica whose database is in use on two computers (a copy
    #: and its key file on another one: ``fork.copies_in_use``)
    shared_identities: tuple[str, ...] = ()
    #: (HQ) the same as data (``shared_records``): origin, new, office, key_id
    shared_records: tuple[dict[str, Any], ...] = ()
    #: (an office) the replica that continues this database's own, when another
    #: computer does (this database and its key file were copied to it; a fork repair
    #: or a renewal there gave it the new identity): this one is left on the old one
    continued_by: str = ""
    #: (HQ) forks of headquarters' own history that offices' receipts show
    #: (``fieldplan.sync.fork.hq_forks``): replica, seq, offices, written
    hq_forks: tuple[dict[str, Any], ...] = ()
    #: (an office) what headquarters' locks leave stuck here: per locked period with
    #: reports of this office changed after the lock, the line ``fieldplan status``
    #: warns with (``fieldplan.status.after_lock_lines``; its ``changed_after_lock``
    #: has them as data)
    after_lock: tuple[str, ...] = ()
    #: what keeps the key file beside the database from signing this computer's
    #: bundles (``keys.key_file_problem``): ``missing``, ``other`` (another computer's
    #: key, or an earlier one) or ``unreadable``; "" when it holds this computer's key
    key_file: str = ""
    #: what ``key_file`` means and the way out, for people ("" when all is well)
    key_file_text: str = ""
    #: (an office whose key headquarters has not registered yet) when its setup
    #: bundle's enrolment ends (ISO UTC): a first bundle must reach headquarters before
    #: it, else headquarters checks the key's fingerprint by phone
    #: (``fieldplan.sync.enrol.key_deadline``); "" otherwise
    key_deadline: str = ""
    #: (an office) events of this office's other computers that headquarters' last
    #: receipts say it holds and this computer lacks: origin, office, first, last. A
    #: computer set up from the same setup bundle as one that reported first gets
    #: them in headquarters' bundle once headquarters has one of its own (before, HQ
    #: does not know this computer is there to send them to)
    hq_only: tuple[dict[str, Any], ...] = ()
    #: the gaps themselves (``exchange.Gap``), for their messages in another language
    #: than the one ``gaps`` was made in (``status.ReplicaStatus.lines(lang)``)
    gap_items: tuple[Any, ...] = dc_field(default=(), repr=False, compare=False)

    def gap_messages(self) -> tuple[str, ...]:
        """``gaps`` in the language in use, in the order its readers look for an
        office (``gaps`` keeps the one it was made in)."""
        if not self.gap_items:
            return self.gaps
        from fieldplan.sync.exchange import gaps_in_order

        return tuple(g.message() for g in gaps_in_order(self.gap_items))

    @property
    def hq_only_count(self) -> int:
        """How many events ``hq_only`` names."""
        return sum(r["last"] - r["first"] + 1 for r in self.hq_only)

    def to_dict(self) -> dict[str, Any]:
        # (not after_lock: words only, which status's changed_after_lock has as data)
        return {"last_export": self.last_export, "last_import": self.last_import,
                "hq_has_seq": self.hq_has_seq, "hq_has_at": self.hq_has_at,
                "own_seq": self.own_seq, "unsent": self.unsent,
                "sent_unacknowledged": self.sent_unacknowledged, "gaps": list(self.gaps),
                "quarantined": self.quarantined,
                "quarantine_bytes": self.quarantine_bytes, "conflicts": self.conflicts,
                "key_revoked": self.key_revoked,
                "key_replaced_by": self.key_replaced_by or None,
                "restored": self.restored,
                "gap_ranges": list(self.gap_ranges), "forks": list(self.forks),
                "fork_records": list(self.fork_records),
                "shared_identities": list(self.shared_identities),
                "shared_records": list(self.shared_records),
                "continued_by": self.continued_by,
                "hq_forks": list(self.hq_forks), "key_file": self.key_file,
                "key_file_text": self.key_file_text,
                "key_deadline": self.key_deadline or None,
                "hq_only": list(self.hq_only)}

    @property
    def forked_offices(self) -> tuple[str, ...]:
        """(HQ) The offices that need a bundle from headquarters to repair a fork."""
        return tuple(dict.fromkeys(r["office"] for r in self.fork_records))


def sync_state(rep: Replica, changed_after_lock: Mapping[str, Any] | None = None
               ) -> SyncState:
    """``changed_after_lock``: ``progress.changed_after_lock`` of this replica's office
    (at headquarters, of every office), when the caller has it already
    (``status.replica_status``)."""
    from fieldplan.sync.exchange import list_gaps, log_shape, quarantine_totals

    def meta_json(key: str) -> dict[str, Any] | None:
        # (a record this computer keeps for itself, never sent: one damaged, or
        # written by hand, is no last export or import, not an "internal error" of
        # every status and of the window's status bar)
        raw = rep.meta(key)
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    from fieldplan.sync.export import unsent_split

    new, sent = unsent_split(rep)
    own_seq, _ = events.last_event(rep.conn, rep.replica_id)
    hq_seq = hq_at = None
    continued_by = ""
    hq_only: list[dict[str, Any]] = []
    if not rep.is_hq:
        keys = keyreg.all_keys(rep)
        # not the receipts of an HQ database that was put back from a backup: what they
        # say it held may be lost
        gone = keyreg.successor_of(keys)
        # a database that renews its identity (a restore, a repair) takes the new one
        # itself: a successor of the identity still in use here is another computer's
        continued_by = gone.get(rep.replica_id, "")
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
        from fieldplan.sync.fork import resend_from

        again = resend_from(rep).get(rep.replica_id)
        if again is not None and hq_seq and hq_seq >= again:
            # HQ's receipts name events of another history of this replica (this
            # database went back and wrote on): they say nothing of these events
            hq_seq, hq_at = None, None
        hq_only = _hq_only(rep, hq)
    quarantined, quarantine_bytes = quarantine_totals(rep)
    gaps = list_gaps(rep)
    forks = open_forks(rep) if rep.is_hq else []
    shared = shared_records(rep) if rep.is_hq else []
    from fieldplan.sync.enrol import key_deadline
    from fieldplan.sync.fork import hq_forks

    key_file = keyreg.key_file_problem(rep)
    return SyncState(
        last_export=meta_json("last_export"), last_import=meta_json("last_import"),
        hq_has_seq=hq_seq, hq_has_at=hq_at, own_seq=own_seq,
        gaps=tuple(g.message() for g in gaps), quarantined=quarantined,
        quarantine_bytes=quarantine_bytes,
        conflicts=len(log_shape(rep).conflicts),  # (count_conflicts, kept: list_gaps')
        key_revoked=not rep.is_hq and keyreg.own_key_status(rep) == "revoked",
        key_replaced_by=keyreg.replaced_here(rep),
        restored=restored_state(rep),
        gap_ranges=tuple(g.to_dict() for g in gaps), gap_items=tuple(gaps),
        forks=tuple(fork_messages(forks)), fork_records=tuple(forks),
        unsent=new + sent, sent_unacknowledged=sent,
        shared_identities=tuple(shared_identity_messages(shared)),
        shared_records=tuple(shared), continued_by=continued_by,
        hq_forks=tuple(hq_forks(rep)) if rep.is_hq else (),
        after_lock=_after_lock(rep, changed_after_lock),
        key_file=key_file.kind if key_file else "",
        key_file_text=key_file.text if key_file else "",
        key_deadline=key_deadline(rep), hq_only=tuple(hq_only))


def _hq_only(rep: Replica, hq: list[str]) -> list[dict[str, Any]]:
    """``SyncState.hq_only``: of this office's other computers (not the replicas this
    one continues), the events after the last one held here that headquarters'
    replicas ``hq`` acknowledge holding."""
    if not hq:
        return []
    offices = keyreg.replica_offices(rep)
    own = keyreg.own_replicas(rep)
    siblings = sorted(r for r, office in offices.items()
                      if office == rep.office and r not in own)
    if not siblings:
        return []
    out = []
    for origin, acked in rep.conn.execute(
            f"SELECT origin, max(seq) FROM acks WHERE peer IN ({','.join('?' * len(hq))}) "
            f"AND origin IN ({','.join('?' * len(siblings))}) GROUP BY origin ORDER BY origin",
            (*hq, *siblings)):
        held = events.last_event(rep.conn, origin)[0]
        if acked > held:
            out.append({"origin": origin, "office": rep.office, "first": held + 1,
                        "last": acked})
    return out


def _after_lock(rep: Replica, changed: Mapping[str, Any] | None) -> tuple[str, ...]:
    """``SyncState.after_lock``: the warnings of ``fieldplan status`` (at an office of
    its own reports, at headquarters of every office's: which to look at before the
    review, or to unlock the period for)."""
    from fieldplan.progress import changed_after_lock
    from fieldplan.status import after_lock_lines

    if changed is None:
        changed = changed_after_lock(rep, office=None if rep.is_hq else rep.office)
    return tuple(after_lock_lines(changed, hq=rep.is_hq))


def open_forks(rep: Replica) -> list[dict[str, Any]]:
    """(HQ) The fork records that stand (``fieldplan.sync.fork``): each replica whose
    history forked, its office (its replica id's start when not known), its first
    differing event and when the fork was found; by office, then replica."""
    from fieldplan.sync.fork import live_forks

    offices = keyreg.replica_offices(rep)
    rows = live_forks(rep)  # (not a revoked computer's: it is set up again instead)
    out = [{"origin": origin, "office": offices.get(origin) or origin[:8], "seq": seq,
            "found_at": found_at} for origin, seq, found_at in rows]
    return sorted(out, key=lambda r: (r["office"], r["origin"]))


def fork_messages(records: list[dict[str, Any]]) -> list[str]:
    """One line per office of ``open_forks``: what forked, and that headquarters'
    next bundle to the office repairs it (so that a person sends one)."""
    from fieldplan.i18n import _, join_clauses, ngettext

    by_office: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_office.setdefault(r["office"], []).append(r)
    out = []
    for office, forked in by_office.items():
        # Translators: inside "ML: a computer's history forked (…)"
        where = join_clauses(_("replica {replica}, from event {seq}").format(
            replica=r["origin"][:8], seq=r["seq"]) for r in forked)
        # Translators: {office} is an office code such as ML; {forked} says which
        # replica and from which event, e.g. "replica 1a2b3c4d, from event 41"
        out.append(ngettext(
            "{office}: a computer's history forked ({forked}); headquarters' next bundle "
            "to {office} repairs it",
            "{office}: computers' histories forked ({forked}); headquarters' next bundle "
            "to {office} repairs them", len(forked)).format(office=office, forked=where))
    return out


def shared_records(rep: Replica) -> list[dict[str, Any]]:
    """(HQ) Each replica whose database is still in use beside the replica that
    continues it (``fork.copies_in_use``: a database and its key file copied to
    another computer): origin, new (the replica continuing it), office, key_id (the
    key of ``origin`` to revoke once its computer is set up again: ``revoke_key``
    then cuts off that replica alone); by office. (A refused bundle alone does not
    tell it from a database that went back: this is known once the copy's receipts
    show it.)"""
    from fieldplan.sync.fork import copies_in_use

    shared = copies_in_use(rep)
    if not shared:
        return []  # (the usual case)
    offices = keyreg.replica_offices(rep)
    keys = keyreg.all_keys(rep)
    out = [{"origin": old, "new": new, "office": offices.get(old) or old[:8],
            "key_id": _latest_key(rep, [k.key_id for k in keys.values()
                                        if k.replica == old and k.source == "registry"])}
           for old, new in shared.items()]
    return sorted(out, key=lambda r: (r["office"], r["origin"]))


def _latest_key(rep: Replica, key_ids: list[str]) -> str:
    """The key registered last of ``key_ids`` (a replica's, after rotations: the one
    its computer signs with), or ""."""
    if len(key_ids) <= 1:
        return key_ids[0] if key_ids else ""
    row = rep.conn.execute(
        "SELECT entity_id FROM events WHERE entity = 'key' AND entity_id IN "
        f"({','.join('?' * len(key_ids))}) GROUP BY entity_id ORDER BY min(hlc) DESC, "
        "entity_id LIMIT 1", key_ids).fetchone()
    return row[0] if row else ""


def shared_identity_messages(records: list[dict[str, Any]]) -> list[str]:
    """One line per record of ``shared_records``: what happened, and what to do."""
    from fieldplan.i18n import _

    # Translators: {office} is an office code such as ML; {replica} and {new} the
    # first 8 digits of replica ids; {key_id} a key id such as 1A2B3C4D5E6F7A8B
    text = _("{office}: two computers write under one identity (replica {replica}, also "
             "continued by replica {new}): a database and its key file were copied to "
             "another computer; their work still arrives, but once the computer still on "
             "replica {replica} has exported, set it up again from its own setup bundle "
             "and export from it once more, then revoke key {key_id} (its old key: only "
             "replica {replica} is cut off)")
    return [text.format(office=r["office"], replica=r["origin"][:8], new=r["new"][:8],
                        key_id=r.get("key_id", ""))
            for r in records]


#: meta key: how many of the events a restore lost (``missing``) a person at HQ said
#: were made again; the warning shows only the ones reported since
LOST_DISMISSED = "restored_lost_dismissed"
#: meta key: up to which event of each replica the restore lost a person at HQ said
#: the changes were made again (JSON: replica → seq), for ``lost_changes``
LOST_DISMISSED_UPTO = "restored_lost_dismissed_upto"
#: meta key: (an office) up to which event of each replica a person said the changes
#: never sent were made again (JSON: replica → seq) while the last bundle's were still
#: not confirmed by headquarters: it ends the warning of those above what that bundle
#: carried only, not the bundle's, which stays until headquarters has them (or says
#: it never had them, and a person ends that warning too: ``LOST_DISMISSED_UPTO``)
UNSENT_DISMISSED_UPTO = "restored_unsent_dismissed_upto"


def restored_state(rep: Replica) -> dict[str, Any] | None:
    """What ``SyncState.restored`` says, or None for a database never restored.
    ``missing``: events of the replicas it continues that peers say they hold and this
    database lacks. At HQ they are ``lost``: offices send their own events only, so
    what HQ wrote after the backup never comes back. (At an office they come back with
    HQ's next bundle, which brings HQ's receipts with them.) ``lost`` leaves out the
    ``dismissed`` ones, which a person said were made again, and the key events the
    restore made again or had no need to (``_keys_done``): nobody makes those again;
    ``lost`` and ``unreported`` leave out too the changes headquarters made again since
    (``rewritten``: it wrote again every field they wrote). ``revoked_again`` and
    ``keys_again``: the key ids whose revocation, registration or retirement the
    restore made again.

    At HQ, which they are: ``lost_changes``, those the replaced database told the
    restore of (``store._lost_here``), each in a few words (replica, seq, at, author,
    entity, id, fields) and ``text``; ``lost_unknown``, the runs of events known here
    by their numbers only (replica, first, last), with the offices that hold them
    (``held_by``) and ``text``."""
    raw = rep.meta("restored")
    if not raw:
        return None
    info = json.loads(raw)
    missing = 0
    runs = []  # (replica, first, last, {peer: seq}) of what this database lacks
    reported: dict[str, int] = {}  # replica → the last of its events a peer holds
    for origin in keyreg.renewed_from(rep):
        held = rep.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                                (origin,)).fetchone()[0] or 0
        peers = dict(rep.conn.execute("SELECT peer, seq FROM acks WHERE origin = ?",
                                      (origin,)).fetchall())
        acked = max(peers.values(), default=0)
        reported[origin] = max(acked, held)
        missing += max(0, acked - held)
        if acked > held:
            runs.append((origin, held + 1, acked, peers))
    state = {"at": info.get("at", ""), "backup_taken": info.get("backup_taken", ""),
             "replica": info.get("replica", ""), "missing": missing, "lost": 0,
             "dismissed": 0, "went_back": info.get("went_back"),
             "forked": info.get("forked")}
    if not rep.is_hq:
        state.update(_never_sent(rep, info))
        return state
    runs = _not_dismissed(rep, runs, min(missing, int(rep.meta(LOST_DISMISSED) or 0)))
    # counted as listed: the marks of a dismissal may reach past what offices had
    # reported then (changes no office had said it holds, made again too)
    lost = sum(last - first + 1 for _o, first, last, _p in runs)
    again = list(info.get("revoked_again") or [])
    done = _keys_done(rep, info)
    changes, unknown = _lost_items(rep, runs, info.get("lost_events") or [], set(again),
                                   done)
    unreported = _unreported(rep, reported, info, done)
    # key events are not made again by people: the restore did, or had nothing to do
    undone = lost - sum(1 for c in changes if c["made_again"])
    state.update(lost=undone, dismissed=missing - lost, lost_changes=changes,
                 lost_unknown=unknown, revoked_again=again,
                 keys_again=list(info.get("keys_again") or []), lost_unreported=unreported,
                 unreported=sum(1 for c in unreported if not c["made_again"]),
                 revoked_lost=revoked_lost(rep, info))
    # a revoked computer's are said there alone, warned of or not (dismissed)
    revoked = revoked_lost(rep)
    state["offices_lost"] = offices_lost(rep, info, revoked)
    # those a person said to stop warning about, while still missing: the review pack
    # still says the figures lack them
    state["offices_lost_dismissed"] = offices_lost(rep, info, revoked,
                                                   key=store.OFFICE_EVENTS_DISMISSED)
    return state


def offices_lost(rep: Replica, info: dict[str, Any],
                 revoked: Iterable[dict[str, Any]] = (), *,
                 key: str = store.OFFICE_EVENTS) -> list[dict[str, Any]]:
    """(HQ, restored) The offices' events the replaced database had received after
    the backup and this database lacks (``info``: the ``restored`` record, its
    ``store.OFFICE_EVENTS``), one dict per office: office, events (how many), replicas,
    bundles (the files that had brought them, as the inbox named them), text. The
    office's receipts said headquarters held them, so its bundles leave them out:
    until they come back, headquarters shows that office's figures without them (an
    office that reported may show as never reported). They come back when the
    bundles are imported again, or when a bundle of headquarters (its receipts say
    what it holds now) reaches the office and the office exports again; each office
    leaves the list once this database holds them all again. Not those of a revoked
    computer (``revoked``: ``revoked_lost``'s, which says how they come back).
    ``key``: ``store.OFFICE_EVENTS_DISMISSED`` for those a person said to stop
    warning about (``dismiss_offices_lost``)."""
    from fieldplan.status import offices_lost_text

    gone = {item["replica"] for item in revoked}
    by_office: dict[str, dict[str, Any]] = {}
    kept = info.get(key)
    if not isinstance(kept, dict):
        return []
    offices = keyreg.replica_offices(rep)
    for origin, item in sorted(kept.items()):
        if origin in gone or not isinstance(item, dict):
            continue
        upto, held = item.get("upto"), item.get("held")
        if type(upto) is not int or type(held) is not int:
            continue
        # (of the events the replaced database held: those numbered in its ranges,
        # wherever its gaps were; a record without ranges counts up to ``upto``)
        have, held = store.held_of(rep.conn, origin, item), store.item_size(item)
        if have >= held:
            continue  # back (or never lost)
        office = str(item.get("office") or offices.get(origin) or origin[:8])
        entry = by_office.setdefault(office, {"office": office, "events": 0,
                                              "replicas": [], "bundles": []})
        entry["events"] += held - have
        entry["replicas"].append(origin)
        files = item.get("bundles")
        entry["bundles"] += [f for f in files if isinstance(f, str)
                             and f not in entry["bundles"]] if isinstance(files, list) else []
    out = [by_office[office] for office in sorted(by_office)]
    for entry in out:
        entry["text"] = offices_lost_text(entry)
    return out


def revoked_lost(rep: Replica, info: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """(HQ, restored) The events of computers it revoked that headquarters held when
    it revoked them and this database lacks (a backup older than the revocation):
    no office sends them again, but the revoked computer's last bundle, imported
    again, brings them back (``keyreg.held_only``). One dict per replica: key_id,
    office, replica, events (how many), upto (the last of them), text. Not those a
    person said to stop warning about (``info``: the ``restored`` record, its
    ``store.REVOKED_LOST_DISMISSED``; ``dismiss_revoked_lost``): that computer may
    never be found again."""
    from fieldplan.status import revoked_lost_text

    dismissed = (info or {}).get(store.REVOKED_LOST_DISMISSED)
    dismissed = dismissed if isinstance(dismissed, dict) else {}
    keys = keyreg.all_keys(rep)
    out = []
    for key_id, held in sorted(keyreg.revoked_held(rep).items()):
        office = keys[key_id].office if key_id in keys else ""
        for replica, (seq, _hash) in sorted(held.items()):
            upto = (dismissed.get(replica) or {}).get("upto")
            if type(upto) is int and upto >= seq:
                continue
            have = rep.conn.execute("SELECT count(*) FROM events WHERE origin = ? AND "
                                    "seq <= ?", (replica, seq)).fetchone()[0]
            if have < seq:
                item = {"key_id": key_id, "office": office, "replica": replica,
                        "events": seq - have, "upto": seq}
                out.append({**item, "text": revoked_lost_text(item)})
    return out


def to_make_again(restored: dict[str, Any] | None) -> int:
    """How many changes a restore lost that a person has to make again: (HQ) those
    offices hold and those no office has reported; (an office) those made after the
    backup and never sent, or sent in a bundle headquarters never received
    (``restored_state``)."""
    restored = restored or {}
    return (restored.get("lost", 0) + restored.get("unreported", 0)
            + restored.get("never_sent", 0) + restored.get("not_received", 0))


def _never_sent(rep: Replica, info: dict[str, Any]) -> dict[str, Any]:
    """(an office) What a restore lost: the changes this computer made after the
    backup that headquarters never had (``store._written_here``: how far it wrote,
    exported, and headquarters acknowledged), less those a person said were made
    again (``dismiss_lost``) and those this database holds or headquarters
    acknowledged since.

    ``never_sent``: how many no bundle carried: lost for good; ``lost_changes``: those
    the replaced file told the restore of (``store._lost_here``), in a few words with
    ``text``. Those a bundle carried that headquarters had not acknowledged are safe
    only once it does: ``unconfirmed``, how many, while headquarters has not answered
    since the restore (``_hq_answered``); ``not_received``, how many, once it has and
    its receipts still lack them (the bundle never reached it: to import there again,
    or the changes to make again); ``sent_changes``, which, as ``lost_changes``;
    ``bundle``, the file name of the last bundle exported, which carried them ("" when
    not known)."""
    written = info.get("written") or {}
    sent = info.get("sent") or {}
    # (a restore by fieldplan 0.1 kept no word of what headquarters had acknowledged,
    # and its "sent" holds those acknowledgements too: what it exported is taken as
    # received, as that version did, rather than said unconfirmed when it was not)
    acked_then = (info.get("acked") or {}) if "acked" in info else sent
    upto = json.loads(rep.meta(LOST_DISMISSED_UPTO) or "null") or {}
    unsent_upto = json.loads(rep.meta(UNSENT_DISMISSED_UPTO) or "null") or {}
    kept = info.get("lost_events") or []
    count = shipped_count = 0
    changes: list[dict[str, Any]] = []
    shipped: list[dict[str, Any]] = []

    def known(origin: str, first: int, last: int) -> list[dict[str, Any]]:
        return [{**item, "text": lost_change_text(item), "made_again": False}
                for item in kept if item.get("replica") == origin
                and isinstance(item.get("seq"), int) and first < item["seq"] <= last]

    for origin, last in written.items():
        held = rep.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                                (origin,)).fetchone()[0] or 0
        acked = rep.conn.execute("SELECT max(seq) FROM acks WHERE origin = ?",
                                 (origin,)).fetchone()[0] or 0
        safe = max(held, acked, int(upto.get(origin, 0)))
        # exported is not received: what headquarters had not acknowledged is safe
        # once it does (the bundle may have been lost on its way)
        carried = min(last, int(sent.get(origin, 0)))
        first = max(safe, int(acked_then.get(origin, 0)))
        if carried > first:
            shipped_count += carried - first
            shipped += known(origin, first, carried)
        since = max(safe, carried, int(unsent_upto.get(origin, 0)))
        if last > since:
            count += last - since
            changes += known(origin, since, last)
    order = list(written)
    changes.sort(key=lambda item: (order.index(item["replica"]), item["seq"]))
    shipped.sort(key=lambda item: (order.index(item["replica"]), item["seq"]))
    answered = bool(shipped_count) and _hq_answered(rep, info)
    return {"never_sent": count, "lost_changes": changes,
            "unconfirmed": 0 if answered else shipped_count,
            "not_received": shipped_count if answered else 0,
            "sent_changes": shipped, "bundle": str(info.get("bundle") or "")}


def _hq_answered(rep: Replica, info: dict[str, Any]) -> bool:
    """Whether headquarters answered since the restore (``info``: the ``restored``
    record): its receipts then say what it holds of what was sent before. When the
    restore knew when the last bundle was exported (``bundle_at``), only a bundle
    headquarters wrote after it answers (``note_hq_bundle``): one written before
    the export reached headquarters, merged here after the restore, knows nothing
    of it (the export may still be in the mail). Else (a restore of an earlier
    fieldplan, no export time kept) any headquarters bundle merged since the restore;
    (earlier still, no word of the inbox) imported after the second it was made."""
    if info.get("bundle_at"):
        return bool(info.get("answered"))
    if "inbox" in info:
        where, arg = "id > ?", info["inbox"]
    else:
        where, arg = "received_at > ?", info.get("at", "")
    return rep.conn.execute(
        f"SELECT 1 FROM inbox WHERE office = 'HQ' AND outcome = 'merged' AND {where} "
        "LIMIT 1", (arg,)).fetchone() is not None


def note_hq_bundle(rep: Replica, created: str, inbox_id: int) -> None:
    """(an office, inside the import's transaction) A bundle of headquarters written
    at ``created`` (its manifest's time, by headquarters' clock) was merged as inbox
    line ``inbox_id``: once the last restore's export time (``bundle_at``, by this
    computer's clock) is before it, headquarters has answered (``_hq_answered``).
    Two clocks: one later (or the same second) is not an answer; headquarters' clock
    behind this computer's keeps the export "unconfirmed" until a later bundle of
    it, never a false "never received"; only one ahead by more than the time
    between them can take an earlier bundle for an answer."""
    raw = rep.meta("restored")
    if rep.is_hq or not raw:
        return
    info = json.loads(raw)
    at = info.get("bundle_at")
    # (both utc_iso's form: they compare as text)
    if not isinstance(at, str) or not at or info.get("answered") or not created > at:
        return
    info["answered"] = inbox_id
    events.set_meta(rep.conn, "restored", events.canonical_json(info))


def _revoked_again(item: dict[str, Any], revoked_again: set[str]) -> bool:
    """Whether ``item`` is a revocation the restore made again."""
    return (item.get("entity") == "key" and item.get("id") in revoked_again
            and (item.get("fields") or {}).get("status") == "revoked")


def _keys_done(rep: Replica, info: dict[str, Any]) -> dict[str, str]:
    """(HQ) Key id → what became of the lost key events of it that a restore was told
    of (``lost_events``): ``again``, the restore made them again (a revocation, an
    office's registration or retirement: ``keys.renew_in_transaction``); ``own``, a key
    of headquarters' own (a rotation since the backup), which nobody makes again: the
    restore gave headquarters a new key. Nothing for a person to do for either."""
    mine = keyreg.own_replicas(rep)
    kept = [item for item in info.get("lost_events") or [] if item.get("entity") == "key"]
    own = keyreg.own_key_ids(rep) | {item.get("id") for item in kept
                                     if (item.get("fields") or {}).get("replica") in mine}
    done = dict.fromkeys((k for k in own if isinstance(k, str)), "own")
    done.update(dict.fromkeys([*info.get("revoked_again", ()),
                               *info.get("keys_again", ())], "again"))
    return done


def _key_done(item: dict[str, Any], done: dict[str, str]) -> str:
    """``_keys_done``'s word for a lost change of a key, else ""."""
    return done.get(str(item.get("id")), "") if item.get("entity") == "key" else ""


def _unreported(rep: Replica, reported: dict[str, int],
                info: dict[str, Any], done: dict[str, str]) -> list[dict[str, Any]]:
    """The changes the replaced database told the restore of that no office has said
    it holds: perhaps never sent, so no office will ever report them (a lock made just
    before the disk failed), and not dismissed. A key event is not among them
    (``_keys_done``): nothing is left to do."""
    upto = json.loads(rep.meta(LOST_DISMISSED_UPTO) or "null") or {}
    out = []
    for item in info.get("lost_events") or []:
        origin, seq = item.get("replica"), item.get("seq")
        if not isinstance(seq, int) or origin not in reported:
            continue
        if seq <= max(reported[origin], int(upto.get(origin, 0))):
            continue
        if _key_done(item, done):
            continue
        text, again = lost_change_text(item), rewritten(rep, item)
        out.append({**item, "text": made_again_text(text) if again else text,
                    "made_again": again})
    return out


def rewritten(rep: Replica, item: dict[str, Any]) -> bool:
    """(HQ) Whether headquarters wrote again, since the restore, every field a lost
    change of a record wrote (``item``: one of ``lost_events``): its writes replace the
    lost versions (``over_lost``), here and at the offices that hold them, so nothing is
    left to make again. A later write of that field by the lost change's replica counts
    too: it replaced that change when it was made. Not a key's (``_keys_done``)."""
    entity, entity_id = item.get("entity"), item.get("id")
    origin, seq = item.get("replica"), item.get("seq")
    wrote = item.get("wrote")
    # (an older summary says no more than some of its values: not known, not counted)
    if entity == "key" or not isinstance(wrote, list) or not wrote or type(seq) is not int:
        return False
    return all(_written_over(rep, entity, entity_id, field, origin, seq) for field in wrote)


def _written_over(rep: Replica, entity: str, entity_id: str, field: str, origin: str,
                  seq: int) -> bool:
    """Whether a write held here replaces ``field`` of one record as event ``seq`` of
    ``origin`` wrote it, or as a later event of that replica did (which replaced it)."""
    return rep.conn.execute(
        "SELECT 1 FROM supersedes WHERE entity = ? AND entity_id = ? AND field = ? "
        "AND target_origin = ? AND target_seq >= ? LIMIT 1",
        (entity, entity_id, field, origin, seq)).fetchone() is not None


def made_again_text(change: str) -> str:
    """A lost change headquarters made again since the restore (``rewritten``), said."""
    from fieldplan.i18n import _

    # Translators: {change} is e.g. "period 2026-S1 locked (3 Mar 2026, 09:30, by amina)"
    return _("{change}: made again since the restore").format(change=change)


def _not_dismissed(rep: Replica, runs: list, dismissed: int) -> list:
    """The runs of lost events, less those a person said were made again: up to the
    marks ``dismiss_lost`` kept (before it kept them, only a count: the first ones)."""
    upto = json.loads(rep.meta(LOST_DISMISSED_UPTO) or "null")
    out = []
    for origin, first, last, peers in runs:
        if upto is not None:
            first = max(first, int(upto.get(origin, 0)) + 1)
        elif dismissed:
            skip = min(dismissed, last - first + 1)
            first, dismissed = first + skip, dismissed - skip
        if first <= last:
            out.append((origin, first, last, peers))
    return out


def _lost_items(rep: Replica, runs: list, kept: list[dict[str, Any]],
                revoked_again: set[str], done: dict[str, str]
                ) -> tuple[list[dict], list[dict]]:
    """(lost_changes, lost_unknown) of ``restored_state``, in the order the events
    were written. A revocation the restore made again (``revoked_again``: key ids),
    and any other key event it made again or had no need to (``_keys_done``), says
    so, and ``made_again`` is true."""
    from fieldplan.i18n import _

    known = {(item.get("replica"), item.get("seq")): item for item in kept}
    offices = keyreg.replica_offices(rep)
    changes: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for origin, first, last, peers in runs:
        seqs = sorted(seq for replica, seq in known
                      if replica == origin and isinstance(seq, int) and first <= seq <= last)
        start = first
        for seq in [*seqs, last + 1]:  # each known one, and the run before it
            if seq > start:
                unknown += _unknown_runs(origin, start, seq - 1, peers, offices)
            if seq <= last:
                item = known[(origin, seq)]
                again = _revoked_again(item, revoked_again)
                how = _key_done(item, done)
                text = lost_change_text(item)
                if again:
                    # Translators: {change} is e.g. "key 1A2B… revoked (3 Mar 2026, …)"
                    text = _("{change}: revoked again when this database was restored"
                             ).format(change=text)
                elif how == "again":
                    # Translators: {change} is e.g. "key 1A2B… of SN registered (3 Mar
                    # 2026, …)"
                    text = _("{change}: made again when this database was restored"
                             ).format(change=text)
                elif how == "own":
                    # Translators: {change} is e.g. "key 1A2B… of HQ registered (3 Mar
                    # 2026, …)"
                    text = _("{change}: headquarters' own key, nothing to do (this "
                             "database took a new key when it was restored)"
                             ).format(change=text)
                elif rewritten(rep, item):
                    how, text = "again", made_again_text(text)
                again = again or bool(how)
                changes.append({**item, "text": text, "made_again": again})
            start = seq + 1
    return changes, unknown


def _unknown_runs(origin: str, first: int, last: int, peers: dict[str, int],
                  offices: dict[str, str]) -> list[dict[str, Any]]:
    """Lost events first…last, known by their numbers only, cut where an office's word
    ends: each run with the offices that hold all of it."""
    ends = sorted({seq for seq in peers.values() if first <= seq < last} | {last})
    out = []
    for end in ends:
        held_by = sorted({offices.get(peer, "?") for peer, upto in peers.items()
                          if upto >= end})
        out.append({"replica": origin, "first": first, "last": end, "held_by": held_by,
                    "text": lost_unknown_text(origin, first, end, held_by)})
        first = end + 1
    return out


def lost_change_text(item: dict[str, Any]) -> str:
    """A change a restore lost, in words: "period 2026-S1 locked (3 Mar 2026, 09:30:00,
    by amina)"."""
    from fieldplan.i18n import _, format_datetime

    what = change_words(item.get("entity", ""), item.get("id", ""), item.get("fields") or {})
    try:
        when = format_datetime(item.get("at", ""))
    except (ValueError, TypeError):
        when = str(item.get("at", ""))
    if item.get("author"):
        # Translators: {change} is e.g. "period 2026-S1 locked"; {author} a login name
        return _("{change} ({when}, by {author})").format(change=what, when=when,
                                                          author=item["author"])
    return _("{change} ({when})").format(change=what, when=when)


def change_words(entity: str, entity_id: str, fields: dict[str, Any]) -> str:
    """What a change did, in a few words."""
    from fieldplan.i18n import _

    if entity == "lock":
        period = entity_id  # the code, as 'fieldplan period lock' takes it
        if fields.get("locked") is False:
            return _("period {period} unlocked").format(period=period)
        return _("period {period} locked").format(period=period)
    if entity == "plan":
        if fields.get("version") is not None:
            return _("plan changed (version {version})").format(version=fields["version"])
        return _("plan changed")
    if entity == "key":
        key = entity_id
        if fields.get("office") == "HQ":  # (no "bureau HQ" in French)
            return _("headquarters' key {key_id} registered").format(key_id=key)
        if "office" in fields:  # a registration
            return _("key {key_id} of {office} registered").format(key_id=key,
                                                                  office=fields["office"])
        if fields.get("status") == "revoked":
            return _("key {key_id} revoked").format(key_id=key)
        if fields.get("status") == "retired":
            return _("key {key_id} retired").format(key_id=key)
        return _("key {key_id} changed").format(key_id=key)
    if entity == "progress":
        from fieldplan.i18n import period_words

        office, _sep, rest = entity_id.partition("|")
        action, _sep, period = rest.partition("|")
        # the period in words, as the lines beside it ("PA1.1 (1st semester 2026)")
        # and the client's period chooser say it: a change to make again after a
        # restore was the one place that said "2026-S1"
        if office == "HQ":  # (its own, on a global action: no "bureau HQ" in French)
            # Translators: {period} is a semester in words, "1st semester 2026"
            return _("headquarters' report on {action} for {period} changed").format(
                action=action, period=period_words(period))
        # Translators: {period} is a semester in words, "1st semester 2026"
        return _("{office}'s report on {action} for {period} changed").format(
            office=office, action=action, period=period_words(period))
    return _("{record} {id} changed").format(record=entity, id=entity_id)


def lost_unknown_text(replica: str, first: int, last: int, held_by: list[str]) -> str:
    """Lost events known here by their numbers only, and where to see them."""
    from fieldplan.i18n import _, join_list

    offices = join_list(held_by)
    if first == last:  # not "events 7–7"
        # Translators: {offices} are office codes, "ML, SN"; what they hold is not
        # known here: the person compares what those offices show with this computer
        return _("event {first} of replica {replica}, not known on this computer: held by "
                 "{offices} (compare the plan, locked periods, keys and headquarters' "
                 "reports they show with this computer's)").format(
                     first=first, replica=replica[:8], offices=offices)
    # Translators: as "event {first} of replica {replica}, …", for several events
    return _("events {first}–{last} of replica {replica}, not known on this computer: held "
             "by {offices} (compare the plan, locked periods, keys and headquarters' "
             "reports they show with this computer's)").format(
                 first=first, last=last, replica=replica[:8], offices=offices)


def lost_versions(rep: Replica, entity: str, entity_id: str,
                  field: str | None = None) -> list[str]:
    """(HQ) The version ids (``origin:seq``) of the changes of one record that a
    restore lost (the replaced database's ``lost_events``, ``store._lost_here``), of
    ``field`` when given (what each wrote: ``wrote``, else, from an older fieldplan,
    every field), newest first: only those an earlier replica of this computer wrote
    and this database does not hold. Offices may hold them, and never send them back."""
    if not rep.is_hq:
        return []
    rows = rep.conn.execute(
        "SELECT json_extract(j.value, '$.replica'), json_extract(j.value, '$.seq'), "
        "json_extract(j.value, '$.at'), json_extract(j.value, '$.wrote') "
        "FROM meta AS m, json_each(m.value, '$.lost_events') AS j "
        "WHERE m.key = 'restored' AND json_extract(j.value, '$.entity') = ? "
        "AND json_extract(j.value, '$.id') = ?", (entity, entity_id)).fetchall()
    mine = set(keyreg.renewed_from(rep))
    found = []
    for origin, seq, at, wrote in rows:
        if origin not in mine or type(seq) is not int:
            continue
        if field is not None and wrote is not None:
            try:
                if field not in json.loads(wrote):
                    continue
            except (ValueError, TypeError):
                pass
        if rep.conn.execute("SELECT 1 FROM events WHERE origin = ? AND seq = ?",
                            (origin, seq)).fetchone() is None:
            found.append((str(at or ""), seq, f"{origin}:{seq}"))
    found.sort(reverse=True)  # (by time, then within a replica by its order)
    return list(dict.fromkeys(version for _at, _seq, version in found))


def lost_differs(rep: Replica, entity: str, entity_id: str, field: str, value: Any) -> bool:
    """(HQ) Whether offices may show ``field`` of one record otherwise than ``value``
    (what this database shows) because of a change a restore lost: the newest of its
    lost versions (``lost_versions``) that nothing written here since replaces says
    another value, or a value its summary did not keep. A lock lost with the backup
    leaves offices locked while headquarters shows the period unlocked: unlocking it
    then is a write, not nothing to do."""
    for version in lost_versions(rep, entity, entity_id, field):
        origin, _sep, seq = version.rpartition(":")
        if _written_over(rep, entity, entity_id, field, origin, int(seq)):
            return False  # written over since: offices show that write
        row = rep.conn.execute(
            "SELECT json_extract(j.value, '$.fields') FROM meta AS m, "
            "json_each(m.value, '$.lost_events') AS j WHERE m.key = 'restored' "
            "AND json_extract(j.value, '$.replica') = ? AND json_extract(j.value, '$.seq') = ?",
            (origin, int(seq))).fetchone()
        try:
            fields = json.loads(row[0]) if row and row[0] else {}
        except (TypeError, ValueError):
            fields = {}
        return not isinstance(fields, dict) or field not in fields or fields[field] != value
    return False


def lost_lock_periods(rep: Replica) -> list[str]:
    """(HQ, restored) The periods offices may hold locked or unlocked otherwise than
    this database shows them: a lock or unlock of them was lost (``lost_differs``)."""
    if not rep.is_hq or not rep.meta("restored"):
        return []
    from fieldplan.progress import is_locked

    periods = [p for (p,) in rep.conn.execute(
        "SELECT DISTINCT json_extract(j.value, '$.id') FROM meta AS m, "
        "json_each(m.value, '$.lost_events') AS j WHERE m.key = 'restored' "
        "AND json_extract(j.value, '$.entity') = 'lock'") if isinstance(p, str)]
    return sorted(p for p in periods
                  if lost_differs(rep, "lock", p, "locked", is_locked(rep, p)))


def over_lost(rep: Replica, entity: str, entity_id: str, fields: Iterable[str],
              base: Mapping[str, Sequence[str]] | None = None
              ) -> dict[str, list[str]] | None:
    """The base of a write of ``fields`` of one record (``events.append``'s: field →
    the version ids it replaces; None: those shown here), with the versions of that
    field a restore lost (``lost_versions``) added to each field's, newest first.
    Headquarters wrote those after the backup and offices hold them: a write over the
    value shown here, which would have replaced them, replaces them there too, instead
    of standing beside them as a conflict that only headquarters could settle and it
    never sees. (The newest of a replica is enough: it replaced its earlier ones.)
    ``base`` unchanged (None stays None) where there is nothing lost."""
    fields = list(fields)
    if not rep.is_hq or rep.meta("restored") is None:
        # nothing a restore lost (``lost_versions`` reads the restore's record): one
        # look-up, not two for each field (HQ registers a key at most first bundles)
        return None if base is None else {k: list(v) for k, v in base.items()}
    lost = {field: lost_versions(rep, entity, entity_id, field) for field in fields}
    if not any(lost.values()):
        return None if base is None else {k: list(v) for k, v in base.items()}
    if base is None:  # (as events.append would take it)
        shown = events.shown_versions(rep.conn, entity, entity_id)
        base = {field: ids for field, (_value, ids) in shown.items() if field in fields}
    out = {k: list(v) for k, v in base.items()}
    for field in fields:
        # (more than one event replaces: a chain of events, events.append_chain)
        out[field] = list(dict.fromkeys([*out.get(field, ()), *lost[field]]))
    return out


#: the warnings of a restore a person ends, each by its own choice: ``dismiss_lost``,
#: ``dismiss_offices_lost``, ``dismiss_revoked_lost``
LOST_KINDS = store.LOST_KINDS


@dataclass(frozen=True)
class Dismissed:
    """The warnings of a restore ``dismiss_restore_warnings`` ended."""

    #: the kinds a person chose (of ``LOST_KINDS``)
    kinds: tuple[str, ...]
    #: how many lost changes, made again, are no longer warned of (``dismiss_lost``)
    own: int = 0
    #: (HQ) the offices' lost events no longer warned of (``offices_lost``'s items)
    offices: tuple[dict[str, Any], ...] = ()
    #: (HQ) the revoked computers' lost events no longer warned of (``revoked_lost``'s)
    revoked: tuple[dict[str, Any], ...] = ()


def dismiss_restore_warnings(rep: Replica, kinds: Iterable[str] = LOST_KINDS) -> Dismissed:
    """Stop the warnings of a restore of the ``kinds`` a person chose (of
    ``LOST_KINDS``), in one transaction: all of them end, or none. At an office only
    ``own`` has any. Each kind ends as its own function says (``dismiss_lost``,
    ``dismiss_offices_lost``, ``dismiss_revoked_lost``)."""
    kinds = set(kinds)
    if kinds - set(LOST_KINDS):
        raise ValueError(f"unknown restore warnings: {sorted(kinds - set(LOST_KINDS))}")
    chosen = tuple(kind for kind in LOST_KINDS if kind in kinds)
    with store.write_transaction(rep.conn):
        own = _dismiss_lost(rep) if "own" in chosen else 0
        offices = _dismiss_offices_lost(rep) if "offices" in chosen and rep.is_hq else []
        revoked = _dismiss_revoked_lost(rep) if "revoked" in chosen and rep.is_hq else []
    return Dismissed(chosen, own, tuple(offices), tuple(revoked))


def dismiss_offices_lost(rep: Replica) -> list[dict[str, Any]]:
    """(HQ) Stop warning about the offices' events a restore lost (``offices_lost``):
    a person knows they may never come back (the office's computer was lost with
    them). Each moves, in the ``restored`` record, to ``store.OFFICE_EVENTS_DISMISSED``
    with when and by whom (``dismissed_at``, ``dismissed_by``): the review pack still
    says the office's figures lack them, and a later restore does not warn of them
    again. Those that come back are counted back as ever. Returns the warnings this
    ended (``offices_lost``'s items; [] when there was none)."""
    with store.write_transaction(rep.conn):
        return _dismiss_offices_lost(rep)


def _dismiss_offices_lost(rep: Replica) -> list[dict[str, Any]]:
    state = restored_state(rep) or {}
    lost = state.get("offices_lost") or []
    if not lost:
        return []
    info = json.loads(rep.meta("restored") or "{}")
    kept = info.get(store.OFFICE_EVENTS) or {}
    dismissed = info.get(store.OFFICE_EVENTS_DISMISSED) or {}
    when = {"dismissed_at": events.utc_iso(), "dismissed_by": rep.author}
    for entry in lost:
        for origin in entry["replicas"]:
            if origin in kept:
                dismissed[origin] = {**kept.pop(origin), **when}
    info[store.OFFICE_EVENTS] = kept
    info[store.OFFICE_EVENTS_DISMISSED] = dismissed
    events.set_meta(rep.conn, "restored", events.canonical_json(info))
    return lost


def dismiss_revoked_lost(rep: Replica) -> list[dict[str, Any]]:
    """(HQ) Stop warning about the events of revoked computers a restore lost
    (``revoked_lost``): a person knows the computer's bundles will never be found (it
    was stolen, its disk lost). Each is recorded, in the ``restored`` record, in
    ``store.REVOKED_LOST_DISMISSED`` with how far it goes and when and by whom
    (``dismissed_at``, ``dismissed_by``): a later restore does not warn of them again.
    The computer's bundle, imported again, still brings them back. Returns the
    warnings this ended (``revoked_lost``'s items; [] when there was none)."""
    with store.write_transaction(rep.conn):
        return _dismiss_revoked_lost(rep)


def _dismiss_revoked_lost(rep: Replica) -> list[dict[str, Any]]:
    state = restored_state(rep) or {}
    lost = state.get("revoked_lost") or []
    if not lost:
        return []
    info = json.loads(rep.meta("restored") or "{}")
    dismissed = info.get(store.REVOKED_LOST_DISMISSED) or {}
    when = {"dismissed_at": events.utc_iso(), "dismissed_by": rep.author}
    for item in lost:
        dismissed[item["replica"]] = {"key_id": item["key_id"], "office": item["office"],
                                      "upto": item["upto"], **when}
    info[store.REVOKED_LOST_DISMISSED] = dismissed
    events.set_meta(rep.conn, "restored", events.canonical_json(info))
    return lost


def dismiss_lost(rep: Replica) -> int:
    """A person made again the changes a restore lost: stop warning about them. (HQ)
    The ones reported so far (offices may still report more, which are warned about);
    (an office) those it made after the backup and never sent, or sent in a bundle
    headquarters never received: not those of a bundle headquarters has not
    answered yet (``unconfirmed``), which are safe if it has them. Returns how many
    warnings this ended (0 when there was none)."""
    with store.write_transaction(rep.conn):
        return _dismiss_lost(rep)


def _dismiss_lost(rep: Replica) -> int:
    state = restored_state(rep)
    if not to_make_again(state):
        return 0
    if not rep.is_hq:
        info = json.loads(rep.meta("restored") or "{}")
        # a mark in LOST_DISMISSED_UPTO covers the bundle's changes too, below the
        # never-sent ones: while headquarters may still have them, only the
        # never-sent ones are marked, so that its receipts can still say the
        # bundle never came
        key = UNSENT_DISMISSED_UPTO if state.get("unconfirmed") else LOST_DISMISSED_UPTO
        upto = json.loads(rep.meta(key) or "null") or {}
        for origin, seq in (info.get("written") or {}).items():
            upto[origin] = max(int(upto.get(origin, 0)), seq)
        events.set_meta(rep.conn, key, events.canonical_json(upto))
        return to_make_again(state)
    events.set_meta(rep.conn, LOST_DISMISSED, str(state["missing"]))
    upto = {origin: seq for origin, seq in rep.conn.execute(
        "SELECT origin, max(seq) FROM acks WHERE origin IN "
        f"({','.join('?' * len(keyreg.renewed_from(rep)))}) GROUP BY origin",
        keyreg.renewed_from(rep))}
    for item in state.get("lost_unreported", ()):  # made again too
        upto[item["replica"]] = max(upto.get(item["replica"], 0), item["seq"])
    events.set_meta(rep.conn, LOST_DISMISSED_UPTO, events.canonical_json(upto))
    return to_make_again(state)
