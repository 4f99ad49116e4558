"""Two programs backing up one database at the same instant (the client's import and a
scheduled ``fieldplan import``; Windows's clock moves in steps of about 16 ms): both
backups were given one name. The second found the first's unfinished copy under that
name, deleted it as its own, and failed ("cannot back up the database: file exists"),
and the first then failed too, its copy gone: both imports refused. One taken just
after the other's was finished replaced it, and the first import's clean-up of an
unused backup could then delete the second's."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from fieldplan import store
from fieldplan.replica import open_replica

INSTANT = dt.datetime(2026, 12, 7, 9, 30, 0, 123456, tzinfo=dt.UTC)


def _frozen_clock() -> types.SimpleNamespace:
    """``store``'s ``dt`` with a clock stopped at INSTANT."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return INSTANT if tz is not None else INSTANT.replace(tzinfo=None)

    return types.SimpleNamespace(**{**vars(dt), "datetime": Frozen})


#: (another program) a backup of the database at argv[1] at INSTANT, stopped once its
#: copy is written under its unfinished name: it says "copying" and waits for a line
_OTHER_PROGRAM = textwrap.dedent("""
    import sys
    from fieldplan import store
    from fieldplan.replica import open_replica
    from tests.core.test_backups_same_instant import _frozen_clock

    store.dt = _frozen_clock()
    real = store._mark_backup

    def mark(*args, **kwargs):
        real(*args, **kwargs)
        print("copying", flush=True)
        sys.stdin.readline()

    store._mark_backup = mark
    with open_replica(sys.argv[1]) as rep:
        print(rep.backup("before-import"), flush=True)
""")


def test_two_programs_backing_up_at_one_instant_both_keep_a_backup(
        hq, monkeypatch) -> None:
    hq.close()
    root = Path(__file__).resolve().parents[2]
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROGRAM, str(hq.path)], cwd=root,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "copying", other.stderr.read()
        monkeypatch.setattr(store, "dt", _frozen_clock())
        with open_replica(hq.path) as rep:
            mine = rep.backup("before-import")
        other.stdin.write("go\n")
        other.stdin.flush()
        out, err = other.communicate(timeout=60)
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()
    assert other.returncode == 0, err
    theirs = Path(out.strip())
    assert mine != theirs
    assert mine.is_file() and theirs.is_file()
    assert set(store.list_backups(hq.path)) == {mine, theirs}
    for made in (mine, theirs):
        assert store.backup_taken(made) is not None
        with store.reading(made) as conn:
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_backup_named_as_one_just_finished_does_not_replace_it(hq, monkeypatch) -> None:
    monkeypatch.setattr(store, "dt", _frozen_clock())
    with open_replica(hq.path) as other:
        theirs = other.backup("before-import")
    before = theirs.stat()
    mine = hq.backup("before-import")
    assert mine != theirs
    after = theirs.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # the one whose import kept nothing removes its own, never the other's
    store.remove_backup(theirs)
    assert mine.is_file()


@pytest.mark.parametrize("taken", [1, 3])
def test_backups_of_one_instant_sort_in_the_order_they_were_taken(
        hq, monkeypatch, taken: int) -> None:
    monkeypatch.setattr(store, "dt", _frozen_clock())
    made = [hq.backup("before-import") for _ in range(taken + 1)]
    assert len(set(made)) == len(made)
    assert store.list_backups(hq.path) == made[::-1]
