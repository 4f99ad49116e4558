"""Writing output files safely, and saying in words why a file could not be used.

Every file fieldplan writes for a person (PDF reports, tables, plans, bundles, keys)
goes through ``atomic_output``: the data is written to a hidden temporary file beside
the target, flushed to disk and renamed over it, so a full disk or a pulled USB stick
never leaves half a file, and the temporary file never stays behind. When that fails,
the error names the file the person asked for, never the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fieldplan.errors import FileError
from fieldplan.i18n import _


def os_error_reason(exc: OSError, *, writing: bool = False) -> str:
    """Why an operating-system call failed, in the current language (the system's
    own English words for the rarer errors)."""
    code = exc.errno
    if code == errno.EROFS:
        return _("the disk is read-only")
    if code == errno.ENOSPC:
        return _("the disk is full")
    if code == getattr(errno, "EDQUOT", None):
        return _("the disk quota is used up")
    if code in (errno.EACCES, errno.EPERM):
        return _("permission denied")
    if code == errno.EISDIR:
        return _("it is a folder")
    if code == errno.ENOTDIR:
        return _("part of the path is a file, not a folder")
    if code == errno.ENOENT:
        return _("its folder does not exist") if writing else _("no such file or folder")
    if code == errno.EEXIST:
        return _("it already exists")
    return exc.strerror or str(exc)


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> FileError:
    """The error for a file that could not be written: ``cannot write x.pdf: the disk
    is full``."""
    return FileError(_("cannot write {file}: {reason}").format(
        file=os.fspath(path), reason=os_error_reason(exc, writing=True)))


def cannot_read(path: str | os.PathLike[str], exc: OSError) -> FileError:
    """The error for a file that could not be read."""
    return FileError(_("cannot read {file}: {reason}").format(
        file=os.fspath(path), reason=os_error_reason(exc)))


def temporary_name(path: Path) -> Path:
    """A hidden, unique temporary file beside ``path`` (``.x.pdf.1a2b3c4d.part``)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, mode: int = 0o666,
                  private: bool = False) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path`` for writing bytes; when the block ends
    without error, flush it to disk and rename it to ``path``. On any error the
    temporary file is removed; an OSError becomes a FileError naming ``path``.

    ``mode``: the new file's permissions, less the umask; ``private``: exactly 0o600,
    whatever the umask (secret keys).
    """
    path = Path(path)
    if not path.name or path.is_dir():
        raise cannot_write(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    tmp = temporary_name(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600 if private else mode)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if private and hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o600)
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o666,
                 private: bool = False) -> Path:
    """Write ``data`` to ``path`` through ``atomic_output``; returns the path."""
    with atomic_output(path, mode=mode, private=private) as f:
        f.write(data)
    return Path(path)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename durable on POSIX; Windows cannot open directories.
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
