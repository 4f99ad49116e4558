"""The database would not open, or is gone: the dialogs say why in every language
(a path inside an Arabic sentence keeps the sentence right to left), and a restore
button names the backup a restore would use."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from ui.bidi import text_direction
from ui.qtcompat import Qt

RTL = Qt.LayoutDirection.RightToLeft


@pytest.fixture
def language():
    app = QApplication.instance()
    from ui.app import apply_language

    yield lambda lang: apply_language(app, lang)
    apply_language(app, "en")


def damage(db: Path) -> None:
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)


def reason_text(dialog) -> str:
    """The dialog's first words: why the database did not open."""
    return dialog.findChildren(QLabel)[0].text()


def shown_dialog(shell, qtbot):
    qtbot.waitUntil(lambda: shell.dialog is not None and shell.dialog.isVisible(),
                    timeout=10_000)
    return shell.dialog


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_why_a_database_cannot_open_names_it_once_and_reads_in_order(
        shell, qtbot, hq_db, language, lang):
    """The reason started with the database's path: in Arabic its Latin letters made
    the line left to right, the words out of order; and the path was said twice,
    before the reason and in it."""
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    damage(hq_db)
    language(lang)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    text = reason_text(dialog)
    if lang == "ar":
        for line in text.split("\n"):
            assert text_direction(line) == RTL, line
        assert "\u2066" + str(hq_db) + "\u2069" in text  # the path kept whole
    else:
        assert text.startswith(f"{hq_db} is not a usable fieldplan database")
    assert text.count(str(hq_db)) == 1
    dialog.grab().save(str(hq_db.parent / f"cannot-open-{lang}.png"))


def test_a_reason_without_the_path_is_said_after_it(qtbot, tmp_path):
    from ui.first_run import CannotOpenDialog

    db = tmp_path / "x.sqlite3"
    dialog = CannotOpenDialog(db, "the database is busy (another fieldplan is writing)", [])
    qtbot.addWidget(dialog)
    assert reason_text(dialog) == (f"fieldplan could not open {db}:\n"
                                  "the database is busy (another fieldplan is writing)")
