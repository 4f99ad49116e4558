"""Conflicts: a field with several heads of different values (two replicas wrote it
without seeing each other's write). The winner shown meanwhile is deterministic; a
person resolves the conflict with an event that replaces every head."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import groupby
from operator import itemgetter
from typing import Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _, counted, format_number, join_list, period_words
from fieldplan.model import NARRATIVE_FIELDS
from fieldplan.periods import as_period
from fieldplan.progress import (
    MAX_TEXT,
    SubmittedReportError,
    hidden_refusal,
    is_locked,
    refuse_if_locked,
    report_id,
    submitted_text,
)
from fieldplan.replica import Changes, Replica
from fieldplan.sync.state import lost_versions


@dataclass(frozen=True)
class Candidate:
    """One competing value. value_id: ``<origin 8>:<seq>``; winner: shown meanwhile;
    here: written on this computer (this replica, or one it continues after a restore
    from a backup: ``computers``), the others on other computers.
    at: when it was written, to show (ISO UTC): its writer's clock, no later than its
    arrival here, and its arrival when its clock is before the plan's start
    (``events.shown_time``: a laptop whose clock is ahead would say 2030, one whose
    clock went back 2000).
    written_at: its writer's clock alone, as ``ProgressReport.written_at`` ("" when
    not known, then ``at``)."""

    value_id: str
    full_id: str
    value: Any
    author: str
    at: str
    winner: bool
    here: bool = False
    written_at: str = ""
    #: the short id of the replica its computer continues as now, restored from a
    #: backup since it wrote this version ("" when its replica is its computer's
    #: latest): the version is that computer's, from before the restore
    restored_as: str = ""

    @property
    def computer(self) -> str:
        """The computer (replica) that wrote it, by its short id, as people read one."""
        return self.full_id.split(":")[0][:8]


#: At most this many versions of a conflict are shown (side by side on the Conflicts
#: page, in its Values cell, in 'conflicts list'): a re-signed bundle that left 200,000
#: versions of one field open made a box and a Keep button for each, until the client
#: ran out of memory. Any of them is kept in one action all the same
#: (``resolve_conflict``); 'conflicts show' prints every one.
SHOWN_VERSIONS = events.MAX_BASE_PER_FIELD


def shown_candidates(conflict: Conflict, limit: int = SHOWN_VERSIONS
                     ) -> tuple[Candidate, ...]:
    """The versions of ``conflict`` shown (``SHOWN_VERSIONS``): every one when they are
    no more; else the first version of each value (in the heads' order, the one shown
    meanwhile first), as many values as there is room for, then the other versions in
    order, up to ``limit``; listed in the heads' order. 39 versions of one value and
    the one that differs, last, showed 32 alike and hid the other value."""
    cands = conflict.candidates
    if len(cands) <= limit:
        return cands
    chosen: list[int] = []
    seen: set[str] = set()
    for n, cand in enumerate(cands):
        key = events.value_json(cand.value)
        if key not in seen:
            seen.add(key)
            chosen.append(n)
            if len(chosen) == limit:
                break
    if len(chosen) < limit:
        taken = set(chosen)
        chosen += [n for n in range(len(cands)) if n not in taken][:limit - len(chosen)]
    return tuple(cands[n] for n in sorted(chosen))


@dataclass(frozen=True)
class Conflict:
    """Competing values of one field of one record."""

    id: str
    entity: str
    entity_id: str
    field: str
    candidates: tuple[Candidate, ...]
    #: a report's conflict whose period headquarters has locked (as this replica
    #: knows): no one settles it until headquarters unlocks the period
    locked: bool = False
    #: a report's conflict whose report shows "submitted" here: no value of it changes
    #: until someone reopens the report (``keep_refusal``), as a save is refused
    submitted: bool = False
    #: a report's conflict whose report the plan hides (``planops.PlanScope``): the
    #: refusal a write on it gets, as a message ("" when the plan shows it). Nobody
    #: edits it, nor reopens it: a value is kept without reopening (``keep_refusal``)
    hidden: str = ""
    #: how many versions it has, and of how many values (0: as many as ``candidates``
    #: holds). ``list_conflicts`` reads only the versions shown (``shown_candidates``)
    #: into ``candidates`` and counts the rest; ``open_conflict`` reads every one
    versions: int = 0
    values: int = 0
    #: the replica every version of it was written on, when one computer wrote them
    #: all (its history holds versions that do not replace each other: no second
    #: computer wrote the field); "" when two or more did. A computer restored from a
    #: backup continues as a new replica: its versions from before and after the
    #: restore are one computer's, named by its latest replica (``computers``). Of a
    #: conflict read whole and not said, found from ``candidates``
    one_replica: str = ""

    def __post_init__(self) -> None:
        if not self.versions:
            object.__setattr__(self, "versions", len(self.candidates))
        if not self.values:
            object.__setattr__(self, "values", len(
                {events.value_json(c.value) for c in self.candidates}))
        if self.complete and not self.one_replica:
            origins = {c.full_id.rsplit(":", 1)[0] for c in self.candidates}
            object.__setattr__(self, "one_replica",
                               origins.pop() if len(origins) == 1 else "")

    @property
    def complete(self) -> bool:
        """Whether ``candidates`` holds every version (else those shown)."""
        return len(self.candidates) == self.versions

    @property
    def office(self) -> str:
        return self.entity_id.split("|")[0] if self.entity == "progress" else "HQ"

    @cached_property
    def shown(self) -> tuple[Candidate, ...]:
        """The versions shown (``shown_candidates``), picked once: the Values cell
        asks at each paint."""
        return shown_candidates(self)

    @property
    def values_shown_all(self) -> bool:
        """Whether every value of the conflict is among the versions shown."""
        if len(self.shown) == self.versions:
            return True
        return len({events.value_json(c.value) for c in self.shown}) == self.values

    @property
    def action(self) -> str:
        parts = self.entity_id.split("|")
        return parts[1] if len(parts) == 3 else ""

    @property
    def period(self) -> str:
        parts = self.entity_id.split("|")
        return parts[2] if len(parts) == 3 else ""

    def resolvable_by(self, here: str) -> bool:
        """Whether the computers of ``here`` (an office code, or "HQ") can settle it now:
        only the office's own computers do, and not while its period is locked."""
        return self.office == here and not self.locked

    def keepable_by(self, here: str) -> bool:
        """Whether the computers of ``here`` can keep one of its values now: they settle
        it (``resolvable_by``) and ``keep_refusal`` refuses not every value (a submitted
        report's, until it is reopened)."""
        return self.resolvable_by(here) and any(
            not keep_refusal(self, c) for c in self.candidates)

    def to_dict(self, *, every: bool = True) -> dict[str, Any]:
        """Its JSON form: ``candidates``, its versions (every one read, else only those
        shown: ``shown``), and ``versions``, how many it has."""
        return {"id": self.id, "entity": self.entity, "record": self.entity_id,
                "office": self.office, "action": self.action, "period": self.period,
                "field": self.field, "locked": self.locked, "submitted": self.submitted,
                "hidden": bool(self.hidden),
                "candidates": [{"value_id": c.value_id, "value": c.value, "author": c.author,
                                "at": c.at, "written_at": c.written_at or c.at,
                                "winner": c.winner, "computer": c.computer,
                                "this_computer": c.here}
                               for c in (self.candidates if every else self.shown)],
                "versions": self.versions,
                # (one computer's history contradicting itself: its replica id)
                "one_computer": self.one_replica or None}


def written_by(candidate: Candidate, when: str, wrap: Callable[[str], str] = str) -> str:
    """"Written by root on this computer (a2b6d637), 4 Dec 2026, 19:07": who wrote a
    version, on which computer (its short replica id, as the Keys tab and Help ▸ This
    computer's key show one: two laptops may share an account name and write in the
    same minute). ``when``: the time as the reader is shown it; ``wrap``: how each
    inserted piece is kept whole in the sentence (the client isolates them)."""
    return _("Written by {author} on {computer}, {when}").format(
        author=wrap(candidate.author), computer=computer_text(candidate, wrap),
        when=wrap(when))


def one_computer_text(conflict: Conflict, here: str,
                      wrap: Callable[[str], str] = str) -> str:
    """Of a conflict whose every version one computer wrote (``one_replica``): that no
    second computer wrote the field differently, its own history holds versions that
    do not replace each other (a bundle re-signed, a database put back and written
    again); "" of a conflict between computers. ``here``: this replica's id."""
    one = conflict.one_replica
    if not one:
        return ""
    code = wrap(one[:8])
    if one == here:
        # Translators: {computer}: the first 8 digits of this computer's replica id
        return _("Every version comes from this computer ({computer}): its own history "
                 "holds versions that do not replace each other, no other computer "
                 "wrote this field").format(computer=code)
    # Translators: {computer}: the first 8 digits of a computer's replica id
    return _("Every version comes from one computer, {computer}: its history holds "
             "versions that do not replace each other, no other computer wrote this "
             "field").format(computer=code)


def computer_text(candidate: Candidate, wrap: Callable[[str], str] = str) -> str:
    """"this computer (a2b6d637)", "computer 5f0c19e2": the computer that wrote a
    version (``written_by``; the client names its Keep buttons by it)."""
    code = wrap(candidate.computer)
    if candidate.restored_as and candidate.here:
        # (its own version from before a restore, under the replica id it had then:
        # "this computer (5f0c19e2)" beside "this computer (a2b6d637)" read as two)
        # Translators: {computer}: the first 8 digits of the replica id this
        # computer had before its database was restored from a backup
        return _("this computer before its restore ({computer})").format(computer=code)
    if candidate.restored_as:
        # Translators: {computer}: a computer's replica id now (8 digits); {earlier}:
        # the one it had before its database was restored from a backup
        return _("computer {computer} before its restore ({earlier})").format(
            computer=wrap(candidate.restored_as), earlier=code)
    if candidate.here:
        return _("this computer ({computer})").format(computer=code)
    return _("computer {computer}").format(computer=code)


def shown_versions_of_report(rep: Replica, action: str, period: str,
                             office: str | None = None) -> dict[str, Candidate]:
    """Per field of one report in an open conflict, the version shown meanwhile (the
    winner, as ``list_conflicts`` chooses it): who wrote the value the report form
    shows, on which computer and when. The form of the laptop whose own status and
    narrative lost showed the other laptop's as if they were its own, with nothing to
    say whose they were."""
    rid = report_id(office or rep.office, action, str(as_period(period)))
    rows = rep.conn.execute(
        "SELECT v.field, v.origin, v.seq, v.value, v.author, v.hlc, e.received_at "
        "FROM versions v INDEXED BY versions_heads "
        "LEFT JOIN events e ON e.origin = v.origin AND e.seq = v.seq "
        "WHERE v.entity = 'progress' AND v.entity_id = ? AND v.superseded = 0 "
        "ORDER BY v.field, v.hlc DESC, v.origin DESC, v.seq DESC", (rid,)).fetchall()
    earliest = events.plan_start_hlc(rep.plan().start) if rows else 0
    computer = computers(rep) if rows else str
    out: dict[str, Candidate] = {}
    for field, group in groupby(rows, key=itemgetter(0)):
        heads = list(group)
        if len({head[3] for head in heads if head[3] is not None}) < 2:
            continue  # one value: no conflict
        _f, origin, seq, value, author, hlc, received_at = heads[0]
        out[field] = Candidate(
            f"{origin[:8]}:{seq}", f"{origin}:{seq}", json.loads(value), author,
            events.shown_time(hlc, received_at, earliest), True,
            computer(origin) == rep.replica_id, written_at=events.hlc_to_iso(hlc),
            restored_as=_restored_as(origin, computer))
    return out


def computers(rep: Replica) -> Callable[[str], str]:
    """replica id → the replica that names its computer: the latest one continuing it
    after restores from backups (this replica, for this computer's own). A laptop
    restored from a backup continues as a new replica, and a conflict between what it
    wrote before the restore and after was said to be two computers' writes, its
    versions from before the restore another computer's."""
    return _computers(rep)[0]


def _computers(rep: Replica) -> tuple[Callable[[str], str], frozenset[str]]:
    """``computers``, and the replicas it may name another replica for (this computer's
    earlier ones, those a restore continued): any other stands for its own computer.
    Versions whose replicas are all others than those are two computers' as soon as
    two replicas wrote them, which a query's ``min(origin)`` and ``max(origin)`` tell
    without every replica listed (``conflicts_apart``)."""
    from fieldplan.sync import keys as keyreg

    own = keyreg.own_replicas(rep)
    after = keyreg.successor_of(keyreg.all_keys(rep))

    def computer(replica: str) -> str:
        if replica in own:
            return rep.replica_id
        seen = {replica}
        while replica in after and after[replica] not in seen:
            replica = after[replica]
            seen.add(replica)
        return rep.replica_id if replica in own else replica

    return computer, frozenset(own - {rep.replica_id}) | frozenset(after)


def _restored_as(replica: str, computer: Callable[[str], str]) -> str:
    """The short id ``replica``'s computer continues as, restored from a backup since
    (``Candidate.restored_as``); "" when ``replica`` is its computer's latest."""
    now = computer(replica)
    return now[:8] if now != replica else ""


def _one_computer(origins: Iterable[str], computer: Callable[[str], str]) -> str:
    """The replica naming the one computer that wrote versions of ``origins`` (their
    replicas), "" when two or more computers did (``computers``)."""
    found = {computer(origin) for origin in origins}
    return found.pop() if len(found) == 1 else ""


def one_computer_fields(rep: Replica, action: str, period: str,
                        office: str | None = None) -> dict[str, str]:
    """Of one report's fields in an open conflict, those whose every version kept one
    computer wrote (``Conflict.one_replica``: its history holds versions that do not
    replace each other, no second computer wrote the field), each with that computer's
    replica id. The report form said of them that two computers had changed them."""
    rows = _origins_in_conflict(rep, action, period, office)
    computer = computers(rep) if rows else str
    out = {field: _one_computer(origins, computer) for field, origins in rows.items()}
    return {field: one for field, one in out.items() if one}


def _origins_in_conflict(rep: Replica, action: str, period: str,
                         office: str | None = None) -> dict[str, list[str]]:
    """Of one report's fields in an open conflict, the replicas that wrote the versions
    kept."""
    rid = report_id(office or rep.office, action, str(as_period(period)))
    rows = rep.conn.execute(
        "SELECT field, group_concat(DISTINCT origin) FROM versions "
        "INDEXED BY versions_heads "
        "WHERE entity = 'progress' AND entity_id = ? AND superseded = 0 "
        "GROUP BY field HAVING count(*) > 1 AND count(DISTINCT value) > 1",
        (rid,)).fetchall()
    return {field: origins.split(",") for field, origins in rows}


def written_here_before_restore(rep: Replica, action: str, period: str,
                                office: str | None = None) -> dict[str, bool]:
    """Of one report's fields in an open conflict whose every version kept was written
    on this computer (``written_here_only``), each with whether one of them was written
    before a restore from a backup (under a replica id this computer had then, brought
    back by an import). The report form's notice after a save beside a newer version
    said these came from elsewhere."""
    rows = _origins_in_conflict(rep, action, period, office)
    computer = computers(rep) if rows else str
    return {field: any(origin != rep.replica_id for origin in origins)
            for field, origins in rows.items()
            if _one_computer(origins, computer) == rep.replica_id}


def written_here_only(rep: Replica, action: str, period: str,
                      office: str | None = None) -> frozenset[str]:
    """Of one report's fields in an open conflict, those whose every version kept was
    written on this computer: a person typed over the value shown, another
    computer's, and their own earlier version, which it had replaced, stayed beside
    theirs (a write replaces the value shown, not the other versions of an open
    conflict: ``events.shown_versions``; a person settles those). The report form
    said that two computers had changed them (``one_computer_fields``, this one's)."""
    return frozenset(field for field, one in one_computer_fields(
        rep, action, period, office).items() if one == rep.replica_id)


def settled_here(rep: Replica) -> str:
    """Whose conflicts this replica settles: its office's code, "HQ" at headquarters."""
    return "HQ" if rep.is_hq else rep.office


def _conflict_id(entity: str, entity_id: str, field: str) -> str:
    return hashlib.sha256(f"{entity}|{entity_id}|{field}".encode()).hexdigest()[:10]


def locked_note(conflict: Conflict, here: str) -> str:
    """What to do about a conflict of a locked period, said to the computers of ``here``
    (an office code, or "HQ"); "" when its period is not locked. The office cannot
    settle it (a save is refused likewise) until headquarters unlocks the period."""
    if not conflict.locked:
        return ""
    return locked_period_note(conflict.period, conflict.office, here)


def locked_period_note(period: str, office: str, here: str, count: int = 1) -> str:
    """``locked_note`` of ``count`` conflicts on ``office``'s report(s) of ``period``, a
    period headquarters has locked (the client's dashboard says it of the period's, all
    its conflicts at once: "these conflicts" when more than one)."""
    words = period_words(period)
    if here == "HQ" and office == "HQ":
        return counted("{period} is locked: unlock it to settle this conflict.",
                       "{period} is locked: unlock it to settle these conflicts.",
                       count, period=words)
    if here == "HQ":
        return counted("{period} is locked: unlock it so that {office}'s computers can "
                       "settle this conflict.",
                       "{period} is locked: unlock it so that {office}'s computers can "
                       "settle these conflicts.",
                       count, period=words, office=office)
    if here == office:
        return counted("{period} is locked by headquarters: ask headquarters to unlock it "
                       "to settle this conflict.",
                       "{period} is locked by headquarters: ask headquarters to unlock it "
                       "to settle these conflicts.",
                       count, period=words)
    return ""


def keep_refusal(conflict: Conflict, candidate: Candidate, way: str = "") -> str:
    """Why keeping ``candidate`` is refused (a message, as the CLI prints it), though
    this computer settles the conflict; "" when it is not. A submitted report's value
    changes only once it is reopened, as ``record_progress`` refuses a save: keeping one
    would make it show, submitted, a value nobody submitted. Its state in conflict
    (a change crossed a submission) is settled by keeping "draft", which reopens it;
    keeping "submitted" would submit the changes the submission did not cover, unseen
    by whoever submitted: they are submitted as any report is, once a person saw them.
    A report the plan hides (``Conflict.hidden``) is neither edited nor reopened, so
    neither holds there: its values are kept as they are, and its state in conflict is
    settled by keeping "submitted" (nobody could edit nor submit the draft that keeping
    "draft" would make it, refused as a write on it is)."""
    if conflict.entity != "progress" or not conflict.period:
        return ""
    if conflict.hidden:
        return conflict.hidden if conflict.field == "state" and (
            candidate.value != "submitted") else ""
    if conflict.field == "state":
        if candidate.value != "submitted":
            return ""
        from fieldplan.i18n import state_label

        return _("keeping “{submitted}” would submit the changes made after the "
                 "submission, which whoever submitted did not see: keep “{draft}”, check "
                 "the report, then submit it again").format(
                     submitted=state_label("submitted"), draft=state_label("draft"))
    if conflict.submitted:
        return submitted_text(conflict.action, conflict.period, way)
    return ""


def refused_as_submitted(conflict: Conflict) -> bool:
    """Whether ``keep_refusal`` refuses every value of ``conflict`` because its report
    is submitted (reopening it is the way out): a field of a shown report, not its
    state."""
    return bool(conflict.entity == "progress" and conflict.period and conflict.submitted
                and not conflict.hidden and conflict.field != "state")


def _submitted(rep: Replica, entity_id: str) -> bool:
    """Whether a report shows "submitted" here (its state's winning value, picked as
    ``events.entity_state`` picks it, from the heads of that field alone: not the
    report's every field, its narratives with them)."""
    heads = rep.conn.execute(
        "SELECT hlc, origin, seq, value FROM versions INDEXED BY versions_heads "
        "WHERE entity = 'progress' AND entity_id = ? AND field = 'state' AND superseded = 0",
        (entity_id,)).fetchall()
    if not heads:
        return False
    return json.loads(max(heads, key=lambda h: (h[0], h[1], h[2]))[3]) == "submitted"


def _locked(rep: Replica, period: str) -> bool:
    try:
        return is_locked(rep, period)
    except ValidationError:  # not a period (a record from a damaged peer): no lock
        return False


#: The fields in conflict: more than one head, of different values. The heads are
#: counted on their index alone, and the values read only for a field of several heads
#: (few): counting distinct values over every head read each one's row, five times
#: as long at a 57-office headquarters (0.12 s against 0.025 s).
_CONFLICTED = """
    SELECT entity, entity_id, field FROM (
        SELECT entity, entity_id, field FROM versions INDEXED BY versions_heads
        WHERE superseded = 0 {where}
        GROUP BY entity, entity_id, field HAVING count(*) > 1) AS m
    WHERE (SELECT count(DISTINCT value) FROM versions v INDEXED BY versions_heads
           WHERE v.entity = m.entity AND v.entity_id = m.entity_id AND v.field = m.field
             AND v.superseded = 0) > 1
    ORDER BY entity, entity_id, field"""
#: (of reports) ``_CONFLICTED``'s fields, with the least and the greatest replica
#: among each one's versions (``conflicts_apart``)
_CONFLICTED_APART = """
    SELECT entity_id, field, low, high FROM (
        SELECT entity_id, field, min(origin) AS low, max(origin) AS high
        FROM versions INDEXED BY versions_heads
        WHERE superseded = 0 AND entity = 'progress'
        GROUP BY entity, entity_id, field HAVING count(*) > 1) AS m
    WHERE (SELECT count(DISTINCT value) FROM versions v INDEXED BY versions_heads
           WHERE v.entity = 'progress' AND v.entity_id = m.entity_id
             AND v.field = m.field AND v.superseded = 0) > 1
    ORDER BY entity_id, field"""


def conflicted_fields(rep: Replica) -> dict[str, tuple[str, ...]]:
    """Report id (``OFFICE|ACTION|PERIOD``) → its fields in an open conflict, in one
    query for every report (the data export's column ``open_conflicts``); the
    conflicts themselves, with their values, are ``list_conflicts``'."""
    out: dict[str, tuple[str, ...]] = {}
    for _entity, entity_id, field in rep.conn.execute(
            _CONFLICTED.format(where="AND entity = 'progress'")):
        out[entity_id] = (*out.get(entity_id, ()), field)
    return out


@dataclass(frozen=True)
class ReportConflicts:
    """One report's fields in an open conflict, told apart by who wrote their versions
    (``conflicts_apart``). A report may hold both kinds: its status written differently
    by two laptops, its percent by one laptop before and after its restore from a
    backup. Each place that counts reports in conflict counts it under each kind it
    holds (``split_apart``): one kind said for the whole report left the other unsaid."""

    #: fields two computers or more wrote differently (a person chooses between them),
    #: a field with versions of one of them from before its restore too
    apart: tuple[str, ...] = ()
    #: fields whose every version one computer wrote: its history holds versions that
    #: do not replace each other (``Conflict.one_replica``), no second computer wrote them
    own: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field in conflict, in order."""
        return tuple(sorted((*self.apart, *self.own)))


def conflicts_apart(rep: Replica, reports: Iterable[str] | None = None
                    ) -> dict[str, ReportConflicts]:
    """Report id (``OFFICE|ACTION|PERIOD``) → its fields in an open conflict, told apart
    (``ReportConflicts``), of every report (from one reading of the heads: headquarters'
    table of reports asks at each load), or of those of ``reports`` only. The one rule
    every place that tells the two kinds apart follows (sheet, pack, Dashboard, submit,
    import, Reports page), through ``split_apart``."""
    if reports is None:
        fields = rep.conn.execute(_CONFLICTED_APART).fetchall()
    else:
        fields = []
        for chunk, marks in _chunks(reports):
            fields += rep.conn.execute(
                "SELECT entity_id, field, min(origin), max(origin) "
                "FROM versions INDEXED BY versions_heads WHERE entity = 'progress' "
                f"AND superseded = 0 AND entity_id IN ({marks}) "
                # (two values or more: two heads or more)
                "GROUP BY entity_id, field HAVING count(DISTINCT value) > 1 "
                "ORDER BY entity_id, field", chunk).fetchall()
    return _told_apart(rep, fields)


def _chunks(ids: Iterable[str], size: int = 500) -> Iterable[tuple[list[str], str]]:
    """``ids`` (each once, sorted) in chunks of ``size``, each with the "?,?,…" of its
    ``IN (…)``: SQLite takes a bounded number of parameters in one statement."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        yield chunk, ",".join("?" * len(chunk))


def _told_apart(rep: Replica, fields: list[tuple[str, str, str, str]]
                ) -> dict[str, ReportConflicts]:
    """``conflicts_apart`` of the fields in an open conflict ``fields`` (report id,
    field, the least and the greatest replica among its versions): a field of one
    replica is one computer's; of two replicas neither of which ``computers`` names
    another for, two computers'. Only the rest (a computer restored from a backup) have
    their every replica read: most headquarters have none."""
    one: dict[tuple[str, str], bool] = {}
    renamed: frozenset[str] | None = None
    unsure: set[str] = set()
    for entity_id, field, low, high in fields:
        if low != high:
            if renamed is None:
                renamed = _computers(rep)[1]
            if low in renamed or high in renamed:
                unsure.add(entity_id)
                continue
        one[(entity_id, field)] = low == high
    if unsure:
        one.update(_restored_one_computer(rep, unsure))
    out: dict[str, tuple[list[str], list[str]]] = {}
    for entity_id, field, _low, _high in fields:
        apart, own = out.setdefault(entity_id, ([], []))
        (own if one.get((entity_id, field)) else apart).append(field)
    return {entity_id: ReportConflicts(tuple(apart), tuple(own))
            for entity_id, (apart, own) in out.items()}


def _restored_one_computer(rep: Replica, ids: Iterable[str]) -> dict[tuple[str, str], bool]:
    """(report id, field) → whether one computer wrote its every version, of the fields
    in conflict of the reports ``ids``, each field's every replica read and named by its
    computer (``computers``)."""
    out: dict[tuple[str, str], bool] = {}
    computer = computers(rep)
    for chunk, marks in _chunks(ids):
        for entity_id, field, origins in rep.conn.execute(
                "SELECT entity_id, field, group_concat(DISTINCT origin) "
                "FROM versions INDEXED BY versions_heads WHERE entity = 'progress' "
                f"AND superseded = 0 AND entity_id IN ({marks}) "
                "GROUP BY entity_id, field HAVING count(DISTINCT value) > 1", chunk):
            out[(entity_id, field)] = bool(_one_computer(origins.split(","), computer))
    return out


def split_apart(found: Mapping[str, ReportConflicts], keys: Iterable[str]
                ) -> tuple[list[str], list[str]]:
    """Of ``keys`` (reports in conflict, by the keys ``found`` has them under), those
    with a field two computers wrote differently, and those with a field one computer's
    history holds versions of (``ReportConflicts``), in ``keys``' order: a report of
    both kinds is in both. One not in ``found`` (its conflict settled since it was
    listed) is counted as two computers', as conflicts were before they were told
    apart."""
    apart: list[str] = []
    own: list[str] = []
    for key in keys:
        kinds = told_apart(found, key)
        if kinds.apart:
            apart.append(key)
        if kinds.own:
            own.append(key)
    return apart, own


def told_apart(found: Mapping[str, ReportConflicts], key: str,
               fields: Iterable[str] = ("",)) -> ReportConflicts:
    """``found[key]``; a report not there (its conflict settled since it was listed)
    has its ``fields`` counted as two computers', as conflicts were before they were
    told apart."""
    kinds = found.get(key)
    return kinds if kinds is not None else ReportConflicts(apart=tuple(fields))


def conflicted_of(rep: Replica, records: Iterable[tuple[str, str]] | None = None
                  ) -> set[tuple[str, str, str]]:
    """(entity, entity_id, field) of every field in an open conflict, of these records
    ((entity, entity_id)) only when given."""
    if records is None:
        return set(rep.conn.execute(_CONFLICTED.format(where="")))
    by_kind: dict[str, list[str]] = {}
    for entity, entity_id in records:
        by_kind.setdefault(entity, []).append(entity_id)
    found: set[tuple[str, str, str]] = set()
    for entity, ids in by_kind.items():
        for chunk, marks in _chunks(ids):
            found.update(rep.conn.execute(_CONFLICTED.format(
                where=f"AND entity = ? AND entity_id IN ({marks})"), (entity, *chunk)))
    return found


def reports_in_conflict(rep: Replica, reports: Iterable[str]) -> set[str]:
    """Those of ``reports`` (ids) with a field in an open conflict: asked of the
    reports an import changed only, not of every report held at each import."""
    found: set[str] = set()
    for chunk, marks in _chunks(reports):
        found.update(row[1] for row in rep.conn.execute(_CONFLICTED.format(
            where=f"AND entity = 'progress' AND entity_id IN ({marks})"), chunk))
    return found


def actions_apart(rep: Replica, office: str, period: str,
                  actions: Iterable[str]) -> dict[str, ReportConflicts]:
    """``conflicts_apart`` of ``office``'s reports of ``period`` on ``actions`` (codes),
    by action code: what the submit warning, the Dashboard and the status sheet tell
    apart."""
    ids = {report_id(office, action, str(as_period(period))): action for action in actions}
    return {ids[rid]: kinds for rid, kinds in conflicts_apart(rep, ids).items()} if ids \
        else {}


def period_conflicts(rep: Replica, period: str, office: str | None = None
                     ) -> dict[str, tuple[str, ...]]:
    """Action code → its fields in an open conflict, for ``office``'s (this replica's)
    reports of ``period``: what submitting the period would submit with the values
    shown meanwhile, the other computer's unseen (the submit dialog, ``progress
    submit``)."""
    office = office or rep.office
    out: dict[str, tuple[str, ...]] = {}
    for entity_id, fields in conflicted_fields(rep).items():
        parts = entity_id.split("|")
        if len(parts) == 3 and parts[0] == office and parts[2] == period:
            out[parts[1]] = fields
    return dict(sorted(out.items()))


def count_conflicts(rep: Replica, period: str | None = None) -> int:
    """How many conflicts ``list_conflicts`` lists (with ``period``: of the reports of
    that period), from the fields in conflict alone: their values, authors, times and
    reports' states are read for a listing, never for a count. At a headquarters of
    tens of thousands of conflicts the listing took seconds, and the window's sync
    state (at every save) and the lock's check waited for it to count them."""
    rows = rep.conn.execute(_CONFLICTED.format(where="")).fetchall()
    if period is None:
        return len(rows)
    return sum(1 for entity, entity_id, _field in rows
               if entity == "progress" and _period_of(entity_id) == period)


def _period_of(entity_id: str) -> str:
    """A report's period from its id (``Conflict.period``)."""
    parts = entity_id.split("|")
    return parts[2] if len(parts) == 3 else ""


#: The fields of several heads and of more than one value (``_CONFLICTED``), with how
#: many versions and values each has, and the replica that wrote them all when one did
#: ("" else), in the conflicts' order.
_CONFLICT_FIELDS = """
    SELECT entity, entity_id, field, n, nvalues, one FROM (
        SELECT entity, entity_id, field, n, one,
               (SELECT count(DISTINCT value) FROM versions v INDEXED BY versions_heads
                WHERE v.entity = m.entity AND v.entity_id = m.entity_id
                  AND v.field = m.field AND v.superseded = 0) AS nvalues
        FROM (SELECT entity, entity_id, field, count(*) AS n,
                     CASE WHEN min(origin) = max(origin) THEN min(origin) ELSE '' END
                     AS one
              FROM versions INDEXED BY versions_heads WHERE superseded = 0
              GROUP BY entity, entity_id, field HAVING count(*) > 1) AS m)
    WHERE nvalues > 1
    ORDER BY entity, entity_id, field"""

#: Every head, with its arrival here, of every field of 2 to ``:limit`` heads (each
#: shown), in the conflicts' order, each field's from the winner on (the heads' order,
#: as everywhere). One query: a query per conflict, 17,500 at a large headquarters,
#: took most of the second its listing took.
_NARROW_HEADS = """
    SELECT v.entity, v.entity_id, v.field, v.origin, v.seq, v.value, v.author, v.hlc,
           e.received_at
    FROM (SELECT entity, entity_id, field FROM versions INDEXED BY versions_heads
          WHERE superseded = 0
          GROUP BY entity, entity_id, field HAVING count(*) BETWEEN 2 AND :limit) AS m
    JOIN versions v INDEXED BY versions_heads
      ON v.entity = m.entity AND v.entity_id = m.entity_id AND v.field = m.field
         AND v.superseded = 0
    LEFT JOIN events e ON e.origin = v.origin AND e.seq = v.seq
    ORDER BY v.entity, v.entity_id, v.field, v.hlc DESC, v.origin DESC, v.seq DESC"""

_ONE_FIELD = ("FROM versions INDEXED BY versions_heads WHERE entity = :entity "
              "AND entity_id = :entity_id AND field = :field AND superseded = 0")

#: Of one field of more heads than ``:limit``, the first version of each value (in
#: the heads' order: the greatest clock, then origin, then sequence, written as one
#: text that sorts so), the first ``:limit`` values; and its first ``:limit`` heads.
#: Read so, not every head into Python: a Candidate made for each of 1.6 million
#: open versions (2,002 of one field) took 35 s and 2 GB to show the Conflicts tab,
#: which shows 32 of a field at most (``shown_candidates``).
_FIRST_OF_EACH_VALUE = f"""
    SELECT f.origin, f.seq, f.value, f.author, f.hlc, e.received_at
    FROM (SELECT max(printf('%020d %s %020d', hlc, origin, seq)) AS k, origin, seq, value,
                 author, hlc {_ONE_FIELD} GROUP BY value) AS f
    LEFT JOIN events e ON e.origin = f.origin AND e.seq = f.seq
    ORDER BY f.k DESC LIMIT :limit"""
_FIRST_HEADS = f"""
    SELECT v.origin, v.seq, v.value, v.author, v.hlc, e.received_at
    FROM (SELECT origin, seq, value, author, hlc {_ONE_FIELD}
          ORDER BY hlc DESC, origin DESC, seq DESC LIMIT :limit) AS v
    LEFT JOIN events e ON e.origin = v.origin AND e.seq = v.seq
    ORDER BY v.hlc DESC, v.origin DESC, v.seq DESC"""


def _shown_rows(rep: Replica, limit: int = SHOWN_VERSIONS) -> list[tuple]:
    """The versions shown (``shown_candidates``) of every open conflict, as
    ``_conflicts`` reads them: each field's in the heads' order, then how many
    versions and values it has."""
    narrow: dict[tuple, list[tuple]] = {}
    for key, group in groupby(rep.conn.execute(_NARROW_HEADS, {"limit": limit}),
                              key=itemgetter(0, 1, 2)):
        narrow[key] = list(group)
    rows: list[tuple] = []
    for entity, entity_id, field, versions, values, one in rep.conn.execute(
            _CONFLICT_FIELDS).fetchall():
        if versions <= limit:
            rows += [(*head, versions, values, one) for head in narrow.get(
                (entity, entity_id, field), ())]
            continue
        where = {"entity": entity, "entity_id": entity_id, "field": field, "limit": limit}
        heads = rep.conn.execute(_FIRST_OF_EACH_VALUE, where).fetchall()
        if len(heads) < limit:  # every value shown: the room left to the first others
            firsts = {head[:2] for head in heads}
            heads += [head for head in rep.conn.execute(_FIRST_HEADS, where)
                      if head[:2] not in firsts][:limit - len(heads)]
        heads.sort(key=itemgetter(4, 0, 1), reverse=True)
        rows += [(entity, entity_id, field, *head[:5], head[5], versions, values, one)
                 for head in heads]
    return rows


def _submitted_reports(rep: Replica, entity_ids: Iterable[str]) -> set[str]:
    """Those of the reports ``entity_ids`` that show "submitted" here (``_submitted``
    of each, read in a few queries, not one per report)."""
    shown: dict[str, tuple] = {}  # report -> (hlc, origin, seq, value) of its winner
    for chunk, marks in _chunks(entity_ids):
        for entity_id, *head in rep.conn.execute(
                "SELECT entity_id, hlc, origin, seq, value FROM versions "
                "INDEXED BY versions_heads WHERE entity = 'progress' AND field = 'state' "
                f"AND superseded = 0 AND entity_id IN ({marks})", chunk):
            if entity_id not in shown or tuple(head[:3]) > shown[entity_id][:3]:
                shown[entity_id] = tuple(head)
    return {entity_id for entity_id, head in shown.items()
            if json.loads(head[3]) == "submitted"}


def list_conflicts(rep: Replica) -> list[Conflict]:
    """The open conflicts, each one's values from the one
    shown meanwhile (the winner) on: the versions shown of each (``shown_candidates``,
    every one when they are no more than ``SHOWN_VERSIONS``), the others counted
    (``Conflict.versions``); ``open_conflict`` reads one conflict's every version.
    Listed as a person reads them (``plan.in_report_order`` in the language spoken):
    by office, action number, period, then a report's fields as its sheet prints them
    (by their stored ids, PA1.10 came before PA1.2, Achievements before Status)."""
    from fieldplan.i18n import get_language
    from fieldplan.plan import in_report_order

    return in_report_order(_conflicts(rep, _shown_rows(rep)), rep.plan(), get_language())


def open_conflict(rep: Replica, conflict_id: str) -> Conflict:
    """The open conflict ``conflict_id`` with every version (``conflicts show``, and
    what keeping a value replaces), read for it alone; ValidationError when none is
    open by that id."""
    wanted = conflict_id.strip().lower()
    for entity, entity_id, field in rep.conn.execute(_CONFLICTED.format(where="")):
        if _conflict_id(entity, entity_id, field) == wanted:
            rows = rep.conn.execute(
                "SELECT v.entity, v.entity_id, v.field, v.origin, v.seq, v.value, "
                "v.author, v.hlc, e.received_at, 0, 0, '' "
                "FROM versions v INDEXED BY versions_heads "
                "LEFT JOIN events e ON e.origin = v.origin AND e.seq = v.seq "
                "WHERE v.entity = ? AND v.entity_id = ? AND v.field = ? "
                "AND v.superseded = 0 "
                "ORDER BY v.hlc DESC, v.origin DESC, v.seq DESC",
                (entity, entity_id, field)).fetchall()
            found = _conflicts(rep, rows)
            if found:
                return found[0]
    raise ValidationError(
        _("no open conflict {id} (see 'fieldplan conflicts list')").format(id=conflict_id))


def _conflicts(rep: Replica, rows: list) -> list[Conflict]:
    """The conflicts of ``rows`` (``_NARROW_HEADS``' columns: each field's versions in
    the heads' order, then how many versions and values it has, 0 when ``rows`` hold
    every one, and the replica that wrote them all, "" when two or more did or when
    ``rows`` hold every one)."""
    out: list[Conflict] = []
    computer = computers(rep) if rows else str
    own = rep.replica_id
    locks: dict[str, bool] = {}
    scope = None
    # read once for all the conflicts that share them (a report's several fields in
    # conflict, the candidates of one import, the values and the seconds many share):
    # at a headquarters of tens of thousands of conflicts, reading each report's every
    # field to know its state, and parsing each arrival time anew, took most of the
    # seconds the listing took
    submitted = _submitted_reports(rep, (row[1] for row in rows if row[0] == "progress"))
    hidden_of: dict[str, str] = {}
    arrival_known: dict[str, bool] = {}
    iso_of: dict[int, str] = {}  # a second's clock values -> that second, written out
    parsed: dict[str, Any] = {}  # a value as stored -> its value, when immutable

    # (a writer's clock gone back to 2000 dates a change before the plan existed: its
    # arrival is shown, as the report list does)
    earliest = events.plan_start_hlc(rep.plan().start) if rows else 0

    def shown(made: str, received_at: str | None, hlc: int) -> str:
        # events.shown_time, its writer's clock written out once for both times
        if not received_at:
            return made
        known = arrival_known.get(received_at)
        if known is None:
            known = arrival_known[received_at] = events.arrival_hlc(received_at) is not None
        if not known:
            return made
        return received_at if hlc < earliest else min(made, received_at)

    def written(hlc: int) -> str:
        # events.hlc_to_iso: to the second
        second = (hlc >> 16) // 1000
        made = iso_of.get(second)
        if made is None:
            made = iso_of[second] = events.hlc_to_iso(hlc)
        return made

    def value_of(stored: str) -> Any:
        value = parsed.get(stored, parsed)
        if value is parsed:
            value = json.loads(stored)
            if value is None or isinstance(value, str | int | float):
                parsed[stored] = value  # (a list or a dict is each candidate's own)
        return value

    for (entity, entity_id, field), group in groupby(rows, key=itemgetter(0, 1, 2)):
        heads = list(group)
        if len({head[5] for head in heads if head[5] is not None}) < 2:
            continue  # one value (as SQL's count(DISTINCT value) counts them): agreed
        # (the winner by the heads' order alone, as everywhere: the arrival only caps
        # the time shown, as the report list does)
        cands = []
        versions, values, one = heads[0][9:12]
        for _e, _i, _f, o, s, v, a, h, r, _n, _d, _o in heads:
            made = written(h)
            cands.append(Candidate(f"{o[:8]}:{s}", f"{o}:{s}", value_of(v), a,
                                   shown(made, r, h), not cands, computer(o) == own,
                                   written_at=made, restored_as=_restored_as(o, computer)))
        # (one computer's history: its replicas before and after a restore too)
        one = computer(one) if one else (
            _one_computer((c.full_id.rsplit(":", 1)[0] for c in cands), computer)
            if not versions or versions == len(cands) else "")
        cid = _conflict_id(entity, entity_id, field)
        parts = entity_id.split("|")
        if entity == "progress" and len(parts) == 3 and parts[2]:
            # as resolve_conflict refuses it (refuse_if_locked)
            office, action, period = parts
            if period not in locks:
                locks[period] = _locked(rep, period)
            if entity_id not in hidden_of:
                if scope is None:
                    from fieldplan.planops import PlanScope

                    scope = PlanScope(rep.plan())
                hidden = hidden_refusal(rep, office, action, period, scope)
                hidden_of[entity_id] = str(hidden) if hidden is not None else ""
            out.append(Conflict(cid, entity, entity_id, field, tuple(cands),
                                locked=locks[period], submitted=entity_id in submitted,
                                hidden=hidden_of[entity_id], versions=versions,
                                values=values, one_replica=one))
        else:
            out.append(Conflict(cid, entity, entity_id, field, tuple(cands),
                                versions=versions, values=values, one_replica=one))
    return out


def texts_kept(conflict: Conflict) -> tuple[str, ...]:
    """The texts ``texts_together`` keeps of a narrative conflict, in its order; () when
    fewer than two are left. Each different text once (texts that differ only in their
    spaces and line breaks are one), and a text another holds whole (``holds_whole``:
    a person's merge holds what it merged) left out, the longer one holding it."""
    if conflict.field not in NARRATIVE_FIELDS:
        return ()
    texts: dict[str, str] = {}  # (flattened → as written)
    for cand in reversed(conflict.candidates):  # (newest first, by their clocks)
        text = cand.value.strip() if isinstance(cand.value, str) else ""
        if text:
            texts.setdefault(_flattened(text), text)
    kept = tuple(text for flat, text in texts.items()
                 # (found in the other at all, first: a quick look, where a conflict
                 # of dozens of versions compares each text with every other)
                 if not any(flat != other_flat and flat in other_flat
                            and holds_whole(other, text)
                            for other_flat, other in texts.items()))
    return kept if len(kept) > 1 else ()


def texts_together(conflict: Conflict) -> str:
    """A narrative conflict's texts in one (``texts_kept``): the earliest written
    first, a blank line between them; "" when fewer than two are left."""
    return "\n\n".join(texts_kept(conflict))


#: what ends a sentence, in the plan's languages
_SENTENCE_ENDS = frozenset(".!?…؟۔。")


def _flattened(text: str) -> str:
    """``text`` with each run of spaces and line breaks made one space: texts that
    differ only there say the same (a line broken again, a space typed twice)."""
    return " ".join(text.split())


def holds_whole(longer: str, shorter: str) -> bool:
    """Whether ``longer`` holds ``shorter`` as whole sentences or lines of its own,
    spaces and line breaks aside: as a person's merge of two texts holds each. Not a
    text found inside a word or a sentence: a laptop's "No" is not in the other's
    "None of the trainers came", nor "Roads cut" in "Roads cut by floods", and keeping
    the longer one alone would lose what the short one said."""
    words = shorter.split()
    if not words:
        return True
    pattern = re.compile("(?=(" + r"\s+".join(map(re.escape, words)) + "))")
    for found in pattern.finditer(longer):
        start, end = found.span(1)
        before, after = longer[:start], longer[end:]
        gap_before = before[len(before.rstrip()):]
        gap_after = after[:len(after) - len(after.lstrip())]
        begins = not before.strip() or "\n" in gap_before or (
            gap_before and before.rstrip()[-1] in _SENTENCE_ENDS)
        ends = not after.strip() or "\n" in gap_after or (
            gap_after and words[-1][-1] in _SENTENCE_ENDS)
        if begins and ends:
            return True
    return False


def keep_texts_together(rep: Replica, conflict_id: str,
                        seen: Conflict | None = None) -> Changes:
    """Settle a narrative conflict by keeping every version's text, one after the other
    (``texts_together``): two laptops that each wrote what they did lose neither (keeping
    one replaced the other's for good, with nothing to show it had been). ``seen``: the
    conflict as the person was shown it (``refuse_if_unseen``)."""
    conflict = _still_open(rep, conflict_id, seen)
    if conflict.hidden:
        # as the Conflicts page offers no Keep both there: a text nobody wrote would be
        # written on a report nobody can edit (keeping a version's value is not a change)
        raise ValidationError(_(
            "{why}; nobody edits the report, so its texts cannot be kept together: keep "
            "one version's text").format(why=conflict.hidden))
    kept = texts_kept(conflict)
    if not kept:
        raise ValidationError(_("conflict {id} is not between texts").format(id=conflict.id))
    too_long = together_too_long(kept)
    if too_long:
        raise ValidationError(too_long)
    return _settle(rep, conflict, "\n\n".join(kept), None)


def together_too_long(kept: Sequence[str]) -> str:
    """Why the texts ``kept`` (``texts_kept``) cannot be kept one after the other: their
    text together would be longer than a narrative holds (``MAX_TEXT``); "" when it
    fits. The Conflicts page says it on its Keep both, disabled, before it is pressed."""
    if len("\n\n".join(kept)) <= MAX_TEXT:
        return ""
    return _("the texts together are longer than {limit} characters: keep one, then add "
             "what the other says to it in the report").format(limit=format_number(MAX_TEXT))


def resolve_conflict(rep: Replica, conflict_id: str, keep: str,
                     seen: Conflict | None = None) -> Changes:
    """Settle a conflict by keeping one candidate's value (by its value id, any of its
    versions, shown or not): every version is replaced, in one transaction, however
    many (``events.append_replacing``). ``seen``: the conflict as the person was shown
    it, when known (the Conflicts page): refused when a version of a value it did not
    hold arrived since (``refuse_if_unseen``)."""
    conflict = _still_open(rep, conflict_id, seen)
    keep = _value_key(keep)
    chosen = [c for c in conflict.candidates
              if keep in (_value_key(c.value_id), _value_key(c.full_id))]
    if not chosen:
        # those 'conflicts list' prints, one of each value first: every version of a
        # conflict a re-signed bundle left made a line of thousands of ids
        ids = join_list(c.value_id for c in conflict.shown)
        raise ValidationError(_("conflict {id} has no value {value} (values: {values})").format(
            id=conflict.id, value=keep, values=ids))
    return _settle(rep, conflict, chosen[0].value, chosen[0])


def _value_key(value_id: str) -> str:
    """A value id as compared: pasted with a space around it or in capitals, it is
    the same id, as a conflict id is (``open_conflict``)."""
    return value_id.strip().lower()


def _still_open(rep: Replica, conflict_id: str, seen: Conflict | None) -> Conflict:
    """``open_conflict``, and ``refuse_if_unseen`` of it when the conflict as shown
    (``seen``) is known; one settled since it was shown is said to be, not as a
    mistyped id is (the page told to look at 'fieldplan conflicts list')."""
    if seen is None:
        return open_conflict(rep, conflict_id)
    try:
        conflict = open_conflict(rep, conflict_id)
    except ValidationError:
        raise ValidationError(_(
            "this conflict was settled since it was shown (on another computer, or "
            "here a moment ago): nothing was changed")) from None
    refuse_if_unseen(conflict, seen)
    return conflict


def conflict_as_seen(rep: Replica, conflict_id: str, value_ids: Iterable[str]) -> Conflict:
    """The open conflict ``conflict_id`` as a person was shown it, given by the value
    ids of the versions they saw (``conflicts resolve --seen``, from what 'conflicts
    list' printed): the ``seen`` that ``resolve_conflict`` and ``keep_texts_together``
    refuse a value that arrived since against (``refuse_if_unseen``), as the
    Conflicts page gives the conflict it showed. An id that is not a version of the
    conflict now (mistyped, or one another computer's later write replaced) is
    refused: ValidationError, nothing checked against a conflict no one saw."""
    conflict = open_conflict(rep, conflict_id)
    wanted = {_value_key(v) for v in value_ids if v.strip()}

    def keys(c: Candidate) -> set[str]:
        return {_value_key(c.value_id), _value_key(c.full_id)}

    ids = set().union(*(keys(c) for c in conflict.candidates))
    for missing in sorted(wanted - ids):
        raise ValidationError(_(
            "conflict {id} has no version {value} now: look at it again with 'fieldplan "
            "conflicts show {id}'").format(id=conflict.id, value=missing))
    shown = tuple(c for c in conflict.candidates if wanted & keys(c))
    return replace(conflict, candidates=shown, versions=0, values=0, one_replica="")


def unseen_values(conflict: Conflict, seen: Conflict) -> int:
    """How many values ``conflict`` (as it is now, every version read) holds that the
    conflict as it was shown (``seen``) did not: versions that arrived since, by an
    import, from a computer that wrote the field too. Of a conflict shown in part
    (``Conflict.complete``: its versions beyond ``SHOWN_VERSIONS`` counted, the page
    saying that keeping a value replaces them too), the values it holds now beyond
    those it had then."""
    shown = {events.value_json(c.value) for c in seen.candidates}
    now = {events.value_json(c.value) for c in conflict.candidates}
    if seen.complete:
        return len(now - shown)
    return max(0, len(now) - seen.values)


def refuse_if_unseen(conflict: Conflict, seen: Conflict) -> None:
    """ValidationError when ``conflict`` holds a value the person was not shown
    (``unseen_values``): keeping one of the values they saw replaces every version,
    and one that arrived while they chose (an import) was replaced with no one having
    seen it. Versions that arrived of values shown are replaced, as those shown are."""
    new = unseen_values(conflict, seen)
    if new:
        raise ValidationError(counted(
            "another computer's version of this field, with a value not shown, arrived "
            "since the conflict was shown: look at it, then keep a value again",
            "other computers' versions of this field, with {n} values not shown, arrived "
            "since the conflict was shown: look at them, then keep a value again", new))


def _settle(rep: Replica, conflict: Conflict, value: Any,
            chosen: Candidate | None) -> Changes:
    """Replace every version of ``conflict`` by ``value`` (that of ``chosen``, or the
    texts together), as refused for a locked period, a submitted report, or another
    office's conflict."""
    owner = conflict.office
    if owner != settled_here(rep):
        raise ValidationError(_("only the computers of {office} can resolve this "
                                "conflict").format(office=owner))
    with store.write_transaction(rep.conn):
        if conflict.entity == "progress" and conflict.period:
            # keeping a value changes the report: refused as a save is (an office
            # that has received the lock; headquarters until it unlocks)
            refuse_if_locked(rep, conflict.period)
            # nor while the report is submitted (as read now, in the transaction)
            now = replace(conflict, submitted=_submitted(rep, conflict.entity_id))
            refused = keep_refusal(now, chosen or conflict.candidates[0])
            if refused and refused_as_submitted(now):
                raise SubmittedReportError(refused, conflict.action, conflict.period)
            if refused:
                raise ValidationError(refused)
        # every version, and those of the field a restore lost (``over_lost``): more
        # than one event's base names (peers refuse a wider one) are replaced by a
        # chain of events, written here at once
        replaced = [*(c.full_id for c in conflict.candidates),
                    *lost_versions(rep, conflict.entity, conflict.entity_id, conflict.field)]
        fields = {conflict.field: value}
        base = {conflict.field: list(dict.fromkeys(replaced))}
        fields_and_base = _made_to_a_draft(rep, conflict)
        if fields_and_base is not None:
            fields.update(fields_and_base[0])
            base.update(fields_and_base[1])
        written = events.append_chain(rep.conn, conflict.entity, conflict.entity_id,
                                      fields, author=rep.author, base=base)
    return Changes(entities=((conflict.entity, conflict.entity_id),), events=len(written))


def _made_to_a_draft(rep: Replica, conflict: Conflict
                     ) -> tuple[dict[str, Any], dict[str, list[str]]] | None:
    """The report's state a value kept says it is kept in ("draft", over the state
    shown), as ``progress.record_progress`` says it of a save: the field and its base,
    None when it says none. Another computer that submitted the report meanwhile,
    unseen here, wrote "submitted" over the same state, and the two are a conflict that
    a person settles; without it every computer showed the report submitted with the
    value kept here, which nobody submitted. None of a report's state in conflict
    (keeping it is the state), of a report the plan hides (nobody edits nor reopens it),
    and while this computer's own "draft" is in no bundle yet (no other computer can
    have submitted over it)."""
    if (conflict.entity != "progress" or not conflict.period or conflict.field == "state"
            or conflict.hidden):
        return None
    from fieldplan.progress import _unseen_own_draft
    from fieldplan.sync.state import over_lost

    state = events.shown_versions(rep.conn, "progress", conflict.entity_id).get("state")
    if _unseen_own_draft(rep, state):
        return None
    base = over_lost(rep, "progress", conflict.entity_id, ("state",),
                     {"state": list(state[1])} if state else {}) or {}
    return {"state": "draft"}, {k: v for k, v in base.items() if v}
