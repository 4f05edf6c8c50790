"""Windows: the foreground window and the executable of the process that owns it."""

from __future__ import annotations

import ctypes
import logging
from pathlib import PureWindowsPath
from typing import Any

from desktop.core.dictation.types import FocusedApp, looks_like_terminal

log = logging.getLogger(__name__)
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000


class User32Api:
    """The calls made into user32/kernel32 (the boundary the tests fake)."""

    def __init__(self) -> None:
        windll: Any = getattr(ctypes, "windll")  # noqa: B009 - only on Windows
        self.user32 = windll.user32
        self.kernel32 = windll.kernel32
        handle = ctypes.c_void_p  # pointer-sized: the default int would cut it on 64-bit Windows
        self.user32.GetForegroundWindow.restype = handle
        self.user32.GetWindowTextLengthW.argtypes = [handle]
        self.user32.GetWindowTextW.argtypes = [handle, ctypes.c_wchar_p, ctypes.c_int]
        self.user32.GetWindowThreadProcessId.argtypes = [handle, ctypes.POINTER(ctypes.c_ulong)]
        self.kernel32.OpenProcess.restype = handle
        self.kernel32.QueryFullProcessImageNameW.argtypes = [
            handle,
            ctypes.c_ulong,
            ctypes.c_wchar_p,
            ctypes.POINTER(ctypes.c_ulong),
        ]
        self.kernel32.CloseHandle.argtypes = [handle]

    def foreground_window(self) -> int:
        return int(self.user32.GetForegroundWindow() or 0)

    def window_title(self, hwnd: int) -> str:
        length = self.user32.GetWindowTextLengthW(hwnd)
        buffer = ctypes.create_unicode_buffer(length + 1)
        self.user32.GetWindowTextW(hwnd, buffer, length + 1)
        return buffer.value

    def process_path(self, hwnd: int) -> str:
        pid = ctypes.c_ulong()
        self.user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        handle = self.kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid.value)
        if not handle:
            return ""
        try:
            size = ctypes.c_ulong(1024)
            buffer = ctypes.create_unicode_buffer(size.value)
            if not self.kernel32.QueryFullProcessImageNameW(handle, 0, buffer, ctypes.byref(size)):
                return ""
            return buffer.value
        finally:
            self.kernel32.CloseHandle(handle)


class WindowsFocus:
    def __init__(self, api: Any = None) -> None:
        self._api = api

    def __call__(self) -> FocusedApp | None:
        try:
            api = self._api or User32Api()
            self._api = api
            hwnd = api.foreground_window()
            if not hwnd:
                return None
            path = api.process_path(hwnd)
            title = api.window_title(hwnd)
        except Exception:
            log.debug("Could not read the foreground window", exc_info=True)
            return None
        exe = PureWindowsPath(path).name if path else ""
        stem = exe.rsplit(".", 1)[0] if exe else ""
        name = _pretty(stem) or title or "Unknown app"
        return FocusedApp(name=name, app_id=exe.lower(), window_title=title, is_terminal=looks_like_terminal(exe))


def _pretty(stem: str) -> str:
    """``notepad`` → ``Notepad``; names with their own capitals (``WINWORD``, ``Code``) stay."""
    return stem[:1].upper() + stem[1:] if stem.islower() else stem
