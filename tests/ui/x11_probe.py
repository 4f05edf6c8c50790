"""For probes that run in their own process on a real X server: keep Qt answering while time passes
or while xdotool (XTest) moves the mouse, so the app sees the input as a user's."""

from __future__ import annotations

import subprocess
import time

from PySide6.QtWidgets import QApplication


def spin(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def xdotool(app: QApplication, *args: str, settle_s: float = 0.4) -> None:
    proc = subprocess.Popen(["xdotool", *args])
    while proc.poll() is None:  # keep answering the X server meanwhile
        app.processEvents()
        time.sleep(0.01)
    spin(app, settle_s)
