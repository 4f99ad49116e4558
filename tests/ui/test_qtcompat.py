"""The PySide6 6.12 reference leak on None/True must not be able to abort a session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import ui.qtcompat
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(60_000):
    label.setText("x")
    label.setEnabled(True)
print("ok")
"""


def test_a_long_session_of_qt_calls_does_not_abort_python() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip() == "ok"


def test_lazy_qt_is_pysides_namespace() -> None:
    from PySide6.QtCore import Qt as real

    from ui.qtcompat import USER_ROLE, Qt

    assert Qt.ItemDataRole is real.ItemDataRole
    assert Qt.ItemDataRole.UserRole == USER_ROLE
    assert Qt.LayoutDirection.RightToLeft is real.LayoutDirection.RightToLeft
