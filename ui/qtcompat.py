"""Work-arounds for bugs and costs of the Qt binding, in one place.

PySide6 6.12 on Python 3.11: ``SignalInstance.emit()`` returns ``True`` without a new
reference (and every call returning nothing drops one from ``None``, see
``_pin_singletons``). Python 3.11's bools are not immortal, so every emit from Python takes one
reference from ``True`` until the interpreter aborts ("bool_dealloc: deallocating
True or False", usually at exit). Every signal the client emits goes through ``emit``,
which gives the reference back when the binding took it.

``Qt`` is ``PySide6.QtCore.Qt``, built on first use. PySide6 makes all the enums of a
class the first time the class is touched, and that namespace holds 94 of them (1,500
members): about 15 ms, a sixth of what showing a bare window takes. The first screen
needs none of them, so the modules it loads import ``Qt`` from here, use it in
functions only, and leave the calls whose overloads take one of its enums
(``QAction.setShortcut``, ``QSplitter(parent)``, ``setLayoutDirection``…) until the
window is painted (tests/ui/test_shell.py checks it).
"""

from __future__ import annotations

import ctypes
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from PySide6.QtCore import Qt


def _pin_singletons() -> None:
    """PySide6 6.12 on Python 3.11 also drops a reference to ``None`` on every call of
    a method that returns nothing (``setText``, ``setEnabled``…): some 8,000 calls
    after start-up the interpreter aborts with "none_dealloc". Python 3.12 made None,
    True and False immortal; here we give them a reference count no session can use
    up (2**40), which is what immortality amounts to."""
    if sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        if refcount.value < 1 << 39:
            refcount.value += 1 << 40


_pin_singletons()


class _Probe(QObject):
    fired = Signal()


def _emit_steals_a_bool() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.fired.emit()
    return sys.getrefcount(True) < before


EMIT_STEALS_BOOL = _emit_steals_a_bool()


def emit(signal, *args) -> None:
    """``signal.emit(*args)``, without the binding's reference leak."""
    result = signal.emit(*args)
    if EMIT_STEALS_BOOL and (result is True or result is False):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


class _LazyQt:
    """Stands for ``PySide6.QtCore.Qt`` until an attribute is first asked for."""

    def __getattr__(self, name: str):
        from PySide6.QtCore import Qt as namespace

        value = getattr(namespace, name)
        setattr(self, name, value)  # an ordinary attribute from now on
        return value


if not TYPE_CHECKING:
    Qt = _LazyQt()


def namespace_built() -> bool:
    """Whether PySide has built Qt's namespace already (something asked it for one of
    its enums): what waits for the first paint only not to build it (a window made
    again for a language change, a second window) need not wait."""
    import PySide6.QtCore

    return "Qt" in vars(PySide6.QtCore)

#: ``Qt.ItemDataRole.UserRole`` (0x0100 in Qt's API), for roles defined at import time.
USER_ROLE = 0x0100
#: ``Qt.ItemDataRole.AccessibleTextRole`` (11), for items made before the first paint.
ACCESSIBLE_TEXT_ROLE = 11
#: ``Qt.ItemDataRole.BackgroundRole`` (8) and ``ForegroundRole`` (9), for items made
#: before the first paint (``QBrush(QColor)`` builds Qt's namespace: its style argument)
BACKGROUND_ROLE, FOREGROUND_ROLE = 8, 9
