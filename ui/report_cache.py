"""The reports' cache folder without Qt: which files fieldplan wrote there, and the
clean-up that never removes one the person may have changed.

Each report fieldplan writes to the cache is recorded beside it (``.NAME.written``:
its size and modification time as written). The clean-up removes a file only when
it is recorded and still as written; any other file there (changed by a PDF viewer
that saved notes into it, saved there with Save as… in a viewer, or left by an older
fieldplan that kept no record) stays, and is returned once so that the person can be
told where it is.

The system's PDF viewer is given a copy of its own (``viewer_copy``), read-only and
under the report's plain name, in a folder of its own: Okular refuses to save over a
read-only file and says to save elsewhere, Acrobat saves such a file under another
name only, Evince saves a copy through its file chooser. Copies given to a viewer
stay a week (a review may go on for days with the pack open), built reports a day.
A report a preview still shows (``hold``) stays however old: a preview left open over
a review of several days lost its file to the next report built, and Save as…, Print…
and the system viewer then failed on it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import threading
import time
import uuid
from pathlib import Path

#: Built reports older than this are removed (when unchanged).
KEEP_SECONDS = 24 * 3600
#: Copies given to the system's viewer older than this are removed (when unchanged).
VIEWER_KEEP_SECONDS = 7 * 24 * 3600
#: The folders, in the cache, of the copies given to the system's viewer.
VIEWER_PREFIX = "opened-"
_RECORD_SUFFIX = ".written"
#: fieldplan's own temporary files in the cache (an atomic write's, a print's)
_TEMPORARY = (".printing-",)


#: the reports a preview of this process shows (``hold``): how many previews each
_held: dict[str, int] = {}
_held_lock = threading.Lock()  # (the clean-up runs on the database worker)


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def hold(path: Path) -> None:
    """(a preview opens on ``path``) Keep ``path`` from the clean-up until ``let_go``."""
    with _held_lock:
        _held[_key(path)] = _held.get(_key(path), 0) + 1


def let_go(path: Path) -> None:
    """(the preview of ``path`` closes) The clean-up may remove it again."""
    with _held_lock:
        left = _held.get(_key(path), 0) - 1
        if left > 0:
            _held[_key(path)] = left
        else:
            _held.pop(_key(path), None)


def held(path: Path) -> bool:
    """Whether a preview of this process shows ``path`` (``hold``)."""
    with _held_lock:
        return _key(path) in _held


def _record_of(path: Path) -> Path:
    return path.with_name(f".{path.name}{_RECORD_SUFFIX}")


def _read_record(path: Path) -> dict:
    try:
        data = json.loads(_record_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(path: Path, record: dict) -> None:
    target = _record_of(path)
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, target)


def record_written(path: Path) -> None:
    """Record ``path`` as fieldplan just wrote it (its size and modification time):
    the clean-up removes it only while it is still so."""
    st = os.stat(path)
    _write_record(Path(path), {"size": st.st_size, "mtime_ns": st.st_mtime_ns})


def unchanged(path: Path) -> bool:
    """Whether ``path`` is a file fieldplan recorded and nobody has changed since."""
    record = _read_record(Path(path))
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (stat.S_ISREG(st.st_mode) and record.get("size") == st.st_size
            and record.get("mtime_ns") == st.st_mtime_ns)


def recorded(path: Path) -> bool:
    """Whether fieldplan recorded ``path`` as it wrote it (changed since or not): a
    file with no record was left by an earlier fieldplan, which kept none, or put there
    by another program."""
    return "size" in _read_record(Path(path))


def _unlink(path: Path) -> None:
    """Remove ``path``, read-only or not: on Windows the read-only attribute (which
    ``os.chmod`` sets) refuses the removal, where POSIX only asks for the folder's
    permission."""
    try:
        os.unlink(path)
    except PermissionError:
        os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
        os.unlink(path)


def remove_written(path: Path) -> bool:
    """Remove ``path`` and its record if it is unchanged since fieldplan wrote it;
    whether it was removed. Never a file the person may have changed."""
    path = Path(path)
    if not unchanged(path):
        return False
    try:
        _unlink(path)
    except OSError:
        return False  # (open in a viewer on Windows: next time)
    with contextlib.suppress(OSError):
        os.unlink(_record_of(path))
    return True


def viewer_copy(source: Path, folder: Path, name: str) -> Path:
    """(off the GUI thread) A read-only copy of the report ``source`` named ``name``
    (``review-pack-2026-S1-en.pdf``) in a new folder of its own under ``folder``, for
    the system's viewer: a viewer that saves notes into the file it shows cannot
    write them into a file the clean-up removes, and asks where to save them."""
    own = Path(folder) / f"{VIEWER_PREFIX}{uuid.uuid4().hex[:8]}"
    own.mkdir(parents=True)
    copy = own / name
    try:
        shutil.copyfile(source, copy)
        # POSIX: r-------- (a report's narratives are its owner's: r--r--r-- gave
        # them to every user whatever the umask); Windows: the read-only attribute
        # (all os.chmod sets there)
        os.chmod(copy, stat.S_IREAD)
        record_written(copy)
    except OSError:
        with contextlib.suppress(OSError):
            if copy.exists():
                _unlink(copy)
            own.rmdir()
        raise
    return copy


def make_private(folder: Path) -> None:
    """Make the reports' cache ``folder`` (``mkdir -p``) the user's alone: 0700 on
    POSIX when made here, and one an earlier fieldplan made 0755 closed to 0700 (it
    is fieldplan's own, and the reports in it hold the offices' narratives, which
    their database keeps from other users of the computer). OSError when it cannot be
    made; a folder that cannot be closed (not the user's) is left as it is."""
    from fieldplan.files import private_folder

    private_folder(folder)
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        info = os.lstat(folder)
        if (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                and info.st_mode & 0o077):
            os.chmod(folder, stat.S_IMODE(info.st_mode) & 0o700)


def drop_viewer_copy(copy: Path) -> None:
    """(off the GUI thread) A copy made by ``viewer_copy`` that no viewer took (no
    program opens PDF files): removed with its folder, unless changed meanwhile."""
    if remove_written(copy):
        with contextlib.suppress(OSError):
            Path(copy).parent.rmdir()


def prune(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the reports in ``folder`` past their time (a day; a week for copies given
    to the viewer) that are as fieldplan wrote them, and its old temporary files. Those
    past their time that were changed, or that fieldplan did not write, stay: returned
    the first time they are found, so that the person is told where they are. Those a
    preview shows (``hold``) stay, and are not said."""
    now = time.time() if now is None else now
    kept: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return kept
    for entry in entries:
        try:
            if entry.is_dir() and entry.name.startswith(VIEWER_PREFIX):
                _prune_files(entry, now - VIEWER_KEEP_SECONDS, kept)
                with contextlib.suppress(OSError):
                    entry.rmdir()  # (only once empty)
            else:
                _prune_entry(entry, now - KEEP_SECONDS, kept)
        except OSError:
            pass  # (open in a viewer on Windows: next time)
    return kept


def _prune_files(folder: Path, limit: float, kept: list[Path]) -> None:
    for entry in folder.iterdir():
        _prune_entry(entry, limit, kept)


def _prune_entry(entry: Path, limit: float, kept: list[Path]) -> None:
    """A file of the cache: a report (``_prune_file``), or a record or temporary file
    of fieldplan's (hidden: ``_prune_hidden``); a folder is left alone."""
    if entry.is_file() and not entry.name.startswith("."):
        _prune_file(entry, limit, kept)
    elif entry.is_file():
        _prune_hidden(entry, limit)


def _prune_file(path: Path, limit: float, kept: list[Path]) -> None:
    if path.stat().st_mtime >= limit or held(path) or remove_written(path):
        return
    if not unchanged(path) and not _read_record(path).get("told"):
        # changed, or not fieldplan's: kept, and said once
        record = _read_record(path)
        record["told"] = True
        with contextlib.suppress(OSError):
            _write_record(path, record)
        kept.append(path)


def _prune_hidden(path: Path, limit: float) -> None:
    """A record whose file is gone, or fieldplan's own old temporary file."""
    name = path.name
    if name.endswith(_RECORD_SUFFIX):
        if not path.with_name(name[1:-len(_RECORD_SUFFIX)]).exists():
            path.unlink()
    elif (name.startswith(_TEMPORARY) or name.endswith((".part", ".tmp"))) and (
            path.stat().st_mtime < limit):
        path.unlink()


class KeptReport:
    """An open handle on the report a preview shows (POSIX), from which it is written
    back where it was when its file is gone: a cache cleaner, or a person making room,
    emptied the cache while the preview was open, its pages still shown (QtPdf holds
    the file open), and Save as…, Print… and the system's viewer, which read the file
    again, failed on a file the person never chose nor sees ("cannot read
    …/reports/review-pack-….pdf: no such file or folder; check the name"). (Windows
    removes no file open in QtPdf; a handle of Python's would refuse a save over it.)
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # (restored on a job's thread, closed on the GUI's)
        self._file = None
        if os.name == "posix":
            with contextlib.suppress(OSError):
                self._file = open(self.path, "rb")  # noqa: SIM115 (held until close)

    def restore(self) -> None:
        """(off the GUI thread) The report back in its place, as written and recorded,
        when its file is gone; nothing when it is there (or cannot be written back:
        what reads it then says why)."""
        with self._lock:
            if self._file is None or os.path.lexists(self.path):
                return
            with contextlib.suppress(OSError):
                fd, size = self._file.fileno(), os.fstat(self._file.fileno()).st_size
                chunks, offset = [], 0
                while offset < size:
                    chunk = os.pread(fd, min(size - offset, 1 << 20), offset)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    offset += len(chunk)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
                try:
                    tmp.write_bytes(b"".join(chunks))
                    os.replace(tmp, self.path)
                finally:
                    with contextlib.suppress(OSError):
                        tmp.unlink()
                record_written(self.path)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
