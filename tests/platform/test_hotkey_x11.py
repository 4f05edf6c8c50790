"""The global hotkey on a real X server: pynput's listener hears XTest key events from xdotool and
the trigger asks the dictation target to begin and end exactly once each, through auto-repeat,
in toggle mode, and with a press landing while the previous dictation is still finishing.

Each scenario runs ``hotkey_x11_probe.py`` in its own process (pynput connects to the X server on
import) under a private Xvfb. Skipped only where Xvfb or xdotool are missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None, reason="needs Xvfb and xdotool"
)


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    display = f":{300 + os.getpid() % 200}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
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


def probe(display: str, scenario: str) -> dict[str, object]:
    env = {**os.environ, "DISPLAY": display, "XDG_SESSION_TYPE": "x11"}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.platform.hotkey_x11_probe", scenario],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "pynput"
    return out


def test_hold_begins_and_ends_once_while_the_held_key_auto_repeats(x_display: str) -> None:
    out = probe(x_display, "hold")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]
    assert isinstance(out["key_repeats"], int) and out["key_repeats"] > 3, "the X server did not auto-repeat"
    assert out["final"] == "IDLE"


def test_release_press_pairs_while_held_are_auto_repeat_not_new_dictations(x_display: str) -> None:
    out = probe(x_display, "pairs")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]
    assert out["repeats_ignored"] == 5


def test_toggle_press_starts_and_the_next_press_stops(x_display: str) -> None:
    out = probe(x_display, "toggle")
    assert out["states"] == ["LISTENING"]
    assert out["calls"] == ["begin", "end"]


def test_a_press_while_finishing_begins_again_once_the_finish_is_done(x_display: str) -> None:
    out = probe(x_display, "finishing")
    assert out["states"] == ["FINISHING", "FINISHING:2", "LISTENING"]
    assert out["calls"] == ["begin", "end", "begin", "end"]


def test_a_stopped_hotkey_hears_nothing(x_display: str) -> None:
    out = probe(x_display, "stopped")
    assert out["calls"] == []
