"""The tray icon on a real X server with a system tray (trayer): a click shows the window, a right
click opens the menu. Skipped only where Xvfb, trayer or xdotool are missing (CI installs them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("Xvfb", "trayer", "xdotool")), reason="needs Xvfb, trayer and xdotool"
)


def test_a_click_on_the_tray_icon_shows_the_window_and_a_right_click_its_menu(tmp_path: Path) -> None:
    display = f":{500 + os.getpid() % 200}"
    script = f"""
Xvfb {display} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB $TRAYER 2>/dev/null' EXIT
for i in $(seq 100); do [ -e /tmp/.X11-unix/X{display[1:]} ] && break; sleep 0.05; done
export DISPLAY={display}
trayer --edge top --align right --widthtype pixel --width 200 --height 30 >/dev/null 2>&1 &
TRAYER=$!
sleep 1
QT_QPA_PLATFORM=xcb "{sys.executable}" -m tests.ui.tray_probe
"""
    env = {**os.environ, "SONIOX_DESKTOP_HOME": str(tmp_path / "home")}
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stderr[-2000:]
    out = json.loads(lines[-1])
    assert out["available"], "trayer did not provide a system tray"
    assert out["shown_by_click"], "a click on the tray icon did not bring the window back"
    assert out["menu_open"]
    assert out["menu"] == ["Show &window", "Start &live session", "Live &captions", "&Settings…", "&Quit"]
