"""Putting dictated text into the focused app, per system, never taking focus from it.

* ``type``: synthesized key presses. X11: XTest through pynput (non-ASCII included: pynput maps
  a spare keycode to the character's keysym). Windows: ``SendInput`` with ``KEYEVENTF_UNICODE``.
* ``paste``: the text goes on the clipboard, the paste shortcut is sent (Ctrl+V; Cmd+V on macOS;
  Ctrl+Shift+V in a Linux terminal), and the previous clipboard comes back a moment later.
* ``clipboard``: only copied, and the user is told to paste it: Wayland offers no way to send
  keys to another app without a portal, and a password field (macOS secure input) takes none.

``auto`` (the default setting) picks per system: Windows paste (one SendInput, fast even for
long text, and the clipboard restored), macOS paste (needs the Accessibility permission, else
clipboard only), X11 typing (no clipboard to disturb), Wayland clipboard only.

The clipboard itself is passed in (:class:`Clipboard`): on Linux the UI's Qt clipboard serves
(this package never imports Qt), on Windows and macOS the Qt-free ones here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from desktop.core.dictation.types import FocusedApp, InsertMethod, InsertResult, TextInserter
from desktop.platform.insert.paste import Clipboard, ClipboardOnlyInserter, PasteInserter
from desktop.platform.insert.session import DisplayServer, display_server

__all__ = [
    "Clipboard",
    "ClipboardOnlyInserter",
    "DisplayServer",
    "InsertMethod",
    "InsertResult",
    "PasteInserter",
    "TextInserter",
    "auto_method",
    "display_server",
    "make_inserter",
]

METHODS = ("auto", "type", "paste")


def auto_method(server: DisplayServer | None = None) -> InsertMethod:
    """What ``dictation_insert = "auto"`` means on this system."""
    server = server or display_server()
    if server is DisplayServer.WAYLAND:
        return InsertMethod.CLIPBOARD
    if server is DisplayServer.X11:
        return InsertMethod.TYPE
    return InsertMethod.PASTE  # Windows, macOS


def make_inserter(
    setting: str,
    *,
    clipboard: Clipboard | None,
    call_later: Callable[[float, Callable[[], None]], Any],
    focused_app: Callable[[], FocusedApp | None] = lambda: None,
    server: DisplayServer | None = None,
    context: Callable[[], Awaitable[str | None]] | None = None,
) -> TextInserter:
    """The inserter for the ``dictation_insert`` setting ("auto", "type", "paste") on this system.

    Falls back to clipboard-only where the chosen way cannot work (Wayland), and says so in the
    result's message each time text is inserted. ``context`` reads the text before the cursor
    (:class:`~desktop.platform.insert.atspi.AtspiContext` on Linux).
    """
    server = server or display_server()
    method = auto_method(server) if setting not in ("type", "paste") else InsertMethod(setting)
    if server is DisplayServer.WAYLAND:
        if clipboard is None:
            raise RuntimeError("Dictation on Wayland needs a clipboard")
        return ClipboardOnlyInserter(clipboard, reason=WAYLAND_REASON)
    if method is InsertMethod.TYPE:
        if server is DisplayServer.WINDOWS:
            from desktop.platform.insert.windows import WindowsTyper

            return WindowsTyper()
        if server is DisplayServer.MACOS:  # no typing path on macOS: paste it
            method = InsertMethod.PASTE
        else:
            from desktop.platform.insert.x11 import XTestTyper

            return XTestTyper(context=context)
    if clipboard is None:
        clipboard = system_clipboard(server)
    keys = paste_keys(server)
    guard = None
    if server is DisplayServer.MACOS:
        from desktop.platform.insert.macos import input_blocked

        guard = input_blocked
    return PasteInserter(clipboard, keys, call_later, focused_app=focused_app, blocked=guard, context=context)


WAYLAND_REASON = "Copied to the clipboard: on Wayland the app cannot type into other windows. Press Ctrl+V to paste it."


def system_clipboard(server: DisplayServer) -> Clipboard:
    if server is DisplayServer.WINDOWS:
        from desktop.platform.insert.windows import WindowsClipboard

        return WindowsClipboard()
    if server is DisplayServer.MACOS:
        from desktop.platform.insert.macos import MacClipboard

        return MacClipboard()
    raise RuntimeError("On Linux the clipboard is the UI's (pass clipboard=)")


def paste_keys(server: DisplayServer) -> Callable[[bool], None]:
    """A function that sends the paste shortcut (``terminal``: the terminal's own shortcut)."""
    if server is DisplayServer.WINDOWS:
        from desktop.platform.insert.windows import send_paste

        return send_paste
    if server is DisplayServer.MACOS:
        from desktop.platform.insert.macos import send_paste as mac_paste

        return mac_paste
    from desktop.platform.insert.x11 import send_paste as x11_paste

    return x11_paste
