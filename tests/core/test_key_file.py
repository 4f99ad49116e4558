"""The key file beside the database: another computer's (copied over it by mistake) or
missing. Nothing is ever signed with a key that is not this computer's: an export
signed with a sibling's key bound that key to the wrong office at headquarters, and
every bundle of the sibling was refused from then on. Status says what is wrong at
once, with the way out; every refusal leaves the database as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldplan import minisign, progress, store
from fieldplan.minisign import KeyFileError
from fieldplan.replica import key_path, open_replica, pending_key_path
from fieldplan.status import replica_status
from fieldplan.sync import (
    enroll_office,
    export_all_offices,
    export_bundle,
    import_bundle,
    sync_state,
)
from fieldplan.sync import keys as keyreg
from tests import reasons


def dump(rep) -> list[str]:
    """Everything the database holds, and the backups beside it."""
    return [*rep.conn.iterdump(), *(p.name for p in store.list_backups(rep.path))]


def with_sibling_key(make_office):
    """BN, with NG's key file copied over its own (``cp NG.sqlite3.key BN.sqlite3.key``)."""
    bn, ng = make_office("BN"), make_office("NG")
    progress.record_progress(bn, bn.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    own = key_path(bn.path).read_bytes()
    shutil.copyfile(key_path(ng.path), key_path(bn.path))
    return bn, ng, own


def test_an_export_is_never_signed_with_another_computers_key(hq, make_office,
                                                              tmp_path: Path) -> None:
    bn, ng, own = with_sibling_key(make_office)
    before = dump(bn)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(KeyFileError) as caught:
        export_bundle(bn, out_dir=out)
    text = str(caught.value)
    assert text == (
        f"the key file {key_path(bn.path).name} holds key {ng.meta('key_id')}, not this "
        f"computer's key {bn.meta('key_id')} (a key file copied from another computer?): "
        "nothing can be exported until this computer's own key file is put back beside "
        "the database (from where it was copied or backed up)")
    assert list(out.iterdir()) == [] and dump(bn) == before  # not even a backup
    # the way out: its own key file back; then HQ takes it, and NG's key stays NG's
    key_path(bn.path).write_bytes(own)
    assert keyreg.key_file_problem(bn) is None
    assert import_bundle(hq, export_bundle(bn, out_dir=out).path).outcome == "merged"
    assert import_bundle(hq, export_bundle(ng, out_dir=out).path).outcome == "merged"
    assert keyreg.all_keys(hq)[ng.meta("key_id")].office == "NG"


def test_status_says_at_once_that_the_key_file_is_another_computers(make_office) -> None:
    bn, _ng, _own = with_sibling_key(make_office)
    problem = keyreg.key_file_problem(bn)
    assert problem is not None and problem.kind == "other"
    state = sync_state(bn)
    assert (state.key_file, state.key_file_text) == ("other", problem.text)
    st = replica_status(bn)
    assert st.key_id == bn.meta("key_id")  # the database's own key, as before
    assert ("Warning", problem.text) in st.lines("en")
    data = st.to_dict()
    assert data["key_file"] == "other" and data["key_file_text"] == problem.text


def test_nothing_else_signs_with_another_computers_key(hq, make_office,
                                                       tmp_path: Path) -> None:
    """Headquarters' setup bundles, and a rotation's endorsement, are refused too."""
    bn, _ng, _own = with_sibling_key(make_office)
    before = dump(bn)
    with pytest.raises(KeyFileError, match="not this computer's key"):
        keyreg.rotate_key(bn)
    assert dump(bn) == before and not pending_key_path(bn.path).exists()
    shutil.copyfile(key_path(bn.path), key_path(hq.path))
    before = dump(hq)
    with pytest.raises(KeyFileError, match="not this computer's key"):
        enroll_office(hq, "UG", tmp_path / "UG-setup.fieldplan")
    assert dump(hq) == before and not (tmp_path / "UG-setup.fieldplan").exists()
    assert keyreg.key_file_problem(hq).kind == "other"


@pytest.mark.parametrize("role", ["office", "hq"])
def test_a_missing_key_file_is_said_at_once_with_the_way_out(role, hq, make_office,
                                                             tmp_path: Path) -> None:
    bn = make_office("BN")
    rep = bn if role == "office" else hq
    key_path(rep.path).unlink()
    problem = keyreg.key_file_problem(rep)
    assert problem is not None and problem.kind == "missing"
    name = key_path(rep.path).name
    if role == "office":
        assert problem.text == (
            f"the key file {name} is missing: nothing can be exported without it. Put it "
            "back beside the database (from where it was copied or backed up); if it is "
            "lost, keep this database and ask headquarters for a new setup bundle")
    else:
        assert problem.text.startswith(f"the key file {name} is missing: headquarters "
                                       "cannot sign a bundle without it.")
    assert ("Warning", problem.text) in replica_status(rep).lines("en")
    assert sync_state(rep).key_file == "missing"
    before = dump(rep)
    with pytest.raises(KeyFileError) as caught:
        export_bundle(rep, out_dir=tmp_path, for_office=None if role == "office" else "BN")
    assert str(caught.value) == problem.text and dump(rep) == before


def test_a_damaged_key_file_is_said_at_once(make_office) -> None:
    bn = make_office("BN")
    key_path(bn.path).write_text("garbage\n")
    problem = keyreg.key_file_problem(bn)
    assert problem.kind == "unreadable"
    assert problem.text.endswith("is damaged or not a fieldplan secret key; until it is "
                                 "mended or put back, nothing can be exported from this "
                                 "computer")


def test_the_key_files_a_key_change_leaves_are_this_computers(make_office,
                                                              tmp_path: Path) -> None:
    """A rotation; one committed with its new key not moved in place yet (another
    program's, or a crash: ``finish_key_change``); the key file newer than an older
    copy of the database put back (its key kept as .old beside it): each signs as
    before. An earlier key put back over the current one does not."""
    bn = make_office("BN")
    keyreg.rotate_key(bn)
    assert keyreg.key_file_problem(bn) is None and sync_state(bn).key_file == ""
    old = minisign.load_secret_key(key_path(bn.path))
    copy = tmp_path / "copy.sqlite3"
    bn.conn.execute("VACUUM INTO ?", (str(copy),))  # the database before the next one
    keyreg.rotate_key(bn)
    new = minisign.load_secret_key(key_path(bn.path))
    assert keyreg.secret_key(bn) == new
    # committed, not moved in place: the key file holds the old key, .new the new one
    minisign.save_secret_key(pending_key_path(bn.path), new, replica=bn.replica_id)
    minisign.save_secret_key(key_path(bn.path), old, replica=bn.replica_id)
    assert keyreg.key_file_problem(bn) is None and keyreg.secret_key(bn) == new
    pending_key_path(bn.path).unlink()
    problem = keyreg.key_file_problem(bn)  # the earlier key alone
    assert problem.kind == "other" and problem.text.startswith(
        f"the key file {key_path(bn.path).name} holds key {old.key_id_hex}, this "
        "computer's earlier key, which a key change replaced with key")
    with pytest.raises(KeyFileError):
        keyreg.secret_key(bn)
    minisign.save_secret_key(key_path(bn.path), new, replica=bn.replica_id)
    bn.close()
    shutil.copyfile(copy, bn.path)
    with open_replica(bn.path) as again:
        assert again.meta("key_id") == old.key_id_hex
        assert keyreg.key_file_problem(again) is None


def damage(db: Path) -> None:
    """A bad page where the reports are: the file opens, its settings still read."""
    from tests.cli.test_cli_faults import damage_pages_of

    damage_pages_of(str(db), "versions")


def test_a_restore_names_the_key_file_not_the_backup(make_office) -> None:
    """The database damaged, and another computer's key file beside it: its own backup
    was refused as "a backup of another computer". The key file is named instead."""
    bn, ng, own = with_sibling_key(make_office)
    made = bn.backup("manual")
    bn_key, ng_key = bn.meta("key_id"), ng.meta("key_id")
    bn.close()
    damage(bn.path)
    key = key_path(bn.path).name
    with pytest.raises(store.StoreError) as caught:
        store.restore_backup(bn.path)
    text = str(caught.value)
    assert text == (
        f"{made} is a backup of {bn.path.name} (key {bn_key}), but the key file "
        f"{key} holds another key ({ng_key}), likely another computer's: put "
        "this computer's own key file back beside the database (from where it was copied "
        "or backed up), then restore")
    assert "of another computer" not in text
    # the database gone altogether: the backup's mark names it
    bn.path.rename(bn.path.with_name("elsewhere"))
    with pytest.raises(store.StoreError, match=f"holds another key \\({ng_key}\\)"):
        store.restore_backup(bn.path, made)
    bn.path.with_name("elsewhere").rename(bn.path)
    key_path(bn.path).write_bytes(own)
    assert store.restore_backup(bn.path).used == made


def test_another_computers_backup_is_still_called_so(make_office) -> None:
    """The key file is the database's own: a backup with another key is another
    computer's, as it was."""
    bn, ng = make_office("BN"), make_office("NG")
    made = ng.backup("manual")
    bn.close()
    damage(bn.path)
    with pytest.raises(store.StoreError, match="is a backup of another computer"):
        store.restore_backup(bn.path, made)


def test_an_export_for_every_office_says_it_once(hq, make_office, tmp_path: Path) -> None:
    make_office("BN")
    key_path(hq.path).unlink()
    with pytest.raises(KeyFileError, match="is missing: headquarters cannot sign"):
        export_all_offices(hq, tmp_path)
    assert not list(tmp_path.glob("HQ-to-*"))


def test_a_restore_says_it_once_for_every_backup(make_office) -> None:
    bn, _ng, _own = with_sibling_key(make_office)
    bn.backup("manual")
    bn.backup("before-import")
    bn.close()
    damage(bn.path)
    with pytest.raises(store.NoUsableBackupError) as caught:
        store.restore_backup(bn.path)
    text = str(caught.value)
    assert text.count("holds another key") == 1 and text == caught.value.faults_text
    assert len(caught.value.faults) >= 2


@pytest.mark.parametrize(("ending", "said"), [
    (".old", "cannot keep this computer's old key"),
    (".new", "cannot write this computer's new key")])
def test_a_key_change_the_disk_is_too_full_for_says_so_without_hidden_names(
        make_office, monkeypatch, ending, said) -> None:
    """A key change keeps the old key in a hidden file ("….key.<id>.<time>.old") and
    writes the new one beside it ("….key.new"); a full disk was said with that file's
    name, which the person never chose nor sees. It is said as what failed, with
    what to do, and the key is not changed."""
    import errno
    import os

    from fieldplan.errors import FileError

    ml = make_office("ML")
    before = keyreg.secret_key(ml).key_id_hex
    real_open = os.open

    def full(path, flags, *args):
        name = os.fspath(path)
        if name.endswith(".part") and ending in name:
            raise OSError(errno.ENOSPC, "No space left on device", name)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", full)
    with pytest.raises(FileError) as caught:
        keyreg.rotate_key(ml)
    assert str(caught.value) == f"{said}: {reasons.OWN_DISK_FULL}"
    monkeypatch.undo()
    assert keyreg.secret_key(ml).key_id_hex == before
    assert not list(key_path(ml.path).parent.glob("*.old"))


@pytest.mark.parametrize("where", ["office", "hq"])
def test_a_rotation_the_disk_fills_under_leaves_no_key_file_beside_the_database(
        hq, make_office, monkeypatch, where) -> None:
    """The key files were written, the database could not take the change: it rolled
    back, and its new key (``.new``, until the next opening) and a copy of the key it
    keeps (``.old``, for good: one more secret key copy at each try) stayed beside
    the database. Neither does now; the key is the one it was, and signs."""
    import sqlite3

    from fieldplan.errors import StoreError

    rep = make_office("BN") if where == "office" else hq
    folder = rep.path.parent

    def key_files() -> list[str]:
        return sorted(p.name for p in folder.iterdir() if ".key" in p.name)

    before = key_files()
    key = key_path(rep.path).read_bytes()

    def full(*_args, **_kwargs):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise exc

    monkeypatch.setattr(keyreg, "_adopt_key", full)
    with pytest.raises(StoreError, match="the disk is full"):
        keyreg.rotate_key(rep)
    assert key_files() == before
    assert key_path(rep.path).read_bytes() == key
    monkeypatch.undo()
    assert keyreg.key_file_problem(rep) is None
    keyreg.rotate_key(rep)  # once there is room
    assert key_path(rep.path).read_bytes() != key
