"""Conflicts: a field with several heads of different values (two replicas wrote it
without seeing each other's write). The winner shown meanwhile is deterministic; a
person resolves the conflict with an event that replaces every head."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _
from fieldplan.progress import refuse_if_locked
from fieldplan.replica import Changes, Replica


@dataclass(frozen=True)
class Candidate:
    """One competing value. value_id: ``<origin 8>:<seq>``; winner: shown meanwhile."""

    value_id: str
    full_id: str
    value: Any
    author: str
    at: str
    winner: bool


@dataclass(frozen=True)
class Conflict:
    """Competing values of one field of one record."""

    id: str
    entity: str
    entity_id: str
    field: str
    candidates: tuple[Candidate, ...]

    @property
    def office(self) -> str:
        return self.entity_id.split("|")[0] if self.entity == "progress" else "HQ"

    @property
    def action(self) -> str:
        parts = self.entity_id.split("|")
        return parts[1] if len(parts) == 3 else ""

    @property
    def period(self) -> str:
        parts = self.entity_id.split("|")
        return parts[2] if len(parts) == 3 else ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "entity": self.entity, "record": self.entity_id,
                "office": self.office, "action": self.action, "period": self.period,
                "field": self.field,
                "candidates": [{"value_id": c.value_id, "value": c.value, "author": c.author,
                                "at": c.at, "winner": c.winner} for c in self.candidates]}


def _conflict_id(entity: str, entity_id: str, field: str) -> str:
    return hashlib.sha256(f"{entity}|{entity_id}|{field}".encode()).hexdigest()[:10]


def list_conflicts(rep: Replica) -> list[Conflict]:
    rows = rep.conn.execute(
        "SELECT entity, entity_id, field FROM versions INDEXED BY versions_heads "
        "WHERE superseded = 0 "
        "GROUP BY entity, entity_id, field HAVING count(*) > 1 AND count(DISTINCT value) > 1 "
        "ORDER BY entity, entity_id, field").fetchall()
    out = []
    for entity, entity_id, field in rows:
        heads = rep.conn.execute(
            "SELECT origin, seq, value, author, hlc FROM versions INDEXED BY versions_heads "
            "WHERE entity = ? AND entity_id = ? AND field = ? AND superseded = 0 "
            "ORDER BY hlc DESC, origin DESC, seq DESC", (entity, entity_id, field)).fetchall()
        cands = tuple(
            Candidate(f"{o[:8]}:{s}", f"{o}:{s}", json.loads(v), a, events.hlc_to_iso(h), i == 0)
            for i, (o, s, v, a, h) in enumerate(heads))
        out.append(Conflict(_conflict_id(entity, entity_id, field), entity, entity_id, field,
                            cands))
    return out


def resolve_conflict(rep: Replica, conflict_id: str, keep: str) -> Changes:
    """Settle a conflict by keeping one candidate's value (by its value id)."""
    match = [c for c in list_conflicts(rep) if c.id == conflict_id.strip().lower()]
    if not match:
        raise ValidationError(
            _("no open conflict {id} (see 'fieldplan conflicts list')").format(id=conflict_id))
    conflict = match[0]
    chosen = [c for c in conflict.candidates if keep in (c.value_id, c.full_id)]
    if not chosen:
        ids = ", ".join(c.value_id for c in conflict.candidates)
        raise ValidationError(_("conflict {id} has no value {value} (values: {values})").format(
            id=conflict.id, value=keep, values=ids))
    owner = conflict.office
    if owner != (rep.office if not rep.is_hq else "HQ"):
        raise ValidationError(_("only {office}'s replicas can resolve this conflict").format(
            office=owner))
    if len(conflict.candidates) > events.MAX_BASE_PER_FIELD:
        # peers refuse an event replacing more versions of one field than this
        raise ValidationError(_("conflict {id} has {count} values, more than one resolution "
                                "can settle ({limit})").format(
                                    id=conflict.id, count=len(conflict.candidates),
                                    limit=events.MAX_BASE_PER_FIELD))
    with store.write_transaction(rep.conn):
        if conflict.entity == "progress" and conflict.period:
            # keeping a value changes the report: refused as a save is (an office
            # that has received the lock; headquarters until it unlocks)
            refuse_if_locked(rep, conflict.period)
        events.append(rep.conn, conflict.entity, conflict.entity_id,
                      {conflict.field: chosen[0].value}, author=rep.author,
                      base={conflict.field: [c.full_id for c in conflict.candidates]})
    return Changes(entities=((conflict.entity, conflict.entity_id),), events=1)
