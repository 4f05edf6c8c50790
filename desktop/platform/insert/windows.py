"""Windows: typing with SendInput (KEYEVENTF_UNICODE), Ctrl+V, and the clipboard, through ctypes.

Everything that calls Windows goes through :class:`Win32`, so the tests replace that one object
and check the exact input events and clipboard calls (they run on Linux).
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Sequence
from typing import Any

from desktop.core.dictation.types import InsertMethod, InsertResult

INPUT_KEYBOARD = 1
KEYEVENTF_KEYUP = 0x0002
KEYEVENTF_UNICODE = 0x0004
VK_CONTROL = 0x11
VK_RETURN = 0x0D
VK_TAB = 0x09
VK_V = 0x56
CF_UNICODETEXT = 13
GMEM_MOVEABLE = 0x0002

#: (virtual key, scan code / UTF-16 unit, flags) for one key event.
KeyEvent = tuple[int, int, int]


class Win32:
    """The calls made into user32/kernel32 (the boundary the tests fake)."""

    def __init__(self) -> None:
        windll: Any = getattr(ctypes, "windll")  # noqa: B009 - only on Windows
        self.user32 = windll.user32
        self.kernel32 = windll.kernel32
        # Handles are pointer-sized: ctypes' default int return would cut them on 64-bit Windows.
        handle = ctypes.c_void_p
        self.user32.GetClipboardData.restype = handle
        self.user32.GetClipboardData.argtypes = [ctypes.c_uint]
        self.user32.SetClipboardData.restype = handle
        self.user32.SetClipboardData.argtypes = [ctypes.c_uint, handle]
        self.user32.OpenClipboard.argtypes = [handle]
        self.kernel32.GlobalAlloc.restype = handle
        self.kernel32.GlobalAlloc.argtypes = [ctypes.c_uint, ctypes.c_size_t]
        self.kernel32.GlobalLock.restype = handle
        self.kernel32.GlobalLock.argtypes = [handle]
        self.kernel32.GlobalUnlock.argtypes = [handle]

    def send_input(self, events: Sequence[KeyEvent]) -> int:
        array, size = input_array(events)
        return int(self.user32.SendInput(len(events), array, size))

    def get_clipboard_text(self) -> str | None:
        if not self._open():
            return None
        try:
            handle = self.user32.GetClipboardData(CF_UNICODETEXT)
            if not handle:
                return None
            pointer = self.kernel32.GlobalLock(handle)
            try:
                return ctypes.wstring_at(pointer) if pointer else None
            finally:
                self.kernel32.GlobalUnlock(handle)
        finally:
            self.user32.CloseClipboard()

    def set_clipboard_text(self, text: str) -> bool:
        data = ctypes.create_unicode_buffer(text)
        size = ctypes.sizeof(data)
        handle = self.kernel32.GlobalAlloc(GMEM_MOVEABLE, size)
        if not handle:
            return False
        pointer = self.kernel32.GlobalLock(handle)
        ctypes.memmove(pointer, data, size)
        self.kernel32.GlobalUnlock(handle)
        if not self._open():
            return False
        try:
            self.user32.EmptyClipboard()
            # On success the clipboard owns the memory; on failure it is ours to free.
            if self.user32.SetClipboardData(CF_UNICODETEXT, handle):
                return True
            self.kernel32.GlobalFree(handle)
            return False
        finally:
            self.user32.CloseClipboard()

    def _open(self) -> bool:
        # Another app may hold the clipboard for a moment: retry briefly rather than fail.
        for _ in range(10):
            if self.user32.OpenClipboard(None):
                return True
            time.sleep(0.01)
        return False


class KEYBDINPUT(ctypes.Structure):
    # Fixed-width types (not wintypes, whose LONG follows the C long of the machine running the
    # tests): the layout is Windows', checked by the tests on any system.
    _fields_ = [
        ("wVk", ctypes.c_uint16),
        ("wScan", ctypes.c_uint16),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),
    ]


class MOUSEINPUT(ctypes.Structure):  # the union's largest member: it sets sizeof(INPUT)
    _fields_ = [
        ("dx", ctypes.c_int32),
        ("dy", ctypes.c_int32),
        ("mouseData", ctypes.c_uint32),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),
    ]


class _InputUnion(ctypes.Union):
    _fields_ = [("ki", KEYBDINPUT), ("mi", MOUSEINPUT)]


class INPUT(ctypes.Structure):
    _anonymous_ = ("u",)
    _fields_ = [("type", ctypes.c_uint32), ("u", _InputUnion)]


def input_array(events: Sequence[KeyEvent]) -> tuple[ctypes.Array[INPUT], int]:
    """The INPUT array SendInput takes, and the size of one INPUT (SendInput checks it)."""
    array = (INPUT * len(events))()
    for i, (vk, scan, flags) in enumerate(events):
        array[i].type = INPUT_KEYBOARD
        array[i].ki = KEYBDINPUT(vk, scan, flags, 0, 0)
    return array, ctypes.sizeof(INPUT)


_win32: Win32 | None = None


def win32() -> Win32:
    global _win32
    if _win32 is None:
        _win32 = Win32()
    return _win32


def unicode_events(text: str) -> list[KeyEvent]:
    """Key down/up per UTF-16 unit (a surrogate pair is two units, sent in order); line breaks
    and tabs as the Enter and Tab keys, which apps handle as keys rather than characters."""
    events: list[KeyEvent] = []
    for char in text.replace("\r\n", "\n"):
        if char in "\n\r":
            events += [(VK_RETURN, 0, 0), (VK_RETURN, 0, KEYEVENTF_KEYUP)]
            continue
        if char == "\t":
            events += [(VK_TAB, 0, 0), (VK_TAB, 0, KEYEVENTF_KEYUP)]
            continue
        data = char.encode("utf-16-le")
        for i in range(0, len(data), 2):
            unit = int.from_bytes(data[i : i + 2], "little")
            events += [(0, unit, KEYEVENTF_UNICODE), (0, unit, KEYEVENTF_UNICODE | KEYEVENTF_KEYUP)]
    return events


PASTE_EVENTS: list[KeyEvent] = [
    (VK_CONTROL, 0, 0),
    (VK_V, 0, 0),
    (VK_V, 0, KEYEVENTF_KEYUP),
    (VK_CONTROL, 0, KEYEVENTF_KEYUP),
]


class WindowsTyper:
    def __init__(self, api: Win32 | None = None) -> None:
        self._api = api

    def text_before_cursor(self) -> str | None:
        return None

    def insert(self, text: str) -> InsertResult:
        events = unicode_events(text)
        sent = (self._api or win32()).send_input(events)
        if sent != len(events):
            # SendInput is blocked by UIPI when the target runs elevated (an admin window).
            return InsertResult(
                False,
                InsertMethod.NONE,
                "Windows blocked the typing (the window may run as administrator). "
                "Run Soniox Desktop the same way, or paste from the history.",
            )
        return InsertResult(True, InsertMethod.TYPE)


def send_paste(terminal: bool, api: Win32 | None = None) -> None:
    """Ctrl+V (Windows Terminal and the console accept it too)."""
    sent = (api or win32()).send_input(PASTE_EVENTS)
    if sent != len(PASTE_EVENTS):
        raise OSError("SendInput was blocked (the window may run as administrator)")


class WindowsClipboard:
    def __init__(self, api: Win32 | None = None) -> None:
        self._api = api

    def text(self) -> str | None:
        return (self._api or win32()).get_clipboard_text()

    def set_text(self, text: str) -> None:
        if not (self._api or win32()).set_clipboard_text(text):
            raise OSError("The clipboard is in use by another app")
