"""macOS: may this app see the keyboard? (Accessibility and Input Monitoring permissions.)

Without them pynput's listener starts but never hears a key, and nothing tells the user why, so
the Settings page asks these questions and offers the pane where the user grants it.
pyobjc's frameworks are imported on demand; on other systems the answer is "unknown" (None).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

log = logging.getLogger(__name__)

PRIVACY_ACCESSIBILITY_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility"
PRIVACY_INPUT_MONITORING_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_ListenEvent"


def _call(module_names: tuple[str, ...], function: str) -> bool | None:
    for name in module_names:
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        check = getattr(module, function, None)
        if check is None:
            continue
        try:
            return bool(check())
        except Exception:  # a framework call failing must not take Settings down with it
            log.warning("%s.%s failed", name, function, exc_info=True)
            return None
    return None


def accessibility_trusted() -> bool | None:
    """AXIsProcessTrusted (what pynput's ``IS_TRUSTED`` reports); None when it cannot be asked."""
    return _call(("HIServices", "ApplicationServices"), "AXIsProcessTrusted")


def input_monitoring_allowed() -> bool | None:
    """False when either permission is known to be missing, True when both are known granted.

    Input Monitoring (macOS 10.15+) is asked with CGPreflightListenEventAccess, which never shows
    a prompt; Accessibility with AXIsProcessTrusted. None: could not be asked (no pyobjc).
    """
    trusted = accessibility_trusted()
    listen = _call(("Quartz",), "CGPreflightListenEventAccess")
    if trusted is False or listen is False:
        return False
    if trusted is None and listen is None:
        return None
    return True
