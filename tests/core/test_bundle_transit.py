"""Bundles as they arrive by email and USB stick: changed on the way (padded, their line
ends converted, cut short) they stay refused, with a reason that says what happened; and
files that come in a bundle's place (an email, its base64 text, macOS's "._" file) are
named as what they are (fieldplan.transit)."""

from __future__ import annotations

import io
import zipfile

import pytest

from fieldplan.bundle import open_bundle
from fieldplan.errors import BundleError
from tests.cli.test_cli_messages import hq_db, run  # noqa: F401 (a fixture)
from tests.core.test_bundle_container import expect, make_events, write


@pytest.fixture
def good(tmp_path) -> bytes:
    data = write(tmp_path, make_events(40)).read_bytes()
    with open_bundle(data) as b:  # as written, it opens
        assert b.event_count == 40
    return data


@pytest.mark.parametrize("padding", [b"\0" * 512, b"\r\n", b"\n-- \nSent from my phone\n",
                                     b"\x1a" * 127])
def test_bytes_added_after_the_end_are_no_damage(good, padding) -> None:
    """A mail program's or a transfer's padding after the ZIP's end (XMODEM's 0x1A):
    nothing reads those bytes, and the signed manifest covers every member's, so the
    bundle is taken as it was signed, not refused for a resend over a slow line."""
    with open_bundle(good) as b:
        lines = list(b.iter_lines())
    with open_bundle(good + padding) as b:
        assert list(b.iter_lines()) == lines


def test_a_zip_comment_is_no_damage_either(good) -> None:
    commented = good[:-2] + (5).to_bytes(2, "little") + b"hello"
    with zipfile.ZipFile(io.BytesIO(commented)) as zf:
        assert zf.comment == b"hello"  # a ZIP reader takes it as the archive's comment
    with open_bundle(commented) as b:
        assert b.event_count == 40


def test_line_ends_converted_are_named(good) -> None:
    """A text-mode transfer (FTP's ASCII mode) turns every LF into CR LF: said as such,
    with the way out (send it as a binary file)."""
    assert b"\n" in good
    message = expect(good.replace(b"\n", b"\r\n"), ".")
    assert message.startswith("damaged on its way: its line ends were changed to Windows "
                              "ones (CR LF)")
    assert message.endswith("send it again as a binary file, not as text")


def test_line_ends_converted_beside_ones_it_held_are_named(tmp_path) -> None:
    """unix2dos leaves the CR LF a bundle already held as they were: undoing every CR LF
    spoilt those, and the bundle was only a "damaged ZIP archive". Every LF with a CR
    before it tells the conversion all the same; a bundle damaged otherwise is not
    taken for one."""
    import re

    def unix2dos(data: bytes) -> bytes:
        return re.sub(rb"(?<!\r)\n", b"\r\n", data)

    held = next(data for seed in range(400)
                if b"\r\n" in (data := write(tmp_path, make_events(40, seed)).read_bytes()))
    stored = bytes(_archive(b"a line\r\n" * 3 + b"a line\n" * 20))
    for data in (held, stored):
        assert b"\r\n" in data and re.search(rb"(?<!\r)\n", data)
        message = expect(unix2dos(data), ".")
        assert message.startswith("damaged on its way: its line ends were changed to "
                                  "Windows ones (CR LF)"), message
    # damaged otherwise: its lone LFs say it was not converted
    spoilt = bytearray(held)
    spoilt[len(spoilt) // 3: len(spoilt) // 3 + 4] = b"\r\nzz"
    assert not expect(bytes(spoilt), ".").startswith("damaged on its way: its line ends")


def test_few_line_ends_converted_beside_ones_it_held_are_named(tmp_path) -> None:
    """A small bundle (a setup bundle, an acknowledgement) that held a CR LF of its own,
    with fewer than 8 line ends, converted by unix2dos: too few to tell the conversion
    from chance by its line ends, it was a "damaged ZIP archive". Taking out the CRs
    that make it whole again tells it; a bundle damaged otherwise as well is not taken
    for one."""
    import re

    def unix2dos(data: bytes) -> bytes:
        return re.sub(rb"(?<!\r)\n", b"\r\n", data)

    def small_held(data: bytes) -> bool:
        return (b"\r\n" in data and data.count(b"\n") < 8
                and re.search(rb"(?<!\r)\n", data) is not None)

    # (searched among many: which bundle holds a CR LF of its own changes with any byte
    # of what it carries, the version of fieldplan that wrote it among them)
    held = next(data for events in (1, 2, 3) for seed in range(1000)
                if small_held(data := write(tmp_path, make_events(events, seed)).read_bytes()))
    stored = bytes(_archive(b"a line\r\n" + b"a line\n" * 2))
    assert small_held(stored)
    for data in (held, stored):
        message = expect(unix2dos(data), ".")
        assert message.startswith("damaged on its way: its line ends were changed to "
                                  "Windows ones (CR LF)"), message
    # converted, and a byte of its first member's content changed too (its data begins
    # after a header of 30 bytes and its name): damaged, not only converted
    for data in (held, stored):
        spoilt = bytearray(unix2dos(data))
        at = next(i for i in range(48, len(spoilt)) if spoilt[i] not in b"\r\n")
        spoilt[at] = 0x41 if spoilt[at] != 0x41 else 0x42
        assert not expect(bytes(spoilt), ".").startswith(
            "damaged on its way: its line ends"), data is stored


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.99])
def test_cut_short_says_its_end_never_arrived(good, keep) -> None:
    message = expect(good[: int(len(good) * keep)], ".")
    assert message.startswith("the bundle is cut short: its end never arrived")


@pytest.mark.parametrize("before", [b"X-Scanned-By: mail gateway 4.2\r\n\r\n",
                                    b"MZ" + bytes(510), b"\xef\xbb\xbf",
                                    b"PK" + bytes(510), b"PKZIP\r\n",
                                    b"PK\x05\x06" + bytes(18)])
def test_bytes_added_before_the_start_are_named(good, before) -> None:
    """A mail gateway's header or a program's bytes written before the bundle (a ZIP
    reader finds the archive after them) were "not a ZIP archive": said as bytes added
    before it, and still refused (only the bytes signed are merged). Added bytes that
    began with "PK", as a ZIP archive does, were not looked for: the bundle was taken
    (its end cut off too: "missing member events.jsonl")."""
    message = expect(before + good, ".")
    count = f"{len(before):,}"
    assert message == (
        f"damaged on its way: {count} byte{'s were' if len(before) > 1 else ' was'} added "
        "before the bundle's start (by a mail server or a program that wrote into the "
        "file); save the attachment itself from the mail program, or ask the sender to "
        "send it again")
    # its end cut off too: found by its first member's header
    assert expect(before + good[: len(good) // 2], ".").startswith(
        f"damaged on its way: {count} byte")
    # added bytes that begin as a member's header does: found by the end record
    assert expect(b"PK\x03\x04 scanned\r\n" + good, ".").startswith(
        "damaged on its way: 14 bytes were added before the bundle's start")
    # what merely holds the letters of a ZIP's header is not a bundle for that
    assert expect(b"hello PK\x03\x04" + bytes(40), ".") == (
        "not a fieldplan bundle (not a ZIP archive)")


# --- what comes in a bundle's place ---------------------------------------------------


def _email(bundle: bytes, name: str = "ML-3f2a9c1b-1-40.fieldplan") -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "office@example.org"
    message["To"] = "hq@example.org"
    message["Subject"] = "Our bundle for 2026-S1"
    message.set_content("Here is our bundle.")
    message.add_attachment(bundle, maintype="application", subtype="octet-stream",
                           filename=name)
    return bytes(message)


def test_an_email_saved_as_a_file_names_its_attachment(good, tmp_path) -> None:
    """A whole message dropped by mistake (.eml, or saved over the bundle's name) was
    "not a ZIP archive": it says it is an email, and which attachment to save."""
    for name in ("message.eml", "ML.fieldplan"):
        path = tmp_path / name
        path.write_bytes(_email(good))
        with pytest.raises(BundleError) as e:
            open_bundle(path)
        assert str(e.value) == (
            "not a fieldplan bundle (an email message saved as a file); open it in the mail "
            "program and save its attachment ML-3f2a9c1b-1-40.fieldplan, then import that "
            "file")
    # two bundles attached: named as the reader's language writes a list
    from email.message import EmailMessage

    from fieldplan import i18n

    message = EmailMessage()
    message["From"] = "office@example.org"
    message["Subject"] = "Our bundles"
    message.set_content("Our bundles.")
    for name in ("ML-a.fieldplan", "ML-b.fieldplan"):
        message.add_attachment(good, maintype="application", subtype="octet-stream",
                               filename=name)
    i18n.set_language("ar")
    try:
        assert "ML-a.fieldplan\u060c ML-b.fieldplan" in expect(bytes(message), ".")
    finally:
        i18n.set_language("en")
    # an mbox's "From " line first; no bundle attached: the attachment is not named
    mbox = b"From office@example.org Mon Mar  2 10:00:00 2026\n" + _email(b"x", "notes.txt")
    assert expect(mbox, ".") == (
        "not a fieldplan bundle (an email message saved as a file); open it in the mail "
        "program and save its .fieldplan attachment, then import that file")


@pytest.mark.parametrize("encoding", [b"binary", b"8bit"])
@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_an_email_whose_attachment_was_not_in_base64_is_named_too(good, encoding,
                                                                   newline) -> None:
    """A mail program may keep an attachment's bytes as they are ("Content-Transfer-
    Encoding: binary" or "8bit"): the message saved as a file was said to be a bundle
    with bytes added before its start ("or ask the sender to send it again"). It is an
    email, to open and save the attachment of, whether the bundle in it is whole or
    not, as one whose attachment is in base64."""
    for bundle in (good, good[: len(good) // 2]):
        message = newline.join([
            b"From: office@example.org", b"To: hq@example.org",
            b"Subject: Our bundle for 2026-S1", b"MIME-Version: 1.0",
            b'Content-Type: multipart/mixed; boundary="=-=-="', b"", b"--=-=-=",
            b"Content-Type: text/plain", b"", b"Here is our bundle.", b"--=-=-=",
            b'Content-Type: application/octet-stream; name="ML-3f2a9c1b-1-40.fieldplan"',
            b"Content-Disposition: attachment; filename=ML-3f2a9c1b-1-40.fieldplan",
            b"Content-Transfer-Encoding: " + encoding, b"", bundle, b"--=-=-=--", b""])
        assert expect(message, ".") == (
            "not a fieldplan bundle (an email message saved as a file); open it in the mail "
            "program and save its attachment ML-3f2a9c1b-1-40.fieldplan, then import that "
            "file")


def test_an_email_given_to_set_up_says_to_set_up_from_its_attachment(hq, tmp_path) -> None:
    """The client's first screen (and the command line's set-up) were told "then import
    that file" of an email in a setup bundle's place: nothing is imported there."""
    from fieldplan.sync import enroll_office, init_from_setup
    from fieldplan.sync.enrol import check_setup_bundle

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    said = ("not a fieldplan bundle (an email message saved as a file); open it in the mail "
            "program and save its attachment ML-setup.fieldplan, then set this computer up "
            "from that file")
    for opening in (lambda: init_from_setup(tmp_path / "ml.sqlite3", mail),
                    lambda: check_setup_bundle(mail)):  # (the set-up-again screen's check)
        with pytest.raises(BundleError) as e:
            opening()
        assert str(e.value) == said
    # base64 text and an Outlook message likewise
    import base64

    with pytest.raises(BundleError, match=r"save the attachment itself from the mail "
                                          r"program, then set this computer up from that "
                                          r"file$"):
        init_from_setup(tmp_path / "ml.sqlite3", base64.encodebytes(setup.read_bytes()))
    # a mail program's ZIP around it
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr(setup.name, setup.read_bytes())
    with pytest.raises(BundleError, match=r"^this ZIP holds the bundle ML-setup.fieldplan; "
                                          r"extract it, then set this computer up from that "
                                          r"file$"):
        init_from_setup(tmp_path / "ml.sqlite3", zipped.getvalue())
    # and a ZIP around that ZIP (an attachment forwarded twice)
    twice = io.BytesIO()
    with zipfile.ZipFile(twice, "w") as zf:
        zf.writestr("attachments.zip", zipped.getvalue())
    with pytest.raises(BundleError, match=r"; extract it, and the bundle from the ZIP archive "
                                          r"it holds, then set this computer up from that "
                                          r"file$"):
        init_from_setup(tmp_path / "ml.sqlite3", twice.getvalue())
    assert not (tmp_path / "ml.sqlite3").exists()


def test_an_email_of_long_lines_is_named_at_once(good) -> None:
    """The attachment's name was found by a pattern that could split a run of spaces
    after "name=" many ways, and start again at each "name=" of a long line: 1,200
    spaces took seconds (4,000: minutes; the 256 KB read, hours), and as many
    "name=name=…" as 30 KB seconds too; the import hung. A line now takes as long as its
    length."""
    import time

    headers = b"From: a@example.org\nTo: b@example.org\nSubject: x\nContent-Type: x; "
    for tail in (b"name=" + b" " * 1200, b"name=" * 6000):
        started = time.perf_counter()
        assert expect(headers + tail, ".").startswith("not a fieldplan bundle (an email")
        assert time.perf_counter() - started < 0.5
    named = (b'Content-Disposition: attachment; filename= "ML 1.fieldplan" ;\n'
             b"Content-Type: x; name=ML-2.fieldplan\n")
    assert expect(headers + b"\n" + named, ".").endswith(
        "save its attachments ML 1.fieldplan, ML-2.fieldplan, then import those files")

def test_an_outlook_message_is_named(tmp_path) -> None:
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600)
    path = tmp_path / "RE Bundle.msg"
    path.write_bytes(ole2)
    with pytest.raises(BundleError, match=r"^not a fieldplan bundle \(an Outlook email "
                                          r"message saved as a file\); open it in Outlook"):
        open_bundle(path)
    # without its name (dropped bytes): an Outlook message or another Microsoft file
    assert expect(ole2, ".").startswith("not a fieldplan bundle (an Outlook email message "
                                        "or another Microsoft Office file)")


def test_an_outlook_message_holding_a_bundle_is_named_too(good, tmp_path) -> None:
    """An Outlook message keeps its attachment's bytes as they were, in its sectors
    after its own header: that was said as bytes added before a bundle ("save the
    attachment itself, or ask the sender to send it again"), and to init --from or
    verify without the command's words. It is an Outlook message, to open."""
    message = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1528) + good + bytes(3000)
    path = tmp_path / "RE Bundle.msg"
    path.write_bytes(message)
    with pytest.raises(BundleError, match=r"^not a fieldplan bundle \(an Outlook email "
                                          r"message saved as a file\); open it in Outlook"):
        open_bundle(path)
    assert expect(message, ".").startswith("not a fieldplan bundle (an Outlook email message "
                                           "or another Microsoft Office file)")


def test_base64_text_of_a_bundle_is_named(good) -> None:
    import base64

    for text in (base64.encodebytes(good), b"\r\n" + base64.b64encode(good)):
        assert expect(text, ".").startswith(
            "not a fieldplan bundle but its text form (base64)")


def test_files_a_system_leaves_beside_bundles_are_named(good) -> None:
    """A USB stick from a Mac holds "._NAME.fieldplan" beside each bundle, and .DS_Store;
    one written to but removed too early, a file of zero bytes."""
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(4000)
    assert expect(apple_double, ".") == (
        'not a fieldplan bundle (a file of macOS\'s own, which it writes beside each file '
        'it copies, named as that file with "._" before it); the bundle is the file of the '
        'same name without "._"')  # (no "import": said to init --from and verify too)
    assert expect(b"\x00\x00\x00\x01Bud1" + bytes(100), ".").endswith("nothing to import")
    assert expect(bytes(len(good)), ".").startswith(
        "not a fieldplan bundle any more: the file holds only zero bytes")


def test_a_web_page_saved_in_place_of_the_attachment(good) -> None:
    page = b"\xef\xbb\xbf<!DOCTYPE html>\n<html><body>Sign in to continue</body></html>"
    assert expect(page, ".").endswith("download the attachment again")
    # and what is none of these is still "not a ZIP archive"
    assert expect(b"hello", ".") == "not a fieldplan bundle (not a ZIP archive)"


def test_a_zip_of_a_zip_says_to_extract_it(good) -> None:
    """Gmail's "download all" or a forwarded attachment zipped again: a ZIP holding the
    ZIP that holds the bundle was "a ZIP archive of other files"."""
    def zipped(members) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for name, data in members:
                zf.writestr(name, data)
        return out.getvalue()

    inner = zipped([("ML-3f2a9c1b-1-40.fieldplan", good)])
    assert expect(zipped([("attachments.zip", inner), ("__MACOSX/._attachments.zip", b"x")]),
                  ".") == ("not a fieldplan bundle (a ZIP archive holding the ZIP archive "
                           "attachments.zip); extract it, and the bundle from the ZIP archive "
                           "it holds, then import that file")
    assert expect(zipped([("a.zip", inner), ("b.ZIP", inner)]), ".").startswith(
        "not a fieldplan bundle (a ZIP archive holding the ZIP archives a.zip, b.ZIP)")



def _archive(data: bytes, compression: int = zipfile.ZIP_STORED) -> bytearray:
    """A ZIP archive of one member "manifest.json" holding ``data`` (a fixed time: the
    same bytes each run)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("manifest.json", (2026, 3, 2, 10, 0, 0)), data,
                    compress_type=compression)
    return bytearray(out.getvalue())


def _line_ends_changed(data: bytearray) -> bytes:
    assert b"\r\n" not in data and b"\n" in data
    return bytes(data).replace(b"\n", b"\r\n")


def test_a_hostile_archive_with_its_line_ends_changed_is_refused_not_a_crash() -> None:
    """The line-end check reads the archive's members: one flagged encrypted (zipfile's
    RuntimeError) or an LZMA member that does not unpack (LZMAError) ended the command
    in 'internal error', and a batch of imports with it; refused as a damaged archive."""
    encrypted = _archive(b"line\n" * 20)
    encrypted[encrypted.find(b"PK\x03\x04") + 6] |= 1
    encrypted[encrypted.find(b"PK\x01\x02") + 8] |= 1
    expect(_line_ends_changed(encrypted), ".")
    damaged = _archive(b"x" * 100, zipfile.ZIP_LZMA)
    start = damaged.find(b"manifest.json") + len("manifest.json")
    damaged[start + 9:start + 20] = b"\x55\x55\x55\n" + b"\x55" * 7  # its stream spoilt
    expect(_line_ends_changed(damaged), ".")


def test_the_files_of_an_unpacked_bundle_are_named(good, tmp_path, capsys,
                                                   hq_db) -> None:  # noqa: F811
    """A bundle sent as "….fieldplan.zip" to pass a mail filter, opened by Windows as a
    folder and unpacked: its manifest.json, events.jsonl and manifest.json.minisig
    imported one by one, or their folder, were "not a ZIP archive" and "name the
    bundles in it: …/*.fieldplan" (there are none): said as a bundle's files, with the
    file to import instead."""
    folder = tmp_path / "HQ-to-ML"
    folder.mkdir()
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        zf.extractall(folder)
    for member in ("manifest.json", "events.jsonl", "manifest.json.minisig"):
        with pytest.raises(BundleError) as e:
            open_bundle(folder / member)
        assert str(e.value) == (
            f"not a fieldplan bundle but one of the files inside one ({member}), taken out "
            "when the bundle was unpacked as a ZIP archive; the bundle is the .fieldplan "
            "file itself, as it arrived")
    code, out, _err = run("--db", hq_db, "import", str(folder), capsys=capsys)
    assert code == 1 and out.strip() == (
        f"{folder.name}: rejected: a folder holding the files of a bundle that was unpacked as "
        "a ZIP archive; the bundle is the .fieldplan file itself, as it arrived")


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_the_line_end_check_never_unpacks_a_bzip2_or_lzma_member(compression) -> None:
    """The line-end check unpacked every member to check its checksum, bounded by the
    sizes its headers claim. zipfile bounds a deflated member's output by each read,
    but unpacks the bzip2 or LZMA data it reads whole, whatever size is claimed: a
    file of a few kilobytes, its line ends changed, took gigabytes of memory (a
    bzip2 stream of 2 KB unpacks to 1 GB). No bundle member uses those methods."""
    import struct
    import tracemalloc

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("manifest.json", (2026, 3, 2, 10, 0, 0)),
                    b"\0" * (64 << 20), compress_type=compression)
        zf.writestr(zipfile.ZipInfo("events.jsonl", (2026, 3, 2, 10, 0, 0)), b"line\n" * 20)
    bomb = bytearray(out.getvalue())
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bomb.find(signature)  # the first member's: it claims to unpack to 1 byte
        bomb[at + size_at:at + size_at + 4] = struct.pack("<L", 1)
    assert len(bomb) < 64 * 1024
    converted = _line_ends_changed(bomb)
    tracemalloc.start()
    try:
        expect(converted, ".")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
