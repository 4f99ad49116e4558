"""A key rotation with a key file that cannot be written (Windows' read-only
attribute, a locked file; here the permission bits, or the immutable attribute for
the superuser) committed the new key to the database, then could not move it over
the key file: every command after it, even ``status``, failed with "….key.new:
permission denied; ask for access to it". It is refused first, nothing changed."""

from __future__ import annotations

import os

import pytest

from fieldplan.errors import FileError
from fieldplan.replica import key_path, open_replica
from fieldplan.sync import export_bundle, import_bundle
from fieldplan.sync.keys import rotate_key, secret_key
from tests.core.test_read_only_place import _unwritable


def test_a_key_rotation_with_a_key_file_that_cannot_be_written_changes_nothing(
        hq, make_office, tmp_path):
    ml = make_office("ML")
    path, kpath = ml.path, key_path(ml.path)
    before = kpath.read_bytes()
    key_id = secret_key(ml).key_id_hex
    keys = sorted(path.parent.glob(f"{kpath.name}*"))
    with _unwritable(kpath, probe=False):
        with pytest.raises(FileError) as refused:
            rotate_key(ml)
        assert str(refused.value) == f"cannot write {kpath}: permission denied"
    ml.close()
    assert kpath.read_bytes() == before
    assert sorted(path.parent.glob(f"{kpath.name}*")) == keys  # no .new, no .old
    with open_replica(path) as rep:  # opens (was: "….key.new: permission denied")
        assert secret_key(rep).key_id_hex == key_id
        bundle = export_bundle(rep, out_file=tmp_path / "ml.fieldplan").path
    assert import_bundle(hq, bundle).outcome == "merged"  # signed by the key HQ knows


def test_a_key_change_that_cannot_be_finished_names_the_key_file(make_office,
                                                                 monkeypatch):
    """A rotation committed, its new key not moved in place yet (killed), and the key
    file made read-only since: the opening that finishes the change says the key file
    cannot be written, not the ``.key.new`` file beside it."""
    from fieldplan.sync import keys

    ml = make_office("ML")
    path, kpath = ml.path, key_path(ml.path)
    monkeypatch.setattr(keys, "_move_in_place", lambda *_args: None)  # (killed there)
    rotate_key(ml)
    ml.close()
    monkeypatch.undo()
    with _unwritable(kpath, probe=False):
        with pytest.raises(FileError) as refused:
            open_replica(path).close()
        assert str(refused.value) == f"cannot write {kpath}: permission denied"
    with open_replica(path) as rep:  # once it can be: the change finished
        assert secret_key(rep).key_id_hex == rep.meta("key_id")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_key_file_its_owner_made_read_only_is_rotated_on_posix(make_office,
                                                                monkeypatch):
    """A key file made read-only by its owner (chmod 400, as an SSH key is) is replaced
    by the rotation's rename all the same on POSIX, which asks the folder only: the
    check made before the rotation refused it ("cannot write …: permission denied")
    where the rotation would have worked. (As the superuser, whom the permission bits
    do not stop, the refusal an ordinary account meets is made here.)"""
    import errno

    ml = make_office("ML")
    kpath = key_path(ml.path)
    old = secret_key(ml).key_id_hex
    kpath.chmod(0o400)
    if os.geteuid() == 0:
        real_open = os.open

        def refusing(path, flags, *args, **kwargs):
            if os.fspath(path) == os.fspath(kpath) and flags & os.O_WRONLY:
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    new = rotate_key(ml)
    monkeypatch.undo()
    assert new.key_id_hex != old
    ml.close()
    with open_replica(ml.path) as rep:
        assert secret_key(rep).key_id_hex == new.key_id_hex == rep.meta("key_id")
