"""Ed25519 keys and signatures in minisign's formats, so the stock `minisign` tool
verifies what fieldplan signs.

Formats (all base64 is standard base64 with padding):

- Public key file, two lines, as `minisign -G` writes it::

      untrusted comment: <comment>
      base64(b"Ed" + key_id (8 bytes) + Ed25519 public key (32 bytes))

  The second line alone is what `minisign -P` takes and what `PublicKey.to_base64()`
  returns.
- Signature file (`.minisig`), four lines::

      untrusted comment: <comment>
      base64(b"ED" + key_id + Ed25519 signature of BLAKE2b-512(data))
      trusted comment: <text>
      base64(Ed25519 signature of (the 64 signature bytes + UTF-8 text))

  Only the prehashed `ED` algorithm is made and accepted.
- Key id: the first 8 bytes of BLAKE2b-512 of the raw public key, so anyone can
  recompute it from the key. minisign prints a key id as the 8 bytes read as a
  little-endian integer in upper-case hex (`PublicKey.key_id_hex`); fieldplan prints
  it the same way.
- Secret key file (fieldplan's own format, not minisign's), two lines, mode 0600::

      untrusted comment: fieldplan secret key <KEY ID HEX> - keep private
      base64(Ed25519 seed (32 bytes) + key_id (8 bytes))

  Loading recomputes the key id from the seed, so a damaged file is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from fieldplan.errors import FieldplanError, SignatureError
from fieldplan.files import os_error_reason
from fieldplan.i18n import _, counted, ltr

PUBLIC_KEY_ALG = b"Ed"
PREHASHED_ALG = b"ED"
LEGACY_ALG = b"Ed"
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
SECRET_KEY_COMMENT = "fieldplan secret key"
UNTRUSTED_COMMENT = "fieldplan"
# minisign reads comment lines into fixed buffers (1024 / 8192 bytes); stay well inside.
MAX_COMMENT_BYTES = 900
MAX_SECRET_KEY_FILE_BYTES = 4096


class KeyFileError(FieldplanError):
    """A secret or public key file is missing, damaged or unsafely readable."""


def derive_key_id(raw_public: bytes) -> bytes:
    """The 8-byte key id of a raw Ed25519 public key: BLAKE2b-512(key)[:8]."""
    return hashlib.blake2b(raw_public).digest()[:8]


def key_id_hex(key_id: bytes) -> str:
    """A key id as minisign prints it: little-endian integer, 16 upper-case hex digits."""
    return key_id[::-1].hex().upper()


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key with its minisign key id.

    raw: the 32-byte public key.
    key_id: 8 bytes; `derive_key_id(raw)` for fieldplan keys, whatever the file says
        for a key read from a stock minisign public key file.
    """

    raw: bytes
    key_id: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32 or len(self.key_id) != 8:
            raise ValueError("a public key is 32 bytes and its key id 8 bytes")

    @classmethod
    def from_raw(cls, raw: bytes) -> PublicKey:
        return cls(raw=bytes(raw), key_id=derive_key_id(raw))

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)

    @property
    def has_derived_key_id(self) -> bool:
        """True when the key id is the one fieldplan derives from the key."""
        return self.key_id == derive_key_id(self.raw)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw key, first 20 bytes, as 10 groups of 4 upper-case hex."""
        digest = hashlib.sha256(self.raw).hexdigest().upper()[:40]
        return " ".join(digest[i : i + 4] for i in range(0, 40, 4))

    def to_base64(self) -> str:
        """The minisign key line: base64(b"Ed" + key id + key); `minisign -P` takes it."""
        return base64.b64encode(PUBLIC_KEY_ALG + self.key_id + self.raw).decode("ascii")

    @classmethod
    def from_base64(cls, text: str) -> PublicKey:
        """Parse a minisign key line. Raises SignatureError if it is not one."""
        blob = _b64decode(text.strip())
        if blob is None or len(blob) != 42 or blob[:2] != PUBLIC_KEY_ALG:
            raise SignatureError(_("not a minisign Ed25519 public key"))
        return cls(raw=blob[10:], key_id=blob[2:10])


@dataclass(frozen=True)
class SecretKey:
    """An Ed25519 secret key. seed: the 32-byte private seed (never shown in repr);
    key_id: 8 bytes, derived from the public key."""

    seed: bytes = field(repr=False)
    key_id: bytes

    def __post_init__(self) -> None:
        if len(self.seed) != 32 or len(self.key_id) != 8:
            raise ValueError("a secret key seed is 32 bytes and its key id 8 bytes")

    @classmethod
    def from_seed(cls, seed: bytes) -> SecretKey:
        """The key for a given 32-byte seed (tests use fixed seeds)."""
        raw = _private(bytes(seed)).public_key().public_bytes_raw()
        return cls(seed=bytes(seed), key_id=derive_key_id(raw))

    @property
    def public(self) -> PublicKey:
        raw = _private(self.seed).public_key().public_bytes_raw()
        return PublicKey(raw=raw, key_id=self.key_id)

    @property
    def key_id_hex(self) -> str:
        return key_id_hex(self.key_id)


def generate_key() -> SecretKey:
    """A new random key pair."""
    return SecretKey.from_seed(secrets.token_bytes(32))


def public_key_file(pub: PublicKey, comment: str | None = None) -> str:
    """The two lines of a minisign public key file (with the final newline)."""
    if comment is None:
        comment = f"fieldplan public key {pub.key_id_hex}"
    _check_comment(comment)
    return f"{UNTRUSTED_PREFIX}{comment}\n{pub.to_base64()}\n"


def parse_public_key_file(text: str) -> PublicKey:
    """Read a minisign public key file (comment line + key line) or a bare key line.

    Keeps the key id the file carries, so stock minisign keys work too.
    """
    lines = [line.rstrip("\r") for line in text.strip().split("\n")]
    if len(lines) == 2 and lines[0].startswith(UNTRUSTED_PREFIX):
        lines = lines[1:]
    if len(lines) != 1:
        raise SignatureError(
            _("not a minisign public key file (expected a comment and a key line)"))
    return PublicKey.from_base64(lines[0])


def sign(
    secret: SecretKey,
    data: bytes,
    trusted_comment: str,
    untrusted_comment: str | None = None,
) -> str:
    """The four-line `.minisig` text for `data` (prehashed ED algorithm).

    The untrusted comment defaults to `fieldplan`: nothing checks it, and the key id
    is in the signature line already (a bundle carries every byte of it).
    """
    _check_comment(trusted_comment)
    if untrusted_comment is None:
        untrusted_comment = UNTRUSTED_COMMENT
    _check_comment(untrusted_comment)
    key = _private(secret.seed)
    signature = key.sign(hashlib.blake2b(data).digest())
    global_signature = key.sign(signature + trusted_comment.encode("utf-8"))
    sig_line = base64.b64encode(PREHASHED_ALG + secret.key_id + signature).decode("ascii")
    return (
        f"{UNTRUSTED_PREFIX}{untrusted_comment}\n{sig_line}\n"
        f"{TRUSTED_PREFIX}{trusted_comment}\n"
        f"{base64.b64encode(global_signature).decode('ascii')}\n"
    )


def verify(pub: PublicKey, data: bytes, minisig_text: str) -> str:
    """Check a `.minisig` text against `data` and `pub`; return the trusted comment.

    Raises SignatureError with a one-line reason.
    """
    lines = minisig_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    if len(lines) != 4:
        raise SignatureError(counted("malformed signature file: {count} line, expected 4",
                                     "malformed signature file: {count} lines, expected 4",
                                     len(lines)))
    if not lines[0].startswith(UNTRUSTED_PREFIX):
        raise SignatureError(_("malformed signature file: no untrusted comment line"))
    if not lines[2].startswith(TRUSTED_PREFIX):
        raise SignatureError(_("malformed signature file: no trusted comment line"))
    blob = _b64decode(lines[1])
    global_signature = _b64decode(lines[3])
    if blob is None or len(blob) != 74:
        raise SignatureError(_("malformed signature file: bad signature line"))
    if global_signature is None or len(global_signature) != 64:
        raise SignatureError(_("malformed signature file: bad global signature line"))
    algorithm, key_id, signature = blob[:2], blob[2:10], blob[10:]
    if algorithm == LEGACY_ALG:
        raise SignatureError(
            _("signature uses minisign's legacy non-prehashed algorithm; only ED is accepted"))
    if algorithm != PREHASHED_ALG:
        raise SignatureError(_("unknown signature algorithm {algorithm}").format(
            algorithm=repr(algorithm)))
    if key_id != pub.key_id:
        raise SignatureError(_("signed with key {key_id}, not {expected}").format(
            key_id=key_id_hex(key_id), expected=pub.key_id_hex))
    comment = lines[2][len(TRUSTED_PREFIX) :]
    key = Ed25519PublicKey.from_public_bytes(pub.raw)
    try:
        key.verify(signature, hashlib.blake2b(data).digest())
    except InvalidSignature:
        raise SignatureError(
            _("bad signature: the data was changed or not signed by key {key_id}").format(
                key_id=pub.key_id_hex)) from None
    try:
        key.verify(global_signature, signature + comment.encode("utf-8"))
    except InvalidSignature:
        raise SignatureError(
            _("bad global signature: the trusted comment was changed")) from None
    return comment


def save_secret_key(path: str | os.PathLike[str], secret: SecretKey, *,
                    replica: str = "") -> None:
    """Write `secret` to `path` with mode 0600, atomically (temp file, fsync, rename).

    Replaces an existing file at `path`; the directory's permissions are left alone.
    ``replica``: the replica the key signs for, kept in the comment line (a database
    put back from an older backup learns from it whose key the file holds).
    """
    path = Path(path)
    of = f" of replica {replica}" if replica else ""
    _check_comment(of)
    text = (
        f"{UNTRUSTED_PREFIX}{SECRET_KEY_COMMENT} {secret.key_id_hex}{of} - keep private\n"
        f"{base64.b64encode(secret.seed + secret.key_id).decode('ascii')}\n"
    )
    from fieldplan.files import write_atomic

    # 0600 whatever the umask; allow_protected: the one writer of the key files that
    # an open database's registration keeps exports from overwriting
    write_atomic(path, text.encode("ascii"), private=True, allow_protected=True)


def load_secret_key(path: str | os.PathLike[str]) -> SecretKey:
    """Read a key written by `save_secret_key`. Raises KeyFileError if the file is
    missing or damaged, or (on POSIX) open to group or others."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            content = f.read(MAX_SECRET_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise KeyFileError(_("secret key file {path} does not exist").format(
            path=ltr(path))) from None
    except OSError as e:
        raise KeyFileError(_("cannot read secret key file {path}: {error}").format(
            path=ltr(path), error=os_error_reason(e, own=True))) from None
    if os.name == "posix" and mode & 0o077:
        raise KeyFileError(_(
            "secret key file {path} is accessible by group or others (mode {mode}); run: "
            "chmod 600 {path}").format(path=ltr(path), mode=f"{mode & 0o777:o}"))
    damaged = _("secret key file {path} is damaged or not a fieldplan secret key").format(
        path=ltr(path))
    try:
        lines = content.decode("ascii").strip().split("\n")
    except UnicodeDecodeError:
        raise KeyFileError(damaged) from None
    lines = [line.rstrip("\r") for line in lines]
    if (
        len(content) > MAX_SECRET_KEY_FILE_BYTES
        or len(lines) != 2
        or not lines[0].startswith(f"{UNTRUSTED_PREFIX}{SECRET_KEY_COMMENT}")
    ):
        raise KeyFileError(damaged)
    blob = _b64decode(lines[1])
    if blob is None or len(blob) != 40:
        raise KeyFileError(damaged)
    secret = SecretKey.from_seed(blob[:32])
    if secret.key_id != blob[32:]:
        raise KeyFileError(damaged)
    return secret


def secret_key_replica(path: str | os.PathLike[str]) -> str:
    """The replica a secret key file says its key signs for ("" if it does not say)."""
    try:
        with open(path, "rb") as f:
            first = f.readline(MAX_SECRET_KEY_FILE_BYTES).decode("ascii", "replace")
    except OSError:
        return ""
    found = re.search(r" of replica ([0-9a-f-]{36}) - keep private", first)
    return found.group(1) if found else ""


def _private(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _check_comment(text: str) -> None:
    if "\n" in text or "\r" in text:
        raise ValueError("a minisign comment is one line")
    if len(text.encode("utf-8")) > MAX_COMMENT_BYTES:
        raise ValueError(f"a minisign comment is at most {MAX_COMMENT_BYTES} bytes")
