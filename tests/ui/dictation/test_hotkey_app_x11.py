"""The dictation hotkey in the running main window on a real X server: a press anywhere reaches the
dictation through pynput and the qasync loop, and typing the hotkey into Settings' shortcut field
records it without dictating. Runs ``hotkey_app_probe.py`` in its own process under a private Xvfb
(this suite's Qt is offscreen); skipped only where Xvfb or xdotool are missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.xvfb import HAVE_XVFB, private_xvfb, x11_env

pytestmark = pytest.mark.skipif(not HAVE_XVFB, reason="needs Xvfb and xdotool")


def run_probe(tmp_path: Path, *args: str) -> dict[str, object]:
    with private_xvfb(500, "1280x800x24") as display:
        result = subprocess.run(
            [sys.executable, "-m", "tests.ui.dictation.hotkey_app_probe", *args],
            cwd=ROOT,
            env=x11_env(display, QT_QPA_PLATFORM="xcb", SONIOX_DESKTOP_HOME=str(tmp_path / "home")),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_hotkey_dictates_from_the_window_but_not_while_being_recorded(tmp_path: Path) -> None:
    out = run_probe(tmp_path)
    assert out["backend"] == "x11"
    assert out["status"] == "Ctrl+Alt+Space: The hotkey works in every app."
    assert out["main_window"] == ["begin", "end"]
    assert out["field_focused"] and out["suspended"]
    assert out["field_text"] == "Ctrl+Alt+Space"  # recorded (after Ctrl+Alt+F5) ...
    assert out["while_recording"] == ["begin", "end"]  # ... and nothing dictated meanwhile
    assert out["after_escape"] == {"text": "Ctrl+Alt+Space", "suspended": False}
    assert out["after_recording"] == ["begin", "end", "begin", "end"]


def test_the_focus_only_fallback_holds_through_auto_repeat_in_the_window(tmp_path: Path) -> None:
    out = run_probe(tmp_path, "focus_only")
    assert out["backend"] == "focus_only"
    assert out["held"] == "LISTENING"
    assert out["calls"] == ["begin", "end"]
