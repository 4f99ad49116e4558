"""Setting this computer up again once headquarters revoked its key (the File menu,
the status bar's button, a setup bundle imported on such a computer): what happens,
the choice of the new setup bundle, then ``fieldplan.sync.again.set_up_again`` run
by the shell (ui.app), which closes this database first and opens the new one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _, counted
from ui.bidi import isolated, isolated_paths
from ui.dialogs import MessageDialog, size_to_content, tab_in_layout_order
from ui.path_label import PlainLabel
from ui.qtcompat import Qt, emit
from ui.wrapped_label import WrappedLabel


def set_up_again_menu() -> str:
    """The menu path of the action, as a person reads it in the window."""
    from fieldplan.i18n import menu_path

    return menu_path(_("&File"), _("Set this computer &up again…"))  # (the action's words)


def revoked_here_text(replaced_by: str = "") -> str:
    """What the client says of a bundle that revoked this computer's key (the import
    result, the Inbox's line of it): nothing made here is sent any more, and the way on.
    ``replaced_by``: the key headquarters trusted for this computer in place of its key
    (``keys.replaced_here``), which cut it off."""
    if replaced_by:
        # Translators: {key_id} is a key id such as 1A2B3C4D5E6F7A8B; {menu} a menu path
        return _("Headquarters trusted key {key_id} for this computer in place of its "
                 "key: nothing made here can be sent any more. If nobody changed this "
                 "computer's key, tell headquarters that key {key_id} is not this "
                 "office's. Ask headquarters for a new setup bundle, then set this "
                 "computer up again with it ({menu}).").format(
                     key_id=replaced_by, menu=set_up_again_menu())
    return _("Headquarters revoked this computer's key: nothing made here can be sent "
             "any more. Ask headquarters for a new setup bundle, then set this computer "
             "up again with it ({menu}).").format(menu=set_up_again_menu())


def explanation(db_path: Path, folder: Path, unsent: int, replaced_by: str = "") -> str:
    """What setting up again does, said before it is done. ``replaced_by``: the key
    headquarters trusted for this computer in place of its key (``keys.replaced_here``),
    which cut it off."""
    # Translators: {key_id} is a key id such as 1A2B3C4D5E6F7A8B; {folder} a folder
    text = _(
        "Headquarters trusted key {key_id} for this computer in place of its key: "
        "nothing made in this database can reach headquarters any more (if nobody "
        "changed this computer's key, tell headquarters that key {key_id} is not this "
        "office's). To go on, headquarters sends a new setup bundle for this office.\n\n"
        "Setting up again moves this database, its key file and its backups into a new "
        "folder beside them, {folder}, where they are kept (nothing is deleted). A new "
        "database is made from the setup bundle in their place, and fieldplan opens it."
    ).format(key_id=replaced_by, folder=folder) if replaced_by else _(
        "Headquarters revoked this computer's key: nothing made in this database can "
        "reach headquarters any more. To go on, headquarters sends a new setup bundle for "
        "this office.\n\n"
        "Setting up again moves this database, its key file and its backups into a new "
        "folder beside them, {folder}, where they are kept (nothing is deleted). A new "
        "database is made from the setup bundle in their place, and fieldplan opens it."
    ).format(folder=folder)
    if unsent:
        text += "\n\n" + counted(
            "{n} change made here never reached headquarters. It stays in the old "
            "database in that folder: open it there to read it, and type it again in the "
            "new one.",
            "{n} changes made here never reached headquarters. They stay in the old "
            "database in that folder: open it there to read them, and type them again in "
            "the new one.", unsent)
    return isolated_paths(text, (str(folder), str(db_path)))


class SetUpAgainDialog(QDialog):
    """What setting up again does; the setup bundle to use (given, or chosen); OK
    sends ``setup_was_chosen`` with the bundle's path and the folder named above."""

    setup_was_chosen = Signal(str, str)  # setup bundle, folder for the old files

    def __init__(self, parent: QWidget | None, db_path: Path, unsent: int = 0,
                 setup: str = "", replaced_by: str = "") -> None:
        from fieldplan.sync.again import aside_folder

        super().__init__(parent)
        self.setObjectName("set-up-again-dialog")
        self.setWindowTitle(_("Set this computer up again"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.db_path = Path(db_path)
        self.folder = aside_folder(self.db_path)
        self.setup = ""
        lay = QVBoxLayout(self)
        self.text = PlainLabel(explanation(self.db_path, self.folder, unsent, replaced_by),
                               name="set-up-again-text")
        self.text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # read and copied by keyboard
        lay.addWidget(self.text)
        row = QHBoxLayout()
        self.file_label = WrappedLabel()
        self.file_label.setObjectName("set-up-again-file")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.file_label, 1)
        self.choose_button = QPushButton(_("&Choose the setup bundle…"))
        self.choose_button.clicked.connect(self.choose)
        row.addWidget(self.choose_button)
        lay.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("&Set up again"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)  # (OK came first on GNOME, which shows it last)
        self.set_setup(setup)
        size_to_content(self, 560)

    def set_setup(self, setup: str) -> None:
        """The setup bundle to use ("": none chosen yet, OK waits for one)."""
        self.setup = setup
        self.file_label.setText(
            _("Setup bundle: {file}").format(file=isolated(Path(setup).name)) if setup
            else _("No setup bundle chosen yet."))
        self.file_label.setToolTip(setup)
        self.ok_button.setEnabled(bool(setup))
        (self.ok_button if setup else self.choose_button).setDefault(True)

    def choose(self) -> QFileDialog:
        from ui.first_run import choose_setup_bundle

        return choose_setup_bundle(self, self.set_setup)

    def accept(self) -> None:
        if not self.setup:
            return
        emit(self.setup_was_chosen, self.setup, str(self.folder))
        super().accept()


class SetUpAgainDone(MessageDialog):
    """What the new window says once the computer is set up again (``moved_text``),
    with a button that opens the folder the old files went to in the file manager."""

    def __init__(self, parent: QWidget | None, folder: str, unsent: int) -> None:
        super().__init__(parent, _("Set this computer up again"), moved_text(folder, unsent))
        self.setObjectName("set-up-again-done")
        self.folder = folder
        # (the export table dialog's words for the same)
        self.folder_button = self.buttons.addButton(
            _("Open the fol&der"), QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button.clicked.connect(lambda _checked=False: self.open_folder())

    def open_folder(self) -> bool:
        """The folder of the old files, in the system's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder))


def moved_text(folder: str, unsent: int) -> str:
    """What the new window says once the computer is set up again."""
    text = _("This computer is set up again. The old database, its key file and its "
             "backups are kept in {folder}.").format(folder=folder)
    if unsent:
        text += " " + counted(
            "{n} change made there never reached headquarters: type it again here.",
            "{n} changes made there never reached headquarters: type them again here.",
            unsent)
    return isolated_paths(text, (folder,))
