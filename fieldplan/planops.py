"""(HQ) replacing the plan: a new version travels to offices as a plan event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.replica import Replica


def replace_plan(rep: Replica, path: Path) -> dict[str, Any]:
    """Load, validate and install a plan file at headquarters. The plan id must stay
    the same and the version must go up (amendments bump it)."""
    from fieldplan.plan import load_plan, plan_to_dict

    if not rep.is_hq:
        raise ValidationError("only headquarters can replace the plan")
    new = load_plan(path)
    old = rep.plan()
    if new.id != old.id:
        raise ValidationError(f"{path.name} is plan '{new.id}'; this database holds "
                              f"'{old.id}'")
    if new.version <= old.version:
        raise ValidationError(f"{path.name} has version {new.version}; an amendment needs a "
                              f"version above {old.version}")
    with store.write_transaction(rep.conn):
        events.append(rep.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author=rep.author)
    codes = {a.code for a in new.actions}
    orphaned = sorted({r[0] for r in rep.conn.execute("SELECT DISTINCT action FROM progress")}
                      - codes)
    return {"plan": new.id, "version": new.version, "actions": len(new.actions),
            "orphaned_actions": orphaned}
