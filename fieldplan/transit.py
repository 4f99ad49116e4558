"""What happens to a bundle on its way, and what else arrives in its place.

A bundle travels by email and USB stick. On the way it may be changed (a text-mode
transfer turns its line ends into Windows ones, a mail program pads it, an attachment
limit cuts it short). It is then refused, never repaired (only the bytes the sender
signed are merged), but the reason says what happened, with what to do:
``bundle.open_bundle`` asks ``layout_problem`` of every ZIP archive.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import BinaryIO

from fieldplan.i18n import N_, _, join_clauses, ngettext

#: The end of central directory record: signature, then the fields of EOCD_FORMAT
EOCD_SIGNATURE = b"PK\x05\x06"
EOCD_FORMAT = "<4s4H2LH"
EOCD_SIZE = struct.calcsize(EOCD_FORMAT)  # 22
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_LOCATOR_FORMAT = "<4sLQL"
ZIP64_LOCATOR_SIZE = struct.calcsize(ZIP64_LOCATOR_FORMAT)  # 20
ZIP64_EOCD_FORMAT = "<4sQ2H2L4Q"
ZIP64_EOCD_SIZE = struct.calcsize(ZIP64_EOCD_FORMAT)  # 56
#: How far from its end a ZIP's end record may be (a comment of at most 65535 bytes)
EOCD_SEARCH = 65535 + EOCD_SIZE
#: The largest file read whole to tell whether its line ends were changed
CRLF_CHECK_BYTES = 64 * 1024 * 1024
#: The most it unpacks (as its members' headers say) to check their checksums
CRLF_CHECK_UNPACKED = 256 * 1024 * 1024

#: What to do about a bundle damaged on its way, after what the damage is
RESEND = N_("ask the sender to send it again")


def _end_record(data: bytes, size: int) -> tuple[int, int] | None:
    """(where the central directory ends as the end record says, where the end record
    (or its ZIP64 one) begins) of ``data``, the last bytes of a file of ``size`` bytes;
    None when there is no end record in them."""
    at = data.rfind(EOCD_SIGNATURE)
    if at < 0 or len(data) - at < EOCD_SIZE:
        return None
    fields = struct.unpack(EOCD_FORMAT, data[at:at + EOCD_SIZE])
    cd_size, cd_offset = fields[5], fields[6]
    begins = size - len(data) + at
    locator = at - ZIP64_LOCATOR_SIZE
    if locator >= 0 and data[locator:locator + 4] == ZIP64_LOCATOR_SIGNATURE:
        zip64_at = struct.unpack(ZIP64_LOCATOR_FORMAT, data[locator:at])[2]
        rel = zip64_at - (size - len(data))
        if 0 <= rel <= len(data) - ZIP64_EOCD_SIZE:
            z = struct.unpack(ZIP64_EOCD_FORMAT, data[rel:rel + ZIP64_EOCD_SIZE])
            return z[8] + z[9], zip64_at
    return cd_offset + cd_size, begins


def _whole_zip(data: bytes) -> bool:
    """Whether ``data`` is a ZIP archive whose end record ends the file, whose central
    directory ends where that record begins, and whose every member's checksum
    matches its content."""
    found = _end_record(data[-EOCD_SEARCH:], len(data))
    if (found is None or not data.endswith(b"\0\0")  # no comment after the record
            or data.rfind(EOCD_SIGNATURE) != len(data) - EOCD_SIZE or found[0] != found[1]):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            # zipfile reads no member past the size its header says: the check is bounded
            if sum(info.file_size for info in zf.infolist()) > CRLF_CHECK_UNPACKED:
                return False
            return zf.testzip() is None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
            NotImplementedError):
        return False


def layout_problem(fileobj: BinaryIO, size: int) -> str:
    """Why a ZIP archive of ``size`` bytes cannot be a bundle as its sender wrote it,
    as far as its layout tells: bytes added after its end (a mail program's padding,
    a ZIP comment), its line ends changed (a transfer in text mode); "" when it is
    laid out as ``write_bundle`` lays out every bundle (its end record last, no
    comment, the central directory just before it), or when the damage is of another
    kind (the ZIP reader's messages say it). Leaves ``fileobj`` at its start."""
    tail = min(size, EOCD_SEARCH)
    fileobj.seek(size - tail)
    data = fileobj.read(tail)
    fileobj.seek(0)
    found = _end_record(data, size)
    if found is None:
        return _crlf_problem(fileobj, size) or join_clauses([
            _("the bundle is cut short: its end never arrived (an attachment size limit, "
              "or a USB stick removed while it was copied)"), _(RESEND)])
    cd_end, begins = found
    record_end = size - tail + data.rfind(EOCD_SIGNATURE) + EOCD_SIZE
    if cd_end == begins and record_end == size:
        return ""
    crlf = _crlf_problem(fileobj, size)
    if crlf:
        return crlf
    if cd_end == begins and record_end < size:
        added = size - record_end
        return join_clauses([ngettext(
            "{count} byte was added after the end of the bundle on its way (as some mail "
            "programs and copies do)",
            "{count} bytes were added after the end of the bundle on its way (as some mail "
            "programs and copies do)", added).format(count=added), _(RESEND)])
    return ""


def _crlf_problem(fileobj: BinaryIO, size: int) -> str:
    """The reason for a bundle whose every line end "\\n" became "\\r\\n" on the way
    (FTP's ASCII mode, a copy in text mode), told by undoing that in memory and
    finding the archive whole again; "" otherwise."""
    if size > CRLF_CHECK_BYTES:
        return ""
    data = fileobj.read()
    fileobj.seek(0)
    if b"\r\n" not in data or not _whole_zip(data.replace(b"\r\n", b"\n")):
        return ""
    return join_clauses([
        _("damaged on its way: its line ends were changed to Windows ones (CR LF), as a "
          "transfer in text mode does"),
        _("ask the sender to send it again as a binary file, not as text")])
