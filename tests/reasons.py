"""What fieldplan says of a file it could not use, with the step a person can take
(``fieldplan.files.os_error_reason``): the English words the tests expect, kept in one
place."""

from __future__ import annotations

import os

DISK_FULL = "the disk is full; make room or choose another disk"
READ_ONLY = "the disk is read-only; choose another disk"
DENIED_WRITING = "permission denied; choose a folder you can write to"
#: a file there that may not be written (read-only): the folder may take another
READ_ONLY_FILE = "it is read-only; choose another name"
DENIED_READING = "permission denied; ask for access to it"
A_FOLDER = "it is a folder; choose a file"
UNDER_A_FILE = "part of the path is a file, not a folder; check the path"
NO_FOLDER = "its folder does not exist; create it or choose another folder"
NO_SUCH_FILE = "no such file or folder; check the name"
TOO_LONG = "the name is too long; choose a shorter name"
DISK_FAULT = ("the disk could not be read or written (removed too early, or damaged); "
              "check it, then try again")
DISK_GONE = "the disk is no longer there (removed?); plug it in again, then try again"
#: of a file of fieldplan's own (a key, the reports' cache), whose place no one chose
OWN_DISK_FULL = "the disk is full; make room, then try again"


def folder_refuses(folder: str | os.PathLike[str], reason: str = "permission denied") -> str:
    """A folder that refuses a new file (``files.write_reason``), as said."""
    return f"the folder {folder} cannot be written to ({reason}); choose another folder"
