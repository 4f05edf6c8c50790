"""A private Xvfb for tests that need a real X server (XTest input from xdotool, pynput's listener)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HAVE_XVFB = shutil.which("Xvfb") is not None and shutil.which("xdotool") is not None


@contextmanager
def private_xvfb(base: int, size: str = "1024x768x24") -> Iterator[str]:
    """Start ``Xvfb :N`` (N from ``base`` and the pid, so parallel runs do not collide); yields ":N"."""
    display = f":{base + os.getpid() % 200}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail("Xvfb did not start")
        time.sleep(0.05)
    try:
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def x11_env(display: str, **extra: str) -> dict[str, str]:
    """The environment of a child process on ``display`` as an X11 session (never Wayland)."""
    env = {**os.environ, "DISPLAY": display, "XDG_SESSION_TYPE": "x11", **extra}
    env.pop("WAYLAND_DISPLAY", None)
    return env
