"""Small window-modal dialogs opened with ``open()`` (never ``exec()``), so the event
loop keeps running and tests can drive them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _


class ConfirmDialog(QDialog):
    """A question, optional details, and OK (with its own words) / Cancel."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        details: str = "",
        ok_text: str = "",
        monospace_details: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text)
        self.details = None
        if details:
            self.details = QPlainTextEdit(details)
            self.details.setReadOnly(True)
            self.details.setAccessibleName(_("Details"))
            if monospace_details:
                from PySide6.QtGui import QFontDatabase

                self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
                self.details.setMaximumHeight(80)
            lay.addWidget(self.details)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok_text:
            self.ok_button.setText(ok_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, 300 if details else 160)


class MessageDialog(QDialog):
    """Information with optional details; OK only."""

    def __init__(self, parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.text)
        if details:
            box = QPlainTextEdit(details)
            box.setReadOnly(True)
            lay.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.resize(520, 260)


def add_folder_row(parent: QWidget, form: QFormLayout, folder: str) -> QLineEdit:
    """A "Folder" row of ``form``: the folder's field (returned) and a Browse… button
    opening a non-blocking folder chooser that writes into it."""
    field = QLineEdit(folder)
    field.setAccessibleName(_("Folder"))
    browse = QPushButton(_("&Browse…"))
    browse.clicked.connect(lambda: _browse_folder(parent, field))
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(browse)
    label = QLabel(_("&Folder"))  # a row of two widgets: name the buddy
    label.setBuddy(field)
    form.addRow(label, row)
    return field


def _browse_folder(parent: QWidget, target: QLineEdit) -> None:
    from PySide6.QtWidgets import QFileDialog

    dialog = QFileDialog(parent, _("Choose a folder"))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(target.setText)
    dialog.open()
