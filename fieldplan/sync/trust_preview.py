"""What trusting a quarantined key would bring, said before a person trusts it.

A trust merges every bundle of the key waiting in quarantine at once: at a
headquarters, 62 events that took open conflicts from 3 to 190, some into a locked
period, and the trust dialog had said nothing of it beforehand. This reads the waiting
bundles as ``verify`` reads a bundle (no merge, nothing written): how many bundles and
events, whose and for which periods, which of those periods are locked (the review
pack flags each change merged after a lock), and how many reports they change that
another computer of the office changed too without having seen their change (a
conflict, by the rule the merge keeps: the same field written by two computers, each
unaware of the other's write).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan import events
from fieldplan.errors import BundleError, FieldplanError
from fieldplan.i18n import counted, join_list, pcounted
from fieldplan.minisign import PublicKey
from fieldplan.progress import lock_clocks
from fieldplan.replica import Replica
from fieldplan.status import periods_text
from fieldplan.text import for_terminal


@dataclass(frozen=True)
class TrustPreview:
    """What the bundles of one quarantined key hold, against this database.

    bundles: the bundles of the key waiting in quarantine. events: the events they
    carry; new: those this database lacks (what a merge adds). offices: the offices
    they are of. periods: the periods of the reports the new events change.
    locked: those of ``periods`` locked here, which the new events change after the
    lock (``LockMark.missed``: flagged in the review pack). conflicts: reports the new
    events change whose same field another computer wrote without having seen their
    write: in conflict after the merge (a report in conflict already counts too).
    unread: bundles whose events are not counted: ``too_large`` and ``refused`` together.
    too_large: bundles past what a preview reads (``PREVIEW_MAX_EVENTS``,
    ``PREVIEW_MAX_BYTES``): not read here, the trust still imports them. refused: the
    reason the trust's import would refuse each bundle it would, in the import's words
    (the bundle then leaves quarantine), as (file, reason), in the order they wait.
    fingerprint: the key's whole fingerprint (it may have been given by its start).
    replaces: (HQ) the active key of the computer the key claims to be, which trusting
    it replaces (``keys.key_to_replace``), or None.
    """

    bundles: int
    events: int
    new: int
    offices: tuple[str, ...]
    periods: tuple[str, ...]
    locked: tuple[str, ...]
    conflicts: int
    unread: int = 0
    fingerprint: str = ""
    too_large: int = 0
    refused: tuple[tuple[str, str], ...] = ()
    replaces: Any = None

    def text(self, *, replaces: bool = True) -> str:
        """The lines a person reads before trusting: first, unless not ``replaces``
        (the client's question says it), the computer's key it replaces; what comes
        from which office, what of it is new here, the periods it changes, locks,
        conflicts."""
        said = self._held_text()
        if replaces and self.replaces is not None:
            return self.replaces.text() + "\n" + said
        return said

    def _held_text(self) -> str:
        # Translators: in the trust preview, the offices the bundles come from, after
        # "they hold 62 events"; {codes} are office codes ("ML")
        whose = counted("from office {codes}", "from offices {codes}", len(self.offices),
                        codes=join_list(self.offices))
        if self.bundles and self.unread >= self.bundles:
            # Translators: before trusting a key, when none of its bundles is counted
            # (the next lines say why: too large to preview, or refused); {whose} is
            # "from office ML"
            head = counted(
                "{count} bundle signed with this key waits in quarantine, {whose}.",
                "{count} bundles signed with this key wait in quarantine, {whose}.",
                self.bundles, whose=whose)
            return "\n".join([head, *self._uncounted_lines()])
        # Translators: the events the waiting bundles hold, {events} in "they hold 62
        # events from office ML": the object of "hold" (Arabic: accusative, "حدثًا
        # واحدًا", "حدثين")
        events = pcounted("held by bundles", "{count} event", "{count} events",
                          self.events)
        # Translators: before trusting a key; {events} is "62 events", {whose} "from
        # office ML"
        head = counted(
            "{count} bundle signed with this key waits in quarantine: it holds {events} "
            "{whose}.",
            "{count} bundles signed with this key wait in quarantine: they hold {events} "
            "{whose}.",
            self.bundles, whose=whose, events=events)
        lines = [" ".join(t for t in (head, self._new_text()) if t)]
        if self.periods:
            # Translators: before trusting a key, after what of its events is new here;
            # {periods} are periods in words ("1st semester 2026")
            lines.append(counted(
                "What is new here changes reports of {count} period: {periods}.",
                "What is new here changes reports of {count} periods: {periods}.",
                len(self.periods), periods=periods_text(self.periods)))
        if self.locked:
            # Translators: {periods} are periods in words ("1st semester 2026"), locked
            # by headquarters after its review
            lines.append(counted(
                "{periods} is locked: the review pack will flag the changes to it as made "
                "after the lock.",
                "{periods} are locked: the review pack will flag the changes to them as "
                "made after the lock.", len(self.locked), periods=periods_text(self.locked)))
        if self.conflicts:
            # Translators: before trusting a key, after "What is new here changes
            # reports of 2 periods: …"
            lines.append(counted(
                "{count} of these reports was also changed by another computer of the "
                "same office, which had not seen this change: it will be in conflict "
                "until a person keeps one of the values.",
                "{count} of these reports were also changed by another computer of the "
                "same office, which had not seen these changes: they will be in conflict "
                "until a person keeps one of the values.", self.conflicts))
        lines += self._uncounted_lines()
        return "\n".join(lines)

    def _uncounted_lines(self) -> list[str]:
        """Why bundles are not counted, a line each: too large to preview (the trust
        still imports them), or refused by the trust's import, for what reason (one
        line a reason, bundles refused alike counted together)."""
        lines = []
        if self.too_large:
            # Translators: before trusting a key: bundles past what the preview reads
            # (200,000 events); the trust imports them all the same
            lines.append(counted(
                "{count} bundle is too large to preview; trusting the key will still "
                "import it.",
                "{count} bundles are too large to preview; trusting the key will still "
                "import them.", self.too_large))
        reasons: dict[str, int] = {}
        for _file, reason in self.refused:
            reasons[reason] = reasons.get(reason, 0) + 1
        for reason, n in reasons.items():
            # Translators: before trusting a key: bundles of it the trust's import would
            # refuse (they then leave quarantine); {reason} is the import's reason
            # ("events.jsonl line 3: event 7 of replica 1a2b3c4d is out of order or
            # repeated")
            lines.append(counted("{count} bundle would be refused: {reason}",
                                 "{count} bundles would be refused: {reason}", n,
                                 reason=for_terminal(reason)))
        return lines

    def _new_text(self) -> str:
        """What of the events read is new here (the rest is here already)."""
        if not self.events:
            return ""
        if self.new >= self.events:
            return counted("It is new here.", "All of them are new here.", self.events)
        if not self.new:
            return counted("It is here already.", "All of them are here already.",
                           self.events)
        # Translators: before trusting a key, after "they hold 62 events from office
        # ML." (the others are here already)
        return counted("{count} of them is new here.", "{count} of them are new here.",
                       self.new)

    def to_dict(self) -> dict[str, Any]:
        return {"bundles": self.bundles, "events": self.events, "events_new": self.new,
                "offices": list(self.offices), "periods": list(self.periods),
                "locked_periods": list(self.locked), "conflicts": self.conflicts,
                "unread": self.unread, "fingerprint": self.fingerprint or None,
                "too_large": self.too_large,
                "refused": [{"file": f, "reason": r} for f, r in self.refused],
                "replaces_key": self.replaces.fingerprint if self.replaces else None,
                "replaces": self.replaces.to_dict() if self.replaces else None}


#: The most a preview reads of a key's waiting bundles, decompressed events and events
#: (the manifests say both before anything is decompressed): a bundle that would take
#: it past either is said too large to preview, its events not read. Quarantined bytes are an
#: unknown party's: a bundle of a few megabytes decompressed to millions of events,
#: each held in memory, and the preview ran the client's worker out of memory. An
#: office's whole history is some thousands of events.
PREVIEW_MAX_EVENTS = 200_000
PREVIEW_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Report:
    """What the preview keeps of a new report event (not the event: its text may be
    a megabyte): its report, clock, writer and number, the fields it writes and the
    versions it replaces (``base``)."""

    id: str
    period: str
    hlc: int
    origin: str
    seq: int
    fields: tuple[str, ...]
    base: tuple[tuple[str, tuple[str, ...]], ...]


def trust_preview(rep: Replica, fingerprint: str, *,
                  refusals: bool = False) -> TrustPreview:
    """What trusting the quarantined key ``fingerprint`` (as ``trust_key`` takes it)
    would bring: its waiting bundles read, nothing merged nor written. ``refusals``:
    first the ValidationError the trust would refuse it with, if it would
    (``exchange.trust_refused``; ``keys trust --dry-run``).

    Each bundle's events are checked as the trust's import checks each event (its
    shape, its report id, whose it is, each computer's in order) before any is
    counted: a bundle the import would refuse is said refused, with the import's reason;
    one too large to read here (``PREVIEW_MAX_EVENTS``, ``PREVIEW_MAX_BYTES``) is said
    too large. Neither's events are counted."""
    from fieldplan.sync import keys as keyreg
    from fieldplan.sync.exchange import (
        _malformed,
        _quarantined_by,
        endorsed_by,
        trust_refused,
    )

    rows = _quarantined_by(rep, fingerprint, trusting=True)
    if refusals:
        trust_refused(rep, rows)
    # (and those of the later keys it endorsed, which the trust brings too)
    taken = rows + endorsed_by(rep, PublicKey.from_base64(rows[0][1]), rows[0][3])
    known = keyreg.replica_offices(rep)
    seen: set[tuple[str, int]] = set()
    reports: list[_Report] = []
    total = new = too_large = 0
    refused: list[tuple[str, str]] = []
    room = [PREVIEW_MAX_EVENTS, PREVIEW_MAX_BYTES]
    for _bundle_id, _key, office, sender, file, data in taken:
        try:
            read = _read(rep, data, office, sender, known, room)
        except FieldplanError as exc:
            refused.append((file, str(exc)))
            continue
        except _HOSTILE as exc:  # (as the import says it: `_malformed`)
            refused.append((file, _malformed(exc)))
            continue
        if read is None:
            too_large += 1
            continue
        keys, held = read
        total += len(keys)
        for key in keys:
            if key in seen:
                continue
            seen.add(key)
            if rep.conn.execute("SELECT 1 FROM events WHERE origin = ? AND seq = ?",
                                key).fetchone() is None:
                new += 1
                if key in held:
                    reports.append(held[key])
    periods = sorted({r.period for r in reports})
    return TrustPreview(
        bundles=len(taken), events=total, new=new,
        offices=tuple(sorted({r[2] for r in taken})), periods=tuple(periods),
        locked=_locked_after(rep, reports), conflicts=_conflicts(rep, reports),
        unread=too_large + len(refused),
        fingerprint=PublicKey.from_base64(rows[0][1]).fingerprint,
        too_large=too_large, refused=tuple(refused),
        replaces=keyreg.key_to_replace(rep, rows[0][1], rows[0][3]))


#: What reading a hostile bundle may raise beyond FieldplanError (as the import's
#: ``_HOSTILE``): a number too large, JSON nested too deep, text not UTF-8.
_HOSTILE = (OverflowError, RecursionError, UnicodeError, ValueError, TypeError, KeyError)


def _read(rep: Replica, data: bytes, office: str, sender: str, known: dict[str, str],
          room: list[int]) -> tuple[list[tuple[str, int]], dict[tuple[str, int], _Report]] | None:
    """The events of one waiting bundle, (origin, seq) each in order, and what the
    preview keeps of its report events; None when it is too large for what is left of
    ``room`` (events, bytes; taken from it when read). Raises what the trust's import
    would refuse the bundle for (its shape, a report id, another office's data, a
    computer's events out of order or repeated), in the import's words."""
    from fieldplan.sync.exchange import (
        _broken_chain_text,
        _check_event,
        _events_line,
        _malformed,
        _out_of_order_text,
    )

    with bundlefmt.open_bundle(io.BytesIO(data), check_events=False) as held:
        count, size = held.event_count, held.events_size
        if count > room[0] or size > room[1]:
            return None
        room[0] -= count
        room[1] -= size
        offices = {**known, sender: office}
        received = rep.is_hq and office != "HQ"
        keys: list[tuple[str, int]] = []
        reports: dict[tuple[str, int], _Report] = {}
        last: dict[str, tuple[int, str]] = {}
        names: dict[str, str] = {}  # (one string per origin and field name, not per event)
        for n, (line, digest) in enumerate(held.iter_hashed_lines(), 1):
            try:
                e = events.parse_event(line, where=functools.partial(_events_line, n),
                                       digest=digest, received=received)
            except _HOSTILE as exc:  # (said as the import says it, with its line)
                raise BundleError(_malformed(exc, _events_line(n))) from exc
            # an office's bundle holds that office's data only: an origin unknown here
            # is judged as the office's (the import refuses any other)
            origin_office = offices.get(e.origin, office if office != "HQ" else None)
            if origin_office is not None:
                _check_event(e, origin_office, office)
            # each computer's events in order, each once, each following the one before
            # it in the bundle (a chain broken against the log is the import's to say:
            # it may be a history it repairs), said in the import's words
            before_seq, before_hash = last.get(e.origin, (0, events.GENESIS))
            if e.seq <= before_seq:
                raise BundleError(_out_of_order_text(n, e))
            if e.seq == before_seq + 1 and e.prev != before_hash:
                raise BundleError(_broken_chain_text(e, origin_office or office))
            last[e.origin] = (e.seq, e.hash)
            origin = names.setdefault(e.origin, e.origin)
            keys.append((origin, e.seq))
            if e.entity == "progress" and e.entity_id.count("|") == 2:
                reports[(origin, e.seq)] = _Report(
                    e.entity_id, e.entity_id.rsplit("|", 1)[1], e.hlc, origin, e.seq,
                    tuple(names.setdefault(n, n) for n in e.fields),
                    tuple((n, tuple(v)) for n, v in e.base.items()))
    return keys, reports


def _locked_after(rep: Replica, reports: list[_Report]) -> tuple[str, ...]:
    """The locked periods these new report events would change after the lock, judged
    as the merge judges them now (``LockMark.missed``, arriving with the next import)."""
    locks = lock_clocks(rep) if rep.is_hq else {}
    if not locks:
        return ()
    now = events.utc_iso()
    inbox_id = rep.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM inbox").fetchone()[0]
    late = set()
    for r in reports:
        mark = locks.get(r.period)
        if mark is not None and r.period not in late and mark.missed(
                r.hlc, now, inbox_id, r.origin, r.seq):
            late.add(r.period)
    return tuple(sorted(late))


def _conflicts(rep: Replica, reports: list[_Report]) -> int:
    """How many reports the new events change whose same field holds a version of
    another computer that none of them replaces (their ``base``), or that is in
    conflict already: several heads after the merge."""
    origins = {r.origin for r in reports}
    replaced: dict[tuple[str, str], set[str]] = {}
    for r in reports:
        base = dict(r.base)
        for name in r.fields:
            replaced.setdefault((r.id, name), set()).update(base.get(name, ()))
    conflicted = set()
    for (entity_id, name), bases in replaced.items():
        if entity_id in conflicted:
            continue
        heads = _heads(rep, entity_id, name)
        others = {h for h in heads if h.split(":", 1)[0] not in origins}
        if others - bases:
            conflicted.add(entity_id)
    return len(conflicted)


def _heads(rep: Replica, entity_id: str, name: str) -> Iterable[str]:
    """The version ids (``origin:seq``) of a report field's current values here."""
    return [f"{origin}:{seq}" for origin, seq in rep.conn.execute(
        "SELECT origin, seq FROM versions WHERE entity = 'progress' AND entity_id = ? "
        "AND field = ? AND superseded = 0", (entity_id, name))]
