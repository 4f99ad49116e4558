"""The end of an X11 launch that opened no window (``end_startup``).

A menu entry with StartupNotify (packaging/linux) has the desktop show a busy pointer
from the launch until the program says it has started, which Qt does when the
program's first window shows. A start that hands its bundles to the client already
open (ui.single_instance) ends without a window: on X11 the desktop kept its busy
pointer until it gave up (GNOME: 15 seconds) after every bundle double-clicked while
the client was open. This says it instead, as freedesktop.org's startup-notification
spec has it: the message ``remove: ID=…`` sent to the root window in client messages
of 20 bytes. Through libxcb with ctypes: Qt's X11 plugin needs libxcb, so it is
there wherever X11 is; nothing is done without a display or a launch id. (Wayland's
activation token goes to the client instead, which uses it: ui.single_instance.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Any

#: X11's numbers: a ClientMessage event, an InputOnly window, PropertyChange events
CLIENT_MESSAGE, INPUT_ONLY, PROPERTY_CHANGE = 33, 2, 1 << 22


class RootsIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint32)), ("rem", ctypes.c_int),
                ("index", ctypes.c_int)]


class AtomReply(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("length", ctypes.c_uint32),
                ("atom", ctypes.c_uint32)]


class ClientMessage(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("format", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("window", ctypes.c_uint32),
                ("type", ctypes.c_uint32), ("data", ctypes.c_uint8 * 20)]


def xcb() -> Any:
    """libxcb with the signatures of the calls used here; None where there is none."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    except OSError:
        return None
    void, u8, u16, u32, i16 = (ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint16,
                               ctypes.c_uint32, ctypes.c_int16)
    lib.xcb_connect.restype = void
    lib.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    for name in ("xcb_connection_has_error", "xcb_flush", "xcb_generate_id",
                 "xcb_disconnect", "xcb_get_setup", "xcb_poll_for_event"):
        getattr(lib, name).argtypes = [void]
    lib.xcb_generate_id.restype = u32
    lib.xcb_get_setup.restype = void
    lib.xcb_poll_for_event.restype = void
    lib.xcb_setup_roots_iterator.restype = RootsIterator
    lib.xcb_setup_roots_iterator.argtypes = [void]
    lib.xcb_screen_next.argtypes = [ctypes.POINTER(RootsIterator)]
    lib.xcb_intern_atom.restype = ctypes.c_uint  # (a cookie: its sequence number)
    lib.xcb_intern_atom.argtypes = [void, u8, u16, ctypes.c_char_p]
    lib.xcb_intern_atom_reply.restype = ctypes.POINTER(AtomReply)
    lib.xcb_intern_atom_reply.argtypes = [void, ctypes.c_uint, void]
    lib.xcb_create_window.argtypes = [void, u8, u32, u32, i16, i16, u16, u16, u16, u16,
                                      u32, u32, void]
    lib.xcb_destroy_window.argtypes = [void, u32]
    lib.xcb_change_window_attributes.argtypes = [void, u32, u32, void]
    lib.xcb_send_event.argtypes = [void, u8, u32, u32, void]
    return lib


def _free(pointer: Any) -> None:
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(pointer)


def root_window(lib: Any, conn: int, screen: int) -> int:
    """The root window of screen number ``screen`` of the connection."""
    roots = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(conn))
    for _ in range(screen):
        lib.xcb_screen_next(ctypes.byref(roots))
    return roots.data[0] if roots.data else 0  # (xcb_screen_t begins with its root)


def atom(lib: Any, conn: int, name: bytes) -> int:
    """The X atom of ``name`` (made if new), 0 when the server did not answer."""
    cookie = lib.xcb_intern_atom(conn, 0, len(name), name)
    reply = lib.xcb_intern_atom_reply(conn, cookie, None)
    if not reply:
        return 0
    try:
        return reply.contents.atom
    finally:
        _free(reply)


def startup_message(startup_id: str) -> bytes:
    """The message that ends the launch ``startup_id`` (a value with a space, quote or
    backslash quoted and escaped, as the spec wants), with its closing nul byte."""
    value = startup_id
    if any(c in value for c in ' "\\'):
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"remove: ID={value}".encode() + b"\0"


def end_startup(startup_id: str | None = None, display: str | None = None) -> bool:
    """Tell the X11 desktop that the launch ``startup_id`` (DESKTOP_STARTUP_ID, which
    the desktop gave this start) is over; True once the message is sent. Nothing on
    Windows and macOS, without a display, or without a launch id."""
    if startup_id is None:
        startup_id = os.environ.get("DESKTOP_STARTUP_ID", "")
    if display is None:
        display = os.environ.get("DISPLAY", "")
    if not startup_id or not display or sys.platform in ("win32", "darwin"):
        return False
    lib = xcb()
    if lib is None:
        return False
    screen = ctypes.c_int(0)
    conn = lib.xcb_connect(display.encode(), ctypes.byref(screen))
    if not conn:
        return False
    try:
        if lib.xcb_connection_has_error(conn):
            return False
        root = root_window(lib, conn, screen.value)
        begin = atom(lib, conn, b"_NET_STARTUP_INFO_BEGIN")
        more = atom(lib, conn, b"_NET_STARTUP_INFO")
        if not (root and begin and more):
            return False
        # the spec's sender window: one of this connection's, never shown
        window = lib.xcb_generate_id(conn)
        lib.xcb_create_window(conn, 0, window, root, -100, -100, 1, 1, 0, INPUT_ONLY, 0, 0,
                              None)
        message = startup_message(startup_id)
        for start in range(0, len(message), 20):
            event = ClientMessage(response_type=CLIENT_MESSAGE, format=8, window=window,
                                  type=begin if start == 0 else more)
            chunk = message[start:start + 20]
            ctypes.memmove(event.data, chunk, len(chunk))
            lib.xcb_send_event(conn, 0, root, PROPERTY_CHANGE, ctypes.byref(event))
        lib.xcb_destroy_window(conn, window)
        # a round trip, not a flush alone: the server has then handled every message
        # before the connection closes (closed at once, a flushed message was lost
        # about one time in three)
        return bool(atom(lib, conn, b"_NET_STARTUP_INFO")) and not \
            lib.xcb_connection_has_error(conn)
    finally:
        lib.xcb_disconnect(conn)
