r"""A database on a network drive (an NFS or SMB mount, ``\\server\share``, a mapped
``S:``): SQLite's write-ahead log does not work there between computers, which lose
each other's entries. fieldplan refuses it, opening, making or restoring, before
anything is written there, and says the way out: a copy on this computer's disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fieldplan import netdrive, progress, store
from fieldplan.errors import StoreError
from fieldplan.netdrive import Mount, mount_of, parse_mountinfo, windows_network_root
from fieldplan.replica import init_hq, open_replica
from tests.cli.test_cli_messages import run

#: What a Linux office computer's /proc/self/mountinfo holds: a root on ext4, a home
#: folder on NFS, an SMB share whose mount point has a space (``\040``), a share
#: mounted below a local folder, an sshfs mount, a bind mount of a folder of the NFS
#: home (its type says nfs4 too), a bind mount of a local folder below the NFS home,
#: and a tmpfs mounted over a folder of the share (the later mount hides the earlier).
MOUNTINFO = """\
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
61 22 0:52 / /home rw,relatime shared:30 - nfs4 fs1:/export/home rw,vers=4.2,rsize=1048576
72 22 0:60 / /mnt/Office\\040Share rw,relatime shared:41 - cifs //srv/office\\040share rw,vers=3.1.1
73 22 8:3 / /mnt/data rw,relatime shared:42 - ext4 /dev/sda3 rw
74 73 0:61 / /mnt/data/smb rw,relatime shared:43 - smb3 //srv/data rw,vers=3.0
75 22 0:62 / /media/remote rw,relatime shared:44 - fuse.sshfs amina@srv:/srv rw,user_id=1000
76 22 0:52 /amina/work /srv/work rw,relatime shared:30 - nfs4 fs1:/export/home rw,vers=4.2
77 61 8:2 /var/local /home/amina/local rw,relatime shared:1 - ext4 /dev/sda2 rw
78 72 0:63 / /mnt/Office\\040Share/tmp rw,relatime shared:45 master:9 - tmpfs tmpfs rw
79 72 0:64 / /mnt/Office\\040Share/tmp rw,relatime shared:46 - nfs fs2:/tmp rw,vers=3
80 22 0:65 / /mnt/datasets rw,relatime - ext4 /dev/sdb1 rw
"""


def test_mountinfo_lines_are_read_with_their_escapes_and_optional_fields() -> None:
    mounts = parse_mountinfo(MOUNTINFO + "a malformed line\n\n")
    assert len(mounts) == 12
    assert mounts[0] == Mount("/", "ext4", "/dev/sda2")
    assert mounts[3] == Mount("/mnt/Office Share", "cifs", "//srv/office share")
    # two optional fields (shared:45 master:9) before the separator
    assert mounts[9] == Mount("/mnt/Office Share/tmp", "tmpfs", "tmpfs")
    assert parse_mountinfo("36 35 98:0 /a /b\\134c\\011d rw - ext3 /dev/x rw")[0].point \
        == "/b\\c\td"


@pytest.mark.parametrize(("path", "fstype"), [
    ("/home/amina/fieldplan/fieldplan.sqlite3", "nfs4"),
    ("/home", "nfs4"),
    ("/mnt/Office Share/ML.sqlite3", "cifs"),
    ("/mnt/data/ML.sqlite3", "ext4"),  # the local disk below which a share is mounted
    ("/mnt/data/smb/ML.sqlite3", "smb3"),  # the share: the longer mount point wins
    ("/mnt/datasets/ML.sqlite3", "ext4"),  # /mnt/data is no folder of /mnt/datasets
    ("/media/remote/ML.sqlite3", "fuse.sshfs"),
    ("/srv/work/ML.sqlite3", "nfs4"),  # a bind mount of an NFS folder
    ("/home/amina/local/ML.sqlite3", "ext4"),  # a local folder bound into the NFS home
    ("/mnt/Office Share/tmp/x", "nfs"),  # of two mounts at one point, the later
    ("/opt/fieldplan.sqlite3", "ext4"),
])
def test_the_longest_mount_point_above_a_path_holds_it(path: str, fstype: str) -> None:
    found = mount_of(path, parse_mountinfo(MOUNTINFO))
    assert found is not None and found.fstype == fstype


def test_a_path_is_said_on_a_network_drive_by_its_mounts_type(tmp_path: Path) -> None:
    info = tmp_path / "mountinfo"
    info.write_text(MOUNTINFO)
    assert netdrive.linux_network_type("/home/amina/x.sqlite3", str(info)) == "nfs4"
    assert netdrive.linux_network_type("/media/remote/x", str(info)) == "fuse.sshfs"
    assert netdrive.linux_network_type("/mnt/data/x.sqlite3", str(info)) is None
    assert netdrive.linux_network_type("/home/amina/local/x", str(info)) is None
    # no mountinfo (not Linux, /proc not mounted): nothing can be told, nothing refused
    assert netdrive.linux_network_type("/home/x", str(tmp_path / "none")) is None


def test_a_link_to_a_network_drive_is_said_on_it(tmp_path: Path) -> None:
    """A database reached through a link in a local folder lives where the link leads."""
    share = tmp_path / "share"
    share.mkdir()
    (tmp_path / "local").symlink_to(share)
    info = tmp_path / "mountinfo"
    info.write_text(f"22 1 8:2 / / rw - ext4 /dev/sda2 rw\n"
                    f"61 22 0:52 / {share} rw - cifs //srv/share rw\n")
    assert netdrive.linux_network_type(str(tmp_path / "local" / "ML.sqlite3"),
                                       str(info)) == "cifs"


class _Kernel32:
    """GetDriveTypeW's answers for some drive letters."""

    def __init__(self, types: dict[str, int]) -> None:
        self.types = types

    def GetDriveTypeW(self, root) -> int:
        return self.types.get(root.value, 1)


@pytest.mark.parametrize(("path", "root"), [
    ("\\\\srv\\office\\fieldplan\\ML.sqlite3", "\\\\srv\\office"),
    ("//srv/office/ML.sqlite3", "//srv/office"),
    ("\\\\?\\UNC\\srv\\office\\ML.sqlite3", "\\\\srv\\office"),
    ("S:\\fieldplan\\ML.sqlite3", "S:"),  # a mapped drive
    ("\\\\?\\S:\\fieldplan\\ML.sqlite3", "S:"),
    ("C:\\Users\\amina\\ML.sqlite3", None),
    ("E:\\ML.sqlite3", None),  # a USB stick
    ("\\\\?\\C:\\Users\\ML.sqlite3", None),
])
def test_a_windows_path_is_said_on_a_network_drive(path: str, root: str | None) -> None:
    pytest.importorskip("ctypes")
    kernel32 = _Kernel32({"C:\\": 3, "E:\\": 2, "S:\\": netdrive.DRIVE_REMOTE})
    assert windows_network_root(path, lambda: kernel32) == root


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch):
    """``network(folder)``: the files in ``folder`` are on an NFS mount from now on."""
    def make(folder: Path) -> None:
        place = netdrive.network_place
        monkeypatch.setattr(
            netdrive, "network_place",
            lambda path: "nfs4" if Path(os.path.abspath(path)).parent == folder
            else place(path))
    return make


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_database_on_a_network_drive_is_refused_untouched(
        tmp_path: Path, network) -> None:
    """It was opened in WAL mode, whose shared memory two computers do not share:
    each overwrote the pages the other wrote, and entries were lost."""
    share = tmp_path / "share"
    share.mkdir()
    with init_hq(share / "hq.sqlite3") as rep:
        progress.record_progress(rep, "PA1.6", "2026-S1", status="on-track")
    before = _files(share)
    network(share)
    with pytest.raises(StoreError) as refused:
        open_replica(share / "hq.sqlite3")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{share / 'hq.sqlite3'} is on a network drive (nfs4)")
    assert "copy the database's folder to this computer's own disk" in message
    assert _files(share) == before  # no -wal, -shm, backup, nothing moved


def test_no_database_is_made_on_a_network_drive(tmp_path: Path, network) -> None:
    share = tmp_path / "share"
    share.mkdir()
    network(share)
    with pytest.raises(StoreError) as refused:
        init_hq(share / "hq.sqlite3")
    message = str(refused.value)
    # (the temporary name init makes the database under is not the one said)
    assert message.startswith(f"{share / 'hq.sqlite3'} is on a network drive (nfs4)")
    assert "choose a file on this computer's own disk" in message
    assert list(share.iterdir()) == []


def test_no_backup_is_restored_onto_a_network_drive(tmp_path: Path, network) -> None:
    """A restore put a file there that could only be refused when opened, and moved
    the one it replaced aside."""
    share = tmp_path / "share"
    share.mkdir()
    db = share / "hq.sqlite3"
    with init_hq(db) as rep:
        store.backup(rep.conn, db, "test")
    db.write_bytes(b"damaged" * 100)
    before = _files(share)
    network(share)
    with pytest.raises(StoreError, match="is on a network drive"):
        store.restore_latest_backup(db)
    assert _files(share) == before


def test_the_command_line_says_it_in_one_line(tmp_path: Path, network, capsys) -> None:
    share = tmp_path / "share"
    share.mkdir()
    init_hq(share / "hq.sqlite3").close()
    network(share)
    for db, command in (("hq.sqlite3", ("status",)), ("hq.sqlite3", ("restore",)),
                        ("new.sqlite3", ("init", "--hq"))):
        code, out, err = run("--db", str(share / db), *command, capsys=capsys)
        assert code == 1, command
        assert out == ""
        assert err.count("\n") == 1 and "is on a network drive (nfs4)" in err, err
        assert "Traceback" not in err


def test_a_database_on_this_computers_disk_opens_as_before(tmp_path: Path,
                                                           network) -> None:
    network(tmp_path / "share")
    with init_hq(tmp_path / "hq.sqlite3") as rep:
        assert rep.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_backup_kept_on_a_network_drive_is_restored_to_this_computer(
        tmp_path: Path, network) -> None:
    """The way back for a database refused there: its backups, read from the share."""
    share = tmp_path / "share"
    share.mkdir()
    db = tmp_path / "hq.sqlite3"
    with init_hq(db) as rep:
        kept = store.backup(rep.conn, db, "test").rename(share / "hq-backup.sqlite3")
    db.write_bytes(b"damaged" * 100)
    network(share)
    assert store.restore_backup(db, kept).used == kept
    with open_replica(db) as rep:
        assert rep.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
