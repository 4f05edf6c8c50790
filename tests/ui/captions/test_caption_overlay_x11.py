"""The overlay on a real X server: a click on the locked overlay reaches the window beneath, focus
stays there, and the unlocked overlay drags and is found in the same place after a restart.

Runs ``overlay_probe.py`` in its own process (this suite's Qt is offscreen) under a private Xvfb,
with real XTest input from xdotool. Skipped only where Xvfb or xdotool are missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.xvfb import private_xvfb

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None, reason="needs Xvfb and xdotool"
)


@pytest.fixture
def x_display() -> Iterator[str]:
    with private_xvfb(70, "1280x800x24") as display:
        yield display


def probe(display: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.captions.overlay_probe", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_locked_captions_let_clicks_through_and_unlocked_ones_move_and_stay(x_display: str, tmp_path: Path) -> None:
    prefs = tmp_path / "captions.json"
    out = probe(x_display, "run", str(prefs))
    locked = out["locked"]
    assert isinstance(locked, dict)
    assert locked["clicks"] == 1, "the click on the locked overlay did not reach the button beneath"
    assert locked["active"] and not locked["overlay_active"], "the overlay took the focus"
    assert out["moved"] == [120, -60]
    assert out["clicks_after_drag"] == 1  # the unlocked overlay took the drag itself
    assert "Locked captions let clicks through" in str(out["text"])
    saved = out["saved"]
    assert isinstance(saved, dict) and len(saved) == 1
    (geometry,) = saved.values()

    again = probe(x_display, "restart", str(prefs))
    assert again["geometry"] == geometry
