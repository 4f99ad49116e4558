"""An ``init`` killed at any point (a power cut, a laptop's battery) leaves either no
database at its path or a whole one: never a half-made file that ``status`` and the
client call "not set up yet" and only deleting files by hand gets past. The next
``init`` then works, and leaves nothing of the killed one beside the database."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from fieldplan import minisign, progress
from fieldplan.replica import key_path, open_replica
from fieldplan.status import key_revoked
from fieldplan.sync import enroll_office, revoke_key

ROOT = Path(__file__).resolve().parents[2]

#: ``fieldplan ARGS…``, killed (SIGKILL: no clean-up runs) at ``point``: after the key
#: file is written, after the setup bundle's events are merged, or at one of
#: ``replica._create``'s steps (``replica._init_step``)
_KILL_INIT = r"""
import os, signal, sys
from fieldplan import minisign, replica
from fieldplan.sync import exchange

point, argv = sys.argv[1], sys.argv[2:]
if os.environ.get("FIELDPLAN_TEST_NO_LINKS"):  # a file system without hard links (FAT)
    def no_link(*_args, **_kwargs):
        raise PermissionError(1, "Operation not permitted")

    os.link = no_link


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def at(step):
    if step == point:
        die()


replica._init_step = at
real_save = minisign.save_secret_key


def save(*args, **kwargs):
    real_save(*args, **kwargs)
    if point == "key-written":
        die()


minisign.save_secret_key = save
real_merge = exchange._merge


def merge(*args, **kwargs):
    real_merge(*args, **kwargs)
    if point == "merged":
        die()


exchange._merge = merge
from fieldplan.cli import main

sys.exit(main(argv))
"""

#: where an init of an office is killed: before its database is whole, once it is
#: whole under its temporary name, between its key file's placing and its own
BEFORE_WHOLE = ("key-written", "merged", "filled", "key-placed")


def kill_init(point: str, *args: str, links: bool = True) -> None:
    """Run ``fieldplan ARGS…`` in a process of its own, killed at ``point``; without
    ``links``, on a file system without hard links (FAT: renamed into place)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if not links:
        env["FIELDPLAN_TEST_NO_LINKS"] = "1"
    proc = subprocess.run([sys.executable, "-c", _KILL_INIT, point, *args], env=env,
                          cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def cli(*args: str) -> tuple[int, str]:
    """``fieldplan ARGS…`` here: its status and what it printed (out, then err)."""
    from fieldplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def left(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def is_whole(path: Path, office: str) -> None:
    """The database at ``path`` opens as ``office``'s, signing with its key file."""
    with open_replica(path) as rep:
        assert rep.office == office
        secret = minisign.load_secret_key(key_path(path))
        assert secret.key_id_hex == rep.meta("key_id")
        assert minisign.secret_key_replica(key_path(path)) == rep.replica_id


@pytest.fixture
def setup(hq, tmp_path: Path) -> Path:
    made = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", made)
    return made


@pytest.mark.parametrize("links", [True, False], ids=["links", "fat"])
@pytest.mark.parametrize("point", BEFORE_WHOLE)
def test_an_office_init_killed_leaves_no_database(setup, tmp_path: Path, point,
                                                  links) -> None:
    """(On FAT the key file is renamed into place: killed then, the temporary
    database alone said whose it was; it was deleted, and the key left refused every
    init for good)"""
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "ml.sqlite3"
    kill_init(point, "--db", str(path), "init", "--from", str(setup), links=links)
    assert not path.exists()
    # said as for a computer never set up, the way back is the first run
    code, said = cli("--db", str(path), "status")
    assert code == 1 and "no fieldplan database at" in said, said
    assert "not set up yet" not in said and "not fieldplan's" not in said
    code, said = cli("--db", str(path), "init", "--from", str(setup))
    assert code == 0, said
    is_whole(path, "ML")
    assert left(folder) == {"ml.sqlite3", "ml.sqlite3.key"}


def test_an_office_init_killed_once_whole_leaves_it_whole(setup, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "ml.sqlite3"
    kill_init("placed", "--db", str(path), "init", "--from", str(setup))
    is_whole(path, "ML")
    code, said = cli("--db", str(path), "init", "--from", str(setup))
    assert code == 1 and "already exists" in said
    is_whole(path, "ML")
    assert left(folder) == {"ml.sqlite3", "ml.sqlite3.key"}


@pytest.mark.parametrize("point", ("key-written", "filled", "key-placed"))
def test_a_headquarters_init_killed_leaves_no_database(tmp_path: Path, point) -> None:
    folder = tmp_path / "hq"
    folder.mkdir()
    path = folder / "hq.sqlite3"
    kill_init(point, "--db", str(path), "init", "--hq")
    assert not path.exists()
    code, said = cli("--db", str(path), "init", "--hq")
    assert code == 0, said
    is_whole(path, "HQ")
    assert left(folder) == {"hq.sqlite3", "hq.sqlite3.key"}


def revoked_laptop(hq, make_office, tmp_path: Path) -> tuple[Path, str, Path]:
    """A laptop of ML that HQ revoked, closed (it has HQ's bundle saying so), and a new
    setup bundle for ML: (its database, its replica id, the setup bundle)."""
    from test_sync import registered, send

    lap = registered(make_office("ML", "lap"), hq, tmp_path)
    revoke_key(hq, lap.meta("key_id"))
    send(hq, lap, tmp_path)
    path, old = lap.path, lap.replica_id
    lap.close()
    again = tmp_path / "ML-again.fieldplan"
    enroll_office(hq, "ML", again)
    return path, old, again


@pytest.mark.parametrize("point", ("key-written", "merged", "key-placed"))
def test_set_up_again_killed_while_the_new_database_is_made_puts_the_old_one_back(
        hq, make_office, tmp_path: Path, point) -> None:
    """``init --from --replace-revoked`` killed while the new database is made: the
    revoked computer's files are kept in their folder until the next opening or init,
    which puts them back (what the killed init left removed), to set up again. They
    stayed aside, and the client's next start said there was no database yet: never
    where the old one went, nor the changes made there that never reached
    headquarters, which a set-up-again says once done."""
    path, old, again = revoked_laptop(hq, make_office, tmp_path)
    kill_init(point, "--db", str(path), "init", "--from", str(again), "--replace-revoked")
    assert not path.exists()
    # (killed between the two: the new key file, which the next init clears)
    assert key_path(path).exists() == (point == "key-placed")
    (aside,) = path.parent.glob("lap.sqlite3-revoked-*")
    with open_replica(aside / "lap.sqlite3") as kept:
        assert kept.replica_id == old and key_revoked(kept)
    if point != "merged":  # (then set up again at once: it puts them back first)
        code, said = cli("--db", str(path), "init", "--from", str(again))
        assert code == 1 and "already exists" in said  # (the revoked database, back)
        with open_replica(path) as back:
            assert back.replica_id == old and key_revoked(back)
        assert not list(path.parent.glob("lap.sqlite3-revoked-*"))
    code, said = cli("--db", str(path), "init", "--from", str(again), "--replace-revoked")
    assert code == 0, said
    is_whole(path, "ML")
    (aside,) = path.parent.glob("lap.sqlite3-revoked-*")
    with open_replica(aside / "lap.sqlite3") as kept:
        assert kept.replica_id == old
    with open_replica(path) as new:
        assert not key_revoked(new) and new.replica_id != old
        progress.record_progress(new, next(
            a.code for a in new.plan().actions_of(level="national")), "2026-S1",
            percent=10)
    assert not [p for p in path.parent.iterdir() if ".init" in p.name]



def test_the_names_an_init_left_on_the_database_go_when_it_is_opened(
        tmp_path: Path) -> None:
    """Killed once the database was put in place, before its temporary names were
    dropped: they are the same files. Left, the database deleted later, the next init
    took them for its own unfinished work and deleted the last copy of it and its key,
    making a new identity without a word. Opening the database drops the names."""
    folder = tmp_path / "hq"
    folder.mkdir()
    path = folder / "hq.sqlite3"
    kill_init("placed", "--db", str(path), "init", "--hq")
    assert [p for p in folder.iterdir() if p.name.endswith(".init")]
    with open_replica(path) as rep:
        progress.record_progress(rep, "PA1.6", "2026-S1", status="on-track")
    # (the killed init's lock file stays, held by no one: the next init takes it)
    assert left(folder) - {".hq.sqlite3.init-lock"} == {"hq.sqlite3", "hq.sqlite3.key"}
    path.unlink()
    code, said = cli("--db", str(path), "init", "--hq")
    assert code == 1 and "is this computer's identity" in said, said
    assert key_path(path).exists()


def test_an_unfinished_database_loses_its_key_only_once_it_is_gone(
        tmp_path: Path, monkeypatch) -> None:
    """A database that cannot be deleted (open in another program, on Windows) keeps
    its key: removed first, the key left a database that could not sign."""
    from fieldplan import replica

    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"db")
    rid = "0b3ee33f-1111-4222-8333-444455556666"
    minisign.save_secret_key(key_path(path), minisign.generate_key(), replica=rid)
    real = Path.unlink

    def held(self, missing_ok=False):
        if self == path:
            raise PermissionError(13, "in use", str(self))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", held)
    with pytest.raises(PermissionError):
        replica._remove_unfinished(path, rid)
    assert key_path(path).exists()


def test_another_program_holding_the_new_database_keeps_nothing_from_it(
        tmp_path: Path, monkeypatch) -> None:
    """A program that opened the temporary database kept SQLite from writing its log
    into the file at close: the file put in place lacked its identity, and the init
    said the disk could not be read. The log is written into the file first."""
    import sqlite3

    from fieldplan import replica

    folder = tmp_path / "hq"
    folder.mkdir()
    path = folder / "hq.sqlite3"
    readers = []

    def reader(step: str) -> None:
        if step == "filled":
            [tmp] = folder.glob(".hq.sqlite3.*.init")
            conn = sqlite3.connect(tmp)
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM events").fetchone()  # (holds a snapshot)
            readers.append(conn)

    monkeypatch.setattr(replica, "_init_step", reader)
    replica.init_hq(path).close()
    assert readers
    for conn in readers:
        conn.close()
    is_whole(path, "HQ")
    assert left(folder) == {"hq.sqlite3", "hq.sqlite3.key"}


def test_a_killed_set_up_again_is_not_put_back_beside_another_file(
        hq, make_office, tmp_path: Path) -> None:
    """Set up again killed while the new database was made, then a file of another's
    put at one of the old files' names before the next opening: the old files stay
    aside, never put back beside it (nor over it)."""
    path, old, again = revoked_laptop(hq, make_office, tmp_path)
    kill_init("merged", "--db", str(path), "init", "--from", str(again), "--replace-revoked")
    (aside,) = path.parent.glob("lap.sqlite3-revoked-*")
    other = key_path(path)
    other.write_text("another program's file\n", encoding="utf-8")
    from fieldplan.sync.again import put_back_interrupted

    put_back_interrupted(path)
    assert other.read_text(encoding="utf-8") == "another program's file\n"
    assert not path.exists()
    with open_replica(aside / "lap.sqlite3") as kept:  # still aside, whole
        assert kept.replica_id == old and key_revoked(kept)
