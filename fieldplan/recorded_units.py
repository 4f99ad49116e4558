"""The unit an indicator's value was recorded in, when a later plan version changed it.

A plan version may change what an indicator counts (PA4.1/people-assisted from people
to households). The figures typed before it were typed in the old unit: 750 people are
not 750 households. Nothing in a report names the plan version it was typed under, so
each value is dated by its own clock: it was recorded under the latest plan version
installed (by headquarters' clock) before it was written. A value an office wrote after
headquarters installed the new version but before the office received it reads in the
new unit, as every value did before this module: the clocks cannot tell it apart. A
value written again (the officer types it over) is in the unit of the plan then held.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedUnit:
    """The unit a value was recorded in, the installed plan's being another.

    unit: the English unit of the plan version it was recorded under (``people``).
    unit_fr, unit_ar: that version's words for it in French and Arabic ("" for none).
    version: that plan version's number (0 when it gave none).
    indicator: the indicator as that version put it (its dict, ``plan_to_dict``'s
    shape): its target in that unit.
    """

    unit: str
    unit_fr: str = ""
    unit_ar: str = ""
    version: int = 0
    indicator: Any = field(default=None, compare=False, repr=False)

    def worded(self, lang: str) -> str:
        """The plan version's own word for the unit in ``lang`` ("" for fieldplan's)."""
        return {"fr": self.unit_fr, "ar": self.unit_ar}.get(lang, "")

    def unit_in(self, lang: str | None = None) -> str:
        """The unit in words in ``lang`` (default: current), as ``Indicator.unit_in``."""
        from fieldplan.i18n import unit_words

        return unit_words(self.unit, self.unit_fr, self.unit_ar, lang)


#: (office, action, period, indicator key) → the unit its value was recorded in.
Recorded = dict[tuple[str, str, str, str], RecordedUnit]


def _unit_of(raw: Any) -> RecordedUnit | None:
    if isinstance(raw, str):
        return RecordedUnit(raw)
    if isinstance(raw, Mapping) and isinstance(raw.get("en"), str):
        return RecordedUnit(raw["en"], str(raw.get("fr") or ""), str(raw.get("ar") or ""))
    return None


def _versions(rep) -> list[tuple[int, dict[tuple[str, str], RecordedUnit]]]:
    """(hlc, (action, key) → unit) of every plan version held, in clock order."""
    from fieldplan.planops import actions_of, plan_history

    out = []
    for hlc, doc in plan_history(rep):
        try:
            version = doc["plan"]["version"]
        except (TypeError, KeyError):
            continue  # (not a plan document this version reads)
        if "actions" not in doc:
            continue
        units = {}
        for a in actions_of(doc):
            if not isinstance(a.get("indicators"), list):
                continue
            for i in a["indicators"]:
                unit = _unit_of(i.get("unit")) if isinstance(i, dict) else None
                if unit is not None:
                    units[(str(a.get("code", "")), str(i.get("key", "")))] = RecordedUnit(
                        unit.unit, unit.unit_fr, unit.unit_ar,
                        version if type(version) is int else 0, i)
        out.append((hlc, units))
    return out


def recorded_units(rep, plan=None, *, period: str | None = None,
                   office: str | None = None) -> Recorded:
    """The values held (of one period, of one office, when given) recorded under a plan
    version whose English unit for their indicator is not the installed plan's
    (``plan``, by default the installed one): each with the unit it was recorded in.
    Values in the installed plan's unit are not listed (the usual case: empty)."""
    plan = plan or rep.plan()
    current = {(a.code, i.key): i.unit for a in plan.actions for i in a.indicators}
    history = _versions(rep)
    changed = {k for _hlc, units in history for k, u in units.items()
               if k in current and u.unit != current[k]}
    if not changed:
        return {}
    keys = sorted({key for _code, key in changed})
    clocks = [hlc for hlc, _units in history]
    where, params = "", []
    if period is not None:
        where += " AND entity_id LIKE ?"
        params.append("%|" + str(period))
    if office is not None:
        where += " AND entity_id LIKE ?"
        params.append(str(office) + "|%")
    rows: Iterable[tuple[str, str, int]] = rep.conn.execute(
        "SELECT entity_id, field, max(hlc) FROM ("
        "SELECT entity_id, field, hlc FROM versions WHERE entity = 'progress' "
        f"AND superseded = 0 AND field IN ({','.join('?' * len(keys))}){where} "
        "ORDER BY hlc DESC, origin DESC, seq DESC) GROUP BY entity_id, field",
        [f"value.{k}" for k in keys] + params)
    out: Recorded = {}
    for entity_id, name, hlc in rows:
        parts = entity_id.split("|")
        if len(parts) != 3:
            continue
        who, code, when = parts
        key = name[len("value."):]
        if (code, key) not in changed:
            continue
        # the plan version installed last before the value was written (the first
        # held, for a value older than every version: the plan it was set up with)
        at = max(bisect.bisect_right(clocks, hlc) - 1, 0)
        unit = history[at][1].get((code, key))
        if unit is not None and unit.unit != current[(code, key)]:
            out[(who, code, when, key)] = unit
    return out


def recorded_in(rep, action: str, period: str, office: str) -> dict[str, RecordedUnit]:
    """Of one report, indicator key → the unit its value was recorded in, for those
    recorded in another unit than the installed plan's (``recorded_units``)."""
    return {key: unit for (_o, code, _p, key), unit in recorded_units(
        rep, period=period, office=office).items() if code == action}
