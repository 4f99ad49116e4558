"""Bundles as they arrive by email and USB stick: changed on the way (padded, their line
ends converted, cut short) they stay refused, with a reason that says what happened; and
files that come in a bundle's place (an email, its base64 text, macOS's "._" file) are
named as what they are (fieldplan.transit)."""

from __future__ import annotations

import io
import zipfile

import pytest

from fieldplan.bundle import open_bundle
from tests.core.test_bundle_container import expect, make_events, write


@pytest.fixture
def good(tmp_path) -> bytes:
    data = write(tmp_path, make_events(40)).read_bytes()
    with open_bundle(data) as b:  # as written, it opens
        assert b.event_count == 40
    return data


@pytest.mark.parametrize("padding", [b"\0" * 512, b"\r\n", b"\n-- \nSent from my phone\n",
                                     b"\x1a" * 127])
def test_bytes_added_after_the_end_are_refused(good, padding) -> None:
    """A mail program's or a copy's padding after the ZIP's end was merged as if the file
    were the bundle as signed: bytes no signature covers. Refused, saying what happened."""
    message = expect(good + padding, ".")
    count = len(padding)
    assert message == (f"{count} bytes were added after the end of the bundle on its way "
                       "(as some mail programs and copies do); ask the sender to send it "
                       "again")


def test_a_zip_comment_is_added_bytes_too(good) -> None:
    """A bundle never has a ZIP comment: one written over it (an archiver's) is a change."""
    commented = good[:-2] + (5).to_bytes(2, "little") + b"hello"
    with zipfile.ZipFile(io.BytesIO(commented)) as zf:
        assert zf.comment == b"hello"  # a ZIP reader takes it as the archive's comment
    assert expect(commented, ".").startswith("5 bytes were added after the end")


def test_line_ends_converted_are_named(good) -> None:
    """A text-mode transfer (FTP's ASCII mode) turns every LF into CR LF: said as such,
    with the way out (send it as a binary file)."""
    assert b"\n" in good
    message = expect(good.replace(b"\n", b"\r\n"), ".")
    assert message.startswith("damaged on its way: its line ends were changed to Windows "
                              "ones (CR LF)")
    assert message.endswith("send it again as a binary file, not as text")


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.99])
def test_cut_short_says_its_end_never_arrived(good, keep) -> None:
    message = expect(good[: int(len(good) * keep)], ".")
    assert message.startswith("the bundle is cut short: its end never arrived")
