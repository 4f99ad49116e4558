"""PyInstaller runtime hook, in place of its own for PySide6 (pyi_rth_pyside6), which
packaging/fieldplan.spec leaves out: where the build's Qt plugins are, without
importing PySide6.QtCore at every start as that hook does (to write a qt.conf that
PySide6's QtCore writes itself once it is imported). Every command of the built
program loaded Qt, ICU and shiboken before it ran: `fieldplan --version` took about
0.1 s of CPU more than from source for that alone. packaging/smoke.sh checks that a
command loads no Qt library, and that the window still finds its plugins and Qt's
translations."""


def _fieldplan_rthook() -> None:
    import os
    import sys

    here = sys._MEIPASS  # type: ignore[attr-defined]
    if sys.platform.startswith("win"):
        qt = os.path.join(here, "PySide6")
        # (as PyInstaller's hook: QtNetwork finds the OpenSSL DLLs collected here)
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")
    else:
        qt = os.path.join(here, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")


_fieldplan_rthook()
del _fieldplan_rthook
