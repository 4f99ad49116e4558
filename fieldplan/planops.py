"""(HQ) replacing the plan: a new version travels to offices as a plan event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldplan import events, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _
from fieldplan.replica import Replica


def replace_plan(rep: Replica, path: Path) -> dict[str, Any]:
    """Load, validate and install a plan file at headquarters. The plan id must stay
    the same and the version must go up (amendments bump it)."""
    from fieldplan.plan import load_plan, plan_to_dict

    if not rep.is_hq:
        raise ValidationError(_("only headquarters can replace the plan"))
    new = load_plan(path)
    old = rep.plan()
    if new.id != old.id:
        raise ValidationError(_("{file} is plan '{plan}'; this database holds '{held}'")
                              .format(file=path.name, plan=new.id, held=old.id))
    if new.version <= old.version:
        raise ValidationError(
            _("{file} has version {version}; an amendment needs a version above {held}")
            .format(file=path.name, version=new.version, held=old.version))
    with store.write_transaction(rep.conn):
        events.append(rep.conn, "plan", new.id, {"document": plan_to_dict(new)},
                      author=rep.author)
    codes = {a.code for a in new.actions}
    orphaned = sorted({r[0] for r in rep.conn.execute("SELECT DISTINCT action FROM progress")}
                      - codes)
    return {"plan": new.id, "version": new.version, "actions": len(new.actions),
            "orphaned_actions": orphaned}
