"""Typed errors. Each carries a message fit for a person; the CLI and GUI decide how
to show it (one line on stderr, a dialog...)."""

from __future__ import annotations


class FieldplanError(Exception):
    """Base of every error the core raises on purpose."""


class PlanError(FieldplanError):
    """A plan file is malformed; the message names the field and where it is."""


class ValidationError(FieldplanError):
    """A write was refused: unknown action, period outside the plan, locked period..."""


class KeyAlreadySettledError(ValidationError):
    """``keys trust`` of a key already trusted (or this computer's own), or ``keys
    refuse`` of a revoked one: nothing waits in quarantine for it and nothing is done,
    as asked. The message says how the key stands; the command line says it and
    succeeds, as ``keys revoke`` of a revoked key does."""


class StoreError(FieldplanError):
    """The database cannot be opened or used (corrupt, newer schema, locked)."""


class DamagedDatabaseError(StoreError):
    """The file is there but SQLite cannot use it (a backup may be put back). The
    message says what is wrong and the next step for the command line ("'fieldplan
    restore' puts its latest backup back"); ``problem`` says only what is wrong, for
    the client, which offers its own way back (a Restore button)."""

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message)
        self.problem = problem or message


class NotSetUpError(StoreError):
    """The database file is there, but no ``init`` set it up (empty, or what an
    ``init`` of an older fieldplan left when it was killed: ``replica.INIT_PENDING``)."""


class LoneKeyFileError(StoreError):
    """A new database was asked for where this computer's key file is, its database
    gone with no backup of it beside it. The message is the command line's ("…or
    choose another --db"); ``key_path`` (the key file) and ``role`` (of the database
    asked for: hq or office) let the client say it in its own words."""

    def __init__(self, message: str, key_path: str, role: str) -> None:
        super().__init__(message)
        self.key_path = key_path
        self.role = role


class UnreadableBackupsError(StoreError):
    """A new database was asked for where this computer's key file is, its database
    gone, and its backups folder there but not to be read (``unreadable``: why): a
    backup of it may be there, which a new identity would leave behind. The message
    is the command line's ("'fieldplan restore'"); ``key_path``, ``folder`` and
    ``unreadable`` let the client say it in its own words."""

    def __init__(self, message: str, key_path: str, folder: str,
                 unreadable: OSError) -> None:
        super().__init__(message)
        self.key_path = key_path
        self.folder = folder
        self.unreadable = unreadable


class KeptBackupsError(StoreError):
    """A new database was asked for where this computer's key file and the backups of
    its database are: its work is in the backups (restore them). The message is the
    command line's ("'fieldplan restore'"); ``key_path`` lets the client say it in
    its own words (its first-run screen has a Restore button)."""

    def __init__(self, message: str, key_path: str) -> None:
        super().__init__(message)
        self.key_path = key_path


class SoundDatabaseError(StoreError):
    """``restore`` was asked to replace a database that is not damaged: it would lose
    what the database holds that the backup does not (``force`` restores anyway)."""


class NoUsableBackupError(StoreError):
    """No file of the backups folder can be restored. ``faults``: each file passed
    over, newest first, with its short reason ("hq-….sqlite3 is damaged");
    ``faults_text``: those reasons on one line (the first few, then how many more),
    for a sentence of one's own."""

    def __init__(self, message: str, faults: list, faults_text: str) -> None:
        super().__init__(message)
        self.faults = faults
        self.faults_text = faults_text


class BackupError(StoreError):
    """An automatic backup could not be written (a full disk, a folder that cannot be
    written); the database is as it was. The message names the backups folder."""


class BundleError(FieldplanError):
    """A bundle is malformed: not a ZIP, bad member, bad hash, bad JSON, too large."""


class ForkedHistoryError(BundleError):
    """Events differ from held ones of the same replica and number: the computer that
    wrote them went on from an older copy of its database. ``forks``: origin → the
    smallest differing seq, for each origin found; ``origin`` and ``seq``: the first
    of them (what the message names)."""

    def __init__(self, message: str, forks: dict[str, int]) -> None:
        super().__init__(message)
        self.forks = dict(forks)
        self.origin, self.seq = min(self.forks.items())


class SignatureError(BundleError):
    """A bundle's signature does not verify."""


class KeyError_(BundleError):
    """A key is unknown, revoked or bound to another office."""


class OwnershipError(BundleError):
    """An event writes something its origin replica does not own."""


class FileError(FieldplanError, OSError):
    """A file cannot be read or written; the message names the file the person gave
    and says why (disk full, read-only, a folder...). Also an OSError, so code that
    catches the system's errors still catches it."""

    #: the system's error it says, when there was one, and the file it names
    #: (``files.cannot_write``): for a caller that says the file in its own words
    os_error: OSError | None = None
    file: str | None = None


class BundleNameTakenError(FileError):
    """The file named for a bundle is there and is not this computer's own bundle
    (another computer's, or no bundle at all): it is not replaced."""


class CancelledError(FieldplanError):
    """A person stopped a long job (the ``cancel()`` flag it was given): it stopped
    where it was, and wrote nothing. The message says what was not done."""
