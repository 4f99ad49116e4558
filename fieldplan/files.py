"""Writing output files safely, and saying in words why a file could not be used.

Every file fieldplan writes for a person (PDF reports, tables, plans, bundles, keys)
goes through ``atomic_output``: the data is written to a hidden temporary file beside
the target, flushed to disk and renamed over it, so a full disk or a pulled USB stick
never leaves half a file, and the temporary file never stays behind. When that fails,
the error names the file the person asked for, never the temporary one.

A name that is a symbolic link writes the file it points to (the link stays); a
device, pipe or socket is refused, as are the files ``protect`` names (the open
database and its keys: ``-o hq.sqlite3`` must not turn the database into a table).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import secrets
import stat
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fieldplan.errors import FileError, ValidationError
from fieldplan.i18n import _, ltr


def shown_name(name: str) -> str:
    """A file name as it can be stored and printed: bytes that are not UTF-8 (a name
    from a Latin-1 USB stick, kept by Python as lone surrogates, which neither SQLite
    nor a UTF-8 terminal takes) each become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _error_code(exc: OSError) -> int | None:
    """``exc``'s errno, Windows' codes for a drive gone or failing, and for a path too
    long, said as POSIX's: Python calls a drive not ready, and a read or write fault,
    "permission denied" (EACCES), a device error "invalid argument" (EINVAL), and a
    path past Windows' 260 characters "no such file" (ENOENT)."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _DISK_FAULT:
        return errno.EIO
    if winerror in _DISK_GONE:
        return errno.ENODEV
    if winerror == _PATH_TOO_LONG:
        return errno.ENAMETOOLONG
    return exc.errno


def os_error_reason(exc: OSError, *, writing: bool = False, own: bool = False) -> str:
    """Why an operating-system call failed, and what a person can do about it, in one
    clause of the current language: "the disk is full; make room or choose another
    disk" (the system's own English words, alone, for the rarer errors). ``own``: the
    file is one of fieldplan's own (a key, the reports' cache), whose place the
    person did not choose: only what is done without choosing another place is said
    ("the disk is full; make room, then try again"). ``os_error_cause``: the
    words without the next step, for a message that says its own."""
    code = _error_code(exc)
    # (steps that need no other place first: the same for fieldplan's own files)
    if code == errno.EIO:
        return _("the disk could not be read or written (removed too early, or "
                 "damaged); check it, then try again")
    if code in (errno.ENODEV, errno.ENXIO):
        return _("the disk is no longer there (removed?); plug it in again, then try "
                 "again")
    if own:
        if code == errno.ENOSPC:
            return _("the disk is full; make room, then try again")
        if code == getattr(errno, "EDQUOT", None):
            return _("the disk quota is used up; make room, then try again")
        return os_error_cause(exc, writing=writing)
    if code == errno.EROFS:
        return _("the disk is read-only; choose another disk")
    if code == errno.ENOSPC:
        return _("the disk is full; make room or choose another disk")
    if code == getattr(errno, "EDQUOT", None):
        return _("the disk quota is used up; make room or choose another disk")
    if code in (errno.EACCES, errno.EPERM):
        return (_("permission denied; choose a folder you can write to") if writing
                else _("permission denied; ask for access to it"))
    if code == errno.EISDIR:
        return _("it is a folder; choose a file")
    if code == errno.ENOTDIR:
        return _("part of the path is a file, not a folder; check the path")
    if code == errno.ENOENT:
        return (_("its folder does not exist; create it or choose another folder")
                if writing else _("no such file or folder; check the name"))
    if code == errno.EEXIST:
        return _("it already exists; choose another name")
    if code == errno.ENAMETOOLONG:
        return _("the name is too long; choose a shorter name")
    return os_error_cause(exc, writing=writing)


def os_error_cause(exc: OSError, *, writing: bool = False) -> str:
    """Why an operating-system call failed, without a next step ("the disk is full"):
    for a message that says its own ("…; free some space and try again")."""
    code = _error_code(exc)
    winerror = getattr(exc, "winerror", None)
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
    if code == errno.ENAMETOOLONG:
        return _("the name is too long")
    if code == errno.EIO:
        return _("the disk could not be read or written (removed too early, or damaged)")
    if code in (errno.ENODEV, errno.ENXIO):
        return _("the disk is no longer there (removed?)")
    if code == errno.EBADF:
        # (standard output closed before fieldplan started: ``>&-``; the system's
        # words were "Bad file descriptor")
        # Translators: why the output cannot be written, after "cannot write the
        # command's output: " (standard output, closed): "it" is that output
        return _("it is closed")
    if code == errno.EINVAL and writing and winerror in (None, _INVALID_NAME):
        # a FAT or exFAT stick (and Windows) refuses \ / : * ? " < > | in a name
        return _("the name is not allowed on this disk (a USB stick refuses \\ / : * ? "
                 "\" < > | in names): choose another")
    return exc.strerror or str(exc)


#: Windows's errors for a drive that went away: not ready, device not connected
_DISK_GONE = (21, 1167)
#: Windows's errors for a disk that failed a read or a write (a stick pulled out while
#: written): CRC, write fault, read fault, device not functioning, I/O device error
_DISK_FAULT = (23, 29, 30, 31, 1117)
#: Windows's error for a name the file system refuses (Python: EINVAL, as it calls
#: every Windows error it does not know)
_INVALID_NAME = 123
#: Windows's error for a path past its 260 characters, long paths not turned on
#: (ERROR_FILENAME_EXCED_RANGE; Python: ENOENT, "no such file")
_PATH_TOO_LONG = 206


def cannot_write(path: str | os.PathLike[str], exc: OSError, *,
                 folder: str | os.PathLike[str] | None = None,
                 own: bool = False) -> FileError:
    """The error for a file that could not be written: ``cannot write x.pdf: the disk
    is full; make room or choose another disk``. ``folder``: the folder the file was
    being made in, when the failure was the making of a file there (see
    ``write_reason``); ``own``: one of fieldplan's own files (``os_error_reason``)."""
    error = FileError(_("cannot write {file}: {reason}").format(
        file=ltr(path), reason=write_reason(path, exc, folder=folder, own=own)))
    error.os_error, error.file = exc, os.fspath(path)
    return error


def write_reason(path: str | os.PathLike[str], exc: OSError, *,
                 folder: str | os.PathLike[str] | None = None, own: bool = False) -> str:
    """Why ``path`` could not be written, in words. "No such file" while making a file
    means its folder does not exist, unless the folder is there: then the system
    refuses new files in it (``/proc``), which is said, with the folder. When
    ``folder`` says where the file was being made, a refusal (permission denied) is
    said as that folder's: it is the folder that needs to change, not the file."""
    code = _error_code(exc)
    if folder is None and held_open(exc, path):
        return held_open_reason()
    if code == errno.ENOENT:
        where = folder
        if where is None:  # the path that failed (a folder made on the way), else ours
            failed = exc.filename if isinstance(exc.filename, str | os.PathLike) else path
            where = os.path.dirname(os.path.abspath(os.fsdecode(failed)))
        if os.path.isdir(where):
            return _folder_refuses(where, _("it takes no new files"), own)
    elif folder is not None and code in (errno.EACCES, errno.EPERM):
        return _folder_refuses(folder, os_error_cause(exc, writing=True), own)
    return os_error_reason(exc, writing=True, own=own)


#: Windows's errors for a file another program has open: a sharing violation, a lock
#: violation, and "access denied", which replacing or renaming a file that program
#: opened without letting others delete it (Excel, Acrobat, SQLite) gives.
_HELD_OPEN = (5, 32, 33)


#: Windows: the waits, in seconds, before trying again a rename refused as
#: ``_HELD_OPEN``: an antivirus scanner or the search indexer opens a file just
#: written (the temporary one, or the one it replaces) for a moment, without letting
#: others rename it, and the write failed as if the person had it open. About 1.5 s in
#: all: a file that stays open (a PDF in Acrobat) is then said to be.
HELD_OPEN_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8)


def replace_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
                 rename: bool = False) -> None:
    """``os.replace(src, dst)`` (``rename``: ``os.rename``, which on Windows never
    replaces a file), tried again for a moment when Windows refuses it because a
    program has one of the files open (``HELD_OPEN_WAITS``)."""
    move = os.rename if rename else os.replace
    for wait in HELD_OPEN_WAITS:
        try:
            move(src, dst)
            return
        except PermissionError as exc:
            if getattr(exc, "winerror", None) not in _HELD_OPEN:
                raise
        time.sleep(wait)
    move(src, dst)


def held_open(exc: BaseException, path: str | os.PathLike[str] | None) -> bool:
    """Whether ``exc`` is Windows refusing to replace, rename or write the file at
    ``path`` because another program has it open (a table open in Excel, the review
    pack in Acrobat, the database in fieldplan). Python calls it "permission denied"
    (EACCES). "Access denied" says so only of a file that is there and is not
    read-only."""
    code = getattr(exc, "winerror", None)
    if code not in _HELD_OPEN or path is None or not os.path.isfile(path):
        return False
    return code != 5 or os.access(path, os.W_OK)


def held_open_reason() -> str:
    """What ``write_reason`` says of a file ``held_open``."""
    # Translators: why a file cannot be written ("cannot write plan.xlsx: {reason}")
    return _("it is open in another program (close it there, then try again)")


def _folder_refuses(folder: str | os.PathLike[str], reason: str, own: bool = False) -> str:
    """``own``: the folder of one of fieldplan's own files (see ``os_error_reason``),
    which no one chose: no other folder to choose."""
    folder = os.path.abspath(os.fspath(folder))
    if own:
        # Translators: {folder} is a folder; {reason} why, e.g. "permission denied"
        return _("the folder {folder} cannot be written to ({reason})").format(
            folder=ltr(folder), reason=reason)
    # Translators: {folder} is a folder; {reason} why, e.g. "permission denied"
    return _("the folder {folder} cannot be written to ({reason}); choose another "
             "folder").format(folder=ltr(folder), reason=reason)


def _refused(path: str | os.PathLike[str], reason: str) -> FileError:
    return FileError(_("cannot write {file}: {reason}").format(file=ltr(path),
                                                               reason=reason))


def cannot_read(path: str | os.PathLike[str], exc: OSError, *,
                own: bool = False) -> FileError:
    """The error for a file that could not be read (``own``: see ``os_error_reason``)."""
    return FileError(_("cannot read {file}: {reason}").format(
        file=ltr(path), reason=os_error_reason(exc, own=own)))


#: The files SQLite keeps beside a database: protecting a path protects these too.
SQLITE_SIBLINGS = ("-wal", "-shm", "-journal")

_protected: Counter[str] = Counter()
_protected_lock = threading.Lock()


def _identity(path: str | os.PathLike[str]) -> str:
    """A path as the registry compares it: absolute, symbolic links resolved, and in
    the case the file system compares (Windows)."""
    return os.path.normcase(os.path.realpath(path))


def protect(*paths: str | os.PathLike[str]) -> None:
    """Never let ``atomic_output`` replace these files (an open database, a secret
    key), nor a database's SQLite files beside them (``NAME-wal``, ``NAME-shm``,
    ``NAME-journal``, which may not exist yet; for a key file the rule costs nothing:
    nobody names a table ``x.key-wal``). Counted: each ``protect`` of a path
    is undone by one ``unprotect`` (two open replicas of one database)."""
    with _protected_lock:
        _protected.update(_identity(p) for p in paths)


def unprotect(*paths: str | os.PathLike[str]) -> None:
    """Undo one ``protect`` of each path (paths never protected are ignored)."""
    with _protected_lock:
        for p in paths:
            key = _identity(p)
            if _protected[key] > 1:
                _protected[key] -= 1
            else:
                _protected.pop(key, None)


_protected_folders: Counter[str] = Counter()


def protect_folder(folder: str | os.PathLike[str]) -> None:
    """Never let ``atomic_output`` write a file into this folder (the backups folder:
    a report written over a backup would leave nothing to restore). Counted like
    ``protect``: undone by one ``unprotect_folder``."""
    with _protected_lock:
        _protected_folders[_identity(folder)] += 1


def unprotect_folder(folder: str | os.PathLike[str]) -> None:
    with _protected_lock:
        key = _identity(folder)
        if _protected_folders[key] > 1:
            _protected_folders[key] -= 1
        else:
            _protected_folders.pop(key, None)


def in_protected_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (after symbolic links) names a file in a protected folder."""
    with _protected_lock:
        if not _protected_folders:
            return False
        return os.path.dirname(_identity(path)) in _protected_folders


def is_protected(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (after symbolic links) is a protected file or one of a
    protected database's SQLite files."""
    with _protected_lock:
        guarded = list(_protected)
    if not guarded:
        return False
    key = _identity(path)
    candidates = {key} | {key[:-len(s)] for s in SQLITE_SIBLINGS if key.endswith(s)}
    if candidates & set(guarded):
        return True
    # the same file under another name: another case on a case-insensitive disk
    # (macOS), a hard link
    try:
        st = os.stat(key)
    except OSError:
        return False
    for base in guarded:
        for name in (base, *(base + s for s in SQLITE_SIBLINGS)):
            try:
                if os.path.samestat(st, os.stat(name)):
                    return True
            except OSError:
                continue
    return False


#: File name endings that name a format, and the formats such a file may hold (HXL
#: is CSV: a .csv name fits it; "bundle": a fieldplan bundle). Any other ending is
#: left to the person.
_SUFFIX_FORMATS: dict[str, tuple[str, ...]] = {
    ".csv": ("csv", "hxl"), ".hxl": ("hxl",), ".xlsx": ("xlsx",), ".pdf": ("pdf",),
    ".xls": (), ".xlsm": (), ".ods": (), ".tsv": (), ".json": (), ".toml": (),
    # a bundle is a ZIP archive: "UG.zip" is one, as import reads it (a mail server
    # may refuse the .fieldplan ending); no table, report or plan is one
    ".fieldplan": ("bundle",), ".zip": ("bundle",),
    ".sqlite3": (), ".sqlite": (), ".db": (),
    # what people name other files with: a table may be text, nothing else here is
    ".txt": ("csv", "hxl"), ".png": (), ".jpg": (), ".jpeg": (), ".gif": (),
    ".doc": (), ".docx": (), ".odt": (), ".rtf": (), ".html": (), ".htm": (), ".xml": (),
    ".md": (), ".eml": (), ".exe": (),
}

#: The ending of a bundle's name.
BUNDLE_SUFFIX = ".fieldplan"
#: The ending a file of each format gets when it is named without one, as the
#: client's Save dialogs give it (HXL is CSV; a plan file, XLSX, the Save dialog's
#: first type).
FORMAT_SUFFIXES: dict[str, str] = {"bundle": BUNDLE_SUFFIX, "pdf": ".pdf", "csv": ".csv",
                                   "hxl": ".csv", "xlsx": ".xlsx", "plan": ".xlsx"}


def names_a_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``, as typed, ends in the path separator (``E:\\reports\\``,
    ``/media/usb/``): a folder's name, whose last separator ``Path`` drops (a file was
    made under the folder's name)."""
    text = os.fspath(path)
    return isinstance(text, str) and text.endswith(tuple(s for s in (os.sep, os.altsep)
                                                         if s))


def check_output_name(fmt: str, out: str | os.PathLike[str]) -> None:
    """Refuse an output file name whose ending names another format (``-o sheet.csv``
    for a PDF, ``-o progress.xlsx`` for CSV, ``-o progress.csv`` for a bundle): the
    file would not open, or open as garbage, in what its name promises, and a table,
    report, database or bundle of that name would be written over. ``fmt``: csv, hxl,
    xlsx, pdf or bundle. A name ending in the path separator (``-o E:\\reports\\``)
    names a folder: one that is not there is refused (the file was written under the
    folder's name, without an ending)."""
    # (os.path: a name too long to look at is no folder, and the writer says why;
    # Path.is_dir raised "File name too long" past every message in words)
    if os.path.isdir(out):
        return  # whatever its name: the writer says it is a folder
    if names_a_folder(out):
        # Translators: {file} is the name typed, ending in "/" (or "\" on Windows)
        raise ValidationError(_("{file} is a folder's name, and there is no such folder: "
                                "create it first, or give a file name").format(
                                    file=ltr(out)))
    suffix = Path(out).suffix.lower()
    allowed = _SUFFIX_FORMATS.get(suffix)
    if allowed is None or fmt in allowed:
        return
    if fmt == "bundle":
        raise ValidationError(_(
            "{file} is named as a {suffix} file but a bundle is written: give it a name "
            "ending in {bundle_suffix}").format(file=ltr(out), suffix=suffix,
                                                bundle_suffix=BUNDLE_SUFFIX))
    if fmt == "pdf":
        # (a report has no format to change: "change the file name or the format")
        raise ValidationError(_(
            "{file} is named as a {suffix} file but a PDF is written: give it a name "
            "ending in .pdf").format(file=ltr(out), suffix=suffix))
    # Translators: {format} is CSV, HXL or XLSX; {format_suffix} the ending its files
    # get (.csv, .xlsx)
    raise ValidationError(_(
        "{file} is named as a {suffix} file but the format is {format}: give it a name "
        "ending in {format_suffix}, or choose another format").format(
            file=ltr(out), suffix=suffix, format=fmt.upper(),
            format_suffix=FORMAT_SUFFIXES[fmt]))


def with_ending(fmt: str, out: str) -> str:
    """``out``, the name of a file of ``fmt`` to write (a key of ``FORMAT_SUFFIXES``),
    with that format's ending added when its file name has none at all (no dot:
    ``-o sheet``), as the client's Save dialogs add it: a report written as "sheet"
    opened in no PDF reader, and a bundle written as "ML-S1" was not shown by the
    client's file choosers. A folder (one that is there, or a name ending in the path
    separator) is left as it is, and so is a name with any ending, the ones that name
    another format refused by ``check_output_name``."""
    if not out or os.path.isdir(out) or names_a_folder(out):
        return out
    if "." in os.path.basename(out):
        return out
    return out + FORMAT_SUFFIXES[fmt]


#: The first bytes of every SQLite database file.
_SQLITE_HEADER = b"SQLite format 3\x00"
#: The first bytes of an SQLite write-ahead log, and of a rollback journal.
_WAL_HEADERS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_JOURNAL_HEADER = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
#: How a secret key file starts: fieldplan's own, and minisign's.
_SECRET_KEY_STARTS = (b"untrusted comment: fieldplan secret key",
                      b"untrusted comment: minisign encrypted secret key",
                      b"untrusted comment: minisign secret key")
#: The end of the name of the client's drafts journal beside a database.
DRAFTS_SUFFIX = ".drafts.json"
#: The end of the name of the file beside a database where the client keeps the drafts
#: a plan amendment left without a report (their typed text).
DRAFTS_SET_ASIDE_SUFFIX = ".drafts-set-aside.json"
#: What the client adds to the name of one of those files it cannot read when it moves
#: it out of the way (``<db>.drafts.json.unreadable-<UTC time>``): kept, not lost.
UNREADABLE_MARK = ".unreadable-"
#: What is added to the name of one of those files written for another database than
#: the one beside it when it is moved out of the way (``fieldplan.draftfiles``):
#: ``<db>.drafts.json.other-database-<UTC time>``, kept, never applied.
OTHER_DATABASE_MARK = ".other-database-"
#: The client's drafts files beside a database ``<db>``, by name: ``<db>`` and which.
_DRAFTS_FILE = re.compile("(.+?)(" + "|".join(
    re.escape(s) for s in (DRAFTS_SUFFIX, DRAFTS_SET_ASIDE_SUFFIX))
    + ")(?:(?:" + re.escape(UNREADABLE_MARK) + "|" + re.escape(OTHER_DATABASE_MARK)
    + ").*)?", re.DOTALL)


#: How much of a file's start the checks below look at.
_HEAD_BYTES = max(len(s) for s in (_SQLITE_HEADER, *_WAL_HEADERS, _JOURNAL_HEADER,
                                   *_SECRET_KEY_STARTS))


def _head(path: Path) -> bytes:
    """The first bytes of the file at ``path`` (none when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return f.read(_HEAD_BYTES)
    except OSError:
        return b""


def _is_database(path: Path) -> bool:
    """Whether the file at ``path`` is an SQLite database (fieldplan's own, another
    office's, a backup copied elsewhere): no output of fieldplan ever is one."""
    return _head(path).startswith(_SQLITE_HEADER)


def database_sibling(path: Path) -> bool:
    """Whether the file at ``path`` is one SQLite keeps beside a database
    (``NAME-wal``, ``NAME-shm``, ``NAME-journal``, with the database ``NAME`` there):
    part of that database, no file of a person's ("notes-journal" beside a text
    "notes" is one)."""
    name = path.name
    return any(name.endswith(s) and len(name) > len(s)
               and _is_database(path.with_name(name[:-len(s)])) for s in SQLITE_SIBLINGS)


def _kept_from_outputs(path: Path, exists: bool) -> str | None:
    """Why no output may replace ``path``, whatever database is open (another office's
    database, its log, its secret key, the client's drafts): None when it may."""
    head = _head(path) if exists else b""
    if head.startswith(_SQLITE_HEADER):
        return _("it is a database; choose another file")
    name = path.name
    drafts = _DRAFTS_FILE.fullmatch(name)
    beside = (path.with_name(drafts.group(1)) if drafts else
              next((path.with_name(name[:-len(s)]) for s in SQLITE_SIBLINGS
                    if name.endswith(s) and len(name) > len(s)), None))
    beside_database = beside is not None and _is_database(beside)
    if (beside_database and name.endswith(SQLITE_SIBLINGS)) or head.startswith(
            (*_WAL_HEADERS, _JOURNAL_HEADER)):
        # a log holds changes not yet in its database: replaced, they are lost
        return _("it is a database's log of changes; choose another file")
    if head.startswith(_SECRET_KEY_STARTS):
        return _("it is a secret key file; choose another file")
    if beside_database and drafts:  # the journal, the ones set aside, unreadable ones
        return _("it holds the client's unsaved drafts of a database; choose another file")
    return None


def _writable_target(path: Path, allow_protected: bool) -> Path:
    """The file ``atomic_output`` replaces for ``path``: ``path`` itself, or the file a
    symbolic link points to. Raises FileError for a folder, a device, a pipe, a
    socket, and (unless allowed) a protected file or one no output replaces: a
    database, a database's log, a secret key, the client's drafts; and a file its user
    may not write (read-only), which the rename would otherwise replace on POSIX."""
    if not path.name:
        raise cannot_write(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)),
                           own=allow_protected)
    try:
        st = os.stat(path)  # follows symbolic links
    except OSError as exc:
        if _error_code(exc) in (errno.ELOOP, errno.ENAMETOOLONG):
            raise cannot_write(path, exc, own=allow_protected) from None
        st = None  # missing (or unreachable: creating the temporary file says why)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise cannot_write(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)),
                           own=allow_protected)
    if st is not None and not stat.S_ISREG(st.st_mode):
        # renaming over it would replace a device node (as root) or a pipe another
        # program reads with a plain file
        raise _refused(path, _("it is a device, a pipe or a socket, not a file; "
                               "choose another file"))
    if not allow_protected and is_protected(path):
        raise _refused(path, _("it is fieldplan's own database or key file; "
                               "choose another file"))
    if in_protected_folder(path):
        raise _refused(path, _("that folder holds fieldplan's backups; choose another "
                               "folder"))
    if not allow_protected:
        # the name given, and the file a link points to (a link to a database's log)
        for named in dict.fromkeys((path, Path(os.path.realpath(path)))):
            kept = _kept_from_outputs(named, st is not None)
            if kept is not None:
                raise _refused(path, kept)
    # a link (even a dangling one) keeps pointing where it did: write its target
    # (os.path: a folder on the way that may not be looked in is said by the write)
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    if st is not None and not os.access(target, os.W_OK):
        # read-only: on POSIX the rename asks only the folder, and would put a new,
        # writable file in its place; Windows refuses it. Refused everywhere
        denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        if allow_protected:  # (fieldplan's own file: no other name to choose)
            raise cannot_write(path, denied, own=True)
        # the file refuses, not its folder: "choose a folder you can write to" sent
        # the person away from a folder that takes another name
        error = FileError(_("cannot write {file}: {reason}").format(
            file=ltr(path), reason=_("it is read-only; choose another name")))
        error.os_error, error.file = denied, os.fspath(path)
        raise error
    return target


def check_writable(path: str | os.PathLike[str]) -> None:
    """The FileError ``atomic_output`` would refuse ``path`` with before writing (a
    folder, a device, a database, its log, a secret key...), raised now: for a writer
    with checks of its own to make after these."""
    _writable_target(Path(path), allow_protected=False)


def check_output(fmt: str, path: str | os.PathLike[str]) -> None:
    """Before the work of making a file's content (a review pack takes seconds at
    headquarters): ``check_output_name``, then what ``atomic_output`` would refuse
    ``path`` with (``check_writable``), then its folder, by making its temporary file
    there and removing it (a folder that is not there, or one that takes no file):
    the FileError the write would end with, said before anything is made."""
    check_output_name(fmt, path)
    target = _writable_target(Path(path), allow_protected=False)
    tmp = temporary_name(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    except OSError as exc:
        raise cannot_write(path, exc, folder=target.parent) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        tmp.unlink()


#: The longest file name, in bytes, most file systems take (ext4, NTFS and FAT in
#: UTF-16 units, which a name's UTF-8 bytes never undercount)
NAME_MAX = 255
#: What ``temporary_name`` adds around a name: "." and ".1a2b3c4d.part"
_TEMPORARY_EXTRA = len(".") + len(".12345678.part")


def _temporary_stem(name: str) -> str:
    """``name`` as its temporary file carries it: cut, between characters, so that
    the temporary name fits NAME_MAX bytes (an export named up to the limit must not
    fail for its temporary name)."""
    limit = NAME_MAX - _TEMPORARY_EXTRA
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def temporary_name(path: Path) -> Path:
    """A hidden, unique temporary file beside ``path`` (``.x.pdf.1a2b3c4d.part``); a
    long name cut short in it (``_temporary_stem``)."""
    return path.with_name(f".{_temporary_stem(path.name)}.{secrets.token_hex(4)}.part")


#: A temporary file of ``atomic_output`` untouched this long was left by a program
#: that was killed (or a computer that lost power): a write under way touches it all
#: the time.
STALE_TEMPORARY_S = 3600.0
_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{8}\.part")


def _sweep_temporaries(target: Path) -> None:
    """Remove what killed writes of ``target`` left beside it (hidden ``.part`` files:
    on a USB stick or a Windows computer they show, and take room)."""
    stale = time.time() - STALE_TEMPORARY_S
    stem = _temporary_stem(target.name)
    try:
        found = list(target.parent.glob(f".{glob.escape(stem)}.*.part"))
    except OSError:
        return
    for path in found:
        match = _TEMPORARY.fullmatch(path.name)
        if match is None or match.group(1) != stem:
            continue
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime < stale:
                path.unlink()


#: a name ``free_name`` numbered: its stem, and the number after "_"
_NUMBERED = re.compile(r"(?P<stem>.+?)_(?P<n>[0-9]+)")


def free_name(path: Path) -> Path:
    """``path``, or ``<stem>_2<suffix>``, ``_3``… when a file of that name is there
    already: a name fieldplan chose (a bundle's, a setup bundle's) never replaces
    another file. ``atomic_output(fresh=True)`` keeps to it when another program
    takes the name meanwhile."""
    found = path
    while os.path.lexists(found):
        found = _next_name(found)
    return found


def names_before(path: Path, found: Path) -> list[Path]:
    """The names ``free_name`` passed over, taken, on its way from ``path`` to
    ``found`` (``path``, ``<stem>_2<suffix>``…), in that order; [] when ``found`` is
    ``path`` or no name of that way."""
    passed: list[Path] = []
    name = path
    while name != found and len(passed) < 10_000:
        passed.append(name)
        name = _next_name(name)
    return passed if name == found else []


def _next_name(path: Path) -> Path:
    numbered = _NUMBERED.fullmatch(path.stem)
    stem, n = (numbered["stem"], int(numbered["n"])) if numbered else (path.stem, 1)
    return path.with_name(f"{stem}_{n + 1}{path.suffix}")


def _claim(tmp: Path, target: Path) -> Path:
    """Put the written file ``tmp`` at ``target``, or at the next free name
    (``free_name``) when another program put a file there since it was chosen (two
    exports at once into one folder each printed the same name, one bundle lost):
    a hard link takes a name only if it is free. A file system without hard links
    (FAT on a USB stick) takes a rename after a look, as before."""
    while True:
        try:
            os.link(tmp, target)
        except FileExistsError:
            target = _next_name(target)
            continue
        except OSError:
            if os.path.lexists(target):
                target = _next_name(target)
                continue
            try:
                # (Windows' rename never replaces a file: taken meanwhile, the next)
                replace_file(tmp, target, rename=os.name == "nt")
            except FileExistsError:
                target = _next_name(target)
                continue
            return target
        _remove_second_name(tmp)
        return target


def _remove_second_name(tmp: Path) -> None:
    """Remove ``tmp``, a second name of a file now in place: tried again for a moment
    when Windows refuses it because a program has the file open (an antivirus scanner
    holding the file just written, ``HELD_OPEN_WAITS``), then left to the next write's
    sweep (``_sweep_temporaries``). The file is written: a refusal here said it was not
    ("it is open in another program"). Any other failure is raised."""
    for wait in (*HELD_OPEN_WAITS, None):
        try:
            tmp.unlink()
            return
        except PermissionError as exc:
            if getattr(exc, "winerror", None) not in _HELD_OPEN:
                raise  # (as any other failure: the disk's, said as before)
            if wait is None:
                return
        time.sleep(wait)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, mode: int = 0o666,
                  private: bool = False, allow_protected: bool = False,
                  fresh: bool = False,
                  placed: list[Path] | None = None) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path`` for writing bytes; when the block ends
    without error, flush it to disk and rename it to ``path``. On any error the
    temporary file is removed; an OSError becomes a FileError naming ``path``.

    A symbolic link's target is written (the link stays). Refused with a FileError,
    before anything is written: a folder, a device, pipe or socket, an SQLite
    database, a file ``protect`` names unless ``allow_protected`` (the writer of
    fieldplan's own files, secret keys and drafts, whose errors name no other place
    to choose: ``os_error_reason``'s ``own``), and a read-only file ("permission
    denied", as Windows says).

    ``mode``: the new file's permissions, less the umask; ``private``: exactly 0o600,
    whatever the umask (secret keys). ``fresh``: ``path`` is a name fieldplan chose
    (``free_name``), and the file goes under the next free one when another program
    takes it meanwhile (``_claim``): never over another file. ``placed``: the path
    written is appended to it.
    """
    path = Path(path)
    target = _writable_target(path, allow_protected)
    _sweep_temporaries(target)
    tmp = temporary_name(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600 if private else mode)
    except OSError as exc:
        raise cannot_write(path, exc, folder=target.parent, own=allow_protected) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if private:
                _owner_only(f.fileno())
            yield f
            f.flush()
            os.fsync(f.fileno())
        if fresh:
            target = _claim(tmp, target)
        else:
            replace_file(tmp, target)
    except OSError as exc:
        _drop_temporary(tmp)
        raise cannot_write(path, exc, own=allow_protected) from None
    except BaseException:
        _drop_temporary(tmp)
        raise
    _fsync_directory(target.parent)
    if placed is not None:
        placed.append(target)


def _drop_temporary(tmp: Path) -> None:
    """Remove the temporary file of a write that failed, as far as the disk lets it.
    A USB stick pulled out fails the write and this removal both: the removal's error
    took the write's place, "Unexpected error: … '.ML-….fieldplan.1a2b3c4d.part'", a
    hidden file the person never made. What is left is swept at the next write
    (``_sweep_temporaries``)."""
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def _owner_only(fd: int) -> None:
    """(POSIX) Make the open file ``fd`` readable and writable by its owner alone, 0600
    whatever the umask; on Windows nothing (a file there is its user's already)."""
    if os.name == "posix":
        os.fchmod(fd, 0o600)


def create_private(path: str | os.PathLike[str], *, exist_ok: bool = False) -> None:
    """Create ``path`` empty and owner-only (0600 on POSIX, whatever the umask), as the
    key files are (``atomic_output(private=True)``): a database fieldplan makes holds
    enrolment tokens, which let whoever reads them register a key for an office.
    SQLite then gives the database's -wal, -shm and -journal files the same mode.
    A file already there raises FileExistsError, or with ``exist_ok`` is left as it is
    (a file of the person's, whose mode is theirs to choose)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        if exist_ok:
            return
        raise
    try:
        _owner_only(fd)
    finally:
        os.close(fd)


def companion_mode(db_path: str | os.PathLike[str]) -> int:
    """The permissions for a file fieldplan keeps beside the database ``db_path`` that
    holds what the database holds (the client's drafts, text set aside): the
    database's own, as SQLite gives its -wal and -shm files, never less than the
    owner's read and write; owner-only (0600) when the database is not there. The
    database is owner-only when fieldplan made it; a person who opened it to a group
    (two users on a shared folder) opens its drafts alike. Less the umask, as any
    ``atomic_output`` mode."""
    try:
        found = stat.S_IMODE(os.stat(db_path).st_mode)
    except (OSError, ValueError):
        return 0o600
    return (found & 0o666) | 0o600


def make_folder_of(path: str | os.PathLike[str]) -> None:
    """``mkdir -p`` of the folder ``path`` is in. A file where one of its folders
    should be is said as such (ENOTDIR: "part of the path is a file, not a folder"),
    naming that file: mkdir says EEXIST of it, "it already exists", which read as if
    the file asked for were there."""
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR),
                                 exc.filename) from exc


def private_folder(path: str | os.PathLike[str]) -> None:
    """``mkdir -p`` with the last folder, when made here, owner-only (0700 on POSIX;
    the umask may take more away): the backups folder. A folder already there keeps
    its mode, its parents get the usual one. A file in the place of one of them is said
    as such, as ``make_folder_of`` says it (not "it already exists": of what?)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
    except FileExistsError as exc:
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR),
                                 exc.filename) from exc


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o666,
                 private: bool = False, allow_protected: bool = False) -> Path:
    """Write ``data`` to ``path`` through ``atomic_output``; returns the path."""
    with atomic_output(path, mode=mode, private=private,
                       allow_protected=allow_protected) as f:
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
