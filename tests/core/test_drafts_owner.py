"""The client's drafts files name the database they were written for, and a new
database never takes those of one that was at its place (fieldplan.draftfiles).

Found by QA: Bangladesh's database deleted while text was kept in its drafts journal,
then `fieldplan init --from setup-ML.fieldplan` at the same path: the client showed
Bangladesh's text in Mali's report, saved it, and Mali's next export sent it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.draftfiles import DraftsOwner, claim, move_orphaned, other_database_files
from fieldplan.errors import StoreError
from fieldplan.replica import init_hq

sync = pytest.importorskip("fieldplan.sync")

ENTRY = {"action": "PA1.1", "period": "2026-S2",
         "values": {"challenges": "typed after deletion"}}


def write(path: Path, owner: dict | None = None) -> bytes:
    """A drafts file holding ENTRY (and ``owner`` in its header, if given)."""
    data = {"version": 1, **({"owner": owner} if owner is not None else {}),
            "drafts": [ENTRY]}
    raw = json.dumps(data).encode("utf-8")
    path.write_bytes(raw)
    return raw


def test_an_owner_is_the_same_office_and_a_replica_in_common() -> None:
    bd = DraftsOwner("BD", ("new", "restored-from"))
    assert bd.owns({"owner": {"office": "BD", "replicas": ["new"]}, "drafts": []})
    # written before a restore renewed the replica id: still this database's
    assert bd.owns({"owner": {"office": "BD", "replicas": ["restored-from", "x"]}})
    assert not bd.owns({"owner": {"office": "ML", "replicas": ["new"]}})
    assert not bd.owns({"owner": {"office": "BD", "replicas": ["another"]}})
    # an owner that cannot be read is not taken for this one's
    assert not bd.owns({"owner": "BD"})
    assert not bd.owns({"owner": {"office": "BD"}})
    # a garbled list of replicas: read, not a crash of the client's journal
    assert not bd.owns({"owner": {"office": "BD", "replicas": [{"x": 1}, ["new"]]}})
    assert bd.owns({"owner": {"office": "BD", "replicas": [{"x": 1}, "new"]}})
    # none named: an earlier fieldplan's, taken as this database's as it always was
    assert bd.owns({"version": 1, "drafts": []})


def test_a_file_of_another_database_is_moved_aside_whole(tmp_path) -> None:
    db = tmp_path / "BD.sqlite3"
    journal = Path(f"{db}.drafts.json")
    raw = write(journal, {"office": "BD", "replicas": ["bd-1"]})
    assert claim(journal, DraftsOwner("BD", ("bd-1",))) is None
    assert journal.read_bytes() == raw
    moved = claim(journal, DraftsOwner("ML", ("ml-1",)))
    assert moved is not None and not journal.exists()
    assert moved.parent == tmp_path
    assert moved.name.startswith("BD.sqlite3.drafts.json.other-database-")
    assert moved.read_bytes() == raw
    assert other_database_files(db) == [moved]
    # a second one the same second: a name of its own, the first kept
    write(journal, {"office": "SN", "replicas": ["sn-1"]})
    again = claim(journal, DraftsOwner("ML", ("ml-1",)))
    assert again != moved and moved.read_bytes() == raw
    assert set(other_database_files(db)) == {moved, again}


def test_init_moves_the_drafts_left_by_a_database_that_was_there(tmp_path) -> None:
    db = tmp_path / "hq.sqlite3"
    journal, aside = Path(f"{db}.drafts.json"), Path(f"{db}.drafts-set-aside.json")
    # an earlier fieldplan's (no owner): no database is here, so it is another's too
    raw = write(journal)
    aside_raw = write(aside, {"office": "BD", "replicas": ["bd-1"]})
    with init_hq(db) as rep:
        notices = rep.take_notices()
    assert not journal.exists() and not aside.exists()
    moved = other_database_files(db)
    assert sorted(p.read_bytes() for p in moved) == sorted([raw, aside_raw])
    assert len(notices) == 2 and all("were moved to" in n for n in notices)


def test_init_refused_leaves_the_drafts_where_they_are(tmp_path) -> None:
    """The key file of the database that was there is still there (restore it rather):
    nothing is made, and the journal stays for that database."""
    db = tmp_path / "hq.sqlite3"
    init_hq(db).close()
    db.unlink()
    journal = Path(f"{db}.drafts.json")
    raw = write(journal)
    with pytest.raises(StoreError):
        init_hq(db)
    assert journal.read_bytes() == raw and other_database_files(db) == []


def test_move_orphaned_without_drafts_moves_nothing(tmp_path) -> None:
    assert move_orphaned(tmp_path / "x.sqlite3") == []


def test_cli_init_from_a_setup_bundle_moves_an_orphaned_journal_aside(
        tmp_path, capsys, hq) -> None:
    """The reproduction: BD's database gone, its journal left; Mali's made there."""
    setup = tmp_path / "setup-ML.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    db = tmp_path / "del" / "BD.sqlite3"
    db.parent.mkdir()
    journal = Path(f"{db}.drafts.json")
    raw = write(journal, {"office": "BD", "replicas": ["bd-1"]})
    assert main(["--db", str(db), "init", "--from", str(setup)]) == 0
    out, err = capsys.readouterr()
    assert "Created replica" in out
    [moved] = other_database_files(db)
    assert moved.read_bytes() == raw and not journal.exists()
    assert err.startswith(f"fieldplan: warning: the drafts typed in a database that was "
                          f"at {db} before were moved to {moved} (kept, not deleted)")


@pytest.mark.parametrize("point", ["made", "filled", "database", "opening"])
def test_a_failed_init_leaves_the_drafts_where_they_are(tmp_path, monkeypatch,
                                                       point) -> None:
    """An init that fails (a full disk while the database is made, a file put at its
    name meanwhile, the database put in place failing to open) makes nothing: the
    journal lying there stays at its name. It was moved aside first, and showed as
    "typed in another database" once the person put their own database back."""
    import fieldplan.replica as replica

    db = tmp_path / "hq.sqlite3"
    journal, aside = Path(f"{db}.drafts.json"), Path(f"{db}.drafts-set-aside.json")
    raw, aside_raw = write(journal), write(aside, {"office": "BD", "replicas": ["bd-1"]})
    real_step, real_place = replica._init_step, replica._place
    real_connect = replica.store.connect

    def step(name: str) -> None:
        if name == point:
            raise OSError(28, "No space left on device")
        real_step(name)

    def place(source: Path, target: Path) -> None:
        if point == "database" and target == db:
            raise FileExistsError(target)  # (another program took the name)
        real_place(source, target)

    def connect(path, *args, **kwargs):
        if point == "opening" and Path(path) == db:
            raise StoreError("disk I/O error")
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(replica.store, "connect", connect)
    monkeypatch.setattr(replica, "_init_step", step)
    monkeypatch.setattr(replica, "_place", place)
    with pytest.raises((OSError, StoreError)):
        init_hq(db)
    assert not db.exists()
    assert journal.read_bytes() == raw and aside.read_bytes() == aside_raw
    assert other_database_files(db) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([journal.name, aside.name])
    monkeypatch.undo()
    with init_hq(db) as rep:  # made at last: they go aside then
        assert len(rep.take_notices()) == 2
    assert not journal.exists() and len(other_database_files(db)) == 2
