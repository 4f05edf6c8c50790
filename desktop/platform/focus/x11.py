"""X11: the active window as the window manager reports it (EWMH), named by its WM_CLASS."""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from desktop.core.dictation.types import FocusedApp, looks_like_terminal

log = logging.getLogger(__name__)


class X11Focus:
    """Callable: the focused app, or None (no window manager, no display)."""

    def __init__(self, display: Any = None) -> None:
        self._display = display
        self._lock = threading.Lock()

    def __call__(self) -> FocusedApp | None:
        with self._lock:
            try:
                return self._read()
            except Exception:
                log.debug("Could not read the active window", exc_info=True)
                self._display = None  # reconnect next time (the server may have restarted)
                return None

    def window_id(self) -> int | None:
        with self._lock:
            display = self._open()
            return _active_window(display)

    def _open(self) -> Any:
        if self._display is None:
            self._display = importlib.import_module("Xlib.display").Display()
        return self._display

    def _read(self) -> FocusedApp | None:
        display = self._open()
        wid = _active_window(display) or _input_focus_window(display)
        if not wid:
            return None
        window = display.create_resource_object("window", wid)
        wm_class = window.get_wm_class() or ("", "")
        instance, klass = (wm_class[0] or ""), (wm_class[1] or "")
        title = _window_title(display, window)
        name = klass or instance or title or "Unknown app"
        return FocusedApp(
            name=name,
            app_id=(instance or klass).lower(),
            window_title=title,
            is_terminal=looks_like_terminal(instance, klass),
        )


def _active_window(display: Any) -> int | None:
    atom = display.intern_atom("_NET_ACTIVE_WINDOW")
    prop = display.screen().root.get_full_property(atom, 0)  # AnyPropertyType
    if prop is None or not len(prop.value):
        return None
    return int(prop.value[0]) or None


def _input_focus_window(display: Any) -> int | None:
    """Without an EWMH window manager: the window holding the input focus, or the top-level
    window above it that names its app (WM_CLASS)."""
    focus = display.get_input_focus().focus
    if isinstance(focus, int) or focus is None:  # None (0) or PointerRoot (1)
        return None
    window = focus
    root = display.screen().root
    for _ in range(16):
        if window.get_wm_class():
            return int(window.id)
        parent = window.query_tree().parent
        if parent is None or parent.id == root.id:
            return None
        window = parent
    return None


def _window_title(display: Any, window: Any) -> str:
    prop = window.get_full_property(display.intern_atom("_NET_WM_NAME"), display.intern_atom("UTF8_STRING"))
    if prop is not None and prop.value:
        value = prop.value
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    name = window.get_wm_name()
    return str(name) if name else ""
