"""What the one-folder build (PyInstaller, packaging/launch.py) changes of the
environment for itself, given back before anything else runs, so the programs
fieldplan starts get the user's.

On Linux PyInstaller's bootloader puts the build's own library folder (_internal,
with Qt 6.12, libstdc++, glib, libcups… of the machine it was built on) first in
LD_LIBRARY_PATH, keeping what the user had in LD_LIBRARY_PATH_ORIG. The dynamic
linker has read it once this program started, and needs it no more; but every program
fieldplan starts inherited it: the PDF viewer or spreadsheet a report or a table is
opened in (xdg-open), the file manager, `lp`. On a newer system than the build's (the
only kind it runs on) those loaded the build's older libraries in place of their own
and did not start (okular with Qt 6.12's libraries, GLIBCXX_3.4.32 not found…).
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping

LIBRARY_PATH = "LD_LIBRARY_PATH"
#: where the bootloader keeps the value the user had (none when there was none)
SAVED = LIBRARY_PATH + "_ORIG"


def give_back_environment(environ: MutableMapping[str, str], frozen: bool | None = None) -> None:
    """Put back in ``environ`` (os.environ) the library path the user had before the
    frozen program's bootloader changed it: the saved value, or none. Nothing changes
    when not ``frozen`` (by default: whether this program is a frozen build), where no
    bootloader set it: a developer's own LD_LIBRARY_PATH stays."""
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if not frozen or not sys.platform.startswith("linux"):
        return
    saved = environ.pop(SAVED, None)
    if saved is None:
        environ.pop(LIBRARY_PATH, None)
    else:
        environ[LIBRARY_PATH] = saved
