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
    assert out["menu"] == [
        "Show &window",
        "Start &live session",
        "&Dictate",
        "&Recent transcripts",
        "Live &captions",
        "&Settings…",
        "&Quit",
    ]
    assert out["recent_open"], "hovering 'Recent transcripts' did not open its submenu"
    recent = out["recent"]
    assert [r.split(" ", 2)[1] for r in recent] == ["Weekly", "Dictation", "interview.mp3", "Microphone"]
    assert "“so the budget review moves to…”" in recent[-1]
    assert out["opened"] == ["Microphone — Transcript"] and out["window_hidden"]


def test_started_at_login_the_app_waits_hidden_in_the_tray(tmp_path: Path) -> None:
    display = f":{300 + os.getpid() % 200}"
    home = tmp_path / "home"
    script = f"""
Xvfb {display} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB $TRAYER $APP 2>/dev/null' EXIT
for i in $(seq 100); do [ -e /tmp/.X11-unix/X{display[1:]} ] && break; sleep 0.05; done
export DISPLAY={display}
QT_QPA_PLATFORM=xcb "{sys.executable}" -m desktop --autostart --no-onboarding >/dev/null 2>&1 &
APP=$!
sleep 2  # the app is up before the panel, as at login
trayer --edge top --align right --widthtype pixel --width 200 --height 30 >/dev/null 2>&1 &
TRAYER=$!
LOG="{home}/logs/soniox-desktop.log"
for i in $(seq 200); do grep -q "Started hidden in the tray" "$LOG" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
echo "visible=$(xdotool search --onlyvisible --name '^Soniox Desktop$' 2>/dev/null | wc -l)"
kill -TERM $APP
wait $APP
echo "exit=$?"
"""
    env = {**os.environ, "SONIOX_DESKTOP_HOME": str(home)}
    env.pop("SONIOX_API_KEY", None)
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    log = (home / "logs" / "soniox-desktop.log").read_text()
    assert "Started hidden in the tray" in log and "Main window shown" not in log, log[-2000:]
    assert "visible=0" in result.stdout and "exit=0" in result.stdout, result.stdout + result.stderr
