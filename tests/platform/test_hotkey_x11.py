"""The global hotkey on a real X server: pynput's listener hears XTest key events from xdotool and
the trigger asks the dictation target to begin and end exactly once each, through auto-repeat,
in toggle mode, and with a press landing while the previous dictation is still finishing.

Each scenario runs ``hotkey_x11_probe.py`` in its own process (pynput connects to the X server on
import) under a private Xvfb. Skipped only where Xvfb or xdotool are missing (CI installs both).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.paths import ROOT
from tests.xvfb import HAVE_XVFB, private_xvfb, x11_env

pytestmark = pytest.mark.skipif(not HAVE_XVFB, reason="needs Xvfb and xdotool")


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    with private_xvfb(300, "640x480x24") as display:
        yield display


def probe(display: str, scenario: str) -> dict[str, object]:
    env = x11_env(display)
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
    assert out["states"] == ["thread ended"], "pynput's listener thread outlived stop()"
    assert out["calls"] == []
