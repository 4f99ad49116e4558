"""A start that hands its bundles to the open client ends the desktop's launch
itself on X11 (ui.x11_startup): the menu entry asks for startup notification, and
without a window of its own nothing said the launch was over, so the desktop kept its
busy pointer until it gave up. Checked against a real X server (Xvfb), read back as a
desktop reads it: the client messages on the root window, put together."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import time

import pytest

from ui import x11_startup

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None or x11_startup.xcb() is None,
                                reason="needs Xvfb and libxcb")


@pytest.fixture
def display():
    """A fresh X server, on the display number it chose."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "64x64x24",
                               "-nolisten", "tcp", "-noreset"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as told:
        number = told.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def listened(display: str, send) -> list[tuple[int, bytes]]:
    """What ``send()`` puts on the root window: each client message (its type atom
    and its 20 bytes), as a desktop listening there gets them."""
    lib = x11_startup.xcb()
    screen = ctypes.c_int(0)
    conn = lib.xcb_connect(display.encode(), ctypes.byref(screen))
    assert conn and not lib.xcb_connection_has_error(conn)
    try:
        root = x11_startup.root_window(lib, conn, screen.value)
        mask = ctypes.c_uint32(x11_startup.PROPERTY_CHANGE)
        lib.xcb_change_window_attributes(conn, root, 1 << 11, ctypes.byref(mask))  # EVENT_MASK
        x11_startup.atom(lib, conn, b"_NET_STARTUP_INFO")  # (a round trip: the mask is set)
        assert send()
        got, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline:
            event = lib.xcb_poll_for_event(conn)
            if not event:
                if got and b"\0" in got[-1][1]:  # (the message's end)
                    break
                time.sleep(0.01)
                continue
            try:
                message = ctypes.cast(event, ctypes.POINTER(x11_startup.ClientMessage)).contents
                if message.response_type & 0x7F == x11_startup.CLIENT_MESSAGE:
                    got.append((message.type, bytes(message.data)))
            finally:
                x11_startup._free(event)
        return got
    finally:
        lib.xcb_disconnect(conn)


def test_a_handed_over_start_ends_its_launch(display):
    startup_id = "gnome-shell/fieldplan/4242-0-laptop_TIME12345678"
    got = listened(display, lambda: x11_startup.end_startup(startup_id, display))
    lib = x11_startup.xcb()
    conn = lib.xcb_connect(display.encode(), None)
    try:
        begin = x11_startup.atom(lib, conn, b"_NET_STARTUP_INFO_BEGIN")
        more = x11_startup.atom(lib, conn, b"_NET_STARTUP_INFO")
    finally:
        lib.xcb_disconnect(conn)
    assert [kind for kind, _ in got] == [begin] + [more] * (len(got) - 1)
    text = b"".join(data for _, data in got).split(b"\0")[0].decode()
    assert text == f"remove: ID={startup_id}"


def test_an_id_with_spaces_or_quotes_is_quoted():
    assert x11_startup.startup_message('a b"c\\') == b'remove: ID="a b\\"c\\\\"\0'
    assert x11_startup.startup_message("plain") == b"remove: ID=plain\0"


def test_nothing_is_sent_without_a_launch_id_or_a_display(display):
    assert not x11_startup.end_startup("", display)
    assert not x11_startup.end_startup("some-id", "")
    assert not x11_startup.end_startup("some-id", ":999")  # (no server there)


def test_a_start_that_hands_its_files_over_ends_its_launch(
        monkeypatch, tmp_path):
    """``ui.app.run``: the start that hands its files over, and shows no window,
    ends the launch itself (one that opens a window leaves that to Qt)."""
    import ui.app
    import ui.single_instance

    ended = []
    monkeypatch.setattr(x11_startup, "end_startup", lambda: ended.append(True) or True)

    def held_by_another(self) -> bool:  # (another process's client is open)
        self.held_elsewhere = True
        return False

    monkeypatch.setattr(ui.single_instance.Guard, "claim", held_by_another)
    monkeypatch.setattr(ui.single_instance.Guard, "hand_over", lambda self, files: True)
    assert ui.app.run(db=str(tmp_path / "x.sqlite3"), files=["a.fieldplan"]) == 0
    assert ended == [True]
