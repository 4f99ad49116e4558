"""What happens to a bundle on its way, and what else arrives in its place.

A bundle travels by email and USB stick. On the way it may be changed (a text-mode
transfer turns its line ends into Windows ones, an attachment limit cuts it short),
and in its place may come another file: the email itself saved as ``.eml`` or
``.msg``, the attachment's base64 text, the web page a webmail showed instead of the
download, macOS's ``._NAME`` companion file. Each is refused, never repaired (only the
bytes the sender signed are merged), but named as what it is, with what to do:
``bundle.open_bundle`` asks ``layout_problem`` of every ZIP archive and ``what_else``
of every file that is not one. (Bytes a transfer pads the file with, after the ZIP's
end, change nothing signed: the bundle is taken.)
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import os
import re
import struct
import zipfile
from typing import BinaryIO

from fieldplan.errors import BundleError
from fieldplan.i18n import N_, _, counted, join_clauses, join_list, ngettext

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
#: How much of a file that is no ZIP archive is read to tell what it is
SNIFF_BYTES = 256 * 1024

#: What to do about a bundle damaged on its way, after what the damage is
RESEND = N_("ask the sender to send it again")
#: The files inside a bundle (``bundle.MEMBERS``), as a bundle unpacked leaves them
UNPACKED_MEMBERS = ("manifest.json", "events.jsonl", "manifest.json.minisig")
#: Where the bundle is, after what the files of one unpacked as a ZIP archive are
#: (whatever they were given to: import, verify, init --from)
THE_BUNDLE_IS = N_("the bundle is the .fieldplan file itself, as it arrived")


def unpacked_bundle(folder: str) -> bool:
    """Whether ``folder`` holds the files of a bundle unpacked as a ZIP archive (a
    ``….fieldplan.zip`` opened by Windows as a folder and extracted)."""
    import os

    return all(os.path.isfile(os.path.join(folder, member))
               for member in UNPACKED_MEMBERS[:2])

#: What a person does with the file they are told to get in place of one that is no
#: bundle (an email's attachment): import it (the CLI's ``import``, the client's
#: import), check it (``verify``), set this computer up from it (``init --from``, the
#: client's first screen; ``INIT``: in the command line's own words)
IMPORT, VERIFY, SET_UP, INIT = "import", "verify", "set up", "init"


class SaidForUseError(BundleError):
    """A refusal whose message ends with what is done with the file given (``use``:
    IMPORT, VERIFY, SET_UP or INIT); ``said_for`` says it for another use, ``for_use``
    is the same error said for another use."""

    def said_for(self, use: str) -> str:
        """The message, said for ``use``."""
        raise NotImplementedError

    def for_use(self, use: str) -> SaidForUseError:
        """The same error, said for ``use``."""
        raise NotImplementedError


class NothingInItError(SaidForUseError):
    """A file a system writes beside the files it shows (macOS's .DS_Store, Windows'
    Thumbs.db): nothing in it to use, in the words of what it was given to. ``what``:
    what the file is."""

    def __init__(self, what: str, use: str = IMPORT) -> None:
        self.what, self.use = what, use
        super().__init__(self.said_for(use))

    def said_for(self, use: str) -> str:
        """The message, ending with there being nothing in it for ``use``."""
        if use == VERIFY:
            # Translators: {what} is what the file is ("not a fieldplan bundle (a file
            # of Windows' own that keeps a folder's thumbnails)")
            text = _("{what}: nothing to verify")
        elif use in (SET_UP, INIT):
            # Translators: {what} is what the file is, as above
            text = _("{what}: nothing to set this computer up from")
        else:
            # Translators: {what} is what the file is, as above
            text = _("{what}: nothing to import")
        return text.format(what=self.what)

    def for_use(self, use: str) -> NothingInItError:
        """The same error, said for ``use``."""
        return NothingInItError(self.what, use)


class InPlaceError(SaidForUseError):
    """A file that came in a bundle's place and says which file to get instead (an
    email's attachment to save). ``what``: what the file is; ``step``: how to get the
    file meant; ``count``: how many files that step gives. Its message ends with
    importing that file; ``said_for`` says it for another use of the file."""

    def __init__(self, what: str, step: str, count: int = 1, use: str = IMPORT) -> None:
        self.what, self.step, self.count, self.use = what, step, count, use
        super().__init__(self.said_for(use))

    def said_for(self, use: str) -> str:
        """The message, ending with what is done with the file got (``use``: IMPORT,
        VERIFY, SET_UP or INIT)."""
        if use == VERIFY:
            # Translators: {step} is how to get the right file ("open it in the mail
            # program and save its attachment ML.fieldplan")
            then = ngettext("{step}, then verify that file", "{step}, then verify those files",
                            self.count)
        elif use == SET_UP:
            # Translators: {step} is how to get the right file, as above
            then = ngettext("{step}, then set this computer up from that file",
                            "{step}, then set this computer up from the setup bundle "
                            "among those files", self.count)
        elif use == INIT:
            # Translators: {step} is how to get the right file, as above; "init --from"
            # is a command and its option, as typed
            then = ngettext("{step}, then run init --from with that file",
                            "{step}, then run init --from with the setup bundle among "
                            "those files", self.count)
        else:
            # Translators: {step} is how to get the right file, as above
            then = ngettext("{step}, then import that file", "{step}, then import those "
                            "files", self.count)
        return join_clauses([self.what, then.format(step=self.step)])

    def for_use(self, use: str) -> InPlaceError:
        """The same error, said for ``use``."""
        return InPlaceError(self.what, self.step, self.count, use)


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


def directory_size(fileobj: BinaryIO, size: int) -> int:
    """How many bytes of a ZIP archive of ``size`` bytes a ZIP reader parses as its
    central directory, as its end record says (its ZIP64 record's, whether found by
    the locator or, as Python's reader does, just before it: the larger); 0 when it
    has no end record in its last EOCD_SEARCH bytes. Leaves ``fileobj`` at its
    start."""
    tail = min(size, EOCD_SEARCH)
    fileobj.seek(size - tail)
    data = fileobj.read(tail)
    fileobj.seek(0)
    at = data.rfind(EOCD_SIGNATURE)
    if at < 0 or len(data) - at < EOCD_SIZE:
        return 0
    sizes = [struct.unpack(EOCD_FORMAT, data[at:at + EOCD_SIZE])[5]]
    locator = at - ZIP64_LOCATOR_SIZE
    if locator >= 0 and data[locator:locator + 4] == ZIP64_LOCATOR_SIGNATURE:
        pointed = struct.unpack(ZIP64_LOCATOR_FORMAT, data[locator:at])[2] - (size - len(data))
        for rel in {pointed, locator - ZIP64_EOCD_SIZE}:
            if 0 <= rel <= len(data) - ZIP64_EOCD_SIZE:
                sizes.append(struct.unpack(ZIP64_EOCD_FORMAT, data[rel:rel + ZIP64_EOCD_SIZE])[8])
    return max(sizes)


def _whole_zip(data: bytes, unpacked: int = CRLF_CHECK_UNPACKED) -> bool:
    """Whether ``data`` is a ZIP archive whose end record ends the file, whose central
    directory ends where that record begins, and whose every member's checksum
    matches its content (its members, as their headers say, unpacking to at most
    ``unpacked`` bytes)."""
    found = _end_record(data[-EOCD_SEARCH:], len(data))
    if (found is None or not data.endswith(b"\0\0")  # no comment after the record
            or data.rfind(EOCD_SIGNATURE) != len(data) - EOCD_SIZE or found[0] != found[1]):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            # zipfile reads no member past the size its header says, and unpacks a
            # deflated one a read at a time: the check is bounded. Not a bzip2 or LZMA
            # one, whose data read it unpacks whole, whatever size its header claims (a
            # few kilobytes of bzip2 unpack to gigabytes): no bundle uses them
            # (bundle._check_members refuses them), so such an archive is none
            if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                   for info in infos):
                return False
            if sum(info.file_size for info in infos) > unpacked:
                return False
            return zf.testzip() is None
    except Exception:
        # any failure to read it means "not whole": a hostile member (flagged encrypted:
        # RuntimeError; LZMA: LZMAError) must be refused with a reason, not a traceback
        return False


def layout_problem(fileobj: BinaryIO, size: int) -> str:
    """Why a ZIP archive of ``size`` bytes cannot be a bundle as its sender wrote it,
    as far as its layout tells: cut short (no end record), its line ends changed (a
    transfer in text mode); "" when its central directory ends where its end record
    begins (as ``write_bundle`` lays out every bundle), or when the damage is of
    another kind (the ZIP reader's messages say it). Bytes after the end record (a
    mail program's or a transfer's padding, a ZIP comment) are no damage: nothing
    reads them, and the signed manifest covers every member's bytes (a bundle that
    came with them was merged, and is, rather than sent again over a slow line).
    Leaves ``fileobj`` at its start."""
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
    if cd_end == begins:
        return ""
    return _crlf_problem(fileobj, size)


def _crlf_problem(fileobj: BinaryIO, size: int) -> str:
    """The reason for a bundle whose every line end "\\n" became "\\r\\n" on the way
    (FTP's ASCII mode, a copy in text mode), told by undoing that in memory and
    finding the archive whole again; "" otherwise."""
    if size > CRLF_CHECK_BYTES:
        return ""
    data = fileobj.read()
    fileobj.seek(0)
    if b"\r\n" not in data:
        return ""
    if not (_whole_zip(data.replace(b"\r\n", b"\n")) or _no_lone_line_end(data)
            or _few_line_ends_converted(data)):
        return ""
    return join_clauses([
        _("damaged on its way: its line ends were changed to Windows ones (CR LF), as a "
          "transfer in text mode does"),
        _("ask the sender to send it again as a binary file, not as text")])


def added_before(fileobj: BinaryIO, size: int, members: tuple[str, ...]) -> int:
    """How many bytes were added before a ZIP archive that starts later in a file of
    ``size`` bytes (a mail gateway's header, a program's text written before it); 0
    when none is found. Found by its end record, whose offsets all fall short by as
    many bytes as came before a local header there, or else by a local header of one
    of a bundle's ``members`` in the file's first SNIFF_BYTES (the end cut off too).
    Such a file is refused, never read from the later start: only the bytes the
    sender signed are merged, and what was written into the file is not known.
    Leaves ``fileobj`` at its start."""
    tail = min(size, EOCD_SEARCH)
    fileobj.seek(size - tail)
    found = _end_record(fileobj.read(tail), size)
    try:
        if found is not None and 0 < found[1] - found[0] < size:
            shift = found[1] - found[0]
            fileobj.seek(shift)
            if fileobj.read(4) == b"PK\x03\x04":
                return shift
        fileobj.seek(0)
        start = fileobj.read(SNIFF_BYTES)
        names = tuple(m.encode() for m in members)
        at = start.find(b"PK\x03\x04")
        while at > 0:
            header = start[at:at + 30]
            if len(header) == 30:
                length = struct.unpack("<H", header[26:28])[0]
                if start[at + 30:at + 30 + length] in names:
                    return at
            at = start.find(b"PK\x03\x04", at + 1)
        return 0
    finally:
        fileobj.seek(0)


def added_before_text(count: int) -> str:
    """The reason for a bundle with ``count`` bytes added before it (``added_before``)."""
    return join_clauses([
        counted("damaged on its way: {count} byte was added before the bundle's start (by "
                "a mail server or a program that wrote into the file)",
                "damaged on its way: {count} bytes were added before the bundle's start (by "
                "a mail server or a program that wrote into the file)", count),
        _("save the attachment itself from the mail program, or ask the sender to send it "
          "again")])


#: The fewest line ends ("\n") a damaged archive has, every one after a "\r", to be
#: told converted as unix2dos does (``_no_lone_line_end``)
CRLF_LEAST_LINE_ENDS = 8


def _no_lone_line_end(data: bytes) -> bool:
    """Whether ``data``, an archive that is not as its sender wrote it, has had its line
    ends converted as unix2dos does, leaving the "\r\n" it held as they were: then
    which "\r" were added cannot be told (undoing all of them spoils the original
    ones), but every "\n" of the file has a "\r" before it. In a ZIP's compressed
    bytes a "\n" has one by chance once in 256: with at least
    CRLF_LEAST_LINE_ENDS of them, a damage of another kind is not taken for this."""
    line_ends = data.count(b"\n")
    return line_ends >= CRLF_LEAST_LINE_ENDS and line_ends == data.count(b"\r\n")


#: The largest archive whose few line ends are undone in every way (a small bundle:
#: in a ZIP's compressed bytes, one "\n" in 256 by chance, so fewer than
#: CRLF_LEAST_LINE_ENDS of them make a file of a few kilobytes)
CRLF_FEW_CHECK_BYTES = 1024 * 1024


def _few_line_ends_converted(data: bytes) -> bool:
    """Whether ``data``, an archive that is not as its sender wrote it, with fewer than
    CRLF_LEAST_LINE_ENDS line ends, every one after a "\\r", is whole again once some of
    those "\\r" are taken out: a small bundle that held "\\r\\n" of its own, converted by
    unix2dos (which left those as they were; ``_no_lone_line_end`` cannot tell so few
    from chance). Each way of taking them out is tried (at most 2 ** 7), and only a
    whole archive, every member's checksum matching, tells it: damage of another kind
    is not taken for this. The unpacking all the tries may do is bounded as one
    check's is."""
    line_ends = data.count(b"\n")
    if (not 0 < line_ends < CRLF_LEAST_LINE_ENDS or line_ends != data.count(b"\r\n")
            or len(data) > CRLF_FEW_CHECK_BYTES):
        return False
    crs = [found.start() for found in re.finditer(rb"\r\n", data)]
    unpacked = CRLF_CHECK_UNPACKED >> len(crs)
    # all of them taken out was tried by the caller; none, by the reader that refused it
    for count in range(1, len(crs)):
        for added in itertools.combinations(crs, count):
            ends = (*added, len(data))
            pieces = [data[:added[0]]]
            pieces += [data[at + 1:after] for at, after in itertools.pairwise(ends)]
            if _whole_zip(b"".join(pieces), unpacked):
                return True
    return False


# --- files that are not ZIP archives ------------------------------------------------

_EMAIL_HEADER = re.compile(
    rb"(?im)^(?:from|to|subject|date|received|return-path|mime-version|message-id|"
    rb"delivered-to|x-[a-z0-9-]+|content-type|reply-to|cc|thread-topic):[ \t]")
#: A MIME part's file name: quoted, or up to the line's end or ";" (stripped after).
#: Bounded, and no two parts of it can take the same spaces: the file is anyone's, and
#: a pattern that can split a run of spaces many ways took minutes over a line of them
_ATTACHMENT_NAME = re.compile(
    rb'''(?i)\b(?:file)?name\*?=\s*(?:(?:utf-8|us-ascii)?'[a-z-]*')?'''
    rb'''("[^"\r\n]{1,255}"|[^"\s;][^"\r\n;]{0,254})''')
#: An OLE2 compound file: an Outlook message (.msg), Thumbs.db, an older Office file
_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_APPLE_DOUBLE = b"\x00\x05\x16\x07"
_DS_STORE = b"\x00\x00\x00\x01Bud1"
#: base64 text of a ZIP archive's first bytes "PK\x03\x04"
_BASE64_ZIP = b"UEsDB"


def what_else(start: bytes, name: str = "") -> BundleError | None:
    """What a file that is not a ZIP archive is, when its first bytes (``start``, up to
    SNIFF_BYTES) tell, as the error that refuses it with what to do (an InPlaceError
    when that is getting another file: an email's attachment; a NothingInItError for a
    file a system writes beside others); None when they do not.
    ``name``: the file's name, if known (an Outlook message is told from other
    Microsoft files by its ``.msg``)."""
    stripped = start.lstrip()
    lowered = name.lower()
    base = lowered.replace("\\", "/").rpartition("/")[2]
    if base in UNPACKED_MEMBERS:
        return BundleError(join_clauses([
            # Translators: {name} is manifest.json, events.jsonl or manifest.json.minisig
            _("not a fieldplan bundle but one of the files inside one ({name}), taken out "
              "when the bundle was unpacked as a ZIP archive").format(name=base),
            _(THE_BUNDLE_IS)]))
    if start and not start.strip(b"\0"):
        return BundleError(join_clauses([
            _("not a fieldplan bundle any more: the file holds only zero bytes (its "
              "content never reached the disk, as when a USB stick is removed too early)"),
            _(RESEND)]))
    if start.startswith(_APPLE_DOUBLE):
        # (what to do is the same whatever the file was given to: no "import" in it)
        return BundleError(join_clauses([
            _("not a fieldplan bundle (a file of macOS's own, which it writes beside "
              "each file it copies, named as that file with \"._\" before it)"),
            _("the bundle is the file of the same name without \"._\"")]))
    if start.startswith(_DS_STORE):
        return NothingInItError(_("not a fieldplan bundle (a file of macOS's own that "
                                  "keeps a folder's display settings)"))
    if start.startswith(_OLE2):
        if lowered.endswith(".msg"):
            return InPlaceError(
                _("not a fieldplan bundle (an Outlook email message saved as a file)"),
                _("open it in Outlook and save its .fieldplan attachment"))
        if lowered.endswith("thumbs.db"):
            return NothingInItError(_("not a fieldplan bundle (a file of Windows' own "
                                      "that keeps a folder's thumbnails)"))
        return InPlaceError(
            _("not a fieldplan bundle (an Outlook email message or another Microsoft "
              "Office file)"),
            _("if it is an email, open it in Outlook and save its .fieldplan attachment"))
    if stripped.startswith(_BASE64_ZIP) and _base64_zip(stripped):
        return InPlaceError(
            _("not a fieldplan bundle but its text form (base64), as a mail program "
              "shows an attachment's source"),
            _("save the attachment itself from the mail program"))
    if _is_email(start):
        names = [n.decode("utf-8", "replace").strip().strip('"').strip()
                 for n in _ATTACHMENT_NAME.findall(start)]
        bundles = list(dict.fromkeys(n for n in names if n.lower().endswith(".fieldplan")))
        what = _("not a fieldplan bundle (an email message saved as a file)")
        if bundles:
            return InPlaceError(what, ngettext(
                "open it in the mail program and save its attachment {names}",
                "open it in the mail program and save its attachments {names}",
                len(bundles)).format(
                    names=join_list([*bundles[:3], *(["…"] if len(bundles) > 3 else [])])),
                len(bundles))
        return InPlaceError(
            what, _("open it in the mail program and save its .fieldplan attachment"))
    if re.match(rb"(?i)(\xef\xbb\xbf)?\s*<(!doctype html|html|head|body|meta|\?xml)",
                start):
        return BundleError(join_clauses([
            _("not a fieldplan bundle (a web page, saved in place of the file: a "
              "download that did not finish, or a sign-in page)"),
            _("download the attachment again")]))
    return None


def is_saved_message(start: bytes) -> bool:
    """Whether a file's first bytes are an email message's saved as a file: a Microsoft
    compound file's (an Outlook .msg), or an email's headers (an .eml whose attachment
    was sent as it is, "Content-Transfer-Encoding: binary" or "8bit", not in base64).
    Its attachment's bytes lie in it as they were sent: no bytes added before a bundle,
    but a message to open (``what_else``)."""
    return start.startswith(_OLE2) or _is_email(start)


def _is_email(start: bytes) -> bool:
    """Whether ``start`` begins with an email's headers (an .eml file, or an mbox's
    "From " line before them): at least three known header lines before the first
    empty line."""
    text = start.lstrip(b"\xef\xbb\xbf")
    if text.startswith(b"From "):  # an mbox file
        text = text.partition(b"\n")[2]
    headers = re.split(rb"\r?\n\r?\n", text, maxsplit=1)[0]
    first = headers.split(b"\n", 1)[0]
    return bool(_EMAIL_HEADER.match(first)) and len(_EMAIL_HEADER.findall(headers)) >= 3


def _base64_zip(text: bytes) -> bool:
    """Whether ``text``'s first line decodes as base64 to a ZIP archive's start."""
    line = text.split(b"\n", 1)[0].strip()[:76]
    line = line[: len(line) // 4 * 4]
    try:
        return base64.b64decode(line, validate=True).startswith(b"PK\x03\x04")
    except (binascii.Error, ValueError):
        return False


# --- a folder of bundles (a USB stick's) ---------------------------------------------

#: What a folder's files are imported by (a bundle a mail program or a download saved
#: as "UG.zip" too); its other files (a stick's photos) are left aside
FOLDER_BUNDLE_ENDINGS = (".fieldplan", ".zip")


def taken_from_folder(name: str) -> bool:
    """Whether a file of a folder given to import (dropped on the client's window, named
    to ``fieldplan import``) is imported, by its name: a ``.fieldplan`` or ``.zip`` file,
    or a bundle a mail program saved with one more ending ("UG.fieldplan.txt",
    "UG.fieldplan.bin")."""
    lowered = name.lower()
    return lowered.endswith(FOLDER_BUNDLE_ENDINGS) or ".fieldplan." in lowered


#: Files a system writes into the folders it shows, under names that are not hidden
#: on every system (Windows' desktop.ini and thumbnail caches, macOS's folder icon
#: "Icon\r"), lowercase. (The folders Windows makes on a USB stick, "$RECYCLE.BIN" and
#: "System Volume Information", are no files of the folder: never counted.) Not the
#: files Windows hides by their attributes: a USB stick's "shortcut" virus hides the
#: person's own files so, bundles too.
SYSTEM_FILES = frozenset({"desktop.ini", "thumbs.db", "ehthumbs.db", "ehthumbs_vista.db",
                          "icon\r"})


def system_file(name: str) -> bool:
    """Whether a folder's file of this name is a system's, not the person's: hidden
    (".DS_Store", macOS's "._NAME" beside each bundle) or one of SYSTEM_FILES."""
    return name.startswith(".") or name.lower() in SYSTEM_FILES


def folder_bundles(folder: str) -> tuple[list[str], int]:
    """The files of ``folder`` that importing it imports (``taken_from_folder``; only
    those directly in it, a system's left out: ``system_file``), in name order; and
    how many other files it holds, left aside (a system's not counted: the person
    never put them there, and may not see them; nor the -wal, -shm and -journal files
    SQLite keeps beside a database there, the one importing among them: the import
    of a folder holding the open database said "3 other files" of one).
    OSError when it cannot be read."""
    from pathlib import Path

    from fieldplan.files import database_sibling

    with os.scandir(folder) as entries:
        files = [entry for entry in entries
                 if not system_file(entry.name) and _is_file(entry)]
    taken = [entry.path for entry in files if taken_from_folder(entry.name)]
    others = sum(1 for entry in files if not taken_from_folder(entry.name)
                 and not database_sibling(Path(entry.path)))
    return sorted(taken), others


def _is_file(entry: os.DirEntry) -> bool:
    """Whether a folder's entry is a file (a link to one too), or one whose kind cannot
    be told (a link that leads round in a loop): that one is taken as a file, to be
    refused with its own reason if it is a bundle's name, where the error made the
    whole folder refused in the name of one entry, or dropped without a word."""
    try:
        return entry.is_file()
    except OSError:
        return True
