"""Backups are named by the time they were taken. A computer whose clock was ahead
(a year off, set right since) left backups named in the future: they sorted as the
newest, so each backup taken since was deleted by the rotation as soon as it was made
(``backup`` returned a file that was gone, an import went on with no backup), a
restore chose the old ones, and an export-only office took none for as long."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from fieldplan import store
from fieldplan.replica import Replica


def _named_ahead(rep: Replica, n: int) -> list[Path]:
    """``n`` backups of ``rep`` named a year ahead, as a clock that was ahead names
    them (copies of one taken now; its own one removed)."""
    first = rep.backup("before-import")
    year = dt.datetime.now(dt.UTC).year + 1
    ahead = [first.with_name(f"{rep.path.name}-{year}0101T0000{i:02d}000000Z-before-import"
                             ".sqlite3") for i in range(n)]
    for path in ahead:
        shutil.copy(first, path)
    first.unlink()
    return ahead


def test_the_backup_just_made_is_kept_and_newest(hq) -> None:
    ahead = _named_ahead(hq, store.BACKUPS_KEPT)

    made = hq.backup("before-import")
    assert made.exists()
    assert store.list_backups(hq.path)[0] == made
    again = hq.backup("before-import")
    # both taken since the clock was set right stay; one named ahead made room
    assert made.exists() and again.exists()
    assert store.list_backups(hq.path)[:2] == [again, made]
    assert sum(path.exists() for path in ahead) == store.BACKUPS_KEPT - 2


def test_a_restore_takes_the_newest_backup_not_one_named_ahead(hq) -> None:
    _named_ahead(hq, 3)
    made = hq.backup("before-import")
    assert store.usable_backup(hq.path)[0] == made


def test_a_backup_named_ahead_does_not_make_one_look_recent(hq) -> None:
    _named_ahead(hq, 1)
    before = set(store.list_backups(hq.path))
    hq._backup_since = None
    hq.backup_if_due("before-export")
    assert len(set(store.list_backups(hq.path)) - before) == 1
