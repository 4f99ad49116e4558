"""(Windows) The drives a person could carry away, asked of Windows through ctypes.

``QStorageInfo.mountedVolumes`` asks every volume for its sizes, network drives too,
and PySide holds Python's lock through the whole call: a mapped network drive whose
server is gone away (a laptop taken from the office) kept every thread waiting, the
window with it, for as long as Windows waited for the server. ctypes lets go of
Python's lock during each call, and a network drive is not asked at all: its type
comes from the drive table, and a bundle is not carried away on it.
"""

from __future__ import annotations

import ctypes
import string
from typing import Any

# GetDriveTypeW's answers
DRIVE_REMOVABLE = 2
DRIVE_FIXED = 3
#: a drive letter on which a USB stick or a USB disk can be (a USB hard disk says
#: "fixed"); never network (4), CD/DVD (5) or RAM (6) drives
CARRIED = (DRIVE_REMOVABLE, DRIVE_FIXED)
#: GetVolumeInformationW's flag of a read-only volume (an SD card's lock on)
FILE_READ_ONLY_VOLUME = 0x00080000
#: SetThreadErrorMode: no "There is no disk in the drive" box for an empty card reader
SEM_FAILCRITICALERRORS = 0x0001
SEM_NOOPENFILEERRORBOX = 0x8000
NAME_CHARS = 261  # MAX_PATH + 1


def _kernel32() -> Any:
    return ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]


def carried_drives(kernel32: Any = None) -> list[tuple[str, str, int]]:
    """(name, root, bytes free) of each drive letter other than C: that is a removable
    or a fixed drive, ready and writable: its volume label (else its root, "E:\\"), as
    Qt names it. ``kernel32``: the DLL's functions (a stand-in in tests)."""
    k = kernel32 if kernel32 is not None else _kernel32()
    old = ctypes.c_uint(0)
    quiet = bool(k.SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX,
                                      ctypes.byref(old)))
    try:
        mask = k.GetLogicalDrives()
        out = []
        for i, letter in enumerate(string.ascii_uppercase):
            if not mask & (1 << i) or letter == "C":
                continue
            root = f"{letter}:\\"
            if k.GetDriveTypeW(ctypes.c_wchar_p(root)) not in CARRIED:
                continue
            label = ctypes.create_unicode_buffer(NAME_CHARS)
            flags = ctypes.c_uint(0)
            if not k.GetVolumeInformationW(ctypes.c_wchar_p(root), label, NAME_CHARS, None,
                                           None, ctypes.byref(flags), None, 0):
                continue  # not ready: a card reader without a card
            if flags.value & FILE_READ_ONLY_VOLUME:
                continue
            free = ctypes.c_ulonglong(0)
            if not k.GetDiskFreeSpaceExW(ctypes.c_wchar_p(root), ctypes.byref(free), None,
                                         None):
                continue
            out.append((label.value or root, root, free.value))
        return out
    finally:
        if quiet:
            k.SetThreadErrorMode(old.value, None)
