"""(Windows) The export dialog's drives are asked of Windows through ctypes, never
through ``QStorageInfo.mountedVolumes`` (which holds Python's lock while a network
drive's server does not answer), and network drives are not asked at all. Windows
itself is played by a stand-in for kernel32's functions."""

from __future__ import annotations

from ui import transfer, win_drives


class FakeKernel32:
    """kernel32's five calls over a table of drives: letter → (type, label, read-only,
    bytes free, ready). Records each root whose volume was asked of."""

    def __init__(self, drives: dict[str, tuple[int, str, bool, int, bool]]) -> None:
        self.drives = drives
        self.asked: list[str] = []
        self.error_modes: list[int] = []

    def SetThreadErrorMode(self, mode, old):
        self.error_modes.append(mode)
        return 1

    def GetLogicalDrives(self):
        return sum(1 << (ord(letter) - ord("A")) for letter in self.drives)

    def GetDriveTypeW(self, root):
        return self.drives[root.value[0]][0]

    def GetVolumeInformationW(self, root, label, size, serial, length, flags, fs,
                              fs_size):
        self.asked.append(root.value)
        _kind, name, read_only, _free, ready = self.drives[root.value[0]]
        if not ready:
            return 0
        label.value = name
        flags._obj.value = win_drives.FILE_READ_ONLY_VOLUME if read_only else 0
        return 1

    def GetDiskFreeSpaceExW(self, root, free, total, total_free):
        free._obj.value = self.drives[root.value[0]][3]
        return 1


REMOVABLE, FIXED, REMOTE, CDROM = 2, 3, 4, 5


def test_the_drives_offered_are_removable_or_fixed_ready_and_writable_never_c() -> None:
    k = FakeKernel32({
        "C": (FIXED, "Windows", False, 10**11, True),
        "D": (CDROM, "DVD", True, 0, True),
        "E": (REMOVABLE, "KINGSTON", False, 3 * 2**30, True),
        "F": (REMOVABLE, "", False, 2**20, True),  # no label: named by its root
        "G": (REMOVABLE, "LOCKED", True, 2**20, True),  # an SD card's lock on
        "H": (REMOVABLE, "", False, 0, False),  # a card reader without a card
        "K": (FIXED, "USB DISK", False, 5 * 2**30, True),  # a USB hard disk
        "Z": (REMOTE, "share", False, 0, True),  # a mapped network drive
    })
    assert win_drives.carried_drives(k) == [
        ("KINGSTON", "E:\\", 3 * 2**30), ("F:\\", "F:\\", 2**20),
        ("USB DISK", "K:\\", 5 * 2**30)]
    # the network drive (and C:, and the DVD) never asked of: its server may be gone
    assert "Z:\\" not in k.asked and "C:\\" not in k.asked and "D:\\" not in k.asked
    # no "There is no disk in the drive" box while asking, and the mode put back after
    assert k.error_modes[0] & win_drives.SEM_FAILCRITICALERRORS
    assert len(k.error_modes) == 2


def test_on_windows_the_export_dialog_asks_windows_not_qt(monkeypatch) -> None:
    from PySide6.QtCore import QStorageInfo

    def qt_asked():
        raise AssertionError("QStorageInfo.mountedVolumes holds Python's lock")

    k = FakeKernel32({"E": (REMOVABLE, "KINGSTON", False, 2**30, True),
                      "Z": (REMOTE, "share", False, 0, True)})
    monkeypatch.setattr(win_drives, "_kernel32", lambda: k)
    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(qt_asked))
    monkeypatch.setattr(transfer.sys, "platform", "win32")
    assert transfer.mounted_drives() == [("KINGSTON", "E:\\", 2**30)]
