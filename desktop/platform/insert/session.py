"""Which display system the app runs on: what decides how text can reach another app."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Mapping


class DisplayServer(str, enum.Enum):
    X11 = "x11"
    WAYLAND = "wayland"
    WINDOWS = "windows"
    MACOS = "macos"


def display_server(env: Mapping[str, str] | None = None, platform: str | None = None) -> DisplayServer:
    """Wayland when the session is Wayland, even if Qt runs through XWayland: XTest from an
    XWayland client only reaches other XWayland windows, not the native ones."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "win32":
        return DisplayServer.WINDOWS
    if platform == "darwin":
        return DisplayServer.MACOS
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return DisplayServer.WAYLAND
    return DisplayServer.X11
