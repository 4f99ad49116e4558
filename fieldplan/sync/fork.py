"""A forked office history, repaired instead of refused for ever.

An office computer's database can go back to an older copy (its ``-wal`` lost after
a crash, a copy made while fieldplan had it open) before any receipt from
headquarters tells it that headquarters holds more of its events (when one does,
``fieldplan.replica._mark_if_gone_back`` acts). It then writes new events under
numbers headquarters holds already, with other content, and headquarters refuses its
bundle (``events.store_events``: ForkedHistoryError).

Headquarters records the fork (table ``forks``: the replica and its first differing
event) and, while the record stands, its bundles for that office carry the replica's
events from there on, whatever the office's receipts say. The office importing one
takes its own events from there out of its log, goes on as a new replica (the work
of ``keys.renew_identity``, so headquarters takes it through the endorsement chain as
after a restore), merges headquarters' copies (what it had lost) and writes its own
again under the new replica, over what they were written over: where a copy and one
of its own write the same field, that is a conflict (the later shows, the other is
kept until a person chooses), as for any two computers that did not see each other's
write. The copies may be another computer's, the database copied to it. All inside
the import's one transaction: a failure anywhere leaves the database as it was, and
the new key file is moved in place only after the commit (``keys.StagedKey``).

A fork headquarters cannot see in the events it is given is found from the receipts:
each carries the hash of the event it names (manifest ``ack_hashes``). An office
whose own event at that number has another hash (it went back and wrote as many
events as it lost, or more), or whose receipts say headquarters holds more than it
does (``replica._mark_if_gone_back``: events written after going back may differ),
sends that replica's events from 1 again (meta ``resend_own``) until a receipt's hash
matches: headquarters then meets the differing events and records the fork. A
bundle whose first event of a run does not follow the held one is a fork too: at
headquarters, for the sending computer's own replicas (``ChainFork``, recorded from
1: the office's repair finds the first differing event by comparing); at the
office, for its own replicas in headquarters' bundle (``OwnChainBroken``: refused,
and the replica sent from 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldplan import events, minisign, store
from fieldplan.errors import BundleError, ForkedHistoryError
from fieldplan.i18n import N_, _, join_clauses, join_list, ngettext
from fieldplan.replica import RESEND_OWN, Replica, pending_key_path, receipt_limit
from fieldplan.sync import keys as keyreg

# --- headquarters -------------------------------------------------------------------


def computer_replicas(rep: Replica, sender: str) -> set[str]:
    """The replicas whose events a bundle of ``sender`` may carry: it and those it
    continues after restores."""
    return {sender} | keyreg.predecessors(keyreg.all_keys(rep), sender)


#: Why headquarters refuses a forked history (``hq_refusal``); the inbox keeps the
#: message id with the reason, by which ``repaired_refusals`` finds these refusals.
# Translators: one line; {office} is an office code such as ML
REFUSAL = N_("event {seq} of replica {replica} differs from the one already held: this "
             "computer of {office} went on from an older copy of its database (forked "
             "history); headquarters' next bundle to {office} repairs it once imported "
             "there, then {office} exports again")
#: The same when the bundle's run does not follow the event held before it (ChainFork).
# Translators: one line; {office} is an office code such as ML
CHAIN_REFUSAL = N_("event {seq} of replica {replica} does not follow event {previous} held "
                   "here: this computer of {office} went on from an older copy of its "
                   "database (forked history); headquarters' next bundle to {office} "
                   "repairs it once imported there, then {office} exports again")


class ChainFork(ForkedHistoryError):
    """(HQ) A run of the sending computer's own replica whose first event does not
    follow the one held before it: the histories part somewhere before, at 1 at the
    earliest (``at``: the bundle's event)."""

    def __init__(self, message: str, origin: str, at: int) -> None:
        super().__init__(message, {origin: 1})
        self.at = at


def hq_refusal(rep: Replica, m: Mapping[str, Any], exc: ForkedHistoryError) -> str:
    """(HQ) The reason to give for a bundle refused as a forked history of the office
    computer that sent it (it will be repaired), or "" for any other fork (refused
    as before)."""
    office = m.get("office")
    # the merge let in no other replica's events than the sending computer's (its
    # own, those it continues): a replica of that office is one of them (a new key,
    # and the restore it proves, were rolled back with the refused import)
    offices = keyreg.replica_offices(rep)
    if not rep.is_hq or office == "HQ" or any(offices.get(o) != office for o in exc.forks):
        return ""
    if isinstance(exc, ChainFork):
        return _(CHAIN_REFUSAL).format(seq=exc.at, previous=exc.at - 1,
                                       replica=exc.origin[:8], office=office)
    return _(REFUSAL).format(seq=exc.seq, replica=exc.origin[:8], office=office)


# Translators: one line; what an office says of a bundle of headquarters it refuses
HQ_FORKED_REFUSAL = N_("headquarters' replica {replica} does not match what this office "
                       "holds of it (event {seq}): headquarters' database went back to an "
                       "older copy (forked history); nothing is wrong at this office: "
                       "tell headquarters")


def hq_forked_text(origin: str, seq: int) -> str:
    """(office) Why headquarters' bundle is refused when its own history forked."""
    return _(HQ_FORKED_REFUSAL).format(replica=origin[:8], seq=seq)


def office_refusal(rep: Replica, m: Mapping[str, Any], exc: ForkedHistoryError) -> str:
    """(office) The reason to give for headquarters' bundle refused as a forked history
    of headquarters' own replicas (its database went back and wrote on), or "" for any
    other fork: the advice for an office computer is not for this one."""
    if rep.is_hq or m.get("office") != "HQ":
        return ""
    offices = keyreg.replica_offices(rep)
    if any(offices.get(o) != "HQ" for o in exc.forks):
        return ""
    return hq_forked_text(exc.origin, exc.seq)


def record_forks(rep: Replica, forks: Mapping[str, int]) -> None:
    """(HQ, inside a write transaction) Keep each replica's first differing event,
    the smallest seen."""
    rep.conn.executemany(
        "INSERT INTO forks (origin, seq, found_at) VALUES (?, ?, ?) ON CONFLICT (origin) "
        "DO UPDATE SET seq = min(seq, excluded.seq)",
        [(origin, seq, events.utc_iso()) for origin, seq in sorted(forks.items())])


def held_forks(rep: Replica) -> dict[str, int]:
    """(HQ) Replica → the first of its events to send again from (``record_forks``).
    Not of a replica a revocation cut off since (``live_forks``)."""
    return {origin: seq for origin, seq, _found in live_forks(rep)}


def live_forks(rep: Replica) -> list[tuple[str, int, str]]:
    """(HQ) The fork records (origin, seq, found_at) of the replicas no revocation cut
    off: a revoked computer is set up again, and its bundles, a repaired one's too,
    are refused for good. Its record stood for ever: status said headquarters' next
    bundle repairs it, and every bundle for its office carried its events again."""
    rows = rep.conn.execute("SELECT origin, seq, found_at FROM forks").fetchall()
    if not rows:
        return []  # (the usual case: no look at the keys)
    cut = keyreg.cut_off(keyreg.all_keys(rep))
    return [(origin, seq, found) for origin, seq, found in rows if origin not in cut]


def clear_repaired(rep: Replica, m: Mapping[str, Any]) -> None:
    """(HQ, in the transaction of a bundle that merged, not of a duplicate: the
    forked computer's bundle from before it went back, imported again, names
    headquarters' copies as a repaired one does) Drop the fork records the
    bundle shows repaired: it comes from the computer (the forked replica, or one
    continuing it) and its receipt says it holds the replica's events up to exactly
    where headquarters does. It merged, so nothing of it differed; a computer holding
    more than headquarters still has its forked events, one holding less (a restore
    of an older backup) may have some of them. Another laptop of the office holds
    headquarters' copies too: its receipts end nothing, and so does the forked replica
    itself: a repair of a computer whose current replica forked always gives it a new
    one (``Repair.cut``), so a bundle of that replica comes from a computer not repaired,
    the one whose copy of the database headquarters took (two computers under one
    identity), whose receipt names headquarters' events as a repaired one's does."""
    forks = held_forks(rep)
    if not forks:
        return  # (the usual case: no look at the log)
    mine = keyreg.predecessors(keyreg.all_keys(rep), str(m["sender"]))
    acks = m.get("acks") or {}
    done = [origin for origin in forks
            if origin in mine and acks.get(origin, 0) == _held_upto(rep, origin)]
    rep.conn.executemany("DELETE FROM forks WHERE origin = ?", [(o,) for o in done])


def repaired_refusals(rep: Replica) -> dict[int, str]:
    """(HQ) Inbox line id → the file that brought the data, for each bundle refused as
    a forked history (``REFUSAL``) that was repaired since: no fork of the forked
    replica (or of one it continues) is on record any more, and a bundle of a replica
    continuing it (the computer after its repair) merged new events after the refusal.
    What the refused bundle carried came again in that one (the repair writes the
    computer's events again), so nothing is left to do about the refusal."""
    found = []
    for line_id, sender, msg in rep.conn.execute(
            "SELECT id, coalesce(sender, ''), reason_msg FROM inbox "
            # (both refusals' ids say it: the other refusals are not parsed)
            "WHERE outcome = 'rejected' AND instr(reason_msg, '(forked history)') > 0 "
            "ORDER BY id"):
        try:
            record = json.loads(msg)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("id") in (REFUSAL, CHAIN_REFUSAL) and sender:
            kw = record.get("kw")
            found.append((line_id, sender, str(kw.get("replica", "")) if isinstance(
                kw, dict) else ""))
    if not found:
        return {}  # (the usual case: no look at keys, forks or merges)
    keys = keyreg.all_keys(rep)
    after = keyreg.successor_of(keys)
    held = set(held_forks(rep))
    merged = rep.conn.execute(
        "SELECT id, coalesce(sender, ''), file_name FROM inbox "
        "WHERE outcome = 'merged' AND events_new > 0 ORDER BY id").fetchall()
    out: dict[int, str] = {}
    for line_id, sender, prefix in found:
        # the forked replica: the one the reason names (by its first 8 digits), the
        # sender or one it continues
        forked = next((r for r in sorted(keyreg.computer(keys, sender))
                       if prefix and r.startswith(prefix)), sender)
        going_on: list[str] = []
        r = forked
        while r in after and after[r] != forked and after[r] not in going_on:
            r = after[r]
            going_on.append(r)
        if held & ({forked} | keyreg.predecessors(keys, forked)):
            continue  # headquarters' repair bundle has not done its work yet
        file = next((f for i, s, f in merged if i > line_id and s in going_on), None)
        if file is not None:
            out[line_id] = file
    return out


def copies_in_use(rep: Replica, *, revoked_too: bool = False) -> dict[str, str]:
    """(HQ) Replica → the replica continuing it, for each continued replica whose
    database is still in use beside its successor: its receipts name headquarters'
    registration of the successor's key, so it imported a bundle written after that
    (a late bundle of a database that a restore or a repair replaced cannot: it was
    written before). Two computers then write under one identity: its database and
    key file were copied to another computer, and a fork repair or a renewal gave
    only one of them a new identity. Their work arrives; the one left under the old
    identity needs the office's events, which its receipts are for. Once a revocation
    cuts the old replica off (its copy set up again as a new computer: ``revoke_key``
    cuts off that replica alone), it is left out, unless ``revoked_too``."""
    keys = keyreg.all_keys(rep)
    after = keyreg.successor_of(keys)
    if not after:
        return {}  # (the usual case)
    cut = set() if revoked_too else keyreg.cut_off(keys)
    out = {}
    for old, new in after.items():
        if old in cut:
            continue
        for origin, seq in _registrations(rep, keys, old, new):
            if rep.conn.execute(
                    "SELECT 1 FROM acks WHERE peer = ? AND origin = ? AND seq >= ?",
                    (old, origin, seq)).fetchone():
                out[old] = new
                break
    return out


def _registrations(rep: Replica, keys: Mapping[str, keyreg.KeyInfo], old: str,
                   new: str) -> list[tuple[str, int]]:
    """(HQ) The events that registered ``new``'s keys as continuing ``old`` (origin,
    seq): a receipt of ``old`` naming one shows its database imported a bundle written
    after it."""
    out = []
    for key in (k for k in keys.values() if k.replica == new and k.renews == old):
        row = rep.conn.execute(
            "SELECT origin, min(seq) FROM versions WHERE entity = 'key' AND "
            "entity_id = ? AND field = 'renews'", (key.key_id,)).fetchone()
        if row is not None and row[0] is not None:
            out.append((str(row[0]), int(row[1])))
    return out


def copies_to_prove(rep: Replica, office: str) -> dict[str, tuple[str, int]]:
    """(HQ) Continued replica of ``office`` → the registration of the replica
    continuing it (origin, seq: ``_registrations``), for each that may be a copy in
    use but has not shown it (``copies_in_use``): a bundle of it came after the
    continuing replica's first, and its receipts do not name the registration.

    Headquarters' bundles for the office leave a continued replica out
    (``export._peers``): they carry what the office's other computers lack. Once the
    continuing one had acknowledged the registration, no bundle carried it again,
    and a copy that had not imported one of the bundles that did (it exported
    first) could never name it: it got nothing more of the office, for ever. So
    every bundle for the office carries the registration, with what the replica's
    receipts lack before it (``export.renewal_news``), until they name it. (A late
    bundle of a database a restore replaced costs those few events in each bundle:
    its database never imports again.)"""
    keys = keyreg.all_keys(rep)
    after = keyreg.successor_of(keys)
    if not after:
        return {}  # (the usual case)
    cut = keyreg.cut_off(keys)
    in_use = copies_in_use(rep)
    out: dict[str, tuple[str, int]] = {}
    for old, new in after.items():
        if old in cut or old in in_use or not any(
                k.office == office for k in keys.values() if k.replica == new):
            continue
        first = rep.conn.execute(
            "SELECT min(id) FROM inbox WHERE sender = ? AND outcome = 'merged'",
            (new,)).fetchone()[0]
        # (a bundle of it taken before, imported again from the stick or the mail, is
        # none written since)
        if first is None or not rep.conn.execute(
                "SELECT 1 FROM inbox AS i WHERE sender = ?1 AND id > ?2 "
                "AND outcome IN ('merged', 'duplicate') AND NOT EXISTS (SELECT 1 FROM "
                "inbox WHERE sender = ?1 AND id < ?2 AND bundle_id = i.bundle_id "
                "AND outcome IN ('merged', 'duplicate'))", (old, first)).fetchone():
            continue  # (a database a restore or a repair replaced sends nothing more)
        found = _registrations(rep, keys, old, new)
        if found:
            out[old] = found[0]
    return out


def _held_upto(rep: Replica, origin: str) -> int:
    """The highest seq of ``origin`` such that 1..seq are all held here (a receipt's
    number, as ``exchange.holdings`` gives it for every origin)."""
    return events.holdings(rep.conn, [origin]).get(origin, 0)


# --- the office ---------------------------------------------------------------------


def repaired_text(first: int, last: int, new: str) -> str:
    """What a repair did, for the import's outcome and ``status``: this computer's
    events ``first``..``last`` written again as replica ``new``."""
    if first == last:
        return _("this computer's event {seq} differed from headquarters' copy of that "
                 "number (this database went back to an older copy, or was copied to "
                 "another computer that also wrote); it was written again as replica "
                 "{new}").format(
                     seq=first, new=new[:8])
    return _("this computer's events {first}–{last} differed from headquarters' copies "
             "of those numbers (this database went back to an older copy, or was copied "
             "to another computer that also wrote); they were written again as replica "
             "{new}").format(
                 first=first, last=last, new=new[:8])


def will_repair_text(rep: Replica, forks: Mapping[str, int]) -> str:
    """What importing a bundle that repairs ``forks`` (origin → first differing seq)
    will do, for ``verify``: this computer's events from there written again."""
    texts = []
    for origin, seq in sorted(forks.items()):
        last = max(events.last_event(rep.conn, origin)[0], seq)
        if origin == rep.replica_id:
            text = (_("importing it writes this computer's event {seq}, which differs "
                      "from headquarters' copy, again as a new replica")
                    if seq == last else
                    _("importing it writes this computer's events {first}–{last}, which "
                      "differ from headquarters' copies, again as a new replica"))
        else:
            text = (_("importing it writes this computer's event {seq}, which differs "
                      "from headquarters' copy, again as replica {replica}")
                    if seq == last else
                    _("importing it writes this computer's events {first}–{last}, which "
                      "differ from headquarters' copies, again as replica {replica}"))
        texts.append(text.format(seq=seq, first=seq, last=last,
                                  replica=rep.replica_id[:8]))
    return join_clauses(texts)


def export_now_text(repaired: str) -> str:
    """What an import that repaired says: what it did, and that the events written
    again wait for an export."""
    return _("{repaired}; export now so that headquarters gets them").format(
        repaired=repaired)


def resend_from(rep: Replica) -> dict[str, int]:
    """(office) Replica of this computer → the seq its events go to headquarters from
    again, whatever headquarters' receipts say: they may name events other than
    this computer's (a history that forked where headquarters cannot see it)."""
    try:
        held = json.loads(rep.meta(RESEND_OWN) or "{}")
    except ValueError:
        return {}
    return {str(o): int(s) for o, s in held.items() if isinstance(s, int)} \
        if isinstance(held, dict) else {}


def _set_resend(rep: Replica, flags: Mapping[str, int]) -> None:
    """(inside a write transaction)"""
    if flags:
        events.set_meta(rep.conn, RESEND_OWN, events.canonical_json(dict(flags)))
    else:
        rep.conn.execute("DELETE FROM meta WHERE key = ?", (RESEND_OWN,))


def mark_resend(rep: Replica, origins: Mapping[str, int]) -> None:
    """(office, inside a write transaction) Send these replicas' events from the given
    seq (the lowest kept)."""
    flags = resend_from(rep)
    for origin, seq in origins.items():
        flags[origin] = min(seq, flags.get(origin, seq))
    _set_resend(rep, flags)


def check_receipts(rep: Replica, m: Mapping[str, Any]) -> None:
    """(office, in the transaction of headquarters' bundle, once its events are
    stored) Compare headquarters' receipts for this computer's replicas with the
    events held here: one naming an event of another hash means headquarters holds
    another history of that replica (this database went back and wrote on): its
    events go from 1 again, so that headquarters meets the differing ones and
    records the fork (the first differing one may be anywhere before). A receipt
    whose hash matches ends that. A receipt beyond what is held is
    ``replica._mark_if_gone_back``'s; one without a hash (an older headquarters)
    tells nothing."""
    if not may_repair(rep, m):
        return
    hashes = m.get("ack_hashes") or {}
    acks = m.get("acks") or {}
    flags = resend_from(rep)
    before = dict(flags)
    for origin in keyreg.own_replicas(rep) & set(hashes):
        seq = acks.get(origin, 0)
        row = rep.conn.execute("SELECT hash FROM events WHERE origin = ? AND seq = ?",
                               (origin, seq)).fetchone()
        if row is None:
            continue
        if row[0] == hashes[origin]:
            if _latest_receipt(rep, m, origin):
                flags.pop(origin, None)
        else:
            flags[origin] = 1
    if flags != before:
        _set_resend(rep, flags)


def _latest_receipt(rep: Replica, m: Mapping[str, Any], origin: str) -> bool:
    """(inside the import's transaction, once its receipts are stored) Whether the
    bundle's receipt for ``origin`` is the latest its sender gave: not one of an
    older bundle imported again (from the stick, the mail), which names an event
    from before a history parted and matches, saying nothing of the events after
    it. (A differing one, older or not, still shows a fork.)"""
    row = rep.conn.execute("SELECT seq FROM acks WHERE peer = ? AND origin = ?",
                           (str(m.get("sender", "")), origin)).fetchone()
    return row is None or (m.get("acks") or {}).get(origin, 0) >= row[0]


#: meta key (HQ): the last receipt of each office computer for each of headquarters'
#: own replicas that named an event with another hash than the one held here (JSON:
#: "<sender> <replica>" → office, replica, seq, hash): ``hq_forks``
HQ_FORKED = "hq_forked"


def check_hq_receipts(rep: Replica, m: Mapping[str, Any]) -> None:
    """(HQ, in the transaction of an office's bundle, once its receipts are stored)
    Compare the office's receipts for headquarters' own replicas with the events held
    here: one naming an event of another hash means that office holds another history
    of headquarters (this database went back and wrote on where no write mark caught
    it), and refuses headquarters' bundles. Kept until a receipt of the same computer
    matches; ``hq_forks`` says which still stand. One beyond what is held is
    ``replica._mark_if_gone_back``'s."""
    if not rep.is_hq or m.get("office") == "HQ":
        return
    hashes = m.get("ack_hashes") or {}
    acks = m.get("acks") or {}
    mine = keyreg.own_replicas(rep) & set(hashes)
    if not mine:
        return
    try:
        held = json.loads(rep.meta(HQ_FORKED) or "{}")
    except ValueError:
        held = {}
    if not isinstance(held, dict):
        held = {}
    before = dict(held)
    # this database's own replicas (the one it is, those a restore continues) under a
    # whole write mark of this very file never went back unseen (opening would have
    # renewed it; a backup put back holds what the replica wrote, up to a point): a
    # receipt naming one of their events with another hash is a forged or damaged one,
    # as one naming more events than it sent is (``receipt_limit``), and must not tell
    # headquarters to put back a backup
    unforked = {origin for origin in mine if receipt_limit(rep, origin) is not None}
    for origin in sorted(mine):
        seq = acks.get(origin, 0)
        row = rep.conn.execute("SELECT hash FROM events WHERE origin = ? AND seq = ?",
                               (origin, seq)).fetchone()
        key = f"{m['sender']} {origin}"
        if row is None:
            continue
        if row[0] == hashes[origin]:
            if _latest_receipt(rep, m, origin):
                held.pop(key, None)
        elif origin not in unforked:
            held[key] = {"office": str(m["office"]), "replica": origin, "seq": seq,
                         "hash": hashes[origin]}
    if held != before:
        if held:
            events.set_meta(rep.conn, HQ_FORKED, events.canonical_json(held))
        else:
            rep.conn.execute("DELETE FROM meta WHERE key = ?", (HQ_FORKED,))


def hq_forks(rep: Replica) -> list[dict[str, Any]]:
    """(HQ) The forks of headquarters' own history that offices' receipts show and
    that still stand: the event they name is held here with another hash (a backup
    put back since that lacks it ends it), and the computer whose receipt shows it is
    not cut off by a revocation since (it never sends again, and its database, set up
    again, takes headquarters' history as it is). Each: replica, seq (the receipt's
    event), offices, written (when this database's event of that number was
    written)."""
    try:
        held = json.loads(rep.meta(HQ_FORKED) or "{}")
    except ValueError:
        return []
    if not isinstance(held, dict) or not held:
        return []
    cut = keyreg.cut_off(keyreg.all_keys(rep))
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for key, record in held.items():
        if not isinstance(record, dict) or str(key).split(" ", 1)[0] in cut:
            continue
        origin, seq = str(record.get("replica", "")), record.get("seq")
        if type(seq) is not int:
            continue
        row = rep.conn.execute("SELECT hash, hlc FROM events WHERE origin = ? AND seq = ?",
                               (origin, seq)).fetchone()
        if row is None or row[0] == record.get("hash"):
            continue
        at = found.setdefault((origin, seq), {"replica": origin, "seq": seq, "offices": [],
                                              "written": events.hlc_to_iso(row[1])})
        at["offices"] = sorted({*at["offices"], str(record.get("office", ""))})
    return [found[k] for k in sorted(found)]


def hq_fork_text(fork: Mapping[str, Any], when: str) -> str:
    """(HQ) What a fork of headquarters' own history means and what to do."""
    # Translators: {offices} is one office code such as ML, or a list ("ML, SN");
    # {when} a date and time
    return ngettext(
        "headquarters' history forked: {offices} holds another event {seq} of its "
        "replica {replica} than this database, which went back to an older copy and was "
        "written on; it refuses headquarters' bundles. Put back a backup taken before "
        "{when} ('fieldplan restore BACKUP --force'), then make again the changes status "
        "lists as lost",
        "headquarters' history forked: {offices} hold another event {seq} of its "
        "replica {replica} than this database, which went back to an older copy and was "
        "written on; they refuse headquarters' bundles. Put back a backup taken before "
        "{when} ('fieldplan restore BACKUP --force'), then make again the changes status "
        "lists as lost",
        len(fork["offices"])).format(offices=join_list(fork["offices"]), seq=fork["seq"],
                                     replica=str(fork["replica"])[:8], when=when)


class OwnChainBroken(BundleError):
    """(office) Headquarters' bundle carries an event of this computer's replica that
    does not follow the one held before it: this database went back and wrote other
    events under those numbers. ``origin``: the replica."""

    def __init__(self, origin: str, seq: int) -> None:
        super().__init__(_(
            "event {seq} of this computer's replica {replica} does not follow event "
            "{previous} held here: this computer went on from an older copy of its "
            "database (forked history); export now: headquarters' next bundle then "
            "repairs it").format(seq=seq, previous=seq - 1, replica=origin[:8]))
        self.origin = origin


def may_repair(rep: Replica, m: Mapping[str, Any]) -> bool:
    """Whether an import of this bundle may repair a fork: at an office, from
    headquarters only (it holds what the office's older copy lost)."""
    return not rep.is_hq and m.get("office") == "HQ"


def repairable(rep: Replica, m: Mapping[str, Any], exc: ForkedHistoryError) -> bool:
    """Whether ``Repair.cut`` takes this fork: of this computer's own replicas, in a
    bundle from headquarters."""
    return may_repair(rep, m) and set(exc.forks) <= keyreg.own_replicas(rep)


@dataclass
class Repair:
    """One import's repair at an office (``_Merger`` calls ``cut`` when the bundle's
    events fork from this computer's own, ``finish`` once all are stored). A context
    manager around the import's write transaction: the new key file goes in place
    after the commit, or away after a rollback."""

    rep: Replica
    #: origin → its events taken out of the log, in order
    removed: dict[str, list[events.Event]] = field(default_factory=dict)
    staged: keyreg.StagedKey | None = None
    renewing: bool = False
    #: what was done, in a person's words ("" when nothing was)
    text: str = ""

    def __enter__(self) -> Repair:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self.staged is not None:
            if kind is None:
                self.staged.move_in_place(self.rep)
            else:
                self.staged.discard(self.rep)
        elif kind is not None and self.renewing:
            # failed inside the renewal: the key it staged, if any, goes (rolled back,
            # the database names the key it had)
            self.rep.cache.clear()
            pending = pending_key_path(self.rep.path)
            try:
                staged = minisign.load_secret_key(pending).key_id_hex
            except (OSError, minisign.KeyFileError):
                staged = None
            if staged is not None and staged != self.rep.meta("key_id"):
                pending.unlink(missing_ok=True)
        self.staged = None
        self.renewing = False

    def cut(self, m: Mapping[str, Any], exc: ForkedHistoryError) -> bool:
        """Take this computer's events that differ from the bundle's out of the log
        (kept here), and go on as a new replica if the current one forked. False
        (nothing done) for a fork this repair does not take."""
        if not repairable(self.rep, m, exc) or set(exc.forks) & set(self.removed):
            return False
        conn = self.rep.conn
        for origin, seq in sorted(exc.forks.items()):
            self.removed[origin] = list(events.iter_log(conn, origin, after=seq - 1))
            # derived rows first (they refer to the events); rebuilt in ``finish``
            conn.execute("DELETE FROM versions WHERE origin = ? AND seq >= ?", (origin, seq))
            conn.execute("DELETE FROM supersedes WHERE by_origin = ? AND by_seq >= ?",
                         (origin, seq))
            conn.execute("DELETE FROM events WHERE origin = ? AND seq >= ?", (origin, seq))
            events.note_cut(conn)
        current = self.rep.replica_id
        if current in exc.forks:
            # its new key is endorsed by this computer's key: never by another's key file
            # copied beside the database (KeyFileError; the import is rolled back)
            keyreg.secret_key(self.rep)
            # written on, its numbers would fork again: a new replica, as after a restore
            gone = self.removed[current]
            events.set_meta(conn, store.BACKUP_MARK, events.canonical_json({"forked": {
                "replica": current, "first": gone[0].seq, "last": gone[-1].seq}}))
            self.renewing = True
            self.staged = keyreg.renew_in_transaction(self.rep)
        return True

    def finish(self) -> None:
        """Once the bundle's events are stored: write the removed events again as this
        replica's, then derive every table from the log again."""
        if not self.removed:
            return
        conn = self.rep.conn
        order = keyreg.renewed_from(self.rep)
        renamed: dict[str, str] = {}
        for origin in sorted(self.removed, key=lambda o: (o not in order,
                                                          order.index(o) if o in order else 0)):
            for lost in self.removed[origin]:
                # over what it was written over, as it was: never over headquarters'
                # copies, which this computer never showed (written by another computer
                # the database was copied to, or lost when it went back). Where both
                # wrote a field, that is a conflict: the later write shows, the other
                # is kept until a person chooses (it replaced them without a word)
                base: dict[str, list[str]] = {}
                for name in lost.fields:
                    ids = [renamed.get(v, v) for v in lost.base.get(name, ())]
                    ids = list(dict.fromkeys(ids))[:events.MAX_BASE_PER_FIELD]
                    if ids:
                        base[name] = ids
                again = events.write_again(conn, lost, base)
                renamed[lost.version_id] = again.version_id
        events.rebuild(conn)
        new = self.rep.replica_id
        done = [{"replica": o, "first": g[0].seq, "last": g[-1].seq, "new": new,
                 "at": events.utc_iso()} for o, g in self.removed.items() if g]
        self.text = join_clauses(repaired_text(d["first"], d["last"], new) for d in done)
        restored = json.loads(self.rep.meta("restored") or "{}")
        restored.setdefault("replica", done[0]["replica"])
        restored.setdefault("at", done[0]["at"])
        restored["forked"] = done[-1]
        events.set_meta(conn, "restored", events.canonical_json(restored))
