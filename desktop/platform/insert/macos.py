"""macOS: Cmd+V through Quartz events, the pasteboard through pbcopy/pbpaste, and the two checks
that decide whether keys may be sent at all.

Posting key events to other apps needs the Accessibility permission (System Settings → Privacy &
Security → Accessibility). Without it, or while a password field has secure input on (the
system then drops synthesized keys), the text is only copied and the user is told why.
Everything that calls the system goes through :class:`Quartz`, which the tests replace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
from typing import Any

KEY_V = 9  # kVK_ANSI_V
FLAG_COMMAND = 0x00100000  # kCGEventFlagMaskCommand
HID_EVENT_TAP = 0  # kCGHIDEventTap

NO_ACCESSIBILITY = (
    "Copied to the clipboard: Soniox Desktop may not send keys yet. Allow it in System Settings → "
    "Privacy & Security → Accessibility, then dictate again; for now press Cmd+V."
)
SECURE_INPUT = "Copied to the clipboard: a password field takes no dictation. Press Cmd+V to paste it yourself."


class Quartz:
    """The calls into ApplicationServices and Carbon (the boundary the tests fake)."""

    def __init__(self) -> None:
        self.app_services: Any = ctypes.CDLL(ctypes.util.find_library("ApplicationServices"))
        self.carbon: Any = ctypes.CDLL(ctypes.util.find_library("Carbon"))
        self.app_services.CGEventCreateKeyboardEvent.restype = ctypes.c_void_p
        self.app_services.CGEventCreateKeyboardEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint16, ctypes.c_bool]
        self.app_services.CGEventSetFlags.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        self.app_services.CGEventPost.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
        self.app_services.CFRelease.argtypes = [ctypes.c_void_p]

    def trusted(self) -> bool:
        return bool(self.app_services.AXIsProcessTrusted())

    def secure_input(self) -> bool:
        return bool(self.carbon.IsSecureEventInputEnabled())

    def post_key(self, keycode: int, down: bool, flags: int) -> None:
        lib = self.app_services
        event = lib.CGEventCreateKeyboardEvent(None, keycode, down)
        if not event:
            raise OSError("Could not create a key event")
        try:
            lib.CGEventSetFlags(event, flags)
            lib.CGEventPost(HID_EVENT_TAP, event)
        finally:
            lib.CFRelease(event)


_quartz: Quartz | None = None


def quartz() -> Quartz:
    global _quartz
    if _quartz is None:
        _quartz = Quartz()
    return _quartz


def input_blocked(api: Quartz | None = None) -> str | None:
    """Why keys cannot reach the focused app now, in words; None when they can."""
    api = api or quartz()
    if not api.trusted():
        return NO_ACCESSIBILITY
    if api.secure_input():
        return SECURE_INPUT
    return None


def send_paste(terminal: bool, api: Quartz | None = None) -> None:
    """Cmd+V: the same in Terminal and iTerm2."""
    api = api or quartz()
    api.post_key(KEY_V, True, FLAG_COMMAND)
    api.post_key(KEY_V, False, FLAG_COMMAND)


class MacClipboard:
    """The general pasteboard through pbcopy/pbpaste (UTF-8), without a Cocoa binding."""

    def __init__(self, run: Any = subprocess.run) -> None:
        self._run = run

    def text(self) -> str | None:
        done = self._run(["pbpaste", "-Prefer", "txt"], capture_output=True, timeout=2, env=_utf8())
        return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None

    def set_text(self, text: str) -> None:
        self._run(["pbcopy"], input=text.encode("utf-8"), check=True, timeout=2, env=_utf8())


def _utf8() -> dict[str, str]:
    """pbcopy/pbpaste read and write in the locale's encoding: make it UTF-8."""
    return {**os.environ, "LANG": "en_US.UTF-8", "LC_CTYPE": "UTF-8"}
