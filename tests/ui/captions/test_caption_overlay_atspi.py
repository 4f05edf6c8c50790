"""What a screen reader hears from the caption overlay during a live session, read over AT-SPI.

The app runs in its own process under a private Xvfb and D-Bus session with an AT-SPI bus; the
reader is the system's python3 with pyatspi (what Orca uses). Skipped only where those are missing;
CI installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

HERE = Path(__file__).parent
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


def _pyatspi_available() -> bool:
    if not Path("/usr/bin/python3").exists():
        return False
    return subprocess.run(["/usr/bin/python3", "-c", "import pyatspi"], capture_output=True).returncode == 0


_TOOLS = shutil.which("Xvfb") and shutil.which("dbus-run-session") and Path(LAUNCHER).exists()
pytestmark = pytest.mark.skipif(
    not (_TOOLS and _pyatspi_available()),
    reason="needs Xvfb, dbus-run-session, at-spi2-core and python3-pyatspi",
)


def test_a_screen_reader_reads_the_live_words_in_the_caption_overlay(tmp_path: Path) -> None:
    display = f":{300 + os.getpid() % 200}"
    script = f"""
set -e
Xvfb {display} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true' EXIT
for i in $(seq 100); do [ -e /tmp/.X11-unix/X{display[1:]} ] && break; sleep 0.05; done
export DISPLAY={display}
{LAUNCHER} --launch-immediately >/dev/null 2>&1 &
sleep 0.5
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 QT_QPA_PLATFORM=xcb "{sys.executable}" -m tests.ui.captions.live_caption_probe 8 \\
    > "{tmp_path}/probe.out" 2> "{tmp_path}/probe.err" &
PROBE=$!
for i in $(seq 400); do grep -q READY "{tmp_path}/probe.out" && break; sleep 0.05; done
/usr/bin/python3 "{HERE / "atspi_reader.py"}" captionprobe > "{tmp_path}/tree.json"
kill $PROBE 2>/dev/null || true
"""
    env = {**os.environ, "SONIOX_DESKTOP_HOME": str(tmp_path / "home")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
    )
    probe_out = (tmp_path / "probe.out").read_text() if (tmp_path / "probe.out").exists() else ""
    assert "READY" in probe_out, (result.stderr[-1500:], (tmp_path / "probe.err").read_text()[-1500:])
    tree = json.loads((tmp_path / "tree.json").read_text() or "[]")
    labels = [name for role, name, _text in tree if role == "label"]
    assert "Speaker 1: captions read by a screen reader" in labels, tree
    assert any(role == "filler" and name == "Live captions" for role, name, _ in tree)  # the overlay, named
