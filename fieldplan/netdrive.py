r"""Whether a path is on a network drive: an NFS, SMB/CIFS, sshfs… mount on Linux, a
``\\server\share`` path or a mapped drive letter on Windows.

SQLite's write-ahead log keeps its index in shared memory (the ``-shm`` file, mapped
by each program): two computers using one database on a network drive each keep their
own, and overwrite each other's pages. ``store.connect`` refuses such a place
(``store.network_drive_error``).

Linux: ``os.statvfs`` does not say a file system's type; ``/proc/self/mountinfo``
does, for the mount holding the path (the longest mount point above it). Windows: a
UNC path, or a drive letter Windows calls DRIVE_REMOTE. Elsewhere (macOS): None.
"""

from __future__ import annotations

import ntpath
import os
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

#: File system types (mountinfo's) of network and host-shared drives, where SQLite's
#: shared memory and locks do not hold between computers (or between a virtual machine
#: and its host). ``fuse.gvfsd-fuse``: the desktop's smb://, sftp://, dav:// places.
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "coda", "ceph",
    "glusterfs", "lustre", "gpfs", "davfs", "sshfs", "vboxsf", "vmhgfs",
    "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.glusterfs", "fuse.cephfs",
    "fuse.davfs2", "fuse.gvfsd-fuse", "fuse.vmhgfs-fuse", "fuse.smbnetfs",
})

#: GetDriveTypeW's answer for a network drive.
DRIVE_REMOTE = 4

MOUNTINFO = "/proc/self/mountinfo"


class Mount(NamedTuple):
    """One line of ``/proc/self/mountinfo``."""

    point: str  #: where it is mounted, unescaped
    fstype: str  #: the file system's type ("ext4", "nfs4", "fuse.sshfs")
    source: str  #: what is mounted ("server:/export", "//server/share", "/dev/sda1")


_ESCAPED = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    r"""A mountinfo field as it is: the kernel writes space, tab, newline and
    backslash as octal escapes (``\040``, ``\011``, ``\012``, ``\134``)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts ``text`` (``/proc/self/mountinfo``'s) lists, in its order: ID, parent
    ID, device, root, mount point, options, optional fields up to ``-``, then type,
    source and the super block's options. Malformed lines are passed over."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            dash = fields.index("-", 6)
            mounts.append(Mount(_unescape(fields[4]), fields[dash + 1],
                                _unescape(fields[dash + 2])))
        except (ValueError, IndexError):
            continue
    return mounts


def mount_of(path: str, mounts: Iterable[Mount]) -> Mount | None:
    """The mount holding the absolute ``path`` (links resolved): the one with the
    longest mount point above it; of two at the same point, the later (mounted over
    the first, which it hides)."""
    found: Mount | None = None
    for mount in mounts:
        point = mount.point.rstrip("/") or "/"
        inside = (path == point or point == "/"
                  or path.startswith(point + "/"))
        if inside and (found is None or len(point) >= len(found.point.rstrip("/") or "/")):
            found = mount
    return found


def linux_network_type(path: str, mountinfo: str = MOUNTINFO) -> str | None:
    """The network file system type of the mount holding ``path``, or None (a local
    disk, or no mountinfo to read)."""
    try:
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError:
        return None
    mount = mount_of(os.path.realpath(path), parse_mountinfo(text))
    if mount is None:
        return None
    return mount.fstype if mount.fstype in NETWORK_TYPES else None


def _kernel32() -> Any:  # pragma: no cover - Windows
    import ctypes

    return ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]


def windows_network_root(path: str,
                         kernel32: Callable[[], Any] = _kernel32) -> str | None:
    r"""The share (``\\server\share``) or the mapped drive (``S:``) holding the absolute
    Windows ``path``, or None on a local disk. ``kernel32``: the DLL's functions (a
    stand-in in tests)."""
    drive, _rest = ntpath.splitdrive(path)
    upper = drive.upper()
    if upper.startswith(("\\\\?\\UNC\\", "//?/UNC/")):  # \\?\UNC\server\share
        return "\\\\" + drive[8:]
    if upper.startswith(("\\\\?\\", "\\\\.\\", "//?/", "//./")):
        # \\?\C:\…: a long path on a drive letter
        drive, _rest = ntpath.splitdrive(path[4:])
    elif drive.startswith(("\\\\", "//")):  # \\server\share
        return drive
    if len(drive) == 2 and drive[1] == ":":
        import ctypes

        root = drive + "\\"
        if kernel32().GetDriveTypeW(ctypes.c_wchar_p(root)) == DRIVE_REMOTE:
            return drive
    return None


def network_place(path: str | os.PathLike[str]) -> str | None:
    """What network drive ``path`` (a file, there or to be made) is on, as a person
    reads it: the file system's type (Linux), the share or drive (Windows); None on
    this computer's own disks, and where it cannot be told."""
    if os.name == "nt":  # pragma: no cover - Windows
        return windows_network_root(os.path.realpath(path))
    return linux_network_type(os.fspath(path))
