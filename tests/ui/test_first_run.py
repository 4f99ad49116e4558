"""The first-run dialog: the setup bundle is looked for in Downloads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog


def user_dirs(tmp_path: Path, monkeypatch, **dirs: Path) -> None:
    """The XDG user folders (``DOWNLOAD=…``, ``DOCUMENTS=…``) of a home in tmp_path,
    as xdg-user-dirs writes them."""
    import os

    home = tmp_path / "user"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    config = Path(os.environ["XDG_CONFIG_HOME"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "user-dirs.dirs").write_text(
        "".join(f'XDG_{name}_DIR="{folder}"\n' for name, folder in dirs.items()))


def chooser(qtbot, tmp_path) -> tuple[QDialog, QFileDialog]:
    """The first-run dialog, and the file chooser its setup button opened."""
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    files = dialog.findChild(QFileDialog, "choose-setup-dialog")
    assert files is not None and files.isVisible()
    return dialog, files


def test_the_setup_bundle_is_looked_for_in_downloads(qtbot, tmp_path, monkeypatch):
    """A setup bundle comes by email: it lands in Downloads, not in the folder
    fieldplan was started from."""
    downloads, documents = tmp_path / "Téléchargements", tmp_path / "Documents"
    downloads.mkdir()
    documents.mkdir()
    user_dirs(tmp_path, monkeypatch, DOWNLOAD=downloads, DOCUMENTS=documents)
    _first_run, files = chooser(qtbot, tmp_path)
    assert Path(files.directory().absolutePath()) == downloads
    files.reject()


def test_without_downloads_the_setup_bundle_is_looked_for_in_documents(
        qtbot, tmp_path, monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    user_dirs(tmp_path, monkeypatch, DOWNLOAD=tmp_path / "gone", DOCUMENTS=documents)
    _first_run, files = chooser(qtbot, tmp_path)
    assert Path(files.directory().absolutePath()) == documents
    files.reject()
