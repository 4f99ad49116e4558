"""``fieldplan gui --demo`` the first time: the demo database takes seconds to make,
and a dialog says so from the start (there was nothing on screen for nine seconds),
then gives way to the window, or says why the demo could not be made."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

import ui.app
import ui.first_run
from fieldplan.errors import FieldplanError
from tests.ui.conftest import wait_idle
from ui.first_run import DemoDialog


@pytest.fixture
def started(qtbot, settings, monkeypatch, hq_db):
    """``started(outcome)``: ``fieldplan gui --demo`` begun, its demo made (a copy of
    hq_db) or failing with ``outcome`` once ``gate`` is set; the shell, the gate and
    the exit codes asked for."""
    gate = threading.Event()
    codes: list[int] = []
    app = QApplication.instance()
    font = app.font()
    shells = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: codes.append(code)))

    def start(outcome: BaseException | None = None):
        def make_demo(path: Path) -> Path:  # (its thread) as slow as the test likes
            gate.wait(30)
            if outcome is not None:
                raise outcome
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(hq_db, path)
            return path

        monkeypatch.setattr(ui.first_run, "make_demo_database", make_demo)
        shell = ui.app.start(demo=True, lang="en", prefs=settings)
        shells.append(shell)
        return shell, gate, codes

    yield start
    gate.set()
    for shell in shells:
        if shell.window is not None:
            shell.window.close()
        if shell.dialog is not None:
            qtbot.waitUntil(lambda s=shell: not s.dialog.working(), timeout=30_000)
            shell.dialog.close()
        shell.shutdown()
    app.setFont(font)


def test_a_dialog_shows_while_the_demo_is_made_then_the_window(started, qtbot):
    shell, gate, codes = started()
    dialog = shell.dialog
    assert isinstance(dialog, DemoDialog) and dialog.isVisible()
    assert shell.window is None
    assert dialog.busy.isVisible() and (dialog.busy.minimum(), dialog.busy.maximum()) == (0, 0)
    assert dialog.message.text().startswith("Preparing the demo")
    dialog.close()  # not while it is being made: a half-made demo would stay
    assert dialog.isVisible()
    # made, the dialog closes before the window is up: Qt must not end the client then
    # (it did, now and then, on a loaded laptop: exit status 0 and no window)
    quits = []
    dialog.accepted.connect(lambda: quits.append(QApplication.instance()
                                                 .quitOnLastWindowClosed()))
    gate.set()
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=20_000)
    assert quits == [False]
    assert QApplication.instance().quitOnLastWindowClosed()  # the window's close ends it
    wait_idle(qtbot, shell.session)
    assert shell.dialog is None and not shiboken6.isValid(dialog)  # gone
    assert Path(shell.session.db_path) == ui.first_run.demo_path()
    assert codes == []


def test_the_dialog_says_why_the_demo_could_not_be_made(started, qtbot):
    shell, gate, codes = started(FieldplanError("cannot write demo: the disk is full"))
    dialog = shell.dialog
    gate.set()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    qtbot.waitUntil(close.isVisible, timeout=10_000)
    assert dialog.message.text() == (
        "The demo could not be made: cannot write demo: the disk is full")
    assert not dialog.busy.isVisible() and shell.window is None
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert codes == [1]  # the client ends, as it did without a dialog


def test_a_demo_made_before_opens_at_once(qtbot, settings, hq_db):
    demo = ui.first_run.demo_path()
    demo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(hq_db, demo)
    app = QApplication.instance()
    font = app.font()
    shell = ui.app.start(demo=True, lang="en", prefs=settings)
    try:
        assert shell.dialog is None  # nothing to wait for: no dialog to flash
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def _killed_as_moved_in(demo: Path) -> Path:
    """What a demo killed after its last file moved into ``demo``'s folder, before the
    folder it was made in was removed, left beside it (fieldplan.demo._move_in): that
    folder, its list of what moved, and the folders emptied by the moves."""
    part = demo.parent.parent / f".{demo.parent.name}.demo-part"
    (part / "offices").mkdir(parents=True)
    (part / "bundles").mkdir()
    (part / ".moving").write_text('["offices/SN.sqlite3", "hq.sqlite3"]', encoding="utf-8")
    return part


def test_a_demo_made_before_clears_what_a_killed_move_left(qtbot, settings, hq_db):
    """``fieldplan demo`` clears the folder a killed demo left beside its own before
    it makes one; ``gui --demo`` opens the demo as made, and left it there for good."""
    from ui.ops import off_thread_jobs

    demo = ui.first_run.demo_path()
    demo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(hq_db, demo)
    part = _killed_as_moved_in(demo)
    app = QApplication.instance()
    font = app.font()
    shell = ui.app.start(demo=True, lang="en", prefs=settings)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        qtbot.waitUntil(lambda: not part.exists() and not off_thread_jobs(), timeout=10_000)
        wait_idle(qtbot, shell.session)
        assert Path(shell.session.db_path) == demo and demo.exists()
    finally:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_the_first_runs_demo_clears_what_a_killed_move_left(qtbot, hq_db):
    """The first run's "Open the demo" on a demo made before: the same."""
    demo = ui.first_run.demo_path()
    demo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(hq_db, demo)
    part = _killed_as_moved_in(demo)
    assert ui.first_run.make_demo_database(demo) == demo
    assert not part.exists() and demo.exists()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_demos_window_says_it_is_the_demo(shell, qtbot, tmp_path, monkeypatch,
                                              hq_db, language, lang):
    """The demo opened from the first run was a window titled 'HQ · Headquarters', as
    a real headquarters' is, Enrol an office… and all: a person who tried it could
    write setup bundles from the made-up headquarters for real offices. Its title
    says it is the demo; a database of one's own says what it is, as before."""
    from fieldplan.i18n import translation

    language(lang)

    def make_demo(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hq_db, path)
        return path

    monkeypatch.setattr(ui.first_run, "make_demo_database", make_demo)
    shell.start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    qtbot.mouseClick(shell.dialog.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=20_000)
    wait_idle(qtbot, shell.session)
    window = shell.window
    office = window.identity.office_text()
    demo = translation(lang).gettext("{office} (demo: made-up data)").format(office=office)
    assert window.windowTitle() == demo != office
    window.grab().save(str(tmp_path / f"demo-window-{lang}.png"))


def test_a_headquarters_of_ones_own_is_not_called_the_demo(open_window, hq_db):
    window = open_window(hq_db)
    assert window.windowTitle() == window.identity.office_text()
