"""One client per database (and user): a second ``fieldplan gui [FILE…]`` on a database
whose client is open hands its files to that client and ends.

Double-clicking a ``.fieldplan`` file runs ``fieldplan gui FILE`` (the Linux desktop
entry, the Windows file association) even when the client is already open. Two
clients on one database would each keep their own unsaved drafts and write the same
drafts journal (ui.drafts), and the person would not know which window holds what.

Who is the client of a database is decided by a lock file (``QLockFile``: made
atomically, and found stale when the process that made it is gone, after a crash or
a reboot), beside a local server (``QLocalServer``: a Unix socket, a Windows named
pipe) of the same name, which the client listens on. Both names come from a hash of
the user and the resolved database path, so another database, or another user, has
its own client. Both live where no one else can make files: the user's runtime folder
(``XDG_RUNTIME_DIR``), else a folder of the user's own in the temporary one
(``fieldplan-UID``, made 0700). Either is used only when it is a real folder of this
user's that nobody else can write in: in a shared folder such as /tmp, anybody could
make the lock and the socket first (their names can be worked out) and be sent the
person's files, or keep each start waiting. When no such folder can be had, the
client runs without this guard (each start opens its own window, as before). On
Windows the temporary folder is the user's own, but named pipes are seen by every
session: the pipe's name also holds a secret kept in that folder, which another
user cannot read and so cannot name the pipe first.

A later start that finds the lock taken connects to that server and, in a short
exchange of one JSON line each way (the client says who it is and its process id;
the newcomer sends the absolute paths of its files and its activation token; the
client says it took them), hands its files over; the client brings its window to
the front and imports them as if they had been dropped on it. When no client
answers in time (one that crashed and left its socket behind, one stuck), the
newcomer opens the database itself: never a start that hangs. The lock holder always
removes a leftover socket before it listens (on Windows a pipe goes with its
process: nothing is left behind).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QLockFile, QObject, QTimer, Signal

from ui.qtcompat import emit

#: What the two sides say to each other: one JSON object a line.
APP = "fieldplan"
PROTOCOL = 1
#: A local server that is there accepts a connection at once; one that is not fails
#: at once too (no socket, or a leftover one nobody listens on).
CONNECT_MS = 500
#: How long a newcomer waits for each of the client's answers: its event loop runs
#: even under a modal dialog, so only a stuck client takes this long.
ANSWER_MS = 3000
#: How long a newcomer keeps trying while the lock's holder is alive but not yet
#: listening (it is starting: it listens once its window is painted). Past it, the
#: newcomer opens the database too (the drafts journal copes with two clients).
STARTING_S = 5.0
#: The longest line either side reads (many file paths fit).
MAX_LINE = 1 << 20
#: How long the client gives a connection to say what it wants.
CLIENT_WAIT_MS = 5000


def _user() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    # Windows: named pipes are seen machine-wide (another session on a shared server)
    return f"{os.environ.get('USERDOMAIN', '')}\\{os.environ.get('USERNAME', '')}"


#: How long a start waits for the database's drive to say where the file really is
#: (``_real_path``) before naming it by its path as written.
RESOLVE_WAIT_S = 1.0


def _real_path(db_path: str | os.PathLike[str]) -> str:
    """The database file's real path, its links followed; its absolute path as written
    when the drive has not answered within ``RESOLVE_WAIT_S`` (or the links loop).
    Asked on a thread of its own: asked on the GUI thread, before anything is on
    screen, a network drive that hangs held the start with no window and no wait
    sign (which the opening, off the GUI thread, shows). A daemon thread: it holds
    nothing of Qt, and quitting is not held up by a drive that never answers."""
    import threading

    found: list[str] = []

    def look() -> None:
        with contextlib.suppress(OSError, RuntimeError):  # (a loop of links)
            found.append(str(Path(db_path).resolve()))

    thread = threading.Thread(target=look, name="fieldplan-real-path", daemon=True)
    thread.start()
    thread.join(RESOLVE_WAIT_S)
    return found[0] if found else os.path.abspath(db_path)


def instance_key(db_path: str | os.PathLike[str]) -> str:
    """``fieldplan-`` and 16 hex digits: the same for every start of one user on one
    database file, however the path was written (as long as its drive answers:
    ``_real_path``)."""
    text = os.path.normcase(_real_path(db_path))
    digest = hashlib.sha256(f"{_user()}\0{text}".encode("utf-8", "surrogatepass"))
    return f"{APP}-{digest.hexdigest()[:16]}"


def _private(folder: str) -> bool:
    """``folder`` is a real folder (not a link) of this user's that no one else may
    write in, nor look into."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and stat.S_IMODE(info.st_mode) & 0o077 == 0)


def _folder() -> str | None:
    """Where the lock file and the Unix socket go: the user's own runtime folder when
    there is one, else ``fieldplan-UID`` in the temporary folder, made for the user
    alone; None when neither can be trusted (another user made ``fieldplan-UID``
    first, or opened it up: the client then runs without a guard). On Windows, the
    user's own temporary folder."""
    if os.name != "posix":
        return QDir.tempPath()
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and _private(runtime):
        return runtime
    own = os.path.join(QDir.tempPath(), f"{APP}-{os.getuid()}")
    with contextlib.suppress(OSError):  # there already (checked below), or cannot be
        os.mkdir(own, 0o700)
    # never followed when it is a link, never used when it is anyone else's or open
    # to others: whatever is in it could have been put there by them
    return own if _private(own) else None


def _pipe_secret(folder: str) -> str:
    """(Windows) 32 random hex digits kept in the user's own ``folder`` (which other
    users cannot read), the same for all of the user's starts; "" when it cannot be
    kept (the pipe's name can then be worked out, as the lock's can)."""
    path = os.path.join(folder, f"{APP}-pipe.secret")
    for _turn in range(2):
        text = _read_secret(path)
        if text:
            return text
        # made aside and put in place whole: a start reading it never sees half of it
        fresh = f"{path}.{secrets.token_hex(4)}"
        try:
            with open(fresh, "x", encoding="ascii") as f:
                f.write(secrets.token_hex(16))
            if os.path.exists(path):  # one that is not a secret (damaged): replaced
                os.replace(fresh, path)
            else:
                try:
                    os.link(fresh, path)
                except FileExistsError:  # another start was first: its secret it is
                    pass
                except OSError:  # no links here: a rename, which does not replace
                    os.rename(fresh, path)  # on Windows either
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.remove(fresh)
    return ""


def _read_secret(path: str) -> str:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read(64).strip()
    except (OSError, ValueError):
        return ""
    return text if len(text) == 32 and all(c in "0123456789abcdef" for c in text) else ""


def _server_name(key: str, folder: str) -> str:
    if sys.platform == "win32":
        secret = _pipe_secret(folder)
        return f"{key}-{secret}" if secret else key  # a named pipe, \\.\pipe\NAME
    return os.path.join(folder, key)


def _line(data: dict[str, Any]) -> bytes:
    # (ASCII, escapes for the rest: a file name that is not UTF-8, from a stick an
    # older system wrote, is a str holding lone surrogates, which no UTF-8 encodes;
    # JSON's \\u escapes carry them, and the other side reads back the same name)
    return json.dumps(data).encode("ascii") + b"\n"


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _allow_foreground(pid: int) -> None:
    """(Windows) Let the client's process bring its window to the front: only the
    process the person just started may, and it can pass that on."""
    if sys.platform != "win32":
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(int(pid))  # type: ignore[attr-defined]


def activation_token() -> str:
    """The token a Wayland launcher gave this start: the client needs it to be
    allowed to take the focus."""
    return os.environ.get("XDG_ACTIVATION_TOKEN", "")


def bring_to_front(widget: Any, token: str = "") -> None:
    """Show ``widget``'s window (un-minimised, as it was) above the others and give
    it the focus, with the newcomer's Wayland activation token when there is one."""
    from ui.qtcompat import Qt

    state = widget.windowState()
    if state & Qt.WindowState.WindowMinimized:
        widget.setWindowState(state & ~Qt.WindowState.WindowMinimized)
    widget.show()
    widget.raise_()
    before = os.environ.get("XDG_ACTIVATION_TOKEN")
    if token:  # Qt's Wayland plugin reads it when it asks for the focus
        os.environ["XDG_ACTIVATION_TOKEN"] = token
    try:
        widget.activateWindow()
    finally:
        if token:
            if before is None:
                os.environ.pop("XDG_ACTIVATION_TOKEN", None)
            else:
                os.environ["XDG_ACTIVATION_TOKEN"] = before


class Guard(QObject):
    """The lock and the local server of one database's client.

    ``claim()`` takes the lock (``owned``) or finds another process holding it
    (``held_elsewhere``); the owner ``listen()``s and gets ``files_did_arrive``;
    the other one calls ``hand_over(files)``."""

    #: (client) absolute paths of bundles to import (maybe none: just come to the
    #: front), and the newcomer's activation token ("" when it had none). (``object``:
    #: a ``list`` goes through Qt's strings, which drop what a name that is not UTF-8
    #: holds; the file was then "not found")
    files_did_arrive = Signal(object, str)

    def __init__(self, db_path: str | os.PathLike[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = instance_key(db_path)
        folder = _folder()
        #: None when there is no folder of the user's own to keep the lock in: then
        #: this client runs without a guard (every start opens its own window)
        self.lock: QLockFile | None = None
        self.server_name = ""
        if folder is not None:
            self.server_name = _server_name(self.key, folder)
            self.lock = QLockFile(os.path.join(folder, self.key + ".lock"))
            # the lock lasts as long as the client: stale only when its process is gone
            self.lock.setStaleLockTime(0)
        self.owned = False
        self.held_elsewhere = False
        self.server: Any = None  # QLocalServer, once listening
        self._connections: set[_Connection] = set()

    # both sides ---------------------------------------------------------------------
    def claim(self) -> bool:
        """Take the lock: True when this process is now the database's client."""
        if self.owned:
            return True
        if self.lock is None:
            return False
        if self.lock.tryLock(0):
            self.owned = True
            return True
        if self.lock.error() == QLockFile.LockError.LockFailedError:
            got = self.lock.getLockInfo()  # PySide: (pid, hostname, appname)
            pid = got[0] if isinstance(got, tuple) and got else None
            # a second window of this same process (tests): no one to hand over to
            self.held_elsewhere = pid != os.getpid()
        # otherwise the lock cannot be made at all (a read-only temporary folder):
        # start without one rather than not at all
        return False

    def release(self) -> None:
        """Stop listening and give the lock up (the client is closing)."""
        self.stop_listening()
        if self.owned and self.lock is not None:
            self.lock.unlock()
            self.owned = False

    def stop_listening(self) -> None:
        """Take no more files, keeping the lock: a later start waits for it (the
        client is ending, its database still open)."""
        for conn in list(self._connections):
            with contextlib.suppress(RuntimeError):  # (deleted already: nothing to do)
                conn.close()
        self._connections.clear()
        if self.server is not None:
            self.server.close()
            self.server = None

    # the client -----------------------------------------------------------------------
    def listen(self) -> bool:
        """(the lock's owner) Listen for later starts; False when the server cannot
        be made (later starts then open their own window)."""
        if not self.owned or self.server is not None:
            return self.server is not None
        try:
            from PySide6.QtNetwork import QLocalServer
        except ImportError:  # a build without QtNetwork: one window a start, as before
            return False

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # we hold the lock: a socket of this name is a crashed client's leftover
        QLocalServer.removeServer(self.server_name)
        if not server.listen(self.server_name):
            server.deleteLater()
            return False
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def _accept(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is not None:
                _Connection(socket, self)  # (in self._connections until it closes)

    def _heard(self, conn: _Connection, request: dict[str, Any]) -> None:
        files = request.get("files")
        token = request.get("token")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            files = []
        emit(self.files_did_arrive, files, token if isinstance(token, str) else "")

    def _gone(self, conn: _Connection) -> None:
        self._connections.discard(conn)

    # a later start ----------------------------------------------------------------------
    def hand_over(self, files: Sequence[str | os.PathLike[str]],
                  starting_s: float = STARTING_S) -> bool:
        """(not the owner) Give ``files`` to the running client; True when it took
        them. Blocking, with short timeouts: runs before this process has a window."""
        try:
            from PySide6.QtNetwork import QLocalSocket
        except ImportError:
            return False

        paths = [os.path.abspath(os.fspath(f)) for f in files]
        deadline = time.monotonic() + starting_s
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.server_name)
            if socket.waitForConnected(CONNECT_MS):
                try:
                    return self._exchange(socket, paths)
                finally:
                    socket.abort()
            # no server: the holder is still starting, or it is gone (a crash, its
            # lock not stale yet to us): try a little longer, then start anyway
            if time.monotonic() >= deadline or not self._holder_alive():
                return False
            time.sleep(0.05)

    def _holder_alive(self) -> bool:
        if self.lock is None:
            return False
        probe = QLockFile(self.lock.fileName())
        probe.setStaleLockTime(0)
        if probe.tryLock(0):  # gone meanwhile: its lock was stale
            probe.unlock()
            return False
        return True

    @staticmethod
    def _exchange(socket: Any, paths: list[str]) -> bool:
        hello = _read_line(socket)
        if hello is None or hello.get("app") != APP or hello.get("protocol") != PROTOCOL:
            return False
        pid = hello.get("pid")
        if isinstance(pid, int):
            _allow_foreground(pid)
        socket.write(_line({"files": paths, "token": activation_token()}))
        if not socket.waitForBytesWritten(ANSWER_MS) and socket.bytesToWrite():
            return False
        answer = _read_line(socket)
        return answer is not None and answer.get("ok") is True


def _read_line(socket: Any) -> dict[str, Any] | None:
    """(blocking) One line from ``socket`` within ANSWER_MS, parsed."""
    deadline = time.monotonic() + ANSWER_MS / 1000
    while not socket.canReadLine():
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or socket.bytesAvailable() > MAX_LINE:
            return None
        if not socket.waitForReadyRead(left) and not socket.canReadLine():
            return None
    return _parse(bytes(socket.readLine(MAX_LINE)))


class _Connection(QObject):
    """(client side) One later start talking to us: hello, its request, our answer."""

    def __init__(self, socket: Any, guard: Guard) -> None:
        super().__init__(guard)
        self._socket = socket
        self._guard = guard
        self._closed = False
        # known before anything is written: a start that has gone already is told
        # at once (the write below closes this), and is then forgotten, not kept
        guard._connections.add(self)
        socket.setParent(self)
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(self.close)
        # a connection that says nothing is dropped
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CLIENT_WAIT_MS)
        self._timer.timeout.connect(self.close)
        self._timer.start()
        socket.write(_line({"app": APP, "protocol": PROTOCOL, "pid": os.getpid()}))
        socket.flush()

    def _read(self) -> None:
        socket = self._socket
        if socket is None:
            return
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_LINE:
                self.close()
            return
        request = _parse(bytes(socket.readLine(MAX_LINE)))
        if request is None:
            self.close()
            return
        socket.write(_line({"ok": True}))
        socket.flush()
        socket.disconnectFromServer()
        self._timer.stop()
        self._guard._heard(self, request)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        socket, self._socket = self._socket, None
        if socket is not None:
            with contextlib.suppress(RuntimeError):  # already deleted with us
                socket.readyRead.disconnect(self._read)
                socket.disconnected.disconnect(self.close)
                socket.abort()
        self._guard._gone(self)
        self.deleteLater()
