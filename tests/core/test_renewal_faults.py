"""A database put back from a backup continues as a new replica when it is opened
(``keys.renew_identity``): what that renewal leaves when it cannot finish (a full
disk under its commit, a kill while it copies the key) — the key files beside the
database as they were, and the next opening renewing as if nothing had happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldplan import files, store
from fieldplan.errors import StoreError
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import keys as keyreg
from tests.core.test_faults import failing_commits

ROOT = Path(__file__).resolve().parents[2]


def _beside_key(db: Path) -> list[str]:
    """The files beside the database that hold a key: the key file, and any copy."""
    name = key_path(db).name
    return sorted(p.name for p in db.parent.iterdir() if name in p.name)


@pytest.fixture
def restored(make_office) -> Path:
    """An office database put back from its backup by hand (copied over it): its next
    opening renews its identity."""
    ml = make_office("ML")
    made = ml.backup("manual")
    db = ml.path
    ml.close()
    os.replace(made, db)
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    return db


def test_a_renewal_the_disk_fills_under_leaves_no_key_copy(restored: Path,
                                                          monkeypatch) -> None:
    """The renewal's commit failed (the disk full): it left the new key (``.key.new``)
    and a copy of the key it keeps (``.key.<id>.<time>.old``) beside the database, one
    more secret key copy at every try, as a rotation no longer does. Nothing stays."""
    before = _beside_key(restored)
    key = key_path(restored).read_bytes()
    with monkeypatch.context() as m:
        failing_commits(m, keyreg)
        with pytest.raises(StoreError, match="disk is full"):
            open_replica(restored)
    assert _beside_key(restored) == before
    assert key_path(restored).read_bytes() == key
    with open_replica(restored) as rep:  # room again: the renewal is made
        assert rep.meta(store.BACKUP_MARK) is None
        assert rep.meta("key_id") == keyreg.secret_key(rep).key_id_hex
    assert len(_beside_key(restored)) == len(before) + 1  # the key it keeps, once


#: ``fieldplan ARGS…`` killed (SIGKILL: no clean-up runs) as the copy of the key a key
#: change keeps is whole under its hidden temporary name, before it takes its own
_KILL_AT_KEY_COPY = r"""
import os, signal, sys
from fieldplan.cli import main

real_replace = os.replace


def replace(src, dst, *args, **kwargs):
    if str(dst).endswith(".old"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst, *args, **kwargs)


os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def test_a_key_copy_a_kill_cut_short_is_swept_at_the_next_key_change(make_office) -> None:
    """Killed while it copied the key it keeps, a key change left a hidden
    ``.ML.sqlite3.key.<id>.<time>.old.1a2b3c4d.part`` (a secret key) that nothing
    ever removed: the next copy has another time in its name, so the sweep of its own
    temporaries never met it. A key change removes those an hour old (a write under
    way touches its own all the time), and leaves a newer one alone."""
    ml = make_office("ML")
    db = ml.path
    ml.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _KILL_AT_KEY_COPY, "--db", str(db),
                           "keys", "rotate"], env=env, cwd=ROOT, capture_output=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    kpath = key_path(db)
    [left] = db.parent.glob(f".{kpath.name}.*.old.*.part")
    stale = time.time() - files.STALE_TEMPORARY_S - 60
    os.utime(left, (stale, stale))  # (an hour on)
    fresh = kpath.with_name(f".{kpath.name}.0123456789ABCDEF.20260101T000000000001Z.old."
                            "5e6f7a8b.part")
    fresh.write_bytes(b"another program's copy under way")
    with open_replica(db) as ml:
        keyreg.rotate_key(ml)
    assert not left.exists()
    assert fresh.exists()  # (too new to be a killed one's)
