"""Which app has the keyboard focus: where dictated words go, and the name the history shows.

X11: ``_NET_ACTIVE_WINDOW`` with its ``WM_CLASS`` and ``_NET_WM_NAME`` (python-xlib). Windows:
``GetForegroundWindow`` and its process's executable (ctypes). macOS: NSWorkspace's frontmost
application (through the Objective-C runtime with ctypes). Wayland tells no client which window
is focused: the app is then "Unknown app".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.core.dictation.types import FocusedApp
from desktop.platform.insert.session import DisplayServer, display_server

log = logging.getLogger(__name__)


def focus_provider(server: DisplayServer | None = None) -> Callable[[], FocusedApp | None]:
    """A function returning the focused app now (None when the system does not say)."""
    server = server or display_server()
    if server is DisplayServer.X11:
        from desktop.platform.focus.x11 import X11Focus

        return X11Focus()
    if server is DisplayServer.WINDOWS:
        from desktop.platform.focus.windows import WindowsFocus

        return WindowsFocus()
    if server is DisplayServer.MACOS:
        from desktop.platform.focus.macos import MacFocus

        return MacFocus()
    return lambda: None
