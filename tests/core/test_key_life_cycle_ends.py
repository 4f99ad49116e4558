"""Loose ends of a key's life cycle, each as a person meets it: a key id or
fingerprint pasted from Arabic output (direction marks around it) names the key; a
bundle naming this computer as its sender, signed by another key, is refused, never
called this computer's own; trusting the older key of a laptop whose later key's
bundles wait too brings those as well; the earlier key of this computer put back in
the key file is said as such, with the way out; a laptop whose key headquarters
replaced by a trust is told so, not "revoked", where it is set up again and where
its work is typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenes import send

from fieldplan import minisign, progress, store
from fieldplan.sync import export_bundle, import_bundle, list_quarantine, trust_key
from fieldplan.sync import keys as keyreg
from fieldplan.sync.keys import revoke_key, rotate_key
from tests.bundle_fuzz import line_of, pack, unpack


def national(rep, i: int = 0) -> str:
    return rep.plan().actions_of(level="national")[i].code


def snapshot(rep) -> tuple[str, int, int]:
    return (progress.digest(rep), rep.conn.execute("SELECT count(*) FROM events").fetchone()[0],
            rep.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def registered(office, hq, tmp_path: Path):
    progress.record_progress(office, national(office), "2026-S1", status="on-track")
    send(office, hq, tmp_path)
    return office


# --- a key id or fingerprint pasted from Arabic output -----------------------------------


@pytest.mark.parametrize("marks", [("\u2066", "\u2069"), ("\u200f", "\u200e"),
                                   ("\u061c", "\u200f\u2069")])
@pytest.mark.parametrize("by", ["key_id", "fingerprint"])
def test_revoke_takes_a_key_pasted_with_direction_marks(hq, make_office, tmp_path: Path,
                                                        marks, by) -> None:
    """``keys list`` in Arabic isolates each key id and fingerprint (LRI … PDI), and a
    terminal line may start with a mark: pasted into ``keys revoke`` they said "no key
    … in the registry" of a key listed right there."""
    ml = registered(make_office("ML"), hq, tmp_path)
    pub = keyreg.public_key(ml)
    given = pub.key_id_hex if by == "key_id" else pub.fingerprint
    done = revoke_key(hq, f"{marks[0]}{given}{marks[1]}")
    assert (done.key_id, done.events) == (pub.key_id_hex, 1)
    assert keyreg.all_keys(hq)[pub.key_id_hex].status == "revoked"
