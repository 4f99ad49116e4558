"""Whose the client's drafts files are: the journal of what was typed and not yet
saved (``<db>.drafts.json``) and the drafts set aside (``<db>.drafts-set-aside.json``).

Each is written for one database, and applied to it alone. A database deleted while
the client had text in its journal, and a new one made at the same path (another
office's, another computer's), found the old journal beside it: the client showed
the old text in the new database's report and saved it there, to be sent to
headquarters as the new office's. So each file names its owner in its header,
``"owner": {"office": "BD", "replicas": [id, ...]}`` (the database's replica id and
those it continues after restores from backups: ``sync.keys.own_replicas``), which
readers that know nothing of it ignore (the format's version stays 1).

A file written for another database is moved aside, never applied: kept whole beside
the database under a name that says so (``<file>.other-database-<UTC time>``), for
the person to read, copy and discard in the client. ``init`` moves aside the drafts
files it finds where it makes a new database: no database is there, so whatever
they hold was typed in another one.

A file that names no owner was written by an earlier fieldplan. It is taken as the
database's own, as it always was (a draft typed before an upgrade is the common
case, and the one the journal exists for); an earlier fieldplan's journal beside a
database made since (``init`` of this version) was moved aside by that ``init``.
Its next write names the owner.
"""

from __future__ import annotations

import glob
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldplan.files import DRAFTS_SET_ASIDE_SUFFIX, DRAFTS_SUFFIX, OTHER_DATABASE_MARK

#: the header key of a drafts file that names the database it was written for
OWNER_KEY = "owner"


@dataclass(frozen=True)
class DraftsOwner:
    """The database a drafts file is written for. office: its office code.
    replicas: its replica id first, then those it continues after restores."""

    office: str
    replicas: tuple[str, ...]

    @classmethod
    def of(cls, rep: Any) -> DraftsOwner:
        """The owner ``rep`` (an open Replica) writes."""
        from fieldplan.replica import renewed_from

        return cls(rep.office, (rep.replica_id, *renewed_from(rep)))

    def header(self) -> dict[str, Any]:
        """As a drafts file's header holds it."""
        return {"office": self.office, "replicas": list(self.replicas)}

    def owns(self, data: Any) -> bool:
        """Whether a drafts file holding ``data`` (its JSON) may be applied to this
        database: one naming the same office and a replica in common (this database,
        or the one it continues after a restore), or naming none (an earlier
        fieldplan's). An owner that cannot be read is another's: kept aside rather
        than applied to a database it may not be for."""
        if not isinstance(data, dict) or OWNER_KEY not in data:
            return True
        owner = data[OWNER_KEY]
        if not isinstance(owner, dict):
            return False
        office, replicas = owner.get("office"), owner.get("replicas")
        if not isinstance(office, str) or not isinstance(replicas, list):
            return False
        named = {r for r in replicas if isinstance(r, str)}  # (a garbled file: no crash)
        return office == self.office and bool(set(self.replicas) & named)


#: How deep a drafts file's JSON nests at most: a field's versions are five levels
#: down (the file, its drafts, an entry, its base, the field's list). Far deeper is
#: damage, which Python's JSON reader meets as a RecursionError, at a depth that
#: varies with how deep in its work the program reads it.
MAX_DEPTH = 32


def read_json(text: str) -> Any:
    """A drafts file's JSON. ValueError, as for text that is not JSON, when it holds
    what no drafts file does: a number JSON has no way to write (NaN, infinity:
    "1e999"), which the journal then failed to write back at every write, or nesting
    far deeper than an entry's (``MAX_DEPTH``; past Python's recursion limit its
    reader raised RecursionError, where the client expected a ValueError)."""
    try:
        data = json.loads(text, parse_constant=_no_number, parse_float=_finite)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    stack = [(data, 1)]
    while stack:  # (not recursive: the nesting is what is checked)
        value, depth = stack.pop()
        inside = (value.values() if isinstance(value, dict)
                  else value if isinstance(value, list) else None)
        if inside is None:
            continue
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        stack.extend((item, depth + 1) for item in inside)
    return data


def _no_number(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON can hold")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a number JSON can hold")
    return value


def owner_office(data: Any) -> str:
    """The office a drafts file's data names as its owner's ("" when none)."""
    owner = data.get(OWNER_KEY) if isinstance(data, dict) else None
    office = owner.get("office") if isinstance(owner, dict) else None
    return office if isinstance(office, str) else ""


def drafts_paths(db_path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The journal and the set-aside file of the database at ``db_path``."""
    return Path(f"{db_path}{DRAFTS_SUFFIX}"), Path(f"{db_path}{DRAFTS_SET_ASIDE_SUFFIX}")


def move_to_other_database(path: Path) -> Path:
    """Move the drafts file ``path`` out of the way as another database's
    (``<file>.other-database-<UTC time>``, ``-2``… if taken): kept whole, never
    applied. Where it went; OSError when it cannot be moved."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1, 1000):
        aside = path.with_name(f"{path.name}{OTHER_DATABASE_MARK}{stamp}"
                               + (f"-{n}" if n > 1 else ""))
        if aside.exists() or aside.is_symlink():
            continue
        os.rename(path, aside)  # (never over a file: checked just above)
        return aside
    raise FileExistsError(path)


def claim(path: Path, owner: DraftsOwner) -> Path | None:
    """When the drafts file ``path`` was written for another database than ``owner``,
    move it aside (``move_to_other_database``): where it went. None when it is this
    database's, says no owner, is not there, or cannot be read (the client's own
    handling of an unreadable file then applies). OSError when it cannot be moved."""
    try:
        data = read_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if owner.owns(data):
        return None
    return move_to_other_database(path)


def move_orphaned(db_path: str | os.PathLike[str]) -> list[Path]:
    """(``init``, its database made whole, just before it is put at ``db_path``;
    put back if that fails: ``replica._put_back_drafts``) Move aside the drafts
    files lying there: no database is there, so they were typed in another one (it
    was deleted, moved, or put back elsewhere), and the new one must never take
    them. Where they went; OSError when one cannot be moved."""
    moved = []
    for path in drafts_paths(db_path):
        if path.is_file():
            moved.append(move_to_other_database(path))
    return moved


def other_database_files(db_path: str | os.PathLike[str]) -> list[Path]:
    """The drafts files moved aside beside the database at ``db_path`` as another
    database's (``claim``, ``move_orphaned``), oldest first."""
    found: list[Path] = []
    for path in drafts_paths(db_path):
        pattern = glob.escape(str(path)) + glob.escape(OTHER_DATABASE_MARK) + "*"
        found += (Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    return sorted(found, key=lambda p: (p.name.rsplit(OTHER_DATABASE_MARK, 1)[1], p.name))


def read_drafts(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A drafts file's data and its entries that name a report (each an object with
    an action and a period); ({}, []) when it cannot be read."""
    try:
        data = read_json(path.read_text(encoding="utf-8"))
        entries = data["drafts"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, []
    if not isinstance(entries, list):
        return data, []
    return data, [e for e in entries if isinstance(e, dict)
                  and isinstance(e.get("action"), str) and isinstance(e.get("period"), str)]

