"""The `.fieldplan` bundle container: one ZIP, three members, a minisign signature.

Members:

- `events.jsonl` — one event per line, each line ending in "\\n": the event's canonical
  JSON (`canonical_json`), except that from format version 2 a derivable `prev` is left
  out (see "Left-out prev" below).
- `manifest.json` — canonical JSON object. This module sets `format`, `version`,
  `bundle_id`, `created`, `event_count`, `members` (= {"events.jsonl": {"sha256":
  hex, "size": bytes}}), `public_key` (minisign key line, see `PublicKey.to_base64`),
  `key_id` (minisign's hex form) and `app_version` (the fieldplan that wrote it, e.g.
  "0.1.0"; optional, readers ignore manifest keys they do not use); every other field
  belongs to the caller.
- `manifest.json.minisig` — minisign signature of `manifest.json`, prehashed ED, with
  the trusted comment `bundle_id:<bundle_id> created:<created>`, e.g.
  `bundle_id:3f2a9c1b0d4e4f6a8b7c6d5e4f3a2b1c created:2026-03-12T09:30:00Z`.

`open_bundle` checks that a bundle is well-formed, within the size limits,
self-consistent and signed by the key its manifest names. Whether that key is
trusted and bound to the office is the caller's business.

Left-out prev (format version 2). A 64-hex `prev` is some 32 bytes no compressor can
shrink, and in a bundle it is nearly always the hash of the line just before. So the
writer leaves out a line's `"prev":"<hex>",` member when the line before it is the
same origin's previous event: same `origin`, `seq` one less, and `prev` equal to the
SHA-256 of that line. The first line of each run of an origin keeps its `prev`. In
canonical JSON an event ends with its `origin`, `prev` and `seq` members, so a line
ending in `,"origin":"<O>","seq":<N>}` is one that left `prev` out: the reader puts
back `"prev":"<SHA-256 hex of the line before, as restored>",` just before `"seq"`,
which gives the event's canonical line byte for byte (its hash is unchanged), and
refuses the bundle unless the line before ends in `,"origin":"<O>",…"seq":<N-1>}`.
Lines not ending like an event are passed on as they are. The manifest's SHA-256
and size are of the bytes as stored; `Bundle.iter_lines` yields the restored lines.
Version 1 bundles (every line whole) are read as they are. Leaving `prev` out loses
nothing: anyone able to sign a bundle could write whatever `prev` they liked, and
the import still checks each run against the events held at both its ends.

Versions. A reader refuses a bundle of a newer version than its FORMAT_VERSION
("update fieldplan"), so whatever an older reader would misread or refuse as damaged
needs a new version. 1: every line whole. 2: a derivable prev left out (above).
3: key records may carry "scope" (a revocation of one computer alone), which readers
of versions 1 and 2 refuse as a malformed key record. 4: a plan record's indicator
may word its unit in French and Arabic (``"unit": {"en": …, "fr": …, "ar": …}``, as a
title), which readers of versions 1 to 3 refuse as a damaged plan. Every version is still written
(`write_bundle`'s `version`): the container of version 2 and 3 is the same, and a
bundle for a reader of an older version is written in that version when its content
fits (fieldplan.sync.formats).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import stat
import struct
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from fieldplan import __version__, minisign, transit
from fieldplan.errors import BundleError, SignatureError
from fieldplan.events import canonical_json as events_canonical_json
from fieldplan.events import error_line, json_error_reason, utc_iso
from fieldplan.i18n import N_, _, counted, format_number, join_clauses, join_list, ltr, ngettext
from fieldplan.minisign import PublicKey, SecretKey
from fieldplan.text import for_message

FORMAT_NAME = "fieldplan-bundle"
FORMAT_VERSION = 4
OLDEST_FORMAT_VERSION = 1  # the oldest version write_bundle still writes
PREV_LEFT_OUT_SINCE = 2  # the first version whose events.jsonl may leave out prev
KEY_SCOPE_SINCE = 3  # the first version whose key records may carry "scope"
UNIT_WORDS_SINCE = 4  # the first whose plan records may word units in French and Arabic
SUFFIX = ".fieldplan"

MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
SIGNATURE = "manifest.json.minisig"
MEMBERS = (EVENTS, MANIFEST, SIGNATURE)

MiB = 1024 * 1024
MAX_BUNDLE_BYTES = 512 * MiB
MAX_MANIFEST_BYTES = 1 * MiB
MAX_EVENTS_BYTES = 4096 * MiB  # decompressed
MAX_EVENT_LINE_BYTES = 1 * MiB  # one event; write_bundle refuses longer ones too
MAX_SIGNATURE_BYTES = 8 * 1024
#: The largest central directory (the ZIP's table of contents) read: a bundle's three
#: entries take some 200 bytes; a ZIP a mail program made around bundles, some 100 bytes
#: a bundle (thousands of them fit). A larger one is a ZIP archive of other files
MAX_DIRECTORY_BYTES = 1 * MiB

CHUNK = 1 * MiB
#: events.jsonl up to this size (decompressed) is kept in memory by
#: ``Bundle.check_events`` for the lines read next (an import: one decompression, not
#: two); a larger one is read from the archive again, chunk by chunk
KEEP_CHECKED_BYTES = 16 * MiB
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
PROGRESS_EVERY = 5000

BUNDLE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
CREATED_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)
SHA256_RE = re.compile(r"[0-9a-f]{64}")
# The end of an event line from its origin's value on: origin, prev (a hash, or "" for
# an origin's first event) when present, seq. See "Left-out prev" above.
_ORIGIN_KEY = b',"origin":"'
_EVENT_TAIL_RE = re.compile(
    rb'(?P<origin>[^"\\]*)",(?P<member>"prev":"(?P<prev>[0-9a-f]{64})?",)?'
    rb'"seq":(?P<seq>[1-9][0-9]{0,17})}'
)
_MAX_SEQ = 10**18 - 1  # the largest seq _EVENT_TAIL_RE takes

Progress = Callable[[int, int | None, str], None]
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

# Errors zipfile and zlib raise on damaged archives and members.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    ValueError,
    OSError,
    NotImplementedError,
    IndexError,
)


def _check_readable(e: BaseException) -> None:
    """A ZIP reader's error that is the file's disk failing under it (a USB stick
    pulled out while the bundle is read, a bad sector: an OSError with its own errno,
    but EINVAL, the seek before the file's start a damaged archive's offsets lead to)
    is said as such: "cannot read: … (removed too early, or damaged); check it, then
    try again", as when the file cannot be opened. It was "events.jsonl is damaged
    ([Errno 5] Input/output error); ask the sender to send it again": the sender had
    nothing to do with it, and a bundle sent again failed on the same stick."""
    import errno

    seen: BaseException | None = e
    while seen is not None:  # (zipfile says a read failing under it "not a zip file")
        if isinstance(seen, OSError) and seen.errno not in (None, errno.EINVAL):
            from fieldplan.files import os_error_reason

            raise BundleError(_("cannot read: {error}").format(
                error=os_error_reason(seen))) from seen
        seen = seen.__cause__ or seen.__context__


def canonical_json(obj: Any) -> bytes:
    """UTF-8 bytes of the one canonical serialisation (fieldplan.events.canonical_json):
    sorted keys, no whitespace, non-ASCII kept as is.

    Raises ValueError on NaN or infinity (and on strings that are not valid Unicode),
    TypeError on values JSON cannot hold. Keys must be strings.
    """
    return events_canonical_json(obj).encode("utf-8")


@dataclass(frozen=True)
class BundleInfo:
    """What write_bundle wrote. path: the final file; bundle_id: the manifest's id;
    event_count: lines in events.jsonl; size: the bundle file's size in bytes."""

    path: Path
    bundle_id: str
    event_count: int
    size: int


def bundle_filename(office: str, replica_short: str, first_seq: int | None,
                    last_seq: int) -> str:
    """`<office>-<replica_short>-<first_seq>-<last_seq>.fieldplan`, the sender's own
    events the bundle carries, e.g. `ML-3f2a9c1b-41-57.fieldplan`.

    A bundle that carries none of the sender's own events (``first_seq`` None: only
    receipts, or at headquarters only what it relays from an office's other
    computers) is named by the sender's last event so far, which it does not carry:
    `<office>-<replica_short>-<last_seq>.fieldplan`, e.g. `HQ-to-ML-3f2a9c1b-57.fieldplan`
    after `HQ-to-ML-3f2a9c1b-41-57.fieldplan`. Sorted by name (as file managers sort
    numbers), it comes after the bundle that carried that event and before the next
    one; it was named `…-0-0`, which sorted first and read as an empty or broken bundle.

    Characters other than ASCII letters, digits and "-" become "_" (accents are
    dropped first), so the name is safe on every file system and in email.
    Sequence numbers are integers with 0 <= first_seq <= last_seq (0 <= last_seq
    without first_seq).
    """
    if not (isinstance(first_seq, int | None) and isinstance(last_seq, int)):
        raise TypeError("sequence numbers are integers")
    if not 0 <= (last_seq if first_seq is None else first_seq) <= last_seq:
        raise ValueError(f"bad sequence range {first_seq}-{last_seq}")
    parts = [_safe_name_part(office, 32), _safe_name_part(replica_short, 36)]
    seqs = f"{last_seq}" if first_seq is None else f"{first_seq}-{last_seq}"
    return f"{parts[0]}-{parts[1]}-{seqs}{SUFFIX}"


#: ``bundle_filename``'s names, with the ``_2``, ``_3``… an export adds when its name is
#: taken; headquarters' start ``HQ-to-<recipient>``
_BUNDLE_NAME = re.compile(r"(?P<office>[A-Za-z0-9-]+?)-[0-9a-f]{8}-[0-9]+(?:-[0-9]+)?"
                          r"(?:_[0-9]+)?" + re.escape(SUFFIX))


def office_in_file_name(name: str) -> str:
    """The office a bundle's file name says it comes from, when it is named as
    fieldplan names bundles: "AZ" for ``AZ-3f2a9c1b-41-57.fieldplan``, "HQ" for
    ``HQ-to-AZ-…``; "" for any other name, or an office fieldplan does not know. The
    name only: for a file that could not be read, nothing else says it."""
    from fieldplan.offices import HQ, all_offices

    found = _BUNDLE_NAME.fullmatch(Path(name).name)
    if found is None:
        return ""
    office = found["office"]
    if office.startswith(f"{HQ}-to-"):
        return HQ
    return office if office in all_offices() else ""


def _safe_name_part(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9-]+", "_", ascii_text).strip("_-")[:limit]
    if not safe:
        raise ValueError(f"{text!r} gives an empty file name part")
    return safe


def _event_tail(line: bytes) -> re.Match[bytes] | None:
    """The match of `_EVENT_TAIL_RE` on a line ending like an event, else None.

    The last `,"origin":"` of the line is the event's own: its value cannot hold a
    quote, and only prev and seq may follow it.
    """
    start = line.rfind(_ORIGIN_KEY)
    if start < 0:
        return None
    return _EVENT_TAIL_RE.fullmatch(line, start + len(_ORIGIN_KEY))


# ---------------------------------------------------------------------------- writing


def write_bundle(
    path: str | os.PathLike[str],
    manifest: dict[str, Any],
    events: Iterable[dict[str, Any] | bytes],
    secret: SecretKey,
    *,
    progress: Progress | None = None,
    max_event_line_bytes: int = MAX_EVENT_LINE_BYTES,
    mode: int = 0o666,
    version: int = FORMAT_VERSION,
    fresh: bool = False,
) -> BundleInfo:
    """Write a signed bundle to `path`, streaming `events` (any iterable; it is
    consumed once and never held in memory). An event is a dict, or the bytes of a
    line already in canonical form (as the event log stores it). A `prev` that is the
    hash of the line before is left out (see the module docstring); a line that ends
    like an event but has no `prev` at all is refused, as a reader would misread it.
    Events that fit in one chunk are written without ZIP64 extras. `mode`: the new
    file's permissions (less the umask); 0o600 for a bundle that holds a secret.
    `version`: the format version written, for a reader of an older one (every line
    whole before PREV_LEFT_OUT_SINCE); whether the events fit it is the caller's
    business. `fresh`: `path` is a name the caller chose (files.free_name), and the
    bundle goes under the next free one when another program takes it meanwhile
    (the result's `path` says which).

    `manifest` is copied and completed (see the module docstring); `bundle_id` and
    `created` are kept when given. `progress(done, total, label)` is called every
    few thousand events; `total` is None unless `events` has a length.

    The file is written to a temporary `.<name>.<random>.part` in the same
    directory, fsynced, then renamed over `path`: a reader never sees a partial
    bundle, and on any error the temporary file is removed.
    """
    path = Path(path)
    manifest = dict(manifest)
    bundle_id = manifest.get("bundle_id") or uuid.uuid4().hex
    created = manifest.get("created") or utc_iso()
    _check_bundle_id(bundle_id, BundleError)
    _check_created(created, BundleError)
    if not OLDEST_FORMAT_VERSION <= version <= FORMAT_VERSION:
        raise ValueError(f"bundle format version {version} is not written")
    total = len(events) if isinstance(events, Sized) else None

    from fieldplan.files import atomic_output

    # atomic_output: FileError naming `path` (never the temporary file) on an OSError
    placed: list[Path] = []
    with atomic_output(path, mode=mode, fresh=fresh, placed=placed) as f:
        with zipfile.ZipFile(f, "w") as zf:
            count, size, digest = _write_events(
                zf, events, total, progress, max_event_line_bytes,
                leave_out_prev=version >= PREV_LEFT_OUT_SINCE,
            )
            manifest.update(
                format=FORMAT_NAME,
                version=version,
                app_version=__version__,
                bundle_id=bundle_id,
                created=created,
                event_count=count,
                members={EVENTS: {"sha256": digest, "size": size}},
                public_key=secret.public.to_base64(),
                key_id=secret.key_id_hex,
            )
            manifest_bytes = canonical_json(manifest)
            signature = minisign.sign(
                secret, manifest_bytes, trusted_comment(bundle_id, created)
            )
            zf.writestr(_zip_info(MANIFEST), manifest_bytes)
            zf.writestr(_zip_info(SIGNATURE), signature.encode("ascii"))
        f.flush()
        bundle_size = f.tell()
    return BundleInfo(path=placed[0], bundle_id=bundle_id, event_count=count,
                      size=bundle_size)


def trusted_comment(bundle_id: str, created: str) -> str:
    """The signature's trusted comment: `bundle_id:<id> created:<time>`."""
    return f"bundle_id:{bundle_id} created:{created}"


def _write_events(
    zf: zipfile.ZipFile,
    events: Iterable[dict[str, Any] | bytes],
    total: int | None,
    progress: Progress | None,
    max_line: int,
    *,
    leave_out_prev: bool = True,
) -> tuple[int, int, str]:
    digest = hashlib.sha256()
    count = size = 0
    pending: list[bytes] = []
    pending_bytes = 0
    out = None
    last: tuple[bytes, int, bytes] | None = None  # origin, seq, hash of the line before
    try:
        for event in events:
            count += 1
            try:
                # bytes are an event already in canonical form (as the log stores it)
                line = event if isinstance(event, bytes) else canonical_json(event)
            except (TypeError, ValueError) as e:
                raise BundleError(_("event {seq} cannot be written as JSON: {error}").format(
                    seq=count, error=e)) from None
            if len(line) > max_line:
                raise BundleError(_("event {seq} is {size} for one event").format(
                    seq=count, size=_over(len(line), max_line)))
            tail = _event_tail(line)
            if tail is None:
                last = None
            else:
                if tail["member"] is None:  # the reader would take it for a left-out prev
                    raise BundleError(_("event {seq} has an origin and a seq but no prev")
                                      .format(seq=count))
                origin, seq = tail["origin"], int(tail["seq"])
                stored = line
                if leave_out_prev and last is not None and last == (origin, seq - 1,
                                                                    tail["prev"]):
                    stored = line[: tail.start("member")] + line[tail.end("member"):]
                last = (origin, seq, hashlib.sha256(line).hexdigest().encode("ascii"))
                line = stored
            pending.append(line)
            pending.append(b"\n")
            pending_bytes += len(line) + 1
            if pending_bytes >= CHUNK:
                if out is None:
                    # The size is unknown until the end and may pass 4 GiB: ZIP64.
                    out = zf.open(_zip_info(EVENTS), "w", force_zip64=True)
                block = b"".join(pending)
                digest.update(block)
                out.write(block)
                size += len(block)
                pending.clear()
                pending_bytes = 0
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count, total, _("Writing events"))
        block = b"".join(pending)
        digest.update(block)
        size += len(block)
        if out is None:
            # All of it fitted in one chunk: a plain entry, without ZIP64 extras.
            zf.writestr(_zip_info(EVENTS), block)
        else:
            out.write(block)
    finally:
        if out is not None:
            out.close()
    if progress is not None:
        progress(count, total, _("Writing events"))
    return count, size, digest.hexdigest()


def _zip_info(name: str) -> zipfile.ZipInfo:
    # Fixed time, system and permissions: the same content gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    if hasattr(info, "compress_level"):  # Python 3.13+
        info.compress_level = COMPRESS_LEVEL
    else:
        info._compresslevel = COMPRESS_LEVEL
    return info


# ---------------------------------------------------------------------------- reading


class Bundle:
    """An opened, verified bundle. Close it (or use `with`) when done.

    manifest: the parsed manifest (do not modify); public_key: the signer's key as
    the manifest names it; key_id: its hex key id; bundle_id, created, version,
    event_count: from the manifest; size: the bundle's size in bytes;
    trusted_comment: the signature's trusted comment.
    """

    def __init__(
        self,
        *,
        zf: zipfile.ZipFile,
        fileobj: BinaryIO,
        owns_fileobj: bool,
        manifest: dict[str, Any],
        public_key: PublicKey,
        trusted_comment: str,
        size: int,
        max_event_line_bytes: int,
        events_checked: bool = True,
        max_events_bytes: int = MAX_EVENTS_BYTES,
    ) -> None:
        self._zf = zf
        self._events_checked = events_checked
        self._max_events = max_events_bytes
        #: events.jsonl's bytes as ``check_events`` read and verified them (a member of
        #: at most KEEP_CHECKED_BYTES), which the lines are then read from: not
        #: decompressed and hashed a second time; None: read from the archive
        self._checked_events: list[bytes] | None = None
        self._fileobj = fileobj
        self._owns_fileobj = owns_fileobj
        self._max_line = max_event_line_bytes
        self.manifest = manifest
        self.public_key = public_key
        self.trusted_comment = trusted_comment
        self.size = size
        self.closed = False

    key_id = property(lambda self: self.manifest["key_id"])
    bundle_id = property(lambda self: self.manifest["bundle_id"])
    created = property(lambda self: self.manifest["created"])
    version = property(lambda self: self.manifest["version"])
    event_count = property(lambda self: self.manifest["event_count"])
    events_sha256 = property(lambda self: self.manifest["members"][EVENTS]["sha256"])
    events_size = property(lambda self: self.manifest["members"][EVENTS]["size"])

    def check_events(self, progress: Progress | None = None) -> None:
        """Verify events.jsonl against the manifest (size limit while decompressing,
        SHA-256 and size), if ``open_bundle(check_events=False)`` left it for later:
        the caller first refuses what the manifest alone tells it to refuse, without
        decompressing anything."""
        if not self._events_checked:
            info = self._zf.getinfo(EVENTS)
            keep: list[bytes] | None = [] if self.events_size <= KEEP_CHECKED_BYTES else None
            _check_events(self._zf, info, self.manifest, self._max_events, progress, keep)
            self._events_checked = True
            self._checked_events = keep

    def iter_lines(self) -> Iterator[bytes]:
        """Stream the events as canonical lines (without the "\\n"): events.jsonl's
        lines, with every left-out `prev` put back (see the module docstring).

        Checks the framing: each line non-empty, within the line limit,
        newline-terminated, a line without `prev` following the line before it, and as
        many lines as `event_count`. The bytes are hashed again on the way; if they
        differ from what the manifest says (the file changed since it was checked, or
        was not checked yet), BundleError is raised at the end — apply events in one
        transaction and roll back on any error.
        """
        for line, _digest in self._lines(hashed=False):
            yield line

    def iter_hashed_lines(self) -> Iterator[tuple[bytes, str]]:
        """Like `iter_lines`, with each line's SHA-256 (hex): the event's hash, worked
        out once (restoring the next line's `prev` needs it too)."""
        return self._lines(hashed=True)

    def _lines(self, *, hashed: bool) -> Iterator[tuple[bytes, str]]:
        if self.closed:
            raise ValueError("the bundle is closed")
        restore = self.version >= PREV_LEFT_OUT_SINCE
        digest = hashlib.sha256()
        size = count = seq = 0
        pending = b""
        # The line before, its hash (when worked out already) and, if it ends like an
        # event, `,"origin":"<O>",` and what a next line leaving out prev ends with.
        before, before_hash = b"", ""
        run_key: bytes | None = None
        follow: bytes | None = None
        kept = self._checked_events
        for chunk in kept if kept is not None else _read_member(
                self._zf, self._zf.getinfo(EVENTS), self.events_size):
            if kept is None:  # (the bytes kept are those verified: hashed already)
                digest.update(chunk)
            size += len(chunk)
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                count += 1
                self._check_line(count, line)
                if restore:
                    if follow is not None and line.endswith(follow):
                        # the usual case, checked without parsing: `_event_tail` would
                        # find the same origin, no prev, and seq + 1
                        prev = before_hash or hashlib.sha256(before).hexdigest()
                        line = self._put_back_prev(count, line, len(follow) - len(run_key),
                                                   prev)
                        seq += 1
                    else:
                        tail = _event_tail(line)
                        if tail is None:
                            run_key = None
                        elif tail["member"] is None:
                            raise BundleError(_(
                                "{file} line {line} leaves out prev but does not follow the "
                                "line before it (same origin, previous seq)").format(
                                    file=EVENTS, line=count))
                        else:
                            run_key = _ORIGIN_KEY + tail["origin"] + b'",'
                            seq = int(tail["seq"])
                    follow = (None if run_key is None or seq >= _MAX_SEQ
                              else run_key + b'"seq":%d}' % (seq + 1))
                    before = line
                before_hash = hashlib.sha256(line).hexdigest() if hashed else ""
                yield line, before_hash
            if len(pending) > self._max_line:
                raise BundleError(_line_too_long(count + 1, self._max_line))
        if pending:
            raise BundleError(_("{file} line {line} does not end with a newline").format(
                file=EVENTS, line=count + 1))
        if count != self.event_count:
            raise BundleError(
                counted("{file} has {count} event but the manifest says {expected}",
                        "{file} has {count} events but the manifest says {expected}", count,
                        file=EVENTS, expected=self.event_count))
        if size != self.events_size or (
                kept is None and digest.hexdigest() != self.events_sha256):
            raise BundleError(_("{file} changed after the bundle was verified").format(
                file=EVENTS))

    def _put_back_prev(self, number: int, line: bytes, seq_len: int, prev: str) -> bytes:
        """`line` with `"prev":"<prev>",` put back before its last `seq_len` bytes."""
        at = len(line) - seq_len
        line = line[:at] + b'"prev":"' + prev.encode("ascii") + b'",' + line[at:]
        if len(line) > self._max_line:
            raise BundleError(_line_too_long(number, self._max_line))
        return line

    def _check_line(self, number: int, line: bytes) -> None:
        if number > self.event_count:
            raise BundleError(
                _("{file} has more events than the manifest's event_count ({expected})").format(
                    file=EVENTS, expected=self.event_count))
        if not line:
            raise BundleError(_("{file} line {line} is empty").format(file=EVENTS, line=number))
        if len(line) > self._max_line:
            raise BundleError(_line_too_long(number, self._max_line))

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """Stream the events, one dict per line. Raises BundleError naming the line
        if one is not UTF-8, not canonical JSON, or not an object (and whatever
        `iter_lines` raises)."""
        for number, line in enumerate(self.iter_lines(), 1):
            yield _parse_object(line, _("{file} line {line}").format(file=EVENTS, line=number))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._zf.close()
        if self._owns_fileobj:
            self._fileobj.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.event_count} events"
        return f"<Bundle {self.manifest.get('bundle_id')} {state}>"


def open_bundle(
    source: Source,
    *,
    max_bundle_bytes: int = MAX_BUNDLE_BYTES,
    max_manifest_bytes: int = MAX_MANIFEST_BYTES,
    max_events_bytes: int = MAX_EVENTS_BYTES,
    max_event_line_bytes: int = MAX_EVENT_LINE_BYTES,
    progress: Progress | None = None,
    check_events: bool = True,
) -> Bundle:
    """Open and verify a bundle from a path, bytes, or a binary file object.

    Checks, in order: size; ZIP structure; member set (exactly the three plain
    names, regular files, not encrypted, stored or deflated); manifest (size, UTF-8,
    canonical JSON object, format, version, field types); signature (by the key the
    manifest names, trusted comment naming its bundle id); events.jsonl (size limit
    while decompressing, SHA-256 and size as the manifest says). The first failure
    raises BundleError or SignatureError with a one-line reason, and nothing stays
    open. A file object the caller passed is left open (and is needed until the
    returned Bundle is closed); one that cannot seek is copied to a temporary file.
    `progress(done, total, label)` reports bytes of events.jsonl checked. With
    ``check_events=False`` events.jsonl is checked by `Bundle.check_events` (or, while
    streaming, by `iter_lines`) instead.
    """
    fileobj, owns = _open_source(source, max_bundle_bytes)
    zf = None
    try:
        size = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(0)
        if size == 0:
            raise BundleError(_("empty file, not a fieldplan bundle"))
        if size > max_bundle_bytes:
            raise BundleError(_("bundle is {size}").format(size=_over(size, max_bundle_bytes)))
        name = os.path.basename(os.fspath(source)) if isinstance(source, str | os.PathLike) else ""
        zf = _open_zip(fileobj, size, name)
        infos = _check_members(zf)
        manifest_bytes = _read_capped(zf, infos[MANIFEST], max_manifest_bytes)
        manifest = _parse_json_object(manifest_bytes, MANIFEST)
        _check_format(manifest)  # before anything a newer version may have changed
        _check_canonical(manifest, manifest_bytes, MANIFEST)
        public_key = _check_manifest(manifest, max_events_bytes)
        signature = _read_capped(zf, infos[SIGNATURE], MAX_SIGNATURE_BYTES)
        comment = _check_signature(manifest, manifest_bytes, signature, public_key)
        if check_events:
            _check_events(zf, infos[EVENTS], manifest, max_events_bytes, progress)
        return Bundle(
            zf=zf,
            fileobj=fileobj,
            owns_fileobj=owns,
            manifest=manifest,
            public_key=public_key,
            trusted_comment=comment,
            size=size,
            max_event_line_bytes=max_event_line_bytes,
            events_checked=check_events,
            max_events_bytes=max_events_bytes,
        )
    except BaseException:
        if zf is not None:
            zf.close()
        if owns:
            fileobj.close()
        raise


def _open_source(source: Source, max_bundle_bytes: int) -> tuple[BinaryIO, bool]:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str | os.PathLike):
        try:
            return open(source, "rb"), True
        except OSError as e:
            from fieldplan.files import os_error_reason

            raise BundleError(_("cannot open {file}: {error}").format(
                file=ltr(os.fspath(source)), error=os_error_reason(e))) from None
    if not hasattr(source, "read"):
        raise TypeError(f"cannot read a bundle from {type(source).__name__}")
    if source.seekable():
        return source, False
    # A stream (socket, pipe): copy it, refusing to copy more than the limit.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * MiB)  # noqa: SIM115 (returned)
    try:
        copied = 0
        while chunk := source.read(CHUNK):
            copied += len(chunk)
            if copied > max_bundle_bytes:
                raise BundleError(_("bundle is larger than the {limit} limit").format(
                    limit=_size(max_bundle_bytes)))
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return spool, True  # type: ignore[return-value]


def _open_zip(fileobj: BinaryIO, size: int, name: str = "") -> zipfile.ZipFile:
    """The ZIP archive of a bundle ``size`` bytes long (``name``: its file's, if known),
    refused with what it is when it is none (a plan file, an email: transit.what_else),
    or with how it was changed on its way (transit.layout_problem)."""
    head = fileobj.read(4)
    fileobj.seek(0)
    if not head.startswith(b"PK"):
        start = fileobj.read(transit.SNIFF_BYTES)
        fileobj.seek(0)
        if _looks_like_plan(start[:SNIFF_BYTES]):
            raise BundleError(_("a plan file, not a fieldplan bundle: headquarters installs "
                                "plan files, and offices receive the plan in headquarters' "
                                "bundles"))
        # (an Outlook message, or an email whose attachment was not put in base64,
        # holds its attachment's bytes as they were, after its own: it is named as one,
        # with what to do in the command's words)
        added = (0 if transit.is_saved_message(start)
                 else transit.added_before(fileobj, size, MEMBERS))
        if added:
            raise BundleError(transit.added_before_text(added))
        raise (transit.what_else(start, name)
               or BundleError(_("not a fieldplan bundle (not a ZIP archive)")))
    problem = transit.layout_problem(fileobj, size)
    # Bytes added before the bundle may begin with "PK" too (a ZIP reader would find the
    # archive after them, and take it): refused as the others are. A bundle as written
    # begins with its first member's header, and, when whole, its central directory
    # ends where its end record begins; its line ends changed, it is said as such.
    if head != b"PK\x03\x04" or not problem:
        added = transit.added_before(fileobj, size, MEMBERS)
        if added:
            raise BundleError(transit.added_before_text(added))
    if problem:
        raise BundleError(problem)
    if transit.directory_size(fileobj, size) > MAX_DIRECTORY_BYTES:
        # Python's ZIP reader makes an object of every entry (some 400 bytes each, of
        # 46 bytes in the file) before any is looked at: a hostile 512 MiB of entries
        # took gigabytes of memory and minutes
        raise BundleError(_("not a fieldplan bundle (a ZIP archive of other files)"))
    try:
        return zipfile.ZipFile(fileobj)
    except _ZIP_ERRORS as e:
        _check_readable(e)
        raise BundleError(join_clauses([_("truncated or damaged ZIP archive ({error})").format(
            error=_reason(e)), _(RESEND)])) from None


#: How much of a file that is no ZIP archive is read to tell what it is (``_looks_like_plan``)
SNIFF_BYTES = 4096
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
#: how each format of ``fieldplan plan export`` begins: a CSV's header, JSON's "plan"
#: object, TOML's [plan] table (after its comments)
_PLAN_STARTS = (re.compile(r"plan_id\s*[,;\t]"), re.compile(r'\s*\{\s*"plan"\s*:'),
                re.compile(r"(?m)^[ \t]*\[plan\][ \t]*(#.*)?$"))


def _looks_like_plan(start: bytes) -> bool:
    """Whether ``start``, the first bytes of a file that is no ZIP archive, begins a plan
    file as ``fieldplan plan export`` writes one (TOML, JSON or CSV; UTF-8, or UTF-16 or
    UTF-32 with a byte-order mark, as ``fieldplan.plan.load_plan`` reads them): picked
    or dropped for a bundle, it is named as what it is."""
    codec = next((c for bom, c in _BOMS if start.startswith(bom)), "utf-8")
    text = start.decode(codec, errors="ignore").lstrip("\ufeff")
    return any(p.match(text) if i < 2 else p.search(text)
               for i, p in enumerate(_PLAN_STARTS))


def _other_archive(names: list[str]) -> BundleError:
    """Why a ZIP archive holding none of a bundle's members is refused: what it is, as
    far as its members' names tell (a workbook, people's own files)."""
    if "[Content_Types].xml" in names:
        return BundleError(_("not a fieldplan bundle (an Office document, such as an .xlsx "
                             "workbook)"))
    if "mimetype" in names and "META-INF/manifest.xml" in names:
        return BundleError(_("not a fieldplan bundle (an OpenDocument file, such as an .ods "
                             "spreadsheet)"))
    # a mail program's ZIP of a ZIP (an attachment forwarded twice): only named, as
    # _wrapped_bundles names a bundle, never opened
    zips = [n for n in names if n.lower().endswith(".zip") and not n.startswith("__MACOSX/")
            and not n.replace("\\", "/").rpartition("/")[2].startswith("._")]
    if zips:
        # what to do with the bundles got is the command's (import, init --from…)
        return transit.InPlaceError(ngettext(
            "not a fieldplan bundle (a ZIP archive holding the ZIP archive {names})",
            "not a fieldplan bundle (a ZIP archive holding the ZIP archives {names})",
            len(zips)).format(names=join_list([*(for_message(n) for n in zips[:3]),
                                               *(["…"] if len(zips) > 3 else [])])),
            ngettext("extract it, and the bundle from the ZIP archive it holds",
                     "extract them, and the bundles from the ZIP archives they hold",
                     len(zips)), len(zips))
    return BundleError(_("not a fieldplan bundle (a ZIP archive of other files)"))


#: What to do about a bundle damaged on its way (cut short, changed by a mail program
#: or a copy), after the part that is damaged
RESEND = transit.RESEND


def _wrapped_bundles(infos: list[zipfile.ZipInfo]) -> list[str]:
    """The ``.fieldplan`` files in a ZIP made around bundles (a mail program zips an
    attachment, maybe in a folder), as stored; [] for an archive holding a bundle's own
    members. Only named, never opened: unpacking a stranger's outer ZIP would be one
    more parser to attack."""
    names = [info.filename for info in infos]
    if any(name in MEMBERS for name in names):
        return []
    # macOS adds "__MACOSX/._NAME" copies of each file's attributes: not bundles
    return [name for name in names
            if name.lower().endswith(SUFFIX) and not name.endswith("/")
            and not name.startswith("__MACOSX/")
            and not name.replace("\\", "/").rpartition("/")[2].startswith("._")]


def _check_members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    wrapped = _wrapped_bundles(infos)
    if wrapped:
        # what to do with the files extracted is the command's (import, init --from…)
        raise transit.InPlaceError(counted(
            "this ZIP holds the bundle {names}", "this ZIP holds {count} bundles ({names})",
            len(wrapped), names=join_list([*(for_message(n) for n in wrapped[:3]),
                                                  *(["…"] if len(wrapped) > 3 else [])])),
            ngettext("extract it", "extract them", len(wrapped)), len(wrapped))
    names = [info.filename for info in infos]
    # none of a bundle's members, not even in a folder (a hostile name, said below): a
    # workbook, a ZIP of photos. Their first name ("_rels/.rels") said nothing of that
    if names and not any(n.replace("\\", "/").rpartition("/")[2] in MEMBERS for n in names):
        raise _other_archive(names)
    for info in infos:
        for name in {info.orig_filename, info.filename}:
            if (
                not name
                or "/" in name
                or "\\" in name
                or "\0" in name
                or ".." in name
                or re.match(r"[A-Za-z]:", name)
            ):
                raise BundleError(
                    _("bad member name {name}: a bundle holds only plain file names").format(
                        name=repr(name)))
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise BundleError(_("member {name} is a symbolic link").format(
                name=repr(info.filename)))
        if kind == stat.S_IFDIR or info.external_attr & 0x10:
            raise BundleError(_("member {name} is a directory").format(name=repr(info.filename)))
        if kind not in (0, stat.S_IFREG):
            raise BundleError(_("member {name} is not a regular file").format(
                name=repr(info.filename)))
    names = [info.filename for info in infos]
    counts = Counter(names)  # (names.count for each name took minutes over 40,000)
    for name in names:
        if counts[name] > 1:
            raise BundleError(_("member {name} appears more than once").format(name=repr(name)))
    for name in names:
        if name not in MEMBERS:
            raise BundleError(_("unexpected member {name} (expected {members})").format(
                name=repr(name), members=join_list(MEMBERS)))
    for name in MEMBERS:
        if name not in names:
            raise BundleError(_("missing member {name}").format(name=name))
    for info in infos:
        if info.flag_bits & 0x1:
            raise BundleError(_("member {name} is encrypted").format(name=ltr(info.filename)))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleError(_(
                "member {name} uses compression method {method}; only stored and deflated "
                "are allowed").format(name=ltr(info.filename), method=info.compress_type))
    return {info.filename: info for info in infos}


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """Yield a member's decompressed bytes in chunks; BundleError past `cap` bytes
    (whatever the ZIP headers claim) or if the member is damaged."""
    done = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(CHUNK):
                done += len(chunk)
                if done > cap:
                    raise BundleError(
                        _("{name} decompresses to more than {limit}, larger than allowed")
                        .format(name=ltr(info.filename), limit=_size(cap)))
                yield chunk
    except _ZIP_ERRORS as e:
        _check_readable(e)
        if ((isinstance(e, zipfile.BadZipFile) and "CRC" not in str(e))
                or isinstance(e, UnicodeDecodeError) or info.header_offset < 0):
            # the member is not where the archive's table of contents says (bytes added
            # or removed on the way, as by a copy that changed line ends): the
            # archive's fault, whichever member happened to be read first. (Bytes lost
            # before the table put the first member before the file's start: Python's
            # seek there says "Invalid argument" or "negative seek value". A name in
            # the header there flagged UTF-8 that is not: "'utf-8' codec can't decode")
            raise BundleError(join_clauses([
                _("damaged ZIP archive (its files are not where its table of contents says)"),
                _(RESEND)])) from None
        raise BundleError(join_clauses([_("{name} is damaged ({error})").format(
            name=ltr(info.filename), error=_reason(e)), _(RESEND)])) from None


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    return b"".join(_read_member(zf, info, cap))


def _parse_object(data: bytes, what: str) -> dict[str, Any]:
    obj = _parse_json_object(data, what)
    _check_canonical(obj, data, what)
    return obj


def _parse_json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(_("{what} is not valid UTF-8").format(what=what)) from None
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise BundleError(_("{what} is not valid JSON ({error})").format(
            what=what, error=json_error_reason(e))) from None
    if not isinstance(obj, dict):
        raise BundleError(_("{what} is not a JSON object").format(what=what))
    return obj


def _check_canonical(obj: dict[str, Any], data: bytes, what: str) -> None:
    # Canonical bytes leave no room for parsers to disagree (repeated keys, NaN...)
    # and make every event hash the same on every machine.
    try:
        canonical = canonical_json(obj)
    except (ValueError, RecursionError) as e:
        raise BundleError(_("{what} is not valid JSON ({error})").format(
            what=what, error=json_error_reason(e))) from None
    if canonical != data:
        raise BundleError(
            _("{what} is not canonical JSON (keys unsorted or repeated, or extra spaces)")
            .format(what=what))


def _reject_constant(name: str) -> None:
    raise ValueError(_("{name} is not allowed").format(name=name))


def _check_format(manifest: dict[str, Any]) -> None:
    fmt = manifest.get("format")
    if fmt != FORMAT_NAME:
        raise BundleError(_("not a fieldplan bundle (manifest format is {format})").format(
            format=for_message(repr(fmt))))
    version = manifest.get("version")
    if not _is_int(version) or version < 1:
        raise BundleError(_("bad bundle format version {version}").format(
            version=for_message(repr(version))))
    if version > FORMAT_VERSION:
        raise BundleError(_(
            "bundle format version {version} is newer than this fieldplan understands "
            "({known}); update fieldplan").format(version=version, known=FORMAT_VERSION))


def _check_manifest(manifest: dict[str, Any], max_events_bytes: int) -> PublicKey:
    for name, kind in (
        ("bundle_id", str),
        ("created", str),
        ("event_count", int),
        ("members", dict),
        ("public_key", str),
        ("key_id", str),
    ):
        if name not in manifest:
            raise BundleError(_("manifest has no {field}").format(field=name))
        value = manifest[name]
        if not isinstance(value, kind) or (kind is int and not _is_int(value)):
            raise BundleError(_("manifest {field} is not {kind}").format(
                field=name, kind=_(_TYPE_NAMES[kind])))
    _check_bundle_id(manifest["bundle_id"], BundleError)
    _check_created(manifest["created"], BundleError)
    if manifest["event_count"] < 0:
        raise BundleError(_("manifest event_count is negative"))
    members = manifest["members"]
    entry = members.get(EVENTS)
    if set(members) != {EVENTS} or not isinstance(entry, dict):
        raise BundleError(_("manifest members must list exactly {file}").format(file=EVENTS))
    if not isinstance(entry.get("sha256"), str) or not SHA256_RE.fullmatch(entry["sha256"]):
        raise BundleError(_("manifest has no valid sha256 for {file}").format(file=EVENTS))
    if not _is_int(entry.get("size")) or entry["size"] < 0:
        raise BundleError(_("manifest has no valid size for {file}").format(file=EVENTS))
    if entry["size"] > max_events_bytes:
        raise BundleError(_("{file} is {size}").format(
            file=EVENTS, size=_over(entry["size"], max_events_bytes)))
    if manifest["event_count"] > entry["size"] // 2:
        # each event is a line of a byte at least and its newline. (A count past what
        # SQLite holds stopped the import of a bundle refused for its key or plan: its
        # inbox line could not be written)
        raise BundleError(_("manifest event_count {count} is more events than {file} of "
                            "{size} can hold").format(count=format_number(manifest["event_count"]),
                                                      file=EVENTS,
                                                      size=_size(entry["size"])))
    try:
        public_key = PublicKey.from_base64(manifest["public_key"])
    except SignatureError:
        raise BundleError(_("manifest public_key is not a minisign public key")) from None
    if not public_key.has_derived_key_id:
        raise BundleError(_("manifest public_key carries a key id not derived from the key"))
    if manifest["key_id"] != public_key.key_id_hex:
        raise BundleError(
            _("manifest key_id {key_id} does not match its public key ({derived})").format(
                key_id=manifest["key_id"], derived=public_key.key_id_hex))
    return public_key


def _check_signature(
    manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes, public_key: PublicKey
) -> str:
    try:
        text = signature.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureError(_("{file} is not a minisign signature file").format(
            file=SIGNATURE)) from None
    comment = minisign.verify(public_key, manifest_bytes, text)
    fields = dict(part.partition(":")[::2] for part in comment.split(" "))
    if fields.get("bundle_id") != manifest["bundle_id"]:
        raise SignatureError(
            _("the signature's trusted comment names bundle {named}, not {bundle}").format(
                named=for_message(repr(fields.get("bundle_id"))),
                bundle=repr(manifest["bundle_id"])))
    if fields.get("created") != manifest["created"]:
        raise SignatureError(
            _("the signature's trusted comment says created {said}, not {created}").format(
                said=for_message(repr(fields.get("created"))), created=repr(manifest["created"])))
    return comment


def _check_events(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    manifest: dict[str, Any],
    max_events_bytes: int,
    progress: Progress | None,
    keep: list[bytes] | None = None,
) -> None:
    """Verify events.jsonl against the manifest; ``keep``: a list its chunks are added
    to as they are read (the caller's, once this returns: the verified bytes)."""
    entry = manifest["members"][EVENTS]
    digest = hashlib.sha256()
    size = 0
    for chunk in _read_member(zf, info, max_events_bytes):
        digest.update(chunk)
        size += len(chunk)
        if keep is not None:
            keep.append(chunk)
        if size > entry["size"]:
            break  # longer than the manifest says: no need to read the rest
        if progress is not None:
            progress(size, entry["size"], _("Checking events"))
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise BundleError(_(
            "{file} does not match the manifest (SHA-256 or size differs): the bundle was "
            "changed or damaged").format(file=EVENTS))


def _check_bundle_id(value: object, error: type[Exception]) -> None:
    if not isinstance(value, str) or not BUNDLE_ID_RE.fullmatch(value):
        raise error(_("bad bundle id {value} (letters, digits, '.', '_', '-' only)").format(
            value=for_message(repr(value))))


def _check_created(value: object, error: type[Exception]) -> None:
    ok = isinstance(value, str) and CREATED_RE.fullmatch(value)
    if ok:
        try:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            ok = False
    if not ok:
        raise error(_("bad created time {value} (expected UTC like 2026-03-12T09:30:00Z)")
                    .format(value=for_message(repr(value))))


_TYPE_NAMES = {str: N_("a string"), int: N_("an integer"), dict: N_("an object")}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _size(n: int) -> str:
    from fieldplan.i18n import format_number

    def one_decimal(x: float) -> str:
        rounded = round(x, 1)
        return format_number(int(rounded) if rounded.is_integer() else rounded)

    if n >= MiB:
        return _("{size} MiB").format(size=one_decimal(n / MiB))
    if n >= 1024:
        return _("{size} KiB").format(size=one_decimal(n / 1024))
    return _bytes(n)


def _bytes(n: int) -> str:
    return counted("{count} byte", "{count} bytes", n)


def _over(n: int, limit: int) -> str:
    """ "5.2 MiB, larger than the 4 MiB limit", in bytes when rounding hides the gap."""
    size, cap = _size(n), _size(limit)
    if size == cap:
        size, cap = _bytes(n), _bytes(limit)
    return _("{size}, larger than the {limit} limit").format(size=size, limit=cap)


def _line_too_long(line: int, limit: int) -> str:
    return _("{file} line {line} is longer than the {limit} limit for one event").format(
        file=EVENTS, line=line, limit=_size(limit))


def _reason(e: BaseException) -> str:
    """Why zipfile or zlib refused an archive or a member, in the reader's language
    for the usual cases (their own texts are English)."""
    if isinstance(e, zipfile.BadZipFile):
        if "CRC" in str(e):
            return _("its checksum does not match its content")
        return _("its table of contents is missing or damaged")
    if isinstance(e, UnicodeDecodeError):
        # a member's name flagged UTF-8 that is not ("'utf-8' codec can't decode byte
        # 0xff in position 0"): the table of contents is damaged
        return _("its table of contents is missing or damaged")
    if isinstance(e, zlib.error):
        return _("its compressed data is damaged")
    if isinstance(e, EOFError | struct.error):
        return _("it ends too soon")
    if isinstance(e, NotImplementedError):
        # what Python's ZIP reader cannot read (a ZIP version past 6.3, strong
        # encryption, patched data), said in its own English words: "zip file version
        # 25.5", "strong encryption (flag bit 6)". No fieldplan writes such a member
        return _("it uses ZIP features fieldplan cannot read")
    return error_line(e)
