"""macOS: NSWorkspace's frontmost application, through the Objective-C runtime (no pyobjc)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

from desktop.core.dictation.types import FocusedApp, looks_like_terminal

log = logging.getLogger(__name__)


class ObjC:
    """Just enough of the runtime to ask NSWorkspace (the boundary the tests fake)."""

    def __init__(self) -> None:
        ctypes.CDLL(ctypes.util.find_library("AppKit"))  # registers NSWorkspace
        lib: Any = ctypes.CDLL(ctypes.util.find_library("objc"))
        lib.objc_getClass.restype = ctypes.c_void_p
        lib.objc_getClass.argtypes = [ctypes.c_char_p]
        lib.sel_registerName.restype = ctypes.c_void_p
        lib.sel_registerName.argtypes = [ctypes.c_char_p]
        self._send = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(("objc_msgSend", lib))
        self._send_str = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p)(("objc_msgSend", lib))
        self._lib = lib

    def frontmost(self) -> tuple[str, str] | None:
        """(localized name, bundle identifier) of the frontmost app."""
        lib = self._lib
        workspace = self._send(lib.objc_getClass(b"NSWorkspace"), lib.sel_registerName(b"sharedWorkspace"))
        app = self._send(workspace, lib.sel_registerName(b"frontmostApplication"))
        if not app:
            return None
        return self._string(app, b"localizedName"), self._string(app, b"bundleIdentifier")

    def _string(self, obj: int, selector: bytes) -> str:
        value = self._send(obj, self._lib.sel_registerName(selector))
        if not value:
            return ""
        raw = self._send_str(value, self._lib.sel_registerName(b"UTF8String"))
        return raw.decode("utf-8", "replace") if raw else ""


class MacFocus:
    def __init__(self, api: Any = None) -> None:
        self._api = api

    def __call__(self) -> FocusedApp | None:
        try:
            api = self._api or ObjC()
            self._api = api
            found = api.frontmost()
        except Exception:
            log.debug("Could not ask NSWorkspace for the frontmost app", exc_info=True)
            return None
        if found is None:
            return None
        name, bundle = found
        return FocusedApp(name=name or bundle or "Unknown app", app_id=bundle, is_terminal=looks_like_terminal(bundle))
