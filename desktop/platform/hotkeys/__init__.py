"""The global dictation hotkey: one interface, a backend per desktop, and what works here in words.

* X11: a key grab on the root window (``x11_grab``), so the app in front does not also get the keys.
* Windows, macOS: pynput's keyboard listener (``pynput_backend``), which only watches (the app in
  front receives the keys too); on macOS only once the app is allowed to monitor input (``macos``).
* Wayland: the XDG desktop portal's GlobalShortcuts interface (``portal``) where the desktop
  offers it. Elsewhere on Wayland no app can see keys pressed in other apps, and the hotkey works
  only while this app has the focus: the UI binds it itself (``focus_only`` in the support).

Callbacks are always delivered on the asyncio loop's thread, never on a listener's own thread.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from desktop.platform.hotkeys.spec import HotkeySpec, HotkeySpecError, parse_hotkey

__all__ = [
    "GlobalHotkey",
    "HotkeyError",
    "HotkeySpec",
    "HotkeySpecError",
    "HotkeySupport",
    "create_global_hotkey",
    "hotkey_support",
    "parse_hotkey",
]

Backend = Literal["x11", "pynput", "portal", "focus_only", "none"]


class HotkeyError(RuntimeError):
    """The hotkey could not be set up; the message says what happened and what to do."""


class GlobalHotkey(Protocol):
    def start(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Listen for ``spec``; the callbacks run on the asyncio loop. A failure known at once
        raises HotkeyError; one found later (the portal's dialog cancelled) goes to ``on_error``."""

    def stop(self) -> None:
        """Stop listening (idempotent); no callback runs after this returns."""


@dataclass(frozen=True)
class HotkeySupport:
    backend: Backend
    #: True when the hotkey works in every app, False when only while this app has the focus.
    works_globally: bool
    message: str
    #: A system settings page to open when a permission is missing (macOS), else None.
    settings_url: str | None = None


def _session_is_wayland(env: dict[str, str]) -> bool:
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return True
    return bool(env.get("WAYLAND_DISPLAY")) and not env.get("DISPLAY")


def hotkey_support(
    *,
    system: str | None = None,
    env: dict[str, str] | None = None,
    portal_version: Callable[[], int | None] | None = None,
    mac_permission: Callable[[], bool | None] | None = None,
) -> HotkeySupport:
    """Which backend serves the hotkey here, and what the user should know about it.

    The arguments exist for tests; the app calls it bare. On Wayland it asks the portal for its
    version over D-Bus (bounded to a second, once per run).
    """
    system = system or sys.platform
    env = dict(os.environ) if env is None else env
    if system == "darwin":
        from desktop.platform.hotkeys import macos

        trusted = (mac_permission or macos.input_monitoring_allowed)()
        if trusted is False:
            return HotkeySupport(
                "pynput",
                True,
                "macOS has not yet allowed this app to see the keyboard, so the hotkey does nothing. "
                "Allow it under System Settings → Privacy & Security → Accessibility and Input Monitoring, "
                "then restart the app.",
                macos.PRIVACY_ACCESSIBILITY_URL,
            )
        return HotkeySupport("pynput", True, "The hotkey works in every app.")
    if system == "win32":
        return HotkeySupport(
            "pynput", True, "The hotkey works in every app (not in windows of apps run as administrator)."
        )
    if _session_is_wayland(env):
        from desktop.platform.hotkeys import portal

        version = (portal_version or portal.cached_portal_version)()
        if version:
            return HotkeySupport(
                "portal",
                True,
                "The hotkey works in every app through the desktop's Global Shortcuts; the desktop asks once "
                "to confirm it and may let you pick other keys in its own settings.",
            )
        return HotkeySupport(
            "focus_only",
            False,
            "This Wayland desktop does not let apps watch the keyboard and offers no Global Shortcuts portal: "
            "the hotkey works only while this app's window is focused.",
        )
    if env.get("DISPLAY"):
        return HotkeySupport("x11", True, "The hotkey works in every app.")
    return HotkeySupport("none", False, "No display server was found, so there is no keyboard to listen to.")


def create_global_hotkey(support: HotkeySupport, loop: asyncio.AbstractEventLoop | None = None) -> GlobalHotkey | None:
    """The backend ``support`` names, or None for ``focus_only``/``none`` (the UI binds those itself)."""
    if support.backend == "x11":
        from desktop.platform.hotkeys.x11_grab import X11GrabHotkey

        return X11GrabHotkey(loop)
    if support.backend == "pynput":
        from desktop.platform.hotkeys.pynput_backend import PynputHotkey

        return PynputHotkey(loop)
    if support.backend == "portal":
        from desktop.platform.hotkeys.portal import PortalHotkey

        return PortalHotkey(loop)
    return None
