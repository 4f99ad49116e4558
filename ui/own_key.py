"""This computer as headquarters knows it: its office, its replica id and the key that
signs its bundles (what ``fieldplan keys show`` and ``fieldplan status`` print). When
headquarters holds a bundle of a key it does not know yet in quarantine, it calls the
office and they read the fingerprint together: this is where the office reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _
from ui.bidi import in_layout_direction
from ui.context import Identity
from ui.dialogs import fixed_font, selectable, size_to_content
from ui.qtcompat import Qt

if TYPE_CHECKING:
    from fieldplan.minisign import PublicKey


def read_own_key(rep) -> PublicKey:
    """(worker) this replica's signing key: its ``key_id_hex`` as minisign prints it,
    its ``fingerprint`` in 10 groups of 4 hex digits, read aloud to headquarters."""
    from fieldplan.sync.keys import public_key

    return public_key(rep)


def code_field(text: str, name: str) -> QLineEdit:
    """A code shown to be read out or copied: selectable, and left to right in Arabic
    too (a right-to-left field showed the fingerprint "4135 0B77 … 457C" as "0B77 …
    457C 4135"). The widget's own direction, not marks in the text: what is copied is
    the code as it is written. It stays on the side of its label."""
    field = QLineEdit(text)
    field.setReadOnly(True)
    field.setFrame(False)
    field.setAccessibleName(name)
    field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    if QGuiApplication.isRightToLeft():
        field.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    # a read-only text, not a field to fill in: the dialog's background
    field.setStyleSheet("QLineEdit { background: transparent; }")
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance(text) + 12)
    field.setCursorPosition(0)
    return field


class OwnKeyDialog(QDialog):
    """Office, replica id, key id and fingerprint of this computer (Help menu)."""

    def __init__(self, identity: Identity, key: PublicKey, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("own-key-dialog")
        self.setWindowTitle(_("This computer's key"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        intro = QLabel(_(
            "Headquarters checks this fingerprint before it trusts bundles signed by a key "
            "it does not know yet (a new computer, or one restored from a backup). Read it "
            "to them on the phone, group by group: it must match the one they see."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.office = QLabel(in_layout_direction(identity.office_text()))
        self.office.setTextFormat(Qt.TextFormat.PlainText)
        self.office.setTextInteractionFlags(selectable())
        form.addRow(_("Office"), self.office)
        self.replica = code_field(identity.replica_id, _("Computer"))
        form.addRow(_("Computer"), self.replica)
        self.key_id = code_field(key.key_id_hex, _("Key"))
        form.addRow(_("Key"), self.key_id)
        self.fingerprint = code_field(key.fingerprint, _("Key fingerprint"))
        self.fingerprint.setFont(fixed_font())  # read group by group, as in the Keys tab
        self.fingerprint.setMinimumWidth(
            self.fingerprint.fontMetrics().horizontalAdvance(key.fingerprint) + 12)
        form.addRow(_("Key fingerprint"), self.fingerprint)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        size_to_content(self, 560)
