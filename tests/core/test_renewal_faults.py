"""A database put back from a backup continues as a new replica when it is opened
(``keys.renew_identity``): what that renewal leaves when it cannot finish (a full
disk under its commit, a kill while it copies the key) — the key files beside the
database as they were, and the next opening renewing as if nothing had happened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.errors import StoreError
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import keys as keyreg
from tests.core.test_faults import failing_commits


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
