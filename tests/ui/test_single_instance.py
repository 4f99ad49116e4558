"""One client per database: a second ``fieldplan gui FILE…`` on a database whose client
is open (a bundle double-clicked while it is) hands its files to that client, which
imports them as if they had been dropped on it, and ends; a crashed client's leftovers
do not hold a start up; another database has its own client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import ui.single_instance
from tests.ui import test_shell
from tests.ui.conftest import wait_idle
from tests.ui.test_sync_ui import accept_result, result_dialog
from ui.single_instance import Guard, instance_key

ROOT = Path(__file__).resolve().parents[2]
#: the ``event_loop`` fixture: ``ui.app.run`` with ``check(window)`` as its loop
_event_loop = test_shell.event_loop


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("XDG_ACTIVATION_TOKEN", None)
    env.update(extra)
    return env


def _fieldplan(qtbot, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``fieldplan ARGS`` in another process, this test's event loop running meanwhile
    (the client in this process answers it)."""
    proc = subprocess.Popen([sys.executable, "-m", "fieldplan", *args], cwd=cwd,
                            env=_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def client(qtbot, settings):
    """``client(db)``: the desktop client started here on ``db`` as ``fieldplan gui``
    starts it, once its window is up and it listens for later starts."""
    from ui.app import start

    app = QApplication.instance()
    font = app.font()
    made = []

    def make(db: Path):
        shell = start(str(db), lang="en", prefs=settings)
        made.append(shell)
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        qtbot.waitUntil(lambda: shell.guard is not None and shell.guard.server is not None,
                        timeout=10_000)
        return shell

    yield make
    for shell in made:
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
    app.setFont(font)


def test_a_client_whose_window_is_not_on_screen_listens_all_the_same(
        qtbot, settings, hq_db, monkeypatch):
    """Started minimised (or on a desktop not shown), the window is not painted until
    the person looks at it: the client listens a little after its start anyway, or
    every double-clicked bundle would wait for it, then open a second client. The
    window, meanwhile, asks whether it is on screen only now and then."""
    from PySide6.QtGui import QWindow

    import ui.app
    from ui.main_window import FirstPaint

    monkeypatch.setattr(ui.app, "LISTEN_AT_THE_LATEST_MS", 300, raising=False)
    monkeypatch.setattr(FirstPaint, "FAST_FOR_MS", 100, raising=False)
    hidden = pytest.MonkeyPatch()
    hidden.setattr(QWindow, "isExposed", lambda self: False)
    app = QApplication.instance()
    font = app.font()
    shell = ui.app.start(str(hq_db), lang="en", prefs=settings)
    try:
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        painted = []
        shell.window.was_painted.connect(lambda: painted.append(True))
        qtbot.waitUntil(lambda: shell.guard.server is not None, timeout=5000)
        assert _listening(shell.guard.server_name)
        timer = shell.window._first_paint._timer
        qtbot.waitUntil(lambda: timer.interval() == FirstPaint.SLOW_INTERVAL_MS,
                        timeout=5000)
        assert timer.isActive() and not painted
        hidden.undo()  # on screen at last: what waited for the paint runs
        qtbot.waitUntil(lambda: painted == [True], timeout=5000)
        assert not timer.isActive()
        wait_idle(qtbot, shell.session)
    finally:
        hidden.undo()
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def test_the_demo_has_one_client_too(qtbot, settings, hq_db, tmp_path, monkeypatch):
    """``fieldplan gui --demo`` twice: the second start hands its files to the first
    and ends, even while the first is still making the demo (never two makers of it
    in one folder); its window then imports them."""
    import threading

    import ui.app
    import ui.first_run
    import ui.main_window

    made = []
    maker_may_end = threading.Event()

    def make_demo(path: Path) -> Path:  # (worker) as slow as the person likes
        made.append(path)
        maker_may_end.wait(30)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hq_db, path)
        return path

    monkeypatch.setattr(ui.first_run, "make_demo_database", make_demo)
    got = []
    monkeypatch.setattr(ui.main_window.MainWindow, "import_files",
                        lambda self, files: got.append((self.session.db_path, files)))
    app = QApplication.instance()
    font = app.font()
    demo = ui.first_run.demo_path()
    shell = ui.app.start(demo=True, lang="en", prefs=settings)
    try:
        assert shell.guard is not None and shell.guard.key == instance_key(demo)
        qtbot.waitUntil(lambda: shell.guard.server is not None, timeout=5000)
        bundle = tmp_path / "SN-1-2.fieldplan"
        bundle.write_bytes(b"x")
        done = _fieldplan(qtbot, "gui", "--demo", str(bundle), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "" and done.stderr == ""
        assert shell.window is None  # the demo was still being made
        maker_may_end.set()
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=20_000)
        wait_idle(qtbot, shell.session)
        assert made == [demo]
        assert got == [(demo, [str(bundle)])]
    finally:
        maker_may_end.set()
        if shell.demo_job is not None:
            qtbot.waitUntil(lambda: not shell.demo_job.worker.isRunning(), timeout=30_000)
        if shell.window is not None:
            shell.window.close()
        shell.shutdown()
        app.setFont(font)


def _hq_copy(demo_world: Path, tmp_path: Path) -> Path:
    db = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", db)
    shutil.copy(str(demo_world / "hq.sqlite3") + ".key", str(db) + ".key")
    return db


def test_a_second_start_hands_its_files_to_the_open_client_and_ends(
        client, qtbot, demo_world, tmp_path, monkeypatch):
    db = _hq_copy(demo_world, tmp_path)
    shell = client(db)
    fronts = []
    real_front = ui.single_instance.bring_to_front
    monkeypatch.setattr(ui.single_instance, "bring_to_front",
                        lambda widget, token="": (fronts.append((widget, token)),
                                                  real_front(widget, token)))
    shell.window.showMinimized()
    folder = tmp_path / "mail"
    folder.mkdir()
    names = []
    for bundle in sorted((demo_world / "bundles").glob("*.fieldplan"))[:2]:
        shutil.copy(bundle, folder / bundle.name)
        names.append(bundle.name)
    # as a file manager runs it: the second file named relative to its own folder
    done = _fieldplan(qtbot, "gui", "--db", str(db), str(folder / names[0]), names[1],
                      cwd=folder, XDG_ACTIVATION_TOKEN="launcher-token-1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # quietly: no window, no words
    dialog = result_dialog(shell.window, qtbot)
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [(n, "merged") for n in names]
    assert fronts == [(shell.window, "launcher-token-1")]
    assert not shell.window.isMinimized()
    dialog.accept()
    wait_idle(qtbot, shell.session)
    # and with nothing to import, the window only comes to the front
    done = _fieldplan(qtbot, "gui", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: len(fronts) == 2, timeout=10_000)
    assert fronts[1] == (shell.window, "")
    assert shell.window.findChild(object, "import-result") is None


def test_files_that_arrive_before_the_window_wait_for_it(shell, qtbot, tmp_path):
    """Handed over while the first-run dialog is up: imported once the window opens."""
    db = tmp_path / "new.sqlite3"
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.dialog is not None and shell.window is None
    shell.receive_files([str(tmp_path / "a.fieldplan"), str(tmp_path / "b.fieldplan")])
    shell.receive_files([str(tmp_path / "a.fieldplan")])
    assert shell.files_to_import == [str(tmp_path / "a.fieldplan"),
                                     str(tmp_path / "b.fieldplan")]


def test_a_setup_bundle_handed_to_the_first_run_dialog_is_offered_by_it(shell, qtbot,
                                                                         tmp_path):
    """The first-run dialog is up (no database yet) when the person double-clicks the
    setup bundle headquarters sent: the dialog offers it, as when the app is opened
    with it, and it is not imported again once the office is set up from it."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    other = tmp_path / "notes.fieldplan"
    other.write_bytes(b"not a bundle")
    db = tmp_path / "sn.sqlite3"
    shell.start(db)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert dialog.given_button is None
    shell.receive_files([str(other)])  # not a setup bundle: not offered
    qtbot.waitUntil(lambda: not _setup_looks(), timeout=5000)
    assert dialog.given_button is None
    setup = str(tmp_path / "SN-setup.fieldplan")
    shell.receive_files([setup])
    qtbot.waitUntil(lambda: dialog.given_button is not None, timeout=5000)
    qtbot.waitUntil(dialog.given_button.isVisible, timeout=5000)
    assert "SN-setup.fieldplan" in dialog.given_button.text()
    # above the other ways in
    layout = dialog.layout()
    assert layout.indexOf(dialog.given_button) < layout.indexOf(dialog.setup_button)
    qtbot.mouseClick(dialog.given_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    assert shell.window.identity.office == "SN"
    assert shell.files_to_import == []
    # the other file was for this database: it is imported (and refused, not a bundle)
    dialog = result_dialog(shell.window, qtbot)
    assert [o.file for o in dialog.outcomes] == ["notes.fieldplan"]
    dialog.accept()


def _setup_looks() -> list:
    from ui.ops import off_thread_jobs

    return [j for j in off_thread_jobs() if j.thread.name == "fieldplan-setup-look"]


def test_a_bundle_handed_to_the_first_run_dialog_is_opened_off_the_gui_thread(
        shell, qtbot, tmp_path, monkeypatch):
    """Whether a bundle handed over while the first-run dialog is up is a setup bundle
    is looked at off the GUI thread: it is opened, and one on a slow USB stick froze
    the dialog meanwhile. A slow look finished late offers nothing older than a later
    file already offered."""
    import threading

    import ui.first_run
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
        enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    opened_on, held = [], threading.Event()
    real = ui.first_run.is_setup_bundle

    def is_setup_bundle(path: str) -> bool:
        opened_on.append(threading.current_thread())
        if "SN" in path:  # the slow stick
            held.wait(10)
        return real(path)

    monkeypatch.setattr(ui.first_run, "is_setup_bundle", is_setup_bundle)
    shell.start(tmp_path / "sn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    shell.receive_files([str(tmp_path / "SN-setup.fieldplan")])  # returns at once
    assert dialog.given_button is None
    shell.receive_files([str(tmp_path / "ML-setup.fieldplan")])
    qtbot.waitUntil(lambda: dialog.given_button is not None, timeout=5000)
    assert "ML-setup.fieldplan" in dialog.given_button.text()
    held.set()
    qtbot.waitUntil(lambda: not _setup_looks(), timeout=5000)
    assert "ML-setup.fieldplan" in dialog.given_button.text()  # the latest stays
    assert len(opened_on) == 2
    assert threading.main_thread() not in opened_on


@pytest.mark.parametrize("opened", ["demo", "asked"])
def test_bundles_handed_to_the_first_run_dialog_go_to_their_database_only(
        shell, qtbot, tmp_path, hq_db, monkeypatch, opened):
    """Bundles handed over while the first-run dialog is up were meant for the
    database asked for: imported when the dialog makes that one, not into the demo
    (or any other) the person opens instead."""
    import ui.main_window

    got = []
    monkeypatch.setattr(ui.main_window.MainWindow, "import_files",
                        lambda self, files: got.append((self.session.db_path, files)))
    asked = tmp_path / "office.sqlite3"
    shell.start(asked)
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    bundle = str(tmp_path / "SN-1-2.fieldplan")
    Path(bundle).write_bytes(b"x")
    shell.receive_files([bundle])
    if opened == "demo":
        # "Open the demo", its database: as the demo's job, which found it is not the
        # one asked for, says it
        dialog.elsewhere = True
        dialog.database_did_open.emit(str(hq_db))
    else:
        qtbot.mouseClick(dialog.hq_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    wait_idle(qtbot, shell.session)
    if opened == "demo":
        assert got == []
    else:
        assert got == [(asked, [bundle])]
    assert shell.files_to_import == []


def test_a_client_that_opens_another_database_gives_up_the_first(shell, qtbot, tmp_path,
                                                                   hq_db):
    """The first-run dialog of a database that is not there yet can open the demo
    instead: later starts on the first database are then not sent to the demo's
    window, and later starts on the demo are."""
    asked = tmp_path / "new.sqlite3"
    shell.guard = Guard(asked)
    assert shell.guard.claim()
    shell.listen()
    shell.open(hq_db)  # as the dialog's "open the demo" does, with its database
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    wait_idle(qtbot, shell.session)
    again = Guard(asked)
    assert again.claim()  # free for a client of its own
    again.release()
    assert shell.guard is not None and shell.guard.key == instance_key(hq_db)
    qtbot.waitUntil(lambda: shell.guard.server is not None, timeout=10_000)


_CRASH = """
import os, sys
from PySide6.QtCore import QCoreApplication
from ui.single_instance import Guard
app = QCoreApplication([])
guard = Guard(sys.argv[1])
assert guard.claim() and guard.listen()
print(guard.server.fullServerName(), flush=True)
os._exit(0)  # no clean-up at all, as a crash leaves things
"""


def test_a_crashed_clients_leftovers_do_not_hold_a_start_up(qtbot, tmp_path, _event_loop,
                                                            demo_world):
    db = _hq_copy(demo_world, tmp_path)
    crashed = subprocess.run([sys.executable, "-c", _CRASH, str(db)], env=_env(),
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 0, crashed.stderr
    socket_name = crashed.stdout.strip()
    guard = Guard(db)
    assert Path(guard.lock.fileName()).exists()  # its lock file is left behind
    if sys.platform != "win32":  # (a pipe goes with its process)
        assert Path(socket_name).exists()  # and its socket
    # the next start becomes the client, without waiting, and imports its files
    from ui.app import run

    [bundle] = sorted((demo_world / "bundles").glob("*.fieldplan"))[:1]
    seen = []

    def check(window) -> int:
        seen.extend(o.outcome for o in accept_result(window, qtbot))
        # it listens in its turn, where the crashed one did
        qtbot.waitUntil(lambda: _listening(socket_name), timeout=10_000)
        return 0

    _event_loop(check)
    started = time.monotonic()
    assert run(db=str(db), lang="en", files=[bundle]) == 0
    assert seen == ["merged"]
    assert time.monotonic() - started < 30  # (the import itself is most of it)
    # a clean end leaves nothing behind
    assert not Path(guard.lock.fileName()).exists()
    if sys.platform != "win32":
        assert not Path(socket_name).exists()


def _listening(name: str) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    probe = QLocalSocket()
    probe.connectToServer(name)
    ok = probe.waitForConnected(100)
    probe.abort()
    return ok


def test_a_client_that_does_not_answer_is_not_waited_for_long(tmp_path):
    """A lock held by a live process that does not listen (its process id reused by
    another program; a client stuck before it listens): the newcomer gives up soon
    and opens the database itself."""
    db = tmp_path / "x.sqlite3"
    holder = Guard(db)
    assert holder.claim()  # held here, and never listening
    newcomer = Guard(db)
    assert not newcomer.claim()
    assert not newcomer.held_elsewhere  # (held by this very process: no one to ask)
    started = time.monotonic()
    assert newcomer.hand_over([tmp_path / "a.fieldplan"], starting_s=0.3) is False
    assert time.monotonic() - started < 2
    holder.release()
    assert newcomer.claim()  # the lock is free again
    newcomer.release()


def test_the_client_answers_one_request_and_drops_anything_else(qtbot, tmp_path,
                                                                 monkeypatch):
    """The client's server says who it is first, takes one line and answers it; a
    line that is not a request, or silence, is disconnected (nothing is imported)."""
    from PySide6.QtNetwork import QLocalSocket

    monkeypatch.setattr(ui.single_instance, "CLIENT_WAIT_MS", 200)
    guard = Guard(tmp_path / "x.sqlite3")
    assert guard.claim() and guard.listen()
    heard = []
    guard.files_did_arrive.connect(lambda files, token: heard.append((files, token)))
    try:
        sockets = []
        for line in (b"not json at all\n", b"", b'{"files": "not a list"}\n'):
            socket = QLocalSocket()
            sockets.append(socket)
            socket.connectToServer(guard.server_name)
            qtbot.waitUntil(socket.canReadLine, timeout=5000)
            hello = bytes(socket.readLine())
            assert b'"app": "fieldplan"' in hello and f'"pid": {os.getpid()}'.encode() in hello
            if line:
                socket.write(line)
            qtbot.waitUntil(lambda s=socket: s.state() == QLocalSocket.LocalSocketState
                            .UnconnectedState, timeout=5000)
        assert heard == [([], "")]  # the request with no list of files: only to the front
    finally:
        guard.release()
    assert not guard.lock.isLocked()


def test_a_start_that_hangs_up_at_once_is_forgotten(qtbot, tmp_path):
    """A connection closed as soon as it is made (a start killed, a probe) closes
    its side while it is being greeted: it is not kept, and the client still ends
    cleanly, giving its lock up."""
    from PySide6.QtNetwork import QLocalSocket

    guard = Guard(tmp_path / "x.sqlite3")
    assert guard.claim() and guard.listen()
    try:
        for _ in range(3):
            probe = QLocalSocket()
            probe.connectToServer(guard.server_name)
            assert probe.waitForConnected(1000)
            probe.abort()
        qtbot.waitUntil(lambda: not guard._connections, timeout=5000)
        qtbot.wait(50)  # (their deleteLater)
    finally:
        guard.release()
    assert guard.server is None and not guard.lock.isLocked()


def test_each_database_and_user_has_its_own_client(tmp_path, monkeypatch):
    one, two = tmp_path / "one.sqlite3", tmp_path / "two.sqlite3"
    assert instance_key(one) != instance_key(two)
    # the same file however it is named
    (tmp_path / "sub").mkdir()
    assert instance_key(tmp_path / "sub" / ".." / "one.sqlite3") == instance_key(one)
    if hasattr(os, "symlink"):
        link = tmp_path / "link.sqlite3"
        try:
            link.symlink_to(one)
        except OSError:
            pass
        else:
            assert instance_key(link) == instance_key(one)
    key = instance_key(one)
    assert len(key) == len("fieldplan-") + 16
    monkeypatch.setattr(ui.single_instance, "_user", lambda: "someone-else")
    assert instance_key(one) != key
    monkeypatch.undo()
    first, second = Guard(one), Guard(two)
    try:
        assert first.claim() and second.claim()  # neither waits for the other
    finally:
        first.release()
        second.release()


@pytest.fixture
def shared_tmp(monkeypatch):
    """A temporary folder shared by all users as /tmp is (sticky, anyone may make
    files in it), with no runtime folder of the user's (ssh, su): where the lock and
    the socket go then. Short: a Unix socket's path is at most 107 bytes."""
    import tempfile

    base = tempfile.mkdtemp(prefix="fp-", dir="/tmp")
    os.chmod(base, 0o1777)
    monkeypatch.setenv("TMPDIR", base)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    yield Path(base)
    shutil.rmtree(base, ignore_errors=True)


_ANOTHER_USER = """
import json, os, sys
from PySide6.QtCore import QCoreApplication, QLockFile
from PySide6.QtNetwork import QLocalServer
app = QCoreApplication([])
keep = []
for folder in sys.argv[2:]:  # a lock held, and a server anybody may reach that takes
    os.makedirs(folder, mode=0o777, exist_ok=True)  # whatever it is sent
    os.chmod(folder, 0o777)
    lock = QLockFile(os.path.join(folder, sys.argv[1] + ".lock"))
    lock.setStaleLockTime(0)
    assert lock.tryLock(0)
    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.WorldAccessOption)
    assert server.listen(os.path.join(folder, sys.argv[1]))
    def accept(server=server):
        s = server.nextPendingConnection()
        keep.append(s)
        s.write(json.dumps({"app": "fieldplan", "protocol": 1, "pid": 1}).encode() + b"\\n")
        s.flush()
        def read(s=s):
            if s.canReadLine():
                print("GOT", bytes(s.readLine()).decode().strip(), flush=True)
                s.write(b'{"ok": true}\\n')
                s.flush()
        s.readyRead.connect(read)
    server.newConnection.connect(accept)
    keep += [lock, server]
print("ready", flush=True)
app.exec()
"""


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="needs root, to be another user")
def test_another_user_cannot_stand_in_for_the_client(shared_tmp, tmp_path):
    """Another user of the computer works out the names of the lock and the socket
    (a hash of the user's id and the database's path) and makes them first: in the
    shared temporary folder, and in the folder the user's own would be. Neither is
    trusted: the start does not hand its files (and activation token) to them, nor
    wait for them; it opens the database without a guard."""
    db = tmp_path / "office.sqlite3"
    key = instance_key(db)
    own = shared_tmp / f"fieldplan-{os.getuid()}"
    other = subprocess.Popen(
        [sys.executable, "-c", _ANOTHER_USER, key, str(shared_tmp), str(own)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "ready", other.stderr.read()
        # (this interpreter may not be open to another user: its folder made theirs)
        for path in (own, *own.iterdir()):
            os.chown(path, 65534, 65534, follow_symlinks=False)
        guard = Guard(db)
        started = time.monotonic()
        assert not guard.claim()
        assert not guard.held_elsewhere  # nobody to hand over to, nor to wait for
        assert guard.hand_over([tmp_path / "a.fieldplan"]) is False
        assert time.monotonic() - started < 1
        guard.release()
    finally:
        other.kill()
        out, _err = other.communicate()
    assert "GOT" not in out, out


def test_the_lock_and_socket_are_kept_in_a_folder_of_the_users_own(shared_tmp, tmp_path,
                                                                    monkeypatch):
    db = tmp_path / "office.sqlite3"
    own = shared_tmp / f"fieldplan-{os.getuid()}"
    guard = Guard(db)
    try:
        assert guard.claim() and guard.listen()
        assert Path(guard.lock.fileName()).parent == own
        assert Path(guard.server_name).parent == own
        assert (own.stat().st_mode & 0o777) == 0o700 and own.stat().st_uid == os.getuid()
    finally:
        guard.release()
    # a runtime folder of the user's own (XDG_RUNTIME_DIR) is used first
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert Path(Guard(db).lock.fileName()).parent == runtime
    # but not one that others may write in
    runtime.chmod(0o777)
    assert Path(Guard(db).lock.fileName()).parent == own


@pytest.mark.parametrize("made", ["link", "open", "file"])
def test_a_folder_of_the_users_name_that_is_not_private_is_not_used(shared_tmp, tmp_path,
                                                                      made):
    """``fieldplan-UID`` that is a link (to wherever someone chose), open to others
    (who may have put a lock and a socket in it), or not a folder: no guard then."""
    own = shared_tmp / f"fieldplan-{os.getuid()}"
    if made == "link":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        own.symlink_to(target)
    elif made == "open":
        own.mkdir()
        own.chmod(0o777)
    else:
        own.write_text("")
    guard = Guard(tmp_path / "office.sqlite3")
    assert guard.lock is None
    assert not guard.claim() and not guard.held_elsewhere
    assert not guard.listen()
    guard.release()
    if made == "link":
        assert list(target.iterdir()) == []


def test_a_windows_pipe_name_holds_a_secret_of_the_users(tmp_path, monkeypatch):
    """Named pipes are seen by every session of a Windows computer: the pipe's name
    holds a random part kept in the user's own temporary folder, the same for all of
    the user's starts, so that another user cannot name it first."""
    first = ui.single_instance._pipe_secret(str(tmp_path))
    assert len(first) == 32 and int(first, 16) >= 0
    assert ui.single_instance._pipe_secret(str(tmp_path)) == first
    assert [p.name for p in tmp_path.iterdir()] == ["fieldplan-pipe.secret"]
    (tmp_path / "fieldplan-pipe.secret").write_text("damaged")
    again = ui.single_instance._pipe_secret(str(tmp_path))
    assert len(again) == 32 and again != first
    monkeypatch.setattr(sys, "platform", "win32")
    assert ui.single_instance._server_name("fieldplan-0123", str(tmp_path)) == \
        f"fieldplan-0123-{again}"


def test_a_drive_that_does_not_answer_does_not_hold_the_start(tmp_path, monkeypatch):
    """The start named its database by the file's real path (links followed), asking
    the drive on the GUI thread before anything was on screen: a database on a
    network drive that hangs held the start with no window and no wait sign, which
    the opening itself (off the GUI thread) would have shown. The drive is now asked
    on a thread of its own, for a while only; then the path as written names it."""
    import threading

    folder = tmp_path / "share"
    folder.mkdir()
    db = folder / "hq.sqlite3"
    expected = instance_key(db)  # (the drive answering)
    hung, release, on_gui = threading.Event(), threading.Event(), []
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if os.fsdecode(path).startswith(str(folder)):
            on_gui.append(threading.current_thread() is threading.main_thread())
            hung.set()
            release.wait(10)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(ui.single_instance, "RESOLVE_WAIT_S", 0.05, raising=False)
    try:
        assert instance_key(db) == expected  # the path as written: the same here
        assert hung.is_set() and not release.is_set()  # back with the drive still hung
    finally:
        release.set()
    assert on_gui and not any(on_gui)
