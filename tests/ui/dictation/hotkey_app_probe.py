"""Run under a real X server by test_hotkey_app_x11.py: the main window with the dictation hotkey
installed (real pynput listener, qasync loop), driven by xdotool, printed as JSON.

It checks the whole path a user's key press takes (pynput's thread -> the loop -> the trigger ->
the dictation target) and that typing the hotkey into Settings' shortcut field never dictates.
With the argument ``focus_only``: the fallback bound inside the app window instead.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import qasync
from PySide6.QtWidgets import QApplication

from desktop.core.context import AppContext
from desktop.core.paths import AppPaths
from desktop.platform.hotkeys import HotkeySupport
from desktop.ui.main_window import MainWindow
from tests.core.dictation.fakes import FakeDictation
from tests.ui.dictation.hotkey_helpers import install_test_hotkey

COMBO = "ctrl+alt+space"


async def xdotool(*args: str, settle_s: float = 0.3) -> float:
    sent = time.monotonic()
    proc = await asyncio.create_subprocess_exec("xdotool", *args)
    await proc.wait()
    await asyncio.sleep(settle_s)
    return sent


async def focus_only() -> dict[str, object]:
    """The fallback where no global hotkey is possible: the keys reach the app window as Qt events."""
    ctx = AppContext.create(AppPaths.default())
    window = MainWindow(ctx)
    target = FakeDictation(connect_s=0.05, finish_s=0.05)
    support = HotkeySupport("focus_only", False, "Works only while this app's window is focused.")
    host = install_test_hotkey(window, lambda: target, support=support)
    window.show()
    window.activateWindow()
    await asyncio.sleep(0.8)
    out: dict[str, object] = {"backend": "focus_only" if host.focus_only else "global"}
    await xdotool("keydown", COMBO, settle_s=1.2)  # held past the auto-repeat delay
    out["held"] = target.state.name
    await xdotool("keyup", COMBO, settle_s=0.4)
    out["calls"] = list(target.calls)
    host.shutdown()
    return out


async def run() -> dict[str, object]:
    if sys.argv[1:] == ["focus_only"]:
        return await focus_only()
    ctx = AppContext.create(AppPaths.default())
    window = MainWindow(ctx)
    target = FakeDictation(connect_s=0.05, finish_s=0.05)
    host = install_test_hotkey(window, lambda: target)
    window.show()
    await asyncio.sleep(0.8)
    out: dict[str, object] = {"backend": host.support.backend, "status": host.status}

    pressed = await xdotool("keydown", COMBO, settle_s=0.5)
    released = await xdotool("keyup", COMBO, settle_s=0.5)
    out["main_window"] = list(target.calls)
    if len(target.call_times) == 2:
        out["press_to_begin_ms"] = round((target.call_times[0] - pressed) * 1000, 1)
        out["release_to_end_ms"] = round((target.call_times[1] - released) * 1000, 1)

    dialog = window.open_settings()
    await asyncio.sleep(0.5)
    dialog.activateWindow()
    await asyncio.sleep(0.3)
    await xdotool("key", "alt+c")
    await xdotool("key", "alt+k")
    out["field_focused"] = dialog.dictation.hotkey_edit.hasFocus()
    out["suspended"] = host.trigger.suspended
    await xdotool("keydown", "ctrl+alt+F5", settle_s=0.2)
    await xdotool("keyup", "ctrl+alt+F5", settle_s=0.2)
    await xdotool("keydown", COMBO, settle_s=0.3)  # the current hotkey, typed into the field
    await xdotool("keyup", COMBO, settle_s=0.3)
    out["field_text"] = dialog.dictation.hotkey_edit.text()
    out["while_recording"] = list(target.calls)

    await xdotool("key", "Escape", settle_s=0.4)  # gives the old shortcut back, focus moves on
    out["after_escape"] = {"text": dialog.dictation.hotkey_edit.text(), "suspended": host.trigger.suspended}
    await xdotool("keydown", COMBO, settle_s=0.4)
    await xdotool("keyup", COMBO, settle_s=0.4)
    out["after_recording"] = list(target.calls)
    host.shutdown()
    return out


def main() -> None:
    app = QApplication(["probe"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            result = loop.run_until_complete(run())
        print(json.dumps(result))
    finally:
        subprocess.run(["xdotool", "keyup", COMBO], check=False)


if __name__ == "__main__":
    sys.exit(main())
