"""The sign that fieldplan is starting (``WaitSign``), shown when the look at the disk
before the first run (``ui.app.look_before_start``) or the opening of the database has
not answered after ``ui.app.WAIT_SIGN_AFTER_MS``: a network or USB drive that hangs
held the start with nothing on screen, not even a sign that the app had started.

Imported only when the sign is due: an ordinary start never loads it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _
from ui.bidi import in_layout_direction
from ui.qtcompat import Qt


class WaitSign(QDialog):
    """fieldplan's name, "Opening the database…" (or that it is being upgraded:
    ``say_upgrading``), the database's path (which drive is slow to answer) and a busy
    bar; Cancel, Escape or the window's close button end
    fieldplan (``cancel_was_asked``): closed by the client itself (``done_waiting``)
    once the look has answered, it says nothing."""

    cancel_was_asked = Signal()

    def __init__(self, db_path: str, parent: QWidget | None = None) -> None:
        from ui.path_label import PathLabel

        super().__init__(parent)
        self.setObjectName("wait-sign")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # (its closing by the client is not the last window closed, which would quit
        # fieldplan as the first window replaces it: the client quits when it asks)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self._done = False
        lay = QVBoxLayout(self)
        # (on the layout's side in Arabic too: a Latin name put itself left)
        name = QLabel(in_layout_direction(_("fieldplan")))
        font = QFont(name.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        name.setFont(font)
        lay.addWidget(name)
        self.line = QLabel(_("Opening the database…"))
        lay.addWidget(self.line)
        self.path = PathLabel("wait-sign-path", accessible_name=_("Path of the database file"))
        self.path.set_path(db_path)
        lay.addWidget(self.path)
        # (no range: moves while fieldplan waits, not frozen)
        self.busy = busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setAccessibleName(_("Opening the database…"))
        lay.addWidget(busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(360)
        # the only thing to do here: Enter, Space or Escape ends fieldplan
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setFocus()

    def say_upgrading(self) -> None:
        """The opening upgrades the database for this fieldplan (slow on a large one)."""
        text = _("Updating the database for this version of fieldplan…")
        self.line.setText(text)
        self.busy.setAccessibleName(text)
        # as wide as the longer line needs (French: the window kept the width of
        # "Ouverture de la base de données…" and cut it)
        self.adjustSize()

    def done_waiting(self) -> None:
        """The look answered: the sign goes, ending nothing."""
        self._done = True
        self.close()

    def reject(self) -> None:
        """Cancel, Escape, the window's close button: fieldplan ends."""
        super().reject()
        if not self._done:
            self._done = True
            self.cancel_was_asked.emit()
